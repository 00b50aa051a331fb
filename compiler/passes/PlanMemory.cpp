// plan-memory: reports the static activation arena the compiled code will use
// (compiler/codegen/ExecutionPlan): which values alias (views), the offset of
// every intermediate and the arena size against the sum of all activations.
// The graph is not changed; the plan is recomputed by code generation.
#include "compiler/codegen/ExecutionPlan.h"
#include "compiler/passes/PassRegistry.h"
#include "ir/Graph.h"

namespace netc {

bool planMemory(Graph &graph, DiagnosticEngine &diags) {
  ExecutionPlan plan = planExecution(graph, "k");
  for (const KernelStep &step : plan.steps) {
    auto it = plan.arenaOffset.find(step.result);
    if (it != plan.arenaOffset.end())
      diags.remark(step.op->loc(), "%" + step.result->name() + ": arena offset " +
                                       std::to_string(it->second * 4) + " bytes, " +
                                       std::to_string(floatsPerItem(step.result) * 4) +
                                       " bytes" + (plan.symbolicBatch ? " (per batch item)" : ""));
  }
  diags.remark(llvm::StringRef(graph.name()), "arena " + std::to_string(plan.arenaFloatsPerItem * 4) +
                                  " bytes for " + std::to_string(plan.activationFloatsPerItem * 4) +
                                  " bytes of intermediate activations" +
                                  (plan.symbolicBatch ? " (per batch item)" : ""));
  return true;
}

} // namespace netc
