/*
 * The malicious prover against the opening's Fiat-Shamir binding (the
 * mutation tests' attacks, test/mutation): a prover that learns a challenge
 * before it must fix what the challenge should bind could cheat, so each
 * forgery below is built from the challenges of an honest run (read from
 * the prover's transcript log) and must be rejected (and one Merkle
 * opening past the tree):
 *   - opened evaluations changed so that their alpha-combination, for the
 *     alpha of the honest run, is unchanged: sound only because alpha is
 *     drawn after the evaluations are absorbed;
 *   - a function whose fold vanishes at beta = 1: sound only because the
 *     folding challenge is drawn (not fixed);
 *   - a polynomial of too high degree, its final FRI polynomial chosen after
 *     the query indices (interpolating the DEEP values at the queried
 *     points): sound only because the final polynomial is absorbed before
 *     the grinding and the indices, and because the indices are squeezed
 *     from the transcript (fixed indices let this forgery through).
 */
#include <stdlib.h>
#include <string.h>

#include "commit/fri.h"
#include "commit/merkle.h"
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
 * FRI parameters of the given degree, reductions and grinding (log_n + rate =
 * LDE_BITS). */
static int run_open(run *r, unsigned log_n, unsigned degree_bits, const unsigned *arities, unsigned nred,
                    unsigned pow_bits)
{
    memset(r, 0, sizeof(*r));
    test_fri_params(&r->p, degree_bits, LDE_BITS - degree_bits, 1, QUERIES, pow_bits, arities, nred);
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
    if (!ok(run_open(&r, 5, 5, ar, 1, 2) == 0 && verify(&r, NULL) == 0, "evaluations: honest opening verifies")) {
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

/* The verifier's transcript up to FRI's query indices, replayed step by
 * step as pcs.c runs it (the caller's statement, the PCS statement, the
 * evaluations, alpha, gamma, then FRI's commit phase): the challenges the
 * verifier will use for this proof as it stands. */
static int replay(const run *r, gl2_t *alpha, gl2_t *gamma, por_fri_challenges *ch)
{
    por_transcript t;
    gl2_t point;
    begin(r, &t, &point);
    por_fri_params_observe(&t, &r->p);
    por_transcript_observe(&t, r->shape.num_points);
    por_transcript_observe(&t, r->shape.num_batches);
    por_transcript_observe(&t, r->shape.batches[0].num_polys);
    por_transcript_observe(&t, r->shape.batches[0].salted);
    por_transcript_observe_digests(&t, por_pcs_batch_cap(&r->batch), (size_t)1 << r->p.cap_height);
    por_transcript_observe_ext(&t, point);
    for (size_t i = 0; i < NPOLY; i++)
        por_transcript_observe_ext(&t, r->proof.evals[i]);
    *alpha = por_transcript_squeeze_ext(&t);
    *gamma = por_transcript_squeeze_ext(&t);
    return por_fri_verify_commit(&r->p, &r->proof.fri, &t, ch);
}

static void test_final_poly_bound(void)
{
    static run r;
    /* 2^6 coefficients claimed as degree < 2^5: no folding, the final
     * polynomial is the whole claim, checked at the queried points only; no
     * grinding, so the forger has nothing to redo once it knows the indices */
    int rc = run_open(&r, 6, 5, NULL, 0, 0);
    const char *why = NULL;
    int vrc = rc == 0 ? verify(&r, &why) : 0;
    ok(vrc != 0, "final polynomial: an honest prover of too high a degree is rejected (%s)", vrc ? why : "accepted!");
    gl_t a[2];
    gl2_t alpha = {0, 0}, gamma = {0, 0};
    por_fri_challenges ch;
    bool same = rc == 0 && replay(&r, &alpha, &gamma, &ch) == 0 && logged(&r, "pcs.alpha", 0, a, 2) &&
                gl2_eq(alpha, (gl2_t){a[0], a[1]});
    if (!ok(same, "final polynomial: the replayed transcript gives the prover's alpha")) {
        run_free(&r);
        return;
    }
    gl_t xs[QUERIES];
    gl2_t ys[QUERIES];
    size_t m = 0;
    for (size_t q = 0; q < QUERIES; q++) {
        gl_t x = por_lde_point(LDE_BITS, ch.indices[q]);
        bool dup = false;
        for (size_t i = 0; i < m; i++)
            dup |= xs[i] == x;
        if (dup)
            continue;
        xs[m] = x;
        ys[m++] = deep_value(&r, q, ch.indices[q], alpha, gamma);
    }
    /* the forger's final polynomial: through the DEEP values at the queried points */
    interpolate(xs, ys, m, r.proof.fri.final_poly, (size_t)1 << r.p.final_poly_bits);
    rc = verify(&r, &why);
    ok(rc != 0, "final polynomial chosen after the %zu queried points: rejected (%s)", m, rc ? why : "accepted!");
    run_free(&r);
}

/*
 * The folding challenge: f(x) = h(x^2) (1 - x), h of 2^5 coefficients, is
 * far from degree < 2^5, but its even and odd parts are h and -h, so the
 * fold h + beta (-h) vanishes for beta = 1: only a beta drawn after the
 * layer's commitment (never a fixed one) exposes it.
 */
static void test_fold_challenge(void)
{
    por_fri_params p;
    const unsigned ar[1] = {1};
    test_fri_params(&p, 5, LDE_BITS - 5, 1, QUERIES, 0, ar, 1);
    gl2_t h[32], *values = malloc(((size_t)1 << LDE_BITS) * sizeof(gl2_t));
    for (int i = 0; i < 32; i++)
        h[i] = (gl2_t){gl_from_u64(test_rand_u64(&seed)), gl_from_u64(test_rand_u64(&seed))};
    for (size_t i = 0; i < ((size_t)1 << LDE_BITS); i++) {
        gl_t x = por_lde_point(LDE_BITS, i), y = gl_mul(x, x);
        gl2_t acc = {0, 0};
        for (int k = 31; k >= 0; k--)
            acc = gl2_add(gl2_mul_base(acc, y), h[k]);
        values[i] = gl2_mul_base(acc, gl_sub(1, x));
    }
    por_transcript t;
    por_transcript_init(&t, PROTOCOL);
    por_fri_proof proof;
    size_t indices[QUERIES];
    int rc = por_fri_proof_alloc(&proof, &p) == 0 ? por_fri_prove(&p, values, &t, NULL, &proof, indices) : -1;
    por_fri_challenges ch;
    por_transcript_init(&t, PROTOCOL);
    bool accepted = rc == 0 && por_fri_verify_commit(&p, &proof, &t, &ch) == 0;
    for (size_t q = 0; accepted && q < QUERIES; q++)
        accepted = por_fri_verify_query(&p, &proof, &ch, q, values[ch.indices[q]]) == 0;
    ok(rc == 0 && !accepted, "FRI: h(x^2) (1 - x), which folds to 0 at beta = 1, is rejected");
    por_fri_proof_free(&proof);
    free(values);
}

/*
 * A batch opening at an index past the tree (2^L + 0), whose path is row 0's
 * and would land on the cap entry just past the cap: a caller's buffer that
 * holds a copy of cap[0] there must not make it pass.
 */
static void test_index_past_tree(void)
{
    enum { LOG = 4, WIDTH = 3, CH = 1 };
    gl_t rows[(1 << LOG) * WIDTH];
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        rows[i] = gl_from_u64(test_rand_u64(&seed));
    por_matrix m = {.log_rows = LOG, .width = WIDTH, .rows = rows};
    por_merkle_tree t;
    if (!ok(por_merkle_build(&t, NULL, &m, CH, false, NULL, NULL) == 0, "Merkle: tree built"))
        return;
    por_digest cap[(1 << CH) + 1], path[LOG];
    por_merkle_cap(&t, cap);
    cap[1 << CH] = cap[0];
    gl_t row[WIDTH];
    por_merkle_open(&t, 0, row, NULL, path);
    size_t idx = (size_t)1 << LOG;
    ok(por_merkle_verify_many(cap, CH, LOG, 1, &idx, row, WIDTH, WIDTH, NULL, 0, path, LOG - CH) != 0,
       "Merkle: index 2^L with row 0's opening is refused even with cap[0] stored past the cap");
    por_merkle_free(&t);
}

int main(void)
{
    test_index_past_tree();
    test_fold_challenge();
    test_evals_bound();
    test_final_poly_bound();
    return done_testing();
}
