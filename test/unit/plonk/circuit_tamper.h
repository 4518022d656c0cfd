/*
 * A malicious prover for circuit tests: it picks the value of some targets
 * (pins them) and computes every other generated wire honestly from its
 * gate generator's inputs, so the only rows that can fail are those where a
 * pinned value meets a constraint.  Used to show that a gadget's result is
 * constrained (a tampered result is rejected by por_circuit_check_witness)
 * and that an honest witness re-derives to itself.
 */
#ifndef POR_TEST_CIRCUIT_TAMPER_H
#define POR_TEST_CIRCUIT_TAMPER_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "plonk/circuit.h"

static inline size_t tamper_cell_slot(const por_circuit *c, size_t row, unsigned col)
{
    return por_circuit_slot(c, (por_target){(uint32_t)(row * c->config.num_wires + col)});
}

/* Re-derives what the gates' generators compute in w (generated), except
 * the slots in pinned[0..np) and those of constant wires, until nothing
 * changes. */
static inline void tamper_rederive(const por_circuit *c, por_witness *w, const size_t *pinned, size_t np)
{
    uint8_t *pin = calloc(c->num_slots + 1, 1);
    if (!pin)
        abort();
    for (size_t i = 0; i < np; i++)
        pin[pinned[i]] = 1;
    for (size_t r = 0; r < c->n; r++)
        if (c->row_type[r] != POR_ROW_NOOP && c->gate_types[c->row_type[r]].vt == &por_gate_constant_vt)
            for (unsigned k = 0; k < c->gate_types[c->row_type[r]].params[0]; k++)
                pin[tamper_cell_slot(c, r, k)] = 1;
    const size_t K = c->config.num_constants;
    static por_gate_io io;
    gl_t row[POR_MAX_WIRES];
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t r = 0; r < c->n; r++) {
            if (c->row_type[r] == POR_ROW_NOOP)
                continue;
            const por_gate *g = &c->gate_types[c->row_type[r]];
            for (unsigned k = 0; k < g->vt->num_generators(g); k++) {
                g->vt->generator_io(g, k, &io);
                for (unsigned j = 0; j < c->config.num_wires; j++)
                    row[j] = por_witness_wire(w, r, j);
                g->vt->generate(g, k, c->row_consts + r * K, row);
                for (unsigned i = 0; i < io.n_out; i++) {
                    size_t s = tamper_cell_slot(c, r, io.out[i]);
                    if (!pin[s] && w->values[s] != row[io.out[i]])
                        w->values[s] = row[io.out[i]], changed = true;
                }
            }
        }
    }
    free(pin);
}

/* Sets target t to v (pinned with the extra pins), re-derives, and tells
 * whether the witness still satisfies every row. */
static inline bool tamper_accepted(const por_circuit *c, const por_witness *honest, por_target t, gl_t v,
                                   const size_t *pins, size_t np)
{
    por_witness *w = por_witness_new(c);
    size_t *all = malloc((np + 1) * sizeof(size_t));
    if (!w || !all)
        abort();
    memcpy(w->values, honest->values, c->num_slots * sizeof(gl_t));
    memcpy(w->known, honest->known, c->num_slots);
    w->generated = true;
    all[0] = por_circuit_slot(c, t);
    for (size_t i = 0; i < np; i++)
        all[i + 1] = pins[i];
    w->values[all[0]] = v;
    tamper_rederive(c, w, all, np + 1);
    size_t bad;
    const char *why;
    bool accepted = por_circuit_check_witness(c, w, &bad, &why) == 0;
    por_witness_free(w);
    free(all);
    return accepted;
}

#endif
