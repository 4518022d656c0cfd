/*
 * Soundness of a DEEP-FRI opening (pcs.h) and of the interactive protocol
 * around it, term by term, in bits (-log2 of an error probability).  Every
 * term is a union-bound summand; a claim is -log2 of their sum, so two equal
 * terms cost one bit.  docs/security.md gives the derivation and sources.
 *
 * Notation: n = 2^degree_bits (the degree bound), |D_0| = 2^(degree_bits +
 * rate_bits) (the LDE), rho = 2^-rate_bits, |F| = p^2 ~ 2^128 (challenges
 * live in the quadratic extension), Q queries, g grinding bits, reductions
 * of arity 2^a_k folding D_k (|D_k| = |D_0| / 2^(a_0 + .. + a_{k-1})).
 *
 * Conjectured (the ethSTARK conjecture, as Plonky2 and ethSTARK use it:
 * Reed-Solomon codes behave up to list-decoding capacity, each query passes
 * a cheating prover with probability rho, decoding lists have one element):
 *   query:    2^-(Q rate_bits + g)
 *   batching: N |D_0| / |F|, N = the functions combined with powers of one
 *             challenge into the DEEP quotient (polynomials x points) plus
 *             the degree-correction challenge (BCIKS20 correlated agreement,
 *             powers: (N - 1) |D| / |F|)
 *   folding:  sum_k (2^a_k - 1) |D_k| / |F|
 *   IOP:      X / |F|, X the degree of the identities the outer protocol
 *             checks at random points (constraint combination, DEEP point,
 *             permutation and lookup challenges), given by the caller
 * The "field term" is the sum of the last three.
 *
 * Provable (no conjecture: BCIKS20 "Proximity gaps for Reed-Solomon codes"
 * Johnson-bound regime, as the ethSTARK documentation states its FRI bound),
 * for an integer m >= 3, proximity alpha = sqrt(rho) (1 + 1/(2m)), list size
 * L = (m + 1/2) / sqrt(rho):
 *   query:    alpha^Q 2^-g
 *   batching: N (m + 1/2)^7 |D_0|^2 / (3 rho^(3/2) |F|)
 *   folding:  sum_k (2^a_k - 1) (2m + 1) (|D_k| + 1) / (sqrt(rho) |F|)
 *   IOP:      L X / |F|
 * minimized over m; as m grows the query term tends to Q rate_bits / 2 + g
 * bits while the batching term grows as m^7.
 *
 * Not included: Poseidon (4-element digests, about 128-bit collision
 * resistance, assumed a random oracle for Fiat-Shamir) and the cost of
 * grinding the Fiat-Shamir challenges themselves (a prover with 2^t hash
 * evaluations gains up to t bits against any single term; the claim is per
 * attempt, as the papers above state it).
 */
#ifndef POR_SOUNDNESS_H
#define POR_SOUNDNESS_H

#include <stddef.h>

#include "commit/fri.h"

typedef struct {
    por_fri_params fri;    /* degree bound, rate, queries, grinding, reductions */
    double num_functions;  /* N above */
    double iop_degree;     /* X above */
} por_soundness_input;

typedef struct {
    double conjectured_bits;       /* every term, the conjecture's query term */
    double provable_bits;          /* every term, Johnson bound, best m */
    double field_bits;             /* batching + folding + IOP (conjectured, list size 1) */
    double query_conjectured_bits; /* Q rate_bits + g */
    double query_provable_bits;    /* Q rate_bits / 2 + g: the Johnson query term's limit */
    unsigned johnson_m;            /* the m of provable_bits */
} por_soundness;

/* Fills *out from valid FRI parameters (por_fri_params_check). */
void por_soundness_estimate(const por_soundness_input *in, por_soundness *out);

/* One line for people, each figure rounded down to a tenth, e.g. "102.8 bits
 * conjectured (ethSTARK conjecture; queries 104, field 103.8), 57.5 bits
 * provable (Johnson bound)". */
void por_soundness_describe(const por_soundness *s, char *buf, size_t len);

#endif
