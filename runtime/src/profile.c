/*
 * The clock behind `netc compile --profile`: generated entry points read it
 * around each kernel call and add up the time per kernel.
 */
#include "internal.h"

#include <time.h>

int64_t netc_rt_now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}
