/*
 * In-circuit Merkle openings, mirroring commit/merkle.c check for check.
 *
 *   leaf digest  hash_or_noop(row || salt): up to 4 elements are the digest
 *                themselves (zero-padded), longer inputs go through the
 *                overwrite sponge from a zero state, 8 per permutation
 *                (por_merkle_leaf_hash);
 *   path         at level h the index bit b_h orders (current, sibling):
 *                b_h = 1 puts the sibling left; node = two_to_one(left,
 *                right) = permute(left || right || 0^4)[0..4];
 *   cap          the entry picked by the index's high cap_height bits
 *                (por_rec_select_entry: random-access rows up to height 4,
 *                else, or with cap_weights given, the sum of the entries
 *                weighted by the index's one-hot indicators; bits.h; cap
 *                entries are targets: witnesses or constants alike), and the
 *                final node must equal it.
 * The index is given as log_rows bit targets, low bit first; the caller
 * derives them (from the challenger, or por_rec_split_bits of an index
 * target), so their booleanity is established there (bits.h).
 *
 * Costs (arithmetic operations: routed / 4 a row, 24 in the recursive
 * configuration): per path level one Poseidon-swap row (gates.h: the swap
 * by the bit inside the permutation's row); the leaf ceil((width + salt) / 8)
 * Poseidon rows; the cap selection 4 random-access copies (routed / 21 a
 * row), or by weights 4 2^cap_height operations, plus 2^(cap_height + 1) - 3
 * for the indicators when they are not shared.
 */
#ifndef POR_REC_MERKLE_CIRCUIT_H
#define POR_REC_MERKLE_CIRCUIT_H

#include "commit/merkle.h"
#include "plonk/circuit.h"

typedef struct {
    por_target e[POSEIDON_DIGEST];
} por_rec_digest;

/* Targets holding digest d's elements as constants. */
void por_rec_digest_constant(por_builder *b, const por_digest *d, por_rec_digest *out);
/* Fresh virtual targets for a digest. */
void por_rec_digest_virtual(por_builder *b, por_rec_digest *out);

/* por_merkle_leaf_hash in-circuit (salt NULL: an unsalted tree, else 4 targets). */
void por_rec_merkle_leaf_hash(por_builder *b, const por_target *row, size_t width, const por_target *salt,
                              por_rec_digest *out);
/* poseidon_two_to_one in-circuit. */
void por_rec_two_to_one(por_builder *b, const por_rec_digest *left, const por_rec_digest *right,
                        por_rec_digest *out);

/*
 * Constrains that leaf digest `leaf` sits at the index with bits
 * index_bits[0..log_rows) (boolean, low first) under the cap (2^cap_height
 * digests) along path (log_rows - cap_height sibling digests, leaf level
 * first).  cap_height <= min(log_rows, 16).  cap_weights: NULL, or the
 * one-hot indicators of the cap index (por_rec_one_hot of the top
 * cap_height bits), shared by openings at the same cap index (the batches
 * and FRI layers of one query).
 */
void por_rec_merkle_verify_digest(por_builder *b, const por_rec_digest *cap, unsigned cap_height,
                                  unsigned log_rows, const por_target *index_bits, const por_rec_digest *leaf,
                                  const por_rec_digest *path, const por_target *cap_weights);
/* por_merkle_verify in-circuit: the leaf digest of row || salt, then the path. */
void por_rec_merkle_verify(por_builder *b, const por_rec_digest *cap, unsigned cap_height, unsigned log_rows,
                           const por_target *index_bits, const por_target *row, size_t width,
                           const por_target *salt, const por_rec_digest *path, const por_target *cap_weights);

#endif
