// pad(pads, value): constant padding, ONNX Pad (mode "constant"). `pads` lists
// the begin padding of every dim, then the end padding of every dim:
// [x1_begin, x2_begin, ..., x1_end, x2_end, ...]. Negative pads crop, as in ONNX.
// The symbolic batch dim cannot be padded.
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/AxisUtils.h"
#include "compiler/ops/OpHelpers.h"

namespace netc {
namespace {

std::optional<TensorType> inferPad(const Op &op, std::string &error) {
  const TensorType &in = operandType(op, 0);
  const std::vector<int64_t> &pads = op.attrs().getInts("pads");
  const std::string padsText = "pads=" + op.attrs().find("pads")->str();
  size_t rank = in.rank();
  if (pads.size() != 2 * rank)
    return error = padsText + " must have 2 × rank = " + std::to_string(2 * rank) +
                   " entries (begins, then ends) for input " + in.shapeStr(),
           std::nullopt;
  TensorType result = in;
  for (size_t d = 0; d < rank; ++d) {
    int64_t begin = pads[d], end = pads[rank + d];
    if (!in.dim(d).isStatic()) {
      if (begin || end)
        return error = padsText + " pads the symbolic batch dim of input " + in.shapeStr(),
               std::nullopt;
      continue;
    }
    int64_t size = 0;
    if (__builtin_add_overflow(in.dim(d).size, begin, &size) ||
        __builtin_add_overflow(size, end, &size))
      return error = padsText + " makes dim " + std::to_string(d) + " of input " +
                     in.shapeStr() + " overflow 64 bits",
             std::nullopt;
    if (size <= 0)
      return error = padsText + " crops dim " + std::to_string(d) + " of input " +
                     in.shapeStr() + " to nothing",
             std::nullopt;
    result.dims[d] = Dim::of(size);
  }
  return result;
}

void referencePad(const Op &op, const std::vector<const Tensor *> &in, Tensor &out) {
  const Tensor &x = *in[0];
  const std::vector<int64_t> &pads = op.attrs().getInts("pads");
  float value = (float)op.attrs().getFloat("value");
  size_t rank = x.rank();
  std::vector<int64_t> inStrides = rowMajorStrides(x.shape);
  std::vector<int64_t> coord(rank, 0);
  for (int64_t i = 0; i < out.numElements(); ++i) {
    int64_t source = 0;
    bool inside = true;
    for (size_t d = 0; d < rank; ++d) {
      int64_t c = coord[d] - pads[d];
      inside = inside && c >= 0 && c < x.shape[d];
      source += c * inStrides[d];
    }
    out.data[i] = inside ? x.data[source] : value;
    for (size_t d = rank; d-- > 0;) { // next output coordinate, row-major
      if (++coord[d] < out.shape[d])
        break;
      coord[d] = 0;
    }
  }
}

Halide::Func lowerPad(LowerContext &ctx, const Op &op) {
  using namespace Halide;
  const std::vector<int64_t> &pads = op.attrs().getInts("pads");
  const TensorType &in = ctx.operandTypes[0];
  size_t rank = in.rank();
  std::vector<Var> vars = halideVars(rank);
  // Only dims that grow need a border; Halide's boundary condition marks the
  // interior `likely`, so the steady-state loop has no per-element select.
  Region bounds(rank);
  std::vector<Expr> args(rank);
  for (size_t d = 0; d < rank; ++d) {
    int h = halideDim((int)d, rank);
    int64_t begin = pads[d], end = pads[rank + d];
    if (begin > 0 || end > 0)
      bounds[h] = Range(0, (int)in.dim(d).size);
    args[h] = vars[h] - (int)begin;
  }
  Func padded = BoundaryConditions::constant_exterior(
      ctx.operands[0], Expr((float)op.attrs().getFloat("value")), bounds);
  Func out("pad");
  out(vars) = padded(args);
  if (ctx.schedule)
    scheduleSimpleLoopNest(out, vars, halideExtents(ctx.resultType), ctx);
  return out;
}

} // namespace

void registerPadOp() {
  OpDef def;
  def.name = "pad";
  def.summary = "constant padding; pads = begins of every dim, then ends (ONNX order); "
                "negative pads crop";
  def.operands = {{"input", false, false}};
  def.attrs = {{"pads", AttrKind::IntList, std::nullopt, 0},
               {"value", AttrKind::Float, Attribute::ofFloat(0.0), 0}};
  def.inferType = inferPad;
  def.reference = referencePad;
  def.lower = lowerPad;
  OpRegistry::get().add(std::move(def));
}

} // namespace netc
