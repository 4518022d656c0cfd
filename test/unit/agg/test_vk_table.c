/*
 * Shipped verifier keys (por/vk_table.h, agg/vk_gen.h):
 *  - the shipped table equals a fresh derivation of every shape in
 *    keys/shapes.txt (fingerprint, cap, description, order): a stale or
 *    corrupted table fails here (plain build only: under the sanitizers the
 *    setups take minutes and compare the same numbers);
 *  - a key rebuilt from a recorded cap is the setup's key (circuit digest,
 *    cap), for a batch circuit and an aggregation tree, and verifies a real
 *    proof;
 *  - the fingerprint covers what the key depends on: a changed row constant,
 *    copy constraint, gate, configuration or pinned child key misses the
 *    table, so its key is derived by the setup;
 *  - a corrupted entry cannot be used silently: the comparison names it, and
 *    the key rebuilt from it rejects a valid proof;
 *  - the shapes file's parser.
 * Small shapes (batches of 4 accounts x 2 assets) for everything but the
 * shipped table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agg/vk_gen.h"
#include "batch_fixture.h"
#include "tap.h"

#define SHAPES_FILE "keys/shapes.txt"


static const por_agg_shape tiny = {.batch_log2 = 2, .asset_count = 2, .balance_bits = 62, .fan_in_log2 = 1};


static bool same_key(const por_plonk_vk *a, const por_plonk_vk *b)
{
    size_t cap = (size_t)1 << a->config.cap_height;
    return a->config.cap_height == b->config.cap_height &&
           memcmp(&a->circuit_digest, &b->circuit_digest, sizeof(por_digest)) == 0 &&
           memcmp(a->preprocessed_cap, b->preprocessed_cap, cap * sizeof(por_digest)) == 0 &&
           a->degree_bits == b->degree_bits && a->num_public_inputs == b->num_public_inputs &&
           a->num_gate_types == b->num_gate_types && a->num_quotient_chunks == b->num_quotient_chunks;
}

/* The list's entries copied into a table the test may corrupt. */
static por_vk_entry *copy_entries(const por_vk_list *list)
{
    por_vk_entry *e = malloc(list->count * sizeof(*e));
    memcpy(e, list->entries, list->count * sizeof(*e));
    return e;
}

static void test_parse(void)
{
    por_vk_shape s;
    const char *why = NULL;
    ok(por_vk_shape_parse("  # a comment", &s, &why) == 0, "parse: a comment line is skipped");
    ok(por_vk_shape_parse("", &s, &why) == 0, "parse: a blank line is skipped");
    ok(por_vk_shape_parse("batch 10 53 62", &s, &why) == 1 && s.shape.batch_log2 == 10 && s.shape.asset_count == 53 &&
           s.shape.balance_bits == 62 && s.shape.fan_in_log2 == 0 && s.first == 0 && s.last == 0,
       "parse: a batch line");
    ok(por_vk_shape_parse("tree 10 53 62 2 4  # bench", &s, &why) == 1 && s.shape.fan_in_log2 == 2 && s.first == 4 &&
           s.last == 4,
       "parse: a tree line with a trailing comment");
    ok(por_vk_shape_parse("tree 10 53 62 1 2-7", &s, &why) == 1 && s.first == 2 && s.last == 7,
       "parse: a range of levels");
    ok(por_vk_shape_parse("tree 10 53 62 1 5-3", &s, &why) == -1, "parse: an empty range refused");
    ok(por_vk_shape_parse("tree 10 53 62 2", &s, &why) == -1, "parse: a tree line without levels refused");
    ok(por_vk_shape_parse("batch 10 53 62 7", &s, &why) == -1, "parse: trailing fields refused");
    ok(por_vk_shape_parse("tree 10 53 62 5 2", &s, &why) == -1, "parse: fan-in beyond the maximum refused");
    ok(por_vk_shape_parse("tree 10 53 62 1 0", &s, &why) == -1, "parse: zero levels refused");
    ok(por_vk_shape_parse("batch 13 1 62", &s, &why) == -1, "parse: a batch beyond the verifier's cap refused");
    ok(por_vk_shape_parse("keys 10 53 62", &s, &why) == -1, "parse: an unknown kind refused");
}

/* Fingerprints of the tiny batch circuit and of variations of it. */
static void test_fingerprint(void)
{
    const char *why = NULL;
    por_batch_circuit *a = por_batch_circuit_build(2, 2, 62, true, NULL, &why);
    por_batch_circuit *b = por_batch_circuit_build(2, 2, 62, true, NULL, &why);
    uint8_t fa[32], fb[32], fx[32];
    ok(a && b && por_circuit_fingerprint(a->circuit, fa) == 0 && por_circuit_fingerprint(b->circuit, fb) == 0 &&
           memcmp(fa, fb, 32) == 0,
       "fingerprint: two builds of one circuit agree");
    por_circuit *c = b->circuit;
    size_t row = c->num_gate_rows / 2;
    c->row_consts[row * c->config.num_constants] ^= 1;
    ok(por_circuit_fingerprint(c, fx) == 0 && memcmp(fa, fx, 32) != 0, "fingerprint: a changed row constant differs");
    c->row_consts[row * c->config.num_constants] ^= 1;
    uint32_t *sigma = &c->sigma[row * c->config.num_routed_wires];
    uint32_t s0 = sigma[0];
    sigma[0] = sigma[1], sigma[1] = s0;
    ok(por_circuit_fingerprint(c, fx) == 0 && memcmp(fa, fx, 32) != 0, "fingerprint: a changed copy constraint differs");
    sigma[1] = sigma[0], sigma[0] = s0;
    uint16_t t0 = c->row_type[row];
    c->row_type[row] = POR_ROW_NOOP;
    ok(por_circuit_fingerprint(c, fx) == 0 && memcmp(fa, fx, 32) != 0, "fingerprint: a row's gate removed differs");
    c->row_type[row] = t0;
    c->gate_types[0].params[0] ^= 1;
    ok(por_circuit_fingerprint(c, fx) == 0 && memcmp(fa, fx, 32) != 0, "fingerprint: a gate's parameter differs");
    c->gate_types[0].params[0] ^= 1;
    c->config.num_queries++;
    ok(por_circuit_fingerprint(c, fx) == 0 && memcmp(fa, fx, 32) != 0, "fingerprint: another configuration differs");
    c->config.num_queries--;
    c->num_public_inputs--;
    ok(por_circuit_fingerprint(c, fx) == 0 && memcmp(fa, fx, 32) != 0, "fingerprint: another public input count differs");
    c->num_public_inputs++;
    ok(por_circuit_fingerprint(c, fx) == 0 && memcmp(fa, fx, 32) == 0, "fingerprint: restored, equal again");
    por_batch_circuit_free(a);
    por_batch_circuit_free(b);
}

/*
 * A batch key from a recorded cap is the setup's and verifies a proof; the
 * key of a corrupted entry rejects it and the comparison names the entry;
 * a circuit of another configuration misses the table.
 */
static void test_batch_entry(por_pool *pool)
{
    const char *why = NULL;
    por_vk_list list = {0};
    por_vk_shape batch_only = {.shape = tiny};
    batch_only.shape.fan_in_log2 = 0;
    if (!ok(por_vk_list_add(&list, &batch_only, pool, &why) == 0 && list.count == 1, "batch: one key recorded")) {
        diag("%s", why);
        return;
    }
    ok(por_vk_list_add(&list, &batch_only, pool, &why) == 0 && list.count == 1, "batch: recorded once only");
    por_vk_table table = por_vk_list_table(&list);
    size_t index = 99;
    ok(por_vk_table_compare(&table, &list, &index) == NULL, "compare: a table equals its own list (control)");
    por_batch_vk fresh, shipped;
    ok(por_batch_vk_derive_with(2, 2, 62, NULL, pool, &fresh, &why) == 0 && !fresh.shipped,
       "batch: derived by the setup without a table");
    ok(por_batch_vk_derive_with(2, 2, 62, &table, pool, &shipped, &why) == 0 && shipped.shipped,
       "batch: taken from the table that holds it");
    ok(same_key(&fresh.vk, &shipped.vk), "batch: the key from the cap is the setup's (circuit digest, cap, layout)");

    /* a real proof at the production configuration */
    test_batch tb;
    por_plonk_proof proof = {0};
    if (test_batch_make(&tb, 2, 2, NULL, pool) == 0 &&
        por_batch_prove(tb.pk, tb.bc, tb.w, pool, NULL, &tb.pub, &proof, &why) == 0) {
        ok(por_batch_verify(&shipped.vk, 2, &proof, &tb.pub, NULL, &why) == 0, "batch: the shipped key verifies a proof");
        /* one element of the recorded cap changed: the entry still matches the
         * circuit, but its key is not the circuit's and rejects the proof */
        por_vk_entry *bad = copy_entries(&list);
        bad[0].cap[3][1] ^= 1;
        por_vk_table bad_table = {bad, list.count};
        por_batch_vk wrong;
        ok(por_batch_vk_derive_with(2, 2, 62, &bad_table, pool, &wrong, &why) == 0 && wrong.shipped &&
               memcmp(&wrong.vk.circuit_digest, &fresh.vk.circuit_digest, sizeof(por_digest)) != 0,
           "corrupted entry: its key has another circuit digest");
        ok(por_batch_verify(&wrong.vk, 2, &proof, &tb.pub, NULL, &why) != 0,
           "corrupted entry: its key rejects a valid proof (never accepts silently)");
        por_vk_list again = {0};
        ok(por_vk_list_add(&again, &batch_only, pool, &why) == 0 &&
               por_vk_table_compare(&bad_table, &again, &index) != NULL && index == 0,
           "compare: the corrupted entry differs from a fresh derivation, named by index");
        bad[0].cap[3][1] ^= 1;
        bad[0].asset_count++;
        ok(por_vk_table_compare(&bad_table, &again, &index) != NULL, "compare: a wrong description is caught too");
        por_batch_vk_free(&wrong);
        por_vk_list_free(&again);
        free(bad);
    } else {
        ok(0, "batch: a proof to verify: %s", why);
    }
    por_plonk_proof_free(&proof);
    test_batch_free(&tb);

    /* another configuration (one query more) of the same shape: no entry */
    por_circuit_config cfg;
    por_batch_config_default(&cfg);
    cfg.num_queries++;
    por_batch_circuit *other = por_batch_circuit_build(2, 2, 62, true, &cfg, &why);
    por_plonk_vk ovk;
    bool from_table = true;
    ok(other && por_vk_derive(other->circuit, &table, pool, &ovk, &from_table, NULL, &why) == 0 && !from_table,
       "another configuration misses the table: derived by the setup");
    por_plonk_vk_free(&ovk);
    por_batch_circuit_free(other);
    por_batch_vk_free(&fresh);
    por_batch_vk_free(&shipped);
    por_vk_list_free(&list);
}

/*
 * A one-level tree: both keys from the table equal the setup's; a level
 * circuit pinning another child key, or built at another configuration,
 * misses.
 */
static void test_tree_entries(por_pool *pool)
{
    const char *why = NULL;
    por_vk_list list = {0};
    por_vk_shape one_level = {.shape = tiny, .first = 1, .last = 1};
    if (!ok(por_vk_list_add(&list, &one_level, pool, &why) == 0 && list.count == 3, "tree: batch, level and compression keys recorded")) {
        diag("%s", why);
        return;
    }
    por_vk_table table = por_vk_list_table(&list);
    por_agg_keys fresh, shipped;
    ok(por_agg_keys_derive_with(&tiny, 1, false, NULL, NULL, pool, &fresh, &why) == 0 && fresh.shipped == 0,
       "tree: derived by the setups without a table");
    ok(por_agg_keys_derive_with(&tiny, 1, false, NULL, &table, pool, &shipped, &why) == 0 && shipped.shipped == 3,
       "tree: the three keys from the table");
    ok(same_key(&fresh.batch.vk, &shipped.batch.vk) && same_key(&fresh.vk[1], &shipped.vk[1]) &&
           same_key(&fresh.compress_vk, &shipped.compress_vk),
       "tree: the keys from the caps are the setup's");
    por_agg_keys mixed;
    ok(por_agg_keys_derive_with(&tiny, 1, true, NULL, &table, pool, &mixed, &why) == 0 && mixed.shipped == 1 &&
           mixed.prover[1] != NULL && same_key(&mixed.vk[1], &fresh.vk[1]),
       "tree: a prover's keys: the batch key from the table, the level by its setup");
    por_agg_keys_free(&mixed);

    /* the level-1 circuit over a batch key whose cap differs in one element */
    por_plonk_vk child;
    por_plonk_vk_copy(&fresh.batch.vk, &child);
    child.preprocessed_cap[0].e[0] ^= 1;
    por_circuit_config cfg;
    por_agg_inner_config(&cfg);
    por_agg_circuit *ac = por_agg_circuit_build(&tiny, 1, &child, &cfg, &why);
    uint8_t fp[32];
    ok(ac && por_circuit_fingerprint(ac->circuit, fp) == 0 && memcmp(fp, fresh.fingerprint[1], 32) != 0 &&
           por_vk_table_find(&table, fp) == NULL,
       "tree: a level pinning another child key has another fingerprint: no entry");
    por_agg_circuit_free(ac);
    /* the level-1 circuit over the right child key at another configuration (one query more) */
    cfg.num_queries++;
    ac = por_agg_circuit_build(&tiny, 1, &fresh.batch.vk, &cfg, &why);
    ok(ac && por_circuit_fingerprint(ac->circuit, fp) == 0 && por_vk_table_find(&table, fp) == NULL,
       "tree: the level at another configuration has no entry");
    por_agg_circuit_free(ac);
    por_plonk_vk_free(&child);
    por_agg_keys_free(&fresh);
    por_agg_keys_free(&shipped);
    por_vk_list_free(&list);
}

/* The shipped table against a fresh derivation of keys/shapes.txt. */
static void test_shipped(por_pool *pool)
{
#if TEST_SANITIZED
    (void)pool;
    ok(1, "# SKIP the shipped table's re-derivation runs in the plain build");
#else
    FILE *f = fopen(SHAPES_FILE, "r");
    if (!ok(f != NULL, "shipped: %s readable (run from the repository's root)", SHAPES_FILE))
        return;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    por_vk_list list = {0};
    char line[512];
    const char *why = NULL;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        por_vk_shape s;
        int p = por_vk_shape_parse(line, &s, &why);
        if (p != 0)
            rc = p < 0 ? -1 : por_vk_list_add(&list, &s, pool, &why);
    }
    fclose(f);
    if (!ok(rc == 0, "shipped: every shape of %s derived", SHAPES_FILE))
        diag("%s", why);
    size_t index = 0;
    const char *bad = por_vk_table_compare(por_vk_table_shipped(), &list, &index);
    if (!ok(bad == NULL && list.count > 0, "shipped: the table equals the derivation (%zu keys)", list.count))
        diag("entry %zu: %s", index, bad ? bad : "no keys");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    diag("re-deriving the shipped table took %.1f s",
         (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    por_vk_list_free(&list);
#endif
}

int main(void)
{
    por_pool *pool = por_pool_create(0);
    test_parse();
    test_fingerprint();
    test_batch_entry(pool);
    test_tree_entries(pool);
    test_shipped(pool);
    por_pool_destroy(pool);
    return done_testing();
}
