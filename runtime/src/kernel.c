/*
 * Glue between generated entry points and Halide AOT kernels: describing
 * tensors as halide_buffer_t, and turning Halide's error codes and messages
 * into netc statuses.
 */
#include "internal.h"

#include <HalideRuntime.h>

#include <string.h>

void netc_rt_make_buffer(struct halide_buffer_t *buf, struct halide_dimension_t *dims, float *data,
                         int32_t rank, const int64_t *shape) {
  memset(buf, 0, sizeof *buf);
  buf->host = (uint8_t *)data;
  buf->type.code = halide_type_float;
  buf->type.bits = 32;
  buf->type.lanes = 1;
  buf->dimensions = rank;
  buf->dim = dims;
  /* Halide's dim 0 is the innermost (unit-stride) one, so the row-major shape
   * is walked back to front. Extents and strides are 32-bit in Halide;
   * netc_rt_check_tensor has already rejected tensors that do not fit. */
  int64_t stride = 1;
  for (int32_t i = 0; i < rank; ++i) {
    const int64_t extent = shape[rank - 1 - i];
    dims[i].min = 0;
    dims[i].extent = (int32_t)extent;
    dims[i].stride = (int32_t)stride;
    dims[i].flags = 0;
    stride *= extent;
  }
}

/* Short names of the Halide error codes a netc kernel can plausibly raise.
 * The full message, when Halide produced one, says more. */
static const char *halide_error_name(int code) {
  switch (code) {
  case halide_error_code_generic_error:
    return "generic error";
  case halide_error_code_explicit_bounds_too_small:
    return "explicit bounds too small";
  case halide_error_code_bad_type:
    return "bad buffer type";
  case halide_error_code_access_out_of_bounds:
    return "access out of bounds";
  case halide_error_code_buffer_allocation_too_large:
    return "buffer allocation too large";
  case halide_error_code_buffer_extents_too_large:
    return "buffer extents too large";
  case halide_error_code_constraint_violated:
    return "buffer constraint violated";
  case halide_error_code_out_of_memory:
    return "out of memory";
  case halide_error_code_buffer_argument_is_null:
    return "buffer argument is NULL";
  case halide_error_code_device_malloc_failed:
    return "device malloc failed";
  case halide_error_code_device_run_failed:
    return "device run failed";
  case halide_error_code_copy_to_host_failed:
    return "copy to host failed";
  case halide_error_code_copy_to_device_failed:
    return "copy to device failed";
  case halide_error_code_no_device_interface:
    return "no device interface";
  case halide_error_code_unaligned_host_ptr:
    return "unaligned host pointer";
  case halide_error_code_host_is_null:
    return "host pointer is NULL";
  case halide_error_code_bad_dimensions:
    return "bad buffer dimensions";
  default:
    return NULL;
  }
}

netc_status netc_rt_kernel_error(int halide_error, const char *kernel) {
  const char *detail = netc_rti_take_halide_message();
  if (halide_error == 0)
    return NETC_OK;
  if (kernel == NULL)
    kernel = "<unnamed>";
  const netc_status status = halide_error == halide_error_code_out_of_memory
                                 ? NETC_ERROR_OUT_OF_MEMORY
                                 : NETC_ERROR_KERNEL_FAILED;
  const char *name = halide_error_name(halide_error);
  if (detail[0] != '\0')
    return netc_rt_fail(status, "kernel '%s' failed: %s (Halide error %d)", kernel, detail,
                        halide_error);
  if (name != NULL)
    return netc_rt_fail(status, "kernel '%s' failed: %s (Halide error %d)", kernel, name,
                        halide_error);
  return netc_rt_fail(status, "kernel '%s' failed with Halide error %d", kernel, halide_error);
}

/* Halide's default handler prints to stderr. A library that reports errors
 * through status codes should not write to the app's stderr, so netc keeps
 * the message for netc_rt_kernel_error instead. Messages raised on Halide's
 * worker threads land in those threads' buffers and are not seen; the error
 * code still is. */
static void capture_halide_error(void *user_context, const char *message) {
  (void)user_context;
  netc_rti_set_halide_message(message != NULL ? message : "");
}

/* Installed at load time, before any kernel can run: this file is linked into
 * every program that links a netc model, because generated code calls
 * netc_rt_make_buffer. An app that installs its own handler later wins, and
 * netc then falls back to messages built from the error code. The same goes
 * for netc's thread pool. */
__attribute__((constructor)) static void install_halide_hooks(void) {
  halide_set_error_handler(capture_halide_error);
  netc_rti_install_thread_pool();
}
