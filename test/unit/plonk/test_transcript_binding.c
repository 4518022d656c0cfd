/*
 * Transcript binding: what the Fiat-Shamir challenges of a batch proof depend on.
 *
 * 1. The verifier's full transcript of a small batch proof (2 accounts, 1
 *    asset, the production batch configuration), as runs of (operation,
 *    label, element count), must equal the list recorded below, and every
 *    observed element must be the proof's (or the key's) own, in order.  Any
 *    change of order, count or content fails.  To re-record after a
 *    deliberate protocol change: POR_TRANSCRIPT_RECORD=1
 *    build/test/plonk/test_transcript_binding prints the new list as C;
 *    paste it over EXPECTED and say why in the commit.
 * 2. For each class of proof element (each commitment cap, the public
 *    inputs, the circuit digest, opened values at zeta and at w zeta, each
 *    FRI layer cap, the final polynomial, the grinding nonce) an altered
 *    proof is run through the verifier's own derivation
 *    (por_plonk_verify_logged): the first difference must be the altered
 *    observation and a later challenge must change.
 */
#include <stdlib.h>
#include <string.h>

#include "batch_fixture.h"
#include "commit/fri.h"
#include "hash/transcript.h"
#include "plonk/plonk.h"
#include "por/batch.h"
#include "tap.h"

#define LOG_CAP 8192

typedef struct {
    char op; /* 'o' observe, 's' squeeze */
    const char *label;
    unsigned count; /* field elements in the run */
} run;

/* The verifier's transcript of test_batch_make(1, 1, batch default config
 * with a final polynomial of 1 coefficient): 44 queries, 16 grinding bits,
 * cap height 4, 2^9 rows (LDE 2^11), FRI reductions 4 + 4 + 1. */
static const run EXPECTED[] = {
    {'o', "fri.params", 10},
    {'o', "plonk.circuit", 4},
    {'o', "plonk.public_inputs", 4},
    {'o', "plonk.wires_cap", 64},
    {'s', "plonk.beta", 2},
    {'s', "plonk.gamma", 2},
    {'s', "plonk.lookup_delta", 2},
    {'o', "plonk.zs_cap", 64},
    {'s', "plonk.alpha", 2},
    {'o', "plonk.quotient_cap", 64},
    {'s', "plonk.zeta", 2},
    {'o', "fri.params", 10},
    {'o', "pcs.shape", 10},
    {'o', "pcs.cap", 256},
    {'o', "pcs.point", 4},
    {'o', "pcs.eval", 1060},
    {'s', "pcs.alpha", 2},
    {'s', "pcs.gamma", 2},
    {'o', "fri.cap", 64},
    {'s', "fri.beta", 2},
    {'o', "fri.cap", 32},
    {'s', "fri.beta", 2},
    {'o', "fri.cap", 16},
    {'s', "fri.beta", 2},
    {'o', "fri.final_poly", 2},
    {'o', "pow.nonce", 1},
    {'s', "pow.witness", 1},
    {'s', "fri.query", 44},
};

typedef struct {
    por_transcript_entry e[LOG_CAP];
    por_transcript_log log;
} tlog;

static void tlog_init(tlog *l) { l->log = (por_transcript_log){l->e, LOG_CAP, 0}; }

static size_t tlog_len(const tlog *l) { return l->log.len < LOG_CAP ? l->log.len : LOG_CAP; }

/* Runs of equal (operation, label), with their element counts. */
static size_t summarize(const tlog *l, run *out, size_t cap)
{
    size_t nr = 0;
    for (size_t i = 0; i < tlog_len(l); i++) {
        const por_transcript_entry *e = &l->e[i];
        char op = e->op == POR_TLOG_OBSERVE ? 'o' : 's';
        const char *label = e->label ? e->label : "";
        if (nr > 0 && out[nr - 1].op == op && strcmp(out[nr - 1].label, label) == 0) {
            out[nr - 1].count += e->n;
        } else if (nr < cap) {
            out[nr++] = (run){op, label, e->n};
        }
    }
    return nr;
}

/* The elements observed under a label, in order. */
static size_t observed(const tlog *l, const char *label, gl_t *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < tlog_len(l); i++) {
        const por_transcript_entry *e = &l->e[i];
        if (e->op != POR_TLOG_OBSERVE || !e->label || strcmp(e->label, label) != 0)
            continue;
        for (unsigned j = 0; j < e->n && k < cap; j++)
            out[k++] = e->v[j];
    }
    return k;
}

/* The value of the first squeeze under a label ({0, 0} if none). */
static gl2_t squeezed(const tlog *l, const char *label)
{
    for (size_t i = 0; i < tlog_len(l); i++) {
        const por_transcript_entry *e = &l->e[i];
        if (e->op == POR_TLOG_SQUEEZE && e->label && strcmp(e->label, label) == 0)
            return (gl2_t){e->v[0], e->n > 1 ? e->v[1] : 0};
    }
    return (gl2_t){0, 0};
}

/* 1 if the label's observed elements are exactly want[0..n). */
static bool observed_is(const tlog *l, const char *label, const gl_t *want, size_t n)
{
    gl_t *got = malloc((n + 1) * sizeof(gl_t));
    size_t k = got ? observed(l, label, got, n + 1) : 0;
    bool same = got && k == n && memcmp(got, want, n * sizeof(gl_t)) == 0;
    free(got);
    return same;
}

static void check_recorded(const tlog *l)
{
    static run got[256];
    size_t nr = summarize(l, got, 256), ne = sizeof(EXPECTED) / sizeof(EXPECTED[0]);
    size_t first = nr < ne ? nr : ne;
    for (size_t i = 0; i < first; i++)
        if (got[i].op != EXPECTED[i].op || got[i].count != EXPECTED[i].count ||
            strcmp(got[i].label, EXPECTED[i].label) != 0) {
            first = i;
            break;
        }
    bool same = nr == ne && first == ne;
    ok(same, "the verifier's transcript is the recorded one (%zu runs, %zu operations)", nr, tlog_len(l));
    if (!same && first < nr)
        diag("first difference at run %zu: %s %s %u", first, got[first].op == 'o' ? "observe" : "squeeze",
             got[first].label, got[first].count);
    if (getenv("POR_TRANSCRIPT_RECORD"))
        for (size_t i = 0; i < nr; i++)
            printf("    {'%c', \"%s\", %u},\n", got[i].op, got[i].label, got[i].count);
}

/* Every observed proof element is the proof's own, in the proof's order. */
static void check_content(const tlog *l, const por_plonk_vk *vk, const por_plonk_proof *pf)
{
    const size_t cap = (size_t)4 << pf->cap_height; /* elements of one cap */
    const por_pcs_proof *op = &pf->opening;
    const size_t P = por_pcs_shape_total_polys(&op->shape);
    por_digest pi;
    por_plonk_public_inputs_digest(pf->public_inputs, pf->num_public_inputs, &pi);
    ok(observed_is(l, "plonk.circuit", vk->circuit_digest.e, 4), "observed: the key's circuit digest");
    ok(observed_is(l, "plonk.public_inputs", pi.e, 4), "observed: the digest of the proof's public inputs");
    ok(observed_is(l, "plonk.wires_cap", (const gl_t *)pf->wires_cap, cap), "observed: the wires cap");
    ok(observed_is(l, "plonk.zs_cap", (const gl_t *)pf->zs_cap, cap), "observed: the permutation cap");
    ok(observed_is(l, "plonk.quotient_cap", (const gl_t *)pf->quotient_cap, cap), "observed: the quotient cap");
    gl_t caps[4 * 4 * 16 * 4];
    memcpy(caps, vk->preprocessed_cap, cap * sizeof(gl_t));
    memcpy(caps + cap, pf->wires_cap, cap * sizeof(gl_t));
    memcpy(caps + 2 * cap, pf->zs_cap, cap * sizeof(gl_t));
    memcpy(caps + 3 * cap, pf->quotient_cap, cap * sizeof(gl_t));
    ok(cap <= 256 && observed_is(l, "pcs.cap", caps, 4 * cap), "observed: the four batch caps again, in order");
    gl2_t zeta = squeezed(l, "plonk.zeta");
    gl2_t wz = gl2_mul_base(zeta, gl_root_of_unity(vk->degree_bits));
    gl_t points[4] = {zeta.c0, zeta.c1, wz.c0, wz.c1};
    ok(observed_is(l, "pcs.point", points, 4), "observed: the opening points zeta and w zeta");
    ok(observed_is(l, "pcs.eval", (const gl_t *)op->evals, 4 * P), "observed: all %zu opened values", 2 * P);
    size_t fcaps = 0;
    for (unsigned k = 0; k < op->params.num_reductions; k++)
        fcaps += (size_t)1 << por_fri_layer_cap_height(&op->params, k);
    ok(observed_is(l, "fri.cap", (const gl_t *)op->fri.caps, 4 * fcaps), "observed: every FRI layer cap");
    ok(observed_is(l, "fri.final_poly", (const gl_t *)op->fri.final_poly, (size_t)2 << op->params.final_poly_bits),
       "observed: the final polynomial");
    ok(observed_is(l, "pow.nonce", &op->fri.pow_nonce, 1), "observed: the grinding nonce");
}

/* The verifier's log of a proof (vk may be a modified copy). */
static void verifier_log(const por_plonk_vk *vk, const por_plonk_proof *pf, tlog *l)
{
    tlog_init(l);
    const char *why = NULL;
    por_plonk_verify_logged(vk, pf, &l->log, &why);
}

/*
 * The altered proof's log must first differ at an observation labelled
 * `altered`, and the first squeeze labelled `challenge` after it must exist
 * in both logs and differ.
 */
static void check_alters(const char *what, const tlog *orig, const tlog *alt, const char *altered,
                         const char *challenge)
{
    size_t d = por_transcript_log_first_diff(&orig->log, &alt->log);
    size_t n = tlog_len(orig) < tlog_len(alt) ? tlog_len(orig) : tlog_len(alt);
    bool at = d < n && alt->e[d].op == POR_TLOG_OBSERVE && alt->e[d].label &&
              strcmp(alt->e[d].label, altered) == 0;
    bool changed = false, found = false;
    for (size_t i = d + 1; at && i < n && !found; i++) {
        const por_transcript_entry *a = &orig->e[i], *b = &alt->e[i];
        if (b->op != POR_TLOG_SQUEEZE || !b->label || strcmp(b->label, challenge) != 0)
            continue;
        found = true;
        changed = a->op == b->op && a->label && strcmp(a->label, b->label) == 0 && a->n == b->n &&
                  memcmp(a->v, b->v, a->n * sizeof(gl_t)) != 0;
    }
    ok(at && found && changed, "altering %s changes %s", what, challenge);
    if (!(at && found && changed)) {
        char buf[256];
        por_transcript_log_format(&alt->log, d, buf, sizeof(buf));
        diag("first difference: %s", buf);
    }
}

/* For FRI grinding and queries: the challenge is a run of squeezes; any may differ. */
static bool queries_differ(const tlog *orig, const tlog *alt)
{
    size_t n = tlog_len(orig) < tlog_len(alt) ? tlog_len(orig) : tlog_len(alt);
    for (size_t i = 0; i < n; i++) {
        const por_transcript_entry *a = &orig->e[i], *b = &alt->e[i];
        if (a->op == POR_TLOG_SQUEEZE && a->label && strcmp(a->label, "fri.query") == 0 && a->v[0] != b->v[0])
            return true;
    }
    return false;
}

static gl_t bump(gl_t x) { return gl_add(x, 1); }

static void test_alterations(const por_plonk_vk *vk, por_plonk_proof *pf, const tlog *orig)
{
    static tlog alt;
    por_pcs_proof *op = &pf->opening;
    const size_t P = por_pcs_shape_total_polys(&op->shape);
    gl_t save;

#define ALTER(lvalue, what, label, challenge)                  \
    do {                                                       \
        save = (lvalue);                                       \
        (lvalue) = bump(save);                                 \
        verifier_log(vk, pf, &alt);                            \
        (lvalue) = save;                                       \
        check_alters(what, orig, &alt, label, challenge);      \
    } while (0)

    size_t last = ((size_t)1 << pf->cap_height) - 1;
    ALTER(pf->wires_cap[last].e[3], "the wires cap", "plonk.wires_cap", "plonk.beta");
    ALTER(pf->zs_cap[0].e[0], "the permutation cap", "plonk.zs_cap", "plonk.alpha");
    ALTER(pf->quotient_cap[last].e[1], "the quotient cap", "plonk.quotient_cap", "plonk.zeta");
    ALTER(pf->public_inputs[pf->num_public_inputs - 1], "a public input", "plonk.public_inputs", "plonk.beta");

    /* the circuit digest: another key (the proof names it too, or it is refused outright) */
    por_plonk_vk other;
    if (por_plonk_vk_copy(vk, &other) == 0) {
        por_digest saved = pf->circuit_digest;
        other.circuit_digest.e[2] = bump(other.circuit_digest.e[2]);
        pf->circuit_digest = other.circuit_digest;
        verifier_log(&other, pf, &alt);
        pf->circuit_digest = saved;
        check_alters("the circuit digest", orig, &alt, "plonk.circuit", "plonk.beta");
        por_plonk_vk_free(&other);
    } else {
        ok(0, "vk copy");
    }

    /* opened values at zeta: two quotient chunks changed so that sum_c
     * zeta^(c m_q) t_c(zeta) stays the same, so the verifier gets past the
     * vanishing identity to the opening's challenges; chunk c is committed
     * as polynomials 2c, 2c + 1 of the last batch, its value a + u b */
    gl2_t zeta = squeezed(orig, "plonk.zeta");
    size_t qoff = P - op->shape.batches[op->shape.num_batches - 1].num_polys;
    gl2_t delta = {3, 5};
    gl2_t comp = gl2_mul(delta, gl2_inv(gl2_pow(zeta, vk->quotient_chunk_size)));
    gl2_t t0 = op->evals[qoff], t1 = op->evals[qoff + 2];
    op->evals[qoff] = gl2_add(t0, delta);
    op->evals[qoff + 2] = gl2_sub(t1, comp);
    verifier_log(vk, pf, &alt);
    op->evals[qoff] = t0, op->evals[qoff + 2] = t1;
    check_alters("opened values at zeta (two quotient chunks, vanishing identity kept)", orig, &alt, "pcs.eval",
                 "pcs.alpha");
    /* the FRI mask R0 at zeta enters no constraint */
    ALTER(op->evals[P - 2].c0, "the FRI mask's value at zeta", "pcs.eval", "pcs.alpha");
    /* at w zeta: a wire value (only Z and phi are used there by the constraints) */
    size_t woff = op->shape.batches[0].num_polys;
    ALTER(op->evals[P + woff + 1].c1, "a wire value at w zeta", "pcs.eval", "pcs.alpha");

    /* each FRI layer cap changes the next folding challenge */
    size_t off = 0;
    for (unsigned k = 0; k < op->params.num_reductions; k++) {
        char what[64];
        snprintf(what, sizeof(what), "FRI layer %u's cap", k);
        ALTER(op->fri.caps[off].e[0], what, "fri.cap", "fri.beta");
        if (k > 0) {
            /* the change must reach layer k's own beta, not only the first:
             * the alteration is after beta_0..beta_{k-1}, so those are equal */
            gl2_t b0 = squeezed(orig, "fri.beta"), b1 = squeezed(&alt, "fri.beta");
            ok(gl2_eq(b0, b1), "FRI layer %u's cap leaves the earlier betas alone", k);
        }
        off += (size_t)1 << por_fri_layer_cap_height(&op->params, k);
    }

    /* the final polynomial and the nonce change the query indices */
    ALTER(op->fri.final_poly[0].c1, "the final polynomial", "fri.final_poly", "pow.witness");
    ok(queries_differ(orig, &alt), "altering the final polynomial changes the query indices");
    save = op->fri.pow_nonce;
    op->fri.pow_nonce = bump(save);
    verifier_log(vk, pf, &alt);
    op->fri.pow_nonce = save;
    check_alters("the grinding nonce", orig, &alt, "pow.nonce", "pow.witness");
    ok(queries_differ(orig, &alt), "altering the grinding nonce changes the query indices");
#undef ALTER
}

int main(void)
{
    por_circuit_config cfg;
    por_batch_config_default(&cfg);
    cfg.final_poly_bits = 0; /* three FRI layers (arities 16, 16, 2) at 2^9 rows, not one */
    test_batch tb;
    if (test_batch_make(&tb, 1, 1, &cfg, NULL) != 0) {
        ok(0, "batch fixture");
        return done_testing();
    }
    const por_plonk_vk *vk = por_plonk_prover_vk(tb.pk);
    por_plonk_proof pf;
    const char *why = NULL;
    static tlog orig;
    tlog_init(&orig);
    bool proved = por_plonk_prove(tb.pk, tb.w, NULL, NULL, &pf, &why) == 0 &&
                  por_plonk_verify_logged(vk, &pf, &orig.log, &why) == 0;
    ok(proved, "a small batch proof verifies (%s)", why ? why : "ok");
    if (proved) {
        ok(orig.log.len <= LOG_CAP, "the whole transcript fits the log (%zu operations)", orig.log.len);
        check_recorded(&orig);
        check_content(&orig, vk, &pf);
        test_alterations(vk, &pf, &orig);
        /* the alterations were undone: the proof still verifies */
        ok(por_plonk_verify(vk, &pf, &why) == 0, "the restored proof verifies again");
    }
    por_plonk_proof_free(&pf);
    test_batch_free(&tb);
    return done_testing();
}
