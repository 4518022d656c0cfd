/*
 * The random-access gate (gates.h has the layout and the bits' contract):
 * each copy's constraint is the multilinear fold of its 2^k items by its k
 * bits, minus its output.  Degree k + 1: the fold multiplies up to k bits
 * into an item.
 */
#include "plonk/circuit_ext.h"
#include "plonk/gates.h"

#define MAX_BITS 4
#define MAX_ITEMS (1u << MAX_BITS)

static const char *ra_init(por_gate *g, unsigned w, unsigned r, unsigned k)
{
    (void)w, (void)k;
    if (g->params[2] || g->params[3])
        return "random-access gate takes two parameters";
    if (!g->params[0])
        g->params[0] = MAX_BITS;
    if (g->params[0] > MAX_BITS)
        return "random-access gate: at most 4 bits";
    unsigned per = por_random_access_copy_wires(g->params[0]);
    if (!g->params[1])
        g->params[1] = r / per;
    if (g->params[1] == 0 || g->params[1] * per > r)
        return "random-access gate: its copies do not fit the routed wires";
    g->num_wires = g->params[1] * per;
    g->num_constraints = g->params[1];
    g->degree = g->params[0] + 1;
    return NULL;
}

/* Copy cp's fold of its items by its bits. */
static gl_t fold_base(const por_gate *g, const gl_t *w, unsigned cp)
{
    unsigned k = por_random_access_bits(g);
    gl_t v[MAX_ITEMS];
    for (unsigned j = 0; j < (1u << k); j++)
        v[j] = w[por_random_access_item(g, cp, j)];
    for (unsigned i = 0, n = 1u << k; i < k; i++, n >>= 1) {
        gl_t b = w[por_random_access_bit(g, cp, i)];
        for (unsigned j = 0; j < n / 2; j++)
            v[j] = gl_add(v[2 * j], gl_mul(b, gl_sub(v[2 * j + 1], v[2 * j])));
    }
    return v[0];
}

static void ra_eval_base(const por_gate *g, const gl_t *w, const gl_t *c, const gl_t *pi, gl_t *out)
{
    (void)c, (void)pi;
    for (unsigned cp = 0; cp < g->params[1]; cp++)
        out[cp] = gl_sub(fold_base(g, w, cp), w[por_random_access_out(g, cp)]);
}

static void ra_eval_ext(const por_gate *g, const gl2_t *w, const gl2_t *c, const gl2_t *pi, gl2_t *out)
{
    (void)c, (void)pi;
    unsigned k = por_random_access_bits(g);
    for (unsigned cp = 0; cp < g->params[1]; cp++) {
        gl2_t v[MAX_ITEMS];
        for (unsigned j = 0; j < (1u << k); j++)
            v[j] = w[por_random_access_item(g, cp, j)];
        for (unsigned i = 0, n = 1u << k; i < k; i++, n >>= 1) {
            gl2_t b = w[por_random_access_bit(g, cp, i)];
            for (unsigned j = 0; j < n / 2; j++)
                v[j] = gl2_add(v[2 * j], gl2_mul(b, gl2_sub(v[2 * j + 1], v[2 * j])));
        }
        out[cp] = gl2_sub(v[0], w[por_random_access_out(g, cp)]);
    }
}

/* In-circuit: the same fold, 2 extension operations per pair. */
static void ra_eval_circuit(const por_gate *g, por_builder *b, const por_ext_target *w, const por_ext_target *c,
                            const por_ext_target *pi, por_ext_target *out)
{
    (void)c, (void)pi;
    unsigned k = por_random_access_bits(g);
    for (unsigned cp = 0; cp < g->params[1]; cp++) {
        por_ext_target v[MAX_ITEMS];
        for (unsigned j = 0; j < (1u << k); j++)
            v[j] = w[por_random_access_item(g, cp, j)];
        for (unsigned i = 0, n = 1u << k; i < k; i++, n >>= 1) {
            por_ext_target bit = w[por_random_access_bit(g, cp, i)];
            for (unsigned j = 0; j < n / 2; j++)
                v[j] = por_ext_mul_add(b, bit, por_ext_sub(b, v[2 * j + 1], v[2 * j]), v[2 * j]);
        }
        out[cp] = por_ext_sub(b, v[0], w[por_random_access_out(g, cp)]);
    }
}

static unsigned ra_num_generators(const por_gate *g) { return g->params[1]; }

static void ra_io(const por_gate *g, unsigned cp, por_gate_io *io)
{
    unsigned k = por_random_access_bits(g);
    io->n_in = 0;
    for (unsigned j = 0; j < (1u << k); j++)
        io->in[io->n_in++] = (uint16_t)por_random_access_item(g, cp, j);
    for (unsigned i = 0; i < k; i++)
        io->in[io->n_in++] = (uint16_t)por_random_access_bit(g, cp, i);
    io->n_out = 1;
    io->out[0] = (uint16_t)por_random_access_out(g, cp);
}

/* out = the fold (the selected item for boolean bits). */
static void ra_generate(const por_gate *g, unsigned cp, const gl_t *c, gl_t *w)
{
    (void)c;
    w[por_random_access_out(g, cp)] = fold_base(g, w, cp);
}

const por_gate_vtable por_gate_random_access_vt = {
    .kind = POR_GATE_RANDOM_ACCESS, .name = "random-access", .init = ra_init,
    .eval_base = ra_eval_base, .eval_ext = ra_eval_ext, .eval_base_x8 = por_gate_eval_base_by_lane,
    .num_generators = ra_num_generators, .generator_io = ra_io,
    .generate = ra_generate, .eval_circuit = ra_eval_circuit,
};
