// Tensor types of the graph IR: an element type plus a shape whose dims are static
// sizes or a named symbol (the batch dim, usually `N`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace netc {

enum class DType { F32 };

const char *dtypeName(DType type);
std::optional<DType> parseDType(const std::string &name);
size_t dtypeSize(DType type);

/// One dimension: either a static size or a symbol such as `N`.
struct Dim {
  int64_t size = 0;   // meaningful when symbol is empty
  std::string symbol; // non-empty for a symbolic dim

  static Dim of(int64_t n) { return Dim{n, {}}; }
  static Dim sym(std::string name) { return Dim{-1, std::move(name)}; }
  bool isStatic() const { return symbol.empty(); }
  bool operator==(const Dim &o) const { return size == o.size && symbol == o.symbol; }
  bool operator!=(const Dim &o) const { return !(*this == o); }
  std::string str() const;
};

struct TensorType {
  DType dtype = DType::F32;
  std::vector<Dim> dims;

  TensorType() = default;
  TensorType(DType t, std::vector<Dim> d) : dtype(t), dims(std::move(d)) {}

  size_t rank() const { return dims.size(); }
  const Dim &dim(size_t i) const { return dims[i]; }
  bool isStatic() const;
  /// Number of elements per item along the leading dim (the product of dims 1..).
  /// Requires dims 1.. to be static.
  int64_t elementsPerBatchItem() const;
  /// Number of elements with every symbolic dim bound to `batch`.
  int64_t numElements(int64_t batch) const;
  /// The static sizes, with symbolic dims replaced by `batch`.
  std::vector<int64_t> concreteShape(int64_t batch) const;

  bool operator==(const TensorType &o) const { return dtype == o.dtype && dims == o.dims; }
  bool operator!=(const TensorType &o) const { return !(*this == o); }
  /// `f32[N,3,32,32]`
  std::string str() const;
  /// `[N,3,32,32]`
  std::string shapeStr() const;
};

std::string shapeStr(const std::vector<int64_t> &shape);

} // namespace netc
