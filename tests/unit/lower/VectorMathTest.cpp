// The vectorizable exp/tanh/sigmoid against libm in double, over a sweep that
// crosses every branch point (tanh's series/exp switch at 0.55, the clamps of
// exp) and the saturated tails, evaluated as 16-wide vectors the way kernels
// use them.
#include "compiler/lower/VectorMath.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

namespace netc {
namespace {

struct Sweep {
  double maxRelative = 0, worstInput = 0;
};

/// Evaluates `f` on `inputs` with a vectorized Halide pipeline and compares each
/// result with `expected` within `atol + rtol * |expected|`.
Sweep compare(const std::function<Halide::Expr(Halide::Expr)> &f,
              const std::function<double(double)> &expected, const std::vector<float> &inputs,
              double rtol, double atol) {
  Halide::Buffer<float> in((int)inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    in((int)i) = inputs[i];
  Halide::Var x("x");
  Halide::Func g("g");
  g(x) = f(in(x));
  g.vectorize(x, 16, Halide::TailStrategy::GuardWithIf);
  Halide::Buffer<float> out = g.realize({(int)inputs.size()});
  Sweep s;
  for (size_t i = 0; i < inputs.size(); ++i) {
    double want = expected(inputs[i]), got = out((int)i);
    EXPECT_TRUE(std::isfinite(got)) << "at x = " << inputs[i];
    double excess = std::abs(got - want) / (atol + rtol * std::abs(want));
    EXPECT_LE(excess, 1.0) << "at x = " << inputs[i] << ": got " << got << ", want " << want;
    double rel = std::abs(got - want) / std::max(std::abs(want), 1e-30);
    if (std::abs(want) > 1e-3 && rel > s.maxRelative)
      s.maxRelative = rel, s.worstInput = inputs[i];
  }
  return s;
}

std::vector<float> sweep(float lo, float hi, int count) {
  std::vector<float> v;
  for (int i = 0; i < count; ++i)
    v.push_back(lo + (hi - lo) * (float)i / (float)(count - 1));
  for (float special : {0.0f, -0.0f, 0.55f, -0.55f, 0.5499999f, 1e-7f, -1e-7f, 9.0f, -9.0f})
    v.push_back(special);
  return v;
}

TEST(VectorMath, TanhIsAccurateEverywhere) {
  Sweep s = compare(vectorTanh, [](double x) { return std::tanh(x); }, sweep(-20, 20, 40001),
                    1e-5, 1e-7);
  EXPECT_LT(s.maxRelative, 1e-5) << "worst at " << s.worstInput;
}

TEST(VectorMath, TanhIsOddAndSaturates) {
  compare(vectorTanh, [](double x) { return std::tanh(x); }, {-1e6f, -100.0f, 100.0f, 1e6f},
          0, 1e-7);
}

TEST(VectorMath, SigmoidIsAccurateEverywhere) {
  Sweep s = compare(vectorSigmoid, [](double x) { return 1.0 / (1.0 + std::exp(-x)); },
                    sweep(-80, 80, 40001), 1e-5, 1e-30);
  EXPECT_LT(s.maxRelative, 1e-5) << "worst at " << s.worstInput;
  // Far tails: 0 and 1, never NaN.
  compare(vectorSigmoid, [](double x) { return 1.0 / (1.0 + std::exp(-x)); },
          {-1e6f, -200.0f, 200.0f, 1e6f}, 0, 1e-30);
}

TEST(VectorMath, ExpIsAccurateInRange) {
  Sweep s = compare(vectorExp, [](double x) { return std::exp(x); }, sweep(-80, 80, 40001),
                    1e-5, 0);
  EXPECT_LT(s.maxRelative, 1e-5) << "worst at " << s.worstInput;
}

TEST(VectorMath, ExpClampsInsteadOfOverflowing) {
  Halide::Buffer<float> in(4);
  in(0) = -1e6f, in(1) = -200.0f, in(2) = 200.0f, in(3) = 1e6f;
  Halide::Var x;
  Halide::Func g;
  g(x) = vectorExp(in(x));
  Halide::Buffer<float> out = g.realize({4});
  EXPECT_LT(out(0), 1e-37f);
  EXPECT_LT(out(1), 1e-37f);
  EXPECT_TRUE(std::isfinite(out(2)) && out(2) > 1e38f);
  EXPECT_TRUE(std::isfinite(out(3)) && out(3) > 1e38f);
}

} // namespace
} // namespace netc
