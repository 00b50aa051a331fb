/*
 * Validation of caller-supplied tensors against a model's signature.
 *
 * Generated entry points call netc_rt_check_tensor once per input and output
 * before running any kernel, threading one `batch` variable through the
 * calls so that all tensors agree on the symbolic batch dim N. Every message
 * names the tensor and shows both shapes, because the caller usually has
 * several tensors of similar shape and needs to know which one is wrong.
 */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>

/* Room for a rank-8 shape of 19-digit dims: "[" + 8 * 20 + "]" < 192. */
#define SHAPE_TEXT_CAPACITY 192

/* Halide indexes buffers with 32-bit extents and strides (netc does not
 * compile with the large_buffers feature), so larger tensors cannot be
 * passed to a kernel. */
#define MAX_KERNEL_ELEMENTS INT32_MAX

/* Reports a tensor whose dims differ from the expected ones. */
static netc_status shape_mismatch(const netc_tensor *t, const char *what, int32_t rank,
                                  const int64_t *expected, int64_t known_batch) {
  char expected_text[SHAPE_TEXT_CAPACITY], actual_text[SHAPE_TEXT_CAPACITY];
  netc_rti_format_shape(expected_text, sizeof expected_text, rank, expected, 1);
  netc_rti_format_shape(actual_text, sizeof actual_text, t->rank, t->shape, 0);
  if (t->rank != rank)
    return netc_rt_fail(NETC_ERROR_SHAPE_MISMATCH,
                        "%s: expected shape %s (rank %d), got %s (rank %d)", what,
                        expected_text, (int)rank, actual_text, (int)t->rank);
  if (known_batch != -1)
    return netc_rt_fail(NETC_ERROR_SHAPE_MISMATCH,
                        "%s: expected shape %s (N = %" PRId64 " from earlier tensors), got %s",
                        what, expected_text, known_batch, actual_text);
  return netc_rt_fail(NETC_ERROR_SHAPE_MISMATCH, "%s: expected shape %s, got %s", what,
                      expected_text, actual_text);
}

netc_status netc_rt_check_tensor(const netc_tensor *t, const char *what, int32_t rank,
                                 const int64_t *expected, int64_t *batch) {
  if (what == NULL)
    what = "tensor";
  /* A bad signature is a bug in the generated code, not in the caller's
   * tensor; say so rather than blame the tensor. */
  if (rank < 0 || rank > NETC_MAX_RANK || (rank > 0 && expected == NULL))
    return netc_rt_fail(NETC_ERROR_INVALID_ARGUMENT,
                        "%s: invalid expected rank %d (internal error in generated code)", what,
                        (int)rank);

  /* Malformed descriptors first: nothing else about them is meaningful. */
  if (t == NULL)
    return netc_rt_fail(NETC_ERROR_INVALID_ARGUMENT, "%s: tensor is NULL", what);
  if (t->dtype != NETC_F32)
    return netc_rt_fail(NETC_ERROR_INVALID_ARGUMENT,
                        "%s: expected dtype f32 (NETC_F32), got dtype code %d", what,
                        (int)t->dtype);
  if (t->rank < 0 || t->rank > NETC_MAX_RANK)
    return netc_rt_fail(NETC_ERROR_INVALID_ARGUMENT, "%s: rank %d is outside [0, %d]", what,
                        (int)t->rank, NETC_MAX_RANK);
  if (t->data == NULL)
    return netc_rt_fail(NETC_ERROR_INVALID_ARGUMENT, "%s: data is NULL", what);

  const int64_t known_batch = batch != NULL ? *batch : -1;
  if (t->rank != rank)
    return shape_mismatch(t, what, rank, expected, known_batch);

  /* Bind N locally and publish it only once the whole tensor checks out, so
   * that a rejected tensor does not constrain the next call's tensors. */
  int64_t bound_batch = known_batch;
  for (int32_t i = 0; i < rank; ++i) {
    const int64_t actual = t->shape[i];
    if (expected[i] != -1) {
      if (actual != expected[i])
        return shape_mismatch(t, what, rank, expected, known_batch);
      continue;
    }
    if (actual < 1) {
      char actual_text[SHAPE_TEXT_CAPACITY];
      netc_rti_format_shape(actual_text, sizeof actual_text, t->rank, t->shape, 0);
      return netc_rt_fail(NETC_ERROR_SHAPE_MISMATCH,
                          "%s: batch dim N must be at least 1, got %" PRId64 " in shape %s",
                          what, actual, actual_text);
    }
    if (bound_batch == -1)
      bound_batch = actual;
    else if (actual != bound_batch)
      return shape_mismatch(t, what, rank, expected, known_batch);
  }

  const int64_t elements = netc_tensor_num_elements(t);
  if (elements < 0 || elements > MAX_KERNEL_ELEMENTS) {
    char actual_text[SHAPE_TEXT_CAPACITY];
    netc_rti_format_shape(actual_text, sizeof actual_text, t->rank, t->shape, 0);
    return netc_rt_fail(NETC_ERROR_INVALID_ARGUMENT,
                        "%s: shape %s has too many elements (kernels support at most %d)", what,
                        actual_text, MAX_KERNEL_ELEMENTS);
  }

  if (batch != NULL)
    *batch = bound_batch;
  return NETC_OK;
}
