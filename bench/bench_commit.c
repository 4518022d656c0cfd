/*
 * commit suite: the commitment to a batch of polynomials, as the prover
 * does it: LDE of `width` polynomials of 2^log_n coefficients at blowup 8
 * (por_lde_batch, columns), then a Merkle tree with cap height 4 over the
 * 2^(log_n + 3) x width matrix (por_merkle_build straight from the columns),
 * once on 1 thread and once on 2.
 *
 *   por-bench commit [log_n [width [repeats]]]   default 16, 135, 1 (2^19 x 135)
 *
 * Prints commit.2^<log_n>x<width>.threads1/2 (ms, LDE + tree), the LDE and
 * Merkle parts of each, the speedup and the peak RSS.  With repeats > 1 the
 * 1- and 2-thread runs alternate and each figure is the minimum over the
 * repeats, which filters out other load on a shared machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "commit/merkle.h"
#include "field/ntt.h"
#include "util/threadpool.h"

#define RATE_BITS 3
#define CAP_HEIGHT 4

int bench_commit(int argc, char **argv)
{
    unsigned log_n = argc > 0 ? (unsigned)atoi(argv[0]) : 16;
    size_t width = argc > 1 ? (size_t)atol(argv[1]) : 135;
    int repeats = argc > 2 ? atoi(argv[2]) : 1;
    if (log_n < 1 || log_n > 24 || width < 1 || width > 4096 || repeats < 1 || repeats > 100) {
        fprintf(stderr, "usage: por-bench commit [log_n (1..24) [width (1..4096) [repeats (1..100)]]]\n");
        return 2;
    }
    size_t n = (size_t)1 << log_n, N = n << RATE_BITS;
    gl_t **coeffs = malloc(width * sizeof(gl_t *)), **cols = malloc(width * sizeof(gl_t *));
    if (!coeffs || !cols)
        return 1;
    uint64_t x = 0x243f6a8885a308d3ULL;
    for (size_t k = 0; k < width; k++) {
        coeffs[k] = malloc(n * sizeof(gl_t));
        cols[k] = malloc(N * sizeof(gl_t));
        if (!coeffs[k] || !cols[k])
            return 1;
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            coeffs[k][i] = gl_from_u64(x);
        }
        /* fault the output pages in now, so neither timed run pays for them */
        memset(cols[k], 0, N * sizeof(gl_t));
    }
    double best[3][3]; /* [threads][total, lde, merkle], ms */
    por_digest cap[2][1 << CAP_HEIGHT];
    for (int rep = 0; rep < repeats; rep++)
        for (unsigned threads = 1; threads <= 2; threads++) {
            por_pool *pool = por_pool_create(threads);
            if (!pool)
                return 1;
            uint64_t t0 = bench_now_ns();
            if (por_lde_batch(pool, (const gl_t *const *)coeffs, width, log_n, RATE_BITS, cols) != 0)
                return 1;
            uint64_t t1 = bench_now_ns();
            por_matrix m = {log_n + RATE_BITS, width, NULL, (const gl_t *const *)cols};
            por_merkle_tree tree;
            if (por_merkle_build(&tree, pool, &m, CAP_HEIGHT, false, NULL, NULL) != 0)
                return 1;
            uint64_t t2 = bench_now_ns();
            por_merkle_cap(&tree, cap[threads - 1]);
            por_merkle_free(&tree);
            por_pool_destroy(pool);
            double ms[3] = {(double)(t2 - t0) / 1e6, (double)(t1 - t0) / 1e6, (double)(t2 - t1) / 1e6};
            for (int k = 0; k < 3; k++)
                if (rep == 0 || ms[k] < best[threads][k])
                    best[threads][k] = ms[k];
        }
    char key[96];
    static const char *const part[3] = {"", ".lde", ".merkle"};
    for (unsigned threads = 1; threads <= 2; threads++)
        for (int k = 0; k < 3; k++) {
            snprintf(key, sizeof(key), "commit.2^%ux%zu.threads%u%s", log_n, width, threads, part[k]);
            bench_report(key, best[threads][k], "ms");
        }
    if (memcmp(cap[0], cap[1], sizeof(cap[0])) != 0) {
        fprintf(stderr, "commit: caps differ between 1 and 2 threads\n");
        return 1;
    }
    bench_report("commit.speedup", best[1][0] / best[2][0], "x");
    bench_report("commit.peak_rss", (double)bench_peak_rss_kib(), "KiB");
    for (size_t k = 0; k < width; k++) {
        free(coeffs[k]);
        free(cols[k]);
    }
    free(coeffs);
    free(cols);
    return 0;
}
