#include "compiler/passes/PassRegistry.h"
#include "ir/Graph.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"

#include <fmt/format.h>

#include <chrono>
#include <cassert>

namespace netc {

PassRegistry &PassRegistry::get() {
  static PassRegistry registry;
  return registry;
}

void PassRegistry::add(PassInfo pass) {
  assert(!lookup(pass.name) && "pass registered twice");
  passes_.push_back(std::move(pass));
}

const PassInfo *PassRegistry::lookup(const std::string &name) const {
  for (const PassInfo &p : passes_)
    if (p.name == name)
      return &p;
  return nullptr;
}

void registerBuiltinPasses() {
  static bool done = false;
  if (done)
    return;
  done = true;
  PassRegistry &r = PassRegistry::get();
  r.add({"verify", "check operands, attributes and result types", verifyGraph});
  r.add({"infer-shapes", "recompute every result type from the op's shape rule", inferShapes});
  r.add({"dce", "remove ops whose results are never used, and unused weights",
         eliminateDeadCode});
  r.add({"cse", "replace an op identical to an earlier one (same operands and attributes)",
         eliminateCommonSubexpressions});
  r.add({"constant-fold", "evaluate ops whose operands are all constants at compile time",
         foldConstants});
  r.add({"plan-memory", "report the activation arena layout (as remarks; IR unchanged)",
         planMemory});
  r.add({"fold-batchnorm",
         "fold a batchnorm into the weights and bias of the conv2d or dense before it",
         foldBatchNorm});
  r.add({"fuse-conv", "fuse conv2d + residual add + activation + pool into fused_conv2d",
         fuseConvolutions});
  r.add({"pack-conv-weights",
         "repack conv weights to [O/16, I, KH, KW, 16] so kernels compute 16 output channels "
         "per vector",
         packConvWeights});
  r.add({"winograd-conv",
         "compute packed 3x3 stride-1 convs by Winograd F(2x2, 3x3) where that is faster on the "
         "target, kernels transformed at compile time",
         winogradConv});
  r.add({"block-channels",
         "store activations between packed convs channel-blocked, [N, C/16, H, W, 16]",
         blockChannels});
  r.add({"fuse-dense", "fuse dense + activation into fused_dense", fuseDenseLayers});
  r.add({"pack-dense-weights",
         "repack dense weights to [ceil(out/16), in, 16] so kernels compute 16 units per vector",
         packDenseWeights});
  r.add({"fuse-elementwise", "fuse chains of same-shape elementwise ops into one loop",
         fuseElementwise});
}

std::vector<std::string> optimizationPipeline(int level) {
  if (level <= 0)
    return {};
  return {"cse",        "constant-fold", "dce",
          "fold-batchnorm", "fuse-conv", "pack-conv-weights", "winograd-conv",
          "fuse-dense", "pack-dense-weights", "fuse-elementwise", "block-channels"};
}

bool runPassPipeline(Graph &graph, const std::vector<std::string> &passes,
                     const PassPipelineOptions &options, llvm::raw_ostream &os,
                     DiagnosticEngine &diags) {
  using Clock = std::chrono::steady_clock;
  std::vector<std::pair<std::string, double>> timings;
  for (const std::string &name : passes) {
    const PassInfo *pass = PassRegistry::get().lookup(name);
    if (!pass) {
      std::string known;
      for (const PassInfo &p : PassRegistry::get().all())
        known += (known.empty() ? "" : ", ") + p.name;
      diags.error(llvm::StringRef(), "unknown pass '" + name + "' (known: " + known + ")");
      return false;
    }
    auto start = Clock::now();
    bool ok = pass->runForTarget ? pass->runForTarget(graph, diags, options.target)
                                 : pass->run(graph, diags);
    timings.emplace_back(name, std::chrono::duration<double>(Clock::now() - start).count());
    if (!ok)
      return false;
    if (options.verifyEach && name != "verify" && !verifyGraph(graph, diags)) {
      diags.error(llvm::StringRef(), "internal error: IR is invalid after pass '" + name + "'");
      return false;
    }
    if (options.printIrAfterAll) {
      os << "// ----- IR Dump After " << name << " ----- //\n";
      printGraph(graph, os);
    }
  }
  if (options.timePasses) {
    double total = 0;
    for (auto &t : timings)
      total += t.second;
    std::string report = "===-------------------------------------------===\n"
                         "                 Pass execution timing report\n"
                         "===-------------------------------------------===\n";
    report += fmt::format("  {:>10}  {:>6}  {}\n", "Wall (ms)", "%", "Pass");
    for (auto &[name, seconds] : timings)
      report += fmt::format("  {:>10.3f}  {:>5.1f}%  {}\n", seconds * 1e3,
                            total > 0 ? 100.0 * seconds / total : 0.0, name);
    report += fmt::format("  {:>10.3f}  {:>5.1f}%  Total\n", total * 1e3, 100.0);
    llvm::errs() << report;
  }
  return true;
}

} // namespace netc
