// batchnorm: inference-time batch normalization over channel dim 1 (NCHW, or the
// features of [N, features]), PyTorch's BatchNorm1d/2d in eval mode and ONNX
// BatchNormalization:
//   y = (x - running_mean[c]) / sqrt(running_var[c] + eps) * weight[c] + bias[c]
// The operands are named like torchvision's state_dict keys: `<layer>.weight`
// (gamma), `.bias` (beta), `.running_mean`, `.running_var`, all [C].
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/OpHelpers.h"

#include <cmath>

namespace netc {
namespace {

const char *const parameterNames[] = {"weight", "bias", "running_mean", "running_var"};

bool checkChannelInput(const TensorType &in, std::string &error) {
  if (in.rank() >= 2)
    return true;
  error = "input must have a channel dim (rank 2 or more, channels at dim 1), found " +
          in.shapeStr();
  return false;
}

std::optional<TensorType> inferBatchNorm(const Op &op, std::string &error) {
  const TensorType &in = operandType(op, 0);
  if (!checkChannelInput(in, error))
    return std::nullopt;
  double eps = op.attrs().getFloat("eps");
  if (!(eps >= 0))
    return error = "eps must not be negative, found " + op.attrs().find("eps")->str(),
           std::nullopt;
  int64_t channels = in.dim(1).size;
  for (size_t i = 1; i <= 4; ++i) {
    const TensorType &param = operandType(op, i);
    if (param.rank() != 1 || param.dim(0).size != channels)
      return error = describeOperand(op, i) + " does not match the " +
                     std::to_string(channels) + " channels of input " + in.shapeStr() +
                     " (expected [" + std::to_string(channels) + "])",
             std::nullopt;
  }
  return in;
}

bool buildBatchNorm(const DslCall &call, DslLowering &out, std::string &error) {
  const TensorType &in = call.inputTypes[0];
  if (!checkChannelInput(in, error))
    return false;
  out.attrs.set("eps", *call.args.find("eps"));
  for (const char *name : parameterNames)
    out.weights.push_back({name, TensorType(DType::F32, {in.dim(1)})});
  return true;
}

void referenceBatchNorm(const Op &op, const std::vector<const Tensor *> &in, Tensor &out) {
  const Tensor &x = *in[0], &gamma = *in[1], &beta = *in[2], &mean = *in[3], &var = *in[4];
  double eps = op.attrs().getFloat("eps");
  int64_t channels = x.shape[1], inner = 1;
  for (size_t d = 2; d < x.rank(); ++d)
    inner *= x.shape[d];
  for (int64_t i = 0; i < x.numElements(); ++i) {
    int64_t c = i / inner % channels;
    double normalized = ((double)x.data[i] - mean.data[c]) / std::sqrt((double)var.data[c] + eps);
    out.data[i] = (float)(normalized * gamma.data[c] + beta.data[c]);
  }
}

Halide::Func lowerBatchNorm(LowerContext &ctx, const Op &op) {
  using namespace Halide;
  size_t rank = ctx.operandTypes[0].rank();
  std::vector<Var> vars = halideVars(rank);
  Var c = vars[halideDim(1, rank)], ch("ch");
  const float eps = (float)op.attrs().getFloat("eps");
  // Fold the four parameters into one multiply-add per element. The per-channel
  // scale and shift are tiny and independent of the consumer's loops, so they
  // are computed once up front even when the op is inlined into a consumer.
  Func scale("batchnorm_scale"), shift("batchnorm_shift");
  Func gamma = ctx.operands[1], beta = ctx.operands[2], mean = ctx.operands[3],
       var = ctx.operands[4];
  scale(ch) = gamma(ch) / sqrt(var(ch) + eps);
  shift(ch) = beta(ch) - mean(ch) * scale(ch);
  if (!ctx.autoscheduled) {
    scale.compute_root();
    shift.compute_root();
  }
  Func out("batchnorm");
  out(vars) = ctx.operands[0](vars) * scale(c) + shift(c);
  if (ctx.schedule)
    scheduleSimpleLoopNest(out, vars, halideExtents(ctx.resultType), ctx);
  return out;
}

} // namespace

void registerBatchNormOp() {
  OpDef def;
  def.name = "batchnorm";
  def.dslNames = {"batchnorm", "batch_norm"};
  def.summary = "inference batch normalization over channel dim 1 with weight, bias, "
                "running_mean, running_var [C]";
  def.operands = {{"input", false, false}};
  for (const char *name : parameterNames)
    def.operands.push_back({name, true, false});
  def.attrs = {{"eps", AttrKind::Float, Attribute::ofFloat(1e-5), 0}};
  def.dslParams = def.attrs;
  def.inferType = inferBatchNorm;
  def.buildFromDsl = buildBatchNorm;
  def.reference = referenceBatchNorm;
  def.lower = lowerBatchNorm;
  OpRegistry::get().add(std::move(def));
}

} // namespace netc
