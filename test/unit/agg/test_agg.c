/*
 * The aggregation circuit and final proofs on small snapshots (4 accounts x
 * 2 assets per batch, batch proofs in their production configuration):
 * honest trees of several batch counts and fan-ins prove, and their final
 * proof's statement is the account tree's root (por_tree_build), the exact
 * totals and the params digest, and verifies with every key derived; each
 * adversarial child set or forged witness value is refused by the circuit
 * (por_circuit_check_witness on a witness completed around the forged value,
 * with the honest witness passing the same check).
 */
#include <stdlib.h>
#include <string.h>

#include "agg/compress.h"
#include "agg_fixture.h"
#include "fuzz_seed.h"
#include "proof_layout.h"
#include "recursion/forge.h"
#include "tap.h"

enum { K = 2, A = 2 };

/* The tree of one snapshot: every level's proofs and the compression proof of the top. */
typedef struct {
    por_agg_keys keys;
    por_plonk_proof node[POR_AGG_MAX_LEVELS + 1][AGG_FX_MAX_BATCHES];
    uint64_t count[POR_AGG_MAX_LEVELS + 1];
    por_plonk_proof compressed;
} tree;

static void tree_free(tree *t)
{
    for (unsigned l = 0; l <= POR_AGG_MAX_LEVELS; l++)
        for (unsigned i = 0; i < AGG_FX_MAX_BATCHES; i++)
            por_plonk_proof_free(&t->node[l][i]);
    por_plonk_proof_free(&t->compressed);
    por_agg_keys_free(&t->keys);
}

/* Proves every level bottom-up; 0 or -1 (diagnosed). */
static int tree_prove(tree *t, const agg_fx *fx, unsigned f, uint64_t seed)
{
    memset(t, 0, sizeof(*t));
    por_agg_shape shape = {.batch_log2 = fx->k, .asset_count = fx->A, .balance_bits = 62, .fan_in_log2 = f};
    unsigned levels = por_agg_levels(fx->nb, f);
    const char *why = NULL;
    if (por_agg_keys_derive(&shape, levels, true, NULL, NULL, &t->keys, &why) != 0) {
        diag("keys: %s", why);
        return -1;
    }
    const unsigned F = 1u << f;
    for (unsigned l = 1; l <= levels; l++) {
        t->count[l] = por_agg_level_size(fx->nb, f, l);
        for (uint64_t j = 0; j < t->count[l]; j++) {
            const por_plonk_proof *ch[16] = {0};
            for (unsigned c = 0; c < F; c++) {
                uint64_t p = j * F + c;
                if (p < (l == 1 ? fx->nb : t->count[l - 1]))
                    ch[c] = l == 1 ? &fx->batch[p] : &t->node[l - 1][p];
            }
            uint64_t rs = seed + 17 * l + j;
            por_plonk_prove_opts opts = {.rand = test_rand_fields, .rand_ctx = &rs};
            if (por_agg_prove_node(&t->keys, l, j, &fx->params, ch, NULL, &opts, &t->node[l][j], NULL, &why) != 0) {
                diag("level %u node %llu: %s", l, (unsigned long long)j, why);
                return -1;
            }
        }
    }
    uint64_t rs = seed + 1000;
    por_plonk_prove_opts opts = {.rand = test_rand_fields, .rand_ctx = &rs};
    if (por_agg_prove_compress(&t->keys, &t->node[levels][0], NULL, &opts, &t->compressed, NULL, &why) != 0) {
        diag("compression: %s", why);
        return -1;
    }
    return 0;
}

/* The witness of node j of level l from explicit children, completed by
 * generation around the forged (target, value) pairs; NULL if por_agg_witness
 * refuses the children before the circuit sees them. */
static por_witness *forged(const tree *t, const agg_fx *fx, unsigned l, uint64_t j, const por_plonk_proof *const *ch,
                           const por_target *ft, const gl_t *fv, size_t nf)
{
    por_witness *w = NULL;
    por_agg_public exp;
    const char *why;
    if (por_agg_witness(t->keys.circuit[l], &fx->params, j, ch, true, &w, &exp, &why) != 0)
        return NULL;
    for (size_t i = 0; i < nf; i++)
        por_witness_set(w, ft[i], fv[i]);
    forge_complete(w);
    return w;
}

/* Whether the circuit of level l accepts node j with these children and forged values. */
static bool accepts(const tree *t, const agg_fx *fx, unsigned l, uint64_t j, const por_plonk_proof *const *ch,
                    const por_target *ft, const gl_t *fv, size_t nf)
{
    por_witness *w = forged(t, fx, l, j, ch, ft, fv, nf);
    bool good = w != NULL && forge_check(t->keys.circuit[l]->circuit, w) == 0;
    por_witness_free(w);
    return good;
}

static gl_t get(const por_witness *w, por_target x)
{
    gl_t v = 0;
    por_witness_get(w, x, &v);
    return v;
}

/* The field of the final proof (final_proof.h's header, then the PLONK
 * proof, proof_layout.h) that holds byte pos. */
static void final_field_name(const por_final_proof *honest, size_t pos, char *out, size_t n)
{
    static const char *const header[16] = {
        "magic",      "magic",       "magic",       "magic",        "version",     "kind",
        "batch_log2", "asset_count", "asset_count", "balance_bits", "fan_in_log2", "levels",
        "plonk_len",  "plonk_len",   "plonk_len",   "plonk_len"};
    if (pos < 16)
        snprintf(out, n, "final header: %s", header[pos]);
    else
        proof_layout_name(&honest->proof, pos - 16, out, n);
}

/* Every header byte and a sample of the proof's bytes (about 300 positions,
 * each flipped in one bit) make decoding or verification fail, and so does
 * every sampled truncation; an accepted flip is named (byte, bit, field).
 * The keys stay cached across the attempts (a header flip that names
 * another valid shape derives that shape's keys, then the next attempt the
 * honest ones again). */
static void test_tampered(const uint8_t *buf, size_t len, por_agg_keys *keys)
{
    uint8_t *copy = malloc(len);
    size_t step = len / 300 + 1, tried = 0, accepted = 0, cut_accepted = 0, cuts = 0;
    por_final_proof honest;
    const char *why = NULL;
    if (por_final_proof_decode(buf, len, &honest, &why) != 0)
        diag("the honest final proof does not decode: %s", why);
    for (size_t pos = 0; pos < len; pos += pos < 16 ? 1 : step) {
        memcpy(copy, buf, len);
        copy[pos] ^= (uint8_t)(1u << (pos % 8));
        por_final_proof fp;
        if (por_final_proof_decode(copy, len, &fp, NULL) == 0 && por_final_verify(&fp, keys, NULL, NULL, NULL) == 0) {
            char field[160];
            final_field_name(&honest, pos, field, sizeof(field));
            diag("the flip of bit %zu of byte %zu (%s) is accepted", pos % 8, pos, field);
            accepted++;
        }
        por_final_proof_free(&fp);
        tried++;
    }
    for (size_t cut = 0; cut < len; cut += cut < 16 ? 1 : step) {
        por_final_proof fp;
        if (por_final_proof_decode(buf, cut, &fp, NULL) == 0)
            cut_accepted++;
        por_final_proof_free(&fp);
        cuts++;
    }
    ok(accepted == 0, "final proof: %zu of %zu single-bit tampers (every header byte, then every %zu-th byte) accepted",
       accepted, tried, step);
    ok(cut_accepted == 0, "final proof: %zu of %zu truncations decode", cut_accepted, cuts);

    /* The header's balance bits are bound only through the keys: another
     * valid value (62 -> 60: the same circuit shapes, other constants) selects
     * other level keys, so another compression key (it pins the top level's
     * key in-circuit), and the proof is for another circuit. */
    memcpy(copy, buf, len);
    copy[9] ^= 2;
    por_final_proof fp;
    why = NULL;
    int rc = por_final_proof_decode(copy, len, &fp, &why);
    bool refused = rc == 0 && fp.shape.balance_bits == 60 && por_final_verify(&fp, keys, NULL, NULL, &why) != 0 &&
                   why != NULL && strstr(why, "another circuit") != NULL;
    ok(refused, "a final proof whose header names balance bits 60 (the proof's are 62) decodes and is refused: "
                "the compression key differs (%s)", why);
    por_final_proof_free(&fp);
    por_final_proof_free(&honest);
    free(copy);
}

/* Final proofs that are not the compression of the whole tree's top: the
 * top node's own proof (uncompressed) as a final proof; the final proof with
 * other levels than its leaf count's; node 1 of level 1's proof is refused
 * by por_agg_prove_compress. */
static void test_not_top(const tree *t, const por_final_proof *honest, por_agg_keys *keys)
{
    por_final_proof fp;
    memset(&fp, 0, sizeof(fp));
    const char *why = NULL;
    uint8_t *buf;
    size_t len;
    unsigned T = t->keys.levels;
    fp.shape = t->keys.shape;
    fp.levels = T;
    por_plonk_proof_serialize(&t->node[T][0], &buf, &len);
    por_plonk_proof_deserialize(buf, len, &fp.proof, NULL);
    free(buf);
    por_agg_public_decode(fp.proof.public_inputs, fp.proof.num_public_inputs, fp.shape.asset_count, &fp.statement);
    bool refused = por_final_proof_precheck(&fp) != NULL && por_final_verify(&fp, keys, NULL, NULL, &why) != 0;
    ok(refused, "the top node's own proof (not compressed) as a final proof is refused (%s)", why);
    por_final_proof_free(&fp);
    por_plonk_proof_serialize(&honest->proof, &buf, &len);
    memset(&fp, 0, sizeof(fp));
    fp.shape = honest->shape;
    fp.statement = honest->statement;
    por_plonk_proof_deserialize(buf, len, &fp.proof, NULL);
    free(buf);
    fp.levels = T + 1;
    refused = por_final_proof_precheck(&fp) != NULL && por_final_verify(&fp, keys, NULL, NULL, &why) != 0;
    ok(refused, "the final proof claiming %u levels (its leaf count needs %u) is refused (%s)", T + 1, T, why);
    por_final_proof_free(&fp);
    por_plonk_proof p;
    memset(&p, 0, sizeof(p));
    refused = T > 1 && por_agg_prove_compress(&t->keys, &t->node[1][0], NULL, NULL, &p, NULL, &why) != 0;
    por_plonk_proof_free(&p);
    ok(refused, "a level-1 node's proof is not compressed under a %u-level tree's keys (%s)", T, why);
}

/* A compression witness: `forged` values set first (so they win), then the
 * inner proof's targets and statement, then generation around them. */
static por_witness *compress_forged(const por_agg_compress_circuit *cc, const por_plonk_proof *inner,
                                    const por_target *ft, const gl_t *fv, size_t nf)
{
    por_witness *w = por_witness_new(cc->circuit);
    for (size_t i = 0; i < nf; i++)
        por_witness_set(w, ft[i], fv[i]);
    por_rec_plonk_proof_set(w, cc->top_vk, &cc->top, inner);
    for (size_t i = 0; i < cc->top_vk->num_public_inputs; i++)
        por_witness_set(w, cc->statement[i], inner->public_inputs[i]);
    forge_complete(w);
    return w;
}

static bool compress_accepts(const por_agg_compress_circuit *cc, const por_plonk_proof *inner, const por_target *ft,
                             const gl_t *fv, size_t nf)
{
    por_witness *w = compress_forged(cc, inner, ft, fv, nf);
    bool good = forge_check(cc->circuit, w) == 0;
    por_witness_free(w);
    return good;
}

/*
 * The compression circuit's checks on the 3-batch tree (T = 2): a statement
 * other than the inner proof's public inputs, an inner proof of node 1
 * (pinned to the level-1 key, whose node 0 passes as control), an inner
 * proof under another key than the pinned one.
 */
static void test_compress_adversarial(const tree *t)
{
    const char *why = NULL;
    const por_plonk_proof *top = &t->node[2][0];
    por_agg_compress_circuit *cc = por_agg_compress_build(&t->keys.shape, 2, &t->keys.vk[2], NULL, &why);
    por_agg_compress_circuit *c1 = por_agg_compress_build(&t->keys.shape, 1, &t->keys.vk[1], NULL, &why);
    if (cc == NULL || c1 == NULL) {
        ok(0, "compression circuits: %s", why);
        por_agg_compress_free(cc);
        por_agg_compress_free(c1);
        return;
    }
    ok(compress_accepts(cc, top, NULL, NULL, 0) && compress_accepts(c1, &t->node[1][0], NULL, NULL, 0),
       "controls: the honest compression witnesses (top of level 2; node 0 under the level-1 key) satisfy the circuit");
    const size_t n = cc->top_vk->num_public_inputs;
    static const char *const part[3] = {"root", "a total's low limb", "the leaf count"};
    const size_t at[3] = {0, 4, n - 1};
    for (int i = 0; i < 3; i++) {
        gl_t v = gl_add(top->public_inputs[at[i]], 1);
        ok(!compress_accepts(cc, top, &cc->statement[at[i]], &v, 1),
           "a compression statement whose %s differs from the inner proof's is refused", part[i]);
    }
    ok(!compress_accepts(c1, &t->node[1][1], NULL, NULL, 0),
       "an inner proof of node 1 (index 1, valid under the pinned key) is refused: the index must be 0");
    por_witness *w = NULL;
    ok(por_agg_compress_witness(cc, &t->node[1][0], false, &w, &why) != 0 &&
           !compress_accepts(cc, &t->node[1][0], NULL, NULL, 0),
       "an inner proof under another key (level 1's, the circuit pins level 2's) is refused");
    por_witness_free(w);
    por_agg_compress_free(cc);
    por_agg_compress_free(c1);
}

/* Pure arithmetic of the aggregation tree. */
static void test_shape_arithmetic(void)
{
    ok(por_agg_batch_count(12, 2) == 3 && por_agg_batch_count(13, 2) == 0 && por_agg_batch_count(0, 2) == 0 &&
           por_agg_batch_count((1ULL << 40) + 4, 2) == 0,
       "batch count: leaf_count / 2^k for positive multiples up to 2^40, else 0");
    ok(por_agg_levels(1, 1) == 1 && por_agg_levels(2, 1) == 1 && por_agg_levels(3, 1) == 2 &&
           por_agg_levels(100, 1) == 7 && por_agg_levels(100, 2) == 4 && por_agg_levels(64, 3) == 2 &&
           por_agg_levels(65, 3) == 3 && por_agg_levels(1ULL << 40, 1) == 40,
       "levels: max(1, ceil(log_F N))");
    ok(por_agg_level_size(100, 1, 1) == 50 && por_agg_level_size(100, 2, 1) == 25 &&
           por_agg_level_size(100, 2, 2) == 7 && por_agg_level_size(100, 2, 4) == 1 &&
           por_agg_level_size(5, 1, 1) == 3,
       "level sizes: ceil(N / F^L)");
    por_agg_shape bad = {.batch_log2 = 2, .asset_count = 2, .balance_bits = 62, .fan_in_log2 = 5};
    por_agg_shape cap = {.batch_log2 = 13, .asset_count = 1, .balance_bits = 62, .fan_in_log2 = 1};
    ok(por_agg_shape_check(&bad) != NULL && por_agg_shape_check(&cap) != NULL,
       "shapes: fan-in above 16 and batches beyond the verifier's cap refused");
}

/* The final proof of an honest tree (fx: nb batches, t: proven at fan-in 2^f);
 * with POR_AGG_EXPORT_DIR (test/cli/por_verify_final.t) or POR_FUZZ_SEED_DIR
 * set, its file and the inclusion proof of its last leaf are written there
 * as final-<snapshot id>.porf and inclusion-<snapshot id>.porf. */
static void test_honest(const agg_fx *fx_in, const tree *t_in, unsigned f)
{
    const agg_fx fx = *fx_in; /* shallow: read only */
    const tree *tp = t_in;
#define t (*tp)
    unsigned nb = fx.nb;
    unsigned T = t.keys.levels;
    por_final_proof fp;
    const char *why = NULL;
    int rc = por_final_proof_make(&t.keys, &t.compressed, &fp, &why);
    size_t len = 0;
    uint8_t *buf = rc == 0 ? por_final_proof_encode(&fp, &len) : NULL;
    por_final_proof dp;
    rc = buf ? por_final_proof_decode(buf, len, &dp, &why) : -1;
    por_agg_keys derived;
    memset(&derived, 0, sizeof(derived));
    rc = rc == 0 ? por_final_verify(&dp, &derived, NULL, NULL, &why) : -1;
    ok(rc == 0, "%u batches, fan-in %u: %u levels, the final proof (%zu bytes) verifies with every key derived "
                "(%.0f ms) (%s)",
       nb, 1u << f, T, len, derived.derive_ms, why ? why : "ok");
    bool totals = true;
    for (unsigned s = 0; s < 2 * A; s++)
        totals &= dp.statement.node.totals[s][0] == (fx.total[s] & 0xffffffffu) &&
                  dp.statement.node.totals[s][1] == fx.total[s] >> 32;
    por_digest pd;
    por_params_digest(&fx.params, &pd);
    ok(rc == 0 && memcmp(&dp.statement.node.root, &fx.root, sizeof(fx.root)) == 0 && totals &&
           memcmp(&dp.statement.node.params_digest, &pd, sizeof(pd)) == 0 &&
           dp.statement.leaf_count == fx.params.leaf_count && dp.statement.index == 0,
       "%u batches, fan-in %u: the statement is the account tree's root, the exact totals, the params digest", nb,
       1u << f);
    ok(rc == 0 && por_inclusion_verify(&fx.probe, &dp.statement.node.root, &why) == 0,
       "%u batches: an account's inclusion proof leads to the final proof's root (%s)", nb, why ? why : "ok");
    const char *dirs[2] = {getenv("POR_AGG_EXPORT_DIR"), getenv("POR_FUZZ_SEED_DIR")};
    for (int d = 0; d < 2 && rc == 0; d++) {
        char name[64];
        snprintf(name, sizeof(name), "final-%llu.porf", (unsigned long long)fx.params.snapshot_id);
        fuzz_seed_write(dirs[d], name, buf, len);
        size_t ilen;
        uint8_t *inc = d == 0 ? por_inclusion_encode(&fx.probe, &ilen) : NULL;
        snprintf(name, sizeof(name), "inclusion-%llu.porf", (unsigned long long)fx.params.snapshot_id);
        if (inc != NULL)
            fuzz_seed_write(dirs[d], name, inc, ilen);
        free(inc);
    }
    if (rc == 0 && nb > 1 && getenv("POR_AGG_EXPORT_DIR") == NULL) {
        buf[4] = 1;
        const char *v1 = NULL;
        por_final_proof old;
        bool v1_refused = por_final_proof_decode(buf, len, &old, &v1) != 0 && v1 != NULL && strstr(v1, "version 1");
        ok(v1_refused, "a version-1 final proof (the uncompressed format) is refused cleanly (%s)", v1);
        buf[4] = POR_FINAL_FORMAT_VERSION;
        test_tampered(buf, len, &derived);
        test_not_top(&t, &dp, &derived);
    }
    por_final_proof_free(&dp);
    por_final_proof_free(&fp);
    free(buf);
    por_agg_keys_free(&derived);
#undef t
}

/*
 * The adversarial cases on 3 batches at fan-in 2 (level 1: nodes (b0, b1)
 * and (b2, E); level 2: the root node over them).
 */
static void test_adversarial(const agg_fx *fx_in, tree *t_in)
{
    const agg_fx fx = *fx_in;
    agg_fx other;
    if (agg_fx_make(&other, K, A, 2, 6, 78, 35) != 0) {
        ok(0, "adversarial fixture");
        return;
    }
#define t (*t_in)
    const por_plonk_proof *b0 = &fx.batch[0], *b1 = &fx.batch[1], *b2 = &fx.batch[2];
    const por_plonk_proof *n0 = &t.node[1][0], *n1 = &t.node[1][1];
    const por_agg_circuit *c1 = t.keys.circuit[1], *c2 = t.keys.circuit[2];

    /* controls: the honest children pass the same check */
    ok(accepts(&t, &fx, 1, 0, (const por_plonk_proof *[]){b0, b1}, NULL, NULL, 0) &&
           accepts(&t, &fx, 1, 1, (const por_plonk_proof *[]){b2, NULL}, NULL, NULL, 0) &&
           accepts(&t, &fx, 2, 0, (const por_plonk_proof *[]){n0, n1}, NULL, NULL, 0),
       "controls: the honest witnesses of every node satisfy the circuits");

    /* another snapshot's batch (other params digest) */
    ok(!accepts(&t, &fx, 1, 0, (const por_plonk_proof *[]){b0, &other.batch[1]}, NULL, NULL, 0),
       "a child proof of another snapshot (other params digest) is refused");
    /* params of another snapshot hashed by the node itself */
    {
        por_witness *w = forged(&t, &other, 1, 0, (const por_plonk_proof *[]){b0, b1}, NULL, NULL, 0);
        ok(w && forge_check(c1->circuit, w) != 0, "the node's params preimage of another snapshot is refused");
        por_witness_free(w);
    }

    /* swaps and duplicates */
    ok(!accepts(&t, &fx, 2, 0, (const por_plonk_proof *[]){n1, n0}, NULL, NULL, 0),
       "two aggregation children swapped are refused (positions bound)");
    ok(!accepts(&t, &fx, 2, 0, (const por_plonk_proof *[]){n0, n0}, NULL, NULL, 0),
       "an aggregation node proven twice in place of another is refused");
    {
        por_agg_public sw, dup, hon;
        por_witness *w = NULL;
        const char *why;
        por_agg_witness(c1, &fx.params, 0, (const por_plonk_proof *[]){b1, b0}, true, &w, &sw, &why);
        por_witness_free(w);
        por_agg_witness(c1, &fx.params, 0, (const por_plonk_proof *[]){b0, b0}, true, &w, &dup, &why);
        por_witness_free(w);
        por_agg_witness(c1, &fx.params, 0, (const por_plonk_proof *[]){b0, b1}, true, &w, &hon, &why);
        por_witness_free(w);
        ok(memcmp(&sw.node.root, &hon.node.root, sizeof(hon.node.root)) != 0 &&
               memcmp(&dup.node.root, &hon.node.root, sizeof(hon.node.root)) != 0,
           "batches swapped or one proven twice give another root than the snapshot's (caught by the root)");
    }

    /* a present batch dropped or replaced by an empty subtree; an empty slot filled */
    {
        por_target p = c1->present[1];
        gl_t zero = 0, one = 1;
        ok(!accepts(&t, &fx, 1, 0, (const por_plonk_proof *[]){b0, b1}, &p, &zero, 1),
           "a present batch marked empty (dropped, E in its place) is refused");
        ok(!accepts(&t, &fx, 1, 1, (const por_plonk_proof *[]){b2, b0}, &p, &one, 1),
           "a batch past the last one (slot >= N) marked present is refused");
        /* on the small-balance snapshot (totals below 2^31), so that doubling a
         * child's totals still fits the carry's bound and only booleanity refuses */
        gl_t two = 2;
        ok(accepts(&t, &other, 1, 0, (const por_plonk_proof *[]){&other.batch[0], &other.batch[1]}, NULL, NULL, 0) &&
               !accepts(&t, &other, 1, 0, (const por_plonk_proof *[]){&other.batch[0], &other.batch[1]}, &p, &two, 1),
           "a presence flag of 2 (not boolean: the child counted twice) is refused");
        por_target q = c2->present[1];
        ok(!accepts(&t, &fx, 2, 0, (const por_plonk_proof *[]){n0, n1}, &q, &zero, 1),
           "a present aggregation child marked empty is refused");
    }
    /* the node index and the batch count */
    {
        gl_t n4 = 4;
        ok(!accepts(&t, &fx, 2, 1, (const por_plonk_proof *[]){n0, n1}, NULL, NULL, 0),
           "a node claiming another index than its children's is refused");
        ok(!accepts(&t, &fx, 1, 0, (const por_plonk_proof *[]){b0, b1}, &c1->batch_count, &n4, 1),
           "a batch count other than leaf_count / 2^k is refused");
        ok(!accepts(&t, &fx, 1, 2, (const por_plonk_proof *[]){b2, NULL}, NULL, NULL, 0),
           "a node past the last batch (its first child empty) is refused");
    }
    /* totals */
    {
        por_witness *w = forged(&t, &fx, 1, 0, (const por_plonk_proof *[]){b0, b1}, NULL, NULL, 0);
        gl_t lo = get(w, c1->totals[0]), hi = get(w, c1->totals[1]);
        por_witness_free(w);
        gl_t lo1 = gl_add(lo, 1), hi1 = gl_add(hi, 1);
        ok(!accepts(&t, &fx, 1, 0, (const por_plonk_proof *[]){b0, b1}, &c1->totals[0], &lo1, 1),
           "a total's low limb +1 is refused");
        ok(!accepts(&t, &fx, 1, 0, (const por_plonk_proof *[]){b0, b1}, &c1->totals[1], &hi1, 1),
           "a total's high limb +1 is refused");
        /* the same total with a non-canonical low limb: lo + 2^32 and the carry one less (a total whose carry is 1) */
        w = forged(&t, &fx, 1, 0, (const por_plonk_proof *[]){b0, b1}, NULL, NULL, 0);
        unsigned tc = 2 * A;
        for (unsigned u = 0; u < 2 * A && tc == 2 * A; u++)
            if (get(w, c1->carry[u]) == 1)
                tc = u;
        gl_t lo_t = tc < 2 * A ? get(w, c1->totals[2 * tc]) : 0;
        por_witness_free(w);
        por_target both[2] = {c1->totals[2 * (tc % (2 * A))], c1->carry[tc % (2 * A)]};
        gl_t vals[2] = {lo_t + (1ULL << 32), 0};
        ok(tc < 2 * A && !accepts(&t, &fx, 1, 0, (const por_plonk_proof *[]){b0, b1}, both, vals, 2),
           "the same total with a non-canonical low limb (lo + 2^32, carry - 1) is refused");
        /* the same equation over the field with the total raised by p: only the carry's bound refuses it */
        w = forged(&t, &fx, 1, 0, (const por_plonk_proof *[]){b0, b1}, NULL, NULL, 0);
        gl_t carry = get(w, c1->carry[0]);
        por_witness_free(w);
        unsigned __int128 raised = lo + ((unsigned __int128)hi << 32) + GL_P;
        gl_t lo_p = (gl_t)(raised & 0xffffffffu), hi_p = (gl_t)(raised >> 32);
        por_target lc[2] = {c1->totals[0], c1->carry[0]};
        gl_t lcv[2] = {lo_p, gl_add(gl_sub(hi_p, hi), carry)};
        ok(!accepts(&t, &fx, 1, 0, (const por_plonk_proof *[]){b0, b1}, lc, lcv, 2),
           "a total raised by p (lo, carry satisfying the sum mod p, hi below 2^62) is refused");
        por_plonk_proof tb;
        uint8_t *buf;
        size_t len;
        por_plonk_proof_serialize(b1, &buf, &len);
        por_plonk_proof_deserialize(buf, len, &tb, NULL);
        free(buf);
        tb.public_inputs[4] = gl_add(tb.public_inputs[4], 1);
        ok(!accepts(&t, &fx, 1, 0, (const por_plonk_proof *[]){b0, &tb}, NULL, NULL, 0),
           "a child's total +1 (its proof's public input) is refused by the in-circuit verifier");
        por_plonk_proof_free(&tb);
    }
    /* the root: a forged value at the top */
    {
        gl_t r = 12345;
        ok(!accepts(&t, &fx, 1, 0, (const por_plonk_proof *[]){b0, b1}, &c1->root[0], &r, 1),
           "a root other than the children's node hash is refused");
    }
    /* a child under another key: a batch proof of another asset count or batch size */
    {
        agg_fx a3, k1;
        if (agg_fx_make(&a3, K, 3, 1, 5, 5, 24) == 0 && agg_fx_make(&k1, 1, A, 1, 5, 6, 24) == 0) {
            por_witness *w = NULL;
            por_agg_public e;
            const char *why;
            ok(por_agg_witness(c1, &fx.params, 0, (const por_plonk_proof *[]){b0, &a3.batch[0]}, true, &w, &e,
                               &why) != 0 &&
                   por_agg_witness(c1, &fx.params, 0, (const por_plonk_proof *[]){b0, &k1.batch[0]}, true, &w, &e,
                                   &why) != 0,
               "a child under another key (batch circuit of 3 assets, or of 2 accounts) is refused");
        } else {
            ok(0, "other keys' batch proofs");
        }
        agg_fx_free(&a3);
        agg_fx_free(&k1);
    }
    /* native refusals of por_agg_witness (checked mode) */
    {
        por_witness *w = NULL;
        por_agg_public e;
        const char *why = NULL;
        ok(por_agg_witness(c1, &fx.params, 1, (const por_plonk_proof *[]){b2, b0}, false, &w, &e, &why) != 0 &&
               por_agg_witness(c1, &fx.params, 0, (const por_plonk_proof *[]){b0, &other.batch[1]}, false, &w, &e,
                               &why) != 0,
           "checked witnesses refuse a child past the end and a child of another snapshot (%s)", why ? why : "?");
    }
    agg_fx_free(&other);
#undef t
}

int main(void)
{
    test_shape_arithmetic();
    agg_fx fx;
    tree t;
    if (agg_fx_make(&fx, K, A, 3, 5, 77, 24) != 0 || tree_prove(&t, &fx, 1, 9) != 0) {
        ok(0, "3 batches at fan-in 2: the tree proves");
        return done_testing();
    }
    test_honest(&fx, &t, 1);
    if (getenv("POR_AGG_EXPORT_DIR") == NULL) {
        test_adversarial(&fx, &t);
        test_compress_adversarial(&t);
    }
    tree_free(&t);
    agg_fx_free(&fx);
    /* one batch: one level whose node passes its only child up (N <= 2^0) */
    if (agg_fx_make(&fx, K, A, 1, 8, 5, 24) == 0 && tree_prove(&t, &fx, 1, 4) == 0)
        test_honest(&fx, &t, 1);
    else
        ok(0, "1 batch at fan-in 2: the tree proves");
    tree_free(&t);
    agg_fx_free(&fx);
    done_testing();
}
