// Turns one planned kernel step into a Halide pipeline whose arguments are the
// step's operand buffers, with every static extent and stride declared so Halide
// generates code specialized to the shapes.
#pragma once

#include "compiler/codegen/ExecutionPlan.h"
#include "compiler/lower/AutoSchedule.h"

#include <Halide.h>

#include <string>
#include <vector>

namespace netc {

struct HalideKernel {
  std::string name;
  Halide::Pipeline pipeline;
  std::vector<Halide::ImageParam> params; // one per step argument, in order

  std::vector<Halide::Argument> arguments() const {
    return std::vector<Halide::Argument>(params.begin(), params.end());
  }
};

/// Builds the kernel: netc's schedule, or with an autoscheduler the ops'
/// algorithms only, with estimates on every input and the output, scheduled by
/// the plugin (which loadScheduler must have loaded). Throws Halide::Error
/// (from Halide) on internal errors.
HalideKernel buildKernel(const KernelStep &step, const Halide::Target &target,
                         const ScheduleOptions &schedule = {});

/// The shape a kernel sees for `v`: flattened to one dim for flat steps.
std::vector<int64_t> kernelShape(const KernelStep &step, const Value *v, int64_t batch);

/// Parses a Halide target string ("host", "x86-64-linux-avx2", ...); false if invalid.
bool parseTarget(const std::string &text, Halide::Target &target, std::string &error);

} // namespace netc
