#include "frontends/dsl/DslLexer.h"

#include <llvm/ADT/StringSwitch.h>
#include <llvm/ADT/StringExtras.h>

#include <cctype>

namespace netc::dsl {

static bool isIdentifierStart(char c) { return std::isalpha((unsigned char)c) || c == '_'; }
static bool isIdentifierChar(char c) { return std::isalnum((unsigned char)c) || c == '_'; }
static bool isDigit(char c) { return std::isdigit((unsigned char)c); }

std::string Token::describe() const {
  switch (kind) {
  case TokenKind::Eof:
    return "end of file";
  case TokenKind::Newline:
    return "end of line";
  default:
    return "'" + spelling.str() + "'";
  }
}

DslLexer::DslLexer(llvm::StringRef buffer, DiagnosticEngine &diags)
    : buffer_(buffer), pos_(buffer.begin()), diags_(diags) {}

Token DslLexer::next() {
  skipBlanks();
  if (pos_ < buffer_.end() && *pos_ == '\n') {
    const char *lineBreak = pos_;
    skipBlanksAndLineBreaks();
    atLineStart_ = true;
    // A line break ends the statement unless the chain visibly goes on: the line
    // ended with `|>` or the next one starts with it. Runs of blank lines collapse.
    bool continues = previous_ == TokenKind::Newline || previous_ == TokenKind::Pipe || atPipe();
    if (!continues) {
      previous_ = TokenKind::Newline;
      Token t;
      t.kind = TokenKind::Newline;
      t.spelling = llvm::StringRef(lineBreak, 1);
      return t;
    }
  }
  Token t = lexToken();
  t.startsLine = atLineStart_;
  atLineStart_ = false;
  previous_ = t.kind;
  return t;
}

void DslLexer::skipBlanks() {
  while (pos_ < buffer_.end()) {
    char c = *pos_;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++pos_;
    } else if (c == '#') {
      while (pos_ < buffer_.end() && *pos_ != '\n')
        ++pos_;
    } else {
      return;
    }
  }
}

void DslLexer::skipBlanksAndLineBreaks() {
  for (;;) {
    skipBlanks();
    if (pos_ >= buffer_.end() || *pos_ != '\n')
      return;
    ++pos_;
  }
}

bool DslLexer::atPipe() const {
  return pos_ + 1 < buffer_.end() && pos_[0] == '|' && pos_[1] == '>';
}

Token DslLexer::make(TokenKind kind, const char *start) {
  Token t;
  t.kind = kind;
  t.spelling = llvm::StringRef(start, pos_ - start);
  return t;
}

Token DslLexer::lexToken() {
  const char *start = pos_;
  if (pos_ >= buffer_.end())
    return make(TokenKind::Eof, start);
  char c = *pos_;
  if (isIdentifierStart(c))
    return lexIdentifierOrKeyword(start);
  bool signedNumber = c == '-' && pos_ + 1 < buffer_.end() &&
                      (isDigit(pos_[1]) || (pos_[1] == '.' && pos_ + 2 < buffer_.end() &&
                                            isDigit(pos_[2])));
  bool fraction = c == '.' && pos_ + 1 < buffer_.end() && isDigit(pos_[1]);
  if (isDigit(c) || signedNumber || fraction)
    return lexNumber(start);
  if (c == '"')
    return lexString(start);
  if (atPipe()) {
    pos_ += 2;
    return make(TokenKind::Pipe, start);
  }

  ++pos_;
  switch (c) {
  case '(':
    return make(TokenKind::LParen, start);
  case ')':
    return make(TokenKind::RParen, start);
  case '[':
    return make(TokenKind::LBracket, start);
  case ']':
    return make(TokenKind::RBracket, start);
  case '{':
    return make(TokenKind::LBrace, start);
  case '}':
    return make(TokenKind::RBrace, start);
  case ',':
    return make(TokenKind::Comma, start);
  case ':':
    return make(TokenKind::Colon, start);
  case '=':
    return make(TokenKind::Equal, start);
  default:
    break;
  }
  // Swallow the rest of a multi-byte UTF-8 character so the message shows it whole.
  while (pos_ < buffer_.end() && ((unsigned char)*pos_ & 0xC0) == 0x80)
    ++pos_;
  Token t = make(TokenKind::Error, start);
  if (std::isprint((unsigned char)c) || (unsigned char)c >= 0x80)
    diags_.error(t.loc(), "unexpected character '" + t.spelling + "'");
  else
    diags_.error(t.loc(), "unexpected character 0x" + llvm::utohexstr((unsigned char)c));
  return t;
}

Token DslLexer::lexIdentifierOrKeyword(const char *start) {
  while (pos_ < buffer_.end() && isIdentifierChar(*pos_))
    ++pos_;
  llvm::StringRef word(start, pos_ - start);
  TokenKind kind = llvm::StringSwitch<TokenKind>(word)
                       .Case("model", TokenKind::KwModel)
                       .Case("input", TokenKind::KwInput)
                       .Case("output", TokenKind::KwOutput)
                       .Case("true", TokenKind::KwTrue)
                       .Case("false", TokenKind::KwFalse)
                       .Default(TokenKind::Identifier);
  return make(kind, start);
}

Token DslLexer::lexNumber(const char *start) {
  auto digits = [&] {
    while (pos_ < buffer_.end() && isDigit(*pos_))
      ++pos_;
  };
  bool isFloat = false;
  if (*pos_ == '-')
    ++pos_;
  digits();
  if (pos_ < buffer_.end() && *pos_ == '.') {
    isFloat = true;
    ++pos_;
    digits();
  }
  if (pos_ < buffer_.end() && (*pos_ == 'e' || *pos_ == 'E')) {
    const char *exponent = pos_ + 1;
    if (exponent < buffer_.end() && (*exponent == '+' || *exponent == '-'))
      ++exponent;
    if (exponent < buffer_.end() && isDigit(*exponent)) {
      isFloat = true;
      pos_ = exponent;
      digits();
    }
  }
  // `3x` or `1.5.2` is one malformed token, not a number followed by a name.
  if (pos_ < buffer_.end() && (isIdentifierChar(*pos_) || *pos_ == '.')) {
    while (pos_ < buffer_.end() && (isIdentifierChar(*pos_) || *pos_ == '.'))
      ++pos_;
    Token t = make(TokenKind::Error, start);
    diags_.error(t.loc(), "invalid number '" + t.spelling + "'", {t.range()});
    return t;
  }
  return make(isFloat ? TokenKind::Float : TokenKind::Integer, start);
}

Token DslLexer::lexString(const char *start) {
  ++pos_; // opening quote
  while (pos_ < buffer_.end() && *pos_ != '"' && *pos_ != '\n') {
    if (*pos_ == '\\' && pos_ + 1 < buffer_.end() && pos_[1] != '\n')
      ++pos_;
    ++pos_;
  }
  if (pos_ >= buffer_.end() || *pos_ != '"') {
    Token t = make(TokenKind::Error, start);
    diags_.error(t.loc(), "unterminated string; strings end with '\"' on the same line");
    return t;
  }
  ++pos_; // closing quote
  return make(TokenKind::String, start);
}

} // namespace netc::dsl
