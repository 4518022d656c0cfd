/*
 * Zero knowledge with a margin (plonk.h).  The count of what a proof reveals
 * per committed polynomial is recomputed here from the configuration alone
 * and compared with what the circuit reserves, for many numbers of queries:
 * a change that raises num_queries (or adds an opening) without the blinding
 * following fails.  Then two proofs of one witness: no shared salt or mask,
 * every opened wire value different, and exactly the randomness the count
 * asks for drawn by the prover.
 */
#include <stdlib.h>
#include <string.h>

#include "agg/compress.h"
#include "batch_fixture.h"
#include "commit/merkle.h"
#include "plonk/circuit.h"
#include "plonk/plonk.h"
#include "por/batch.h"
#include "tap.h"

/* The spare base-field degrees of freedom every polynomial must keep; stated
 * in plonk.h and circuit.h (POR_CIRCUIT_ZK_MARGIN), written out here so that
 * lowering the library's constant fails. */
#define MARGIN 4

/* What one proof reveals, from the number of queries and opening points only. */
typedef struct {
    size_t per_poly;  /* base values of one committed base polynomial */
    size_t z_pair;    /* base values of the shifted pair (Z0, Z1), or (phi0, phi1) */
    size_t relations; /* base-value relations among the quotient chunks */
} revealed;

static revealed count_revealed(size_t queries, size_t points)
{
    revealed r;
    /* an extension value at each point (2 base functionals), a base value per query row */
    r.per_poly = queries + 2 * points;
    /* both halves' openings, plus what the quotient relation exposes of the
     * shifted values: at the last point (w^2 zeta, an extension value) and
     * at every query point (an extension value each) */
    r.z_pair = 2 * r.per_poly + 2 + 2 * queries;
    /* t(x) is known to the simulator at every opened point (queries and points) */
    r.relations = 2 * (queries + points);
    return r;
}

/* A one-gate circuit of cfg, preprocessed; NULL on failure. */
static por_plonk_prover *tiny(const por_circuit_config *cfg, por_circuit **c)
{
    por_builder *b = por_builder_new(cfg);
    por_builder_mul(b, por_builder_add_virtual(b), por_builder_add_virtual(b));
    const char *why = NULL;
    *c = por_builder_build(b, &why);
    por_builder_free(b);
    por_plonk_prover *pk = *c ? por_plonk_setup(*c, NULL, &why) : NULL;
    if (!pk)
        diag("tiny circuit: %s", why ? why : "failed");
    return pk;
}

/* The blinding of one configuration against the independent count. */
static void check_counts(const char *name, const por_circuit_config *cfg)
{
    por_circuit *c = NULL;
    por_plonk_prover *pk = tiny(cfg, &c);
    if (!pk) {
        ok(0, "%s: circuit", name);
        por_circuit_free(c);
        return;
    }
    const por_plonk_vk *vk = por_plonk_prover_vk(pk);
    por_pcs_shape shape;
    por_plonk_vk_shape(vk, &shape);
    size_t Q = cfg->num_queries;
    revealed r = count_revealed(Q, shape.num_points);
    size_t q = vk->num_quotient_chunks, h = c->n - vk->quotient_chunk_size;
    size_t masked = 2 * (q - 1) * h, exposed = q * 2 * r.per_poly - r.relations;
    ok(c->num_blind_regular >= r.per_poly + MARGIN,
       "%s (Q = %zu): %zu regular rows cover a wire's %zu revealed values + %d", name, Q, c->num_blind_regular,
       r.per_poly, MARGIN);
    ok(2 * c->num_blind_pairs >= r.z_pair + MARGIN,
       "%s: %zu pairs (%zu base values) cover Z's %zu revealed values + %d", name, c->num_blind_pairs,
       2 * c->num_blind_pairs, r.z_pair, MARGIN);
    ok(q >= 2 && masked >= exposed + MARGIN,
       "%s: quotient masks of %zu coefficients in %zu chunks (%zu base values) cover %zu + %d", name, h, q,
       masked, exposed, MARGIN);
    ok(c->n - c->blind_start == c->num_blind_regular + 2 * c->num_blind_pairs &&
           c->blind_start >= c->num_gate_rows,
       "%s: the blinding rows are reserved after the gate rows", name);
    por_plonk_prover_free(pk);
    por_circuit_free(c);
}

static void test_counts(void)
{
    static const unsigned queries[] = {1, 2, 7, 28, 42, 64, 100, 150};
    por_circuit_config cfg;
    por_circuit_config_default(&cfg);
    check_counts("circuit default", &cfg);
    por_batch_config_default(&cfg);
    check_counts("batch default", &cfg);
    por_agg_compress_config(&cfg); /* the published final proof's */
    check_counts("compression", &cfg);
    for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
        por_circuit_config_default(&cfg);
        cfg.num_queries = queries[i];
        check_counts("circuit default", &cfg);
        por_batch_config_default(&cfg);
        cfg.num_queries = queries[i];
        cfg.max_degree = 8 + 3 * (unsigned)i; /* other numbers of quotient chunks */
        check_counts("batch config", &cfg);
    }
}

/* OpenSSL randomness, counted. */
typedef struct {
    size_t drawn;
} rand_count;

static int counting_rand(void *ctx, gl_t *out, size_t n)
{
    ((rand_count *)ctx)->drawn += n;
    return por_rand_openssl(NULL, out, n);
}

/* The randomness one proof needs, from the circuit's layout (plonk.h). */
static size_t expected_draws(const por_circuit *c, const por_plonk_vk *vk)
{
    const por_circuit_config *cfg = &c->config;
    size_t n = c->n, b = n - c->blind_start, lk = cfg->lookup_bits != 0;
    size_t lde = n << cfg->rate_bits;
    size_t wires = (cfg->num_wires + lk) * b;                         /* every blinding row of every wire */
    size_t lookup = lk ? 2 * vk->num_lookup_groups * b + 2 * (b - 1) : 0; /* helpers; phi after w^b */
    size_t qmasks = (vk->num_quotient_chunks - 1) * 2 * (n - vk->quotient_chunk_size);
    size_t fri_masks = 2 * n;                                          /* R0, R1 */
    size_t salts = 3 * lde * POR_MERKLE_SALT;                          /* wires, Z, quotient leaves */
    return wires + lookup + qmasks + fri_masks + salts;
}

static bool ext_eq(gl2_t a, gl2_t b) { return a.c0 == b.c0 && a.c1 == b.c1; }

static void test_two_proofs(void)
{
    por_circuit_config cfg;
    por_batch_config_default(&cfg);
    test_batch tb;
    if (test_batch_make(&tb, 1, 1, &cfg, NULL) != 0) {
        ok(0, "batch fixture");
        return;
    }
    const por_circuit *c = tb.bc->circuit;
    const por_plonk_vk *vk = por_plonk_prover_vk(tb.pk);
    por_plonk_proof proof[2];
    rand_count rc[2] = {{0}, {0}};
    bool proved = true;
    for (int i = 0; i < 2; i++) {
        por_plonk_prove_opts opts = {.rand = counting_rand, .rand_ctx = &rc[i]};
        const char *why = NULL;
        proved &= por_plonk_prove(tb.pk, tb.w, NULL, &opts, &proof[i], &why) == 0 &&
                  por_plonk_verify(vk, &proof[i], &why) == 0;
        if (why)
            diag("proof %d: %s", i, why);
    }
    ok(proved, "two proofs of one witness (production batch configuration) verify");
    if (!proved)
        goto out;
    const por_pcs_proof *a = &proof[0].opening, *b = &proof[1].opening;
    const por_pcs_shape *s = &a->shape;
    const size_t P = por_pcs_shape_total_polys(s), B = s->num_batches, Q = a->params.num_queries;

    /* with lookups: the multiplicities and helpers are uniform on every
     * blinding row, phi on those after w^b (plonk.h) */
    revealed r = count_revealed(Q, s->num_points);
    size_t rows = c->n - c->blind_start;
    ok(c->config.lookup_bits && rows >= r.per_poly + MARGIN && 2 * (rows - 1) >= r.z_pair + MARGIN,
       "lookup columns: %zu blinding rows cover the multiplicities' %zu and phi's %zu revealed values + %d", rows,
       r.per_poly, r.z_pair, MARGIN);

    /* every drawn element is accounted for: each ingredient's count, nothing missing */
    size_t want = expected_draws(c, vk);
    ok(rc[0].drawn == want && rc[1].drawn == want,
       "each proof draws exactly the blinding, masks and salts the count needs (%zu, %zu of %zu)", rc[0].drawn,
       rc[1].drawn, want);

    /* salts: every opened leaf salted, none shared between the proofs */
    bool salted_all = true, shared_salt = false;
    for (size_t bt = 1; bt < B; bt++)
        salted_all &= s->batches[bt].salted == 1;
    for (size_t qa = 0; qa < Q; qa++)
        for (size_t bt = 1; bt < B; bt++) {
            const gl_t *sa = a->salts + (qa * B + bt) * POR_MERKLE_SALT;
            bool zero = true;
            for (int e = 0; e < POR_MERKLE_SALT; e++)
                zero &= sa[e] == 0;
            salted_all &= !zero;
            for (size_t qb = 0; qb < Q; qb++)
                shared_salt |= memcmp(sa, b->salts + (qb * B + bt) * POR_MERKLE_SALT,
                                      POR_MERKLE_SALT * sizeof(gl_t)) == 0;
        }
    ok(salted_all, "the wires, permutation and quotient leaves are salted (no zero salt opened)");
    ok(!shared_salt, "no opened salt of one proof appears in the other");

    /* masks: R0, R1 (the quotient batch's last two polynomials) are non-zero and differ */
    size_t qoff = P - s->batches[B - 1].num_polys;
    bool masks_differ = true;
    for (size_t pt = 0; pt < s->num_points; pt++)
        for (size_t k = s->batches[B - 1].num_polys - 2; k < s->batches[B - 1].num_polys; k++) {
            gl2_t ea = a->evals[pt * P + qoff + k], eb = b->evals[pt * P + qoff + k];
            masks_differ &= !ext_eq(ea, eb) && !ext_eq(ea, (gl2_t){0, 0}) && !ext_eq(eb, (gl2_t){0, 0});
        }
    ok(masks_differ, "the FRI masks R0, R1 open to non-zero values that differ between the proofs");

    /* every opened wire value differs: evaluations at both points and every query row */
    size_t woff = s->batches[0].num_polys, W = s->batches[1].num_polys;
    size_t same_eval = 0, same_row = 0;
    for (size_t j = 0; j < W; j++) {
        for (size_t pt = 0; pt < s->num_points; pt++)
            same_eval += ext_eq(a->evals[pt * P + woff + j], b->evals[pt * P + woff + j]);
        for (size_t qa = 0; qa < Q; qa++)
            same_row += a->rows[qa * P + woff + j] == b->rows[qa * P + woff + j];
    }
    ok(same_eval == 0, "all %zu wire columns open to other values at zeta and w zeta (%zu equal)", W, same_eval);
    ok(same_row == 0, "every wire value of every query row differs (%zu equal)", same_row);
out:
    por_plonk_proof_free(&proof[0]);
    por_plonk_proof_free(&proof[1]);
    test_batch_free(&tb);
}

int main(void)
{
    test_counts();
    test_two_proofs();
    return done_testing();
}
