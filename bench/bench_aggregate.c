/*
 * The aggregation circuit (agg.h) at its production configuration (zero
 * knowledge, rate 1/4, 44 queries), over batch proofs of KxA (default
 * 1024x53, 62-bit balances) for each fan-in F given (default 2 4 8).
 * Arguments: an optional "KxA", then fan-ins.  One batch proof is made and
 * stands for all F children (a snapshot of F identical batches: the circuit's
 * work does not depend on the values).  Per fan-in, on 2 threads:
 *   aggregate.NxA.fF.rows          level-1 circuit rows (2^degree) and gate rows
 *   aggregate.NxA.fF.level2_rows   rows of the level-2 circuit (children: level-1 proofs)
 *   aggregate.NxA.fF.keys          batch key + level-1 circuit build and setup (ms)
 *   aggregate.NxA.fF.witness       its witness alone (native checks, F children set, generation; ms)
 *   aggregate.NxA.fF.prove         one level-1 aggregation proof: witness + prove (ms)
 *   aggregate.NxA.fF.per_child     prove / F (ms)
 *   aggregate.NxA.fF.size          the proof, serialized (bytes)
 *   aggregate.NxA.fF.verify        por_agg_verify_node, best of 3 (ms)
 *   aggregate.NxA.fF.peak_rss      peak resident set size so far (KiB)
 *   aggregate.NxA.fF.estimate_1e5  aggregation of 10^5 accounts in ceil(10^5 / N)
 *                                  batches of N: the node count of every level
 *                                  (printed as .nodes_1e5) times this level-1
 *                                  prove time, scaled by rows above level 1 (ms)
 * then the compression layer (compress.h) over that level-1 proof as the top:
 *   aggregate.NxA.fF.compress.rows     its circuit's rows
 *   aggregate.NxA.fF.compress.setup    circuit build and setup (ms)
 *   aggregate.NxA.fF.compress.prove    witness + prove (ms)
 *   aggregate.NxA.fF.compress.size     the final proof (PORF file, bytes)
 *   aggregate.NxA.fF.compress.verify   the compression proof, best of 3 (ms)
 *   aggregate.NxA.fF.compress.bits     its conjectured claim, field term included
 *   aggregate.NxA.fF.compress.peak_rss peak resident set size so far (KiB)
 * and once: aggregate.NxA.batch_prove (the batch proof, ms).
 * POR_BENCH_AGG_CFG=rate_bits,queries,pow_bits measures another aggregation
 * configuration (same zero knowledge, cap height);
 * POR_BENCH_COMPRESS_CFG=rate_bits,queries,pow_bits,routed_wires another
 * compression configuration.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "agg/compress.h"
#include "agg/final_proof.h"
#include "bench.h"
#include "plonk/plonk_soundness.h"
#include "util/threadpool.h"

static double ms_since(uint64_t t0) { return (double)(bench_now_ns() - t0) / 1e6; }

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* One batch proof of 2^k x A under params (leaf_count set by the caller later). */
static int make_batch(unsigned k, unsigned A, por_params *params, por_pool *pool, por_plonk_proof *proof,
                      const char **why)
{
    size_t N = (size_t)1 << k;
    uint64_t *bal = calloc(N * 2 * A, sizeof(uint64_t));
    por_digest *cm = calloc(N, sizeof(por_digest));
    for (size_t u = 0; u < N; u++) {
        for (unsigned a = 0; a < A; a++) {
            bal[2 * A * u + a] = next() >> 20;
            bal[2 * A * u + A + a] = next() >> 30;
        }
        if (!por_account_solvent(params, bal + 2 * A * u, bal + 2 * A * u + A))
            memset(bal + 2 * A * u + A, 0, A * sizeof(uint64_t));
        for (int i = 0; i < 4; i++)
            cm[u].e[i] = gl_from_u64(next()) >> 1;
    }
    int rc = -1;
    por_batch_circuit *bc = por_batch_circuit_build(k, A, 62, true, NULL, why);
    por_plonk_prover *pk = bc ? por_plonk_setup(bc->circuit, pool, why) : NULL;
    por_witness *w = NULL;
    por_batch_public pub;
    if (pk && por_batch_witness(bc, params, cm, bal, false, &w, &pub, why) == 0)
        rc = por_batch_prove(pk, bc, w, pool, NULL, &pub, proof, why);
    por_witness_free(w);
    por_plonk_prover_free(pk);
    por_batch_circuit_free(bc);
    free(bal);
    free(cm);
    return rc;
}

/* With POR_BENCH_FINAL_DIR set: the final proof of the bench's snapshot (F
 * batches, one level: the level-1 node is the top) as <dir>/final-fF.porf,
 * for timing por-verify final on it. */
static void write_final(const char *tag, const por_agg_keys *keys, const por_plonk_proof *compressed)
{
    const char *dir = getenv("POR_BENCH_FINAL_DIR");
    por_final_proof fp;
    const char *why = "";
    if (dir == NULL)
        return;
    size_t len = 0;
    uint8_t *buf = por_final_proof_make(keys, compressed, &fp, &why) == 0 ? por_final_proof_encode(&fp, &len) : NULL;
    por_final_proof_free(&fp);
    char path[512];
    snprintf(path, sizeof(path), "%s/final-f%u.porf", dir, 1u << keys->shape.fan_in_log2);
    FILE *f = buf ? fopen(path, "wb") : NULL;
    if (f == NULL || fwrite(buf, 1, len, f) != len)
        fprintf(stderr, "%s: writing %s failed (%s)\n", tag, path, why);
    else
        printf("%s.compress.file: %s (%zu bytes)\n", tag, path, len);
    if (f != NULL)
        fclose(f);
    free(buf);
}

/* The compression layer over `top` (node 0 of the keys' one level), at
 * por_agg_compress_config or POR_BENCH_COMPRESS_CFG; the keys' own
 * compression prover is released first so the figures are its alone. */
static int run_compress(const char *tag, por_agg_keys *keys, const por_plonk_proof *top, por_pool *pool)
{
    char key[128];
    por_plonk_prover_free(keys->compress_prover);
    por_agg_compress_free(keys->compress);
    keys->compress_prover = NULL;
    keys->compress = NULL;
    por_circuit_config cfg;
    por_agg_compress_config(&cfg);
    const char *alt = getenv("POR_BENCH_COMPRESS_CFG");
    if (alt != NULL && sscanf(alt, "%u,%u,%u,%u", &cfg.rate_bits, &cfg.num_queries, &cfg.pow_bits,
                              &cfg.num_routed_wires) != 4) {
        fprintf(stderr, "%s: POR_BENCH_COMPRESS_CFG is rate_bits,queries,pow_bits,routed_wires\n", tag);
        return 1;
    }
    printf("%s.compress.config: rate 1/%u, %u queries, %u grinding bits, %u routed wires\n", tag,
           1u << cfg.rate_bits, cfg.num_queries, cfg.pow_bits, cfg.num_routed_wires);
    const char *why = "";
    uint64_t t0 = bench_now_ns();
    por_agg_compress_circuit *cc = por_agg_compress_build(&keys->shape, 1, &keys->vk[1], &cfg, &why);
    por_plonk_prover *pk = cc ? por_plonk_setup(cc->circuit, pool, &why) : NULL;
    double setup_ms = ms_since(t0);
    if (pk == NULL) {
        fprintf(stderr, "%s: compression setup: %s\n", tag, why);
        por_agg_compress_free(cc);
        return 1;
    }
    snprintf(key, sizeof(key), "%s.compress.rows", tag);
    bench_report(key, (double)cc->circuit->n, "rows");
    printf("%s.compress.gate_rows: %zu rows\n", tag, cc->circuit->num_gate_rows);
    snprintf(key, sizeof(key), "%s.compress.setup", tag);
    bench_report(key, setup_ms, "ms");
    por_plonk_proof proof;
    memset(&proof, 0, sizeof(proof));
    por_witness *w = NULL;
    t0 = bench_now_ns();
    int rc = por_agg_compress_witness(cc, top, false, &w, &why);
    if (rc == 0)
        rc = por_plonk_prove(pk, w, pool, NULL, &proof, &why);
    double prove_ms = ms_since(t0);
    por_witness_free(w);
    if (rc == 0) {
        snprintf(key, sizeof(key), "%s.compress.prove", tag);
        bench_report(key, prove_ms, "ms");
        /* the PORF file around it (header, then the PLONK proof) */
        uint8_t *buf;
        size_t len = 0;
        if (por_plonk_proof_serialize(&proof, &buf, &len) == 0)
            free(buf);
        snprintf(key, sizeof(key), "%s.compress.size", tag);
        bench_report(key, (double)(len + 16), "bytes");
        write_final(tag, keys, &proof);
        double best = 1e30;
        for (int r = 0; r < 3 && rc == 0; r++) {
            t0 = bench_now_ns();
            rc = por_plonk_verify(por_plonk_prover_vk(pk), &proof, &why);
            double v = ms_since(t0);
            best = v < best ? v : best;
        }
        snprintf(key, sizeof(key), "%s.compress.verify", tag);
        bench_report(key, rc == 0 ? best : -1, "ms");
        por_soundness s;
        if (por_plonk_soundness(por_plonk_prover_vk(pk), 0, &s) == 0) {
            snprintf(key, sizeof(key), "%s.compress.bits", tag);
            bench_report(key, s.conjectured_bits, "bits");
            printf("%s.compress.field_bits: %.2f\n", tag, s.field_bits);
        }
        snprintf(key, sizeof(key), "%s.compress.peak_rss", tag);
        bench_report(key, (double)bench_peak_rss_kib(), "KiB");
    } else {
        fprintf(stderr, "%s: compression: %s\n", tag, why);
    }
    por_plonk_proof_free(&proof);
    por_plonk_prover_free(pk);
    por_agg_compress_free(cc);
    return rc == 0 ? 0 : 1;
}

static int run_fan_in(unsigned k, unsigned A, unsigned f, por_params *params, const por_plonk_proof *batch,
                      por_pool *pool)
{
    const unsigned F = 1u << f;
    char key[96], tag[64];
    snprintf(tag, sizeof(tag), "aggregate.%ux%u.f%u", 1u << k, A, F);
    params->leaf_count = (uint64_t)F << k; /* F batches: every child present */
    const char *why = "";
    por_agg_shape shape = {.batch_log2 = k, .asset_count = A, .balance_bits = 62, .fan_in_log2 = f};
    por_agg_keys keys;
    por_circuit_config cfg;
    por_agg_inner_config(&cfg);
    const char *alt = getenv("POR_BENCH_AGG_CFG");
    if (alt != NULL && sscanf(alt, "%u,%u,%u", &cfg.rate_bits, &cfg.num_queries, &cfg.pow_bits) != 3) {
        fprintf(stderr, "%s: POR_BENCH_AGG_CFG is rate_bits,queries,pow_bits\n", tag);
        return 1;
    }
    if (alt != NULL)
        printf("%s.config: rate 1/%u, %u queries, %u grinding bits\n", tag, 1u << cfg.rate_bits, cfg.num_queries,
               cfg.pow_bits);
    uint64_t t0 = bench_now_ns();
    if (por_agg_keys_derive(&shape, 1, true, &cfg, pool, &keys, &why) != 0) {
        fprintf(stderr, "%s: keys: %s\n", tag, why);
        return 1;
    }
    double keys_ms = ms_since(t0);
    const por_circuit *c1 = keys.circuit[1]->circuit;
    snprintf(key, sizeof(key), "%s.rows", tag);
    bench_report(key, (double)c1->n, "rows");
    printf("%s.gate_rows: %zu rows (%zu per child)\n", tag, c1->num_gate_rows, c1->num_gate_rows / F);
    /* the level above: its circuit over the level-1 key (built, not set up) */
    por_agg_circuit *l2 = por_agg_circuit_build(&shape, 2, &keys.vk[1], &cfg, &why);
    size_t rows2 = l2 ? l2->circuit->n : 0;
    snprintf(key, sizeof(key), "%s.level2_rows", tag);
    bench_report(key, (double)rows2, "rows");
    por_agg_circuit_free(l2);
    snprintf(key, sizeof(key), "%s.keys", tag);
    bench_report(key, keys_ms, "ms");
    { /* what the quotient evaluates at every point: each gate type's constraints */
        const por_circuit *cc = keys.circuit[1]->circuit;
        printf("%s.gate_types: %u (name(param) x rows / constraints):", tag, cc->num_gate_types);
        for (unsigned t = 0; t < cc->num_gate_types; t++) {
            size_t rows = 0;
            for (size_t r = 0; r < cc->n; r++)
                rows += cc->row_type[r] == t;
            printf(" %s(%u) x %zu / %u", cc->gate_types[t].vt->name, cc->gate_types[t].params[0], rows,
                   cc->gate_types[t].num_constraints);
        }
        printf("\n");
    }

    const por_plonk_proof *children[1u << POR_AGG_MAX_FAN_IN_LOG2];
    for (unsigned c = 0; c < F; c++)
        children[c] = batch;
    por_witness *w = NULL;
    por_agg_public expected;
    t0 = bench_now_ns();
    if (por_agg_witness(keys.circuit[1], params, 0, children, false, &w, &expected, &why) == 0) {
        snprintf(key, sizeof(key), "%s.witness", tag);
        bench_report(key, ms_since(t0), "ms");
    }
    por_witness_free(w);
    por_plonk_proof proof;
    por_plonk_timings times;
    memset(&times, 0, sizeof(times));
    por_plonk_prove_opts opts = {.timings = &times};
    t0 = bench_now_ns();
    int rc = por_agg_prove_node(&keys, 1, 0, params, children, pool, &opts, &proof, NULL, &why);
    double prove_ms = ms_since(t0);
    printf("%s.prove_phases: wires %.0f ms, permutation %.0f ms, quotient %.0f ms, quotient commit %.0f ms,"
           " opening %.0f ms\n",
           tag, times.wires, times.permutation, times.quotient, times.quotient_commit, times.opening);
    if (rc != 0) {
        fprintf(stderr, "%s: prove: %s\n", tag, why);
        por_plonk_proof_free(&proof);
        por_agg_keys_free(&keys);
        return 1;
    }
    snprintf(key, sizeof(key), "%s.prove", tag);
    bench_report(key, prove_ms, "ms");
    snprintf(key, sizeof(key), "%s.per_child", tag);
    bench_report(key, prove_ms / F, "ms");
    uint8_t *buf;
    size_t len;
    if (por_plonk_proof_serialize(&proof, &buf, &len) == 0) {
        snprintf(key, sizeof(key), "%s.size", tag);
        bench_report(key, (double)len, "bytes");
        free(buf);
    }
    double best = 1e30;
    for (int r = 0; r < 3 && rc == 0; r++) {
        t0 = bench_now_ns();
        rc = por_agg_verify_node(&keys, 1, &proof, NULL, &why);
        double v = ms_since(t0);
        best = v < best ? v : best;
    }
    snprintf(key, sizeof(key), "%s.verify", tag);
    bench_report(key, rc == 0 ? best : -1, "ms");
    snprintf(key, sizeof(key), "%s.peak_rss", tag);
    bench_report(key, (double)bench_peak_rss_kib(), "KiB");
    /* 10^5 accounts: level 1 at the measured time, the levels above scaled by their rows */
    const uint64_t batches = (100000 + ((uint64_t)1 << k) - 1) >> k;
    double est = 0;
    printf("%s.nodes_1e5: %" PRIu64 " batches, nodes per level", tag, batches);
    for (unsigned l = 1; l <= por_agg_levels(batches, f); l++) {
        printf(" %" PRIu64, por_agg_level_size(batches, f, l));
        est += (double)por_agg_level_size(batches, f, l) * prove_ms *
               (l == 1 || !rows2 ? 1.0 : (double)rows2 / c1->n);
    }
    printf("\n");
    snprintf(key, sizeof(key), "%s.estimate_1e5", tag);
    bench_report(key, est, "ms");
    if (rc == 0)
        rc = run_compress(tag, &keys, &proof, pool);
    por_plonk_proof_free(&proof);
    por_agg_keys_free(&keys);
    return rc == 0 ? 0 : 1;
}

int bench_aggregate(int argc, char **argv)
{
    unsigned n = 1024, A = 53;
    int first = 0;
    if (argc > 0 && strchr(argv[0], 'x') != NULL) {
        if (sscanf(argv[0], "%ux%u", &n, &A) != 2 || n == 0 || (n & (n - 1)) != 0) {
            fprintf(stderr, "aggregate: expected KxA with K a power of two, got %s\n", argv[0]);
            return 1;
        }
        first = 1;
    }
    unsigned k = 0;
    while ((1u << k) < n)
        k++;
    por_asset *assets = calloc(A, sizeof(*assets));
    for (unsigned a = 0; a < A; a++) {
        snprintf(assets[a].symbol, sizeof(assets[a].symbol), "AS%u", a);
        assets[a].decimals = 8;
        assets[a].price_units = 1 + next() % 100000000;
        assets[a].haircut = 50 + (uint32_t)(next() % 51);
    }
    por_params params = {.snapshot_id = 7, .snapshot_time_us = 1700000000000000LL, .balance_bits = 62,
                         .price_scale = 8, .batch_log2 = k, .leaf_count = (uint64_t)16 << k, .asset_count = A,
                         .assets = assets};
    por_pool *pool = por_pool_create(2);
    por_plonk_proof batch;
    memset(&batch, 0, sizeof(batch));
    const char *why = "";
    int rc = 0;
    /* the batch proof's params digest fixes leaf_count: children of another
     * leaf count are refused, so each fan-in proves its own batch */
    static const unsigned defaults[] = {1, 2, 3};
    int nf = argc > first ? argc - first : 3;
    for (int i = 0; i < nf && rc == 0; i++) {
        unsigned F = argc > first ? (unsigned)atoi(argv[first + i]) : 1u << defaults[i];
        unsigned f = 0;
        while ((1u << f) < F)
            f++;
        if (F < 2 || (1u << f) != F || f > POR_AGG_MAX_FAN_IN_LOG2) {
            fprintf(stderr, "aggregate: fan-in must be 2, 4, 8 or 16, got %s\n", argv[first + i]);
            rc = 1;
            break;
        }
        params.leaf_count = (uint64_t)F << k;
        por_plonk_proof_free(&batch);
        memset(&batch, 0, sizeof(batch));
        uint64_t t0 = bench_now_ns();
        if (make_batch(k, A, &params, pool, &batch, &why) != 0) {
            fprintf(stderr, "aggregate: batch proof: %s\n", why);
            rc = 1;
            break;
        }
        if (i == 0) {
            char key[64];
            snprintf(key, sizeof(key), "aggregate.%ux%u.batch_prove", n, A);
            bench_report(key, ms_since(t0), "ms"); /* circuit build, setup, witness and proof */
        }
        rc = run_fan_in(k, A, f, &params, &batch, pool);
    }
    por_plonk_proof_free(&batch);
    por_pool_destroy(pool);
    free(assets);
    return rc;
}
