/*
 * Snapshot parameters (range checks, digest layout, every field bound),
 * exact solvency arithmetic at its edges, and inclusion proofs: binary and
 * JSON round trips, verification of every leaf, and the negative cases
 * (flipped and truncated bytes, wrong root, changed balance, sibling, salt,
 * leaf index, price; crafted non-canonical or out-of-range encodings), and
 * the batch a proof belongs to (JSON "batch", the level-k node of the path).
 */
#include <stdlib.h>
#include <string.h>

#include "fixture_inclusion.h"
#include "por/params.h"
#include "tap.h"
#include "text_edit.h"

static bool deq(const por_digest *a, const por_digest *b) { return memcmp(a, b, sizeof(*a)) == 0; }

/* ------------------------------------------------------------------------ */
/* Parameters */

static void test_params_check(void)
{
    fixture fx;
    fx_init(&fx, 5, 2, 1);
    por_asset assets[3];
    por_params p;
#define RESET() (memcpy(assets, fx.assets, sizeof(assets)), p = fx.params, p.assets = assets)
#define REJECTS(stmt, what)                                                                        \
    do {                                                                                           \
        RESET();                                                                                   \
        stmt;                                                                                      \
        ok(por_params_check(&p) != NULL, "params check rejects %s", what);                         \
    } while (0)
#define ACCEPTS(stmt, what)                                                                        \
    do {                                                                                           \
        RESET();                                                                                   \
        stmt;                                                                                      \
        const char *why_ = por_params_check(&p);                                                   \
        ok(why_ == NULL, "params check accepts %s (%s)", what, why_ ? why_ : "ok");                \
    } while (0)
    ACCEPTS((void)0, "the fixture");
    REJECTS(p.snapshot_id = 1ULL << 63, "snapshot id 2^63");
    ACCEPTS(p.snapshot_id = (1ULL << 63) - 1, "snapshot id 2^63 - 1");
    REJECTS(p.snapshot_time_us = -1, "a negative time");
    REJECTS(p.snapshot_time_us = POR_TIME_US_MAX + 1, "a time after 9999");
    ACCEPTS(p.snapshot_time_us = POR_TIME_US_MAX, "the last representable time");
    REJECTS(p.balance_bits = 0, "balance_bits 0");
    REJECTS(p.balance_bits = 63, "balance_bits 63");
    ACCEPTS(p.balance_bits = 1, "balance_bits 1");
    REJECTS(p.price_scale = POR_PRICE_SCALE_MAX + 1, "price_scale above its maximum");
    REJECTS(p.batch_log2 = 4, "a leaf count that is not a multiple of the batch");
    REJECTS(p.batch_log2 = 41, "batch_log2 41");
    ACCEPTS((p.batch_log2 = 40, p.leaf_count = 1ULL << 40), "2^40 leaves in one batch");
    REJECTS((p.batch_log2 = 0, p.leaf_count = (1ULL << 40) + 1), "more than 2^40 leaves");
    REJECTS(p.leaf_count = 0, "zero leaves");
    REJECTS(p.asset_count = 0, "zero assets");
    REJECTS(p.asset_count = POR_MAX_ASSETS + 1, "257 assets");
    REJECTS(p.assets = NULL, "a NULL asset array");
    REJECTS(assets[1].symbol[0] = '\0', "an empty symbol");
    REJECTS(assets[1].symbol[1] = ' ', "a symbol with a space");
    REJECTS(assets[1].symbol[1] = (char)0xc3, "a symbol with a non-ASCII byte");
    REJECTS(assets[1].symbol[1] = '\n', "a symbol with a control character");
    REJECTS(strcpy(assets[2].symbol, "BTC"), "a duplicate symbol");
    REJECTS(memset(assets[0].symbol, 'A', sizeof(assets[0].symbol)), "a 33-byte symbol (no NUL)");
    ACCEPTS((memset(assets[0].symbol, 'A', 32), assets[0].symbol[32] = 0), "a 32-byte symbol");
    REJECTS(assets[0].decimals = 31, "31 decimals");
    REJECTS(assets[0].price_units = 1ULL << 63, "price 2^63");
    ACCEPTS(assets[0].price_units = POR_PRICE_UNITS_MAX, "price 2^63 - 1");
    REJECTS(assets[2].haircut = 101, "haircut 101");
    ACCEPTS(assets[2].haircut = 0, "haircut 0");
    fx_free(&fx);
}

/* The digest input spelled out by hand for the fixture's parameters. */
static void test_params_digest_layout(void)
{
    fixture fx;
    fx_init(&fx, 5, 2, 1);
    const por_params *p = &fx.params;
    gl_t in[64];
    size_t n = 0;
    in[n++] = 2;
    in[n++] = p->snapshot_id;
    in[n++] = (uint64_t)p->snapshot_time_us;
    in[n++] = p->balance_bits;
    in[n++] = p->price_scale;
    in[n++] = p->batch_log2;
    in[n++] = p->leaf_count;
    in[n++] = 3;
    /* every symbol: length, then exactly 5 elements of 7 bytes, zero-padded */
    in[n++] = 3, in[n++] = 0x435442, in[n++] = 0, in[n++] = 0, in[n++] = 0, in[n++] = 0; /* "BTC" */
    in[n++] = 8, in[n++] = 91234560000000000ULL, in[n++] = 90;
    in[n++] = 3, in[n++] = 0x485445, in[n++] = 0, in[n++] = 0, in[n++] = 0, in[n++] = 0; /* "ETH" */
    in[n++] = 18, in[n++] = 301234, in[n++] = 80;
    in[n++] = 4, in[n++] = 0x54445355, in[n++] = 0, in[n++] = 0, in[n++] = 0, in[n++] = 0; /* "USDT" */
    in[n++] = 6, in[n++] = 100010000000000ULL, in[n++] = 100;
    por_digest want, got;
    por_hash(POR_DOMAIN_PARAMS, in, n, &want);
    por_params_digest(p, &got);
    ok(deq(&got, &want), "params digest = por_hash(DOMAIN_PARAMS, documented encoding)");

    /* a long symbol packs 7 bytes per element, still 5 elements */
    por_asset one = {"ABCDEFGHIJ", 2, 5, 100};
    por_params q = *p;
    q.asset_count = 1;
    q.assets = &one;
    n = 8;
    in[7] = 1;
    in[n++] = 10, in[n++] = 0x47464544434241ULL, in[n++] = 0x4a4948, in[n++] = 0, in[n++] = 0, in[n++] = 0;
    in[n++] = 2, in[n++] = 5, in[n++] = 100;
    por_hash(POR_DOMAIN_PARAMS, in, n, &want);
    por_params_digest(&q, &got);
    ok(deq(&got, &want), "a 10-byte symbol is packed into five elements, zero-padded");
    /* the version-1 layout (ceil(len / 7) elements) no longer matches */
    in[0] = 1;
    n = 8;
    in[n++] = 10, in[n++] = 0x47464544434241ULL, in[n++] = 0x4a4948;
    in[n++] = 2, in[n++] = 5, in[n++] = 100;
    por_hash(POR_DOMAIN_PARAMS, in, n, &want);
    ok(!deq(&got, &want), "the variable-width version-1 layout is not the digest");
    in[0] = 2;

    /* a 32-byte symbol fills the five elements: the last holds bytes 28..31 */
    por_asset full = {"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", 0, 1, 0};
    q.assets = &full;
    n = 8;
    in[n++] = 32, in[n++] = 0x47464544434241ULL, in[n++] = 0x4e4d4c4b4a4948ULL,
    in[n++] = 0x5554535251504fULL, in[n++] = 0x31305a59585756ULL, in[n++] = 0x35343332;
    in[n++] = 0, in[n++] = 1, in[n++] = 0;
    por_hash(POR_DOMAIN_PARAMS, in, n, &want);
    por_params_digest(&q, &got);
    ok(deq(&got, &want), "a 32-byte symbol fills the five elements");
    fx_free(&fx);
}

/* Each field changed on its own changes the digest. */
static void test_params_digest_binds(void)
{
    fixture fx;
    fx_init(&fx, 5, 2, 1);
    por_asset assets[3];
    por_params p;
    por_digest base, d;
    por_params_digest(&fx.params, &base);
#define CHANGES(stmt, what)                                                                        \
    do {                                                                                           \
        RESET();                                                                                   \
        stmt;                                                                                      \
        por_params_digest(&p, &d);                                                             \
        ok(!deq(&d, &base), "params digest binds %s", what);                                   \
    } while (0)
    RESET();
    por_params_digest(&p, &d);
    ok(deq(&d, &base), "same parameters, same digest");
    CHANGES(p.snapshot_id++, "snapshot_id");
    CHANGES(p.snapshot_time_us++, "snapshot_time_us");
    CHANGES(p.balance_bits--, "balance_bits");
    CHANGES(p.price_scale++, "price_scale");
    CHANGES(p.batch_log2--, "batch_log2");
    CHANGES(p.leaf_count += 4, "leaf_count");
    CHANGES(p.asset_count = 2, "asset_count (dropping the last asset)");
    CHANGES(assets[1].symbol[2] = 'C', "a symbol byte");
    CHANGES(strcpy(assets[2].symbol, "USDTX"), "a symbol's length");
    CHANGES(assets[1].decimals++, "decimals");
    CHANGES(assets[0].price_units++, "price_units");
    CHANGES(assets[2].haircut--, "haircut");
    CHANGES((assets[0] = fx.assets[1], assets[1] = fx.assets[0]), "the asset order");
    fx_free(&fx);
}

/* ------------------------------------------------------------------------ */
/* Solvency */

static void test_solvency(void)
{
    por_asset a[2] = {{"A", 0, 1, 100}, {"B", 0, 1, 100}};
    por_params p = {.asset_count = 2, .assets = a};
    const uint64_t E = (1ULL << 62) - 1, P = POR_PRICE_UNITS_MAX;
    uint64_t e[2], d[2];

    a[0].price_units = a[1].price_units = P;
    e[0] = E, e[1] = 0, d[0] = 0, d[1] = E;
    ok(por_account_solvent(&p, e, d), "max equity covers max debt exactly (terms ~2^133, no wrap)");
    e[0] = E - 1;
    ok(!por_account_solvent(&p, e, d), "one unit short at maximum values is insolvent");
    e[0] = 0, e[1] = 0, d[0] = 0, d[1] = 0;
    ok(por_account_solvent(&p, e, d), "all zero is solvent");
    d[1] = 1;
    ok(!por_account_solvent(&p, e, d), "debt 1 with no equity is insolvent");

    /* haircuts: 100 units at 50% cover exactly 50 units of debt */
    a[0] = (por_asset){"A", 0, 7, 50};
    a[1] = (por_asset){"B", 0, 7, 100};
    e[0] = 100, e[1] = 0, d[0] = 0, d[1] = 50;
    ok(por_account_solvent(&p, e, d), "haircut 50: 100 units cover 50 of debt");
    d[1] = 51;
    ok(!por_account_solvent(&p, e, d), "haircut 50: 100 units do not cover 51");
    a[0].haircut = 0;
    d[1] = 1;
    ok(!por_account_solvent(&p, e, d), "haircut 0: equity counts for nothing");
    d[1] = 0;
    ok(por_account_solvent(&p, e, d), "haircut 0 with no debt is solvent");
    /* debt is never discounted by the haircut of its own asset */
    a[0].haircut = 90;
    e[0] = 100, d[0] = 91, d[1] = 0;
    ok(!por_account_solvent(&p, e, d), "same-asset debt counts at full price");
    d[0] = 90;
    ok(por_account_solvent(&p, e, d), "same-asset debt at 90% is covered at haircut 90");

    /* 256 assets all at maximum: sums near 2^141, a 128-bit accumulator would wrap */
    por_asset *many = calloc(POR_MAX_ASSETS, sizeof(por_asset));
    uint64_t *me = calloc(POR_MAX_ASSETS, 8), *md = calloc(POR_MAX_ASSETS, 8);
    for (int i = 0; i < POR_MAX_ASSETS; i++) {
        many[i] = (por_asset){"X", 0, P, 100};
        me[i] = E, md[i] = E;
    }
    p.asset_count = POR_MAX_ASSETS;
    p.assets = many;
    ok(por_account_solvent(&p, me, md), "256 assets at maximum, equity = debt: solvent");
    md[255] = E + 1;
    ok(!por_account_solvent(&p, me, md), "256 assets at maximum, one more unit of debt: insolvent");
    md[255] = E;
    me[0] = E - 1;
    ok(!por_account_solvent(&p, me, md), "256 assets at maximum, one unit less equity: insolvent");
    /* a value that fools a 128-bit accumulator: 2^128 worth of debt vs a little equity */
    for (int i = 0; i < POR_MAX_ASSETS; i++)
        me[i] = md[i] = 0;
    many[0].price_units = 1ULL << 62, md[0] = 1ULL << 59; /* * 100 * 2^121 ~ 2^127.6 */
    many[1].price_units = 1ULL << 62, md[1] = 1ULL << 59;
    me[2] = 1;
    ok(!por_account_solvent(&p, me, md), "debt worth more than 2^128 units is not wrapped to small");
    free(many);
    free(me);
    free(md);
}

/* ------------------------------------------------------------------------ */
/* Inclusion proofs */

static void test_round_trips(void)
{
    fixture fx;
    fx_init(&fx, 37, 3, 42); /* 40 leaves, depth 6, 3 padding leaves */
    int verified = 1, binary = 1, json = 1;
    for (uint64_t i = 0; i < fx.params.leaf_count; i++) {
        por_inclusion p, q, r;
        fx_proof(&fx, i, &p);
        const char *why = NULL;
        verified &= por_inclusion_verify(&p, fx_root(&fx), &why) == 0;
        size_t len = 0, len2 = 0;
        uint8_t *bin = por_inclusion_encode(&p, &len);
        binary &= bin != NULL && por_inclusion_decode(bin, len, &q, &why) == 0;
        uint8_t *bin2 = por_inclusion_encode(&q, &len2);
        binary &= bin2 != NULL && len2 == len && memcmp(bin, bin2, len) == 0;
        binary &= por_inclusion_verify(&q, fx_root(&fx), &why) == 0;
        char *text = por_inclusion_to_json(&p);
        json &= text != NULL && por_inclusion_from_json(text, strlen(text), &r, &why) == 0;
        uint8_t *bin3 = por_inclusion_encode(&r, &len2);
        json &= bin3 != NULL && len2 == len && memcmp(bin, bin3, len) == 0;
        if (i == 0)
            diag("binary proof: %zu bytes, JSON: %zu bytes (3 assets, depth 6)", len, strlen(text));
        free(bin);
        free(bin2);
        free(bin3);
        free(text);
        por_inclusion_free(&p);
        por_inclusion_free(&q);
        por_inclusion_free(&r);
    }
    ok(verified, "every leaf's proof verifies against the root");
    ok(binary, "binary encode/decode round trip is byte-identical for every leaf");
    ok(json, "JSON round trip gives the same binary encoding for every leaf");

    /* a one-leaf tree: no path at all */
    fixture one;
    fx_init(&one, 1, 0, 5);
    por_inclusion p, q;
    fx_proof(&one, 0, &p);
    size_t len;
    uint8_t *bin = por_inclusion_encode(&p, &len);
    const char *why = NULL;
    ok(bin != NULL && por_inclusion_decode(bin, len, &q, &why) == 0 &&
           por_inclusion_verify(&q, fx_root(&one), &why) == 0,
       "a one-leaf tree's proof (depth 0) round-trips and verifies");
    free(bin);
    por_inclusion_free(&p);
    por_inclusion_free(&q);
    fx_free(&one);
    fx_free(&fx);
}

/*
 * What a customer does with a proof: decode it, verify it against the
 * published root and compare the parameters digest with the published one.
 * Returns 1 if all of that accepts.
 */
static int accepted(const uint8_t *buf, size_t len, const por_digest *root, const por_digest *params)
{
    por_inclusion q;
    if (por_inclusion_decode(buf, len, &q, NULL) != 0)
        return 0;
    por_digest d;
    por_params_digest(&q.params, &d);
    int ok_ = deq(&d, params) && por_inclusion_verify(&q, root, NULL) == 0;
    por_inclusion_free(&q);
    return ok_;
}

static void test_flips_and_truncations(void)
{
    fixture fx;
    fx_init(&fx, 37, 3, 42);
    por_inclusion p;
    fx_proof(&fx, 11, &p);
    por_digest params;
    por_params_digest(&fx.params, &params);
    size_t len;
    uint8_t *bin = por_inclusion_encode(&p, &len);
    ok(accepted(bin, len, fx_root(&fx), &params), "the unmodified proof is accepted");
    /* one bit of every byte (a different bit position from byte to byte) */
    int rejected_all = 1;
    size_t first_bad = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t mask = (uint8_t)(1 << (i * 5 % 8));
        bin[i] ^= mask;
        if (accepted(bin, len, fx_root(&fx), &params)) {
            if (rejected_all)
                first_bad = i;
            rejected_all = 0;
        }
        bin[i] ^= mask;
    }
    ok(rejected_all, "a one-bit flip in each of the %zu bytes is rejected (first accepted at %zu)",
       len, first_bad);
    int all_bytes = 1;
    for (size_t i = 0; i < len; i++) {
        bin[i] ^= 0xff;
        all_bytes &= !accepted(bin, len, fx_root(&fx), &params);
        bin[i] ^= 0xff;
    }
    ok(all_bytes, "every byte inverted is rejected");
    int truncs = 1;
    for (size_t n = 0; n < len; n++) {
        por_inclusion q;
        if (por_inclusion_decode(bin, n, &q, NULL) == 0) {
            truncs = 0;
            por_inclusion_free(&q);
        }
    }
    ok(truncs, "decode rejects the proof truncated at every length 0..%zu", len - 1);
    uint8_t *longer = malloc(len + 1);
    memcpy(longer, bin, len);
    longer[len] = 0;
    por_inclusion q;
    const char *why = NULL;
    ok(por_inclusion_decode(longer, len + 1, &q, &why) == -1 && strcmp(why, "trailing bytes") == 0,
       "decode rejects a trailing byte");
    ok(por_inclusion_decode(NULL, 0, &q, &why) == -1, "decode rejects NULL");
    free(longer);
    free(bin);
    por_inclusion_free(&p);
    fx_free(&fx);
}

/* Content changes re-encoded as valid proofs: verification must catch each. */
static void test_content_changes(void)
{
    fixture fx;
    fx_init(&fx, 37, 3, 42);
    uint64_t leaf = fx_first_real(&fx);
    por_inclusion p;
    const char *why = NULL;
    por_digest other_root = *fx_root(&fx);
    other_root.e[0] ^= 1;

    fx_proof(&fx, leaf, &p);
    ok(por_inclusion_verify(&p, NULL, &why) == 0, "verifies without an expected root");
    ok(por_inclusion_verify(&p, &other_root, &why) == -1 &&
           strcmp(why, "the proof's root is not the expected root") == 0,
       "a different expected root is rejected (%s)", why);
    p.root = other_root;
    ok(por_inclusion_verify(&p, NULL, &why) == -1, "a proof carrying another root fails (%s)", why);
    por_inclusion_free(&p);

    fx_proof(&fx, leaf, &p);
    p.equity[0] += 1;
    size_t len;
    uint8_t *bin = por_inclusion_encode(&p, &len);
    por_inclusion q;
    ok(bin != NULL && por_inclusion_decode(bin, len, &q, &why) == 0,
       "a changed balance still encodes and decodes");
    ok(por_inclusion_verify(&q, fx_root(&fx), &why) == -1, "a changed equity fails to verify (%s)", why);
    free(bin);
    por_inclusion_free(&q);
    por_inclusion_free(&p);

    fx_proof(&fx, leaf, &p);
    p.debt[2] += 1;
    ok(por_inclusion_verify(&p, fx_root(&fx), &why) == -1, "a changed debt fails to verify");
    por_inclusion_free(&p);

    fx_proof(&fx, leaf, &p);
    p.siblings[3].e[2] ^= 4;
    ok(por_inclusion_verify(&p, fx_root(&fx), &why) == -1, "a changed sibling fails to verify");
    por_inclusion_free(&p);

    fx_proof(&fx, leaf, &p);
    p.salt[1] ^= 1;
    ok(por_inclusion_verify(&p, fx_root(&fx), &why) == -1, "a changed salt fails to verify");
    por_inclusion_free(&p);

    fx_proof(&fx, leaf, &p);
    p.account_id[0] ^= 1;
    ok(por_inclusion_verify(&p, fx_root(&fx), &why) == -1, "a changed account id fails to verify");
    por_inclusion_free(&p);

    fx_proof(&fx, leaf, &p);
    p.leaf_index ^= 1;
    ok(por_inclusion_verify(&p, fx_root(&fx), &why) == -1, "a changed leaf index fails to verify");
    p.leaf_index = fx.params.leaf_count;
    ok(por_inclusion_verify(&p, NULL, &why) == -1 && por_inclusion_encode(&p, &len) == NULL,
       "leaf index = leaf count is refused by verify and encode");
    por_inclusion_free(&p);

    /* equity and debt swapped between the columns */
    fx_proof(&fx, leaf, &p);
    uint64_t t = p.equity[0];
    p.equity[0] = p.debt[0], p.debt[0] = t;
    ok(por_inclusion_verify(&p, fx_root(&fx), &why) == -1 &&
           strcmp(why, "the path does not lead to the proof's root") == 0,
       "equity and debt swapped fail to verify (%s)", why);
    por_inclusion_free(&p);

    /* price: the root does not cover it, the published parameters digest does */
    fx_proof(&fx, leaf, &p);
    por_digest before, after;
    por_params_digest(&p.params, &before);
    p.params.assets[0].price_units *= 2;
    por_params_digest(&p.params, &after);
    ok(!deq(&before, &after), "a changed price gives another parameters digest");
    char *text = por_inclusion_to_json(&p);
    ok(text != NULL && strstr(text, "182469120000000000") != NULL,
       "the JSON carries the changed price with its own recomputed digest");
    free(text);
    por_inclusion_free(&p);

    /* a balance at 2^balance_bits and a balance just under it */
    fx_proof(&fx, leaf, &p);
    p.params.balance_bits = 40;
    p.equity[1] = 1ULL << 40;
    ok(por_inclusion_verify(&p, NULL, &why) == -1 && por_inclusion_encode(&p, &len) == NULL,
       "a balance of 2^balance_bits is refused (%s)", why);
    por_inclusion_free(&p);

    /* an insolvent account cannot be a leaf of a provable tree */
    fx_proof(&fx, leaf, &p);
    p.debt[0] = p.equity[0] + 1;
    p.debt[1] = p.equity[1] + 1;
    p.debt[2] = p.equity[2] + 1;
    ok(por_inclusion_verify(&p, NULL, &why) == -1, "an insolvent account is refused (%s)", why);
    por_inclusion_free(&p);

    /* the last leaf of a 5-leaf tree: its siblings include E_0 and E_1 */
    fixture five;
    fx_init(&five, 5, 0, 9);
    fx_proof(&five, 4, &p);
    ok(por_inclusion_verify(&p, fx_root(&five), &why) == 0, "last leaf of a 5-leaf tree verifies");
    p.siblings[1].e[0] ^= 1;
    ok(por_inclusion_verify(&p, NULL, &why) == -1 &&
           strcmp(why, "a sibling past the end of its level is not the empty subtree hash") == 0,
       "a sibling past the end of its level must be E_h");
    por_inclusion_free(&p);
    fx_free(&five);
    fx_free(&fx);
}

/* Offsets into the fixture's binary proof, from docs/FORMATS.md. */
#define OFF_VERSION 4
#define OFF_KIND 5
#define OFF_BALANCE_BITS 22
#define OFF_LEAF_COUNT 25
#define OFF_ASSET_COUNT 33
#define OFF_ASSETS 35

static void put64(uint8_t *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

/* Crafted encodings, each breaking one rule of the decoder. */
static void test_crafted(void)
{
    fixture fx;
    fx_init(&fx, 37, 3, 42);
    por_inclusion p, q;
    fx_proof(&fx, 0, &p);
    size_t len;
    uint8_t *orig = por_inclusion_encode(&p, &len);
    uint8_t *b = malloc(len);
    const char *why;
    /* assets: 1+3+1+8+1, 1+3+1+8+1, 1+4+1+8+1 bytes */
    size_t off_sym1 = OFF_ASSETS + 1;
    size_t off_id_len = OFF_ASSETS + 14 + 14 + 15;
    size_t off_id = off_id_len + 2;
    size_t off_salt = off_id + p.account_id_len;
    size_t off_index = off_salt + 32;
    size_t off_equity = off_index + 8;
    size_t off_siblings = off_equity + 6 * 8;
    size_t off_root = off_siblings + 6 * 32;
    is_u64(off_root + 32, len, "the layout of docs/FORMATS.md accounts for every byte");
#define CRAFT(stmt, what)                                                                          \
    do {                                                                                           \
        memcpy(b, orig, len);                                                                      \
        stmt;                                                                                      \
        why = "";                                                                                  \
        ok(por_inclusion_decode(b, len, &q, &why) == -1, "decode rejects %s (%s)", what, why);     \
    } while (0)
    CRAFT(b[0] = 'X', "a wrong magic");
    CRAFT(b[OFF_VERSION] = 2, "version 2");
    CRAFT(b[OFF_KIND] = 2, "kind 2");
    CRAFT(b[OFF_BALANCE_BITS] = 63, "balance_bits 63");
    CRAFT(put64(b + OFF_LEAF_COUNT, 44), "a leaf count not a multiple of the batch");
    CRAFT(b[OFF_ASSET_COUNT] = 0, "zero assets");
    CRAFT(b[off_sym1] = 0x01, "a control byte in a symbol");
    CRAFT(b[off_sym1 + 1] = 0, "a NUL in a symbol");
    CRAFT(b[off_sym1] = 0xe2, "a non-ASCII symbol byte");
    CRAFT(b[off_id_len] = 0, "an empty account id");
    CRAFT(b[off_id] = 0, "a NUL in the account id");
    CRAFT(b[off_id] = 0xc3, "an account id that is not UTF-8");
    CRAFT(put64(b + off_salt + 8, GL_P), "a salt word equal to p");
    CRAFT(put64(b + off_index, 40), "leaf index = leaf count");
    CRAFT(put64(b + off_equity + 8, 1ULL << 62), "a balance of 2^62");
    CRAFT(put64(b + off_siblings + 32 * 2 + 24, UINT64_MAX), "a non-canonical sibling word");
    CRAFT(put64(b + off_root, GL_P + 5), "a non-canonical root word");
    /* a balance under a smaller balance_bits */
    memcpy(b, orig, len);
    b[OFF_BALANCE_BITS] = 20;
    for (int k = 0; k < 6; k++)
        put64(b + off_equity + 8 * k, 0);
    put64(b + off_equity, 1ULL << 20);
    ok(por_inclusion_decode(b, len, &q, &why) == -1, "decode rejects a balance of 2^balance_bits");
    put64(b + off_equity, (1ULL << 20) - 1);
    ok(por_inclusion_decode(b, len, &q, &why) == 0, "decode accepts a balance of 2^balance_bits - 1");
    por_inclusion_free(&q);
    /* a valid multi-byte UTF-8 id decodes */
    memcpy(b, orig, len);
    b[off_id] = 0xc3;
    b[off_id + 1] = 0xa9;
    ok(por_inclusion_decode(b, len, &q, &why) == 0 && q.account_id[0] == 0xc3,
       "decode accepts a UTF-8 account id (%s)", why);
    por_inclusion_free(&q);
    free(b);
    free(orig);

    /* encode refuses what decode would refuse */
    fx_proof(&fx, 0, &q);
    q.salt[0] = GL_P;
    ok(por_inclusion_encode(&q, &len) == NULL && por_inclusion_to_json(&q) == NULL,
       "encode and to_json refuse a non-canonical salt");
    q.salt[0] = 0;
    q.account_id[0] = 0xff;
    ok(por_inclusion_encode(&q, &len) == NULL && por_inclusion_to_json(&q) == NULL,
       "encode and to_json refuse an account id that is not UTF-8");
    por_inclusion_free(&q);
    por_inclusion_free(&p);
    por_inclusion_free(&p); /* twice: free leaves a safe state */
    por_inclusion zero;
    memset(&zero, 0, sizeof(zero));
    por_inclusion_free(&zero);
    ok(1, "por_inclusion_free is safe on a zeroed and on an already freed struct");
    fx_free(&fx);
}

/*
 * The batch of a leaf: JSON spells it (account.batch = leaf_index >> k) and
 * the reader requires it and rejects a mismatch; por_inclusion_batch_root is
 * the tree's level-k node for every leaf.
 */
static void test_batch(void)
{
    fixture fx;
    fx_init(&fx, 37, 3, 42); /* 40 leaves in 5 batches of 8 */
    int roots = 1, spelled = 1;
    for (uint64_t i = 0; i < fx.params.leaf_count; i++) {
        por_inclusion p;
        fx_proof(&fx, i, &p);
        por_digest br;
        por_inclusion_batch_root(&p, &br);
        roots &= deq(&br, &fx.levels[3][i >> 3]);
        char *text = por_inclusion_to_json(&p);
        char want[64];
        snprintf(want, sizeof(want), "\"batch\": %llu\n", (unsigned long long)(i >> 3));
        spelled &= text != NULL && strstr(text, want) != NULL;
        free(text);
        por_inclusion_free(&p);
    }
    ok(roots, "por_inclusion_batch_root is the level-k node of the native tree for every leaf");
    ok(spelled, "the JSON spells batch = leaf_index >> batch_log2 for every leaf");

    por_inclusion p, q;
    const char *why = NULL;
    fx_proof(&fx, 17, &p); /* batch 2 */
    char *text = por_inclusion_to_json(&p);
    ok(text != NULL && por_inclusion_from_json(text, strlen(text), &q, &why) == 0, "leaf 17 decodes");
    por_inclusion_free(&q);
    static const char *const wrong[] = {"1", "3", "17", "\"2\"", "-2", "2.0"};
    for (size_t w = 0; w < sizeof(wrong) / sizeof(wrong[0]); w++) {
        char to[32];
        snprintf(to, sizeof(to), "\"batch\": %s\n", wrong[w]);
        char *bad = replace_once(text, "\"batch\": 2\n", to);
        why = "(no such text)";
        int rc = bad != NULL ? por_inclusion_from_json(bad, strlen(bad), &q, &why) : 0;
        ok(rc == -1, "account.batch %s for leaf 17 of batches of 8 is rejected (%s)", wrong[w], why);
        free(bad);
    }
    char *missing = replace_once(text, ",\n    \"batch\": 2", "");
    why = "(no such text)";
    int rc = missing != NULL ? por_inclusion_from_json(missing, strlen(missing), &q, &why) : 0;
    ok(rc == -1 && strcmp(why, "account must have exactly the keys id, salt, leaf_index, batch") == 0,
       "a proof without account.batch is rejected (%s)", why);
    free(missing);
    /* another leaf index in the same batch is consistent with batch 2; the path then fails */
    char *moved = replace_once(text, "\"leaf_index\": 17", "\"leaf_index\": 18");
    why = "(no such text)";
    rc = moved != NULL ? por_inclusion_from_json(moved, strlen(moved), &q, &why) : -1;
    ok(rc == 0, "leaf 18 with batch 2 decodes (%s)", rc ? why : "ok");
    ok(rc == 0 && por_inclusion_verify(&q, fx_root(&fx), &why) == -1 &&
           strcmp(why, "the path does not lead to the proof's root") == 0,
       "but does not verify");
    por_inclusion_free(&q);
    free(moved);
    /* leaf 24 is in batch 3: "batch": 2 no longer matches */
    moved = replace_once(text, "\"leaf_index\": 17", "\"leaf_index\": 24");
    why = "(no such text)";
    rc = moved != NULL ? por_inclusion_from_json(moved, strlen(moved), &q, &why) : 0;
    ok(rc == -1 && strcmp(why, "account.batch is not leaf_index >> batch_log2") == 0,
       "leaf 24 with batch 2 is rejected (%s)", why);
    free(moved);
    free(text);
    por_inclusion_free(&p);
    fx_free(&fx);
}

int main(void)
{
    test_params_check();
    test_params_digest_layout();
    test_params_digest_binds();
    test_solvency();
    test_round_trips();
    test_flips_and_truncations();
    test_content_changes();
    test_crafted();
    test_batch();
    return done_testing();
}
