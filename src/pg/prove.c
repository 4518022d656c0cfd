/*
 * The proving work of por_prove, run by its background worker (worker.c),
 * each step in a transaction of its own so finished work survives a cancel
 * or a crash: the tree (leaf hashes and levels), one zero-knowledge proof
 * per batch, and the final check that marks the snapshot proven.  Also the
 * snapshot and tree readers shared with the other glue modules.
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

#include "por/batch_proof.h"
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

/* Leaves hashed between two interrupt checks (~0.1 s at 53 assets on 2 cores). */
#define POR_TREE_LEAF_CHUNK 16384

void por_prove_tree(int64 snapshot_id, const por_snapshot_info *info, por_pool *pool)
{
    MemoryContext work = AllocSetContextCreate(CurrentMemoryContext, "por tree", ALLOCSET_DEFAULT_SIZES);
    MemoryContext old = MemoryContextSwitchTo(work);
    size_t A = info->params.asset_count;
    uint64_t n = info->params.leaf_count;
    por_digest *commitments = MemoryContextAllocHuge(work, sizeof(por_digest) * n);
    uint64_t *balances = MemoryContextAllocHuge(work, sizeof(uint64_t) * 2 * A * n);
    unsigned __int128 *totals = palloc0(sizeof(unsigned __int128) * 2 * A);
    unsigned depth = por_tree_depth(n);
    por_digest **levels = palloc(sizeof(por_digest *) * (depth + 1));

    load_leaves(snapshot_id, &info->params, 0, n, commitments, balances, totals);
    check_totals(snapshot_id, A, totals);
    for (unsigned h = 0; h <= depth; h++)
        levels[h] = MemoryContextAllocHuge(work, sizeof(por_digest) * por_tree_level_size(n, h));
    /* worker threads run only library code on memory allocated here; in
     * chunks, so a cancel is seen within a fraction of a second even for
     * millions of leaves (the levels above cost 1/(A/4) of the leaves) */
    for (uint64_t start = 0; start < n; start += POR_TREE_LEAF_CHUNK) {
        uint64_t cnt = n - start < POR_TREE_LEAF_CHUNK ? n - start : POR_TREE_LEAF_CHUNK;
        CHECK_FOR_INTERRUPTS();
        por_leaf_hash_many(pool, commitments + start, balances + start * 2 * A, cnt, A, levels[0] + start);
    }
    CHECK_FOR_INTERRUPTS();
    por_tree_build(pool, levels, n);
    CHECK_FOR_INTERRUPTS();
    for (unsigned h = 0; h <= depth; h++) {
        CHECK_FOR_INTERRUPTS();
        store_level(snapshot_id, h, levels[h], por_tree_level_size(n, h));
    }
    MemoryContextSwitchTo(old);
    MemoryContextDelete(work);
}

/* Field-element totals (lo, hi) -> numeric[] of lo + 2^32 hi. */
static ArrayType *totals_to_numeric_array(const uint64_t (*totals)[2], size_t n)
{
    Datum *elems = palloc(sizeof(Datum) * n);
    for (size_t i = 0; i < n; i++)
        elems[i] = por_u128_to_numeric((unsigned __int128)totals[i][0] + ((unsigned __int128)totals[i][1] << 32));
    return construct_array(elems, (int)n, NUMERICOID, -1, false, TYPALIGN_INT);
}

/* Polled by the prover between its phases (from the backend's own thread): a
 * cancel or termination need not wait for the whole proof. */
static bool interrupt_pending(void *ctx)
{
    return QueryCancelPending || ProcDiePending;
}

void por_prove_batch(int64 snapshot_id, const por_snapshot_info *info, const por_batch_prover *bp, por_pool *pool,
                     uint64_t batch_no)
{
    size_t A = info->params.asset_count;
    uint64_t size = (uint64_t)1 << info->params.batch_log2;
    por_digest *commitments = palloc(sizeof(por_digest) * size);
    uint64_t *balances = palloc(sizeof(uint64_t) * 2 * A * size);
    por_witness *witness = NULL;
    por_batch_public expected;
    por_batch_proof envelope;
    por_digest tree_node;
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
    /* the batch proven must be the subtree the published tree holds */
    por_tree_node_load(snapshot_id, info->params.batch_log2, batch_no, &tree_node);
    if (memcmp(&tree_node, &expected.root, sizeof(por_digest)) != 0) {
        por_witness_free(witness);
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("batch %" PRIu64 " of snapshot %" PRId64 " does not match the stored tree", batch_no,
                               snapshot_id),
                        errdetail("The leaves hash to a different subtree root than tree level %u holds.",
                                  info->params.batch_log2)));
    }

    memset(&envelope, 0, sizeof(envelope));
    opts.should_stop = interrupt_pending;
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
        values[4] = PointerGetDatum(totals_to_numeric_array((const uint64_t(*)[2])expected.totals, A));
        values[5] = PointerGetDatum(totals_to_numeric_array((const uint64_t(*)[2])expected.totals + A, A));
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

void por_prove_finish(int64 snapshot_id, const por_snapshot_info *info, TimestampTz started, TimestampTz tree_done,
                      const char *run_by)
{
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(snapshot_id)};
    uint64_t batches = info->params.leaf_count >> info->params.batch_log2;
    unsigned depth = por_tree_depth(info->params.leaf_count);
    por_digest root, params_digest;
    bool isnull;

    if (SPI_execute_with_args("SELECT count(*) FROM por.batch_proofs WHERE snapshot_id = $1", 1, types, values, NULL,
                              false, 1) != SPI_OK_SELECT)
        elog(ERROR, "por: counting batch proofs failed");
    if ((uint64_t)DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)) != batches)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("snapshot %" PRId64 " does not have its %" PRIu64 " batch proofs", snapshot_id, batches)));
    /* the proven totals (sums of the batch statements) must be the frozen totals */
    if (SPI_execute_with_args("SELECT a.symbol FROM por.snapshot_assets a,"
                              " LATERAL (SELECT sum(b.equity_totals[a.asset_no + 1]) AS e, sum(b.debt_totals[a.asset_no + 1]) AS d"
                              "            FROM por.batch_proofs b WHERE b.snapshot_id = $1) s"
                              " WHERE a.snapshot_id = $1 AND (a.equity_total, a.debt_total) IS DISTINCT FROM (s.e, s.d)"
                              " ORDER BY a.asset_no LIMIT 1",
                              1, types, values, NULL, false, 1) != SPI_OK_SELECT)
        elog(ERROR, "por: comparing the proven totals failed");
    if (SPI_processed > 0)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("the batch proofs of snapshot %" PRId64 " do not add up to its totals", snapshot_id),
                        errdetail("Asset \"%s\" differs.", SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1))));
    /* every batch proof carries the snapshot's params digest */
    por_params_digest(&info->params, &params_digest);
    {
        Oid ptypes[2] = {INT8OID, BYTEAOID};
        Datum pvalues[2] = {Int64GetDatum(snapshot_id), PointerGetDatum(por_digest_to_bytea(&params_digest))};
        if (SPI_execute_with_args("SELECT batch_no FROM por.batch_proofs WHERE snapshot_id = $1 AND params_digest <> $2"
                                  " LIMIT 1",
                                  2, ptypes, pvalues, NULL, false, 1) != SPI_OK_SELECT)
            elog(ERROR, "por: comparing params digests failed");
        if (SPI_processed > 0)
            ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                            errmsg("a batch proof of snapshot %" PRId64 " carries another params digest", snapshot_id)));
    }
    por_tree_node_load(snapshot_id, depth, 0, &root);
    {
        Oid rtypes[2] = {INT8OID, BYTEAOID};
        Datum rvalues[2] = {Int64GetDatum(snapshot_id), PointerGetDatum(por_digest_to_bytea(&root))};
        TimestampTz now = GetCurrentTimestamp();
        char *detail = psprintf("{\"leaves\": %" PRIu64 ", \"depth\": %u, \"batches\": %" PRIu64
                                ", \"batch_log2\": %u, \"seconds\": %.3f, \"tree_seconds\": %.3f,"
                                " \"batch_seconds\": %.3f}",
                                info->params.leaf_count, depth, batches, info->params.batch_log2,
                                (double)(now - started) / 1e6, (double)(tree_done - started) / 1e6,
                                (double)(now - tree_done) / 1e6);
        Oid ltypes[4] = {INT8OID, TIMESTAMPTZOID, TEXTOID, TEXTOID};
        Datum lvalues[4] = {Int64GetDatum(snapshot_id), TimestampTzGetDatum(started), CStringGetTextDatum(detail),
                            CStringGetTextDatum(run_by)};
        if (SPI_execute_with_args("UPDATE por.snapshots SET status = 'proven', root = $2, proven_at = clock_timestamp()"
                                  " WHERE snapshot_id = $1",
                                  2, rtypes, rvalues, NULL, false, 0) != SPI_OK_UPDATE)
            elog(ERROR, "por: recording the root failed");
        if (SPI_execute_with_args("INSERT INTO por.run_log (snapshot_id, action, started_at, detail, run_by)"
                                  " VALUES ($1, 'prove', $2, $3::jsonb, $4)",
                                  4, ltypes, lvalues, NULL, false, 0) != SPI_OK_INSERT)
            elog(ERROR, "por: writing the run log failed");
    }
}
