// Deterministic pseudo-random weights and inputs, for running and testing a model
// before it has trained weights (`--random-weights`).
//
// The generator is netc's own (splitmix64-seeded xoshiro256**) rather than a std::
// distribution, whose output differs between standard libraries: the same seed gives
// bit-identical tensors on every platform and compiler, so outputs can be compared
// across machines and checked into tests.
#pragma once

#include "ir/Graph.h"
#include "ir/Tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace netc {

/// Fills `t` (its data resized to match `t.shape`) with values uniform in [lo, hi),
/// a pure function of `seed`.
void fillUniform(Tensor &t, uint64_t seed, float lo, float hi);

/// Binds random data to every weight of `graph`, replacing any bound data. Each
/// weight's stream is seeded from (`seed`, its name), so a weight's values do not
/// depend on declaration order or on the other weights. Distributions follow
/// PyTorch's defaults closely enough for numerically sane activations:
///   - rank >= 2 (conv / dense kernels): U(-b, b), b = 1/sqrt(fan_in), fan_in = the
///     product of dims 1.. (PyTorch's default init bound);
///   - `*running_var` and batch-norm gammas (`*.weight` of rank 1): U(0.5, 1.5);
///   - `*running_mean` and everything else of rank <= 1 (biases, betas): U(-0.1, 0.1).
void bindRandomWeights(Graph &graph, uint64_t seed);

/// An input tensor of `shape` with values in U(-1, 1), seeded from (`seed`, `name`).
Tensor randomInput(const std::vector<int64_t> &shape, uint64_t seed, const std::string &name);

} // namespace netc
