// Recursive-descent parser of the netc model language. Grammar (docs/dsl.md):
//
//   file      ::= model-decl
//   model-decl::= 'model' IDENT '{' { stmt } '}'
//   stmt      ::= 'input' IDENT ':' type
//               | [ 'output' ] IDENT '=' expr
//               | 'output' IDENT
//   type      ::= [ IDENT ] '[' [ dim { ',' dim } [ ',' ] ] ']'
//   dim       ::= INTEGER | IDENT
//   expr      ::= primary { '|>' stage }
//   stage     ::= IDENT [ '(' args ')' ]
//   primary   ::= IDENT [ '(' args ')' ] | literal
//   args      ::= [ arg { ',' arg } [ ',' ] ]
//   arg       ::= [ IDENT '=' ] expr
//   literal   ::= INTEGER | FLOAT | STRING | 'true' | 'false'
//               | '[' [ INTEGER { ',' INTEGER } [ ',' ] ] ']'
//
// Statements end at a newline; inside parentheses and brackets newlines are
// ignored (this parser tracks the nesting), and around `|>` the lexer drops them.
#include "frontends/dsl/DslParser.h"
#include "frontends/dsl/DslAst.h"
#include "frontends/dsl/DslLexer.h"
#include "frontends/dsl/GraphBuilder.h"

#include <cmath>

namespace netc {
namespace dsl {
namespace {

using namespace ast;

class Parser {
public:
  Parser(llvm::StringRef buffer, DiagnosticEngine &diags) : lexer_(buffer, diags), diags_(diags) {
    advance();
  }

  std::unique_ptr<ModelDecl> parseFile();

private:
  //===--- Tokens ---------------------------------------------------------===//

  void advance() {
    lastEnd_ = tok_.endLoc();
    tok_ = lexer_.next();
    while (nesting_ > 0 && tok_.is(TokenKind::Newline))
      tok_ = lexer_.next();
  }
  void skipNewlines() {
    while (tok_.is(TokenKind::Newline))
      advance();
  }
  bool consume(TokenKind kind) {
    if (!tok_.is(kind))
      return false;
    advance();
    return true;
  }
  /// Reports `message` at `token` and unwinds to statement recovery. An Error
  /// token was already reported by the lexer, so nothing more is said about it.
  [[noreturn]] void failAt(const Token &token, const llvm::Twine &message) {
    if (!token.is(TokenKind::Error))
      diags_.error(token.loc(), message);
    throw ReportedError{};
  }
  /// "expected <what>, found <the current token>"
  [[noreturn]] void failExpected(const llvm::Twine &what) {
    failAt(tok_, "expected " + what + ", found " + tok_.describe());
  }
  Token expect(TokenKind kind, const llvm::Twine &what) {
    if (!tok_.is(kind))
      failExpected(what);
    Token t = tok_;
    advance();
    return t;
  }
  /// Consumes an opening bracket; newlines are insignificant until it closes.
  void open(TokenKind kind, const llvm::Twine &what) {
    if (!tok_.is(kind))
      failExpected(what);
    ++nesting_;
    advance();
  }
  void close(TokenKind kind, const llvm::Twine &what) {
    if (!tok_.is(kind))
      failExpected(what);
    --nesting_;
    advance();
  }

  //===--- Statements -----------------------------------------------------===//

  std::unique_ptr<Stmt> parseStatementOrRecover();
  std::unique_ptr<Stmt> parseStatement();
  void expectStatementEnd();
  void recover(const Token &statementStart);
  Token parseDefinedName(const char *what);
  TypeSpec parseType();

  //===--- Expressions ----------------------------------------------------===//

  std::unique_ptr<Expr> parseExpr();
  std::unique_ptr<Expr> parsePrimary();
  std::unique_ptr<CallExpr> parseCall(const Token &callee);
  Argument parseArgument();
  std::unique_ptr<LiteralExpr> parseLiteral();
  int64_t parseInteger(const Token &token);

  DslLexer lexer_;
  DiagnosticEngine &diags_;
  Token tok_;
  llvm::SMLoc lastEnd_; // end of the last consumed token, for source ranges
  int nesting_ = 0;     // open parentheses and brackets
  // The name the current statement defines, once parsed: kept if the statement fails.
  Token pendingName_;
};

std::unique_ptr<ModelDecl> Parser::parseFile() {
  auto model = std::make_unique<ModelDecl>();
  Token lbrace;
  try {
    skipNewlines();
    if (!tok_.is(TokenKind::KwModel))
      failExpected("a model such as 'model NAME { ... }'");
    advance();
    Token name = expect(TokenKind::Identifier, "the model name after 'model'");
    model->name = name.spelling.str();
    model->nameRange = name.range();
    lbrace = expect(TokenKind::LBrace, "'{' to open the body of model '" + model->name + "'");
  } catch (const ReportedError &) {
    return nullptr;
  }

  for (;;) {
    skipNewlines();
    if (tok_.is(TokenKind::RBrace) || tok_.is(TokenKind::Eof))
      break;
    model->body.push_back(parseStatementOrRecover());
  }
  if (tok_.is(TokenKind::Eof)) {
    diags_.error(tok_.loc(), "expected '}' to close model '" + model->name + "'");
    diags_.note(lbrace.loc(), "model '" + model->name + "' opens here");
    return model;
  }
  advance();
  skipNewlines();
  if (tok_.is(TokenKind::KwModel))
    diags_.error(tok_.loc(), "a file holds one model; found a second 'model'");
  else if (!tok_.is(TokenKind::Eof) && !tok_.is(TokenKind::Error))
    diags_.error(tok_.loc(), "expected end of file after model '" + model->name + "', found " +
                                 tok_.describe());
  return model;
}

std::unique_ptr<Stmt> Parser::parseStatementOrRecover() {
  Token start = tok_;
  pendingName_ = Token();
  try {
    std::unique_ptr<Stmt> stmt = parseStatement();
    expectStatementEnd();
    return stmt;
  } catch (const ReportedError &) {
    recover(start);
    std::string name = pendingName_.is(TokenKind::Identifier) ? pendingName_.spelling.str() : "";
    return std::make_unique<InvalidStmt>(start.loc(), name, pendingName_.range());
  }
}

std::unique_ptr<Stmt> Parser::parseStatement() {
  Token start = tok_;
  if (consume(TokenKind::KwInput)) {
    Token name = parseDefinedName("an input name after 'input'");
    expect(TokenKind::Colon, "':' and a type after input '" + name.spelling + "'");
    TypeSpec type = parseType();
    return std::make_unique<InputStmt>(start.loc(), name.spelling.str(), name.range(),
                                       std::move(type));
  }
  bool isOutput = consume(TokenKind::KwOutput);
  if (isOutput && tok_.is(TokenKind::Identifier)) {
    Token name = tok_;
    advance();
    if (!tok_.is(TokenKind::Equal))
      return std::make_unique<OutputStmt>(start.loc(), name.spelling.str(), name.range());
    pendingName_ = name;
  } else if (tok_.is(TokenKind::Identifier)) {
    pendingName_ = tok_;
    advance();
  } else if (isOutput) {
    failExpected("a layer name after 'output'");
  } else {
    failExpected("a statement ('input NAME: type', 'NAME = ...' or 'output NAME')");
  }
  expect(TokenKind::Equal, "'=' after layer name '" + pendingName_.spelling + "'");
  std::unique_ptr<Expr> value = parseExpr();
  return std::make_unique<LayerStmt>(start.loc(), pendingName_.spelling.str(),
                                     pendingName_.range(), isOutput, std::move(value));
}

Token Parser::parseDefinedName(const char *what) {
  if (!tok_.is(TokenKind::Identifier))
    failExpected(what);
  pendingName_ = tok_;
  advance();
  return pendingName_;
}

void Parser::expectStatementEnd() {
  if (tok_.is(TokenKind::RBrace) || tok_.is(TokenKind::Eof))
    return;
  if (!tok_.is(TokenKind::Newline))
    failExpected("end of line after the statement");
  advance();
}

void Parser::recover(const Token &statementStart) {
  // A statement cut short (an unclosed '(' is the usual cause) shows up as an error
  // at the first token of a later line that can start a statement: resume there.
  bool canStartStatement = tok_.is(TokenKind::Identifier) || tok_.is(TokenKind::KwInput) ||
                           tok_.is(TokenKind::KwOutput) || tok_.is(TokenKind::RBrace);
  if (tok_.startsLine && canStartStatement && tok_.loc() != statementStart.loc()) {
    nesting_ = 0;
    return;
  }
  // Otherwise skip to the end of the statement; brackets are tracked so that a
  // call spanning several lines is skipped whole.
  while (!tok_.is(TokenKind::Eof) && !tok_.is(TokenKind::RBrace)) {
    if (tok_.is(TokenKind::Newline)) {
      advance();
      break;
    }
    if (tok_.is(TokenKind::LParen) || tok_.is(TokenKind::LBracket))
      ++nesting_;
    else if ((tok_.is(TokenKind::RParen) || tok_.is(TokenKind::RBracket)) && nesting_ > 0)
      --nesting_;
    advance();
  }
  nesting_ = 0;
}

TypeSpec Parser::parseType() {
  TypeSpec type;
  llvm::SMLoc start = tok_.loc();
  if (tok_.is(TokenKind::Identifier)) {
    type.dtype = tok_.spelling.str();
    type.dtypeRange = tok_.range();
    advance();
  } else if (!tok_.is(TokenKind::LBracket)) {
    failExpected("a tensor type such as f32[N, 3, 32, 32]");
  }
  open(TokenKind::LBracket, "'[' to open the shape");
  while (!tok_.is(TokenKind::RBracket)) {
    DimSpec dim;
    dim.range = tok_.range();
    if (tok_.is(TokenKind::Integer))
      dim.size = parseInteger(tok_);
    else if (tok_.is(TokenKind::Identifier))
      dim.symbol = tok_.spelling.str();
    else
      failExpected("a dimension (a size, or a symbol such as N)");
    advance();
    type.dims.push_back(std::move(dim));
    if (!consume(TokenKind::Comma))
      break;
  }
  close(TokenKind::RBracket, "',' or ']' in the shape");
  type.range = {start, lastEnd_};
  return type;
}

std::unique_ptr<Expr> Parser::parseExpr() {
  std::unique_ptr<Expr> expr = parsePrimary();
  while (consume(TokenKind::Pipe)) {
    if (!tok_.is(TokenKind::Identifier))
      failExpected("a layer type after '|>'");
    Token callee = tok_;
    advance();
    expr = std::make_unique<PipeExpr>(std::move(expr), parseCall(callee));
  }
  return expr;
}

std::unique_ptr<Expr> Parser::parsePrimary() {
  if (tok_.is(TokenKind::Identifier)) {
    Token name = tok_;
    advance();
    if (tok_.is(TokenKind::LParen))
      return parseCall(name);
    return std::make_unique<NameExpr>(name.spelling.str(), name.range());
  }
  switch (tok_.kind) {
  case TokenKind::Integer:
  case TokenKind::Float:
  case TokenKind::String:
  case TokenKind::KwTrue:
  case TokenKind::KwFalse:
  case TokenKind::LBracket:
    return parseLiteral();
  default:
    failExpected("an expression");
  }
}

std::unique_ptr<CallExpr> Parser::parseCall(const Token &callee) {
  std::vector<Argument> args;
  if (tok_.is(TokenKind::LParen)) {
    open(TokenKind::LParen, "'('");
    std::string firstNamed;
    while (!tok_.is(TokenKind::RParen)) {
      args.push_back(parseArgument());
      const Argument &arg = args.back();
      if (arg.isNamed() && firstNamed.empty())
        firstNamed = arg.name;
      if (!arg.isNamed() && !firstNamed.empty()) {
        diags_.error(arg.range().Start,
                     "positional argument after named argument '" + firstNamed + "'",
                     {arg.range()});
        throw ReportedError{};
      }
      if (!consume(TokenKind::Comma))
        break;
    }
    close(TokenKind::RParen, "',' or ')' after an argument of '" + callee.spelling + "'");
  }
  return std::make_unique<CallExpr>(callee.spelling.str(), callee.range(), std::move(args),
                                    llvm::SMRange(callee.loc(), lastEnd_));
}

Argument Parser::parseArgument() {
  Argument arg;
  std::unique_ptr<Expr> value = parseExpr();
  // `name=value`: the name parses as an expression first; the '=' tells.
  if (tok_.is(TokenKind::Equal)) {
    auto *name = llvm::dyn_cast<NameExpr>(value.get());
    if (!name)
      failExpected("',' or ')' after an argument");
    arg.name = name->name;
    arg.nameRange = name->range();
    advance();
    value = parseExpr();
  }
  arg.value = std::move(value);
  return arg;
}

std::unique_ptr<LiteralExpr> Parser::parseLiteral() {
  Token t = tok_;
  switch (t.kind) {
  case TokenKind::Integer:
    advance();
    return std::make_unique<LiteralExpr>(Attribute::ofInt(parseInteger(t)), t.range());
  case TokenKind::Float: {
    double value = 0;
    if (t.spelling.getAsDouble(value) || !std::isfinite(value))
      failAt(t, "number '" + t.spelling + "' is out of range");
    advance();
    return std::make_unique<LiteralExpr>(Attribute::ofFloat(value), t.range());
  }
  case TokenKind::KwTrue:
  case TokenKind::KwFalse:
    advance();
    return std::make_unique<LiteralExpr>(Attribute::ofBool(t.is(TokenKind::KwTrue)), t.range());
  case TokenKind::String: {
    advance();
    llvm::StringRef body = t.spelling.drop_front().drop_back();
    std::string value;
    for (size_t i = 0; i < body.size(); ++i) {
      if (body[i] == '\\' && i + 1 < body.size())
        ++i;
      value += body[i];
    }
    return std::make_unique<LiteralExpr>(Attribute::ofString(std::move(value)), t.range());
  }
  case TokenKind::LBracket: {
    open(TokenKind::LBracket, "'['");
    std::vector<int64_t> values;
    while (!tok_.is(TokenKind::RBracket)) {
      if (!tok_.is(TokenKind::Integer))
        failExpected("an integer in the list");
      values.push_back(parseInteger(tok_));
      advance();
      if (!consume(TokenKind::Comma))
        break;
    }
    close(TokenKind::RBracket, "',' or ']' in the list");
    return std::make_unique<LiteralExpr>(Attribute::ofInts(std::move(values)),
                                         llvm::SMRange(t.loc(), lastEnd_));
  }
  default:
    failExpected("a constant");
  }
}

int64_t Parser::parseInteger(const Token &token) {
  int64_t value = 0;
  if (token.spelling.getAsInteger(10, value))
    failAt(token, "integer '" + token.spelling + "' is out of range");
  return value;
}

} // namespace

std::unique_ptr<ast::ModelDecl> parseModelAst(unsigned bufferId, DiagnosticEngine &diags) {
  const llvm::MemoryBuffer *buffer = diags.sourceMgr().getMemoryBuffer(bufferId);
  return Parser(buffer->getBuffer(), diags).parseFile();
}

} // namespace dsl

std::unique_ptr<Graph> parseModelDsl(unsigned bufferId, DiagnosticEngine &diags) {
  unsigned errorsBefore = diags.errorCount();
  std::unique_ptr<dsl::ast::ModelDecl> model = dsl::parseModelAst(bufferId, diags);
  if (!model)
    return nullptr;
  // Build even after syntax errors: the statements that did parse get their
  // names, types and shapes checked in the same run.
  std::unique_ptr<Graph> graph = dsl::buildGraph(*model, diags);
  if (diags.errorCount() != errorsBefore)
    return nullptr;
  return graph;
}

} // namespace netc
