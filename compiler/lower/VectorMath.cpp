#include "compiler/lower/VectorMath.h"

namespace netc {

using Halide::Expr;

Expr vectorExp(const Expr &x) {
  // fast_exp is only defined while the result is a normal float.
  return Halide::fast_exp(Halide::clamp(x, -87.0f, 88.0f));
}

Expr vectorTanh(const Expr &x) {
  Expr a = Halide::abs(x);
  // Below 0.55 the series through x^11 is off by less than 2e-6 relative; above
  // it e = exp(-2|x|) <= 0.34, so 1 - e loses nothing to cancellation. Past 9,
  // tanh is 1 in float and exp(-18) keeps fast_exp in range.
  Expr x2 = x * x;
  Expr series =
      x * (1.0f +
           x2 * (-1.0f / 3 +
                 x2 * (2.0f / 15 +
                       x2 * (-17.0f / 315 + x2 * (62.0f / 2835 + x2 * (-1382.0f / 155925))))));
  Expr e = Halide::fast_exp(-2.0f * Halide::min(a, 9.0f));
  Expr magnitude = (1.0f - e) / (1.0f + e);
  return Halide::select(a < 0.55f, series, Halide::select(x < 0.0f, -magnitude, magnitude));
}

Expr vectorSigmoid(const Expr &x) { return 1.0f / (1.0f + vectorExp(-x)); }

} // namespace netc
