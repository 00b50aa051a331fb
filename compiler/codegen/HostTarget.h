// Whether code for a Halide target can run on this machine, for the commands
// that run what they compile (`netc bench`, `netc run`). Kept free of Halide.h.
#pragma once

#include <string>

namespace netc {

/// True if code built for `target` ("host", "x86-64-linux-avx2", ...) runs
/// here: same architecture, bits and OS, and no instruction set this CPU
/// lacks. Otherwise false, with `why` saying what differs.
bool targetRunsOnHost(const std::string &target, std::string &why);

/// False if `target` is not a Halide target string netc knows, with `error`
/// the message run and compile give for it.
bool isKnownTarget(const std::string &target, std::string &error);

/// The widest float vector `target` compiles to on x86: 512 (AVX-512), 256
/// (AVX, AVX2) or 128 (SSE); 0 for other architectures or a bad target.
int targetVectorBits(const std::string &target);

} // namespace netc
