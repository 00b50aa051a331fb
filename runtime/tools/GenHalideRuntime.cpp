//===- GenHalideRuntime.cpp - Emit Halide's runtime as one object file ----===//
//
// Kernels compiled by netc use Halide's `no_runtime` target feature, so each
// kernel object refers to, but does not contain, Halide's runtime: the thread
// pool (halide_do_par_for), allocator (halide_malloc), error reporting, CPU
// feature detection, and so on. Embedding the runtime once in libnetc_runtime
// lets any number of compiled models share a single copy, and a single thread
// pool, in one process.
//
// Usage: GenHalideRuntime <output.o> [target]
//
// The target defaults to "host", which is also netc's default compile target.
// The runtime and the kernels must come from the same Halide build; which SIMD
// features the runtime itself is compiled with does not matter for
// compatibility, since kernels check CPU features at run time through
// halide_can_use_target_features.
//
//===----------------------------------------------------------------------===//

#include "Halide.h"

#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

namespace {

/// Parses `name` as a Halide target string; "host" means the build machine.
Halide::Target parseTarget(const std::string &name) {
  if (name == "host")
    return Halide::get_host_target();
  if (!Halide::Target::validate_target_string(name))
    throw std::runtime_error("invalid Halide target '" + name + "'");
  return Halide::Target(name);
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s <output.o> [halide-target]\n", argv[0]);
    return 2;
  }
  const std::string output = argv[1];
  const std::string targetName = argc == 3 ? argv[2] : "host";
  try {
    Halide::Target target = parseTarget(targetName);
    // A runtime built with no_runtime would be empty, and one built for JIT
    // use would expect the JIT's hooks; neither makes sense for AOT linking.
    target = target.without_feature(Halide::Target::NoRuntime)
                 .without_feature(Halide::Target::JIT);
    Halide::compile_standalone_runtime(output, target);
  } catch (const std::exception &e) {
    // Halide::Error derives from std::runtime_error (HALIDE_WITH_EXCEPTIONS).
    std::fprintf(stderr, "GenHalideRuntime: %s\n", e.what());
    return 1;
  }
  return 0;
}
