/*
 * Extension-field gadgets (circuit_ext.h): every gadget is a few arithmetic
 * operations c0 x y + c1 z on the components, with the non-residue 7 of
 * X^2 = 7 folded into a coefficient.
 */
#include "plonk/circuit_ext.h"

por_ext_target por_ext_from_base(por_builder *b, por_target x)
{
    return (por_ext_target){x, por_builder_zero(b)};
}

por_ext_target por_ext_constant(por_builder *b, gl2_t c)
{
    return (por_ext_target){por_builder_constant(b, c.c0), por_builder_constant(b, c.c1)};
}

por_ext_target por_ext_zero(por_builder *b) { return por_ext_constant(b, gl2_from_base(0)); }
por_ext_target por_ext_one(por_builder *b) { return por_ext_constant(b, gl2_from_base(1)); }

por_ext_target por_ext_add_virtual(por_builder *b)
{
    por_target c0 = por_builder_add_virtual(b);
    return (por_ext_target){c0, por_builder_add_virtual(b)};
}

/*
 * c0 x y + c1 z = c0 (x0 y0 + 7 x1 y1) + c1 z0 + (c0 (x0 y1 + x1 y0) + c1 z1) X:
 * each component is two operations, the first with the addend, the second
 * adding the other product to it.
 */
por_ext_target por_ext_arithmetic(por_builder *b, gl_t c0, gl_t c1, por_ext_target x, por_ext_target y,
                                  por_ext_target z)
{
    por_target t0 = por_builder_arithmetic(b, gl_mul(c0, GL2_W), c1, x.c1, y.c1, z.c0);
    por_target t1 = por_builder_arithmetic(b, c0, c1, x.c0, y.c1, z.c1);
    return (por_ext_target){por_builder_arithmetic(b, c0, 1, x.c0, y.c0, t0),
                            por_builder_arithmetic(b, c0, 1, x.c1, y.c0, t1)};
}

por_ext_target por_ext_add(por_builder *b, por_ext_target x, por_ext_target y)
{
    return (por_ext_target){por_builder_add(b, x.c0, y.c0), por_builder_add(b, x.c1, y.c1)};
}

por_ext_target por_ext_sub(por_builder *b, por_ext_target x, por_ext_target y)
{
    return (por_ext_target){por_builder_sub(b, x.c0, y.c0), por_builder_sub(b, x.c1, y.c1)};
}

por_ext_target por_ext_neg(por_builder *b, por_ext_target x) { return por_ext_scalar_mul(b, GL_P - 1, x); }

por_ext_target por_ext_mul_add(por_builder *b, por_ext_target x, por_ext_target y, por_ext_target z)
{
    return por_ext_arithmetic(b, 1, 1, x, y, z);
}

por_ext_target por_ext_mul_sub(por_builder *b, por_ext_target x, por_ext_target y, por_ext_target z)
{
    return por_ext_arithmetic(b, 1, GL_P - 1, x, y, z);
}

/* mul_add with a zero addend: the same coefficient pairs as mul_add, so
 * products and multiply-adds fill the same rows. */
por_ext_target por_ext_mul(por_builder *b, por_ext_target x, por_ext_target y)
{
    return por_ext_mul_add(b, x, y, por_ext_zero(b));
}

/* (x0^2 + 7 x1^2) + 2 x0 x1 X */
por_ext_target por_ext_square(por_builder *b, por_ext_target x)
{
    por_target zero = por_builder_zero(b);
    por_target t = por_builder_arithmetic(b, GL2_W, 1, x.c1, x.c1, zero);
    return (por_ext_target){por_builder_arithmetic(b, 1, 1, x.c0, x.c0, t),
                            por_builder_arithmetic(b, 2, 0, x.c0, x.c1, zero)};
}

por_ext_target por_ext_scalar_mul(por_builder *b, gl_t c, por_ext_target x)
{
    por_target one = por_builder_one(b), zero = por_builder_zero(b);
    return (por_ext_target){por_builder_arithmetic(b, c, 0, x.c0, one, zero),
                            por_builder_arithmetic(b, c, 0, x.c1, one, zero)};
}

por_ext_target por_ext_mul_base_add(por_builder *b, por_target s, por_ext_target x, por_ext_target z)
{
    return (por_ext_target){por_builder_mul_add(b, s, x.c0, z.c0), por_builder_mul_add(b, s, x.c1, z.c1)};
}

por_ext_target por_ext_mul_base(por_builder *b, por_target s, por_ext_target x)
{
    return por_ext_mul_base_add(b, s, x, por_ext_zero(b));
}

/* in: (x0, x1, y0, y1), out: x / y; fails on y = 0. */
static int div_generator(const void *ctx, const gl_t *in, gl_t *out)
{
    (void)ctx;
    gl2_t y = {in[2], in[3]};
    if (gl2_is_zero(y))
        return -1;
    gl2_t q = gl2_mul((gl2_t){in[0], in[1]}, gl2_inv(y));
    out[0] = q.c0, out[1] = q.c1;
    return 0;
}

/* q = x / y from the generator, constrained by y q = x. */
por_ext_target por_ext_div(por_builder *b, por_ext_target x, por_ext_target y)
{
    por_ext_target q = por_ext_add_virtual(b);
    por_target in[4] = {x.c0, x.c1, y.c0, y.c1}, out[2] = {q.c0, q.c1};
    por_builder_add_generator(b, in, 4, out, 2, div_generator, NULL, 0);
    por_ext_assert_equal(b, por_ext_mul(b, y, q), x); /* check: y q = x */
    return q;
}

por_ext_target por_ext_inverse(por_builder *b, por_ext_target x)
{
    return por_ext_div(b, por_ext_one(b), x);
}

por_ext_target por_ext_pow(por_builder *b, por_ext_target x, uint64_t e)
{
    if (e == 0)
        return por_ext_one(b);
    int top = 63;
    while (!((e >> top) & 1))
        top--;
    por_ext_target r = x;
    for (int i = top - 1; i >= 0; i--) {
        r = por_ext_square(b, r);
        if ((e >> i) & 1)
            r = por_ext_mul(b, r, x);
    }
    return r;
}

/* y + bit (x - y), per component */
por_ext_target por_ext_select(por_builder *b, por_target bit, por_ext_target x, por_ext_target y)
{
    return por_ext_mul_base_add(b, bit, por_ext_sub(b, x, y), y);
}

void por_ext_assert_equal(por_builder *b, por_ext_target x, por_ext_target y)
{
    por_builder_connect(b, x.c0, y.c0);
    por_builder_connect(b, x.c1, y.c1);
}

por_ext_target por_ext_reduce(por_builder *b, por_ext_target alpha, const por_ext_target *x, size_t n)
{
    if (n == 0)
        return por_ext_zero(b);
    por_ext_target acc = x[n - 1];
    for (size_t i = n - 1; i-- > 0;)
        acc = por_ext_mul_add(b, acc, alpha, x[i]);
    return acc;
}

por_ext_target por_ext_reduce_base(por_builder *b, por_ext_target alpha, const por_target *x, size_t n)
{
    if (n == 0)
        return por_ext_zero(b);
    por_ext_target acc = por_ext_from_base(b, x[n - 1]);
    for (size_t i = n - 1; i-- > 0;)
        acc = por_ext_mul_add(b, acc, alpha, por_ext_from_base(b, x[i]));
    return acc;
}

void por_ext_powers(por_builder *b, por_ext_target alpha, size_t n, por_ext_target *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = i == 0 ? por_ext_one(b) : i == 1 ? alpha : por_ext_mul(b, out[i - 1], alpha);
}

por_ext_target por_ext_dot_base(por_builder *b, const por_ext_target *coef, const por_target *x, size_t n)
{
    por_ext_target acc = por_ext_zero(b);
    for (size_t i = 0; i < n; i++)
        acc = por_ext_mul_base_add(b, x[i], coef[i], acc);
    return acc;
}

int por_witness_set_ext(por_witness *w, por_ext_target t, gl2_t v)
{
    return por_witness_set(w, t.c0, v.c0) == 0 && por_witness_set(w, t.c1, v.c1) == 0 ? 0 : -1;
}

int por_witness_get_ext(const por_witness *w, por_ext_target t, gl2_t *v)
{
    return por_witness_get(w, t.c0, &v->c0) == 0 && por_witness_get(w, t.c1, &v->c1) == 0 ? 0 : -1;
}
