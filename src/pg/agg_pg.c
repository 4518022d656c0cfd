/*
 * The aggregation phase of por_prove (issue 14), run by its background
 * worker after the batch proofs: one aggregation proof per node of the tree
 * of batches (agg/agg.h), each in a transaction of its own and stored in
 * por.aggregation_proofs, so a canceled or crashed run keeps every finished
 * node, then the compression proof of the top node (compress.h) as the row
 * one level above it; then the check of the final proof (the compression
 * proof) against the
 * frozen commitment, the stored totals and the params digest before the
 * snapshot is marked proven.
 */
#include "postgres.h"

#include <inttypes.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "agg/compress.h"
#include "agg/final_proof.h"
#include "por_pg.h"

/*
 * Finished nodes of the snapshot at fan-in 2^f; rows made at another fan-in
 * (a run before the setting changed) belong to another tree and are deleted.
 * Inside a worker transaction.
 */
uint64_t por_agg_nodes_stored(int64 snapshot_id, unsigned fan_in_log2)
{
    Oid types[2] = {INT8OID, INT4OID};
    Datum values[2] = {Int64GetDatum(snapshot_id), Int32GetDatum((int32)fan_in_log2)};
    bool isnull;
    if (SPI_execute_with_args("DELETE FROM por.aggregation_proofs WHERE snapshot_id = $1 AND fan_in_log2 <> $2", 2,
                              types, values, NULL, false, 0) != SPI_OK_DELETE ||
        SPI_execute_with_args("SELECT count(*) FROM por.aggregation_proofs WHERE snapshot_id = $1 AND fan_in_log2 = $2",
                              2, types, values, NULL, false, 1) != SPI_OK_SELECT)
        elog(ERROR, "por: reading the aggregation proofs failed");
    return (uint64_t)DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/* The F (at most) children of node `index` of `level`, NULL past the end of the level below. */
typedef struct {
    por_batch_proof batch[1u << POR_AGG_MAX_FAN_IN_LOG2];
    por_plonk_proof node[1u << POR_AGG_MAX_FAN_IN_LOG2];
    const por_plonk_proof *child[1u << POR_AGG_MAX_FAN_IN_LOG2];
} agg_children;

static void children_free(agg_children *c)
{
    for (unsigned i = 0; i < (1u << POR_AGG_MAX_FAN_IN_LOG2); i++) {
        por_batch_proof_free(&c->batch[i]);
        por_plonk_proof_free(&c->node[i]);
    }
}

/*
 * Reads the children from por.batch_proofs (level 1: each checked against
 * the snapshot and its frozen batch root, so a wrong row is named as in the
 * final check) or the level below; every position below the end of the
 * level below must have its proof.  Above level 1 the children's statements
 * need no check here: por_agg_prove_node checks them natively and the
 * circuit verifies each under its pinned key.
 */
static void children_load(int64 snapshot_id, const por_snapshot_info *info, const por_frozen *frozen,
                          const por_agg_keys *keys, uint64_t batches, unsigned level, uint64_t index, agg_children *c)
{
    unsigned F = 1u << keys->shape.fan_in_log2;
    uint64_t below = por_agg_level_size(batches, keys->shape.fan_in_log2, level - 1);
    uint64_t first = index * F, end = Min(first + F, below);
    Oid types[5] = {INT8OID, INT8OID, INT8OID, INT4OID, INT4OID};
    Datum values[5] = {Int64GetDatum(snapshot_id), Int64GetDatum((int64)first), Int64GetDatum((int64)end),
                       Int32GetDatum((int32)(level - 1)), Int32GetDatum((int32)keys->shape.fan_in_log2)};
    const char *sql = level == 1
        ? "SELECT batch_no::bigint, proof, batch_root FROM por.batch_proofs WHERE snapshot_id = $1 AND batch_no >= $2"
          " AND batch_no < $3 ORDER BY batch_no"
        : "SELECT node_index::bigint, proof FROM por.aggregation_proofs WHERE snapshot_id = $1 AND node_index >= $2"
          " AND node_index < $3 AND level = $4 AND fan_in_log2 = $5 ORDER BY node_index";
    uint64_t next = first;

    memset(c, 0, sizeof(*c));
    if (SPI_execute_with_args(sql, level == 1 ? 3 : 5, types, values, NULL, false, 0) != SPI_OK_SELECT)
        elog(ERROR, "por: reading the children of aggregation node %u/%" PRIu64 " failed", level, index);
    for (uint64 r = 0; r < SPI_processed; r++, next++) {
        bool isnull;
        int64 at = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1, &isnull));
        bytea *raw = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2, &isnull));
        const char *why = NULL;
        unsigned pos = (unsigned)(next - first);
        int rc;
        if ((uint64_t)at != next)
            break;
        if (level == 1) {
            por_digest column_root;
            por_bytea_to_digest(DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 3,
                                                              &isnull)),
                                &column_root, "batch root");
            PG_TRY();
            {
                por_check_batch_proof(snapshot_id, info, frozen, (int32)at, next, raw, &column_root, &c->batch[pos]);
            }
            PG_CATCH();
            {
                children_free(c);
                PG_RE_THROW();
            }
            PG_END_TRY();
            c->child[pos] = &c->batch[pos].proof;
            continue;
        }
        rc = por_plonk_proof_deserialize((const uint8_t *)VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw), &c->node[pos],
                                         &why);
        if (rc != 0) {
            children_free(c);
            ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                            errmsg("stored aggregation proof %" PRIu64 " of level %u of snapshot %" PRId64
                                   " is malformed",
                                   next, level - 1, snapshot_id),
                            errdetail("%s.", why ? why : "unknown reason")));
        }
        c->child[pos] = &c->node[pos];
    }
    if (next != end) {
        children_free(c);
        if (level == 1)
            por_missing_batch_proof(snapshot_id, batches, next);
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("snapshot %" PRId64 " has no proof of node %" PRIu64 " of level %u", snapshot_id, next,
                               level - 1),
                        errdetail("Aggregation node %" PRIu64 " of level %u needs the nodes %" PRIu64 " to %" PRIu64 ".",
                                  index, level, first, end - 1)));
    }
}

static void store_checked(int64 snapshot_id, const por_agg_keys *keys, unsigned level, uint64_t index,
                          por_plonk_proof *proof, const por_agg_public *stmt, TimestampTz started);
static bool row_stored(int64 snapshot_id, unsigned level, uint64_t index, unsigned fan_in_log2);

bool por_prove_agg_node(int64 snapshot_id, const por_snapshot_info *info, const por_frozen *frozen,
                        const por_agg_keys *keys, por_pool *pool, unsigned level, uint64_t index)
{
    uint64_t batches = info->params.leaf_count >> info->params.batch_log2;
    agg_children c;
    por_plonk_proof proof;
    por_agg_public stmt;
    por_plonk_prove_opts opts = {0};
    const char *why = NULL;
    TimestampTz started = GetCurrentTimestamp();
    int rc;

    if (row_stored(snapshot_id, level, index, keys->shape.fan_in_log2))
        return false;

    children_load(snapshot_id, info, frozen, keys, batches, level, index, &c);
    memset(&proof, 0, sizeof(proof));
    opts.should_stop = por_interrupt_pending;
    rc = por_agg_prove_node(keys, level, index, &info->params, c.child, pool, &opts, &proof, &stmt, &why);
    children_free(&c);
    if (rc != 0) {
        por_plonk_proof_free(&proof);
        CHECK_FOR_INTERRUPTS(); /* a stop on request leaves through the pending cancel */
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("proving aggregation node %" PRIu64 " of level %u of snapshot %" PRId64 " failed",
                               index, level, snapshot_id),
                        errdetail("%s", why ? why : "unknown reason")));
    }
    store_checked(snapshot_id, keys, level, index, &proof, &stmt, started);
    return true;
}

/*
 * Stores proof (freed here) as row (level, index) after checking the bytes
 * stored: they decode and verify (under the level's key, or the compression
 * key at level T + 1) with the statement computed.  Never stores a proof
 * that does not verify.
 */
static void store_checked(int64 snapshot_id, const por_agg_keys *keys, unsigned level, uint64_t index,
                          por_plonk_proof *proof, const por_agg_public *stmt, TimestampTz started)
{
    size_t A = keys->shape.asset_count;
    por_plonk_proof decoded;
    por_agg_public checked;
    const char *why = NULL;
    uint8_t *encoded = NULL;
    size_t encoded_len = 0;
    Oid types[10] = {INT8OID, INT4OID, INT4OID, INT4OID, BYTEAOID, BYTEAOID, NUMERICARRAYOID, NUMERICARRAYOID,
                     BYTEAOID, INT4OID};
    Datum values[10];
    int rc = 0;

    memset(&decoded, 0, sizeof(decoded));
    if (por_plonk_proof_serialize(proof, &encoded, &encoded_len) != 0) {
        rc = -1;
        why = "out of memory";
    }
    por_plonk_proof_free(proof);
    if (rc == 0)
        rc = por_plonk_proof_deserialize(encoded, encoded_len, &decoded, &why);
    if (rc == 0)
        rc = level > keys->levels ? por_agg_verify_compress(keys, &decoded, &checked, &why)
                                  : por_agg_verify_node(keys, level, &decoded, &checked, &why);
    if (rc == 0 && !por_agg_public_equal(&checked, stmt)) {
        rc = -1;
        why = "the verified statement differs from the computed one";
    }
    por_plonk_proof_free(&decoded);
    if (rc != 0) {
        free(encoded);
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg("the proof of aggregation node %" PRIu64 " of level %u of snapshot %" PRId64
                               " does not verify",
                               index, level, snapshot_id),
                        errdetail("%s", why)));
    }
    {
        bytea *blob = palloc(VARHDRSZ + encoded_len);
        int64 ms = (GetCurrentTimestamp() - started) / 1000;
        SET_VARSIZE(blob, VARHDRSZ + encoded_len);
        memcpy(VARDATA(blob), encoded, encoded_len);
        free(encoded);
        values[0] = Int64GetDatum(snapshot_id);
        values[1] = Int32GetDatum((int32)level);
        values[2] = Int32GetDatum((int32)index);
        values[3] = Int32GetDatum((int32)keys->shape.fan_in_log2);
        values[4] = PointerGetDatum(por_digest_to_bytea(&stmt->node.root));
        values[5] = PointerGetDatum(por_digest_to_bytea(&stmt->node.params_digest));
        values[6] = PointerGetDatum(por_totals_to_numeric_array((const uint64_t(*)[2])stmt->node.totals, A));
        values[7] = PointerGetDatum(por_totals_to_numeric_array((const uint64_t(*)[2])stmt->node.totals + A, A));
        values[8] = PointerGetDatum(blob);
        values[9] = Int32GetDatum((int32)(ms > INT32_MAX ? INT32_MAX : ms));
        if (SPI_execute_with_args("INSERT INTO por.aggregation_proofs (snapshot_id, level, node_index, fan_in_log2,"
                                  " root, params_digest, equity_totals, debt_totals, proof, prove_ms)"
                                  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                                  10, types, values, NULL, false, 0) != SPI_OK_INSERT)
            elog(ERROR, "por: storing aggregation node %" PRIu64 " of level %u failed", index, level);
    }
}

/* Whether row (level, index) of the tree at fan-in 2^f is stored (a run that
 * finished it while ours waited, or an earlier run: proving is idempotent). */
static bool row_stored(int64 snapshot_id, unsigned level, uint64_t index, unsigned fan_in_log2)
{
    Oid types[4] = {INT8OID, INT4OID, INT4OID, INT4OID};
    Datum values[4] = {Int64GetDatum(snapshot_id), Int32GetDatum((int32)level), Int32GetDatum((int32)index),
                       Int32GetDatum((int32)fan_in_log2)};
    if (SPI_execute_with_args("SELECT 1 FROM por.aggregation_proofs WHERE snapshot_id = $1 AND level = $2"
                              " AND node_index = $3 AND fan_in_log2 = $4",
                              4, types, values, NULL, false, 1) != SPI_OK_SELECT)
        elog(ERROR, "por: reading the aggregation proofs failed");
    return SPI_processed > 0;
}

bool por_prove_compress(int64 snapshot_id, const por_agg_keys *keys, por_pool *pool)
{
    unsigned top_level = keys->levels;
    Oid types[3] = {INT8OID, INT4OID, INT4OID};
    Datum values[3] = {Int64GetDatum(snapshot_id), Int32GetDatum((int32)top_level),
                       Int32GetDatum((int32)keys->shape.fan_in_log2)};
    por_plonk_proof top, proof;
    por_agg_public stmt;
    por_plonk_prove_opts opts = {0};
    const char *why = NULL;
    TimestampTz started = GetCurrentTimestamp();
    bytea *raw;
    bool isnull;
    int rc;

    if (row_stored(snapshot_id, top_level + 1, 0, keys->shape.fan_in_log2))
        return false;
    if (SPI_execute_with_args("SELECT proof FROM por.aggregation_proofs WHERE snapshot_id = $1 AND level = $2"
                              " AND node_index = 0 AND fan_in_log2 = $3",
                              3, types, values, NULL, false, 1) != SPI_OK_SELECT)
        elog(ERROR, "por: reading the top aggregation proof failed");
    if (SPI_processed == 0)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("snapshot %" PRId64 " has no top aggregation proof to compress", snapshot_id),
                        errdetail("Node 0 of level %u at fan-in %u is missing.", top_level,
                                  1u << keys->shape.fan_in_log2)));
    raw = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    memset(&top, 0, sizeof(top));
    memset(&proof, 0, sizeof(proof));
    opts.should_stop = por_interrupt_pending;
    rc = por_plonk_proof_deserialize((const uint8_t *)VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw), &top, &why);
    if (rc == 0)
        rc = por_agg_prove_compress(keys, &top, pool, &opts, &proof, &stmt, &why);
    por_plonk_proof_free(&top);
    if (rc != 0) {
        por_plonk_proof_free(&proof);
        CHECK_FOR_INTERRUPTS(); /* a stop on request leaves through the pending cancel */
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("proving the compression of the top aggregation proof of snapshot %" PRId64 " failed",
                               snapshot_id),
                        errdetail("%s", why ? why : "unknown reason")));
    }
    store_checked(snapshot_id, keys, top_level + 1, 0, &proof, &stmt, started);
    return true;
}

/* The stored exact totals of the snapshot (checked against the leaves by por_prove_tree) as limbs. */
static void stored_totals(int64 snapshot_id, size_t A, por_batch_public *out)
{
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(snapshot_id)};
    if (SPI_execute_with_args("SELECT equity_total::text, debt_total::text FROM por.snapshot_assets"
                              " WHERE snapshot_id = $1 ORDER BY asset_no",
                              1, types, values, NULL, true, 0) != SPI_OK_SELECT || SPI_processed != A)
        elog(ERROR, "por: reading the snapshot's totals failed");
    for (size_t a = 0; a < A; a++)
        for (int col = 0; col < 2; col++) {
            const char *s = SPI_getvalue(SPI_tuptable->vals[a], SPI_tuptable->tupdesc, col + 1);
            unsigned __int128 v = 0;
            for (; *s >= '0' && *s <= '9'; s++)
                v = v * 10 + (unsigned)(*s - '0');
            out->totals[col * A + a][0] = (uint64_t)(v & 0xffffffffu);
            out->totals[col * A + a][1] = (uint64_t)(v >> 32);
        }
}

/*
 * The compression proof of the tree's top node (row level T + 1, node 0) as
 * a final proof (por_final_proof_make only reads the shape and the levels of
 * the keys it is given).  false if the snapshot has none at fan-in 2^f.
 * Inside a transaction; *fp freed by the caller.
 */
static bool final_from_top(int64 snapshot_id, const por_params *params, unsigned fan_in_log2, por_final_proof *fp,
                           const char **why)
{
    uint64_t batches = params->leaf_count >> params->batch_log2;
    unsigned levels = por_agg_levels(batches, fan_in_log2);
    Oid types[3] = {INT8OID, INT4OID, INT4OID};
    Datum values[3] = {Int64GetDatum(snapshot_id), Int32GetDatum((int32)levels + 1),
                       Int32GetDatum((int32)fan_in_log2)};
    por_agg_keys shape_only;
    por_plonk_proof top;
    bytea *raw;
    bool isnull;
    int rc;

    memset(fp, 0, sizeof(*fp));
    if (SPI_execute_with_args("SELECT proof FROM por.aggregation_proofs WHERE snapshot_id = $1 AND level = $2"
                              " AND node_index = 0 AND fan_in_log2 = $3",
                              3, types, values, NULL, true, 1) != SPI_OK_SELECT)
        elog(ERROR, "por: reading the final proof failed");
    if (SPI_processed == 0)
        return false;
    raw = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    memset(&shape_only, 0, sizeof(shape_only));
    shape_only.shape = (por_agg_shape){.batch_log2 = params->batch_log2, .asset_count = params->asset_count,
                                       .balance_bits = params->balance_bits, .fan_in_log2 = fan_in_log2};
    shape_only.levels = levels;
    memset(&top, 0, sizeof(top));
    rc = por_plonk_proof_deserialize((const uint8_t *)VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw), &top, why);
    if (rc == 0)
        rc = por_final_proof_make(&shape_only, &top, fp, why);
    por_plonk_proof_free(&top);
    if (rc != 0)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("the stored compression proof of snapshot %" PRId64 " is malformed", snapshot_id),
                        errdetail("%s", *why ? *why : "unknown reason")));
    return true;
}

bytea *por_final_proof_bytes(int64 snapshot_id, const por_params *params)
{
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(snapshot_id)};
    por_final_proof fp;
    const char *why = NULL;
    uint8_t *buf;
    size_t len;
    bytea *out;
    bool isnull;

    /* the fan-in of the tree the run made (one per snapshot: por_agg_nodes_stored deletes others) */
    if (SPI_execute_with_args("SELECT max(fan_in_log2) FROM por.aggregation_proofs WHERE snapshot_id = $1", 1, types,
                              values, NULL, true, 1) != SPI_OK_SELECT)
        elog(ERROR, "por: reading the aggregation proofs failed");
    {
        Datum f = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
        if (isnull || !final_from_top(snapshot_id, params, (unsigned)DatumGetInt32(f), &fp, &why))
            return NULL;
    }
    buf = por_final_proof_encode(&fp, &len);
    por_final_proof_free(&fp);
    if (buf == NULL)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("encoding the final proof of snapshot %" PRId64 " failed",
                                                                snapshot_id)));
    out = palloc(VARHDRSZ + len);
    SET_VARSIZE(out, VARHDRSZ + len);
    memcpy(VARDATA(out), buf, len);
    free(buf);
    return out;
}

void por_final_check(int64 snapshot_id, const por_snapshot_info *info, const por_frozen *frozen,
                     por_agg_keys *keys, por_pool *pool, por_agg_public *statement, size_t *final_bytes)
{
    por_agg_public expected;
    por_final_proof fp;
    const char *why = NULL;
    bytea *raw;
    int rc;

    /* what the published result must say: the frozen root, the stored exact totals, the params digest */
    memset(&expected, 0, sizeof(expected));
    expected.node.asset_count = info->params.asset_count;
    expected.node.root = frozen->root;
    por_params_digest(&info->params, &expected.node.params_digest);
    stored_totals(snapshot_id, info->params.asset_count, &expected.node);
    expected.index = 0;
    expected.leaf_count = info->params.leaf_count;

    /* the bytes por_final_proof hands out are the ones checked */
    raw = por_final_proof_bytes(snapshot_id, &info->params);
    if (raw == NULL)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("snapshot %" PRId64 " has no final proof", snapshot_id),
                        errdetail("The compression proof of its aggregation tree's top (level %u at fan-in %u)"
                                  " is missing.",
                                  keys->levels, 1u << keys->shape.fan_in_log2)));
    *final_bytes = VARSIZE_ANY_EXHDR(raw);
    rc = por_final_proof_decode((const uint8_t *)VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw), &fp, &why);
    if (rc == 0)
        rc = por_final_verify(&fp, keys, pool, &expected, &why);
    if (rc == 0)
        *statement = fp.statement;
    por_final_proof_free(&fp);
    if (rc != 0)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("the final proof of snapshot %" PRId64 " does not prove the frozen snapshot",
                               snapshot_id),
                        errdetail("%s (checked against the frozen root, the stored totals and the params digest).",
                                  why ? why : "unknown reason")));
}
