/*
 * pcs suite: the batched polynomial commitment at the default parameters
 * (rate 1/8, 28 queries, 16 grinding bits, cap 4, arity 16): commit to 135
 * random polynomials of degree < 2^16, open them all at one out-of-domain
 * point (evaluations + DEEP quotient + FRI), serialize, deserialize and verify.
 *
 *   por-bench pcs [threads (2)] [log_n (16)] [polys (135)]
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "commit/pcs.h"

int bench_pcs(int argc, char **argv)
{
    unsigned threads = argc > 0 ? (unsigned)atoi(argv[0]) : 2;
    unsigned log_n = argc > 1 ? (unsigned)atoi(argv[1]) : 16;
    size_t npolys = argc > 2 ? (size_t)atoi(argv[2]) : 135;
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "pcs.2^%ux%zu", log_n, npolys);
    char key[128];

    por_fri_params p;
    if (por_pcs_default_params(&p, log_n) != 0) {
        fprintf(stderr, "bad log_n\n");
        return 1;
    }
    por_pool *pool = por_pool_create(threads);
    size_t n = (size_t)1 << log_n;
    gl_t **coeffs = malloc(npolys * sizeof(gl_t *));
    uint64_t s = 12345;
    for (size_t k = 0; k < npolys; k++) {
        coeffs[k] = malloc(n * sizeof(gl_t));
        for (size_t i = 0; i < n; i++) {
            uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            coeffs[k][i] = gl_from_u64(z ^ (z >> 31));
        }
    }

    por_pcs_batch batch;
    uint64_t t0 = bench_now_ns();
    if (por_pcs_commit(&batch, pool, (const gl_t *const *)coeffs, npolys, log_n, p.rate_bits, p.cap_height,
                       false, NULL, NULL) != 0) {
        fprintf(stderr, "commit failed\n");
        return 1;
    }
    uint64_t t1 = bench_now_ns();
    snprintf(key, sizeof(key), "%s.commit", prefix);
    bench_report(key, (double)(t1 - t0) / 1e6, "ms");

    /* prover: params, cap, point, opening */
    por_transcript t;
    const por_digest *cap = por_pcs_batch_cap(&batch);
    const por_pcs_batch *bp = &batch;
    gl2_t z;
    por_pcs_proof proof;
    t0 = bench_now_ns();
    por_transcript_init(&t, "por-bench-pcs");
    por_fri_params_observe(&t, &p);
    por_transcript_observe_digests(&t, cap, (size_t)1 << p.cap_height);
    z = por_transcript_squeeze_ext(&t);
    int rc = por_pcs_open(&p, &bp, 1, &z, 1, &t, pool, &proof);
    t1 = bench_now_ns();
    if (rc != 0) {
        fprintf(stderr, "open failed\n");
        return 1;
    }
    snprintf(key, sizeof(key), "%s.prove", prefix);
    bench_report(key, (double)(t1 - t0) / 1e6, "ms");

    uint8_t *buf;
    size_t len;
    if (por_pcs_proof_serialize(&proof, &buf, &len) != 0)
        return 1;

    /* verifier: from the bytes, as a remote verifier would */
    por_pcs_shape shape = {.num_points = 1, .num_batches = 1};
    shape.batches[0].num_polys = (uint32_t)npolys;
    por_pcs_proof back;
    const char *why = NULL;
    t0 = bench_now_ns();
    rc = por_pcs_proof_deserialize(buf, len, &back, &why);
    if (rc == 0) {
        por_transcript_init(&t, "por-bench-pcs");
        por_fri_params_observe(&t, &p);
        por_transcript_observe_digests(&t, cap, (size_t)1 << p.cap_height);
        gl2_t zv = por_transcript_squeeze_ext(&t);
        rc = por_pcs_verify(&p, &shape, &cap, &zv, &back, &t, &why);
    }
    t1 = bench_now_ns();
    if (rc != 0) {
        fprintf(stderr, "verify failed: %s\n", why ? why : "?");
        return 1;
    }
    snprintf(key, sizeof(key), "%s.verify", prefix);
    bench_report(key, (double)(t1 - t0) / 1e6, "ms");
    snprintf(key, sizeof(key), "%s.size", prefix);
    bench_report(key, (double)len, "bytes");
    bench_report("pcs.peak_rss", (double)bench_peak_rss_kib(), "KiB");

    free(buf);
    por_pcs_proof_free(&back);
    por_pcs_proof_free(&proof);
    por_pcs_batch_free(&batch);
    for (size_t k = 0; k < npolys; k++)
        free(coeffs[k]);
    free(coeffs);
    por_pool_destroy(pool);
    return 0;
}
