/*
 * netc's parallel-for: the pool that runs every parallel loop of the
 * generated kernels (installed as Halide's custom do_par_for).
 *
 * Two things make it faster than Halide's default pool for netc's kernels,
 * most of which take microseconds:
 *
 * - Workers spin for a while after a job before they sleep. Successive kernels
 *   of a model, and successive calls, start within microseconds of each other;
 *   waking a sleeping thread costs several (a futex wake-up and a reschedule,
 *   more on a virtual machine), which is the whole run time of a small layer.
 *   NETC_THREAD_SPIN_US sets how long (default 200 us; 0 sleeps at once).
 * - Task ranges are split statically first: thread t starts on the t-th slice
 *   of the loop, so the same thread, and so the same core's cache, sees the
 *   same slice of a layer's weights on every call. A thread whose slice is done
 *   then steals tasks from the back of the others' slices, so a core slowed
 *   down by other work does not hold everyone up.
 *
 * A parallel loop that starts while the pool is busy (a loop inside a task,
 * or a second application thread running a model at the same time) runs
 * serially on the calling thread.
 */
#include "internal.h"

#include <HalideRuntime.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define NETC_RTI_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define NETC_RTI_CPU_RELAX() __asm__ __volatile__("yield")
#else
#define NETC_RTI_CPU_RELAX() ((void)0)
#endif

#define NETC_RTI_MAX_THREADS 256
#define NETC_RTI_CACHE_LINE 64

/* One thread's slice of the current loop, as offsets from the loop's min:
 * the first unclaimed task in the low 32 bits, one past the last in the high
 * 32. Its owner claims from the front, other threads steal from the back, so
 * the owner's first tasks stay its own. */
struct slice {
  _Alignas(NETC_RTI_CACHE_LINE) _Atomic uint64_t range;
};

static uint64_t pack_range(uint32_t front, uint32_t back) {
  return (uint64_t)back << 32 | front;
}

/* Claims a run of tasks from one end of the slice: the offset of its first
 * task, or -1 when the slice is empty, and its length in *count. A run is
 * what is left divided by twice the participants (at least one task): a loop
 * of many tiny tasks (a Winograd input transform over 512 channels) then
 * takes a few claims per thread, not one per task, while the last tasks
 * still go one at a time to whichever thread is free. Each claim is a locked
 * instruction, which waits for the stores of the task before it to drain:
 * with a claim per task, run_tasks had 14-22 % of resnet18.layer4's samples
 * by Winograd at batch 1 (2-5 % with runs); MobileNet and GoogLeNet at
 * batch 1 ran 5-7 % faster. */
static int64_t claim(struct slice *s, int from_back, int participants, uint32_t *count) {
  uint64_t range = atomic_load_explicit(&s->range, memory_order_relaxed);
  for (;;) {
    uint32_t front = (uint32_t)range, back = (uint32_t)(range >> 32);
    if (front >= back)
      return -1;
    uint32_t run = (back - front) / (2u * (uint32_t)participants);
    if (run == 0)
      run = 1;
    uint64_t rest = from_back ? pack_range(front, back - run) : pack_range(front + run, back);
    if (atomic_compare_exchange_weak_explicit(&s->range, &range, rest, memory_order_relaxed,
                                              memory_order_relaxed)) {
      *count = run;
      return from_back ? back - run : front;
    }
  }
}

static struct {
  /* Serializes jobs: held by the thread that runs one. */
  pthread_mutex_t busy;
  /* Starting workers, and sleeping until the next job. */
  pthread_mutex_t lock;
  pthread_cond_t wake;
  atomic_int sleepers;
  pthread_t workers[NETC_RTI_MAX_THREADS];
  atomic_int started;
  atomic_int wanted; /* threads per job, the caller included; 0 until known */
  int64_t spin_ns;
  atomic_bool shutting_down;

  /* The current job. Written only while `open` is false and no worker is
   * inside one (`inside` is 0); published by setting `open`. */
  _Alignas(NETC_RTI_CACHE_LINE) atomic_uint generation;
  atomic_bool open;
  atomic_int inside;
  halide_task_t task;
  void *user_context;
  uint8_t *closure;
  int min;
  int participants;
  _Alignas(NETC_RTI_CACHE_LINE) atomic_int remaining;
  atomic_int error;
  struct slice slices[NETC_RTI_MAX_THREADS];
} pool = {.busy = PTHREAD_MUTEX_INITIALIZER,
          .lock = PTHREAD_MUTEX_INITIALIZER,
          .wake = PTHREAD_COND_INITIALIZER};

static _Thread_local int running_a_task;

/* Part of the embedded Halide runtime, not declared in HalideRuntime.h. */
extern int halide_host_cpu_count(void);

/* Halide's default: HL_NUM_THREADS if set, else the cores online. */
static int default_thread_count(void) {
  const char *env = getenv("HL_NUM_THREADS");
  if (env != NULL && atoi(env) > 0)
    return atoi(env);
  return halide_host_cpu_count();
}

static int clamp_threads(int threads) {
  return threads < 1 ? 1 : threads > NETC_RTI_MAX_THREADS ? NETC_RTI_MAX_THREADS : threads;
}

void netc_rti_pool_set_threads(int threads) {
  atomic_store(&pool.wanted, clamp_threads(threads > 0 ? threads : default_thread_count()));
}

int netc_rti_pool_threads(void) {
  int wanted = atomic_load(&pool.wanted);
  if (wanted == 0) {
    int fresh = clamp_threads(default_thread_count());
    /* Another thread may have set a count meanwhile; that one wins. */
    if (!atomic_compare_exchange_strong(&pool.wanted, &wanted, fresh))
      return wanted;
    return fresh;
  }
  return wanted;
}

/* Runs tasks of the current job until none is left to claim: first the
 * thread's own slice from the front, then the others' from the back. */
static void run_tasks(int self) {
  const int participants = pool.participants;
  int done = 0; /* counted down once, at the end: one shared write per thread */
  for (int k = 0; k < participants; ++k) {
    struct slice *s = &pool.slices[(self + k) % participants];
    for (;;) {
      uint32_t count = 0;
      int64_t offset = claim(s, k > 0, participants, &count);
      if (offset < 0)
        break;
      for (uint32_t i = 0; i < count; ++i) {
        const int index = pool.min + (int)offset + (int)i;
        if (atomic_load_explicit(&pool.error, memory_order_relaxed) == 0) {
          running_a_task = 1;
          int result = pool.task(pool.user_context, index, pool.closure);
          running_a_task = 0;
          if (result != 0) {
            int none = 0;
            atomic_compare_exchange_strong(&pool.error, &none, result);
          }
        }
      }
      done += (int)count;
    }
  }
  atomic_fetch_sub_explicit(&pool.remaining, done, memory_order_release);
}

/* Waits for a job newer than `seen`: spins for spin_ns, then sleeps. */
static unsigned wait_for_job(unsigned seen) {
  int64_t deadline = pool.spin_ns > 0 ? netc_rt_now_ns() + pool.spin_ns : 0;
  for (unsigned polls = 0;; ++polls) {
    unsigned current = atomic_load_explicit(&pool.generation, memory_order_acquire);
    if (current != seen || atomic_load(&pool.shutting_down))
      return current;
    if (deadline == 0 || ((polls & 63) == 63 && netc_rt_now_ns() > deadline))
      break;
    NETC_RTI_CPU_RELAX();
  }
  pthread_mutex_lock(&pool.lock);
  /* Counted before the check, so a job published after the check sees a
   * sleeper and signals (see start_job). */
  atomic_fetch_add(&pool.sleepers, 1);
  unsigned current;
  while ((current = atomic_load(&pool.generation)) == seen && !atomic_load(&pool.shutting_down))
    pthread_cond_wait(&pool.wake, &pool.lock);
  atomic_fetch_sub(&pool.sleepers, 1);
  pthread_mutex_unlock(&pool.lock);
  return current;
}

static void *worker_main(void *arg) {
  const int self = (int)(intptr_t)arg; /* 1-based: slice 0 is the caller's */
  unsigned seen = 0;
  for (;;) {
    seen = wait_for_job(seen);
    if (atomic_load(&pool.shutting_down))
      return NULL;
    atomic_fetch_add(&pool.inside, 1);
    /* `open` is read after entering, so the job's fields are not rewritten
     * while this thread reads them (start_job waits for `inside` to be 0). */
    if (atomic_load(&pool.open) && self < pool.participants)
      run_tasks(self);
    atomic_fetch_sub(&pool.inside, 1);
  }
}

static void start_workers(int count) {
  if (atomic_load(&pool.started) >= count)
    return;
  pthread_mutex_lock(&pool.lock);
  if (atomic_load(&pool.started) == 0) {
    const char *spin = getenv("NETC_THREAD_SPIN_US");
    pool.spin_ns = spin != NULL ? (int64_t)atol(spin) * 1000 : 200000;
  }
  for (int next = atomic_load(&pool.started); next < count; ++next) {
    if (pthread_create(&pool.workers[next], NULL, worker_main, (void *)(intptr_t)(next + 1)))
      break; /* fewer threads: the others take their slices */
    atomic_store(&pool.started, next + 1);
  }
  pthread_mutex_unlock(&pool.lock);
}

/* Waiting for another thread's task: a short wait spins; a long one (that
 * thread was preempted, more threads than cores) gives the core away. */
static void relax_or_yield(unsigned spins) {
  if (spins < 4096)
    NETC_RTI_CPU_RELAX();
  else
    sched_yield();
}

static int run_serially(void *user_context, halide_task_t task, int min, int size,
                        uint8_t *closure) {
  for (int i = min; i < min + size; ++i) {
    int result = task(user_context, i, closure);
    if (result != 0)
      return result;
  }
  return 0;
}

static int netc_do_par_for(void *user_context, halide_task_t task, int min, int size,
                           uint8_t *closure) {
  if (size <= 0)
    return 0;
  const int threads = netc_rti_pool_threads();
  if (size == 1 || threads == 1 || running_a_task || pthread_mutex_trylock(&pool.busy) != 0)
    return run_serially(user_context, task, min, size, closure);

  const int participants = threads < size ? threads : size;
  start_workers(participants - 1);
  const int started = atomic_load(&pool.started);
  const int workers = started < participants - 1 ? started : participants - 1;
  const int total = workers + 1;
  /* Stragglers of the last job are on their way out; let them leave before
   * the job's fields change under them. */
  for (unsigned spins = 0; atomic_load(&pool.inside) != 0; ++spins)
    relax_or_yield(spins);
  pool.task = task;
  pool.user_context = user_context;
  pool.closure = closure;
  pool.min = min;
  pool.participants = total;
  for (int t = 0; t < total; ++t)
    atomic_store_explicit(&pool.slices[t].range,
                          pack_range((uint32_t)((int64_t)size * t / total),
                                     (uint32_t)((int64_t)size * (t + 1) / total)),
                          memory_order_relaxed);
  atomic_store_explicit(&pool.remaining, size, memory_order_relaxed);
  atomic_store_explicit(&pool.error, 0, memory_order_relaxed);
  atomic_store(&pool.open, 1);
  atomic_fetch_add(&pool.generation, 1);
  if (atomic_load(&pool.sleepers) > 0) {
    pthread_mutex_lock(&pool.lock);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
  }

  run_tasks(0);
  for (unsigned spins = 0; atomic_load_explicit(&pool.remaining, memory_order_acquire) != 0;
       ++spins)
    relax_or_yield(spins);
  atomic_store(&pool.open, 0);
  int error = atomic_load(&pool.error);
  pthread_mutex_unlock(&pool.busy);
  return error;
}

void netc_rti_install_thread_pool(void) { halide_set_custom_do_par_for(netc_do_par_for); }

/* A model loaded with dlopen can be unloaded again: its workers must not be
 * left running code that is about to go away. */
__attribute__((destructor)) static void stop_thread_pool(void) {
  pthread_mutex_lock(&pool.lock);
  atomic_store(&pool.shutting_down, 1);
  atomic_fetch_add(&pool.generation, 1);
  pthread_cond_broadcast(&pool.wake);
  int started = atomic_load(&pool.started);
  pthread_mutex_unlock(&pool.lock);
  for (int i = 0; i < started; ++i)
    pthread_join(pool.workers[i], NULL);
}
