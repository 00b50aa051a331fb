// The DSL's view of the DiagnosticEngine: while a block is being instantiated,
// every error found in its body is followed by one note per enclosing call,
// innermost first:
//
//   m.nn:4:11: error: conv2d: input has 3 channels but ...
//     conv1 = conv2d(x, channels, kernel=3, stride=stride, pad=1, bias=false)
//             ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
//   m.nn:12:12: note: in block 'basic' called here (instance 'layer1.0')
//
// and an error already reported at the same place with the same text (the same
// mistake reached through another instance of the block) is reported only once.
#pragma once

#include "ir/Diagnostics.h"

#include <llvm/ADT/ArrayRef.h>
#include <llvm/ADT/Twine.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace netc::dsl {

class DslDiagnostics {
public:
  explicit DslDiagnostics(DiagnosticEngine &engine) : engine_(engine) {}

  DiagnosticEngine &engine() { return engine_; }
  unsigned errorCount() const { return engine_.errorCount(); }

  void error(llvm::SMLoc loc, const llvm::Twine &message,
             llvm::ArrayRef<llvm::SMRange> ranges = {});
  /// A note about the last error (e.g. "first given here"); it is printed before
  /// the notes naming the block calls.
  void note(llvm::SMLoc loc, const llvm::Twine &message);

  /// Entering and leaving the body of a block called at `callLoc`.
  void pushInstance(std::string block, llvm::SMLoc callLoc, std::string instance);
  void popInstance();
  /// Prints the call notes still owed to the last error.
  void flush();

private:
  struct Frame {
    std::string block;
    llvm::SMLoc callLoc;
    std::string instance;
  };

  DiagnosticEngine &engine_;
  std::vector<Frame> stack_;
  std::vector<Frame> pending_; // the stack at the last error, owed as notes
  std::set<std::pair<const char *, std::string>> reported_;
  bool suppressing_ = false; // the last error was a repeat: drop its notes too
};

} // namespace netc::dsl
