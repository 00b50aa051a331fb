#include "frontends/weights/FileIO.h"

#include <llvm/Support/FileSystem.h>

namespace netc {

std::unique_ptr<llvm::MemoryBuffer> readWholeFile(const std::string &path,
                                                  DiagnosticEngine &diags) {
  // Weight files can be large: no null terminator lets LLVM mmap them.
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    diags.error(path, "cannot read file: " + buffer.getError().message());
    return nullptr;
  }
  return std::move(*buffer);
}

bool writeWholeFile(const std::string &path, DiagnosticEngine &diags,
                    llvm::function_ref<void(llvm::raw_ostream &)> write) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    diags.error(path, "cannot open file for writing: " + ec.message());
    return false;
  }
  write(os);
  os.close();
  if (os.has_error()) {
    diags.error(path, "cannot write file: " + os.error().message());
    // raw_fd_ostream aborts in its destructor on an unacknowledged error.
    os.clear_error();
    return false;
  }
  return true;
}

} // namespace netc
