// netc check / print-ir / ops: looking at a model and at the op set.
#include "Driver.h"
#include "ir/OpRegistry.h"
#include "ir/Printer.h"

#include <fmt/format.h>

#include <llvm/Support/raw_ostream.h>

namespace netc::driver {

namespace cl = llvm::cl;

static cl::opt<std::string> checkModel(cl::Positional, cl::desc("<model.nn|model.ir>"),
                                       cl::Required, cl::sub(checkCommand));
static cl::opt<std::string> printModel(cl::Positional, cl::desc("<model.nn|model.ir>"),
                                       cl::Required, cl::sub(printIrCommand));
static cl::opt<std::string> printTarget(
    "target", cl::desc("Halide target the IR is optimized for (default host): some passes choose "
                       "by it"),
    cl::init("host"), cl::sub(printIrCommand), cl::cat(category));

int runCheck(DiagnosticEngine &diags) {
  std::unique_ptr<Graph> graph = loadModelWithWeights(checkModel, false, diags);
  if (!graph)
    return 1;
  struct Row {
    std::string layer, op, shape, params;
  };
  std::vector<Row> rows;
  // Running statistics (batchnorm's running_mean/var) are state, not learned
  // parameters: they are reported apart, as PyTorch's parameter counts do.
  int64_t weightCount = 0, biasCount = 0, statCount = 0;
  for (const Value *in : graph->inputs())
    rows.push_back({in->name(), "input", in->type().shapeStr(), "0"});
  for (const Op *op : graph->ops()) {
    int64_t params = 0;
    for (size_t i = 0; i < op->operands().size(); ++i) {
      const Value *v = op->operand(i);
      if (!v || !v->isWeight())
        continue;
      int64_t n = v->type().numElements(1);
      const std::string &role = op->def().operands[i].name;
      if (role == "running_mean" || role == "running_var") {
        statCount += n;
        continue;
      }
      params += n;
      (role == "bias" ? biasCount : weightCount) += n;
    }
    rows.push_back({op->result()->name(), op->kindName(), op->result()->type().shapeStr(),
                    withThousands(params)});
  }
  size_t w0 = 5, w1 = 2, w2 = 12, w3 = 6;
  for (const Row &r : rows) {
    w0 = std::max(w0, r.layer.size());
    w1 = std::max(w1, r.op.size());
    w2 = std::max(w2, r.shape.size());
    w3 = std::max(w3, r.params.size());
  }
  std::string out = fmt::format("Model: {}\n", graph->name());
  std::string rule(w0 + w1 + w2 + w3 + 6, '-');
  out += fmt::format("{:<{}}  {:<{}}  {:<{}}  {:>{}}\n{}\n", "Layer", w0, "Op", w1,
                     "Output shape", w2, "Params", w3, rule);
  for (const Row &r : rows)
    out += fmt::format("{:<{}}  {:<{}}  {:<{}}  {:>{}}\n", r.layer, w0, r.op, w1, r.shape, w2,
                       r.params, w3);
  out += rule + "\n";
  out += fmt::format("Total parameters: {} ({} weights, {} biases)\n",
                     withThousands(weightCount + biasCount), withThousands(weightCount),
                     withThousands(biasCount));
  if (statCount)
    out += fmt::format("Running statistics (not parameters): {}\n", withThousands(statCount));
  for (const Value *o : graph->outputs())
    out += fmt::format("Output: {} {}\n", o->name(), o->type().str());
  llvm::outs() << out;
  return 0;
}

int runPrintIr(DiagnosticEngine &diags) {
  std::unique_ptr<Graph> graph = loadModelWithWeights(printModel, false, diags);
  if (!graph || !optimizeGraph(*graph, diags, printTarget))
    return 1;
  printGraph(*graph, llvm::outs());
  return 0;
}

int runOps() {
  std::string out;
  for (const auto &def : OpRegistry::get().all()) {
    std::string spellings;
    for (const auto &n : def->dslNames)
      spellings += (spellings.empty() ? "" : ", ") + n;
    out += fmt::format("{:<12} {}\n", def->name, def->summary);
    if (def->madeByPasses) {
      out += fmt::format("{:<12}   IR only: made by a pass, not written in a model\n", "");
      continue;
    }
    out += fmt::format("{:<12}   DSL: {}(", "", spellings);
    bool first = true;
    for (const auto &o : def->operands)
      if (!o.isWeight) {
        out += (first ? "" : ", ") + o.name;
        first = false;
      }
    const auto &params = def->dslParams.empty() ? def->attrs : def->dslParams;
    for (const auto &p : params) {
      out += (first ? "" : ", ") + p.name;
      if (p.defaultValue)
        out += "=" + p.defaultValue->str();
      first = false;
    }
    out += ")\n";
  }
  llvm::outs() << out;
  return 0;
}

} // namespace netc::driver
