/* A small circuit with range lookups, zero knowledge and a public sum, for
 * the malicious-prover and zero-knowledge tests (test_forged_plonk.c,
 * test_zk_ingredients.c). */
#ifndef POR_TEST_LOOKUP_FIXTURE_H
#define POR_TEST_LOOKUP_FIXTURE_H

#include <string.h>

#include "plonk/circuit.h"
#include "plonk/plonk.h"
#include "proof_fixtures.h"

enum { T_BITS = 8, FIRST = 40, B_BITS = 20, VALUES = 24 };

typedef struct {
    por_circuit *c;
    por_plonk_prover *pk;
    por_target in[VALUES];
    size_t row;       /* the first range-lookup row */
    por_gate gate;
} fixture;

static inline bool fixture_build(fixture *f)
{
    memset(f, 0, sizeof(*f));
    por_circuit_config cfg;
    test_fast_config(&cfg);
    cfg.zero_knowledge = true;
    cfg.lookup_bits = T_BITS;
    cfg.lookup_first_wire = FIRST;
    const uint32_t params[4] = {B_BITS, T_BITS, FIRST, 0};
    if (por_gate_init(&f->gate, &por_gate_range_lookup_vt, params, cfg.num_wires, cfg.num_routed_wires,
                      cfg.num_constants) != NULL)
        return false;
    por_builder *b = por_builder_new(&cfg);
    unsigned per_row = f->gate.params[3];
    por_target sum = por_builder_zero(b);
    size_t row = 0;
    for (size_t i = 0; i < VALUES; i++) {
        f->in[i] = por_builder_add_virtual(b);
        if (i % per_row == 0)
            row = por_builder_add_gate(b, &por_gate_range_lookup_vt, f->gate.params, NULL);
        if (i == 0)
            f->row = row;
        por_builder_connect(b, f->in[i], por_builder_wire(b, row, (unsigned)(i % per_row)));
        sum = por_builder_add(b, sum, f->in[i]);
    }
    por_builder_register_public_input(b, sum);
    const char *why;
    f->c = por_builder_build(b, &why);
    por_builder_free(b);
    f->pk = f->c ? por_plonk_setup(f->c, NULL, &why) : NULL;
    return f->pk != NULL;
}

static inline void fixture_free(fixture *f)
{
    por_plonk_prover_free(f->pk);
    por_circuit_free(f->c);
}

/* A witness of random in-range inputs, generated; input `at` (if < VALUES)
 * set to v instead (v may be out of range: a malicious witness). */
static inline por_witness *fixture_witness(const fixture *f, uint64_t *seed, size_t at, gl_t v)
{
    por_witness *w = por_witness_new(f->c);
    for (size_t i = 0; i < VALUES; i++)
        por_witness_set(w, f->in[i], i == at ? v : test_rand_u64(seed) & ((1u << B_BITS) - 1));
    const char *why;
    if (por_witness_generate(w, &why) != 0) {
        por_witness_free(w);
        return NULL;
    }
    return w;
}

#endif
