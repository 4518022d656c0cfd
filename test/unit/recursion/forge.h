/*
 * Malicious witnesses for the recursion gadgets' soundness tests.
 *
 * forge_witness builds a witness in which some targets hold values of the
 * test's choice (inputs, and hints a cheating prover would pick) and every
 * other value is what generation computes from them, except that where two
 * generators (or a generator and a fixed value) disagree on a copy class the
 * first value stays (generation proper stops there with a conflict).  So the
 * forged witness violates exactly the constraints the chosen values violate,
 * and a test can assert that por_circuit_check_witness rejects it, and that
 * with the gadget's check removed (a mutant) it would pass.
 */
#ifndef POR_TEST_FORGE_H
#define POR_TEST_FORGE_H

#include <stdlib.h>
#include <string.h>

#include "plonk/circuit.h"
#include "plonk/plonk.h"

/* Runs generator g if all its inputs are known; returns 1 if it ran. */
static inline int forge_run(por_witness *w, const por_generator *g, int *changed)
{
    const por_circuit *c = w->c;
    const size_t W = c->config.num_wires;
    gl_t in[POR_MAX_WIRES], out[POR_MAX_WIRES];
    size_t out_slot[POR_MAX_WIRES], nout;
    if (g->kind == 0) {
        const por_gate *gt = &c->gate_types[c->row_type[g->row]];
        por_gate_io io;
        gt->vt->generator_io(gt, g->k, &io);
        gl_t row[POR_MAX_WIRES];
        memset(row, 0, sizeof(row));
        for (unsigned i = 0; i < io.n_in; i++) {
            size_t s = por_circuit_slot(c, (por_target){(uint32_t)(g->row * W + io.in[i])});
            if (!w->known[s])
                return 0;
            row[io.in[i]] = w->values[s];
        }
        gt->vt->generate(gt, g->k, c->row_consts + g->row * c->config.num_constants, row);
        nout = io.n_out;
        for (unsigned i = 0; i < io.n_out; i++) {
            out_slot[i] = por_circuit_slot(c, (por_target){(uint32_t)(g->row * W + io.out[i])});
            out[i] = row[io.out[i]];
        }
    } else {
        if (g->n_in > POR_MAX_WIRES || g->n_out > POR_MAX_WIRES)
            return 0;
        for (size_t i = 0; i < g->n_in; i++) {
            size_t s = por_circuit_slot(c, c->gen_targets[g->in_off + i]);
            if (!w->known[s])
                return 0;
            in[i] = w->values[s];
        }
        memset(out, 0, sizeof(out));
        if (g->fn(c->gen_ctx + g->ctx_off, in, out) != 0)
            return 1; /* a failing hint writes nothing */
        nout = g->n_out;
        for (size_t i = 0; i < nout; i++)
            out_slot[i] = por_circuit_slot(c, c->gen_targets[g->out_off + i]);
    }
    for (size_t i = 0; i < nout; i++)
        if (!w->known[out_slot[i]]) {
            w->values[out_slot[i]] = gl_from_u64(out[i]);
            w->known[out_slot[i]] = 1;
            *changed = 1;
        }
    return 1;
}

/* Completes a witness whose inputs are set, as described above. */
static inline void forge_complete(por_witness *w)
{
    const por_circuit *c = w->c;
    uint8_t *done = calloc(c->num_generators + 1, 1);
    if (!done)
        abort();
    int changed = 1;
    while (changed) {
        changed = 0;
        for (size_t g = 0; g < c->num_generators; g++)
            if (!done[g])
                done[g] = (uint8_t)forge_run(w, &c->generators[g], &changed);
    }
    free(done);
    w->generated = true;
}

/* A forged witness from n (target, value) pairs (the first value of a copy
 * class stays). */
static inline por_witness *forge_witness(const por_circuit *c, const por_target *fixed, const gl_t *vals, size_t n)
{
    por_witness *w = por_witness_new(c);
    if (!w)
        abort();
    for (size_t i = 0; i < n; i++) {
        size_t s = por_circuit_slot(c, fixed[i]);
        if (s != SIZE_MAX && !w->known[s]) {
            w->values[s] = vals[i];
            w->known[s] = 1;
        }
    }
    forge_complete(w);
    return w;
}

/* The honest witness from n (target, value) pairs: NULL (and *why) if a value
 * cannot be set or generation fails. */
static inline por_witness *forge_honest(const por_circuit *c, const por_target *t, const gl_t *v, size_t n,
                                        const char **why)
{
    por_witness *w = por_witness_new(c);
    if (!w)
        abort();
    for (size_t i = 0; i < n; i++)
        if (por_witness_set(w, t[i], v[i]) != 0) {
            *why = "an input conflicts";
            por_witness_free(w);
            return NULL;
        }
    if (por_witness_generate(w, why) != 0) {
        por_witness_free(w);
        return NULL;
    }
    return w;
}

/* Whether a forged witness satisfies every row (0) or not (-1). */
static inline int forge_check(const por_circuit *c, const por_witness *w)
{
    size_t bad;
    const char *why;
    int rc = por_circuit_check_witness(c, w, &bad, &why);
    if (rc != 0 && getenv("FORGE_DEBUG")) /* which row rejects, when a test needs explaining */
        diag("forge_check: row %zu (%s): %s", bad, c->gate_types[c->row_type[bad]].vt->name, why);
    return rc;
}

/* Proves the (possibly violating) witness with the prover's own check
 * bypassed and verifies: 0 if the proof verifies. */
static inline int forge_prove_verify(const por_circuit *c, por_witness *w, const char **why)
{
    por_plonk_prover *pk = por_plonk_setup(c, NULL, why);
    if (!pk)
        return -2;
    por_plonk_prove_opts opts = {.unchecked = true};
    por_plonk_proof proof;
    int rc = por_plonk_prove(pk, w, NULL, &opts, &proof, why);
    if (rc == 0)
        rc = por_plonk_verify(por_plonk_prover_vk(pk), &proof, why);
    else
        rc = -3;
    por_plonk_proof_free(&proof);
    por_plonk_prover_free(pk);
    return rc;
}

#endif
