/*
 * PLONK circuit builder and witness generation (see circuit.h).
 */
#include "plonk/circuit.h"

#include <stdlib.h>
#include <string.h>

#include "hash/poseidon.h"

/* ---------------------------------------------------------------------------
 * Small helpers
 */

/* Grows *p (elements of size elem) to hold at least need; 0 or -1. */
static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 16;
    while (nc < need)
        nc *= 2;
    void *q = realloc(*p, nc * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = nc;
    return 0;
}

/* Open-addressing map from a pair of u64 to a u64 (at most half full). */
typedef struct {
    uint64_t *k0, *k1, *v;
    uint8_t *used;
    size_t cap, len;
} pair_map;

static size_t pair_hash(uint64_t a, uint64_t b, size_t cap)
{
    uint64_t h = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL) * 0xc2b2ae3d27d4eb4fULL;
    h ^= h >> 29;
    return (size_t)h & (cap - 1);
}

static void pair_map_free(pair_map *m)
{
    free(m->k0), free(m->k1), free(m->v), free(m->used);
    memset(m, 0, sizeof(*m));
}

static uint64_t *pair_map_find(const pair_map *m, uint64_t a, uint64_t b)
{
    if (!m->cap)
        return NULL;
    for (size_t i = pair_hash(a, b, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (!m->used[i])
            return NULL;
        if (m->k0[i] == a && m->k1[i] == b)
            return &m->v[i];
    }
}

static int pair_map_put(pair_map *m, uint64_t a, uint64_t b, uint64_t v)
{
    uint64_t *slot = pair_map_find(m, a, b);
    if (slot) {
        *slot = v;
        return 0;
    }
    if (2 * (m->len + 1) > m->cap) {
        pair_map old = *m;
        size_t cap = old.cap ? 2 * old.cap : 64;
        m->k0 = malloc(cap * sizeof(uint64_t));
        m->k1 = malloc(cap * sizeof(uint64_t));
        m->v = malloc(cap * sizeof(uint64_t));
        m->used = calloc(cap, 1);
        m->cap = cap;
        m->len = 0;
        if (!m->k0 || !m->k1 || !m->v || !m->used) {
            pair_map_free(m);
            *m = old;
            return -1;
        }
        for (size_t i = 0; i < old.cap; i++)
            if (old.used[i])
                pair_map_put(m, old.k0[i], old.k1[i], old.v[i]);
        pair_map_free(&old);
    }
    size_t i = pair_hash(a, b, m->cap);
    while (m->used[i])
        i = (i + 1) & (m->cap - 1);
    m->used[i] = 1;
    m->k0[i] = a, m->k1[i] = b, m->v[i] = v;
    m->len++;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Configuration
 */

void por_circuit_config_default(por_circuit_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->num_wires = POR_POSEIDON_GATE_WIRES;
    cfg->num_routed_wires = 48;
    cfg->num_constants = 2;
    cfg->max_degree = 8;
    cfg->zero_knowledge = 1;
    cfg->rate_bits = 3;
    cfg->cap_height = 4;
    cfg->num_queries = 28;
    cfg->pow_bits = 16;
    cfg->arity_bits = 4;
    cfg->final_poly_bits = 5;
}

const char *por_circuit_config_check(const por_circuit_config *cfg)
{
    if (cfg->num_wires < 4 || cfg->num_wires > POR_MAX_WIRES)
        return "config: num_wires out of range (4..512)";
    if (cfg->num_routed_wires < 4 || cfg->num_routed_wires > cfg->num_wires)
        return "config: num_routed_wires out of range (4..num_wires)";
    if (cfg->num_constants < 2 || cfg->num_constants > POR_MAX_CONSTANTS)
        return "config: num_constants out of range (2..16)";
    if (cfg->zero_knowledge > 1)
        return "config: zero_knowledge must be 0 or 1";
    if (cfg->rate_bits < 1 || cfg->rate_bits > 6)
        return "config: rate_bits out of range (1..6)";
    if (cfg->max_degree < 3 || cfg->max_degree > 64)
        return "config: max_degree out of range (3..64)";
    if (cfg->num_queries < 1 || cfg->num_queries > 256)
        return "config: num_queries out of range (1..256)";
    if (cfg->pow_bits > 32)
        return "config: pow_bits out of range (0..32)";
    if (cfg->arity_bits < 1 || cfg->arity_bits > 4)
        return "config: arity_bits out of range (1..4)";
    if (cfg->cap_height > 16 || cfg->final_poly_bits > 16)
        return "config: cap_height / final_poly_bits out of range";
    if (cfg->lookup_bits > 20)
        return "config: lookup_bits out of range (0..20)";
    if (cfg->lookup_bits && cfg->lookup_first_wire >= cfg->num_wires)
        return "config: lookup_first_wire must be below num_wires";
    if (!cfg->lookup_bits && cfg->lookup_first_wire)
        return "config: lookup_first_wire without lookup_bits";
    return NULL;
}

/* Zero knowledge (plonk.h counts what a proof reveals per committed
 * polynomial): each count below is the number of uniform base-field degrees
 * of freedom that covers the revealed values exactly, plus
 * POR_CIRCUIT_ZK_MARGIN base values, so an opening or relation that a future
 * change adds (one more point, one more exposed shift) does not silently
 * leave a polynomial short. */

/* Each wire reveals num_queries + 4 base values; one per regular row. */
size_t por_circuit_blind_regular_rows(const por_circuit_config *cfg)
{
    return cfg->zero_knowledge ? (size_t)cfg->num_queries + 4 + POR_CIRCUIT_ZK_MARGIN : 0;
}

/* Z (two base polynomials) reveals 4 num_queries + 10 base values; a pair
 * gives it one fresh extension value, 2 base values. */
size_t por_circuit_blind_pairs(const por_circuit_config *cfg)
{
    return cfg->zero_knowledge ? 2 * (size_t)cfg->num_queries + 5 + POR_CIRCUIT_ZK_MARGIN / 2 : 0;
}

size_t por_circuit_blinding_rows(const por_circuit_config *cfg)
{
    return por_circuit_blind_regular_rows(cfg) + 2 * por_circuit_blind_pairs(cfg);
}

/* q >= 3 chunks (constraint degree >= 3) reveal q (2 num_queries + 8) base
 * values under 2 num_queries + 4 relations; the q - 1 masks of h extension
 * coefficients give 2 (q - 1) h.  h = num_queries + 6 leaves 4 q - 8 >= 4
 * spare: the margin holds without more. */
size_t por_circuit_quotient_mask_len(const por_circuit_config *cfg)
{
    return cfg->zero_knowledge ? (size_t)cfg->num_queries + 6 : 0;
}

unsigned por_circuit_quotient_eval_bits(const por_circuit_config *cfg)
{
    unsigned bits = 0;
    while ((1u << bits) < cfg->max_degree)
        bits++;
    return bits > cfg->rate_bits ? bits : cfg->rate_bits;
}

unsigned por_circuit_config_security_bits(const por_circuit_config *cfg)
{
    return cfg->num_queries * cfg->rate_bits + cfg->pow_bits;
}

/* ---------------------------------------------------------------------------
 * Builder
 */

typedef struct {
    size_t row;
    unsigned used;
} open_row;

struct por_builder {
    por_circuit_config cfg;
    const char *error;
    por_gate *types;
    size_t ntypes, cap_types;
    uint16_t *row_type;
    size_t nrows, cap_rows;
    gl_t *row_consts;
    size_t cap_consts;
    uint32_t nvirtual;
    uint32_t *conns; /* pairs of target indices */
    size_t nconns, cap_conns;
    por_target *pis;
    size_t npis, cap_pis;
    por_generator *gens;
    size_t ngens, cap_gens;
    por_target *gen_targets;
    size_t ngen_targets, cap_gen_targets;
    uint8_t *gen_ctx;
    size_t ngen_ctx, cap_gen_ctx;
    /* packing state */
    pair_map consts;   /* value -> target index */
    open_row const_row;
    bool const_row_open;
    /* per gate type packed by row constants (arithmetic, arithmetic-ext, sbox-ext):
     * (c0, c1) -> row << 16 | used */
    struct {
        const por_gate_vtable *vt;
        pair_map rows;
    } packs[8];
    unsigned npacks;
    open_row range_rows[64];
    bool range_open[64];
    bool built;
};

static const por_target DUMMY = {0};

por_builder *por_builder_new(const por_circuit_config *cfg)
{
    por_builder *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->cfg = *cfg;
    b->error = por_circuit_config_check(cfg);
    return b;
}

void por_builder_free(por_builder *b)
{
    if (!b)
        return;
    free(b->types), free(b->row_type), free(b->row_consts), free(b->conns), free(b->pis);
    free(b->gens), free(b->gen_targets), free(b->gen_ctx);
    pair_map_free(&b->consts);
    for (unsigned i = 0; i < b->npacks; i++)
        pair_map_free(&b->packs[i].rows);
    free(b);
}

const char *por_builder_error(const por_builder *b) { return b->error; }

void por_builder_fail(por_builder *b, const char *why)
{
    if (!b->error)
        b->error = why;
}

const por_circuit_config *por_builder_config(const por_builder *b) { return &b->cfg; }
size_t por_builder_num_rows(const por_builder *b) { return b->nrows; }

static bool target_is_virtual(por_target t) { return (t.index & POR_TARGET_VIRTUAL) != 0; }

/* Checks that t names an existing wire or virtual target. */
static bool target_valid(const por_builder *b, por_target t)
{
    if (target_is_virtual(t))
        return (t.index & ~POR_TARGET_VIRTUAL) < b->nvirtual;
    return t.index / b->cfg.num_wires < b->nrows;
}

/* Index of the gate type (vt, params) in the builder, added if new; -1 on error. */
static long gate_type_index(por_builder *b, const por_gate_vtable *vt, const uint32_t *params)
{
    por_gate g;
    const char *why = por_gate_init(&g, vt, params, b->cfg.num_wires, b->cfg.num_routed_wires,
                                    b->cfg.num_constants);
    if (why) {
        por_builder_fail(b, why);
        return -1;
    }
    if (g.degree + 1 > b->cfg.max_degree) {
        por_builder_fail(b, "gate degree + 1 (selector) exceeds max_degree");
        return -1;
    }
    if (g.lookup_bits &&
        (g.lookup_bits != b->cfg.lookup_bits || g.lookup_first_wire != b->cfg.lookup_first_wire)) {
        por_builder_fail(b, "the gate's lookup table or columns differ from the configuration's");
        return -1;
    }
    for (size_t i = 0; i < b->ntypes; i++)
        if (por_gate_equal(&b->types[i], &g))
            return (long)i;
    if (b->ntypes >= 255 ||
        grow((void **)&b->types, &b->cap_types, b->ntypes + 1, sizeof(por_gate)) != 0) {
        por_builder_fail(b, "too many gate types");
        return -1;
    }
    b->types[b->ntypes] = g;
    return (long)b->ntypes++;
}

size_t por_builder_add_gate(por_builder *b, const por_gate_vtable *vt, const uint32_t *params,
                            const gl_t *consts)
{
    if (b->error)
        return SIZE_MAX;
    long type = POR_ROW_NOOP;
    if (vt != &por_gate_noop_vt && (type = gate_type_index(b, vt, params)) < 0)
        return SIZE_MAX;
    size_t K = b->cfg.num_constants;
    if ((uint64_t)(b->nrows + 1) * b->cfg.num_wires >= POR_TARGET_VIRTUAL ||
        b->nrows + 1 > ((size_t)1 << POR_CIRCUIT_MAX_DEGREE_BITS) ||
        grow((void **)&b->row_type, &b->cap_rows, b->nrows + 1, sizeof(uint16_t)) != 0 ||
        grow((void **)&b->row_consts, &b->cap_consts, (b->nrows + 1) * K, sizeof(gl_t)) != 0) {
        por_builder_fail(b, "circuit too large");
        return SIZE_MAX;
    }
    b->row_type[b->nrows] = (uint16_t)type;
    for (size_t i = 0; i < K; i++) {
        gl_t c = consts ? consts[i] : 0;
        if (!gl_is_canonical(c)) {
            por_builder_fail(b, "gate constant not canonical");
            return SIZE_MAX;
        }
        b->row_consts[b->nrows * K + i] = c;
    }
    return b->nrows++;
}

por_target por_builder_wire(por_builder *b, size_t row, unsigned col)
{
    if (row >= b->nrows || col >= b->cfg.num_wires) {
        por_builder_fail(b, "wire out of range");
        return DUMMY;
    }
    return (por_target){(uint32_t)(row * b->cfg.num_wires + col)};
}

por_target por_builder_add_virtual(por_builder *b)
{
    if (b->nvirtual >= POR_TARGET_VIRTUAL - 1) {
        por_builder_fail(b, "too many virtual targets");
        return DUMMY;
    }
    return (por_target){POR_TARGET_VIRTUAL | b->nvirtual++};
}

void por_builder_connect(por_builder *b, por_target x, por_target y)
{
    if (b->error)
        return;
    if (!target_valid(b, x) || !target_valid(b, y)) {
        por_builder_fail(b, "connect: unknown target");
        return;
    }
    for (int i = 0; i < 2; i++) {
        por_target t = i ? y : x;
        if (!target_is_virtual(t) && t.index % b->cfg.num_wires >= b->cfg.num_routed_wires) {
            por_builder_fail(b, "connect: wire is not routed");
            return;
        }
    }
    if (grow((void **)&b->conns, &b->cap_conns, 2 * (b->nconns + 1), sizeof(uint32_t)) != 0) {
        por_builder_fail(b, "out of memory");
        return;
    }
    b->conns[2 * b->nconns] = x.index;
    b->conns[2 * b->nconns + 1] = y.index;
    b->nconns++;
}

void por_builder_register_public_input(por_builder *b, por_target x)
{
    if (b->error)
        return;
    if (!target_valid(b, x)) {
        por_builder_fail(b, "public input: unknown target");
        return;
    }
    if (grow((void **)&b->pis, &b->cap_pis, b->npis + 1, sizeof(por_target)) != 0) {
        por_builder_fail(b, "out of memory");
        return;
    }
    b->pis[b->npis++] = x;
}

void por_builder_add_generator(por_builder *b, const por_target *in, size_t n_in,
                               const por_target *out, size_t n_out, por_generator_fn fn,
                               const void *ctx, size_t ctx_size)
{
    if (b->error)
        return;
    if (!fn || n_in > UINT32_MAX / 2 || n_out > UINT32_MAX / 2) {
        por_builder_fail(b, "generator: bad arguments");
        return;
    }
    for (size_t i = 0; i < n_in + n_out; i++)
        if (!target_valid(b, i < n_in ? in[i] : out[i - n_in])) {
            por_builder_fail(b, "generator: unknown target");
            return;
        }
    size_t ctx_aligned = (ctx_size + 15) & ~(size_t)15;
    if (grow((void **)&b->gens, &b->cap_gens, b->ngens + 1, sizeof(por_generator)) != 0 ||
        grow((void **)&b->gen_targets, &b->cap_gen_targets, b->ngen_targets + n_in + n_out,
             sizeof(por_target)) != 0 ||
        grow((void **)&b->gen_ctx, &b->cap_gen_ctx, b->ngen_ctx + ctx_aligned + 16, 1) != 0) {
        por_builder_fail(b, "out of memory");
        return;
    }
    por_generator *g = &b->gens[b->ngens++];
    memset(g, 0, sizeof(*g));
    g->kind = 1;
    g->fn = fn;
    g->ctx_off = b->ngen_ctx;
    g->in_off = b->ngen_targets;
    g->out_off = b->ngen_targets + n_in;
    g->n_in = (uint32_t)n_in;
    g->n_out = (uint32_t)n_out;
    if (n_in)
        memcpy(b->gen_targets + b->ngen_targets, in, n_in * sizeof(por_target));
    if (n_out)
        memcpy(b->gen_targets + b->ngen_targets + n_in, out, n_out * sizeof(por_target));
    b->ngen_targets += n_in + n_out;
    if (ctx_size)
        memcpy(b->gen_ctx + b->ngen_ctx, ctx, ctx_size);
    b->ngen_ctx += ctx_aligned;
}

/* ---------------------------------------------------------------------------
 * Gadgets
 */

por_target por_builder_constant(por_builder *b, gl_t c)
{
    if (b->error)
        return DUMMY;
    if (!gl_is_canonical(c)) {
        por_builder_fail(b, "constant not canonical");
        return DUMMY;
    }
    uint64_t *hit = pair_map_find(&b->consts, c, 0);
    if (hit)
        return (por_target){(uint32_t)*hit};
    unsigned per_row = b->cfg.num_constants < b->cfg.num_routed_wires ? b->cfg.num_constants
                                                                      : b->cfg.num_routed_wires;
    if (!b->const_row_open || b->const_row.used >= per_row) {
        size_t row = por_builder_add_gate(b, &por_gate_constant_vt, NULL, NULL);
        if (row == SIZE_MAX)
            return DUMMY;
        b->const_row = (open_row){row, 0};
        b->const_row_open = true;
    }
    size_t row = b->const_row.row;
    unsigned col = b->const_row.used++;
    b->row_consts[row * b->cfg.num_constants + col] = c;
    por_target t = por_builder_wire(b, row, col);
    if (pair_map_put(&b->consts, c, 0, t.index) != 0)
        por_builder_fail(b, "out of memory");
    return t;
}

por_target por_builder_zero(por_builder *b) { return por_builder_constant(b, 0); }
por_target por_builder_one(por_builder *b) { return por_builder_constant(b, 1); }

size_t por_builder_pack_op(por_builder *b, const por_gate_vtable *vt, gl_t c0, gl_t c1, unsigned ops,
                           unsigned *op)
{
    if (b->error)
        return SIZE_MAX;
    if (!gl_is_canonical(c0) || !gl_is_canonical(c1)) {
        por_builder_fail(b, "arithmetic: coefficient not canonical");
        return SIZE_MAX;
    }
    unsigned p = 0;
    while (p < b->npacks && b->packs[p].vt != vt)
        p++;
    if (p == b->npacks) {
        if (p == sizeof(b->packs) / sizeof(b->packs[0])) {
            por_builder_fail(b, "too many packed gate types");
            return SIZE_MAX;
        }
        b->packs[b->npacks++].vt = vt;
    }
    uint64_t *hit = pair_map_find(&b->packs[p].rows, c0, c1);
    size_t row;
    if (hit && (*hit & 0xffff) < ops) {
        row = (size_t)(*hit >> 16);
        *op = (unsigned)(*hit & 0xffff);
    } else {
        gl_t consts[POR_MAX_CONSTANTS] = {c0, c1};
        row = por_builder_add_gate(b, vt, NULL, consts);
        if (row == SIZE_MAX)
            return SIZE_MAX;
        *op = 0;
    }
    if (pair_map_put(&b->packs[p].rows, c0, c1, ((uint64_t)row << 16) | (*op + 1)) != 0) {
        por_builder_fail(b, "out of memory");
        return SIZE_MAX;
    }
    return row;
}

por_target por_builder_arithmetic(por_builder *b, gl_t c0, gl_t c1, por_target x, por_target y,
                                  por_target z)
{
    unsigned op;
    size_t row = por_builder_pack_op(b, &por_gate_arithmetic_vt, c0, c1, b->cfg.num_routed_wires / 4, &op);
    if (row == SIZE_MAX)
        return DUMMY;
    por_builder_connect(b, x, por_builder_wire(b, row, por_arith_x(op)));
    por_builder_connect(b, y, por_builder_wire(b, row, por_arith_y(op)));
    por_builder_connect(b, z, por_builder_wire(b, row, por_arith_z(op)));
    return por_builder_wire(b, row, por_arith_out(op));
}

por_target por_builder_add(por_builder *b, por_target x, por_target y)
{
    return por_builder_arithmetic(b, 1, 1, x, por_builder_one(b), y);
}

por_target por_builder_sub(por_builder *b, por_target x, por_target y)
{
    return por_builder_arithmetic(b, 1, GL_P - 1, x, por_builder_one(b), y);
}

por_target por_builder_mul(por_builder *b, por_target x, por_target y)
{
    return por_builder_arithmetic(b, 1, 0, x, y, por_builder_zero(b));
}

por_target por_builder_mul_add(por_builder *b, por_target x, por_target y, por_target z)
{
    return por_builder_arithmetic(b, 1, 1, x, y, z);
}

por_target por_builder_mul_const(por_builder *b, gl_t c, por_target x)
{
    return por_builder_arithmetic(b, c, 0, x, por_builder_one(b), por_builder_zero(b));
}

por_target por_builder_add_const(por_builder *b, por_target x, gl_t c)
{
    por_target one = por_builder_one(b);
    return por_builder_arithmetic(b, 1, c, x, one, one);
}

void por_builder_assert_zero(por_builder *b, por_target x)
{
    por_builder_connect(b, x, por_builder_zero(b));
}

void por_builder_assert_equal(por_builder *b, por_target x, por_target y)
{
    por_builder_connect(b, x, y);
}

void por_builder_assert_bool(por_builder *b, por_target x)
{
    /* x * x - x */
    por_builder_assert_zero(b, por_builder_arithmetic(b, 1, GL_P - 1, x, x, x));
}

void por_builder_range_check(por_builder *b, por_target x, unsigned bits)
{
    if (b->error)
        return;
    if (bits < 1 || bits > 63) {
        por_builder_fail(b, "range check: bits must be 1..63");
        return;
    }
    /* by lookups when the circuit has a table, else 2-bit limbs */
    const por_gate_vtable *vt = b->cfg.lookup_bits ? &por_gate_range_lookup_vt : &por_gate_range_vt;
    uint32_t params[POR_GATE_MAX_PARAMS] = {bits, 0, 0, 0};
    if (b->cfg.lookup_bits) {
        params[1] = b->cfg.lookup_bits, params[2] = b->cfg.lookup_first_wire;
    } else {
        /* Few values a row: the prover evaluates every gate type's constraints
         * at every point of the quotient domain, rows or not, so a full row
         * of 2-bit limbs (~128 constraints for a handful of rows) costs as
         * much as the Poseidon gate; a few hundred more rows cost nothing
         * below the next power of two. */
        unsigned per = 1 + (bits + 1) / 2, cap = POR_RANGE_ROW_CONSTRAINTS / per;
        unsigned fit = por_range_default_values(bits, b->cfg.num_wires, b->cfg.num_routed_wires);
        params[1] = cap < 1 ? 1 : cap < fit ? cap : fit;
    }
    por_gate shape;
    if (por_gate_init(&shape, vt, params, b->cfg.num_wires, b->cfg.num_routed_wires, b->cfg.num_constants)) {
        por_builder_fail(b, "range check: the values do not fit the row");
        return;
    }
    unsigned per_row = shape.params[b->cfg.lookup_bits ? 3 : 1];
    if (!b->range_open[bits] || b->range_rows[bits].used >= per_row) {
        size_t row = por_builder_add_gate(b, vt, params, NULL);
        if (row == SIZE_MAX)
            return;
        b->range_rows[bits] = (open_row){row, 0};
        b->range_open[bits] = true;
    }
    open_row *r = &b->range_rows[bits];
    por_builder_connect(b, x, por_builder_wire(b, r->row, r->used++));
}

void por_builder_poseidon(por_builder *b, const por_target in[12], por_target out[12])
{
    size_t row = por_builder_add_gate(b, &por_gate_poseidon_vt, NULL, NULL);
    for (unsigned i = 0; i < 12; i++) {
        if (row == SIZE_MAX) {
            out[i] = DUMMY;
            continue;
        }
        por_builder_connect(b, in[i], por_builder_wire(b, row, por_poseidon_gate_in(i)));
        out[i] = por_builder_wire(b, row, por_poseidon_gate_out(i));
    }
}

void por_builder_hash(por_builder *b, uint64_t domain, const por_target *in, size_t n,
                      por_target out[4])
{
    /* the same sponge as por_hash: capacity holds (domain, n), chunks of 8
     * overwrite state[0..8), one permutation per chunk (at least one) */
    por_target s[12], t[12];
    por_target zero = por_builder_zero(b);
    for (unsigned i = 0; i < 12; i++)
        s[i] = zero;
    s[8] = por_builder_constant(b, gl_from_u64(domain));
    s[9] = por_builder_constant(b, gl_from_u64((uint64_t)n));
    size_t off = 0;
    do {
        for (size_t i = 0; i < POSEIDON_RATE && off + i < n; i++)
            s[i] = in[off + i];
        por_builder_poseidon(b, s, t);
        memcpy(s, t, sizeof(s));
        off += POSEIDON_RATE;
    } while (off < n);
    memcpy(out, s, 4 * sizeof(por_target));
}

/* ---------------------------------------------------------------------------
 * Build
 */

static uint32_t uf_find(uint32_t *parent, uint32_t x)
{
    uint32_t r = x;
    while (parent[r] != r)
        r = parent[r];
    while (parent[x] != r) {
        uint32_t nx = parent[x];
        parent[x] = r;
        x = nx;
    }
    return r;
}

static void uf_union(uint32_t *parent, uint32_t *size, uint32_t a, uint32_t b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a == b)
        return;
    if (size[a] < size[b]) {
        uint32_t t = a;
        a = b;
        b = t;
    }
    parent[b] = a;
    size[a] += size[b];
}

void por_circuit_free(por_circuit *c)
{
    if (!c)
        return;
    free(c->gate_types), free(c->row_type), free(c->row_consts), free(c->sigma), free(c->slot);
    free(c->generators), free(c->gen_targets), free(c->gen_ctx), free(c->public_inputs);
    free(c);
}

/* Node of a connectable target in the union-find: routed cells row * R + col,
 * virtual targets after the n * R cells. */
static uint32_t target_node(const por_circuit *c, uint32_t index)
{
    if (index & POR_TARGET_VIRTUAL)
        return (uint32_t)(c->n * c->config.num_routed_wires + (index & ~POR_TARGET_VIRTUAL));
    uint32_t row = index / c->config.num_wires, col = index % c->config.num_wires;
    return row * c->config.num_routed_wires + col;
}

static por_circuit *build_fail(por_circuit *c, const char **why, const char *msg)
{
    por_circuit_free(c);
    if (why)
        *why = msg;
    return NULL;
}

por_circuit *por_builder_build(por_builder *b, const char **why)
{
    if (b->error)
        return build_fail(NULL, why, b->error);
    if (b->built)
        return build_fail(NULL, why, "builder already built");
    b->built = true;
    /* public inputs: in-circuit digest wired to a public-input gate */
    por_target digest[4];
    por_builder_hash(b, POR_DOMAIN_PUBLIC_INPUTS, b->pis, b->npis, digest);
    size_t pi_row = por_builder_add_gate(b, &por_gate_public_input_vt, NULL, NULL);
    for (unsigned i = 0; i < 4 && pi_row != SIZE_MAX; i++)
        por_builder_connect(b, digest[i], por_builder_wire(b, pi_row, i));
    if (b->error)
        return build_fail(NULL, why, b->error);

    por_circuit *c = calloc(1, sizeof(*c));
    if (!c)
        return build_fail(NULL, why, "out of memory");
    c->config = b->cfg;
    const size_t W = b->cfg.num_wires, R = b->cfg.num_routed_wires, K = b->cfg.num_constants;
    /* zero knowledge: blinding rows at the end (plonk.h) */
    c->num_gate_rows = b->nrows;
    c->num_blind_regular = por_circuit_blind_regular_rows(&b->cfg);
    c->num_blind_pairs = por_circuit_blind_pairs(&b->cfg);
    size_t blind = por_circuit_blinding_rows(&b->cfg);
    /* the lookup table fills the first 2^lookup_bits rows, all before the blinding */
    size_t table = b->cfg.lookup_bits ? (size_t)1 << b->cfg.lookup_bits : 0;
    size_t need = (b->nrows > table ? b->nrows : table) + blind;
    unsigned bits = 3;
    while (((size_t)1 << bits) < need)
        bits++;
    if (bits > POR_CIRCUIT_MAX_DEGREE_BITS ||
        (uint64_t)((size_t)1 << bits) * W >= POR_TARGET_VIRTUAL)
        return build_fail(c, why, "circuit too large");
    c->degree_bits = bits;
    c->n = (size_t)1 << bits;
    c->blind_start = c->n - blind;
    const size_t n = c->n;

    c->num_gate_types = (unsigned)b->ntypes;
    c->gate_types = malloc((b->ntypes + 1) * sizeof(por_gate));
    c->row_type = malloc(n * sizeof(uint16_t));
    c->row_consts = calloc(n * K, sizeof(gl_t));
    c->num_virtual = b->nvirtual;
    size_t nodes = n * R + b->nvirtual;
    c->sigma = malloc(n * R * sizeof(uint32_t));
    c->slot = malloc((nodes + 1) * sizeof(uint32_t));
    uint32_t *parent = malloc((nodes + 1) * sizeof(uint32_t));
    uint32_t *size = malloc((nodes + 1) * sizeof(uint32_t));
    if (!c->gate_types || !c->row_type || !c->row_consts || !c->sigma || !c->slot || !parent ||
        !size) {
        free(parent), free(size);
        return build_fail(c, why, "out of memory");
    }
    if (b->ntypes)
        memcpy(c->gate_types, b->types, b->ntypes * sizeof(por_gate));
    memcpy(c->row_type, b->row_type, b->nrows * sizeof(uint16_t));
    for (size_t r = b->nrows; r < n; r++)
        c->row_type[r] = POR_ROW_NOOP;
    if (b->nrows)
        memcpy(c->row_consts, b->row_consts, b->nrows * K * sizeof(gl_t));

    /* copy classes */
    for (size_t i = 0; i < nodes; i++)
        parent[i] = (uint32_t)i, size[i] = 1;
    for (size_t i = 0; i < b->nconns; i++)
        uf_union(parent, size, target_node(c, b->conns[2 * i]), target_node(c, b->conns[2 * i + 1]));
    /* blinding pairs: routed wires of rows a and a + 1 hold the same random value */
    for (size_t p = 0; p < c->num_blind_pairs; p++) {
        size_t a = c->blind_start + c->num_blind_regular + 2 * p;
        for (size_t j = 0; j < R; j++)
            uf_union(parent, size, (uint32_t)(a * R + j), (uint32_t)((a + 1) * R + j));
    }
    /* sigma: each routed cell points to the next cell of its class, the last
     * back to the first (size[] is reused for "last cell seen", parent's
     * roots keep theirs) */
    uint32_t *first = malloc((nodes + 1) * sizeof(uint32_t));
    if (!first) {
        free(parent), free(size);
        return build_fail(c, why, "out of memory");
    }
    for (size_t i = 0; i < nodes; i++)
        first[i] = UINT32_MAX, size[i] = UINT32_MAX;
    for (size_t i = 0; i < n * R; i++) {
        uint32_t r = uf_find(parent, (uint32_t)i);
        if (size[r] == UINT32_MAX)
            first[r] = (uint32_t)i;
        else
            c->sigma[size[r]] = (uint32_t)i;
        size[r] = (uint32_t)i;
    }
    for (size_t i = 0; i < nodes; i++)
        if (size[i] != UINT32_MAX && parent[i] == i)
            c->sigma[size[i]] = first[i];
    /* witness slots: one per class, then one per unrouted cell */
    size_t classes = 0;
    for (size_t i = 0; i < nodes; i++)
        first[i] = UINT32_MAX;
    for (size_t i = 0; i < nodes; i++) {
        uint32_t r = uf_find(parent, (uint32_t)i);
        if (first[r] == UINT32_MAX)
            first[r] = (uint32_t)classes++;
        c->slot[i] = first[r];
    }
    free(first), free(parent), free(size);
    c->num_classes = classes;
    c->num_slots = classes + n * (W - R);

    /* generators: every gate row's, then the author's */
    size_t ngate_gens = 0;
    for (size_t r = 0; r < b->nrows; r++)
        if (b->row_type[r] != POR_ROW_NOOP)
            ngate_gens += b->types[b->row_type[r]].vt->num_generators(&b->types[b->row_type[r]]);
    c->num_generators = ngate_gens + b->ngens;
    c->generators = calloc(c->num_generators + 1, sizeof(por_generator));
    c->gen_targets = malloc((b->ngen_targets + 1) * sizeof(por_target));
    c->gen_ctx = malloc(b->ngen_ctx + 16);
    c->public_inputs = malloc((b->npis + 1) * sizeof(por_target));
    if (!c->generators || !c->gen_targets || !c->gen_ctx || !c->public_inputs)
        return build_fail(c, why, "out of memory");
    size_t gi = 0;
    for (size_t r = 0; r < b->nrows; r++) {
        if (b->row_type[r] == POR_ROW_NOOP)
            continue;
        const por_gate *g = &b->types[b->row_type[r]];
        for (unsigned k = 0; k < g->vt->num_generators(g); k++) {
            c->generators[gi].kind = 0;
            c->generators[gi].row = (uint32_t)r;
            c->generators[gi].k = k;
            gi++;
        }
    }
    if (b->ngens)
        memcpy(c->generators + gi, b->gens, b->ngens * sizeof(por_generator));
    if (b->ngen_targets)
        memcpy(c->gen_targets, b->gen_targets, b->ngen_targets * sizeof(por_target));
    if (b->ngen_ctx)
        memcpy(c->gen_ctx, b->gen_ctx, b->ngen_ctx);
    c->num_public_inputs = b->npis;
    if (b->npis)
        memcpy(c->public_inputs, b->pis, b->npis * sizeof(por_target));
    if (why)
        *why = NULL;
    return c;
}

size_t por_circuit_slot(const por_circuit *c, por_target t)
{
    const size_t W = c->config.num_wires, R = c->config.num_routed_wires;
    if (t.index & POR_TARGET_VIRTUAL) {
        size_t k = t.index & ~POR_TARGET_VIRTUAL;
        return k < c->num_virtual ? c->slot[c->n * R + k] : SIZE_MAX;
    }
    size_t row = t.index / W, col = t.index % W;
    if (row >= c->n)
        return SIZE_MAX;
    if (col < R)
        return c->slot[row * R + col];
    return c->num_classes + row * (W - R) + (col - R);
}

static inline size_t cell_slot(const por_circuit *c, size_t row, unsigned col)
{
    const size_t W = c->config.num_wires, R = c->config.num_routed_wires;
    return col < R ? c->slot[row * R + col] : c->num_classes + row * (W - R) + (col - R);
}

/* ---------------------------------------------------------------------------
 * Witness
 */

por_witness *por_witness_new(const por_circuit *c)
{
    por_witness *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    w->c = c;
    w->values = calloc(c->num_slots + 1, sizeof(gl_t));
    w->known = calloc(c->num_slots + 1, 1);
    if (!w->values || !w->known) {
        por_witness_free(w);
        return NULL;
    }
    return w;
}

void por_witness_free(por_witness *w)
{
    if (!w)
        return;
    free(w->values), free(w->known), free(w);
}

/* Sets a slot: 1 if newly known, 0 if it already held v, -1 on a conflict. */
static int set_slot(por_witness *w, size_t s, gl_t v)
{
    if (w->known[s])
        return w->values[s] == v ? 0 : -1;
    w->values[s] = v;
    w->known[s] = 1;
    return 1;
}

int por_witness_set(por_witness *w, por_target t, gl_t v)
{
    size_t s = por_circuit_slot(w->c, t);
    if (s == SIZE_MAX || !gl_is_canonical(v))
        return -1;
    return set_slot(w, s, v) < 0 ? -1 : 0;
}

int por_witness_get(const por_witness *w, por_target t, gl_t *v)
{
    size_t s = por_circuit_slot(w->c, t);
    if (s == SIZE_MAX || !w->known[s])
        return -1;
    *v = w->values[s];
    return 0;
}

gl_t por_witness_wire(const por_witness *w, size_t row, unsigned col)
{
    return w->values[cell_slot(w->c, row, col)];
}

/* The slots generator g reads (in) or writes (out); returns the count.
 * buf holds at least POR_MAX_WIRES entries for gate generators. */
static size_t gen_slots(const por_circuit *c, const por_generator *g, bool out, const por_gate_io *io,
                        size_t *buf)
{
    if (io) { /* gate generator */
        unsigned n = out ? io->n_out : io->n_in;
        const uint16_t *cols = out ? io->out : io->in;
        for (unsigned i = 0; i < n; i++)
            buf[i] = cell_slot(c, g->row, cols[i]);
        return n;
    }
    size_t n = out ? g->n_out : g->n_in, off = out ? g->out_off : g->in_off;
    for (size_t i = 0; i < n; i++)
        buf[i] = por_circuit_slot(c, c->gen_targets[off + i]);
    return n;
}

/* Per gate type and generator index, the generator's columns, computed once. */
typedef struct {
    por_gate_io *io; /* io[type_off[t] + k] */
    size_t *type_off;
} io_cache;

static int io_cache_init(io_cache *ic, const por_circuit *c)
{
    size_t total = 0;
    ic->type_off = malloc((c->num_gate_types + 1) * sizeof(size_t));
    if (!ic->type_off)
        return -1;
    for (unsigned t = 0; t < c->num_gate_types; t++) {
        ic->type_off[t] = total;
        total += c->gate_types[t].vt->num_generators(&c->gate_types[t]);
    }
    ic->io = malloc((total + 1) * sizeof(por_gate_io));
    if (!ic->io)
        return -1;
    for (unsigned t = 0; t < c->num_gate_types; t++)
        for (unsigned k = 0; k < c->gate_types[t].vt->num_generators(&c->gate_types[t]); k++)
            c->gate_types[t].vt->generator_io(&c->gate_types[t], k, &ic->io[ic->type_off[t] + k]);
    return 0;
}

static const por_gate_io *gen_io(const io_cache *ic, const por_circuit *c, const por_generator *g)
{
    return g->kind == 0 ? &ic->io[ic->type_off[c->row_type[g->row]] + g->k] : NULL;
}

int por_witness_generate(por_witness *w, const char **why)
{
    const por_circuit *c = w->c;
    if (w->generated)
        return 0;
    const char *err = NULL;
    io_cache ic = {0};
    size_t G = c->num_generators, S = c->num_slots;
    uint32_t *missing = calloc(G + 1, sizeof(uint32_t));
    size_t *wstart = calloc(S + 2, sizeof(size_t)); /* CSR: watchers of each slot */
    uint32_t *watch = NULL, *queue = malloc((G + 1) * sizeof(uint32_t));
    size_t *buf = malloc(POR_MAX_WIRES * sizeof(size_t));
    size_t bufcap = POR_MAX_WIRES;
    gl_t *row = malloc(POR_MAX_WIRES * sizeof(gl_t)), *ubuf = NULL;
    if (!missing || !wstart || !queue || !buf || !row || io_cache_init(&ic, c) != 0) {
        err = "out of memory";
        goto out;
    }
    size_t max_user = 0;
    for (size_t g = 0; g < G; g++)
        if (c->generators[g].kind == 1) {
            size_t m = c->generators[g].n_in + c->generators[g].n_out;
            max_user = m > max_user ? m : max_user;
        }
    if (max_user > bufcap) {
        free(buf);
        buf = malloc(max_user * sizeof(size_t));
        bufcap = max_user;
    }
    ubuf = malloc((max_user > POR_MAX_WIRES ? max_user : POR_MAX_WIRES) * sizeof(gl_t));
    if (!buf || !ubuf) {
        err = "out of memory";
        goto out;
    }
    /* count unknown inputs; build the watcher lists */
    for (size_t g = 0; g < G; g++) {
        size_t m = gen_slots(c, &c->generators[g], false, gen_io(&ic, c, &c->generators[g]), buf);
        for (size_t i = 0; i < m; i++)
            if (!w->known[buf[i]]) {
                missing[g]++;
                wstart[buf[i] + 1]++;
            }
    }
    for (size_t s = 0; s < S; s++)
        wstart[s + 1] += wstart[s];
    watch = malloc((wstart[S] + 1) * sizeof(uint32_t));
    size_t *fill = calloc(S + 1, sizeof(size_t));
    if (!watch || !fill) {
        free(fill);
        err = "out of memory";
        goto out;
    }
    size_t qlen = 0;
    for (size_t g = 0; g < G; g++) {
        size_t m = gen_slots(c, &c->generators[g], false, gen_io(&ic, c, &c->generators[g]), buf);
        for (size_t i = 0; i < m; i++)
            if (!w->known[buf[i]])
                watch[wstart[buf[i]] + fill[buf[i]]++] = (uint32_t)g;
        if (missing[g] == 0)
            queue[qlen++] = (uint32_t)g;
    }
    free(fill);
    /* run; every generator enters the queue at most once (when its count hits 0) */
    for (size_t qi = 0; qi < qlen; qi++) {
        const por_generator *g = &c->generators[queue[qi]];
        const por_gate_io *io = gen_io(&ic, c, g);
        const gl_t *outv;
        size_t nout;
        if (g->kind == 0) {
            const por_gate *gt = &c->gate_types[c->row_type[g->row]];
            for (unsigned i = 0; i < io->n_in; i++)
                row[io->in[i]] = w->values[cell_slot(c, g->row, io->in[i])];
            gt->vt->generate(gt, g->k, c->row_consts + (size_t)g->row * c->config.num_constants, row);
            nout = gen_slots(c, g, true, io, buf);
            for (size_t i = 0; i < nout; i++)
                ubuf[i] = row[io->out[i]];
            outv = ubuf;
        } else {
            size_t nin = gen_slots(c, g, false, NULL, buf);
            gl_t *in = malloc((nin + 1) * sizeof(gl_t));
            if (!in) {
                err = "out of memory";
                goto out;
            }
            for (size_t i = 0; i < nin; i++)
                in[i] = w->values[buf[i]];
            int rc = g->fn(c->gen_ctx + g->ctx_off, in, ubuf);
            free(in);
            if (rc != 0) {
                err = "witness generation: a generator failed";
                goto out;
            }
            for (size_t i = 0; i < g->n_out; i++)
                if (!gl_is_canonical(ubuf[i])) {
                    err = "witness generation: a generator produced a non-canonical value";
                    goto out;
                }
            nout = gen_slots(c, g, true, NULL, buf);
            outv = ubuf;
        }
        for (size_t i = 0; i < nout; i++) {
            int rc = set_slot(w, buf[i], outv[i]);
            if (rc < 0) {
                err = "witness generation: conflicting values for one target";
                goto out;
            }
            if (rc == 1)
                for (size_t k = wstart[buf[i]]; k < wstart[buf[i] + 1]; k++)
                    if (--missing[watch[k]] == 0)
                        queue[qlen++] = watch[k];
        }
    }
    w->generated = true;
out:
    free(missing), free(wstart), free(watch), free(queue), free(buf), free(row), free(ubuf);
    free(ic.io), free(ic.type_off);
    if (why)
        *why = err;
    return err ? -1 : 0;
}

int por_circuit_check_witness(const por_circuit *c, const por_witness *w, size_t *bad_row,
                              const char **why)
{
    const size_t W = c->config.num_wires, K = c->config.num_constants;
    gl_t pi[4], wires[POR_MAX_WIRES], out[POR_MAX_WIRES * 2];
    gl_t *vals = malloc((c->num_public_inputs + 1) * sizeof(gl_t));
    if (!vals) {
        *why = "out of memory";
        return -1;
    }
    for (size_t i = 0; i < c->num_public_inputs; i++)
        vals[i] = w->values[por_circuit_slot(c, c->public_inputs[i])];
    por_digest d;
    por_hash(POR_DOMAIN_PUBLIC_INPUTS, vals, c->num_public_inputs, &d);
    free(vals);
    memcpy(pi, d.e, sizeof(pi));
    for (size_t r = 0; r < c->n; r++) {
        if (c->row_type[r] == POR_ROW_NOOP)
            continue;
        const por_gate *g = &c->gate_types[c->row_type[r]];
        for (unsigned j = 0; j < W; j++)
            wires[j] = por_witness_wire(w, r, j);
        g->vt->eval_base(g, wires, c->row_consts + r * K, pi, out);
        for (unsigned i = 0; i < g->num_constraints; i++)
            if (out[i] != 0) {
                *bad_row = r;
                *why = "a gate constraint fails";
                return -1;
            }
        for (unsigned j = g->lookup_bits ? g->lookup_first_wire : W; j < W; j++)
            if (wires[j] >> g->lookup_bits) {
                *bad_row = r;
                *why = "a looked-up wire is outside the table";
                return -1;
            }
    }
    *why = NULL;
    return 0;
}
