// Tokens of the netc model language. The language is line-oriented: a statement
// ends at a newline, so the lexer reports line ends as `Newline` tokens. It also
// applies the two lexical continuation rules of `|>` chains itself (a line that
// ends with `|>` or a next line that begins with `|>` continues the statement);
// newlines inside parentheses and brackets are the parser's business, because only
// it knows the nesting.
#pragma once

#include "ir/Diagnostics.h"

#include <llvm/ADT/StringRef.h>
#include <llvm/Support/SMLoc.h>

#include <string>

namespace netc::dsl {

enum class TokenKind {
  Eof,
  Newline, // one per run of line breaks, blank lines and comments
  Identifier,
  Integer, // `16`, `-1`
  Float,   // `0.01`, `1e-5`, `-.5`
  String,  // `"same"`; the spelling keeps the quotes and escapes
  // Keywords.
  KwModel,
  KwInput,
  KwOutput,
  KwTrue,
  KwFalse,
  // Punctuation.
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Equal,
  Pipe, // |>
  /// Text that is no token; the lexer has already reported it.
  Error,
};

struct Token {
  TokenKind kind = TokenKind::Eof;
  /// The source text of the token (empty for Eof; the line break for Newline).
  llvm::StringRef spelling;
  /// True for the first token on its source line; lets the parser tell a statement
  /// that was cut short (an unclosed parenthesis) from one that spans lines.
  bool startsLine = false;

  bool is(TokenKind k) const { return kind == k; }
  bool isKeyword() const { return kind >= TokenKind::KwModel && kind <= TokenKind::KwFalse; }
  llvm::SMLoc loc() const { return llvm::SMLoc::getFromPointer(spelling.begin()); }
  llvm::SMLoc endLoc() const { return llvm::SMLoc::getFromPointer(spelling.end()); }
  llvm::SMRange range() const { return {loc(), endLoc()}; }
  /// How the token reads in a message: `'conv1'`, `end of line`, `end of file`.
  std::string describe() const;
};

class DslLexer {
public:
  /// Lexes `buffer`, which must live in `diags`'s SourceMgr so that errors (an
  /// unterminated string, a stray character) can point into it.
  DslLexer(llvm::StringRef buffer, DiagnosticEngine &diags);

  Token next();

private:
  Token lexToken();
  Token lexIdentifierOrKeyword(const char *start);
  Token lexNumber(const char *start);
  Token lexString(const char *start);
  Token make(TokenKind kind, const char *start);
  /// Skips blanks and comments on the current line (not the line break).
  void skipBlanks();
  /// Skips blanks, comments and line breaks.
  void skipBlanksAndLineBreaks();
  bool atPipe() const;

  llvm::StringRef buffer_;
  const char *pos_;
  DiagnosticEngine &diags_;
  // The start of the file behaves like a fresh line: leading blank lines vanish.
  TokenKind previous_ = TokenKind::Newline;
  bool atLineStart_ = true;
};

} // namespace netc::dsl
