// lrn: local response normalization across channels (AlexNet), PyTorch's
// LocalResponseNorm and ONNX LRN:
//   b[c] = a[c] / (k + alpha / size * sum of a[c']² for c' in the window)^beta
// where the window is [c - size/2, c + (size-1)/2] clipped to the channels.
// Channels are dim 1 of an input of rank 3 or more (NCHW).
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/OpHelpers.h"

#include <algorithm>
#include <cmath>

namespace netc {
namespace {

struct LrnParams {
  int64_t size;
  double alpha, beta, k;
  explicit LrnParams(const AttrMap &a)
      : size(a.getInt("size")), alpha(a.getFloat("alpha")), beta(a.getFloat("beta")),
        k(a.getFloat("k")) {}
};

std::optional<TensorType> inferLrn(const Op &op, std::string &error) {
  const TensorType &in = operandType(op, 0);
  if (in.rank() < 3)
    return error = "input must have rank 3 or more (N,C,...; channels at dim 1), found " +
                   in.shapeStr(),
           std::nullopt;
  if (op.attrs().getInt("size") <= 0)
    return error = "size must be positive, found " + op.attrs().find("size")->str(),
           std::nullopt;
  return in;
}

void referenceLrn(const Op &op, const std::vector<const Tensor *> &in, Tensor &out) {
  const Tensor &x = *in[0];
  LrnParams p(op.attrs());
  int64_t batch = x.shape[0], channels = x.shape[1], inner = 1;
  for (size_t d = 2; d < x.rank(); ++d)
    inner *= x.shape[d];
  auto at = [&](int64_t n, int64_t c, int64_t i) { return (n * channels + c) * inner + i; };
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t first = std::max<int64_t>(0, c - p.size / 2);
        int64_t last = std::min<int64_t>(channels - 1, c + (p.size - 1) / 2);
        double sumSquares = 0;
        for (int64_t w = first; w <= last; ++w)
          sumSquares += (double)x.data[at(n, w, i)] * x.data[at(n, w, i)];
        double divisor = std::pow(p.k + p.alpha / (double)p.size * sumSquares, p.beta);
        out.data[at(n, c, i)] = (float)(x.data[at(n, c, i)] / divisor);
      }
}

Halide::Func lowerLrn(LowerContext &ctx, const Op &op) {
  using namespace Halide;
  LrnParams p(op.attrs());
  const TensorType &in = ctx.operandTypes[0];
  size_t rank = in.rank();
  const int channels = (int)in.dim(1).size, channelDim = halideDim(1, rank);
  std::vector<Var> vars = halideVars(rank);
  Var c = vars[channelDim];
  Func input = ctx.operands[0];

  // Taps outside the channels contribute zero (PyTorch pads the squares with
  // zeros). The clamp keeps every load in bounds; the select drops those taps.
  RDom r(0, (int)p.size, "r");
  Expr tap = c - (int)(p.size / 2) + r;
  std::vector<Expr> tapArgs = asExprs(vars);
  tapArgs[channelDim] = clamp(tap, 0, channels - 1);
  Expr tapValue = input(tapArgs);
  Func sumSquares("lrn_sum_squares");
  sumSquares(vars) = sum(select(tap >= 0 && tap < channels, tapValue * tapValue, 0.0f));

  Expr base = (float)p.k + (float)(p.alpha / (double)p.size) * sumSquares(vars);
  Func out("lrn");
  out(vars) = input(asExprs(vars)) / pow(base, (float)p.beta);
  if (ctx.schedule)
    scheduleSimpleLoopNest(out, vars, halideExtents(ctx.resultType), ctx);
  return out;
}

} // namespace

void registerLrnOp() {
  OpDef def;
  def.name = "lrn";
  def.summary = "local response normalization across channels (dim 1): "
                "a / (k + alpha/size * window sum of a²)^beta";
  def.operands = {{"input", false, false}};
  def.attrs = {{"size", AttrKind::Int, Attribute::ofInt(5), 0},
               {"alpha", AttrKind::Float, Attribute::ofFloat(1e-4), 0},
               {"beta", AttrKind::Float, Attribute::ofFloat(0.75), 0},
               {"k", AttrKind::Float, Attribute::ofFloat(1.0), 0}};
  def.inferType = inferLrn;
  def.reference = referenceLrn;
  def.lower = lowerLrn;
  OpRegistry::get().add(std::move(def));
}

} // namespace netc
