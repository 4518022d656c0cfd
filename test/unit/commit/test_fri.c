/* FRI: parameter rules, the folding map, prove/verify on low-degree
 * functions for every arity, rejection of high-degree functions and of every
 * tampered proof component, and the proof encoding. */
#include <stdlib.h>
#include <string.h>

#include "commit/fri.h"
#include "field/ntt.h"
#include "proof_fixtures.h"
#include "tap.h"

static uint64_t seed = 0x5eed0f7100000001ULL;

static gl_t rnd(void) { return gl_from_u64(test_rand_u64(&seed)); }
static gl2_t rnd2(void) { return (gl2_t){rnd(), rnd()}; }

/* LDE (bit-reversed, 2^lde_bits points) of a random extension polynomial with
 * ncoef coefficients (ncoef <= 2^lde_bits). */
static gl2_t *random_lde(size_t ncoef, unsigned lde_bits)
{
    size_t n = (size_t)1 << lde_bits;
    gl2_t *v = calloc(n, sizeof(gl2_t));
    for (size_t i = 0; i < ncoef; i++)
        v[i] = rnd2();
    if (!v || por_ntt_forward_br_ext(v, lde_bits, GL_GENERATOR) != 0) {
        printf("Bail out! out of memory building a test LDE\n");
        exit(1);
    }
    return v;
}

#define PROTOCOL "por-fri-test"

/* Runs the prover on a fresh transcript. */
static int prove(const por_fri_params *p, const gl2_t *values, por_fri_proof *proof, size_t *indices,
                 por_pool *pool)
{
    por_transcript t;
    por_transcript_init(&t, PROTOCOL);
    por_fri_params_observe(&t, p);
    if (por_fri_proof_alloc(proof, p) != 0)
        return -1;
    return por_fri_prove(p, values, &t, pool, proof, indices);
}

/* Runs the verifier; layer-0 values come from the (honest) function. */
static int verify(const por_fri_params *p, const gl2_t *values, const por_fri_proof *proof)
{
    por_transcript t;
    por_transcript_init(&t, PROTOCOL);
    por_fri_params_observe(&t, p);
    por_fri_challenges ch;
    if (por_fri_verify_commit(p, proof, &t, &ch) != 0)
        return -1;
    for (size_t q = 0; q < p->num_queries; q++)
        if (por_fri_verify_query(p, proof, &ch, q, values[ch.indices[q]]) != 0)
            return -1;
    return 0;
}

static void test_params(void)
{
    por_fri_params p;
    ok(por_fri_params_init(&p, 16, 3, 4, 28, 16, 4, 5) == 0, "default-like params");
    ok(p.num_reductions == 3 && p.reduction_bits[0] == 4 && p.reduction_bits[1] == 4 &&
           p.reduction_bits[2] == 3,
       "rule: degree 16, arity 4, final 5 -> 4, 4, 3");
    ok(por_fri_params_init(&p, 5, 3, 4, 28, 16, 4, 5) == 0 && p.num_reductions == 0,
       "degree already at the final size: no reduction");
    ok(por_fri_params_init(&p, 10, 1, 0, 1, 0, 1, 0) == 0 && p.num_reductions == 10, "arity 2 down to a constant");
    is_u64(por_fri_layer_cap_height(&p, 9), 0, "layer cap height clamps to the layer tree");

    por_fri_params_init(&p, 10, 2, 3, 8, 4, 2, 2);
    ok(por_fri_params_check(&p) == NULL, "valid");
    por_fri_params b = p;
    b.final_poly_bits++;
    ok(por_fri_params_check(&b) != NULL, "reject: reductions + final != degree");
    b = p;
    b.reduction_bits[0] = 5;
    b.reduction_bits[1] = 1;
    ok(por_fri_params_check(&b) != NULL, "reject: arity above the maximum");
    b = p;
    b.reduction_bits[0] = 0;
    b.final_poly_bits += 2;
    ok(por_fri_params_check(&b) != NULL, "reject: arity 0");
    b = p;
    b.reduction_bits[b.num_reductions] = 1;
    ok(por_fri_params_check(&b) != NULL, "reject: nonzero unused reduction slot");
    b = p;
    b.rate_bits = 0;
    ok(por_fri_params_check(&b) != NULL, "reject: rate_bits 0");
    b = p;
    b.num_queries = 0;
    ok(por_fri_params_check(&b) != NULL, "reject: no queries");
    b = p;
    b.num_queries = POR_FRI_MAX_QUERIES + 1;
    ok(por_fri_params_check(&b) != NULL, "reject: too many queries");
    b = p;
    b.pow_bits = POR_FRI_MAX_POW_BITS + 1;
    ok(por_fri_params_check(&b) != NULL, "reject: pow_bits too large");
    b = p;
    b.cap_height = 13;
    ok(por_fri_params_check(&b) != NULL, "reject: cap above the tree");
    b = p;
    b.num_reductions = POR_FRI_MAX_REDUCTIONS + 1;
    ok(por_fri_params_check(&b) != NULL, "reject: too many reductions");
    b = p;
    b.degree_bits = 29;
    b.final_poly_bits += 19;
    ok(por_fri_params_check(&b) != NULL, "reject: LDE too large");
    ok(!por_fri_params_equal(&p, &b), "params_equal sees the difference");
    ok(por_fri_params_init(&p, 4, 3, 0, 8, 0, 0, 0) != 0, "init rejects arity 0");
    ok(por_fri_params_init(&p, 4, 3, 0, 8, 0, 2, 5) != 0, "init rejects final above degree");
}

/* The leaf fold equals F'(x0^(2^a)) with F' = sum_r beta^r F_r from the coefficients. */
static void test_fold_leaf(void)
{
    for (unsigned a = 1; a <= POR_FRI_MAX_ARITY_BITS; a++) {
        size_t arity = (size_t)1 << a, deg = arity * 4;
        gl2_t coef[64], folded[4];
        for (size_t i = 0; i < deg; i++)
            coef[i] = rnd2();
        gl2_t beta = rnd2();
        for (size_t i = 0; i < 4; i++) {
            folded[i] = (gl2_t){0, 0};
            gl2_t bp = gl2_from_base(1);
            for (size_t r = 0; r < arity; r++) {
                folded[i] = gl2_add(folded[i], gl2_mul(bp, coef[i * arity + r]));
                bp = gl2_mul(bp, beta);
            }
        }
        gl_t x0 = rnd();
        gl_t u = gl_root_of_unity(a);
        gl2_t leaf[16];
        for (size_t j = 0; j < arity; j++) {
            gl_t x = gl_mul(x0, gl_pow(u, por_bit_reverse_index(j, a)));
            leaf[j] = por_poly_eval_ext2(coef, deg, gl2_from_base(x));
        }
        gl2_t got = por_fri_fold_leaf(leaf, a, x0, beta);
        gl2_t want = por_poly_eval_ext2(folded, 4, gl2_from_base(gl_pow(x0, arity)));
        ok(gl2_eq(got, want), "fold of a leaf of arity 2^%u matches the coefficient fold", a);
    }
    ok(gl_sqr(gl_root_of_unity(9)) == gl_root_of_unity(8), "roots of unity are consistent under squaring");
}

static void test_honest(por_pool *pool)
{
    static const struct {
        unsigned log_n, rate, cap, nred;
        unsigned ar[8];
    } cases[] = {
        {5, 1, 0, 5, {1, 1, 1, 1, 1}},
        {6, 2, 2, 3, {2, 2, 2}},
        {7, 3, 4, 2, {3, 3}},
        {8, 3, 4, 2, {4, 4}},
        {9, 2, 3, 3, {4, 3, 2}},
        {10, 3, 4, 3, {1, 4, 3}},
        {10, 1, 1, 2, {4, 4}},
        {6, 3, 4, 0, {0}},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        por_fri_params p;
        test_fri_params(&p, cases[c].log_n, cases[c].rate, cases[c].cap, 12, 4, cases[c].ar, cases[c].nred);
        ok(por_fri_params_check(&p) == NULL, "case %zu: params valid", c);
        unsigned L = cases[c].log_n + cases[c].rate;
        gl2_t *v = random_lde((size_t)1 << cases[c].log_n, L);
        por_fri_proof proof;
        size_t idx[POR_FRI_MAX_QUERIES];
        ok(prove(&p, v, &proof, idx, c % 2 ? pool : NULL) == 0, "case %zu (log_n %u, %u layers): prove", c,
           cases[c].log_n, cases[c].nred);
        ok(verify(&p, v, &proof) == 0, "case %zu: verify", c);

        /* a proof is bound to its parameters: another pow setting changes the challenges */
        por_fri_params p2 = p;
        p2.pow_bits = p.pow_bits + 1;
        ok(verify(&p2, v, &proof) != 0, "case %zu: verifier with other parameters rejects", c);
        por_fri_proof_free(&proof);
        free(v);
    }
}

/* Functions that are not of degree < 2^log_n must be rejected. */
static void test_high_degree(void)
{
    unsigned ar[2] = {2, 2};
    por_fri_params p;
    test_fri_params(&p, 8, 3, 2, 20, 0, ar, 2);
    unsigned L = 11;
    const struct {
        size_t ncoef;
        const char *what;
    } cases[] = {
        {257, "degree exactly 2^log_n"},
        {513, "degree 2 * 2^log_n"},
        {2048, "a random function"},
    };
    for (size_t c = 0; c < 3; c++) {
        gl2_t *v = random_lde(cases[c].ncoef, L);
        por_fri_proof proof;
        size_t idx[POR_FRI_MAX_QUERIES];
        prove(&p, v, &proof, idx, NULL);
        ok(verify(&p, v, &proof) != 0, "FRI rejects %s", cases[c].what);
        por_fri_proof_free(&proof);
        free(v);
    }
    /* a function that is low degree except at a few points: the queries that
     * hit them catch it (20 queries out of 2048 points: use many bad points) */
    gl2_t *v = random_lde(256, L);
    for (size_t i = 0; i < 2048; i += 4)
        v[i] = gl2_add(v[i], gl2_from_base(1));
    por_fri_proof proof;
    size_t idx[POR_FRI_MAX_QUERIES];
    prove(&p, v, &proof, idx, NULL);
    ok(verify(&p, v, &proof) != 0, "FRI rejects a function 1/4-far from low degree");
    por_fri_proof_free(&proof);
    free(v);
}

static void test_tamper(void)
{
    unsigned ar[3] = {2, 1, 3};
    por_fri_params p;
    test_fri_params(&p, 8, 2, 2, 6, 3, ar, 3);
    gl2_t *v = random_lde(256, 10);
    por_fri_proof proof, bad;
    size_t idx[POR_FRI_MAX_QUERIES];
    prove(&p, v, &proof, idx, NULL);
    ok(verify(&p, v, &proof) == 0, "honest proof verifies");
    por_fri_proof_alloc(&bad, &p);
    size_t ncaps = por_fri_total_caps(&p), nfinal = (size_t)1 << p.final_poly_bits;
    size_t nvals = por_fri_values_per_query(&p) * p.num_queries;
    size_t npaths = por_fri_path_per_query(&p) * p.num_queries;
#define RESET()                                                                  \
    do {                                                                         \
        memcpy(bad.caps, proof.caps, ncaps * sizeof(por_digest));                \
        memcpy(bad.final_poly, proof.final_poly, nfinal * sizeof(gl2_t));        \
        memcpy(bad.values, proof.values, nvals * sizeof(gl2_t));                 \
        memcpy(bad.paths, proof.paths, npaths * sizeof(por_digest));             \
        bad.pow_nonce = proof.pow_nonce;                                         \
    } while (0)
    RESET();
    ok(verify(&p, v, &bad) == 0, "copy verifies");
    int all = 1;
    for (size_t i = 0; i < ncaps; i++) {
        RESET();
        bad.caps[i].e[i % 4] = gl_add(bad.caps[i].e[i % 4], 1);
        all &= verify(&p, v, &bad) != 0;
    }
    ok(all, "every flipped cap digest is rejected (%zu)", ncaps);
    all = 1;
    for (size_t i = 0; i < nfinal; i++) {
        RESET();
        bad.final_poly[i].c1 = gl_add(bad.final_poly[i].c1, 1);
        all &= verify(&p, v, &bad) != 0;
    }
    ok(all, "every flipped final-polynomial coefficient is rejected (%zu)", nfinal);
    all = 1;
    for (size_t i = 0; i < nvals; i++) {
        RESET();
        bad.values[i].c0 = gl_add(bad.values[i].c0, 1);
        all &= verify(&p, v, &bad) != 0;
    }
    ok(all, "every flipped layer value is rejected (%zu)", nvals);
    all = 1;
    for (size_t i = 0; i < npaths; i++) {
        RESET();
        bad.paths[i].e[3] ^= 1;
        all &= verify(&p, v, &bad) != 0;
    }
    ok(all, "every flipped path digest is rejected (%zu)", npaths);
    /* nonce: with 3 bits about 1/8 of nonces pass the check; any other
     * nonce changes the queries and must still fail later */
    all = 1;
    for (uint64_t d = 1; d <= 16; d++) {
        RESET();
        bad.pow_nonce = proof.pow_nonce + d;
        all &= verify(&p, v, &bad) != 0;
    }
    ok(all, "16 other nonces are rejected");

    /* a wrong layer-0 value (the caller's combined value) */
    gl2_t *w = malloc(1024 * sizeof(gl2_t));
    memcpy(w, v, 1024 * sizeof(gl2_t));
    por_transcript t;
    por_transcript_init(&t, PROTOCOL);
    por_fri_params_observe(&t, &p);
    por_fri_challenges ch;
    por_fri_verify_commit(&p, &proof, &t, &ch);
    w[ch.indices[0]].c0 ^= 1;
    ok(verify(&p, w, &proof) != 0, "a layer-0 value that differs from the opened one is rejected");
    free(w);

    /* encoding round trip and canonicity */
    size_t len = por_fri_proof_encoded_len(&p);
    uint8_t *buf = malloc(len), *buf2 = malloc(len);
    por_fri_proof_encode(&p, &proof, buf);
    ok(por_fri_proof_decode(&p, buf, &bad) == 0, "decode");
    por_fri_proof_encode(&p, &bad, buf2);
    ok(memcmp(buf, buf2, len) == 0, "encode(decode(x)) == x");
    ok(verify(&p, v, &bad) == 0, "the decoded proof verifies");
    size_t positions[] = {0, len - 8, ncaps * 32 + 3 * 8};
    for (size_t k = 0; k < 3; k++) {
        memcpy(buf2, buf, len);
        for (int b = 0; b < 8; b++)
            buf2[positions[k] + b] = 0xff;
        ok(por_fri_proof_decode(&p, buf2, &bad) != 0, "non-canonical element at byte %zu rejected",
           positions[k]);
    }
    free(buf);
    free(buf2);
    por_fri_proof_free(&bad);
    por_fri_proof_free(&proof);
    free(v);
}

int main(void)
{
    por_pool *pool = por_pool_create(2);
    test_params();
    test_fold_leaf();
    test_honest(pool);
    test_high_degree();
    test_tamper();
    por_pool_destroy(pool);
    return done_testing();
}
