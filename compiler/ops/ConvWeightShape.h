// The shape a conv weight stands for, whatever layout the passes stored it in.
// Kept free of Halide.h: tools that only count a model's work include it.
#pragma once

#include "ir/Type.h"

#include <cstdint>

namespace netc {

/// Output channels, input channels per group and kernel size of a conv weight
/// in any of its layouts: OIHW, packed [O/B, I, KH, KW, B] (`weightBlock` B),
/// or Winograd-transformed [O/B, m+2, m+2, I, B] (`winogradTile` m), which still
/// stands for a 3x3 kernel.
struct ConvWeightShape {
  int64_t outChannels, perGroup, kh, kw;
  ConvWeightShape(const TensorType &weight, int64_t weightBlock, int64_t winogradTile = 0);
};

} // namespace netc
