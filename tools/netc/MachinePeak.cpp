#include "MachinePeak.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

namespace netc::driver {
namespace {

// Twelve independent accumulators hide the FMA latency (4 cycles, 2 ports).
template <typename V> __attribute__((always_inline)) inline void fmaLoop(V *state, long iterations) {
  // Local copies, fully unrolled: the accumulators live in registers.
  V acc[12];
  for (int i = 0; i < 12; ++i)
    acc[i] = state[i];
  const V mul = V{} + 0.999999f, add = V{} + 1e-7f;
  for (long it = 0; it < iterations; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i)
      acc[i] = acc[i] * mul + add;
  }
  for (int i = 0; i < 12; ++i)
    state[i] = acc[i];
}

typedef float V16 __attribute__((vector_size(64)));
typedef float V8 __attribute__((vector_size(32)));
typedef float V4 __attribute__((vector_size(16)));

using Clock = std::chrono::steady_clock;

// Runs `windows` windows of `iterations` steps; returns the best FLOP/ns.
// Inlined into the per-target entry points below, so it is built for their ISA.
template <typename V>
__attribute__((always_inline)) inline double bestWindow(long iterations, int windows) {
  V acc[12];
  for (int i = 0; i < 12; ++i)
    acc[i] = V{} + (float)(i + 1) * 1e-3f;
  const double flop = 2.0 * 12 * (sizeof(V) / sizeof(float)) * iterations;
  double best = 0;
  for (int w = 0; w < windows; ++w) {
    auto start = Clock::now();
    fmaLoop<V>(acc, iterations);
    double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    best = std::max(best, flop / ns);
  }
  // Keep the result alive so the loop is not removed.
  V total = V{};
  for (int i = 0; i < 12; ++i)
    total += acc[i];
  volatile float sink = total[0];
  (void)sink;
  return best;
}

__attribute__((target("avx512f"))) double best512(long n, int w) { return bestWindow<V16>(n, w); }
__attribute__((target("avx2,fma"))) double best256(long n, int w) { return bestWindow<V8>(n, w); }
double best128(long n, int w) { return bestWindow<V4>(n, w); }

// Window lengths measured: from shorter than a small network's call to longer
// than VGG-16's at batch 8 (the rate no longer falls past ~16 ms).
constexpr double kWindowsMs[] = {0.25, 1, 4, 16, 64};
// Time spent per window length (at least 4 windows).
constexpr double kBudgetMs = 240;

} // namespace

double MachinePeak::burst() const {
  return gflops.empty() ? 0 : *std::max_element(gflops.begin(), gflops.end());
}

double MachinePeak::over(double ms) const {
  if (gflops.empty())
    return 0;
  // A window contains shorter ones at least as fast: where a longer window
  // measured faster (it ran at a quieter moment), that bounds the shorter.
  std::vector<double> envelope(gflops);
  for (size_t i = envelope.size() - 1; i-- > 0;)
    envelope[i] = std::max(envelope[i], envelope[i + 1]);
  if (ms <= windowMs.front())
    return envelope.front();
  for (size_t i = 1; i < windowMs.size(); ++i)
    if (ms <= windowMs[i]) {
      double t = std::log(ms / windowMs[i - 1]) / std::log(windowMs[i] / windowMs[i - 1]);
      return envelope[i - 1] + t * (envelope[i] - envelope[i - 1]);
    }
  return envelope.back();
}

MachinePeak measureFmaPeak(int threads, int maxVectorBits) {
  MachinePeak peak;
  peak.threads = std::max(1, threads);
  double (*kernel)(long, int) = best128;
  peak.vectorBits = 128;
  __builtin_cpu_init();
  if (maxVectorBits >= 512 && __builtin_cpu_supports("avx512f")) {
    kernel = best512;
    peak.vectorBits = 512;
  } else if (maxVectorBits >= 256 && __builtin_cpu_supports("avx2") &&
             __builtin_cpu_supports("fma")) {
    kernel = best256;
    peak.vectorBits = 256;
  }
  // Steps per millisecond, from one thread's short run.
  const long probe = 20000;
  const double flopPerStep = 2.0 * 12 * (peak.vectorBits / 32);
  double stepsPerMs = std::max(1.0, kernel(probe, 3) * 1e6 / flopPerStep);
  for (double ms : kWindowsMs) {
    const long iterations = std::max(1L, (long)(stepsPerMs * ms));
    const int windows = std::max(4, (int)(kBudgetMs / ms));
    // All threads at once, one per core, as a model's call runs them.
    std::vector<double> best(peak.threads);
    std::vector<std::thread> workers;
    for (int t = 0; t < peak.threads; ++t)
      workers.emplace_back([&, t] { best[t] = kernel(iterations, windows); });
    for (auto &w : workers)
      w.join();
    double total = 0;
    for (double b : best)
      total += b;
    peak.windowMs.push_back(ms);
    peak.gflops.push_back(total);
  }
  return peak;
}

} // namespace netc::driver
