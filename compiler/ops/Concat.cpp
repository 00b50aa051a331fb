// concat: joins tensors along one axis (default 1, the channels), ONNX Concat /
// torch.cat. The registry has no variadic operands yet, so concat declares eight
// activation operands input0..input7, of which the first two are required and the
// present ones must form a prefix: at most 8 inputs per concat (chain concats for
// more).
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/AxisUtils.h"
#include "compiler/ops/OpHelpers.h"

#include <cstring>

namespace netc {
namespace {

constexpr size_t maxConcatInputs = 8;

/// The number of present inputs (they form a prefix of the operands).
size_t presentInputs(const Op &op) {
  size_t count = 0;
  while (count < maxConcatInputs && op.operand(count))
    ++count;
  return count;
}

std::optional<TensorType> inferConcat(const Op &op, std::string &error) {
  size_t count = presentInputs(op);
  for (size_t i = count; i < maxConcatInputs; ++i)
    if (op.operand(i))
      return error = "inputs must be given in order: input" + std::to_string(i) +
                     " is present but input" + std::to_string(count) + " is not",
             std::nullopt;
  if (count < 2)
    return error = "concat needs at least 2 inputs, found " + std::to_string(count),
           std::nullopt;
  const TensorType &first = operandType(op, 0);
  std::optional<int> axis = normalizeAxis(op.attrs().getInt("axis"), first, "axis", error);
  if (!axis)
    return std::nullopt;
  if (hasSymbolicBatch(first) && *axis == 0)
    return error = "cannot concat along the symbolic batch dim of " + first.shapeStr(),
           std::nullopt;
  TensorType result = first;
  for (size_t i = 1; i < count; ++i) {
    const TensorType &t = operandType(op, i);
    bool compatible = t.rank() == first.rank();
    for (size_t d = 0; compatible && d < t.rank(); ++d)
      compatible = (int)d == *axis || t.dim(d) == first.dim(d);
    if (!compatible) {
      std::string shapes;
      for (size_t j = 0; j < count; ++j)
        shapes += (j ? ", " : "") + operandType(op, j).shapeStr();
      return error = "inputs must have the same shape except along axis " +
                     std::to_string(*axis) + ", found " + shapes,
             std::nullopt;
    }
    result.dims[*axis].size += t.dim(*axis).size;
  }
  return result;
}

int concatAxis(const Op &op, size_t rank) {
  int64_t axis = op.attrs().getInt("axis");
  return (int)(axis < 0 ? axis + (int64_t)rank : axis);
}

void referenceConcat(const Op &op, const std::vector<const Tensor *> &in, Tensor &out) {
  int axis = concatAxis(op, out.rank());
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d)
    outer *= out.shape[d];
  for (size_t d = axis + 1; d < out.rank(); ++d)
    inner *= out.shape[d];
  // Each outer index holds, in order, a block of axis-extent × inner elements
  // from every input.
  int64_t offset = 0;
  for (const Tensor *t : in) {
    if (!t)
      break;
    int64_t block = t->shape[axis] * inner;
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(&out.data[o * out.shape[axis] * inner + offset], &t->data[o * block],
                  block * sizeof(float));
    offset += block;
  }
}

Halide::Func lowerConcat(LowerContext &ctx, const Op &op) {
  using namespace Halide;
  size_t rank = ctx.resultType.rank();
  int axisDim = halideDim(concatAxis(op, rank), rank);
  std::vector<Var> vars = halideVars(rank);
  // Each input is copied into its slab of the output by its own update, so every
  // store is a plain copy with no per-element choice of input.
  Func out("concat");
  out(vars) = undef<float>();
  std::vector<RDom> slabs;
  int offset = 0;
  for (size_t i = 0; i < maxConcatInputs && ctx.hasOperand(i); ++i) {
    int extent = (int)ctx.operandTypes[i].dim(rank - 1 - axisDim).size;
    RDom r(0, extent, "r" + std::to_string(i));
    std::vector<Expr> lhs = asExprs(vars), rhs = asExprs(vars);
    lhs[axisDim] = r + offset;
    rhs[axisDim] = r;
    out(lhs) = ctx.operands[i](rhs);
    slabs.push_back(r);
    offset += extent;
  }
  if (!ctx.schedule)
    return out;

  // Per update: vectorize the innermost dim (the slab's own index when concating
  // along it), then walk the slab's channels, and parallelize over the remaining
  // dims fused into one loop so batch 1 uses every core too.
  const int vw = ctx.vectorWidth();
  std::vector<int64_t> extents = halideExtents(ctx.resultType);
  for (size_t i = 0; i < slabs.size(); ++i) {
    Stage update = out.update((int)i);
    RVar slab = slabs[i].x;
    std::vector<VarOrRVar> order;
    if (axisDim == 0)
      order.push_back(slab);
    else
      order = {vars[0], slab};
    std::vector<Var> outer;
    for (size_t d = 1; d < rank; ++d)
      if ((int)d != axisDim)
        outer.push_back(vars[d]);
    order.insert(order.end(), outer.begin(), outer.end());
    update.reorder(order);
    int innerExtent = axisDim == 0 ? (int)ctx.operandTypes[i].dim(rank - 1).size
                                   : (int)extents[0];
    if (innerExtent >= vw) {
      if (axisDim == 0)
        update.vectorize(slab, vw, TailStrategy::GuardWithIf);
      else
        update.vectorize(vars[0], vw, TailStrategy::GuardWithIf);
    }
    if (!outer.empty()) {
      Var fused = outer[0];
      for (size_t d = 1; d < outer.size(); ++d) {
        Var next(fused.name() + "_" + outer[d].name());
        update.fuse(fused, outer[d], next);
        fused = next;
      }
      update.parallel(fused);
    }
  }
  return out;
}

} // namespace

void registerConcatOp() {
  OpDef def;
  def.name = "concat";
  def.summary = "join 2 to 8 inputs along an axis (default 1, channels); other dims must match";
  for (size_t i = 0; i < maxConcatInputs; ++i)
    def.operands.push_back({"input" + std::to_string(i), false, /*optional=*/i >= 2});
  def.attrs = {{"axis", AttrKind::Int, Attribute::ofInt(1), 0}};
  def.inferType = inferConcat;
  def.reference = referenceConcat;
  def.lower = lowerConcat;
  OpRegistry::get().add(std::move(def));
}

} // namespace netc
