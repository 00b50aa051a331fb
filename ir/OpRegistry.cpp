#include "ir/OpRegistry.h"

#include <cassert>
#include <memory>

namespace netc {

size_t OpDef::numActivationOperands() const {
  size_t n = 0;
  for (const auto &o : operands)
    n += !o.isWeight;
  return n;
}

const AttrSpec *OpDef::findAttr(const std::string &attr) const {
  for (const auto &a : attrs)
    if (a.name == attr)
      return &a;
  return nullptr;
}

OpRegistry &OpRegistry::get() {
  static OpRegistry registry;
  return registry;
}

void OpRegistry::add(OpDef def) {
  assert(!lookup(def.name) && "op registered twice");
  if (def.dslNames.empty() && !def.madeByPasses)
    def.dslNames.push_back(def.name);
  defs_.push_back(std::make_unique<OpDef>(std::move(def)));
}

const OpDef *OpRegistry::lookup(const std::string &irName) const {
  for (const auto &d : defs_)
    if (d->name == irName)
      return d.get();
  return nullptr;
}

const OpDef *OpRegistry::lookupDsl(const std::string &dslName) const {
  for (const auto &d : defs_)
    for (const auto &n : d->dslNames)
      if (n == dslName)
        return d.get();
  return nullptr;
}

} // namespace netc
