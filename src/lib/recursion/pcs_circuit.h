/*
 * In-circuit verification of a batched PCS opening, mirroring
 * commit/pcs.c's por_pcs_verify check for check (pcs.h describes the
 * protocol).
 *
 * The parameters and the shape are the circuit's (constants: the outer
 * circuit fixes what it accepts); the caps and the points are targets given by
 * the caller (constants for a pinned preprocessed batch, witnesses or derived
 * challenges otherwise).  In order:
 *   observe the FRI parameters, the shape (constants), the caps, the points,
 *   every claimed value; squeeze alpha and gamma; the FRI commit phase
 *   (fri_circuit.h); A_j = sum_k alpha^k y_{j,k} and w_j = alpha^(j P);
 *   per query: every batch's row (and salt) opens at the query's index bits
 *   under its cap (merkle_circuit.h), then
 *       G(x) = (1 + gamma x) sum_j w_j (A(x) - A_j) / (x - z_j),
 *   A(x) = sum_k alpha^k row_k, with 1 / (x - z_j) an inverse that no value
 *   satisfies when x = z_j (the native verifier rejects a point in the
 *   domain), and G(x) is FRI's layer-0 value at the query.
 */
#ifndef POR_REC_PCS_CIRCUIT_H
#define POR_REC_PCS_CIRCUIT_H

#include "commit/pcs.h"
#include "recursion/fri_circuit.h"

typedef struct {
    por_fri_params params;
    por_pcs_shape shape;
    por_ext_target *evals;   /* num_points * P, as por_pcs_proof */
    por_target *rows;        /* num_queries * P */
    por_target *salts;       /* (q * num_batches + b) * 4 (salted batches only) */
    por_rec_digest *paths;   /* (q * num_batches + b) * path_len */
    por_rec_fri_proof fri;
} por_rec_pcs_proof;

/* Virtual targets for a proof of valid params and shape; 0 or -1. */
int por_rec_pcs_proof_add(por_builder *b, const por_fri_params *p, const por_pcs_shape *s, por_rec_pcs_proof *out);
void por_rec_pcs_proof_free(por_rec_pcs_proof *t);
/* Assigns a native proof (of the same params and shape); 0, or -1. */
int por_rec_pcs_proof_set(por_witness *w, const por_rec_pcs_proof *t, const por_pcs_proof *proof);

/* Verifies the opening on the challenger: caps[b] holds batch b's
 * 2^cap_height digests, points the num_points opening points.  0, or -1 on
 * allocation failure (the builder fails too). */
int por_rec_pcs_verify(por_builder *b, const por_rec_pcs_proof *proof, const por_rec_digest *const *caps,
                       const por_ext_target *points, por_rec_challenger *c);

#endif
