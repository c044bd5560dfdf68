/*
 * A small thread pool for the addon's own kernels, sharing LAYERWISE_THREADS with OpenBLAS:
 * our kernels and OpenBLAS's GEMMs run one after the other, never at once, so one budget of N
 * threads is N busy cores at any moment.
 *
 * lw_parallel_for splits [0, n) into chunks that the calling thread and the workers claim with
 * an atomic counter. The caller always works; a worker that wakes after the caller has finished
 * (another process had the core) finds the job closed and goes back to sleep, so a descheduled
 * worker never holds the call up. Each chunk is computed exactly as it would be by one thread,
 * so results do not depend on the thread count.
 */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define MAX_WORKERS 63

static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER; /* one parallel call at a time (JS worker threads share the pool) */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t finished = PTHREAD_COND_INITIALIZER;

static int budget = 1;  /* threads, counting the caller */
static int started = 0; /* workers created so far */
static unsigned long generation = 0;
static unsigned long joins = 0; /* workers that took part in a call, ever: a diagnostic for the tests */

static struct {
  lw_range_fn fn;
  const void* task;
  size_t n, chunk;
  atomic_size_t next;
  int workers; /* workers allowed to join this job */
  int open;    /* 0 once the caller has finished its chunks: late workers stay out */
  int running; /* workers inside the job */
} job;

static void run_chunks(void) {
  for (;;) {
    size_t lo = atomic_fetch_add(&job.next, job.chunk);
    if (lo >= job.n) return;
    size_t hi = job.n - lo < job.chunk ? job.n : lo + job.chunk;
    job.fn(job.task, lo, hi);
  }
}

static void* worker(void* arg) {
  int id = (int)(intptr_t)arg;
  unsigned long seen = 0;
  pthread_mutex_lock(&lock);
  for (;;) {
    while (generation == seen) pthread_cond_wait(&wake, &lock);
    seen = generation;
    if (!job.open || id >= job.workers) continue;
    job.running++;
    joins++;
    pthread_mutex_unlock(&lock);
    run_chunks();
    pthread_mutex_lock(&lock);
    if (--job.running == 0) pthread_cond_signal(&finished);
  }
  return NULL;
}

void lw_pool_set_threads(int threads) {
  pthread_mutex_lock(&lock);
  budget = threads < 1 ? 1 : threads > MAX_WORKERS + 1 ? MAX_WORKERS + 1 : threads;
  pthread_mutex_unlock(&lock);
}

int lw_pool_threads(void) { return budget; }

double lw_pool_joins(void) {
  pthread_mutex_lock(&lock);
  double n = (double)joins;
  pthread_mutex_unlock(&lock);
  return n;
}

/* Creates workers up to `want` (lazily: a budget of one thread starts none). Called under `lock`. */
static int ensure_workers(int want) {
  while (started < want) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int failed = pthread_create(&t, &attr, worker, (void*)(intptr_t)started);
    pthread_attr_destroy(&attr);
    if (failed) break;
    started++;
  }
  return started < want ? started : want;
}

void lw_parallel_for(size_t n, size_t grain, lw_range_fn fn, const void* task) {
  if (grain < 1) grain = 1;
  if (budget <= 1 || n < 2 * grain || pthread_mutex_trylock(&busy) != 0) {
    fn(task, 0, n);
    return;
  }
  pthread_mutex_lock(&lock);
  int workers = ensure_workers(budget - 1);
  /* about four chunks per thread, so a slow thread's share is picked up by the others */
  size_t parts = (size_t)(workers + 1) * 4, chunk = (n + parts - 1) / parts;
  job.fn = fn;
  job.task = task;
  job.n = n;
  job.chunk = chunk < grain ? grain : chunk;
  atomic_store(&job.next, 0);
  job.workers = workers;
  job.open = 1;
  job.running = 0;
  generation++;
  pthread_cond_broadcast(&wake);
  pthread_mutex_unlock(&lock);
  run_chunks();
  pthread_mutex_lock(&lock);
  job.open = 0;
  while (job.running > 0) pthread_cond_wait(&finished, &lock);
  pthread_mutex_unlock(&lock);
  pthread_mutex_unlock(&busy);
}
