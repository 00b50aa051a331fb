// One definition per op kind: its operands, attributes, shape inference and
// verification, how the DSL spells it, its naive reference kernel and its Halide
// lowering. The definitions live in compiler/ops/, one file per op (or per family);
// everything that needs to know about an op asks this registry.
#pragma once

#include "ir/Attribute.h"
#include "ir/Tensor.h"
#include "ir/Type.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace Halide {
class Func;
}

namespace netc {

class Op;
struct LowerContext; // compiler/lower/LowerContext.h; kept opaque so ir/ needs no Halide.h

struct OperandSpec {
  std::string name;      // "input", "weight", "bias"
  bool isWeight = false; // must be a named constant (`@conv1.weight`); other operands
                         // take activations or constants
  bool optional = false; // may be absent (e.g. a conv without bias)
};

struct AttrSpec {
  std::string name;
  AttrKind kind;
  std::optional<Attribute> defaultValue; // none: required
  int listLength = 0;                    // IntList: required length, 0 = any
  /// The printer leaves the attribute out while it has its default value (for
  /// attributes that only matter in some configurations of an op).
  bool elideIfDefault = false;
};

/// A weight the DSL creates for a layer, named `<layer>.<suffix>`.
struct WeightDecl {
  std::string suffix; // "weight", "bias"
  TensorType type;
};

/// What the DSL parser hands an op definition: the arguments written after the
/// activation inputs, already checked against `dslParams`.
struct DslCall {
  AttrMap args;
  std::vector<TensorType> inputTypes;
};

/// The IR an op definition builds from a DSL call.
struct DslLowering {
  AttrMap attrs;
  std::vector<WeightDecl> weights; // in operand order, after the activation inputs
};

using ShapeFn = std::function<std::optional<TensorType>(const Op &, std::string &error)>;
using DslBuildFn = std::function<bool(const DslCall &, DslLowering &, std::string &error)>;
using ReferenceFn = std::function<void(const Op &, const std::vector<const Tensor *> &, Tensor &)>;
using LowerFn = std::function<Halide::Func(LowerContext &, const Op &)>;

struct OpDef {
  std::string name;                  // IR spelling: "conv2d"
  std::vector<std::string> dslNames; // DSL spellings: {"conv2d", "conv"}; none: the IR name
  /// Made only by passes (fused_conv2d): its operands and attributes are
  /// what a pass knows, so a model cannot write it and it has no DSL names.
  bool madeByPasses = false;
  std::string summary;               // one line for --help and docs
  std::vector<OperandSpec> operands;
  std::vector<AttrSpec> attrs;

  /// Infers the result type from the operands and attributes; on failure returns
  /// nullopt with a message naming the shapes involved.
  ShapeFn inferType;

  /// DSL parameters written after the activation inputs, positionally or by name.
  std::vector<AttrSpec> dslParams;
  /// Maps DSL arguments to IR attributes and weight declarations. Unset: the DSL
  /// arguments are the IR attributes and the op has no weights.
  DslBuildFn buildFromDsl;

  /// Naive, obviously correct kernel: the oracle of every numeric test.
  ReferenceFn reference;
  /// Builds (and, when the context asks for it, schedules) the Halide function
  /// computing the op from its operands' functions.
  LowerFn lower;

  /// True for ops that only reinterpret their input's memory (flatten, reshape,
  /// dropout at inference): code generation aliases the buffer instead of copying.
  bool isView = false;
  /// True for elementwise ops (result[i] depends only on operands[i] at the same
  /// index, after broadcasting). Broadcasting binary ops set it too: a pass or
  /// plan that treats operands as flat arrays must check their shapes are equal.
  bool isElementwise = false;

  /// Set by ops that can read activation operand `index` stored channel-blocked
  /// (see channelBlockOf in ir/Graph.h); unset: the op reads only plain layouts.
  std::function<bool(const Op &, size_t index)> readsChannelBlocked;

  size_t numActivationOperands() const;
  const AttrSpec *findAttr(const std::string &attr) const;
};

class OpRegistry {
public:
  static OpRegistry &get();
  void add(OpDef def);
  const OpDef *lookup(const std::string &irName) const;
  const OpDef *lookupDsl(const std::string &dslName) const;
  const std::vector<std::unique_ptr<OpDef>> &all() const { return defs_; }

private:
  std::vector<std::unique_ptr<OpDef>> defs_;
};

/// Registers every built-in op (compiler/ops/). Idempotent; tools call it once at start-up.
void registerBuiltinOps();

} // namespace netc
