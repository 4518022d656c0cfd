/*
 * PLONK prover and verifier: small circuits of every gate prove and verify,
 * with and without zero knowledge, on 1 and 2 threads; unsatisfied witnesses
 * are refused by the prover (and, forced through, rejected by the verifier);
 * tampered proofs, wrong public inputs and proofs of another circuit are
 * rejected; the encoding round-trips and rejects trailing bytes, wrong
 * lengths and non-canonical elements.  Tests use few queries and low grinding
 * for speed, except one with the default (100-bit) configuration.
 */
#include <stdlib.h>
#include <string.h>

#include "plonk/circuit.h"
#include "plonk/plonk.h"
#include "hash/poseidon.h"
#include "proof_fixtures.h"
#include "tap.h"
#include "util/threadpool.h"

static uint64_t seed = 0x706c6f6e6bULL;

static gl_t rnd(void) { return gl_from_u64(test_rand_u64(&seed)); }

static void test_config(por_circuit_config *cfg, bool zk)
{
    test_fast_config(cfg);
    cfg->zero_knowledge = zk;
}

/* A built circuit with its prover, and the targets the test sets. */
typedef struct {
    por_circuit *c;
    por_plonk_prover *pk;
    por_target in[16];
    size_t n_in;
    por_target out[16];
    size_t n_out;
} fixture;

static void fixture_finish(fixture *f, por_builder *b)
{
    const char *why;
    f->c = por_builder_build(b, &why);
    if (!f->c)
        diag("build failed: %s", why);
    por_builder_free(b);
    f->pk = f->c ? por_plonk_setup(f->c, NULL, &why) : NULL;
    if (f->c && !f->pk)
        diag("setup failed: %s", why);
}

static void fixture_free(fixture *f)
{
    por_plonk_prover_free(f->pk);
    por_circuit_free(f->c);
}

/* x -> x^2 + i + 3, steps times; public inputs x0 and the result. */
static void arith_chain(fixture *f, const por_circuit_config *cfg, int steps, gl_t tweak)
{
    por_builder *b = por_builder_new(cfg);
    por_target x = por_builder_add_virtual(b);
    f->in[0] = x, f->n_in = 1;
    for (int i = 0; i < steps; i++)
        x = por_builder_add_const(b, por_builder_mul(b, x, x), gl_add(gl_from_u64(i + 3), tweak));
    por_builder_register_public_input(b, f->in[0]);
    por_builder_register_public_input(b, x);
    f->out[0] = x, f->n_out = 1;
    fixture_finish(f, b);
}

/* A chain of `perms` permutations over 12 inputs; the first 4 outputs are public. */
static void poseidon_chain(fixture *f, const por_circuit_config *cfg, int perms)
{
    por_builder *b = por_builder_new(cfg);
    por_target s[12], t[12];
    for (int i = 0; i < 12; i++)
        s[i] = f->in[i] = por_builder_add_virtual(b);
    f->n_in = 12;
    for (int p = 0; p < perms; p++) {
        por_builder_poseidon(b, s, t);
        memcpy(s, t, sizeof(s));
    }
    for (int i = 0; i < 4; i++) {
        por_builder_register_public_input(b, s[i]);
        f->out[i] = s[i];
    }
    f->n_out = 4;
    fixture_finish(f, b);
}

/* Every gate: arithmetic, constants, Poseidon hash, range checks. */
static void mixed_circuit(fixture *f, const por_circuit_config *cfg)
{
    por_builder *b = por_builder_new(cfg);
    for (int i = 0; i < 6; i++)
        f->in[i] = por_builder_add_virtual(b);
    f->n_in = 6;
    por_target d[4], sum = por_builder_zero(b);
    for (int i = 0; i < 6; i++) {
        por_builder_range_check(b, f->in[i], 62);
        sum = por_builder_add(b, sum, por_builder_mul_const(b, gl_from_u64(i + 1), f->in[i]));
    }
    por_builder_range_check(b, sum, 63);
    por_builder_hash(b, 77, f->in, 6, d);
    for (int i = 0; i < 4; i++)
        por_builder_register_public_input(b, d[i]);
    por_builder_register_public_input(b, sum);
    fixture_finish(f, b);
}

static int prove(fixture *f, const gl_t *inputs, por_pool *pool, bool unchecked,
                 por_plonk_proof *proof, const char **why)
{
    por_witness *w = por_witness_new(f->c);
    for (size_t i = 0; i < f->n_in; i++)
        por_witness_set(w, f->in[i], inputs[i]);
    por_plonk_prove_opts opts = {.unchecked = unchecked};
    int rc = por_plonk_prove(f->pk, w, pool, &opts, proof, why);
    por_witness_free(w);
    return rc;
}

static void prove_and_verify(const char *name, fixture *f, const gl_t *inputs, por_pool *pool)
{
    por_plonk_proof proof;
    const char *why = NULL;
    int rc = prove(f, inputs, pool, false, &proof, &why);
    ok(rc == 0, "%s: prove (%s)", name, why ? why : "ok");
    if (rc == 0) {
        rc = por_plonk_verify(por_plonk_prover_vk(f->pk), &proof, &why);
        ok(rc == 0, "%s: verify (%s)", name, why ? why : "ok");
    }
    por_plonk_proof_free(&proof);
}

static void test_honest(void)
{
    por_pool *pool = por_pool_create(2);
    por_circuit_config cfg;
    fixture f;
    char name[80];
    for (int zk = 0; zk <= 1; zk++) {
        test_config(&cfg, zk);
        static const int steps[2][2] = {{12, 0}, {1, 0}};
        for (int s = 0; s < 2 && steps[zk][s]; s++) {
            arith_chain(&f, &cfg, steps[zk][s], 0);
            gl_t in = rnd();
            snprintf(name, sizeof(name), "arith chain %d (zk %d, n = %zu)", steps[zk][s], zk, f.c->n);
            prove_and_verify(name, &f, &in, s == 0 ? pool : NULL);
            fixture_free(&f);
        }
        static const int perms[2] = {9, 20};
        poseidon_chain(&f, &cfg, perms[zk]);
        gl_t in[12];
        for (int i = 0; i < 12; i++)
            in[i] = rnd();
        snprintf(name, sizeof(name), "poseidon chain %d (zk %d, n = %zu)", perms[zk], zk, f.c->n);
        prove_and_verify(name, &f, in, zk ? pool : NULL);
        fixture_free(&f);
        mixed_circuit(&f, &cfg);
        gl_t mix[6] = {0, (1ULL << 62) - 1, 5, 1ULL << 40, 123456789, (1ULL << 62) - 2};
        snprintf(name, sizeof(name), "mixed circuit (zk %d, n = %zu)", zk, f.c->n);
        prove_and_verify(name, &f, mix, pool);
        fixture_free(&f);
    }
    por_pool_destroy(pool);
}

static bool verifies(const fixture *f, const por_plonk_proof *proof)
{
    const char *why;
    return por_plonk_verify(por_plonk_prover_vk(f->pk), proof, &why) == 0;
}

/* A Poseidon chain whose first Poseidon row has one S-box input off by one:
 * the prover refuses it; forced through, the verifier rejects the proof. */
static void wrong_sbox_input(const por_circuit_config *cfg, por_pool *pool, const char *label)
{
    fixture f;
    const char *why = NULL;
    por_plonk_proof proof;
    poseidon_chain(&f, cfg, 3);
    gl_t in[12];
    for (int i = 0; i < 12; i++)
        in[i] = rnd();
    for (int forced = 0; forced <= 1; forced++) {
        por_witness *w = por_witness_new(f.c);
        for (int i = 0; i < 12; i++)
            por_witness_set(w, f.in[i], in[i]);
        por_witness_generate(w, &why);
        size_t row = 0;
        while (f.c->row_type[row] == POR_ROW_NOOP ||
               f.c->gate_types[f.c->row_type[row]].vt->kind != POR_GATE_POSEIDON)
            row++;
        size_t slot = por_circuit_slot(f.c, (por_target){(uint32_t)(row * f.c->config.num_wires + 70)});
        w->values[slot] = gl_add(w->values[slot], 1);
        por_plonk_prove_opts opts = {.unchecked = forced};
        int rc = por_plonk_prove(f.pk, w, pool, &opts, &proof, &why);
        if (!forced)
            ok(rc != 0, "%s: a wrong S-box input is refused by the prover (%s)", label, rc ? why : "accepted!");
        else
            ok(rc == 0 && !verifies(&f, &proof), "%s: a wrong S-box input forced through is rejected", label);
        por_plonk_proof_free(&proof);
        por_witness_free(w);
    }
    fixture_free(&f);
}

/* Unsatisfied witnesses: the prover refuses; forced through, the verifier rejects. */
static void test_unsatisfied(void)
{
    por_circuit_config cfg;
    test_config(&cfg, false);
    const char *why;
    por_plonk_proof proof;

    /* range checks: 0 and 2^B - 1 pass, 2^B fails */
    static const unsigned bits_list[] = {8, 62};
    for (int bi = 0; bi < 2; bi++) {
        unsigned B = bits_list[bi];
        fixture f;
        por_builder *b = por_builder_new(&cfg);
        f.in[0] = por_builder_add_virtual(b);
        f.n_in = 1;
        por_builder_range_check(b, f.in[0], B);
        por_builder_register_public_input(b, f.in[0]);
        fixture_finish(&f, b);
        gl_t v = 0;
        ok(prove(&f, &v, NULL, false, &proof, &why) == 0 && verifies(&f, &proof),
           "range %u: 0 proves and verifies", B);
        por_plonk_proof_free(&proof);
        v = (1ULL << B) - 1;
        ok(prove(&f, &v, NULL, false, &proof, &why) == 0 && verifies(&f, &proof),
           "range %u: 2^B - 1 proves and verifies", B);
        por_plonk_proof_free(&proof);
        v = 1ULL << B;
        int rc = prove(&f, &v, NULL, false, &proof, &why);
        ok(rc != 0, "range %u: 2^B refused by the prover (%s)", B, rc ? why : "accepted!");
        por_plonk_proof_free(&proof);
        rc = prove(&f, &v, NULL, true, &proof, &why);
        ok(rc == 0 && !verifies(&f, &proof), "range %u: 2^B forced through is rejected by the verifier", B);
        por_plonk_proof_free(&proof);
        fixture_free(&f);
    }

    /* a Poseidon row with a wrong intermediate value */
    wrong_sbox_input(&cfg, NULL, "poseidon");

    fixture f;
    /* a broken copy constraint: the next operation's x reads another class
     * (the wiring, i.e. sigma, still says it equals the previous output) */
    arith_chain(&f, &cfg, 10, 0);
    size_t R = f.c->config.num_routed_wires;
    size_t victim = SIZE_MAX;
    for (size_t i = 0; i < f.c->num_gate_rows * R && victim == SIZE_MAX; i++)
        if (f.c->sigma[i] != i && f.c->slot[i] != f.c->slot[0] && i % R == 0 &&
            f.c->gate_types[f.c->row_type[i / R]].vt->kind == POR_GATE_ARITHMETIC)
            victim = i;
    uint32_t saved = f.c->slot[victim];
    f.c->slot[victim] = f.c->slot[0];
    for (int forced = 0; forced <= 1; forced++) {
        gl_t x = rnd();
        int rc = prove(&f, &x, NULL, forced, &proof, &why);
        if (!forced)
            ok(rc != 0, "copy constraint violated: refused by the prover (%s)", rc ? why : "accepted!");
        else
            ok(rc == 0 && !verifies(&f, &proof), "copy constraint violated, forced: rejected");
        por_plonk_proof_free(&proof);
    }
    f.c->slot[victim] = saved;
    gl_t x = rnd();
    ok(prove(&f, &x, NULL, true, &proof, &why) == 0 && verifies(&f, &proof),
       "unchecked proving of an honest witness still verifies");
    por_plonk_proof_free(&proof);
    fixture_free(&f);
}

/* Serialization round trip and rejection of malformed encodings. */
static void test_serialization(fixture *f, const por_plonk_proof *proof)
{
    uint8_t *buf, *buf2;
    size_t len, len2;
    const char *why;
    ok(por_plonk_proof_serialize(proof, &buf, &len) == 0, "serialize");
    ok(len == por_plonk_proof_encoded_len(proof), "encoded length matches (%zu bytes)", len);
    por_plonk_proof p2;
    why = NULL;
    int drc = por_plonk_proof_deserialize(buf, len, &p2, &why);
    ok(drc == 0, "deserialize (%s)", why ? why : "ok");
    ok(verifies(f, &p2), "the decoded proof verifies");
    ok(por_plonk_proof_serialize(&p2, &buf2, &len2) == 0 && len2 == len && memcmp(buf, buf2, len) == 0,
       "re-encoding is byte-identical");
    free(buf2);
    por_plonk_proof_free(&p2);

    uint8_t *big = malloc(len + 1);
    memcpy(big, buf, len);
    big[len] = 0;
    drc = por_plonk_proof_deserialize(big, len + 1, &p2, &why);
    ok(drc != 0, "a trailing byte is rejected (%s)", drc ? why : "accepted!");
    por_plonk_proof_free(&p2);
    free(big);
    static const size_t cuts[] = {0, 3, 8, 40, 44, 60, 200, 1000};
    bool all = true;
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        all &= por_plonk_proof_deserialize(buf, cuts[i], &p2, &why) != 0;
        por_plonk_proof_free(&p2);
    }
    all &= por_plonk_proof_deserialize(buf, len - 1, &p2, &why) != 0;
    por_plonk_proof_free(&p2);
    ok(all, "truncated encodings are rejected");

    /* non-canonical elements: a public input, a cap element, an opened value */
    size_t npi = proof->num_public_inputs, capb = (size_t)32 << proof->cap_height;
    size_t plonk_hl = 44 + 8 * npi + 4 + 3 * capb;
    const por_fri_params *fp = &proof->opening.params;
    size_t pcs_hl = 4 + 4 + 7 * 4 + fp->num_reductions + 8 + 4 * 5;
    size_t offs[4] = {44, 44 + 8 * npi + 4 + 8, 44 + 8 * npi + 4 + 2 * capb + 24, plonk_hl + pcs_hl};
    const char *what[4] = {"public input", "wires cap", "quotient cap", "opened value"};
    for (int k = 0; k < 4; k++) {
        uint8_t *mod = malloc(len);
        memcpy(mod, buf, len);
        for (int b = 0; b < 8; b++)
            mod[offs[k] + b] = (uint8_t)(GL_P >> (8 * b));
        int rc = por_plonk_proof_deserialize(mod, len, &p2, &why);
        ok(rc != 0, "a non-canonical %s (= p) is rejected (%s)", what[k], rc ? why : "accepted!");
        por_plonk_proof_free(&p2);
        /* while the same position holding p - 1 decodes (and fails to verify) */
        for (int b = 0; b < 8; b++)
            mod[offs[k] + b] = (uint8_t)((GL_P - 1) >> (8 * b));
        rc = por_plonk_proof_deserialize(mod, len, &p2, &why);
        ok(rc == 0 && !verifies(f, &p2), "%s = p - 1 decodes but does not verify", what[k]);
        por_plonk_proof_free(&p2);
        free(mod);
    }
    uint8_t *mod = malloc(len);
    memcpy(mod, buf, len);
    mod[4] = 2;
    ok(por_plonk_proof_deserialize(mod, len, &p2, &why) != 0, "wrong version rejected");
    por_plonk_proof_free(&p2);
    memcpy(mod, buf, len);
    mod[0] = 'X';
    ok(por_plonk_proof_deserialize(mod, len, &p2, &why) != 0, "wrong magic rejected");
    por_plonk_proof_free(&p2);
    memcpy(mod, buf, len);
    mod[43] = 0x7f; /* number of public inputs ~ 2^30 */
    ok(por_plonk_proof_deserialize(mod, len, &p2, &why) != 0, "absurd public-input count rejected");
    por_plonk_proof_free(&p2);
    memcpy(mod, buf, len);
    mod[44 + 8 * npi] = 17; /* cap height */
    ok(por_plonk_proof_deserialize(mod, len, &p2, &why) != 0, "cap height out of range rejected");
    por_plonk_proof_free(&p2);

    /* flipped bytes anywhere: never accepted */
    size_t accepted = 0, tried = 0;
    for (size_t pos = 0; pos < len; pos += 1 + len / 100) {
        memcpy(mod, buf, len);
        mod[pos] ^= (uint8_t)(1 + test_rand_u64(&seed) % 255);
        tried++;
        if (por_plonk_proof_deserialize(mod, len, &p2, &why) == 0 && verifies(f, &p2))
            accepted++;
        por_plonk_proof_free(&p2);
    }
    ok(accepted == 0, "%zu single-byte corruptions spread over the proof: none accepted", tried);
    free(mod);
    free(buf);
}

static void test_tamper_and_keys(void)
{
    por_circuit_config cfg;
    test_config(&cfg, true);
    fixture fx, fy, fz;
    arith_chain(&fx, &cfg, 5, 0);
    arith_chain(&fy, &cfg, 5, 1); /* same shape, other constants */
    gl_t x = rnd();
    por_plonk_proof proof;
    const char *why;
    ok(prove(&fx, &x, NULL, false, &proof, &why) == 0 && verifies(&fx, &proof), "circuit X proves");
    ok(proof.public_inputs[0] == x && proof.num_public_inputs == 2, "public inputs are carried");
    const por_plonk_vk *vkx = por_plonk_prover_vk(fx.pk);
    const por_pcs_shape *sh = &proof.opening.shape;
    ok(sh->num_batches == 4 && sh->batches[0].salted == 0 && sh->batches[1].salted == 1 &&
           sh->batches[2].salted == 1 && sh->batches[3].salted == 1,
       "zk: wires, permutation and quotient batches are salted, the preprocessed one is not");
    ok(sh->batches[3].num_polys == 2 * vkx->num_quotient_chunks + 2 &&
           vkx->quotient_chunk_size == fx.c->n - (cfg.num_queries + 6),
       "zk: quotient batch holds %u chunks of %u coefficients plus the FRI masks R0, R1",
       vkx->num_quotient_chunks, vkx->quotient_chunk_size);
    ok(fx.c->n == fy.c->n && memcmp(&por_plonk_prover_vk(fx.pk)->circuit_digest,
                                    &por_plonk_prover_vk(fy.pk)->circuit_digest, 32) != 0,
       "X and Y: same size, different digests");
    ok(!verifies(&fy, &proof), "X's proof rejected under Y's key");
    por_digest saved = proof.circuit_digest;
    proof.circuit_digest = por_plonk_prover_vk(fy.pk)->circuit_digest;
    ok(!verifies(&fy, &proof), "X's proof relabelled with Y's digest rejected under Y's key");
    proof.circuit_digest = saved;
    cfg.zero_knowledge = 0;
    arith_chain(&fz, &cfg, 5, 0);
    ok(memcmp(&por_plonk_prover_vk(fx.pk)->circuit_digest, &por_plonk_prover_vk(fz.pk)->circuit_digest,
              32) != 0,
       "zero knowledge on/off changes the digest");
    ok(!verifies(&fz, &proof), "X's proof rejected under the non-zk X key");

    /* wrong public inputs */
    for (int i = 0; i < 2; i++) {
        gl_t s = proof.public_inputs[i];
        proof.public_inputs[i] = gl_add(s, 1);
        ok(!verifies(&fx, &proof), "public input %d changed: rejected", i);
        proof.public_inputs[i] = s;
    }
    /* tampered fields */
    proof.wires_cap[1].e[2] ^= 1;
    ok(!verifies(&fx, &proof), "tampered wires cap rejected");
    proof.wires_cap[1].e[2] ^= 1;
    proof.zs_cap[0].e[0] ^= 1;
    ok(!verifies(&fx, &proof), "tampered permutation cap rejected");
    proof.zs_cap[0].e[0] ^= 1;
    proof.quotient_cap[1].e[3] ^= 1;
    ok(!verifies(&fx, &proof), "tampered quotient cap rejected");
    proof.quotient_cap[1].e[3] ^= 1;
    gl2_t *ev = &proof.opening.evals[5];
    ev->c1 = gl_add(ev->c1, 1);
    ok(!verifies(&fx, &proof), "tampered opened value rejected");
    ev->c1 = gl_sub(ev->c1, 1);
    proof.opening.rows[3] = gl_add(proof.opening.rows[3], 1);
    ok(!verifies(&fx, &proof), "tampered opened row rejected");
    proof.opening.rows[3] = gl_sub(proof.opening.rows[3], 1);
    proof.opening.fri.final_poly[0].c0 = gl_add(proof.opening.fri.final_poly[0].c0, 1);
    ok(!verifies(&fx, &proof), "tampered final polynomial rejected");
    proof.opening.fri.final_poly[0].c0 = gl_sub(proof.opening.fri.final_poly[0].c0, 1);
    proof.opening.fri.pow_nonce ^= 1;
    ok(!verifies(&fx, &proof), "tampered grinding nonce rejected");
    proof.opening.fri.pow_nonce ^= 1;
    ok(verifies(&fx, &proof), "the restored proof verifies again");

    test_serialization(&fx, &proof);
    por_plonk_proof_free(&proof);

    /* two proofs of the same statement differ (fresh blinding and salts) */
    por_plonk_proof p1, p2;
    prove(&fx, &x, NULL, false, &p1, &why);
    prove(&fx, &x, NULL, false, &p2, &why);
    ok(memcmp(p1.wires_cap, p2.wires_cap, 32) != 0 &&
           !gl2_eq(por_pcs_proof_eval(&p1.opening, 0, 1, 0), por_pcs_proof_eval(&p2.opening, 0, 1, 0)),
       "zk: two proofs of one statement have different wire caps and openings");
    por_plonk_proof_free(&p1);
    por_plonk_proof_free(&p2);
    fixture_free(&fx);
    fixture_free(&fy);
    fixture_free(&fz);
}

/* The default configuration (100-bit security, zero knowledge). */
static void test_default_config(void)
{
    por_circuit_config cfg;
    por_circuit_config_default(&cfg);
    ok(por_circuit_config_security_bits(&cfg) == 100, "default configuration: 100 bits");
    fixture f;
    poseidon_chain(&f, &cfg, 5);
    gl_t in[12];
    for (int i = 0; i < 12; i++)
        in[i] = rnd();
    por_pool *pool = por_pool_create(2);
    por_plonk_proof proof;
    const char *why;
    int rc = prove(&f, in, pool, false, &proof, &why);
    ok(rc == 0 && verifies(&f, &proof), "default configuration: a Poseidon chain proves and verifies");
    gl_t st[12];
    memcpy(st, in, sizeof(st));
    for (int p = 0; p < 5; p++)
        poseidon_permute(st);
    ok(rc == 0 && memcmp(proof.public_inputs, st, 4 * sizeof(gl_t)) == 0,
       "its public outputs equal five native permutations");
    diag("default config, n = %zu: proof of %zu bytes", f.c->n, por_plonk_proof_encoded_len(&proof));
    por_plonk_proof_free(&proof);
    por_pool_destroy(pool);
    fixture_free(&f);
}

#include <time.h>
/* Rates below log2(max_degree): the quotient is evaluated on an extension of
 * the committed LDE (blocks computed from the committed coefficients).  A
 * wrong extension would leave C / Z_H of too high a degree, so the honest
 * proofs below are the check that it is right; the unsatisfied witness
 * shows the degree check still bites. */
static void test_extended_quotient_domain(void)
{
    por_pool *pool = por_pool_create(2);
    por_circuit_config cfg;
    fixture f;
    char name[96];
    for (unsigned rate = 1; rate <= 2; rate++)
        for (int zk = 0; zk <= 1; zk++) {
            test_config(&cfg, zk);
            cfg.rate_bits = rate;
            mixed_circuit(&f, &cfg);
            gl_t mix[6] = {7, (1ULL << 61) - 1, 5, 1ULL << 40, 987654321, 3};
            snprintf(name, sizeof(name), "rate 1/%u, max_degree 8 (quotient on 8n points, zk %d, n = %zu)",
                     1u << rate, zk, f.c->n);
            prove_and_verify(name, &f, mix, rate == 2 ? pool : NULL);
            fixture_free(&f);
        }
    test_config(&cfg, true);
    cfg.rate_bits = 2;
    wrong_sbox_input(&cfg, pool, "rate 1/4");
    por_pool_destroy(pool);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A stop request is honoured at each of the prover's three polls, and never spuriously. */
static bool stop_after(void *ctx)
{
    int *polls_left = ctx;
    return (*polls_left)-- <= 0;
}

static void test_stop_request(void)
{
    por_circuit_config cfg;
    fixture f;
    test_config(&cfg, 1);
    arith_chain(&f, &cfg, 12, 0);
    gl_t in = rnd();
    for (int allowed = 0; allowed <= 3; allowed++) {
        por_witness *w = por_witness_new(f.c);
        por_witness_set(w, f.in[0], in);
        int polls_left = allowed;
        por_plonk_prove_opts opts = {.should_stop = stop_after, .stop_ctx = &polls_left};
        por_plonk_proof proof;
        const char *why = NULL;
        int rc = por_plonk_prove(f.pk, w, NULL, &opts, &proof, &why);
        if (allowed < 3)
            ok(rc != 0 && why != NULL && strcmp(why, "stopped on request") == 0,
               "stop requested at poll %d: the prover gives up (%s)", allowed, why ? why : "no reason");
        else
            ok(rc == 0 && por_plonk_verify(por_plonk_prover_vk(f.pk), &proof, &why) == 0 && polls_left == 0,
               "never stopped: 3 polls and a valid proof");
        por_plonk_proof_free(&proof);
        por_witness_free(w);
    }
    fixture_free(&f);
}

int main(void)
{
    double t0 = now();
    test_honest();
    double t1 = now();
    test_unsatisfied();
    double t2 = now();
    test_tamper_and_keys();
    double t3 = now();
    test_default_config();
    double t4 = now();
    test_stop_request();
    test_extended_quotient_domain();
    diag("times: honest %.2f unsat %.2f tamper %.2f default %.2f", t1 - t0, t2 - t1, t3 - t2, t4 - t3);
    return done_testing();
}
