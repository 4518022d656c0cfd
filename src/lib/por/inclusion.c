/* Inclusion proofs: content checks, binary and JSON encodings, verification. */
#include "por/inclusion.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "por/hex.h"
#include "util/json.h"
#include "por/params_json.h"

/* A JSON proof is a few kilobytes; anything this large is not one. */
#define JSON_MAX_BYTES (1u << 20)
#define JSON_MAX_VALUES 4096
#define JSON_MAX_DEPTH 3 /* top object > snapshot/account/assets > asset objects */

void por_inclusion_free(por_inclusion *proof)
{
    if (proof == NULL)
        return;
    free(proof->params.assets);
    free(proof->equity);
    free(proof->debt);
    proof->params.assets = NULL;
    proof->params.asset_count = 0;
    proof->equity = NULL;
    proof->debt = NULL;
}

/* Account ids are shown to people and stored as text: UTF-8 without NUL. */
static bool account_id_ok(const uint8_t *id, size_t len)
{
    return len >= 1 && len <= POR_ACCOUNT_ID_MAX && memchr(id, 0, len) == NULL &&
           json_utf8_valid(id, len);
}

static bool digest_canonical(const por_digest *d)
{
    for (int i = 0; i < 4; i++)
        if (!gl_is_canonical(d->e[i]))
            return false;
    return true;
}

/*
 * Every range rule of the format, shared by encode, decode and verify, so no
 * encoding can carry content that the other side would refuse.
 */
static const char *check_content(const por_inclusion *p)
{
    const char *why = por_params_check(&p->params);
    if (why != NULL)
        return why;
    if (!account_id_ok(p->account_id, p->account_id_len))
        return "account id is not 1..256 bytes of UTF-8 without NUL";
    for (int i = 0; i < 4; i++)
        if (!gl_is_canonical(p->salt[i]))
            return "salt is not canonical";
    if (p->leaf_index >= p->params.leaf_count)
        return "leaf index is not below the leaf count";
    if (p->equity == NULL || p->debt == NULL)
        return "no balances";
    uint64_t bound = 1ULL << p->params.balance_bits;
    for (uint32_t a = 0; a < p->params.asset_count; a++)
        if (p->equity[a] >= bound || p->debt[a] >= bound)
            return "balance out of range (>= 2^balance_bits)";
    unsigned depth = por_tree_depth(p->params.leaf_count);
    for (unsigned h = 0; h < depth; h++)
        if (!digest_canonical(&p->siblings[h]))
            return "sibling hash is not canonical";
    if (!digest_canonical(&p->root))
        return "root is not canonical";
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Binary */

typedef struct {
    uint8_t *buf;
    size_t pos;
} writer;

static void put_bytes(writer *w, const void *src, size_t n)
{
    memcpy(w->buf + w->pos, src, n);
    w->pos += n;
}

static void put_le(writer *w, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        w->buf[w->pos++] = (uint8_t)(v >> (8 * i));
}

static void put_digest(writer *w, const por_digest *d)
{
    por_digest_to_bytes(d, w->buf + w->pos);
    w->pos += 32;
}

uint8_t *por_inclusion_encode(const por_inclusion *proof, size_t *out_len)
{
    if (proof == NULL || check_content(proof) != NULL)
        return NULL;
    const por_params *pp = &proof->params;
    unsigned depth = por_tree_depth(pp->leaf_count);
    size_t size = 4 + 1 + 1 + 8 + 8 + 1 + 1 + 1 + 8 + 2;
    for (uint32_t a = 0; a < pp->asset_count; a++)
        size += 1 + strlen(pp->assets[a].symbol) + 1 + 8 + 1;
    size += 2 + proof->account_id_len + 32 + 8 + 16 * (size_t)pp->asset_count + 32 * (size_t)depth + 32;
    writer w = {malloc(size), 0};
    if (w.buf == NULL)
        return NULL;
    put_bytes(&w, POR_FORMAT_MAGIC, 4);
    put_le(&w, POR_FORMAT_VERSION, 1);
    put_le(&w, POR_KIND_INCLUSION, 1);
    put_le(&w, pp->snapshot_id, 8);
    put_le(&w, (uint64_t)pp->snapshot_time_us, 8);
    put_le(&w, pp->balance_bits, 1);
    put_le(&w, pp->price_scale, 1);
    put_le(&w, pp->batch_log2, 1);
    put_le(&w, pp->leaf_count, 8);
    put_le(&w, pp->asset_count, 2);
    for (uint32_t a = 0; a < pp->asset_count; a++) {
        const por_asset *asset = &pp->assets[a];
        size_t len = strlen(asset->symbol);
        put_le(&w, len, 1);
        put_bytes(&w, asset->symbol, len);
        put_le(&w, asset->decimals, 1);
        put_le(&w, asset->price_units, 8);
        put_le(&w, asset->haircut, 1);
    }
    put_le(&w, proof->account_id_len, 2);
    put_bytes(&w, proof->account_id, proof->account_id_len);
    for (int i = 0; i < 4; i++)
        put_le(&w, proof->salt[i], 8);
    put_le(&w, proof->leaf_index, 8);
    for (uint32_t a = 0; a < pp->asset_count; a++)
        put_le(&w, proof->equity[a], 8);
    for (uint32_t a = 0; a < pp->asset_count; a++)
        put_le(&w, proof->debt[a], 8);
    for (unsigned h = 0; h < depth; h++)
        put_digest(&w, &proof->siblings[h]);
    put_digest(&w, &proof->root);
    *out_len = w.pos;
    return w.buf;
}

typedef struct {
    const uint8_t *buf;
    size_t len, pos;
} reader;

/* Reads an n-byte little-endian integer; -1 if fewer than n bytes remain. */
static int get_le(reader *r, int n, uint64_t *out)
{
    if (r->len - r->pos < (size_t)n)
        return -1;
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)r->buf[r->pos + i] << (8 * i);
    r->pos += (size_t)n;
    *out = v;
    return 0;
}

static int get_bytes(reader *r, void *dst, size_t n)
{
    if (r->len - r->pos < n)
        return -1;
    memcpy(dst, r->buf + r->pos, n);
    r->pos += n;
    return 0;
}

static int get_digest(reader *r, por_digest *d, const char **why)
{
    if (r->len - r->pos < 32) {
        *why = "truncated";
        return -1;
    }
    if (por_digest_from_bytes(r->buf + r->pos, d) != 0) {
        *why = "hash word is not a canonical field element";
        return -1;
    }
    r->pos += 32;
    return 0;
}

/*
 * Field by field in the order of docs/FORMATS.md.  Every count is checked
 * against its bound before it sizes an allocation or a loop, so a hostile
 * length can neither overflow nor make us read past len.
 */
static int decode_fields(reader *r, por_inclusion *out, const char **why)
{
    uint8_t magic[4];
    uint64_t v;
    por_params *pp = &out->params;
#define GET(n, dst)                                                                                \
    do {                                                                                           \
        if (get_le(r, (n), &v) != 0) {                                                             \
            *why = "truncated";                                                                    \
            return -1;                                                                             \
        }                                                                                          \
        dst = v;                                                                                   \
    } while (0)
    if (get_bytes(r, magic, 4) != 0 || memcmp(magic, POR_FORMAT_MAGIC, 4) != 0) {
        *why = "not a por proof (bad magic)";
        return -1;
    }
    uint64_t version, kind;
    GET(1, version);
    if (version != POR_FORMAT_VERSION) {
        *why = "unsupported format version";
        return -1;
    }
    GET(1, kind);
    if (kind != POR_KIND_INCLUSION) {
        *why = "not an inclusion proof (wrong kind)";
        return -1;
    }
    GET(8, pp->snapshot_id);
    GET(8, v);
    if (v > (uint64_t)POR_TIME_US_MAX) {
        *why = "snapshot time out of range";
        return -1;
    }
    pp->snapshot_time_us = (int64_t)v;
    GET(1, pp->balance_bits);
    GET(1, pp->price_scale);
    GET(1, pp->batch_log2);
    GET(8, pp->leaf_count);
    uint64_t asset_count;
    GET(2, asset_count);
    if (asset_count < 1 || asset_count > POR_MAX_ASSETS) {
        *why = "asset count out of range";
        return -1;
    }
    pp->assets = calloc(asset_count, sizeof(por_asset));
    out->equity = calloc(asset_count, sizeof(uint64_t));
    out->debt = calloc(asset_count, sizeof(uint64_t));
    if (pp->assets == NULL || out->equity == NULL || out->debt == NULL) {
        *why = "out of memory";
        return -1;
    }
    pp->asset_count = (uint32_t)asset_count;
    for (uint32_t a = 0; a < pp->asset_count; a++) {
        por_asset *asset = &pp->assets[a];
        uint64_t len;
        GET(1, len);
        if (len < 1 || len > POR_SYMBOL_MAX) {
            *why = "asset symbol length out of range";
            return -1;
        }
        if (get_bytes(r, asset->symbol, len) != 0) {
            *why = "truncated";
            return -1;
        }
        /* a NUL inside would silently shorten the symbol: refuse it here */
        if (strlen(asset->symbol) != len) {
            *why = "asset symbol is not printable ASCII";
            return -1;
        }
        GET(1, asset->decimals);
        GET(8, asset->price_units);
        GET(1, asset->haircut);
    }
    const char *bad = por_params_check(pp);
    if (bad != NULL) {
        *why = bad;
        return -1;
    }
    GET(2, out->account_id_len);
    if (out->account_id_len < 1 || out->account_id_len > POR_ACCOUNT_ID_MAX) {
        *why = "account id length out of range";
        return -1;
    }
    if (get_bytes(r, out->account_id, out->account_id_len) != 0) {
        *why = "truncated";
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        GET(8, out->salt[i]);
        if (!gl_is_canonical(out->salt[i])) {
            *why = "salt word is not a canonical field element";
            return -1;
        }
    }
    GET(8, out->leaf_index);
    for (uint32_t a = 0; a < pp->asset_count; a++)
        GET(8, out->equity[a]);
    for (uint32_t a = 0; a < pp->asset_count; a++)
        GET(8, out->debt[a]);
    unsigned depth = por_tree_depth(pp->leaf_count);
    for (unsigned h = 0; h < depth; h++)
        if (get_digest(r, &out->siblings[h], why) != 0)
            return -1;
    if (get_digest(r, &out->root, why) != 0)
        return -1;
    if (r->pos != r->len) {
        *why = "trailing bytes";
        return -1;
    }
#undef GET
    return 0;
}

int por_inclusion_decode(const uint8_t *buf, size_t len, por_inclusion *out, const char **why)
{
    const char *reason = "no input";
    memset(out, 0, sizeof(*out));
    reader r = {buf, len, 0};
    if (buf != NULL && decode_fields(&r, out, &reason) == 0 &&
        (reason = check_content(out)) == NULL)
        return 0;
    por_inclusion_free(out);
    memset(out, 0, sizeof(*out));
    if (why != NULL)
        *why = reason;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* JSON */

char *por_inclusion_to_json(const por_inclusion *proof)
{
    if (proof == NULL || check_content(proof) != NULL)
        return NULL;
    const por_params *pp = &proof->params;
    por_digest params_digest;
    por_params_digest(pp, &params_digest);
    por_digest salt = {{proof->salt[0], proof->salt[1], proof->salt[2], proof->salt[3]}};

    json_writer w;
    json_writer_init(&w);
    json_write_raw(&w, "{\n  \"format\": \"por-inclusion-proof\",\n  \"version\": 1,\n");
    if (por_params_json_write_snapshot(&w, pp, &params_digest) != 0) {
        free(json_writer_finish(&w));
        return NULL;
    }
    json_write_raw(&w, ",\n  \"account\": {\n    \"id\": ");
    json_write_string(&w, (const char *)proof->account_id, proof->account_id_len);
    json_write_raw(&w, ",\n    \"salt\": ");
    por_json_write_digest(&w, &salt);
    json_write_raw(&w, ",\n    \"leaf_index\": ");
    json_write_u64(&w, proof->leaf_index);
    json_write_raw(&w, ",\n    \"batch\": ");
    json_write_u64(&w, proof->leaf_index >> pp->batch_log2);
    json_write_raw(&w, "\n  },\n  \"assets\": [");
    for (uint32_t a = 0; a < pp->asset_count; a++) {
        const por_asset *asset = &pp->assets[a];
        json_write_raw(&w, a ? ",\n    {" : "\n    {");
        por_params_json_write_asset(&w, asset);
        json_write_raw(&w, ", \"equity\": ");
        json_write_u64_string(&w, proof->equity[a]);
        json_write_raw(&w, ", \"debt\": ");
        json_write_u64_string(&w, proof->debt[a]);
        json_write_raw(&w, "}");
    }
    json_write_raw(&w, "\n  ],\n  \"path\": [");
    unsigned depth = por_tree_depth(pp->leaf_count);
    for (unsigned h = 0; h < depth; h++) {
        json_write_raw(&w, h ? ",\n    " : "\n    ");
        por_json_write_digest(&w, &proof->siblings[h]);
    }
    json_write_raw(&w, depth ? "\n  ],\n  \"root\": " : "],\n  \"root\": ");
    por_json_write_digest(&w, &proof->root);
    json_write_raw(&w, "\n}\n");
    return json_writer_finish(&w);
}

static const char *const TOP_KEYS[] = {"format", "version", "snapshot", "account", "assets", "path", "root"};
static const char *const ACCOUNT_KEYS[] = {"id", "salt", "leaf_index", "batch"};
static const char *const ASSET_KEYS[] = {"symbol", "haircut", "decimals", "price_units", "equity", "debt"};
#define NKEYS(k) (sizeof(k) / sizeof((k)[0]))

/* The schema of docs/FORMATS.md, field by field; the first mismatch wins. */
static const char *json_fields(const json_value *root, por_inclusion *out, por_digest *params_digest)
{
    por_params *pp = &out->params;
    uint64_t v;
    if (json_expect_keys(root, TOP_KEYS, NKEYS(TOP_KEYS)) != 0)
        return "top level must be an object with exactly the keys format, version, snapshot, "
               "account, assets, path, root";
    const json_value *format = json_get(root, "format");
    if (format->type != JSON_STRING || strcmp(format->text, "por-inclusion-proof") != 0)
        return "format is not \"por-inclusion-proof\"";
    if (json_number_u64(json_get(root, "version"), UINT64_MAX, &v) != 0 || v != POR_FORMAT_VERSION)
        return "unsupported version";

    const char *bad = por_params_json_read_snapshot(json_get(root, "snapshot"), pp, params_digest);
    if (bad != NULL)
        return bad;

    const json_value *acct = json_get(root, "account");
    if (json_expect_keys(acct, ACCOUNT_KEYS, NKEYS(ACCOUNT_KEYS)) != 0)
        return "account must have exactly the keys id, salt, leaf_index, batch";
    const json_value *id = json_get(acct, "id");
    if (id->type != JSON_STRING || id->len < 1 || id->len > POR_ACCOUNT_ID_MAX)
        return "account.id is not a string of 1..256 bytes";
    memcpy(out->account_id, id->text, id->len);
    out->account_id_len = id->len;
    por_digest salt;
    if (por_json_read_digest(json_get(acct, "salt"), &salt) != 0)
        return "account.salt is not 64 lowercase hex digits of 4 canonical words";
    memcpy(out->salt, salt.e, sizeof(out->salt));
    if (json_number_u64(json_get(acct, "leaf_index"), UINT64_MAX, &out->leaf_index) != 0)
        return "account.leaf_index is not an integer";
    uint64_t batch;
    if (json_number_u64(json_get(acct, "batch"), UINT64_MAX, &batch) != 0)
        return "account.batch is not an integer";

    const json_value *assets = json_get(root, "assets");
    if (assets->type != JSON_ARRAY || assets->count < 1 || assets->count > POR_MAX_ASSETS)
        return "assets is not an array of 1..256 assets";
    pp->assets = calloc(assets->count, sizeof(por_asset));
    out->equity = calloc(assets->count, sizeof(uint64_t));
    out->debt = calloc(assets->count, sizeof(uint64_t));
    if (pp->assets == NULL || out->equity == NULL || out->debt == NULL)
        return "out of memory";
    pp->asset_count = (uint32_t)assets->count;
    for (size_t a = 0; a < assets->count; a++) {
        const json_value *item = &assets->items[a];
        por_asset *asset = &pp->assets[a];
        if (json_expect_keys(item, ASSET_KEYS, NKEYS(ASSET_KEYS)) != 0)
            return "an asset must have exactly the keys symbol, decimals, price_units, haircut, "
                   "equity, debt";
        bad = por_params_json_read_asset(item, asset);
        if (bad != NULL)
            return bad;
        if (json_string_u64(json_get(item, "equity"), UINT64_MAX, &out->equity[a]) != 0)
            return "asset equity is not a decimal string";
        if (json_string_u64(json_get(item, "debt"), UINT64_MAX, &out->debt[a]) != 0)
            return "asset debt is not a decimal string";
    }
    bad = por_params_check(pp);
    if (bad != NULL)
        return bad;
    /* derived like params_digest, but checked here: batch_log2 is now known good */
    if (batch != out->leaf_index >> pp->batch_log2)
        return "account.batch is not leaf_index >> batch_log2";

    const json_value *path = json_get(root, "path");
    unsigned depth = por_tree_depth(pp->leaf_count);
    if (path->type != JSON_ARRAY || path->count != depth)
        return "path is not an array of depth = ceil(log2(leaf_count)) sibling hashes";
    for (unsigned h = 0; h < depth; h++)
        if (por_json_read_digest(&path->items[h], &out->siblings[h]) != 0)
            return "path entry is not 64 lowercase hex digits of a canonical digest";
    if (por_json_read_digest(json_get(root, "root"), &out->root) != 0)
        return "root is not 64 lowercase hex digits of a canonical digest";
    return NULL;
}

int por_inclusion_from_json(const char *text, size_t len, por_inclusion *out, const char **why)
{
    const char *reason = NULL;
    memset(out, 0, sizeof(*out));
    json_value *root = NULL;
    por_digest claimed, actual;
    if (text == NULL)
        reason = "no input";
    else if (len > JSON_MAX_BYTES)
        reason = "JSON proof larger than 1 MiB";
    else if ((root = json_parse(text, len, JSON_MAX_DEPTH, JSON_MAX_VALUES, &reason)) != NULL &&
             (reason = json_fields(root, out, &claimed)) == NULL &&
             (reason = check_content(out)) == NULL) {
        /* the digest is derived data: carried for people, recomputed here */
        por_params_digest(&out->params, &actual);
        if (memcmp(&claimed, &actual, sizeof(actual)) != 0)
            reason = "snapshot.params_digest does not match the snapshot parameters";
    }
    json_free(root);
    if (reason == NULL)
        return 0;
    por_inclusion_free(out);
    memset(out, 0, sizeof(*out));
    if (why != NULL)
        *why = reason;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Verification */

int por_inclusion_verify(const por_inclusion *proof, const por_digest *expected_root,
                         const char **why)
{
    const char *reason = proof == NULL ? "no proof" : check_content(proof);
    if (reason != NULL)
        goto out;
    const por_params *pp = &proof->params;
    unsigned depth = por_tree_depth(pp->leaf_count);

    /* Where the sibling position lies past the end of its level, the tree
     * shape fixes the sibling to E_h: anything else is not our tree.  E_h is
     * only computed up to the highest level that needs it. */
    unsigned need = 0;
    for (unsigned h = 0; h < depth; h++)
        if (((proof->leaf_index >> h) ^ 1) >= por_tree_level_size(pp->leaf_count, h))
            need = h + 1;
    por_digest empty;
    por_empty_subtree(0, &empty);
    for (unsigned h = 0; h < need; h++) {
        if (((proof->leaf_index >> h) ^ 1) >= por_tree_level_size(pp->leaf_count, h) &&
            memcmp(&proof->siblings[h], &empty, sizeof(empty)) != 0) {
            reason = "a sibling past the end of its level is not the empty subtree hash";
            goto out;
        }
        por_node_hash(&empty, &empty, &empty);
    }

    por_digest commitment, leaf, root;
    if (por_id_commitment(proof->account_id, proof->account_id_len, proof->salt, &commitment) != 0) {
        reason = "cannot compute the id commitment";
        goto out;
    }
    por_leaf_hash(&commitment, proof->equity, proof->debt, pp->asset_count, &leaf);
    por_tree_root_from_path(&leaf, proof->leaf_index, pp->leaf_count, proof->siblings, &root);
    if (memcmp(&root, &proof->root, sizeof(root)) != 0) {
        reason = "the path does not lead to the proof's root";
        goto out;
    }
    if (expected_root != NULL && memcmp(&root, expected_root, sizeof(root)) != 0) {
        reason = "the proof's root is not the expected root";
        goto out;
    }
    /* Every leaf of a provable tree is solvent (DESIGN 2 item 4), so a proof
     * for an insolvent account cannot belong to any valid final proof. */
    if (!por_account_solvent(pp, proof->equity, proof->debt))
        reason = "the account is not solvent under the snapshot's prices and haircuts";
out:
    if (reason != NULL && why != NULL)
        *why = reason;
    return reason == NULL ? 0 : -1;
}

/*
 * Folds the leaf up the first batch_log2 siblings only.  The batch circuit
 * proves this node (its public root), so comparing it with a batch proof's
 * root ties the account to that batch proof without the rest of the tree.
 */
void por_inclusion_batch_root(const por_inclusion *proof, por_digest *out)
{
    const por_params *pp = &proof->params;
    por_digest commitment, cur;
    if (por_id_commitment(proof->account_id, proof->account_id_len, proof->salt, &commitment) != 0) {
        memset(out, 0, sizeof(*out)); /* unreachable for content that passed the checks */
        return;
    }
    por_leaf_hash(&commitment, proof->equity, proof->debt, pp->asset_count, &cur);
    for (unsigned h = 0; h < pp->batch_log2; h++) {
        if ((proof->leaf_index >> h) & 1)
            por_node_hash(&proof->siblings[h], &cur, &cur);
        else
            por_node_hash(&cur, &proof->siblings[h], &cur);
    }
    *out = cur;
}
