#include "ir/Graph.h"
#include "ir/OpRegistry.h"

#include <algorithm>
#include <cassert>

namespace netc {

const std::string &Op::kindName() const { return def_->name; }

Value *Graph::addInput(const std::string &name, TensorType type, llvm::SMLoc loc) {
  values_.emplace_back(new Value(Value::Kind::Input, name, std::move(type), loc));
  inputs_.push_back(values_.back().get());
  return values_.back().get();
}

Value *Graph::addWeight(const std::string &name, TensorType type, llvm::SMLoc loc) {
  values_.emplace_back(new Value(Value::Kind::Weight, name, std::move(type), loc));
  weights_.push_back(values_.back().get());
  return values_.back().get();
}

Op *Graph::addOp(const OpDef &def, std::vector<Value *> operands, AttrMap attrs,
                 const std::string &resultName, TensorType resultType, llvm::SMLoc loc) {
  return insertOpBefore(nullptr, def, std::move(operands), std::move(attrs), resultName,
                        std::move(resultType), loc);
}

Op *Graph::insertOpBefore(Op *before, const OpDef &def, std::vector<Value *> operands,
                          AttrMap attrs, const std::string &resultName, TensorType resultType,
                          llvm::SMLoc loc) {
  operands.resize(def.operands.size(), nullptr);
  std::unique_ptr<Op> op(new Op(&def, std::move(operands), std::move(attrs), loc));
  values_.emplace_back(new Value(Value::Kind::Result, resultName, std::move(resultType), loc));
  op->result_ = values_.back().get();
  op->result_->producer_ = op.get();
  Op *raw = op.get();
  auto it = ops_.end();
  if (before)
    it = std::find_if(ops_.begin(), ops_.end(), [&](auto &p) { return p.get() == before; });
  ops_.insert(it, std::move(op));
  return raw;
}

std::vector<Op *> Graph::ops() const {
  std::vector<Op *> out;
  out.reserve(ops_.size());
  for (const auto &op : ops_)
    out.push_back(op.get());
  return out;
}

Value *Graph::findActivation(const std::string &name) const {
  for (const auto &v : values_)
    if (!v->isWeight() && v->name() == name && (v->isInput() || v->producer()))
      return v.get();
  return nullptr;
}

Value *Graph::findWeight(const std::string &name) const {
  for (Value *w : weights_)
    if (w->name() == name)
      return w;
  return nullptr;
}

std::string Graph::uniqueName(const std::string &base) const {
  if (!findActivation(base))
    return base;
  // Each name is checked by a scan over the values, so the search starts past
  // the suffixes this base already handed out: a chain of k layers named from
  // one base took k^2 scans (4000 chained relus 16 s to check).
  int &next = nextSuffix_[base];
  for (int i = std::max(next, 1);; ++i) {
    std::string candidate = base + "." + std::to_string(i);
    if (!findActivation(candidate)) {
      next = i + 1;
      return candidate;
    }
  }
}

std::vector<Op *> Graph::users(const Value *v) const {
  std::vector<Op *> out;
  for (const auto &op : ops_)
    if (std::find(op->operands_.begin(), op->operands_.end(), v) != op->operands_.end())
      out.push_back(op.get());
  return out;
}

bool Graph::isOutput(const Value *v) const {
  return std::find(outputs_.begin(), outputs_.end(), v) != outputs_.end();
}

void Graph::replaceAllUsesWith(Value *from, Value *to) {
  for (auto &op : ops_)
    for (auto &operand : op->operands_)
      if (operand == from)
        operand = to;
  for (auto &out : outputs_)
    if (out == from)
      out = to;
}

void Graph::eraseOp(Op *op) {
  assert(users(op->result()).empty() && !isOutput(op->result()) && "erasing a live op");
  Value *result = op->result();
  ops_.erase(std::find_if(ops_.begin(), ops_.end(), [&](auto &p) { return p.get() == op; }));
  values_.erase(std::find_if(values_.begin(), values_.end(),
                             [&](auto &p) { return p.get() == result; }));
}

void Graph::eraseUnusedWeights() {
  std::vector<Value *> kept;
  for (Value *w : weights_)
    if (!users(w).empty())
      kept.push_back(w);
    else
      values_.erase(std::find_if(values_.begin(), values_.end(),
                                 [&](auto &p) { return p.get() == w; }));
  weights_ = std::move(kept);
}

std::string Graph::batchSymbol() const {
  for (Value *in : inputs_)
    for (const Dim &d : in->type().dims)
      if (!d.isStatic())
        return d.symbol;
  return {};
}

int64_t channelBlockOf(const Value &v) {
  const Op *producer = v.producer();
  if (!producer)
    return 0;
  const Attribute *block = producer->attrs().find("channel_block");
  return block ? block->asInt() : 0;
}

TensorType storageType(const Value &v) {
  const TensorType &t = v.type();
  int64_t block = channelBlockOf(v);
  if (block <= 0 || t.rank() != 4)
    return t;
  return TensorType(t.dtype, {t.dim(0), Dim::of(t.dim(1).size / block), t.dim(2), t.dim(3),
                              Dim::of(block)});
}

std::string unusedWeightName(const Graph &graph, const std::string &name) {
  std::string candidate = name;
  for (int i = 2; graph.findWeight(candidate); ++i)
    candidate = name + std::to_string(i);
  return candidate;
}

bool usersReadChannelBlocked(const Graph &graph, const Value &v, std::string *why) {
  if (graph.isOutput(&v)) {
    if (why)
      *why = "it is a model output";
    return false;
  }
  for (const Op *user : graph.users(&v))
    for (size_t i = 0; i < user->operands().size(); ++i) {
      if (user->operand(i) != &v)
        continue;
      const auto &reads = user->def().readsChannelBlocked;
      if (!reads || !reads(*user, i)) {
        if (why)
          *why = "'" + user->kindName() + "' %" + user->result()->name() + " reads it as NCHW";
        return false;
      }
    }
  return true;
}

} // namespace netc
