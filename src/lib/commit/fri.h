/*
 * FRI low-degree test over the quadratic extension.
 *
 * Statement: a function F on the LDE coset D_0 = GL_GENERATOR * <w>, |D_0| =
 * 2^L with L = degree_bits + rate_bits, given in the bit-reversed order of
 * ntt.h (index i holds F(por_lde_point(L, i))), is close to a polynomial of
 * degree < 2^degree_bits.
 *
 * Commit phase, for each reduction k with arity 2^a (a = reduction_bits[k]):
 * the current layer (2^L_k extension values on the coset g_k * <w_k>) is
 * committed in a Merkle tree whose leaf j is the contiguous chunk of 2^a values
 * j*2^a .. j*2^a + 2^a - 1 (in bit-reversed order these are exactly the points
 * x * <2^a-th roots of unity> that fold into one point), each value as two base
 * elements (c0, c1).  The cap is observed, beta_k is squeezed and the layer is
 * folded: writing F(X) = sum_{r < 2^a} X^r F_r(X^(2^a)), the next layer is
 * F'(Y) = sum_r beta_k^r F_r(Y) on the coset g_k^(2^a) * <w_k^(2^a)>, again in
 * bit-reversed order (leaf j of layer k becomes point j of layer k + 1).  The
 * fold is computed as a successive 2-to-1 folds with beta, beta^2, beta^4, ...
 * (f(x), f(-x)) -> (f(x) + f(-x))/2 + beta (f(x) - f(-x))/(2x), which is the
 * same map.  Layer trees use cap height min(cap_height, L_k - a).
 *
 * After the last reduction the prover sends the final polynomial's
 * 2^final_poly_bits coefficients (observed), grinds (transcript.h), and
 * num_queries indices in [0, 2^L) are squeezed.  For each index the prover
 * opens one leaf per layer; the verifier checks each opening, that the leaf
 * holds the value folded from the previous layer (for layer 0: the value the
 * caller computed, e.g. the DEEP combination), folds it, and finally that the
 * result equals the final polynomial at the folded point.
 *
 * Parameters bind the degree: sum(reduction_bits) + final_poly_bits =
 * degree_bits.  Conjectured security (see pcs.h for the formula).
 */
#ifndef POR_FRI_H
#define POR_FRI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "field/field.h"
#include "field/field_ext.h"
#include "hash/poseidon.h"
#include "util/threadpool.h"
#include "hash/transcript.h"

#define POR_FRI_MAX_REDUCTIONS 32
#define POR_FRI_MAX_ARITY_BITS 4
#define POR_FRI_MAX_QUERIES 256
#define POR_FRI_MAX_POW_BITS 32
#define POR_FRI_MAX_RATE_BITS 8
#define POR_FRI_MAX_CAP_HEIGHT 16
/* degree_bits + rate_bits <= this (two-adicity is 32; memory is the real bound) */
#define POR_FRI_MAX_LDE_BITS 30

typedef struct {
    uint32_t degree_bits;     /* log2 of the degree bound */
    uint32_t rate_bits;       /* blowup 2^rate_bits */
    uint32_t cap_height;      /* Merkle cap height (clamped per layer tree) */
    uint32_t num_queries;
    uint32_t pow_bits;        /* grinding before the queries */
    uint32_t final_poly_bits; /* the final polynomial has 2^final_poly_bits coefficients */
    uint32_t num_reductions;
    uint32_t reduction_bits[POR_FRI_MAX_REDUCTIONS]; /* entries past num_reductions are 0 */
} por_fri_params;

/*
 * Fills p with the reduction rule: fold by arity_bits while more than
 * final_poly_bits remain, the last fold by just enough to land on
 * final_poly_bits (e.g. degree 16, arity 4, final 5: reductions 4, 4, 3).
 * Returns 0, or -1 if the result fails por_fri_params_check.
 */
int por_fri_params_init(por_fri_params *p, unsigned degree_bits, unsigned rate_bits,
                        unsigned cap_height, unsigned num_queries, unsigned pow_bits,
                        unsigned arity_bits, unsigned final_poly_bits);
/* Range and consistency checks; NULL if valid, else a static description. */
const char *por_fri_params_check(const por_fri_params *p);
bool por_fri_params_equal(const por_fri_params *a, const por_fri_params *b);
/* Observes every field (including the unused reduction slots' count) in order. */
void por_fri_params_observe(por_transcript *t, const por_fri_params *p);

/* Sizes derived from valid parameters. */
static inline unsigned por_fri_lde_bits(const por_fri_params *p) { return p->degree_bits + p->rate_bits; }
/* log2 of the size of layer k (k = num_reductions: the final layer). */
unsigned por_fri_layer_bits(const por_fri_params *p, unsigned k);
/* Cap height of the tree of layer k < num_reductions. */
unsigned por_fri_layer_cap_height(const por_fri_params *p, unsigned k);
/* Merkle path length of layer k < num_reductions. */
unsigned por_fri_layer_path_len(const por_fri_params *p, unsigned k);
/* Extension values per query over all layers: sum_k 2^reduction_bits[k]. */
size_t por_fri_values_per_query(const por_fri_params *p);
/* Path digests per query over all layers. */
size_t por_fri_path_per_query(const por_fri_params *p);
/* Cap digests over all layers. */
size_t por_fri_total_caps(const por_fri_params *p);

/*
 * The proof.  Arrays are flat, in this order, sized by the parameters:
 *   caps:       layer 0's cap, then layer 1's, ...
 *   final_poly: 2^final_poly_bits coefficients, constant term first
 *   values:     query-major: query q, layer k's 2^a values at
 *               q * values_per_query + (sum of the earlier layers' 2^a)
 *   paths:      the same with the path lengths
 */
typedef struct {
    por_digest *caps;
    gl2_t *final_poly;
    uint64_t pow_nonce;
    gl2_t *values;
    por_digest *paths;
} por_fri_proof;

/* Allocates the arrays for valid params (zeroed); 0, or -1 on allocation failure. */
int por_fri_proof_alloc(por_fri_proof *proof, const por_fri_params *p);
void por_fri_proof_free(por_fri_proof *proof);

/*
 * Prover.  values: the 2^L layer-0 values (bit-reversed LDE order); not
 * modified.  Runs the commit phase, grinding and the query phase on t, fills
 * proof (allocated by por_fri_proof_alloc) and writes the num_queries query
 * indices (positions in layer 0) to indices, for the caller's own openings.
 * A function that is not low degree still yields a proof (the final
 * polynomial is truncated), which the verifier rejects.  Returns 0, or -1 on
 * invalid params or allocation failure.
 */
int por_fri_prove(const por_fri_params *p, const gl2_t *values, por_transcript *t, por_pool *pool,
                  por_fri_proof *proof, size_t *indices);

/* Verifier challenges, replayed from the transcript. */
typedef struct {
    gl2_t betas[POR_FRI_MAX_REDUCTIONS];
    size_t indices[POR_FRI_MAX_QUERIES];
    bool pow_ok;
} por_fri_challenges;

/*
 * Verifier, commit phase: observes the caps and the final polynomial, derives
 * the betas, checks the proof of work and derives the query indices.  Returns
 * 0, or -1 if the proof of work fails (params must be valid: the caller
 * checks them and the proof's shape first).
 */
int por_fri_verify_commit(const por_fri_params *p, const por_fri_proof *proof, por_transcript *t,
                          por_fri_challenges *ch);
/*
 * Verifier, query q: layer-0 value `initial` at ch->indices[q] (computed by
 * the caller from its own openings).  Returns 0 if every opening, fold and the
 * final polynomial check pass, else -1.
 */
int por_fri_verify_query(const por_fri_params *p, const por_fri_proof *proof,
                         const por_fri_challenges *ch, size_t q, gl2_t initial);

/* Canonical encoding of the proof body (no header: the params fix every
 * length): caps, final polynomial, nonce, then per query values and paths;
 * every element a little-endian u64. */
size_t por_fri_proof_encoded_len(const por_fri_params *p);
void por_fri_proof_encode(const por_fri_params *p, const por_fri_proof *proof, uint8_t *out);
/* Decodes exactly por_fri_proof_encoded_len bytes into an allocated proof;
 * 0, or -1 if an element is not canonical. */
int por_fri_proof_decode(const por_fri_params *p, const uint8_t *in, por_fri_proof *proof);

/* Folds one leaf (2^a values at x0 * <2^a-th roots>, bit-reversed) with beta;
 * x0 = the point of the leaf's first value.  Exposed for tests. */
gl2_t por_fri_fold_leaf(const gl2_t *values, unsigned a, gl_t x0, gl2_t beta);

#endif
