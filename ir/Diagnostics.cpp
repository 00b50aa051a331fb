#include "ir/Diagnostics.h"

#include <llvm/Support/WithColor.h>
#include <llvm/Support/raw_ostream.h>

namespace netc {

static std::string &toolName() {
  static std::string name = "netc";
  return name;
}
void DiagnosticEngine::setToolName(const std::string &name) { toolName() = name; }

DiagnosticEngine::DiagnosticEngine(llvm::SourceMgr &sourceMgr) : sm_(&sourceMgr) {}
DiagnosticEngine::DiagnosticEngine() : sm_(&ownSourceMgr_) {}

bool DiagnosticEngine::overLimit() {
  if (errorLimit_ == 0 || errors_ <= errorLimit_)
    return false;
  if (!limitReported_) {
    limitReported_ = true;
    llvm::WithColor::error(llvm::errs(), toolName())
        << "too many errors emitted, stopping now\n";
  }
  return true;
}

void DiagnosticEngine::emit(llvm::SMLoc loc, llvm::SourceMgr::DiagKind kind,
                            const llvm::Twine &message, llvm::ArrayRef<llvm::SMRange> ranges) {
  if (!loc.isValid() || sm_->FindBufferContainingLoc(loc) == 0) {
    emitPlain("", kind, message);
    return;
  }
  sm_->PrintMessage(llvm::errs(), loc, kind, message, ranges);
}

void DiagnosticEngine::emitPlain(llvm::StringRef origin, llvm::SourceMgr::DiagKind kind,
                                 const llvm::Twine &message) {
  llvm::SMDiagnostic diag(origin.empty() ? llvm::StringRef(toolName()) : origin, kind, message.str());
  diag.print(nullptr, llvm::errs());
}

void DiagnosticEngine::error(llvm::SMLoc loc, const llvm::Twine &message,
                             llvm::ArrayRef<llvm::SMRange> ranges) {
  ++errors_;
  if (!overLimit())
    emit(loc, llvm::SourceMgr::DK_Error, message, ranges);
}
void DiagnosticEngine::warning(llvm::SMLoc loc, const llvm::Twine &message) {
  emit(loc, llvm::SourceMgr::DK_Warning, message, {});
}
void DiagnosticEngine::note(llvm::SMLoc loc, const llvm::Twine &message) {
  if (!limitReported_)
    emit(loc, llvm::SourceMgr::DK_Note, message, {});
}
void DiagnosticEngine::remark(llvm::SMLoc loc, const llvm::Twine &message) {
  if (remarksEnabled_)
    emit(loc, llvm::SourceMgr::DK_Remark, message, {});
}
void DiagnosticEngine::remark(llvm::StringRef origin, const llvm::Twine &message) {
  if (remarksEnabled_)
    emitPlain(origin, llvm::SourceMgr::DK_Remark, message);
}
void DiagnosticEngine::error(llvm::StringRef origin, const llvm::Twine &message) {
  ++errors_;
  if (!overLimit())
    emitPlain(origin, llvm::SourceMgr::DK_Error, message);
}
void DiagnosticEngine::note(llvm::StringRef origin, const llvm::Twine &message) {
  if (!limitReported_)
    emitPlain(origin, llvm::SourceMgr::DK_Note, message);
}

} // namespace netc
