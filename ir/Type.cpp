#include "ir/Type.h"

namespace netc {

const char *dtypeName(DType type) {
  switch (type) {
  case DType::F32:
    return "f32";
  }
  return "?";
}

std::optional<DType> parseDType(const std::string &name) {
  if (name == "f32")
    return DType::F32;
  return std::nullopt;
}

size_t dtypeSize(DType type) {
  switch (type) {
  case DType::F32:
    return 4;
  }
  return 0;
}

std::string Dim::str() const { return isStatic() ? std::to_string(size) : symbol; }

bool TensorType::isStatic() const {
  for (const Dim &d : dims)
    if (!d.isStatic())
      return false;
  return true;
}

// Products saturate at INT64_MAX rather than overflow: shapes come from user text.
static int64_t saturatingProduct(int64_t a, int64_t b) {
  __int128 p = (__int128)a * b;
  return p > INT64_MAX ? INT64_MAX : (int64_t)p;
}

int64_t TensorType::elementsPerBatchItem() const {
  int64_t n = 1;
  for (size_t i = 1; i < dims.size(); ++i)
    n = saturatingProduct(n, dims[i].size);
  return n;
}

int64_t TensorType::numElements(int64_t batch) const {
  int64_t n = 1;
  for (const Dim &d : dims)
    n = saturatingProduct(n, d.isStatic() ? d.size : batch);
  return n;
}

std::vector<int64_t> TensorType::concreteShape(int64_t batch) const {
  std::vector<int64_t> shape;
  for (const Dim &d : dims)
    shape.push_back(d.isStatic() ? d.size : batch);
  return shape;
}

std::string TensorType::shapeStr() const {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i)
      s += ",";
    s += dims[i].str();
  }
  return s + "]";
}

std::string TensorType::str() const { return std::string(dtypeName(dtype)) + shapeStr(); }

std::string shapeStr(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

} // namespace netc
