// Hugging Face's .safetensors format: an 8-byte little-endian header length, a JSON
// header mapping tensor names to {dtype, shape, data_offsets}, then the raw
// little-endian tensor bytes.
//
// The reader converts F32, F16, BF16 and F64 (and the integer/bool types PyTorch
// stores in state_dicts, e.g. I64 `num_batches_tracked`) to float32, ignores
// `__metadata__`, and validates every offset against the shape, the dtype and the
// file before touching data. The writer stores float32 tensors in key order.
#pragma once

#include "ir/Diagnostics.h"
#include "ir/Tensor.h"

#include <llvm/ADT/StringRef.h>

#include <map>
#include <string>

namespace netc {

/// Reads every tensor of the .safetensors file at `path`. On success replaces the
/// contents of `out`; on failure reports errors (each naming the tensor) and leaves
/// `out` unchanged.
bool readSafetensors(const std::string &path, std::map<std::string, Tensor> &out,
                     DiagnosticEngine &diags);

/// Like readSafetensors for contents already in memory; `origin` names them.
bool readSafetensorsBytes(llvm::StringRef bytes, const std::string &origin,
                          std::map<std::string, Tensor> &out, DiagnosticEngine &diags);

/// Writes `tensors` to `path` as F32 .safetensors, loadable by safetensors.torch.
bool writeSafetensors(const std::string &path, const std::map<std::string, Tensor> &tensors,
                      DiagnosticEngine &diags);

} // namespace netc
