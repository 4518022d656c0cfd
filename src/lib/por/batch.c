/*
 * The batch circuit: leaves, range checks, per-account solvency, exact totals,
 * the batch subtree and the params digest, all in-circuit (batch.h).
 *
 * Layout.  Every asset of an account takes one pair of a balance gate
 * (gates.h, gate_balance.c), S pairs per row: the pair holds the equity e and
 * the debt d, their sublimbs in looked-up wires (the range check: the lookup
 * argument of plonk.h over the table [0, 2^(L/2))), adds v mod 2^lo_bits and
 * floor(v / 2^lo_bits) of each to the running batch totals of its asset, and
 * adds (h e_i - 100 d_i) P_j to the account's solvency columns.  An account's
 * A pairs fill ceil(A / S) rows whose column accumulators are chained;
 * unused pairs are wired to zero (v = 0 forces its sublimbs, hence its
 * products, to 0; h and P of such a pair are zero too).  For B = 62 and
 * L = 22 four pairs (8 balances, 7 looked-up cells each) take 122 of the 130
 * wires.  The circuit's routed wires are the gate's 66 routed ones, every
 * column after them is looked up on balance and range-check rows, and every
 * range check (carries, prices, totals, haircuts) is a range-lookup row.
 * Solvency without wraparound.  Write p for the field modulus (~2^64).  For one
 * account the statement is X = sum_a p_a (h_a e_a - 100 d_a) >= 0, whose terms
 * reach 2^132: far beyond the field.  The circuit computes X in limbs:
 *  - balances: v = sum_i v_i 2^(L i), limb v_i < 2^(w_i), w_i = min(L, B - L i),
 *    i < nb = ceil(B / L): linear forms in the balance's looked-up sublimbs
 *    of L/2 bits (the top one bounded by its looked-up scaled copy), which
 *    prove 0 <= v < 2^B (item 3) as integers (every sum stays below 2^63 < p);
 *  - prices: p_a = sum_j P_j 2^(L j), P_j < 2^L range-checked (the top limb
 *    to 63 - L (np - 1) bits), once per batch;
 *  - multipliers: h_a in [0, 100] range-checked, -100 a constant: |m| <= 100;
 *  - columns on the 2^L grid: X = sum_k T_k 2^(L k), k < K = nb + np - 1,
 *    T_k = sum_slots m sum_{i + j = k} v_i P_j.  As integers the equity part
 *    is in [0, A 100 C_k] and the debt part in [-A 100 C_k, 0], with
 *    C_k = sum_{i + j = k} (2^(w_i) - 1)(2^(w'_j) - 1), so
 *    |T_k| <= Tmax = A 100 max_k C_k; the field value of the column chain is
 *    T_k mod p (plus a constant, below);
 *  - carry chain: witnesses delta_k and offset carries c'_k = c_k + 2^(R-1),
 *    both range-checked to [0, 2^rw), constrained by
 *        delta_k = T_k + c_{k-1} - 2^L c_k      (c_{-1} = 0),
 *    and the last carry c_{K-1} in [0, 2^rw) (range-checked as is).  In
 *    terms of c', delta_k = (T_k + o_k) + c'_{k-1} - 2^L c'_k with the
 *    constants o_0 = 2^L 2^(R-1) (and no c'_{-1}), o_k = (2^L - 1) 2^(R-1):
 *    the column chain of an account starts at o_k instead of 0, so each
 *    column costs two operations.  Each such field equation is an integer
 *    equation: |c_k| < 2^rw, so its terms are bounded by
 *    Tmax + 2^(L+rw) + 2^(rw+1) < p (checked when the circuit is built), and
 *    a multiple of p it cannot be.  Summing the integer equations times
 *    2^(L k) telescopes to X = sum_k delta_k 2^(L k) + c_{K-1} 2^(L K) >= 0
 *    (only delta_k >= 0 and c_{K-1} >= 0 matter here).
 *    Honest carries fit: |c_k| <= (Tmax + |c_{k-1}|) / 2^L + 1, and R is the
 *    least width with M = 2^(R-1) - 1 >= (Tmax + M) / 2^L + 1; honest deltas
 *    are < 2^L <= 2^rw.
 * One range-check width.  Every range-check gate width is a gate type whose
 * constraints the prover evaluates on every row of the LDE, used or not, so
 * the circuit uses one: rw = max(R, 32).  A check to fewer bits b is two
 * rw-bit checks, t and t + 2^rw - 2^b (exact: 2^(rw+1) < p), and is only
 * used per batch (prices, totals); h in [0, 100] is h and 100 - h in
 * [0, 2^rw).
 * L (even: a limb is two table-width sublimbs) and S are chosen when the
 * circuit is built: the fewest rows per account (S as large as the row
 * allows), then the fewest columns, then the smallest Tmax, among the L <=
 * max_limb_bits(k) whose bound holds.  At B = 62 and k >= 7: L = 22
 * (np = nb = 3, K = 5), S = 4, and Tmax = A 100 2^45 (approx.), R = 37 at
 * A = 53, and the bound holds for any A <= POR_MAX_ASSETS.
 *
 * Totals.  Per asset, the balance gates sum the low parts (S_0 < 2^(lb+k),
 * lb = lo_bits >= 32, 33 for L = 22) and the high parts (S_1 < 2^(B-lb+k)) of
 * all 2^k balances, exact for k <= 20; then S_0 = lo + 2^32 c with lo < 2^32
 * and c < 2^(lb+k-32) range-checked (an integer equation, both sides
 * < 2^54), and hi = 2^(lb-32) S_1 + c: the total is lo + 2^32 hi, canonical
 * (lo < 2^32) and exact.
 */
#include "por/batch.h"

#include <stdlib.h>
#include <string.h>

#include "por/leaves.h"

/* ---------------------------------------------------------------------------
 * Generators
 */

/* Splits a value into limbs of the given widths, the top limb unmasked (so an
 * out-of-range value still recomposes and the top limb's range check fails). */
typedef struct {
    uint32_t n;
    uint32_t width[16];
} split_ctx;

static int split_gen(const void *ctx, const gl_t *in, gl_t *out)
{
    const split_ctx *s = ctx;
    uint64_t v = in[0];
    for (uint32_t i = 0; i < s->n; i++) {
        if (i + 1 == s->n) {
            out[i] = v;
        } else {
            out[i] = v & ((1ULL << s->width[i]) - 1);
            v >>= s->width[i];
        }
    }
    return 0;
}

/* The offset carry of a column: in = T_k + o_k + c'_{k-1}, read as a signed
 * integer, is 2^L c'_k + delta_k (top comment), so out = c'_k = floor(in / 2^L)
 * (reduced mod p: an out-of-range carry is left for the range check to refuse). */
typedef struct {
    uint32_t limb_bits;
} carry_ctx;

static int carry_gen(const void *ctx, const gl_t *in, gl_t *out)
{
    const carry_ctx *cc = ctx;
    __int128 t = in[0] > GL_P / 2 ? (__int128)in[0] - (__int128)GL_P : (__int128)in[0];
    __int128 d = (__int128)1 << cc->limb_bits;
    __int128 c = t >= 0 ? t / d : -((-t + d - 1) / d);
    __int128 m = c % (__int128)GL_P;
    if (m < 0)
        m += GL_P;
    out[0] = (gl_t)m;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Building
 */

typedef struct {
    por_builder *b;
    por_batch_circuit *bc;
    por_target one;
    unsigned rw; /* the one range-check width (top comment) */
} ctx_t;

static por_target virt(ctx_t *x) { return por_builder_add_virtual(x->b); }

static por_target op(ctx_t *x, size_t *counter, gl_t c0, gl_t c1, por_target a, por_target bb,
                     por_target c)
{
    (*counter)++;
    return por_builder_arithmetic(x->b, c0, c1, a, bb, c);
}

/* 0 <= t < 2^rw. */
static void range(ctx_t *x, por_target t)
{
    x->bc->stats.range_values++;
    por_builder_range_check(x->b, t, x->rw);
}

/* 0 <= t < 2^bits (bits <= rw) with rw-bit checks only: t < 2^rw and
 * t + 2^rw - 2^bits < 2^rw, no wraparound since 2^(rw+1) < p. */
static void range_exact(ctx_t *x, por_target t, unsigned bits, size_t *counter)
{
    if (bits > x->rw) {
        por_builder_fail(x->b, "batch: range check wider than the range width");
        return;
    }
    range(x, t);
    if (bits < x->rw)
        range(x, op(x, counter, 1, gl_from_u64((1ULL << x->rw) - (1ULL << bits)), t, x->one, x->one));
}

/* Limbs of v with the given widths (range-checked), recomposed and tied to v. */
static void limbs_of(ctx_t *x, por_target v, unsigned n, const uint32_t *width, por_target *limb)
{
    if (n == 1) {
        limb[0] = v;
        range_exact(x, v, width[0], &x->bc->stats.ops_recompose);
        return;
    }
    split_ctx s = {.n = n};
    for (unsigned i = 0; i < n; i++) {
        s.width[i] = width[i];
        limb[i] = virt(x);
        range_exact(x, limb[i], width[i], &x->bc->stats.ops_recompose);
    }
    por_builder_add_generator(x->b, &v, 1, limb, n, split_gen, &s, sizeof(s));
    por_target acc = limb[0];
    unsigned shift = width[0];
    for (unsigned i = 1; i < n; i++) {
        acc = op(x, &x->bc->stats.ops_recompose, gl_from_u64(1ULL << shift), 1, limb[i], x->one, acc);
        shift += width[i];
    }
    por_builder_connect(x->b, acc, v);
}

/* Least offset-carry width R that fits honest carries (0 if none can). */
static unsigned carry_width(unsigned __int128 tmax, unsigned L)
{
    for (unsigned R = 2; R <= 62; R++) {
        unsigned __int128 M = ((unsigned __int128)1 << (R - 1)) - 1;
        if (((tmax + M) >> L) + 2 <= M) /* (Tmax + M) / 2^L + 1 rounded up, conservatively */
            return R;
    }
    return 0;
}

/* The no-wraparound bound of the carry equations (top comment). */
static bool carry_bound_holds(unsigned __int128 tmax, unsigned L, unsigned rw)
{
    unsigned __int128 bound = ((unsigned __int128)1 << (L + rw)) + ((unsigned __int128)1 << (rw + 1)) + tmax;
    return L + rw < 100 && bound < GL_P;
}

/* How the balances are laid out: limb bits L, asset pairs per row S, limbs. */
typedef struct {
    unsigned L, S, np, nb, K, R, rw;
    unsigned __int128 tmax;
} layout;

/* Tmax = A 100 max_k C_k (top comment) for limb bits L. */
static unsigned __int128 column_bound(unsigned A, unsigned B, unsigned L, unsigned nb, unsigned np)
{
    unsigned __int128 best = 0;
    for (unsigned k = 0; k + 1 < nb + np; k++) {
        unsigned __int128 c = 0;
        for (unsigned i = 0; i < nb; i++) {
            if (k < i || k - i >= np)
                continue;
            unsigned j = k - i;
            unsigned we = B - L * i < L ? B - L * i : L;
            unsigned wp = j + 1 < np ? L : 63 - L * (np - 1);
            c += (((unsigned __int128)1 << we) - 1) * (((unsigned __int128)1 << wp) - 1);
        }
        best = c > best ? c : best;
    }
    return best * A * 100;
}

/* The balance-gate parameters of a layout (S: asset pairs per row). */
static void balance_params(const layout *ly, unsigned B, uint32_t *params)
{
    params[0] = B, params[1] = ly->L, params[2] = ly->S, params[3] = ly->np;
}

/* Largest limb size: its half is the lookup table's width, and the table's
 * 2^(L/2) rows are a floor on the circuit's size, so small batches (2^k
 * accounts, k < 7) get a table of at most 2^(k+4) rows. */
#define MAX_LIMB_BITS 22

static unsigned max_limb_bits(unsigned k)
{
    unsigned l = 2 * (k + 4);
    return l < MAX_LIMB_BITS ? l : MAX_LIMB_BITS;
}

/* Picks the layout (top comment); -1 if no limb size keeps the sums below p. */
static int choose_layout(unsigned A, unsigned B, unsigned max_L, const por_circuit_config *conf, layout *out)
{
    bool found = false;
    for (unsigned L = max_L; L >= 4; L -= 2) {
        layout ly = {.L = L, .np = (63 + L - 1) / L, .nb = (B + L - 1) / L};
        ly.K = ly.nb + ly.np - 1;
        ly.tmax = column_bound(A, B, L, ly.nb, ly.np);
        ly.R = carry_width(ly.tmax, L);
        ly.rw = ly.R > 32 ? ly.R : 32;
        if (!ly.R || !carry_bound_holds(ly.tmax, L, ly.rw))
            continue;
        for (unsigned S = 1; S <= conf->num_wires; S++) {
            uint32_t params[POR_GATE_MAX_PARAMS];
            por_gate g;
            layout t = ly;
            t.S = S;
            balance_params(&t, B, params);
            if (por_gate_init(&g, &por_gate_balance_vt, params, conf->num_wires, conf->num_wires,
                              conf->num_constants) != NULL || g.degree + 1 > conf->max_degree)
                break;
            ly.S = S;
        }
        if (!ly.S)
            continue;
        unsigned rows = (A + ly.S - 1) / ly.S, best_rows = found ? (A + out->S - 1) / out->S : 0;
        if (!found || rows < best_rows || (rows == best_rows && ly.K < out->K) ||
            (rows == best_rows && ly.K == out->K && ly.tmax < out->tmax)) {
            *out = ly;
            found = true;
        }
    }
    return found ? 0 : -1;
}

void por_batch_circuit_free(por_batch_circuit *bc)
{
    if (!bc)
        return;
    por_circuit_free(bc->circuit);
    free(bc->commitment);
    free(bc->balance);
    free(bc->symbol_len);
    free(bc->symbol);
    free(bc->decimals);
    free(bc->price);
    free(bc->haircut);
    free(bc->leaf);
    free(bc->node);
    free(bc);
}

size_t por_batch_num_public_inputs(unsigned asset_count) { return 8 + 4 * (size_t)asset_count; }

/* The params digest input, in por_params_digest's order: constants for the
 * version and the shape (B, k, A), witnesses for everything else.  Every
 * symbol takes the same fixed width, so nothing here depends on the symbols. */
static void build_params(ctx_t *x, const por_target *price_value)
{
    por_batch_circuit *bc = x->bc;
    por_builder *b = x->b;
    unsigned A = bc->asset_count;
    size_t n = 8 + (size_t)A * POR_PARAMS_ASSET_ELEMENTS;
    por_target *in = malloc(n * sizeof(*in));
    if (!in) {
        por_builder_fail(b, "out of memory");
        return;
    }
    size_t i = 0;
    in[i++] = por_builder_constant(b, POR_PARAMS_DIGEST_VERSION);
    in[i++] = bc->snapshot_id;
    in[i++] = bc->snapshot_time;
    in[i++] = por_builder_constant(b, bc->balance_bits);
    in[i++] = bc->price_scale;
    in[i++] = por_builder_constant(b, bc->batch_log2);
    in[i++] = bc->leaf_count;
    in[i++] = por_builder_constant(b, A);
    for (unsigned a = 0; a < A; a++) {
        in[i++] = bc->symbol_len[a];
        for (unsigned w = 0; w < POR_BATCH_SYMBOL_WORDS; w++)
            in[i++] = bc->symbol[a * POR_BATCH_SYMBOL_WORDS + w];
        in[i++] = bc->decimals[a];
        in[i++] = price_value[a];
        in[i++] = bc->haircut[a];
    }
    por_builder_hash(b, POR_DOMAIN_PARAMS, in, n, bc->params_digest);
    bc->stats.perms_params += (n + 7) / 8;
    free(in);
}

void por_batch_config_default(por_circuit_config *cfg)
{
    por_circuit_config_default(cfg);
    cfg->rate_bits = 2;
    cfg->num_queries = 44;
}

por_batch_circuit *por_batch_circuit_build(unsigned k, unsigned asset_count, unsigned balance_bits,
                                           bool zero_knowledge,
                                           const por_circuit_config *cfg, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    if (k > POR_BATCH_MAX_LOG2) {
        *why = "batch: k out of range";
        return NULL;
    }
    if (asset_count < 1 || asset_count > POR_MAX_ASSETS) {
        *why = "batch: asset count out of range";
        return NULL;
    }
    if (balance_bits < 1 || balance_bits > 62) {
        *why = "batch: balance_bits out of range";
        return NULL;
    }
    por_circuit_config conf;
    if (cfg)
        conf = *cfg;
    else
        por_batch_config_default(&conf);
    conf.zero_knowledge = zero_knowledge;
    const char *cerr = por_circuit_config_check(&conf);
    if (cerr) {
        *why = cerr;
        return NULL;
    }
    unsigned A = asset_count, B = balance_bits;
    layout ly = {0};
    if (choose_layout(A, B, max_limb_bits(k), &conf, &ly) != 0) {
        *why = "batch: no limb size keeps the solvency sums below the field";
        return NULL;
    }
    const unsigned L = ly.L, R = ly.R, np = ly.np, K = ly.K, S = ly.S;
    const unsigned T = 2 * A, rows_per_account = (A + S - 1) / S;
    {
        /* the balance gate's routed wires are the routed columns, its
         * looked-up columns (and every range check's) the rest */
        uint32_t params[POR_GATE_MAX_PARAMS];
        por_gate g;
        balance_params(&ly, B, params);
        if (por_gate_init(&g, &por_gate_balance_vt, params, conf.num_wires, conf.num_wires, conf.num_constants)) {
            *why = "batch: balance gate does not fit";
            return NULL;
        }
        conf.num_routed_wires = por_balance_routed(&g);
        conf.lookup_bits = g.lookup_bits;
        conf.lookup_first_wire = g.lookup_first_wire;
        if ((cerr = por_circuit_config_check(&conf)) != NULL) {
            *why = cerr;
            return NULL;
        }
    }
    size_t N = (size_t)1 << k;

    por_batch_circuit *bc = calloc(1, sizeof(*bc));
    if (!bc) {
        *why = "out of memory";
        return NULL;
    }
    bc->batch_log2 = k;
    bc->asset_count = A;
    bc->balance_bits = B;
    bc->price_limb_bits = L;
    bc->carry_bits = ly.rw;
    bc->columns = K;
    bc->slots_per_row = 2 * S;
    bc->symbol_len = calloc(A, sizeof(por_target));
    bc->commitment = calloc(N * 4, sizeof(por_target));
    bc->balance = calloc(N * 2 * A, sizeof(por_target));
    bc->symbol = calloc((size_t)A * POR_BATCH_SYMBOL_WORDS, sizeof(por_target));
    bc->decimals = calloc(A, sizeof(por_target));
    bc->price = calloc(A, sizeof(por_target));
    bc->haircut = calloc(A, sizeof(por_target));
    bc->leaf = calloc(N * 4, sizeof(por_target));
    bc->node = calloc(N * 4, sizeof(por_target));
    /* per-batch scratch: price limbs, running totals [t][lo, hi], leaf input */
    por_target *plimb = calloc((size_t)A * np, sizeof(por_target));
    por_target *sum = calloc((size_t)2 * T, sizeof(por_target));
    por_target *leafin = calloc(4 + (size_t)T, sizeof(por_target));
    por_builder *b = por_builder_new(&conf);
    if (!bc->commitment || !bc->balance || !bc->symbol_len || !bc->symbol || !bc->decimals || !bc->price ||
        !bc->haircut || !bc->leaf || !bc->node || !plimb || !sum || !leafin || !b) {
        *why = "out of memory";
        goto fail;
    }
    ctx_t x = {.b = b, .bc = bc, .rw = ly.rw};
    x.one = por_builder_one(b);
    por_target zero = por_builder_zero(b);

    /* params: witnesses, price limbs, haircut bound */
    bc->snapshot_id = virt(&x);
    bc->snapshot_time = virt(&x);
    bc->price_scale = virt(&x);
    bc->leaf_count = virt(&x);
    uint32_t pw[16];
    for (unsigned j = 0; j < np; j++)
        pw[j] = j + 1 < np ? L : 63 - L * (np - 1);
    por_target hundred = por_builder_constant(b, 100);
    for (unsigned a = 0; a < A; a++) {
        bc->symbol_len[a] = virt(&x);
        for (unsigned w = 0; w < POR_BATCH_SYMBOL_WORDS; w++)
            bc->symbol[a * POR_BATCH_SYMBOL_WORDS + w] = virt(&x);
        bc->decimals[a] = virt(&x);
        bc->price[a] = virt(&x);
        bc->haircut[a] = virt(&x);
        limbs_of(&x, bc->price[a], np, pw, plimb + (size_t)a * np);
        /* h in [0, 2^rw) and 100 - h in [0, 2^rw): h in [0, 100] (2^(rw+1) < p) */
        range(&x, bc->haircut[a]);
        range(&x, op(&x, &bc->stats.ops_other, GL_P - 1, 1, bc->haircut[a], x.one, hundred));
    }
    build_params(&x, bc->price);

    /* accounts: balance rows, then the carry chain over the columns */
    uint32_t gparams[POR_GATE_MAX_PARAMS] = {0};
    balance_params(&ly, B, gparams);
    por_gate shape; /* for the wire layout only */
    if (por_gate_init(&shape, &por_gate_balance_vt, gparams, conf.num_wires, conf.num_routed_wires,
                      conf.num_constants) != NULL) {
        *why = "batch: balance gate does not fit";
        goto fail;
    }
    const gl_t minus_base = GL_P - (1ULL << L);
    const uint64_t off = 1ULL << (R - 1);
    por_target col_start[64];
    for (unsigned c = 0; c < K; c++) /* o_0 = 2^L off, o_k = (2^L - 1) off (top comment) */
        col_start[c] = por_builder_constant(
            b, gl_from_u64((uint64_t)((((unsigned __int128)1 << L) - (c ? 1 : 0)) * off % GL_P)));
    carry_ctx cc = {.limb_bits = L};
    for (size_t u = 0; u < N; u++) {
        por_target *C = bc->commitment + 4 * u;
        por_target *bal = bc->balance + (size_t)T * u;
        for (unsigned i = 0; i < 4; i++)
            leafin[i] = C[i] = virt(&x);
        por_target col[64];
        memcpy(col, col_start, K * sizeof(por_target));
        for (unsigned r = 0; r < rows_per_account; r++) {
            size_t row = por_builder_add_gate(b, &por_gate_balance_vt, gparams, NULL);
            if (row == SIZE_MAX)
                break;
            for (unsigned c = 0; c < K; c++) {
                por_builder_connect(b, col[c], por_builder_wire(b, row, por_balance_col_in(&shape, c)));
                col[c] = por_builder_wire(b, row, por_balance_col_out(&shape, c));
            }
            for (unsigned q = 0; q < S; q++) {
                unsigned a = r * S + q;
                por_target h = por_builder_wire(b, row, por_balance_haircut(&shape, q));
                if (a >= A) { /* unused pair: everything zero, so it adds nothing */
                    por_builder_connect(b, h, zero);
                    for (unsigned j = 0; j < np; j++)
                        por_builder_connect(b, por_builder_wire(b, row, por_balance_price(&shape, q, j)), zero);
                    for (unsigned e = 0; e < 2; e++) {
                        por_builder_connect(b, por_builder_wire(b, row, por_balance_v(&shape, q, e)), zero);
                        for (unsigned i = 0; i < 4; i++)
                            por_builder_connect(b, por_builder_wire(b, row, por_balance_total(&shape, q, e, i)),
                                                zero);
                    }
                    continue;
                }
                por_builder_connect(b, h, bc->haircut[a]);
                for (unsigned j = 0; j < np; j++)
                    por_builder_connect(b, por_builder_wire(b, row, por_balance_price(&shape, q, j)),
                                        plimb[(size_t)a * np + j]);
                for (unsigned e = 0; e < 2; e++) { /* balance t: equity a, then debt A + a */
                    unsigned t = e * A + a;
                    leafin[4 + t] = bal[t] = por_builder_wire(b, row, por_balance_v(&shape, q, e));
                    for (unsigned hl = 0; hl < 2; hl++) { /* lo, hi */
                        por_target *run = &sum[2 * (size_t)t + hl];
                        por_builder_connect(b, por_builder_wire(b, row, por_balance_total(&shape, q, e, 2 * hl)),
                                            u == 0 ? zero : *run);
                        *run = por_builder_wire(b, row, por_balance_total(&shape, q, e, 2 * hl + 1));
                    }
                }
            }
        }
        bc->stats.balance_slots += T;
        por_builder_hash(b, POR_DOMAIN_LEAF, leafin, 4 + T, bc->leaf + 4 * u);
        bc->stats.perms_leaf += (4 + T + 7) / 8;
        /* delta_k = (T_k + o_k) + c'_{k-1} - 2^L c'_k, the constants already in col */
        por_target carry = zero;
        for (unsigned c = 0; c < K; c++) {
            por_target acc = c ? op(&x, &bc->stats.ops_solvency, 1, 1, col[c], x.one, carry) : col[c];
            por_target cp = virt(&x);
            por_builder_add_generator(b, &acc, 1, &cp, 1, carry_gen, &cc, sizeof(cc));
            por_target delta = op(&x, &bc->stats.ops_solvency, minus_base, 1, cp, x.one, acc);
            range(&x, delta);
            if (c + 1 < K) {
                range(&x, cp);
            } else {
                por_target last = op(&x, &bc->stats.ops_solvency, 1, gl_neg(off), cp, x.one, x.one);
                range(&x, last);
            }
            carry = cp;
        }
    }

    /* subtree */
    {
        size_t cnt = N, base_out = 0;
        const por_target *lvl = bc->leaf;
        while (cnt > 1) {
            for (size_t i = 0; i < cnt / 2; i++) {
                por_target in8[8];
                memcpy(in8, lvl + 8 * i, 8 * sizeof(por_target));
                por_builder_hash(b, POR_DOMAIN_NODE, in8, 8, bc->node + base_out + 4 * i);
                bc->stats.perms_tree++;
            }
            lvl = bc->node + base_out;
            base_out += 4 * (cnt / 2);
            cnt /= 2;
        }
        const por_target *root = N == 1 ? bc->leaf : lvl;
        for (unsigned i = 0; i < 4; i++)
            por_builder_register_public_input(b, root[i]);
    }

    /* totals: S_0 = lo + 2^32 c, hi = 2^(lo_bits - 32) S_1 + c (top comment) */
    {
        const unsigned lo_bits = por_balance_lo_bits(&shape);
        const unsigned cw = lo_bits + k > 32 ? lo_bits + k - 32 : 1;
        uint32_t tw[2] = {32, cw};
        for (unsigned t = 0; t < T; t++) {
            por_target lc[2];
            split_ctx s = {.n = 2, .width = {32, tw[1]}};
            lc[0] = virt(&x);
            lc[1] = virt(&x);
            por_builder_add_generator(b, &sum[(size_t)t * 2], 1, lc, 2, split_gen, &s, sizeof(s));
            range_exact(&x, lc[0], 32, &bc->stats.ops_totals);
            range_exact(&x, lc[1], tw[1], &bc->stats.ops_totals);
            por_target re = op(&x, &bc->stats.ops_totals, gl_from_u64(1ULL << 32), 1, lc[1], x.one, lc[0]);
            por_builder_connect(b, re, sum[(size_t)t * 2]);
            por_target hi = B > lo_bits ? op(&x, &bc->stats.ops_totals, gl_from_u64(1ULL << (lo_bits - 32)), 1,
                                             sum[(size_t)t * 2 + 1], x.one, lc[1])
                                        : lc[1];
            por_builder_register_public_input(b, lc[0]);
            por_builder_register_public_input(b, hi);
        }
    }
    for (unsigned i = 0; i < 4; i++)
        por_builder_register_public_input(b, bc->params_digest[i]);

    bc->circuit = por_builder_build(b, why);
    if (!bc->circuit)
        goto fail;
    for (size_t row = 0; row < bc->circuit->num_gate_rows; row++) {
        uint16_t t = bc->circuit->row_type[row];
        uint32_t kind = t == POR_ROW_NOOP ? POR_GATE_NOOP : bc->circuit->gate_types[t].vt->kind;
        if (kind == POR_GATE_POSEIDON)
            bc->stats.rows_poseidon++;
        else if (kind == POR_GATE_BALANCE)
            bc->stats.rows_balance++;
        else if (kind == POR_GATE_RANGE || kind == POR_GATE_RANGE_LOOKUP)
            bc->stats.rows_range++;
        else if (kind == POR_GATE_ARITHMETIC)
            bc->stats.rows_arith++;
        else if (kind == POR_GATE_CONSTANT)
            bc->stats.rows_const++;
        else
            bc->stats.rows_other++;
    }
    por_builder_free(b);
    free(plimb);
    free(sum);
    free(leafin);
    return bc;
fail:
    por_builder_free(b);
    free(plimb);
    free(sum);
    free(leafin);
    por_batch_circuit_free(bc);
    return NULL;
}

/* ---------------------------------------------------------------------------
 * Statement encoding
 */

void por_batch_public_encode(const por_batch_public *pub, gl_t *pis)
{
    unsigned A = pub->asset_count;
    memcpy(pis, pub->root.e, 4 * sizeof(gl_t));
    for (unsigned t = 0; t < 2 * A; t++) {
        pis[4 + 2 * t] = pub->totals[t][0];
        pis[5 + 2 * t] = pub->totals[t][1];
    }
    memcpy(pis + 4 + 4 * A, pub->params_digest.e, 4 * sizeof(gl_t));
}

int por_batch_public_decode(const gl_t *pis, size_t n, uint32_t asset_count, por_batch_public *pub)
{
    if (asset_count < 1 || asset_count > POR_MAX_ASSETS || n != por_batch_num_public_inputs(asset_count))
        return -1;
    memset(pub, 0, sizeof(*pub));
    pub->asset_count = asset_count;
    memcpy(pub->root.e, pis, 4 * sizeof(gl_t));
    for (unsigned t = 0; t < 2 * asset_count; t++) {
        pub->totals[t][0] = pis[4 + 2 * t];
        pub->totals[t][1] = pis[5 + 2 * t];
        if (pub->totals[t][0] >> 32)
            return -1;
    }
    memcpy(pub->params_digest.e, pis + 4 + 4 * asset_count, 4 * sizeof(gl_t));
    return 0;
}

bool por_batch_public_equal(const por_batch_public *x, const por_batch_public *y)
{
    if (x->asset_count != y->asset_count)
        return false;
    if (memcmp(&x->root, &y->root, sizeof(x->root)) || memcmp(&x->params_digest, &y->params_digest, sizeof(x->params_digest)))
        return false;
    return memcmp(x->totals, y->totals, 2 * x->asset_count * sizeof(x->totals[0])) == 0;
}

/* ---------------------------------------------------------------------------
 * Witness
 */

static int set(por_witness *w, por_target t, uint64_t v)
{
    return por_witness_set(w, t, v);
}

/* The expected statement, natively. */
static int expected_statement(const por_batch_circuit *bc, const por_params *params,
                              const por_digest *commitments, const uint64_t *balances,
                              por_batch_public *pub)
{
    unsigned k = bc->batch_log2, A = bc->asset_count;
    size_t N = (size_t)1 << k;
    por_digest **levels = calloc(k + 1, sizeof(*levels));
    int rc = -1;
    if (!levels)
        return -1;
    for (unsigned h = 0; h <= k; h++)
        if (!(levels[h] = malloc((N >> h) * sizeof(por_digest))))
            goto out;
    por_leaf_hash_many(NULL, commitments, balances, N, A, levels[0]);
    por_tree_build(NULL, levels, N);
    memset(pub, 0, sizeof(*pub));
    pub->asset_count = A;
    pub->root = levels[k][0];
    for (unsigned t = 0; t < 2 * A; t++) {
        unsigned __int128 s = 0;
        for (size_t u = 0; u < N; u++)
            s += balances[2 * A * u + t];
        pub->totals[t][0] = (uint64_t)(s & 0xffffffffu);
        s >>= 32;
        if (s >= GL_P)
            goto out;
        pub->totals[t][1] = (uint64_t)s;
    }
    por_params_digest(params, &pub->params_digest);
    rc = 0;
out:
    for (unsigned h = 0; h <= k; h++)
        free(levels[h]);
    free(levels);
    return rc;
}

int por_batch_witness(const por_batch_circuit *bc, const por_params *params,
                      const por_digest *commitments, const uint64_t *balances, bool unchecked,
                      por_witness **out, por_batch_public *expected, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    *out = NULL;
    unsigned k = bc->batch_log2, A = bc->asset_count;
    size_t N = (size_t)1 << k;
    if (!params || !params->assets || params->asset_count != A || params->balance_bits != bc->balance_bits ||
        params->batch_log2 != k) {
        *why = "batch: params do not match the circuit's shape";
        return -1;
    }
    if (!unchecked) {
        const char *e = por_params_check(params);
        if (e) {
            *why = e;
            return -1;
        }
        for (size_t i = 0; i < N * 2 * A; i++)
            if (balances[i] >> bc->balance_bits) {
                *why = "batch: balance out of range";
                return -1;
            }
        for (size_t u = 0; u < N; u++)
            if (!por_account_solvent(params, balances + 2 * A * u, balances + 2 * A * u + A)) {
                *why = "batch: insolvent account";
                return -1;
            }
    }
    for (size_t i = 0; i < N * 2 * A; i++)
        if (!gl_is_canonical(balances[i])) {
            *why = "batch: balance is not a field element";
            return -1;
        }
    if (expected_statement(bc, params, commitments, balances, expected) != 0) {
        *why = "batch: out of memory or total out of range";
        return -1;
    }
    por_witness *w = por_witness_new(bc->circuit);
    if (!w) {
        *why = "out of memory";
        return -1;
    }
    int bad = 0;
    bad |= set(w, bc->snapshot_id, params->snapshot_id);
    bad |= set(w, bc->snapshot_time, (uint64_t)params->snapshot_time_us);
    bad |= set(w, bc->price_scale, params->price_scale);
    bad |= set(w, bc->leaf_count, params->leaf_count);
    for (unsigned a = 0; a < A; a++) {
        const por_asset *as = &params->assets[a];
        uint64_t words[POR_BATCH_SYMBOL_WORDS];
        por_params_symbol_pack(as->symbol, words);
        bad |= set(w, bc->symbol_len[a], strnlen(as->symbol, POR_SYMBOL_MAX));
        for (unsigned wi = 0; wi < POR_BATCH_SYMBOL_WORDS; wi++)
            bad |= set(w, bc->symbol[a * POR_BATCH_SYMBOL_WORDS + wi], words[wi]);
        bad |= set(w, bc->decimals[a], as->decimals);
        bad |= set(w, bc->price[a], gl_from_u64(as->price_units));
        bad |= set(w, bc->haircut[a], as->haircut);
    }
    for (size_t u = 0; u < N; u++) {
        for (unsigned i = 0; i < 4; i++)
            bad |= set(w, bc->commitment[4 * u + i], commitments[u].e[i]);
        for (unsigned t = 0; t < 2 * A; t++)
            bad |= set(w, bc->balance[2 * A * u + t], balances[2 * A * u + t]);
    }
    if (bad) {
        por_witness_free(w);
        *why = "batch: a witness value is not canonical";
        return -1;
    }
    if (por_witness_generate(w, why) != 0) {
        por_witness_free(w);
        return -1;
    }
    *out = w;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Prove and verify
 */

static int check_statement(const gl_t *pis, size_t n, const por_batch_public *expected,
                           uint32_t asset_count, por_batch_public *out, const char **why)
{
    por_batch_public got;
    if (por_batch_public_decode(pis, n, asset_count, &got) != 0) {
        *why = "batch: malformed public inputs";
        return -1;
    }
    if (expected && !por_batch_public_equal(&got, expected)) {
        *why = "batch: the proven statement is not the expected one";
        return -1;
    }
    if (out)
        *out = got;
    return 0;
}

int por_batch_prove(const por_plonk_prover *pk, const por_batch_circuit *bc, por_witness *w,
                    por_pool *pool, const por_plonk_prove_opts *opts,
                    const por_batch_public *expected, por_plonk_proof *proof, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    if (por_plonk_prove(pk, w, pool, opts, proof, why) != 0)
        return -1;
    return check_statement(proof->public_inputs, proof->num_public_inputs, expected, bc->asset_count,
                           NULL, why);
}

int por_batch_verify(const por_plonk_vk *vk, uint32_t asset_count, const por_plonk_proof *proof,
                     const por_batch_public *expected, por_batch_public *out, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    if (asset_count < 1 || asset_count > POR_MAX_ASSETS ||
        vk->num_public_inputs != por_batch_num_public_inputs(asset_count)) {
        *why = "batch: verifier key is not a batch key for this asset count";
        return -1;
    }
    if (por_plonk_verify(vk, proof, why) != 0)
        return -1;
    return check_statement(proof->public_inputs, proof->num_public_inputs, expected, asset_count, out,
                           why);
}
