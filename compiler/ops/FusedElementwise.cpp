// fused_elementwise: a chain of same-shape elementwise ops run as one loop.
// The chain is kept as a small IR body in the `body` attribute, e.g.
//   %y = fused_elementwise(%a, %b) {body="%t0 = add(%in0, %in1); %t1 = relu(%t0)"} : f32[N,8]
// so the fused op prints, parses and verifies like any other; its reference
// kernel and lowering rebuild the chain and reuse each op's own definitions.
#include "compiler/lower/LowerContext.h"
#include "compiler/ops/OpHelpers.h"
#include "ir/IRParser.h"
#include "ir/Printer.h"

#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>

namespace netc {

namespace {

constexpr int kMaxInputs = 8;

/// The chain as a graph over inputs %in0.., every value of the result's type.
std::unique_ptr<Graph> parseBody(const Op &op, std::string &error) {
  const std::string &body = op.attrs().getString("body");
  const std::string type = op.result()->type().str();
  std::string text = "graph @body(";
  int inputs = 0;
  for (const Value *v : op.operands()) {
    if (!v)
      continue;
    if (inputs)
      text += ", ";
    text += "%in" + std::to_string(inputs) + ": " + type;
    ++inputs;
  }
  std::string statements, last;
  llvm::SmallVector<llvm::StringRef, 8> parts;
  llvm::StringRef(body).split(parts, ';', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef part : parts) {
    part = part.trim();
    statements += "  " + part.str() + " : " + type + "\n";
    last = part.substr(1, part.find_first_of(" =") - 1).str();
  }
  text += ") -> (%" + last + ": " + type + ") {\n" + statements + "}\n";
  // Errors in the body are reported as one message on the fused op.
  llvm::SourceMgr sm;
  std::string messages;
  sm.setDiagHandler(
      [](const llvm::SMDiagnostic &d, void *out) {
        auto &messages = *static_cast<std::string *>(out);
        messages += (messages.empty() ? "" : "; ") + d.getMessage().str();
      },
      &messages);
  sm.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, "body"), llvm::SMLoc());
  DiagnosticEngine diags(sm);
  auto graph = parseGraphIR(1, diags);
  if (!graph) {
    error = "invalid body: " + messages;
    return nullptr;
  }
  for (const Op *inner : graph->ops())
    if (!inner->def().isElementwise || inner->def().isView) {
      error = "body op '" + inner->kindName() + "' is not elementwise";
      return nullptr;
    } else {
      std::string innerError;
      auto t = inner->def().inferType(*inner, innerError);
      if (!t || *t != inner->result()->type()) {
        error = "body op '" + inner->kindName() + "': " +
                (innerError.empty() ? "changes the shape" : innerError);
        return nullptr;
      }
    }
  return graph;
}

std::optional<TensorType> inferFusedElementwise(const Op &op, std::string &error) {
  const TensorType &type = operandType(op, 0);
  for (const Value *v : op.operands())
    if (v && v->type() != type)
      return error = "operands must have one shape, found " + type.shapeStr() + " and " +
                     v->type().shapeStr(),
             std::nullopt;
  // The body is typed with the result type; while that disagrees with the
  // operands the verifier reports the mismatch instead.
  if (op.result()->type() == type && !parseBody(op, error))
    return std::nullopt;
  return type;
}

void referenceFusedElementwise(const Op &op, const std::vector<const Tensor *> &in,
                               Tensor &out) {
  std::string error;
  auto body = parseBody(op, error);
  std::map<const Value *, Tensor> values;
  std::map<const Value *, const Tensor *> bound;
  for (size_t i = 0; i < body->inputs().size(); ++i)
    bound[body->inputs()[i]] = in[i];
  for (const Op *inner : body->ops()) {
    std::vector<const Tensor *> operands;
    for (const Value *v : inner->operands())
      operands.push_back(v ? bound.at(v) : nullptr);
    Tensor &result = values[inner->result()];
    result = Tensor(out.shape);
    inner->def().reference(*inner, operands, result);
    bound[inner->result()] = &result;
  }
  out.data = bound.at(body->outputs()[0])->data;
}

Halide::Func lowerFusedElementwise(LowerContext &ctx, const Op &op) {
  std::string error;
  auto body = parseBody(op, error);
  std::map<const Value *, Halide::Func> funcs;
  size_t next = 0;
  for (size_t i = 0; i < ctx.operands.size(); ++i)
    if (ctx.operands[i].defined())
      funcs[body->inputs()[next++]] = ctx.operands[i];
  // Every op of the chain is inlined into the last one's loop.
  for (const Op *inner : body->ops()) {
    std::vector<Halide::Func> operands;
    for (const Value *v : inner->operands())
      operands.push_back(v ? funcs.at(v) : Halide::Func());
    std::vector<TensorType> types(operands.size(), ctx.operandTypes[0]);
    LowerContext innerCtx = ctx.inlined(std::move(operands), std::move(types), ctx.resultType);
    funcs[inner->result()] = inner->def().lower(innerCtx, *inner);
  }
  Halide::Func last = funcs.at(body->outputs()[0]);
  std::vector<Halide::Var> vars = halideVars(ctx.operands[0].dimensions());
  Halide::Func out("fused_elementwise");
  out(vars) = last(vars);
  if (ctx.schedule)
    scheduleSimpleLoopNest(out, vars, halideExtents(ctx.resultType), ctx);
  return out;
}

} // namespace

void registerFusedElementwiseOp() {
  OpDef def;
  def.name = "fused_elementwise";
  def.madeByPasses = true;
  def.summary = "a chain of same-shape elementwise ops in one loop (made by fuse-elementwise)";
  for (int i = 0; i < kMaxInputs; ++i)
    def.operands.push_back({"in" + std::to_string(i), false, i > 0});
  def.attrs = {{"body", AttrKind::String, std::nullopt, 0}};
  def.isElementwise = true;
  def.inferType = inferFusedElementwise;
  def.reference = referenceFusedElementwise;
  def.lower = lowerFusedElementwise;
  OpRegistry::get().add(std::move(def));
}

} // namespace netc
