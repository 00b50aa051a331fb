// Elementwise activations. Each is a scalar function given twice: in plain C++ for
// the reference interpreter and as a Halide expression for code generation.
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/OpHelpers.h"

#include <cmath>

namespace netc {
namespace {

struct Activation {
  const char *name;
  const char *summary;
  std::vector<AttrSpec> attrs;
  float (*reference)(float x, const AttrMap &attrs);
  Halide::Expr (*lower)(Halide::Expr x, const AttrMap &attrs);
};

const Activation activations[] = {
    {"relu", "max(x, 0)", {},
     [](float x, const AttrMap &) { return x > 0.0f ? x : 0.0f; },
     [](Halide::Expr x, const AttrMap &) { return Halide::max(x, 0.0f); }},
    {"sigmoid", "1 / (1 + exp(-x))", {},
     [](float x, const AttrMap &) { return (float)(1.0 / (1.0 + std::exp(-(double)x))); },
     [](Halide::Expr x, const AttrMap &) { return 1.0f / (1.0f + Halide::exp(-x)); }},
};

std::optional<TensorType> inferSameAsInput(const Op &op, std::string &) {
  return operandType(op, 0);
}

void registerActivation(const Activation &act) {
  OpDef def;
  def.name = act.name;
  def.summary = act.summary;
  def.operands = {{"input", false, false}};
  def.attrs = act.attrs;
  def.isElementwise = true;
  def.inferType = inferSameAsInput;
  auto scalar = act.reference;
  def.reference = [scalar](const Op &op, const std::vector<const Tensor *> &in, Tensor &out) {
    for (size_t i = 0; i < in[0]->data.size(); ++i)
      out.data[i] = scalar(in[0]->data[i], op.attrs());
  };
  auto expr = act.lower;
  def.lower = [expr](LowerContext &ctx, const Op &op) {
    std::vector<Halide::Var> vars = halideVars(ctx.operands[0].dimensions());
    Halide::Func out(op.kindName());
    out(vars) = expr(ctx.operands[0](vars), op.attrs());
    if (ctx.schedule)
      scheduleSimpleLoopNest(out, vars, halideExtents(ctx.resultType), ctx);
    return out;
  };
  OpRegistry::get().add(std::move(def));
}

} // namespace

void registerActivationOps() {
  for (const Activation &act : activations)
    registerActivation(act);
}

} // namespace netc
