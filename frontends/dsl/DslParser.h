// The netc model language: a model file written by a person at a keyboard, read
// into the graph IR. The language is described in docs/dsl.md:
//
//   # The ConvNetJS CIFAR-10 network
//   model cifar10 {
//     input image: f32[N, 3, 32, 32]
//     conv1 = conv2d(image, 16, kernel=5, pad=2) |> relu |> maxpool(2)
//     fc    = dense(flatten(conv1), 10)
//     output probs = softmax(fc)
//   }
//
// Reusable groups of layers are `block`s, called like layer types:
//
//   block basic(x, channels) {
//     conv1 = conv2d(x, channels, kernel=3, pad=1, bias=false)
//     return relu(add(batchnorm(conv1), x))
//   }
//   layer1 = basic(image, 64) |> basic(64)    # weights layer1.0.conv1.weight, ...
//
// Layer types are the ops of the OpRegistry under their DSL names; register them
// (registerBuiltinOps()) before parsing. Weights are created with their shapes but
// no data (`conv1.weight`, `conv1.bias`); bind data afterwards.
//
// Reading happens in two steps, each usable on its own: parseModelAst() checks
// the syntax and returns the tree of DslAst.h; buildGraph() (GraphBuilder.h)
// checks the blocks, resolves names and layer types, instantiates blocks, checks
// arguments and shapes, and builds the graph.
#pragma once

#include "ir/Diagnostics.h"
#include "ir/Graph.h"

#include <memory>

namespace netc {

namespace dsl::ast {
struct ModelDecl;
} // namespace dsl::ast

/// Reads the model in buffer `bufferId` of the engine's SourceMgr. Every problem is
/// reported as `file:line:col: error: ...` with the source line and a caret; the
/// reader recovers at statement level, so one run reports many errors. Returns null
/// if any error was reported.
std::unique_ptr<Graph> parseModelDsl(unsigned bufferId, DiagnosticEngine &diags);

namespace dsl {

/// The syntax-only step. Statements with syntax errors are reported and kept as
/// ast::InvalidStmt. Returns null only when there is no model to speak of (the
/// `model NAME {` header is missing or broken).
std::unique_ptr<ast::ModelDecl> parseModelAst(unsigned bufferId, DiagnosticEngine &diags);

} // namespace dsl
} // namespace netc
