/*
 * Eight-lane Goldilocks arithmetic for the prover's per-point loops (the
 * quotient): a vector holds the same value of 8 points ("lanes"), an
 * extension element (field_ext.h, u^2 = 7) is two vectors (c0, c1).
 *
 * The library is built for baseline x86-64, so the AVX-512F functions
 * (glv8_*, gl2v8_*) carry a target attribute: call them only from functions
 * compiled with GL_X8_TARGET, and only after gl_x8_use_avx512() said yes
 * (the same run-time choice as ntt.c's, POR_NO_SIMD included).  The
 * portable functions (gl_x8_*, gl2_x8_*: lane by lane with field.h and
 * field_ext.h) compute the same values on any CPU.  Inputs and outputs are
 * canonical (< p) except where a comment says otherwise.
 *
 * Multiplication uses the technique of ntt.c and poseidon.c (which keep
 * their own copies, tuned to their loops): the 128-bit product from four
 * 32x32-bit vpmuludq, then 2^64 = 2^32 - 1 and 2^96 = -1.  Sums of products
 * by constants (gl2v8_dot_*) are lazy: the variable is cut into 22-bit limbs
 * and each limb multiplies the 32-bit halves of c 2^(22k) mod p, so products
 * stay below 2^54 and hundreds of them add up in 64-bit words before one
 * reduction.
 */
#ifndef POR_FIELD_X8_H
#define POR_FIELD_X8_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "field/field.h"
#include "field/field_ext.h"

#define GL_X8_LANES 8

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define GL_X8_HAVE_AVX512 1
#include <immintrin.h>
#define GL_X8_TARGET __attribute__((target("avx512f")))
/* The helpers below are small but many per loop; GCC would leave some calls. */
#define GL_X8_INLINE GL_X8_TARGET __attribute__((always_inline)) static inline
#else
#define GL_X8_HAVE_AVX512 0
#endif

/* Whether the AVX-512 functions may run: the CPU has AVX-512F and
 * POR_NO_SIMD is not set (tests and benchmarks force the portable path). */
static inline bool gl_x8_use_avx512(void)
{
#if GL_X8_HAVE_AVX512
    return __builtin_cpu_supports("avx512f") && getenv("POR_NO_SIMD") == NULL;
#else
    return false;
#endif
}

/* ------------------------------------------------------------------------
 * Constants in the forms the vector multiplications take (built anywhere).
 */

/* A constant factor of glv8_mul_k: c and its high half, each a whole word
 * so that it is a broadcast memory operand. */
typedef struct {
    uint64_t c, h;
} gl_x8_k;

static inline gl_x8_k gl_x8_k_of(gl_t c) { return (gl_x8_k){c, c >> 32}; }

/* A constant factor of the dot products: c 2^(22k) mod p for k = 0, 1, 2,
 * split into 32-bit halves, each in the low half of its own word (vpmuludq
 * reads nothing else). */
typedef struct {
    uint64_t lo[3], hi[3];
} gl_x8_mult;

/* An extension constant for the dot products; c1w = 7 c1 serves the c1 c1'
 * term of an extension product. */
typedef struct {
    gl_x8_mult c0, c1, c1w;
} gl2_x8_mult;

static inline gl_x8_mult gl_x8_mult_of(gl_t c)
{
    gl_x8_mult m;
    for (int k = 0; k < 3; k++) {
        gl_t v = gl_mul(c, (gl_t)1 << (22 * k));
        m.lo[k] = v & 0xffffffffULL;
        m.hi[k] = v >> 32;
    }
    return m;
}

static inline gl2_x8_mult gl2_x8_mult_of(gl2_t c)
{
    return (gl2_x8_mult){gl_x8_mult_of(c.c0), gl_x8_mult_of(c.c1), gl_x8_mult_of(gl_mul(GL2_W, c.c1))};
}

/* ------------------------------------------------------------------------
 * Portable: lane by lane.  r may alias the inputs.
 */

static inline void gl_x8_add(gl_t r[8], const gl_t a[8], const gl_t b[8])
{
    for (int p = 0; p < 8; p++)
        r[p] = gl_add(a[p], b[p]);
}

static inline void gl_x8_sub(gl_t r[8], const gl_t a[8], const gl_t b[8])
{
    for (int p = 0; p < 8; p++)
        r[p] = gl_sub(a[p], b[p]);
}

static inline void gl_x8_mul(gl_t r[8], const gl_t a[8], const gl_t b[8])
{
    for (int p = 0; p < 8; p++)
        r[p] = gl_mul(a[p], b[p]);
}

/* Extension vectors as c0[8], c1[8]. */
static inline void gl2_x8_add(gl_t r0[8], gl_t r1[8], const gl_t a0[8], const gl_t a1[8], const gl_t b0[8],
                              const gl_t b1[8])
{
    gl_x8_add(r0, a0, b0);
    gl_x8_add(r1, a1, b1);
}

static inline void gl2_x8_sub(gl_t r0[8], gl_t r1[8], const gl_t a0[8], const gl_t a1[8], const gl_t b0[8],
                              const gl_t b1[8])
{
    gl_x8_sub(r0, a0, b0);
    gl_x8_sub(r1, a1, b1);
}

static inline void gl2_x8_mul(gl_t r0[8], gl_t r1[8], const gl_t a0[8], const gl_t a1[8], const gl_t b0[8],
                              const gl_t b1[8])
{
    for (int p = 0; p < 8; p++) {
        gl2_t v = gl2_mul((gl2_t){a0[p], a1[p]}, (gl2_t){b0[p], b1[p]});
        r0[p] = v.c0, r1[p] = v.c1;
    }
}

static inline void gl2_x8_mul_base(gl_t r0[8], gl_t r1[8], const gl_t a0[8], const gl_t a1[8], const gl_t b[8])
{
    gl_x8_mul(r0, a0, b);
    gl_x8_mul(r1, a1, b);
}

/* r = sum_t x_t c_t over n base terms (x[t * 8 + p], any 64-bit words,
 * taken mod p), extension constants c. */
static inline void gl2_x8_dot_base(gl_t r0[8], gl_t r1[8], const gl_t *x, const gl2_t *c, size_t n)
{
    for (int p = 0; p < 8; p++) {
        gl2_t s = {0, 0};
        for (size_t t = 0; t < n; t++)
            s = gl2_add(s, gl2_mul_base(c[t], gl_from_u64(x[t * 8 + p])));
        r0[p] = s.c0, r1[p] = s.c1;
    }
}

/* The same for extension terms (x0[t * 8 + p], x1[t * 8 + p]). */
static inline void gl2_x8_dot_ext(gl_t r0[8], gl_t r1[8], const gl_t *x0, const gl_t *x1, const gl2_t *c,
                                  size_t n)
{
    for (int p = 0; p < 8; p++) {
        gl2_t s = {0, 0};
        for (size_t t = 0; t < n; t++)
            s = gl2_add(s, gl2_mul(c[t], (gl2_t){gl_from_u64(x0[t * 8 + p]), gl_from_u64(x1[t * 8 + p])}));
        r0[p] = s.c0, r1[p] = s.c1;
    }
}

/* ------------------------------------------------------------------------
 * AVX-512F.
 */
#if GL_X8_HAVE_AVX512

typedef struct {
    __m512i c0, c1;
} gl2v8;

GL_X8_INLINE __m512i glv8_set1(gl_t a) { return _mm512_set1_epi64((long long)a); }
GL_X8_INLINE __m512i glv8_load(const gl_t *p) { return _mm512_loadu_si512((const void *)p); }
GL_X8_INLINE void glv8_store(gl_t *p, __m512i v) { _mm512_storeu_si512((void *)p, v); }
/* The high halves moved to the low halves, where vpmuludq reads them. */
GL_X8_INLINE __m512i glv8_hi(__m512i a) { return _mm512_srli_epi64(a, 32); }

#define GLV8_P _mm512_set1_epi64((long long)GL_P)
#define GLV8_EPS _mm512_set1_epi64((long long)GL_EPSILON)

/* x mod p for any word x (below 2p). */
GL_X8_INLINE __m512i glv8_canon(__m512i x)
{
    return _mm512_mask_sub_epi64(x, _mm512_cmpge_epu64_mask(x, GLV8_P), x, GLV8_P);
}

/* a + b = a - (p - b), plus p (minus EPSILON, mod 2^64) on a borrow. */
GL_X8_INLINE __m512i glv8_add(__m512i a, __m512i b)
{
    __m512i y = _mm512_sub_epi64(GLV8_P, b);
    __m512i d = _mm512_sub_epi64(a, y);
    return _mm512_mask_sub_epi64(d, _mm512_cmplt_epu64_mask(a, y), d, GLV8_EPS);
}

GL_X8_INLINE __m512i glv8_sub(__m512i a, __m512i b)
{
    __m512i d = _mm512_sub_epi64(a, b);
    return _mm512_mask_sub_epi64(d, _mm512_cmplt_epu64_mask(a, b), d, GLV8_EPS);
}

/*
 * lo + 2^64 hi mod p, below 2^64 but not always below p, for any words:
 * hi's top half has weight 2^96 = -1, its low half 2^64 = EPSILON (one
 * 32x32-bit multiplication); each wrap is fixed by an EPSILON that cannot
 * wrap again.
 */
GL_X8_INLINE __m512i glv8_reduce128_nc(__m512i lo, __m512i hi)
{
    __m512i hi_hi = _mm512_srli_epi64(hi, 32);
    __m512i t0 = _mm512_sub_epi64(lo, hi_hi);
    t0 = _mm512_mask_sub_epi64(t0, _mm512_cmplt_epu64_mask(lo, hi_hi), t0, GLV8_EPS);
    __m512i t1 = _mm512_mul_epu32(hi, GLV8_EPS);
    __m512i r = _mm512_add_epi64(t0, t1);
    return _mm512_mask_add_epi64(r, _mm512_cmplt_epu64_mask(r, t1), r, GLV8_EPS);
}

GL_X8_INLINE __m512i glv8_reduce128(__m512i lo, __m512i hi) { return glv8_canon(glv8_reduce128_nc(lo, hi)); }

/*
 * The 128-bit product (lo, hi) of any words a, b, given ah = glv8_hi(a),
 * bh = glv8_hi(b) (split once for an operand used several times).  The
 * middle products are added with the carries kept inside 64 bits:
 * t = hl + (ll >> 32) and u = lh + (t mod 2^32) cannot overflow.
 */
GL_X8_INLINE void glv8_mul128(__m512i a, __m512i ah, __m512i b, __m512i bh, __m512i *lo, __m512i *hi)
{
    const __m512i m32 = _mm512_set1_epi64((long long)0xffffffffULL);
    __m512i ll = _mm512_mul_epu32(a, b), lh = _mm512_mul_epu32(a, bh);
    __m512i hl = _mm512_mul_epu32(ah, b), hh = _mm512_mul_epu32(ah, bh);
    __m512i t = _mm512_add_epi64(hl, _mm512_srli_epi64(ll, 32));
    __m512i u = _mm512_add_epi64(lh, _mm512_and_si512(t, m32));
    *lo = _mm512_mask_blend_epi32(0x5555, _mm512_slli_epi64(u, 32), ll);
    *hi = _mm512_add_epi64(hh, _mm512_add_epi64(_mm512_srli_epi64(t, 32), _mm512_srli_epi64(u, 32)));
}

/* (lo, hi) += r for any word r; the sum must stay below 2^128. */
GL_X8_INLINE void glv8_acc128(__m512i *lo, __m512i *hi, __m512i r)
{
    *lo = _mm512_add_epi64(*lo, r);
    *hi = _mm512_mask_add_epi64(*hi, _mm512_cmplt_epu64_mask(*lo, r), *hi, _mm512_set1_epi64(1));
}

/* (lo, hi) += 7 r = 8 r - r for any word r; the sum must stay below 2^128,
 * and so it does after a product of canonical values (below 2^128 - 2^96). */
GL_X8_INLINE void glv8_acc128_7(__m512i *lo, __m512i *hi, __m512i r)
{
    glv8_acc128(lo, hi, _mm512_slli_epi64(r, 3));
    *hi = _mm512_add_epi64(*hi, _mm512_srli_epi64(r, 61));
    __mmask8 borrow = _mm512_cmplt_epu64_mask(*lo, r);
    *lo = _mm512_sub_epi64(*lo, r);
    *hi = _mm512_mask_sub_epi64(*hi, borrow, *hi, _mm512_set1_epi64(1));
}

/* a b mod p, below 2^64 (glv8_mul128's arguments). */
GL_X8_INLINE __m512i glv8_mul_hh_nc(__m512i a, __m512i ah, __m512i b, __m512i bh)
{
    __m512i lo, hi;
    glv8_mul128(a, ah, b, bh, &lo, &hi);
    return glv8_reduce128_nc(lo, hi);
}

GL_X8_INLINE __m512i glv8_mul_hh(__m512i a, __m512i ah, __m512i b, __m512i bh)
{
    return glv8_canon(glv8_mul_hh_nc(a, ah, b, bh));
}

GL_X8_INLINE __m512i glv8_mul(__m512i a, __m512i b)
{
    return glv8_mul_hh(a, glv8_hi(a), b, glv8_hi(b));
}

/* a k for a constant k (ah = glv8_hi(a)). */
GL_X8_INLINE __m512i glv8_mul_k(__m512i a, __m512i ah, const gl_x8_k *k)
{
    return glv8_mul_hh(a, ah, _mm512_set1_epi64((long long)k->c), _mm512_set1_epi64((long long)k->h));
}

/*
 * lo + 2^32 hi mod p, canonical, for any words lo, hi: hi's top half has
 * weight 2^64 = EPSILON; the two additions can wrap once each, fixed by an
 * EPSILON that cannot wrap again (the wrapped sums stay 2^32 below 2^64).
 */
GL_X8_INLINE __m512i glv8_combine32(__m512i lo, __m512i hi)
{
    __m512i s = _mm512_slli_epi64(hi, 32);
    __m512i t = _mm512_add_epi64(lo, s);
    t = _mm512_mask_add_epi64(t, _mm512_cmplt_epu64_mask(t, s), t, GLV8_EPS);
    __m512i v = _mm512_mul_epu32(_mm512_srli_epi64(hi, 32), GLV8_EPS);
    __m512i r = _mm512_add_epi64(t, v);
    r = _mm512_mask_add_epi64(r, _mm512_cmplt_epu64_mask(r, v), r, GLV8_EPS);
    return glv8_canon(r);
}

/* x c mod p, canonical, for any word x and a small constant c < 2^32: the
 * two 32x32-bit products recombined by glv8_combine32 (no 128-bit product). */
GL_X8_INLINE __m512i glv8_mul_small(__m512i x, uint32_t c)
{
    const __m512i cv = _mm512_set1_epi64((long long)c);
    return glv8_combine32(_mm512_mul_epu32(x, cv), _mm512_mul_epu32(glv8_hi(x), cv));
}

/* (lo, hi) += x 2^k as 128-bit numbers, for any word x and k < 64 (the
 * shifted-out bits are the high word; a count of 64 shifts to 0); the sum
 * must stay below 2^128.  Linear forms with power-of-two coefficients (limb
 * recompositions) then cost one reduction in all. */
GL_X8_INLINE void glv8_acc128_shl(__m512i *lo, __m512i *hi, __m512i x, unsigned k)
{
    glv8_acc128(lo, hi, _mm512_sll_epi64(x, _mm_cvtsi32_si128((int)k)));
    *hi = _mm512_add_epi64(*hi, _mm512_srl_epi64(x, _mm_cvtsi32_si128(64 - (int)k)));
}

/* sum_{j < n} x_j 2^(shift j) mod p, canonical, for the words x_j at
 * words[j stride] (limb recompositions): one 128-bit sum and one reduction,
 * so shift (n - 1) < 64 and the sum must stay below 2^128. */
GL_X8_INLINE __m512i glv8_recompose(const gl_t *words, size_t stride, unsigned n, unsigned shift)
{
    __m512i lo = _mm512_setzero_si512(), hi = _mm512_setzero_si512();
    for (unsigned j = 0; j < n; j++)
        glv8_acc128_shl(&lo, &hi, glv8_load(words + (size_t)j * stride), shift * j);
    return glv8_reduce128(lo, hi);
}

/* x 2^k mod p, canonical, for any word x and k < 64. */
GL_X8_INLINE __m512i glv8_mul_pow2(__m512i x, unsigned k)
{
    __m512i lo = _mm512_setzero_si512(), hi = _mm512_setzero_si512();
    glv8_acc128_shl(&lo, &hi, x, k);
    return glv8_reduce128(lo, hi);
}

/*
 * An 8x8 block transposed: out[c * out_stride + p] = in[p * in_stride + c]
 * for p, c < 8 (point-major values, e.g. eval_base's outputs of 8 points,
 * to lane-major vectors), in three rounds of 2x2 transposes: of words
 * (unpack), of word pairs and of 4-word halves (shuffle_i64x2).
 */
GL_X8_INLINE void glv8_transpose(const gl_t *in, size_t in_stride, gl_t *out, size_t out_stride)
{
    __m512i r[8], t[8], u[8];
    for (int p = 0; p < 8; p++)
        r[p] = glv8_load(in + p * in_stride);
    for (int p = 0; p < 8; p += 2) {
        t[p] = _mm512_unpacklo_epi64(r[p], r[p + 1]);     /* columns 0, 2, 4, 6 of rows p, p + 1 */
        t[p + 1] = _mm512_unpackhi_epi64(r[p], r[p + 1]); /* columns 1, 3, 5, 7 */
    }
    for (int q = 0; q < 2; q++)
        for (int h = 0; h < 2; h++) {
            u[4 * h + q] = _mm512_shuffle_i64x2(t[4 * h + q], t[4 * h + 2 + q], 0x88);
            u[4 * h + 2 + q] = _mm512_shuffle_i64x2(t[4 * h + q], t[4 * h + 2 + q], 0xDD);
        }
    /* u[4h + 2s + q] holds, for rows 4h..4h+3, columns q + 2s and q + 2s + 4 */
    for (int q = 0; q < 2; q++)
        for (int s = 0; s < 2; s++) {
            glv8_store(out + (q + 2 * s) * out_stride, _mm512_shuffle_i64x2(u[2 * s + q], u[4 + 2 * s + q], 0x88));
            glv8_store(out + (q + 2 * s + 4) * out_stride, _mm512_shuffle_i64x2(u[2 * s + q], u[4 + 2 * s + q], 0xDD));
        }
}

GL_X8_INLINE gl2v8 gl2v8_set1(gl2_t a) { return (gl2v8){glv8_set1(a.c0), glv8_set1(a.c1)}; }
GL_X8_INLINE gl2v8 gl2v8_add(gl2v8 a, gl2v8 b)
{
    return (gl2v8){glv8_add(a.c0, b.c0), glv8_add(a.c1, b.c1)};
}
GL_X8_INLINE gl2v8 gl2v8_sub(gl2v8 a, gl2v8 b)
{
    return (gl2v8){glv8_sub(a.c0, b.c0), glv8_sub(a.c1, b.c1)};
}

/*
 * (a0 + a1 u)(b0 + b1 u) = a0 b0 + 7 a1 b1 + (a0 b1 + a1 b0) u, one
 * reduction per component: a0 b0 and a0 b1 stay 128-bit, and the other
 * products are added to them reduced below 2^64.
 */
GL_X8_INLINE gl2v8 gl2v8_mul(gl2v8 a, gl2v8 b)
{
    __m512i a0h = glv8_hi(a.c0), a1h = glv8_hi(a.c1), b0h = glv8_hi(b.c0), b1h = glv8_hi(b.c1);
    __m512i lo0, hi0, lo1, hi1;
    glv8_mul128(a.c0, a0h, b.c0, b0h, &lo0, &hi0);
    glv8_acc128_7(&lo0, &hi0, glv8_mul_hh_nc(a.c1, a1h, b.c1, b1h));
    glv8_mul128(a.c0, a0h, b.c1, b1h, &lo1, &hi1);
    glv8_acc128(&lo1, &hi1, glv8_mul_hh_nc(a.c1, a1h, b.c0, b0h));
    return (gl2v8){glv8_reduce128(lo0, hi0), glv8_reduce128(lo1, hi1)};
}

/* a b for a base vector b. */
GL_X8_INLINE gl2v8 gl2v8_mul_base(gl2v8 a, __m512i b)
{
    __m512i bh = glv8_hi(b);
    return (gl2v8){glv8_mul_hh(a.c0, glv8_hi(a.c0), b, bh), glv8_mul_hh(a.c1, glv8_hi(a.c1), b, bh)};
}

/* a (b0 + k1 u) for a base vector b0 and a constant k1, with k1w = 7 k1:
 * the factors (delta - w) of the lookup argument. */
GL_X8_INLINE gl2v8 gl2v8_mul_bk(gl2v8 a, __m512i b0, const gl_x8_k *k1, const gl_x8_k *k1w)
{
    __m512i a0h = glv8_hi(a.c0), a1h = glv8_hi(a.c1), b0h = glv8_hi(b0);
    __m512i k1c = _mm512_set1_epi64((long long)k1->c), k1h = _mm512_set1_epi64((long long)k1->h);
    __m512i kwc = _mm512_set1_epi64((long long)k1w->c), kwh = _mm512_set1_epi64((long long)k1w->h);
    __m512i lo0, hi0, lo1, hi1;
    glv8_mul128(a.c0, a0h, b0, b0h, &lo0, &hi0);
    glv8_acc128(&lo0, &hi0, glv8_mul_hh_nc(a.c1, a1h, kwc, kwh));
    glv8_mul128(a.c1, a1h, b0, b0h, &lo1, &hi1);
    glv8_acc128(&lo1, &hi1, glv8_mul_hh_nc(a.c0, a0h, k1c, k1h));
    return (gl2v8){glv8_reduce128(lo0, hi0), glv8_reduce128(lo1, hi1)};
}

/*
 * Lazy sums of products by constants, sum_t x_t c_t, each component a pair
 * of words (lo, hi) worth lo + 2^32 hi.  A base term adds to each word three
 * limb products, below (2^22 + 2^22 + 2^20) 2^32 together, an extension
 * term twice that; after GL_X8_DOT_UNITS base terms' worth the sums are
 * folded back to a canonical value split in halves, which leaves room for
 * as many more: 2^32 + 256 (2^23 + 2^20) 2^32 < 2^64.
 */
#define GL_X8_DOT_UNITS 256
typedef struct {
    __m512i lo0, hi0, lo1, hi1;
    unsigned units;
} gl2v8_dot;

GL_X8_INLINE gl2v8_dot gl2v8_dot_zero(void)
{
    __m512i z = _mm512_setzero_si512();
    return (gl2v8_dot){z, z, z, z, 0};
}

/* The 22-bit limbs of a word (the top one 20 bits). */
typedef struct {
    __m512i l[3];
} glv8_limbs;

GL_X8_INLINE glv8_limbs glv8_split22(__m512i x)
{
    const __m512i m22 = _mm512_set1_epi64((1LL << 22) - 1);
    return (glv8_limbs){{_mm512_and_si512(x, m22), _mm512_and_si512(_mm512_srli_epi64(x, 22), m22),
                         _mm512_srli_epi64(x, 44)}};
}

/* (lo, hi) += x c for the limbs of x. */
GL_X8_INLINE void glv8_mac_limbs(__m512i *lo, __m512i *hi, const glv8_limbs *x, const gl_x8_mult *c)
{
#pragma GCC unroll 3
    for (int k = 0; k < 3; k++) {
        *lo = _mm512_add_epi64(*lo, _mm512_mul_epu32(x->l[k], _mm512_set1_epi64((long long)c->lo[k])));
        *hi = _mm512_add_epi64(*hi, _mm512_mul_epu32(x->l[k], _mm512_set1_epi64((long long)c->hi[k])));
    }
}

GL_X8_INLINE gl2v8 gl2v8_dot_finish(const gl2v8_dot *d)
{
    return (gl2v8){glv8_combine32(d->lo0, d->hi0), glv8_combine32(d->lo1, d->hi1)};
}

/* Makes room for `units` more base terms' worth: folds the sums to a
 * canonical value in halves when they could overflow. */
GL_X8_INLINE void gl2v8_dot_room(gl2v8_dot *d, unsigned units)
{
    if (__builtin_expect(d->units + units <= GL_X8_DOT_UNITS, 1))
        return;
    gl2v8 v = gl2v8_dot_finish(d);
    const __m512i m32 = _mm512_set1_epi64((long long)0xffffffffULL);
    d->lo0 = _mm512_and_si512(v.c0, m32), d->hi0 = glv8_hi(v.c0);
    d->lo1 = _mm512_and_si512(v.c1, m32), d->hi1 = glv8_hi(v.c1);
    d->units = 0;
}

/* d += x c for a base vector x (any words, taken mod p). */
GL_X8_INLINE void gl2v8_dot_base(gl2v8_dot *d, __m512i x, const gl2_x8_mult *c)
{
    gl2v8_dot_room(d, 1);
    glv8_limbs l = glv8_split22(x);
    glv8_mac_limbs(&d->lo0, &d->hi0, &l, &c->c0);
    glv8_mac_limbs(&d->lo1, &d->hi1, &l, &c->c1);
    d->units += 1;
}

/* d += x c for an extension vector x: (x0 c0 + x1 7c1) + (x0 c1 + x1 c0) u. */
GL_X8_INLINE void gl2v8_dot_ext(gl2v8_dot *d, gl2v8 x, const gl2_x8_mult *c)
{
    gl2v8_dot_room(d, 2);
    glv8_limbs l0 = glv8_split22(x.c0), l1 = glv8_split22(x.c1);
    glv8_mac_limbs(&d->lo0, &d->hi0, &l0, &c->c0);
    glv8_mac_limbs(&d->lo0, &d->hi0, &l1, &c->c1w);
    glv8_mac_limbs(&d->lo1, &d->hi1, &l0, &c->c1);
    glv8_mac_limbs(&d->lo1, &d->hi1, &l1, &c->c0);
    d->units += 2;
}

#undef GLV8_P
#undef GLV8_EPS
#endif /* GL_X8_HAVE_AVX512 */

#endif
