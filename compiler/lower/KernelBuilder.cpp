#include "compiler/lower/KernelBuilder.h"
#include "compiler/lower/LowerContext.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"

namespace netc {

/// The type the kernel sees: flat steps view every tensor as one dim.
static TensorType kernelType(const KernelStep &step, const Value *v) {
  const TensorType &t = v->type();
  if (!step.flat)
    return t;
  if (t.isStatic())
    return TensorType(t.dtype, {Dim::of(t.numElements(1))});
  return TensorType(t.dtype, {Dim::sym("flat")});
}

std::vector<int64_t> kernelShape(const KernelStep &step, const Value *v, int64_t batch) {
  if (step.flat)
    return {v->type().numElements(batch)};
  return v->type().concreteShape(batch);
}

/// Declares min 0, and the static extents and dense row-major strides of `type`.
template <typename Param>
static void constrainLayout(Param param, const TensorType &type) {
  std::vector<int64_t> extents = halideExtents(type);
  int64_t stride = 1;
  for (size_t d = 0; d < extents.size(); ++d) {
    param.dim(d).set_min(0);
    if (stride > 0)
      param.dim(d).set_stride((int)stride);
    if (extents[d] >= 0) {
      param.dim(d).set_extent((int)extents[d]);
      stride *= extents[d];
    } else {
      stride = -1; // dims outside a symbolic one have unknown strides
    }
  }
}

HalideKernel buildKernel(const KernelStep &step, const Halide::Target &target) {
  HalideKernel kernel;
  kernel.name = step.kernelName;
  const Op &op = *step.op;
  LowerContext ctx;
  ctx.target = target;
  ctx.schedule = true;
  ctx.resultType = kernelType(step, step.result);
  ctx.operands.resize(op.operands().size());
  ctx.operandTypes.resize(op.operands().size());
  for (size_t i = 0; i < op.operands().size(); ++i) {
    const Value *v = op.operand(i);
    if (!v)
      continue;
    TensorType type = kernelType(step, v);
    Halide::ImageParam param(Halide::Float(32), (int)type.rank(),
                             sanitizeIdentifier(op.def().operands[i].name));
    constrainLayout(param, type);
    kernel.params.push_back(param);
    std::vector<Halide::Var> vars = halideVars(type.rank());
    Halide::Func f(param.name() + "_in");
    f(vars) = param(vars);
    ctx.operands[i] = f;
    ctx.operandTypes[i] = type;
  }
  Halide::Func out = op.def().lower(ctx, op);
  constrainLayout(out.output_buffer(), ctx.resultType);
  kernel.pipeline = Halide::Pipeline(out);
  return kernel;
}

bool parseTarget(const std::string &text, Halide::Target &target, std::string &error) {
  if (text.empty() || text == "host") {
    target = Halide::get_host_target();
    return true;
  }
  if (!Halide::Target::validate_target_string(text)) {
    error = "unknown target '" + text +
            "' (use a Halide target string such as host, x86-64-linux-avx2, "
            "x86-64-linux-avx512, arm-64-linux)";
    return false;
  }
  target = Halide::Target(text);
  return true;
}

} // namespace netc
