// Tests of the netc model language against small fake ops registered here, so
// they do not depend on the real op definitions in compiler/ops/.
#include "frontends/dsl/DslAst.h"
#include "frontends/dsl/DslLexer.h"
#include "frontends/dsl/DslParser.h"
#include "ir/Graph.h"
#include "ir/OpRegistry.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"

#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/SourceMgr.h>
#include <llvm/Support/raw_ostream.h>

#include <gtest/gtest.h>

namespace netc {
namespace {

//===----------------------------------------------------------------------===//
// Fake ops
//===----------------------------------------------------------------------===//

const TensorType &typeOf(const Op &op, size_t i) { return op.operand(i)->type(); }

/// fake_dense(input, units, bias=true): weight [units, in], optional bias [units].
void registerFakeDense() {
  OpDef def;
  def.name = "fake_dense";
  def.dslNames = {"fake_dense", "fake_fc"};
  def.operands = {{"input", false, false}, {"weight", true, false}, {"bias", true, true}};
  def.dslParams = {{"units", AttrKind::Int, std::nullopt, 0},
                   {"bias", AttrKind::Bool, Attribute::ofBool(true), 0}};
  def.buildFromDsl = [](const DslCall &call, DslLowering &out, std::string &error) {
    const TensorType &in = call.inputTypes[0];
    if (in.rank() != 2)
      return error = "input " + in.shapeStr() + " must be [N,features]; use flatten()", false;
    int64_t units = call.args.getInt("units");
    if (units <= 0)
      return error = "units must be positive, found " + std::to_string(units), false;
    out.weights.push_back({"weight", TensorType(DType::F32, {Dim::of(units), in.dim(1)})});
    if (call.args.getBool("bias"))
      out.weights.push_back({"bias", TensorType(DType::F32, {Dim::of(units)})});
    return true;
  };
  def.inferType = [](const Op &op, std::string &error) -> std::optional<TensorType> {
    const TensorType &in = typeOf(op, 0), &w = typeOf(op, 1);
    if (in.dim(1) != w.dim(1))
      return error = "input has " + in.dim(1).str() + " features but weight expects " +
                     w.dim(1).str(),
             std::nullopt;
    return TensorType(in.dtype, {in.dim(0), w.dim(0)});
  };
  OpRegistry::get().add(std::move(def));
}

void registerFakeRelu() {
  OpDef def;
  def.name = "fake_relu";
  def.operands = {{"input", false, false}};
  def.inferType = [](const Op &op, std::string &) -> std::optional<TensorType> {
    return typeOf(op, 0);
  };
  OpRegistry::get().add(std::move(def));
}

/// fake_add(lhs, rhs): both shapes must be equal.
void registerFakeAdd() {
  OpDef def;
  def.name = "fake_add";
  def.operands = {{"lhs", false, false}, {"rhs", false, false}};
  def.inferType = [](const Op &op, std::string &error) -> std::optional<TensorType> {
    if (typeOf(op, 0) != typeOf(op, 1))
      return error = "shapes " + typeOf(op, 0).shapeStr() + " and " + typeOf(op, 1).shapeStr() +
                     " differ",
             std::nullopt;
    return typeOf(op, 0);
  };
  OpRegistry::get().add(std::move(def));
}

/// fake_pool(input, kernel, stride=[1,1], pad=[0,0,0,0], scale=1.0, mode="max"):
/// no dslParams and no buildFromDsl, so its IR attributes are its DSL parameters.
void registerFakePool() {
  OpDef def;
  def.name = "fake_pool";
  def.operands = {{"input", false, false}};
  def.attrs = {{"kernel", AttrKind::IntList, std::nullopt, 2},
               {"stride", AttrKind::IntList, Attribute::ofInts({1, 1}), 2},
               {"pad", AttrKind::IntList, Attribute::ofInts({0, 0, 0, 0}), 4},
               {"scale", AttrKind::Float, Attribute::ofFloat(1.0), 0},
               {"mode", AttrKind::String, Attribute::ofString("max"), 0}};
  def.inferType = [](const Op &op, std::string &error) -> std::optional<TensorType> {
    const TensorType &in = typeOf(op, 0);
    const auto &k = op.attrs().getInts("kernel"), &s = op.attrs().getInts("stride"),
               &p = op.attrs().getInts("pad");
    int64_t h = (in.dim(2).size + p[0] + p[2] - k[0]) / s[0] + 1;
    int64_t w = (in.dim(3).size + p[1] + p[3] - k[1]) / s[1] + 1;
    if (h <= 0 || w <= 0)
      return error = "kernel " + op.attrs().find("kernel")->str() + " does not fit input " +
                     in.shapeStr(),
             std::nullopt;
    return TensorType(in.dtype, {in.dim(0), in.dim(1), Dim::of(h), Dim::of(w)});
  };
  OpRegistry::get().add(std::move(def));
}

void registerFakeFlatten() {
  OpDef def;
  def.name = "fake_flatten";
  def.operands = {{"input", false, false}};
  def.inferType = [](const Op &op, std::string &) -> std::optional<TensorType> {
    const TensorType &in = typeOf(op, 0);
    int64_t features = 1;
    for (size_t i = 1; i < in.rank(); ++i)
      features *= in.dim(i).size;
    return TensorType(in.dtype, {in.dim(0), Dim::of(features)});
  };
  OpRegistry::get().add(std::move(def));
}

/// fake_zeros(size): an op without inputs.
void registerFakeZeros() {
  OpDef def;
  def.name = "fake_zeros";
  def.attrs = {{"size", AttrKind::Int, std::nullopt, 0}};
  def.inferType = [](const Op &op, std::string &) -> std::optional<TensorType> {
    return TensorType(DType::F32, {Dim::of(1), Dim::of(op.attrs().getInt("size"))});
  };
  OpRegistry::get().add(std::move(def));
}

/// fake_broken: a buggy definition that declares a weight it has no operand for.
void registerFakeBroken() {
  OpDef def;
  def.name = "fake_broken";
  def.operands = {{"input", false, false}, {"weight", true, false}};
  def.buildFromDsl = [](const DslCall &call, DslLowering &out, std::string &) {
    out.weights.push_back({"kernel", call.inputTypes[0]});
    return true;
  };
  def.inferType = [](const Op &op, std::string &) -> std::optional<TensorType> {
    return typeOf(op, 0);
  };
  OpRegistry::get().add(std::move(def));
}

/// fake_sum(a, b, c?, d?): two to four inputs, the last two optional (like concat).
void registerFakeSum() {
  OpDef def;
  def.name = "fake_sum";
  def.operands = {{"a", false, false}, {"b", false, false}, {"c", false, true}, {"d", false, true}};
  def.inferType = [](const Op &op, std::string &) -> std::optional<TensorType> {
    return typeOf(op, 0);
  };
  OpRegistry::get().add(std::move(def));
}

void registerFakeOps() {
  static bool registered = false;
  if (registered)
    return;
  registered = true;
  registerFakeDense();
  registerFakeRelu();
  registerFakeAdd();
  registerFakePool();
  registerFakeFlatten();
  registerFakeZeros();
  registerFakeBroken();
  registerFakeSum();
}

//===----------------------------------------------------------------------===//
// Fixture
//===----------------------------------------------------------------------===//

class DslTest : public ::testing::Test {
protected:
  void SetUp() override {
    registerFakeOps();
    sourceMgr_.setDiagHandler(
        [](const llvm::SMDiagnostic &diag, void *context) {
          llvm::raw_string_ostream os(*static_cast<std::string *>(context));
          diag.print(nullptr, os, /*ShowColors=*/false);
        },
        &diagnostics_);
  }

  unsigned addSource(llvm::StringRef source) {
    return sourceMgr_.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(source, "m.nn"),
                                         llvm::SMLoc());
  }

  /// Parses `source`; expects success without diagnostics and a valid graph.
  std::unique_ptr<Graph> parseOk(llvm::StringRef source) {
    std::unique_ptr<Graph> graph = parseModelDsl(addSource(source), diags_);
    EXPECT_TRUE(graph) << diagnostics_;
    EXPECT_EQ(diagnostics_, "");
    if (graph) {
      EXPECT_TRUE(verifyGraph(*graph, diags_)) << diagnostics_;
    }
    return graph;
  }

  /// Parses `source`; expects failure and returns everything reported.
  std::string parseErrors(llvm::StringRef source) {
    std::unique_ptr<Graph> graph = parseModelDsl(addSource(source), diags_);
    EXPECT_FALSE(graph);
    EXPECT_TRUE(diags_.hadError());
    return diagnostics_;
  }

  std::string print(const Graph &graph) { return graphToString(graph); }

  llvm::SourceMgr sourceMgr_;
  DiagnosticEngine diags_{sourceMgr_};
  std::string diagnostics_;
};

/// Number of `error:` lines in `output`.
size_t countErrors(const std::string &output) {
  size_t n = 0;
  for (size_t pos = output.find("error:"); pos != std::string::npos;
       pos = output.find("error:", pos + 1))
    ++n;
  return n;
}

//===----------------------------------------------------------------------===//
// Lexer
//===----------------------------------------------------------------------===//

std::vector<dsl::TokenKind> lexKinds(DiagnosticEngine &diags, llvm::StringRef text) {
  dsl::DslLexer lexer(text, diags);
  std::vector<dsl::TokenKind> kinds;
  for (dsl::Token t = lexer.next(); !t.is(dsl::TokenKind::Eof); t = lexer.next())
    kinds.push_back(t.kind);
  return kinds;
}

TEST_F(DslTest, LexerTokens) {
  using K = dsl::TokenKind;
  unsigned id = addSource("model m { x = f(a, -3, 0.5, 1e-5, \"s\\\"q\", [1], true) |> g }");
  llvm::StringRef text = sourceMgr_.getMemoryBuffer(id)->getBuffer();
  std::vector<K> expected = {K::KwModel,  K::Identifier, K::LBrace,   K::Identifier, K::Equal,
                             K::Identifier, K::LParen,   K::Identifier, K::Comma,    K::Integer,
                             K::Comma,    K::Float,      K::Comma,    K::Float,      K::Comma,
                             K::String,   K::Comma,      K::LBracket, K::Integer,    K::RBracket,
                             K::Comma,    K::KwTrue,     K::RParen,   K::Pipe,       K::Identifier,
                             K::RBrace};
  EXPECT_EQ(lexKinds(diags_, text), expected);
  EXPECT_EQ(diagnostics_, "");
}

TEST_F(DslTest, LexerNewlinesCommentsAndContinuation) {
  using K = dsl::TokenKind;
  unsigned id =
      addSource("\n# header\n\na # trailing\n\n  # only a comment\nb |>\n  c\nd\n  |> e\n");
  llvm::StringRef text = sourceMgr_.getMemoryBuffer(id)->getBuffer();
  // Leading blank lines vanish, runs of line ends collapse, `|>` joins lines.
  std::vector<K> expected = {K::Identifier, K::Newline,    K::Identifier, K::Pipe,
                             K::Identifier, K::Newline,    K::Identifier, K::Pipe,
                             K::Identifier, K::Newline};
  EXPECT_EQ(lexKinds(diags_, text), expected);
}

TEST_F(DslTest, LexerTokenPositions) {
  unsigned id = addSource("a\n  bb");
  llvm::StringRef text = sourceMgr_.getMemoryBuffer(id)->getBuffer();
  dsl::DslLexer lexer(text, diags_);
  dsl::Token a = lexer.next(), newline = lexer.next(), bb = lexer.next();
  EXPECT_TRUE(a.startsLine);
  EXPECT_TRUE(newline.is(dsl::TokenKind::Newline));
  EXPECT_EQ(bb.spelling, "bb");
  EXPECT_TRUE(bb.startsLine);
  EXPECT_EQ(sourceMgr_.getLineAndColumn(bb.loc(), id), std::make_pair(2u, 3u));
  EXPECT_EQ(bb.range().End.getPointer() - bb.range().Start.getPointer(), 2);
}

//===----------------------------------------------------------------------===//
// Constructs
//===----------------------------------------------------------------------===//

TEST_F(DslTest, SmallModel) {
  auto graph = parseOk(R"(# A small network
model tiny {
  input image: f32[N, 1, 8, 8]
  pooled = fake_pool(image, 2, stride=2) |> fake_relu
  fc     = fake_dense(fake_flatten(pooled), 10)
  output probs = fake_relu(fc)
}
)");
  ASSERT_TRUE(graph);
  EXPECT_EQ(print(*graph), R"(graph @tiny(%image: f32[N,1,8,8]) -> (%probs: f32[N,10]) {
  weight @fc.weight : f32[10,16]
  weight @fc.bias : f32[10]
  %pooled.fake_pool = fake_pool(%image) {kernel=[2,2], stride=[2,2], pad=[0,0,0,0], scale=1.0, mode="max"} : f32[N,1,4,4]
  %pooled = fake_relu(%pooled.fake_pool) : f32[N,1,4,4]
  %fc.fake_flatten = fake_flatten(%pooled) : f32[N,16]
  %fc = fake_dense(%fc.fake_flatten, @fc.weight, @fc.bias) : f32[N,10]
  %probs = fake_relu(%fc) : f32[N,10]
}
)");
}

TEST_F(DslTest, InputWithoutElementTypeAndStaticShape) {
  auto graph = parseOk("model m {\n  input x: [4, 3072]\n  output y = fake_relu(x)\n}\n");
  ASSERT_TRUE(graph);
  ASSERT_EQ(graph->inputs().size(), 1u);
  EXPECT_EQ(graph->inputs()[0]->type().str(), "f32[4,3072]");
  EXPECT_EQ(graph->batchSymbol(), "");
}

TEST_F(DslTest, OutputMarksExistingValues) {
  auto graph = parseOk(R"(model m {
  input x: [N, 4]
  a = fake_relu(x)
  b = fake_relu(a)
  output b
  output a
})");
  ASSERT_TRUE(graph);
  ASSERT_EQ(graph->outputs().size(), 2u);
  EXPECT_EQ(graph->outputs()[0]->name(), "b");
  EXPECT_EQ(graph->outputs()[1]->name(), "a");
}

TEST_F(DslTest, ChainsAndBareOpNames) {
  auto graph = parseOk(R"(model m {
  input x: [N, 4]
  output y = x |> fake_relu |> fake_relu() |> fake_dense(3, bias=false) |> fake_relu
})");
  ASSERT_TRUE(graph);
  EXPECT_EQ(print(*graph), R"(graph @m(%x: f32[N,4]) -> (%y: f32[N,3]) {
  weight @y.weight : f32[3,4]
  %y.fake_relu = fake_relu(%x) : f32[N,4]
  %y.fake_relu.1 = fake_relu(%y.fake_relu) : f32[N,4]
  %y.fake_dense = fake_dense(%y.fake_relu.1, @y.weight) : f32[N,3]
  %y = fake_relu(%y.fake_dense) : f32[N,3]
}
)");
}

TEST_F(DslTest, PipeFillsFirstInputOfMultiInputOp) {
  auto graph = parseOk(R"(model m {
  input a: [N, 4]
  input b: [N, 4]
  output s = a |> fake_add(b)
  output t = fake_add(fake_relu(a), s |> fake_relu)
})");
  ASSERT_TRUE(graph);
  EXPECT_EQ(print(*graph), R"(graph @m(%a: f32[N,4], %b: f32[N,4]) -> (%s: f32[N,4], %t: f32[N,4]) {
  %s = fake_add(%a, %b) : f32[N,4]
  %t.fake_relu = fake_relu(%a) : f32[N,4]
  %t.fake_relu.1 = fake_relu(%s) : f32[N,4]
  %t = fake_add(%t.fake_relu, %t.fake_relu.1) : f32[N,4]
}
)");
}

TEST_F(DslTest, WeightNamesCountWeightBearingCallsPerStatement) {
  auto graph = parseOk(R"(model m {
  input x: [N, 8]
  one = fake_dense(x, 4) |> fake_relu
  two = fake_relu(x) |> fake_dense(6) |> fake_relu |> fake_fc(2, bias=false)
  output three = fake_dense(fake_dense(two, 5), 3) |> fake_dense(1)
})");
  ASSERT_TRUE(graph);
  std::vector<std::string> names;
  for (const Value *w : graph->weights())
    names.push_back(w->name() + " " + w->type().str());
  std::vector<std::string> expected = {
      "one.weight f32[4,8]",  "one.bias f32[4]",      "two.0.weight f32[6,8]",
      "two.0.bias f32[6]",    "two.1.weight f32[2,6]", "three.0.weight f32[5,2]",
      "three.0.bias f32[5]",  "three.1.weight f32[3,5]", "three.1.bias f32[3]",
      "three.2.weight f32[1,3]", "three.2.bias f32[1]"};
  EXPECT_EQ(names, expected);
}

TEST_F(DslTest, AliasNamesAnIntermediateAfterTheSpelling) {
  auto graph = parseOk("model m {\n  input x: [N, 8]\n  output y = fake_fc(x, 4) |> fake_relu\n}");
  ASSERT_TRUE(graph);
  EXPECT_TRUE(graph->findActivation("y.fake_fc"));
  EXPECT_EQ(graph->findActivation("y.fake_fc")->producer()->kindName(), "fake_dense");
}

TEST_F(DslTest, ArgumentNormalization) {
  auto graph = parseOk(R"(model m {
  input x: [N, 2, 16, 16]
  a = fake_pool(x, 3)
  b = fake_pool(x, [3, 1], [2, 1], pad=[1, 2], scale=2, mode="avg")
  c = fake_pool(x, kernel=2, pad=1, scale=0.5)
  output d = fake_pool(x, mode="a\"b", pad=[0, 1, 2, 3], kernel=[1, 1])
  output a
  output b
  output c
})");
  ASSERT_TRUE(graph);
  auto attrs = [&](const char *name) {
    std::string s;
    for (const auto &[key, value] : graph->findActivation(name)->producer()->attrs().entries())
      s += key + "=" + value.str() + " ";
    return s;
  };
  EXPECT_EQ(attrs("a"), "kernel=[3,3] stride=[1,1] pad=[0,0,0,0] scale=1.0 mode=\"max\" ");
  EXPECT_EQ(attrs("b"), "kernel=[3,1] stride=[2,1] pad=[1,2,1,2] scale=2.0 mode=\"avg\" ");
  EXPECT_EQ(attrs("c"), "kernel=[2,2] stride=[1,1] pad=[1,1,1,1] scale=0.5 mode=\"max\" ");
  EXPECT_EQ(attrs("d"), "kernel=[1,1] stride=[1,1] pad=[0,1,2,3] scale=1.0 mode=\"a\\\"b\" ");
  EXPECT_EQ(graph->findActivation("a")->producer()->attrs().getFloat("scale"), 1.0);
  EXPECT_EQ(graph->findActivation("b")->producer()->attrs().getFloat("scale"), 2.0);
  EXPECT_EQ(graph->findActivation("d")->producer()->attrs().getString("mode"), "a\"b");
}

TEST_F(DslTest, NegativeAndExponentNumbers) {
  auto graph = parseOk(R"(model m {
  input x: [N, 1, 4, 4]
  output y = fake_pool(x, 1, scale=-1e-5)
  output z = fake_pool(x, 1, scale=-.25)
})");
  ASSERT_TRUE(graph);
  EXPECT_EQ(graph->findActivation("y")->producer()->attrs().getFloat("scale"), -1e-5);
  EXPECT_EQ(graph->findActivation("z")->producer()->attrs().getFloat("scale"), -0.25);
}

TEST_F(DslTest, LineContinuation) {
  auto graph = parseOk(R"(model m {   # comment after the brace
  input x: [
    N, 1,      # a comment inside brackets
    8, 8,
  ]

  # A chain over several lines, both ways.
  a = fake_pool(
        x,
        kernel=2,
        stride=[2,
                2],
      )
      |> fake_relu   # comment between stages

      |> fake_relu |>
      fake_relu
  output a
}   # trailing comment
)");
  ASSERT_TRUE(graph);
  EXPECT_EQ(graph->numOps(), 4u);
  EXPECT_EQ(graph->findActivation("a")->type().str(), "f32[N,1,4,4]");
}

TEST_F(DslTest, OneLineModel) {
  auto graph = parseOk("model m { input x: [N, 2]\n output y = fake_relu(x) }");
  ASSERT_TRUE(graph);
  EXPECT_EQ(graph->name(), "m");
  EXPECT_EQ(graph->outputs().size(), 1u);
}

TEST_F(DslTest, SourceLocationsOnValues) {
  unsigned id = addSource("model m {\n  input x: [N, 2]\n  output y = x |> fake_relu\n}\n");
  auto graph = parseModelDsl(id, diags_);
  ASSERT_TRUE(graph) << diagnostics_;
  EXPECT_EQ(sourceMgr_.getLineAndColumn(graph->inputs()[0]->loc(), id), std::make_pair(2u, 9u));
  EXPECT_EQ(sourceMgr_.getLineAndColumn(graph->ops()[0]->loc(), id), std::make_pair(3u, 19u));
}

TEST_F(DslTest, AstKeepsTheSyntax) {
  unsigned id = addSource("model m {\n  input x: f32[N, 4]\n  y = x |> f(1, k=[2]) |> g\n"
                          "  output y\n}\n");
  auto model = dsl::parseModelAst(id, diags_);
  ASSERT_TRUE(model);
  EXPECT_EQ(diagnostics_, "");
  ASSERT_EQ(model->body.size(), 3u);
  auto *input = llvm::dyn_cast<dsl::ast::InputStmt>(model->body[0].get());
  ASSERT_TRUE(input);
  EXPECT_EQ(input->type.dtype, "f32");
  ASSERT_EQ(input->type.dims.size(), 2u);
  EXPECT_EQ(input->type.dims[0].symbol, "N");
  EXPECT_EQ(input->type.dims[1].size, 4);
  auto *layer = llvm::dyn_cast<dsl::ast::LayerStmt>(model->body[1].get());
  ASSERT_TRUE(layer);
  EXPECT_FALSE(layer->isOutput);
  // `x |> f(...) |> g` nests to the left.
  auto *outer = llvm::dyn_cast<dsl::ast::PipeExpr>(layer->value.get());
  ASSERT_TRUE(outer);
  EXPECT_EQ(outer->stage->callee, "g");
  EXPECT_TRUE(outer->stage->args.empty());
  auto *inner = llvm::dyn_cast<dsl::ast::PipeExpr>(outer->input.get());
  ASSERT_TRUE(inner);
  EXPECT_TRUE(llvm::isa<dsl::ast::NameExpr>(inner->input.get()));
  ASSERT_EQ(inner->stage->args.size(), 2u);
  EXPECT_FALSE(inner->stage->args[0].isNamed());
  EXPECT_EQ(inner->stage->args[1].name, "k");
  EXPECT_TRUE(llvm::isa<dsl::ast::OutputStmt>(model->body[2].get()));
}

//===----------------------------------------------------------------------===//
// Syntax errors
//===----------------------------------------------------------------------===//

TEST_F(DslTest, ErrorFormatHasLocationSourceLineAndCaret) {
  std::string out = parseErrors("model m {\n  input x: [N, 4]\n  y = fake_relu(x))\n}\n");
  EXPECT_EQ(out, "m.nn:3:19: error: expected end of line after the statement, found ')'\n"
                 "  y = fake_relu(x))\n"
                 "                  ^\n");
}

TEST_F(DslTest, MissingModelHeader) {
  EXPECT_EQ(parseErrors("# nothing\ninput x: [1]\n"),
            "m.nn:2:1: error: expected a model such as 'model NAME { ... }', found 'input'\n"
            "input x: [1]\n"
            "^\n");
}

TEST_F(DslTest, MissingModelName) {
  std::string out = parseErrors("model {\n}\n");
  EXPECT_NE(out.find("m.nn:1:7: error: expected the model name after 'model', found '{'"),
            std::string::npos)
      << out;
}

TEST_F(DslTest, UnclosedModel) {
  std::string out = parseErrors("model m {\n  input x: [N, 4]\n  output y = fake_relu(x)\n");
  EXPECT_NE(out.find("m.nn:4:1: error: expected '}' to close model 'm'"), std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:1:9: note: model 'm' opens here"), std::string::npos) << out;
}

TEST_F(DslTest, SecondModel) {
  std::string out =
      parseErrors("model a {\n  input x: [1]\n  output x\n}\nmodel b {\n}\n");
  EXPECT_NE(out.find("m.nn:5:1: error: a file holds one model; found a second 'model'"),
            std::string::npos)
      << out;
}

TEST_F(DslTest, SyntaxErrorsSayWhatWasExpectedAndFound) {
  struct Case {
    const char *statement;
    const char *message; // at line 3
  };
  const Case cases[] = {
      {"y = ", "3:7: error: expected an expression, found end of line"},
      {"y fake_relu(x)", "3:5: error: expected '=' after layer name 'y', found 'fake_relu'"},
      {"= fake_relu(x)",
       "3:3: error: expected a statement ('input NAME: type', 'NAME = ...' or 'output NAME'), "
       "found '='"},
      {"y = fake_relu(x,, 2)", "3:19: error: expected an expression, found ','"},
      {"y = fake_relu(x 2)",
       "3:19: error: expected ',' or ')' after an argument of 'fake_relu', found '2'"},
      {"y = x |> 3", "3:12: error: expected a layer type after '|>', found '3'"},
      {"y = fake_pool(x, [1, 2.5])", "3:24: error: expected an integer in the list, found '2.5'"},
      {"y = fake_pool(x, kernel=2, 3)",
       "3:30: error: positional argument after named argument 'kernel'"},
      {"y = fake_pool(x, 1=2)", "3:21: error: expected ',' or ')' after an argument, found '='"},
      {"input z [N, 4]", "3:11: error: expected ':' and a type after input 'z', found '['"},
      {"input z: 4", "3:12: error: expected a tensor type such as f32[N, 3, 32, 32], found '4'"},
      {"input z: f32", "3:15: error: expected '[' to open the shape, found end of line"},
      {"input z: [N, 4.0]",
       "3:16: error: expected a dimension (a size, or a symbol such as N), found '4.0'"},
      {"input z: [N 4]", "3:15: error: expected ',' or ']' in the shape, found '4'"},
      {"input output: [4]", "3:9: error: expected an input name after 'input', found 'output'"},
      {"output", "3:9: error: expected a layer name after 'output', found end of line"},
      {"y = fake_relu(x) z", "3:20: error: expected end of line after the statement, found 'z'"},
      {"y = fake_pool(x, 99999999999999999999)",
       "3:20: error: integer '99999999999999999999' is out of range"},
      {"y = fake_pool(x, 1, scale=1e999)", "3:29: error: number '1e999' is out of range"},
  };
  for (const Case &c : cases) {
    diagnostics_.clear();
    std::string source =
        std::string("model m {\n  input x: [N, 1, 4, 4]\n  ") + c.statement + "\n  output x\n}\n";
    std::string out = parseErrors(source);
    EXPECT_EQ(out.find(std::string("m.nn:") + c.message), 0u) << c.statement << "\n" << out;
    EXPECT_EQ(countErrors(out), 1u) << c.statement << "\n" << out;
  }
}

TEST_F(DslTest, LexicalErrors) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 4]
  a = fake_relu(x) $
  b = fake_pool(x, mode="open
  c = fake_pool(x, 3x)
  output x
})");
  EXPECT_NE(out.find("m.nn:3:20: error: unexpected character '$'"), std::string::npos) << out;
  EXPECT_NE(out.find("m.nn:4:25: error: unterminated string; strings end with '\"' on the same "
                     "line"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:5:20: error: invalid number '3x'"), std::string::npos) << out;
  EXPECT_EQ(countErrors(out), 3u) << out;
}

TEST_F(DslTest, RecoversAfterUnclosedParenthesis) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 4]
  a = fake_relu(x
  b = fake_relu(q)
  output b
})");
  // The cut-short statement ends at the next line; `b` is still checked.
  EXPECT_NE(out.find("m.nn:4:3: error: expected ',' or ')' after an argument of 'fake_relu', "
                     "found 'b'"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:4:17: error: use of undefined layer 'q'"), std::string::npos) << out;
  EXPECT_EQ(countErrors(out), 2u) << out;
}

TEST_F(DslTest, RecoverySkipsAMultiLineStatementWhole) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 1, 4, 4]
  a = fake_pool(x, 1 1,
                stride=1,
                mode="x")
  b = fake_relu(a)
  output c
})");
  EXPECT_NE(out.find("m.nn:3:22: error: expected ',' or ')'"), std::string::npos) << out;
  // `a` is poisoned: its use is quiet; `c` is reported.
  EXPECT_NE(out.find("m.nn:7:10: error: use of undefined layer 'c'"), std::string::npos) << out;
  EXPECT_EQ(countErrors(out), 2u) << out;
}

//===----------------------------------------------------------------------===//
// Semantic errors
//===----------------------------------------------------------------------===//

TEST_F(DslTest, UnknownLayerTypeSuggestsTheClosest) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 4]
  output y = fake_rleu(x)
})");
  EXPECT_EQ(out, "m.nn:3:14: error: unknown layer type 'fake_rleu' (did you mean 'fake_relu'?)\n"
                 "  output y = fake_rleu(x)\n"
                 "             ^~~~~~~~~\n");
}

TEST_F(DslTest, UnknownLayerTypeInChainAndWithoutSuggestion) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 4]
  a = x |> fake_relu |> fake_flaten
  b = x |> conv3d(1)
  c = x |> b
  output c
})");
  EXPECT_NE(out.find("m.nn:3:25: error: unknown layer type 'fake_flaten' (did you mean "
                     "'fake_flatten'?)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:4:12: error: unknown layer type 'conv3d'\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:5:12: error: unknown layer type 'b'; 'b' is a layer, not a layer "
                     "type"),
            std::string::npos)
      << out;
  EXPECT_EQ(countErrors(out), 3u) << out;
}

TEST_F(DslTest, UndefinedLayerSuggestsTheLatestClosest) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 4]
  conv1 = fake_relu(x)
  conv2 = fake_relu(conv1)
  conv3 = fake_relu(conv2)
  output y = fake_relu(conv4)
})");
  EXPECT_EQ(out, "m.nn:6:24: error: use of undefined layer 'conv4' (did you mean 'conv3'?)\n"
                 "  output y = fake_relu(conv4)\n"
                 "                       ^~~~~\n");
}

TEST_F(DslTest, UndefinedLayerThatIsALayerType) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 4]
  output y = fake_add(x, fake_relu)
})");
  EXPECT_NE(out.find("m.nn:3:26: error: use of undefined layer 'fake_relu'; 'fake_relu' is a "
                     "layer type, call it as fake_relu(...)"),
            std::string::npos)
      << out;
}

TEST_F(DslTest, UseBeforeDefinition) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 4]
  output a = fake_relu(b)
  b = fake_relu(x)
})");
  EXPECT_EQ(out, "m.nn:3:24: error: use of layer 'b' before its definition\n"
                 "  output a = fake_relu(b)\n"
                 "                       ^\n"
                 "m.nn:4:3: note: 'b' is defined here\n"
                 "  b = fake_relu(x)\n"
                 "  ^\n");
}

TEST_F(DslTest, Redefinition) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 4]
  a = fake_relu(x)
  a = fake_relu(a)
  input x: [N, 4]
  output a
})");
  EXPECT_EQ(out, "m.nn:4:3: error: redefinition of 'a'\n"
                 "  a = fake_relu(a)\n"
                 "  ^\n"
                 "m.nn:3:3: note: 'a' is first defined here\n"
                 "  a = fake_relu(x)\n"
                 "  ^\n"
                 "m.nn:5:9: error: redefinition of 'x'\n"
                 "  input x: [N, 4]\n"
                 "        ^\n"
                 "m.nn:2:9: note: 'x' is first defined here\n"
                 "  input x: [N, 4]\n"
                 "        ^\n");
}

TEST_F(DslTest, ArgumentCountErrors) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 4]
  a = fake_add(x)
  b = x |> fake_add
  c = fake_dense(10)
  d = fake_relu(x, 2)
  e = x |> fake_zeros(3)
  f = fake_add(x, x, x)
  output x
})");
  EXPECT_NE(out.find("m.nn:3:7: error: 'fake_add' expects 2 inputs, found 1 (usage: "
                     "fake_add(lhs, rhs))\n  a = fake_add(x)\n      ^~~~~~~~~~~\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:4:12: error: 'fake_add' expects 2 inputs, found 1"), std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:5:7: error: 'fake_dense' expects 1 input, found 0 (usage: "
                     "fake_dense(input, units, bias=true))"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:6:20: error: too many arguments for 'fake_relu' (usage: "
                     "fake_relu(input))"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:7:12: error: 'fake_zeros' takes no inputs, so it cannot follow '|>'"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:8:22: error: too many arguments for 'fake_add'"), std::string::npos)
      << out;
  EXPECT_EQ(countErrors(out), 6u) << out;
}

TEST_F(DslTest, ArgumentKindErrors) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 1, 4, 4]
  input v: [N, 4]
  a = fake_pool(x, 1.5)
  b = fake_pool(x, [1, 2, 3])
  c = fake_pool(x, 2, pad=[1, 2, 3])
  d = fake_pool(x, 2, mode=3)
  e = fake_dense(v, 2, bias=1)
  f = fake_dense(v, v)
  g = fake_pool(x, 2, scale="big")
  h = fake_dense(v, units=fake_relu(v))
  output x
})");
  EXPECT_NE(out.find("m.nn:4:20: error: parameter 'kernel' of 'fake_pool' expects 2 integers or "
                     "one for all, found 1.5\n  a = fake_pool(x, 1.5)\n                   ^~~\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:5:20: error: parameter 'kernel' of 'fake_pool' expects 2 integers or "
                     "one for all, found [1,2,3]"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:6:27: error: parameter 'pad' of 'fake_pool' expects 4 integers, a pair "
                     "or one for all, found [1,2,3]"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:7:28: error: parameter 'mode' of 'fake_pool' expects a string, found 3"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:8:29: error: parameter 'bias' of 'fake_dense' expects true or false, "
                     "found 1"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:9:21: error: parameter 'units' of 'fake_dense' expects an integer, "
                     "found 'v' (usage: fake_dense(input, units, bias=true))"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:10:29: error: parameter 'scale' of 'fake_pool' expects a number, "
                     "found \"big\""),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:11:27: error: parameter 'units' of 'fake_dense' expects an integer, "
                     "found a call to 'fake_relu'"),
            std::string::npos)
      << out;
  EXPECT_EQ(countErrors(out), 8u) << out;
}

TEST_F(DslTest, ArgumentNameErrors) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 1, 4, 4]
  input v: [N, 4]
  a = fake_dense(v, unit=3)
  b = fake_dense(v, 3, units=4)
  c = fake_relu(v, alpha=0.1)
  d = fake_pool(x, kernel=2, kernel=3)
  e = fake_dense(v, size=3)
  output x
})");
  EXPECT_NE(out.find("m.nn:4:21: error: 'fake_dense' has no parameter 'unit'; did you mean "
                     "'units'? (parameters: units, bias)\n  a = fake_dense(v, unit=3)\n"
                     "                    ^~~~\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:5:24: error: parameter 'units' of 'fake_dense' is given twice\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:5:21: note: first given here"), std::string::npos) << out;
  EXPECT_NE(out.find("m.nn:6:20: error: 'fake_relu' has no parameter 'alpha'; it takes none"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:7:30: error: parameter 'kernel' of 'fake_pool' is given twice"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:8:21: error: 'fake_dense' has no parameter 'size' (parameters: units, "
                     "bias)"),
            std::string::npos)
      << out;
  // A misspelled name does not also report the parameter it meant as missing.
  EXPECT_EQ(countErrors(out), 5u) << out;
}

TEST_F(DslTest, MissingRequiredParameters) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 1, 4, 4]
  input v: [N, 4]
  a = fake_dense(v)
  b = x |> fake_pool(stride=2)
  output x
})");
  EXPECT_NE(out.find("m.nn:4:7: error: 'fake_dense' requires parameter 'units' (usage: "
                     "fake_dense(input, units, bias=true))\n  a = fake_dense(v)\n"
                     "      ^~~~~~~~~~~~~\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:5:12: error: 'fake_pool' requires parameter 'kernel' (usage: "
                     "fake_pool(input, kernel, stride=[1,1], pad=[0,0,0,0], scale=1.0, "
                     "mode=\"max\"))"),
            std::string::npos)
      << out;
}

TEST_F(DslTest, ShapeErrorsPointAtTheCall) {
  std::string out = parseErrors(R"(model m {
  input a: [N, 4]
  input b: [N, 5]
  input img: [N, 1, 2, 2]
  s = fake_add(a, b)
  t = img |> fake_pool(3)
  u = fake_dense(img, 10)
  w = fake_dense(a, -1)
  output y = fake_relu(s)
})");
  EXPECT_NE(out.find("m.nn:5:7: error: fake_add: shapes [N,4] and [N,5] differ\n"
                     "  s = fake_add(a, b)\n"
                     "      ^~~~~~~~~~~~~~\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:6:14: error: fake_pool: kernel [3,3] does not fit input [N,1,2,2]\n"
                     "  t = img |> fake_pool(3)\n"
                     "             ^~~~~~~~~~~~\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:7:7: error: fake_dense: input [N,1,2,2] must be [N,features]; use "
                     "flatten()"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:8:7: error: fake_dense: units must be positive, found -1"),
            std::string::npos)
      << out;
  // `s` is poisoned, so its use on the last line stays quiet.
  EXPECT_EQ(countErrors(out), 4u) << out;
}

TEST_F(DslTest, BadOpDefinitionIsReportedNotCrashed) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 4]
  output y = fake_broken(x)
})");
  EXPECT_NE(out.find("m.nn:3:14: error: layer type 'fake_broken' declares weight 'kernel', which "
                     "is not one of its weight operands"),
            std::string::npos)
      << out;
}

TEST_F(DslTest, InputTypeErrors) {
  std::string out = parseErrors(R"(model m {
  input a: f16[N, 4]
  input b: [N, 0]
  input c: [N, C]
  input d: []
  input e: [B, 4]
  input f: [4, 4]
  output f
})");
  EXPECT_NE(out.find("m.nn:2:12: error: unknown element type 'f16' (netc supports f32)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:3:16: error: dimension sizes must be positive, found 0"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:4:16: error: only the leading (batch) dimension may be a symbol, "
                     "found 'C'"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:5:12: error: an input needs at least one dimension"), std::string::npos)
      << out;
  EXPECT_EQ(countErrors(out), 4u) << out;
}

TEST_F(DslTest, InputsShareOneBatchSymbol) {
  std::string out = parseErrors(R"(model m {
  input a: [N, 4]
  input b: [B, 4]
  output a
})");
  EXPECT_NE(out.find("m.nn:3:13: error: batch dimension 'B' differs from 'N' of input 'a'; "
                     "inputs share one batch size"),
            std::string::npos)
      << out;
}

TEST_F(DslTest, OutputErrors) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 4]
  a = fake_relu(x)
  output a
  output a
  output z
  output q = x
  output 3
})");
  EXPECT_NE(out.find("m.nn:5:10: error: 'a' is already an output"), std::string::npos) << out;
  EXPECT_NE(out.find("m.nn:6:10: error: use of undefined layer 'z'"), std::string::npos) << out;
  EXPECT_NE(out.find("m.nn:7:14: error: layer 'q' must apply a layer type, e.g. 'q = "
                     "relu(x)'"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:8:10: error: expected a layer name after 'output', found '3'"),
            std::string::npos)
      << out;
  EXPECT_EQ(countErrors(out), 4u) << out;
}

TEST_F(DslTest, ConstantWhereALayerBelongs) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 4]
  a = 3 |> fake_relu
  output b = 3
  output x
})");
  EXPECT_NE(out.find("m.nn:3:7: error: expected a layer or a call, found a constant"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:4:14: error: expected a layer or a call, found a constant"),
            std::string::npos)
      << out;
}

TEST_F(DslTest, ModelWithoutOutputs) {
  std::string out = parseErrors("model m {\n  input x: [N, 4]\n  a = fake_relu(x)\n}\n");
  EXPECT_EQ(out, "m.nn:1:7: error: model 'm' has no outputs; mark one with 'output NAME' or "
                 "'output NAME = ...'\n"
                 "model m {\n"
                 "      ^\n");
}

TEST_F(DslTest, PoisonedNamesDoNotCascade) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 4]
  input bad: f64[N, 4]
  a = fake_relu(bad)
  b = fake_add(a, a) |> fake_relu
  c = fake_relu(x) |> fake_add(
  output d = fake_add(c, b)
  output e = fake_relu(d)
})");
  // One error for the input type, one for the cut-short statement; nothing else.
  EXPECT_NE(out.find("m.nn:3:14: error: unknown element type 'f64'"), std::string::npos) << out;
  EXPECT_NE(out.find("m.nn:7:3: error: expected an expression, found 'output'"), std::string::npos)
      << out;
  EXPECT_EQ(countErrors(out), 2u) << out;
}

TEST_F(DslTest, ReportsManyErrorsInOneRun) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 4]
  a = fake_rlu(x)
  b = fake_relu(y)
  c = fake_relu(x) extra
  d = fake_dense(x)
  output d
})");
  EXPECT_EQ(countErrors(out), 4u) << out;
}

//===----------------------------------------------------------------------===//
// Optional inputs
//===----------------------------------------------------------------------===//

TEST_F(DslTest, OptionalInputsMayBeLeftOutFromTheEnd) {
  auto graph = parseOk(R"(model m {
  input x: [N, 4]
  two = fake_sum(x, x)
  three = x |> fake_sum(x, x)
  output four = fake_sum(x, two, three, x)
})");
  ASSERT_TRUE(graph);
  EXPECT_EQ(print(*graph), R"(graph @m(%x: f32[N,4]) -> (%four: f32[N,4]) {
  %two = fake_sum(%x, %x) : f32[N,4]
  %three = fake_sum(%x, %x, %x) : f32[N,4]
  %four = fake_sum(%x, %two, %three, %x) : f32[N,4]
}
)");
  std::string out = parseErrors("model m {\n  input x: [N, 4]\n  output y = fake_sum(x)\n}\n");
  EXPECT_NE(out.find("m.nn:3:14: error: 'fake_sum' expects 2 to 4 inputs, found 1 (usage: "
                     "fake_sum(a, b, c, d))"),
            std::string::npos)
      << out;
}

//===----------------------------------------------------------------------===//
// Blocks
//===----------------------------------------------------------------------===//

/// Weight names and shapes of `graph`, in order.
std::vector<std::string> weightNames(const Graph &graph) {
  std::vector<std::string> names;
  for (const Value *w : graph.weights())
    names.push_back(w->name() + " " + w->type().shapeStr());
  return names;
}

// A block used as a single call, in a chain, with repeat, in a seq, and nested.
const char *const kBlocks = R"(
block unit(x, units, bias=true) {
  fc = fake_dense(x, units, bias=bias)
  act = fake_relu(fc)
  return fake_add(act, x)
}
# A block that calls a block, with a chain inside (members fc.0, fc.1).
block twice(x, units) {
  first = unit(x, units)
  fc = fake_dense(first, 3) |> fake_relu |> fake_dense(units)
  return fc
}
)";

TEST_F(DslTest, BlockWeightsAreNamedAfterTheInstance) {
  auto graph = parseOk(std::string(kBlocks) + R"(
model m {
  input x: [N, 4]
  single = unit(x, 4)
  chain = unit(single, 4) |> unit(4, bias=false)
  output nested = twice(chain, 4)
})");
  ASSERT_TRUE(graph);
  std::vector<std::string> expected = {
      "single.fc.weight [4,4]",         "single.fc.bias [4]",
      "chain.0.fc.weight [4,4]",        "chain.0.fc.bias [4]",
      "chain.1.fc.weight [4,4]",        "nested.first.fc.weight [4,4]",
      "nested.first.fc.bias [4]",       "nested.fc.0.weight [3,4]",
      "nested.fc.0.bias [3]",           "nested.fc.1.weight [4,3]",
      "nested.fc.1.bias [4]"};
  EXPECT_EQ(weightNames(*graph), expected);
  // Values: `<instance>.<local>`; an instance's result is named like a call's,
  // after the numbered instance in a sequence; `return fc` renames the local.
  for (const char *name : {"single.fc", "single.act", "single", "chain.0.fc",
                           "chain.0", "chain.1.act", "chain", "nested.first.act", "nested.first",
                           "nested.fc.fake_dense", "nested"})
    EXPECT_TRUE(graph->findActivation(name)) << name << "\n" << print(*graph);
  EXPECT_FALSE(graph->findActivation("nested.fc")) << print(*graph);
  EXPECT_EQ(graph->outputs()[0]->name(), "nested");
}

TEST_F(DslTest, RepeatNumbersEveryRepetition) {
  auto graph = parseOk(std::string(kBlocks) + R"(
model m {
  input x: [N, 4]
  one = repeat(1, unit(x, 4))
  three = one |> repeat(3, unit(4))
  mixed = fake_dense(three, 4) |> repeat(2, fake_dense(4)) |> unit(4, bias=false)
  output y = fake_relu(mixed)
})");
  ASSERT_TRUE(graph);
  std::vector<std::string> expected = {
      "one.0.fc.weight [4,4]",   "one.0.fc.bias [4]",   "three.0.fc.weight [4,4]",
      "three.0.fc.bias [4]",     "three.1.fc.weight [4,4]", "three.1.fc.bias [4]",
      "three.2.fc.weight [4,4]", "three.2.fc.bias [4]", "mixed.0.weight [4,4]",
      "mixed.0.bias [4]",        "mixed.1.weight [4,4]", "mixed.1.bias [4]",
      "mixed.2.weight [4,4]",    "mixed.2.bias [4]",    "mixed.3.fc.weight [4,4]"};
  EXPECT_EQ(weightNames(*graph), expected);
  EXPECT_TRUE(graph->findActivation("three.1"));
  EXPECT_TRUE(graph->findActivation("three"));
}

TEST_F(DslTest, RepeatWithoutPipeLeavesTheFirstArgumentOutAfterTheFirstCall) {
  auto graph = parseOk(R"(model m {
  input a: [N, 4]
  input b: [N, 4]
  output y = repeat(3, fake_add(a, b))
})");
  ASSERT_TRUE(graph);
  EXPECT_EQ(print(*graph), R"(graph @m(%a: f32[N,4], %b: f32[N,4]) -> (%y: f32[N,4]) {
  %y.fake_add = fake_add(%a, %b) : f32[N,4]
  %y.fake_add.1 = fake_add(%y.fake_add, %b) : f32[N,4]
  %y = fake_add(%y.fake_add.1, %b) : f32[N,4]
}
)");
}

TEST_F(DslTest, SeqNumbersStagesByPositionLikeSequential) {
  auto graph = parseOk(std::string(kBlocks) + R"(
model m {
  input x: [N, 2, 8, 8]
  features = seq(fake_pool(x, 2), fake_flatten, fake_dense(8), fake_relu, unit(8))
  head = features |> seq(fake_relu, fake_dense(4, bias=false))
  both = fake_dense(head, 4) |> seq(fake_dense(4), seq(fake_relu, fake_dense(4)))
  output y = fake_relu(both)
})");
  ASSERT_TRUE(graph);
  std::vector<std::string> expected = {
      "features.2.weight [8,98]",    "features.2.bias [8]",     "features.4.fc.weight [8,8]",
      "features.4.fc.bias [8]",      "head.1.weight [4,8]",     "both.0.weight [4,4]",
      "both.0.bias [4]",             "both.1.0.weight [4,4]",   "both.1.0.bias [4]",
      "both.1.1.1.weight [4,4]",     "both.1.1.1.bias [4]"};
  EXPECT_EQ(weightNames(*graph), expected);
  for (const char *name : {"features.0", "features.1", "features.3", "features", "head.0", "head"})
    EXPECT_TRUE(graph->findActivation(name)) << name << "\n" << print(*graph);
}

TEST_F(DslTest, BlockParametersTakeConstantsOfEveryKind) {
  auto graph = parseOk(R"(
block pool(x, k, stride=[1, 1], scale=1, mode="max", n=1) {
  p = x |> repeat(n, fake_pool(k, stride=stride, scale=scale, mode=mode))
  return fake_relu(p)
}
block outer(x, size) {
  return pool(x, size, n=2, mode="avg")
}
model m {
  input x: [N, 1, 16, 16]
  a = pool(x, 2, [2, 2], 0.5)
  b = x |> pool(k=3, scale=2)
  output c = outer(x, 1)
  output a
  output b
})");
  ASSERT_TRUE(graph);
  auto attrs = [&](const char *name) {
    std::string s;
    const Value *value = graph->findActivation(name);
    if (!value)
      return "no value " + std::string(name) + " in\n" + print(*graph);
    for (const auto &[key, attr] : value->producer()->attrs().entries())
      s += key + "=" + attr.str() + " ";
    return s;
  };
  // A block without weights names its instance `<layer>.<block>`.
  EXPECT_EQ(attrs("a.pool.p"), "kernel=[2,2] stride=[2,2] pad=[0,0,0,0] scale=0.5 mode=\"max\" ");
  EXPECT_EQ(attrs("b.pool.p"), "kernel=[3,3] stride=[1,1] pad=[0,0,0,0] scale=2.0 mode=\"max\" ");
  EXPECT_EQ(attrs("c.outer.pool.p"),
            "kernel=[1,1] stride=[1,1] pad=[0,0,0,0] scale=1.0 mode=\"avg\" ");
  EXPECT_TRUE(graph->findActivation("c.outer.pool.p.fake_pool")); // n=2: two pools
}

TEST_F(DslTest, BlocksMayBeDefinedAfterTheModelAndCallLaterBlocks) {
  auto graph = parseOk(R"(block first(x) {
  return second(x)
}
model m {
  input x: [N, 4]
  output y = first(x)
}
block second(x) {
  return fake_dense(x, 2)
})");
  ASSERT_TRUE(graph);
  EXPECT_EQ(weightNames(*graph), (std::vector<std::string>{"y.weight [2,4]", "y.bias [2]"}));
}

TEST_F(DslTest, AstKeepsBlocksRepeatAndSeq) {
  unsigned id = addSource(R"(block b(x, c, k=3) {
  y = x |> repeat(c, f(k)) |> seq(g, h(1))
  return y
}
model m {
  input x: f32[N, 4]
  output z = b(x, 2)
}
)");
  auto model = dsl::parseModelAst(id, diags_);
  ASSERT_TRUE(model);
  EXPECT_EQ(diagnostics_, "");
  ASSERT_EQ(model->blocks.size(), 1u);
  const dsl::ast::BlockDecl &block = *model->blocks[0];
  EXPECT_EQ(block.name, "b");
  ASSERT_EQ(block.params.size(), 3u);
  EXPECT_EQ(block.params[1].name, "c");
  EXPECT_FALSE(block.params[1].defaultValue);
  ASSERT_TRUE(block.params[2].defaultValue);
  EXPECT_EQ(block.params[2].defaultValue->value.asInt(), 3);
  ASSERT_EQ(block.body.size(), 2u);
  auto *layer = llvm::dyn_cast<dsl::ast::LayerStmt>(block.body[0].get());
  ASSERT_TRUE(layer);
  auto *seq = llvm::dyn_cast<dsl::ast::SeqExpr>(layer->value.get());
  ASSERT_TRUE(seq);
  ASSERT_EQ(seq->stages.size(), 2u);
  auto *repeat = llvm::dyn_cast<dsl::ast::RepeatExpr>(seq->input.get());
  ASSERT_TRUE(repeat);
  EXPECT_TRUE(llvm::isa<dsl::ast::NameExpr>(repeat->input.get()));
  EXPECT_TRUE(llvm::isa<dsl::ast::NameExpr>(repeat->count.get()));
  EXPECT_TRUE(llvm::isa<dsl::ast::CallExpr>(repeat->stage.get()));
  EXPECT_TRUE(llvm::isa<dsl::ast::ReturnStmt>(block.body[1].get()));
}

TEST_F(DslTest, BlockKeywordsAreOrdinaryNamesElsewhere) {
  auto graph = parseOk(R"(model m {
  input x: [N, 4]
  block = fake_relu(x)
  return = fake_relu(block)
  repeat = fake_relu(return)
  seq = fake_add(repeat, block)
  output seq
})");
  ASSERT_TRUE(graph);
  EXPECT_EQ(graph->numOps(), 4u);
}

TEST_F(DslTest, ErrorInABlockBodyNotesTheCall) {
  std::string out = parseErrors(R"(block b(x, units) {
  fc = fake_dense(x, units)
  return fake_add(fc, x)
}
model m {
  input x: [N, 4]
  ok = b(x, 4)
  bad = b(ok, 3)
  output bad
})");
  EXPECT_EQ(out, R"(m.nn:3:10: error: fake_add: shapes [N,3] and [N,4] differ
  return fake_add(fc, x)
         ^~~~~~~~~~~~~~~
m.nn:8:9: note: in block 'b' called here (instance 'bad')
  bad = b(ok, 3)
        ^
)");
}

TEST_F(DslTest, NestedBlockErrorsNoteEveryCallAndAreReportedOnce) {
  std::string out = parseErrors(R"(block inner(x) {
  return fake_dense(x, 2, bais=false)
}
block outer(x) {
  first = inner(x)
  return first
}
model m {
  input x: [N, 4]
  a = outer(x)
  b = x |> repeat(2, outer)
  output c = fake_add(a, b)
})");
  EXPECT_EQ(out, R"(m.nn:2:27: error: 'fake_dense' has no parameter 'bais'; did you mean 'bias'? (parameters: units, bias)
  return fake_dense(x, 2, bais=false)
                          ^~~~
m.nn:5:11: note: in block 'inner' called here (instance 'a.first')
  first = inner(x)
          ^
m.nn:10:7: note: in block 'outer' called here (instance 'a')
  a = outer(x)
      ^
)");
}

TEST_F(DslTest, BlockCallArgumentErrors) {
  std::string out = parseErrors(R"(block b(x, units, bias=true) {
  return fake_dense(x, units, bias=bias)
}
model m {
  input x: [N, 4]
  a = b(x, 2, true, 3)
  c = b(x, unit=2)
  d = b(x, 2, units=3)
  e = b(x)
  f = x |> b(2, x=x)
  g = b(3, 2)
  h = b(x, x)
  output y = fake_relu(x)
})");
  const char *expected[] = {
      "m.nn:6:21: error: too many arguments for block 'b' (usage: b(x, units, bias=true))",
      "m.nn:7:12: error: block 'b' has no parameter 'unit'; did you mean 'units'? (parameters: x, "
      "units, bias)",
      "m.nn:8:15: error: parameter 'units' of block 'b' is given twice",
      "m.nn:8:12: note: first given here",
      "m.nn:9:7: error: block 'b' requires parameter 'units' (usage: b(x, units, bias=true))",
      "m.nn:10:17: error: parameter 'x' of block 'b' is given twice",
      "m.nn:10:12: note: it receives the input piped in with '|>'",
      "m.nn:11:9: error: parameter 'x' of block 'b' takes a layer, found the constant 3 (usage: "
      "b(x, units, bias=true))",
      "m.nn:12:12: error: parameter 'units' of block 'b' takes a constant, found 'x' (usage: "
      "b(x, units, bias=true))",
  };
  for (const char *message : expected)
    EXPECT_NE(out.find(message), std::string::npos) << message << "\n" << out;
  EXPECT_EQ(countErrors(out), 7u) << out;
}

TEST_F(DslTest, BlockDefinitionErrorsAreReportedOnceAtTheDefinition) {
  std::string out = parseErrors(R"(block b(x, k=1, c) {
  y = fake_relux(x)
  z = fake_relu(w)
  u = fake_relu(v)
  v = fake_relu(x)
  x = fake_relu(v)
  k = x
  return fake_relu(image)
}
block noreturn(x) {
  y = fake_relu(x)
}
block early(x) {
  return fake_relu(x)
  y = fake_relu(x)
}
block mixed(x) {
  return fake_dense(x, x)
}
block fake_relu(x) {
  return x
}
block repeat(x) {
  return x
}
block early(x) {
  return x
}
block counts(x, n) {
  y = fake_relu(x)
  return x |> repeat(y, fake_relu) |> repeat(0, fake_relu) |> repeat(n, fake_relu)
}
model m {
  input image: [N, 4]
  a = b(image, 2)
  c = b(image, 2)
  output d = fake_add(a, c)
})");
  const char *expected[] = {
      "m.nn:1:17: error: parameter 'c' of block 'b' needs a default value: it follows 'k', which "
      "has one",
      "m.nn:2:7: error: unknown layer type 'fake_relux' (did you mean 'fake_relu'?)",
      "m.nn:3:17: error: use of undefined name 'w' in block 'b'",
      "m.nn:4:17: error: use of layer 'v' before its definition",
      "m.nn:5:3: note: 'v' is defined here",
      "m.nn:6:3: error: redefinition of 'x'",
      "m.nn:1:9: note: 'x' is first defined here as a parameter",
      "m.nn:7:7: error: layer 'k' must apply a layer type, e.g. 'k = relu(x)'",
      "m.nn:7:3: error: redefinition of 'k'",
      "m.nn:8:20: error: use of undefined name 'image' in block 'b'; a block sees only its "
      "parameters and its own layers",
      "m.nn:12:1: error: block 'noreturn' has no 'return'; end it with 'return EXPR'",
      "m.nn:14:3: error: 'return' must be the last statement of block 'early'",
      "m.nn:18:21: error: parameter 'x' of block 'mixed' is used as a layer here, but as a "
      "constant elsewhere",
      "m.nn:18:24: note: used as a constant here",
      "m.nn:20:7: error: block 'fake_relu' has the name of a layer type; choose another",
      "m.nn:23:7: error: 'repeat' is a form of the language and cannot name a block",
      "m.nn:26:7: error: redefinition of block 'early'",
      "m.nn:13:7: note: block 'early' is first defined here",
      "m.nn:31:22: error: repeat count must be an integer or a parameter of block 'counts', found "
      "layer 'y'",
      "m.nn:31:46: error: repeat count must be a positive integer, found 0",
  };
  for (const char *message : expected)
    EXPECT_NE(out.find(message), std::string::npos) << message << "\n" << out;
  // Nothing is reported at the calls of the broken block.
  EXPECT_EQ(out.find("called here"), std::string::npos) << out;
  EXPECT_EQ(countErrors(out), 16u) << out;
}

TEST_F(DslTest, RecursiveBlocksAreErrors) {
  std::string out = parseErrors(R"(block a(x) {
  return b(x)
}
block b(x) {
  y = fake_relu(x) |> a
  return y
}
block self(x) {
  return self(x)
}
model m {
  input x: [N, 4]
  output y = a(x)
  output z = self(x)
})");
  EXPECT_NE(out.find("m.nn:5:23: error: recursive call of block 'a' (a -> b -> a); blocks cannot "
                     "be recursive"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("m.nn:9:10: error: block 'self' calls itself; blocks cannot be recursive"),
            std::string::npos)
      << out;
  EXPECT_EQ(countErrors(out), 2u) << out;
}

TEST_F(DslTest, BlockSyntaxErrors) {
  struct Case {
    const char *source;
    const char *message;
  };
  const Case cases[] = {
      {"model m {\n  input x: [N, 4]\n  return fake_relu(x)\n}\n",
       "m.nn:3:3: error: 'return' belongs in a block; a model marks its results with 'output'"},
      {"block b(x) {\n  input y: [N, 4]\n  return x\n}\nmodel m {\n}\n",
       "m.nn:2:3: error: 'input' belongs in a model; a block takes its inputs as parameters"},
      {"block b(x) {\n  output y = fake_relu(x)\n}\nmodel m {\n}\n",
       "m.nn:2:3: error: 'output' belongs in a model; a block gives its value with 'return'"},
      {"block (x) {\n  return x\n}\nmodel m {\n  input x: [N, 4]\n  output x\n}\n",
       "m.nn:1:7: error: expected the block name after 'block', found '('"},
      {"block b(x, 2) {\n  return x\n}\nmodel m {\n  input x: [N, 4]\n  output x\n}\n",
       "m.nn:1:12: error: expected a parameter name, found '2'"},
      {"block b(x, k=y) {\n  return x\n}\nmodel m {\n  input x: [N, 4]\n  output x\n}\n",
       "m.nn:1:14: error: expected a constant as the default of parameter 'k', found 'y'"},
      {"block b(x) {\n  return fake_relu(x)\nmodel m {\n  input x: [N, 4]\n  output x\n}\n",
       "m.nn:3:1: error: expected '}' to close block 'b'"},
      {"model m {\n  input x: [N, 4]\n  output y = x |> repeat(2)\n}\n",
       "m.nn:3:27: error: expected ',' and the stage to repeat after the count of 'repeat', found "
       "')'"},
      {"model m {\n  input x: [N, 4]\n  output y = x |> seq()\n}\n",
       "m.nn:3:23: error: expected a layer type or block, found ')'"},
      {"model m {\n  input x: [N, 4]\n  output x\n}\nfoo\n",
       "m.nn:5:1: error: expected a block or end of file after model 'm', found 'foo'"},
  };
  for (const Case &c : cases) {
    diagnostics_.clear();
    std::string out = parseErrors(c.source);
    EXPECT_NE(out.find(c.message), std::string::npos) << c.source << "\n" << out;
  }
}

TEST_F(DslTest, RepeatAndSeqErrorsAtModelLevel) {
  std::string out = parseErrors(R"(model m {
  input x: [N, 4]
  a = repeat(2, fake_relu)
  b = x |> repeat(x, fake_relu)
  c = x |> repeat(-1, fake_relu)
  d = seq(fake_relu, fake_relu)
  output y = fake_relu(x)
})");
  const char *expected[] = {
      "m.nn:3:17: error: the stage of 'repeat' needs its input as the first argument",
      "m.nn:4:19: error: repeat count must be a positive integer, found layer 'x'",
      "m.nn:5:19: error: repeat count must be a positive integer, found -1",
      "m.nn:6:11: error: 'fake_relu' expects 1 input, found 0",
  };
  for (const char *message : expected)
    EXPECT_NE(out.find(message), std::string::npos) << message << "\n" << out;
  EXPECT_EQ(countErrors(out), 4u) << out;
}

TEST_F(DslTest, UndefinedNameThatIsABlock) {
  std::string out = parseErrors(R"(block blk(x) {
  return fake_relu(x)
}
model m {
  input x: [N, 4]
  output y = fake_relu(blk)
})");
  EXPECT_NE(out.find("m.nn:6:24: error: use of undefined layer 'blk'; 'blk' is a block, call it "
                     "as blk(...)"),
            std::string::npos)
      << out;
}

} // namespace
} // namespace netc
