/*
 * Quadratic extension of Goldilocks, F[X]/(X^2 - 7) (7 is a non-residue).
 * Challenges and out-of-domain points live here.
 *
 * Elements are pairs of canonical base elements (c0 + c1 X); all functions
 * keep them canonical.  Like field.h, nothing here branches on values except
 * gl2_batch_inv, which skips zeros.
 */
#ifndef POR_FIELD_EXT_H
#define POR_FIELD_EXT_H

#include <stdbool.h>

#include "field/field.h"

#define GL2_W 7

typedef struct {
    gl_t c0, c1; /* c0 + c1 * X */
} gl2_t;

static inline gl2_t gl2_from_base(gl_t a) { return (gl2_t){a, 0}; }
static inline bool gl2_eq(gl2_t a, gl2_t b) { return a.c0 == b.c0 && a.c1 == b.c1; }
static inline bool gl2_is_zero(gl2_t a) { return (a.c0 | a.c1) == 0; }
static inline gl2_t gl2_add(gl2_t a, gl2_t b) { return (gl2_t){gl_add(a.c0, b.c0), gl_add(a.c1, b.c1)}; }
static inline gl2_t gl2_sub(gl2_t a, gl2_t b) { return (gl2_t){gl_sub(a.c0, b.c0), gl_sub(a.c1, b.c1)}; }
static inline gl2_t gl2_neg(gl2_t a) { return (gl2_t){gl_neg(a.c0), gl_neg(a.c1)}; }
static inline gl2_t gl2_mul_base(gl2_t a, gl_t b) { return (gl2_t){gl_mul(a.c0, b), gl_mul(a.c1, b)}; }
/* (a0 + a1 X)(b0 + b1 X) = a0 b0 + 7 a1 b1 + (a0 b1 + a1 b0) X */
static inline gl2_t gl2_mul(gl2_t a, gl2_t b)
{
    gl_t a1b1 = gl_mul(a.c1, b.c1);
    return (gl2_t){gl_add(gl_mul(a.c0, b.c0), gl_mul(GL2_W, a1b1)),
                   gl_add(gl_mul(a.c0, b.c1), gl_mul(a.c1, b.c0))};
}
static inline gl2_t gl2_sqr(gl2_t a) { return gl2_mul(a, a); }
/* The Frobenius map a -> a^p, which is conjugation: X^p = -X because 7 is a non-residue. */
static inline gl2_t gl2_frobenius(gl2_t a) { return (gl2_t){a.c0, gl_neg(a.c1)}; }

/* Square and multiply; gl2_pow(x, 0) = 1. */
gl2_t gl2_pow(gl2_t base, uint64_t exponent);
/* Inverse via the norm a0^2 - 7 a1^2; gl2_inv(0) = 0. */
gl2_t gl2_inv(gl2_t a);
/* Inverts n elements in place with one inversion (zeros stay zero);
 * scratch holds n elements. */
void gl2_batch_inv(gl2_t *values, gl2_t *scratch, size_t n);

#endif
