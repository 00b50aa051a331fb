// prelu: x if x > 0 else slope[c] * x, with a learned slope per channel (dim 1:
// C of NCHW, the features of [N, features]) in `<layer>.weight`, PyTorch's
// nn.PReLU(num_parameters=C). A weight of shape [1] shares one slope across all
// channels (nn.PReLU()'s default).
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/OpHelpers.h"

namespace netc {
namespace {

std::optional<TensorType> inferPrelu(const Op &op, std::string &error) {
  const TensorType &in = operandType(op, 0), &slope = operandType(op, 1);
  if (in.rank() < 2)
    return error = "input must have a channel dim (rank 2 or more, channels at dim 1), found " +
                   in.shapeStr(),
           std::nullopt;
  int64_t channels = in.dim(1).size;
  if (slope.rank() != 1 || (slope.dim(0).size != channels && slope.dim(0).size != 1))
    return error = describeOperand(op, 1) + " does not match the " + std::to_string(channels) +
                   " channels of input " + in.shapeStr() + " (expected [" +
                   std::to_string(channels) + "], or [1] for one shared slope)",
           std::nullopt;
  return in;
}

bool buildPrelu(const DslCall &call, DslLowering &out, std::string &error) {
  const TensorType &in = call.inputTypes[0];
  if (in.rank() < 2)
    return error = "input must have a channel dim (rank 2 or more, channels at dim 1), found " +
                   in.shapeStr(),
           false;
  int64_t slopes = call.args.getBool("shared") ? 1 : in.dim(1).size;
  out.weights.push_back({"weight", TensorType(DType::F32, {Dim::of(slopes)})});
  return true;
}

void referencePrelu(const Op &, const std::vector<const Tensor *> &in, Tensor &out) {
  const Tensor &x = *in[0], &slope = *in[1];
  int64_t channels = x.shape[1], inner = 1;
  for (size_t d = 2; d < x.rank(); ++d)
    inner *= x.shape[d];
  bool shared = slope.numElements() == 1;
  for (int64_t i = 0; i < x.numElements(); ++i) {
    int64_t c = i / inner % channels;
    double v = x.data[i];
    out.data[i] = (float)(v > 0 ? v : (double)slope.data[shared ? 0 : c] * v);
  }
}

Halide::Func lowerPrelu(LowerContext &ctx, const Op &) {
  using namespace Halide;
  size_t rank = ctx.operandTypes[0].rank();
  std::vector<Var> vars = halideVars(rank);
  Var channel = vars[halideDim(1, rank)];
  bool shared = ctx.operandTypes[1].dim(0).size == 1;
  Expr x = ctx.operands[0](vars);
  Expr slope = ctx.operands[1](shared ? Expr(0) : Expr(channel));
  Func out("prelu");
  out(vars) = select(x > 0.0f, x, slope * x);
  if (ctx.schedule)
    scheduleSimpleLoopNest(out, vars, halideExtents(ctx.resultType), ctx);
  return out;
}

} // namespace

void registerPreluOp() {
  OpDef def;
  def.name = "prelu";
  def.summary = "x if x > 0 else weight[c] * x; learned slope per channel (dim 1), "
                "weight [C] or [1] (shared)";
  def.operands = {{"input", false, false}, {"weight", true, false}};
  def.dslParams = {{"shared", AttrKind::Bool, Attribute::ofBool(false), 0}};
  def.inferType = inferPrelu;
  def.buildFromDsl = buildPrelu;
  def.reference = referencePrelu;
  def.lower = lowerPrelu;
  OpRegistry::get().add(std::move(def));
}

} // namespace netc
