// Recursive-descent parser of the netc model language. Grammar (docs/dsl.md):
//
//   file      ::= { block } model { block }
//   block     ::= 'block' IDENT '(' [ param { ',' param } [ ',' ] ] ')' '{' { bstmt } '}'
//   param     ::= IDENT [ '=' literal ]
//   bstmt     ::= IDENT '=' expr | 'return' expr
//   model     ::= 'model' IDENT '{' { stmt } '}'
//   stmt      ::= 'input' IDENT ':' type
//               | [ 'output' ] IDENT '=' expr
//               | 'output' IDENT
//   type      ::= [ IDENT ] '[' [ dim { ',' dim } [ ',' ] ] ']'
//   dim       ::= INTEGER | IDENT
//   expr      ::= primary { '|>' stage }
//   stage     ::= IDENT [ '(' args ')' ] | repeat | seq
//   primary   ::= IDENT [ '(' args ')' ] | repeat | seq | literal
//   repeat    ::= 'repeat' '(' expr ',' stage [ ',' ] ')'
//   seq       ::= 'seq' '(' stage { ',' stage } [ ',' ] ')'
//   args      ::= [ arg { ',' arg } [ ',' ] ]
//   arg       ::= [ IDENT '=' ] expr
//   literal   ::= INTEGER | FLOAT | STRING | 'true' | 'false'
//               | '[' [ INTEGER { ',' INTEGER } [ ',' ] ] ']'
//
// `block`, `return`, `repeat` and `seq` are keywords only where they start a
// block, a return statement in a block, or a `repeat(`/`seq(` form, so they stay
// usable as layer names elsewhere.
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
    if (nesting_ >= kMaxNesting)
      failAt(tok_, "brackets nest more than " + llvm::Twine(kMaxNesting) +
                       " deep; give inner values names of their own");
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

  /// Parses statements up to the closing '}' of a model or block body opened by
  /// `lbrace`; returns false (after reporting) if the file ends first.
  bool parseBody(std::vector<std::unique_ptr<Stmt>> &body, const Token &lbrace,
                 const std::string &what, bool inBlock, llvm::SMLoc *closeLoc = nullptr);
  std::unique_ptr<Stmt> parseStatementOrRecover(bool inBlock);
  std::unique_ptr<Stmt> parseStatement(bool inBlock);
  void expectStatementEnd();
  void recover(const Token &statementStart);
  Token parseDefinedName(const char *what);
  TypeSpec parseType();

  //===--- Blocks ---------------------------------------------------------===//

  bool atContextualKeyword(llvm::StringRef word) const {
    return tok_.is(TokenKind::Identifier) && tok_.spelling == word;
  }
  std::unique_ptr<BlockDecl> parseBlock();
  void parseBlockHeader(BlockDecl &block);
  /// Skips the rest of a block whose header is broken: up to the '}' that closes
  /// its body, or to the next line that starts a `model` or `block`.
  void skipBrokenBlock();

  //===--- Expressions ----------------------------------------------------===//

  std::unique_ptr<Expr> parseExpr();
  std::unique_ptr<Expr> parsePrimary();
  /// A chain stage: `relu`, `dense(10)`, `repeat(...)` or `seq(...)`; `input` is the
  /// value piped into it, or null inside `repeat`/`seq`.
  std::unique_ptr<Expr> parseStage(std::unique_ptr<Expr> input);
  static bool isFormKeyword(llvm::StringRef word) { return word == "repeat" || word == "seq"; }
  std::unique_ptr<Expr> parseRepeat(const Token &keyword, std::unique_ptr<Expr> input);
  std::unique_ptr<Expr> parseSeq(const Token &keyword, std::unique_ptr<Expr> input);
  std::unique_ptr<CallExpr> parseCall(const Token &callee);
  Argument parseArgument();
  std::unique_ptr<LiteralExpr> parseLiteral();
  int64_t parseInteger(const Token &token);

  DslLexer lexer_;
  DiagnosticEngine &diags_;
  Token tok_;
  llvm::SMLoc lastEnd_; // end of the last consumed token, for source ranges
  // The parser and every later walk over an expression recurse once per
  // nesting level and per `|>` stage: these limits keep them within the stack
  // (tens of thousands crashed), far above what networks need.
  static constexpr int kMaxNesting = 256;
  static constexpr int kMaxStagesPerStatement = 4096;
  int nesting_ = 0;     // open parentheses and brackets
  int stages_ = 0;      // `|>` stages in the current statement
  bool inBlock_ = false; // parsing the body of a block (not the model)
  // The name the current statement defines, once parsed: kept if the statement fails.
  Token pendingName_;
};

std::unique_ptr<ModelDecl> Parser::parseFile() {
  auto model = std::make_unique<ModelDecl>();
  std::vector<std::unique_ptr<BlockDecl>> blocks;
  bool haveModel = false;
  for (;;) {
    skipNewlines();
    if (tok_.is(TokenKind::Eof))
      break;
    if (atContextualKeyword("block")) {
      if (std::unique_ptr<BlockDecl> block = parseBlock())
        blocks.push_back(std::move(block));
      continue;
    }
    if (haveModel) {
      if (tok_.is(TokenKind::KwModel))
        diags_.error(tok_.loc(), "a file holds one model; found a second 'model'");
      else if (!tok_.is(TokenKind::Error))
        diags_.error(tok_.loc(), "expected a block or end of file after model '" + model->name +
                                     "', found " + tok_.describe());
      break;
    }
    Token lbrace;
    try {
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
    haveModel = true;
    if (!parseBody(model->body, lbrace, "model '" + model->name + "'", /*inBlock=*/false))
      break;
  }
  if (!haveModel) {
    if (!tok_.is(TokenKind::Error))
      diags_.error(tok_.loc(), "expected a model such as 'model NAME { ... }', found " +
                                   tok_.describe());
    return nullptr;
  }
  model->blocks = std::move(blocks);
  return model;
}

bool Parser::parseBody(std::vector<std::unique_ptr<Stmt>> &body, const Token &lbrace,
                       const std::string &what, bool inBlock, llvm::SMLoc *closeLoc) {
  inBlock_ = inBlock;
  for (;;) {
    skipNewlines();
    if (tok_.is(TokenKind::RBrace) || tok_.is(TokenKind::Eof))
      break;
    // A block whose '}' is missing runs into the model that follows it.
    if (inBlock && tok_.is(TokenKind::KwModel) && tok_.startsLine)
      break;
    body.push_back(parseStatementOrRecover(inBlock));
  }
  if (closeLoc)
    *closeLoc = tok_.loc();
  if (!tok_.is(TokenKind::RBrace)) {
    diags_.error(tok_.loc(), "expected '}' to close " + what);
    diags_.note(lbrace.loc(), what + " opens here");
    return false;
  }
  advance();
  return true;
}

//===----------------------------------------------------------------------===//
// Blocks
//===----------------------------------------------------------------------===//

std::unique_ptr<BlockDecl> Parser::parseBlock() {
  auto block = std::make_unique<BlockDecl>();
  block->loc = tok_.loc();
  advance(); // 'block'
  Token lbrace;
  try {
    Token name = expect(TokenKind::Identifier, "the block name after 'block'");
    block->name = name.spelling.str();
    block->nameRange = name.range();
    parseBlockHeader(*block);
    lbrace = expect(TokenKind::LBrace, "'{' to open the body of block '" + block->name + "'");
  } catch (const ReportedError &) {
    block->headerValid = false;
    skipBrokenBlock();
    if (block->name.empty())
      return nullptr;
    return block;
  }
  parseBody(block->body, lbrace, "block '" + block->name + "'", /*inBlock=*/true,
            &block->closeLoc);
  return block;
}

void Parser::parseBlockHeader(BlockDecl &block) {
  open(TokenKind::LParen, "'(' and the parameters of block '" + block.name + "'");
  while (!tok_.is(TokenKind::RParen)) {
    if (!tok_.is(TokenKind::Identifier))
      failExpected("a parameter name");
    BlockParam param;
    param.name = tok_.spelling.str();
    param.nameRange = tok_.range();
    advance();
    if (consume(TokenKind::Equal)) {
      switch (tok_.kind) {
      case TokenKind::Integer:
      case TokenKind::Float:
      case TokenKind::String:
      case TokenKind::KwTrue:
      case TokenKind::KwFalse:
      case TokenKind::LBracket:
        param.defaultValue = parseLiteral();
        break;
      default:
        failExpected("a constant as the default of parameter '" + param.name + "'");
      }
    }
    block.params.push_back(std::move(param));
    if (!consume(TokenKind::Comma))
      break;
  }
  close(TokenKind::RParen, "',' or ')' after a parameter of block '" + block.name + "'");
}

void Parser::skipBrokenBlock() {
  nesting_ = 0;
  int depth = 0;
  while (!tok_.is(TokenKind::Eof)) {
    if (depth == 0 && tok_.startsLine &&
        (tok_.is(TokenKind::KwModel) || atContextualKeyword("block")))
      return;
    if (tok_.is(TokenKind::LBrace)) {
      ++depth;
    } else if (tok_.is(TokenKind::RBrace) && depth > 0 && --depth == 0) {
      advance();
      return;
    }
    advance();
  }
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

std::unique_ptr<Stmt> Parser::parseStatementOrRecover(bool inBlock) {
  Token start = tok_;
  pendingName_ = Token();
  try {
    std::unique_ptr<Stmt> stmt = parseStatement(inBlock);
    expectStatementEnd();
    return stmt;
  } catch (const ReportedError &) {
    recover(start);
    std::string name = pendingName_.is(TokenKind::Identifier) ? pendingName_.spelling.str() : "";
    return std::make_unique<InvalidStmt>(start.loc(), name, pendingName_.range());
  }
}

std::unique_ptr<Stmt> Parser::parseStatement(bool inBlock) {
  Token start = tok_;
  stages_ = 0;
  if (inBlock) {
    if (atContextualKeyword("return")) {
      advance();
      std::unique_ptr<Expr> value = parseExpr();
      return std::make_unique<ReturnStmt>(start.loc(), start.range(), std::move(value));
    }
    if (tok_.is(TokenKind::KwInput))
      failAt(tok_, "'input' belongs in a model; a block takes its inputs as parameters");
    if (tok_.is(TokenKind::KwOutput))
      failAt(tok_, "'output' belongs in a model; a block gives its value with 'return'");
  }
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
    Token name = tok_;
    advance();
    // `return x` outside a block (a layer may still be named `return`).
    if (!inBlock && name.spelling == "return" && !tok_.is(TokenKind::Equal))
      failAt(name, "'return' belongs in a block; a model marks its results with 'output'");
    pendingName_ = name;
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
                           tok_.is(TokenKind::KwOutput) || tok_.is(TokenKind::RBrace) ||
                           (inBlock_ && tok_.is(TokenKind::KwModel));
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
    if (++stages_ > kMaxStagesPerStatement)
      failAt(tok_, "more than " + llvm::Twine(kMaxStagesPerStatement) +
                       " '|>' stages in one statement; split the chain over several "
                       "statements, or use repeat(...)");
    expr = parseStage(std::move(expr));
  }
  return expr;
}

std::unique_ptr<Expr> Parser::parseStage(std::unique_ptr<Expr> input) {
  if (!tok_.is(TokenKind::Identifier))
    failExpected("a layer type or block");
  Token callee = tok_;
  advance();
  if (isFormKeyword(callee.spelling)) {
    if (!tok_.is(TokenKind::LParen))
      failExpected("'(' after '" + callee.spelling + "'");
    return callee.spelling == "repeat" ? parseRepeat(callee, std::move(input))
                                       : parseSeq(callee, std::move(input));
  }
  std::unique_ptr<CallExpr> call = parseCall(callee);
  if (!input)
    return call;
  return std::make_unique<PipeExpr>(std::move(input), std::move(call));
}

std::unique_ptr<Expr> Parser::parseRepeat(const Token &keyword, std::unique_ptr<Expr> input) {
  llvm::SMLoc start = input ? input->range().Start : keyword.loc();
  open(TokenKind::LParen, "'('");
  std::unique_ptr<Expr> count = parseExpr();
  if (!consume(TokenKind::Comma))
    failExpected("',' and the stage to repeat after the count of 'repeat'");
  std::unique_ptr<Expr> stage = parseStage(nullptr);
  consume(TokenKind::Comma);
  close(TokenKind::RParen, "')' to close 'repeat(COUNT, STAGE)'");
  return std::make_unique<RepeatExpr>(std::move(input), std::move(count), std::move(stage),
                                      keyword.range(), llvm::SMRange(start, lastEnd_));
}

std::unique_ptr<Expr> Parser::parseSeq(const Token &keyword, std::unique_ptr<Expr> input) {
  llvm::SMLoc start = input ? input->range().Start : keyword.loc();
  open(TokenKind::LParen, "'('");
  std::vector<std::unique_ptr<Expr>> stages;
  do {
    if (tok_.is(TokenKind::RParen) && !stages.empty())
      break; // trailing comma
    stages.push_back(parseStage(nullptr));
  } while (consume(TokenKind::Comma));
  close(TokenKind::RParen, "',' or ')' after a stage of 'seq'");
  return std::make_unique<SeqExpr>(std::move(input), std::move(stages), keyword.range(),
                                   llvm::SMRange(start, lastEnd_));
}

std::unique_ptr<Expr> Parser::parsePrimary() {
  if (tok_.is(TokenKind::Identifier)) {
    Token name = tok_;
    advance();
    if (tok_.is(TokenKind::LParen)) {
      if (name.spelling == "repeat")
        return parseRepeat(name, nullptr);
      if (name.spelling == "seq")
        return parseSeq(name, nullptr);
      return parseCall(name);
    }
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
