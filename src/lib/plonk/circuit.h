/*
 * PLONK circuit builder and witness generation (Plonky2 family).
 *
 * A circuit is a table of n = 2^degree_bits rows of num_wires wires.  Each
 * row holds one gate (gates.h) or nothing (noop).  The first
 * num_routed_wires wires of each row are "routed": they can be wired to
 * each other by copy constraints, enforced by the permutation argument
 * (plonk.h).  The others are gate-private (e.g. S-box intermediates, limbs).
 *
 * Targets.  A por_target names a value: either a wire (row, column) or a
 * virtual target (a value that lives in no row, e.g. a witness-only
 * temporary, until it is connected to a wire).  por_builder_connect(a, b)
 * makes a and b the same value; the connected components ("copy classes")
 * are what the witness assigns.  Only routed wires and virtual targets can be
 * connected.
 *
 * Building.  Circuit authors call the gadgets (constants, arithmetic,
 * Poseidon, hashing, range checks), which pack operations into rows:
 * arithmetic operations with the same coefficients share a row, constants
 * share constant rows (and equal constants share one wire), range checks of
 * the same bit length share a row.  Errors are sticky: a failing call
 * records the first error, later calls return dummy targets, and
 * por_builder_build reports it.  por_builder_build then appends the
 * public-input gadget (the in-circuit por_hash of the registered public
 * inputs, wired to a public-input gate whose constraint compares it with the
 * verifier's own hash), pads to a power of two and, for zero knowledge,
 * reserves blinding rows (plonk.h explains their number and layout).
 *
 * Witness generation.  Every gate row contributes its gates' generators, and
 * authors add their own with por_builder_add_generator (a function of some
 * targets' values that computes other targets).  A witness starts with the
 * values the author sets (inputs), then generators run as soon as all their
 * inputs are known, until nothing changes; values are stored per copy class,
 * so setting one side of a connection sets the other.  A conflict (two
 * different values for one class) fails generation; values nobody computes
 * are 0.  Generation is sequential (dependency-driven); the prover's heavy
 * work is parallel.
 *
 * The configuration (row width, degree bound, zero knowledge, FRI parameters)
 * is fixed per circuit and bound into its digest (plonk.h).
 */
#ifndef POR_CIRCUIT_H
#define POR_CIRCUIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "field/field.h"
#include "plonk/gates.h"

/* A value in the circuit.  index = row * num_wires + column for a wire, or
 * POR_TARGET_VIRTUAL | k for the k-th virtual target. */
typedef struct {
    uint32_t index;
} por_target;

#define POR_TARGET_VIRTUAL 0x80000000u
#define POR_ROW_NOOP 0xffffu
#define POR_CIRCUIT_MAX_DEGREE_BITS 24

typedef struct {
    uint32_t num_wires;        /* row width W (default 130: one Poseidon gate) */
    uint32_t num_routed_wires; /* R (default 48: 12 arithmetic operations per row) */
    uint32_t num_constants;    /* gate constant columns K (default 2) */
    uint32_t max_degree;       /* bound on constraint degree incl. selector (default 8; 3..64) */
    uint32_t zero_knowledge;   /* 0 or 1 (default 1) */
    /* polynomial commitment / FRI (pcs.h) */
    uint32_t rate_bits;        /* default 3 (blowup 8) */
    uint32_t cap_height;       /* default 4 */
    uint32_t num_queries;      /* default 28 */
    uint32_t pow_bits;         /* default 16 */
    uint32_t arity_bits;       /* default 4 */
    uint32_t final_poly_bits;  /* default 5 (lowered for tiny circuits) */
    /* range lookups (plonk.h): 0 = none; else on the rows of every gate type
     * with g->lookup_bits set, each wire in columns [lookup_first_wire,
     * num_wires) must lie in [0, 2^lookup_bits) */
    uint32_t lookup_bits;       /* default 0; 1..20 */
    uint32_t lookup_first_wire; /* < num_wires when lookup_bits != 0 */
} por_circuit_config;

/* Zero knowledge: blinding rows appended to every circuit, h_w regular rows
 * then h_z pairs of rows (plonk.h explains the counts): h_w = num_queries + 4,
 * h_z = 2 num_queries + 5, so 5 num_queries + 14 rows (154 by default);
 * 0 without zero knowledge. */
size_t por_circuit_blind_regular_rows(const por_circuit_config *cfg);
size_t por_circuit_blind_pairs(const por_circuit_config *cfg);
size_t por_circuit_blinding_rows(const por_circuit_config *cfg);
/* Degree bound of the zero-knowledge masks of the quotient chunks:
 * num_queries + 6 (0 without zero knowledge). */
size_t por_circuit_quotient_mask_len(const por_circuit_config *cfg);

/* The defaults above: 28 * 3 + 16 = 100 bits of conjectured security. */
void por_circuit_config_default(por_circuit_config *cfg);
/* NULL if consistent, else a static description. */
const char *por_circuit_config_check(const por_circuit_config *cfg);
/* The quotient's evaluation domain has 2^(degree_bits + this) points:
 * max(rate_bits, ceil(log2 max_degree)), enough for constraints of degree
 * max_degree.  When it exceeds rate_bits, the prover extends the committed
 * LDEs to the larger coset for the quotient only (plonk.h). */
unsigned por_circuit_quotient_eval_bits(const por_circuit_config *cfg);
/* num_queries * rate_bits + pow_bits (pcs.h explains the conjecture). */
unsigned por_circuit_config_security_bits(const por_circuit_config *cfg);

/*
 * A generator written by a circuit author: computes out[0..n_out) from
 * in[0..n_in) (values of the targets given to por_builder_add_generator);
 * ctx is the builder's copy of the bytes passed there.  Returns 0, or -1
 * if the inputs admit no witness (generation then fails).
 */
typedef int (*por_generator_fn)(const void *ctx, const gl_t *in, gl_t *out);

typedef struct por_builder por_builder;

por_builder *por_builder_new(const por_circuit_config *cfg);
void por_builder_free(por_builder *b);
/* The first error recorded, or NULL. */
const char *por_builder_error(const por_builder *b);
/* Records an error from an author's gadget (the first one sticks). */
void por_builder_fail(por_builder *b, const char *why);
const por_circuit_config *por_builder_config(const por_builder *b);
/* Rows used so far. */
size_t por_builder_num_rows(const por_builder *b);

/* Low level: appends a row holding a gate of type (vt, params) with its
 * constants (num_constants of them, or NULL for zeros); returns the row or
 * SIZE_MAX after an error. */
size_t por_builder_add_gate(por_builder *b, const por_gate_vtable *vt, const uint32_t *params,
                            const gl_t *consts);
/* Packing of gates whose operations share the row's constants (c0, c1)
 * (arithmetic, arithmetic-ext): the row and operation index *op (< ops per
 * row) for the next operation of vt with those constants, in an open row of
 * vt with the same constants or a new one (default parameters); SIZE_MAX
 * after an error. */
size_t por_builder_pack_op(por_builder *b, const por_gate_vtable *vt, gl_t c0, gl_t c1, unsigned ops,
                           unsigned *op);
/* The target of wire col of row. */
por_target por_builder_wire(por_builder *b, size_t row, unsigned col);
por_target por_builder_add_virtual(por_builder *b);
/* Copy constraint: x and y hold the same value. */
void por_builder_connect(por_builder *b, por_target x, por_target y);
/* The next public input (its index is the registration order). */
void por_builder_register_public_input(por_builder *b, por_target x);
void por_builder_add_generator(por_builder *b, const por_target *in, size_t n_in,
                               const por_target *out, size_t n_out, por_generator_fn fn,
                               const void *ctx, size_t ctx_size);

/* Gadgets. */
por_target por_builder_constant(por_builder *b, gl_t c);
por_target por_builder_zero(por_builder *b);
por_target por_builder_one(por_builder *b);
/* c0 * x * y + c1 * z: one operation of an arithmetic row. */
por_target por_builder_arithmetic(por_builder *b, gl_t c0, gl_t c1, por_target x, por_target y,
                                  por_target z);
por_target por_builder_add(por_builder *b, por_target x, por_target y);
por_target por_builder_sub(por_builder *b, por_target x, por_target y);
por_target por_builder_mul(por_builder *b, por_target x, por_target y);
/* x * y + z */
por_target por_builder_mul_add(por_builder *b, por_target x, por_target y, por_target z);
por_target por_builder_mul_const(por_builder *b, gl_t c, por_target x);
por_target por_builder_add_const(por_builder *b, por_target x, gl_t c);
void por_builder_assert_zero(por_builder *b, por_target x);
void por_builder_assert_equal(por_builder *b, por_target x, por_target y);
/* x in {0, 1} (x^2 - x = 0). */
void por_builder_assert_bool(por_builder *b, por_target x);
/* 0 <= x < 2^bits (1 <= bits <= 63), packed into range-check rows. */
void por_builder_range_check(por_builder *b, por_target x, unsigned bits);
/* One Poseidon permutation (one row). */
void por_builder_poseidon(por_builder *b, const por_target in[12], por_target out[12]);
/* por_hash(domain, in[0..n)) in-circuit (poseidon.h), digest in out[4]. */
void por_builder_hash(por_builder *b, uint64_t domain, const por_target *in, size_t n,
                      por_target out[4]);

/* Domain tag of the public-input digest: por_hash(POR_DOMAIN_PUBLIC_INPUTS, pis). */
#define POR_DOMAIN_PUBLIC_INPUTS 0x706f722d70756269ULL /* "por-pubi" */

/* A finished circuit: read-only after por_builder_build. */
typedef struct {
    uint32_t kind; /* 0 gate generator, 1 author generator */
    uint32_t row;  /* gate generator: the row and generator index */
    uint32_t k;
    por_generator_fn fn; /* author generator */
    size_t ctx_off, in_off, out_off;
    uint32_t n_in, n_out;
} por_generator;

typedef struct {
    por_circuit_config config;
    unsigned degree_bits;
    size_t n;                 /* 2^degree_bits rows */
    size_t num_gate_rows;     /* rows holding gates: [0, num_gate_rows) */
    size_t blind_start;       /* zero knowledge: blinding rows start here */
    size_t num_blind_regular; /* random rows [blind_start, +regular) */
    size_t num_blind_pairs;   /* then pairs of rows with copied random routed wires */
    unsigned num_gate_types;
    por_gate *gate_types;
    uint16_t *row_type;  /* n entries: index into gate_types, or POR_ROW_NOOP */
    gl_t *row_consts;    /* n * num_constants */
    /* routed cells are numbered row * R + col; sigma maps each to the next
     * cell of its copy class (a cycle); singletons map to themselves */
    uint32_t *sigma;     /* n * R */
    /* witness slot of each routed cell, then of each virtual target */
    uint32_t *slot;      /* n * R + num_virtual */
    size_t num_virtual;
    size_t num_classes;  /* slots of routed cells and virtual targets */
    size_t num_slots;    /* num_classes + n * (W - R) (unrouted cells) */
    por_generator *generators;
    size_t num_generators;
    por_target *gen_targets;
    uint8_t *gen_ctx;
    por_target *public_inputs;
    size_t num_public_inputs;
} por_circuit;

/* Finishes the circuit (the builder can be freed afterwards).  NULL on error,
 * with a static description in *why. */
por_circuit *por_builder_build(por_builder *b, const char **why);
void por_circuit_free(por_circuit *c);
/* The witness slot of a target (SIZE_MAX if it is not in the circuit). */
size_t por_circuit_slot(const por_circuit *c, por_target t);

typedef struct {
    const por_circuit *c;
    gl_t *values;   /* num_slots */
    uint8_t *known; /* num_slots */
    bool generated;
} por_witness;

por_witness *por_witness_new(const por_circuit *c);
void por_witness_free(por_witness *w);
/* Sets a target's value; -1 if the target is not in the circuit, the value
 * is not canonical or the class already holds a different value. */
int por_witness_set(por_witness *w, por_target t, gl_t v);
/* 0 and the value if known, else -1. */
int por_witness_get(const por_witness *w, por_target t, gl_t *v);
/* Runs the generators (see above); 0, or -1 with *why on a conflict or a
 * failing generator. Idempotent. */
int por_witness_generate(por_witness *w, const char **why);
/* The value of wire (row, col) (0 if unknown). */
gl_t por_witness_wire(const por_witness *w, size_t row, unsigned col);
/*
 * Checks every gate row's constraints on the generated witness (the copy
 * constraints hold by construction: values are per class).  Returns 0, or -1
 * with the first failing row and a description.  For debugging and tests:
 * the prover itself detects unsatisfied constraints from the quotient.
 */
int por_circuit_check_witness(const por_circuit *c, const por_witness *w, size_t *bad_row,
                              const char **why);

#endif
