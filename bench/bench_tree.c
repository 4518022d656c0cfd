/*
 * Suite "tree": leaf hashing, building the account tree over 10^6 leaves on
 * all cores, and cutting / checking one inclusion proof.
 *
 *   bench/por-bench tree [LEAVES]     (default 1000000)
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "por/inclusion.h"

#define BENCH_ASSETS 8

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int bench_tree(int argc, char **argv)
{
    uint64_t n = argc >= 1 ? strtoull(argv[0], NULL, 10) : 1000000;
    if (n < 2 || n > (1ULL << 30)) {
        fprintf(stderr, "tree: LEAVES must be 2..2^30\n");
        return 2;
    }
    uint64_t seed = 1;

    /* one account of 8 assets: its leaf goes into the big tree so its proof verifies */
    por_asset assets[BENCH_ASSETS];
    uint64_t equity[BENCH_ASSETS], debt[BENCH_ASSETS];
    for (int a = 0; a < BENCH_ASSETS; a++) {
        memset(&assets[a], 0, sizeof(assets[a]));
        snprintf(assets[a].symbol, sizeof(assets[a].symbol), "TOK%d", a);
        assets[a].decimals = 8;
        assets[a].price_units = 1000 + (uint64_t)a;
        assets[a].haircut = 100;
        equity[a] = splitmix(&seed) >> 24;
        debt[a] = equity[a] / 3;
    }
    const uint8_t id[] = "bench-account-000001";
    gl_t salt[4] = {splitmix(&seed) >> 1, splitmix(&seed) >> 1, splitmix(&seed) >> 1, splitmix(&seed) >> 1};
    por_digest commitment, leaf;
    por_id_commitment(id, sizeof(id) - 1, salt, &commitment);

    const int reps = 2000;
    uint64_t t0 = bench_now_ns();
    for (int i = 0; i < reps; i++) {
        equity[0] ^= (uint64_t)i & 1; /* keep the work from being hoisted */
        por_leaf_hash(&commitment, equity, debt, BENCH_ASSETS, &leaf);
    }
    bench_report("tree.leaf_hash.8assets", (double)(bench_now_ns() - t0) / reps, "ns");
    por_leaf_hash(&commitment, equity, debt, BENCH_ASSETS, &leaf);

    unsigned depth = por_tree_depth(n);
    por_digest *levels[POR_MAX_DEPTH + 1];
    for (unsigned h = 0; h <= depth; h++) {
        levels[h] = malloc(por_tree_level_size(n, h) * sizeof(por_digest));
        if (levels[h] == NULL) {
            fprintf(stderr, "tree: out of memory\n");
            return 1;
        }
    }
    for (uint64_t i = 0; i < n; i++)
        for (int k = 0; k < 4; k++)
            levels[0][i].e[k] = splitmix(&seed) >> 1;
    uint64_t index = n / 3;
    levels[0][index] = leaf;

    por_pool *pool = por_pool_create(0);
    t0 = bench_now_ns();
    por_tree_build(pool, levels, n);
    char key[64];
    if (n == 1000000)
        snprintf(key, sizeof(key), "tree.build.1m");
    else
        snprintf(key, sizeof(key), "tree.build.%llu", (unsigned long long)n);
    bench_report(key, (double)(bench_now_ns() - t0) / 1e6, "ms");
    por_pool_destroy(pool);

    unsigned batch_log2 = 0;
    while (batch_log2 < 10 && n % (2ULL << batch_log2) == 0)
        batch_log2++;
    por_inclusion proof;
    memset(&proof, 0, sizeof(proof));
    proof.params = (por_params){.snapshot_id = 1, .snapshot_time_us = 1795322320123456LL,
                                .balance_bits = 62, .price_scale = 8, .batch_log2 = batch_log2,
                                .leaf_count = n, .asset_count = BENCH_ASSETS, .assets = assets};
    memcpy(proof.account_id, id, sizeof(id) - 1);
    proof.account_id_len = sizeof(id) - 1;
    memcpy(proof.salt, salt, sizeof(salt));
    proof.leaf_index = index;
    proof.equity = equity;
    proof.debt = debt;
    proof.root = levels[depth][0];

    const int proof_reps = 200;
    size_t len = 0;
    uint8_t *bin = NULL;
    t0 = bench_now_ns();
    for (int i = 0; i < proof_reps; i++) {
        free(bin);
        por_tree_path((const por_digest *const *)levels, n, index, proof.siblings);
        bin = por_inclusion_encode(&proof, &len);
    }
    bench_report("inclusion.build", (double)(bench_now_ns() - t0) / proof_reps / 1e3, "us");
    if (bin == NULL) {
        fprintf(stderr, "tree: encode failed\n");
        return 1;
    }

    int failures = 0;
    t0 = bench_now_ns();
    for (int i = 0; i < proof_reps; i++) {
        por_inclusion q;
        const char *why = NULL;
        if (por_inclusion_decode(bin, len, &q, &why) != 0 ||
            por_inclusion_verify(&q, &levels[depth][0], &why) != 0) {
            if (failures++ == 0)
                fprintf(stderr, "tree: proof rejected: %s\n", why);
        }
        por_inclusion_free(&q);
    }
    bench_report("inclusion.verify", (double)(bench_now_ns() - t0) / proof_reps / 1e3, "us");
    bench_report("inclusion.size", (double)len, "bytes");
    bench_report("tree.peak_rss", (double)bench_peak_rss_kib(), "KiB");

    free(bin);
    for (unsigned h = 0; h <= depth; h++)
        free(levels[h]);
    return failures ? 1 : 0;
}
