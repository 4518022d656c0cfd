/*
 * The malicious prover against the opening's Fiat-Shamir binding (the
 * mutation tests' attacks, test/mutation): a prover that learns a challenge
 * before it must fix what the challenge should bind could cheat, so each
 * forgery below is built from the challenges of an honest run (read from
 * the prover's transcript log) and must be rejected:
 *   - opened evaluations changed so that their alpha-combination, for the
 *     alpha of the honest run, is unchanged: sound only because alpha is
 *     drawn after the evaluations are absorbed;
 *   - a polynomial of too high degree, its final FRI polynomial chosen after
 *     the query indices (interpolating the DEEP values at the queried
 *     points): sound only because the final polynomial is absorbed before
 *     the grinding and the indices, and because the indices are squeezed
 *     from the transcript (fixed indices let this forgery through).
 */
#include <stdlib.h>
#include <string.h>

#include "commit/pcs.h"
#include "field/ntt.h"
#include "hash/transcript.h"
#include "proof_fixtures.h"
#include "tap.h"

#define PROTOCOL "por-forged-pcs-test"
enum { NPOLY = 3, LDE_BITS = 7, QUERIES = 8, LOG_ENTRIES = 8192 };

static uint64_t seed = 0x70637366ULL;

typedef struct {
    por_fri_params p;
    por_pcs_shape shape;
    por_pcs_batch batch;
    gl2_t point;
    por_pcs_proof proof;
    por_transcript_entry entries[LOG_ENTRIES];
    por_transcript_log log;
} run;

/* The statement part of the transcript, as the caller of the PCS runs it. */
static void begin(const run *r, por_transcript *t, gl2_t *point)
{
    por_transcript_init(t, PROTOCOL);
    por_transcript_label(t, "test.cap");
    por_transcript_observe_digests(t, por_pcs_batch_cap(&r->batch), (size_t)1 << r->p.cap_height);
    por_transcript_label(t, "test.point");
    *point = por_transcript_squeeze_ext(t);
}

/* NPOLY random polynomials of 2^log_n coefficients opened at one point with
 * FRI parameters of the given degree and reductions (log_n + rate = LDE_BITS). */
static int run_open(run *r, unsigned log_n, unsigned degree_bits, const unsigned *arities, unsigned nred)
{
    memset(r, 0, sizeof(*r));
    test_fri_params(&r->p, degree_bits, LDE_BITS - degree_bits, 1, QUERIES, 2, arities, nred);
    gl_t *cols[NPOLY];
    for (int k = 0; k < NPOLY; k++) {
        cols[k] = malloc(((size_t)1 << log_n) * sizeof(gl_t));
        for (size_t i = 0; i < ((size_t)1 << log_n); i++)
            cols[k][i] = gl_from_u64(test_rand_u64(&seed));
    }
    int rc = por_pcs_commit(&r->batch, NULL, (const gl_t *const *)cols, NPOLY, log_n, LDE_BITS - log_n,
                            r->p.cap_height, false, NULL, NULL);
    for (int k = 0; k < NPOLY; k++)
        free(cols[k]);
    if (rc != 0)
        return -1;
    r->shape.num_points = 1;
    r->shape.num_batches = 1;
    r->shape.batches[0].num_polys = NPOLY;
    por_transcript t;
    begin(r, &t, &r->point);
    r->log = (por_transcript_log){r->entries, LOG_ENTRIES, 0};
    por_transcript_attach_log(&t, &r->log);
    const por_pcs_batch *bp[1] = {&r->batch};
    return por_pcs_open(&r->p, bp, 1, &r->point, 1, &t, NULL, &r->proof);
}

static void run_free(run *r)
{
    por_pcs_proof_free(&r->proof);
    por_pcs_batch_free(&r->batch);
}

static int verify(const run *r, const char **why)
{
    por_transcript t;
    gl2_t point;
    begin(r, &t, &point);
    const por_digest *caps[1] = {por_pcs_batch_cap(&r->batch)};
    return por_pcs_verify(&r->p, &r->shape, caps, &point, &r->proof, &t, why);
}

/* The k-th squeeze labelled `label` in the prover's log (its first two words). */
static bool logged(const run *r, const char *label, size_t k, gl_t *out, unsigned n)
{
    for (size_t i = 0; i < r->log.len && i < r->log.cap; i++) {
        const por_transcript_entry *e = &r->log.entries[i];
        if (e->op != POR_TLOG_SQUEEZE || !e->label || strcmp(e->label, label) != 0)
            continue;
        if (k-- > 0)
            continue;
        memcpy(out, e->v, n * sizeof(gl_t));
        return true;
    }
    return false;
}

static void test_evals_bound(void)
{
    static run r;
    const unsigned ar[1] = {2};
    if (!ok(run_open(&r, 5, 5, ar, 1) == 0 && verify(&r, NULL) == 0, "evaluations: honest opening verifies")) {
        run_free(&r);
        return;
    }
    gl_t a[2];
    ok(logged(&r, "pcs.alpha", 0, a, 2), "evaluations: the honest run's alpha is in its log");
    gl2_t alpha = {a[0], a[1]}, d = {12345, 678};
    /* y_0 + d and y_1 - d / alpha: the same sum_k alpha^k y_k */
    r.proof.evals[0] = gl2_add(r.proof.evals[0], d);
    r.proof.evals[1] = gl2_sub(r.proof.evals[1], gl2_mul(d, gl2_inv(alpha)));
    const char *why = NULL;
    int rc = verify(&r, &why);
    ok(rc != 0, "evaluations changed under the honest alpha: rejected (%s)", rc ? why : "accepted!");
    run_free(&r);
}

/* The DEEP value the verifier computes at query q of r (pcs.c's formula). */
static gl2_t deep_value(const run *r, size_t q, size_t idx, gl2_t alpha, gl2_t gamma)
{
    const gl_t *row = r->proof.rows + q * NPOLY;
    gl2_t ax = {0, 0}, az = {0, 0};
    for (size_t k = NPOLY; k-- > 0;) {
        ax = gl2_add(gl2_mul(ax, alpha), gl2_from_base(row[k]));
        az = gl2_add(gl2_mul(az, alpha), r->proof.evals[k]);
    }
    gl_t x = por_lde_point(LDE_BITS, idx);
    gl2_t f = gl2_mul(gl2_sub(ax, az), gl2_inv(gl2_sub(gl2_from_base(x), r->point)));
    return gl2_add(f, gl2_mul(f, gl2_mul_base(gamma, x)));
}

/* Coefficients (n of them) of the polynomial through the m <= n points (x_i, y_i), distinct x_i. */
static void interpolate(const gl_t *x, const gl2_t *y, size_t m, gl2_t *coef, size_t n)
{
    for (size_t k = 0; k < n; k++)
        coef[k] = (gl2_t){0, 0};
    for (size_t i = 0; i < m; i++) {
        gl_t basis[QUERIES + 1] = {1}, denom = 1;
        size_t deg = 0;
        for (size_t j = 0; j < m; j++) {
            if (j == i)
                continue;
            for (size_t k = ++deg; k > 0; k--) /* basis *= (X - x_j) */
                basis[k] = gl_sub(basis[k - 1], gl_mul(basis[k], x[j]));
            basis[0] = gl_sub(0, gl_mul(basis[0], x[j]));
            denom = gl_mul(denom, gl_sub(x[i], x[j]));
        }
        gl2_t s = gl2_mul_base(y[i], gl_inv(denom));
        for (size_t k = 0; k <= deg; k++)
            coef[k] = gl2_add(coef[k], gl2_mul_base(s, basis[k]));
    }
}

static void test_final_poly_bound(void)
{
    static run r;
    /* 2^6 coefficients claimed as degree < 2^5: no folding, the final
     * polynomial is the whole claim, checked at the queried points only */
    int rc = run_open(&r, 6, 5, NULL, 0);
    const char *why = NULL;
    int vrc = rc == 0 ? verify(&r, &why) : 0;
    ok(vrc != 0, "final polynomial: an honest prover of too high a degree is rejected (%s)", vrc ? why : "accepted!");
    gl_t a[2], g[2], xs[QUERIES];
    gl2_t ys[QUERIES];
    bool found = rc == 0 && logged(&r, "pcs.alpha", 0, a, 2) && logged(&r, "pcs.gamma", 0, g, 2);
    size_t m = 0;
    for (size_t q = 0; found && q < QUERIES; q++) {
        gl_t raw;
        found &= logged(&r, "fri.query", q, &raw, 1);
        size_t idx = raw & (((size_t)1 << LDE_BITS) - 1);
        gl_t x = por_lde_point(LDE_BITS, idx);
        bool dup = false;
        for (size_t i = 0; i < m; i++)
            dup |= xs[i] == x;
        if (dup)
            continue;
        xs[m] = x;
        ys[m++] = deep_value(&r, q, idx, (gl2_t){a[0], a[1]}, (gl2_t){g[0], g[1]});
    }
    if (!ok(found, "final polynomial: the honest run's alpha, gamma and query indices are in its log")) {
        run_free(&r);
        return;
    }
    /* the forger's final polynomial: through the DEEP values at the queried points */
    interpolate(xs, ys, m, r.proof.fri.final_poly, (size_t)1 << r.p.final_poly_bits);
    rc = verify(&r, &why);
    ok(rc != 0, "final polynomial chosen after the %zu queried points: rejected (%s)", m, rc ? why : "accepted!");
    run_free(&r);
}

int main(void)
{
    test_evals_bound();
    test_final_poly_bound();
    return done_testing();
}
