/*
 * Poseidon over Goldilocks exactly as in Plonky2: width 12, rate 8, capacity 4,
 * S-box x^7, 4 + 22 + 4 rounds, MDS = circulant + diagonal.
 *
 * Besides the bare permutation and Plonky2's hash_no_pad, this module defines
 * por's domain-separated hash used for every tree, leaf and commitment digest:
 * the domain tag and the input length are written into the capacity before
 * absorbing, so inputs of different kinds or lengths never collide.
 */
#ifndef POR_POSEIDON_H
#define POR_POSEIDON_H

#include <stddef.h>
#include <stdint.h>

#include "field/field.h"

#define POSEIDON_WIDTH 12
#define POSEIDON_RATE 8
#define POSEIDON_DIGEST 4

typedef struct {
    gl_t e[POSEIDON_DIGEST];
} por_digest;

/* The permutation, in place; inputs must be canonical. */
void poseidon_permute(gl_t state[POSEIDON_WIDTH]);

/* Plonky2 hash_n_to_hash_no_pad: overwrite-mode sponge, digest = state[0..4]. */
void poseidon_hash_no_pad(const gl_t *inputs, size_t n, por_digest *out);

/* Plonky2 two_to_one (compress): permute(left || right || 0^4)[0..4]. */
void poseidon_two_to_one(const por_digest *left, const por_digest *right, por_digest *out);

/*
 * por's domain-separated hash: state[8] = domain, state[9] = n, the rest 0;
 * inputs absorbed 8 at a time by overwriting state[0..8], a permutation after
 * each chunk (at least one), digest = state[0..4].
 */
void por_hash(uint64_t domain, const gl_t *inputs, size_t n, por_digest *out);

/*
 * The same hash fed one element at a time, for inputs built on the fly:
 * init with the total element count n, absorb exactly n elements, finish.
 * Equal to por_hash(domain, inputs, n) for the same sequence.
 */
typedef struct {
    gl_t state[POSEIDON_WIDTH];
    size_t pos;    /* next rate position */
    size_t fed;    /* elements absorbed so far */
} por_sponge;
void por_sponge_init(por_sponge *s, uint64_t domain, size_t n);
/* Absorbs one element (reduced mod p if it is not canonical). */
void por_sponge_absorb(por_sponge *s, uint64_t x);
void por_sponge_finish(por_sponge *s, por_digest *out);

/*
 * Eight independent instances at once, equal to eight calls of the single
 * versions (vectorized with AVX-512 when the CPU has it, else eight scalar
 * calls).  Lane l reads inputs[l] (n elements each, the same n for all) and
 * writes out[l]; the time depends on n only.
 */
void poseidon_permute_x8(gl_t states[8][POSEIDON_WIDTH]);
void poseidon_hash_no_pad_x8(const gl_t *const inputs[8], size_t n, por_digest out[8]);
/* out[l] = poseidon_two_to_one(&left[l], &right[l]). */
void poseidon_two_to_one_x8(const por_digest left[8], const por_digest right[8], por_digest out[8]);
void por_hash_x8(uint64_t domain, const gl_t *const inputs[8], size_t n, por_digest out[8]);

/* Digest <-> 32 bytes, four little-endian 64-bit words. */
void por_digest_to_bytes(const por_digest *d, uint8_t out[32]);
/* Returns 0 on success, -1 if a word is not canonical. */
int por_digest_from_bytes(const uint8_t in[32], por_digest *d);

#endif
