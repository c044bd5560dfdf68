/* The addon's thread pool for its own kernels (pool.c). */
#ifndef LAYERWISE_NATIVE_POOL_H
#define LAYERWISE_NATIVE_POOL_H

#include <stddef.h>

#pragma GCC visibility push(hidden)

/* Computes items [lo, hi) of the job `task`. */
typedef void (*lw_range_fn)(const void* task, size_t lo, size_t hi);

/* The thread budget, counting the calling thread (LAYERWISE_THREADS, shared with OpenBLAS). */
void lw_pool_set_threads(int threads);
int lw_pool_threads(void);
/* How many times a worker has taken part in a call (tests check that workers do). */
double lw_pool_joins(void);

/* fn(task, lo, hi) over [0, n) in chunks of at least `grain` items, on up to the budget's threads;
   on the calling thread alone when n < 2 grain or another call is using the pool. */
void lw_parallel_for(size_t n, size_t grain, lw_range_fn fn, const void* task);

#pragma GCC visibility pop

#endif
