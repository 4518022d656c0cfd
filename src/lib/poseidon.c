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
 * eight scalar calls), and the _x8 sponges are built on it.
 * Every operation is branch-free in the data, so the time does not depend on
 * the (possibly secret) input.
 */
#include "poseidon.h"

#include <pthread.h>
#include <string.h>

#include "poseidon_constants.h"
#include "poseidon_fast_constants.h"
#include "poseidon_internal.h"

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
 * 64x64 -> 128-bit products from four 32x32-bit ones, then reduced.  High
 * halves move down with dword shuffles where only the low dword matters, to
 * spread the work over the two vector ports.
 */
AVX512 static inline __m512i v_mul_nc(__m512i x, __m512i y)
{
    __m512i m32 = _mm512_set1_epi64(0xffffffffLL);
    __m512i xh = _mm512_shuffle_epi32(x, _MM_PERM_DDBB), yh = _mm512_shuffle_epi32(y, _MM_PERM_DDBB);
    __m512i ll = _mm512_mul_epu32(x, y), lh = _mm512_mul_epu32(x, yh);
    __m512i hl = _mm512_mul_epu32(xh, y), hh = _mm512_mul_epu32(xh, yh);
    __m512i t0 = _mm512_add_epi64(hl, _mm512_srli_epi64(ll, 32));     /* < 2^64 */
    __m512i t1 = _mm512_add_epi64(lh, _mm512_and_si512(t0, m32));     /* < 2^64 */
    __m512i hi = _mm512_add_epi64(_mm512_add_epi64(hh, _mm512_srli_epi64(t0, 32)),
                                  _mm512_srli_epi64(t1, 32));
    __m512i lo = _mm512_mask_shuffle_epi32(ll, 0xAAAA, t1, _MM_PERM_CCAA);
    return v_reduce128_nc(lo, hi);
}

AVX512 static inline __m512i v_sqr_nc(__m512i x)
{
    __m512i m32 = _mm512_set1_epi64(0xffffffffLL);
    __m512i xh = _mm512_shuffle_epi32(x, _MM_PERM_DDBB);
    __m512i ll = _mm512_mul_epu32(x, x), lh = _mm512_mul_epu32(x, xh);
    __m512i hh = _mm512_mul_epu32(xh, xh);
    __m512i t0 = _mm512_add_epi64(lh, _mm512_srli_epi64(ll, 32));
    __m512i t1 = _mm512_add_epi64(lh, _mm512_and_si512(t0, m32));
    __m512i hi = _mm512_add_epi64(_mm512_add_epi64(hh, _mm512_srli_epi64(t0, 32)),
                                  _mm512_srli_epi64(t1, 32));
    __m512i lo = _mm512_mask_shuffle_epi32(ll, 0xAAAA, t1, _MM_PERM_CCAA);
    return v_reduce128_nc(lo, hi);
}

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
 * lo + hi * 2^32 mod p, below 2^64, for lo, hi < 2^60 (an MDS row, or the
 * sums of a dot product): hi's top half has weight 2^64 = EPSILON and is
 * added to lo first without overflow, then its low half shifted into place,
 * with one carry fix-up.
 */
AVX512 static inline __m512i v_combine_nc(__m512i lo, __m512i hi)
{
    __m512i eps = _mm512_set1_epi64((long long)GL_EPSILON);
    __m512i u = _mm512_add_epi64(lo, _mm512_mul_epu32(_mm512_srli_epi64(hi, 32), eps));  /* < 2^61 */
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
 * Two builds of the same code (V8_ENGINE below) differ only in how they
 * multiply by constants:
 *   - f (AVX-512F): MDS coefficients times 32-bit halves with vpmuludq then
 *     an addition.  Products with the partial rounds' full-size constants
 *     use limbs without carries: x < 2^64 is split into 22-bit limbs x_k
 *     (x_2 has 20 bits) and constant c is stored as m_k = c * 2^(22k) mod p
 *     in 32-bit halves (limb_mult), so x * c = sum_k x_k * m_k.lo +
 *     2^32 * x_k * m_k.hi (mod p).  Each product is below 2^54, so the two
 *     running sums of a dot product of up to 12 terms stay below 2^60.
 *   - ifma (AVX-512 IFMA, vpmadd52luq/huq: multiply 52-bit values and add
 *     the low or high 52 bits of the product in one instruction): the MDS
 *     multiply-adds are single instructions, and x * c uses x = x0 + 2^52 x1
 *     and c = c0 + 2^52 c1: seven multiply-adds into sums of weight 1, 2^52
 *     and 2^104 = -2^8 (mod p) instead of twelve instructions.
 * The constants are canonical, so every constant split is exact.
 */

/* x with values >= p brought below p. */
AVX512 static inline __m512i v_canon(__m512i x)
{
    __m512i p = _mm512_set1_epi64((long long)GL_P);
    return _mm512_mask_sub_epi64(x, _mm512_cmpge_epu64_mask(x, p), x, p);
}

AVX512 static inline __m512i v_sbox7_nc(__m512i x)
{
    __m512i x2 = v_sqr_nc(x);
    return v_mul_nc(v_mul_nc(x2, x), v_sqr_nc(x2));
}

/* x * c for a constant c < 2^32 (here 25): the products of the two halves
 * stay below 2^64 and are combined as one MDS row is. */
AVX512 static inline __m512i v_mul_small_nc(__m512i x, uint64_t c)
{
    __m512i k = _mm512_set1_epi64((long long)c);
    return v_combine_nc(_mm512_mul_epu32(x, k), _mm512_mul_epu32(_mm512_srli_epi64(x, 32), k));
}

/* c * 2^(22k) mod p, k = 0, 1, 2, each as [low 32 bits, high 32 bits]. */
typedef struct {
    uint32_t m[3][2];
} limb_mult;

/*
 * The partial rounds' constants in the forms the two builds multiply by:
 * limb_mult for f, and for ifma the top 12 bits c >> 52 (c's low 52 bits are
 * read from the generated tables themselves: IFMA ignores the rest).
 */
typedef struct {
    limb_mult entry[POSEIDON_WIDTH][POSEIDON_WIDTH];
    limb_mult w[PARTIAL_ROUNDS][11];
    limb_mult mid[11][11];
    limb_mult final[11][11];
    uint64_t entry_hi[POSEIDON_WIDTH][POSEIDON_WIDTH];
    uint64_t w_hi[PARTIAL_ROUNDS][11];
    uint64_t mid_hi[11][11];
    uint64_t final_hi[11][11];
} x8_tables;

/* Derived once from the generated constants, then only read. */
static x8_tables X8_TABLES;
static pthread_once_t x8_tables_once = PTHREAD_ONCE_INIT;

static void x8_derive(limb_mult *lm, uint64_t *hi, const uint64_t *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 3; k++) {
            uint64_t m = gl_reduce128((u128)c[i] << (22 * k));
            lm[i].m[k][0] = (uint32_t)m;
            lm[i].m[k][1] = (uint32_t)(m >> 32);
        }
        hi[i] = c[i] >> 52;
    }
}

static void x8_tables_init(void)
{
    x8_tables *t = &X8_TABLES;
    x8_derive(&t->entry[0][0], &t->entry_hi[0][0], &POSEIDON_FAST_ENTRY[0][0], POSEIDON_WIDTH * POSEIDON_WIDTH);
    x8_derive(&t->w[0][0], &t->w_hi[0][0], &POSEIDON_FAST_W[0][0], PARTIAL_ROUNDS * 11);
    x8_derive(&t->mid[0][0], &t->mid_hi[0][0], &POSEIDON_FAST_MID[0][0], 11 * 11);
    x8_derive(&t->final[0][0], &t->final_hi[0][0], &POSEIDON_FAST_FINAL[0][0], 11 * 11);
}

/* A word split for multiplication by full-size constants (f: 3 limbs, ifma: 2). */
typedef struct {
    __m512i l[3];
} v_limbs;

/* --- f: AVX-512F only --- */

#define V_MDS_IN_f(x) (x)
#define V_MDS_MAC_f(acc, x, k) _mm512_add_epi64((acc), _mm512_mul_epu32((x), (k)))

AVX512 static inline v_limbs v_split_f(__m512i x)
{
    __m512i m22 = _mm512_set1_epi64((1LL << 22) - 1);
    v_limbs r;
    r.l[0] = _mm512_and_si512(x, m22);
    r.l[1] = _mm512_and_si512(_mm512_srli_epi64(x, 22), m22);
    r.l[2] = _mm512_srli_epi64(x, 44);
    return r;
}

/* add + sum_q c[q] * x[q] over n <= 12 terms as an nc value (add canonical);
 * one pair of running sums per limb keeps the addition chains short. */
AVX512 static inline __attribute__((always_inline)) __m512i
v_dot_f(const v_limbs *x, const uint64_t *c, const uint64_t *c_hi, const limb_mult *lm, int n, uint64_t add)
{
    (void)c, (void)c_hi;
    __m512i lo[3], hi[3];
    lo[0] = _mm512_set1_epi64((long long)(add & 0xffffffffULL));
    hi[0] = _mm512_set1_epi64((long long)(add >> 32));
    lo[1] = lo[2] = hi[1] = hi[2] = _mm512_setzero_si512();
#pragma GCC unroll 12
    for (int q = 0; q < n; q++)
#pragma GCC unroll 3
        for (int k = 0; k < 3; k++) {
            __m512i ml = _mm512_set1_epi32((int)lm[q].m[k][0]);
            __m512i mh = _mm512_set1_epi32((int)lm[q].m[k][1]);
            lo[k] = _mm512_add_epi64(lo[k], _mm512_mul_epu32(x[q].l[k], ml));
            hi[k] = _mm512_add_epi64(hi[k], _mm512_mul_epu32(x[q].l[k], mh));
        }
    return v_combine_nc(_mm512_add_epi64(_mm512_add_epi64(lo[0], lo[1]), lo[2]),
                        _mm512_add_epi64(_mm512_add_epi64(hi[0], hi[1]), hi[2]));
}

/* --- ifma: AVX-512F + IFMA --- */

#define AVX512IFMA __attribute__((target("avx512f,avx512ifma")))
/* IFMA reads 52 bits of each operand: the low halves are masked to 32 bits. */
#define V_MDS_IN_ifma(x) _mm512_and_si512((x), _mm512_set1_epi64(0xffffffffLL))
#define V_MDS_MAC_ifma(acc, x, k) _mm512_madd52lo_epu64((acc), (x), (k))

AVX512IFMA static inline v_limbs v_split_ifma(__m512i x)
{
    v_limbs r;
    r.l[0] = _mm512_and_si512(x, _mm512_set1_epi64((1LL << 52) - 1));
    r.l[1] = _mm512_srli_epi64(x, 52);
    r.l[2] = _mm512_setzero_si512();
    return r;
}

/*
 * As v_dot_f.  With x = x0 + 2^52 x1, c = c0 + 2^52 c1 (x1, c1 < 2^12):
 * x0 c0 goes to the sums of weight 1 and 2^52, x0 c1 and x1 c0 to 2^52 and
 * 2^104, x1 c1 (< 2^24) to 2^104.  The sums stay below 2^58; 2^104 = -2^8
 * (mod p) is subtracted after the 116-bit rest is reduced.
 */
AVX512IFMA static inline __attribute__((always_inline)) __m512i
v_dot_ifma(const v_limbs *x, const uint64_t *c, const uint64_t *c_hi, const limb_mult *lm, int n, uint64_t add)
{
    (void)lm;
    __m512i w0 = _mm512_set1_epi64((long long)(add & ((1ULL << 52) - 1)));
    __m512i w1 = _mm512_set1_epi64((long long)(add >> 52));
    __m512i w1b = _mm512_setzero_si512(), w2 = _mm512_setzero_si512();
#pragma GCC unroll 12
    for (int q = 0; q < n; q++) {
        __m512i c0 = _mm512_set1_epi64((long long)c[q]);
        __m512i c1 = _mm512_set1_epi64((long long)c_hi[q]);
        w0 = _mm512_madd52lo_epu64(w0, x[q].l[0], c0);
        w1 = _mm512_madd52hi_epu64(w1, x[q].l[0], c0);
        w1b = _mm512_madd52lo_epu64(w1b, x[q].l[0], c1);
        w1 = _mm512_madd52lo_epu64(w1, x[q].l[1], c0);
        w2 = _mm512_madd52hi_epu64(w2, x[q].l[0], c1);
        w2 = _mm512_madd52hi_epu64(w2, x[q].l[1], c0);
        w2 = _mm512_madd52lo_epu64(w2, x[q].l[1], c1);
    }
    w1 = _mm512_add_epi64(w1, w1b);
    __m512i lo = _mm512_add_epi64(w0, _mm512_slli_epi64(w1, 52));
    __m512i hi = _mm512_srli_epi64(w1, 12);
    hi = _mm512_mask_add_epi64(hi, _mm512_cmplt_epu64_mask(lo, w0), hi, _mm512_set1_epi64(1));
    __m512i r = v_reduce128_nc(lo, hi);
    __m512i t = _mm512_slli_epi64(w2, 8);
    __m512i d = _mm512_sub_epi64(r, t);
    return _mm512_mask_sub_epi64(d, _mm512_cmplt_epu64_mask(r, t), d, _mm512_set1_epi64((long long)GL_EPSILON));
}

/*
 * The permutation on canonical words s[0..12) of eight states, for one
 * build (SFX = f or ifma, ATTR its target attribute); canonical output.
 * Defines v8_permute_SFX and permute_x8_words_SFX.
 *
 * Full round: S-box on every word, then MDS + the next constants (next as in
 * mds_next_nc), row by row from the 32-bit halves.  Partial round r on
 * (x0, z), as partial_round_nc:
 *   d = 25 k + W[r] . z;  t = 25 x0^7;  x0' = t + d;  z[j] += t + 25 k.
 */
#define V8_ENGINE(SFX, ATTR)                                                                    \
    ATTR static inline void v8_full_round_##SFX(__m512i s[POSEIDON_WIDTH],                      \
                                                const uint64_t next[2 * POSEIDON_WIDTH])        \
    {                                                                                           \
        __m512i lo[POSEIDON_WIDTH], hi[POSEIDON_WIDTH];                                         \
        _Pragma("GCC unroll 12") for (int i = 0; i < POSEIDON_WIDTH; i++)                       \
        {                                                                                       \
            __m512i y = v_sbox7_nc(s[i]);                                                       \
            lo[i] = V_MDS_IN_##SFX(y);                                                          \
            hi[i] = _mm512_srli_epi64(y, 32);                                                   \
        }                                                                                       \
        _Pragma("GCC unroll 12") for (int r = 0; r < POSEIDON_WIDTH; r++)                       \
        {                                                                                       \
            __m512i sl = _mm512_set1_epi64((long long)next[r]);                                 \
            __m512i sh = _mm512_set1_epi64((long long)next[POSEIDON_WIDTH + r]);                \
            _Pragma("GCC unroll 12") for (int i = 0; i < POSEIDON_WIDTH; i++)                   \
            {                                                                                   \
                uint64_t c = MDS_CIRC[(i + POSEIDON_WIDTH - r) % POSEIDON_WIDTH] +              \
                             (r == 0 && i == 0 ? MDS_DIAG0 : 0);                                \
                __m512i k = _mm512_set1_epi64((long long)c);                                    \
                sl = V_MDS_MAC_##SFX(sl, lo[i], k);                                             \
                sh = V_MDS_MAC_##SFX(sh, hi[i], k);                                             \
            }                                                                                   \
            s[r] = v_combine_nc(sl, sh);                                                        \
        }                                                                                       \
    }                                                                                           \
                                                                                                \
    ATTR static inline __m512i v8_partial_round_##SFX(__m512i x0, __m512i z[11], v_limbs zl[11], \
                                                      int r)                                    \
    {                                                                                           \
        const int j = r % 11;                                                                   \
        __m512i d = v_canon(v_dot_##SFX(zl, POSEIDON_FAST_W[r], X8_TABLES.w_hi[r],              \
                                        X8_TABLES.w[r], 11, POSEIDON_FAST_ROUND_RC25[r]));       \
        __m512i x2 = v_sqr_nc(x0);                                                              \
        __m512i x0_25 = v_mul_small_nc(x0, POSEIDON_FAST_M00);                                  \
        __m512i x3_25 = v_mul_nc(x2, x0_25);                                                    \
        __m512i t = v_mul_nc(x3_25, v_sqr_nc(x2));                                              \
        __m512i rc = _mm512_set1_epi64((long long)POSEIDON_FAST_ROUND_RC25[r]);                 \
        z[j] = v_add_nc(z[j], v_canon(v_add_nc(t, rc)));                                        \
        zl[j] = v_split_##SFX(z[j]);                                                            \
        return v_add_nc(t, d);                                                                  \
    }                                                                                           \
                                                                                                \
    ATTR static void v8_permute_##SFX(__m512i s[POSEIDON_WIDTH])                                \
    {                                                                                           \
        const x8_tables *T = &X8_TABLES;                                                        \
        const uint64_t *rc = POR_POSEIDON_ROUND_CONSTANTS;                                      \
        for (int i = 0; i < POSEIDON_WIDTH; i++)                                                \
            s[i] = v_add_nc(s[i], _mm512_set1_epi64((long long)rc[i]));                         \
        for (int i = 0; i < HALF_FULL_ROUNDS - 1; i++)                                          \
            v8_full_round_##SFX(s, POSEIDON_MDS_NEXT_RC[i]);                                    \
        /* round 3's S-box, then its MDS layer merged into ENTRY */                             \
        v_limbs xl[POSEIDON_WIDTH], zl[11];                                                     \
        __m512i z[11], t[11];                                                                   \
        for (int i = 0; i < POSEIDON_WIDTH; i++)                                                \
            xl[i] = v_split_##SFX(v_sbox7_nc(s[i]));                                            \
        __m512i x0 = v_dot_##SFX(xl, POSEIDON_FAST_ENTRY[0], T->entry_hi[0], T->entry[0],       \
                                 POSEIDON_WIDTH, POSEIDON_FAST_ENTRY_RC[0]);                    \
        for (int q = 0; q < 11; q++) {                                                          \
            z[q] = v_dot_##SFX(xl, POSEIDON_FAST_ENTRY[q + 1], T->entry_hi[q + 1],              \
                               T->entry[q + 1], POSEIDON_WIDTH, POSEIDON_FAST_ENTRY_RC[q + 1]); \
            zl[q] = v_split_##SFX(z[q]);                                                        \
        }                                                                                       \
        for (int r = 0; r < 11; r++)                                                            \
            x0 = v8_partial_round_##SFX(x0, z, zl, r);                                          \
        for (int q = 0; q < 11; q++)                                                            \
            t[q] = v_dot_##SFX(zl, POSEIDON_FAST_MID[q], T->mid_hi[q], T->mid[q], 11, 0);       \
        for (int q = 0; q < 11; q++) {                                                          \
            z[q] = t[q];                                                                        \
            zl[q] = v_split_##SFX(z[q]);                                                        \
        }                                                                                       \
        for (int r = 11; r < PARTIAL_ROUNDS; r++)                                               \
            x0 = v8_partial_round_##SFX(x0, z, zl, r);                                          \
        s[0] = x0;                                                                              \
        for (int q = 0; q < 11; q++)                                                            \
            s[q + 1] = v_dot_##SFX(zl, POSEIDON_FAST_FINAL[q], T->final_hi[q], T->final[q], 11, 0); \
        rc += POSEIDON_WIDTH * (HALF_FULL_ROUNDS + PARTIAL_ROUNDS);                             \
        for (int i = 0; i < POSEIDON_WIDTH; i++)                                                \
            s[i] = v_add_nc(s[i], _mm512_set1_epi64((long long)rc[i]));                         \
        for (int i = HALF_FULL_ROUNDS - 1; i < 2 * HALF_FULL_ROUNDS - 1; i++)                   \
            v8_full_round_##SFX(s, POSEIDON_MDS_NEXT_RC[i]);                                    \
        for (int i = 0; i < POSEIDON_WIDTH; i++)                                                \
            s[i] = v_canon(s[i]);                                                               \
    }                                                                                           \
                                                                                                \
    /* Eight states in word-major layout w[word][lane]. */                                      \
    ATTR static void permute_x8_words_##SFX(gl_t w[POSEIDON_WIDTH][8])                          \
    {                                                                                           \
        pthread_once(&x8_tables_once, x8_tables_init);                                          \
        __m512i s[POSEIDON_WIDTH];                                                              \
        for (int i = 0; i < POSEIDON_WIDTH; i++)                                                \
            s[i] = _mm512_loadu_si512((const void *)w[i]);                                      \
        v8_permute_##SFX(s);                                                                    \
        for (int i = 0; i < POSEIDON_WIDTH; i++)                                                \
            _mm512_storeu_si512((void *)w[i], s[i]);                                            \
    }

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
