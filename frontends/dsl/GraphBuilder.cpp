#include "frontends/dsl/GraphBuilder.h"
#include "frontends/dsl/ArgumentBinding.h"
#include "frontends/dsl/Blocks.h"
#include "frontends/dsl/DidYouMean.h"
#include "frontends/dsl/DslDiagnostics.h"
#include "ir/OpRegistry.h"
#include "ir/Verifier.h"

#include <llvm/ADT/SmallPtrSet.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/ADT/StringMap.h>

namespace netc::dsl {
namespace {

using namespace ast;

/// Layers a model may have: far more than any network needs, and few enough
/// that building and naming them stays fast (naming scans the graph) and that
/// a runaway repeat(...) ends in an error rather than a hang.
constexpr int64_t kMaxLayers = 20000;

class GraphBuilder {
public:
  GraphBuilder(const ModelDecl &model, DiagnosticEngine &diags)
      : model_(model), engine_(diags), diags_(diags) {}

  std::unique_ptr<Graph> build();

private:
  /// What a name refers to. A null value means the statement that defined the
  /// name failed (and was reported): uses of it fail silently.
  struct Binding {
    Value *value = nullptr;
    llvm::SMRange definedAt;
  };

  /// The names visible to the statement being built: the model's inputs and
  /// layers, or inside one instance of a block, its parameters and local layers.
  struct Scope {
    const BlockInfo *block = nullptr; // null for the model
    std::string instance;             // `layer1.0`: the prefix of the block's names
    llvm::StringMap<Binding> tensors;
    llvm::StringMap<Attribute> constants; // parameters given a constant
    llvm::SmallPtrSet<Value *, 16> localValues;
  };

  /// How the statement being evaluated names what it creates (docs/dsl.md,
  /// "Names"): intermediate values `<layer>.<callee>`, the final value
  /// `finalName`, and weights `<layer>.<suffix>` or, when its members are
  /// numbered, `<layer>.<k>.<suffix>`. A block instance gets the prefix a member
  /// gets, and names its layers below it.
  struct Naming {
    std::string layer;
    std::string finalName;
    bool finalUnique = false; // make finalName unique (inside blocks and seqs)
    bool indexed = false;
    unsigned nextMember = 0;
  };

  void buildInput(const InputStmt &stmt);
  void buildLayer(const LayerStmt &stmt);
  void buildOutput(const OutputStmt &stmt);
  std::optional<TensorType> resolveType(const TypeSpec &spec);

  /// Reports a redefinition of `name` and returns false if it is already bound.
  bool checkNotDefined(const std::string &name, llvm::SMRange range);
  void bind(const std::string &name, Value *value, llvm::SMRange range);
  const Binding *lookup(const std::string &name, llvm::SMRange use);
  void reportUndefined(const std::string &name, llvm::SMRange use);
  void reportUnknownLayerType(const CallExpr &call);
  bool inBlock() const { return scope_->block != nullptr; }
  /// The constant `expr` stands for in the current scope, or null.
  const Attribute *constantOf(const Expr &expr) const;

  Naming namingFor(const std::string &layer, const std::string &finalName, bool finalUnique,
                   const Expr &value) const {
    Naming naming;
    naming.layer = layer;
    naming.finalName = finalName;
    naming.finalUnique = finalUnique;
    naming.indexed = blocks_->countMembers(value).indexed();
    return naming;
  }
  /// The prefix of the next member of the current statement.
  std::string takeMemberPrefix() {
    unsigned k = statement_.nextMember++;
    return statement_.indexed ? statement_.layer + "." + std::to_string(k) : statement_.layer;
  }
  /// The name of a call's result: the statement's final name, or `<layer>.<callee>`.
  std::string resultName(bool isFinal, const std::string &callee) const {
    if (!isFinal)
      return graph_->uniqueName(statement_.layer + "." + callee);
    return statement_.finalUnique ? graph_->uniqueName(statement_.finalName)
                                  : statement_.finalName;
  }

  /// Evaluates `expr` to the value it computes; null after an error (reported, or
  /// silent for a poisoned name). `isFinal` marks the statement's outermost call,
  /// whose result carries the statement's final name.
  Value *evaluate(const Expr &expr, bool isFinal);
  /// A chain stage (a call, `repeat` or `seq`) applied to `pipedInput` (null when
  /// the stage is written with its inputs).
  Value *evaluateStage(const Expr &stage, Value *pipedInput, bool isFinal);
  Value *evaluateCall(const CallExpr &call, llvm::ArrayRef<Argument> args, Value *pipedInput,
                      bool isFinal);
  Value *evaluateOpCall(const OpDef &def, const CallExpr &call, llvm::ArrayRef<Argument> args,
                        Value *pipedInput, bool isFinal);
  Value *evaluateRepeat(const RepeatExpr &repeat, Value *pipedInput, bool isFinal);
  Value *evaluateSeq(const SeqExpr &seq, Value *pipedInput, bool isFinal);
  std::optional<int64_t> repeatCount(const RepeatExpr &repeat);
  bool addWeights(const OpDef &def, const CallExpr &call, const std::string &prefix,
                  const std::vector<WeightDecl> &decls, std::vector<Value *> &operands);

  /// Calls block `info`: binds the arguments to its parameters and builds its body
  /// in a new scope.
  Value *instantiate(const BlockInfo &info, const CallExpr &call, llvm::ArrayRef<Argument> args,
                     Value *pipedInput, bool isFinal);
  void errorAtCall(const CallExpr &call, const llvm::Twine &message) {
    diags_.error(call.loc(), message, {call.range()});
  }

  const ModelDecl &model_;
  DiagnosticEngine &engine_;
  DslDiagnostics diags_;
  std::unique_ptr<BlockTable> blocks_;
  std::unique_ptr<Graph> graph_;
  Scope modelScope_;
  Scope *scope_ = &modelScope_;
  unsigned instanceDepth_ = 0;
  std::vector<std::string> definitionOrder_;
  /// Where each name is first defined anywhere in the model, to explain uses
  /// that come before the definition.
  llvm::StringMap<llvm::SMRange> allDefinitions_;
  /// The symbol of the batch dim (`N`) and the input that introduced it.
  std::string batchSymbol_;
  std::string batchSymbolInput_;
  Naming statement_;
};

std::unique_ptr<Graph> GraphBuilder::build() {
  unsigned errorsBefore = engine_.errorCount();
  graph_ = std::make_unique<Graph>(model_.name);
  blocks_ = std::make_unique<BlockTable>(model_, engine_);

  for (const auto &stmt : model_.body) {
    if (const auto *layer = llvm::dyn_cast<LayerStmt>(stmt.get()))
      allDefinitions_.try_emplace(layer->name, layer->nameRange);
    else if (const auto *input = llvm::dyn_cast<InputStmt>(stmt.get()))
      allDefinitions_.try_emplace(input->name, input->nameRange);
  }

  bool hasOutputStatement = false;
  for (const auto &stmt : model_.body) {
    switch (stmt->kind()) {
    case Stmt::Kind::Input:
      buildInput(llvm::cast<InputStmt>(*stmt));
      break;
    case Stmt::Kind::Layer: {
      const auto &layer = llvm::cast<LayerStmt>(*stmt);
      hasOutputStatement |= layer.isOutput;
      buildLayer(layer);
      break;
    }
    case Stmt::Kind::Output:
      hasOutputStatement = true;
      buildOutput(llvm::cast<OutputStmt>(*stmt));
      break;
    case Stmt::Kind::Return:
      break; // the parser makes them only in blocks
    case Stmt::Kind::Invalid: {
      // The syntax error is reported; keep later uses of the name quiet.
      const auto &invalid = llvm::cast<InvalidStmt>(*stmt);
      if (!invalid.definedName.empty() && !modelScope_.tensors.count(invalid.definedName))
        bind(invalid.definedName, nullptr, invalid.nameRange);
      hasOutputStatement = true; // it may have been one; don't guess
      break;
    }
    }
  }
  diags_.flush();
  if (!hasOutputStatement)
    diags_.error(model_.nameRange.Start,
                 "model '" + model_.name +
                     "' has no outputs; mark one with 'output NAME' or 'output NAME = ...'",
                 {model_.nameRange});

  if (engine_.errorCount() != errorsBefore)
    return nullptr;
  return std::move(graph_);
}

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

bool GraphBuilder::checkNotDefined(const std::string &name, llvm::SMRange range) {
  auto it = scope_->tensors.find(name);
  if (it == scope_->tensors.end())
    return true;
  diags_.error(range.Start, "redefinition of '" + name + "'", {range});
  diags_.note(it->second.definedAt.Start, "'" + name + "' is first defined here");
  return false;
}

void GraphBuilder::bind(const std::string &name, Value *value, llvm::SMRange range) {
  scope_->tensors[name] = Binding{value, range};
  if (!inBlock())
    definitionOrder_.push_back(name);
}

const GraphBuilder::Binding *GraphBuilder::lookup(const std::string &name, llvm::SMRange use) {
  auto it = scope_->tensors.find(name);
  if (it != scope_->tensors.end())
    return &it->second;
  if (inBlock()) {
    auto constant = scope_->constants.find(name);
    if (constant != scope_->constants.end()) {
      diags_.error(use.Start,
                   "parameter '" + name + "' of block '" + scope_->block->decl->name +
                       "' is the constant " + constant->second.str() +
                       " here, but is used as a layer",
                   {use});
      return nullptr;
    }
  }
  reportUndefined(name, use);
  return nullptr;
}

void GraphBuilder::reportUndefined(const std::string &name, llvm::SMRange use) {
  if (inBlock()) {
    // The block table checked the body's names; only a broken block gets here.
    diags_.error(use.Start, "use of undefined name '" + name + "'", {use});
    return;
  }
  auto later = allDefinitions_.find(name);
  if (later != allDefinitions_.end()) {
    diags_.error(use.Start, "use of layer '" + name + "' before its definition", {use});
    diags_.note(later->second.Start, "'" + name + "' is defined here");
    return;
  }
  // Prefer the most recent definition among equally close names: `conv4` after
  // conv1..conv3 most likely means conv3.
  std::vector<std::string> candidates(definitionOrder_.rbegin(), definitionOrder_.rend());
  std::string message = "use of undefined layer '" + name + "'" + didYouMean(name, candidates);
  if (OpRegistry::get().lookupDsl(name))
    message += "; '" + name + "' is a layer type, call it as " + name + "(...)";
  else if (blocks_->lookup(name))
    message += "; '" + name + "' is a block, call it as " + name + "(...)";
  diags_.error(use.Start, message, {use});
}

void GraphBuilder::reportUnknownLayerType(const CallExpr &call) {
  std::string message = "unknown layer type '" + call.callee + "'";
  const OpDef *irOnly = OpRegistry::get().lookup(call.callee);
  if (irOnly && irOnly->madeByPasses) {
    message += "; '" + call.callee +
               "' exists only in the IR, made by a pass out of the layers it fuses: write "
               "those layers";
  } else if (scope_->tensors.count(call.callee)) {
    message += "; '" + call.callee + "' is a layer, not a layer type";
  } else {
    std::vector<std::string> types;
    for (const auto &def : OpRegistry::get().all())
      types.insert(types.end(), def->dslNames.begin(), def->dslNames.end());
    types.insert(types.end(), blocks_->names().begin(), blocks_->names().end());
    message += didYouMean(call.callee, types);
  }
  diags_.error(call.calleeRange.Start, message, {call.calleeRange});
}

const Attribute *GraphBuilder::constantOf(const Expr &expr) const {
  if (const Attribute *literal = literalValue(expr))
    return literal;
  if (const auto *name = llvm::dyn_cast<NameExpr>(&expr)) {
    auto it = scope_->constants.find(name->name);
    if (it != scope_->constants.end())
      return &it->second;
  }
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

void GraphBuilder::buildInput(const InputStmt &stmt) {
  if (!checkNotDefined(stmt.name, stmt.nameRange))
    return;
  std::optional<TensorType> type = resolveType(stmt.type);
  if (type && !type->dims.empty() && !type->dims[0].isStatic() && batchSymbol_.empty()) {
    batchSymbol_ = type->dims[0].symbol;
    batchSymbolInput_ = stmt.name;
  }
  Value *value = type ? graph_->addInput(stmt.name, *type, stmt.nameRange.Start) : nullptr;
  bind(stmt.name, value, stmt.nameRange);
}

std::optional<TensorType> GraphBuilder::resolveType(const TypeSpec &spec) {
  TensorType type;
  if (!spec.dtype.empty()) {
    std::optional<DType> dtype = parseDType(spec.dtype);
    if (!dtype) {
      diags_.error(spec.dtypeRange.Start,
                   "unknown element type '" + spec.dtype + "' (netc supports f32)",
                   {spec.dtypeRange});
      return std::nullopt;
    }
    type.dtype = *dtype;
  }
  if (spec.dims.empty()) {
    diags_.error(spec.range.Start, "an input needs at least one dimension", {spec.range});
    return std::nullopt;
  }
  for (size_t i = 0; i < spec.dims.size(); ++i) {
    const DimSpec &dim = spec.dims[i];
    if (dim.symbol.empty()) {
      if (dim.size <= 0) {
        diags_.error(dim.range.Start,
                     "dimension sizes must be positive, found " + std::to_string(dim.size),
                     {dim.range});
        return std::nullopt;
      }
      type.dims.push_back(Dim::of(dim.size));
      continue;
    }
    // Ops need static channel and spatial sizes; only the batch may vary.
    if (i != 0) {
      diags_.error(dim.range.Start,
                   "only the leading (batch) dimension may be a symbol, found '" + dim.symbol +
                       "'",
                   {dim.range});
      return std::nullopt;
    }
    if (!batchSymbol_.empty() && dim.symbol != batchSymbol_) {
      diags_.error(dim.range.Start,
                   "batch dimension '" + dim.symbol + "' differs from '" + batchSymbol_ +
                       "' of input '" + batchSymbolInput_ + "'; inputs share one batch size",
                   {dim.range});
      return std::nullopt;
    }
    type.dims.push_back(Dim::sym(dim.symbol));
  }
  return type;
}

void GraphBuilder::buildLayer(const LayerStmt &stmt) {
  if (!checkNotDefined(stmt.name, stmt.nameRange))
    return;
  statement_ = namingFor(stmt.name, stmt.name, /*finalUnique=*/false, *stmt.value);
  Value *value = evaluate(*stmt.value, /*isFinal=*/true);
  bind(stmt.name, value, stmt.nameRange);
  if (value && stmt.isOutput)
    graph_->addOutput(value);
}

void GraphBuilder::buildOutput(const OutputStmt &stmt) {
  const Binding *binding = lookup(stmt.name, stmt.nameRange);
  if (!binding || !binding->value)
    return;
  if (graph_->isOutput(binding->value)) {
    diags_.error(stmt.nameRange.Start, "'" + stmt.name + "' is already an output",
                 {stmt.nameRange});
    return;
  }
  graph_->addOutput(binding->value);
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

Value *GraphBuilder::evaluate(const Expr &expr, bool isFinal) {
  switch (expr.kind()) {
  case Expr::Kind::Name: {
    const auto &name = llvm::cast<NameExpr>(expr);
    const Binding *binding = lookup(name.name, name.range());
    if (binding && isFinal && !inBlock()) {
      // `y = x` would only rename x; graph values have one name each.
      diags_.error(name.loc(),
                   "layer '" + statement_.layer + "' must apply a layer type, e.g. '" +
                       statement_.layer + " = relu(" + name.name + ")'",
                   {name.range()});
      return nullptr;
    }
    return binding ? binding->value : nullptr;
  }
  case Expr::Kind::Literal:
    diags_.error(expr.loc(), "expected a layer or a call, found a constant", {expr.range()});
    return nullptr;
  case Expr::Kind::Call: {
    const auto &call = llvm::cast<CallExpr>(expr);
    return evaluateCall(call, call.args, nullptr, isFinal);
  }
  case Expr::Kind::Pipe: {
    const auto &pipe = llvm::cast<PipeExpr>(expr);
    Value *input = evaluate(*pipe.input, /*isFinal=*/false);
    if (!input)
      return nullptr;
    return evaluateStage(*pipe.stage, input, isFinal);
  }
  case Expr::Kind::Repeat:
    return evaluateRepeat(llvm::cast<RepeatExpr>(expr), nullptr, isFinal);
  case Expr::Kind::Seq:
    return evaluateSeq(llvm::cast<SeqExpr>(expr), nullptr, isFinal);
  }
  return nullptr;
}

Value *GraphBuilder::evaluateStage(const Expr &stage, Value *pipedInput, bool isFinal) {
  if (const auto *call = llvm::dyn_cast<CallExpr>(&stage))
    return evaluateCall(*call, call->args, pipedInput, isFinal);
  if (const auto *repeat = llvm::dyn_cast<RepeatExpr>(&stage))
    return evaluateRepeat(*repeat, pipedInput, isFinal);
  if (const auto *seq = llvm::dyn_cast<SeqExpr>(&stage))
    return evaluateSeq(*seq, pipedInput, isFinal);
  return evaluate(stage, isFinal);
}

Value *GraphBuilder::evaluateCall(const CallExpr &call, llvm::ArrayRef<Argument> args,
                                  Value *pipedInput, bool isFinal) {
  if (const OpDef *def = OpRegistry::get().lookupDsl(call.callee))
    return evaluateOpCall(*def, call, args, pipedInput, isFinal);
  if (const BlockInfo *block = blocks_->lookup(call.callee))
    return instantiate(*block, call, args, pipedInput, isFinal);
  reportUnknownLayerType(call);
  return nullptr;
}

Value *GraphBuilder::evaluateOpCall(const OpDef &def, const CallExpr &call,
                                    llvm::ArrayRef<Argument> args, Value *pipedInput,
                                    bool isFinal) {
  std::optional<BoundArguments> bound =
      bindArguments(def, call, args, pipedInput != nullptr, diags_,
                    [this](const Expr &expr) { return constantOf(expr); });
  if (!bound)
    return nullptr;

  std::vector<Value *> inputs;
  if (pipedInput)
    inputs.push_back(pipedInput);
  for (const Expr *expr : bound->inputs) {
    Value *input = evaluate(*expr, /*isFinal=*/false);
    if (!input)
      return nullptr;
    inputs.push_back(input);
  }

  DslCall dslCall;
  dslCall.args = bound->params;
  for (Value *input : inputs)
    dslCall.inputTypes.push_back(input->type());
  DslLowering lowering;
  std::string error;
  if (def.buildFromDsl) {
    if (!def.buildFromDsl(dslCall, lowering, error)) {
      errorAtCall(call, call.callee + ": " + error);
      return nullptr;
    }
  } else {
    lowering.attrs = bound->params;
  }
  if (!normalizeAttrs(def, lowering.attrs, error)) {
    errorAtCall(call, call.callee + ": " + error);
    return nullptr;
  }

  // Activations fill the activation operand slots in order (optional ones left
  // out from the end stay null); weights go to the slot of the operand they are
  // named after; absent optional operands stay null.
  std::vector<Value *> operands(def.operands.size(), nullptr);
  auto nextInput = inputs.begin();
  for (size_t i = 0; i < def.operands.size() && nextInput != inputs.end(); ++i)
    if (!def.operands[i].isWeight)
      operands[i] = *nextInput++;
  if (blocks_->callCreatesWeights(call.callee)) {
    std::string prefix = takeMemberPrefix();
    if (!addWeights(def, call, prefix, lowering.weights, operands))
      return nullptr;
  }

  if (graph_->numOps() >= (size_t)kMaxLayers) {
    errorAtCall(call, "the model has more than " + std::to_string(kMaxLayers) + " layers");
    return nullptr;
  }
  // Shape inference reads every required operand; a layer type whose
  // weights the DSL does not create cannot be called.
  for (size_t i = 0; i < def.operands.size(); ++i)
    if (!operands[i] && !def.operands[i].optional) {
      errorAtCall(call, "layer type '" + call.callee + "' needs its " +
                            (def.operands[i].isWeight ? "weight '" : "operand '") +
                            def.operands[i].name + "', which a model cannot give it");
      return nullptr;
    }
  Op *op = graph_->addOp(def, operands, std::move(lowering.attrs),
                         resultName(isFinal, call.callee), TensorType{}, call.loc());
  if (!def.inferType) {
    errorAtCall(call, "layer type '" + call.callee + "' has no shape inference");
    return nullptr;
  }
  std::optional<TensorType> type = inferResultType(*op, error);
  if (!type) {
    errorAtCall(call, call.callee + ": " + error);
    return nullptr;
  }
  op->result()->setType(*type);
  return op->result();
}

bool GraphBuilder::addWeights(const OpDef &def, const CallExpr &call, const std::string &prefix,
                              const std::vector<WeightDecl> &decls,
                              std::vector<Value *> &operands) {
  for (const WeightDecl &decl : decls) {
    size_t slot = 0;
    while (slot < def.operands.size() &&
           !(def.operands[slot].isWeight && def.operands[slot].name == decl.suffix))
      ++slot;
    if (slot == def.operands.size() || operands[slot]) {
      errorAtCall(call, "layer type '" + call.callee + "' declares weight '" + decl.suffix +
                            "', which is not one of its weight operands");
      return false;
    }
    std::string name = prefix + "." + decl.suffix;
    if (graph_->findWeight(name)) {
      errorAtCall(call, "weight '" + name + "' is already defined; rename a layer");
      return false;
    }
    operands[slot] = graph_->addWeight(name, decl.type, call.loc());
  }
  return true;
}

//===----------------------------------------------------------------------===//
// repeat and seq
//===----------------------------------------------------------------------===//

std::optional<int64_t> GraphBuilder::repeatCount(const RepeatExpr &repeat) {
  const Attribute *count = constantOf(*repeat.count);
  if (!count) {
    if (inBlock())
      return std::nullopt; // a broken block; the block table reported it
    const auto *name = llvm::dyn_cast<NameExpr>(repeat.count.get());
    diags_.error(repeat.count->loc(),
                 "repeat count must be a positive integer" +
                     (name ? ", found layer '" + name->name + "'" : std::string()),
                 {repeat.count->range()});
    return std::nullopt;
  }
  if (count->kind() != AttrKind::Int || count->asInt() < 1) {
    diags_.error(repeat.count->loc(), "repeat count must be a positive integer, found " +
                                          count->str(),
                 {repeat.count->range()});
    return std::nullopt;
  }
  if (count->asInt() > kMaxLayers) {
    diags_.error(repeat.count->loc(),
                 "repeat count " + count->str() + " is larger than a model may have layers (" +
                     std::to_string(kMaxLayers) + ")",
                 {repeat.count->range()});
    return std::nullopt;
  }
  return count->asInt();
}

Value *GraphBuilder::evaluateRepeat(const RepeatExpr &repeat, Value *pipedInput, bool isFinal) {
  if (repeat.input) {
    pipedInput = evaluate(*repeat.input, /*isFinal=*/false);
    if (!pipedInput)
      return nullptr;
  }
  std::optional<int64_t> count = repeatCount(repeat);
  if (!count)
    return nullptr;
  // Without a piped input the first repetition is written with its input, and
  // the later ones take the previous result in its place.
  const auto *call = llvm::dyn_cast<CallExpr>(repeat.stage.get());
  if (!pipedInput &&
      (!call || call->args.empty() || call->args.front().isNamed() ||
       constantOf(*call->args.front().value))) {
    diags_.error(repeat.stage->loc(),
                 "the stage of 'repeat' needs its input as the first argument, e.g. "
                 "'repeat(2, basic(x, 64))', or write 'x |> repeat(...)'",
                 {repeat.stage->range()});
    return nullptr;
  }
  bool written = !pipedInput;
  Value *value = pipedInput;
  for (int64_t i = 0; i < *count; ++i) {
    bool final = isFinal && i + 1 == *count;
    if (!written)
      value = evaluateStage(*repeat.stage, value, final);
    else if (i == 0)
      value = evaluateCall(*call, call->args, nullptr, final);
    else
      value = evaluateCall(*call, llvm::makeArrayRef(call->args).drop_front(), value, final);
    if (!value)
      return nullptr;
  }
  return value;
}

Value *GraphBuilder::evaluateSeq(const SeqExpr &seq, Value *pipedInput, bool isFinal) {
  if (seq.input) {
    pipedInput = evaluate(*seq.input, /*isFinal=*/false);
    if (!pipedInput)
      return nullptr;
  }
  if (!pipedInput && !llvm::isa<CallExpr>(*seq.stages.front())) {
    diags_.error(seq.stages.front()->loc(),
                 "the first stage of 'seq' needs its input, e.g. 'seq(conv2d(x, 64, kernel=1), "
                 "batchnorm)', or write 'x |> seq(...)'",
                 {seq.stages.front()->range()});
    return nullptr;
  }
  std::string prefix = blocks_->stagesCreateWeights(seq) ? takeMemberPrefix()
                                                         : statement_.layer + ".seq";
  std::string finalName = isFinal ? statement_.finalName : statement_.layer + ".seq";
  bool finalUnique = isFinal ? statement_.finalUnique : true;

  // Stage i is a statement of its own named `<prefix>.<i>`.
  Naming outer = statement_;
  Value *value = pipedInput;
  for (size_t i = 0; i < seq.stages.size(); ++i) {
    const Expr &stage = *seq.stages[i];
    bool last = i + 1 == seq.stages.size();
    std::string layer = prefix + "." + std::to_string(i);
    statement_ = namingFor(layer, last ? finalName : layer, last ? finalUnique : true, stage);
    value = evaluateStage(stage, value, /*isFinal=*/true);
    if (!value)
      break;
  }
  statement_ = outer;
  return value;
}

//===----------------------------------------------------------------------===//
// Blocks
//===----------------------------------------------------------------------===//

Value *GraphBuilder::instantiate(const BlockInfo &info, const CallExpr &call,
                                 llvm::ArrayRef<Argument> args, Value *pipedInput,
                                 bool isFinal) {
  if (!info.valid)
    return nullptr; // reported at the definition
  const BlockDecl &block = *info.decl;
  // The block table rejects deeper chains where the blocks are defined.
  if (instanceDepth_ >= kMaxBlockNesting) {
    errorAtCall(call, "blocks nest more than " + std::to_string(kMaxBlockNesting) + " deep");
    return nullptr;
  }
  std::string usage = " (usage: " + BlockTable::signature(block) + ")";

  // Match the arguments to the parameters; a piped input is the first.
  std::vector<const Argument *> given(block.params.size(), nullptr);
  bool failed = false;
  size_t next = 0;
  if (pipedInput) {
    if (block.params.empty()) {
      errorAtCall(call, "block '" + block.name + "' takes no parameters, so it cannot follow '|>'");
      return nullptr;
    }
    next = 1;
  }
  for (const Argument &arg : args) {
    size_t param = next;
    if (arg.isNamed()) {
      auto it = llvm::find_if(block.params, [&](const BlockParam &p) { return p.name == arg.name; });
      if (it == block.params.end()) {
        std::vector<std::string> names;
        for (const BlockParam &p : block.params)
          names.push_back(p.name);
        std::string message = "block '" + block.name + "' has no parameter '" + arg.name + "'";
        std::string match = closestMatch(arg.name, names);
        if (!match.empty())
          message += "; did you mean '" + match + "'?";
        message += names.empty() ? "; it takes none" : " (parameters: " + llvm::join(names, ", ") + ")";
        diags_.error(arg.nameRange.Start, message, {arg.nameRange});
        failed = true;
        continue;
      }
      param = it - block.params.begin();
    } else if (next >= block.params.size()) {
      diags_.error(arg.range().Start, "too many arguments for block '" + block.name + "'" + usage,
                   {arg.range()});
      failed = true;
      break;
    } else {
      ++next;
    }
    if (given[param] || (pipedInput && param == 0)) {
      diags_.error(arg.range().Start,
                   "parameter '" + block.params[param].name + "' of block '" + block.name +
                       "' is given twice",
                   {arg.range()});
      if (given[param])
        diags_.note(given[param]->range().Start, "first given here");
      else
        diags_.note(call.loc(), "it receives the input piped in with '|>'");
      failed = true;
      continue;
    }
    given[param] = &arg;
  }
  if (failed)
    return nullptr;

  // Tensors where the body uses a layer, constants where it uses a value.
  if (pipedInput && info.paramKinds[0] == ParamKind::Constant) {
    errorAtCall(call, "block '" + block.name + "' cannot follow '|>': its first parameter '" +
                          block.params[0].name + "' takes a constant" + usage);
    return nullptr;
  }
  for (size_t i = 0; i < block.params.size(); ++i) {
    if (!given[i])
      continue;
    const Expr &value = *given[i]->value;
    const Attribute *constant = constantOf(value);
    std::string subject = "parameter '" + block.params[i].name + "' of block '" + block.name + "'";
    if (info.paramKinds[i] == ParamKind::Tensor && constant) {
      diags_.error(value.loc(), subject + " takes a layer, found the constant " +
                                    constant->str() + usage,
                   {value.range()});
      failed = true;
    } else if (info.paramKinds[i] == ParamKind::Constant && !constant) {
      std::string found = "a chain of layers";
      if (const auto *name = llvm::dyn_cast<NameExpr>(&value))
        found = "'" + name->name + "'";
      else if (const auto *callee = llvm::dyn_cast<CallExpr>(&value))
        found = "a call to '" + callee->callee + "'";
      diags_.error(value.loc(), subject + " takes a constant, found " + found + usage,
                   {value.range()});
      failed = true;
    }
  }
  if (failed)
    return nullptr;
  std::vector<std::string> missing;
  for (size_t i = pipedInput ? 1 : 0; i < block.params.size(); ++i)
    if (!given[i] && !block.params[i].defaultValue)
      missing.push_back("'" + block.params[i].name + "'");
  if (!missing.empty()) {
    errorAtCall(call, "block '" + block.name + "' requires " +
                          (missing.size() == 1 ? "parameter " : "parameters ") +
                          llvm::join(missing, ", ") + usage);
    return nullptr;
  }

  // Evaluate the arguments in the caller's scope: constants stay constants,
  // everything else computes a tensor.
  Scope scope;
  scope.block = &info;
  for (size_t i = 0; i < block.params.size(); ++i) {
    const BlockParam &param = block.params[i];
    if (i == 0 && pipedInput) {
      scope.tensors[param.name] = Binding{pipedInput, param.nameRange};
    } else if (!given[i]) {
      scope.constants[param.name] = param.defaultValue->value;
    } else if (const Attribute *constant = constantOf(*given[i]->value)) {
      scope.constants[param.name] = *constant;
    } else {
      Value *value = evaluate(*given[i]->value, /*isFinal=*/false);
      if (!value)
        return nullptr;
      scope.tensors[param.name] = Binding{value, param.nameRange};
    }
  }

  // A block with weights is a member of the caller's statement and takes its
  // prefix; one without is named after the call. Its result, unless it is the
  // statement's final value, is named after a numbered instance (`layer1.0`),
  // else like an op's (`<layer>.<block>`).
  bool numbered = info.hasWeights && statement_.indexed;
  scope.instance =
      info.hasWeights ? takeMemberPrefix() : statement_.layer + "." + block.name;
  std::string finalName = isFinal    ? statement_.finalName
                          : numbered ? scope.instance
                                     : statement_.layer + "." + call.callee;
  bool finalUnique = isFinal ? statement_.finalUnique : true;

  Naming callerNaming = statement_;
  Scope *callerScope = scope_;
  scope_ = &scope;
  ++instanceDepth_;
  diags_.pushInstance(block.name, call.loc(), scope.instance);
  Value *result = nullptr;
  for (const auto &stmt : block.body) {
    if (const auto *layer = llvm::dyn_cast<LayerStmt>(stmt.get())) {
      std::string name = scope.instance + "." + layer->name;
      statement_ = namingFor(name, name, /*finalUnique=*/true, *layer->value);
      Value *value = evaluate(*layer->value, /*isFinal=*/true);
      scope.tensors[layer->name] = Binding{value, layer->nameRange};
      if (value)
        scope.localValues.insert(value);
    } else if (const auto *ret = llvm::dyn_cast<ReturnStmt>(stmt.get())) {
      statement_ = namingFor(scope.instance, finalName, finalUnique, *ret->value);
      result = evaluate(*ret->value, /*isFinal=*/true);
      // `return bn2`: the local layer's value takes the name a call result gets.
      if (result && llvm::isa<NameExpr>(*ret->value) && scope.localValues.count(result))
        result->setName(finalUnique ? graph_->uniqueName(finalName) : finalName);
    }
  }
  diags_.popInstance();
  --instanceDepth_;
  scope_ = callerScope;
  statement_ = callerNaming;
  return result;
}

} // namespace

std::unique_ptr<Graph> buildGraph(const ast::ModelDecl &model, DiagnosticEngine &diags) {
  return GraphBuilder(model, diags).build();
}

} // namespace netc::dsl
