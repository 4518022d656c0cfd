/* A small snapshot for the aggregation tests: nb batches of 2^k accounts x A
 * assets proven in the production batch configuration (zero knowledge), its
 * params, leaves and the account tree's root computed natively. */
#ifndef POR_TEST_AGG_FIXTURE_H
#define POR_TEST_AGG_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg/final_proof.h"
#include "por/inclusion.h"
#include "por/tree.h"
#include "proof_fixtures.h"
#include "tap.h"

#define AGG_FX_MAX_BATCHES 8
#define AGG_FX_MAX_ASSETS 3
#define AGG_FX_MAX_LEAVES (AGG_FX_MAX_BATCHES * 4)

typedef struct {
    unsigned k, A, nb;
    por_asset assets[AGG_FX_MAX_ASSETS];
    por_params params;
    por_digest leaf[AGG_FX_MAX_LEAVES];
    por_digest root;                           /* the account tree's */
    uint64_t total[2 * AGG_FX_MAX_ASSETS];      /* exact sums (below 2^64 here) */
    por_plonk_proof batch[AGG_FX_MAX_BATCHES]; /* batch proofs, in order */
    /* the inclusion proof of the last leaf (account "user-<leaf>") */
    por_inclusion probe;
    uint64_t probe_balance[2 * AGG_FX_MAX_ASSETS];
} agg_fx;

static inline void agg_fx_free(agg_fx *fx)
{
    for (unsigned i = 0; i < AGG_FX_MAX_BATCHES; i++)
        por_plonk_proof_free(&fx->batch[i]);
    memset(fx, 0, sizeof(*fx));
}

/* nb batches of 2^k accounts (k <= 2), snapshot id sid, equities below
 * 2^(64 - bal_shift); 0 or -1 (diagnosed). */
static inline int agg_fx_make(agg_fx *fx, unsigned k, unsigned A, unsigned nb, uint64_t sid, uint64_t seed,
                              unsigned bal_shift)
{
    memset(fx, 0, sizeof(*fx));
    if (A > AGG_FX_MAX_ASSETS || nb > AGG_FX_MAX_BATCHES || (nb << k) > AGG_FX_MAX_LEAVES)
        return -1;
    fx->k = k, fx->A = A, fx->nb = nb;
    for (unsigned a = 0; a < A; a++) {
        snprintf(fx->assets[a].symbol, sizeof(fx->assets[a].symbol), "A%u", a);
        fx->assets[a].decimals = 6;
        fx->assets[a].price_units = 100 + a;
        fx->assets[a].haircut = 100;
    }
    fx->params = (por_params){.snapshot_id = sid, .snapshot_time_us = 1700000000000000LL, .balance_bits = 62,
                              .price_scale = 2, .batch_log2 = k, .leaf_count = (uint64_t)nb << k,
                              .asset_count = A, .assets = fx->assets};
    const char *why = NULL;
    por_batch_circuit *bc = por_batch_circuit_build(k, A, 62, true, NULL, &why);
    por_plonk_prover *pk = bc ? por_plonk_setup(bc->circuit, NULL, &why) : NULL;
    int rc = pk ? 0 : -1;
    for (unsigned bi = 0; bi < nb && rc == 0; bi++) {
        uint64_t bal[4 * 2 * AGG_FX_MAX_ASSETS];
        por_digest cm[4];
        for (unsigned u = 0; u < (1u << k); u++) {
            for (unsigned a = 0; a < A; a++) {
                bal[2 * A * u + a] = test_rand_u64(&seed) >> bal_shift;
                bal[2 * A * u + A + a] = bal[2 * A * u + a] >> 3;
                fx->total[a] += bal[2 * A * u + a];
                fx->total[A + a] += bal[2 * A * u + A + a];
            }
            char id[32];
            int id_len = snprintf(id, sizeof(id), "user-%u", (bi << k) + u);
            gl_t salt[4];
            for (int i = 0; i < 4; i++)
                salt[i] = test_rand_u64(&seed) >> 1;
            por_id_commitment((const uint8_t *)id, (size_t)id_len, salt, &cm[u]);
            if (bi + 1 == nb && u + 1 == (1u << k)) {
                por_inclusion *pr = &fx->probe;
                memcpy(pr->account_id, id, (size_t)id_len);
                pr->account_id_len = (size_t)id_len;
                memcpy(pr->salt, salt, sizeof(salt));
                pr->leaf_index = (bi << k) + u;
                memcpy(fx->probe_balance, bal + 2 * A * u, 2 * A * sizeof(uint64_t));
            }
            por_leaf_hash(&cm[u], bal + 2 * A * u, bal + 2 * A * u + A, A, &fx->leaf[(bi << k) + u]);
        }
        por_witness *w = NULL;
        por_batch_public pub;
        rc = por_batch_witness(bc, &fx->params, cm, bal, false, &w, &pub, &why);
        uint64_t rs = seed;
        por_plonk_prove_opts opts = {.rand = test_rand_fields, .rand_ctx = &rs};
        if (rc == 0)
            rc = por_batch_prove(pk, bc, w, NULL, &opts, &pub, &fx->batch[bi], &why);
        por_witness_free(w);
    }
    por_plonk_prover_free(pk);
    por_batch_circuit_free(bc);
    if (rc == 0) {
        uint64_t n = fx->params.leaf_count;
        unsigned D = por_tree_depth(n);
        por_digest *levels[POR_MAX_DEPTH + 1];
        levels[0] = fx->leaf;
        for (unsigned h = 1; h <= D; h++)
            levels[h] = malloc(por_tree_level_size(n, h) * sizeof(por_digest));
        por_tree_build(NULL, levels, n);
        fx->root = D ? levels[D][0] : fx->leaf[0];
        por_inclusion *pr = &fx->probe;
        pr->params = fx->params;
        pr->equity = fx->probe_balance;
        pr->debt = fx->probe_balance + A;
        por_tree_path((const por_digest *const *)levels, n, pr->leaf_index, pr->siblings);
        pr->root = fx->root;
        for (unsigned h = 1; h <= D; h++)
            free(levels[h]);
        return 0;
    }
    diag("aggregation fixture: %s", why ? why : "failed");
    agg_fx_free(fx);
    return -1;
}

#endif
