/*
 * PLONK proofs are a fixed function of the witness and the randomness
 * source: with a deterministic por_plonk_prove_opts.rand, a small mixed
 * circuit (arithmetic, constants, Poseidon, range checks) and a small batch
 * circuit (balance gates too) prove to byte strings whose SHA-256 was
 * recorded before the prover's performance work, on 1 and on 2 threads.  A
 * prover optimization that changes any proof byte fails here.  Negative
 * check: another randomness seed gives another proof.
 */
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "por/batch.h"
#include "plonk/circuit.h"
#include "plonk/plonk.h"
#include "tap.h"
#include "util/threadpool.h"

/* Counter-mode stream of canonical elements from a 64-bit seed (splitmix64). */
static int det_rand(void *ctx, gl_t *out, size_t n)
{
    uint64_t *state = ctx;
    for (size_t i = 0; i < n; i++) {
        uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        out[i] = gl_from_u64(z ^ (z >> 31));
    }
    return 0;
}

static void test_config(por_circuit_config *cfg)
{
    por_circuit_config_default(cfg);
    cfg->zero_knowledge = true;
    cfg->num_queries = 3;
    cfg->pow_bits = 1;
    cfg->cap_height = 2;
}

/* Hex SHA-256 of a proof's encoding; "" on failure. */
static void proof_sha(const por_plonk_proof *proof, char hex[65])
{
    uint8_t *buf = NULL, md[32];
    size_t len = 0;
    hex[0] = 0;
    if (por_plonk_proof_serialize(proof, &buf, &len) != 0)
        return;
    SHA256(buf, len, md);
    free(buf);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* Proves w's circuit with det_rand from seed; the proof's hash (or ""). */
static void prove_hash(const por_plonk_prover *pk, por_witness *w, por_pool *pool, uint64_t seed,
                       char hex[65])
{
    uint64_t state = seed;
    por_plonk_prove_opts opts = {.rand = det_rand, .rand_ctx = &state};
    por_plonk_proof proof;
    const char *why = NULL;
    hex[0] = 0;
    if (por_plonk_prove(pk, w, pool, &opts, &proof, &why) != 0)
        diag("prove failed: %s", why);
    else if (por_plonk_verify(por_plonk_prover_vk(pk), &proof, &why) != 0)
        diag("verify failed: %s", why);
    else
        proof_sha(&proof, hex);
    por_plonk_proof_free(&proof);
}

/* Every gate of the general circuit: arithmetic, constants, Poseidon, range checks. */
static por_circuit *mixed_circuit(por_target in[6])
{
    por_circuit_config cfg;
    test_config(&cfg);
    por_builder *b = por_builder_new(&cfg);
    por_target d[4], sum = por_builder_zero(b);
    for (int i = 0; i < 6; i++) {
        in[i] = por_builder_add_virtual(b);
        por_builder_range_check(b, in[i], 62);
        sum = por_builder_add(b, sum, por_builder_mul_const(b, gl_from_u64(i + 1), in[i]));
    }
    por_builder_range_check(b, sum, 63);
    por_builder_hash(b, 77, in, 6, d);
    for (int i = 0; i < 4; i++)
        por_builder_register_public_input(b, d[i]);
    por_builder_register_public_input(b, sum);
    const char *why = NULL;
    por_circuit *c = por_builder_build(b, &why);
    por_builder_free(b);
    if (!c)
        diag("build: %s", why);
    return c;
}

/* The hashes recorded before any prover optimization (same rand, same inputs);
 * each is re-recorded only when its circuit or its configuration changes on
 * purpose (the batch one last, with the mixed one: the zero-knowledge margin,
 * 4 more regular blinding rows and 2 more pairs, POR_CIRCUIT_ZK_MARGIN; the
 * mixed one since: the builder's range rows hold at most
 * POR_RANGE_ROW_CONSTRAINTS constraints, so its range checks moved rows; the
 * prover's 8-lane gate evaluations, in the same commit range, changed no byte
 * of either before that). */
#define MIXED_SHA "eac55e1498ec5707bc4a6e4b61d43df76fad16609c2fb60f37f308bb2a729a4e"
#define BATCH_SHA "865ffe054362168daf4128f93be256b57bf22c55db1ff8744cd8040f21e2dfb9"

static void test_mixed(por_pool *pool)
{
    por_target in[6];
    por_circuit *c = mixed_circuit(in);
    const char *why = NULL;
    por_plonk_prover *pk = c ? por_plonk_setup(c, NULL, &why) : NULL;
    ok(pk != NULL, "mixed circuit: setup (%s)", why ? why : "ok");
    if (!pk) {
        por_circuit_free(c);
        return;
    }
    char h1[65], h2[65], h3[65];
    for (int t = 0; t < 3; t++) {
        por_witness *w = por_witness_new(c);
        for (int i = 0; i < 6; i++)
            por_witness_set(w, in[i], gl_from_u64(1000003ULL * (uint64_t)(i + 1) + 17));
        prove_hash(pk, w, t == 1 ? pool : NULL, t == 2 ? 0xfeed : 0x5eed, t == 0 ? h1 : t == 1 ? h2 : h3);
        por_witness_free(w);
    }
    diag("mixed: %s", h1);
    ok(strcmp(h1, MIXED_SHA) == 0, "mixed circuit: proof bytes as recorded (1 thread)");
    ok(strcmp(h2, MIXED_SHA) == 0, "mixed circuit: proof bytes as recorded (2 threads)");
    ok(h3[0] && strcmp(h3, h1) != 0, "mixed circuit: another seed gives another proof");
    por_plonk_prover_free(pk);
    por_circuit_free(c);
}

static void test_batch(por_pool *pool)
{
    const unsigned k = 2, A = 2;
    por_circuit_config cfg;
    /* the batch circuits' own configuration (rate 1/4), made small */
    por_batch_config_default(&cfg);
    cfg.num_queries = 3;
    cfg.pow_bits = 1;
    cfg.cap_height = 2;
    por_asset assets[2];
    memset(assets, 0, sizeof(assets));
    for (unsigned a = 0; a < A; a++) {
        snprintf(assets[a].symbol, sizeof(assets[a].symbol), "A%u", a);
        assets[a].decimals = 8;
        assets[a].price_units = a ? 1 : 6500000;
        assets[a].haircut = a ? 100 : 90;
    }
    por_params params = {.snapshot_id = 5, .snapshot_time_us = 1700000000000000LL, .balance_bits = 62,
                         .price_scale = 8, .batch_log2 = k, .leaf_count = 4ULL << k, .asset_count = A,
                         .assets = assets};
    const char *why = NULL;
    por_batch_circuit *bc = por_batch_circuit_build(k, A, 62, true, &cfg, &why);
    por_plonk_prover *pk = bc ? por_plonk_setup(bc->circuit, pool, &why) : NULL;
    ok(pk != NULL, "batch circuit: setup (%s)", why ? why : "ok");
    if (!pk) {
        por_batch_circuit_free(bc);
        return;
    }
    size_t n = (size_t)1 << k;
    uint64_t bal[4 * 2 * 2];
    por_digest cm[4];
    uint64_t s = 0x62617463;
    for (size_t u = 0; u < n; u++) {
        for (unsigned a = 0; a < A; a++) {
            det_rand(&s, &bal[2 * A * u + a], 1);
            bal[2 * A * u + a] >>= 4;
            bal[2 * A * u + A + a] = bal[2 * A * u + a] >> 8;
        }
        det_rand(&s, cm[u].e, 4);
    }
    char h1[65], h2[65];
    for (int t = 0; t < 2; t++) {
        por_witness *w = NULL;
        por_batch_public pub;
        if (por_batch_witness(bc, &params, cm, bal, false, &w, &pub, &why) != 0) {
            diag("witness: %s", why);
            (t ? h2 : h1)[0] = 0;
            continue;
        }
        prove_hash(pk, w, t ? pool : NULL, 0xba7c4, t ? h2 : h1);
        por_witness_free(w);
    }
    diag("batch: %s", h1);
    ok(strcmp(h1, BATCH_SHA) == 0, "batch circuit: proof bytes as recorded (1 thread)");
    ok(strcmp(h2, BATCH_SHA) == 0, "batch circuit: proof bytes as recorded (2 threads)");
    por_plonk_prover_free(pk);
    por_batch_circuit_free(bc);
}

int main(void)
{
    por_pool *pool = por_pool_create(2);
    test_mixed(pool);
    test_batch(pool);
    por_pool_destroy(pool);
    return done_testing();
}
