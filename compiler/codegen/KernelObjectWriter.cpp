#include "compiler/codegen/KernelObjectWriter.h"

#include <Halide.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>

#include <stdexcept>

namespace netc {

namespace {

/// llvm.prefetch's locality operand: 0 is non-temporal, 3 keeps the line in
/// every level of cache.
constexpr int kKeepInAllLevels = 3;

/// Halide 14's runtime prefetch is `__builtin_prefetch(p, 0, 0)`, a
/// non-temporal hint: on x86 `prefetchnta`, which fills one way of L1 and
/// skips L2, so a line prefetched a chunk ahead is often evicted before it is
/// read and then comes from L3. netc's schedules prefetch what they read
/// within microseconds: kept in every level, vgg16.stage4 at batch 1 ran 6.12
/// -> 5.67 ms (AVX-512 Xeon; stage5 1.57 -> 1.59), and a Winograd product
/// prefetching its next weights 2.05 -> 0.61 ms (resnet18.layer4 at batch 1,
/// a schedule not kept).
void keepPrefetchesCached(llvm::Module &module) {
  for (llvm::Function &function : module)
    for (llvm::BasicBlock &block : function)
      for (llvm::Instruction &instruction : block)
        if (auto *call = llvm::dyn_cast<llvm::IntrinsicInst>(&instruction);
            call && call->getIntrinsicID() == llvm::Intrinsic::prefetch)
          call->setArgOperand(
              2, llvm::ConstantInt::get(call->getArgOperand(2)->getType(), kKeepInAllLevels));
}

void writeWith(const std::string &path,
               void (*write)(llvm::Module &, Halide::Internal::LLVMOStream &),
               llvm::Module &module) {
  if (path.empty())
    return;
  std::error_code ec;
  llvm::raw_fd_ostream stream(path, ec);
  if (ec)
    throw std::runtime_error("cannot write '" + path + "': " + ec.message());
  write(module, stream);
}

} // namespace

void compileKernelModule(const Halide::Module &module, const KernelArtifacts &artifacts) {
  if (!artifacts.stmt.empty())
    module.compile({{Halide::OutputFileType::stmt, artifacts.stmt}});
  if (artifacts.object.empty() && artifacts.assembly.empty() && artifacts.llvmAssembly.empty())
    return;
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule = Halide::compile_module_to_llvm_module(module, context);
  keepPrefetchesCached(*llvmModule);
  writeWith(artifacts.llvmAssembly, Halide::compile_llvm_module_to_llvm_assembly, *llvmModule);
  writeWith(artifacts.assembly, Halide::compile_llvm_module_to_assembly, *llvmModule);
  writeWith(artifacts.object, Halide::compile_llvm_module_to_object, *llvmModule);
}

} // namespace netc
