// netc bench: how fast is a model? Compiles it ahead of time for the host (the
// same code `netc compile` ships), loads it, and times the generated entry point
// after a warm-up: min and median latency, GFLOP/s, and % of this machine's FMA
// peak measured in the same run.
#include "Driver.h"
#include "MachinePeak.h"
#include "MachineStream.h"
#include "compiler/codegen/AotCompiler.h"
#include "compiler/codegen/HostTarget.h"
#include "compiler/ops/ConvWeightShape.h"
#include "compiler/ops/OpHelpers.h"
#include "frontends/weights/RandomWeights.h"
#include "netc/runtime.h"

#include <fmt/format.h>

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace netc::driver {

namespace cl = llvm::cl;

static cl::opt<std::string> model(cl::Positional, cl::desc("<model.nn|model.ir>"), cl::Required,
                                  cl::sub(benchCommand));
static cl::opt<int64_t> batch("batch", cl::desc("Batch size (default 1)"), cl::init(1),
                              cl::sub(benchCommand), cl::cat(category));
static cl::opt<int> threads("threads", cl::desc("Threads (default: one per core)"), cl::init(0),
                            cl::sub(benchCommand), cl::cat(category));
static cl::opt<int> iterations("iterations",
                               cl::desc("Timed calls (default: as many as fit in ~2 s, 10..1000)"),
                               cl::init(0), cl::sub(benchCommand), cl::cat(category));
static cl::opt<bool> json("json", cl::desc("Print the result as JSON"), cl::sub(benchCommand),
                          cl::cat(category));
static cl::opt<std::string> target("target",
                                   cl::desc("Halide target to build for; it must run here: host "
                                            "(default), x86-64-linux-avx2, x86-64-linux-sse41, ..."),
                                   cl::init("host"), cl::sub(benchCommand), cl::cat(category));
static cl::opt<bool> profile("profile",
                             cl::desc("Also time every kernel (fused group) of the model"),
                             cl::sub(benchCommand), cl::cat(category));

/// Multiply-adds ×2 of the convolutions and dense layers (the other ops' work is
/// small and not counted).
static double opFlops(const Op *op, int64_t n) {
  const std::string &kind = op->kindName();
  if (kind == "conv2d" || kind == "fused_conv2d") {
    const TensorType &in = op->operand(0)->type(), &w = op->operand(1)->type();
    const auto &s = op->attrs().getInts("stride"), &p = op->attrs().getInts("pad"),
               &d = op->attrs().getInts("dilation");
    // The direct conv's work, whatever layout and algorithm the passes chose
    // (a Winograd conv does fewer multiplications), so that GFLOP/s compare.
    const Attribute *block = op->attrs().find("weight_block"),
                    *winograd = op->attrs().find("winograd_tile");
    const ConvWeightShape ws(w, block ? block->asInt() : 0, winograd ? winograd->asInt() : 0);
    int64_t oh = slidingOutputSize(in.dim(2).size, ws.kh, s[0], p[0], p[2], d[0]);
    int64_t ow = slidingOutputSize(in.dim(3).size, ws.kw, s[1], p[1], p[3], d[1]);
    return 2.0 * n * oh * ow * (double)ws.outChannels * ws.perGroup * ws.kh * ws.kw;
  }
  if (kind == "dense" || kind == "fused_dense") {
    // Units × features from the result and the input: the weight's shape is
    // padded to whole blocks once pack-dense-weights has packed it.
    const TensorType &in = op->operand(0)->type(), &out = op->result()->type();
    return 2.0 * n * out.dim(1).size * in.dim(1).size;
  }
  return 0;
}

/// Bytes of an op's operands and result as stored, each counted once: the
/// least memory traffic a kernel can have (a memory-bound dense layer at batch
/// 1 moves about this much).
static double opBytes(const Op *op, int64_t n) {
  auto bytes = [n](const Value *v) {
    TensorType t = storageType(*v);
    return (double)t.numElements(n) * dtypeSize(t.dtype);
  };
  double total = bytes(op->result());
  for (const Value *v : op->operands())
    if (v)
      total += bytes(v);
  return total;
}

static double modelFlops(const Graph &graph, int64_t n) {
  double flops = 0;
  for (const Op *op : graph.ops())
    flops += opFlops(op, n);
  return flops;
}

int runBench(DiagnosticEngine &diags) {
  if (batch <= 0) {
    diags.error(llvm::StringRef(), "--batch must be positive");
    return 1;
  }
  std::string whyNot;
  if (!targetRunsOnHost(target, whyNot)) {
    diags.error(llvm::StringRef(), "cannot bench here: " + whyNot);
    return 1;
  }
  ScheduleOptions schedule;
  if (!selectedScheduler(schedule.scheduler, diags) || !scheduleAssumptions(schedule, diags))
    return 1;
  std::unique_ptr<Graph> graph = loadModelWithWeights(model, false, diags);
  if (!graph)
    return 1;
  // Speed does not depend on the weights' values: random ones unless given.
  for (const Value *w : graph->weights())
    if (!w->data()) {
      bindRandomWeights(*graph, 1);
      break;
    }
  if (!optimizeGraph(*graph, diags, target))
    return 1;
  llvm::SmallString<128> dir;
  if (auto ec = llvm::sys::fs::createUniqueDirectory("netc-bench", dir)) {
    diags.error(llvm::StringRef(), "cannot create a temporary directory: " + ec.message());
    return 1;
  }
  struct Cleanup {
    llvm::SmallString<128> &dir;
    ~Cleanup() { llvm::sys::fs::remove_directories(dir); }
  } cleanup{dir};
  AotOptions options;
  options.outputDir = dir.str().str();
  options.prefix = "netc_bench_model";
  options.target = target;
  options.sharedLibrary = true;
  options.sourceName = llvm::sys::path::filename(model).str();
  options.schedule = schedule;
  options.schedule.batchEstimate = batch;
  options.schedule.threads = threads;
  options.profile = profile;
  options.jobs = compileJobs();
  auto compileStart = std::chrono::steady_clock::now();
  if (!compileAot(*graph, options, diags))
    return 1;
  double compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - compileStart).count();

  std::string lib = options.outputDir + "/libnetc_bench_model.so";
  void *handle = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    diags.error(lib, llvm::Twine("cannot load the compiled model: ") + dlerror());
    return 1;
  }
  using InfoFn = const netc_model_info *(*)();
  auto info = reinterpret_cast<InfoFn>(dlsym(handle, "netc_bench_model_model_info"));
  using ThreadsFn = void (*)(int);
  auto setThreads = reinterpret_cast<ThreadsFn>(dlsym(handle, "netc_set_num_threads"));
  if (!info) {
    diags.error(lib, "the compiled model has no entry point");
    return 1;
  }
  if (!setThreads) {
    diags.error(lib, "the compiled model does not export netc_set_num_threads");
    return 1;
  }
  int threadCount = threads > 0 ? threads : (int)std::thread::hardware_concurrency();
  setThreads(threadCount);
  const netc_model_info *m = info();
  auto tensorsFor = [&](const netc_tensor_info *infos, int count, std::vector<Tensor> &store,
                        std::vector<netc_tensor> &tensors, bool random) {
    for (int i = 0; i < count; ++i) {
      std::vector<int64_t> shape;
      for (int d = 0; d < infos[i].rank; ++d)
        shape.push_back(infos[i].shape[d] < 0 ? batch : infos[i].shape[d]);
      store.push_back(random ? randomInput(shape, 2, infos[i].name) : Tensor(shape));
    }
    for (Tensor &t : store)
      tensors.push_back(netc_tensor{t.ptr(), NETC_F32, (int32_t)t.rank(), {}});
    for (size_t i = 0; i < store.size(); ++i)
      std::copy(store[i].shape.begin(), store[i].shape.end(), tensors[i].shape);
  };
  std::vector<Tensor> inStore, outStore;
  std::vector<netc_tensor> inTensors, outTensors;
  inStore.reserve(m->num_inputs);
  outStore.reserve(m->num_outputs);
  tensorsFor(m->inputs, m->num_inputs, inStore, inTensors, true);
  tensorsFor(m->outputs, m->num_outputs, outStore, outTensors, false);
  std::vector<const netc_tensor *> in;
  std::vector<netc_tensor *> out;
  for (auto &t : inTensors)
    in.push_back(&t);
  for (auto &t : outTensors)
    out.push_back(&t);

  using Clock = std::chrono::steady_clock;
  auto call = [&]() -> double {
    auto start = Clock::now();
    netc_status status = m->run(in.data(), out.data());
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    return status == NETC_OK ? ms : -1;
  };
  // Warm-up: 3 calls at least (thread pool start, page faults, caches) and
  // kWarmupMs of calls, as trtexec warms up for a time rather than a count. On
  // this 2-core VM a small model's calls ran slow for their first 10-20 ms (an
  // idle core is slow to wake until the machine has been busy a while): mlp2's
  // min over 1000 calls after 3 warm-up calls was 0.0109-0.0115 ms, over
  // 10000 calls 0.0094-0.0103.
  constexpr double kWarmupMs = 100;
  const auto warmupStart = Clock::now();
  double first = 0;
  int warmupCalls = 0;
  while (first >= 0 &&
         (warmupCalls < 3 || std::chrono::duration<double, std::milli>(Clock::now() - warmupStart)
                                     .count() < kWarmupMs)) {
    first = call();
    ++warmupCalls;
  }
  if (first < 0) {
    diags.error(llvm::StringRef(), "the compiled model failed to run");
    return 1;
  }
  using ProfileFn = const netc_profile_entry *(*)(int32_t *);
  using ResetFn = void (*)();
  auto profileOf = reinterpret_cast<ProfileFn>(dlsym(handle, "netc_bench_model_profile"));
  auto resetProfile = reinterpret_cast<ResetFn>(dlsym(handle, "netc_bench_model_profile_reset"));
  if (profile && (!profileOf || !resetProfile)) {
    diags.error(lib, "the compiled model has no profile counters");
    return 1;
  }
  if (profile)
    resetProfile(); // count the timed calls only
  int count = iterations > 0 ? (int)iterations
                             : std::clamp((int)(2000.0 / std::max(first, 1e-3)), 10, 1000);
  std::vector<double> times;
  for (int i = 0; i < count; ++i)
    times.push_back(call());
  std::sort(times.begin(), times.end());
  double minMs = times.front(), medianMs = times[times.size() / 2];
  double flops = modelFlops(*graph, batch);
  // The peak of the vectors the target compiles to (AVX2 code on an AVX-512
  // machine is judged against the 256-bit peak).
  MachinePeak peak = measureFmaPeak(threadCount, targetVectorBits(target));
  double gflops = flops / (minMs * 1e6);
  // Against the FMA rate the machine sustains over a window as long as the
  // call: a 5 ms call cannot dodge the interrupts a 1 ms window can.
  double callPeak = peak.over(minMs);
  // Per kernel: mean time of the timed calls and its share of the mean call;
  // GFLOP/s at the kernel's fastest call, like the model's figure at its min.
  struct KernelTime {
    std::string value, op;
    int64_t calls;
    double meanMs, minMs, gflops, gbytesPerS;
  };
  std::vector<KernelTime> kernels;
  double meanCallMs = 0;
  for (double t : times)
    meanCallMs += t / times.size();
  if (profile) {
    int32_t entries = 0;
    const netc_profile_entry *e = profileOf(&entries);
    for (int32_t i = 0; i < entries; ++i) {
      double meanMs = e[i].calls ? e[i].total_ns / 1e6 / e[i].calls : 0;
      double kernelMinMs = e[i].min_ns / 1e6;
      double opWork = 0, opTraffic = 0;
      for (const Op *op : graph->ops())
        if (op->result()->name() == e[i].value) {
          opWork = opFlops(op, batch);
          opTraffic = opBytes(op, batch);
        }
      kernels.push_back({e[i].value, e[i].op, e[i].calls, meanMs, kernelMinMs,
                         kernelMinMs > 0 ? opWork / (kernelMinMs * 1e6) : 0,
                         kernelMinMs > 0 ? opTraffic / (kernelMinMs * 1e6) : 0});
    }
  }
  // Memory-bound kernels (dense layers at batch 1) are judged by bandwidth.
  const double streamGBs = profile ? measureStreamBandwidth(threadCount) : 0;
  std::string profileJson;
  for (const KernelTime &k : kernels)
    profileJson += fmt::format("{}{{\"value\": \"{}\", \"op\": \"{}\", \"calls\": {}, "
                               "\"mean_ms\": {:.6f}, \"min_ms\": {:.6f}, \"gflops\": {:.3f}, "
                               "\"gbytes_per_s\": {:.3f}}}",
                               profileJson.empty() ? "" : ", ", k.value, k.op, k.calls, k.meanMs,
                               k.minMs, k.gflops, k.gbytesPerS);
  if (json) {
    // [window ms, GFLOP/s] pairs: what the percentages were taken against.
    std::string curveJson;
    for (size_t i = 0; i < peak.windowMs.size(); ++i)
      curveJson += fmt::format("{}[{:g}, {:.3f}]", i ? ", " : "", peak.windowMs[i], peak.gflops[i]);
    llvm::outs() << fmt::format(
        "{{\"model\": \"{}\", \"batch\": {}, \"threads\": {}, \"iterations\": {}, "
        "\"min_ms\": {:.6f}, \"median_ms\": {:.6f}, \"gflop\": {:.6f}, \"gflops\": {:.3f}, "
        "\"peak_gflops\": {:.3f}, \"percent_of_peak\": {:.2f}, \"burst_peak_gflops\": {:.3f}, "
        "\"percent_of_burst_peak\": {:.2f}, \"peak_curve\": [{}], \"compile_s\": {:.3f}, "
        "\"scheduler\": \"{}\"{}}}\n",
        graph->name(), (int64_t)batch, threadCount, count, minMs, medianMs, flops / 1e9, gflops,
        callPeak, 100 * gflops / callPeak, peak.burst(), 100 * gflops / peak.burst(), curveJson,
        compileSeconds, schedulerName(schedule.scheduler),
        profile ? fmt::format(", \"stream_gbs\": {:.3f}, \"kernels\": [{}]", streamGBs,
                              profileJson)
                : std::string());
  } else {
    llvm::outs() << fmt::format(
        "model {}: batch {}, {} threads, {} calls after {} warm-up calls\n"
        "  latency       min {:.4f} ms, median {:.4f} ms\n"
        "  work          {:.4f} GFLOP (convolutions and dense layers)\n"
        "  throughput    {:.2f} GFLOP/s at the min latency = {:.1f}% of this machine's "
        "measured peak over {:.4g} ms ({:.1f} GFLOP/s, {}-bit {}, {} threads; {:.1f}% of its "
        "burst peak, {:.1f} GFLOP/s)\n"
        "  compile time  {:.2f} s ({} schedules)\n",
        graph->name(), (int64_t)batch, threadCount, count, warmupCalls, minMs, medianMs,
        flops / 1e9, gflops, 100 * gflops / callPeak, minMs, callPeak, peak.vectorBits,
        peak.vectorBits == 128 ? "mul+add" : "FMA", threadCount,
        100 * gflops / peak.burst(), peak.burst(), compileSeconds,
        schedulerName(schedule.scheduler));
    if (profile) {
      llvm::outs() << fmt::format(
          "  per kernel    mean of the timed calls ({:.4f} ms per call), the fastest call, "
          "GFLOP/s at the fastest, GB/s of its operands and result at the fastest (% of the "
          "stream triad, {:.1f} GB/s)\n"
          "    {:<24} {:<16} {:>10} {:>6} {:>10} {:>9} {:>6} {:>8} {:>7}\n",
          meanCallMs, streamGBs, "value", "op", "mean ms", "%", "min ms", "GFLOP/s", "%peak",
          "GB/s", "%stream");
      double kernelMs = 0;
      for (const KernelTime &k : kernels) {
        kernelMs += k.meanMs;
        llvm::outs() << fmt::format("    {:<24} {:<16} {:>10.4f} {:>6.1f} {:>10.4f} ", k.value,
                                    k.op, k.meanMs, 100 * k.meanMs / meanCallMs, k.minMs);
        if (k.gflops > 0)
          llvm::outs() << fmt::format("{:>9.1f} {:>6.1f} ", k.gflops,
                                      100 * k.gflops / peak.over(k.minMs));
        else
          llvm::outs() << fmt::format("{:>9} {:>6} ", "-", "-");
        llvm::outs() << fmt::format("{:>8.1f} {:>7.1f}\n", k.gbytesPerS,
                                    100 * k.gbytesPerS / streamGBs);
      }
      llvm::outs() << fmt::format("    {:<24} {:<16} {:>10.4f} {:>6.1f}\n", "(outside kernels)",
                                  "", meanCallMs - kernelMs,
                                  100 * (meanCallMs - kernelMs) / meanCallMs);
    }
  }
  dlclose(handle);
  return 0;
}

} // namespace netc::driver
