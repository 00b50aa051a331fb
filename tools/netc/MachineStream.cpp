#include "MachineStream.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <pthread.h>

namespace netc::driver {
namespace {

// 3 arrays of 32 MB: far past any L3 of a small machine, ~50 ms in all.
constexpr size_t kElements = size_t(4) << 20;
constexpr int kPasses = 5;

} // namespace

double measureStreamBandwidth(int threads) {
  threads = std::max(1, threads);
  std::unique_ptr<double[]> a(new double[kElements]), b(new double[kElements]),
      c(new double[kElements]);
  std::vector<double> passSeconds(kPasses, 1e30);
  pthread_barrier_t sync;
  pthread_barrier_init(&sync, nullptr, threads);
  auto worker = [&](int t) {
    const size_t begin = kElements * t / threads, end = kElements * (t + 1) / threads;
    // First touch by the thread that streams the slice: pages are faulted in
    // (and placed, on NUMA machines) before the timed passes.
    for (size_t i = begin; i < end; ++i) {
      a[i] = 0.0;
      b[i] = 1.0;
      c[i] = 2.0;
    }
    const double scale = 3.0;
    for (int pass = 0; pass < kPasses; ++pass) {
      pthread_barrier_wait(&sync);
      auto start = std::chrono::steady_clock::now();
      for (size_t i = begin; i < end; ++i)
        a[i] = b[i] + scale * c[i];
      pthread_barrier_wait(&sync);
      // Every thread is done at the second barrier: the first thread's time
      // covers the slowest slice.
      if (t == 0)
        passSeconds[pass] =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  };
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back(worker, t);
  for (auto &w : workers)
    w.join();
  pthread_barrier_destroy(&sync);
  // Keep the stores alive.
  volatile double sink = a[kElements / 2];
  (void)sink;
  double best = *std::min_element(passSeconds.begin(), passSeconds.end());
  return 24.0 * kElements / best / 1e9;
}

} // namespace netc::driver
