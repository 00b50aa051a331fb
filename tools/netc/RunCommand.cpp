// netc run: execute a model on given or random inputs (JIT or reference).
#include "Driver.h"
#include "compiler/codegen/HostTarget.h"
#include "compiler/codegen/JitExecutor.h"
#include "compiler/reference/Interpreter.h"
#include "frontends/weights/Npy.h"
#include "frontends/weights/RandomWeights.h"

#include <fmt/format.h>

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/raw_ostream.h>

namespace netc::driver {

namespace cl = llvm::cl;

static cl::opt<std::string> model(cl::Positional, cl::desc("<model.nn|model.ir>"), cl::Required,
                                  cl::sub(runCommand));
static cl::list<std::string> inputFiles("input", cl::desc("Input tensor from a .npy file"),
                                        cl::value_desc("name=file.npy"), cl::sub(runCommand),
                                        cl::cat(category));
static cl::opt<uint64_t> randomInputSeed("random-input",
                                     cl::desc("Fill every input with random data from this seed"),
                                     cl::value_desc("seed"), cl::sub(runCommand),
                                     cl::cat(category));
static cl::opt<int64_t> batchSize("batch",
                                  cl::desc("Batch size for --random-input (default 1)"),
                                  cl::init(1), cl::sub(runCommand), cl::cat(category));
static cl::opt<std::string> outputDir("output-dir",
                                      cl::desc("Write each output to DIR/<output>.npy"),
                                      cl::value_desc("dir"), cl::sub(runCommand),
                                      cl::cat(category));
static cl::opt<std::string> saveInputs("save-inputs",
                                       cl::desc("Also write the inputs used to DIR/<input>.npy"),
                                       cl::value_desc("dir"), cl::sub(runCommand),
                                       cl::cat(category));
static cl::opt<bool> reference("reference",
                               cl::desc("Use the reference interpreter instead of compiled code"),
                               cl::sub(runCommand), cl::cat(category));
static cl::opt<std::string> target("target", cl::desc("Halide target for the JIT (default host)"),
                                   cl::init("host"), cl::sub(runCommand), cl::cat(category));
static cl::opt<bool> quiet("quiet", cl::desc("Do not print output values"), cl::sub(runCommand),
                           cl::cat(category));

static bool writeTensors(const std::string &dir, const TensorMap &tensors,
                         DiagnosticEngine &diags) {
  if (auto ec = llvm::sys::fs::create_directories(dir)) {
    diags.error(dir, "cannot create directory: " + ec.message());
    return false;
  }
  for (const auto &[name, tensor] : tensors)
    if (!writeNpy(dir + "/" + name + ".npy", tensor, diags))
      return false;
  return true;
}

int runRun(DiagnosticEngine &diags) {
  ScheduleOptions schedule;
  if (!selectedScheduler(schedule.scheduler, diags) || !scheduleAssumptions(schedule, diags))
    return 1;
  std::unique_ptr<Graph> graph = loadModelWithWeights(model, true, diags);
  if (!graph)
    return 1;
  TensorMap inputs;
  for (const std::string &spec : inputFiles) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      diags.error(llvm::StringRef(), "--input expects NAME=FILE.npy, found '" + spec + "'");
      return 1;
    }
    std::string name = spec.substr(0, eq), file = spec.substr(eq + 1);
    if (file.empty()) {
      diags.error(llvm::StringRef(), "--input " + spec + ": missing file name");
      return 1;
    }
    // Otherwise the last one would silently win.
    if (inputs.count(name)) {
      diags.error(llvm::StringRef(), "input '" + name + "' is given twice");
      return 1;
    }
    Tensor t;
    if (!readNpy(file, t, diags))
      return 1;
    inputs[name] = std::move(t);
  }
  if (randomInputSeed.getNumOccurrences()) {
    if (batchSize <= 0) {
      diags.error(llvm::StringRef(), "--batch must be positive");
      return 1;
    }
    if (!checkBatchFits(*graph, batchSize, diags))
      return 1;
    for (const Value *in : graph->inputs())
      if (!inputs.count(in->name()))
        inputs[in->name()] =
            randomInput(in->type().concreteShape(batchSize), randomInputSeed, in->name());
  }
  for (const Value *in : graph->inputs())
    if (!inputs.count(in->name())) {
      diags.error(llvm::StringRef(), "no data for input '" + in->name() + "' " +
                                         in->type().str() +
                                         "; pass --input " + in->name() +
                                         "=FILE.npy or --random-input SEED");
      return 1;
    }
  if (!saveInputs.empty() && !writeTensors(saveInputs, inputs, diags))
    return 1;

  TensorMap outputs;
  if (reference) {
    if (!interpretGraph(*graph, inputs, outputs, diags))
      return 1;
  } else {
    if (!optimizeGraph(*graph, diags, target))
      return 1;
    if (schedule.scheduler != Scheduler::Netc) {
      // Autoschedulers optimize for the batch being run.
      schedule.batchEstimate = checkGraphInputs(*graph, inputs, diags);
      if (schedule.batchEstimate < 0)
        return 1;
    }
    // The JIT runs what it builds: a target this CPU cannot run would crash.
    std::string whyNot;
    if (!targetRunsOnHost(target, whyNot)) {
      diags.error(llvm::StringRef(), "cannot run here: " + whyNot);
      return 1;
    }
    auto executor = JitExecutor::create(*graph, target, diags, schedule);
    if (!executor || !executor->run(inputs, outputs, diags))
      return 1;
  }
  if (!outputDir.empty() && !writeTensors(outputDir, outputs, diags))
    return 1;
  if (!quiet) {
    std::string text;
    for (const Value *o : graph->outputs()) {
      const Tensor &t = outputs.at(o->name());
      text += fmt::format("{} {}:", o->name(), shapeStr(t.shape));
      size_t shown = std::min<size_t>(t.data.size(), 10);
      for (size_t i = 0; i < shown; ++i)
        text += fmt::format(" {:.6g}", t.data[i]);
      text += shown < t.data.size() ? " ...\n" : "\n";
    }
    llvm::outs() << text;
  }
  return 0;
}

} // namespace netc::driver
