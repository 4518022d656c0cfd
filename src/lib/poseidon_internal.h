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

#endif
