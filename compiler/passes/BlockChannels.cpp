// block-channels: stores an activation channel-blocked, [N, C/16, H, W, 16],
// when the conv producing it computes 16 output channels per vector (packed
// weights) and every op reading it reads 16 channels of a pixel at once (the
// input or residual of a packed conv). The producer then writes each pixel's
// channels as one contiguous vector instead of 16 strided floats, one per
// channel plane, and the consumer's zero-bordered copy and its broadcasts read
// contiguous memory: fewer cache lines in flight per tile. Model inputs and
// outputs, and anything else that reads the value, keep NCHW; so no layout
// conversion op is ever needed. Types stay NCHW (see channelBlockOf).
#include "compiler/passes/PassRegistry.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"

namespace netc {

bool blockChannels(Graph &graph, DiagnosticEngine &diags) {
  for (Op *op : graph.ops()) {
    if (op->kindName() != "conv2d" && op->kindName() != "fused_conv2d")
      continue;
    const Attribute *weightBlock = op->attrs().find("weight_block");
    int64_t block = weightBlock ? weightBlock->asInt() : 0;
    if (block <= 0 || channelBlockOf(*op->result()) != 0)
      continue;
    const Value *result = op->result();
    std::string why;
    if (!usersReadChannelBlocked(graph, *result, &why)) {
      diags.remark(op->loc(), "%" + result->name() + " stays NCHW: " + why);
      continue;
    }
    op->attrs().set("channel_block", Attribute::ofInt(block));
    diags.remark(op->loc(), "%" + result->name() + " stored blocked by " +
                                std::to_string(block) + " channels");
  }
  return true;
}

} // namespace netc
