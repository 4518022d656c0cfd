/*
 * Test fixture shared by the inclusion tests: a small snapshot (three assets
 * with realistic decimals and prices), accounts with derived salts and
 * solvent random balances, leaves sorted by id commitment, the built tree,
 * and a function that cuts an inclusion proof for any leaf.  Header-only,
 * deterministic (seeded), included once per test binary.
 */
#ifndef POR_FIXTURE_INCLUSION_H
#define POR_FIXTURE_INCLUSION_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "por/inclusion.h"
#include "por/salt.h"
#include "tap.h"

#define FX_MAX_LEAVES 1024

typedef struct {
    uint8_t id[POR_ACCOUNT_ID_MAX];
    size_t id_len;
    gl_t salt[4];
    uint64_t equity[3], debt[3];
    por_digest commitment;
} fx_account;

typedef struct {
    por_asset assets[3];
    por_params params;
    fx_account *accounts;       /* leaf order */
    por_digest *levels[POR_MAX_DEPTH + 1];
    unsigned depth;
} fixture;

static inline int fx_cmp(const void *a, const void *b)
{
    return por_digest_compare(&((const fx_account *)a)->commitment,
                              &((const fx_account *)b)->commitment);
}

/*
 * real accounts "acct-<i>" plus zero-balance padding up to a multiple of
 * 2^batch_log2.  Balances stay below 2^40 so sums and solvency are easy to
 * keep; debt only ever sits against at least as much equity of the same asset.
 */
static inline void fx_init(fixture *fx, uint64_t real_accounts, unsigned batch_log2, uint64_t seed)
{
    static const uint8_t key[POR_MASTER_KEY_BYTES] = {7, 7, 7};
    memset(fx, 0, sizeof(*fx));
    strcpy(fx->assets[0].symbol, "BTC");
    fx->assets[0].decimals = 8;
    fx->assets[0].price_units = 91234560000000000ULL; /* $91,234.56 per BTC at scale 20 */
    fx->assets[0].haircut = 90;
    strcpy(fx->assets[1].symbol, "ETH");
    fx->assets[1].decimals = 18;
    fx->assets[1].price_units = 301234;               /* $3,012.34 per ETH */
    fx->assets[1].haircut = 80;
    strcpy(fx->assets[2].symbol, "USDT");
    fx->assets[2].decimals = 6;
    fx->assets[2].price_units = 100010000000000ULL;   /* $1.0001 */
    fx->assets[2].haircut = 100;
    uint64_t batch = 1ULL << batch_log2;
    uint64_t n = (real_accounts + batch - 1) / batch * batch;
    if (n == 0)
        n = batch;
    fx->params = (por_params){.snapshot_id = 3,
                              .snapshot_time_us = 1795322320123456LL, /* 2026-11-22T04:38:40.123456Z */
                              .balance_bits = 62,
                              .price_scale = 20,
                              .batch_log2 = batch_log2,
                              .leaf_count = n,
                              .asset_count = 3,
                              .assets = fx->assets};
    fx->accounts = calloc(n, sizeof(fx_account));
    for (uint64_t i = 0; i < n; i++) {
        fx_account *a = &fx->accounts[i];
        bool real = i < real_accounts;
        a->id_len = (size_t)snprintf((char *)a->id, sizeof(a->id), real ? "acct-%llu" : "padding-%llu",
                                     (unsigned long long)i);
        por_salt_derive(key, fx->params.snapshot_id, a->id, a->id_len, a->salt);
        for (int k = 0; k < 3 && real; k++) {
            a->equity[k] = test_rand_u64(&seed) >> 24;
            a->debt[k] = (test_rand_u64(&seed) & 3) == 0 ? a->equity[k] / 2 : 0;
        }
        por_id_commitment(a->id, a->id_len, a->salt, &a->commitment);
    }
    qsort(fx->accounts, n, sizeof(fx_account), fx_cmp);
    fx->depth = por_tree_depth(n);
    for (unsigned h = 0; h <= fx->depth; h++)
        fx->levels[h] = calloc(por_tree_level_size(n, h), sizeof(por_digest));
    for (uint64_t i = 0; i < n; i++)
        por_leaf_hash(&fx->accounts[i].commitment, fx->accounts[i].equity, fx->accounts[i].debt, 3,
                      &fx->levels[0][i]);
    por_tree_build(NULL, fx->levels, n);
}

static inline const por_digest *fx_root(const fixture *fx) { return &fx->levels[fx->depth][0]; }

static inline void fx_free(fixture *fx)
{
    for (unsigned h = 0; h <= fx->depth; h++)
        free(fx->levels[h]);
    free(fx->accounts);
}

/* An inclusion proof for leaf i owning its arrays (por_inclusion_free applies). */
static inline void fx_proof(const fixture *fx, uint64_t i, por_inclusion *p)
{
    memset(p, 0, sizeof(*p));
    p->params = fx->params;
    p->params.assets = malloc(3 * sizeof(por_asset));
    memcpy(p->params.assets, fx->assets, 3 * sizeof(por_asset));
    const fx_account *a = &fx->accounts[i];
    memcpy(p->account_id, a->id, a->id_len);
    p->account_id_len = a->id_len;
    memcpy(p->salt, a->salt, sizeof(p->salt));
    p->leaf_index = i;
    p->equity = malloc(3 * sizeof(uint64_t));
    p->debt = malloc(3 * sizeof(uint64_t));
    memcpy(p->equity, a->equity, 3 * sizeof(uint64_t));
    memcpy(p->debt, a->debt, 3 * sizeof(uint64_t));
    por_tree_path((const por_digest *const *)fx->levels, fx->params.leaf_count, i, p->siblings);
    p->root = *fx_root(fx);
}

/* Index of the first real (non-padding) account in leaf order. */
static inline uint64_t fx_first_real(const fixture *fx)
{
    for (uint64_t i = 0; i < fx->params.leaf_count; i++)
        if (memcmp(fx->accounts[i].id, "acct-", 5) == 0)
            return i;
    return 0;
}

#endif
