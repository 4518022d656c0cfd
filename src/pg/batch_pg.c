/*
 * Batch proofs from SQL: verification (with verifier keys derived from the
 * proof's shape and cached per backend), the statement a proof carries, and
 * the export of a proven snapshot's bundle to a server directory.
 */
#include "postgres.h"

#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "agg/final_proof.h"
#include "por/batch_proof.h"
#include "por/bundle.h"
#include "por/hex.h"
#include "por_pg.h"

/*
 * Verifier keys derived in this backend, by shape.  Deriving one costs a
 * circuit setup (seconds at 1024 x 53), so a session verifying many proofs
 * of one snapshot pays it once.  Library memory (malloc), never freed.
 */
#define VK_CACHE_SIZE 4
static por_batch_vk vk_cache[VK_CACHE_SIZE];
static int vk_cache_used;
static int vk_cache_next;

/*
 * Whether a snapshot of this database has the shape.  A key costs a setup of
 * seconds and up to GBs, so a role that may only verify (por_customer) must
 * not make the server derive keys for shapes of its choosing; por-verify,
 * on the auditor's own machine, has no such limit.
 */
bool por_shape_in_use(uint32_t k, uint32_t A, uint32_t B)
{
    Oid types[3] = {INT4OID, INT4OID, INT4OID};
    Datum values[3] = {Int32GetDatum((int32)k), Int32GetDatum((int32)A), Int32GetDatum((int32)B)};
    bool found;
    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "por: SPI_connect failed");
    if (SPI_execute_with_args("SELECT 1 FROM por.snapshots WHERE batch_log2 = $1 AND asset_count = $2 AND balance_bits = $3"
                              " LIMIT 1",
                              3, types, values, NULL, true, 1) != SPI_OK_SELECT)
        elog(ERROR, "por: reading snapshot shapes failed");
    found = SPI_processed > 0;
    SPI_finish();
    return found;
}

static const por_batch_vk *verifier_key(uint32_t k, uint32_t A, uint32_t B, const char **why)
{
    por_pool *pool;
    int slot, rc;
    for (int i = 0; i < vk_cache_used; i++)
        if (vk_cache[i].batch_log2 == k && vk_cache[i].asset_count == A && vk_cache[i].balance_bits == B)
            return &vk_cache[i];
    if (k > POR_BATCH_MAX_LOG2 || A == 0 || ((uint64_t)A << k) > POR_BATCH_MAX_ACCOUNT_ASSETS) {
        *why = "batch shape larger than any por_prove makes";
        return NULL;
    }
    if (!por_shape_in_use(k, A, B)) {
        *why = "no snapshot in this database has the proof's batch shape";
        return NULL;
    }
    slot = vk_cache_used < VK_CACHE_SIZE ? vk_cache_used++ : vk_cache_next++ % VK_CACHE_SIZE;
    por_batch_vk_free(&vk_cache[slot]);
    pool = por_pool_create((unsigned)por_guc_threads);
    rc = por_batch_vk_derive(k, A, B, pool, &vk_cache[slot], why);
    por_pool_destroy(pool);
    if (rc != 0) {
        memset(&vk_cache[slot], 0, sizeof(vk_cache[slot]));
        vk_cache[slot].asset_count = 0; /* matches no shape */
        return NULL;
    }
    return &vk_cache[slot];
}

PG_FUNCTION_INFO_V1(por_verify_batch);
/* por_verify_batch(proof bytea) RETURNS boolean: false for anything malformed or invalid. */
Datum por_verify_batch(PG_FUNCTION_ARGS)
{
    bytea *raw = PG_GETARG_BYTEA_PP(0);
    por_batch_proof bp;
    const por_batch_vk *vk;
    const char *why = NULL;
    bool valid = false;

    memset(&bp, 0, sizeof(bp));
    /* the library's cheap checks and cost cap before any key (docs/por-verify.md) */
    if (por_batch_proof_decode((const uint8_t *)VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw), &bp, &why) == 0 &&
        (why = por_batch_proof_precheck(&bp)) == NULL) {
        vk = verifier_key(bp.batch_log2, bp.asset_count, bp.balance_bits, &why);
        valid = vk != NULL && por_batch_proof_verify(vk, &bp, &why) == 0;
    }
    por_batch_proof_free(&bp);
    if (!valid)
        ereport(DEBUG1, (errmsg("por_verify_batch: %s", why ? why : "invalid")));
    PG_RETURN_BOOL(valid);
}

static void append_digest(StringInfo buf, const char *key, const por_digest *d)
{
    char hex[65];
    por_digest_to_hex(d, hex);
    appendStringInfo(buf, "\"%s\": \"%s\"", key, hex);
}

/* "[\"12\", ...]": totals[t] for t in [from, from + n) as decimal strings (exact beyond 2^53). */
static void append_totals(StringInfo buf, const por_batch_public *st, size_t from, size_t n)
{
    appendStringInfoChar(buf, '[');
    for (size_t i = 0; i < n; i++) {
        unsigned __int128 v = (unsigned __int128)st->totals[from + i][0] + ((unsigned __int128)st->totals[from + i][1] << 32);
        char *s = DatumGetCString(DirectFunctionCall1(numeric_out, por_u128_to_numeric(v)));
        appendStringInfo(buf, "%s\"%s\"", i ? ", " : "", s);
    }
    appendStringInfoChar(buf, ']');
}

PG_FUNCTION_INFO_V1(por_batch_proof_statement);
/* por_batch_proof_statement(proof bytea) RETURNS jsonb: what the proof claims, unverified. */
Datum por_batch_proof_statement(PG_FUNCTION_ARGS)
{
    bytea *raw = PG_GETARG_BYTEA_PP(0);
    por_batch_proof bp;
    const char *why = NULL;
    StringInfoData buf;
    int rc;

    memset(&bp, 0, sizeof(bp));
    rc = por_batch_proof_decode((const uint8_t *)VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw), &bp, &why);
    if (rc != 0) {
        por_batch_proof_free(&bp);
        ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION), errmsg("malformed batch proof"),
                        errdetail("%s (%d bytes).", why ? why : "unknown reason", (int)VARSIZE_ANY_EXHDR(raw))));
    }
    initStringInfo(&buf);
    appendStringInfo(&buf,
                     "{\"snapshot_id\": %" PRIu64 ", \"batch_no\": %" PRIu64 ", \"batch_log2\": %u, \"asset_count\": %u,"
                     " \"balance_bits\": %u, ",
                     bp.snapshot_id, bp.batch_no, bp.batch_log2, bp.asset_count, bp.balance_bits);
    append_digest(&buf, "root", &bp.statement.root);
    appendStringInfoString(&buf, ", ");
    append_digest(&buf, "params_digest", &bp.statement.params_digest);
    appendStringInfoString(&buf, ", \"equity_totals\": ");
    append_totals(&buf, &bp.statement, 0, bp.asset_count);
    appendStringInfoString(&buf, ", \"debt_totals\": ");
    append_totals(&buf, &bp.statement, bp.asset_count, bp.asset_count);
    appendStringInfoChar(&buf, '}');
    por_batch_proof_free(&bp);
    PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/*
 * Aggregation keys derived in this backend (every level's verifier key of
 * one shape and depth; about a second per level), reused by the next final
 * proof of that shape.  Library memory, never freed.
 */
#define FINAL_KEY_CACHE_SIZE 2
static por_agg_keys final_key_cache[FINAL_KEY_CACHE_SIZE];
static int final_key_cache_next;

PG_FUNCTION_INFO_V1(por_final_proof_of);
/* por_final_proof(snapshot_id bigint) RETURNS bytea: NULL until the snapshot is proven. */
Datum por_final_proof_of(PG_FUNCTION_ARGS)
{
    int64 snapshot_id = PG_GETARG_INT64(0);
    MemoryContext caller_ctx = CurrentMemoryContext;
    por_snapshot_info info;
    bytea *proof = NULL;

    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "por: SPI_connect failed");
    por_snapshot_load(snapshot_id, &info);
    if (info.proven) {
        bytea *b = por_final_proof_bytes(snapshot_id, &info.params);
        if (b == NULL)
            ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                            errmsg("proven snapshot %" PRId64 " has no final proof", snapshot_id),
                            errdetail("The compression proof of its top aggregation node is missing from"
                                      " por.aggregation_proofs.")));
        proof = (bytea *)MemoryContextAlloc(caller_ctx, VARSIZE(b));
        memcpy(proof, b, VARSIZE(b));
    }
    SPI_finish();
    if (proof == NULL)
        PG_RETURN_NULL();
    PG_RETURN_BYTEA_P(proof);
}

PG_FUNCTION_INFO_V1(por_verify_final);
/* por_verify_final(proof bytea) RETURNS boolean: false for anything malformed or invalid. */
Datum por_verify_final(PG_FUNCTION_ARGS)
{
    bytea *raw = PG_GETARG_BYTEA_PP(0);
    por_final_proof fp;
    const char *why = NULL;
    bool valid = false;

    /* the library's cheap checks and cost cap first; keys only for a shape this database uses */
    if (por_final_proof_decode((const uint8_t *)VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw), &fp, &why) == 0 &&
        (why = por_final_proof_precheck(&fp)) == NULL) {
        if (!por_shape_in_use(fp.shape.batch_log2, fp.shape.asset_count, fp.shape.balance_bits))
            why = "no snapshot in this database has the proof's batch shape";
        else {
            por_agg_keys *slot = NULL;
            por_pool *pool;
            for (int i = 0; i < FINAL_KEY_CACHE_SIZE && slot == NULL; i++)
                if (final_key_cache[i].levels == fp.levels &&
                    memcmp(&final_key_cache[i].shape, &fp.shape, sizeof(fp.shape)) == 0)
                    slot = &final_key_cache[i];
            if (slot == NULL)
                slot = &final_key_cache[final_key_cache_next++ % FINAL_KEY_CACHE_SIZE];
            pool = por_pool_create((unsigned)por_guc_threads);
            /* derives into slot when it does not hold this shape's keys; a failed derivation leaves it empty */
            valid = pool != NULL && por_final_verify(&fp, slot, pool, NULL, &why) == 0;
            por_pool_destroy(pool);
        }
    }
    por_final_proof_free(&fp);
    if (!valid)
        ereport(DEBUG1, (errmsg("por_verify_final: %s", why ? why : "invalid")));
    PG_RETURN_BOOL(valid);
}

PG_FUNCTION_INFO_V1(por_final_statement);
/* por_final_statement(proof bytea) RETURNS jsonb: what the final proof claims, unverified. */
Datum por_final_statement(PG_FUNCTION_ARGS)
{
    bytea *raw = PG_GETARG_BYTEA_PP(0);
    por_final_proof fp;
    const char *why = NULL;
    StringInfoData buf;

    if (por_final_proof_decode((const uint8_t *)VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw), &fp, &why) != 0) {
        por_final_proof_free(&fp);
        ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION), errmsg("malformed final proof"),
                        errdetail("%s (%d bytes).", why ? why : "unknown reason", (int)VARSIZE_ANY_EXHDR(raw))));
    }
    initStringInfo(&buf);
    appendStringInfo(&buf,
                     "{\"leaf_count\": %" PRIu64 ", \"batch_log2\": %u, \"asset_count\": %u, \"balance_bits\": %u,"
                     " \"fan_in\": %u, \"levels\": %u, ",
                     fp.statement.leaf_count, fp.shape.batch_log2, fp.shape.asset_count, fp.shape.balance_bits,
                     1u << fp.shape.fan_in_log2, fp.levels);
    append_digest(&buf, "root", &fp.statement.node.root);
    appendStringInfoString(&buf, ", ");
    append_digest(&buf, "params_digest", &fp.statement.node.params_digest);
    appendStringInfoString(&buf, ", \"equity_totals\": ");
    append_totals(&buf, &fp.statement.node, 0, fp.shape.asset_count);
    appendStringInfoString(&buf, ", \"debt_totals\": ");
    append_totals(&buf, &fp.statement.node, fp.shape.asset_count, fp.shape.asset_count);
    appendStringInfoChar(&buf, '}');
    por_final_proof_free(&fp);
    PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/* Writes a whole file under dir via a temporary name, so no reader sees half of it. */
static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char *path = psprintf("%s/%s", dir, name);
    char *tmp = psprintf("%s/.%s.tmp", dir, name);
    FILE *f = AllocateFile(tmp, PG_BINARY_W);
    if (f == NULL)
        ereport(ERROR, (errcode_for_file_access(), errmsg("could not create file \"%s\": %m", tmp)));
    if (fwrite(data, 1, len, f) != len || fflush(f) != 0 || pg_fsync(fileno(f)) != 0) {
        int save = errno;
        FreeFile(f);
        unlink(tmp);
        errno = save;
        ereport(ERROR, (errcode_for_file_access(), errmsg("could not write file \"%s\": %m", tmp)));
    }
    if (FreeFile(f) != 0 || rename(tmp, path) != 0) {
        int save = errno;
        unlink(tmp);
        errno = save;
        ereport(ERROR, (errcode_for_file_access(), errmsg("could not write file \"%s\": %m", path)));
    }
    pfree(path);
    pfree(tmp);
}

PG_FUNCTION_INFO_V1(por_export_bundle);
/* por_export_bundle(snapshot_id bigint, directory text, include_batches boolean) RETURNS bigint: files written. */
Datum por_export_bundle(PG_FUNCTION_ARGS)
{
    int64 snapshot_id = PG_GETARG_INT64(0);
    char *dir = text_to_cstring(PG_GETARG_TEXT_PP(1));
    bool include_batches = PG_GETARG_BOOL(2);
    bytea *final_proof;
    por_snapshot_info info;
    por_bundle_manifest manifest;
    Oid types[2] = {INT8OID, BOOLOID};
    Datum values[2] = {Int64GetDatum(snapshot_id), BoolGetDatum(include_batches)};
    unsigned __int128 *batch_sums;
    SPIPlanPtr plan;
    Portal portal;
    uint64_t batches, next = 0;
    size_t A;
    char *json;
    struct stat st;

    if (!has_privs_of_role(GetUserId(), ROLE_PG_WRITE_SERVER_FILES))
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                        errmsg("permission denied to write a bundle into a server directory"),
                        errdetail("Only roles with privileges of the \"pg_write_server_files\" role may export bundles.")));
    if (!is_absolute_path(dir))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("bundle directory must be an absolute path"),
                        errdetail("Got \"%s\".", dir)));
    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "por: SPI_connect failed");
    por_snapshot_load(snapshot_id, &info);
    if (!info.proven)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("snapshot %" PRId64 " is not proven yet", snapshot_id),
                        errhint("Run SELECT por_prove(%" PRId64 ") first.", snapshot_id)));
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT || mkdir(dir, 0755) != 0)
            ereport(ERROR, (errcode_for_file_access(), errmsg("could not create directory \"%s\": %m", dir)));
    } else if (!S_ISDIR(st.st_mode))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("\"%s\" is not a directory", dir)));

    A = info.params.asset_count;
    batches = info.params.leaf_count >> info.params.batch_log2;
    memset(&manifest, 0, sizeof(manifest));
    manifest.params = info.params;
    por_params_digest(&info.params, &manifest.params_digest);
    manifest.root = info.root;
    manifest.batch_count = batches;
    manifest.totals = palloc0(sizeof(unsigned __int128) * 2 * A);
    manifest.has_final = true;
    batch_sums = palloc0(sizeof(unsigned __int128) * 2 * A);

    /* the published result: the final proof, with the manifest's totals from its statement */
    final_proof = por_final_proof_bytes(snapshot_id, &info.params);
    {
        por_final_proof fp;
        const char *why = NULL;
        if (final_proof == NULL ||
            por_final_proof_decode((const uint8_t *)VARDATA_ANY(final_proof), VARSIZE_ANY_EXHDR(final_proof), &fp,
                                   &why) != 0) {
            por_final_proof_free(&fp);
            ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                            errmsg("proven snapshot %" PRId64 " has no valid final proof", snapshot_id),
                            errdetail("%s", why ? why : "its top aggregation proof is missing")));
        }
        for (size_t t = 0; t < 2 * A; t++)
            manifest.totals[t] = (unsigned __int128)fp.statement.node.totals[t][0] +
                                 ((unsigned __int128)fp.statement.node.totals[t][1] << 32);
        por_final_proof_free(&fp);
    }
    write_file(dir, POR_BUNDLE_FINAL_FILE, VARDATA_ANY(final_proof), VARSIZE_ANY_EXHDR(final_proof));

    /* batch files (their statements summing to the final proof's totals), the manifest last: a bundle.json
     * means a complete bundle */
    plan = SPI_prepare("SELECT batch_no, proof FROM por.batch_proofs WHERE snapshot_id = $1 AND $2 ORDER BY batch_no",
                       2, types);
    if (plan == NULL)
        elog(ERROR, "por: could not prepare the batch proof query");
    portal = SPI_cursor_open(NULL, plan, values, NULL, true);
    for (;;) {
        SPI_cursor_fetch(portal, true, 16);
        if (SPI_processed == 0)
            break;
        for (uint64 r = 0; r < SPI_processed; r++, next++) {
            bool isnull;
            int32 b = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1, &isnull));
            bytea *raw = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2, &isnull));
            por_batch_proof bp;
            const char *why = NULL;
            char name[64];
            CHECK_FOR_INTERRUPTS();
            memset(&bp, 0, sizeof(bp));
            if ((uint64_t)b != next ||
                por_batch_proof_decode((const uint8_t *)VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw), &bp, &why) != 0) {
                por_batch_proof_free(&bp);
                ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                                errmsg("stored proof of batch %d of snapshot %" PRId64 " is malformed or out of order", b,
                                       snapshot_id),
                                errdetail("%s", why ? why : "unexpected batch number")));
            }
            for (size_t t = 0; t < 2 * A; t++)
                batch_sums[t] += (unsigned __int128)bp.statement.totals[t][0] +
                                 ((unsigned __int128)bp.statement.totals[t][1] << 32);
            por_batch_proof_free(&bp);
            snprintf(name, sizeof(name), POR_BUNDLE_BATCH_FILE_FMT, next);
            write_file(dir, name, VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw));
        }
        SPI_freetuptable(SPI_tuptable);
    }
    SPI_cursor_close(portal);
    if (include_batches && next != batches)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("snapshot %" PRId64 " has %" PRIu64 " batch proofs, expected %" PRIu64, snapshot_id, next,
                               batches)));
    if (include_batches && memcmp(batch_sums, manifest.totals, sizeof(unsigned __int128) * 2 * A) != 0)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                        errmsg("the batch proofs of snapshot %" PRId64 " do not add up to its final proof's totals",
                               snapshot_id)));
    json = por_bundle_manifest_to_json(&manifest);
    if (json == NULL)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("could not render the bundle manifest")));
    PG_TRY();
    {
        write_file(dir, POR_BUNDLE_MANIFEST, json, strlen(json));
    }
    PG_FINALLY();
    {
        free(json);
    }
    PG_END_TRY();
    SPI_finish();
    PG_RETURN_INT64((int64)(next + 2));
}
