/* stream: the machine's sustainable memory bandwidth, STREAM-style triad
 * a[i] = b[i] + s * c[i] over three arrays far larger than any cache, split
 * over T threads (default 2), best of 5 passes. Prints one line: GB/s.
 * Counts 24 bytes per element (two loads, one store), as STREAM does; the
 * write-allocate read of a[] is real traffic but not counted.
 *
 *   cc -O3 -march=native -pthread bench/stream.c -o stream && ./stream [THREADS] [MB]
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { passes = 5 };

typedef struct {
  double *a, *b, *c;
  size_t begin, end;
  pthread_barrier_t *barrier;
  double *seconds; /* per pass; written by the first thread only */
} Slice;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *worker(void *arg) {
  Slice *s = arg;
  /* First touch from the thread that will stream the slice, so its pages are
     faulted in (and placed, on NUMA machines) before timing starts. */
  for (size_t i = s->begin; i < s->end; ++i) {
    s->a[i] = 0.0;
    s->b[i] = 1.0;
    s->c[i] = 2.0;
  }
  /* The workers time themselves: a separate timing thread would need a core
     of its own, and with one worker per core it would only be scheduled once
     the workers block, at the end of the pass. */
  for (int p = 0; p < passes; ++p) {
    pthread_barrier_wait(s->barrier);
    double t0 = now();
    double *restrict a = s->a, *restrict b = s->b, *restrict c = s->c;
    for (size_t i = s->begin; i < s->end; ++i)
      a[i] = b[i] + 3.0 * c[i];
    pthread_barrier_wait(s->barrier);
    if (s->seconds)
      s->seconds[p] = now() - t0;
  }
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 2;
  size_t megabytes = argc > 2 ? (size_t)atol(argv[2]) : 256; /* all three arrays */
  if (threads < 1 || megabytes < 3) {
    fprintf(stderr, "usage: stream [THREADS] [MB]\n");
    return 2;
  }
  size_t n = megabytes * 1000000 / 3 / sizeof(double);
  double *a = aligned_alloc(64, (n * sizeof(double) + 63) / 64 * 64);
  double *b = aligned_alloc(64, (n * sizeof(double) + 63) / 64 * 64);
  double *c = aligned_alloc(64, (n * sizeof(double) + 63) / 64 * 64);
  if (!a || !b || !c) {
    fprintf(stderr, "stream: out of memory\n");
    return 1;
  }
  pthread_barrier_t barrier;
  pthread_barrier_init(&barrier, NULL, threads);
  pthread_t *ids = malloc(threads * sizeof *ids);
  Slice *slices = malloc(threads * sizeof *slices);
  double seconds[passes];
  for (int t = 0; t < threads; ++t) {
    slices[t] = (Slice){a, b, c, n * t / threads, n * (t + 1) / threads, &barrier,
                        t == 0 ? seconds : NULL};
    pthread_create(&ids[t], NULL, worker, &slices[t]);
  }
  for (int t = 0; t < threads; ++t)
    pthread_join(ids[t], NULL);
  double best = seconds[0];
  for (int p = 1; p < passes; ++p)
    if (seconds[p] < best)
      best = seconds[p];
  /* Keep the stores observable so the loop cannot be dropped. */
  volatile double sink = a[n / 2];
  (void)sink;
  printf("%.2f\n", 3.0 * sizeof(double) * n / best / 1e9);
  return 0;
}
