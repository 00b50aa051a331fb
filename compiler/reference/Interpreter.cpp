#include "compiler/reference/Interpreter.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"

namespace netc {

bool checkBatchFits(const Graph &graph, int64_t batch, DiagnosticEngine &diags) {
  std::vector<const Value *> values(graph.inputs().begin(), graph.inputs().end());
  for (const Op *op : graph.ops())
    values.push_back(op->result());
  for (const Value *v : values)
    if (v->type().numElements(batch) > INT32_MAX) {
      diags.error(llvm::StringRef(), "batch size " + std::to_string(batch) + " is too large: '" +
                                         v->name() + "' " + v->type().shapeStr() + " would have " +
                                         std::to_string(v->type().numElements(batch)) +
                                         " elements (at most 2^31-1)");
      return false;
    }
  return true;
}

int64_t checkGraphInputs(const Graph &graph, const TensorMap &inputs, DiagnosticEngine &diags) {
  int64_t batch = -1;
  unsigned before = diags.errorCount();
  for (const Value *in : graph.inputs()) {
    auto it = inputs.find(in->name());
    if (it == inputs.end()) {
      diags.error(llvm::StringRef(), "no data for input '" + in->name() + "' " +
                                         in->type().shapeStr());
      continue;
    }
    const Tensor &t = it->second;
    const TensorType &type = in->type();
    bool ok = t.rank() == type.rank();
    for (size_t d = 0; ok && d < type.rank(); ++d) {
      if (type.dim(d).isStatic()) {
        ok = t.shape[d] == type.dim(d).size;
      } else if (batch < 0) {
        batch = t.shape[d];
      } else {
        ok = t.shape[d] == batch;
      }
    }
    if (!ok)
      diags.error(llvm::StringRef(), "input '" + in->name() + "' has shape " +
                                         shapeStr(t.shape) + " but the model expects " +
                                         type.shapeStr() +
                                         (batch >= 0 && !type.isStatic()
                                              ? " (N = " + std::to_string(batch) + ")"
                                              : std::string()));
  }
  for (const auto &entry : inputs)
    if (!graph.findActivation(entry.first) || !graph.findActivation(entry.first)->isInput())
      diags.error(llvm::StringRef(), "the model has no input named '" + entry.first + "'");
  if (diags.errorCount() != before)
    return -1;
  if (batch < 0)
    batch = 1;
  return checkBatchFits(graph, batch, diags) ? batch : -1;
}

bool interpretGraph(const Graph &graph, const TensorMap &inputs, TensorMap &outputs,
                    DiagnosticEngine &diags) {
  int64_t batch = checkGraphInputs(graph, inputs, diags);
  if (batch < 0)
    return false;
  std::map<const Value *, const Tensor *> values;
  std::map<const Value *, Tensor> computed;
  for (const Value *in : graph.inputs())
    values[in] = &inputs.at(in->name());
  for (const Value *w : graph.weights()) {
    if (!w->data()) {
      diags.error(llvm::StringRef(), "weight '" + w->name() + "' has no data");
      return false;
    }
    values[w] = w->data().get();
  }
  for (const Op *op : graph.ops()) {
    std::vector<const Tensor *> operands;
    for (const Value *v : op->operands())
      operands.push_back(v ? values.at(v) : nullptr);
    Tensor &result = computed[op->result()];
    result = Tensor(op->result()->type().concreteShape(batch));
    op->def().reference(*op, operands, result);
    values[op->result()] = &result;
  }
  for (const Value *out : graph.outputs())
    outputs[out->name()] = *values.at(out);
  return true;
}

} // namespace netc
