/*
 * The Poseidon gate: one Plonky2 Poseidon permutation per row (gates.h has
 * the wire layout and the degree argument).
 *
 * The constraints replay the permutation round by round on the wire values:
 * wherever the running state would exceed degree 7 (an S-box applied to a
 * degree-7 expression), the S-box input is taken from a wire instead, and a
 * constraint says that wire equals the running state.  MDS and round
 * constants are linear, so they never raise the degree.
 */
#include <string.h>

#include "gates.h"
#include "poseidon.h"
#include "poseidon_constants.h"

#define HALF_FULL 4
#define PARTIAL 22
#define W 12

/* Wire of S-box input i of first-half full round r (1..3). */
static inline unsigned full0_wire(unsigned r, unsigned i) { return 24 + (r - 1) * W + i; }
/* Wire of the S-box input of partial round r (0..21). */
static inline unsigned partial_wire(unsigned r) { return 60 + r; }
/* Wire of S-box input i of second-half full round r (0..3). */
static inline unsigned full1_wire(unsigned r, unsigned i) { return 82 + r * W + i; }

static inline const uint64_t *round_constants(unsigned round)
{
    return &POR_POSEIDON_ROUND_CONSTANTS[W * round];
}

static inline gl_t sbox(gl_t x)
{
    gl_t x2 = gl_sqr(x), x3 = gl_mul(x2, x);
    return gl_mul(x3, gl_sqr(x2));
}
static inline gl2_t sbox_ext(gl2_t x)
{
    gl2_t x2 = gl2_sqr(x), x3 = gl2_mul(x2, x);
    return gl2_mul(x3, gl2_sqr(x2));
}

/*
 * MDS = circulant(C) + diag(8, 0, ..., 0), C = (17, 15, 41, 16, 2, 28, 13, 13,
 * 39, 18, 34, 20): out[r] = sum_i s[(i + r) mod 12] C[i] + [r = 0] 8 s[0],
 * written out as a dense matrix.  The coefficients are < 2^7, so a row sums
 * in 128 bits (< 2^75) and reduces once.  This runs at every LDE point in the
 * quotient, so it matters: with the library's generic -O2 flags this scalar
 * form measured faster than splitting into 32-bit halves.
 */
static const uint64_t MDS_M[W][W] = {
    {25, 15, 41, 16, 2, 28, 13, 13, 39, 18, 34, 20},
    {20, 17, 15, 41, 16, 2, 28, 13, 13, 39, 18, 34},
    {34, 20, 17, 15, 41, 16, 2, 28, 13, 13, 39, 18},
    {18, 34, 20, 17, 15, 41, 16, 2, 28, 13, 13, 39},
    {39, 18, 34, 20, 17, 15, 41, 16, 2, 28, 13, 13},
    {13, 39, 18, 34, 20, 17, 15, 41, 16, 2, 28, 13},
    {13, 13, 39, 18, 34, 20, 17, 15, 41, 16, 2, 28},
    {28, 13, 13, 39, 18, 34, 20, 17, 15, 41, 16, 2},
    {2, 28, 13, 13, 39, 18, 34, 20, 17, 15, 41, 16},
    {16, 2, 28, 13, 13, 39, 18, 34, 20, 17, 15, 41},
    {41, 16, 2, 28, 13, 13, 39, 18, 34, 20, 17, 15},
    {15, 41, 16, 2, 28, 13, 13, 39, 18, 34, 20, 17},
};

static void mds(gl_t s[W])
{
    gl_t t[W];
    for (unsigned r = 0; r < W; r++) {
        unsigned __int128 acc = 0;
        for (unsigned i = 0; i < W; i++)
            acc += (unsigned __int128)s[i] * MDS_M[r][i];
        t[r] = gl_reduce128(acc);
    }
    memcpy(s, t, sizeof(t));
}

/* The MDS matrix is over the base field, so it acts componentwise. */
static void mds_ext(gl2_t s[W])
{
    gl_t a[W], b[W];
    for (unsigned i = 0; i < W; i++)
        a[i] = s[i].c0, b[i] = s[i].c1;
    mds(a);
    mds(b);
    for (unsigned i = 0; i < W; i++)
        s[i] = (gl2_t){a[i], b[i]};
}

static const char *poseidon_init(por_gate *g, unsigned w, unsigned r, unsigned k)
{
    (void)k;
    for (unsigned i = 0; i < POR_GATE_MAX_PARAMS; i++)
        if (g->params[i])
            return "poseidon gate takes no parameters";
    if (w < POR_POSEIDON_GATE_WIRES || r < POR_POSEIDON_GATE_ROUTED)
        return "poseidon gate needs 130 wires, 24 of them routed";
    g->num_wires = POR_POSEIDON_GATE_WIRES;
    g->num_constraints = POR_POSEIDON_GATE_CONSTRAINTS;
    g->degree = 7;
    return NULL;
}

/*
 * The permutation with wires: in "generate" mode (gen != NULL, the row
 * itself) the S-box inputs and the outputs are written to gen; otherwise the differences (state - wire) are
 * written to out, in the order: first-half rounds 1..3, partial rounds,
 * second-half rounds, outputs.
 */
/* A materialized value: generating, store the state in the wire; checking,
 * emit (state - wire) and continue from the wire, as the constraint does. */
static inline void take(const gl_t *w, gl_t *gen, gl_t *out, unsigned *k, unsigned wire, gl_t *s)
{
    if (gen) {
        gen[wire] = *s;
    } else {
        out[(*k)++] = gl_sub(*s, w[wire]);
        *s = w[wire];
    }
}

static void poseidon_run(const gl_t *w, gl_t *gen, gl_t *out)
{
    gl_t s[W];
    unsigned k = 0, round = 0;
    memcpy(s, w, sizeof(s));
    for (unsigned r = 0; r < HALF_FULL; r++, round++) {
        const uint64_t *rc = round_constants(round);
        for (unsigned i = 0; i < W; i++) {
            s[i] = gl_add(s[i], gl_from_u64(rc[i]));
            if (r > 0)
                take(w, gen, out, &k, full0_wire(r, i), &s[i]);
            s[i] = sbox(s[i]);
        }
        mds(s);
    }
    for (unsigned r = 0; r < PARTIAL; r++, round++) {
        const uint64_t *rc = round_constants(round);
        for (unsigned i = 0; i < W; i++)
            s[i] = gl_add(s[i], gl_from_u64(rc[i]));
        take(w, gen, out, &k, partial_wire(r), &s[0]);
        s[0] = sbox(s[0]);
        mds(s);
    }
    for (unsigned r = 0; r < HALF_FULL; r++, round++) {
        const uint64_t *rc = round_constants(round);
        for (unsigned i = 0; i < W; i++) {
            s[i] = gl_add(s[i], gl_from_u64(rc[i]));
            take(w, gen, out, &k, full1_wire(r, i), &s[i]);
            s[i] = sbox(s[i]);
        }
        mds(s);
    }
    for (unsigned i = 0; i < W; i++)
        take(w, gen, out, &k, por_poseidon_gate_out(i), &s[i]);
}

static void poseidon_eval_base(const por_gate *g, const gl_t *w, const gl_t *c, const gl_t *pi,
                               gl_t *out)
{
    (void)g, (void)c, (void)pi;
    poseidon_run(w, NULL, out);
}

static void poseidon_eval_ext(const por_gate *g, const gl2_t *w, const gl2_t *c, const gl2_t *pi,
                              gl2_t *out)
{
    (void)g, (void)c, (void)pi;
    gl2_t s[W];
    unsigned k = 0, round = 0;
    memcpy(s, w, sizeof(s));
    for (unsigned r = 0; r < HALF_FULL; r++, round++) {
        const uint64_t *rc = round_constants(round);
        for (unsigned i = 0; i < W; i++) {
            s[i] = gl2_add(s[i], gl2_from_base(gl_from_u64(rc[i])));
            if (r > 0) {
                out[k++] = gl2_sub(s[i], w[full0_wire(r, i)]);
                s[i] = w[full0_wire(r, i)];
            }
            s[i] = sbox_ext(s[i]);
        }
        mds_ext(s);
    }
    for (unsigned r = 0; r < PARTIAL; r++, round++) {
        const uint64_t *rc = round_constants(round);
        for (unsigned i = 0; i < W; i++)
            s[i] = gl2_add(s[i], gl2_from_base(gl_from_u64(rc[i])));
        out[k++] = gl2_sub(s[0], w[partial_wire(r)]);
        s[0] = sbox_ext(w[partial_wire(r)]);
        mds_ext(s);
    }
    for (unsigned r = 0; r < HALF_FULL; r++, round++) {
        const uint64_t *rc = round_constants(round);
        for (unsigned i = 0; i < W; i++) {
            s[i] = gl2_add(s[i], gl2_from_base(gl_from_u64(rc[i])));
            out[k++] = gl2_sub(s[i], w[full1_wire(r, i)]);
            s[i] = sbox_ext(w[full1_wire(r, i)]);
        }
        mds_ext(s);
    }
    for (unsigned i = 0; i < W; i++)
        out[k++] = gl2_sub(s[i], w[por_poseidon_gate_out(i)]);
}

static unsigned poseidon_num_generators(const por_gate *g) { (void)g; return 1; }

static void poseidon_io(const por_gate *g, unsigned k, por_gate_io *io)
{
    (void)g, (void)k;
    io->n_in = W;
    for (unsigned i = 0; i < W; i++)
        io->in[i] = (uint16_t)por_poseidon_gate_in(i);
    io->n_out = POR_POSEIDON_GATE_WIRES - W;
    for (unsigned i = 0; i < io->n_out; i++)
        io->out[i] = (uint16_t)(W + i);
}

static void poseidon_generate(const por_gate *g, unsigned k, const gl_t *c, gl_t *w)
{
    (void)g, (void)k, (void)c;
    poseidon_run(w, w, NULL);
}

const por_gate_vtable por_gate_poseidon_vt = {
    .kind = POR_GATE_POSEIDON, .name = "poseidon", .init = poseidon_init,
    .eval_base = poseidon_eval_base, .eval_ext = poseidon_eval_ext,
    .num_generators = poseidon_num_generators, .generator_io = poseidon_io,
    .generate = poseidon_generate,
};
