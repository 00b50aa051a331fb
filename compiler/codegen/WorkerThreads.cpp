#include "compiler/codegen/WorkerThreads.h"

#include <algorithm>
#include <system_error>

namespace netc {

WorkerThreads::WorkerThreads(size_t count, unsigned threads, std::function<void(size_t)> job)
    : count_(count), job_(std::move(job)) {
  if (threads == 0)
    threads = std::max(1u, std::thread::hardware_concurrency());
  for (size_t t = 0; t < std::min<size_t>(threads, count_); ++t) {
    try {
      workers_.emplace_back([this] { runRemaining(); });
    } catch (const std::system_error &) {
      break; // no more threads: wait() runs what is left
    }
  }
}

void WorkerThreads::runRemaining() {
  for (size_t i; (i = next_++) < count_;)
    job_(i);
}

void WorkerThreads::wait() {
  for (std::thread &worker : workers_)
    worker.join();
  workers_.clear();
  runRemaining();
}

} // namespace netc
