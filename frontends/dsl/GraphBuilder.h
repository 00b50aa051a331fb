// Gives a parsed model file its meaning: checks the block definitions (Blocks.h),
// resolves layer names and layer types, binds call arguments, instantiates each
// block call in a scope of its own, lets each op build its attributes and
// weights, infers every result type and assembles the graph.
#pragma once

#include "frontends/dsl/DslAst.h"
#include "ir/Diagnostics.h"
#include "ir/Graph.h"

#include <memory>

namespace netc::dsl {

/// Builds the graph of `model`. Each statement that fails is reported and its
/// name is marked poisoned, so later statements using it stay quiet and the rest
/// of the model is still checked. Returns null if any error was reported.
///
/// Naming: a layer's final value is named after the layer (`conv1`); values made
/// along the way are `<layer>.<type>` (`conv1.relu`, made unique). Weights are
/// `<layer>.<suffix>` (`conv1.weight`) when one call of the statement creates
/// weights, else (and always with `repeat`) `<layer>.<k>.<suffix>` with k counting
/// those calls in evaluation order. A block call counted so names its layers
/// below the same prefix (`layer1.0.conv1.weight`); `seq` numbers its stages by
/// position (`features.2.weight`). docs/dsl.md has the full rules.
std::unique_ptr<Graph> buildGraph(const ast::ModelDecl &model, DiagnosticEngine &diags);

} // namespace netc::dsl
