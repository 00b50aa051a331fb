/*
 * netc runtime: the small C API that code compiled by netc links against.
 *
 * A compiled model `foo` ships as foo.h + libfoo.a (or libfoo.so). foo.h declares
 *
 *     netc_status foo_run(const netc_tensor *in0, ..., netc_tensor *out0, ...);
 *
 * Tensors are dense, row-major (NCHW for images) float32 arrays described by a
 * netc_tensor. The caller owns every buffer; the model checks every shape and
 * returns a status instead of crashing on a mismatch. A failed call leaves a
 * message for the calling thread in netc_last_error().
 */
#ifndef NETC_RUNTIME_H
#define NETC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NETC_MAX_RANK 8

typedef enum netc_status {
  NETC_OK = 0,
  NETC_ERROR_INVALID_ARGUMENT = 1, /* null pointer, bad rank, bad dtype */
  NETC_ERROR_SHAPE_MISMATCH = 2,   /* a tensor's shape differs from the model's */
  NETC_ERROR_OUT_OF_MEMORY = 3,
  NETC_ERROR_KERNEL_FAILED = 4,    /* a generated kernel reported an error */
  NETC_ERROR_IO = 5                /* file helpers: cannot read/write or bad format */
} netc_status;

typedef enum netc_dtype { NETC_F32 = 0 } netc_dtype;

typedef struct netc_tensor {
  void *data;                    /* rank-dimensional dense row-major array */
  netc_dtype dtype;
  int32_t rank;
  int64_t shape[NETC_MAX_RANK];
} netc_tensor;

/* A tensor over caller-owned float data. */
netc_tensor netc_tensor_f32(float *data, int32_t rank, const int64_t *shape);
/* Number of elements (product of the shape; 1 for rank 0). -1 if t is NULL,
 * its rank is outside [0, NETC_MAX_RANK], a dim is negative, or the product
 * overflows. */
int64_t netc_tensor_num_elements(const netc_tensor *t);

/* Static description of a compiled model, for generic loaders and tools:
 * `foo_model_info()` returns it for model foo. A shape entry of -1 is the batch
 * dim, chosen by the caller at run time. */
typedef struct netc_tensor_info {
  const char *name;
  int32_t rank;
  int64_t shape[NETC_MAX_RANK];
} netc_tensor_info;

typedef struct netc_model_info {
  const char *name;
  int32_t num_inputs, num_outputs;
  const netc_tensor_info *inputs, *outputs;
  /* The same as foo_run, with the tensors passed as arrays in declaration order. */
  netc_status (*run)(const netc_tensor *const *inputs, netc_tensor *const *outputs);
} netc_model_info;

/* Short fixed description of a status code ("shape mismatch"). */
const char *netc_status_string(netc_status status);
/* Detailed message of the calling thread's last failed call; "" if none. */
const char *netc_last_error(void);

/* Threads used by every compiled model in the process (0 = one per core, or
 * $HL_NUM_THREADS if set; negative counts as 0; at most 256). The getter
 * returns the effective count, which is at least 1. */
void netc_set_num_threads(int threads);
int netc_get_num_threads(void);

/* Per-kernel times of a model compiled with `netc compile --profile`, which
 * then also exports
 *   const netc_profile_entry *<name>_profile(int32_t *count);
 *   void <name>_profile_reset(void);
 * One entry per kernel (fused group), in execution order: the time summed over
 * every call since the last reset, and the fastest call. Counters are updated without locks: profile one
 * calling thread at a time. */
typedef struct netc_profile_entry {
  const char *kernel; /* symbol of the kernel */
  const char *value;  /* the IR value it computes */
  const char *op;     /* the IR op (fused_conv2d, dense, ...) */
  int64_t calls;
  int64_t total_ns;
  int64_t min_ns; /* fastest call; 0 before the first */
} netc_profile_entry;

/* .npy helpers for apps and tests (float32, C order). netc_npy_read allocates
 * t->data with malloc; release it with netc_tensor_free_data. It reads format
 * versions 1.0-3.0 holding '<f4' data in C order; on failure *t is an empty
 * tensor with NULL data. netc_npy_write writes version 1.0. */
netc_status netc_npy_read(const char *path, netc_tensor *t);
netc_status netc_npy_write(const char *path, const netc_tensor *t);
void netc_tensor_free_data(netc_tensor *t);

/* ---- Used by generated code only; not part of the stable API. ---- */

/* Sets the calling thread's error message (printf-style) and returns status. */
netc_status netc_rt_fail(netc_status status, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Clears the calling thread's error, and any Halide error message not yet
 * claimed by netc_rt_kernel_error; generated entry points call it on entry. */
void netc_rt_clear_error(void);

/* Checks that t is a float32 tensor of the given rank whose dims equal
 * `expected`; an entry of -1 in `expected` is the batch dim, which must equal
 * *batch, or, if *batch is -1, sets it. `what` names the tensor in messages.
 * A NULL tensor or data, a bad dtype, a rank outside [0, NETC_MAX_RANK] or
 * more than INT32_MAX elements give NETC_ERROR_INVALID_ARGUMENT; a rank or
 * dims that differ from the model's, or a batch dim < 1, give
 * NETC_ERROR_SHAPE_MISMATCH. *batch changes only when the check passes; batch
 * may be NULL, and then any batch dim >= 1 is accepted. */
netc_status netc_rt_check_tensor(const netc_tensor *t, const char *what, int32_t rank,
                                 const int64_t *expected, int64_t *batch);

struct halide_buffer_t;
struct halide_dimension_t;
/* Describes `rank` dims of dense row-major float data for a Halide kernel
 * (Halide's dim 0 is the innermost). `dims` must hold `rank` entries. */
void netc_rt_make_buffer(struct halide_buffer_t *buf, struct halide_dimension_t *dims, float *data,
                         int32_t rank, const int64_t *shape);
/* Maps a nonzero Halide error code to a netc status with a message naming the
 * kernel; the message includes what Halide reported on this thread, when it
 * did. halide_error_code_out_of_memory gives NETC_ERROR_OUT_OF_MEMORY, every
 * other code NETC_ERROR_KERNEL_FAILED; 0 gives NETC_OK. */
netc_status netc_rt_kernel_error(int halide_error, const char *kernel);
/* A monotonic clock in nanoseconds, for profiled entry points. */
int64_t netc_rt_now_ns(void);
/* 64-byte aligned scratch memory for activations. On failure returns NULL
 * and sets the error message (report NETC_ERROR_OUT_OF_MEMORY). */
void *netc_rt_alloc(size_t bytes);
void netc_rt_free(void *p);

/* Activation memory a model keeps between its calls, so that no call
 * allocates: glibc returns freed blocks above 32 MiB (VGG-16's arena at batch
 * 8) to the system, and each call would fault them in again. A cache is one
 * static per model, zero-initialized; concurrent calls each get their own
 * block. */
typedef struct netc_rt_arena_cache {
  void *block;
} netc_rt_arena_cache;
/* 64-byte aligned memory of at least `bytes`, the cached block when it is big
 * enough. On failure returns NULL and sets the error message. */
void *netc_rt_arena_acquire(netc_rt_arena_cache *cache, size_t bytes);
/* Returns memory from netc_rt_arena_acquire (NULL is ignored) to the cache. */
void netc_rt_arena_release(netc_rt_arena_cache *cache, void *arena);

#ifdef __cplusplus
}
#endif

#endif /* NETC_RUNTIME_H */
