#include "ir/Printer.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"

namespace netc {

static std::string operandRef(const Value *v) {
  return (v->isWeight() ? "@" : "%") + v->name();
}

std::string opToString(const Op &op) {
  std::string s = "%" + op.result()->name() + " = " + op.kindName() + "(";
  // Absent optional operands are trailing; print the present prefix.
  size_t count = op.operands().size();
  while (count > 0 && !op.operands()[count - 1])
    --count;
  for (size_t i = 0; i < count; ++i) {
    if (i)
      s += ", ";
    s += op.operands()[i] ? operandRef(op.operands()[i]) : "_";
  }
  s += ")";
  std::string attrs;
  for (const auto &[name, value] : op.attrs().entries()) {
    const AttrSpec *spec = op.def().findAttr(name);
    if (spec && spec->elideIfDefault && spec->defaultValue && *spec->defaultValue == value)
      continue;
    attrs += (attrs.empty() ? "" : ", ") + name + "=" + value.str();
  }
  if (!attrs.empty())
    s += " {" + attrs + "}";
  return s + " : " + op.result()->type().str();
}

void printGraph(const Graph &graph, llvm::raw_ostream &os) {
  os << "graph @" << graph.name() << "(";
  for (size_t i = 0; i < graph.inputs().size(); ++i) {
    const Value *in = graph.inputs()[i];
    os << (i ? ", " : "") << "%" << in->name() << ": " << in->type().str();
  }
  os << ") -> (";
  for (size_t i = 0; i < graph.outputs().size(); ++i) {
    const Value *out = graph.outputs()[i];
    os << (i ? ", " : "") << "%" << out->name() << ": " << out->type().str();
  }
  os << ") {\n";
  for (const Value *w : graph.weights())
    os << "  weight @" << w->name() << " : " << w->type().str() << "\n";
  for (const Op *op : graph.ops())
    os << "  " << opToString(*op) << "\n";
  os << "}\n";
}

std::string graphToString(const Graph &graph) {
  std::string s;
  llvm::raw_string_ostream os(s);
  printGraph(graph, os);
  return os.str();
}

} // namespace netc
