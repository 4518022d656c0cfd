/*
 * Batch proofs as files and bytea: the envelope around a batch circuit's
 * PLONK proof (batch.h), and the verifier key of a batch shape.
 *
 * Binary encoding (canonical, versioned; docs/FORMATS.md): header "PORF",
 * version 1, kind 2, then snapshot id, batch number, batch_log2, asset
 * count, balance bits, and the PLONK proof (length-prefixed).  The statement
 * (batch root, per-asset totals, params digest) is the PLONK proof's public
 * inputs; decoding checks their count and canonical form and fills
 * `statement`.  snapshot_id and batch_no are labels: the proof does not
 * bind them (the params digest binds the snapshot; the tree over the batch
 * roots binds the position), so whoever checks a batch proof compares them
 * with the context (por_bundle_check does).
 */
#ifndef POR_BATCH_PROOF_H
#define POR_BATCH_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "por/batch.h"
#include "por/vk_table.h"
#include "plonk/plonk.h"
#include "util/threadpool.h"

#define POR_KIND_BATCH 2

/*
 * The verifier's cost cap (docs/por-verify.md).  A batch shape comes from an
 * untrusted file, and its key costs a circuit build and a setup that grow
 * with the circuit's rows, so a verifier accepts only shapes whose circuit
 * has at most 2^POR_BATCH_CAP_DEGREE_BITS rows: 2^16, the largest circuit
 * whose batch proofs keep >= 100 conjectured bits with the field term
 * (docs/security.md; 2^17 gives 99.7), e.g. 2048 accounts x 53 assets at 62
 * bits, whose key takes about 1 s and 0.5 GB on 2 cores.  The header alone
 * is held to k <= POR_BATCH_CAP_LOG2 and 2^k * A <=
 * POR_BATCH_MAX_ACCOUNT_ASSETS, which keeps the circuit build that measures
 * the rows below about 0.3 s and 0.2 GB (no shape within it has more than
 * 2^17 rows); the setup runs only after the rows are known to be within the
 * cap.  por_snapshot_create refuses the same shapes (por_batch_shape_admit),
 * so every proof por_prove makes is within it.
 */
#define POR_BATCH_CAP_LOG2 12
#define POR_BATCH_MAX_ACCOUNT_ASSETS (1u << 17)
#define POR_BATCH_CAP_DEGREE_BITS 16

typedef struct {
    uint64_t snapshot_id;
    uint64_t batch_no;
    uint32_t batch_log2, asset_count, balance_bits;
    por_plonk_proof proof;      /* owned */
    por_batch_public statement; /* decoded from proof.public_inputs */
} por_batch_proof;

/* Frees the owned proof; safe on a zeroed struct. */
void por_batch_proof_free(por_batch_proof *bp);

/* malloc'd canonical encoding, or NULL on invalid content (shape out of range, statement not matching the proof's public inputs). */
uint8_t *por_batch_proof_encode(const por_batch_proof *bp, size_t *out_len);
/* Parses exactly len bytes; 0, or -1 with a static reason.  Never reads past len; free with por_batch_proof_free even on failure. */
int por_batch_proof_decode(const uint8_t *buf, size_t len, por_batch_proof *out, const char **why);

/*
 * The header part of the cap: ranges of the format, k <= POR_BATCH_CAP_LOG2
 * and 2^k * A <= POR_BATCH_MAX_ACCOUNT_ASSETS.  Nothing is built.  NULL if
 * within, else why not (static).
 */
const char *por_batch_shape_check(unsigned batch_log2, unsigned asset_count, unsigned balance_bits);

/*
 * The whole cap: por_batch_shape_check, then builds the circuit (bounded by
 * the former) and requires at most 2^POR_BATCH_CAP_DEGREE_BITS rows.  No
 * setup.  0 (and *degree_bits, if not NULL, the circuit's log2 rows), or -1
 * with *why.
 */
int por_batch_shape_admit(unsigned batch_log2, unsigned asset_count, unsigned balance_bits, unsigned *degree_bits,
                          const char **why);

/*
 * The batch size of a snapshot of `accounts` accounts when none is given
 * (por_snapshot_create's "auto"): the largest k <= POR_BATCH_CAP_LOG2 that
 * por_batch_shape_admit admits and with 2^k not above the smallest power of
 * two >= accounts.  Past one batch a proof costs about its rows and every
 * batch adds a child to the aggregation tree, so the largest admitted batch
 * is the cheapest per account; the account bound keeps a small snapshot from
 * padding to more leaves than one batch of its own size.  Builds a circuit
 * per k tried, from the largest down (usually one or two).  0 and
 * *batch_log2, or -1 with *why (no accounts, or the reason k = 0 is refused).
 */
int por_batch_auto_log2(uint64_t accounts, unsigned asset_count, unsigned balance_bits, unsigned *batch_log2,
                        const char **why);

/*
 * Checks on a decoded proof that cost nothing and run before a key is
 * derived for it: the header's shape is within por_batch_shape_check, and
 * the PLONK proof inside was made at the production configuration
 * (por_batch_config_default: Merkle cap height, FRI rate, queries and
 * grinding bits) for a circuit of at most 2^POR_BATCH_CAP_DEGREE_BITS rows.
 * NULL if it passes, else why not (static).
 */
const char *por_batch_proof_precheck(const por_batch_proof *bp);

/* The verifier key of one batch shape. */
typedef struct {
    uint32_t batch_log2, asset_count, balance_bits;
    por_plonk_vk vk;
    bool shipped; /* its cap came from the shipped table (vk_table.h), not a setup */
    uint8_t fingerprint[POR_CIRCUIT_FINGERPRINT_BYTES]; /* of its circuit */
} por_batch_vk;

/*
 * Derives the verifier key of the batch circuit (k, A, B) at the production
 * configuration (por_batch_config_default, zero knowledge) by building and
 * preprocessing the circuit itself: nothing is trusted from outside.  Costs
 * a circuit build and a setup (about 1 s and 0.5 GB at k = 11, A = 53),
 * or a build and its fingerprint when the shipped table (vk_table.h) holds it;
 * refuses shapes outside the cap (por_batch_shape_admit) before the setup.
 * 0, or -1 with *why.
 */
int por_batch_vk_derive(unsigned batch_log2, unsigned asset_count, unsigned balance_bits, por_pool *pool,
                        por_batch_vk *out, const char **why);
void por_batch_vk_free(por_batch_vk *vk);
/* The same with the shipped keys of `table` (por_vk_derive; NULL: always the
 * setup); por_batch_vk_derive uses por_vk_table_shipped(). */
int por_batch_vk_derive_with(unsigned batch_log2, unsigned asset_count, unsigned balance_bits,
                             const por_vk_table *table, por_pool *pool, por_batch_vk *out, const char **why);

/*
 * The key a decoded proof claims: por_batch_proof_precheck, then the
 * circuit of its shape is built and must have exactly as many rows as the
 * proof says, and only then is it preprocessed.  So a header that names a
 * shape the proof inside does not have costs a circuit build at most.
 * 0, or -1 with *why.
 */
int por_batch_vk_derive_for(const por_batch_proof *bp, por_pool *pool, por_batch_vk *out, const char **why);
/* The same with the shipped keys of `table` (NULL: always the setup). */
int por_batch_vk_derive_for_with(const por_batch_proof *bp, const por_vk_table *table, por_pool *pool,
                                 por_batch_vk *out, const char **why);

/* The key of an existing prover (same shape as its circuit); 0 or -1 (allocation). */
int por_batch_vk_from_prover(const por_plonk_prover *pk, const por_batch_circuit *bc, por_batch_vk *out);

/*
 * Checks a decoded batch proof: its shape equals the key's and the PLONK
 * proof verifies (por_batch_verify) with the statement it carries.
 * 0 if valid, else -1 and *why.
 */
int por_batch_proof_verify(const por_batch_vk *vk, const por_batch_proof *bp, const char **why);

#endif
