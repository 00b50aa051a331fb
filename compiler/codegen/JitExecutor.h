// Runs a graph with kernels compiled in-process by Halide's JIT (`netc run`).
#pragma once

#include "compiler/lower/AutoSchedule.h"
#include "compiler/reference/Interpreter.h"
#include "ir/Diagnostics.h"

#include <memory>
#include <string>

namespace netc {
class Graph;

class JitExecutor {
public:
  /// Compiles every kernel of `graph` (weights bound) for `target` ("host" etc.),
  /// scheduled by netc or by the autoscheduler `schedule` names.
  static std::unique_ptr<JitExecutor> create(const Graph &graph, const std::string &target,
                                             DiagnosticEngine &diags,
                                             const ScheduleOptions &schedule = {});
  ~JitExecutor();
  bool run(const TensorMap &inputs, TensorMap &outputs, DiagnosticEngine &diags);

private:
  struct Impl;
  explicit JitExecutor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

} // namespace netc
