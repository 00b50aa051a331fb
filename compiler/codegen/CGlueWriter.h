// Writes the C side of a compiled model: the public header `<name>.h` and the
// entry point that checks the caller's tensors, lays out the activation arena and
// calls the Halide kernels in order.
#pragma once

#include "compiler/codegen/ExecutionPlan.h"

#include <map>
#include <string>

namespace netc {
class Graph;

struct WeightLayout {
  std::map<const Value *, int64_t> byteOffset; // into the embedded weight blob
  int64_t totalBytes = 0;
};

/// Lays weights out back to back, 64-byte aligned.
WeightLayout layoutWeights(const Graph &graph);

/// With `profile`, the entry point times every kernel call and the library
/// exports `<prefix>_profile` and `<prefix>_profile_reset` (see netc_profile_entry).
std::string writeModelHeader(const Graph &graph, const std::string &prefix,
                             const std::string &sourceName, bool profile);
std::string writeModelGlue(const Graph &graph, const ExecutionPlan &plan,
                           const WeightLayout &weights, const std::string &prefix, bool profile);

} // namespace netc
