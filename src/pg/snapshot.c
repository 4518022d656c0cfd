/*
 * por_snapshot_create: freezes balances from the DBA's query into a snapshot.
 *
 * One pass over the source with a cursor (one query, so one consistent MVCC
 * snapshot of the ledger), rows of the same account and asset added up in a
 * hash table, every value converted exactly to integer units and checked
 * against [0, 2^B), every account checked for solvency (DESIGN section 2 item
 * 4).  Then salts and id commitments, padding to whole batches, leaf order by
 * commitment, and the rows of por.snapshots, por.snapshot_assets and
 * por.leaves.  Any error aborts the transaction, so nothing is half-written.
 * Also the other end of a snapshot's life: por_snapshot_drop and the
 * retention policy por_snapshot_retain.
 */
#include "postgres.h"

#include <inttypes.h>

#include "access/xact.h"
#include "common/hashfn.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "storage/lock.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/regproc.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"

#include "util/decimal.h"
#include "por/leaves.h"
#include "por_pg.h"
#include "por/tree.h"

#define FETCH_ROWS 10000

typedef struct {
    const char *id;
    uint32 len;
} account_key;

typedef struct {
    account_key key; /* must be first: dynahash's key */
    uint64_t *balances; /* A equities then A debts */
} account_entry;

/* A leaf being laid out: its commitment and the account it belongs to (-1: padding). */
typedef struct {
    por_digest commitment;
    int64 account;
} leaf_slot;

/* Rows handed to por._pending_leaves() while the INSERT runs. */
static struct {
    bool active;
    int64 snapshot_id;
    size_t asset_count;
    size_t leaf_count;
    const leaf_slot *leaves;
    account_entry *const *accounts;
} pending;

static uint32 account_key_hash(const void *key, Size keysize)
{
    const account_key *k = key;
    return hash_bytes((const unsigned char *)k->id, (int)k->len);
}

static int account_key_match(const void *a, const void *b, Size keysize)
{
    const account_key *x = a, *y = b;
    if (x->len != y->len)
        return 1;
    return memcmp(x->id, y->id, x->len);
}

static int compare_accounts(const void *a, const void *b)
{
    const account_entry *x = *(account_entry *const *)a, *y = *(account_entry *const *)b;
    int c = memcmp(x->key.id, y->key.id, Min(x->key.len, y->key.len));
    if (c != 0)
        return c;
    return (x->key.len > y->key.len) - (x->key.len < y->key.len);
}

static int compare_leaf_slots(const void *a, const void *b)
{
    const leaf_slot *x = a, *y = b;
    return por_digest_compare(&x->commitment, &y->commitment);
}

static int compare_symbols(const void *a, const void *b)
{
    return strcmp(((const por_asset *)a)->symbol, ((const por_asset *)b)->symbol);
}

static char *account_display(const account_key *k)
{
    return pnstrdup(k->id, k->len);
}

/* ---------------------------------------------------------------------- */
/* assets jsonb */

typedef struct {
    por_asset *assets;
    char **prices; /* the price as given, as a decimal string */
    int count;
    uint32_t price_scale;
} asset_table;

static void assets_error(const char *detail_fmt, const char *symbol)
{
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("malformed assets"),
                    errdetail(detail_fmt, symbol),
                    errhint("assets is an object like {\"BTC\": {\"decimals\": 8, \"price\": \"65000.25\", \"haircut\": 100}}.")));
}

/* Reads a jsonb integer field in [lo, hi]; returns def if absent. */
static int json_int_field(const char *symbol, const char *field, const char *type, const char *value, int lo,
                          int hi, int def)
{
    int v = 0;
    if (type == NULL)
        return def;
    if (strcmp(type, "number") != 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("malformed assets"),
                        errdetail("Asset \"%s\": %s must be a number, got %s.", symbol, field, type)));
    for (const char *p = value; *p; p++) {
        if (*p < '0' || *p > '9' || v > 1000)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("malformed assets"),
                            errdetail("Asset \"%s\": %s must be an integer in [%d, %d], got %s.", symbol, field, lo,
                                      hi, value)));
        v = v * 10 + (*p - '0');
    }
    if (v < lo || v > hi || value[0] == '\0')
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("malformed assets"),
                        errdetail("Asset \"%s\": %s must be an integer in [%d, %d], got %s.", symbol, field, lo, hi,
                                  value)));
    return v;
}

static void parse_assets(Jsonb *assets_json, asset_table *table)
{
    Oid argtypes[1] = {JSONBOID};
    Datum args[1] = {JsonbPGetDatum(assets_json)};
    int ret;
    uint64 n;

    ret = SPI_execute_with_args("SELECT jsonb_typeof($1)", 1, argtypes, args, NULL, true, 1);
    if (ret != SPI_OK_SELECT)
        elog(ERROR, "por: jsonb_typeof failed");
    if (strcmp(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1), "object") != 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("malformed assets"),
                        errdetail("assets must be a JSON object, got %s.",
                                  SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1))));

    ret = SPI_execute_with_args(
        "SELECT e.key, jsonb_typeof(e.value),"
        "       e.value ->> 'decimals', jsonb_typeof(e.value -> 'decimals'),"
        "       e.value ->> 'price', jsonb_typeof(e.value -> 'price'),"
        "       e.value ->> 'haircut', jsonb_typeof(e.value -> 'haircut'),"
        "       (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys("
        "            CASE WHEN jsonb_typeof(e.value) = 'object' THEN e.value ELSE '{}' END) AS k"
        "         WHERE k NOT IN ('decimals', 'price', 'haircut'))"
        "  FROM jsonb_each($1) AS e",
        1, argtypes, args, NULL, true, 0);
    if (ret != SPI_OK_SELECT)
        elog(ERROR, "por: reading assets failed");
    n = SPI_processed;
    if (n == 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("malformed assets"),
                        errdetail("assets must name at least one asset.")));
    if (n > POR_MAX_ASSETS)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("malformed assets"),
                        errdetail("At most %d assets are supported, got %" PRIu64 ".", POR_MAX_ASSETS, (uint64_t)n)));

    table->count = (int)n;
    table->assets = palloc0(sizeof(por_asset) * n);
    table->prices = palloc0(sizeof(char *) * n);
    for (uint64 i = 0; i < n; i++) {
        HeapTuple tup = SPI_tuptable->vals[i];
        TupleDesc desc = SPI_tuptable->tupdesc;
        char *symbol = SPI_getvalue(tup, desc, 1);
        char *type = SPI_getvalue(tup, desc, 2);
        char *unknown = SPI_getvalue(tup, desc, 9);
        char *price_type = SPI_getvalue(tup, desc, 6);
        por_asset *a = &table->assets[i];
        size_t len = strlen(symbol);

        if (len == 0 || len > POR_SYMBOL_MAX)
            assets_error("Asset symbol \"%s\" must have 1 to 32 characters.", symbol);
        for (size_t c = 0; c < len; c++)
            if (symbol[c] < 0x21 || symbol[c] > 0x7e)
                assets_error("Asset symbol \"%s\" must be printable ASCII without spaces.", symbol);
        if (strcmp(type, "object") != 0)
            assets_error("Asset \"%s\" must be an object with decimals, price and optional haircut.", symbol);
        if (unknown != NULL)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("malformed assets"),
                            errdetail("Asset \"%s\" has unknown keys: %s.", symbol, unknown)));
        if (SPI_getvalue(tup, desc, 4) == NULL)
            assets_error("Asset \"%s\" has no decimals.", symbol);
        if (price_type == NULL)
            assets_error("Asset \"%s\" has no price.", symbol);
        memcpy(a->symbol, symbol, len + 1);
        a->decimals = (uint32_t)json_int_field(symbol, "decimals", SPI_getvalue(tup, desc, 4),
                                               SPI_getvalue(tup, desc, 3), 0, 30, 0);
        a->haircut = (uint32_t)json_int_field(symbol, "haircut", SPI_getvalue(tup, desc, 8),
                                              SPI_getvalue(tup, desc, 7), 0, 100, 100);
        if (strcmp(price_type, "string") != 0 && strcmp(price_type, "number") != 0)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("malformed assets"),
                            errdetail("Asset \"%s\": price must be a decimal string, got %s.", symbol, price_type)));
        table->prices[i] = SPI_getvalue(tup, desc, 5);
        if (por_decimal_fraction_digits(table->prices[i]) < 0 || table->prices[i][0] == '-')
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("malformed assets"),
                            errdetail("Asset \"%s\": price must be a positive decimal, got \"%s\".", symbol,
                                      table->prices[i])));
    }
    /* leaf column order: symbols in byte order, whatever the JSON order */
    {
        por_asset *sorted = palloc(sizeof(por_asset) * n);
        char **prices = palloc(sizeof(char *) * n);
        memcpy(sorted, table->assets, sizeof(por_asset) * n);
        qsort(sorted, n, sizeof(por_asset), compare_symbols);
        for (uint64 i = 0; i < n; i++)
            for (uint64 j = 0; j < n; j++)
                if (strcmp(sorted[i].symbol, table->assets[j].symbol) == 0)
                    prices[i] = table->prices[j];
        table->assets = sorted;
        table->prices = prices;
    }

    /* the smallest scale at which every price per smallest unit is an integer */
    table->price_scale = 0;
    for (int i = 0; i < table->count; i++) {
        uint32_t need = table->assets[i].decimals + (uint32_t)por_decimal_fraction_digits(table->prices[i]);
        table->price_scale = Max(table->price_scale, need);
    }
    if (table->price_scale > POR_PRICE_SCALE_MAX)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("malformed assets"),
                        errdetail("Prices have too many decimals (price scale %u > %d).", table->price_scale, POR_PRICE_SCALE_MAX)));
    for (int i = 0; i < table->count; i++) {
        por_asset *a = &table->assets[i];
        if (por_decimal_to_units(table->prices[i], table->price_scale - a->decimals, POR_PRICE_UNITS_MAX + 1,
                                 &a->price_units) != POR_DECIMAL_OK)
            ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                            errmsg("price of asset \"%s\" does not fit the price range", a->symbol),
                            errdetail("Price %s at price scale %u is %s units per smallest unit, at most 2^63 - 1 allowed.",
                                      table->prices[i], table->price_scale, "too many"),
                            errhint("Give prices with fewer decimals.")));
        /* a zero price makes every debt in the asset worthless: everyone would pass as solvent */
        if (a->price_units == 0)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("price of asset \"%s\" is zero", a->symbol),
                            errdetail("Asset \"%s\": price must be a positive decimal, got \"%s\".", a->symbol,
                                      table->prices[i]),
                            errhint("Check the price feed: every asset needs its USD price per whole unit.")));
    }
}

static int find_asset(const asset_table *table, const char *symbol)
{
    int lo = 0, hi = table->count - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(symbol, table->assets[mid].symbol);
        if (c == 0)
            return mid;
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -1;
}

/* ---------------------------------------------------------------------- */
/* the source */

static void source_kind_error(const char *detail)
{
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("source must be a query or a relation name"),
                    errdetail("%s", detail),
                    errhint("source is one SELECT, WITH ... SELECT, VALUES or TABLE query, or the name of a table or view.")));
}

/*
 * SQL text that yields the source's rows: the query itself, or all rows of
 * the named relation.  A text that is not a (qualified) name must parse as
 * exactly one read-only query, so a DELETE ... RETURNING or a data-modifying
 * WITH is refused here, with its kind named, rather than failing later as a
 * malformed name.
 */
static char *source_query(const char *source)
{
    const char *p = source;
    size_t len;
    char *q, *name_copy;
    List *name_parts, *statements;
    Node *statement;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    len = strlen(p);
    while (len > 0 && (p[len - 1] == ';' || p[len - 1] == ' ' || p[len - 1] == '\n' || p[len - 1] == '\t' ||
                       p[len - 1] == '\r'))
        len--;
    q = pnstrdup(p, len);
    if (len == 0)
        source_kind_error("It is empty.");
    name_copy = pstrdup(q);
    if (SplitIdentifierString(name_copy, '.', &name_parts)) {
        RangeVar *rv = makeRangeVarFromNameList(stringToQualifiedNameList(q));
        Oid relid = RangeVarGetRelid(rv, AccessShareLock, true);
        if (!OidIsValid(relid))
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("source relation \"%s\" does not exist", q),
                            errhint("source is a query (SELECT ...) or the name of a table or view.")));
        return psprintf("SELECT * FROM %s",
                        quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid)));
    }
    /* a syntax error is raised here by the parser itself (42601, with its position) */
    statements = raw_parser(q, RAW_PARSE_DEFAULT);
    if (list_length(statements) != 1)
        source_kind_error(psprintf("It has %d statements.", list_length(statements)));
    statement = linitial_node(RawStmt, statements)->stmt;
    if (!IsA(statement, SelectStmt))
        source_kind_error(psprintf("Its command is %s, not a query.", CreateCommandName(statement)));
    if (((SelectStmt *)statement)->intoClause != NULL)
        source_kind_error("It is SELECT INTO, which creates a table; the source must only read.");
    if (((SelectStmt *)statement)->withClause != NULL) {
        ListCell *lc;
        foreach (lc, ((SelectStmt *)statement)->withClause->ctes) {
            CommonTableExpr *cte = lfirst_node(CommonTableExpr, lc);
            if (!IsA(cte->ctequery, SelectStmt))
                source_kind_error(psprintf("Its WITH query \"%s\" runs %s; the source must only read.", cte->ctename,
                                           CreateCommandName(cte->ctequery)));
        }
    }
    return q;
}

static void check_source_shape(const char *query)
{
    char *probe = psprintf("SELECT * FROM (%s) AS por_source LIMIT 0", query);
    if (SPI_execute(probe, true, 0) != SPI_OK_SELECT)
        ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE), errmsg("source must return rows")));
    if (SPI_tuptable->tupdesc->natts != 4)
        ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                        errmsg("source must yield 4 columns (account_id, asset, equity, debt)"),
                        errdetail("It yields %d columns.", SPI_tuptable->tupdesc->natts)));
}

/* numeric -> units; errors name the account, asset and value. */
static uint64_t balance_units(Datum value, bool isnull, const char *column, const account_key *key,
                              const por_asset *asset, uint64_t limit, uint32_t bits)
{
    char *text;
    uint64_t units = 0;
    por_decimal_status st;
    if (isnull)
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s is NULL", column),
                        errdetail("Account \"%s\", asset \"%s\".", account_display(key), asset->symbol)));
    text = DatumGetCString(DirectFunctionCall1(numeric_out, value));
    st = por_decimal_to_units(text, asset->decimals, limit, &units);
    switch (st) {
    case POR_DECIMAL_OK:
        break;
    case POR_DECIMAL_SYNTAX:
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s is not a finite number", column),
                        errdetail("Account \"%s\", asset \"%s\", %s %s.", account_display(key), asset->symbol, column,
                                  text)));
        break;
    case POR_DECIMAL_NEGATIVE:
        ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("%s is negative", column),
                        errdetail("Account \"%s\", asset \"%s\", %s %s.", account_display(key), asset->symbol, column,
                                  text)));
        break;
    case POR_DECIMAL_TOO_MANY_DECIMALS:
        ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                        errmsg("%s has more decimals than asset \"%s\" allows", column, asset->symbol),
                        errdetail("Account \"%s\", asset \"%s\" (%u decimals), %s %s.", account_display(key),
                                  asset->symbol, asset->decimals, column, text)));
        break;
    case POR_DECIMAL_OVERFLOW:
        ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                        errmsg("%s is out of range: at most 2^%u - 1 smallest units", column, bits),
                        errdetail("Account \"%s\", asset \"%s\", %s %s.", account_display(key), asset->symbol, column,
                                  text)));
        break;
    }
    pfree(text);
    return units;
}

/* Reads the whole source into the hash table; returns the rows read. */
static uint64 load_source(const char *query, const asset_table *assets, uint32_t bits, HTAB *accounts,
                          MemoryContext keep)
{
    char *sql = psprintf("SELECT s.a::text, s.b::text, s.c::numeric, s.d::numeric FROM (%s) AS s(a, b, c, d)", query);
    SPIPlanPtr plan = SPI_prepare(sql, 0, NULL);
    Portal portal;
    uint64 rows = 0;
    uint64_t limit = (uint64_t)1 << bits;
    size_t A = (size_t)assets->count;
    MemoryContext row_ctx = AllocSetContextCreate(CurrentMemoryContext, "por source row", ALLOCSET_SMALL_SIZES);

    if (plan == NULL)
        elog(ERROR, "por: could not prepare the source query: %s", SPI_result_code_string(SPI_result));
    portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
    for (;;) {
        SPI_cursor_fetch(portal, true, FETCH_ROWS);
        if (SPI_processed == 0)
            break;
        for (uint64 r = 0; r < SPI_processed; r++) {
            HeapTuple tup = SPI_tuptable->vals[r];
            TupleDesc desc = SPI_tuptable->tupdesc;
            bool isnull[4];
            Datum v[4];
            account_key key;
            text *id_text, *asset_text;
            char *symbol;
            int asset_no;
            account_entry *entry;
            bool found;
            uint64_t e, d;
            MemoryContext old;

            CHECK_FOR_INTERRUPTS();
            old = MemoryContextSwitchTo(row_ctx);
            for (int c = 0; c < 4; c++)
                v[c] = SPI_getbinval(tup, desc, c + 1, &isnull[c]);
            if (isnull[0])
                ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("account_id is NULL"),
                                errdetail("Source row %" PRIu64 " has no account_id.", (uint64_t)(rows + r + 1))));
            id_text = DatumGetTextPP(v[0]);
            key.id = VARDATA_ANY(id_text);
            key.len = (uint32)VARSIZE_ANY_EXHDR(id_text);
            if (key.len == 0 || key.len > POR_ACCOUNT_ID_MAX)
                ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                                errmsg("account_id must have 1 to %d bytes", POR_ACCOUNT_ID_MAX),
                                errdetail("Account \"%s\" has %u bytes.", account_display(&key), key.len)));
            if (isnull[1])
                ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("asset is NULL"),
                                errdetail("Account \"%s\".", account_display(&key))));
            asset_text = DatumGetTextPP(v[1]);
            symbol = text_to_cstring(asset_text);
            asset_no = find_asset(assets, symbol);
            if (asset_no < 0)
                ereport(ERROR, (errcode(ERRCODE_FOREIGN_KEY_VIOLATION), errmsg("unknown asset \"%s\"", symbol),
                                errdetail("Account \"%s\" holds asset \"%s\", which assets does not list.",
                                          account_display(&key), symbol)));
            e = balance_units(v[2], isnull[2], "equity", &key, &assets->assets[asset_no], limit, bits);
            d = balance_units(v[3], isnull[3], "debt", &key, &assets->assets[asset_no], limit, bits);

            entry = hash_search(accounts, &key, HASH_ENTER, &found);
            if (!found) {
                char *copy = MemoryContextAlloc(keep, key.len);
                memcpy(copy, key.id, key.len);
                entry->key.id = copy;
                entry->key.len = key.len;
                entry->balances = MemoryContextAllocZero(keep, sizeof(uint64_t) * 2 * A);
            }
            if (entry->balances[asset_no] + e >= limit || entry->balances[A + asset_no] + d >= limit)
                ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                                errmsg("balance is out of range: at most 2^%u - 1 smallest units", bits),
                                errdetail("Account \"%s\", asset \"%s\": the rows add up past the limit.",
                                          account_display(&entry->key), assets->assets[asset_no].symbol)));
            entry->balances[asset_no] += e;
            entry->balances[A + asset_no] += d;
            MemoryContextSwitchTo(old);
            MemoryContextReset(row_ctx);
        }
        rows += SPI_processed;
        SPI_freetuptable(SPI_tuptable);
    }
    SPI_cursor_close(portal);
    MemoryContextDelete(row_ctx);
    return rows;
}

/* ---------------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(por_pending_leaves);
/* por._pending_leaves(): the leaf rows of the snapshot being created (internal). */
Datum por_pending_leaves(PG_FUNCTION_ARGS)
{
    ReturnSetInfo *rsinfo = (ReturnSetInfo *)fcinfo->resultinfo;
    MemoryContext row_ctx;
    uint64_t *zeros;
    if (!pending.active)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("por._pending_leaves() is internal to por_snapshot_create")));
    InitMaterializedSRF(fcinfo, 0);
    zeros = palloc0(sizeof(uint64_t) * 2 * pending.asset_count);
    row_ctx = AllocSetContextCreate(CurrentMemoryContext, "por leaf row", ALLOCSET_SMALL_SIZES);
    for (size_t i = 0; i < pending.leaf_count; i++) {
        const leaf_slot *slot = &pending.leaves[i];
        const uint64_t *bal = slot->account >= 0 ? pending.accounts[slot->account]->balances : zeros;
        Datum values[6];
        bool nulls[6] = {false};
        MemoryContext old;
        CHECK_FOR_INTERRUPTS();
        old = MemoryContextSwitchTo(row_ctx);
        values[0] = Int64GetDatum(pending.snapshot_id);
        values[1] = Int64GetDatum((int64)i);
        if (slot->account >= 0) {
            const account_key *k = &pending.accounts[slot->account]->key;
            values[2] = PointerGetDatum(cstring_to_text_with_len(k->id, (int)k->len));
        } else
            nulls[2] = true;
        values[3] = PointerGetDatum(por_digest_to_bytea(&slot->commitment));
        values[4] = PointerGetDatum(por_u64_to_int8_array(bal, pending.asset_count));
        values[5] = PointerGetDatum(por_u64_to_int8_array(bal + pending.asset_count, pending.asset_count));
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        MemoryContextSwitchTo(old);
        MemoryContextReset(row_ctx);
    }
    MemoryContextDelete(row_ctx);
    return (Datum)0;
}

/*
 * What an account's balances are worth in USD, exactly: the sum of
 * balance * price_units * percent over the assets, divided by
 * 100 * 10^price_scale (percent is the haircut for collateral, 100 for debt).
 * Numeric arithmetic: the sum can pass 2^128.
 */
static char *account_usd(const por_params *params, const uint64_t *balances, bool with_haircut)
{
    Datum sum = NumericGetDatum(int64_to_numeric(0));
    Datum unit = DirectFunctionCall3(numeric_in, CStringGetDatum(psprintf("1e-%u", params->price_scale + 2)),
                                     ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
    for (uint32_t a = 0; a < params->asset_count; a++) {
        const por_asset *asset = &params->assets[a];
        Datum term = DirectFunctionCall2(numeric_mul, NumericGetDatum(int64_to_numeric((int64)balances[a])),
                                         NumericGetDatum(int64_to_numeric((int64)asset->price_units)));
        term = DirectFunctionCall2(numeric_mul, term,
                                   NumericGetDatum(int64_to_numeric(with_haircut ? asset->haircut : 100)));
        sum = DirectFunctionCall2(numeric_add, sum, term);
    }
    sum = DirectFunctionCall1(numeric_trim_scale, DirectFunctionCall2(numeric_mul, sum, unit));
    return DatumGetCString(DirectFunctionCall1(numeric_out, sum));
}

static int64 unix_micros(TimestampTz ts)
{
    return ts + (int64)(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
}

static void execute_checked(const char *sql, int nargs, Oid *types, Datum *values, int expected)
{
    int ret = SPI_execute_with_args(sql, nargs, types, values, NULL, false, 0);
    if (ret != expected)
        elog(ERROR, "por: internal statement failed (%s): %s", SPI_result_code_string(ret), sql);
}

/* INSERT ... SELECT from por._pending_leaves(), which reads the rows laid out here. */
static void insert_leaves(int64 snapshot_id, size_t asset_count, uint64 leaf_count, const leaf_slot *leaves,
                          account_entry *const *accounts)
{
    pending.active = true;
    pending.snapshot_id = snapshot_id;
    pending.asset_count = asset_count;
    pending.leaf_count = leaf_count;
    pending.leaves = leaves;
    pending.accounts = accounts;
    PG_TRY();
    {
        execute_checked("INSERT INTO por.leaves (snapshot_id, leaf_index, account_id, id_commitment, equity, debt)"
                        " SELECT * FROM por._pending_leaves()",
                        0, NULL, NULL, SPI_OK_INSERT);
    }
    PG_FINALLY();
    {
        memset(&pending, 0, sizeof(pending));
    }
    PG_END_TRY();
}

/* An optional int argument: the setting's value if NULL, else checked against [lo, hi]. */
static int32 shape_argument(FunctionCallInfo fcinfo, int argno, const char *name, int setting, int lo, int hi)
{
    int32 v;
    if (PG_ARGISNULL(argno))
        return setting;
    v = PG_GETARG_INT32(argno);
    if (v < lo || v > hi)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s must be between %d and %d", name, lo, hi),
                        errdetail("Got %d.", v)));
    return v;
}

PG_FUNCTION_INFO_V1(por_snapshot_create);
/*
 * por_snapshot_create(source text, assets jsonb, batch_log2 int, balance_bits int) RETURNS bigint.
 * Not STRICT: a NULL source or assets (say, a price function that found no
 * prices) is an error, never a NULL id a scheduler would count as success.
 */
Datum por_snapshot_create(PG_FUNCTION_ARGS)
{
    char *source;
    Jsonb *assets_json;
    MemoryContext work, old;
    asset_table assets;
    HTAB *accounts;
    HASHCTL hctl;
    HASH_SEQ_STATUS seq;
    account_entry *entry, **sorted;
    char *query;
    uint64 rows, n_accounts, leaf_count, batch;
    uint32_t bits;
    int32 batch_log2;
    unsigned auto_log2;
    size_t A;
    unsigned __int128 *totals;
    int64 snapshot_id;
    TimestampTz started = GetCurrentTimestamp();
    TimestampTz snapshot_time = GetCurrentTransactionStartTimestamp();
    uint8_t key[POR_MASTER_KEY_BYTES];
    char key_id[17];
    leaf_slot *leaves;
    por_params params;
    por_digest params_digest;
    por_owner_switch sw;
    char *caller;
    const char *cap_why = NULL;

    if (PG_ARGISNULL(0))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("source must not be NULL"),
                        errdetail("por_snapshot_create got a NULL source.")));
    if (PG_ARGISNULL(1))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("assets must not be NULL"),
                        errdetail("por_snapshot_create got NULL assets."),
                        errhint("If assets comes from a price function, it found no prices.")));
    source = text_to_cstring(PG_GETARG_TEXT_PP(0));
    assets_json = PG_GETARG_JSONB_P(1);
    batch_log2 = shape_argument(fcinfo, 2, "batch_log2", por_guc_batch_log2, POR_BATCH_LOG2_AUTO, POR_BATCH_LOG2_MAX);
    bits = (uint32_t)shape_argument(fcinfo, 3, "balance_bits", por_guc_balance_bits, 1, POR_BALANCE_BITS_MAX);

    work = AllocSetContextCreate(CurrentMemoryContext, "por snapshot", ALLOCSET_DEFAULT_SIZES);
    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "por: SPI_connect failed");
    old = MemoryContextSwitchTo(work);

    parse_assets(assets_json, &assets);
    A = (size_t)assets.count;
    /* the verifiers' cost cap: a proof they would refuse to check is not made
     * (an explicit batch size is checked before the source runs; auto, which
     * needs the account count, after) */
    if (batch_log2 != POR_BATCH_LOG2_AUTO && por_batch_shape_admit((unsigned)batch_log2, (unsigned)A, bits, NULL,
                                                                   &cap_why) != 0)
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("batches of 2^%d accounts x %zu assets are too large to prove", batch_log2, A),
                        errdetail("%s.", cap_why),
                        errhint("Pass a smaller batch_log2 to por_snapshot_create (or lower por.batch_log2), or -1 "
                                "for the largest batch the cap admits; docs/por-verify.md gives the verifiers' cap.")));

    /* the source runs with the caller's privileges */
    query = source_query(source);
    check_source_shape(query);
    memset(&hctl, 0, sizeof(hctl));
    hctl.keysize = sizeof(account_key);
    hctl.entrysize = sizeof(account_entry);
    hctl.hash = account_key_hash;
    hctl.match = account_key_match;
    hctl.hcxt = work;
    accounts = hash_create("por snapshot accounts", 1024, &hctl, HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
    rows = load_source(query, &assets, bits, accounts, work);
    n_accounts = hash_get_num_entries(accounts);
    if (n_accounts == 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("source yields no accounts"),
                        errdetail("A snapshot needs at least one account.")));

    /* account order for deterministic checks and reports */
    sorted = MemoryContextAllocHuge(work, sizeof(account_entry *) * n_accounts);
    {
        uint64 i = 0;
        hash_seq_init(&seq, accounts);
        while ((entry = hash_seq_search(&seq)) != NULL)
            sorted[i++] = entry;
    }
    qsort(sorted, n_accounts, sizeof(account_entry *), compare_accounts);
    if (batch_log2 == POR_BATCH_LOG2_AUTO) {
        /* cannot fail: one account of up to 256 assets is far within the cap */
        if (por_batch_auto_log2(n_accounts, (unsigned)A, bits, &auto_log2, &cap_why) != 0)
            elog(ERROR, "por: no batch size for %zu assets: %s", A, cap_why);
        batch_log2 = (int32)auto_log2;
    }

    params.snapshot_id = 0; /* set below, once the id is known */
    params.snapshot_time_us = unix_micros(snapshot_time);
    params.balance_bits = bits;
    params.price_scale = assets.price_scale;
    params.batch_log2 = (uint32_t)batch_log2;
    params.asset_count = (uint32_t)A;
    params.assets = assets.assets;

    totals = palloc0(sizeof(unsigned __int128) * 2 * A);
    for (uint64 i = 0; i < n_accounts; i++) {
        const uint64_t *bal = sorted[i]->balances;
        CHECK_FOR_INTERRUPTS();
        if (!por_account_solvent(&params, bal, bal + A))
            ereport(ERROR, (errcode(ERRCODE_CHECK_VIOLATION), errmsg("account is insolvent"),
                            errdetail("Account \"%s\": equity after haircuts is worth %s USD, less than its debt of %s USD at the snapshot's prices.",
                                      account_display(&sorted[i]->key), account_usd(&params, bal, true),
                                      account_usd(&params, bal + A, false))));
        for (size_t a = 0; a < 2 * A; a++)
            totals[a] += bal[a];
    }

    batch = (uint64)1 << batch_log2;
    leaf_count = (n_accounts + batch - 1) / batch * batch;
    params.leaf_count = leaf_count;

    /* the snapshot's id is needed for the salts */
    caller = GetUserNameFromId(GetUserId(), false);
    por_become_owner(&sw);
    if (SPI_execute("SELECT nextval(pg_get_serial_sequence('por.snapshots', 'snapshot_id'))", false, 1) != SPI_OK_SELECT)
        elog(ERROR, "por: could not allocate a snapshot id");
    {
        bool isnull;
        snapshot_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    }
    params.snapshot_id = (uint64_t)snapshot_id;
    {
        const char *why = por_params_check(&params);
        if (why != NULL)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("invalid snapshot parameters"),
                            errdetail("%s", why)));
    }
    por_params_digest(&params, &params_digest);

    /* salts, commitments, padding, leaf order */
    por_master_key_load(key, key_id);
    leaves = MemoryContextAllocHuge(work, sizeof(leaf_slot) * leaf_count);
    {
        const uint8_t **ids = MemoryContextAllocHuge(work, sizeof(uint8_t *) * n_accounts);
        size_t *lens = MemoryContextAllocHuge(work, sizeof(size_t) * n_accounts);
        por_digest *commitments = MemoryContextAllocHuge(work, sizeof(por_digest) * n_accounts);
        por_pool *pool = por_pool_create((unsigned)por_guc_threads);
        int failed;
        for (uint64 i = 0; i < n_accounts; i++) {
            ids[i] = (const uint8_t *)sorted[i]->key.id;
            lens[i] = sorted[i]->key.len;
        }
        /* worker threads run library code only, on memory allocated here */
        failed = por_account_commitments(pool, key, (uint64_t)snapshot_id, ids, lens, n_accounts, commitments);
        por_pool_destroy(pool);
        explicit_bzero(key, sizeof(key));
        if (failed)
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("could not derive the accounts' salts")));
        for (uint64 i = 0; i < n_accounts; i++) {
            leaves[i].commitment = commitments[i];
            leaves[i].account = (int64)i;
        }
    }
    for (uint64 i = n_accounts; i < leaf_count; i++) {
        gl_t salt[4];
        if (por_salt_random(salt) != 0)
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("random source failed for a padding salt")));
        por_padding_commitment(salt, &leaves[i].commitment);
        leaves[i].account = -1;
    }
    qsort(leaves, leaf_count, sizeof(leaf_slot), compare_leaf_slots);

    /* the rows, written as the extension's owner */
    {
        Oid types[12] = {INT8OID, TIMESTAMPTZOID, TEXTOID, INT4OID, INT4OID, INT4OID,
                         INT8OID, INT8OID, INT4OID, TEXTOID, BYTEAOID, TEXTOID};
        Datum values[12] = {Int64GetDatum(snapshot_id), TimestampTzGetDatum(snapshot_time),
                            CStringGetTextDatum(source), Int32GetDatum((int32)bits),
                            Int32GetDatum((int32)assets.price_scale), Int32GetDatum(batch_log2),
                            Int64GetDatum((int64)n_accounts), Int64GetDatum((int64)leaf_count),
                            Int32GetDatum((int32)A), CStringGetTextDatum(key_id),
                            PointerGetDatum(por_digest_to_bytea(&params_digest)), CStringGetTextDatum(caller)};
        execute_checked("INSERT INTO por.snapshots (snapshot_id, snapshot_time, source, balance_bits, price_scale,"
                        " batch_log2, account_count, leaf_count, asset_count, key_id, params_digest, created_by)"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                        12, types, values, SPI_OK_INSERT);
    }
    for (size_t a = 0; a < A; a++) {
        Oid types[9] = {INT8OID, INT4OID, TEXTOID, INT4OID, NUMERICOID, NUMERICOID, INT4OID, NUMERICOID, NUMERICOID};
        Datum values[9] = {Int64GetDatum(snapshot_id),
                           Int32GetDatum((int32)a),
                           CStringGetTextDatum(assets.assets[a].symbol),
                           Int32GetDatum((int32)assets.assets[a].decimals),
                           DirectFunctionCall3(numeric_in, CStringGetDatum(assets.prices[a]), ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)),
                           por_u128_to_numeric(assets.assets[a].price_units),
                           Int32GetDatum((int32)assets.assets[a].haircut),
                           por_u128_to_numeric(totals[a]),
                           por_u128_to_numeric(totals[A + a])};
        execute_checked("INSERT INTO por.snapshot_assets (snapshot_id, asset_no, symbol, decimals, price, price_units,"
                        " haircut, equity_total, debt_total) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                        9, types, values, SPI_OK_INSERT);
    }
    insert_leaves(snapshot_id, A, leaf_count, leaves, sorted);
    por_frozen_commit(&params);
    {
        char *detail = psprintf("{\"source_rows\": %" PRIu64 ", \"accounts\": %" PRIu64 ", \"leaves\": %" PRIu64
                                ", \"assets\": %zu, \"seconds\": %.3f, \"backend_pid\": %d}",
                                (uint64_t)rows, (uint64_t)n_accounts, (uint64_t)leaf_count, A,
                                (double)(GetCurrentTimestamp() - started) / 1e6, MyProcPid);
        Oid types[4] = {INT8OID, TIMESTAMPTZOID, TEXTOID, TEXTOID};
        Datum values[4] = {Int64GetDatum(snapshot_id), TimestampTzGetDatum(started), CStringGetTextDatum(detail),
                           CStringGetTextDatum(caller)};
        execute_checked("INSERT INTO por.run_log (snapshot_id, action, started_at, detail, run_by)"
                        " VALUES ($1, 'snapshot_create', $2, $3::jsonb, $4)",
                        4, types, values, SPI_OK_INSERT);
    }
    por_restore_user(&sw);

    MemoryContextSwitchTo(old);
    SPI_finish();
    MemoryContextDelete(work);
    PG_RETURN_INT64(snapshot_id);
}

/* ---------------------------------------------------------------------- */
/* retiring snapshots */

/*
 * Deletes a snapshot and everything that hangs off it (ON DELETE CASCADE),
 * unless a proving run holds its lock: the worker keeps the snapshot's
 * session advisory lock (por_lock_snapshot_session) from start to exit, so a
 * lock we cannot get means a run is in progress.  We hold the same lock only
 * across the DELETE: a run that starts afterwards blocks on the deleted row
 * at its first write and fails once we commit, and a retention pass over
 * thousands of snapshots does not fill the lock table.  A busy snapshot is an
 * error, or with skip_busy a NOTICE and false.  Runs as the data owner; SPI
 * connected.
 */
static bool drop_snapshot(int64 snapshot_id, bool skip_busy)
{
    LOCKTAG tag;
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(snapshot_id)};

    /* the tag of pg_advisory_lock(int4, int4), as the worker takes it */
    SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32)POR_LOCK_CLASS, (uint32)(int32)snapshot_id, 2);
    if (LockAcquire(&tag, ExclusiveLock, false, true) == LOCKACQUIRE_NOT_AVAIL) {
        if (!skip_busy)
            ereport(ERROR, (errcode(ERRCODE_OBJECT_IN_USE), errmsg("snapshot %" PRId64 " is being proven", snapshot_id),
                            errdetail("A por_prove run of snapshot %" PRId64 " holds its lock.", snapshot_id),
                            errhint("Wait for por_prove to finish, or cancel it, then drop the snapshot.")));
        ereport(NOTICE, (errmsg("snapshot %" PRId64 " is being proven, kept", snapshot_id)));
        return false;
    }
    execute_checked("DELETE FROM por.snapshots WHERE snapshot_id = $1", 1, types, values, SPI_OK_DELETE);
    LockRelease(&tag, ExclusiveLock, false);
    return SPI_processed == 1;
}

PG_FUNCTION_INFO_V1(por_snapshot_drop);
/* por_snapshot_drop(snapshot_id bigint) RETURNS void: deletes a snapshot that is not being proven. */
Datum por_snapshot_drop(PG_FUNCTION_ARGS)
{
    int64 snapshot_id = PG_GETARG_INT64(0);
    por_owner_switch sw;
    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "por: SPI_connect failed");
    por_become_owner(&sw);
    if (!drop_snapshot(snapshot_id, false))
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("snapshot %" PRId64 " does not exist", snapshot_id)));
    por_restore_user(&sw);
    SPI_finish();
    PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(por_snapshot_retain);
/*
 * por_snapshot_retain(keep_last int, older_than interval) RETURNS bigint: the
 * retention policy for a scheduler.  keep_last keeps the keep_last newest
 * proven snapshots and every snapshot after the oldest of them (a frozen
 * snapshot still waiting for its proof is newer); older snapshots, proven or
 * orphaned by a failed run, go.  older_than spares snapshots taken within that
 * interval.  Both given: a snapshot goes only if both say so.  Snapshots being
 * proven are kept (NOTICE).  Returns how many were dropped.
 */
Datum por_snapshot_retain(PG_FUNCTION_ARGS)
{
    Oid types[2] = {INT4OID, INTERVALOID};
    Datum values[2];
    char nulls[2] = {' ', ' '};
    por_owner_switch sw;
    uint64 candidates;
    int64 *ids;
    int64 dropped = 0;

    if (PG_ARGISNULL(0) && PG_ARGISNULL(1))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("keep_last and older_than are both NULL"),
                        errdetail("por_snapshot_retain needs at least one of them to know what to keep.")));
    if (!PG_ARGISNULL(0) && PG_GETARG_INT32(0) < 1)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("keep_last must be at least 1"),
                        errdetail("Got %d.", PG_GETARG_INT32(0))));
    if (!PG_ARGISNULL(1)) {
        Interval *zero = palloc0(sizeof(Interval));
        if (DatumGetBool(DirectFunctionCall2(interval_lt, PG_GETARG_DATUM(1), IntervalPGetDatum(zero))))
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("older_than must not be negative"),
                            errdetail("Got %s.", DatumGetCString(DirectFunctionCall1(interval_out, PG_GETARG_DATUM(1))))));
    }
    values[0] = PG_ARGISNULL(0) ? (Datum)0 : PG_GETARG_DATUM(0);
    values[1] = PG_ARGISNULL(1) ? (Datum)0 : PG_GETARG_DATUM(1);
    for (int i = 0; i < 2; i++)
        if (PG_ARGISNULL(i))
            nulls[i] = 'n';

    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "por: SPI_connect failed");
    por_become_owner(&sw);
    /* the keep_last-th newest proven snapshot, NULL if there are fewer: then keep_last keeps all */
    if (SPI_execute_with_args(
            "SELECT s.snapshot_id FROM por.snapshots s"
            " WHERE ($1::int IS NULL OR s.snapshot_id < (SELECT p.snapshot_id FROM por.snapshots p"
            "        WHERE p.status = 'proven' ORDER BY p.snapshot_id DESC OFFSET $1 - 1 LIMIT 1))"
            "   AND ($2::interval IS NULL OR s.snapshot_time < now() - $2)"
            " ORDER BY s.snapshot_id",
            2, types, values, nulls, false, 0) != SPI_OK_SELECT)
        elog(ERROR, "por: selecting snapshots to retire failed");
    candidates = SPI_processed;
    ids = palloc(sizeof(int64) * (candidates ? candidates : 1));
    for (uint64 i = 0; i < candidates; i++) {
        bool isnull;
        ids[i] = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
    }
    for (uint64 i = 0; i < candidates; i++) {
        CHECK_FOR_INTERRUPTS();
        if (drop_snapshot(ids[i], true))
            dropped++;
    }
    por_restore_user(&sw);
    SPI_finish();
    PG_RETURN_INT64(dropped);
}

/*
 * por_prove's worker sees committed data only, so a snapshot created by the
 * calling transaction (even in the same statement, as in
 * SELECT por_prove(por_snapshot_create(...))) cannot be proven yet.  Not
 * read-only, so the lookup sees rows written earlier in this very statement.
 */
void por_refuse_snapshot_of_this_transaction(int64 snapshot_id)
{
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(snapshot_id)};
    bool isnull;
    if (SPI_execute_with_args("SELECT xmin FROM por.snapshots WHERE snapshot_id = $1", 1, types, values, NULL, false,
                              1) != SPI_OK_SELECT)
        elog(ERROR, "por: reading the snapshot failed");
    if (SPI_processed == 1 &&
        TransactionIdIsCurrentTransactionId(
            DatumGetTransactionId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull))))
        ereport(ERROR, (errcode(ERRCODE_INVALID_TRANSACTION_STATE),
                        errmsg("snapshot %" PRId64 " was created in this transaction", snapshot_id),
                        errdetail("por_prove's worker sees committed data only, so it cannot see snapshot %" PRId64
                                  ", not even when it was created earlier in the same statement.",
                                  snapshot_id),
                        errhint("Commit the transaction that created it, then run por_prove.")));
}
