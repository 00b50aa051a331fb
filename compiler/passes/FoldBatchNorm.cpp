// fold-batchnorm: a batchnorm that is the only reader of a conv2d or dense
// result is folded into that layer's weights and bias at compile time:
//   scale = gamma / sqrt(running_var + eps)
//   W'[o,...] = W[o,...] * scale[o]
//   b'[o]     = (b[o] - running_mean[o]) * scale[o] + beta[o]
// The folded tensors are new weights (`<weight>.folded`); the originals go away
// with dce if nothing else reads them. Needs bound weight data.
#include "compiler/passes/PassRegistry.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"

#include <cmath>

namespace netc {

namespace {

bool producesChannels(const Op *op) {
  return op->kindName() == "conv2d" || op->kindName() == "dense";
}

} // namespace

bool foldBatchNorm(Graph &graph, DiagnosticEngine &diags) {
  std::vector<Op *> norms;
  for (Op *op : graph.ops())
    if (op->kindName() == "batchnorm")
      norms.push_back(op);
  for (Op *bn : norms) {
    Value *input = bn->operand(0);
    Op *layer = input->producer();
    std::string why;
    if (!layer || !producesChannels(layer))
      why = "its input is not produced by conv2d or dense";
    else if (graph.users(input).size() != 1 || graph.isOutput(input))
      why = "%" + input->name() + " has other readers";
    else if (layer->attrs().getInt("weight_block") != 0)
      why = "the weights of %" + input->name() + " are already packed";
    else
      for (size_t i = 1; i < bn->operands().size() && why.empty(); ++i)
        if (!bn->operand(i)->data())
          why = "weight '" + bn->operand(i)->name() + "' has no data yet";
    if (why.empty() && !layer->operand(1)->data())
      why = "weight '" + layer->operand(1)->name() + "' has no data yet";
    if (!why.empty()) {
      diags.remark(bn->loc(), "batchnorm %" + bn->result()->name() + " not folded: " + why);
      continue;
    }

    const Tensor &gamma = *bn->operand(1)->data(), &beta = *bn->operand(2)->data();
    const Tensor &mean = *bn->operand(3)->data(), &var = *bn->operand(4)->data();
    double eps = bn->attrs().getFloat("eps");
    const Value *weight = layer->operand(1);
    const Tensor &w = *weight->data();
    const Value *bias = layer->operand(2);
    int64_t channels = w.shape[0], perChannel = w.numElements() / channels;

    auto folded = std::make_shared<Tensor>(w.shape);
    auto foldedBias = std::make_shared<Tensor>(std::vector<int64_t>{channels});
    for (int64_t o = 0; o < channels; ++o) {
      double scale = gamma.data[o] / std::sqrt((double)var.data[o] + eps);
      for (int64_t i = 0; i < perChannel; ++i)
        folded->data[o * perChannel + i] = (float)(w.data[o * perChannel + i] * scale);
      double b = bias && bias->data() ? bias->data()->data[o] : 0.0;
      foldedBias->data[o] = (float)((b - mean.data[o]) * scale + beta.data[o]);
    }
    Value *newWeight = graph.addWeight(unusedWeightName(graph, weight->name() + ".folded"),
                                       weight->type(), weight->loc());
    newWeight->setData(folded);
    std::string biasBase = bias ? bias->name() : weight->name().substr(0, weight->name().rfind('.')) + ".bias";
    Value *newBias = graph.addWeight(unusedWeightName(graph, biasBase + ".folded"),
                                     TensorType(DType::F32, {Dim::of(channels)}), bn->loc());
    newBias->setData(foldedBias);
    layer->setOperand(1, newWeight);
    layer->setOperand(2, newBias);
    diags.remark(bn->loc(), "folded batchnorm into " + layer->kindName() + " %" +
                                layer->result()->name());
    // The layer now computes the normalized values: it takes over the name.
    std::string name = bn->result()->name();
    bn->result()->setName(name + ".unfolded");
    layer->result()->setName(name);
    graph.replaceAllUsesWith(bn->result(), layer->result());
    graph.eraseOp(bn);
  }
  graph.eraseUnusedWeights();
  return true;
}

} // namespace netc
