// cse: an op identical to an earlier one (same kind, operands and attributes)
// is replaced by it, e.g. two branches applying the same relu to one value.
#include "compiler/passes/PassRegistry.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"

namespace netc {

bool eliminateCommonSubexpressions(Graph &graph, DiagnosticEngine &diags) {
  std::vector<Op *> kept;
  for (Op *op : graph.ops()) {
    Op *same = nullptr;
    for (Op *earlier : kept)
      if (&earlier->def() == &op->def() && earlier->operands() == op->operands() &&
          earlier->attrs() == op->attrs()) {
        same = earlier;
        break;
      }
    if (!same) {
      kept.push_back(op);
      continue;
    }
    // Graph outputs keep their names: if this op is an output and the earlier one
    // is not, the earlier one takes over its name.
    Value *duplicate = op->result(), *original = same->result();
    if (graph.isOutput(duplicate) && graph.isOutput(original)) {
      kept.push_back(op); // two named outputs must stay two buffers
      continue;
    }
    diags.remark(op->loc(), "%" + duplicate->name() + " computes the same as %" +
                                original->name() + "; reusing it");
    if (graph.isOutput(duplicate)) {
      std::string name = duplicate->name();
      duplicate->setName(name + ".duplicate");
      original->setName(name);
    }
    graph.replaceAllUsesWith(duplicate, original);
    graph.eraseOp(op);
  }
  return true;
}

} // namespace netc
