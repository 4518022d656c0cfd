/*
 * The Poseidon gate's 8-point evaluation (eval_base_x8): every constraint of
 * every lane must equal eval_base's (and the round-by-round reference's) at
 * that lane's point, canonical, for each implementation this CPU runs (0
 * portable, 1 AVX-512F, 2 AVX-512 IFMA, and the vtable's pick): honest rows
 * (all constraints 0), uniformly random wires, edge values, strides 8 and 16.
 * Lanes must not mix: a wire changed in one lane changes that lane's
 * outputs only.  Also the 8-lane layers the gate is built from
 * (poseidon_internal.h) at the limits of their bounds.
 */
#include <string.h>

#include "field/field.h"
#include "plonk/gates.h"
#include "hash/poseidon.h"
#include "hash/poseidon_internal.h"
#include "tap.h"

#define NW POR_POSEIDON_GATE_WIRES
#define NC POR_POSEIDON_GATE_CONSTRAINTS
#define L POR_GATE_LANES
#define MAX_STRIDE 16

static por_gate gate;
static uint64_t seed = 0x706f736569646f6eULL;

/* Canonical edge values: 0, 1, p - 1 = 2^64 - 2^32 and just below it,
 * around 2^32 and 2^63, halves at their extremes. */
static const gl_t EDGE[] = {
    0, 1, 2, GL_P - 1, GL_P - 2, GL_P - 3, GL_P - 0x100000000ULL, GL_P - 0xffffffffULL,
    0xfffffffeffffffffULL, 0xfffffffe00000000ULL, 0xffffffffULL, 0x100000000ULL, 0x100000001ULL,
    1ULL << 63, (1ULL << 63) - 1, 0x7fffffff80000000ULL, 0xfffffffe7fffffffULL, 0x00000000fffffffeULL,
};
#define N_EDGE (sizeof(EDGE) / sizeof(EDGE[0]))

/* Implementations: number (-1: the vtable's eval_base_x8) and name. */
static const struct {
    int impl;
    const char *name;
} IMPLS[] = {{-1, "vtable"}, {0, "portable"}, {1, "AVX-512F"}, {2, "AVX-512 IFMA"}};
#define N_IMPLS (sizeof(IMPLS) / sizeof(IMPLS[0]))

/* Runs implementation impl; 0, or -1 if this CPU cannot. */
static int eval_x8(int impl, const gl_t *wires, size_t stride, gl_t *out)
{
    if (impl < 0) {
        gate.vt->eval_base_x8(&gate, wires, NULL, stride, NULL, out);
        return 0;
    }
    return poseidon_gate_eval_x8_impl(impl, wires, stride, out);
}

static bool runs(int impl)
{
    static gl_t w[NW * L], out[NC * L];
    return eval_x8(impl, w, L, out) == 0;
}

/* Lane p's row from the lane-major block. */
static void get_row(const gl_t *wires, size_t stride, unsigned p, gl_t row[NW])
{
    for (unsigned j = 0; j < NW; j++)
        row[j] = wires[j * stride + p];
}

static void put_row(gl_t *wires, size_t stride, unsigned p, const gl_t row[NW])
{
    for (unsigned j = 0; j < NW; j++)
        wires[j * stride + p] = row[j];
}

/* An honest row: the witness generator's from 12 inputs. */
static void honest_row(gl_t row[NW], const gl_t in[12])
{
    memset(row, 0, NW * sizeof(gl_t));
    memcpy(row, in, 12 * sizeof(gl_t));
    gate.vt->generate(&gate, 0, NULL, row);
}

/* Fills the lanes >= 8 of a wider stride with junk that must not matter. */
static void fill_padding(gl_t *wires, size_t stride, uint64_t junk)
{
    for (unsigned j = 0; j < NW; j++)
        for (size_t p = L; p < stride; p++)
            wires[j * stride + p] = junk ^ (j * 0x9e3779b97f4a7c15ULL) ^ p;
}

/* Tallies of one comparison run. */
typedef struct {
    int lanes, bad_base, bad_ref, noncanon, nonzero;
} tally;

/*
 * Evaluates the block with impl and compares every constraint of every lane
 * with eval_base and the reference at that lane's row.  Returns -1 if impl
 * does not run here.
 */
static int compare_block(int impl, const gl_t *wires, size_t stride, tally *t)
{
    gl_t out[NC * L];
    memset(out, 0xa5, sizeof(out));
    if (eval_x8(impl, wires, stride, out) != 0)
        return -1;
    for (unsigned p = 0; p < L; p++) {
        gl_t row[NW], base[NC], ref[NC];
        get_row(wires, stride, p, row);
        gate.vt->eval_base(&gate, row, NULL, NULL, base);
        por_poseidon_gate_eval_reference(row, ref);
        for (unsigned c = 0; c < NC; c++) {
            gl_t v = out[c * L + p];
            t->bad_base += v != base[c];
            t->bad_ref += v != ref[c];
            t->noncanon += !gl_is_canonical(v);
            t->nonzero += v != 0;
        }
        t->lanes++;
    }
    return 0;
}

/* Block kinds. */
enum { HONEST, RANDOM, EDGE_WIRES, HONEST_EDGE_INPUTS, HONEST_PERTURBED, N_KINDS };
static const char *KIND_NAMES[N_KINDS] = {"honest rows", "uniformly random wires", "edge-value wires",
                                          "honest rows from edge-value inputs", "honest rows, one wire off"};

/* A block of 8 rows of the given kind (batch b varies the pattern). */
static void make_block(int kind, unsigned b, gl_t *wires, size_t stride)
{
    for (unsigned p = 0; p < L; p++) {
        gl_t row[NW], in[12];
        switch (kind) {
        case HONEST:
        case HONEST_PERTURBED:
            for (unsigned i = 0; i < 12; i++)
                in[i] = gl_from_u64(test_rand_u64(&seed));
            honest_row(row, in);
            if (kind == HONEST_PERTURBED) {
                unsigned j = (unsigned)(test_rand_u64(&seed) % NW);
                row[j] = gl_add(row[j], 1 + (test_rand_u64(&seed) & 0xff));
            }
            break;
        case RANDOM:
            for (unsigned j = 0; j < NW; j++)
                row[j] = gl_from_u64(test_rand_u64(&seed));
            break;
        case EDGE_WIRES:
            /* lane 0 all p - 1, lane 1 all 0, lane 2 alternating p - 1 and
             * 0, lane 3 all 2^32, the others edge values at random */
            for (unsigned j = 0; j < NW; j++) {
                uint64_t r = test_rand_u64(&seed);
                row[j] = p == 0 ? GL_P - 1 : p == 1 ? 0 : p == 2 ? ((j + b) % 2 ? GL_P - 1 : 0)
                       : p == 3 ? 0x100000000ULL : EDGE[r % N_EDGE];
            }
            break;
        default: /* HONEST_EDGE_INPUTS */
            for (unsigned i = 0; i < 12; i++)
                in[i] = p == 0 ? GL_P - 1 : p == 1 ? 0 : EDGE[(i + b * 3 + p * 5) % N_EDGE];
            honest_row(row, in);
            break;
        }
        put_row(wires, stride, p, row);
    }
}

static void test_matches_eval_base(void)
{
    static gl_t wires[NW * MAX_STRIDE];
    static const unsigned BLOCKS[N_KINDS] = {12, 30, 30, 6, 12};
    for (size_t m = 0; m < N_IMPLS; m++) {
        if (!runs(IMPLS[m].impl)) {
            diag("this CPU cannot run the %s gate evaluation: not tested here", IMPLS[m].name);
            continue;
        }
        for (int kind = 0; kind < N_KINDS; kind++) {
            tally t = {0, 0, 0, 0, 0};
            for (size_t stride = L; stride <= MAX_STRIDE; stride += L)
                for (unsigned b = 0; b < BLOCKS[kind]; b++) {
                    make_block(kind, b, wires, stride);
                    fill_padding(wires, stride, test_rand_u64(&seed));
                    compare_block(IMPLS[m].impl, wires, stride, &t);
                }
            bool zero_ok = kind == HONEST || kind == HONEST_EDGE_INPUTS ? t.nonzero == 0 : t.nonzero > 0;
            ok(t.bad_base == 0 && t.bad_ref == 0 && t.noncanon == 0 && zero_ok,
               "%s: %s, strides 8 and 16: all %d constraints of %d lanes equal eval_base and the "
               "reference, canonical (%d nonzero)",
               IMPLS[m].name, KIND_NAMES[kind], NC, t.lanes, t.nonzero);
        }
    }
}

/* The padding lanes of a wider stride are never read: other junk there gives
 * the same outputs. */
static void test_padding_not_read(void)
{
    static gl_t wires[NW * MAX_STRIDE];
    gl_t a[NC * L], b[NC * L];
    for (size_t m = 0; m < N_IMPLS; m++) {
        if (!runs(IMPLS[m].impl))
            continue;
        make_block(RANDOM, 0, wires, MAX_STRIDE);
        fill_padding(wires, MAX_STRIDE, 0);
        eval_x8(IMPLS[m].impl, wires, MAX_STRIDE, a);
        fill_padding(wires, MAX_STRIDE, 0xffffffffffffffffULL);
        eval_x8(IMPLS[m].impl, wires, MAX_STRIDE, b);
        ok(memcmp(a, b, sizeof(a)) == 0, "%s: stride 16, the lanes past 8 are not read", IMPLS[m].name);
    }
}

/*
 * One wire of one lane changed (an input, a first-half S-box input, a
 * partial-round wire, a second-half wire, an output) on honest and random
 * rows: that lane's outputs change, in some constraint, and no other lane's.
 */
static void test_lanes_independent(void)
{
    static gl_t wires[NW * MAX_STRIDE];
    static const unsigned WIRES[] = {0, 11, 24, 59, 60, 70, 81, 82, 129 - 12, 12, 23};
    gl_t before[NC * L], after[NC * L];
    for (size_t m = 0; m < N_IMPLS; m++) {
        if (!runs(IMPLS[m].impl))
            continue;
        int bad = 0, cases = 0;
        for (size_t s = 0; s < sizeof(WIRES) / sizeof(WIRES[0]); s++)
            for (int kind = HONEST; kind <= RANDOM; kind++) {
                size_t stride = s % 2 ? MAX_STRIDE : L;
                unsigned lane = (unsigned)((s * 3 + (size_t)kind) % L), j = WIRES[s];
                make_block(kind, 0, wires, stride);
                eval_x8(IMPLS[m].impl, wires, stride, before);
                wires[j * stride + lane] = gl_add(wires[j * stride + lane], 1);
                eval_x8(IMPLS[m].impl, wires, stride, after);
                int own = 0, others = 0;
                for (unsigned c = 0; c < NC; c++)
                    for (unsigned p = 0; p < L; p++) {
                        bool changed = before[c * L + p] != after[c * L + p];
                        own += changed && p == lane;
                        others += changed && p != lane;
                    }
                bad += own == 0 || others != 0;
                cases++;
            }
        ok(bad == 0, "%s: %d single-wire changes each change some outputs of their own lane and none "
                     "of the others", IMPLS[m].name, cases);
    }
    /* the output wire is what an honest row's last constraint checks */
    gl_t in[12] = {0}, row[NW], out[NC * L];
    honest_row(row, in);
    for (unsigned p = 0; p < L; p++)
        put_row(wires, L, p, row);
    unsigned o11 = por_poseidon_gate_out(11);
    wires[o11 * L + 5] = gl_add(wires[o11 * L + 5], 1);
    gate.vt->eval_base_x8(&gate, wires, NULL, L, NULL, out);
    ok(out[(NC - 1) * L + 5] == GL_P - 1 && out[(NC - 1) * L + 4] == 0,
       "vtable: output 11 of lane 5 one too high gives constraint 117 = -1 there, 0 in lane 4");
}

/* The hook refuses unknown implementations and leaves out alone. */
static void test_hook_refusals(void)
{
    static gl_t wires[NW * L];
    gl_t out[NC * L];
    memset(out, 0x5a, sizeof(out));
    int r3 = poseidon_gate_eval_x8_impl(3, wires, L, out), rm = poseidon_gate_eval_x8_impl(-1, wires, L, out);
    bool untouched = true;
    for (size_t i = 0; i < NC * L; i++)
        untouched &= out[i] == 0x5a5a5a5a5a5a5a5aULL;
    ok(r3 == -1 && rm == -1 && untouched, "gate x8 hook: implementations 3 and -1 are refused, out untouched");
    ok(gate.vt->eval_base_x8 != NULL, "poseidon gate: eval_base_x8 is set");
    /* a build the CPU runs must not fall back silently */
    for (int impl = 1; impl <= 2; impl++)
        if (poseidon_x8_layers_of(impl))
            ok(poseidon_gate_eval_x8_impl(impl, wires, L, out) == 0, "gate x8 build %d runs where its layers run", impl);
}

/* ------------------------------------------------------------------------- */
/* The layers at their limits (words >= p, the longest dot products). */

static void test_layers(int impl, const char *name)
{
    const poseidon_x8_layers *ly = poseidon_x8_layers_of(impl);
    if (!ly) {
        diag("this CPU cannot run the %s layers: not tested here", name);
        return;
    }
    enum { C = POSEIDON_X8_DENSE_MAX_COLS, R = 5 };
    static uint64_t m[R][C], x[C][8], out[R][8];
    uint64_t add[R];
    unsigned len[R] = {C, C - 1, 1, C, 17};
    /* rows: all p - 1 (largest constants), top 12 bits set, random, p - 1
     * again, random; lane 0 all ones, lane 1 p - 1, lane 2 p, others mixed */
    for (int q = 0; q < R; q++) {
        add[q] = q % 2 ? GL_P - 1 : gl_from_u64(test_rand_u64(&seed));
        for (int k = 0; k < C; k++) {
            uint64_t r = test_rand_u64(&seed);
            m[q][k] = q == 0 || q == 3 ? GL_P - 1 : q == 1 ? gl_from_u64(r | 0xfff0000000000000ULL) : gl_from_u64(r);
        }
    }
    for (int k = 0; k < C; k++)
        for (int l = 0; l < 8; l++) {
            uint64_t r = test_rand_u64(&seed);
            x[k][l] = l == 0 ? 0xffffffffffffffffULL : l == 1 ? GL_P - 1 : l == 2 ? GL_P
                    : l == 3 ? r | 0xffffffff00000000ULL : r;
        }
    poseidon_x8_dense *d = poseidon_x8_dense_new(R, C, &m[0][0], len, add);
    ok(d != NULL, "%s layers: a %d x %d matrix is prepared", name, R, C);
    if (!d)
        return;
    ly->dense(d, (const uint64_t(*)[8])x, out);
    int bad = 0;
    for (int q = 0; q < R; q++)
        for (int l = 0; l < 8; l++) {
            gl_t want = add[q];
            for (unsigned k = 0; k < len[q]; k++)
                want = gl_add(want, gl_mul(m[q][k], gl_from_u64(x[k][l])));
            bad += gl_from_u64(out[q][l]) != want;
        }
    ok(bad == 0, "%s layers: dense rows of 1 to %d terms with all-ones words and constants p - 1 == field "
                 "arithmetic", name, C);
    /* negative control: one constant changed by one changes that row by x */
    m[4][3] = gl_add(m[4][3], 1);
    poseidon_x8_dense *d2 = poseidon_x8_dense_new(R, C, &m[0][0], len, add);
    uint64_t out2[R][8];
    ly->dense(d2, (const uint64_t(*)[8])x, out2);
    bad = 0;
    for (int l = 0; l < 8; l++)
        bad += gl_sub(gl_from_u64(out2[4][l]), gl_from_u64(out[4][l])) != gl_from_u64(x[3][l]) ||
               gl_from_u64(out2[3][l]) != gl_from_u64(out[3][l]);
    ok(bad == 0, "%s layers: a constant one higher adds its word to its own row only", name);
    /* no row constants: the rows less add */
    poseidon_x8_dense *d3 = poseidon_x8_dense_new(R, C, &m[0][0], len, NULL);
    uint64_t out3[R][8];
    ly->dense(d3, (const uint64_t(*)[8])x, out3);
    bad = 0;
    for (int q = 0; q < R; q++)
        for (int l = 0; l < 8; l++)
            bad += gl_add(gl_from_u64(out3[q][l]), add[q]) != gl_from_u64(out2[q][l]);
    ok(bad == 0, "%s layers: dense rows without row constants", name);
    poseidon_x8_dense_free(d);
    poseidon_x8_dense_free(d2);
    poseidon_x8_dense_free(d3);

    /* S-boxes of 22 words with stride 16 and constants added (a short last
     * group), and sub on words >= p: s - w wraps differently from (s mod p)
     * - w only when w <= s - p, so lanes 0-4 pair s = 2^64 - 1, p, p - 1,
     * 2^64 - 1, p with w = 0, 0, p - 1, 2^32 - 2 = (2^64 - 1) - p, 1 */
    static uint64_t xs[22 * 16], ys[22][8], s[22][8], w[22 * 16], o[22][8];
    static const uint64_t S_EDGE[5] = {0xffffffffffffffffULL, GL_P, GL_P - 1, 0xffffffffffffffffULL, GL_P};
    static const uint64_t W_EDGE[5] = {0, 0, GL_P - 1, 0xfffffffeULL, 1};
    uint64_t rc[22];
    for (int i = 0; i < 22; i++) {
        rc[i] = i % 3 ? GL_P - 1 : gl_from_u64(test_rand_u64(&seed));
        for (int l = 0; l < 16; l++) {
            xs[i * 16 + l] = l == 0 ? 0xffffffffffffffffULL : l == 1 ? GL_P : test_rand_u64(&seed);
            w[i * 16 + l] = l < 5 ? W_EDGE[l] : gl_from_u64(test_rand_u64(&seed));
        }
        for (int l = 0; l < 8; l++)
            s[i][l] = l < 5 ? S_EDGE[l] : test_rand_u64(&seed) | (i % 2 ? 0xffffffff00000000ULL : 0);
    }
    ly->sbox(22, xs, 16, rc, ys);
    ly->sub(22, (const uint64_t(*)[8])s, w, 16, o);
    int bad_s = 0, bad_d = 0;
    for (int i = 0; i < 22; i++)
        for (int l = 0; l < 8; l++) {
            gl_t v = gl_add(gl_from_u64(xs[i * 16 + l]), rc[i]);
            bad_s += gl_from_u64(ys[i][l]) != gl_pow(v, 7);
            bad_d += o[i][l] != gl_sub(gl_from_u64(s[i][l]), w[i * 16 + l]);
        }
    ok(bad_s == 0, "%s layers: 22 S-boxes of words < 2^64 plus constants, stride 16 == x^7", name);
    ok(bad_d == 0, "%s layers: sub of words < 2^64 and canonical words == gl_sub, canonical", name);
}

static void test_dense_refusals(void)
{
    uint64_t m[POSEIDON_X8_DENSE_MAX_COLS + 1] = {0};
    unsigned len0 = 0, len2 = 2, lenbig = POSEIDON_X8_DENSE_MAX_COLS + 1;
    ok(poseidon_x8_dense_new(1, 1, m, &len0, NULL) == NULL && poseidon_x8_dense_new(1, 1, m, &len2, NULL) == NULL &&
           poseidon_x8_dense_new(1, POSEIDON_X8_DENSE_MAX_COLS + 1, m, &lenbig, NULL) == NULL &&
           poseidon_x8_dense_new(0, 1, m, &len2, NULL) == NULL,
       "dense matrices: rows of 0 terms or more than the columns, too many columns, no rows are refused");
    poseidon_x8_dense_free(NULL);
}

int main(void)
{
    const char *why = por_gate_init(&gate, &por_gate_poseidon_vt, NULL, NW, POR_POSEIDON_GATE_ROUTED, 2);
    ok(why == NULL, "poseidon gate initialised");
    bool canon = true;
    for (size_t i = 0; i < N_EDGE; i++)
        canon &= gl_is_canonical(EDGE[i]);
    ok(canon, "the edge values are field elements");
    test_hook_refusals();
    test_matches_eval_base();
    test_padding_not_read();
    test_lanes_independent();
    test_layers(1, "AVX-512F");
    test_layers(2, "AVX-512 IFMA");
    test_dense_refusals();
    return done_testing();
}
