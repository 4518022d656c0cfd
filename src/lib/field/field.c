/* Goldilocks field: the operations that are not inlined. */
#include "field/field.h"

gl_t gl_pow(gl_t base, uint64_t exponent)
{
    gl_t result = 1;
    while (exponent) {
        if (exponent & 1)
            result = gl_mul(result, base);
        base = gl_sqr(base);
        exponent >>= 1;
    }
    return result;
}

/* Fermat: a^(p-2).  Fixed exponent, so the time does not depend on a. */
gl_t gl_inv(gl_t a) { return gl_pow(a, GL_P - 2); }

gl_t gl_root_of_unity(unsigned log_n)
{
    gl_t root = GL_ROOT_OF_UNITY_2_32;
    for (unsigned i = log_n; i < GL_TWO_ADICITY; i++)
        root = gl_sqr(root);
    return root;
}

/*
 * Montgomery's trick: prefix products in scratch (n elements supplied by the
 * caller), one inversion, then a backward sweep.  Zeros are skipped and stay 0.
 */
void gl_batch_inv(gl_t *values, gl_t *scratch, size_t n)
{
    gl_t acc = 1;
    for (size_t i = 0; i < n; i++) {
        scratch[i] = acc;
        if (values[i])
            acc = gl_mul(acc, values[i]);
    }
    gl_t inv = gl_inv(acc);
    for (size_t i = n; i-- > 0;) {
        gl_t v = values[i];
        if (!v)
            continue;
        values[i] = gl_mul(inv, scratch[i]);
        inv = gl_mul(inv, v);
    }
}
