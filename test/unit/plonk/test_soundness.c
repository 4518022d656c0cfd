/*
 * The soundness claim (commit/soundness.h, plonk/plonk_soundness.h): known
 * answers for the terms, the shape of the claim (a union bound: never above
 * its weakest term, at most one bit below it per doubling of terms), and the
 * figures that batch.h, pcs.h and docs/security.md state for the batch
 * proofs at every size a batch can have, so a change of parameters or
 * protocol that moves them fails here until the statements follow.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agg/compress.h"
#include "commit/soundness.h"
#include "plonk/circuit.h"
#include "plonk/plonk_soundness.h"
#include "por/batch.h"
#include "tap.h"

static bool near(double x, double want, double tol) { return fabs(x - want) <= tol; }

/* The PCS terms on their own, against figures worked out by hand. */
static void test_known_answers(void)
{
    por_soundness_input in;
    memset(&in, 0, sizeof(in));
    /* 2^20 rows at rate 1/4, 44 queries, 16 bits, arity 16 down to 2^5: reductions 4, 4, 4, 3 */
    ok(por_fri_params_init(&in.fri, 20, 2, 4, 44, 16, 4, 5) == 0 && in.fri.num_reductions == 4,
       "FRI parameters of 2^20 rows");
    in.num_functions = 539; /* the batch proofs' 269 polynomials at 2 points, + 1 */
    in.iop_degree = 0;
    por_soundness s;
    por_soundness_estimate(&in, &s);
    ok(s.query_conjectured_bits == 104 && s.query_provable_bits == 60,
       "query terms: 44 * 2 + 16 = 104 conjectured, 44 + 16 = 60 Johnson limit");
    /* (539 * 2^22 + 15 * 2^22 + 15 * 2^18 + 15 * 2^14 + 7 * 2^10) / p^2:
     * log2(554 * 2^22 + 15 * 2^18 + ...) = 22 + log2(554.94...) = 31.1163 */
    ok(near(s.field_bits, 128 - 31.1163, 0.01), "field term at 2^20 rows: %.3f bits (hand: 96.884)", s.field_bits);
    /* pcs.h used to write it (P m + degree) 2^L / 2^128: at 2^20 rows that is
     * 128 - 22 - log2(538 + 2^20) = 86.0, ten bits too pessimistic, and
     * the batching term alone 128 - 22 - log2(539) = 96.93 */
    ok(s.field_bits < 128 - 22 - log2(539.0) && s.field_bits > 128 - 22 - log2(539.0) - 0.1,
       "the batching term dominates the field term");
    ok(near(s.conjectured_bits, -log2(exp2(-s.field_bits) + exp2(-104)), 1e-9),
       "conjectured = -log2(field error + query error)");
    ok(s.provable_bits < s.query_provable_bits && s.provable_bits > 45 && s.johnson_m >= 3,
       "provable: %.2f bits (m = %u), below the Johnson query limit", s.provable_bits, s.johnson_m);

    /* the IOP's own degree adds to the field term, in the list size for the provable one */
    por_soundness t;
    in.iop_degree = 140.0 * (1 << 20);
    por_soundness_estimate(&in, &t);
    ok(t.field_bits < s.field_bits && t.provable_bits <= s.provable_bits, "an IOP degree lowers the claim");

    char line[200];
    por_soundness_describe(&s, line, sizeof(line));
    ok(strstr(line, "96.8 bits conjectured (ethSTARK conjecture; queries 104, field 96.8)") != NULL &&
           strstr(line, "bits provable (Johnson bound)") != NULL,
       "described: %s", line);
}

/* The claim at every batch size, from the 1024 x 8 key (the layout does not
 * depend on the size beyond the quotient chunks). */
static void test_batch_claims(void)
{
    por_circuit_config cfg;
    por_batch_config_default(&cfg);
    ok(por_circuit_config_security_bits(&cfg) == 104, "batch configuration: 104-bit query term");
    const char *why = NULL;
    por_batch_circuit *bc = por_batch_circuit_build(10, 8, 62, true, NULL, &why);
    por_plonk_prover *pk = bc ? por_plonk_setup(bc->circuit, NULL, &why) : NULL;
    ok(pk != NULL, "1024 x 8 batch key (%s)", why ? why : "ok");
    if (!pk) {
        por_batch_circuit_free(bc);
        return;
    }
    const por_plonk_vk *vk = por_plonk_prover_vk(pk);
    por_soundness own, s;
    ok(por_plonk_soundness(vk, 0, &own) == 0 && por_plonk_soundness(vk, vk->degree_bits, &s) == 0 &&
           own.conjectured_bits == s.conjectured_bits,
       "the key's own size (2^%u)", vk->degree_bits);
    /* what batch.h and docs/security.md state (rounded down to a tenth): >= 100
     * up to 2^16 rows, then these; 2^21 is the largest batch circuit
     * (POR_BATCH_MAX_ACCOUNT_ASSETS = 2^18 at one asset, k = 18) */
    static const struct {
        unsigned db;
        double conj, field, prov;
    } stated[] = {
        {9, 103.8, 107.7, 58.6},  {13, 102.8, 103.7, 57.5}, {15, 101.5, 101.7, 56.7},
        {16, 100.6, 100.7, 56.2}, {17, 99.7, 99.7, 55.7},   {18, 98.7, 98.7, 55.1},
        {19, 97.7, 97.7, 54.5},   {20, 96.7, 96.7, 53.7},   {21, 95.7, 95.7, 53.1},
    };
    double prev = INFINITY;
    bool monotone = true;
    for (size_t i = 0; i < sizeof(stated) / sizeof(stated[0]); i++) {
        int rc = por_plonk_soundness(vk, stated[i].db, &s);
        ok(rc == 0 && near(s.conjectured_bits, stated[i].conj, 0.1) &&
               near(s.field_bits, stated[i].field, 0.1) && near(s.provable_bits, stated[i].prov, 0.1) &&
               s.conjectured_bits >= stated[i].conj && s.field_bits >= stated[i].field &&
               s.provable_bits >= stated[i].prov,
           "2^%u rows: %.4f conjectured (stated %.1f), field %.4f, provable %.4f (stated %.1f)", stated[i].db,
           s.conjectured_bits, stated[i].conj, s.field_bits, s.provable_bits, stated[i].prov);
        ok(s.conjectured_bits <= s.query_conjectured_bits && s.conjectured_bits <= s.field_bits &&
               s.conjectured_bits >= fmin(s.query_conjectured_bits, s.field_bits) - 1 &&
               s.provable_bits < s.conjectured_bits,
           "2^%u rows: the claim is a union bound below its weakest term", stated[i].db);
        monotone &= s.conjectured_bits < prev;
        prev = s.conjectured_bits;
        if (stated[i].db <= 16)
            ok(s.conjectured_bits >= 100, "2^%u rows: at least 100 bits conjectured, field term included",
               stated[i].db);
    }
    ok(monotone, "the claim falls as batches grow (the field term: |D| / |F|)");
    ok(por_plonk_soundness(vk, 31, &s) == -1, "no claim for a size with no proof");
    por_plonk_prover_free(pk);
    por_batch_circuit_free(bc);
}

/* The compression proof (the published final proof, agg/compress.h) at its
 * 2^13 rows: the claim docs/security.md states.  Its layout (columns, gate
 * types, configuration) does not depend on the tree's shape, so the key of a
 * small tree's compression circuit, taken at 2^13 rows, is the 1024 x 53
 * trees' (fan-in 2 and 4 tops: 2^13 rows, BENCHMARKS.md). */
static void test_compress_claim(void)
{
    por_circuit_config cfg;
    por_agg_compress_config(&cfg);
    ok(por_circuit_config_security_bits(&cfg) == 102 && cfg.rate_bits == 5 && cfg.num_queries == 16 &&
           cfg.pow_bits == 22 && cfg.num_routed_wires == 80 && cfg.zero_knowledge,
       "compression configuration: rate 1/32, 16 queries, 22 grinding bits (102-bit query term), 80 routed wires, "
       "zero knowledge");
    por_agg_shape shape = {.batch_log2 = 2, .asset_count = 2, .balance_bits = 62, .fan_in_log2 = 1};
    por_agg_keys keys;
    const char *why = NULL;
    if (por_agg_keys_derive(&shape, 1, false, NULL, NULL, &keys, &why) != 0) {
        ok(0, "compression key of a small tree (%s)", why);
        return;
    }
    por_soundness s;
    int rc = por_plonk_soundness(&keys.compress_vk, 13, &s);
    ok(rc == 0 && near(s.conjectured_bits, 100.3, 0.1) && s.conjectured_bits >= 100.3 &&
           near(s.field_bits, 100.8, 0.1) && s.field_bits >= 100.8 && near(s.provable_bits, 59.0, 0.1) &&
           s.provable_bits >= 59.0,
       "compression at 2^13 rows: %.4f conjectured (stated 100.3), field %.4f (100.8), provable %.4f (59.0)",
       s.conjectured_bits, s.field_bits, s.provable_bits);
    ok(rc == 0 && s.conjectured_bits >= 100, "compression: at least 100 bits conjectured, field term included");
    por_agg_keys_free(&keys);
}

int main(void)
{
    test_known_answers();
    test_batch_claims();
    test_compress_claim();
    return done_testing();
}
