/*
 * PLONK gates: the custom constraints of a row, Plonky2 style.
 *
 * A row of the execution trace has num_wires wires (columns); the first
 * num_routed_wires of them take part in the permutation (copy-constraint)
 * argument.  Each row is either a noop row or holds one gate.  A gate type is
 * a vtable plus parameters (e.g. the bit length of a range check); two gate
 * types are equal iff they have the same kind and parameters.  Every gate
 * type in a circuit gets a selector column (1 on its rows, 0 elsewhere) and
 * its constraints are multiplied by it, so a gate of degree d costs degree
 * d + 1 in the vanishing polynomial; the circuit's max_degree (8) bounds that.
 * Gate constants (e.g. the coefficients of an arithmetic row) live in the
 * circuit's num_constants constant columns and count one degree each.
 *
 * Evaluation: a gate evaluates its constraints at one point, given the wire
 * values and constant values there, natively over the base field (the
 * prover's quotient on the LDE coset) and over the quadratic extension (the
 * verifier at the out-of-domain point); both must compute the same
 * polynomials.  For recursion, eval_circuit computes the same extension
 * values in-circuit (circuit_ext.h), emitting rows into an outer circuit.
 * Constraints vanish exactly on honest rows.
 *
 * Witness generation: a gate declares a few generators per row; generator k
 * reads some wire columns and, once all of them are known, writes others
 * (e.g. the Poseidon gate reads 12 inputs and writes the 118 other wires).
 *
 * The gates here and their wire layouts:
 *
 *   arithmetic(ops)   op i uses wires 4i (x), 4i+1 (y), 4i+2 (z), 4i+3 (out),
 *                     all routed: out = c0 * x * y + c1 * z with c0, c1 the
 *                     row's constants 0 and 1 (shared by the ops of a row).
 *                     Degree 3 (c0 x y).  ops defaults to routed / 4.
 *   arithmetic-ext(ops) the same over GF(p^2) (field_ext.h): op i's x, y, z,
 *                     out are pairs of wires from 8i, all routed; the
 *                     constants are base elements.  Degree 3, 2 constraints
 *                     per op, ops defaults to routed / 8.  For recursion: an
 *                     extension product in 8 wires instead of 4 base
 *                     operations (16 wires).
 *   poseidon-mds      the Poseidon MDS layer on 12 extension elements (below).
 *   reducing(n)       n Horner steps acc <- acc alpha + c_i over GF(p^2), base
 *                     c_i (below).  Degree 2.
 *   sbox-ext(V)       V values y = x^7 over GF(p^2) (below).  Degree 7.
 *   constant(k)       wire i = constant i, i < k (routed).  Degree 1.
 *   public_input      wires 0..3 = the public-input digest (the verifier's
 *                     own por_hash of the public inputs).  Degree 1.
 *   poseidon          one Poseidon permutation per row, see below.  Degree 7.
 *   poseidon-swap     a Merkle step: two_to_one of a pair ordered by a bit
 *                     (below).  Degree 7.
 *   random-access(k,C) C selections of one of 2^k items by k bits (below).
 *                     Degree k + 1.
 *   range(B, V)       V values per row, each in [0, 2^B): see below.  Degree 4.
 *   range_lookup(B,T,F,V) V values per row, each in [0, 2^B) by lookups.
 *   balance(B,G,Q,P)  Q assets (equity, debt) per row: range checks by
 *                     lookups, limbs, batch totals and solvency columns
 *                     (gate_balance.c).  Degree 3.
 *   noop              no constraints (padding and blinding rows).
 *
 * Poseidon gate (130 wires, 24 routed): inputs at wires 0..11, outputs at
 * 12..23, then the S-box inputs that must be materialized to keep every
 * constraint at degree 7 (x^7 applied to a wire): full rounds 1..3 of the
 * first half (36 wires; round 0's S-box inputs are affine in the inputs),
 * the 22 partial-round S-box inputs (the other 11 state elements stay
 * degree-7 expressions, since a partial round applies x^7 to one element
 * only), and the 4 full rounds of the second half (48 wires).  118
 * constraints: each materialized S-box input equals the state computed from
 * the previous wires, and the outputs equal the final state.
 *
 * Range check gate: a value v in [0, 2^B) is decomposed into L = ceil(B/2)
 * limbs of 2 bits, v = sum_k 4^k l_k, with l_k (l_k - 1)(l_k - 2)(l_k - 3) = 0
 * (a lookup-free check of degree 4, degree 5 with its selector), the top
 * limb of an odd B being a bit (l (l - 1) = 0).  Since 4^L <= 2^63 < p the sum
 * is exact, so the gate proves 0 <= v < 2^B as integers.  Why 2-bit limbs:
 * the limb polynomial of an m-bit limb has degree 2^m, and with the selector
 * it must stay <= max_degree = 8, so m = 2 is the largest (3-bit limbs would
 * need degree 9); single bits would double the wires.  Cost per value:
 * 1 + ceil(B/2) wires, 32 wires for B = 62, so 4 balances per 130-wire row
 * (the value wires are routed, the limbs are not), i.e. a batch of A assets
 * needs 2A/4 = A/2 rows of range checks per account.
 *
 * Range-lookup gate: see gates.h's layout helpers below; the recomposition
 * only, the range itself comes from the lookup argument (plonk.h).  Degree 1.
 *
 * Balance gate (params B, G, Q, P; all required): everything the batch
 * circuit does with the balances of one account, Q assets per row, each
 * asset a pair of balances: its equity e (multiplier m = the haircut h,
 * routed) and its debt d (multiplier the constant -100).  Range checks by
 * lookups (plonk.h) over a table of T = G/2 bits: the gate declares
 * lookup_bits = T and lookup_first_wire = its routed wire count, and each
 * balance v has ns = ceil(B/T) sublimbs s_j (T bits, the top one r = B -
 * T (ns - 1) bits) in looked-up wires, plus, when r < T, a looked-up copy
 * 2^(T-r) s_top, which bounds s_top by 2^r.  Per pair, routed: e, d, h, price
 * limbs P_0..P_{P-1}, and the running totals (lo, hi) in and out of e and
 * of d.  Per row, routed: K = nb + P - 1 column accumulators in and out,
 * nb = ceil(B/G).  With v_i = s_{2i} + 2^T s_{2i+1} (the G-bit grid limbs),
 * lo(v) = the first ceil(32/T) sublimbs (v mod 2^lo_bits) and hi(v) the
 * rest (floor(v / 2^lo_bits)), the constraints are, per balance,
 *     v = sum_j 2^(T j) s_j,  [2^(T-r) s_top - top copy]          (v < 2^B, exact)
 *     lo_out = lo_in + lo(v),  hi_out = hi_in + hi(v)             (batch totals)
 * and per row
 *     col_out_k = col_in_k + sum_pairs sum_{i+j=k} (h e_i - 100 d_i) P_j
 * so a row adds its pairs' signed, price-weighted limb products to the
 * account's solvency columns (batch.c bounds them).  Degree 3.
 * Layout: col_in 0..K-1, col_out K..2K-1, then per pair q from
 * 2K + q (11 + P): e, d, h, P_0..P_{P-1}, e's lo_in, lo_out, hi_in, hi_out,
 * d's four; the looked-up cells after all routed wires, per balance (e then
 * d of each pair) its ns sublimbs and the top copy.
 */
#ifndef POR_GATES_H
#define POR_GATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "field/field.h"
#include "field/field_ext.h"
#include "field/field_x8.h"

#define POR_GATE_MAX_PARAMS 4
/* Upper bounds on any gate (and on the circuit configuration). */
#define POR_MAX_WIRES 512
#define POR_MAX_CONSTANTS 16

/* Stable kind identifiers: they enter the circuit digest. */
enum {
    POR_GATE_NOOP = 0,
    POR_GATE_CONSTANT = 1,
    POR_GATE_PUBLIC_INPUT = 2,
    POR_GATE_ARITHMETIC = 3,
    POR_GATE_POSEIDON = 4,
    POR_GATE_RANGE = 5,
    POR_GATE_BALANCE = 6,
    POR_GATE_RANGE_LOOKUP = 7,
    POR_GATE_POSEIDON_MDS = 8,
    POR_GATE_ARITHMETIC_EXT = 9,
    POR_GATE_REDUCING = 10,
    POR_GATE_SBOX_EXT = 11,
    POR_GATE_POSEIDON_SWAP = 12,
    POR_GATE_RANDOM_ACCESS = 13,
};

/* Poseidon gate layout. */
#define POR_POSEIDON_GATE_WIRES 130
#define POR_POSEIDON_GATE_ROUTED 24
#define POR_POSEIDON_GATE_CONSTRAINTS 118
static inline unsigned por_poseidon_gate_in(unsigned i) { return i; }
static inline unsigned por_poseidon_gate_out(unsigned i) { return 12 + i; }

/*
 * Poseidon-swap gate (123 wires, 13 routed, 115 constraints, degree 7): one
 * Merkle path step, two_to_one with the order of the pair chosen by a bit,
 * in one row instead of a Poseidon row plus an arithmetic row for the
 * swap.  Routed: a (0..3), b (4..7), the bit s (8), the digest (9..12);
 * then delta_i = s (b_i - a_i) (13..16) and the Poseidon gate's 106 S-box
 * input wires (17..122, in its order).  The permutation's input is
 * (a + delta) || (b - delta) || 0^4, i.e. a || b for s = 0 and b || a for
 * s = 1; only the first 4 outputs exist.  Constraints: the Poseidon gate's
 * 106 S-box inputs and first 4 outputs on that input, s^2 - s, and
 * s (b_i - a_i) - delta_i (degree 2, so the input stays affine in wires).
 */
#define POR_POSEIDON_SWAP_GATE_WIRES 123
#define POR_POSEIDON_SWAP_GATE_ROUTED 13
#define POR_POSEIDON_SWAP_GATE_CONSTRAINTS 115
static inline unsigned por_poseidon_swap_in(unsigned i) { return i; } /* a_i, then b_i at 4 + i */
static inline unsigned por_poseidon_swap_bit(void) { return 8; }
static inline unsigned por_poseidon_swap_out(unsigned i) { return 9 + i; }
static inline unsigned por_poseidon_swap_delta(unsigned i) { return 13 + i; }

/*
 * Poseidon MDS gate (48 routed wires, 24 constraints, degree 1): the
 * Poseidon MDS layer on 12 extension elements, componentwise (the matrix is
 * over the base field): out_j = sum_i M_ji in_i for the first and for the
 * second components.  The in-circuit Poseidon-gate evaluation (recursion)
 * takes one row per round instead of ~264 arithmetic operations.  Layout:
 * input i's components at wires i and 12 + i, output j's at 24 + j and 36 + j.
 */
#define POR_POSEIDON_MDS_GATE_WIRES 48
static inline unsigned por_poseidon_mds_in(unsigned i, unsigned comp) { return 12 * comp + i; }
static inline unsigned por_poseidon_mds_out(unsigned j, unsigned comp) { return 24 + 12 * comp + j; }
/*
 * The Poseidon gate's 118 constraints at one point, computed round by round
 * as the permutation is defined: the reference that the gate's (faster)
 * eval_base is tested against.  w: the 130 wire values.
 */
void por_poseidon_gate_eval_reference(const gl_t *w, gl_t *out);

typedef struct por_gate por_gate;

/* Points per call of a gate's eval_base_x8. */
#define POR_GATE_LANES 8
struct por_builder;

struct por_ext_target; /* circuit_ext.h */

/*
 * The in-circuit evaluation, for the recursive verifier (where the native
 * verifier calls eval_ext): emits into the builder b the arithmetic that
 * computes, from extension targets for the row's wires (the row width of
 * the evaluated circuit), its constants and the public-input digest (4), the
 * targets out[0..num_constraints) holding exactly eval_ext's values.  Every
 * out target is the result of a constrained operation.
 */
typedef void (*por_gate_eval_circuit_fn)(const por_gate *g, struct por_builder *b,
                                         const struct por_ext_target *wires,
                                         const struct por_ext_target *consts,
                                         const struct por_ext_target *pi, struct por_ext_target *out);

/* Columns a gate generator reads (in) and writes (out). */
typedef struct {
    unsigned n_in, n_out;
    uint16_t in[POR_MAX_WIRES];
    uint16_t out[POR_MAX_WIRES];
} por_gate_io;

typedef struct {
    uint32_t kind;
    const char *name;
    /*
     * Validates g->params against the configuration (num_wires, num_routed,
     * num_constants), fills defaults for zero parameters (so equal gates get
     * equal params) and the derived counts.  Returns NULL, or a static
     * description of why the gate does not fit.
     */
    const char *(*init)(por_gate *g, unsigned num_wires, unsigned num_routed, unsigned num_constants);
    /* Constraints at one point: out[0..num_constraints). pi: the 4-element
     * public-input digest (only the public-input gate reads it). */
    void (*eval_base)(const por_gate *g, const gl_t *wires, const gl_t *consts, const gl_t *pi,
                      gl_t *out);
    void (*eval_ext)(const por_gate *g, const gl2_t *wires, const gl2_t *consts, const gl2_t *pi,
                     gl2_t *out);
    /* Optional (NULL: eval_base point by point), for the prover's quotient:
     * the constraints at POR_GATE_LANES points at once, lane-major:
     * wires[j * stride + p] and consts[k * stride + p] for lanes p <
     * POR_GATE_LANES (stride >= POR_GATE_LANES), out[c * POR_GATE_LANES + p].
     * Must equal eval_base lane by lane (canonical outputs). */
    void (*eval_base_x8)(const por_gate *g, const gl_t *wires, const gl_t *consts, size_t stride,
                         const gl_t *pi, gl_t *out);
    /* The in-circuit evaluation (above). */
    por_gate_eval_circuit_fn eval_circuit;
    /* Witness generators per row, their columns, and the computation: reads
     * io.in columns of wires, writes io.out columns. */
    unsigned (*num_generators)(const por_gate *g);
    void (*generator_io)(const por_gate *g, unsigned k, por_gate_io *io);
    void (*generate)(const por_gate *g, unsigned k, const gl_t *consts, gl_t *wires);
} por_gate_vtable;

struct por_gate {
    const por_gate_vtable *vt;
    uint32_t params[POR_GATE_MAX_PARAMS];
    /* derived by init */
    uint32_t num_wires;       /* wires used (<= the row width) */
    uint32_t num_constants;   /* constant columns read */
    uint32_t num_constraints;
    uint32_t degree;          /* total degree in wires and constants */
    /* range lookups: nonzero if every wire of columns [lookup_first_wire,
     * num_wires) on this gate's rows must lie in [0, 2^lookup_bits) (the
     * circuit's configuration must name the same table and columns) */
    uint32_t lookup_bits, lookup_first_wire;
};

/* eval_base_x8's portable fallback: eval_base lane by lane (same layout,
 * c may be NULL for gates that read no constants). */
void por_gate_eval_base_by_lane(const por_gate *g, const gl_t *w, const gl_t *c, size_t stride, const gl_t *pi,
                                gl_t *out);

/* A gate's 8-lane kernel (AVX-512): eval_base_x8 without the public inputs. */
typedef void por_gate_x8_kernel(const por_gate *g, const gl_t *w, const gl_t *c, size_t stride, gl_t *out);
/* eval_base_x8 by the kernel when there is one and the CPU runs it, else by lanes. */
void por_gate_eval_base_x8_with(por_gate_x8_kernel *kernel, const por_gate *g, const gl_t *w, const gl_t *c,
                                size_t stride, const gl_t *pi, gl_t *out);
/* Defines `name`, an eval_base_x8 over `kernel` (which exists only where
 * GL_X8_HAVE_AVX512: elsewhere name evaluates by lanes). */
#if GL_X8_HAVE_AVX512
#define POR_GATE_X8_KERNEL(kernel) (kernel)
#else
#define POR_GATE_X8_KERNEL(kernel) NULL
#endif
#define POR_GATE_EVAL_BASE_X8(name, kernel)                                                                \
    static void name(const por_gate *g, const gl_t *w, const gl_t *c, size_t stride, const gl_t *pi, gl_t *out) \
    {                                                                                                      \
        por_gate_eval_base_x8_with(POR_GATE_X8_KERNEL(kernel), g, w, c, stride, pi, out);                  \
    }

extern const por_gate_vtable por_gate_noop_vt;
extern const por_gate_vtable por_gate_constant_vt;
extern const por_gate_vtable por_gate_public_input_vt;
extern const por_gate_vtable por_gate_arithmetic_vt;
extern const por_gate_vtable por_gate_poseidon_vt;
extern const por_gate_vtable por_gate_range_vt;
extern const por_gate_vtable por_gate_balance_vt;
extern const por_gate_vtable por_gate_range_lookup_vt;
extern const por_gate_vtable por_gate_poseidon_mds_vt;
extern const por_gate_vtable por_gate_arithmetic_ext_vt;
extern const por_gate_vtable por_gate_reducing_vt;
extern const por_gate_vtable por_gate_sbox_ext_vt;
extern const por_gate_vtable por_gate_poseidon_swap_vt;
extern const por_gate_vtable por_gate_random_access_vt;

/*
 * Makes a gate of type vt with params (NULL or POR_GATE_MAX_PARAMS entries,
 * zero meaning "default") for a row of num_wires wires, num_routed routed,
 * num_constants constant columns.  Returns NULL or why it does not fit.
 */
const char *por_gate_init(por_gate *g, const por_gate_vtable *vt, const uint32_t *params,
                          unsigned num_wires, unsigned num_routed, unsigned num_constants);
/* Same kind and parameters. */
bool por_gate_equal(const por_gate *a, const por_gate *b);
/* Looks a kind up (for decoding); NULL if unknown. */
const por_gate_vtable *por_gate_vtable_of(uint32_t kind);

/* Arithmetic gate layout. */
static inline unsigned por_arith_x(unsigned op) { return 4 * op; }
static inline unsigned por_arith_y(unsigned op) { return 4 * op + 1; }
static inline unsigned por_arith_z(unsigned op) { return 4 * op + 2; }
static inline unsigned por_arith_out(unsigned op) { return 4 * op + 3; }
static inline unsigned por_arith_ops(const por_gate *g) { return g->params[0]; }

/*
 * Reducing gate (params[0] = n, default min(routed - 6, (wires - 4) / 3), 42
 * for 130 wires): for recursion, a Horner evaluation of n base coefficients
 * at an extension point alpha, the verifier's combination of opened
 * polynomials: acc_0 = old, acc_{i+1} = acc_i alpha + c_i, out = acc_n.
 * Routed: out (wires 0, 1), alpha (2, 3), old (4, 5), c_i (6 + i); then the
 * intermediate acc_1..acc_{n-1} (two wires each).  2n constraints, one
 * extension equation per step.
 */
static inline unsigned por_reducing_terms(const por_gate *g) { return g->params[0]; }
static inline unsigned por_reducing_out(unsigned comp) { return comp; }
static inline unsigned por_reducing_alpha(unsigned comp) { return 2 + comp; }
static inline unsigned por_reducing_old(unsigned comp) { return 4 + comp; }
static inline unsigned por_reducing_coef(unsigned i) { return 6 + i; }
/* acc_i for 1 <= i < n */
static inline unsigned por_reducing_acc(const por_gate *g, unsigned i, unsigned comp)
{
    return 6 + g->params[0] + 2 * (i - 1) + comp;
}

/*
 * S-box gate (params[0] = V, default routed / 4): V values y = x^7 over
 * GF(p^2), slot v's x at wires 4v, 4v + 1 and y at 4v + 2, 4v + 3, all
 * routed; 2 constraints per slot.  For recursion: the Poseidon gate's
 * in-circuit S-boxes, 12 per row instead of 4 extension products each.
 */
static inline unsigned por_sbox_ext_x(unsigned v, unsigned comp) { return 4 * v + comp; }
static inline unsigned por_sbox_ext_y(unsigned v, unsigned comp) { return 4 * v + 2 + comp; }

/*
 * Random-access gate (params[0] = k bits, 1..4, default 4; params[1] = C
 * copies, default routed / (2^k + k + 1)): for recursion, the verifier's
 * pick of one entry of a leaf or cap by index bits.  Copy c (wires from
 * c (2^k + k + 1), all routed): items x_0..x_{2^k-1}, out, bits b_0..b_{k-1};
 * one constraint, out = sum_j x_j prod_i (j_i ? b_i : 1 - b_i), computed as
 * the fold x <- x_{2j} + b_i (x_{2j+1} - x_{2j}), low bit first.  The gate
 * does not constrain the bits: for boolean bits (the caller's: index bits
 * are split and checked boolean, bits.h) the sum is x_{sum b_i 2^i}.
 */
static inline unsigned por_random_access_bits(const por_gate *g) { return g->params[0]; }
static inline unsigned por_random_access_copy_wires(unsigned k) { return (1u << k) + k + 1; }
static inline unsigned por_random_access_item(const por_gate *g, unsigned c, unsigned j)
{
    return c * por_random_access_copy_wires(g->params[0]) + j;
}
static inline unsigned por_random_access_out(const por_gate *g, unsigned c)
{
    return por_random_access_item(g, c, 1u << g->params[0]);
}
static inline unsigned por_random_access_bit(const por_gate *g, unsigned c, unsigned i)
{
    return por_random_access_out(g, c) + 1 + i;
}

/* Arithmetic-ext gate layout: component comp of op's x, y, z, out. */
static inline unsigned por_arith_ext_x(unsigned op, unsigned comp) { return 8 * op + comp; }
static inline unsigned por_arith_ext_y(unsigned op, unsigned comp) { return 8 * op + 2 + comp; }
static inline unsigned por_arith_ext_z(unsigned op, unsigned comp) { return 8 * op + 4 + comp; }
static inline unsigned por_arith_ext_out(unsigned op, unsigned comp) { return 8 * op + 6 + comp; }

/* Range gate layout: params[0] = B, params[1] = values per row. */
static inline unsigned por_range_bits(const por_gate *g) { return g->params[0]; }
static inline unsigned por_range_values(const por_gate *g) { return g->params[1]; }
static inline unsigned por_range_limbs(const por_gate *g) { return (g->params[0] + 1) / 2; }
static inline unsigned por_range_value_wire(const por_gate *g, unsigned v) { (void)g; return v; }
static inline unsigned por_range_limb_wire(const por_gate *g, unsigned v, unsigned k)
{
    return g->params[1] + v * por_range_limbs(g) + k;
}
/* Values of B bits that fit a row of num_wires wires, num_routed routed. */
unsigned por_range_default_values(unsigned bits, unsigned num_wires, unsigned num_routed);
/* The circuit builder's range checks put at most this many constraints in a
 * row (at least one value): por_builder_range_check. */
#define POR_RANGE_ROW_CONSTRAINTS 32

/*
 * Range-lookup gate: params[0] = B bits, params[1] = T table bits,
 * params[2] = F first looked-up column, params[3] = values per row (0: as
 * many as fit).  Value v (wire v, routed) = sum_j 2^(T j) l_j over
 * nl = ceil(B / T) sublimbs in looked-up columns; when the top sublimb has
 * r = B - T (nl - 1) < T bits, one more looked-up wire holds 2^(T - r) l_top,
 * so both lookups together give l_top < 2^r and v < 2^B.
 */
static inline unsigned por_range_lookup_sublimbs(const por_gate *g)
{
    return (g->params[0] + g->params[1] - 1) / g->params[1];
}
static inline unsigned por_range_lookup_top_bits(const por_gate *g)
{
    return g->params[0] - g->params[1] * (por_range_lookup_sublimbs(g) - 1);
}
/* Looked-up wires per value: the sublimbs, plus the scaled top one if short. */
static inline unsigned por_range_lookup_cells(const por_gate *g)
{
    return por_range_lookup_sublimbs(g) + (por_range_lookup_top_bits(g) < g->params[1]);
}
static inline unsigned por_range_lookup_cell_wire(const por_gate *g, unsigned v, unsigned k)
{
    return g->params[2] + v * por_range_lookup_cells(g) + k;
}

/* Balance gate layout: params B, G, Q, P as above. */
static inline unsigned por_balance_bits(const por_gate *g) { return g->params[0]; }
static inline unsigned por_balance_limb_bits(const por_gate *g) { return g->params[1]; }
static inline unsigned por_balance_pairs(const por_gate *g) { return g->params[2]; }
static inline unsigned por_balance_price_limbs(const por_gate *g) { return g->params[3]; }
static inline unsigned por_balance_table_bits(const por_gate *g) { return g->params[1] / 2; }
static inline unsigned por_balance_limbs(const por_gate *g) { return (g->params[0] + g->params[1] - 1) / g->params[1]; }
static inline unsigned por_balance_columns(const por_gate *g)
{
    return por_balance_limbs(g) + g->params[3] - 1;
}
/* Sublimbs of T bits per balance, the top one's width, the low ones of lo(v). */
static inline unsigned por_balance_sublimbs(const por_gate *g)
{
    unsigned T = por_balance_table_bits(g);
    return (g->params[0] + T - 1) / T;
}
static inline unsigned por_balance_top_bits(const por_gate *g)
{
    return g->params[0] - por_balance_table_bits(g) * (por_balance_sublimbs(g) - 1);
}
static inline unsigned por_balance_lo_sublimbs(const por_gate *g)
{
    unsigned T = por_balance_table_bits(g), q = (32 + T - 1) / T, ns = por_balance_sublimbs(g);
    return q < ns ? q : ns;
}
/* lo(v) = v mod 2^lo_bits (lo_bits >= 32, or B when B is smaller). */
static inline unsigned por_balance_lo_bits(const por_gate *g)
{
    unsigned b = por_balance_table_bits(g) * por_balance_lo_sublimbs(g);
    return b < g->params[0] ? b : g->params[0];
}
/* Looked-up cells per balance: the sublimbs and, for a short top, its copy. */
static inline unsigned por_balance_cells(const por_gate *g)
{
    return por_balance_sublimbs(g) + (por_balance_top_bits(g) < por_balance_table_bits(g));
}
static inline unsigned por_balance_col_in(const por_gate *g, unsigned k) { (void)g; return k; }
static inline unsigned por_balance_col_out(const por_gate *g, unsigned k) { return por_balance_columns(g) + k; }
static inline unsigned por_balance_pair_base(const por_gate *g, unsigned q)
{
    return 2 * por_balance_columns(g) + q * (11 + g->params[3]);
}
/* e = 0: the equity, e = 1: the debt. */
static inline unsigned por_balance_v(const por_gate *g, unsigned q, unsigned e) { return por_balance_pair_base(g, q) + e; }
static inline unsigned por_balance_haircut(const por_gate *g, unsigned q) { return por_balance_pair_base(g, q) + 2; }
static inline unsigned por_balance_price(const por_gate *g, unsigned q, unsigned j)
{
    return por_balance_pair_base(g, q) + 3 + j;
}
/* t = 0 lo_in, 1 lo_out, 2 hi_in, 3 hi_out */
static inline unsigned por_balance_total(const por_gate *g, unsigned q, unsigned e, unsigned t)
{
    return por_balance_pair_base(g, q) + 3 + g->params[3] + 4 * e + t;
}
static inline unsigned por_balance_routed(const por_gate *g) { return por_balance_pair_base(g, g->params[2]); }
/* Cell j of balance e of pair q (j = ns: the top copy). */
static inline unsigned por_balance_cell(const por_gate *g, unsigned q, unsigned e, unsigned j)
{
    return por_balance_routed(g) + (2 * q + e) * por_balance_cells(g) + j;
}

/*
 * 2-bit limb helpers of the range gate (evaluated at every
 * LDE point of the quotient, so kept cheap): the limb polynomial
 * l(l-1)(l-2)(l-3) = t (t + 2) with t = l (l - 3), or l(l-1) for a 1-bit top
 * limb, and the Horner step x -> 4x + l by additions.
 */
static inline gl_t por_limb_poly(gl_t l, bool bit)
{
    if (bit)
        return gl_mul(l, gl_sub(l, 1));
    gl_t t = gl_mul(l, gl_sub(l, 3));
    return gl_mul(t, gl_add(t, 2));
}

static inline gl2_t por_limb_poly_ext(gl2_t l, bool bit)
{
    if (bit)
        return gl2_mul(l, gl2_sub(l, gl2_from_base(1)));
    gl2_t t = gl2_mul(l, gl2_sub(l, gl2_from_base(3)));
    return gl2_mul(t, gl2_add(t, gl2_from_base(2)));
}

static inline gl_t por_times4_add(gl_t x, gl_t l)
{
    x = gl_add(x, x);
    return gl_add(gl_add(x, x), l);
}

static inline gl2_t por_times4_add_ext(gl2_t x, gl2_t l)
{
    x = gl2_add(x, x);
    return gl2_add(gl2_add(x, x), l);
}

#endif
