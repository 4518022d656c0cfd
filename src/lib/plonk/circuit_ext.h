/*
 * Extension-field gadgets on the circuit builder: values of GF(p^2) =
 * F[X]/(X^2 - 7) (field_ext.h's extension) as pairs of base targets, for the
 * in-circuit verifier (challenges, out-of-domain openings, FRI folding).
 *
 * Products are one operation of an arithmetic-ext row (gates.h: c0 x y +
 * c1 z over GF(p^2) with base constants c0, c1, the product schoolbook with
 * the non-residue 7 folded in; num_routed_wires / 8 operations per row, 6 by
 * default, operations with the same (c0, c1) sharing a row): 8 wires per
 * product, where the base arithmetic row (circuit.h) would take four
 * operations of 4 wires.  Sums and multiples by base values take two base
 * operations (one per component), the same share of a row as one extension
 * operation.  Costs below: "ext op" = one arithmetic-ext operation (1/6 row
 * by default), "operation" = one base arithmetic operation (1/12 row).  An
 * addend rides along for free, so mul_add costs what mul costs.
 *
 * Errors are the builder's (sticky).  Soundness notes per gadget: inverse
 * and div take their result from a generator and constrain it by one
 * multiplication; select trusts its bit to be boolean (the caller constrains
 * it, once, where it is made).
 */
#ifndef POR_CIRCUIT_EXT_H
#define POR_CIRCUIT_EXT_H

#include <stddef.h>
#include <stdint.h>

#include "field/field_ext.h"
#include "plonk/circuit.h"

/* c0 + c1 X (tagged so gates.h can name it without including this file). */
typedef struct por_ext_target {
    por_target c0, c1;
} por_ext_target;

/* (x, 0): free. */
por_ext_target por_ext_from_base(por_builder *b, por_target x);
/* Constant wires (shared with equal base constants): free after the first use. */
por_ext_target por_ext_constant(por_builder *b, gl2_t c);
por_ext_target por_ext_zero(por_builder *b);
por_ext_target por_ext_one(por_builder *b);
/* Two fresh virtual targets (for inputs and generator outputs). */
por_ext_target por_ext_add_virtual(por_builder *b);

/* c0 x y + c1 z with base constants c0, c1: 1 ext op. */
por_ext_target por_ext_arithmetic(por_builder *b, gl_t c0, gl_t c1, por_ext_target x, por_ext_target y,
                                  por_ext_target z);
/* 2 operations each. */
por_ext_target por_ext_add(por_builder *b, por_ext_target x, por_ext_target y);
por_ext_target por_ext_sub(por_builder *b, por_ext_target x, por_ext_target y);
por_ext_target por_ext_neg(por_builder *b, por_ext_target x);
/* 1 ext op each. */
por_ext_target por_ext_mul(por_builder *b, por_ext_target x, por_ext_target y);
/* x y + z */
por_ext_target por_ext_mul_add(por_builder *b, por_ext_target x, por_ext_target y, por_ext_target z);
/* x y - z */
por_ext_target por_ext_mul_sub(por_builder *b, por_ext_target x, por_ext_target y, por_ext_target z);
/* 1 ext op. */
por_ext_target por_ext_square(por_builder *b, por_ext_target x);
/* c x for a base constant c: 2 operations. */
por_ext_target por_ext_scalar_mul(por_builder *b, gl_t c, por_ext_target x);
/* c x + y for a base constant c: 2 operations. */
por_ext_target por_ext_scalar_mul_add(por_builder *b, gl_t c, por_ext_target x, por_ext_target y);
/* s x for a base target s: 2 operations. */
por_ext_target por_ext_mul_base(por_builder *b, por_target s, por_ext_target x);
/* s x + z for a base target s: 2 operations. */
por_ext_target por_ext_mul_base_add(por_builder *b, por_target s, por_ext_target x, por_ext_target z);

/* 1 / x: the generator computes it (and fails generation when x = 0), one
 * multiplication (1 ext op) constrains x (1 / x) = 1, which no value
 * satisfies when x = 0. */
por_ext_target por_ext_inverse(por_builder *b, por_ext_target x);
/* x / y: the generator computes q (failing when y = 0), 1 ext op
 * constrains y q = x.  With y = 0 the constraint forces x = 0 and leaves q
 * free: callers divide only by values that are nonzero in an honest proof
 * and whose zero would be caught elsewhere (or check y with inverse). */
por_ext_target por_ext_div(por_builder *b, por_ext_target x, por_ext_target y);
/* x^e for a constant e (x^0 = 1): square and multiply, 1 ext op per bit
 * after the leading one plus 1 per further one bit. */
por_ext_target por_ext_pow(por_builder *b, por_ext_target x, uint64_t e);

/* x^7 (the Poseidon S-box): one slot of an S-box row (gates.h), 1/12 row
 * by default, where por_ext_pow(x, 7) takes 4 ext ops. */
por_ext_target por_ext_pow7(por_builder *b, por_ext_target x);

/* bit ? x : y, 4 operations.  bit must be constrained boolean by the caller
 * (por_builder_assert_bool): for another value the result is y + bit (x - y). */
por_ext_target por_ext_select(por_builder *b, por_target bit, por_ext_target x, por_ext_target y);
/* Copy constraints on both components (free). */
void por_ext_assert_equal(por_builder *b, por_ext_target x, por_ext_target y);

/* sum_{i<n} alpha^i x_i by Horner, 1 ext op per term after the last
 * (n = 0: zero). */
por_ext_target por_ext_reduce(por_builder *b, por_ext_target alpha, const por_ext_target *x, size_t n);
/* The same for base x_i: on reducing rows (gates.h), 42 terms a row by
 * default (ceil(n / 42) rows); up to routed / 8 + 1 terms (7 by default)
 * by extension operations (1 per term after the last). */
por_ext_target por_ext_reduce_base(por_builder *b, por_ext_target alpha, const por_target *x, size_t n);
/* out[i] = alpha^i, i < n (out[0] the constant 1): 1 ext op each from
 * i = 2.  With the powers made once, a sum over base values that many
 * queries share costs 2 operations per term (por_ext_dot_base). */
void por_ext_powers(por_builder *b, por_ext_target alpha, size_t n, por_ext_target *out);
/* sum_{i<n} coef_i x_i for extension coef_i and base x_i: 2 operations per term. */
por_ext_target por_ext_dot_base(por_builder *b, const por_ext_target *coef, const por_target *x, size_t n);

/* The Poseidon MDS layer on 12 extension elements (componentwise): one
 * Poseidon-MDS gate row (gates.h), which needs 48 routed wires. */
void por_ext_poseidon_mds(por_builder *b, const por_ext_target in[12], por_ext_target out[12]);

/* Witness helpers: set (0, or -1 as por_witness_set) and get (0, or -1 if a
 * component is unknown). */
int por_witness_set_ext(por_witness *w, por_ext_target t, gl2_t v);
int por_witness_get_ext(const por_witness *w, por_ext_target t, gl2_t *v);

#endif
