// pack-dense-weights: rewrites the [out, in] weights of a dense layer to
// [ceil(out/16), in, 16] at compile time (zeros past the last unit) and sets the
// layer's `weight_block` and `units` attributes. The kernel then reads one
// aligned vector of 16 units' weights per input value, a single contiguous
// stream per block, instead of a few rows at a time with a horizontal sum per
// unit; the layout change happens once here instead of on every call. Needs
// bound weight data.
#include "compiler/passes/PassRegistry.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"

namespace netc {

namespace {

constexpr int64_t kBlock = 16;

std::shared_ptr<Tensor> packUnits(const Tensor &w) {
  const int64_t units = w.shape[0], features = w.shape[1];
  const int64_t blocks = (units + kBlock - 1) / kBlock;
  auto packed = std::make_shared<Tensor>(std::vector<int64_t>{blocks, features, kBlock});
  for (int64_t m = 0; m < units; ++m)
    for (int64_t k = 0; k < features; ++k)
      packed->data[((m / kBlock) * features + k) * kBlock + m % kBlock] =
          w.data[m * features + k];
  return packed;
}

} // namespace

bool packDenseWeights(Graph &graph, DiagnosticEngine &diags) {
  for (Op *op : graph.ops()) {
    if (op->kindName() != "dense" && op->kindName() != "fused_dense")
      continue;
    if (op->attrs().getInt("weight_block") != 0)
      continue;
    const Value *weight = op->operand(1);
    if (!weight->data()) {
      diags.remark(op->loc(), op->kindName() + " %" + op->result()->name() +
                                  " keeps [out, in] weights: weight '" + weight->name() +
                                  "' has no data yet");
      continue;
    }
    const TensorType &wType = weight->type();
    const int64_t units = wType.dim(0).size, features = wType.dim(1).size;
    TensorType packedType(DType::F32, {Dim::of((units + kBlock - 1) / kBlock),
                                       Dim::of(features), Dim::of(kBlock)});
    Value *packedWeight = graph.addWeight(unusedWeightName(graph, weight->name() + ".packed"),
                                          packedType, weight->loc());
    packedWeight->setData(packUnits(*weight->data()));
    op->setOperand(1, packedWeight);
    op->attrs().set("weight_block", Attribute::ofInt(kBlock));
    op->attrs().set("units", Attribute::ofInt(units));
    diags.remark(op->loc(), op->kindName() + " %" + op->result()->name() + " weights packed by " +
                                std::to_string(kBlock) + " units");
  }
  graph.eraseUnusedWeights();
  return true;
}

} // namespace netc
