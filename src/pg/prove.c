/*
 * por_prove: hashes a frozen snapshot's leaves, builds its Merkle tree and
 * stores the levels and the root.  Serialized per snapshot by an advisory
 * lock; a proven snapshot returns its stored root unchanged.
 */
#include "postgres.h"

#include <inttypes.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "leaves.h"
#include "por_pg.h"
#include "threadpool.h"
#include "tree.h"

/* Key space of por's advisory locks: "por" */
#define POR_LOCK_CLASS 0x706f72

void por_lock_snapshot(int64 snapshot_id)
{
    Oid types[2] = {INT4OID, INT4OID};
    Datum values[2] = {Int32GetDatum(POR_LOCK_CLASS), Int32GetDatum((int32)snapshot_id)};
    /* two-key form: class + snapshot id (ids beyond 2^31 share locks, which only serializes more) */
    if (SPI_execute_with_args("SELECT pg_advisory_xact_lock($1, $2)", 2, types, values, NULL, false, 1) != SPI_OK_SELECT)
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

/* Leaves of a snapshot in leaf order: commitments and balances (n rows of 2A). */
static void load_leaves(int64 snapshot_id, const por_params *params, por_digest *commitments, uint64_t *balances,
                        unsigned __int128 *totals)
{
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(snapshot_id)};
    SPIPlanPtr plan = SPI_prepare("SELECT leaf_index, id_commitment, equity, debt FROM por.leaves"
                                  " WHERE snapshot_id = $1 ORDER BY leaf_index",
                                  1, types);
    Portal portal;
    uint64 next = 0;
    size_t A = params->asset_count;
    uint64_t limit = (uint64_t)1 << params->balance_bits;

    if (plan == NULL)
        elog(ERROR, "por: could not prepare the leaf query");
    portal = SPI_cursor_open(NULL, plan, values, NULL, true);
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
            if ((uint64)index != next || next >= params->leaf_count)
                ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                                errmsg("snapshot %" PRId64 " has a gap or excess in its leaves at index %" PRIu64,
                                       snapshot_id, (uint64_t)next)));
            por_bytea_to_digest(DatumGetByteaPP(SPI_getbinval(tup, desc, 2, &isnull)), &commitments[next],
                                "id commitment");
            por_int8_array_to_u64(DatumGetArrayTypeP(SPI_getbinval(tup, desc, 3, &isnull)), A, row, "equity");
            por_int8_array_to_u64(DatumGetArrayTypeP(SPI_getbinval(tup, desc, 4, &isnull)), A, row + A, "debt");
            for (size_t a = 0; a < 2 * A; a++) {
                if (row[a] >= limit)
                    ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                                    errmsg("snapshot %" PRId64 " leaf %" PRIu64 " has a balance of 2^%u or more",
                                           snapshot_id, (uint64_t)next, params->balance_bits)));
                totals[a] += row[a];
            }
        }
        SPI_freetuptable(SPI_tuptable);
    }
    SPI_cursor_close(portal);
    if (next != params->leaf_count)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("snapshot %" PRId64 " has %" PRIu64 " leaves, expected %" PRIu64, snapshot_id,
                               (uint64_t)next, params->leaf_count)));
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

PG_FUNCTION_INFO_V1(por_prove);
/* por_prove(snapshot_id bigint) RETURNS bytea: the root. */
Datum por_prove(PG_FUNCTION_ARGS)
{
    int64 snapshot_id = PG_GETARG_INT64(0);
    MemoryContext caller_ctx = CurrentMemoryContext, work;
    por_snapshot_info info;
    por_owner_switch sw;
    por_digest *commitments, **levels;
    uint64_t *balances;
    unsigned __int128 *totals;
    unsigned depth;
    size_t A;
    bytea *result;
    TimestampTz started = GetCurrentTimestamp();
    char *caller = GetUserNameFromId(GetUserId(), false);
    por_pool *pool;

    work = AllocSetContextCreate(CurrentMemoryContext, "por prove", ALLOCSET_DEFAULT_SIZES);
    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "por: SPI_connect failed");
    MemoryContextSwitchTo(work);
    por_become_owner(&sw);
    por_lock_snapshot(snapshot_id);
    por_snapshot_load(snapshot_id, &info);
    if (info.proven) {
        por_restore_user(&sw);
        MemoryContextSwitchTo(caller_ctx);
        result = por_digest_to_bytea(&info.root);
        SPI_finish();
        MemoryContextDelete(work);
        PG_RETURN_BYTEA_P(result);
    }

    A = info.params.asset_count;
    commitments = MemoryContextAllocHuge(work, sizeof(por_digest) * info.params.leaf_count);
    balances = MemoryContextAllocHuge(work, sizeof(uint64_t) * 2 * A * info.params.leaf_count);
    totals = palloc0(sizeof(unsigned __int128) * 2 * A);
    load_leaves(snapshot_id, &info.params, commitments, balances, totals);
    check_totals(snapshot_id, A, totals);

    depth = por_tree_depth(info.params.leaf_count);
    levels = palloc(sizeof(por_digest *) * (depth + 1));
    for (unsigned h = 0; h <= depth; h++)
        levels[h] = MemoryContextAllocHuge(work, sizeof(por_digest) * por_tree_level_size(info.params.leaf_count, h));

    /* worker threads run only library code on memory allocated here */
    pool = por_pool_create((unsigned)por_threads);
    if (pool == NULL)
        ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("could not start worker threads")));
    por_leaf_hash_many(pool, commitments, balances, info.params.leaf_count, A, levels[0]);
    CHECK_FOR_INTERRUPTS();
    por_tree_build(pool, levels, info.params.leaf_count);
    por_pool_destroy(pool);
    CHECK_FOR_INTERRUPTS();

    for (unsigned h = 0; h <= depth; h++) {
        CHECK_FOR_INTERRUPTS();
        store_level(snapshot_id, h, levels[h], por_tree_level_size(info.params.leaf_count, h));
    }
    {
        Oid types[2] = {INT8OID, BYTEAOID};
        Datum values[2] = {Int64GetDatum(snapshot_id), PointerGetDatum(por_digest_to_bytea(&levels[depth][0]))};
        char *detail = psprintf("{\"leaves\": %" PRIu64 ", \"depth\": %u, \"seconds\": %.3f}", info.params.leaf_count,
                                depth, (double)(GetCurrentTimestamp() - started) / 1e6);
        Oid ltypes[4] = {INT8OID, TIMESTAMPTZOID, TEXTOID, TEXTOID};
        Datum lvalues[4] = {Int64GetDatum(snapshot_id), TimestampTzGetDatum(started), CStringGetTextDatum(detail),
                            CStringGetTextDatum(caller)};
        if (SPI_execute_with_args("UPDATE por.snapshots SET status = 'proven', root = $2, proven_at = clock_timestamp()"
                                  " WHERE snapshot_id = $1",
                                  2, types, values, NULL, false, 0) != SPI_OK_UPDATE)
            elog(ERROR, "por: recording the root failed");
        if (SPI_execute_with_args("INSERT INTO por.run_log (snapshot_id, action, started_at, detail, run_by)"
                                  " VALUES ($1, 'prove', $2, $3::jsonb, $4)",
                                  4, ltypes, lvalues, NULL, false, 0) != SPI_OK_INSERT)
            elog(ERROR, "por: writing the run log failed");
    }
    por_restore_user(&sw);
    MemoryContextSwitchTo(caller_ctx);
    result = por_digest_to_bytea(&levels[depth][0]);
    SPI_finish();
    MemoryContextDelete(work);
    PG_RETURN_BYTEA_P(result);
}
