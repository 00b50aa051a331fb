// How a graph runs as compiled code: which ops become kernels, which values share
// memory (views alias their input), and where each intermediate value lives in
// the activation arena. Used by both the JIT (`netc run`) and the AOT compiler.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace netc {
class Graph;
class Op;
class Value;

struct KernelStep {
  const Op *op = nullptr;
  std::string kernelName;             // symbol of the compiled kernel
  std::vector<const Value *> args;    // present operands, in operand order
  const Value *result = nullptr;
  /// Elementwise op over same-shaped operands: the kernel sees every tensor as one
  /// flat array, which vectorizes and parallelizes best.
  bool flat = false;
};

struct ExecutionPlan {
  std::vector<KernelStep> steps;
  /// For each activation: the value whose memory holds it (itself unless it is a view).
  std::map<const Value *, const Value *> storageOf;
  /// Offsets into the arena, in floats per batch item, of arena-backed values.
  std::map<const Value *, int64_t> arenaOffset;
  /// Arena size in floats per batch item (times N at run time for a symbolic batch).
  int64_t arenaFloatsPerItem = 0;
  /// Sum of the sizes of every arena-backed value, for reports (floats per item).
  int64_t activationFloatsPerItem = 0;
  bool symbolicBatch = false;

  bool isArenaBacked(const Value *v) const { return arenaOffset.count(v) != 0; }
};

/// Plans execution. Kernel symbols are `<prefix><index>_<op result name>`, sanitized.
ExecutionPlan planExecution(const Graph &graph, const std::string &kernelPrefix);

/// A report of the plan: one line per kernel (its ops), the arena size and the
/// sum of all intermediate activation sizes (what memory reuse saves).
std::string describePlan(const Graph &graph, const ExecutionPlan &plan);

/// Floats per batch item of a value (its size with the batch dim set to 1).
int64_t floatsPerItem(const Value *v);

/// A C identifier made from `name` (letters, digits, underscores).
std::string sanitizeIdentifier(const std::string &name);

} // namespace netc
