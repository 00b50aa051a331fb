/* fmapeak: the machine's single-precision FMA peak, measured the way
 * bench/peers.sh measures latency: the best short window, not a median.
 *
 * `netc bench` reports a peak too (the median of five ~30 ms rounds); on a
 * machine shared with other jobs that one comes out low while the latencies,
 * minimums over many short calls, catch the quiet moments, and a layer can
 * look faster than the peak. Here every thread runs register-only FMA chains
 * in ~1 ms windows for ~0.4 s and keeps its fastest window; the peak is the
 * sum over the threads, which run at the same time (one per core).
 * Prints one line: GFLOP/s.
 *
 *   cc -O3 -march=native -pthread bench/fmapeak.c -o fmapeak && ./fmapeak [THREADS]
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
typedef float vec __attribute__((vector_size(64)));
#elif defined(__AVX__)
typedef float vec __attribute__((vector_size(32)));
#else
typedef float vec __attribute__((vector_size(16)));
#endif

enum { chains = 12, windows = 400, steps = 500000 }; /* a window: ~1 ms at 3 GHz */
/* Twelve independent chains cover the FMA latency (4 cycles) on two ports. */

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

typedef struct {
  pthread_barrier_t *barrier;
  double best; /* GFLOP/s in this thread's fastest window */
} Thread;

static void *run(void *arg) {
  Thread *t = arg;
  vec acc[chains], mul, add;
  for (int i = 0; i < chains; ++i)
    acc[i] = (vec){0} + (float)(i + 1) * 1e-3f;
  mul = (vec){0} + 0.999999f;
  add = (vec){0} + 1e-7f;
  const double flop = 2.0 * chains * steps * (sizeof(vec) / sizeof(float));
  pthread_barrier_wait(t->barrier);
  t->best = 0;
  for (int w = 0; w < windows; ++w) {
    double t0 = now();
    for (int s = 0; s < steps; ++s) {
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

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 2;
  if (threads < 1) {
    fprintf(stderr, "usage: fmapeak [THREADS]\n");
    return 2;
  }
  pthread_barrier_t barrier;
  pthread_barrier_init(&barrier, NULL, threads);
  pthread_t *ids = malloc(threads * sizeof *ids);
  Thread *state = malloc(threads * sizeof *state);
  for (int i = 0; i < threads; ++i) {
    state[i].barrier = &barrier;
    pthread_create(&ids[i], NULL, run, &state[i]);
  }
  double total = 0;
  for (int i = 0; i < threads; ++i) {
    pthread_join(ids[i], NULL);
    total += state[i].best;
  }
  printf("%.1f\n", total);
  return 0;
}
