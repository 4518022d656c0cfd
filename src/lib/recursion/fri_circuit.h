/*
 * In-circuit FRI verification, mirroring commit/fri.c's verifier check for
 * check (fri.h describes the protocol and layouts).
 *
 * Commit phase (por_rec_fri_verify_commit): per reduction observe the layer's
 * cap and squeeze beta_k; observe the final polynomial; the proof-of-work
 * check (challenger.h); the query indices as bits of squeezed elements.
 *
 * Query (por_rec_fri_verify_query), given the layer-0 value and the query's
 * point y = GL_GENERATOR w^rev(index) (por_rec_lde_point), per layer k of
 * arity 2^a with pos = the low a bits of the current index and leaf = the
 * others:
 *   - the leaf's 2^a values (c0, c1 interleaved, unsalted) open at leaf
 *     under layer k's cap (merkle_circuit.h);
 *   - the value at pos equals the running value (a selection tree over pos);
 *   - fold: the leaf's first point x0 = y u^-rev_a(pos) (u the 2^a-th root
 *     of unity; constants selected by the pos bits), then a successive 2-to-1
 *     folds exactly as por_fri_fold_leaf, (v0, v1) -> (v0 + v1)/2 + beta_s
 *     (v0 - v1) / (2 x_m), x_m = x0 u^rev(m), with 1/x0 a hint checked by one
 *     multiplication;
 *   - the next layer's point is x0^(2^a).
 * Finally the final polynomial at the last point (Horner) equals the running
 * value.
 *
 * The proof lives in targets (witnesses of the outer circuit):
 * por_rec_fri_proof_add makes them, por_rec_fri_proof_set assigns a native
 * proof to them.
 */
#ifndef POR_REC_FRI_CIRCUIT_H
#define POR_REC_FRI_CIRCUIT_H

#include "commit/fri.h"
#include "plonk/circuit.h"
#include "plonk/circuit_ext.h"
#include "recursion/challenger.h"
#include "recursion/merkle_circuit.h"

typedef struct {
    por_fri_params params;
    por_rec_digest *caps;       /* por_fri_total_caps, layer by layer */
    por_ext_target *final_poly; /* 2^final_poly_bits, constant term first */
    por_target pow_nonce;
    por_ext_target *values;     /* query-major, as por_fri_proof */
    por_rec_digest *paths;      /* query-major, as por_fri_proof */
} por_rec_fri_proof;

/* Virtual targets for a proof with valid params p; 0, or -1 (allocation,
 * with the builder failed too). */
int por_rec_fri_proof_add(por_builder *b, const por_fri_params *p, por_rec_fri_proof *out);
void por_rec_fri_proof_free(por_rec_fri_proof *t);
/* Assigns native proof values to the targets; 0, or -1 as por_witness_set. */
int por_rec_fri_proof_set(por_witness *w, const por_rec_fri_proof *t, const por_fri_proof *proof);

typedef struct {
    por_ext_target betas[POR_FRI_MAX_REDUCTIONS];
    /* query q's index bits (low first) at index_bits + q * lde_bits */
    por_target *index_bits;
    /* per layer, the fold coefficients every query shares: step s, pair m
     * at fold_coef[layer offset + 2^a - 2^(a-s) + m] = beta^(2^s) u_s^-rev(m) / 2 */
    por_ext_target *fold_coef;
} por_rec_fri_challenges;

/* Replays the commit phase on the challenger; ch->index_bits is allocated
 * (free with por_rec_fri_challenges_free).  0, or -1 on allocation failure. */
int por_rec_fri_verify_commit(por_builder *b, const por_rec_fri_proof *proof, por_rec_challenger *c,
                              por_rec_fri_challenges *ch);
void por_rec_fri_challenges_free(por_rec_fri_challenges *ch);

/* GL_GENERATOR w^rev_L(index) for the index's L bits (w = gl_root_of_unity(L)):
 * the LDE point of the index (por_lde_point), 2L - 1 operations. */
por_target por_rec_lde_point(por_builder *b, const por_target *bits, unsigned L);

/* Query q: layer-0 value `initial` at the point `point` of the query's index
 * (por_rec_lde_point of ch's bits).  cap_weights: NULL, or the one-hot
 * indicators of the index's top cap_height bits (every layer tree of that
 * cap height is selected at them; merkle_circuit.h). */
void por_rec_fri_verify_query(por_builder *b, const por_rec_fri_proof *proof, const por_rec_fri_challenges *ch,
                              size_t q, por_ext_target initial, por_target point, const por_target *cap_weights);

#endif
