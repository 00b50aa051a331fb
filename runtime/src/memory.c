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

/* A cached block starts with a header that records its capacity; the arena
 * handed out begins one alignment unit later so it stays 64-byte aligned. */
static size_t netc_rti_capacity(void *block) { return *(size_t *)block; }

void *netc_rt_arena_acquire(netc_rt_arena_cache *cache, size_t bytes) {
  void *block = __atomic_exchange_n(&cache->block, NULL, __ATOMIC_ACQ_REL);
  if (block && netc_rti_capacity(block) < bytes) {
    free(block);
    block = NULL;
  }
  if (!block) {
    block = bytes <= (size_t)-1 - NETC_RTI_ALIGNMENT ? netc_rt_alloc(NETC_RTI_ALIGNMENT + bytes)
                                                     : NULL;
    if (!block) {
      netc_rt_fail(NETC_ERROR_OUT_OF_MEMORY, "cannot allocate %zu bytes of activations", bytes);
      return NULL;
    }
    *(size_t *)block = bytes;
  }
  return (char *)block + NETC_RTI_ALIGNMENT;
}

void netc_rt_arena_release(netc_rt_arena_cache *cache, void *arena) {
  if (!arena)
    return;
  void *block = (char *)arena - NETC_RTI_ALIGNMENT;
  /* Two calls that ran at once return two blocks; the cache keeps the later. */
  void *previous = __atomic_exchange_n(&cache->block, block, __ATOMIC_ACQ_REL);
  free(previous);
}
