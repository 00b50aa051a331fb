// Reads the textual graph IR (see Printer.h and docs/ir.md). Errors go to the
// diagnostics engine with file:line:col and a caret.
#pragma once

#include "ir/Diagnostics.h"
#include "ir/Graph.h"

#include <memory>

namespace netc {

/// Parses the IR in buffer `bufferId` of the engine's SourceMgr. Returns null after
/// reporting errors. Result types are taken as written; run the verifier to check them.
std::unique_ptr<Graph> parseGraphIR(unsigned bufferId, DiagnosticEngine &diags);

} // namespace netc
