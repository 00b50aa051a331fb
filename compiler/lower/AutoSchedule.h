// Who schedules the kernels: netc's hand-written schedules (the default), or one
// of the autoschedulers Halide 14 ships as plugins (libhalide14-0-dev installs
// libautoschedule_{adams2019,mullapudi2016,li2018}.so). With an autoscheduler
// every op is lowered as its algorithm only (LowerContext::autoscheduled), the
// kernel's inputs and output get size estimates, and the plugin picks the
// schedule of the whole kernel pipeline.
#pragma once

#include "ir/Diagnostics.h"

#include <cstdint>
#include <string>

namespace Halide {
class Pipeline;
struct Target;
} // namespace Halide

namespace netc {

enum class Scheduler { Netc, Adams2019, Mullapudi2016, Li2018 };

/// What kernels are compiled with: the scheduler, and the batch size the
/// autoscheduler should optimize for when the batch dim is symbolic.
struct ScheduleOptions {
  Scheduler scheduler = Scheduler::Netc;
  /// Batch size estimate for the symbolic batch dim (autoschedulers only).
  int64_t batchEstimate = 1;
  /// Threads the code is planned for (the autoschedulers' MachineParams::parallelism,
  /// the task count of netc's batch-1 dense schedule); 0: one per core of this machine.
  int threads = 0;
  /// 0: schedule for the target's vector registers. 16 or 32: schedule as if
  /// the target had that many, so that another target's schedules (AVX-512's
  /// 32-register tiles) can be run and checked on a machine without it.
  int vectorRegisters = 0;
  /// 0: schedule for the target's vectors. 4, 8 or 16: schedule as if a
  /// vector held that many floats (with vectorRegisters = 32 and 16 lanes,
  /// AVX-512's schedules run, as wider Halide vectors, on an AVX2 machine).
  int vectorLanes = 0;
};

/// Parses an `--autoschedule=` value: adams2019, mullapudi2016 or li2018 (any
/// case). On an
/// unknown name returns false with `error` set to the message to report.
bool parseScheduler(const std::string &name, Scheduler &scheduler, std::string &error);

/// "netc", "adams2019", "mullapudi2016" or "li2018".
const char *schedulerName(Scheduler scheduler);

/// The scheduler's plugin: $NETC_AUTOSCHEDULER_DIR/libautoschedule_<name>.so
/// if that variable is set, else where CMake found it when netc was built (""
/// for Netc, or when the plugin was not installed).
std::string schedulerPluginPath(Scheduler scheduler);

/// Loads the scheduler's plugin into Halide, once per process (thread-safe).
/// Reports a missing plugin or a failed load through `diags`. True for Netc.
bool loadScheduler(Scheduler scheduler, DiagnosticEngine &diags);

/// Runs the (loaded) autoscheduler on `pipeline`, whose inputs and outputs carry
/// estimates, for `target`. Throws Halide::Error on failure. Autoscheduler runs
/// are serialized: the plugins are not documented to be reentrant.
void applyAutoScheduler(Halide::Pipeline &pipeline, Scheduler scheduler,
                        const Halide::Target &target, int threads);

} // namespace netc
