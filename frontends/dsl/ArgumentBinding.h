// Matches the arguments of a DSL call against the op's signature: which are
// activation inputs, which parameter each constant belongs to, and what each
// constant means once normalized (`kernel=5` is `kernel=[5,5]`).
//
// A call's signature is its op's activation operands followed by its DSL
// parameters, e.g. `conv2d(input, out_channels, kernel, stride=[1,1], ...)`.
// Inputs are always positional; parameters may be positional (after the inputs)
// or named.
#pragma once

#include "frontends/dsl/DslAst.h"
#include "frontends/dsl/DslDiagnostics.h"
#include "ir/OpRegistry.h"

#include <llvm/ADT/STLFunctionalExtras.h>
#include <llvm/ADT/StringRef.h>

#include <optional>
#include <string>
#include <vector>

namespace netc::dsl {

/// The parameters a call may write after its inputs: the op's `dslParams`, or its
/// IR attributes when it declares no DSL parameters.
const std::vector<AttrSpec> &dslParamsOf(const OpDef &def);

/// `dense(input, units, bias=true)`: how the op is called under the name `spelling`.
std::string callSignature(const OpDef &def, llvm::StringRef spelling);

struct BoundArguments {
  /// The activation inputs written inside the parentheses, in operand order. A
  /// piped-in input (`x |> relu`) comes before them and is not listed.
  std::vector<const ast::Expr *> inputs;
  /// Every parameter in declaration order, normalized to its declared kind, with
  /// defaults filled in.
  AttrMap params;
};

/// The constant an argument expression stands for, or null if it computes a
/// tensor: a literal, or inside a block the name of a parameter given a constant.
using ConstantLookup = llvm::function_ref<const Attribute *(const ast::Expr &)>;

/// The value of a literal; null for everything else (the model level's lookup).
const Attribute *literalValue(const ast::Expr &expr);

/// Binds the arguments `args` of `call` (usually all of `call.args`; a repetition
/// of `repeat` leaves out the first) to `def`'s signature. `hasPipedInput` says
/// the first input arrives through `|>`. Optional activation operands (concat's
/// input2..input7) may be left out from the end. Returns nullopt after reporting
/// every problem found at the argument (or, for a missing one, the call) it
/// concerns.
std::optional<BoundArguments> bindArguments(const OpDef &def, const ast::CallExpr &call,
                                            llvm::ArrayRef<ast::Argument> args,
                                            bool hasPipedInput, DslDiagnostics &diags,
                                            ConstantLookup constantOf = literalValue);

/// Converts a constant to the kind `spec` declares, applying the DSL's shorthands:
/// an integer for an integer list of length L repeats it L times (`kernel=5`), a
/// pair for a list of length 4 repeats the pair (`pad=[1,2]` is [1,2,1,2]), and an
/// integer for a number becomes that number. Returns nullopt with `error` set
/// otherwise.
std::optional<Attribute> coerceArgument(const AttrSpec &spec, const Attribute &value,
                                        std::string &error);

} // namespace netc::dsl
