// Elementwise activations. Each is a scalar function given twice: in plain C++ for
// the reference interpreter (evaluated in double, rounded once) and as a Halide
// expression for code generation. Semantics follow PyTorch.
#include "compiler/lower/LowerContext.h"
#include "compiler/lower/VectorMath.h"
#include "compiler/ops/OpHelpers.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace netc {
namespace {

struct Activation {
  const char *name;
  std::vector<std::string> dslAliases; // spellings besides `name`
  const char *summary;
  std::vector<AttrSpec> attrs;
  double (*reference)(double x, const AttrMap &attrs);
  Halide::Expr (*lower)(Halide::Expr x, const AttrMap &attrs);
  /// Checks the attributes; null when every value is valid. Sets `error` on failure.
  bool (*checkAttrs)(const AttrMap &attrs, std::string &error) = nullptr;
};

AttrSpec floatAttr(const char *name, std::optional<double> defaultValue) {
  return {name, AttrKind::Float,
          defaultValue ? std::optional<Attribute>(Attribute::ofFloat(*defaultValue))
                       : std::nullopt,
          0};
}

bool checkClipRange(const AttrMap &attrs, std::string &error) {
  double lo = attrs.getFloat("min"), hi = attrs.getFloat("max");
  if (lo <= hi)
    return true;
  error = "min must not exceed max, found min=" + attrs.find("min")->str() +
          " max=" + attrs.find("max")->str();
  return false;
}

// Halide evaluates these in f32; the constants are narrowed once here.
Halide::Expr f32(const AttrMap &attrs, const char *name) {
  return Halide::Expr((float)attrs.getFloat(name));
}

const Activation activations[] = {
    {"relu", {}, "max(x, 0)", {},
     [](double x, const AttrMap &) { return x > 0.0 ? x : 0.0; },
     [](Halide::Expr x, const AttrMap &) { return Halide::max(x, 0.0f); }},
    {"sigmoid", {}, "1 / (1 + exp(-x))", {},
     [](double x, const AttrMap &) { return 1.0 / (1.0 + std::exp(-x)); },
     [](Halide::Expr x, const AttrMap &) { return vectorSigmoid(x); }},
    {"tanh", {}, "hyperbolic tangent", {},
     [](double x, const AttrMap &) { return std::tanh(x); },
     [](Halide::Expr x, const AttrMap &) { return vectorTanh(x); }},
    {"leaky_relu", {}, "x if x > 0 else alpha * x", {floatAttr("alpha", 0.01)},
     [](double x, const AttrMap &a) { return x > 0.0 ? x : a.getFloat("alpha") * x; },
     [](Halide::Expr x, const AttrMap &a) {
       return Halide::select(x > 0.0f, x, f32(a, "alpha") * x);
     }},
    {"elu", {}, "x if x > 0 else alpha * (exp(x) - 1)", {floatAttr("alpha", 1.0)},
     [](double x, const AttrMap &a) {
       return x > 0.0 ? x : a.getFloat("alpha") * std::expm1(x);
     },
     [](Halide::Expr x, const AttrMap &a) {
       // exp(x) - 1 loses digits for x near 0, but only in absolute terms far
       // below the f32 tolerance of the result.
       return Halide::select(x > 0.0f, x, f32(a, "alpha") * (vectorExp(x) - 1.0f));
     }},
    {"hardsigmoid", {}, "clamp(alpha * x + beta, 0, 1); PyTorch's defaults (relu6(x + 3) / 6)",
     {floatAttr("alpha", 1.0 / 6.0), floatAttr("beta", 0.5)},
     [](double x, const AttrMap &a) {
       return std::clamp(a.getFloat("alpha") * x + a.getFloat("beta"), 0.0, 1.0);
     },
     [](Halide::Expr x, const AttrMap &a) {
       return Halide::clamp(f32(a, "alpha") * x + f32(a, "beta"), 0.0f, 1.0f);
     }},
    // ONNX's defaults: the float range, so an unset bound clips nothing.
    {"clip", {"clamp"}, "clamp(x, min, max)",
     {floatAttr("min", std::numeric_limits<float>::lowest()),
      floatAttr("max", std::numeric_limits<float>::max())},
     [](double x, const AttrMap &a) {
       return std::clamp(x, a.getFloat("min"), a.getFloat("max"));
     },
     [](Halide::Expr x, const AttrMap &a) {
       return Halide::clamp(x, f32(a, "min"), f32(a, "max"));
     },
     checkClipRange},
    {"relu6", {}, "clamp(x, 0, 6)", {},
     [](double x, const AttrMap &) { return std::clamp(x, 0.0, 6.0); },
     [](Halide::Expr x, const AttrMap &) { return Halide::clamp(x, 0.0f, 6.0f); }},
};

void registerActivation(const Activation &act) {
  OpDef def;
  def.name = act.name;
  def.dslNames = {act.name};
  def.dslNames.insert(def.dslNames.end(), act.dslAliases.begin(), act.dslAliases.end());
  def.summary = act.summary;
  def.operands = {{"input", false, false}};
  def.attrs = act.attrs;
  def.isElementwise = true;
  auto check = act.checkAttrs;
  def.inferType = [check](const Op &op, std::string &error) -> std::optional<TensorType> {
    if (check && !check(op.attrs(), error))
      return std::nullopt;
    return operandType(op, 0);
  };
  auto scalar = act.reference;
  def.reference = [scalar](const Op &op, const std::vector<const Tensor *> &in, Tensor &out) {
    for (size_t i = 0; i < in[0]->data.size(); ++i)
      out.data[i] = (float)scalar(in[0]->data[i], op.attrs());
  };
  auto expr = act.lower;
  def.lower = [expr](LowerContext &ctx, const Op &op) {
    std::vector<Halide::Var> vars = halideVars(ctx.operands[0].dimensions());
    // Suffixed: a Func named like a libm function (tanh, exp) clashes with it in AOT code.
    Halide::Func out(op.kindName() + "_out");
    out(vars) = expr(ctx.operands[0](vars), op.attrs());
    if (ctx.schedule)
      scheduleSimpleLoopNest(out, vars, halideExtents(ctx.resultType), ctx);
    return out;
  };
  OpRegistry::get().add(std::move(def));
}

} // namespace

void registerActivationOps() {
  for (const Activation &act : activations)
    registerActivation(act);
}

} // namespace netc
