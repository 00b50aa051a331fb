#include "compiler/codegen/ExecutionPlan.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace netc {

int64_t floatsPerItem(const Value *v) { return v->type().numElements(1); }

std::string sanitizeIdentifier(const std::string &name) {
  std::string s;
  for (char c : name)
    s += std::isalnum((unsigned char)c) ? c : '_';
  if (s.empty() || std::isdigit((unsigned char)s[0]))
    s = "_" + s;
  return s;
}

static bool sameShapes(const Op *op) {
  for (const Value *v : op->operands())
    if (v && v->type() != op->result()->type())
      return false;
  return true;
}

ExecutionPlan planExecution(const Graph &graph, const std::string &kernelPrefix) {
  ExecutionPlan plan;
  plan.symbolicBatch = !graph.batchSymbol().empty();
  for (const Value *in : graph.inputs())
    plan.storageOf[in] = in;

  // Kernels, and which values alias another's memory. A view whose result is a
  // graph output must write the caller's buffer, so it runs as a copy kernel.
  std::vector<const Value *> arenaValues;
  for (const Op *op : graph.ops()) {
    const Value *result = op->result();
    if (op->def().isView && !graph.isOutput(result)) {
      plan.storageOf[result] = plan.storageOf.at(op->operand(0));
      continue;
    }
    KernelStep step;
    step.op = op;
    step.result = result;
    for (const Value *v : op->operands())
      if (v)
        step.args.push_back(v);
    step.flat = op->def().isElementwise && sameShapes(op);
    step.kernelName = kernelPrefix + std::to_string(plan.steps.size()) + "_" +
                      sanitizeIdentifier(result->name());
    plan.steps.push_back(std::move(step));
    plan.storageOf[result] = result;
    if (!graph.isOutput(result))
      arenaValues.push_back(result);
  }

  // Lifetimes in steps: from the producing step to the last step reading the value
  // or any view of it.
  std::map<const Value *, size_t> firstStep, lastStep;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const KernelStep &step = plan.steps[i];
    firstStep[step.result] = i;
    lastStep[step.result] = std::max(lastStep[step.result], i);
    for (const Value *arg : step.args) {
      if (arg->isWeight())
        continue;
      const Value *root = plan.storageOf.at(arg);
      lastStep[root] = std::max(lastStep[root], i);
    }
  }

  // Greedy first-fit in order of definition: a value takes the lowest offset not
  // overlapping any value still live. Sizes are rounded to 64 bytes so offsets
  // scaled by the batch size stay aligned.
  struct Placed {
    int64_t offset, size;
    size_t last;
  };
  std::vector<Placed> placed;
  for (const Value *v : arenaValues) {
    int64_t size = (floatsPerItem(v) + 15) / 16 * 16;
    plan.activationFloatsPerItem += size;
    size_t first = firstStep.at(v);
    std::vector<Placed> live;
    for (const Placed &p : placed)
      if (p.last >= first)
        live.push_back(p);
    std::sort(live.begin(), live.end(), [](auto &a, auto &b) { return a.offset < b.offset; });
    int64_t offset = 0;
    for (const Placed &p : live) {
      if (offset + size <= p.offset)
        break;
      offset = std::max(offset, p.offset + p.size);
    }
    placed.push_back({offset, size, lastStep.at(v)});
    plan.arenaOffset[v] = offset;
    plan.arenaFloatsPerItem = std::max(plan.arenaFloatsPerItem, offset + size);
  }
  return plan;
}

} // namespace netc

namespace netc {

std::string describePlan(const Graph &graph, const ExecutionPlan &plan) {
  std::string s = fmt::format("Kernels of {}: {}\n", graph.name(), plan.steps.size());
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const KernelStep &step = plan.steps[i];
    std::string detail = step.op->kindName();
    if (const Attribute *act = step.op->attrs().find("activation"))
      if (act->asString() != "none")
        detail += " + " + act->asString();
    if (const Attribute *pool = step.op->attrs().find("pool"))
      if (pool->asString() != "none")
        detail += " + " + pool->asString() + "pool";
    if (step.op->kindName() == "fused_conv2d" && step.op->operand(3))
      detail += " + residual";
    s += fmt::format("  {:>3}  {:<28} {:<40} {}\n", i, step.result->name(), detail,
                     step.result->type().str());
  }
  const char *unit = plan.symbolicBatch ? " per batch item" : "";
  s += fmt::format("Activation arena: {} bytes{}\n", plan.arenaFloatsPerItem * 4, unit);
  s += fmt::format("Sum of intermediate activations: {} bytes{}\n",
                   plan.activationFloatsPerItem * 4, unit);
  return s;
}

} // namespace netc
