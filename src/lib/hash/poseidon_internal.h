/*
 * Poseidon internals for the tests and benchmarks: not part of the library API.
 */
#ifndef POR_POSEIDON_INTERNAL_H
#define POR_POSEIDON_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "field/field.h"

/* The permutation computed round by round exactly as specified (slow); the
 * fast poseidon_permute must agree with it on every input. */
void poseidon_permute_reference(gl_t state[12]);

/* The portable fast permutation; poseidon_permute may pick a vector one. */
void poseidon_permute_scalar(gl_t state[12]);

/* Eight permutations by eight calls of poseidon_permute_scalar, whatever the
 * CPU: the fallback of poseidon_permute_x8, testable on any machine. */
void poseidon_permute_x8_portable(gl_t states[8][12]);

/* One 8-lane implementation by number: 0 portable, 1 AVX-512F, 2 AVX-512F +
 * IFMA.  Returns 0, or -1 (states untouched) if this build or CPU cannot run
 * it; poseidon_permute_x8 uses the highest that runs. */
int poseidon_permute_x8_impl(int impl, gl_t states[8][12]);

/*
 * Pieces of the 8-lane builds on any words below 2^64, for the tests: inside
 * the permutation words are only kept below 2^64, and values >= p, or with
 * the extreme 32-bit halves that stress the bounds, arise too rarely from
 * canonical inputs to be tested through whole permutations.  Lane l of
 * every argument is one case.  Each returns 0, or -1 if this build or CPU
 * cannot run the piece (or an argument is out of range).
 */

/* xy = x * y and xx = x^2 (mod p), below 2^64: the S-box multiplications
 * (shared by builds 1 and 2). */
int poseidon_x8_test_mul(const uint64_t x[8], const uint64_t y[8], uint64_t xy[8], uint64_t xx[8]);

/* Build impl's MDS layer of full round `round` (0-6) on S-box outputs y,
 * with the constants of the round after it added (none after round 6):
 * out below 2^64, congruent to MDS * y + those constants. */
int poseidon_x8_test_mds(int impl, int round, const uint64_t y[12][8], uint64_t out[12][8]);

/* Build impl's dot product of the partial rounds and dense layers:
 * out = add + sum_q c[q] x[q] (mod p), below 2^64, for 1 <= n <= 12 terms
 * and canonical c[q] and add. */
int poseidon_x8_test_dot(int impl, int n, const uint64_t *c, uint64_t add, const uint64_t (*x)[8], uint64_t out[8]);

/*
 * 8-lane layers of the fast permutations (builds 1 and 2), for code that
 * runs the rounds its own way: the Poseidon gate's 8-point evaluation
 * (gate_poseidon.c).  Words are word-major, x[i][lane], or x[i * stride +
 * lane] where a stride is given; "nc" words are any words below 2^64,
 * standing for their value mod p.
 */
/* Layers of the mds function below: the second half's first, and the MDS
 * with nothing added. */
#define POSEIDON_X8_MDS_SECOND_HALF 3
#define POSEIDON_X8_MDS_ALONE 6
/* Most columns of a poseidon_x8_dense matrix. */
#define POSEIDON_X8_DENSE_MAX_COLS 48

/* A matrix of constants prepared for the dense layer (of both builds). */
typedef struct poseidon_x8_dense poseidon_x8_dense;

typedef struct {
    /* y[i] = (x[i] + add[i])^7 for i < n, x with a stride: x nc, add
     * canonical (NULL: none); y nc. */
    void (*sbox)(int n, const uint64_t *x, size_t stride, const uint64_t *add, uint64_t (*y)[8]);
    /* out = MDS * y (y nc) plus the constants of the next full round, out
     * nc: layers 0-2 are full rounds 0-2 (adding those of rounds 1-3),
     * layers 3-6 rounds 26-29 of the second half (adding those of 27-29;
     * layer 6, the last, adds none: the MDS alone). */
    void (*mds)(int layer, const uint64_t (*y)[8], uint64_t (*out)[8]);
    /* out[q] = add[q] + sum_{k < len[q]} m[q][k] x[k] for the rows of d; x
     * (d's column count of words) nc, out nc. */
    void (*dense)(const poseidon_x8_dense *d, const uint64_t (*x)[8], uint64_t (*out)[8]);
    /* out[i] = s[i] - w[i] (mod p) for i < n, w with a stride: s nc, w
     * canonical; out canonical. */
    void (*sub)(int n, const uint64_t (*s)[8], const uint64_t *w, size_t stride, uint64_t (*out)[8]);
} poseidon_x8_layers;

/* The layers of build impl (1 AVX-512F, 2 AVX-512F + IFMA), or NULL if this
 * build or CPU cannot run it. */
const poseidon_x8_layers *poseidon_x8_layers_of(int impl);

/*
 * Prepares a rows x cols matrix m (row-major, any words: reduced mod p) whose
 * row q uses its first len[q] columns (1 <= len[q] <= cols; the rest of the
 * row is not read), with row constants add (NULL: zero), for every build's
 * dense layer.  rows >= 1, 1 <= cols <= POSEIDON_X8_DENSE_MAX_COLS.  NULL if an
 * argument is out of range or memory runs out.
 */
poseidon_x8_dense *poseidon_x8_dense_new(int rows, int cols, const uint64_t *m, const unsigned *len,
                                         const uint64_t *add);
/* Frees d (NULL: nothing). */
void poseidon_x8_dense_free(poseidon_x8_dense *d);

/*
 * The Poseidon gate's eval_base_x8 (gates.h; wires lane-major with stride,
 * out[c * 8 + lane]) by implementation: 0 portable (eval_base lane by lane),
 * 1 AVX-512F, 2 AVX-512F + IFMA.  Returns 0, or -1 (out untouched) if this
 * build or CPU cannot run it; the gate's eval_base_x8 uses the highest that
 * runs.
 */
int poseidon_gate_eval_x8_impl(int impl, const gl_t *wires, size_t stride, gl_t *out);

#endif
