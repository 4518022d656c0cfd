/*
 * In-circuit Fiat-Shamir challenger: the duplex of hash/transcript.c on
 * targets, one Poseidon gate row per permutation.
 *
 * Same protocol, step for step (transcript.h): an observation drops the
 * buffered outputs and appends to the input buffer, a full buffer (8) is
 * absorbed at once (state[0..8) overwritten, permuted, the output buffer
 * refilled with state[0..8)); a squeeze absorbs first when inputs are
 * pending or the outputs are used up, then pops the next output.  Extension
 * elements are (c0, c1), digests their 4 elements in order.
 *
 * Start: por_rec_challenger_from_native copies a native transcript's state
 * as constants, so the protocol label (por_transcript_init) and everything a
 * circuit knows in advance (e.g. the pinned inner key's FRI parameters and
 * circuit digest) cost no row: the circuit continues the native transcript
 * exactly where it stands.
 *
 * Derived challenges:
 *   squeeze_index(bits)  the low `bits` bits of the canonical squeezed
 *                        element, as bit targets (recursion/bits.h);
 *   check_pow(bits)      observe the nonce, squeeze w, and the range check
 *                        w < 2^(64 - bits) (por_transcript_check_pow).
 */
#ifndef POR_REC_CHALLENGER_H
#define POR_REC_CHALLENGER_H

#include "hash/poseidon.h"
#include "hash/transcript.h"
#include "plonk/circuit.h"

typedef struct {
    por_target state[POSEIDON_WIDTH];
    por_target in[POSEIDON_RATE];
    por_target out[POSEIDON_RATE];
    unsigned in_len;  /* pending inputs */
    unsigned out_pos; /* next output to pop; out_len means empty */
    unsigned out_len;
} por_rec_challenger;

/* Continues native transcript t (its state, pending inputs and outputs as constants). */
void por_rec_challenger_from_native(por_builder *b, por_rec_challenger *c, const por_transcript *t);
/* A fresh challenger for a protocol, as por_transcript_init. */
void por_rec_challenger_init(por_builder *b, por_rec_challenger *c, const char *protocol);

void por_rec_challenger_observe(por_builder *b, por_rec_challenger *c, por_target x);
void por_rec_challenger_observe_many(por_builder *b, por_rec_challenger *c, const por_target *x, size_t n);
/* x[0] = c0, x[1] = c1. */
void por_rec_challenger_observe_ext(por_builder *b, por_rec_challenger *c, const por_target x[2]);
void por_rec_challenger_observe_digest(por_builder *b, por_rec_challenger *c, const por_target d[4]);
/* n digests, 4 targets each, in order (a Merkle cap). */
void por_rec_challenger_observe_digests(por_builder *b, por_rec_challenger *c, const por_target *d, size_t n);

por_target por_rec_challenger_squeeze(por_builder *b, por_rec_challenger *c);
/* out[0] = c0, out[1] = c1: two squeezes. */
void por_rec_challenger_squeeze_ext(por_builder *b, por_rec_challenger *c, por_target out[2]);
/* The low `bits` (<= 32) bits of one squeezed element into bits_out (index
 * bit i at bits_out[i]), as por_transcript_squeeze_index. */
void por_rec_challenger_squeeze_index(por_builder *b, por_rec_challenger *c, unsigned bits,
                                      por_target *bits_out);
/* The verifier's proof-of-work check: observes nonce, squeezes w and
 * constrains w < 2^(64 - bits); bits <= 63 (0: no constraint). */
void por_rec_challenger_check_pow(por_builder *b, por_rec_challenger *c, unsigned bits, por_target nonce);

#endif
