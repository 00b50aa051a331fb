// softmax and log_softmax along one axis (default: the last), both computed from
// the same two row statistics, stably:
//   softmax(x)     = exp(x - max) / sum(exp(x - max))
//   log_softmax(x) = x - (max + log(sum(exp(x - max))))
// (log_softmax is not log(softmax(x)), which underflows to -inf for logits far
// below the row maximum).
#include "compiler/lower/LowerContext.h"
#include "compiler/lower/VectorMath.h"
#include "compiler/ops/AxisUtils.h"
#include "compiler/ops/OpHelpers.h"

#include <cmath>

namespace netc {
namespace {

enum class Normalization { Softmax, LogSoftmax };

std::optional<TensorType> inferNormalizedExp(const Op &op, std::string &error) {
  const TensorType &in = operandType(op, 0);
  std::optional<int> axis = normalizeAxis(op.attrs().getInt("axis"), in, "axis", error);
  if (!axis)
    return std::nullopt;
  if (!in.dim(*axis).isStatic())
    return error = "axis " + std::to_string(*axis) + " is the symbolic batch dim of input " +
                   in.shapeStr() + "; the axis must have a static size",
           std::nullopt;
  return in;
}

int axisOf(const Op &op, size_t rank) {
  int64_t axis = op.attrs().getInt("axis");
  return (int)(axis < 0 ? axis + (int64_t)rank : axis);
}

void referenceNormalizedExp(Normalization kind, const Op &op, const Tensor &x, Tensor &out) {
  int axis = axisOf(op, x.rank());
  int64_t outer = 1, extent = x.shape[axis], inner = 1;
  for (int d = 0; d < axis; ++d)
    outer *= x.shape[d];
  for (size_t d = axis + 1; d < x.rank(); ++d)
    inner *= x.shape[d];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t k) { return (o * extent + k) * inner + i; };
      double mx = -INFINITY, total = 0;
      for (int64_t k = 0; k < extent; ++k)
        mx = std::max(mx, (double)x.data[at(k)]);
      for (int64_t k = 0; k < extent; ++k)
        total += std::exp(x.data[at(k)] - mx);
      for (int64_t k = 0; k < extent; ++k)
        out.data[at(k)] = kind == Normalization::Softmax
                              ? (float)(std::exp(x.data[at(k)] - mx) / total)
                              : (float)(x.data[at(k)] - (mx + std::log(total)));
    }
}

Halide::Func lowerNormalizedExp(Normalization kind, LowerContext &ctx, const Op &op) {
  using namespace Halide;
  const TensorType &in = ctx.operandTypes[0];
  size_t rank = in.rank();
  int axis = axisOf(op, rank);
  int axisDim = halideDim(axis, rank);
  std::vector<Var> vars = halideVars(rank);
  RDom r(0, (int)in.dim(axis).size, "r");
  auto along = [&](Expr k) {
    std::vector<Expr> args = asExprs(vars);
    args[axisDim] = k;
    return args;
  };
  // The row statistics are indexed by every var but the axis.
  std::vector<Var> others;
  for (size_t d = 0; d < rank; ++d)
    if ((int)d != axisDim)
      others.push_back(vars[d]);
  std::vector<Expr> otherArgs = asExprs(others);
  const std::string name = kind == Normalization::Softmax ? "softmax" : "log_softmax";
  Func input = ctx.operands[0];
  Func mx(name + "_max"), total(name + "_sum"), out(name);
  mx(others) = maximum(input(along(r)));
  total(others) = sum(vectorExp(input(along(r)) - mx(otherArgs)));
  Expr x = input(asExprs(vars));
  out(vars) = kind == Normalization::Softmax
                  ? vectorExp(x - mx(otherArgs)) / total(otherArgs)
                  : x - (mx(otherArgs) + log(total(otherArgs)));
  if (!ctx.schedule) {
    if (ctx.rowStatisticsPerRow && !ctx.autoscheduled && rank > 1) {
      Var row = others.back();
      mx.compute_at(out, row);
      total.compute_at(out, row);
    }
    return out;
  }
  if (rank == 1) {
    mx.compute_root();
    total.compute_root();
  } else {
    // Parallel over the outermost dim that is not the axis; the row statistics of
    // one iteration are computed inside it.
    Var outer = axisDim == (int)rank - 1 ? vars[rank - 2] : vars[rank - 1];
    out.parallel(outer);
    mx.compute_at(out, outer);
    total.compute_at(out, outer);
    if (axisDim != 0 && in.dim(rank - 1).size >= ctx.vectorWidth()) {
      // The innermost dim is not the axis: statistics of neighbouring rows are
      // independent, so vectorize them along it too.
      mx.vectorize(others[0], ctx.vectorWidth(), TailStrategy::GuardWithIf);
      total.vectorize(others[0], ctx.vectorWidth(), TailStrategy::GuardWithIf);
    }
  }
  out.vectorize(vars[0], ctx.vectorWidth(), TailStrategy::GuardWithIf);
  return out;
}

void registerNormalizedExp(Normalization kind) {
  OpDef def;
  def.name = kind == Normalization::Softmax ? "softmax" : "log_softmax";
  def.summary = kind == Normalization::Softmax
                    ? "softmax along an axis (default: last)"
                    : "log of softmax along an axis (default: last), computed stably";
  def.operands = {{"input", false, false}};
  def.attrs = {{"axis", AttrKind::Int, Attribute::ofInt(-1), 0}};
  def.inferType = inferNormalizedExp;
  def.reference = [kind](const Op &op, const std::vector<const Tensor *> &in, Tensor &out) {
    referenceNormalizedExp(kind, op, *in[0], out);
  };
  def.lower = [kind](LowerContext &ctx, const Op &op) {
    return lowerNormalizedExp(kind, ctx, op);
  };
  OpRegistry::get().add(std::move(def));
}

} // namespace

void registerSoftmaxOp() { registerNormalizedExp(Normalization::Softmax); }
void registerLogSoftmaxOp() { registerNormalizedExp(Normalization::LogSoftmax); }

} // namespace netc
