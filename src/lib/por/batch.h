/*
 * The batch circuit (DESIGN.md sections 2 and 5): one PLONK proof for a batch
 * of 2^k accounts x A assets that enforces section 2 items 2-6.
 *
 * Public inputs (8 + 4A elements, in this order):
 *   [0..4)              the batch subtree root (por_tree_build's level-k node)
 *   [4 + 2a], [5 + 2a]  equity total of asset a as (lo, hi): E_a = lo + 2^32 hi,
 *                       lo < 2^32 (a canonical two-limb integer: 2^k balances
 *                       of up to 62 bits exceed the field)
 *   [4 + 2A + 2a], +1   debt total of asset a, the same way
 *   [4 + 4A .. 8 + 4A)  the params digest (por_params_digest)
 *
 * The circuit depends only on its shape: k, A and B = balance_bits (the
 * params encoding gives every symbol the same fixed width, so the asset
 * symbols do not move anything in the hashed encoding).  Prices, haircuts,
 * decimals, symbol lengths and bytes, snapshot id and time, price scale and
 * leaf count are witnesses hashed in-circuit into the params digest, so one
 * verifier key serves every snapshot of that shape; B, k and A enter the hash
 * as circuit constants, so a proof cannot claim a digest of params with
 * another balance width, batch size or asset count.
 *
 * In-circuit, per account u (batch.c explains the bounds):
 *   leaf_u = por_hash(DOMAIN_LEAF, [C_u, e_1..e_A, d_1..d_A]) from the same
 *            e, d targets that are range-checked and summed (item 2);
 *   every e, d takes a slot of a balance gate (gates.h): 2-bit limbs, so
 *            0 <= e, d < 2^B as integers (item 3), and the limbs' linear forms
 *            feed the totals and the solvency columns;
 *   sum_a p_a (h_a e_a - 100 d_a) >= 0 exactly, by limb products and a carry
 *            chain whose every limb and carry is range-checked (item 4);
 * per batch: the subtree of node hashes (item 1 for the batch), the exact
 * per-asset totals (item 5), h_a in [0, 100] and p_a < 2^63 range-checked,
 * and the params digest (item 6).
 */
#ifndef POR_BATCH_H
#define POR_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plonk/circuit.h"
#include "por/params.h"
#include "plonk/plonk.h"
#include "util/threadpool.h"
#include "por/tree.h"

#define POR_BATCH_MAX_LOG2 20
#define POR_BATCH_SYMBOL_WORDS POR_PARAMS_SYMBOL_WORDS

/* What the circuit spends, for reports (ops: arithmetic operations, 12 per row). */
typedef struct {
    size_t rows_poseidon, rows_range, rows_arith, rows_const, rows_other;
    size_t perms_leaf, perms_tree, perms_params;
    size_t range_values;     /* values range-checked */
    size_t ops_recompose;    /* price limbs -> prices, and their exact-width checks */
    size_t ops_solvency;     /* carry chain (products are in balance rows) */
    size_t ops_totals;       /* normalization of the per-asset sums */
    size_t ops_other;        /* haircut bound */
    size_t rows_balance;     /* balance-gate rows */
    size_t balance_slots;    /* balances in them (2A per account) */
} por_batch_stats;

typedef struct {
    por_circuit *circuit;
    uint32_t batch_log2, asset_count, balance_bits;
    uint32_t price_limb_bits; /* L: price limbs and carry-chain columns are L bits */
    uint32_t carry_bits;      /* rw: the one range-check width (offset carries, deltas; batch.c) */
    uint32_t carry_offset_bits; /* R: the carries c_k are offset by 2^(R-1) (c'_k, batch.c) */
    uint32_t columns;         /* carry-chain columns */
    uint32_t slots_per_row;   /* balances per balance-gate row */
    /* witness inputs */
    por_target *commitment; /* 2^k * 4 */
    por_target *balance;    /* 2^k * 2A: account u's e at [2A u + a], d at [2A u + A + a] */
    por_target snapshot_id, snapshot_time, price_scale, leaf_count;
    por_target *symbol_len; /* A: symbol byte lengths */
    por_target *symbol;     /* A * POR_BATCH_SYMBOL_WORDS (por_params_symbol_pack) */
    por_target *decimals, *price, *haircut; /* A each */
    /* computed values, exposed so tests can forge them */
    por_target *leaf;       /* 2^k * 4 leaf digests */
    por_target *node;       /* (2^k - 1) * 4: levels 1..k bottom-up, left to right */
    por_target *carry;      /* 2^k * columns: account u's offset carries c'_k (batch.c) */
    por_target *delta;      /* 2^k * columns: its remainders delta_k */
    por_target *price_limb; /* A * price limbs: p_a = sum_j P_j 2^(L j) */
    por_target *total_carry; /* 2A: c of S_0 = lo + 2^32 c, per total (batch.c) */
    por_target params_digest[4];
    por_batch_stats stats;
} por_batch_circuit;

/* The statement of a batch proof; totals[t] = (lo, hi) with t = a for the
 * equity of asset a and t = A + a for its debt. */
typedef struct {
    uint32_t asset_count;
    por_digest root;
    uint64_t totals[2 * POR_MAX_ASSETS][2];
    por_digest params_digest;
} por_batch_public;

/*
 * The production configuration of batch proofs: por_circuit_config_default
 * with blowup 4 instead of 8 and 44 queries instead of 28.  The Merkle
 * commitments, most of a batch proof's time, hash half as many LDE rows; the
 * degree-8 constraints still get their 8n-point quotient domain
 * (por_circuit_quotient_eval_bits), and the proof is larger (more queries).
 * Batch proofs are intermediate (recursion aggregates them), so prover time
 * matters more than their size.
 * Security (plonk_soundness.h, docs/security.md): the queries give 44 * 2 +
 * 16 = 104 bits under the ethSTARK conjecture, 4 above the target so that
 * the union bound with the field term (|D| / |F| times the 539 batched
 * polynomials) stays >= 100 bits up to 2^16 rows, the verifiers' cost cap
 * (batch_proof.h: 102.8 bits at 1024 x 8, 101.5 at 1024 x 53, 100.6 at
 * 2048 x 53).  It is lower for larger batches, which the quadratic
 * extension cannot fix with more queries: 99.7 bits at 2^17 rows (1024 x 200), 96.7 at 2^20, 95.7 at
 * 2^21, the largest batch circuit (POR_BATCH_MAX_ACCOUNT_ASSETS at one
 * asset).  Provable (Johnson bound, no conjecture): 53-58 bits.
 */
void por_batch_config_default(por_circuit_config *cfg);

/*
 * Builds the circuit for 2^k accounts (k <= POR_BATCH_MAX_LOG2), asset_count
 * assets, balances < 2^balance_bits (1..62).  cfg: the proof configuration (NULL: por_batch_config_default),
 * with zero_knowledge overriding its flag.  NULL on error with *why.
 */
por_batch_circuit *por_batch_circuit_build(unsigned k, unsigned asset_count, unsigned balance_bits,
                                           bool zero_knowledge,
                                           const por_circuit_config *cfg, const char **why);
void por_batch_circuit_free(por_batch_circuit *bc);

size_t por_batch_num_public_inputs(unsigned asset_count);
/* pis[0 .. 8 + 4A) from the statement, and back (decode checks lo < 2^32; -1 if not). */
void por_batch_public_encode(const por_batch_public *pub, gl_t *pis);
int por_batch_public_decode(const gl_t *pis, size_t n, uint32_t asset_count, por_batch_public *pub);
/* 1 if equal (same asset count and every element). */
bool por_batch_public_equal(const por_batch_public *x, const por_batch_public *y);

/*
 * Fills a witness for the batch: commitments[u] = C_u, balances = 2^k rows of
 * A equities then A debts (por_leaf_hash_many's layout), params of the
 * circuit's shape.  Computes the expected statement natively (leaf hashes,
 * por_tree_build, 128-bit sums, por_params_digest) into *expected.
 * Refuses (-1, *why) params that fail por_params_check or do not match the
 * shape, balances >= 2^B, insolvent accounts, non-canonical values.
 * TESTING ONLY: unchecked skips the balance, solvency and params-range
 * checks (not the shape), so tests can feed a malicious witness to the circuit.
 * *out is a new witness (por_witness_free) on success.
 */
int por_batch_witness(const por_batch_circuit *bc, const por_params *params,
                      const por_digest *commitments, const uint64_t *balances, bool unchecked,
                      por_witness **out, por_batch_public *expected, const char **why);

/*
 * Proves a batch (por_plonk_prove) and, if expected != NULL, checks that the
 * proof's public inputs are that statement.  proof must be freed by the
 * caller (por_plonk_proof_free) also after a failure.
 */
int por_batch_prove(const por_plonk_prover *pk, const por_batch_circuit *bc, por_witness *w,
                    por_pool *pool, const por_plonk_prove_opts *opts,
                    const por_batch_public *expected, por_plonk_proof *proof, const char **why);

/*
 * Verifies a batch proof against the batch circuit's verifier key for
 * asset_count assets: the shape of the public inputs, the PLONK proof, and,
 * if expected != NULL, that the statement is exactly *expected.  If out !=
 * NULL it receives the proven statement.  0 if valid, else -1 and *why.
 */
int por_batch_verify(const por_plonk_vk *vk, uint32_t asset_count, const por_plonk_proof *proof,
                     const por_batch_public *expected, por_batch_public *out, const char **why);

#endif
