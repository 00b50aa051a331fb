// reduce_mean and reduce_max: the mean or maximum over a set of axes (ONNX
// ReduceMean / ReduceMax, torch.mean / torch.amax), spelled `mean` and `max` in
// the DSL. keepdims (default true) leaves the reduced dims as size 1; otherwise
// they are dropped. The symbolic batch dim cannot be reduced.
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/AxisUtils.h"
#include "compiler/ops/OpHelpers.h"

#include <algorithm>
#include <limits>

namespace netc {
namespace {

enum class ReduceKind { Mean, Max };

/// Which row-major dims of `type` the op reduces; nullopt with `error` when the
/// axes are invalid.
std::optional<std::vector<bool>> reducedDims(const Op &op, const TensorType &type,
                                             std::string &error) {
  const std::vector<int64_t> &axes = op.attrs().getInts("axes");
  if (axes.empty())
    return error = "axes must name at least one dim", std::nullopt;
  std::vector<bool> reduced(type.rank(), false);
  for (int64_t axis : axes) {
    std::optional<int> d = normalizeAxis(axis, type, "axis", error);
    if (!d)
      return std::nullopt;
    if (reduced[*d])
      return error = "axes=" + op.attrs().find("axes")->str() + " names dim " +
                     std::to_string(*d) + " twice",
             std::nullopt;
    reduced[*d] = true;
  }
  return reduced;
}

std::optional<TensorType> inferReduce(const Op &op, std::string &error) {
  const TensorType &in = operandType(op, 0);
  std::optional<std::vector<bool>> reduced = reducedDims(op, in, error);
  if (!reduced)
    return std::nullopt;
  bool keepDims = op.attrs().getBool("keepdims");
  std::vector<Dim> dims;
  for (size_t d = 0; d < in.rank(); ++d) {
    if (!(*reduced)[d]) {
      dims.push_back(in.dim(d));
      continue;
    }
    if (!in.dim(d).isStatic())
      return error = "cannot reduce the symbolic batch dim of input " + in.shapeStr(),
             std::nullopt;
    if (keepDims)
      dims.push_back(Dim::of(1));
  }
  if (dims.empty())
    return error = "reducing every dim of input " + in.shapeStr() +
                   " without keepdims leaves a scalar, which netc does not support; "
                   "use keepdims=true",
           std::nullopt;
  return TensorType(in.dtype, dims);
}

template <ReduceKind kind>
void referenceReduce(const Op &op, const std::vector<const Tensor *> &in, Tensor &out) {
  const Tensor &x = *in[0];
  std::string error;
  TensorType type(DType::F32, {});
  for (int64_t size : x.shape)
    type.dims.push_back(Dim::of(size));
  std::vector<bool> reduced = *reducedDims(op, type, error);
  // The output index of an input element: its coordinates with the reduced dims
  // dropped, in row-major order (keepdims only inserts size-1 dims).
  std::vector<int64_t> keptStrides(x.rank(), 0);
  int64_t stride = 1, count = 1;
  for (size_t d = x.rank(); d-- > 0;) {
    if (reduced[d]) {
      count *= x.shape[d];
    } else {
      keptStrides[d] = stride;
      stride *= x.shape[d];
    }
  }
  std::vector<double> acc(out.numElements(), kind == ReduceKind::Max
                                                  ? -std::numeric_limits<double>::infinity()
                                                  : 0.0);
  std::vector<int64_t> coord(x.rank(), 0);
  for (int64_t i = 0; i < x.numElements(); ++i) {
    int64_t o = 0;
    for (size_t d = 0; d < x.rank(); ++d)
      o += coord[d] * keptStrides[d];
    acc[o] = kind == ReduceKind::Max ? std::max(acc[o], (double)x.data[i]) : acc[o] + x.data[i];
    for (size_t d = x.rank(); d-- > 0;) { // next input coordinate, row-major
      if (++coord[d] < x.shape[d])
        break;
      coord[d] = 0;
    }
  }
  for (int64_t o = 0; o < out.numElements(); ++o)
    out.data[o] = (float)(kind == ReduceKind::Mean ? acc[o] / (double)count : acc[o]);
}

template <ReduceKind kind>
Halide::Expr combine(Halide::Expr a, Halide::Expr b) {
  return kind == ReduceKind::Max ? Halide::max(a, b) : a + b;
}

template <ReduceKind kind>
Halide::Expr reduceInline(Halide::Expr e) {
  return kind == ReduceKind::Max ? Halide::maximum(e) : Halide::sum(e);
}

template <ReduceKind kind>
Halide::Func lowerReduce(LowerContext &ctx, const Op &op) {
  using namespace Halide;
  const TensorType &in = ctx.operandTypes[0];
  size_t rank = in.rank();
  std::string error;
  std::vector<bool> reducedRowMajor = *reducedDims(op, in, error);
  bool keepDims = op.attrs().getBool("keepdims");
  std::vector<int64_t> inExtents = halideExtents(in);

  // Per input Halide dim: reduced or not, and for a kept dim the output var that
  // indexes it.
  std::vector<bool> reduced(rank);
  std::vector<Var> outVars = halideVars(ctx.resultType.rank());
  std::vector<Var> keptVars(rank);
  std::vector<Var> kept;
  int64_t count = 1;
  for (size_t h = 0, o = 0; h < rank; ++h) {
    reduced[h] = reducedRowMajor[rank - 1 - h];
    if (reduced[h]) {
      count *= inExtents[h];
      if (keepDims)
        ++o;
    } else {
      keptVars[h] = outVars[o++];
      kept.push_back(keptVars[h]);
    }
  }
  // The input read at `reducedCoords` (one per reduced Halide dim, innermost
  // first) and the kept output vars.
  auto read = [&](const std::vector<Expr> &reducedCoords) {
    std::vector<Expr> args;
    size_t next = 0;
    for (size_t h = 0; h < rank; ++h)
      args.push_back(reduced[h] ? reducedCoords[next++] : Expr(keptVars[h]));
    return ctx.operands[0](args);
  };
  auto domain = [&](int64_t innerBegin, int64_t innerEnd, const std::string &name) {
    Region region;
    for (size_t h = 0; h < rank; ++h)
      if (reduced[h])
        region.push_back(region.empty() && reduced[0]
                             ? Range((int)innerBegin, (int)(innerEnd - innerBegin))
                             : Range(0, (int)inExtents[h]));
    return RDom(region, name);
  };
  auto coords = [](const RDom &r) {
    std::vector<Expr> c;
    for (int i = 0; i < r.dimensions(); ++i)
      c.push_back(r[i]);
    return c;
  };

  const int vw = ctx.vectorWidth();
  const int64_t innerExtent = reduced[0] ? inExtents[0] : 0;
  Func out(kind == ReduceKind::Mean ? "reduce_mean" : "reduce_max");
  Expr total;
  Func partial("reduce_partial");
  Var lane("lane");
  RDom chunked; // the vectorized reduction's domain: whole vectors, then other dims
  bool vectorizedReduction = reduced[0] && innerExtent >= vw;
  if (!vectorizedReduction) {
    RDom r = domain(0, innerExtent, "r");
    total = reduceInline<kind>(read(coords(r)));
  } else {
    // The innermost (contiguous) dim is reduced: keep `vw` partial results, one per
    // lane of a vector walking along it, combine them at the end, and finish the
    // elements beyond the last whole vector separately.
    const int64_t chunks = innerExtent / vw, vectorEnd = chunks * vw;
    chunked = domain(0, chunks, "r");
    std::vector<Expr> c = coords(chunked);
    c[0] = c[0] * vw + lane;
    std::vector<Var> partialArgs = {lane};
    partialArgs.insert(partialArgs.end(), kept.begin(), kept.end());
    partial(partialArgs) = kind == ReduceKind::Max ? Float(32).min() : Expr(0.0f);
    partial(partialArgs) = combine<kind>(partial(partialArgs), read(c));
    RDom lanes(0, vw, "lanes");
    std::vector<Expr> laneArgs = {lanes};
    laneArgs.insert(laneArgs.end(), kept.begin(), kept.end());
    total = reduceInline<kind>(partial(laneArgs));
    if (vectorEnd < innerExtent) {
      RDom tail = domain(vectorEnd, innerExtent, "tail");
      total = combine<kind>(total, reduceInline<kind>(read(coords(tail))));
    }
  }
  out(outVars) = kind == ReduceKind::Mean ? total * (1.0f / (float)count) : total;
  if (!ctx.schedule)
    return out;

  if (!vectorizedReduction) {
    // The reduction runs inside each output element; vectorizing the output's
    // innermost dim makes those loads dense when the innermost dim is kept.
    scheduleSimpleLoopNest(out, outVars, halideExtents(ctx.resultType), ctx);
    return out;
  }
  // One output element per iteration of a parallel loop over all of them, each
  // reducing its contiguous rows with vector accumulators.
  Var fused = outVars[0];
  for (size_t h = 1; h < outVars.size(); ++h) {
    Var next(fused.name() + "_" + outVars[h].name());
    out.fuse(fused, outVars[h], next);
    fused = next;
  }
  out.parallel(fused);
  partial.compute_at(out, fused).vectorize(lane);
  std::vector<VarOrRVar> laneInnermost = {lane};
  for (int i = 0; i < chunked.dimensions(); ++i)
    laneInnermost.push_back(chunked[i]);
  partial.update().reorder(laneInnermost).vectorize(lane);
  return out;
}

template <ReduceKind kind>
void registerReduce(const char *name, const char *dslName, const char *summary) {
  OpDef def;
  def.name = name;
  def.dslNames = {name, dslName};
  def.summary = summary;
  def.operands = {{"input", false, false}};
  def.attrs = {{"axes", AttrKind::IntList, std::nullopt, 0},
               {"keepdims", AttrKind::Bool, Attribute::ofBool(true), 0}};
  def.inferType = inferReduce;
  def.reference = referenceReduce<kind>;
  def.lower = lowerReduce<kind>;
  OpRegistry::get().add(std::move(def));
}

} // namespace

void registerReduceOps() {
  registerReduce<ReduceKind::Mean>("reduce_mean", "mean", "mean over axes (keepdims=true)");
  registerReduce<ReduceKind::Max>("reduce_max", "max", "maximum over axes (keepdims=true)");
}

} // namespace netc
