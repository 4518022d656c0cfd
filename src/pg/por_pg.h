/*
 * The PostgreSQL glue of por: thin wrappers around the database-free library
 * in src/lib.  Shared declarations of the glue's modules.
 */
#ifndef POR_PG_H
#define POR_PG_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/array.h"

#include "utils/timestamp.h"

#include "agg/agg.h"
#include "por/batch.h"
#include "por/batch_proof.h"
#include "por/params.h"
#include "hash/poseidon.h"
#include "por/salt.h"
#include "util/threadpool.h"

/* Bounds of a snapshot's shape, for the settings and por_snapshot_create's arguments alike
 * (the columns of por.snapshots check the same ranges). */
#define POR_BALANCE_BITS_MAX 62
#define POR_BATCH_LOG2_MAX 20
/* batch_log2 -1 (the setting's default): the snapshot's account count picks it (por_batch_auto_log2) */
#define POR_BATCH_LOG2_AUTO (-1)

/* Key space of por's advisory locks ("por"); the second key is the snapshot id. */
#define POR_LOCK_CLASS 0x706f72

/* GUCs (por_pg.c) */
extern char *por_guc_master_key_file;
extern int por_guc_balance_bits;
extern int por_guc_batch_log2;
extern int por_guc_threads;
extern int por_guc_fan_in_log2;

/* Owner switching: internal writes run as the extension's owner, not the caller. */
typedef struct {
    Oid saved_userid;
    int saved_sec_context;
} por_owner_switch;
void por_become_owner(por_owner_switch *sw);
/* Owner of schema por, i.e. of the extension's data. */
Oid por_data_owner(void);
void por_restore_user(const por_owner_switch *sw);

/* bytea <-> digest; the bytea form is 32 bytes little-endian. */
bytea *por_digest_to_bytea(const por_digest *d);
void por_bytea_to_digest(bytea *b, por_digest *out, const char *what);

/* Reads a one-dimensional int8[] of exactly n non-NULL elements >= 0 into out. */
void por_int8_array_to_u64(ArrayType *arr, size_t n, uint64_t *out, const char *what);
ArrayType *por_u64_to_int8_array(const uint64_t *values, size_t n);

/* Exact decimal rendering of an unsigned 128-bit integer as numeric. */
Datum por_u128_to_numeric(unsigned __int128 v);

/* Master key (key.c): loads, or creates on first use; caller must wipe it. */
void por_master_key_load(uint8_t key[POR_MASTER_KEY_BYTES], char key_id[17]);

/*
 * Snapshot parameters as stored (snapshot.c); assets palloc'd in the current
 * context.  Errors if the snapshot does not exist.  status/root optional.
 */
typedef struct {
    por_params params;
    char key_id[17];
    bool proven;
    por_digest root;
    uint64_t account_count;
} por_snapshot_info;
void por_snapshot_load(int64 snapshot_id, por_snapshot_info *info);

/* 25000 if the snapshot was created by the current transaction (snapshot.c): the worker could not see it. */
void por_refuse_snapshot_of_this_transaction(int64 snapshot_id);

/* Per-snapshot advisory lock, session scope (held by the proving worker until it exits). */
void por_lock_snapshot_session(int64 snapshot_id);

/* One 32-byte node of a stored tree level (prove.c); error if the level is missing. */
void por_tree_node_load(int64 snapshot_id, unsigned level, uint64_t index, por_digest *out);
/* Errors if the stored parameters no longer hash to the stored params digest. */
void por_check_params_digest(int64 snapshot_id, const por_snapshot_info *info);
/* Whether the tree levels of a snapshot are stored. */
bool por_tree_stored(int64 snapshot_id);

/*
 * integrity (pgint): the frozen commitment of a snapshot (prove.c).  At
 * por_snapshot_create the tree over the written leaves is computed and its
 * root and batch roots stored with a MAC under the master key; por_prove
 * checks every step against it.
 */
typedef struct {
    por_digest root;
    por_digest *batch_roots; /* one per batch, in batch order */
    uint64_t batches;
} por_frozen;
/* Computes and stores the commitment of the snapshot whose leaves this transaction just wrote. */
void por_frozen_commit(const por_params *params);
/* Loads the commitment (batch roots allocated in ctx) and checks its MAC; XX001 if it was altered. */
void por_frozen_load(int64 snapshot_id, const por_snapshot_info *info, por_frozen *out, MemoryContext ctx);

/* The proving steps (prove.c); each runs inside one transaction of the worker. */
typedef struct {
    por_batch_circuit *circuit; /* of the snapshot's shape */
    por_plonk_prover *prover;
    por_batch_vk vk;            /* checks every proof before it is stored */
} por_batch_prover;
/* Recomputes the tree from the leaves, checks it against the totals and the frozen commitment (XX001
 * naming the first changed batch), then stores the levels, or, when they are stored or finishing is set,
 * checks every stored level against the recomputation. */
void por_prove_tree(int64 snapshot_id, const por_snapshot_info *info, const por_frozen *frozen, por_pool *pool,
                    bool finishing);
/* Proves batch batch_no (its leaves must hash to the frozen batch root), verifies the encoded proof,
 * stores it in por.batch_proofs. */
void por_prove_batch(int64 snapshot_id, const por_snapshot_info *info, const por_frozen *frozen,
                     const por_batch_prover *bp, por_pool *pool, uint64_t batch_no);
/* Checks the stored batch proofs against the snapshot (one per batch, statements decoded from the proofs:
 * frozen batch roots, totals, params digest), publishes the root of the final proof's statement (checked
 * by por_final_check, and equal to the root built from the proven batch roots) and logs the run (times
 * of this run: a resumed run counts only its own part; aggregation: the nodes and the compression proof,
 * finish: these final checks; agg_detail: JSON members appended to the detail). */
void por_prove_finish(int64 snapshot_id, const por_snapshot_info *info, const por_frozen *frozen,
                      TimestampTz started, TimestampTz tree_done, TimestampTz batches_done,
                      TimestampTz aggregation_done, const por_agg_public *final_statement, const char *agg_detail,
                      const char *run_by);

/* prove.c, shared with the aggregation phase */
bool por_interrupt_pending(void *ctx);
ArrayType *por_totals_to_numeric_array(const uint64_t (*totals)[2], size_t n);
/* XX001 "does not have its N batch proofs": batch batch_no has none. */
void por_missing_batch_proof(int64 snapshot_id, uint64_t batches, uint64_t batch_no);
/* Decodes the stored proof of batch b (expected: expected_no) into *bp and requires it to be this snapshot's,
 * batch's and shape's, to prove the frozen batch root (= the batch_root column) and to carry the params
 * digest; XX001 naming the batch otherwise. */
void por_check_batch_proof(int64 snapshot_id, const por_snapshot_info *info, const por_frozen *frozen, int32 b,
                           uint64_t expected_no, bytea *raw, const por_digest *column_root, por_batch_proof *bp);
/* batch_pg.c: whether a snapshot of this database has the batch shape (keys are derived only for those) */
bool por_shape_in_use(uint32_t k, uint32_t A, uint32_t B);

/*
 * The aggregation phase (agg_pg.c), each step inside one worker transaction.
 * por_agg_nodes_stored: finished nodes at fan-in 2^f (rows of another fan-in
 * deleted).  por_prove_agg_node: proves node index of level from its stored
 * children (batch proofs checked as por_check_batch_proof does), verifies the proof's bytes and stores them; false if the node was
 * already stored.  por_prove_compress: the compression proof of the top node
 * (agg/compress.h), stored as node 0 of level T + 1 the same way (false if
 * already stored).  por_final_check: the final proof (that compression proof) verifies
 * under keys (derived if they do not fit) and states the frozen root, the
 * stored totals and the params digest (XX001 otherwise); its statement and
 * size out.  por_final_proof_bytes: the encoded final proof, NULL if the
 * compression proof is not stored.
 */
uint64_t por_agg_nodes_stored(int64 snapshot_id, unsigned fan_in_log2);
bool por_prove_agg_node(int64 snapshot_id, const por_snapshot_info *info, const por_frozen *frozen,
                        const por_agg_keys *keys, por_pool *pool, unsigned level, uint64_t index);
bool por_prove_compress(int64 snapshot_id, const por_agg_keys *keys, por_pool *pool);
void por_final_check(int64 snapshot_id, const por_snapshot_info *info, const por_frozen *frozen,
                     por_agg_keys *keys, por_pool *pool, por_agg_public *statement, size_t *final_bytes);
bytea *por_final_proof_bytes(int64 snapshot_id, const por_params *params);

#endif
