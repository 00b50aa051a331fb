#include "ir/IRParser.h"
#include "ir/OpRegistry.h"
#include "ir/Verifier.h"

#include <llvm/ADT/StringExtras.h>

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace netc {
namespace {

enum class Tok { Eof, Ident, Percent, At, Int, Float, String, Punct, Arrow, Error };

struct Token {
  Tok kind = Tok::Eof;
  llvm::StringRef text; // identifiers: the name without % or @
  llvm::SMLoc loc;
};

class IRLexer {
public:
  explicit IRLexer(llvm::StringRef buffer) : buf_(buffer), pos_(buffer.begin()) {}

  Token next() {
    skipSpaceAndComments();
    Token t;
    t.loc = llvm::SMLoc::getFromPointer(pos_);
    if (pos_ >= buf_.end()) {
      t.kind = Tok::Eof;
      return t;
    }
    const char *start = pos_;
    char c = *pos_;
    if (c == '%' || c == '@') {
      ++pos_;
      const char *nameStart = pos_;
      while (pos_ < buf_.end() && isNameChar(*pos_))
        ++pos_;
      t.kind = c == '%' ? Tok::Percent : Tok::At;
      t.text = llvm::StringRef(nameStart, pos_ - nameStart);
      if (t.text.empty())
        t.kind = Tok::Error, t.text = llvm::StringRef(start, 1);
      return t;
    }
    if (std::isalpha((unsigned char)c) || c == '_') {
      while (pos_ < buf_.end() && (std::isalnum((unsigned char)*pos_) || *pos_ == '_'))
        ++pos_;
      t.kind = Tok::Ident;
      t.text = llvm::StringRef(start, pos_ - start);
      return t;
    }
    if (std::isdigit((unsigned char)c) || ((c == '-' || c == '+') && pos_ + 1 < buf_.end() &&
                                           (std::isdigit((unsigned char)pos_[1]) || pos_[1] == '.'))) {
      ++pos_;
      bool isFloat = false;
      while (pos_ < buf_.end()) {
        char d = *pos_;
        if (std::isdigit((unsigned char)d)) {
          ++pos_;
        } else if (d == '.' || d == 'e' || d == 'E') {
          isFloat = true;
          ++pos_;
          if ((d == 'e' || d == 'E') && pos_ < buf_.end() && (*pos_ == '-' || *pos_ == '+'))
            ++pos_;
        } else {
          break;
        }
      }
      t.kind = isFloat ? Tok::Float : Tok::Int;
      t.text = llvm::StringRef(start, pos_ - start);
      return t;
    }
    if (c == '"') {
      ++pos_;
      while (pos_ < buf_.end() && *pos_ != '"' && *pos_ != '\n') {
        if (*pos_ == '\\' && pos_ + 1 < buf_.end())
          ++pos_;
        ++pos_;
      }
      if (pos_ >= buf_.end() || *pos_ != '"') {
        t.kind = Tok::Error;
        t.text = llvm::StringRef(start, 1);
        return t;
      }
      ++pos_;
      t.kind = Tok::String;
      t.text = llvm::StringRef(start + 1, pos_ - start - 2);
      return t;
    }
    if (c == '-' && pos_ + 1 < buf_.end() && pos_[1] == '>') {
      pos_ += 2;
      t.kind = Tok::Arrow;
      t.text = llvm::StringRef(start, 2);
      return t;
    }
    ++pos_;
    t.kind = llvm::StringRef("(){}[],:=").contains(c) ? Tok::Punct : Tok::Error;
    t.text = llvm::StringRef(start, 1);
    return t;
  }

private:
  static bool isNameChar(char c) {
    return std::isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
  }
  void skipSpaceAndComments() {
    while (pos_ < buf_.end()) {
      if (std::isspace((unsigned char)*pos_)) {
        ++pos_;
      } else if (*pos_ == '/' && pos_ + 1 < buf_.end() && pos_[1] == '/') {
        while (pos_ < buf_.end() && *pos_ != '\n')
          ++pos_;
      } else {
        break;
      }
    }
  }
  llvm::StringRef buf_;
  const char *pos_;
};

class IRParser {
public:
  IRParser(llvm::StringRef buffer, DiagnosticEngine &diags) : lex_(buffer), diags_(diags) {
    tok_ = lex_.next();
  }

  std::unique_ptr<Graph> parse() {
    try {
      auto graph = parseGraph();
      if (tok_.kind != Tok::Eof)
        fail(tok_.loc, "expected end of file after the graph");
      return diags_.hadError() ? nullptr : std::move(graph);
    } catch (const ReportedError &) {
      return nullptr;
    }
  }

private:
  [[noreturn]] void fail(llvm::SMLoc loc, const llvm::Twine &msg) {
    diags_.error(loc, msg);
    throw ReportedError{};
  }
  std::string describe(const Token &t) {
    switch (t.kind) {
    case Tok::Eof:
      return "end of file";
    case Tok::Percent:
      return "'%" + t.text.str() + "'";
    case Tok::At:
      return "'@" + t.text.str() + "'";
    default:
      return "'" + t.text.str() + "'";
    }
  }
  void advance() { tok_ = lex_.next(); }
  bool isPunct(char c) const { return tok_.kind == Tok::Punct && tok_.text[0] == c; }
  bool consumePunct(char c) {
    if (!isPunct(c))
      return false;
    advance();
    return true;
  }
  void expectPunct(char c, const char *context) {
    if (!consumePunct(c))
      fail(tok_.loc, llvm::Twine("expected '") + llvm::Twine(c) + "' " + context + ", found " +
                         describe(tok_));
  }
  Token expect(Tok kind, const char *what) {
    if (tok_.kind != kind)
      fail(tok_.loc, llvm::Twine("expected ") + what + ", found " + describe(tok_));
    Token t = tok_;
    advance();
    return t;
  }
  void expectKeyword(llvm::StringRef kw) {
    if (tok_.kind != Tok::Ident || tok_.text != kw)
      fail(tok_.loc, "expected '" + kw + "', found " + describe(tok_));
    advance();
  }

  int64_t parseInt(const Token &t) {
    int64_t v = 0;
    if (t.text.getAsInteger(10, v))
      fail(t.loc, "integer '" + t.text + "' is out of range");
    return v;
  }

  TensorType parseType() {
    Token dt = expect(Tok::Ident, "a tensor type such as f32[N,3,32,32]");
    auto dtype = parseDType(dt.text.str());
    if (!dtype)
      fail(dt.loc, "unknown element type '" + dt.text + "' (netc supports f32)");
    TensorType type;
    type.dtype = *dtype;
    expectPunct('[', "to open the shape");
    if (!isPunct(']')) {
      do {
        if (tok_.kind == Tok::Int) {
          int64_t v = parseInt(tok_);
          if (v <= 0)
            fail(tok_.loc, "dimension sizes must be positive, found " + tok_.text);
          type.dims.push_back(Dim::of(v));
          advance();
        } else if (tok_.kind == Tok::Ident) {
          type.dims.push_back(Dim::sym(tok_.text.str()));
          advance();
        } else {
          fail(tok_.loc, "expected a dimension (a size or a symbol such as N), found " +
                             describe(tok_));
        }
      } while (consumePunct(','));
    }
    expectPunct(']', "to close the shape");
    return type;
  }

  Attribute parseAttrValue() {
    Token t = tok_;
    switch (t.kind) {
    case Tok::Int:
      advance();
      return Attribute::ofInt(parseInt(t));
    case Tok::Float: {
      // getAsDouble returns inf for 1e400 without complaint; the printer would
      // then write `inf`, not the number the text gave.
      double value = 0;
      if (t.text.getAsDouble(value))
        fail(t.loc, "malformed number '" + t.text + "'");
      if (!std::isfinite(value))
        fail(t.loc, "number '" + t.text + "' is out of range");
      advance();
      return Attribute::ofFloat(value);
    }
    case Tok::String: {
      advance();
      std::string s;
      for (size_t i = 0; i < t.text.size(); ++i) {
        if (t.text[i] == '\\' && i + 1 < t.text.size())
          ++i;
        s += t.text[i];
      }
      return Attribute::ofString(s);
    }
    case Tok::Ident:
      if (t.text == "true" || t.text == "false") {
        advance();
        return Attribute::ofBool(t.text == "true");
      }
      if (t.text == "inf" || t.text == "nan") {
        advance();
        return Attribute::ofFloat(std::strtod(t.text.str().c_str(), nullptr));
      }
      break;
    case Tok::Punct:
      if (t.text == "[") {
        advance();
        std::vector<int64_t> values;
        if (!isPunct(']')) {
          do {
            values.push_back(parseInt(expect(Tok::Int, "an integer in the list")));
          } while (consumePunct(','));
        }
        expectPunct(']', "to close the list");
        return Attribute::ofInts(values);
      }
      break;
    default:
      break;
    }
    fail(t.loc, "expected an attribute value, found " + describe(t));
  }

  std::unique_ptr<Graph> parseGraph() {
    expectKeyword("graph");
    Token name = expect(Tok::At, "the graph name, e.g. @model");
    auto graph = std::make_unique<Graph>(name.text.str());
    expectPunct('(', "to open the input list");
    if (!isPunct(')')) {
      do {
        Token in = expect(Tok::Percent, "an input such as %image");
        expectPunct(':', "after the input name");
        TensorType type = parseType();
        if (graph->findActivation(in.text.str()))
          fail(in.loc, "input '%" + in.text + "' is defined twice");
        graph->addInput(in.text.str(), type, in.loc);
      } while (consumePunct(','));
    }
    expectPunct(')', "to close the input list");
    if (tok_.kind != Tok::Arrow)
      fail(tok_.loc, "expected '->' and the output list, found " + describe(tok_));
    advance();
    expectPunct('(', "to open the output list");
    struct PendingOutput {
      Token name;
      TensorType type;
    };
    std::vector<PendingOutput> outputs;
    do {
      Token out = expect(Tok::Percent, "an output such as %probs");
      expectPunct(':', "after the output name");
      outputs.push_back({out, parseType()});
    } while (consumePunct(','));
    expectPunct(')', "to close the output list");
    expectPunct('{', "to open the graph body");

    while (!isPunct('}')) {
      if (tok_.kind == Tok::Eof)
        fail(tok_.loc, "expected '}' to close the graph body");
      if (tok_.kind == Tok::Ident && tok_.text == "weight") {
        advance();
        Token w = expect(Tok::At, "a weight name such as @conv1.weight");
        expectPunct(':', "after the weight name");
        TensorType type = parseType();
        if (graph->findWeight(w.text.str()))
          fail(w.loc, "weight '@" + w.text + "' is declared twice");
        graph->addWeight(w.text.str(), type, w.loc);
        continue;
      }
      parseOp(*graph);
    }
    advance();

    for (const auto &out : outputs) {
      Value *v = graph->findActivation(out.name.text.str());
      if (!v)
        fail(out.name.loc, "output '%" + out.name.text + "' is not defined in the graph");
      if (v->type() != out.type)
        fail(out.name.loc, "output '%" + out.name.text + "' is declared as " + out.type.str() +
                               " but its value has type " + v->type().str());
      graph->addOutput(v);
    }
    return graph;
  }

  void parseOp(Graph &graph) {
    Token result = expect(Tok::Percent, "an op such as '%y = relu(%x) : f32[N,10]'");
    if (graph.findActivation(result.text.str()))
      fail(result.loc, "value '%" + result.text + "' is defined twice");
    expectPunct('=', "after the result name");
    Token kind = expect(Tok::Ident, "an op name");
    const OpDef *def = OpRegistry::get().lookup(kind.text.str());
    if (!def)
      fail(kind.loc, "unknown op '" + kind.text + "'");
    expectPunct('(', "to open the operand list");
    std::vector<Value *> operands;
    if (!isPunct(')')) {
      do {
        Token ref = tok_;
        Value *v = nullptr;
        if (ref.kind == Tok::Percent) {
          v = graph.findActivation(ref.text.str());
          if (!v)
            fail(ref.loc, "use of undefined value '%" + ref.text + "'");
        } else if (ref.kind == Tok::At) {
          v = graph.findWeight(ref.text.str());
          if (!v)
            fail(ref.loc, "use of undeclared weight '@" + ref.text + "'");
        } else if (ref.kind == Tok::Ident && ref.text == "_") {
          v = nullptr;
        } else {
          fail(ref.loc, "expected an operand (%value, @weight or _), found " + describe(ref));
        }
        advance();
        operands.push_back(v);
      } while (consumePunct(','));
    }
    expectPunct(')', "to close the operand list");
    if (operands.size() > def->operands.size())
      fail(kind.loc, "'" + kind.text + "' takes at most " + llvm::Twine(def->operands.size()) +
                         (def->operands.size() == 1 ? " operand" : " operands") + ", found " + llvm::Twine(operands.size()));
    AttrMap attrs;
    if (consumePunct('{')) {
      if (!isPunct('}')) {
        do {
          Token attrName = expect(Tok::Ident, "an attribute name");
          expectPunct('=', "after the attribute name");
          if (attrs.has(attrName.text.str()))
            fail(attrName.loc, "attribute '" + attrName.text + "' is given twice");
          attrs.set(attrName.text.str(), parseAttrValue());
        } while (consumePunct(','));
      }
      expectPunct('}', "to close the attributes");
    }
    std::string error;
    if (!normalizeAttrs(*def, attrs, error))
      fail(kind.loc, error);
    expectPunct(':', "before the result type");
    TensorType type = parseType();
    graph.addOp(*def, std::move(operands), std::move(attrs), result.text.str(), type, result.loc);
  }

  IRLexer lex_;
  DiagnosticEngine &diags_;
  Token tok_;
};

} // namespace

std::unique_ptr<Graph> parseGraphIR(unsigned bufferId, DiagnosticEngine &diags) {
  const llvm::MemoryBuffer *buffer = diags.sourceMgr().getMemoryBuffer(bufferId);
  IRParser parser(buffer->getBuffer(), diags);
  return parser.parse();
}

} // namespace netc
