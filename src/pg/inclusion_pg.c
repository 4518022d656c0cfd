/*
 * Inclusion proofs from SQL: built from the stored leaf and tree levels (one
 * indexed row and one 32-byte slice per level), verified with the library.
 * The caller's privileges apply when reading the leaf, so row-level security
 * limits a customer role to its own accounts; the tree levels, which
 * customers cannot read whole, are then read as the data's owner.
 */
#include "postgres.h"

#include <inttypes.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "por/inclusion.h"
#include "por_pg.h"
#include "por/tree.h"

/* Fills proof for (snapshot, account); palloc'd parts live in the current context. */
static void build_inclusion(int64 snapshot_id, text *account, por_inclusion *proof)
{
    por_snapshot_info info;
    Oid types[2] = {INT8OID, TEXTOID};
    Datum values[2] = {Int64GetDatum(snapshot_id), PointerGetDatum(account)};
    size_t id_len = VARSIZE_ANY_EXHDR(account);
    unsigned depth;
    uint8_t key[POR_MASTER_KEY_BYTES];
    char key_id[17];
    bool isnull;
    size_t A;
    por_owner_switch sw;

    por_snapshot_load(snapshot_id, &info);
    if (!info.proven)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("snapshot %" PRId64 " is not proven yet", snapshot_id),
                        errhint("Run SELECT por_prove(%" PRId64 ") first.", snapshot_id)));
    A = info.params.asset_count;
    memset(proof, 0, sizeof(*proof));
    proof->params = info.params;
    proof->root = info.root;
    if (id_len == 0 || id_len > POR_ACCOUNT_ID_MAX)
        ereport(ERROR, (errcode(ERRCODE_NO_DATA_FOUND),
                        errmsg("account \"%s\" is not in snapshot %" PRId64, text_to_cstring(account), snapshot_id)));

    if (SPI_execute_with_args("SELECT leaf_index, equity, debt FROM por.leaves WHERE snapshot_id = $1 AND account_id = $2",
                              2, types, values, NULL, true, 1) != SPI_OK_SELECT)
        elog(ERROR, "por: reading the leaf failed");
    if (SPI_processed == 0)
        ereport(ERROR, (errcode(ERRCODE_NO_DATA_FOUND),
                        errmsg("account \"%s\" is not in snapshot %" PRId64, text_to_cstring(account), snapshot_id)));
    proof->leaf_index = (uint64_t)DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    proof->equity = palloc(sizeof(uint64_t) * A);
    proof->debt = palloc(sizeof(uint64_t) * A);
    por_int8_array_to_u64(DatumGetArrayTypeP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)),
                          A, proof->equity, "equity");
    por_int8_array_to_u64(DatumGetArrayTypeP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull)),
                          A, proof->debt, "debt");
    memcpy(proof->account_id, VARDATA_ANY(account), id_len);
    proof->account_id_len = id_len;

    /* siblings: one 32-byte slice per level, or the empty subtree past a level's end */
    depth = por_tree_depth(info.params.leaf_count);
    por_become_owner(&sw);
    for (unsigned h = 0; h < depth; h++) {
        uint64_t sibling = (proof->leaf_index >> h) ^ 1;
        if (sibling >= por_tree_level_size(info.params.leaf_count, h)) {
            por_empty_subtree(h, &proof->siblings[h]);
            continue;
        }
        por_tree_node_load(snapshot_id, h, sibling, &proof->siblings[h]);
    }
    por_restore_user(&sw);

    por_master_key_load(key, key_id);
    if (strcmp(key_id, info.key_id) != 0) {
        explicit_bzero(key, sizeof(key));
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("snapshot %" PRId64 " was salted with master key %s, the configured key is %s",
                               snapshot_id, info.key_id, key_id),
                        errhint("Point por.master_key_file at the key this snapshot was made with.")));
    }
    if (por_salt_derive(key, (uint64_t)snapshot_id, proof->account_id, id_len, proof->salt) != 0) {
        explicit_bzero(key, sizeof(key));
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("could not derive the account's salt")));
    }
    explicit_bzero(key, sizeof(key));

    /* never hand out a proof that does not verify */
    {
        const char *why = NULL;
        if (por_inclusion_verify(proof, &info.root, &why) != 0)
            ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                            errmsg("inclusion proof of account \"%s\" in snapshot %" PRId64 " does not verify",
                                   text_to_cstring(account), snapshot_id),
                            errdetail("%s", why ? why : "unknown reason")));
    }
}

static Datum json_text_to_jsonb(char *json)
{
    Datum result;
    if (json == NULL)
        ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("could not render the inclusion proof as JSON")));
    result = DirectFunctionCall1(jsonb_in, CStringGetDatum(json));
    free(json);
    return result;
}

PG_FUNCTION_INFO_V1(por_inclusion_proof);
/* por_inclusion_proof(snapshot_id, account_id) RETURNS bytea */
Datum por_inclusion_proof(PG_FUNCTION_ARGS)
{
    por_inclusion proof;
    uint8_t *buf;
    size_t len;
    bytea *out;
    MemoryContext caller_ctx = CurrentMemoryContext;
    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "por: SPI_connect failed");
    MemoryContextSwitchTo(caller_ctx);
    build_inclusion(PG_GETARG_INT64(0), PG_GETARG_TEXT_PP(1), &proof);
    /* SPI calls leave SPI's procedure context current; the result must outlive SPI_finish */
    MemoryContextSwitchTo(caller_ctx);
    buf = por_inclusion_encode(&proof, &len);
    if (buf == NULL)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("could not encode the inclusion proof")));
    out = palloc(VARHDRSZ + len);
    SET_VARSIZE(out, VARHDRSZ + len);
    memcpy(VARDATA(out), buf, len);
    explicit_bzero(buf, len);
    free(buf);
    SPI_finish();
    PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(por_inclusion_proof_json);
/* por_inclusion_proof_json(snapshot_id, account_id) RETURNS jsonb */
Datum por_inclusion_proof_json(PG_FUNCTION_ARGS)
{
    por_inclusion proof;
    Datum result;
    MemoryContext caller_ctx = CurrentMemoryContext;
    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "por: SPI_connect failed");
    MemoryContextSwitchTo(caller_ctx);
    build_inclusion(PG_GETARG_INT64(0), PG_GETARG_TEXT_PP(1), &proof);
    MemoryContextSwitchTo(caller_ctx);
    result = json_text_to_jsonb(por_inclusion_to_json(&proof));
    SPI_finish();
    PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(por_inclusion_proof_to_json);
/* por_inclusion_proof_to_json(bytea) RETURNS jsonb; malformed input is an error. */
Datum por_inclusion_proof_to_json(PG_FUNCTION_ARGS)
{
    bytea *proof_bytes = PG_GETARG_BYTEA_PP(0);
    por_inclusion proof;
    const char *why = NULL;
    Datum result;
    memset(&proof, 0, sizeof(proof));
    if (por_inclusion_decode((const uint8_t *)VARDATA_ANY(proof_bytes), VARSIZE_ANY_EXHDR(proof_bytes), &proof, &why) != 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION), errmsg("malformed inclusion proof"),
                        errdetail("%s", why ? why : "unknown reason")));
    result = json_text_to_jsonb(por_inclusion_to_json(&proof));
    por_inclusion_free(&proof);
    PG_RETURN_DATUM(result);
}

/*
 * Decodes and verifies; any failure is false, never an error.  With
 * params_digest, the snapshot parameters the proof carries (prices, haircuts,
 * time, shape) must hash to it: the root alone binds the balances, not them.
 */
static bool verify_bytes(bytea *proof_bytes, const por_digest *root, const por_digest *params_digest)
{
    por_inclusion proof;
    const char *why = NULL;
    bool valid;
    memset(&proof, 0, sizeof(proof));
    if (por_inclusion_decode((const uint8_t *)VARDATA_ANY(proof_bytes), VARSIZE_ANY_EXHDR(proof_bytes), &proof, &why) != 0)
        return false;
    valid = por_inclusion_verify(&proof, root, &why) == 0;
    if (valid && params_digest != NULL) {
        por_digest carried;
        por_params_digest(&proof.params, &carried);
        valid = memcmp(&carried, params_digest, sizeof(carried)) == 0;
    }
    por_inclusion_free(&proof);
    return valid;
}

/* A 32-byte canonical digest, or false. */
static bool bytea_digest(bytea *b, por_digest *out)
{
    return VARSIZE_ANY_EXHDR(b) == 32 && por_digest_from_bytes((const uint8_t *)VARDATA_ANY(b), out) == 0;
}

PG_FUNCTION_INFO_V1(por_verify_inclusion);
/* por_verify_inclusion(proof bytea) RETURNS boolean */
Datum por_verify_inclusion(PG_FUNCTION_ARGS)
{
    PG_RETURN_BOOL(verify_bytes(PG_GETARG_BYTEA_PP(0), NULL, NULL));
}

PG_FUNCTION_INFO_V1(por_verify_inclusion_root);
/* por_verify_inclusion(proof bytea, root bytea) RETURNS boolean */
Datum por_verify_inclusion_root(PG_FUNCTION_ARGS)
{
    por_digest root;
    if (!bytea_digest(PG_GETARG_BYTEA_PP(1), &root))
        PG_RETURN_BOOL(false);
    PG_RETURN_BOOL(verify_bytes(PG_GETARG_BYTEA_PP(0), &root, NULL));
}

PG_FUNCTION_INFO_V1(por_verify_inclusion_full);
/* por_verify_inclusion(proof bytea, root bytea, params_digest bytea) RETURNS boolean */
Datum por_verify_inclusion_full(PG_FUNCTION_ARGS)
{
    por_digest root, params_digest;
    if (!bytea_digest(PG_GETARG_BYTEA_PP(1), &root) || !bytea_digest(PG_GETARG_BYTEA_PP(2), &params_digest))
        PG_RETURN_BOOL(false);
    PG_RETURN_BOOL(verify_bytes(PG_GETARG_BYTEA_PP(0), &root, &params_digest));
}
