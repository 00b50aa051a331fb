#include "frontends/dsl/Blocks.h"
#include "frontends/dsl/DidYouMean.h"

#include <llvm/ADT/STLExtras.h>
#include <llvm/ADT/STLFunctionalExtras.h>

#include <functional>
#include <optional>

namespace netc::dsl {

using namespace ast;

namespace {

/// Calls `fn` on every call in `expr`, in evaluation order (arguments and piped
/// inputs before the call that uses them).
void forEachCall(const Expr &expr, llvm::function_ref<void(const CallExpr &)> fn) {
  switch (expr.kind()) {
  case Expr::Kind::Name:
  case Expr::Kind::Literal:
    return;
  case Expr::Kind::Call: {
    const auto &call = llvm::cast<CallExpr>(expr);
    for (const Argument &arg : call.args)
      forEachCall(*arg.value, fn);
    fn(call);
    return;
  }
  case Expr::Kind::Pipe: {
    const auto &pipe = llvm::cast<PipeExpr>(expr);
    forEachCall(*pipe.input, fn);
    forEachCall(*pipe.stage, fn);
    return;
  }
  case Expr::Kind::Repeat: {
    const auto &repeat = llvm::cast<RepeatExpr>(expr);
    if (repeat.input)
      forEachCall(*repeat.input, fn);
    forEachCall(*repeat.count, fn);
    forEachCall(*repeat.stage, fn);
    return;
  }
  case Expr::Kind::Seq: {
    const auto &seq = llvm::cast<SeqExpr>(expr);
    if (seq.input)
      forEachCall(*seq.input, fn);
    for (const auto &stage : seq.stages)
      forEachCall(*stage, fn);
    return;
  }
  }
}

/// The value expressions of a block body's statements.
template <typename Fn> void forEachStatementValue(const BlockDecl &block, Fn fn) {
  for (const auto &stmt : block.body) {
    if (const auto *layer = llvm::dyn_cast<LayerStmt>(stmt.get()))
      fn(*layer->value);
    else if (const auto *ret = llvm::dyn_cast<ReturnStmt>(stmt.get()))
      fn(*ret->value);
  }
}

bool opHasWeights(const OpDef &def) {
  return llvm::any_of(def.operands, [](const OperandSpec &o) { return o.isWeight; });
}

std::vector<std::string> layerTypeNames() {
  std::vector<std::string> types;
  for (const auto &def : OpRegistry::get().all())
    types.insert(types.end(), def->dslNames.begin(), def->dslNames.end());
  return types;
}

/// Checks one block body in order, resolving names the way an instantiation will.
class BodyChecker {
public:
  BodyChecker(const BlockTable &table, const BlockDecl &block, DiagnosticEngine &diags,
              const std::vector<std::string> &modelNames)
      : table_(table), block_(block), diags_(diags), modelNames_(modelNames) {}

  bool check() {
    checkParams();
    for (const auto &stmt : block_.body) {
      if (const auto *layer = llvm::dyn_cast<LayerStmt>(stmt.get()))
        laterLocals_.try_emplace(layer->name, layer->nameRange);
    }
    bool hasReturn = false, sawInvalid = false;
    for (size_t i = 0; i < block_.body.size(); ++i) {
      const Stmt &stmt = *block_.body[i];
      switch (stmt.kind()) {
      case Stmt::Kind::Layer: {
        const auto &layer = llvm::cast<LayerStmt>(stmt);
        checkStatementValue(*layer.value, &layer);
        define(layer.name, layer.nameRange, Kind::Layer);
        break;
      }
      case Stmt::Kind::Return: {
        const auto &ret = llvm::cast<ReturnStmt>(stmt);
        checkStatementValue(*ret.value, nullptr);
        if (i + 1 != block_.body.size())
          error(ret.keywordRange,
                "'return' must be the last statement of block '" + block_.name + "'");
        hasReturn = true;
        break;
      }
      case Stmt::Kind::Invalid: {
        // Reported by the parser; keep uses of the name quiet.
        const auto &invalid = llvm::cast<InvalidStmt>(stmt);
        if (!invalid.definedName.empty() && !scope_.count(invalid.definedName))
          scope_[invalid.definedName] = Name{Kind::Poisoned, invalid.nameRange};
        sawInvalid = true;
        ok_ = false;
        break;
      }
      case Stmt::Kind::Input:
      case Stmt::Kind::Output:
        break; // the parser does not make them in a block
      }
    }
    if (!hasReturn && !sawInvalid)
      error(llvm::SMRange(block_.closeLoc, block_.closeLoc),
            "block '" + block_.name + "' has no 'return'; end it with 'return EXPR'");
    return ok_;
  }

private:
  enum class Kind { Param, Layer, Poisoned };
  struct Name {
    Kind kind;
    llvm::SMRange definedAt;
  };

  void error(llvm::SMRange range, const llvm::Twine &message) {
    diags_.error(range.Start, message, {range});
    ok_ = false;
  }

  void checkParams() {
    const BlockParam *withDefault = nullptr;
    for (const BlockParam &param : block_.params) {
      auto it = scope_.find(param.name);
      if (it != scope_.end()) {
        error(param.nameRange,
              "duplicate parameter '" + param.name + "' in block '" + block_.name + "'");
        diags_.note(it->second.definedAt.Start, "'" + param.name + "' is first declared here");
        continue;
      }
      if (param.defaultValue) {
        withDefault = &param;
      } else if (withDefault) {
        error(param.nameRange, "parameter '" + param.name + "' of block '" + block_.name +
                                   "' needs a default value: it follows '" +
                                   withDefault->name + "', which has one");
      }
      scope_[param.name] = Name{Kind::Param, param.nameRange};
      order_.push_back(param.name);
    }
  }

  void define(const std::string &name, llvm::SMRange range, Kind kind) {
    auto it = scope_.find(name);
    if (it != scope_.end()) {
      error(range, "redefinition of '" + name + "'");
      diags_.note(it->second.definedAt.Start,
                  "'" + name + "' is first defined here" +
                      (it->second.kind == Kind::Param ? " as a parameter" : ""));
      return;
    }
    scope_[name] = Name{kind, range};
    order_.push_back(name);
  }

  /// The value of a local layer (`layer` set) or of `return`.
  void checkStatementValue(const Expr &value, const LayerStmt *layer) {
    checkExpr(value);
    if (llvm::isa<LiteralExpr>(value)) {
      error(value.range(), "expected a layer or a call, found a constant");
    } else if (layer && llvm::isa<NameExpr>(value)) {
      const auto &name = llvm::cast<NameExpr>(value);
      error(name.range(), "layer '" + layer->name + "' must apply a layer type, e.g. '" +
                              layer->name + " = relu(" + name.name + ")'");
    }
  }

  /// Resolves a name used as a tensor or value; returns its kind, or null after an error.
  const Name *resolve(const std::string &name, llvm::SMRange use) {
    auto it = scope_.find(name);
    if (it != scope_.end())
      return &it->second;
    auto later = laterLocals_.find(name);
    if (later != laterLocals_.end()) {
      error(use, "use of layer '" + name + "' before its definition");
      diags_.note(later->second.Start, "'" + name + "' is defined here");
      return nullptr;
    }
    std::vector<std::string> candidates(order_.rbegin(), order_.rend());
    std::string message = "use of undefined name '" + name + "' in block '" + block_.name + "'" +
                          didYouMean(name, candidates);
    if (llvm::is_contained(modelNames_, name))
      message += "; a block sees only its parameters and its own layers";
    else if (OpRegistry::get().lookupDsl(name) || table_.lookup(name))
      message += "; '" + name + "' is a " + (table_.lookup(name) ? "block" : "layer type") +
                 ", call it as " + name + "(...)";
    error(use, message);
    return nullptr;
  }

  void checkCallee(const CallExpr &call) {
    if (OpRegistry::get().lookupDsl(call.callee) || table_.lookup(call.callee))
      return;
    std::string message = "unknown layer type '" + call.callee + "'";
    auto it = scope_.find(call.callee);
    if (it != scope_.end()) {
      message += "; '" + call.callee + "' is a " +
                 (it->second.kind == Kind::Param ? "parameter" : "layer") +
                 ", not a layer type";
    } else {
      std::vector<std::string> candidates = layerTypeNames();
      candidates.insert(candidates.end(), table_.names().begin(), table_.names().end());
      message += didYouMean(call.callee, candidates);
    }
    error(call.calleeRange, message);
  }

  void checkCount(const Expr &count) {
    if (const auto *literal = llvm::dyn_cast<LiteralExpr>(&count)) {
      if (literal->value.kind() != AttrKind::Int || literal->value.asInt() < 1)
        error(count.range(), "repeat count must be a positive integer, found " +
                                 literal->value.str());
      return;
    }
    if (const auto *name = llvm::dyn_cast<NameExpr>(&count)) {
      const Name *resolved = resolve(name->name, name->range());
      if (resolved && resolved->kind == Kind::Layer)
        error(count.range(), "repeat count must be an integer or a parameter of block '" +
                                 block_.name + "', found layer '" + name->name + "'");
      return;
    }
    error(count.range(),
          "repeat count must be an integer or a parameter of block '" + block_.name + "'");
  }

  void checkExpr(const Expr &expr) {
    switch (expr.kind()) {
    case Expr::Kind::Name: {
      const auto &name = llvm::cast<NameExpr>(expr);
      resolve(name.name, name.range());
      return;
    }
    case Expr::Kind::Literal:
      return;
    case Expr::Kind::Call: {
      const auto &call = llvm::cast<CallExpr>(expr);
      checkCallee(call);
      for (const Argument &arg : call.args)
        checkExpr(*arg.value);
      return;
    }
    case Expr::Kind::Pipe: {
      const auto &pipe = llvm::cast<PipeExpr>(expr);
      checkExpr(*pipe.input);
      checkExpr(*pipe.stage);
      return;
    }
    case Expr::Kind::Repeat: {
      const auto &repeat = llvm::cast<RepeatExpr>(expr);
      if (repeat.input)
        checkExpr(*repeat.input);
      checkCount(*repeat.count);
      checkExpr(*repeat.stage);
      return;
    }
    case Expr::Kind::Seq: {
      const auto &seq = llvm::cast<SeqExpr>(expr);
      if (seq.input)
        checkExpr(*seq.input);
      for (const auto &stage : seq.stages)
        checkExpr(*stage);
      return;
    }
    }
  }

  const BlockTable &table_;
  const BlockDecl &block_;
  DiagnosticEngine &diags_;
  const std::vector<std::string> &modelNames_;
  llvm::StringMap<Name> scope_;
  std::vector<std::string> order_;
  llvm::StringMap<llvm::SMRange> laterLocals_;
  bool ok_ = true;
};

/// Infers what each parameter of a block receives from where the body uses it:
/// the input positions of layer types (the leading positional arguments), value
/// positions (the rest, named arguments, repeat counts), the parameters of
/// called blocks (whose kinds are known first), and chains and returns.
class ParamKindInference {
public:
  using KindOfBlockParam = llvm::function_ref<ParamKind(const std::string &block, size_t param)>;
  using BlockParamIndex = llvm::function_ref<std::optional<size_t>(const std::string &block,
                                                                   const std::string &name)>;

  ParamKindInference(const BlockDecl &block, DiagnosticEngine &diags, KindOfBlockParam kindOf,
                     BlockParamIndex indexOf)
      : block_(block), diags_(diags), kindOf_(kindOf), indexOf_(indexOf),
        uses_(block.params.size()) {}

  /// The kinds, or nullopt after reporting a parameter used both ways.
  std::optional<std::vector<ParamKind>> infer() {
    for (size_t i = 0; i < block_.params.size(); ++i)
      index_[block_.params[i].name] = i;
    // Local layers shadow nothing (redefinitions are errors), so a name that is a
    // parameter is one everywhere in the body.
    for (const auto &stmt : block_.body) {
      if (const auto *layer = llvm::dyn_cast<LayerStmt>(stmt.get()))
        use(*layer->value, ParamKind::Tensor);
      else if (const auto *ret = llvm::dyn_cast<ReturnStmt>(stmt.get()))
        use(*ret->value, ParamKind::Tensor);
    }
    std::vector<ParamKind> kinds(block_.params.size(), ParamKind::Any);
    bool ok = true;
    for (size_t i = 0; i < block_.params.size(); ++i) {
      const Uses &u = uses_[i];
      const BlockParam &param = block_.params[i];
      if (u.asTensor && u.asConstant) {
        diags_.error(u.asTensor->Start,
                     "parameter '" + param.name + "' of block '" + block_.name +
                         "' is used as a layer here, but as a constant elsewhere",
                     {*u.asTensor});
        diags_.note(u.asConstant->Start, "used as a constant here");
        ok = false;
      } else if (u.asTensor && param.defaultValue) {
        diags_.error(param.defaultValue->loc(),
                     "parameter '" + param.name + "' of block '" + block_.name +
                         "' is used as a layer, so its default cannot be a constant",
                     {param.defaultValue->range()});
        ok = false;
      } else {
        kinds[i] = u.asTensor ? ParamKind::Tensor
                   : u.asConstant ? ParamKind::Constant
                                  : ParamKind::Any;
      }
    }
    if (!ok)
      return std::nullopt;
    return kinds;
  }

private:
  struct Uses {
    std::optional<llvm::SMRange> asTensor, asConstant;
  };

  void use(const Expr &expr, ParamKind kind) {
    switch (expr.kind()) {
    case Expr::Kind::Name: {
      const auto &name = llvm::cast<NameExpr>(expr);
      auto it = index_.find(name.name);
      if (it == index_.end() || kind == ParamKind::Any)
        return;
      Uses &u = uses_[it->second];
      std::optional<llvm::SMRange> &first = kind == ParamKind::Tensor ? u.asTensor : u.asConstant;
      if (!first)
        first = name.range();
      return;
    }
    case Expr::Kind::Literal:
      return;
    case Expr::Kind::Call:
      useCall(llvm::cast<CallExpr>(expr), /*piped=*/false);
      return;
    case Expr::Kind::Pipe: {
      const auto &pipe = llvm::cast<PipeExpr>(expr);
      use(*pipe.input, ParamKind::Tensor);
      useStage(*pipe.stage, /*piped=*/true);
      return;
    }
    case Expr::Kind::Repeat:
    case Expr::Kind::Seq:
      useStage(expr, /*piped=*/false);
      return;
    }
  }

  void useStage(const Expr &stage, bool piped) {
    if (const auto *call = llvm::dyn_cast<CallExpr>(&stage)) {
      useCall(*call, piped);
    } else if (const auto *repeat = llvm::dyn_cast<RepeatExpr>(&stage)) {
      if (repeat->input)
        use(*repeat->input, ParamKind::Tensor);
      use(*repeat->count, ParamKind::Constant);
      useStage(*repeat->stage, piped || repeat->input);
    } else if (const auto *seq = llvm::dyn_cast<SeqExpr>(&stage)) {
      if (seq->input)
        use(*seq->input, ParamKind::Tensor);
      for (size_t i = 0; i < seq->stages.size(); ++i)
        useStage(*seq->stages[i], i > 0 || piped || seq->input);
    }
  }

  void useCall(const CallExpr &call, bool piped) {
    size_t skip = piped ? 1 : 0;
    if (const OpDef *def = OpRegistry::get().lookupDsl(call.callee)) {
      size_t maxInputs = def->numActivationOperands(), required = 0;
      for (const OperandSpec &operand : def->operands)
        required += !operand.isWeight && !operand.optional;
      size_t position = skip;
      for (const Argument &arg : call.args) {
        ParamKind kind = ParamKind::Constant;
        if (!arg.isNamed()) {
          kind = position < required    ? ParamKind::Tensor
                 : position < maxInputs ? ParamKind::Any
                                        : ParamKind::Constant;
          ++position;
        }
        use(*arg.value, kind);
      }
      return;
    }
    // A block (or an unknown callee, reported elsewhere: Any).
    size_t position = skip;
    for (const Argument &arg : call.args) {
      std::optional<size_t> param =
          arg.isNamed() ? indexOf_(call.callee, arg.name) : std::optional<size_t>(position++);
      use(*arg.value, param ? kindOf_(call.callee, *param) : ParamKind::Any);
    }
  }

  const BlockDecl &block_;
  DiagnosticEngine &diags_;
  KindOfBlockParam kindOf_;
  BlockParamIndex indexOf_;
  llvm::StringMap<size_t> index_;
  std::vector<Uses> uses_;
};

} // namespace

BlockTable::BlockTable(const ModelDecl &model, DiagnosticEngine &diags) {
  std::vector<std::string> modelNames;
  for (const auto &stmt : model.body) {
    if (const auto *layer = llvm::dyn_cast<LayerStmt>(stmt.get()))
      modelNames.push_back(layer->name);
    else if (const auto *input = llvm::dyn_cast<InputStmt>(stmt.get()))
      modelNames.push_back(input->name);
  }

  // Register every block first (bodies may call blocks defined after them),
  // then report and check them in source order.
  std::vector<const BlockDecl *> rejected;
  for (const auto &block : model.blocks) {
    if (isReservedName(block->name) || OpRegistry::get().lookupDsl(block->name) ||
        blocks_.count(block->name)) {
      rejected.push_back(block.get());
      continue;
    }
    BlockInfo info;
    info.decl = block.get();
    info.valid = block->headerValid;
    blocks_[block->name] = info;
    order_.push_back(block->name);
  }
  for (const auto &block : model.blocks) {
    if (!llvm::is_contained(rejected, block.get())) {
      BlockInfo &info = blocks_[block->name];
      if (info.valid)
        info.valid = BodyChecker(*this, *block, diags, modelNames).check();
      continue;
    }
    if (isReservedName(block->name)) {
      diags.error(block->nameRange.Start,
                  "'" + block->name + "' is a form of the language and cannot name a block",
                  {block->nameRange});
    } else if (OpRegistry::get().lookupDsl(block->name)) {
      diags.error(block->nameRange.Start,
                  "block '" + block->name + "' has the name of a layer type; choose another",
                  {block->nameRange});
    } else {
      diags.error(block->nameRange.Start, "redefinition of block '" + block->name + "'",
                  {block->nameRange});
      diags.note(blocks_[block->name].decl->nameRange.Start,
                 "block '" + block->name + "' is first defined here");
    }
  }
  if (!checkRecursion(diags)) {
    for (auto &entry : blocks_) {
      entry.second.valid = false;
      entry.second.paramKinds.assign(entry.second.decl->params.size(), ParamKind::Any);
    }
    return;
  }
  llvm::StringMap<int> state;
  for (const std::string &name : order_)
    computeHasWeights(blocks_[name], state);
  llvm::StringMap<int> kindState;
  for (const std::string &name : order_)
    computeParamKinds(blocks_[name], kindState, diags);
}

void BlockTable::computeParamKinds(BlockInfo &info, llvm::StringMap<int> &state,
                                   DiagnosticEngine &diags) {
  const BlockDecl &block = *info.decl;
  if (state.lookup(block.name) != 0)
    return; // done, or a cycle (reported)
  state[block.name] = 1;
  info.paramKinds.assign(block.params.size(), ParamKind::Any);
  if (!info.valid) {
    state[block.name] = 2;
    return;
  }
  // The blocks it calls first: their kinds decide what an argument passed on is.
  forEachStatementValue(block, [&](const Expr &value) {
    forEachCall(value, [&](const CallExpr &call) {
      auto it = blocks_.find(call.callee);
      if (it != blocks_.end() && state.lookup(call.callee) == 0)
        computeParamKinds(it->second, state, diags);
    });
  });
  auto kindOf = [&](const std::string &callee, size_t param) {
    const BlockInfo *called = lookup(callee);
    return called && param < called->paramKinds.size() ? called->paramKinds[param]
                                                       : ParamKind::Any;
  };
  auto indexOf = [&](const std::string &callee,
                     const std::string &name) -> std::optional<size_t> {
    const BlockInfo *called = lookup(callee);
    if (!called)
      return std::nullopt;
    for (size_t i = 0; i < called->decl->params.size(); ++i)
      if (called->decl->params[i].name == name)
        return i;
    return std::nullopt;
  };
  std::optional<std::vector<ParamKind>> kinds =
      ParamKindInference(block, diags, kindOf, indexOf).infer();
  if (kinds)
    info.paramKinds = std::move(*kinds);
  else
    info.valid = false;
  state[block.name] = 2;
}

const BlockInfo *BlockTable::lookup(llvm::StringRef name) const {
  auto it = blocks_.find(name);
  return it == blocks_.end() ? nullptr : &it->second;
}

bool BlockTable::checkRecursion(DiagnosticEngine &diags) {
  // Depth-first search over "block calls block"; an edge back to a block on the
  // stack closes a cycle, reported at that call. The search itself stops at
  // the nesting limit, so that a chain of thousands of blocks cannot exhaust
  // the stack.
  llvm::StringMap<int> state; // 0 new, 1 on the stack, 2 done
  std::vector<std::string> stack;
  bool tooDeep = false;
  std::function<void(const std::string &)> visit = [&](const std::string &name) {
    state[name] = 1;
    stack.push_back(name);
    forEachStatementValue(*blocks_[name].decl, [&](const Expr &value) {
      forEachCall(value, [&](const CallExpr &call) {
        if (!blocks_.count(call.callee))
          return;
        int calleeState = state.lookup(call.callee);
        if (calleeState == 0) {
          if (stack.size() >= kMaxBlockNesting) {
            if (!tooDeep)
              diags.error(call.calleeRange.Start,
                          "blocks nest more than " + std::to_string(kMaxBlockNesting) +
                              " deep: '" + stack.front() + "' calls '" + call.callee +
                              "' through " + std::to_string(stack.size() - 1) + " other blocks",
                          {call.calleeRange});
            tooDeep = true;
            return;
          }
          visit(call.callee);
          return;
        }
        if (calleeState != 1)
          return;
        auto first = llvm::find(stack, call.callee);
        std::string path;
        for (auto it = first; it != stack.end(); ++it) {
          path += *it + " -> ";
          blocks_[*it].valid = false;
        }
        path += call.callee;
        std::string message =
            call.callee == name
                ? "block '" + name + "' calls itself; blocks cannot be recursive"
                : "recursive call of block '" + call.callee + "' (" + path +
                      "); blocks cannot be recursive";
        diags.error(call.calleeRange.Start, message, {call.calleeRange});
      });
    });
    stack.pop_back();
    state[name] = 2;
  };
  for (const std::string &name : order_)
    if (state.lookup(name) == 0)
      visit(name);
  return !tooDeep;
}

bool BlockTable::computeHasWeights(BlockInfo &info, llvm::StringMap<int> &state) {
  const std::string &name = info.decl->name;
  if (state.lookup(name) != 0)
    return info.hasWeights; // done, or a cycle (already reported)
  state[name] = 1;
  bool weights = false;
  forEachStatementValue(*info.decl, [&](const Expr &value) {
    forEachCall(value, [&](const CallExpr &call) {
      if (const OpDef *def = OpRegistry::get().lookupDsl(call.callee))
        weights |= opHasWeights(*def);
      else if (blocks_.count(call.callee))
        weights |= computeHasWeights(blocks_[call.callee], state);
    });
  });
  info.hasWeights = weights;
  state[name] = 2;
  return weights;
}

bool BlockTable::callCreatesWeights(llvm::StringRef callee) const {
  if (const OpDef *def = OpRegistry::get().lookupDsl(callee.str()))
    return opHasWeights(*def);
  if (const BlockInfo *info = lookup(callee))
    return info->hasWeights;
  return false;
}

bool BlockTable::createsWeights(const Expr &expr) const {
  bool weights = false;
  forEachCall(expr, [&](const CallExpr &call) { weights |= callCreatesWeights(call.callee); });
  return weights;
}

bool BlockTable::stagesCreateWeights(const SeqExpr &seq) const {
  return llvm::any_of(seq.stages, [&](const auto &stage) { return createsWeights(*stage); });
}

MemberCount BlockTable::countMembers(const Expr &expr) const {
  MemberCount count;
  countMembers(expr, count);
  return count;
}

void BlockTable::countMembers(const Expr &expr, MemberCount &count) const {
  switch (expr.kind()) {
  case Expr::Kind::Name:
  case Expr::Kind::Literal:
    return;
  case Expr::Kind::Call: {
    const auto &call = llvm::cast<CallExpr>(expr);
    for (const Argument &arg : call.args)
      countMembers(*arg.value, count);
    count.count += callCreatesWeights(call.callee);
    return;
  }
  case Expr::Kind::Pipe: {
    const auto &pipe = llvm::cast<PipeExpr>(expr);
    countMembers(*pipe.input, count);
    countMembers(*pipe.stage, count);
    return;
  }
  case Expr::Kind::Repeat: {
    // Repetitions are members of the statement itself, always numbered.
    const auto &repeat = llvm::cast<RepeatExpr>(expr);
    if (repeat.input)
      countMembers(*repeat.input, count);
    countMembers(*repeat.stage, count);
    count.forceIndex = true;
    return;
  }
  case Expr::Kind::Seq: {
    // A seq is one member; its stages are numbered inside it.
    const auto &seq = llvm::cast<SeqExpr>(expr);
    if (seq.input)
      countMembers(*seq.input, count);
    count.count += stagesCreateWeights(seq);
    return;
  }
  }
}

std::string BlockTable::signature(const BlockDecl &block) {
  std::string s = block.name + "(";
  for (size_t i = 0; i < block.params.size(); ++i) {
    const BlockParam &param = block.params[i];
    s += (i ? ", " : "") + param.name;
    if (param.defaultValue)
      s += "=" + param.defaultValue->value.str();
  }
  return s + ")";
}

} // namespace netc::dsl
