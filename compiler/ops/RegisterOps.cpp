#include "compiler/ops/OpHelpers.h"

namespace netc {

void registerBuiltinOps() {
  static bool done = false;
  if (done)
    return;
  done = true;
  registerConv2dOp();
  registerDenseOp();
  registerPoolOps();
  registerActivationOps();
  registerSoftmaxOp();
  registerFlattenOp();
  registerElementwiseBinaryOps();
  registerPreluOp();
  registerLogSoftmaxOp();
  registerMaxoutOp();
  registerBatchNormOp();
  registerLrnOp();
  registerDropoutOp();
  registerGlobalPoolOps();
  registerConcatOp();
  registerReshapeOp();
  registerTransposeOp();
  registerPadOp();
  registerReduceOps();
  registerFusedConv2dOp();
  registerFusedDenseOp();
  registerFusedElementwiseOp();
}

} // namespace netc
