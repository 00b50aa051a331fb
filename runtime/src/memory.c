/*
 * Scratch memory for activations: aligned so that kernels can use full-width
 * aligned vector loads and stores on every target netc supports (64 bytes is
 * one AVX-512 register and one cache line).
 */
#include "internal.h"

#include <stdlib.h>

#define NETC_RTI_ALIGNMENT 64

void *netc_rt_alloc(size_t bytes) {
  void *p = NULL;
  /* posix_memalign rather than C11 aligned_alloc: the latter requires the
   * size to be a multiple of the alignment. Zero-byte requests still get a
   * distinct non-NULL block so that NULL always means failure. */
  if (posix_memalign(&p, NETC_RTI_ALIGNMENT, bytes != 0 ? bytes : 1) != 0) {
    netc_rt_fail(NETC_ERROR_OUT_OF_MEMORY, "cannot allocate %zu bytes of scratch memory", bytes);
    return NULL;
  }
  return p;
}

void netc_rt_free(void *p) { free(p); }
