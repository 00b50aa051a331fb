// One diagnostics engine for every netc component. Errors that point into source
// text (DSL, textual IR) print as `file:line:col: error: msg` plus the source line
// and a caret, courtesy of llvm::SourceMgr; errors about files without a source
// position (weights, npy, ONNX) print as `file: error: msg`.
#pragma once

#include <llvm/Support/SMLoc.h>
#include <llvm/Support/SourceMgr.h>

#include <string>

namespace netc {

class DiagnosticEngine {
public:
  explicit DiagnosticEngine(llvm::SourceMgr &sourceMgr);
  DiagnosticEngine();

  llvm::SourceMgr &sourceMgr() { return *sm_; }
  /// The name plain diagnostics start with when they have no file ("netc",
  /// "netc-opt"); set once by each tool.
  static void setToolName(const std::string &name);

  void error(llvm::SMLoc loc, const llvm::Twine &message,
             llvm::ArrayRef<llvm::SMRange> ranges = {});
  void warning(llvm::SMLoc loc, const llvm::Twine &message);
  void note(llvm::SMLoc loc, const llvm::Twine &message);
  void remark(llvm::SMLoc loc, const llvm::Twine &message);
  void remark(llvm::StringRef origin, const llvm::Twine &message);
  /// An error about something that has no source position, e.g. a weight file.
  /// `origin` names what it is about (usually a path); may be empty.
  void error(llvm::StringRef origin, const llvm::Twine &message);
  void note(llvm::StringRef origin, const llvm::Twine &message);

  /// Optimization remarks (`--remarks`) are dropped unless enabled.
  void setRemarksEnabled(bool enabled) { remarksEnabled_ = enabled; }
  bool remarksEnabled() const { return remarksEnabled_; }

  unsigned errorCount() const { return errors_; }
  bool hadError() const { return errors_ != 0; }
  /// Stop reporting (but keep counting) after this many errors, like clang's -ferror-limit.
  void setErrorLimit(unsigned limit) { errorLimit_ = limit; }

private:
  void emit(llvm::SMLoc loc, llvm::SourceMgr::DiagKind kind, const llvm::Twine &message,
            llvm::ArrayRef<llvm::SMRange> ranges);
  void emitPlain(llvm::StringRef origin, llvm::SourceMgr::DiagKind kind,
                 const llvm::Twine &message);
  bool overLimit();

  llvm::SourceMgr ownSourceMgr_;
  llvm::SourceMgr *sm_;
  unsigned errors_ = 0;
  unsigned errorLimit_ = 20;
  bool limitReported_ = false;
  bool remarksEnabled_ = false;
};

/// Thrown only inside a component to unwind after an error was reported through the
/// engine; never escapes a public entry point.
struct ReportedError {};

} // namespace netc
