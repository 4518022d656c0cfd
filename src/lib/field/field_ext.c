/* Quadratic extension F[X]/(X^2 - 7): the operations that are not inlined. */
#include "field/field_ext.h"

/* Square and multiply; the loop count depends only on the public exponent. */
gl2_t gl2_pow(gl2_t base, uint64_t exponent)
{
    gl2_t result = gl2_from_base(1);
    while (exponent) {
        if (exponent & 1)
            result = gl2_mul(result, base);
        base = gl2_sqr(base);
        exponent >>= 1;
    }
    return result;
}

/*
 * (a0 + a1 X)(a0 - a1 X) = a0^2 - 7 a1^2 = N(a) lies in the base field and is
 * nonzero for a != 0 (7 is a non-residue), so a^-1 = conj(a) / N(a); for
 * a = 0, gl_inv(0) = 0 gives 0.
 */
gl2_t gl2_inv(gl2_t a)
{
    gl_t norm = gl_sub(gl_sqr(a.c0), gl_mul(GL2_W, gl_sqr(a.c1)));
    gl_t ninv = gl_inv(norm);
    return (gl2_t){gl_mul(a.c0, ninv), gl_neg(gl_mul(a.c1, ninv))};
}

/* Montgomery's trick, as gl_batch_inv: prefix products, one inversion, backward sweep. */
void gl2_batch_inv(gl2_t *values, gl2_t *scratch, size_t n)
{
    gl2_t acc = gl2_from_base(1);
    for (size_t i = 0; i < n; i++) {
        scratch[i] = acc;
        if (!gl2_is_zero(values[i]))
            acc = gl2_mul(acc, values[i]);
    }
    gl2_t inv = gl2_inv(acc);
    for (size_t i = n; i-- > 0;) {
        gl2_t v = values[i];
        if (gl2_is_zero(v))
            continue;
        values[i] = gl2_mul(inv, scratch[i]);
        inv = gl2_mul(inv, v);
    }
}
