/*
 * Batch proof envelopes (PORF kind 2) and batch verifier keys: the header's
 * byte layout, round trips, every truncation and a trailing byte rejected,
 * byte flips over the whole header and statement region (and a sample
 * across the PLONK proof) that either fail to decode or fail to verify,
 * crafted out-of-range headers, encode refusing inconsistent content, a key
 * of another shape, and the derived production key: it equals the prover's
 * key and verifies a production proof, not a proof of another configuration;
 * the verifier's cost cap (test_cap).
 * Small shape (k = 2, A = 2) and a test configuration (few queries) except
 * for the one production proof.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "por/batch_proof.h"
#include "fuzz_seed.h"
#include "proof_fixtures.h"
#include "tap.h"

static uint64_t seed = 0x626174636870ULL;

/* A proven batch of 2^k accounts, its prover and key. */
typedef struct {
    por_asset assets[2];
    por_params params;
    por_batch_circuit *bc;
    por_plonk_prover *pk;
    por_batch_vk vk;
    por_batch_proof bp;
} fixture;

/* cfg NULL: the production configuration (what por_batch_vk_derive uses). */
static int fixture_init(fixture *f, unsigned k, unsigned A, const por_circuit_config *cfg, uint64_t batch_no)
{
    static const char *sym[2] = {"BTC", "USDT"};
    memset(f, 0, sizeof(*f));
    for (unsigned a = 0; a < A; a++) {
        strcpy(f->assets[a].symbol, sym[a]);
        f->assets[a].decimals = 8;
        f->assets[a].price_units = a ? 1 : 6500000;
        f->assets[a].haircut = a ? 100 : 90;
    }
    f->params = (por_params){.snapshot_id = 77, .snapshot_time_us = 1700000000000000LL, .balance_bits = 62,
                             .price_scale = 8, .batch_log2 = k, .leaf_count = 4ULL << k, .asset_count = A,
                             .assets = f->assets};
    const char *why = NULL;
    f->bc = por_batch_circuit_build(k, A, 62, true, cfg, &why);
    f->pk = f->bc ? por_plonk_setup(f->bc->circuit, NULL, &why) : NULL;
    if (f->pk == NULL || por_batch_vk_from_prover(f->pk, f->bc, &f->vk) != 0) {
        diag("fixture: %s", why);
        return -1;
    }
    size_t n = (size_t)1 << k;
    uint64_t *bal = calloc(n * 2 * A, sizeof(uint64_t));
    por_digest *cm = calloc(n, sizeof(por_digest));
    for (size_t u = 0; u < n; u++) {
        for (unsigned a = 0; a < A; a++)
            bal[2 * A * u + a] = test_rand_u64(&seed) >> 3; /* near 2^61: totals need the high limb */
        for (unsigned i = 0; i < 4; i++)
            cm[u].e[i] = gl_from_u64(test_rand_u64(&seed));
    }
    por_witness *w = NULL;
    por_batch_public pub;
    int rc = por_batch_witness(f->bc, &f->params, cm, bal, false, &w, &pub, &why);
    if (rc == 0)
        rc = por_batch_prove(f->pk, f->bc, w, NULL, NULL, &pub, &f->bp.proof, &why);
    por_witness_free(w);
    free(bal);
    free(cm);
    if (rc != 0) {
        diag("fixture: %s", why);
        return -1;
    }
    f->bp.snapshot_id = f->params.snapshot_id;
    f->bp.batch_no = batch_no;
    f->bp.batch_log2 = k;
    f->bp.asset_count = A;
    f->bp.balance_bits = 62;
    f->bp.statement = pub;
    return 0;
}

static void fixture_free(fixture *f)
{
    por_batch_proof_free(&f->bp);
    por_batch_vk_free(&f->vk);
    por_plonk_prover_free(f->pk);
    por_batch_circuit_free(f->bc);
}


static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/*
 * What a verifier does with a batch file in context (as por_bundle_check and
 * por-verify do): decode, verify under the key, and compare the labels the
 * proof does not bind with what it expects.  1 if all of that accepts.
 */
static int accepted(const por_batch_vk *vk, const uint8_t *buf, size_t len, uint64_t snapshot_id,
                    uint64_t batch_no)
{
    por_batch_proof q;
    int ok_ = por_batch_proof_decode(buf, len, &q, NULL) == 0 && por_batch_proof_verify(vk, &q, NULL) == 0 &&
              q.snapshot_id == snapshot_id && q.batch_no == batch_no;
    por_batch_proof_free(&q);
    return ok_;
}

static void test_encoding(fixture *f)
{
    size_t len = 0;
    uint8_t *buf = por_batch_proof_encode(&f->bp, &len);
    ok(buf != NULL, "encode");
    if (buf == NULL)
        return;
    size_t plonk_len = por_plonk_proof_encoded_len(&f->bp.proof);
    ok(len == 30 + plonk_len && memcmp(buf, "PORF", 4) == 0 && buf[4] == 1 && buf[5] == 2 &&
           le(buf + 6, 8) == 77 && le(buf + 14, 8) == 3 && buf[22] == 2 && le(buf + 23, 2) == 2 && buf[25] == 62 &&
           le(buf + 26, 4) == plonk_len && memcmp(buf + 30, "PPLK", 4) == 0,
       "header layout: PORF 1 2, snapshot id, batch number, k, A, B, PLONK length, then the PLONK proof");
    diag("batch proof k=2 A=2 (test configuration): %zu bytes", len);
    fuzz_seed_write(getenv("POR_FUZZ_SEED_DIR"), "batch-test-config.porb", buf, len);

    por_batch_proof q;
    const char *why = NULL;
    int rc = por_batch_proof_decode(buf, len, &q, &why);
    ok(rc == 0, "decode (%s)", rc ? why : "ok");
    ok(rc == 0 && q.snapshot_id == 77 && q.batch_no == 3 && q.batch_log2 == 2 && q.asset_count == 2 &&
           q.balance_bits == 62 && por_batch_public_equal(&q.statement, &f->bp.statement),
       "decoded labels, shape and statement are the encoded ones");
    ok(rc == 0 && por_batch_proof_verify(&f->vk, &q, &why) == 0, "the decoded proof verifies");
    size_t len2 = 0;
    uint8_t *buf2 = rc == 0 ? por_batch_proof_encode(&q, &len2) : NULL;
    ok(buf2 != NULL && len2 == len && memcmp(buf, buf2, len) == 0, "re-encoding gives the same bytes");
    free(buf2);
    /* high limbs in use: the statement round trip is not trivially zero */
    ok(q.statement.totals[0][1] != 0, "the equity total needs its high limb");
    por_batch_proof_free(&q);

    /* every truncation */
    int all = 1;
    for (size_t cut = 0; cut < len; cut++) {
        if (por_batch_proof_decode(buf, cut, &q, &why) == 0) {
            all = 0;
            diag("a truncation to %zu bytes decoded", cut);
        }
        por_batch_proof_free(&q);
    }
    ok(all, "every one of the %zu truncations is rejected", len);
    uint8_t *longer = malloc(len + 1);
    memcpy(longer, buf, len);
    longer[len] = 0;
    rc = por_batch_proof_decode(longer, len + 1, &q, &why);
    ok(rc == -1 && strcmp(why, "trailing bytes") == 0, "a trailing byte is rejected (%s)", why);
    /* the length field claims one byte more than is there / one less */
    memcpy(longer, buf, len);
    longer[26]++;
    rc = por_batch_proof_decode(longer, len, &q, &why);
    ok(rc == -1 && strcmp(why, "truncated") == 0, "a PLONK length one too large is rejected (%s)", why);
    longer[26] -= 2;
    rc = por_batch_proof_decode(longer, len, &q, &why);
    ok(rc == -1 && strcmp(why, "trailing bytes") == 0, "a PLONK length one too small is rejected (%s)", why);
    ok(por_batch_proof_decode(NULL, 0, &q, &why) == -1, "NULL is rejected");
    free(longer);

    /*
     * Flips: every bit of the envelope header, the PLONK header and the
     * public inputs (the statement), then one byte every 97 across the rest.
     * Each must fail to decode or fail to verify, except in the two labels
     * (snapshot id, batch number), which the proof does not bind: there the
     * flipped file verifies with another label, which the context rejects.
     */
    size_t region = 30 + 4 + 4 + 32 + 4 + 8 * por_batch_num_public_inputs(2);
    int rejected = 1, labels_only = 1;
    size_t decoded = 0, tried = 0, relabelled = 0;
    uint8_t *copy = malloc(len);
    for (size_t at = 0; at < len; at += at < region ? 1 : 97) {
        for (int bit = 0; bit < 8; bit += at < region ? 1 : 3) {
            memcpy(copy, buf, len);
            copy[at] ^= (uint8_t)(1u << bit);
            tried++;
            if (por_batch_proof_decode(copy, len, &q, NULL) == 0) {
                decoded++;
                if (por_batch_proof_verify(&f->vk, &q, NULL) == 0) {
                    relabelled++;
                    labels_only &= at >= 6 && at < 22 && (q.snapshot_id != 77 || q.batch_no != 3);
                }
            }
            por_batch_proof_free(&q);
            if (accepted(&f->vk, copy, len, 77, 3)) {
                rejected = 0;
                diag("flip of bit %d at byte %zu was accepted", bit, at);
            }
        }
    }
    ok(rejected, "%zu single-bit flips (all of the first %zu bytes, a sample after) are rejected (%zu decoded)",
       tried, region, decoded);
    ok(labels_only && relabelled <= 16 * 8,
       "the %zu flips that verify are in the labels and change them (rejected in context)", relabelled);
    ok(decoded > relabelled, "some flips decode and are caught by the verifier, not just the decoder");
    free(copy);
    ok(accepted(&f->vk, buf, len, 77, 3), "the original still verifies");
    free(buf);
}

/* Headers crafted out of range: the decoder names the field. */
static void test_crafted(fixture *f)
{
    size_t len = 0;
    uint8_t *buf = por_batch_proof_encode(&f->bp, &len);
    uint8_t *c = malloc(len);
    por_batch_proof q;
    const char *why;
#define CRAFT(edit, what, want)                                                                          \
    do {                                                                                                 \
        memcpy(c, buf, len);                                                                             \
        edit;                                                                                            \
        why = "";                                                                                        \
        int rc_ = por_batch_proof_decode(c, len, &q, &why);                                              \
        ok(rc_ == -1 && strstr(why, want) != NULL, "%s is rejected (%s)", what, why);                    \
        por_batch_proof_free(&q);                                                                        \
    } while (0)
    CRAFT(c[0] = 'X', "bad magic", "magic");
    CRAFT(c[4] = 2, "version 2", "version");
    CRAFT(c[5] = 1, "kind 1 (an inclusion proof)", "wrong kind");
    CRAFT(c[13] = 0x80, "snapshot id 2^63", "snapshot id");
    CRAFT(c[22] = 21, "batch_log2 21", "batch_log2");
    CRAFT((c[23] = 0, c[24] = 0), "asset count 0", "asset count");
    CRAFT((c[23] = 1, c[24] = 1), "asset count 257", "asset count");
    CRAFT(c[25] = 0, "balance_bits 0", "balance_bits");
    CRAFT(c[25] = 63, "balance_bits 63", "balance_bits");
    CRAFT(c[21] = 0x01, "batch number 2^56 (k = 2)", "batch number");
    CRAFT(c[23] = 3, "asset count 3 on a proof of 2 assets", "8 + 4A");
    CRAFT(c[23] = 1, "asset count 1 on a proof of 2 assets", "8 + 4A");
    /* the largest batch number: 2^38 - 1 at k = 2 decodes (the verifier does not look at it) */
    memcpy(c, buf, len);
    for (int i = 0; i < 8; i++)
        c[14 + i] = (uint8_t)(((1ULL << 38) - 1) >> (8 * i));
    ok(por_batch_proof_decode(c, len, &q, &why) == 0 && q.batch_no == (1ULL << 38) - 1 &&
           por_batch_proof_verify(&f->vk, &q, &why) == 0,
       "batch number 2^38 - 1 at k = 2 decodes; labels are not bound by the proof (the bundle checks them)");
    por_batch_proof_free(&q);
    c[14 + 4] = 0x40; /* 2^38 */
    ok(por_batch_proof_decode(c, len, &q, &why) == -1, "batch number 2^38 at k = 2 is rejected");
    por_batch_proof_free(&q);

    /* a total's low limb >= 2^32 inside an otherwise canonical PLONK proof */
    por_plonk_proof *p = &f->bp.proof;
    gl_t saved = p->public_inputs[4];
    p->public_inputs[4] = 1ULL << 32;
    uint8_t *plonk = NULL;
    size_t plonk_len = 0;
    ok(por_plonk_proof_serialize(p, &plonk, &plonk_len) == 0 && plonk_len == len - 30, "re-serialize");
    memcpy(c, buf, 30);
    memcpy(c + 30, plonk, plonk_len);
    why = "";
    int rc = por_batch_proof_decode(c, len, &q, &why);
    ok(rc == -1 && strstr(why, "low limb") != NULL, "a total's low limb of 2^32 is rejected (%s)", why);
    por_batch_proof_free(&q);
    size_t elen = 0;
    ok(por_batch_proof_encode(&f->bp, &elen) == NULL, "encode refuses public inputs not matching the statement");
    p->public_inputs[4] = saved;
    free(plonk);
    free(c);
    free(buf);
#undef CRAFT

    /* encode refuses content out of range */
    por_batch_proof bad = f->bp;
    size_t n;
#define REFUSES(edit, what)                                                                              \
    do {                                                                                                 \
        bad = f->bp;                                                                                     \
        edit;                                                                                            \
        uint8_t *e_ = por_batch_proof_encode(&bad, &n);                                                  \
        ok(e_ == NULL, "encode refuses %s", what);                                                       \
        free(e_);                                                                                        \
    } while (0)
    REFUSES(bad.snapshot_id = 1ULL << 63, "snapshot id 2^63");
    REFUSES(bad.batch_log2 = 21, "batch_log2 21");
    REFUSES(bad.asset_count = 3, "an asset count not the proof's");
    REFUSES(bad.balance_bits = 63, "balance_bits 63");
    REFUSES(bad.batch_no = 1ULL << 38, "batch number 2^38 at k = 2");
    REFUSES(bad.statement.root.e[0] ^= 1, "a statement root not the proof's");
    REFUSES(bad.statement.totals[3][1] ^= 1, "a statement total not the proof's");
    REFUSES(bad.statement.params_digest.e[3] ^= 1, "a statement digest not the proof's");
#undef REFUSES
    ok(por_batch_proof_encode(NULL, &n) == NULL, "encode refuses NULL");
}

/* The key's shape must be the proof's; a key of another circuit rejects. */
static void test_shape(fixture *f)
{
    const char *why = NULL;
    por_batch_proof bp = f->bp;
    bp.balance_bits = 61;
    int rc = por_batch_proof_verify(&f->vk, &bp, &why);
    ok(rc == -1 && strstr(why, "shape") != NULL, "a proof labelled with another balance_bits is rejected (%s)", why);
    bp = f->bp;
    bp.statement.totals[0][0] ^= 1;
    rc = por_batch_proof_verify(&f->vk, &bp, &why);
    ok(rc == -1, "a statement not the proven one is rejected (%s)", why);
    por_batch_vk other = f->vk;
    other.batch_log2 = 3;
    rc = por_batch_proof_verify(&other, &f->bp, &why);
    ok(rc == -1, "a key labelled k = 3 is rejected (%s)", why);

    /* the key of a real circuit of another balance width, relabelled to pass the shape check */
    por_circuit_config cfg;
    test_fast_batch_config(&cfg);
    por_batch_circuit *bc = por_batch_circuit_build(2, 2, 61, true, &cfg, &why);
    por_plonk_prover *pk = bc ? por_plonk_setup(bc->circuit, NULL, &why) : NULL;
    por_batch_vk vk61;
    ok(pk != NULL && por_batch_vk_from_prover(pk, bc, &vk61) == 0 && vk61.balance_bits == 61, "key for B = 61");
    if (pk != NULL) {
        rc = por_batch_proof_verify(&vk61, &f->bp, &why);
        ok(rc == -1, "the B = 61 key rejects the B = 62 proof (%s)", why);
        vk61.balance_bits = 62;
        rc = por_batch_proof_verify(&vk61, &f->bp, &why);
        ok(rc == -1, "relabelled to B = 62 it still rejects: the circuit differs (%s)", why);
        por_batch_vk_free(&vk61);
    }
    por_plonk_prover_free(pk);
    por_batch_circuit_free(bc);
    por_batch_vk_free(&vk61); /* twice: safe */
    por_batch_proof zero;
    memset(&zero, 0, sizeof(zero));
    por_batch_proof_free(&zero);
    por_batch_proof_free(NULL);
    por_batch_vk_free(NULL);
    ok(1, "the free functions are safe on zeroed, freed and NULL");
}

/* The production key: derived from the shape alone, it is the prover's. */
/*
 * The verifier's cost cap (batch_proof.h): the header cap refuses without
 * building anything, the row cap after building the circuit and before any
 * setup, the precheck on a proof made at another configuration or claiming
 * a larger circuit, and derive_for when the header names a circuit of
 * another size than the proof inside.  prod: a production proof (k 2, A 2).
 */
static void test_cap(const fixture *prod)
{
    const char *why = NULL;
    ok(por_batch_shape_check(11, 53, 62) == NULL && por_batch_shape_check(12, 32, 62) == NULL &&
           por_batch_shape_check(9, 256, 62) == NULL,
       "shapes up to 2^12 accounts and 2^17 account-assets pass the header cap");
    why = por_batch_shape_check(16, 4, 62);
    ok(why != NULL && strstr(why, "batch_log2 above 12") != NULL, "2^16 accounts x 4 assets is refused by the header (%s)",
       why);
    why = por_batch_shape_check(13, 1, 62);
    ok(why != NULL && strstr(why, "batch_log2 above 12") != NULL, "2^13 accounts is refused (%s)", why);
    why = por_batch_shape_check(11, 65, 62);
    ok(why != NULL && strstr(why, "above 2^17") != NULL, "2^11 x 65 assets is refused (%s)", why);
    why = por_batch_shape_check(12, 33, 62);
    ok(why != NULL && strstr(why, "above 2^17") != NULL, "2^12 x 33 assets is refused (%s)", why);
    ok(por_batch_shape_check(2, 0, 62) != NULL && por_batch_shape_check(2, 2, 63) != NULL &&
           por_batch_shape_check(21, 1, 62) != NULL,
       "the format's ranges are part of the cap");

    unsigned degree = 0;
    int rc = por_batch_shape_admit(10, 53, 62, &degree, &why);
    ok(rc == 0 && degree == 15, "1024 x 53 at 62 bits is within the row cap: 2^%u rows (%s)", degree,
       rc ? why : "ok");
    /* the boundary of the row cap at 2048 accounts and 62 bits: 56 assets are 2^16 rows, 57 are 2^17 */
    rc = por_batch_shape_admit(11, 56, 62, &degree, &why);
    ok(rc == 0 && degree == 16, "2048 x 56 at 62 bits is within the row cap: 2^%u rows (%s)", degree,
       rc ? why : "ok");
    /* what por-verify does with a header naming the boundary shapes (derive_for; the proof
     * inside is the small production one): 2048 x 56 is admitted by the cap and refused only
     * for the size mismatch, 2048 x 57 refused by the cap; neither is set up.  (test_auto's
     * 10^5 x 57 case has por_batch_shape_admit refuse 2048 x 57 too.) */
    por_batch_vk vk;
    por_batch_proof relabelled = prod->bp; /* shallow: only header fields change */
    relabelled.batch_log2 = 11;
    relabelled.asset_count = 56;
    rc = por_batch_vk_derive_for(&relabelled, NULL, &vk, &why);
    ok(rc == -1 && strstr(why, "size is not that of the batch circuit") != NULL,
       "a header naming 2048 x 56 (2^16 rows) passes the cap; only the proof's size refuses it (%s)", why);
    relabelled.asset_count = 57;
    rc = por_batch_vk_derive_for(&relabelled, NULL, &vk, &why);
    ok(rc == -1 && strstr(why, "more than 2^16 rows") != NULL,
       "a header naming 2048 x 57 passes the header cap but its circuit is refused before any setup (%s)", why);
    rc = por_batch_vk_derive(16, 4, 62, NULL, &vk, &why);
    ok(rc == -1 && strstr(why, "batch_log2 above 12") != NULL, "nor for 2^16 x 4, refused by the header (%s)", why);

    ok(por_batch_proof_precheck(&prod->bp) == NULL, "a production proof passes the precheck");
    por_batch_proof bp = prod->bp; /* shallow: only header fields and copies of params change below */
    bp.batch_log2 = 16;
    why = por_batch_proof_precheck(&bp);
    ok(why != NULL && strstr(why, "too large") != NULL, "its header relabelled to batch_log2 16 is refused (%s)", why);
    rc = por_batch_vk_derive_for(&bp, NULL, &vk, &why);
    ok(rc == -1 && strstr(why, "too large") != NULL, "and derive_for derives nothing for it (%s)", why);
    static const struct {
        size_t offset;
        uint32_t value;
        const char *what;
    } edits[] = {
        {offsetof(por_fri_params, num_queries), 41, "41 queries"},
        {offsetof(por_fri_params, pow_bits), 15, "15 grinding bits"},
        {offsetof(por_fri_params, rate_bits), 3, "rate 1/8"},
        {offsetof(por_fri_params, cap_height), 3, "Merkle cap height 3"},
        {offsetof(por_fri_params, degree_bits), 17, "a circuit of 2^17 rows"},
    };
    for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        bp = prod->bp;
        memcpy((uint8_t *)&bp.proof.opening.params + edits[i].offset, &edits[i].value, sizeof(uint32_t));
        why = por_batch_proof_precheck(&bp);
        ok(why != NULL, "a PLONK proof claiming %s is refused before any key (%s)", edits[i].what, why);
    }
    bp = prod->bp;
    bp.proof.cap_height = 3;
    ok(por_batch_proof_precheck(&bp) != NULL, "a PLONK proof with caps of height 3 is refused");
    /* k 7 with A 2 is a circuit of 2^12 rows; the proof inside is of the k 2 circuit (2^9) */
    bp = prod->bp;
    bp.batch_log2 = 7;
    rc = por_batch_shape_admit(7, 2, 62, &degree, &why);
    ok(rc == 0 && degree != prod->bp.proof.opening.params.degree_bits,
       "the circuit of k 7 has another size than the proof's: 2^%u rows, not 2^%u", degree,
       prod->bp.proof.opening.params.degree_bits);
    rc = por_batch_vk_derive_for(&bp, NULL, &vk, &why);
    ok(rc == -1 && strstr(why, "size is not that of the batch circuit") != NULL,
       "a header naming a circuit of another size than the proof inside costs a build, no setup (%s)", why);
    rc = por_batch_vk_derive_for(&prod->bp, NULL, &vk, &why);
    ok(rc == 0 && por_batch_proof_verify(&vk, &prod->bp, &why) == 0,
       "derive_for of the honest proof gives the key it verifies under (%s)", rc ? why : "ok");
    if (rc == 0)
        por_batch_vk_free(&vk);
}

/*
 * The automatic batch size (por_batch_auto_log2): the largest batch the cap
 * admits, 2^12 accounts at most, never above the account count's power of
 * two; at 53 assets and 62 bits 2048 accounts (2^16 rows), at 57 the 2048
 * circuit passes 2^16 rows and 1024 is taken, at 40 bits 57 assets fit 2048
 * again; 4096 only for few assets.
 */
static void test_auto(void)
{
    static const struct {
        uint64_t accounts;
        unsigned A, B, k;
        const char *what;
    } cases[] = {
        {1, 1, 62, 0, "one account: a batch of one"},
        {5, 53, 62, 3, "5 accounts: a batch of 8, not of 2048"},
        {1024, 53, 62, 10, "1024 accounts: one batch of 1024, not 2048"},
        {1025, 53, 62, 11, "1025 accounts: one batch of 2048"},
        {3000, 53, 62, 11, "3000 x 53: two batches of 2048 (4096 is beyond the header cap)"},
        {3000, 16, 62, 12, "3000 x 16: one batch of 4096 (2^16 rows)"},
        {100000, 56, 62, 11, "10^5 x 56: 2048 (2^16 rows)"},
        {100000, 57, 62, 10, "10^5 x 57: 1024 (2048 x 57 is 2^17 rows)"},
        {100000, 57, 40, 11, "10^5 x 57 at 40 bits: 2048 (2^16 rows at fewer bits)"},
        {1000000, 1, 62, 12, "10^6 x 1: 4096, the largest batch of the cap"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned k = 99;
        const char *why = NULL;
        int rc = por_batch_auto_log2(cases[i].accounts, cases[i].A, cases[i].B, &k, &why);
        ok(rc == 0 && k == cases[i].k, "auto: %s: k = %u (%s)", cases[i].what, k, rc ? why : "ok");
    }
    unsigned k = 99;
    const char *why = NULL;
    int rc = por_batch_auto_log2(0, 53, 62, &k, &why);
    ok(rc == -1 && k == 99 && strstr(why, "at least one account") != NULL, "auto: no accounts, no batch size (%s)",
       why);
    rc = por_batch_auto_log2(10, 257, 62, &k, &why);
    ok(rc == -1 && k == 99 && strstr(why, "asset count") != NULL,
       "auto: a shape no batch size admits is refused with the cap's reason (%s)", why);
}

static void test_derive(fixture *test_fixture)
{
    fixture f;
    if (fixture_init(&f, 2, 2, NULL, 0) != 0) {
        ok(0, "production fixture");
        return;
    }
    por_batch_vk vk;
    const char *why = NULL;
    int rc = por_batch_vk_derive(2, 2, 62, NULL, &vk, &why);
    ok(rc == 0, "derive the key of (2, 2, 62) (%s)", rc ? why : "ok");
    if (rc == 0) {
        ok(vk.batch_log2 == 2 && vk.asset_count == 2 && vk.balance_bits == 62 &&
               memcmp(&vk.vk.circuit_digest, &f.vk.vk.circuit_digest, sizeof(por_digest)) == 0 &&
               vk.vk.config.zero_knowledge == 1 && vk.vk.config.num_queries == 44 &&
               vk.vk.config.rate_bits == 2 && por_circuit_config_security_bits(&vk.vk.config) == 104,
           "it is the production prover's key (same circuit digest, zero knowledge, 44 queries at rate 1/4: "
           "a 104-bit query term)");
        rc = por_batch_proof_verify(&vk, &f.bp, &why);
        ok(rc == 0, "a production proof verifies under it (%s)", rc ? why : "ok");
        rc = por_batch_proof_verify(&vk, &test_fixture->bp, &why);
        ok(rc == -1, "a proof of the test configuration does not (%s)", why);
        size_t len;
        uint8_t *buf = por_batch_proof_encode(&f.bp, &len);
        diag("batch proof k=2 A=2 (production configuration): %zu bytes", len);
        if (buf != NULL) /* a seed that passes the fuzz target's precheck (the cost cap's branch) */
            fuzz_seed_write(getenv("POR_FUZZ_SEED_DIR"), "batch-production.porb", buf, len);
        ok(buf != NULL && accepted(&vk, buf, len, 77, 0), "the production proof round-trips and verifies");
        free(buf);
        por_batch_vk_free(&vk);
    }
    rc = por_batch_vk_derive(21, 2, 62, NULL, &vk, &why);
    ok(rc == -1, "k = 21 cannot be derived (%s)", why);
    rc = por_batch_vk_derive(16, 5, 62, NULL, &vk, &why);
    ok(rc == -1 && strstr(why, "too large") != NULL, "2^16 accounts x 5 assets (> 2^18) is refused at once (%s)", why);
    rc = por_batch_vk_derive(20, 256, 62, NULL, &vk, &why);
    ok(rc == -1 && strstr(why, "too large") != NULL, "2^20 accounts x 256 assets is refused at once (%s)", why);
    rc = por_batch_vk_derive(2, 0, 62, NULL, &vk, &why);
    ok(rc == -1, "A = 0 cannot be derived (%s)", why);
    rc = por_batch_vk_derive(2, 2, 63, NULL, &vk, &why);
    ok(rc == -1, "B = 63 cannot be derived (%s)", why);
    test_cap(&f);
    fixture_free(&f);
}

int main(void)
{
    por_circuit_config cfg;
    test_fast_batch_config(&cfg);
    fixture f;
    if (fixture_init(&f, 2, 2, &cfg, 3) != 0) {
        ok(0, "fixture");
        return done_testing();
    }
    test_encoding(&f);
    test_crafted(&f);
    test_shape(&f);
    test_derive(&f);
    test_auto();
    fixture_free(&f);
    return done_testing();
}
