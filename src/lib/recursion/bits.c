/*
 * Bit decomposition, selection and inversion gadgets (see bits.h).
 */
#include "recursion/bits.h"

#include <stdlib.h>
#include <string.h>

#define TWO_32_MINUS_1 0xffffffffULL

typedef struct {
    unsigned n;
} split_ctx;

/* Hint: the n bits of x; fails when x needs more. */
static int split_bits_gen(const void *ctx, const gl_t *in, gl_t *out)
{
    const split_ctx *s = ctx;
    if (s->n < 64 && (in[0] >> s->n) != 0)
        return -1;
    for (unsigned i = 0; i < s->n; i++)
        out[i] = (in[0] >> i) & 1;
    return 0;
}

/* Hint: the canonical x = low + 2^n mid + 2^32 hi: the n bits of low, then
 * mid (only if n < 32), hi and dinv = 1 / (hi - (2^32 - 1)) (0 if hi is 2^32 - 1). */
static int split_low_gen(const void *ctx, const gl_t *in, gl_t *out)
{
    const split_ctx *s = ctx;
    gl_t x = in[0];
    unsigned k = 0;
    for (unsigned i = 0; i < s->n; i++)
        out[k++] = (x >> i) & 1;
    if (s->n < 32)
        out[k++] = (x & TWO_32_MINUS_1) >> s->n;
    gl_t hi = x >> 32;
    out[k++] = hi;
    gl_t d = gl_sub(hi, TWO_32_MINUS_1);
    out[k] = d == 0 ? 0 : gl_inv(d);
    return 0;
}

/* Fresh virtual targets. */
static void add_virtuals(por_builder *b, por_target *t, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        t[i] = por_builder_add_virtual(b);
}

por_target por_rec_recompose(por_builder *b, const por_target *bits, unsigned n)
{
    /* Horner from the top bit: acc = 2 acc + b_i, one operation per bit */
    por_target acc = bits[n - 1], one = por_builder_one(b);
    for (unsigned i = n - 1; i-- > 0;)
        acc = por_builder_arithmetic(b, 2, 1, acc, one, bits[i]);
    return acc;
}

/* The bits of a decomposition are boolean. */
static void assert_bits(por_builder *b, const por_target *bits, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        por_builder_assert_bool(b, bits[i]); /* check: bit is boolean */
}

void por_rec_split_bits(por_builder *b, por_target x, unsigned n, por_target *bits)
{
    if (n < 1 || n > 63) {
        por_builder_fail(b, "split_bits: n must be 1..63");
        return;
    }
    add_virtuals(b, bits, n);
    split_ctx s = {n};
    por_builder_add_generator(b, &x, 1, bits, n, split_bits_gen, &s, sizeof(s));
    assert_bits(b, bits, n);
    por_builder_connect(b, por_rec_recompose(b, bits, n), x); /* check: bits recompose to x */
}

void por_rec_split_low_bits(por_builder *b, por_target x, unsigned n, por_target *bits)
{
    if (n > 32) {
        por_builder_fail(b, "split_low_bits: n must be 0..32");
        return;
    }
    if (n == 0)
        return;
    /* hint outputs: bits, [mid], hi, dinv */
    por_target out[32 + 3];
    unsigned nout = n + (n < 32) + 2;
    add_virtuals(b, out, nout);
    split_ctx s = {n};
    por_builder_add_generator(b, &x, 1, out, nout, split_low_gen, &s, sizeof(s));
    for (unsigned i = 0; i < n; i++)
        bits[i] = out[i];
    por_target hi = out[nout - 2], dinv = out[nout - 1], one = por_builder_one(b);
    assert_bits(b, bits, n);
    /* t = low + 2^n mid: the value below 2^32 */
    por_target t = por_rec_recompose(b, bits, n);
    if (n < 32) {
        por_target mid = out[n];
        por_builder_range_check(b, mid, 32 - n); /* check: mid < 2^(32-n) */
        t = por_builder_arithmetic(b, (gl_t)1 << n, 1, mid, one, t);
    }
    por_builder_range_check(b, hi, 32); /* check: hi < 2^32 */
    por_target sum = por_builder_arithmetic(b, (gl_t)1 << 32, 1, hi, one, t);
    por_builder_connect(b, sum, x); /* check: low + 2^n mid + 2^32 hi = x */
    /* canonical: hi = 2^32 - 1 forces t = 0 */
    por_target d = por_builder_add_const(b, hi, gl_sub(0, TWO_32_MINUS_1));
    por_target e = por_builder_arithmetic(b, GL_P - 1, 1, d, dinv, one); /* 1 - d dinv */
    por_builder_assert_zero(b, por_builder_mul(b, t, e)); /* check: canonical decomposition */
}

por_target por_rec_select(por_builder *b, por_target bit, por_target x, por_target y)
{
    return por_builder_mul_add(b, bit, por_builder_sub(b, x, y), y);
}

/* Hint: 1/x (fails on 0). */
static int inverse_gen(const void *ctx, const gl_t *in, gl_t *out)
{
    (void)ctx;
    if (in[0] == 0)
        return -1;
    out[0] = gl_inv(in[0]);
    return 0;
}

por_target por_rec_inverse(por_builder *b, por_target x)
{
    por_target inv = por_builder_add_virtual(b);
    por_builder_add_generator(b, &x, 1, &inv, 1, inverse_gen, NULL, 0);
    por_builder_connect(b, por_builder_mul(b, x, inv), por_builder_one(b)); /* check: x * (1/x) = 1 */
    return inv;
}

void por_rec_one_hot(por_builder *b, const por_target *bits, unsigned n, por_target *out)
{
    /* after bits 0..k-1, out[j] (j < 2^k) indicates the low k bits equal j;
     * bit k splits each into out[j] (1 - b) and out[j + 2^k] b */
    out[0] = por_builder_one(b);
    for (unsigned k = 0; k < n; k++) {
        size_t size = (size_t)1 << k;
        for (size_t j = 0; j < size; j++) {
            por_target hi = k == 0 ? bits[0] : por_builder_mul(b, out[j], bits[k]);
            out[j] = por_builder_sub(b, out[j], hi);
            out[j + size] = hi;
        }
    }
}

void por_rec_select_weighted(por_builder *b, const por_target *weights, size_t n, const por_target *entries,
                             size_t width, por_target *out)
{
    for (size_t i = 0; i < width; i++) {
        por_target acc = por_builder_mul(b, weights[0], entries[i]);
        for (size_t j = 1; j < n; j++)
            acc = por_builder_mul_add(b, weights[j], entries[j * width + i], acc);
        out[i] = acc;
    }
}

/* entries[sel] on random-access rows (gates.h; the default k = 4: fewer
 * bits are padded with zero items and zero bits), one copy per element; 0,
 * or -1 if the row width holds no copy. */
static int select_random_access(por_builder *b, const por_target *bits, unsigned nbits, const por_target *entries,
                                size_t width, por_target *out)
{
    enum { K = 4 };
    por_gate g = {.params = {K, por_builder_config(b)->num_routed_wires / por_random_access_copy_wires(K)}};
    if (nbits > K || g.params[1] == 0)
        return -1;
    por_target zero = por_builder_zero(b);
    for (size_t i = 0; i < width; i++) {
        unsigned cp;
        size_t row = por_builder_pack_op(b, &por_gate_random_access_vt, 0, 0, g.params[1], &cp);
        if (row == SIZE_MAX) {
            out[i] = entries[i];
            continue;
        }
        for (unsigned j = 0; j < (1u << K); j++)
            por_builder_connect(b, j >> nbits ? zero : entries[j * width + i],
                                por_builder_wire(b, row, por_random_access_item(&g, cp, j)));
        for (unsigned t = 0; t < K; t++)
            por_builder_connect(b, t < nbits ? bits[t] : zero, por_builder_wire(b, row, por_random_access_bit(&g, cp, t)));
        out[i] = por_builder_wire(b, row, por_random_access_out(&g, cp));
    }
    return 0;
}

void por_rec_select_entry(por_builder *b, const por_target *bits, unsigned nbits, const por_target *entries,
                          size_t width, por_target *out)
{
    if (nbits == 0) {
        for (size_t i = 0; i < width; i++)
            out[i] = entries[i];
        return;
    }
    if (select_random_access(b, bits, nbits, entries, width, out) == 0)
        return;
    size_t n = (size_t)1 << nbits;
    por_target *w = nbits <= 16 ? malloc(n * sizeof(por_target)) : NULL;
    if (!w) {
        por_builder_fail(b, nbits > 16 ? "select_entry: more than 16 bits" : "out of memory");
        for (size_t i = 0; i < width; i++)
            out[i] = entries[i];
        return;
    }
    por_rec_one_hot(b, bits, nbits, w);
    por_rec_select_weighted(b, w, n, entries, width, out);
    free(w);
}
