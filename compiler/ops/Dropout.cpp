// dropout(p): identity at inference (PyTorch scales the kept activations during
// training instead, so nothing remains to undo here). A view: code generation
// aliases the input's memory, and only copies when the result is a graph output.
// `p` is kept so a model reads and prints back as written.
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/OpHelpers.h"

namespace netc {
namespace {

std::optional<TensorType> inferDropout(const Op &op, std::string &error) {
  double p = op.attrs().getFloat("p");
  if (!(p >= 0 && p < 1))
    return error = "p must be in [0, 1), found " + op.attrs().find("p")->str(), std::nullopt;
  return operandType(op, 0);
}

Halide::Func lowerDropout(LowerContext &ctx, const Op &) {
  std::vector<Halide::Var> vars = halideVars(ctx.operands[0].dimensions());
  Halide::Func out("dropout");
  out(vars) = ctx.operands[0](vars);
  if (ctx.schedule)
    scheduleSimpleLoopNest(out, vars, halideExtents(ctx.resultType), ctx);
  return out;
}

} // namespace

void registerDropoutOp() {
  OpDef def;
  def.name = "dropout";
  def.summary = "identity at inference (p is the training-time drop probability)";
  def.operands = {{"input", false, false}};
  def.attrs = {{"p", AttrKind::Float, Attribute::ofFloat(0.5), 0}};
  def.isView = true;
  // Same shape in and out: a copy kernel for it (when it is an output) sees flat arrays.
  def.isElementwise = true;
  def.inferType = inferDropout;
  def.reference = [](const Op &, const std::vector<const Tensor *> &in, Tensor &out) {
    out.data = in[0]->data;
  };
  def.lower = lowerDropout;
  OpRegistry::get().add(std::move(def));
}

} // namespace netc
