#include "frontends/dsl/DslDiagnostics.h"

namespace netc::dsl {

void DslDiagnostics::error(llvm::SMLoc loc, const llvm::Twine &message,
                           llvm::ArrayRef<llvm::SMRange> ranges) {
  flush();
  suppressing_ = false;
  if (!stack_.empty()) {
    // The same mistake in a block body shows up once per instance: say it once.
    if (!reported_.insert({loc.getPointer(), message.str()}).second) {
      suppressing_ = true;
      return;
    }
    pending_ = stack_;
  }
  engine_.error(loc, message, ranges);
}

void DslDiagnostics::note(llvm::SMLoc loc, const llvm::Twine &message) {
  if (!suppressing_)
    engine_.note(loc, message);
}

void DslDiagnostics::pushInstance(std::string block, llvm::SMLoc callLoc, std::string instance) {
  flush();
  suppressing_ = false;
  stack_.push_back({std::move(block), callLoc, std::move(instance)});
}

void DslDiagnostics::popInstance() {
  flush();
  suppressing_ = false;
  stack_.pop_back();
}

void DslDiagnostics::flush() {
  for (auto frame = pending_.rbegin(); frame != pending_.rend(); ++frame)
    engine_.note(frame->callLoc, "in block '" + frame->block + "' called here (instance '" +
                                     frame->instance + "')");
  pending_.clear();
}

} // namespace netc::dsl
