// Measures this machine's sustainable memory bandwidth, the yardstick of
// `netc bench --profile`'s GB/s column: a STREAM-style triad a = b + s*c over
// arrays far larger than the caches, all threads at once, best of a few passes.
#pragma once

namespace netc::driver {

/// GB/s, counting 24 bytes per element (two loads, one store) as STREAM does.
double measureStreamBandwidth(int threads);

} // namespace netc::driver
