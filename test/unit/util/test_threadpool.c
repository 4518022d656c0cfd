/* Thread pool: coverage of parallel_for, chunk sizes, sizes, reuse, nesting. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "util/threadpool.h"

#define MAX_N 5000
#define MAX_CALLS 8192

/* Records every visit and every chunk of one parallel_for. */
typedef struct {
    atomic_int visits[MAX_N];
    atomic_size_t ncalls;
    size_t begins[MAX_CALLS], ends[MAX_CALLS];
    int double_visit; /* makes the range function visit its first index twice (negative test) */
} record;

static void record_range(void *ctx, size_t begin, size_t end)
{
    record *r = ctx;
    size_t k = atomic_fetch_add(&r->ncalls, 1);
    if (k < MAX_CALLS) {
        r->begins[k] = begin;
        r->ends[k] = end;
    }
    for (size_t i = begin; i < end; i++)
        atomic_fetch_add(&r->visits[i], 1);
    if (r->double_visit && begin == 0)
        atomic_fetch_add(&r->visits[0], 1);
}

static void record_reset(record *r)
{
    for (size_t i = 0; i < MAX_N; i++)
        atomic_init(&r->visits[i], 0);
    atomic_init(&r->ncalls, 0);
    r->double_visit = 0;
}

/* Every index in [0, n) exactly once, none beyond; chunks >= min_chunk except the last. */
static int record_check(record *r, size_t n, size_t min_chunk)
{
    for (size_t i = 0; i < MAX_N; i++)
        if (atomic_load(&r->visits[i]) != (i < n ? 1 : 0))
            return 0;
    size_t calls = atomic_load(&r->ncalls);
    if (calls > MAX_CALLS || (n == 0 && calls != 0))
        return 0;
    if (min_chunk == 0)
        min_chunk = 1;
    for (size_t k = 0; k < calls; k++)
        if (r->begins[k] >= r->ends[k] || (r->ends[k] - r->begins[k] < min_chunk && r->ends[k] != n))
            return 0;
    return 1;
}

static record rec;

static int run_combos(por_pool *pool)
{
    static const size_t ns[] = {0, 1, 2, 3, 7, 63, 64, 65, 100, 1000, 4999, 5000};
    static const size_t chunks[] = {0, 1, 2, 3, 16, 100, 4999, 10000};
    int all = 1;
    for (size_t a = 0; a < sizeof(ns) / sizeof(ns[0]); a++)
        for (size_t b = 0; b < sizeof(chunks) / sizeof(chunks[0]); b++) {
            record_reset(&rec);
            por_pool_parallel_for(pool, ns[a], chunks[b], record_range, &rec);
            if (!record_check(&rec, ns[a], chunks[b])) {
                diag("failed: n=%zu min_chunk=%zu", ns[a], chunks[b]);
                all = 0;
            }
        }
    return all;
}

/* Which threads ran chunks: each chunk sleeps a little so the workers get some. */
typedef struct {
    pthread_mutex_t lock;
    pthread_t seen[16];
    int nseen;
} thread_set;

static void note_thread(void *ctx, size_t begin, size_t end)
{
    (void)begin;
    (void)end;
    thread_set *s = ctx;
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
    pthread_mutex_lock(&s->lock);
    int found = 0;
    for (int i = 0; i < s->nseen; i++)
        found |= pthread_equal(s->seen[i], pthread_self());
    if (!found && s->nseen < 16)
        s->seen[s->nseen++] = pthread_self();
    pthread_mutex_unlock(&s->lock);
}

/* Nested use: the inner parallel_for runs inline and still covers its range. */
typedef struct {
    por_pool *pool;
    atomic_long total;
} nest_ctx;

static void inner_range(void *ctx, size_t begin, size_t end)
{
    nest_ctx *c = ctx;
    atomic_fetch_add(&c->total, (long)(end - begin));
}

static void outer_range(void *ctx, size_t begin, size_t end)
{
    nest_ctx *c = ctx;
    for (size_t i = begin; i < end; i++)
        por_pool_parallel_for(c->pool, 100, 10, inner_range, c);
}

/* Signal masks seen by chunks on worker threads vs the caller's thread. */
typedef struct {
    pthread_t caller;
    atomic_int worker_chunks, worker_unblocked;
} sig_ctx;

static void check_mask(void *ctx, size_t begin, size_t end)
{
    (void)begin;
    (void)end;
    sig_ctx *c = ctx;
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
    if (pthread_equal(pthread_self(), c->caller))
        return;
    sigset_t cur;
    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    atomic_fetch_add(&c->worker_chunks, 1);
    if (!sigismember(&cur, SIGINT) || !sigismember(&cur, SIGTERM) || !sigismember(&cur, SIGUSR1))
        atomic_fetch_add(&c->worker_unblocked, 1);
}

int main(void)
{
    ok(run_combos(NULL), "NULL pool: every index exactly once");
    ok(por_pool_size(NULL) == 1, "NULL pool has size 1");

    por_pool *p1 = por_pool_create(1);
    ok(p1 && por_pool_size(p1) == 1, "pool of 1");
    ok(run_combos(p1), "pool of 1: every index exactly once");
    por_pool_destroy(p1);

    por_pool *p4 = por_pool_create(4);
    ok(p4 && por_pool_size(p4) == 4, "pool of 4");
    ok(run_combos(p4), "pool of 4: every index exactly once, chunks >= min_chunk");

    /* negative: the checker notices an index visited twice */
    record_reset(&rec);
    rec.double_visit = 1;
    por_pool_parallel_for(p4, 1000, 10, record_range, &rec);
    ok(!record_check(&rec, 1000, 10), "the coverage check rejects a double visit");
    /* negative: and a short chunk that is not the last */
    record_reset(&rec);
    por_pool_parallel_for(p4, 1000, 1, record_range, &rec);
    ok(!record_check(&rec, 1000, 999), "the coverage check rejects chunks below min_chunk");

    int reuse = 1;
    for (int i = 0; i < 500; i++) {
        record_reset(&rec);
        size_t n = 1 + (size_t)i * 9;
        por_pool_parallel_for(p4, n, 1 + (size_t)(i % 5), record_range, &rec);
        reuse &= record_check(&rec, n, 1 + (size_t)(i % 5));
    }
    ok(reuse, "500 jobs in a row on the same pool");

    thread_set ts = {.nseen = 0};
    pthread_mutex_init(&ts.lock, NULL);
    por_pool_parallel_for(p4, 64, 1, note_thread, &ts);
    ok(ts.nseen >= 2, "a job runs on several threads (%d seen)", ts.nseen);
    pthread_mutex_destroy(&ts.lock);

    sig_ctx sc = {.caller = pthread_self()};
    atomic_init(&sc.worker_chunks, 0);
    atomic_init(&sc.worker_unblocked, 0);
    por_pool_parallel_for(p4, 64, 1, check_mask, &sc);
    sigset_t cur;
    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    ok(atomic_load(&sc.worker_chunks) > 0 && atomic_load(&sc.worker_unblocked) == 0,
       "workers run with SIGINT, SIGTERM, SIGUSR1 blocked (%d worker chunks)",
       atomic_load(&sc.worker_chunks));
    ok(!sigismember(&cur, SIGINT), "the caller's signal mask is left as it was");

    nest_ctx nc = {.pool = p4};
    atomic_init(&nc.total, 0);
    por_pool_parallel_for(p4, 50, 1, outer_range, &nc);
    is_u64(atomic_load(&nc.total), 50 * 100, "nested parallel_for completes and covers everything");
    por_pool_destroy(p4);

    por_pool *pd = por_pool_create(0);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    ok(pd && por_pool_size(pd) == (unsigned)(online > 0 ? online : 1),
       "default size = online cores (%ld)", online);
    ok(run_combos(pd), "default pool: every index exactly once");
    por_pool_destroy(pd);
    por_pool_destroy(NULL);
    ok(1, "destroying a NULL pool is a no-op");

    /* create and destroy repeatedly, idle and after work */
    int cycles = 1;
    for (int i = 0; i < 20; i++) {
        por_pool *p = por_pool_create(1 + (unsigned)(i % 4));
        cycles &= p != NULL;
        if (i % 2) {
            record_reset(&rec);
            por_pool_parallel_for(p, 777, 3, record_range, &rec);
            cycles &= record_check(&rec, 777, 3);
        }
        por_pool_destroy(p);
    }
    ok(cycles, "20 create/use/destroy cycles");
    return done_testing();
}
