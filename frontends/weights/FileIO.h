// Internal to netc_weights: whole-file reads and writes that report failures
// (missing file, permissions, disk full) through the DiagnosticEngine.
#pragma once

#include "ir/Diagnostics.h"

#include <llvm/ADT/STLFunctionalExtras.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>

#include <memory>
#include <string>

namespace netc {

/// The contents of `path`, or null after reporting why it could not be read.
std::unique_ptr<llvm::MemoryBuffer> readWholeFile(const std::string &path, DiagnosticEngine &diags);

/// Creates (or truncates) `path` and lets `write` fill it. Returns false after
/// reporting an error if the file cannot be opened or a write fails.
bool writeWholeFile(const std::string &path, DiagnosticEngine &diags,
                    llvm::function_ref<void(llvm::raw_ostream &)> write);

} // namespace netc
