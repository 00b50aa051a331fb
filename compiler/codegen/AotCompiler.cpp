#include "compiler/codegen/AotCompiler.h"
#include "compiler/codegen/CGlueWriter.h"
#include "compiler/codegen/ExecutionPlan.h"
#include "compiler/codegen/KernelObjectWriter.h"
#include "compiler/codegen/WorkerThreads.h"
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
#include <functional>
#include <map>
#include <optional>
#include <system_error>

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

/// Compiles the kernels of a plan into objects on worker threads while the
/// caller writes the weights and the entry point.
///
/// The kernels' Halide definitions (and autoschedules) are built first, one
/// after another in kernel order: Halide numbers repeated Func names
/// process-wide ("conv2d$1") and those names reach symbols, so a fixed order
/// keeps the archive byte-identical whatever the number of jobs. Lowering and
/// LLVM code generation — nearly all of the time — then run on `jobs` threads,
/// each taking the next kernel: kernels are independent pipelines and share
/// nothing but Halide's compiler, which is safe to run on distinct pipelines
/// at once. Each kernel becomes its own object, unless --emit asks for Halide
/// or LLVM artifacts: then the lowered kernels are linked into one module whose
/// stmt, LLVM IR, assembly and single object come from one (serial) LLVM code
/// generation in finish().
class KernelCompiler {
public:
  KernelCompiler(const ExecutionPlan &plan, const Halide::Target &target,
                 const AotOptions &options,
                 std::function<std::string(const std::string &)> workFile)
      : plan_(plan), target_(target), options_(options), workFile_(std::move(workFile)),
        linked_(wants(options, "stmt") || wants(options, "llvm") || wants(options, "asm")),
        results_(plan.steps.size()) {
    for (size_t i = 0; i < plan.steps.size(); ++i)
      attempt(results_[i],
              [&] { results_[i].kernel = buildKernel(plan.steps[i], target, options.schedule); });
    workers_.emplace(results_.size(), options.jobs, [this](size_t i) { compile(results_[i]); });
  }

  /// Waits for the workers and reports every failed kernel, in kernel order; on
  /// success appends the objects to archive to `objects`.
  bool finish(const std::string &prefix, std::vector<std::string> &objects,
              DiagnosticEngine &diags) {
    wait();
    bool ok = true;
    for (size_t i = 0; i < results_.size(); ++i)
      if (!results_[i].error.empty()) {
        diags.error(llvm::StringRef(), "internal error: Halide failed to compile kernel '" +
                                           plan_.steps[i].kernelName + "': " +
                                           results_[i].error);
        ok = false;
      }
    if (!ok)
      return false;
    if (!linked_) {
      for (Result &result : results_)
        objects.push_back(result.object);
      return true;
    }
    std::string kernelsObject = workFile_(prefix + "_kernels.o");
    auto outFile = [&](const std::string &name) { return options_.outputDir + "/" + name; };
    try {
      std::vector<Halide::Module> modules;
      for (Result &result : results_)
        modules.push_back(*result.module);
      Halide::Module module = Halide::link_modules(prefix + "_kernels", modules);
      KernelArtifacts artifacts;
      artifacts.object = kernelsObject;
      if (wants(options_, "stmt"))
        artifacts.stmt = outFile(prefix + ".stmt");
      if (wants(options_, "llvm"))
        artifacts.llvmAssembly = outFile(prefix + ".ll");
      if (wants(options_, "asm"))
        artifacts.assembly = outFile(prefix + ".s");
      compileKernelModule(module, artifacts);
    } catch (const Halide::Error &e) {
      diags.error(llvm::StringRef(), llvm::Twine("internal error: Halide failed to compile: ") +
                                         e.what());
      return false;
    } catch (const std::exception &e) {
      diags.error(llvm::StringRef(), e.what());
      return false;
    }
    objects.push_back(kernelsObject);
    return true;
  }

private:
  struct Result {
    std::optional<HalideKernel> kernel;   // built, not yet compiled
    std::optional<Halide::Module> module; // lowered, when linked_
    std::string object;                   // compiled, otherwise
    std::string error;
  };

  static void attempt(Result &result, const std::function<void()> &work) {
    try {
      work();
    } catch (const Halide::Error &e) {
      llvm::StringRef message = llvm::StringRef(e.what()).trim();
      message.consume_front("Error: ");
      result.error = message.str();
    } catch (const std::exception &e) {
      result.error = e.what();
    }
  }

  void compile(Result &result) {
    if (!result.kernel)
      return; // building it failed
    attempt(result, [&] {
      HalideKernel &kernel = *result.kernel;
      Halide::Module module =
          kernel.pipeline.compile_to_module(kernel.arguments(), kernel.name, target_);
      if (linked_) {
        result.module = std::move(module);
      } else {
        result.object = workFile_(kernel.name + ".o");
        KernelArtifacts artifacts;
        artifacts.object = result.object;
        compileKernelModule(module, artifacts);
      }
    });
    result.kernel.reset(); // its definitions are not needed any more
  }

  void wait() { workers_->wait(); }

  const ExecutionPlan &plan_;
  const Halide::Target target_;
  const AotOptions &options_;
  const std::function<std::string(const std::string &)> workFile_;
  const bool linked_;
  std::vector<Result> results_;
  std::optional<WorkerThreads> workers_; // last: joined before the rest goes
};

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
  if (!loadScheduler(options.schedule.scheduler, diags))
    return false;
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
  // The kernels compile on worker threads while this thread writes the weights
  // and builds the entry point (work-directory files only: nothing lands in the
  // output directory before the kernels are known to compile).
  KernelCompiler kernels(plan, target, options, workFile);

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

  std::string header = writeModelHeader(graph, prefix, options.sourceName, options.profile);
  std::string glue = writeModelGlue(graph, plan, layout, prefix, options.profile);
  if (!writeFile(workFile(prefix + ".h"), header, diags) ||
      !writeFile(workFile(prefix + "_entry.c"), glue, diags))
    return false;

  std::string cc = cCompiler();
  std::string glueObject = workFile(prefix + "_entry.o"), weightsObject = workFile(prefix + "_weights.o");
  if (!runTool({cc, "-c", "-O2", "-fPIC", "-std=c11", "-I", NETC_RUNTIME_INCLUDE_DIR, "-I",
                NETC_HALIDE_INCLUDE_DIR, "-I", work.str().str(), workFile(prefix + "_entry.c"), "-o",
                glueObject},
               diags) ||
      !runTool({cc, "-c", weightsAsm, "-o", weightsObject}, diags))
    return false;

  std::vector<std::string> objects;
  if (!kernels.finish(prefix, objects, diags))
    return false;
  if (!writeFile(outFile(prefix + ".h"), header, diags))
    return false;
  if (wants(options, "c") && !writeFile(outFile(prefix + "_entry.c"), glue, diags))
    return false;
  if (wants(options, "ir") && !writeFile(outFile(prefix + ".ir"), graphToString(graph), diags))
    return false;

  objects.push_back(glueObject);
  objects.push_back(weightsObject);
  std::vector<llvm::NewArchiveMember> members;
  for (const std::string &object : objects) {
    auto member = llvm::NewArchiveMember::getFile(object, /*Deterministic=*/true);
    if (!member) {
      diags.error(object, "cannot read object: " + llvm::toString(member.takeError()));
      return false;
    }
    // Members are named by file name, not by their path in the temporary
    // directory, so the same model gives the same archive on every run.
    member->MemberName = llvm::sys::path::filename(object);
    members.push_back(std::move(*member));
  }
  std::string archive = outFile("lib" + prefix + ".a");
  if (llvm::Error e = llvm::writeArchive(archive, members, /*WriteSymtab=*/true,
                                         llvm::object::Archive::K_GNU, /*Deterministic=*/true,
                                         /*Thin=*/false)) {
    diags.error(archive, "cannot write archive: " + llvm::toString(std::move(e)));
    return false;
  }
  if (options.sharedLibrary) {
    std::vector<std::string> link = {cc, "-shared", "-o", outFile("lib" + prefix + ".so")};
    link.insert(link.end(), objects.begin(), objects.end());
    // The whole runtime goes in, not only the members the kernels reference:
    // the library's users call its public API (netc_set_num_threads,
    // netc_last_error) through this .so, and a loader that looks for them
    // with dlsym must find them.
    link.insert(link.end(), {"-Wl,--whole-archive", runtimeLibrary(), "-Wl,--no-whole-archive",
                             "-lpthread", "-ldl", "-lm"});
    if (!runTool(link, diags))
      return false;
  }
  return true;
}

} // namespace netc
