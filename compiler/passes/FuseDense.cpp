// fuse-dense: dense + activation → fused_dense, applying the activation as each
// output is stored instead of in a second pass over memory.
#include "compiler/ops/FusedEpilogue.h"
#include "compiler/passes/PassRegistry.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"
#include "ir/Verifier.h"

namespace netc {

bool fuseDenseLayers(Graph &graph, DiagnosticEngine &diags) {
  const OpDef *fusedDef = OpRegistry::get().lookup("fused_dense");
  std::vector<Op *> denses;
  for (Op *op : graph.ops())
    if (op->kindName() == "dense")
      denses.push_back(op);
  for (Op *dense : denses) {
    Value *result = dense->result();
    std::vector<Op *> readers = graph.users(result);
    std::string why;
    if (graph.isOutput(result))
      why = "%" + result->name() + " is a graph output";
    else if (readers.size() != 1)
      why = "%" + result->name() + " has " + std::to_string(readers.size()) + " readers";
    else if (isRowEpilogue(readers[0]->def())) {
      int64_t axis = readers[0]->attrs().getInt("axis");
      if (axis != -1 && axis != 1)
        why = "its reader '" + readers[0]->kindName() + "' does not run along the last axis";
    } else if (!isFusibleActivation(readers[0]->def()))
      why = "its reader '" + readers[0]->kindName() + "' is not an activation";
    if (!why.empty()) {
      diags.remark(dense->loc(), "dense %" + result->name() + " not fused: " + why);
      continue;
    }
    Op *activation = readers[0];
    // The dense's own attributes (weight_block and units, if pack-dense-weights
    // ran first) describe the weight operand the fused op keeps.
    AttrMap attrs = dense->attrs();
    setActivationAttrs(*activation, attrs);
    std::string error;
    if (!normalizeAttrs(*fusedDef, attrs, error)) {
      diags.error(dense->loc(), "internal error: fuse-dense built invalid attributes: " + error);
      return false;
    }
    diags.remark(dense->loc(), "fused dense + " + activation->kindName() + " into one loop");
    Value *tail = activation->result();
    std::string name = tail->name();
    tail->setName(name + ".unfused");
    Op *fused = graph.insertOpBefore(activation, *fusedDef, dense->operands(), attrs, name,
                                     tail->type(), dense->loc());
    graph.replaceAllUsesWith(tail, fused->result());
    graph.eraseOp(activation);
    graph.eraseOp(dense);
  }
  return true;
}

} // namespace netc
