/*
 * Fixed, human-readable names for netc_status codes.
 */
#include "netc/runtime.h"

const char *netc_status_string(netc_status status) {
  switch (status) {
  case NETC_OK:
    return "ok";
  case NETC_ERROR_INVALID_ARGUMENT:
    return "invalid argument";
  case NETC_ERROR_SHAPE_MISMATCH:
    return "shape mismatch";
  case NETC_ERROR_OUT_OF_MEMORY:
    return "out of memory";
  case NETC_ERROR_KERNEL_FAILED:
    return "kernel failed";
  case NETC_ERROR_IO:
    return "I/O error";
  }
  /* Not a default label, so that -Wswitch flags a new enumerator above. */
  return "unknown status";
}
