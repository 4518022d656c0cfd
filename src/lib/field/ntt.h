/*
 * Number-theoretic transforms over Goldilocks subgroups of order 2^log_n and
 * their cosets, and the low-degree extension used by the commitment scheme.
 *
 * Orders: coefficient vectors are always in natural order (index = power of
 * x).  "Natural" evaluation vectors hold at index i the value at shift * w^i,
 * where w = gl_root_of_unity(log_n); "bit-reversed" (br) evaluation vectors
 * hold at index i the value at shift * w^rev(i), rev = por_bit_reverse_index
 * over log_n bits.  Merkle leaves and FRI folding use the bit-reversed order:
 * there the two points x and -x of a fold are neighbours (indices 2k, 2k+1),
 * and more generally the 2^a points of a coset of <w^(n/2^a)> are contiguous.
 *
 * Memory: every function works in place or on caller-owned buffers; the
 * twiddle tables (and the extension functions' split buffer) are allocated
 * per call (O(n) work, freed before returning).  The library runs inside
 * PostgreSQL backends, where aborting restarts the whole cluster, so a failed
 * allocation is an error: the functions that allocate return 0 on success
 * and -1 when out of memory, never leak, and on failure leave their output
 * (values, or out) unspecified.  The result must be checked (POR_MUST_USE).
 * log_n <= 32 everywhere (GL_TWO_ADICITY; for the LDE log_n + rate_bits <= 32);
 * log_n = 0 is the identity.  No global state: every function may run
 * concurrently with any other on different data.
 *
 * Speed: on x86-64 with AVX-512F the kernels use 8-lane vector code (chosen at
 * run time; the environment variable POR_NO_SIMD forces the portable code,
 * for tests).  Both give identical results.
 */
#ifndef POR_NTT_H
#define POR_NTT_H

#include <stddef.h>

#include "field/field.h"
#include "field/field_ext.h"
#include "util/threadpool.h"

/* Ignoring an allocation failure would turn it into a wrong proof. */
#if defined(__GNUC__) || defined(__clang__)
#define POR_MUST_USE __attribute__((warn_unused_result))
#else
#define POR_MUST_USE
#endif

/* rev(i) over `bits` bits (bits = 0 gives 0). */
static inline size_t por_bit_reverse_index(size_t i, unsigned bits)
{
    size_t r = 0;
    for (unsigned b = 0; b < bits; b++, i >>= 1)
        r = (r << 1) | (i & 1);
    return r;
}

/* Permutes values[i] <-> values[rev(i)] in place (cache-blocked). */
void por_bit_reverse(gl_t *values, unsigned log_n);

/* coefficients -> natural-order evaluations at shift * w^i, in place. shift = 1 for the subgroup.
 * This and every function below that returns int: 0, or -1 if out of memory. */
POR_MUST_USE int por_ntt_forward(gl_t *values, unsigned log_n, gl_t shift);
/* natural-order evaluations at shift * w^i -> coefficients, in place. */
POR_MUST_USE int por_ntt_inverse(gl_t *values, unsigned log_n, gl_t shift);

/* coefficients -> bit-reversed evaluations: values[i] = f(shift * w^rev(i)). No permutation pass. */
POR_MUST_USE int por_ntt_forward_br(gl_t *values, unsigned log_n, gl_t shift);
/* bit-reversed evaluations (as produced above) -> coefficients, in place. */
POR_MUST_USE int por_ntt_inverse_br(gl_t *values, unsigned log_n, gl_t shift);

/* The same four transforms on extension-field vectors (componentwise: the
 * transform is linear over the base field). */
POR_MUST_USE int por_ntt_forward_ext(gl2_t *values, unsigned log_n, gl_t shift);
POR_MUST_USE int por_ntt_inverse_ext(gl2_t *values, unsigned log_n, gl_t shift);
POR_MUST_USE int por_ntt_forward_br_ext(gl2_t *values, unsigned log_n, gl_t shift);
POR_MUST_USE int por_ntt_inverse_br_ext(gl2_t *values, unsigned log_n, gl_t shift);

/*
 * Low-degree extension: coeffs has 2^log_n coefficients; out receives the
 * 2^(log_n + rate_bits) evaluations on the coset GL_GENERATOR * <w'> of that
 * size (w' = gl_root_of_unity(log_n + rate_bits)), in bit-reversed order:
 *   out[i] = f(por_lde_point(log_n + rate_bits, i)).
 * out must not overlap coeffs.
 */
POR_MUST_USE int por_lde(const gl_t *coeffs, unsigned log_n, unsigned rate_bits, gl_t *out);

/*
 * por_lde of count polynomials in parallel on the pool (pool may be NULL):
 * out[k] (2^(log_n + rate_bits) elements, caller-owned) receives the LDE of
 * coeffs[k] (2^log_n elements).  The twiddles are computed once for the batch.
 */
POR_MUST_USE int por_lde_batch(por_pool *pool, const gl_t *const *coeffs, size_t count,
                               unsigned log_n, unsigned rate_bits, gl_t *const *out);

/*
 * The tail of a larger LDE: the blocks first_block .. 2^rate_bits - 1 (of
 * 2^log_n values each, in por_lde_batch's order) of the 2^(log_n + rate_bits)
 * evaluations; out[k] receives (2^rate_bits - first_block) 2^log_n values.
 * The LDE at a smaller rate r' is the first 2^r' blocks of this one, so a
 * committed LDE extends to a larger evaluation domain without recomputing it.
 * -1 if first_block >= 2^rate_bits or on allocation failure.
 */
POR_MUST_USE int por_lde_batch_blocks(por_pool *pool, const gl_t *const *coeffs, size_t count,
                                      unsigned log_n, unsigned rate_bits, size_t first_block,
                                      gl_t *const *out);

/* In-place transforms of count vectors of 2^log_n elements each, in parallel
 * (same semantics as the single-vector functions above). */
POR_MUST_USE int por_ntt_forward_batch(por_pool *pool, gl_t *const *values, size_t count,
                                       unsigned log_n, gl_t shift);
POR_MUST_USE int por_ntt_inverse_batch(por_pool *pool, gl_t *const *values, size_t count,
                                               unsigned log_n, gl_t shift);

/* The point of LDE index i: GL_GENERATOR * w^rev(i), w = gl_root_of_unity(log_size). */
gl_t por_lde_point(unsigned log_size, size_t i);

/* Evaluates a polynomial (natural-order coefficients) at a point (Horner); n = 0 gives 0. */
gl_t por_poly_eval(const gl_t *coeffs, size_t n, gl_t x);
/* Base-field polynomial at an extension point (e.g. an out-of-domain challenge). */
gl2_t por_poly_eval_ext(const gl_t *coeffs, size_t n, gl2_t x);
/* Extension-field polynomial at an extension point (e.g. the final FRI polynomial). */
gl2_t por_poly_eval_ext2(const gl2_t *coeffs, size_t n, gl2_t x);

#endif
