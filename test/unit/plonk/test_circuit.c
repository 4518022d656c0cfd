/*
 * Circuit builder and witness generation: gadgets compute what they claim
 * (against native code), copy constraints and generators propagate values,
 * conflicts and unsatisfied rows are caught, the wiring permutation is a
 * permutation whose cycles are the copy classes.
 */
#include <stdlib.h>
#include <string.h>

#include "plonk/circuit.h"
#include "plonk/gates.h"
#include "hash/poseidon.h"
#include "tap.h"

static uint64_t seed = 0x63697263ULL;

static void small_config(por_circuit_config *cfg)
{
    por_circuit_config_default(cfg);
    cfg->zero_knowledge = 0;
}

static gl_t native_arith_chain(gl_t x, int steps)
{
    for (int i = 0; i < steps; i++)
        x = gl_add(gl_mul(x, x), gl_from_u64(i + 3));
    return x;
}

static void test_arith_chain(void)
{
    por_circuit_config cfg;
    small_config(&cfg);
    por_builder *b = por_builder_new(&cfg);
    por_target x0 = por_builder_add_virtual(b), x = x0;
    for (int i = 0; i < 40; i++)
        x = por_builder_add_const(b, por_builder_mul(b, x, x), gl_from_u64(i + 3));
    por_builder_register_public_input(b, x0);
    por_builder_register_public_input(b, x);
    const char *why;
    por_circuit *c = por_builder_build(b, &why);
    ok(c != NULL, "arith chain: build (%s)", why ? why : "ok");
    ok(por_builder_build(b, &why) == NULL, "a builder builds once");
    por_builder_free(b);
    if (!c)
        return;
    diag("arith chain: %zu gate rows, n = %zu", c->num_gate_rows, c->n);
    por_witness *w = por_witness_new(c);
    gl_t in = gl_from_u64(test_rand_u64(&seed)), got;
    ok(por_witness_set(w, x0, in) == 0, "set input");
    int rc = por_witness_generate(w, &why);
    ok(rc == 0, "generate (%s)", why ? why : "ok");
    ok(por_witness_get(w, x, &got) == 0 && got == native_arith_chain(in, 40),
       "arith chain output equals the native computation");
    size_t bad;
    ok(por_circuit_check_witness(c, w, &bad, &why) == 0, "arith chain witness satisfies every row");
    por_witness_free(w);

    /* an unsatisfied witness: the final output forced to a wrong value
     * conflicts with what the generators compute */
    w = por_witness_new(c);
    por_witness_set(w, x0, in);
    por_witness_set(w, x, gl_add(native_arith_chain(in, 40), 1));
    rc = por_witness_generate(w, &why);
    ok(rc != 0, "conflicting output: generation fails (%s)", why);
    por_witness_free(w);
    por_circuit_free(c);
}

static void test_hash_gadget(void)
{
    static const size_t lens[] = {0, 1, 4, 7, 8, 9, 16, 17};
    for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
        size_t n = lens[li];
        por_circuit_config cfg;
        small_config(&cfg);
        por_builder *b = por_builder_new(&cfg);
        por_target in[17], out[4];
        for (size_t i = 0; i < n; i++)
            in[i] = por_builder_add_virtual(b);
        por_builder_hash(b, 0x1234, in, n, out);
        const char *why;
        por_circuit *c = por_builder_build(b, &why);
        por_builder_free(b);
        por_witness *w = por_witness_new(c);
        gl_t vals[17];
        for (size_t i = 0; i < n; i++) {
            vals[i] = gl_from_u64(test_rand_u64(&seed));
            por_witness_set(w, in[i], vals[i]);
        }
        por_digest d;
        por_hash(0x1234, vals, n, &d);
        int rc = por_witness_generate(w, &why);
        bool same = rc == 0;
        for (int i = 0; i < 4 && same; i++) {
            gl_t v;
            same = por_witness_get(w, out[i], &v) == 0 && v == d.e[i];
        }
        size_t bad;
        ok(same, "hash gadget of %zu inputs equals por_hash", n);
        ok(por_circuit_check_witness(c, w, &bad, &why) == 0, "hash gadget of %zu: rows satisfied", n);
        por_witness_free(w);
        por_circuit_free(c);
    }
}

static void test_packing_and_errors(void)
{
    por_circuit_config cfg;
    small_config(&cfg);
    por_builder *b = por_builder_new(&cfg);
    por_target c5 = por_builder_constant(b, 5), c5b = por_builder_constant(b, 5);
    ok(c5.index == c5b.index, "equal constants share a wire");
    por_builder_constant(b, 6);
    size_t rows = por_builder_num_rows(b);
    por_builder_constant(b, 7);
    ok(por_builder_num_rows(b) == rows + 1, "two constants per constant row (K = 2)");
    rows = por_builder_num_rows(b);
    por_target v[9];
    for (int i = 0; i < 9; i++) {
        v[i] = por_builder_add_virtual(b);
        por_builder_range_check(b, v[i], 62);
    }
    ok(por_builder_num_rows(b) == rows + 9, "9 range checks of 62 bits take 9 rows (one a row: 32 constraints)");
    rows = por_builder_num_rows(b);
    for (int i = 0; i < 12; i++)
        por_builder_mul(b, v[0], v[1]);
    ok(por_builder_num_rows(b) == rows + 1, "12 multiplications share one arithmetic row");
    por_builder_mul(b, v[0], v[1]);
    ok(por_builder_num_rows(b) == rows + 2, "the 13th opens a new row");
    ok(por_builder_error(b) == NULL, "no error so far");
    size_t prow = por_builder_add_gate(b, &por_gate_poseidon_vt, NULL, NULL);
    por_builder_connect(b, v[0], por_builder_wire(b, prow, 100));
    ok(por_builder_error(b) != NULL, "connecting an unrouted wire is an error: %s",
       por_builder_error(b));
    const char *why;
    ok(por_builder_build(b, &why) == NULL, "build reports the sticky error");
    por_builder_free(b);

    b = por_builder_new(&cfg);
    por_builder_range_check(b, por_builder_add_virtual(b), 64);
    ok(por_builder_error(b) != NULL, "range check of 64 bits refused");
    por_builder_free(b);

    cfg.num_wires = 100;
    b = por_builder_new(&cfg);
    por_target in[12], out[12];
    for (int i = 0; i < 12; i++)
        in[i] = por_builder_add_virtual(b);
    por_builder_poseidon(b, in, out);
    ok(por_builder_error(b) != NULL, "poseidon gate refused on 100-wire rows");
    por_builder_free(b);

    cfg.num_wires = 130;
    cfg.max_degree = 65;
    b = por_builder_new(&cfg);
    ok(por_builder_error(b) != NULL, "max_degree 65 refused (3..64)");
    por_builder_free(b);
    cfg.max_degree = 2;
    b = por_builder_new(&cfg);
    ok(por_builder_error(b) != NULL, "max_degree 2 refused (3..64)");
    por_builder_free(b);
    /* the quotient's evaluation domain follows the degree, not only the rate */
    cfg.max_degree = 9;
    ok(por_circuit_config_check(&cfg) == NULL && por_circuit_quotient_eval_bits(&cfg) == 4,
       "max_degree 9 at rate 3: accepted, quotient on 16n points");
    cfg.max_degree = 8;
    cfg.rate_bits = 1;
    ok(por_circuit_config_check(&cfg) == NULL && por_circuit_quotient_eval_bits(&cfg) == 3,
       "max_degree 8 at rate 1: accepted, quotient on 8n points");
    cfg.max_degree = 3;
    cfg.rate_bits = 3;
    ok(por_circuit_quotient_eval_bits(&cfg) == 3, "max_degree 3 at rate 3: quotient on the 8n-point LDE");
    cfg.max_degree = 9;
    cfg.max_degree = 4;
    b = por_builder_new(&cfg);
    por_builder_poseidon(b, in, out);
    ok(por_builder_error(b) != NULL, "poseidon (degree 7 + selector) refused under max_degree 4");
    por_builder_free(b);
}

/* An author generator: out = in^-1 (fails on 0). */
static int inverse_gen(const void *ctx, const gl_t *in, gl_t *out)
{
    (void)ctx;
    if (in[0] == 0)
        return -1;
    out[0] = gl_inv(in[0]);
    return 0;
}

static void test_author_generator(void)
{
    por_circuit_config cfg;
    small_config(&cfg);
    por_builder *b = por_builder_new(&cfg);
    por_target x = por_builder_add_virtual(b), inv = por_builder_add_virtual(b);
    por_builder_add_generator(b, &x, 1, &inv, 1, inverse_gen, NULL, 0);
    por_builder_connect(b, por_builder_mul(b, x, inv), por_builder_one(b));
    const char *why;
    por_circuit *c = por_builder_build(b, &why);
    por_builder_free(b);
    por_witness *w = por_witness_new(c);
    por_witness_set(w, x, 12345);
    gl_t v;
    ok(por_witness_generate(w, &why) == 0 && por_witness_get(w, inv, &v) == 0 &&
           gl_mul(v, 12345) == 1,
       "author generator computes an inverse");
    size_t bad;
    ok(por_circuit_check_witness(c, w, &bad, &why) == 0, "inverse circuit satisfied");
    por_witness_free(w);
    w = por_witness_new(c);
    por_witness_set(w, x, 0);
    int rc = por_witness_generate(w, &why);
    ok(rc != 0, "a failing generator fails generation (%s)", why);
    por_witness_free(w);
    /* a witness set by hand that violates x * inv = 1 */
    w = por_witness_new(c);
    por_witness_set(w, inv, 7);
    por_witness_set(w, x, 3);
    rc = por_witness_generate(w, &why);
    ok(rc != 0, "x * inv != 1 conflicts with the constant 1 (%s)", why);
    por_witness_free(w);
    por_circuit_free(c);
}

static void test_range_witness(void)
{
    por_circuit_config cfg;
    small_config(&cfg);
    static const unsigned bits_list[] = {8, 62};
    for (int bi = 0; bi < 2; bi++) {
        unsigned B = bits_list[bi];
        por_builder *b = por_builder_new(&cfg);
        por_target x = por_builder_add_virtual(b);
        por_builder_range_check(b, x, B);
        const char *why;
        por_circuit *c = por_builder_build(b, &why);
        por_builder_free(b);
        uint64_t cases[3] = {0, (1ULL << B) - 1, 1ULL << B};
        for (int k = 0; k < 3; k++) {
            por_witness *w = por_witness_new(c);
            por_witness_set(w, x, cases[k]);
            size_t bad = 0;
            int gen = por_witness_generate(w, &why);
            int chk = por_circuit_check_witness(c, w, &bad, &why);
            ok(gen == 0 && (chk == 0) == (k < 2), "range %u: value %s %s", B,
               k == 0 ? "0" : k == 1 ? "2^B-1" : "2^B", k < 2 ? "satisfies" : "fails");
            por_witness_free(w);
        }
        por_circuit_free(c);
    }
}

/* The builder's 2-bit-limb range rows hold at most POR_RANGE_ROW_CONSTRAINTS
 * constraints (one value at least), and many values of one width share rows:
 * every value checked, none lost to the packing. */
static void test_range_packing(void)
{
    por_circuit_config cfg;
    small_config(&cfg);
    static const unsigned bits_list[] = {1, 14, 32, 48, 61, 63};
    for (int bi = 0; bi < 6; bi++) {
        const unsigned B = bits_list[bi], count = 9;
        por_builder *b = por_builder_new(&cfg);
        por_target x[9];
        for (unsigned i = 0; i < count; i++) {
            x[i] = por_builder_add_virtual(b);
            por_builder_range_check(b, x[i], B);
        }
        const char *why;
        por_circuit *c = por_builder_build(b, &why);
        por_builder_free(b);
        if (!ok(c != NULL, "range %u x %u: built (%s)", B, count, why ? why : "ok"))
            continue;
        unsigned values = 0, rows = 0, worst = 0;
        for (unsigned t = 0; t < c->num_gate_types; t++)
            if (c->gate_types[t].vt == &por_gate_range_vt) {
                values = c->gate_types[t].params[1];
                worst = c->gate_types[t].num_constraints;
                for (size_t r = 0; r < c->n; r++)
                    rows += c->row_type[r] == t;
            }
        ok(values >= 1 && (worst <= POR_RANGE_ROW_CONSTRAINTS || values == 1) && rows == (count + values - 1) / values,
           "range %u: %u values a row, %u constraints, %u rows for %u values", B, values, worst, rows, count);
        /* the last value packed is checked: out of range, the witness fails */
        por_witness *w = por_witness_new(c);
        for (unsigned i = 0; i < count; i++)
            por_witness_set(w, x[i], i + 1 < count ? 1 : (B == 63 ? GL_P - 1 : 1ULL << B));
        size_t bad = 0;
        ok(por_witness_generate(w, &why) == 0 && por_circuit_check_witness(c, w, &bad, &why) != 0,
           "range %u: the %u-th value out of range fails its row", B, count);
        por_witness_free(w);
        por_circuit_free(c);
    }
}

static void test_wiring_permutation(void)
{
    por_circuit_config cfg;
    small_config(&cfg);
    por_builder *b = por_builder_new(&cfg);
    por_target x = por_builder_add_virtual(b), y = por_builder_add_virtual(b);
    por_target s = x;
    for (int i = 0; i < 30; i++)
        s = por_builder_add(b, s, y);
    por_builder_register_public_input(b, s);
    const char *why;
    por_circuit *c = por_builder_build(b, &why);
    por_builder_free(b);
    size_t N = c->n * c->config.num_routed_wires;
    uint8_t *seen = calloc(N, 1);
    bool perm = true, classes = true;
    for (size_t i = 0; i < N; i++) {
        perm &= c->sigma[i] < N && !seen[c->sigma[i]];
        if (c->sigma[i] < N)
            seen[c->sigma[i]] = 1;
        classes &= c->slot[c->sigma[i] % N] == c->slot[i];
    }
    ok(perm, "sigma is a permutation of the routed cells");
    ok(classes, "sigma never leaves a copy class");
    /* the cycle through y's class visits all 30 uses of y */
    size_t ys = por_circuit_slot(c, y), count = 0;
    for (size_t i = 0; i < N; i++)
        count += c->slot[i] == ys;
    ok(count == 30, "y's class holds its 30 wire uses (%zu)", count);
    size_t start = SIZE_MAX;
    for (size_t i = 0; i < N && start == SIZE_MAX; i++)
        if (c->slot[i] == ys)
            start = i;
    size_t len = 0, cur = start;
    do {
        cur = c->sigma[cur];
        len++;
    } while (cur != start && len <= N);
    ok(len == 30, "y's cycle has length 30");
    free(seen);
    por_witness *w = por_witness_new(c);
    por_witness_set(w, x, 1);
    por_witness_set(w, y, 2);
    gl_t v;
    ok(por_witness_generate(w, &why) == 0 && por_witness_get(w, s, &v) == 0 && v == 61,
       "1 + 30 * 2 = 61");
    por_witness_free(w);
    por_circuit_free(c);
}

static void test_zk_layout(void)
{
    por_circuit_config cfg;
    por_circuit_config_default(&cfg);
    por_builder *b = por_builder_new(&cfg);
    por_builder_mul(b, por_builder_add_virtual(b), por_builder_add_virtual(b));
    const char *why;
    por_circuit *c = por_builder_build(b, &why);
    por_builder_free(b);
    ok(c->num_blind_regular == 36 && c->num_blind_pairs == 63,
       "zk: 36 regular rows (28 queries + 4 + margin 4) + 63 pairs (2 * 28 + 5 + margin 2)");
    ok(c->blind_start + 162 == c->n - 0 && c->blind_start >= c->num_gate_rows &&
           por_circuit_blinding_rows(&cfg) == 162,
       "zk: 162 blinding rows at the end");
    bool noop = true, paired = true;
    size_t R = c->config.num_routed_wires;
    for (size_t r = c->blind_start; r < c->n; r++)
        noop &= c->row_type[r] == POR_ROW_NOOP;
    for (size_t p = 0; p < c->num_blind_pairs; p++) {
        size_t a = c->blind_start + c->num_blind_regular + 2 * p;
        for (size_t j = 0; j < R; j++)
            paired &= c->sigma[a * R + j] == (a + 1) * R + j && c->sigma[(a + 1) * R + j] == a * R + j;
    }
    ok(noop, "zk: blinding rows are noop rows");
    ok(paired, "zk: pair rows are wired to each other column by column");
    por_circuit_free(c);
}

int main(void)
{
    test_arith_chain();
    test_hash_gadget();
    test_packing_and_errors();
    test_author_generator();
    test_range_witness();
    test_range_packing();
    test_wiring_permutation();
    test_zk_layout();
    return done_testing();
}
