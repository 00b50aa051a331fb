// pack-conv-weights: rewrites the weights of a conv whose output channels come
// in whole blocks of 16 from OIHW to [O/16, I, KH, KW, 16] at compile time and
// sets the conv's `weight_block` attribute. The conv kernel then computes 16
// output channels per vector: every weight read is one aligned vector load, the
// input is read as broadcast scalars, and a small tile of output pixels stays in
// registers for the whole reduction. Repacking here, once, keeps that layout
// change out of every call. Needs bound weight data. A grouped conv is packed
// when each group's output channels come in whole blocks (AlexNet's two
// groups of 128 or 192), so that a block reads one group's input channels;
// depthwise convs keep OIHW.
#include "compiler/passes/ConvPacking.h"
#include "compiler/passes/PassRegistry.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"

#include <algorithm>
#include <map>

namespace netc {

namespace {

constexpr int64_t kBlock = kConvWeightBlock;
// Measured at batch 1 and 8: 1x1 convs of 8..64 input channels and VGG's
// first 3x3 conv (27 taps) ran 1.4-5x faster vectorized over columns; a 1x1
// conv of 128 input channels ran 1.8x faster packed.
constexpr int64_t kShortestPackedReduction = 128;

std::shared_ptr<Tensor> packOutputChannels(const Tensor &w) {
  int64_t O = w.shape[0], I = w.shape[1], KH = w.shape[2], KW = w.shape[3];
  auto packed = std::make_shared<Tensor>(std::vector<int64_t>{O / kBlock, I, KH, KW, kBlock});
  for (int64_t o = 0; o < O; ++o)
    for (int64_t i = 0; i < I; ++i)
      for (int64_t ky = 0; ky < KH; ++ky)
        for (int64_t kx = 0; kx < KW; ++kx)
          packed->data[((((o / kBlock) * I + i) * KH + ky) * KW + kx) * kBlock + o % kBlock] =
              w.data[((o * I + i) * KH + ky) * KW + kx];
  return packed;
}

// The packed schedule stores each output pixel's 16 channels as one strided
// vector into an NCHW result: 16 cache lines touched per pixel. A long
// reduction hides that; a short one without a pool to shrink the output does
// not (an 8->16 1x1 conv ran 5x slower packed than vectorized over columns).
// A result that block-channels will store blocked (every reader is a packed
// conv, decided first: ops are visited consumers first) is stored a whole
// vector at a time instead, so any reduction pays.
bool storeDominates(const Graph &graph, const Op &op, int64_t taps) {
  bool pooled = op.attrs().has("pool") && op.attrs().getString("pool") != "none";
  return taps < kShortestPackedReduction && !pooled &&
         !usersReadChannelBlocked(graph, *op.result());
}

} // namespace

bool convChannelsPackable(const Op &conv, std::string *why) {
  const TensorType &w = conv.operand(1)->type();
  const int64_t groups = std::max<int64_t>(1, conv.attrs().getInt("groups"));
  const int64_t outChannels = w.rank() ? w.dim(0).size : 0;
  const int64_t perGroup = outChannels / groups;
  std::string reason;
  if (groups > 1 && perGroup == 1)
    reason = "it is a depthwise convolution (one output channel per group)";
  else if (w.rank() != 4 || outChannels % (kBlock * groups) != 0)
    reason = groups == 1 ? std::to_string(outChannels) + " output channels are not a multiple of " +
                               std::to_string(kBlock)
                         : "its " + std::to_string(perGroup) +
                               " output channels per group are not a multiple of " +
                               std::to_string(kBlock);
  if (why)
    *why = reason;
  return reason.empty();
}

bool packConvWeights(Graph &graph, DiagnosticEngine &diags) {
  // Decide consumers first (storeDominates asks whether a result's readers
  // are packed), then rewrite and explain in program order.
  std::vector<Op *> ops = graph.ops();
  std::map<const Op *, std::string> keptBecause;
  std::vector<Op *> packed;
  for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
    Op *op = *it;
    if (op->kindName() != "conv2d" && op->kindName() != "fused_conv2d")
      continue;
    const Value *weight = op->operand(1);
    const TensorType &wType = weight->type();
    std::string why;
    if (op->attrs().getInt("weight_block") != 0)
      continue;
    if (convChannelsPackable(*op, &why)) {
      const int64_t taps = wType.dim(1).size * wType.dim(2).size * wType.dim(3).size;
      if (storeDominates(graph, *op, taps))
        why = "its reduction of " + std::to_string(taps) +
              " taps per output is too short to pay for storing 16 channels per pixel";
      else if (!weight->data())
        why = "weight '" + weight->name() + "' has no data yet";
    }
    if (!why.empty()) {
      keptBecause[op] = why;
      continue;
    }
    op->attrs().set("weight_block", Attribute::ofInt(kBlock));
    packed.push_back(op);
  }
  for (Op *op : ops) {
    if (auto kept = keptBecause.find(op); kept != keptBecause.end()) {
      diags.remark(op->loc(), op->kindName() + " %" + op->result()->name() +
                                  " keeps OIHW weights: " + kept->second);
      continue;
    }
    if (std::find(packed.begin(), packed.end(), op) == packed.end())
      continue;
    const Value *weight = op->operand(1);
    const TensorType &wType = weight->type();
    TensorType packedType(DType::F32, {Dim::of(wType.dim(0).size / kBlock), wType.dim(1),
                                       wType.dim(2), wType.dim(3), Dim::of(kBlock)});
    Value *packedWeight = graph.addWeight(unusedWeightName(graph, weight->name() + ".packed"),
                                          packedType, weight->loc());
    packedWeight->setData(packOutputChannels(*weight->data()));
    op->setOperand(1, packedWeight);
    diags.remark(op->loc(), op->kindName() + " %" + op->result()->name() + " weights packed by " +
                                std::to_string(kBlock) + " output channels");
  }
  graph.eraseUnusedWeights();
  return true;
}

} // namespace netc
