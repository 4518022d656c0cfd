/*
 * Goldilocks field: every operation against a slow reference built on
 * unsigned __int128 % p, on edge values and random ones, plus the field
 * axioms, inversion, roots of unity and batch inversion.
 */
#include "field/field.h"
#include "tap.h"

typedef unsigned __int128 u128;

static const u128 P128 = GL_P;

/* Slow references. */
static uint64_t ref_mod(u128 x) { return (uint64_t)(x % P128); }
static uint64_t ref_add(uint64_t a, uint64_t b) { return ref_mod((u128)a + b); }
static uint64_t ref_sub(uint64_t a, uint64_t b) { return ref_mod((u128)a + P128 - b); }
static uint64_t ref_mul(uint64_t a, uint64_t b) { return ref_mod((u128)a * b); }

/* Canonical edge values: 0, 1, 2, around 2^32, 2^63 and p. */
static const uint64_t EDGES[] = {
    0,
    1,
    2,
    3,
    0xffffffffULL,          /* 2^32 - 1 = EPSILON */
    0x100000000ULL,         /* 2^32 */
    0x100000001ULL,
    0x7fffffffffffffffULL,  /* 2^63 - 1 */
    0x8000000000000000ULL,  /* 2^63 */
    0x8000000000000001ULL,
    0xfffffffe00000000ULL,
    0xfffffffe00000001ULL,  /* p - 2^32 */
    0xfffffffeffffffffULL,
    0xffffffff00000000ULL,  /* p - 1 */
    GL_P - 2,
    GL_P - 3,
    GL_ROOT_OF_UNITY_2_32,
    GL_GENERATOR,
};
#define N_EDGES (sizeof(EDGES) / sizeof(EDGES[0]))

/* A random canonical element; one in four is taken near an edge. */
static uint64_t rand_elem(uint64_t *seed)
{
    uint64_t r = test_rand_u64(seed);
    switch (r & 3) {
    case 0:
        return gl_from_u64(EDGES[(r >> 2) % N_EDGES] ^ ((r >> 40) & 3));
    case 1:
        return GL_P - 1 - ((r >> 2) & 0xff);
    default:
        return gl_from_u64(test_rand_u64(seed));
    }
}

static void test_reduction_of_u64(void)
{
    static const uint64_t xs[] = {0, 1, GL_P - 1, GL_P, GL_P + 1, 0xffffffffffffffffULL,
                                  0xfffffffffffffffeULL, 0x8000000000000000ULL};
    int bad = 0;
    for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
        bad += gl_from_u64(xs[i]) != ref_mod(xs[i]);
    uint64_t seed = 1;
    for (int i = 0; i < 100000; i++) {
        uint64_t x = test_rand_u64(&seed) | 0xffffffff00000000ULL;
        bad += gl_from_u64(x) != ref_mod(x);
    }
    ok(bad == 0, "gl_from_u64 reduces every 64-bit value (edges and 2^64 - 2^32 <= x)");
    ok(gl_is_canonical(GL_P - 1) && gl_is_canonical(0), "p - 1 and 0 are canonical");
    ok(!gl_is_canonical(GL_P) && !gl_is_canonical(0xffffffffffffffffULL),
       "p and 2^64 - 1 are not canonical");
}

static void test_reduce128(void)
{
    /* hi_hi = 0 or 2^32 - 1, hi_lo = 0 or 2^32 - 1, lo below / above hi_hi:
     * every borrow and carry path of the reduction. */
    static const uint64_t his[] = {0, 1, 0xffffffffULL, 0x100000000ULL, 0xffffffff00000000ULL,
                                   0xffffffff00000001ULL, 0xfffffffeffffffffULL, 0xffffffffffffffffULL,
                                   0x00000001ffffffffULL, 0x8000000080000000ULL};
    static const uint64_t los[] = {0, 1, 0xfffffffeULL, 0xffffffffULL, 0x100000000ULL, GL_P - 1, GL_P,
                                   0xfffffffffffffffeULL, 0xffffffffffffffffULL, 0x8000000000000000ULL};
    int bad = 0, n = 0;
    for (size_t i = 0; i < sizeof(his) / sizeof(his[0]); i++)
        for (size_t j = 0; j < sizeof(los) / sizeof(los[0]); j++) {
            u128 x = ((u128)his[i] << 64) | los[j];
            bad += gl_reduce128(x) != ref_mod(x);
            n++;
        }
    ok(bad == 0, "gl_reduce128 on %d structured 128-bit edge cases", n);
    is_u64(gl_reduce128(~(u128)0), ref_mod(~(u128)0), "gl_reduce128(2^128 - 1)");
    is_u64(gl_reduce128((u128)(GL_P - 1) * (GL_P - 1)), 1, "gl_reduce128((p - 1)^2) = 1");

    uint64_t seed = 2;
    bad = 0;
    for (int i = 0; i < 200000; i++) {
        uint64_t hi = test_rand_u64(&seed), lo = test_rand_u64(&seed);
        /* skew towards the borrow case (lo < hi >> 32) and small/large halves */
        if (i % 4 == 1)
            lo &= 0xffffffffULL;
        if (i % 4 == 2)
            hi |= 0xffffffff00000000ULL;
        if (i % 8 == 3)
            hi &= 0xffffffffULL;
        u128 x = ((u128)hi << 64) | lo;
        bad += gl_reduce128(x) != ref_mod(x);
    }
    ok(bad == 0, "gl_reduce128 on 200000 random 128-bit values");
}

static void test_ops_against_reference(void)
{
    int bad_add = 0, bad_sub = 0, bad_mul = 0, bad_neg = 0, bad_sqr = 0;
    for (size_t i = 0; i < N_EDGES; i++)
        for (size_t j = 0; j < N_EDGES; j++) {
            uint64_t a = EDGES[i], b = EDGES[j];
            bad_add += gl_add(a, b) != ref_add(a, b);
            bad_sub += gl_sub(a, b) != ref_sub(a, b);
            bad_mul += gl_mul(a, b) != ref_mul(a, b);
        }
    uint64_t seed = 3;
    for (int i = 0; i < 200000; i++) {
        uint64_t a = rand_elem(&seed), b = rand_elem(&seed);
        bad_add += gl_add(a, b) != ref_add(a, b);
        bad_sub += gl_sub(a, b) != ref_sub(a, b);
        bad_mul += gl_mul(a, b) != ref_mul(a, b);
        bad_neg += gl_neg(a) != ref_sub(0, a);
        bad_sqr += gl_sqr(a) != ref_mul(a, a);
    }
    ok(bad_add == 0, "gl_add matches (a + b) mod p on edges x edges and random values");
    ok(bad_sub == 0, "gl_sub matches (a - b) mod p");
    ok(bad_mul == 0, "gl_mul matches (a * b) mod p");
    ok(bad_neg == 0, "gl_neg matches -a mod p");
    ok(bad_sqr == 0, "gl_sqr matches a^2 mod p");
    is_u64(gl_add(GL_P - 1, 1), 0, "(p - 1) + 1 = 0");
    is_u64(gl_sub(0, 1), GL_P - 1, "0 - 1 = p - 1");
    is_u64(gl_mul(GL_P - 1, GL_P - 1), 1, "(-1)^2 = 1");
    is_u64(gl_mul(0x100000000ULL, 0x100000000ULL), GL_EPSILON, "2^32 * 2^32 = 2^32 - 1");
    is_u64(gl_mul(gl_mul(0x100000000ULL, 0x100000000ULL), 0x100000000ULL), GL_P - 1, "2^96 = -1");
    is_u64(gl_neg(0), 0, "-0 = 0 (canonical)");
    /* negative control: the reference comparison does notice a wrong answer */
    ok(gl_mul(3, 5) != ref_mul(3, 5) + 1 && gl_add(GL_P - 1, 2) != 2, "a wrong value is told apart");
}

static void test_axioms(void)
{
    uint64_t seed = 4;
    int bad = 0;
    for (int i = 0; i < 50000; i++) {
        gl_t a = rand_elem(&seed), b = rand_elem(&seed), c = rand_elem(&seed);
        bad += gl_add(a, b) != gl_add(b, a);
        bad += gl_mul(a, b) != gl_mul(b, a);
        bad += gl_add(gl_add(a, b), c) != gl_add(a, gl_add(b, c));
        bad += gl_mul(gl_mul(a, b), c) != gl_mul(a, gl_mul(b, c));
        bad += gl_mul(a, gl_add(b, c)) != gl_add(gl_mul(a, b), gl_mul(a, c));
        bad += gl_add(a, 0) != a || gl_mul(a, 1) != a || gl_mul(a, 0) != 0;
        bad += gl_add(a, gl_neg(a)) != 0;
        bad += gl_sub(a, b) != gl_add(a, gl_neg(b));
        bad += gl_sub(gl_add(a, b), b) != a;
        bad += !gl_is_canonical(gl_add(a, b)) || !gl_is_canonical(gl_sub(a, b)) ||
               !gl_is_canonical(gl_mul(a, b));
    }
    ok(bad == 0, "commutativity, associativity, distributivity, identities, negation, canonical results");
}

static void test_pow_inv(void)
{
    uint64_t seed = 5;
    int bad = 0;
    for (int i = 0; i < 300; i++) {
        gl_t a = rand_elem(&seed);
        unsigned e = (unsigned)(test_rand_u64(&seed) % 40);
        gl_t want = 1;
        for (unsigned k = 0; k < e; k++)
            want = ref_mul(want, a);
        bad += gl_pow(a, e) != want;
    }
    ok(bad == 0, "gl_pow matches repeated multiplication");
    is_u64(gl_pow(0, 0), 1, "0^0 = 1 (empty product)");
    is_u64(gl_pow(7, GL_P - 1), 1, "Fermat: 7^(p-1) = 1");

    bad = 0;
    for (size_t i = 1; i < N_EDGES; i++)
        bad += gl_mul(EDGES[i], gl_inv(EDGES[i])) != 1;
    for (int i = 0; i < 300; i++) {
        gl_t a = rand_elem(&seed);
        if (a)
            bad += gl_mul(a, gl_inv(a)) != 1;
    }
    ok(bad == 0, "a * inv(a) = 1 for nonzero edges and random values");
    is_u64(gl_inv(0), 0, "inv(0) = 0 by convention");
    is_u64(gl_inv(GL_P - 1), GL_P - 1, "inv(-1) = -1");
    is_u64(gl_inv(2), 0x7fffffff80000001ULL, "inv(2) = (p + 1) / 2");
    ok(gl_mul(5, gl_inv(6)) != 1, "inv(6) is not an inverse of 5");
}

static void test_roots_of_unity(void)
{
    int bad = 0;
    for (unsigned k = 0; k <= GL_TWO_ADICITY; k++) {
        gl_t w = gl_root_of_unity(k);
        gl_t x = w;
        for (unsigned i = 0; i < k; i++)
            x = gl_sqr(x);
        bad += x != 1;                                  /* w^(2^k) = 1 */
        if (k > 0) {
            gl_t y = w;
            for (unsigned i = 0; i + 1 < k; i++)
                y = gl_sqr(y);
            bad += y != GL_P - 1;                       /* w^(2^(k-1)) = -1: order exactly 2^k */
        }
    }
    ok(bad == 0, "gl_root_of_unity(k) has order exactly 2^k for k = 0..32");
    is_u64(gl_root_of_unity(0), 1, "the 1st root of unity is 1");
    is_u64(gl_root_of_unity(1), GL_P - 1, "the primitive square root of unity is -1");
    is_u64(gl_root_of_unity(GL_TWO_ADICITY), GL_ROOT_OF_UNITY_2_32, "2^32-th root is the constant");
    is_u64(gl_pow(GL_GENERATOR, (GL_P - 1) >> GL_TWO_ADICITY), GL_ROOT_OF_UNITY_2_32,
           "GENERATOR^((p-1)/2^32) = ROOT_OF_UNITY_2_32");
    /* The generator is a non-residue and not in the subgroup of order (p-1)/3 etc. */
    is_u64(gl_pow(GL_GENERATOR, (GL_P - 1) / 2), GL_P - 1, "GENERATOR is a quadratic non-residue");
    ok(gl_pow(GL_GENERATOR, (GL_P - 1) / 3) != 1 && gl_pow(GL_GENERATOR, (GL_P - 1) / 5) != 1 &&
           gl_pow(GL_GENERATOR, (GL_P - 1) / 17) != 1 && gl_pow(GL_GENERATOR, (GL_P - 1) / 257) != 1 &&
           gl_pow(GL_GENERATOR, (GL_P - 1) / 65537) != 1,
       "GENERATOR generates the whole multiplicative group (p - 1 = 2^32 3 5 17 257 65537)");
    /* negative control: a root of order 2^k is not of order 2^(k-1) */
    gl_t w = gl_root_of_unity(10), y = w;
    for (int i = 0; i < 9; i++)
        y = gl_sqr(y);
    ok(y != 1, "a primitive 2^10-th root raised to 2^9 is not 1");
}

static void test_batch_inv(void)
{
    enum { N = 257 };
    gl_t v[N], orig[N], scratch[N];
    uint64_t seed = 6;
    for (int i = 0; i < N; i++) {
        orig[i] = rand_elem(&seed);
        if (i % 7 == 0 || i == N - 1)
            orig[i] = 0;
        v[i] = orig[i];
    }
    orig[1] = v[1] = GL_P - 1;
    gl_batch_inv(v, scratch, N);
    int bad = 0;
    for (int i = 0; i < N; i++)
        bad += v[i] != gl_inv(orig[i]);
    ok(bad == 0, "gl_batch_inv matches gl_inv on 257 values with zeros (zeros stay 0)");

    gl_t one[1] = {5}, s1[1];
    gl_batch_inv(one, s1, 1);
    is_u64(one[0], gl_inv(5), "batch of one");
    gl_t zeros[3] = {0, 0, 0}, s3[3];
    gl_batch_inv(zeros, s3, 3);
    ok(zeros[0] == 0 && zeros[1] == 0 && zeros[2] == 0, "all-zero batch stays zero");
    gl_batch_inv(NULL, NULL, 0);
    ok(1, "empty batch is accepted");

    /* negative control: perturbing one input changes exactly that output */
    for (int i = 0; i < N; i++)
        v[i] = orig[i];
    v[3] = gl_add(v[3], 1);
    gl_batch_inv(v, scratch, N);
    bad = 0;
    for (int i = 0; i < N; i++)
        bad += (v[i] != gl_inv(orig[i])) != (i == 3);
    ok(bad == 0 && v[3] != gl_inv(orig[3]), "a changed input is inverted as itself, the rest unchanged");
}

int main(void)
{
    test_reduction_of_u64();
    test_reduce128();
    test_ops_against_reference();
    test_axioms();
    test_pow_inv();
    test_roots_of_unity();
    test_batch_inv();
    return done_testing();
}
