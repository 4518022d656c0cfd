/*
 * Verifier keys derived by the setup against shipped (por/vk_table.h): the
 * batch key and a whole aggregation tree's keys, both ways, and the circuit
 * build and fingerprint that a shipped key still costs.
 *   por-bench keys [NxA F LEVELS]...   default: 1024x53 2 7  1024x53 4 4
 * Shapes not in keys/shapes.txt are derived both ways (the report says how
 * many keys were shipped).
 */
#include <stdlib.h>
#include <string.h>

#include "agg/agg.h"
#include "bench.h"

static double ms_since(uint64_t t0) { return (double)(bench_now_ns() - t0) / 1e6; }

static int run(unsigned k, unsigned A, unsigned f, unsigned levels, por_pool *pool)
{
    char tag[64], key[128];
    snprintf(tag, sizeof(tag), "keys.%ux%u", 1u << k, A);
    const char *why = "";
    /* the batch circuit: build, fingerprint, then the key both ways */
    uint64_t t0 = bench_now_ns();
    por_batch_circuit *bc = por_batch_circuit_build(k, A, 62, true, NULL, &why);
    double build_ms = ms_since(t0);
    uint8_t fp[POR_CIRCUIT_FINGERPRINT_BYTES];
    t0 = bench_now_ns();
    int rc = bc ? por_circuit_fingerprint(bc->circuit, fp) : -1;
    double fp_ms = ms_since(t0);
    por_batch_circuit_free(bc);
    if (rc != 0) {
        fprintf(stderr, "%s: batch circuit: %s\n", tag, why);
        return 1;
    }
    snprintf(key, sizeof(key), "%s.batch.build", tag);
    bench_report(key, build_ms, "ms");
    snprintf(key, sizeof(key), "%s.batch.fingerprint", tag);
    bench_report(key, fp_ms, "ms");
    for (int shipped = 0; shipped <= 1; shipped++) {
        por_batch_vk vk;
        t0 = bench_now_ns();
        if (por_batch_vk_derive_with(k, A, 62, shipped ? por_vk_table_shipped() : NULL, pool, &vk, &why) != 0) {
            fprintf(stderr, "%s: batch key: %s\n", tag, why);
            return 1;
        }
        double ms = ms_since(t0);
        snprintf(key, sizeof(key), "%s.batch.%s", tag, shipped ? "shipped" : "derived");
        bench_report(key, ms, vk.shipped ? "ms (from the table)" : "ms (by the setup)");
        por_batch_vk_free(&vk);
    }
    por_agg_shape shape = {.batch_log2 = k, .asset_count = A, .balance_bits = 62, .fan_in_log2 = f};
    for (int shipped = 0; shipped <= 1; shipped++) {
        por_agg_keys keys;
        if (por_agg_keys_derive_with(&shape, levels, false, NULL, shipped ? por_vk_table_shipped() : NULL, pool,
                                     &keys, &why) != 0) {
            fprintf(stderr, "%s: tree keys: %s\n", tag, why);
            return 1;
        }
        snprintf(key, sizeof(key), "%s.f%u.levels%u.%s", tag, 1u << f, levels, shipped ? "shipped" : "derived");
        char unit[64];
        snprintf(unit, sizeof(unit), "ms (%u of %u keys from the table)", keys.shipped, levels + 1);
        bench_report(key, keys.derive_ms, unit);
        por_agg_keys_free(&keys);
    }
    return 0;
}

int bench_keys(int argc, char **argv)
{
    static char *defaults[] = {"1024x53", "2", "7", "1024x53", "4", "4"};
    if (argc == 0) {
        argc = 6;
        argv = defaults;
    }
    if (argc % 3 != 0) {
        fprintf(stderr, "keys: arguments are NxA F LEVELS triples\n");
        return 1;
    }
    por_pool *pool = por_pool_create(0);
    int rc = 0;
    for (int i = 0; rc == 0 && i < argc; i += 3) {
        unsigned n, A, F = (unsigned)atoi(argv[i + 1]), levels = (unsigned)atoi(argv[i + 2]), k = 0;
        if (sscanf(argv[i], "%ux%u", &n, &A) != 2 || n == 0 || (n & (n - 1)) != 0 || F < 2 || (F & (F - 1)) != 0) {
            fprintf(stderr, "keys: %s %s: N and F must be powers of 2, F >= 2\n", argv[i], argv[i + 1]);
            rc = 1;
            break;
        }
        while ((1u << k) < n)
            k++;
        unsigned f = 0;
        while ((1u << f) < F)
            f++;
        rc = run(k, A, f, levels, pool);
    }
    por_pool_destroy(pool);
    return rc;
}
