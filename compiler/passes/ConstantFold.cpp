// constant-fold: an op whose operands are all constants (weights with data) is
// evaluated at compile time with its reference kernel; its result becomes a new
// constant (`@<result>.folded`) and the op disappears. Graph outputs are left
// alone (an output must be computed by the model).
#include "compiler/passes/PassRegistry.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"

namespace netc {

bool foldConstants(Graph &graph, DiagnosticEngine &diags) {
  for (Op *op : graph.ops()) {
    bool constant = true, hasData = true;
    for (const Value *v : op->operands())
      if (v) {
        constant &= v->isWeight();
        hasData &= v->isWeight() && v->data() != nullptr;
      }
    if (!constant)
      continue;
    Value *result = op->result();
    if (!hasData) {
      diags.remark(op->loc(), "%" + result->name() + " not folded: its constants have no data yet");
      continue;
    }
    if (graph.isOutput(result)) {
      diags.remark(op->loc(), "%" + result->name() + " not folded: it is a graph output");
      continue;
    }
    std::vector<const Tensor *> operands;
    for (const Value *v : op->operands())
      operands.push_back(v ? v->data().get() : nullptr);
    auto data = std::make_shared<Tensor>(result->type().concreteShape(1));
    op->def().reference(*op, operands, *data);
    std::string name = result->name() + ".folded";
    for (int i = 2; graph.findWeight(name); ++i)
      name = result->name() + ".folded" + std::to_string(i);
    Value *folded = graph.addWeight(name, result->type(), op->loc());
    folded->setData(data);
    diags.remark(op->loc(), "folded %" + result->name() + " = " + op->kindName() +
                                "(constants) into @" + name);
    graph.replaceAllUsesWith(result, folded);
    graph.eraseOp(op);
  }
  graph.eraseUnusedWeights();
  return true;
}

} // namespace netc
