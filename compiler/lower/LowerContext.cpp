#include "compiler/lower/LowerContext.h"

#include <algorithm>

namespace netc {

std::vector<Halide::Var> halideVars(size_t rank) {
  static const char *names[] = {"x", "y", "c", "n", "d4", "d5", "d6", "d7"};
  std::vector<Halide::Var> vars;
  for (size_t i = 0; i < rank; ++i)
    vars.emplace_back(i < 8 ? names[i] : "d" + std::to_string(i));
  return vars;
}

std::vector<Halide::Expr> asExprs(const std::vector<Halide::Var> &vars) {
  return std::vector<Halide::Expr>(vars.begin(), vars.end());
}

std::vector<int64_t> halideExtents(const TensorType &type) {
  std::vector<int64_t> extents;
  for (auto it = type.dims.rbegin(); it != type.dims.rend(); ++it)
    extents.push_back(it->isStatic() ? it->size : -1);
  return extents;
}

void scheduleSimpleLoopNest(Halide::Func f, const std::vector<Halide::Var> &vars,
                            const std::vector<int64_t> &extents, const LowerContext &ctx) {
  if (vars.empty())
    return;
  const int vw = ctx.vectorWidth();
  if (vars.size() == 1) {
    // A flat elementwise loop: parallel over chunks of a few KiB, vectors inside.
    Halide::Var chunk("chunk"), inner("inner");
    f.split(vars[0], chunk, inner, vw * 64, Halide::TailStrategy::GuardWithIf)
        .parallel(chunk)
        .vectorize(inner, vw);
    return;
  }
  if (extents[0] < 0 || extents[0] >= vw) {
    Halide::Var xo("xo"), xi("xi");
    f.split(vars[0], xo, xi, vw,
            extents[0] >= vw ? Halide::TailStrategy::ShiftInwards
                             : Halide::TailStrategy::GuardWithIf)
        .vectorize(xi);
  }
  // Parallelize over the outer dims fused into one loop, so batch 1 also spreads
  // over every core.
  Halide::Var fused = vars.back();
  for (size_t i = vars.size() - 1; i-- > 1;) {
    Halide::Var next(vars[i].name() + "_" + fused.name());
    f.fuse(vars[i], fused, next);
    fused = next;
  }
  f.parallel(fused);
}

} // namespace netc
