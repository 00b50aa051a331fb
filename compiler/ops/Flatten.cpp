// flatten: [N, d1, d2, ...] → [N, d1*d2*...] (ONNX Flatten with axis=1). A view:
// the compiled code reuses the input's memory.
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/OpHelpers.h"

namespace netc {
namespace {

std::optional<TensorType> inferFlatten(const Op &op, std::string &error) {
  const TensorType &in = operandType(op, 0);
  if (in.rank() < 1)
    return error = "input must have at least one dim", std::nullopt;
  for (size_t i = 1; i < in.rank(); ++i)
    if (!in.dim(i).isStatic())
      return error = "input must have static dims after the first, found " + in.shapeStr(),
             std::nullopt;
  return TensorType(in.dtype, {in.dim(0), Dim::of(in.elementsPerBatchItem())});
}

Halide::Func lowerFlatten(LowerContext &ctx, const Op &) {
  using namespace Halide;
  const TensorType &in = ctx.operandTypes[0];
  Var i("i"), n("n");
  // Unflatten the feature index into the input's (innermost-first) coordinates.
  std::vector<Expr> coords;
  Expr rest = i;
  for (size_t d = in.rank(); d-- > 1;) {
    int extent = (int)in.dim(d).size;
    coords.push_back(d == 1 ? rest : rest % extent);
    rest = rest / extent;
  }
  coords.push_back(n);
  Func out("flatten");
  out(i, n) = ctx.operands[0](coords);
  if (ctx.schedule)
    scheduleSimpleLoopNest(out, {i, n}, halideExtents(ctx.resultType), ctx);
  return out;
}

} // namespace

void registerFlattenOp() {
  OpDef def;
  def.name = "flatten";
  def.summary = "[N, ...] → [N, product of the rest]";
  def.operands = {{"input", false, false}};
  def.isView = true;
  def.inferType = inferFlatten;
  def.reference = [](const Op &, const std::vector<const Tensor *> &in, Tensor &out) {
    out.data = in[0]->data;
  };
  def.lower = lowerFlatten;
  OpRegistry::get().add(std::move(def));
}

} // namespace netc
