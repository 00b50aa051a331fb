// Which convs pack-conv-weights can pack by their channel counts alone. Shared
// with fuse-conv, which fuses an overlapping pool (3x3/2) only into a conv that
// will be packed: the packed schedule computes the rows that neighbouring
// windows share once per strip, the OIHW one recomputes them in every tile.
#pragma once
#include <cstdint>
#include <string>

namespace netc {

class Op;

/// Output channels per block of packed conv weights.
constexpr int64_t kConvWeightBlock = 16;

/// Whether the output channels of `conv` (conv2d or fused_conv2d with OIHW
/// weights) come in whole blocks within each group, and it is not depthwise.
/// If not, `why` says why in words that finish "... keeps OIHW weights: ".
bool convChannelsPackable(const Op &conv, std::string *why = nullptr);

} // namespace netc
