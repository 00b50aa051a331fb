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
/// depend on declaration order or on the other weights. Distributions keep
/// activations at a steady scale through deep networks, so numeric tests of a
/// 20-layer net still see every layer in its output:
///   - rank >= 2 (conv / dense kernels): He-uniform U(-b, b), b = sqrt(6 / fan_in),
///     fan_in = the product of dims 1.. (PyTorch's smaller default bound,
///     1/sqrt(fan_in), shrinks the signal ~2.4x per layer until a deep net's output
///     is its last bias);
///   - `*running_var` and batch-norm gammas (`*.weight` of rank 1): U(0.5, 1.5);
///   - `*running_mean` and everything else of rank <= 1 (biases, betas): U(-0.1, 0.1).
void bindRandomWeights(Graph &graph, uint64_t seed);

/// An input tensor of `shape` with values in U(-1, 1), seeded from (`seed`, `name`).
Tensor randomInput(const std::vector<int64_t> &shape, uint64_t seed, const std::string &name);

} // namespace netc
