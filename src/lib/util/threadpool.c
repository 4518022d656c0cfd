/*
 * Thread pool: persistent workers that sleep on a condition variable between
 * jobs.  A job is one parallel_for; its chunks are claimed dynamically with an
 * atomic counter, so a thread slowed down by other load on the machine simply
 * takes fewer chunks.
 */
#include "util/threadpool.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

struct por_pool {
    unsigned nthreads;        /* caller included */
    pthread_t *workers;       /* nthreads - 1 */
    pthread_mutex_t busy;     /* held by the thread running a job: try-locked */
    pthread_mutex_t lock;     /* protects everything below except next_chunk */
    pthread_cond_t start_cv;  /* workers wait here for a new generation */
    pthread_cond_t done_cv;   /* the caller waits here for active == 0 */
    uint64_t generation;
    bool shutdown;
    unsigned active;          /* workers that have not finished the current job */
    /* the current job */
    por_range_fn fn;
    void *ctx;
    size_t n, chunk, nchunks;
    atomic_size_t next_chunk;
};

/* Claims and runs chunks of the current job until none is left. */
static void run_chunks(por_pool *pool)
{
    for (;;) {
        size_t k = atomic_fetch_add_explicit(&pool->next_chunk, 1, memory_order_relaxed);
        if (k >= pool->nchunks)
            return;
        size_t begin = k * pool->chunk;
        size_t end = begin + pool->chunk;
        pool->fn(pool->ctx, begin, end < pool->n ? end : pool->n);
    }
}

static void *worker_main(void *arg)
{
    por_pool *pool = arg;
    uint64_t seen = 0;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (!pool->shutdown && pool->generation == seen)
            pthread_cond_wait(&pool->start_cv, &pool->lock);
        if (pool->shutdown)
            break;
        seen = pool->generation;
        pthread_mutex_unlock(&pool->lock);
        run_chunks(pool);
        pthread_mutex_lock(&pool->lock);
        if (--pool->active == 0)
            pthread_cond_signal(&pool->done_cv);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

por_pool *por_pool_create(unsigned threads)
{
    if (threads == 0) {
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        threads = online > 0 ? (unsigned)online : 1;
    }
    por_pool *pool = calloc(1, sizeof(*pool));
    if (!pool)
        return NULL;
    pool->nthreads = 1;
    atomic_init(&pool->next_chunk, 0);
    if (pthread_mutex_init(&pool->busy, NULL) != 0)
        goto fail_busy;
    if (pthread_mutex_init(&pool->lock, NULL) != 0)
        goto fail_lock;
    if (pthread_cond_init(&pool->start_cv, NULL) != 0)
        goto fail_start;
    if (pthread_cond_init(&pool->done_cv, NULL) != 0)
        goto fail_done;
    if (threads > 1) {
        pool->workers = calloc(threads - 1, sizeof(pthread_t));
        if (!pool->workers) {
            por_pool_destroy(pool);
            return NULL;
        }
        /* Workers start with every signal blocked (they inherit the mask), so
         * signals keep going to the caller's thread: PostgreSQL's handlers
         * must run on the backend's main thread. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        int failed = 0;
        for (unsigned i = 0; i < threads - 1 && !failed; i++) {
            if (pthread_create(&pool->workers[i], NULL, worker_main, pool) != 0)
                failed = 1;
            else
                pool->nthreads++;
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (failed) {
            por_pool_destroy(pool); /* joins the workers already started */
            return NULL;
        }
    }
    return pool;

fail_done:
    pthread_cond_destroy(&pool->start_cv);
fail_start:
    pthread_mutex_destroy(&pool->lock);
fail_lock:
    pthread_mutex_destroy(&pool->busy);
fail_busy:
    free(pool);
    return NULL;
}

void por_pool_destroy(por_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->shutdown = true;
    pthread_cond_broadcast(&pool->start_cv);
    pthread_mutex_unlock(&pool->lock);
    for (unsigned i = 0; i + 1 < pool->nthreads; i++)
        pthread_join(pool->workers[i], NULL);
    free(pool->workers);
    pthread_cond_destroy(&pool->done_cv);
    pthread_cond_destroy(&pool->start_cv);
    pthread_mutex_destroy(&pool->lock);
    pthread_mutex_destroy(&pool->busy);
    free(pool);
}

unsigned por_pool_size(const por_pool *pool) { return pool ? pool->nthreads : 1; }

void por_pool_parallel_for(por_pool *pool, size_t n, size_t min_chunk, por_range_fn fn, void *ctx)
{
    if (n == 0)
        return;
    if (min_chunk == 0)
        min_chunk = 1;
    /* Inline when there is nothing to share, or when the pool is taken
     * (nested or concurrent use): waiting for it could deadlock. */
    if (!pool || pool->nthreads == 1 || n <= min_chunk || pthread_mutex_trylock(&pool->busy) != 0) {
        fn(ctx, 0, n);
        return;
    }
    /* Up to 64 chunks per thread: fine enough to balance, coarse enough
     * that the shared counter is not contended. */
    size_t chunk = n / ((size_t)pool->nthreads * 64);
    if (chunk < min_chunk)
        chunk = min_chunk;

    pthread_mutex_lock(&pool->lock);
    pool->fn = fn;
    pool->ctx = ctx;
    pool->n = n;
    pool->chunk = chunk;
    pool->nchunks = n / chunk + (n % chunk != 0);
    atomic_store_explicit(&pool->next_chunk, 0, memory_order_relaxed);
    pool->active = pool->nthreads - 1;
    pool->generation++;
    pthread_cond_broadcast(&pool->start_cv);
    pthread_mutex_unlock(&pool->lock);

    run_chunks(pool);

    pthread_mutex_lock(&pool->lock);
    while (pool->active > 0)
        pthread_cond_wait(&pool->done_cv, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
    pthread_mutex_unlock(&pool->busy);
}
