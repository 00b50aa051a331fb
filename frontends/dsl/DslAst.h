// The syntax tree of a netc model file, exactly as written: no op lookups, no
// types, no graph. The parser (DslParser.cpp) produces it and the graph builder
// (GraphBuilder.cpp) gives it meaning, so that later language features such as
// reusable `block`s can be expanded between the two without touching either end.
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
  enum class Kind { Name, Literal, Call, Pipe };

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
/// means the same as `relu()`.
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
  enum class Kind { Input, Layer, Output, Invalid };

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

/// `model cifar10 { ... }`: the one model of a file.
struct ModelDecl {
  std::string name;
  llvm::SMRange nameRange;
  std::vector<std::unique_ptr<Stmt>> body;
};

} // namespace netc::dsl::ast
