/* NTT, bit reversal, LDE and Horner evaluation against naive definitions. */
#include <stdlib.h>

#include "field/field.h"
#include "field/field_ext.h"
#include "field/ntt.h"
#include "tap.h"
#include "util/threadpool.h"

static uint64_t seed = 0x5eed0001;

/* Every transform returns 0 unless out of memory; count any other result. */
static int call_failures;
#define CHECK(call) (call_failures += (call) != 0)

static gl_t rnd(void) { return gl_from_u64(test_rand_u64(&seed)); }

static gl_t *rnd_vec(size_t n)
{
    gl_t *v = malloc((n ? n : 1) * sizeof(gl_t));
    for (size_t i = 0; i < n; i++)
        v[i] = rnd();
    return v;
}

static gl_t *copy_vec(const gl_t *v, size_t n)
{
    gl_t *c = malloc((n ? n : 1) * sizeof(gl_t));
    memcpy(c, v, n * sizeof(gl_t));
    return c;
}

static int vec_eq(const gl_t *a, const gl_t *b, size_t n) { return memcmp(a, b, n * sizeof(gl_t)) == 0; }

/* sum_k c_k x^k with explicit powers: independent of Horner. */
static gl_t naive_eval(const gl_t *c, size_t n, gl_t x)
{
    gl_t acc = 0, xk = 1;
    for (size_t k = 0; k < n; k++) {
        acc = gl_add(acc, gl_mul(c[k], xk));
        xk = gl_mul(xk, x);
    }
    return acc;
}

/* Naive O(n^2) DFT on the coset: out[i] = f(shift * w^i). */
static void naive_dft(const gl_t *c, unsigned log_n, gl_t shift, gl_t *out)
{
    size_t n = (size_t)1 << log_n;
    gl_t w = gl_root_of_unity(log_n), x = shift;
    for (size_t i = 0; i < n; i++) {
        out[i] = naive_eval(c, n, x);
        x = gl_mul(x, w);
    }
}

static void test_horner_and_roots(void)
{
    gl_t c[3] = {1, 2, 3};
    is_u64(por_poly_eval(c, 3, 10), 321, "Horner: 1 + 2x + 3x^2 at 10 = 321");
    is_u64(por_poly_eval(c, 0, 10), 0, "Horner: empty polynomial is 0");
    gl_t *v = rnd_vec(50);
    gl_t x = rnd();
    is_u64(por_poly_eval(v, 50, x), naive_eval(v, 50, x), "Horner agrees with the power sum");
    v[17] = gl_add(v[17], 1);
    ok(por_poly_eval(v, 50, x) != naive_eval(v, 49, x), "a changed coefficient changes the value");
    free(v);
    /* the transforms rely on w_n having order exactly n */
    int orders_ok = 1;
    for (unsigned k = 1; k <= 32; k++) {
        gl_t w = gl_root_of_unity(k);
        gl_t half = gl_pow(w, (uint64_t)1 << (k - 1));
        orders_ok &= half == GL_P - 1;
    }
    ok(orders_ok, "gl_root_of_unity(k)^(2^(k-1)) = -1 for k = 1..32");
    size_t r = por_bit_reverse_index(0x3, 5);
    is_u64(r, 0x18, "rev(00011, 5 bits) = 11000");
    is_u64(por_bit_reverse_index(1, 0), 0, "rev over 0 bits is 0");
}

static void test_bit_reverse(void)
{
    int all_ok = 1;
    for (unsigned log_n = 0; log_n <= 13; log_n++) {
        size_t n = (size_t)1 << log_n;
        gl_t *v = malloc(n * sizeof(gl_t));
        for (size_t i = 0; i < n; i++)
            v[i] = i;
        por_bit_reverse(v, log_n);
        for (size_t i = 0; i < n; i++)
            all_ok &= v[i] == por_bit_reverse_index(i, log_n);
        free(v);
    }
    ok(all_ok, "bit reversal (simple and tiled paths) matches rev() for 2^0..2^13");
    size_t n = (size_t)1 << 12;
    gl_t *v = rnd_vec(n), *c = copy_vec(v, n);
    por_bit_reverse(v, 12);
    ok(!vec_eq(v, c, n), "bit reversal moves elements");
    por_bit_reverse(v, 12);
    ok(vec_eq(v, c, n), "bit reversal is an involution");
    free(v);
    free(c);
}

/* Known answers: transform of small random vectors vs the naive DFT. */
static void test_known_answers(void)
{
    const gl_t shifts[2] = {1, GL_GENERATOR};
    for (int s = 0; s < 2; s++)
        for (unsigned log_n = 0; log_n <= 7; log_n++) {
            size_t n = (size_t)1 << log_n;
            gl_t *c = rnd_vec(n), *want = malloc(n * sizeof(gl_t));
            naive_dft(c, log_n, shifts[s], want);
            gl_t *v = copy_vec(c, n);
            CHECK(por_ntt_forward(v, log_n, shifts[s]));
            ok(vec_eq(v, want, n), "forward 2^%u, shift %s = naive DFT", log_n, s ? "g" : "1");
            gl_t *br = copy_vec(c, n);
            CHECK(por_ntt_forward_br(br, log_n, shifts[s]));
            int br_ok = 1;
            for (size_t i = 0; i < n; i++)
                br_ok &= br[i] == want[por_bit_reverse_index(i, log_n)];
            ok(br_ok, "forward_br 2^%u, shift %s = naive DFT in bit-reversed order", log_n,
               s ? "g" : "1");
            CHECK(por_ntt_inverse(v, log_n, shifts[s]));
            ok(vec_eq(v, c, n), "inverse of it gives the coefficients back");
            free(c);
            free(want);
            free(v);
            free(br);
        }
    /* a tiny fixed vector: f = 1 + x on <w_2> = {1, -1} gives {2, 0} */
    gl_t f[2] = {1, 1};
    CHECK(por_ntt_forward(f, 1, 1));
    ok(f[0] == 2 && f[1] == 0, "NTT of 1 + x on {1, -1} is {2, 0}");
    /* negative: the wrong shift does not match the naive DFT */
    gl_t *c = rnd_vec(16), want[16];
    naive_dft(c, 4, GL_GENERATOR, want);
    CHECK(por_ntt_forward(c, 4, 7));
    ok(!vec_eq(c, want, 16), "a transform on the wrong coset does not match");
    free(c);
}

/* Round trips for every size 2^0..2^14 and 2^18, natural and bit-reversed. */
static void test_round_trips(void)
{
    int nat_ok = 1, br_ok = 1, coset_ok = 1, changed = 1;
    for (unsigned log_n = 0; log_n <= 14; log_n++) {
        size_t n = (size_t)1 << log_n;
        gl_t *c = rnd_vec(n), *v = copy_vec(c, n);
        CHECK(por_ntt_forward(v, log_n, 1));
        if (log_n >= 1)
            changed &= !vec_eq(v, c, n);
        CHECK(por_ntt_inverse(v, log_n, 1));
        nat_ok &= vec_eq(v, c, n);
        CHECK(por_ntt_forward_br(v, log_n, 1));
        CHECK(por_ntt_inverse_br(v, log_n, 1));
        br_ok &= vec_eq(v, c, n);
        CHECK(por_ntt_forward(v, log_n, GL_GENERATOR));
        CHECK(por_ntt_inverse(v, log_n, GL_GENERATOR));
        coset_ok &= vec_eq(v, c, n);
        free(c);
        free(v);
    }
    ok(nat_ok, "natural forward/inverse round trip, 2^0..2^14");
    ok(br_ok, "bit-reversed forward/inverse round trip, 2^0..2^14");
    ok(coset_ok, "coset forward/inverse round trip, 2^0..2^14");
    ok(changed, "the forward transform is not the identity");

    size_t n = (size_t)1 << 18;
    gl_t *c = rnd_vec(n), *v = copy_vec(c, n);
    CHECK(por_ntt_forward(v, 18, GL_GENERATOR));
    /* spot checks against Horner: the large stages use chained twiddles */
    gl_t w = gl_root_of_unity(18);
    int spot = 1;
    for (size_t i = 0; i < n; i += 65521)
        spot &= v[i] == por_poly_eval(c, n, gl_mul(GL_GENERATOR, gl_pow(w, i)));
    spot &= v[n - 1] == por_poly_eval(c, n, gl_mul(GL_GENERATOR, gl_pow(w, n - 1)));
    ok(spot, "2^18 coset NTT matches Horner at sample points");
    CHECK(por_ntt_inverse(v, 18, GL_GENERATOR));
    ok(vec_eq(v, c, n), "2^18 round trip");
    free(c);
    free(v);
}

/* The AVX-512 and portable paths agree bit for bit (POR_NO_SIMD forces the latter). */
static void test_paths_agree(void)
{
    int fwd_ok = 1, inv_ok = 1, lde_ok = 1;
    for (unsigned log_n = 0; log_n <= 17; log_n += (log_n < 6 ? 1 : 3)) {
        size_t n = (size_t)1 << log_n;
        gl_t *c = rnd_vec(n), *a = copy_vec(c, n), *b = copy_vec(c, n);
        unsetenv("POR_NO_SIMD");
        CHECK(por_ntt_forward(a, log_n, GL_GENERATOR));
        setenv("POR_NO_SIMD", "1", 1);
        CHECK(por_ntt_forward(b, log_n, GL_GENERATOR));
        fwd_ok &= vec_eq(a, b, n);
        unsetenv("POR_NO_SIMD");
        CHECK(por_ntt_inverse_br(a, log_n, 3));
        setenv("POR_NO_SIMD", "1", 1);
        CHECK(por_ntt_inverse_br(b, log_n, 3));
        inv_ok &= vec_eq(a, b, n);
        if (log_n <= 12) {
            gl_t *la = malloc(4 * n * sizeof(gl_t)), *lb = malloc(4 * n * sizeof(gl_t));
            unsetenv("POR_NO_SIMD");
            CHECK(por_lde(c, log_n, 2, la));
            setenv("POR_NO_SIMD", "1", 1);
            CHECK(por_lde(c, log_n, 2, lb));
            lde_ok &= vec_eq(la, lb, 4 * n);
            free(la);
            free(lb);
        }
        unsetenv("POR_NO_SIMD");
        free(c);
        free(a);
        free(b);
    }
    ok(fwd_ok, "SIMD and portable forward transforms agree (2^0..2^17)");
    ok(inv_ok, "SIMD and portable inverse transforms agree");
    ok(lde_ok, "SIMD and portable LDEs agree");
}

/* LDE values equal Horner evaluations at the bit-reversed coset points. */
static void test_lde(void)
{
    for (unsigned log_n = 0; log_n <= 6; log_n += 2)
        for (unsigned rate = 0; rate <= 3; rate++) {
            size_t n = (size_t)1 << log_n, N = n << rate;
            gl_t *c = rnd_vec(n), *out = malloc(N * sizeof(gl_t));
            CHECK(por_lde(c, log_n, rate, out));
            gl_t w = gl_root_of_unity(log_n + rate);
            int all = 1, points = 1;
            for (size_t i = 0; i < N; i++) {
                gl_t x = gl_mul(GL_GENERATOR, gl_pow(w, por_bit_reverse_index(i, log_n + rate)));
                points &= por_lde_point(log_n + rate, i) == x;
                all &= out[i] == naive_eval(c, n, x);
            }
            ok(all, "LDE 2^%u rate %u = evaluations at g w^rev(i)", log_n, rate);
            ok(points, "por_lde_point(%u, i) = g w^rev(i)", log_n + rate);
            free(c);
            free(out);
        }
    /* large: against the zero-padded size-N coset transform (a different code path) */
    unsigned log_n = 16, rate = 3;
    size_t n = (size_t)1 << log_n, N = n << rate;
    gl_t *c = rnd_vec(n), *out = malloc(N * sizeof(gl_t)), *pad = calloc(N, sizeof(gl_t));
    memcpy(pad, c, n * sizeof(gl_t));
    CHECK(por_lde(c, log_n, rate, out));
    CHECK(por_ntt_forward_br(pad, log_n + rate, GL_GENERATOR));
    ok(vec_eq(out, pad, N), "LDE 2^16 rate 3 = zero-padded coset NTT in bit-reversed order");
    int spot = 1;
    for (size_t i = 0; i < N; i += 99991)
        spot &= out[i] == por_poly_eval(c, n, por_lde_point(log_n + rate, i));
    ok(spot, "LDE 2^16 rate 3 matches Horner at sample points");
    /* negative: the LDE of a different polynomial differs */
    c[5] = gl_add(c[5], 1);
    CHECK(por_lde(c, log_n, rate, pad));
    ok(!vec_eq(out, pad, N), "changing one coefficient changes the LDE");
    free(c);
    free(out);
    free(pad);
}

/* The tail blocks of a larger LDE: a committed LDE at rate r is the first
 * 2^r blocks of the LDE at rate r' > r, and por_lde_batch_blocks gives the rest. */
static void test_lde_blocks(void)
{
    por_pool *pool = por_pool_create(2);
    for (unsigned log_n = 0; log_n <= 8; log_n += 4)
        for (unsigned big = 1; big <= 4; big++)
            for (unsigned first_bits = 0; first_bits < big; first_bits++) {
                size_t n = (size_t)1 << log_n, N = n << big, first = (size_t)1 << first_bits;
                gl_t *c[2] = {rnd_vec(n), rnd_vec(n)};
                gl_t *full = malloc(N * sizeof(gl_t)), *small = malloc((first * n) * sizeof(gl_t));
                gl_t *tails[2] = {malloc(N * sizeof(gl_t)), malloc(N * sizeof(gl_t))};
                int same = 1;
                for (int k = 0; k < 2; k++) {
                    CHECK(por_lde(c[k], log_n, big, full));
                    CHECK(por_lde(c[k], log_n, first_bits, small));
                    same &= vec_eq(full, small, first * n);
                }
                CHECK(por_lde_batch_blocks(pool, (const gl_t *const *)c, 2, log_n, big, first, tails));
                for (int k = 0; k < 2; k++) {
                    CHECK(por_lde(c[k], log_n, big, full));
                    same &= vec_eq(full + first * n, tails[k], N - first * n);
                }
                ok(same, "LDE 2^%u: rate %u = rate %u's blocks, then blocks %zu.. of rate %u", log_n, big,
                   first_bits, first, big);
                free(c[0]), free(c[1]), free(full), free(small), free(tails[0]), free(tails[1]);
            }
    gl_t one = 1, *out = &one;
    const gl_t *in = &one;
    ok(por_lde_batch_blocks(pool, &in, 1, 0, 2, 4, &out) == -1 && one == 1,
       "first_block = 2^rate refused, output untouched");
    por_pool_destroy(pool);
}

/* Batches on a pool give the same results as the single-vector functions. */
static void test_batches(void)
{
    por_pool *pool = por_pool_create(3);
    ok(pool != NULL, "pool created");
    enum { COUNT = 7 };
    unsigned log_n = 10, rate = 2;
    size_t n = (size_t)1 << log_n, N = n << rate;
    gl_t *coeffs[COUNT], *outs[COUNT], *vals[COUNT];
    for (int k = 0; k < COUNT; k++) {
        coeffs[k] = rnd_vec(n);
        outs[k] = malloc(N * sizeof(gl_t));
        vals[k] = copy_vec(coeffs[k], n);
    }
    CHECK(por_lde_batch(pool, (const gl_t *const *)coeffs, COUNT, log_n, rate, outs));
    int lde_ok = 1;
    gl_t *single = malloc(N * sizeof(gl_t));
    for (int k = 0; k < COUNT; k++) {
        CHECK(por_lde(coeffs[k], log_n, rate, single));
        lde_ok &= vec_eq(single, outs[k], N);
    }
    ok(lde_ok, "por_lde_batch on a pool = por_lde per polynomial");
    CHECK(por_lde_batch(NULL, (const gl_t *const *)coeffs, COUNT, log_n, rate, outs));
    ok(vec_eq(single, outs[COUNT - 1], N), "por_lde_batch with a NULL pool");

    CHECK(por_ntt_forward_batch(pool, vals, COUNT, log_n, GL_GENERATOR));
    int fwd_ok = 1;
    for (int k = 0; k < COUNT; k++) {
        gl_t *v = copy_vec(coeffs[k], n);
        CHECK(por_ntt_forward(v, log_n, GL_GENERATOR));
        fwd_ok &= vec_eq(v, vals[k], n);
        free(v);
    }
    ok(fwd_ok, "por_ntt_forward_batch = por_ntt_forward per vector");
    CHECK(por_ntt_inverse_batch(pool, vals, COUNT, log_n, GL_GENERATOR));
    int inv_ok = 1;
    for (int k = 0; k < COUNT; k++)
        inv_ok &= vec_eq(coeffs[k], vals[k], n);
    ok(inv_ok, "por_ntt_inverse_batch undoes it");
    for (int k = 0; k < COUNT; k++) {
        free(coeffs[k]);
        free(outs[k]);
        free(vals[k]);
    }
    free(single);
    por_pool_destroy(pool);
}

/* Extension-field transforms and evaluations. */
static void test_ext(void)
{
    unsigned log_n = 5;
    size_t n = (size_t)1 << log_n;
    gl2_t *c = malloc(n * sizeof(gl2_t)), *v = malloc(n * sizeof(gl2_t));
    for (size_t i = 0; i < n; i++)
        c[i] = (gl2_t){rnd(), rnd()};
    memcpy(v, c, n * sizeof(gl2_t));
    CHECK(por_ntt_forward_ext(v, log_n, GL_GENERATOR));
    gl_t w = gl_root_of_unity(log_n);
    int nat = 1;
    for (size_t i = 0; i < n; i++) {
        gl2_t x = gl2_from_base(gl_mul(GL_GENERATOR, gl_pow(w, i)));
        nat &= gl2_eq(v[i], por_poly_eval_ext2(c, n, x));
    }
    ok(nat, "extension forward NTT = evaluations at g w^i");
    CHECK(por_ntt_inverse_ext(v, log_n, GL_GENERATOR));
    ok(memcmp(v, c, n * sizeof(gl2_t)) == 0, "extension inverse NTT round trip");
    CHECK(por_ntt_forward_br_ext(v, log_n, 1));
    int br = 1;
    for (size_t i = 0; i < n; i++)
        br &= gl2_eq(v[i], por_poly_eval_ext2(c, n, gl2_from_base(gl_pow(w, por_bit_reverse_index(i, log_n)))));
    ok(br, "extension forward_br = evaluations in bit-reversed order");
    CHECK(por_ntt_inverse_br_ext(v, log_n, 1));
    ok(memcmp(v, c, n * sizeof(gl2_t)) == 0, "extension bit-reversed round trip");

    /* base polynomial at an extension point: (sum c_k x^k) computed by powers */
    gl_t *b = rnd_vec(n);
    gl2_t x = {rnd(), rnd()}, acc = gl2_from_base(0), xk = gl2_from_base(1);
    for (size_t k = 0; k < n; k++) {
        acc = gl2_add(acc, gl2_mul_base(xk, b[k]));
        xk = gl2_mul(xk, x);
    }
    ok(gl2_eq(por_poly_eval_ext(b, n, x), acc), "por_poly_eval_ext = power sum");
    ok(gl2_eq(por_poly_eval_ext(b, n, gl2_from_base(7)), gl2_from_base(por_poly_eval(b, n, 7))),
       "por_poly_eval_ext at a base point = por_poly_eval");
    gl2_t *be = malloc(n * sizeof(gl2_t));
    for (size_t k = 0; k < n; k++)
        be[k] = gl2_from_base(b[k]);
    ok(gl2_eq(por_poly_eval_ext2(be, n, x), acc), "por_poly_eval_ext2 on lifted coefficients agrees");
    be[3].c1 = gl_add(be[3].c1, 1);
    ok(!gl2_eq(por_poly_eval_ext2(be, n, x), acc), "a changed extension coefficient changes the value");
    free(b);
    free(be);
    free(c);
    free(v);
}

int main(void)
{
    test_horner_and_roots();
    test_bit_reverse();
    test_known_answers();
    test_round_trips();
    test_paths_agree();
    test_lde();
    test_lde_blocks();
    test_batches();
    test_ext();
    ok(call_failures == 0, "every transform and LDE call returned 0");
    return done_testing();
}
