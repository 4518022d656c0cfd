/*
 * The batch circuit: honest batches prove and verify, with the native tree's
 * subtree root, exact totals and the params digest as the statement; and for
 * every statement item (DESIGN.md section 2, items 1-6) a malicious witness
 * that must not yield a verifying proof: the witness builder or the prover
 * refuses it, and forced through the prover (unchecked, testing only) the
 * verifier rejects it.  Small batches, few queries and low grinding for
 * speed; one batch with zero knowledge.
 */
#include <stdlib.h>
#include <string.h>

#include "batch_witness_fixture.h"
#include "por/tree.h"

static uint64_t seed = 0x6261746368ULL;


/* Honest batches: proof verifies; the root is the native tree's subtree root. */
static void test_honest(unsigned k, unsigned A, unsigned B, bool zk)
{
    fixture f;
    if (fixture_init(&f, k, A, B, zk) != 0) {
        ok(0, "fixture");
        return;
    }
    diag("k=%u A=%u B=%u zk=%d: %zu rows (%zu gate rows), L=%u R=%u columns=%u slots/row=%u", k, A, B, zk,
         f.bc->circuit->n, f.bc->circuit->num_gate_rows, f.bc->price_limb_bits, f.bc->carry_bits,
         f.bc->columns, f.bc->slots_per_row);
    /* the native tree of both batches */
    size_t N = 2 * f.n;
    por_digest *levels[POR_MAX_DEPTH + 1];
    unsigned depth = por_tree_depth(N);
    for (unsigned h = 0; h <= depth; h++)
        levels[h] = malloc(por_tree_level_size(N, h) * sizeof(por_digest));
    por_leaf_hash_many(NULL, f.cm, f.bal, N, A, levels[0]);
    por_tree_build(NULL, levels, N);
    for (unsigned batch = 0; batch < 2; batch++) {
        const char *why = NULL;
        por_batch_public pub;
        por_witness *w = NULL;
        int rc = por_batch_witness(f.bc, &f.s.params, f.cm + batch * f.n, f.bal + batch * f.n * 2 * A, false,
                                   &w, &pub, &why);
        ok(rc == 0, "honest batch %u: witness (%s)", batch, rc ? why : "ok");
        if (rc != 0)
            continue;
        ok(memcmp(&pub.root, &levels[k][batch], sizeof(por_digest)) == 0,
           "honest batch %u: expected root = native subtree root", batch);
        por_digest pd;
        por_params_digest(&f.s.params, &pd);
        ok(memcmp(&pd, &pub.params_digest, sizeof(pd)) == 0, "honest batch %u: params digest", batch);
        bool totals_ok = true;
        for (unsigned t = 0; t < 2 * A; t++) {
            unsigned __int128 s = 0;
            for (size_t u = 0; u < f.n; u++)
                s += f.bal[(batch * f.n + u) * 2 * A + t];
            totals_ok &= pub.totals[t][0] + ((unsigned __int128)pub.totals[t][1] << 32) == s &&
                         pub.totals[t][0] < (1ULL << 32);
        }
        ok(totals_ok, "honest batch %u: totals exact", batch);
        por_plonk_proof proof;
        rc = por_batch_prove(f.pk, f.bc, w, NULL, NULL, &pub, &proof, &why);
        ok(rc == 0, "honest batch %u: proves with the expected statement (%s)", batch, rc ? why : "ok");
        por_batch_public got;
        ok(rc == 0 && por_batch_verify(por_plonk_prover_vk(f.pk), A, &proof, &pub, &got, &why) == 0 &&
               memcmp(&got.root, &levels[k][batch], sizeof(por_digest)) == 0,
           "honest batch %u: verifies; the proven root is the native subtree root", batch);
        /* serialization round trip, then a tampered public input */
        uint8_t *buf;
        size_t len;
        por_plonk_proof dec;
        ok(rc == 0 && por_plonk_proof_serialize(&proof, &buf, &len) == 0 &&
               por_plonk_proof_deserialize(buf, len, &dec, &why) == 0 && verifies(&f, &dec, &pub),
           "honest batch %u: round trip verifies", batch);
        if (rc == 0) {
            free(buf);
            dec.public_inputs[4] = gl_add(dec.public_inputs[4], 1);
            ok(!verifies(&f, &dec, NULL), "honest batch %u: a proof with a changed total is rejected", batch);
            por_plonk_proof_free(&dec);
        }
        /* a wrong expected statement is rejected */
        por_batch_public wrong = pub;
        wrong.totals[A][1] ^= 1;
        ok(rc == 0 && !verifies(&f, &proof, &wrong), "honest batch %u: another expected total is rejected", batch);
        por_plonk_proof_free(&proof);
        por_witness_free(w);
    }
    for (unsigned h = 0; h <= depth; h++)
        free(levels[h]);
    fixture_free(&f);
}

/* Item 3: a balance p - 1 ("-1") or 2^B. */
/*
 * The range check is the lookup: an honest balance (account 1's equity of
 * asset 0, set to 2^11 + 5) rewritten with sublimbs (2^11 + 5, 0, ...)
 * still recomposes, so every gate constraint holds, but a looked-up cell is
 * outside the table: refused by the prover, rejected when forced.
 */
static void forged_sublimb(fixture *f)
{
    const por_circuit *c = f->bc->circuit;
    const unsigned W = c->config.num_wires;
    uint64_t *bal = malloc(f->n * 4 * sizeof(uint64_t));
    memcpy(bal, f->bal, f->n * 4 * sizeof(uint64_t));
    bal[4 * 1 + 0] = (1u << 11) + 5;
    const char *why;
    por_batch_public pub;
    por_witness *w = witness(f, bal, &f->s.params, false, &pub, &why);
    size_t target = por_circuit_slot(c, f->bc->balance[4 * 1 + 0]);
    bool found = false;
    for (size_t r = 0; w && r < c->num_gate_rows && !found; r++) {
        if (c->row_type[r] == POR_ROW_NOOP || c->gate_types[c->row_type[r]].vt->kind != POR_GATE_BALANCE)
            continue;
        const por_gate *g = &c->gate_types[c->row_type[r]];
        for (unsigned q = 0; q < por_balance_pairs(g) && !found; q++) {
            if (por_circuit_slot(c, (por_target){(uint32_t)(r * W + por_balance_v(g, q, 0))}) != target)
                continue;
            found = true;
            forge(f, w, (por_target){(uint32_t)(r * W + por_balance_cell(g, q, 0, 0))}, (1u << 11) + 5);
            forge(f, w, (por_target){(uint32_t)(r * W + por_balance_cell(g, q, 0, 1))}, 0);
            size_t row;
            const char *cwhy = NULL;
            bool refused = por_circuit_check_witness(c, w, &row, &cwhy) != 0;
            ok(refused && row == r && cwhy && strstr(cwhy, "table"),
               "sublimb 2^11 + 5: only the table check fails (%s)", cwhy ? cwhy : "accepted!");
        }
    }
    ok(found, "sublimb 2^11 + 5: the balance's pair found");
    if (found)
        refused_and_rejected(f, w, &pub, "sublimb 2^11 + 5");
    por_witness_free(w);
    free(bal);
}

static void test_range(void)
{
    fixture f;
    if (fixture_init(&f, 2, 2, 62, false) != 0) {
        ok(0, "fixture");
        return;
    }
    const uint64_t bad[2] = {GL_P - 1, 1ULL << 62};
    const char *names[2] = {"equity p-1", "equity 2^B"};
    for (int i = 0; i < 2; i++) {
        uint64_t *bal = malloc(f.n * 4 * sizeof(uint64_t));
        memcpy(bal, f.bal, f.n * 4 * sizeof(uint64_t));
        bal[4 * 2 + 1] = bad[i];
        malicious_balances(&f, bal, names[i]);
        free(bal);
    }
    /* a debt of -1 would lower the debt sum: also refused */
    uint64_t *bal = malloc(f.n * 4 * sizeof(uint64_t));
    memcpy(bal, f.bal, f.n * 4 * sizeof(uint64_t));
    bal[4 * 3 + 2] = GL_P - 1;
    malicious_balances(&f, bal, "debt p-1");
    free(bal);
    forged_sublimb(&f);
    fixture_free(&f);
}

/* Item 2: a leaf that does not match the summed balances. */
static void test_leaf(void)
{
    fixture f;
    if (fixture_init(&f, 2, 2, 62, false) != 0) {
        ok(0, "fixture");
        return;
    }
    const char *why;
    por_batch_public pub;
    por_witness *w = witness(&f, f.bal, &f.s.params, false, &pub, &why);
    /* the leaf of account 2 as if its equity were larger than the summed one */
    uint64_t e[2] = {f.bal[8] + 1000, f.bal[9]};
    por_digest forged;
    por_leaf_hash(&f.cm[2], e, f.bal + 10, 2, &forged);
    for (unsigned i = 0; i < 4; i++)
        forge(&f, w, f.bc->leaf[8 + i], forged.e[i]);
    refused_and_rejected(&f, w, &pub, "leaf not matching its balances");
    por_witness_free(w);
    /* a proof over the real balances does not prove the root of the forged leaves */
    uint64_t *bal = malloc(f.n * 4 * sizeof(uint64_t));
    memcpy(bal, f.bal, f.n * 4 * sizeof(uint64_t));
    bal[8] += 1000;
    por_batch_public other;
    por_witness *w2 = witness(&f, bal, &f.s.params, false, &other, &why);
    w = witness(&f, f.bal, &f.s.params, false, &pub, &why);
    por_batch_public claimed = pub;
    claimed.root = other.root;
    por_plonk_proof proof;
    int rc = por_batch_prove(f.pk, f.bc, w, NULL, NULL, NULL, &proof, &why);
    ok(rc == 0 && !verifies(&f, &proof, &claimed) && verifies(&f, &proof, &pub),
       "leaf: the proof is of the summed balances' root, not another's");
    por_plonk_proof_free(&proof);
    por_witness_free(w);
    por_witness_free(w2);
    free(bal);
    fixture_free(&f);
}

/* Item 5: a wrong batch total. */
static void test_total(void)
{
    fixture f;
    if (fixture_init(&f, 2, 2, 62, false) != 0) {
        ok(0, "fixture");
        return;
    }
    const char *why;
    por_batch_public pub;
    por_witness *w = witness(&f, f.bal, &f.s.params, false, &pub, &why);
    /* debt total of asset 1, low limb, one less */
    por_target t = f.bc->circuit->public_inputs[4 + 2 * (2 + 1)];
    gl_t v;
    por_witness_get(w, t, &v);
    forge(&f, w, t, gl_sub(v, 1));
    refused_and_rejected(&f, w, &pub, "debt total one less");
    por_witness_free(w);
    /* the carry between the limbs of a total: (lo + 2^32, hi - 1) names the same integer */
    w = witness(&f, f.bal, &f.s.params, false, &pub, &why);
    por_target lo = f.bc->circuit->public_inputs[4], hi = f.bc->circuit->public_inputs[5];
    gl_t vlo, vhi;
    por_witness_get(w, lo, &vlo);
    por_witness_get(w, hi, &vhi);
    forge(&f, w, lo, gl_add(vlo, 1ULL << 32));
    forge(&f, w, hi, gl_sub(vhi, 1));
    refused_and_rejected(&f, w, NULL, "non-canonical total limbs");
    por_witness_free(w);
    fixture_free(&f);
}

/* Item 4: an account one unit short. */
static void test_insolvent(void)
{
    fixture f;
    if (fixture_init(&f, 2, 3, 62, false) != 0) {
        ok(0, "fixture");
        return;
    }
    /* account 1 sits at zero margin (fill_balances); one more unit of debt */
    uint64_t *bal = malloc(f.n * 6 * sizeof(uint64_t));
    memcpy(bal, f.bal, f.n * 6 * sizeof(uint64_t));
    ok(por_account_solvent(&f.s.params, bal + 6, bal + 9), "insolvent: the zero-margin account is solvent");
    bal[6 + 3 + 2] += 1;
    ok(!por_account_solvent(&f.s.params, bal + 6, bal + 9), "insolvent: one more unit of debt is not");
    malicious_balances(&f, bal, "insolvent by one unit");
    /* a huge equity "-1" in the price-weighted sum cannot pay for it either: covered by test_range */
    free(bal);
    fixture_free(&f);
}

/* Item 6: balances checked against other prices/haircuts than the digest's. */
static void test_params(void)
{
    fixture f;
    if (fixture_init(&f, 2, 3, 62, false) != 0) {
        ok(0, "fixture");
        return;
    }
    uint64_t *bal = malloc(f.n * 6 * sizeof(uint64_t));
    memcpy(bal, f.bal, f.n * 6 * sizeof(uint64_t));
    bal[6 + 3 + 2] += 1; /* insolvent under the real params */
    por_batch_public real;
    const char *why;
    por_witness *w0 = witness(&f, bal, &f.s.params, true, &real, &why); /* for the real statement */
    por_witness_free(w0);
    for (int variant = 0; variant < 2; variant++) {
        snap cheat = f.s;
        cheat.params.assets = cheat.assets;
        if (variant == 0)
            cheat.assets[1].price_units += 2; /* swapped price */
        else
            cheat.assets[1].haircut = 81; /* swapped haircut */
        por_batch_public pub;
        por_witness *w = witness(&f, bal, &cheat.params, false, &pub, &why);
        ok(w != NULL, "params %d: solvent under the cheating params (%s)", variant, w ? "ok" : why);
        if (!w)
            continue;
        por_plonk_proof proof;
        int rc = por_batch_prove(f.pk, f.bc, w, NULL, NULL, NULL, &proof, &why);
        ok(rc == 0 && verifies(&f, &proof, &pub) && !verifies(&f, &proof, &real),
           "params %d: the proof binds the cheating digest, not the real one", variant);
        por_plonk_proof_free(&proof);
        /* claim the real digest while checking against the cheating prices */
        for (unsigned i = 0; i < 4; i++)
            forge(&f, w, f.bc->params_digest[i], real.params_digest.e[i]);
        real.root = pub.root;
        memcpy(real.totals, pub.totals, sizeof(real.totals));
        refused_and_rejected(&f, w, &real, variant ? "haircut swapped under the real digest"
                                                   : "price swapped under the real digest");
        por_witness_free(w);
    }
    free(bal);
    fixture_free(&f);
}

/* Item 1: a forged tree node. */
static void test_node(void)
{
    fixture f;
    if (fixture_init(&f, 3, 2, 62, false) != 0) {
        ok(0, "fixture");
        return;
    }
    const char *why;
    por_batch_public pub;
    por_witness *w = witness(&f, f.bal, &f.s.params, false, &pub, &why);
    /* the first level-1 node replaced by another digest */
    for (unsigned i = 0; i < 4; i++)
        forge(&f, w, f.bc->node[i], gl_from_u64(test_rand_u64(&seed)));
    refused_and_rejected(&f, w, &pub, "forged tree node");
    por_witness_free(w);
    /* the root itself */
    w = witness(&f, f.bal, &f.s.params, false, &pub, &why);
    size_t last = ((size_t)1 << 3) - 2;
    forge(&f, w, f.bc->node[4 * last], gl_add(pub.root.e[0], 1));
    refused_and_rejected(&f, w, NULL, "forged root");
    por_witness_free(w);
    fixture_free(&f);
}

/*
 * Items 3-5 at the extremes, where wraparound would show: 64 assets at the
 * top price 2^63 - 1 and haircut 100, balances 2^62 - 1.  Account 0 owes
 * exactly what it holds on other assets (zero margin: the solvency columns
 * take their largest positive and negative values at once), account 1 holds
 * the most on every asset.  The honest batch proves with exact totals; one
 * unit less equity on account 0 must not.
 */
static void test_extremes(void)
{
    const unsigned A = 64, B = 62;
    fixture f;
    if (fixture_init(&f, 1, A, B, false) != 0) {
        ok(0, "fixture");
        return;
    }
    const uint64_t top = (1ULL << B) - 1;
    for (unsigned a = 0; a < A; a++) {
        f.s.assets[a].price_units = POR_PRICE_UNITS_MAX;
        f.s.assets[a].haircut = 100;
    }
    for (unsigned a = 0; a < A; a++) {
        f.bal[a] = a < A / 2 ? top : 0;       /* account 0: equity on the first half */
        f.bal[A + a] = a < A / 2 ? 0 : top;   /* and as much debt on the second */
        f.bal[2 * A + a] = top;               /* account 1: all equity */
        f.bal[3 * A + a] = 0;
    }
    const char *why = NULL;
    por_batch_public pub;
    por_witness *w = witness(&f, f.bal, &f.s.params, false, &pub, &why);
    ok(w != NULL, "extremes: zero-margin and full accounts accepted (%s)", w ? "ok" : why);
    if (w) {
        bool exact = true;
        for (unsigned t = 0; t < 2 * A; t++) {
            unsigned __int128 sum = (unsigned __int128)f.bal[t] + f.bal[2 * A + t];
            exact &= pub.totals[t][0] + ((unsigned __int128)pub.totals[t][1] << 32) == sum;
        }
        ok(exact, "extremes: expected totals exact");
        por_plonk_proof proof;
        int rc = por_batch_prove(f.pk, f.bc, w, NULL, NULL, &pub, &proof, &why);
        ok(rc == 0 && verifies(&f, &proof, &pub), "extremes: proves and verifies (%s)", rc ? why : "ok");
        por_plonk_proof_free(&proof);
    }
    por_witness_free(w);
    f.bal[0] -= 1;
    malicious_balances(&f, f.bal, "extremes: one unit short at the top price");
    fixture_free(&f);
}

/*
 * White-box wiring of the balance rows: every slot's v is either one of the
 * leaf's balances (each exactly once) or, for a slot left over in an
 * account's last row, the constant 0 together with its multiplier, prices and
 * totals, so no free slot can add to the solvency columns or the totals;
 * multipliers are a haircut or the constant -100.
 */
static void test_wiring(void)
{
    fixture f;
    if (fixture_init(&f, 1, 3, 62, false) != 0) {
        ok(0, "fixture");
        return;
    }
    const por_circuit *c = f.bc->circuit;
    const unsigned W = c->config.num_wires, K = c->config.num_constants;
    size_t zeros[8], nzero = 0; /* classes of constant wires holding 0 (incl. unused ones) */
    for (size_t r = 0; r < c->num_gate_rows; r++) {
        if (c->row_type[r] == POR_ROW_NOOP || c->gate_types[c->row_type[r]].vt->kind != POR_GATE_CONSTANT)
            continue;
        for (unsigned i = 0; i < c->gate_types[c->row_type[r]].params[0]; i++) {
            size_t sl = por_circuit_slot(c, (por_target){(uint32_t)(r * W + i)});
            if (c->row_consts[r * K + i] == 0 && nzero < 8)
                zeros[nzero++] = sl;
        }
    }
    const unsigned A = 3;
    size_t nbal = f.n * 2 * A;
    unsigned *seen = calloc(nbal, sizeof(unsigned));
    size_t dummies = 0, rows = 0, pairs = 0;
    bool good = nzero > 0;
    for (size_t r = 0; r < c->num_gate_rows; r++) {
        if (c->row_type[r] == POR_ROW_NOOP || c->gate_types[c->row_type[r]].vt->kind != POR_GATE_BALANCE)
            continue;
        const por_gate *g = &c->gate_types[c->row_type[r]];
        rows++;
        pairs = por_balance_pairs(g);
#define SLOT(col) por_circuit_slot(c, (por_target){(uint32_t)(r * W + (col))})
        for (unsigned q = 0; q < por_balance_pairs(g); q++) {
            size_t e = SLOT(por_balance_v(g, q, 0)), d = SLOT(por_balance_v(g, q, 1));
            size_t h = SLOT(por_balance_haircut(g, q));
            bool is_zero = false;
            for (size_t z = 0; z < nzero; z++)
                is_zero |= e == zeros[z];
            if (is_zero) {
                dummies++;
                good &= h == e && d == e;
                for (unsigned j = 0; j < por_balance_price_limbs(g); j++)
                    good &= SLOT(por_balance_price(g, q, j)) == e;
                for (unsigned t = 0; t < 8; t++)
                    good &= SLOT(por_balance_total(g, q, t / 4, t % 4)) == e;
                continue;
            }
            size_t i = 0;
            while (i < nbal && por_circuit_slot(c, f.bc->balance[i]) != e)
                i++;
            /* account i / 2A lists e_0 .. e_{A-1}, d_0 .. d_{A-1}: the pair of asset a holds e_a and d_a */
            good &= i < nbal && i % (2 * A) < A;
            if (i == nbal)
                continue;
            seen[i]++;
            good &= por_circuit_slot(c, f.bc->balance[i + A]) == d;
            seen[i + A] += por_circuit_slot(c, f.bc->balance[i + A]) == d;
            good &= h == por_circuit_slot(c, f.bc->haircut[i % (2 * A)]);
        }
#undef SLOT
    }
    for (size_t i = 0; i < nbal; i++)
        good &= seen[i] == 1;
    size_t per_account = pairs ? (A + pairs - 1) / pairs : 0;
    ok(good && pairs > 0 && rows == f.n * per_account && dummies == f.n * (per_account * pairs - A) && dummies > 0,
       "wiring: each asset's equity and debt in exactly one pair with its haircut; %zu leftover pairs all zero",
       dummies);
    free(seen);
    fixture_free(&f);
}

/* Shape checks: params of another shape are refused; the circuit depends on
 * (k, A, B) only, not on prices or symbols: one verifier key proves params
 * whose symbols have other lengths, and the symbol bytes are bound. */
static void test_shape(void)
{
    fixture f;
    if (fixture_init(&f, 2, 2, 62, false) != 0) {
        ok(0, "fixture");
        return;
    }
    const char *why;
    por_batch_public pub, base;
    por_witness *w = witness(&f, f.bal, &f.s.params, false, &base, &why);
    por_witness_free(w);
    snap other = f.s;
    other.params.assets = other.assets;
    other.params.balance_bits = 61;
    ok(witness(&f, f.bal, &other.params, true, &pub, &why) == NULL, "shape: another balance_bits is refused");
    /* symbols of 4 and 32 bytes instead of 3 and 3: same circuit, another digest */
    other = f.s;
    other.params.assets = other.assets;
    strcpy(other.assets[0].symbol, "WBTC");
    strcpy(other.assets[1].symbol, "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345");
    w = witness(&f, f.bal, &other.params, false, &pub, &why);
    ok(w != NULL, "shape: symbols of other lengths fit the same circuit (%s)", w ? "ok" : why);
    if (w) {
        por_digest pd;
        por_params_digest(&other.params, &pd);
        ok(memcmp(&pd, &pub.params_digest, sizeof(pd)) == 0 &&
               memcmp(&pd, &base.params_digest, sizeof(pd)) != 0,
           "shape: the expected digest is the native digest of the new symbols");
        por_plonk_proof proof;
        int rc = por_batch_prove(f.pk, f.bc, w, NULL, NULL, &pub, &proof, &why);
        ok(rc == 0 && verifies(&f, &proof, &pub) && !verifies(&f, &proof, &base),
           "shape: proves and verifies the new symbols' digest, not the old one (%s)", rc ? why : "ok");
        por_plonk_proof_free(&proof);
        /* a symbol byte or length changed under the same claimed digest */
        forge(&f, w, f.bc->symbol[POR_BATCH_SYMBOL_WORDS + 4], 0x353433);
        refused_and_rejected(&f, w, &pub, "symbol byte changed under the digest");
        por_witness_free(w);
        w = witness(&f, f.bal, &other.params, false, &pub, &why);
        forge(&f, w, f.bc->symbol_len[0], 3);
        refused_and_rejected(&f, w, &pub, "symbol length changed under the digest");
        por_witness_free(w);
    }
    /* a circuit built on its own (no prices, no symbols) is the same circuit;
     * another balance width is not */
    por_circuit_config cfg;
    test_fast_batch_config(&cfg);
    por_batch_circuit *bc2 = por_batch_circuit_build(2, 2, 62, false, &cfg, &why);
    por_plonk_prover *pk2 = bc2 ? por_plonk_setup(bc2->circuit, NULL, &why) : NULL;
    ok(pk2 && memcmp(&por_plonk_prover_vk(pk2)->circuit_digest, &por_plonk_prover_vk(f.pk)->circuit_digest,
                     sizeof(por_digest)) == 0,
       "shape: the circuit digest depends on the shape only");
    por_plonk_prover_free(pk2);
    por_batch_circuit_free(bc2);
    bc2 = por_batch_circuit_build(2, 2, 61, false, &cfg, &why);
    pk2 = bc2 ? por_plonk_setup(bc2->circuit, NULL, &why) : NULL;
    ok(pk2 && memcmp(&por_plonk_prover_vk(pk2)->circuit_digest, &por_plonk_prover_vk(f.pk)->circuit_digest,
                     sizeof(por_digest)) != 0,
       "shape: another balance_bits gives another circuit digest");
    por_plonk_prover_free(pk2);
    por_batch_circuit_free(bc2);
    ok(por_batch_circuit_build(2, 2, 63, false, &cfg, &why) == NULL, "shape: balance_bits 63 refused");
    fixture_free(&f);
}

int main(void)
{
    test_honest(2, 2, 62, false);
    test_honest(2, 3, 20, false);
    test_honest(1, 2, 33, false); /* odd B: top 2-bit limb a bit; 4 columns */
    test_honest(2, 2, 62, true);
    test_range();
    test_leaf();
    test_total();
    test_insolvent();
    test_params();
    test_node();
    test_extremes();
    test_wiring();
    test_shape();
    return done_testing();
}
