// netc-opt: runs graph passes on a model and prints the resulting IR, for lit
// tests and pass development (like mlir-opt).
#include "compiler/codegen/HostTarget.h"
#include "compiler/passes/PassRegistry.h"
#include "frontends/ModelLoader.h"
#include "frontends/weights/RandomWeights.h"
#include "ir/OpRegistry.h"
#include "ir/Printer.h"

#include <llvm/Pass.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/Format.h>
#include <llvm/Support/InitLLVM.h>
#include <llvm/Support/raw_ostream.h>

using namespace netc;
namespace cl = llvm::cl;

static cl::OptionCategory category("netc-opt options");
static cl::opt<std::string> input(cl::Positional, cl::desc("<model.ir|model.nn>"), cl::Required,
                                  cl::cat(category));
static cl::list<std::string> passes("pass", cl::desc("Run this pass (repeatable, in order)"),
                                    cl::value_desc("name"), cl::CommaSeparated, cl::cat(category));
static cl::opt<bool> printAfterAll("print-ir-after-all", cl::desc("Print the IR after every pass"),
                                   cl::cat(category));
static cl::opt<bool> remarks("remarks", cl::desc("Print optimization remarks (why fusions happen or not)"),
                             cl::cat(category));
static cl::opt<uint64_t> randomWeights(
    "random-weights", cl::desc("Bind deterministic random weights (for passes that need data)"),
    cl::value_desc("seed"), cl::cat(category));
static cl::opt<bool> listPasses("list-passes", cl::desc("List the registered passes and exit"),
                                cl::cat(category));
static cl::opt<std::string> target("target",
                                   cl::desc("Halide target passes may choose by (default host)"),
                                   cl::init("host"), cl::cat(category));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerBuiltinOps();
  registerBuiltinPasses();
  // --time-passes is LLVM's own option (registered by libLLVM); netc-opt honours it.
  cl::getRegisteredOptions()["time-passes"]->setDescription("Report the time each pass took");
  cl::getRegisteredOptions()["time-passes"]->addCategory(category);
  cl::getRegisteredOptions()["time-passes"]->setHiddenFlag(cl::NotHidden);
  DiagnosticEngine::setToolName("netc-opt");
  cl::SetVersionPrinter([](llvm::raw_ostream &os) { os << "netc-opt " NETC_VERSION "\n"; });
  cl::HideUnrelatedOptions(category);
  // --list-passes needs no input file.
  for (int i = 1; i < argc; ++i)
    if (llvm::StringRef(argv[i]) == "--list-passes" || llvm::StringRef(argv[i]) == "-list-passes") {
      for (const PassInfo &p : PassRegistry::get().all())
        llvm::outs() << llvm::format("  %-16s %s\n", p.name.c_str(), p.description.c_str());
      return 0;
    }
  cl::ParseCommandLineOptions(argc, argv, "netc-opt: run graph passes and print the IR\n");
  DiagnosticEngine diags;
  diags.setRemarksEnabled(remarks);
  // targetVectorBits reads a misspelt target as "not x86", which would quietly
  // change what the passes choose.
  std::string targetError;
  if (!isKnownTarget(target, targetError)) {
    diags.error(llvm::StringRef(), targetError);
    return 1;
  }
  std::unique_ptr<Graph> graph = loadModel(input, diags);
  if (!graph)
    return 1;
  if (randomWeights.getNumOccurrences())
    bindRandomWeights(*graph, randomWeights);
  PassPipelineOptions options;
  options.printIrAfterAll = printAfterAll;
  options.timePasses = llvm::TimePassesIsEnabled;
  options.target.vectorBits = targetVectorBits(target);
  std::vector<std::string> names(passes.begin(), passes.end());
  if (!runPassPipeline(*graph, names, options, llvm::outs(), diags))
    return 1;
  if (!printAfterAll)
    printGraph(*graph, llvm::outs());
  return 0;
}
