/*
 * Batch proofs in the production layout (k = 7: 128 accounts, balances of
 * B = 62 bits, limbs of L = 22 bits, 5 solvency columns; A = 3 assets to
 * stay fast) and the malicious prover against the carry chain, the price
 * limbs and the totals' limbs (the mutation tests' attacks, test/mutation):
 *   - statement items 3 and 4 (DESIGN.md section 2): a zero-margin account
 *     proves and verifies; a balance of -1 or of 2^62, and an account one
 *     unit insolvent, are refused by the witness builder and the prover and,
 *     forced through, rejected by the verifier;
 *   - the insolvent account with every carry forced to 0: the chain holds
 *     with remainders delta_k = T_k, one of them negative (out of range):
 *     only the remainders' range check refuses;
 *   - the insolvent account with one middle carry out of range (a field
 *     element chosen so that the next remainder and the last carry come out
 *     in range): only the middle carries' range check refuses;
 *   - a price split into out-of-range limbs (P_0 + 2^L, P_1 - 1: the same
 *     price): only the limbs' exact-width range check refuses;
 *   - a total's low limb raised by one and its carry lowered by 2^-32 (a
 *     field element out of range): the statement's total is another integer;
 *     only the carry's range check refuses;
 *   - a total's low limb raised by one alone: only S_0 = lo + 2^32 c
 *     refuses;
 *   - the limbs of a hashed price set to 0 (a debt that weighs nothing):
 *     the proof does not verify against the honest statement;
 *   - the statement decoder refuses a low limb of 2^32.
 * The forgeries edit the witness after generation and redo every gate's own
 * generator (never the carry and split generators), so all other
 * constraints hold.
 */
#include "batch_witness_fixture.h"

enum { K_LOG = 7, ASSETS = 3, BITS = 62, ZERO_MARGIN = 1 };

/* Re-runs the gate generators (not the author generators, whose outputs
 * the caller forged) downstream of the values that differ from `before`
 * (the witness before the forgery), until nothing changes: the gate rows
 * downstream of a forged value become consistent with it.  Frees before. */
static void regenerate_gates(const por_circuit *c, por_witness *w, gl_t *before)
{
    const unsigned W = c->config.num_wires;
    bool *dirty = calloc(c->num_slots, sizeof(bool));
    for (size_t i = 0; i < c->num_slots; i++)
        dirty[i] = w->values[i] != before[i];
    free(before);
    for (int pass = 0, changed = 1; changed && pass < 64; pass++) {
        changed = 0;
        for (size_t g = 0; g < c->num_generators; g++) {
            const por_generator *gen = &c->generators[g];
            if (gen->kind != 0)
                continue;
            const por_gate *gt = &c->gate_types[c->row_type[gen->row]];
            por_gate_io io;
            gt->vt->generator_io(gt, gen->k, &io);
            gl_t row[POR_MAX_WIRES] = {0};
            bool stale = false;
            for (unsigned i = 0; i < io.n_in; i++) {
                size_t slot = por_circuit_slot(c, (por_target){(uint32_t)(gen->row * W + io.in[i])});
                row[io.in[i]] = w->values[slot];
                stale |= dirty[slot];
            }
            if (!stale)
                continue;
            gt->vt->generate(gt, gen->k, c->row_consts + (size_t)gen->row * c->config.num_constants, row);
            for (unsigned i = 0; i < io.n_out; i++) {
                size_t slot = por_circuit_slot(c, (por_target){(uint32_t)(gen->row * W + io.out[i])});
                if (w->values[slot] != row[io.out[i]])
                    changed = 1, dirty[slot] = true;
                w->values[slot] = row[io.out[i]];
            }
        }
    }
    free(dirty);
}

/* A copy of the witness values, for regenerate_gates. */
static gl_t *snapshot(const fixture *f, const por_witness *w)
{
    size_t n = f->bc->circuit->num_slots;
    gl_t *v = malloc(n * sizeof(gl_t));
    memcpy(v, w->values, n * sizeof(gl_t));
    return v;
}

static gl_t value(const fixture *f, const por_witness *w, por_target t)
{
    return w->values[por_circuit_slot(f->bc->circuit, t)];
}

/* acc_k = T_k + o_k + c'_(k-1) of account u: delta_k + 2^L c'_k. */
static gl_t column_acc(const fixture *f, const por_witness *w, size_t u, unsigned k)
{
    const unsigned K = f->bc->columns, L = f->bc->price_limb_bits;
    return gl_add(value(f, w, f->bc->delta[u * K + k]), gl_mul(value(f, w, f->bc->carry[u * K + k]), (gl_t)1 << L));
}

/* The honest offset carries of account u for the current columns (batch.c's
 * carry generator: floor(acc / 2^L), acc read as a signed integer). */
static void rechain(fixture *f, por_witness *w, size_t u)
{
    const unsigned K = f->bc->columns, L = f->bc->price_limb_bits;
    for (unsigned k = 0; k < K; k++) {
        gl_t a = column_acc(f, w, u, k);
        __int128 t = a > GL_P / 2 ? (__int128)a - (__int128)GL_P : (__int128)a, d = (__int128)1 << L;
        __int128 c = t >= 0 ? t / d : -((-t + d - 1) / d);
        gl_t *before = snapshot(f, w);
        forge(f, w, f->bc->carry[u * K + k], c < 0 ? (gl_t)(c + (__int128)GL_P) : (gl_t)c);
        regenerate_gates(f->bc->circuit, w, before);
    }
}

/* The witness of f's balances (checked), or unchecked with account
 * ZERO_MARGIN one unit of debt short (insolvent); NULL (a failed test named
 * what) if it cannot be built. */
static por_witness *base_witness(fixture *f, bool insolvent, por_batch_public *pub, const char *what)
{
    f->bal[2 * ASSETS * ZERO_MARGIN + ASSETS + 2] += insolvent;
    const char *why = NULL;
    por_witness *w = witness(f, f->bal, &f->s.params, insolvent, pub, &why);
    f->bal[2 * ASSETS * ZERO_MARGIN + ASSETS + 2] -= insolvent;
    ok(w != NULL, "%s: %s witness (%s)", what, insolvent ? "insolvent" : "honest", w ? "ok" : why);
    return w;
}

static void test_statement_items(fixture *f)
{
    const char *why = NULL;
    por_batch_public pub;
    por_witness *w = witness(f, f->bal, &f->s.params, false, &pub, &why);
    ok(w != NULL && por_account_solvent(&f->s.params, f->bal + 2 * ASSETS, f->bal + 3 * ASSETS),
       "k=7: the batch with a zero-margin account is accepted (%s)", w ? "ok" : why);
    por_plonk_proof proof;
    int rc = w ? por_batch_prove(f->pk, f->bc, w, NULL, NULL, &pub, &proof, &why) : -1;
    ok(rc == 0 && verifies(f, &proof, &pub), "k=7: it proves and verifies (%s)", rc ? why : "ok");
    if (w)
        por_plonk_proof_free(&proof);
    por_witness_free(w);
    static const struct {
        size_t at;
        uint64_t v;
        const char *what;
    } bad[] = {
        {2 * ASSETS * 2 + ASSETS + 0, GL_P - 1, "k=7: a debt of -1"},
        {2 * ASSETS * 3 + 1, 1ULL << BITS, "k=7: an equity of 2^62"},
        {2 * ASSETS * ZERO_MARGIN + ASSETS + 2, 280001, "k=7: the zero-margin account one unit insolvent"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t save = f->bal[bad[i].at];
        f->bal[bad[i].at] = bad[i].v;
        malicious_balances(f, f->bal, bad[i].what);
        f->bal[bad[i].at] = save;
    }
}

/* The forged witness: the prover refuses it; forced, the verifier rejects
 * it against the honest statement and against the one it carries. */
static void forged_refused(fixture *f, por_witness *w, const char *what)
{
    refused_and_rejected(f, w, NULL, what);
}

/* Every carry of the insolvent account forced to c_k = 0 (c'_k = 2^(R-1)):
 * delta_k = T_k, negative for some k. */
static void test_carries_zero(fixture *f)
{
    por_batch_public pub;
    por_witness *w = base_witness(f, true, &pub, "carries 0");
    if (!w)
        return;
    const unsigned K = f->bc->columns;
    const gl_t off = (gl_t)1 << (f->bc->carry_offset_bits - 1);
    gl_t *before = snapshot(f, w);
    for (unsigned k = 0; k < K; k++)
        forge(f, w, f->bc->carry[ZERO_MARGIN * K + k], off);
    regenerate_gates(f->bc->circuit, w, before);
    bool negative = false;
    for (unsigned k = 0; k < K; k++)
        negative |= value(f, w, f->bc->delta[ZERO_MARGIN * K + k]) > GL_P / 2;
    ok(negative, "carries 0: a remainder delta_k = T_k is negative");
    forged_refused(f, w, "insolvent, carries forced to 0");
    por_witness_free(w);
}

/* The insolvent account's carry c'_(K-2) set to the field element x that
 * makes delta_(K-2) = acc_(K-2) - 2^L x a small d and the next column's
 * acc_(K-1) = col_(K-1) + x fall in [2^L off, 2^L (off + 2^rw)), so that
 * delta_(K-1) and the last carry are in range too. */
static void test_middle_carry(fixture *f)
{
    por_batch_public pub;
    por_witness *w = base_witness(f, true, &pub, "middle carry");
    if (!w)
        return;
    const unsigned K = f->bc->columns, L = f->bc->price_limb_bits, rw = f->bc->carry_bits;
    const size_t u = ZERO_MARGIN;
    const gl_t off = (gl_t)1 << (f->bc->carry_offset_bits - 1), inv = gl_inv((gl_t)1 << L);
    const gl_t acc = column_acc(f, w, u, K - 2);
    const gl_t col = gl_sub(column_acc(f, w, u, K - 1), value(f, w, f->bc->carry[u * K + K - 2]));
    const unsigned __int128 lo = (unsigned __int128)off << L, hi = (unsigned __int128)(off + ((gl_t)1 << rw)) << L;
    gl_t x = 0;
    bool found = false;
    for (gl_t d = 0; d < ((gl_t)1 << L) && !found; d++) {
        x = gl_mul(gl_sub(acc, d), inv);
        gl_t y = gl_add(col, x);
        found = y >= lo && y < hi;
    }
    if (!ok(found, "middle carry: a carry making the rest of the chain in range exists")) {
        por_witness_free(w);
        return;
    }
    gl_t *before = snapshot(f, w);
    forge(f, w, f->bc->carry[u * K + K - 2], x);
    forge(f, w, f->bc->carry[u * K + K - 1], (gl_t)(gl_add(col, x) >> L));
    regenerate_gates(f->bc->circuit, w, before);
    ok(x >> rw != 0, "middle carry: c'_(K-2) = 0x%016llx is out of range", (unsigned long long)x);
    forged_refused(f, w, "insolvent, a middle carry out of range");
    por_witness_free(w);
}

/* Asset 0's price as limbs (P_0 + 2^L, P_1 - 1, ...): the same price, the
 * carries of every account redone for the new columns. */
static void test_price_limbs(fixture *f)
{
    por_batch_public pub;
    por_witness *w = base_witness(f, false, &pub, "price limbs");
    if (!w)
        return;
    const unsigned L = f->bc->price_limb_bits;
    gl_t p0 = value(f, w, f->bc->price_limb[0]), p1 = value(f, w, f->bc->price_limb[1]);
    if (!ok(p1 > 0, "price limbs: asset 0's price has a nonzero limb 1")) {
        por_witness_free(w);
        return;
    }
    gl_t *before = snapshot(f, w);
    forge(f, w, f->bc->price_limb[0], p0 + ((gl_t)1 << L));
    forge(f, w, f->bc->price_limb[1], p1 - 1);
    regenerate_gates(f->bc->circuit, w, before);
    for (size_t u = 0; u < f->n; u++)
        rechain(f, w, u);
    refused_and_rejected(f, w, &pub, "price limbs P_0 + 2^L, P_1 - 1");
    por_witness_free(w);
}

/* Equity total of asset 0: lo + 1 and its carry c - 2^-32 (so S_0 = lo +
 * 2^32 c still holds in the field): the statement claims another total. */
static void test_total_carry(fixture *f)
{
    por_batch_public pub;
    por_witness *w = base_witness(f, false, &pub, "total carry");
    if (!w)
        return;
    por_target lo = f->bc->circuit->public_inputs[4];
    gl_t vlo = value(f, w, lo), c = value(f, w, f->bc->total_carry[0]);
    gl_t *before = snapshot(f, w);
    forge(f, w, lo, vlo + 1);
    forge(f, w, f->bc->total_carry[0], gl_sub(c, gl_inv((gl_t)1 << 32)));
    regenerate_gates(f->bc->circuit, w, before);
    gl_t vhi = value(f, w, f->bc->circuit->public_inputs[5]);
    ok(vlo + 1 < ((gl_t)1 << 32) && vhi != pub.totals[0][1], "total carry: lo + 1 < 2^32, hi becomes 0x%016llx",
       (unsigned long long)vhi);
    refused_and_rejected(f, w, &pub, "total lo + 1, carry - 2^-32");
    por_witness_free(w);
}

/* The hashed price of asset 2 (USDT, 1) kept, its limbs set to 0: the
 * insolvent account's USDT debt would weigh nothing.  The statement must
 * stay bound to the hashed price: the forced proof does not verify against
 * the honest statement (with the limbs tied to the price, rewriting them
 * rewrites the hashed price and so the params digest). */
static void test_price_unbound(fixture *f)
{
    por_batch_public pub;
    por_witness *w = base_witness(f, true, &pub, "price limbs 0");
    if (!w)
        return;
    const unsigned np = (63 + f->bc->price_limb_bits - 1) / f->bc->price_limb_bits;
    gl_t *before = snapshot(f, w);
    for (unsigned j = 0; j < np; j++)
        forge(f, w, f->bc->price_limb[2 * np + j], 0);
    regenerate_gates(f->bc->circuit, w, before);
    for (size_t u = 0; u < f->n; u++)
        rechain(f, w, u);
    por_plonk_prove_opts opts = {.unchecked = true};
    por_plonk_proof proof;
    const char *why = NULL;
    int rc = por_plonk_prove(f->pk, w, NULL, &opts, &proof, &why);
    ok(rc == 0 && !verifies(f, &proof, &pub), "price limbs 0 under the hashed price: not a proof of the statement");
    por_plonk_proof_free(&proof);
    por_witness_free(w);
}

/* Equity total of asset 0 claimed one more (lo + 1): S_0 = lo + 2^32 c
 * is what refuses it. */
static void test_total_split(fixture *f)
{
    por_batch_public pub;
    por_witness *w = base_witness(f, false, &pub, "total lo + 1");
    if (!w)
        return;
    por_target lo = f->bc->circuit->public_inputs[4];
    gl_t *before = snapshot(f, w);
    forge(f, w, lo, value(f, w, lo) + 1);
    regenerate_gates(f->bc->circuit, w, before);
    refused_and_rejected(f, w, &pub, "total lo + 1");
    por_witness_free(w);
}

/* The statement decoder: a total's low limb of 2^32 is refused (a
 * canonical two-limb integer has lo < 2^32). */
static void test_decode_low_limb(void)
{
    gl_t pis[8 + 4 * ASSETS] = {0};
    por_batch_public pub;
    ok(por_batch_public_decode(pis, 8 + 4 * ASSETS, ASSETS, &pub) == 0, "decode: a statement of zeros");
    pis[4 + 2] = (gl_t)1 << 32;
    ok(por_batch_public_decode(pis, 8 + 4 * ASSETS, ASSETS, &pub) != 0, "decode: a low limb of 2^32 is refused");
}

int main(void)
{
    fixture f;
    if (fixture_init(&f, K_LOG, ASSETS, BITS, false) != 0) {
        ok(0, "fixture");
        return done_testing();
    }
    ok(f.bc->price_limb_bits == 22 && f.bc->columns == 5,
       "k=7, B=62: the production layout (L = %u, %u columns, carries of %u bits, n = %zu)", f.bc->price_limb_bits,
       f.bc->columns, f.bc->carry_bits, f.bc->circuit->n);
    test_statement_items(&f);
    test_carries_zero(&f);
    test_middle_carry(&f);
    test_price_limbs(&f);
    test_total_carry(&f);
    test_price_unbound(&f);
    test_total_split(&f);
    test_decode_low_limb();
    fixture_free(&f);
    return done_testing();
}
