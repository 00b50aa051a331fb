// dense: fully connected layer y = x Wᵀ + b with x [N, in], W [out, in] (PyTorch's
// nn.Linear layout) and optional b [out].
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/FusedEpilogue.h"

#include <algorithm>

namespace netc {

std::optional<TensorType> inferDenseType(const Op &op, std::string &error) {
  const TensorType &in = operandType(op, 0), &w = operandType(op, 1);
  if (!expectRank(in, 2, "input", "N,features; use flatten() on images", error) ||
      !expectRank(w, 2, "weight '" + op.operand(1)->name() + "'", "out,in", error))
    return std::nullopt;
  if (!in.dim(1).isStatic())
    return error = "input must have a static feature count, found " + in.shapeStr(),
           std::nullopt;
  int64_t features = in.dim(1).size, units = w.dim(0).size;
  if (w.dim(1).size != features)
    return error = "input has " + std::to_string(features) + " features but " +
                   describeOperand(op, 1) + " expects " + std::to_string(w.dim(1).size) +
                   " (shape [" + std::to_string(units) + "," + std::to_string(features) +
                   "] would fit)",
           std::nullopt;
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

/// A row epilogue (softmax) of the dense result `out`, returned as the kernel's
/// output Func; its per-row statistics are computed once per row of it.
Halide::Func lowerRowEpilogue(const LowerContext &ctx, const FusedActivation &activation,
                              Halide::Func out) {
  LowerContext epilogue = ctx;
  epilogue.rowStatisticsPerRow = true;
  return activation.lower(epilogue, out, ctx.resultType);
}

} // namespace

void referenceDense(const std::vector<const Tensor *> &in, Tensor &out) {
  const Tensor &x = *in[0], &w = *in[1];
  const Tensor *b = in[2];
  int64_t N = x.shape[0], K = x.shape[1], M = w.shape[0];
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m) {
      double acc = b ? b->data[m] : 0.0;
      for (int64_t k = 0; k < K; ++k)
        acc += (double)x.data[n * K + k] * w.data[m * K + k];
      out.data[n * M + m] = (float)acc;
    }
}

Halide::Func lowerDense(LowerContext &ctx, const FusedActivation *activation) {
  using namespace Halide;
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
  Func out("dense");
  out(j, n) = total;
  Func rowEpilogue;
  if (activation && activation->active() && activation->elementwise()) {
    // The activation is applied as each output is stored.
    Func activated = activation->lower(ctx, out, ctx.resultType);
    out = Func("dense_" + activation->name());
    out(j, n) = activated(j, n);
  } else if (activation && activation->active()) {
    // softmax: each row of dense outputs is computed into a small buffer, then
    // normalized (its max and sum are per-row reductions over that buffer,
    // computed once per row).
    rowEpilogue = lowerRowEpilogue(ctx, *activation, out);
  }
  if (!ctx.schedule)
    return rowEpilogue.defined() ? rowEpilogue : out;

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
  if (rowEpilogue.defined())
    return rowEpilogue;
  return out;
}

void registerDenseOp() {
  OpDef def;
  def.name = "dense";
  def.dslNames = {"dense", "linear", "fc"};
  def.summary = "fully connected layer: y = x Wᵀ + b, W is [out, in]";
  def.operands = {{"input", false, false}, {"weight", true, false}, {"bias", true, true}};
  def.dslParams = {{"units", AttrKind::Int, std::nullopt, 0},
                   {"bias", AttrKind::Bool, Attribute::ofBool(true), 0}};
  def.inferType = inferDenseType;
  def.buildFromDsl = buildDense;
  def.reference = [](const Op &, const std::vector<const Tensor *> &in, Tensor &out) {
    referenceDense(in, out);
  };
  def.lower = [](LowerContext &ctx, const Op &) { return lowerDense(ctx, nullptr); };
  OpRegistry::get().add(std::move(def));
}

void registerFusedDenseOp() {
  OpDef def;
  def.name = "fused_dense";
  def.summary = "dense + bias + activation in one loop (made by fuse-dense)";
  def.operands = {{"input", false, false}, {"weight", true, false}, {"bias", true, true}};
  def.attrs = activationAttrSpecs();
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
    referenceDense(in, out);
    FusedActivation(op.attrs(), op.result()->type()).reference(out);
  };
  def.lower = [](LowerContext &ctx, const Op &op) {
    FusedActivation activation(op.attrs(), ctx.resultType);
    return lowerDense(ctx, &activation);
  };
  OpRegistry::get().add(std::move(def));
}

} // namespace netc
