#include "frontends/weights/Safetensors.h"

#include "WeightsTestUtil.h"

#include <cmath>

using namespace netc;
using namespace netc::testing;

namespace {

/// A .safetensors file from a JSON header and a data section, as any writer lays it out.
std::string makeSafetensors(const std::string &json, const std::string &data) {
  std::string s;
  appendLE(s, json.size(), 8);
  return s + json + data;
}

std::map<std::string, Tensor> readOk(const std::string &bytes) {
  DiagnosticEngine diags;
  std::map<std::string, Tensor> out;
  std::string printed =
      captureStderr([&] { EXPECT_TRUE(readSafetensorsBytes(bytes, "m.safetensors", out, diags)); });
  EXPECT_EQ(diags.errorCount(), 0u) << printed;
  return out;
}

std::string readErrors(const std::string &bytes, unsigned errors = 1) {
  DiagnosticEngine diags;
  std::map<std::string, Tensor> out = {{"keep", Tensor({1}, {1})}};
  std::string printed = captureStderr(
      [&] { EXPECT_FALSE(readSafetensorsBytes(bytes, "m.safetensors", out, diags)); });
  EXPECT_EQ(diags.errorCount(), errors) << printed;
  EXPECT_EQ(out.size(), 1u) << "output must be left unchanged on failure";
  return printed;
}

bool contains(const std::string &haystack, const std::string &needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string u16Bytes(std::initializer_list<uint16_t> values) {
  std::string s;
  for (uint16_t v : values)
    appendLE(s, v, 2);
  return s;
}

} // namespace

TEST(Safetensors, RoundTripThroughFile) {
  TempDir dir;
  DiagnosticEngine diags;
  std::map<std::string, Tensor> tensors = {
      {"fc.weight", Tensor({2, 3}, {1, 2, 3, 4, 5, 6})},
      {"fc.bias", Tensor({2}, {-1, 1})},
      {"scalar", Tensor({}, {7})},
      {"empty", Tensor({0}, {})},
  };
  std::string path = dir.file("m.safetensors");
  ASSERT_TRUE(writeSafetensors(path, tensors, diags));
  std::map<std::string, Tensor> back;
  ASSERT_TRUE(readSafetensors(path, back, diags));
  ASSERT_EQ(back.size(), tensors.size());
  for (const auto &[key, t] : tensors) {
    EXPECT_EQ(back[key].shape, t.shape) << key;
    EXPECT_EQ(back[key].data, t.data) << key;
  }
}

TEST(Safetensors, WriterLayout) {
  TempDir dir;
  DiagnosticEngine diags;
  std::string path = dir.file("m.safetensors");
  ASSERT_TRUE(writeSafetensors(path, {{"b", Tensor({1}, {2})}, {"a", Tensor({2}, {0, 1})}}, diags));
  auto buffer = llvm::MemoryBuffer::getFile(path);
  ASSERT_TRUE(buffer);
  llvm::StringRef bytes = (*buffer)->getBuffer();
  uint64_t headerLength = llvm::support::endian::read64le(bytes.data());
  EXPECT_EQ(headerLength % 8, 0u) << "tensor data should start 8-byte aligned";
  EXPECT_EQ(bytes.substr(8, headerLength).rtrim(' '),
            R"({"a":{"data_offsets":[0,8],"dtype":"F32","shape":[2]},)"
            R"("b":{"data_offsets":[8,12],"dtype":"F32","shape":[1]}})");
  EXPECT_EQ(bytes.drop_front(8 + headerLength), f32Bytes({0, 1, 2}));
}

TEST(Safetensors, ConvertsEveryDtypeAndIgnoresMetadata) {
  std::string data = f32Bytes({1.5f, -2}) + f64Bytes({0.1}) +
                     u16Bytes({0x3c00, 0xbc00}) + // F16 1, -1
                     u16Bytes({0x3fc0, 0xc120});  // BF16 1.5, -10
  std::string i64;
  appendLE(i64, uint64_t(-5), 8);
  data += i64 + std::string("\x01\x00", 2);
  std::string json = R"({"__metadata__": {"format": "pt"},
      "f32": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
      "f64": {"dtype": "F64", "shape": [], "data_offsets": [8, 16]},
      "f16": {"dtype": "F16", "shape": [2, 1], "data_offsets": [16, 20]},
      "bf16": {"dtype": "BF16", "shape": [2], "data_offsets": [20, 24]},
      "bn.num_batches_tracked": {"dtype": "I64", "shape": [], "data_offsets": [24, 32]},
      "mask": {"dtype": "BOOL", "shape": [2], "data_offsets": [32, 34]}})";
  auto tensors = readOk(makeSafetensors(json, data));
  ASSERT_EQ(tensors.size(), 6u);
  EXPECT_EQ(tensors["f32"].data, (std::vector<float>{1.5f, -2}));
  EXPECT_TRUE(tensors["f64"].shape.empty());
  EXPECT_EQ(tensors["f64"].data, std::vector<float>{0.1f});
  EXPECT_EQ(tensors["f16"].shape, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(tensors["f16"].data, (std::vector<float>{1, -1}));
  EXPECT_EQ(tensors["bf16"].data, (std::vector<float>{1.5f, -10}));
  EXPECT_EQ(tensors["bn.num_batches_tracked"].data, std::vector<float>{-5});
  EXPECT_EQ(tensors["mask"].data, (std::vector<float>{1, 0}));
}

TEST(Safetensors, ReportsMalformedFiles) {
  std::string one = f32Bytes({1});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "too short for the header length"},
      {std::string("\x05\x00\x00", 3), "too short for the header length"},
      {makeSafetensors("{}", "").replace(0, 8, std::string("\xff\xff\xff\xff\xff\xff\xff\xff", 8)),
       "header length 18446744073709551615 exceeds"},
      {makeSafetensors(R"({"a": )", one), "invalid JSON header"},
      {makeSafetensors("[1, 2]", one), "JSON header is not an object"},
      {makeSafetensors(std::string("{\"\xff\": 1}"), one), "invalid JSON header"},
      {makeSafetensors(R"({"a": 1})", one), "tensor 'a': header entry is not a JSON object"},
      {makeSafetensors(R"({"a": {"shape": [1], "data_offsets": [0, 4]}})", one),
       "tensor 'a': missing string field 'dtype'"},
      {makeSafetensors(R"({"a": {"dtype": "C64", "shape": [1], "data_offsets": [0, 4]}})", one),
       "unsupported dtype 'C64'"},
      {makeSafetensors(R"({"a": {"dtype": "F32", "data_offsets": [0, 4]}})", one),
       "missing array field 'shape'"},
      {makeSafetensors(R"({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", one),
       "non-negative integers"},
      {makeSafetensors(R"({"a": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}})", one),
       "non-negative integers"},
      {makeSafetensors(
           R"({"a": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 4]}})",
           one),
       "is too large"},
      {makeSafetensors(R"({"a": {"dtype": "F32", "shape": [1]}})", one),
       "missing field 'data_offsets'"},
      {makeSafetensors(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0]}})", one),
       "missing field 'data_offsets'"},
      {makeSafetensors(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, -4]}})", one),
       "two non-negative integers"},
      {makeSafetensors(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})", one),
       "data_offsets [4, 8] lie outside the 4-byte data section"},
      {makeSafetensors(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}})", one),
       "data_offsets [4, 0] end before they begin"},
      {makeSafetensors(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}})", one),
       "data_offsets [0, 4] span 4 bytes but shape [2] of F32 needs 8"},
      {makeSafetensors(R"({"a": {"dtype": "F16", "shape": [1], "data_offsets": [0, 4]}})", one),
       "needs 2"},
      {makeSafetensors(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                           "b": {"dtype": "F16", "shape": [1], "data_offsets": [2, 4]}})",
                       one),
       "tensor 'b' (bytes [2, 4)) overlaps tensor 'a' (bytes [0, 4))"},
  };
  for (const auto &[bytes, expected] : cases) {
    std::string printed = readErrors(bytes);
    EXPECT_TRUE(contains(printed, "m.safetensors: error: ")) << printed;
    EXPECT_TRUE(contains(printed, expected)) << "expected '" << expected << "' in: " << printed;
  }
}

TEST(Safetensors, ReportsEveryBadTensor) {
  std::string json = R"({"a": {"dtype": "U16", "shape": [1], "data_offsets": [0, 2]},
                         "b": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                         "c": {"dtype": "F32", "shape": [9], "data_offsets": [0, 4]}})";
  std::string printed = readErrors(makeSafetensors(json, f32Bytes({1})), 2);
  EXPECT_TRUE(contains(printed, "tensor 'a': unsupported dtype 'U16'")) << printed;
  EXPECT_TRUE(contains(printed, "tensor 'c': data_offsets")) << printed;
}

TEST(Safetensors, EveryTruncationAndByteFlipIsHandled) {
  TempDir dir;
  DiagnosticEngine diags;
  std::string path = dir.file("m.safetensors");
  ASSERT_TRUE(writeSafetensors(
      path, {{"w", Tensor({2, 2}, {1, 2, 3, 4})}, {"b", Tensor({2}, {5, 6})}}, diags));
  auto buffer = llvm::MemoryBuffer::getFile(path);
  ASSERT_TRUE(buffer);
  std::string good = std::string((*buffer)->getBuffer());
  size_t dataStart = good.size() - 24;
  for (size_t length = 0; length < good.size(); ++length) {
    DiagnosticEngine d;
    std::map<std::string, Tensor> out;
    captureStderr([&] { EXPECT_FALSE(readSafetensorsBytes(good.substr(0, length), "x", out, d)); });
    EXPECT_GE(d.errorCount(), 1u) << "length " << length;
  }
  for (size_t pos = 0; pos < dataStart; ++pos) {
    for (char value : {'\0', '\xff', '9', '"', '-'}) {
      std::string bytes = good;
      bytes[pos] = value;
      DiagnosticEngine d;
      std::map<std::string, Tensor> out;
      bool ok = false;
      captureStderr([&] { ok = readSafetensorsBytes(bytes, "x", out, d); });
      EXPECT_EQ(ok, d.errorCount() == 0) << "byte " << pos;
      for (const auto &entry : out)
        EXPECT_EQ(size_t(Tensor::countElements(entry.second.shape)), entry.second.data.size());
    }
  }
}

TEST(Safetensors, WriteErrors) {
  TempDir dir;
  DiagnosticEngine diags;
  std::string printed = captureStderr([&] {
    EXPECT_FALSE(writeSafetensors(dir.file("m.safetensors"),
                                  {{"bad", Tensor({2}, {1})},
                                   {"__metadata__", Tensor({1}, {1})},
                                   {std::string("\xff"), Tensor({1}, {1})}},
                                  diags));
  });
  EXPECT_EQ(diags.errorCount(), 3u) << printed;
  EXPECT_TRUE(contains(printed, "cannot write tensor 'bad'")) << printed;
  EXPECT_TRUE(contains(printed, "reserved")) << printed;
  EXPECT_TRUE(contains(printed, "not valid UTF-8")) << printed;
  EXPECT_FALSE(llvm::sys::fs::exists(dir.file("m.safetensors")));
}
