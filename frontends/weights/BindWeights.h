// Binding loaded tensors to a graph's named weights.
#pragma once

#include "ir/Diagnostics.h"
#include "ir/Graph.h"
#include "ir/Tensor.h"

#include <map>
#include <string>

namespace netc {

/// Attaches `tensors[w->name()]` to every weight `w` of `graph` (Value::setData).
///
/// Reports every problem rather than the first, each naming the key, with `origin`
/// (usually the weight file's path) as the diagnostic's location:
///   - a weight with no tensor (`missing tensor 'fc.weight' (expected shape [10,3072])`),
///   - a tensor whose shape differs from the weight's type, plus a note at the
///     weight's declaration when it has a source location,
///   - a tensor the model has no weight for, with a "did you mean" hint for a close
///     name. PyTorch's `*.num_batches_tracked` counters are ignored silently.
/// Weights that match are bound even if others fail. Returns false if any error.
bool bindWeights(Graph &graph, const std::map<std::string, Tensor> &tensors,
                 const std::string &origin, DiagnosticEngine &diags);

} // namespace netc
