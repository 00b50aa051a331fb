// netc compile: ahead-of-time compilation to <name>.h + lib<name>.a (+ .so).
#include "Driver.h"
#include "compiler/codegen/AotCompiler.h"
#include "compiler/codegen/ExecutionPlan.h"

#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>

namespace netc::driver {

namespace cl = llvm::cl;

static cl::opt<std::string> model(cl::Positional, cl::desc("<model.nn|model.ir>"), cl::Required,
                                  cl::sub(compileCommand));
static cl::opt<std::string> outputDir("o", cl::desc("Output directory"), cl::value_desc("dir"),
                                      cl::Required, cl::sub(compileCommand), cl::cat(category));
static cl::opt<std::string> target("target",
                                   cl::desc("Halide target: host (default), x86-64-linux-avx2, "
                                            "x86-64-linux-avx512, arm-64-linux, ..."),
                                   cl::init("host"), cl::sub(compileCommand), cl::cat(category));
static cl::list<std::string> emit("emit",
                                  cl::desc("Also write: ir, stmt (Halide), llvm, asm, c (entry point)"),
                                  cl::CommaSeparated, cl::sub(compileCommand), cl::cat(category));
static cl::opt<bool> shared("shared", cl::desc("Also build lib<name>.so"),
                            cl::sub(compileCommand), cl::cat(category));
static cl::opt<bool> profile("profile",
                             cl::desc("Time every kernel call; the library exports "
                                      "<name>_profile() and <name>_profile_reset()"),
                             cl::sub(compileCommand), cl::cat(category));
static cl::opt<bool> stats("stats",
                           cl::desc("Print the kernels (fused groups), the activation arena "
                                    "size and the sum of all activation sizes"),
                           cl::sub(compileCommand), cl::cat(category));
static cl::opt<std::string> name("name",
                                 cl::desc("C name prefix of the generated API (default: the model name)"),
                                 cl::sub(compileCommand), cl::cat(category));

static cl::opt<int> threads("threads",
                            cl::desc("Threads the schedules divide the work among (default: "
                                     "one per hardware thread of this machine)"),
                            cl::init(0), cl::sub(compileCommand), cl::cat(category));

int runCompile(DiagnosticEngine &diags) {
  if (threads < 0) {
    diags.error(llvm::StringRef(), "--threads must be 0 (one per hardware thread) or more");
    return 1;
  }
  for (const std::string &kind : emit)
    if (std::find(aotEmitKinds().begin(), aotEmitKinds().end(), kind) == aotEmitKinds().end()) {
      diags.error(llvm::StringRef(), "unknown --emit kind '" + kind +
                                         "' (known: ir, stmt, llvm, asm, c)");
      return 1;
    }
  if (!name.empty() && (sanitizeIdentifier(name) != name || name.rfind("netc_", 0) == 0)) {
    diags.error(llvm::StringRef(), "--name '" + name +
                                       "' must be a C identifier (letters, digits, '_', not "
                                       "starting with a digit or 'netc_')");
    return 1;
  }
  ScheduleOptions schedule;
  if (!selectedScheduler(schedule.scheduler, diags) || !scheduleAssumptions(schedule, diags))
    return 1;
  std::unique_ptr<Graph> graph = loadModelWithWeights(model, true, diags);
  if (!graph)
    return 1;
  if (!optimizeGraph(*graph, diags, target))
    return 1;
  AotOptions options;
  options.outputDir = outputDir;
  options.target = target;
  options.emit.assign(emit.begin(), emit.end());
  options.sharedLibrary = shared;
  options.prefix = name;
  options.sourceName = llvm::sys::path::filename(model).str();
  options.printStats = stats;
  options.profile = profile;
  options.schedule = schedule; // estimates batch 1 for a symbolic batch
  options.schedule.threads = threads;
  options.jobs = compileJobs();
  return compileAot(*graph, options, diags) ? 0 : 1;
}

} // namespace netc::driver
