/* Bundles: the manifest in JSON, the tree over batch roots, the whole check. */
#include "por/bundle.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/decimal.h"
#include "util/json.h"
#include "por/params_json.h"

/* A manifest is a few kilobytes even with 256 assets. */
#define JSON_MAX_BYTES (1u << 20)
#define JSON_MAX_VALUES 4096
#define JSON_MAX_DEPTH 3 /* top object > snapshot/assets > asset objects */
#define BUNDLE_FORMAT "por-bundle"

void por_bundle_manifest_free(por_bundle_manifest *m)
{
    if (m == NULL)
        return;
    free(m->params.assets);
    free(m->totals);
    m->params.assets = NULL;
    m->params.asset_count = 0;
    m->totals = NULL;
}

/*
 * The most a total can be: every leaf holding 2^B - 1 of the asset.  Below
 * 2^102 (2^40 leaves, B <= 62), so this and the sums never wrap.
 */
static unsigned __int128 total_bound(const por_params *pp)
{
    return (unsigned __int128)pp->leaf_count * ((1ULL << pp->balance_bits) - 1);
}

/* Every rule of the manifest, shared by writer, reader and por_bundle_check. */
static const char *check_manifest(const por_bundle_manifest *m)
{
    const char *why = por_params_check(&m->params);
    if (why != NULL)
        return why;
    if (m->params.batch_log2 > POR_BATCH_MAX_LOG2)
        return "batch_log2 is larger than a batch proof can be (20)";
    por_digest d;
    por_params_digest(&m->params, &d);
    if (memcmp(&d, &m->params_digest, sizeof(d)) != 0)
        return "params_digest does not match the snapshot parameters";
    if (m->batch_count != m->params.leaf_count >> m->params.batch_log2)
        return "batch_count is not leaf_count >> batch_log2";
    for (int i = 0; i < 4; i++)
        if (!gl_is_canonical(m->root.e[i]))
            return "root is not canonical";
    if (m->totals == NULL)
        return "no totals";
    unsigned __int128 bound = total_bound(&m->params);
    for (uint32_t t = 0; t < 2 * m->params.asset_count; t++)
        if (m->totals[t] > bound)
            return "a total exceeds leaf_count * (2^balance_bits - 1)";
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* JSON */

static void write_u128_string(json_writer *w, unsigned __int128 v)
{
    char buf[72 + 2];
    buf[0] = '"';
    por_units_to_decimal(v, 0, buf + 1, 72);
    strcat(buf, "\"");
    json_write_raw(w, buf);
}

/* A canonical decimal string ("0" or no leading zero) of a value below 2^128. */
static int json_string_u128(const json_value *v, unsigned __int128 *out)
{
    if (v == NULL || v->type != JSON_STRING || v->len < 1 || v->len > 39 || (v->text[0] == '0' && v->len > 1))
        return -1;
    unsigned __int128 x = 0, max = ~(unsigned __int128)0;
    for (size_t i = 0; i < v->len; i++) {
        unsigned d = (unsigned char)v->text[i] - '0';
        if (d > 9 || x > (max - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    *out = x;
    return 0;
}

char *por_bundle_manifest_to_json(const por_bundle_manifest *m)
{
    if (m == NULL || check_manifest(m) != NULL)
        return NULL;
    const por_params *pp = &m->params;
    json_writer w;
    json_writer_init(&w);
    json_write_raw(&w, "{\n  \"format\": \"" BUNDLE_FORMAT "\",\n  \"version\": 1,\n");
    if (por_params_json_write_snapshot(&w, pp, &m->params_digest) != 0) {
        free(json_writer_finish(&w));
        return NULL;
    }
    json_write_raw(&w, ",\n  \"assets\": [");
    for (uint32_t a = 0; a < pp->asset_count; a++) {
        json_write_raw(&w, a ? ",\n    {" : "\n    {");
        por_params_json_write_asset(&w, &pp->assets[a]);
        json_write_raw(&w, ", \"equity_total\": ");
        write_u128_string(&w, m->totals[a]);
        json_write_raw(&w, ", \"debt_total\": ");
        write_u128_string(&w, m->totals[pp->asset_count + a]);
        json_write_raw(&w, "}");
    }
    json_write_raw(&w, "\n  ],\n  \"batch_count\": ");
    json_write_u64(&w, m->batch_count);
    json_write_raw(&w, ",\n  \"root\": ");
    por_json_write_digest(&w, &m->root);
    if (m->has_final)
        json_write_raw(&w, ",\n  \"final_proof\": \"" POR_BUNDLE_FINAL_FILE "\"");
    json_write_raw(&w, "\n}\n");
    return json_writer_finish(&w);
}

/* "final_proof" last: optional, so a bundle without one is TOP_KEYS minus it */
static const char *const TOP_KEYS[] = {"format", "version", "snapshot", "assets", "batch_count", "root", "final_proof"};
static const char *const ASSET_KEYS[] = {"symbol", "decimals", "price_units", "haircut", "equity_total",
                                         "debt_total"};
#define NKEYS(k) (sizeof(k) / sizeof((k)[0]))

/* The schema of docs/FORMATS.md, field by field; the first mismatch wins. */
static const char *json_fields(const json_value *root, por_bundle_manifest *out)
{
    por_params *pp = &out->params;
    uint64_t v;
    const json_value *final_proof = json_get(root, "final_proof");
    out->has_final = final_proof != NULL;
    if (json_expect_keys(root, TOP_KEYS, NKEYS(TOP_KEYS) - !out->has_final) != 0)
        return "top level must be an object with exactly the keys format, version, snapshot, assets, "
               "batch_count, root and optionally final_proof";
    if (out->has_final && (final_proof->type != JSON_STRING || strcmp(final_proof->text, POR_BUNDLE_FINAL_FILE) != 0))
        return "final_proof is not \"" POR_BUNDLE_FINAL_FILE "\"";
    const json_value *format = json_get(root, "format");
    if (format->type != JSON_STRING || strcmp(format->text, BUNDLE_FORMAT) != 0)
        return "format is not \"" BUNDLE_FORMAT "\"";
    if (json_number_u64(json_get(root, "version"), UINT64_MAX, &v) != 0 || v != POR_BUNDLE_VERSION)
        return "unsupported version";
    const char *bad = por_params_json_read_snapshot(json_get(root, "snapshot"), pp, &out->params_digest);
    if (bad != NULL)
        return bad;
    const json_value *assets = json_get(root, "assets");
    if (assets->type != JSON_ARRAY || assets->count < 1 || assets->count > POR_MAX_ASSETS)
        return "assets is not an array of 1..256 assets";
    pp->assets = calloc(assets->count, sizeof(por_asset));
    out->totals = calloc(2 * assets->count, sizeof(unsigned __int128));
    if (pp->assets == NULL || out->totals == NULL)
        return "out of memory";
    pp->asset_count = (uint32_t)assets->count;
    for (size_t a = 0; a < assets->count; a++) {
        const json_value *item = &assets->items[a];
        if (json_expect_keys(item, ASSET_KEYS, NKEYS(ASSET_KEYS)) != 0)
            return "an asset must have exactly the keys symbol, decimals, price_units, haircut, "
                   "equity_total, debt_total";
        bad = por_params_json_read_asset(item, &pp->assets[a]);
        if (bad != NULL)
            return bad;
        if (json_string_u128(json_get(item, "equity_total"), &out->totals[a]) != 0)
            return "asset equity_total is not a decimal string below 2^128";
        if (json_string_u128(json_get(item, "debt_total"), &out->totals[assets->count + a]) != 0)
            return "asset debt_total is not a decimal string below 2^128";
    }
    if (json_number_u64(json_get(root, "batch_count"), UINT64_MAX, &out->batch_count) != 0)
        return "batch_count is not an integer";
    if (por_json_read_digest(json_get(root, "root"), &out->root) != 0)
        return "root is not 64 lowercase hex digits of a canonical digest";
    return NULL;
}

int por_bundle_manifest_from_json(const char *text, size_t len, por_bundle_manifest *out, const char **why)
{
    const char *reason = NULL;
    memset(out, 0, sizeof(*out));
    json_value *root = NULL;
    if (text == NULL)
        reason = "no input";
    else if (len > JSON_MAX_BYTES)
        reason = "manifest larger than 1 MiB";
    else if ((root = json_parse(text, len, JSON_MAX_DEPTH, JSON_MAX_VALUES, &reason)) != NULL &&
             (reason = json_fields(root, out)) == NULL)
        reason = check_manifest(out);
    json_free(root);
    if (reason == NULL)
        return 0;
    por_bundle_manifest_free(out);
    memset(out, 0, sizeof(*out));
    if (why != NULL)
        *why = reason;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* The tree above the batches */

/*
 * Streams the batch roots left to right keeping one pending left node per
 * level (no allocation, O(depth) state), then closes the right edge of the
 * tree with E_h exactly as tree.h's shape does: a node whose right child
 * lies past the end of its level pairs with E_h.
 */
void por_tree_root_from_batch_roots(const por_digest *batch_roots, uint64_t batch_count, unsigned batch_log2,
                                    por_digest *root)
{
    if (batch_count == 0) {
        por_empty_subtree(batch_log2, root);
        return;
    }
    unsigned top = batch_log2 + por_tree_depth(batch_count);
    por_digest pending[POR_MAX_DEPTH + 2];
    bool have[POR_MAX_DEPTH + 2] = {false};
    for (uint64_t i = 0; i < batch_count; i++) {
        por_digest cur = batch_roots[i];
        unsigned h = batch_log2;
        while (have[h]) {
            por_node_hash(&pending[h], &cur, &cur);
            have[h] = false;
            h++;
        }
        pending[h] = cur;
        have[h] = true;
    }
    /* carry: the last (partial) node of level h, built from what lies below */
    por_digest carry, empty;
    bool have_carry = false;
    por_empty_subtree(batch_log2, &empty);
    for (unsigned h = batch_log2; h < top; h++) {
        if (have[h] && have_carry)
            por_node_hash(&pending[h], &carry, &carry);
        else if (have[h])
            por_node_hash(&pending[h], &empty, &carry);
        else if (have_carry)
            por_node_hash(&carry, &empty, &carry);
        have_carry = have_carry || have[h];
        por_node_hash(&empty, &empty, &empty);
    }
    /* a power-of-two count leaves the root pending at the top, else it is the carry */
    *root = have_carry ? carry : pending[top];
}

/* ------------------------------------------------------------------------ */
/* The whole bundle */

static _Thread_local char why_buf[256];

/* A reason naming the batch, in the thread-local buffer. */
static const char *batch_reason(uint64_t i, const char *what)
{
    snprintf(why_buf, sizeof(why_buf), "batch %" PRIu64 ": %s", i, what);
    return why_buf;
}

/*
 * por_bundle_precheck, the reason in the static or thread-local buffer, or
 * NULL.  production: also each proof's por_batch_proof_precheck (a key
 * derived for the proofs is of the production configuration; a caller of
 * por_bundle_check may bring a key of another, as tests do).
 */
static const char *precheck(const por_bundle_manifest *m, const por_batch_proof *proofs, uint64_t proof_count,
                            bool production)
{
    const char *reason = check_manifest(m);
    if (reason != NULL)
        return reason;
    const por_params *pp = &m->params;
    uint32_t A = pp->asset_count;
    if ((reason = por_batch_shape_check(pp->batch_log2, A, pp->balance_bits)) != NULL)
        return reason;
    if (proof_count != m->batch_count) {
        snprintf(why_buf, sizeof(why_buf), "the bundle has %" PRIu64 " batch proofs, the manifest says %" PRIu64,
                 proof_count, m->batch_count);
        return why_buf;
    }
    /* labels and the snapshot first: cheap, and they explain a misplaced file better than a failed proof */
    for (uint64_t i = 0; i < proof_count && reason == NULL; i++) {
        const por_batch_proof *bp = &proofs[i];
        const char *bad = NULL;
        if (bp->batch_no != i)
            reason = batch_reason(i, "the proof is labelled with another batch number");
        else if (bp->snapshot_id != pp->snapshot_id)
            reason = batch_reason(i, "the proof is labelled with another snapshot id");
        else if (bp->batch_log2 != pp->batch_log2 || bp->asset_count != A || bp->balance_bits != pp->balance_bits)
            reason = batch_reason(i, "the proof's shape is not the snapshot's");
        else if (bp->statement.asset_count != A ||
                 memcmp(&bp->statement.params_digest, &m->params_digest, sizeof(por_digest)) != 0)
            reason = batch_reason(i, "the proof's params digest is not the snapshot's");
        else if (production && (bad = por_batch_proof_precheck(bp)) != NULL)
            reason = batch_reason(i, bad);
    }
    return reason;
}

int por_bundle_precheck(const por_bundle_manifest *m, const por_batch_proof *proofs, uint64_t proof_count,
                        const char **why)
{
    const char *reason = precheck(m, proofs, proof_count, true);
    if (reason != NULL && why != NULL)
        *why = reason;
    return reason == NULL ? 0 : -1;
}

int por_bundle_check(const por_bundle_manifest *m, const por_batch_vk *vk, const por_batch_proof *proofs,
                     uint64_t proof_count, unsigned __int128 *proven_totals, const char **why)
{
    const char *dummy, *reason = NULL;
    if (why == NULL)
        why = &dummy;
    unsigned __int128 *sums = NULL;
    por_digest *roots = NULL;
    if ((reason = precheck(m, proofs, proof_count, false)) != NULL)
        goto out;
    const por_params *pp = &m->params;
    uint32_t A = pp->asset_count;
    if (vk->batch_log2 != pp->batch_log2 || vk->asset_count != A || vk->balance_bits != pp->balance_bits) {
        reason = "the verifier key's shape is not the manifest's";
        goto out;
    }
    sums = calloc(2 * (size_t)A, sizeof(*sums));
    roots = malloc((proof_count ? proof_count : 1) * sizeof(*roots));
    if (sums == NULL || roots == NULL) {
        reason = "out of memory";
        goto out;
    }
    for (uint64_t i = 0; i < proof_count; i++) {
        const char *bad = NULL;
        if (por_batch_proof_verify(vk, &proofs[i], &bad) != 0) {
            reason = batch_reason(i, bad != NULL ? bad : "the proof does not verify");
            goto out;
        }
        roots[i] = proofs[i].statement.root;
        /* the circuit bounds every balance, so this never fires for a sound
         * proof; it keeps the 128-bit sums from wrapping whatever happens */
        unsigned __int128 batch_bound = ((unsigned __int128)1 << pp->batch_log2) * ((1ULL << pp->balance_bits) - 1);
        for (uint32_t t = 0; t < 2 * A; t++) {
            unsigned __int128 x = proofs[i].statement.totals[t][0] +
                                  ((unsigned __int128)proofs[i].statement.totals[t][1] << 32);
            if (x > batch_bound) {
                reason = batch_reason(i, "a total exceeds 2^batch_log2 * (2^balance_bits - 1)");
                goto out;
            }
            sums[t] += x;
        }
    }
    por_digest root;
    por_tree_root_from_batch_roots(roots, proof_count, pp->batch_log2, &root);
    if (memcmp(&root, &m->root, sizeof(root)) != 0) {
        reason = "the tree over the batch roots does not give the manifest's root";
        goto out;
    }
    for (uint32_t t = 0; t < 2 * A; t++)
        if (sums[t] != m->totals[t]) {
            snprintf(why_buf, sizeof(why_buf), "the proven %s total of %s is not the manifest's",
                     t < A ? "equity" : "debt", pp->assets[t % A].symbol);
            reason = why_buf;
            goto out;
        }
    if (proven_totals != NULL)
        memcpy(proven_totals, sums, 2 * (size_t)A * sizeof(*sums));
out:
    free(sums);
    free(roots);
    if (reason != NULL)
        *why = reason;
    return reason == NULL ? 0 : -1;
}
