// fused_conv2d: conv2d + bias (+ residual add) + activation + optional max/avg
// pool as one loop nest. Made by the fuse-conv pass; the conv output only ever
// exists as a register/L1-sized tile of the pooled output being computed.
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/ConvPool.h"
#include "compiler/ops/FusedEpilogue.h"
#include "compiler/ops/WinogradTransform.h"

#include <algorithm>

namespace netc {
namespace {

std::optional<PoolKind> poolKind(const AttrMap &attrs, std::string &error) {
  const std::string &pool = attrs.getString("pool");
  if (pool == "max")
    return PoolKind::Max;
  if (pool == "avg")
    return PoolKind::Avg;
  if (pool != "none")
    error = "pool must be \"none\", \"max\" or \"avg\", found \"" + pool + "\"";
  return std::nullopt;
}

std::optional<TensorType> inferFusedConv(const Op &op, std::string &error) {
  auto conv = inferConvType(op, error);
  if (!conv)
    return std::nullopt;
  if (const Value *residual = op.operand(3))
    if (residual->type() != *conv)
      return error = "residual " + residual->type().shapeStr() +
                     " does not match the convolution's output " + conv->shapeStr(),
             std::nullopt;
  const std::string &activation = op.attrs().getString("activation");
  const OpDef *act = OpRegistry::get().lookup(activation);
  if (activation != "none" && (!act || !isFusibleActivation(*act)))
    return error = "'" + activation + "' is not an activation that can be fused", std::nullopt;
  auto kind = poolKind(op.attrs(), error);
  if (const int64_t m = ConvParams(op.attrs()).winogradTile;
      kind && m && !poolsWinogradTiles(op.attrs(), (int)m))
    return error = "a Winograd conv (winograd_tile=" + std::to_string(m) +
                   ") can be fused only with an unpadded " + std::to_string(m) + "x" +
                   std::to_string(m) + " pool of stride " + std::to_string(m),
           std::nullopt;
  if (!kind)
    return error.empty() ? conv : std::nullopt;
  return poolType(PoolParams(op.attrs(), "pool_"), *conv, error);
}

void referenceFusedConv(const Op &op, const std::vector<const Tensor *> &in, Tensor &out) {
  ConvParams p(op.attrs());
  std::string error;
  TensorType convType = *inferConvType(op, error);
  Tensor conv(convType.concreteShape(in[0]->shape[0]));
  referenceConv(p, *in[0], *in[1], in[2], conv);
  if (in[3])
    for (size_t i = 0; i < conv.data.size(); ++i)
      conv.data[i] += in[3]->data[i];
  FusedActivation(op.attrs(), convType).reference(conv);
  if (auto kind = poolKind(op.attrs(), error))
    referencePool(*kind, PoolParams(op.attrs(), "pool_"), conv, out);
  else
    out.data = std::move(conv.data);
}

/// Conv rows a strip of `rows` pooled rows reads.
int stripConvRows(int rows, int convH, const PoolParams &pool) {
  return std::min(convH, (rows - 1) * (int)pool.sy + (int)pool.kh);
}

/// Pooled rows per strip of a conv fused with an overlapping pool. Each strip
/// recomputes the conv rows it shares with the next (one in 9 for strips of
/// 4 rows of a 3x3/2 pool), so strips are as tall as pays: the height whose
/// busiest thread computes the fewest conv rows (strips × channel blocks
/// dealt out evenly), of those the one computing fewest in all, with a
/// strip's conv rows (one block of channels) within kThreadCacheBytes.
/// ResNet-18's and GoogLeNet's stems (64 channels, a 112x112 conv pooled to
/// 56x56): 14 rows, 29 conv rows for 28 (203 KB), 1.41 against 1.49 ms with
/// 4; GoogLeNet's 64->192 conv at 56x56: the whole image, 57 rows, 10-20 %
/// faster.
int pickStripRows(int outH, int convH, int convW, const PoolParams &pool, int blockChannels,
                  int channelBlocks, int threads) {
  int best = 1;
  int64_t bestBusiest = INT64_MAX, bestComputed = INT64_MAX;
  for (int rows = 1; rows <= outH; ++rows) {
    const int convRows = stripConvRows(rows, convH, pool);
    if (rows > 1 && 4LL * blockChannels * convW * convRows > kThreadCacheBytes)
      break;
    const int64_t tasks = (int64_t)((outH + rows - 1) / rows) * channelBlocks;
    const int64_t busiest = (tasks + threads - 1) / threads * convRows;
    const int64_t computed = tasks * convRows;
    if (busiest < bestBusiest || (busiest == bestBusiest && computed < bestComputed))
      best = rows, bestBusiest = busiest, bestComputed = computed;
  }
  return best;
}

Halide::Func lowerFusedConv(LowerContext &ctx, const Op &op) {
  using namespace Halide;
  ConvParams p(op.attrs());
  std::string error;
  const TensorType convType = *inferConvType(op, error);
  const int O = (int)convType.dim(1).size;
  const int convH = (int)convType.dim(2).size, convW = (int)convType.dim(3).size;
  auto kind = poolKind(op.attrs(), error);
  const PoolParams pool(op.attrs(), "pool_");
  // Overlapping pool windows (3x3/2) would recompute shared conv pixels in
  // every tile: those compute the conv in strips instead (see
  // ChannelVectorTiling), which read a little past the conv's edge.
  const bool overlapping = kind && (pool.kw > pool.sx || pool.kh > pool.sy);
  const bool strips = p.weightBlock && overlapping;
  // Overlapping windows read a conv region that is no whole number of
  // vectors (2v + 1 columns for v pooled ones): a zero-extended input lets
  // the tile round its last vector up (scheduleConvTiles) instead of masking it.
  ConvStages stages =
      defineConv(p, ctx.operands[0], ctx.operands[1], ctx.hasOperand(2) ? ctx.operands[2] : Func(),
                 ctx.operandTypes[0], ctx.operandTypes[1], overlapping, ctx.blockedOperands[0],
                 ctx.operandChannelBlocks[0]);
  Var x("x"), y("y"), c("c"), n("n");
  Func preActivation = stages.conv;
  if (ctx.hasOperand(3)) {
    preActivation = Func("residual_add");
    Func residual = ctx.operands[3];
    // Winograd tiles past the edge of an odd-sized output are computed in
    // full, epilogue included: their residual reads stay inside the buffer.
    if (stages.winogradTile && (convW % stages.winogradTile || convH % stages.winogradTile))
      residual = BoundaryConditions::repeat_edge(residual, {{0, convW}, {0, convH}});
    preActivation(x, y, c, n) = stages.conv(x, y, c, n) + residual(x, y, c, n);
  }
  Func activated = FusedActivation(op.attrs(), convType).lower(ctx, preActivation, convType);
  Func result = kind ? definePool(*kind, PoolParams(op.attrs(), "pool_"), activated, convH,
                                  convW, "fused_pool")
                     : activated;
  if (!ctx.schedule)
    return result;

  // Tiles of the fused output: one vector of columns × a block of channels per
  // task row. The conv is computed per tile (compute_at), so only the tile's
  // conv values — a few vectors per channel — ever exist; activation and
  // pooling are inlined into the store.
  const int outW = (int)ctx.resultType.dim(3).size;
  if (stages.winogradTile)
    return scheduleWinogradTiles(ctx, result, stages, "fused_conv2d",
                                 kind ? stages.winogradTile : 1);
  if (stages.weightBlock) {
    const int kernelH = (int)ConvWeightShape(ctx.operandTypes[1], p.weightBlock).kh;
    const int outH = (int)ctx.resultType.dim(2).size;
    std::function<int(int)> regionX = [](int t) { return t; }, regionY = regionX;
    ChannelVectorTiling tiling;
    if (strips) {
      const int channelBlocks = (O + stages.weightBlock - 1) / stages.weightBlock;
      const int stripRows = pickStripRows(outH, convH, convW, pool, stages.weightBlock,
                                          channelBlocks, ctx.threads);
      const int convRows = stripConvRows(stripRows, convH, pool);
      tiling = pickChannelVectorTile(convW, convRows, convW, convRows, regionX, regionY,
                                     1, tileRegistersFor(ctx, stages.weightBlock, false, kernelH));
      tiling.stripRows = stripRows;
    } else {
      if (kind) {
        regionX = [pool](int t) { return (t - 1) * (int)pool.sx + (int)pool.kw; };
        regionY = [pool](int t) { return (t - 1) * (int)pool.sy + (int)pool.kh; };
      }
      tiling = pickChannelVectorTile(outW, outH, convW, convH, regionX, regionY,
                                     (O + stages.weightBlock - 1) / stages.weightBlock,
                                     tileRegistersFor(ctx, stages.weightBlock, true, kernelH));
    }
    return scheduleChannelVectorTiles(ctx, result, stages, tiling, "fused_conv2d");
  }
  const int convVector = std::min(ctx.vectorWidth(), convW);
  int vw = std::min(ctx.vectorWidth(), outW);
  bool alignedTiles = !kind;
  if (kind) {
    // A non-overlapping pool (kernel == stride) maps a tile of vw / stride pooled
    // columns onto exactly one vector of conv columns: no partial vectors, no
    // scalar tail. Overlapping windows take the guarded path below.
    const PoolParams &pp = pool;
    if (pp.kw == pp.sx && pp.kh == pp.sy && pp.pl == 0 && pp.pr == 0 && !pp.ceilMode &&
        convVector % pp.sx == 0 && convVector / pp.sx <= outW) {
      vw = convVector / (int)pp.sx;
      alignedTiles = true;
    }
  }
  // A pooled tile holds the conv rows of its pool windows.
  const int convRows = kind ? (int)pool.kh : 1;
  return scheduleConvTiles(ctx, result, stages, vw, convVector, O, convRows, alignedTiles,
                           !kind, "fused_conv2d");
}

} // namespace

void registerFusedConv2dOp() {
  OpDef def;
  def.name = "fused_conv2d";
  def.madeByPasses = true;
  def.summary = "conv2d + bias (+ residual) + activation + optional pool in one loop nest "
                "(made by fuse-conv)";
  def.operands = {{"input", false, false},
                  {"weight", true, false},
                  {"bias", true, true},
                  {"residual", false, true}};
  def.attrs = {{"stride", AttrKind::IntList, Attribute::ofInts({1, 1}), 2},
               {"pad", AttrKind::IntList, Attribute::ofInts({0, 0, 0, 0}), 4},
               {"dilation", AttrKind::IntList, Attribute::ofInts({1, 1}), 2},
               {"groups", AttrKind::Int, Attribute::ofInt(1), 0},
               {"weight_block", AttrKind::Int, Attribute::ofInt(0), 0, true},
               {"channel_block", AttrKind::Int, Attribute::ofInt(0), 0, true},
               {"winograd_tile", AttrKind::Int, Attribute::ofInt(0), 0, true}};
  def.readsChannelBlocked = convReadsChannelBlocked;
  for (AttrSpec &a : activationAttrSpecs())
    def.attrs.push_back(a);
  def.attrs.push_back({"pool", AttrKind::String, Attribute::ofString("none"), 0});
  def.attrs.push_back({"pool_kernel", AttrKind::IntList, Attribute::ofInts({1, 1}), 2, true});
  def.attrs.push_back({"pool_stride", AttrKind::IntList, Attribute::ofInts({1, 1}), 2, true});
  def.attrs.push_back({"pool_pad", AttrKind::IntList, Attribute::ofInts({0, 0, 0, 0}), 4, true});
  def.attrs.push_back({"pool_ceil_mode", AttrKind::Bool, Attribute::ofBool(false), 0, true});
  def.attrs.push_back(
      {"pool_count_include_pad", AttrKind::Bool, Attribute::ofBool(true), 0, true});
  def.inferType = inferFusedConv;
  def.reference = referenceFusedConv;
  def.lower = lowerFusedConv;
  OpRegistry::get().add(std::move(def));
}

} // namespace netc
