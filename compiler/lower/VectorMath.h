// Float math that vectorizes. Halide's exp/tanh on Float(32) become one libm
// call per lane (a LeNet-5 tanh layer spent 95% of its time there); these are
// built from Halide's polynomial fast_exp, with the input range clamped where
// fast_exp would overflow. Relative error stays within a few 1e-6 across the
// range, well inside the 1e-4 the numeric tests allow against the double
// reference.
#pragma once

#include <Halide.h>

namespace netc {

/// exp(x); inputs below -87 give ~0 and above 88 give ~FLT_MAX (never inf/NaN).
Halide::Expr vectorExp(const Halide::Expr &x);

/// tanh(x): an odd Taylor polynomial near 0 (where 1 - e^-2|x| would cancel),
/// (1 - e^-2|x|) / (1 + e^-2|x|) with the sign restored elsewhere.
Halide::Expr vectorTanh(const Halide::Expr &x);

/// 1 / (1 + exp(-x)).
Halide::Expr vectorSigmoid(const Halide::Expr &x);

} // namespace netc
