#include "frontends/weights/WeightFile.h"

#include "WeightsTestUtil.h"

using namespace netc;
using namespace netc::testing;

TEST(WeightFile, RoundTripsEachFormatByExtension) {
  TempDir dir;
  std::map<std::string, Tensor> tensors = {{"conv.weight", Tensor({1, 2}, {3, 4})},
                                           {"conv.bias", Tensor({1}, {5})}};
  for (const char *name : {"w.npz", "w.safetensors", "W.NPZ", "w.SafeTensors"}) {
    DiagnosticEngine diags;
    std::string path = dir.file(name);
    ASSERT_TRUE(saveWeightFile(path, tensors, diags)) << name;
    std::map<std::string, Tensor> back;
    ASSERT_TRUE(loadWeightFile(path, back, diags)) << name;
    ASSERT_EQ(back.size(), 2u) << name;
    EXPECT_EQ(back["conv.weight"].data, (std::vector<float>{3, 4})) << name;
    EXPECT_EQ(back["conv.bias"].shape, std::vector<int64_t>{1}) << name;
  }
}

TEST(WeightFile, TheExtensionPicksTheFormat) {
  TempDir dir;
  DiagnosticEngine diags;
  std::map<std::string, Tensor> tensors = {{"a", Tensor({1}, {1})}};
  ASSERT_TRUE(saveWeightFile(dir.file("w.npz"), tensors, diags));
  ASSERT_TRUE(saveWeightFile(dir.file("w.safetensors"), tensors, diags));
  auto npz = llvm::MemoryBuffer::getFile(dir.file("w.npz"));
  auto st = llvm::MemoryBuffer::getFile(dir.file("w.safetensors"));
  ASSERT_TRUE(npz && st);
  EXPECT_TRUE((*npz)->getBuffer().startswith("PK"));
  EXPECT_TRUE((*st)->getBuffer().contains("\"dtype\":\"F32\""));
}

TEST(WeightFile, RejectsNpyAndUnknownExtensions) {
  TempDir dir;
  DiagnosticEngine diags;
  std::map<std::string, Tensor> tensors = {{"a", Tensor({1}, {1})}};
  std::map<std::string, Tensor> out;
  std::string printed = captureStderr([&] {
    EXPECT_FALSE(loadWeightFile(dir.file("w.npy"), out, diags));
    EXPECT_FALSE(saveWeightFile(dir.file("w.npy"), tensors, diags));
    EXPECT_FALSE(loadWeightFile(dir.file("w.pt"), out, diags));
    EXPECT_FALSE(saveWeightFile(dir.file("weights"), tensors, diags));
    EXPECT_FALSE(loadWeightFile(dir.file("missing.npz"), out, diags));
  });
  EXPECT_EQ(diags.errorCount(), 5u) << printed;
  EXPECT_NE(printed.find("w.npy: error: a .npy file holds a single unnamed array"),
            std::string::npos)
      << printed;
  EXPECT_NE(printed.find("use .npz (numpy.savez) or .safetensors"), std::string::npos);
  EXPECT_NE(printed.find("unrecognized weight file extension '.pt'"), std::string::npos);
  EXPECT_NE(printed.find("weight file has no extension"), std::string::npos);
  EXPECT_NE(printed.find("missing.npz: error: cannot read file"), std::string::npos);
  EXPECT_FALSE(llvm::sys::fs::exists(dir.file("w.npy")));
}
