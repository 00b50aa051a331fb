#include "compiler/ops/OpHelpers.h"

namespace netc {

std::string describeOperand(const Op &op, size_t i) {
  const Value *v = op.operand(i);
  return (v->isWeight() ? "weight '" : "input '") + v->name() + "' " + v->type().shapeStr();
}

bool expectRank(const TensorType &type, size_t rank, const std::string &what,
                const std::string &layout, std::string &error) {
  if (type.rank() == rank)
    return true;
  error = what + " must have rank " + std::to_string(rank) +
          (layout.empty() ? "" : " (" + layout + ")") + ", found " + type.shapeStr();
  return false;
}

int64_t slidingOutputSize(int64_t input, int64_t kernel, int64_t stride, int64_t padBegin,
                          int64_t padEnd, int64_t dilation, bool ceilMode) {
  // 128-bit arithmetic: attributes come from user text and may be absurd.
  __int128 span = (__int128)dilation * (kernel - 1) + 1;
  __int128 room = (__int128)input + padBegin + padEnd - span;
  if (room < 0)
    return 0;
  __int128 wide = (ceilMode ? (room + stride - 1) / stride : room / stride) + 1;
  if (wide > INT32_MAX)
    return INT32_MAX; // far past anything Halide can index; the verifier rejects it
  int64_t out = (int64_t)wide;
  // With ceil_mode the last window must start inside the input or the begin padding.
  if (ceilMode && (out - 1) * stride >= input + padBegin)
    --out;
  return out;
}

std::vector<int64_t> orDefault(const std::vector<int64_t> &value,
                               const std::vector<int64_t> &fallback) {
  return value.empty() ? fallback : value;
}

} // namespace netc
