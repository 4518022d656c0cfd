/*
 * In-circuit verification of a por PLONK proof of a fixed circuit, mirroring
 * plonk/plonk.c's por_plonk_verify check for check (plonk.h describes the
 * protocol).
 *
 * The inner verifier key is pinned: its FRI parameters, configuration, gate
 * list, layout and preprocessed cap are constants of the outer circuit, and
 * the transcript starts from the native state after the key
 * (por_plonk_transcript_key), so the outer circuit accepts proofs of that one
 * inner circuit only.  The proof (public inputs, caps, opening) lives in
 * targets; the public inputs are exposed for the outer circuit to constrain.
 *
 * In order: the public-input digest (the in-circuit por_hash), observed;
 * wires cap -> beta, gamma (and delta with lookups); permutation cap ->
 * alpha; quotient cap -> zeta; zeta^n - 1 has an inverse (zeta not in H);
 * the vanishing identity at zeta: every gate type's constraints through its
 * eval_circuit, weighted by its selector, the Z boundary, the permutation
 * chunks, the lookup constraints, against Z_H(zeta) times the recombined
 * quotient; then the opening at (zeta, w zeta) (pcs_circuit.h).
 *
 * The format checks of por_plonk_verify (circuit digest, counts, cap height,
 * parameters and shape, canonical elements) are about the proof's encoding:
 * por_rec_plonk_proof_set refuses a proof that fails them, and a field
 * element target cannot hold a non-canonical value.
 */
#ifndef POR_REC_PLONK_CIRCUIT_H
#define POR_REC_PLONK_CIRCUIT_H

#include "plonk/plonk.h"
#include "recursion/pcs_circuit.h"

typedef struct {
    por_target *public_inputs;  /* the key's num_public_inputs */
    por_rec_digest *wires_cap, *zs_cap, *quotient_cap; /* 2^cap_height each */
    por_rec_pcs_proof opening;
} por_rec_plonk_proof;

/* Virtual targets for a proof under key vk; 0, or -1 (the builder fails too). */
int por_rec_plonk_proof_add(por_builder *b, const por_plonk_vk *vk, por_rec_plonk_proof *out);
void por_rec_plonk_proof_free(por_rec_plonk_proof *t);
/* Assigns a native proof; -1 if its digest, counts, cap height, parameters or
 * shape are not the key's, or a value cannot be set. */
int por_rec_plonk_proof_set(por_witness *w, const por_plonk_vk *vk, const por_rec_plonk_proof *t,
                            const por_plonk_proof *proof);

/*
 * The configuration of recursive proofs (circuits that verify por proofs):
 * the library's default (130 wires, rate 1/8, arity 16, cap 4, zero
 * knowledge) with POR_REC_ROUTED_WIRES routed wires, POR_REC_QUERIES queries
 * and POR_REC_POW_BITS grinding bits.  96 routed wires: 24 arithmetic
 * operations and 4 random-access copies a row instead of 12 and 2, which
 * the verifier's folds, selections and index arithmetic fill (a 1024 x 53
 * batch proof's verification 8 284 -> 7 039 rows, fan-in 2 of them 13 999
 * rows, a 2^14 circuit; 80 routed wires give 7 340);
 * 29 queries and 17 grinding bits: 104 bits of query term, so the claim
 * with the field term (which the 96 routed columns lower: R n in
 * plonk_soundness.h) is >= 100 bits conjectured up to 2^15 rows (fan-in 4
 * of batch proofs, 100.6); at 2^16 (fan-in 8) the field term alone is 99.7,
 * whatever the queries, so a level aggregates at most 4 batch proofs.
 * Figures: BENCHMARKS.md, "Recursion".
 */
#define POR_REC_ROUTED_WIRES 96
#define POR_REC_QUERIES 29
#define POR_REC_POW_BITS 17
void por_rec_config_default(por_circuit_config *cfg);

/* Verifies the proof in-circuit under the pinned key; 0, or -1 on allocation
 * failure (the builder fails too). */
int por_rec_plonk_verify(por_builder *b, const por_plonk_vk *vk, const por_rec_plonk_proof *proof);

#endif
