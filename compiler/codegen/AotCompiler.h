// Ahead-of-time compilation of a graph into `<name>.h` + `lib<name>.a` (and
// optionally `lib<name>.so`) with the weights embedded.
#pragma once

#include "compiler/lower/AutoSchedule.h"
#include "ir/Diagnostics.h"

#include <string>
#include <vector>

namespace netc {
class Graph;

struct AotOptions {
  std::string outputDir;
  std::string target = "host";
  /// C symbol prefix; defaults to the graph name.
  std::string prefix;
  /// Extra artifacts: "ir", "stmt", "llvm", "asm", "c" (the generated glue).
  std::vector<std::string> emit;
  bool sharedLibrary = false;
  /// Time every kernel call in the entry point (see writeModelGlue).
  bool profile = false;
  /// Shown in the generated header.
  std::string sourceName;
  /// Print the kernels, arena size and activation total to stdout.
  bool printStats = false;
  /// netc's schedules or a Halide autoscheduler (batch estimate 1 unless set).
  ScheduleOptions schedule;
  /// Kernels compiled at once (lowering + LLVM code generation, one object per
  /// kernel); 0: one per hardware thread.
  unsigned jobs = 0;
};

/// The artifact kinds `--emit` accepts.
const std::vector<std::string> &aotEmitKinds();

bool compileAot(const Graph &graph, const AotOptions &options, DiagnosticEngine &diags);

} // namespace netc
