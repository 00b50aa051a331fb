#include "compiler/codegen/HostTarget.h"

#include "compiler/lower/KernelBuilder.h"

#include <Halide.h>

namespace netc {
namespace {

struct NamedFeature {
  Halide::Target::Feature feature;
  const char *name;
};

// The instruction sets a CPU may lack; the other features of a target string
// (no_runtime, debug, ...) say how to compile, not what the CPU must have.
const NamedFeature kIsaFeatures[] = {
    {Halide::Target::SSE41, "sse41"},
    {Halide::Target::AVX, "avx"},
    {Halide::Target::AVX2, "avx2"},
    {Halide::Target::FMA, "fma"},
    {Halide::Target::F16C, "f16c"},
    {Halide::Target::AVX512, "avx512"},
    {Halide::Target::AVX512_KNL, "avx512_knl"},
    {Halide::Target::AVX512_Skylake, "avx512_skylake"},
    {Halide::Target::AVX512_Cannonlake, "avx512_cannonlake"},
    {Halide::Target::AVX512_SapphireRapids, "avx512_sapphirerapids"},
    {Halide::Target::ARMv7s, "armv7s"},
    {Halide::Target::ARMDotProd, "arm_dot_prod"},
    {Halide::Target::ARMFp16, "arm_fp16"},
    {Halide::Target::SVE, "sve"},
    {Halide::Target::SVE2, "sve2"},
};

} // namespace

bool targetRunsOnHost(const std::string &target, std::string &why) {
  Halide::Target wanted;
  if (!parseTarget(target, wanted, why))
    return false;
  const Halide::Target host = Halide::get_host_target();
  if (wanted.arch != host.arch || wanted.bits != host.bits || wanted.os != host.os) {
    Halide::Target bare(wanted.os, wanted.arch, wanted.bits);
    Halide::Target hostBare(host.os, host.arch, host.bits);
    why = "target '" + target + "' is for " + bare.to_string() + ", this machine is " +
          hostBare.to_string() + " (netc compile --target builds for other machines)";
    return false;
  }
  std::string missing;
  for (const NamedFeature &f : kIsaFeatures)
    if (wanted.has_feature(f.feature) && !host.has_feature(f.feature))
      missing += std::string(missing.empty() ? "" : ", ") + f.name;
  if (!missing.empty()) {
    why = "target '" + target + "' needs " + missing + ", which this CPU lacks";
    return false;
  }
  return true;
}

bool isKnownTarget(const std::string &target, std::string &error) {
  Halide::Target parsed;
  return parseTarget(target, parsed, error);
}

int targetVectorBits(const std::string &target) {
  Halide::Target t;
  std::string error;
  if (!parseTarget(target, t, error) || t.arch != Halide::Target::X86)
    return 0;
  // The width netc's schedules vectorize to (LowerContext::vectorWidth).
  return t.natural_vector_size<float>() * 32;
}

} // namespace netc
