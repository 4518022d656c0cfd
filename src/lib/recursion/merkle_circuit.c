/*
 * In-circuit Merkle openings (see merkle_circuit.h), mirroring commit/merkle.c.
 */
#include "recursion/merkle_circuit.h"

#include <string.h>

#include "recursion/bits.h"

/* A digest is its 4 targets, so a cap is an array of targets, digest after digest. */
_Static_assert(sizeof(por_rec_digest) == POSEIDON_DIGEST * sizeof(por_target), "digests are packed targets");

void por_rec_digest_constant(por_builder *b, const por_digest *d, por_rec_digest *out)
{
    for (int i = 0; i < POSEIDON_DIGEST; i++)
        out->e[i] = por_builder_constant(b, d->e[i]);
}

void por_rec_digest_virtual(por_builder *b, por_rec_digest *out)
{
    for (int i = 0; i < POSEIDON_DIGEST; i++)
        out->e[i] = por_builder_add_virtual(b);
}

void por_rec_merkle_leaf_hash(por_builder *b, const por_target *row, size_t width, const por_target *salt,
                              por_rec_digest *out)
{
    size_t salt_len = salt ? POR_MERKLE_SALT : 0, n = width + salt_len;
    por_target zero = por_builder_zero(b);
    if (n <= POSEIDON_DIGEST) {
        /* hash_or_noop: short inputs are the digest */
        for (size_t i = 0; i < POSEIDON_DIGEST; i++)
            out->e[i] = i < width ? row[i] : i < n ? salt[i - width] : zero;
        return;
    }
    /* overwrite sponge from the zero state, one permutation per 8 inputs
     * and one for a partial last chunk */
    por_target s[POSEIDON_WIDTH], t[POSEIDON_WIDTH];
    for (int i = 0; i < POSEIDON_WIDTH; i++)
        s[i] = zero;
    size_t pos = 0;
    for (size_t k = 0; k < n; k++) {
        s[pos++] = k < width ? row[k] : salt[k - width];
        if (pos == POSEIDON_RATE || k == n - 1) {
            por_builder_poseidon(b, s, t);
            memcpy(s, t, sizeof(s));
            pos = 0;
        }
    }
    memcpy(out->e, s, sizeof(out->e));
}

void por_rec_two_to_one(por_builder *b, const por_rec_digest *left, const por_rec_digest *right,
                        por_rec_digest *out)
{
    por_target s[POSEIDON_WIDTH], t[POSEIDON_WIDTH];
    por_target zero = por_builder_zero(b);
    for (int i = 0; i < POSEIDON_DIGEST; i++) {
        s[i] = left->e[i];
        s[POSEIDON_DIGEST + i] = right->e[i];
        s[2 * POSEIDON_DIGEST + i] = zero;
    }
    por_builder_poseidon(b, s, t);
    memcpy(out->e, t, sizeof(out->e));
}

void por_rec_merkle_verify_digest(por_builder *b, const por_rec_digest *cap, unsigned cap_height,
                                  unsigned log_rows, const por_target *index_bits, const por_rec_digest *leaf,
                                  const por_rec_digest *path, const por_target *cap_weights)
{
    if (cap_height > log_rows || cap_height > 16) {
        por_builder_fail(b, "merkle_verify: cap height out of range");
        return;
    }
    por_rec_digest cur = *leaf;
    unsigned path_len = log_rows - cap_height;
    for (unsigned h = 0; h < path_len; h++) {
        /* one Poseidon-swap row: bit 1 puts the sibling left */
        size_t row = por_builder_add_gate(b, &por_gate_poseidon_swap_vt, NULL, NULL);
        if (row == SIZE_MAX)
            return;
        for (unsigned i = 0; i < POSEIDON_DIGEST; i++) {
            por_builder_connect(b, cur.e[i], por_builder_wire(b, row, por_poseidon_swap_in(i)));
            por_builder_connect(b, path[h].e[i], por_builder_wire(b, row, por_poseidon_swap_in(POSEIDON_DIGEST + i)));
        }
        por_builder_connect(b, index_bits[h], por_builder_wire(b, row, por_poseidon_swap_bit()));
        for (unsigned i = 0; i < POSEIDON_DIGEST; i++)
            cur.e[i] = por_builder_wire(b, row, por_poseidon_swap_out(i));
    }
    /* the cap entry at the high bits */
    por_rec_digest sel;
    if (cap_weights)
        por_rec_select_weighted(b, cap_weights, (size_t)1 << cap_height, cap->e, POSEIDON_DIGEST, sel.e);
    else
        por_rec_select_entry(b, index_bits + path_len, cap_height, cap->e, POSEIDON_DIGEST, sel.e);
    for (int i = 0; i < POSEIDON_DIGEST; i++)
        por_builder_connect(b, cur.e[i], sel.e[i]); /* check: the path ends at the selected cap entry */
}

void por_rec_merkle_verify(por_builder *b, const por_rec_digest *cap, unsigned cap_height, unsigned log_rows,
                           const por_target *index_bits, const por_target *row, size_t width,
                           const por_target *salt, const por_rec_digest *path, const por_target *cap_weights)
{
    por_rec_digest leaf;
    por_rec_merkle_leaf_hash(b, row, width, salt, &leaf);
    por_rec_merkle_verify_digest(b, cap, cap_height, log_rows, index_bits, &leaf, path, cap_weights);
}
