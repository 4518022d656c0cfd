/*
 * por's Merkle tree of account leaves (DESIGN.md section 3).
 *
 *   id commitment C_u = por_hash(DOMAIN_ID,   [len, packed id bytes.., salt0..salt3])
 *   leaf              = por_hash(DOMAIN_LEAF, [C_u0..C_u3, e_1..e_A, d_1..d_A])
 *   node              = por_hash(DOMAIN_NODE, [left0..3, right0..3])
 *   empty leaf E_0    = por_hash(DOMAIN_EMPTY, []),  E_h = node(E_{h-1}, E_{h-1})
 *
 * The account id's bytes are packed 7 per element (little-endian), so every
 * element is canonical; len is the byte length.  por_hash puts the domain and
 * the input length in the capacity, so each kind and each asset count is its
 * own hash function.
 *
 * Shape: for n >= 1 leaves the tree has depth D = ceil(log2 n); level 0 holds
 * the n leaf hashes in order, level h holds ceil(n_{h-1} / 2) nodes, and a node
 * whose right child lies past the end of its level pairs with E_{h-1}.  The root
 * is the single node of level D.  por_prove pads the leaf count to a multiple of
 * the batch size with random-salt zero-balance accounts, so every batch of 2^k
 * leaves is a complete subtree and only whole missing batches become E_k.
 * Leaves are ordered by the bytes of their id commitment, which is random per
 * snapshot, so a leaf's position says nothing about the account or padding.
 */
#ifndef POR_TREE_H
#define POR_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "hash/poseidon.h"
#include "util/threadpool.h"

#define POR_DOMAIN_ID 0x706f722d6964ULL           /* "por-id" */
#define POR_DOMAIN_LEAF 0x706f722d6c656166ULL     /* "por-leaf" */
#define POR_DOMAIN_NODE 0x706f722d6e6f6465ULL     /* "por-node" */
#define POR_DOMAIN_EMPTY 0x706f722d656d7074ULL    /* "por-empt" */
#define POR_DOMAIN_PARAMS 0x706f722d70617261ULL   /* "por-para" */

#define POR_ACCOUNT_ID_MAX 256   /* bytes */
#define POR_MAX_ASSETS 256
#define POR_MAX_DEPTH 40

/* C_u from the account id bytes and the 4-element salt. Returns -1 if id_len is 0 or too
 * long or a salt word is not canonical. */
int por_id_commitment(const uint8_t *id, size_t id_len, const gl_t salt[4], por_digest *out);

/* Leaf hash from the id commitment and asset_count equities and debts (each < 2^62). */
void por_leaf_hash(const por_digest *id_commitment, const uint64_t *equity, const uint64_t *debt,
                   size_t asset_count, por_digest *out);

void por_node_hash(const por_digest *left, const por_digest *right, por_digest *out);

/* E_height, the root of an all-empty subtree of that height. */
void por_empty_subtree(unsigned height, por_digest *out);

/* ceil(log2 n) for n >= 1. */
unsigned por_tree_depth(uint64_t leaf_count);

/* Number of nodes in level `level` of a tree with leaf_count leaves. */
uint64_t por_tree_level_size(uint64_t leaf_count, unsigned level);

/*
 * Builds all levels above the leaves.  levels[0] must hold leaf_count leaf
 * hashes; levels[1..depth] must each have room for por_tree_level_size()
 * digests.  Runs on the pool's threads (NULL: the calling thread only).
 */
void por_tree_build(por_pool *pool, por_digest *const *levels, uint64_t leaf_count);

/* The depth sibling digests of leaf_index, bottom-up, read from built levels. */
void por_tree_path(const por_digest *const *levels, uint64_t leaf_count, uint64_t leaf_index,
                   por_digest *siblings);

/* Folds a leaf hash up its path; returns the root it implies. */
void por_tree_root_from_path(const por_digest *leaf, uint64_t leaf_index, uint64_t leaf_count,
                             const por_digest *siblings, por_digest *root);

/* memcmp order of the 32-byte encodings: the leaf order of the tree. */
int por_digest_compare(const por_digest *a, const por_digest *b);

#endif
