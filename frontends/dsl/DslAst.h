// The syntax tree of a netc model file, exactly as written: no op lookups, no
// types, no graph. The parser (DslParser.cpp) produces it and the graph builder
// (GraphBuilder.cpp) gives it meaning: it checks the `block` definitions
// (Blocks.h) and instantiates them at each call.
//
// Every node keeps the source range it came from; diagnostics point there.
#pragma once

#include "ir/Attribute.h"

#include <llvm/Support/Casting.h>
#include <llvm/Support/SMLoc.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace netc::dsl::ast {

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

class Expr {
public:
  enum class Kind { Name, Literal, Call, Pipe, Repeat, Seq };

  virtual ~Expr() = default;
  Kind kind() const { return kind_; }
  llvm::SMRange range() const { return range_; }
  llvm::SMLoc loc() const { return range_.Start; }

protected:
  Expr(Kind kind, llvm::SMRange range) : kind_(kind), range_(range) {}

private:
  Kind kind_;
  llvm::SMRange range_;
};

/// A reference to an input or an earlier layer: `conv1`.
class NameExpr : public Expr {
public:
  NameExpr(std::string name, llvm::SMRange range)
      : Expr(Kind::Name, range), name(std::move(name)) {}
  static bool classof(const Expr *e) { return e->kind() == Kind::Name; }

  std::string name;
};

/// A constant argument: `16`, `0.01`, `true`, `[1, 2]`, `"same"`.
class LiteralExpr : public Expr {
public:
  LiteralExpr(Attribute value, llvm::SMRange range)
      : Expr(Kind::Literal, range), value(std::move(value)) {}
  static bool classof(const Expr *e) { return e->kind() == Kind::Literal; }

  Attribute value;
};

/// One argument of a call, positional (`16`) or named (`kernel=5`).
struct Argument {
  std::string name; // empty for a positional argument
  llvm::SMRange nameRange;
  std::unique_ptr<Expr> value;

  bool isNamed() const { return !name.empty(); }
  /// From the name (if any) to the end of the value.
  llvm::SMRange range() const {
    return {isNamed() ? nameRange.Start : value->range().Start, value->range().End};
  }
};

/// `conv2d(image, 16, kernel=5)`, or a bare op name in a chain (`|> relu`), which
/// means the same as `relu()`. The callee is a layer type or a block.
class CallExpr : public Expr {
public:
  CallExpr(std::string callee, llvm::SMRange calleeRange, std::vector<Argument> args,
           llvm::SMRange range)
      : Expr(Kind::Call, range), callee(std::move(callee)), calleeRange(calleeRange),
        args(std::move(args)) {}
  static bool classof(const Expr *e) { return e->kind() == Kind::Call; }

  std::string callee;
  llvm::SMRange calleeRange;
  std::vector<Argument> args;
};

/// `input |> stage`: `input` becomes the first activation input of `stage`.
/// Chains nest to the left: `a |> f |> g` is `(a |> f) |> g`.
class PipeExpr : public Expr {
public:
  PipeExpr(std::unique_ptr<Expr> input, std::unique_ptr<CallExpr> stage)
      : Expr(Kind::Pipe, {input->range().Start, stage->range().End}), input(std::move(input)),
        stage(std::move(stage)) {}
  static bool classof(const Expr *e) { return e->kind() == Kind::Pipe; }

  std::unique_ptr<Expr> input;
  std::unique_ptr<CallExpr> stage;
};

/// `repeat(2, basic(x, 64))` or, as a chain stage, `x |> repeat(2, basic(64))`:
/// the stage applied `count` times in a row, each taking the previous result as
/// its first input. In the first form the first call is written with its input
/// and the later ones leave it out; in the second `input` holds the piped value.
class RepeatExpr : public Expr {
public:
  RepeatExpr(std::unique_ptr<Expr> input, std::unique_ptr<Expr> count,
             std::unique_ptr<Expr> stage, llvm::SMRange keywordRange, llvm::SMRange range)
      : Expr(Kind::Repeat, range), input(std::move(input)), count(std::move(count)),
        stage(std::move(stage)), keywordRange(keywordRange) {}
  static bool classof(const Expr *e) { return e->kind() == Kind::Repeat; }

  std::unique_ptr<Expr> input; // the piped-in value (`x |> repeat(...)`), or null
  std::unique_ptr<Expr> count; // an integer literal or a block's value parameter
  std::unique_ptr<Expr> stage; // a CallExpr, RepeatExpr or SeqExpr without `input`
  llvm::SMRange keywordRange;
};

/// `seq(conv2d(x, 64, kernel=1), batchnorm)` or `x |> seq(relu, dense(10))`: a
/// chain whose stages are numbered by position, like torch.nn.Sequential: stage i's
/// weights are `<prefix>.<i>.<suffix>`, counting stages without weights too.
class SeqExpr : public Expr {
public:
  SeqExpr(std::unique_ptr<Expr> input, std::vector<std::unique_ptr<Expr>> stages,
          llvm::SMRange keywordRange, llvm::SMRange range)
      : Expr(Kind::Seq, range), input(std::move(input)), stages(std::move(stages)),
        keywordRange(keywordRange) {}
  static bool classof(const Expr *e) { return e->kind() == Kind::Seq; }

  std::unique_ptr<Expr> input;               // the piped-in value, or null
  std::vector<std::unique_ptr<Expr>> stages; // CallExpr, RepeatExpr or SeqExpr
  llvm::SMRange keywordRange;
};

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

/// One dimension of an input shape: a size (`32`) or a symbol (`N`).
struct DimSpec {
  int64_t size = 0;   // meaningful when symbol is empty
  std::string symbol; // non-empty for a symbolic dim
  llvm::SMRange range;
};

/// `f32[N, 3, 32, 32]` or, with the element type left out, `[N, 3072]`.
struct TypeSpec {
  std::string dtype; // empty when omitted
  llvm::SMRange dtypeRange;
  std::vector<DimSpec> dims;
  llvm::SMRange range;
};

class Stmt {
public:
  enum class Kind { Input, Layer, Output, Return, Invalid };

  virtual ~Stmt() = default;
  Kind kind() const { return kind_; }
  llvm::SMLoc loc() const { return loc_; }

protected:
  Stmt(Kind kind, llvm::SMLoc loc) : kind_(kind), loc_(loc) {}

private:
  Kind kind_;
  llvm::SMLoc loc_;
};

/// `input image: f32[N, 3, 32, 32]`
class InputStmt : public Stmt {
public:
  InputStmt(llvm::SMLoc loc, std::string name, llvm::SMRange nameRange, TypeSpec type)
      : Stmt(Kind::Input, loc), name(std::move(name)), nameRange(nameRange),
        type(std::move(type)) {}
  static bool classof(const Stmt *s) { return s->kind() == Kind::Input; }

  std::string name;
  llvm::SMRange nameRange;
  TypeSpec type;
};

/// `conv1 = conv2d(image, 16, kernel=5)`, or with `isOutput`, `output probs = softmax(fc)`.
class LayerStmt : public Stmt {
public:
  LayerStmt(llvm::SMLoc loc, std::string name, llvm::SMRange nameRange, bool isOutput,
            std::unique_ptr<Expr> value)
      : Stmt(Kind::Layer, loc), name(std::move(name)), nameRange(nameRange), isOutput(isOutput),
        value(std::move(value)) {}
  static bool classof(const Stmt *s) { return s->kind() == Kind::Layer; }

  std::string name;
  llvm::SMRange nameRange;
  bool isOutput;
  std::unique_ptr<Expr> value;
};

/// `output probs`: marks an existing input or layer as a graph output.
class OutputStmt : public Stmt {
public:
  OutputStmt(llvm::SMLoc loc, std::string name, llvm::SMRange nameRange)
      : Stmt(Kind::Output, loc), name(std::move(name)), nameRange(nameRange) {}
  static bool classof(const Stmt *s) { return s->kind() == Kind::Output; }

  std::string name;
  llvm::SMRange nameRange;
};

/// `return EXPR`: the value of a block; its last statement.
class ReturnStmt : public Stmt {
public:
  ReturnStmt(llvm::SMLoc loc, llvm::SMRange keywordRange, std::unique_ptr<Expr> value)
      : Stmt(Kind::Return, loc), keywordRange(keywordRange), value(std::move(value)) {}
  static bool classof(const Stmt *s) { return s->kind() == Kind::Return; }

  llvm::SMRange keywordRange;
  std::unique_ptr<Expr> value;
};

/// A statement with a syntax error (already reported). It keeps the name the
/// statement was defining, if the parser got that far, so that later uses of the
/// name are not reported again as undefined.
class InvalidStmt : public Stmt {
public:
  InvalidStmt(llvm::SMLoc loc, std::string definedName, llvm::SMRange nameRange)
      : Stmt(Kind::Invalid, loc), definedName(std::move(definedName)), nameRange(nameRange) {}
  static bool classof(const Stmt *s) { return s->kind() == Kind::Invalid; }

  std::string definedName; // empty if unknown
  llvm::SMRange nameRange;
};

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

/// One parameter of a block: `channels` or, with a default, `stride=1`. Whether it
/// receives a tensor (an activation input) or a constant is up to each call.
struct BlockParam {
  std::string name;
  llvm::SMRange nameRange;
  std::unique_ptr<LiteralExpr> defaultValue; // null: required
};

/// `block basic(x, channels, stride=1) { ... return EXPR }`: a reusable group of
/// layers, called like a layer type. The body holds LayerStmts (never outputs),
/// InvalidStmts and, last, one ReturnStmt.
struct BlockDecl {
  std::string name;
  llvm::SMRange nameRange;
  llvm::SMLoc loc; // the `block` keyword
  std::vector<BlockParam> params;
  std::vector<std::unique_ptr<Stmt>> body;
  llvm::SMLoc closeLoc; // the closing '}', for "no return" errors
  /// False when the header (name and parameters) had a syntax error: the block is
  /// known by name, so calls of it stay quiet, but it cannot be instantiated.
  bool headerValid = true;
};

/// `model cifar10 { ... }`: the one model of a file.
struct ModelDecl {
  std::string name;
  llvm::SMRange nameRange;
  std::vector<std::unique_ptr<Stmt>> body;
  /// The file's block definitions, before and after the model, in source order.
  std::vector<std::unique_ptr<BlockDecl>> blocks;
};

} // namespace netc::dsl::ast
