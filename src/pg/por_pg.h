/*
 * The PostgreSQL glue of por: thin wrappers around the database-free library
 * in src/lib.  Shared declarations of the glue's modules.
 */
#ifndef POR_PG_H
#define POR_PG_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/array.h"

#include "params.h"
#include "poseidon.h"
#include "salt.h"

/* GUCs (por_pg.c) */
extern char *por_master_key_file;
extern int por_balance_bits;
extern int por_batch_log2;
extern int por_threads;

/* Owner switching: internal writes run as the extension's owner, not the caller. */
typedef struct {
    Oid saved_userid;
    int saved_sec_context;
} por_owner_switch;
void por_become_owner(por_owner_switch *sw);
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

/* Per-snapshot advisory lock (transaction scope). */
void por_lock_snapshot(int64 snapshot_id);

#endif
