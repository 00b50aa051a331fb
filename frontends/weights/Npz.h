// NumPy's .npz format: a ZIP archive of .npy files, one per named array, as written
// by numpy.savez (stored entries) and numpy.savez_compressed (deflated entries).
//
// The reader walks the ZIP central directory itself, including ZIP64 records (numpy
// always writes ZIP64 local headers), inflates deflated entries with zlib and
// verifies every CRC-32. Each entry `name.npy` becomes the tensor `name`.
// Problems with the archive are reported as `archive.npz: error: ...`, problems
// with one entry as `archive.npz(name.npy): error: ...`; all entries are checked
// before giving up so one run shows every broken entry.
#pragma once

#include "ir/Diagnostics.h"
#include "ir/Tensor.h"

#include <llvm/ADT/StringRef.h>

#include <map>
#include <string>

namespace netc {

/// Reads every array of the .npz archive at `path`. On success replaces the
/// contents of `out`; on failure reports errors and leaves `out` unchanged.
bool readNpz(const std::string &path, std::map<std::string, Tensor> &out, DiagnosticEngine &diags);

/// Like readNpz for an archive already in memory; `origin` names it in diagnostics.
bool readNpzBytes(llvm::StringRef bytes, const std::string &origin,
                  std::map<std::string, Tensor> &out, DiagnosticEngine &diags);

/// Writes `tensors` to `path` as an uncompressed .npz (entries `key.npy`, float32),
/// loadable with numpy.load. Uses ZIP64 records only where sizes require them.
bool writeNpz(const std::string &path, const std::map<std::string, Tensor> &tensors,
              DiagnosticEngine &diags);

} // namespace netc
