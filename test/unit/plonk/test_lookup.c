/*
 * Range lookups (plonk.h: the logarithmic-derivative argument over the table
 * [0, 2^T)): honest circuits prove and verify with and without zero
 * knowledge, on 1 and 2 threads, with non-lookup rows (Poseidon) holding
 * arbitrary values in the looked-up columns; each way of breaking the
 * statement is refused by the prover and, forced through, rejected by the
 * verifier: a sublimb just outside the table, a short top sublimb that
 * overflows its r bits, a top copy forged to an in-table value, a field
 * element "-1", forged multiplicities; and the
 * configuration and builder refuse inconsistent tables.
 */
#include <stdlib.h>
#include <string.h>

#include "plonk/circuit.h"
#include "plonk/plonk.h"
#include "proof_fixtures.h"
#include "tap.h"
#include "util/threadpool.h"

enum { T_BITS = 8, FIRST = 40, B_BITS = 20, VALUES = 30 };

static uint64_t seed = 0x6c6f6f6b7570ULL;

static void lookup_config(por_circuit_config *cfg, bool zk)
{
    test_fast_config(cfg);
    cfg->zero_knowledge = zk;
    cfg->lookup_bits = T_BITS;
    cfg->lookup_first_wire = FIRST;
}

typedef struct {
    por_circuit *c;
    por_plonk_prover *pk;
    por_target in[VALUES];
    size_t rows[2];   /* the range-lookup rows */
    unsigned per_row; /* values per range-lookup row */
    por_gate gate;
} fixture;

/* VALUES inputs, each range-checked to B_BITS by lookups, plus a Poseidon
 * permutation of the first 12 (whose row fills every looked-up column with
 * unconstrained values) and a public sum. */
static bool fixture_build(fixture *f, const por_circuit_config *cfg)
{
    memset(f, 0, sizeof(*f));
    por_builder *b = por_builder_new(cfg);
    const uint32_t params[4] = {B_BITS, T_BITS, cfg->lookup_first_wire, 0};
    const char *why = por_gate_init(&f->gate, &por_gate_range_lookup_vt, params, cfg->num_wires,
                                    cfg->num_routed_wires, cfg->num_constants);
    if (why) {
        diag("gate: %s", why);
        por_builder_free(b);
        return false;
    }
    f->per_row = f->gate.params[3];
    for (size_t i = 0; i < VALUES; i++)
        f->in[i] = por_builder_add_virtual(b);
    for (size_t i = 0; i < VALUES; i++) {
        if (i % f->per_row == 0)
            f->rows[i / f->per_row] = por_builder_add_gate(b, &por_gate_range_lookup_vt, f->gate.params, NULL);
        size_t row = f->rows[i / f->per_row];
        por_builder_connect(b, f->in[i], por_builder_wire(b, row, (unsigned)(i % f->per_row)));
    }
    por_target s[12], t[12], sum = por_builder_zero(b);
    memcpy(s, f->in, sizeof(s));
    por_builder_poseidon(b, s, t);
    for (size_t i = 0; i < VALUES; i++)
        sum = por_builder_add(b, sum, f->in[i]);
    por_builder_register_public_input(b, sum);
    por_builder_register_public_input(b, t[0]);
    f->c = por_builder_build(b, &why);
    por_builder_free(b);
    if (!f->c) {
        diag("build: %s", why);
        return false;
    }
    f->pk = por_plonk_setup(f->c, NULL, &why);
    if (!f->pk)
        diag("setup: %s", why);
    return f->pk != NULL;
}

static void fixture_free(fixture *f)
{
    por_plonk_prover_free(f->pk);
    por_circuit_free(f->c);
}

/* Overwrites one wire of a generated witness (the malicious prover). */
static void force_wire(fixture *f, por_witness *w, size_t row, unsigned col, gl_t v)
{
    por_target t = {(uint32_t)(row * f->c->config.num_wires + col)};
    w->values[por_circuit_slot(f->c, t)] = v;
}

typedef void (*tamper_fn)(fixture *f, por_witness *w);

typedef struct {
    size_t index;
    gl_t delta;
} mult_tamper;

static void add_to_multiplicity(void *ctx, gl_t *m, size_t n)
{
    mult_tamper *mt = ctx;
    if (mt->index < n)
        m[mt->index] = gl_add(m[mt->index], mt->delta);
}

/* Proves inputs (after tamper, if any); returns the prover's result and
 * whether the proof (forced through when unchecked) verifies. */
static int run(fixture *f, const gl_t *inputs, tamper_fn tamper, por_pool *pool, bool unchecked,
               mult_tamper *mt, bool *verified, const char **why)
{
    por_witness *w = por_witness_new(f->c);
    for (size_t i = 0; i < VALUES; i++)
        por_witness_set(w, f->in[i], inputs[i]);
    const char *gwhy;
    if (por_witness_generate(w, &gwhy) != 0) {
        *why = gwhy;
        por_witness_free(w);
        *verified = false;
        return -1;
    }
    if (tamper)
        tamper(f, w);
    por_plonk_prove_opts opts = {.unchecked = unchecked};
    if (mt) {
        opts.tamper_multiplicities = add_to_multiplicity;
        opts.tamper_ctx = mt;
    }
    por_plonk_proof proof;
    int rc = por_plonk_prove(f->pk, w, pool, &opts, &proof, why);
    *verified = false;
    if (rc == 0) {
        const char *vwhy;
        *verified = por_plonk_verify(por_plonk_prover_vk(f->pk), &proof, &vwhy) == 0;
        if (!*verified && !unchecked)
            diag("verify: %s", vwhy);
    }
    por_plonk_proof_free(&proof);
    por_witness_free(w);
    return rc;
}

static void honest_inputs(gl_t *in)
{
    for (size_t i = 0; i < VALUES; i++)
        in[i] = test_rand_u64(&seed) & ((1u << B_BITS) - 1);
    in[0] = 0, in[1] = 1, in[2] = (1u << B_BITS) - 1, in[3] = 1u << (B_BITS - 1);
}

/* value 0 of the first row = 2^T written as sublimbs (2^T, 0, ..., 0): the
 * recomposition holds, the first sublimb is the first value outside the table */
static void tamper_just_outside(fixture *f, por_witness *w)
{
    force_wire(f, w, f->rows[0], 0, (gl_t)1 << T_BITS);
    force_wire(f, w, f->rows[0], por_range_lookup_cell_wire(&f->gate, 0, 0), (gl_t)1 << T_BITS);
    for (unsigned j = 1; j < por_range_lookup_cells(&f->gate); j++)
        force_wire(f, w, f->rows[0], por_range_lookup_cell_wire(&f->gate, 0, j), 0);
}

/* value 1 = 2^B: every sublimb in the table except that the top one is 2^r,
 * so its scaled copy 2^(T - r) 2^r = 2^T is outside the table */
static void tamper_top_overflow(fixture *f, por_witness *w)
{
    unsigned nl = por_range_lookup_sublimbs(&f->gate), r = por_range_lookup_top_bits(&f->gate);
    force_wire(f, w, f->rows[0], 1, (gl_t)1 << B_BITS);
    for (unsigned j = 0; j + 1 < nl; j++)
        force_wire(f, w, f->rows[0], por_range_lookup_cell_wire(&f->gate, 1, j), 0);
    force_wire(f, w, f->rows[0], por_range_lookup_cell_wire(&f->gate, 1, nl - 1), (gl_t)1 << r);
    force_wire(f, w, f->rows[0], por_range_lookup_cell_wire(&f->gate, 1, nl), (gl_t)1 << T_BITS);
}

/* value 2 = p - 1 ("-1"): sublimbs (p - 1, 0, ...) recompose to it */
static void tamper_minus_one(fixture *f, por_witness *w)
{
    force_wire(f, w, f->rows[0], 2, GL_P - 1);
    force_wire(f, w, f->rows[0], por_range_lookup_cell_wire(&f->gate, 2, 0), GL_P - 1);
    for (unsigned j = 1; j < por_range_lookup_cells(&f->gate); j++)
        force_wire(f, w, f->rows[0], por_range_lookup_cell_wire(&f->gate, 2, j), 0);
}

/* value 3 = 2^B again, but the top copy forged to 0 (in the table): only
 * the gate's copy constraint 2^(T-r) s_top = copy can refuse it */
static void tamper_copy_forged(fixture *f, por_witness *w)
{
    unsigned nl = por_range_lookup_sublimbs(&f->gate), r = por_range_lookup_top_bits(&f->gate);
    force_wire(f, w, f->rows[0], 3, (gl_t)1 << B_BITS);
    for (unsigned j = 0; j + 1 < nl; j++)
        force_wire(f, w, f->rows[0], por_range_lookup_cell_wire(&f->gate, 3, j), 0);
    force_wire(f, w, f->rows[0], por_range_lookup_cell_wire(&f->gate, 3, nl - 1), (gl_t)1 << r);
    force_wire(f, w, f->rows[0], por_range_lookup_cell_wire(&f->gate, 3, nl), 0);
}

/* The top copy is what bounds a short top sublimb: forged, the gate refuses. */
static void test_copy_forged(void)
{
    for (int zk = 0; zk <= 1; zk++) {
        por_circuit_config cfg;
        lookup_config(&cfg, zk);
        fixture f;
        if (!fixture_build(&f, &cfg)) {
            fixture_free(&f);
            continue;
        }
        gl_t in[VALUES];
        honest_inputs(in);
        bool verified;
        const char *why = NULL;
        por_witness *w = por_witness_new(f.c);
        for (size_t i = 0; i < VALUES; i++)
            por_witness_set(w, f.in[i], in[i]);
        por_witness_generate(w, &why);
        tamper_copy_forged(&f, w);
        size_t bad_row = 0;
        const char *cwhy = NULL;
        bool refused = por_circuit_check_witness(f.c, w, &bad_row, &cwhy) != 0;
        ok(refused && bad_row == f.rows[0] && cwhy && strstr(cwhy, "gate constraint"),
           "zk=%d forged top copy: the witness check names the gate constraint (%s)", zk, cwhy ? cwhy : "");
        por_witness_free(w);
        int rc = run(&f, in, tamper_copy_forged, NULL, false, NULL, &verified, &why);
        ok(rc != 0, "zk=%d forged top copy: prover refuses (%s)", zk, rc ? why : "proved");
        rc = run(&f, in, tamper_copy_forged, NULL, true, NULL, &verified, &why);
        ok(rc == 0 && !verified, "zk=%d forged top copy: forced through, the verifier rejects", zk);
        fixture_free(&f);
    }
}

static void test_gate_layout(void)
{
    por_gate g;
    const uint32_t p[4] = {B_BITS, T_BITS, FIRST, 0};
    ok(por_gate_init(&g, &por_gate_range_lookup_vt, p, 130, 48, 2) == NULL, "gate: fits the row");
    is_u64(por_range_lookup_sublimbs(&g), 3, "gate: 20 bits in 8-bit sublimbs: 3");
    is_u64(por_range_lookup_top_bits(&g), 4, "gate: the top sublimb has 4 bits");
    is_u64(por_range_lookup_cells(&g), 4, "gate: plus its scaled copy");
    is_u64(g.params[3], 22, "gate: (130 - 40) / 4 = 22 values per row");
    is_u64(g.lookup_bits, T_BITS, "gate: declares its table");
    const uint32_t even[4] = {16, 8, FIRST, 0};
    ok(por_gate_init(&g, &por_gate_range_lookup_vt, even, 130, 48, 2) == NULL &&
           por_range_lookup_cells(&g) == 2 && g.num_constraints == g.params[3],
       "gate: no scaled copy when T divides B");
    const uint32_t bad[][4] = {{0, 8, 40, 0}, {64, 8, 40, 0}, {20, 0, 40, 0}, {20, 21, 40, 0},
                               {20, 8, 130, 0}, {20, 8, 40, 23}, {20, 8, 40, 41}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ok(por_gate_init(&g, &por_gate_range_lookup_vt, bad[i], 130, 48, 2) != NULL,
           "gate: refuses params %zu", i);
}

static void test_config_and_builder(void)
{
    por_circuit_config cfg;
    lookup_config(&cfg, true);
    ok(por_circuit_config_check(&cfg) == NULL, "config: lookups accepted");
    cfg.lookup_bits = 21;
    ok(por_circuit_config_check(&cfg) != NULL, "config: table over 2^20 refused");
    lookup_config(&cfg, true);
    cfg.lookup_first_wire = cfg.num_wires;
    ok(por_circuit_config_check(&cfg) != NULL, "config: looked-up columns outside the row refused");
    por_circuit_config_default(&cfg);
    cfg.lookup_first_wire = 5;
    ok(por_circuit_config_check(&cfg) != NULL, "config: columns without a table refused");

    /* a gate naming another table than the configuration's */
    lookup_config(&cfg, true);
    por_builder *b = por_builder_new(&cfg);
    const uint32_t other[4] = {B_BITS, T_BITS + 1, FIRST, 0};
    ok(por_builder_add_gate(b, &por_gate_range_lookup_vt, other, NULL) == SIZE_MAX &&
           por_builder_error(b) != NULL,
       "builder: a gate with another table is refused");
    por_builder_free(b);
    por_circuit_config_default(&cfg);
    b = por_builder_new(&cfg);
    const uint32_t p[4] = {B_BITS, T_BITS, FIRST, 0};
    ok(por_builder_add_gate(b, &por_gate_range_lookup_vt, p, NULL) == SIZE_MAX,
       "builder: a lookup gate without lookups configured is refused");
    por_builder_free(b);

    /* the table needs 2^T active rows: a tiny circuit grows to hold it */
    lookup_config(&cfg, true);
    cfg.lookup_bits = 12;
    b = por_builder_new(&cfg);
    por_target x = por_builder_add_virtual(b);
    por_builder_register_public_input(b, x);
    const char *why;
    por_circuit *c = por_builder_build(b, &why);
    por_builder_free(b);
    ok(c && c->blind_start >= 4096, "builder: a 2^12 table gets 4096 active rows (n = %zu)", c ? c->n : 0);
    por_circuit_free(c);
}

static void test_honest(void)
{
    por_pool *pool = por_pool_create(2);
    for (int zk = 0; zk <= 1; zk++) {
        por_circuit_config cfg;
        lookup_config(&cfg, zk);
        fixture f;
        if (!ok(fixture_build(&f, &cfg), "zk=%d: lookup circuit builds", zk)) {
            fixture_free(&f);
            continue;
        }
        gl_t in[VALUES];
        honest_inputs(in);
        bool verified;
        const char *why = NULL;
        int rc = run(&f, in, NULL, NULL, false, NULL, &verified, &why);
        ok(rc == 0 && verified, "zk=%d: honest values prove and verify (%s)", zk, why ? why : "ok");
        rc = run(&f, in, NULL, pool, false, NULL, &verified, &why);
        ok(rc == 0 && verified, "zk=%d: the same on 2 threads (%s)", zk, why ? why : "ok");
        for (size_t i = 0; i < VALUES; i++)
            in[i] = 0;
        rc = run(&f, in, NULL, NULL, false, NULL, &verified, &why);
        ok(rc == 0 && verified, "zk=%d: all zero (one table entry used many times)", zk);
        fixture_free(&f);
    }
    por_pool_destroy(pool);
}

static void test_malicious(void)
{
    static const struct {
        const char *name;
        tamper_fn fn;
    } cases[] = {
        {"a sublimb of 2^T (just outside the table)", tamper_just_outside},
        {"2^B with a top sublimb of 2^r", tamper_top_overflow},
        {"the field element -1", tamper_minus_one},
    };
    for (int zk = 0; zk <= 1; zk++) {
        por_circuit_config cfg;
        lookup_config(&cfg, zk);
        fixture f;
        if (!fixture_build(&f, &cfg)) {
            fixture_free(&f);
            continue;
        }
        gl_t in[VALUES];
        honest_inputs(in);
        for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
            bool verified;
            const char *why = NULL;
            por_witness *w = por_witness_new(f.c);
            for (size_t i = 0; i < VALUES; i++)
                por_witness_set(w, f.in[i], in[i]);
            por_witness_generate(w, &why);
            cases[k].fn(&f, w);
            size_t bad_row = 0;
            const char *cwhy = NULL;
            bool refused = por_circuit_check_witness(f.c, w, &bad_row, &cwhy) != 0;
            ok(refused && bad_row == f.rows[0] && cwhy && strstr(cwhy, "table") != NULL,
               "zk=%d %s: the witness check names the table (%s)", zk, cases[k].name, cwhy ? cwhy : "");
            por_witness_free(w);
            int rc = run(&f, in, cases[k].fn, NULL, false, NULL, &verified, &why);
            ok(rc != 0 && why && strstr(why, "table"), "zk=%d %s: prover refuses (%s)", zk, cases[k].name,
               why ? why : "proved");
            rc = run(&f, in, cases[k].fn, NULL, true, NULL, &verified, &why);
            ok(rc == 0 && !verified, "zk=%d %s: forced through, the verifier rejects", zk, cases[k].name);
        }
        /* forged multiplicities on honest values: table rows, and the last
         * active row (past the table when there is room) */
        const size_t idx[] = {0, 5, (1u << T_BITS) - 1, f.c->blind_start - 1};
        for (size_t k = 0; k < sizeof(idx) / sizeof(idx[0]); k++) {
            mult_tamper mt = {idx[k], 1};
            bool verified;
            const char *why = NULL;
            int rc = run(&f, in, NULL, NULL, false, &mt, &verified, &why);
            ok(rc != 0 && why && strstr(why, "lookups"), "zk=%d multiplicity of row %zu + 1: prover refuses (%s)",
               zk, idx[k], why ? why : "proved");
            rc = run(&f, in, NULL, NULL, true, &mt, &verified, &why);
            ok(rc == 0 && !verified, "zk=%d multiplicity of row %zu + 1: forced through, rejected", zk, idx[k]);
        }
        fixture_free(&f);
    }
}

/* Flipped bytes anywhere in a lookup proof are rejected, and the proof does
 * not verify under the key of the same circuit with another table column. */
static void test_tamper(void)
{
    por_circuit_config cfg;
    lookup_config(&cfg, true);
    fixture f, g;
    if (!fixture_build(&f, &cfg)) {
        fixture_free(&f);
        return;
    }
    cfg.lookup_first_wire = FIRST + 4;
    bool g_ok = fixture_build(&g, &cfg);
    gl_t in[VALUES];
    honest_inputs(in);
    por_witness *w = por_witness_new(f.c);
    for (size_t i = 0; i < VALUES; i++)
        por_witness_set(w, f.in[i], in[i]);
    por_plonk_proof proof;
    const char *why;
    int rc = por_plonk_prove(f.pk, w, NULL, NULL, &proof, &why);
    por_witness_free(w);
    uint8_t *bytes = NULL;
    size_t len = 0;
    if (!ok(rc == 0 && por_plonk_proof_serialize(&proof, &bytes, &len) == 0, "tamper: proof encodes")) {
        por_plonk_proof_free(&proof);
        fixture_free(&f);
        if (g_ok)
            fixture_free(&g);
        return;
    }
    if (g_ok)
        ok(por_plonk_verify(por_plonk_prover_vk(g.pk), &proof, &why) != 0,
           "tamper: rejected under the key with other looked-up columns (%s)", why);
    size_t accepted = 0, tried = 0;
    for (size_t pos = 0; pos < len; pos += 1 + len / 400, tried++) {
        bytes[pos] ^= 0x20;
        por_plonk_proof p2;
        if (por_plonk_proof_deserialize(bytes, len, &p2, &why) == 0 &&
            por_plonk_verify(por_plonk_prover_vk(f.pk), &p2, &why) == 0)
            accepted++;
        por_plonk_proof_free(&p2);
        bytes[pos] ^= 0x20;
    }
    ok(accepted == 0, "tamper: %zu of %zu flipped bytes accepted", accepted, tried);
    free(bytes);
    por_plonk_proof_free(&proof);
    fixture_free(&f);
    if (g_ok)
        fixture_free(&g);
}

int main(void)
{
    test_gate_layout();
    test_config_and_builder();
    test_honest();
    test_malicious();
    test_copy_forged();
    test_tamper();
    return done_testing();
}
