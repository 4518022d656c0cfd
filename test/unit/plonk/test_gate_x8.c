/*
 * The 8-lane evaluations (eval_base_x8) of the gates against eval_base lane
 * by lane.  The balance and range-lookup gates: on the AVX-512 path (when the CPU
 * has it) and the portable one (POR_NO_SIMD): honest rows (all constraints
 * 0), random rows and edge values, lanes mixed in one call, strides 8 and
 * 16 (the lanes beyond 8 hold garbage that must not be read), the shapes of
 * real batch circuits and others.  Negative: one wire of one lane perturbed
 * changes that lane only, and changes it.
 */
#include <stdlib.h>
#include <string.h>

#include "por/batch.h"
#include "plonk/circuit.h"
#include "field/field.h"
#include "field/field_x8.h"
#include "plonk/gates.h"
#include "tap.h"

#define NW 130
#define NK 2
#define LANES POR_GATE_LANES
#define MAX_STRIDE 16
#define SENTINEL UINT64_MAX /* not canonical: never a constraint value */

static uint64_t seed = 0x78386761746573ULL;

static gl_t rnd(void) { return gl_from_u64(test_rand_u64(&seed)); }

static const gl_t EDGES[] = {0, 1, 2, GL_P - 1, GL_P - 2, (gl_t)1 << 32, ((gl_t)1 << 32) - 1, (gl_t)1 << 63,
                             ((gl_t)1 << 63) - 1, GL_P - ((gl_t)1 << 32)};

static gl_t edge(void) { return EDGES[test_rand_u64(&seed) % (sizeof(EDGES) / sizeof(EDGES[0]))]; }

enum { ROW_HONEST, ROW_RANDOM, ROW_EDGE, ROW_KINDS };

/* One row of g of the given kind into row[0..NW). */
static void make_row(const por_gate *g, int kind, gl_t *row)
{
    for (unsigned i = 0; i < NW; i++)
        row[i] = kind == ROW_EDGE ? edge() : rnd();
    if (kind != ROW_HONEST)
        return;
    if (g->vt->kind == POR_GATE_BALANCE) {
        unsigned B = por_balance_bits(g), G = por_balance_limb_bits(g);
        for (unsigned q = 0; q < por_balance_pairs(g); q++) {
            for (unsigned e = 0; e < 2; e++)
                row[por_balance_v(g, q, e)] = test_rand_u64(&seed) >> (64 - B);
            row[por_balance_haircut(g, q)] = test_rand_u64(&seed) % 101;
            for (unsigned j = 0; j < por_balance_price_limbs(g); j++)
                row[por_balance_price(g, q, j)] = test_rand_u64(&seed) >> (64 - G);
        }
    } else {
        unsigned B = g->params[0];
        for (unsigned v = 0; v < g->params[3]; v++)
            row[v] = test_rand_u64(&seed) >> (64 - B);
    }
    for (unsigned k = 0; k < g->vt->num_generators(g); k++)
        g->vt->generate(g, k, NULL, row);
}

/* A call's buffers: wires lane-major with the given stride, rows[p] the
 * lanes' rows, consts (which these gates do not read) random. */
typedef struct {
    size_t stride;
    gl_t rows[LANES][NW];
    gl_t w[NW * MAX_STRIDE];
    gl_t c[NK * MAX_STRIDE];
    gl_t out[2 * NW * LANES + 8];
} call;

static void to_lanes(call *x)
{
    for (unsigned j = 0; j < NW; j++)
        for (size_t p = 0; p < x->stride; p++)
            x->w[j * x->stride + p] = p < LANES ? x->rows[p][j] : test_rand_u64(&seed); /* garbage beyond */
    for (unsigned k = 0; k < NK; k++)
        for (size_t p = 0; p < x->stride; p++)
            x->c[k * x->stride + p] = rnd();
}

static void run_x8(const por_gate *g, call *x)
{
    for (size_t i = 0; i < sizeof(x->out) / sizeof(x->out[0]); i++)
        x->out[i] = SENTINEL;
    gl_t pi[4] = {rnd(), rnd(), rnd(), rnd()};
    g->vt->eval_base_x8(g, x->w, x->c, x->stride, pi, x->out);
}

/* Every constraint of every lane equals eval_base's; nothing written past
 * the constraints. */
static bool matches(const por_gate *g, const call *x)
{
    for (unsigned p = 0; p < LANES; p++) {
        gl_t ref[2 * NW], c[NK] = {x->c[p], x->c[x->stride + p]}, pi[4] = {0, 0, 0, 0};
        g->vt->eval_base(g, x->rows[p], c, pi, ref);
        for (unsigned k = 0; k < g->num_constraints; k++)
            if (x->out[k * LANES + p] != ref[k]) {
                diag("lane %u constraint %u: got %016llx, want %016llx", p, k,
                     (unsigned long long)x->out[k * LANES + p], (unsigned long long)ref[k]);
                return false;
            }
    }
    for (size_t i = (size_t)g->num_constraints * LANES; i < sizeof(x->out) / sizeof(x->out[0]); i++)
        if (x->out[i] != SENTINEL)
            return false;
    return true;
}

static bool lane_all_zero(const por_gate *g, const call *x, unsigned p)
{
    for (unsigned k = 0; k < g->num_constraints; k++)
        if (x->out[k * LANES + p])
            return false;
    return true;
}

/* The checks on one gate with the current path; label names it. */
static void check_gate(const por_gate *g, const char *label)
{
    static call x, y;
    bool same = true, honest_zero = true, random_nonzero = true;
    for (size_t stride = LANES; stride <= MAX_STRIDE; stride += LANES) {
        x.stride = stride;
        /* each kind in all lanes, then the kinds mixed across lanes */
        for (int kind = 0; kind <= ROW_KINDS; kind++) {
            for (int rep = 0; rep < 3; rep++) {
                for (unsigned p = 0; p < LANES; p++)
                    make_row(g, kind < ROW_KINDS ? kind : (int)((p + (unsigned)rep) % ROW_KINDS), x.rows[p]);
                to_lanes(&x);
                run_x8(g, &x);
                same &= matches(g, &x);
                for (unsigned p = 0; p < LANES; p++) {
                    if (kind == ROW_HONEST)
                        honest_zero &= lane_all_zero(g, &x, p);
                    if (kind == ROW_RANDOM)
                        random_nonzero &= !lane_all_zero(g, &x, p);
                }
            }
        }
    }
    ok(same, "%s: every constraint of every lane equals eval_base (strides 8, 16; honest, random, edge, mixed)",
       label);
    ok(honest_zero, "%s: honest rows give zeros in every lane", label);
    ok(random_nonzero, "%s: random rows do not", label);

    /* Perturb each wire the constraints read (the range-lookup gate's
     * between its values and its first looked-up column are unused), in one
     * lane of a random call (honest rows can have zero factors). */
    bool only_lane = true, changed = true, still_same = true;
    x.stride = MAX_STRIDE;
    for (unsigned p = 0; p < LANES; p++)
        make_row(g, ROW_RANDOM, x.rows[p]);
    to_lanes(&x);
    run_x8(g, &x);
    for (unsigned j = 0; j < g->num_wires; j++) {
        if (g->vt == &por_gate_range_lookup_vt && j >= g->params[3] && j < g->params[2])
            continue;
        unsigned lane = (unsigned)(test_rand_u64(&seed) % LANES);
        y = x;
        gl_t d = j & 1 ? 1 : rnd() | 1;
        y.rows[lane][j] = gl_add(y.rows[lane][j], d);
        y.w[j * y.stride + lane] = y.rows[lane][j];
        run_x8(g, &y);
        still_same &= matches(g, &y);
        bool diff = false;
        for (unsigned k = 0; k < g->num_constraints; k++)
            for (unsigned p = 0; p < LANES; p++) {
                bool ne = x.out[k * LANES + p] != y.out[k * LANES + p];
                if (p == lane)
                    diff |= ne;
                else
                    only_lane &= !ne;
            }
        if (!diff)
            diag("%s: wire %u of lane %u changed no constraint", label, j, lane);
        changed &= diff;
    }
    ok(only_lane, "%s: a wire perturbed in one lane changes no other lane", label);
    ok(changed, "%s: perturbing any used wire of a lane changes one of its constraints", label);
    ok(still_same, "%s: perturbed rows still agree with eval_base", label);
}

static bool init_gate(por_gate *g, const por_gate_vtable *vt, uint32_t a, uint32_t b, uint32_t c, uint32_t d,
                      unsigned routed)
{
    uint32_t params[POR_GATE_MAX_PARAMS] = {a, b, c, d};
    const char *why = por_gate_init(g, vt, params, NW, routed, NK);
    if (why)
        diag("%s(%u, %u, %u, %u): %s", vt->name, a, b, c, d, why);
    return why == NULL;
}

/* The gates to test: shapes chosen by hand, then those of batch circuits. */
#define MAX_GATES 32
static por_gate gates[MAX_GATES];
static unsigned n_gates;

static void add_gate(const por_gate *g)
{
    for (unsigned i = 0; i < n_gates; i++)
        if (por_gate_equal(&gates[i], g))
            return;
    if (n_gates < MAX_GATES)
        gates[n_gates++] = *g;
}

static void hand_shapes(void)
{
    /* balance: B, G, Q (as many as fit, from the given one down), P */
    static const uint32_t bal[][4] = {
        {62, 22, 4, 3},  /* the batch's at k >= 7: short top, lo of 3 sublimbs */
        {62, 8, 2, 8},   /* small batches: T = 4, 16 sublimbs, 8 limbs */
        {62, 12, 3, 6},  /* T = 6 */
        {63, 40, 2, 2},  /* T = 20: widest table */
        {33, 22, 4, 3},  /* top sublimb not short */
        {20, 22, 4, 3},  /* every sublimb in lo: hi = 0 */
        {1, 2, 2, 1},    /* a 1-bit balance */
        {40, 4, 1, 4},   /* T = 2: 20 sublimbs, 10 limbs */
        {20, 40, 1, 32}, /* one limb, 32 price limbs: 32 columns */
    };
    for (size_t i = 0; i < sizeof(bal) / sizeof(bal[0]); i++) {
        por_gate g;
        bool done = false;
        for (uint32_t Q = bal[i][2]; Q >= 1 && !done; Q--) {
            uint32_t params[POR_GATE_MAX_PARAMS] = {bal[i][0], bal[i][1], Q, bal[i][3]};
            done = por_gate_init(&g, &por_gate_balance_vt, params, NW, NW, NK) == NULL;
        }
        ok(done, "balance(%u, %u, *, %u) fits the row", bal[i][0], bal[i][1], bal[i][3]);
        if (done)
            add_gate(&g);
    }
    /* range lookup: B, T, F, values (0: as many as fit), routed */
    static const uint32_t rl[][5] = {
        {37, 11, 66, 0, 66}, /* the batch's at A = 53 */
        {32, 11, 66, 0, 66}, /* rw = 32: short top */
        {33, 11, 66, 0, 66}, /* no short top */
        {20, 8, 48, 0, 48},  {63, 20, 48, 0, 48}, {63, 1, 2, 0, 2}, {1, 1, 10, 0, 10}, {32, 4, 40, 3, 40},
    };
    for (size_t i = 0; i < sizeof(rl) / sizeof(rl[0]); i++) {
        por_gate g;
        bool fit = init_gate(&g, &por_gate_range_lookup_vt, rl[i][0], rl[i][1], rl[i][2], rl[i][3], rl[i][4]);
        ok(fit, "range-lookup(%u, %u, %u, %u) fits the row", rl[i][0], rl[i][1], rl[i][2], rl[i][3]);
        if (fit)
            add_gate(&g);
    }
}

/* The balance and range-lookup gate types of real batch circuits. */
static void batch_shapes(void)
{
    static const unsigned shapes[][3] = {{0, 2, 62}, {3, 5, 40}, {7, 53, 62}}; /* k, assets, bits */
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        const char *why = NULL;
        por_batch_circuit *bc = por_batch_circuit_build(shapes[i][0], shapes[i][1], shapes[i][2], false, NULL, &why);
        ok(bc != NULL, "batch circuit k = %u, A = %u, B = %u built%s%s", shapes[i][0], shapes[i][1], shapes[i][2],
           why ? ": " : "", why ? why : "");
        if (!bc)
            continue;
        unsigned found = 0;
        for (unsigned t = 0; t < bc->circuit->num_gate_types; t++) {
            const por_gate *g = &bc->circuit->gate_types[t];
            if (g->vt == &por_gate_balance_vt || g->vt == &por_gate_range_lookup_vt) {
                diag("batch k = %u: %s(%u, %u, %u, %u)", shapes[i][0], g->vt->name, g->params[0], g->params[1],
                     g->params[2], g->params[3]);
                if (g->num_wires <= NW)
                    add_gate(g), found++;
            }
        }
        ok(found == 2, "batch k = %u: one balance and one range-lookup gate type", shapes[i][0]);
        por_batch_circuit_free(bc);
    }
}

static void check_all(const char *path)
{
    for (unsigned i = 0; i < n_gates; i++) {
        const por_gate *g = &gates[i];
        char label[128];
        snprintf(label, sizeof(label), "%s %s(%u, %u, %u, %u)", path, g->vt->name, g->params[0], g->params[1],
                 g->params[2], g->params[3]);
        check_gate(g, label);
    }
}

/*
 * The simple gates' eval_base_x8 (noop, constant, public input, arithmetic,
 * the recursion's gates, the 2-bit-limb range check):
 * against eval_base lane by lane with the same constants and digest, at
 * strides 8 and 16; honest lanes (wire = constant, wire = digest word, out =
 * c0 x y + c1 z) give zeros, and one wire, constant or digest word changed
 * in one lane changes that lane only (the digest: every lane).
 */
static void simple_gate_case(const por_gate *g, size_t stride, bool honest, int perturb, const char *label)
{
    static gl_t w[NW * MAX_STRIDE], c[NK * MAX_STRIDE], out[2][NW * LANES];
    gl_t pi[4] = {rnd(), rnd(), rnd(), rnd()};
    /* edge values (zeros among them) only where no perturbation must show */
    for (size_t i = 0; i < NW * stride; i++)
        w[i] = !honest && test_rand_u64(&seed) & 1 ? edge() : rnd();
    for (size_t i = 0; i < NK * stride; i++)
        c[i] = rnd();
    if (honest)
        for (unsigned p = 0; p < LANES; p++) {
            if (g->vt == &por_gate_constant_vt)
                for (unsigned i = 0; i < g->params[0]; i++)
                    w[i * stride + p] = c[i * stride + p];
            if (g->vt == &por_gate_public_input_vt)
                for (unsigned i = 0; i < 4; i++)
                    w[i * stride + p] = pi[i];
            if (g->vt == &por_gate_arithmetic_vt)
                for (unsigned i = 0; i < g->params[0]; i++) {
                    gl_t *v = w + 4 * i * stride + p;
                    v[3 * stride] = gl_add(gl_mul(gl_mul(c[p], v[0]), v[stride]), gl_mul(c[stride + p], v[2 * stride]));
                }
            if (g->vt == &por_gate_poseidon_mds_vt || g->vt == &por_gate_arithmetic_ext_vt ||
                g->vt == &por_gate_reducing_vt || g->vt == &por_gate_sbox_ext_vt ||
                g->vt == &por_gate_poseidon_swap_vt || g->vt == &por_gate_random_access_vt ||
                g->vt == &por_gate_range_vt) {
                gl_t row[NW], cr[NK] = {c[p], c[stride + p]};
                for (unsigned j = 0; j < NW; j++)
                    row[j] = w[j * stride + p];
                if (g->vt == &por_gate_range_vt) /* values in range: the limbs recompose them */
                    for (unsigned v = 0; v < g->params[1]; v++)
                        row[v] = row[v] >> (64 - g->params[0]);
                if (g->vt == &por_gate_poseidon_swap_vt)
                    row[por_poseidon_swap_bit()] = p & 1;
                for (unsigned k = 0; k < g->vt->num_generators(g); k++)
                    g->vt->generate(g, k, cr, row);
                for (unsigned j = 0; j < NW; j++)
                    w[j * stride + p] = row[j];
            }
        }
    g->vt->eval_base_x8(g, w, c, stride, pi, out[0]);
    bool same = true, zero = true;
    for (unsigned p = 0; p < LANES; p++) {
        gl_t row[NW], cr[NK] = {c[p], c[stride + p]}, ref[NW];
        for (unsigned j = 0; j < NW; j++)
            row[j] = w[j * stride + p];
        g->vt->eval_base(g, row, cr, pi, ref);
        for (unsigned k = 0; k < g->num_constraints; k++) {
            same &= out[0][k * LANES + p] == ref[k];
            zero &= out[0][k * LANES + p] == 0;
        }
    }
    ok(same, "%s (stride %zu%s): every constraint of every lane equals eval_base", label, stride,
       honest ? ", honest" : "");
    if (honest && g->num_constraints)
        ok(zero, "%s (stride %zu): honest lanes give zeros", label, stride);
    if (!honest || !g->num_constraints)
        return;
    /* perturb: 0 a wire, 1 a constant, 2 the digest */
    unsigned lane = (unsigned)(test_rand_u64(&seed) % LANES);
    if (perturb == 0)
        w[lane] = gl_add(w[lane], 1);
    else if (perturb == 1)
        c[lane] = gl_add(c[lane], 1);
    else
        pi[0] = gl_add(pi[0], 1);
    g->vt->eval_base_x8(g, w, c, stride, pi, out[1]);
    bool only = true, changed = false;
    for (unsigned k = 0; k < g->num_constraints; k++)
        for (unsigned p = 0; p < LANES; p++) {
            bool ne = out[0][k * LANES + p] != out[1][k * LANES + p];
            if (p == lane || perturb == 2)
                changed |= ne;
            else
                only &= !ne;
        }
    static const char *what[] = {"a wire", "a constant", "the digest"};
    ok(changed && only, "%s (stride %zu): %s changed in lane %u changes %s", label, stride, what[perturb], lane,
       perturb == 2 ? "the lanes" : "that lane only");
}

static void simple_gates(void)
{
    static const struct {
        const por_gate_vtable *vt;
        uint32_t param;
        unsigned routed;
        int perturb;
    } cases[] = {
        {&por_gate_noop_vt, 0, 66, 0},       {&por_gate_constant_vt, 0, 66, 1}, {&por_gate_constant_vt, 1, 66, 0},
        {&por_gate_public_input_vt, 0, 66, 2}, {&por_gate_public_input_vt, 0, 4, 0},
        {&por_gate_arithmetic_vt, 0, 66, 0}, {&por_gate_arithmetic_vt, 0, 48, 1}, {&por_gate_arithmetic_vt, 1, 4, 1},
        {&por_gate_poseidon_mds_vt, 0, 48, 0}, {&por_gate_arithmetic_ext_vt, 0, 48, 1},
        {&por_gate_arithmetic_ext_vt, 0, 66, 0}, {&por_gate_reducing_vt, 0, 48, 0}, {&por_gate_reducing_vt, 3, 24, 0},
        {&por_gate_sbox_ext_vt, 0, 48, 0}, {&por_gate_poseidon_swap_vt, 0, 13, 0},
        {&por_gate_random_access_vt, 0, 96, 0}, {&por_gate_random_access_vt, 2, 48, 0},
        {&por_gate_range_vt, 63, 96, 0},     {&por_gate_range_vt, 61, 96, 0}, {&por_gate_range_vt, 48, 96, 0},
        {&por_gate_range_vt, 14, 96, 0},     {&por_gate_range_vt, 1, 48, 0},  {&por_gate_range_vt, 2, 13, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        por_gate g;
        uint32_t params[POR_GATE_MAX_PARAMS] = {cases[i].param};
        const char *why = por_gate_init(&g, cases[i].vt, params, NW, cases[i].routed, NK);
        ok(why == NULL && g.vt->eval_base_x8 != NULL, "%s(%u) on %u routed wires: initialized, has eval_base_x8",
           cases[i].vt->name, cases[i].param, cases[i].routed);
        if (why)
            continue;
        char label[64];
        snprintf(label, sizeof(label), "%s(%u, %u constraints)", g.vt->name, g.params[0], g.num_constraints);
        for (size_t stride = LANES; stride <= MAX_STRIDE; stride += LANES) {
            simple_gate_case(&g, stride, false, 0, label);
            simple_gate_case(&g, stride, true, cases[i].perturb, label);
        }
    }
}

int main(void)
{
    simple_gates();
    ok(por_gate_balance_vt.eval_base_x8 != NULL && por_gate_range_lookup_vt.eval_base_x8 != NULL,
       "both gates have eval_base_x8");
    hand_shapes();
    batch_shapes();
    unsetenv("POR_NO_SIMD");
    if (gl_x8_use_avx512())
        check_all("avx512");
    else
        diag("no AVX-512 on this CPU: only the portable path is tested");
    setenv("POR_NO_SIMD", "1", 1);
    ok(!gl_x8_use_avx512(), "POR_NO_SIMD selects the portable path");
    check_all("portable");
    unsetenv("POR_NO_SIMD");
    return done_testing();
}
