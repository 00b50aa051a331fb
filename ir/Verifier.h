// Structural and type checks of a graph: operands match each op's definition,
// attributes have the declared kinds, values are defined before use, and every
// recorded result type equals what shape inference computes.
#pragma once

#include "ir/Diagnostics.h"

#include "ir/Type.h"

#include <optional>
#include <string>

namespace netc {
class Graph;
class Op;
struct OpDef;
class AttrMap;

/// Puts `attrs` in the definition's order and fills in defaults. Returns false with
/// `error` set if an attribute is unknown, missing, of the wrong kind or length.
bool normalizeAttrs(const OpDef &def, AttrMap &attrs, std::string &error);

/// Checks one op's operands against its definition (count, weight vs activation).
bool checkOperands(const Op &op, std::string &error);

/// Runs the op's shape rule and checks the result stays within the 2^31-1
/// elements per batch item that compiled code can index. Every caller of shape
/// inference (frontends, passes, the verifier) goes through this.
std::optional<TensorType> inferResultType(const Op &op, std::string &error);

/// Reports every problem found; returns true if the graph is valid.
bool verifyGraph(const Graph &graph, DiagnosticEngine &diags);

} // namespace netc
