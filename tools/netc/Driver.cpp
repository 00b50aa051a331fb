#include "Driver.h"
#include "compiler/codegen/HostTarget.h"
#include "compiler/passes/PassRegistry.h"
#include "frontends/ModelLoader.h"
#include "frontends/weights/BindWeights.h"
#include "frontends/weights/RandomWeights.h"
#include "frontends/weights/WeightFile.h"

#include <algorithm>

namespace netc::driver {

namespace cl = llvm::cl;

cl::OptionCategory category("netc options");
cl::SubCommand checkCommand("check", "Verify a model and print its layers and parameter counts");
cl::SubCommand runCommand("run", "Run a model (JIT-compiled, or with --reference the "
                                 "reference interpreter) and write its outputs");
cl::SubCommand compileCommand("compile",
                              "Compile a model to a C header and a native library");
cl::SubCommand printIrCommand("print-ir", "Print a model's graph IR");
cl::SubCommand opsCommand("ops", "List the layers (ops) netc knows");
cl::SubCommand benchCommand("bench", "Time a model compiled ahead of time for this machine "
                                     "(latency, GFLOP/s, % of the measured FMA peak)");

static cl::opt<std::string> weightsFile(
    "weights", cl::desc("Weights to load (.safetensors or .npz, keyed like a PyTorch state_dict)"),
    cl::value_desc("file"), cl::sub(checkCommand), cl::sub(runCommand), cl::sub(compileCommand),
    cl::sub(printIrCommand), cl::sub(benchCommand), cl::cat(category));
static cl::opt<uint64_t> randomWeights(
    "random-weights", cl::desc("Use deterministic random weights from this seed"),
    cl::value_desc("seed"), cl::sub(checkCommand), cl::sub(runCommand), cl::sub(compileCommand),
    cl::sub(printIrCommand), cl::cat(category));

static cl::opt<unsigned> optLevel(
    "O", cl::desc("Optimization level: -O0 runs every op as its own kernel, -O1 (default) "
                  "fuses conv/dense chains"),
    cl::Prefix, cl::init(1), cl::sub(runCommand), cl::sub(compileCommand),
    cl::sub(printIrCommand), cl::sub(benchCommand), cl::cat(category));
static cl::opt<bool> noWinograd(
    "no-winograd",
    cl::desc("Compute every conv directly, none by Winograd's F(2x2, 3x3) (which -O1 uses for "
             "3x3 convs where it is faster; its rounding differs by a few ulps)"),
    cl::sub(runCommand), cl::sub(compileCommand), cl::sub(printIrCommand), cl::sub(benchCommand),
    cl::cat(category));
static cl::opt<bool> remarks("remarks",
                             cl::desc("Explain each fusion decision (optimization remarks)"),
                             cl::sub(runCommand), cl::sub(compileCommand),
                             cl::sub(printIrCommand), cl::cat(category));

static cl::opt<std::string> autoschedule(
    "autoschedule",
    cl::desc("Schedule the kernels with a Halide autoscheduler instead of netc's schedules: "
             "adams2019, mullapudi2016 or li2018"),
    cl::value_desc("name"), cl::sub(runCommand), cl::sub(compileCommand), cl::sub(benchCommand),
    cl::cat(category));
static cl::opt<unsigned> compileJobsOption(
    "compile-jobs",
    cl::desc("Kernels compiled in parallel, also -j N (default: one per hardware thread)"),
    cl::value_desc("N"), cl::init(0), cl::sub(compileCommand), cl::sub(benchCommand),
    cl::cat(category));
static cl::alias compileJobsAlias("j", cl::desc("Alias for --compile-jobs"),
                                  cl::aliasopt(compileJobsOption), cl::cat(category));

static cl::opt<int> scheduleRegistersOption(
    "schedule-registers",
    cl::desc("Schedule as if the target had 16 or 32 vector registers (0: the target's), to run "
             "and check another target's schedules on this machine"),
    cl::value_desc("N"), cl::init(0), cl::Hidden, cl::sub(runCommand), cl::sub(compileCommand),
    cl::sub(benchCommand), cl::cat(category));

static cl::opt<int> scheduleLanesOption(
    "schedule-lanes",
    cl::desc("Schedule as if a vector held 4, 8 or 16 floats (0: the target's); with "
             "--schedule-registers 32 and 16 lanes, AVX-512's schedules run on AVX2"),
    cl::value_desc("N"), cl::init(0), cl::Hidden, cl::sub(runCommand), cl::sub(compileCommand),
    cl::sub(benchCommand), cl::cat(category));

bool scheduleAssumptions(ScheduleOptions &schedule, DiagnosticEngine &diags) {
  const int registers = scheduleRegistersOption, lanes = scheduleLanesOption;
  if (registers != 0 && registers != 16 && registers != 32) {
    diags.error(llvm::StringRef(), "--schedule-registers must be 0, 16 or 32, not " +
                                       std::to_string(registers));
    return false;
  }
  if (lanes != 0 && lanes != 4 && lanes != 8 && lanes != 16) {
    diags.error(llvm::StringRef(),
                "--schedule-lanes must be 0, 4, 8 or 16, not " + std::to_string(lanes));
    return false;
  }
  schedule.vectorRegisters = registers;
  schedule.vectorLanes = lanes;
  return true;
}

bool selectedScheduler(Scheduler &scheduler, DiagnosticEngine &diags) {
  scheduler = Scheduler::Netc;
  if (!autoschedule.getNumOccurrences())
    return true;
  std::string error;
  if (!parseScheduler(autoschedule, scheduler, error)) {
    diags.error(llvm::StringRef(), error);
    return false;
  }
  return true;
}

unsigned compileJobs() { return compileJobsOption; }

bool optimizeGraph(Graph &graph, DiagnosticEngine &diags, const std::string &target) {
  if (optLevel > 1) {
    diags.error(llvm::StringRef(), "-O must be 0 or 1, not " + std::to_string(optLevel));
    return false;
  }
  // targetVectorBits reads a misspelt target as "not x86", which would quietly
  // choose other passes and schedules than the target meant.
  std::string error;
  if (!isKnownTarget(target, error)) {
    diags.error(llvm::StringRef(), error);
    return false;
  }
  registerBuiltinPasses();
  diags.setRemarksEnabled(remarks);
  PassPipelineOptions options;
  options.target.vectorBits = targetVectorBits(target);
  std::vector<std::string> passes = optimizationPipeline(optLevel);
  if (noWinograd)
    passes.erase(std::remove(passes.begin(), passes.end(), "winograd-conv"), passes.end());
  return runPassPipeline(graph, passes, options, llvm::outs(), diags);
}

std::unique_ptr<Graph> loadModelWithWeights(const std::string &path, bool needWeights,
                                            DiagnosticEngine &diags) {
  std::unique_ptr<Graph> graph = loadModel(path, diags);
  if (!graph)
    return nullptr;
  if (!weightsFile.empty() && randomWeights.getNumOccurrences()) {
    diags.error(llvm::StringRef(), "--weights and --random-weights are mutually exclusive");
    return nullptr;
  }
  if (!weightsFile.empty()) {
    std::map<std::string, Tensor> tensors;
    if (!loadWeightFile(weightsFile, tensors, diags) ||
        !bindWeights(*graph, tensors, weightsFile, diags))
      return nullptr;
  } else if (randomWeights.getNumOccurrences()) {
    bindRandomWeights(*graph, randomWeights);
  } else if (needWeights && !graph->weights().empty()) {
    diags.error(llvm::StringRef(path),
                "the model has " + std::to_string(graph->weights().size()) +
                    " weight tensors; pass --weights FILE or --random-weights SEED");
    return nullptr;
  }
  return graph;
}

std::string withThousands(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return (n < 0 ? "-" : "") + out;
}

} // namespace netc::driver
