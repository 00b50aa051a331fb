// transpose(perm): result dim i is input dim perm[i] (ONNX Transpose,
// torch.permute). A symbolic batch dim must stay first (perm[0] = 0).
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/AxisUtils.h"
#include "compiler/ops/OpHelpers.h"

#include <algorithm>

namespace netc {
namespace {

std::optional<TensorType> inferTranspose(const Op &op, std::string &error) {
  const TensorType &in = operandType(op, 0);
  const std::vector<int64_t> &perm = op.attrs().getInts("perm");
  const std::string permText = "perm=" + op.attrs().find("perm")->str();
  if (perm.size() != in.rank())
    return error = permText + " must have one entry per dim of input " + in.shapeStr(),
           std::nullopt;
  std::vector<bool> seen(in.rank(), false);
  for (int64_t axis : perm) {
    if (axis < 0 || axis >= (int64_t)in.rank() || seen[axis])
      return error = permText + " is not a permutation of the dims 0.." +
                     std::to_string(in.rank() - 1) + " of input " + in.shapeStr(),
             std::nullopt;
    seen[axis] = true;
  }
  if (hasSymbolicBatch(in) && perm[0] != 0)
    return error = permText + " moves the symbolic batch dim of input " + in.shapeStr() +
                   "; it must stay first (perm[0] = 0)",
           std::nullopt;
  TensorType result = in;
  for (size_t i = 0; i < perm.size(); ++i)
    result.dims[i] = in.dim(perm[i]);
  return result;
}

void referenceTranspose(const Op &op, const std::vector<const Tensor *> &in, Tensor &out) {
  const Tensor &x = *in[0];
  const std::vector<int64_t> &perm = op.attrs().getInts("perm");
  std::vector<int64_t> inStrides = rowMajorStrides(x.shape);
  std::vector<int64_t> coord(out.rank(), 0);
  for (int64_t i = 0; i < out.numElements(); ++i) {
    int64_t source = 0;
    for (size_t d = 0; d < out.rank(); ++d)
      source += coord[d] * inStrides[perm[d]];
    out.data[i] = x.data[source];
    for (size_t d = out.rank(); d-- > 0;) { // next output coordinate, row-major
      if (++coord[d] < out.shape[d])
        break;
      coord[d] = 0;
    }
  }
}

Halide::Func lowerTranspose(LowerContext &ctx, const Op &op) {
  using namespace Halide;
  const std::vector<int64_t> &perm = op.attrs().getInts("perm");
  size_t rank = perm.size();
  std::vector<Var> vars = halideVars(rank);
  // Output dim i reads input dim perm[i]; both in Halide (reversed) order.
  std::vector<Expr> args(rank);
  for (size_t i = 0; i < rank; ++i)
    args[halideDim((int)perm[i], rank)] = vars[halideDim((int)i, rank)];
  Func out("transpose");
  out(vars) = ctx.operands[0](args);
  if (!ctx.schedule)
    return out;

  std::vector<int64_t> extents = halideExtents(ctx.resultType);
  // Which output (Halide) dim walks the input's contiguous dim.
  size_t inputInner = 0;
  while (perm[rank - 1 - inputInner] != (int64_t)rank - 1)
    ++inputInner;
  const int vw = ctx.vectorWidth();
  if (inputInner == 0 || extents[0] < vw || extents[inputInner] < vw) {
    // The contiguous dim stays innermost (a plain copy), or a block is too small
    // to be worth transposing in registers.
    scheduleSimpleLoopNest(out, vars, extents, ctx);
    return out;
  }
  // vw × vw blocks transposed in registers: the block of input is staged with
  // dense vector loads along the input's contiguous dim, and written out as
  // dense vectors along the output's; the staging buffer is small and fully
  // unrolled, so LLVM keeps it in registers and the strided reads between the
  // two become shuffles.
  Var xo("xo"), xi("xi"), bo("bo"), bi("bi");
  Var blockDim = vars[inputInner];
  out.tile(vars[0], blockDim, xo, bo, xi, bi, vw, vw, TailStrategy::ShiftInwards);
  std::vector<VarOrRVar> order = {xi, bi, xo, bo};
  std::vector<Var> outer = {bo};
  for (size_t d = 1; d < rank; ++d)
    if (d != inputInner) {
      order.push_back(vars[d]);
      outer.push_back(vars[d]);
    }
  out.reorder(order).vectorize(xi).unroll(bi);
  // The input dim the output's innermost dim walks, in the input's Halide order.
  int inputOfOutputInner = halideDim((int)perm[rank - 1], rank);
  Func staged = ctx.operands[0].in(out);
  std::vector<Var> stagedVars = staged.args();
  staged.compute_at(out, xo)
      .reorder(stagedVars[0], stagedVars[inputOfOutputInner])
      .vectorize(stagedVars[0])
      .unroll(stagedVars[inputOfOutputInner]);
  // Parallel over the block rows and every outer dim fused, so batch 1 uses
  // every core too.
  Var fused = outer[0];
  for (size_t d = 1; d < outer.size(); ++d) {
    Var next(fused.name() + "_" + outer[d].name());
    out.fuse(fused, outer[d], next);
    fused = next;
  }
  out.parallel(fused);
  return out;
}

} // namespace

void registerTransposeOp() {
  OpDef def;
  def.name = "transpose";
  def.summary = "permute dims: result dim i is input dim perm[i] (a symbolic batch stays first)";
  def.operands = {{"input", false, false}};
  def.attrs = {{"perm", AttrKind::IntList, std::nullopt, 0}};
  def.inferType = inferTranspose;
  def.reference = referenceTranspose;
  def.lower = lowerTranspose;
  OpRegistry::get().add(std::move(def));
}

} // namespace netc
