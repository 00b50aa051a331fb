// NumPy's .npy format: one array per file.
//
// The reader accepts format versions 1.0, 2.0 and 3.0 and the little-endian dtypes
// numpy writes for real-valued data (<f4 <f8 <f2 <i4 <i8 |u1 |b1), converting every
// element to float32. Fortran-ordered arrays are transposed to C order, so the
// resulting Tensor is always row-major. The writer produces `<f4`, C order, format
// 1.0 (2.0 only if the header would not fit), which every numpy version reads.
//
// Malformed input is reported through the DiagnosticEngine as `origin: error: ...`;
// nothing is thrown and nothing asserts on file contents.
#pragma once

#include "ir/Diagnostics.h"
#include "ir/Tensor.h"

#include <llvm/ADT/StringRef.h>

#include <string>

namespace netc {

/// Reads the .npy file at `path` into `out`. On failure reports an error naming
/// `path`, leaves `out` unchanged and returns false.
bool readNpy(const std::string &path, Tensor &out, DiagnosticEngine &diags);

/// Parses .npy contents held in memory (e.g. an entry of an .npz archive).
/// `origin` names the source in diagnostics.
bool readNpyBytes(llvm::StringRef bytes, const std::string &origin, Tensor &out,
                  DiagnosticEngine &diags);

/// Writes `t` to `path` as a little-endian float32 .npy file.
bool writeNpy(const std::string &path, const Tensor &t, DiagnosticEngine &diags);

/// The complete .npy encoding of `t`. `t.data` must hold exactly as many elements
/// as `t.shape` describes (writeNpy checks this and reports a mismatch).
std::string npyBytes(const Tensor &t);

} // namespace netc
