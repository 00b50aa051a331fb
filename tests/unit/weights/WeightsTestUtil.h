// Shared helpers for the netc_weights unit tests: temporary files, captured
// diagnostics and independent encoders (a hand-written .npy header builder and a
// small ZIP writer on top of zlib) used to produce inputs the library did not write.
#pragma once

#include "ir/Diagnostics.h"

#include <gtest/gtest.h>
#include <llvm/Support/Endian.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>
#include <zlib.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace netc::testing {

/// A fresh directory removed (with its contents) at the end of the test.
class TempDir {
public:
  TempDir() {
    llvm::SmallString<128> dir;
    EXPECT_FALSE(llvm::sys::fs::createUniqueDirectory("netc-weights-test", dir));
    path_ = std::string(dir);
  }
  ~TempDir() { llvm::sys::fs::remove_directories(path_); }
  std::string file(llvm::StringRef name) const {
    llvm::SmallString<128> p(path_);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }
  std::string write(llvm::StringRef name, llvm::StringRef bytes) const {
    std::string p = file(name);
    std::error_code ec;
    llvm::raw_fd_ostream os(p, ec);
    EXPECT_FALSE(ec);
    os << bytes;
    return p;
  }

private:
  std::string path_;
};

/// Runs `f` and returns what it printed to stderr (where DiagnosticEngine reports).
template <typename F> std::string captureStderr(F &&f) {
  ::testing::internal::CaptureStderr();
  f();
  llvm::errs().flush();
  return ::testing::internal::GetCapturedStderr();
}

inline void appendLE(std::string &s, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    s += char((value >> (8 * i)) & 0xff);
}

inline std::string f32Bytes(const std::vector<float> &values) {
  std::string s;
  for (float v : values) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    appendLE(s, bits, 4);
  }
  return s;
}

inline std::string f64Bytes(const std::vector<double> &values) {
  std::string s;
  for (double v : values) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    appendLE(s, bits, 8);
  }
  return s;
}

/// A .npy file with the given header dict text (padded like numpy pads it).
inline std::string makeNpy(const std::string &dict, const std::string &payload, int major = 1) {
  size_t prefix = major == 1 ? 10 : 12;
  std::string header = dict;
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string s = "\x93NUMPY";
  s += char(major);
  s += char(0);
  appendLE(s, header.size(), major == 1 ? 2 : 4);
  return s + header + payload;
}

inline std::string rawDeflate(const std::string &data) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&zs, data.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
  zs.avail_in = data.size();
  zs.next_out = reinterpret_cast<Bytef *>(&out[0]);
  zs.avail_out = out.size();
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

/// One entry for buildZip. The `with...` setters falsify the directory on purpose.
struct ZipTestEntry {
  std::string name;
  std::string data;
  bool deflate = false;
  std::optional<uint16_t> method; // default: 0, or 8 when `deflate`
  uint16_t flags = 0;
  std::optional<uint32_t> crc;
  std::optional<uint64_t> uncompressedSize;

  ZipTestEntry(std::string name, std::string data, bool deflate = false)
      : name(std::move(name)), data(std::move(data)), deflate(deflate) {}
  ZipTestEntry &withMethod(uint16_t m) {
    method = m;
    return *this;
  }
  ZipTestEntry &withFlags(uint16_t f) {
    flags = f;
    return *this;
  }
  ZipTestEntry &withCrc(uint32_t c) {
    crc = c;
    return *this;
  }
  ZipTestEntry &withUncompressedSize(uint64_t n) {
    uncompressedSize = n;
    return *this;
  }
};

/// A ZIP archive written independently of the library under test. With `zip64`, every
/// size and offset in the central directory is saturated and carried in ZIP64 extras,
/// and a ZIP64 end record is written, as large-file writers do.
inline std::string buildZip(const std::vector<ZipTestEntry> &entries, bool zip64 = false,
                            const std::string &comment = "") {
  std::string out, central;
  for (const ZipTestEntry &e : entries) {
    std::string stored = e.deflate ? rawDeflate(e.data) : e.data;
    uint16_t method = e.method ? *e.method : (e.deflate ? 8 : 0);
    uint32_t crc = e.crc ? *e.crc : uint32_t(crc32(0, (const Bytef *)e.data.data(), e.data.size()));
    uint64_t size = e.uncompressedSize ? *e.uncompressedSize : e.data.size();
    uint64_t offset = out.size();

    appendLE(out, 0x04034b50, 4);
    appendLE(out, 20, 2);
    appendLE(out, e.flags, 2);
    appendLE(out, method, 2);
    appendLE(out, 0, 4); // time, date
    appendLE(out, crc, 4);
    appendLE(out, stored.size(), 4);
    appendLE(out, size, 4);
    appendLE(out, e.name.size(), 2);
    appendLE(out, 0, 2);
    out += e.name + stored;

    appendLE(central, 0x02014b50, 4);
    appendLE(central, 45, 2);
    appendLE(central, 45, 2);
    appendLE(central, e.flags, 2);
    appendLE(central, method, 2);
    appendLE(central, 0, 4);
    appendLE(central, crc, 4);
    appendLE(central, zip64 ? 0xffffffff : stored.size(), 4);
    appendLE(central, zip64 ? 0xffffffff : size, 4);
    appendLE(central, e.name.size(), 2);
    appendLE(central, zip64 ? 28 : 0, 2);
    appendLE(central, 0, 2); // comment
    appendLE(central, 0, 2); // disk
    appendLE(central, 0, 2);
    appendLE(central, 0, 4);
    appendLE(central, zip64 ? 0xffffffff : offset, 4);
    central += e.name;
    if (zip64) {
      appendLE(central, 1, 2);
      appendLE(central, 24, 2);
      appendLE(central, size, 8);
      appendLE(central, stored.size(), 8);
      appendLE(central, offset, 8);
    }
  }
  uint64_t cdOffset = out.size(), cdSize = central.size();
  out += central;
  if (zip64) {
    uint64_t recordOffset = out.size();
    appendLE(out, 0x06064b50, 4);
    appendLE(out, 44, 8);
    appendLE(out, 45, 2);
    appendLE(out, 45, 2);
    appendLE(out, 0, 8); // disk numbers
    appendLE(out, entries.size(), 8);
    appendLE(out, entries.size(), 8);
    appendLE(out, cdSize, 8);
    appendLE(out, cdOffset, 8);
    appendLE(out, 0x07064b50, 4);
    appendLE(out, 0, 4);
    appendLE(out, recordOffset, 8);
    appendLE(out, 1, 4);
  }
  appendLE(out, 0x06054b50, 4);
  appendLE(out, 0, 4);
  appendLE(out, zip64 ? 0xffff : entries.size(), 2);
  appendLE(out, zip64 ? 0xffff : entries.size(), 2);
  appendLE(out, zip64 ? 0xffffffff : cdSize, 4);
  appendLE(out, zip64 ? 0xffffffff : cdOffset, 4);
  appendLE(out, comment.size(), 2);
  return out + comment;
}

/// Bitwise float equality (distinguishes -0 and compares NaNs by payload).
inline uint32_t bitsOf(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

} // namespace netc::testing
