// infer-shapes: recomputes each op's result type from its shape rule, in order, so
// a change to an input or weight shape propagates through the graph.
#include "compiler/passes/PassRegistry.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"
#include "ir/Verifier.h"

namespace netc {

bool inferShapes(Graph &graph, DiagnosticEngine &diags) {
  bool ok = true;
  for (Op *op : graph.ops()) {
    std::string error;
    if (!checkOperands(*op, error)) {
      diags.error(op->loc(), error);
      ok = false;
      continue;
    }
    auto type = inferResultType(*op, error);
    if (!type) {
      diags.error(op->loc(), "'" + op->kindName() + "': " + error);
      ok = false;
      continue;
    }
    op->result()->setType(*type);
  }
  return ok;
}

} // namespace netc
