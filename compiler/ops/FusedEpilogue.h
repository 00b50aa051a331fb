// Activations fused into a producer's epilogue (fused_conv2d, fused_dense). Any
// registered unary elementwise op without weights can be fused; its attributes
// travel on the fused op prefixed with its name (`leaky_relu_alpha=0.1`), so each
// keeps its own default.
#pragma once

#include "compiler/ops/OpHelpers.h"

#include <Halide.h>

#include <memory>

namespace netc {

/// True if `def` is an activation a producer can absorb.
bool isFusibleActivation(const OpDef &def);
/// True for softmax/log_softmax: a dense layer can finish each output row with
/// it (the row is complete when the epilogue runs).
bool isRowEpilogue(const OpDef &def);

/// The `activation` attribute and every fusible activation's attributes prefixed
/// with its name (elided while at their defaults), for a fused op's definition.
std::vector<AttrSpec> activationAttrSpecs();

/// Copies the activation op's attributes onto a fused op's attributes.
void setActivationAttrs(const Op &activation, AttrMap &fusedAttrs);

/// The activation a fused op applies, rebuilt as a standalone op so its own
/// reference kernel and lowering can be reused unchanged.
class FusedActivation {
public:
  /// Null activation ("none") when the attribute says so.
  explicit FusedActivation(const AttrMap &fusedAttrs, const TensorType &type);
  ~FusedActivation();
  bool active() const { return op_ != nullptr; }
  /// False for a row epilogue (softmax) that reads a whole row of its input.
  bool elementwise() const { return op_ && op_->def().isElementwise; }
  const std::string &name() const { return name_; }
  void reference(Tensor &inOut) const;
  Halide::Func lower(const LowerContext &ctx, Halide::Func input, const TensorType &type) const;

private:
  std::string name_;
  std::unique_ptr<Graph> scratch_;
  const Op *op_ = nullptr;
};

} // namespace netc
