/*
 * Allocation failure is reported, never fatal.  The library runs inside
 * PostgreSQL backends, where abort() or a crash restarts the whole cluster,
 * so every allocating entry point must return its error code instead.
 *
 * The operations: a forward NTT of 2^16 elements, an extension inverse NTT,
 * an LDE, a batch of inverse NTTs, a Merkle tree of 256 KiB, a salted PCS
 * commitment and an opening of it.  Each must either succeed with the
 * reference result (computed beforehand) or return its error code.
 *
 * 1. RLIMIT_AS: each budget runs in a forked child that lowers its soft
 *    address-space limit to what it already maps plus a small extra, runs
 *    the operations, and must exit normally (waitpid: WIFEXITED, never
 *    WIFSIGNALED).  Small budgets must make every operation fail at least
 *    once (else its failure path went untested), the largest must let all
 *    succeed.
 * 2. (glibc, no ASan) malloc is counted by wrappers in this binary: after
 *    everything is freed no allocation may remain (no leak on the failure
 *    paths), and on smaller sizes the k-th allocation of the operations is
 *    made to fail for every k in turn.
 *
 * Under AddressSanitizer the shadow memory makes RLIMIT_AS unusable and
 * malloc cannot be replaced, so 1 and 2 are skipped there; the unlimited run
 * and the harness self-test (a child that aborts is seen as killed) still run.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "field/field.h"
#include "commit/merkle.h"
#include "field/ntt.h"
#include "commit/pcs.h"
#include "proof_fixtures.h"
#include "tap.h"
#include "hash/transcript.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#if defined(__GLIBC__) && !UNDER_ASAN
#define COUNT_ALLOCS 1
#else
#define COUNT_ALLOCS 0
#endif

/* ------------------------------------------------------------------------
 * Counting allocator: wrappers over glibc's own entry points.  Only this
 * test's single thread allocates while counting is on.
 */
#if COUNT_ALLOCS
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

static bool counting;       /* count live allocations */
static long live;           /* allocations minus frees since counting began */
static bool injecting;      /* count calls, fail call number fail_at */
static long calls, fail_at = -1;
static bool failed_resize;  /* the injected failure hit a realloc of a live block */

static bool inject_failure(void) { return injecting && calls++ == fail_at; }

void *malloc(size_t n)
{
    if (inject_failure())
        return NULL;
    void *p = __libc_malloc(n);
    live += counting && p;
    return p;
}

void *calloc(size_t count, size_t size)
{
    if (inject_failure())
        return NULL;
    void *p = __libc_calloc(count, size);
    live += counting && p;
    return p;
}

void *realloc(void *p, size_t n)
{
    if (inject_failure()) {
        failed_resize = p != NULL;
        return NULL; /* as a real failure: p stays allocated */
    }
    void *q = __libc_realloc(p, n);
    if (counting) {
        if (!p && q)
            live++;
        else if (p && n == 0 && !q)
            live--; /* glibc: realloc(p, 0) frees p */
    }
    return q;
}

void free(void *p)
{
    live -= counting && p;
    __libc_free(p);
}
#endif

/* ------------------------------------------------------------------------
 * The operations and their fixtures
 */

#define MAX_BATCH 4
#define MAX_POLYS 8
#define PROTOCOL "por-oom-test"

typedef struct {
    unsigned ntt_log, ext_log, lde_log, lde_rate, batch_log, batch_count;
    unsigned tree_log, tree_width, pcs_log, pcs_rate, pcs_polys;
} sizes;

/* RLIMIT_AS sweep.  The LDE and the batch use tables of 2^15 entries
 * (256 KiB), so they meet the budget like the others. */
static const sizes LARGE = {.ntt_log = 16, .ext_log = 14, .lde_log = 15, .lde_rate = 1,
                            .batch_log = 15, .batch_count = 2, .tree_log = 12, .tree_width = 8,
                            .pcs_log = 10, .pcs_rate = 3, .pcs_polys = 8};
#if COUNT_ALLOCS
/* Every-allocation sweep: small, so that it is quick to repeat per allocation. */
static const sizes SMALL = {.ntt_log = 10, .ext_log = 8, .lde_log = 6, .lde_rate = 2,
                            .batch_log = 6, .batch_count = 2, .tree_log = 6, .tree_width = 8,
                            .pcs_log = 5, .pcs_rate = 3, .pcs_polys = 3};
#endif

enum { OP_NTT, OP_EXT, OP_LDE, OP_BATCH, OP_TREE, OP_COMMIT, OP_OPEN, NOPS };
static const char *const op_name[NOPS] = {"forward NTT",   "extension inverse NTT", "LDE",
                                          "inverse NTT batch", "Merkle tree", "PCS commit (salted)",
                                          "PCS open"};
/* What one operation did. */
enum { RES_OK, RES_FAILED, RES_WRONG, RES_NOT_RUN };

typedef struct {
    unsigned char r[NOPS];
    bool leak_known; /* COUNT_ALLOCS */
    long leaked;     /* allocations still live after everything was freed */
} report;

/* Inputs and reference results for the current sizes. */
static sizes S;
static gl_t *ntt_in, *ntt_ref;
static gl2_t *ext_in, *ext_ref;
static gl_t *lde_in, *lde_ref;
static gl_t *batch_in[MAX_BATCH], *batch_ref[MAX_BATCH];
static gl_t *tree_rows;
static por_digest tree_cap[4];
static gl_t *pcs_coeffs[MAX_POLYS];
static por_digest pcs_cap[4];
static por_fri_params pcs_params;
static uint8_t *open_ref;
static size_t open_ref_len;

static uint64_t seed = 0x00e11a110c;

static gl_t rnd(void) { return gl_from_u64(test_rand_u64(&seed)); }

static void *xalloc(size_t bytes)
{
    void *p = malloc(bytes);
    if (!p) {
        printf("Bail out! the test itself is out of memory\n");
        exit(1);
    }
    return p;
}

static gl_t *rnd_vec(size_t n)
{
    gl_t *v = xalloc(n * sizeof(gl_t));
    for (size_t i = 0; i < n; i++)
        v[i] = rnd();
    return v;
}

static gl_t *copy_vec(const gl_t *v, size_t n)
{
    gl_t *c = xalloc(n * sizeof(gl_t));
    memcpy(c, v, n * sizeof(gl_t));
    return c;
}

static bool zeroed(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

/* 0 with the right output -> RES_OK, -1 -> RES_FAILED, anything else is wrong. */
static unsigned char verdict(int rc, bool right)
{
    if (rc == -1)
        return RES_FAILED;
    return rc == 0 && right ? RES_OK : RES_WRONG;
}

/* The opening's transcript: params, the cap, then the point. */
static int pcs_open(const por_pcs_batch *b, por_pcs_proof *proof)
{
    por_transcript t;
    por_transcript_init(&t, PROTOCOL);
    por_fri_params_observe(&t, &pcs_params);
    por_transcript_label(&t, "oom.cap");
    por_transcript_observe_digests(&t, por_pcs_batch_cap(b), (size_t)1 << pcs_params.cap_height);
    por_transcript_label(&t, "oom.point");
    gl2_t z = por_transcript_squeeze_ext(&t);
    const por_pcs_batch *bp = b;
    return por_pcs_open(&pcs_params, &bp, 1, &z, 1, &t, NULL, proof);
}

static int pcs_commit(por_pcs_batch *b)
{
    uint64_t salt_seed = 5;
    return por_pcs_commit(b, NULL, (const gl_t *const *)pcs_coeffs, S.pcs_polys, S.pcs_log, S.pcs_rate,
                          pcs_params.cap_height, true, test_rand_fields, &salt_seed);
}

static bool make_fixtures(const sizes *sz)
{
    S = *sz;
    size_t n_ntt = (size_t)1 << S.ntt_log, n_ext = (size_t)1 << S.ext_log;
    size_t n_lde = (size_t)1 << (S.lde_log + S.lde_rate), n_batch = (size_t)1 << S.batch_log;
    bool good = true;
    ntt_in = rnd_vec(n_ntt);
    ntt_ref = copy_vec(ntt_in, n_ntt);
    good &= por_ntt_forward(ntt_ref, S.ntt_log, GL_GENERATOR) == 0;
    ext_in = xalloc(n_ext * sizeof(gl2_t));
    ext_ref = xalloc(n_ext * sizeof(gl2_t));
    for (size_t i = 0; i < n_ext; i++)
        ext_in[i] = (gl2_t){rnd(), rnd()};
    memcpy(ext_ref, ext_in, n_ext * sizeof(gl2_t));
    good &= por_ntt_inverse_br_ext(ext_ref, S.ext_log, GL_GENERATOR) == 0;
    lde_in = rnd_vec((size_t)1 << S.lde_log);
    lde_ref = xalloc(n_lde * sizeof(gl_t));
    good &= por_lde(lde_in, S.lde_log, S.lde_rate, lde_ref) == 0;
    for (unsigned k = 0; k < S.batch_count; k++) {
        batch_in[k] = rnd_vec(n_batch);
        batch_ref[k] = copy_vec(batch_in[k], n_batch);
        good &= por_ntt_inverse(batch_ref[k], S.batch_log, 1) == 0;
    }
    tree_rows = rnd_vec((size_t)S.tree_width << S.tree_log);
    por_matrix m = {S.tree_log, S.tree_width, tree_rows, NULL};
    por_merkle_tree t;
    if (por_merkle_build(&t, NULL, &m, 2, false, NULL, NULL) == 0) {
        memcpy(tree_cap, por_merkle_cap_ptr(&t), sizeof(tree_cap));
        por_merkle_free(&t);
    } else {
        good = false;
    }
    for (unsigned k = 0; k < S.pcs_polys; k++)
        pcs_coeffs[k] = rnd_vec((size_t)1 << S.pcs_log);
    good &= por_fri_params_init(&pcs_params, S.pcs_log, S.pcs_rate, 2, 8, 0, 2, 2) == 0;
    por_pcs_batch b;
    por_pcs_proof proof;
    memset(&proof, 0, sizeof(proof));
    if (good && pcs_commit(&b) == 0) {
        memcpy(pcs_cap, por_pcs_batch_cap(&b), sizeof(pcs_cap));
        good &= pcs_open(&b, &proof) == 0 &&
                por_pcs_proof_serialize(&proof, &open_ref, &open_ref_len) == 0;
        por_pcs_proof_free(&proof);
        por_pcs_batch_free(&b);
    } else {
        good = false;
    }
    return good;
}

static void free_fixtures(void)
{
    free(ntt_in);
    free(ntt_ref);
    free(ext_in);
    free(ext_ref);
    free(lde_in);
    free(lde_ref);
    for (unsigned k = 0; k < S.batch_count; k++) {
        free(batch_in[k]);
        free(batch_ref[k]);
    }
    free(tree_rows);
    for (unsigned k = 0; k < S.pcs_polys; k++)
        free(pcs_coeffs[k]);
    free(open_ref);
    open_ref = NULL;
}

/*
 * Runs every operation once on the current fixtures.  The caller's buffers
 * are allocated first; begin(ctx) and end(ctx) bracket the operations
 * themselves, so that a limit or an injected failure meets only the
 * library's own allocations.  Every allocation made here is freed here.
 */
static void run_ops(report *rep, void (*begin)(void *), void (*end)(void *), void *ctx)
{
#if COUNT_ALLOCS
    counting = true;
    live = 0;
#endif
    size_t n_ntt = (size_t)1 << S.ntt_log, n_ext = (size_t)1 << S.ext_log;
    size_t n_lde = (size_t)1 << (S.lde_log + S.lde_rate), n_batch = (size_t)1 << S.batch_log;
    gl_t *ntt = copy_vec(ntt_in, n_ntt), *lde = xalloc(n_lde * sizeof(gl_t));
    gl2_t *ext = xalloc(n_ext * sizeof(gl2_t));
    memcpy(ext, ext_in, n_ext * sizeof(gl2_t));
    gl_t *batch[MAX_BATCH];
    for (unsigned k = 0; k < S.batch_count; k++)
        batch[k] = copy_vec(batch_in[k], n_batch);
    por_merkle_tree tree;
    por_pcs_batch pcs;
    por_pcs_proof proof;
    memset(&proof, 0, sizeof(proof));
    por_matrix m = {S.tree_log, S.tree_width, tree_rows, NULL};
    int rc[NOPS];

    begin(ctx);
    rc[OP_NTT] = por_ntt_forward(ntt, S.ntt_log, GL_GENERATOR);
    rc[OP_EXT] = por_ntt_inverse_br_ext(ext, S.ext_log, GL_GENERATOR);
    rc[OP_LDE] = por_lde(lde_in, S.lde_log, S.lde_rate, lde);
    rc[OP_BATCH] = por_ntt_inverse_batch(NULL, batch, S.batch_count, S.batch_log, 1);
    rc[OP_TREE] = por_merkle_build(&tree, NULL, &m, 2, false, NULL, NULL);
    rc[OP_COMMIT] = pcs_commit(&pcs);
    rc[OP_OPEN] = rc[OP_COMMIT] == 0 ? pcs_open(&pcs, &proof) : 0;
    end(ctx);

    rep->r[OP_NTT] = verdict(rc[OP_NTT], memcmp(ntt, ntt_ref, n_ntt * sizeof(gl_t)) == 0);
    rep->r[OP_EXT] = verdict(rc[OP_EXT], memcmp(ext, ext_ref, n_ext * sizeof(gl2_t)) == 0);
    rep->r[OP_LDE] = verdict(rc[OP_LDE], memcmp(lde, lde_ref, n_lde * sizeof(gl_t)) == 0);
    bool batch_right = true;
    for (unsigned k = 0; k < S.batch_count; k++)
        batch_right &= memcmp(batch[k], batch_ref[k], n_batch * sizeof(gl_t)) == 0;
    rep->r[OP_BATCH] = verdict(rc[OP_BATCH], batch_right);
    /* a failed build or commit must leave its object zeroed (nothing to free) */
    if (rc[OP_TREE] == -1)
        rep->r[OP_TREE] = zeroed(&tree, sizeof(tree)) ? RES_FAILED : RES_WRONG;
    else
        rep->r[OP_TREE] = verdict(rc[OP_TREE], memcmp(por_merkle_cap_ptr(&tree), tree_cap,
                                                      sizeof(tree_cap)) == 0);
    if (rc[OP_COMMIT] == -1)
        rep->r[OP_COMMIT] = zeroed(&pcs, sizeof(pcs)) ? RES_FAILED : RES_WRONG;
    else
        rep->r[OP_COMMIT] = verdict(rc[OP_COMMIT], memcmp(por_pcs_batch_cap(&pcs), pcs_cap,
                                                          sizeof(pcs_cap)) == 0);
    if (rc[OP_COMMIT] != 0) {
        rep->r[OP_OPEN] = RES_NOT_RUN;
    } else if (rc[OP_OPEN] == 0) {
        uint8_t *bytes = NULL;
        size_t len = 0;
        bool same = por_pcs_proof_serialize(&proof, &bytes, &len) == 0 && len == open_ref_len &&
                    memcmp(bytes, open_ref, len) == 0;
        free(bytes);
        rep->r[OP_OPEN] = verdict(0, same);
    } else {
        rep->r[OP_OPEN] = verdict(rc[OP_OPEN], false);
    }

    if (rc[OP_TREE] == 0)
        por_merkle_free(&tree);
    if (rc[OP_COMMIT] == 0)
        por_pcs_batch_free(&pcs);
    por_pcs_proof_free(&proof); /* also after a failed open, as pcs.h asks */
    free(ntt);
    free(ext);
    free(lde);
    for (unsigned k = 0; k < S.batch_count; k++)
        free(batch[k]);
#if COUNT_ALLOCS
    counting = false;
    rep->leak_known = true;
    rep->leaked = live;
#else
    rep->leak_known = false;
    rep->leaked = 0;
#endif
}

static void no_op(void *ctx) { (void)ctx; }

/* One line per run: + ok, - reported failure, ! wrong, . not run. */
static void format_report(const report *rep, char line[NOPS + 1])
{
    static const char code[] = {'+', '-', '!', '.'};
    for (int op = 0; op < NOPS; op++)
        line[op] = code[rep->r[op] < 4 ? rep->r[op] : 2];
    line[NOPS] = 0;
}

/* ------------------------------------------------------------------------
 * Forked children under RLIMIT_AS
 */

/* Address space mapped now, from /proc/self/statm (Linux); 0 if unknown. */
static size_t address_space_now(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    unsigned long pages = 0;
    int got = fscanf(f, "%lu", &pages);
    fclose(f);
    return got == 1 ? (size_t)pages * (size_t)sysconf(_SC_PAGESIZE) : 0;
}

/* The soft limit: lowered to what is mapped now plus `extra`, raised back to
 * the saved value (the hard limit is kept, so raising it again is allowed). */
typedef struct {
    size_t extra;
    struct rlimit saved;
} limit_ctx;

static void lower_limit(void *ctx)
{
    limit_ctx *l = ctx;
    size_t base = address_space_now();
    if (base == 0)
        _exit(95);
    struct rlimit r = l->saved;
    r.rlim_cur = (rlim_t)(base + l->extra);
    if (setrlimit(RLIMIT_AS, &r) != 0)
        _exit(98);
}

static void raise_limit(void *ctx)
{
    limit_ctx *l = ctx;
    if (setrlimit(RLIMIT_AS, &l->saved) != 0)
        _exit(98);
}

typedef enum { CHILD_BUDGET, CHILD_ABORTS } child_kind;

/*
 * Forks a child that sends its report through a pipe.  Returns the waitpid
 * status (-1 if fork or wait failed); *got says whether a whole report came.
 */
static int run_child(child_kind kind, size_t extra, report *rep, bool *got)
{
    int fd[2];
    *got = false;
    if (pipe(fd) != 0)
        return -1;
    fflush(stdout); /* the child must not repeat buffered TAP output */
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        close(fd[0]);
        report r;
        memset(&r, 0, sizeof(r));
        if (kind == CHILD_ABORTS) {
            struct rlimit no_core = {0, 0};
            setrlimit(RLIMIT_CORE, &no_core);
            abort(); /* what the library used to do on a failed allocation */
        }
        limit_ctx l = {.extra = extra};
        if (getrlimit(RLIMIT_AS, &l.saved) != 0)
            _exit(97);
        run_ops(&r, lower_limit, raise_limit, &l);
        ssize_t w = write(fd[1], &r, sizeof(r));
        _exit(w == (ssize_t)sizeof(r) ? 0 : 96);
    }
    close(fd[1]);
    size_t have = 0;
    while (have < sizeof(*rep)) {
        ssize_t k = read(fd[0], (char *)rep + have, sizeof(*rep) - have);
        if (k > 0)
            have += (size_t)k;
        else if (k == 0 || errno != EINTR)
            break;
    }
    close(fd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    *got = have == sizeof(*rep);
    return status;
}

/* Keeps the compiler from dropping the stack probe below. */
static volatile unsigned char stack_sink;

/*
 * Grows the main stack's mapping now: in a child under a tight RLIMIT_AS a
 * stack that had to grow would be killed by SIGSEGV, which is not what is
 * being tested.
 */
static void touch_stack(void)
{
    volatile unsigned char probe[256 * 1024];
    for (size_t i = 0; i < sizeof(probe); i += 4096)
        probe[i] = (unsigned char)i;
    stack_sink = probe[4096];
}

#if !UNDER_ASAN
/* The sweep of budgets over the address space already mapped. */
static void test_budgets(void)
{
    static const size_t extra_kib[] = {0,    16,   64,   128,  256,  384,  512,  768,
                                       1024, 1536, 2048, 3072, 4096, 8192, 65536};
    enum { NB = sizeof(extra_kib) / sizeof(extra_kib[0]) };
    if (address_space_now() == 0) {
        ok(1, "RLIMIT_AS budgets # SKIP no /proc/self/statm to measure the address space");
        return;
    }
    bool all_exited = true, all_reported = true, none_wrong = true, no_leak = true;
    bool failed_somewhere[NOPS] = {0}, last_all_ok = false, leak_known = true;
    for (size_t i = 0; i < NB; i++) {
        report rep;
        bool got;
        int status = run_child(CHILD_BUDGET, extra_kib[i] << 10, &rep, &got);
        if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            if (status != -1 && WIFSIGNALED(status))
                diag("budget +%zu KiB: child killed by signal %d", extra_kib[i], WTERMSIG(status));
            else
                diag("budget +%zu KiB: child exit status %d", extra_kib[i],
                     status == -1 ? -1 : WEXITSTATUS(status));
            all_exited = false;
            continue;
        }
        if (!got) {
            all_reported = false;
            continue;
        }
        char line[NOPS + 1];
        format_report(&rep, line);
        diag("budget +%5zu KiB: %s", extra_kib[i], line);
        bool all_ok = true;
        for (int op = 0; op < NOPS; op++) {
            if (rep.r[op] == RES_WRONG || rep.r[op] > RES_NOT_RUN) {
                none_wrong = false;
                diag("budget +%zu KiB: %s gave a wrong result", extra_kib[i], op_name[op]);
            }
            failed_somewhere[op] |= rep.r[op] == RES_FAILED;
            all_ok &= rep.r[op] == RES_OK;
        }
        if (i == NB - 1)
            last_all_ok = all_ok;
        leak_known &= rep.leak_known;
        if (rep.leak_known && rep.leaked != 0) {
            no_leak = false;
            diag("budget +%zu KiB: %ld allocations leaked", extra_kib[i], rep.leaked);
        }
    }
    ok(all_exited, "every child under a tight RLIMIT_AS exited normally (no abort, no crash)");
    ok(all_reported, "every child reported every operation's outcome");
    ok(none_wrong, "under every budget each operation succeeded with the reference result or returned -1");
    bool every_op_failed = true;
    for (int op = 0; op < NOPS; op++)
        if (!failed_somewhere[op]) {
            every_op_failed = false;
            diag("%s never failed: its failure path was not exercised", op_name[op]);
        }
    ok(every_op_failed, "every operation reported a failure under some budget");
    ok(last_all_ok, "with %zu MiB to spare every operation succeeds", extra_kib[NB - 1] >> 10);
    if (leak_known)
        ok(no_leak, "no allocation left behind by failed (or successful) operations");
    else
        ok(1, "no allocation left behind # SKIP allocations not counted here");
}
#endif

#if COUNT_ALLOCS
static void start_injecting(void *ctx)
{
    fail_at = *(const long *)ctx;
    calls = 0;
    failed_resize = false;
    injecting = true;
}

static void stop_injecting(void *ctx)
{
    (void)ctx;
    injecting = false;
}

/*
 * Fails the k-th allocation of the operations, for every k: each operation
 * must still succeed exactly or return -1, and nothing may leak.  Only a
 * failed realloc of a live block may go unreported (fri.c keeps its larger
 * buffer when a shrinking realloc fails; the results are then exact anyway).
 */
static void test_every_allocation(void)
{
    report rep;
    long none = -1;
    run_ops(&rep, start_injecting, stop_injecting, &none);
    long total = calls;
    ok(total > 0, "the operations allocate (%ld calls at the small sizes)", total);
    bool none_wrong = true, no_leak = true;
    long reported = 0, absorbed = 0, unreported = 0;
    for (long k = 0; k < total; k++) {
        run_ops(&rep, start_injecting, stop_injecting, &k);
        char line[NOPS + 1];
        format_report(&rep, line);
        bool failed = false;
        for (int op = 0; op < NOPS; op++) {
            if (rep.r[op] == RES_WRONG || rep.r[op] > RES_NOT_RUN) {
                none_wrong = false;
                diag("allocation %ld failed: %s gave a wrong result (%s)", k, op_name[op], line);
            }
            failed |= rep.r[op] == RES_FAILED;
        }
        if (rep.leaked != 0) {
            no_leak = false;
            diag("allocation %ld failed: %ld allocations leaked (%s)", k, rep.leaked, line);
        }
        reported += failed;
        absorbed += !failed && failed_resize;
        if (!failed && !failed_resize) {
            unreported++;
            diag("allocation %ld failed: no operation reported it (%s)", k, line);
        }
    }
    diag("%ld injected failures reported, %ld shrinking reallocs absorbed", reported, absorbed);
    ok(none_wrong, "failing any one allocation: every operation exact or -1");
    ok(no_leak, "failing any one allocation: nothing leaked");
    ok(unreported == 0 && reported > 0,
       "every injected failure (but a shrinking realloc) reported as -1 (%ld of %ld)", reported, total);
}
#endif

int main(void)
{
    touch_stack();
#if defined(__GLIBC__)
    /* every allocation of 32 KiB or more gets a fresh mapping that free
     * returns, so the large ones meet the budget instead of reusing heap */
    mallopt(M_MMAP_THRESHOLD, 32 * 1024);
#endif
    ok(make_fixtures(&LARGE), "fixtures: every reference operation succeeds without a limit");

    /* without a limit, the same harness sees every operation succeed */
    report rep;
    memset(&rep, 0xff, sizeof(rep));
    run_ops(&rep, no_op, no_op, NULL);
    bool all_ok = true;
    char line[NOPS + 1];
    format_report(&rep, line);
    for (int op = 0; op < NOPS; op++)
        if (rep.r[op] != RES_OK) {
            all_ok = false;
            diag("no limit: %s did not succeed (%s)", op_name[op], line);
        }
    ok(all_ok, "no limit: every operation returns 0 with the reference result");
    if (rep.leak_known)
        ok(rep.leaked == 0, "no limit: every allocation freed (%ld left)", rep.leaked);
    else
        ok(1, "no limit: every allocation freed # SKIP allocations not counted here");

    /* the harness itself: a child that aborts is seen as killed, not as exited */
    bool got;
    int status = run_child(CHILD_ABORTS, 0, &rep, &got);
    ok(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT && !got,
       "harness: an aborting child is detected (WIFSIGNALED, SIGABRT, no report)");

#if UNDER_ASAN
    ok(1, "RLIMIT_AS budgets # SKIP AddressSanitizer's shadow memory needs the address space");
#else
    test_budgets();
#endif
    free_fixtures();

#if COUNT_ALLOCS
    ok(make_fixtures(&SMALL), "small fixtures");
    test_every_allocation();
    free_fixtures();
#else
    ok(1, "failing every allocation in turn # SKIP malloc cannot be replaced here");
#endif
    return done_testing();
}
