/*
 * In-circuit PLONK verification against plonk/plonk.c on real proofs (zero
 * knowledge; inner circuits with arithmetic, constants, Poseidon, range
 * checks of two widths and public inputs, and one with range lookups): the
 * outer circuit, with the inner key pinned, accepts exactly what
 * por_plonk_verify accepts: honest proofs, and proofs with a tampered public
 * input, wires / permutation / quotient cap, opened value (wires,
 * permutation, quotient, preprocessed), batch row, FRI value or nonce, and
 * the proof of an unsatisfied witness (which only the vanishing identity
 * catches); a proof of another circuit of the same shape, relabelled with
 * the pinned circuit's digest, is rejected.  Forged witnesses of the
 * rejected cases fail por_circuit_check_witness; an outer proof of an honest
 * verification verifies and one of a forged witness does not.  A batch
 * proof (production configuration, zero knowledge) gets a recursive proof
 * that verifies natively; the rows of the outer circuit that verifies a
 * batch proof are reported.
 */
#include <stdlib.h>
#include <string.h>

#include "recursion/plonk_circuit.h"
#include "por/batch.h"
#include "proof_fixtures.h"
#include "forge.h"
#include "tap.h"

static uint64_t seed = 0x9c0f0c14c417ULL;

static gl_t rnd(void) { return gl_from_u64(test_rand_u64(&seed)) & 0xffffffffffffULL; }

/* An inner circuit and its prover: arithmetic with tweakable constants,
 * Poseidon, range checks (by lookups if the configuration has a table),
 * public inputs. */
typedef struct {
    por_circuit *c;
    por_plonk_prover *pk;
    por_target in[7], out; /* out: the arithmetic chain's result */
} inner;

static int inner_build(inner *f, const por_circuit_config *cfg, gl_t tweak)
{
    por_builder *b = por_builder_new(cfg);
    for (int i = 0; i < 7; i++)
        f->in[i] = por_builder_add_virtual(b);
    por_target x = f->in[0], d[4];
    /* a second range width: two range(-lookup) gate types */
    por_builder_range_check(b, f->in[6], 20);
    for (int i = 0; i < 10; i++)
        x = por_builder_add_const(b, por_builder_mul(b, x, f->in[1]), gl_add(gl_from_u64(i + 3), tweak));
    for (int i = 0; i < 6; i++)
        por_builder_range_check(b, f->in[i], 48);
    por_builder_hash(b, 77, f->in, 6, d);
    por_builder_register_public_input(b, x);
    f->out = x;
    for (int i = 0; i < 4; i++)
        por_builder_register_public_input(b, d[i]);
    const char *why;
    f->c = por_builder_build(b, &why);
    por_builder_free(b);
    f->pk = f->c ? por_plonk_setup(f->c, NULL, &why) : NULL;
    if (!f->pk)
        diag("inner: %s", why);
    return f->pk ? 0 : -1;
}

static int inner_prove(const inner *f, por_plonk_proof *proof)
{
    por_witness *w = por_witness_new(f->c);
    for (int i = 0; i < 7; i++)
        por_witness_set(w, f->in[i], i == 6 ? rnd() & 0xfffff : rnd());
    uint64_t rs = test_rand_u64(&seed);
    por_plonk_prove_opts opts = {.rand = test_rand_fields, .rand_ctx = &rs};
    const char *why;
    int rc = por_plonk_prove(f->pk, w, NULL, &opts, proof, &why);
    por_witness_free(w);
    return rc;
}

/* A proof of a witness that violates one arithmetic row (its output off by
 * one), the prover's check bypassed: everything is committed consistently,
 * only the vanishing identity fails. */
static int inner_prove_unsat(const inner *f, por_plonk_proof *proof)
{
    por_target t[8];
    gl_t v[8];
    for (int i = 0; i < 7; i++)
        t[i] = f->in[i], v[i] = i == 6 ? rnd() & 0xfffff : rnd();
    por_witness *w = forge_honest(f->c, t, v, 7, &(const char *){NULL});
    gl_t good = 0;
    if (w)
        por_witness_get(w, f->out, &good);
    por_witness_free(w);
    t[7] = f->out, v[7] = gl_add(good, 1);
    w = forge_witness(f->c, t, v, 8);
    uint64_t rs = test_rand_u64(&seed);
    por_plonk_prove_opts opts = {.rand = test_rand_fields, .rand_ctx = &rs, .unchecked = true};
    const char *why;
    int rc = por_plonk_prove(f->pk, w, NULL, &opts, proof, &why);
    por_witness_free(w);
    return rc;
}

static void inner_free(inner *f)
{
    por_plonk_prover_free(f->pk);
    por_circuit_free(f->c);
}

/* A deep copy through the encoding. */
static void proof_copy(const por_plonk_proof *src, por_plonk_proof *dst)
{
    uint8_t *buf;
    size_t len;
    por_plonk_proof_serialize(src, &buf, &len);
    por_plonk_proof_deserialize(buf, len, dst, NULL);
    free(buf);
}

/* The outer circuit: verifies a proof under the pinned key, and exposes the
 * inner public inputs as its own. */
typedef struct {
    por_circuit *c;
    por_rec_plonk_proof tp;
    size_t rows;
} outer;

static int outer_build(outer *o, const por_plonk_vk *vk, const por_circuit_config *cfg)
{
    por_builder *b = por_builder_new(cfg);
    por_rec_plonk_proof_add(b, vk, &o->tp);
    size_t r0 = por_builder_num_rows(b);
    por_rec_plonk_verify(b, vk, &o->tp);
    o->rows = por_builder_num_rows(b) - r0;
    for (size_t i = 0; i < vk->num_public_inputs; i++)
        por_builder_register_public_input(b, o->tp.public_inputs[i]);
    const char *why;
    o->c = por_builder_build(b, &why);
    if (!o->c)
        diag("outer: %s", why);
    por_builder_free(b);
    return o->c ? 0 : -1;
}

static por_witness *outer_witness(const outer *o, const por_plonk_vk *vk, const por_plonk_proof *proof, bool forged)
{
    por_witness *w = por_witness_new(o->c);
    int rc = por_rec_plonk_proof_set(w, vk, &o->tp, proof);
    const char *why;
    if (forged) {
        forge_complete(w);
    } else if (rc != 0 || por_witness_generate(w, &why) != 0) {
        por_witness_free(w);
        return NULL;
    }
    return w;
}

static bool outer_accepts(const outer *o, const por_plonk_vk *vk, const por_plonk_proof *proof)
{
    por_witness *w = outer_witness(o, vk, proof, false);
    bool good = w && forge_check(o->c, w) == 0;
    por_witness_free(w);
    return good;
}

enum { T_NONE, T_PI, T_WIRES_CAP, T_ZS_CAP, T_QUOT_CAP, T_EVAL_WIRE, T_EVAL_ZS, T_EVAL_QUOT, T_EVAL_PRE,
       T_ROW, T_FRI_VALUE, T_NONCE, T_UNSAT, T_PATH, T_FRI_PATH, T_FRI_CAP, T_FINAL_POLY, T_SALT, T_COUNT };
static const char *const tamper_name[T_COUNT] = {
    "honest", "public input", "wires cap", "permutation cap", "quotient cap", "opened wire", "opened Z",
    "opened quotient chunk", "opened preprocessed value", "batch row", "FRI value", "nonce",
    "unsatisfied witness", "batch path node", "FRI path node", "FRI layer cap", "final polynomial",
    "leaf salt"};
/* One tamper per class of proof component the issue lists (cap, opening,
 * path node, FRI layer value, final polynomial, nonce, public input): each
 * gets a proof of its bypassed verification that must not verify. */
static const int tamper_classes[] = {T_WIRES_CAP, T_EVAL_WIRE, T_PATH, T_FRI_VALUE, T_FINAL_POLY, T_NONCE, T_PI};

static void tamper(const por_plonk_vk *vk, por_plonk_proof *p, int kind)
{
    por_pcs_shape s;
    por_plonk_vk_shape(vk, &s);
    size_t P = por_pcs_shape_total_polys(&s), off_w = s.batches[0].num_polys, off_z = off_w + s.batches[1].num_polys;
    size_t off_q = off_z + s.batches[2].num_polys, cap = (size_t)1 << p->cap_height;
    size_t r = test_rand_u64(&seed);
    switch (kind) {
    case T_PI: p->public_inputs[r % p->num_public_inputs] ^= 1; break;
    case T_WIRES_CAP: p->wires_cap[r % cap].e[0] ^= 1; break;
    case T_ZS_CAP: p->zs_cap[r % cap].e[1] ^= 1; break;
    case T_QUOT_CAP: p->quotient_cap[r % cap].e[2] ^= 1; break;
    case T_EVAL_WIRE: p->opening.evals[off_w + r % s.batches[1].num_polys].c0 ^= 1; break;
    case T_EVAL_ZS: p->opening.evals[P + off_z].c1 ^= 1; break; /* Z(w zeta) */
    case T_EVAL_QUOT: p->opening.evals[off_q + r % s.batches[3].num_polys].c0 ^= 1; break;
    case T_EVAL_PRE: p->opening.evals[r % s.batches[0].num_polys].c1 ^= 1; break;
    case T_ROW: p->opening.rows[r % (P * vk->fri.num_queries)] ^= 1; break;
    case T_FRI_VALUE: p->opening.fri.values[r % por_fri_values_per_query(&vk->fri)].c0 ^= 1; break;
    case T_NONCE: p->opening.fri.pow_nonce ^= 1; break;
    case T_PATH: p->opening.paths[r % ((size_t)vk->fri.num_queries * s.num_batches)].e[r % 4] ^= 1; break;
    case T_FRI_PATH: p->opening.fri.paths[r % por_fri_path_per_query(&vk->fri)].e[3] ^= 1; break;
    case T_FRI_CAP: p->opening.fri.caps[r % por_fri_total_caps(&vk->fri)].e[0] ^= 1; break;
    case T_FINAL_POLY: p->opening.fri.final_poly[r % ((size_t)1 << vk->fri.final_poly_bits)].c1 ^= 1; break;
    case T_SALT: p->opening.salts[POR_MERKLE_SALT * s.num_batches * (r % vk->fri.num_queries) +
                                  POR_MERKLE_SALT * (1 + r % 3) + r % POR_MERKLE_SALT] ^= 1; break;
    }
}

static void test_inner(const char *name, const por_circuit_config *icfg, bool prove_outer)
{
    inner a, a2;
    if (inner_build(&a, icfg, 0) != 0 || inner_build(&a2, icfg, 5) != 0) {
        ok(0, "%s: inner circuits build", name);
        return;
    }
    const por_plonk_vk *vk = por_plonk_prover_vk(a.pk);
    por_plonk_proof proof, other, unsat;
    ok(inner_prove(&a, &proof) == 0 && por_plonk_verify(vk, &proof, NULL) == 0 && inner_prove(&a2, &other) == 0,
       "%s: inner proofs (2^%u rows, %u gate types) prove and verify", name, vk->degree_bits, vk->num_gate_types);
    const char *uwhy = NULL;
    bool unsat_rejected = inner_prove_unsat(&a, &unsat) == 0 && por_plonk_verify(vk, &unsat, &uwhy) != 0;
    ok(unsat_rejected && uwhy &&
           strcmp(uwhy, "the vanishing identity fails at zeta") == 0,
       "%s: a proof of an unsatisfied witness fails the vanishing identity only (%s)", name, uwhy);
    por_circuit_config ocfg;
    por_circuit_config_default(&ocfg);
    ocfg.zero_knowledge = 0;
    outer o;
    memset(&o, 0, sizeof(o));
    if (outer_build(&o, vk, &ocfg) != 0) {
        ok(0, "%s: outer circuit builds", name);
        return;
    }
    diag("%s: verifying the inner proof (%u queries) takes %zu rows (outer circuit 2^%u)", name, vk->fri.num_queries,
         o.rows, o.c->degree_bits);
    int agree = 0, reject_ok = 0, forged_ok = 0, gen_fails = 0, cases = 0;
    for (int kind = 0; kind < T_COUNT; kind++) {
        por_plonk_proof tp;
        proof_copy(kind == T_UNSAT ? &unsat : &proof, &tp);
        tamper(vk, &tp, kind);
        bool nat = por_plonk_verify(vk, &tp, NULL) == 0, circ = outer_accepts(&o, vk, &tp);
        cases++;
        agree += nat == circ;
        bool want = kind == T_NONE || (kind == T_NONCE && nat); /* a flipped nonce may still pass */
        reject_ok += nat == want;
        if (!want) {
            por_witness *w = outer_witness(&o, vk, &tp, false);
            gen_fails += w == NULL; /* witness generation itself refuses it */
            por_witness_free(w);
            w = outer_witness(&o, vk, &tp, true);
            forged_ok += forge_check(o.c, w) != 0;
            por_witness_free(w);
        } else {
            forged_ok++;
            gen_fails++;
        }
        if (nat != circ || nat != want)
            diag("%s: %s: native %d circuit %d", name, tamper_name[kind], nat, circ);
        por_plonk_proof_free(&tp);
    }
    ok(agree == cases && reject_ok == cases && forged_ok == cases && gen_fails == cases,
       "%s: the outer circuit accepts exactly as por_plonk_verify over %d cases (honest and every tamper); "
       "witness generation fails on every rejected one, and its forged witness is rejected",
       name, cases);

    /* another circuit's proof, labelled with the pinned digest */
    por_plonk_proof relabel;
    proof_copy(&other, &relabel);
    relabel.circuit_digest = vk->circuit_digest;
    por_witness *w = outer_witness(&o, vk, &relabel, false);
    bool rejected = w == NULL || forge_check(o.c, w) != 0;
    por_witness_free(w);
    w = outer_witness(&o, vk, &relabel, true);
    ok(rejected && forge_check(o.c, w) != 0 && por_plonk_verify(vk, &relabel, NULL) != 0,
       "%s: a valid proof of another circuit (same shape), relabelled, is rejected natively and in-circuit", name);
    por_witness_free(w);
    w = por_witness_new(o.c);
    ok(por_rec_plonk_proof_set(w, vk, &o.tp, &other) != 0, "%s: ... and refused as it is (digest differs)", name);
    por_witness_free(w);

    if (prove_outer) {
        /* the outer circuit proven: honest, then a wrong claimed value forged */
        por_circuit_config pcfg;
        test_fast_config(&pcfg);
        outer po;
        memset(&po, 0, sizeof(po));
        outer_build(&po, vk, &pcfg);
        const char *why = NULL;
        w = outer_witness(&po, vk, &proof, false);
        int rc = w ? forge_prove_verify(po.c, w, &why) : -4;
        ok(rc == 0, "%s: a zero-knowledge proof of the honest verification verifies (%s)", name, why ? why : "ok");
        por_witness_free(w);
        for (size_t i = 0; i < sizeof(tamper_classes) / sizeof(tamper_classes[0]); i++) {
            por_plonk_proof tp;
            proof_copy(&proof, &tp);
            tamper(vk, &tp, tamper_classes[i]);
            if (tamper_classes[i] == T_NONCE && por_plonk_verify(vk, &tp, NULL) == 0) {
                /* a flipped nonce may still grind enough: flip another bit */
                tp.opening.fri.pow_nonce ^= 2;
            }
            w = outer_witness(&po, vk, &tp, false);
            bool gen_refused = w == NULL;
            por_witness_free(w);
            w = outer_witness(&po, vk, &tp, true); /* the check bypassed: generation past every conflict */
            why = NULL;
            rc = forge_prove_verify(po.c, w, &why);
            ok(gen_refused && rc == -1,
               "%s: tampered %s: witness generation fails, and the outer proof of the forged witness does not "
               "verify (%s)", name, tamper_name[tamper_classes[i]], why ? why : "?");
            por_witness_free(w);
            por_plonk_proof_free(&tp);
        }
        por_rec_plonk_proof_free(&po.tp);
        por_circuit_free(po.c);
    }
    por_plonk_proof_free(&relabel);
    por_plonk_proof_free(&unsat);
    por_plonk_proof_free(&proof);
    por_plonk_proof_free(&other);
    por_rec_plonk_proof_free(&o.tp);
    por_circuit_free(o.c);
    inner_free(&a);
    inner_free(&a2);
}

/* Fan-in 2 over two keys, then a second level: an outer circuit verifying a
 * proof of the plain circuit and one of the lookup circuit is proven, and
 * that proof is verified in-circuit by a third circuit. */
static void test_fan_in_and_levels(void)
{
    por_circuit_config c1, c2;
    test_fast_config(&c1);
    c2 = c1;
    c2.lookup_bits = 8;
    c2.lookup_first_wire = 40;
    inner a, l;
    if (inner_build(&a, &c1, 0) != 0 || inner_build(&l, &c2, 0) != 0) {
        ok(0, "fan-in: inner circuits build");
        return;
    }
    const por_plonk_vk *va = por_plonk_prover_vk(a.pk), *vl = por_plonk_prover_vk(l.pk);
    por_plonk_proof pa, pl;
    inner_prove(&a, &pa);
    inner_prove(&l, &pl);

    /* level 1: both proofs, their public inputs exposed */
    por_circuit_config ocfg;
    test_fast_config(&ocfg);
    por_builder *b = por_builder_new(&ocfg);
    por_rec_plonk_proof ta, tl;
    por_rec_plonk_proof_add(b, va, &ta);
    por_rec_plonk_proof_add(b, vl, &tl);
    size_t r0 = por_builder_num_rows(b);
    por_rec_plonk_verify(b, va, &ta);
    por_rec_plonk_verify(b, vl, &tl);
    size_t rows = por_builder_num_rows(b) - r0;
    for (size_t i = 0; i < va->num_public_inputs; i++)
        por_builder_register_public_input(b, ta.public_inputs[i]);
    for (size_t i = 0; i < vl->num_public_inputs; i++)
        por_builder_register_public_input(b, tl.public_inputs[i]);
    const char *why = NULL;
    por_circuit *c = por_builder_build(b, &why);
    por_builder_free(b);
    por_plonk_prover *pk1 = c ? por_plonk_setup(c, NULL, &why) : NULL;
    por_witness *w = c ? por_witness_new(c) : NULL;
    int rc = w ? por_rec_plonk_proof_set(w, va, &ta, &pa) | por_rec_plonk_proof_set(w, vl, &tl, &pl) : -1;
    por_plonk_proof p1;
    memset(&p1, 0, sizeof(p1));
    uint64_t rs = 99;
    por_plonk_prove_opts opts = {.rand = test_rand_fields, .rand_ctx = &rs};
    rc = rc == 0 && pk1 ? por_plonk_prove(pk1, w, NULL, &opts, &p1, &why) : -1;
    const por_plonk_vk *v1 = pk1 ? por_plonk_prover_vk(pk1) : NULL;
    ok(rc == 0 && por_plonk_verify(v1, &p1, &why) == 0,
       "fan-in 2 (two keys, %zu rows of verification, circuit 2^%u): the level-1 proof verifies (%s)", rows,
       v1 ? v1->degree_bits : 0, why ? why : "ok");
    ok(rc == 0 && p1.num_public_inputs == pa.num_public_inputs + pl.num_public_inputs &&
           memcmp(p1.public_inputs, pa.public_inputs, pa.num_public_inputs * sizeof(gl_t)) == 0 &&
           memcmp(p1.public_inputs + pa.num_public_inputs, pl.public_inputs, pl.num_public_inputs * sizeof(gl_t)) == 0,
       "fan-in 2: the children's public inputs are the level-1 proof's");
    por_witness_free(w);

    /* level 2: the level-1 proof verified in-circuit */
    if (rc == 0) {
        por_circuit_config l2cfg;
        por_circuit_config_default(&l2cfg);
        l2cfg.zero_knowledge = 0;
        outer o2;
        memset(&o2, 0, sizeof(o2));
        outer_build(&o2, v1, &l2cfg);
        ok(outer_accepts(&o2, v1, &p1), "level 2: the level-1 proof verifies in-circuit (%zu rows, gates of %u types)",
           o2.rows, v1->num_gate_types);
        /* and the level-2 circuit proven: a recursive proof of a recursive proof */
        por_witness *w2 = outer_witness(&o2, v1, &p1, false);
        const char *why2 = NULL;
        int rc2 = w2 ? forge_prove_verify(o2.c, w2, &why2) : -4;
        ok(rc2 == 0, "level 2: its proof (2^%u rows) verifies natively (%s)", o2.c ? o2.c->degree_bits : 0,
           why2 ? why2 : "ok");
        por_witness_free(w2);
        por_plonk_proof t1;
        proof_copy(&p1, &t1);
        tamper(v1, &t1, T_EVAL_WIRE);
        ok(!outer_accepts(&o2, v1, &t1), "level 2: a tampered level-1 proof is rejected in-circuit");
        por_plonk_proof_free(&t1);
        por_rec_plonk_proof_free(&o2.tp);
        por_circuit_free(o2.c);
    }
    por_plonk_proof_free(&p1);
    por_plonk_prover_free(pk1);
    por_circuit_free(c);
    por_rec_plonk_proof_free(&ta);
    por_rec_plonk_proof_free(&tl);
    por_plonk_proof_free(&pa);
    por_plonk_proof_free(&pl);
    inner_free(&a);
    inner_free(&l);
}

/* Sanitized builds prove about 10x slower: their recursive proofs of batch
 * proofs use the fast test configuration; the plain build proves them in the
 * recursive proofs' own configuration (por_rec_config_default). */
#define SANITIZED TEST_SANITIZED

enum { BK = 3, BA = 2 };

/* A zero-knowledge batch proof of 8 accounts x 2 assets (random solvent
 * balances) in the production configuration; 0 or -1. */
static int batch_prove(const por_batch_circuit *bc, const por_plonk_prover *pk, por_plonk_proof *bp)
{
    por_asset assets[BA] = {{.symbol = "BTC", .decimals = 8, .price_units = 6500000, .haircut = 90},
                            {.symbol = "USDT", .decimals = 6, .price_units = 1, .haircut = 100}};
    por_params params = {.snapshot_id = 7, .snapshot_time_us = 1700000000000000LL, .balance_bits = 62,
                         .price_scale = 8, .batch_log2 = BK, .leaf_count = 1u << BK, .asset_count = BA,
                         .assets = assets};
    uint64_t bal[(1u << BK) * 2 * BA];
    por_digest cm[1u << BK];
    for (size_t u = 0; u < (1u << BK); u++) {
        for (unsigned a = 0; a < BA; a++) {
            bal[2 * BA * u + a] = test_rand_u64(&seed) >> 20; /* equity */
            bal[2 * BA * u + BA + a] = 0;                     /* no debt: solvent */
        }
        for (int i = 0; i < 4; i++)
            cm[u].e[i] = gl_from_u64(test_rand_u64(&seed));
    }
    const char *why = NULL;
    por_witness *w = NULL;
    por_batch_public expected;
    memset(bp, 0, sizeof(*bp));
    int rc = por_batch_witness(bc, &params, cm, bal, false, &w, &expected, &why);
    if (rc == 0)
        rc = por_batch_prove(pk, bc, w, NULL, NULL, &expected, bp, &why);
    if (rc == 0)
        rc = por_batch_verify(por_plonk_prover_vk(pk), BA, bp, &expected, NULL, &why);
    if (rc != 0)
        diag("batch proof: %s", why ? why : "?");
    por_witness_free(w);
    return rc;
}

/* Recursive proofs of one and of two batch proofs (8 accounts x 2 assets,
 * production configuration, zero knowledge, two different statements): the
 * outer circuit (zero knowledge) proven and its proof verified natively; its
 * public inputs are the batch statements, in order. */
static void test_batch_recursive(void)
{
    const char *why = NULL;
    por_batch_circuit *bc = por_batch_circuit_build(BK, BA, 62, true, NULL, &why);
    por_plonk_prover *pk = bc ? por_plonk_setup(bc->circuit, NULL, &why) : NULL;
    por_plonk_proof bp[2];
    int rc = pk ? batch_prove(bc, pk, &bp[0]) | batch_prove(bc, pk, &bp[1]) : -1;
    const por_plonk_vk *vk = pk ? por_plonk_prover_vk(pk) : NULL;
    ok(rc == 0 && memcmp(bp[0].public_inputs, bp[1].public_inputs, bp[0].num_public_inputs * sizeof(gl_t)) != 0,
       "two batch proofs (8 x 2, production configuration: rate %u, %u queries, zero knowledge, two statements) "
       "verify", vk ? vk->fri.rate_bits : 0, vk ? vk->fri.num_queries : 0);
    for (unsigned F = 1; F <= 2 && rc == 0; F++) {
        por_circuit_config ocfg;
        if (SANITIZED || F == 1)
            test_fast_config(&ocfg);
        else
            por_rec_config_default(&ocfg);
        por_builder *b = por_builder_new(&ocfg);
        por_rec_plonk_proof tp[2];
        for (unsigned i = 0; i < F; i++) {
            por_rec_plonk_proof_add(b, vk, &tp[i]);
            por_rec_plonk_verify(b, vk, &tp[i]);
            for (size_t j = 0; j < vk->num_public_inputs; j++)
                por_builder_register_public_input(b, tp[i].public_inputs[j]);
        }
        por_circuit *c = por_builder_build(b, &why);
        por_builder_free(b);
        por_plonk_prover *opk = c ? por_plonk_setup(c, NULL, &why) : NULL;
        por_witness *ow = c ? por_witness_new(c) : NULL;
        int orc = ow ? 0 : -1;
        for (unsigned i = 0; i < F && orc == 0; i++)
            orc = por_rec_plonk_proof_set(ow, vk, &tp[i], &bp[i]);
        por_plonk_proof op;
        memset(&op, 0, sizeof(op));
        uint64_t rs = 5 + F;
        por_plonk_prove_opts opts = {.rand = test_rand_fields, .rand_ctx = &rs};
        orc = orc == 0 && opk ? por_plonk_prove(opk, ow, NULL, &opts, &op, &why) : -1;
        if (orc == 0)
            orc = por_plonk_verify(por_plonk_prover_vk(opk), &op, &why);
        ok(orc == 0, "a recursive proof of %u batch proof%s (outer circuit 2^%u, %u queries, zero knowledge) "
           "verifies natively (%s)", F, F > 1 ? "s" : "", c ? c->degree_bits : 0, ocfg.num_queries,
           why ? why : "ok");
        bool same = orc == 0 && op.num_public_inputs == F * bp[0].num_public_inputs;
        for (unsigned i = 0; i < F && same; i++)
            same = memcmp(op.public_inputs + i * bp[i].num_public_inputs, bp[i].public_inputs,
                          bp[i].num_public_inputs * sizeof(gl_t)) == 0;
        ok(same, "the recursive proof's public inputs are the %u batch statement%s", F, F > 1 ? "s" : "");
        por_witness_free(ow);
        por_plonk_proof_free(&op);
        por_plonk_prover_free(opk);
        for (unsigned i = 0; i < F; i++)
            por_rec_plonk_proof_free(&tp[i]);
        por_circuit_free(c);
    }
    por_plonk_proof_free(&bp[0]);
    por_plonk_proof_free(&bp[1]);
    por_plonk_prover_free(pk);
    por_batch_circuit_free(bc);
}

/* Rows of the outer circuit that verifies a batch proof (zero knowledge):
 * only the key is needed.  A small batch (8 x 2, production configuration)
 * by default; with POR_REC_BATCH_ROWS set, the production size (1024 x 53,
 * whose setup takes seconds) in the production configuration and in others
 * of at least its query term less 3 bits (queries * rate_bits + pow_bits >=
 * 101) that trade queries for blowup; the outer circuit in the recursive
 * proofs' configuration. */
static void test_batch_rows(void)
{
    static const struct {
        unsigned rate, queries, pow, cap;
    } cfgs[] = {{0, 0, 0, 0}, {2, 44, 16, 4}, {3, 28, 17, 3}, {4, 21, 17, 3}, {5, 17, 16, 3}};
    bool full = getenv("POR_REC_BATCH_ROWS") != NULL;
    unsigned k = full ? 10 : 3, A = full ? 53 : 2;
    for (size_t i = 0; i < (full ? sizeof(cfgs) / sizeof(cfgs[0]) : 1); i++) {
        por_circuit_config icfg;
        por_batch_config_default(&icfg);
        if (cfgs[i].rate) { /* else the production configuration itself */
            icfg.rate_bits = cfgs[i].rate, icfg.num_queries = cfgs[i].queries;
            icfg.pow_bits = cfgs[i].pow, icfg.cap_height = cfgs[i].cap;
        }
        const char *why = NULL;
        por_batch_circuit *bc = por_batch_circuit_build(k, A, 62, true, &icfg, &why);
        por_plonk_prover *pk = bc ? por_plonk_setup(bc->circuit, NULL, &why) : NULL;
        if (!pk) {
            ok(0, "batch circuit %u x %u: %s", 1u << k, A, why ? why : "?");
            por_batch_circuit_free(bc);
            return;
        }
        const por_plonk_vk *vk = por_plonk_prover_vk(pk);
        por_circuit_config ocfg;
        por_rec_config_default(&ocfg);
        outer o;
        memset(&o, 0, sizeof(o));
        int rc = outer_build(&o, vk, &ocfg);
        por_pcs_shape shape;
        por_plonk_vk_shape(vk, &shape);
        diag("recursion.verify_batch.rows (%u x %u, inner 2^%u rows, rate %u, %u queries, pow %u, cap %u, %zu "
             "polynomials): %zu rows (outer circuit 2^%u with its own blinding)",
             1u << k, A, vk->degree_bits, vk->fri.rate_bits, vk->fri.num_queries, vk->fri.pow_bits,
             vk->fri.cap_height, por_pcs_shape_total_polys(&shape), o.rows, o.c ? o.c->degree_bits : 0);
        ok(rc == 0 && vk->fri.num_queries * vk->fri.rate_bits + vk->fri.pow_bits >= 101,
           "the verifier circuit of a %u x %u batch proof (rate %u, %u queries) builds", 1u << k, A,
           vk->fri.rate_bits, vk->fri.num_queries);
        por_rec_plonk_proof_free(&o.tp);
        por_circuit_free(o.c);
        por_plonk_prover_free(pk);
        por_batch_circuit_free(bc);
    }
}

int main(void)
{
    por_circuit_config cfg;
    test_fast_config(&cfg);
    test_inner("plain", &cfg, true);
    cfg.lookup_bits = 8;
    cfg.lookup_first_wire = 40;
    test_inner("lookups", &cfg, false);
    test_fan_in_and_levels();
    test_batch_recursive();
    test_batch_rows();
    done_testing();
}
