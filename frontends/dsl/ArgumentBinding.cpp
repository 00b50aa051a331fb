#include "frontends/dsl/ArgumentBinding.h"
#include "frontends/dsl/DidYouMean.h"

#include <llvm/ADT/StringExtras.h>

namespace netc::dsl {

const std::vector<AttrSpec> &dslParamsOf(const OpDef &def) {
  return def.dslParams.empty() ? def.attrs : def.dslParams;
}

const Attribute *literalValue(const ast::Expr &expr) {
  if (const auto *literal = llvm::dyn_cast<ast::LiteralExpr>(&expr))
    return &literal->value;
  return nullptr;
}

std::string callSignature(const OpDef &def, llvm::StringRef spelling) {
  std::string s = spelling.str() + "(";
  bool first = true;
  auto separate = [&] {
    if (!first)
      s += ", ";
    first = false;
  };
  for (const OperandSpec &operand : def.operands)
    if (!operand.isWeight) {
      separate();
      s += operand.name;
    }
  for (const AttrSpec &param : dslParamsOf(def)) {
    separate();
    s += param.name;
    if (param.defaultValue)
      s += "=" + param.defaultValue->str();
  }
  return s + ")";
}

/// What a parameter accepts, phrased to follow "expects".
static std::string expectedKind(const AttrSpec &spec) {
  switch (spec.kind) {
  case AttrKind::Int:
    return "an integer";
  case AttrKind::Float:
    return "a number";
  case AttrKind::Bool:
    return "true or false";
  case AttrKind::String:
    return "a string";
  case AttrKind::IntList:
    if (spec.listLength == 0)
      return "a list of integers";
    if (spec.listLength == 4)
      return "4 integers, a pair or one for all";
    return std::to_string(spec.listLength) + " integers or one for all";
  }
  return "a value";
}

std::optional<Attribute> coerceArgument(const AttrSpec &spec, const Attribute &value,
                                        std::string &error) {
  AttrKind given = value.kind();
  if (given == spec.kind) {
    if (spec.kind != AttrKind::IntList || spec.listLength == 0)
      return value;
    const std::vector<int64_t> &list = value.asInts();
    if ((int)list.size() == spec.listLength)
      return value;
    // `pad=[1,2]` means [top,left] = [bottom,right] = [1,2].
    if (spec.listLength == 4 && list.size() == 2)
      return Attribute::ofInts({list[0], list[1], list[0], list[1]});
  } else if (spec.kind == AttrKind::IntList && given == AttrKind::Int) {
    return Attribute::ofInts(
        std::vector<int64_t>(spec.listLength ? spec.listLength : 1, value.asInt()));
  } else if (spec.kind == AttrKind::Float && given == AttrKind::Int) {
    return Attribute::ofFloat((double)value.asInt());
  }
  error = "expects " + expectedKind(spec) + ", found " + value.str();
  return std::nullopt;
}

static std::string plural(size_t n, const char *noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

/// How a non-constant argument reads in a message.
static std::string describeNonConstant(const ast::Expr &expr) {
  if (const auto *name = llvm::dyn_cast<ast::NameExpr>(&expr))
    return "'" + name->name + "'";
  if (const auto *call = llvm::dyn_cast<ast::CallExpr>(&expr))
    return "a call to '" + call->callee + "'";
  return "a chain of layers";
}

namespace {

/// Binds one call; collects errors rather than stopping at the first, so a call
/// with two bad arguments reports both.
class ArgumentBinder {
public:
  ArgumentBinder(const OpDef &def, const ast::CallExpr &call, llvm::ArrayRef<ast::Argument> args,
                 bool hasPipedInput, DslDiagnostics &diags, ConstantLookup constantOf)
      : def_(def), call_(call), args_(args), hasPipedInput_(hasPipedInput), diags_(diags),
        constantOf_(constantOf), params_(dslParamsOf(def)), given_(params_.size()) {}

  std::optional<BoundArguments> bind() {
    size_t numInputs = def_.numActivationOperands(), requiredInputs = 0;
    for (const OperandSpec &operand : def_.operands)
      requiredInputs += !operand.isWeight && !operand.optional;
    if (hasPipedInput_ && numInputs == 0) {
      errorAtCall("'" + call_.callee + "' takes no inputs, so it cannot follow '|>'");
      return std::nullopt;
    }
    size_t piped = hasPipedInput_ ? 1 : 0;
    size_t maxWritten = numInputs - piped;
    size_t minWritten = requiredInputs > piped ? requiredInputs - piped : 0;

    std::vector<const ast::Argument *> positional, named;
    for (const ast::Argument &arg : args_)
      (arg.isNamed() ? named : positional).push_back(&arg);

    // Inputs come first and are never constants; a constant where an input belongs
    // means an input is missing.
    BoundArguments bound;
    for (const ast::Argument *arg : positional) {
      if (bound.inputs.size() == maxWritten || constantOf_(*arg->value))
        break;
      bound.inputs.push_back(arg->value.get());
    }
    if (bound.inputs.size() < minWritten) {
      size_t found = bound.inputs.size() + piped;
      std::string expected = requiredInputs == numInputs
                                 ? plural(numInputs, "input")
                                 : std::to_string(requiredInputs) + " to " +
                                       plural(numInputs, "input");
      errorAtCall("'" + call_.callee + "' expects " + expected + ", found " +
                  std::to_string(found) + usage());
      return std::nullopt;
    }

    size_t writtenInputs = bound.inputs.size();
    for (size_t i = writtenInputs; i < positional.size(); ++i) {
      size_t param = i - writtenInputs;
      if (param >= params_.size()) {
        error(positional[i]->range(), "too many arguments for '" + call_.callee + "'" + usage());
        break;
      }
      assign(param, *positional[i]);
    }
    for (const ast::Argument *arg : named) {
      if (std::optional<size_t> param = findParam(*arg))
        assign(*param, *arg);
    }
    if (failed_)
      return std::nullopt;

    std::vector<std::string> missing;
    for (size_t i = 0; i < params_.size(); ++i) {
      const AttrSpec &spec = params_[i];
      if (given_[i].value)
        bound.params.set(spec.name, *given_[i].value);
      else if (spec.defaultValue)
        bound.params.set(spec.name, *spec.defaultValue);
      else
        missing.push_back("'" + spec.name + "'");
    }
    if (!missing.empty()) {
      errorAtCall("'" + call_.callee + "' requires " +
                  (missing.size() == 1 ? "parameter " : "parameters ") +
                  llvm::join(missing, ", ") + usage());
      return std::nullopt;
    }
    return bound;
  }

private:
  struct Given {
    std::optional<Attribute> value;
    const ast::Argument *arg = nullptr;
  };

  std::string usage() const { return " (usage: " + callSignature(def_, call_.callee) + ")"; }

  void error(llvm::SMRange range, const std::string &message) {
    diags_.error(range.Start, message, {range});
    failed_ = true;
  }
  void errorAtCall(const std::string &message) {
    diags_.error(call_.loc(), message, {call_.range()});
    failed_ = true;
  }

  std::optional<size_t> findParam(const ast::Argument &arg) {
    for (size_t i = 0; i < params_.size(); ++i)
      if (params_[i].name == arg.name)
        return i;
    std::vector<std::string> names;
    for (const AttrSpec &spec : params_)
      names.push_back(spec.name);
    std::string message = "'" + call_.callee + "' has no parameter '" + arg.name + "'";
    if (names.empty()) {
      message += "; it takes none";
    } else {
      std::string match = closestMatch(arg.name, names);
      if (!match.empty())
        message += "; did you mean '" + match + "'?";
      message += " (parameters: " + llvm::join(names, ", ") + ")";
    }
    error(arg.nameRange, message);
    return std::nullopt;
  }

  void assign(size_t param, const ast::Argument &arg) {
    const AttrSpec &spec = params_[param];
    std::string subject = "parameter '" + spec.name + "' of '" + call_.callee + "'";
    if (given_[param].arg) {
      error(arg.range(), subject + " is given twice");
      diags_.note(given_[param].arg->range().Start, "first given here");
      return;
    }
    given_[param].arg = &arg;
    const Attribute *constant = constantOf_(*arg.value);
    if (!constant) {
      error(arg.value->range(), subject + " expects " + expectedKind(spec) + ", found " +
                                    describeNonConstant(*arg.value) + usage());
      return;
    }
    std::string why;
    given_[param].value = coerceArgument(spec, *constant, why);
    if (!given_[param].value)
      error(arg.value->range(), subject + " " + why);
  }

  const OpDef &def_;
  const ast::CallExpr &call_;
  llvm::ArrayRef<ast::Argument> args_;
  bool hasPipedInput_;
  DslDiagnostics &diags_;
  ConstantLookup constantOf_;
  const std::vector<AttrSpec> &params_;
  std::vector<Given> given_;
  bool failed_ = false;
};

} // namespace

std::optional<BoundArguments> bindArguments(const OpDef &def, const ast::CallExpr &call,
                                            llvm::ArrayRef<ast::Argument> args,
                                            bool hasPipedInput, DslDiagnostics &diags,
                                            ConstantLookup constantOf) {
  return ArgumentBinder(def, call, args, hasPipedInput, diags, constantOf).bind();
}

} // namespace netc::dsl
