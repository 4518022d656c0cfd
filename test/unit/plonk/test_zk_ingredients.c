/*
 * Every zero-knowledge ingredient of plonk.h's count is present in a proof
 * (the mutation tests remove each one; test/mutation/zk.mut):
 *   - the blinding counts: at least Q + 4 regular rows (the values a wire
 *     polynomial reveals), 2 Q + 5 pairs (those of Z), quotient chunks
 *     short by Q + 6 (room for the masks), for Q = 2 and 28;
 *   - the blinding rows of every wire column hold random values, both rows
 *     of a pair the same one;
 *   - the lookup helpers and phi are random on the blinding rows;
 *   - the quotient chunks carry their masks (coefficients past m_q) and the
 *     FRI masks R0, R1 are random polynomials;
 *   - the witness batches are committed salted, with random salts that
 *     differ between two proofs of one witness.
 * The prover's TESTING ONLY hooks (plonk.h) show the values on H and the
 * coefficients just before each commitment.
 */
#include <stdlib.h>
#include <string.h>

#include "lookup_fixture.h"
#include "tap.h"

static uint64_t seed = 0x7a6b696e6772ULL;

typedef struct {
    const fixture *f;
    bool wires_random, pairs_equal, lookups_random, quotient_masked, fri_masked, seen[4];
} watch;

static bool any_nonzero(const gl_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i])
            return true;
    return false;
}

/* The wire values on H: every column random on the blinding rows. */
static void watch_wires(void *ctx, gl_t **cols, size_t ncols, size_t n)
{
    watch *wt = ctx;
    const por_circuit *c = wt->f->c;
    const size_t bs = c->blind_start, R = c->config.num_routed_wires;
    wt->wires_random = true;
    for (size_t j = 0; j < ncols; j++)
        wt->wires_random &= any_nonzero(cols[j] + bs, c->num_blind_regular) && any_nonzero(cols[j] + bs, n - bs);
    wt->pairs_equal = c->num_blind_pairs > 0;
    for (size_t p = 0; p < c->num_blind_pairs; p++) {
        size_t a = bs + c->num_blind_regular + 2 * p;
        for (size_t j = 0; j < R; j++)
            wt->pairs_equal &= cols[j][a] == cols[j][a + 1] && cols[j][a] != 0;
    }
}

/* The permutation batch on H: the helpers and phi random after the active rows. */
static void watch_permutation(void *ctx, gl_t **cols, size_t ncols, size_t n)
{
    watch *wt = ctx;
    const por_plonk_vk *vk = por_plonk_prover_vk(wt->f->pk);
    const size_t bs = wt->f->c->blind_start, first = 2 * vk->num_perm_chunks;
    wt->lookups_random = ncols > first;
    for (size_t k = first; k < ncols; k++)
        wt->lookups_random &= any_nonzero(cols[k] + bs + 1, n - bs - 1);
}

/* The coefficients of the quotient batch: chunk c < q - 1 reaches past
 * m_q (its mask), the last two columns (R0, R1) are nonzero. */
static void watch_commit(void *ctx, unsigned round, const gl_t *const *coeffs, size_t ncols, size_t n)
{
    watch *wt = ctx;
    if (round < 4)
        wt->seen[round] = true;
    if (round != 3)
        return;
    const por_plonk_vk *vk = por_plonk_prover_vk(wt->f->pk);
    const size_t q = vk->num_quotient_chunks, mq = vk->quotient_chunk_size;
    wt->quotient_masked = q > 1 && ncols == 2 * q + 2;
    for (size_t ch = 0; ch + 1 < q && ncols == 2 * q + 2; ch++)
        wt->quotient_masked &= any_nonzero(coeffs[2 * ch] + mq, n - mq) && any_nonzero(coeffs[2 * ch + 1] + mq, n - mq);
    wt->fri_masked = ncols == 2 * q + 2 && any_nonzero(coeffs[2 * q], n) && any_nonzero(coeffs[2 * q + 1], n);
}

static void test_counts(void)
{
    static const unsigned queries[] = {2, 28};
    for (size_t i = 0; i < 2; i++) {
        por_circuit_config cfg;
        por_circuit_config_default(&cfg);
        cfg.num_queries = queries[i];
        cfg.zero_knowledge = true;
        por_builder *b = por_builder_new(&cfg);
        por_target x = por_builder_add_virtual(b);
        por_builder_register_public_input(b, por_builder_add(b, x, x));
        const char *why;
        por_circuit *c = por_builder_build(b, &why);
        por_builder_free(b);
        por_plonk_prover *pk = c ? por_plonk_setup(c, NULL, &why) : NULL;
        const size_t Q = queries[i];
        ok(c && c->num_blind_regular >= Q + 4, "Q=%zu: %zu regular blinding rows >= Q + 4 revealed wire values", Q,
           c ? c->num_blind_regular : 0);
        ok(c && c->num_blind_pairs >= 2 * Q + 5, "Q=%zu: %zu blinding pairs >= 2 Q + 5 (Z's revealed values / 2)",
           Q, c ? c->num_blind_pairs : 0);
        ok(pk && c->n - por_plonk_prover_vk(pk)->quotient_chunk_size >= Q + 6,
           "Q=%zu: the quotient chunks leave >= Q + 6 coefficients to their masks", Q);
        por_plonk_prover_free(pk);
        por_circuit_free(c);
    }
}

/* One proof of w with the watching hooks and the randomness seeded by rs. */
static int prove_watched(const fixture *f, por_witness *w, uint64_t rs, watch *wt, por_plonk_proof *proof)
{
    memset(wt, 0, sizeof(*wt));
    wt->f = f;
    por_plonk_prove_opts opts = {.rand = test_rand_fields, .rand_ctx = &rs, .tamper_wires = watch_wires,
                                 .tamper_permutation = watch_permutation, .inspect_commit = watch_commit,
                                 .tamper_ctx = wt};
    const char *why = NULL;
    int rc = por_plonk_prove(f->pk, w, NULL, &opts, proof, &why);
    if (rc != 0)
        diag("prove: %s", why);
    return rc;
}

static void test_randomness(void)
{
    fixture f;
    if (!ok(fixture_build(&f), "lookup circuit with zero knowledge builds")) {
        fixture_free(&f);
        return;
    }
    por_witness *w = fixture_witness(&f, &seed, VALUES, 0);
    watch a, b;
    por_plonk_proof pa, pb;
    int ra = prove_watched(&f, w, 1, &a, &pa), rb = prove_watched(&f, w, 2, &b, &pb);
    const char *why = NULL;
    ok(ra == 0 && rb == 0 && por_plonk_verify(por_plonk_prover_vk(f.pk), &pa, &why) == 0 &&
           por_plonk_verify(por_plonk_prover_vk(f.pk), &pb, &why) == 0,
       "two proofs of one witness verify (%s)", why ? why : "ok");
    ok(a.seen[1] && a.seen[2] && a.seen[3], "the hooks saw the three commitments");
    ok(a.wires_random, "every wire column is random on the blinding rows");
    ok(a.pairs_equal, "both rows of every blinding pair hold the same nonzero value");
    ok(a.lookups_random, "the lookup helpers and phi are random after the active rows");
    ok(a.quotient_masked, "every quotient chunk but the last carries a mask past m_q");
    ok(a.fri_masked, "the FRI masks R0, R1 are nonzero polynomials");
    /* salts: present on the witness batches, random, different per proof */
    const por_pcs_shape *s = &pa.opening.shape;
    bool salted = s->num_batches == 4 && !s->batches[0].salted;
    for (unsigned bt = 1; bt < s->num_batches; bt++)
        salted &= s->batches[bt].salted == 1;
    ok(ra == 0 && salted, "the wires, permutation and quotient batches are salted, the preprocessed one is not");
    size_t nsalt = (size_t)pa.opening.params.num_queries * s->num_batches * POR_MERKLE_SALT;
    bool nonzero = true, differ = true;
    for (size_t i = 0; ra == 0 && rb == 0 && i < nsalt; i += POR_MERKLE_SALT) {
        if (i / POR_MERKLE_SALT % s->num_batches == 0)
            continue; /* the preprocessed batch's slot is unused */
        nonzero &= any_nonzero(pa.opening.salts + i, POR_MERKLE_SALT);
        differ &= memcmp(pa.opening.salts + i, pb.opening.salts + i, POR_MERKLE_SALT * sizeof(gl_t)) != 0;
    }
    ok(ra == 0 && rb == 0 && nonzero && differ, "every opened salt is nonzero and differs between the two proofs");
    por_plonk_proof_free(&pa);
    por_plonk_proof_free(&pb);
    por_witness_free(w);
    fixture_free(&f);
}

int main(void)
{
    test_counts();
    test_randomness();
    return done_testing();
}
