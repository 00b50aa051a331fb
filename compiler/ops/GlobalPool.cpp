// global_avgpool and global_maxpool: the mean or maximum over all spatial dims of
// each channel, [N, C, H, W] → [N, C, 1, 1] (ONNX GlobalAveragePool /
// GlobalMaxPool; PyTorch's AdaptiveAvgPool2d(1) / AdaptiveMaxPool2d(1)). Any rank
// of 3 or more works the same way: every dim after the channels becomes 1.
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/OpHelpers.h"

#include <algorithm>
#include <limits>

namespace netc {
namespace {

enum class GlobalPoolKind { Avg, Max };

std::optional<TensorType> inferGlobalPool(const Op &op, std::string &error) {
  const TensorType &in = operandType(op, 0);
  if (in.rank() < 3)
    return error = "input must have spatial dims (N,C,H,W or rank 3 or more), found " +
                   in.shapeStr(),
           std::nullopt;
  TensorType result = in;
  for (size_t d = 2; d < in.rank(); ++d)
    result.dims[d] = Dim::of(1);
  return result;
}

template <GlobalPoolKind kind>
void referenceGlobalPool(const Op &, const std::vector<const Tensor *> &in, Tensor &out) {
  const Tensor &x = *in[0];
  int64_t planes = x.shape[0] * x.shape[1], area = 1;
  for (size_t d = 2; d < x.rank(); ++d)
    area *= x.shape[d];
  for (int64_t p = 0; p < planes; ++p) {
    double acc = kind == GlobalPoolKind::Max ? -std::numeric_limits<double>::infinity() : 0.0;
    for (int64_t i = 0; i < area; ++i) {
      double v = x.data[p * area + i];
      acc = kind == GlobalPoolKind::Max ? std::max(acc, v) : acc + v;
    }
    out.data[p] = (float)(kind == GlobalPoolKind::Avg ? acc / (double)area : acc);
  }
}

template <GlobalPoolKind kind>
Halide::Func lowerGlobalPool(LowerContext &ctx, const Op &) {
  using namespace Halide;
  const TensorType &in = ctx.operandTypes[0];
  size_t rank = in.rank();
  std::vector<Var> vars = halideVars(rank);
  Var c = vars[rank - 2], n = vars[rank - 1];
  Region spatial;
  int64_t area = 1;
  for (size_t d = rank; d-- > 2;) { // Halide order: innermost spatial dim first
    spatial.push_back(Range(0, (int)in.dim(d).size));
    area *= in.dim(d).size;
  }
  RDom r(spatial, "r");
  std::vector<Expr> args;
  for (int i = 0; i < r.dimensions(); ++i)
    args.push_back(r[i]);
  args.push_back(c);
  args.push_back(n);
  Expr value = ctx.operands[0](args);
  Func out(kind == GlobalPoolKind::Avg ? "global_avgpool" : "global_maxpool");
  out(vars) = kind == GlobalPoolKind::Avg ? sum(value) * (1.0f / (float)area) : maximum(value);
  if (!ctx.schedule)
    return out;

  // The output has one value per channel, so vectorize across channels (each lane
  // reduces its own channel's plane) and parallelize over channel blocks × batch.
  const int vw = ctx.vectorWidth();
  const int channels = (int)in.dim(1).size;
  std::vector<VarOrRVar> order;
  Var tasks("tasks");
  if (channels >= vw) {
    Var co("co"), ci("ci");
    out.split(c, co, ci, vw, TailStrategy::ShiftInwards);
    order.push_back(ci);
    for (size_t d = 0; d + 2 < rank; ++d)
      order.push_back(vars[d]);
    order.push_back(co);
    order.push_back(n);
    out.reorder(order).vectorize(ci).fuse(co, n, tasks).parallel(tasks);
  } else {
    out.fuse(c, n, tasks).parallel(tasks);
  }
  return out;
}

template <GlobalPoolKind kind>
void registerGlobalPool(const char *name, const char *summary) {
  OpDef def;
  def.name = name;
  def.summary = summary;
  def.operands = {{"input", false, false}};
  def.inferType = inferGlobalPool;
  def.reference = referenceGlobalPool<kind>;
  def.lower = lowerGlobalPool<kind>;
  OpRegistry::get().add(std::move(def));
}

} // namespace

void registerGlobalPoolOps() {
  registerGlobalPool<GlobalPoolKind::Avg>(
      "global_avgpool", "mean over all spatial dims: [N, C, H, W] → [N, C, 1, 1]");
  registerGlobalPool<GlobalPoolKind::Max>(
      "global_maxpool", "maximum over all spatial dims: [N, C, H, W] → [N, C, 1, 1]");
}

} // namespace netc
