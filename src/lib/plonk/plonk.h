/*
 * PLONK prover and verifier over Goldilocks with FRI commitments (pcs.h),
 * in the Plonky2 family, with complete zero knowledge.
 *
 * Polynomials.  n = 2^degree_bits rows, H = <w> (w = gl_root_of_unity),
 * row i <-> point w^i.  Four committed batches, each opened at the
 * out-of-domain point zeta and at w * zeta (pcs.h opens every polynomial of
 * every batch at every point):
 *   0 preprocessed (in the verifier key, unsalted): G selectors (1 on the rows
 *     of gate type g), K gate-constant columns, R sigma columns;
 *   1 wires: W columns;
 *   2 permutation: Z and the partial products pp_1..pp_{m-1}, each an
 *     extension-valued polynomial committed as two base polynomials (c0, c1);
 *   3 quotient: the chunks t_0..t_{q-1} of the quotient (two base polynomials
 *     each), then, with zero knowledge, the FRI masks R0 and R1.
 *
 * Constraints.  With selectors s_g and the gate constraints c_{g,k}:
 *   gate slot k:   sum_g s_g(X) c_{g,k}(wires(X), consts(X), pi)
 *   boundary:      L_0(X) (Z(X) - 1)
 *   permutation:   for chunk j (routed columns cs*j .. cs*j + cs - 1,
 *                  cs = max_degree - 1 of them, m = ceil(R / cs) chunks):
 *                  next_j(X) prod g_c(X) - prev_j(X) prod f_c(X) = 0, with
 *                  f_c = w_c + beta k_c X + gamma, g_c = w_c + beta sigma_c + gamma,
 *                  prev_0 = Z(X), prev_j = pp_j (j > 0), next_j = pp_{j+1},
 *                  next_{m-1} = Z(w X).
 * The shifts k_c = GL_GENERATOR^c give the columns disjoint cosets k_c H
 * (GL_GENERATOR^d lies in the 2-adic subgroup only for multiples d of
 * (p-1)/2^32 > R).  beta, gamma, alpha, zeta are extension challenges, which
 * is why one permutation argument suffices (Plonky2 repeats base-field ones).
 * All constraints have degree <= d = max_degree in the polynomials, so
 *   C(X) = sum_k alpha^k slot_k + alpha^S boundary + sum_j alpha^(S+1+j) perm_j
 * has degree <= d (n - 1) and the quotient t = C / Z_H, Z_H = X^n - 1, degree
 * <= d (n - 1) - n.  The prover evaluates C on the coset of 2^E n >= d n
 * points, E = max(rate_bits, ceil(log2 d)) (por_circuit_quotient_eval_bits):
 * in LDE order its first 2^rate_bits n points are the committed LDEs' (reused),
 * and when E > rate_bits the prover evaluates the committed polynomials on the
 * remaining points too (ntt.h, por_lde_batch_blocks), for the quotient only:
 * nothing about it is committed or revealed.  It divides, interpolates, and refuses
 * if t is not of that degree (an unsatisfied witness).  t is split into
 * q = ceil((d (n-1) - n + 1) / m_q) chunks of m_q coefficients,
 * t = sum_c X^(c m_q) t_c, m_q = n - h_q (below), q = d - 1 without zero
 * knowledge.  The verifier recomputes C(zeta) from the opened values and
 * checks C(zeta) = Z_H(zeta) sum_c zeta^(c m_q) t_c(zeta).
 *
 * Range lookups (config.lookup_bits = T > 0; a logarithmic-derivative
 * argument, Haboeck, "Multivariate lookups based on logarithmic
 * derivatives", eprint 2022/1530).  On the rows of gate types that declare
 * the table (s_lk = the sum of their selectors), every wire of the columns
 * F = lookup_first_wire .. W - 1 must lie in [0, 2^T).  Two more
 * preprocessed columns (after the sigmas): the table t (t(w^i) = i for
 * i < 2^T, else 0) and s_act (1 on the rows before the blinding rows, b =
 * blind_start >= 2^T of them, else 0).  One more wire column (after the W
 * wires): the multiplicities m (m(w^i) = how many looked-up cells equal i,
 * for i < 2^T; 0 on the other active rows; uniform on the blinding rows).
 * After beta and gamma the transcript draws delta ("plonk.lookup_delta"),
 * and the permutation batch gets, after Z and the partial products, NG =
 * ceil((W - F) / gs) helpers h_g (gs = max_degree - 2 columns each) and
 * their running sum phi, all extension-valued.  Constraints, after the
 * permutation's, with their own powers of alpha:
 *   helper g:   s_act (h_g prod_{c in g} (delta - w_c)
 *                      - s_lk sum_{c in g} prod_{c' in g, c' != c} (delta - w_c'))
 *   step:       s_act ((phi(w X) - phi(X) - sum_g h_g(X)) (delta - t(X)) + m(X))
 *   boundaries: L_0(X) phi(X) and L_b(X) phi(X)
 * so on the active rows h_g = s_lk sum_{c in g} 1 / (delta - w_c), and
 * phi(w^b) = sum_rows (sum_c s_lk / (delta - w_c) - m / (delta - t)) = 0: as
 * rational functions of delta (w and m are committed before delta is drawn)
 * that says every looked-up cell equals a table entry (p exceeds the number
 * of cells, so the counts cannot wrap).  Degrees: gs + 2 = max_degree.
 * Zero knowledge as for the other columns: m is uniform on the 5 Q + 14
 * blinding rows (it is not routed), h_g on the same rows, and phi (shifted,
 * like Z) on the blinding rows after w^b, more than the 2 Q + 5 extension
 * values its openings and the quotient relation expose.  Without lookups
 * none of this exists: no column, challenge, constraint or digest entry,
 * so those circuits and their proofs are unchanged.
 *
 * Transcript (transcript.h, protocol "por-plonk-v1"): FRI parameters, circuit
 * digest, public-input digest, wires cap -> beta, gamma (and delta with
 * lookups); permutation cap ->
 * alpha; quotient cap -> zeta; then the PCS opening at (zeta, w zeta) (pcs.h:
 * evaluations, FRI commitments, final polynomial, grinding, queries).
 *
 * Public inputs: the circuit hashes them in-circuit (por_hash with
 * POR_DOMAIN_PUBLIC_INPUTS, circuit.h) into 4 wires of a public-input gate,
 * whose constraint compares them with the digest the verifier computes itself.
 *
 * Circuit digest: por_hash(POR_DOMAIN_PLONK_CIRCUIT, [version, every
 * configuration field, the FRI reductions, degree_bits, number of public
 * inputs, every gate type (kind, parameters, constraints, degree, and with
 * lookups its table and columns), with lookups the table, columns and helper
 * layout, the blinding, permutation and quotient layout, the preprocessed
 * cap]).  The cap
 * commits to the selectors (which gate sits on every row: the full gate
 * list), the constants and the sigmas (the full wiring), so the digest pins
 * the whole circuit; it is the first thing the transcript observes.
 *
 * Zero knowledge (config.zero_knowledge; Haboeck and Al Kindi, "A note on
 * adding zero-knowledge to STARKs", eprint 2024/1037).  With Q = num_queries,
 * the proof reveals, for every committed polynomial of batches 1-3, its values
 * at zeta and w zeta (extension values: 2 base-field linear functionals each)
 * and at the Q query points of the LDE coset: Q + 4 base values.  A simulator
 * without the witness must produce all of them (and the FRI layers), subject
 * only to the relations the verifier checks.  So each witness-dependent
 * polynomial gets at least as many uniform degrees of freedom, independent of
 * the witness, as it reveals, plus a margin of M = POR_CIRCUIT_ZK_MARGIN = 4
 * base values (circuit.h), so that one more opening or exposed shift cannot
 * leave a polynomial silently short:
 *  - wires: h_w = Q + 4 + M "regular" blinding rows (noop rows, every wire
 *    uniform, singletons of the permutation).  The values of a polynomial at
 *    h_w points outside H, as a function of its values on h_w rows of H, form
 *    an invertible (Cauchy-like) linear map, so the opened wire values are
 *    uniform whatever the witness (Q + 4 revealed, Q + 8 free).  The
 *    lookup multiplicities are uniform on all h_w + 2 h_z blinding rows.
 *  - Z and the partial products: singleton rows have ratio f/g = 1, so they
 *    do not randomize Z.  h_z "pair" rows follow: the routed wires of rows a
 *    and a + 1 hold the same fresh uniform value v and are wired to each
 *    other, so the ratio of column c at row a is
 *    (v + beta k_c w^a + gamma) / (v + beta k_c w^(a+1) + gamma), a random
 *    factor that row a + 1 cancels: the product over all rows stays 1, while
 *    Z and every pp_j take a fresh (close to uniform) extension value on each
 *    pair, 2 base degrees of freedom per pair and polynomial, independent
 *    across chunks.  The v's also enter the wire columns, but the regular
 *    rows already absorb the wires' openings, so the v's stay free for Z.
 *    Z is the only shifted polynomial: besides its own openings, the
 *    verifier's relation t(x) = C(x) / Z_H(x), with t(x) = sum_c x^(c m_q)
 *    t_c(x) computable from the opened chunks at every opened point x,
 *    exposes Z(w x) at x = w zeta (Z(w^2 zeta)) and at the Q query points.
 *    That makes 2 (Q + 4) + 2 + 2 Q = 4 Q + 10 base values of (Z0, Z1), hence
 *    h_z = 2 Q + 5 + M/2 pairs (4 Q + 14 free); each pp_j reveals 2 (Q + 4)
 *    and is covered too.  The lookup's phi is shifted like Z (the same 4 Q
 *    + 10) and uniform on the 5 Q + 21 blinding rows after w^b.
 *  - quotient: its chunks are randomized (the "randomized quotient"): with
 *    chunks of m_q = n - h_q coefficients and uniform extension polynomials
 *    s_c of degree < h_q, t_c' = t_c + X^m_q s_c - s_{c-1} (s_{-1} = s_{q-1} = 0)
 *    keeps sum_c X^(c m_q) t_c' = t and degree < n.  The q chunks reveal
 *    q (2 Q + 8) base values subject to 2 (Q + 2) relations (the sum at each
 *    opened point, which the simulator takes from t(x) above); the s_c give
 *    (q - 1) 2 h_q degrees of freedom, enough for h_q >= Q + 4 + 2/(q - 1).
 *    h_q = Q + 6 leaves 4 q - 8 spare, at least M as q >= 3 (constraints of
 *    degree >= 3; q >= 8 for every circuit with the public-input gate,
 *    whose Poseidon row has degree 8), so it needs no extra margin.
 *  - openings: salted Merkle leaves (4 random elements per row, merkle.h) hide
 *    the unopened rows; the DEEP/FRI batch is masked by the uniform R0, R1
 *    committed with the quotient before the batching challenge (pcs.h), so
 *    the FRI layers and final polynomial are uniform (R0, R1 have 2n base
 *    degrees of freedom, far more than the layer values revealed).
 * The preprocessed batch is public and needs none of this.  Blinding costs
 * h_w + 2 h_z = 5 Q + 14 + 2 M rows (162 at 28 queries, 242 at the batch
 * proofs' 44) and a chunk length of n - (Q + 6); the rows and their wiring
 * are part of the circuit, so zero knowledge is a property of the circuit
 * and is bound into its digest.
 * What is argued: a count, per committed polynomial, of uniform degrees of
 * freedom against revealed values (test_zk_margin.c recomputes it from the
 * configuration for many Q and checks what the circuit reserves, and that
 * two proofs of one witness share no salt or mask); with the linear maps
 * above invertible, the revealed values of wires, quotient chunks and masks
 * are then exactly uniform.  What is not argued: that the count suffices
 * for the permutation and lookup columns, whose pair-row values are not
 * uniform but Moebius images of uniform base-field values: the ratio of a
 * chunk with c routed columns is a product of c such images, close to
 * uniform in the extension for several columns but not exactly, and far
 * from it for c = 1 (its image has about p of the p^2 values).  The batch
 * circuits of 1024 accounts route R = 66 columns: chunks of 7 leave a last
 * chunk of 3;
 * no statistical distance is computed for it.  Nor is any of this a
 * simulation proof of the whole protocol (FRI layers, grinding, the
 * transcript): that remains the argument of eprint 2024/1037 applied by
 * hand.
 *
 * Proof encoding (little-endian): "PPLK", u32 version (1), circuit digest
 * (4 u64), u32 number of public inputs, the public inputs (u64 each),
 * u32 cap height, the wires, permutation and quotient caps (2^cap_height
 * digests each), then the PCS proof (pcs.h), which runs to the end.  The
 * decoder checks every length, that nothing trails, that every element is
 * canonical; the verifier then checks the proof's parameters and shape
 * against its own key.
 */
#ifndef POR_PLONK_H
#define POR_PLONK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plonk/circuit.h"
#include "commit/fri.h"
#include "plonk/gates.h"
#include "commit/merkle.h"
#include "commit/pcs.h"
#include "util/threadpool.h"

#define POR_PLONK_VERSION 1
#define POR_DOMAIN_PLONK_CIRCUIT 0x706f722d63697263ULL /* "por-circ" */
#define POR_PLONK_MAX_PUBLIC_INPUTS (1u << 20)

/* Everything the verifier needs; owned arrays (por_plonk_vk_free). */
typedef struct {
    por_circuit_config config;
    por_fri_params fri;
    uint32_t degree_bits;
    uint32_t num_public_inputs;
    uint32_t num_gate_types;
    por_gate *gate_types;
    uint32_t num_constraint_slots; /* S: max constraints over the gate types */
    uint32_t num_blind_regular, num_blind_pairs;
    uint32_t perm_chunk_size;      /* cs = max_degree - 1 */
    uint32_t num_perm_chunks;      /* m (Z + m - 1 partial products) */
    uint32_t quotient_chunk_size;  /* m_q */
    uint32_t num_quotient_chunks;  /* q */
    uint32_t lookup_group_size;    /* range lookups: looked-up columns per helper (max_degree - 2) */
    uint32_t num_lookup_groups;    /* helpers h_g (0 without lookups) */
    por_digest *preprocessed_cap;  /* 2^cap_height */
    por_digest circuit_digest;
} por_plonk_vk;

void por_plonk_vk_free(por_plonk_vk *vk);
/* Deep copy (so a verifier can keep the key and free the prover); 0, or -1 on allocation failure. */
int por_plonk_vk_copy(const por_plonk_vk *src, por_plonk_vk *dst);
/* The PCS shape the verifier expects for this circuit. */
void por_plonk_vk_shape(const por_plonk_vk *vk, por_pcs_shape *shape);

/* Prover data: the circuit (borrowed: it must outlive this), the committed
 * preprocessed polynomials, the verifier key, precomputed domain tables. */
typedef struct por_plonk_prover por_plonk_prover;

/* Preprocesses a built circuit; NULL on failure (with *why). */
por_plonk_prover *por_plonk_setup(const por_circuit *c, por_pool *pool, const char **why);
void por_plonk_prover_free(por_plonk_prover *pk);
const por_plonk_vk *por_plonk_prover_vk(const por_plonk_prover *pk);

/*
 * Keys without the setup (shipped verifier keys, por/vk_table.h).  Of a
 * setup's cost (an inverse NTT, an LDE and a Merkle tree over the selector,
 * constant and sigma columns) only the preprocessed commitment's cap reaches
 * the key; the rest of the key follows from the circuit alone.  So a key can
 * be rebuilt from the circuit and a recorded cap, provided the cap was
 * recorded for exactly this circuit: the fingerprint names it.
 */
#define POR_CIRCUIT_FINGERPRINT_BYTES 32

/*
 * SHA-256 over everything por_plonk_setup reads from a built circuit (the
 * configuration, size, blinding rows, public input count, gate types, and
 * every row's gate, constants and copy constraints (sigma)) and the PLONK
 * version: two circuits with equal fingerprints have equal keys under this
 * setup.  (A change of the setup's algorithm itself, e.g. the commitment, is
 * not in it: the shipped table's equality test catches that.)  0, or -1 on
 * allocation failure.
 */
int por_circuit_fingerprint(const por_circuit *c, uint8_t out[POR_CIRCUIT_FINGERPRINT_BYTES]);

/*
 * The key por_plonk_setup would give the circuit, from the cap of its
 * preprocessed commitment (cap_len = 2^cap_height digests) recorded from an
 * earlier setup of a circuit with the same fingerprint: the layout and gate
 * types from the circuit, the circuit digest computed over them and the cap.
 * Trusts the cap to be the circuit's (the caller matched the fingerprint).
 * 0, or -1 with *why.
 */
int por_plonk_vk_from_cap(const por_circuit *c, const por_digest *cap, size_t cap_len, por_plonk_vk *out,
                          const char **why);

typedef struct {
    por_digest circuit_digest;
    uint32_t num_public_inputs;
    gl_t *public_inputs;
    uint32_t cap_height;
    por_digest *wires_cap, *zs_cap, *quotient_cap; /* 2^cap_height each */
    por_pcs_proof opening;
} por_plonk_proof;

void por_plonk_proof_free(por_plonk_proof *proof);

/* Wall time of the prover's phases (ms), for benchmarks and profiling. */
typedef struct {
    double wires;           /* wire values, multiplicities, their commitment */
    double permutation;     /* Z, partial products, lookup helpers, their commitment */
    double quotient;        /* the evaluation domain's extension, C / Z_H, interpolation */
    double quotient_commit; /* chunks, masks, their commitment */
    double opening;         /* evaluations, FRI, grinding, queries */
} por_plonk_timings;

typedef struct {
    /* randomness for blinding rows, quotient masks and salts (NULL: OpenSSL) */
    por_rand_fn rand;
    void *rand_ctx;
    /* TESTING ONLY: skip the prover's satisfiability check and emit a proof
     * even for a witness that violates the circuit (the verifier must reject) */
    bool unchecked;
    /* TESTING ONLY: called on the lookup multiplicities (n values on H)
     * before they are committed, to forge them */
    void (*tamper_multiplicities)(void *ctx, gl_t *m, size_t n);
    void *tamper_ctx;
    /* TESTING ONLY: called on the wire values on H (W columns of n values,
     * blinding rows filled) before the multiplicities are counted, to set
     * cells one by one (a copy constraint can be broken only here) */
    void (*tamper_wires)(void *ctx, gl_t **cols, size_t ncols, size_t n);
    /* TESTING ONLY: called on the permutation batch's values on H before
     * they are committed (cols[0 .. ncols): Z, the partial products, then
     * with lookups the helpers and phi, each as (c0, c1) columns of n
     * values), to forge them (the malicious prover of the mutation tests) */
    void (*tamper_permutation)(void *ctx, gl_t **cols, size_t ncols, size_t n);
    /* TESTING ONLY: shown each batch's coefficients just before it is
     * committed (round 1 wires, 2 permutation, 3 quotient chunks and FRI
     * masks), to check the zero-knowledge randomness */
    void (*inspect_commit)(void *ctx, unsigned round, const gl_t *const *coeffs, size_t ncols, size_t n);
    /* polled between the prover's phases (NULL: never stop); true makes the
     * prover give up with "stopped on request", so a cancel need not wait
     * for a whole proof */
    bool (*should_stop)(void *ctx);
    void *stop_ctx;
    /* filled with the phases' wall times when not NULL */
    por_plonk_timings *timings;
} por_plonk_prove_opts;

/*
 * Proves: runs witness generation on w (if not done yet), commits, and fills
 * proof (free it with por_plonk_proof_free, also after a failure).  Refuses
 * (-1, *why) if generation fails or the witness does not satisfy the circuit.
 * opts may be NULL.  The heavy steps run on the pool (may be NULL).
 */
int por_plonk_prove(const por_plonk_prover *pk, por_witness *w, por_pool *pool,
                     const por_plonk_prove_opts *opts, por_plonk_proof *proof, const char **why);

/*
 * Verifies a proof against a verifier key: the proof's public inputs are
 * the statement (the caller compares them with what it expects).  Returns 0
 * if valid, else -1 and a static description in *why (if why != NULL).
 */
int por_plonk_verify(const por_plonk_vk *vk, const por_plonk_proof *proof, const char **why);
/* The same, recording every transcript operation of the verifier in log
 * (transcript.h; NULL: none), so tests can check what the challenges bind:
 * every challenge is derived before the check that uses it fails. */
int por_plonk_verify_logged(const por_plonk_vk *vk, const por_plonk_proof *proof, por_transcript_log *log,
                            const char **why);

/* Canonical encoding (see above).  0, or -1 on allocation failure. */
int por_plonk_proof_serialize(const por_plonk_proof *proof, uint8_t **out, size_t *len);
size_t por_plonk_proof_encoded_len(const por_plonk_proof *proof);
/* Parses exactly len bytes (free proof with por_plonk_proof_free even on
 * failure); 0, or -1 with *why on any malformed input. */
int por_plonk_proof_deserialize(const uint8_t *in, size_t len, por_plonk_proof *proof,
                                const char **why);

/* The transcript as the verifier starts it, up to the key: protocol, FRI
 * parameters, circuit digest (the public-input digest comes next); a
 * recursive verifier with the key pinned continues from this state. */
void por_plonk_transcript_key(por_transcript *t, const por_plonk_vk *vk);
/* The public-input digest: por_hash(POR_DOMAIN_PUBLIC_INPUTS, pis, n). */
void por_plonk_public_inputs_digest(const gl_t *pis, size_t n, por_digest *out);

#endif
