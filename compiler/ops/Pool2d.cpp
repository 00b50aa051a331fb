// maxpool2d and avgpool2d over NCHW input: kernel, stride, padding
// [top,left,bottom,right], ceil_mode, and for avgpool count_include_pad, with
// PyTorch/ONNX semantics (windows never start in the end padding; with ceil_mode
// the part of a window beyond the end padding is not counted).
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/ConvPool.h"

#include <algorithm>
#include <limits>

namespace netc {

PoolParams::PoolParams(const AttrMap &a, const std::string &prefix) {
  const auto &k = a.getInts(prefix + "kernel"), &s = a.getInts(prefix + "stride"),
             &p = a.getInts(prefix + "pad");
  kh = k[0], kw = k[1], sy = s[0], sx = s[1];
  pt = p[0], pl = p[1], pb = p[2], pr = p[3];
  ceilMode = a.getBool(prefix + "ceil_mode");
  const Attribute *cip = a.find(prefix + "count_include_pad");
  countIncludePad = !cip || cip->asBool();
}

std::optional<TensorType> poolType(const PoolParams &p, const TensorType &in, std::string &error) {
  if (!expectRank(in, 4, "input", "N,C,H,W", error))
    return std::nullopt;
  auto pair = [](int64_t a, int64_t b) {
    return "[" + std::to_string(a) + "," + std::to_string(b) + "]";
  };
  if (p.kh <= 0 || p.kw <= 0 || p.sy <= 0 || p.sx <= 0)
    return error = "kernel " + pair(p.kh, p.kw) + " and stride " + pair(p.sy, p.sx) +
                   " must be positive",
           std::nullopt;
  if (p.pt < 0 || p.pl < 0 || p.pb < 0 || p.pr < 0)
    return error = "padding must not be negative", std::nullopt;
  if (p.pt * 2 > p.kh || p.pb * 2 > p.kh || p.pl * 2 > p.kw || p.pr * 2 > p.kw)
    return error = "padding [" + std::to_string(p.pt) + "," + std::to_string(p.pl) + "," +
                   std::to_string(p.pb) + "," + std::to_string(p.pr) +
                   "] must be at most half the kernel " + pair(p.kh, p.kw),
           std::nullopt;
  int64_t oh = slidingOutputSize(in.dim(2).size, p.kh, p.sy, p.pt, p.pb, 1, p.ceilMode);
  int64_t ow = slidingOutputSize(in.dim(3).size, p.kw, p.sx, p.pl, p.pr, 1, p.ceilMode);
  if (oh <= 0 || ow <= 0)
    return error = "the " + std::to_string(p.kh) + "x" + std::to_string(p.kw) +
                   " pooling window does not fit the input " + in.shapeStr(),
           std::nullopt;
  return TensorType(in.dtype, {in.dim(0), in.dim(1), Dim::of(oh), Dim::of(ow)});
}

namespace {
/// [begin, end) of a window along one dim, clipped like PyTorch: the window is
/// first bounded by the end padding (`paddedSize` counts that), then by the input.
struct Window {
  int64_t begin, end, paddedSize;
};
Window window(int64_t o, int64_t stride, int64_t padBegin, int64_t kernel, int64_t size,
              int64_t padEnd) {
  int64_t begin = o * stride - padBegin;
  int64_t paddedEnd = std::min(begin + kernel, size + padEnd);
  return {std::max<int64_t>(begin, 0), std::min(paddedEnd, size), paddedEnd - begin};
}
} // namespace

void referencePool(PoolKind kind, const PoolParams &p, const Tensor &x, Tensor &out) {
  int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  int64_t OH = out.shape[2], OW = out.shape[3];
  for (int64_t nc = 0; nc < N * C; ++nc)
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox) {
        Window wy = window(oy, p.sy, p.pt, p.kh, H, p.pb);
        Window wx = window(ox, p.sx, p.pl, p.kw, W, p.pr);
        double acc = kind == PoolKind::Max ? -std::numeric_limits<double>::infinity() : 0.0;
        for (int64_t iy = wy.begin; iy < wy.end; ++iy)
          for (int64_t ix = wx.begin; ix < wx.end; ++ix) {
            double v = x.data[(nc * H + iy) * W + ix];
            acc = kind == PoolKind::Max ? std::max(acc, v) : acc + v;
          }
        if (kind == PoolKind::Avg) {
          int64_t count = p.countIncludePad ? wy.paddedSize * wx.paddedSize
                                            : (wy.end - wy.begin) * (wx.end - wx.begin);
          acc /= (double)count;
        }
        out.data[(nc * OH + oy) * OW + ox] = (float)acc;
      }
}

Halide::Func definePool(PoolKind kind, const PoolParams &p, Halide::Func input, int H, int W,
                        const std::string &name, Halide::Func *border, bool unrollTaps) {
  using namespace Halide;
  Var x("x"), y("y"), c("c"), n("n");
  // Windows that can hang over the edge (padding, ceil mode) read through a
  // border that never wins: -inf for max, 0 for the sum. BoundaryConditions
  // marks it so the loops split into edge and interior parts, and the
  // interior reads plain vectors.
  bool needsGuard = p.pt || p.pl || p.pb || p.pr || p.ceilMode;
  Func source = needsGuard ? BoundaryConditions::constant_exterior(
                                 input, kind == PoolKind::Max ? Float(32).min() : Expr(0.0f),
                                 {{0, W}, {0, H}})
                           : input;
  if (border && needsGuard)
    *border = source;
  Expr x0 = x * (int)p.sx - (int)p.pl, y0 = y * (int)p.sy - (int)p.pt;
  Expr total;
  if (unrollTaps && p.kh * p.kw <= 25) {
    // Small windows as one expression: every tap is a load the compiler can
    // schedule, with no reduction loop or accumulator per output vector.
    for (int ky = 0; ky < (int)p.kh; ++ky)
      for (int kx = 0; kx < (int)p.kw; ++kx) {
        Expr tap = source(x0 + kx, y0 + ky, c, n);
        total = !total.defined() ? tap : kind == PoolKind::Max ? max(total, tap) : total + tap;
      }
  } else {
    RDom r(0, (int)p.kw, 0, (int)p.kh, "pool_r");
    Expr tap = source(x0 + r.x, y0 + r.y, c, n);
    total = kind == PoolKind::Max ? maximum(tap) : sum(tap);
  }
  Func out(name);
  if (kind == PoolKind::Max) {
    out(x, y, c, n) = total;
  } else {
    Expr yEnd = min(y0 + (int)p.kh, H + (int)p.pb), xEnd = min(x0 + (int)p.kw, W + (int)p.pr);
    Expr count = p.countIncludePad
                     ? (yEnd - y0) * (xEnd - x0)
                     : (min(yEnd, H) - max(y0, 0)) * (min(xEnd, W) - max(x0, 0));
    out(x, y, c, n) = needsGuard ? total / cast<float>(count)
                                 : total * (1.0f / float(p.kh * p.kw));
  }
  return out;
}

namespace {

bool buildPool(const DslCall &call, DslLowering &out, std::string &) {
  const auto &kernel = call.args.getInts("kernel");
  out.attrs.set("kernel", Attribute::ofInts(kernel));
  out.attrs.set("stride", Attribute::ofInts(orDefault(call.args.getInts("stride"), kernel)));
  out.attrs.set("pad", *call.args.find("pad"));
  out.attrs.set("ceil_mode", *call.args.find("ceil_mode"));
  if (const Attribute *cip = call.args.find("count_include_pad"))
    out.attrs.set("count_include_pad", *cip);
  return true;
}

void registerPool(const std::string &name, PoolKind kind) {
  OpDef def;
  def.name = name;
  def.dslNames = {name, kind == PoolKind::Max ? "maxpool" : "avgpool"};
  def.summary = kind == PoolKind::Max ? "2-D max pooling" : "2-D average pooling";
  def.operands = {{"input", false, false}};
  def.attrs = {{"kernel", AttrKind::IntList, std::nullopt, 2},
               {"stride", AttrKind::IntList, std::nullopt, 2},
               {"pad", AttrKind::IntList, Attribute::ofInts({0, 0, 0, 0}), 4},
               {"ceil_mode", AttrKind::Bool, Attribute::ofBool(false), 0}};
  def.dslParams = {{"kernel", AttrKind::IntList, std::nullopt, 2},
                   {"stride", AttrKind::IntList, Attribute::ofInts({}), 2},
                   {"pad", AttrKind::IntList, Attribute::ofInts({0, 0, 0, 0}), 4},
                   {"ceil_mode", AttrKind::Bool, Attribute::ofBool(false), 0}};
  if (kind == PoolKind::Avg) {
    def.attrs.push_back({"count_include_pad", AttrKind::Bool, Attribute::ofBool(true), 0});
    def.dslParams.push_back({"count_include_pad", AttrKind::Bool, Attribute::ofBool(true), 0});
  }
  def.inferType = [](const Op &op, std::string &error) {
    return poolType(PoolParams(op.attrs()), operandType(op, 0), error);
  };
  def.buildFromDsl = buildPool;
  def.reference = [kind](const Op &op, const std::vector<const Tensor *> &in, Tensor &out) {
    referencePool(kind, PoolParams(op.attrs()), *in[0], out);
  };
  def.lower = [kind](LowerContext &ctx, const Op &op) {
    const TensorType &in = ctx.operandTypes[0];
    Halide::Func border;
    Halide::Func out = definePool(kind, PoolParams(op.attrs()), ctx.operands[0],
                                  (int)in.dim(2).size, (int)in.dim(3).size, op.kindName(),
                                  &border, /*unrollTaps=*/true);
    if (!ctx.schedule)
      return out;
    if (!border.defined()) {
      scheduleSimpleLoopNest(out, halideVars(4), halideExtents(ctx.resultType), ctx);
      return out;
    }
    // A task is one channel plane: its rows are copied once with their border
    // (a border that never wins), so every tap is a plain vector load. Rows
    // narrower than two vectors leave no interior for Halide's edge splitting,
    // and the taps were gathers.
    using namespace Halide;
    const int vw = ctx.vectorWidth();
    const int outW = (int)ctx.resultType.dim(3).size;
    std::vector<Var> v = halideVars(4);
    Var xo("xo"), xi("xi"), plane("plane");
    out.split(v[0], xo, xi, std::min(vw, outW),
              outW >= vw ? TailStrategy::ShiftInwards : TailStrategy::GuardWithIf)
        .vectorize(xi)
        .reorder(xi, xo, v[1], v[2], v[3])
        .fuse(v[2], v[3], plane)
        .parallel(plane);
    border.compute_at(out, plane).vectorize(border.args()[0], vw, TailStrategy::GuardWithIf);
    return out;
  };
  OpRegistry::get().add(std::move(def));
}

} // namespace

void registerPoolOps() {
  registerPool("maxpool2d", PoolKind::Max);
  registerPool("avgpool2d", PoolKind::Avg);
}

} // namespace netc
