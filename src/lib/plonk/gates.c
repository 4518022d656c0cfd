/*
 * PLONK gates (see gates.h): noop, constant, public input, arithmetic and
 * range check.  The Poseidon gate is in gate_poseidon.c, the balance gate in
 * gate_balance.c.
 */
#include "plonk/gates.h"

#include "field/field_x8.h"
#include "plonk/circuit_ext.h"

#include <string.h>

const char *por_gate_init(por_gate *g, const por_gate_vtable *vt, const uint32_t *params,
                          unsigned num_wires, unsigned num_routed, unsigned num_constants)
{
    memset(g, 0, sizeof(*g));
    g->vt = vt;
    if (params)
        memcpy(g->params, params, sizeof(g->params));
    if (num_wires > POR_MAX_WIRES || num_routed > num_wires || num_constants > POR_MAX_CONSTANTS)
        return "gate: configuration out of range";
    return vt->init(g, num_wires, num_routed, num_constants);
}

bool por_gate_equal(const por_gate *a, const por_gate *b)
{
    return a->vt->kind == b->vt->kind && memcmp(a->params, b->params, sizeof(a->params)) == 0;
}

const por_gate_vtable *por_gate_vtable_of(uint32_t kind)
{
    switch (kind) {
    case POR_GATE_NOOP: return &por_gate_noop_vt;
    case POR_GATE_CONSTANT: return &por_gate_constant_vt;
    case POR_GATE_PUBLIC_INPUT: return &por_gate_public_input_vt;
    case POR_GATE_ARITHMETIC: return &por_gate_arithmetic_vt;
    case POR_GATE_POSEIDON: return &por_gate_poseidon_vt;
    case POR_GATE_RANGE: return &por_gate_range_vt;
    case POR_GATE_BALANCE: return &por_gate_balance_vt;
    case POR_GATE_RANGE_LOOKUP: return &por_gate_range_lookup_vt;
    case POR_GATE_POSEIDON_MDS: return &por_gate_poseidon_mds_vt;
    case POR_GATE_ARITHMETIC_EXT: return &por_gate_arithmetic_ext_vt;
    case POR_GATE_REDUCING: return &por_gate_reducing_vt;
    case POR_GATE_SBOX_EXT: return &por_gate_sbox_ext_vt;
    case POR_GATE_POSEIDON_SWAP: return &por_gate_poseidon_swap_vt;
    case POR_GATE_RANDOM_ACCESS: return &por_gate_random_access_vt;
    default: return NULL;
    }
}

static unsigned no_generators(const por_gate *g) { (void)g; return 0; }

static bool params_zero_from(const por_gate *g, unsigned first)
{
    for (unsigned i = first; i < POR_GATE_MAX_PARAMS; i++)
        if (g->params[i])
            return false;
    return true;
}

/* ---------------------------------------------------------------------------
 * noop
 */

static const char *noop_init(por_gate *g, unsigned w, unsigned r, unsigned k)
{
    (void)w, (void)r, (void)k;
    return params_zero_from(g, 0) ? NULL : "noop gate takes no parameters";
}
static void noop_eval_base(const por_gate *g, const gl_t *w, const gl_t *c, const gl_t *pi, gl_t *o)
{
    (void)g, (void)w, (void)c, (void)pi, (void)o;
}
static void noop_eval_ext(const por_gate *g, const gl2_t *w, const gl2_t *c, const gl2_t *pi, gl2_t *o)
{
    (void)g, (void)w, (void)c, (void)pi, (void)o;
}

void por_gate_eval_base_by_lane(const por_gate *g, const gl_t *w, const gl_t *c, size_t stride, const gl_t *pi,
                                gl_t *out)
{
    gl_t row[POR_MAX_WIRES], consts[POR_MAX_CONSTANTS], o[2 * POR_MAX_WIRES];
    for (unsigned p = 0; p < POR_GATE_LANES; p++) {
        for (unsigned j = 0; j < g->num_wires; j++)
            row[j] = w[(size_t)j * stride + p];
        for (unsigned k = 0; c && k < g->num_constants; k++)
            consts[k] = c[(size_t)k * stride + p];
        g->vt->eval_base(g, row, consts, pi, o);
        for (unsigned k = 0; k < g->num_constraints; k++)
            out[k * POR_GATE_LANES + p] = o[k];
    }
}

void por_gate_eval_base_x8_with(por_gate_x8_kernel *kernel, const por_gate *g, const gl_t *w, const gl_t *c,
                                size_t stride, const gl_t *pi, gl_t *out)
{
    if (kernel != NULL && gl_x8_use_avx512())
        kernel(g, w, c, stride, out);
    else
        por_gate_eval_base_by_lane(g, w, c, stride, pi, out);
}

static void noop_eval_base_x8(const por_gate *g, const gl_t *w, const gl_t *c, size_t stride, const gl_t *pi,
                              gl_t *o)
{
    (void)g, (void)w, (void)c, (void)stride, (void)pi, (void)o;
}

static void noop_eval_circuit(const por_gate *g, por_builder *b, const por_ext_target *w,
                              const por_ext_target *c, const por_ext_target *pi, por_ext_target *o)
{
    (void)g, (void)b, (void)w, (void)c, (void)pi, (void)o;
}

const por_gate_vtable por_gate_noop_vt = {
    .kind = POR_GATE_NOOP, .name = "noop", .init = noop_init, .eval_base = noop_eval_base,
    .eval_base_x8 = noop_eval_base_x8, .eval_ext = noop_eval_ext, .eval_circuit = noop_eval_circuit,
    .num_generators = no_generators,
};

/* The simple gates' eval_base_x8 below are plain loops over the lanes: they
 * are cheap, and having one lets the quotient skip the point-major copies
 * it makes for gates without. */

/* ---------------------------------------------------------------------------
 * constant: wire i = constant i
 */

static const char *constant_init(por_gate *g, unsigned w, unsigned r, unsigned k)
{
    (void)w;
    if (!params_zero_from(g, 1))
        return "constant gate: unknown parameter";
    if (g->params[0] == 0)
        g->params[0] = k;
    if (g->params[0] < 1 || g->params[0] > k || g->params[0] > r)
        return "constant gate: more constants than constant columns or routed wires";
    g->num_wires = g->params[0];
    g->num_constants = g->params[0];
    g->num_constraints = g->params[0];
    g->degree = 1;
    return NULL;
}
static void constant_eval_base(const por_gate *g, const gl_t *w, const gl_t *c, const gl_t *pi, gl_t *o)
{
    (void)pi;
    for (unsigned i = 0; i < g->params[0]; i++)
        o[i] = gl_sub(w[i], c[i]);
}
static void constant_eval_base_x8(const por_gate *g, const gl_t *w, const gl_t *c, size_t stride,
                                  const gl_t *pi, gl_t *o)
{
    (void)pi;
    for (unsigned i = 0; i < g->params[0]; i++)
        for (unsigned p = 0; p < POR_GATE_LANES; p++)
            o[i * POR_GATE_LANES + p] = gl_sub(w[i * stride + p], c[i * stride + p]);
}
static void constant_eval_ext(const por_gate *g, const gl2_t *w, const gl2_t *c, const gl2_t *pi,
                              gl2_t *o)
{
    (void)pi;
    for (unsigned i = 0; i < g->params[0]; i++)
        o[i] = gl2_sub(w[i], c[i]);
}
/* 2 operations per constant */
static void constant_eval_circuit(const por_gate *g, por_builder *b, const por_ext_target *w,
                                  const por_ext_target *c, const por_ext_target *pi, por_ext_target *o)
{
    (void)pi;
    for (unsigned i = 0; i < g->params[0]; i++)
        o[i] = por_ext_sub(b, w[i], c[i]);
}
static unsigned one_generator(const por_gate *g) { (void)g; return 1; }
static void constant_io(const por_gate *g, unsigned k, por_gate_io *io)
{
    (void)k;
    io->n_in = 0;
    io->n_out = g->params[0];
    for (unsigned i = 0; i < g->params[0]; i++)
        io->out[i] = (uint16_t)i;
}
static void constant_generate(const por_gate *g, unsigned k, const gl_t *c, gl_t *w)
{
    (void)k;
    for (unsigned i = 0; i < g->params[0]; i++)
        w[i] = c[i];
}

const por_gate_vtable por_gate_constant_vt = {
    .kind = POR_GATE_CONSTANT, .name = "constant", .init = constant_init,
    .eval_base = constant_eval_base, .eval_base_x8 = constant_eval_base_x8, .eval_ext = constant_eval_ext,
    .eval_circuit = constant_eval_circuit,
    .num_generators = one_generator, .generator_io = constant_io, .generate = constant_generate,
};

/* ---------------------------------------------------------------------------
 * public input: wires 0..3 = the public-input digest.  The wires are filled
 * by the in-circuit hash they are wired to, so the gate has no generator.
 */

static const char *pi_init(por_gate *g, unsigned w, unsigned r, unsigned k)
{
    (void)w, (void)k;
    if (!params_zero_from(g, 0))
        return "public input gate takes no parameters";
    if (r < 4)
        return "public input gate needs 4 routed wires";
    g->num_wires = 4;
    g->num_constraints = 4;
    g->degree = 1;
    return NULL;
}
static void pi_eval_base(const por_gate *g, const gl_t *w, const gl_t *c, const gl_t *pi, gl_t *o)
{
    (void)g, (void)c;
    for (unsigned i = 0; i < 4; i++)
        o[i] = gl_sub(w[i], pi[i]);
}
static void pi_eval_base_x8(const por_gate *g, const gl_t *w, const gl_t *c, size_t stride, const gl_t *pi,
                            gl_t *o)
{
    (void)g, (void)c;
    for (unsigned i = 0; i < 4; i++)
        for (unsigned p = 0; p < POR_GATE_LANES; p++)
            o[i * POR_GATE_LANES + p] = gl_sub(w[i * stride + p], pi[i]);
}
static void pi_eval_ext(const por_gate *g, const gl2_t *w, const gl2_t *c, const gl2_t *pi, gl2_t *o)
{
    (void)g, (void)c;
    for (unsigned i = 0; i < 4; i++)
        o[i] = gl2_sub(w[i], pi[i]);
}

/* 8 operations */
static void pi_eval_circuit(const por_gate *g, por_builder *b, const por_ext_target *w, const por_ext_target *c,
                            const por_ext_target *pi, por_ext_target *o)
{
    (void)g, (void)c;
    for (unsigned i = 0; i < 4; i++)
        o[i] = por_ext_sub(b, w[i], pi[i]);
}

const por_gate_vtable por_gate_public_input_vt = {
    .kind = POR_GATE_PUBLIC_INPUT, .name = "public_input", .init = pi_init,
    .eval_base = pi_eval_base, .eval_base_x8 = pi_eval_base_x8, .eval_ext = pi_eval_ext,
    .eval_circuit = pi_eval_circuit,
    .num_generators = no_generators,
};

/* ---------------------------------------------------------------------------
 * arithmetic: out_i = c0 x_i y_i + c1 z_i
 */

static const char *arith_init(por_gate *g, unsigned w, unsigned r, unsigned k)
{
    (void)w;
    if (!params_zero_from(g, 1))
        return "arithmetic gate: unknown parameter";
    if (g->params[0] == 0)
        g->params[0] = r / 4;
    if (g->params[0] < 1 || 4 * g->params[0] > r)
        return "arithmetic gate: operations do not fit the routed wires";
    if (k < 2)
        return "arithmetic gate needs 2 constant columns";
    g->num_wires = 4 * g->params[0];
    g->num_constants = 2;
    g->num_constraints = g->params[0];
    g->degree = 3;
    return NULL;
}
static void arith_eval_base(const por_gate *g, const gl_t *w, const gl_t *c, const gl_t *pi, gl_t *o)
{
    (void)pi;
    for (unsigned i = 0; i < g->params[0]; i++) {
        const gl_t *v = w + 4 * i;
        gl_t comp = gl_add(gl_mul(gl_mul(c[0], v[0]), v[1]), gl_mul(c[1], v[2]));
        o[i] = gl_sub(v[3], comp);
    }
}
static void arith_eval_base_x8(const por_gate *g, const gl_t *w, const gl_t *c, size_t stride, const gl_t *pi,
                               gl_t *o)
{
    (void)pi;
    for (unsigned i = 0; i < g->params[0]; i++)
        for (unsigned p = 0; p < POR_GATE_LANES; p++) {
            const gl_t *v = w + 4 * i * stride + p;
            gl_t comp = gl_add(gl_mul(gl_mul(c[p], v[0]), v[stride]), gl_mul(c[stride + p], v[2 * stride]));
            o[i * POR_GATE_LANES + p] = gl_sub(v[3 * stride], comp);
        }
}
static void arith_eval_ext(const por_gate *g, const gl2_t *w, const gl2_t *c, const gl2_t *pi,
                           gl2_t *o)
{
    (void)pi;
    for (unsigned i = 0; i < g->params[0]; i++) {
        const gl2_t *v = w + 4 * i;
        gl2_t comp = gl2_add(gl2_mul(gl2_mul(c[0], v[0]), v[1]), gl2_mul(c[1], v[2]));
        o[i] = gl2_sub(v[3], comp);
    }
}
/* out - (c0 x y + c1 z) = -(c0 p) - n with p = x y, n = c1 z - out: 12
 * operations (one arithmetic row of the outer circuit) per operation */
static void arith_eval_circuit(const por_gate *g, por_builder *b, const por_ext_target *w,
                               const por_ext_target *c, const por_ext_target *pi, por_ext_target *o)
{
    (void)pi;
    for (unsigned i = 0; i < g->params[0]; i++) {
        const por_ext_target *v = w + 4 * i;
        por_ext_target p = por_ext_mul(b, v[0], v[1]), n = por_ext_mul_sub(b, c[1], v[2], v[3]);
        o[i] = por_ext_arithmetic(b, GL_P - 1, GL_P - 1, c[0], p, n);
    }
}
static unsigned arith_num_generators(const por_gate *g) { return g->params[0]; }
static void arith_io(const por_gate *g, unsigned k, por_gate_io *io)
{
    (void)g;
    io->n_in = 3;
    io->in[0] = (uint16_t)por_arith_x(k);
    io->in[1] = (uint16_t)por_arith_y(k);
    io->in[2] = (uint16_t)por_arith_z(k);
    io->n_out = 1;
    io->out[0] = (uint16_t)por_arith_out(k);
}
static void arith_generate(const por_gate *g, unsigned k, const gl_t *c, gl_t *w)
{
    (void)g;
    gl_t *v = w + 4 * k;
    v[3] = gl_add(gl_mul(gl_mul(c[0], v[0]), v[1]), gl_mul(c[1], v[2]));
}

const por_gate_vtable por_gate_arithmetic_vt = {
    .kind = POR_GATE_ARITHMETIC, .name = "arithmetic", .init = arith_init,
    .eval_base = arith_eval_base, .eval_base_x8 = arith_eval_base_x8, .eval_ext = arith_eval_ext,
    .eval_circuit = arith_eval_circuit,
    .num_generators = arith_num_generators, .generator_io = arith_io, .generate = arith_generate,
};

/* ---------------------------------------------------------------------------
 * arithmetic over the extension: out_i = c0 x_i y_i + c1 z_i in GF(p^2), base
 * constants.  With a = x y, the components are a0 = x0 y0 + 7 x1 y1 and
 * a1 = x0 y1 + x1 y0; the evaluations below compute these polynomials of
 * the wires over whatever ring the wire values are in.
 */

static const char *arith_ext_init(por_gate *g, unsigned w, unsigned r, unsigned k)
{
    (void)w;
    if (!params_zero_from(g, 1))
        return "arithmetic-ext gate: unknown parameter";
    if (g->params[0] == 0)
        g->params[0] = r / 8;
    if (g->params[0] < 1 || 8 * g->params[0] > r)
        return "arithmetic-ext gate: operations do not fit the routed wires";
    if (k < 2)
        return "arithmetic-ext gate needs 2 constant columns";
    g->num_wires = 8 * g->params[0];
    g->num_constants = 2;
    g->num_constraints = 2 * g->params[0];
    g->degree = 3;
    return NULL;
}

static void arith_ext_eval_base(const por_gate *g, const gl_t *w, const gl_t *c, const gl_t *pi, gl_t *o)
{
    (void)pi;
    for (unsigned i = 0; i < g->params[0]; i++) {
        const gl_t *v = w + 8 * i;
        gl2_t x = {v[0], v[1]}, y = {v[2], v[3]}, z = {v[4], v[5]};
        gl2_t comp = gl2_add(gl2_mul_base(gl2_mul(x, y), c[0]), gl2_mul_base(z, c[1]));
        *o++ = gl_sub(v[6], comp.c0);
        *o++ = gl_sub(v[7], comp.c1);
    }
}

/* Eight points at once (eval_base_x8), for the quotient: arith_ext_eval_base
 * on vectors, one point per lane (the same canonical values). */
#if GL_X8_HAVE_AVX512
GL_X8_TARGET static void arith_ext_eval_x8_avx512(const por_gate *g, const gl_t *w, const gl_t *c, size_t stride,
                                                  gl_t *o)
{
    const __m512i c0 = glv8_load(c), c1 = glv8_load(c + stride);
    for (unsigned i = 0; i < g->params[0]; i++) {
        const gl_t *v = w + 8 * i * stride;
        const gl2v8 x = {glv8_load(v), glv8_load(v + stride)};
        const gl2v8 y = {glv8_load(v + 2 * stride), glv8_load(v + 3 * stride)};
        const gl2v8 z = {glv8_load(v + 4 * stride), glv8_load(v + 5 * stride)};
        const gl2v8 lane_comp = gl2v8_add(gl2v8_mul_base(gl2v8_mul(x, y), c0), gl2v8_mul_base(z, c1));
        glv8_store(o, glv8_sub(glv8_load(v + 6 * stride), lane_comp.c0));
        glv8_store(o + POR_GATE_LANES, glv8_sub(glv8_load(v + 7 * stride), lane_comp.c1));
        o += 2 * POR_GATE_LANES;
    }
}
#endif

POR_GATE_EVAL_BASE_X8(arith_ext_eval_base_x8, arith_ext_eval_x8_avx512)

static void arith_ext_eval_ext(const por_gate *g, const gl2_t *w, const gl2_t *c, const gl2_t *pi, gl2_t *o)
{
    (void)pi;
    for (unsigned i = 0; i < g->params[0]; i++) {
        const gl2_t *v = w + 8 * i;
        gl2_t a0 = gl2_add(gl2_mul(v[0], v[2]), gl2_mul_base(gl2_mul(v[1], v[3]), GL2_W));
        gl2_t a1 = gl2_add(gl2_mul(v[0], v[3]), gl2_mul(v[1], v[2]));
        *o++ = gl2_sub(v[6], gl2_add(gl2_mul(c[0], a0), gl2_mul(c[1], v[4])));
        *o++ = gl2_sub(v[7], gl2_add(gl2_mul(c[0], a1), gl2_mul(c[1], v[5])));
    }
}

/* 8 extension operations per op: a0, a1 (2 each), then out - c0 a - c1 z
 * per component as -(c0 a) - (c1 z - out) (2 each). */
static void arith_ext_eval_circuit(const por_gate *g, por_builder *b, const por_ext_target *w,
                                   const por_ext_target *c, const por_ext_target *pi, por_ext_target *o)
{
    (void)pi;
    for (unsigned i = 0; i < g->params[0]; i++) {
        const por_ext_target *v = w + 8 * i;
        por_ext_target a[2] = {por_ext_arithmetic(b, GL2_W, 1, v[1], v[3], por_ext_mul(b, v[0], v[2])),
                               por_ext_mul_add(b, v[1], v[2], por_ext_mul(b, v[0], v[3]))};
        for (unsigned comp = 0; comp < 2; comp++)
            *o++ = por_ext_arithmetic(b, GL_P - 1, GL_P - 1, c[0], a[comp], por_ext_mul_sub(b, c[1], v[4 + comp], v[6 + comp]));
    }
}

static void arith_ext_io(const por_gate *g, unsigned k, por_gate_io *io)
{
    (void)g;
    io->n_in = 6;
    for (unsigned i = 0; i < 6; i++)
        io->in[i] = (uint16_t)(8 * k + i);
    io->n_out = 2;
    io->out[0] = (uint16_t)por_arith_ext_out(k, 0);
    io->out[1] = (uint16_t)por_arith_ext_out(k, 1);
}

static void arith_ext_generate(const por_gate *g, unsigned k, const gl_t *c, gl_t *w)
{
    (void)g;
    gl_t *v = w + 8 * k;
    gl2_t r = gl2_add(gl2_mul_base(gl2_mul((gl2_t){v[0], v[1]}, (gl2_t){v[2], v[3]}), c[0]),
                      gl2_mul_base((gl2_t){v[4], v[5]}, c[1]));
    v[6] = r.c0, v[7] = r.c1;
}

const por_gate_vtable por_gate_arithmetic_ext_vt = {
    .kind = POR_GATE_ARITHMETIC_EXT, .name = "arithmetic-ext", .init = arith_ext_init,
    .eval_base = arith_ext_eval_base, .eval_base_x8 = arith_ext_eval_base_x8, .eval_ext = arith_ext_eval_ext,
    .eval_circuit = arith_ext_eval_circuit, .num_generators = arith_num_generators, .generator_io = arith_ext_io,
    .generate = arith_ext_generate,
};

/* ---------------------------------------------------------------------------
 * reducing (gates.h): acc_{i+1} = acc_i alpha + c_i over GF(p^2).  Step i's
 * constraints are acc_{i+1} - (acc_i alpha + c_i), component by component:
 *     (a0 al0 + 7 a1 al1 + c,  a0 al1 + a1 al0)
 * polynomials of the wires, written once over a ring of wire values (the
 * base field, or the extension for eval_ext) by the macro below.
 */

static const char *reducing_init(por_gate *g, unsigned w, unsigned r, unsigned k)
{
    (void)k;
    if (!params_zero_from(g, 1))
        return "reducing gate: unknown parameter";
    if (r < 7 || w < 7)
        return "reducing gate: needs 7 routed wires";
    if (g->params[0] == 0) {
        unsigned by_routed = r - 6, by_wires = (w - 4) / 3;
        g->params[0] = by_routed < by_wires ? by_routed : by_wires;
    }
    unsigned n = g->params[0];
    if (n < 1 || 6 + n > r || 3 * n + 4 > w)
        return "reducing gate: the terms do not fit the row";
    g->num_wires = 3 * n + 4;
    g->num_constraints = 2 * n;
    g->degree = 2;
    return NULL;
}

/* acc_i's component comp (acc_0 = old, acc_n = out) */
static unsigned reducing_acc_wire(const por_gate *g, unsigned i, unsigned comp)
{
    return i == 0 ? por_reducing_old(comp) : i == g->params[0] ? por_reducing_out(comp) : por_reducing_acc(g, i, comp);
}

#define REDUCING_STEPS(g, T, ADD, SUB, MUL, W7, WIRE, EMIT)                                               \
    do {                                                                                                  \
        const T al0 = WIRE(por_reducing_alpha(0)), al1 = WIRE(por_reducing_alpha(1));                     \
        for (unsigned i = 0; i < (g)->params[0]; i++) {                                                   \
            const T a0 = WIRE(reducing_acc_wire(g, i, 0)), a1 = WIRE(reducing_acc_wire(g, i, 1));        \
            T r0 = ADD(ADD(MUL(a0, al0), MUL(W7, MUL(a1, al1))), WIRE(por_reducing_coef(i)));             \
            T r1 = ADD(MUL(a0, al1), MUL(a1, al0));                                                       \
            EMIT(SUB(WIRE(reducing_acc_wire(g, i + 1, 0)), r0));                                          \
            EMIT(SUB(WIRE(reducing_acc_wire(g, i + 1, 1)), r1));                                          \
        }                                                                                                 \
    } while (0)
#define ROW_WIRE(j) w[j]
#define ROW_EMIT(v) (*o++ = (v))

static void reducing_eval_base(const por_gate *g, const gl_t *w, const gl_t *c, const gl_t *pi, gl_t *o)
{
    (void)c, (void)pi;
    REDUCING_STEPS(g, gl_t, gl_add, gl_sub, gl_mul, (gl_t)GL2_W, ROW_WIRE, ROW_EMIT);
}

/* Eight points at once (eval_base_x8), for the quotient: the same steps on
 * vectors, one point per lane (the same canonical values). */
#if GL_X8_HAVE_AVX512
#define LANE_WIRE(j) glv8_load(w + (size_t)(j) * stride)
#define LANE_EMIT(v) (glv8_store(o, (v)), o += POR_GATE_LANES)
GL_X8_TARGET static void reducing_eval_x8_avx512(const por_gate *g, const gl_t *w, const gl_t *c,
                                                 size_t stride, gl_t *o)
{
    (void)c;
    const __m512i w7 = glv8_set1(GL2_W);
    REDUCING_STEPS(g, __m512i, glv8_add, glv8_sub, glv8_mul, w7, LANE_WIRE, LANE_EMIT);
}
#endif

POR_GATE_EVAL_BASE_X8(reducing_eval_base_x8, reducing_eval_x8_avx512)

static void reducing_eval_ext(const por_gate *g, const gl2_t *w, const gl2_t *c, const gl2_t *pi, gl2_t *o)
{
    (void)c, (void)pi;
    REDUCING_STEPS(g, gl2_t, gl2_add, gl2_sub, gl2_mul, gl2_from_base(GL2_W), ROW_WIRE, ROW_EMIT);
}

/* Per step, 4 extension operations and 4 base ones. */
static void reducing_eval_circuit(const por_gate *g, por_builder *b, const por_ext_target *w,
                                  const por_ext_target *c, const por_ext_target *pi, por_ext_target *o)
{
    (void)c, (void)pi;
    const por_ext_target al0 = w[por_reducing_alpha(0)], al1 = w[por_reducing_alpha(1)];
    for (unsigned i = 0; i < g->params[0]; i++) {
        const por_ext_target a0 = w[reducing_acc_wire(g, i, 0)], a1 = w[reducing_acc_wire(g, i, 1)];
        por_ext_target r0 =
            por_ext_arithmetic(b, GL2_W, 1, a1, al1, por_ext_mul_add(b, a0, al0, w[por_reducing_coef(i)]));
        por_ext_target r1 = por_ext_mul_add(b, a1, al0, por_ext_mul(b, a0, al1));
        *o++ = por_ext_sub(b, w[reducing_acc_wire(g, i + 1, 0)], r0);
        *o++ = por_ext_sub(b, w[reducing_acc_wire(g, i + 1, 1)], r1);
    }
}

static void reducing_io(const por_gate *g, unsigned k, por_gate_io *io)
{
    (void)k;
    unsigned n = g->params[0];
    io->n_in = io->n_out = 0;
    for (unsigned comp = 0; comp < 2; comp++) {
        io->in[io->n_in++] = (uint16_t)por_reducing_alpha(comp);
        io->in[io->n_in++] = (uint16_t)por_reducing_old(comp);
    }
    for (unsigned i = 0; i < n; i++)
        io->in[io->n_in++] = (uint16_t)por_reducing_coef(i);
    for (unsigned i = 1; i <= n; i++)
        for (unsigned comp = 0; comp < 2; comp++)
            io->out[io->n_out++] = (uint16_t)reducing_acc_wire(g, i, comp);
}

static void reducing_generate(const por_gate *g, unsigned k, const gl_t *c, gl_t *w)
{
    (void)k, (void)c;
    gl2_t alpha = {w[por_reducing_alpha(0)], w[por_reducing_alpha(1)]};
    gl2_t acc = {w[por_reducing_old(0)], w[por_reducing_old(1)]};
    for (unsigned i = 0; i < g->params[0]; i++) {
        acc = gl2_add(gl2_mul(acc, alpha), gl2_from_base(w[por_reducing_coef(i)]));
        w[reducing_acc_wire(g, i + 1, 0)] = acc.c0;
        w[reducing_acc_wire(g, i + 1, 1)] = acc.c1;
    }
}

const por_gate_vtable por_gate_reducing_vt = {
    .kind = POR_GATE_REDUCING, .name = "reducing", .init = reducing_init, .eval_base = reducing_eval_base,
    .eval_base_x8 = reducing_eval_base_x8, .eval_ext = reducing_eval_ext,
    .eval_circuit = reducing_eval_circuit, .num_generators = one_generator, .generator_io = reducing_io,
    .generate = reducing_generate,
};

/* ---------------------------------------------------------------------------
 * range check: v = sum_k 4^k l_k, l_k in {0, 1, 2, 3} (top limb in {0, 1} if B is odd)
 */

unsigned por_range_default_values(unsigned bits, unsigned num_wires, unsigned num_routed)
{
    unsigned per = 1 + (bits + 1) / 2;
    unsigned v = num_wires / per;
    return v < num_routed ? v : num_routed;
}

static const char *range_init(por_gate *g, unsigned w, unsigned r, unsigned k)
{
    (void)k;
    if (!params_zero_from(g, 2))
        return "range gate: unknown parameter";
    unsigned bits = g->params[0];
    if (bits < 1 || bits > 63)
        return "range gate: bits must be 1..63";
    if (g->params[1] == 0)
        g->params[1] = por_range_default_values(bits, w, r);
    unsigned values = g->params[1], limbs = (bits + 1) / 2;
    if (values < 1 || values > r || values * (1 + limbs) > w)
        return "range gate: values do not fit the row";
    g->num_wires = values * (1 + limbs);
    g->num_constraints = values * (1 + limbs);
    g->degree = bits >= 2 ? 4 : 2;
    return NULL;
}

static void range_eval_base(const por_gate *g, const gl_t *w, const gl_t *c, const gl_t *pi, gl_t *o)
{
    (void)c, (void)pi;
    unsigned bits = g->params[0], limbs = por_range_limbs(g);
    for (unsigned v = 0; v < g->params[1]; v++) {
        const gl_t *l = w + por_range_limb_wire(g, v, 0);
        gl_t acc = 0;
        for (unsigned k = limbs; k-- > 0;)
            acc = por_times4_add(acc, l[k]);
        *o++ = gl_sub(w[v], acc);
        for (unsigned k = 0; k < limbs; k++)
            *o++ = por_limb_poly(l[k], (bits & 1) && k == limbs - 1);
    }
}
static void range_eval_ext(const por_gate *g, const gl2_t *w, const gl2_t *c, const gl2_t *pi,
                           gl2_t *o)
{
    (void)c, (void)pi;
    unsigned bits = g->params[0], limbs = por_range_limbs(g);
    for (unsigned v = 0; v < g->params[1]; v++) {
        const gl2_t *l = w + por_range_limb_wire(g, v, 0);
        gl2_t acc = {0, 0};
        for (unsigned k = limbs; k-- > 0;)
            acc = gl2_add(gl2_mul_base(acc, 4), l[k]);
        *o++ = gl2_sub(w[v], acc);
        for (unsigned k = 0; k < limbs; k++)
            *o++ = por_limb_poly_ext(l[k], (bits & 1) && k == limbs - 1);
    }
}
/*
 * Eight points at once (eval_base_x8), for the quotient: the recomposition
 * is a 128-bit sum of the limbs shifted by 2k (k < 32, so each term is below
 * 2^126 and the sum below 2^128) with one reduction; the limb polynomials as
 * por_limb_poly.  The same canonical values as range_eval_base.
 */
#if GL_X8_HAVE_AVX512
GL_X8_TARGET static void range_eval_x8_avx512(const por_gate *g, const gl_t *w, const gl_t *c, size_t stride, gl_t *o)
{
    (void)c;
    const unsigned bits = g->params[0], limbs = por_range_limbs(g);
    const __m512i one = glv8_set1(1), two = glv8_set1(2), three = glv8_set1(3);
    for (unsigned v = 0; v < g->params[1]; v++) {
        const gl_t *l = w + (size_t)por_range_limb_wire(g, v, 0) * stride;
        const __m512i value = glv8_load(w + (size_t)v * stride);
        glv8_store(o, glv8_sub(value, glv8_recompose(l, stride, limbs, 2)));
        o += POR_GATE_LANES;
        for (unsigned k = 0; k < limbs; k++) {
            const __m512i x = glv8_load(l + (size_t)k * stride);
            __m512i poly;
            if ((bits & 1) && k == limbs - 1) {
                poly = glv8_mul(x, glv8_sub(x, one)); /* a bit */
            } else {
                const __m512i t = glv8_mul(x, glv8_sub(x, three));
                poly = glv8_mul(t, glv8_add(t, two)); /* l (l - 1) (l - 2) (l - 3) */
            }
            glv8_store(o, poly);
            o += POR_GATE_LANES;
        }
    }
}
#endif

POR_GATE_EVAL_BASE_X8(range_eval_base_x8, range_eval_x8_avx512)

/* l (l - 1) for a bit, else t (t + 2) with t = l (l - 3): 4 or 8 operations */
static por_ext_target limb_poly_circuit(por_builder *b, por_ext_target l, bool bit)
{
    if (bit)
        return por_ext_mul_sub(b, l, l, l);
    por_ext_target t = por_ext_arithmetic(b, 1, GL_P - 3, l, l, l);
    return por_ext_arithmetic(b, 1, 2, t, t, t);
}

/* Per value of L limbs: 2 L operations for the sum, 8 per limb (4 for a top bit). */
static void range_eval_circuit(const por_gate *g, por_builder *b, const por_ext_target *w,
                               const por_ext_target *c, const por_ext_target *pi, por_ext_target *o)
{
    (void)c, (void)pi;
    unsigned bits = g->params[0], limbs = por_range_limbs(g);
    for (unsigned v = 0; v < g->params[1]; v++) {
        const por_ext_target *l = w + por_range_limb_wire(g, v, 0);
        por_ext_target acc = l[limbs - 1];
        for (unsigned k = limbs - 1; k-- > 0;)
            acc = por_ext_scalar_mul_add(b, 4, acc, l[k]);
        *o++ = por_ext_sub(b, w[v], acc);
        for (unsigned k = 0; k < limbs; k++)
            *o++ = limb_poly_circuit(b, l[k], (bits & 1) && k == limbs - 1);
    }
}
static unsigned range_num_generators(const por_gate *g) { return g->params[1]; }
static void range_io(const por_gate *g, unsigned k, por_gate_io *io)
{
    io->n_in = 1;
    io->in[0] = (uint16_t)por_range_value_wire(g, k);
    io->n_out = por_range_limbs(g);
    for (unsigned i = 0; i < io->n_out; i++)
        io->out[i] = (uint16_t)por_range_limb_wire(g, k, i);
}
/* Limbs of the value's low 2L bits: an out-of-range value yields limbs that
 * do not sum to it, so the row fails its constraint and the prover refuses. */
static void range_generate(const por_gate *g, unsigned k, const gl_t *c, gl_t *w)
{
    (void)c;
    uint64_t v = w[por_range_value_wire(g, k)];
    unsigned limbs = por_range_limbs(g);
    for (unsigned i = 0; i < limbs; i++)
        w[por_range_limb_wire(g, k, i)] = (v >> (2 * i)) & 3;
}

const por_gate_vtable por_gate_range_vt = {
    .kind = POR_GATE_RANGE, .name = "range", .init = range_init, .eval_base = range_eval_base,
    .eval_base_x8 = range_eval_base_x8, .eval_ext = range_eval_ext, .eval_circuit = range_eval_circuit, .num_generators = range_num_generators,
    .generator_io = range_io,
    .generate = range_generate,
};

/* ---------------------------------------------------------------------------
 * range check by lookups (gates.h has the layout): the constraints only
 * recompose; the lookup argument (plonk.h) puts every sublimb in [0, 2^T).
 */

#define RANGE_LOOKUP_MAX_TABLE_BITS 20

static const char *range_lookup_init(por_gate *g, unsigned w, unsigned r, unsigned k)
{
    (void)k;
    unsigned B = g->params[0], T = g->params[1], F = g->params[2];
    if (!params_zero_from(g, 4))
        return "range-lookup gate: unknown parameter";
    if (B < 1 || B > 63)
        return "range-lookup gate: bits must be 1..63";
    if (T < 1 || T > RANGE_LOOKUP_MAX_TABLE_BITS)
        return "range-lookup gate: table bits must be 1..20";
    if (F >= w)
        return "range-lookup gate: first looked-up column outside the row";
    unsigned cells = por_range_lookup_cells(g);
    if (g->params[3] == 0) {
        unsigned by_cells = (w - F) / cells, by_values = F < r ? F : r;
        g->params[3] = by_cells < by_values ? by_cells : by_values;
    }
    unsigned values = g->params[3];
    if (values < 1 || values > r || values > F || F + values * cells > w)
        return "range-lookup gate: values do not fit the row";
    g->num_wires = F + values * cells; /* the lookup also checks the unused columns after them */
    g->num_constraints = values * (1 + (cells > por_range_lookup_sublimbs(g)));
    g->degree = 1;
    g->lookup_bits = T;
    g->lookup_first_wire = F;
    return NULL;
}

static void range_lookup_eval_base(const por_gate *g, const gl_t *w, const gl_t *c, const gl_t *pi,
                                   gl_t *o)
{
    (void)c, (void)pi;
    const unsigned T = g->params[1], nl = por_range_lookup_sublimbs(g);
    const bool short_top = por_range_lookup_cells(g) > nl;
    for (unsigned v = 0; v < g->params[3]; v++) {
        const gl_t *l = w + por_range_lookup_cell_wire(g, v, 0);
        gl_t acc = 0;
        for (unsigned j = nl; j-- > 0;)
            acc = gl_add(gl_mul(acc, (gl_t)1 << T), l[j]);
        *o++ = gl_sub(w[v], acc);
        if (short_top)
            *o++ = gl_sub(l[nl], gl_mul(l[nl - 1], (gl_t)1 << (T - por_range_lookup_top_bits(g))));
    }
}

/*
 * Eight points at once (eval_base_x8), for the quotient: each recomposition
 * is a 128-bit sum of the sublimbs shifted by T j (geometric, the last shift
 * below B <= 63, so below 2^128) with one reduction.  The same canonical
 * values as range_lookup_eval_base.
 */
#if GL_X8_HAVE_AVX512
GL_X8_TARGET static void range_lookup_eval_x8_avx512(const por_gate *g, const gl_t *w, const gl_t *c,
                                                     size_t stride, gl_t *o)
{
    (void)c;
    const unsigned T = g->params[1], nl = por_range_lookup_sublimbs(g);
    const bool short_top = por_range_lookup_cells(g) > nl;
    const unsigned top_shift = short_top ? T - por_range_lookup_top_bits(g) : 0;
    for (unsigned v = 0; v < g->params[3]; v++) {
        const gl_t *l = w + (size_t)por_range_lookup_cell_wire(g, v, 0) * stride;
        glv8_store(o, glv8_sub(glv8_load(w + (size_t)v * stride), glv8_recompose(l, stride, nl, T)));
        o += POR_GATE_LANES;
        if (short_top) {
            __m512i top = glv8_mul_pow2(glv8_load(l + (size_t)(nl - 1) * stride), top_shift);
            glv8_store(o, glv8_sub(glv8_load(l + (size_t)nl * stride), top));
            o += POR_GATE_LANES;
        }
    }
}
#endif

POR_GATE_EVAL_BASE_X8(range_lookup_eval_base_x8, range_lookup_eval_x8_avx512)

static void range_lookup_eval_ext(const por_gate *g, const gl2_t *w, const gl2_t *c, const gl2_t *pi,
                                  gl2_t *o)
{
    (void)c, (void)pi;
    const unsigned T = g->params[1], nl = por_range_lookup_sublimbs(g);
    const bool short_top = por_range_lookup_cells(g) > nl;
    for (unsigned v = 0; v < g->params[3]; v++) {
        const gl2_t *l = w + por_range_lookup_cell_wire(g, v, 0);
        gl2_t acc = {0, 0};
        for (unsigned j = nl; j-- > 0;)
            acc = gl2_add(gl2_mul_base(acc, (gl_t)1 << T), l[j]);
        *o++ = gl2_sub(w[v], acc);
        if (short_top)
            *o++ = gl2_sub(l[nl], gl2_mul_base(l[nl - 1], (gl_t)1 << (T - por_range_lookup_top_bits(g))));
    }
}

/* Per value of nl sublimbs: 2 nl operations, 2 more for a short top. */
static void range_lookup_eval_circuit(const por_gate *g, por_builder *b, const por_ext_target *w,
                                      const por_ext_target *c, const por_ext_target *pi, por_ext_target *o)
{
    (void)c, (void)pi;
    const unsigned T = g->params[1], nl = por_range_lookup_sublimbs(g);
    const bool short_top = por_range_lookup_cells(g) > nl;
    for (unsigned v = 0; v < g->params[3]; v++) {
        const por_ext_target *l = w + por_range_lookup_cell_wire(g, v, 0);
        por_ext_target acc = l[nl - 1];
        for (unsigned j = nl - 1; j-- > 0;)
            acc = por_ext_scalar_mul_add(b, (gl_t)1 << T, acc, l[j]);
        *o++ = por_ext_sub(b, w[v], acc);
        if (short_top)
            *o++ = por_ext_scalar_mul_add(b, gl_neg((gl_t)1 << (T - por_range_lookup_top_bits(g))), l[nl - 1], l[nl]);
    }
}

static unsigned range_lookup_num_generators(const por_gate *g) { return g->params[3]; }

static void range_lookup_io(const por_gate *g, unsigned k, por_gate_io *io)
{
    io->n_in = 1;
    io->in[0] = (uint16_t)k;
    io->n_out = por_range_lookup_cells(g);
    for (unsigned i = 0; i < io->n_out; i++)
        io->out[i] = (uint16_t)por_range_lookup_cell_wire(g, k, i);
}

/* Sublimbs of the value's low B bits: an out-of-range value yields sublimbs
 * that do not sum to it, so the row fails and the prover refuses. */
static void range_lookup_generate(const por_gate *g, unsigned k, const gl_t *c, gl_t *w)
{
    (void)c;
    const unsigned T = g->params[1], nl = por_range_lookup_sublimbs(g);
    const uint64_t v = w[k], mask = ((uint64_t)1 << T) - 1;
    for (unsigned j = 0; j < nl; j++)
        w[por_range_lookup_cell_wire(g, k, j)] = (v >> (T * j)) & mask;
    if (por_range_lookup_cells(g) > nl) {
        uint64_t top = (v >> (T * (nl - 1))) & mask;
        w[por_range_lookup_cell_wire(g, k, nl)] =
            gl_mul(top, (gl_t)1 << (T - por_range_lookup_top_bits(g)));
    }
}

const por_gate_vtable por_gate_range_lookup_vt = {
    .kind = POR_GATE_RANGE_LOOKUP, .name = "range-lookup", .init = range_lookup_init,
    .eval_base = range_lookup_eval_base, .eval_base_x8 = range_lookup_eval_base_x8,
    .eval_ext = range_lookup_eval_ext,
    .eval_circuit = range_lookup_eval_circuit,
    .num_generators = range_lookup_num_generators, .generator_io = range_lookup_io,
    .generate = range_lookup_generate,
};
