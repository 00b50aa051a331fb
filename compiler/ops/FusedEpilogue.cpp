#include "compiler/ops/FusedEpilogue.h"
#include "compiler/lower/LowerContext.h"

namespace netc {

bool isFusibleActivation(const OpDef &def) {
  return def.isElementwise && def.operands.size() == 1 && !def.operands[0].isWeight;
}

bool isRowEpilogue(const OpDef &def) {
  return def.name == "softmax" || def.name == "log_softmax";
}

std::vector<AttrSpec> activationAttrSpecs() {
  std::vector<AttrSpec> specs = {
      {"activation", AttrKind::String, Attribute::ofString("none"), 0, false}};
  for (const auto &def : OpRegistry::get().all()) {
    if (!isFusibleActivation(*def) && !isRowEpilogue(*def))
      continue;
    for (const AttrSpec &a : def->attrs) {
      AttrSpec prefixed = a;
      prefixed.name = def->name + "_" + a.name;
      prefixed.elideIfDefault = true;
      specs.push_back(prefixed);
    }
  }
  return specs;
}

void setActivationAttrs(const Op &activation, AttrMap &fusedAttrs) {
  fusedAttrs.set("activation", Attribute::ofString(activation.kindName()));
  for (const auto &[name, value] : activation.attrs().entries())
    fusedAttrs.set(activation.kindName() + "_" + name, value);
}

FusedActivation::FusedActivation(const AttrMap &fusedAttrs, const TensorType &type) {
  name_ = fusedAttrs.getString("activation");
  if (name_ == "none")
    return;
  const OpDef *def = OpRegistry::get().lookup(name_);
  if (!def || !(isFusibleActivation(*def) || isRowEpilogue(*def)))
    return;
  AttrMap attrs;
  for (const AttrSpec &a : def->attrs)
    if (const Attribute *v = fusedAttrs.find(name_ + "_" + a.name))
      attrs.set(a.name, *v);
  scratch_ = std::make_unique<Graph>("epilogue");
  Value *input = scratch_->addInput("x", type);
  op_ = scratch_->addOp(*def, {input}, attrs, "y", type);
}

FusedActivation::~FusedActivation() = default;

void FusedActivation::reference(Tensor &inOut) const {
  if (!op_)
    return;
  Tensor out(inOut.shape);
  op_->def().reference(*op_, {&inOut}, out);
  inOut = std::move(out);
}

Halide::Func FusedActivation::lower(const LowerContext &ctx, Halide::Func input,
                                    const TensorType &type) const {
  if (!op_)
    return input;
  LowerContext inner = ctx.inlined({input}, {type}, type);
  return op_->def().lower(inner, *op_);
}

} // namespace netc
