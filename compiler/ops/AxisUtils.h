// Axis and index helpers shared by the shape-manipulating ops (reductions,
// concat, transpose, reshape, pad, log_softmax): normalizing negative axes,
// checking that the symbolic batch dim stays first, and row-major strides for
// the reference kernels.
#pragma once

#include "ir/Type.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace netc {

/// `axis` in [-rank, rank) mapped to [0, rank); nullopt with `error` naming the
/// input shape otherwise.
inline std::optional<int> normalizeAxis(int64_t axis, const TensorType &type,
                                        const std::string &what, std::string &error) {
  int64_t rank = (int64_t)type.rank();
  if (axis < -rank || axis >= rank) {
    error = what + " " + std::to_string(axis) + " is out of range for input " + type.shapeStr() +
            " (rank " + std::to_string(rank) + ")";
    return std::nullopt;
  }
  return (int)(axis < 0 ? axis + rank : axis);
}

/// True when dim 0 is the symbolic batch dim (the only dim that may be symbolic).
inline bool hasSymbolicBatch(const TensorType &type) {
  return type.rank() > 0 && !type.dim(0).isStatic();
}

/// Row-major strides (in elements) of a concrete shape.
inline std::vector<int64_t> rowMajorStrides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;)
    strides[d - 1] = strides[d] * shape[d];
  return strides;
}

} // namespace netc
