/*
 * Inclusion proofs: what one customer receives to check that their account,
 * with exactly their balances, is a leaf of the published tree.  It reveals
 * their own id, salt and balances and sibling hashes only.
 *
 * Two encodings of the same content:
 *  - binary (canonical, versioned): header "PORF", version 1, kind 1, then the
 *    fields in a fixed order, little-endian; the decoder rejects trailing or
 *    missing bytes, non-canonical field elements and out-of-range values;
 *  - JSON for people and for por-verify (docs/FORMATS.md describes both).
 * Both carry the batch the leaf belongs to: batch = leaf_index >> batch_log2
 * (the binary form implies it; JSON spells it as account.batch and the
 * decoder rejects a value that disagrees).
 */
#ifndef POR_INCLUSION_H
#define POR_INCLUSION_H

#include <stddef.h>
#include <stdint.h>

#include "por/params.h"
#include "por/tree.h"

#define POR_FORMAT_MAGIC "PORF"
#define POR_FORMAT_VERSION 1
#define POR_KIND_INCLUSION 1

typedef struct {
    por_params params;
    uint8_t account_id[POR_ACCOUNT_ID_MAX];
    size_t account_id_len;
    gl_t salt[4];
    uint64_t leaf_index;
    uint64_t *equity;           /* params.asset_count entries */
    uint64_t *debt;             /* params.asset_count entries */
    por_digest siblings[POR_MAX_DEPTH]; /* por_tree_depth(params.leaf_count) used */
    por_digest root;
} por_inclusion;

/* Frees what decode allocated (assets, equity, debt); safe on a zeroed struct. */
void por_inclusion_free(por_inclusion *proof);

/* Binary encoding; returns a malloc'd buffer and its length, or NULL on invalid content. */
uint8_t *por_inclusion_encode(const por_inclusion *proof, size_t *out_len);
/* Returns 0, or -1 with a short static reason in *why. Never reads past len. */
int por_inclusion_decode(const uint8_t *buf, size_t len, por_inclusion *out, const char **why);

/* JSON encoding (NUL-terminated, malloc'd) and decoding, same rules. */
char *por_inclusion_to_json(const por_inclusion *proof);
int por_inclusion_from_json(const char *text, size_t len, por_inclusion *out, const char **why);

/*
 * Recomputes C_u, the leaf and the path to the root, checks the balances'
 * ranges; when expected_root is not NULL the proof's root must equal it.
 * Also checks that siblings past the end of their level are E_h (the tree
 * shape fixes them) and that the account is solvent (por_account_solvent:
 * no leaf of a provable tree is insolvent).  The root does not cover the
 * snapshot parameters: compare por_params_digest(&proof->params) with the
 * published digest as well.
 * Returns 0 if everything holds, else -1 with the first failed check in *why.
 */
int por_inclusion_verify(const por_inclusion *proof, const por_digest *expected_root,
                         const char **why);

/*
 * The node at level batch_log2 on the proof's path (the root of the batch
 * subtree holding the leaf, which batch proof leaf_index >> batch_log2
 * proves), recomputed from the id, salt, balances and the first batch_log2
 * siblings.  For content that passes decode or por_inclusion_verify.
 */
void por_inclusion_batch_root(const por_inclusion *proof, por_digest *out);

#endif
