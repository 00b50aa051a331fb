// Small helpers shared by op definitions: shape checks with messages that name the
// shapes involved, and conventions for DSL argument handling.
#pragma once

#include "ir/Graph.h"
#include "ir/OpRegistry.h"

#include <string>

namespace netc {

/// The type of operand `i`; the operand must be present.
inline const TensorType &operandType(const Op &op, size_t i) { return op.operand(i)->type(); }

/// "'fc.weight' [10,3000]"-style description of an operand for messages.
std::string describeOperand(const Op &op, size_t i);

/// Checks `type` has `rank` dims; otherwise sets `error` (`what` names the tensor).
bool expectRank(const TensorType &type, size_t rank, const std::string &what,
                const std::string &layout, std::string &error);

/// Output size of a sliding window along one dim; <= 0 when the window does not fit.
int64_t slidingOutputSize(int64_t input, int64_t kernel, int64_t stride, int64_t padBegin,
                          int64_t padEnd, int64_t dilation, bool ceilMode = false);

/// `[a,b]` from a DSL IntList argument that may be empty (meaning "use `fallback`").
std::vector<int64_t> orDefault(const std::vector<int64_t> &value,
                               const std::vector<int64_t> &fallback);

// Registration of the built-in ops, one function per op file.
void registerConv2dOp();
void registerDenseOp();
void registerPoolOps();
void registerActivationOps();
void registerSoftmaxOp();
void registerFlattenOp();
void registerElementwiseBinaryOps();
void registerPreluOp();
void registerLogSoftmaxOp();
void registerMaxoutOp();
void registerBatchNormOp();
void registerLrnOp();
void registerDropoutOp();
void registerGlobalPoolOps();
void registerConcatOp();
void registerReshapeOp();
void registerTransposeOp();
void registerPadOp();
void registerReduceOps();
// Fused ops read the activations registered before them: register them last.
void registerFusedConv2dOp();
void registerFusedDenseOp();
void registerFusedElementwiseOp();

} // namespace netc
