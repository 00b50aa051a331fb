// fuse-elementwise: a chain of same-shape elementwise ops, each the only reader
// of the one before, becomes one fused_elementwise op: one loop over memory
// instead of one per op. Views and ops with weights are not fused.
#include "compiler/passes/PassRegistry.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"

#include <map>
#include <set>

namespace netc {

namespace {

/// Ops per fused_elementwise: longer chains are cut into several. Halide
/// compiles the body as one expression, nested as deep as the chain, and its
/// passes recurse over it (3000 chained relus did not compile in 5 minutes;
/// 20000 overflowed the stack); real chains are a few ops long.
constexpr size_t kMaxFusedOps = 64;

bool fusible(const Op *op) {
  if (!op->def().isElementwise || op->def().isView || op->kindName() == "fused_elementwise")
    return false;
  for (const Value *v : op->operands())
    if (v && (v->isWeight() || v->type() != op->result()->type()))
      return false;
  return true;
}

} // namespace

bool fuseElementwise(Graph &graph, DiagnosticEngine &diags) {
  const OpDef *fusedDef = OpRegistry::get().lookup("fused_elementwise");
  const size_t maxInputs = fusedDef->operands.size();
  std::set<const Op *> grouped;
  std::vector<std::vector<Op *>> chains;
  for (Op *op : graph.ops()) {
    if (grouped.count(op) || !fusible(op))
      continue;
    std::vector<Op *> chain = {op};
    grouped.insert(op);
    for (;;) {
      Value *tail = chain.back()->result();
      std::vector<Op *> readers = graph.users(tail);
      if (chain.size() == kMaxFusedOps || graph.isOutput(tail) || readers.size() != 1 ||
          !fusible(readers[0]) || grouped.count(readers[0]))
        break;
      chain.push_back(readers[0]);
      grouped.insert(readers[0]);
    }
    if (chain.size() > 1)
      chains.push_back(chain);
  }

  for (const std::vector<Op *> &chain : chains) {
    // External operands become %in0..; chain values become %t0...
    std::vector<Value *> inputs;
    std::map<const Value *, std::string> local;
    auto ref = [&](Value *v) -> std::string {
      if (local.count(v))
        return local[v];
      inputs.push_back(v);
      return local[v] = "%in" + std::to_string(inputs.size() - 1);
    };
    std::string body;
    for (size_t i = 0; i < chain.size(); ++i) {
      const Op *op = chain[i];
      std::string args;
      for (Value *v : op->operands())
        args += (args.empty() ? "" : ", ") + (v ? ref(v) : std::string("_"));
      std::string line = "%t" + std::to_string(i) + " = " + op->kindName() + "(" + args + ")";
      std::string attrs;
      for (const auto &[name, value] : op->attrs().entries())
        attrs += (attrs.empty() ? "" : ", ") + name + "=" + value.str();
      if (!attrs.empty())
        line += " {" + attrs + "}";
      body += (body.empty() ? "" : "; ") + line;
      local[op->result()] = "%t" + std::to_string(i);
    }
    std::string kinds;
    for (const Op *op : chain)
      kinds += (kinds.empty() ? "" : " + ") + op->kindName();
    if (inputs.size() > maxInputs) {
      diags.remark(chain[0]->loc(), "not fused: " + kinds + " reads " +
                                        std::to_string(inputs.size()) + " tensors (at most " +
                                        std::to_string(maxInputs) + ")");
      continue;
    }
    AttrMap attrs;
    attrs.set("body", Attribute::ofString(body));
    Op *last = chain.back();
    Value *tail = last->result();
    std::string name = tail->name();
    tail->setName(name + ".unfused");
    Op *fused = graph.insertOpBefore(last, *fusedDef, inputs, attrs, name, tail->type(),
                                     chain[0]->loc());
    graph.replaceAllUsesWith(tail, fused->result());
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
      graph.eraseOp(*it);
    diags.remark(fused->loc(), "fused " + kinds + " into one loop");
  }
  return true;
}

} // namespace netc
