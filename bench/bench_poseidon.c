/*
 * Poseidon benchmarks, one core: the permutation (the implementation
 * poseidon_permute picks on this CPU, and the portable one), the time per
 * permutation when 8 are done at once (poseidon_permute_x8, then each 8-lane
 * build this CPU runs), hash_no_pad of 20 elements, a Merkle node hash, and
 * the Poseidon gate's constraints per point (eval_base, then eval_base_x8
 * and each of its implementations that runs here, per point of the 8).
 * Each figure is the median over several runs of the per-call time;
 * arguments: [runs] [calls per run] (the gate evaluates a tenth as many
 * points).
 *
 * Suite "grind" (bench_grind): Fiat-Shamir grinding at 16 and 22 bits, the
 * 8-lane search (por_transcript_grind) and the scalar one
 * (por_transcript_grind_scalar) on the same transcripts, one after the other.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "plonk/gates.h"
#include "hash/poseidon.h"
#include "hash/poseidon_internal.h"
#include "hash/transcript.h"
#include "util/threadpool.h"
#include "por/tree.h"

enum { DEFAULT_RUNS = 7, DEFAULT_CALLS = 100000, MAX_RUNS = 101 };

struct bench_cfg {
    int runs;
    long calls;
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median over cfg->runs runs of the mean time of one call, in ns.  Each call
 * feeds on the previous output, so the calls cannot overlap or be elided. */
static double median_ns(const struct bench_cfg *cfg, void (*step)(gl_t *), gl_t *state)
{
    double t[MAX_RUNS];
    for (int i = 0; i < cfg->calls / 10; i++)   /* warm-up */
        step(state);
    for (int r = 0; r < cfg->runs; r++) {
        uint64_t t0 = bench_now_ns();
        for (long i = 0; i < cfg->calls; i++)
            step(state);
        t[r] = (double)(bench_now_ns() - t0) / (double)cfg->calls;
    }
    qsort(t, (size_t)cfg->runs, sizeof(t[0]), cmp_double);
    return t[cfg->runs / 2];
}

static void step_permute(gl_t *s) { poseidon_permute(s); }

static void step_permute_portable(gl_t *s) { poseidon_permute_scalar(s); }

/* Eight permutations at once on a buffer of 8 states. */
static void step_permute_x8(gl_t *s) { poseidon_permute_x8((gl_t(*)[POSEIDON_WIDTH])s); }

/* The same with one 8-lane build: 1 AVX-512F, 2 AVX-512F + IFMA. */
static void step_permute_x8_f(gl_t *s) { poseidon_permute_x8_impl(1, (gl_t(*)[POSEIDON_WIDTH])s); }
static void step_permute_x8_ifma(gl_t *s) { poseidon_permute_x8_impl(2, (gl_t(*)[POSEIDON_WIDTH])s); }

/* 20 inputs: state[0..12] and 8 more words of the same buffer. */
static void step_hash20(gl_t *s)
{
    por_digest d;
    poseidon_hash_no_pad(s, 20, &d);
    memcpy(s, d.e, sizeof(d.e));
}

static void step_node(gl_t *s)
{
    por_digest d;
    por_hash(POR_DOMAIN_NODE, s, 8, &d);
    memcpy(s + 4, d.e, sizeof(d.e));
}

/* The Poseidon gate on honest rows: one row (scalar) or 8 lane-major
 * (stride 8).  Each call adds its last constraint (0) to an input, so that
 * it waits for the previous one and the rows stay honest. */
enum { GATE_NW = POR_POSEIDON_GATE_WIRES, GATE_NC = POR_POSEIDON_GATE_CONSTRAINTS };
static por_gate gate;
static gl_t gate_row[GATE_NW], gate_lanes[GATE_NW * 8], gate_out[GATE_NC * 8];

static void step_gate_eval(gl_t *w)
{
    gate.vt->eval_base(&gate, w, NULL, NULL, gate_out);
    w[0] = gl_add(w[0], gate_out[GATE_NC - 1]);
}

static void step_gate_eval_x8(gl_t *w)
{
    gate.vt->eval_base_x8(&gate, w, NULL, 8, NULL, gate_out);
    w[0] = gl_add(w[0], gate_out[(GATE_NC - 1) * 8]);
}

/* The same by implementation: 0 portable, 1 AVX-512F, 2 AVX-512F + IFMA. */
#define GATE_STEP(impl)                                                      \
    static void step_gate_eval_x8_##impl(gl_t *w)                            \
    {                                                                        \
        poseidon_gate_eval_x8_impl(impl, w, 8, gate_out);                    \
        w[0] = gl_add(w[0], gate_out[(GATE_NC - 1) * 8]);                    \
    }
GATE_STEP(0)
GATE_STEP(1)
GATE_STEP(2)

static void bench_gate(const struct bench_cfg *cfg)
{
    const char *why = por_gate_init(&gate, &por_gate_poseidon_vt, NULL, GATE_NW, POR_POSEIDON_GATE_ROUTED, 0);
    if (why) {
        fprintf(stderr, "poseidon gate: %s\n", why);
        return;
    }
    for (int l = 0; l < 8; l++) {
        gl_t row[GATE_NW] = {0};
        for (int i = 0; i < POSEIDON_WIDTH; i++)
            row[i] = (gl_t)(l * POSEIDON_WIDTH + i);
        gate.vt->generate(&gate, 0, NULL, row);
        for (int j = 0; j < GATE_NW; j++)
            gate_lanes[j * 8 + l] = row[j];
        if (l == 0)
            memcpy(gate_row, row, sizeof(row));
    }
    struct bench_cfg c1 = {cfg->runs, cfg->calls / 10 > 0 ? cfg->calls / 10 : 1};
    struct bench_cfg c8 = {cfg->runs, cfg->calls / 80 > 0 ? cfg->calls / 80 : 1};
    bench_report("poseidon.gate_eval", median_ns(&c1, step_gate_eval, gate_row), "ns");
    bench_report("poseidon.gate_eval.x8", median_ns(&c8, step_gate_eval_x8, gate_lanes) / 8, "ns");
    static const struct {
        int impl;
        const char *key;
        void (*step)(gl_t *);
    } builds[] = {{0, "poseidon.gate_eval.x8.portable", step_gate_eval_x8_0},
                  {1, "poseidon.gate_eval.x8.avx512f", step_gate_eval_x8_1},
                  {2, "poseidon.gate_eval.x8.avx512ifma", step_gate_eval_x8_2}};
    for (size_t b = 0; b < sizeof(builds) / sizeof(builds[0]); b++)
        if (poseidon_gate_eval_x8_impl(builds[b].impl, gate_lanes, 8, gate_out) == 0)
            bench_report(builds[b].key, median_ns(&c8, builds[b].step, gate_lanes) / 8, "ns");
}

int bench_poseidon(int argc, char **argv)
{
    struct bench_cfg cfg = {DEFAULT_RUNS, DEFAULT_CALLS};
    if (argc >= 1)
        cfg.runs = atoi(argv[0]);
    if (argc >= 2)
        cfg.calls = atol(argv[1]);
    if (cfg.runs < 1 || cfg.runs > MAX_RUNS || cfg.calls < 1) {
        fprintf(stderr, "usage: por-bench poseidon [runs (1..%d)] [calls per run]\n", MAX_RUNS);
        return 2;
    }

    gl_t buf[8 * POSEIDON_WIDTH];
    for (int i = 0; i < 8 * POSEIDON_WIDTH; i++)
        buf[i] = (gl_t)i;
    bench_report("poseidon.permutation", median_ns(&cfg, step_permute, buf), "ns");
    bench_report("poseidon.permutation.portable", median_ns(&cfg, step_permute_portable, buf), "ns");
    /* per permutation: 8 per call, and an eighth of the calls for a similar run time */
    struct bench_cfg cfg8 = {cfg.runs, cfg.calls / 8 > 0 ? cfg.calls / 8 : 1};
    bench_report("poseidon.permutation.x8", median_ns(&cfg8, step_permute_x8, buf) / 8, "ns");
    static const struct {
        int impl;
        const char *key;
        void (*step)(gl_t *);
    } builds[] = {{1, "poseidon.permutation.x8.avx512f", step_permute_x8_f},
                  {2, "poseidon.permutation.x8.avx512ifma", step_permute_x8_ifma}};
    for (size_t b = 0; b < sizeof(builds) / sizeof(builds[0]); b++) {
        gl_t probe[8][POSEIDON_WIDTH] = {{0}};
        if (poseidon_permute_x8_impl(builds[b].impl, probe) == 0)
            bench_report(builds[b].key, median_ns(&cfg8, builds[b].step, buf) / 8, "ns");
    }
    bench_report("poseidon.hash_no_pad.20", median_ns(&cfg, step_hash20, buf), "ns");
    bench_report("poseidon.por_hash.node", median_ns(&cfg, step_node, buf), "ns");
    bench_gate(&cfg);
    return 0;
}

/*
 * The mean wall time of one grind at 16 and at 22 bits over [transcripts]
 * (default 4) different transcripts, each ground by both searches in turn
 * (so both try exactly the same nonces, and drift of a shared machine hits
 * both alike), on a pool of [threads] (default 1).  Also reports the mean
 * number of nonces tried (the nonce found + 1), which sets the work.
 */
int bench_grind(int argc, char **argv)
{
    int transcripts = argc >= 1 ? atoi(argv[0]) : 4;
    int threads = argc >= 2 ? atoi(argv[1]) : 1;
    if (transcripts < 1 || threads < 1) {
        fprintf(stderr, "usage: por-bench grind [transcripts] [threads]\n");
        return 2;
    }
    por_pool *pool = threads > 1 ? por_pool_create((unsigned)threads) : NULL;
    if (threads > 1 && pool == NULL) {
        fprintf(stderr, "grind: cannot start %d threads\n", threads);
        return 1;
    }
    static const unsigned bit_counts[] = {16, 22};
    int rc = 0;
    for (size_t b = 0; b < sizeof(bit_counts) / sizeof(bit_counts[0]); b++) {
        unsigned bits = bit_counts[b];
        double lanes_ns = 0, scalar_ns = 0, nonces = 0;
        for (int i = 0; i < transcripts; i++) {
            por_transcript base;
            por_transcript_init(&base, "bench-grind");
            por_transcript_observe(&base, (gl_t)(bits * 1000 + (unsigned)i));
            por_transcript lanes = base, scalar = base;
            uint64_t t0 = bench_now_ns();
            uint64_t n_lanes = por_transcript_grind(&lanes, bits, pool);
            uint64_t t1 = bench_now_ns();
            uint64_t n_scalar = por_transcript_grind_scalar(&scalar, bits, pool);
            uint64_t t2 = bench_now_ns();
            if (n_lanes != n_scalar) {
                fprintf(stderr, "grind: %u bits: 8-lane nonce %llu, scalar %llu\n", bits,
                        (unsigned long long)n_lanes, (unsigned long long)n_scalar);
                rc = 1;
            }
            lanes_ns += (double)(t1 - t0);
            scalar_ns += (double)(t2 - t1);
            nonces += (double)n_lanes + 1;
        }
        char key[64];
        snprintf(key, sizeof(key), "transcript.grind.%u", bits);
        bench_report(key, lanes_ns / transcripts / 1e6, "ms");
        snprintf(key, sizeof(key), "transcript.grind.%u.scalar", bits);
        bench_report(key, scalar_ns / transcripts / 1e6, "ms");
        snprintf(key, sizeof(key), "transcript.grind.%u.nonces", bits);
        bench_report(key, nonces / transcripts, "nonces");
    }
    por_pool_destroy(pool);
    return rc;
}
