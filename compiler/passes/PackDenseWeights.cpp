// pack-dense-weights: rewrites the [out, in] weights of a dense layer to
// blocks of 16 units, [ceil(out/16), in, 16], at compile time and sets the layer's
// `weight_block` and `units` attributes. The kernel then reads one aligned
// vector of 16 units' weights per input value, a single contiguous stream per
// block, instead of a few rows at a time with a horizontal sum per unit; the
// layout change happens once here instead of on every call. A last block of
// fewer units becomes a block padded with zeros, or a tail operand [in, width]
// (DensePacking.h) when that saves streaming enough zeros (kTailMinSavedBytes).
// Needs bound weight data.
#include "compiler/ops/DensePacking.h"
#include "compiler/passes/PassRegistry.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"

#include <algorithm>

namespace netc {

namespace {

constexpr int64_t kBlock = kDenseWeightBlock;

/// Padding bytes a tail must save to repay its own loop (about half a
/// microsecond): 3072->100 saves 147 KB and ran 8 % faster at batch 1 with its
/// tail (0.0095 -> 0.0087 ms), LeNet-5's 400->120 and 120->84 would save 13 KB
/// and 6 KB, and ran 5 % slower with theirs (0.0164 -> 0.0172 ms).
constexpr int64_t kTailMinSavedBytes = 64 * 1024;

/// Units [0, blocks·16) of `w` as [blocks, in, 16], zeros past the last unit.
std::shared_ptr<Tensor> packBlocks(const Tensor &w, int64_t blocks) {
  const int64_t units = w.shape[0], features = w.shape[1];
  auto packed = std::make_shared<Tensor>(std::vector<int64_t>{blocks, features, kBlock});
  for (int64_t m = 0; m < std::min(units, blocks * kBlock); ++m)
    for (int64_t k = 0; k < features; ++k)
      packed->data[((m / kBlock) * features + k) * kBlock + m % kBlock] =
          w.data[m * features + k];
  return packed;
}

/// Units [first, units) of `w` as [in, width], zeros past the last unit.
std::shared_ptr<Tensor> packTail(const Tensor &w, int64_t first, int64_t width) {
  const int64_t units = w.shape[0], features = w.shape[1];
  auto tail = std::make_shared<Tensor>(std::vector<int64_t>{features, width});
  for (int64_t m = first; m < units; ++m)
    for (int64_t k = 0; k < features; ++k)
      tail->data[k * width + (m - first)] = w.data[m * features + k];
  return tail;
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
    int64_t tailWidth = packedDenseTailWidth(units, kBlock);
    if (tailWidth && 4 * (kBlock - tailWidth) * features < kTailMinSavedBytes)
      tailWidth = 0;
    const int64_t blocks = tailWidth ? units / kBlock : (units + kBlock - 1) / kBlock;
    TensorType packedType(DType::F32, {Dim::of(blocks), Dim::of(features), Dim::of(kBlock)});
    Value *packedWeight = graph.addWeight(unusedWeightName(graph, weight->name() + ".packed"),
                                          packedType, weight->loc());
    packedWeight->setData(packBlocks(*weight->data(), blocks));
    op->setOperand(1, packedWeight);
    std::string tailNote;
    if (tailWidth) {
      TensorType tailType(DType::F32, {Dim::of(features), Dim::of(tailWidth)});
      Value *tail = graph.addWeight(unusedWeightName(graph, weight->name() + ".tail"), tailType,
                                    weight->loc());
      tail->setData(packTail(*weight->data(), blocks * kBlock, tailWidth));
      op->setOperand(3, tail);
      tailNote = ", the last " + std::to_string(units - blocks * kBlock) + " in a tail of " +
                 std::to_string(tailWidth);
    }
    op->attrs().set("weight_block", Attribute::ofInt(kBlock));
    op->attrs().set("units", Attribute::ofInt(units));
    diags.remark(op->loc(), op->kindName() + " %" + op->result()->name() + " weights packed by " +
                                std::to_string(kBlock) + " units" + tailNote);
  }
  graph.eraseUnusedWeights();
  return true;
}

} // namespace netc
