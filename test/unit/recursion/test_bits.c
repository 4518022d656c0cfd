/*
 * Bit decomposition gadgets: honest decompositions agree with the native
 * bits (including the canonical low bits of any field element), and every
 * constraint alone rejects a forged witness that the others accept: a
 * non-boolean bit, bits that do not recompose, mid or hi out of range, and
 * the non-canonical decomposition of x + p; a forged inverse.
 */
#include <stdlib.h>
#include <string.h>

#include "recursion/bits.h"
#include "proof_fixtures.h"
#include "forge.h"
#include "tap.h"

static uint64_t seed = 0xb175b175ULL;

static gl_t rnd_nonzero(void)
{
    gl_t v;
    do
        v = gl_from_u64(test_rand_u64(&seed));
    while (v == 0);
    return v;
}

static void small_config(por_circuit_config *cfg)
{
    por_circuit_config_default(cfg);
    cfg->zero_knowledge = 0;
}

/* One circuit splitting an input into n bits (low = 1: split_low_bits). */
typedef struct {
    por_circuit *c;
    por_target x, bits[64];
    unsigned n;
} split_circ;

static int split_build(split_circ *s, unsigned n, bool low)
{
    por_circuit_config cfg;
    small_config(&cfg);
    por_builder *b = por_builder_new(&cfg);
    s->n = n;
    s->x = por_builder_add_virtual(b);
    if (low)
        por_rec_split_low_bits(b, s->x, n, s->bits);
    else
        por_rec_split_bits(b, s->x, n, s->bits);
    por_builder_register_public_input(b, s->x);
    const char *why;
    s->c = por_builder_build(b, &why);
    por_builder_free(b);
    return s->c ? 0 : -1;
}

/* Honest: generation succeeds, bits match, every row holds. */
static bool split_agrees(const split_circ *s, gl_t x)
{
    por_witness *w = por_witness_new(s->c);
    const char *why;
    bool good = por_witness_set(w, s->x, x) == 0 && por_witness_generate(w, &why) == 0;
    for (unsigned i = 0; good && i < s->n; i++) {
        gl_t v;
        good = por_witness_get(w, s->bits[i], &v) == 0 && v == ((x >> i) & 1);
    }
    good = good && forge_check(s->c, w) == 0;
    por_witness_free(w);
    return good;
}

static void test_split_bits(void)
{
    split_circ s;
    ok(split_build(&s, 20, false) == 0, "split_bits(20) builds");
    bool all = true;
    for (int i = 0; i < 20; i++)
        all &= split_agrees(&s, test_rand_u64(&seed) & 0xfffff);
    all &= split_agrees(&s, 0) && split_agrees(&s, 0xfffff);
    ok(all, "split_bits: bits of random 20-bit values, 0 and 2^20 - 1 agree and satisfy every row");
    por_witness *w = por_witness_new(s.c);
    const char *why;
    por_witness_set(w, s.x, 1u << 20);
    int rc = por_witness_generate(w, &why);
    ok(rc != 0, "split_bits: 2^20 has no 20-bit decomposition (%s)", why);
    por_witness_free(w);
    por_circuit_free(s.c);

    /* x = 2 over 2 bits: (b0, b1) = (2, 0) recomposes but is not boolean */
    ok(split_build(&s, 2, false) == 0, "split_bits(2) builds");
    por_target t[3] = {s.x, s.bits[0], s.bits[1]};
    gl_t v[3] = {2, 2, 0};
    w = forge_witness(s.c, t, v, 3);
    ok(forge_check(s.c, w) != 0, "split_bits: a non-boolean bit (2, 0) for 2 is rejected (bool check)");
    por_witness_free(w);
    /* boolean bits (1, 0) that recompose to 1, not 2 */
    v[1] = 1;
    w = forge_witness(s.c, t, v, 3);
    ok(forge_check(s.c, w) != 0, "split_bits: boolean bits of 1 for 2 are rejected (recomposition)");
    por_witness_free(w);
    v[1] = 0, v[2] = 1;
    w = forge_witness(s.c, t, v, 3);
    ok(forge_check(s.c, w) == 0, "split_bits: the honest bits, forged the same way, pass (control)");
    por_witness_free(w);
    por_circuit_free(s.c);
}

/* The hint values of split_low_bits for x with the given low part t
 * (< 2^32) and hi: bits, mid, hi, dinv, as the hint lays them out. */
static size_t low_forgery(const split_circ *s, gl_t x, uint64_t t, gl_t hi, por_target *tg, gl_t *v)
{
    size_t k = 0;
    tg[k] = s->x, v[k++] = x;
    for (unsigned i = 0; i < s->n; i++)
        tg[k] = s->bits[i], v[k++] = (t >> i) & 1;
    /* mid and hi are the hint's virtual targets right after the bits */
    tg[k] = (por_target){s->bits[s->n - 1].index + 1}, v[k++] = gl_from_u64(t >> s->n);
    tg[k] = (por_target){s->bits[s->n - 1].index + 2}, v[k++] = hi;
    gl_t d = gl_sub(hi, 0xffffffffULL);
    tg[k] = (por_target){s->bits[s->n - 1].index + 3}, v[k++] = d ? gl_inv(d) : 0;
    return k;
}

static void test_split_low_bits(void)
{
    split_circ s;
    ok(split_build(&s, 5, true) == 0, "split_low_bits(5) builds");
    bool all = true;
    for (int i = 0; i < 40; i++)
        all &= split_agrees(&s, gl_from_u64(test_rand_u64(&seed)));
    static const gl_t edge[] = {0, 1, 31, 0xfffffffeULL, 0xffffffffULL, 0x100000000ULL, GL_P - 1, GL_P - 2,
                                GL_P - 0x100000000ULL};
    for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
        all &= split_agrees(&s, edge[i]);
    ok(all, "split_low_bits: the low 5 bits of random and edge elements (0, 2^32 - 1, p - 1, ...) agree");

    por_target tg[40];
    gl_t v[40];
    size_t k;
    por_witness *w;
    /* control: the honest hint values through the forging path pass */
    k = low_forgery(&s, 0x123456789ULL, 0x23456789ULL, 1, tg, v);
    w = forge_witness(s.c, tg, v, k);
    ok(forge_check(s.c, w) == 0, "split_low_bits: honest values, forged, pass (control)");
    por_witness_free(w);

    /* x = 5 < 2^32 - 1: also 5 + p = (2^32 - 1) 2^32 + 6, low bits of 6 */
    k = low_forgery(&s, 5, 6, 0xffffffffULL, tg, v);
    w = forge_witness(s.c, tg, v, k);
    ok(forge_check(s.c, w) != 0, "split_low_bits: the decomposition of x + p is rejected (canonical check)");
    por_witness_free(w);

    /* a non-boolean bit: low bits (1, 2, 0, ...) recompose to 5 */
    k = low_forgery(&s, 5, 5, 0, tg, v);
    v[2] = 2, v[3] = 0; /* bits[1] = 2 adds 4, bits[2] = 0 drops 4 */
    w = forge_witness(s.c, tg, v, k);
    ok(forge_check(s.c, w) != 0, "split_low_bits: a non-boolean bit is rejected (bool check)");
    por_witness_free(w);

    /* mid out of range: bits of 6 and mid = -1/32, so low + 32 mid = 5 */
    k = low_forgery(&s, 5, 6, 0, tg, v);
    v[1 + s.n] = gl_sub(0, gl_inv(32));
    w = forge_witness(s.c, tg, v, k);
    ok(forge_check(s.c, w) != 0, "split_low_bits: mid >= 2^27 is rejected (mid range check)");
    por_witness_free(w);

    /* hi out of range: low part 7 (< 2^32) and hi = (5 - 7) / 2^32 = 2^33 - 2
     * (low part 6 would give hi = 2^32 - 1: the non-canonical case above) */
    gl_t hi = gl_mul(gl_sub(5, 7), gl_inv(0x100000000ULL));
    ok(hi == 0x1fffffffeULL, "hi of the forgery is 2^33 - 2");
    k = low_forgery(&s, 5, 7, hi, tg, v);
    w = forge_witness(s.c, tg, v, k);
    ok(forge_check(s.c, w) != 0, "split_low_bits: hi >= 2^32 is rejected (hi range check)");
    por_witness_free(w);

    /* the parts do not add up to x */
    k = low_forgery(&s, 5, 4, 0, tg, v);
    w = forge_witness(s.c, tg, v, k);
    ok(forge_check(s.c, w) != 0, "split_low_bits: parts summing to 4 for 5 are rejected (recomposition)");
    por_witness_free(w);
    por_circuit_free(s.c);

    ok(split_build(&s, 32, true) == 0, "split_low_bits(32) builds (no mid)");
    all = true;
    for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
        all &= split_agrees(&s, edge[i]);
    ok(all, "split_low_bits(32): edge elements agree");
    por_circuit_free(s.c);
}

static void test_select(void)
{
    por_circuit_config cfg;
    small_config(&cfg);
    por_builder *b = por_builder_new(&cfg);
    por_target bit = por_builder_add_virtual(b), x = por_builder_add_virtual(b), y = por_builder_add_virtual(b);
    por_target r = por_rec_select(b, bit, x, y);
    const char *why;
    por_circuit *c = por_builder_build(b, &why);
    por_builder_free(b);
    bool good = true;
    for (gl_t bv = 0; bv < 2; bv++) {
        por_witness *w = por_witness_new(c);
        gl_t xv = gl_from_u64(test_rand_u64(&seed)), yv = gl_from_u64(test_rand_u64(&seed)), got;
        por_witness_set(w, bit, bv), por_witness_set(w, x, xv), por_witness_set(w, y, yv);
        good &= por_witness_generate(w, &why) == 0 && por_witness_get(w, r, &got) == 0 &&
                got == (bv ? xv : yv) && forge_check(c, w) == 0;
        por_witness_free(w);
    }
    ok(good, "select: bit ? x : y for both bits");
    por_circuit_free(c);

    /* select_entry over 8 entries of 3 targets: every index */
    b = por_builder_new(&cfg);
    por_target idx = por_builder_add_virtual(b), bits[3], ent[24], out[3];
    por_rec_split_bits(b, idx, 3, bits);
    for (int i = 0; i < 24; i++)
        ent[i] = por_builder_add_virtual(b);
    por_rec_select_entry(b, bits, 3, ent, 3, out);
    c = por_builder_build(b, &why);
    por_builder_free(b);
    gl_t vals[24];
    for (int i = 0; i < 24; i++)
        vals[i] = gl_from_u64(test_rand_u64(&seed));
    good = c != NULL;
    for (gl_t k = 0; k < 8 && good; k++) {
        por_witness *w = por_witness_new(c);
        por_witness_set(w, idx, k);
        for (int i = 0; i < 24; i++)
            por_witness_set(w, ent[i], vals[i]);
        good &= por_witness_generate(w, &why) == 0 && forge_check(c, w) == 0;
        for (int i = 0; i < 3 && good; i++) {
            gl_t got;
            good &= por_witness_get(w, out[i], &got) == 0 && got == vals[3 * k + i];
        }
        por_witness_free(w);
    }
    ok(good, "select_entry: entry k of 8 (3 targets each) for every k");
    por_circuit_free(c);
}

static void test_inverse(void)
{
    por_circuit_config cfg;
    small_config(&cfg);
    por_builder *b = por_builder_new(&cfg);
    por_target x = por_builder_add_virtual(b), inv = por_rec_inverse(b, x);
    por_builder_register_public_input(b, x);
    const char *why;
    por_circuit *c = por_builder_build(b, &why);
    por_builder_free(b);
    gl_t xv = rnd_nonzero(), got;
    por_witness *w = por_witness_new(c);
    por_witness_set(w, x, xv);
    ok(por_witness_generate(w, &why) == 0 && por_witness_get(w, inv, &got) == 0 && got == gl_inv(xv) &&
           forge_check(c, w) == 0,
       "inverse: 1/x agrees with gl_inv and satisfies its row");
    por_witness_free(w);
    w = por_witness_new(c);
    por_witness_set(w, x, 0);
    int rc = por_witness_generate(w, &why);
    ok(rc != 0, "inverse of 0: generation fails (%s)", why);
    por_witness_free(w);
    por_target t[2] = {x, inv};
    gl_t v[2] = {xv, gl_add(gl_inv(xv), 1)};
    w = forge_witness(c, t, v, 2);
    ok(forge_check(c, w) != 0, "inverse: a forged 1/x is rejected (x * inv = 1)");
    por_witness_free(w);
    v[0] = 0, v[1] = 5;
    w = forge_witness(c, t, v, 2);
    ok(forge_check(c, w) != 0, "inverse: no value passes for x = 0");
    por_witness_free(w);
    por_circuit_free(c);
}

int main(void)
{
    test_split_bits();
    test_split_low_bits();
    test_select();
    test_inverse();
    done_testing();
}
