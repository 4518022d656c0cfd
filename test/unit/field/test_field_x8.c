/*
 * 8-lane field arithmetic (field_x8.h) against field.h / field_ext.h, lane
 * by lane: the AVX-512 functions (when the CPU has them) and the portable
 * ones, on random values and on the edges (0, 1, p - 1, p - 2, 2^32, 2^63,
 * values whose sums and products carry; any words where a function accepts
 * them), with negative checks (a changed input lane changes that lane of the
 * result).  Then the prover's quotient: proofs with the 8-lane quotient and
 * with the point-by-point one (POR_NO_SIMD) are the same bytes, on circuits
 * with and without lookups and on 1 and 3 threads (3 threads cut the domain
 * into chunks that end inside a block of points).
 */
#include <string.h>

#include "por/batch.h"
#include "plonk/circuit.h"
#include "field/field.h"
#include "field/field_ext.h"
#include "field/field_x8.h"
#include "plonk/plonk.h"
#include "tap.h"
#include "util/threadpool.h"

static uint64_t seed = 0x78386c616e6573ULL;

/* Words that stress the carries: canonical edges first, then non-canonical. */
static const uint64_t EDGES[] = {
    0, 1, 2, GL_P - 1, GL_P - 2, 1ULL << 32, (1ULL << 32) - 1, (1ULL << 32) + 1, 1ULL << 63,
    (1ULL << 63) - 1, GL_P - (1ULL << 32), GL_EPSILON, 0xfffffffe00000002ULL, 0x7fffffff80000000ULL,
    0xffffffff00000000ULL, /* = p - 1 */
    GL_P, GL_P + 1, 0xffffffffffffffffULL, 0xfffffffffffffffeULL, 0xffffffff80000000ULL,
};
#define NCANON 15 /* EDGES[0..NCANON) are canonical */
#define NEDGES (sizeof(EDGES) / sizeof(EDGES[0]))

/* A vector of 8 lanes: case c < 64 mixes edge values (every pair of edges
 * meets in some lane across the cases), later cases are random; canonical
 * only draws canonical values. */
static void fill(gl_t v[8], int c, int salt, bool canonical)
{
    size_t n = canonical ? NCANON : NEDGES;
    for (int p = 0; p < 8; p++) {
        uint64_t r = test_rand_u64(&seed);
        if (c < 64)
            v[p] = EDGES[((size_t)c * 8 + (size_t)p * (size_t)(salt + 1) * 7 + (size_t)salt) % n];
        else
            v[p] = canonical ? gl_from_u64(r) : r;
    }
}

#define CASES 400

/* ------------------------------------------------------------------------
 * Portable functions.
 */
static void test_portable(void)
{
    int add = 1, sub = 1, mul = 1, e_add = 1, e_sub = 1, e_mul = 1, e_mulb = 1, neg = 1;
    for (int c = 0; c < CASES; c++) {
        gl_t a0[8], a1[8], b0[8], b1[8], r0[8], r1[8];
        fill(a0, c, 0, true), fill(a1, c, 1, true), fill(b0, c, 2, true), fill(b1, c, 3, true);
        gl_x8_add(r0, a0, b0);
        for (int p = 0; p < 8; p++)
            add &= r0[p] == gl_add(a0[p], b0[p]);
        gl_x8_sub(r0, a0, b0);
        for (int p = 0; p < 8; p++)
            sub &= r0[p] == gl_sub(a0[p], b0[p]);
        gl_x8_mul(r0, a0, b0);
        for (int p = 0; p < 8; p++)
            mul &= r0[p] == gl_mul(a0[p], b0[p]);
        gl2_x8_add(r0, r1, a0, a1, b0, b1);
        for (int p = 0; p < 8; p++)
            e_add &= gl2_eq((gl2_t){r0[p], r1[p]}, gl2_add((gl2_t){a0[p], a1[p]}, (gl2_t){b0[p], b1[p]}));
        gl2_x8_sub(r0, r1, a0, a1, b0, b1);
        for (int p = 0; p < 8; p++)
            e_sub &= gl2_eq((gl2_t){r0[p], r1[p]}, gl2_sub((gl2_t){a0[p], a1[p]}, (gl2_t){b0[p], b1[p]}));
        gl2_x8_mul(r0, r1, a0, a1, b0, b1);
        for (int p = 0; p < 8; p++)
            e_mul &= gl2_eq((gl2_t){r0[p], r1[p]}, gl2_mul((gl2_t){a0[p], a1[p]}, (gl2_t){b0[p], b1[p]}));
        gl2_x8_mul_base(r0, r1, a0, a1, b0);
        for (int p = 0; p < 8; p++)
            e_mulb &= gl2_eq((gl2_t){r0[p], r1[p]}, gl2_mul_base((gl2_t){a0[p], a1[p]}, b0[p]));
        /* negative: another value in lane c % 8 of a gives another product there */
        gl_t s0[8];
        gl_x8_mul(r0, a0, b1);
        a0[c % 8] = gl_add(a0[c % 8], 1);
        gl_x8_mul(s0, a0, b1);
        neg &= b1[c % 8] == 0 || s0[c % 8] != r0[c % 8];
    }
    ok(add && sub && mul, "portable: base add, sub, mul = gl_add, gl_sub, gl_mul");
    ok(e_add && e_sub && e_mul && e_mulb, "portable: extension add, sub, mul, mul_base = gl2_*");
    ok(neg, "portable: a changed lane changes the product in that lane");
}

/* A dot product's reference: sum_t x_t c_t lane by lane (x any words). */
static void dot_ref(gl2_t r[8], const gl_t *x0, const gl_t *x1, const gl2_t *c, size_t n)
{
    for (int p = 0; p < 8; p++) {
        r[p] = (gl2_t){0, 0};
        for (size_t t = 0; t < n; t++) {
            gl2_t x = {gl_from_u64(x0[t * 8 + p]), x1 ? gl_from_u64(x1[t * 8 + p]) : 0};
            r[p] = gl2_add(r[p], gl2_mul(x, c[t]));
        }
    }
}

/* The constants' forms: the limbs' multipliers recompose c 2^(22k). */
static void test_mult_forms(void)
{
    int good = 1;
    for (int c = 0; c < CASES; c++) {
        gl_t v = c < (int)NCANON ? EDGES[c] : gl_from_u64(test_rand_u64(&seed));
        gl_x8_mult m = gl_x8_mult_of(v);
        gl_x8_k k = gl_x8_k_of(v);
        good &= k.c == v && k.h == v >> 32;
        for (int l = 0; l < 3; l++)
            good &= m.lo[l] < (1ULL << 32) && m.hi[l] < (1ULL << 32) &&
                    (m.lo[l] | m.hi[l] << 32) == gl_mul(v, (gl_t)1 << (22 * l));
        gl2_x8_mult e = gl2_x8_mult_of((gl2_t){v, gl_add(v, 5)});
        good &= memcmp(&e.c0, &m, sizeof(m)) == 0;
        gl_x8_mult w = gl_x8_mult_of(gl_mul(7, gl_add(v, 5)));
        good &= memcmp(&e.c1w, &w, sizeof(w)) == 0;
    }
    ok(good, "constant forms: c, c >> 32; halves of c 2^(22k) mod p; 7 c1 for extensions");
    /* the portable dot products against their reference */
    enum { T = 300 };
    static gl_t x0[T * 8], x1[T * 8];
    gl2_t c[T], ref[8];
    for (size_t t = 0; t < T; t++) {
        fill(x0 + 8 * t, (int)t, 4, false), fill(x1 + 8 * t, (int)t, 5, false);
        c[t] = (gl2_t){gl_from_u64(test_rand_u64(&seed)), gl_from_u64(test_rand_u64(&seed))};
    }
    gl_t r0[8], r1[8];
    int db = 1, de = 1;
    gl2_x8_dot_base(r0, r1, x0, c, T);
    dot_ref(ref, x0, NULL, c, T);
    for (int p = 0; p < 8; p++)
        db &= gl2_eq((gl2_t){r0[p], r1[p]}, ref[p]);
    gl2_x8_dot_ext(r0, r1, x0, x1, c, T);
    dot_ref(ref, x0, x1, c, T);
    for (int p = 0; p < 8; p++)
        de &= gl2_eq((gl2_t){r0[p], r1[p]}, ref[p]);
    ok(db && de, "portable: dot products of base and extension terms (any words)");
}

/* ------------------------------------------------------------------------
 * AVX-512.
 */
#if GL_X8_HAVE_AVX512

static bool canonical8(const gl_t v[8])
{
    for (int p = 0; p < 8; p++)
        if (!gl_is_canonical(v[p]))
            return false;
    return true;
}

/* One case of the base operations; the results per lane. */
GL_X8_TARGET static void vec_base(const gl_t *a, const gl_t *b, gl_t out[6][8])
{
    __m512i va = glv8_load(a), vb = glv8_load(b);
    gl_x8_k k = gl_x8_k_of(b[3]);
    glv8_store(out[0], glv8_add(va, vb));
    glv8_store(out[1], glv8_sub(va, vb));
    glv8_store(out[2], glv8_mul(va, vb));
    glv8_store(out[3], glv8_mul_k(va, glv8_hi(va), &k));
    glv8_store(out[4], glv8_canon(va));
    glv8_store(out[5], glv8_reduce128(va, vb));
}

GL_X8_TARGET static void vec_ext(const gl_t *a0, const gl_t *a1, const gl_t *b0, const gl_t *b1,
                                 const gl_x8_k *k1, const gl_x8_k *k1w, gl_t out[5][2][8])
{
    gl2v8 a = {glv8_load(a0), glv8_load(a1)}, b = {glv8_load(b0), glv8_load(b1)};
    gl2v8 r[5] = {gl2v8_add(a, b), gl2v8_sub(a, b), gl2v8_mul(a, b), gl2v8_mul_base(a, b.c0),
                  gl2v8_mul_bk(a, b.c0, k1, k1w)};
    for (int i = 0; i < 5; i++)
        glv8_store(out[i][0], r[i].c0), glv8_store(out[i][1], r[i].c1);
}

static void test_vec_base(void)
{
    int add = 1, sub = 1, mul = 1, mulk = 1, canon = 1, red = 1, outc = 1, neg = 1;
    for (int c = 0; c < CASES; c++) {
        gl_t a[8], b[8], w[8], v[8], out[6][8], out2[6][8];
        fill(a, c, 0, true), fill(b, c, 1, true), fill(w, c, 2, false), fill(v, c, 3, false);
        vec_base(a, b, out);
        for (int p = 0; p < 8; p++) {
            add &= out[0][p] == gl_add(a[p], b[p]);
            sub &= out[1][p] == gl_sub(a[p], b[p]);
            mul &= out[2][p] == gl_mul(a[p], b[p]);
            mulk &= out[3][p] == gl_mul(a[p], b[3]);
        }
        for (int i = 0; i < 6; i++)
            outc &= canonical8(out[i]);
        /* any words: mul, canon, reduce128 */
        vec_base(w, v, out2);
        for (int p = 0; p < 8; p++) {
            mul &= out2[2][p] == gl_mul(gl_from_u64(w[p]), gl_from_u64(v[p]));
            canon &= out2[4][p] == gl_from_u64(w[p]);
            red &= out2[5][p] == gl_reduce128((unsigned __int128)v[p] << 64 | w[p]);
        }
        for (int i = 2; i < 6; i++)
            outc &= canonical8(out2[i]);
        /* negative: lane c % 8 of a changed */
        a[c % 8] = gl_add(a[c % 8], 1 + (gl_t)c);
        vec_base(a, b, out2);
        int l = c % 8;
        neg &= out2[0][l] != out[0][l] && out2[1][l] != out[1][l] && (b[l] == 0 || out2[2][l] != out[2][l]);
        for (int p = 0; p < 8; p++)
            neg &= p == l || (out2[0][p] == out[0][p] && out2[2][p] == out[2][p]);
    }
    ok(add, "avx512: glv8_add = gl_add");
    ok(sub, "avx512: glv8_sub = gl_sub");
    ok(mul, "avx512: glv8_mul = gl_mul (canonical and any words)");
    ok(mulk, "avx512: glv8_mul_k = gl_mul by the constant");
    ok(canon && red, "avx512: glv8_canon, glv8_reduce128 (any words) = gl_from_u64, gl_reduce128");
    ok(outc, "avx512: base results canonical");
    ok(neg, "avx512: a changed lane changes that lane of the result, and only that lane");
}

static void test_vec_ext(void)
{
    int add = 1, sub = 1, mul = 1, mulb = 1, mulbk = 1, outc = 1, neg = 1;
    for (int c = 0; c < CASES; c++) {
        gl_t a0[8], a1[8], b0[8], b1[8], out[5][2][8], out2[5][2][8];
        fill(a0, c, 0, true), fill(a1, c, 1, true), fill(b0, c, 2, true), fill(b1, c, 3, true);
        gl_t kc = b1[5];
        gl_x8_k k1 = gl_x8_k_of(kc), k1w = gl_x8_k_of(gl_mul(GL2_W, kc));
        vec_ext(a0, a1, b0, b1, &k1, &k1w, out);
        for (int p = 0; p < 8; p++) {
            gl2_t a = {a0[p], a1[p]}, b = {b0[p], b1[p]};
            add &= gl2_eq((gl2_t){out[0][0][p], out[0][1][p]}, gl2_add(a, b));
            sub &= gl2_eq((gl2_t){out[1][0][p], out[1][1][p]}, gl2_sub(a, b));
            mul &= gl2_eq((gl2_t){out[2][0][p], out[2][1][p]}, gl2_mul(a, b));
            mulb &= gl2_eq((gl2_t){out[3][0][p], out[3][1][p]}, gl2_mul_base(a, b0[p]));
            mulbk &= gl2_eq((gl2_t){out[4][0][p], out[4][1][p]}, gl2_mul(a, (gl2_t){b0[p], kc}));
        }
        for (int i = 0; i < 5; i++)
            outc &= canonical8(out[i][0]) && canonical8(out[i][1]);
        int l = c % 8;
        b1[l] = gl_sub(b1[l], 1);
        vec_ext(a0, a1, b0, b1, &k1, &k1w, out2);
        neg &= ((a0[l] | a1[l]) == 0 ||
                !gl2_eq((gl2_t){out2[2][0][l], out2[2][1][l]}, (gl2_t){out[2][0][l], out[2][1][l]})) &&
               out2[0][1][l] != out[0][1][l];
    }
    ok(add && sub, "avx512: gl2v8_add, gl2v8_sub = gl2_add, gl2_sub");
    ok(mul, "avx512: gl2v8_mul = gl2_mul");
    ok(mulb, "avx512: gl2v8_mul_base = gl2_mul_base");
    ok(mulbk, "avx512: gl2v8_mul_bk = gl2_mul by (b0, constant)");
    ok(outc, "avx512: extension results canonical");
    ok(neg, "avx512: a changed lane changes the extension product");
}

/* sum_t x_t c_t by the lazy dot products; x1 NULL: base terms. */
GL_X8_TARGET static void vec_dot(const gl_t *x0, const gl_t *x1, const gl2_x8_mult *c, size_t n, gl2_t r[8])
{
    gl2v8_dot d = gl2v8_dot_zero();
    for (size_t t = 0; t < n; t++) {
        if (x1)
            gl2v8_dot_ext(&d, (gl2v8){glv8_load(x0 + 8 * t), glv8_load(x1 + 8 * t)}, &c[t]);
        else
            gl2v8_dot_base(&d, glv8_load(x0 + 8 * t), &c[t]);
    }
    gl2v8 v = gl2v8_dot_finish(&d);
    gl_t a[8], b[8];
    glv8_store(a, v.c0), glv8_store(b, v.c1);
    for (int p = 0; p < 8; p++)
        r[p] = (gl2_t){a[p], b[p]};
}

static void test_vec_dot(void)
{
    /* enough terms to fold several times, the first 1000 with the largest
     * limbs (x = 2^64 - 1) and large multipliers (c = p - 1): without the
     * folds their sums would overflow */
    enum { T = 1100 };
    static gl_t x0[T * 8], x1[T * 8];
    static gl2_t c[T];
    static gl2_x8_mult cm[T];
    for (size_t t = 0; t < T; t++) {
        if (t < 1000) {
            for (int p = 0; p < 8; p++)
                x0[8 * t + p] = x1[8 * t + p] = p < 4 ? ~0ULL : GL_P - 1 - (gl_t)p;
            c[t] = (gl2_t){GL_P - 1, GL_P - 1 - (gl_t)(t % 3)};
        } else {
            fill(x0 + 8 * t, (int)t, 6, false), fill(x1 + 8 * t, (int)t, 7, false);
            c[t] = (gl2_t){gl_from_u64(test_rand_u64(&seed)), gl_from_u64(test_rand_u64(&seed))};
        }
        cm[t] = gl2_x8_mult_of(c[t]);
    }
    int base = 1, ext = 1, neg = 1;
    const size_t lens[] = {0, 1, 2, 255, 256, 257, 600, 1000, 1100};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        gl2_t got[8], want[8];
        vec_dot(x0, NULL, cm, lens[i], got);
        dot_ref(want, x0, NULL, c, lens[i]);
        for (int p = 0; p < 8; p++)
            base &= gl2_eq(got[p], want[p]) && gl_is_canonical(got[p].c0) && gl_is_canonical(got[p].c1);
        vec_dot(x0, x1, cm, lens[i], got);
        dot_ref(want, x0, x1, c, lens[i]);
        for (int p = 0; p < 8; p++)
            ext &= gl2_eq(got[p], want[p]) && gl_is_canonical(got[p].c0) && gl_is_canonical(got[p].c1);
    }
    ok(base, "avx512: gl2v8_dot_base = sum of gl2_mul_base, up to 1100 terms (folds), extreme limbs");
    ok(ext, "avx512: gl2v8_dot_ext = sum of gl2_mul, up to 1100 terms");
    /* negative: one constant changed changes every lane of the sum */
    gl2_t before[8], after[8];
    vec_dot(x0 + 8 * 1000, x1 + 8 * 1000, cm + 1000, 100, before);
    gl2_x8_mult keep = cm[1050];
    cm[1050] = gl2_x8_mult_of(gl2_add(c[1050], (gl2_t){0, 1}));
    vec_dot(x0 + 8 * 1000, x1 + 8 * 1000, cm + 1000, 100, after);
    cm[1050] = keep;
    for (int p = 0; p < 8; p++)
        neg &= (x0[8 * 1050 + p] % GL_P == 0 && x1[8 * 1050 + p] % GL_P == 0) || !gl2_eq(before[p], after[p]);
    ok(neg, "avx512: a changed constant changes the dot product");
}

GL_X8_TARGET static void vec_transpose(const gl_t *in, size_t is, gl_t *out, size_t os)
{
    glv8_transpose(in, is, out, os);
}

static void test_vec_transpose(void)
{
    gl_t in[8 * 11], out[8 * 13];
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
        in[i] = test_rand_u64(&seed);
    memset(out, 0, sizeof(out));
    vec_transpose(in, 11, out, 13);
    int good = 1, pad = 1;
    for (int r = 0; r < 8; r++)
        for (int c = 0; c < 13; c++) {
            if (c < 8)
                good &= out[c * 13 + r] == in[r * 11 + c];
            else
                pad &= out[r * 13 + c] == 0;
        }
    ok(good, "avx512: glv8_transpose: out[c][r] = in[r][c] with strides 11 and 13");
    ok(pad, "avx512: glv8_transpose writes 8 words per output row only");
}
#endif

/* ------------------------------------------------------------------------
 * The prover's quotient: 8-lane and point-by-point proofs are the same bytes.
 */

static int det_rand(void *ctx, gl_t *out, size_t n)
{
    uint64_t *state = ctx;
    for (size_t i = 0; i < n; i++)
        out[i] = gl_from_u64(test_rand_u64(state));
    return 0;
}

/* The serialized proof of w with randomness from rseed (NULL on failure). */
static uint8_t *prove_bytes(const por_plonk_prover *pk, por_witness *w, por_pool *pool, uint64_t rseed,
                            size_t *len)
{
    uint64_t state = rseed;
    por_plonk_prove_opts opts = {.rand = det_rand, .rand_ctx = &state};
    por_plonk_proof proof;
    const char *why = NULL;
    uint8_t *buf = NULL;
    *len = 0;
    if (por_plonk_prove(pk, w, pool, &opts, &proof, &why) != 0)
        diag("prove: %s", why);
    else if (por_plonk_verify(por_plonk_prover_vk(pk), &proof, &why) != 0)
        diag("verify: %s", why);
    else if (por_plonk_proof_serialize(&proof, &buf, len) != 0)
        buf = NULL;
    por_plonk_proof_free(&proof);
    return buf;
}

/* Proves with the 8-lane quotient (if the CPU has it) and point by point
 * (POR_NO_SIMD), on 1 and 3 threads; ok if all proofs are equal, and a
 * different randomness seed gives a different proof.  Returns the proof
 * (its length in *len) for more comparisons. */
static uint8_t *same_proofs(const char *name, const por_plonk_prover *pk, por_witness *w, por_pool *pool3,
                            size_t *len)
{
    size_t la = 0, lb = 0, lc = 0, ld = 0;
    unsetenv("POR_NO_SIMD");
    uint8_t *a = prove_bytes(pk, w, NULL, 0x5eed, &la);
    uint8_t *b = prove_bytes(pk, w, pool3, 0x5eed, &lb);
    setenv("POR_NO_SIMD", "1", 1);
    uint8_t *c = prove_bytes(pk, w, NULL, 0x5eed, &lc);
    uint8_t *d = prove_bytes(pk, w, NULL, 0xfeed, &ld);
    unsetenv("POR_NO_SIMD");
    ok(a && b && c && la == lb && la == lc && memcmp(a, b, la) == 0 && memcmp(a, c, la) == 0,
       "%s: the same proof with the 8-lane quotient (1 and 3 threads) and point by point", name);
    ok(d && (ld != la || memcmp(a, d, la) != 0), "%s: another seed gives another proof", name);
    free(b), free(c), free(d);
    *len = la;
    return a;
}

/*
 * The gates' eval_base_x8 hook (gates.h): a stand-in made of eval_base that
 * reads lane p at wires[j * stride + p], consts[k * stride + p] and writes
 * out[c * 8 + p], set on every gate type of a circuit; hook_wrong swaps
 * lanes 0 and 1 (a broken hook, which the proofs must catch).
 */
static bool hook_wrong;
static por_gate_vtable hooked_vt[8];

static void x8_by_lanes(const por_gate *g, const gl_t *wires, const gl_t *consts, size_t stride, const gl_t *pi,
                        gl_t *out)
{
    const por_gate_vtable *vt = por_gate_vtable_of(g->vt->kind);
    gl_t wv[POR_MAX_WIRES], cv[POR_MAX_CONSTANTS], ov[2 * POR_MAX_WIRES];
    for (size_t p = 0; p < 8; p++) {
        size_t q = hook_wrong && p < 2 ? 1 - p : p;
        for (size_t j = 0; j < g->num_wires; j++)
            wv[j] = wires[j * stride + q];
        for (size_t k = 0; k < g->num_constants; k++)
            cv[k] = consts[k * stride + q];
        vt->eval_base(g, wv, cv, pi, ov);
        for (size_t c = 0; c < g->num_constraints; c++)
            out[c * 8 + p] = ov[c];
    }
}

/* Sets (or removes) the stand-in hook on the gate types of c. */
static void hook_gates(por_circuit *c, bool on)
{
    for (unsigned g = 0; g < c->num_gate_types; g++) {
        uint32_t kind = c->gate_types[g].vt->kind;
        if (kind >= sizeof(hooked_vt) / sizeof(hooked_vt[0]))
            continue;
        hooked_vt[kind] = *por_gate_vtable_of(kind);
        hooked_vt[kind].eval_base_x8 = x8_by_lanes;
        c->gate_types[g].vt = on ? &hooked_vt[kind] : por_gate_vtable_of(kind);
    }
}

/* With eval_base_x8 on every gate type, the same proof as ref; with a
 * broken hook, no proof (the prover's degree check fails). */
static void hook_proofs(const char *name, por_circuit *c, por_witness *w, const uint8_t *ref, size_t ref_len)
{
    if (!gl_x8_use_avx512()) {
        diag("%s: no 8-lane quotient on this CPU: eval_base_x8 not exercised", name);
        return;
    }
    hook_gates(c, true);
    const char *why = NULL;
    por_plonk_prover *pk = por_plonk_setup(c, NULL, &why);
    size_t la = 0, lb = 0;
    hook_wrong = false;
    uint8_t *a = pk ? prove_bytes(pk, w, NULL, 0x5eed, &la) : NULL;
    hook_wrong = true;
    uint8_t *b = pk ? prove_bytes(pk, w, NULL, 0x5eed, &lb) : NULL;
    hook_wrong = false;
    ok(a && ref && la == ref_len && memcmp(a, ref, la) == 0,
       "%s: the same proof through the gates' eval_base_x8 hook", name);
    ok(pk && !b, "%s: a hook with two lanes swapped gives no proof", name);
    free(a), free(b);
    por_plonk_prover_free(pk);
    hook_gates(c, false);
}

/* Arithmetic, constants, Poseidon and range checks; no lookups. */
static void test_quotient_mixed(por_pool *pool3)
{
    por_circuit_config cfg;
    por_circuit_config_default(&cfg);
    cfg.zero_knowledge = true;
    cfg.num_queries = 3;
    cfg.pow_bits = 1;
    cfg.cap_height = 1;
    por_builder *b = por_builder_new(&cfg);
    por_target in[5], d[4], sum = por_builder_zero(b);
    for (int i = 0; i < 5; i++) {
        in[i] = por_builder_add_virtual(b);
        por_builder_range_check(b, in[i], 40);
        sum = por_builder_add(b, sum, por_builder_mul_const(b, gl_from_u64(3 * i + 2), in[i]));
    }
    por_builder_hash(b, 11, in, 5, d);
    for (int i = 0; i < 4; i++)
        por_builder_register_public_input(b, d[i]);
    por_builder_register_public_input(b, sum);
    const char *why = NULL;
    por_circuit *c = por_builder_build(b, &why);
    por_builder_free(b);
    por_plonk_prover *pk = c ? por_plonk_setup(c, NULL, &why) : NULL;
    por_witness *w = pk ? por_witness_new(c) : NULL;
    ok(w != NULL, "mixed circuit: built and set up (%s)", why ? why : "ok");
    if (w) {
        for (int i = 0; i < 5; i++)
            por_witness_set(w, in[i], gl_from_u64(999983ULL * (uint64_t)(i + 3)));
        size_t len;
        uint8_t *ref = same_proofs("mixed circuit", pk, w, pool3, &len);
        hook_proofs("mixed circuit", c, w, ref, len);
        free(ref);
    }
    por_witness_free(w);
    por_plonk_prover_free(pk);
    por_circuit_free(c);
}

/* The batch circuit: balance and range-lookup gates and the lookup argument. */
static void test_quotient_batch(por_pool *pool3)
{
    const unsigned k = 1, A = 2;
    por_circuit_config cfg;
    por_batch_config_default(&cfg);
    cfg.num_queries = 3;
    cfg.pow_bits = 1;
    cfg.cap_height = 1;
    por_asset assets[2];
    memset(assets, 0, sizeof(assets));
    for (unsigned a = 0; a < A; a++) {
        snprintf(assets[a].symbol, sizeof(assets[a].symbol), "X%u", a);
        assets[a].decimals = 8;
        assets[a].price_units = a ? 3 : 4200000;
        assets[a].haircut = a ? 100 : 80;
    }
    por_params params = {.snapshot_id = 9, .snapshot_time_us = 1700000000000000LL, .balance_bits = 62,
                         .price_scale = 8, .batch_log2 = k, .leaf_count = 4ULL << k, .asset_count = A,
                         .assets = assets};
    const char *why = NULL;
    por_batch_circuit *bc = por_batch_circuit_build(k, A, 62, true, &cfg, &why);
    por_plonk_prover *pk = bc ? por_plonk_setup(bc->circuit, NULL, &why) : NULL;
    uint64_t bal[2 * 2 * 2];
    por_digest cm[2];
    for (size_t u = 0; u < 2; u++) {
        for (unsigned a = 0; a < A; a++) {
            bal[2 * A * u + a] = test_rand_u64(&seed) >> 6;
            bal[2 * A * u + A + a] = bal[2 * A * u + a] >> 9;
        }
        for (int i = 0; i < 4; i++)
            cm[u].e[i] = gl_from_u64(test_rand_u64(&seed));
    }
    por_witness *w = NULL;
    por_batch_public pub;
    if (pk && por_batch_witness(bc, &params, cm, bal, false, &w, &pub, &why) != 0)
        w = NULL;
    ok(w != NULL && bc->circuit->config.lookup_bits != 0, "batch circuit (lookups): built, witness (%s)",
       why ? why : "ok");
    if (w) {
        size_t len;
        uint8_t *ref = same_proofs("batch circuit", pk, w, pool3, &len);
        hook_proofs("batch circuit", bc->circuit, w, ref, len);
        free(ref);
    }
    por_witness_free(w);
    por_plonk_prover_free(pk);
    por_batch_circuit_free(bc);
}

int main(void)
{
    test_portable();
    test_mult_forms();
#if GL_X8_HAVE_AVX512
    if (gl_x8_use_avx512()) {
        test_vec_base();
        test_vec_ext();
        test_vec_dot();
        test_vec_transpose();
    } else
        diag("no AVX-512 on this CPU (or POR_NO_SIMD set): the vector functions are not tested");
#else
    diag("not an x86-64 build: the vector functions are not tested");
#endif
    por_pool *pool3 = por_pool_create(3);
    test_quotient_mixed(pool3);
    test_quotient_batch(pool3);
    por_pool_destroy(pool3);
    return done_testing();
}
