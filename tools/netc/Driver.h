// Pieces shared by netc's subcommands: the subcommands themselves, options that
// several of them take, and loading a model with its weights.
#pragma once

#include "compiler/lower/AutoSchedule.h"
#include "ir/Diagnostics.h"
#include "ir/Graph.h"

#include <llvm/Support/CommandLine.h>

#include <memory>
#include <string>

namespace netc::driver {

extern llvm::cl::OptionCategory category;
extern llvm::cl::SubCommand checkCommand, runCommand, compileCommand, printIrCommand, opsCommand,
    benchCommand;

/// Loads the model named on the command line and binds its weights from
/// --weights or --random-weights. `needWeights`: error if neither was given and
/// the model has weights.
std::unique_ptr<Graph> loadModelWithWeights(const std::string &path, bool needWeights,
                                            DiagnosticEngine &diags);

/// Runs the optimization pipeline of the -O level given on the command line
/// (remarks with --remarks) for the Halide `target` the code is compiled for
/// ("host", ...): some passes choose by it. The reference interpreter runs
/// unoptimized graphs.
bool optimizeGraph(Graph &graph, DiagnosticEngine &diags, const std::string &target);

/// The scheduler named by --autoschedule (run, compile, bench); false after
/// reporting an unknown name.
bool selectedScheduler(Scheduler &scheduler, DiagnosticEngine &diags);

/// --schedule-registers and --schedule-lanes (run, compile, bench; hidden):
/// the vector registers and floats per vector to schedule for instead of the
/// target's (ScheduleOptions::vectorRegisters, vectorLanes); false after
/// reporting a value that is not allowed.
bool scheduleAssumptions(ScheduleOptions &schedule, DiagnosticEngine &diags);

/// --compile-jobs / -j (compile, bench): kernels compiled at once, 0 = one per
/// hardware thread.
unsigned compileJobs();

/// "308,200"
std::string withThousands(int64_t n);

int runCheck(DiagnosticEngine &diags);
int runRun(DiagnosticEngine &diags);
int runCompile(DiagnosticEngine &diags);
int runPrintIr(DiagnosticEngine &diags);
int runOps();
int runBench(DiagnosticEngine &diags);

} // namespace netc::driver
