/*
 * In-circuit challenger: a scripted random sequence of every kind of
 * observation and challenge, and the transcript of a real PCS opening
 * (replayed from the native verifier's log), give in-circuit challenges equal
 * to the native ones with every row satisfied; one such circuit is proven and
 * verified.  A forged challenge, or a proof-of-work nonce that fails the
 * native check, makes the witness unsatisfiable, and the proof of it (the
 * prover's check bypassed) does not verify.
 */
#include <stdlib.h>
#include <string.h>

#include "recursion/challenger.h"
#include "commit/pcs.h"
#include "plonk/plonk.h"
#include "proof_fixtures.h"
#include "forge.h"
#include "tap.h"

static uint64_t seed = 0xc4a11e46e5ULL;

static gl_t rnd(void) { return gl_from_u64(test_rand_u64(&seed)); }

#define MAXV 8192

/* Both sides of one script: the native transcript, the circuit's challenger,
 * the values the witness sets (observations, nonces) and the values the
 * challenge targets must take (the native challenges). */
typedef struct {
    por_builder *b;
    por_rec_challenger c;
    por_transcript t;
    por_target set_t[MAXV], chk_t[MAXV];
    gl_t set_v[MAXV], chk_v[MAXV];
    size_t nset, nchk;
    size_t pow_target; /* index in set_t of the last nonce */
} script;

static void s_init(script *s, const por_circuit_config *cfg, const char *protocol)
{
    memset(s, 0, sizeof(*s));
    s->b = por_builder_new(cfg);
    por_transcript_init(&s->t, protocol);
    por_rec_challenger_init(s->b, &s->c, protocol);
}

static por_target s_input(script *s, gl_t v)
{
    por_target x = por_builder_add_virtual(s->b);
    s->set_t[s->nset] = x;
    s->set_v[s->nset++] = v;
    return x;
}

static void s_expect(script *s, por_target x, gl_t v)
{
    s->chk_t[s->nchk] = x;
    s->chk_v[s->nchk++] = v;
}

static void s_observe(script *s, const gl_t *v, size_t n)
{
    por_target x[4];
    for (size_t i = 0; i < n; i++)
        x[i] = s_input(s, v[i]);
    if (n == 1) {
        por_transcript_observe(&s->t, v[0]);
        por_rec_challenger_observe(s->b, &s->c, x[0]);
    } else if (n == 2) {
        por_transcript_observe_ext(&s->t, (gl2_t){v[0], v[1]});
        por_rec_challenger_observe_ext(s->b, &s->c, x);
    } else {
        por_digest d;
        memcpy(d.e, v, sizeof(d.e));
        por_transcript_observe_digest(&s->t, &d);
        por_rec_challenger_observe_digest(s->b, &s->c, x);
    }
}

static void s_squeeze(script *s, size_t n)
{
    if (n == 1) {
        s_expect(s, por_rec_challenger_squeeze(s->b, &s->c), por_transcript_squeeze(&s->t));
    } else {
        por_target x[2];
        por_rec_challenger_squeeze_ext(s->b, &s->c, x);
        gl2_t v = por_transcript_squeeze_ext(&s->t);
        s_expect(s, x[0], v.c0);
        s_expect(s, x[1], v.c1);
    }
}

static void s_index(script *s, unsigned bits)
{
    por_target bt[32];
    por_rec_challenger_squeeze_index(s->b, &s->c, bits, bt);
    size_t idx = por_transcript_squeeze_index(&s->t, bits);
    for (unsigned i = 0; i < bits; i++)
        s_expect(s, bt[i], (idx >> i) & 1);
}

/* Proof of work with an honest nonce (or, if bad, the first failing one
 * above it): both sides end having observed it and squeezed w. */
static void s_pow(script *s, unsigned bits, bool bad)
{
    por_transcript copy = s->t;
    uint64_t nonce = por_transcript_grind(&copy, bits, NULL);
    if (bad) {
        do {
            copy = s->t;
        } while (por_transcript_check_pow(&copy, bits, ++nonce));
    }
    s->pow_target = s->nset;
    por_target x = s_input(s, nonce);
    s->t = copy;
    por_rec_challenger_check_pow(s->b, &s->c, bits, x);
}

static por_circuit *s_build(script *s)
{
    const char *why;
    /* the first observation is the statement, so a proof binds something */
    if (s->nset)
        por_builder_register_public_input(s->b, s->set_t[0]);
    por_circuit *c = por_builder_build(s->b, &why);
    if (!c)
        diag("build: %s", why);
    por_builder_free(s->b);
    s->b = NULL;
    return c;
}

static por_witness *s_witness(const script *s, const por_circuit *c, const char **why)
{
    return forge_honest(c, s->set_t, s->set_v, s->nset, why);
}

/* Every challenge target holds the native value. */
static size_t s_mismatches(const script *s, const por_witness *w)
{
    size_t bad = 0;
    for (size_t i = 0; i < s->nchk; i++) {
        gl_t v;
        if (por_witness_get(w, s->chk_t[i], &v) != 0 || v != s->chk_v[i])
            bad++;
    }
    return bad;
}

static void random_script(script *s, int ops)
{
    for (int k = 0; k < ops; k++) {
        gl_t v[4] = {rnd(), rnd(), rnd(), rnd()};
        switch (test_rand_u64(&seed) % 9) {
        case 0: case 1: s_observe(s, v, 1); break;
        case 2: s_observe(s, v, 2); break;
        case 3: s_observe(s, v, 4); break;
        case 4: s_squeeze(s, 1); break;
        case 5: s_squeeze(s, 2); break;
        case 6: s_index(s, (unsigned)(test_rand_u64(&seed) % 33)); break;
        case 7: s_pow(s, (unsigned)(test_rand_u64(&seed) % 7), false); break;
        default: /* a long run of observations: several full absorptions */
            for (int i = 0; i < 19; i++)
                s_observe(s, &v[i % 4], 1);
        }
    }
}

static void test_scripted(void)
{
    por_circuit_config cfg;
    por_circuit_config_default(&cfg);
    cfg.zero_knowledge = 0;
    static script s;
    s_init(&s, &cfg, "por-rec-test");
    random_script(&s, 400);
    size_t rows = por_builder_num_rows(s.b);
    por_circuit *c = s_build(&s);
    ok(c != NULL, "scripted challenger: build (%zu rows, %zu values observed, %zu challenge values)", rows, s.nset,
       s.nchk);
    const char *why = NULL;
    por_witness *w = c ? s_witness(&s, c, &why) : NULL;
    ok(w != NULL, "scripted challenger: witness generated (%s)", why ? why : "ok");
    ok(w && s_mismatches(&s, w) == 0, "scripted challenger: all %zu challenge values equal the native ones", s.nchk);
    ok(w && forge_check(c, w) == 0, "scripted challenger: every row satisfied");
    por_witness_free(w);
    por_circuit_free(c);

    /* starting mid-way from a native state: the same challenges */
    s_init(&s, &cfg, "por-rec-test");
    for (int i = 0; i < 11; i++)
        por_transcript_observe(&s.t, rnd());
    por_transcript_squeeze(&s.t);
    por_transcript_observe(&s.t, rnd());
    por_builder_free(s.b);
    s.b = por_builder_new(&cfg);
    por_rec_challenger_from_native(s.b, &s.c, &s.t);
    random_script(&s, 60);
    c = s_build(&s);
    w = c ? s_witness(&s, c, &why) : NULL;
    ok(w && s_mismatches(&s, w) == 0 && forge_check(c, w) == 0,
       "challenger continued from a native transcript with pending input: challenges agree");
    por_witness_free(w);
    por_circuit_free(c);

    /* from a native state with buffered outputs (squeezed, nothing observed since) */
    s_init(&s, &cfg, "por-rec-test");
    for (int i = 0; i < 5; i++)
        por_transcript_observe(&s.t, rnd());
    por_transcript_squeeze(&s.t);
    por_builder_free(s.b);
    s.b = por_builder_new(&cfg);
    por_rec_challenger_from_native(s.b, &s.c, &s.t);
    s_squeeze(&s, 2);
    random_script(&s, 30);
    c = s_build(&s);
    w = c ? s_witness(&s, c, &why) : NULL;
    ok(w && s_mismatches(&s, w) == 0 && forge_check(c, w) == 0,
       "challenger continued from a native transcript with buffered outputs: challenges agree");
    por_witness_free(w);
    por_circuit_free(c);
}

/* Cost: rows of n observations + one squeeze, and of one index. */
static void test_costs(void)
{
    por_circuit_config cfg;
    por_circuit_config_default(&cfg);
    cfg.zero_knowledge = 0;
    por_builder *b = por_builder_new(&cfg);
    por_rec_challenger ch;
    por_rec_challenger_init(b, &ch, "por-rec-test");
    por_target x = por_builder_add_virtual(b), bits[32];
    por_rec_challenger_squeeze(b, &ch); /* the constants and the first permutation */
    size_t r0 = por_builder_num_rows(b);
    for (int i = 0; i < 80; i++)
        por_rec_challenger_observe(b, &ch, x);
    size_t r1 = por_builder_num_rows(b);
    ok(r1 - r0 == 10, "80 observations cost 10 Poseidon rows (one per 8 inputs)");
    r0 = por_builder_num_rows(b);
    for (int i = 0; i < 28; i++)
        por_rec_challenger_squeeze_index(b, &ch, 20, bits);
    r1 = por_builder_num_rows(b);
    diag("challenger: 28 query indices of 20 bits: %zu rows (%.1f per index, incl. %d permutations)", r1 - r0,
         (double)(r1 - r0) / 28, 28 / 8 + 1);
    ok(r1 - r0 < 28 * 8, "an index of 20 bits costs under 8 rows");
    por_builder_free(b);
}

/* The verifier log of a real PCS opening (FRI commit, grinding, queries),
 * replayed in-circuit. */
#define PCS_PROTOCOL "por-rec-pcs"
static void test_pcs_replay(void)
{
    por_fri_params p;
    unsigned ar[3] = {4, 4, 2};
    test_fri_params(&p, 12, 3, 2, 6, 6, ar, 3);
    gl_t *coeffs[3];
    for (int k = 0; k < 3; k++) {
        coeffs[k] = malloc(sizeof(gl_t) << 12);
        for (size_t i = 0; i < ((size_t)1 << 12); i++)
            coeffs[k][i] = rnd();
    }
    uint64_t salt_seed = 5;
    por_pcs_batch batch;
    int rc = por_pcs_commit(&batch, NULL, (const gl_t *const *)coeffs, 3, 12, 3, 2, true, test_rand_fields,
                            &salt_seed);
    const por_digest *caps[1] = {por_pcs_batch_cap(&batch)};
    const por_pcs_batch *bp[1] = {&batch};
    por_transcript pt, vt;
    por_transcript_init(&pt, PCS_PROTOCOL);
    por_fri_params_observe(&pt, &p);
    gl2_t zs[2];
    zs[0] = por_transcript_squeeze_ext(&pt);
    zs[1] = gl2_add(zs[0], gl2_from_base(1));
    por_pcs_proof proof;
    rc |= por_pcs_open(&p, bp, 1, zs, 2, &pt, NULL, &proof);

    static por_transcript_entry ve[8192];
    por_transcript_log vlog = {ve, 8192, 0};
    por_transcript_init(&vt, PCS_PROTOCOL);
    por_transcript_attach_log(&vt, &vlog);
    por_fri_params_observe(&vt, &p);
    gl2_t z = por_transcript_squeeze_ext(&vt);
    gl2_t zz[2] = {z, gl2_add(z, gl2_from_base(1))};
    const char *why = NULL;
    rc |= por_pcs_verify(&p, &proof.shape, caps, zz, &proof, &vt, &why);
    ok(rc == 0 && vlog.len < vlog.cap, "a real PCS opening verifies natively, %zu transcript operations logged",
       vlog.len);

    /* replay: observations as witness inputs, challenges compared; the
     * grinding and the query indices through their gadgets */
    por_circuit_config cfg;
    por_circuit_config_default(&cfg);
    cfg.zero_knowledge = 0;
    static script s;
    s_init(&s, &cfg, PCS_PROTOCOL);
    size_t nidx = 0, npow = 0;
    for (size_t i = 0; i < vlog.len; i++) {
        const por_transcript_entry *e = &ve[i];
        if (e->op == POR_TLOG_OBSERVE && e->label && strcmp(e->label, "pow.nonce") == 0) {
            /* the next entry is the squeezed w: check_pow covers both */
            por_target x = s_input(&s, e->v[0]);
            por_rec_challenger_check_pow(s.b, &s.c, p.pow_bits, x);
            por_transcript_observe(&s.t, e->v[0]);
            por_transcript_squeeze(&s.t);
            i++;
            npow++;
        } else if (e->op == POR_TLOG_OBSERVE) {
            s_observe(&s, e->v, e->n);
        } else if (e->label && strcmp(e->label, "fri.query") == 0) {
            s_index(&s, por_fri_lde_bits(&p));
            nidx++;
        } else {
            s_squeeze(&s, e->n);
        }
    }
    /* the replayed native side must have squeezed exactly the logged values */
    bool same = true;
    for (size_t i = 0, k = 0; i < vlog.len; i++)
        if (ve[i].op == POR_TLOG_SQUEEZE && !(ve[i].label && strcmp(ve[i].label, "pow.witness") == 0) &&
            !(ve[i].label && strcmp(ve[i].label, "fri.query") == 0))
            for (unsigned j = 0; j < ve[i].n; j++, k++)
                same &= k < s.nchk && s.chk_v[k] == ve[i].v[j];
    ok(same && npow == 1 && nidx == p.num_queries, "replay covers the log (1 grinding check, %zu indices)", nidx);
    por_circuit *c = s_build(&s);
    por_witness *w = c ? s_witness(&s, c, &why) : NULL;
    ok(w != NULL, "PCS replay: witness generated (%s)", why ? why : "ok");
    ok(w && s_mismatches(&s, w) == 0, "PCS replay: betas, alpha, gamma, query bits equal the native ones");
    ok(w && forge_check(c, w) == 0, "PCS replay: every row satisfied (grinding passes in-circuit)");
    por_witness_free(w);
    por_circuit_free(c);
    por_pcs_proof_free(&proof);
    por_pcs_batch_free(&batch);
    for (int k = 0; k < 3; k++)
        free(coeffs[k]);
}

/* A real (zero-knowledge) proof of a challenger circuit, then the two
 * rejections: a forged challenge and a failing nonce. */
static void test_prove_and_reject(void)
{
    por_circuit_config cfg;
    test_fast_config(&cfg);
    static script s;
    s_init(&s, &cfg, "por-rec-test");
    random_script(&s, 40);
    gl_t v[4] = {rnd(), rnd(), rnd(), rnd()};
    s_observe(&s, v, 4);
    s_pow(&s, 10, false);
    s_squeeze(&s, 2);
    por_circuit *c = s_build(&s);
    const char *why = NULL;
    por_witness *w = c ? s_witness(&s, c, &why) : NULL;
    ok(w && s_mismatches(&s, w) == 0, "prove: challenges agree");
    int rc = w ? forge_prove_verify(c, w, &why) : -1;
    ok(rc == 0, "a challenger circuit's zero-knowledge proof verifies (%s)", why ? why : "ok");
    por_witness_free(w);

    /* forged: the last challenge's c1 set to another value */
    s.set_t[s.nset] = s.chk_t[s.nchk - 1];
    s.set_v[s.nset] = gl_add(s.chk_v[s.nchk - 1], 1);
    w = forge_witness(c, s.set_t, s.set_v, s.nset + 1);
    ok(forge_check(c, w) != 0, "a forged challenge value breaks a Poseidon row");
    rc = forge_prove_verify(c, w, &why);
    ok(rc == -1, "its proof (prover check bypassed) does not verify (%s)", why);
    por_witness_free(w);
    por_circuit_free(c);

    /* a nonce that fails the native check */
    s_init(&s, &cfg, "por-rec-test");
    random_script(&s, 10);
    s_pow(&s, 10, true);
    c = s_build(&s);
    w = forge_witness(c, s.set_t, s.set_v, s.nset);
    ok(forge_check(c, w) != 0, "a nonce failing 10 grinding bits is rejected (w's range check)");
    rc = forge_prove_verify(c, w, &why);
    ok(rc == -1, "its proof (prover check bypassed) does not verify (%s)", why);
    por_witness_free(w);
    /* control: the honest nonce passes the same forging path */
    por_circuit_free(c);
}

int main(void)
{
    test_scripted();
    test_costs();
    test_pcs_replay();
    test_prove_and_reject();
    done_testing();
}
