// The matrices of Winograd's minimal filtering algorithm F(m x m, 3 x 3)
// (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks"): an
// m x m tile of a 3x3 convolution's output from an (m+2) x (m+2) tile of its
// input with (m+2)^2 multiplications per input channel instead of 9 m^2.
//
//   U = G g G^T            (the 3x3 kernel g, transformed once, at compile time)
//   V = B^T d B            (the input tile d)
//   Y = A^T (U .* V) A     (summed over input channels before A^T . A)
//
// Shared by the pass that transforms the weights, the reference kernel and
// the Halide lowering. No Halide here: the passes include it.
#pragma once

#include <cstdint>
#include <vector>

namespace netc {

class AttrMap;

struct WinogradTransform {
  int outputTile = 0; ///< m
  int inputTile = 0;  ///< alpha = m + 2
  /// Row-major: B^T is alpha x alpha, G alpha x 3, A^T m x alpha.
  std::vector<double> inputT, kernel, outputT;
  double bt(int row, int col) const { return inputT[row * inputTile + col]; }
  double g(int row, int col) const { return kernel[row * 3 + col]; }
  double at(int row, int col) const { return outputT[row * inputTile + col]; }
};

/// Transformed weights from which a Winograd conv's schedule takes its
/// weight-heavy order (more than L2 and a share of L3 hold): each weight
/// block goes through the images' transformed input, not each image through
/// the weights. winograd-conv keeps 7x7 outputs for such convs only.
constexpr double kWeightHeavyBytes = 8 << 20;

/// Bytes of a conv's weights transformed by `t` (floats), for `inputs` x
/// `outputs` channels: (m + 2)^2 per 3x3 kernel.
inline double transformedWeightBytes(const WinogradTransform &t, int64_t inputs,
                                     int64_t outputs) {
  return 4.0 * t.inputTile * t.inputTile * inputs * outputs;
}

/// The transform for output tiles of `outputTile` (2); nullptr otherwise.
const WinogradTransform *winogradTransform(int outputTile);

/// Whether the pool of a fused_conv2d with these attributes (`pool`,
/// `pool_kernel`, ...) pools each m x m output tile into one pixel: an
/// unpadded m x m pool of stride m without ceil mode, which a Winograd conv
/// computes from its tiles as they are transformed back.
bool poolsWinogradTiles(const AttrMap &attrs, int outputTile);

} // namespace netc
