#include "compiler/lower/AutoSchedule.h"

#include <Halide.h>

#include <llvm/Support/FileSystem.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include <unistd.h>

// The plugin paths come from CMake (find_file in Halide's lib dir); an empty
// string means the plugin was not installed when netc was built.
#ifndef NETC_AUTOSCHEDULE_ADAMS2019_PLUGIN
#define NETC_AUTOSCHEDULE_ADAMS2019_PLUGIN ""
#endif
#ifndef NETC_AUTOSCHEDULE_MULLAPUDI2016_PLUGIN
#define NETC_AUTOSCHEDULE_MULLAPUDI2016_PLUGIN ""
#endif
#ifndef NETC_AUTOSCHEDULE_LI2018_PLUGIN
#define NETC_AUTOSCHEDULE_LI2018_PLUGIN ""
#endif

namespace netc {

namespace {

struct SchedulerInfo {
  Scheduler scheduler;
  const char *name;       // netc's name (the --autoschedule= value)
  const char *halideName; // the name the plugin registers with Halide
  const char *plugin;     // path found at build time
};

const SchedulerInfo kSchedulers[] = {
    {Scheduler::Netc, "netc", "", ""},
    {Scheduler::Adams2019, "adams2019", "Adams2019", NETC_AUTOSCHEDULE_ADAMS2019_PLUGIN},
    {Scheduler::Mullapudi2016, "mullapudi2016", "Mullapudi2016",
     NETC_AUTOSCHEDULE_MULLAPUDI2016_PLUGIN},
    {Scheduler::Li2018, "li2018", "Li2018", NETC_AUTOSCHEDULE_LI2018_PLUGIN},
};

const SchedulerInfo &info(Scheduler scheduler) {
  for (const SchedulerInfo &i : kSchedulers)
    if (i.scheduler == scheduler)
      return i;
  return kSchedulers[0];
}

/// Bytes of the last-level cache, for MachineParams: what the OS reports, at
/// most 32 MiB (virtual machines report the L3 of every socket together — 508
/// MiB on the project's 2-core EPYC VM — while a core reaches one CCX's L3),
/// or Halide's generic 16 MiB if the OS does not say.
uint64_t lastLevelCacheBytes() {
  for (int name : {_SC_LEVEL3_CACHE_SIZE, _SC_LEVEL2_CACHE_SIZE}) {
    long bytes = sysconf(name);
    if (bytes > 0)
      return std::min<uint64_t>((uint64_t)bytes, 32ull << 20);
  }
  return 16ull << 20;
}

/// Every Func of the pipeline (the outputs and all they call).
std::map<std::string, Halide::Internal::Function> pipelineFunctions(const Halide::Pipeline &p) {
  std::vector<Halide::Internal::Function> outputs;
  for (const Halide::Func &f : p.outputs())
    outputs.push_back(f.function());
  return Halide::Internal::build_environment(outputs);
}

/// Adams2019 stores some producers outside the loop they are computed in
/// (store_at an outer reduction loop, compute_at an inner one), and Halide 14's
/// sliding-window pass miscompiles some of those nests: a padded conv input
/// stored at r.z and computed at r.x with an output-column loop between them
/// reads uninitialized values (reproduced with plain Halide 14; upstream reports
/// of the same kind: halide/Halide#7891, #8140).
/// Storing every Func where it is computed turns sliding window and storage
/// folding off — results never depend on them — and keeps the rest of the
/// schedule.
void storeWhereComputed(Halide::Pipeline &pipeline) {
  for (auto &[name, function] : pipelineFunctions(pipeline))
    function.schedule().store_level() = function.schedule().compute_level();
}

/// Halide 14 cannot generate a vectorized atomic store with a tail guard
/// ("Atomic predicated store is not supported", halide/Halide#8280, fixed
/// upstream in 2024), yet Li2018 schedules reductions over a few outputs (a dense
/// layer's 10 units) exactly so: atomic, parallel over the reduction, and
/// vectorized with GuardWithIf. Such update stages run as scalar loops instead;
/// every other directive of the schedule stays.
void scalarizeAtomicUpdates(Halide::Pipeline &pipeline) {
  for (auto &[name, function] : pipelineFunctions(pipeline))
    for (size_t u = 0; u < function.updates().size(); ++u) {
      Halide::Internal::StageSchedule &schedule = function.update((int)u).schedule();
      if (!schedule.atomic())
        continue;
      for (Halide::Internal::Dim &dim : schedule.dims())
        if (dim.for_type == Halide::Internal::ForType::Vectorized)
          dim.for_type = Halide::Internal::ForType::Serial;
    }
}

std::mutex &autoscheduleMutex() {
  static std::mutex mutex;
  return mutex;
}

} // namespace

bool parseScheduler(const std::string &name, Scheduler &scheduler, std::string &error) {
  for (const SchedulerInfo &i : kSchedulers)
    if (i.scheduler != Scheduler::Netc && llvm::StringRef(name).equals_insensitive(i.name)) {
      scheduler = i.scheduler;
      return true;
    }
  error = "unknown autoscheduler '" + name + "' (expected adams2019, mullapudi2016 or li2018)";
  return false;
}

const char *schedulerName(Scheduler scheduler) { return info(scheduler).name; }

std::string schedulerPluginPath(Scheduler scheduler) {
  const SchedulerInfo &i = info(scheduler);
  if (scheduler == Scheduler::Netc)
    return "";
  const char *dir = std::getenv("NETC_AUTOSCHEDULER_DIR");
  if (dir && *dir)
    return std::string(dir) + "/libautoschedule_" + i.name + ".so";
  return i.plugin;
}

bool loadScheduler(Scheduler scheduler, DiagnosticEngine &diags) {
  if (scheduler == Scheduler::Netc)
    return true;
  // Halide registers a plugin's autoscheduler when the library is loaded; a
  // second load would register the name twice, so each is loaded once.
  static std::mutex mutex;
  static std::map<Scheduler, std::string> outcome; // "" = loaded, else the error
  std::lock_guard<std::mutex> lock(mutex);
  auto it = outcome.find(scheduler);
  if (it == outcome.end()) {
    const SchedulerInfo &i = info(scheduler);
    std::string path = schedulerPluginPath(scheduler), error;
    if (path.empty())
      error = std::string("the ") + i.halideName +
              " autoscheduler plugin (libautoschedule_" + i.name +
              ".so) was not found when netc was built; install libhalide14-0-dev and "
              "reconfigure netc";
    else if (!llvm::sys::fs::exists(path))
      error = std::string("the ") + i.halideName + " autoscheduler plugin '" + path +
              "' is missing" +
              (std::getenv("NETC_AUTOSCHEDULER_DIR") ? " (NETC_AUTOSCHEDULER_DIR is set)"
                                                     : "; reinstall libhalide14-0-dev");
    else {
      try {
        Halide::load_plugin(path);
      } catch (const Halide::Error &e) {
        llvm::StringRef why = llvm::StringRef(e.what()).trim();
        why.consume_front("Error: ");
        error = std::string("cannot load the ") + i.halideName + " autoscheduler plugin '" +
                path + "': " + why.str();
      }
    }
    it = outcome.emplace(scheduler, error).first;
  }
  if (!it->second.empty()) {
    diags.error(llvm::StringRef(), it->second);
    return false;
  }
  return true;
}

void applyAutoScheduler(Halide::Pipeline &pipeline, Scheduler scheduler,
                        const Halide::Target &target, int threads) {
  if (threads <= 0)
    threads = (int)std::max(1u, std::thread::hardware_concurrency());
  // Halide's generic balance (cost of a load from the LLC vs. an arithmetic op).
  Halide::MachineParams params(threads, lastLevelCacheBytes(), 40.0f);
  std::lock_guard<std::mutex> lock(autoscheduleMutex());
  pipeline.auto_schedule(info(scheduler).halideName, target, params);
  storeWhereComputed(pipeline);
  if (scheduler == Scheduler::Li2018)
    scalarizeAtomicUpdates(pipeline);
}

} // namespace netc
