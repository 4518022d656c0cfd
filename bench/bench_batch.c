/*
 * The batch circuit (batch.h) at its production configuration (100-bit
 * security, zero knowledge): 2^k accounts x A assets with 62-bit balances,
 * by default 1024 x 8 (arguments: "KxA" pairs, e.g. 1024x8 1024x53).  Prints
 * per shape, on 2 threads:
 *   batch.NxA.rows        circuit rows (and rows per account)
 *   batch.NxA.setup       preprocessing (ms)
 *   batch.NxA.witness     native checks + expected statement + witness generation (ms)
 *   batch.NxA.prove       the PLONK proof (ms), then its phases (prove_phases)
 *   batch.NxA.verify      decode + verify with the expected statement, best of 3 (ms)
 *   batch.NxA.size        serialized proof (bytes)
 *   batch.NxA.peak_rss    peak resident set size so far (KiB)
 */
#include <stdlib.h>
#include <string.h>

#include "por/batch.h"
#include "bench.h"
#include "plonk/plonk.h"
#include "util/threadpool.h"

static double ms_since(uint64_t t0) { return (double)(bench_now_ns() - t0) / 1e6; }

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int run(unsigned k, unsigned A)
{
    size_t N = (size_t)1 << k;
    char key[64], tag[32];
    snprintf(tag, sizeof(tag), "batch.%zux%u", N, A);
    por_asset *assets = calloc(A, sizeof(*assets));
    uint64_t *bal = calloc(N * 2 * A, sizeof(uint64_t));
    por_digest *cm = calloc(N, sizeof(por_digest));
    for (unsigned a = 0; a < A; a++) {
        snprintf(assets[a].symbol, sizeof(assets[a].symbol), "AS%u", a);
        assets[a].decimals = 8;
        assets[a].price_units = 1 + next() % 100000000;
        assets[a].haircut = 50 + (uint32_t)(next() % 51);
    }
    por_params params = {.snapshot_id = 7, .snapshot_time_us = 1700000000000000LL, .balance_bits = 62,
                         .price_scale = 8, .batch_log2 = k, .leaf_count = N, .asset_count = A,
                         .assets = assets};
    for (size_t u = 0; u < N; u++) {
        for (unsigned a = 0; a < A; a++) {
            bal[2 * A * u + a] = next() >> 20;
            bal[2 * A * u + A + a] = next() >> 30;
        }
        if (!por_account_solvent(&params, bal + 2 * A * u, bal + 2 * A * u + A))
            memset(bal + 2 * A * u + A, 0, A * sizeof(uint64_t));
        for (int i = 0; i < 4; i++)
            cm[u].e[i] = gl_from_u64(next());
    }
    int rc = 1;
    const char *why = "";
    por_pool *pool = por_pool_create(2);
    por_batch_circuit *bc = por_batch_circuit_build(k, A, 62, true, NULL, &why);
    por_plonk_prover *pk = NULL;
    por_witness *w = NULL;
    por_plonk_proof proof;
    memset(&proof, 0, sizeof(proof));
    if (!bc)
        goto out;
    const por_batch_stats *st = &bc->stats;
    snprintf(key, sizeof(key), "%s.rows", tag);
    bench_report(key, (double)bc->circuit->n, "rows");
    snprintf(key, sizeof(key), "%s.gate_rows_per_account", tag);
    bench_report(key, (double)bc->circuit->num_gate_rows / (double)N, "rows");
    printf("%s.breakdown: poseidon %zu rows (leaf %zu, tree %zu, params %zu perms), balance %zu rows "
           "(%zu balances, %u per row), range %zu rows (%zu values), arithmetic %zu rows (solvency %zu, "
           "totals %zu, recompose %zu, other %zu ops), constant %zu, other %zu; L=%u R=%u columns=%u\n",
           tag, st->rows_poseidon, st->perms_leaf, st->perms_tree, st->perms_params, st->rows_balance,
           st->balance_slots, bc->slots_per_row, st->rows_range, st->range_values, st->rows_arith,
           st->ops_solvency, st->ops_totals, st->ops_recompose, st->ops_other, st->rows_const,
           st->rows_other, bc->price_limb_bits, bc->carry_bits, bc->columns);
    uint64_t t0 = bench_now_ns();
    pk = por_plonk_setup(bc->circuit, pool, &why);
    if (!pk)
        goto out;
    snprintf(key, sizeof(key), "%s.setup", tag);
    bench_report(key, ms_since(t0), "ms");
    por_batch_public pub;
    t0 = bench_now_ns();
    if (por_batch_witness(bc, &params, cm, bal, false, &w, &pub, &why) != 0)
        goto out;
    snprintf(key, sizeof(key), "%s.witness", tag);
    bench_report(key, ms_since(t0), "ms");
    t0 = bench_now_ns();
    por_plonk_timings times;
    por_plonk_prove_opts opts = {.timings = &times};
    if (por_batch_prove(pk, bc, w, pool, &opts, &pub, &proof, &why) != 0)
        goto out;
    snprintf(key, sizeof(key), "%s.prove", tag);
    bench_report(key, ms_since(t0), "ms");
    printf("%s.prove_phases: wires %.0f ms, permutation %.0f ms, quotient %.0f ms, quotient commit %.0f ms, "
           "opening %.0f ms\n",
           tag, times.wires, times.permutation, times.quotient, times.quotient_commit, times.opening);
    uint8_t *buf;
    size_t len;
    if (por_plonk_proof_serialize(&proof, &buf, &len) != 0)
        goto out;
    snprintf(key, sizeof(key), "%s.size", tag);
    bench_report(key, (double)len, "bytes");
    double best = 1e30;
    int vrc = 0;
    for (int r = 0; r < 3 && vrc == 0; r++) {
        por_plonk_proof dec;
        t0 = bench_now_ns();
        vrc = por_plonk_proof_deserialize(buf, len, &dec, &why) ||
              por_batch_verify(por_plonk_prover_vk(pk), A, &dec, &pub, NULL, &why);
        double v = ms_since(t0);
        best = v < best ? v : best;
        por_plonk_proof_free(&dec);
    }
    free(buf);
    if (vrc != 0)
        goto out;
    snprintf(key, sizeof(key), "%s.verify", tag);
    bench_report(key, best, "ms");
    snprintf(key, sizeof(key), "%s.peak_rss", tag);
    bench_report(key, (double)bench_peak_rss_kib(), "KiB");
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "%s: failed: %s\n", tag, why);
    por_plonk_proof_free(&proof);
    por_witness_free(w);
    por_plonk_prover_free(pk);
    por_batch_circuit_free(bc);
    por_pool_destroy(pool);
    free(assets);
    free(bal);
    free(cm);
    return rc;
}

int bench_batch(int argc, char **argv)
{
    if (argc == 0)
        return run(10, 8);
    for (int i = 0; i < argc; i++) {
        unsigned long n = 0, a = 0;
        if (sscanf(argv[i], "%lux%lu", &n, &a) != 2 || n == 0 || (n & (n - 1)) || a < 1 || a > 256) {
            fprintf(stderr, "batch: arguments are NxA, N a power of two\n");
            return 2;
        }
        unsigned k = 0;
        while ((1UL << k) < n)
            k++;
        if (run(k, (unsigned)a) != 0)
            return 1;
    }
    return 0;
}
