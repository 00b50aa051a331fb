#include "frontends/weights/Npy.h"

#include "frontends/weights/FileIO.h"
#include "frontends/weights/RawElements.h"

#include "ir/Type.h"

#include <llvm/ADT/StringSwitch.h>
#include <llvm/ADT/Twine.h>
#include <llvm/ADT/bit.h>
#include <llvm/Support/Endian.h>

#include <cctype>
#include <utility>

namespace netc {

namespace endian = llvm::support::endian;

namespace {

constexpr llvm::StringLiteral kMagic("\x93NUMPY");
// Magic, two version bytes, then a 2-byte (v1) or 4-byte (v2, v3) header length.
constexpr size_t kPrefixV1 = 10;
constexpr size_t kPrefixV2 = 12;
// numpy pads the preamble so the array data starts on this boundary.
constexpr size_t kHeaderAlign = 64;

/// A value of the Python literal subset numpy writes into .npy headers: a dict of
/// str keys whose values are strings, bools and tuples of ints.
struct PyValue {
  enum class Kind { Dict, Tuple, List, String, Int, Bool, None } kind = Kind::None;
  std::string string;
  int64_t integer = 0;
  bool boolean = false;
  std::vector<PyValue> items;                           // Tuple, List
  std::vector<std::pair<std::string, PyValue>> entries; // Dict, in written order
};

/// A recursive-descent parser for that subset. numpy reads headers with
/// ast.literal_eval; this accepts what numpy (including old Python 2 versions, which
/// wrote `3L`) produces and rejects everything else with a position.
class HeaderParser {
public:
  explicit HeaderParser(llvm::StringRef text) : text_(text) {}

  bool parse(PyValue &out, std::string &error) {
    if (!parseValue(out, 0) || !expectEnd()) {
      error = error_;
      return false;
    }
    return true;
  }

private:
  // Deep enough for any real header, shallow enough that `((((...` cannot
  // exhaust the stack.
  static constexpr unsigned kMaxDepth = 16;

  bool fail(const llvm::Twine &message) {
    error_ = ("malformed header: " + message + " at offset " + llvm::Twine(pos_)).str();
    return false;
  }
  void skipSpace() {
    while (pos_ < text_.size() && std::isspace((unsigned char)text_[pos_]))
      ++pos_;
  }
  bool peek(char c) {
    skipSpace();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  bool consume(char c) {
    if (!peek(c))
      return false;
    ++pos_;
    return true;
  }
  bool expectEnd() {
    skipSpace();
    return pos_ == text_.size() || fail("unexpected text after the header dict");
  }

  bool parseValue(PyValue &out, unsigned depth) {
    if (depth > kMaxDepth)
      return fail("nesting too deep");
    skipSpace();
    if (pos_ == text_.size())
      return fail("unexpected end");
    char c = text_[pos_];
    if (c == '{')
      return parseDict(out, depth);
    if (c == '(' || c == '[')
      return parseSequence(out, depth);
    if (c == '\'' || c == '"')
      return parseString(out);
    if (c == '-' || std::isdigit((unsigned char)c))
      return parseInt(out);
    if (std::isalpha((unsigned char)c))
      return parseName(out);
    return fail(llvm::Twine("unexpected character '") + llvm::Twine(c) + "'");
  }

  bool parseDict(PyValue &out, unsigned depth) {
    ++pos_; // '{'
    out.kind = PyValue::Kind::Dict;
    while (!consume('}')) {
      PyValue key;
      if (!parseValue(key, depth + 1))
        return false;
      if (key.kind != PyValue::Kind::String)
        return fail("dict keys must be strings");
      if (!consume(':'))
        return fail("expected ':' after dict key '" + key.string + "'");
      PyValue value;
      if (!parseValue(value, depth + 1))
        return false;
      for (const auto &entry : out.entries)
        if (entry.first == key.string)
          return fail("duplicate key '" + key.string + "'");
      out.entries.emplace_back(std::move(key.string), std::move(value));
      if (!consume(',') && !peek('}'))
        return fail("expected ',' or '}' in dict");
    }
    return true;
  }

  /// A tuple `(...)` or list `[...]`. `(x)` without a comma is just `x`, as in Python.
  bool parseSequence(PyValue &out, unsigned depth) {
    char close = text_[pos_] == '(' ? ')' : ']';
    bool isTuple = close == ')';
    ++pos_;
    std::vector<PyValue> items;
    bool sawComma = false;
    while (!consume(close)) {
      PyValue item;
      if (!parseValue(item, depth + 1))
        return false;
      items.push_back(std::move(item));
      if (consume(','))
        sawComma = true;
      else if (!peek(close))
        return fail(llvm::Twine("expected ',' or '") + llvm::Twine(close) + "'");
    }
    if (isTuple && items.size() == 1 && !sawComma) {
      out = std::move(items.front());
      return true;
    }
    out.kind = isTuple ? PyValue::Kind::Tuple : PyValue::Kind::List;
    out.items = std::move(items);
    return true;
  }

  bool parseString(PyValue &out) {
    char quote = text_[pos_++];
    out.kind = PyValue::Kind::String;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      char c = text_[pos_++];
      if (c == '\n')
        return fail("newline inside a string");
      if (c == '\\') {
        if (pos_ == text_.size())
          break;
        c = text_[pos_++]; // only the escapes a dtype string could need: \\ \' \"
      }
      out.string += c;
    }
    if (pos_ == text_.size())
      return fail("unterminated string");
    ++pos_;
    return true;
  }

  bool parseInt(PyValue &out) {
    size_t start = pos_;
    if (text_[pos_] == '-')
      ++pos_;
    size_t digitsStart = pos_;
    while (pos_ < text_.size() && std::isdigit((unsigned char)text_[pos_]))
      ++pos_;
    llvm::StringRef literal = text_.slice(start, pos_);
    if (pos_ == digitsStart)
      return fail("expected digits");
    if (pos_ < text_.size() && (text_[pos_] == 'L' || text_[pos_] == 'l'))
      ++pos_; // Python 2 long suffix
    out.kind = PyValue::Kind::Int;
    if (literal.getAsInteger(10, out.integer))
      return fail("integer '" + literal + "' out of range");
    return true;
  }

  bool parseName(PyValue &out) {
    size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum((unsigned char)text_[pos_]) || text_[pos_] == '_'))
      ++pos_;
    llvm::StringRef name = text_.slice(start, pos_);
    // u'...' / b'...' string prefixes from Python 2 era writers.
    if ((name == "u" || name == "b") && pos_ < text_.size() &&
        (text_[pos_] == '\'' || text_[pos_] == '"'))
      return parseString(out);
    if (name == "True" || name == "False") {
      out.kind = PyValue::Kind::Bool;
      out.boolean = name == "True";
      return true;
    }
    if (name == "None") {
      out.kind = PyValue::Kind::None;
      return true;
    }
    pos_ = start;
    return fail("unexpected name '" + name + "'");
  }

  llvm::StringRef text_;
  size_t pos_ = 0;
  std::string error_;
};

struct NpyHeader {
  std::string descr;
  RawElement element = RawElement::F32;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
};

/// numpy's dtype strings for the element types netc converts to float32.
std::optional<RawElement> elementForDescr(llvm::StringRef descr) {
  if (descr.size() < 2)
    return std::nullopt;
  char order = descr[0];
  llvm::StringRef code = descr.drop_front();
  // Single-byte types have no byte order; numpy writes '|' but accepts any prefix.
  if (order == '|' || order == '<' || order == '>' || order == '=') {
    if (code == "u1")
      return RawElement::U8;
    if (code == "b1")
      return RawElement::Bool;
    if (code == "i1")
      return RawElement::I8;
  }
  if (order != '<')
    return std::nullopt;
  return llvm::StringSwitch<std::optional<RawElement>>(code)
      .Case("f4", RawElement::F32)
      .Case("f8", RawElement::F64)
      .Case("f2", RawElement::F16)
      .Case("i2", RawElement::I16)
      .Case("i4", RawElement::I32)
      .Case("i8", RawElement::I64)
      .Default(std::nullopt);
}

bool isBigEndianNumeric(llvm::StringRef descr) {
  return descr.size() >= 3 && descr[0] == '>' && !descr.endswith("1");
}

bool interpretHeader(const PyValue &dict, NpyHeader &header, std::string &error) {
  if (dict.kind != PyValue::Kind::Dict) {
    error = "header is not a dict";
    return false;
  }
  const PyValue *descr = nullptr, *fortran = nullptr, *shape = nullptr;
  for (const auto &[key, value] : dict.entries) {
    if (key == "descr")
      descr = &value;
    else if (key == "fortran_order")
      fortran = &value;
    else if (key == "shape")
      shape = &value;
    else {
      error = "unexpected header key '" + key + "'";
      return false;
    }
  }
  for (auto [name, value] : {std::pair{"descr", descr}, std::pair{"fortran_order", fortran},
                             std::pair{"shape", shape}}) {
    if (!value) {
      error = std::string("header lacks key '") + name + "'";
      return false;
    }
  }

  if (descr->kind == PyValue::Kind::List) {
    error = "structured dtypes (a list 'descr') are not supported";
    return false;
  }
  if (descr->kind != PyValue::Kind::String) {
    error = "'descr' must be a dtype string";
    return false;
  }
  header.descr = descr->string;
  if (isBigEndianNumeric(header.descr)) {
    error = "big-endian dtype '" + header.descr +
            "' is not supported; convert the array with astype('<" + header.descr.substr(1) +
            "') before saving";
    return false;
  }
  auto element = elementForDescr(header.descr);
  if (!element) {
    error =
        "unsupported dtype '" + header.descr + "' (supported: <f4, <f8, <f2, <i4, <i8, |u1, |b1)";
    return false;
  }
  header.element = *element;

  if (fortran->kind != PyValue::Kind::Bool) {
    error = "'fortran_order' must be True or False";
    return false;
  }
  header.fortranOrder = fortran->boolean;

  if (shape->kind != PyValue::Kind::Tuple) {
    error = "'shape' must be a tuple of integers";
    return false;
  }
  for (const PyValue &dim : shape->items) {
    if (dim.kind != PyValue::Kind::Int) {
      error = "'shape' must be a tuple of integers";
      return false;
    }
    header.shape.push_back(dim.integer);
  }
  for (int64_t dim : header.shape) {
    if (dim < 0) {
      error = "negative dimension " + std::to_string(dim) + " in shape " + shapeStr(header.shape);
      return false;
    }
  }
  return true;
}

/// Reorders column-major `in` into row-major order for `shape`.
std::vector<float> fortranToC(const std::vector<float> &in, const std::vector<int64_t> &shape) {
  size_t rank = shape.size();
  if (rank < 2 || in.empty())
    return in;
  std::vector<uint64_t> fortranStride(rank, 1);
  for (size_t k = 1; k < rank; ++k)
    fortranStride[k] = fortranStride[k - 1] * uint64_t(shape[k - 1]);

  // Walk the C-order index like an odometer, tracking the matching Fortran offset.
  std::vector<float> out(in.size());
  std::vector<int64_t> index(rank, 0);
  uint64_t offset = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = in[offset];
    size_t k = rank - 1;
    ++index[k];
    offset += fortranStride[k];
    while (k > 0 && index[k] == shape[k]) {
      offset -= fortranStride[k] * uint64_t(shape[k]);
      index[k] = 0;
      --k;
      ++index[k];
      offset += fortranStride[k];
    }
  }
  return out;
}

std::string shapeTuple(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    s += ",";
  return s + ")";
}

} // namespace

bool readNpyBytes(llvm::StringRef bytes, const std::string &origin, Tensor &out,
                  DiagnosticEngine &diags) {
  auto fail = [&](const llvm::Twine &message) {
    diags.error(origin, message);
    return false;
  };

  if (bytes.empty())
    return fail("empty file; expected a .npy array");
  if (!kMagic.startswith(bytes.take_front(kMagic.size())))
    return fail("not a .npy file (it does not start with \"\\x93NUMPY\")");
  if (bytes.size() < kPrefixV1)
    return fail("truncated .npy file: " + llvm::Twine(bytes.size()) +
                " bytes is too short for the header");

  unsigned major = (unsigned char)bytes[6], minor = (unsigned char)bytes[7];
  if (minor != 0 || major < 1 || major > 3)
    return fail("unsupported .npy format version " + llvm::Twine(major) + "." + llvm::Twine(minor) +
                " (supported: 1.0, 2.0, 3.0)");
  size_t prefix = major == 1 ? kPrefixV1 : kPrefixV2;
  if (bytes.size() < prefix)
    return fail("truncated .npy file: " + llvm::Twine(bytes.size()) +
                " bytes is too short for the header");
  uint64_t headerLength =
      major == 1 ? endian::read16le(bytes.data() + 8) : endian::read32le(bytes.data() + 8);
  if (headerLength > bytes.size() - prefix)
    return fail("truncated header: it claims " + llvm::Twine(headerLength) + " bytes but only " +
                llvm::Twine(bytes.size() - prefix) + " follow");

  PyValue dict;
  NpyHeader header;
  std::string error;
  if (!HeaderParser(bytes.substr(prefix, headerLength)).parse(dict, error) ||
      !interpretHeader(dict, header, error))
    return fail(error);

  size_t itemSize = rawElementSize(header.element);
  auto count = checkedElementCount(header.shape, itemSize);
  if (!count)
    return fail("shape " + shapeStr(header.shape) + " is too large");
  uint64_t expectedBytes = *count * itemSize;
  llvm::StringRef data = bytes.drop_front(prefix + headerLength);
  if (data.size() != expectedBytes)
    return fail("data is " + llvm::Twine(data.size()) + " bytes but shape " +
                shapeStr(header.shape) + " of '" + header.descr + "' needs " +
                llvm::Twine(expectedBytes) +
                (data.size() < expectedBytes ? " (truncated file?)" : " (trailing bytes?)"));

  // The count is bounded by the input size now, so this allocation is safe.
  std::vector<float> values(*count);
  decodeRawElements(header.element, data.data(), *count, values.data());
  if (header.fortranOrder)
    values = fortranToC(values, header.shape);
  out = Tensor(std::move(header.shape), std::move(values));
  return true;
}

bool readNpy(const std::string &path, Tensor &out, DiagnosticEngine &diags) {
  auto buffer = readWholeFile(path, diags);
  return buffer && readNpyBytes(buffer->getBuffer(), path, out, diags);
}

std::string npyBytes(const Tensor &t) {
  std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeTuple(t.shape) + ", }";
  // Pad with spaces and a final newline so the data is aligned, as numpy does. A
  // header longer than 64 KiB (only with absurdly many dims) needs format 2.0.
  bool needsV2 = dict.size() + 1 + kPrefixV1 + kHeaderAlign > 0xffff;
  size_t prefix = needsV2 ? kPrefixV2 : kPrefixV1;
  size_t unpadded = prefix + dict.size() + 1;
  size_t headerLength = dict.size() + 1 + (kHeaderAlign - unpadded % kHeaderAlign) % kHeaderAlign;

  std::string bytes(kMagic);
  bytes += char(needsV2 ? 2 : 1);
  bytes += char(0);
  // The header length: little-endian, 2 bytes in format 1.0, 4 in 2.0.
  for (size_t i = 0; i < prefix - 8; ++i)
    bytes += char((headerLength >> (8 * i)) & 0xff);
  bytes += dict;
  bytes.append(headerLength - dict.size() - 1, ' ');
  bytes += '\n';

  size_t dataStart = bytes.size();
  bytes.resize(dataStart + 4 * t.data.size());
  for (size_t i = 0; i < t.data.size(); ++i)
    endian::write32le(&bytes[dataStart + 4 * i], llvm::bit_cast<uint32_t>(t.data[i]));
  return bytes;
}

bool writeNpy(const std::string &path, const Tensor &t, DiagnosticEngine &diags) {
  std::string problem = tensorLayoutProblem(t);
  if (!problem.empty()) {
    diags.error(path, "cannot write tensor: " + problem);
    return false;
  }
  return writeWholeFile(path, diags, [&](llvm::raw_ostream &os) { os << npyBytes(t); });
}

} // namespace netc
