/*
 * Number-theoretic transforms over Goldilocks subgroups of order 2^log_n and
 * their cosets, and the low-degree extension used by the commitment scheme.
 *
 * Orders: coefficient vectors are in natural order (index = power of x);
 * evaluation vectors are in natural order over the subgroup, index i holding
 * the value at w^i (times the coset shift) where w = gl_root_of_unity(log_n).
 */
#ifndef POR_NTT_H
#define POR_NTT_H

#include "field.h"
#include "threadpool.h"

void por_bit_reverse(gl_t *values, unsigned log_n);

/* coefficients -> evaluations at shift * w^i, in place. shift = 1 for the subgroup. */
void por_ntt_forward(gl_t *values, unsigned log_n, gl_t shift);
/* evaluations at shift * w^i -> coefficients, in place. */
void por_ntt_inverse(gl_t *values, unsigned log_n, gl_t shift);

/*
 * Low-degree extension: coeffs has 2^log_n coefficients; out receives the
 * 2^(log_n + rate_bits) evaluations on the coset GL_GENERATOR * <w'> of that
 * size, in bit-reversed order (the order Merkle leaves and FRI folding use).
 */
void por_lde(const gl_t *coeffs, unsigned log_n, unsigned rate_bits, gl_t *out);

/* Evaluates a polynomial (natural-order coefficients) at a point (Horner). */
gl_t por_poly_eval(const gl_t *coeffs, size_t n, gl_t x);

#endif
