/*
 * Batched polynomial commitment: Merkle-committed low-degree extensions,
 * opened at out-of-domain points through a DEEP quotient proven low-degree
 * with FRI (fri.h).
 *
 * Commit: a batch (oracle) of polynomials of degree < 2^log_n, each extended
 * at rate 2^-rate_bits onto the coset GL_GENERATOR * <w> of size 2^L, L =
 * log_n + rate_bits (ntt.h's por_lde_batch, bit-reversed order); a Merkle tree
 * with a cap over the rows (row i = every polynomial's value at LDE point i,
 * plus 4 random salt elements if salted, for zero knowledge; merkle.h).
 *
 * Open, on a transcript that has already observed the FRI parameters (first)
 * and typically each batch's cap, at points z_0 .. z_{m-1} in the extension:
 *   observe shape, the caps (again: the opening is sound even if a caller
 *   forgot them), the points, then every claimed value y_{j,k} = f_k(z_j)
 *   (point-major, then batch, then polynomial); squeeze alpha and gamma;
 *   with P polynomials in all and A(X) = sum_{k<P} alpha^k f_k(X),
 *   A_j = sum_k alpha^k y_{j,k}:
 *       F(X) = sum_j alpha^(j P) (A(X) - A_j) / (X - z_j)
 *            = sum_j sum_k alpha^(j P + k) (f_k(X) - y_{j,k}) / (X - z_j)
 *       G(X) = (1 + gamma X) F(X)
 *   and run FRI on G's LDE with degree bound 2^log_n.
 * F has degree < 2^log_n - 1 iff every f_k has degree < 2^log_n (and the
 * claims are right); G's degree is one more.  The factor (1 + gamma X) is the
 * degree correction that makes the bound exact: without it a polynomial of
 * degree exactly 2^log_n would pass, since dividing by (X - z) lowers the
 * degree by one.  (If F is far from degree < 2^log_n - 1, G = F + gamma X F
 * is far from degree < 2^log_n except for few gamma, by correlated agreement.)
 * At each FRI query index i the verifier opens every batch's row i, checks its
 * Merkle path, recomputes G(x_i) from the row and the claims, and hands it to
 * FRI as the layer-0 value.
 *
 * Security (soundness.h computes every term; docs/security.md has the
 * figures and sources).  Under the ethSTARK conjecture (Plonky2's too: for
 * Reed-Solomon codes of rate rho = 2^-rate_bits, a function that passes one
 * FRI query with probability above rho is close to the code, with decoding
 * lists of one element) the queries and grinding give
 *     num_queries * rate_bits + pow_bits bits,
 * but the claim is the union bound with the algebraic ("field") terms: the
 * challenges live in the extension, |F| = p^2 ~ 2^128, and with N = P m + 1
 * functions combined with powers of alpha (P polynomials, m points, the
 * degree correction) and |D| = 2^L the batching costs N |D| / |F| and fold k
 * (arity 2^a_k on D_k) (2^a_k - 1) |D_k| / |F| (BCIKS20 correlated agreement,
 * powers), plus the caller's own random-point checks (plonk_soundness.h).
 * This comment used to write the field term as (P m + degree) 2^L / 2^128,
 * "well below 2^-100": the degree part was wrong (the DEEP point costs about
 * (max_degree + 1) n / |F|, not n 2^L / |F|, Haboeck eprint 2022/1216 Thm 8),
 * and the corrected term is still not below 2^-100 at every size: it is
 * 2^-(128 - L - log2 N), 2^-96.8 for the batch proofs at 2^20 rows (N = 539),
 * so the conjectured claim falls below the query term's 100 bits as proofs
 * grow.  Without the conjecture (BCIKS20 Johnson bound) each query gives at
 * most rate_bits / 2 bits and the whole claim is 50-60 bits.
  * Defaults (POR_PCS_DEFAULT_*): rate_bits 3, 28 queries, 16 grinding bits ->
 * a 100-bit query term (the claim with the field term: 99.9 bits at 2^12
 * rows, 99.0 at 2^16 for a PLONK circuit); cap height 4; arity 16 (4 bits); final polynomial
 * of 2^5 coefficients.
 *
 * Zero knowledge: salted batches hide the rows behind their digests, but the
 * FRI layers of G still depend on every polynomial.  A caller that needs a
 * zero-knowledge opening commits, in a salted batch, two uniformly random
 * polynomials R0, R1 of degree < 2^log_n: their terms alpha^k (R0 - R0(z))/(X - z)
 * + alpha^(k+1) (R1 - R1(z))/(X - z) make F uniform among extension polynomials
 * of degree < 2^log_n - 1 (Haboeck / Al Kindi, eprint 2024/1037).  Blinding the
 * committed polynomials themselves (the opened rows and points) is also the
 * caller's job.  This module adds neither.
 *
 * Serialized proof (little-endian throughout):
 *   "PPCS", u32 version (1),
 *   params: u32 degree_bits, rate_bits, cap_height, num_queries, pow_bits,
 *           final_poly_bits, num_reductions, then num_reductions u8 arities,
 *   shape:  u32 num_points, u32 num_batches, per batch u32 num_polys, u8 salted,
 *   evals:  num_points * P extension elements (2 u64 each),
 *   fri:    por_fri_proof_encode (caps, final polynomial, nonce, per-query
 *           layer values and paths),
 *   then per query, per batch: the row (num_polys u64), the salt (4 u64 if
 *           salted), the path (L - cap_height digests of 4 u64).
 * Every length follows from params and shape; the decoder checks those,
 * then the exact total length, then that every element is canonical.
 */
#ifndef POR_PCS_H
#define POR_PCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "field/field.h"
#include "field/field_ext.h"
#include "commit/fri.h"
#include "commit/merkle.h"
#include "util/threadpool.h"
#include "hash/transcript.h"

#define POR_PCS_VERSION 1
#define POR_PCS_MAX_BATCHES 16
#define POR_PCS_MAX_POINTS 8
#define POR_PCS_MAX_POLYS 65536 /* per batch */

#define POR_PCS_DEFAULT_RATE_BITS 3
#define POR_PCS_DEFAULT_CAP_HEIGHT 4
#define POR_PCS_DEFAULT_NUM_QUERIES 28
#define POR_PCS_DEFAULT_POW_BITS 16
#define POR_PCS_DEFAULT_ARITY_BITS 4
#define POR_PCS_DEFAULT_FINAL_POLY_BITS 5

/* The default parameters for polynomials of degree < 2^degree_bits
 * (final_poly_bits is lowered to degree_bits for tiny degrees). 0 or -1. */
int por_pcs_default_params(por_fri_params *p, unsigned degree_bits);

/* One committed batch (oracle).  Fields are read-only for callers. */
typedef struct {
    unsigned log_n;     /* coefficient vectors have 2^log_n entries */
    unsigned rate_bits; /* LDE of 2^(log_n + rate_bits) points */
    unsigned cap_height;
    size_t num_polys;
    bool salted;
    gl_t **coeffs; /* num_polys owned copies of the coefficients */
    gl_t **lde;    /* num_polys owned LDE columns (bit-reversed), borrowed by tree */
    por_merkle_tree tree;
} por_pcs_batch;

/*
 * Commits num_polys polynomials (coeffs[k]: 2^log_n coefficients each, copied)
 * on the pool (may be NULL).  Salts (if salted) come from rand(rand_ctx)
 * (NULL: OpenSSL).  Returns 0, or -1 (nothing to free) on bad sizes
 * (num_polys 1..POR_PCS_MAX_POLYS, log_n + rate_bits <= POR_FRI_MAX_LDE_BITS,
 * cap_height <= log_n + rate_bits), allocation or randomness failure.
 */
int por_pcs_commit(por_pcs_batch *b, por_pool *pool, const gl_t *const *coeffs, size_t num_polys,
                   unsigned log_n, unsigned rate_bits, unsigned cap_height, bool salted,
                   por_rand_fn rand, void *rand_ctx);
void por_pcs_batch_free(por_pcs_batch *b);
/* The batch's cap: 2^cap_height digests, valid until free. */
const por_digest *por_pcs_batch_cap(const por_pcs_batch *b);

/* What the verifier knows about the opened batches. */
typedef struct {
    uint32_t num_polys;
    uint32_t salted; /* 0 or 1 */
} por_pcs_batch_shape;

typedef struct {
    uint32_t num_points;  /* 1..POR_PCS_MAX_POINTS */
    uint32_t num_batches; /* 1..POR_PCS_MAX_BATCHES */
    por_pcs_batch_shape batches[POR_PCS_MAX_BATCHES]; /* unused entries zero */
} por_pcs_shape;

/* NULL if valid, else a static description. */
const char *por_pcs_shape_check(const por_pcs_shape *s);
bool por_pcs_shape_equal(const por_pcs_shape *a, const por_pcs_shape *b);
/* P: the number of polynomials over all batches. */
size_t por_pcs_shape_total_polys(const por_pcs_shape *s);

/*
 * The opening proof.  Flat arrays sized by params and shape:
 *   evals[j * P + off_b + i]                 claimed f_{b,i}(z_j)
 *   rows[q * P + off_b + i]                  query q's row of batch b
 *   salts[(q * num_batches + b) * 4 + s]     (only salted batches are meaningful)
 *   paths[(q * num_batches + b) * path_len]  path_len = L - cap_height
 * off_b = number of polynomials in batches before b.
 */
typedef struct {
    por_fri_params params;
    por_pcs_shape shape;
    gl2_t *evals;
    gl_t *rows;
    gl_t *salts;
    por_digest *paths;
    por_fri_proof fri;
} por_pcs_proof;

/* Allocates every array (zeroed) for valid params and shape; 0 or -1. */
int por_pcs_proof_alloc(por_pcs_proof *proof, const por_fri_params *p, const por_pcs_shape *s);
/* Frees the arrays; safe on a zeroed proof. */
void por_pcs_proof_free(por_pcs_proof *proof);
/* Claimed f_{batch, poly}(points[point]). */
gl2_t por_pcs_proof_eval(const por_pcs_proof *proof, size_t point, size_t batch, size_t poly);

/*
 * Prover: opens every polynomial of every batch at every point (see above).
 * Each batch must have log_n + rate_bits = degree_bits + rate_bits and the
 * params' cap height.  proof is allocated here (free with por_pcs_proof_free,
 * also after a failure).  Returns 0, or -1 on bad arguments or allocation
 * failure.
 */
int por_pcs_open(const por_fri_params *p, const por_pcs_batch *const *batches, size_t num_batches,
                 const gl2_t *points, size_t num_points, por_transcript *t, por_pool *pool,
                 por_pcs_proof *proof);

/*
 * Verifier: the proof's params and shape must equal the expected ones (the
 * caller's, not the proof's), then every challenge is re-derived on t.
 * caps[b]: batch b's cap (2^cap_height digests).  Returns 0 if the proof is
 * valid; otherwise -1 and, if why != NULL, a static description.
 */
int por_pcs_verify(const por_fri_params *expected, const por_pcs_shape *expected_shape,
                   const por_digest *const *caps, const gl2_t *points, const por_pcs_proof *proof,
                   por_transcript *t, const char **why);

/* Serialized length of a proof with these (valid) params and shape. */
size_t por_pcs_proof_encoded_len(const por_fri_params *p, const por_pcs_shape *s);
/* Serializes into a malloc'ed buffer (*out, *len); 0, or -1 on allocation failure. */
int por_pcs_proof_serialize(const por_pcs_proof *proof, uint8_t **out, size_t *len);
/*
 * Parses exactly len bytes into proof (allocated here; free it with
 * por_pcs_proof_free even on failure).  Rejects a bad magic or version,
 * parameters or shape out of range, any length other than the one they
 * imply (truncation, trailing bytes) and non-canonical elements.  Returns 0,
 * or -1 and a static description in *why (if why != NULL).
 */
int por_pcs_proof_deserialize(const uint8_t *in, size_t len, por_pcs_proof *proof, const char **why);

#endif
