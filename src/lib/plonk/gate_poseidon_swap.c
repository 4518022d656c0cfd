/*
 * The Poseidon-swap gate (gates.h has the layout): a Merkle path step in one
 * row.  Every evaluation maps the row onto a Poseidon-gate row (input
 * (a + delta) || (b - delta) || 0^4, the 4 outputs, the 106 S-box input
 * wires; the unused outputs 4..11 as zeros, their constraints dropped) and
 * runs the Poseidon gate's own evaluation on it, so the permutation's
 * constraints exist once, in gate_poseidon.c; the swap's two constraint
 * families are added here.
 */
#include <string.h>

#include "plonk/circuit_ext.h"
#include "plonk/gates.h"

#define SBOX_WIRES (POR_POSEIDON_GATE_WIRES - 24)   /* the Poseidon gate's S-box input wires */
#define FIRST_SBOX_WIRE (POR_POSEIDON_SWAP_GATE_ROUTED + 4)
#define POSEIDON_OUTPUTS_KEPT 4
/* Constraint order: the S-box inputs, the 4 outputs, s^2 - s, the 4 deltas. */
#define C_BOOL (SBOX_WIRES + POSEIDON_OUTPUTS_KEPT)
#define C_DELTA (C_BOOL + 1)

_Static_assert(FIRST_SBOX_WIRE + SBOX_WIRES == POR_POSEIDON_SWAP_GATE_WIRES, "layout");
_Static_assert(C_DELTA + 4 == POR_POSEIDON_SWAP_GATE_CONSTRAINTS, "constraint count");

static const char *swap_init(por_gate *g, unsigned w, unsigned r, unsigned k)
{
    (void)k;
    for (unsigned i = 0; i < POR_GATE_MAX_PARAMS; i++)
        if (g->params[i])
            return "poseidon-swap gate takes no parameters";
    if (w < POR_POSEIDON_SWAP_GATE_WIRES || r < POR_POSEIDON_SWAP_GATE_ROUTED)
        return "poseidon-swap gate needs 123 wires, 13 of them routed";
    g->num_wires = POR_POSEIDON_SWAP_GATE_WIRES;
    g->num_constraints = POR_POSEIDON_SWAP_GATE_CONSTRAINTS;
    g->degree = 7;
    return NULL;
}

/* Column of the Poseidon-gate row that wire j of a swap row lands in (the
 * a, b, s and delta wires enter the input by arithmetic instead). */
static unsigned poseidon_column(unsigned j)
{
    return j >= FIRST_SBOX_WIRE ? 24 + (j - FIRST_SBOX_WIRE) : por_poseidon_gate_out(j - por_poseidon_swap_out(0));
}

/* Whether wire j (< 123) is copied as it is: the outputs and S-box inputs. */
static bool is_mapped(unsigned j)
{
    return (j >= por_poseidon_swap_out(0) && j < por_poseidon_swap_delta(0)) || j >= FIRST_SBOX_WIRE;
}

/* The Poseidon-gate row of swap row w (base field). */
static void poseidon_row(const gl_t *w, gl_t *v)
{
    memset(v, 0, POR_POSEIDON_GATE_WIRES * sizeof(gl_t));
    for (unsigned i = 0; i < 4; i++) {
        gl_t d = w[por_poseidon_swap_delta(i)];
        v[i] = gl_add(w[por_poseidon_swap_in(i)], d);
        v[4 + i] = gl_sub(w[por_poseidon_swap_in(4 + i)], d);
    }
    for (unsigned j = 0; j < POR_POSEIDON_SWAP_GATE_WIRES; j++)
        if (is_mapped(j))
            v[poseidon_column(j)] = w[j];
}

static void swap_eval_base(const por_gate *g, const gl_t *w, const gl_t *c, const gl_t *pi, gl_t *out)
{
    (void)g;
    gl_t v[POR_POSEIDON_GATE_WIRES], o[POR_POSEIDON_GATE_CONSTRAINTS];
    poseidon_row(w, v);
    por_gate_poseidon_vt.eval_base(NULL, v, c, pi, o); /* the Poseidon gate has no parameters */
    memcpy(out, o, C_BOOL * sizeof(gl_t));
    gl_t s = w[por_poseidon_swap_bit()];
    out[C_BOOL] = gl_sub(gl_sqr(s), s);
    for (unsigned i = 0; i < 4; i++)
        out[C_DELTA + i] = gl_sub(gl_mul(s, gl_sub(w[por_poseidon_swap_in(4 + i)], w[por_poseidon_swap_in(i)])),
                                  w[por_poseidon_swap_delta(i)]);
}

static void swap_eval_ext(const por_gate *g, const gl2_t *w, const gl2_t *c, const gl2_t *pi, gl2_t *out)
{
    (void)g;
    gl2_t v[POR_POSEIDON_GATE_WIRES], o[POR_POSEIDON_GATE_CONSTRAINTS];
    memset(v, 0, sizeof(v));
    for (unsigned i = 0; i < 4; i++) {
        gl2_t d = w[por_poseidon_swap_delta(i)];
        v[i] = gl2_add(w[por_poseidon_swap_in(i)], d);
        v[4 + i] = gl2_sub(w[por_poseidon_swap_in(4 + i)], d);
    }
    for (unsigned j = 0; j < POR_POSEIDON_SWAP_GATE_WIRES; j++)
        if (is_mapped(j))
            v[poseidon_column(j)] = w[j];
    por_gate_poseidon_vt.eval_ext(NULL, v, c, pi, o);
    memcpy(out, o, C_BOOL * sizeof(gl2_t));
    gl2_t s = w[por_poseidon_swap_bit()];
    out[C_BOOL] = gl2_sub(gl2_sqr(s), s);
    for (unsigned i = 0; i < 4; i++)
        out[C_DELTA + i] = gl2_sub(gl2_mul(s, gl2_sub(w[por_poseidon_swap_in(4 + i)], w[por_poseidon_swap_in(i)])),
                                   w[por_poseidon_swap_delta(i)]);
}

/*
 * Eight points: the Poseidon rows of the 8 lanes, lane-major, through the
 * Poseidon gate's vectorized evaluation (the quotient's cost is the
 * permutation's; the mapping is 123 x 8 copies), then the swap constraints.
 */
static void swap_eval_base_x8(const por_gate *g, const gl_t *w, const gl_t *c, size_t stride, const gl_t *pi,
                              gl_t *out)
{
    (void)g;
    enum { L = POR_GATE_LANES };
    gl_t v[POR_POSEIDON_GATE_WIRES * L], o[POR_POSEIDON_GATE_CONSTRAINTS * L];
    memset(v, 0, sizeof(v));
    const gl_t *s = w + (size_t)por_poseidon_swap_bit() * stride;
    for (unsigned i = 0; i < 4; i++) {
        const gl_t *a = w + (size_t)por_poseidon_swap_in(i) * stride, *b = w + (size_t)por_poseidon_swap_in(4 + i) * stride;
        const gl_t *d = w + (size_t)por_poseidon_swap_delta(i) * stride;
        for (unsigned p = 0; p < L; p++) {
            v[i * L + p] = gl_add(a[p], d[p]);
            v[(4 + i) * L + p] = gl_sub(b[p], d[p]);
            out[(C_DELTA + i) * L + p] = gl_sub(gl_mul(s[p], gl_sub(b[p], a[p])), d[p]);
        }
    }
    for (unsigned j = 0; j < POR_POSEIDON_SWAP_GATE_WIRES; j++)
        if (is_mapped(j))
            memcpy(v + poseidon_column(j) * L, w + (size_t)j * stride, L * sizeof(gl_t));
    por_gate_poseidon_vt.eval_base_x8(NULL, v, c, L, pi, o);
    memcpy(out, o, C_BOOL * L * sizeof(gl_t));
    for (unsigned p = 0; p < L; p++)
        out[C_BOOL * L + p] = gl_sub(gl_sqr(s[p]), s[p]);
}

/* In-circuit: the same mapping on extension targets (8 extension additions
 * for the input), the Poseidon gate's eval_circuit, the swap constraints. */
static void swap_eval_circuit(const por_gate *g, por_builder *b, const por_ext_target *w, const por_ext_target *c,
                              const por_ext_target *pi, por_ext_target *out)
{
    (void)g;
    por_ext_target v[POR_POSEIDON_GATE_WIRES], o[POR_POSEIDON_GATE_CONSTRAINTS];
    por_ext_target zero = por_ext_zero(b);
    for (unsigned j = 0; j < POR_POSEIDON_GATE_WIRES; j++)
        v[j] = zero;
    for (unsigned i = 0; i < 4; i++) {
        por_ext_target d = w[por_poseidon_swap_delta(i)];
        v[i] = por_ext_add(b, w[por_poseidon_swap_in(i)], d);
        v[4 + i] = por_ext_sub(b, w[por_poseidon_swap_in(4 + i)], d);
    }
    for (unsigned j = 0; j < POR_POSEIDON_SWAP_GATE_WIRES; j++)
        if (is_mapped(j))
            v[poseidon_column(j)] = w[j];
    por_gate_poseidon_vt.eval_circuit(NULL, b, v, c, pi, o);
    memcpy(out, o, C_BOOL * sizeof(por_ext_target));
    por_ext_target s = w[por_poseidon_swap_bit()];
    out[C_BOOL] = por_ext_mul_sub(b, s, s, s);
    for (unsigned i = 0; i < 4; i++) {
        por_ext_target diff = por_ext_sub(b, w[por_poseidon_swap_in(4 + i)], w[por_poseidon_swap_in(i)]);
        out[C_DELTA + i] = por_ext_mul_sub(b, s, diff, w[por_poseidon_swap_delta(i)]);
    }
}

static unsigned swap_num_generators(const por_gate *g) { (void)g; return 1; }

static void swap_io(const por_gate *g, unsigned k, por_gate_io *io)
{
    (void)g, (void)k;
    io->n_in = 9;
    for (unsigned i = 0; i < 8; i++)
        io->in[i] = (uint16_t)por_poseidon_swap_in(i);
    io->in[8] = (uint16_t)por_poseidon_swap_bit();
    io->n_out = POR_POSEIDON_SWAP_GATE_WIRES - 9;
    for (unsigned i = 0; i < io->n_out; i++)
        io->out[i] = (uint16_t)(9 + i);
}

/* delta from (a, b, s), then the Poseidon gate's generator on the mapped row
 * (for a non-boolean s the row is generated all the same and s^2 - s fails). */
static void swap_generate(const por_gate *g, unsigned k, const gl_t *c, gl_t *w)
{
    (void)g, (void)k;
    gl_t s = w[por_poseidon_swap_bit()], v[POR_POSEIDON_GATE_WIRES];
    for (unsigned i = 0; i < 4; i++)
        w[por_poseidon_swap_delta(i)] = gl_mul(s, gl_sub(w[por_poseidon_swap_in(4 + i)], w[por_poseidon_swap_in(i)]));
    poseidon_row(w, v);
    por_gate_poseidon_vt.generate(NULL, 0, c, v);
    for (unsigned j = 0; j < POR_POSEIDON_SWAP_GATE_WIRES; j++)
        if (is_mapped(j))
            w[j] = v[poseidon_column(j)];
}

const por_gate_vtable por_gate_poseidon_swap_vt = {
    .kind = POR_GATE_POSEIDON_SWAP, .name = "poseidon-swap", .init = swap_init,
    .eval_base = swap_eval_base, .eval_base_x8 = swap_eval_base_x8, .eval_ext = swap_eval_ext,
    .num_generators = swap_num_generators, .generator_io = swap_io,
    .generate = swap_generate, .eval_circuit = swap_eval_circuit,
};
