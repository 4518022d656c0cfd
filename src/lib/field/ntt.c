/*
 * Radix-2 NTTs over Goldilocks.
 *
 * Two kernels do all the work:
 *   dif: Gentleman-Sande, natural-order input -> bit-reversed output,
 *        stages with half-size m = n/2, n/4, ..., 1;
 *   dit: Cooley-Tukey, bit-reversed input -> natural-order output,
 *        stages m = 1, 2, ..., n/2.
 * Neither needs a permutation pass, so the bit-reversed LDE and FRI orders
 * come for free; the natural-order API adds one cache-blocked bit reversal.
 *
 * Cache: the stages with m < 2^BLOCK_LOG are run block by block (a block of
 * 2^BLOCK_LOG elements and its twiddles fit in L2), depth first; only the
 * few stages above that stream over the whole vector.  Twiddles: a table
 * T[m + j] = w_{2m}^j for m < 2^BLOCK_LOG, built per call; the large stages
 * generate theirs on the fly by a geometric chain, so no table ever has more
 * than 2^BLOCK_LOG entries.
 *
 * On x86-64 CPUs with AVX-512F the kernels run 8 lanes at a time (64x64-bit
 * products from four 32x32 products, then the usual 2^64 = 2^32 - 1,
 * 2^96 = -1 reduction); elsewhere, or with POR_NO_SIMD set in the
 * environment (tests compare both paths), portable scalar code runs.  Every
 * value stays canonical between operations in both paths, so they agree
 * bit for bit.
 */
#include "field/ntt.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "field/field_x8.h" /* the AVX-512 availability and run-time choice */

#if GL_X8_HAVE_AVX512
#define AVX512 GL_X8_TARGET
#endif

/* 2^15 elements (256 KiB) plus as many twiddles: comfortably inside L2. */
#define BLOCK_LOG 15

/* Primitive 2^log_n-th root of unity, or its inverse. */
static gl_t root(unsigned log_n, bool inverse)
{
    gl_t w = gl_root_of_unity(log_n);
    return inverse ? gl_inv(w) : w;
}

/*
 * Twiddle table for blocks of 2^log_b elements: T[m + j] = w_{2m}^j for
 * m = 1, 2, ..., 2^(log_b - 1), j < m (T[0] unused).  The top row is a power
 * chain; each lower row is every second entry of the row above.  NULL when
 * out of memory: the callers run inside a database backend, where aborting
 * would take the whole server down, so they report it instead.
 */
static gl_t *twiddle_table(unsigned log_b, bool inverse)
{
    size_t size = (size_t)1 << log_b;
    gl_t *t = malloc(size * sizeof(gl_t));
    if (!t)
        return NULL;
    t[0] = 0;
    if (log_b == 0)
        return t;
    size_t top = size / 2;
    gl_t w = root(log_b, inverse);
    gl_t acc = 1;
    for (size_t j = 0; j < top; j++) {
        t[top + j] = acc;
        acc = gl_mul(acc, w);
    }
    for (size_t m = top / 2; m >= 1; m /= 2)
        for (size_t j = 0; j < m; j++)
            t[m + j] = t[2 * m + 2 * j];
    return t;
}

/* ---------------------------------------------------------------- scalar */

/* One DIF stage of half-size m over x[0..n), twiddles tw[j] = w_{2m}^j. */
static void dif_stage_scalar(gl_t *x, size_t n, size_t m, const gl_t *tw)
{
    for (size_t blk = 0; blk < n; blk += 2 * m)
        for (size_t j = 0; j < m; j++) {
            gl_t a = x[blk + j], b = x[blk + j + m];
            x[blk + j] = gl_add(a, b);
            x[blk + j + m] = gl_mul(gl_sub(a, b), tw[j]);
        }
}

/* One DIT stage of half-size m, twiddles tw[j] = w_{2m}^j. */
static void dit_stage_scalar(gl_t *x, size_t n, size_t m, const gl_t *tw)
{
    for (size_t blk = 0; blk < n; blk += 2 * m)
        for (size_t j = 0; j < m; j++) {
            gl_t a = x[blk + j], b = gl_mul(x[blk + j + m], tw[j]);
            x[blk + j] = gl_add(a, b);
            x[blk + j + m] = gl_sub(a, b);
        }
}

/* The same stages with twiddles generated as powers of w = w_{2m}. */
static void dif_stage_chain_scalar(gl_t *x, size_t n, size_t m, gl_t w)
{
    for (size_t blk = 0; blk < n; blk += 2 * m) {
        gl_t tw = 1;
        for (size_t j = 0; j < m; j++) {
            gl_t a = x[blk + j], b = x[blk + j + m];
            x[blk + j] = gl_add(a, b);
            x[blk + j + m] = gl_mul(gl_sub(a, b), tw);
            tw = gl_mul(tw, w);
        }
    }
}

static void dit_stage_chain_scalar(gl_t *x, size_t n, size_t m, gl_t w)
{
    for (size_t blk = 0; blk < n; blk += 2 * m) {
        gl_t tw = 1;
        for (size_t j = 0; j < m; j++) {
            gl_t a = x[blk + j], b = gl_mul(x[blk + j + m], tw);
            x[blk + j] = gl_add(a, b);
            x[blk + j + m] = gl_sub(a, b);
            tw = gl_mul(tw, w);
        }
    }
}

/* x[k] *= start * ratio^k */
static void scale_geometric_scalar(gl_t *x, size_t n, gl_t start, gl_t ratio)
{
    gl_t acc = start;
    for (size_t k = 0; k < n; k++) {
        x[k] = gl_mul(x[k], acc);
        acc = gl_mul(acc, ratio);
    }
}

/* ---------------------------------------------------------------- AVX-512 */
#if GL_X8_HAVE_AVX512

#define V_EPS _mm512_set1_epi64((long long)GL_EPSILON)
#define V_P _mm512_set1_epi64((long long)GL_P)

/* a + b for canonical a, b: a - (p - b), plus p back on borrow (as - EPS mod 2^64). */
AVX512 static inline __m512i v_add(__m512i a, __m512i b)
{
    __m512i y = _mm512_sub_epi64(V_P, b);
    __m512i d = _mm512_sub_epi64(a, y);
    __mmask8 borrow = _mm512_cmplt_epu64_mask(a, y);
    return _mm512_mask_sub_epi64(d, borrow, d, V_EPS);
}

/* a - b for canonical a, b: on borrow d = a - b + 2^64, and 2^64 - p = EPS. */
AVX512 static inline __m512i v_sub(__m512i a, __m512i b)
{
    __m512i d = _mm512_sub_epi64(a, b);
    __mmask8 borrow = _mm512_cmplt_epu64_mask(a, b);
    return _mm512_mask_sub_epi64(d, borrow, d, V_EPS);
}

/*
 * a * b mod p, canonical.  The 128-bit product lo + 2^64 hi comes from four
 * 32x32 products; then lo + 2^64 hi = lo - hi_hi + hi_lo * EPS (mod p),
 * with hi = 2^32 hi_hi + hi_lo, exactly as gl_reduce128.
 */
AVX512 static inline __m512i v_mul(__m512i a, __m512i b)
{
    const __m512i mask32 = _mm512_set1_epi64((long long)0xffffffffULL);
    __m512i ah = _mm512_srli_epi64(a, 32), bh = _mm512_srli_epi64(b, 32);
    __m512i ll = _mm512_mul_epu32(a, b);
    __m512i lh = _mm512_mul_epu32(a, bh);
    __m512i hl = _mm512_mul_epu32(ah, b);
    __m512i hh = _mm512_mul_epu32(ah, bh);
    /* t, u < 2^64: a 32x32 product plus a 32-bit value never overflows */
    __m512i t = _mm512_add_epi64(hl, _mm512_srli_epi64(ll, 32));
    __m512i u = _mm512_add_epi64(lh, _mm512_and_si512(t, mask32));
    __m512i lo = _mm512_mask_blend_epi32(0x5555, _mm512_slli_epi64(u, 32), ll);
    __m512i hi = _mm512_add_epi64(hh, _mm512_add_epi64(_mm512_srli_epi64(t, 32), _mm512_srli_epi64(u, 32)));

    __m512i hi_hi = _mm512_srli_epi64(hi, 32);
    __m512i t0 = _mm512_sub_epi64(lo, hi_hi);
    __mmask8 borrow = _mm512_cmplt_epu64_mask(lo, hi_hi);
    t0 = _mm512_mask_sub_epi64(t0, borrow, t0, V_EPS);
    __m512i t1 = _mm512_mul_epu32(hi, V_EPS); /* hi_lo * EPS: mul_epu32 reads the low halves */
    __m512i r = _mm512_add_epi64(t0, t1);
    __mmask8 carry = _mm512_cmplt_epu64_mask(r, t1);
    r = _mm512_mask_add_epi64(r, carry, r, V_EPS);
    __mmask8 ge = _mm512_cmpge_epu64_mask(r, V_P);
    return _mm512_mask_sub_epi64(r, ge, r, V_P);
}

AVX512 static inline __m512i v_load(const gl_t *p) { return _mm512_loadu_si512((const void *)p); }
AVX512 static inline void v_store(gl_t *p, __m512i v) { _mm512_storeu_si512((void *)p, v); }

/* [w^0, ..., w^7] */
AVX512 static inline __m512i v_powers8(gl_t start, gl_t w)
{
    gl_t p[8];
    p[0] = start;
    for (int i = 1; i < 8; i++)
        p[i] = gl_mul(p[i - 1], w);
    return v_load(p);
}

AVX512 static void dif_stage_avx(gl_t *x, size_t n, size_t m, const gl_t *tw)
{
    for (size_t blk = 0; blk < n; blk += 2 * m) {
        gl_t *lo = x + blk, *hi = x + blk + m;
        for (size_t j = 0; j < m; j += 8) {
            __m512i a = v_load(lo + j), b = v_load(hi + j);
            v_store(lo + j, v_add(a, b));
            v_store(hi + j, v_mul(v_sub(a, b), v_load(tw + j)));
        }
    }
}

AVX512 static void dit_stage_avx(gl_t *x, size_t n, size_t m, const gl_t *tw)
{
    for (size_t blk = 0; blk < n; blk += 2 * m) {
        gl_t *lo = x + blk, *hi = x + blk + m;
        for (size_t j = 0; j < m; j += 8) {
            __m512i a = v_load(lo + j), b = v_mul(v_load(hi + j), v_load(tw + j));
            v_store(lo + j, v_add(a, b));
            v_store(hi + j, v_sub(a, b));
        }
    }
}

/* Chained twiddles, m >= 16: two independent chains of 8 lanes each, so the
 * latency of one twiddle update hides behind the other's butterflies. */
AVX512 static void dif_stage_chain_avx(gl_t *x, size_t n, size_t m, gl_t w)
{
    __m512i step = _mm512_set1_epi64((long long)gl_pow(w, 16));
    __m512i start0 = v_powers8(1, w), start1 = v_powers8(gl_pow(w, 8), w);
    for (size_t blk = 0; blk < n; blk += 2 * m) {
        gl_t *lo = x + blk, *hi = x + blk + m;
        __m512i tw0 = start0, tw1 = start1;
        for (size_t j = 0; j < m; j += 16) {
            __m512i a0 = v_load(lo + j), b0 = v_load(hi + j);
            __m512i a1 = v_load(lo + j + 8), b1 = v_load(hi + j + 8);
            v_store(lo + j, v_add(a0, b0));
            v_store(hi + j, v_mul(v_sub(a0, b0), tw0));
            v_store(lo + j + 8, v_add(a1, b1));
            v_store(hi + j + 8, v_mul(v_sub(a1, b1), tw1));
            tw0 = v_mul(tw0, step);
            tw1 = v_mul(tw1, step);
        }
    }
}

AVX512 static void dit_stage_chain_avx(gl_t *x, size_t n, size_t m, gl_t w)
{
    __m512i step = _mm512_set1_epi64((long long)gl_pow(w, 16));
    __m512i start0 = v_powers8(1, w), start1 = v_powers8(gl_pow(w, 8), w);
    for (size_t blk = 0; blk < n; blk += 2 * m) {
        gl_t *lo = x + blk, *hi = x + blk + m;
        __m512i tw0 = start0, tw1 = start1;
        for (size_t j = 0; j < m; j += 16) {
            __m512i a0 = v_load(lo + j), b0 = v_mul(v_load(hi + j), tw0);
            __m512i a1 = v_load(lo + j + 8), b1 = v_mul(v_load(hi + j + 8), tw1);
            v_store(lo + j, v_add(a0, b0));
            v_store(hi + j, v_sub(a0, b0));
            v_store(lo + j + 8, v_add(a1, b1));
            v_store(hi + j + 8, v_sub(a1, b1));
            tw0 = v_mul(tw0, step);
            tw1 = v_mul(tw1, step);
        }
    }
}

/*
 * The stages m = 4, 2, 1 on pairs of vectors (16 elements).  For each stage
 * the "a" and "b" halves of the butterflies are gathered from the two
 * vectors with one permute each, and scattered back the same way:
 *   m = 4: a = lanes {0-3} of each vector, b = lanes {4-7};
 *   m = 2: a = lanes {0,1,4,5},             b = {2,3,6,7};
 *   m = 1: a = even lanes,                  b = odd lanes.
 * Lane k of a or b is butterfly index j = k mod m, so the twiddle vectors
 * are T[m..2m) repeated.
 */
#define IDX(a, b, c, d, e, f, g, h) _mm512_set_epi64(h, g, f, e, d, c, b, a)
#define SMALL_PERMS                                                                     \
    const __m512i ga4 = IDX(0, 1, 2, 3, 8, 9, 10, 11), gb4 = IDX(4, 5, 6, 7, 12, 13, 14, 15); \
    const __m512i s04 = IDX(0, 1, 2, 3, 8, 9, 10, 11), s14 = IDX(4, 5, 6, 7, 12, 13, 14, 15); \
    const __m512i ga2 = IDX(0, 1, 4, 5, 8, 9, 12, 13), gb2 = IDX(2, 3, 6, 7, 10, 11, 14, 15); \
    const __m512i s02 = IDX(0, 1, 8, 9, 2, 3, 10, 11), s12 = IDX(4, 5, 12, 13, 6, 7, 14, 15); \
    const __m512i ga1 = IDX(0, 2, 4, 6, 8, 10, 12, 14), gb1 = IDX(1, 3, 5, 7, 9, 11, 13, 15); \
    const __m512i s01 = IDX(0, 8, 1, 9, 2, 10, 3, 11), s11 = IDX(4, 12, 5, 13, 6, 14, 7, 15);

AVX512 static void dif_tail_avx(gl_t *x, size_t n, const gl_t *T)
{
    SMALL_PERMS
    const __m512i tw4 = IDX((long long)T[4], (long long)T[5], (long long)T[6], (long long)T[7],
                            (long long)T[4], (long long)T[5], (long long)T[6], (long long)T[7]);
    const __m512i tw2 = IDX(1, (long long)T[3], 1, (long long)T[3], 1, (long long)T[3], 1,
                            (long long)T[3]);
    for (size_t i = 0; i < n; i += 16) {
        __m512i v0 = v_load(x + i), v1 = v_load(x + i + 8), a, b, a2, b2;
        a = _mm512_permutex2var_epi64(v0, ga4, v1);
        b = _mm512_permutex2var_epi64(v0, gb4, v1);
        a2 = v_add(a, b);
        b2 = v_mul(v_sub(a, b), tw4);
        v0 = _mm512_permutex2var_epi64(a2, s04, b2);
        v1 = _mm512_permutex2var_epi64(a2, s14, b2);
        a = _mm512_permutex2var_epi64(v0, ga2, v1);
        b = _mm512_permutex2var_epi64(v0, gb2, v1);
        a2 = v_add(a, b);
        b2 = v_mul(v_sub(a, b), tw2);
        v0 = _mm512_permutex2var_epi64(a2, s02, b2);
        v1 = _mm512_permutex2var_epi64(a2, s12, b2);
        a = _mm512_permutex2var_epi64(v0, ga1, v1);
        b = _mm512_permutex2var_epi64(v0, gb1, v1);
        a2 = v_add(a, b);
        b2 = v_sub(a, b);
        v_store(x + i, _mm512_permutex2var_epi64(a2, s01, b2));
        v_store(x + i + 8, _mm512_permutex2var_epi64(a2, s11, b2));
    }
}

AVX512 static void dit_head_avx(gl_t *x, size_t n, const gl_t *T)
{
    SMALL_PERMS
    const __m512i tw4 = IDX((long long)T[4], (long long)T[5], (long long)T[6], (long long)T[7],
                            (long long)T[4], (long long)T[5], (long long)T[6], (long long)T[7]);
    const __m512i tw2 = IDX(1, (long long)T[3], 1, (long long)T[3], 1, (long long)T[3], 1,
                            (long long)T[3]);
    for (size_t i = 0; i < n; i += 16) {
        __m512i v0 = v_load(x + i), v1 = v_load(x + i + 8), a, b, a2, b2;
        a = _mm512_permutex2var_epi64(v0, ga1, v1);
        b = _mm512_permutex2var_epi64(v0, gb1, v1);
        a2 = v_add(a, b);
        b2 = v_sub(a, b);
        v0 = _mm512_permutex2var_epi64(a2, s01, b2);
        v1 = _mm512_permutex2var_epi64(a2, s11, b2);
        a = _mm512_permutex2var_epi64(v0, ga2, v1);
        b = v_mul(_mm512_permutex2var_epi64(v0, gb2, v1), tw2);
        a2 = v_add(a, b);
        b2 = v_sub(a, b);
        v0 = _mm512_permutex2var_epi64(a2, s02, b2);
        v1 = _mm512_permutex2var_epi64(a2, s12, b2);
        a = _mm512_permutex2var_epi64(v0, ga4, v1);
        b = v_mul(_mm512_permutex2var_epi64(v0, gb4, v1), tw4);
        a2 = v_add(a, b);
        b2 = v_sub(a, b);
        v_store(x + i, _mm512_permutex2var_epi64(a2, s04, b2));
        v_store(x + i + 8, _mm512_permutex2var_epi64(a2, s14, b2));
    }
}

/* x[k] *= start * ratio^k, n a multiple of 16: two chains as above. */
AVX512 static void scale_geometric_avx(gl_t *x, size_t n, gl_t start, gl_t ratio)
{
    __m512i step = _mm512_set1_epi64((long long)gl_pow(ratio, 16));
    __m512i p0 = v_powers8(start, ratio), p1 = v_powers8(gl_mul(start, gl_pow(ratio, 8)), ratio);
    for (size_t k = 0; k < n; k += 16) {
        v_store(x + k, v_mul(v_load(x + k), p0));
        v_store(x + k + 8, v_mul(v_load(x + k + 8), p1));
        p0 = v_mul(p0, step);
        p1 = v_mul(p1, step);
    }
}

/* out[k] = in[k] * start * ratio^k, n a multiple of 16. */
AVX512 static void scale_geometric_copy_avx(gl_t *out, const gl_t *in, size_t n, gl_t start,
                                            gl_t ratio)
{
    __m512i step = _mm512_set1_epi64((long long)gl_pow(ratio, 16));
    __m512i p0 = v_powers8(start, ratio), p1 = v_powers8(gl_mul(start, gl_pow(ratio, 8)), ratio);
    for (size_t k = 0; k < n; k += 16) {
        v_store(out + k, v_mul(v_load(in + k), p0));
        v_store(out + k + 8, v_mul(v_load(in + k + 8), p1));
        p0 = v_mul(p0, step);
        p1 = v_mul(p1, step);
    }
}
#endif /* GL_X8_HAVE_AVX512 */

/* ---------------------------------------------------------------- drivers */

/* All stages of a block of 2^log_b elements that fits in cache. */
static void dif_block(gl_t *x, unsigned log_b, const gl_t *T, bool simd)
{
    size_t n = (size_t)1 << log_b;
#if GL_X8_HAVE_AVX512
    if (simd && log_b >= 4) {
        for (size_t m = n / 2; m >= 8; m /= 2)
            dif_stage_avx(x, n, m, T + m);
        dif_tail_avx(x, n, T);
        return;
    }
#endif
    (void)simd;
    for (size_t m = n / 2; m >= 1; m /= 2)
        dif_stage_scalar(x, n, m, T + m);
}

static void dit_block(gl_t *x, unsigned log_b, const gl_t *T, bool simd)
{
    size_t n = (size_t)1 << log_b;
#if GL_X8_HAVE_AVX512
    if (simd && log_b >= 4) {
        dit_head_avx(x, n, T);
        for (size_t m = 8; m < n; m *= 2)
            dit_stage_avx(x, n, m, T + m);
        return;
    }
#endif
    (void)simd;
    for (size_t m = 1; m < n; m *= 2)
        dit_stage_scalar(x, n, m, T + m);
}

/*
 * DIF over 2^log_n elements: the stages too large for a block first (whole
 * vector, chained twiddles), then each block depth first.  T is the table
 * for min(log_n, BLOCK_LOG); inverse selects w^-1.
 */
static void dif(gl_t *x, unsigned log_n, const gl_t *T, bool inverse, bool simd)
{
    size_t n = (size_t)1 << log_n;
    unsigned log_b = log_n < BLOCK_LOG ? log_n : BLOCK_LOG;
    for (unsigned s = log_n; s > log_b; s--) {
        size_t m = (size_t)1 << (s - 1);
        gl_t w = root(s, inverse);
#if GL_X8_HAVE_AVX512
        if (simd) {
            dif_stage_chain_avx(x, n, m, w);
            continue;
        }
#endif
        dif_stage_chain_scalar(x, n, m, w);
    }
    size_t b = (size_t)1 << log_b;
    for (size_t off = 0; off < n; off += b)
        dif_block(x + off, log_b, T, simd);
}

static void dit(gl_t *x, unsigned log_n, const gl_t *T, bool inverse, bool simd)
{
    size_t n = (size_t)1 << log_n;
    unsigned log_b = log_n < BLOCK_LOG ? log_n : BLOCK_LOG;
    size_t b = (size_t)1 << log_b;
    for (size_t off = 0; off < n; off += b)
        dit_block(x + off, log_b, T, simd);
    for (unsigned s = log_b + 1; s <= log_n; s++) {
        size_t m = (size_t)1 << (s - 1);
        gl_t w = root(s, inverse);
#if GL_X8_HAVE_AVX512
        if (simd) {
            dit_stage_chain_avx(x, n, m, w);
            continue;
        }
#endif
        dit_stage_chain_scalar(x, n, m, w);
    }
}

static void scale_geometric(gl_t *x, size_t n, gl_t start, gl_t ratio, bool simd)
{
#if GL_X8_HAVE_AVX512
    if (simd && n % 16 == 0) {
        scale_geometric_avx(x, n, start, ratio);
        return;
    }
#endif
    (void)simd;
    scale_geometric_scalar(x, n, start, ratio);
}

static void scale_geometric_copy(gl_t *out, const gl_t *in, size_t n, gl_t start, gl_t ratio,
                                 bool simd)
{
#if GL_X8_HAVE_AVX512
    if (simd && n % 16 == 0) {
        scale_geometric_copy_avx(out, in, n, start, ratio);
        return;
    }
#endif
    (void)simd;
    memcpy(out, in, n * sizeof(gl_t));
    scale_geometric_scalar(out, n, start, ratio);
}

static unsigned block_log(unsigned log_n) { return log_n < BLOCK_LOG ? log_n : BLOCK_LOG; }

/* forward_br with a prepared table (shared by the batch functions). */
static void forward_br_with(gl_t *values, unsigned log_n, gl_t shift, const gl_t *T, bool simd)
{
    if (shift != 1)
        scale_geometric(values, (size_t)1 << log_n, 1, shift, simd);
    dif(values, log_n, T, false, simd);
}

/* inverse_br with a prepared inverse table: DIT with w^-1, then divide by n and unshift. */
static void inverse_br_with(gl_t *values, unsigned log_n, gl_t shift, const gl_t *Tinv, bool simd)
{
    size_t n = (size_t)1 << log_n;
    dit(values, log_n, Tinv, true, simd);
    gl_t n_inv = gl_inv(gl_from_u64((uint64_t)n));
    scale_geometric(values, n, n_inv, shift == 1 ? 1 : gl_inv(shift), simd);
}

/* The four single-vector transforms, selected by the callers below. */
typedef enum { KIND_FORWARD, KIND_INVERSE, KIND_FORWARD_BR, KIND_INVERSE_BR } transform_kind;

static bool kind_is_inverse(transform_kind kind) { return kind == KIND_INVERSE || kind == KIND_INVERSE_BR; }

/* One transform of one vector with a prepared table (of the right direction). */
static void transform_with(gl_t *values, unsigned log_n, gl_t shift, const gl_t *T,
                           transform_kind kind, bool simd)
{
    switch (kind) {
    case KIND_FORWARD:
        forward_br_with(values, log_n, shift, T, simd);
        por_bit_reverse(values, log_n);
        break;
    case KIND_INVERSE:
        por_bit_reverse(values, log_n);
        inverse_br_with(values, log_n, shift, T, simd);
        break;
    case KIND_FORWARD_BR:
        forward_br_with(values, log_n, shift, T, simd);
        break;
    case KIND_INVERSE_BR:
        inverse_br_with(values, log_n, shift, T, simd);
        break;
    }
}

/* Allocates the table first, so a failure leaves values as they were. */
static int transform(gl_t *values, unsigned log_n, gl_t shift, transform_kind kind)
{
    gl_t *T = twiddle_table(block_log(log_n), kind_is_inverse(kind));
    if (!T)
        return -1;
    transform_with(values, log_n, shift, T, kind, gl_x8_use_avx512());
    free(T);
    return 0;
}

int por_ntt_forward_br(gl_t *values, unsigned log_n, gl_t shift)
{
    return transform(values, log_n, shift, KIND_FORWARD_BR);
}

int por_ntt_inverse_br(gl_t *values, unsigned log_n, gl_t shift)
{
    return transform(values, log_n, shift, KIND_INVERSE_BR);
}

int por_ntt_forward(gl_t *values, unsigned log_n, gl_t shift)
{
    return transform(values, log_n, shift, KIND_FORWARD);
}

int por_ntt_inverse(gl_t *values, unsigned log_n, gl_t shift)
{
    return transform(values, log_n, shift, KIND_INVERSE);
}

/*
 * Bit reversal in tiles: with i = (hi, mid, lo) of b, log_n - 2b and b bits,
 * rev(i) = (rev lo, rev mid, rev hi), so the 2^b x 2^b tile of a given mid
 * maps onto the tile of rev(mid), transposed and bit-reversed both ways.
 * Each tile row is 2^b contiguous elements, so every cache line fetched is
 * used completely, unlike the element-by-element swap.
 */
#define BR_BITS 4
void por_bit_reverse(gl_t *values, unsigned log_n)
{
    size_t n = (size_t)1 << log_n;
    if (log_n < 2 * BR_BITS + 2) {
        for (size_t i = 0; i < n; i++) {
            size_t r = por_bit_reverse_index(i, log_n);
            if (i < r) {
                gl_t t = values[i];
                values[i] = values[r];
                values[r] = t;
            }
        }
        return;
    }
    enum { B = 1 << BR_BITS };
    unsigned mid_bits = log_n - 2 * BR_BITS;
    size_t hi_stride = (size_t)1 << (log_n - BR_BITS);
    size_t rev_b[B];
    for (size_t k = 0; k < B; k++)
        rev_b[k] = por_bit_reverse_index(k, BR_BITS);
    gl_t ta[B][B], tb[B][B];
    for (size_t mid = 0; mid < ((size_t)1 << mid_bits); mid++) {
        size_t rmid = por_bit_reverse_index(mid, mid_bits);
        if (rmid < mid)
            continue;
        gl_t *a = values + (mid << BR_BITS), *b = values + (rmid << BR_BITS);
        for (size_t h = 0; h < B; h++) {
            memcpy(ta[h], a + h * hi_stride, sizeof(ta[h]));
            memcpy(tb[h], b + h * hi_stride, sizeof(tb[h]));
        }
        /* element (h, l) of tile a goes to (rev l, rev h) of tile b, and back */
        for (size_t h = 0; h < B; h++)
            for (size_t l = 0; l < B; l++) {
                a[h * hi_stride + l] = tb[rev_b[l]][rev_b[h]];
                b[h * hi_stride + l] = ta[rev_b[l]][rev_b[h]];
            }
    }
}

/*
 * Componentwise transforms of extension vectors through a split into c0 and
 * c1 parts; both halves share one twiddle table.  Everything is allocated
 * before values is touched.
 */
static int ext_apply(gl2_t *values, unsigned log_n, gl_t shift, transform_kind kind)
{
    size_t n = (size_t)1 << log_n;
    gl_t *c = malloc(2 * n * sizeof(gl_t));
    gl_t *T = twiddle_table(block_log(log_n), kind_is_inverse(kind));
    if (!c || !T) {
        free(c);
        free(T);
        return -1;
    }
    bool simd = gl_x8_use_avx512();
    for (size_t i = 0; i < n; i++) {
        c[i] = values[i].c0;
        c[n + i] = values[i].c1;
    }
    transform_with(c, log_n, shift, T, kind, simd);
    transform_with(c + n, log_n, shift, T, kind, simd);
    for (size_t i = 0; i < n; i++)
        values[i] = (gl2_t){c[i], c[n + i]};
    free(T);
    free(c);
    return 0;
}

int por_ntt_forward_ext(gl2_t *values, unsigned log_n, gl_t shift) { return ext_apply(values, log_n, shift, KIND_FORWARD); }
int por_ntt_inverse_ext(gl2_t *values, unsigned log_n, gl_t shift) { return ext_apply(values, log_n, shift, KIND_INVERSE); }
int por_ntt_forward_br_ext(gl2_t *values, unsigned log_n, gl_t shift) { return ext_apply(values, log_n, shift, KIND_FORWARD_BR); }
int por_ntt_inverse_br_ext(gl2_t *values, unsigned log_n, gl_t shift) { return ext_apply(values, log_n, shift, KIND_INVERSE_BR); }

/* ---------------------------------------------------------------- LDE */

/*
 * With N = 2^(log_n + rate_bits) and out index i = (top, low) of rate_bits
 * and log_n bits, rev_N(i) = rev_n(low) * 2^rate_bits + rev_r(top), so
 *   out[i] = f(g w_N^rev_r(top) * w_n^rev_n(low)).
 * Block `top` of out (n contiguous values) is therefore the bit-reversed
 * size-n transform of f on the coset s_top = g w_N^rev_r(top): no size-N
 * transform and no zero padding, 2^rate_bits independent size-n ones.
 */
typedef struct {
    const gl_t *const *coeffs;
    gl_t *const *out;
    unsigned log_n;
    size_t first_block, num_blocks;
    const gl_t *T;
    const gl_t *shifts; /* the coset shift s_top of every computed block */
    bool simd;
} lde_job;

/* Task t = one block of one polynomial: polynomial t / num_blocks, block
 * first_block + t mod num_blocks, so even a single polynomial spreads over
 * the threads. */
static void lde_range(void *ctx, size_t begin, size_t end)
{
    const lde_job *job = ctx;
    size_t n = (size_t)1 << job->log_n;
    for (size_t t = begin; t < end; t++) {
        size_t k = t / job->num_blocks, blk_no = t % job->num_blocks;
        gl_t *blk = job->out[k] + blk_no * n;
        scale_geometric_copy(blk, job->coeffs[k], n, 1, job->shifts[blk_no], job->simd);
        dif(blk, job->log_n, job->T, false, job->simd);
    }
}

int por_lde_batch_blocks(por_pool *pool, const gl_t *const *coeffs, size_t count, unsigned log_n,
                         unsigned rate_bits, size_t first_block, gl_t *const *out)
{
    size_t r = (size_t)1 << rate_bits;
    if (first_block >= r)
        return -1;
    gl_t *shifts = malloc((r - first_block) * sizeof(gl_t));
    gl_t *T = twiddle_table(block_log(log_n), false);
    if (!shifts || !T) {
        free(shifts);
        free(T);
        return -1;
    }
    gl_t wN = gl_root_of_unity(log_n + rate_bits);
    for (size_t top = first_block; top < r; top++)
        shifts[top - first_block] = gl_mul(GL_GENERATOR, gl_pow(wN, por_bit_reverse_index(top, rate_bits)));
    lde_job job = {coeffs, out, log_n, first_block, r - first_block, T, shifts, gl_x8_use_avx512()};
    por_pool_parallel_for(pool, count * (r - first_block), 1, lde_range, &job);
    free(T);
    free(shifts);
    return 0;
}

int por_lde_batch(por_pool *pool, const gl_t *const *coeffs, size_t count, unsigned log_n,
                  unsigned rate_bits, gl_t *const *out)
{
    return por_lde_batch_blocks(pool, coeffs, count, log_n, rate_bits, 0, out);
}

int por_lde(const gl_t *coeffs, unsigned log_n, unsigned rate_bits, gl_t *out)
{
    return por_lde_batch(NULL, &coeffs, 1, log_n, rate_bits, &out);
}

/* ---------------------------------------------------------------- batches */

typedef struct {
    gl_t *const *values;
    unsigned log_n;
    gl_t shift;
    const gl_t *T;
    transform_kind kind;
    bool simd;
} batch_job;

static void batch_range(void *ctx, size_t begin, size_t end)
{
    const batch_job *job = ctx;
    for (size_t k = begin; k < end; k++)
        transform_with(job->values[k], job->log_n, job->shift, job->T, job->kind, job->simd);
}

static int ntt_batch(por_pool *pool, gl_t *const *values, size_t count, unsigned log_n,
                     gl_t shift, transform_kind kind)
{
    gl_t *T = twiddle_table(block_log(log_n), kind_is_inverse(kind));
    if (!T)
        return -1;
    batch_job job = {values, log_n, shift, T, kind, gl_x8_use_avx512()};
    por_pool_parallel_for(pool, count, 1, batch_range, &job);
    free(T);
    return 0;
}

int por_ntt_forward_batch(por_pool *pool, gl_t *const *values, size_t count, unsigned log_n,
                          gl_t shift)
{
    return ntt_batch(pool, values, count, log_n, shift, KIND_FORWARD);
}

int por_ntt_inverse_batch(por_pool *pool, gl_t *const *values, size_t count, unsigned log_n,
                          gl_t shift)
{
    return ntt_batch(pool, values, count, log_n, shift, KIND_INVERSE);
}

/* ---------------------------------------------------------------- points, Horner */

gl_t por_lde_point(unsigned log_size, size_t i)
{
    return gl_mul(GL_GENERATOR, gl_pow(gl_root_of_unity(log_size), por_bit_reverse_index(i, log_size)));
}

gl_t por_poly_eval(const gl_t *coeffs, size_t n, gl_t x)
{
    gl_t acc = 0;
    for (size_t k = n; k-- > 0;)
        acc = gl_add(gl_mul(acc, x), coeffs[k]);
    return acc;
}

gl2_t por_poly_eval_ext(const gl_t *coeffs, size_t n, gl2_t x)
{
    gl2_t acc = gl2_from_base(0);
    for (size_t k = n; k-- > 0;)
        acc = gl2_add(gl2_mul(acc, x), gl2_from_base(coeffs[k]));
    return acc;
}

gl2_t por_poly_eval_ext2(const gl2_t *coeffs, size_t n, gl2_t x)
{
    gl2_t acc = gl2_from_base(0);
    for (size_t k = n; k-- > 0;)
        acc = gl2_add(gl2_mul(acc, x), coeffs[k]);
    return acc;
}
