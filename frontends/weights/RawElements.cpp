#include "frontends/weights/RawElements.h"

#include "ir/Type.h"

#include <llvm/ADT/bit.h>
#include <llvm/Support/Endian.h>

#include <cmath>

namespace netc {

namespace endian = llvm::support::endian;

size_t rawElementSize(RawElement kind) {
  switch (kind) {
  case RawElement::F64:
  case RawElement::I64:
    return 8;
  case RawElement::F32:
  case RawElement::I32:
    return 4;
  case RawElement::F16:
  case RawElement::BF16:
  case RawElement::I16:
    return 2;
  case RawElement::I8:
  case RawElement::U8:
  case RawElement::Bool:
    return 1;
  }
  return 1;
}

std::optional<uint64_t> checkedElementCount(const std::vector<int64_t> &shape, size_t itemSize) {
  // Keep both the count and the byte size below 2^63 so callers can compare them
  // against file sizes and hand them to int64_t-based APIs without overflow.
  const uint64_t limit = uint64_t(1) << 63;
  uint64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0)
      return std::nullopt;
    if (dim != 0 && count > (limit - 1) / uint64_t(dim))
      return std::nullopt;
    count *= uint64_t(dim);
  }
  if (itemSize != 0 && count > (limit - 1) / itemSize)
    return std::nullopt;
  return count;
}

std::string tensorLayoutProblem(const Tensor &t) {
  auto count = checkedElementCount(t.shape, sizeof(float));
  if (!count)
    return "invalid shape " + shapeStr(t.shape);
  if (*count != t.data.size())
    return "shape " + shapeStr(t.shape) + " needs " + std::to_string(*count) +
           " elements but the tensor holds " + std::to_string(t.data.size());
  return {};
}

float halfToFloat(uint16_t bits) {
  uint32_t sign = uint32_t(bits >> 15) << 31;
  uint32_t exponent = (bits >> 10) & 0x1f;
  uint32_t mantissa = bits & 0x3ff;
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24 is exact in float32.
    float magnitude = std::ldexp(float(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 0x1f) // infinity or NaN; keep the NaN payload
    return llvm::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  // Rebias the exponent from 15 to 127.
  return llvm::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

float bfloat16ToFloat(uint16_t bits) {
  // bfloat16 is the upper half of a float32.
  return llvm::bit_cast<float>(uint32_t(bits) << 16);
}

void decodeRawElements(RawElement kind, const char *bytes, uint64_t count, float *out) {
  switch (kind) {
  case RawElement::F32:
    for (uint64_t i = 0; i < count; ++i)
      out[i] = llvm::bit_cast<float>(endian::read32le(bytes + 4 * i));
    return;
  case RawElement::F64:
    for (uint64_t i = 0; i < count; ++i)
      out[i] = float(llvm::bit_cast<double>(endian::read64le(bytes + 8 * i)));
    return;
  case RawElement::F16:
    for (uint64_t i = 0; i < count; ++i)
      out[i] = halfToFloat(endian::read16le(bytes + 2 * i));
    return;
  case RawElement::BF16:
    for (uint64_t i = 0; i < count; ++i)
      out[i] = bfloat16ToFloat(endian::read16le(bytes + 2 * i));
    return;
  case RawElement::I8:
    for (uint64_t i = 0; i < count; ++i)
      out[i] = float(int8_t(bytes[i]));
    return;
  case RawElement::I16:
    for (uint64_t i = 0; i < count; ++i)
      out[i] = float(int16_t(endian::read16le(bytes + 2 * i)));
    return;
  case RawElement::I32:
    for (uint64_t i = 0; i < count; ++i)
      out[i] = float(int32_t(endian::read32le(bytes + 4 * i)));
    return;
  case RawElement::I64:
    for (uint64_t i = 0; i < count; ++i)
      out[i] = float(int64_t(endian::read64le(bytes + 8 * i)));
    return;
  case RawElement::U8:
    for (uint64_t i = 0; i < count; ++i)
      out[i] = float(uint8_t(bytes[i]));
    return;
  case RawElement::Bool:
    // numpy stores booleans as 0/1 bytes; treat any other byte as true like numpy's
    // astype(float) of a reinterpreted buffer would.
    for (uint64_t i = 0; i < count; ++i)
      out[i] = bytes[i] != 0 ? 1.0f : 0.0f;
    return;
  }
}

} // namespace netc
