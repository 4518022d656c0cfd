/*
 * The proving work of por_prove, run by its background worker (worker.c),
 * each step in a transaction of its own so finished work survives a cancel
 * or a crash: the tree (leaf hashes and levels), one zero-knowledge proof
 * per batch, and the final check that marks the snapshot proven.  Also the
 * snapshot and tree readers shared with the other glue modules.
 */
#include "postgres.h"

#include <inttypes.h>

#include <openssl/crypto.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "agg/final_proof.h"
#include "por/batch_proof.h"
#include "por/bundle.h"
#include "por/leaves.h"
#include "por_pg.h"
#include "util/threadpool.h"
#include "por/tree.h"

void por_lock_snapshot_session(int64 snapshot_id)
{
    Oid types[2] = {INT4OID, INT4OID};
    Datum values[2] = {Int32GetDatum(POR_LOCK_CLASS), Int32GetDatum((int32)snapshot_id)};
    /* two-key form: class + snapshot id (ids beyond 2^31 share locks, which only serializes more);
     * session scope: the worker keeps it across its transactions until it exits */
    if (SPI_execute_with_args("SELECT pg_advisory_lock($1, $2)", 2, types, values, NULL, false, 1) != SPI_OK_SELECT)
        elog(ERROR, "por: could not take the snapshot lock");
}

static uint64_t numeric_datum_to_u64(Datum d)
{
    return (uint64_t)DatumGetInt64(DirectFunctionCall1(numeric_int8, d));
}

void por_snapshot_load(int64 snapshot_id, por_snapshot_info *info)
{
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(snapshot_id)};
    HeapTuple tup;
    TupleDesc desc;
    bool isnull;
    uint64 n;

    if (SPI_execute_with_args("SELECT snapshot_time, balance_bits, price_scale, batch_log2, leaf_count, asset_count,"
                              " key_id, status, root, account_count,"
                              " (extract(epoch FROM snapshot_time) * 1000000)::bigint"
                              " FROM por.snapshots WHERE snapshot_id = $1",
                              1, types, values, NULL, true, 1) != SPI_OK_SELECT)
        elog(ERROR, "por: reading the snapshot failed");
    if (SPI_processed == 0)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("snapshot %" PRId64 " does not exist", snapshot_id)));
    tup = SPI_tuptable->vals[0];
    desc = SPI_tuptable->tupdesc;
    memset(info, 0, sizeof(*info));
    info->params.snapshot_id = (uint64_t)snapshot_id;
    info->params.snapshot_time_us = DatumGetInt64(SPI_getbinval(tup, desc, 11, &isnull));
    info->params.balance_bits = (uint32_t)DatumGetInt32(SPI_getbinval(tup, desc, 2, &isnull));
    info->params.price_scale = (uint32_t)DatumGetInt32(SPI_getbinval(tup, desc, 3, &isnull));
    info->params.batch_log2 = (uint32_t)DatumGetInt32(SPI_getbinval(tup, desc, 4, &isnull));
    info->params.leaf_count = (uint64_t)DatumGetInt64(SPI_getbinval(tup, desc, 5, &isnull));
    info->params.asset_count = (uint32_t)DatumGetInt32(SPI_getbinval(tup, desc, 6, &isnull));
    strlcpy(info->key_id, SPI_getvalue(tup, desc, 7), sizeof(info->key_id));
    info->proven = strcmp(SPI_getvalue(tup, desc, 8), "proven") == 0;
    info->account_count = (uint64_t)DatumGetInt64(SPI_getbinval(tup, desc, 10, &isnull));
    {
        Datum root = SPI_getbinval(tup, desc, 9, &isnull);
        if (!isnull)
            por_bytea_to_digest(DatumGetByteaPP(root), &info->root, "stored root");
    }

    if (SPI_execute_with_args("SELECT symbol, decimals, price_units, haircut FROM por.snapshot_assets"
                              " WHERE snapshot_id = $1 ORDER BY asset_no",
                              1, types, values, NULL, true, 0) != SPI_OK_SELECT)
        elog(ERROR, "por: reading the snapshot's assets failed");
    n = SPI_processed;
    if (n != info->params.asset_count)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("snapshot %" PRId64 " has %" PRIu64 " asset rows, expected %u", snapshot_id,
                               (uint64_t)n, info->params.asset_count)));
    info->params.assets = palloc0(sizeof(por_asset) * n);
    for (uint64 i = 0; i < n; i++) {
        por_asset *a = &info->params.assets[i];
        tup = SPI_tuptable->vals[i];
        desc = SPI_tuptable->tupdesc;
        strlcpy(a->symbol, SPI_getvalue(tup, desc, 1), sizeof(a->symbol));
        a->decimals = (uint32_t)DatumGetInt32(SPI_getbinval(tup, desc, 2, &isnull));
        a->price_units = numeric_datum_to_u64(SPI_getbinval(tup, desc, 3, &isnull));
        a->haircut = (uint32_t)DatumGetInt32(SPI_getbinval(tup, desc, 4, &isnull));
    }
}

/*
 * Leaves first .. first + count - 1 of a snapshot in leaf order: commitments
 * and balances (count rows of 2A); adds them into totals when not NULL.
 */
static void load_leaves(int64 snapshot_id, const por_params *params, uint64_t first, uint64_t count,
                        por_digest *commitments, uint64_t *balances, unsigned __int128 *totals)
{
    Oid types[3] = {INT8OID, INT8OID, INT8OID};
    Datum values[3] = {Int64GetDatum(snapshot_id), Int64GetDatum((int64)first), Int64GetDatum((int64)(first + count))};
    SPIPlanPtr plan = SPI_prepare("SELECT leaf_index, id_commitment, equity, debt FROM por.leaves"
                                  " WHERE snapshot_id = $1 AND leaf_index >= $2 AND leaf_index < $3"
                                  " ORDER BY leaf_index",
                                  3, types);
    Portal portal;
    uint64 next = 0;
    size_t A = params->asset_count;
    uint64_t limit = (uint64_t)1 << params->balance_bits;

    if (plan == NULL)
        elog(ERROR, "por: could not prepare the leaf query");
    /* not read-only: por_frozen_commit reads the rows its own transaction just wrote */
    portal = SPI_cursor_open(NULL, plan, values, NULL, false);
    for (;;) {
        SPI_cursor_fetch(portal, true, 10000);
        if (SPI_processed == 0)
            break;
        for (uint64 r = 0; r < SPI_processed; r++, next++) {
            HeapTuple tup = SPI_tuptable->vals[r];
            TupleDesc desc = SPI_tuptable->tupdesc;
            bool isnull;
            int64 index = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
            uint64_t *row = balances + next * 2 * A;
            CHECK_FOR_INTERRUPTS();
            if ((uint64)index != first + next || next >= count)
                ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                                errmsg("snapshot %" PRId64 " has a gap or excess in its leaves at index %" PRIu64,
                                       snapshot_id, first + next)));
            por_bytea_to_digest(DatumGetByteaPP(SPI_getbinval(tup, desc, 2, &isnull)), &commitments[next],
                                "id commitment");
            por_int8_array_to_u64(DatumGetArrayTypeP(SPI_getbinval(tup, desc, 3, &isnull)), A, row, "equity");
            por_int8_array_to_u64(DatumGetArrayTypeP(SPI_getbinval(tup, desc, 4, &isnull)), A, row + A, "debt");
            for (size_t a = 0; a < 2 * A; a++) {
                if (row[a] >= limit)
                    ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                                    errmsg("snapshot %" PRId64 " leaf %" PRIu64 " has a balance of 2^%u or more",
                                           snapshot_id, first + next, params->balance_bits)));
                if (totals != NULL)
                    totals[a] += row[a];
            }
        }
        SPI_freetuptable(SPI_tuptable);
    }
    SPI_cursor_close(portal);
    if (next != count)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("snapshot %" PRId64 " has %" PRIu64 " leaves in [%" PRIu64 ", %" PRIu64 "), expected %" PRIu64,
                               snapshot_id, (uint64_t)next, first, first + count, count)));
}

/* The stored totals must equal the sums over the leaves: a frozen snapshot never changes. */
static void check_totals(int64 snapshot_id, size_t A, const unsigned __int128 *totals)
{
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(snapshot_id)};
    if (SPI_execute_with_args("SELECT equity_total::text, debt_total::text, symbol FROM por.snapshot_assets"
                              " WHERE snapshot_id = $1 ORDER BY asset_no",
                              1, types, values, NULL, true, 0) != SPI_OK_SELECT || SPI_processed != A)
        elog(ERROR, "por: reading the snapshot's totals failed");
    for (size_t a = 0; a < A; a++) {
        for (int col = 0; col < 2; col++) {
            char *stored = SPI_getvalue(SPI_tuptable->vals[a], SPI_tuptable->tupdesc, col + 1);
            char *summed = DatumGetCString(DirectFunctionCall1(numeric_out, por_u128_to_numeric(totals[col * A + a])));
            if (strcmp(stored, summed) != 0)
                ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                                errmsg("snapshot %" PRId64 " changed after it was frozen", snapshot_id),
                                errdetail("Asset \"%s\": stored %s total %s, leaves add up to %s.",
                                          SPI_getvalue(SPI_tuptable->vals[a], SPI_tuptable->tupdesc, 3),
                                          col ? "debt" : "equity", stored, summed)));
        }
    }
}

static void store_level(int64 snapshot_id, unsigned level, const por_digest *nodes, uint64_t count)
{
    Size bytes = (Size)count * 32;
    bytea *blob = palloc_extended(VARHDRSZ + bytes, MCXT_ALLOC_HUGE);
    Oid types[3] = {INT8OID, INT4OID, BYTEAOID};
    Datum values[3];
    SET_VARSIZE(blob, VARHDRSZ + bytes);
    for (uint64_t i = 0; i < count; i++)
        por_digest_to_bytes(&nodes[i], (uint8_t *)VARDATA(blob) + i * 32);
    values[0] = Int64GetDatum(snapshot_id);
    values[1] = Int32GetDatum((int32)level);
    values[2] = PointerGetDatum(blob);
    if (SPI_execute_with_args("INSERT INTO por.tree_levels (snapshot_id, level, hashes) VALUES ($1, $2, $3)", 3,
                              types, values, NULL, false, 0) != SPI_OK_INSERT)
        elog(ERROR, "por: storing tree level %u failed", level);
    pfree(blob);
}

void por_tree_node_load(int64 snapshot_id, unsigned level, uint64_t index, por_digest *out)
{
    Oid types[3] = {INT8OID, INT4OID, INT8OID};
    Datum values[3] = {Int64GetDatum(snapshot_id), Int32GetDatum((int32)level), Int64GetDatum((int64)(index * 32 + 1))};
    bool isnull;
    if (SPI_execute_with_args("SELECT substring(hashes FROM $3::int FOR 32) FROM por.tree_levels"
                              " WHERE snapshot_id = $1 AND level = $2",
                              3, types, values, NULL, true, 1) != SPI_OK_SELECT ||
        SPI_processed != 1)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("snapshot %" PRId64 " has no tree level %u", snapshot_id, level)));
    por_bytea_to_digest(DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)), out,
                        "tree node");
}

void por_check_params_digest(int64 snapshot_id, const por_snapshot_info *info)
{
    Oid types[2] = {INT8OID, BYTEAOID};
    por_digest computed;
    Datum values[2];
    por_params_digest(&info->params, &computed);
    values[0] = Int64GetDatum(snapshot_id);
    values[1] = PointerGetDatum(por_digest_to_bytea(&computed));
    if (SPI_execute_with_args("SELECT 1 FROM por.snapshots WHERE snapshot_id = $1 AND params_digest = $2", 2, types,
                              values, NULL, true, 1) != SPI_OK_SELECT)
        elog(ERROR, "por: reading the params digest failed");
    if (SPI_processed != 1)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("snapshot %" PRId64 " changed after it was frozen", snapshot_id),
                        errdetail("Its parameters (prices, haircuts, decimals, shape) no longer hash to the stored params digest.")));
}

bool por_tree_stored(int64 snapshot_id)
{
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(snapshot_id)};
    if (SPI_execute_with_args("SELECT 1 FROM por.tree_levels WHERE snapshot_id = $1 LIMIT 1", 1, types, values, NULL,
                              true, 1) != SPI_OK_SELECT)
        elog(ERROR, "por: reading the tree levels failed");
    return SPI_processed > 0;
}

/* Leaves loaded and hashed between two interrupt checks (~0.1 s at 53 assets on 2 cores). */
#define POR_TREE_LEAF_CHUNK 16384

/*
 * The tree over a snapshot's leaves as they are stored now: every level, in
 * the current memory context.  Chunk by chunk, so a cancel is seen within a
 * fraction of a second and only one chunk of balances is in memory; adds the
 * balances into totals (2A, zeroed by the caller) when not NULL.
 */
static por_digest **tree_from_leaves(int64 snapshot_id, const por_params *params, por_pool *pool,
                                     unsigned __int128 *totals)
{
    size_t A = params->asset_count;
    uint64_t n = params->leaf_count;
    unsigned depth = por_tree_depth(n);
    uint64_t chunk = n < POR_TREE_LEAF_CHUNK ? n : POR_TREE_LEAF_CHUNK;
    por_digest *commitments = palloc(sizeof(por_digest) * chunk);
    uint64_t *balances = palloc(sizeof(uint64_t) * 2 * A * chunk);
    por_digest **levels = palloc(sizeof(por_digest *) * (depth + 1));

    for (unsigned h = 0; h <= depth; h++)
        levels[h] = palloc_extended(sizeof(por_digest) * por_tree_level_size(n, h), MCXT_ALLOC_HUGE);
    /* worker threads run only library code on memory allocated here */
    for (uint64_t start = 0; start < n; start += chunk) {
        uint64_t cnt = n - start < chunk ? n - start : chunk;
        CHECK_FOR_INTERRUPTS();
        load_leaves(snapshot_id, params, start, cnt, commitments, balances, totals);
        por_leaf_hash_many(pool, commitments, balances, cnt, A, levels[0] + start);
    }
    CHECK_FOR_INTERRUPTS();
    por_tree_build(pool, levels, n);
    pfree(commitments);
    pfree(balances);
    return levels;
}

/*
 * The keyed digest of a frozen commitment: HMAC with the master key over the
 * snapshot id, shape, params digest, root and batch roots.  Whoever can write
 * por's tables but cannot read the key file cannot forge it, so changing the
 * leaves and their commitment together (por_tree_agg recomputes any root), or
 * the prices and the params digest together, is still caught.
 */
static void frozen_mac(const por_params *params, const por_digest *root, const por_digest *batch_roots,
                       uint64_t batches, uint8_t mac[POR_COMMITMENT_MAC_BYTES], char key_id[17])
{
    uint8_t key[POR_MASTER_KEY_BYTES];
    Size len = 8 + 8 + 4 + 32 + 32 + (Size)batches * 32;
    uint8_t *msg = palloc_extended(len, MCXT_ALLOC_HUGE), *p = msg;
    por_digest params_digest;
    int rc;

    por_params_digest(params, &params_digest);
    for (int i = 0; i < 8; i++)
        *p++ = (uint8_t)(params->snapshot_id >> (8 * i));
    for (int i = 0; i < 8; i++)
        *p++ = (uint8_t)(params->leaf_count >> (8 * i));
    for (int i = 0; i < 4; i++)
        *p++ = (uint8_t)(params->batch_log2 >> (8 * i));
    por_digest_to_bytes(&params_digest, p);
    p += 32;
    por_digest_to_bytes(root, p);
    p += 32;
    for (uint64_t b = 0; b < batches; b++, p += 32)
        por_digest_to_bytes(&batch_roots[b], p);
    por_master_key_load(key, key_id);
    rc = por_commitment_mac(key, msg, len, mac);
    explicit_bzero(key, sizeof(key));
    pfree(msg);
    if (rc != 0)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("could not compute the frozen commitment's MAC")));
}

void por_frozen_commit(const por_params *params)
{
    MemoryContext work = AllocSetContextCreate(CurrentMemoryContext, "por frozen commitment", ALLOCSET_DEFAULT_SIZES);
    MemoryContext old = MemoryContextSwitchTo(work);
    int64 snapshot_id = (int64)params->snapshot_id;
    uint64_t batches = params->leaf_count >> params->batch_log2;
    unsigned depth = por_tree_depth(params->leaf_count);
    por_pool *pool = por_pool_create((unsigned)por_guc_threads);
    por_digest **volatile levels = NULL;
    uint8_t mac[POR_COMMITMENT_MAC_BYTES];
    char key_id[17];
    bytea *batch_roots = palloc_extended(VARHDRSZ + (Size)batches * 32, MCXT_ALLOC_HUGE);
    bytea *mac_bytes = palloc(VARHDRSZ + sizeof(mac));
    Oid types[4] = {INT8OID, BYTEAOID, BYTEAOID, BYTEAOID};
    Datum values[4];
    TimestampTz started = GetCurrentTimestamp();

    if (pool == NULL)
        ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("could not start worker threads")));
    PG_TRY();
    {
        levels = tree_from_leaves(snapshot_id, params, pool, NULL);
    }
    PG_FINALLY();
    {
        por_pool_destroy(pool);
    }
    PG_END_TRY();
    frozen_mac(params, &levels[depth][0], levels[params->batch_log2], batches, mac, key_id);
    SET_VARSIZE(batch_roots, VARHDRSZ + (Size)batches * 32);
    for (uint64_t b = 0; b < batches; b++)
        por_digest_to_bytes(&levels[params->batch_log2][b], (uint8_t *)VARDATA(batch_roots) + b * 32);
    SET_VARSIZE(mac_bytes, VARHDRSZ + sizeof(mac));
    memcpy(VARDATA(mac_bytes), mac, sizeof(mac));
    values[0] = Int64GetDatum(snapshot_id);
    values[1] = PointerGetDatum(por_digest_to_bytea(&levels[depth][0]));
    values[2] = PointerGetDatum(batch_roots);
    values[3] = PointerGetDatum(mac_bytes);
    if (SPI_execute_with_args("INSERT INTO por.snapshot_commitments (snapshot_id, root, batch_roots, mac)"
                              " VALUES ($1, $2, $3, $4)",
                              4, types, values, NULL, false, 0) != SPI_OK_INSERT)
        elog(ERROR, "por: storing the frozen commitment failed");
    elog(DEBUG1, "por: frozen commitment of snapshot %" PRId64 " (%" PRIu64 " leaves): %.3f s", snapshot_id,
         params->leaf_count, (double)(GetCurrentTimestamp() - started) / 1e6);
    MemoryContextSwitchTo(old);
    MemoryContextDelete(work);
}

void por_frozen_load(int64 snapshot_id, const por_snapshot_info *info, por_frozen *out, MemoryContext ctx)
{
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(snapshot_id)};
    uint64_t batches = info->params.leaf_count >> info->params.batch_log2;
    uint8_t mac[POR_COMMITMENT_MAC_BYTES];
    char key_id[17];
    bytea *roots, *stored_mac;
    bool isnull;

    if (SPI_execute_with_args("SELECT root, batch_roots, mac FROM por.snapshot_commitments WHERE snapshot_id = $1", 1,
                              types, values, NULL, true, 1) != SPI_OK_SELECT)
        elog(ERROR, "por: reading the frozen commitment failed");
    if (SPI_processed != 1)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("snapshot %" PRId64 " has no frozen commitment", snapshot_id),
                        errdetail("por_snapshot_create stores one with every snapshot; it was deleted, or the "
                                  "snapshot was frozen by por 1.0."),
                        errhint("Freeze a new snapshot of the ledger.")));
    out->batches = batches;
    out->batch_roots = MemoryContextAllocHuge(ctx, sizeof(por_digest) * Max(batches, 1));
    por_bytea_to_digest(DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)),
                        &out->root, "frozen root");
    roots = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
    stored_mac = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
    if (VARSIZE_ANY_EXHDR(roots) != batches * 32 ||
        VARSIZE_ANY_EXHDR(stored_mac) != POR_COMMITMENT_MAC_BYTES)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("the frozen commitment of snapshot %" PRId64 " is malformed", snapshot_id),
                        errdetail("%zu bytes of batch roots for %" PRIu64 " batches, a MAC of %zu bytes.",
                                  (size_t)VARSIZE_ANY_EXHDR(roots), batches, (size_t)VARSIZE_ANY_EXHDR(stored_mac))));
    for (uint64_t b = 0; b < batches; b++)
        if (por_digest_from_bytes((const uint8_t *)VARDATA_ANY(roots) + b * 32, &out->batch_roots[b]) != 0)
            ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                            errmsg("the frozen commitment of snapshot %" PRId64 " is malformed", snapshot_id),
                            errdetail("Batch root %" PRIu64 " is not a canonical digest.", b)));
    frozen_mac(&info->params, &out->root, out->batch_roots, batches, mac, key_id);
    if (strcmp(key_id, info->key_id) != 0)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("snapshot %" PRId64 " was frozen under master key %s, the server has key %s",
                               snapshot_id, info->key_id, key_id),
                        errdetail("Its frozen commitment is checked with the key it was frozen under."),
                        errhint("Restore the master key file of that snapshot (see docs/operations.md).")));
    /* compared without early exit: the MAC must not be found byte by byte.  The root and the batch
     * roots under a valid MAC are consistent: por_frozen_commit took both from one tree. */
    if (CRYPTO_memcmp(mac, VARDATA_ANY(stored_mac), sizeof(mac)) != 0)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("snapshot %" PRId64 " changed after it was frozen", snapshot_id),
                        errdetail("Its frozen commitment (root, batch roots, params digest) does not carry a valid MAC "
                                  "under the master key.")));
}

/* The recomputed tree must be the frozen one: names the first batch whose leaves changed. */
static void check_frozen(int64 snapshot_id, const por_params *params, const por_frozen *frozen,
                         por_digest *const *levels, const char *when)
{
    uint64_t size = (uint64_t)1 << params->batch_log2;
    for (uint64_t b = 0; b < frozen->batches; b++)
        if (memcmp(&levels[params->batch_log2][b], &frozen->batch_roots[b], sizeof(por_digest)) != 0)
            ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                            errmsg("snapshot %" PRId64 " changed after it was frozen", snapshot_id),
                            errdetail("The leaves of batch %" PRIu64 " (leaf_index %" PRIu64 " to %" PRIu64
                                      ") no longer hash to the batch root frozen by por_snapshot_create (%s).",
                                      b, b * size, (b + 1) * size - 1, when)));
}

/*
 * Every stored level must equal its recomputation from the frozen leaves:
 * inclusion proofs read their sibling hashes from these rows.  Names the
 * first differing level and node; a missing or extra level is an error too.
 */
static void check_stored_levels(int64 snapshot_id, const por_params *params, por_digest *const *levels)
{
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(snapshot_id)};
    unsigned depth = por_tree_depth(params->leaf_count);
    SPIPlanPtr plan = SPI_prepare("SELECT level, hashes FROM por.tree_levels WHERE snapshot_id = $1 ORDER BY level", 1,
                                  types);
    Portal portal;
    unsigned expected = 0;

    if (plan == NULL)
        elog(ERROR, "por: could not prepare the tree level query");
    portal = SPI_cursor_open(NULL, plan, values, NULL, false);
    for (;;) {
        bool isnull;
        int32 level;
        bytea *hashes;
        uint64_t count;
        SPI_cursor_fetch(portal, true, 1);
        if (SPI_processed == 0)
            break;
        CHECK_FOR_INTERRUPTS();
        level = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
        if (level < 0 || (unsigned)level != expected || expected > depth)
            ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                            errmsg("snapshot %" PRId64 " has a wrong set of tree levels", snapshot_id),
                            errdetail("Level %d found where level %u was expected (levels 0 to %u).", level, expected,
                                      depth)));
        hashes = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
        count = por_tree_level_size(params->leaf_count, expected);
        if (VARSIZE_ANY_EXHDR(hashes) != count * 32)
            ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                            errmsg("stored tree level %u of snapshot %" PRId64 " differs from its recomputation",
                                   expected, snapshot_id),
                            errdetail("It holds %zu bytes, expected %" PRIu64 " nodes of 32 bytes.",
                                      (size_t)VARSIZE_ANY_EXHDR(hashes), count)));
        for (uint64_t i = 0; i < count; i++) {
            uint8_t node[32];
            por_digest_to_bytes(&levels[expected][i], node);
            if (memcmp(node, (const uint8_t *)VARDATA_ANY(hashes) + i * 32, 32) != 0)
                ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                                errmsg("stored tree level %u of snapshot %" PRId64 " differs from its recomputation",
                                       expected, snapshot_id),
                                errdetail("First differing node: %" PRIu64 " of %" PRIu64 ".", i, count)));
        }
        expected++;
        SPI_freetuptable(SPI_tuptable);
    }
    SPI_cursor_close(portal);
    if (expected != depth + 1)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("snapshot %" PRId64 " has a wrong set of tree levels", snapshot_id),
                        errdetail("Levels 0 to %u are expected, level %u is missing.", depth, expected)));
}

void por_prove_tree(int64 snapshot_id, const por_snapshot_info *info, const por_frozen *frozen, por_pool *pool,
                    bool finishing)
{
    MemoryContext work = AllocSetContextCreate(CurrentMemoryContext, "por tree", ALLOCSET_DEFAULT_SIZES);
    MemoryContext old = MemoryContextSwitchTo(work);
    size_t A = info->params.asset_count;
    unsigned depth = por_tree_depth(info->params.leaf_count);
    unsigned __int128 *totals = palloc0(sizeof(unsigned __int128) * 2 * A);
    por_digest **levels = tree_from_leaves(snapshot_id, &info->params, pool, totals);

    check_totals(snapshot_id, A, totals);
    check_frozen(snapshot_id, &info->params, frozen, levels, finishing ? "checked before publishing" : "checked before proving");
    if (finishing || por_tree_stored(snapshot_id))
        check_stored_levels(snapshot_id, &info->params, levels);
    else
        for (unsigned h = 0; h <= depth; h++) {
            CHECK_FOR_INTERRUPTS();
            store_level(snapshot_id, h, levels[h], por_tree_level_size(info->params.leaf_count, h));
        }
    MemoryContextSwitchTo(old);
    MemoryContextDelete(work);
}

/* Field-element totals (lo, hi) -> numeric[] of lo + 2^32 hi. */
ArrayType *por_totals_to_numeric_array(const uint64_t (*totals)[2], size_t n)
{
    Datum *elems = palloc(sizeof(Datum) * n);
    for (size_t i = 0; i < n; i++)
        elems[i] = por_u128_to_numeric((unsigned __int128)totals[i][0] + ((unsigned __int128)totals[i][1] << 32));
    return construct_array(elems, (int)n, NUMERICOID, -1, false, TYPALIGN_INT);
}

/* Polled by the prover between its phases (from the backend's own thread): a
 * cancel or termination need not wait for the whole proof. */
bool por_interrupt_pending(void *ctx)
{
    return QueryCancelPending || ProcDiePending;
}

void por_prove_batch(int64 snapshot_id, const por_snapshot_info *info, const por_frozen *frozen,
                     const por_batch_prover *bp, por_pool *pool, uint64_t batch_no)
{
    size_t A = info->params.asset_count;
    uint64_t size = (uint64_t)1 << info->params.batch_log2;
    por_digest *commitments = palloc(sizeof(por_digest) * size);
    uint64_t *balances = palloc(sizeof(uint64_t) * 2 * A * size);
    por_witness *witness = NULL;
    por_batch_public expected;
    por_batch_proof envelope;
    const char *why = NULL;
    uint8_t *encoded;
    size_t encoded_len;
    TimestampTz started = GetCurrentTimestamp(), t_loaded, t_witness, t_proven;
    por_plonk_prove_opts opts = {0};
    int rc;

    load_leaves(snapshot_id, &info->params, batch_no * size, size, commitments, balances, NULL);
    t_loaded = GetCurrentTimestamp();
    if (por_batch_witness(bp->circuit, &info->params, commitments, balances, false, &witness, &expected, &why) != 0)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("batch %" PRIu64 " of snapshot %" PRId64 " cannot be proven", batch_no, snapshot_id),
                        errdetail("%s", why)));
    /* the leaves proven must be the leaves frozen: their subtree root is the frozen batch root */
    if (memcmp(&frozen->batch_roots[batch_no], &expected.root, sizeof(por_digest)) != 0) {
        por_witness_free(witness);
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("snapshot %" PRId64 " changed after it was frozen", snapshot_id),
                        errdetail("The leaves of batch %" PRIu64 " (leaf_index %" PRIu64 " to %" PRIu64
                                  ") no longer hash to the batch root frozen by por_snapshot_create (checked before "
                                  "proving the batch).",
                                  batch_no, batch_no * size, (batch_no + 1) * size - 1)));
    }

    memset(&envelope, 0, sizeof(envelope));
    opts.should_stop = por_interrupt_pending;
    t_witness = GetCurrentTimestamp();
    rc = por_batch_prove(bp->prover, bp->circuit, witness, pool, &opts, &expected, &envelope.proof, &why);
    t_proven = GetCurrentTimestamp();
    por_witness_free(witness);
    if (rc != 0) {
        por_plonk_proof_free(&envelope.proof);
        /* a stop on request: exits here through the pending cancel or termination */
        CHECK_FOR_INTERRUPTS();
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("proving batch %" PRIu64 " of snapshot %" PRId64 " failed", batch_no, snapshot_id),
                        errdetail("%s", why)));
    }
    envelope.snapshot_id = (uint64_t)snapshot_id;
    envelope.batch_no = batch_no;
    envelope.batch_log2 = info->params.batch_log2;
    envelope.asset_count = (uint32_t)A;
    envelope.balance_bits = info->params.balance_bits;
    envelope.statement = expected;
    encoded = por_batch_proof_encode(&envelope, &encoded_len);
    por_batch_proof_free(&envelope);
    if (encoded == NULL)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg("encoding the proof of batch %" PRIu64 " of snapshot %" PRId64 " failed", batch_no,
                               snapshot_id)));
    /* never store a proof that does not verify: decode what is stored and check it */
    {
        por_batch_proof decoded;
        memset(&decoded, 0, sizeof(decoded));
        rc = por_batch_proof_decode(encoded, encoded_len, &decoded, &why);
        if (rc == 0)
            rc = por_batch_proof_verify(&bp->vk, &decoded, &why);
        if (rc == 0 && !por_batch_public_equal(&decoded.statement, &expected)) {
            rc = -1;
            why = "the decoded statement differs from the expected one";
        }
        por_batch_proof_free(&decoded);
        if (rc != 0) {
            free(encoded);
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                            errmsg("the proof of batch %" PRIu64 " of snapshot %" PRId64 " does not verify", batch_no,
                                   snapshot_id),
                            errdetail("%s", why)));
        }
    }
    {
        bytea *proof = palloc(VARHDRSZ + encoded_len);
        TimestampTz t_checked = GetCurrentTimestamp();
        int64 ms = (t_checked - started) / 1000;
        Oid types[8] = {INT8OID, INT4OID, BYTEAOID, BYTEAOID, NUMERICARRAYOID, NUMERICARRAYOID, BYTEAOID, INT4OID};
        Datum values[8];
        SET_VARSIZE(proof, VARHDRSZ + encoded_len);
        memcpy(VARDATA(proof), encoded, encoded_len);
        free(encoded);
        values[0] = Int64GetDatum(snapshot_id);
        values[1] = Int32GetDatum((int32)batch_no);
        values[2] = PointerGetDatum(por_digest_to_bytea(&expected.root));
        values[3] = PointerGetDatum(por_digest_to_bytea(&expected.params_digest));
        values[4] = PointerGetDatum(por_totals_to_numeric_array((const uint64_t(*)[2])expected.totals, A));
        values[5] = PointerGetDatum(por_totals_to_numeric_array((const uint64_t(*)[2])expected.totals + A, A));
        values[6] = PointerGetDatum(proof);
        values[7] = Int32GetDatum((int32)(ms > INT32_MAX ? INT32_MAX : ms));
        if (SPI_execute_with_args("INSERT INTO por.batch_proofs (snapshot_id, batch_no, batch_root, params_digest,"
                                  " equity_totals, debt_totals, proof, prove_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                                  8, types, values, NULL, false, 0) != SPI_OK_INSERT)
            elog(ERROR, "por: storing the proof of batch %" PRIu64 " failed", batch_no);
        elog(DEBUG1, "por: batch %" PRIu64 " of snapshot %" PRId64 ": leaves %.3f s, witness %.3f s, proof %.3f s,"
             " encode and check %.3f s, %zu bytes",
             batch_no, snapshot_id, (double)(t_loaded - started) / 1e6, (double)(t_witness - t_loaded) / 1e6,
             (double)(t_proven - t_witness) / 1e6, (double)(t_checked - t_proven) / 1e6, encoded_len);
    }
    pfree(commitments);
    pfree(balances);
}

void por_missing_batch_proof(int64 snapshot_id, uint64_t batches, uint64_t batch_no)
{
    ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                    errmsg("snapshot %" PRId64 " does not have its %" PRIu64 " batch proofs", snapshot_id, batches),
                    errdetail("Batch %" PRIu64 " has none.", batch_no)));
}

void por_check_batch_proof(int64 snapshot_id, const por_snapshot_info *info, const por_frozen *frozen, int32 b,
                           uint64_t expected_no, bytea *raw, const por_digest *column_root, por_batch_proof *bp)
{
    size_t A = info->params.asset_count;
    por_digest params_digest;
    const char *why = NULL;

    por_params_digest(&info->params, &params_digest);
    memset(bp, 0, sizeof(*bp));
    if ((uint64_t)b != expected_no || expected_no >= frozen->batches)
        why = "a batch number past the snapshot's last batch";
    else if (por_batch_proof_decode((const uint8_t *)VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw), bp, &why) != 0)
        ;
    else if (bp->snapshot_id != (uint64_t)snapshot_id || bp->batch_no != expected_no ||
             bp->batch_log2 != info->params.batch_log2 || bp->asset_count != A ||
             bp->balance_bits != info->params.balance_bits)
        why = "the proof names another snapshot, batch or shape";
    else if (memcmp(&bp->statement.root, &frozen->batch_roots[expected_no], sizeof(por_digest)) != 0)
        why = "the proof's batch root is not the frozen batch root";
    else if (memcmp(&bp->statement.root, column_root, sizeof(por_digest)) != 0)
        why = "the batch_root column differs from the proof's batch root";
    else if (memcmp(&bp->statement.params_digest, &params_digest, sizeof(por_digest)) != 0)
        why = "the proof carries another params digest";
    if (why != NULL) {
        por_batch_proof_free(bp);
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("stored proof of batch %d of snapshot %" PRId64 " does not match the snapshot", b,
                               snapshot_id),
                        errdetail("%s.", why)));
    }
}

/*
 * The statements of the stored batch proofs, decoded from the proof bytes
 * themselves (the columns beside them are copies for SQL): one per batch, each
 * of this snapshot, batch and shape, proving the frozen batch root, carrying
 * the params digest and the root column.  Builds the root from the proven
 * batch roots.  Their totals need no check of their own: the circuit binds
 * them to the leaves under the batch root, which are the frozen leaves, whose
 * sums por_prove_tree compared with the stored totals.
 */
static void proven_batches(int64 snapshot_id, const por_snapshot_info *info, const por_frozen *frozen,
                           por_digest *root)
{
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(snapshot_id)};
    por_digest *roots = palloc_extended(sizeof(por_digest) * Max(frozen->batches, 1), MCXT_ALLOC_HUGE);
    SPIPlanPtr plan = SPI_prepare("SELECT batch_no, batch_root, proof FROM por.batch_proofs WHERE snapshot_id = $1"
                                  " ORDER BY batch_no",
                                  1, types);
    Portal portal;
    uint64_t next = 0;

    if (plan == NULL)
        elog(ERROR, "por: could not prepare the batch proof query");
    portal = SPI_cursor_open(NULL, plan, values, NULL, false);
    for (;;) {
        SPI_cursor_fetch(portal, true, 16);
        if (SPI_processed == 0)
            break;
        for (uint64 r = 0; r < SPI_processed; r++, next++) {
            HeapTuple tup = SPI_tuptable->vals[r];
            TupleDesc desc = SPI_tuptable->tupdesc;
            bool isnull;
            int32 b = DatumGetInt32(SPI_getbinval(tup, desc, 1, &isnull));
            bytea *raw = DatumGetByteaPP(SPI_getbinval(tup, desc, 3, &isnull));
            por_digest column_root;
            por_batch_proof bp;
            CHECK_FOR_INTERRUPTS();
            por_bytea_to_digest(DatumGetByteaPP(SPI_getbinval(tup, desc, 2, &isnull)), &column_root, "batch root");
            if ((uint64_t)b > next && next < frozen->batches)
                por_missing_batch_proof(snapshot_id, frozen->batches, next);
            por_check_batch_proof(snapshot_id, info, frozen, b, next, raw, &column_root, &bp);
            roots[next] = bp.statement.root;
            por_batch_proof_free(&bp);
        }
        SPI_freetuptable(SPI_tuptable);
    }
    SPI_cursor_close(portal);
    if (next < frozen->batches)
        por_missing_batch_proof(snapshot_id, frozen->batches, next);
    por_tree_root_from_batch_roots(roots, frozen->batches, info->params.batch_log2, root);
    pfree(roots);
}

/* The columns beside the proofs (what por_batch_proofs shows) must say what the proofs say. */
static void check_proof_columns(int64 snapshot_id, const por_params *params)
{
    Oid types[2] = {INT8OID, BYTEAOID};
    por_digest params_digest;
    Datum values[2];
    por_params_digest(params, &params_digest);
    values[0] = Int64GetDatum(snapshot_id);
    values[1] = PointerGetDatum(por_digest_to_bytea(&params_digest));
    if (SPI_execute_with_args("SELECT a.symbol FROM por.snapshot_assets a,"
                              " LATERAL (SELECT sum(b.equity_totals[a.asset_no + 1]) AS e, sum(b.debt_totals[a.asset_no + 1]) AS d,"
                              "                 bool_or(b.params_digest <> $2) AS other_digest"
                              "            FROM por.batch_proofs b WHERE b.snapshot_id = $1) s"
                              " WHERE a.snapshot_id = $1 AND ((a.equity_total, a.debt_total) IS DISTINCT FROM (s.e, s.d)"
                              "                               OR s.other_digest)"
                              " ORDER BY a.asset_no LIMIT 1",
                              2, types, values, NULL, false, 1) != SPI_OK_SELECT)
        elog(ERROR, "por: comparing the batch proof columns failed");
    if (SPI_processed > 0)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("the batch proof rows of snapshot %" PRId64 " do not match its proofs", snapshot_id),
                        errdetail("Their totals of asset \"%s\" or their params digest column differ.",
                                  SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1))));
}

void por_prove_finish(int64 snapshot_id, const por_snapshot_info *info, const por_frozen *frozen,
                      TimestampTz started, TimestampTz tree_done, TimestampTz batches_done,
                      TimestampTz aggregation_done, const por_agg_public *final_statement, const char *agg_detail,
                      const char *run_by)
{
    uint64_t batches = frozen->batches;
    unsigned depth = por_tree_depth(info->params.leaf_count);
    por_digest root;

    /* every batch proof is this snapshot's and proves its frozen batch root */
    proven_batches(snapshot_id, info, frozen, &root);
    check_proof_columns(snapshot_id, &info->params);
    /* the root published is the final proof's (por_final_check: equal to the frozen root) */
    if (memcmp(&root, &final_statement->node.root, sizeof(root)) != 0)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("the final proof of snapshot %" PRId64 " and its batch proofs prove different roots",
                               snapshot_id)));
    root = final_statement->node.root;
    {
        Oid rtypes[2] = {INT8OID, BYTEAOID};
        Datum rvalues[2] = {Int64GetDatum(snapshot_id), PointerGetDatum(por_digest_to_bytea(&root))};
        TimestampTz now = GetCurrentTimestamp();
        char *detail = psprintf("{\"leaves\": %" PRIu64 ", \"depth\": %u, \"batches\": %" PRIu64
                                ", \"batch_log2\": %u, \"seconds\": %.3f, \"tree_seconds\": %.3f,"
                                " \"batch_seconds\": %.3f, \"aggregation_seconds\": %.3f, \"finish_seconds\": %.3f, %s,"
                                " \"worker_pid\": %d}",
                                info->params.leaf_count, depth, batches, info->params.batch_log2,
                                (double)(now - started) / 1e6, (double)(tree_done - started) / 1e6,
                                (double)(batches_done - tree_done) / 1e6,
                                (double)(aggregation_done - batches_done) / 1e6, (double)(now - aggregation_done) / 1e6,
                                agg_detail, MyProcPid);
        Oid ltypes[4] = {INT8OID, TIMESTAMPTZOID, TEXTOID, TEXTOID};
        Datum lvalues[4] = {Int64GetDatum(snapshot_id), TimestampTzGetDatum(started), CStringGetTextDatum(detail),
                            CStringGetTextDatum(run_by)};
        if (SPI_execute_with_args("UPDATE por.snapshots SET status = 'proven', root = $2, proven_at = clock_timestamp()"
                                  " WHERE snapshot_id = $1",
                                  2, rtypes, rvalues, NULL, false, 0) != SPI_OK_UPDATE)
            elog(ERROR, "por: recording the root failed");
        if (SPI_execute_with_args("INSERT INTO por.run_log (snapshot_id, action, started_at, detail, run_by, outcome)"
                                  " VALUES ($1, 'prove', $2, $3::jsonb, $4, 'success')",
                                  4, ltypes, lvalues, NULL, false, 0) != SPI_OK_INSERT)
            elog(ERROR, "por: writing the run log failed");
    }
}
