// The reference interpreter: runs a graph op by op with each op's naive kernel.
// Slow on purpose and the oracle of every numeric test (`netc run --reference`).
#pragma once

#include "ir/Diagnostics.h"
#include "ir/Tensor.h"

#include <map>
#include <string>

namespace netc {
class Graph;

using TensorMap = std::map<std::string, Tensor>;

/// Checks `inputs` against the graph's inputs (names, ranks, static dims, one
/// consistent batch size) and returns the batch size, or -1 after reporting errors.
int64_t checkGraphInputs(const Graph &graph, const TensorMap &inputs, DiagnosticEngine &diags);

/// Checks that with this batch size every tensor of the graph stays within the
/// 2^31-1 elements compiled code can index; reports the first that does not.
bool checkBatchFits(const Graph &graph, int64_t batch, DiagnosticEngine &diags);

/// Runs the graph; weights must be bound. Fills `outputs` by output name.
bool interpretGraph(const Graph &graph, const TensorMap &inputs, TensorMap &outputs,
                    DiagnosticEngine &diags);

} // namespace netc
