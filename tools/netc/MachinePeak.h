// Measures this machine's fp32 FMA peak, the yardstick `netc bench` reports
// against: every thread runs independent chains of vector FMAs that never touch
// memory, at the widest vector width the CPU supports.
//
// The peak depends on how long one measures: on a shared or virtual machine
// every stretch longer than about a millisecond loses a few percent to
// interrupts and other tenants (one measurement on the 2-core EPYC VM: best
// ~1 ms window 447 GFLOP/s, ~4 ms 428, ~16 ms and longer 416). A call is
// compared with the best FMA window as long as the call, measured the same way
// its latency is (the fastest of many).
#pragma once

#include <vector>

namespace netc::driver {

struct MachinePeak {
  int threads = 0;
  int vectorBits = 0; // 512 (AVX-512), 256 (AVX2+FMA) or 128 (SSE: mul and add)
  /// Best GFLOP/s of all threads together over windows of windowMs[i].
  std::vector<double> windowMs, gflops;

  /// The peak over the shortest windows: the rate with nothing in the way.
  double burst() const;
  /// The peak sustained over `ms`, interpolated between the measured windows
  /// (log scale) and clamped at their ends. A window's peak is at least any
  /// longer window's (it contains shorter ones), whatever the noise measured.
  double over(double ms) const;
};

/// The curve at the widest vector this CPU has, or at most `maxVectorBits`
/// (the peak of code built for an older target, e.g. 256 for AVX2).
MachinePeak measureFmaPeak(int threads, int maxVectorBits = 512);

} // namespace netc::driver
