/*
 * Extension-field gadgets (circuit_ext.h): products on arithmetic-ext rows,
 * sums and base multiples as base arithmetic operations on the components.
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

/* One operation of an arithmetic-ext row (every circuit has the 24 routed
 * wires of its public-input hash's Poseidon gate, so a row holds >= 3). */
por_ext_target por_ext_arithmetic(por_builder *b, gl_t c0, gl_t c1, por_ext_target x, por_ext_target y,
                                  por_ext_target z)
{
    unsigned op;
    size_t row = por_builder_pack_op(b, &por_gate_arithmetic_ext_vt, c0, c1,
                                     por_builder_config(b)->num_routed_wires / 8, &op);
    if (row == SIZE_MAX)
        return x; /* the builder's error sticks */
    const por_ext_target *in[3] = {&x, &y, &z};
    for (unsigned k = 0; k < 3; k++) {
        por_builder_connect(b, in[k]->c0, por_builder_wire(b, row, 8 * op + 2 * k));
        por_builder_connect(b, in[k]->c1, por_builder_wire(b, row, 8 * op + 2 * k + 1));
    }
    return (por_ext_target){por_builder_wire(b, row, por_arith_ext_out(op, 0)),
                            por_builder_wire(b, row, por_arith_ext_out(op, 1))};
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

por_ext_target por_ext_square(por_builder *b, por_ext_target x) { return por_ext_mul(b, x, x); }

por_ext_target por_ext_scalar_mul(por_builder *b, gl_t c, por_ext_target x)
{
    por_target one = por_builder_one(b), zero = por_builder_zero(b);
    return (por_ext_target){por_builder_arithmetic(b, c, 0, x.c0, one, zero),
                            por_builder_arithmetic(b, c, 0, x.c1, one, zero)};
}

por_ext_target por_ext_scalar_mul_add(por_builder *b, gl_t c, por_ext_target x, por_ext_target y)
{
    por_target one = por_builder_one(b);
    return (por_ext_target){por_builder_arithmetic(b, c, 1, x.c0, one, y.c0),
                            por_builder_arithmetic(b, c, 1, x.c1, one, y.c1)};
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

por_ext_target por_ext_pow7(por_builder *b, por_ext_target x)
{
    unsigned slot;
    size_t row = por_builder_pack_op(b, &por_gate_sbox_ext_vt, 0, 0, por_builder_config(b)->num_routed_wires / 4,
                                     &slot);
    if (row == SIZE_MAX)
        return x; /* the builder's error sticks */
    por_builder_connect(b, x.c0, por_builder_wire(b, row, por_sbox_ext_x(slot, 0)));
    por_builder_connect(b, x.c1, por_builder_wire(b, row, por_sbox_ext_x(slot, 1)));
    return (por_ext_target){por_builder_wire(b, row, por_sbox_ext_y(slot, 0)),
                            por_builder_wire(b, row, por_sbox_ext_y(slot, 1))};
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

/*
 * Horner over the base x_i on reducing rows (gates.h), per rows terms a row:
 * the coefficients in descending powers, the first row's leading slots
 * zero (a zero leading coefficient leaves the accumulator 0); a short sum
 * that a row would mostly waste is one extension operation per term.
 */
por_ext_target por_ext_reduce_base(por_builder *b, por_ext_target alpha, const por_target *x, size_t n)
{
    const por_circuit_config *cfg = por_builder_config(b);
    por_gate shape;
    por_ext_target acc = por_ext_zero(b);
    if (n == 0)
        return acc;
    if (n - 1 <= cfg->num_routed_wires / 8 ||
        por_gate_init(&shape, &por_gate_reducing_vt, NULL, cfg->num_wires, cfg->num_routed_wires,
                      cfg->num_constants) != NULL) {
        acc = por_ext_from_base(b, x[n - 1]);
        for (size_t i = n - 1; i-- > 0;)
            acc = por_ext_mul_add(b, acc, alpha, por_ext_from_base(b, x[i]));
        return acc;
    }
    const size_t per = por_reducing_terms(&shape), rows = (n + per - 1) / per, pad = rows * per - n;
    por_target zero = por_builder_zero(b);
    for (size_t r = 0; r < rows; r++) {
        size_t row = por_builder_add_gate(b, &por_gate_reducing_vt, shape.params, NULL);
        if (row == SIZE_MAX)
            return acc; /* the builder's error sticks */
        for (unsigned comp = 0; comp < 2; comp++) {
            por_builder_connect(b, comp ? alpha.c1 : alpha.c0, por_builder_wire(b, row, por_reducing_alpha(comp)));
            por_builder_connect(b, comp ? acc.c1 : acc.c0, por_builder_wire(b, row, por_reducing_old(comp)));
        }
        for (size_t i = 0; i < per; i++) {
            size_t j = r * per + i; /* position in the descending sequence */
            por_builder_connect(b, j < pad ? zero : x[n - 1 - (j - pad)],
                                por_builder_wire(b, row, por_reducing_coef((unsigned)i)));
        }
        acc = (por_ext_target){por_builder_wire(b, row, por_reducing_out(0)),
                               por_builder_wire(b, row, por_reducing_out(1))};
    }
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

void por_ext_poseidon_mds(por_builder *b, const por_ext_target in[12], por_ext_target out[12])
{
    size_t row = por_builder_add_gate(b, &por_gate_poseidon_mds_vt, NULL, NULL);
    for (unsigned i = 0; i < 12; i++) {
        if (row == SIZE_MAX) {
            out[i] = in[i]; /* the builder's error sticks */
            continue;
        }
        por_builder_connect(b, in[i].c0, por_builder_wire(b, row, por_poseidon_mds_in(i, 0)));
        por_builder_connect(b, in[i].c1, por_builder_wire(b, row, por_poseidon_mds_in(i, 1)));
        out[i] = (por_ext_target){por_builder_wire(b, row, por_poseidon_mds_out(i, 0)),
                                  por_builder_wire(b, row, por_poseidon_mds_out(i, 1))};
    }
}

int por_witness_set_ext(por_witness *w, por_ext_target t, gl2_t v)
{
    return por_witness_set(w, t.c0, v.c0) == 0 && por_witness_set(w, t.c1, v.c1) == 0 ? 0 : -1;
}

int por_witness_get_ext(const por_witness *w, por_ext_target t, gl2_t *v)
{
    return por_witness_get(w, t.c0, &v->c0) == 0 && por_witness_get(w, t.c1, &v->c1) == 0 ? 0 : -1;
}
