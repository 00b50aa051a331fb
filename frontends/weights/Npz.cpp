#include "frontends/weights/Npz.h"

#include "frontends/weights/FileIO.h"
#include "frontends/weights/Npy.h"
#include "frontends/weights/RawElements.h"

#include <llvm/ADT/StringExtras.h>
#include <llvm/ADT/Twine.h>
#include <llvm/Support/Endian.h>

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <optional>

namespace netc {

namespace endian = llvm::support::endian;

namespace {

// Record signatures and fixed sizes from PKWARE's APPNOTE.TXT.
constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndOfCentralDirSig = 0x06054b50;
constexpr uint32_t kZip64EndOfCentralDirSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kEndOfCentralDirSize = 22;
constexpr size_t kZip64EndOfCentralDirSize = 56;
constexpr size_t kZip64LocatorSize = 20;
constexpr size_t kMaxCommentSize = 0xffff;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint16_t kMethodStored = 0;
constexpr uint16_t kMethodDeflated = 8;
constexpr uint16_t kFlagEncrypted = 0x0001;
// A 32-bit field holding this value means "see the ZIP64 extra field".
constexpr uint32_t kZip64Marker32 = 0xffffffff;
constexpr uint16_t kZip64Marker16 = 0xffff;
// Deflate cannot expand data by more than about 1032:1; a larger declared ratio is a
// corrupt (or malicious) size we must not allocate for.
constexpr uint64_t kMaxDeflateRatio = 1032;
// 1980-01-01 00:00 in MS-DOS format: a fixed timestamp keeps written archives
// byte-for-byte reproducible.
constexpr uint16_t kDosDate1980 = (0 << 9) | (1 << 5) | 1;

struct ZipEntry {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;
  uint32_t crc = 0;
  uint64_t compressedSize = 0;
  uint64_t uncompressedSize = 0;
  uint64_t localHeaderOffset = 0;
};

struct CentralDirectory {
  uint64_t entryCount = 0;
  uint64_t size = 0;
  uint64_t offset = 0;
};

uint32_t crc32Of(llvm::StringRef bytes) {
  uLong crc = crc32(0, nullptr, 0);
  // zlib takes 32-bit lengths; feed large entries in pieces.
  while (!bytes.empty()) {
    size_t chunk = std::min<size_t>(bytes.size(), UINT_MAX);
    crc = crc32(crc, reinterpret_cast<const Bytef *>(bytes.data()), uInt(chunk));
    bytes = bytes.drop_front(chunk);
  }
  return uint32_t(crc);
}

/// Inflates a raw deflate stream that must produce exactly `size` bytes.
bool inflateRaw(llvm::StringRef in, uint64_t size, std::string &out, std::string &error) {
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) {
    error = "cannot initialize zlib";
    return false;
  }
  // One spare byte tells "exactly size bytes" apart from "more than declared". The
  // buffer grows with the actual output so a lying size cannot make us allocate
  // more than the data really inflates to.
  uint64_t limit = size + 1;
  out.resize(std::min<uint64_t>(limit, std::max<uint64_t>(uint64_t(1) << 16, 4 * in.size())));
  size_t inPos = 0;
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    if (stream.avail_in == 0 && inPos < in.size()) {
      size_t chunk = std::min<size_t>(in.size() - inPos, UINT_MAX);
      stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.data() + inPos));
      stream.avail_in = uInt(chunk);
      inPos += chunk;
    }
    if (stream.avail_out == 0) {
      uint64_t produced = stream.total_out;
      if (produced == out.size() && out.size() < limit)
        out.resize(std::min<uint64_t>(limit, 2 * out.size()));
      size_t chunk = std::min<size_t>(out.size() - produced, UINT_MAX);
      stream.next_out = reinterpret_cast<Bytef *>(&out[produced]);
      stream.avail_out = uInt(chunk);
    }
    status = inflate(&stream, Z_NO_FLUSH);
    if (status == Z_OK || status == Z_STREAM_END)
      continue;
    if (status == Z_BUF_ERROR && stream.avail_out == 0)
      error = "inflates to more than the declared " + std::to_string(size) + " bytes";
    else if (status == Z_BUF_ERROR)
      error = "deflate stream is truncated";
    else
      error = std::string("invalid deflate stream: ") + (stream.msg ? stream.msg : "zlib error");
    inflateEnd(&stream);
    return false;
  }
  uint64_t produced = stream.total_out;
  inflateEnd(&stream);
  if (produced > size) {
    error = "inflates to more than the declared " + std::to_string(size) + " bytes";
    return false;
  }
  if (produced < size) {
    error = "inflates to " + std::to_string(produced) + " bytes but the directory declares " +
            std::to_string(size);
    return false;
  }
  out.resize(size);
  return true;
}

/// Reads a ZIP archive held in memory, reporting through `diags`.
class ZipReader {
public:
  ZipReader(llvm::StringRef bytes, const std::string &origin, DiagnosticEngine &diags)
      : bytes_(bytes), origin_(origin), diags_(diags) {}

  /// Parses the central directory. False (after an error) if it is unusable.
  bool readDirectory(std::vector<ZipEntry> &entries) {
    CentralDirectory dir;
    if (!findCentralDirectory(dir))
      return false;
    if (dir.offset > bytes_.size() || dir.size > bytes_.size() - dir.offset)
      return archiveError("central directory (offset " + llvm::Twine(dir.offset) + ", " +
                          llvm::Twine(dir.size) + " bytes) lies outside the " +
                          llvm::Twine(bytes_.size()) + "-byte file");
    // Every entry needs at least a fixed-size header: bounds the count before we trust it.
    if (dir.entryCount > dir.size / kCentralHeaderSize)
      return archiveError("central directory claims " + llvm::Twine(dir.entryCount) +
                          " entries but holds only " + llvm::Twine(dir.size) + " bytes");

    llvm::StringRef directory = bytes_.substr(dir.offset, dir.size);
    size_t pos = 0;
    for (uint64_t i = 0; i < dir.entryCount; ++i) {
      ZipEntry entry;
      if (!readCentralHeader(directory, pos, i, entry))
        return false;
      entries.push_back(std::move(entry));
    }
    return true;
  }

  /// The uncompressed contents of `entry`, or nullopt after reporting why not.
  std::optional<std::string> extract(const ZipEntry &entry) {
    if (entry.flags & kFlagEncrypted)
      return entryError(entry, "entry is encrypted");
    if (entry.method != kMethodStored && entry.method != kMethodDeflated)
      return entryError(entry, "unsupported compression method " + llvm::Twine(entry.method) +
                                   " (supported: 0 stored, 8 deflated)");

    uint64_t offset = entry.localHeaderOffset;
    if (offset > bytes_.size() || bytes_.size() - offset < kLocalHeaderSize ||
        endian::read32le(bytes_.data() + offset) != kLocalHeaderSig)
      return entryError(entry, "no local header at offset " + llvm::Twine(offset));
    const char *local = bytes_.data() + offset;
    uint64_t dataStart =
        offset + kLocalHeaderSize + endian::read16le(local + 26) + endian::read16le(local + 28);
    if (dataStart > bytes_.size() || entry.compressedSize > bytes_.size() - dataStart)
      return entryError(entry, "data (" + llvm::Twine(entry.compressedSize) + " bytes at offset " +
                                   llvm::Twine(dataStart) + ") runs past the end of the archive");
    llvm::StringRef stored = bytes_.substr(dataStart, entry.compressedSize);

    std::string contents;
    if (entry.method == kMethodStored) {
      if (entry.uncompressedSize != entry.compressedSize)
        return entryError(entry, "stored entry has compressed size " +
                                     llvm::Twine(entry.compressedSize) + " but uncompressed size " +
                                     llvm::Twine(entry.uncompressedSize));
      contents = stored.str();
    } else {
      if (entry.uncompressedSize > entry.compressedSize * kMaxDeflateRatio + 1024)
        return entryError(entry, "declared size " + llvm::Twine(entry.uncompressedSize) +
                                     " is impossible for " + llvm::Twine(entry.compressedSize) +
                                     " deflated bytes");
      std::string error;
      if (!inflateRaw(stored, entry.uncompressedSize, contents, error))
        return entryError(entry, error);
    }

    uint32_t crc = crc32Of(contents);
    if (crc != entry.crc)
      return entryError(entry, "CRC-32 mismatch (directory says 0x" +
                                   llvm::utohexstr(entry.crc, /*LowerCase=*/true) +
                                   ", data has 0x" + llvm::utohexstr(crc, true) + ")");
    return contents;
  }

  std::string entryOrigin(const ZipEntry &entry) const { return origin_ + "(" + entry.name + ")"; }

private:
  bool archiveError(const llvm::Twine &message) {
    diags_.error(origin_, message);
    return false;
  }
  std::nullopt_t entryError(const ZipEntry &entry, const llvm::Twine &message) {
    diags_.error(entryOrigin(entry), message);
    return std::nullopt;
  }

  bool findCentralDirectory(CentralDirectory &dir) {
    if (bytes_.size() < kEndOfCentralDirSize)
      return archiveError("not a ZIP archive (too short to hold an end-of-central-directory "
                          "record)");
    // The end record sits at the very end unless an archive comment follows it; the
    // last signature whose comment length fits is the record.
    size_t last = bytes_.size() - kEndOfCentralDirSize;
    size_t first = last > kMaxCommentSize ? last - kMaxCommentSize : 0;
    std::optional<size_t> eocd;
    for (size_t pos = last + 1; pos-- > first;) {
      const char *p = bytes_.data() + pos;
      if (endian::read32le(p) == kEndOfCentralDirSig &&
          pos + kEndOfCentralDirSize + endian::read16le(p + 20) <= bytes_.size()) {
        eocd = pos;
        break;
      }
    }
    if (!eocd)
      return archiveError("not a ZIP archive (no end-of-central-directory record)");

    const char *end = bytes_.data() + *eocd;
    if (endian::read16le(end + 4) != 0 || endian::read16le(end + 6) != 0)
      return archiveError("multi-part ZIP archives are not supported");
    dir.entryCount = endian::read16le(end + 10);
    dir.size = endian::read32le(end + 12);
    dir.offset = endian::read32le(end + 16);

    // A ZIP64 locator just before the end record points at the 64-bit version of it.
    if (*eocd < kZip64LocatorSize || endian::read32le(end - kZip64LocatorSize) != kZip64LocatorSig)
      return true;
    uint64_t zip64Offset = endian::read64le(end - kZip64LocatorSize + 8);
    if (zip64Offset > bytes_.size() || bytes_.size() - zip64Offset < kZip64EndOfCentralDirSize ||
        endian::read32le(bytes_.data() + zip64Offset) != kZip64EndOfCentralDirSig)
      return archiveError("ZIP64 end-of-central-directory record missing at offset " +
                          llvm::Twine(zip64Offset));
    const char *end64 = bytes_.data() + zip64Offset;
    if (endian::read32le(end64 + 16) != 0 || endian::read32le(end64 + 20) != 0)
      return archiveError("multi-part ZIP archives are not supported");
    dir.entryCount = endian::read64le(end64 + 32);
    dir.size = endian::read64le(end64 + 40);
    dir.offset = endian::read64le(end64 + 48);
    return true;
  }

  bool readCentralHeader(llvm::StringRef directory, size_t &pos, uint64_t index, ZipEntry &entry) {
    auto truncated = [&] {
      return archiveError("central directory entry " + llvm::Twine(index) + " is truncated");
    };
    if (directory.size() - pos < kCentralHeaderSize)
      return truncated();
    const char *h = directory.data() + pos;
    if (endian::read32le(h) != kCentralHeaderSig)
      return archiveError("central directory entry " + llvm::Twine(index) + " has a bad signature");
    entry.flags = endian::read16le(h + 8);
    entry.method = endian::read16le(h + 10);
    entry.crc = endian::read32le(h + 16);
    uint32_t compressed32 = endian::read32le(h + 20);
    uint32_t uncompressed32 = endian::read32le(h + 24);
    size_t nameLength = endian::read16le(h + 28);
    size_t extraLength = endian::read16le(h + 30);
    size_t commentLength = endian::read16le(h + 32);
    uint16_t diskStart = endian::read16le(h + 34);
    uint32_t offset32 = endian::read32le(h + 42);
    if (directory.size() - pos - kCentralHeaderSize < nameLength + extraLength + commentLength)
      return truncated();
    entry.name = directory.substr(pos + kCentralHeaderSize, nameLength).str();
    llvm::StringRef extra = directory.substr(pos + kCentralHeaderSize + nameLength, extraLength);
    pos += kCentralHeaderSize + nameLength + extraLength + commentLength;

    entry.compressedSize = compressed32;
    entry.uncompressedSize = uncompressed32;
    entry.localHeaderOffset = offset32;
    if (compressed32 != kZip64Marker32 && uncompressed32 != kZip64Marker32 &&
        offset32 != kZip64Marker32 && diskStart != kZip64Marker16)
      return true;

    // The ZIP64 extra field holds, in this order, only the values whose 32-bit
    // fields are saturated.
    while (extra.size() >= 4) {
      uint16_t id = endian::read16le(extra.data());
      size_t size = endian::read16le(extra.data() + 2);
      if (extra.size() - 4 < size)
        break;
      llvm::StringRef field = extra.substr(4, size);
      extra = extra.drop_front(4 + size);
      if (id != kZip64ExtraId)
        continue;
      auto take64 = [&](uint64_t &value) {
        if (field.size() < 8)
          return false;
        value = endian::read64le(field.data());
        field = field.drop_front(8);
        return true;
      };
      bool ok = (uncompressed32 != kZip64Marker32 || take64(entry.uncompressedSize)) &&
                (compressed32 != kZip64Marker32 || take64(entry.compressedSize)) &&
                (offset32 != kZip64Marker32 || take64(entry.localHeaderOffset));
      if (!ok)
        return archiveError("entry '" + entry.name + "' has a short ZIP64 extra field");
      if (diskStart == kZip64Marker16 && field.size() >= 4 && endian::read32le(field.data()) != 0)
        return archiveError("multi-part ZIP archives are not supported");
      return true;
    }
    return archiveError("entry '" + entry.name +
                        "' lacks the ZIP64 extra field its sizes "
                        "refer to");
  }

  llvm::StringRef bytes_;
  const std::string &origin_;
  DiagnosticEngine &diags_;
};

/// Appends little-endian integers to a byte string.
struct ByteWriter {
  std::string bytes;
  void u16(uint16_t v) {
    char b[2];
    endian::write16le(b, v);
    bytes.append(b, 2);
  }
  void u32(uint32_t v) {
    char b[4];
    endian::write32le(b, v);
    bytes.append(b, 4);
  }
  void u64(uint64_t v) {
    char b[8];
    endian::write64le(b, v);
    bytes.append(b, 8);
  }
};

uint32_t saturate32(uint64_t v) { return v >= kZip64Marker32 ? kZip64Marker32 : uint32_t(v); }

/// What the central directory needs to know about one written entry.
struct WrittenEntry {
  std::string name;
  uint32_t crc;
  uint64_t size;
  uint64_t offset;
};

std::string localHeader(const WrittenEntry &e) {
  bool zip64 = e.size >= kZip64Marker32;
  ByteWriter w;
  w.u32(kLocalHeaderSig);
  w.u16(zip64 ? 45 : 20); // version needed: 4.5 for ZIP64, 2.0 otherwise
  w.u16(0);               // flags
  w.u16(kMethodStored);
  w.u16(0); // time
  w.u16(kDosDate1980);
  w.u32(e.crc);
  w.u32(saturate32(e.size)); // compressed
  w.u32(saturate32(e.size)); // uncompressed
  w.u16(uint16_t(e.name.size()));
  w.u16(zip64 ? 20 : 0);
  w.bytes += e.name;
  if (zip64) {
    w.u16(kZip64ExtraId);
    w.u16(16);
    w.u64(e.size); // uncompressed
    w.u64(e.size); // compressed
  }
  return std::move(w.bytes);
}

std::string centralHeader(const WrittenEntry &e) {
  bool bigSize = e.size >= kZip64Marker32, bigOffset = e.offset >= kZip64Marker32;
  uint16_t extraSize = (bigSize ? 16 : 0) + (bigOffset ? 8 : 0);
  ByteWriter w;
  w.u32(kCentralHeaderSig);
  w.u16(extraSize ? 45 : 20); // version made by (MS-DOS attributes)
  w.u16(extraSize ? 45 : 20); // version needed
  w.u16(0);
  w.u16(kMethodStored);
  w.u16(0);
  w.u16(kDosDate1980);
  w.u32(e.crc);
  w.u32(saturate32(e.size));
  w.u32(saturate32(e.size));
  w.u16(uint16_t(e.name.size()));
  w.u16(extraSize ? extraSize + 4 : 0);
  w.u16(0); // comment
  w.u16(0); // disk
  w.u16(0); // internal attributes
  w.u32(0); // external attributes
  w.u32(saturate32(e.offset));
  w.bytes += e.name;
  if (extraSize) {
    w.u16(kZip64ExtraId);
    w.u16(extraSize);
    if (bigSize) {
      w.u64(e.size);
      w.u64(e.size);
    }
    if (bigOffset)
      w.u64(e.offset);
  }
  return std::move(w.bytes);
}

std::string endOfCentralDirectory(uint64_t count, uint64_t size, uint64_t offset) {
  ByteWriter w;
  bool zip64 = count >= kZip64Marker16 || size >= kZip64Marker32 || offset >= kZip64Marker32;
  if (zip64) {
    uint64_t recordOffset = offset + size;
    w.u32(kZip64EndOfCentralDirSig);
    w.u64(kZip64EndOfCentralDirSize - 12); // size of the rest of the record
    w.u16(45);
    w.u16(45);
    w.u32(0);
    w.u32(0);
    w.u64(count);
    w.u64(count);
    w.u64(size);
    w.u64(offset);
    w.u32(kZip64LocatorSig);
    w.u32(0);
    w.u64(recordOffset);
    w.u32(1);
  }
  w.u32(kEndOfCentralDirSig);
  w.u16(0);
  w.u16(0);
  uint16_t count16 = count >= kZip64Marker16 ? kZip64Marker16 : uint16_t(count);
  w.u16(count16);
  w.u16(count16);
  w.u32(saturate32(size));
  w.u32(saturate32(offset));
  w.u16(0); // comment
  return std::move(w.bytes);
}

} // namespace

bool readNpzBytes(llvm::StringRef bytes, const std::string &origin,
                  std::map<std::string, Tensor> &out, DiagnosticEngine &diags) {
  ZipReader zip(bytes, origin, diags);
  std::vector<ZipEntry> entries;
  if (!zip.readDirectory(entries))
    return false;

  unsigned errorsBefore = diags.errorCount();
  std::map<std::string, Tensor> tensors;
  for (const ZipEntry &entry : entries) {
    llvm::StringRef name = entry.name;
    if (name.endswith("/")) // a directory entry carries no data
      continue;
    std::string entryOrigin = zip.entryOrigin(entry);
    if (!name.endswith(".npy")) {
      diags.error(entryOrigin, "entry is not a .npy array");
      continue;
    }
    std::string key = name.drop_back(4).str();
    if (tensors.count(key)) {
      diags.error(entryOrigin, "duplicate array '" + key + "'");
      continue;
    }
    std::optional<std::string> contents = zip.extract(entry);
    Tensor tensor;
    if (contents && readNpyBytes(*contents, entryOrigin, tensor, diags))
      tensors.emplace(std::move(key), std::move(tensor));
  }
  if (diags.errorCount() != errorsBefore)
    return false;
  out = std::move(tensors);
  return true;
}

bool readNpz(const std::string &path, std::map<std::string, Tensor> &out, DiagnosticEngine &diags) {
  auto buffer = readWholeFile(path, diags);
  return buffer && readNpzBytes(buffer->getBuffer(), path, out, diags);
}

bool writeNpz(const std::string &path, const std::map<std::string, Tensor> &tensors,
              DiagnosticEngine &diags) {
  bool ok = true;
  for (const auto &[key, tensor] : tensors) {
    std::string problem = tensorLayoutProblem(tensor);
    if (!problem.empty()) {
      diags.error(path, "cannot write tensor '" + key + "': " + problem);
      ok = false;
    } else if (key.size() + 4 > 0xffff) {
      diags.error(path, "cannot write tensor '" + key.substr(0, 40) +
                            "...': its name is too long for a ZIP entry");
      ok = false;
    }
  }
  if (!ok)
    return false;

  // Entries are encoded one at a time so only one tensor's bytes are in memory.
  return writeWholeFile(path, diags, [&](llvm::raw_ostream &os) {
    std::vector<WrittenEntry> written;
    uint64_t offset = 0;
    for (const auto &[key, tensor] : tensors) {
      std::string data = npyBytes(tensor);
      WrittenEntry entry{key + ".npy", crc32Of(data), data.size(), offset};
      std::string header = localHeader(entry);
      os << header << data;
      offset += header.size() + data.size();
      written.push_back(std::move(entry));
    }
    uint64_t directoryOffset = offset, directorySize = 0;
    for (const WrittenEntry &entry : written) {
      std::string header = centralHeader(entry);
      os << header;
      directorySize += header.size();
    }
    os << endOfCentralDirectory(written.size(), directorySize, directoryOffset);
  });
}

} // namespace netc
