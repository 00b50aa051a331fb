// netc: the neural-network compiler driver.
#include "Driver.h"
#include "ir/OpRegistry.h"

#include <llvm/Support/InitLLVM.h>
#include <llvm/Support/raw_ostream.h>

using namespace netc;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerBuiltinOps();
  llvm::cl::HideUnrelatedOptions(driver::category);
  llvm::cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "netc " NETC_VERSION " (Halide 14, LLVM 14)\n";
  });
  llvm::cl::ParseCommandLineOptions(
      argc, argv,
      "netc: compiles neural networks to native code\n\n"
      "  netc check model.nn                       layers, shapes, parameter counts\n"
      "  netc run model.nn --random-weights 1 --random-input 2 --output-dir out/\n"
      "  netc compile model.nn --weights w.safetensors -o out/\n"
      "  netc print-ir model.nn\n"
      "  netc bench model.nn --batch 8\n"
      "  netc ops\n\n"
      "Run 'netc <command> --help' for a command's options.\n");
  DiagnosticEngine diags;
  if (driver::checkCommand)
    return driver::runCheck(diags);
  if (driver::runCommand)
    return driver::runRun(diags);
  if (driver::compileCommand)
    return driver::runCompile(diags);
  if (driver::printIrCommand)
    return driver::runPrintIr(diags);
  if (driver::opsCommand)
    return driver::runOps();
  if (driver::benchCommand)
    return driver::runBench(diags);
  llvm::errs() << "netc: error: no command given; run 'netc --help'\n";
  return 1;
}
