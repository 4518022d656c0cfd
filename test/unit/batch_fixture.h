/* A small batch proof's ingredients (circuit, prover, witness) for tests that
 * look at what a real batch proof reveals or binds: 2^k accounts with
 * deterministic balances (every account solvent) and params, under a given
 * configuration. */
#ifndef POR_TEST_BATCH_FIXTURE_H
#define POR_TEST_BATCH_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plonk/plonk.h"
#include "por/batch.h"
#include "tap.h"

#define TEST_BATCH_MAX_ASSETS 4

typedef struct {
    por_asset assets[TEST_BATCH_MAX_ASSETS];
    por_params params;
    por_batch_circuit *bc;
    por_plonk_prover *pk;
    por_witness *w;
    por_batch_public pub;
} test_batch;

static inline void test_batch_free(test_batch *tb)
{
    por_witness_free(tb->w);
    por_plonk_prover_free(tb->pk);
    por_batch_circuit_free(tb->bc);
    memset(tb, 0, sizeof(*tb));
}

/* 0, or -1 with a diagnostic (tb is then freed). */
static inline int test_batch_make(test_batch *tb, unsigned k, unsigned A, const por_circuit_config *cfg,
                                  por_pool *pool)
{
    memset(tb, 0, sizeof(*tb));
    if (A > TEST_BATCH_MAX_ASSETS || k > 4)
        return -1;
    for (unsigned a = 0; a < A; a++) {
        snprintf(tb->assets[a].symbol, sizeof(tb->assets[a].symbol), "T%u", a);
        tb->assets[a].decimals = 8;
        tb->assets[a].price_units = 1000 + 7 * a;
        tb->assets[a].haircut = 100 - a;
    }
    tb->params = (por_params){.snapshot_id = 11, .snapshot_time_us = 1700000000000000LL, .balance_bits = 62,
                              .price_scale = 8, .batch_log2 = k, .leaf_count = 1ULL << k, .asset_count = A,
                              .assets = tb->assets};
    const size_t n = (size_t)1 << k;
    uint64_t bal[16 * 2 * TEST_BATCH_MAX_ASSETS];
    por_digest cm[16];
    uint64_t seed = 0x7a6b;
    for (size_t u = 0; u < n; u++) {
        for (unsigned a = 0; a < A; a++) {
            bal[2 * A * u + a] = test_rand_u64(&seed) >> 8;
            bal[2 * A * u + A + a] = bal[2 * A * u + a] >> 4; /* debt below equity: solvent */
        }
        for (int i = 0; i < 4; i++)
            cm[u].e[i] = test_rand_u64(&seed) >> 1;
    }
    const char *why = NULL;
    tb->bc = por_batch_circuit_build(k, A, 62, true, cfg, &why);
    if (tb->bc)
        tb->pk = por_plonk_setup(tb->bc->circuit, pool, &why);
    if (tb->pk && por_batch_witness(tb->bc, &tb->params, cm, bal, false, &tb->w, &tb->pub, &why) == 0)
        return 0;
    diag("test batch k=%u A=%u: %s", k, A, why ? why : "failed");
    test_batch_free(tb);
    return -1;
}

#endif
