/* Batch-circuit fixtures of the batch tests (test_batch.c, test_batch_forged.c):
 * a snapshot's params, random solvent balances with a zero-margin account,
 * the circuit and prover, and the malicious-witness checks. */
#ifndef POR_TEST_BATCH_WITNESS_FIXTURE_H
#define POR_TEST_BATCH_WITNESS_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "por/batch.h"
#include "por/leaves.h"
#include "por/params.h"
#include "plonk/plonk.h"
#include "proof_fixtures.h"
#include "tap.h"

static uint64_t batch_seed = 0x6261746368ULL;

/* A snapshot's params: A assets, batches of 2^k, two batches in the tree. */
typedef struct {
    por_params params;
    por_asset assets[64];
} snap;

static inline void snap_init(snap *s, unsigned k, unsigned A, unsigned B)
{
    static const char *sym[4] = {"BTC", "ETH", "USDT", "SOL"};
    static const uint64_t price[4] = {6500000, 350000, 1, 15000};
    static const uint32_t haircut[4] = {90, 80, 100, 50};
    memset(s, 0, sizeof(*s));
    for (unsigned a = 0; a < A; a++) {
        if (a < 4)
            strcpy(s->assets[a].symbol, sym[a]);
        else
            snprintf(s->assets[a].symbol, sizeof(s->assets[a].symbol), "X%u", a);
        s->assets[a].decimals = 8;
        s->assets[a].price_units = price[a % 4];
        s->assets[a].haircut = haircut[a % 4];
    }
    s->params = (por_params){.snapshot_id = 42, .snapshot_time_us = 1700000000000000LL, .balance_bits = B,
                             .price_scale = 8, .batch_log2 = k, .leaf_count = 2ULL << k, .asset_count = A,
                             .assets = s->assets};
}

/* Random solvent balances for n accounts (equity only on even assets of odd
 * accounts, etc.), plus one account at exactly zero margin. */
static inline void fill_balances(const snap *s, size_t n, uint64_t *bal, por_digest *cm)
{
    unsigned A = s->params.asset_count, B = s->params.balance_bits;
    for (size_t u = 0; u < n; u++) {
        for (unsigned a = 0; a < A; a++) {
            bal[2 * A * u + a] = test_rand_u64(&batch_seed) >> (64 - B);
            bal[2 * A * u + A + a] = test_rand_u64(&batch_seed) >> (64 - B + 12);
        }
        if (!por_account_solvent(&s->params, bal + 2 * A * u, bal + 2 * A * u + A))
            for (unsigned a = 0; a < A; a++)
                bal[2 * A * u + A + a] = 0;
        for (unsigned i = 0; i < 4; i++)
            cm[u].e[i] = gl_from_u64(test_rand_u64(&batch_seed));
    }
    /* account 1: the top balance, or zero margin: 1 * 350000 * 80 = 100 * 1 * 280000 */
    bal[2 * A + 0] = (1ULL << B) - 1;
    if (A >= 3) {
        for (unsigned t = 0; t < 2 * A; t++)
            bal[2 * A + t] = 0;
        bal[2 * A + 1] = 1;
        bal[2 * A + A + 2] = 280000;
    }
}

typedef struct {
    snap s;
    por_batch_circuit *bc;
    por_plonk_prover *pk;
    size_t n;
    uint64_t *bal;
    por_digest *cm;
} fixture;

static inline int fixture_init(fixture *f, unsigned k, unsigned A, unsigned B, bool zk)
{
    memset(f, 0, sizeof(*f));
    snap_init(&f->s, k, A, B);
    por_circuit_config cfg;
    test_fast_batch_config(&cfg);
    const char *why = NULL;
    f->bc = por_batch_circuit_build(k, A, B, zk, &cfg, &why);
    if (!f->bc) {
        diag("build: %s", why);
        return -1;
    }
    f->pk = por_plonk_setup(f->bc->circuit, NULL, &why);
    if (!f->pk) {
        diag("setup: %s", why);
        return -1;
    }
    f->n = (size_t)1 << k;
    f->bal = calloc(2 * f->n * 2 * A, sizeof(uint64_t)); /* two batches */
    f->cm = calloc(2 * f->n, sizeof(por_digest));
    fill_balances(&f->s, 2 * f->n, f->bal, f->cm);
    return 0;
}

static inline void fixture_free(fixture *f)
{
    por_plonk_prover_free(f->pk);
    por_batch_circuit_free(f->bc);
    free(f->bal);
    free(f->cm);
}

static inline bool verifies(fixture *f, const por_plonk_proof *proof, const por_batch_public *expected)
{
    const char *why = NULL;
    int rc = por_batch_verify(por_plonk_prover_vk(f->pk), f->bc->asset_count, proof, expected, NULL, &why);
    if (rc != 0)
        diag("verify: %s", why);
    return rc == 0;
}

/* A witness for batch 0 of f (balances possibly altered by the caller). */
static inline por_witness *witness(fixture *f, const uint64_t *bal, const por_params *params, bool unchecked,
                            por_batch_public *pub, const char **why)
{
    por_witness *w = NULL;
    if (por_batch_witness(f->bc, params, f->cm, bal, unchecked, &w, pub, why) != 0)
        return NULL;
    return w;
}

/* The malicious witness w: the prover refuses it, and forced through, the
 * verifier rejects the proof (against the honest statement if given). */
static inline void refused_and_rejected(fixture *f, por_witness *w, const por_batch_public *expected, const char *what)
{
    por_plonk_proof proof;
    const char *why = NULL;
    size_t row;
    const char *cwhy;
    ok(por_circuit_check_witness(f->bc->circuit, w, &row, &cwhy) != 0, "%s: witness check fails", what);
    int rc = por_batch_prove(f->pk, f->bc, w, NULL, NULL, NULL, &proof, &why);
    ok(rc != 0, "%s: the prover refuses (%s)", what, rc ? why : "accepted!");
    por_plonk_proof_free(&proof);
    por_plonk_prove_opts opts = {.unchecked = true};
    rc = por_plonk_prove(f->pk, w, NULL, &opts, &proof, &why);
    ok(rc == 0 && !verifies(f, &proof, NULL) && !verifies(f, &proof, expected),
       "%s: forced through the prover, the verifier rejects", what);
    por_plonk_proof_free(&proof);
}

/*
 * Malicious balances: the checked witness builder must refuse them, and the
 * forced (unchecked) witness must be refused by the prover and, when forced
 * through, rejected by the verifier.
 */
static inline void malicious_balances(fixture *f, const uint64_t *bal, const char *what)
{
    const char *why = NULL;
    por_batch_public pub;
    por_witness *w0 = witness(f, bal, &f->s.params, false, &pub, &why);
    ok(w0 == NULL, "%s: the witness builder refuses (%s)", what, w0 ? "accepted!" : why);
    por_witness_free(w0);
    por_witness *w = witness(f, bal, &f->s.params, true, &pub, &why);
    ok(w != NULL, "%s: unchecked witness generated (%s)", what, w ? "ok" : why);
    if (w)
        refused_and_rejected(f, w, &pub, what);
    por_witness_free(w);
}

static inline void forge(fixture *f, por_witness *w, por_target t, gl_t v)
{
    size_t slot = por_circuit_slot(f->bc->circuit, t);
    w->values[slot] = v;
}

#endif
