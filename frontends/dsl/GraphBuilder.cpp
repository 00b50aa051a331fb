#include "frontends/dsl/GraphBuilder.h"
#include "frontends/dsl/ArgumentBinding.h"
#include "frontends/dsl/DidYouMean.h"
#include "ir/OpRegistry.h"
#include "ir/Verifier.h"

#include <llvm/ADT/StringMap.h>

namespace netc::dsl {
namespace {

using namespace ast;

class GraphBuilder {
public:
  GraphBuilder(const ModelDecl &model, DiagnosticEngine &diags) : model_(model), diags_(diags) {}

  std::unique_ptr<Graph> build();

private:
  /// What a name in the model refers to. A null value means the statement that
  /// defined the name failed (and was reported): uses of it fail silently.
  struct Binding {
    Value *value = nullptr;
    llvm::SMRange definedAt;
  };

  /// The weights created for one call, with their suffixes, kept so they can be
  /// renamed: they are `<layer>.<suffix>` until a second call with weights shows up.
  using CallWeights = std::vector<std::pair<Value *, std::string>>;

  /// State of the statement being built.
  struct Statement {
    std::string layer;
    std::vector<CallWeights> weightedCalls;
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

  /// Evaluates `expr` to the value it computes; null after an error (reported, or
  /// silent for a poisoned name). `isFinal` marks the statement's outermost call,
  /// whose result carries the layer's name.
  Value *evaluate(const Expr &expr, bool isFinal);
  Value *evaluateCall(const CallExpr &call, Value *pipedInput, bool isFinal);
  bool addWeights(const OpDef &def, const CallExpr &call,
                  const std::vector<WeightDecl> &decls, std::vector<Value *> &operands);
  void errorAtCall(const CallExpr &call, const llvm::Twine &message) {
    diags_.error(call.loc(), message, {call.range()});
  }

  const ModelDecl &model_;
  DiagnosticEngine &diags_;
  std::unique_ptr<Graph> graph_;
  llvm::StringMap<Binding> bindings_;
  std::vector<std::string> definitionOrder_;
  /// Where each name is first defined anywhere in the model, to explain uses
  /// that come before the definition.
  llvm::StringMap<llvm::SMRange> allDefinitions_;
  /// The symbol of the batch dim (`N`) and the input that introduced it.
  std::string batchSymbol_;
  std::string batchSymbolInput_;
  Statement statement_;
};

std::unique_ptr<Graph> GraphBuilder::build() {
  unsigned errorsBefore = diags_.errorCount();
  graph_ = std::make_unique<Graph>(model_.name);

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
    case Stmt::Kind::Invalid: {
      // The syntax error is reported; keep later uses of the name quiet.
      const auto &invalid = llvm::cast<InvalidStmt>(*stmt);
      if (!invalid.definedName.empty() && !bindings_.count(invalid.definedName))
        bind(invalid.definedName, nullptr, invalid.nameRange);
      hasOutputStatement = true; // it may have been one; don't guess
      break;
    }
    }
  }
  if (!hasOutputStatement)
    diags_.error(model_.nameRange.Start,
                 "model '" + model_.name +
                     "' has no outputs; mark one with 'output NAME' or 'output NAME = ...'",
                 {model_.nameRange});

  if (diags_.errorCount() != errorsBefore)
    return nullptr;
  return std::move(graph_);
}

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

bool GraphBuilder::checkNotDefined(const std::string &name, llvm::SMRange range) {
  auto it = bindings_.find(name);
  if (it == bindings_.end())
    return true;
  diags_.error(range.Start, "redefinition of '" + name + "'", {range});
  diags_.note(it->second.definedAt.Start, "'" + name + "' is first defined here");
  return false;
}

void GraphBuilder::bind(const std::string &name, Value *value, llvm::SMRange range) {
  bindings_[name] = Binding{value, range};
  definitionOrder_.push_back(name);
}

const GraphBuilder::Binding *GraphBuilder::lookup(const std::string &name, llvm::SMRange use) {
  auto it = bindings_.find(name);
  if (it != bindings_.end())
    return &it->second;
  reportUndefined(name, use);
  return nullptr;
}

void GraphBuilder::reportUndefined(const std::string &name, llvm::SMRange use) {
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
  diags_.error(use.Start, message, {use});
}

void GraphBuilder::reportUnknownLayerType(const CallExpr &call) {
  std::string message = "unknown layer type '" + call.callee + "'";
  if (bindings_.count(call.callee)) {
    message += "; '" + call.callee + "' is a layer, not a layer type";
  } else {
    std::vector<std::string> types;
    for (const auto &def : OpRegistry::get().all())
      types.insert(types.end(), def->dslNames.begin(), def->dslNames.end());
    message += didYouMean(call.callee, types);
  }
  diags_.error(call.calleeRange.Start, message, {call.calleeRange});
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
  statement_ = Statement{stmt.name, {}};
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
    if (binding && isFinal) {
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
  case Expr::Kind::Call:
    return evaluateCall(llvm::cast<CallExpr>(expr), nullptr, isFinal);
  case Expr::Kind::Pipe: {
    const auto &pipe = llvm::cast<PipeExpr>(expr);
    Value *input = evaluate(*pipe.input, /*isFinal=*/false);
    if (!input)
      return nullptr;
    return evaluateCall(*pipe.stage, input, isFinal);
  }
  }
  return nullptr;
}

Value *GraphBuilder::evaluateCall(const CallExpr &call, Value *pipedInput, bool isFinal) {
  const OpDef *def = OpRegistry::get().lookupDsl(call.callee);
  if (!def) {
    reportUnknownLayerType(call);
    return nullptr;
  }
  std::optional<BoundArguments> bound = bindArguments(*def, call, pipedInput != nullptr, diags_);
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
  if (def->buildFromDsl) {
    if (!def->buildFromDsl(dslCall, lowering, error)) {
      errorAtCall(call, call.callee + ": " + error);
      return nullptr;
    }
  } else {
    lowering.attrs = bound->params;
  }
  if (!normalizeAttrs(*def, lowering.attrs, error)) {
    errorAtCall(call, call.callee + ": " + error);
    return nullptr;
  }

  // Activations fill the activation operand slots in order; weights go to the
  // slot of the operand they are named after; absent optional operands stay null.
  std::vector<Value *> operands(def->operands.size(), nullptr);
  auto nextInput = inputs.begin();
  for (size_t i = 0; i < def->operands.size(); ++i)
    if (!def->operands[i].isWeight)
      operands[i] = *nextInput++;
  if (!lowering.weights.empty() && !addWeights(*def, call, lowering.weights, operands))
    return nullptr;

  std::string resultName =
      isFinal ? statement_.layer : graph_->uniqueName(statement_.layer + "." + call.callee);
  Op *op = graph_->addOp(*def, operands, std::move(lowering.attrs), resultName, TensorType{},
                         call.loc());
  if (!def->inferType) {
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

bool GraphBuilder::addWeights(const OpDef &def, const CallExpr &call,
                              const std::vector<WeightDecl> &decls,
                              std::vector<Value *> &operands) {
  const std::string &layer = statement_.layer;
  std::vector<CallWeights> &calls = statement_.weightedCalls;
  // The second call with weights in one statement turns `fc.weight` into
  // `fc.0.weight` for the first and numbers its own from 1.
  if (calls.size() == 1)
    for (auto &[weight, suffix] : calls[0])
      weight->setName(layer + ".0." + suffix);
  std::string prefix =
      layer + "." + (calls.empty() ? std::string() : std::to_string(calls.size()) + ".");

  CallWeights created;
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
    operands[slot] = graph_->addWeight(prefix + decl.suffix, decl.type, call.loc());
    created.emplace_back(operands[slot], decl.suffix);
  }
  calls.push_back(std::move(created));
  return true;
}

} // namespace

std::unique_ptr<Graph> buildGraph(const ast::ModelDecl &model, DiagnosticEngine &diags) {
  return GraphBuilder(model, diags).build();
}

} // namespace netc::dsl
