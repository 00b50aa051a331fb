/*
 * Per-thread diagnostic state.
 *
 * Compiled models are reentrant and may run concurrently on several threads,
 * so the detailed message of a failed call lives in thread-local storage: a
 * thread only ever sees the messages of its own calls, and no locking is
 * needed. The buffers have static storage, so reporting an error never
 * allocates (it may be reporting an allocation failure).
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last_error[NETC_RTI_MESSAGE_CAPACITY];

/* What Halide's runtime last reported on this thread (see kernel.c), and a
 * copy handed out by netc_rti_take_halide_message. The copy lets the taker
 * clear the pending message and still read it while formatting. */
static _Thread_local char halide_message[NETC_RTI_MESSAGE_CAPACITY];
static _Thread_local char taken_halide_message[NETC_RTI_MESSAGE_CAPACITY];

const char *netc_last_error(void) { return last_error; }

void netc_rt_clear_error(void) {
  last_error[0] = '\0';
  /* Generated entry points clear errors on entry; a Halide message left over
   * from an earlier call must not be blamed on a kernel of this one. */
  halide_message[0] = '\0';
}

netc_status netc_rt_fail(netc_status status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  /* vsnprintf truncates and always terminates; a cut-off message is better
   * than none. */
  vsnprintf(last_error, sizeof last_error, format, args);
  va_end(args);
  return status;
}

void netc_rti_set_halide_message(const char *message) {
  size_t length = strlen(message);
  /* Halide's messages end in a newline, which would look odd embedded in
   * ours. */
  while (length > 0 && (message[length - 1] == '\n' || message[length - 1] == '\r'))
    --length;
  if (length >= sizeof halide_message)
    length = sizeof halide_message - 1;
  memcpy(halide_message, message, length);
  halide_message[length] = '\0';
}

const char *netc_rti_take_halide_message(void) {
  memcpy(taken_halide_message, halide_message, sizeof halide_message);
  halide_message[0] = '\0';
  return taken_halide_message;
}
