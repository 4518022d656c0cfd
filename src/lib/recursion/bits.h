/*
 * Bit decomposition, selection and inversion gadgets (base field) for the
 * in-circuit verifier.
 *
 * The bits of a value are hints (a generator computes them) held in check by
 * constraints: every bit is boolean (b^2 - b = 0) and the bits recompose to
 * the value (sum b_i 2^i = x, a chain of one arithmetic operation per bit).
 * With n <= 63 bits the sum is below p, so it holds over the integers and the
 * decomposition is unique.
 *
 * The low bits of an arbitrary field element (a squeezed challenge) need
 * more care: x = low + 2^n mid + 2^32 hi with low given by n bits, mid in
 * [0, 2^(32-n)) and hi in [0, 2^32) (range checks) has two solutions for the
 * x < 2^32 - 1 whose x + p is below 2^64 (hi = 2^32 - 1).  The canonical one
 * is forced by: hi = 2^32 - 1 implies low + 2^n mid = 0, written as
 *     (low + 2^n mid) * (1 - d * dinv) = 0,   d = hi - (2^32 - 1)
 * with the hint dinv = 1/d (0 when d = 0): when d = 0 the factor is 1.  So
 * the bits are those of the canonical value, as the native verifier's
 * (x & (2^n - 1)) reads them.
 *
 * Row costs (arithmetic rows hold 12 operations): split_bits 2n - 1
 * operations; split_low_bits 2n + 4 operations and two range checks.
 */
#ifndef POR_REC_BITS_H
#define POR_REC_BITS_H

#include "plonk/circuit.h"

/* x = sum_{i<n} bits[i] 2^i with boolean bits, 1 <= n <= 63 (so x < 2^n).
 * bits receives n targets.  Generation fails if x >= 2^n. */
void por_rec_split_bits(por_builder *b, por_target x, unsigned n, por_target *bits);

/* The n low bits (0 <= n <= 32) of x's canonical value, as above. */
void por_rec_split_low_bits(por_builder *b, por_target x, unsigned n, por_target *bits);

/* sum_{i<n} bits[i] 2^i (the caller constrains the bits), n >= 1. */
por_target por_rec_recompose(por_builder *b, const por_target *bits, unsigned n);

/* 1/x: a hint checked by x (1/x) = 1 (1 operation); generation fails on 0,
 * and no witness satisfies the check then. */
por_target por_rec_inverse(por_builder *b, por_target x);

/* bit ? x : y for a boolean bit (2 operations). */
por_target por_rec_select(por_builder *b, por_target bit, por_target x, por_target y);

/* The one-hot indicators of the index with boolean bits[0..n) (low first,
 * the caller constrains them): out[j] = 1 if the index is j, else 0, for
 * j < 2^n; built bit by bit (w b, w - w b), 2^(n+1) - 3 operations (n = 0:
 * out[0] = 1). */
void por_rec_one_hot(por_builder *b, const por_target *bits, unsigned n, por_target *out);

/* out[i] = sum_{j<n} weights[j] entries[j * width + i] (entries one after
 * the other, width targets each): with one-hot weights, entry j itself.
 * n width operations. */
void por_rec_select_weighted(por_builder *b, const por_target *weights, size_t n, const por_target *entries,
                             size_t width, por_target *out);

/* entries[sel] for sel = sum_i bits[i] 2^i over nbits (<= 16) boolean bits:
 * up to 4 bits on random-access rows (gates.h: one copy of 21 routed wires
 * per element, so routed / 21 elements a row), else one_hot, then
 * select_weighted. */
void por_rec_select_entry(por_builder *b, const por_target *bits, unsigned nbits, const por_target *entries,
                          size_t width, por_target *out);

#endif
