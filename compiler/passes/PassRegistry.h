// Graph passes, registered by name so `netc-opt --pass=NAME` and the compile
// pipeline can run any of them alone or in sequence.
#pragma once

#include "ir/Diagnostics.h"

#include <llvm/Support/raw_ostream.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace netc {
class Graph;

/// What a pass may know of the machine the code is for. Passes that choose
/// between algorithms by how fast the target runs each (winograd-conv) read it.
struct PassTarget {
  /// The float vector width netc's schedules use: 512 (AVX-512), 256 (AVX2),
  /// 128 (SSE); 0 when unknown or not x86.
  int vectorBits = 0;
};

struct PassInfo {
  using Run = std::function<bool(Graph &, DiagnosticEngine &)>;
  using RunForTarget = std::function<bool(Graph &, DiagnosticEngine &, const PassTarget &)>;
  PassInfo(std::string name, std::string description, Run run)
      : name(std::move(name)), description(std::move(description)), run(std::move(run)) {}
  PassInfo(std::string name, std::string description, RunForTarget runForTarget)
      : name(std::move(name)), description(std::move(description)),
        runForTarget(std::move(runForTarget)) {}

  std::string name;
  std::string description;
  /// Transforms the graph in place; returns false after reporting errors.
  Run run;
  /// Instead of `run`, for a pass that reads the target.
  RunForTarget runForTarget;
};

class PassRegistry {
public:
  static PassRegistry &get();
  void add(PassInfo pass);
  const PassInfo *lookup(const std::string &name) const;
  const std::vector<PassInfo> &all() const { return passes_; }

private:
  std::vector<PassInfo> passes_;
};

/// Registers netc's passes. Idempotent.
void registerBuiltinPasses();

struct PassPipelineOptions {
  bool printIrAfterAll = false; // like LLVM's -print-after-all
  bool timePasses = false;      // like LLVM's -time-passes
  bool verifyEach = true;       // run the verifier after every pass
  PassTarget target;
};

/// Runs `passes` in order. IR dumps go to `os`, timings to stderr.
bool runPassPipeline(Graph &graph, const std::vector<std::string> &passes,
                     const PassPipelineOptions &options, llvm::raw_ostream &os,
                     DiagnosticEngine &diags);

// Individual passes, callable directly.
bool inferShapes(Graph &graph, DiagnosticEngine &diags);
bool eliminateDeadCode(Graph &graph, DiagnosticEngine &diags);
bool fuseConvolutions(Graph &graph, DiagnosticEngine &diags);
bool foldBatchNorm(Graph &graph, DiagnosticEngine &diags);
bool fuseElementwise(Graph &graph, DiagnosticEngine &diags);
bool eliminateCommonSubexpressions(Graph &graph, DiagnosticEngine &diags);
bool planMemory(Graph &graph, DiagnosticEngine &diags);
bool foldConstants(Graph &graph, DiagnosticEngine &diags);
bool fuseDenseLayers(Graph &graph, DiagnosticEngine &diags);
bool packConvWeights(Graph &graph, DiagnosticEngine &diags);
bool packDenseWeights(Graph &graph, DiagnosticEngine &diags);
bool blockChannels(Graph &graph, DiagnosticEngine &diags);
bool winogradConv(Graph &graph, DiagnosticEngine &diags, const PassTarget &target);

/// The passes `netc run` and `netc compile` apply at an optimization level:
/// -O0 none (every op its own kernel), -O1 and up: fusion and clean-up.
std::vector<std::string> optimizationPipeline(int level);

} // namespace netc
