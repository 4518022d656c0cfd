/*
 * Extension-field gadgets (circuit_ext.h): each gadget against field_ext.h on
 * random values (inputs set, witness generated, outputs compared, every row
 * satisfied); each computed result constrained (a prover who changes it and
 * recomputes everything else is rejected); inverse and div refuse zero
 * divisors and reject wrong quotients; equal-assertions conflict on unequal
 * values; the operation counts of circuit_ext.h hold; and a circuit using
 * them is proven and verified, and a proof of a wrong inverse is rejected.
 */
#include <stdlib.h>
#include <string.h>

#include "field/field_ext.h"
#include "plonk/circuit_ext.h"
#include "plonk/plonk.h"
#include "circuit_tamper.h"
#include "proof_fixtures.h"
#include "tap.h"

static uint64_t seed = 0x63697263657874ULL;

static gl_t rnd(void) { return gl_from_u64(test_rand_u64(&seed)); }
static gl2_t rnd2(void) { return (gl2_t){rnd(), rnd()}; }

#define NX 5
#define NBIG 100 /* terms of a reduction on reducing rows (3 of 42 by default) */
#define MAX_OUT 48

/* The inputs every gadget reads. */
typedef struct {
    gl2_t a, b, c, xs[NX];
    gl_t s, ys[NX], zs[NBIG];
} inputs;

typedef struct {
    por_ext_target a, b, c, xs[NX];
    por_target s, bit0, bit1, ys[NX], zs[NBIG];
} input_targets;

typedef enum {
    G_ADD, G_SUB, G_NEG, G_MUL, G_MUL_ADD, G_MUL_SUB, G_ARITH, G_SQUARE, G_SCALAR, G_MUL_BASE, G_MUL_BASE_ADD,
    G_INVERSE, G_DIV, G_POW0, G_POW1, G_POW7, G_POW7_GATE, G_POW_BIG, G_SELECT0, G_SELECT1, G_REDUCE, G_REDUCE1, G_REDUCE0,
    G_REDUCE_BASE, G_REDUCE_BASE_BIG, G_DOT_BASE, G_CONSTANT, G_FROM_BASE, G_POWERS, /* G_POWERS + i: alpha^i */
    G_COUNT = G_POWERS + NX
} gadget;

static const char *const NAMES[G_COUNT] = {
    "add", "sub", "neg", "mul", "mul_add", "mul_sub", "arithmetic(5, 9)", "square", "scalar_mul(11)",
    "mul_base", "mul_base_add", "inverse", "div", "pow 0", "pow 1", "pow 7", "pow7", "pow E", "select(0)", "select(1)",
    "reduce(5)", "reduce(1)", "reduce(0)", "reduce_base(5)", "reduce_base(100)", "dot_base(powers)", "constant", "from_base",
    "powers[0]", "powers[1]", "powers[2]", "powers[3]", "powers[4]",
};

/* Results that are gadget outputs of arithmetic operations (the others are
 * inputs or constants passed through). */
static bool computed(gadget g)
{
    return !(g == G_POW0 || g == G_POW1 || g == G_REDUCE1 || g == G_REDUCE0 || g == G_CONSTANT ||
             g == G_FROM_BASE || g == G_POWERS || g == G_POWERS + 1);
}

static const uint64_t BIG_E = 0xd1b54a32d192ed03ULL;
static const gl2_t K = {0x123456789abcdefULL, 0xfedcba987654321ULL};

static gl2_t native(gadget g, const inputs *in)
{
    gl2_t a = in->a, b = in->b, c = in->c;
    switch (g) {
    case G_ADD: return gl2_add(a, b);
    case G_SUB: return gl2_sub(a, b);
    case G_NEG: return gl2_neg(a);
    case G_MUL: return gl2_mul(a, b);
    case G_MUL_ADD: return gl2_add(gl2_mul(a, b), c);
    case G_MUL_SUB: return gl2_sub(gl2_mul(a, b), c);
    case G_ARITH: return gl2_add(gl2_mul_base(gl2_mul(a, b), 5), gl2_mul_base(c, 9));
    case G_SQUARE: return gl2_sqr(a);
    case G_SCALAR: return gl2_mul_base(a, 11);
    case G_MUL_BASE: return gl2_mul_base(a, in->s);
    case G_MUL_BASE_ADD: return gl2_add(gl2_mul_base(a, in->s), c);
    case G_INVERSE: return gl2_inv(a);
    case G_DIV: return gl2_mul(a, gl2_inv(b));
    case G_POW0: return gl2_pow(a, 0);
    case G_POW1: return gl2_pow(a, 1);
    case G_POW7:
    case G_POW7_GATE: return gl2_pow(a, 7);
    case G_POW_BIG: return gl2_pow(a, BIG_E);
    case G_SELECT0: return b;
    case G_SELECT1: return a;
    case G_REDUCE: {
        gl2_t acc = {0, 0}, p = gl2_from_base(1);
        for (int i = 0; i < NX; i++)
            acc = gl2_add(acc, gl2_mul(p, in->xs[i])), p = gl2_mul(p, c);
        return acc;
    }
    case G_REDUCE1: return in->xs[0];
    case G_REDUCE0: return gl2_from_base(0);
    case G_REDUCE_BASE:
    case G_DOT_BASE: {
        gl2_t acc = {0, 0}, p = gl2_from_base(1);
        for (int i = 0; i < NX; i++)
            acc = gl2_add(acc, gl2_mul_base(p, in->ys[i])), p = gl2_mul(p, c);
        return acc;
    }
    case G_REDUCE_BASE_BIG: {
        gl2_t acc = {0, 0}, p = gl2_from_base(1);
        for (int i = 0; i < NBIG; i++)
            acc = gl2_add(acc, gl2_mul_base(p, in->zs[i])), p = gl2_mul(p, c);
        return acc;
    }
    case G_CONSTANT: return K;
    case G_FROM_BASE: return gl2_from_base(in->s);
    default: return gl2_pow(c, (uint64_t)(g - G_POWERS));
    }
}

/* Every gadget on the inputs; results in out[G_COUNT]. */
static void build_gadgets(por_builder *b, input_targets *it, por_ext_target *out)
{
    it->a = por_ext_add_virtual(b), it->b = por_ext_add_virtual(b), it->c = por_ext_add_virtual(b);
    it->s = por_builder_add_virtual(b);
    it->bit0 = por_builder_add_virtual(b), it->bit1 = por_builder_add_virtual(b);
    por_builder_assert_bool(b, it->bit0);
    por_builder_assert_bool(b, it->bit1);
    for (int i = 0; i < NX; i++)
        it->xs[i] = por_ext_add_virtual(b), it->ys[i] = por_builder_add_virtual(b);
    for (int i = 0; i < NBIG; i++)
        it->zs[i] = por_builder_add_virtual(b);
    por_ext_target a = it->a, y = it->b, c = it->c;
    out[G_ADD] = por_ext_add(b, a, y);
    out[G_SUB] = por_ext_sub(b, a, y);
    out[G_NEG] = por_ext_neg(b, a);
    out[G_MUL] = por_ext_mul(b, a, y);
    out[G_MUL_ADD] = por_ext_mul_add(b, a, y, c);
    out[G_MUL_SUB] = por_ext_mul_sub(b, a, y, c);
    out[G_ARITH] = por_ext_arithmetic(b, 5, 9, a, y, c);
    out[G_SQUARE] = por_ext_square(b, a);
    out[G_SCALAR] = por_ext_scalar_mul(b, 11, a);
    out[G_MUL_BASE] = por_ext_mul_base(b, it->s, a);
    out[G_MUL_BASE_ADD] = por_ext_mul_base_add(b, it->s, a, c);
    out[G_INVERSE] = por_ext_inverse(b, a);
    out[G_DIV] = por_ext_div(b, a, y);
    out[G_POW0] = por_ext_pow(b, a, 0);
    out[G_POW1] = por_ext_pow(b, a, 1);
    out[G_POW7] = por_ext_pow(b, a, 7);
    out[G_POW7_GATE] = por_ext_pow7(b, a);
    out[G_POW_BIG] = por_ext_pow(b, a, BIG_E);
    out[G_SELECT0] = por_ext_select(b, it->bit0, a, y);
    out[G_SELECT1] = por_ext_select(b, it->bit1, a, y);
    out[G_REDUCE] = por_ext_reduce(b, c, it->xs, NX);
    out[G_REDUCE1] = por_ext_reduce(b, c, it->xs, 1);
    out[G_REDUCE0] = por_ext_reduce(b, c, it->xs, 0);
    out[G_REDUCE_BASE] = por_ext_reduce_base(b, c, it->ys, NX);
    out[G_REDUCE_BASE_BIG] = por_ext_reduce_base(b, c, it->zs, NBIG);
    por_ext_powers(b, c, NX, out + G_POWERS);
    out[G_DOT_BASE] = por_ext_dot_base(b, out + G_POWERS, it->ys, NX);
    out[G_CONSTANT] = por_ext_constant(b, K);
    out[G_FROM_BASE] = por_ext_from_base(b, it->s);
    /* commutativity as an equal-assertion (checked by the copy constraint) */
    por_ext_assert_equal(b, out[G_MUL], por_ext_mul(b, y, a));
}

static int set_inputs(por_witness *w, const input_targets *it, const inputs *in)
{
    int rc = por_witness_set_ext(w, it->a, in->a) | por_witness_set_ext(w, it->b, in->b) |
             por_witness_set_ext(w, it->c, in->c) | por_witness_set(w, it->s, in->s) |
             por_witness_set(w, it->bit0, 0) | por_witness_set(w, it->bit1, 1);
    for (int i = 0; i < NX; i++)
        rc |= por_witness_set_ext(w, it->xs[i], in->xs[i]) | por_witness_set(w, it->ys[i], in->ys[i]);
    for (int i = 0; i < NBIG; i++)
        rc |= por_witness_set(w, it->zs[i], in->zs[i]);
    return rc;
}

/* The input slots, which a malicious prover cannot change (they are the statement). */
static size_t input_pins(const por_circuit *c, const input_targets *it, size_t *pins)
{
    size_t n = 0;
    const por_ext_target *e[] = {&it->a, &it->b, &it->c};
    for (int i = 0; i < 3; i++)
        pins[n++] = por_circuit_slot(c, e[i]->c0), pins[n++] = por_circuit_slot(c, e[i]->c1);
    pins[n++] = por_circuit_slot(c, it->s);
    pins[n++] = por_circuit_slot(c, it->bit0);
    pins[n++] = por_circuit_slot(c, it->bit1);
    for (int i = 0; i < NX; i++) {
        pins[n++] = por_circuit_slot(c, it->xs[i].c0), pins[n++] = por_circuit_slot(c, it->xs[i].c1);
        pins[n++] = por_circuit_slot(c, it->ys[i]);
    }
    for (int i = 0; i < NBIG; i++)
        pins[n++] = por_circuit_slot(c, it->zs[i]);
    return n;
}

static void random_inputs(inputs *in)
{
    in->a = rnd2(), in->b = rnd2(), in->c = rnd2(), in->s = rnd();
    for (int i = 0; i < NX; i++)
        in->xs[i] = rnd2(), in->ys[i] = rnd();
    for (int i = 0; i < NBIG; i++)
        in->zs[i] = rnd();
}

static void test_gadgets(void)
{
    por_circuit_config cfg;
    por_circuit_config_default(&cfg);
    cfg.zero_knowledge = 0;
    por_builder *b = por_builder_new(&cfg);
    input_targets it;
    por_ext_target out[G_COUNT];
    build_gadgets(b, &it, out);
    const char *why;
    por_circuit *c = por_builder_build(b, &why);
    por_builder_free(b);
    ok(c != NULL, "gadgets: build (%s)", why ? why : "ok");
    if (!c)
        return;

    /* random values, and a base-field point (c1 = 0 everywhere) */
    bool agree[G_COUNT], all_rows = true, gen_ok = true;
    for (int g = 0; g < G_COUNT; g++)
        agree[g] = true;
    por_witness *w = NULL;
    for (int trial = 0; trial < 20; trial++) {
        inputs in;
        random_inputs(&in);
        if (trial == 0) {
            in.a.c1 = in.b.c1 = in.c.c1 = 0;
            for (int i = 0; i < NX; i++)
                in.xs[i].c1 = 0;
        }
        por_witness_free(w);
        w = por_witness_new(c);
        gen_ok &= set_inputs(w, &it, &in) == 0 && por_witness_generate(w, &why) == 0;
        for (int g = 0; g < G_COUNT; g++) {
            gl2_t got;
            agree[g] &= por_witness_get_ext(w, out[g], &got) == 0 && gl2_eq(got, native(g, &in));
        }
        size_t bad;
        all_rows &= por_circuit_check_witness(c, w, &bad, &why) == 0;
    }
    ok(gen_ok, "gadgets: inputs set and witness generated on 20 random points");
    for (int g = 0; g < G_COUNT; g++)
        ok(agree[g], "gadget %s equals field_ext.h on 20 points", NAMES[g]);
    ok(all_rows, "gadgets: every row of every witness is satisfied");

    /* each computed result is constrained: changing one component (everything
     * else recomputed honestly, inputs fixed) is rejected */
    size_t pins[64 + NBIG], np = input_pins(c, &it, pins);
    ok(tamper_accepted(c, w, out[G_MUL].c0, w->values[por_circuit_slot(c, out[G_MUL].c0)], pins, np),
       "control: the honest witness, re-derived, is accepted");
    for (int g = 0; g < G_COUNT; g++) {
        if (!computed(g))
            continue;
        for (int comp = 0; comp < 2; comp++) {
            por_target t = comp ? out[g].c1 : out[g].c0;
            gl_t v;
            por_witness_get(w, t, &v);
            ok(!tamper_accepted(c, w, t, gl_add(v, 1), pins, np), "%s: component %d off by one is rejected",
               NAMES[g], comp);
        }
    }
    /* the checks proper: a wrong quotient (the one of other operands) */
    gl2_t a, y, q;
    por_witness_get_ext(w, it.a, &a), por_witness_get_ext(w, it.b, &y);
    q = gl2_inv(gl2_add(a, gl2_from_base(1)));
    ok(!tamper_accepted(c, w, out[G_INVERSE].c1, q.c1, pins, np) &&
           !tamper_accepted(c, w, out[G_INVERSE].c0, q.c0, pins, np),
       "inverse: the inverse of a + 1 given for the inverse of a is rejected");
    q = gl2_mul(y, gl2_inv(a));
    ok(!tamper_accepted(c, w, out[G_DIV].c0, q.c0, pins, np) && !tamper_accepted(c, w, out[G_DIV].c1, q.c1, pins, np),
       "div: b / a given for a / b is rejected");
    por_witness_free(w);

    /* zero divisors: the generator refuses */
    inputs in;
    random_inputs(&in);
    in.a = gl2_from_base(0);
    w = por_witness_new(c);
    ok(set_inputs(w, &it, &in) == 0 && por_witness_generate(w, &why) != 0, "inverse of 0: generation fails");
    por_witness_free(w);
    random_inputs(&in);
    in.b = gl2_from_base(0);
    w = por_witness_new(c);
    ok(set_inputs(w, &it, &in) == 0 && por_witness_generate(w, &why) != 0, "division by 0: generation fails");
    por_witness_free(w);
    por_circuit_free(c);
}

/* assert_equal: unequal values cannot be assigned. */
static void test_assert_equal(void)
{
    por_circuit_config cfg;
    por_circuit_config_default(&cfg);
    cfg.zero_knowledge = 0;
    por_builder *b = por_builder_new(&cfg);
    por_ext_target x = por_ext_add_virtual(b), y = por_ext_add_virtual(b);
    por_ext_assert_equal(b, x, y);
    const char *why;
    por_circuit *c = por_builder_build(b, &why);
    por_builder_free(b);
    if (!c) {
        ok(0, "assert_equal circuit: %s", why);
        return;
    }
    por_witness *w = por_witness_new(c);
    gl2_t v = rnd2(), v2 = v;
    v2.c1 = gl_add(v2.c1, 1);
    ok(por_witness_set_ext(w, x, v) == 0 && por_witness_set_ext(w, y, v2) != 0,
       "assert_equal: the second component differing cannot be assigned");
    por_witness_free(w);
    w = por_witness_new(c);
    v2 = v;
    v2.c0 = gl_add(v2.c0, 1);
    ok(por_witness_set_ext(w, x, v) == 0 && por_witness_set_ext(w, y, v2) != 0,
       "assert_equal: the first component differing cannot be assigned");
    por_witness_free(w);
    por_circuit_free(c);
}

/* Operations per gadget, from the rows they take in a fresh builder. */
static size_t rows_of(void (*f)(por_builder *, por_ext_target, por_ext_target), int reps)
{
    por_circuit_config cfg;
    por_circuit_config_default(&cfg);
    por_builder *b = por_builder_new(&cfg);
    por_ext_target x = por_ext_add_virtual(b), y = por_ext_add_virtual(b);
    por_ext_one(b); /* the constant row */
    size_t before = por_builder_num_rows(b);
    for (int i = 0; i < reps; i++)
        f(b, x, y);
    size_t rows = por_builder_num_rows(b) - before;
    por_builder_free(b);
    return rows;
}

static void do_mul(por_builder *b, por_ext_target x, por_ext_target y) { por_ext_mul(b, x, y); }
static void do_mul_add(por_builder *b, por_ext_target x, por_ext_target y) { por_ext_mul_add(b, x, y, x); }
static void do_add(por_builder *b, por_ext_target x, por_ext_target y) { por_ext_add(b, x, y); }
static void do_square(por_builder *b, por_ext_target x, por_ext_target y) { (void)y, por_ext_square(b, x); }
static void do_inverse(por_builder *b, por_ext_target x, por_ext_target y) { (void)y, por_ext_inverse(b, x); }
static void do_pow7(por_builder *b, por_ext_target x, por_ext_target y) { (void)y, por_ext_pow7(b, x); }
static void do_select(por_builder *b, por_ext_target x, por_ext_target y) { por_ext_select(b, x.c0, x, y); }
static void do_reduce_420(por_builder *b, por_ext_target x, por_ext_target y)
{
    por_target t[420];
    for (int i = 0; i < 420; i++)
        t[i] = i % 2 ? x.c0 : y.c1;
    por_ext_reduce_base(b, x, t, 420);
}

static void test_costs(void)
{
    /* 120 of each: 6 extension operations or 12 base operations per row (48 routed wires) */
    size_t mul = rows_of(do_mul, 120), mul_add = rows_of(do_mul_add, 120), add = rows_of(do_add, 120),
           sq = rows_of(do_square, 120), inv = rows_of(do_inverse, 120), sel = rows_of(do_select, 120);
    diag("rows for 120 gadgets: mul %zu, mul_add %zu, add %zu, square %zu, inverse %zu, select %zu", mul,
         mul_add, add, sq, inv, sel);
    ok(mul == 20 && mul_add == 20 && sq == 20 && inv == 20, "mul, mul_add, square, inverse: 1 ext op (1/6 row) each");
    ok(add == 20, "add: 2 base operations (1/6 row) each");
    ok(sel == 40, "select: 4 base operations each");
    size_t pow7 = rows_of(do_pow7, 120);
    diag("rows for 120 pow7: %zu", pow7);
    ok(pow7 == 10, "pow7: 12 per S-box row");
    size_t red = rows_of(do_reduce_420, 1);
    diag("rows for a reduction of 420 base terms: %zu", red);
    ok(red == 10, "reduce_base: 42 terms per reducing row");
}

/* Slot s of w's copy off by one and the rest re-derived (pins[0..6) fixed):
 * the prover refuses, and its unchecked proof is rejected. */
static void forged_proof(const por_circuit *c, const por_plonk_prover *pk, const por_witness *w, const size_t *pins,
                         size_t s, const char *what)
{
    por_witness *bad = por_witness_new(c);
    memcpy(bad->values, w->values, c->num_slots * sizeof(gl_t));
    memcpy(bad->known, w->known, c->num_slots);
    bad->generated = true;
    size_t all[7];
    memcpy(all, pins, 6 * sizeof(size_t));
    all[6] = s;
    bad->values[s] = gl_add(bad->values[s], 1);
    tamper_rederive(c, bad, all, 7);
    por_plonk_proof proof;
    const char *why;
    ok(por_plonk_prove(pk, bad, NULL, NULL, &proof, &why) != 0, "%s: the prover refuses", what);
    por_plonk_proof_free(&proof);
    por_plonk_prove_opts opts = {.unchecked = true};
    int rc = por_plonk_prove(pk, bad, NULL, &opts, &proof, &why);
    ok(rc == 0 && por_plonk_verify(por_plonk_prover_vk(pk), &proof, &why) != 0,
       "%s: the unchecked proof is rejected by the verifier", what);
    por_plonk_proof_free(&proof);
    por_witness_free(bad);
}

/* A small circuit of gadgets (extension products, inverse, div, pow, both
 * reductions), proven and verified; the same with a wrong inverse
 * (everything else consistent) proven without the prover's check is
 * rejected by the verifier. */
static void test_proof(void)
{
    por_circuit_config cfg;
    test_fast_config(&cfg);
    por_builder *b = por_builder_new(&cfg);
    por_ext_target a = por_ext_add_virtual(b), y = por_ext_add_virtual(b), alpha = por_ext_add_virtual(b);
    por_ext_target inv = por_ext_inverse(b, a);
    por_ext_target terms[4] = {por_ext_mul(b, a, y), inv, por_ext_div(b, y, a), por_ext_pow(b, a, 7)};
    por_ext_target r = por_ext_reduce(b, alpha, terms, 4);
    por_target zs[NBIG];
    for (int i = 0; i < NBIG; i++)
        zs[i] = por_builder_add_virtual(b);
    por_ext_target r2 = por_ext_reduce_base(b, alpha, zs, NBIG);
    por_builder_register_public_input(b, r.c0);
    por_builder_register_public_input(b, r.c1);
    por_builder_register_public_input(b, r2.c0);
    por_builder_register_public_input(b, r2.c1);
    const char *why;
    por_circuit *c = por_builder_build(b, &why);
    por_builder_free(b);
    por_plonk_prover *pk = c ? por_plonk_setup(c, NULL, &why) : NULL;
    ok(pk != NULL, "proof circuit: build and setup (%s)", why ? why : "ok");
    if (!pk) {
        por_circuit_free(c);
        return;
    }
    gl2_t av = rnd2(), yv = rnd2(), al = rnd2();
    por_witness *w = por_witness_new(c);
    por_witness_set_ext(w, a, av), por_witness_set_ext(w, y, yv), por_witness_set_ext(w, alpha, al);
    gl2_t want2 = {0, 0}, p = gl2_from_base(1);
    for (int i = 0; i < NBIG; i++) {
        gl_t z = rnd();
        por_witness_set(w, zs[i], z);
        want2 = gl2_add(want2, gl2_mul_base(p, z)), p = gl2_mul(p, al);
    }
    por_plonk_proof proof;
    int rc = por_plonk_prove(pk, w, NULL, NULL, &proof, &why);
    ok(rc == 0, "proof circuit: prove (%s)", why ? why : "ok");
    if (rc == 0) {
        gl2_t want = gl2_add(gl2_mul(av, yv),
                             gl2_mul(al, gl2_add(gl2_inv(av), gl2_mul(al, gl2_add(gl2_mul(yv, gl2_inv(av)),
                                                                                 gl2_mul(al, gl2_pow(av, 7)))))));
        ok(proof.num_public_inputs == 4 && proof.public_inputs[0] == want.c0 && proof.public_inputs[1] == want.c1 &&
               proof.public_inputs[2] == want2.c0 && proof.public_inputs[3] == want2.c1,
           "proof circuit: the public results are the native reductions (extension terms, 100 base terms)");
        ok(por_plonk_verify(por_plonk_prover_vk(pk), &proof, &why) == 0, "proof circuit: verifies (%s)",
           why ? why : "ok");
    }
    por_plonk_proof_free(&proof);

    /* a wrong inverse, then a wrong intermediate accumulator of a reducing
     * row, the rest recomputed each time: the prover's own check refuses,
     * and the unchecked proof does not verify */
    size_t pins[6] = {por_circuit_slot(c, a.c0), por_circuit_slot(c, a.c1), por_circuit_slot(c, y.c0),
                      por_circuit_slot(c, y.c1), por_circuit_slot(c, alpha.c0), por_circuit_slot(c, alpha.c1)};
    forged_proof(c, pk, w, pins, por_circuit_slot(c, inv.c0), "wrong inverse");
    size_t red_row = 0;
    while (red_row < c->n && (c->row_type[red_row] == POR_ROW_NOOP ||
                              c->gate_types[c->row_type[red_row]].vt != &por_gate_reducing_vt))
        red_row++;
    ok(red_row < c->n, "proof circuit: has a reducing row");
    if (red_row < c->n)
        forged_proof(c, pk, w, pins,
                     tamper_cell_slot(c, red_row, por_reducing_acc(&c->gate_types[c->row_type[red_row]], 5, 1)),
                     "wrong reducing accumulator");
    por_witness_free(w);
    por_plonk_prover_free(pk);
    por_circuit_free(c);
}

int main(void)
{
    test_gadgets();
    test_assert_equal();
    test_costs();
    test_proof();
    return done_testing();
}
