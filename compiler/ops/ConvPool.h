// The pieces of conv2d and the 2-D pools that fused ops reuse: parameters read
// from attributes, shape rules, reference kernels and Halide algorithms.
#pragma once

#include "compiler/ops/OpHelpers.h"

#include <Halide.h>

namespace netc {

struct LowerContext;

struct ConvParams {
  int64_t strideY, strideX, padTop, padLeft, padBottom, padRight, dilY, dilX, groups;
  /// Reads `stride`, `pad`, `dilation` and `groups`.
  explicit ConvParams(const AttrMap &attrs);
  bool padded() const { return padTop || padLeft || padBottom || padRight; }
};

/// Shape rule of conv2d over operands 0 (input), 1 (weight), 2 (optional bias).
std::optional<TensorType> inferConvType(const Op &op, std::string &error);

void referenceConv(const ConvParams &p, const Tensor &x, const Tensor &w, const Tensor *bias,
                   Tensor &out);

/// The convolution as Halide stages: `conv` (bias, then the reduction over
/// `reduction`) reading `source`, the input with its zero border when padded.
struct ConvStages {
  Halide::Func conv, source;
  Halide::RDom reduction;
  bool padded = false;
};
ConvStages defineConv(const ConvParams &p, Halide::Func input, Halide::Func weight,
                      Halide::Func bias, const TensorType &inputType,
                      const TensorType &weightType);

/// The conv schedule shared by conv2d and fused_conv2d: `result` (the conv, or
/// something computed from it such as activation + pool) becomes the kernel's
/// output, split into tiles of `outputVector` columns × 4 output channels; per
/// tile the conv is computed in registers over `convVector`-wide vectors and
/// the whole reduction (compute_at), parallel over rows × channel blocks × batch.
/// `alignedTiles`: each tile's conv region is a whole number of vectors;
/// otherwise the last partial vector is guarded.
Halide::Func scheduleConvTiles(const LowerContext &ctx, Halide::Func result, ConvStages &stages,
                               int outputVector, int convVector, int channels,
                               bool alignedTiles, const std::string &name);

enum class PoolKind { Max, Avg };

struct PoolParams {
  int64_t kh, kw, sy, sx, pt, pl, pb, pr;
  bool ceilMode = false, countIncludePad = true;
  /// Reads `<prefix>kernel`, `<prefix>stride`, `<prefix>pad`, `<prefix>ceil_mode`
  /// and, if present, `<prefix>count_include_pad`.
  PoolParams(const AttrMap &attrs, const std::string &prefix = "");
};

/// Output type of pooling `in`; nullopt with `error` if the window does not fit.
std::optional<TensorType> poolType(const PoolParams &p, const TensorType &in, std::string &error);

void referencePool(PoolKind kind, const PoolParams &p, const Tensor &x, Tensor &out);

/// Pooling of `input` (an H x W image per channel) as one Halide Func.
Halide::Func definePool(PoolKind kind, const PoolParams &p, Halide::Func input, int height,
                        int width, const std::string &name);

} // namespace netc
