/*
 * The compression layer (issue 14): one recursive proof of the top
 * aggregation node's proof, at a configuration chosen for size (a higher
 * rate, fewer queries at the same conjectured security), which is the
 * published final proof (final_proof.h).
 *
 * What the circuit proves: the top node's proof verifies in-circuit under the
 * pinned key of the tree's top level (recursion/plonk_circuit.h: every piece
 * of the key a constant), its index is 0 (an in-circuit constraint, so a
 * proof of any other node of that level is refused whatever the leaf count
 * says), and the public inputs are exactly the top proof's statement, in the
 * same layout (agg.h's por_agg_public: root, exact per-asset totals, params
 * digest, index 0, leaf count), each one copy-constrained to the inner
 * proof's.  That the top level is the one the leaf count needs (so the top
 * node covers every batch) is a check on the public leaf count, made
 * natively by the final proof's verifier (por_final_proof_precheck).
 *
 * Since the published proof is this one, every aggregation level uses the
 * fast por_agg_inner_config and a level's key does not depend on the tree's
 * height; only the compression key does (it pins the key of level T).
 */
#ifndef POR_AGG_COMPRESS_H
#define POR_AGG_COMPRESS_H

#include "agg/agg.h"

/*
 * The compression proof's configuration, chosen by measurement (BENCHMARKS.md,
 * "Issue 14: the compression layer"; 1024 x 53 batches, tops of fan-in 2 and
 * 4): rate 1/32, 16 queries, 22 grinding bits (102 query bits), 80 routed
 * wires, zero knowledge (it is published).  The circuit is 2^13 rows for
 * tops of 2^14 and 2^15 rows (7 445 and 7 797 gate rows, + 102 blinding);
 * its claim is 100.3 bits conjectured with the field term (100.9;
 * docs/security.md, pinned in test_soundness.c).  Measured alternatives:
 * 17 queries and 18 bits, 96 routed wires: 102.7 KB; 16 queries, 96 routed:
 * 97.5 KB; 64 routed: 91.1 KB but 2^14 rows (99.7 bits) over a fan-in-4
 * top; 48 routed: 2^14 rows already at fan-in 2; rate 1/64: the field term
 * of 2^13 rows alone is below 100 bits.
 */
#define POR_AGG_COMPRESS_RATE_BITS 5
#define POR_AGG_COMPRESS_QUERIES 16
#define POR_AGG_COMPRESS_POW_BITS 22
#define POR_AGG_COMPRESS_ROUTED_WIRES 80
void por_agg_compress_config(por_circuit_config *cfg);

struct por_agg_compress_circuit {
    por_agg_shape shape;
    unsigned levels;             /* T: the level whose key is pinned */
    por_circuit *circuit;
    const por_plonk_vk *top_vk;  /* borrowed: the key of level T */
    por_rec_plonk_proof top;     /* the top node's proof, in targets */
    por_target *statement;       /* 10 + 4A public inputs, por_agg_public's layout */
}; /* typedef in agg.h */

/* Builds the compression circuit over top_vk (the key of level `levels` of
 * the shape's tree), at cfg (NULL: por_agg_compress_config).  top_vk is kept
 * by reference.  NULL, *why. */
por_agg_compress_circuit *por_agg_compress_build(const por_agg_shape *shape, unsigned levels,
                                                 const por_plonk_vk *top_vk, const por_circuit_config *cfg,
                                                 const char **why);
void por_agg_compress_free(por_agg_compress_circuit *cc);

/*
 * The witness from the top node's proof: the proof's targets and the
 * statement (its public inputs).  TESTING ONLY: unchecked keeps going when
 * a value cannot be set (a proof of another key's shape, a value conflicting
 * with a constraint's constant) and skips generation, so tests can feed the
 * circuit what an adversary would.  -1 with *why.
 */
int por_agg_compress_witness(const por_agg_compress_circuit *cc, const por_plonk_proof *top, bool unchecked,
                             por_witness **out, const char **why);

#endif
