// Turns lowered Halide kernels into object code, with netc's adjustments to
// the LLVM module Halide generates.
#pragma once

#include <string>

namespace Halide {
class Module;
}

namespace netc {

/// Where compileKernelModule writes each artifact; an empty path skips it.
struct KernelArtifacts {
  std::string object, assembly, llvmAssembly, stmt;
};

/// Compiles `module` (kernels lowered for one target) to the artifacts asked
/// for. Between Halide's optimized LLVM module and the machine code, the
/// software prefetches Halide 14 emits as non-temporal (`prefetchnta`) become
/// prefetches into all cache levels: a schedule prefetches what its next
/// steps read, and a non-temporal line that misses L1 again comes from L3.
/// Throws Halide::Error when Halide fails, std::runtime_error when a file
/// cannot be written. (`netc run` compiles by Halide's JIT, without this.)
void compileKernelModule(const Halide::Module &module, const KernelArtifacts &artifacts);

} // namespace netc
