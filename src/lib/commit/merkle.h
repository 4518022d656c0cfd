/*
 * Merkle trees with caps over the rows of a matrix, Plonky2 conventions.
 *
 * Leaf i is row i of a matrix with `width` columns and 2^log_rows rows (for
 * an LDE commitment: the values of all committed polynomials at LDE point i,
 * i.e. in the bit-reversed LDE order of ntt.h).  When the tree is salted, 4
 * random field elements (the row's salt) are appended to the row before
 * hashing, for zero knowledge; an opening then reveals them with the row.
 *
 *   leaf digest = hash_or_noop(row || salt):  inputs of <= 4 elements are
 *                 zero-padded to 4 and used as the digest, longer ones are
 *                 poseidon_hash_no_pad'ed (so unsalted rows of width <= 4 are
 *                 not hashed at all, as in Plonky2);
 *   node        = poseidon_two_to_one(left child, right child);
 *   cap         = the 2^cap_height nodes at height log_rows - cap_height
 *                 (cap_height = 0: the root; cap_height = log_rows: the leaf
 *                 digests), published instead of a single root;
 *   path        = the log_rows - cap_height sibling digests of an opening,
 *                 from the leaf level upwards; the opening ends at cap entry
 *                 index >> (log_rows - cap_height).
 *
 * There is no domain separation here (Plonky2 compatibility): the verifier
 * always knows log_rows, cap_height and width, which fixes every input's
 * length and position.
 */
#ifndef POR_MERKLE_H
#define POR_MERKLE_H

#include <stdbool.h>
#include <stddef.h>

#include "field/field.h"
#include "hash/poseidon.h"
#include "util/threadpool.h"

#define POR_MERKLE_SALT 4

/*
 * Source of uniform random canonical field elements for salts: fills out[0..n)
 * and returns 0, or returns -1 on failure.
 */
typedef int (*por_rand_fn)(void *ctx, gl_t *out, size_t n);
/* por_rand_fn over OpenSSL RAND_bytes, by rejection sampling (exactly uniform); ctx unused. */
int por_rand_openssl(void *ctx, gl_t *out, size_t n);

/*
 * A read-only view of the committed matrix, in one of two layouts:
 *   rows != NULL: row-major, element (i, j) at rows[i * width + j]
 *                 (e.g. FRI layers: a leaf is a contiguous chunk of values);
 *   cols != NULL: column-major, element (i, j) at cols[j][i]
 *                 (e.g. the outputs of por_lde_batch, no transposition needed).
 * Exactly one of rows / cols is set.
 */
typedef struct {
    unsigned log_rows;
    size_t width;
    const gl_t *rows;
    const gl_t *const *cols;
} por_matrix;

/*
 * The tree.  It BORROWS the matrix data (rows, or each column cols[j]): the
 * caller keeps that memory alive and unchanged until por_merkle_free.  The
 * tree OWNS `cols` (its own copy of the pointer array, so the caller's array
 * may be temporary), `salts` and `nodes`.  Fields are read-only for callers.
 */
typedef struct {
    por_matrix m;         /* m.cols points to the tree's own copy */
    unsigned cap_height;  /* <= m.log_rows */
    bool salted;
    gl_t *salts;          /* salted: POR_MERKLE_SALT per row, row i at salts[4 i]; else NULL */
    por_digest *nodes;    /* level by level from the leaves up to the cap: level h (h = 0
                             for leaves) has 2^(log_rows - h) digests; the last
                             2^cap_height digests are the cap */
} por_merkle_tree;

/*
 * Builds the tree over m: leaf hashing and every level with enough nodes run
 * in parallel on the pool (pool may be NULL).  If salted, rand(rand_ctx, ...)
 * draws the salts (rand = NULL means por_rand_openssl).  Returns 0, or -1
 * (with *t zeroed, nothing to free) if cap_height > m->log_rows, log_rows > 40,
 * the layout is invalid, allocation fails or rand fails.
 */
int por_merkle_build(por_merkle_tree *t, por_pool *pool, const por_matrix *m, unsigned cap_height,
                     bool salted, por_rand_fn rand, void *rand_ctx);
/* Frees what the tree owns (not the matrix data) and zeroes *t; safe on a zeroed tree. */
void por_merkle_free(por_merkle_tree *t);

/* 2^cap_height */
static inline size_t por_merkle_cap_len(const por_merkle_tree *t) { return (size_t)1 << t->cap_height; }
/* log_rows - cap_height: the number of digests in one path. */
static inline size_t por_merkle_path_len(const por_merkle_tree *t) { return t->m.log_rows - t->cap_height; }
/* Pointer to the cap inside the tree (por_merkle_cap_len digests), valid until free. */
const por_digest *por_merkle_cap_ptr(const por_merkle_tree *t);
/* Copies the cap (por_merkle_cap_len digests) to cap_out. */
void por_merkle_cap(const por_merkle_tree *t, por_digest *cap_out);

/* Copies row `index` (width elements) to row_out. */
void por_merkle_row(const por_merkle_tree *t, size_t index, gl_t *row_out);

/*
 * Opening of leaf `index` (< 2^log_rows): row_out gets the row (width
 * elements), salt_out the salt (POR_MERKLE_SALT elements; ignored and may be
 * NULL if the tree is unsalted), path_out the path (por_merkle_path_len).
 */
void por_merkle_open(const por_merkle_tree *t, size_t index, gl_t *row_out, gl_t *salt_out,
                     por_digest *path_out);
/*
 * Multi-opening: one independent opening per index, k-th at rows_out +
 * k * width, salts_out + k * POR_MERKLE_SALT, paths_out + k * path_len.
 * Shared siblings are NOT deduplicated (simple and verifiable per query).
 */
void por_merkle_open_many(const por_merkle_tree *t, const size_t *indices, size_t count,
                          gl_t *rows_out, gl_t *salts_out, por_digest *paths_out);

/* The leaf digest of a row (salt = NULL for an unsalted tree). */
void por_merkle_leaf_hash(const gl_t *row, size_t width, const gl_t *salt, por_digest *out);

/*
 * Verifies an opening against a cap of 2^cap_height digests.  salt must be
 * NULL exactly when the tree is unsalted.  Returns 0 if the opening is valid,
 * -1 otherwise (also for index >= 2^log_rows or cap_height > log_rows).
 * Inputs are assumed canonical (the proof decoder checks that).
 */
int por_merkle_verify(const por_digest *cap, unsigned cap_height, unsigned log_rows, size_t index,
                      const gl_t *row, size_t width, const gl_t *salt, const por_digest *path);

/*
 * por_merkle_verify of count openings of one tree at once (8 at a time
 * through the 8-lane permutation; the verifier's many queries): opening k is
 * indices[k], rows + k * row_stride (width elements), salts + k * salt_stride
 * (salts NULL exactly when the tree is unsalted), paths + k * path_stride.
 * 0 if every opening is valid, else -1.  No heap.
 */
int por_merkle_verify_many(const por_digest *cap, unsigned cap_height, unsigned log_rows, size_t count,
                           const size_t *indices, const gl_t *rows, size_t row_stride, size_t width,
                           const gl_t *salts, size_t salt_stride, const por_digest *paths, size_t path_stride);

#endif
