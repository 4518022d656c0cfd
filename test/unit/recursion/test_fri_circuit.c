/*
 * In-circuit FRI verification against commit/fri.c on real proofs (arities 2
 * to 16, several layer counts and cap heights): the circuit derives the same
 * betas, query bits and points, and accepts exactly what the native verifier
 * accepts: honest proofs, and proofs with a tampered layer value, path node,
 * layer cap, final-polynomial coefficient, grinding nonce or layer-0 value,
 * and the proof of a function of too high degree (which only the final
 * polynomial check catches).  Forged witnesses of the rejected cases fail
 * por_circuit_check_witness, and a proof of one (the prover's check
 * bypassed) does not verify.  Row costs per query are reported.
 */
#include <stdlib.h>
#include <string.h>

#include "recursion/fri_circuit.h"
#include "field/ntt.h"
#include "proof_fixtures.h"
#include "forge.h"
#include "tap.h"

static uint64_t seed = 0xf41c14c417ULL;

static gl_t rnd(void) { return gl_from_u64(test_rand_u64(&seed)); }
static gl2_t rnd2(void) { return (gl2_t){rnd(), rnd()}; }

#define PROTOCOL "por-rec-fri-test"

/* LDE of a random extension polynomial with ncoef coefficients. */
static gl2_t *random_lde(size_t ncoef, unsigned lde_bits)
{
    size_t n = (size_t)1 << lde_bits;
    gl2_t *v = calloc(n, sizeof(gl2_t));
    for (size_t i = 0; i < ncoef; i++)
        v[i] = rnd2();
    if (por_ntt_forward_br_ext(v, lde_bits, GL_GENERATOR) != 0)
        exit(1);
    return v;
}

static void start(por_transcript *t, const por_fri_params *p)
{
    por_transcript_init(t, PROTOCOL);
    por_fri_params_observe(t, p);
}

/* The native verifier on the layer-0 values given per query. */
static bool native_accepts(const por_fri_params *p, const por_fri_proof *proof, const gl2_t *initial)
{
    por_transcript t;
    start(&t, p);
    por_fri_challenges ch;
    if (por_fri_verify_commit(p, proof, &t, &ch) != 0)
        return false;
    for (size_t q = 0; q < p->num_queries; q++)
        if (por_fri_verify_query(p, proof, &ch, q, initial[q]) != 0)
            return false;
    return true;
}

/* The query indices the native verifier derives for a proof. */
static void native_indices(const por_fri_params *p, const por_fri_proof *proof, size_t *idx)
{
    por_transcript t;
    start(&t, p);
    por_fri_challenges ch;
    por_fri_verify_commit(p, proof, &t, &ch);
    memcpy(idx, ch.indices, p->num_queries * sizeof(size_t));
}

#define MAXQ 32

typedef struct {
    por_fri_params p;
    por_circuit *c;
    por_rec_fri_proof tp;
    por_rec_fri_challenges ch;
    por_ext_target initial[MAXQ];
    por_target points[MAXQ];
    size_t rows_commit, rows_queries;
} fcirc;

static int fc_build(fcirc *f, const por_circuit_config *cfg)
{
    por_builder *b = por_builder_new(cfg);
    por_transcript t;
    start(&t, &f->p);
    por_rec_challenger c;
    por_rec_challenger_from_native(b, &c, &t);
    por_rec_fri_proof_add(b, &f->p, &f->tp);
    size_t r0 = por_builder_num_rows(b);
    por_rec_fri_verify_commit(b, &f->tp, &c, &f->ch);
    size_t r1 = por_builder_num_rows(b);
    unsigned L = por_fri_lde_bits(&f->p);
    for (size_t q = 0; q < f->p.num_queries; q++) {
        f->initial[q] = por_ext_add_virtual(b);
        f->points[q] = por_rec_lde_point(b, f->ch.index_bits + q * L, L);
        por_rec_fri_verify_query(b, &f->tp, &f->ch, q, f->initial[q], f->points[q], NULL);
    }
    f->rows_commit = r1 - r0;
    f->rows_queries = por_builder_num_rows(b) - r1;
    por_builder_register_public_input(b, f->tp.final_poly[0].c0);
    const char *why;
    f->c = por_builder_build(b, &why);
    if (!f->c)
        diag("fri circuit: %s", why);
    por_builder_free(b);
    return f->c ? 0 : -1;
}

static void fc_free(fcirc *f)
{
    por_rec_fri_proof_free(&f->tp);
    por_rec_fri_challenges_free(&f->ch);
    por_circuit_free(f->c);
}

/* A witness for (proof, initial values): honest generation (NULL if it
 * fails), or forged (forge.h: conflicts left in place). */
static por_witness *fc_witness(const fcirc *f, const por_fri_proof *proof, const gl2_t *initial, bool forged,
                               const char **why)
{
    por_witness *w = por_witness_new(f->c);
    int rc = por_rec_fri_proof_set(w, &f->tp, proof);
    for (size_t q = 0; q < f->p.num_queries; q++)
        rc |= por_witness_set_ext(w, f->initial[q], initial[q]);
    if (forged) {
        forge_complete(w);
        return w;
    }
    if (rc != 0 || por_witness_generate(w, why) != 0) {
        *why = rc ? "set" : *why;
        por_witness_free(w);
        return NULL;
    }
    return w;
}

static bool circuit_accepts(const fcirc *f, const por_fri_proof *proof, const gl2_t *initial)
{
    const char *why;
    por_witness *w = fc_witness(f, proof, initial, false, &why);
    bool good = w && forge_check(f->c, w) == 0;
    por_witness_free(w);
    return good;
}

/* Native and in-circuit challenges agree (betas, query bits, points). */
static bool challenges_agree(const fcirc *f, const por_fri_proof *proof, const gl2_t *initial)
{
    const por_fri_params *p = &f->p;
    por_transcript t;
    start(&t, p);
    por_fri_challenges ch;
    por_fri_verify_commit(p, proof, &t, &ch);
    const char *why;
    por_witness *w = fc_witness(f, proof, initial, false, &why);
    if (!w)
        return false;
    bool same = true;
    unsigned L = por_fri_lde_bits(p);
    for (unsigned k = 0; k < p->num_reductions; k++) {
        gl2_t beta;
        same &= por_witness_get_ext(w, f->ch.betas[k], &beta) == 0 && gl2_eq(beta, ch.betas[k]);
    }
    for (size_t q = 0; q < p->num_queries; q++) {
        for (unsigned i = 0; i < L; i++) {
            gl_t bit;
            same &= por_witness_get(w, f->ch.index_bits[q * L + i], &bit) == 0 && bit == ((ch.indices[q] >> i) & 1);
        }
        gl_t x;
        same &= por_witness_get(w, f->points[q], &x) == 0 && x == por_lde_point(L, ch.indices[q]);
    }
    por_witness_free(w);
    return same;
}

enum { T_NONE, T_VALUE, T_PATH, T_CAP, T_FINAL, T_NONCE, T_INITIAL, T_HIGH_DEGREE, T_COUNT };
static const char *const tamper_name[T_COUNT] = {"honest", "layer value", "path node", "layer cap",
                                                 "final polynomial", "nonce", "layer-0 value", "high degree"};

static void test_params_case(unsigned degree_bits, unsigned rate, unsigned cap, unsigned queries, unsigned pow,
                             const unsigned *ar, unsigned nred, bool prove)
{
    fcirc f;
    memset(&f, 0, sizeof(f));
    test_fri_params(&f.p, degree_bits, rate, cap, queries, pow, ar, nred);
    const por_fri_params *p = &f.p;
    char name[64];
    int len = snprintf(name, sizeof(name), "fri d%u r%u cap%u q%u pow%u ar", degree_bits, rate, cap, queries, pow);
    for (unsigned k = 0; k < nred && len < 60; k++)
        len += snprintf(name + len, sizeof(name) - (size_t)len, "%s%u", k ? "," : " ", ar[k]);
    por_circuit_config cfg;
    test_fast_config(&cfg);
    cfg.zero_knowledge = prove;
    if (fc_build(&f, &cfg) != 0) {
        ok(0, "%s: builds", name);
        return;
    }
    unsigned L = por_fri_lde_bits(p);
    gl2_t *values = random_lde((size_t)1 << degree_bits, L);
    gl2_t *high = random_lde((size_t)2 << degree_bits, L);
    por_fri_proof proof, hproof;
    size_t idx[MAXQ];
    por_transcript t;
    start(&t, p);
    por_fri_proof_alloc(&proof, p);
    por_fri_prove(p, values, &t, NULL, &proof, idx);
    start(&t, p);
    por_fri_proof_alloc(&hproof, p);
    por_fri_prove(p, high, &t, NULL, &hproof, idx);

    gl2_t initial[MAXQ];
    native_indices(p, &proof, idx);
    for (size_t q = 0; q < queries; q++)
        initial[q] = values[idx[q]];
    ok(challenges_agree(&f, &proof, initial), "%s: betas, query bits and points equal the native ones", name);

    int agree = 0, rejected = 0, forged = 0, cases = 0;
    for (int kind = 0; kind < T_COUNT; kind++) {
        por_fri_proof tp;
        por_fri_proof_alloc(&tp, p);
        const por_fri_proof *src = kind == T_HIGH_DEGREE ? &hproof : &proof;
        memcpy(tp.caps, src->caps, por_fri_total_caps(p) * sizeof(por_digest));
        memcpy(tp.final_poly, src->final_poly, ((size_t)1 << p->final_poly_bits) * sizeof(gl2_t));
        tp.pow_nonce = src->pow_nonce;
        memcpy(tp.values, src->values, queries * por_fri_values_per_query(p) * sizeof(gl2_t));
        memcpy(tp.paths, src->paths, queries * por_fri_path_per_query(p) * sizeof(por_digest));
        size_t q = test_rand_u64(&seed) % queries;
        switch (kind) {
        case T_VALUE:
            if (por_fri_values_per_query(p) == 0)
                goto skip;
            tp.values[q * por_fri_values_per_query(p) + test_rand_u64(&seed) % por_fri_values_per_query(p)].c1 ^= 1;
            break;
        case T_PATH:
            if (por_fri_path_per_query(p) == 0)
                goto skip;
            tp.paths[q * por_fri_path_per_query(p) + test_rand_u64(&seed) % por_fri_path_per_query(p)].e[2] ^= 1;
            break;
        case T_CAP:
            if (por_fri_total_caps(p) == 0)
                goto skip;
            tp.caps[test_rand_u64(&seed) % por_fri_total_caps(p)].e[1] ^= 1; break;
        case T_FINAL: tp.final_poly[test_rand_u64(&seed) % ((size_t)1 << p->final_poly_bits)].c0 ^= 1; break;
        case T_NONCE: tp.pow_nonce += 1; break;
        default: break;
        }
        size_t tidx[MAXQ];
        native_indices(p, &tp, tidx);
        gl2_t init[MAXQ];
        const gl2_t *fn = kind == T_HIGH_DEGREE ? high : values;
        for (size_t i = 0; i < queries; i++)
            init[i] = fn[tidx[i]];
        if (kind == T_INITIAL)
            init[q] = gl2_add(init[q], gl2_from_base(1));
        bool nat = native_accepts(p, &tp, init), circ = circuit_accepts(&f, &tp, init);
        cases++;
        agree += nat == circ;
        bool want_reject = kind != T_NONE && !(kind == T_NONCE && nat); /* a new nonce may still pass */
        if (want_reject) {
            rejected += !nat;
            const char *fwhy;
            por_witness *w = fc_witness(&f, &tp, init, true, &fwhy);
            forged += forge_check(f.c, w) != 0;
            if (prove && kind == T_HIGH_DEGREE) {
                const char *why = NULL;
                int rc = forge_prove_verify(f.c, w, &why);
                ok(rc == -1, "%s: the high-degree proof's forged witness, proven, does not verify (%s)", name, why);
            }
            por_witness_free(w);
        } else {
            rejected++, forged++;
            if (prove && kind == T_NONE) {
                const char *why = NULL;
                por_witness *w = fc_witness(&f, &tp, init, false, &why);
                int rc = w ? forge_prove_verify(f.c, w, &why) : -4;
                ok(rc == 0, "%s: the honest verification's zero-knowledge proof verifies (%s)", name, why ? why : "ok");
                por_witness_free(w);
            }
        }
        if (agree != cases || rejected != cases || forged != cases)
            diag("%s: %s: native %d circuit %d", name, tamper_name[kind], nat, circ);
    skip:
        por_fri_proof_free(&tp);
    }
    ok(agree == cases && rejected == cases && forged == cases,
       "%s: circuit accepts exactly as the native verifier over %d cases (honest, every tamper, high degree); "
       "forged witnesses rejected",
       name, cases);
    diag("%s: commit phase %zu rows, %zu queries %zu rows (%.1f per query)", name, f.rows_commit, (size_t)queries,
         f.rows_queries, (double)f.rows_queries / queries);
    por_fri_proof_free(&proof);
    por_fri_proof_free(&hproof);
    free(values);
    free(high);
    fc_free(&f);
}

/* Row counts at the production FRI configuration (no witness). */
static void test_costs(void)
{
    static const unsigned degrees[] = {12, 13, 16};
    for (size_t i = 0; i < sizeof(degrees) / sizeof(degrees[0]); i++) {
        fcirc f;
        memset(&f, 0, sizeof(f));
        por_fri_params_init(&f.p, degrees[i], 3, 4, 28, 16, 4, 5);
        por_circuit_config cfg;
        por_circuit_config_default(&cfg);
        cfg.zero_knowledge = 0;
        fc_build(&f, &cfg);
        diag("recursion.fri.degree_bits%u (rate 3, 28 queries, arity 16, cap 4, final 5): commit %zu rows, "
             "queries %zu rows (%.1f per query incl. the LDE point), circuit n = 2^%u",
             degrees[i], f.rows_commit, f.rows_queries, (double)f.rows_queries / 28, f.c ? f.c->degree_bits : 0);
        ok(f.c != NULL, "production FRI verifier circuit for degree 2^%u builds", degrees[i]);
        fc_free(&f);
    }
}

int main(void)
{
    unsigned a1[] = {4, 4, 2}, a2[] = {1, 1, 1, 1}, a3[] = {3, 2}, a4[] = {4};
    test_params_case(10, 3, 2, 6, 3, a1, 3, false);
    test_params_case(6, 2, 1, 4, 2, a2, 4, true);
    test_params_case(8, 1, 3, 5, 0, a3, 2, false);
    test_params_case(7, 3, 4, 3, 4, a4, 1, false);
    test_params_case(4, 2, 1, 3, 1, a4, 0, false); /* no reduction: the final polynomial at the query point */
    test_costs();
    done_testing();
}
