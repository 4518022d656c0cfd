/*
 * A small pthread pool for the heavy kernels (NTT, LDE, Merkle hashing,
 * quotient evaluation).  No global state: callers create a pool and pass it.
 * Worker threads run only the library's own code, never PostgreSQL APIs,
 * and block every signal, so signals are delivered to the caller's thread.
 */
#ifndef POR_THREADPOOL_H
#define POR_THREADPOOL_H

#include <stddef.h>

typedef struct por_pool por_pool;

/*
 * threads = total number of threads that run a parallel_for, the caller's
 * included (so threads = 1 starts no worker).  threads = 0 means one per
 * online core (sysconf).  Returns NULL on failure.
 */
por_pool *por_pool_create(unsigned threads);
/* Joins the workers and frees the pool; NULL is a no-op.  No job may be running. */
void por_pool_destroy(por_pool *pool);
/* Number of threads a parallel_for uses (1 for a NULL pool). */
unsigned por_pool_size(const por_pool *pool);

/*
 * Runs fn(ctx, begin, end) over [0, n) split into contiguous chunks of at
 * least min_chunk items (min_chunk = 0 is taken as 1), on all threads of the
 * pool (the caller's thread included), and returns when every chunk is done.
 * Every index is covered by exactly one call; chunks are handed out
 * dynamically, so calls may run in any order and on any thread.  pool may be
 * NULL: then the whole range runs on the calling thread as fn(ctx, 0, n).
 *
 * Nesting and concurrency: if the pool is already running a job (fn itself
 * calls parallel_for on the same pool, or another thread is using it), the
 * new range simply runs on the calling thread; it never deadlocks.
 * fn must not fail; collect errors through ctx.
 */
typedef void (*por_range_fn)(void *ctx, size_t begin, size_t end);
void por_pool_parallel_for(por_pool *pool, size_t n, size_t min_chunk, por_range_fn fn, void *ctx);

#endif
