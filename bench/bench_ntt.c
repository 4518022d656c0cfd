/*
 * ntt suite: one-core NTT and LDE timings.
 *   ntt.2^20           forward NTT, natural order in and out (por_ntt_forward)
 *   ntt.br.2^20        forward NTT to bit-reversed order (por_ntt_forward_br)
 *   ntt.inverse.2^20   inverse NTT, natural order (por_ntt_inverse)
 *   lde.2^16.rate3     LDE of one 2^16-coefficient polynomial at blowup 8
 * Each figure is the median of 7 runs after one warm-up run; twiddle
 * tables are built inside each call, as in real use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "field/ntt.h"

#define RUNS 7

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* A kernel returns 0, or -1 if the transform ran out of memory. */
typedef int (*kernel_fn)(gl_t *data, gl_t *out, unsigned log_n);

static int k_forward(gl_t *d, gl_t *o, unsigned log_n) { (void)o; return por_ntt_forward(d, log_n, 1); }
static int k_forward_br(gl_t *d, gl_t *o, unsigned log_n) { (void)o; return por_ntt_forward_br(d, log_n, 1); }
static int k_inverse(gl_t *d, gl_t *o, unsigned log_n) { (void)o; return por_ntt_inverse(d, log_n, 1); }
static int k_lde(gl_t *d, gl_t *o, unsigned log_n) { return por_lde(d, log_n, 3, o); }

/* Median wall time of RUNS calls, in ms; -1 if a call failed. */
static double time_ms(kernel_fn f, gl_t *data, gl_t *out, unsigned log_n)
{
    uint64_t t[RUNS];
    if (f(data, out, log_n) != 0)
        return -1;
    for (int r = 0; r < RUNS; r++) {
        uint64_t t0 = bench_now_ns();
        int rc = f(data, out, log_n);
        t[r] = bench_now_ns() - t0;
        if (rc != 0)
            return -1;
    }
    qsort(t, RUNS, sizeof(t[0]), cmp_u64);
    return (double)t[RUNS / 2] / 1e6;
}

int bench_ntt(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    unsigned log_n = 20, log_lde = 16;
    size_t n = (size_t)1 << log_n;
    gl_t *data = malloc(n * sizeof(gl_t)), *out = malloc(((size_t)8 << log_lde) * sizeof(gl_t));
    if (!data || !out)
        return 1;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        data[i] = gl_from_u64(x);
    }
    memset(out, 0, ((size_t)8 << log_lde) * sizeof(gl_t));
    static const struct {
        const char *key;
        kernel_fn f;
        unsigned log_n;
    } cases[] = {{"ntt.2^20", k_forward, 20},
                 {"ntt.br.2^20", k_forward_br, 20},
                 {"ntt.inverse.2^20", k_inverse, 20},
                 {"lde.2^16.rate3", k_lde, 16}};
    int rc = 0;
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]) && rc == 0; c++) {
        double ms = time_ms(cases[c].f, data, out, cases[c].log_n);
        if (ms < 0) {
            fprintf(stderr, "ntt: %s: out of memory\n", cases[c].key);
            rc = 1;
        } else {
            bench_report(cases[c].key, ms, "ms");
        }
    }
    free(data);
    free(out);
    return rc;
}
