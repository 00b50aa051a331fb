/*
 * The netc_tensor descriptor: construction, size, and shape formatting.
 */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

netc_tensor netc_tensor_f32(float *data, int32_t rank, const int64_t *shape) {
  netc_tensor t;
  memset(&t, 0, sizeof t);
  t.data = data;
  t.dtype = NETC_F32;
  /* An out-of-range rank is kept as given, so that netc_rt_check_tensor can
   * report it, but only the dims that fit are copied. */
  t.rank = rank;
  if (shape != NULL && rank > 0) {
    int32_t copied = rank < NETC_MAX_RANK ? rank : NETC_MAX_RANK;
    memcpy(t.shape, shape, (size_t)copied * sizeof t.shape[0]);
  }
  return t;
}

int64_t netc_tensor_num_elements(const netc_tensor *t) {
  if (t == NULL || t->rank < 0 || t->rank > NETC_MAX_RANK)
    return -1;
  int64_t count = 1;
  for (int32_t i = 0; i < t->rank; ++i) {
    int64_t dim = t->shape[i];
    if (dim < 0)
      return -1;
    if (dim != 0 && count > INT64_MAX / dim)
      return -1; /* overflow: no real tensor is this large */
    count *= dim;
  }
  return count;
}

void netc_tensor_free_data(netc_tensor *t) {
  if (t == NULL)
    return;
  free(t->data);
  t->data = NULL;
}

char *netc_rti_format_shape(char *buf, size_t capacity, int32_t rank, const int64_t *shape,
                            int symbolic) {
  if (capacity == 0)
    return buf;
  size_t used = 0;
  buf[0] = '\0';
  /* snprintf returns the length it wanted; clamp so a truncated shape still
   * yields a terminated prefix and later appends become no-ops. */
#define NETC_APPEND(...)                                                                 \
  do {                                                                                   \
    if (used < capacity) {                                                               \
      int n = snprintf(buf + used, capacity - used, __VA_ARGS__);                        \
      used = n < 0 ? capacity : used + (size_t)n;                                        \
    }                                                                                    \
  } while (0)
  NETC_APPEND("[");
  for (int32_t i = 0; i < rank; ++i) {
    const char *separator = i == 0 ? "" : ",";
    if (symbolic && shape[i] == -1)
      NETC_APPEND("%sN", separator);
    else
      NETC_APPEND("%s%" PRId64, separator, shape[i]);
  }
  NETC_APPEND("]");
#undef NETC_APPEND
  return buf;
}
