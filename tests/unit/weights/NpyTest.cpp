#include "frontends/weights/Npy.h"

#include "WeightsTestUtil.h"

#include <cmath>
#include <limits>

using namespace netc;
using namespace netc::testing;

namespace {

Tensor readOk(const std::string &bytes) {
  DiagnosticEngine diags;
  Tensor t;
  EXPECT_TRUE(readNpyBytes(bytes, "test.npy", t, diags));
  EXPECT_EQ(diags.errorCount(), 0u);
  return t;
}

/// Parses `bytes`, expecting exactly one error; returns the printed diagnostic.
std::string readError(const std::string &bytes) {
  DiagnosticEngine diags;
  Tensor t({7}, {1, 2, 3, 4, 5, 6, 7});
  std::string printed =
      captureStderr([&] { EXPECT_FALSE(readNpyBytes(bytes, "bad.npy", t, diags)); });
  EXPECT_EQ(diags.errorCount(), 1u) << printed;
  EXPECT_EQ(t.shape, std::vector<int64_t>{7}) << "output must be left unchanged on failure";
  return printed;
}

std::string header(const std::string &descr, const std::string &shape, bool fortran = false) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
         ", 'shape': " + shape + ", }";
}

} // namespace

TEST(Npy, RoundTripThroughFile) {
  TempDir dir;
  DiagnosticEngine diags;
  const float inf = std::numeric_limits<float>::infinity();
  Tensor t({2, 3}, {1.5f, -0.0f, inf, -inf, 1e-40f, 3.25f});
  std::string path = dir.file("t.npy");
  ASSERT_TRUE(writeNpy(path, t, diags));
  Tensor back;
  ASSERT_TRUE(readNpy(path, back, diags));
  EXPECT_EQ(back.shape, t.shape);
  ASSERT_EQ(back.data.size(), t.data.size());
  for (size_t i = 0; i < t.data.size(); ++i)
    EXPECT_EQ(bitsOf(back.data[i]), bitsOf(t.data[i])) << i;
  EXPECT_EQ(diags.errorCount(), 0u);
}

TEST(Npy, WriterMatchesNumpyLayout) {
  std::string bytes = npyBytes(Tensor({3}, {1, 2, 3}));
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  size_t headerLength = uint8_t(bytes[8]) | (uint8_t(bytes[9]) << 8);
  EXPECT_EQ((10 + headerLength) % 64, 0u) << "data must start 64-byte aligned";
  std::string text = bytes.substr(10, headerLength);
  EXPECT_EQ(text.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 0), 0u);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(bytes.size(), 10 + headerLength + 12);
}

TEST(Npy, ZeroDimensionalAndEmptyArrays) {
  Tensor scalar = readOk(npyBytes(Tensor({}, {42.0f})));
  EXPECT_TRUE(scalar.shape.empty());
  ASSERT_EQ(scalar.data.size(), 1u);
  EXPECT_EQ(scalar.data[0], 42.0f);

  Tensor empty = readOk(npyBytes(Tensor({0, 3}, {})));
  EXPECT_EQ(empty.shape, (std::vector<int64_t>{0, 3}));
  EXPECT_TRUE(empty.data.empty());

  Tensor fromNumpy = readOk(makeNpy(header("<f4", "()"), f32Bytes({-2.5f})));
  EXPECT_TRUE(fromNumpy.shape.empty());
  EXPECT_EQ(fromNumpy.data, std::vector<float>{-2.5f});
}

TEST(Npy, ConvertsEveryDtype) {
  EXPECT_EQ(readOk(makeNpy(header("<f8", "(3,)"), f64Bytes({0.5, -1e300, 1.0 / 3}))).data,
            (std::vector<float>{0.5f, -std::numeric_limits<float>::infinity(), 1.0f / 3}));

  // binary16: 1.0, -2.0, largest normal, smallest subnormal, +inf, -0.
  std::string halves;
  for (uint16_t h : {0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x8000})
    appendLE(halves, h, 2);
  Tensor f2 = readOk(makeNpy(header("<f2", "(6,)"), halves));
  EXPECT_EQ(f2.data[0], 1.0f);
  EXPECT_EQ(f2.data[1], -2.0f);
  EXPECT_EQ(f2.data[2], 65504.0f);
  EXPECT_EQ(f2.data[3], std::ldexp(1.0f, -24));
  EXPECT_EQ(f2.data[4], std::numeric_limits<float>::infinity());
  EXPECT_EQ(bitsOf(f2.data[5]), 0x80000000u);
  std::string nan;
  appendLE(nan, 0x7e00, 2);
  EXPECT_TRUE(std::isnan(readOk(makeNpy(header("<f2", "(1,)"), nan)).data[0]));

  std::string i4;
  for (int32_t v : {-7, 0, 2147483647})
    appendLE(i4, uint32_t(v), 4);
  EXPECT_EQ(readOk(makeNpy(header("<i4", "(3,)"), i4)).data,
            (std::vector<float>{-7.0f, 0.0f, 2147483648.0f}));

  std::string i8;
  for (int64_t v : {int64_t(-3), int64_t(1) << 40})
    appendLE(i8, uint64_t(v), 8);
  EXPECT_EQ(readOk(makeNpy(header("<i8", "(2,)"), i8)).data,
            (std::vector<float>{-3.0f, 1099511627776.0f}));

  EXPECT_EQ(readOk(makeNpy(header("|u1", "(3,)"), std::string("\x00\x7f\xff", 3))).data,
            (std::vector<float>{0.0f, 127.0f, 255.0f}));
  EXPECT_EQ(readOk(makeNpy(header("|b1", "(2, 2)"), std::string("\x01\x00\x00\x01", 4))).data,
            (std::vector<float>{1.0f, 0.0f, 0.0f, 1.0f}));
}

TEST(Npy, FortranOrderIsTransposedToC) {
  // numpy.asfortranarray([[1, 2, 3], [4, 5, 6]]) stores columns first.
  Tensor t = readOk(makeNpy(header("<f4", "(2, 3)", true), f32Bytes({1, 4, 2, 5, 3, 6})));
  EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(t.data, (std::vector<float>{1, 2, 3, 4, 5, 6}));

  // Rank 3: element (i, j, k) sits at i + 2*j + 2*3*k in Fortran order.
  std::vector<float> fortran(24);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k)
        fortran[i + 2 * j + 6 * k] = float(100 * i + 10 * j + k);
  Tensor t3 = readOk(makeNpy(header("<f4", "(2, 3, 4)", true), f32Bytes(fortran)));
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k)
        EXPECT_EQ(t3.data[12 * i + 4 * j + k], float(100 * i + 10 * j + k));

  // Rank 1 and empty arrays are the same in both orders.
  EXPECT_EQ(readOk(makeNpy(header("<f4", "(2,)", true), f32Bytes({7, 8}))).data,
            (std::vector<float>{7, 8}));
  EXPECT_TRUE(readOk(makeNpy(header("<f4", "(0, 5)", true), "")).data.empty());
}

TEST(Npy, ReadsFormatVersions2And3) {
  for (int major : {2, 3}) {
    Tensor t = readOk(makeNpy(header("<f4", "(2,)"), f32Bytes({1, 2}), major));
    EXPECT_EQ(t.data, (std::vector<float>{1, 2})) << "version " << major;
  }
}

TEST(Npy, AcceptsHeaderSpellingsOfOtherWriters) {
  // Python 2 numpy wrote long integers; hand-written headers may reorder keys, use
  // double quotes, or omit the trailing comma.
  EXPECT_EQ(readOk(makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1L, 2L), }",
                           f32Bytes({1, 2})))
                .shape,
            (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(readOk(makeNpy("{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<f4\"}",
                           f32Bytes({1, 2})))
                .data,
            (std::vector<float>{1, 2}));
}

TEST(Npy, ReportsEveryMalformedInput) {
  std::string valid = makeNpy(header("<f4", "(2,)"), f32Bytes({1, 2}));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty file"},
      {"PK\x03\x04 not npy", "not a .npy file"},
      {std::string("\x93NUMPY\x01", 7), "truncated .npy file"},
      {std::string("\x93NUMPY\x04\x00\x10\x00", 10), "unsupported .npy format version 4.0"},
      {std::string("\x93NUMPY\x01\x00\xff\x00{}", 12), "truncated header"},
      {std::string("\x93NUMPY\x02\x00\x10\x00", 10), "truncated .npy file"},
      {makeNpy("['descr', '<f4']", ""), "header is not a dict"},
      {makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", ""),
       "expected ',' or '}'"},
      {makeNpy("{'descr': '<f4' 'fortran_order': False}", ""), "expected ',' or '}'"},
      {makeNpy("{'descr: '<f4'}", ""), "expected ':'"},
      {makeNpy("{'descr': '<f4', 'fortran_order': False}", ""), "lacks key 'shape'"},
      {makeNpy(header("<f4", "(2,)").insert(1, "'extra': 1, "), f32Bytes({1, 2})),
       "unexpected header key 'extra'"},
      {makeNpy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}", ""),
       "duplicate key 'descr'"},
      {makeNpy(header("<c8", "(2,)"), std::string(16, '\0')), "unsupported dtype '<c8'"},
      {makeNpy(header(">f4", "(2,)"), f32Bytes({1, 2})), "big-endian dtype '>f4'"},
      {makeNpy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", ""),
       "structured dtypes"},
      {makeNpy("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", f32Bytes({1, 2})),
       "'fortran_order' must be True or False"},
      {makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", f32Bytes({1, 2})),
       "'shape' must be a tuple"},
      {makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 'x'), }", ""),
       "'shape' must be a tuple"},
      {makeNpy(header("<f4", "(2, -3)"), ""), "negative dimension -3"},
      {makeNpy(header("<f4", "(4294967296, 4294967296)"), ""), "is too large"},
      {makeNpy(header("<f4", "(99999999999999999999,)"), ""), "out of range"},
      {makeNpy(header("<f4", "(1099511627776,)"), f32Bytes({1})), "(truncated file?)"},
      {makeNpy(header("<f4", "(3,)"), f32Bytes({1, 2})), "data is 8 bytes but shape [3]"},
      {valid + "x", "(trailing bytes?)"},
      {makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': " + std::string(5000, '(') +
                   std::string(5000, ')') + "}",
               ""),
       "nesting too deep"},
      {std::string("\x93NUMPY\x01\x00\x05\x00{'abc", 15), "unterminated string"},
      {makeNpy("{'descr': '<f4", ""), "newline inside a string"},
      {makeNpy("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (), }", ""),
       "unexpected name 'Maybe'"},
      {makeNpy(header("<f4", "(2,)") + " junk", f32Bytes({1, 2})), "unexpected text after"},
  };
  for (const auto &[bytes, expected] : cases) {
    std::string printed = readError(bytes);
    EXPECT_NE(printed.find("bad.npy: error: "), std::string::npos) << printed;
    EXPECT_NE(printed.find(expected), std::string::npos)
        << "expected '" << expected << "' in: " << printed;
  }
}

TEST(Npy, EveryTruncationIsAnError) {
  std::string valid = npyBytes(Tensor({2, 2}, {1, 2, 3, 4}));
  for (size_t length = 0; length < valid.size(); ++length) {
    DiagnosticEngine diags;
    diags.setErrorLimit(0);
    Tensor t;
    captureStderr([&] { EXPECT_FALSE(readNpyBytes(valid.substr(0, length), "x", t, diags)); });
    EXPECT_EQ(diags.errorCount(), 1u) << "length " << length;
  }
}

TEST(Npy, CorruptedHeaderBytesNeverCrash) {
  // Flip every header byte to a few hostile values: each result must be either a clean
  // parse or exactly one reported error.
  std::string valid = makeNpy(header("<f4", "(2, 3)", true), f32Bytes({1, 2, 3, 4, 5, 6}));
  size_t headerEnd = valid.size() - 24;
  for (size_t pos = 0; pos < headerEnd; ++pos) {
    for (char replacement : {'\0', '(', '\'', '9', '-', '\xff'}) {
      std::string bytes = valid;
      bytes[pos] = replacement;
      DiagnosticEngine diags;
      Tensor t;
      bool ok = false;
      captureStderr([&] { ok = readNpyBytes(bytes, "x", t, diags); });
      EXPECT_EQ(diags.errorCount(), ok ? 0u : 1u) << "byte " << pos;
      if (ok) {
        EXPECT_EQ(size_t(Tensor::countElements(t.shape)), t.data.size());
      }
    }
  }
}

TEST(Npy, FileErrors) {
  TempDir dir;
  DiagnosticEngine diags;
  Tensor t;
  std::string printed = captureStderr([&] {
    EXPECT_FALSE(readNpy(dir.file("missing.npy"), t, diags));
    EXPECT_FALSE(writeNpy(dir.file("no/such/dir/t.npy"), Tensor({1}, {1}), diags));
    // A tensor whose data does not match its shape cannot be written.
    EXPECT_FALSE(writeNpy(dir.file("t.npy"), Tensor({2, 2}, {1, 2, 3}), diags));
  });
  EXPECT_EQ(diags.errorCount(), 3u);
  EXPECT_NE(printed.find("missing.npy: error: cannot read file"), std::string::npos) << printed;
  EXPECT_NE(printed.find("cannot open file for writing"), std::string::npos) << printed;
  EXPECT_NE(printed.find("shape [2,2] needs 4 elements but the tensor holds 3"), std::string::npos)
      << printed;
  EXPECT_FALSE(llvm::sys::fs::exists(dir.file("t.npy")));
}
