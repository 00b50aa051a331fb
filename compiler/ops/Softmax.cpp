// softmax along one axis (default: the last), computed stably as
// exp(x - max) / sum(exp(x - max)).
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/OpHelpers.h"

#include <cmath>

namespace netc {
namespace {

int normalizedAxis(const Op &op, size_t rank) {
  int64_t axis = op.attrs().getInt("axis");
  return (int)(axis < 0 ? axis + (int64_t)rank : axis);
}

std::optional<TensorType> inferSoftmax(const Op &op, std::string &error) {
  const TensorType &in = operandType(op, 0);
  int64_t axis = op.attrs().getInt("axis");
  if (axis < -(int64_t)in.rank() || axis >= (int64_t)in.rank())
    return error = "axis " + std::to_string(axis) + " is out of range for input " +
                   in.shapeStr(),
           std::nullopt;
  if (!in.dim(normalizedAxis(op, in.rank())).isStatic())
    return error = "softmax over the symbolic batch dim is not supported", std::nullopt;
  return in;
}

void referenceSoftmax(const Op &op, const std::vector<const Tensor *> &in, Tensor &out) {
  const Tensor &x = *in[0];
  int axis = normalizedAxis(op, x.rank());
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
        out.data[at(k)] = (float)(std::exp(x.data[at(k)] - mx) / total);
    }
}

Halide::Func lowerSoftmax(LowerContext &ctx, const Op &op) {
  using namespace Halide;
  const TensorType &in = ctx.operandTypes[0];
  size_t rank = in.rank();
  int axisDim = halideDim(normalizedAxis(op, rank), rank);
  std::vector<Var> vars = halideVars(rank);
  RDom r(0, (int)in.dim(rank - 1 - axisDim).size, "r");
  auto along = [&](Expr k) {
    std::vector<Expr> args = asExprs(vars);
    args[axisDim] = k;
    return args;
  };
  // The reductions are indexed by every var but the axis.
  std::vector<Var> others;
  for (size_t d = 0; d < rank; ++d)
    if ((int)d != axisDim)
      others.push_back(vars[d]);
  std::vector<Expr> otherArgs = asExprs(others);
  Func input = ctx.operands[0];
  Func mx("softmax_max"), total("softmax_sum"), out("softmax");
  mx(others) = maximum(input(along(r)));
  std::vector<Expr> mxAt = otherArgs;
  total(others) = sum(exp(input(along(r)) - mx(mxAt)));
  out(vars) = exp(input(asExprs(vars)) - mx(otherArgs)) / total(otherArgs);
  if (ctx.schedule) {
    if (rank == 1) {
      mx.compute_root();
      total.compute_root();
    } else {
      // Parallel over the outermost dim that is not the axis; the row statistics
      // are computed per iteration of it.
      Var outer = axisDim == (int)rank - 1 ? vars[rank - 2] : vars[rank - 1];
      out.parallel(outer);
      mx.compute_at(out, outer);
      total.compute_at(out, outer);
    }
    if (axisDim == 0)
      out.vectorize(vars[0], ctx.vectorWidth(), TailStrategy::GuardWithIf);
  }
  return out;
}

} // namespace

void registerSoftmaxOp() {
  OpDef def;
  def.name = "softmax";
  def.summary = "softmax along an axis (default: last)";
  def.operands = {{"input", false, false}};
  def.attrs = {{"axis", AttrKind::Int, Attribute::ofInt(-1), 0}};
  def.inferType = inferSoftmax;
  def.reference = referenceSoftmax;
  def.lower = lowerSoftmax;
  OpRegistry::get().add(std::move(def));
}

} // namespace netc
