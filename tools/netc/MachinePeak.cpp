#include "MachinePeak.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace netc::driver {
namespace {

// Twelve independent accumulators hide the FMA latency (4 cycles, 2 ports).
template <typename V> __attribute__((always_inline)) inline long fmaLoop(long iterations) {
  V acc[12], mul, add;
  for (int i = 0; i < 12; ++i)
    acc[i] = V{} + (float)(i + 1) * 1e-3f;
  mul = V{} + 0.999999f;
  add = V{} + 1e-7f;
  for (long it = 0; it < iterations; ++it) {
    // Fully unrolled so the accumulators live in registers.
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i)
      acc[i] = acc[i] * mul + add;
  }
  V total = V{};
  for (int i = 0; i < 12; ++i)
    total += acc[i];
  // Keep the result alive so the loop is not removed.
  volatile float sink = total[0];
  (void)sink;
  return iterations * 12 * (long)(sizeof(V) / sizeof(float)) * 2;
}

typedef float V16 __attribute__((vector_size(64)));
typedef float V8 __attribute__((vector_size(32)));
typedef float V4 __attribute__((vector_size(16)));

__attribute__((target("avx512f"))) long fma512(long n) { return fmaLoop<V16>(n); }
__attribute__((target("avx2,fma"))) long fma256(long n) { return fmaLoop<V8>(n); }
long fma128(long n) { return fmaLoop<V4>(n); }

} // namespace

MachinePeak measureFmaPeak(int threads) {
  MachinePeak peak;
  peak.threads = std::max(1, threads);
  long (*kernel)(long) = fma128;
  peak.vectorBits = 128;
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    kernel = fma512;
    peak.vectorBits = 512;
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    kernel = fma256;
    peak.vectorBits = 256;
  }
  // The median of a few rounds: robust to a round slowed by other load and to
  // a clock glitch that would make one round look impossibly fast.
  std::vector<double> rounds;
  for (int round = 0; round < 5; ++round) {
    const long iterations = 20'000'000;
    std::atomic<long> flops{0};
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < peak.threads; ++t)
      workers.emplace_back([&] { flops += kernel(iterations); });
    for (auto &w : workers)
      w.join();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rounds.push_back(flops / seconds / 1e9);
  }
  std::sort(rounds.begin(), rounds.end());
  peak.gflops = rounds[rounds.size() / 2];
  return peak;
}

} // namespace netc::driver
