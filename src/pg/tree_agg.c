/*
 * por_tree_agg(id_commitment, equity[], debt[]): the Merkle sum tree over any
 * query of leaves.  The state collects (commitment, leaf hash) pairs and exact
 * 128-bit totals; the final function orders the leaves by commitment, so the
 * root does not depend on row order, plan or parallel workers.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "por_pg.h"
#include "por/tree.h"

typedef struct {
    por_digest commitment;
    por_digest leaf;
} agg_leaf;

typedef struct {
    int32 asset_count; /* 0 until the first leaf */
    uint64 count;
    uint64 capacity;
    agg_leaf *leaves;
    unsigned __int128 *totals; /* A equity totals, then A debt totals */
} tree_agg_state;

static tree_agg_state *state_new(MemoryContext ctx)
{
    return MemoryContextAllocZero(ctx, sizeof(tree_agg_state));
}

static void state_set_assets(tree_agg_state *st, int32 asset_count, MemoryContext ctx)
{
    if (st->asset_count == 0) {
        st->asset_count = asset_count;
        st->totals = MemoryContextAllocZero(ctx, sizeof(unsigned __int128) * 2 * asset_count);
    } else if (st->asset_count != asset_count)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("por_tree_agg: every leaf must have the same number of assets"),
                        errdetail("Got %d assets after %d.", asset_count, st->asset_count)));
}

static void state_reserve(tree_agg_state *st, uint64 extra, MemoryContext ctx)
{
    uint64 need = st->count + extra;
    if (need <= st->capacity)
        return;
    st->capacity = Max(need, Max(st->capacity * 2, 1024));
    if (st->leaves == NULL)
        st->leaves = MemoryContextAllocHuge(ctx, sizeof(agg_leaf) * st->capacity);
    else
        st->leaves = repalloc_huge(st->leaves, sizeof(agg_leaf) * st->capacity);
}

static MemoryContext agg_context(FunctionCallInfo fcinfo, const char *fn)
{
    MemoryContext ctx;
    if (!AggCheckCallContext(fcinfo, &ctx))
        elog(ERROR, "%s called in non-aggregate context", fn);
    return ctx;
}

PG_FUNCTION_INFO_V1(por_tree_agg_transfn);
Datum por_tree_agg_transfn(PG_FUNCTION_ARGS)
{
    MemoryContext ctx = agg_context(fcinfo, "por_tree_agg_transfn");
    tree_agg_state *st = PG_ARGISNULL(0) ? state_new(ctx) : (tree_agg_state *)PG_GETARG_POINTER(0);
    ArrayType *equity, *debt;
    int32 A;
    uint64_t *bal;
    agg_leaf *leaf;

    if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("por_tree_agg: id_commitment, equity and debt must not be NULL")));
    equity = PG_GETARG_ARRAYTYPE_P(2);
    debt = PG_GETARG_ARRAYTYPE_P(3);
    A = ARR_NDIM(equity) == 1 ? ARR_DIMS(equity)[0] : 0;
    if (A < 1 || A > POR_MAX_ASSETS)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("por_tree_agg: equity must have 1 to %d elements", POR_MAX_ASSETS)));
    state_set_assets(st, A, ctx);
    bal = palloc(sizeof(uint64_t) * 2 * A);
    por_int8_array_to_u64(equity, (size_t)A, bal, "equity");
    por_int8_array_to_u64(debt, (size_t)A, bal + A, "debt");
    state_reserve(st, 1, ctx);
    leaf = &st->leaves[st->count++];
    por_bytea_to_digest(PG_GETARG_BYTEA_PP(1), &leaf->commitment, "id_commitment");
    por_leaf_hash(&leaf->commitment, bal, bal + A, (size_t)A, &leaf->leaf);
    for (int32 a = 0; a < 2 * A; a++)
        st->totals[a] += bal[a];
    pfree(bal);
    PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(por_tree_agg_combinefn);
Datum por_tree_agg_combinefn(PG_FUNCTION_ARGS)
{
    MemoryContext ctx = agg_context(fcinfo, "por_tree_agg_combinefn");
    tree_agg_state *a = PG_ARGISNULL(0) ? NULL : (tree_agg_state *)PG_GETARG_POINTER(0);
    tree_agg_state *b = PG_ARGISNULL(1) ? NULL : (tree_agg_state *)PG_GETARG_POINTER(1);
    if (b == NULL || b->count == 0) {
        if (a == NULL)
            PG_RETURN_NULL();
        PG_RETURN_POINTER(a);
    }
    if (a == NULL)
        a = state_new(ctx);
    state_set_assets(a, b->asset_count, ctx);
    state_reserve(a, b->count, ctx);
    memcpy(a->leaves + a->count, b->leaves, sizeof(agg_leaf) * b->count);
    a->count += b->count;
    for (int32 i = 0; i < 2 * a->asset_count; i++)
        a->totals[i] += b->totals[i];
    PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(por_tree_agg_serialfn);
Datum por_tree_agg_serialfn(PG_FUNCTION_ARGS)
{
    tree_agg_state *st = (tree_agg_state *)PG_GETARG_POINTER(0);
    Size totals_bytes = sizeof(unsigned __int128) * 2 * st->asset_count;
    Size leaves_bytes = sizeof(agg_leaf) * st->count;
    Size size = VARHDRSZ + sizeof(int32) + sizeof(uint64) + totals_bytes + leaves_bytes;
    bytea *out = palloc_extended(size, MCXT_ALLOC_HUGE);
    char *p = VARDATA(out);
    SET_VARSIZE(out, size);
    memcpy(p, &st->asset_count, sizeof(int32));
    p += sizeof(int32);
    memcpy(p, &st->count, sizeof(uint64));
    p += sizeof(uint64);
    if (totals_bytes)
        memcpy(p, st->totals, totals_bytes);
    p += totals_bytes;
    if (leaves_bytes)
        memcpy(p, st->leaves, leaves_bytes);
    PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(por_tree_agg_deserialfn);
Datum por_tree_agg_deserialfn(PG_FUNCTION_ARGS)
{
    MemoryContext ctx = agg_context(fcinfo, "por_tree_agg_deserialfn");
    bytea *in = PG_GETARG_BYTEA_PP(0);
    const char *p = VARDATA_ANY(in);
    Size len = VARSIZE_ANY_EXHDR(in);
    tree_agg_state *st = state_new(ctx);
    int32 A;
    uint64 count;
    if (len < sizeof(int32) + sizeof(uint64))
        elog(ERROR, "por_tree_agg: truncated state");
    memcpy(&A, p, sizeof(int32));
    memcpy(&count, p + sizeof(int32), sizeof(uint64));
    p += sizeof(int32) + sizeof(uint64);
    if (A < 0 || A > POR_MAX_ASSETS ||
        len != sizeof(int32) + sizeof(uint64) + sizeof(unsigned __int128) * 2 * A + sizeof(agg_leaf) * count)
        elog(ERROR, "por_tree_agg: malformed state");
    if (A > 0) {
        state_set_assets(st, A, ctx);
        memcpy(st->totals, p, sizeof(unsigned __int128) * 2 * A);
        p += sizeof(unsigned __int128) * 2 * A;
    }
    if (count > 0) {
        state_reserve(st, count, ctx);
        memcpy(st->leaves, p, sizeof(agg_leaf) * count);
        st->count = count;
    }
    PG_RETURN_POINTER(st);
}

static int compare_agg_leaves(const void *x, const void *y)
{
    const agg_leaf *a = x, *b = y;
    int c = por_digest_compare(&a->commitment, &b->commitment);
    return c != 0 ? c : por_digest_compare(&a->leaf, &b->leaf);
}

static Datum totals_array(const unsigned __int128 *totals, int32 A)
{
    Datum *elems = palloc(sizeof(Datum) * A);
    for (int32 i = 0; i < A; i++)
        elems[i] = por_u128_to_numeric(totals[i]);
    return PointerGetDatum(construct_array(elems, A, NUMERICOID, -1, false, TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(por_tree_agg_finalfn);
Datum por_tree_agg_finalfn(PG_FUNCTION_ARGS)
{
    tree_agg_state *st = PG_ARGISNULL(0) ? NULL : (tree_agg_state *)PG_GETARG_POINTER(0);
    TupleDesc desc;
    Datum values[4];
    bool nulls[4] = {false};
    unsigned depth;
    por_digest **levels;
    agg_leaf *sorted;

    if (st == NULL || st->count == 0)
        PG_RETURN_NULL();
    if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "por_tree_agg_finalfn: return type must be a row type");
    desc = BlessTupleDesc(desc);

    /* sort a copy: the final function may run more than once on one state */
    sorted = palloc_extended(sizeof(agg_leaf) * st->count, MCXT_ALLOC_HUGE);
    memcpy(sorted, st->leaves, sizeof(agg_leaf) * st->count);
    qsort(sorted, st->count, sizeof(agg_leaf), compare_agg_leaves);
    depth = por_tree_depth(st->count);
    levels = palloc(sizeof(por_digest *) * (depth + 1));
    for (unsigned h = 0; h <= depth; h++)
        levels[h] = palloc_extended(sizeof(por_digest) * por_tree_level_size(st->count, h), MCXT_ALLOC_HUGE);
    for (uint64 i = 0; i < st->count; i++)
        levels[0][i] = sorted[i].leaf;
    {
        /* an aggregate may run in a parallel worker: the threads are still ours */
        por_pool *pool = por_pool_create((unsigned)por_guc_threads);
        por_tree_build(pool, levels, st->count);
        por_pool_destroy(pool);
    }

    values[0] = PointerGetDatum(por_digest_to_bytea(&levels[depth][0]));
    values[1] = Int64GetDatum((int64)st->count);
    values[2] = totals_array(st->totals, st->asset_count);
    values[3] = totals_array(st->totals + st->asset_count, st->asset_count);
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
