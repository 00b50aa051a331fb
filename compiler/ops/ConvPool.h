// The pieces of conv2d and the 2-D pools that fused ops reuse: parameters read
// from attributes, shape rules, reference kernels and Halide algorithms.
#pragma once

#include "compiler/ops/ConvWeightShape.h"
#include "compiler/ops/OpHelpers.h"

#include <Halide.h>

#include <functional>
#include <utility>

namespace netc {

struct LowerContext;

/// What one thread's working copy (a bordered input share, a strip of conv
/// rows) may take: half the L2 of a core of the AVX2 EPYC it was measured on
/// (512 KB), a quarter of a Zen 4 core's.
constexpr int64_t kThreadCacheBytes = 256 * 1024;

struct ConvParams {
  int64_t strideY, strideX, padTop, padLeft, padBottom, padRight, dilY, dilX, groups;
  /// 0: OIHW weights. B > 0: weights packed by pack-conv-weights as
  /// [O/B, I, KH, KW, B], B output channels innermost (one vector's worth).
  int64_t weightBlock = 0;
  /// 0: NCHW result. B > 0 (only with weightBlock == B): the result is stored
  /// channel-blocked, [N, C/B, H, W, B] (see channelBlockOf in ir/Graph.h).
  int64_t channelBlock = 0;
  /// 0: direct convolution. M > 0 (only with weightBlock > 0, 3x3 kernels,
  /// stride and dilation 1): Winograd's F(M x M, 3 x 3); the weights, packed as
  /// [O/B, M+2, M+2, I, B], hold each kernel transformed, G g G^T (see
  /// winograd-conv and WinogradTransform.h).
  int64_t winogradTile = 0;
  /// Reads `stride`, `pad`, `dilation`, `groups` and, if present,
  /// `weight_block`, `channel_block` and `winograd_tile`.
  explicit ConvParams(const AttrMap &attrs);
  bool padded() const { return padTop || padLeft || padBottom || padRight; }
};

/// Shape rule of conv2d over operands 0 (input), 1 (weight), 2 (optional bias).
std::optional<TensorType> inferConvType(const Op &op, std::string &error);

/// Whether a conv with these attributes reads activation operand `index`
/// channel-blocked: the input and (fused_conv2d) the residual of a conv with
/// packed weights, whose tiles read 16 channels of a pixel at once.
bool convReadsChannelBlocked(const Op &op, size_t index);

void referenceConv(const ConvParams &p, const Tensor &x, const Tensor &w, const Tensor *bias,
                   Tensor &out);
/// referenceConv for Winograd-transformed weights: the algorithm itself, tile
/// by tile, in double precision.
void referenceWinogradConv(const ConvParams &p, const Tensor &x, const Tensor &w,
                           const Tensor *bias, Tensor &out);

/// The convolution as Halide stages: `conv` (bias, then the reduction over
/// `reduction`) reading `source`, the input with its zero border when padded.
/// With blocked weights the reduction lives in `blocked`, a
/// (channel-in-block, x, y, block, n) Func computed a vector of output channels
/// at a time; `conv` then only reads it back in NCHW order.
struct ConvStages {
  Halide::Func conv, source, blocked;
  /// What a schedule materializes for the zero border when `padded`: `source`
  /// itself, or for a channel-blocked input the bordered copy in that layout,
  /// a (lane, x, y, block, n) Func that `source` reads.
  Halide::Func paddedStorage;
  int inputChannelBlock = 0;
  /// Columns of the bordered input that the conv's outputs read.
  int sourceWidth = 0;
  Halide::RDom reduction;
  bool padded = false;
  int weightBlock = 0;
  /// Winograd convs (ConvParams::winogradTile): `blocked` is the output
  /// transform, (lane, xm, ym, tx, ty, block, n) for pixel (xm, ym) of tile
  /// (tx, ty), of `product`, the transformed tiles' products summed over the
  /// input channels, a (lane, tx, ty, ex, ey, block, n) Func; `sums` the same
  /// values as the output transform reads them (a copy, so that `product`
  /// can be computed in registers per register tile); `inputTiles` the
  /// transformed input, (tx, ci, ex, ey, ty, n).
  int winogradTile = 0;
  Halide::Func inputTiles, product, sums;
};
/// `zeroExtendInput`: read the input through a zero border even without
/// padding, for schedules that compute a few pixels past the output's edge.
/// `blockedInput`: the input as stored when it is channel-blocked by
/// `inputChannelBlock` (LowerContext::blockedOperands), else undefined.
ConvStages defineConv(const ConvParams &p, Halide::Func input, Halide::Func weight,
                      Halide::Func bias, const TensorType &inputType,
                      const TensorType &weightType, bool zeroExtendInput = false,
                      Halide::Func blockedInput = Halide::Func(), int inputChannelBlock = 0);

/// The Winograd stages of defineConv (ConvParams::winogradTile), reading
/// `stages.source`: `inputTiles`, `product`, `blocked` and `conv`.
void defineWinogradConv(ConvStages &stages, const ConvParams &p, Halide::Func weight,
                        Halide::Func bias, int inputChannels);

/// The conv schedule shared by conv2d and fused_conv2d: `result` (the conv, or
/// something computed from it such as activation + pool) becomes the kernel's
/// output, split into tiles of `outputVector` columns × a block of output
/// channels (sized so the tile's `vectorsPerChannel` conv vectors per channel
/// make 8-16 accumulators); per
/// tile the conv is computed in registers over `convVector`-wide vectors and
/// the whole reduction (compute_at), parallel over rows × channel blocks × batch.
/// `alignedTiles`: each tile's conv region is a whole number of vectors;
/// otherwise the last partial vector is guarded. `unpooled`: `result`'s rows
/// are the conv's rows, so a tile may take several of them.
Halide::Func scheduleConvTiles(const LowerContext &ctx, Halide::Func result, ConvStages &stages,
                               int outputVector, int convVector, int channels,
                               int vectorsPerChannel, bool alignedTiles, bool unpooled,
                               const std::string &name);

/// The schedule of a Winograd conv (stages from defineConv with
/// ConvParams::winogradTile): tasks of one row of output tiles; per chunk of
/// tiles the input transform for all input channels, then per weight block
/// the products summed over input channels in registers (a matrix product per
/// position of the transformed tile), then the output transform into `result`.
/// Convs whose transformed weights outweigh L2 and the images' tiles take
/// each weight block (pair) through the images instead, with AVX-512 one
/// position of the transformed tile per task.
/// `pooledBy` m: `result` pools each m x m tile into one pixel (a 2x2 pool of
/// stride 2 for F(2x2, 3x3)).
Halide::Func scheduleWinogradTiles(const LowerContext &ctx, Halide::Func result,
                                   ConvStages &stages, const std::string &name,
                                   int pooledBy = 1);

/// How scheduleChannelVectorTiles splits the work.
struct ChannelVectorTiling {
  /// Tile of `result` (or, with strips, of the conv) held in registers.
  int columns = 1, rows = 1;
  /// Weight blocks (vectors of output channels) a register tile spans: 2
  /// where a one-block tile would recompute pixels past the image's edge
  /// (7x7 images: 7 columns x 2 rows computes 8 rows for 7).
  int blocks = 1;
  /// Vectors of its one weight block a register tile holds, where the block
  /// is wider than the target's vectors (AVX2, SSE, NEON) and a tile of the
  /// whole block would hold too few pixels; 0: the whole block(s).
  int vectors = 0;
  /// 0: the conv region of each output tile is computed in registers (exact
  /// for convs and non-overlapping pools). N > 0: each task computes the conv
  /// of N output rows into a small buffer, in register tiles, and the output
  /// (e.g. an overlapping pool) reads it; overlapping windows then recompute
  /// only the rows shared between strips.
  int stripRows = 0;
};

/// The schedule of a conv with blocked weights: `result` is split into tasks
/// of one weight block of output channels × rows; the conv is computed in
/// register tiles, one accumulator vector per conv pixel across the whole
/// reduction, reading the input as broadcast scalars and the weights as whole
/// vectors.
Halide::Func scheduleChannelVectorTiles(const LowerContext &ctx, Halide::Func result,
                                        ConvStages &stages, const ChannelVectorTiling &tiling,
                                        const std::string &name);

/// The vector registers a register tile has to fit in.
struct TileRegisters {
  /// Vectors per weight block: 1 where a vector holds a whole block (AVX-512),
  /// 2 on AVX2, 4 on SSE and NEON for blocks of 16 channels.
  int vectorsPerBlock = 1;
  /// Vector registers of the target (16 on x86 below AVX-512, 32 on AVX-512
  /// and AArch64).
  int registers = 32;
  /// Whether a tile may hold part of a block (ChannelVectorTiling::vectors);
  /// strips hold whole blocks.
  bool partialBlocks = false;
  /// Whether the kernel has more than one row, so that neighbouring rows of a
  /// tile read the same input at different taps.
  bool tallKernel = true;
};

/// Schedules the copy that turns a register tile of channel vectors into the
/// rows of pixels an NCHW result stores (`transposed`, read by `out`),
/// computed at `at`: `lanes` channels and `columns` pixels per vector (0: the
/// whole row of the tile).
void scheduleTransposedTile(Halide::Func transposed, Halide::Func out, Halide::Var at, int lanes,
                            int columns);

/// The registers of `ctx`'s target for weight blocks of `weightBlock` channels
/// of a conv whose kernel has `kernelHeight` rows.
TileRegisters tileRegistersFor(const LowerContext &ctx, int weightBlock, bool partialBlocks,
                               int kernelHeight);

/// Picks the register tile for scheduleChannelVectorTiles: the conv region of
/// a tile (`regionOf` maps output tile extent to conv extent along an axis),
/// times the weight blocks it spans (at most 2, and only where `weightBlocks`
/// is even), should fill 12-16 accumulator vectors, with the weight vectors and
/// a broadcast input still in registers, with little recomputation at the
/// edges of an `outW` × `outH` output. `stripRows` is left 0.
ChannelVectorTiling pickChannelVectorTile(int outW, int outH, int convW, int convH,
                                          const std::function<int(int)> &regionOfX,
                                          const std::function<int(int)> &regionOfY,
                                          int weightBlocks, const TileRegisters &registers);

enum class PoolKind { Max, Avg };

struct PoolParams {
  int64_t kh, kw, sy, sx, pt, pl, pb, pr;
  bool ceilMode = false, countIncludePad = true;
  /// Reads `<prefix>kernel`, `<prefix>stride`, `<prefix>pad`, `<prefix>ceil_mode`
  /// and, if present, `<prefix>count_include_pad`.
  PoolParams(const AttrMap &attrs, const std::string &prefix = "");
};

/// Output type of pooling `in`; nullopt with `error` if the window does not fit.
std::optional<TensorType> poolType(const PoolParams &p, const TensorType &in, std::string &error);

void referencePool(PoolKind kind, const PoolParams &p, const Tensor &x, Tensor &out);

/// Pooling of `input` (an H x W image per channel) as one Halide Func. With
/// padding or ceil mode, `*border` (if given) receives the Func that extends
/// the input with a border that never wins, for the caller to schedule.
/// `unrollTaps`: windows of up to 25 taps become one expression instead of a
/// reduction loop. Fused convs keep the loop: Halide 14 then reads a few floats
/// past the conv tile when the taps are odd-width strided vector loads.
Halide::Func definePool(PoolKind kind, const PoolParams &p, Halide::Func input, int height,
                        int width, const std::string &name, Halide::Func *border = nullptr,
                        bool unrollTaps = false);

} // namespace netc
