// What an op's Halide lowering receives. Only op definitions and the kernel builder
// include this header (it pulls in Halide.h).
//
// Convention: a tensor of rank r is a Halide Func of r arguments in reverse order,
// so Halide's first (innermost, unit-stride) argument is the last dim of the
// row-major tensor: an NCHW image is f(x, y, c, n).
#pragma once

#include "ir/Type.h"

#include <Halide.h>

#include <vector>

namespace netc {

class Op;

struct LowerContext {
  Halide::Target target;
  /// One Func per op operand (activations and weights, in operand order); an
  /// undefined Func for an absent optional operand.
  std::vector<Halide::Func> operands;
  std::vector<TensorType> operandTypes;
  /// Per operand: B > 0 when its buffer is stored channel-blocked (the Func in
  /// `operands` still reads it as NCHW), 0 otherwise; then `blockedOperands`
  /// holds the buffer as it is stored, a (lane, x, y, block, n) Func.
  std::vector<int> operandChannelBlocks;
  std::vector<Halide::Func> blockedOperands;
  /// Per operand: the kernel argument it reads, for schedules that prefetch
  /// from it; undefined where the operand is computed in the same kernel.
  std::vector<Halide::ImageParam> operandParams;
  /// True when the op's result is the kernel's output and the op should apply its
  /// own schedule; false when it is being inlined into a consumer.
  bool schedule = true;
  /// Set by an op that makes an inlined row epilogue (softmax after dense) its
  /// kernel's output and schedules that Func's loops itself: the epilogue
  /// computes its per-row statistics once per row of its result Func instead of
  /// once per element (ignored when autoscheduled).
  bool rowStatisticsPerRow = false;
  /// True when a Halide autoscheduler schedules the kernel: lower the algorithm
  /// only, with no scheduling directive on any Func (implies !schedule).
  bool autoscheduled = false;
  /// Shape of the result (symbolic batch kept symbolic).
  TensorType resultType;
  /// B > 0: the result is stored channel-blocked, [N, C/B, H, W, B]; an op
  /// that schedules itself then returns that 5-D Func (lane, x, y, block, n),
  /// otherwise the kernel builder stores its NCHW Func blocked. Operands are
  /// always handed over as NCHW Funcs, whatever their storage.
  int resultChannelBlock = 0;
  /// Cores the generated code will run on (at least 1), for schedules that
  /// split small work into exactly one task per core.
  int threads = 1;
  /// Set: schedule as if the target had this many vector registers
  /// (ScheduleOptions::vectorRegisters).
  int assumedVectorRegisters = 0;
  /// Set: schedule as if a vector held this many floats
  /// (ScheduleOptions::vectorLanes).
  int assumedVectorWidth = 0;

  /// Floats per vector register on the target (16 on AVX-512, 8 on AVX2, 4 on
  /// SSE/NEON), or assumedVectorWidth.
  int vectorWidth() const {
    return assumedVectorWidth ? assumedVectorWidth : target.natural_vector_size<float>();
  }
  /// Vector registers of the target: 16 on x86 below AVX-512, 32 on AVX-512
  /// and AArch64 (or assumedVectorRegisters).
  int vectorRegisters() const {
    if (assumedVectorRegisters)
      return assumedVectorRegisters;
    const bool x86 = target.arch == Halide::Target::X86;
    return x86 && !target.has_feature(Halide::Target::AVX512) ? 16 : 32;
  }
  bool hasOperand(size_t i) const { return i < operands.size() && operands[i].defined(); }

  /// A context for an op inlined into a fused kernel's algorithm: these
  /// operands, all plain NCHW Funcs, an unscheduled result of `type`.
  LowerContext inlined(std::vector<Halide::Func> funcs, std::vector<TensorType> types,
                       const TensorType &type) const {
    LowerContext inner = *this;
    inner.operands = std::move(funcs);
    inner.operandTypes = std::move(types);
    inner.operandChannelBlocks.assign(inner.operands.size(), 0);
    inner.blockedOperands.assign(inner.operands.size(), Halide::Func());
    inner.operandParams.assign(inner.operands.size(), Halide::ImageParam());
    inner.resultType = type;
    inner.resultChannelBlock = 0;
    inner.schedule = false;
    return inner;
  }
};

/// Halide vars for a rank-r tensor, in Halide (innermost-first) order.
std::vector<Halide::Var> halideVars(size_t rank);
/// The Halide argument list for `vars` as Exprs.
std::vector<Halide::Expr> asExprs(const std::vector<Halide::Var> &vars);
/// Halide dim index of row-major dim `axis` in a rank-r tensor.
inline int halideDim(int axis, size_t rank) { return (int)rank - 1 - axis; }

/// Vectorize the innermost dim and parallelize the outer ones of a pure root Func
/// (elementwise ops and other simple ops). `extents` are the static sizes in Halide
/// order (-1 for the symbolic batch dim). Returns the parallel loop's var, where
/// per-task producers can be computed.
Halide::Var scheduleSimpleLoopNest(Halide::Func f, const std::vector<Halide::Var> &vars,
                            const std::vector<int64_t> &extents, const LowerContext &ctx);

/// Static sizes of a type in Halide order, -1 for symbolic dims.
std::vector<int64_t> halideExtents(const TensorType &type);

} // namespace netc
