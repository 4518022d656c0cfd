/*
 * The balance gate (gates.h has the layout): per asset of an account, its
 * equity and its debt, each with its sublimbs in looked-up wires (the range
 * check, by the lookup argument of plonk.h), its two running batch totals,
 * and the pair's signed, price-weighted limb products added to the
 * account's solvency columns.
 *
 * Why pairs: an asset's equity and debt share the asset's price limbs, and
 * the debt's multiplier is the constant -100, so a pair routes 11 + P wires
 * instead of 2 (6 + P); with 7 looked-up cells per 62-bit balance, 4 pairs
 * (8 balances) fill a 130-wire row.  Every derived quantity (the G-bit limbs
 * v_i, lo and hi for the totals) is a linear form in the sublimbs.
 *
 * The gate proves only the row's identities; what makes them integer
 * statements (no wraparound) is in batch.c: v < 2^B and v_i < 2^G from the
 * looked-up sublimbs, h in [0, 100] and P_j < 2^G from the wiring, and
 * bounded column sums.
 */
#include <string.h>

#include "field/field_x8.h"
#include "plonk/circuit_ext.h"
#include "plonk/gates.h"

#define MAX_SUBLIMBS 63
#define MAX_LIMBS 32
#define MAX_PRICE_LIMBS 32
#define MAX_COLS (MAX_LIMBS + MAX_PRICE_LIMBS)
#define MAX_TABLE_BITS 20

typedef struct {
    unsigned B, G, Q, P, T, nb, K, ns, cells, lo;
    bool short_top;
    gl_t top_scale; /* 2^(T - r) */
} shape;

static shape shape_of(const por_gate *g)
{
    shape h = {g->params[0], g->params[1], g->params[2], g->params[3], por_balance_table_bits(g),
               por_balance_limbs(g), por_balance_columns(g), por_balance_sublimbs(g), por_balance_cells(g),
               por_balance_lo_sublimbs(g), false, 1};
    h.short_top = h.cells > h.ns;
    if (h.short_top)
        h.top_scale = (gl_t)1 << (h.T - por_balance_top_bits(g));
    return h;
}

static const char *balance_init(por_gate *g, unsigned w, unsigned r, unsigned k)
{
    (void)k;
    unsigned B = g->params[0], G = g->params[1], Q = g->params[2], P = g->params[3];
    if (B < 1 || B > 63)
        return "balance gate: bits must be 1..63";
    if (G < 2 || G > 2 * MAX_TABLE_BITS || G % 2)
        return "balance gate: limb bits must be even, 2..40";
    if (Q < 1 || Q > w || P < 1 || P > MAX_PRICE_LIMBS)
        return "balance gate: pairs and price limbs out of range";
    shape h = shape_of(g);
    unsigned routed = por_balance_routed(g), wires = routed + 2 * Q * h.cells;
    if (routed > r || wires > w)
        return "balance gate: the pairs do not fit the row";
    g->num_wires = wires; /* the lookup also checks the unused columns after them (zero) */
    g->num_constraints = 2 * Q * (3 + h.short_top) + h.K;
    g->degree = 3;
    g->lookup_bits = h.T;
    g->lookup_first_wire = routed;
    return NULL;
}

/* ---------------------------------------------------------------------------
 * Evaluation, at every LDE point of the quotient.
 */

/* sum_{j in [from, to)} 2^(T (j - from)) s_j */
static inline gl_t form(const gl_t *s, unsigned from, unsigned to, gl_t base)
{
    gl_t x = 0;
    for (unsigned j = to; j-- > from;)
        x = gl_add(gl_mul(x, base), s[j]);
    return x;
}

/* The G-bit limbs of a balance from its sublimbs (two per limb). */
static inline void limbs_base(const shape *h, const gl_t *s, gl_t base, gl_t *limb)
{
    for (unsigned i = 0; i < h->nb; i++)
        limb[i] = 2 * i + 1 < h->ns ? gl_add(s[2 * i], gl_mul(s[2 * i + 1], base)) : s[2 * i];
}

static void balance_eval_base(const por_gate *g, const gl_t *w, const gl_t *c, const gl_t *pi, gl_t *o)
{
    (void)c, (void)pi;
    const shape h = shape_of(g);
    const gl_t base = (gl_t)1 << h.T, minus_hundred = GL_P - 100;
    gl_acc acc[MAX_COLS];
    memset(acc, 0, h.K * sizeof(acc[0]));
    for (unsigned q = 0; q < h.Q; q++) {
        gl_t coef[MAX_LIMBS];
        for (unsigned e = 0; e < 2; e++) {
            const gl_t *s = w + por_balance_cell(g, q, e, 0);
            gl_t lo = form(s, 0, h.lo, base), hi = form(s, h.lo, h.ns, base);
            gl_t scale = h.lo < h.ns ? (gl_t)1 << (h.T * h.lo) : 0;
            *o++ = gl_sub(w[por_balance_v(g, q, e)], gl_add(lo, gl_mul(hi, scale)));
            if (h.short_top)
                *o++ = gl_sub(s[h.ns], gl_mul(s[h.ns - 1], h.top_scale));
            *o++ = gl_sub(gl_sub(w[por_balance_total(g, q, e, 1)], w[por_balance_total(g, q, e, 0)]), lo);
            *o++ = gl_sub(gl_sub(w[por_balance_total(g, q, e, 3)], w[por_balance_total(g, q, e, 2)]), hi);
            gl_t limb[MAX_LIMBS];
            limbs_base(&h, s, base, limb);
            gl_t m = e ? minus_hundred : w[por_balance_haircut(g, q)];
            for (unsigned i = 0; i < h.nb; i++)
                coef[i] = e ? gl_add(coef[i], gl_mul(m, limb[i])) : gl_mul(m, limb[i]);
        }
        for (unsigned j = 0; j < h.P; j++) {
            gl_t p = w[por_balance_price(g, q, j)];
            for (unsigned i = 0; i < h.nb; i++)
                gl_acc_mul_add(&acc[i + j], coef[i], p);
        }
    }
    for (unsigned k = 0; k < h.K; k++)
        *o++ = gl_sub(gl_sub(w[por_balance_col_out(g, k)], w[por_balance_col_in(g, k)]), gl_acc_reduce(&acc[k]));
}

/*
 * Eight points at once (eval_base_x8), for the quotient: balance_eval_base's
 * constraints, one point per vector lane.  The recompositions have
 * power-of-two coefficients, so each is a 128-bit sum of shifted words with
 * one reduction; the column products are reduced below 2^64 only and summed
 * in 128 bits per column.  The values are those of balance_eval_base (the
 * same field elements, canonical), whatever the order of operations.
 */
#if GL_X8_HAVE_AVX512

GL_X8_TARGET static void balance_eval_x8_avx512(const por_gate *g, const gl_t *w, const gl_t *c, size_t stride, gl_t *o)
{
    (void)c;
    const shape h = shape_of(g);
    const unsigned top_shift = h.short_top ? h.T - por_balance_top_bits(g) : 0;
    const __m512i zero = _mm512_setzero_si512();
#define WIRE(j) glv8_load(w + (size_t)(j) * stride)
#define EMIT(v) (glv8_store(o, (v)), o += POR_GATE_LANES)
    __m512i alo[MAX_COLS], ahi[MAX_COLS]; /* the columns' sums, 128-bit */
    for (unsigned k = 0; k < h.K; k++)
        alo[k] = ahi[k] = zero;
    for (unsigned q = 0; q < h.Q; q++) {
        __m512i coef[MAX_LIMBS], s[MAX_SUBLIMBS + 1];
        for (unsigned e = 0; e < 2; e++) {
            const unsigned c0 = por_balance_cell(g, q, e, 0);
            /* the recompositions' terms grow geometrically and the last
             * shift stays below 63 (T (count - 1) < B): sums below 2^128 */
            const gl_t *cells = w + (size_t)c0 * stride;
            for (unsigned j = 0; j < h.cells; j++)
                s[j] = WIRE(c0 + j);
            __m512i lo = glv8_recompose(cells, stride, h.lo, h.T), hi = zero, rec = lo;
            if (h.lo < h.ns) {
                hi = glv8_recompose(cells + (size_t)h.lo * stride, stride, h.ns - h.lo, h.T);
                rec = glv8_add(lo, glv8_mul_pow2(hi, h.T * h.lo));
            }
            EMIT(glv8_sub(WIRE(por_balance_v(g, q, e)), rec));
            if (h.short_top)
                EMIT(glv8_sub(s[h.ns], glv8_mul_pow2(s[h.ns - 1], top_shift)));
            EMIT(glv8_sub(glv8_sub(WIRE(por_balance_total(g, q, e, 1)), WIRE(por_balance_total(g, q, e, 0))), lo));
            EMIT(glv8_sub(glv8_sub(WIRE(por_balance_total(g, q, e, 3)), WIRE(por_balance_total(g, q, e, 2))), hi));
            const __m512i hc = WIRE(por_balance_haircut(g, q));
            for (unsigned i = 0; i < h.nb; i++) {
                __m512i limb = 2 * i + 1 < h.ns ? glv8_recompose(cells + (size_t)(2 * i) * stride, stride, 2, h.T) : s[2 * i];
                /* equity times the haircut, minus 100 times the debt */
                coef[i] = e ? glv8_sub(coef[i], glv8_mul_small(limb, 100)) : glv8_mul(hc, limb);
            }
        }
        __m512i coefh[MAX_LIMBS];
        for (unsigned i = 0; i < h.nb; i++)
            coefh[i] = glv8_hi(coef[i]);
        for (unsigned j = 0; j < h.P; j++) {
            const __m512i pj = WIRE(por_balance_price(g, q, j)), pjh = glv8_hi(pj);
            for (unsigned i = 0; i < h.nb; i++)
                glv8_acc128(&alo[i + j], &ahi[i + j], glv8_mul_hh_nc(coef[i], coefh[i], pj, pjh));
        }
    }
    for (unsigned k = 0; k < h.K; k++)
        EMIT(glv8_sub(glv8_sub(WIRE(por_balance_col_out(g, k)), WIRE(por_balance_col_in(g, k))),
                      glv8_reduce128(alo[k], ahi[k])));
#undef WIRE
#undef EMIT
}
#endif

POR_GATE_EVAL_BASE_X8(balance_eval_base_x8, balance_eval_x8_avx512)

static inline gl2_t form_ext(const gl2_t *s, unsigned from, unsigned to, gl_t base)
{
    gl2_t x = {0, 0};
    for (unsigned j = to; j-- > from;)
        x = gl2_add(gl2_mul_base(x, base), s[j]);
    return x;
}

static void balance_eval_ext(const por_gate *g, const gl2_t *w, const gl2_t *c, const gl2_t *pi,
                             gl2_t *o)
{
    (void)c, (void)pi;
    const shape h = shape_of(g);
    const gl_t base = (gl_t)1 << h.T;
    gl2_t acc[MAX_COLS];
    for (unsigned k = 0; k < h.K; k++)
        acc[k] = (gl2_t){0, 0};
    for (unsigned q = 0; q < h.Q; q++) {
        gl2_t coef[MAX_LIMBS];
        for (unsigned e = 0; e < 2; e++) {
            const gl2_t *s = w + por_balance_cell(g, q, e, 0);
            gl2_t lo = form_ext(s, 0, h.lo, base), hi = form_ext(s, h.lo, h.ns, base);
            gl_t scale = h.lo < h.ns ? (gl_t)1 << (h.T * h.lo) : 0;
            *o++ = gl2_sub(w[por_balance_v(g, q, e)], gl2_add(lo, gl2_mul_base(hi, scale)));
            if (h.short_top)
                *o++ = gl2_sub(s[h.ns], gl2_mul_base(s[h.ns - 1], h.top_scale));
            *o++ = gl2_sub(gl2_sub(w[por_balance_total(g, q, e, 1)], w[por_balance_total(g, q, e, 0)]), lo);
            *o++ = gl2_sub(gl2_sub(w[por_balance_total(g, q, e, 3)], w[por_balance_total(g, q, e, 2)]), hi);
            for (unsigned i = 0; i < h.nb; i++) {
                gl2_t limb = 2 * i + 1 < h.ns ? gl2_add(s[2 * i], gl2_mul_base(s[2 * i + 1], base)) : s[2 * i];
                gl2_t term = e ? gl2_mul_base(limb, GL_P - 100) : gl2_mul(w[por_balance_haircut(g, q)], limb);
                coef[i] = e ? gl2_add(coef[i], term) : term;
            }
        }
        for (unsigned j = 0; j < h.P; j++)
            for (unsigned i = 0; i < h.nb; i++)
                acc[i + j] = gl2_add(acc[i + j], gl2_mul(coef[i], w[por_balance_price(g, q, j)]));
    }
    for (unsigned k = 0; k < h.K; k++)
        *o++ = gl2_sub(gl2_sub(w[por_balance_col_out(g, k)], w[por_balance_col_in(g, k)]), acc[k]);
}

/* form_ext in-circuit (from must be below to): 2 operations per term after the top one */
static por_ext_target form_circuit(por_builder *b, const por_ext_target *s, unsigned from, unsigned to, gl_t base)
{
    por_ext_target x = s[to - 1];
    for (unsigned j = to - 1; j-- > from;)
        x = por_ext_scalar_mul_add(b, base, x, s[j]);
    return x;
}

/*
 * balance_eval_ext in-circuit.  Per balance: the recomposition, the top
 * copy and the totals (about 2 ns + 12 operations), its G-bit limbs (2
 * each) and its part of the multiplier products (4 per limb for the equity's
 * haircut, 2 for the debt's -100); per pair the price products (4 per limb
 * and price limb); per column 4.
 */
static void balance_eval_circuit(const por_gate *g, por_builder *b, const por_ext_target *w,
                                 const por_ext_target *c, const por_ext_target *pi, por_ext_target *o)
{
    (void)c, (void)pi;
    const shape h = shape_of(g);
    const gl_t base = (gl_t)1 << h.T;
    por_ext_target acc[MAX_COLS];
    bool started[MAX_COLS] = {false};
    for (unsigned q = 0; q < h.Q; q++) {
        por_ext_target coef[MAX_LIMBS];
        for (unsigned e = 0; e < 2; e++) {
            const por_ext_target *s = w + por_balance_cell(g, q, e, 0);
            por_ext_target lo = form_circuit(b, s, 0, h.lo, base), rec = lo, hi = por_ext_zero(b);
            if (h.lo < h.ns) {
                hi = form_circuit(b, s, h.lo, h.ns, base);
                rec = por_ext_scalar_mul_add(b, (gl_t)1 << (h.T * h.lo), hi, lo);
            }
            *o++ = por_ext_sub(b, w[por_balance_v(g, q, e)], rec);
            if (h.short_top)
                *o++ = por_ext_scalar_mul_add(b, gl_neg(h.top_scale), s[h.ns - 1], s[h.ns]);
            *o++ = por_ext_sub(b, por_ext_sub(b, w[por_balance_total(g, q, e, 1)], w[por_balance_total(g, q, e, 0)]),
                               lo);
            *o++ = por_ext_sub(b, por_ext_sub(b, w[por_balance_total(g, q, e, 3)], w[por_balance_total(g, q, e, 2)]),
                               hi);
            for (unsigned i = 0; i < h.nb; i++) {
                por_ext_target limb =
                    2 * i + 1 < h.ns ? por_ext_scalar_mul_add(b, base, s[2 * i + 1], s[2 * i]) : s[2 * i];
                coef[i] = e ? por_ext_scalar_mul_add(b, GL_P - 100, limb, coef[i])
                            : por_ext_mul(b, w[por_balance_haircut(g, q)], limb);
            }
        }
        for (unsigned j = 0; j < h.P; j++)
            for (unsigned i = 0; i < h.nb; i++) {
                por_ext_target p = w[por_balance_price(g, q, j)];
                acc[i + j] = started[i + j] ? por_ext_mul_add(b, coef[i], p, acc[i + j]) : por_ext_mul(b, coef[i], p);
                started[i + j] = true;
            }
    }
    for (unsigned k = 0; k < h.K; k++) {
        por_ext_target d = por_ext_sub(b, w[por_balance_col_out(g, k)], w[por_balance_col_in(g, k)]);
        *o++ = started[k] ? por_ext_sub(b, d, acc[k]) : d;
    }
}

/* ---------------------------------------------------------------------------
 * Witness generation: generator b < 2Q fills balance b's (pair b / 2, e =
 * b % 2) sublimbs, top copy and totals out from v and the totals in;
 * generator 2Q the columns out, from the sublimbs (so the columns agree with
 * the constraint even when v is out of range and only the recomposition
 * fails).
 */

static unsigned balance_num_generators(const por_gate *g) { return 2 * g->params[2] + 1; }

static void balance_io(const por_gate *g, unsigned k, por_gate_io *io)
{
    const shape h = shape_of(g);
    io->n_in = io->n_out = 0;
    if (k < 2 * h.Q) {
        unsigned q = k / 2, e = k % 2;
        io->in[io->n_in++] = (uint16_t)por_balance_v(g, q, e);
        io->in[io->n_in++] = (uint16_t)por_balance_total(g, q, e, 0);
        io->in[io->n_in++] = (uint16_t)por_balance_total(g, q, e, 2);
        for (unsigned j = 0; j < h.cells; j++)
            io->out[io->n_out++] = (uint16_t)por_balance_cell(g, q, e, j);
        io->out[io->n_out++] = (uint16_t)por_balance_total(g, q, e, 1);
        io->out[io->n_out++] = (uint16_t)por_balance_total(g, q, e, 3);
        return;
    }
    for (unsigned c = 0; c < h.K; c++) {
        io->in[io->n_in++] = (uint16_t)por_balance_col_in(g, c);
        io->out[io->n_out++] = (uint16_t)por_balance_col_out(g, c);
    }
    for (unsigned q = 0; q < h.Q; q++) {
        io->in[io->n_in++] = (uint16_t)por_balance_haircut(g, q);
        for (unsigned j = 0; j < h.P; j++)
            io->in[io->n_in++] = (uint16_t)por_balance_price(g, q, j);
        for (unsigned e = 0; e < 2; e++)
            for (unsigned j = 0; j < h.ns; j++)
                io->in[io->n_in++] = (uint16_t)por_balance_cell(g, q, e, j);
    }
}

/* Sublimbs of the low T ns bits of v: an out-of-range v gets sublimbs that
 * do not recompose to it, so its row fails and the prover refuses. */
static void balance_generate(const por_gate *g, unsigned k, const gl_t *c, gl_t *w)
{
    (void)c;
    const shape h = shape_of(g);
    const gl_t base = (gl_t)1 << h.T, mask = base - 1;
    if (k < 2 * h.Q) {
        unsigned q = k / 2, e = k % 2;
        uint64_t v = w[por_balance_v(g, q, e)];
        gl_t *s = w + por_balance_cell(g, q, e, 0);
        for (unsigned j = 0; j < h.ns; j++)
            s[j] = (v >> (h.T * j)) & mask;
        if (h.short_top)
            s[h.ns] = gl_mul(s[h.ns - 1], h.top_scale);
        w[por_balance_total(g, q, e, 1)] = gl_add(w[por_balance_total(g, q, e, 0)], form(s, 0, h.lo, base));
        w[por_balance_total(g, q, e, 3)] = gl_add(w[por_balance_total(g, q, e, 2)], form(s, h.lo, h.ns, base));
        return;
    }
    gl_acc acc[MAX_COLS];
    memset(acc, 0, h.K * sizeof(acc[0]));
    for (unsigned q = 0; q < h.Q; q++) {
        gl_t coef[MAX_LIMBS];
        for (unsigned e = 0; e < 2; e++) {
            gl_t limb[MAX_LIMBS];
            limbs_base(&h, w + por_balance_cell(g, q, e, 0), base, limb);
            gl_t m = e ? GL_P - 100 : w[por_balance_haircut(g, q)];
            for (unsigned i = 0; i < h.nb; i++)
                coef[i] = e ? gl_add(coef[i], gl_mul(m, limb[i])) : gl_mul(m, limb[i]);
        }
        for (unsigned j = 0; j < h.P; j++)
            for (unsigned i = 0; i < h.nb; i++)
                gl_acc_mul_add(&acc[i + j], coef[i], w[por_balance_price(g, q, j)]);
    }
    for (unsigned col = 0; col < h.K; col++)
        w[por_balance_col_out(g, col)] = gl_add(w[por_balance_col_in(g, col)], gl_acc_reduce(&acc[col]));
}

const por_gate_vtable por_gate_balance_vt = {
    .kind = POR_GATE_BALANCE, .name = "balance", .init = balance_init,
    .eval_base = balance_eval_base, .eval_base_x8 = balance_eval_base_x8, .eval_ext = balance_eval_ext,
    .eval_circuit = balance_eval_circuit,
    .num_generators = balance_num_generators, .generator_io = balance_io,
    .generate = balance_generate,
};
