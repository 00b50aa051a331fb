#include "compiler/codegen/JitExecutor.h"
#include "compiler/codegen/ExecutionPlan.h"
#include "compiler/codegen/WorkerThreads.h"
#include "compiler/lower/KernelBuilder.h"
#include "ir/Graph.h"

namespace netc {

struct JitExecutor::Impl {
  const Graph *graph = nullptr;
  ExecutionPlan plan;
  std::vector<HalideKernel> kernels;
  Halide::Target target;
};

/// JIT-compiles the kernels on every core, as the ahead-of-time compiler
/// does: the kernels are independent pipelines, and Halide's lowering and
/// LLVM's code generation (nearly all of `netc run`'s time on a big model) are
/// safe to run on distinct pipelines at once. Returns the first failure in
/// kernel order, or "".
static std::string compileKernels(std::vector<HalideKernel> &kernels,
                                  const Halide::Target &target) {
  std::vector<std::string> failures(kernels.size());
  WorkerThreads(kernels.size(), 0, [&](size_t i) {
    try {
      kernels[i].pipeline.compile_jit(target);
    } catch (const std::exception &e) {
      failures[i] = e.what();
    }
  }).wait();
  for (const std::string &failure : failures)
    if (!failure.empty())
      return failure;
  return "";
}

JitExecutor::JitExecutor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JitExecutor::~JitExecutor() = default;

std::unique_ptr<JitExecutor> JitExecutor::create(const Graph &graph, const std::string &target,
                                                 DiagnosticEngine &diags,
                                                 const ScheduleOptions &schedule) {
  auto impl = std::make_unique<Impl>();
  impl->graph = &graph;
  std::string error;
  if (!parseTarget(target, impl->target, error)) {
    diags.error(llvm::StringRef(), error);
    return nullptr;
  }
  if (!loadScheduler(schedule.scheduler, diags))
    return nullptr;
  impl->plan = planExecution(graph, "k");
  std::string failure;
  try {
    for (const KernelStep &step : impl->plan.steps)
      impl->kernels.push_back(buildKernel(step, impl->target, schedule));
  } catch (const Halide::Error &e) {
    failure = e.what();
  }
  if (failure.empty())
    failure = compileKernels(impl->kernels, impl->target);
  if (!failure.empty()) {
    diags.error(llvm::StringRef(), "internal error: Halide failed to compile: " + failure);
    return nullptr;
  }
  return std::unique_ptr<JitExecutor>(new JitExecutor(std::move(impl)));
}

/// A Halide view of row-major data with the given (row-major) shape.
static Halide::Buffer<float> viewOf(float *data, const std::vector<int64_t> &shape) {
  std::vector<int> extents(shape.rbegin(), shape.rend());
  return Halide::Buffer<float>(data, extents);
}

bool JitExecutor::run(const TensorMap &inputs, TensorMap &outputs, DiagnosticEngine &diags) {
  const Graph &graph = *impl_->graph;
  const ExecutionPlan &plan = impl_->plan;
  int64_t batch = checkGraphInputs(graph, inputs, diags);
  if (batch < 0)
    return false;
  int64_t scale = plan.symbolicBatch ? batch : 1;
  std::vector<float> arena((size_t)(plan.arenaFloatsPerItem * scale));

  // Memory of every value: inputs and weights as given, outputs freshly allocated,
  // the rest in the arena; views share their source's memory.
  std::map<const Value *, float *> memory;
  for (const Value *in : graph.inputs())
    memory[in] = const_cast<float *>(inputs.at(in->name()).ptr());
  for (const Value *w : graph.weights())
    memory[w] = w->data()->data.data();
  for (const Value *out : graph.outputs()) {
    Tensor &t = outputs[out->name()];
    t = Tensor(out->type().concreteShape(batch));
    memory[out] = t.ptr();
  }
  for (const auto &[value, offset] : plan.arenaOffset)
    memory[value] = arena.data() + offset * scale;
  auto memoryOf = [&](const Value *v) {
    auto it = memory.find(v);
    return it != memory.end() ? it->second : memory.at(plan.storageOf.at(v));
  };

  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const KernelStep &step = plan.steps[i];
    HalideKernel &kernel = impl_->kernels[i];
    for (size_t a = 0; a < step.args.size(); ++a)
      kernel.params[a].set(viewOf(memoryOf(step.args[a]), kernelShape(step, step.args[a], batch)));
    Halide::Buffer<float> result =
        viewOf(memoryOf(step.result), kernelShape(step, step.result, batch));
    try {
      kernel.pipeline.realize(result, impl_->target);
    } catch (const Halide::Error &e) {
      diags.error(llvm::StringRef(), "kernel '" + step.kernelName + "' failed: " + e.what());
      return false;
    }
  }
  // Outputs that are plain aliases of other values (none today) would need a copy here.
  return true;
}

} // namespace netc
