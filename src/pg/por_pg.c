/*
 * Module entry, settings, the Poseidon SQL functions and small conversions
 * shared by the other glue modules.
 */
#include "postgres.h"

#include <inttypes.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/syscache.h"

#include "por_pg.h"

PG_MODULE_MAGIC;

char *por_guc_master_key_file = NULL;
int por_guc_balance_bits = 62;
int por_guc_batch_log2 = POR_BATCH_LOG2_AUTO;
int por_guc_threads = 0;
int por_guc_fan_in_log2 = POR_AGG_DEFAULT_FAN_IN_LOG2;

void _PG_init(void);

/* Registers the por.* settings. */
void _PG_init(void)
{
    DefineCustomStringVariable("por.master_key_file",
                               "File holding the salt master key (64 hex digits).",
                               "Empty means por_master_key in the data directory, created on first use.",
                               &por_guc_master_key_file, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY, NULL, NULL,
                               NULL);
    /* USERSET: an operator shapes its own snapshots (the bounds keep every shape provable) */
    DefineCustomIntVariable("por.balance_bits", "Bits B of the balance range [0, 2^B) for new snapshots.",
                            NULL, &por_guc_balance_bits, POR_BALANCE_BITS_MAX, 1, POR_BALANCE_BITS_MAX, PGC_USERSET,
                            0, NULL, NULL, NULL);
    DefineCustomIntVariable("por.batch_log2",
                            "log2 of the batch size (accounts per batch proof) for new snapshots; -1: automatic.",
                            "Automatic: the largest batch of at most 2^12 accounts whose circuit the verifiers' cost "
                            "cap admits (2^16 rows), and not above the snapshot's account count rounded up to a "
                            "power of two.",
                            &por_guc_batch_log2, POR_BATCH_LOG2_AUTO, POR_BATCH_LOG2_AUTO, POR_BATCH_LOG2_MAX,
                            PGC_USERSET, 0, NULL, NULL, NULL);
    DefineCustomIntVariable("por.threads", "Worker threads for hashing and proving (0 = all cores).", NULL,
                            &por_guc_threads, 0, 0, 256, PGC_USERSET, 0, NULL, NULL, NULL);
    DefineCustomIntVariable("por.fan_in_log2",
                            "log2 of the fan-in of por_prove's aggregation tree (child proofs per aggregation proof).",
                            "A resumed run keeps the nodes proven at the same fan-in.", &por_guc_fan_in_log2,
                            POR_AGG_DEFAULT_FAN_IN_LOG2, 1, POR_AGG_MAX_FAN_IN_LOG2, PGC_USERSET, 0, NULL, NULL, NULL);
    MarkGUCPrefixReserved("por");
}

Oid por_data_owner(void)
{
    Oid nsp = get_namespace_oid("por", false);
    HeapTuple tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
    Oid owner;
    if (!HeapTupleIsValid(tup))
        elog(ERROR, "cache lookup failed for schema por");
    owner = ((Form_pg_namespace)GETSTRUCT(tup))->nspowner;
    ReleaseSysCache(tup);
    return owner;
}

void por_become_owner(por_owner_switch *sw)
{
    GetUserIdAndSecContext(&sw->saved_userid, &sw->saved_sec_context);
    SetUserIdAndSecContext(por_data_owner(), sw->saved_sec_context | SECURITY_LOCAL_USERID_CHANGE);
}

void por_restore_user(const por_owner_switch *sw)
{
    SetUserIdAndSecContext(sw->saved_userid, sw->saved_sec_context);
}

bytea *por_digest_to_bytea(const por_digest *d)
{
    bytea *out = palloc(VARHDRSZ + 32);
    SET_VARSIZE(out, VARHDRSZ + 32);
    por_digest_to_bytes(d, (uint8_t *)VARDATA(out));
    return out;
}

void por_bytea_to_digest(bytea *b, por_digest *out, const char *what)
{
    if (VARSIZE_ANY_EXHDR(b) != 32)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s must be 32 bytes", what),
                        errdetail("Got %d bytes.", (int)VARSIZE_ANY_EXHDR(b))));
    if (por_digest_from_bytes((const uint8_t *)VARDATA_ANY(b), out) != 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s is not a canonical digest", what),
                        errdetail("A 64-bit word is not below the field modulus.")));
}

void por_int8_array_to_u64(ArrayType *arr, size_t n, uint64_t *out, const char *what)
{
    Datum *elems;
    bool *nulls;
    int count;
    if (ARR_NDIM(arr) > 1 || ARR_ELEMTYPE(arr) != INT8OID)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR), errmsg("%s must be a one-dimensional bigint[]", what)));
    deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &count);
    if ((size_t)count != n)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("%s must have %zu elements", what, n), errdetail("Got %d elements.", count)));
    for (int i = 0; i < count; i++) {
        int64 v;
        if (nulls[i])
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                            errmsg("%s must not contain NULL", what), errdetail("Element %d is NULL.", i + 1)));
        v = DatumGetInt64(elems[i]);
        if (v < 0 || v >= ((int64)1 << 62))
            ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                            errmsg("%s element is outside [0, 2^62)", what),
                            errdetail("Element %d is %" PRId64 ".", i + 1, v)));
        out[i] = (uint64_t)v;
    }
    pfree(elems);
    pfree(nulls);
}

ArrayType *por_u64_to_int8_array(const uint64_t *values, size_t n)
{
    Datum *elems = palloc(sizeof(Datum) * (n ? n : 1));
    ArrayType *arr;
    for (size_t i = 0; i < n; i++)
        elems[i] = Int64GetDatum((int64)values[i]);
    arr = construct_array(elems, (int)n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
    pfree(elems);
    return arr;
}

Datum por_u128_to_numeric(unsigned __int128 v)
{
    char buf[48];
    char *p = buf + sizeof(buf) - 1;
    *p = '\0';
    do {
        *--p = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    return DirectFunctionCall3(numeric_in, CStringGetDatum(p), ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/*
 * numeric -> canonical field element.  Errors name the offending position
 * and value: wrong elements are the caller's input errors.
 */
static gl_t numeric_to_field(Datum num, int position)
{
    char *text = DatumGetCString(DirectFunctionCall1(numeric_out, num));
    const char *p = text;
    unsigned __int128 v = 0;
    if (*p == '\0')
        goto bad;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            goto bad;
        v = v * 10 + (unsigned)(*p - '0');
        if (v >= GL_P)
            goto bad;
    }
    pfree(text);
    return (gl_t)v;
bad:
    ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                    errmsg("field element must be an integer in [0, 18446744069414584321)"),
                    errdetail("Element %d is %s.", position, text)));
    pg_unreachable();
}

/* Reads a numeric[] of canonical field elements; NULL elements are errors. */
static gl_t *numeric_array_to_field(ArrayType *arr, int *count_out)
{
    Datum *elems;
    bool *nulls;
    int count;
    gl_t *out;
    if (ARR_NDIM(arr) > 1)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR), errmsg("field element array must be one-dimensional")));
    deconstruct_array(arr, NUMERICOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count);
    out = palloc(sizeof(gl_t) * (count ? count : 1));
    for (int i = 0; i < count; i++) {
        if (nulls[i])
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                            errmsg("field element array must not contain NULL"),
                            errdetail("Element %d is NULL.", i + 1)));
        out[i] = numeric_to_field(elems[i], i + 1);
    }
    *count_out = count;
    return out;
}

PG_FUNCTION_INFO_V1(por_poseidon_permute_sql);
/* por_poseidon_permute(numeric[]): the bare permutation on 12 elements. */
Datum por_poseidon_permute_sql(PG_FUNCTION_ARGS)
{
    int count;
    gl_t *state = numeric_array_to_field(PG_GETARG_ARRAYTYPE_P(0), &count);
    Datum out[POSEIDON_WIDTH];
    if (count != POSEIDON_WIDTH)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("Poseidon state must have exactly 12 elements"), errdetail("Got %d elements.", count)));
    poseidon_permute(state);
    for (int i = 0; i < POSEIDON_WIDTH; i++)
        out[i] = por_u128_to_numeric(state[i]);
    PG_RETURN_ARRAYTYPE_P(construct_array(out, POSEIDON_WIDTH, NUMERICOID, -1, false, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(por_poseidon_hash_sql);
/* por_poseidon_hash(numeric[]): Plonky2 hash_no_pad, digest as 32 bytes. */
Datum por_poseidon_hash_sql(PG_FUNCTION_ARGS)
{
    int count;
    gl_t *inputs = numeric_array_to_field(PG_GETARG_ARRAYTYPE_P(0), &count);
    por_digest digest;
    poseidon_hash_no_pad(inputs, (size_t)count, &digest);
    PG_RETURN_BYTEA_P(por_digest_to_bytea(&digest));
}
