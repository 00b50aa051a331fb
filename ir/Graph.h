// The graph IR: typed SSA values (graph inputs, named weights, op results) and ops
// kept in a valid execution order.
#pragma once

#include "ir/Attribute.h"
#include "ir/Tensor.h"
#include "ir/Type.h"

#include <llvm/Support/SMLoc.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace netc {

struct OpDef;
class Op;

class Value {
public:
  enum class Kind { Input, Weight, Result };

  Kind kind() const { return kind_; }
  bool isInput() const { return kind_ == Kind::Input; }
  bool isWeight() const { return kind_ == Kind::Weight; }
  bool isResult() const { return kind_ == Kind::Result; }

  /// `image`, `conv1.weight`, `conv1`: printed as `%name` (activations) or `@name` (weights).
  const std::string &name() const { return name_; }
  void setName(std::string n) { name_ = std::move(n); }
  const TensorType &type() const { return type_; }
  void setType(TensorType t) { type_ = std::move(t); }
  /// The op computing this value; null for inputs and weights.
  Op *producer() const { return producer_; }
  llvm::SMLoc loc() const { return loc_; }

  /// Weight contents once bound (from a file or --random-weights); null before.
  const std::shared_ptr<Tensor> &data() const { return data_; }
  void setData(std::shared_ptr<Tensor> t) { data_ = std::move(t); }

private:
  friend class Graph;
  Value(Kind k, std::string n, TensorType t, llvm::SMLoc loc)
      : kind_(k), name_(std::move(n)), type_(std::move(t)), loc_(loc) {}
  Kind kind_;
  std::string name_;
  TensorType type_;
  Op *producer_ = nullptr;
  llvm::SMLoc loc_;
  std::shared_ptr<Tensor> data_;
};

class Op {
public:
  const OpDef &def() const { return *def_; }
  const std::string &kindName() const;
  /// Operands in the order of the definition's operand specs; null for an absent optional.
  const std::vector<Value *> &operands() const { return operands_; }
  Value *operand(size_t i) const { return i < operands_.size() ? operands_[i] : nullptr; }
  void setOperand(size_t i, Value *v) { operands_[i] = v; }
  const AttrMap &attrs() const { return attrs_; }
  AttrMap &attrs() { return attrs_; }
  Value *result() const { return result_; }
  /// Where the op was written (DSL or textual IR); may be invalid for synthesized ops.
  llvm::SMLoc loc() const { return loc_; }

private:
  friend class Graph;
  Op(const OpDef *def, std::vector<Value *> operands, AttrMap attrs, llvm::SMLoc loc)
      : def_(def), operands_(std::move(operands)), attrs_(std::move(attrs)), loc_(loc) {}
  const OpDef *def_;
  std::vector<Value *> operands_;
  AttrMap attrs_;
  Value *result_ = nullptr;
  llvm::SMLoc loc_;
};

class Graph {
public:
  explicit Graph(std::string name = "model") : name_(std::move(name)) {}
  Graph(const Graph &) = delete;
  Graph &operator=(const Graph &) = delete;

  const std::string &name() const { return name_; }
  void setName(std::string n) { name_ = std::move(n); }

  Value *addInput(const std::string &name, TensorType type, llvm::SMLoc loc = {});
  Value *addWeight(const std::string &name, TensorType type, llvm::SMLoc loc = {});
  /// Appends an op; its result gets `resultName` and `resultType`.
  Op *addOp(const OpDef &def, std::vector<Value *> operands, AttrMap attrs,
            const std::string &resultName, TensorType resultType, llvm::SMLoc loc = {});
  /// Like addOp, but inserts before `before` (keeps execution order valid for rewrites).
  Op *insertOpBefore(Op *before, const OpDef &def, std::vector<Value *> operands, AttrMap attrs,
                     const std::string &resultName, TensorType resultType, llvm::SMLoc loc = {});
  void addOutput(Value *v) { outputs_.push_back(v); }

  const std::vector<Value *> &inputs() const { return inputs_; }
  const std::vector<Value *> &outputs() const { return outputs_; }
  std::vector<Value *> &outputs() { return outputs_; }
  const std::vector<Value *> &weights() const { return weights_; }
  /// Ops in execution order.
  std::vector<Op *> ops() const;
  size_t numOps() const { return ops_.size(); }

  Value *findActivation(const std::string &name) const;
  Value *findWeight(const std::string &name) const;
  /// A fresh activation name derived from `base` (`base`, `base.1`, ...).
  std::string uniqueName(const std::string &base) const;

  /// Ops reading `v`, in execution order.
  std::vector<Op *> users(const Value *v) const;
  bool isOutput(const Value *v) const;
  void replaceAllUsesWith(Value *from, Value *to);
  /// Removes an op whose result has no users and is not an output.
  void eraseOp(Op *op);
  /// Drops weights no op reads.
  void eraseUnusedWeights();

  /// Symbol of the batch dim shared by the inputs (e.g. "N"), or empty if all static.
  std::string batchSymbol() const;

private:
  std::string name_;
  std::vector<std::unique_ptr<Value>> values_;
  std::vector<std::unique_ptr<Op>> ops_;
  std::vector<Value *> inputs_, outputs_, weights_;
  /// Per base name, where uniqueName's search for a free suffix starts.
  mutable std::unordered_map<std::string, int> nextSuffix_;
};

} // namespace netc

namespace netc {

/// Channel-blocked storage: an NCHW activation whose producer carries
/// `channel_block=B` (set by the block-channels pass) lives in memory as
/// [N, C/B, H, W, B], B channels innermost, so that a kernel computing B
/// channels per vector stores and loads whole vectors. Its type, and every
/// shape rule and reference kernel, stay NCHW; only generated code sees the
/// storage. Returns B, or 0 for plain row-major storage.
int64_t channelBlockOf(const Value &v);
/// The shape `v` has in memory: its type, or [N, C/B, H, W, B] when blocked.
TensorType storageType(const Value &v);
/// Whether every op reading `v` can read it channel-blocked (OpDef's
/// readsChannelBlocked) and it is not a model output; if not, `*why` names
/// the reason.
bool usersReadChannelBlocked(const Graph &graph, const Value &v, std::string *why = nullptr);

/// `name` if no weight of the graph has it yet, else `name` + "2", "3", ...:
/// the name for a rewritten copy of a weight (`w.packed`, `w.folded`).
std::string unusedWeightName(const Graph &graph, const std::string &name);

} // namespace netc
