/*
 * A small pthread pool for the heavy kernels (NTT, LDE, Merkle hashing,
 * quotient evaluation).  No global state: callers create a pool and pass it.
 * Worker threads run only the library's own code, never PostgreSQL APIs.
 */
#ifndef POR_THREADPOOL_H
#define POR_THREADPOOL_H

#include <stddef.h>

typedef struct por_pool por_pool;

/* threads = 0 means one per online core.  Returns NULL on failure. */
por_pool *por_pool_create(unsigned threads);
void por_pool_destroy(por_pool *pool);
unsigned por_pool_size(const por_pool *pool);

/*
 * Runs fn(ctx, begin, end) over [0, n) split into contiguous chunks of at
 * least min_chunk items, on all threads of the pool (the caller's thread
 * included), and returns when every chunk is done.  pool may be NULL: then
 * the whole range runs on the calling thread.
 */
typedef void (*por_range_fn)(void *ctx, size_t begin, size_t end);
void por_pool_parallel_for(por_pool *pool, size_t n, size_t min_chunk, por_range_fn fn, void *ctx);

#endif
