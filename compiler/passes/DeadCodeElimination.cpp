// dce: removes ops whose results no output depends on, then weights nothing reads.
#include "compiler/passes/PassRegistry.h"
#include "ir/Graph.h"

#include <set>

namespace netc {

bool eliminateDeadCode(Graph &graph, DiagnosticEngine &) {
  std::set<const Value *> live(graph.outputs().begin(), graph.outputs().end());
  std::vector<Op *> ops = graph.ops();
  for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
    if (!live.count((*it)->result()))
      continue;
    for (const Value *v : (*it)->operands())
      if (v)
        live.insert(v);
  }
  for (auto it = ops.rbegin(); it != ops.rend(); ++it)
    if (!live.count((*it)->result()))
      graph.eraseOp(*it);
  graph.eraseUnusedWeights();
  return true;
}

} // namespace netc
