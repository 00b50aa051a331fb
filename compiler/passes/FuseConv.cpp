// fuse-conv: conv2d [+ residual add] [+ activation] [+ max/avg pool] → one
// fused_conv2d, so the chain runs as one loop nest that never writes the full
// conv output to memory.
//
// Legality: each absorbed op must be the only reader of the value before it,
// and that value must not be a graph output (fusing would hide it). A residual
// add fuses only when its other operand has the conv's shape. A pool whose
// windows overlap fuses only into a conv that pack-conv-weights will pack, by
// its channel counts (ConvPacking.h). Every candidate that is left unfused
// gets a remark (--remarks) saying why.
#include "compiler/ops/FusedEpilogue.h"
#include "compiler/passes/ConvPacking.h"
#include "compiler/passes/PassRegistry.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"
#include "ir/Verifier.h"

namespace netc {

namespace {

/// The single op reading `v`, or null with `why` set.
Op *soleReader(const Graph &graph, const Value *v, std::string &why) {
  if (graph.isOutput(v)) {
    why = "%" + v->name() + " is a graph output";
    return nullptr;
  }
  std::vector<Op *> readers = graph.users(v);
  if (readers.size() != 1) {
    why = "%" + v->name() + " has " + std::to_string(readers.size()) + " readers";
    return nullptr;
  }
  return readers[0];
}

bool isPool(const Op *op) {
  return op->kindName() == "maxpool2d" || op->kindName() == "avgpool2d";
}

/// Whether neighbouring windows of `pool` share input pixels (3x3/2).
bool overlappingWindows(const Op &pool) {
  const auto &kernel = pool.attrs().getInts("kernel"), &stride = pool.attrs().getInts("stride");
  return kernel[0] > stride[0] || kernel[1] > stride[1];
}

} // namespace

bool fuseConvolutions(Graph &graph, DiagnosticEngine &diags) {
  const OpDef *fusedDef = OpRegistry::get().lookup("fused_conv2d");
  // Only the convs are walked: fusing erases the ops after each one.
  std::vector<Op *> convs;
  for (Op *op : graph.ops())
    if (op->kindName() == "conv2d")
      convs.push_back(op);
  for (Op *conv : convs) {
    std::vector<Op *> chain = {conv};
    AttrMap attrs = conv->attrs();
    std::vector<Value *> operands = {conv->operand(0), conv->operand(1), conv->operand(2), nullptr};
    Value *tail = conv->result();
    std::string why;
    std::string stopped;

    Op *next = soleReader(graph, tail, why);
    if (next && next->kindName() == "add" && next->operand(0)->type() == next->operand(1)->type()) {
      operands[3] = next->operand(0) == tail ? next->operand(1) : next->operand(0);
      chain.push_back(next);
      tail = next->result();
      next = soleReader(graph, tail, why);
    }
    if (next && isFusibleActivation(next->def())) {
      setActivationAttrs(*next, attrs);
      chain.push_back(next);
      tail = next->result();
      next = soleReader(graph, tail, why);
    }
    std::string unpacked;
    if (next && isPool(next) && overlappingWindows(*next) &&
        !convChannelsPackable(*conv, &unpacked)) {
      // Measured on AVX2: fused, 3-5x slower than the conv and the pool apart
      // (384->200 3x3 at 13x13 + relu + 3x3/2 max pool: 10.8 against 2.0 ms;
      // 3->6 5x5 at 32x32: 0.047 against 0.016 ms).
      stopped = "'" + next->kindName() +
                "' has overlapping windows, which fuse only into a conv with packed weights, and " +
                unpacked;
    } else if (next && isPool(next)) {
      attrs.set("pool", Attribute::ofString(next->kindName() == "maxpool2d" ? "max" : "avg"));
      for (const auto &[name, value] : next->attrs().entries())
        attrs.set("pool_" + name, value);
      chain.push_back(next);
      tail = next->result();
    } else if (next) {
      stopped = "its reader '" + next->kindName() + "' cannot be fused";
    } else {
      stopped = why;
    }

    if (chain.size() == 1) {
      diags.remark(conv->loc(), "conv2d %" + conv->result()->name() + " not fused: " + stopped);
      continue;
    }
    std::string fusedKinds;
    for (const Op *op : chain)
      fusedKinds += (fusedKinds.empty() ? "" : " + ") + op->kindName();
    diags.remark(conv->loc(), "fused " + fusedKinds + " into one loop nest" +
                                  (stopped.empty() ? "" : "; not further: " + stopped));
    // The fused op takes the place (and name) of the chain's last op, where every
    // operand, including a residual, is already defined.
    Op *last = chain.back();
    std::string name = tail->name();
    tail->setName(name + ".unfused");
    std::string error;
    if (!normalizeAttrs(*fusedDef, attrs, error)) {
      diags.error(conv->loc(), "internal error: fuse-conv built invalid attributes: " + error);
      return false;
    }
    Op *fused = graph.insertOpBefore(last, *fusedDef, operands, attrs, name, tail->type(),
                                     conv->loc());
    graph.replaceAllUsesWith(tail, fused->result());
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
      graph.eraseOp(*it);
  }
  return true;
}

} // namespace netc
