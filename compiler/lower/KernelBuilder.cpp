#include "compiler/lower/KernelBuilder.h"
#include "compiler/lower/LowerContext.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"

#include <algorithm>
#include <cassert>
#include <thread>

namespace netc {

/// The type the kernel sees: flat steps view every tensor as one dim.
static TensorType kernelType(const KernelStep &step, const Value *v) {
  const TensorType &t = v->type();
  if (!step.flat)
    return t;
  assert(channelBlockOf(*v) == 0 && "flat steps never touch channel-blocked values");
  if (t.isStatic())
    return TensorType(t.dtype, {Dim::of(t.numElements(1))});
  return TensorType(t.dtype, {Dim::sym("flat")});
}

std::vector<int64_t> kernelShape(const KernelStep &step, const Value *v, int64_t batch) {
  if (step.flat)
    return {v->type().numElements(batch)};
  return storageType(*v).concreteShape(batch);
}

/// A channel-blocked buffer [N, C/B, H, W, B] read as the NCHW Func the op's
/// lowering expects: f(x, y, c, n) = buffer(c % B, x, y, c / B, n).
static Halide::Func unblockChannels(const Halide::Func &blocked, int64_t block,
                                    const std::string &name) {
  Halide::Var x("x"), y("y"), c("c"), n("n");
  Halide::Func f(name);
  const int b = (int)block;
  f(x, y, c, n) = blocked(c % b, x, y, c / b, n);
  return f;
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

/// Estimates for an autoscheduler: the static extents, `batch` for the symbolic dim.
static Halide::Region estimatesOf(const TensorType &type, int64_t batch) {
  Halide::Region region;
  for (int64_t extent : halideExtents(type))
    region.emplace_back(0, (int)(extent >= 0 ? extent : batch));
  return region;
}

HalideKernel buildKernel(const KernelStep &step, const Halide::Target &target,
                         const ScheduleOptions &schedule) {
  HalideKernel kernel;
  kernel.name = step.kernelName;
  const Op &op = *step.op;
  const bool autoscheduled = schedule.scheduler != Scheduler::Netc;
  // A flat step sees the batch folded into its one dim.
  const int64_t batchEstimate =
      step.flat ? step.result->type().numElements(schedule.batchEstimate) : schedule.batchEstimate;
  LowerContext ctx;
  ctx.target = target;
  ctx.schedule = !autoscheduled;
  ctx.autoscheduled = autoscheduled;
  ctx.resultType = kernelType(step, step.result);
  ctx.threads = schedule.threads > 0 ? schedule.threads
                                     : (int)std::max(1u, std::thread::hardware_concurrency());
  ctx.assumedVectorRegisters = schedule.vectorRegisters;
  ctx.assumedVectorWidth = schedule.vectorLanes;
  ctx.operands.resize(op.operands().size());
  ctx.operandTypes.resize(op.operands().size());
  ctx.operandChannelBlocks.assign(op.operands().size(), 0);
  ctx.blockedOperands.resize(op.operands().size());
  ctx.operandParams.resize(op.operands().size());
  for (size_t i = 0; i < op.operands().size(); ++i) {
    const Value *v = op.operand(i);
    if (!v)
      continue;
    TensorType type = kernelType(step, v);
    const int64_t block = step.flat ? 0 : channelBlockOf(*v);
    const TensorType storage = block ? storageType(*v) : type;
    Halide::ImageParam param(Halide::Float(32), (int)storage.rank(),
                             sanitizeIdentifier(op.def().operands[i].name));
    constrainLayout(param, storage);
    if (autoscheduled)
      param.set_estimates(estimatesOf(storage, batchEstimate));
    kernel.params.push_back(param);
    ctx.operandParams[i] = param;
    std::vector<Halide::Var> vars = halideVars(storage.rank());
    Halide::Func f(param.name() + (block ? "_blocked" : "_in"));
    if (autoscheduled) {
      // Autoschedulers tile producers with ShiftInwards/RoundUp splits that may
      // compute a few values past a tensor's edge (a 16-wide tile over 10
      // columns starts at -6). The values there are never used, but reading
      // them from an input would fail Halide's bounds checks, so inputs repeat
      // their edge; loop partitioning keeps the clamp out of the steady state.
      std::vector<Halide::Expr> clamped;
      for (size_t d = 0; d < vars.size(); ++d)
        clamped.push_back(
            Halide::clamp(Halide::likely(vars[d]), 0, param.dim((int)d).extent() - 1));
      f(vars) = param(clamped);
    } else {
      f(vars) = param(vars);
    }
    if (block) {
      ctx.blockedOperands[i] = f;
      f = unblockChannels(f, block, param.name() + "_in");
    }
    ctx.operands[i] = f;
    ctx.operandTypes[i] = type;
    ctx.operandChannelBlocks[i] = (int)block;
  }
  ctx.resultChannelBlock = step.flat ? 0 : (int)channelBlockOf(*step.result);
  Halide::Func out = op.def().lower(ctx, op);
  if (ctx.resultChannelBlock && out.dimensions() == 4) {
    // Ops that do not schedule a blocked result themselves (an autoscheduled
    // kernel) compute NCHW values that this stores blocked.
    Halide::Var lane("lane"), x("x"), y("y"), block("block"), n("n");
    Halide::Func stored(out.name() + "_blocked");
    stored(lane, x, y, block, n) = out(x, y, block * ctx.resultChannelBlock + lane, n);
    out = stored;
  }
  const TensorType resultStorage = step.flat ? ctx.resultType : storageType(*step.result);
  constrainLayout(out.output_buffer(), resultStorage);
  if (autoscheduled)
    out.set_estimates(estimatesOf(resultStorage, batchEstimate));
  kernel.pipeline = Halide::Pipeline(out);
  if (autoscheduled)
    applyAutoScheduler(kernel.pipeline, schedule.scheduler, target, schedule.threads);
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
  if (target.arch == Halide::Target::X86) {
    // Halide takes a target string literally, but LLVM's instruction
    // selection and netc's vector widths read single features: a target named
    // by its newest instruction set should get the older ones every such CPU
    // has ("x86-64-linux-avx2" alone compiled without FMA, ResNet-18 37 vs 34
    // ms; "avx512_sapphirerapids" alone to 4-lane vectors). Every AVX2 CPU
    // (Haswell, Excavator and later) has FMA and F16C.
    using F = Halide::Target::Feature;
    const std::pair<F, F> implies[] = {
        {F::AVX512_SapphireRapids, F::AVX512_Cannonlake},
        {F::AVX512_Cannonlake, F::AVX512_Skylake},
        {F::AVX512_Skylake, F::AVX512},
        {F::AVX512_KNL, F::AVX512},
        {F::AVX512, F::AVX2},
        {F::AVX2, F::AVX},
        {F::AVX2, F::FMA},
        {F::AVX2, F::F16C},
        {F::AVX, F::SSE41},
    };
    // In order, newest first: one pass reaches every implied feature.
    for (const auto &[newer, older] : implies)
      if (target.has_feature(newer))
        target.set_feature(older);
  }
  return true;
}

} // namespace netc
