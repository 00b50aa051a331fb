// 3x3 convolutions by Winograd's minimal filtering F(m x m, 3 x 3): per m x m
// tile of output, (m + 2)^2 products per input channel instead of 9 m^2 (2.25x
// fewer for m = 2, 4x for m = 4). The weights arrive transformed (winograd-conv
// rewrote them at compile time); the kernel transforms the input tiles, sums
// the products over input channels (per tile position a matrix product, blocked
// in registers like the direct conv's tiles) and transforms the sums back.
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/ConvPool.h"
#include "compiler/ops/WinogradTransform.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace netc {

void referenceWinogradConv(const ConvParams &p, const Tensor &x, const Tensor &w,
                           const Tensor *b, Tensor &out) {
  const WinogradTransform &t = *winogradTransform((int)p.winogradTile);
  const int m = t.outputTile, alpha = t.inputTile;
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t B = p.weightBlock, O = w.shape[0] * B;
  const int64_t OH = out.shape[2], OW = out.shape[3];
  auto input = [&](int64_t n, int64_t c, int64_t iy, int64_t ix) {
    return iy < 0 || iy >= H || ix < 0 || ix >= W ? 0.0
                                                  : (double)x.data[((n * C + c) * H + iy) * W + ix];
  };
  // U[o][c][ey][ex], stored [O/B, alpha, alpha, C, B].
  auto weight = [&](int64_t o, int64_t c, int ey, int ex) {
    return (double)w.data[((((o / B) * alpha + ey) * alpha + ex) * C + c) * B + o % B];
  };
  std::vector<double> d(alpha * alpha), v(alpha * alpha), product(alpha * alpha),
      rows(alpha * alpha);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t ty = 0; ty * m < OH; ++ty)
        for (int64_t tx = 0; tx * m < OW; ++tx) {
          std::fill(product.begin(), product.end(), 0.0);
          for (int64_t c = 0; c < C; ++c) {
            for (int j = 0; j < alpha; ++j)
              for (int i = 0; i < alpha; ++i)
                d[j * alpha + i] = input(n, c, ty * m + j - p.padTop, tx * m + i - p.padLeft);
            // V = B^T d B, then the elementwise product with U.
            for (int ey = 0; ey < alpha; ++ey)
              for (int i = 0; i < alpha; ++i) {
                double sum = 0;
                for (int j = 0; j < alpha; ++j)
                  sum += t.bt(ey, j) * d[j * alpha + i];
                rows[ey * alpha + i] = sum;
              }
            for (int ey = 0; ey < alpha; ++ey)
              for (int ex = 0; ex < alpha; ++ex) {
                double sum = 0;
                for (int i = 0; i < alpha; ++i)
                  sum += rows[ey * alpha + i] * t.bt(ex, i);
                product[ey * alpha + ex] += sum * weight(o, c, ey, ex);
              }
          }
          // Y = A^T product A, plus the bias.
          for (int a = 0; a < m; ++a)
            for (int bcol = 0; bcol < m; ++bcol) {
              const int64_t oy = ty * m + a, ox = tx * m + bcol;
              if (oy >= OH || ox >= OW)
                continue;
              double sum = b ? b->data[o] : 0.0;
              for (int ey = 0; ey < alpha; ++ey)
                for (int ex = 0; ex < alpha; ++ex)
                  sum += t.at(a, ey) * t.at(bcol, ex) * product[ey * alpha + ex];
              out.data[((n * O + o) * OH + oy) * OW + ox] = (float)sum;
            }
        }
}

namespace {

Halide::Expr scaled(double k, Halide::Expr e) {
  if (k == 1)
    return e;
  if (k == -1)
    return -e;
  return Halide::Expr((float)k) * e;
}

Halide::Expr addTerm(const Halide::Expr &sum, const Halide::Expr &term) {
  return sum.defined() ? sum + term : term;
}

} // namespace

void defineWinogradConv(ConvStages &stages, const ConvParams &p, Halide::Func weight,
                        Halide::Func bias, int inputChannels) {
  using namespace Halide;
  const WinogradTransform &t = *winogradTransform((int)p.winogradTile);
  const int m = t.outputTile, alpha = t.inputTile, B = (int)p.weightBlock;
  stages.winogradTile = m;
  stages.weightBlock = B;
  Var tx("tx"), ty("ty"), ci("ci"), ex("ex"), ey("ey"), n("n"), lane("lane"), block("block");
  Var x("x"), y("y"), c("c");

  // V = B^T d B for every input tile d and channel. ex and ey select one
  // position of the transformed tile (a mux the schedule unrolls into
  // constants).
  std::vector<Expr> byRow;
  for (int b = 0; b < alpha; ++b) {
    std::vector<Expr> byColumn;
    for (int a = 0; a < alpha; ++a) {
      Expr sum;
      for (int j = 0; j < alpha; ++j)
        for (int i = 0; i < alpha; ++i)
          if (double k = t.bt(b, j) * t.bt(a, i); k != 0)
            sum = addTerm(sum, scaled(k, stages.source(tx * m + i - (int)p.padLeft,
                                                       ty * m + j - (int)p.padTop, ci, n)));
      byColumn.push_back(sum);
    }
    byRow.push_back(mux(ex, byColumn));
  }
  stages.inputTiles = Func("winograd_input");
  stages.inputTiles(tx, ci, ex, ey, ty, n) = mux(ey, byRow);

  // Per position of the transformed tile, a matrix product over input channels.
  stages.reduction = RDom(0, inputChannels, "rc");
  RVar rc = stages.reduction.x;
  stages.product = Func("winograd_product");
  stages.product(lane, tx, ty, ex, ey, block, n) = 0.0f;
  stages.product(lane, tx, ty, ex, ey, block, n) +=
      weight(lane, rc, ex, ey, block) * stages.inputTiles(tx, rc, ex, ey, ty, n);
  stages.sums = Func("winograd_sums");
  stages.sums(lane, tx, ty, ex, ey, block, n) = stages.product(lane, tx, ty, ex, ey, block, n);

  // Y = A^T M A per tile; output pixel (x, y) is position (x % m, y % m) of
  // tile (x / m, y / m).
  Var xm("xm"), ym("ym");
  Expr sum = bias.defined() ? bias(block * B + lane) : Expr(0.0f);
  for (int b = 0; b < alpha; ++b)
    for (int a = 0; a < alpha; ++a) {
      std::vector<Expr> rowWeights, columnWeights;
      bool anyRow = false, anyColumn = false;
      for (int k = 0; k < m; ++k) {
        rowWeights.push_back(Expr((float)t.at(k, b)));
        columnWeights.push_back(Expr((float)t.at(k, a)));
        anyRow = anyRow || t.at(k, b) != 0;
        anyColumn = anyColumn || t.at(k, a) != 0;
      }
      if (anyRow && anyColumn)
        sum = sum + mux(ym, rowWeights) * mux(xm, columnWeights) *
                        stages.sums(lane, tx, ty, a, b, block, n);
    }
  stages.blocked = Func("winograd_output");
  stages.blocked(lane, xm, ym, tx, ty, block, n) = sum;
  stages.conv = Func("conv2d");
  stages.conv(x, y, c, n) = stages.blocked(c % B, x % m, y % m, x / m, y / m, c / B, n);
}

namespace {

/// Cost per useful tile with 32 vector registers of register tiles of `tiles`
/// tiles, `computed` of them for `extent`, each tile `vectorsPerTile`
/// accumulators: the recomputed tiles, divided by how well the accumulators
/// hide the FMA latency (about 10 in flight keep both pipes busy).
double manyRegistersTileCost(int computed, int extent, int tiles, int vectorsPerTile) {
  return (double)computed / extent / std::min(1.0, tiles * vectorsPerTile / 10.0);
}

/// Tiles per register tile out of `extent` tiles: an accumulator per tile and
/// vector of the tile's weight blocks (`vectorsPerTile`), with the blocks'
/// weight vectors and a broadcast still in registers; among the sizes that
/// keep enough accumulators in flight, the one that recomputes the fewest
/// tiles at the edge (the last register tile shifts inwards).
int registerTiles(int extent, int mostTiles, int vectorsPerTile) {
  int best = 1;
  double bestCost = 1e30;
  for (int tiles = 1; tiles <= std::min(extent, mostTiles); ++tiles) {
    const int computed = (extent + tiles - 1) / tiles * tiles;
    const double cost = manyRegistersTileCost(computed, extent, tiles, vectorsPerTile);
    if (cost < bestCost + 1e-9) {
      bestCost = cost;
      best = tiles;
    }
  }
  return best;
}

/// The L1 data cache that chunks of transformed input and weights are sized
/// for (32 KB on the x86 cores measured).
constexpr int kL1Bytes = 32 << 10;

/// The widest vector of at most `lanes` floats (a power of two) whose width
/// divides `columns`: rows of an NCHW result stored as whole vectors.
int widestDividingVector(int columns, int lanes) {
  int vector = lanes;
  while (vector > 1 && columns % vector)
    vector /= 2;
  return vector;
}

/// A core's L2 on the AVX-512 Xeon measured (a Zen 4 core has 1 MB).
constexpr double kL2Bytes = 2 << 20;

/// The transformed input a chunk of tiles may hold with AVX-512, read from L2
/// by every weight block: half the L2 of a Zen 4 core, a quarter of the
/// measured Xeon's.
constexpr double kL2ChunkBytes = 512 << 10;

/// With 16 vector registers (AVX2, SSE): tiles per register tile and per
/// chunk of a row of `tilesX` tiles whose input is transformed at once. A
/// register tile of 4 tiles (8 accumulators of a 16-channel block) keeps both
/// FMA pipes busy; it pays to recompute fewer tiles at the row's end, and,
/// where the result is NCHW (`columnsPerTile` > 0), to store rows of whole
/// vectors: 5 tiles of 2 columns went out in pairs of floats. A chunk is as
/// many register tiles as keep their transformed input (`bytesPerTile` each)
/// in L1, where every weight block reads it: vgg16.stage1 at batch 1 ran 20.5
/// ms with chunks of 30 tiles (120 KB), 16.1 ms with 8 (32 KB).
struct RowTiling {
  int tiles = 1, chunk = 1;
};

RowTiling rowTilingForFewRegisters(int tilesX, int mostTiles, int vectorsPerBlock, int lanes,
                                   int columnsPerTile, double bytesPerTile) {
  RowTiling best;
  double bestCost = 1e30;
  for (int tiles = 1; tiles <= std::min(tilesX, mostTiles); ++tiles) {
    const int computed = (tilesX + tiles - 1) / tiles * tiles;
    double cost = (double)computed / tilesX / std::min(1.0, tiles * vectorsPerBlock / 8.0);
    if (columnsPerTile > 0)
      cost *= 1 + 0.15 * std::log2((double)lanes /
                                   widestDividingVector(tiles * columnsPerTile, lanes));
    if (cost < bestCost - 1e-9) {
      bestCost = cost;
      best.tiles = tiles;
    }
  }
  // Chunks shift inwards at the row's end: of the sizes that fit, the one
  // that recomputes the fewest tiles.
  const int inL1 = std::max(1, (int)(kL1Bytes / (best.tiles * bytesPerTile)));
  int bestComputed = 1 << 30;
  for (int registerTilesPerChunk = 1; registerTilesPerChunk <= inL1; ++registerTilesPerChunk) {
    const int chunk = std::min(tilesX, best.tiles * registerTilesPerChunk);
    const int computed = (tilesX + chunk - 1) / chunk * chunk;
    if (computed <= bestComputed) {
      bestComputed = computed;
      best.chunk = chunk;
    }
  }
  return best;
}

/// With 32 vector registers (AVX-512): tiles per register tile and per chunk
/// of a row of `tilesX` tiles. Each chunk's transformed input sits in L2
/// while every weight block passes over it, so every chunk reads all the
/// transformed weights once: chunks as long as `budgetBytes` allows, a whole
/// row where it fits, cut into register tiles that keep the FMA pipes busy and
/// recompute the fewest tiles at the row's end (manyRegistersTileCost).
/// Chunks of 128 KB (8 tiles of 256 channels, so 8 accumulators, and 32 tiles
/// computed for a row of 28) ran vgg16.stage3 in 14.0 ms at batch 1 on an
/// AVX-512 Xeon; a whole row, 14 tiles at a time, in 9.1 ms.
RowTiling rowTilingForManyRegisters(int tilesX, int mostTiles, int vectorsPerTile,
                                    double bytesPerTile, double budgetBytes) {
  const int inBudget = std::max(1, (int)(budgetBytes / bytesPerTile));
  RowTiling best;
  double bestCost = 1e30;
  for (int tiles = 1; tiles <= std::min(tilesX, mostTiles); ++tiles)
    for (int chunk = tiles; chunk <= std::min(tilesX, std::max(tiles, inBudget)); chunk += tiles) {
      const int computed = (tilesX + chunk - 1) / chunk * chunk;
      const double cost = manyRegistersTileCost(computed, tilesX, tiles, vectorsPerTile);
      // Of equal costs the larger register tile (fewer loads per FMA), then
      // the longer chunk.
      const bool tie = cost < bestCost + 1e-9;
      if (cost < bestCost - 1e-9 ||
          (tie && (tiles > best.tiles || (tiles == best.tiles && chunk > best.chunk)))) {
        bestCost = cost;
        best.tiles = tiles;
        best.chunk = chunk;
      }
    }
  return best;
}

/// Rows of tiles per register tile for products by tile position, where a
/// register tile of two weight blocks (`vectorsPerTile` accumulators per
/// tile) spans whole rows of an image's `tilesX` x `tilesY` tiles; 0 where
/// a row is longer than `mostTiles`. Of the heights that fit, the one that
/// keeps the FMA pipes busy and recomputes the fewest rows.
int tileRowsByPosition(int tilesX, int tilesY, int mostTiles, int vectorsPerTile) {
  if (tilesX > mostTiles)
    return 0;
  int best = 0;
  double bestCost = 1e30;
  for (int rows = 1; rows <= tilesY && tilesX * rows <= mostTiles; ++rows) {
    const int computed = (tilesY + rows - 1) / rows * rows * tilesX;
    const double cost =
        manyRegistersTileCost(computed, tilesX * tilesY, tilesX * rows, vectorsPerTile);
    if (cost < bestCost - 1e-9) {
      bestCost = cost;
      best = rows;
    }
  }
  return best;
}

} // namespace

Halide::Func scheduleWinogradTiles(const LowerContext &ctx, Halide::Func result,
                                   ConvStages &stages, const std::string &name, int pooledBy) {
  using namespace Halide;
  const int m = stages.winogradTile, B = stages.weightBlock, alpha = m + 2;
  // Pixels of `result` per tile and axis: m, or 1 for a result pooled by m.
  const int perTile = m / pooledBy;
  const int lanes = std::min(ctx.vectorWidth(), B);
  const int vectorsPerBlock = std::max(1, B / lanes);
  const int outW = (int)ctx.resultType.dim(3).size, outH = (int)ctx.resultType.dim(2).size;
  const int outChannels = (int)ctx.resultType.dim(1).size;
  const int inputChannels = (int)ctx.operandTypes[0].dim(1).size;
  const int tilesX = (outW + perTile - 1) / perTile, tilesY = (outH + perTile - 1) / perTile;
  // With 16 vector registers a register tile is one weight block, 12
  // accumulators with the block's weight vectors and a broadcast. With 32,
  // where a vector holds a whole block (AVX-512) and the blocks pair up, it is
  // two blocks x up to 14 tiles: each broadcast input value feeds both blocks,
  // 16 loads per 28 FMAs, where one block x 14 tiles took 15 per 14 and the
  // two FMA pipes of an AVX-512 Xeon waited on its two load ports
  // (resnet18.layer2 at batch 8: 6.06 -> 5.30 ms, the product loop 52 -> 57 %
  // of the peak; vgg16.stage4 batch 8 with the weight-heavy order below 93 ->
  // 66 ms, since every input line it reads from L3 then serves twice the FMAs).
  const bool fewRegisters = tileRegistersFor(ctx, B, false, 3).registers < 32;
  // 32 registers of a whole block each: what the schedule choices below that
  // name AVX-512 were measured on (AArch64's 32 registers hold a quarter block).
  const bool wholeBlockRegisters = !fewRegisters && vectorsPerBlock == 1;
  const int channelBlocks = (outChannels + B - 1) / B;
  const int tileBlocks = wholeBlockRegisters && channelBlocks % 2 == 0 ? 2 : 1;
  const int vectorsPerTile = vectorsPerBlock * tileBlocks;
  const int mostTiles =
      std::max(1, (fewRegisters ? 12 : tileBlocks > 1 ? 28 : 16) / vectorsPerTile);
  // Two ways to order the work. Where the transformed weights pass 8 MB (more
  // than L2 and a share of L3 hold) and outnumber an image's tiles (the narrow
  // images of deep layers), each task takes one weight block (two, where a
  // register tile spans two) through every tile of a chunk of the batch's
  // images, whose input is transformed first:
  // the weights are read from memory once per chunk, and a block's weights for
  // one tile position and 128 input channels (8 KB) stay in L1 across the
  // image's tiles (with 32 registers and paired blocks, by tile position
  // instead: tasks of one weight block pair and one position of the
  // transformed tile through the chunk's images). Otherwise tasks are rows of
  // tiles: a chunk of the row is transformed for all input channels and every
  // weight block reads it from L2.
  const double weightBytes =
      transformedWeightBytes(*winogradTransform(m), inputChannels, outChannels);
  const bool weightHeavy = weightBytes > kWeightHeavyBytes && outChannels > tilesX * tilesY;
  // Where a register tile of two weight blocks spans whole rows of an
  // image's tiles (up to 14 tiles a row: outputs up to 28x28), the
  // weight-heavy order computes its products by tile position (below).
  const int positionTileRows =
      weightHeavy && tileBlocks == 2 ? tileRowsByPosition(tilesX, tilesY, mostTiles, vectorsPerTile)
                                     : 0;
  // An NCHW input's transform is vectorized over neighbouring tiles, whose
  // windows reach into the zero border: through the border's selects those
  // reads became gathers, element by element, a third of resnet18.layer2's
  // time on AVX-512. There the rows a chunk reads are copied with their
  // border first, and the transform reads plain vectors (layer2 at batch 8
  // 5.25 -> 3.67 ms, vgg16.stage1 at batch 1 10.3 -> 9.2 ms). On the AVX2
  // EPYC the same copy per task made resnet18.layer1 slower (docs/performance.md).
  const bool borderCopy = wholeBlockRegisters && stages.padded && !stages.inputChannelBlock;

  Var x("x"), y("y"), c("c"), n("n");
  Var co("co"), coi("coi"), ci("ci"), xt("xt"), xm("xm"), xf("xf"), xc("xc"), xct("xct"), xr("xr"),
      xti("xti"), yt("yt"), ym("ym"), tasks("tasks");
  Func out(name);
  const bool transposeTile = !ctx.resultChannelBlock;
  Func transposed("nchw_tile");
  if (ctx.resultChannelBlock) {
    assert(ctx.resultChannelBlock == B && "a blocked result uses the weights' block");
    out(ci, x, y, co, n) = result(x, y, co * B + ci, n);
  } else {
    transposed(x, y, c, n) = result(x, y, c, n);
    out(x, y, c, n) = transposed(x, y, c, n);
    out.split(c, co, ci, B, TailStrategy::ShiftInwards);
  }
  const TailStrategy edgeX = outW % perTile ? TailStrategy::GuardWithIf : TailStrategy::Auto;
  const TailStrategy edgeY = outH % perTile ? TailStrategy::GuardWithIf : TailStrategy::Auto;

  Func product = stages.product, outputTiles = stages.blocked, inputTiles = stages.inputTiles;
  Var plane = product.args()[0], ptx = product.args()[1], pty = product.args()[2],
      pex = product.args()[3], pey = product.args()[4], pblock = product.args()[5];
  Var olane = outputTiles.args()[0], oxm = outputTiles.args()[1], oym = outputTiles.args()[2],
      otx = outputTiles.args()[3];
  Var itx = inputTiles.args()[0], ici = inputTiles.args()[1], iex = inputTiles.args()[2],
      iey = inputTiles.args()[3], ity = inputTiles.args()[4];
  Var lo("lo"), li("li"), ptxo("ptxo"), ptxi("ptxi");
  RVar rc = stages.reduction.x;

  // A loop order, innermost first: `inner`, then the tile's second weight
  // block (`coi`) where a register tile spans two, then `outer`.
  auto tileOrder = [&](std::vector<VarOrRVar> inner, std::initializer_list<VarOrRVar> outer) {
    if (tileBlocks > 1)
      inner.push_back(coi);
    inner.insert(inner.end(), outer);
    return inner;
  };
  // The bordered copy of an NCHW input (borderCopy), made once per `at`.
  auto scheduleBorderCopy = [&](Var at) -> Func & {
    return stages.paddedStorage.compute_at(out, at).vectorize(stages.paddedStorage.args()[0],
                                                               lanes, TailStrategy::GuardWithIf);
  };
  // The input transform of whole images (and their bordered copy) once per
  // `at`, outside the tasks, in parallel over channels.
  auto transformImagesAt = [&](Var at) {
    inputTiles.compute_at(out, at);
    if (stages.inputChannelBlock)
      inputTiles.parallel(ity);
    else
      inputTiles.parallel(ici);
    if (borderCopy)
      scheduleBorderCopy(at).parallel(stages.paddedStorage.args()[2]);
  };
  // A vector of columns for the NCHW stores that divides `columns`.
  auto columnVector = [&](int columns) {
    return outW % perTile == 0 ? widestDividingVector(columns, lanes) : 1;
  };
  int tiles = 0, storeVector = 1;
  // The NCHW input transform's vector of neighbouring tiles.
  int inputVector = std::min(8, lanes);
  // An image's transformed input.
  const double imageTileBytes = 4.0 * alpha * alpha * inputChannels * tilesX * tilesY;
  if (tileBlocks > 1)
    out.split(co, co, coi, tileBlocks, TailStrategy::GuardWithIf);
  if (weightHeavy) {
    tiles = registerTiles(tilesX, mostTiles, vectorsPerTile);
    // Every weight block reads the transformed input of all the images it
    // goes through, so those images' tiles should stay in L3: the batch goes
    // in chunks of about 8 MB of them, each chunk through every weight block
    // (vgg16.stage4, 6.4 MB per image: batch 8 ran 36 ms per image with the
    // whole batch at once, 17 ms at batch 1).
    int imagesPerChunk = std::max(1, (int)(kWeightHeavyBytes / imageTileBytes));
    if (positionTileRows > 0) {
      // By position, a task's sums for every image of the chunk are its
      // accumulators across chunks of input channels: they share L1 with a
      // chunk of the pair's weights (16 KB), so at most 16 KB of them.
      // vgg16.stage5 (14x14) at batch 8: 17.4 ms with 5 images a chunk, 11.4
      // with 2, 20.9 with 8; resnet18.layer4 (7x7) 3.84-3.89 ms with 4 to 16.
      const double sumsBytesPerImage = 4.0 * tileBlocks * B * tilesX * tilesY;
      imagesPerChunk =
          std::min(imagesPerChunk, std::max(1, (int)((16 << 10) / sumsBytesPerImage)));
    }
    Var nc("nc"), ni("ni");
    out.split(n, nc, ni, imagesPerChunk, TailStrategy::GuardWithIf);
    out.split(y, yt, ym, perTile, edgeY);
    if (transposeTile) {
      storeVector = outW >= lanes ? lanes : 1;
      out.reorder(tileOrder({x, ci, ym, yt}, {ni, co, nc}))
          .vectorize(x, storeVector,
                     outW >= lanes ? TailStrategy::ShiftInwards : TailStrategy::Auto)
          .unroll(ci)
          .unroll(ym);
      // A row of the image at a time, as many columns per vector as divide it.
      scheduleTransposedTile(transposed, out, yt, lanes, columnVector(outW));
    } else {
      out.split(x, xt, xm, perTile, edgeX)
          .reorder(tileOrder({ci, xm, ym, xt, yt}, {ni, co, nc}))
          .vectorize(ci, lanes)
          .unroll(xm)
          .unroll(ym);
    }
    out.parallel(co);
    outputTiles.compute_at(out, yt);
    // The products' zeros, a vector of channels at a time; the reduction goes
    // in chunks of input channels (below).
    product.split(plane, lo, li, lanes)
        .reorder(li, lo, ptx, pty, pex, pey)
        .vectorize(li)
        .unroll(lo);
    RVar rco("rco"), rci("rci");
    const int channelChunk = std::min(inputChannels, 128);
    if (positionTileRows > 0) {
      // Products by tile position. Each task of the order below took a
      // weight block pair through one image at a time, all positions, with
      // the sums inlined into the output transform: a pair's transformed
      // weights for one position (64 KB at 512 channels) were read again for
      // each image, and at 7x7 the register tile was one row of 4 tiles (8
      // accumulators). Here the chunk's sums are computed first, in tasks of
      // (weight block pair, tile position), pairs innermost, so that
      // consecutive tasks share the position's transformed input in L2; in a
      // task, a chunk of 128 input channels of the pair's weights stays in
      // L1 while register tiles of whole rows of tiles go through every
      // image of the chunk. AVX-512 Xeon, min ms of alternating runs, row
      // order -> by position: vgg16.stage5 (14x14) 1.71 -> 1.48 at batch 1,
      // 15.0 -> 11.5 at batch 8; vgg16.stage4 (28x28) 5.86 -> 5.29 and 56.6
      // -> 44.4; 512 channels at 7x7, batch 8, 6.21 -> 3.87 (the direct conv:
      // 4.95-5.3, near 80 % of the peak).
      Func sums = stages.sums;
      Var slane = sums.args()[0], sblock = sums.args()[5], sn = sums.args()[6];
      Var sex = sums.args()[3], sey = sums.args()[4];
      Var pairs("pairs"), pair("pair"), pairPosition("pair_position"), byPosition("by_position");
      sums.compute_at(out, nc)
          .split(sblock, pairs, pair, tileBlocks)
          .reorder({slane, sums.args()[1], sums.args()[2], pair, sn, pairs, sex, sey})
          .vectorize(slane, lanes)
          .fuse(pairs, sex, pairPosition)
          .fuse(pairPosition, sey, byPosition)
          .parallel(byPosition);
      product.compute_at(sums, byPosition);
      Var ptyo("ptyo"), ptyi("ptyi"), pn = product.args()[6];
      product.update()
          .split(plane, lo, li, lanes)
          .split(pty, ptyo, ptyi, positionTileRows, TailStrategy::RoundUp)
          .split(rc, rco, rci, channelChunk, TailStrategy::GuardWithIf)
          .reorder(li, lo, pblock, ptx, ptyi, rci, ptyo, pn, rco, pex, pey)
          .vectorize(li)
          .unroll(lo)
          .unroll(pblock)
          .unroll(ptx)
          .unroll(ptyi);
      // A position's transformed input for one channel is a few tiles: dense,
      // so that a register tile's broadcasts come from one cache line.
      inputTiles.reorder_storage(itx, ity, ici, iex, iey);
      while (inputVector > tilesX && inputVector > 4)
        inputVector /= 2;
    } else {
      // The reduction goes in chunks (below), so the sums stay in memory.
      stages.sums.compute_inline();
      product.compute_at(out, ni);
      // Register tiles run on from one row of tiles into the next; the
      // reduction goes in chunks of input channels whose weights (per tile
      // position) and transformed input fit L1 and L2.
      product.update()
          .split(plane, lo, li, lanes)
          .split(ptx, ptxo, ptxi, tiles, TailStrategy::RoundUp)
          .split(rc, rco, rci, channelChunk, TailStrategy::GuardWithIf)
          .reorder(li, lo, pblock, ptxi, rci, ptxo, pty, rco, pex, pey)
          .vectorize(li)
          .unroll(lo)
          .unroll(pblock)
          .unroll(ptxi);
      // A chunk's weights come from memory on the first row of tiles and from
      // L1 on the others; the hardware prefetcher does not run far enough ahead
      // to hide that first pass (resnet18.layer4 at batch 1: 1.34-2.14 ms
      // without, 1.12-1.46 with), so each channel's step fetches its line of
      // the next chunk's weights (past a tile position's last chunk, the next
      // position's first: the weights are [block, ey, ex, channel, lane]; past
      // the block's end a prefetch that cannot fault). Only where one image's
      // transformed input for a chunk and two chunks of weights take at most 24
      // KB of L1's 32: otherwise the prefetched lines evict what the other rows
      // reuse (vgg16.stage5, 25 KB of input per chunk, ran 2x slower), which is
      // also why batches of more than one image go without.
      const double sliceBytes = 4.0 * channelChunk * (tilesX * tilesY + 2 * B * tileBlocks);
      const ImageParam input = ctx.operandParams.empty() ? ImageParam() : ctx.operandParams[0];
      if (sliceBytes <= kL1Bytes * 3 / 4 && ctx.operandParams.size() > 1 && input.defined() &&
          ctx.operandParams[1].defined()) {
        const Expr oneImage = input.dim(input.dimensions() - 1).extent() == 1;
        product.update().specialize(oneImage).prefetch(ctx.operandParams[1], rci, rco, 1,
                                                      PrefetchBoundStrategy::NonFaulting);
      }
    }
    transformImagesAt(nc);
  } else {
    // A chunk: the tiles whose transformed input is computed at once, for
    // every weight block.
    const double bytesPerTile = 4.0 * alpha * alpha * inputChannels;
    RowTiling rowTiling;
    if (fewRegisters) {
      const bool evenColumns = transposeTile && outW % perTile == 0;
      rowTiling = rowTilingForFewRegisters(tilesX, mostTiles, vectorsPerBlock, lanes,
                                           evenColumns ? perTile : 0, bytesPerTile);
      // Rounded up to whole vectors, a chunk of 4 tiles was transformed as 8.
      for (int narrower = inputVector / 2; narrower >= 4; narrower /= 2)
        if ((rowTiling.chunk + narrower - 1) / narrower * narrower <
            (rowTiling.chunk + inputVector - 1) / inputVector * inputVector)
          inputVector = narrower;
    } else {
      rowTiling = rowTilingForManyRegisters(tilesX, mostTiles, vectorsPerTile, bytesPerTile,
                                            kL2ChunkBytes);
    }
    tiles = rowTiling.tiles;
    const int chunk = rowTiling.chunk;
    // With 16 lanes, the input transform goes 16 tiles at a time wherever
    // that takes fewer vectors than 8 at a time, even if it transforms a few
    // tiles past the chunk: its strided loads are one permute each, whatever
    // the width (vgg16.stage1 at batch 1 7.65 -> 7.03 ms, resnet18.layer1 at
    // batch 8 3.33 -> 3.12 ms, 28 tiles as 32).
    if (wholeBlockRegisters && (chunk + lanes - 1) / lanes < (chunk + inputVector - 1) / inputVector)
      inputVector = lanes;
    // Split into whole tiles, so that chunks and register tiles start on a tile.
    out.split(y, yt, ym, perTile, edgeY)
        .split(x, xt, xm, perTile, edgeX)
        .split(xt, xc, xct, chunk, TailStrategy::ShiftInwards)
        .split(xct, xr, xti, tiles, TailStrategy::ShiftInwards);
    storeVector = columnVector(tiles * perTile);
    // The output transform and its stores go one weight block at a time.
    const Var blockLevel = tileBlocks > 1 ? coi : xr;
    if (transposeTile) {
      out.reorder(tileOrder({xm, xti, ci, ym}, {xr, co, xc, yt, n}))
          .fuse(xm, xti, xf);
      // The transposed tile is made one store vector of columns at a time, so
      // that it is written as one dense vector: made for the whole tile, its
      // rows were longer than the vector and each write of a vector of
      // columns x channels scattered into them float by float
      // (resnet18.layer1 at batch 8 3.99 -> 3.42 ms, layer2 at batch 1 0.40 ->
      // 0.36 ms; AVX2 code, layer1 at batch 1 0.67 -> 0.62 ms).
      Var xfo("xfo"), xfi("xfi");
      out.split(xf, xfo, xfi, storeVector)
          .reorder(xfi, ci, ym, xfo)
          .vectorize(xfi)
          .unroll(ci)
          .unroll(ym);
      scheduleTransposedTile(transposed, out, xfo, lanes, storeVector);
    } else {
      out.reorder(tileOrder({ci, xm, xti, ym}, {xr, co, xc, yt, n}))
          .vectorize(ci, lanes)
          .unroll(xm)
          .unroll(xti)
          .unroll(ym);
    }
    // Where the transformed weights outgrow a core's L2 (2 MB on the AVX-512
    // Xeon) and outweigh an image's transformed input, which fits in L2, each
    // task of a row of tiles read all the weights from L3 again. Then the
    // image's input is transformed first, in parallel over channels, and the
    // tasks are (weight block, row) with the rows innermost, so that a core
    // takes one weight block through several rows while it sits in its L2; at
    // batch 1 the 7 rows of a 14x14 output no longer split 4:3 between two
    // threads either (resnet18.layer3 0.53 -> 0.47-0.50 ms at batch 1, 4.38 ->
    // 4.07 at batch 8; 160->320 channels at 14x14 0.39 -> 0.33 ms; ResNet-18 at
    // batch 8 73.9 -> 65.1 ms; with 1-1.3 MB of weights, 128->128 and 96->208
    // channels at 14x14, it ran 15-30 % slower, so not there).
    const bool imageTransform = ctx.threads > 1 && chunk >= tilesX &&
                                weightBytes > std::max(imageTileBytes, kL2Bytes) &&
                                imageTileBytes <= kL2Bytes / 2 &&
                                channelBlocks / tileBlocks >= 2;
    if (imageTransform)
      out.reorder(xc, yt, co).fuse(yt, co, tasks).parallel(tasks);
    else
      out.fuse(yt, n, tasks).parallel(tasks);
    outputTiles.compute_at(out, blockLevel);
    // Where a chunk holds 4 or more register tiles, its products are computed
    // at once for the tile's weight blocks, one tile position at a time: the
    // position's weights (and its slice of the transformed input) then stay
    // in L1 across the chunk's register tiles instead of coming from L2 for
    // each (vgg16.stage1 at batch 1, 8 register tiles a row: 9.85-10.7 ->
    // 8.9-9.0 ms; stage2, 4 a row: 7.6-7.7 -> 6.7-7.3 ms; with 2 a row,
    // stage3 and resnet18.layer1, no difference).
    const bool productPerChunk = wholeBlockRegisters && chunk >= 4 * tiles;
    // The sums over input channels stay in registers: `product` is computed
    // per register tile and tile position into accumulators zeroed in
    // registers, then stored once into `sums`, which the output transform
    // reads. Computed where `sums` is, a chunk's sums were zeroed in memory (a
    // memset), and each register tile loaded its accumulators before the
    // reduction and stored them after (AVX-512 Xeon, min ms: vgg16.stage1 9.20
    // -> 8.10 at batch 1 and 78.0 -> 72.3 at batch 8, resnet18.layer2 0.44 ->
    // 0.38 at batch 1, resnet18.layer3 4.22 -> 4.00 at batch 8; AVX2 code on
    // the same machine: resnet18.layer1 at batch 8 6.18 -> 5.45).
    Func sums = stages.sums;
    sums.compute_at(out, productPerChunk ? co : xr)
        .split(plane, lo, li, lanes)
        .split(ptx, ptxo, ptxi, tiles, TailStrategy::RoundUp)
        .reorder(li, lo, pblock, ptxi, pty, ptxo, pex, pey)
        .vectorize(li)
        .unroll(lo)
        .unroll(pblock)
        .unroll(ptxi)
        .unroll(pty);
    product.compute_at(sums, ptxo);
    product.split(plane, lo, li, lanes)
        .reorder(li, lo, pblock, ptx, pty, pex, pey)
        .vectorize(li)
        .unroll(lo)
        .unroll(pblock)
        .unroll(ptx)
        .unroll(pty);
    product.update()
        .split(plane, lo, li, lanes)
        .reorder(li, lo, pblock, ptx, pty, rc, pex, pey)
        .vectorize(li)
        .unroll(lo)
        .unroll(pblock)
        .unroll(ptx)
        .unroll(pty);
    if (imageTransform) {
      transformImagesAt(n);
    } else {
      inputTiles.compute_at(out, xc);
      if (borderCopy)
        scheduleBorderCopy(xc);
    }
  }

  // The output transform, a vector of channels per pixel.
  outputTiles.split(olane, lo, li, lanes)
      .reorder(li, lo, oxm, oym, otx)
      .vectorize(li)
      .unroll(lo)
      .unroll(oxm)
      .unroll(oym);
  // The input transform.
  if (stages.inputChannelBlock) {
    inputTiles.reorder_storage(ici, itx, iex, iey)
        .reorder(ici, iex, iey, itx, ity)
        .vectorize(ici, std::min(lanes, stages.inputChannelBlock), TailStrategy::GuardWithIf)
        .unroll(iex)
        .unroll(iey);
  } else {
    inputTiles.reorder(itx, iex, iey, ity, ici)
        .vectorize(itx, inputVector, TailStrategy::RoundUp)
        .unroll(iex)
        .unroll(iey);
  }
  return out;
}

} // namespace netc
