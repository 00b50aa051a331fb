// Internal to netc_weights: the element encodings weight files use on disk and
// their conversion to the float32 a Tensor holds. Shared by the .npy and
// .safetensors readers so both convert (and size-check) identically.
#pragma once

#include <cstddef> // before ir/Tensor.h, which uses size_t without including it
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/Tensor.h"

namespace netc {

/// A little-endian element encoding (single-byte encodings have no byte order).
enum class RawElement { F32, F64, F16, BF16, I8, I16, I32, I64, U8, Bool };

size_t rawElementSize(RawElement kind);

/// Number of elements of `shape`, or nullopt if a dim is negative or the count
/// (or its size in bytes at `itemSize`) does not fit in 63 bits.
std::optional<uint64_t> checkedElementCount(const std::vector<int64_t> &shape, size_t itemSize);

/// Why `t` cannot be written to a weight file (a negative or oversized shape, or
/// data whose length does not match the shape); empty if it can.
std::string tensorLayoutProblem(const Tensor &t);

/// Converts `count` elements stored at `bytes` (which must hold
/// count * rawElementSize(kind) bytes; no alignment needed) to float32.
void decodeRawElements(RawElement kind, const char *bytes, uint64_t count, float *out);

/// IEEE 754 binary16 and bfloat16 bit patterns to float32 (exact conversions).
float halfToFloat(uint16_t bits);
float bfloat16ToFloat(uint16_t bits);

} // namespace netc
