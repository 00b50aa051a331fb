/* fmapeak: the machine's single-precision FMA peak, measured the way
 * bench/peers.sh measures latency: the best window, not a median.
 *
 * Every thread runs register-only FMA chains in windows of a fixed length and
 * keeps its fastest window; the peak is the sum over the threads, which run at
 * the same time (one per core).
 *
 * How long the windows are matters on a shared or virtual machine: every
 * stretch longer than about a millisecond loses a few percent to interrupts
 * and other tenants (one measurement on the 2-core EPYC VM: best ~1 ms
 * window 447 GFLOP/s, ~4 ms 428, ~16 ms and longer 416). A call of a model is
 * compared with the best window as long as the call; `netc bench` measures the
 * same curve.
 *
 *   cc -O3 -march=native -pthread bench/fmapeak.c -o fmapeak
 *   ./fmapeak [THREADS]           one line: GFLOP/s over ~1 ms windows
 *   ./fmapeak THREADS --curve     one line per window length: MS GFLOP/s
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__AVX512F__)
typedef float vec __attribute__((vector_size(64)));
#elif defined(__AVX__)
typedef float vec __attribute__((vector_size(32)));
#else
typedef float vec __attribute__((vector_size(16)));
#endif

/* Twelve independent chains cover the FMA latency (4 cycles) on two ports. */
enum { chains = 12 };
/* Time per window length: at least 4 windows. */
static const double budget_ms = 240;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

typedef struct {
  pthread_barrier_t *barrier;
  long steps;  /* per window */
  int windows;
  double best; /* GFLOP/s in this thread's fastest window */
} Thread;

static void *run(void *arg) {
  Thread *t = arg;
  vec acc[chains], mul, add;
  for (int i = 0; i < chains; ++i)
    acc[i] = (vec){0} + (float)(i + 1) * 1e-3f;
  mul = (vec){0} + 0.999999f;
  add = (vec){0} + 1e-7f;
  const double flop = 2.0 * chains * t->steps * (sizeof(vec) / sizeof(float));
  pthread_barrier_wait(t->barrier);
  t->best = 0;
  for (int w = 0; w < t->windows; ++w) {
    double t0 = now();
    for (long s = 0; s < t->steps; ++s) {
      /* Fully unrolled, so the accumulators live in registers. */
#pragma GCC unroll 12
      for (int i = 0; i < chains; ++i)
        acc[i] = acc[i] * mul + add;
    }
    double rate = flop / (now() - t0) / 1e9;
    if (rate > t->best)
      t->best = rate;
  }
  /* The result is used, so the chains cannot be dropped. */
  vec total = {0};
  for (int i = 0; i < chains; ++i)
    total += acc[i];
  volatile float sink = total[0];
  (void)sink;
  return NULL;
}

/* Best GFLOP/s of `threads` threads at once over windows of `steps` steps. */
static double peak(int threads, long steps, int windows) {
  pthread_barrier_t barrier;
  pthread_barrier_init(&barrier, NULL, threads);
  pthread_t *ids = malloc(threads * sizeof *ids);
  Thread *state = malloc(threads * sizeof *state);
  for (int i = 0; i < threads; ++i) {
    state[i] = (Thread){&barrier, steps, windows, 0};
    pthread_create(&ids[i], NULL, run, &state[i]);
  }
  double total = 0;
  for (int i = 0; i < threads; ++i) {
    pthread_join(ids[i], NULL);
    total += state[i].best;
  }
  pthread_barrier_destroy(&barrier);
  free(ids);
  free(state);
  return total;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 2;
  int curve = argc > 2 && strcmp(argv[2], "--curve") == 0;
  if (threads < 1 || (argc > 2 && !curve) || argc > 3) {
    fprintf(stderr, "usage: fmapeak [THREADS [--curve]]\n");
    return 2;
  }
  /* Steps per millisecond, from one thread's short run. */
  const double flop_per_step = 2.0 * chains * (sizeof(vec) / sizeof(float));
  double steps_per_ms = peak(1, 20000, 3) * 1e6 / flop_per_step;
  if (!curve) {
    printf("%.1f\n", peak(threads, (long)steps_per_ms, (int)(budget_ms * 1.6)));
    return 0;
  }
  static const double windows_ms[] = {0.25, 1, 4, 16, 64};
  for (size_t i = 0; i < sizeof windows_ms / sizeof *windows_ms; ++i) {
    double ms = windows_ms[i];
    int windows = budget_ms / ms < 4 ? 4 : (int)(budget_ms / ms);
    printf("%g %.1f\n", ms, peak(threads, (long)(steps_per_ms * ms), windows));
  }
  return 0;
}
