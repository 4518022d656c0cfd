/*
 * PLONK prover and verifier on Poseidon-heavy circuits (a chain of
 * permutations filling the rows left by the public-input gadget and, with
 * zero knowledge, the blinding rows), default configuration (100-bit
 * security, zero knowledge), n = 2^12, 2^14, 2^16 rows (or the log2 sizes
 * given as arguments), on 1 and 2 threads.  Prints per size:
 *   plonk.2^k.setup            preprocessing (ms, 2 threads)
 *   plonk.2^k.prove.threads1   witness generation + proof (ms)
 *   plonk.2^k.prove            the same on 2 threads (ms)
 *   plonk.2^k.size             serialized proof (bytes)
 *   plonk.2^k.verify           verification (ms, one thread)
 *   plonk.2^k.peak_rss         peak resident set size so far (KiB)
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "plonk/circuit.h"
#include "plonk/plonk.h"
#include "util/threadpool.h"

/* A chain of permutations that makes the circuit exactly 2^log_n rows. */
static por_circuit *chain_circuit(unsigned log_n, por_target in[12])
{
    por_circuit_config cfg;
    por_circuit_config_default(&cfg);
    size_t n = (size_t)1 << log_n;
    size_t blind = por_circuit_blinding_rows(&cfg);
    /* public-input gadget: 2 constant rows (0, domain, count 4), 1
     * permutation, 1 public-input gate */
    size_t perms = n - blind - 4;
    por_builder *b = por_builder_new(&cfg);
    por_target s[12], t[12];
    for (int i = 0; i < 12; i++)
        s[i] = in[i] = por_builder_add_virtual(b);
    for (size_t p = 0; p < perms; p++) {
        por_builder_poseidon(b, s, t);
        memcpy(s, t, sizeof(s));
    }
    for (int i = 0; i < 4; i++)
        por_builder_register_public_input(b, s[i]);
    const char *why;
    por_circuit *c = por_builder_build(b, &why);
    por_builder_free(b);
    if (!c)
        fprintf(stderr, "plonk: build failed: %s\n", why);
    else if (c->n != n)
        fprintf(stderr, "plonk: circuit has %zu rows, not %zu\n", c->n, n);
    return c;
}

static double ms_since(uint64_t t0) { return (double)(bench_now_ns() - t0) / 1e6; }

static int bench_size(unsigned log_n)
{
    por_target in[12];
    por_circuit *c = chain_circuit(log_n, in);
    if (!c)
        return 1;
    char key[64];
    por_pool *pool2 = por_pool_create(2);
    uint64_t t0 = bench_now_ns();
    const char *why;
    por_plonk_prover *pk = por_plonk_setup(c, pool2, &why);
    if (!pk) {
        fprintf(stderr, "plonk: setup failed: %s\n", why);
        por_pool_destroy(pool2);
        por_circuit_free(c);
        return 1;
    }
    snprintf(key, sizeof(key), "plonk.2^%u.setup", log_n);
    bench_report(key, ms_since(t0), "ms");
    int rc = 0;
    for (unsigned threads = 1; threads <= 2 && rc == 0; threads++) {
        por_pool *pool = threads == 2 ? pool2 : por_pool_create(1);
        por_witness *w = por_witness_new(c);
        for (int i = 0; i < 12; i++)
            por_witness_set(w, in[i], (gl_t)(i + 1));
        por_plonk_proof proof;
        t0 = bench_now_ns();
        rc = por_plonk_prove(pk, w, pool, NULL, &proof, &why);
        double prove_ms = ms_since(t0);
        por_witness_free(w);
        if (rc != 0) {
            fprintf(stderr, "plonk: prove failed: %s\n", why);
        } else {
            snprintf(key, sizeof(key), threads == 1 ? "plonk.2^%u.prove.threads1" : "plonk.2^%u.prove",
                     log_n);
            bench_report(key, prove_ms, "ms");
            if (threads == 2) {
                uint8_t *buf;
                size_t len;
                por_plonk_proof dec;
                por_plonk_proof_serialize(&proof, &buf, &len);
                snprintf(key, sizeof(key), "plonk.2^%u.size", log_n);
                bench_report(key, (double)len, "bytes");
                /* verify what a verifier receives: decode + verify, best of 5 */
                double best = 1e30;
                for (int r = 0; r < 5 && rc == 0; r++) {
                    t0 = bench_now_ns();
                    rc = por_plonk_proof_deserialize(buf, len, &dec, &why) ||
                         por_plonk_verify(por_plonk_prover_vk(pk), &dec, &why);
                    double v = ms_since(t0);
                    best = v < best ? v : best;
                    por_plonk_proof_free(&dec);
                }
                free(buf);
                if (rc != 0)
                    fprintf(stderr, "plonk: verify failed: %s\n", why);
                snprintf(key, sizeof(key), "plonk.2^%u.verify", log_n);
                bench_report(key, best, "ms");
            }
        }
        por_plonk_proof_free(&proof);
        if (threads == 1)
            por_pool_destroy(pool);
    }
    snprintf(key, sizeof(key), "plonk.2^%u.peak_rss", log_n);
    bench_report(key, (double)bench_peak_rss_kib(), "KiB");
    por_plonk_prover_free(pk);
    por_pool_destroy(pool2);
    por_circuit_free(c);
    return rc;
}

int bench_plonk(int argc, char **argv)
{
    unsigned sizes[8] = {12, 14, 16};
    int count = 3;
    if (argc > 0) {
        count = 0;
        for (int i = 0; i < argc && count < 8; i++) {
            int v = atoi(argv[i]);
            if (v < 7 || v > 20) {
                fprintf(stderr, "plonk: sizes are log2 row counts in 7..20\n");
                return 2;
            }
            sizes[count++] = (unsigned)v;
        }
    }
    for (int i = 0; i < count; i++)
        if (bench_size(sizes[i]) != 0)
            return 1;
    return 0;
}
