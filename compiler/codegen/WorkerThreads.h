#pragma once
// Runs independent jobs (one per kernel) on worker threads, each thread taking
// the next job until none is left.

#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace netc {

class WorkerThreads {
public:
  /// Starts up to `threads` workers (0: one per core) on jobs 0 .. count-1;
  /// `job(i)` must not throw. Returns at once.
  WorkerThreads(size_t count, unsigned threads, std::function<void(size_t)> job);
  ~WorkerThreads() { wait(); }
  WorkerThreads(const WorkerThreads &) = delete;
  WorkerThreads &operator=(const WorkerThreads &) = delete;

  /// Joins the workers, then runs on this thread whatever job none took (all
  /// of them where no thread could be started).
  void wait();

private:
  void runRemaining();

  const size_t count_;
  const std::function<void(size_t)> job_;
  std::atomic<size_t> next_{0};
  std::vector<std::thread> workers_;
};

} // namespace netc
