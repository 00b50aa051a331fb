/*
 * Thread-count control. netc kernels run on Halide's thread pool, which is
 * embedded once in libnetc_runtime and shared by every compiled model in the
 * process, so the setting is process-wide.
 */
#include "internal.h"

#include <HalideRuntime.h>

#include <pthread.h>

/* Halide has a setter that returns the previous value but no getter, so
 * reading the count means setting it and putting it back. The lock keeps
 * netc's own set and get from interleaving into a lost update. */
static pthread_mutex_t thread_count_lock = PTHREAD_MUTEX_INITIALIZER;

void netc_set_num_threads(int threads) {
  /* Halide maps 0 to its default (HL_NUM_THREADS if set, else the number of
   * cores) and clamps to [1, 256]; a negative count is a Halide error, so it
   * is treated as 0. */
  if (threads < 0)
    threads = 0;
  pthread_mutex_lock(&thread_count_lock);
  halide_set_num_threads(threads);
  pthread_mutex_unlock(&thread_count_lock);
}

int netc_get_num_threads(void) {
  pthread_mutex_lock(&thread_count_lock);
  int current = halide_set_num_threads(0);
  if (current == 0) {
    /* Never set, and the pool has not started: the pool would use the
     * default, which the call above has just installed; read it back. */
    current = halide_set_num_threads(0);
  } else {
    halide_set_num_threads(current);
  }
  pthread_mutex_unlock(&thread_count_lock);
  return current;
}
