/*
 * Generic gate test: for every gate, honest rows satisfy every constraint,
 * perturbing any wire (or constant) breaks one, the base and extension
 * evaluations agree, and the declared degree is the true degree.  Plus
 * gate-specific known answers (Poseidon against poseidon_permute, range
 * boundaries).
 */
#include <string.h>

#include "field/field.h"
#include "field/field_ext.h"
#include "plonk/gates.h"
#include "hash/poseidon.h"
#include "tap.h"

#define NW 130
#define NR 48
#define NK 2

static uint64_t seed = 0x6761746573ULL;

static gl_t rnd(void) { return gl_from_u64(test_rand_u64(&seed)); }
static gl2_t rnd2(void) { return (gl2_t){rnd(), rnd()}; }

/* Fills a random honest row of g: random inputs, then every generator. */
static void honest_row(const por_gate *g, gl_t *w, gl_t *c, gl_t *pi)
{
    for (unsigned i = 0; i < NW; i++)
        w[i] = rnd();
    for (unsigned i = 0; i < NK; i++)
        c[i] = rnd();
    for (unsigned i = 0; i < 4; i++)
        pi[i] = rnd();
    if (g->vt->kind == POR_GATE_RANGE) {
        unsigned bits = por_range_bits(g);
        for (unsigned v = 0; v < por_range_values(g); v++)
            w[por_range_value_wire(g, v)] = test_rand_u64(&seed) >> (64 - bits);
    }
    if (g->vt->kind == POR_GATE_BALANCE) {
        unsigned bits = por_balance_bits(g);
        for (unsigned v = 0; v < 2 * por_balance_pairs(g); v++)
            w[por_balance_v(g, v / 2, v % 2)] = (test_rand_u64(&seed) >> (64 - bits)) | 1; /* limb 0 != 0: h and P matter */
    }
    if (g->vt->kind == POR_GATE_PUBLIC_INPUT)
        for (unsigned i = 0; i < 4; i++)
            w[i] = pi[i];
    if (g->vt->kind == POR_GATE_POSEIDON_SWAP)
        w[por_poseidon_swap_bit()] = test_rand_u64(&seed) & 1;
    for (unsigned k = 0; k < g->vt->num_generators(g); k++)
        g->vt->generate(g, k, c, w);
}

static bool all_zero(const gl_t *o, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (o[i])
            return false;
    return true;
}

static bool all_zero_ext(const gl2_t *o, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (!gl2_is_zero(o[i]))
            return false;
    return true;
}

static void embed(const gl_t *a, gl2_t *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        b[i] = gl2_from_base(a[i]);
}

/* (D+1)-th forward difference of f(0..D+1), D = n - 2 */
static gl_t finite_diff(const gl_t *f, unsigned n)
{
    gl_t t[16];
    memcpy(t, f, n * sizeof(gl_t));
    for (unsigned lvl = 1; lvl < n; lvl++)
        for (unsigned i = 0; i + lvl < n; i++)
            t[i] = gl_sub(t[i + 1], t[i]);
    return t[0];
}

static void generic_gate_test(const por_gate *g)
{
    const char *name = g->vt->name;
    unsigned nc = g->num_constraints;
    gl_t w[NW], c[NK], pi[4], o[NW], o2[NW];
    gl2_t we[NW], ce[NK], pie[4], oe[NW], oe2[NW];

    /* honest rows vanish, on both paths */
    bool ok_base = true, ok_ext = true;
    for (int trial = 0; trial < 5; trial++) {
        honest_row(g, w, c, pi);
        g->vt->eval_base(g, w, c, pi, o);
        ok_base &= all_zero(o, nc);
        embed(w, we, NW), embed(c, ce, NK), embed(pi, pie, 4);
        g->vt->eval_ext(g, we, ce, pie, oe);
        ok_ext &= all_zero_ext(oe, nc);
    }
    ok(ok_base, "%s: honest rows satisfy the base-field constraints", name);
    ok(ok_ext, "%s: honest rows satisfy the extension-field constraints", name);

    /* every used wire matters */
    honest_row(g, w, c, pi);
    unsigned missed = 0;
    for (unsigned i = 0; i < g->num_wires; i++) {
        gl_t save = w[i];
        w[i] = gl_add(w[i], 1);
        g->vt->eval_base(g, w, c, pi, o);
        missed += all_zero(o, nc);
        embed(w, we, NW), embed(c, ce, NK), embed(pi, pie, 4);
        g->vt->eval_ext(g, we, ce, pie, oe);
        missed += all_zero_ext(oe, nc);
        w[i] = save;
    }
    ok(missed == 0, "%s: perturbing any of its %u wires breaks a constraint", name, g->num_wires);
    for (unsigned i = 0; i < g->num_constants; i++) {
        gl_t save = c[i];
        c[i] = gl_add(c[i], 1);
        g->vt->eval_base(g, w, c, pi, o);
        ok(!all_zero(o, nc), "%s: perturbing constant %u breaks a constraint", name, i);
        c[i] = save;
    }
    if (g->vt->kind == POR_GATE_BALANCE) {
        unsigned bits = por_balance_bits(g);
        for (unsigned v = 0; v < 2 * por_balance_pairs(g); v++)
            w[por_balance_v(g, v / 2, v % 2)] = (test_rand_u64(&seed) >> (64 - bits)) | 1; /* limb 0 != 0: h and P matter */
    }
    if (g->vt->kind == POR_GATE_PUBLIC_INPUT) {
        pi[2] = gl_add(pi[2], 5);
        g->vt->eval_base(g, w, c, pi, o);
        ok(!all_zero(o, nc), "%s: a different public-input digest breaks a constraint", name);
    }

    /* base and extension paths agree on arbitrary (non-honest) inputs */
    bool agree = true;
    for (int trial = 0; trial < 5; trial++) {
        for (unsigned i = 0; i < NW; i++)
            w[i] = rnd();
        for (unsigned i = 0; i < NK; i++)
            c[i] = rnd();
        for (unsigned i = 0; i < 4; i++)
            pi[i] = rnd();
        g->vt->eval_base(g, w, c, pi, o);
        embed(w, we, NW), embed(c, ce, NK), embed(pi, pie, 4);
        g->vt->eval_ext(g, we, ce, pie, oe);
        for (unsigned i = 0; i < nc; i++)
            agree &= gl2_eq(oe[i], gl2_from_base(o[i]));
    }
    ok(agree, "%s: eval_ext on base inputs equals eval_base", name);

    /* genuinely extension inputs: constraints have base coefficients, so
     * they commute with the Frobenius map */
    bool frob = true;
    for (int trial = 0; trial < 3; trial++) {
        for (unsigned i = 0; i < NW; i++)
            we[i] = rnd2();
        for (unsigned i = 0; i < NK; i++)
            ce[i] = rnd2();
        for (unsigned i = 0; i < 4; i++)
            pie[i] = rnd2();
        g->vt->eval_ext(g, we, ce, pie, oe);
        for (unsigned i = 0; i < NW; i++)
            we[i] = gl2_frobenius(we[i]);
        for (unsigned i = 0; i < NK; i++)
            ce[i] = gl2_frobenius(ce[i]);
        for (unsigned i = 0; i < 4; i++)
            pie[i] = gl2_frobenius(pie[i]);
        g->vt->eval_ext(g, we, ce, pie, oe2);
        for (unsigned i = 0; i < nc; i++)
            frob &= gl2_eq(oe2[i], gl2_frobenius(oe[i]));
    }
    ok(frob, "%s: eval_ext commutes with Frobenius", name);

    /* degree: restricted to a random line t -> a + t b (wires, constants and
     * digest), each constraint is a polynomial of degree <= g->degree in t,
     * and some constraint reaches it */
    unsigned D = g->degree;
    gl_t a[NW + NK + 4], b[NW + NK + 4], vals[NW][16];
    for (unsigned i = 0; i < NW + NK + 4; i++)
        a[i] = rnd(), b[i] = rnd();
    for (unsigned t = 0; t <= D + 1; t++) {
        gl_t p[NW + NK + 4];
        for (unsigned i = 0; i < NW + NK + 4; i++)
            p[i] = gl_add(a[i], gl_mul(b[i], t));
        g->vt->eval_base(g, p, p + NW, p + NW + NK, o2);
        for (unsigned i = 0; i < nc; i++)
            vals[i][t] = o2[i];
    }
    bool bounded = true, tight = false;
    for (unsigned i = 0; i < nc; i++) {
        bounded &= finite_diff(vals[i], D + 2) == 0;
        tight |= finite_diff(vals[i], D + 1) != 0;
    }
    ok(bounded, "%s: every constraint has degree <= %u", name, D);
    ok(tight, "%s: some constraint has degree exactly %u", name, D);
}

static void make(por_gate *g, const por_gate_vtable *vt, uint32_t p0, uint32_t p1)
{
    uint32_t params[POR_GATE_MAX_PARAMS] = {p0, p1, 0, 0};
    const char *why = por_gate_init(g, vt, params, NW, NR, NK);
    ok(why == NULL, "init %s(%u, %u)%s%s", vt->name, p0, p1, why ? ": " : "", why ? why : "");
}

static void test_poseidon_known_answer(void)
{
    por_gate g;
    make(&g, &por_gate_poseidon_vt, 0, 0);
    gl_t w[NW] = {0}, state[12], o[NW];
    for (unsigned i = 0; i < 12; i++)
        w[i] = state[i] = i;
    g.vt->generate(&g, 0, NULL, w);
    poseidon_permute(state);
    bool same = true;
    for (unsigned i = 0; i < 12; i++)
        same &= w[por_poseidon_gate_out(i)] == state[i];
    ok(same, "poseidon gate: generated outputs equal poseidon_permute([0..11])");
    is_u64(w[por_poseidon_gate_out(0)], 0xd64e1e3efc5b8e9eULL, "poseidon gate: Plonky2 vector, output 0");
    g.vt->eval_base(&g, w, NULL, NULL, o);
    ok(all_zero(o, g.num_constraints), "poseidon gate: the [0..11] row satisfies its constraints");
    /* a prover claiming another output (consistent intermediates, wrong out) */
    w[por_poseidon_gate_out(11)] = gl_add(w[por_poseidon_gate_out(11)], 1);
    g.vt->eval_base(&g, w, NULL, NULL, o);
    ok(!all_zero(o, g.num_constraints), "poseidon gate: a wrong output is rejected");
    ok(g.num_wires == 130 && g.num_constraints == 118 && g.degree == 7,
       "poseidon gate: 130 wires, 118 constraints, degree 7");
}

/*
 * Poseidon-swap: for both bits the digest is two_to_one of the pair in the
 * bit's order; a non-boolean bit is refused (by s^2 - s alone: its deltas
 * and permutation are generated consistently); a delta that does not match
 * the bit is refused even with a consistent permutation on it.
 */
static void test_poseidon_swap(void)
{
    por_gate g;
    make(&g, &por_gate_poseidon_swap_vt, 0, 0);
    gl_t w[NW], o[NW];
    por_digest a, b, lr, rl;
    for (unsigned i = 0; i < 4; i++)
        a.e[i] = rnd(), b.e[i] = rnd();
    poseidon_two_to_one(&a, &b, &lr);
    poseidon_two_to_one(&b, &a, &rl);
    for (unsigned bit = 0; bit < 2; bit++) {
        memset(w, 0, sizeof(w));
        for (unsigned i = 0; i < 4; i++)
            w[por_poseidon_swap_in(i)] = a.e[i], w[por_poseidon_swap_in(4 + i)] = b.e[i];
        w[por_poseidon_swap_bit()] = bit;
        g.vt->generate(&g, 0, NULL, w);
        bool same = true;
        for (unsigned i = 0; i < 4; i++)
            same &= w[por_poseidon_swap_out(i)] == (bit ? rl : lr).e[i];
        ok(same, "poseidon-swap: bit %u gives two_to_one(%s)", bit, bit ? "b, a" : "a, b");
        g.vt->eval_base(&g, w, NULL, NULL, o);
        ok(all_zero(o, g.num_constraints), "poseidon-swap: the bit-%u row satisfies its constraints", bit);
    }
    /* bit 2: delta = 2 (b - a) and the permutation of (2b - a, 2a - b) */
    for (unsigned i = 0; i < 4; i++)
        w[por_poseidon_swap_in(i)] = a.e[i], w[por_poseidon_swap_in(4 + i)] = b.e[i];
    w[por_poseidon_swap_bit()] = 2;
    g.vt->generate(&g, 0, NULL, w);
    g.vt->eval_base(&g, w, NULL, NULL, o);
    unsigned failing = 0;
    for (unsigned k = 0; k < g.num_constraints; k++)
        failing += o[k] != 0;
    ok(failing == 1 && o[110] != 0, "poseidon-swap: a non-boolean bit fails s^2 - s only");
    /* a prover taking the swapped order with bit 0: delta = b - a, permutation consistent */
    w[por_poseidon_swap_bit()] = 1;
    g.vt->generate(&g, 0, NULL, w);
    w[por_poseidon_swap_bit()] = 0;
    g.vt->eval_base(&g, w, NULL, NULL, o);
    failing = 0;
    for (unsigned k = 0; k < g.num_constraints; k++)
        failing += o[k] != 0;
    ok(failing == 4 && o[111] != 0, "poseidon-swap: deltas not matching the bit fail their 4 constraints only");
    ok(g.num_wires == 123 && g.num_constraints == 115 && g.degree == 7,
       "poseidon-swap gate: 123 wires, 115 constraints, degree 7");
}

/*
 * Random-access: with boolean bits the output is the item at the index the
 * bits spell (low bit first), for every index and k = 1..4; a prover claiming
 * another item is refused.
 */
static void test_random_access(void)
{
    for (uint32_t k = 1; k <= 4; k++) {
        por_gate g;
        make(&g, &por_gate_random_access_vt, k, 2);
        gl_t w[NW], o[NW];
        bool picks = true, refuses = true;
        for (unsigned idx = 0; idx < (1u << k); idx++) {
            for (unsigned i = 0; i < NW; i++)
                w[i] = rnd();
            for (unsigned cp = 0; cp < 2; cp++)
                for (unsigned i = 0; i < k; i++)
                    w[por_random_access_bit(&g, cp, i)] = (idx >> i) & 1;
            for (unsigned cp = 0; cp < 2; cp++)
                g.vt->generate(&g, cp, NULL, w);
            g.vt->eval_base(&g, w, NULL, NULL, o);
            picks &= all_zero(o, 2) && w[por_random_access_out(&g, 1)] == w[por_random_access_item(&g, 1, idx)];
            w[por_random_access_out(&g, 1)] = w[por_random_access_item(&g, 1, idx ^ 1)];
            g.vt->eval_base(&g, w, NULL, NULL, o);
            refuses &= o[0] == 0 && o[1] != 0;
        }
        ok(picks, "random-access(%u): boolean bits pick the item at their index, every index", k);
        ok(refuses, "random-access(%u): another item as the output is refused (that copy only)", k);
    }
}

/*
 * The gate's eval_base (closed-form partial rounds, split MDS) must give the
 * same field elements as the round-by-round reference, constraint for
 * constraint: on uniformly random wires, on wires of extreme values (where
 * the lazy accumulators are fullest), and on honest rows with one wire off.
 */
static void test_poseidon_fast_matches_reference(void)
{
    por_gate g;
    make(&g, &por_gate_poseidon_vt, 0, 0);
    gl_t w[NW], fast[NW], ref[NW];
    bool same = true, nonzero = false;
    for (unsigned t = 0; t < 300; t++) {
        for (unsigned i = 0; i < NW; i++) {
            uint64_t r = test_rand_u64(&seed);
            /* a third of the rows: every wire p - 1 - (small), i.e. near 2^64 */
            w[i] = t % 3 == 1 ? GL_P - 1 - (r & 3) : t % 3 == 2 && (r & 1) ? 0 : gl_from_u64(r);
        }
        if (t % 10 == 0) { /* honest row, then one random wire perturbed */
            g.vt->generate(&g, 0, NULL, w);
            w[12 + test_rand_u64(&seed) % 118] ^= 1;
        }
        g.vt->eval_base(&g, w, NULL, NULL, fast);
        por_poseidon_gate_eval_reference(w, ref);
        for (unsigned k = 0; k < g.num_constraints; k++) {
            same &= fast[k] == ref[k];
            nonzero |= ref[k] != 0;
        }
    }
    ok(same && nonzero, "poseidon gate: eval_base equals the reference evaluation on 300 rows");
    /* and the comparison itself can fail: the reference sees a changed wire */
    for (unsigned i = 0; i < NW; i++)
        w[i] = rnd();
    g.vt->eval_base(&g, w, NULL, NULL, fast);
    w[60 + 21] = gl_add(w[60 + 21], 1);
    por_poseidon_gate_eval_reference(w, ref);
    ok(fast[36 + 21] != ref[36 + 21], "poseidon gate: a changed partial-round wire changes its constraint");
}

/* Range gate on one value with the generator's limbs. */
static bool range_accepts(unsigned bits, uint64_t value)
{
    por_gate g;
    uint32_t params[POR_GATE_MAX_PARAMS] = {bits, 1, 0, 0};
    if (por_gate_init(&g, &por_gate_range_vt, params, NW, NR, NK))
        return false;
    gl_t w[NW] = {0}, o[NW];
    w[0] = gl_from_u64(value);
    g.vt->generate(&g, 0, NULL, w);
    g.vt->eval_base(&g, w, NULL, NULL, o);
    return all_zero(o, g.num_constraints);
}

static void test_range_boundaries(void)
{
    static const unsigned bits_list[] = {1, 2, 3, 7, 8, 16, 31, 32, 62, 63};
    for (size_t i = 0; i < sizeof(bits_list) / sizeof(bits_list[0]); i++) {
        unsigned B = bits_list[i];
        uint64_t top = B == 64 ? ~0ULL : (1ULL << B);
        ok(range_accepts(B, 0), "range %u: 0 passes", B);
        ok(range_accepts(B, top - 1), "range %u: 2^%u - 1 passes", B, B);
        ok(!range_accepts(B, top), "range %u: 2^%u fails", B, B);
        ok(!range_accepts(B, GL_P - 1), "range %u: -1 fails", B);
    }
    /* a malicious decomposition: 2^62 as limbs 0..0 with a top limb of 4
     * (sums correctly, but the limb is out of range) */
    por_gate g;
    make(&g, &por_gate_range_vt, 62, 1);
    gl_t w[NW] = {0}, o[NW];
    w[0] = 1ULL << 62;
    w[por_range_limb_wire(&g, 0, 30)] = 4;
    g.vt->eval_base(&g, w, NULL, NULL, o);
    ok(o[0] == 0 && !all_zero(o, g.num_constraints),
       "range 62: limbs summing to 2^62 with a limb of 4 are rejected");
    /* and a field-wrapping decomposition: value p - 1 = -1 with limbs of 3
     * everywhere sums to 4^31 - 1 != p - 1 */
    ok(!range_accepts(62, GL_P - 1), "range 62: p - 1 rejected");
    /* odd bit count: top limb is a bit, 2 is rejected even though the sum is right */
    make(&g, &por_gate_range_vt, 3, 1);
    memset(w, 0, sizeof(w));
    w[0] = 8;
    w[por_range_limb_wire(&g, 0, 1)] = 2;
    g.vt->eval_base(&g, w, NULL, NULL, o);
    ok(o[0] == 0 && !all_zero(o, g.num_constraints), "range 3: top limb 2 (value 8) rejected");
    make(&g, &por_gate_range_vt, 62, 0);
    is_u64(por_range_values(&g), 4, "range 62: 4 values per 130-wire row (32 wires each)");
    make(&g, &por_gate_range_vt, 32, 0);
    is_u64(por_range_values(&g), 7, "range 32: 7 values per row");
}

/* A balance gate: its routed wires may use the whole row. */
static void make_balance(por_gate *g, uint32_t B, uint32_t G, uint32_t Q, uint32_t P)
{
    uint32_t params[POR_GATE_MAX_PARAMS] = {B, G, Q, P};
    const char *why = por_gate_init(g, &por_gate_balance_vt, params, NW, NW, NK);
    ok(why == NULL, "init balance(%u, %u, %u, %u)%s%s", B, G, Q, P, why ? ": " : "", why ? why : "");
}

/* A balance row: balance values v[2q + e] (any field element), haircuts
 * h[q], random prices and running sums, then the generators. */
static void balance_row(const por_gate *g, const uint64_t *v, const gl_t *h, gl_t *w)
{
    for (unsigned i = 0; i < NW; i++)
        w[i] = rnd();
    unsigned G = por_balance_limb_bits(g);
    for (unsigned q = 0; q < por_balance_pairs(g); q++) {
        w[por_balance_v(g, q, 0)] = v[2 * q];
        w[por_balance_v(g, q, 1)] = v[2 * q + 1];
        w[por_balance_haircut(g, q)] = h[q];
        for (unsigned j = 0; j < por_balance_price_limbs(g); j++)
            w[por_balance_price(g, q, j)] = test_rand_u64(&seed) >> (64 - G);
    }
    for (unsigned k = 0; k < g->vt->num_generators(g); k++)
        g->vt->generate(g, k, NULL, w);
}

static bool balance_accepts(const por_gate *g, const gl_t *w)
{
    gl_t o[2 * NW];
    g->vt->eval_base(g, w, NULL, NULL, o);
    return all_zero(o, g->num_constraints);
}

/* Every looked-up cell of a row in the table [0, 2^T). */
static bool cells_in_table(const por_gate *g, const gl_t *w)
{
    for (unsigned i = g->lookup_first_wire; i < g->num_wires; i++)
        if (w[i] >> g->lookup_bits)
            return false;
    return true;
}

/*
 * The balance gate against an independent integer computation: totals get
 * exactly v mod 2^33 and floor(v / 2^33), each column exactly the signed sum
 * of (h e_i - 100 d_i) P_j over i + j = k (as an integer, then reduced); the
 * generated sublimbs are in the table exactly for 0 <= v < 2^B; malicious
 * rows (another haircut, a column or total off by one, a top copy that does
 * not match) are rejected, and a decomposition through an out-of-table
 * sublimb passes the gate but not the table (the lookup's job: test_lookup
 * and test_batch show the prover refusing and the verifier rejecting it).
 */
static void test_balance(void)
{
    por_gate g;
    make_balance(&g, 62, 22, 4, 3);
    ok(g.num_wires == 122 && por_balance_routed(&g) == 66 && por_balance_columns(&g) == 5 &&
           por_balance_cells(&g) == 7 && g.num_constraints == 8 * 4 + 5 && g.degree == 3 &&
           g.lookup_bits == 11 && g.lookup_first_wire == 66 && por_balance_lo_bits(&g) == 33,
       "balance(62, 22, 4, 3): 8 balances in 122 wires (66 routed), 7 looked-up cells each, 5 columns, "
       "37 constraints, degree 3, table 2^11");
    gl_t w[NW], h[4];
    uint64_t v[8];
    bool exact = true, in_table = true;
    for (int trial = 0; trial < 20; trial++) {
        for (unsigned b = 0; b < 8; b++)
            v[b] = trial == 0 ? (1ULL << 62) - 1 : test_rand_u64(&seed) >> 2;
        for (unsigned q = 0; q < 4; q++)
            h[q] = test_rand_u64(&seed) % 101;
        balance_row(&g, v, h, w);
        exact &= balance_accepts(&g, w);
        in_table &= cells_in_table(&g, w);
        for (unsigned b = 0; b < 8; b++) {
            exact &= gl_sub(w[por_balance_total(&g, b / 2, b % 2, 1)], w[por_balance_total(&g, b / 2, b % 2, 0)]) ==
                     (v[b] & ((1ULL << 33) - 1));
            exact &= gl_sub(w[por_balance_total(&g, b / 2, b % 2, 3)], w[por_balance_total(&g, b / 2, b % 2, 2)]) ==
                     v[b] >> 33;
        }
        for (unsigned k = 0; k < 5; k++) {
            __int128 t = 0;
            for (unsigned b = 0; b < 8; b++) {
                __int128 m = b % 2 ? -100 : (__int128)h[b / 2];
                for (unsigned i = 0; i < 3; i++)
                    for (unsigned j = 0; j < 3; j++)
                        if (i + j == k)
                            t += m * (__int128)((v[b] >> (22 * i)) & ((1ULL << 22) - 1)) *
                                 (__int128)w[por_balance_price(&g, b / 2, j)];
            }
            __int128 r = t % (__int128)GL_P;
            if (r < 0)
                r += GL_P;
            exact &= gl_sub(w[por_balance_col_out(&g, k)], w[por_balance_col_in(&g, k)]) == (gl_t)r;
        }
    }
    ok(exact, "balance: rows accept; totals get lo/hi, columns the signed limb products, exactly");
    ok(in_table, "balance: honest sublimbs and top copies are all in the table");

    /* range boundaries, one pair (the equity tested, the debt 0) */
    static const unsigned bits_list[] = {1, 2, 11, 12, 21, 22, 31, 32, 33, 34, 61, 62, 63};
    for (size_t bi = 0; bi < sizeof(bits_list) / sizeof(bits_list[0]); bi++) {
        unsigned B = bits_list[bi];
        por_gate gb;
        uint32_t params[POR_GATE_MAX_PARAMS] = {B, 22, 1, 3};
        if (por_gate_init(&gb, &por_gate_balance_vt, params, NW, NW, NK)) {
            ok(0, "balance(%u, 22, 1, 3) init", B);
            continue;
        }
        uint64_t top = 1ULL << B;
        gl_t one = 1;
        uint64_t vals[4][2] = {{0, 0}, {top - 1, 0}, {top, 0}, {GL_P - 1, 0}};
        bool want[4] = {true, true, false, false};
        bool all = true;
        for (int c = 0; c < 4; c++) {
            balance_row(&gb, vals[c], &one, w);
            all &= (balance_accepts(&gb, w) && cells_in_table(&gb, w)) == want[c];
        }
        ok(all, "balance %u bits: 0 and 2^%u - 1 pass, 2^%u and -1 fail", B, B, B);
    }

    /* malicious rows on the (62, 22, 4, 3) gate */
    for (unsigned b = 0; b < 8; b++)
        v[b] = (1u << 11) + b;
    for (unsigned q = 0; q < 4; q++)
        h[q] = 50;
    balance_row(&g, v, h, w);
    ok(balance_accepts(&g, w), "balance: honest small row passes");
    gl_t save[NW];
    memcpy(save, w, sizeof(w));
    w[por_balance_haircut(&g, 1)] = 51; /* another haircut than the one wired in */
    ok(!balance_accepts(&g, w), "balance: another multiplier changes the columns: rejected");
    memcpy(w, save, sizeof(w));
    w[por_balance_col_out(&g, 0)] = gl_add(w[por_balance_col_out(&g, 0)], 1);
    ok(!balance_accepts(&g, w), "balance: a column off by one is rejected");
    memcpy(w, save, sizeof(w));
    w[por_balance_total(&g, 2, 1, 1)] = gl_sub(w[por_balance_total(&g, 2, 1, 1)], 1);
    ok(!balance_accepts(&g, w), "balance: a total off by one is rejected");
    memcpy(w, save, sizeof(w));
    /* the total carry moved between lo and hi: lo + 2^33, hi - 1 */
    w[por_balance_total(&g, 0, 0, 1)] = gl_add(w[por_balance_total(&g, 0, 0, 1)], 1ULL << 33);
    w[por_balance_total(&g, 0, 0, 3)] = gl_sub(w[por_balance_total(&g, 0, 0, 3)], 1);
    ok(!balance_accepts(&g, w), "balance: lo + 2^33, hi - 1 is rejected");
    memcpy(w, save, sizeof(w));
    w[por_balance_cell(&g, 3, 1, 6)] = gl_add(w[por_balance_cell(&g, 3, 1, 6)], 16);
    ok(!balance_accepts(&g, w), "balance: a top copy that is not 2^4 times the top sublimb is rejected");
    memcpy(w, save, sizeof(w));
    /* e = 2^11 + 0 as sublimbs (2^11, 0, ...) instead of (0, 1, ...): same sum, same limbs */
    w[por_balance_cell(&g, 0, 0, 0)] = 1u << 11, w[por_balance_cell(&g, 0, 0, 1)] = 0;
    ok(balance_accepts(&g, w) && !cells_in_table(&g, w),
       "balance: a sublimb of 2^11 recomposes and passes the gate, but is outside the table");
}

static void test_init_errors(void)
{
    por_gate g;
    uint32_t p[POR_GATE_MAX_PARAMS] = {0};
    ok(por_gate_init(&g, &por_gate_poseidon_vt, p, 129, 48, 2) != NULL, "poseidon needs 130 wires");
    ok(por_gate_init(&g, &por_gate_poseidon_vt, p, 130, 23, 2) != NULL, "poseidon needs 24 routed");
    ok(por_gate_init(&g, &por_gate_poseidon_swap_vt, p, 122, 48, 2) != NULL, "poseidon-swap needs 123 wires");
    ok(por_gate_init(&g, &por_gate_poseidon_swap_vt, p, 130, 12, 2) != NULL, "poseidon-swap needs 13 routed");
    ok(por_gate_vtable_of(POR_GATE_POSEIDON_SWAP) == &por_gate_poseidon_swap_vt, "kind lookup: poseidon-swap");
    uint32_t ra[POR_GATE_MAX_PARAMS] = {5, 0, 0, 0};
    ok(por_gate_init(&g, &por_gate_random_access_vt, ra, 130, 48, 2) != NULL, "random-access: 5 bits refused");
    ra[0] = 4, ra[1] = 3;
    ok(por_gate_init(&g, &por_gate_random_access_vt, ra, 130, 48, 2) != NULL, "random-access: 3 copies of 21 need 63 routed");
    ok(por_gate_vtable_of(POR_GATE_RANDOM_ACCESS) == &por_gate_random_access_vt, "kind lookup: random-access");
    p[0] = 13;
    ok(por_gate_init(&g, &por_gate_arithmetic_vt, p, 130, 48, 2) != NULL, "13 arithmetic ops do not fit 48 routed");
    p[0] = 64;
    ok(por_gate_init(&g, &por_gate_range_vt, p, 130, 48, 2) != NULL, "range of 64 bits refused");
    p[0] = 62, p[1] = 5;
    ok(por_gate_init(&g, &por_gate_range_vt, p, 130, 48, 2) != NULL, "5 values of 62 bits do not fit 130 wires");
    p[0] = 3, p[1] = 0;
    ok(por_gate_init(&g, &por_gate_constant_vt, p, 130, 48, 2) != NULL, "3 constants do not fit 2 columns");
    por_gate a, b;
    p[0] = 0;
    por_gate_init(&a, &por_gate_arithmetic_vt, p, 130, 48, 2);
    p[0] = 12;
    por_gate_init(&b, &por_gate_arithmetic_vt, p, 130, 48, 2);
    ok(por_gate_equal(&a, &b), "arithmetic default ops (48/4 = 12) equals explicit 12");
    p[0] = 11;
    por_gate_init(&b, &por_gate_arithmetic_vt, p, 130, 48, 2);
    ok(!por_gate_equal(&a, &b), "arithmetic(11) differs from arithmetic(12)");
    uint32_t bp[POR_GATE_MAX_PARAMS] = {62, 21, 4, 3};
    ok(por_gate_init(&g, &por_gate_balance_vt, bp, 130, 130, 2) != NULL, "balance: odd limb bits refused");
    bp[1] = 22, bp[2] = 5;
    ok(por_gate_init(&g, &por_gate_balance_vt, bp, 130, 130, 2) != NULL, "balance: 5 pairs of 62 bits do not fit 130 wires");
    bp[2] = 4;
    ok(por_gate_init(&g, &por_gate_balance_vt, bp, 130, 65, 2) != NULL, "balance: 4 pairs need 66 routed");
    bp[1] = 42;
    ok(por_gate_init(&g, &por_gate_balance_vt, bp, 130, 130, 2) != NULL, "balance: a table over 2^20 refused");
    bp[0] = 64, bp[1] = 22, bp[2] = 1;
    ok(por_gate_init(&g, &por_gate_balance_vt, bp, 130, 130, 2) != NULL, "balance: 64 bits refused");
    bp[0] = 62, bp[3] = 0;
    ok(por_gate_init(&g, &por_gate_balance_vt, bp, 130, 130, 2) != NULL, "balance: no price limbs refused");
    ok(por_gate_vtable_of(POR_GATE_BALANCE) == &por_gate_balance_vt, "kind lookup: balance");
    ok(por_gate_vtable_of(POR_GATE_RANGE) == &por_gate_range_vt && por_gate_vtable_of(99) == NULL,
       "kind lookup");
}

int main(void)
{
    por_gate g;
    make(&g, &por_gate_constant_vt, 0, 0);
    generic_gate_test(&g);
    make(&g, &por_gate_public_input_vt, 0, 0);
    generic_gate_test(&g);
    make(&g, &por_gate_arithmetic_vt, 0, 0);
    generic_gate_test(&g);
    make(&g, &por_gate_arithmetic_vt, 3, 0);
    generic_gate_test(&g);
    make(&g, &por_gate_poseidon_vt, 0, 0);
    generic_gate_test(&g);
    make(&g, &por_gate_poseidon_mds_vt, 0, 0);
    generic_gate_test(&g);
    make(&g, &por_gate_poseidon_swap_vt, 0, 0);
    generic_gate_test(&g);
    for (uint32_t k = 1; k <= 4; k++) {
        make(&g, &por_gate_random_access_vt, k, 0);
        generic_gate_test(&g);
    }
    make(&g, &por_gate_arithmetic_ext_vt, 0, 0);
    generic_gate_test(&g);
    make(&g, &por_gate_arithmetic_ext_vt, 2, 0);
    generic_gate_test(&g);
    make(&g, &por_gate_reducing_vt, 0, 0);
    generic_gate_test(&g);
    make(&g, &por_gate_reducing_vt, 3, 0);
    generic_gate_test(&g);
    make(&g, &por_gate_sbox_ext_vt, 0, 0);
    generic_gate_test(&g);
    make(&g, &por_gate_sbox_ext_vt, 2, 0);
    generic_gate_test(&g);
    static const unsigned range_bits[] = {1, 2, 5, 32, 62, 63};
    for (size_t i = 0; i < sizeof(range_bits) / sizeof(range_bits[0]); i++) {
        make(&g, &por_gate_range_vt, range_bits[i], 0);
        generic_gate_test(&g);
    }
    static const uint32_t balance_shapes[][4] = {{62, 22, 4, 3}, {61, 16, 2, 4}, {20, 22, 4, 3},
                                                 {33, 22, 1, 2}, {1, 2, 3, 1}, {62, 8, 1, 8}};
    for (size_t i = 0; i < sizeof(balance_shapes) / sizeof(balance_shapes[0]); i++) {
        const uint32_t *p = balance_shapes[i];
        make_balance(&g, p[0], p[1], p[2], p[3]);
        generic_gate_test(&g);
    }
    test_balance();
    test_poseidon_known_answer();
    test_poseidon_swap();
    test_random_access();
    test_poseidon_fast_matches_reference();
    test_range_boundaries();
    test_init_errors();
    return done_testing();
}
