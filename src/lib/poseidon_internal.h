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

#endif
