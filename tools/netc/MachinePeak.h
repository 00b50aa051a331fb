// Measures this machine's fp32 FMA peak, the yardstick `netc bench` reports
// against: every thread runs independent chains of vector FMAs that never touch
// memory, at the widest vector width the CPU supports.
#pragma once

namespace netc::driver {

struct MachinePeak {
  double gflops = 0;  // all threads together
  int threads = 0;
  int vectorBits = 0; // 512 (AVX-512), 256 (AVX2+FMA) or 128
};

MachinePeak measureFmaPeak(int threads);

} // namespace netc::driver
