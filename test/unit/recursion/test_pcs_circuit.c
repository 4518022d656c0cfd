/*
 * In-circuit PCS opening verification against commit/pcs.c on real openings
 * (one to three batches, salted and not, one and two points): the circuit
 * accepts exactly what por_pcs_verify accepts: honest openings, and openings
 * with a tampered claimed value, row element, salt, batch path node, batch
 * cap, FRI layer value, FRI layer cap or final-polynomial coefficient.
 * Forged witnesses of the rejected cases fail por_circuit_check_witness, a
 * proof of one (the prover's check bypassed) does not verify, and an honest
 * one does.  Row costs at a PLONK-like shape are reported.
 */
#include <stdlib.h>
#include <string.h>

#include "recursion/pcs_circuit.h"
#include "proof_fixtures.h"
#include "forge.h"
#include "tap.h"

static uint64_t seed = 0x9c5c14c417ULL;

static gl_t rnd(void) { return gl_from_u64(test_rand_u64(&seed)); }

#define PROTOCOL "por-rec-pcs-test"
#define MAXB 4

typedef struct {
    por_fri_params p;
    por_pcs_shape shape;
    size_t nb;
    por_pcs_batch batches[MAXB];
    /* circuit */
    por_circuit *c;
    por_rec_pcs_proof tp;
    por_rec_digest caps[MAXB][16];
} pcase;

/* The statement before the opening: params, caps, points from the transcript. */
static void begin(por_transcript *t, const pcase *s, const por_digest *const *caps, gl2_t *points)
{
    por_transcript_init(t, PROTOCOL);
    por_fri_params_observe(t, &s->p);
    for (size_t b = 0; b < s->nb; b++)
        por_transcript_observe_digests(t, caps[b], (size_t)1 << s->p.cap_height);
    for (size_t j = 0; j < s->shape.num_points; j++)
        points[j] = por_transcript_squeeze_ext(t);
}

static bool native_accepts(const pcase *s, const por_digest *const *caps, const por_pcs_proof *proof)
{
    por_transcript t;
    gl2_t pts[POR_PCS_MAX_POINTS];
    begin(&t, s, caps, pts);
    const char *why;
    return por_pcs_verify(&s->p, &s->shape, caps, pts, proof, &t, &why) == 0;
}

static int pc_build(pcase *s, const por_circuit_config *cfg, size_t *rows)
{
    por_builder *b = por_builder_new(cfg);
    por_transcript t;
    por_transcript_init(&t, PROTOCOL);
    por_fri_params_observe(&t, &s->p);
    por_rec_challenger c;
    por_rec_challenger_from_native(b, &c, &t);
    const por_rec_digest *capp[MAXB];
    for (size_t bi = 0; bi < s->nb; bi++) {
        for (size_t i = 0; i < ((size_t)1 << s->p.cap_height); i++) {
            por_rec_digest_virtual(b, &s->caps[bi][i]);
            por_rec_challenger_observe_digest(b, &c, s->caps[bi][i].e);
        }
        capp[bi] = s->caps[bi];
    }
    por_ext_target pts[POR_PCS_MAX_POINTS];
    for (size_t j = 0; j < s->shape.num_points; j++) {
        por_target z[2];
        por_rec_challenger_squeeze_ext(b, &c, z);
        pts[j] = (por_ext_target){z[0], z[1]};
    }
    por_rec_pcs_proof_add(b, &s->p, &s->shape, &s->tp);
    size_t r0 = por_builder_num_rows(b);
    por_rec_pcs_verify(b, &s->tp, capp, pts, &c);
    if (rows)
        *rows = por_builder_num_rows(b) - r0;
    por_builder_register_public_input(b, s->caps[0][0].e[0]);
    const char *why;
    s->c = por_builder_build(b, &why);
    if (!s->c)
        diag("pcs circuit: %s", why);
    por_builder_free(b);
    return s->c ? 0 : -1;
}

/* A witness for (caps, proof): honest generation (NULL if it fails), or
 * forged (forge.h: conflicts left in place). */
static por_witness *pc_witness(const pcase *s, const por_digest *const *caps, const por_pcs_proof *pr, bool forged)
{
    por_witness *w = por_witness_new(s->c);
    int rc = por_rec_pcs_proof_set(w, &s->tp, pr);
    for (size_t bi = 0; bi < s->nb; bi++)
        for (size_t i = 0; i < ((size_t)1 << s->p.cap_height); i++)
            for (int j = 0; j < 4; j++)
                rc |= por_witness_set(w, s->caps[bi][i].e[j], caps[bi][i].e[j]);
    const char *why;
    if (forged)
        forge_complete(w);
    else if (rc != 0 || por_witness_generate(w, &why) != 0) {
        por_witness_free(w);
        w = NULL;
    }
    return w;
}

static bool circuit_accepts(const pcase *s, const por_digest *const *caps, const por_pcs_proof *pr)
{
    por_witness *w = pc_witness(s, caps, pr, false);
    bool good = w && forge_check(s->c, w) == 0;
    por_witness_free(w);
    return good;
}

enum { T_NONE, T_EVAL, T_ROW, T_SALT, T_PATH, T_CAP, T_FRI_VALUE, T_FRI_CAP, T_FINAL, T_COUNT };
static const char *const tamper_name[T_COUNT] = {"honest", "claimed value", "row element", "salt",
                                                 "batch path node", "batch cap", "FRI layer value", "FRI layer cap",
                                                 "final polynomial"};

static void test_case(unsigned degree_bits, unsigned rate, unsigned cap, unsigned queries, const unsigned *ar,
                      unsigned nred, size_t nb, const size_t *polys, const bool *salted, size_t npts, bool prove)
{
    pcase s;
    memset(&s, 0, sizeof(s));
    test_fri_params(&s.p, degree_bits, rate, cap, queries, 2, ar, nred);
    s.nb = nb;
    s.shape.num_batches = (uint32_t)nb;
    s.shape.num_points = (uint32_t)npts;
    uint64_t salt_seed = seed;
    const por_pcs_batch *bp[MAXB];
    const por_digest *caps[MAXB];
    for (size_t b = 0; b < nb; b++) {
        gl_t **co = malloc(polys[b] * sizeof(gl_t *));
        for (size_t k = 0; k < polys[b]; k++) {
            co[k] = malloc(sizeof(gl_t) << degree_bits);
            for (size_t i = 0; i < ((size_t)1 << degree_bits); i++)
                co[k][i] = rnd();
        }
        por_pcs_commit(&s.batches[b], NULL, (const gl_t *const *)co, polys[b], degree_bits, rate, cap, salted[b],
                       test_rand_fields, &salt_seed);
        for (size_t k = 0; k < polys[b]; k++)
            free(co[k]);
        free(co);
        s.shape.batches[b].num_polys = (uint32_t)polys[b];
        s.shape.batches[b].salted = salted[b];
        bp[b] = &s.batches[b];
        caps[b] = por_pcs_batch_cap(&s.batches[b]);
    }
    char name[80];
    snprintf(name, sizeof(name), "pcs d%u r%u q%u, %zu batches, %zu points", degree_bits, rate, queries, nb, npts);
    por_circuit_config cfg;
    test_fast_config(&cfg);
    cfg.zero_knowledge = prove;
    size_t rows;
    if (pc_build(&s, &cfg, &rows) != 0) {
        ok(0, "%s: builds", name);
        return;
    }
    por_transcript t;
    gl2_t pts[POR_PCS_MAX_POINTS];
    begin(&t, &s, caps, pts);
    por_pcs_proof proof;
    por_pcs_open(&s.p, bp, nb, pts, npts, &t, NULL, &proof);

    size_t P = por_pcs_shape_total_polys(&s.shape), plen = por_fri_lde_bits(&s.p) - cap;
    int agree = 0, reject_ok = 0, forged_ok = 0, cases = 0;
    for (int kind = 0; kind < T_COUNT; kind++) {
        por_pcs_proof tp;
        por_pcs_proof_alloc(&tp, &s.p, &s.shape);
        /* a deep copy through the encoding */
        uint8_t *buf;
        size_t len;
        por_pcs_proof_serialize(&proof, &buf, &len);
        por_pcs_proof_free(&tp);
        por_pcs_proof_deserialize(buf, len, &tp, NULL);
        free(buf);
        por_digest capcopy[MAXB][16];
        const por_digest *cp[MAXB];
        for (size_t b = 0; b < nb; b++) {
            memcpy(capcopy[b], caps[b], sizeof(por_digest) << cap);
            cp[b] = capcopy[b];
        }
        size_t q = test_rand_u64(&seed) % queries, b = test_rand_u64(&seed) % nb;
        switch (kind) {
        case T_EVAL: tp.evals[test_rand_u64(&seed) % (npts * P)].c0 ^= 1; break;
        case T_ROW: tp.rows[q * P + test_rand_u64(&seed) % P] ^= 1; break;
        case T_SALT:
            if (!salted[b])
                goto skip;
            tp.salts[(q * nb + b) * 4 + 1] ^= 1;
            break;
        case T_PATH: tp.paths[(q * nb + b) * plen + test_rand_u64(&seed) % plen].e[0] ^= 1; break;
        case T_CAP: capcopy[b][test_rand_u64(&seed) % ((size_t)1 << cap)].e[3] ^= 1; break;
        case T_FRI_VALUE: tp.fri.values[q * por_fri_values_per_query(&s.p)].c1 ^= 1; break;
        case T_FRI_CAP: tp.fri.caps[test_rand_u64(&seed) % por_fri_total_caps(&s.p)].e[2] ^= 1; break;
        case T_FINAL: tp.fri.final_poly[0].c0 ^= 1; break;
        default: break;
        }
        cases++;
        bool nat = native_accepts(&s, cp, &tp), circ = circuit_accepts(&s, cp, &tp);
        agree += nat == circ;
        if (kind == T_NONE) {
            reject_ok += nat, forged_ok++;
            if (prove) {
                por_witness *w = pc_witness(&s, cp, &tp, false);
                const char *why = NULL;
                int rc = w ? forge_prove_verify(s.c, w, &why) : -4;
                ok(rc == 0, "%s: the honest opening's zero-knowledge proof verifies (%s)", name, why ? why : "ok");
                por_witness_free(w);
            }
        } else {
            reject_ok += !nat;
            por_witness *w = pc_witness(&s, cp, &tp, true);
            forged_ok += forge_check(s.c, w) != 0;
            if (prove && kind == T_EVAL) {
                const char *why = NULL;
                int rc = forge_prove_verify(s.c, w, &why);
                ok(rc == -1, "%s: a wrong claimed value's forged witness, proven, does not verify (%s)", name, why);
            }
            por_witness_free(w);
        }
        if (nat != circ)
            diag("%s: %s: native %d circuit %d", name, tamper_name[kind], nat, circ);
    skip:
        por_pcs_proof_free(&tp);
    }
    ok(agree == cases && reject_ok == cases && forged_ok == cases,
       "%s: circuit accepts exactly as por_pcs_verify over %d cases (honest and every tamper); forged witnesses "
       "rejected",
       name, cases);
    diag("%s: opening verification %zu rows", name, rows);
    por_pcs_proof_free(&proof);
    por_rec_pcs_proof_free(&s.tp);
    por_circuit_free(s.c);
    for (size_t b = 0; b < nb; b++)
        por_pcs_batch_free(&s.batches[b]);
}

/* Rows at a PLONK-like shape (preprocessed, wires, permutation, quotient; 2
 * points): the production FRI configuration, and others of the same
 * conjectured security (queries * rate_bits + pow_bits = 100) that trade
 * queries for blowup and caps for paths. */
static void test_costs(void)
{
    static const struct {
        unsigned degree, rate, queries, pow, cap;
    } cfgs[] = {{12, 3, 28, 16, 4}, {13, 3, 28, 16, 4}, {13, 3, 28, 16, 2}, {13, 4, 21, 16, 4},
                {13, 4, 20, 20, 2}, {13, 5, 17, 15, 2}};
    for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
        pcase s;
        memset(&s, 0, sizeof(s));
        unsigned final_bits = 5;
        por_fri_params_init(&s.p, cfgs[i].degree, cfgs[i].rate, cfgs[i].cap, cfgs[i].queries, cfgs[i].pow, 4,
                            final_bits);
        s.nb = 4;
        s.shape.num_batches = 4;
        s.shape.num_points = 2;
        static const uint32_t polys[4] = {58, 130, 16, 18};
        for (int b = 0; b < 4; b++)
            s.shape.batches[b] = (por_pcs_batch_shape){polys[b], b > 0};
        por_circuit_config cfg;
        por_circuit_config_default(&cfg);
        cfg.zero_knowledge = 0;
        size_t rows = 0;
        pc_build(&s, &cfg, &rows);
        diag("recursion.pcs.degree_bits%u.rate%u.queries%u.pow%u.cap%u: %zu rows (%.1f per query; 222 polynomials "
             "in 4 batches, 2 points, arity 16)",
             cfgs[i].degree, cfgs[i].rate, cfgs[i].queries, cfgs[i].pow, cfgs[i].cap, rows,
             (double)rows / cfgs[i].queries);
        ok(s.c != NULL && cfgs[i].queries * cfgs[i].rate + cfgs[i].pow == 100,
           "PLONK-shaped opening verifier (degree 2^%u, rate %u, %u queries) builds", cfgs[i].degree, cfgs[i].rate,
           cfgs[i].queries);
        por_rec_pcs_proof_free(&s.tp);
        por_circuit_free(s.c);
    }
}

int main(void)
{
    unsigned a1[] = {4, 2}, a2[] = {2, 2, 1};
    size_t p1[] = {3}, p2[] = {2, 5, 1};
    bool s1[] = {true}, s2[] = {false, true, true};
    test_case(8, 2, 2, 4, a1, 2, 1, p1, s1, 1, true);
    test_case(7, 3, 1, 5, a2, 3, 3, p2, s2, 2, false);
    test_costs();
    done_testing();
}
