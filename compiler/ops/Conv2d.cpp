// conv2d: 2-D convolution over NCHW input with OIHW weights (PyTorch's layout),
// stride, padding [top,left,bottom,right], dilation, groups and optional bias.
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/ConvPool.h"
#include "compiler/ops/WinogradTransform.h"

#include <algorithm>
#include <cassert>
#include <vector>

namespace netc {

ConvParams::ConvParams(const AttrMap &a) {
  const auto &s = a.getInts("stride"), &p = a.getInts("pad"), &d = a.getInts("dilation");
  strideY = s[0], strideX = s[1];
  padTop = p[0], padLeft = p[1], padBottom = p[2], padRight = p[3];
  dilY = d[0], dilX = d[1];
  groups = a.getInt("groups");
  const Attribute *block = a.find("weight_block");
  weightBlock = block ? block->asInt() : 0;
  const Attribute *outBlock = a.find("channel_block");
  channelBlock = outBlock ? outBlock->asInt() : 0;
  const Attribute *winograd = a.find("winograd_tile");
  winogradTile = winograd ? winograd->asInt() : 0;
}

bool convReadsChannelBlocked(const Op &op, size_t index) {
  ConvParams p(op.attrs());
  if (p.weightBlock <= 0)
    return false;
  if (index == 3)
    return op.kindName() == "fused_conv2d";
  // A narrow image reads its blocked input slower than NCHW (512->512 3x3 at
  // 7x7, one core: 1.31 ms from NCHW, 1.49 ms blocked; at 14x14 blocked is
  // the faster one), so such convs keep reading NCHW.
  constexpr int64_t kNarrowestBlockedInput = 8;
  const Value *input = op.operand(0);
  return index == 0 && input && input->type().rank() == 4 &&
         input->type().dim(3).size >= kNarrowestBlockedInput;
}

ConvWeightShape::ConvWeightShape(const TensorType &w, int64_t block, int64_t winogradTile) {
  outChannels = block > 0 ? w.dim(0).size * block : w.dim(0).size;
  if (winogradTile > 0) {
    // [O/B, m+2, m+2, I, B], transformed 3x3 kernels.
    perGroup = w.dim(3).size;
    kh = w.dim(1).size - winogradTile + 1, kw = w.dim(2).size - winogradTile + 1;
    return;
  }
  perGroup = w.dim(1).size;
  kh = w.dim(2).size, kw = w.dim(3).size;
}

std::optional<TensorType> inferConvType(const Op &op, std::string &error) {
  const TensorType &in = operandType(op, 0), &w = operandType(op, 1);
  ConvParams p(op.attrs());
  if (p.weightBlock < 0)
    return error = "weight_block must be 0 or positive, found " + std::to_string(p.weightBlock),
           std::nullopt;
  if (p.channelBlock != 0 && p.channelBlock != p.weightBlock)
    return error = "channel_block must be 0 or equal weight_block (" +
                   std::to_string(p.weightBlock) + "), found " + std::to_string(p.channelBlock),
           std::nullopt;
  if (!expectRank(in, 4, "input", "N,C,H,W", error) ||
      !(p.weightBlock ? expectRank(w, 5, "weight '" + op.operand(1)->name() + "'",
                                   "O/" + std::to_string(p.weightBlock) + ",I,KH,KW," +
                                       std::to_string(p.weightBlock),
                                   error)
                      : expectRank(w, 4, "weight '" + op.operand(1)->name() + "'", "O,I,KH,KW",
                                   error)))
    return std::nullopt;
  if (p.weightBlock && w.dim(4).size != p.weightBlock)
    return error = describeOperand(op, 1) + " is not blocked by " +
                   std::to_string(p.weightBlock) + " output channels",
           std::nullopt;
  if (p.winogradTile) {
    const auto &stride = op.attrs().getInts("stride"), &dil = op.attrs().getInts("dilation");
    if (!winogradTransform((int)p.winogradTile))
      return error = "winograd_tile must be 2, found " + std::to_string(p.winogradTile),
             std::nullopt;
    if (!p.weightBlock || p.groups != 1 || stride[0] != 1 || stride[1] != 1 || dil[0] != 1 ||
        dil[1] != 1)
      return error = "winograd_tile needs packed weights (weight_block), groups = 1, stride 1 "
                     "and dilation 1",
             std::nullopt;
    const int64_t alpha = p.winogradTile + 2;
    if (w.dim(1).size != alpha || w.dim(2).size != alpha)
      return error = describeOperand(op, 1) + " must be [O/" + std::to_string(p.weightBlock) +
                     ", " + std::to_string(alpha) + ", " + std::to_string(alpha) + ", I, " +
                     std::to_string(p.weightBlock) +
                     "], transformed 3x3 kernels for winograd_tile=" +
                     std::to_string(p.winogradTile),
             std::nullopt;
  }
  ConvWeightShape ws(w, p.weightBlock, p.winogradTile);
  for (int64_t v : op.attrs().getInts("stride"))
    if (v <= 0)
      return error = "stride must be positive, found " + op.attrs().find("stride")->str(),
             std::nullopt;
  for (int64_t v : op.attrs().getInts("dilation"))
    if (v <= 0)
      return error = "dilation must be positive, found " + op.attrs().find("dilation")->str(),
             std::nullopt;
  for (int64_t v : op.attrs().getInts("pad"))
    if (v < 0)
      return error = "padding must not be negative, found " + op.attrs().find("pad")->str(),
             std::nullopt;
  if (p.groups <= 0)
    return error = "groups must be positive, found " + std::to_string(p.groups), std::nullopt;
  if (!in.dim(1).isStatic() || !in.dim(2).isStatic() || !in.dim(3).isStatic())
    return error = "input must have static C, H, W, found " + in.shapeStr(), std::nullopt;
  int64_t channels = in.dim(1).size, outChannels = ws.outChannels;
  if (channels % p.groups != 0)
    return error = "input has " + std::to_string(channels) + " channels, not divisible by " +
                   std::to_string(p.groups) + " groups",
           std::nullopt;
  if (outChannels % p.groups != 0)
    return error = describeOperand(op, 1) + " has " + std::to_string(outChannels) +
                   " output channels, not divisible by " + std::to_string(p.groups) + " groups",
           std::nullopt;
  // A block of output channels reads the input channels of one group.
  if (p.weightBlock > 0 && (outChannels / p.groups) % p.weightBlock != 0)
    return error = "weight_block " + std::to_string(p.weightBlock) + " does not divide the " +
                   std::to_string(outChannels / p.groups) + " output channels of each of " +
                   std::to_string(p.groups) + " groups",
           std::nullopt;
  if (ws.perGroup * p.groups != channels)
    return error = "input " + in.shapeStr() + " has " + std::to_string(channels) +
                   " channels but " + describeOperand(op, 1) + " expects " +
                   std::to_string(ws.perGroup * p.groups) +
                   (p.groups > 1 ? " (" + std::to_string(ws.perGroup) + " per group × " +
                                       std::to_string(p.groups) + " groups)"
                                 : std::string()),
           std::nullopt;
  if (op.operand(2)) {
    const TensorType &b = operandType(op, 2);
    if (b.rank() != 1 || b.dim(0).size != outChannels)
      return error = describeOperand(op, 2) + " does not match the " +
                     std::to_string(outChannels) + " output channels (expected [" +
                     std::to_string(outChannels) + "])",
             std::nullopt;
  }
  int64_t kh = ws.kh, kw = ws.kw;
  int64_t oh = slidingOutputSize(in.dim(2).size, kh, p.strideY, p.padTop, p.padBottom, p.dilY);
  int64_t ow = slidingOutputSize(in.dim(3).size, kw, p.strideX, p.padLeft, p.padRight, p.dilX);
  if (oh <= 0 || ow <= 0)
    return error = "the " + std::to_string(kh) + "x" + std::to_string(kw) +
                   " kernel (dilation " + op.attrs().find("dilation")->str() +
                   ") does not fit the input " + in.shapeStr() + " with padding " +
                   op.attrs().find("pad")->str(),
           std::nullopt;
  return TensorType(in.dtype, {in.dim(0), Dim::of(outChannels), Dim::of(oh), Dim::of(ow)});
}

static bool buildConv2d(const DslCall &call, DslLowering &out, std::string &error) {
  const TensorType &in = call.inputTypes[0];
  if (!expectRank(in, 4, "input", "N,C,H,W", error))
    return false;
  int64_t outChannels = call.args.getInt("out_channels");
  int64_t groups = call.args.getInt("groups");
  const auto &kernel = call.args.getInts("kernel");
  if (outChannels <= 0)
    return error = "out_channels must be positive, found " + std::to_string(outChannels), false;
  if (groups <= 0 || in.dim(1).size % groups != 0)
    return error = "input has " + in.dim(1).str() + " channels, not divisible by groups=" +
                   std::to_string(groups),
           false;
  if (kernel[0] <= 0 || kernel[1] <= 0)
    return error = "kernel sizes must be positive, found " + call.args.find("kernel")->str(),
           false;
  out.attrs.set("stride", *call.args.find("stride"));
  out.attrs.set("pad", *call.args.find("pad"));
  out.attrs.set("dilation", *call.args.find("dilation"));
  out.attrs.set("groups", Attribute::ofInt(groups));
  out.weights.push_back({"weight", TensorType(DType::F32, {Dim::of(outChannels),
                                                           Dim::of(in.dim(1).size / groups),
                                                           Dim::of(kernel[0]),
                                                           Dim::of(kernel[1])})});
  if (call.args.getBool("bias"))
    out.weights.push_back({"bias", TensorType(DType::F32, {Dim::of(outChannels)})});
  return true;
}

void referenceConv(const ConvParams &p, const Tensor &x, const Tensor &w, const Tensor *b,
                   Tensor &out) {
  if (p.winogradTile)
    return referenceWinogradConv(p, x, w, b, out);
  int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t B = p.weightBlock;
  int64_t O = B ? w.shape[0] * B : w.shape[0], CG = w.shape[1], KH = w.shape[2], KW = w.shape[3];
  int64_t OH = out.shape[2], OW = out.shape[3], OG = O / p.groups;
  // OIHW, or [O/B, I, KH, KW, B] with the output channel split across the
  // first and last dims.
  auto weightAt = [&](int64_t o, int64_t ci, int64_t ky, int64_t kx) {
    return B ? w.data[((((o / B) * CG + ci) * KH + ky) * KW + kx) * B + o % B]
             : w.data[((o * CG + ci) * KH + ky) * KW + kx];
  };
  // Each output's sum runs over (ci, ky, kx) in that order, as a dot product
  // per output would; the loops over output pixels are innermost so that
  // they read rows of the input (a dot product per output ran VGG-16 at
  // 0.65 GFLOP/s, most of the numeric tests' time).
  std::vector<double> acc(OH * OW);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o) {
      const int64_t g = o / OG;
      std::fill(acc.begin(), acc.end(), b ? (double)b->data[o] : 0.0);
      for (int64_t ci = 0; ci < CG; ++ci) {
        const float *plane = &x.data[(n * C + g * CG + ci) * H * W];
        for (int64_t ky = 0; ky < KH; ++ky)
          for (int64_t kx = 0; kx < KW; ++kx) {
            const double wv = weightAt(o, ci, ky, kx);
            // Output columns whose input column ix lies in [0, W).
            const int64_t shift = kx * p.dilX - p.padLeft;
            const int64_t oxBegin = shift >= 0 ? 0 : (-shift + p.strideX - 1) / p.strideX;
            const int64_t oxEnd =
                W - 1 - shift < 0 ? 0 : std::min(OW, (W - 1 - shift) / p.strideX + 1);
            for (int64_t oy = 0; oy < OH; ++oy) {
              const int64_t iy = oy * p.strideY + ky * p.dilY - p.padTop;
              if (iy < 0 || iy >= H)
                continue;
              const float *row = plane + iy * W;
              double *sums = &acc[oy * OW];
              for (int64_t ox = oxBegin; ox < oxEnd; ++ox)
                sums[ox] += (double)row[ox * p.strideX + shift] * wv;
            }
          }
      }
      float *result = &out.data[(n * O + o) * OH * OW];
      for (int64_t i = 0; i < OH * OW; ++i)
        result[i] = (float)acc[i];
    }
}

ConvStages defineConv(const ConvParams &p, Halide::Func input, Halide::Func weight,
                      Halide::Func bias, const TensorType &inType, const TensorType &wType,
                      bool zeroExtendInput, Halide::Func blockedInput, int inputChannelBlock) {
  using namespace Halide;
  const int H = (int)inType.dim(2).size, W = (int)inType.dim(3).size;
  const ConvWeightShape ws(wType, p.weightBlock, p.winogradTile);
  const int O = (int)ws.outChannels, CG = (int)ws.perGroup;
  const int KH = (int)ws.kh, KW = (int)ws.kw;
  const int OG = O / (int)p.groups;
  Var x("x"), y("y"), c("c"), n("n");
  ConvStages stages;
  // Winograd tiles read whole (m + 2)-wide windows, past the edge where the
  // output is not a multiple of m.
  stages.padded = p.padded() || zeroExtendInput || p.winogradTile;
  stages.inputChannelBlock = inputChannelBlock;
  const int64_t outW = slidingOutputSize(W, KW, p.strideX, p.padLeft, p.padRight, p.dilX);
  stages.sourceWidth = (int)((outW - 1) * p.strideX + p.dilX * (KW - 1) + 1);
  if (stages.padded && inputChannelBlock) {
    // Bordered in its own layout, so a tile's reads of one input channel at
    // neighbouring pixels stay close (channels innermost over all C would put
    // them C floats apart, onto few L1 sets once C reaches 256). The lane
    // past the block is a zero the schedule stores too (see
    // scheduleChannelVectorTiles).
    stages.paddedStorage = BoundaryConditions::constant_exterior(
        blockedInput, 0.0f, {{0, inputChannelBlock}, {0, W}, {0, H}});
    stages.source = Func("padded_input");
    const int B = inputChannelBlock;
    stages.source(x, y, c, n) = stages.paddedStorage(c % B, x, y, c / B, n);
  } else if (stages.padded) {
    stages.source = BoundaryConditions::constant_exterior(input, 0.0f, {{0, W}, {0, H}});
    stages.paddedStorage = stages.source;
  } else {
    stages.source = input;
  }
  if (p.winogradTile) {
    defineWinogradConv(stages, p, weight, bias, CG);
    return stages;
  }
  stages.reduction = RDom(0, KW, 0, KH, 0, CG, "r");
  RDom &r = stages.reduction;
  Expr channel = p.groups == 1 ? Expr(r.z) : (c / OG) * CG + r.z;
  stages.weightBlock = (int)p.weightBlock;
  if (p.weightBlock > 0) {
    const int B = (int)p.weightBlock;
    Var lane("lane"), block("block");
    stages.blocked = Func("conv2d_blocked");
    stages.blocked(lane, x, y, block, n) = bias.defined() ? bias(block * B + lane) : Expr(0.0f);
    // Blocks never straddle groups (inferConvType): block b reads group
    // b * B / OG's input channels.
    Expr blockChannel = p.groups == 1 ? Expr(r.z) : (block * B / OG) * CG + r.z;
    stages.blocked(lane, x, y, block, n) +=
        weight(lane, r.x, r.y, r.z, block) *
        stages.source(x * (int)p.strideX + r.x * (int)p.dilX - (int)p.padLeft,
                      y * (int)p.strideY + r.y * (int)p.dilY - (int)p.padTop, blockChannel, n);
    stages.conv = Func("conv2d");
    stages.conv(x, y, c, n) = stages.blocked(c % B, x, y, c / B, n);
    return stages;
  }
  stages.conv = Func("conv2d");
  stages.conv(x, y, c, n) = bias.defined() ? bias(c) : Expr(0.0f);
  stages.conv(x, y, c, n) +=
      weight(r.x, r.y, r.z, c) *
      stages.source(x * (int)p.strideX + r.x * (int)p.dilX - (int)p.padLeft,
                    y * (int)p.strideY + r.y * (int)p.dilY - (int)p.padTop, channel, n);
  return stages;
}

namespace {

void referenceConv2d(const Op &op, const std::vector<const Tensor *> &in, Tensor &out) {
  referenceConv(ConvParams(op.attrs()), *in[0], *in[1], in[2], out);
}

Halide::Func lowerConv2d(LowerContext &ctx, const Op &op) {
  using namespace Halide;
  ConvParams p(op.attrs());
  const int O = (int)ctx.resultType.dim(1).size;
  const int OW = (int)ctx.resultType.dim(3).size, OH = (int)ctx.resultType.dim(2).size;
  ConvStages stages = defineConv(p, ctx.operands[0], ctx.operands[1],
                                 ctx.hasOperand(2) ? ctx.operands[2] : Func(),
                                 ctx.operandTypes[0], ctx.operandTypes[1], false,
                                 ctx.blockedOperands[0], ctx.operandChannelBlocks[0]);
  if (!ctx.schedule)
    return stages.conv;
  if (stages.winogradTile)
    return scheduleWinogradTiles(ctx, stages.conv, stages, "conv2d_out");
  if (stages.weightBlock) {
    auto identity = [](int extent) { return extent; };
    const int weightBlocks = (O + stages.weightBlock - 1) / stages.weightBlock;
    const int kernelH = (int)ConvWeightShape(ctx.operandTypes[1], p.weightBlock).kh;
    return scheduleChannelVectorTiles(
        ctx, stages.conv, stages,
        pickChannelVectorTile(OW, OH, OW, OH, identity, identity, weightBlocks,
                              tileRegistersFor(ctx, stages.weightBlock, true, kernelH)),
        "conv2d_out");
  }
  const int vw = std::min(ctx.vectorWidth(), OW);
  return scheduleConvTiles(ctx, stages.conv, stages, vw, vw, O, 1, true, true, "conv2d_out");
}

} // namespace

/// Splits `rows`, the tasks of one image, into one share per thread (`share`
/// outside `tasks`): a share copies the bordered input its tasks read once.
void splitIntoThreadShares(Halide::Func out, Halide::Var rows, Halide::Var share,
                           Halide::Var tasks, int tasksPerImage, int threads) {
  const int shares = std::max(1, std::min(threads, tasksPerImage));
  out.split(rows, share, tasks, (tasksPerImage + shares - 1) / shares,
            Halide::TailStrategy::GuardWithIf);
}

int pickChannelBlock(int channels, int vectorsPerChannel, int mostAccumulators) {
  // Each channel of a tile holds `vectorsPerChannel` accumulators; 12 or more
  // in flight keep both FMA pipes busy, and up to 24 still leave registers for
  // the operands with 32 of them (measured on the ConvNetJS layers: 10
  // channels x 2 rows ran 1.3x faster than 4 x 2). A divisor of the channel
  // count wastes nothing; otherwise blocks of up to 8 shift inwards at the end
  // and recompute a few channels.
  const int most = std::max(1, mostAccumulators / std::max(1, vectorsPerChannel));
  for (int block = std::min(channels, most); block >= 1; --block)
    if (channels % block == 0 && block * vectorsPerChannel >= 12)
      return block;
  for (int block = std::min(channels, most); block >= 1; --block)
    if (channels % block == 0 && block >= 4)
      return block;
  return std::min(channels, std::min(most, 8));
}

Halide::Func scheduleConvTiles(const LowerContext &ctx, Halide::Func result, ConvStages &stages,
                               int outputVector, int convVector, int channels,
                               int vectorsPerChannel, bool alignedTiles, bool unpooled,
                               const std::string &name) {
  using namespace Halide;
  Var x("x"), y("y"), c("c"), n("n");
  const TensorType &w = ctx.operandTypes[1];
  const bool depthwise = w.rank() == 4 && w.dim(1).size == 1 &&
                         ctx.operandTypes[0].dim(1).size == w.dim(0).size && w.dim(0).size > 1;
  // With 16 vector registers (AVX2, SSE) a tile keeps at most 13
  // accumulators beside its input vectors and a broadcast weight: 16 channels
  // of one vector spilled accumulators to the stack around every FMA
  // (ConvNetJS's unfused 5x5 convs 1.2-1.7x slower than with 8 channels). Its
  // conv rows are unrolled so that each broadcast weight feeds every row of
  // the tile: one load per 1.1 FMAs with one row, per 0.7 with two (ConvNetJS
  // conv2 + relu + pool: 0.034 -> 0.023 ms, conv3 0.013 -> 0.008). Where
  // `out` is the conv itself, a tile takes two of its rows for the same
  // reason. A depthwise tile reads an input vector per channel and is not
  // register-bound.
  const bool fewRegisters = ctx.vectorRegisters() < 32 && !depthwise;
  const int outH = (int)ctx.resultType.dim(2).size;
  const int tileRows = fewRegisters && unpooled && outH >= 2 ? 2 : 1;
  if (tileRows > 1)
    vectorsPerChannel = tileRows;
  const bool unrollRows = fewRegisters && vectorsPerChannel > 1;
  const int channelBlock = pickChannelBlock(channels, vectorsPerChannel, fewRegisters ? 13 : 24);
  Func out(name);
  out(x, y, c, n) = result(x, y, c, n);
  Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), co("co"), ci("ci"), rows("rows"), tasks("tasks");
  out.split(x, xo, xi, outputVector, TailStrategy::ShiftInwards)
      .split(c, co, ci, channelBlock, TailStrategy::ShiftInwards)
      .split(y, yo, yi, tileRows, TailStrategy::ShiftInwards)
      .reorder(xi, ci, yi, xo, yo, co, n)
      .unroll(yi);
  // A depthwise conv does 9 FMAs per output: a task of one output row spent
  // more on being a task and on copying its 3 bordered input rows than on
  // its FMAs. Its tasks are whole planes of a block of channels instead
  // (MobileNet batch 8: 3.02 -> 2.24 ms, batch 1: 0.293 -> 0.249 ms).
  //
  // A task of one output row also copied the zero-bordered input rows its
  // kernel reads, for every block of channels again: ConvNetJS's 16->20 5x5
  // conv copied each input value ten times, a quarter of its time. Where a
  // thread's share of the bordered image fits its L2, each thread instead
  // takes a run of rows with all their channel blocks and copies those rows
  // once.
  const TensorType &in = ctx.operandTypes[0];
  const int64_t borderedImageBytes =
      4 * in.dim(1).size * (in.dim(2).size + w.dim(2).size) * (in.dim(3).size + w.dim(3).size);
  const bool padPerGroup = stages.padded && !depthwise && ctx.threads > 1 &&
                           borderedImageBytes / ctx.threads <= kThreadCacheBytes;
  Var share("share"), group("group");
  if (depthwise) {
    out.fuse(co, n, tasks).parallel(tasks);
  } else if (padPerGroup) {
    const int rowTasks =
        (outH + tileRows - 1) / tileRows * ((channels + channelBlock - 1) / channelBlock);
    out.reorder(xi, ci, yi, xo, co, yo, n).fuse(co, yo, rows);
    splitIntoThreadShares(out, rows, share, tasks, rowTasks, ctx.threads);
    out.fuse(share, n, group).parallel(group);
  } else {
    out.fuse(yo, co, rows).fuse(rows, n, tasks).parallel(tasks);
  }
  out.vectorize(xi).unroll(ci);
  Func conv = stages.conv;
  RDom r = stages.reduction;
  // A tile's conv region that is no whole number of vectors (overlapping
  // pool windows) rounds its last vector up where the source is zero-extended
  // and may be read past the edge. Guarded, that vector's accumulators were
  // masked loads and stores around every FMA, slow on AVX2 (384->200 3x3 at
  // 13x13 + relu + 3x3/2 max pool: 34 ms, rounded up 5.6 ms; the conv alone
  // 1.8 ms, which is why fuse-conv no longer makes these).
  TailStrategy tail = alignedTiles     ? TailStrategy::Auto
                      : stages.padded ? TailStrategy::RoundUp
                                      : TailStrategy::GuardWithIf;
  conv.compute_at(out, xo).vectorize(x, convVector, tail).unroll(c, channelBlock);
  Stage update = conv.update();
  if (unrollRows)
    update.reorder(x, y, c, r.x, r.y, r.z);
  else
    update.reorder(x, c, r.x, r.y, r.z);
  update.vectorize(x, convVector, tail).unroll(c, channelBlock);
  if (unrollRows) {
    conv.unroll(y);
    update.unroll(y);
  }
  if (stages.padded) {
    // Materialize the zero-bordered input rows a task needs, so the inner loop
    // reads plain vectors instead of bounds-checked gathers.
    stages.source.compute_at(out, padPerGroup ? group : tasks)
        .vectorize(stages.source.args()[0], ctx.vectorWidth(), TailStrategy::GuardWithIf);
  }
  return out;
}

namespace {

/// The reduction loops of a register tile, innermost first. With 32 vector
/// registers the kernel's columns run innermost (the measured best on
/// AVX-512). With 16 (AVX2, SSE) the kernel's rows do: LLVM fully unrolls the
/// innermost 3-tap loop and keeps the broadcasts that neighbouring columns of
/// the tile share live across it, which spilled accumulators around nearly
/// every FMA; a one-row tile (pickChannelVectorTile) shares nothing across
/// rows. Input channels innermost avoided the spills too, but streamed every
/// channel's rows through L1 once per tap (512-channel 7x7 on AVX2: 44 % of
/// peak against 53 % with rows innermost).
std::vector<Halide::RVar> kernelReductionOrder(const LowerContext &ctx, const Halide::RDom &r) {
  if (ctx.vectorRegisters() < 32)
    return {r.y, r.x, r.z};
  return {r.x, r.y, r.z};
}

} // namespace

/// Channel blocks from which a packed conv pads its input once per thread
/// instead of once per task (see scheduleChannelVectorTiles).
constexpr int kBlocksForGroupPadding = 4;

TileRegisters tileRegistersFor(const LowerContext &ctx, int weightBlock, bool partialBlocks,
                               int kernelHeight) {
  TileRegisters registers;
  registers.vectorsPerBlock = std::max(1, weightBlock / std::max(1, ctx.vectorWidth()));
  registers.registers = ctx.vectorRegisters();
  registers.partialBlocks = partialBlocks && registers.vectorsPerBlock > 1;
  registers.tallKernel = kernelHeight > 1;
  return registers;
}

ChannelVectorTiling pickChannelVectorTile(int outW, int outH, int convW, int convH,
                                          const std::function<int(int)> &regionOfX,
                                          const std::function<int(int)> &regionOfY,
                                          int weightBlocks, const TileRegisters &registers) {
  // Cost per useful output: the conv pixels computed (edge tiles shift inwards
  // and recompute, overlapping pool windows recompute their shared columns)
  // divided by how well the accumulators hide the FMA latency (about 12 in
  // flight keep both FMA pipes busy). Two blocks only where they cost less:
  // they need two weight streams instead of one.
  //
  // The accumulators, the tile's weight vectors and one broadcast input must
  // fit the registers: AVX2's 16 ymm hold 6 pixels of a 16-channel block (2
  // vectors each), not the 16 an AVX-512 tile holds; LLVM spilled around
  // nearly every FMA of a 16-pixel AVX2 tile (resnet18.layer1 2.6 -> 1.2 ms
  // with 6). With 16 registers a tile is one row: its reduction runs the
  // kernel rows innermost (kernelReductionOrder), and two rows
  // share broadcasts LLVM then keeps live (7x7 on AVX2: 7 x 2 pixels ran at
  // 48 % of peak, 7 x 1 at 64 %); 10 accumulators cover the FMA latency
  // there. A tile of part of a block (one vector of it: up to 14 pixels)
  // wastes less at the edge of small images (7 columns instead of 6 over 12),
  // but reads each input value once per vector: charged 10 %. AVX-512 tiles
  // stay at 16 accumulators, the measured best.
  double bestCost = 1e30, bestComputed = 1e30;
  ChannelVectorTiling best;
  const int mostBlocks = weightBlocks % 2 == 0 ? 2 : 1;
  const int vpb = registers.vectorsPerBlock;
  const bool fewRegisters = registers.registers < 32;
  const bool sharingRows = fewRegisters && registers.tallKernel;
  for (int blocks = 1; blocks <= mostBlocks; ++blocks)
    for (int vectors = blocks * vpb; vectors >= 1; --vectors) {
      const bool partial = vectors < blocks * vpb;
      if (partial && (blocks > 1 || !registers.partialBlocks || vpb % vectors != 0))
        continue;
      const int mostAccumulators = std::min(16, registers.registers - vectors - 1);
      for (int rows = 1; rows <= std::min(outH, sharingRows ? 1 : 8); ++rows)
        for (int columns = 1; columns <= std::min(outW, 16); ++columns) {
          int regionW = std::min(regionOfX(columns), convW),
              regionH = std::min(regionOfY(rows), convH);
          int accumulators = regionW * regionH * vectors;
          // With 16 registers the kernel rows run innermost: a region of
          // more than one conv row (a pooled tile) shares a row of
          // broadcasts between neighbouring rows, which LLVM keeps live.
          const int sharedBroadcasts = sharingRows && regionH > 1 ? regionW : 0;
          if (accumulators + sharedBroadcasts > mostAccumulators)
            continue;
          int tilesX = (outW + columns - 1) / columns, tilesY = (outH + rows - 1) / rows;
          double computed = (double)tilesX * regionW * tilesY * regionH;
          double cost = computed / (outW * outH) /
                        std::min(1.0, accumulators / (fewRegisters ? 10.0 : 12.0)) *
                        (partial ? 1.1 : 1.0);
          // Of tiles that cost the same, the larger; with 16 registers first
          // the one that recomputes fewer pixels (7 columns: 4 + 4 rather
          // than 5 + 5, 8 accumulators rather than 10; resnet18's
          // layer4.0.bn1 at batch 8 on AVX2 8.7-11.0 -> 6.5-7.0 ms).
          const bool tie = cost < bestCost + 1e-9 && cost > bestCost - 1e-9;
          const bool larger = columns * rows > best.columns * best.rows;
          bool better = blocks > best.blocks
                            ? cost < bestCost * 0.97
                            : cost < bestCost - 1e-9 ||
                                  (tie && (fewRegisters ? computed < bestComputed ||
                                                              (computed == bestComputed && larger)
                                                        : larger));
          if (better) {
            bestCost = cost;
            bestComputed = computed;
            best.columns = columns;
            best.rows = rows;
            best.blocks = blocks;
            best.vectors = partial ? vectors : 0;
          }
        }
    }
  return best;
}

void scheduleTransposedTile(Halide::Func transposed, Halide::Func out, Halide::Var at, int lanes,
                            int columns) {
  // The tile holds a vector of channels per pixel, NCHW wants rows of pixels
  // per channel. Vectorized over columns and channels at once, the copy reads
  // the tile as one dense block and Halide transposes it with shuffles; the
  // stores then write a row of the tile per channel. Storing the channel
  // vectors directly took one scalar store per value (16 per vector):
  // resnet18.layer1 at batch 8 4.68-4.82 -> 4.60-4.64 ms.
  using namespace Halide;
  Var tx = transposed.args()[0], ty = transposed.args()[1], tc = transposed.args()[2];
  Var tco("tco"), tci("tci");
  transposed.compute_at(out, at)
      .reorder_storage(tx, tc, ty)
      .split(tc, tco, tci, lanes)
      .reorder(tx, tci, tco, ty);
  if (columns > 0)
    transposed.vectorize(tx, columns);
  else
    transposed.vectorize(tx);
  transposed.vectorize(tci).unroll(tco).unroll(ty);
}

namespace {

/// Input channels per chunk where a task's reduction runs in chunks around all
/// of its rows, 0 where each register tile runs the whole reduction.
///
/// A task of one row of a small image and a weight block pair read all the
/// pair's weights for that row: ResNet's 512->512 3x3 convs at 7x7, 590 KB a
/// pair, came from L3 or memory on a pair's first row and from L2 on the six
/// others. A task of all the rows instead takes a chunk of 16 input channels
/// (18 KB of the pair's weights, in L1) through every row before the next
/// chunk, so the weights stream once; each row's accumulators stay in
/// registers across the chunk. AVX-512 Xeon, min ms of alternating runs:
/// resnet18.layer4 alone at batch 1 0.639-0.644 -> 0.601-0.617 (an earlier
/// version 0.618-0.641 -> 0.586-0.595), at batch 8 (image pairs) 4.80-4.95 ->
/// 4.74-4.85; ResNet-18 at batch 1 8.95 -> 8.87 (six rounds), its three such
/// convs still 0.78-0.88 ms each with their weights from memory. Chunks of 24
/// and 32 channels ran the same, 48 and 64 slower; with the 256->512 strided
/// conv (295 KB a pair) chunked too, ResNet-18 ran 8.85 against 8.70.
int channelsPerChunkAroundRows(const LowerContext &ctx, const ChannelVectorTiling &tiling,
                               double weightTileBytes, int outH, int64_t inputChannels) {
  constexpr int kChunk = 16, kMostRows = 8;
  const bool manyRegisters = ctx.vectorRegisters() >= 32 && tiling.vectors == 0;
  if (!manyRegisters || tiling.stripRows > 0 || outH > kMostRows ||
      weightTileBytes <= 2.0 * kThreadCacheBytes || inputChannels <= kChunk)
    return 0;
  return kChunk;
}

} // namespace

Halide::Func scheduleChannelVectorTiles(const LowerContext &ctx, Halide::Func result,
                                        ConvStages &stages, const ChannelVectorTiling &tiling,
                                        const std::string &name) {
  using namespace Halide;
  Var x("x"), y("y"), c("c"), n("n");
  const int B = stages.weightBlock;
  const int lanes = std::min(ctx.vectorWidth(), B);
  const bool strips = tiling.stripRows > 0;
  Func out(name);
  // An NCHW result of register tiles goes out through a transposed copy of
  // the tile (see below); a channel-blocked one is stored as computed.
  const bool transposeTile = !strips && !ctx.resultChannelBlock;
  Func transposed("nchw_tile");
  Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), co("co"), ci("ci"), rows("rows"), tasks("tasks");
  if (ctx.resultChannelBlock) {
    // Stored channel-blocked: each vector of channels is one contiguous store.
    assert(ctx.resultChannelBlock == B && "a blocked result uses the weights' block");
    out(ci, x, y, co, n) = result(x, y, co * B + ci, n);
  } else {
    if (transposeTile) {
      transposed(x, y, c, n) = result(x, y, c, n);
      out(x, y, c, n) = transposed(x, y, c, n);
    } else {
      // A strip's rows are stored a vector of channels at a time, each value
      // of it to another plane: little next to the strip's reduction (at
      // least 128 FMAs per value, see pack-conv-weights).
      out(x, y, c, n) = result(x, y, c, n);
    }
    out.split(c, co, ci, B, TailStrategy::ShiftInwards);
  }
  const int tileBlocks = strips ? 1 : tiling.blocks;
  const TensorType &in = ctx.operandTypes[0], &w = ctx.operandTypes[1];
  double weightBlockBytes =
      4.0 * B * tileBlocks * w.dim(1).size * w.dim(2).size * w.dim(3).size;
  const int outH = (int)ctx.resultType.dim(2).size;
  const int chunkAroundRows =
      channelsPerChunkAroundRows(ctx, tiling, weightBlockBytes, outH, w.dim(1).size);
  // Rows per task: the register tile's, or all of them with the reduction in
  // chunks around them.
  const int taskRows = strips ? tiling.stripRows : chunkAroundRows ? outH : tiling.rows;
  out.split(y, yo, yi, taskRows, TailStrategy::ShiftInwards);
  Var cb("cb");
  if (strips) {
    out.reorder(ci, x, yi, co, yo, n);
  } else {
    out.split(x, xo, xi, tiling.columns, TailStrategy::ShiftInwards)
        .split(co, co, cb, tileBlocks, TailStrategy::ShiftInwards)
        .reorder(ci, xi, yi, cb, xo, co, yo, n)
        .unroll(xi)
        .unroll(yi)
        .unroll(cb);
  }
  // Consecutive tasks of a thread share whichever is bigger, the weight block
  // or the input rows, so it stays in that core's cache.
  double inputRowsBytes =
      4.0 * in.elementsPerBatchItem() * std::min(1.0, double(taskRows) / outH);
  if (weightBlockBytes > inputRowsBytes)
    out.fuse(yo, co, rows);
  else
    out.fuse(co, yo, rows);
  // The zero-bordered input: a task's own copy of the rows it reads keeps them
  // in its core's cache, but every task of another channel block copies the
  // same rows again. From 4 blocks on, the tasks of an image are dealt out in
  // one group per thread instead, and each group copies what it reads once: a
  // 256->256 3x3 at 14x14 spent a third of its time copying (1 thread: 1.57 ->
  // 1.26 ms, 67 -> 87% of peak). One shared copy per image measured 8-12%
  // slower on 2 threads than a copy per thread: half of it sat in the other
  // core's cache.
  const int channelBlocks = (int)((ctx.resultType.dim(1).size + B - 1) / B);
  bool imagePairs = false;
  const bool padPerGroup = stages.padded && channelBlocks >= kBlocksForGroupPadding;
  Var group("group");
  if (transposeTile) {
    out.reorder(xi, ci).vectorize(xi).unroll(ci);
  } else {
    out.vectorize(ci, lanes);
  }
  if (padPerGroup) {
    const int tasksPerImage = channelBlocks / tileBlocks *
                              (((int)ctx.resultType.dim(2).size + taskRows - 1) / taskRows);
    // Each group copies the whole image when the groups split the channel
    // blocks. Where an image outweighs the weights and the batch divides
    // among the threads, each thread takes whole images instead: one copy per
    // image, and all the weights through every core (resnet18.layer1 batch 8
    // 4.63-4.68 -> 4.50-4.58 ms, vgg16.stage3 and ResNet-18 about 1 %; where
    // the weights are the bigger stream, resnet18.layer4, it ran 2-3 %
    // slower).
    const double imageBytes = 4.0 * in.elementsPerBatchItem();
    const double weightBytes = weightBlockBytes / tileBlocks * channelBlocks;
    if (ctx.threads > 1 && imageBytes > weightBytes) {
      Expr batch = out.output_buffer().dim(out.dimensions() - 1).extent();
      out.specialize(batch % ctx.threads == 0)
          .split(rows, group, tasks, tasksPerImage, TailStrategy::GuardWithIf)
          .parallel(n);
    }
    splitIntoThreadShares(out, rows, group, tasks, tasksPerImage, ctx.threads);
    out.parallel(group);
    // Tiles of two blocks are whole blocks and never strips (pickChannelVectorTile).
    imagePairs = imageBytes <= weightBytes && lanes == B && ctx.vectorRegisters() >= 32 &&
                 tileBlocks == 2 && tiling.rows == 1 && tiling.columns < 8;
  } else {
    out.fuse(rows, n, tasks).parallel(tasks);
  }
  // Where rows too narrow for 16 accumulators meet weights that outweigh the
  // image (ResNet's 512 channels at 7x7: 2 blocks x 7 columns), an even batch
  // takes two images per register tile, 28 accumulators, so that each weight
  // vector read feeds twice the FMAs (resnet18.layer4 alone, three alternating
  // rounds: batch 8 5.82-6.15 -> 5.29-5.48 ms, batch 2 1.42-1.54 -> 1.30-1.40;
  // in ResNet-18 at batch 8 its 7x7 convs 7.05-7.10 -> 6.62-6.79 ms each; odd
  // batches keep one image per tile). The tile's reduction then runs the
  // kernel rows innermost with the blocks innermost in the tile: with the
  // kernel columns innermost LLVM keeps the broadcasts neighbouring columns
  // share live across the unrolled taps, and 28 accumulators beside them
  // spilled.
  Expr batchOfPairs;
  Var pairImage("pair_image");
  if (imagePairs) {
    Expr batch = out.output_buffer().dim(out.dimensions() - 1).extent();
    batchOfPairs = batch % 2 == 0;
    std::vector<VarOrRVar> order = {xi, ci, yi, cb, pairImage, xo, tasks, group, n};
    if (!transposeTile)
      std::swap(order[0], order[1]);
    out.specialize(batchOfPairs)
        .split(n, n, pairImage, 2, TailStrategy::ShiftInwards)
        .reorder(order)
        .unroll(pairImage);
  }

  Func blocked = stages.blocked;
  Var lane = blocked.args()[0], bx = blocked.args()[1], by = blocked.args()[2],
      block = blocked.args()[3];
  RDom r = stages.reduction;
  // A block wider than the target's vectors (AVX2, SSE) is several vectors per pixel.
  Var lo("lo"), li("li"), bxo("bxo"), bxi("bxi"), byo("byo"), byi("byi");
  if (strips) {
    // The conv of a strip of rows lives in a small buffer the pool reads; it
    // is computed in register tiles of its own (rounded up at the strip's
    // edges: the source is zero-extended, so the extra pixels read nothing
    // out of bounds and are never used).
    blocked.compute_at(out, tasks);
    for (Stage stage : {Stage(blocked), blocked.update()}) {
      stage.split(lane, lo, li, lanes)
          .split(bx, bxo, bxi, tiling.columns, TailStrategy::RoundUp)
          .split(by, byo, byi, tiling.rows, TailStrategy::RoundUp);
      if (stage.name() == blocked.name()) {
        stage.reorder(li, lo, bxi, byi, bxo, byo, block);
      } else {
        std::vector<VarOrRVar> order = {li, lo, bxi, byi};
        for (RVar rv : kernelReductionOrder(ctx, r))
          order.push_back(rv);
        for (VarOrRVar v : {VarOrRVar(bxo), VarOrRVar(byo), VarOrRVar(block)})
          order.push_back(v);
        stage.reorder(order);
      }
      stage.vectorize(li).unroll(lo).unroll(bxi).unroll(byi);
    }
  } else {
    blocked.compute_at(out, xo)
        .split(lane, lo, li, lanes)
        .reorder(li, lo, bx, by, block)
        .vectorize(li)
        .unroll(lo)
        .unroll(bx)
        .unroll(by);
    std::vector<VarOrRVar> order = {li, lo, bx, by, block};
    for (RVar rv : kernelReductionOrder(ctx, r))
      order.push_back(rv);
    Stage update = blocked.update();
    if (tiling.vectors > 0) {
      // A tile of part of a block: the whole reduction runs once per part,
      // each pass with its own accumulators (the passes are unrolled, so each
      // indexes the tile's storage with constants and stays in registers).
      Var part("part"), partLane("part_lane");
      update.split(lane, part, partLane, lanes * tiling.vectors).split(partLane, lo, li, lanes);
      order.push_back(part);
      update.unroll(part);
    } else {
      update.split(lane, lo, li, lanes);
    }
    RVar chunk("rzo"), inChunk("rzi");
    if (chunkAroundRows) {
      // The rows of the task inside each chunk of input channels (see
      // channelsPerChunkAroundRows).
      order = {li, lo, bx, block};
      for (RVar rv : kernelReductionOrder(ctx, r))
        if (rv.name() != r.z.name())
          order.push_back(rv);
      update.split(r.z, chunk, inChunk, chunkAroundRows, TailStrategy::GuardWithIf);
      order.insert(order.end(), {inChunk, by, chunk});
      update.reorder(order).vectorize(li).unroll(lo).unroll(bx);
    } else {
      update.reorder(order).vectorize(li).unroll(lo).unroll(bx).unroll(by);
    }
    if (tileBlocks > 1) {
      blocked.unroll(block);
      blocked.update().unroll(block);
    }
    if (imagePairs) {
      Var image = blocked.args()[4];
      blocked.unroll(image);
      blocked.update().unroll(image);
      std::vector<VarOrRVar> pairOrder = {li, lo, block, bx, by, image, r.y, r.x, r.z};
      if (chunkAroundRows)
        pairOrder = {li, lo, block, bx, image, r.y, r.x, inChunk, by, chunk};
      blocked.update().specialize(batchOfPairs).reorder(pairOrder);
    }
  }
  if (transposeTile)
    scheduleTransposedTile(transposed, out, xo, lanes, 0);
  if (stages.padded) {
    // The tile reads its input as scalars: materialize the zero-bordered rows
    // a task needs so those reads are plain loads, not bounds-checked selects.
    Func storage = stages.paddedStorage;
    storage.compute_at(out, padPerGroup ? group : tasks);
    if (stages.inputChannelBlock) {
      // One lane more than the block: the tile's broadcasts of one channel at
      // neighbouring pixels would otherwise sit at the same offset of
      // consecutive cache lines, the same L1 bank, and conflict. Inside
      // ResNet-18 its 256-channel convs ran 0.66-0.72 -> 0.59-0.61 ms.
      const int block = stages.inputChannelBlock;
      storage.bound(storage.args()[0], 0, block + 1)
          .vectorize(storage.args()[0], std::min(ctx.vectorWidth(), block),
                     TailStrategy::GuardWithIf);
    } else {
      // Rows a multiple of 8 floats long make every channel plane a multiple
      // of a large power of two: a 14x14 image bordered to 16x16 puts its
      // planes 1 KB apart, every fourth channel on the same L1 sets, and the
      // tile's reads of successive channels evict each other. One more
      // column breaks that (vgg16.stage5 batch 8: 19.9 -> 17.6 ms,
      // resnet18.layer3 4.83 -> 4.44 ms, 2 threads); rows of other lengths
      // gained nothing from it.
      if (!strips && stages.sourceWidth % 8 == 0)
        storage.align_storage(storage.args()[0], stages.sourceWidth + 1);
      storage.vectorize(storage.args()[0], ctx.vectorWidth(), TailStrategy::GuardWithIf);
    }
  }
  return out;
}

void registerConv2dOp() {
  OpDef def;
  def.name = "conv2d";
  def.dslNames = {"conv2d", "conv"};
  def.summary = "2-D convolution (NCHW input, OIHW weight, optional bias)";
  def.operands = {{"input", false, false}, {"weight", true, false}, {"bias", true, true}};
  def.attrs = {{"stride", AttrKind::IntList, Attribute::ofInts({1, 1}), 2},
               {"pad", AttrKind::IntList, Attribute::ofInts({0, 0, 0, 0}), 4},
               {"dilation", AttrKind::IntList, Attribute::ofInts({1, 1}), 2},
               {"groups", AttrKind::Int, Attribute::ofInt(1), 0},
               {"weight_block", AttrKind::Int, Attribute::ofInt(0), 0, true},
               {"channel_block", AttrKind::Int, Attribute::ofInt(0), 0, true},
               {"winograd_tile", AttrKind::Int, Attribute::ofInt(0), 0, true}};
  def.readsChannelBlocked = convReadsChannelBlocked;
  def.dslParams = {{"out_channels", AttrKind::Int, std::nullopt, 0},
                   {"kernel", AttrKind::IntList, std::nullopt, 2},
                   {"stride", AttrKind::IntList, Attribute::ofInts({1, 1}), 2},
                   {"pad", AttrKind::IntList, Attribute::ofInts({0, 0, 0, 0}), 4},
                   {"dilation", AttrKind::IntList, Attribute::ofInts({1, 1}), 2},
                   {"groups", AttrKind::Int, Attribute::ofInt(1), 0},
                   {"bias", AttrKind::Bool, Attribute::ofBool(true), 0}};
  def.inferType = inferConvType;
  def.buildFromDsl = buildConv2d;
  def.reference = referenceConv2d;
  def.lower = lowerConv2d;
  OpRegistry::get().add(std::move(def));
}

} // namespace netc
