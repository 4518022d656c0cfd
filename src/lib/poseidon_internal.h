/*
 * Poseidon internals for the tests and benchmarks: not part of the library API.
 */
#ifndef POR_POSEIDON_INTERNAL_H
#define POR_POSEIDON_INTERNAL_H

#include "field.h"

/* The permutation computed round by round exactly as specified (slow); the
 * fast poseidon_permute must agree with it on every input. */
void poseidon_permute_reference(gl_t state[12]);

/* The portable fast permutation; poseidon_permute may pick a vector one. */
void poseidon_permute_scalar(gl_t state[12]);

/* Eight permutations by eight calls of poseidon_permute_scalar, whatever the
 * CPU: the fallback of poseidon_permute_x8, testable on any machine. */
void poseidon_permute_x8_portable(gl_t states[8][12]);

/* One 8-lane implementation by number: 0 portable, 1 AVX-512F, 2 AVX-512F +
 * IFMA.  Returns 0, or -1 (states untouched) if this build or CPU cannot run
 * it; poseidon_permute_x8 uses the highest that runs. */
int poseidon_permute_x8_impl(int impl, gl_t states[8][12]);

/*
 * Pieces of the 8-lane builds on any words below 2^64, for the tests: inside
 * the permutation words are only kept below 2^64, and values >= p, or with
 * the extreme 32-bit halves that stress the bounds, arise too rarely from
 * canonical inputs to be tested through whole permutations.  Lane l of
 * every argument is one case.  Each returns 0, or -1 if this build or CPU
 * cannot run the piece (or an argument is out of range).
 */

/* xy = x * y and xx = x^2 (mod p), below 2^64: the S-box multiplications
 * (shared by builds 1 and 2). */
int poseidon_x8_test_mul(const uint64_t x[8], const uint64_t y[8], uint64_t xy[8], uint64_t xx[8]);

/* Build impl's MDS layer of full round `round` (0-6) on S-box outputs y,
 * with the constants of the round after it added (none after round 6):
 * out below 2^64, congruent to MDS * y + those constants. */
int poseidon_x8_test_mds(int impl, int round, const uint64_t y[12][8], uint64_t out[12][8]);

/* Build impl's dot product of the partial rounds and dense layers:
 * out = add + sum_q c[q] x[q] (mod p), below 2^64, for 1 <= n <= 12 terms
 * and canonical c[q] and add. */
int poseidon_x8_test_dot(int impl, int n, const uint64_t *c, uint64_t add, const uint64_t (*x)[8], uint64_t out[8]);

#endif
