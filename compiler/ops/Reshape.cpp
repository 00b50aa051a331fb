// reshape(shape): the same elements in row-major order under a new shape, ONNX
// Reshape (allowzero=0): a 0 keeps the input's dim at that index, a -1 is
// inferred from the element count (at most one). With a symbolic batch the
// result keeps it as dim 0: the shape must start with 0 (or -1, inferred as the
// batch). A view: code generation aliases the input's memory.
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/AxisUtils.h"
#include "compiler/ops/OpHelpers.h"

namespace netc {
namespace {

std::optional<TensorType> inferReshape(const Op &op, std::string &error) {
  const TensorType &in = operandType(op, 0);
  const std::vector<int64_t> &shape = op.attrs().getInts("shape");
  const std::string target = "shape=" + op.attrs().find("shape")->str();
  if (shape.empty())
    return error = "shape must have at least one dim", std::nullopt;
  bool symbolic = hasSymbolicBatch(in);
  if (symbolic && shape[0] != 0 && shape[0] != -1)
    return error = "input " + in.shapeStr() + " has a symbolic batch dim, which " + target +
                   " must keep: start the shape with 0",
           std::nullopt;

  // Resolve the 0s and find the -1; the batch dim of a symbolic input counts as
  // one "item" so the sizes compare per batch item.
  std::vector<Dim> dims;
  int inferred = -1;
  int64_t known = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    int64_t size = shape[i];
    if (size == -1) {
      if (inferred >= 0)
        return error = target + " has more than one -1", std::nullopt;
      inferred = (int)i;
      dims.push_back(Dim::of(-1));
      continue;
    }
    if (size < -1)
      return error = target + " has the invalid size " + std::to_string(size), std::nullopt;
    if (size == 0) {
      if (i >= in.rank())
        return error = target + " has a 0 (keep the dim) at index " + std::to_string(i) +
                       ", beyond the rank of input " + in.shapeStr(),
               std::nullopt;
      dims.push_back(in.dim(i));
    } else {
      dims.push_back(Dim::of(size));
    }
    if (!(symbolic && i == 0) && __builtin_mul_overflow(known, dims.back().size, &known))
      return error = "cannot reshape input " + in.shapeStr() + " to " + target +
                     ": more than 2^63 elements" + (symbolic ? " per batch item" : ""),
             std::nullopt;
  }
  int64_t total = symbolic ? in.elementsPerBatchItem() : in.numElements(1);
  if (symbolic && inferred == 0) {
    dims[0] = in.dim(0);
    inferred = -1;
  }
  if (inferred >= 0) {
    if (known == 0 || total % known != 0)
      return error = "cannot reshape input " + in.shapeStr() + " to " + target + ": " +
                     std::to_string(total) + (symbolic ? " elements per batch item" : " elements") +
                     " are not a multiple of " + std::to_string(known),
             std::nullopt;
    dims[inferred] = Dim::of(total / known);
    known = total;
  }
  if (known != total) {
    TensorType wanted(in.dtype, dims);
    return error = "cannot reshape input " + in.shapeStr() + " to " + wanted.shapeStr() + " (" +
                   target + "): " + std::to_string(total) + " elements" +
                   (symbolic ? " per batch item" : "") + " vs " + std::to_string(known),
           std::nullopt;
  }
  return TensorType(in.dtype, dims);
}

Halide::Func lowerReshape(LowerContext &ctx, const Op &) {
  using namespace Halide;
  const TensorType &in = ctx.operandTypes[0], &result = ctx.resultType;
  std::vector<Var> vars = halideVars(result.rank());
  std::vector<int64_t> inExtents = halideExtents(in), outExtents = halideExtents(result);
  std::vector<Expr> args(in.rank());

  // Trailing dims that agree map straight through, which keeps the innermost
  // loop a dense copy; only the rest needs index arithmetic. A symbolic batch dim
  // maps straight through as well.
  size_t same = 0;
  while (same < in.rank() && same < result.rank() && inExtents[same] >= 0 &&
         inExtents[same] == outExtents[same])
    ++same;
  bool symbolic = hasSymbolicBatch(in);
  size_t outFlatDims = result.rank() - (symbolic ? 1 : 0);
  size_t inFlatDims = in.rank() - (symbolic ? 1 : 0);
  same = std::min({same, outFlatDims, inFlatDims});
  for (size_t d = 0; d < same; ++d)
    args[d] = vars[d];
  if (symbolic)
    args[in.rank() - 1] = vars[result.rank() - 1];

  // Row-major index of the remaining output coordinates, unflattened over the
  // remaining input dims.
  if (same < inFlatDims) {
    Expr flat = 0;
    for (size_t d = outFlatDims; d-- > same;)
      flat = flat * (int)outExtents[d] + vars[d];
    for (size_t d = same; d < inFlatDims; ++d) {
      bool outermost = d + 1 == inFlatDims;
      args[d] = outermost ? flat : flat % (int)inExtents[d];
      flat = flat / (int)inExtents[d];
    }
  }
  Func out("reshape");
  out(vars) = ctx.operands[0](args);
  if (ctx.schedule)
    scheduleSimpleLoopNest(out, vars, outExtents, ctx);
  return out;
}

} // namespace

void registerReshapeOp() {
  OpDef def;
  def.name = "reshape";
  def.summary = "same elements, new shape (0 keeps a dim, -1 infers one; a symbolic batch "
                "dim must be kept with a leading 0)";
  def.operands = {{"input", false, false}};
  def.attrs = {{"shape", AttrKind::IntList, std::nullopt, 0}};
  def.isView = true;
  def.inferType = inferReshape;
  def.reference = [](const Op &, const std::vector<const Tensor *> &in, Tensor &out) {
    out.data = in[0]->data;
  };
  def.lower = lowerReshape;
  OpRegistry::get().add(std::move(def));
}

} // namespace netc
