// winograd-conv: computes the packed 3x3 convs that pay for it by Winograd's
// F(2x2, 3x3): each kernel is transformed once, here, to U = G g G^T (4x4,
// stored [O/16, 4, 4, I, 16]: per position of the transformed tile, the input
// channels' vectors of 16 output channels one after another, as the kernel's
// matrix products read them) and the conv gets its
// `winograd_tile` attribute. The kernel then does 16 multiplications per input
// channel for a 2x2 tile of output where the direct conv does 36, at the price
// of transforming input and output tiles and of 16/9 as many weights.
//
// Rounding: a transformed conv sums the same products in another order through
// the transforms' +-1/2 weights; its results differ from the direct conv's by
// a few ulps of the inputs' magnitude, as oneDNN's and cuDNN's Winograd
// convolutions do.
#include "compiler/ops/WinogradTransform.h"
#include "compiler/passes/PassRegistry.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"

namespace netc {

namespace {

constexpr int kOutputTile = 2;

std::shared_ptr<Tensor> transformKernels(const Tensor &packed, const WinogradTransform &t) {
  const int64_t blocks = packed.shape[0], inputs = packed.shape[1], lanes = packed.shape[4];
  const int alpha = t.inputTile;
  auto out = std::make_shared<Tensor>(std::vector<int64_t>{blocks, alpha, alpha, inputs, lanes});
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t i = 0; i < inputs; ++i)
      for (int64_t lane = 0; lane < lanes; ++lane) {
        auto g = [&](int ky, int kx) {
          return (double)packed.data[(((b * inputs + i) * 3 + ky) * 3 + kx) * lanes + lane];
        };
        for (int ey = 0; ey < alpha; ++ey)
          for (int ex = 0; ex < alpha; ++ex) {
            double sum = 0;
            for (int ky = 0; ky < 3; ++ky)
              for (int kx = 0; kx < 3; ++kx)
                sum += t.g(ey, ky) * g(ky, kx) * t.g(ex, kx);
            out->data[(((b * alpha + ey) * alpha + ex) * inputs + i) * lanes + lane] =
                (float)sum;
          }
      }
  return out;
}

/// Why `op` stays a direct conv; empty if it is computed by Winograd.
std::string whyDirect(const Op &op, const PassTarget &target) {
  const AttrMap &a = op.attrs();
  const Value *weight = op.operand(1);
  const TensorType &w = weight->type();
  if (a.getInt("weight_block") == 0)
    return "its weights are not packed";
  if (a.getInt("winograd_tile") != 0)
    return "it is already a Winograd conv";
  if (a.getInt("groups") != 1)
    return "it is a grouped convolution";
  if (w.rank() != 5 || w.dim(2).size != 3 || w.dim(3).size != 3)
    return "its kernel is not 3x3";
  const auto &stride = a.getInts("stride"), &dilation = a.getInts("dilation");
  if (stride[0] != 1 || stride[1] != 1 || dilation[0] != 1 || dilation[1] != 1)
    return "it is strided or dilated";
  if (a.has("pool") && a.getString("pool") != "none" && !poolsWinogradTiles(a, kOutputTile))
    return "it is fused with a pool other than 2x2 of stride 2";
  // Tiles past the edge of the output are computed in full: a 7x7 output
  // takes 4x4 tiles of 2x2, 64 pixels for 49, and still ran faster than the
  // direct conv with AVX2 (resnet18.layer4: 2.1-2.3 against 2.7-3.9 ms at
  // batch 1, 10.8-19.7 against 26.7-27.1 ms at batch 8); a 5x5 output would
  // compute 36 pixels for 25.
  // A pooled result has a pixel per tile.
  const TensorType &out = op.result()->type();
  const int64_t pooledBy = a.has("pool") && a.getString("pool") != "none" ? kOutputTile : 1;
  const int64_t h = out.dim(2).size * pooledBy, wd = out.dim(3).size * pooledBy;
  const double computed = (double)((h + kOutputTile - 1) / kOutputTile * kOutputTile) *
                          ((wd + kOutputTile - 1) / kOutputTile * kOutputTile);
  if (computed > 1.35 * h * wd)
    return "its " + std::to_string(h) + "x" + std::to_string(wd) +
           " output would waste more than a third of its 2x2 tiles";
  // With AVX-512 the direct conv's register tiles run near the FMA peak, and
  // the transforms cost F(2x2, 3x3) more of its 2.25x than with narrower
  // vectors. On an AVX-512 Xeon (2 threads, batch 1 and 8, Winograd with
  // chunks of a whole row of tiles), alone the two traded places: 64 channels
  // at 56x56 and 128 at 28x28 ran up to 1.2x faster direct, 256 at 14x14 and
  // 64 at 224x224 by Winograd. In the networks Winograd won from 14x14 on:
  // ResNet-18 at batch 1 16.0 -> 11.5 ms, batch 8 109 -> 102; GoogLeNet 16.5
  // -> 13.9 and 120 -> 109; VGG-16 125 -> 102 and 867 -> 623 (fifteenth
  // session of docs/performance.md). 512 channels at 7x7 lost with the row
  // order (0.4x: 16 tiles an image); narrower convs than 64 channels were not measured with
  // AVX-512. With AVX2 and SSE it paid for every such conv measured.
  // Below 14x14 only for a batch known to be of several images, and where
  // the transformed weights take the weight-heavy order with products by tile
  // position (scheduleWinogradTiles). There F(2x2, 3x3) reads 16/9 the bytes
  // of weights of the direct conv for 2.25x fewer FMAs: resnet18.layer4, 512
  // channels at 7x7, at batch 8 4.95 -> 3.85 ms (AVX-512 Xeon, weights in
  // L3); eight such convs in a row, each with its own weights, 46.1 -> 35.6
  // ms. At batch 1 the weights' bytes decide: 0.68 -> 0.55 ms with them in
  // L3, but 7.15 -> 7.87 ms for the eight, and ResNet-18 at batch 1 9.3 ->
  // 10.1 ms, where each conv's weights come from memory.
  const int64_t channels =
      std::min(out.dim(1).size, op.operand(0)->type().dim(1).size);
  const int64_t side = std::min(h, wd);
  const WinogradTransform &t = *winogradTransform(kOutputTile);
  const double transformedBytes = transformedWeightBytes(t, w.dim(1).size, out.dim(1).size);
  const Dim &batch = op.operand(0)->type().dim(0);
  // (Products by position pair the weight blocks: an even number of them.)
  const bool byPosition = batch.isStatic() && batch.size > 1 &&
                          transformedBytes > kWeightHeavyBytes && w.dim(0).size % 2 == 0;
  if (target.vectorBits >= 512 && ((side < 14 && !byPosition) || channels < 64))
    return "with AVX-512 the direct conv is faster for " + std::to_string(channels) +
           " channels at " + std::to_string(h) + "x" + std::to_string(wd) +
           (side < 14 && channels >= 64 && transformedBytes > kWeightHeavyBytes
                ? " unless the batch is known to be larger than 1"
                : "");
  if (!weight->data())
    return "weight '" + weight->name() + "' has no data yet";
  return "";
}

} // namespace

bool winogradConv(Graph &graph, DiagnosticEngine &diags, const PassTarget &target) {
  const WinogradTransform &t = *winogradTransform(kOutputTile);
  for (Op *op : graph.ops()) {
    if (op->kindName() != "conv2d" && op->kindName() != "fused_conv2d")
      continue;
    std::string why = whyDirect(*op, target);
    if (!why.empty()) {
      if (op->attrs().getInt("weight_block") != 0)
        diags.remark(op->loc(), op->kindName() + " %" + op->result()->name() +
                                    " stays a direct conv: " + why);
      continue;
    }
    const Value *weight = op->operand(1);
    const TensorType &wType = weight->type();
    TensorType transformedType(DType::F32, {wType.dim(0), Dim::of(t.inputTile),
                                            Dim::of(t.inputTile), wType.dim(1), wType.dim(4)});
    Value *transformed =
        graph.addWeight(unusedWeightName(graph, weight->name() + ".winograd"), transformedType,
                        weight->loc());
    transformed->setData(transformKernels(*weight->data(), t));
    op->setOperand(1, transformed);
    op->attrs().set("winograd_tile", Attribute::ofInt(kOutputTile));
    diags.remark(op->loc(), op->kindName() + " %" + op->result()->name() +
                                " computed by Winograd F(2x2, 3x3)");
  }
  graph.eraseUnusedWeights();
  return true;
}

} // namespace netc
