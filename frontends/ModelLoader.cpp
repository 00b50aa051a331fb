#include "frontends/ModelLoader.h"
#include "frontends/dsl/DslParser.h"
#include "ir/IRParser.h"
#include "ir/Verifier.h"

#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>

namespace netc {

const char *supportedModelExtensions() { return ".nn (netc DSL), .ir (graph IR)"; }

std::unique_ptr<Graph> loadModel(const std::string &path, DiagnosticEngine &diags) {
  llvm::StringRef ext = llvm::sys::path::extension(path);
  if (ext != ".nn" && ext != ".ir") {
    diags.error(path, llvm::Twine("unknown model format '") + ext + "'; netc reads " +
                          supportedModelExtensions());
    return nullptr;
  }
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
  if (!buffer) {
    diags.error(path, "cannot read model: " + buffer.getError().message());
    return nullptr;
  }
  unsigned id = diags.sourceMgr().AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
  std::unique_ptr<Graph> graph =
      ext == ".nn" ? parseModelDsl(id, diags) : parseGraphIR(id, diags);
  if (!graph || !verifyGraph(*graph, diags))
    return nullptr;
  return graph;
}

} // namespace netc
