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

Halide::Var scheduleSimpleLoopNest(Halide::Func f, const std::vector<Halide::Var> &vars,
                                   const std::vector<int64_t> &extents,
                                   const LowerContext &ctx) {
  if (vars.empty())
    return Halide::Var();
  const int vw = ctx.vectorWidth();
  if (vars.size() == 1) {
    // A flat elementwise loop: parallel over chunks of a few KiB, vectors inside.
    Halide::Var chunk("chunk"), inner("inner");
    f.split(vars[0], chunk, inner, vw * 64, Halide::TailStrategy::GuardWithIf)
        .parallel(chunk)
        .vectorize(inner, vw);
    return chunk;
  }
  if (extents[0] < 0 || extents[0] >= vw) {
    Halide::Var xo("xo"), xi("xi");
    f.split(vars[0], xo, xi, vw,
            extents[0] >= vw ? Halide::TailStrategy::ShiftInwards
                             : Halide::TailStrategy::GuardWithIf)
        .vectorize(xi);
  }
  // Parallelize over the outer dims fused into one loop, so batch 1 also spreads
  // over every core, in tasks of a few thousand elements: one task per row of a
  // 28-wide image was mostly task overhead (GoogLeNet's 3x3 pools ran 5x slower).
  Halide::Var fused = vars.back();
  for (size_t i = vars.size() - 1; i-- > 1;) {
    Halide::Var next(vars[i].name() + "_" + fused.name());
    f.fuse(vars[i], fused, next);
    fused = next;
  }
  const int64_t rowsPerTask = extents[0] > 0 ? std::max<int64_t>(1, 4096 / extents[0]) : 1;
  if (rowsPerTask > 1) {
    Halide::Var task("task"), row("row");
    f.split(fused, task, row, (int)rowsPerTask, Halide::TailStrategy::GuardWithIf)
        .parallel(task);
    return task;
  }
  f.parallel(fused);
  return fused;
}

} // namespace netc
