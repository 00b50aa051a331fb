// fusion-bench: each conv + ReLU + pool layer of the course's networks run
// fused (-O1) and unfused (-O0) in the same process, on the same inputs and
// weights; prints the median time of each, their ratio and the intermediate
// memory each writes. Numbers are ratios measured in one run: the machine is
// shared and noisy, so absolute times are only indicative.
//
//   fusion-bench [--iterations K] [--batch N] [--filter SUBSTRING]
#include "compiler/codegen/ExecutionPlan.h"
#include "compiler/codegen/JitExecutor.h"
#include "compiler/passes/PassRegistry.h"
#include "frontends/dsl/DslParser.h"
#include "frontends/weights/RandomWeights.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"

#include <fmt/format.h>
#include <llvm/Support/MemoryBuffer.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace netc;

namespace {

struct Layer {
  const char *name;
  int channels, height, width, outChannels, kernel, pad, pool;
};

// conv(kernel, pad) → relu → maxpool(pool) layers of the networks the course
// covers: the ConvNetJS CIFAR-10 net, LeNet-5, VGG-16's stages (first conv of
// each stage with its pool) and ResNet-18's stem (7x7/2 conv + 3x3/2 pool is
// approximated by its 3x3 stages here: stride-1 convs followed by a 2x2 pool).
const Layer layers[] = {
    {"convnetjs.conv1", 3, 32, 32, 16, 5, 2, 2},   {"convnetjs.conv2", 16, 16, 16, 20, 5, 2, 2},
    {"convnetjs.conv3", 20, 8, 8, 20, 5, 2, 2},    {"lenet5.c1", 1, 28, 28, 6, 5, 2, 2},
    {"lenet5.c3", 6, 14, 14, 16, 5, 0, 2},         {"vgg16.stage1", 64, 224, 224, 64, 3, 1, 2},
    {"vgg16.stage2", 128, 112, 112, 128, 3, 1, 2}, {"vgg16.stage3", 256, 56, 56, 256, 3, 1, 2},
    {"vgg16.stage4", 512, 28, 28, 512, 3, 1, 2},   {"vgg16.stage5", 512, 14, 14, 512, 3, 1, 2},
    {"resnet18.layer1", 64, 56, 56, 64, 3, 1, 2},  {"resnet18.layer4", 512, 7, 7, 512, 3, 1, 1},
};

std::unique_ptr<Graph> buildLayer(const Layer &l, DiagnosticEngine &diags) {
  std::string source = fmt::format(
      "model layer {{\n  input x: f32[N, {}, {}, {}]\n  output y = conv2d(x, {}, kernel={}, "
      "pad={}) |> relu{}\n}}\n",
      l.channels, l.height, l.width, l.outChannels, l.kernel, l.pad,
      l.pool > 1 ? fmt::format(" |> maxpool({})", l.pool) : "");
  unsigned id = diags.sourceMgr().AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(source, l.name), llvm::SMLoc());
  return parseModelDsl(id, diags);
}

double medianMs(JitExecutor &exec, const TensorMap &inputs, int iterations,
                DiagnosticEngine &diags) {
  TensorMap outputs;
  exec.run(inputs, outputs, diags); // warm-up: thread pool, caches
  std::vector<double> times;
  for (int i = 0; i < iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    exec.run(inputs, outputs, diags);
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

} // namespace

int main(int argc, char **argv) {
  int iterations = 20, batch = 1;
  std::string filter;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--iterations"))
      iterations = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--batch"))
      batch = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--filter"))
      filter = argv[i + 1];
  }
  registerBuiltinOps();
  registerBuiltinPasses();
  fmt::print("{:<18} {:>6} {:>12} {:>12} {:>8} {:>16} {:>10}\n", "layer", "batch", "unfused ms",
             "fused ms", "speedup", "unfused interm.", "fused");
  for (const Layer &l : layers) {
    if (!filter.empty() && std::string(l.name).find(filter) == std::string::npos)
      continue;
    DiagnosticEngine diags;
    auto unfused = buildLayer(l, diags), fused = buildLayer(l, diags);
    if (!unfused || !fused)
      return 1;
    bindRandomWeights(*unfused, 1);
    bindRandomWeights(*fused, 1);
    PassPipelineOptions options;
    if (!runPassPipeline(*fused, optimizationPipeline(1), options, llvm::outs(), diags))
      return 1;
    TensorMap inputs;
    inputs["x"] = randomInput(unfused->inputs()[0]->type().concreteShape(batch), 2, "x");
    auto unfusedExec = JitExecutor::create(*unfused, "host", diags);
    auto fusedExec = JitExecutor::create(*fused, "host", diags);
    if (!unfusedExec || !fusedExec)
      return 1;
    // Iterations scale down for the big layers so the whole run stays short.
    int64_t flops = 2LL * l.outChannels * l.height * l.width * l.channels * l.kernel * l.kernel;
    int its = std::max(3, std::min(iterations, (int)(2e10 / (flops * (double)batch))));
    double tu = medianMs(*unfusedExec, inputs, its, diags);
    double tf = medianMs(*fusedExec, inputs, its, diags);
    // Intermediate bytes: every activation the unfused graph writes and reads
    // back (conv and relu outputs); the fused one writes none.
    ExecutionPlan up = planExecution(*unfused, "k"), fp = planExecution(*fused, "k");
    fmt::print("{:<18} {:>6} {:>12.3f} {:>12.3f} {:>7.2f}x {:>14.2f}MB {:>8.2f}MB\n", l.name,
               batch, tu, tf, tu / tf, up.activationFloatsPerItem * 4.0 * batch / 1e6,
               fp.activationFloatsPerItem * 4.0 * batch / 1e6);
  }
  return 0;
}
