/*
 * Poseidon permutation and the sponges built on it.
 *
 * Three implementations of the permutation agree exactly:
 *   - poseidon_permute_reference: the rounds as specified (add constants,
 *     S-box, MDS), canonical values throughout.  Slow; kept for the tests.
 *   - poseidon_permute_scalar: portable.  The 22 partial rounds use the
 *     rewriting derived in gen_poseidon_fast.py (folded constants, sparse
 *     matrices, a per-block change of basis); the constants are in
 *     poseidon_fast_constants.h.  Inside the permutation words are only kept
 *     below 2^64, not canonical ("nc" values), and canonicalised at the end.
 *   - an AVX-512 version of the full rounds, picked at run time by
 *     poseidon_permute when the CPU has it; it shares the partial rounds.
 * poseidon_permute_x8 runs eight independent permutations at once, one state
 * per vector lane (AVX-512F, or AVX-512F + IFMA, picked at run time; else
 * eight scalar calls), and the _x8 sponges are built on it.  The 8-lane
 * builds' layers (S-box, MDS, dense products) are also exported, through
 * poseidon_internal.h, for the Poseidon gate's 8-point evaluation.
 * Every operation is branch-free in the data, so the time does not depend on
 * the (possibly secret) input.
 */
#include "hash/poseidon.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hash/poseidon_constants.h"
#include "hash/poseidon_fast_constants.h"
#include "hash/poseidon_internal.h"

#define HALF_FULL_ROUNDS 4
#define PARTIAL_ROUNDS 22

typedef unsigned __int128 u128;

static const uint64_t MDS_CIRC[POSEIDON_WIDTH] = {17, 15, 41, 16, 2, 28, 13, 13, 39, 18, 34, 20};
static const uint64_t MDS_DIAG0 = 8;

/* ------------------------------------------------------------------------- */
/* Reference permutation. */

static gl_t sbox(gl_t x)
{
    gl_t x2 = gl_sqr(x);
    return gl_mul(gl_mul(x2, x), gl_sqr(x2));
}

/* out[r] = sum_i state[(i + r) mod 12] * C[i], plus 8 * state[0] for r = 0. */
static void mds_layer_reference(gl_t state[POSEIDON_WIDTH])
{
    gl_t out[POSEIDON_WIDTH];
    for (int r = 0; r < POSEIDON_WIDTH; r++) {
        gl_t acc = r == 0 ? gl_mul(state[0], MDS_DIAG0) : 0;
        for (int i = 0; i < POSEIDON_WIDTH; i++)
            acc = gl_add(acc, gl_mul(state[(i + r) % POSEIDON_WIDTH], MDS_CIRC[i]));
        out[r] = acc;
    }
    memcpy(state, out, sizeof(out));
}

static void round_reference(gl_t state[POSEIDON_WIDTH], int round, int full)
{
    const uint64_t *rc = &POR_POSEIDON_ROUND_CONSTANTS[POSEIDON_WIDTH * round];
    for (int i = 0; i < POSEIDON_WIDTH; i++)
        state[i] = gl_add(state[i], gl_from_u64(rc[i]));
    for (int i = 0; i < (full ? POSEIDON_WIDTH : 1); i++)
        state[i] = sbox(state[i]);
    mds_layer_reference(state);
}

void poseidon_permute_reference(gl_t state[POSEIDON_WIDTH])
{
    int round = 0;
    for (int i = 0; i < HALF_FULL_ROUNDS; i++)
        round_reference(state, round++, 1);
    for (int i = 0; i < PARTIAL_ROUNDS; i++)
        round_reference(state, round++, 0);
    for (int i = 0; i < HALF_FULL_ROUNDS; i++)
        round_reference(state, round++, 1);
}

/* ------------------------------------------------------------------------- */
/* Scalar arithmetic on nc values (any uint64_t, congruent to the true value). */

/* x mod p as a value below 2^64 (not necessarily below p), for any 128-bit x:
 * 2^96 = -1 and 2^64 = EPSILON (mod p). */
static inline uint64_t reduce128_nc(u128 x)
{
    uint64_t lo = (uint64_t)x, hi = (uint64_t)(x >> 64);
#if defined(__x86_64__) && defined(__GNUC__)
    /* The same steps as below; the borrow and the carry turn into EPSILON
     * masks with one 32-bit sbb each, which compilers do not find. */
    uint64_t t, u;
    __asm__("movq %[hi], %[t]\n\t"
            "shrq $32, %[t]\n\t"
            "movl %k[hi], %k[u]\n\t"
            "subq %[t], %[lo]\n\t"
            "sbbl %k[t], %k[t]\n\t"
            "subq %[t], %[lo]\n\t"
            "movq %[u], %[t]\n\t"
            "shlq $32, %[t]\n\t"
            "subq %[u], %[t]\n\t"
            "addq %[t], %[lo]\n\t"
            "sbbl %k[t], %k[t]\n\t"
            "addq %[t], %[lo]"
            : [lo] "+r"(lo), [t] "=&r"(t), [u] "=&r"(u)
            : [hi] "r"(hi)
            : "cc");
    return lo;
#else
    uint64_t hi_hi = hi >> 32, hi_lo = hi & GL_EPSILON;
    uint64_t t0 = lo - hi_hi;
    t0 -= GL_EPSILON & -(uint64_t)(lo < hi_hi);      /* borrow: + p */
    uint64_t t1 = (hi_lo << 32) - hi_lo;
    uint64_t r = t0 + t1;
    return r + (GL_EPSILON & -(uint64_t)(r < t1));   /* carry: + 2^64 = EPSILON */
#endif
}

/* lo + hi * 2^64 mod p for hi < 2^32, below 2^64: cheaper than reduce128_nc. */
static inline uint64_t reduce96_nc(uint64_t lo, uint64_t hi)
{
    uint64_t t = hi * GL_EPSILON;
    uint64_t r = lo + t;
    return r + (GL_EPSILON & -(uint64_t)(r < t));
}

/* a + c for any a and a canonical c; the carry fix-up cannot carry again. */
static inline uint64_t add_nc(uint64_t a, uint64_t c)
{
    uint64_t r = a + c;
    return r + (GL_EPSILON & -(uint64_t)(r < c));
}

static inline uint64_t mul_nc(uint64_t a, uint64_t b) { return reduce128_nc((u128)a * b); }

static inline uint64_t sbox_nc(uint64_t x)
{
    uint64_t x2 = mul_nc(x, x);
    return mul_nc(mul_nc(x2, x), mul_nc(x2, x2));
}

/*
 * Dot products with full-size constants: 128-bit products are summed in 128
 * bits and the carries out of bit 128 counted (a handful at most).
 */
typedef struct {
    u128 acc;
    uint64_t carries;
} acc160;

static inline void mac160(acc160 *a, uint64_t x, uint64_t y)
{
    a->carries += __builtin_add_overflow(a->acc, (u128)x * y, &a->acc);
}

/* As reduce128_nc, with carries * 2^128 = carries * 2^32 * 2^96 folded into
 * the 2^96 = -1 term. */
static inline uint64_t reduce160_nc(const acc160 *a)
{
    uint64_t lo = (uint64_t)a->acc, hi = (uint64_t)(a->acc >> 64);
    uint64_t hi_hi = (hi >> 32) + (a->carries << 32), hi_lo = hi & GL_EPSILON;
    uint64_t t0 = lo - hi_hi;
    t0 -= GL_EPSILON & -(uint64_t)(lo < hi_hi);
    uint64_t t1 = (hi_lo << 32) - hi_lo;
    uint64_t r = t0 + t1;
    return r + (GL_EPSILON & -(uint64_t)(r < t1));
}

/* out = m * in + add for an n x n matrix of canonical constants (n <= 12;
 * add canonical, or NULL for none).  out must not overlap in. */
static inline __attribute__((always_inline)) void mat_nc(uint64_t *out, const uint64_t *m,
                                                         const uint64_t *in, int n, const uint64_t *add)
{
#pragma GCC unroll 12
    for (int r = 0; r < n; r++) {
        acc160 a = {add ? add[r] : 0, 0};
#pragma GCC unroll 12
        for (int c = 0; c < n; c++)
            mac160(&a, in[c], m[n * r + c]);
        out[r] = reduce160_nc(&a);
    }
}

/* ------------------------------------------------------------------------- */
/* Full rounds, portable. */

/*
 * MDS layer for inputs below 2^64, plus the next layer's constants (next: low
 * halves of words 0-11, then high halves).  Each input is split into 32-bit
 * halves; the coefficients are below 2^6 and a row's sum to 264, so each row
 * of each half sums below 2^42 in plain 64-bit words, with no carries to
 * track.  Row r is then lo + hi * 2^32 < 2^75, reduced once.  The macro
 * spells out row r of circulant(MDS_CIRC) (+ 8 on the diagonal of row 0).
 */
#define MDS_ROW_SUM(v, r)                                                                 \
    (v[(0 + r) % 12] * 17 + v[(1 + r) % 12] * 15 + v[(2 + r) % 12] * 41 +                  \
     v[(3 + r) % 12] * 16 + v[(4 + r) % 12] * 2 + v[(5 + r) % 12] * 28 +                   \
     v[(6 + r) % 12] * 13 + v[(7 + r) % 12] * 13 + v[(8 + r) % 12] * 39 +                  \
     v[(9 + r) % 12] * 18 + v[(10 + r) % 12] * 34 + v[(11 + r) % 12] * 20)

static inline void mds_next_nc(uint64_t s[POSEIDON_WIDTH], const uint64_t next[2 * POSEIDON_WIDTH])
{
    uint64_t lo[POSEIDON_WIDTH], hi[POSEIDON_WIDTH], sl[POSEIDON_WIDTH], sh[POSEIDON_WIDTH];
    for (int i = 0; i < POSEIDON_WIDTH; i++) {
        lo[i] = s[i] & 0xffffffffULL;
        hi[i] = s[i] >> 32;
    }
#define MDS_ROW(r)                                          \
    sl[r] = next[r] + MDS_ROW_SUM(lo, r);                   \
    sh[r] = next[POSEIDON_WIDTH + r] + MDS_ROW_SUM(hi, r);
    MDS_ROW(0) MDS_ROW(1) MDS_ROW(2) MDS_ROW(3) MDS_ROW(4) MDS_ROW(5)
    MDS_ROW(6) MDS_ROW(7) MDS_ROW(8) MDS_ROW(9) MDS_ROW(10) MDS_ROW(11)
#undef MDS_ROW
    sl[0] += lo[0] * MDS_DIAG0;
    sh[0] += hi[0] * MDS_DIAG0;
    for (int r = 0; r < POSEIDON_WIDTH; r++) {
        uint64_t low = sl[r] + (sh[r] << 32);
        uint64_t high = (sh[r] >> 32) + (low < sl[r]);
        s[r] = reduce96_nc(low, high);
    }
}

static inline void full_round_nc(uint64_t s[POSEIDON_WIDTH], const uint64_t next[2 * POSEIDON_WIDTH])
{
    for (int i = 0; i < POSEIDON_WIDTH; i++)
        s[i] = sbox_nc(s[i]);
    mds_next_nc(s, next);
}

/* ------------------------------------------------------------------------- */
/* Partial rounds, shared by all the fast permutations. */

/*
 * One partial round (see poseidon_fast_constants.h), j = r mod 11:
 *   d = 25 k + W[r] . z;  x0' = 25 x0^7 + d;  z[j] += x0' - d + 25 k.
 * Only the S-box is on the chain from x0 to x0': d needs z alone (the word
 * updated in the previous round is added last), and 25 x0^7 is computed as
 * (25 x0 * x0^2) * x0^4, the multiplication by 25 beside the first squaring.
 */
static inline __attribute__((always_inline)) uint64_t partial_round_nc(uint64_t x0, uint64_t z[11],
                                                                      int r)
{
    const int j = r % 11, late = (j + 10) % 11;
    acc160 a = {POSEIDON_FAST_ROUND_RC25[r], 0};
#pragma GCC unroll 11
    for (int q = 0; q < 11; q++)
        if (q != late)
            mac160(&a, z[q], POSEIDON_FAST_W[r][q]);
    mac160(&a, z[late], POSEIDON_FAST_W[r][late]);
    uint64_t d = gl_from_u64(reduce160_nc(&a));
    uint64_t e = gl_sub(POSEIDON_FAST_ROUND_RC25[r], d);

    u128 t = (u128)x0 * POSEIDON_FAST_M00;
    uint64_t x0_25 = reduce96_nc((uint64_t)t, (uint64_t)(t >> 64));
    uint64_t x2 = mul_nc(x0, x0);
    uint64_t x4 = mul_nc(x2, x2);
    uint64_t x3_25 = mul_nc(x2, x0_25);
    uint64_t x0n = reduce128_nc((u128)x3_25 * x4 + d);   /* < (2^64 - 1)^2 + 2^64 */

    z[j] = add_nc(z[j], gl_from_u64(add_nc(x0n, e)));
    return x0n;
}

/*
 * Full round 3's MDS layer and the 22 partial rounds.  x holds round 3's
 * S-box outputs; on return s is the state after the partial rounds.
 */
static inline void entry_and_partial_rounds_nc(uint64_t s[POSEIDON_WIDTH],
                                               const uint64_t x[POSEIDON_WIDTH])
{
    uint64_t e[POSEIDON_WIDTH], z[11];
    mat_nc(e, &POSEIDON_FAST_ENTRY[0][0], x, POSEIDON_WIDTH, POSEIDON_FAST_ENTRY_RC);
    uint64_t x0 = e[0];
#pragma GCC unroll 11
    for (int r = 0; r < 11; r++)
        x0 = partial_round_nc(x0, e + 1, r);
    mat_nc(z, &POSEIDON_FAST_MID[0][0], e + 1, 11, NULL);
#pragma GCC unroll 11
    for (int r = 11; r < 22; r++)
        x0 = partial_round_nc(x0, z, r);
    mat_nc(s + 1, &POSEIDON_FAST_FINAL[0][0], z, 11, NULL);
    s[0] = x0;
}

/* ------------------------------------------------------------------------- */
/* Fast permutations. */

void poseidon_permute_scalar(gl_t state[POSEIDON_WIDTH])
{
    /* The round constants are canonical (the generator checks), as add_nc needs. */
    const uint64_t *rc = POR_POSEIDON_ROUND_CONSTANTS;
    uint64_t s[POSEIDON_WIDTH];
    for (int i = 0; i < POSEIDON_WIDTH; i++)
        s[i] = add_nc(state[i], rc[i]);
    for (int i = 0; i < HALF_FULL_ROUNDS - 1; i++)
        full_round_nc(s, POSEIDON_MDS_NEXT_RC[i]);
    for (int i = 0; i < POSEIDON_WIDTH; i++)
        s[i] = sbox_nc(s[i]);
    entry_and_partial_rounds_nc(s, s);
    rc += POSEIDON_WIDTH * (HALF_FULL_ROUNDS + PARTIAL_ROUNDS);
    for (int i = 0; i < POSEIDON_WIDTH; i++)
        s[i] = add_nc(s[i], rc[i]);
    for (int i = HALF_FULL_ROUNDS - 1; i < 2 * HALF_FULL_ROUNDS - 1; i++)
        full_round_nc(s, POSEIDON_MDS_NEXT_RC[i]);
    for (int i = 0; i < POSEIDON_WIDTH; i++)
        state[i] = gl_from_u64(s[i]);
}

#if defined(__x86_64__) && defined(__GNUC__)
/*
 * AVX-512 full rounds.  The library is built for baseline x86-64, so this is
 * compiled for AVX-512F alone and chosen at run time.  Words 0-7 are the
 * vector a, words 8-11 lanes 0-3 of b (lanes 4-7 carry junk that never
 * reaches a result).  Each lane computes what the scalar code computes.
 */
#include <immintrin.h>
#define POSEIDON_HAVE_AVX512 1
#define AVX512 __attribute__((target("avx512f")))

/* x + c for any x and canonical c (add_nc). */
AVX512 static inline __m512i v_add_nc(__m512i x, __m512i c)
{
    __m512i eps = _mm512_set1_epi64((long long)GL_EPSILON);
    __m512i r = _mm512_add_epi64(x, c);
    return _mm512_mask_add_epi64(r, _mm512_cmplt_epu64_mask(r, c), r, eps);
}

/* reduce128_nc; hi_lo * EPSILON is one 32x32-bit multiplication. */
AVX512 static inline __m512i v_reduce128_nc(__m512i lo, __m512i hi)
{
    __m512i eps = _mm512_set1_epi64((long long)GL_EPSILON);
    __m512i hi_hi = _mm512_srli_epi64(hi, 32);
    __m512i t0 = _mm512_sub_epi64(lo, hi_hi);
    t0 = _mm512_mask_sub_epi64(t0, _mm512_cmplt_epu64_mask(lo, hi_hi), t0, eps);
    __m512i t1 = _mm512_mul_epu32(hi, eps);
    __m512i r = _mm512_add_epi64(t0, t1);
    return _mm512_mask_add_epi64(r, _mm512_cmplt_epu64_mask(r, t1), r, eps);
}

/*
 * The reduction shared by the product and the square: lo + 2^64 hi, where
 * lo = ll + (middle terms) may have carried out (weight 2^64 = EPSILON,
 * detected as lo < ll) and hi_hi (hi's top half, plus any 2^96 = -1 carry)
 * is subtracted: lo - hi_hi + EPSILON hi_lo, each wrap fixed by EPSILON.
 */
AVX512 static inline __m512i v_reduce_parts_nc(__m512i lo, __m512i ll, __m512i hi, __m512i hi_hi)
{
    __m512i eps = _mm512_set1_epi64((long long)GL_EPSILON);
    __m512i t1 = _mm512_mul_epu32(hi, eps);
    t1 = _mm512_mask_add_epi64(t1, _mm512_cmplt_epu64_mask(lo, ll), t1, eps);
    __m512i t0 = _mm512_sub_epi64(lo, hi_hi);
    t0 = _mm512_mask_sub_epi64(t0, _mm512_cmplt_epu64_mask(lo, hi_hi), t0, eps);
    __m512i r = _mm512_add_epi64(t0, t1);
    return _mm512_mask_add_epi64(r, _mm512_cmplt_epu64_mask(r, t1), r, eps);
}

/*
 * 64x64 -> 128-bit products from four 32x32-bit ones, then reduced, with the
 * carries kept off the chain through the reduction (the partial rounds wait
 * on it): x y = ll + 2^32 m + 2^64 hh with m = lh + hl.  m's carry-out has
 * weight 2^96 = -1 and is subtracted with hi's top half; lo's carry-out has
 * weight 2^64 = EPSILON and is added to hi_lo * EPSILON, which stays below
 * 2^64.  hi = hh + (m >> 32) without the carries is still below 2^64.
 * xh and yh hold the high halves of x and y in their low halves (vpmuludq
 * reads nothing else), so that a word multiplied twice is split once.
 */
AVX512 static inline __m512i v_mul_hh_nc(__m512i x, __m512i xh, __m512i y, __m512i yh)
{
    __m512i ll = _mm512_mul_epu32(x, y), lh = _mm512_mul_epu32(x, yh);
    __m512i hl = _mm512_mul_epu32(xh, y), hh = _mm512_mul_epu32(xh, yh);
    __m512i m = _mm512_add_epi64(lh, hl);
    __m512i lo = _mm512_add_epi64(ll, _mm512_slli_epi64(m, 32));
    __m512i hi = _mm512_add_epi64(hh, _mm512_srli_epi64(m, 32));
    __m512i hi_hi = _mm512_srli_epi64(hi, 32);
    hi_hi = _mm512_mask_add_epi64(hi_hi, _mm512_cmplt_epu64_mask(m, lh), hi_hi, _mm512_set1_epi64(1));
    return v_reduce_parts_nc(lo, ll, hi, hi_hi);
}

/* The high half of x moved down, by a shuffle (port 5) or a shift (port 0):
 * S-boxes take one of each to balance the two vector ports. */
AVX512 static inline __m512i v_hi_p5(__m512i x) { return _mm512_shuffle_epi32(x, _MM_PERM_DDBB); }
AVX512 static inline __m512i v_hi_p0(__m512i x) { return _mm512_srli_epi64(x, 32); }

AVX512 static inline __m512i v_mul_nc(__m512i x, __m512i y)
{
    return v_mul_hh_nc(x, v_hi_p5(x), y, v_hi_p0(y));
}

/*
 * x^2 = ll + 2^33 lh + 2^64 hh: the middle product counts twice, so it is
 * shifted into place whole; lo's carry-out goes to hi_lo * EPSILON as in
 * v_mul_hh_nc (xh: as there).
 */
AVX512 static inline __m512i v_sqr_h_nc(__m512i x, __m512i xh)
{
    __m512i ll = _mm512_mul_epu32(x, x), lh = _mm512_mul_epu32(x, xh);
    __m512i hh = _mm512_mul_epu32(xh, xh);
    __m512i lo = _mm512_add_epi64(ll, _mm512_slli_epi64(lh, 33));
    __m512i hi = _mm512_add_epi64(hh, _mm512_srli_epi64(lh, 31));
    return v_reduce_parts_nc(lo, ll, hi, _mm512_srli_epi64(hi, 32));
}

AVX512 static inline __m512i v_sqr_nc(__m512i x) { return v_sqr_h_nc(x, v_hi_p5(x)); }

/*
 * S-box on words 0-7 (a) and 8-11 (lanes 0-3 of b).  For b, x^3 and x^4 share
 * one vector, so the 12 words take 7 vector multiplications instead of 8.
 */
AVX512 static inline void v_sbox_nc(__m512i *a, __m512i *b)
{
    __m512i x = *a, x2 = v_sqr_nc(x);
    *a = v_mul_nc(v_mul_nc(x2, x), v_sqr_nc(x2));
    __m512i y = *b, y2 = v_sqr_nc(y);
    __m512i y34 = v_mul_nc(_mm512_shuffle_i64x2(y2, y2, 0x44), _mm512_shuffle_i64x2(y, y2, 0x44));
    *b = v_mul_nc(y34, _mm512_shuffle_i64x2(y34, y34, 0xEE));
}

/*
 * lo + hi * 2^32 mod p, below 2^64, for lo, hi < 2^62 (an MDS row, or the
 * sums of a dot product): hi's top half has weight 2^64 = EPSILON and is
 * added to lo first without overflow, then its low half shifted into place,
 * with one carry fix-up.
 */
AVX512 static inline __m512i v_combine_nc(__m512i lo, __m512i hi)
{
    __m512i eps = _mm512_set1_epi64((long long)GL_EPSILON);
    __m512i u = _mm512_add_epi64(lo, _mm512_mul_epu32(_mm512_srli_epi64(hi, 32), eps));  /* < 2^63 */
    __m512i r = _mm512_add_epi64(u, _mm512_slli_epi64(hi, 32));
    return _mm512_mask_add_epi64(r, _mm512_cmplt_epu64_mask(r, u), r, eps);
}

/*
 * mds_next_nc, column by column: word j is broadcast and its 32-bit halves
 * multiply column j of the matrix.  The 24 row sums (low and high halves of
 * 12 rows) fill three vectors exactly: low rows 0-7 | low rows 8-11 and high
 * rows 0-3 | high rows 4-11, which is also the layout of next.  They are
 * summed in two interleaved sets to halve the chain of additions.
 */
AVX512 static inline void v_mds_next_nc(__m512i *a, __m512i *b, const uint64_t next[2 * POSEIDON_WIDTH])
{
    __m512i ah = _mm512_srli_epi64(*a, 32), bh = _mm512_srli_epi64(*b, 32);
    __m512i o[2][3];
    o[0][0] = _mm512_loadu_si512((const void *)next);
    o[0][1] = _mm512_loadu_si512((const void *)(next + 8));
    o[0][2] = _mm512_loadu_si512((const void *)(next + 16));
    o[1][0] = o[1][1] = o[1][2] = _mm512_setzero_si512();
#pragma GCC unroll 12
    for (int j = 0; j < POSEIDON_WIDTH; j++) {
        __m512i idx = _mm512_set1_epi64(j & 7);
        __m512i x = _mm512_permutexvar_epi64(idx, j < 8 ? *a : *b);
        __m512i xh = _mm512_permutexvar_epi64(idx, j < 8 ? ah : bh);
        __m512i xm = _mm512_mask_blend_epi64(0xF0, x, xh);
        const uint64_t *col = POSEIDON_MDS_COLUMNS[j];
        __m512i c0 = _mm512_loadu_si512((const void *)col);
        __m512i c1 = _mm512_loadu_si512((const void *)(col + 8));
        __m512i c2 = _mm512_loadu_si512((const void *)(col + 16));
        __m512i *acc = o[j & 1];
        acc[0] = _mm512_add_epi64(acc[0], _mm512_mul_epu32(x, c0));
        acc[1] = _mm512_add_epi64(acc[1], _mm512_mul_epu32(xm, c1));
        acc[2] = _mm512_add_epi64(acc[2], _mm512_mul_epu32(xh, c2));
    }
    __m512i o1 = _mm512_add_epi64(o[0][0], o[1][0]);
    __m512i o2 = _mm512_add_epi64(o[0][1], o[1][1]);
    __m512i o3 = _mm512_add_epi64(o[0][2], o[1][2]);
    __m512i hi_a = _mm512_permutex2var_epi64(o2, _mm512_set_epi64(11, 10, 9, 8, 7, 6, 5, 4), o3);
    __m512i hi_b = _mm512_shuffle_i64x2(o3, o3, _MM_SHUFFLE(3, 2, 3, 2));
    *a = v_combine_nc(o1, hi_a);
    *b = v_combine_nc(o2, hi_b);
}

AVX512 static void poseidon_permute_avx512(gl_t state[POSEIDON_WIDTH])
{
    uint64_t s[POSEIDON_WIDTH] __attribute__((aligned(64)));
    const uint64_t *rc = POR_POSEIDON_ROUND_CONSTANTS;
    __m512i a = v_add_nc(_mm512_loadu_si512((const void *)state), _mm512_loadu_si512((const void *)rc));
    __m512i b = v_add_nc(_mm512_maskz_loadu_epi64(0x0F, state + 8),
                         _mm512_maskz_loadu_epi64(0x0F, rc + 8));
    for (int i = 0; i < HALF_FULL_ROUNDS - 1; i++) {
        v_sbox_nc(&a, &b);
        v_mds_next_nc(&a, &b, POSEIDON_MDS_NEXT_RC[i]);
    }
    v_sbox_nc(&a, &b);
    _mm512_store_si512((void *)s, a);
    _mm512_mask_storeu_epi64(s + 8, 0x0F, b);
    entry_and_partial_rounds_nc(s, s);
    rc += POSEIDON_WIDTH * (HALF_FULL_ROUNDS + PARTIAL_ROUNDS);
    a = v_add_nc(_mm512_load_si512((const void *)s), _mm512_loadu_si512((const void *)rc));
    b = v_add_nc(_mm512_maskz_loadu_epi64(0x0F, s + 8), _mm512_maskz_loadu_epi64(0x0F, rc + 8));
    for (int i = HALF_FULL_ROUNDS - 1; i < 2 * HALF_FULL_ROUNDS - 1; i++) {
        v_sbox_nc(&a, &b);
        v_mds_next_nc(&a, &b, POSEIDON_MDS_NEXT_RC[i]);
    }
    __m512i p = _mm512_set1_epi64((long long)GL_P);
    a = _mm512_mask_sub_epi64(a, _mm512_cmpge_epu64_mask(a, p), a, p);
    b = _mm512_mask_sub_epi64(b, _mm512_cmpge_epu64_mask(b, p), b, p);
    _mm512_storeu_si512((void *)state, a);
    _mm512_mask_storeu_epi64(state + 8, 0x0F, b);
}

/* ------------------------------------------------------------------------- */
/*
 * Eight permutations at once, AVX-512: vector i holds word i of the eight
 * states (lane l = state l), so every operation of the scalar permutation
 * becomes one vector operation and no lane ever waits for another; the
 * partial rounds vectorize too, each lane working on its own word 0.
 *
 * Two builds of the same rounds (V8_ENGINE below) share the S-box and differ
 * in their linear layers:
 *   - f (AVX-512F): the MDS layer row by row, coefficients times 32-bit
 *     halves with vpmuludq then an addition.  Products with the partial
 *     rounds' full-size constants use limbs without carries: x < 2^64 is
 *     split into 22-bit limbs x_k (x_2 has 20 bits) and constant c is stored
 *     as m_k = c * 2^(22k) mod p in 32-bit halves (limb_mult), so x * c =
 *     sum_k x_k * m_k.lo + 2^32 * x_k * m_k.hi (mod p).  Each product is
 *     below 2^54, so the two running sums of a dot product of up to 48 terms
 *     stay below 2^62.
 *   - ifma (AVX-512 IFMA, vpmadd52luq/huq: multiply the low 52 bits of two
 *     words and add the low or the high 52 bits of the product in one
 *     instruction):
 *       * the MDS layer splits the circulant by its structure
 *         (v_mds_half_ifma): 85 additions and multiply-adds per 32-bit
 *         half instead of 144 multiply-adds, working modulo 2^52 so that
 *         negative coefficients cost nothing;
 *       * x * c for a full-size constant uses the 32-bit halves of x:
 *         x * c = xl * c + xh * d with d = c * 2^32 mod p, and with c = c0 +
 *         2^52 c1 (c1 < 2^12) xl * c0 goes to sums of weight 1 and 2^52,
 *         xl * c1 < 2^44 to weight 2^52 (ifma_mult): six multiply-adds into
 *         two sums.
 * The constants are canonical, so every constant split is exact.
 */

/* x with values >= p brought below p. */
AVX512 static inline __m512i v_canon(__m512i x)
{
    __m512i p = _mm512_set1_epi64((long long)GL_P);
    return _mm512_mask_sub_epi64(x, _mm512_cmpge_epu64_mask(x, p), x, p);
}

/*
 * S-boxes of SBOX_GROUP words, step by step across the words: each S-box is
 * a chain of dependent multiplications (about 85 cycles), and interleaving
 * them in program order keeps independent work within reach of the
 * out-of-order scheduler, which a whole S-box at a time would fill.
 */
#define SBOX_GROUP 6    /* of 2, 3, 4, 6, 12: 4 and up about equal, 6 best */
AVX512 static inline __attribute__((always_inline)) void v_sbox7_group_nc(__m512i *y, const __m512i *x)
{
    __m512i xh[SBOX_GROUP], x2[SBOX_GROUP], x2h[SBOX_GROUP], x3[SBOX_GROUP], x4[SBOX_GROUP];
#pragma GCC unroll 12
    for (int i = 0; i < SBOX_GROUP; i++) {
        xh[i] = v_hi_p5(x[i]);
        x2[i] = v_sqr_h_nc(x[i], xh[i]);
    }
#pragma GCC unroll 12
    for (int i = 0; i < SBOX_GROUP; i++) {
        x2h[i] = v_hi_p0(x2[i]);
        x3[i] = v_mul_hh_nc(x2[i], x2h[i], x[i], xh[i]);
    }
#pragma GCC unroll 12
    for (int i = 0; i < SBOX_GROUP; i++)
        x4[i] = v_sqr_h_nc(x2[i], x2h[i]);
#pragma GCC unroll 12
    for (int i = 0; i < SBOX_GROUP; i++)
        y[i] = v_mul_nc(x3[i], x4[i]);
}

/* c * 2^(22k) mod p, k = 0, 1, 2, each as [low 32 bits, high 32 bits]. */
typedef struct {
    uint32_t m[3][2];
} limb_mult;

/* c and d = c * 2^32 mod p, each with its top 12 bits apart (IFMA reads the
 * low 52 bits of c and d itself). */
typedef struct {
    uint64_t c, c_hi, d, d_hi;
} ifma_mult;

/* An added constant split at bit 52, a[0] + 2^52 a[1]. */
typedef struct {
    uint64_t a[2];
} x8_add;
static const x8_add X8_ZERO_ADD = {{0, 0}};

/*
 * The partial rounds' constants in the forms the two builds multiply by,
 * rescaled so that no round multiplies by M00 = 25.  With x0 = lam[r] y in
 * round r, lam[0] = 1 and lam[r + 1] = 25 lam[r]^7, round r becomes
 *   y' = y^7 + d / lam[r + 1]
 * and the word z[j] it updates is kept divided by lam[r + 1] for its whole
 * block, so that its update is z[j] += y^7 + 25 k / lam[r + 1].  ENTRY's rows
 * 1-11, W, MID and FINAL absorb the scale factors of the words they read and
 * write; after the last round x0 = lam[22] y.  (Row 0 of ENTRY, x0 itself, is
 * unscaled.)  The ifma build also takes the added constants split at bit 52
 * (_add) and the full rounds' next-round constants as whole words (next_rc).
 * All of it is read from memory as broadcast operands.
 */
typedef struct {
    limb_mult entry_f[POSEIDON_WIDTH][POSEIDON_WIDTH];
    limb_mult w_f[PARTIAL_ROUNDS][11];    /* row r rotated: word r mod 11 first */
    limb_mult mid_f[11][11];
    limb_mult final_f[11][11];
    limb_mult lam_f;                      /* lam[22] */
    ifma_mult entry_ifma[POSEIDON_WIDTH][POSEIDON_WIDTH];
    ifma_mult w_ifma[PARTIAL_ROUNDS][11];
    ifma_mult mid_ifma[11][11];
    ifma_mult final_ifma[11][11];
    ifma_mult lam_ifma;
    uint64_t entry_rc[POSEIDON_WIDTH];    /* ENTRY_RC, rows 1-11 scaled */
    uint64_t rc25[PARTIAL_ROUNDS];        /* ROUND_RC25[r] / lam[r + 1] */
    x8_add entry_add[POSEIDON_WIDTH];
    x8_add rc25_add[PARTIAL_ROUNDS];
    uint64_t next_rc[2 * HALF_FULL_ROUNDS - 1][POSEIDON_WIDTH];
} x8_tables;

/* Derived once from the generated constants, then only read. */
static x8_tables X8_TABLES;
static pthread_once_t x8_tables_once = PTHREAD_ONCE_INIT;

static limb_mult x8_derive_f(uint64_t c)
{
    limb_mult lm;
    for (int k = 0; k < 3; k++) {
        uint64_t m = gl_reduce128((u128)c << (22 * k));
        lm.m[k][0] = (uint32_t)m;
        lm.m[k][1] = (uint32_t)(m >> 32);
    }
    return lm;
}

static ifma_mult x8_derive_ifma(uint64_t c)
{
    uint64_t d = gl_reduce128((u128)c << 32);
    return (ifma_mult){c, c >> 52, d, d >> 52};
}

static void x8_derive(limb_mult *lm, ifma_mult *im, uint64_t c)
{
    *lm = x8_derive_f(c);
    *im = x8_derive_ifma(c);
}

static x8_add x8_split_add(uint64_t c)
{
    return (x8_add){{c & ((1ULL << 52) - 1), c >> 52}};
}

static void x8_tables_init(void)
{
    x8_tables *t = &X8_TABLES;
    gl_t lam[PARTIAL_ROUNDS + 1], inv[PARTIAL_ROUNDS + 1];
    lam[0] = 1;
    for (int r = 0; r < PARTIAL_ROUNDS; r++)
        lam[r + 1] = gl_mul(POSEIDON_FAST_M00, gl_pow(lam[r], 7));
    for (int r = 0; r <= PARTIAL_ROUNDS; r++)
        inv[r] = gl_inv(lam[r]);
    /* word q of block 1 is updated by round q, of block 2 by round 11 + q */
    const gl_t *mu1 = lam + 1, *mu2 = lam + 12, *inv_mu1 = inv + 1, *inv_mu2 = inv + 12;

    for (int i = 0; i < POSEIDON_WIDTH; i++) {
        gl_t f = i == 0 ? 1 : inv_mu1[i - 1];
        for (int c = 0; c < POSEIDON_WIDTH; c++)
            x8_derive(&t->entry_f[i][c], &t->entry_ifma[i][c], gl_mul(POSEIDON_FAST_ENTRY[i][c], f));
        t->entry_rc[i] = gl_mul(POSEIDON_FAST_ENTRY_RC[i], f);
        t->entry_add[i] = x8_split_add(t->entry_rc[i]);
    }
    for (int r = 0; r < PARTIAL_ROUNDS; r++) {
        const gl_t *mu = r < 11 ? mu1 : mu2;
        for (int k = 0; k < 11; k++) {
            int q = (r + k) % 11;
            gl_t c = gl_mul(gl_mul(POSEIDON_FAST_W[r][q], mu[q]), inv[r + 1]);
            x8_derive(&t->w_f[r][k], &t->w_ifma[r][k], c);
        }
        t->rc25[r] = gl_mul(POSEIDON_FAST_ROUND_RC25[r], inv[r + 1]);
        t->rc25_add[r] = x8_split_add(t->rc25[r]);
    }
    for (int q = 0; q < 11; q++)
        for (int c = 0; c < 11; c++) {
            x8_derive(&t->mid_f[q][c], &t->mid_ifma[q][c],
                      gl_mul(gl_mul(POSEIDON_FAST_MID[q][c], mu1[c]), inv_mu2[q]));
            x8_derive(&t->final_f[q][c], &t->final_ifma[q][c], gl_mul(POSEIDON_FAST_FINAL[q][c], mu2[c]));
        }
    x8_derive(&t->lam_f, &t->lam_ifma, lam[PARTIAL_ROUNDS]);
    for (int i = 0; i < 2 * HALF_FULL_ROUNDS - 1; i++)
        for (int r = 0; r < POSEIDON_WIDTH; r++)
            t->next_rc[i][r] = POSEIDON_MDS_NEXT_RC[i][r] | POSEIDON_MDS_NEXT_RC[i][POSEIDON_WIDTH + r] << 32;
}

/* A word split for multiplication by full-size constants (f: 3 limbs, ifma: 2). */
typedef struct {
    __m512i l[3];
} v_limbs;

/* --- f: AVX-512F only --- */

AVX512 static inline v_limbs v_split_f(__m512i x)
{
    __m512i m22 = _mm512_set1_epi64((1LL << 22) - 1);
    v_limbs r;
    r.l[0] = _mm512_and_si512(x, m22);
    r.l[1] = _mm512_and_si512(_mm512_srli_epi64(x, 22), m22);
    r.l[2] = _mm512_srli_epi64(x, 44);
    return r;
}

/*
 * Dot products add + sum_q c[q] * x[q] (add canonical, up to
 * POSEIDON_X8_DENSE_MAX_COLS = 48 terms: the limbs' products are below 2^54,
 * so the sums over the three limbs stay below 108 * 2^54 < 2^62) in three
 * steps, so that a partial round can spread one over its S-box: dot_init,
 * dot_terms for terms [k0, k1), dot_finish (an nc value).  One pair of
 * running sums per limb keeps the addition chains short.
 */
typedef struct {
    __m512i lo[3], hi[3];
} dot_acc_f;

AVX512 static inline void dot_init_f(dot_acc_f *a, uint64_t add)
{
    a->lo[0] = _mm512_set1_epi64((long long)(add & 0xffffffffULL));
    a->hi[0] = _mm512_set1_epi64((long long)(add >> 32));
    a->lo[1] = a->lo[2] = a->hi[1] = a->hi[2] = _mm512_setzero_si512();
}

AVX512 static inline __attribute__((always_inline)) void dot_terms_f(dot_acc_f *a, const v_limbs *x,
                                                                     const limb_mult *lm, int k0, int k1)
{
#pragma GCC unroll 12
    for (int q = k0; q < k1; q++)
#pragma GCC unroll 3
        for (int l = 0; l < 3; l++) {
            __m512i ml = _mm512_set1_epi32((int)lm[q].m[l][0]);
            __m512i mh = _mm512_set1_epi32((int)lm[q].m[l][1]);
            a->lo[l] = _mm512_add_epi64(a->lo[l], _mm512_mul_epu32(x[q].l[l], ml));
            a->hi[l] = _mm512_add_epi64(a->hi[l], _mm512_mul_epu32(x[q].l[l], mh));
        }
}

AVX512 static inline __m512i dot_finish_f(const dot_acc_f *a)
{
    return v_combine_nc(_mm512_add_epi64(_mm512_add_epi64(a->lo[0], a->lo[1]), a->lo[2]),
                        _mm512_add_epi64(_mm512_add_epi64(a->hi[0], a->hi[1]), a->hi[2]));
}

/*
 * S-box outputs y[0..12) -> the MDS layer plus the next round's constants
 * (next as in mds_next_nc), row by row from the 32-bit halves.
 */
AVX512 static inline void v8_mds_f(__m512i s[POSEIDON_WIDTH], const __m512i y[POSEIDON_WIDTH], int round)
{
    const uint64_t *next = POSEIDON_MDS_NEXT_RC[round];
    __m512i hi[POSEIDON_WIDTH];
#pragma GCC unroll 12
    for (int i = 0; i < POSEIDON_WIDTH; i++)
        hi[i] = _mm512_srli_epi64(y[i], 32);
#pragma GCC unroll 12
    for (int r = 0; r < POSEIDON_WIDTH; r++) {
        __m512i sl = _mm512_set1_epi64((long long)next[r]);
        __m512i sh = _mm512_set1_epi64((long long)next[POSEIDON_WIDTH + r]);
#pragma GCC unroll 12
        for (int i = 0; i < POSEIDON_WIDTH; i++) {
            uint64_t c = MDS_CIRC[(i + POSEIDON_WIDTH - r) % POSEIDON_WIDTH] + (r == 0 && i == 0 ? MDS_DIAG0 : 0);
            __m512i k = _mm512_set1_epi64((long long)c);
            sl = _mm512_add_epi64(sl, _mm512_mul_epu32(y[i], k));
            sh = _mm512_add_epi64(sh, _mm512_mul_epu32(hi[i], k));
        }
        s[r] = v_combine_nc(sl, sh);
    }
}

/* Row 0 of ENTRY (see v8_entry_row0_ifma), here a dot product like the others. */
AVX512 static inline __m512i v8_entry_row0_f(const v_limbs x[POSEIDON_WIDTH])
{
    dot_acc_f a;
    dot_init_f(&a, X8_TABLES.entry_rc[0]);
    dot_terms_f(&a, x, X8_TABLES.entry_f[0], 0, POSEIDON_WIDTH);
    return dot_finish_f(&a);
}

/* --- ifma: AVX-512F + IFMA --- */

#define AVX512IFMA __attribute__((target("avx512f,avx512ifma")))
#define M52 ((1ULL << 52) - 1)

/* acc + c * x modulo 2^52 for a small constant c of either sign (IFMA
 * multiplies low 52 bits, so -c is 2^52 - c); c = +-1 is an addition or a
 * subtraction. */
AVX512IFMA static inline __attribute__((always_inline)) __m512i v_mac52(__m512i acc, __m512i x, int c)
{
    if (c == 1)
        return _mm512_add_epi64(acc, x);
    if (c == -1)
        return _mm512_sub_epi64(acc, x);
    return _mm512_madd52lo_epu64(acc, x, _mm512_set1_epi64((long long)((uint64_t)(int64_t)c & M52)));
}

/* c * x modulo 2^52 (c = 1: x itself). */
AVX512IFMA static inline __attribute__((always_inline)) __m512i v_mul52(__m512i x, int c)
{
    if (c == 1)
        return x;
    return v_mac52(_mm512_setzero_si512(), x, c);
}

/*
 * Coefficient i of the circulant pieces (C = MDS_CIRC): Cp = (C[i] + C[i+6])
 * / 2 and Cm = (C[i] - C[i+6]) / 2 for the halves X^6 - 1 and X^6 + 1 of
 * X^12 - 1, then Cp split again by X^3 - 1 and X^3 + 1 into Cpp and Cpm.
 * The sums and differences are all even for this matrix.
 */
static inline int mds_cp(int i) { return (int)(MDS_CIRC[i] + MDS_CIRC[i + 6]) / 2; }
static inline int mds_cm(int i) { return ((int)MDS_CIRC[i] - (int)MDS_CIRC[i + 6]) / 2; }
static inline int mds_cpp(int i) { return (mds_cp(i) + mds_cp(i + 3)) / 2; }
static inline int mds_cpm(int i) { return (mds_cp(i) - mds_cp(i + 3)) / 2; }

/*
 * One 32-bit half of the MDS layer in place: a[r] <- sum_i C[i] a[(i + r) mod
 * 12] (+ 8 a[0] for r = 0), modulo 2^52 (the true values are below 2^42).
 * With A+ = a[0..6) + a[6..12) and A- = a[0..6) - a[6..12), row r < 6 is
 * U[r] + V[r] and row r + 6 is U[r] - V[r], where U is the 6-cyclic
 * correlation of A+ with Cp and V the 6-negacyclic one (terms that wrap
 * around change sign) of A- with Cm; U splits the same way into 3-cyclic and
 * 3-negacyclic pieces with Cpp and Cpm.  Each V row starts from a term of
 * coefficient +1, which every row has.
 */
AVX512IFMA static inline __attribute__((always_inline)) void v_mds_half_ifma(__m512i a[POSEIDON_WIDTH])
{
    __m512i ap[6], am[6], p[3], m[3], u[6], a0 = a[0];
#pragma GCC unroll 6
    for (int j = 0; j < 6; j++) {
        ap[j] = _mm512_add_epi64(a[j], a[j + 6]);
        am[j] = _mm512_sub_epi64(a[j], a[j + 6]);
    }
#pragma GCC unroll 3
    for (int j = 0; j < 3; j++) {
        p[j] = _mm512_add_epi64(ap[j], ap[j + 3]);
        m[j] = _mm512_sub_epi64(ap[j], ap[j + 3]);
    }
#pragma GCC unroll 3
    for (int r = 0; r < 3; r++) {
        __m512i uu = v_mul52(p[r], mds_cpp(0)), vv = v_mul52(m[r], mds_cpm(0));
#pragma GCC unroll 3
        for (int i = 1; i < 3; i++) {
            uu = v_mac52(uu, p[(i + r) % 3], mds_cpp(i));
            vv = v_mac52(vv, m[(i + r) % 3], i + r < 3 ? mds_cpm(i) : -mds_cpm(i));
        }
        u[r] = _mm512_add_epi64(uu, vv);
        u[r + 3] = _mm512_sub_epi64(uu, vv);
    }
#pragma GCC unroll 6
    for (int r = 0; r < 6; r++) {
        const int start = r < 5 ? 1 : 3;   /* Cm[1] = 1, -Cm[3] = 1 */
        __m512i v = am[(start + r) % 6];
#pragma GCC unroll 6
        for (int i = 0; i < 6; i++)
            if (i != start)
                v = v_mac52(v, am[(i + r) % 6], i + r < 6 ? mds_cm(i) : -mds_cm(i));
        a[r] = _mm512_add_epi64(u[r], v);
        a[r + 6] = _mm512_sub_epi64(u[r], v);
    }
    a[0] = _mm512_madd52lo_epu64(a[0], a0, _mm512_set1_epi64((long long)MDS_DIAG0));
}

/*
 * rc + lo + 2^32 hi mod p, below 2^64, from MDS rows lo and hi known modulo
 * 2^52 (true values below 2^42) and rc < 2^64 - 2^43 (every next-round
 * constant is).  IFMA reads only their low 52 bits: multiplying by 1 adds lo
 * to rc, and the high product by 2^20 is hi >> 32, whose weight 2^64 is
 * EPSILON; hi's low half is shifted into place with one carry fix-up.
 */
AVX512IFMA static inline __m512i v_combine_rc_ifma(__m512i lo, __m512i hi, __m512i rc)
{
    __m512i eps = _mm512_set1_epi64((long long)GL_EPSILON);
    __m512i u = _mm512_madd52lo_epu64(rc, lo, _mm512_set1_epi64(1));
    __m512i ht = _mm512_madd52hi_epu64(_mm512_setzero_si512(), hi, _mm512_set1_epi64(1LL << 20));
    u = _mm512_madd52lo_epu64(u, ht, eps);
    __m512i hs = _mm512_slli_epi64(hi, 32);
    __m512i r = _mm512_add_epi64(u, hs);
    return _mm512_mask_add_epi64(r, _mm512_cmplt_epu64_mask(r, hs), r, eps);
}

/* S-box outputs y[0..12) -> the MDS layer plus the next round's constants
 * (next_rc, all below 2^64 - 2^56). */
AVX512IFMA static inline void v8_mds_ifma(__m512i s[POSEIDON_WIDTH], const __m512i y[POSEIDON_WIDTH], int round)
{
    const uint64_t *next = X8_TABLES.next_rc[round];
    __m512i lo[POSEIDON_WIDTH], hi[POSEIDON_WIDTH];
#pragma GCC unroll 12
    for (int i = 0; i < POSEIDON_WIDTH; i++) {
        lo[i] = _mm512_and_si512(y[i], _mm512_set1_epi64(0xffffffffLL));
        hi[i] = _mm512_srli_epi64(y[i], 32);
    }
    v_mds_half_ifma(lo);
    v_mds_half_ifma(hi);
#pragma GCC unroll 12
    for (int r = 0; r < POSEIDON_WIDTH; r++)
        s[r] = v_combine_rc_ifma(lo[r], hi[r], _mm512_set1_epi64((long long)next[r]));
}

/*
 * Row 0 of ENTRY is word 0's row of round 3's MDS layer (x0 is that word),
 * with small coefficients: summed over the 32-bit halves as in v8_mds_ifma.
 */
AVX512IFMA static inline __m512i v8_entry_row0_ifma(const v_limbs x[POSEIDON_WIDTH])
{
    __m512i lo = _mm512_setzero_si512(), hi = _mm512_setzero_si512();
#pragma GCC unroll 12
    for (int i = 0; i < POSEIDON_WIDTH; i++) {
        __m512i k = _mm512_set1_epi64((long long)POSEIDON_FAST_ENTRY[0][i]);
        lo = _mm512_madd52lo_epu64(lo, x[i].l[0], k);
        hi = _mm512_madd52lo_epu64(hi, x[i].l[1], k);
    }
    return v_combine_rc_ifma(lo, hi, _mm512_set1_epi64((long long)POSEIDON_FAST_ENTRY_RC[0]));
}

AVX512IFMA static inline v_limbs v_split_ifma(__m512i x)
{
    v_limbs r;
    r.l[0] = _mm512_and_si512(x, _mm512_set1_epi64(0xffffffffLL));
    r.l[1] = _mm512_srli_epi64(x, 32);
    r.l[2] = _mm512_setzero_si512();
    return r;
}

/*
 * As dot_*_f, with add split at bit 52 (x8_add).  With x = xl +
 * 2^32 xh, x * c = xl * c + xh * d: xl * c0 (< 2^84) goes to the sums of
 * weight 1 and 2^52, xl * c1 (< 2^44) to 2^52, and the same for xh with d
 * into a second pair of sums.  For up to 48 terms w0 + w0b < 97 * 2^52 and
 * the w1 sums < 2^51; w0's bits from 52 up move to w1, and the 103-bit w0 +
 * 2^52 w1 is reduced as a 128-bit product is.
 */
typedef struct {
    __m512i w0, w1, w0b, w1b;
} dot_acc_ifma;

AVX512IFMA static inline void dot_init_ifma(dot_acc_ifma *a, x8_add add)
{
    a->w0 = _mm512_set1_epi64((long long)add.a[0]);
    a->w1 = _mm512_set1_epi64((long long)add.a[1]);
    a->w0b = a->w1b = _mm512_setzero_si512();
}

AVX512IFMA static inline __attribute__((always_inline)) void dot_terms_ifma(dot_acc_ifma *a, const v_limbs *x,
                                                                            const ifma_mult *m, int k0, int k1)
{
#pragma GCC unroll 12
    for (int q = k0; q < k1; q++) {
        __m512i c = _mm512_set1_epi64((long long)m[q].c), c_hi = _mm512_set1_epi64((long long)m[q].c_hi);
        __m512i d = _mm512_set1_epi64((long long)m[q].d), d_hi = _mm512_set1_epi64((long long)m[q].d_hi);
        a->w0 = _mm512_madd52lo_epu64(a->w0, x[q].l[0], c);
        a->w1 = _mm512_madd52hi_epu64(a->w1, x[q].l[0], c);
        a->w1 = _mm512_madd52lo_epu64(a->w1, x[q].l[0], c_hi);
        a->w0b = _mm512_madd52lo_epu64(a->w0b, x[q].l[1], d);
        a->w1b = _mm512_madd52hi_epu64(a->w1b, x[q].l[1], d);
        a->w1b = _mm512_madd52lo_epu64(a->w1b, x[q].l[1], d_hi);
    }
}

AVX512IFMA static inline __m512i dot_finish_ifma(const dot_acc_ifma *a)
{
    __m512i w0 = _mm512_add_epi64(a->w0, a->w0b);
    __m512i w1 = _mm512_add_epi64(_mm512_add_epi64(a->w1, a->w1b), _mm512_srli_epi64(w0, 52));
    __m512i lo = _mm512_madd52lo_epu64(_mm512_slli_epi64(w1, 52), w0, _mm512_set1_epi64(1));
    return v_reduce128_nc(lo, _mm512_srli_epi64(w1, 12));
}

/*
 * The permutation on canonical words s[0..12) of eight states, for one
 * build (SFX = f or ifma, ATTR its target attribute); canonical output.
 * Defines v8_permute_SFX and permute_x8_words_SFX.
 *
 * Full round: S-box on every word, then MDS + the next constants (v8_mds_SFX).
 * Partial round r on (y, z), rescaled as described at x8_tables (k' and W'
 * the scaled constants, j = r mod 11; the code's x0 holds y):
 *   d = k' + W'[r] . z;  t = y^7;  y' = t + d;  z[j] += t + k'.
 * The S-box chain from y to y' is what the partial rounds wait on, so the
 * rest is arranged around it: only the word j - 1 that round r - 1 updated
 * is new to d, so d's other ten terms are summed in round r - 1, two of them
 * before its S-box and eight after (the fastest split measured), and W's
 * rows are stored rotated so the new word is the last term.  The dense
 * products advance DENSE_GROUP rows together, one row's sums being too short
 * a workload for the multiply-add latency.
 */
#define V8_ENGINE(SFX, ATTR)                                                                                \
    ATTR static void v8_full_round_##SFX(__m512i s[POSEIDON_WIDTH], int round)                              \
    {                                                                                                       \
        __m512i y[POSEIDON_WIDTH];                                                                          \
        _Pragma("GCC unroll 12") for (int i = 0; i < POSEIDON_WIDTH; i += SBOX_GROUP)                       \
            v_sbox7_group_nc(y + i, s + i);                                                                 \
        v8_mds_##SFX(s, y, round);                                                                          \
    }                                                                                                       \
                                                                                                            \
    /* Partial round r (acc: its first ten terms of d); with next, also the */                              \
    /* first ten terms of round r + 1 into acc. */                                                          \
    ATTR static inline __attribute__((always_inline)) __m512i                                               \
    v8_partial_round_##SFX(__m512i x0, dot_acc_##SFX *acc, __m512i z[11], v_limbs zl[22], int r,            \
                           int next)                                                                        \
    {                                                                                                       \
        const int j = r % 11;                                                                               \
        dot_acc_##SFX nacc;                                                                                 \
        const v_limbs *nx = zl + (j + 1);                                                                   \
        __m512i x0h = v_hi_p5(x0), x2 = v_sqr_h_nc(x0, x0h), x2h = v_hi_p0(x2);                             \
        if (next) {                                                                                         \
            dot_init_##SFX(&nacc, RC25_ADD_##SFX(r + 1));                                                   \
            dot_terms_##SFX(&nacc, nx, X8_TABLES.w_##SFX[r + 1], 0, 2);                                     \
        }                                                                                                   \
        __m512i x3 = v_mul_hh_nc(x2, x2h, x0, x0h);                                                         \
        __m512i x4 = v_sqr_h_nc(x2, x2h);                                                                   \
        dot_terms_##SFX(acc, zl + j, X8_TABLES.w_##SFX[r], 10, 11);                                         \
        __m512i d = v_canon(dot_finish_##SFX(acc));                                                         \
        __m512i t = v_mul_nc(x3, x4);                                                                       \
        if (next)                                                                                           \
            dot_terms_##SFX(&nacc, nx, X8_TABLES.w_##SFX[r + 1], 2, 10);                                    \
        __m512i rc = _mm512_set1_epi64((long long)X8_TABLES.rc25[r]);                                       \
        z[j] = v_add_nc(z[j], v_canon(v_add_nc(t, rc)));                                                    \
        zl[j] = zl[j + 11] = v_split_##SFX(z[j]);                                                           \
        if (next)                                                                                           \
            *acc = nacc;                                                                                    \
        return v_add_nc(t, d);                                                                              \
    }                                                                                                       \
                                                                                                            \
    /* Partial rounds r0 .. r0 + 10 on the block z (acc: round r0's first ten terms). */                    \
    ATTR static __m512i v8_partial_block_##SFX(__m512i x0, dot_acc_##SFX *acc, __m512i z[11],               \
                                               v_limbs zl[22], int r0)                                      \
    {                                                                                                       \
        for (int r = r0; r < r0 + 10; r++)                                                                  \
            x0 = v8_partial_round_##SFX(x0, acc, z, zl, r, 1);                                              \
        return v8_partial_round_##SFX(x0, acc, z, zl, r0 + 10, 0);                                          \
    }                                                                                                       \
                                                                                                            \
    /* out[q] = add[q] + M[q] . x for rows q in [q0, q0 + g), M with n columns,                             \
       the rows' sums advancing together (one row's are a chain too long alone). */                         \
    ATTR static inline __attribute__((always_inline)) void                                                  \
    v8_rows_##SFX(__m512i *out, const v_limbs *x, const MULT_##SFX *m, const ADD_T_##SFX *add,              \
                  int q0, int g, int n)                                                                     \
    {                                                                                                       \
        dot_acc_##SFX a[DENSE_GROUP];                                                                       \
        _Pragma("GCC unroll 12") for (int i = 0; i < g; i++)                                                \
            dot_init_##SFX(&a[i], add ? add[q0 + i] : ZERO_ADD_##SFX);                                      \
        _Pragma("GCC unroll 12") for (int k = 0; k < n; k++)                                                \
            _Pragma("GCC unroll 12") for (int i = 0; i < g; i++)                                            \
                dot_terms_##SFX(&a[i], x, m + n * (q0 + i), k, k + 1);                                      \
        _Pragma("GCC unroll 12") for (int i = 0; i < g; i++)                                                \
            out[q0 + i] = dot_finish_##SFX(&a[i]);                                                          \
    }                                                                                                       \
                                                                                                            \
    ATTR static inline __attribute__((always_inline)) void                                                  \
    v8_dense_##SFX(__m512i *out, const v_limbs *x, const MULT_##SFX *m, const ADD_T_##SFX *add, int rows,   \
                   int n)                                                                                   \
    {                                                                                                       \
        int q0 = 0;                                                                                         \
        for (; q0 + DENSE_GROUP <= rows; q0 += DENSE_GROUP)                                                 \
            v8_rows_##SFX(out, x, m, add, q0, DENSE_GROUP, n);                                              \
        if (rows % DENSE_GROUP)                                                                             \
            v8_rows_##SFX(out, x, m, add, q0, rows % DENSE_GROUP, n);                                       \
    }                                                                                                       \
                                                                                                            \
    /* ENTRY (12 x 12, with constants); MID or FINAL (11 x 11). */                                          \
    ATTR static void v8_entry_##SFX(__m512i out[POSEIDON_WIDTH], const v_limbs x[POSEIDON_WIDTH])           \
    {                                                                                                       \
        out[0] = v8_entry_row0_##SFX(x);                                                                    \
        v8_dense_##SFX(out + 1, x, &X8_TABLES.entry_##SFX[1][0], ENTRY_ADDS_##SFX + 1, 11, POSEIDON_WIDTH); \
    }                                                                                                       \
    ATTR static void v8_dense11_##SFX(__m512i out[11], const v_limbs x[11], const MULT_##SFX *m)            \
    {                                                                                                       \
        v8_dense_##SFX(out, x, m, NULL, 11, 11);                                                            \
    }                                                                                                       \
                                                                                                            \
    ATTR static void v8_permute_##SFX(__m512i s[POSEIDON_WIDTH])                                            \
    {                                                                                                       \
        const uint64_t *rc = POR_POSEIDON_ROUND_CONSTANTS;                                                  \
        for (int i = 0; i < POSEIDON_WIDTH; i++)                                                            \
            s[i] = v_add_nc(s[i], _mm512_set1_epi64((long long)rc[i]));                                     \
        for (int i = 0; i < HALF_FULL_ROUNDS - 1; i++)                                                      \
            v8_full_round_##SFX(s, i);                                                                      \
        /* round 3's S-box, then its MDS layer merged into ENTRY */                                         \
        v_limbs xl[POSEIDON_WIDTH], zl[22];    /* zl[q + 11] = zl[q] */                                     \
        __m512i z[11], t[11];                                                                               \
        dot_acc_##SFX acc;                                                                                  \
        for (int i = 0; i < POSEIDON_WIDTH; i += SBOX_GROUP)                                                \
            v_sbox7_group_nc(s + i, s + i);                                                                 \
        for (int i = 0; i < POSEIDON_WIDTH; i++)                                                            \
            xl[i] = v_split_##SFX(s[i]);                                                                    \
        v8_entry_##SFX(s, xl);                                                                              \
        for (int q = 0; q < 11; q++) {                                                                      \
            z[q] = s[q + 1];                                                                                \
            zl[q] = zl[q + 11] = v_split_##SFX(z[q]);                                                       \
        }                                                                                                   \
        dot_init_##SFX(&acc, RC25_ADD_##SFX(0));                                                            \
        dot_terms_##SFX(&acc, zl, X8_TABLES.w_##SFX[0], 0, 10);                                             \
        __m512i x0 = v8_partial_block_##SFX(s[0], &acc, z, zl, 0);                                          \
        v8_dense11_##SFX(t, zl, &X8_TABLES.mid_##SFX[0][0]);                                                \
        for (int q = 0; q < 11; q++) {                                                                      \
            z[q] = t[q];                                                                                    \
            zl[q] = zl[q + 11] = v_split_##SFX(z[q]);                                                       \
        }                                                                                                   \
        dot_init_##SFX(&acc, RC25_ADD_##SFX(11));                                                           \
        dot_terms_##SFX(&acc, zl, X8_TABLES.w_##SFX[11], 0, 10);                                            \
        x0 = v8_partial_block_##SFX(x0, &acc, z, zl, 11);                                                   \
        dot_init_##SFX(&acc, ZERO_ADD_##SFX);                                                               \
        v_limbs x0l = v_split_##SFX(x0);                                                                    \
        dot_terms_##SFX(&acc, &x0l, &X8_TABLES.lam_##SFX, 0, 1);                                            \
        s[0] = dot_finish_##SFX(&acc);                                                                      \
        v8_dense11_##SFX(s + 1, zl, &X8_TABLES.final_##SFX[0][0]);                                          \
        rc += POSEIDON_WIDTH * (HALF_FULL_ROUNDS + PARTIAL_ROUNDS);                                         \
        for (int i = 0; i < POSEIDON_WIDTH; i++)                                                            \
            s[i] = v_add_nc(s[i], _mm512_set1_epi64((long long)rc[i]));                                     \
        for (int i = HALF_FULL_ROUNDS - 1; i < 2 * HALF_FULL_ROUNDS - 1; i++)                               \
            v8_full_round_##SFX(s, i);                                                                      \
        for (int i = 0; i < POSEIDON_WIDTH; i++)                                                            \
            s[i] = v_canon(s[i]);                                                                           \
    }                                                                                                       \
                                                                                                            \
    /* Eight states in word-major layout w[word][lane]. */                                                  \
    ATTR static void permute_x8_words_##SFX(gl_t w[POSEIDON_WIDTH][8])                                      \
    {                                                                                                       \
        pthread_once(&x8_tables_once, x8_tables_init);                                                      \
        __m512i s[POSEIDON_WIDTH];                                                                          \
        for (int i = 0; i < POSEIDON_WIDTH; i++)                                                            \
            s[i] = _mm512_loadu_si512((const void *)w[i]);                                                  \
        v8_permute_##SFX(s);                                                                                \
        for (int i = 0; i < POSEIDON_WIDTH; i++)                                                            \
            _mm512_storeu_si512((void *)w[i], s[i]);                                                        \
    }

#define RC25_ADD_f(r) X8_TABLES.rc25[r]
#define RC25_ADD_ifma(r) X8_TABLES.rc25_add[r]
#define MULT_f limb_mult
#define MULT_ifma ifma_mult
#define ADD_T_f uint64_t
#define ADD_T_ifma x8_add
#define ENTRY_ADDS_f X8_TABLES.entry_rc
#define ENTRY_ADDS_ifma X8_TABLES.entry_add
#define DENSE_GROUP 2   /* of 1-4: 2 fastest (3 and 4 spill) */
#define ZERO_ADD_f 0
#define ZERO_ADD_ifma X8_ZERO_ADD

V8_ENGINE(f, AVX512)
V8_ENGINE(ifma, AVX512IFMA)
#endif

/* The fastest implementation this CPU runs; they all agree exactly. */
void poseidon_permute(gl_t state[POSEIDON_WIDTH])
{
#ifdef POSEIDON_HAVE_AVX512
    if (__builtin_cpu_supports("avx512f")) {
        poseidon_permute_avx512(state);
        return;
    }
#endif
    poseidon_permute_scalar(state);
}

/* ------------------------------------------------------------------------- */
/* Sponges. */

/* Overwrite-mode absorption of inputs into an initialised state. */
static void absorb_overwrite(gl_t state[POSEIDON_WIDTH], const gl_t *inputs, size_t n)
{
    for (size_t off = 0; off < n; off += POSEIDON_RATE) {
        size_t chunk = n - off < POSEIDON_RATE ? n - off : POSEIDON_RATE;
        memcpy(state, inputs + off, chunk * sizeof(gl_t));
        poseidon_permute(state);
    }
}

void poseidon_hash_no_pad(const gl_t *inputs, size_t n, por_digest *out)
{
    gl_t state[POSEIDON_WIDTH] = {0};
    absorb_overwrite(state, inputs, n);
    memcpy(out->e, state, sizeof(out->e));
}

void poseidon_two_to_one(const por_digest *left, const por_digest *right, por_digest *out)
{
    gl_t state[POSEIDON_WIDTH] = {0};
    memcpy(state, left->e, sizeof(left->e));
    memcpy(state + 4, right->e, sizeof(right->e));
    poseidon_permute(state);
    memcpy(out->e, state, sizeof(out->e));
}

void por_sponge_init(por_sponge *s, uint64_t domain, size_t n)
{
    memset(s, 0, sizeof(*s));
    s->state[8] = gl_from_u64(domain);
    s->state[9] = gl_from_u64((uint64_t)n);
}

/* Overwrites the rate in place, a chunk at a time; canonical inputs are copied as they are. */
static void sponge_absorb_canonical(por_sponge *s, const gl_t *inputs, size_t n)
{
    while (n > 0) {
        size_t take = POSEIDON_RATE - s->pos < n ? POSEIDON_RATE - s->pos : n;
        memcpy(&s->state[s->pos], inputs, take * sizeof(gl_t));
        s->pos += take;
        s->fed += take;
        inputs += take;
        n -= take;
        if (s->pos == POSEIDON_RATE) {
            poseidon_permute(s->state);
            s->pos = 0;
        }
    }
}

void por_sponge_absorb(por_sponge *s, uint64_t x)
{
    gl_t v = gl_from_u64(x);
    sponge_absorb_canonical(s, &v, 1);
}

/* A final partial chunk is permuted; so is an empty input, once. */
void por_sponge_finish(por_sponge *s, por_digest *out)
{
    if (s->pos > 0 || s->fed == 0)
        poseidon_permute(s->state);
    memcpy(out->e, s->state, sizeof(out->e));
}

void por_hash(uint64_t domain, const gl_t *inputs, size_t n, por_digest *out)
{
    por_sponge s;
    por_sponge_init(&s, domain, n);
    sponge_absorb_canonical(&s, inputs, n);
    por_sponge_finish(&s, out);
}

void por_digest_to_bytes(const por_digest *d, uint8_t out[32])
{
    for (int i = 0; i < POSEIDON_DIGEST; i++)
        for (int b = 0; b < 8; b++)
            out[8 * i + b] = (uint8_t)(d->e[i] >> (8 * b));
}

int por_digest_from_bytes(const uint8_t in[32], por_digest *d)
{
    for (int i = 0; i < POSEIDON_DIGEST; i++) {
        uint64_t w = 0;
        for (int b = 0; b < 8; b++)
            w |= (uint64_t)in[8 * i + b] << (8 * b);
        if (!gl_is_canonical(w))
            return -1;
        d->e[i] = w;
    }
    return 0;
}

/* ------------------------------------------------------------------------- */
/*
 * Eight independent permutations and sponges.  Internally the states are in
 * word-major layout w[word][lane], which is what the vector code loads; the
 * sponges write their inputs into it directly.
 */

/* The portable way: one scalar permutation per lane. */
static void permute_x8_words_portable(gl_t w[POSEIDON_WIDTH][8])
{
    for (int l = 0; l < 8; l++) {
        gl_t s[POSEIDON_WIDTH];
        for (int i = 0; i < POSEIDON_WIDTH; i++)
            s[i] = w[i][l];
        poseidon_permute_scalar(s);
        for (int i = 0; i < POSEIDON_WIDTH; i++)
            w[i][l] = s[i];
    }
}

typedef void (*permute_x8_words_fn)(gl_t w[POSEIDON_WIDTH][8]);

/* The 8-lane implementation by number (0 portable, 1 AVX-512F, 2 AVX-512F +
 * IFMA), or NULL if this build or CPU cannot run it. */
static permute_x8_words_fn permute_x8_words_impl(int impl)
{
    switch (impl) {
    case 0:
        return permute_x8_words_portable;
#ifdef POSEIDON_HAVE_AVX512
    case 1:
        return __builtin_cpu_supports("avx512f") ? permute_x8_words_f : NULL;
    case 2:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma") ? permute_x8_words_ifma
                                                                                          : NULL;
#endif
    default:
        return NULL;
    }
}

/* The fastest implementation this CPU runs; they all agree exactly. */
static void permute_x8_words(gl_t w[POSEIDON_WIDTH][8])
{
    permute_x8_words_fn f = permute_x8_words_impl(2);
    if (!f)
        f = permute_x8_words_impl(1);
    if (!f)
        f = permute_x8_words_portable;
    f(w);
}

static void permute_x8_with(permute_x8_words_fn permute, gl_t states[8][POSEIDON_WIDTH])
{
    gl_t w[POSEIDON_WIDTH][8];
    for (int l = 0; l < 8; l++)
        for (int i = 0; i < POSEIDON_WIDTH; i++)
            w[i][l] = states[l][i];
    permute(w);
    for (int l = 0; l < 8; l++)
        for (int i = 0; i < POSEIDON_WIDTH; i++)
            states[l][i] = w[i][l];
}

void poseidon_permute_x8(gl_t states[8][POSEIDON_WIDTH])
{
    permute_x8_with(permute_x8_words, states);
}

void poseidon_permute_x8_portable(gl_t states[8][POSEIDON_WIDTH])
{
    permute_x8_with(permute_x8_words_portable, states);
}

int poseidon_permute_x8_impl(int impl, gl_t states[8][POSEIDON_WIDTH])
{
    permute_x8_words_fn f = permute_x8_words_impl(impl);
    if (!f)
        return -1;
    permute_x8_with(f, states);
    return 0;
}

/* Overwrite-mode absorption of n elements per lane, a permutation per chunk
 * (absorb_overwrite for eight lanes). */
static void absorb_overwrite_x8(gl_t w[POSEIDON_WIDTH][8], const gl_t *const inputs[8], size_t n)
{
    for (size_t off = 0; off < n; off += POSEIDON_RATE) {
        size_t chunk = n - off < POSEIDON_RATE ? n - off : POSEIDON_RATE;
        for (int l = 0; l < 8; l++)
            for (size_t i = 0; i < chunk; i++)
                w[i][l] = inputs[l][off + i];
        permute_x8_words(w);
    }
}

static void squeeze_x8(gl_t w[POSEIDON_WIDTH][8], por_digest out[8])
{
    for (int l = 0; l < 8; l++)
        for (int i = 0; i < POSEIDON_DIGEST; i++)
            out[l].e[i] = w[i][l];
}

void poseidon_hash_no_pad_x8(const gl_t *const inputs[8], size_t n, por_digest out[8])
{
    gl_t w[POSEIDON_WIDTH][8] = {{0}};
    absorb_overwrite_x8(w, inputs, n);
    squeeze_x8(w, out);
}

void poseidon_two_to_one_x8(const por_digest left[8], const por_digest right[8], por_digest out[8])
{
    gl_t w[POSEIDON_WIDTH][8] = {{0}};
    for (int l = 0; l < 8; l++)
        for (int i = 0; i < POSEIDON_DIGEST; i++) {
            w[i][l] = left[l].e[i];
            w[POSEIDON_DIGEST + i][l] = right[l].e[i];
        }
    permute_x8_words(w);
    squeeze_x8(w, out);
}

void por_hash_x8(uint64_t domain, const gl_t *const inputs[8], size_t n, por_digest out[8])
{
    gl_t w[POSEIDON_WIDTH][8] = {{0}};
    for (int l = 0; l < 8; l++) {
        w[8][l] = gl_from_u64(domain);
        w[9][l] = gl_from_u64((uint64_t)n);
    }
    if (n == 0)
        permute_x8_words(w);
    absorb_overwrite_x8(w, inputs, n);
    squeeze_x8(w, out);
}

/* ------------------------------------------------------------------------- */
/*
 * 8-lane layers (poseidon_internal.h) for code that runs the rounds in its
 * own order, the Poseidon gate's 8-point evaluation: the S-box, the MDS
 * layers and the dense products of the two builds above, on word-major
 * arrays x[word][lane] in memory.  Each call does a whole layer (12 or 22
 * S-boxes, a matrix of dot products), so the memory round trips and the
 * indirect call are small against the work.
 */

/* The matrix in the forms the builds multiply by (add: the row constants,
 * canonical; the f build adds them whole, the ifma build split at bit 52). */
struct poseidon_x8_dense {
    int rows, cols;
    unsigned *len;
    uint64_t *add;
#ifdef POSEIDON_HAVE_AVX512
    x8_add *add_ifma;
    limb_mult *m_f;        /* rows x cols, row-major */
    ifma_mult *m_ifma;
#endif
};

void poseidon_x8_dense_free(poseidon_x8_dense *d)
{
    if (!d)
        return;
    free(d->len);
    free(d->add);
#ifdef POSEIDON_HAVE_AVX512
    free(d->add_ifma);
    free(d->m_f);
    free(d->m_ifma);
#endif
    free(d);
}

poseidon_x8_dense *poseidon_x8_dense_new(int rows, int cols, const uint64_t *m, const unsigned *len,
                                         const uint64_t *add)
{
    if (rows < 1 || cols < 1 || cols > POSEIDON_X8_DENSE_MAX_COLS)
        return NULL;
    for (int q = 0; q < rows; q++)
        if (len[q] < 1 || len[q] > (unsigned)cols)
            return NULL;
    poseidon_x8_dense *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->rows = rows;
    d->cols = cols;
    d->len = malloc((size_t)rows * sizeof(*d->len));
    d->add = malloc((size_t)rows * sizeof(*d->add));
#ifdef POSEIDON_HAVE_AVX512
    size_t n = (size_t)rows * (size_t)cols;
    d->add_ifma = malloc((size_t)rows * sizeof(*d->add_ifma));
    d->m_f = calloc(n, sizeof(*d->m_f));
    d->m_ifma = calloc(n, sizeof(*d->m_ifma));
    if (!d->add_ifma || !d->m_f || !d->m_ifma) {
        poseidon_x8_dense_free(d);
        return NULL;
    }
#endif
    if (!d->len || !d->add) {
        poseidon_x8_dense_free(d);
        return NULL;
    }
    for (int q = 0; q < rows; q++) {
        d->len[q] = len[q];
        d->add[q] = add ? gl_from_u64(add[q]) : 0;
#ifdef POSEIDON_HAVE_AVX512
        d->add_ifma[q] = x8_split_add(d->add[q]);
        for (size_t k = (size_t)q * (size_t)cols, end = k + len[q]; k < end; k++)
            x8_derive(&d->m_f[k], &d->m_ifma[k], gl_from_u64(m[k]));
#endif
    }
    (void)m;   /* only the vector builds read the constants */
    return d;
}

#ifdef POSEIDON_HAVE_AVX512
/* out[i] = s[i] - w[i] mod p, canonical, for any s below 2^64 and canonical
 * w (gl_sub once s is canonical). */
AVX512 static void x8_sub(int n, const uint64_t (*s)[8], const uint64_t *w, size_t stride, uint64_t (*out)[8])
{
    __m512i eps = _mm512_set1_epi64((long long)GL_EPSILON);
    for (int i = 0; i < n; i++) {
        __m512i a = v_canon(_mm512_loadu_si512((const void *)s[i]));
        __m512i b = _mm512_loadu_si512((const void *)(w + (size_t)i * stride));
        __m512i r = _mm512_sub_epi64(a, b);
        _mm512_storeu_si512((void *)out[i], _mm512_mask_sub_epi64(r, _mm512_cmplt_epu64_mask(a, b), r, eps));
    }
}

/* S-boxes SBOX_GROUP at a time (shared by both builds); a short last group
 * is padded with zeros. */
AVX512 static void x8_sbox(int n, const uint64_t *x, size_t stride, const uint64_t *add, uint64_t (*y)[8])
{
    for (int i0 = 0; i0 < n; i0 += SBOX_GROUP) {
        __m512i v[SBOX_GROUP], r[SBOX_GROUP];
        int g = n - i0 < SBOX_GROUP ? n - i0 : SBOX_GROUP;
        for (int i = 0; i < SBOX_GROUP; i++) {
            v[i] = i < g ? _mm512_loadu_si512((const void *)(x + (size_t)(i0 + i) * stride)) : _mm512_setzero_si512();
            if (add && i < g)
                v[i] = v_add_nc(v[i], _mm512_set1_epi64((long long)add[i0 + i]));
        }
        v_sbox7_group_nc(r, v);
        for (int i = 0; i < g; i++)
            _mm512_storeu_si512((void *)y[i0 + i], r[i]);
    }
}

/* The layers of one build (SFX, ATTR as for V8_ENGINE). */
#define X8_LAYERS(SFX, ATTR)                                                                              \
    ATTR static void x8_mds_##SFX(int layer, const uint64_t (*y)[8], uint64_t (*out)[8])                  \
    {                                                                                                     \
        __m512i v[POSEIDON_WIDTH], s[POSEIDON_WIDTH];                                                     \
        for (int i = 0; i < POSEIDON_WIDTH; i++)                                                          \
            v[i] = _mm512_loadu_si512((const void *)y[i]);                                                \
        v8_mds_##SFX(s, v, layer);                                                                        \
        for (int i = 0; i < POSEIDON_WIDTH; i++)                                                          \
            _mm512_storeu_si512((void *)out[i], s[i]);                                                    \
    }                                                                                                     \
                                                                                                          \
    /* Rows q .. q + g - 1 (g <= X8_DENSE_ROWS, a constant once inlined): */                               \
    /* their common terms advance together, then each row's last ones. */                                 \
    ATTR static inline __attribute__((always_inline)) void                                                \
    x8_dense_rows_##SFX(const poseidon_x8_dense *d, const v_limbs *xl, int q, int g, uint64_t (*out)[8])  \
    {                                                                                                     \
        dot_acc_##SFX a[X8_DENSE_ROWS];                                                                   \
        const MULT_##SFX *m = d->m_##SFX + (size_t)q * (size_t)d->cols;                                   \
        int both = (int)d->len[q];                                                                        \
        _Pragma("GCC unroll 8") for (int i = 0; i < g; i++) {                                             \
            dot_init_##SFX(&a[i], ADD_ROW_##SFX(d, q + i));                                               \
            both = (int)d->len[q + i] < both ? (int)d->len[q + i] : both;                                 \
        }                                                                                                 \
        for (int k = 0; k < both; k++)                                                                    \
            _Pragma("GCC unroll 8") for (int i = 0; i < g; i++)                                           \
                dot_terms_##SFX(&a[i], xl, m + (size_t)i * (size_t)d->cols, k, k + 1);                    \
        _Pragma("GCC unroll 8") for (int i = 0; i < g; i++) {                                             \
            dot_terms_##SFX(&a[i], xl, m + (size_t)i * (size_t)d->cols, both, (int)d->len[q + i]);        \
            _mm512_storeu_si512((void *)out[q + i], dot_finish_##SFX(&a[i]));                             \
        }                                                                                                 \
    }                                                                                                     \
                                                                                                          \
    /* X8_DENSE_ROWS rows at a time (one row's sums are a chain too long */                               \
    /* alone), the last few one by one. */                                                                \
    ATTR static void x8_dense_##SFX(const poseidon_x8_dense *d, const uint64_t (*x)[8], uint64_t (*out)[8]) \
    {                                                                                                     \
        v_limbs xl[POSEIDON_X8_DENSE_MAX_COLS];                                                           \
        for (int k = 0; k < d->cols; k++)                                                                 \
            xl[k] = v_split_##SFX(_mm512_loadu_si512((const void *)x[k]));                                \
        int q = 0;                                                                                        \
        for (; q + X8_DENSE_ROWS <= d->rows; q += X8_DENSE_ROWS)                                          \
            x8_dense_rows_##SFX(d, xl, q, X8_DENSE_ROWS, out);                                            \
        for (; q < d->rows; q++)                                                                          \
            x8_dense_rows_##SFX(d, xl, q, 1, out);                                                        \
    }                                                                                                     \
                                                                                                          \
    static const poseidon_x8_layers X8_LAYERS_##SFX = {x8_sbox, x8_mds_##SFX, x8_dense_##SFX, x8_sub};

#define X8_DENSE_ROWS 3   /* of 1-8: 3 and 4 fastest; 3 divides the gate's 21 and 12 rows */
#define ADD_ROW_f(d, q) ((d)->add[q])
#define ADD_ROW_ifma(d, q) ((d)->add_ifma[q])
X8_LAYERS(f, AVX512)
X8_LAYERS(ifma, AVX512IFMA)
#endif

const poseidon_x8_layers *poseidon_x8_layers_of(int impl)
{
    if (impl < 1 || !permute_x8_words_impl(impl))
        return NULL;
#ifdef POSEIDON_HAVE_AVX512
    pthread_once(&x8_tables_once, x8_tables_init);
    return impl == 1 ? &X8_LAYERS_f : &X8_LAYERS_ifma;
#else
    return NULL;
#endif
}

/* ------------------------------------------------------------------------- */
/*
 * Test hooks (poseidon_internal.h): pieces of the 8-lane builds on words the
 * tests choose, including values >= p, which canonical inputs turn into
 * inside the permutation only rarely.  Lane l of each argument is one case.
 * The MDS and dot-product hooks go through the layers above.
 */

#ifdef POSEIDON_HAVE_AVX512
AVX512 static void x8_test_mul(const uint64_t x[8], const uint64_t y[8], uint64_t xy[8], uint64_t xx[8])
{
    __m512i a = _mm512_loadu_si512((const void *)x), b = _mm512_loadu_si512((const void *)y);
    _mm512_storeu_si512((void *)xy, v_mul_nc(a, b));
    _mm512_storeu_si512((void *)xx, v_sqr_nc(a));
}
#endif

int poseidon_x8_test_mul(const uint64_t x[8], const uint64_t y[8], uint64_t xy[8], uint64_t xx[8])
{
#ifdef POSEIDON_HAVE_AVX512
    if (permute_x8_words_impl(1)) {
        x8_test_mul(x, y, xy, xx);
        return 0;
    }
#endif
    (void)x, (void)y, (void)xy, (void)xx;
    return -1;
}

int poseidon_x8_test_mds(int impl, int round, const uint64_t y[POSEIDON_WIDTH][8], uint64_t out[POSEIDON_WIDTH][8])
{
    const poseidon_x8_layers *l = poseidon_x8_layers_of(impl);
    if (round < 0 || round >= 2 * HALF_FULL_ROUNDS - 1 || !l)
        return -1;
    l->mds(round, y, out);
    return 0;
}

int poseidon_x8_test_dot(int impl, int n, const uint64_t *c, uint64_t add, const uint64_t (*x)[8], uint64_t out[8])
{
    const poseidon_x8_layers *l = poseidon_x8_layers_of(impl);
    if (n < 1 || n > POSEIDON_WIDTH || !l)
        return -1;
    unsigned len = (unsigned)n;
    poseidon_x8_dense *d = poseidon_x8_dense_new(1, n, c, &len, &add);
    if (!d)
        return -1;
    l->dense(d, x, (uint64_t(*)[8])out);
    poseidon_x8_dense_free(d);
    return 0;
}
