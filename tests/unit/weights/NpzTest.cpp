#include "frontends/weights/Npz.h"

#include "frontends/weights/Npy.h"

#include "WeightsTestUtil.h"

using namespace netc;
using namespace netc::testing;

namespace {

// An archive written by CPython's zipfile exactly the way numpy.savez does it
// (ZipFile.open(name, 'w', force_zip64=True), so local headers carry ZIP64 extras):
//   conv.weight.npy  stored,   <f4 (2, 3) = [[1, 2, 3], [4, 5, 6]]
//   conv.bias.npy    deflated, <f8 (3,)   = [0.5, -1.5, 2.25]
// Produced by a short Python script with zipfile and struct (numpy's .npy header
// format written by hand).
const unsigned char kPythonNpz[] = {
    0x50, 0x4b, 0x03, 0x04, 0x2d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21, 0x00, 0x7c, 0x9c,
    0xde, 0xa2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x14, 0x00, 0x63, 0x6f,
    0x6e, 0x76, 0x2e, 0x77, 0x65, 0x69, 0x67, 0x68, 0x74, 0x2e, 0x6e, 0x70, 0x79, 0x01, 0x00, 0x10,
    0x00, 0x98, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x98, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00, 0x7b, 0x27, 0x64, 0x65, 0x73,
    0x63, 0x72, 0x27, 0x3a, 0x20, 0x27, 0x3c, 0x66, 0x34, 0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f, 0x72,
    0x74, 0x72, 0x61, 0x6e, 0x5f, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x46, 0x61, 0x6c,
    0x73, 0x65, 0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3a, 0x20, 0x28, 0x32, 0x2c,
    0x20, 0x33, 0x29, 0x2c, 0x20, 0x7d, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x0a, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x40, 0x40, 0x00, 0x00, 0x80,
    0x40, 0x00, 0x00, 0xa0, 0x40, 0x00, 0x00, 0xc0, 0x40, 0x50, 0x4b, 0x03, 0x04, 0x2d, 0x00, 0x00,
    0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00, 0x9e, 0xb5, 0x85, 0xda, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0x0d, 0x00, 0x14, 0x00, 0x63, 0x6f, 0x6e, 0x76, 0x2e, 0x62, 0x69, 0x61, 0x73,
    0x2e, 0x6e, 0x70, 0x79, 0x01, 0x00, 0x10, 0x00, 0x98, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x50, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9b, 0xec, 0x17, 0xea, 0x1b, 0x10, 0xc9, 0xc8,
    0x50, 0xc6, 0x50, 0xad, 0x9e, 0x92, 0x5a, 0x9c, 0x5c, 0xa4, 0x6e, 0xa5, 0xa0, 0x6e, 0x93, 0x66,
    0xa1, 0xae, 0xa3, 0xa0, 0x9e, 0x96, 0x5f, 0x54, 0x52, 0x94, 0x98, 0x17, 0x9f, 0x5f, 0x94, 0x92,
    0x0a, 0x12, 0x77, 0x4b, 0xcc, 0x29, 0x4e, 0x05, 0x8a, 0x17, 0x67, 0x24, 0x16, 0xa4, 0x02, 0xf9,
    0x1a, 0xc6, 0x3a, 0x9a, 0x3a, 0x0a, 0xb5, 0x0a, 0x14, 0x00, 0x2e, 0x06, 0x30, 0x78, 0x60, 0x0f,
    0xa1, 0x7f, 0xec, 0x87, 0xd0, 0x4c, 0x0e, 0x00, 0x50, 0x4b, 0x01, 0x02, 0x2d, 0x03, 0x2d, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21, 0x00, 0x7c, 0x9c, 0xde, 0xa2, 0x98, 0x00, 0x00, 0x00,
    0x98, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x63, 0x6f, 0x6e, 0x76, 0x2e, 0x77, 0x65, 0x69, 0x67, 0x68,
    0x74, 0x2e, 0x6e, 0x70, 0x79, 0x50, 0x4b, 0x01, 0x02, 0x2d, 0x03, 0x2d, 0x00, 0x00, 0x00, 0x08,
    0x00, 0x00, 0x00, 0x21, 0x00, 0x9e, 0xb5, 0x85, 0xda, 0x50, 0x00, 0x00, 0x00, 0x98, 0x00, 0x00,
    0x00, 0x0d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x01, 0xd9,
    0x00, 0x00, 0x00, 0x63, 0x6f, 0x6e, 0x76, 0x2e, 0x62, 0x69, 0x61, 0x73, 0x2e, 0x6e, 0x70, 0x79,
    0x50, 0x4b, 0x05, 0x06, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x78, 0x00, 0x00, 0x00,
    0x68, 0x01, 0x00, 0x00, 0x00, 0x00,
};

std::string npyOf(const Tensor &t) { return npyBytes(t); }

std::map<std::string, Tensor> readOk(const std::string &bytes) {
  DiagnosticEngine diags;
  std::map<std::string, Tensor> out;
  std::string printed =
      captureStderr([&] { EXPECT_TRUE(readNpzBytes(bytes, "w.npz", out, diags)); });
  EXPECT_EQ(diags.errorCount(), 0u) << printed;
  return out;
}

/// Reads `bytes` expecting failure with `errors` errors; returns the diagnostics.
std::string readErrors(const std::string &bytes, unsigned errors = 1) {
  DiagnosticEngine diags;
  std::map<std::string, Tensor> out = {{"keep", Tensor({1}, {1})}};
  std::string printed =
      captureStderr([&] { EXPECT_FALSE(readNpzBytes(bytes, "w.npz", out, diags)); });
  EXPECT_EQ(diags.errorCount(), errors) << printed;
  EXPECT_EQ(out.size(), 1u) << "output must be left unchanged on failure";
  return printed;
}

bool contains(const std::string &haystack, const std::string &needle) {
  return haystack.find(needle) != std::string::npos;
}

} // namespace

TEST(Npz, RoundTripThroughFile) {
  TempDir dir;
  DiagnosticEngine diags;
  std::map<std::string, Tensor> tensors = {
      {"conv1.weight", Tensor({2, 1, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8})},
      {"conv1.bias", Tensor({2}, {-1, 1})},
      {"scale", Tensor({}, {0.25f})},
      {"empty", Tensor({0, 4}, {})},
  };
  std::string path = dir.file("w.npz");
  ASSERT_TRUE(writeNpz(path, tensors, diags));
  std::map<std::string, Tensor> back;
  ASSERT_TRUE(readNpz(path, back, diags));
  ASSERT_EQ(back.size(), tensors.size());
  for (const auto &[key, t] : tensors) {
    EXPECT_EQ(back[key].shape, t.shape) << key;
    EXPECT_EQ(back[key].data, t.data) << key;
  }
  EXPECT_EQ(diags.errorCount(), 0u);
}

TEST(Npz, WriterIsReproducible) {
  TempDir dir;
  DiagnosticEngine diags;
  std::map<std::string, Tensor> tensors = {{"a", Tensor({2}, {1, 2})}, {"b", Tensor({1}, {3})}};
  ASSERT_TRUE(writeNpz(dir.file("1.npz"), tensors, diags));
  ASSERT_TRUE(writeNpz(dir.file("2.npz"), tensors, diags));
  auto first = llvm::MemoryBuffer::getFile(dir.file("1.npz"));
  auto second = llvm::MemoryBuffer::getFile(dir.file("2.npz"));
  ASSERT_TRUE(first && second);
  EXPECT_EQ((*first)->getBuffer(), (*second)->getBuffer());
  // Stored entries, in key order, each a plain .npy.
  EXPECT_TRUE((*first)->getBuffer().startswith(std::string("PK\x03\x04", 4)));
  EXPECT_TRUE(contains(std::string((*first)->getBuffer()), npyOf(tensors["a"])));
}

TEST(Npz, ReadsArchiveWrittenByPythonZipfile) {
  auto tensors =
      readOk(std::string(reinterpret_cast<const char *>(kPythonNpz), sizeof(kPythonNpz)));
  ASSERT_EQ(tensors.size(), 2u);
  EXPECT_EQ(tensors["conv.weight"].shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(tensors["conv.weight"].data, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(tensors["conv.bias"].shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(tensors["conv.bias"].data, (std::vector<float>{0.5f, -1.5f, 2.25f}));
}

TEST(Npz, ReadsDeflatedEntries) {
  // Like numpy.savez_compressed: every entry deflated.
  Tensor big({64, 64});
  for (size_t i = 0; i < big.data.size(); ++i)
    big.data[i] = float(i % 7);
  std::string bytes = buildZip({{"fc.weight.npy", npyOf(big), /*deflate=*/true},
                                {"fc.bias.npy", npyOf(Tensor({3}, {1, 2, 3})), true}});
  ASSERT_LT(bytes.size(), npyOf(big).size()) << "the test data should actually compress";
  auto tensors = readOk(bytes);
  ASSERT_EQ(tensors.size(), 2u);
  EXPECT_EQ(tensors["fc.weight"].data, big.data);
  EXPECT_EQ(tensors["fc.bias"].data, (std::vector<float>{1, 2, 3}));
}

TEST(Npz, ReadsZip64DirectoryAndEndRecord) {
  std::string bytes =
      buildZip({{"a.npy", npyOf(Tensor({2}, {1, 2}))}, {"b.npy", npyOf(Tensor({1}, {3})), true}},
               /*zip64=*/true);
  auto tensors = readOk(bytes);
  ASSERT_EQ(tensors.size(), 2u);
  EXPECT_EQ(tensors["a"].data, (std::vector<float>{1, 2}));
  EXPECT_EQ(tensors["b"].data, (std::vector<float>{3}));
}

TEST(Npz, ToleratesCommentsDirectoriesAndEmptyArchives) {
  auto tensors = readOk(buildZip({{"sub/", ""}, {"sub/x.npy", npyOf(Tensor({1}, {5}))}}, false,
                                 "an archive comment"));
  ASSERT_EQ(tensors.size(), 1u);
  EXPECT_EQ(tensors["sub/x"].data, std::vector<float>{5});
  EXPECT_TRUE(readOk(buildZip({})).empty());
}

TEST(Npz, ReportsBrokenArchives) {
  std::string good = buildZip({{"a.npy", npyOf(Tensor({2}, {1, 2}))}});
  EXPECT_TRUE(contains(readErrors(""), "w.npz: error: not a ZIP archive"));
  EXPECT_TRUE(contains(readErrors(std::string(100, 'x')), "no end-of-central-directory"));

  // Central directory pointing past the end of the file.
  std::string bad = good;
  size_t eocd = bad.size() - 22;
  bad[eocd + 19] = '\x7f';
  EXPECT_TRUE(contains(readErrors(bad), "lies outside"));

  // An entry count the directory cannot possibly hold.
  bad = good;
  bad[eocd + 10] = '\xff';
  EXPECT_TRUE(contains(readErrors(bad), "claims 255 entries"));

  // Multi-disk archives.
  bad = good;
  bad[eocd + 4] = 1;
  EXPECT_TRUE(contains(readErrors(bad), "multi-part"));

  // A ZIP64 locator pointing nowhere.
  std::string zip64 = buildZip({{"a.npy", npyOf(Tensor({1}, {1}))}}, true);
  size_t locator = zip64.size() - 22 - 20;
  zip64[locator + 8] = '\x01';
  zip64[locator + 9] = '\x01';
  EXPECT_TRUE(contains(readErrors(zip64), "ZIP64 end-of-central-directory record missing"));
}

TEST(Npz, ReportsBrokenEntriesNamingArchiveAndEntry) {
  std::string npy = npyOf(Tensor({2}, {1, 2}));
  struct Case {
    ZipTestEntry entry;
    std::string expected;
  };
  std::vector<Case> cases = {
      {ZipTestEntry("a.npy", npy).withCrc(0x12345678),
       "CRC-32 mismatch (directory says 0x12345678"},
      {ZipTestEntry("a.npy", npy, true).withCrc(0xdeadbeef), "CRC-32 mismatch"},
      {ZipTestEntry("a.npy", npy).withMethod(12), "unsupported compression method 12"},
      {ZipTestEntry("a.npy", npy).withFlags(1), "entry is encrypted"},
      {ZipTestEntry("a.npy", npy).withUncompressedSize(npy.size() + 1),
       "stored entry has compressed size"},
      {ZipTestEntry("a.npy", npy, true).withUncompressedSize(npy.size() + 10),
       "inflates to " + std::to_string(npy.size()) + " bytes but the directory declares"},
      {ZipTestEntry("a.npy", npy, true).withUncompressedSize(npy.size() - 10),
       "inflates to more than the declared"},
      {ZipTestEntry("a.npy", npy, true).withUncompressedSize(0xfffffff0), "is impossible for"},
      {ZipTestEntry("a.npy", "not an array"), "not a .npy file"},
      {ZipTestEntry("a.npy", npy.substr(0, npy.size() - 4)), "data is 4 bytes"},
      {ZipTestEntry("notes.txt", "hello"), "entry is not a .npy array"},
      {ZipTestEntry("a.npy", std::string("\x01\x02\x03garbage that is not deflate", 30))
           .withMethod(8),
       "invalid deflate stream"},
  };
  for (const Case &c : cases) {
    std::string printed = readErrors(buildZip({c.entry}));
    EXPECT_TRUE(contains(printed, "w.npz(" + c.entry.name + "): error: ")) << printed;
    EXPECT_TRUE(contains(printed, c.expected)) << "expected '" << c.expected << "' in " << printed;
  }

  // A deflate stream cut in half; the directory still declares the full size and CRC.
  std::string deflated = rawDeflate(npy);
  ZipTestEntry half("a.npy", deflated.substr(0, deflated.size() / 2));
  half.withMethod(8)
      .withCrc(uint32_t(crc32(0, reinterpret_cast<const Bytef *>(npy.data()), npy.size())))
      .withUncompressedSize(npy.size());
  EXPECT_TRUE(contains(readErrors(buildZip({half})), "deflate stream is truncated"));
}

TEST(Npz, ReportsEveryBadEntryAndDuplicates) {
  std::string npy = npyOf(Tensor({1}, {1}));
  std::string printed = readErrors(
      buildZip(
          {ZipTestEntry("a.npy", npy).withCrc(1), {"b.npy", npy}, {"b", npy}, {"c.npy", "junk"}}),
      3);
  EXPECT_TRUE(contains(printed, "w.npz(a.npy): error: CRC-32 mismatch")) << printed;
  EXPECT_TRUE(contains(printed, "w.npz(b): error: entry is not a .npy array")) << printed;
  EXPECT_TRUE(contains(printed, "w.npz(c.npy): error: not a .npy file")) << printed;

  printed = readErrors(buildZip({{"b.npy", npy}, {"b.npy", npy}}));
  EXPECT_TRUE(contains(printed, "duplicate array 'b'")) << printed;
}

TEST(Npz, EveryTruncationAndByteFlipIsHandled) {
  std::string good = buildZip({{"a.npy", npyOf(Tensor({2, 2}, {1, 2, 3, 4})), true},
                               {"b.npy", npyOf(Tensor({3}, {5, 6, 7}))}});
  for (size_t length = 0; length < good.size(); ++length) {
    DiagnosticEngine diags;
    std::map<std::string, Tensor> out;
    captureStderr([&] { EXPECT_FALSE(readNpzBytes(good.substr(0, length), "x", out, diags)); });
    EXPECT_GE(diags.errorCount(), 1u) << "length " << length;
  }
  for (size_t pos = 0; pos < good.size(); ++pos) {
    for (char value : {'\0', '\xff', '\x80'}) {
      std::string bytes = good;
      if (bytes[pos] == value)
        continue;
      bytes[pos] = value;
      DiagnosticEngine diags;
      std::map<std::string, Tensor> out;
      bool ok = false;
      captureStderr([&] { ok = readNpzBytes(bytes, "x", out, diags); });
      EXPECT_EQ(ok, diags.errorCount() == 0) << "byte " << pos;
    }
  }
}

TEST(Npz, WriteErrors) {
  TempDir dir;
  DiagnosticEngine diags;
  std::string printed = captureStderr([&] {
    EXPECT_FALSE(
        writeNpz(dir.file("w.npz"), {{"bad", Tensor({3}, {1})}, {"ok", Tensor({1}, {1})}}, diags));
    EXPECT_FALSE(writeNpz(dir.file("missing/w.npz"), {{"ok", Tensor({1}, {1})}}, diags));
    std::map<std::string, Tensor> out;
    EXPECT_FALSE(readNpz(dir.file("nothing.npz"), out, diags));
  });
  EXPECT_EQ(diags.errorCount(), 3u) << printed;
  EXPECT_TRUE(contains(printed, "cannot write tensor 'bad'")) << printed;
}
