// add: elementwise sum of two tensors of the same shape (residual connections).
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/OpHelpers.h"

namespace netc {
namespace {

std::optional<TensorType> inferAdd(const Op &op, std::string &error) {
  const TensorType &a = operandType(op, 0), &b = operandType(op, 1);
  if (a != b)
    return error = "operands must have the same shape, found " + a.shapeStr() + " and " +
                   b.shapeStr(),
           std::nullopt;
  return a;
}

} // namespace

void registerAddOp() {
  OpDef def;
  def.name = "add";
  def.summary = "elementwise a + b (same shapes)";
  def.operands = {{"lhs", false, false}, {"rhs", false, false}};
  def.isElementwise = true;
  def.inferType = inferAdd;
  def.reference = [](const Op &, const std::vector<const Tensor *> &in, Tensor &out) {
    for (size_t i = 0; i < out.data.size(); ++i)
      out.data[i] = in[0]->data[i] + in[1]->data[i];
  };
  def.lower = [](LowerContext &ctx, const Op &) {
    std::vector<Halide::Var> vars = halideVars(ctx.operands[0].dimensions());
    Halide::Func out("add");
    out(vars) = ctx.operands[0](vars) + ctx.operands[1](vars);
    if (ctx.schedule)
      scheduleSimpleLoopNest(out, vars, halideExtents(ctx.resultType), ctx);
    return out;
  };
  OpRegistry::get().add(std::move(def));
}

} // namespace netc
