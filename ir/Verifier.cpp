#include "ir/Verifier.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"

#include <set>

namespace netc {

bool normalizeAttrs(const OpDef &def, AttrMap &attrs, std::string &error) {
  for (const auto &[name, value] : attrs.entries()) {
    const AttrSpec *spec = def.findAttr(name);
    if (!spec) {
      std::string known;
      for (const auto &a : def.attrs)
        known += (known.empty() ? "" : ", ") + a.name;
      error = "'" + def.name + "' has no attribute '" + name + "'" +
              (known.empty() ? std::string(" (it takes none)") : " (known: " + known + ")");
      return false;
    }
    AttrKind kind = value.kind();
    if (kind != spec->kind && !(spec->kind == AttrKind::Float && kind == AttrKind::Int)) {
      std::string kindName = attrKindName(spec->kind);
      error = "attribute '" + name + "' of '" + def.name + "' must be " +
              (kindName[0] == 'i' ? "an " : "a ") + kindName + ", found " + value.str();
      return false;
    }
    if (spec->kind == AttrKind::IntList && spec->listLength &&
        (int)value.asInts().size() != spec->listLength) {
      error = "attribute '" + name + "' of '" + def.name + "' must have " +
              std::to_string(spec->listLength) + " elements, found " + value.str();
      return false;
    }
  }
  AttrMap ordered;
  for (const AttrSpec &spec : def.attrs) {
    const Attribute *given = attrs.find(spec.name);
    if (given) {
      if (spec.kind == AttrKind::Float && given->kind() == AttrKind::Int)
        ordered.set(spec.name, Attribute::ofFloat((double)given->asInt()));
      else
        ordered.set(spec.name, *given);
    } else if (spec.defaultValue) {
      ordered.set(spec.name, *spec.defaultValue);
    } else {
      error = "'" + def.name + "' requires attribute '" + spec.name + "'";
      return false;
    }
  }
  attrs = std::move(ordered);
  return true;
}

bool checkOperands(const Op &op, std::string &error) {
  const OpDef &def = op.def();
  for (size_t i = 0; i < def.operands.size(); ++i) {
    const OperandSpec &spec = def.operands[i];
    const Value *v = op.operand(i);
    if (!v) {
      if (!spec.optional) {
        error = "'" + def.name + "' requires operand '" + spec.name + "'";
        return false;
      }
      continue;
    }
    if (spec.isWeight && !v->isWeight()) {
      error = "operand '" + spec.name + "' of '" + def.name + "' must be a weight (@name), found %" +
              v->name();
      return false;
    }
    // An activation operand may be a constant (`add(%x, @offset)`), as ONNX
    // graphs have them; constant-fold evaluates ops whose operands all are.
  }
  return true;
}

/// Elements per batch item, saturating instead of overflowing.
static int64_t elementsPerItem(const TensorType &type) {
  __int128 n = 1;
  for (const Dim &d : type.dims) {
    n *= d.isStatic() ? d.size : 1;
    if (n > INT64_MAX)
      return INT64_MAX;
  }
  return (int64_t)n;
}

/// Halide indexes buffers with 32-bit extents and strides: every tensor netc
/// compiles must stay below 2^31 elements (per batch item; the batch size is
/// checked again when the model runs).
static bool checkElementLimit(const Value *v, DiagnosticEngine &diags) {
  int64_t n = elementsPerItem(v->type());
  if (n <= INT32_MAX)
    return true;
  diags.error(v->loc(), (v->isWeight() ? "weight '@" : "value '%") + v->name() + "' " +
                            v->type().str() + " has " +
                            (n == INT64_MAX ? std::string("more than 2^63") : std::to_string(n)) +
                            " elements per batch item; netc supports at most 2^31-1");
  return false;
}

std::optional<TensorType> inferResultType(const Op &op, std::string &error) {
  auto type = op.def().inferType(op, error);
  if (!type)
    return std::nullopt;
  int64_t n = elementsPerItem(*type);
  if (n > INT32_MAX) {
    error = "the result " + type->str() + " would have " +
            (n == INT64_MAX ? std::string("more than 2^63") : std::to_string(n)) +
            " elements per batch item; netc supports at most 2^31-1";
    return std::nullopt;
  }
  return type;
}

bool verifyGraph(const Graph &graph, DiagnosticEngine &diags) {
  unsigned before = diags.errorCount();
  std::set<const Value *> invalid; // values already reported; their users are not re-checked
  std::set<const Value *> defined;
  std::set<std::string> names;
  for (const Value *in : graph.inputs()) {
    defined.insert(in);
    if (!names.insert(in->name()).second)
      diags.error(in->loc(), "value '%" + in->name() + "' is defined twice");
    if (!checkElementLimit(in, diags))
      invalid.insert(in);
  }
  std::set<std::string> weightNames;
  for (const Value *w : graph.weights()) {
    defined.insert(w);
    if (!weightNames.insert(w->name()).second)
      diags.error(w->loc(), "weight '@" + w->name() + "' is declared twice");
    if (!w->type().isStatic()) {
      diags.error(w->loc(), "weight '@" + w->name() + "' must have a static shape, found " +
                                w->type().str());
      invalid.insert(w);
    } else if (!checkElementLimit(w, diags)) {
      invalid.insert(w);
    }
    if (w->data() && w->data()->shape != w->type().concreteShape(0))
      diags.error(w->loc(), "weight '@" + w->name() + "' is declared " + w->type().str() +
                                " but holds data of shape " + shapeStr(w->data()->shape));
  }
  for (const Op *op : graph.ops()) {
    const std::string &result = op->result()->name();
    if (!names.insert(result).second)
      diags.error(op->loc(), "value '%" + result + "' is defined twice");
    bool operandsOk = true;
    for (const Value *v : op->operands())
      if (v && invalid.count(v))
        operandsOk = false;
    for (const Value *v : op->operands())
      if (v && !defined.count(v)) {
        diags.error(op->loc(), "'%" + result + "' uses '%" + v->name() +
                                   "' before it is defined");
        operandsOk = false;
      }
    std::string error;
    if (operandsOk && !checkOperands(*op, error)) {
      diags.error(op->loc(), error);
      operandsOk = false;
    }
    AttrMap attrs = op->attrs();
    if (!normalizeAttrs(op->def(), attrs, error)) {
      diags.error(op->loc(), error);
      operandsOk = false;
    }
    if (operandsOk) {
      auto inferred = inferResultType(*op, error);
      if (!inferred) {
        diags.error(op->loc(), "'" + op->kindName() + "': " + error);
        operandsOk = false;
      } else if (*inferred != op->result()->type()) {
        diags.error(op->loc(), "'%" + result + "' is declared " + op->result()->type().str() +
                                   " but '" + op->kindName() + "' computes " + inferred->str());
        operandsOk = false;
      } else if (!checkElementLimit(op->result(), diags)) {
        operandsOk = false;
      }
    }
    if (!operandsOk)
      invalid.insert(op->result());
    defined.insert(op->result());
    for (size_t i = 0; i < op->operands().size(); ++i) {
      const Value *v = op->operand(i);
      if (!v || channelBlockOf(*v) == 0)
        continue;
      const auto &reads = op->def().readsChannelBlocked;
      if (!reads || !reads(*op, i))
        diags.error(op->loc(), "'%" + v->name() + "' is stored channel-blocked (channel_block=" +
                                   std::to_string(channelBlockOf(*v)) + ") but '" +
                                   op->kindName() + "' reads its " + op->def().operands[i].name +
                                   " only in plain NCHW layout");
    }
  }
  if (graph.outputs().empty())
    diags.error(llvm::StringRef(graph.name()), "graph has no outputs");
  std::set<const Value *> seenOutputs;
  for (const Value *out : graph.outputs()) {
    if (!defined.count(out))
      diags.error(out->loc(), "output '%" + out->name() + "' is not defined");
    else if (out->isInput())
      // Compiled code would have to copy it; no model needs that, so say so.
      diags.error(out->loc(), "output '%" + out->name() +
                                  "' is a graph input; an output must be computed by a layer");
    else if (channelBlockOf(*out) != 0)
      diags.error(out->loc(), "output '%" + out->name() +
                                  "' is stored channel-blocked; model outputs must be NCHW");
    if (!seenOutputs.insert(out).second)
      diags.error(out->loc(), "'%" + out->name() + "' is listed as an output twice");
  }
  return diags.errorCount() == before;
}

} // namespace netc
