/* Shared fixtures of the proof-system tests: deterministic randomness and FRI parameters. */
#ifndef POR_TEST_PROOF_FIXTURES_H
#define POR_TEST_PROOF_FIXTURES_H

#include <string.h>

#include "por/batch.h"
#include "plonk/circuit.h"
#include "field/field.h"
#include "commit/fri.h"
#include "tap.h"

/* A por_rand_fn from a splitmix64 seed (ctx: uint64_t *), so salts and blinding reproduce. */
static inline int test_rand_fields(void *ctx, gl_t *out, size_t n)
{
    uint64_t *s = ctx;
    for (size_t i = 0; i < n; i++)
        out[i] = gl_from_u64(test_rand_u64(s));
    return 0;
}

/* 2 queries, 1 grinding bit and caps of 2: the same circuits and arguments,
 * proven in a fraction of the time. */
static inline void test_make_fast(por_circuit_config *cfg)
{
    cfg->num_queries = 2;
    cfg->pow_bits = 1;
    cfg->cap_height = 1;
}

/* The default configuration, made fast. */
static inline void test_fast_config(por_circuit_config *cfg)
{
    por_circuit_config_default(cfg);
    test_make_fast(cfg);
}

/* The batch circuits' production configuration (rate 1/4, so the quotient
 * runs on an extension of the committed LDE), made fast. */
static inline void test_fast_batch_config(por_circuit_config *cfg)
{
    por_batch_config_default(cfg);
    test_make_fast(cfg);
}

/* FRI parameters with explicit reduction arities (por_fri_params_init picks them itself). */
static inline void test_fri_params(por_fri_params *p, unsigned degree_bits, unsigned rate, unsigned cap,
                                   unsigned queries, unsigned pow, const unsigned *arities, unsigned nred)
{
    memset(p, 0, sizeof(*p));
    p->degree_bits = degree_bits;
    p->rate_bits = rate;
    p->cap_height = cap;
    p->num_queries = queries;
    p->pow_bits = pow;
    p->num_reductions = nred;
    unsigned sum = 0;
    for (unsigned k = 0; k < nred; k++)
        sum += p->reduction_bits[k] = arities[k];
    p->final_poly_bits = degree_bits - sum;
}

#endif
