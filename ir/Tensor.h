// A dense, row-major (NCHW for images) f32 tensor in host memory: weights, reference
// interpreter values and .npy contents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace netc {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;

  Tensor() = default;
  explicit Tensor(std::vector<int64_t> s) : shape(std::move(s)), data(countElements(shape)) {}
  Tensor(std::vector<int64_t> s, std::vector<float> d) : shape(std::move(s)), data(std::move(d)) {}

  static int64_t countElements(const std::vector<int64_t> &shape) {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  int64_t numElements() const { return (int64_t)data.size(); }
  size_t rank() const { return shape.size(); }
  float *ptr() { return data.data(); }
  const float *ptr() const { return data.data(); }
};

} // namespace netc
