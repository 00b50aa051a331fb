// add, sub, mul, div: elementwise arithmetic on two tensors with NumPy (ONNX,
// PyTorch) broadcasting: shapes align from the right, and a dim of size 1, or a
// missing leading dim, stretches to the other operand's size. A symbolic batch
// dim broadcasts against 1 but must stay the result's leading dim.
//
// The ops are marked elementwise; the execution plan only treats an instance as
// flat arrays when both operands already have the result's shape, so a
// broadcasting instance is lowered with real index math (broadcast dims read
// index 0).
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/AxisUtils.h"
#include "compiler/ops/OpHelpers.h"

#include <algorithm>

namespace netc {
namespace {

struct BinaryOp {
  const char *name;
  const char *summary;
  double (*reference)(double a, double b);
  Halide::Expr (*lower)(Halide::Expr a, Halide::Expr b);
};

const BinaryOp binaryOps[] = {
    {"add", "elementwise a + b (NumPy broadcasting)", [](double a, double b) { return a + b; },
     [](Halide::Expr a, Halide::Expr b) { return a + b; }},
    {"sub", "elementwise a - b (NumPy broadcasting)", [](double a, double b) { return a - b; },
     [](Halide::Expr a, Halide::Expr b) { return a - b; }},
    {"mul", "elementwise a * b (NumPy broadcasting)", [](double a, double b) { return a * b; },
     [](Halide::Expr a, Halide::Expr b) { return a * b; }},
    {"div", "elementwise a / b (NumPy broadcasting)", [](double a, double b) { return a / b; },
     [](Halide::Expr a, Halide::Expr b) { return a / b; }},
};

/// Dim `i` counted from the right (0 = last), or a static 1 past the leading dim.
Dim fromRight(const TensorType &t, size_t i) {
  return i < t.rank() ? t.dim(t.rank() - 1 - i) : Dim::of(1);
}

std::optional<TensorType> inferBroadcast(const Op &op, std::string &error) {
  const TensorType &a = operandType(op, 0), &b = operandType(op, 1);
  if (a == b)
    return a;
  size_t rank = std::max(a.rank(), b.rank());
  std::vector<Dim> dims(rank);
  for (size_t i = 0; i < rank; ++i) {
    Dim da = fromRight(a, i), db = fromRight(b, i);
    Dim &result = dims[rank - 1 - i];
    if (da == db || db == Dim::of(1))
      result = da;
    else if (da == Dim::of(1))
      result = db;
    else
      return error = "cannot broadcast " + a.shapeStr() + " and " + b.shapeStr() + ": dim " +
                     std::to_string(rank - 1 - i) + " of the result would be both " + da.str() +
                     " and " + db.str(),
             std::nullopt;
  }
  TensorType result(a.dtype, dims);
  for (size_t d = 1; d < rank; ++d)
    if (!dims[d].isStatic())
      return error = "broadcasting " + a.shapeStr() + " and " + b.shapeStr() +
                     " would move the symbolic batch dim to dim " + std::to_string(d) +
                     " of the result " + result.shapeStr(),
             std::nullopt;
  return result;
}

/// Strides of `operand` (a broadcast operand of a tensor shaped `result`) by
/// result dim: 0 where the operand is broadcast.
std::vector<int64_t> broadcastStrides(const Tensor &operand, const std::vector<int64_t> &result) {
  std::vector<int64_t> own = rowMajorStrides(operand.shape), strides(result.size(), 0);
  size_t skip = result.size() - operand.rank();
  for (size_t d = 0; d < operand.rank(); ++d)
    strides[skip + d] = operand.shape[d] == result[skip + d] ? own[d] : 0;
  return strides;
}

void referenceBinary(double (*fn)(double, double), const std::vector<const Tensor *> &in,
                     Tensor &out) {
  const Tensor &a = *in[0], &b = *in[1];
  if (a.shape == out.shape && b.shape == out.shape) {
    for (int64_t i = 0; i < out.numElements(); ++i)
      out.data[i] = (float)fn(a.data[i], b.data[i]);
    return;
  }
  std::vector<int64_t> stridesA = broadcastStrides(a, out.shape);
  std::vector<int64_t> stridesB = broadcastStrides(b, out.shape);
  std::vector<int64_t> coord(out.rank(), 0);
  for (int64_t i = 0; i < out.numElements(); ++i) {
    int64_t ia = 0, ib = 0;
    for (size_t d = 0; d < out.rank(); ++d) {
      ia += coord[d] * stridesA[d];
      ib += coord[d] * stridesB[d];
    }
    out.data[i] = (float)fn(a.data[ia], b.data[ib]);
    for (size_t d = out.rank(); d-- > 0;) { // next output coordinate, row-major
      if (++coord[d] < out.shape[d])
        break;
      coord[d] = 0;
    }
  }
}

/// Arguments reading `operand` at the result coordinates `vars`. Halide dims
/// count from the innermost, so they line up with NumPy's right alignment; a
/// broadcast dim reads index 0.
std::vector<Halide::Expr> broadcastArgs(const TensorType &operand, const TensorType &result,
                                        const std::vector<Halide::Var> &vars) {
  std::vector<Halide::Expr> args;
  for (size_t h = 0; h < operand.rank(); ++h) {
    Dim own = fromRight(operand, h), wanted = fromRight(result, h);
    args.push_back(own == wanted ? Halide::Expr(vars[h]) : Halide::Expr(0));
  }
  return args;
}

void registerBinary(const BinaryOp &binary) {
  OpDef def;
  def.name = binary.name;
  def.summary = binary.summary;
  def.operands = {{"lhs", false, false}, {"rhs", false, false}};
  def.isElementwise = true;
  def.inferType = inferBroadcast;
  auto fn = binary.reference;
  def.reference = [fn](const Op &, const std::vector<const Tensor *> &in, Tensor &out) {
    referenceBinary(fn, in, out);
  };
  auto expr = binary.lower;
  def.lower = [expr](LowerContext &ctx, const Op &op) {
    std::vector<Halide::Var> vars = halideVars(ctx.resultType.rank());
    Halide::Expr a = ctx.operands[0](broadcastArgs(ctx.operandTypes[0], ctx.resultType, vars));
    Halide::Expr b = ctx.operands[1](broadcastArgs(ctx.operandTypes[1], ctx.resultType, vars));
    // Suffixed: a Func named like a libm function (tanh, exp) clashes with it in AOT code.
    Halide::Func out(op.kindName() + "_out");
    out(vars) = expr(a, b);
    if (ctx.schedule)
      scheduleSimpleLoopNest(out, vars, halideExtents(ctx.resultType), ctx);
    return out;
  };
  OpRegistry::get().add(std::move(def));
}

} // namespace

void registerElementwiseBinaryOps() {
  for (const BinaryOp &binary : binaryOps)
    registerBinary(binary);
}

} // namespace netc
