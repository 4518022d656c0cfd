/*
 * Goldilocks prime field, p = 2^64 - 2^32 + 1.
 *
 * Elements are uint64_t in canonical form (< p) at every API boundary.  The
 * arithmetic is branch-light and has no secret-dependent memory access, so it
 * may be used on secret witness values.  Reduction of a 128-bit product uses
 * 2^64 = 2^32 - 1 and 2^96 = -1 (mod p).
 */
#ifndef POR_FIELD_H
#define POR_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GL_P 0xffffffff00000001ULL
/* 2^32 - 1 = 2^64 mod p */
#define GL_EPSILON 0xffffffffULL
/* Plonky2's multiplicative generator; also the LDE coset shift. */
#define GL_GENERATOR 14293326489335486720ULL
/* Largest k with 2^k | p - 1. */
#define GL_TWO_ADICITY 32
/* GL_GENERATOR^((p-1)/2^32): a primitive 2^32-th root of unity. */
#define GL_ROOT_OF_UNITY_2_32 0x64fdd1a46201e246ULL

typedef uint64_t gl_t;

static inline bool gl_is_canonical(uint64_t x) { return x < GL_P; }

/* Reduce any 64-bit value to canonical form. */
static inline gl_t gl_from_u64(uint64_t x) { return x - (GL_P & -(uint64_t)(x >= GL_P)); }

static inline gl_t gl_add(gl_t a, gl_t b)
{
    uint64_t s = a + b;
    /* carry out of 64 bits means s + 2^64 = s + EPSILON (mod p) */
    uint64_t carry = s < a;
    s += carry * GL_EPSILON;
    /* the carry-adjusted sum of two canonical values is < 2p: one subtraction */
    return s >= GL_P ? s - GL_P : s;
}

static inline gl_t gl_sub(gl_t a, gl_t b)
{
    uint64_t d = a - b;
    uint64_t borrow = a < b;
    /* a - b + 2^64 is d; subtract 2^64 - p = EPSILON to land in [0, p) */
    return d - borrow * GL_EPSILON;
}

static inline gl_t gl_neg(gl_t a) { return a == 0 ? 0 : GL_P - a; }

/* Reduce a 128-bit value modulo p to canonical form, without branches. */
static inline gl_t gl_reduce128(unsigned __int128 x)
{
    uint64_t lo = (uint64_t)x;
    uint64_t hi = (uint64_t)(x >> 64);
    uint64_t hi_hi = hi >> 32;           /* weight 2^96 = -1 */
    uint64_t hi_lo = hi & GL_EPSILON;    /* weight 2^64 = 2^32 - 1 */
    uint64_t t0 = lo - hi_hi;
    t0 -= GL_EPSILON & -(uint64_t)(lo < hi_hi);  /* borrow: add p = 2^64 - EPSILON */
    uint64_t t1 = (hi_lo << 32) - hi_lo;          /* hi_lo * EPSILON < 2^64 */
    uint64_t r = t0 + t1;
    r += GL_EPSILON & -(uint64_t)(r < t0);        /* carry: 2^64 = EPSILON */
    return gl_from_u64(r);
}

static inline gl_t gl_mul(gl_t a, gl_t b)
{
    return gl_reduce128((unsigned __int128)a * b);
}

static inline gl_t gl_sqr(gl_t a) { return gl_mul(a, a); }

/*
 * Lazy sum of products: 128-bit products accumulate in 192 bits and are
 * reduced once (2^128 = -2^32 mod p), far cheaper than reducing every
 * product.  At most 2^32 terms (so hi < 2^32).
 */
typedef struct {
    unsigned __int128 lo;
    uint64_t hi;
} gl_acc;

static inline void gl_acc_mul_add(gl_acc *a, gl_t x, gl_t y)
{
    unsigned __int128 prod = (unsigned __int128)x * y;
    a->lo += prod;
    a->hi += a->lo < prod;
}

static inline gl_t gl_acc_reduce(const gl_acc *a)
{
    /* hi < 2^32, so hi << 32 < p is canonical */
    return gl_sub(gl_reduce128(a->lo), a->hi << 32);
}

gl_t gl_pow(gl_t base, uint64_t exponent);
/* Multiplicative inverse; gl_inv(0) returns 0. */
gl_t gl_inv(gl_t a);
/* A primitive 2^log_n-th root of unity (log_n <= 32). */
gl_t gl_root_of_unity(unsigned log_n);
/* Inverts n elements in place with one inversion (zeros stay zero);
 * scratch holds n elements. */
void gl_batch_inv(gl_t *values, gl_t *scratch, size_t n);

#endif
