/*
 * Recursion (recursion/plonk_circuit.h): the cost of verifying por proofs
 * inside a circuit.  One zero-knowledge batch proof of 2^k accounts x A
 * assets (default 1024 x 53) in the batch configuration, then, on 2
 * threads:
 *   recursion.batch.prove            the batch proof itself (ms; .prove_cpu in
 *                                    CPU seconds), for the pipeline's balance
 *                                    of inner and outer work
 *   recursion.verify_batch.rows      rows that verify one batch proof
 *   recursion.fanin<F>.rows          gate rows of a recursive circuit verifying
 *                                    F batch proofs (their statements its public
 *                                    inputs; the same proof F times: the cost
 *                                    does not depend on the values), and
 *                                    .setup, .witness (generation), .prove
 *                                    (witness generation + PLONK proof, wall),
 *                                    .core_s_per_child (the CPU seconds of
 *                                    .prove over F), .verify (best of 3), .size,
 *                                    .peak_rss (the high-water mark over the
 *                                    fan-in's own work: reset before it where
 *                                    Linux allows)
 *   recursion.verify_recursive.rows  rows that verify the fan-in-2 proof
 * Arguments (any order): KxA (the batch shape), fanin=1,2,4 (the fan-ins),
 * inner=R/Q/G/C (rate bits, queries, grinding bits, cap height of the batch
 * proof; default por_batch_config_default), routed=N (the recursive
 * circuits' routed wires; default por_rec_config_default's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim */
#endif

#include "bench.h"
#include "plonk/plonk_soundness.h"
#include "por/batch.h"
#include "recursion/plonk_circuit.h"
#include "util/threadpool.h"

static double ms_since(uint64_t t0) { return (double)(bench_now_ns() - t0) / 1e6; }

/* CPU seconds of the whole process so far (every thread): on a shared
 * machine, the work itself, where wall time also counts waiting. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x7265637572736976ULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Peak RSS since the last reset (VmHWM), or the process's peak if /proc
 * has no such line. */
static long peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[128];
    long kib = -1;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib >= 0 ? kib : bench_peak_rss_kib();
}

/* Resets VmHWM to the current RSS (Linux >= 4.0; ignored elsewhere), after
 * handing freed memory back (glibc keeps the batch prover's in its arenas). */
static void reset_peak_rss(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

static void report_claim(const char *key, const por_plonk_vk *vk)
{
    por_soundness s;
    char buf[256];
    if (por_plonk_soundness(vk, 0, &s) != 0)
        return;
    por_soundness_describe(&s, buf, sizeof(buf));
    printf("%s: 2^%u rows, rate 1/%u, %u queries, %u grinding bits, cap %u, arity 2^%u: %s\n", key, vk->degree_bits,
           1u << vk->fri.rate_bits, vk->fri.num_queries, vk->fri.pow_bits, vk->fri.cap_height,
           vk->config.arity_bits, buf);
}

/* The batch proof: key copied into *vk, proof into *proof; 0 or -1. */
static int batch_proof(unsigned k, unsigned A, const por_circuit_config *icfg, por_pool *pool, por_plonk_vk *vk,
                       por_plonk_proof *proof)
{
    size_t N = (size_t)1 << k;
    por_asset *assets = calloc(A, sizeof(*assets));
    uint64_t *bal = calloc(N * 2 * A, sizeof(uint64_t));
    por_digest *cm = calloc(N, sizeof(por_digest));
    const char *why = "out of memory";
    por_batch_circuit *bc = NULL;
    por_plonk_prover *pk = NULL;
    por_witness *w = NULL;
    int rc = -1;
    if (!assets || !bal || !cm)
        goto out;
    for (unsigned a = 0; a < A; a++) {
        snprintf(assets[a].symbol, sizeof(assets[a].symbol), "AS%u", a);
        assets[a].decimals = 8;
        assets[a].price_units = 1 + next() % 100000000;
        assets[a].haircut = 100;
    }
    por_params params = {.snapshot_id = 7, .snapshot_time_us = 1700000000000000LL, .balance_bits = 62,
                         .price_scale = 8, .batch_log2 = k, .leaf_count = N, .asset_count = A,
                         .assets = assets};
    for (size_t u = 0; u < N; u++) {
        for (unsigned a = 0; a < A; a++)
            bal[2 * A * u + a] = next() >> 20; /* equity only: solvent */
        for (int i = 0; i < 4; i++)
            cm[u].e[i] = gl_from_u64(next());
    }
    bc = por_batch_circuit_build(k, A, 62, true, icfg, &why);
    pk = bc ? por_plonk_setup(bc->circuit, pool, &why) : NULL;
    por_batch_public pub;
    if (!pk || por_batch_witness(bc, &params, cm, bal, false, &w, &pub, &why) != 0)
        goto out;
    uint64_t t0 = bench_now_ns();
    double c0 = cpu_s();
    if (por_batch_prove(pk, bc, w, pool, NULL, &pub, proof, &why) != 0)
        goto out;
    bench_report("recursion.batch.prove", ms_since(t0), "ms");
    bench_report("recursion.batch.prove_cpu", cpu_s() - c0, "s");
    report_claim("recursion.batch.config", por_plonk_prover_vk(pk));
    if (por_plonk_vk_copy(por_plonk_prover_vk(pk), vk) != 0) /* outlives the batch prover */
        goto out;
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "recursion: batch proof: %s\n", why);
    por_witness_free(w);
    por_plonk_prover_free(pk);
    por_batch_circuit_free(bc);
    free(assets);
    free(bal);
    free(cm);
    return rc;
}

/* A circuit verifying F proofs under vk, their public inputs its own. */
typedef struct {
    por_circuit *c;
    por_rec_plonk_proof *tp;
    unsigned F;
    size_t verify_rows; /* rows of the first verification */
} recursive_circuit;

static void recursive_free(recursive_circuit *r)
{
    for (unsigned i = 0; r->tp && i < r->F; i++)
        por_rec_plonk_proof_free(&r->tp[i]);
    free(r->tp);
    por_circuit_free(r->c);
    memset(r, 0, sizeof(*r));
}

/* routed=N overrides the recursive circuits' routed wires (0: the default) */
static unsigned routed_override;

static int recursive_build(recursive_circuit *r, const por_plonk_vk *vk, unsigned F)
{
    memset(r, 0, sizeof(*r));
    por_circuit_config cfg;
    por_rec_config_default(&cfg);
    if (routed_override)
        cfg.num_routed_wires = routed_override;
    por_builder *b = por_builder_new(&cfg);
    r->tp = calloc(F, sizeof(*r->tp));
    if (!b || !r->tp) {
        por_builder_free(b);
        return -1;
    }
    r->F = F;
    for (unsigned i = 0; i < F; i++) {
        por_rec_plonk_proof_add(b, vk, &r->tp[i]);
        size_t r0 = por_builder_num_rows(b);
        por_rec_plonk_verify(b, vk, &r->tp[i]);
        if (i == 0)
            r->verify_rows = por_builder_num_rows(b) - r0;
        for (size_t j = 0; j < vk->num_public_inputs; j++)
            por_builder_register_public_input(b, r->tp[i].public_inputs[j]);
    }
    const char *why = NULL;
    r->c = por_builder_build(b, &why);
    por_builder_free(b);
    if (!r->c)
        fprintf(stderr, "recursion: fan-in %u circuit: %s\n", F, why);
    return r->c ? 0 : -1;
}

/* Builds, proves and verifies a fan-in F proof of `child` under vk; keeps its
 * prover in *pk_out (for the next level's rows) when pk_out is not NULL. */
static int fan_in(unsigned F, const por_plonk_vk *vk, const por_plonk_proof *child, por_pool *pool,
                  por_plonk_prover **pk_out)
{
    char key[64];
    reset_peak_rss();
    recursive_circuit r;
    por_plonk_prover *pk = NULL;
    por_witness *w = NULL;
    por_plonk_proof proof;
    memset(&proof, 0, sizeof(proof));
    const char *why = "build";
    int rc = -1;
    uint64_t t0 = bench_now_ns();
    if (recursive_build(&r, vk, F) != 0)
        goto out;
    pk = por_plonk_setup(r.c, pool, &why);
    if (!pk)
        goto out;
    snprintf(key, sizeof(key), "recursion.fanin%u.rows", F);
    bench_report(key, (double)r.c->num_gate_rows, "rows");
    snprintf(key, sizeof(key), "recursion.fanin%u.setup", F);
    bench_report(key, ms_since(t0), "ms");
    t0 = bench_now_ns();
    double c0 = cpu_s();
    w = por_witness_new(r.c);
    why = "witness";
    for (unsigned i = 0; i < F; i++)
        if (!w || por_rec_plonk_proof_set(w, vk, &r.tp[i], child) != 0)
            goto out;
    if (por_witness_generate(w, &why) != 0)
        goto out;
    snprintf(key, sizeof(key), "recursion.fanin%u.witness", F);
    bench_report(key, ms_since(t0), "ms");
    if (por_plonk_prove(pk, w, pool, NULL, &proof, &why) != 0)
        goto out;
    snprintf(key, sizeof(key), "recursion.fanin%u.prove", F);
    bench_report(key, ms_since(t0), "ms");
    snprintf(key, sizeof(key), "recursion.fanin%u.core_s_per_child", F);
    bench_report(key, (cpu_s() - c0) / F, "s");
    double best = 1e30;
    for (int k = 0; k < 3; k++) {
        t0 = bench_now_ns();
        if (por_plonk_verify(por_plonk_prover_vk(pk), &proof, &why) != 0)
            goto out;
        double v = ms_since(t0);
        best = v < best ? v : best;
    }
    snprintf(key, sizeof(key), "recursion.fanin%u.verify", F);
    bench_report(key, best, "ms");
    snprintf(key, sizeof(key), "recursion.fanin%u.size", F);
    bench_report(key, (double)por_plonk_proof_encoded_len(&proof), "bytes");
    snprintf(key, sizeof(key), "recursion.fanin%u.peak_rss", F);
    bench_report(key, (double)peak_rss_kib(), "KiB");
    snprintf(key, sizeof(key), "recursion.fanin%u.config", F);
    report_claim(key, por_plonk_prover_vk(pk));
    rc = 0;
    if (pk_out) {
        *pk_out = pk;
        pk = NULL;
    }
out:
    if (rc)
        fprintf(stderr, "recursion: fan-in %u: %s\n", F, why);
    por_plonk_proof_free(&proof);
    por_witness_free(w);
    por_plonk_prover_free(pk);
    recursive_free(&r);
    return rc;
}

/* inner=R/Q/G/C */
static int parse_inner(const char *s, por_circuit_config *cfg)
{
    unsigned r, q, g, c;
    if (sscanf(s, "inner=%u/%u/%u/%u", &r, &q, &g, &c) != 4)
        return -1;
    cfg->rate_bits = r, cfg->num_queries = q, cfg->pow_bits = g, cfg->cap_height = c;
    return por_circuit_config_check(cfg) ? -1 : 0;
}

int bench_recursion(int argc, char **argv)
{
    unsigned long n = 1024, A = 53;
    unsigned fanins[8] = {1, 2, 4}, nf = 3;
    por_circuit_config icfg;
    por_batch_config_default(&icfg);
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "fanin=", 6) == 0) {
            nf = 0;
            for (char *p = argv[i] + 6; *p && nf < 8; p += *p == ',') {
                char *end;
                unsigned long f = strtoul(p, &end, 10);
                if (end == p || f < 1 || f > 64)
                    nf = 9;
                else
                    fanins[nf++] = (unsigned)f;
                p = end;
            }
            if (nf > 8 || nf == 0) {
                fprintf(stderr, "recursion: fanin=F1,F2,... with 1 <= F <= 64, at most 8 of them\n");
                return 2;
            }
        } else if (strncmp(argv[i], "routed=", 7) == 0) {
            routed_override = (unsigned)strtoul(argv[i] + 7, NULL, 10);
        } else if (strncmp(argv[i], "inner=", 6) == 0) {
            if (parse_inner(argv[i], &icfg) != 0) {
                fprintf(stderr, "recursion: inner=RATE/QUERIES/GRINDING/CAP, a valid configuration\n");
                return 2;
            }
        } else if (sscanf(argv[i], "%lux%lu", &n, &A) != 2 || n < 8 || (n & (n - 1)) || A < 1 || A > 256) {
            fprintf(stderr, "recursion: arguments are NxA (N a power of two >= 8), fanin=..., inner=...\n");
            return 2;
        }
    }
    unsigned k = 0;
    while ((1UL << k) < n)
        k++;
    por_pool *pool = por_pool_create(2);
    por_plonk_vk vk;
    memset(&vk, 0, sizeof(vk));
    por_plonk_proof proof;
    memset(&proof, 0, sizeof(proof));
    por_plonk_prover *pk2 = NULL;
    int rc = 1;
    if (batch_proof(k, (unsigned)A, &icfg, pool, &vk, &proof) != 0)
        goto out;
    recursive_circuit r;
    if (recursive_build(&r, &vk, 1) != 0)
        goto out;
    bench_report("recursion.verify_batch.rows", (double)r.verify_rows, "rows");
    recursive_free(&r);
    for (unsigned i = 0; i < nf; i++)
        if (fan_in(fanins[i], &vk, &proof, pool, fanins[i] == 2 && !pk2 ? &pk2 : NULL) != 0)
            goto out;
    if (pk2) {
        if (recursive_build(&r, por_plonk_prover_vk(pk2), 1) != 0)
            goto out;
        bench_report("recursion.verify_recursive.rows", (double)r.verify_rows, "rows");
        recursive_free(&r);
    }
    rc = 0;
out:
    por_plonk_prover_free(pk2);
    por_plonk_proof_free(&proof);
    por_plonk_vk_free(&vk);
    por_pool_destroy(pool);
    return rc;
}
