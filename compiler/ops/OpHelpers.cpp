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
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t room = input + padBegin + padEnd - span;
  if (room < 0)
    return 0;
  int64_t out = (ceilMode ? (room + stride - 1) / stride : room / stride) + 1;
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
