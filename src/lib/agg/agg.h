/*
 * The PoR aggregation circuit (issue 14): one PLONK proof per node of the
 * tree of batches, fan-in F = 2^f, verifying its F children's proofs in-circuit
 * (recursion/plonk_circuit.h, the children's keys pinned).
 *
 * Tree.  A snapshot of leaf_count leaves in batches of 2^k has N =
 * leaf_count / 2^k batches; batch b is the account tree's level-k node b
 * (por/tree.h).  The account tree equals the complete binary tree over 2^H
 * batch slots, H = ceil(log2 N), whose slots >= N hold E_k (a node whose right
 * child lies past the end of its level pairs with E, and node(E_h, E_h) =
 * E_{h+1}).  Aggregation node j of level L >= 1 covers batch slots
 * [j F^L, (j+1) F^L); its children are batch proofs (L = 1) or the level-(L-1)
 * nodes jF .. jF+F-1.  Level L has ceil(N / F^L) nodes; the top level
 * T = max(1, ceil(log_F N)) has one, whose root is the account tree's root.
 *
 * What the level-L circuit proves (agg.c explains each bound):
 *  - the params preimage (por_params_encode: 8 + 9A elements, version, B, k
 *    and A constants of the circuit) is a private witness hashed in-circuit
 *    to the node's params digest; every child's params digest is that one
 *    (empty positions included: the prover fills them with a copy of child 0's
 *    proof); above level 1 every child's leaf count is the node's;
 *  - N = leaf_count / 2^k exactly (N 2^k = leaf_count, N < 2^(40-k)
 *    range-checked), j < 2^max(0, 40 - fL) range-checked, and slot j F^L < N
 *    (a node that exists has its first child);
 *  - child c is present iff its first slot (jF + c) F^(L-1) < N (a comparison
 *    proven by a range check of the signed difference), so which positions
 *    are empty follows from the leaf count alone; a present child at level
 *    L >= 2 carries index jF + c (its position), an empty one contributes
 *    E_{k + f(L-1)} and zero totals;
 *  - the root: f levels of por_node_hash over the children's values, as the
 *    account tree hashes; at a batch-tree level h with N <= 2^(h-1) (above the
 *    tree's root: only the top node reaches it) the node passes its left child
 *    up unchanged, so the top node's root is the tree's root (depth k + H)
 *    whatever log_F N is;
 *  - the totals: per asset and side, the sum of the present children's
 *    (lo, hi) with lo' < 2^32, the carry < 2^f and hi' < 2^(63-f)
 *    range-checked: exact, no wrap (F children of hi < 2^(63-f) stay below
 *    2^63 < p; batch proofs' hi < 2^50).  A total must be below 2^(95-f)
 *    smallest units to be provable.
 *
 * Public inputs (8 + 4A + 2): the batch statement's layout (root, totals,
 * params digest; batch.h), then the node's index j and the leaf count.
 */
#ifndef POR_AGG_H
#define POR_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "por/batch.h"
#include "por/batch_proof.h"
#include "por/params.h"
#include "plonk/plonk.h"
#include "recursion/plonk_circuit.h"
#include "util/threadpool.h"

#define POR_AGG_MAX_FAN_IN_LOG2 4 /* F <= 16 */
/* The fan-in por_prove uses: 4.  A child costs about the same in-circuit
 * whatever F (7.5k rows over 2048 x 53 batch proofs: nodes of 2^14, 2^15 and
 * 2^16 rows at F = 2, 4, 8), and measured in one run (BENCHMARKS.md, issue
 * 14 "batch shape") about the same time per child too (2.8, 2.7, 2.8 s at
 * rate 1/4 on a loaded host), while a tree verifies about F / (F - 1)
 * children per batch.  For 10^5 x 53 in 49 batches of 2048 that estimates
 * the aggregation at +44 % of the batch phase at F = 2, +30 % at 4, +28 % at
 * 8; 4 keeps the worker's peak at the batch prover's 1.4 GB (8: 1.7 GB) and
 * a node's transaction at half of 8's.  (At 12.8k rows per child, before
 * issue 13's gates, F = 2 came out lowest.) */
#define POR_AGG_DEFAULT_FAN_IN_LOG2 2
/* Levels needed for 2^POR_MAX_DEPTH leaves at fan-in 2. */
#define POR_AGG_MAX_LEVELS POR_MAX_DEPTH

/* What every key of an aggregation tree depends on. */
typedef struct {
    uint32_t batch_log2, asset_count, balance_bits; /* the batch circuit's shape */
    uint32_t fan_in_log2;                           /* f: F = 2^f children per node */
} por_agg_shape;

/* NULL if the batch shape passes por_batch_shape_check and 1 <= f <=
 * POR_AGG_MAX_FAN_IN_LOG2, else why not (static). */
const char *por_agg_shape_check(const por_agg_shape *s);

/* N = leaf_count / 2^k batches (0 if leaf_count is not a positive multiple of 2^k). */
uint64_t por_agg_batch_count(uint64_t leaf_count, unsigned batch_log2);
/* T = max(1, ceil(log_F N)): the levels of a snapshot of N batches (N >= 1). */
unsigned por_agg_levels(uint64_t batch_count, unsigned fan_in_log2);
/* ceil(N / F^level): nodes of that level (level 0: the batches). */
uint64_t por_agg_level_size(uint64_t batch_count, unsigned fan_in_log2, unsigned level);

/*
 * The configuration of every aggregation level: the batch proofs'
 * (por_batch_config_default: rate 1/4, 44 queries, 104 query bits) with
 * POR_REC_ROUTED_WIRES routed wires, zero knowledge.  No level's proof is
 * published (the compression proof over the top one is, compress.h), so
 * every level uses the configuration fastest to prove: half the LDE of rate
 * 1/8 makes each proof about a quarter faster (1024 x 53 at F = 2: 3.7 s
 * against 5.0 s), and the level above still verifies F of them in the same
 * rows.
 */
void por_agg_inner_config(por_circuit_config *cfg);

/* The statement of an aggregation proof (its public inputs). */
typedef struct {
    por_batch_public node; /* root, exact per-asset totals, params digest */
    uint64_t index;        /* j: the node's position in its level */
    uint64_t leaf_count;
} por_agg_public;

size_t por_agg_num_public_inputs(unsigned asset_count);
void por_agg_public_encode(const por_agg_public *pub, gl_t *pis);
/* -1 if the count is wrong or a limb is not canonical (lo >= 2^32). */
int por_agg_public_decode(const gl_t *pis, size_t n, uint32_t asset_count, por_agg_public *pub);
bool por_agg_public_equal(const por_agg_public *x, const por_agg_public *y);

/* One level's circuit; targets exposed so tests can forge witnesses. */
typedef struct {
    por_agg_shape shape;
    unsigned level;
    por_circuit *circuit;
    const por_plonk_vk *child_vk;  /* borrowed: the key the children are pinned to */
    por_rec_plonk_proof *child;    /* F proof targets */
    por_target *params_in;         /* 8 + 9A: the params preimage (constants at version, B, k, A) */
    por_target index, batch_count; /* j, N */
    por_target *present;           /* F booleans */
    por_target root[4];
    por_target *totals;            /* 4A: (lo, hi) per asset and side, the public layout */
    por_target *carry;             /* 2A: the carry of each lo sum into hi */
    por_target params_digest[4];
} por_agg_circuit;

/*
 * Builds the level-`level` circuit (1 <= level <= POR_AGG_MAX_LEVELS) whose
 * children are proofs under child_vk: the batch key of the shape at level 1,
 * the level-(level-1) aggregation key above.  cfg NULL: por_agg_inner_config.  The
 * key is kept by reference (it must outlive the circuit).  NULL, *why.
 */
por_agg_circuit *por_agg_circuit_build(const por_agg_shape *shape, unsigned level, const por_plonk_vk *child_vk,
                                       const por_circuit_config *cfg, const char **why);
void por_agg_circuit_free(por_agg_circuit *ac);

/*
 * The witness of node `index` of the circuit's level from the snapshot's
 * params (their shape must be the circuit's) and the F children's proofs,
 * NULL at the positions past the end (which must be exactly the slots >= N);
 * empty positions get a copy of children[0].  *expected: the node's statement
 * computed natively (tree hashing, 128-bit sums).  TESTING ONLY: unchecked
 * skips the native checks (presence pattern, equal digests, positions, sums)
 * so tests can feed the circuit what an adversary would.  -1 with *why.
 */
int por_agg_witness(const por_agg_circuit *ac, const por_params *params, uint64_t index,
                    const por_plonk_proof *const *children, bool unchecked, por_witness **out,
                    por_agg_public *expected, const char **why);

/* compress.h */
typedef struct por_agg_compress_circuit por_agg_compress_circuit;

/*
 * The keys of a whole aggregation tree of `levels` levels, derived from
 * circuit definitions only (the one place a tree's keys are derived): the
 * batch key (por_batch_vk_derive), then each level's circuit built over the
 * key below and preprocessed (a level's key does not depend on the tree's
 * height), then the compression circuit over the key of the top level
 * (compress.h, por_agg_compress_config); for a verifier's keys, each
 * circuit's commitment is taken from the shipped table when it holds that
 * circuit (por/vk_table.h).  The provers are kept
 * (prove != false) or only their verifier keys.
 */
typedef struct {
    por_agg_shape shape;
    unsigned levels;
    por_batch_vk batch;
    por_agg_circuit *circuit[POR_AGG_MAX_LEVELS + 1]; /* [1..levels]; NULL if !prove */
    por_plonk_prover *prover[POR_AGG_MAX_LEVELS + 1]; /* [1..levels]; NULL if !prove */
    por_plonk_vk vk[POR_AGG_MAX_LEVELS + 1];          /* [1..levels] */
    por_agg_compress_circuit *compress;               /* NULL if !prove */
    por_plonk_prover *compress_prover;                /* NULL if !prove */
    por_plonk_vk compress_vk;                         /* the final proof's key */
    double derive_ms;                                 /* wall time of the derivation */
    unsigned shipped; /* of the levels + 2 keys (batch and compression keys included), those from the shipped table */
    uint8_t fingerprint[POR_AGG_MAX_LEVELS + 1][POR_CIRCUIT_FINGERPRINT_BYTES]; /* [1..levels]: of each circuit (without prove) */
    uint8_t compress_fingerprint[POR_CIRCUIT_FINGERPRINT_BYTES];                 /* of the compression circuit (without prove) */
} por_agg_keys;

/* cfg NULL: por_agg_inner_config at every level (tests and benchmarks pass
 * another; the compression layer is always at por_agg_compress_config, the
 * only one the format accepts).  0, or -1 with *why (keys freed). */
int por_agg_keys_derive(const por_agg_shape *shape, unsigned levels, bool prove, const por_circuit_config *cfg,
                        por_pool *pool, por_agg_keys *out, const char **why);
/* The same with the shipped keys of `table` (vk_table.h; NULL: every key by
 * the setup); por_agg_keys_derive uses por_vk_table_shipped().  With prove,
 * only the batch key can come from the table (the levels need their provers). */
int por_agg_keys_derive_with(const por_agg_shape *shape, unsigned levels, bool prove, const por_circuit_config *cfg,
                             const por_vk_table *table, por_pool *pool, por_agg_keys *out, const char **why);
void por_agg_keys_free(por_agg_keys *keys);

/*
 * Proves node `index` of `level` (1..keys->levels) from its children
 * (por_agg_witness), checks the proof's statement is the natively computed
 * one and returns it in *stmt (if not NULL).  proof: por_plonk_proof_free by
 * the caller, also after a failure.  0, or -1 with *why.
 */
int por_agg_prove_node(const por_agg_keys *keys, unsigned level, uint64_t index, const por_params *params,
                       const por_plonk_proof *const *children, por_pool *pool, const por_plonk_prove_opts *opts,
                       por_plonk_proof *proof, por_agg_public *stmt, const char **why);

/* Verifies one aggregation proof of `level` under the derived keys; its
 * statement into *out (if not NULL).  0, or -1 with *why. */
int por_agg_verify_node(const por_agg_keys *keys, unsigned level, const por_plonk_proof *proof,
                        por_agg_public *out, const char **why);

/*
 * The compression proof of the top node's proof (node 0 of level
 * keys->levels, checked to verify first): its statement must be the top's,
 * returned in *stmt (if not NULL).  proof: por_plonk_proof_free by the
 * caller, also after a failure.  0, or -1 with *why.
 */
int por_agg_prove_compress(const por_agg_keys *keys, const por_plonk_proof *top, por_pool *pool,
                           const por_plonk_prove_opts *opts, por_plonk_proof *proof, por_agg_public *stmt,
                           const char **why);
/* Verifies a compression proof under keys->compress_vk; its statement into
 * *out (if not NULL).  0, or -1 with *why. */
int por_agg_verify_compress(const por_agg_keys *keys, const por_plonk_proof *proof, por_agg_public *out,
                            const char **why);

#endif
