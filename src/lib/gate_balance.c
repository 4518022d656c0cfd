/*
 * The balance gate (gates.h has the layout): per slot, one balance's 2-bit
 * limbs (its range check), its two running batch totals, and its signed,
 * price-weighted limb products added to the account's solvency columns.
 *
 * Why one gate: done with range rows and 12-operation arithmetic rows, a
 * balance needed a split into two limbs, a recomposition, two sums, a signed
 * limb and ~8 products and accumulations, each an operation with its own
 * routed wires.  Here every derived quantity (the limbs v_i on the column
 * grid, lo and hi for the totals) is a linear form in the 2-bit limbs that
 * the range check needs anyway, so a slot costs its range check's wires plus
 * 6 + P routed wires, and three 62-bit balances fit a 130-wire row.
 *
 * The gate proves only the row's identities; what makes them integer
 * statements (no wraparound) is in batch.c: v < 2^B and v_i < 2^G from the
 * limbs, m in [-100, 100] and P_j < 2^G from the wiring, and bounded column
 * sums.
 */
#include <string.h>

#include "gates.h"

#define MAX_LIMBS 32 /* nb = ceil(B / G) <= ceil(63 / 2) */
#define MAX_PRICE_LIMBS 32
#define MAX_COLS (MAX_LIMBS + MAX_PRICE_LIMBS)

typedef struct {
    unsigned B, G, S, P, nb, K, q;
} shape;

static shape shape_of(const por_gate *g)
{
    shape h = {g->params[0], g->params[1], g->params[2], g->params[3], por_balance_limbs(g),
               por_balance_columns(g), por_balance_sublimbs(g)};
    return h;
}

static const char *balance_init(por_gate *g, unsigned w, unsigned r, unsigned k)
{
    (void)k;
    unsigned B = g->params[0], G = g->params[1], S = g->params[2], P = g->params[3];
    if (B < 1 || B > 63)
        return "balance gate: bits must be 1..63";
    if (G < 2 || G > 62 || G % 2)
        return "balance gate: limb bits must be even, 2..62";
    if (S < 1 || S > w || P < 1 || P > MAX_PRICE_LIMBS)
        return "balance gate: slots and price limbs out of range";
    shape h = shape_of(g);
    unsigned routed = por_balance_routed(g), wires = routed + S * h.q;
    if (routed > r || wires > w)
        return "balance gate: the slots do not fit the row";
    g->num_wires = wires;
    g->num_constants = 0;
    g->num_constraints = S * (h.q + 3) + h.K;
    g->degree = B >= 2 ? 4 : 3;
    return NULL;
}

/* ---------------------------------------------------------------------------
 * Evaluation.  Linear forms by Horner in base 4 (x -> 4x + l: three additions).
 */

/* sum_{j in [from, to)} 4^(j - from) l_j */
static inline gl_t form(const gl_t *l, unsigned from, unsigned to)
{
    gl_t x = 0;
    for (unsigned j = to; j-- > from;)
        x = por_times4_add(x, l[j]);
    return x;
}

static void balance_eval_base(const por_gate *g, const gl_t *w, const gl_t *c, const gl_t *pi, gl_t *o)
{
    (void)c, (void)pi;
    const shape h = shape_of(g);
    const unsigned half = h.G / 2, qlo = h.q < 16 ? h.q : 16;
    gl_acc acc[MAX_COLS];
    memset(acc, 0, h.K * sizeof(acc[0]));
    for (unsigned s = 0; s < h.S; s++) {
        const gl_t *l = w + por_balance_sublimb(g, s, 0);
        gl_t lo = form(l, 0, qlo), hi = form(l, qlo, h.q);
        *o++ = gl_sub(w[por_balance_v(g, s)], gl_add(lo, gl_mul(hi, 1ULL << 32)));
        for (unsigned j = 0; j < h.q; j++)
            *o++ = por_limb_poly(l[j], (h.B & 1) && j + 1 == h.q);
        *o++ = gl_sub(gl_sub(w[por_balance_total(g, s, 1)], w[por_balance_total(g, s, 0)]), lo);
        *o++ = gl_sub(gl_sub(w[por_balance_total(g, s, 3)], w[por_balance_total(g, s, 2)]), hi);
        gl_t limb[MAX_LIMBS];
        for (unsigned i = 0; i < h.nb; i++)
            limb[i] = form(l, i * half, (i + 1) * half < h.q ? (i + 1) * half : h.q);
        gl_t m = w[por_balance_m(g, s)];
        for (unsigned j = 0; j < h.P; j++) {
            gl_t mp = gl_mul(m, w[por_balance_price(g, s, j)]);
            for (unsigned i = 0; i < h.nb; i++)
                gl_acc_mul_add(&acc[i + j], limb[i], mp);
        }
    }
    for (unsigned k = 0; k < h.K; k++)
        *o++ = gl_sub(gl_sub(w[por_balance_col_out(g, k)], w[por_balance_col_in(g, k)]),
                      gl_acc_reduce(&acc[k]));
}

static inline gl2_t form_ext(const gl2_t *l, unsigned from, unsigned to)
{
    gl2_t x = {0, 0};
    for (unsigned j = to; j-- > from;)
        x = por_times4_add_ext(x, l[j]);
    return x;
}

static void balance_eval_ext(const por_gate *g, const gl2_t *w, const gl2_t *c, const gl2_t *pi,
                             gl2_t *o)
{
    (void)c, (void)pi;
    const shape h = shape_of(g);
    const unsigned half = h.G / 2, qlo = h.q < 16 ? h.q : 16;
    gl2_t acc[MAX_COLS];
    for (unsigned k = 0; k < h.K; k++)
        acc[k] = (gl2_t){0, 0};
    for (unsigned s = 0; s < h.S; s++) {
        const gl2_t *l = w + por_balance_sublimb(g, s, 0);
        gl2_t lo = form_ext(l, 0, qlo), hi = form_ext(l, qlo, h.q);
        *o++ = gl2_sub(w[por_balance_v(g, s)], gl2_add(lo, gl2_mul_base(hi, 1ULL << 32)));
        for (unsigned j = 0; j < h.q; j++)
            *o++ = por_limb_poly_ext(l[j], (h.B & 1) && j + 1 == h.q);
        *o++ = gl2_sub(gl2_sub(w[por_balance_total(g, s, 1)], w[por_balance_total(g, s, 0)]), lo);
        *o++ = gl2_sub(gl2_sub(w[por_balance_total(g, s, 3)], w[por_balance_total(g, s, 2)]), hi);
        gl2_t limb[MAX_LIMBS];
        for (unsigned i = 0; i < h.nb; i++)
            limb[i] = form_ext(l, i * half, (i + 1) * half < h.q ? (i + 1) * half : h.q);
        gl2_t m = w[por_balance_m(g, s)];
        for (unsigned j = 0; j < h.P; j++) {
            gl2_t mp = gl2_mul(m, w[por_balance_price(g, s, j)]);
            for (unsigned i = 0; i < h.nb; i++)
                acc[i + j] = gl2_add(acc[i + j], gl2_mul(limb[i], mp));
        }
    }
    for (unsigned k = 0; k < h.K; k++)
        *o++ = gl2_sub(gl2_sub(w[por_balance_col_out(g, k)], w[por_balance_col_in(g, k)]), acc[k]);
}

/* ---------------------------------------------------------------------------
 * Witness generation: generator s < S fills slot s's limbs and totals out
 * from v and the totals in; generator S the columns out, from the limbs (so
 * the columns agree with the constraint even when v is out of range and only
 * the recomposition fails).
 */

static unsigned balance_num_generators(const por_gate *g) { return g->params[2] + 1; }

static void balance_io(const por_gate *g, unsigned k, por_gate_io *io)
{
    const shape h = shape_of(g);
    io->n_in = io->n_out = 0;
    if (k < h.S) {
        io->in[io->n_in++] = (uint16_t)por_balance_v(g, k);
        io->in[io->n_in++] = (uint16_t)por_balance_total(g, k, 0);
        io->in[io->n_in++] = (uint16_t)por_balance_total(g, k, 2);
        for (unsigned j = 0; j < h.q; j++)
            io->out[io->n_out++] = (uint16_t)por_balance_sublimb(g, k, j);
        io->out[io->n_out++] = (uint16_t)por_balance_total(g, k, 1);
        io->out[io->n_out++] = (uint16_t)por_balance_total(g, k, 3);
        return;
    }
    for (unsigned c = 0; c < h.K; c++) {
        io->in[io->n_in++] = (uint16_t)por_balance_col_in(g, c);
        io->out[io->n_out++] = (uint16_t)por_balance_col_out(g, c);
    }
    for (unsigned s = 0; s < h.S; s++) {
        io->in[io->n_in++] = (uint16_t)por_balance_m(g, s);
        for (unsigned j = 0; j < h.P; j++)
            io->in[io->n_in++] = (uint16_t)por_balance_price(g, s, j);
        for (unsigned j = 0; j < h.q; j++)
            io->in[io->n_in++] = (uint16_t)por_balance_sublimb(g, s, j);
    }
}

/* Limbs of the low 2q bits of v: an out-of-range v gets limbs that do not
 * recompose to it, so its row fails and the prover refuses. */
static void balance_generate(const por_gate *g, unsigned k, const gl_t *c, gl_t *w)
{
    (void)c;
    const shape h = shape_of(g);
    const unsigned half = h.G / 2, qlo = h.q < 16 ? h.q : 16;
    if (k < h.S) {
        uint64_t v = w[por_balance_v(g, k)];
        gl_t *l = w + por_balance_sublimb(g, k, 0);
        for (unsigned j = 0; j < h.q; j++)
            l[j] = (v >> (2 * j)) & 3;
        w[por_balance_total(g, k, 1)] = gl_add(w[por_balance_total(g, k, 0)], form(l, 0, qlo));
        w[por_balance_total(g, k, 3)] = gl_add(w[por_balance_total(g, k, 2)], form(l, qlo, h.q));
        return;
    }
    gl_acc acc[MAX_COLS];
    memset(acc, 0, h.K * sizeof(acc[0]));
    for (unsigned s = 0; s < h.S; s++) {
        const gl_t *l = w + por_balance_sublimb(g, s, 0);
        gl_t limb[MAX_LIMBS];
        for (unsigned i = 0; i < h.nb; i++)
            limb[i] = form(l, i * half, (i + 1) * half < h.q ? (i + 1) * half : h.q);
        for (unsigned j = 0; j < h.P; j++) {
            gl_t mp = gl_mul(w[por_balance_m(g, s)], w[por_balance_price(g, s, j)]);
            for (unsigned i = 0; i < h.nb; i++)
                gl_acc_mul_add(&acc[i + j], limb[i], mp);
        }
    }
    for (unsigned col = 0; col < h.K; col++)
        w[por_balance_col_out(g, col)] = gl_add(w[por_balance_col_in(g, col)], gl_acc_reduce(&acc[col]));
}

const por_gate_vtable por_gate_balance_vt = {
    .kind = POR_GATE_BALANCE, .name = "balance", .init = balance_init,
    .eval_base = balance_eval_base, .eval_ext = balance_eval_ext,
    .num_generators = balance_num_generators, .generator_io = balance_io,
    .generate = balance_generate,
};
