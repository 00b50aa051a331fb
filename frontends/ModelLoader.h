// Loads a model file with the frontend its extension names: `.nn` (the netc DSL)
// or `.ir` (textual graph IR). The graph is verified before it is returned.
#pragma once

#include "ir/Diagnostics.h"
#include "ir/Graph.h"

#include <memory>
#include <string>

namespace netc {

/// Returns null after reporting errors (unreadable file, syntax, shapes).
std::unique_ptr<Graph> loadModel(const std::string &path, DiagnosticEngine &diags);

/// The model formats loadModel understands, for messages: ".nn, .ir".
const char *supportedModelExtensions();

} // namespace netc
