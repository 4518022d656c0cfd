/*
 * The soundness claim of PLONK proofs (plonk.h) under a verifier key, from
 * the terms of commit/soundness.h with this protocol's counts:
 *   N = (polynomials of the four batches) x 2 points + 1 (degree correction);
 *   X = (powers of alpha - 1)                      constraint combination
 *     + (max_degree + 1) n                         DEEP: C - Z_H t at zeta
 *     + R n                                        permutation (beta, gamma)
 *     + (W - F + 1) n with lookups                 log-derivative (delta):
 *                                                  looked-up cells + table
 * (n rows, R routed wires, W wires, lookups from column F; Haboeck,
 * "A summary on the FRI low degree test", eprint 2022/1216, Theorem 8, for
 * the DEEP-ALI terms; Schwartz-Zippel over the extension for the others).
 */
#ifndef POR_PLONK_SOUNDNESS_H
#define POR_PLONK_SOUNDNESS_H

#include "commit/soundness.h"
#include "plonk/plonk.h"

/*
 * The claim for proofs of vk's circuit layout at 2^degree_bits rows (0: the
 * key's own size; another size keeps the gate list and configuration and
 * recomputes the FRI reductions and quotient chunks).  0, or -1 if the
 * configuration admits no proof of that size.
 */
int por_plonk_soundness(const por_plonk_vk *vk, unsigned degree_bits, por_soundness *out);

#endif
