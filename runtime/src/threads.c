/*
 * Thread-count control. netc kernels run their parallel loops on netc's pool
 * (thread_pool.c), which is embedded once in libnetc_runtime and shared by
 * every compiled model in the process, so the setting is process-wide.
 */
#include "internal.h"

#include <HalideRuntime.h>

void netc_set_num_threads(int threads) {
  /* Negative counts as 0, the default; the pool clamps to [1, 256]. */
  if (threads < 0)
    threads = 0;
  netc_rti_pool_set_threads(threads);
  /* Halide's own pool still runs what netc's does not replace (async
   * pipelines); keep it at the same size. */
  halide_set_num_threads(netc_rti_pool_threads());
}

int netc_get_num_threads(void) { return netc_rti_pool_threads(); }
