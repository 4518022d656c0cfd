/* Quadratic extension F[X]/(X^2 - 7): axioms, inverses, powers, Frobenius. */
#include "field/field.h"
#include "field/field_ext.h"
#include "tap.h"

static uint64_t seed = 0xe7e7e7e7;

static gl2_t rnd2(void)
{
    gl_t a = gl_from_u64(test_rand_u64(&seed));
    return (gl2_t){a, gl_from_u64(test_rand_u64(&seed))};
}

int main(void)
{
    const gl2_t zero = gl2_from_base(0), one = gl2_from_base(1), x = {0, 1};

    /* 7 is a quadratic non-residue (Euler), so X^2 - 7 is irreducible. */
    is_u64(gl_pow(GL2_W, (GL_P - 1) / 2), GL_P - 1, "7^((p-1)/2) = -1: 7 is a non-residue");
    is_u64(gl_pow(4, (GL_P - 1) / 2), 1, "4^((p-1)/2) = 1: the criterion does tell residues apart");

    /* known answers */
    ok(gl2_eq(gl2_sqr(x), gl2_from_base(7)), "X^2 = 7");
    ok(gl2_eq(gl2_mul((gl2_t){1, 1}, (gl2_t){1, 1}), (gl2_t){8, 2}), "(1 + X)^2 = 8 + 2X");
    ok(gl2_eq(gl2_mul((gl2_t){2, 3}, (gl2_t){5, 7}), (gl2_t){2 * 5 + 7 * 3 * 7, 2 * 7 + 3 * 5}),
       "(2 + 3X)(5 + 7X) = 157 + 29X");
    ok(gl2_eq(gl2_sub(zero, one), (gl2_t){GL_P - 1, 0}), "0 - 1 = p - 1");
    ok(!gl2_eq(gl2_mul((gl2_t){1, 1}, (gl2_t){1, 1}), (gl2_t){2, 2}),
       "(1 + X)^2 is not 2 + 2X (X^2 is not 1)");

    int add_comm = 1, add_assoc = 1, mul_comm = 1, mul_assoc = 1, distrib = 1, ident = 1, neg = 1;
    int inv_ok = 1, inv_wrong = 1, pow_ok = 1, frob = 1, frob_base = 1, order = 1, canon = 1;
    for (int i = 0; i < 300; i++) {
        gl2_t a = rnd2(), b = rnd2(), c = rnd2();
        add_comm &= gl2_eq(gl2_add(a, b), gl2_add(b, a));
        add_assoc &= gl2_eq(gl2_add(gl2_add(a, b), c), gl2_add(a, gl2_add(b, c)));
        mul_comm &= gl2_eq(gl2_mul(a, b), gl2_mul(b, a));
        mul_assoc &= gl2_eq(gl2_mul(gl2_mul(a, b), c), gl2_mul(a, gl2_mul(b, c)));
        distrib &= gl2_eq(gl2_mul(a, gl2_add(b, c)), gl2_add(gl2_mul(a, b), gl2_mul(a, c)));
        ident &= gl2_eq(gl2_add(a, zero), a) && gl2_eq(gl2_mul(a, one), a);
        neg &= gl2_is_zero(gl2_add(a, gl2_neg(a))) && gl2_eq(gl2_sub(a, b), gl2_add(a, gl2_neg(b)));
        ident &= gl2_eq(gl2_mul_base(a, c.c0), gl2_mul(a, gl2_from_base(c.c0)));
        inv_ok &= gl2_eq(gl2_mul(a, gl2_inv(a)), one);
        inv_wrong &= !gl2_eq(gl2_mul(a, gl2_inv(gl2_add(a, one))), one);
        gl2_t a5 = gl2_mul(gl2_mul(gl2_sqr(gl2_sqr(a)), a), one);
        pow_ok &= gl2_eq(gl2_pow(a, 5), a5) && gl2_eq(gl2_pow(a, 0), one) && gl2_eq(gl2_pow(a, 1), a);
        pow_ok &= gl2_eq(gl2_pow(a, 1000), gl2_mul(gl2_pow(a, 999), a));
        /* Frobenius: a^p is the conjugate */
        frob &= gl2_eq(gl2_pow(a, GL_P), gl2_frobenius(a)) && gl2_eq(gl2_frobenius(a), (gl2_t){a.c0, gl_neg(a.c1)});
        frob_base &= gl2_eq(gl2_pow(gl2_from_base(a.c0), GL_P), gl2_from_base(a.c0));
        /* the multiplicative group has order p^2 - 1 = (p - 1)(p + 1) */
        order &= gl2_eq(gl2_pow(gl2_pow(a, GL_P - 1), GL_P + 1), one);
        gl2_t s = gl2_mul(gl2_add(a, b), gl2_sub(c, a));
        canon &= gl_is_canonical(s.c0) && gl_is_canonical(s.c1);
    }
    ok(add_comm && add_assoc, "addition is commutative and associative");
    ok(mul_comm && mul_assoc, "multiplication is commutative and associative");
    ok(distrib, "multiplication distributes over addition");
    ok(ident, "0 and 1 are identities; mul_base = mul by a lifted element");
    ok(neg, "a + (-a) = 0 and a - b = a + (-b)");
    ok(inv_ok, "a * a^-1 = 1");
    ok(inv_wrong, "a * (a + 1)^-1 is not 1");
    ok(pow_ok, "pow agrees with repeated multiplication");
    ok(frob, "a^p = conjugate(a) = gl2_frobenius(a)");
    ok(frob_base, "base elements are fixed by Frobenius");
    ok(order, "a^(p^2 - 1) = 1");
    ok(canon, "results stay canonical");
    ok(!gl2_eq(gl2_pow(x, GL_P), x), "X^p is not X (the extension is proper)");

    ok(gl2_is_zero(gl2_inv(zero)), "inv(0) = 0");
    ok(gl2_eq(gl2_inv(one), one), "inv(1) = 1");
    ok(gl2_eq(gl2_inv(x), (gl2_t){0, gl_inv(GL2_W)}), "X^-1 = X / 7");

    /* batch inversion, with zeros in the middle */
    enum { N = 37 };
    gl2_t v[N], w[N], scratch[N];
    for (int i = 0; i < N; i++)
        v[i] = w[i] = (i % 9 == 4) ? zero : rnd2();
    gl2_batch_inv(w, scratch, N);
    int batch = 1;
    for (int i = 0; i < N; i++)
        batch &= gl2_eq(w[i], gl2_inv(v[i]));
    ok(batch, "gl2_batch_inv = gl2_inv elementwise, zeros stay zero");
    return done_testing();
}
