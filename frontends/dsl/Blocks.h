// The `block` definitions of a model file, checked once where they are written:
//
//   block basic(x, channels, stride=1) {
//     conv1 = conv2d(x, channels, kernel=3, stride=stride, pad=1, bias=false)
//     ...
//     return relu(add(bn2, x))
//   }
//
// Everything that does not depend on the arguments of a call is checked here and
// reported at the definition, once: the block's name and parameters, the names
// its body uses (a block sees only its parameters and its own layers), layer
// types, the `return`, `repeat` counts, and recursion (a block that calls itself,
// directly or through others). What does depend on the arguments (shapes, the
// kinds of parameter values) is checked when the graph builder instantiates the
// block at a call, and reported with a note at that call.
//
// The table also answers the naming question of GraphBuilder: which calls create
// weights, and so are numbered members of a statement (docs/dsl.md, "Names").
#pragma once

#include "frontends/dsl/DslAst.h"
#include "ir/Diagnostics.h"
#include "ir/OpRegistry.h"

#include <llvm/ADT/StringMap.h>

#include <string>
#include <vector>

namespace netc::dsl {

/// What a block parameter receives, as its uses in the body tell: a tensor (an
/// activation input: used as a layer's input, piped, returned), a constant (used as
/// a parameter value or repeat count), or either (unused, or only where both fit).
enum class ParamKind { Any, Tensor, Constant };

/// Blocks nest at most this deep: one calling another, and so on. Deeper
/// chains are rejected where the blocks are defined, before any walk over
/// them could exhaust the stack.
constexpr unsigned kMaxBlockNesting = 64;

struct BlockInfo {
  const ast::BlockDecl *decl = nullptr;
  /// One per parameter (Any while the block is invalid).
  std::vector<ParamKind> paramKinds;
  /// False after a problem in the definition (reported there): calls of the block
  /// then fail quietly.
  bool valid = true;
  /// Some call in the body creates weights (directly or in a nested block).
  bool hasWeights = false;
};

/// How the weights of one statement are named: its members are the calls that
/// create weights. They are numbered (`<layer>.<k>.`) when there are two or more,
/// or when the statement uses `repeat` (whose repetitions always are numbered).
struct MemberCount {
  unsigned count = 0;
  bool forceIndex = false;
  bool indexed() const { return count >= 2 || forceIndex; }
};

class BlockTable {
public:
  /// Checks every block of `model` and reports problems through `diags`.
  BlockTable(const ast::ModelDecl &model, DiagnosticEngine &diags);

  const BlockInfo *lookup(llvm::StringRef name) const;
  /// Block names in definition order.
  const std::vector<std::string> &names() const { return order_; }

  /// `repeat` and `seq` are forms of the language, not names of blocks.
  static bool isReservedName(llvm::StringRef name) { return name == "repeat" || name == "seq"; }

  /// Whether calling `callee` (a layer type or block) creates weights itself.
  bool callCreatesWeights(llvm::StringRef callee) const;
  /// Whether evaluating `expr` creates weights anywhere.
  bool createsWeights(const ast::Expr &expr) const;
  /// Whether the stages of `seq` (not its piped-in input) create weights: a `seq`
  /// is then one member of its statement.
  bool stagesCreateWeights(const ast::SeqExpr &seq) const;
  /// The members of a statement that computes `expr`.
  MemberCount countMembers(const ast::Expr &expr) const;

  /// `basic(x, channels, stride=1)`
  static std::string signature(const ast::BlockDecl &block);

private:
  void checkBody(BlockInfo &info, DiagnosticEngine &diags,
                 const std::vector<std::string> &modelNames);
  /// Reports cycles and chains of calls deeper than kMaxBlockNesting; false if
  /// it found such a chain (then no other walk over the calls may run).
  bool checkRecursion(DiagnosticEngine &diags);
  bool computeHasWeights(BlockInfo &info, llvm::StringMap<int> &state);
  void computeParamKinds(BlockInfo &info, llvm::StringMap<int> &state, DiagnosticEngine &diags);
  void countMembers(const ast::Expr &expr, MemberCount &count) const;

  llvm::StringMap<BlockInfo> blocks_;
  std::vector<std::string> order_;
};

} // namespace netc::dsl
