/*
 * The gates' in-circuit evaluations (eval_circuit, for recursion) against
 * eval_ext: for every gate type, with several parameter sets and those of
 * real batch circuits (built here, their gate types read back), random
 * extension values for the wires, constants and public-input digest go into
 * an outer circuit; its witness must give exactly eval_ext's values and
 * satisfy every row.  Every output is constrained: a prover who changes one
 * (computing everything else honestly) is rejected.  The rows each
 * evaluation takes are printed (diag), and a verifier-sized use (one
 * evaluation of every gate of a batch circuit) is proven and verified.
 */
#include <stdlib.h>
#include <string.h>

#include "field/field_ext.h"
#include "plonk/circuit_ext.h"
#include "plonk/plonk.h"
#include "por/batch.h"
#include "circuit_tamper.h"
#include "proof_fixtures.h"
#include "tap.h"

static uint64_t seed = 0x6761746563697263ULL;

static gl_t rnd(void) { return gl_from_u64(test_rand_u64(&seed)); }
static gl2_t rnd2(void) { return (gl2_t){rnd(), rnd()}; }

#define MAX_C (2 * POR_MAX_WIRES)

/* The outer circuit of one evaluation: inputs and outputs. */
typedef struct {
    por_circuit *c;
    unsigned nw, nk, nc;
    por_ext_target w[POR_MAX_WIRES], k[POR_MAX_CONSTANTS], pi[4], out[MAX_C];
    size_t rows; /* rows the evaluation took */
} eval_circuit;

/* Virtual extension targets for a row's wires, constants and digest. */
static void add_inputs(por_builder *b, unsigned nw, unsigned nk, por_ext_target *w, por_ext_target *k,
                       por_ext_target *pi)
{
    for (unsigned i = 0; i < nw; i++)
        w[i] = por_ext_add_virtual(b);
    for (unsigned i = 0; i < nk; i++)
        k[i] = por_ext_add_virtual(b);
    for (unsigned i = 0; i < 4; i++)
        pi[i] = por_ext_add_virtual(b);
}

static bool eval_circuit_build(eval_circuit *e, const por_gate *g, unsigned nw, unsigned nk)
{
    por_circuit_config cfg;
    por_circuit_config_default(&cfg);
    cfg.zero_knowledge = 0;
    por_builder *b = por_builder_new(&cfg);
    e->nw = nw, e->nk = nk, e->nc = g->num_constraints;
    add_inputs(b, nw, nk, e->w, e->k, e->pi);
    g->vt->eval_circuit(g, b, e->w, e->k, e->pi, e->out);
    e->rows = por_builder_num_rows(b);
    const char *why;
    e->c = por_builder_build(b, &why);
    por_builder_free(b);
    if (!e->c)
        diag("build: %s", why);
    return e->c != NULL;
}

/* Input slots (the statement the prover cannot change). */
static size_t eval_pins(const eval_circuit *e, size_t *pins)
{
    size_t n = 0;
    const por_ext_target *all[3] = {e->w, e->k, e->pi};
    unsigned cnt[3] = {e->nw, e->nk, 4};
    for (int a = 0; a < 3; a++)
        for (unsigned i = 0; i < cnt[a]; i++) {
            size_t s0 = por_circuit_slot(e->c, all[a][i].c0), s1 = por_circuit_slot(e->c, all[a][i].c1);
            if (s0 != SIZE_MAX)
                pins[n++] = s0;
            if (s1 != SIZE_MAX)
                pins[n++] = s1;
        }
    return n;
}

/* Sets random values (base-field ones when base), generates; compares with
 * eval_ext and checks the rows. */
static por_witness *eval_run(const eval_circuit *e, const por_gate *g, bool base, bool *same, bool *rows_ok)
{
    gl2_t w[POR_MAX_WIRES], k[POR_MAX_CONSTANTS], pi[4], want[MAX_C];
    por_witness *wit = por_witness_new(e->c);
    bool set = true;
    for (unsigned i = 0; i < e->nw; i++) {
        w[i] = base ? gl2_from_base(rnd()) : rnd2();
        set &= por_witness_set_ext(wit, e->w[i], w[i]) == 0;
    }
    for (unsigned i = 0; i < e->nk; i++) {
        k[i] = base ? gl2_from_base(rnd()) : rnd2();
        set &= por_witness_set_ext(wit, e->k[i], k[i]) == 0;
    }
    for (unsigned i = 0; i < 4; i++) {
        pi[i] = base ? gl2_from_base(rnd()) : rnd2();
        set &= por_witness_set_ext(wit, e->pi[i], pi[i]) == 0;
    }
    const char *why;
    set &= por_witness_generate(wit, &why) == 0;
    g->vt->eval_ext(g, w, k, pi, want);
    *same = set;
    for (unsigned i = 0; i < e->nc; i++) {
        gl2_t got;
        *same &= por_witness_get_ext(wit, e->out[i], &got) == 0 && gl2_eq(got, want[i]);
    }
    size_t bad;
    *rows_ok = set && por_circuit_check_witness(e->c, wit, &bad, &why) == 0;
    return wit;
}

/* The agreement and rejection tests of one gate; returns the rows taken. */
static size_t check_gate(const por_gate *g, unsigned nw, unsigned nk, const char *label)
{
    eval_circuit e;
    if (!g->vt->eval_circuit || !eval_circuit_build(&e, g, nw, nk)) {
        ok(0, "%s: eval_circuit builds", label);
        return 0;
    }
    bool same = true, rows_ok = true;
    por_witness *wit = NULL;
    for (int trial = 0; trial < 4; trial++) {
        bool s, r;
        por_witness_free(wit);
        wit = eval_run(&e, g, trial == 0, &s, &r);
        same &= s, rows_ok &= r;
    }
    ok(same, "%s: in-circuit outputs equal eval_ext (%u constraints, 4 points, one in the base field)", label,
       e.nc);
    ok(rows_ok, "%s: every row of the outer witness is satisfied", label);

    size_t *pins = malloc((2 * (e.nw + e.nk + 4) + 1) * sizeof(size_t)), np = eval_pins(&e, pins);
    bool control = true, rejected = true;
    for (unsigned i = 0; i < e.nc; i++)
        for (int comp = 0; comp < 2; comp++) {
            por_target t = comp ? e.out[i].c1 : e.out[i].c0;
            gl_t v;
            por_witness_get(wit, t, &v);
            if (i == 0 && comp == 0)
                control &= tamper_accepted(e.c, wit, t, v, pins, np);
            rejected &= !tamper_accepted(e.c, wit, t, gl_add(v, 1), pins, np);
        }
    if (e.nc) {
        ok(control, "%s: control: the honest witness, re-derived, is accepted", label);
        ok(rejected, "%s: each of the %u outputs' components off by one is rejected", label, 2 * e.nc);
    }
    diag("%s: eval_circuit takes %zu rows (%u constraints)", label, e.rows, e.nc);
    free(pins);
    por_witness_free(wit);
    por_circuit_free(e.c);
    return e.rows;
}

static void check_params(const por_gate_vtable *vt, const uint32_t *params, unsigned nw, unsigned nr, unsigned nk)
{
    por_gate g;
    uint32_t p[POR_GATE_MAX_PARAMS] = {0};
    if (params)
        memcpy(p, params, sizeof(p));
    const char *why = por_gate_init(&g, vt, p, nw, nr, nk);
    if (why) {
        ok(0, "init %s: %s", vt->name, why);
        return;
    }
    char label[96];
    snprintf(label, sizeof(label), "%s(%u, %u, %u, %u) on %u wires", vt->name, g.params[0], g.params[1], g.params[2],
             g.params[3], nw);
    check_gate(&g, nw, nk, label);
}

static void hand_shapes(void)
{
    check_params(&por_gate_noop_vt, NULL, 130, 48, 2);
    check_params(&por_gate_constant_vt, NULL, 130, 48, 2);
    check_params(&por_gate_constant_vt, (uint32_t[4]){1}, 130, 48, 4);
    check_params(&por_gate_public_input_vt, NULL, 130, 48, 2);
    check_params(&por_gate_arithmetic_vt, NULL, 130, 48, 2);
    check_params(&por_gate_arithmetic_vt, (uint32_t[4]){3}, 130, 48, 2);
    check_params(&por_gate_poseidon_vt, NULL, 130, 48, 2);
    check_params(&por_gate_poseidon_mds_vt, NULL, 130, 48, 2);
    check_params(&por_gate_poseidon_swap_vt, NULL, 130, 48, 2);
    check_params(&por_gate_random_access_vt, NULL, 130, 96, 2);
    check_params(&por_gate_random_access_vt, (uint32_t[4]){3}, 130, 48, 2);
    check_params(&por_gate_arithmetic_ext_vt, NULL, 130, 48, 2);
    check_params(&por_gate_arithmetic_ext_vt, (uint32_t[4]){2}, 130, 48, 2);
    check_params(&por_gate_reducing_vt, NULL, 130, 48, 2);
    check_params(&por_gate_reducing_vt, (uint32_t[4]){3}, 130, 48, 2);
    check_params(&por_gate_sbox_ext_vt, NULL, 130, 48, 2);
    check_params(&por_gate_sbox_ext_vt, (uint32_t[4]){1}, 130, 48, 2);
    static const unsigned range_bits[] = {1, 2, 5, 32, 62, 63};
    for (size_t i = 0; i < sizeof(range_bits) / sizeof(range_bits[0]); i++)
        check_params(&por_gate_range_vt, (uint32_t[4]){range_bits[i]}, 130, 48, 2);
    static const uint32_t lookup_shapes[][4] = {{37, 11, 66, 0}, {32, 4, 49, 0}, {63, 20, 48, 2}, {5, 5, 48, 1}, {1, 1, 4, 3}};
    for (size_t i = 0; i < sizeof(lookup_shapes) / sizeof(lookup_shapes[0]); i++)
        check_params(&por_gate_range_lookup_vt, lookup_shapes[i], 130, 66, 2);
    static const uint32_t balance_shapes[][4] = {{62, 22, 4, 3}, {61, 16, 2, 4}, {20, 22, 4, 3},
                                                 {33, 22, 1, 2}, {1, 2, 3, 1},   {62, 8, 1, 8}};
    for (size_t i = 0; i < sizeof(balance_shapes) / sizeof(balance_shapes[0]); i++)
        check_params(&por_gate_balance_vt, balance_shapes[i], 130, 130, 2);
}

/* Rows of a second evaluation in the same outer circuit: its constants
 * (the Poseidon gate's round-constant offsets among them) are shared. */
static size_t second_evaluation_rows(const por_gate *g, unsigned nw, unsigned nk)
{
    por_circuit_config cfg;
    por_circuit_config_default(&cfg);
    por_builder *b = por_builder_new(&cfg);
    por_ext_target w[POR_MAX_WIRES], k[POR_MAX_CONSTANTS], pi[4], out[MAX_C];
    size_t rows[3];
    for (int e = 0; e < 2; e++) {
        rows[e] = por_builder_num_rows(b);
        add_inputs(b, nw, nk, w, k, pi);
        g->vt->eval_circuit(g, b, w, k, pi, out);
    }
    rows[2] = por_builder_num_rows(b);
    por_builder_free(b);
    return rows[2] - rows[1];
}

/* Every gate type of real batch circuits (the production shapes at k = 7). */
static void batch_shapes(void)
{
    static const unsigned ks[] = {3, 7};
    for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
        por_circuit_config cfg;
        test_fast_batch_config(&cfg);
        const char *why;
        por_batch_circuit *bc = por_batch_circuit_build(ks[i], 53, 62, true, &cfg, &why);
        if (!bc) {
            ok(0, "batch k = %u: %s", ks[i], why);
            continue;
        }
        const por_circuit *c = bc->circuit;
        size_t total = 0, total_again = 0;
        for (unsigned t = 0; t < c->num_gate_types; t++) {
            char label[96];
            const por_gate *g = &c->gate_types[t];
            snprintf(label, sizeof(label), "batch k = %u: %s(%u, %u, %u, %u)", ks[i], g->vt->name, g->params[0],
                     g->params[1], g->params[2], g->params[3]);
            total += check_gate(g, c->config.num_wires, c->config.num_constants, label);
            size_t again = second_evaluation_rows(g, c->config.num_wires, c->config.num_constants);
            diag("%s: a second evaluation in the same circuit takes %zu rows", label, again);
            total_again += again;
        }
        diag("batch k = %u: every gate type's eval_circuit: %zu rows in all (%u types), %zu for each further proof",
             ks[i], total, c->num_gate_types, total_again);
        por_batch_circuit_free(bc);
    }
}

/* One evaluation of every gate type of a batch circuit, as the recursive
 * verifier will do it, in one outer circuit that is proven and verified;
 * the outputs are compared with eval_ext through the public inputs. */
static void test_proof(void)
{
    por_circuit_config bcfg;
    test_fast_batch_config(&bcfg);
    const char *why;
    por_batch_circuit *bc = por_batch_circuit_build(3, 53, 62, true, &bcfg, &why);
    if (!bc) {
        ok(0, "batch: %s", why);
        return;
    }
    const por_circuit *inner = bc->circuit;
    const unsigned nw = inner->config.num_wires, nk = inner->config.num_constants;
    por_circuit_config cfg;
    test_fast_config(&cfg);
    por_builder *b = por_builder_new(&cfg);
    por_ext_target w[POR_MAX_WIRES], k[POR_MAX_CONSTANTS], pi[4], out[MAX_C];
    add_inputs(b, nw, nk, w, k, pi);
    /* every constraint of every type, reduced by a fixed alpha, public */
    por_ext_target alpha = por_ext_constant(b, (gl2_t){3, 5}), acc = por_ext_zero(b);
    for (unsigned t = 0; t < inner->num_gate_types; t++) {
        const por_gate *g = &inner->gate_types[t];
        g->vt->eval_circuit(g, b, w, k, pi, out);
        for (unsigned i = 0; i < g->num_constraints; i++)
            acc = por_ext_mul_add(b, acc, alpha, out[i]);
    }
    por_builder_register_public_input(b, acc.c0);
    por_builder_register_public_input(b, acc.c1);
    diag("all %u gate types of the k = 3 batch circuit evaluated in %zu rows", inner->num_gate_types,
         por_builder_num_rows(b));
    por_circuit *c = por_builder_build(b, &why);
    por_builder_free(b);
    por_plonk_prover *pk = c ? por_plonk_setup(c, NULL, &why) : NULL;
    ok(pk != NULL, "gate evaluations circuit: build and setup (%s)", why ? why : "ok");
    if (pk) {
        gl2_t wv[POR_MAX_WIRES], kv[POR_MAX_CONSTANTS], piv[4], o[MAX_C], want = {0, 0};
        por_witness *wit = por_witness_new(c);
        for (unsigned i = 0; i < nw; i++)
            por_witness_set_ext(wit, w[i], wv[i] = rnd2());
        for (unsigned i = 0; i < nk; i++)
            por_witness_set_ext(wit, k[i], kv[i] = rnd2());
        for (unsigned i = 0; i < 4; i++)
            por_witness_set_ext(wit, pi[i], piv[i] = rnd2());
        for (unsigned t = 0; t < inner->num_gate_types; t++) {
            const por_gate *g = &inner->gate_types[t];
            g->vt->eval_ext(g, wv, kv, piv, o);
            for (unsigned i = 0; i < g->num_constraints; i++)
                want = gl2_add(gl2_mul(want, (gl2_t){3, 5}), o[i]);
        }
        por_plonk_proof proof;
        int rc = por_plonk_prove(pk, wit, NULL, NULL, &proof, &why);
        ok(rc == 0, "gate evaluations circuit: prove (%s)", why ? why : "ok");
        if (rc == 0) {
            ok(proof.public_inputs[0] == want.c0 && proof.public_inputs[1] == want.c1,
               "gate evaluations circuit: the public reduction equals eval_ext's");
            ok(por_plonk_verify(por_plonk_prover_vk(pk), &proof, &why) == 0, "gate evaluations circuit: verifies (%s)",
               why ? why : "ok");
        }
        por_plonk_proof_free(&proof);
        /* a forged output on a row of each recursion gate the evaluations
         * use (the rest re-derived, the inputs fixed): refused, and its
         * unchecked proof rejected */
        size_t *pins = malloc(2 * (nw + nk + 4) * sizeof(size_t)), np = 0;
        const por_ext_target *all[3] = {w, k, pi};
        unsigned cnt[3] = {nw, nk, 4};
        for (int a = 0; a < 3; a++)
            for (unsigned i = 0; i < cnt[a]; i++) {
                pins[np++] = por_circuit_slot(c, all[a][i].c0);
                pins[np++] = por_circuit_slot(c, all[a][i].c1);
            }
        static const struct {
            const por_gate_vtable *vt;
            unsigned col;
        } forged[] = {{&por_gate_poseidon_mds_vt, 30}, {&por_gate_sbox_ext_vt, 3}, {&por_gate_arithmetic_ext_vt, 6}};
        for (size_t f = 0; f < sizeof(forged) / sizeof(forged[0]); f++) {
            size_t row = tamper_first_row(c, forged[f].vt);
            bool refused = false, rejected = false, accepted = false;
            size_t slot = row < c->n ? tamper_cell_slot(c, row, forged[f].col) : 0;
            if (row < c->n && f == 0) {
                tamper_prove(c, pk, wit, pins, np, slot, 0, &refused, &rejected, &accepted);
                ok(!refused && accepted, "gate evaluations circuit: control: the honest witness, re-derived, is "
                   "proven and verifies");
            }
            if (row < c->n)
                tamper_prove(c, pk, wit, pins, np, slot, 1, &refused, &rejected, &accepted);
            ok(refused && rejected, "gate evaluations circuit: a forged %s output (wire %u) is refused, and its "
               "unchecked proof rejected", forged[f].vt->name, forged[f].col);
        }
        free(pins);
        por_witness_free(wit);
    }
    por_plonk_prover_free(pk);
    por_circuit_free(c);
    por_batch_circuit_free(bc);
}

int main(void)
{
    ok(por_gate_vtable_of(POR_GATE_POSEIDON_MDS) == &por_gate_poseidon_mds_vt &&
           por_gate_vtable_of(POR_GATE_ARITHMETIC_EXT) == &por_gate_arithmetic_ext_vt &&
           por_gate_vtable_of(POR_GATE_REDUCING) == &por_gate_reducing_vt &&
           por_gate_vtable_of(POR_GATE_SBOX_EXT) == &por_gate_sbox_ext_vt,
       "kind lookup: poseidon-mds, arithmetic-ext, reducing, sbox-ext");
    hand_shapes();
    batch_shapes();
    test_proof();
    return done_testing();
}
