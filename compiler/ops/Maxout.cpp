// maxout(k): over an input [N, C*k, ...], the maximum of each group of k
// consecutive channels → [N, C, ...] (Goodfellow et al., 2013). A maxout layer of
// `units` units, max(w1ᵀx + b1, ..., wkᵀx + bk), is `dense(x, k*units) |> maxout(k)`:
// the dense layer's outputs k*u .. k*u+k-1 are unit u's k affine pieces.
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/OpHelpers.h"

#include <algorithm>

namespace netc {
namespace {

std::optional<TensorType> inferMaxout(const Op &op, std::string &error) {
  const TensorType &in = operandType(op, 0);
  int64_t k = op.attrs().getInt("k");
  if (k <= 0)
    return error = "k must be positive, found " + std::to_string(k), std::nullopt;
  if (in.rank() < 2)
    return error = "input must have a channel dim (rank 2 or more, channels at dim 1), found " +
                   in.shapeStr(),
           std::nullopt;
  int64_t channels = in.dim(1).size;
  if (channels % k != 0)
    return error = "input " + in.shapeStr() + " has " + std::to_string(channels) +
                   " channels, not divisible into groups of k=" + std::to_string(k),
           std::nullopt;
  TensorType result = in;
  result.dims[1] = Dim::of(channels / k);
  return result;
}

void referenceMaxout(const Op &op, const std::vector<const Tensor *> &in, Tensor &out) {
  const Tensor &x = *in[0];
  int64_t k = op.attrs().getInt("k");
  int64_t batch = x.shape[0], units = out.shape[1], inner = 1;
  for (size_t d = 2; d < x.rank(); ++d)
    inner *= x.shape[d];
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t u = 0; u < units; ++u)
      for (int64_t i = 0; i < inner; ++i) {
        float best = x.data[((n * units + u) * k) * inner + i];
        for (int64_t j = 1; j < k; ++j)
          best = std::max(best, x.data[((n * units + u) * k + j) * inner + i]);
        out.data[(n * units + u) * inner + i] = best;
      }
}

Halide::Func lowerMaxout(LowerContext &ctx, const Op &op) {
  using namespace Halide;
  size_t rank = ctx.operandTypes[0].rank();
  int k = (int)op.attrs().getInt("k");
  int channelDim = halideDim(1, rank);
  std::vector<Var> vars = halideVars(rank);
  auto piece = [&](Expr j) {
    std::vector<Expr> args = asExprs(vars);
    args[channelDim] = vars[channelDim] * k + j;
    return ctx.operands[0](args);
  };
  // Groups are usually 2-4 wide: an unrolled chain of max keeps every piece in a
  // register. Wide groups use an inline reduction instead of a huge expression.
  const int maxUnrolled = 8;
  Expr best;
  if (k <= maxUnrolled) {
    best = piece(0);
    for (int j = 1; j < k; ++j)
      best = max(best, piece(j));
  } else {
    RDom r(0, k, "r");
    best = maximum(piece(r));
  }
  Func out("maxout");
  out(vars) = best;
  if (ctx.schedule)
    scheduleSimpleLoopNest(out, vars, halideExtents(ctx.resultType), ctx);
  return out;
}

} // namespace

void registerMaxoutOp() {
  OpDef def;
  def.name = "maxout";
  def.summary = "max over groups of k consecutive channels: [N, C*k, ...] → [N, C, ...]; "
                "a maxout layer is dense(x, k*units) |> maxout(k)";
  def.operands = {{"input", false, false}};
  def.attrs = {{"k", AttrKind::Int, std::nullopt, 0}};
  def.inferType = inferMaxout;
  def.reference = referenceMaxout;
  def.lower = lowerMaxout;
  OpRegistry::get().add(std::move(def));
}

} // namespace netc
