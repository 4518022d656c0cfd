/*
 * Bundles: the tree over batch roots equals por_tree_build's root (batch
 * counts 1..9, several k); the manifest's JSON round trip and its strict
 * reader (unknown, missing and malformed keys, derived fields that
 * disagree); and por_bundle_check on a real three-batch snapshot (k = 2,
 * A = 2, test configuration): the honest bundle is accepted with the right
 * totals, and a swapped, missing, duplicated, tampered or foreign batch, a
 * wrong total, a wrong root and a key of another shape are rejected, per
 * batch naming the batch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "por/bundle.h"
#include "por/hex.h"
#include "por/leaves.h"
#include "fuzz_seed.h"
#include "proof_fixtures.h"
#include "tap.h"
#include "text_edit.h"

static uint64_t seed = 0x62756e646c65ULL;

static bool deq(const por_digest *a, const por_digest *b) { return memcmp(a, b, sizeof(*a)) == 0; }

static void random_digest(por_digest *d)
{
    for (int i = 0; i < 4; i++)
        d->e[i] = gl_from_u64(test_rand_u64(&seed));
}

/* ------------------------------------------------------------------------ */
/* The tree above the batches */

static void test_root_from_batch_roots(void)
{
    int all = 1;
    for (unsigned k = 0; k <= 3; k++) {
        for (uint64_t b = 1; b <= 9; b++) {
            uint64_t n = b << k;
            unsigned depth = por_tree_depth(n);
            por_digest *levels[POR_MAX_DEPTH + 1];
            for (unsigned h = 0; h <= depth; h++)
                levels[h] = malloc(por_tree_level_size(n, h) * sizeof(por_digest));
            for (uint64_t i = 0; i < n; i++)
                random_digest(&levels[0][i]);
            por_tree_build(NULL, levels, n);
            por_digest root;
            por_tree_root_from_batch_roots(levels[k], b, k, &root);
            if (!deq(&root, &levels[depth][0])) {
                all = 0;
                diag("k = %u, %llu batches: roots differ", k, (unsigned long long)b);
            }
            /* and a change in any one batch root changes the root */
            por_digest *copy = malloc(b * sizeof(por_digest));
            memcpy(copy, levels[k], b * sizeof(por_digest));
            for (uint64_t i = 0; i < b; i++) {
                copy[i].e[0] ^= 1;
                por_digest other;
                por_tree_root_from_batch_roots(copy, b, k, &other);
                all &= !deq(&other, &root);
                copy[i].e[0] ^= 1;
            }
            free(copy);
            for (unsigned h = 0; h <= depth; h++)
                free(levels[h]);
        }
    }
    ok(all, "the root over the batch roots is por_tree_build's root (k = 0..3, 1..9 batches) and depends "
            "on every batch root");
    /* a larger k over a short level: 5 batches of 2^12, levels from 12 up */
    por_digest br[5], root, want;
    for (int i = 0; i < 5; i++)
        random_digest(&br[i]);
    por_tree_root_from_batch_roots(br, 5, 12, &root);
    por_digest e12, l1[3], l2[2];
    por_empty_subtree(12, &e12);
    por_node_hash(&br[0], &br[1], &l1[0]);
    por_node_hash(&br[2], &br[3], &l1[1]);
    por_node_hash(&br[4], &e12, &l1[2]);
    por_digest e13;
    por_node_hash(&e12, &e12, &e13);
    por_node_hash(&l1[0], &l1[1], &l2[0]);
    por_node_hash(&l1[2], &e13, &l2[1]);
    por_node_hash(&l2[0], &l2[1], &want);
    ok(deq(&root, &want), "5 batches of 2^12: written out by hand with E_12 and E_13");
}

/* ------------------------------------------------------------------------ */
/* A three-batch snapshot, proven */


#define K 2
#define A 2
#define BATCHES 3

typedef struct {
    por_asset assets[A];
    por_bundle_manifest m;
    por_batch_circuit *bc;
    por_plonk_prover *pk;
    por_batch_vk vk;
    por_batch_proof proofs[BATCHES];
    por_batch_proof foreign; /* batch 1 proven under other prices */
    unsigned __int128 totals[2 * A];
} snapshot;

static void init_params(snapshot *s, por_params *pp, por_asset *assets, uint64_t btc_price)
{
    assets[0] = (por_asset){.symbol = "BTC", .decimals = 8, .price_units = btc_price, .haircut = 90};
    assets[1] = (por_asset){.symbol = "USDT", .decimals = 6, .price_units = 100, .haircut = 100};
    *pp = (por_params){.snapshot_id = 9, .snapshot_time_us = 1750000000000000LL, .balance_bits = 62,
                       .price_scale = 8, .batch_log2 = K, .leaf_count = BATCHES << K, .asset_count = A,
                       .assets = assets};
    (void)s;
}

static int prove_batch(snapshot *s, const por_params *pp, const por_digest *cm, const uint64_t *bal, uint64_t i,
                       por_batch_proof *out)
{
    const char *why = NULL;
    por_witness *w = NULL;
    por_batch_public pub;
    memset(out, 0, sizeof(*out));
    int rc = por_batch_witness(s->bc, pp, cm, bal, false, &w, &pub, &why);
    if (rc == 0)
        rc = por_batch_prove(s->pk, s->bc, w, NULL, NULL, &pub, &out->proof, &why);
    por_witness_free(w);
    if (rc != 0) {
        diag("prove batch %llu: %s", (unsigned long long)i, why);
        return -1;
    }
    *out = (por_batch_proof){.snapshot_id = pp->snapshot_id, .batch_no = i, .batch_log2 = K, .asset_count = A,
                             .balance_bits = pp->balance_bits, .proof = out->proof, .statement = pub};
    return 0;
}

static int snapshot_init(snapshot *s)
{
    memset(s, 0, sizeof(*s));
    por_bundle_manifest *m = &s->m;
    m->params.assets = calloc(A, sizeof(por_asset));
    m->totals = calloc(2 * A, sizeof(unsigned __int128));
    init_params(s, &m->params, m->params.assets, 6500000);
    por_params_digest(&m->params, &m->params_digest);
    m->batch_count = BATCHES;

    size_t n = (size_t)BATCHES << K;
    uint64_t *bal = calloc(n * 2 * A, sizeof(uint64_t));
    por_digest *cm = calloc(n, sizeof(por_digest));
    for (size_t u = 0; u < n; u++) {
        bal[2 * A * u + 0] = test_rand_u64(&seed) >> 2; /* near 2^62: totals above 2^64 */
        bal[2 * A * u + 1] = test_rand_u64(&seed) >> 20;
        bal[2 * A * u + A + 1] = bal[2 * A * u + 1] >> 1;
        random_digest(&cm[u]);
        for (unsigned t = 0; t < 2 * A; t++)
            m->totals[t] += bal[2 * A * u + t];
    }
    memcpy(s->totals, m->totals, sizeof(s->totals));
    por_digest *levels[POR_MAX_DEPTH + 1];
    unsigned depth = por_tree_depth(n);
    for (unsigned h = 0; h <= depth; h++)
        levels[h] = malloc(por_tree_level_size(n, h) * sizeof(por_digest));
    por_leaf_hash_many(NULL, cm, bal, n, A, levels[0]);
    por_tree_build(NULL, levels, n);
    m->root = levels[depth][0];
    for (unsigned h = 0; h <= depth; h++)
        free(levels[h]);

    por_circuit_config cfg;
    test_fast_batch_config(&cfg);
    const char *why = NULL;
    int rc = -1;
    s->bc = por_batch_circuit_build(K, A, 62, true, &cfg, &why);
    s->pk = s->bc ? por_plonk_setup(s->bc->circuit, NULL, &why) : NULL;
    if (s->pk != NULL && por_batch_vk_from_prover(s->pk, s->bc, &s->vk) == 0) {
        rc = 0;
        for (uint64_t i = 0; i < BATCHES && rc == 0; i++)
            rc = prove_batch(s, &m->params, cm + (i << K), bal + (i << K) * 2 * A, i, &s->proofs[i]);
        /* the same balances under another BTC price: another params digest */
        por_params other;
        por_asset other_assets[A];
        init_params(s, &other, other_assets, 6500001);
        if (rc == 0)
            rc = prove_batch(s, &other, cm + (1 << K), bal + (1 << K) * 2 * A, 1, &s->foreign);
    } else
        diag("setup: %s", why);
    free(bal);
    free(cm);
    return rc;
}

static void snapshot_free(snapshot *s)
{
    for (int i = 0; i < BATCHES; i++)
        por_batch_proof_free(&s->proofs[i]);
    por_batch_proof_free(&s->foreign);
    por_batch_vk_free(&s->vk);
    por_plonk_prover_free(s->pk);
    por_batch_circuit_free(s->bc);
    por_bundle_manifest_free(&s->m);
}

/* ------------------------------------------------------------------------ */
/* The manifest */

static void test_manifest(snapshot *s)
{
    char *text = por_bundle_manifest_to_json(&s->m);
    ok(text != NULL, "manifest to JSON");
    if (text == NULL)
        return;
    diag("manifest (%zu bytes):\n%s", strlen(text), text);
    fuzz_seed_write(getenv("POR_FUZZ_SEED_DIR"), "bundle.json", text, strlen(text));
    por_bundle_manifest q;
    const char *why = NULL;
    int rc = por_bundle_manifest_from_json(text, strlen(text), &q, &why);
    ok(rc == 0, "manifest from JSON (%s)", rc ? why : "ok");
    char *again = rc == 0 ? por_bundle_manifest_to_json(&q) : NULL;
    ok(again != NULL && strcmp(again, text) == 0, "the round trip gives the same text");
    ok(rc == 0 && q.batch_count == BATCHES && deq(&q.root, &s->m.root) && deq(&q.params_digest, &s->m.params_digest) &&
           memcmp(q.totals, s->totals, sizeof(s->totals)) == 0 && q.params.asset_count == A &&
           strcmp(q.params.assets[1].symbol, "USDT") == 0 && q.params.assets[0].price_units == 6500000,
       "the decoded manifest is the original");
    ok(s->totals[0] >> 64 != 0, "the equity total of BTC is above 2^64 (128-bit decimal strings)");
    free(again);
    por_bundle_manifest_free(&q);

    /* strictness: every edit below must be rejected */
    char equity[64];
    char *p = strstr(text, "\"equity_total\": \"");
    size_t elen = strcspn(p + 17, "\"");
    snprintf(equity, sizeof(equity), "\"equity_total\": \"%.*s\"", (int)elen, p + 17);
    char plus_one[64];
    snprintf(plus_one, sizeof(plus_one), "%.*s", (int)elen, p + 17);
    for (size_t i = elen; i-- > 0;) { /* decimal + 1 on the string */
        if (plus_one[i] != '9') {
            plus_one[i]++;
            break;
        }
        plus_one[i] = '0';
    }
    char eq_plus[96];
    snprintf(eq_plus, sizeof(eq_plus), "\"equity_total\": \"%s\"", plus_one);
    char digest_hex[65];
    por_digest_to_hex(&s->m.params_digest, digest_hex);
    char other_digest[80];
    snprintf(other_digest, sizeof(other_digest), "\"%c%s\"", digest_hex[0] == '0' ? '1' : '0', digest_hex + 1);
    char quoted_digest[80];
    snprintf(quoted_digest, sizeof(quoted_digest), "\"%s\"", digest_hex);
    static const char *const max128 = "\"equity_total\": \"340282366920938463463374607431768211456\"";
    const struct {
        const char *from, *to, *what;
    } edits[] = {
        {"\"por-bundle\"", "\"por-bundles\"", "another format"},
        {"\"version\": 1", "\"version\": 2", "version 2"},
        {"\"batch_count\": 3", "\"batch_count\": 4", "a batch count not leaf_count >> k"},
        {"\"batch_count\": 3", "\"batch_count\": \"3\"", "a batch count as a string"},
        {"\"batch_count\": 3,\n", "", "no batch_count"},
        {"\"root\": ", "\"extra\": 1, \"root\": ", "an unknown top-level key"},
        {"\"haircut\": 90", "\"haircut\": 90, \"note\": \"x\"", "an unknown asset key"},
        {"\"haircut\": 90", "\"haircut\": 101", "a haircut of 101"},
        {"\"leaf_count\": 12", "\"leaf_count\": 13", "a leaf count not a multiple of the batch"},
        {"\"batch_log2\": 2,\n    \"leaf_count\": 12", "\"batch_log2\": 21,\n    \"leaf_count\": 6291456",
         "batch_log2 21 (valid params, but no batch proof is that large)"},
        {equity, "\"equity_total\": \"0123\"", "a total with a leading zero"},
        {equity, "\"equity_total\": 5", "a total as a number"},
        {equity, "\"equity_total\": \"-5\"", "a negative total"},
        {equity, max128, "a total of 2^128"},
        {equity, "\"equity_total\": \"5192296858534827628530496329220095\"", "a total above leaf_count (2^B - 1)"},
        {quoted_digest, other_digest, "a params digest of other parameters"},
        {"\"price_units\": \"6500000\"", "\"price_units\": \"6500001\"", "another price under the same digest"},
        {"\"debt_total\": ", "\"debt\": ", "a misspelled key"},
        {"\n}\n", "\n}\n{}", "trailing content"},
    };
    for (size_t e = 0; e < sizeof(edits) / sizeof(edits[0]); e++) {
        char *bad = replace_once(text, edits[e].from, edits[e].to);
        why = "(edit not applicable)";
        rc = bad != NULL ? por_bundle_manifest_from_json(bad, strlen(bad), &q, &why) : 0;
        ok(rc == -1, "manifest with %s is rejected (%s)", edits[e].what, why);
        por_bundle_manifest_free(&q);
        free(bad);
    }
    /* the edited total still parses: the manifest alone cannot know the sums */
    char *bigger = replace_once(text, equity, eq_plus);
    rc = bigger != NULL ? por_bundle_manifest_from_json(bigger, strlen(bigger), &q, &why) : -1;
    ok(rc == 0 && q.totals[0] == s->totals[0] + 1, "a total one larger parses as one larger");
    por_bundle_manifest_free(&q);
    free(bigger);
    /* the optional final_proof member: written when the bundle has one, read back, and only as final.porf */
    por_bundle_manifest with_final = s->m;
    with_final.has_final = true;
    char *final_text = por_bundle_manifest_to_json(&with_final);
    rc = final_text != NULL ? por_bundle_manifest_from_json(final_text, strlen(final_text), &q, &why) : -1;
    ok(rc == 0 && q.has_final && strstr(final_text, "\"final_proof\": \"final.porf\"") != NULL,
       "a manifest naming final.porf round-trips (%s)", rc ? why : "ok");
    por_bundle_manifest_free(&q);
    ok(por_bundle_manifest_from_json(text, strlen(text), &q, &why) == 0 && !q.has_final,
       "a manifest without final_proof reads as a bundle without a final proof");
    por_bundle_manifest_free(&q);
    const char *final_edits[][2] = {{"\"final.porf\"", "\"../final.porf\""}, {"\"final.porf\"", "1"},
                                    {"\"final_proof\"", "\"final_prof\""}};
    for (size_t e = 0; e < 3; e++) {
        char *bad = final_text != NULL ? replace_once(final_text, final_edits[e][0], final_edits[e][1]) : NULL;
        why = "(edit not applicable)";
        rc = bad != NULL ? por_bundle_manifest_from_json(bad, strlen(bad), &q, &why) : 0;
        ok(rc == -1, "final_proof %s -> %s is rejected (%s)", final_edits[e][0], final_edits[e][1], why);
        por_bundle_manifest_free(&q);
        free(bad);
    }
    free(final_text);
    rc = por_bundle_manifest_from_json(NULL, 0, &q, &why);
    ok(rc == -1, "NULL is rejected (%s)", why);
    rc = por_bundle_manifest_from_json(text, strlen(text) - 3, &q, &why);
    ok(rc == -1, "a truncated manifest is rejected (%s)", why);
    free(text);

    /* the writer refuses what the reader would */
    por_bundle_manifest bad = s->m;
    bad.batch_count++;
    ok(por_bundle_manifest_to_json(&bad) == NULL, "to_json refuses a wrong batch count");
    bad = s->m;
    bad.params_digest.e[0] ^= 1;
    ok(por_bundle_manifest_to_json(&bad) == NULL, "to_json refuses a wrong params digest");
    bad = s->m;
    bad.totals = NULL;
    ok(por_bundle_manifest_to_json(&bad) == NULL, "to_json refuses missing totals");
    por_bundle_manifest zero;
    memset(&zero, 0, sizeof(zero));
    por_bundle_manifest_free(&zero);
    por_bundle_manifest_free(NULL);
    ok(1, "manifest free is safe on zeroed and NULL");
}

/* ------------------------------------------------------------------------ */
/* The whole check */

static void expect_rejected(const snapshot *s, const por_bundle_manifest *m, const por_batch_vk *vk,
                            const por_batch_proof *proofs, uint64_t count, const char *want, const char *what)
{
    const char *why = "";
    unsigned __int128 totals[2 * A] = {0};
    int rc = por_bundle_check(m, vk, proofs, count, totals, &why);
    ok(rc == -1 && strstr(why, want) != NULL, "%s is rejected (%s)", what, why);
    (void)s;
}

static void test_check(snapshot *s)
{
    const char *why = NULL;
    unsigned __int128 totals[2 * A] = {0};
    int rc = por_bundle_check(&s->m, &s->vk, s->proofs, BATCHES, totals, &why);
    ok(rc == 0, "the honest bundle is accepted (%s)", rc ? why : "ok");
    ok(rc == 0 && memcmp(totals, s->totals, sizeof(totals)) == 0, "with the proven totals = the sums of the balances");
    rc = por_bundle_check(&s->m, &s->vk, s->proofs, BATCHES, NULL, &why);
    ok(rc == 0, "proven_totals may be NULL");

    por_batch_proof p[BATCHES + 1];
    /* swapped: files in the wrong places, then relabelled to fit them */
    memcpy(p, s->proofs, sizeof(s->proofs));
    p[0] = s->proofs[1], p[1] = s->proofs[0];
    expect_rejected(s, &s->m, &s->vk, p, BATCHES, "batch 0: the proof is labelled with another batch number",
                    "batches 0 and 1 swapped");
    p[0].batch_no = 0, p[1].batch_no = 1;
    expect_rejected(s, &s->m, &s->vk, p, BATCHES, "root", "batches 0 and 1 swapped and relabelled");
    /* missing and extra */
    expect_rejected(s, &s->m, &s->vk, s->proofs, BATCHES - 1, "the bundle has 2 batch proofs, the manifest says 3",
                    "a missing last batch");
    memcpy(p, s->proofs, sizeof(s->proofs));
    p[BATCHES] = s->proofs[BATCHES - 1];
    p[BATCHES].batch_no = BATCHES;
    expect_rejected(s, &s->m, &s->vk, p, BATCHES + 1, "the bundle has 4 batch proofs", "an extra batch");
    /* duplicated: batch 1 also in place of batch 2 */
    memcpy(p, s->proofs, sizeof(s->proofs));
    p[2] = s->proofs[1];
    expect_rejected(s, &s->m, &s->vk, p, BATCHES, "batch 2: the proof is labelled with another batch number",
                    "batch 1 duplicated as batch 2");
    p[2].batch_no = 2;
    expect_rejected(s, &s->m, &s->vk, p, BATCHES, "root", "batch 1 duplicated and relabelled as batch 2");
    /* another snapshot */
    memcpy(p, s->proofs, sizeof(s->proofs));
    p[1] = s->foreign;
    expect_rejected(s, &s->m, &s->vk, p, BATCHES, "batch 1: the proof's params digest is not the snapshot's",
                    "batch 1 proven under another price");
    memcpy(p, s->proofs, sizeof(s->proofs));
    p[2].snapshot_id = 10;
    expect_rejected(s, &s->m, &s->vk, p, BATCHES, "batch 2: the proof is labelled with another snapshot id",
                    "batch 2 labelled with another snapshot id");
    /* a statement not the proven one, and a tampered proof: the batch is named */
    memcpy(p, s->proofs, sizeof(s->proofs));
    p[1].statement.totals[0][0] ^= 1;
    expect_rejected(s, &s->m, &s->vk, p, BATCHES, "batch 1:", "batch 1 with a changed total in its statement");
    size_t len = 0;
    uint8_t *buf = por_batch_proof_encode(&s->proofs[2], &len);
    buf[len - 100] ^= 0x10;
    por_batch_proof tampered;
    rc = buf != NULL ? por_batch_proof_decode(buf, len, &tampered, &why) : -1;
    if (rc == 0) {
        memcpy(p, s->proofs, sizeof(s->proofs));
        p[2] = tampered;
        expect_rejected(s, &s->m, &s->vk, p, BATCHES, "batch 2:", "batch 2 with a flipped proof byte");
    } else
        ok(1, "the flipped proof byte is already rejected by the decoder (%s)", why);
    por_batch_proof_free(&tampered);
    free(buf);

    /* the manifest's claims */
    por_bundle_manifest m = s->m;
    unsigned __int128 wrong[2 * A];
    memcpy(wrong, s->totals, sizeof(wrong));
    m.totals = wrong;
    wrong[A + 1] += 1;
    expect_rejected(s, &m, &s->vk, s->proofs, BATCHES, "the proven debt total of USDT is not the manifest's",
                    "a debt total one more than proven");
    wrong[A + 1] -= 2;
    expect_rejected(s, &m, &s->vk, s->proofs, BATCHES, "debt total of USDT", "a debt total one less than proven");
    memcpy(wrong, s->totals, sizeof(wrong));
    wrong[0] += (unsigned __int128)1 << 64;
    expect_rejected(s, &m, &s->vk, s->proofs, BATCHES, "equity total of BTC", "an equity total 2^64 more");
    m = s->m;
    m.root.e[2] ^= 1;
    expect_rejected(s, &m, &s->vk, s->proofs, BATCHES, "root", "a wrong root");
    m = s->m;
    m.params_digest.e[0] ^= 1;
    expect_rejected(s, &m, &s->vk, s->proofs, BATCHES, "params_digest", "a manifest digest of other parameters");
    /* a key of another shape */
    por_batch_vk vk = s->vk;
    vk.balance_bits = 61;
    expect_rejected(s, &s->m, &vk, s->proofs, BATCHES, "shape", "a key of another balance width");
}

/*
 * The checks a verifier runs before deriving a key (por_bundle_precheck):
 * the manifest's shape within the cap, and every proof at the production
 * configuration.  The crafted manifest (2^16 accounts per batch) is also a
 * seed, and the fixture test/cli/por_verify.t gives por-verify.
 */
static void test_precheck(snapshot *s)
{
    const char *why = NULL;
    int rc = por_bundle_precheck(&s->m, s->proofs, BATCHES, &why);
    ok(rc == -1 && strstr(why, "batch 0: the PLONK proof's Merkle cap height") != NULL,
       "proofs of the test configuration pass por_bundle_check but not the precheck for a derived key (%s)", why);

    por_asset assets[A];
    por_bundle_manifest big = s->m;
    memcpy(assets, s->m.params.assets, sizeof(assets));
    big.params.assets = assets;
    big.params.batch_log2 = 16;
    big.params.leaf_count = 1u << 16;
    big.batch_count = 1;
    unsigned __int128 zero[2 * A] = {0};
    big.totals = zero;
    por_params_digest(&big.params, &big.params_digest);
    char *text = por_bundle_manifest_to_json(&big);
    por_bundle_manifest parsed;
    rc = text != NULL ? por_bundle_manifest_from_json(text, strlen(text), &parsed, &why) : -1;
    ok(rc == 0, "a manifest claiming batches of 2^16 accounts is well-formed (%s)", rc ? why : "ok");
    if (text != NULL)
        fuzz_seed_write(getenv("POR_FUZZ_SEED_DIR"), "bundle-k16.json", text, strlen(text));
    free(text);
    if (rc == 0) {
        rc = por_bundle_precheck(&parsed, NULL, 0, &why);
        ok(rc == -1 && strstr(why, "batch_log2 above 12") != NULL,
           "but its shape is refused before any batch file or key (%s)", why);
        rc = por_bundle_check(&parsed, &s->vk, NULL, 0, NULL, &why);
        ok(rc == -1 && strstr(why, "batch_log2 above 12") != NULL, "and by por_bundle_check (%s)", why);
        por_bundle_manifest_free(&parsed);
    }
}

int main(void)
{
    test_root_from_batch_roots();
    snapshot s;
    if (snapshot_init(&s) != 0) {
        ok(0, "snapshot");
        snapshot_free(&s);
        return done_testing();
    }
    test_manifest(&s);
    test_check(&s);
    test_precheck(&s);
    snapshot_free(&s);
    return done_testing();
}
