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
  registerAddOp();
}

} // namespace netc
