#include "compiler/codegen/AotCompiler.h"
#include "compiler/codegen/CGlueWriter.h"
#include "compiler/codegen/ExecutionPlan.h"
#include "compiler/lower/KernelBuilder.h"
#include "ir/Graph.h"
#include "ir/Printer.h"

#include <llvm/Object/ArchiveWriter.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Program.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <cstdlib>

namespace netc {

const std::vector<std::string> &aotEmitKinds() {
  static const std::vector<std::string> kinds = {"ir", "stmt", "llvm", "asm", "c"};
  return kinds;
}

namespace {

bool writeFile(const std::string &path, llvm::StringRef contents, DiagnosticEngine &diags) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    diags.error(path, "cannot write file: " + ec.message());
    return false;
  }
  os << contents;
  return true;
}

/// Runs a host tool (the C compiler); reports its failure with the command line.
bool runTool(const std::vector<std::string> &argv, DiagnosticEngine &diags) {
  auto program = llvm::sys::findProgramByName(argv[0]);
  if (!program) {
    diags.error(llvm::StringRef(), "cannot find '" + argv[0] +
                                       "' to build the model's entry point; install a C "
                                       "compiler (apt-get install gcc) or set CC");
    return false;
  }
  std::vector<llvm::StringRef> args(argv.begin(), argv.end());
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*program, args, llvm::None, {}, 0, 0, &message);
  if (rc != 0) {
    std::string command;
    for (const auto &a : argv)
      command += (command.empty() ? "" : " ") + a;
    diags.error(llvm::StringRef(), "internal error: '" + command + "' failed" +
                                       (message.empty() ? "" : ": " + message));
    return false;
  }
  return true;
}

std::string cCompiler() {
  const char *cc = std::getenv("CC");
  return cc && *cc ? cc : "cc";
}

std::string runtimeLibrary() {
  const char *lib = std::getenv("NETC_RUNTIME_LIB");
  return lib && *lib ? lib : NETC_RUNTIME_LIBRARY;
}

bool wants(const AotOptions &options, const std::string &kind) {
  return std::find(options.emit.begin(), options.emit.end(), kind) != options.emit.end();
}

} // namespace

bool compileAot(const Graph &graph, const AotOptions &options, DiagnosticEngine &diags) {
  Halide::Target target;
  std::string error;
  if (!parseTarget(options.target, target, error)) {
    diags.error(llvm::StringRef(), error);
    return false;
  }
  // Kernels carry no Halide runtime: the one in libnetc_runtime serves every model
  // linked into an application.
  target = target.with_feature(Halide::Target::NoRuntime);
  const std::string prefix = options.prefix.empty() ? sanitizeIdentifier(graph.name()) : options.prefix;
  const std::string &dir = options.outputDir;
  if (auto ec = llvm::sys::fs::create_directories(dir)) {
    diags.error(dir, "cannot create output directory: " + ec.message());
    return false;
  }
  for (const Value *w : graph.weights())
    if (!w->data()) {
      diags.error(llvm::StringRef(), "weight '" + w->name() + "' has no data");
      return false;
    }

  llvm::SmallString<128> work;
  if (auto ec = llvm::sys::fs::createUniqueDirectory("netc-" + prefix, work)) {
    diags.error(llvm::StringRef(), "cannot create a temporary directory: " + ec.message());
    return false;
  }
  // Intermediate files are removed however compilation ends.
  struct RemoveOnExit {
    llvm::SmallString<128> &dir;
    ~RemoveOnExit() { llvm::sys::fs::remove_directories(dir); }
  } cleanup{work};
  auto workFile = [&](const std::string &name) { return (work + "/" + name).str(); };
  auto outFile = [&](const std::string &name) { return dir + "/" + name; };

  ExecutionPlan plan = planExecution(graph, prefix + "_k");
  if (options.printStats)
    llvm::outs() << describePlan(graph, plan);
  std::string kernelsObject = workFile(prefix + "_kernels.o");
  try {
    std::vector<Halide::Module> modules;
    for (const KernelStep &step : plan.steps) {
      HalideKernel kernel = buildKernel(step, target);
      modules.push_back(
          kernel.pipeline.compile_to_module(kernel.arguments(), kernel.name, target));
    }
    Halide::Module linked = Halide::link_modules(prefix + "_kernels", modules);
    std::map<Halide::OutputFileType, std::string> outputs = {
        {Halide::OutputFileType::object, kernelsObject}};
    if (wants(options, "stmt"))
      outputs[Halide::OutputFileType::stmt] = outFile(prefix + ".stmt");
    if (wants(options, "llvm"))
      outputs[Halide::OutputFileType::llvm_assembly] = outFile(prefix + ".ll");
    if (wants(options, "asm"))
      outputs[Halide::OutputFileType::assembly] = outFile(prefix + ".s");
    linked.compile(outputs);
  } catch (const Halide::Error &e) {
    diags.error(llvm::StringRef(), llvm::Twine("internal error: Halide failed to compile: ") +
                                       e.what());
    return false;
  }

  // Weights: one blob, pulled into an object with the assembler's .incbin so even
  // VGG-16's half gigabyte never passes through a C compiler.
  WeightLayout layout = layoutWeights(graph);
  std::string blobPath = workFile(prefix + "_weights.bin");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(blobPath, ec);
    if (ec) {
      diags.error(blobPath, "cannot write file: " + ec.message());
      return false;
    }
    int64_t written = 0;
    for (const Value *w : graph.weights()) {
      int64_t offset = layout.byteOffset.at(w);
      os.write_zeros(offset - written);
      const Tensor &data = *w->data();
      os.write(reinterpret_cast<const char *>(data.ptr()), data.data.size() * 4);
      written = offset + (int64_t)data.data.size() * 4;
    }
    os.write_zeros(layout.totalBytes - written + 64);
  }
  std::string weightsAsm = workFile(prefix + "_weights.S");
  std::string symbol = prefix + "_weights";
  if (!writeFile(weightsAsm,
                 ".section .rodata\n.balign 64\n.globl " + symbol + "\n.hidden " + symbol +
                     "\n.type " + symbol + ", @object\n" + symbol + ":\n.incbin \"" + blobPath +
                     "\"\n.section .note.GNU-stack,\"\",@progbits\n",
                 diags))
    return false;

  std::string header = writeModelHeader(graph, prefix, options.sourceName);
  std::string glue = writeModelGlue(graph, plan, layout, prefix);
  if (!writeFile(outFile(prefix + ".h"), header, diags) ||
      !writeFile(workFile(prefix + ".h"), header, diags) ||
      !writeFile(workFile(prefix + "_entry.c"), glue, diags))
    return false;
  if (wants(options, "c") && !writeFile(outFile(prefix + "_entry.c"), glue, diags))
    return false;
  if (wants(options, "ir") && !writeFile(outFile(prefix + ".ir"), graphToString(graph), diags))
    return false;

  std::string cc = cCompiler();
  std::string glueObject = workFile(prefix + "_entry.o"), weightsObject = workFile(prefix + "_weights.o");
  if (!runTool({cc, "-c", "-O2", "-fPIC", "-std=c11", "-I", NETC_RUNTIME_INCLUDE_DIR, "-I",
                NETC_HALIDE_INCLUDE_DIR, "-I", work.str().str(), workFile(prefix + "_entry.c"), "-o",
                glueObject},
               diags) ||
      !runTool({cc, "-c", weightsAsm, "-o", weightsObject}, diags))
    return false;

  std::vector<std::string> objects = {kernelsObject, glueObject, weightsObject};
  std::vector<llvm::NewArchiveMember> members;
  for (const std::string &object : objects) {
    auto member = llvm::NewArchiveMember::getFile(object, /*Deterministic=*/true);
    if (!member) {
      diags.error(object, "cannot read object: " + llvm::toString(member.takeError()));
      return false;
    }
    members.push_back(std::move(*member));
  }
  std::string archive = outFile("lib" + prefix + ".a");
  if (llvm::Error e = llvm::writeArchive(archive, members, /*WriteSymtab=*/true,
                                         llvm::object::Archive::K_GNU, /*Deterministic=*/true,
                                         /*Thin=*/false)) {
    diags.error(archive, "cannot write archive: " + llvm::toString(std::move(e)));
    return false;
  }
  if (options.sharedLibrary &&
      !runTool({cc, "-shared", "-o", outFile("lib" + prefix + ".so"), kernelsObject, glueObject,
                weightsObject, runtimeLibrary(), "-lpthread", "-ldl", "-lm"},
               diags))
    return false;
  return true;
}

} // namespace netc
