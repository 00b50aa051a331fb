#include "frontends/weights/BindWeights.h"

#include "WeightsTestUtil.h"

using namespace netc;
using namespace netc::testing;

namespace {

TensorType f32(std::vector<int64_t> dims) {
  std::vector<Dim> d;
  for (int64_t n : dims)
    d.push_back(Dim::of(n));
  return TensorType(DType::F32, std::move(d));
}

bool contains(const std::string &haystack, const std::string &needle) {
  return haystack.find(needle) != std::string::npos;
}

} // namespace

TEST(BindWeights, BindsEveryWeight) {
  Graph g;
  Value *w = g.addWeight("fc.weight", f32({2, 3}));
  Value *b = g.addWeight("fc.bias", f32({2}));
  std::map<std::string, Tensor> tensors = {{"fc.weight", Tensor({2, 3}, {1, 2, 3, 4, 5, 6})},
                                           {"fc.bias", Tensor({2}, {7, 8})}};
  DiagnosticEngine diags;
  ASSERT_TRUE(bindWeights(g, tensors, "w.npz", diags));
  EXPECT_EQ(diags.errorCount(), 0u);
  ASSERT_TRUE(w->data() && b->data());
  EXPECT_EQ(w->data()->data, tensors["fc.weight"].data);
  EXPECT_EQ(b->data()->shape, std::vector<int64_t>{2});
}

TEST(BindWeights, ReportsMissingMisshapedAndExtraTensorsTogether) {
  llvm::SourceMgr sm;
  std::string source = "model m {\n  fc = dense(x, 10)\n}\n";
  sm.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(source, "m.nn"), llvm::SMLoc());
  const char *start = sm.getMemoryBuffer(sm.getMainFileID())->getBufferStart();
  llvm::SMLoc fcLoc = llvm::SMLoc::getFromPointer(start + source.find("fc ="));

  Graph g;
  Value *weight = g.addWeight("fc.weight", f32({10, 3072}), fcLoc);
  Value *bias = g.addWeight("fc.bias", f32({10}), fcLoc);
  Value *gamma = g.addWeight("bn.weight", f32({4}));
  Value *beta = g.addWeight("bn.bias", f32({4}));
  std::map<std::string, Tensor> tensors = {
      {"fc.weight", Tensor({10, 3000})},
      {"fc2.weight", Tensor({10, 3072})},
      {"bn.weight", Tensor({4}, {1, 1, 1, 1})},
      {"bn.bias", Tensor({2, 2}, {0, 0, 0, 0})},
      {"bn.num_batches_tracked", Tensor({}, {100})},
      {"completely_unrelated_thing", Tensor({1}, {0})},
  };
  DiagnosticEngine diags(sm);
  std::string printed;
  printed = captureStderr([&] { EXPECT_FALSE(bindWeights(g, tensors, "w.npz", diags)); });
  EXPECT_EQ(diags.errorCount(), 5u) << printed;
  EXPECT_TRUE(contains(printed, "w.npz: error: tensor 'fc.weight' has shape [10,3000] but the "
                                "model expects [10,3072]\n"))
      << printed;
  EXPECT_TRUE(contains(printed, "m.nn:2:3: note: 'fc.weight' is declared here")) << printed;
  EXPECT_TRUE(contains(printed, "w.npz: error: missing tensor 'fc.bias' (expected shape [10])\n"))
      << printed;
  EXPECT_TRUE(contains(printed, "w.npz: error: tensor 'bn.bias' has shape [2,2] but the model "
                                "expects [4]\n"))
      << printed;
  // bn.bias has no source location, so no note follows it.
  EXPECT_FALSE(contains(printed, "'bn.bias' is declared here")) << printed;
  EXPECT_TRUE(contains(printed, "w.npz: error: unexpected tensor 'fc2.weight': the model has no "
                                "weight of that name (did you mean 'fc.weight'?)\n"))
      << printed;
  EXPECT_TRUE(contains(printed, "w.npz: error: unexpected tensor 'completely_unrelated_thing': "
                                "the model has no weight of that name\n"))
      << printed;
  EXPECT_FALSE(contains(printed, "num_batches_tracked")) << printed;

  // What matched is bound; what did not stays unbound.
  EXPECT_TRUE(gamma->data());
  EXPECT_FALSE(weight->data());
  EXPECT_FALSE(bias->data());
  EXPECT_FALSE(beta->data());
}

TEST(BindWeights, SuggestionPrefersTheWeightThatIsMissing) {
  Graph g;
  g.addWeight("conv1.weight", f32({1}));
  g.addWeight("conv2.weight", f32({1}));
  // conv3.weight is one edit from both; conv2 has no tensor, so it is the likely typo.
  std::map<std::string, Tensor> tensors = {{"conv1.weight", Tensor({1}, {0})},
                                           {"conv3.weight", Tensor({1}, {0})}};
  DiagnosticEngine diags;
  std::string printed = captureStderr([&] { EXPECT_FALSE(bindWeights(g, tensors, "w", diags)); });
  EXPECT_EQ(diags.errorCount(), 2u);
  EXPECT_TRUE(contains(printed, "missing tensor 'conv2.weight'")) << printed;
  EXPECT_TRUE(contains(printed, "(did you mean 'conv2.weight'?)")) << printed;
}

TEST(BindWeights, RejectsTensorsWhoseDataDoesNotMatchTheirShape) {
  Graph g;
  g.addWeight("w", f32({2}));
  DiagnosticEngine diags;
  std::string printed = captureStderr([&] {
    EXPECT_FALSE(bindWeights(g, {{"w", Tensor({2}, {1, 2, 3})}}, "w.npz", diags));
  });
  EXPECT_EQ(diags.errorCount(), 1u);
  EXPECT_TRUE(contains(printed, "tensor 'w' is malformed")) << printed;
}

TEST(BindWeights, EmptyGraphAndEmptyFile) {
  Graph g;
  DiagnosticEngine diags;
  EXPECT_TRUE(bindWeights(g, {}, "w.npz", diags));
  EXPECT_TRUE(bindWeights(g, {{"x.num_batches_tracked", Tensor({}, {1})}}, "w.npz", diags));
  EXPECT_EQ(diags.errorCount(), 0u);
}
