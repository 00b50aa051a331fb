#include "frontends/weights/Safetensors.h"

#include "frontends/weights/FileIO.h"
#include "frontends/weights/RawElements.h"

#include "ir/Type.h"

#include <llvm/ADT/StringSwitch.h>
#include <llvm/ADT/Twine.h>
#include <llvm/ADT/bit.h>
#include <llvm/Support/Endian.h>
#include <llvm/Support/JSON.h>

#include <algorithm>
#include <optional>

namespace netc {

namespace endian = llvm::support::endian;

namespace {

constexpr size_t kLengthPrefix = 8;
// The reference writer pads the header so tensor data starts 8-byte aligned.
constexpr size_t kHeaderAlign = 8;
constexpr llvm::StringLiteral kMetadataKey("__metadata__");
// llvm::json::parse recurses once per nesting level with no limit of its own,
// so `[[[[...` in an untrusted header would exhaust the stack. A real header
// nests three deep.
constexpr unsigned kMaxJsonDepth = 64;

std::optional<RawElement> elementForDType(llvm::StringRef dtype) {
  return llvm::StringSwitch<std::optional<RawElement>>(dtype)
      .Case("F32", RawElement::F32)
      .Case("F16", RawElement::F16)
      .Case("BF16", RawElement::BF16)
      .Case("F64", RawElement::F64)
      // PyTorch state_dicts carry integer buffers such as num_batches_tracked.
      .Case("I64", RawElement::I64)
      .Case("I32", RawElement::I32)
      .Case("I16", RawElement::I16)
      .Case("I8", RawElement::I8)
      .Case("U8", RawElement::U8)
      .Case("BOOL", RawElement::Bool)
      .Default(std::nullopt);
}

/// Checks the header's nesting depth before llvm::json::parse sees it, and
/// collects the keys of the top-level object as written: json::Object keeps
/// one of two equal keys, so duplicates are only visible in the text. Leaves
/// other syntax errors to the parser.
bool scanHeader(llvm::StringRef text, std::vector<std::string> &topKeys, std::string &error) {
  unsigned depth = 0;
  bool inTopObject = false, expectKey = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      size_t start = i;
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
      if (i >= text.size())
        return true;
      if (inTopObject && depth == 1 && expectKey) {
        // Decode escapes the way the full parse will, so "a" and "\u0061" match.
        if (auto key = llvm::json::parse(text.slice(start, i + 1)))
          if (auto s = key->getAsString())
            topKeys.push_back(s->str());
        expectKey = false;
      }
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) {
        error = "nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels at byte " +
                std::to_string(i) + " of the header";
        return false;
      }
      if (depth == 1)
        inTopObject = expectKey = c == '{';
    } else if (c == '}' || c == ']') {
      if (depth > 0)
        --depth;
    } else if (c == ',' && depth == 1) {
      expectKey = true;
    }
  }
  return true;
}

/// One header entry, validated against the data section.
struct TensorSlot {
  std::string name;
  RawElement element;
  std::vector<int64_t> shape;
  uint64_t count;
  uint64_t begin, end; // byte range within the data section
};

/// Validates one header entry; reports and returns false if it is malformed.
bool parseSlot(const std::string &name, const llvm::json::Value &value, uint64_t dataSize,
               const std::string &origin, DiagnosticEngine &diags, TensorSlot &slot) {
  auto fail = [&](const llvm::Twine &message) {
    diags.error(origin, "tensor '" + name + "': " + message);
    return false;
  };
  const llvm::json::Object *entry = value.getAsObject();
  if (!entry)
    return fail("header entry is not a JSON object");

  std::optional<llvm::StringRef> dtype;
  if (auto s = entry->getString("dtype"))
    dtype = *s;
  if (!dtype)
    return fail("missing string field 'dtype'");
  auto element = elementForDType(*dtype);
  if (!element)
    return fail("unsupported dtype '" + *dtype +
                "' (supported: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL)");

  const llvm::json::Array *shape = entry->getArray("shape");
  if (!shape)
    return fail("missing array field 'shape'");
  std::vector<int64_t> dims;
  for (const llvm::json::Value &dim : *shape) {
    auto size = dim.getAsInteger();
    if (!size || *size < 0)
      return fail("'shape' must hold non-negative integers");
    dims.push_back(*size);
  }
  size_t itemSize = rawElementSize(*element);
  auto count = checkedElementCount(dims, itemSize);
  if (!count)
    return fail("shape " + shapeStr(dims) + " is too large");

  const llvm::json::Array *offsets = entry->getArray("data_offsets");
  if (!offsets || offsets->size() != 2)
    return fail("missing field 'data_offsets' ([begin, end])");
  auto begin = (*offsets)[0].getAsInteger(), end = (*offsets)[1].getAsInteger();
  if (!begin || !end || *begin < 0 || *end < 0)
    return fail("'data_offsets' must be two non-negative integers");
  if (*begin > *end)
    return fail("data_offsets [" + llvm::Twine(*begin) + ", " + llvm::Twine(*end) +
                "] end before they begin");
  if (uint64_t(*end) > dataSize)
    return fail("data_offsets [" + llvm::Twine(*begin) + ", " + llvm::Twine(*end) +
                "] lie outside the " + llvm::Twine(dataSize) + "-byte data section");
  uint64_t expectedBytes = *count * itemSize;
  if (uint64_t(*end - *begin) != expectedBytes)
    return fail("data_offsets [" + llvm::Twine(*begin) + ", " + llvm::Twine(*end) + "] span " +
                llvm::Twine(*end - *begin) + " bytes but shape " + shapeStr(dims) + " of " +
                *dtype + " needs " + llvm::Twine(expectedBytes));

  slot = TensorSlot{name, *element, std::move(dims), *count, uint64_t(*begin), uint64_t(*end)};
  return true;
}

} // namespace

bool readSafetensorsBytes(llvm::StringRef bytes, const std::string &origin,
                          std::map<std::string, Tensor> &out, DiagnosticEngine &diags) {
  auto fail = [&](const llvm::Twine &message) {
    diags.error(origin, message);
    return false;
  };
  if (bytes.size() < kLengthPrefix)
    return fail("not a .safetensors file: " + llvm::Twine(bytes.size()) +
                " bytes is too short for the header length");
  uint64_t headerLength = endian::read64le(bytes.data());
  if (headerLength > bytes.size() - kLengthPrefix)
    return fail("header length " + llvm::Twine(headerLength) + " exceeds the " +
                llvm::Twine(bytes.size() - kLengthPrefix) + " bytes that follow it");
  llvm::StringRef headerText = bytes.substr(kLengthPrefix, headerLength);
  llvm::StringRef data = bytes.drop_front(kLengthPrefix + headerLength);

  std::vector<std::string> writtenKeys;
  std::string scanError;
  if (!scanHeader(headerText, writtenKeys, scanError))
    return fail("invalid JSON header: " + scanError);
  llvm::Expected<llvm::json::Value> header = llvm::json::parse(headerText);
  if (!header)
    return fail("invalid JSON header: " + llvm::toString(header.takeError()));
  const llvm::json::Object *entries = header->getAsObject();
  if (!entries)
    return fail("JSON header is not an object");
  std::sort(writtenKeys.begin(), writtenKeys.end());
  auto duplicate = std::adjacent_find(writtenKeys.begin(), writtenKeys.end());
  if (duplicate != writtenKeys.end())
    return fail(*duplicate == kMetadataKey ? "duplicate key '" + *duplicate + "'"
                                           : "duplicate tensor '" + *duplicate + "'");

  // json::Object is unordered; sort names so diagnostics come out deterministically.
  std::vector<std::string> names;
  for (const auto &entry : *entries)
    if (llvm::StringRef(entry.first) != kMetadataKey)
      names.push_back(entry.first.str());
  std::sort(names.begin(), names.end());

  unsigned errorsBefore = diags.errorCount();
  std::vector<TensorSlot> slots;
  for (const std::string &name : names) {
    TensorSlot slot;
    if (parseSlot(name, *entries->get(name), data.size(), origin, diags, slot))
      slots.push_back(std::move(slot));
  }

  // Tensors must not share bytes: a tensor silently aliasing another is corruption.
  std::vector<const TensorSlot *> byOffset;
  for (const TensorSlot &slot : slots)
    if (slot.begin != slot.end)
      byOffset.push_back(&slot);
  std::sort(byOffset.begin(), byOffset.end(),
            [](const TensorSlot *a, const TensorSlot *b) { return a->begin < b->begin; });
  for (size_t i = 1; i < byOffset.size(); ++i) {
    const TensorSlot &prev = *byOffset[i - 1], &cur = *byOffset[i];
    if (cur.begin < prev.end)
      diags.error(origin, "tensor '" + cur.name + "' (bytes [" + llvm::Twine(cur.begin) + ", " +
                              llvm::Twine(cur.end) + ")) overlaps tensor '" + prev.name +
                              "' (bytes [" + llvm::Twine(prev.begin) + ", " +
                              llvm::Twine(prev.end) + "))");
  }
  if (diags.errorCount() != errorsBefore)
    return false;

  std::map<std::string, Tensor> tensors;
  for (TensorSlot &slot : slots) {
    // Sizes were checked against the data section, so the allocation is bounded.
    std::vector<float> values(slot.count);
    decodeRawElements(slot.element, data.data() + slot.begin, slot.count, values.data());
    tensors.emplace(slot.name, Tensor(std::move(slot.shape), std::move(values)));
  }
  out = std::move(tensors);
  return true;
}

bool readSafetensors(const std::string &path, std::map<std::string, Tensor> &out,
                     DiagnosticEngine &diags) {
  auto buffer = readWholeFile(path, diags);
  return buffer && readSafetensorsBytes(buffer->getBuffer(), path, out, diags);
}

bool writeSafetensors(const std::string &path, const std::map<std::string, Tensor> &tensors,
                      DiagnosticEngine &diags) {
  bool ok = true;
  for (const auto &[name, tensor] : tensors) {
    std::string problem = tensorLayoutProblem(tensor);
    if (!problem.empty()) {
      diags.error(path, "cannot write tensor '" + name + "': " + problem);
      ok = false;
    } else if (!llvm::json::isUTF8(name)) {
      diags.error(path, "cannot write tensor '" + name + "': its name is not valid UTF-8");
      ok = false;
    } else if (name == kMetadataKey) {
      diags.error(path, "cannot write a tensor named '" + name + "': the name is reserved");
      ok = false;
    }
  }
  if (!ok)
    return false;

  llvm::json::Object header;
  uint64_t offset = 0;
  for (const auto &[name, tensor] : tensors) {
    llvm::json::Array shape;
    for (int64_t dim : tensor.shape)
      shape.push_back(dim);
    uint64_t end = offset + 4 * tensor.data.size();
    header[name] =
        llvm::json::Object{{"dtype", "F32"},
                           {"shape", std::move(shape)},
                           {"data_offsets", llvm::json::Array{int64_t(offset), int64_t(end)}}};
    offset = end;
  }
  // llvm::json prints object keys sorted, so the output is reproducible.
  std::string headerText;
  llvm::raw_string_ostream(headerText) << llvm::json::Value(std::move(header));
  headerText.append((kHeaderAlign - headerText.size() % kHeaderAlign) % kHeaderAlign, ' ');

  return writeWholeFile(path, diags, [&](llvm::raw_ostream &os) {
    char length[kLengthPrefix];
    endian::write64le(length, headerText.size());
    os.write(length, kLengthPrefix);
    os << headerText;
    char word[4];
    for (const auto &entry : tensors)
      for (float value : entry.second.data) {
        endian::write32le(word, llvm::bit_cast<uint32_t>(value));
        os.write(word, 4);
      }
  });
}

} // namespace netc
