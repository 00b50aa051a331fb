// dense: fully connected layer y = x Wᵀ + b with x [N, in], W [out, in] (PyTorch's
// nn.Linear layout) and optional b [out]; pack-dense-weights stores W in blocks
// of units, with an optional tail operand (DensePacking.h).
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/DensePacking.h"
#include "compiler/ops/FusedEpilogue.h"

#include <algorithm>
#include <numeric>

namespace netc {

std::optional<TensorType> inferDenseType(const Op &op, std::string &error) {
  const TensorType &in = operandType(op, 0), &w = operandType(op, 1);
  const int64_t block = op.attrs().getInt("weight_block");
  if (!expectRank(in, 2, "input", "N,features; use flatten() on images", error))
    return std::nullopt;
  if (!in.dim(1).isStatic())
    return error = "input must have a static feature count, found " + in.shapeStr(),
           std::nullopt;
  int64_t features = in.dim(1).size, units;
  if (block < 0)
    return error = "weight_block must be 0 or positive, found " + std::to_string(block),
           std::nullopt;
  if (block == 0) {
    if (!expectRank(w, 2, "weight '" + op.operand(1)->name() + "'", "out,in", error))
      return std::nullopt;
    units = w.dim(0).size;
    if (w.dim(1).size != features)
      return error = "input has " + std::to_string(features) + " features but " +
                     describeOperand(op, 1) + " expects " + std::to_string(w.dim(1).size) +
                     " (shape [" + std::to_string(units) + "," + std::to_string(features) +
                     "] would fit)",
             std::nullopt;
  } else {
    units = op.attrs().getInt("units");
    if (units <= 0)
      return error = "a dense with weight_block=" + std::to_string(block) +
                     " needs its output count in 'units', found " + std::to_string(units),
             std::nullopt;
    // With a tail operand the blocks hold the whole blocks of units only.
    const bool tailed = op.operand(3) != nullptr;
    const int64_t blocks = tailed ? units / block : (units + block - 1) / block;
    const int64_t tailWidth = packedDenseTailWidth(units, block);
    if (tailed && !tailWidth)
      return error = "a tail weight needs at least one whole block of " +
                     std::to_string(block) + " units and a last block narrower by 4 or " +
                     "more; " + std::to_string(units) + " units have " +
                     (blocks ? "a last block of " + std::to_string(units % block)
                             : std::string("no whole block")),
             std::nullopt;
    const std::string packed = "[" + std::to_string(blocks) + "," + std::to_string(features) +
                               "," + std::to_string(block) + "]";
    if (!expectRank(w, 3, "weight '" + op.operand(1)->name() + "'",
                    std::string(tailed ? "floor" : "ceil") + "(out/" + std::to_string(block) +
                        "),in," + std::to_string(block),
                    error))
      return std::nullopt;
    if (w.dim(0).size != blocks || w.dim(1).size != features || w.dim(2).size != block)
      return error = describeOperand(op, 1) + " is not " + std::to_string(units) + " units × " +
                     std::to_string(features) + " features packed by " +
                     std::to_string(block) + (tailed ? " with a tail" : "") + " (expected " +
                     packed + ")",
             std::nullopt;
    if (tailed) {
      const TensorType &tail = operandType(op, 3);
      if (tail.rank() != 2 || tail.dim(0).size != features || tail.dim(1).size != tailWidth)
        return error = describeOperand(op, 3) + " is not the last " +
                       std::to_string(units % block) + " units × " + std::to_string(features) +
                       " features (expected [" + std::to_string(features) + "," +
                       std::to_string(tailWidth) + "])",
               std::nullopt;
    }
  }
  if (op.operand(3) && block == 0)
    return error = "a tail weight needs packed weights (weight_block)", std::nullopt;
  if (op.operand(2)) {
    const TensorType &b = operandType(op, 2);
    if (b.rank() != 1 || b.dim(0).size != units)
      return error = describeOperand(op, 2) + " does not match the " + std::to_string(units) +
                     " outputs (expected [" + std::to_string(units) + "])",
             std::nullopt;
  }
  return TensorType(in.dtype, {in.dim(0), Dim::of(units)});
}

namespace {

/// Weight bytes that repay a task of their own in a matrix-vector product
/// (about 1 us of L2 reads against a few us to wake a thread).
constexpr int64_t kDenseBytesPerTask = 256 * 1024;

bool buildDense(const DslCall &call, DslLowering &out, std::string &error) {
  const TensorType &in = call.inputTypes[0];
  if (!expectRank(in, 2, "input", "N,features; use flatten() on images", error))
    return false;
  int64_t units = call.args.getInt("units");
  if (units <= 0)
    return error = "units must be positive, found " + std::to_string(units), false;
  out.weights.push_back(
      {"weight", TensorType(DType::F32, {Dim::of(units), Dim::of(in.dim(1).size)})});
  if (call.args.getBool("bias"))
    out.weights.push_back({"bias", TensorType(DType::F32, {Dim::of(units)})});
  return true;
}

/// The dense result `out` with its fused activation applied. `result` is the
/// kernel's output Func: `out` itself, a Func applying an elementwise
/// activation as each output is stored, or a row epilogue (softmax), then also
/// `rowEpilogue`, that normalizes a row of `out` at a time and computes its
/// per-row statistics once per row.
struct DenseOutput {
  Halide::Func result, rowEpilogue;
};

DenseOutput applyActivation(const LowerContext &ctx, const FusedActivation *activation,
                            Halide::Func out) {
  DenseOutput output{out, Halide::Func()};
  if (!activation || !activation->active())
    return output;
  if (activation->elementwise()) {
    Halide::Func activated = activation->lower(ctx, out, ctx.resultType);
    output.result = Halide::Func("dense_" + activation->name());
    output.result(out.args()) = activated(out.args());
  } else {
    LowerContext epilogue = ctx;
    epilogue.rowStatisticsPerRow = true;
    output.result = output.rowEpilogue = activation->lower(epilogue, out, ctx.resultType);
  }
  return output;
}

/// `weight_block` and `units` appear only on denses pack-dense-weights rewrote.
std::vector<AttrSpec> denseAttrSpecs() {
  return {{"weight_block", AttrKind::Int, Attribute::ofInt(0), 0, true},
          {"units", AttrKind::Int, Attribute::ofInt(0), 0, true}};
}

/// Accumulators per block and row of a packed dense: consecutive k go to
/// different partial sums, so that a single row keeps enough FMAs in flight
/// (4 partial sums of AVX-512's one vector per block, 2 of AVX2's two).
constexpr int kAccumulatorsPerBlockRow = 4;

/// Partial sums of a tail operand's vectors (DensePacking.h).
constexpr int kTailAccumulators = 4;

// A dense whose weights are packed [ceil(units/B), K, B] (or whole blocks and
// a tail, DensePacking.h, reduced in a loop of its own): each weight read is
// one aligned vector of B units, multiplied by a broadcast input value, and a
// block's weights are one contiguous stream. Row-major weights were read a few
// rows at a time with a horizontal sum per unit: 3072->100 on 2 cores ran
// 6.6-7.9 -> 4.7-5.3 us packed at batch 1, 39-41 -> 22-24 us at batch 8.
Halide::Func lowerPackedDense(LowerContext &ctx, int B, const FusedActivation *activation) {
  using namespace Halide;
  const int K = (int)ctx.operandTypes[0].dim(1).size;
  const int M = (int)ctx.resultType.dim(1).size;
  // Units [blocks·B, M) come from the tail operand when there is one.
  const bool tailed = ctx.hasOperand(3);
  const int T = tailed ? (int)ctx.operandTypes[3].dim(1).size : 0;
  const int blocks = tailed ? M / B : (M + B - 1) / B;
  const int lanes = std::min(ctx.vectorWidth(), B);
  const int vectorsPerBlock = (B + lanes - 1) / lanes;
  const int S = std::max(1, kAccumulatorsPerBlockRow / vectorsPerBlock);
  // The tail's vectors hold its T units at g consecutive k where T divides a
  // vector (4 units × 2 k on AVX2), else 4 units at one k; kTailAccumulators
  // partial sums keep its FMAs independent.
  const int tailVector = tailed && ctx.vectorWidth() % T == 0 ? ctx.vectorWidth() : 4;
  const int g = std::max(1, tailVector / std::max(T, 1));
  const int tailStep = g * kTailAccumulators;
  const int stepK = tailed ? std::lcm(S, tailStep) : S;
  // The reduction is split into `parts` ranges of k, one per core when the
  // weights repay waking a thread (kDenseBytesPerTask): a matrix-vector
  // product is bound by reading the weights, and splitting k keeps the cores'
  // shares equal whatever the number of blocks (7 blocks split 4:3 by units).
  // Each core reads the same range on every call, from its own L2.
  const int64_t weightBytes = 4LL * (blocks * B + T) * K;
  int parts = (int)std::clamp<int64_t>(weightBytes / kDenseBytesPerTask, 1,
                                       std::max(1, ctx.threads));
  while (parts > 1 && K / (parts * stepK) == 0)
    --parts;
  const int chunk = K / (parts * stepK) * stepK;
  const int mainK = parts * chunk;
  Func x = ctx.operands[0], w = ctx.operands[1];
  Var lane("lane"), s("s"), block("block"), n("n"), p("p"), j("j");

  Func acc("dense_acc");
  acc(lane, s, block, n, p) = 0.0f;
  RDom rk(0, std::max(1, chunk / S), "rk");
  Expr k = p * chunk + rk * S + s;
  if (chunk)
    acc(lane, s, block, n, p) += w(lane, k, block) * x(k, n);
  // The last K - mainK (< parts·S) products of each unit, added in the output
  // stage: an update of `acc` at one fixed part would make every part's tile
  // span parts 0..p.
  Func rest("dense_rest");
  if (mainK < K) {
    RDom rt(mainK, K - mainK, "rt");
    rest(lane, block, n) = 0.0f;
    rest(lane, block, n) += w(lane, rt, block) * x(rt, n);
  }
  Func partial("dense_partial");
  Expr sumOfS = acc(lane, 0, block, n, p);
  for (int i = 1; i < S; ++i)
    sumOfS += acc(lane, i, block, n, p);
  partial(lane, block, n, p) = sumOfS;

  // The tail: tailAcc(v, s, n, p) holds unit v % T at k = base + v / T.
  Func tailAcc("dense_tail_acc"), tailPartial("dense_tail_partial"), tailRest("dense_tail_rest");
  Var v("v"), t("t");
  RDom rkt(0, std::max(1, chunk / tailStep), "rkt");
  if (tailed) {
    Func wt = ctx.operands[3];
    tailAcc(v, s, n, p) = 0.0f;
    Expr kt = p * chunk + (rkt * kTailAccumulators + s) * g + v / T;
    if (chunk)
      tailAcc(v, s, n, p) += wt(v % T, kt) * x(kt, n);
    Expr sum = tailAcc(t, 0, n, p);
    for (int i = 0; i < kTailAccumulators; ++i)
      for (int kk = 0; kk < g; ++kk)
        if (i || kk)
          sum += tailAcc(t + T * kk, i, n, p);
    tailPartial(t, n, p) = sum;
    if (mainK < K) {
      RDom rt(mainK, K - mainK, "rt");
      tailRest(t, n) = 0.0f;
      tailRest(t, n) += wt(t, rt) * x(rt, n);
    }
  }

  Func out("dense"), unitSums("dense_units");
  Expr value;
  if (tailed) {
    // Each side of the select is read in bounds (clamped); a small root stage,
    // so that the output stage still reads one dense row of sums.
    const int tailStart = blocks * B;
    Expr mainBlock = min(j / B, blocks - 1), tailUnit = clamp(j - tailStart, 0, T - 1);
    Expr fromBlocks = partial(j % B, mainBlock, n, 0), fromTail = tailPartial(tailUnit, n, 0);
    for (int i = 1; i < parts; ++i) {
      fromBlocks += partial(j % B, mainBlock, n, i);
      fromTail += tailPartial(tailUnit, n, i);
    }
    if (rest.defined()) {
      fromBlocks += rest(j % B, mainBlock, n);
      fromTail += tailRest(tailUnit, n);
    }
    unitSums(j, n) = select(j < tailStart, fromBlocks, fromTail);
    value = unitSums(j, n);
  } else {
    value = partial(j % B, j / B, n, 0);
    for (int i = 1; i < parts; ++i)
      value += partial(j % B, j / B, n, i);
    if (rest.defined())
      value += rest(j % B, j / B, n);
  }
  out(j, n) = ctx.hasOperand(2) ? ctx.operands[2](j) + value : value;
  const DenseOutput output = applyActivation(ctx, activation, out);
  Func result = output.result, rowEpilogue = output.rowEpilogue;
  if (!ctx.schedule)
    return result;

  // The products go to a small root buffer of whole blocks, so no register
  // tile straddles the last, partial block of units; the output stage then
  // sums the parts and adds the bias and the activation a vector at a time.
  // Register tiles of one block × rows × S partial sums, at most 16 vector
  // accumulators with 32 registers and 12 with 16 (the weights are FMA memory
  // operands, each broadcast takes a register: AVX2 tiles of 16 accumulators
  // spilled one per step, mlp2 at batch 8 ran 0.062-0.069 ms, 0.040-0.049
  // with 12): with enough rows each weight vector loaded feeds one FMA per row
  // (4 rows on AVX-512, 3 on AVX2); fewer rows go one at a time.
  const int accumulators = ctx.vectorRegisters() < 32 ? 12 : 16;
  const int maxRows = std::max(1, accumulators / (S * vectorsPerBlock));
  Expr batchRows = result.output_buffer().dim(1).extent();
  Var lo("lo"), li("li"), no("no"), ni("ni"), bi("bi"), tile("tile");
  partial.compute_root();
  if (maxRows > 1)
    partial.specialize(batchRows >= maxRows)
        .split(lane, lo, li, lanes)
        .split(n, no, ni, maxRows, TailStrategy::ShiftInwards)
        .reorder(li, lo, ni, no, block, p)
        .fuse(no, block, tile)
        .parallel(tile)
        .vectorize(li)
        .unroll(lo)
        .unroll(ni);
  // One row at a time, in tiles of a few blocks: concurrent weight streams keep
  // more reads in flight, which matters when the weights come from memory
  // (VGG's fc6, 411 MB: 7.6 ms with one stream per core, 5.3 ms with four)
  // and also from L3 (mlp2's 7 blocks, 1.4 MB: 0.0104-0.0121 ms one block at a
  // time, 0.0092-0.0119 three at a time). A last tile of fewer blocks is
  // guarded, so none is computed twice.
  const int tileBlocks = std::min(blocks, maxRows);
  partial.split(lane, lo, li, lanes)
      .split(block, tile, bi, tileBlocks,
             blocks % tileBlocks ? TailStrategy::GuardWithIf : TailStrategy::Auto)
      .reorder(li, lo, bi, tile, n, p)
      .vectorize(li)
      .unroll(lo)
      .unroll(bi);
  if (parts > 1)
    partial.parallel(p);

  // The tile's accumulators stay in registers across the whole reduction.
  acc.compute_at(partial, tile);
  std::vector<Stage> accStages = {Stage(acc)};
  if (chunk)
    accStages.push_back(acc.update());
  for (Stage stage : accStages) {
    stage.split(lane, lo, li, lanes);
    if (stage.name() == Stage(acc).name())
      stage.reorder(li, lo, s, block, n, p);
    else
      stage.reorder(li, lo, s, block, n, p, rk);
    stage.vectorize(li).unroll(lo).unroll(s).unroll(block).unroll(n).unroll(p);
  }
  if (rest.defined()) {
    rest.compute_root().vectorize(lane, lanes);
    rest.update().vectorize(lane, lanes);
  }
  if (tailed) {
    // Its own parallel loop over the parts: fusing it into the blocks' one
    // (compute_with) saved a dispatch at batch 1 but ran it on one thread in
    // the batch tiles, whose parts loop is serial.
    Var to("to"), ti("ti"), vo("vo"), vi("vi");
    unitSums.compute_root();
    tailPartial.compute_root()
        .split(t, to, ti, 4)
        .reorder(ti, to, n, p)
        .vectorize(ti)
        .unroll(to);
    if (parts > 1)
      tailPartial.parallel(p);
    tailAcc.compute_at(tailPartial, n)
        .split(v, vo, vi, tailVector)
        .vectorize(vi)
        .unroll(vo)
        .unroll(s);
    if (chunk)
      tailAcc.update()
          .split(v, vo, vi, tailVector)
          .reorder(vi, vo, s, rkt.x)
          .vectorize(vi)
          .unroll(vo)
          .unroll(s);
    if (mainK < K) {
      tailRest.compute_root().split(t, to, ti, 4).vectorize(ti);
      tailRest.update().split(t, to, ti, 4).vectorize(ti);
    }
  }

  // A vector at a time from the first unit on, so that j / B and j % B stay a
  // broadcast and a ramp. (Splitting by whole blocks first, then into AVX2's
  // two vectors, left a softmax epilogue's loop out of the AVX2 kernel
  // altogether: its output was never written.)
  Var jo("jo"), ji("ji");
  Func stored = rowEpilogue.defined() ? out : result;
  if (rowEpilogue.defined()) {
    Var row = rowEpilogue.args()[1];
    out.compute_at(rowEpilogue, row);
    rowEpilogue.parallel(row).vectorize(rowEpilogue.args()[0], lanes, TailStrategy::GuardWithIf);
  }
  stored.split(j, jo, ji, lanes, TailStrategy::GuardWithIf).vectorize(ji);
  return result;
}

} // namespace

void referenceDense(const std::vector<const Tensor *> &in, int64_t weightBlock, Tensor &out) {
  const Tensor &x = *in[0], &w = *in[1];
  const Tensor *b = in[2], *tail = in.size() > 3 ? in[3] : nullptr;
  const int64_t N = x.shape[0], K = x.shape[1], M = out.shape[1], B = weightBlock;
  const int64_t tailStart = tail ? M / B * B : M, tailWidth = tail ? tail->shape[1] : 0;
  auto weightAt = [&](int64_t m, int64_t k) {
    if (m >= tailStart)
      return tail->data[k * tailWidth + (m - tailStart)];
    return B ? w.data[((m / B) * K + k) * B + m % B] : w.data[m * K + k];
  };
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m) {
      double acc = b ? b->data[m] : 0.0;
      for (int64_t k = 0; k < K; ++k)
        acc += (double)x.data[n * K + k] * weightAt(m, k);
      out.data[n * M + m] = (float)acc;
    }
}

Halide::Func lowerDense(LowerContext &ctx, const AttrMap &attrs,
                        const FusedActivation *activation) {
  using namespace Halide;
  if (int block = (int)attrs.getInt("weight_block"))
    return lowerPackedDense(ctx, block, activation);
  const int K = (int)ctx.operandTypes[0].dim(1).size;
  const int M = (int)ctx.operandTypes[1].dim(0).size;
  Func x = ctx.operands[0], w = ctx.operands[1];
  Var j("j"), n("n"), lane("lane");

  // Weight rows are contiguous along k, so the dot products are vectorized along
  // k: each output keeps `lanes` partial sums (two vectors, to hide FMA
  // latency), reduced horizontally at the end, plus a scalar tail when K is not
  // a multiple. Outputs are computed in tiles of a few units × a few batch rows,
  // so every weight vector loaded feeds several rows' FMAs.
  const int vw = ctx.vectorWidth();
  const int lanes = K >= 2 * vw ? 2 * vw : (K >= vw ? vw : 0);
  const int vectorK = lanes ? K / lanes * lanes : 0;

  Expr total = ctx.hasOperand(2) ? ctx.operands[2](j) : Expr(0.0f);
  Func partial("dense_partial");
  RDom rk(0, std::max(1, vectorK / std::max(lanes, 1)), "rk");
  if (lanes) {
    partial(lane, j, n) = 0.0f;
    partial(lane, j, n) += w(rk * lanes + lane, j) * x(rk * lanes + lane, n);
    RDom rl(0, lanes, "rl");
    total += sum(partial(rl, j, n));
  }
  if (vectorK < K) {
    RDom rt(vectorK, K - vectorK, "rt");
    total += sum(w(rt, j) * x(rt, n));
  }
  Func dense("dense");
  dense(j, n) = total;
  // With a softmax the tiles compute a row of `dense` into a small buffer, which
  // the epilogue then normalizes; otherwise they compute the output itself.
  const DenseOutput output = applyActivation(ctx, activation, dense);
  Func rowEpilogue = output.rowEpilogue;
  Func out = rowEpilogue.defined() ? dense : output.result;
  if (!ctx.schedule)
    return output.result;

  // Tiles of units × batch rows with 8 to 16 vector accumulators. The batch is
  // only known at run time: batches of 4 or more rows take tiles of 2 units ×
  // 4 rows (each weight vector loaded feeds 4 FMAs), parallel over tiles;
  // smaller ones 1-row tiles of 4 units, parallel over one range of units per
  // core. Taller tiles were slower: with the whole K range inside a tile, every
  // tile re-reads its rows of the input from L2, which then costs more than
  // the weights saved (blocking K is the fix). A softmax epilogue normalizes
  // one row at a time, so its rows are computed one by one.
  const int unitTile = std::min(M, 4);
  Var jo("jo"), ji("ji"), no("no"), ni("ni"), tile("tile");
  auto scheduleTiles = [&](Stage stage, int unitTile, int rowTile) {
    stage.split(j, jo, ji, unitTile, TailStrategy::ShiftInwards)
        .split(n, no, ni, rowTile, TailStrategy::ShiftInwards)
        .reorder(ji, ni, jo, no)
        .fuse(jo, no, tile)
        .parallel(tile);
  };
  if (rowEpilogue.defined()) {
    Var row = rowEpilogue.args()[1];
    out.compute_at(rowEpilogue, row).split(j, jo, ji, unitTile, TailStrategy::ShiftInwards);
    rowEpilogue.parallel(row).vectorize(rowEpilogue.args()[0], ctx.vectorWidth(),
                                        TailStrategy::GuardWithIf);
  } else {
    Expr batchRows = out.output_buffer().dim(1).extent();
    scheduleTiles(out.specialize(batchRows >= 4), std::min(M, 2), 4);
    // A few rows are a matrix-vector product, bound by reading the weights:
    // one task per core, each over a fixed range of units, so every call
    // finds its share of the weights in the same core's L2 (many small tasks
    // went to whichever thread was free and read the weights from L3: 9.1 vs
    // 6.4 us for 3072->100 on 2 cores). Weights too small to repay waking a
    // thread take one task.
    const int64_t weightBytes = 4LL * M * K;
    const int tasks = (int)std::clamp<int64_t>(weightBytes / kDenseBytesPerTask, 1,
                                               std::min(ctx.threads, M / unitTile));
    Var part("part"), units("units");
    out.split(j, part, units, (M + tasks - 1) / tasks, TailStrategy::ShiftInwards)
        .split(units, tile, ji, unitTile, TailStrategy::ShiftInwards)
        .reorder(ji, tile, n, part);
    if (tasks > 1)
      out.parallel(part);
  }
  if (lanes) {
    // The tile's partial sums stay in registers across the whole reduction.
    Var lv("lv"), lu("lu");
    partial.compute_at(out, rowEpilogue.defined() ? jo : tile)
        .split(lane, lu, lv, vw)
        .reorder(lv, lu, j, n)
        .vectorize(lv)
        .unroll(lu)
        .unroll(j)
        .unroll(n);
    partial.update()
        .split(lane, lu, lv, vw)
        .reorder(lv, lu, j, n, rk)
        .vectorize(lv)
        .unroll(lu)
        .unroll(j)
        .unroll(n);
  }
  return output.result;
}

void registerDenseOp() {
  OpDef def;
  def.name = "dense";
  def.dslNames = {"dense", "linear", "fc"};
  def.summary = "fully connected layer: y = x Wᵀ + b, W is [out, in]";
  def.operands = {{"input", false, false},
                  {"weight", true, false},
                  {"bias", true, true},
                  {"weight_tail", true, true}};
  def.dslParams = {{"units", AttrKind::Int, std::nullopt, 0},
                   {"bias", AttrKind::Bool, Attribute::ofBool(true), 0}};
  def.inferType = inferDenseType;
  def.buildFromDsl = buildDense;
  def.attrs = denseAttrSpecs();
  def.reference = [](const Op &op, const std::vector<const Tensor *> &in, Tensor &out) {
    referenceDense(in, op.attrs().getInt("weight_block"), out);
  };
  def.lower = [](LowerContext &ctx, const Op &op) { return lowerDense(ctx, op.attrs(), nullptr); };
  OpRegistry::get().add(std::move(def));
}

void registerFusedDenseOp() {
  OpDef def;
  def.name = "fused_dense";
  def.madeByPasses = true;
  def.summary = "dense + bias + activation in one loop (made by fuse-dense)";
  def.operands = {{"input", false, false},
                  {"weight", true, false},
                  {"bias", true, true},
                  {"weight_tail", true, true}};
  def.attrs = denseAttrSpecs();
  for (AttrSpec &spec : activationAttrSpecs())
    def.attrs.push_back(std::move(spec));
  def.inferType = [](const Op &op, std::string &error) -> std::optional<TensorType> {
    const std::string &activation = op.attrs().getString("activation");
    const OpDef *act = OpRegistry::get().lookup(activation);
    if (activation != "none" && (!act || !(isFusibleActivation(*act) || isRowEpilogue(*act))))
      return error = "'" + activation + "' is not an activation that can be fused",
             std::nullopt;
    if (act && isRowEpilogue(*act)) {
      const Attribute *axis = op.attrs().find(activation + "_axis");
      if (axis && axis->asInt() != -1 && axis->asInt() != 1)
        return error = "a fused " + activation + " must run along the last axis", std::nullopt;
    }
    return inferDenseType(op, error);
  };
  def.reference = [](const Op &op, const std::vector<const Tensor *> &in, Tensor &out) {
    referenceDense(in, op.attrs().getInt("weight_block"), out);
    FusedActivation(op.attrs(), op.result()->type()).reference(out);
  };
  def.lower = [](LowerContext &ctx, const Op &op) {
    FusedActivation activation(op.attrs(), ctx.resultType);
    return lowerDense(ctx, op.attrs(), &activation);
  };
  OpRegistry::get().add(std::move(def));
}

} // namespace netc
