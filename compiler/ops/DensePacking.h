// The layout of packed dense weights, shared by pack-dense-weights (which
// makes it) and the dense op (its type rule, reference and kernel).
//
// Units come in blocks of B, each block stored [in, B] (one vector of B
// units' weights per input value). A last block that would be 4 or more units
// short of B goes to a tail operand of its own, [in, width] with width the
// remaining units rounded up to 4, so that the zeros padding it to B are not
// streamed on every call: 100 units read 6 blocks of 16 and a tail of 4, 1.23
// MB for 3072 inputs instead of 1.38 MB as 7 blocks.
#pragma once
#include <cstdint>

namespace netc {

/// Units per block of packed dense weights.
constexpr int64_t kDenseWeightBlock = 16;

/// The width of the tail operand of `units` packed by `block`, or 0 when the
/// last block stays a block (no whole block before it, or fewer than 4 units
/// of padding to save).
inline int64_t packedDenseTailWidth(int64_t units, int64_t block) {
  const int64_t rest = block > 0 ? units % block : 0;
  const int64_t width = (rest + 3) / 4 * 4;
  return units > block && rest && width < block ? width : 0;
}

} // namespace netc
