/*
 * The aggregation circuit per level, the keys of an aggregation tree, and
 * node proving (agg.h states what is proven).
 *
 * Bounds that keep every integer below p (no wrap anywhere):
 *  - N < 2^(40-k) (range-checked), so N 2^k < 2^40 is the leaf count exactly;
 *  - j < 2^(40-k-fL) (range-checked; j = 0 where that is <= 0): a node that
 *    exists starts below N;  levels with f(L-1) > 40 are refused, so a
 *    child's first slot (jF + c) F^(L-1) < 2^(40-k) + 2^(40+f) < 2^45;
 *  - "s < N" is a boolean b with (2b - 1)(N - 1 - s) - (1 - b) in [0, 2^48):
 *    for b = 1 that is N - 1 - s >= 0, for b = 0 it is s - N >= 0, and the
 *    wrong choice gives a negative integer above -2^46, which is >= 2^63 in
 *    the field;
 *  - totals: children's lo < 2^32 and hi < 2^(63-f) (their circuits prove
 *    it; batch proofs have hi < 2^50 and f <= 4), so the F-term sums are
 *    below 2^(32+f) and 2^63: exact; lo' < 2^32 and carry < 2^f make
 *    sum_lo = lo' + 2^32 carry an integer equation, and hi' = sum_hi + carry
 *    is range-checked to 63 - f bits for the level above.
 */
#include "agg/agg.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agg/compress.h"
#include "por/tree.h"

#define CMP_BITS 48  /* the comparison gadget's range */
#define SLOT_BITS 40 /* leaf counts are at most 2^POR_MAX_DEPTH */

/* ---------------------------------------------------------------------------
 * Shape arithmetic
 */

const char *por_agg_shape_check(const por_agg_shape *s)
{
    if (s == NULL)
        return "no shape";
    if (s->fan_in_log2 < 1 || s->fan_in_log2 > POR_AGG_MAX_FAN_IN_LOG2)
        return "fan-in out of range (2..16)";
    return por_batch_shape_check(s->batch_log2, s->asset_count, s->balance_bits);
}

uint64_t por_agg_batch_count(uint64_t leaf_count, unsigned batch_log2)
{
    if (batch_log2 > POR_MAX_DEPTH || leaf_count == 0 || leaf_count > (1ULL << POR_MAX_DEPTH) ||
        (leaf_count & ((1ULL << batch_log2) - 1)) != 0)
        return 0;
    return leaf_count >> batch_log2;
}

unsigned por_agg_levels(uint64_t batch_count, unsigned fan_in_log2)
{
    unsigned levels = 1;
    while (fan_in_log2 * levels < 64 && (batch_count - 1) >> (fan_in_log2 * levels) != 0)
        levels++;
    return levels;
}

uint64_t por_agg_level_size(uint64_t batch_count, unsigned fan_in_log2, unsigned level)
{
    unsigned bits = fan_in_log2 * level;
    if (bits >= 64)
        return batch_count ? 1 : 0;
    return (batch_count >> bits) + ((batch_count & ((1ULL << bits) - 1)) != 0);
}

/* Recursive circuits route POR_REC_ROUTED_WIRES wires (plonk_circuit.h): with
 * 96 the in-circuit verifier of a 1024 x 53 batch proof takes ~7,000 rows
 * instead of ~8,300 at 48, so a fan-in-2 node fits 2^14 rows. */
void por_agg_inner_config(por_circuit_config *cfg)
{
    por_batch_config_default(cfg);
    cfg->num_routed_wires = POR_REC_ROUTED_WIRES;
    cfg->zero_knowledge = 1;
}

/* ---------------------------------------------------------------------------
 * Statement
 */

size_t por_agg_num_public_inputs(unsigned asset_count) { return por_batch_num_public_inputs(asset_count) + 2; }

void por_agg_public_encode(const por_agg_public *pub, gl_t *pis)
{
    size_t n = por_batch_num_public_inputs(pub->node.asset_count);
    por_batch_public_encode(&pub->node, pis);
    pis[n] = gl_from_u64(pub->index);
    pis[n + 1] = gl_from_u64(pub->leaf_count);
}

int por_agg_public_decode(const gl_t *pis, size_t n, uint32_t asset_count, por_agg_public *pub)
{
    size_t nb = por_batch_num_public_inputs(asset_count);
    if (n != nb + 2 || por_batch_public_decode(pis, nb, asset_count, &pub->node) != 0)
        return -1;
    pub->index = pis[nb];
    pub->leaf_count = pis[nb + 1];
    return 0;
}

bool por_agg_public_equal(const por_agg_public *x, const por_agg_public *y)
{
    return por_batch_public_equal(&x->node, &y->node) && x->index == y->index && x->leaf_count == y->leaf_count;
}

/* ---------------------------------------------------------------------------
 * Circuit
 */

/* Generators: N = leaf_count >> k; [s < N]; (lo, carry) of a lo sum. */
static int shift_gen(const void *ctx, const gl_t *in, gl_t *out)
{
    out[0] = in[0] >> *(const uint32_t *)ctx;
    return 0;
}

static int less_gen(const void *ctx, const gl_t *in, gl_t *out)
{
    (void)ctx;
    out[0] = in[0] < in[1];
    return 0;
}

static int split32_gen(const void *ctx, const gl_t *in, gl_t *out)
{
    (void)ctx;
    out[0] = in[0] & 0xffffffffULL;
    out[1] = in[0] >> 32;
    return 0;
}

/* 0 <= t < 2^bits through a check of width `width` (bits <= width): t and
 * t + 2^width - 2^bits both below 2^width, so the circuit has one range gate
 * type per width instead of one per bound. */
static void range_bits(por_builder *b, por_target t, unsigned bits, unsigned width)
{
    por_builder_range_check(b, t, width);
    if (bits < width)
        por_builder_range_check(b, por_builder_add_const(b, t, gl_from_u64((1ULL << width) - (1ULL << bits))), width);
}

/* A boolean target equal to [s < n] for s, n < 2^46 (the top comment). */
static por_target less_than(por_builder *b, por_target s, por_target n)
{
    por_target lt = por_builder_add_virtual(b);
    por_target in[2] = {s, n};
    por_builder_add_generator(b, in, 2, &lt, 1, less_gen, NULL, 0);
    por_builder_assert_bool(b, lt); /* check: the comparison's result is boolean */
    /* (2b - 1)(n - 1 - s) - (1 - b) = 2b(n - 1 - s) - (n - 1 - s) + b - 1 */
    por_target d = por_builder_add_const(b, por_builder_sub(b, n, s), gl_neg(1));
    por_target twobd = por_builder_arithmetic(b, 2, 0, lt, d, d);
    por_target x = por_builder_add_const(b, por_builder_add(b, por_builder_sub(b, twobd, d), lt), gl_neg(1));
    por_builder_range_check(b, x, CMP_BITS); /* check: the signed difference agrees with the result */
    return lt;
}

/* sel ? x : y for a boolean sel: y + sel (x - y). */
static por_target pick(por_builder *b, por_target sel, por_target x, por_target y)
{
    return por_builder_mul_add(b, sel, por_builder_sub(b, x, y), y);
}

static void node_hash(por_builder *b, const por_target *l, const por_target *r, por_target *out)
{
    por_target in[8];
    memcpy(in, l, 4 * sizeof(*in));
    memcpy(in + 4, r, 4 * sizeof(*in));
    por_builder_hash(b, POR_DOMAIN_NODE, in, 8, out);
}

void por_agg_circuit_free(por_agg_circuit *ac)
{
    if (ac == NULL)
        return;
    if (ac->child != NULL)
        for (unsigned c = 0; c < (1u << ac->shape.fan_in_log2); c++)
            por_rec_plonk_proof_free(&ac->child[c]);
    free(ac->child);
    free(ac->params_in);
    free(ac->present);
    free(ac->totals);
    free(ac->carry);
    por_circuit_free(ac->circuit);
    free(ac);
}

/* The params preimage: constants where the circuit's shape fixes the value
 * (version, B, k, A), witnesses elsewhere; hashed to the params digest. */
static void build_params(por_builder *b, por_agg_circuit *ac)
{
    size_t n = por_params_encoded_len(ac->shape.asset_count);
    for (size_t i = 0; i < n; i++)
        ac->params_in[i] = por_builder_add_virtual(b);
    static const size_t fixed[4] = {0, 3, 5, 7};
    const uint64_t value[4] = {POR_PARAMS_DIGEST_VERSION, ac->shape.balance_bits, ac->shape.batch_log2,
                               ac->shape.asset_count};
    for (int i = 0; i < 4; i++)
        ac->params_in[fixed[i]] = por_builder_constant(b, value[i]);
    por_builder_hash(b, POR_DOMAIN_PARAMS, ac->params_in, n, ac->params_digest);
}

/* N from the leaf count (agg.h), and the node index j with its bound. */
static void build_counts(por_builder *b, por_agg_circuit *ac)
{
    const unsigned k = ac->shape.batch_log2, fL = ac->shape.fan_in_log2 * ac->level;
    por_target leaf_count = ac->params_in[6];
    ac->batch_count = por_builder_add_virtual(b);
    const uint32_t shift = k; /* copied into the circuit with the generator */
    por_builder_add_generator(b, &leaf_count, 1, &ac->batch_count, 1, shift_gen, &shift, sizeof(shift));
    por_target whole = por_builder_mul_const(b, gl_from_u64(1ULL << k), ac->batch_count);
    por_builder_assert_equal(b, whole, leaf_count); /* check: N 2^k = leaf_count */
    range_bits(b, ac->batch_count, SLOT_BITS - k, CMP_BITS); /* check: N < 2^(40-k) */
    ac->index = por_builder_add_virtual(b);
    if (SLOT_BITS > k + fL)
        range_bits(b, ac->index, SLOT_BITS - k - fL, CMP_BITS); /* check: j < 2^(40-k-fL) */
    else
        por_builder_assert_zero(b, ac->index); /* check: j = 0 */
}

/* Per asset and side: the present children's sums, normalized (top comment). */
static void build_totals(por_builder *b, por_agg_circuit *ac)
{
    const unsigned F = 1u << ac->shape.fan_in_log2, T = 2 * ac->shape.asset_count;
    for (unsigned t = 0; t < T; t++) {
        por_target sum[2];
        for (unsigned h = 0; h < 2; h++) {
            sum[h] = por_builder_zero(b);
            for (unsigned c = 0; c < F; c++)
                sum[h] = por_builder_mul_add(b, ac->present[c], ac->child[c].public_inputs[4 + 2 * t + h], sum[h]);
        }
        por_target lc[2] = {por_builder_add_virtual(b), por_builder_add_virtual(b)};
        por_builder_add_generator(b, &sum[0], 1, lc, 2, split32_gen, NULL, 0);
        por_builder_range_check(b, lc[0], 32); /* check: lo < 2^32 */
        range_bits(b, lc[1], ac->shape.fan_in_log2, CMP_BITS); /* check: carry < 2^f */
        por_target re = por_builder_arithmetic(b, gl_from_u64(1ULL << 32), 1, lc[1], por_builder_one(b), lc[0]);
        por_builder_assert_equal(b, re, sum[0]); /* check: lo + 2^32 carry = sum of lo */
        por_target hi = por_builder_add(b, sum[1], lc[1]);
        por_builder_range_check(b, hi, 63 - ac->shape.fan_in_log2); /* check: hi < 2^(63-f) */
        ac->carry[t] = lc[1];
        ac->totals[2 * t] = lc[0];
        ac->totals[2 * t + 1] = hi;
    }
}

/* The f levels of node hashing over the children's values; the leftmost
 * node of a level passes its left child up where N <= 2^(h-1) (agg.h). */
static void build_root(por_builder *b, por_agg_circuit *ac, por_target (*val)[4])
{
    const unsigned f = ac->shape.fan_in_log2, k = ac->shape.batch_log2;
    for (unsigned t = 1; t <= f; t++) {
        unsigned h = f * (ac->level - 1) + t; /* batch-tree level of this internal level */
        por_target pass;
        if (h - 1 >= SLOT_BITS - k)
            pass = por_builder_one(b); /* N < 2^(40-k) <= 2^(h-1) */
        else
            pass = por_builder_sub(b, por_builder_one(b),
                                   less_than(b, por_builder_constant(b, gl_from_u64(1ULL << (h - 1))), ac->batch_count));
        for (unsigned m = 0; m < (1u << (f - t)); m++) {
            por_target up[4];
            node_hash(b, val[2 * m], val[2 * m + 1], up);
            for (int i = 0; i < 4; i++)
                val[m][i] = m == 0 ? pick(b, pass, val[0][i], up[i]) : up[i]; /* check: pass-through */
        }
    }
    memcpy(ac->root, val[0], sizeof(ac->root));
}

por_agg_circuit *por_agg_circuit_build(const por_agg_shape *shape, unsigned level, const por_plonk_vk *child_vk,
                                       const por_circuit_config *cfg, const char **why)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    const char *bad = por_agg_shape_check(shape);
    if (bad != NULL) {
        *why = bad;
        return NULL;
    }
    const unsigned f = shape->fan_in_log2, F = 1u << f, A = shape->asset_count, k = shape->batch_log2;
    if (level < 1 || level > POR_AGG_MAX_LEVELS || f * (level - 1) > SLOT_BITS) {
        *why = "aggregation level out of range";
        return NULL;
    }
    size_t nb = por_batch_num_public_inputs(A);
    if (child_vk == NULL || child_vk->num_public_inputs != (level == 1 ? nb : nb + 2)) {
        *why = "the children's key does not have the statement of this level's children";
        return NULL;
    }
    por_circuit_config conf;
    if (cfg == NULL)
        por_agg_inner_config(&conf);
    else
        conf = *cfg;
    por_agg_circuit *ac = calloc(1, sizeof(*ac));
    if (ac == NULL) {
        *why = "out of memory";
        return NULL;
    }
    ac->shape = *shape;
    ac->level = level;
    ac->child_vk = child_vk;
    ac->child = calloc(F, sizeof(*ac->child));
    ac->params_in = calloc(por_params_encoded_len(A), sizeof(*ac->params_in));
    ac->present = calloc(F, sizeof(*ac->present));
    ac->totals = calloc(4 * (size_t)A, sizeof(*ac->totals));
    ac->carry = calloc(2 * (size_t)A, sizeof(*ac->carry));
    por_target(*val)[4] = calloc(F, sizeof(*val));
    por_builder *b = por_builder_new(&conf);
    if (!ac->child || !ac->params_in || !ac->present || !ac->totals || !ac->carry || !val || !b) {
        free(val);
        por_builder_free(b);
        por_agg_circuit_free(ac);
        *why = "out of memory";
        return NULL;
    }
    for (unsigned c = 0; c < F; c++) {
        por_rec_plonk_proof_add(b, child_vk, &ac->child[c]);
        por_rec_plonk_verify(b, child_vk, &ac->child[c]); /* check: the child proof verifies */
    }
    build_params(b, ac);
    build_counts(b, ac);

    /* E_{k + f(L-1)}: the value of an empty child */
    por_digest empty;
    por_empty_subtree(k + f * (level - 1), &empty);
    const gl_t F_below = gl_from_u64(1ULL << (f * (level - 1)));
    por_target start = por_builder_mul_const(b, gl_from_u64((uint64_t)F_below << f), ac->index); /* j F^L */
    for (unsigned c = 0; c < F; c++) {
        const por_target *pi = ac->child[c].public_inputs;
        for (int i = 0; i < 4; i++) /* check: every child's params digest is the node's */
            por_builder_assert_equal(b, pi[4 + 4 * A + i], ac->params_digest[i]);
        por_target slot = por_builder_add_const(b, start, gl_mul(F_below, gl_from_u64(c)));
        ac->present[c] = c == 0 ? por_builder_one(b) : less_than(b, slot, ac->batch_count);
        if (c == 0) /* check: the node exists (its first child does) */
            por_builder_assert_equal(b, less_than(b, slot, ac->batch_count), ac->present[0]);
        if (level > 1) {
            por_builder_assert_equal(b, pi[nb + 1], ac->params_in[6]); /* check: the child's leaf count */
            /* present ? child index = jF + c : anything */
            por_target want = por_builder_add_const(b, por_builder_mul_const(b, F, ac->index), c);
            por_target off = por_builder_sub(b, pi[nb], want);
            por_builder_assert_zero(b, por_builder_mul(b, ac->present[c], off)); /* check: child's position */
        }
        for (int i = 0; i < 4; i++)
            val[c][i] = pick(b, ac->present[c], pi[i], por_builder_constant(b, empty.e[i])); /* check: E if empty */
    }
    build_root(b, ac, val);
    build_totals(b, ac);
    free(val);

    for (int i = 0; i < 4; i++)
        por_builder_register_public_input(b, ac->root[i]);
    for (size_t t = 0; t < 4 * (size_t)A; t++)
        por_builder_register_public_input(b, ac->totals[t]);
    for (int i = 0; i < 4; i++)
        por_builder_register_public_input(b, ac->params_digest[i]);
    por_builder_register_public_input(b, ac->index);
    por_builder_register_public_input(b, ac->params_in[6]);
    ac->circuit = por_builder_build(b, why);
    por_builder_free(b);
    if (ac->circuit == NULL) {
        por_agg_circuit_free(ac);
        return NULL;
    }
    return ac;
}

/* ---------------------------------------------------------------------------
 * Witness
 */

/* The node's statement computed natively from checked children. */
static int expected_statement(const por_agg_circuit *ac, const por_params *params, uint64_t index,
                              const por_plonk_proof *const *children, bool unchecked, por_agg_public *out,
                              const char **why)
{
    const unsigned f = ac->shape.fan_in_log2, F = 1u << f, A = ac->shape.asset_count, L = ac->level;
    const uint64_t N = por_agg_batch_count(params->leaf_count, ac->shape.batch_log2);
    por_digest digest;
    por_params_digest(params, &digest);
    memset(out, 0, sizeof(*out));
    out->node.asset_count = A;
    out->node.params_digest = digest;
    out->index = index;
    out->leaf_count = params->leaf_count;
    if (N == 0 || index >> (SLOT_BITS - f) != 0 || (!unchecked && index >= por_agg_level_size(N, f, L))) {
        *why = "aggregation: no such node at this level for the leaf count";
        return -1;
    }
    unsigned __int128 sum[2 * POR_MAX_ASSETS];
    memset(sum, 0, sizeof(sum));
    por_digest val[1u << POR_AGG_MAX_FAN_IN_LOG2];
    por_empty_subtree(ac->shape.batch_log2 + f * (L - 1), &val[0]);
    for (unsigned c = 1; c < F; c++)
        val[c] = val[0];
    for (unsigned c = 0; c < F; c++) {
        uint64_t slot = (index * F + c) << (f * (L - 1));
        bool present = slot < N;
        if (!unchecked && present != (children[c] != NULL)) {
            *why = present ? "aggregation: a present child is missing" : "aggregation: a child past the last batch";
            return -1;
        }
        if (!present || children[c] == NULL)
            continue;
        por_agg_public cs;
        int rc = L == 1 ? por_batch_public_decode(children[c]->public_inputs, children[c]->num_public_inputs, A,
                                                  &cs.node)
                        : por_agg_public_decode(children[c]->public_inputs, children[c]->num_public_inputs, A, &cs);
        if (rc != 0) {
            *why = "aggregation: a child's statement does not decode";
            return -1;
        }
        if (!unchecked && (memcmp(&cs.node.params_digest, &digest, sizeof(digest)) != 0 ||
                           (L > 1 && (cs.index != index * F + c || cs.leaf_count != params->leaf_count)))) {
            *why = "aggregation: a child of another snapshot or position";
            return -1;
        }
        val[c] = cs.node.root;
        for (unsigned t = 0; t < 2 * A; t++)
            sum[t] += cs.node.totals[t][0] + ((unsigned __int128)cs.node.totals[t][1] << 32);
    }
    for (unsigned t = 1; t <= f; t++) {
        unsigned h = f * (L - 1) + t;
        for (unsigned m = 0; m < (F >> t); m++) {
            por_digest up;
            por_node_hash(&val[2 * m], &val[2 * m + 1], &up);
            val[m] = m == 0 && (h - 1 >= 64 || N <= (1ULL << (h - 1))) ? val[0] : up;
        }
    }
    out->node.root = val[0];
    for (unsigned t = 0; t < 2 * A; t++) {
        out->node.totals[t][0] = (uint64_t)(sum[t] & 0xffffffffu);
        unsigned __int128 hi = sum[t] >> 32;
        if (!unchecked && hi >> (63 - f)) {
            *why = "aggregation: a total is too large for the aggregation circuit (2^(95 - log2 F))";
            return -1;
        }
        out->node.totals[t][1] = (uint64_t)hi;
    }
    return 0;
}

int por_agg_witness(const por_agg_circuit *ac, const por_params *params, uint64_t index,
                    const por_plonk_proof *const *children, bool unchecked, por_witness **out,
                    por_agg_public *expected, const char **why)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    *out = NULL;
    const unsigned F = 1u << ac->shape.fan_in_log2;
    if (params == NULL || children == NULL || children[0] == NULL || params->asset_count != ac->shape.asset_count ||
        params->batch_log2 != ac->shape.batch_log2 || params->balance_bits != ac->shape.balance_bits) {
        *why = "aggregation: params or first child missing, or params of another shape";
        return -1;
    }
    const char *bad = por_params_check(params);
    if (bad != NULL) {
        *why = bad;
        return -1;
    }
    if (expected_statement(ac, params, index, children, unchecked, expected, why) != 0)
        return -1;
    por_witness *w = por_witness_new(ac->circuit);
    gl_t *pre = malloc(por_params_encoded_len(params->asset_count) * sizeof(*pre));
    if (w == NULL || pre == NULL) {
        free(pre);
        por_witness_free(w);
        *why = "out of memory";
        return -1;
    }
    int rc = 0;
    for (unsigned c = 0; c < F && rc == 0; c++)
        if (por_rec_plonk_proof_set(w, ac->child_vk, &ac->child[c], children[c] ? children[c] : children[0]) != 0) {
            *why = "aggregation: a child proof is not of the pinned key's shape";
            rc = -1;
        }
    por_params_encode(params, pre);
    static const bool fixed[8] = {true, false, false, true, false, true, false, true};
    for (size_t i = 0; i < por_params_encoded_len(params->asset_count) && rc == 0; i++)
        if (!(i < 8 && fixed[i]))
            rc = por_witness_set(w, ac->params_in[i], pre[i]);
    free(pre);
    if (rc == 0)
        rc = por_witness_set(w, ac->index, gl_from_u64(index));
    if (rc != 0) {
        if (*why == dummy || *why == NULL)
            *why = "aggregation: a witness value cannot be set";
        por_witness_free(w);
        return -1;
    }
    if (!unchecked && por_witness_generate(w, why) != 0) {
        por_witness_free(w);
        return -1;
    }
    *out = w;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Keys, proving, verifying
 */

void por_agg_keys_free(por_agg_keys *keys)
{
    if (keys == NULL)
        return;
    for (unsigned l = 1; l <= POR_AGG_MAX_LEVELS; l++) {
        por_plonk_prover_free(keys->prover[l]);
        por_agg_circuit_free(keys->circuit[l]);
        por_plonk_vk_free(&keys->vk[l]);
    }
    por_plonk_prover_free(keys->compress_prover);
    por_agg_compress_free(keys->compress);
    por_plonk_vk_free(&keys->compress_vk);
    por_batch_vk_free(&keys->batch);
    memset(keys, 0, sizeof(*keys));
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int por_agg_keys_derive(const por_agg_shape *shape, unsigned levels, bool prove, const por_circuit_config *cfg,
                        por_pool *pool, por_agg_keys *out, const char **why)
{
    return por_agg_keys_derive_with(shape, levels, prove, cfg, por_vk_table_shipped(), pool, out, why);
}

int por_agg_keys_derive_with(const por_agg_shape *shape, unsigned levels, bool prove, const por_circuit_config *cfg,
                             const por_vk_table *table, por_pool *pool, por_agg_keys *out, const char **why)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    memset(out, 0, sizeof(*out));
    double t0 = now_ms();
    const char *bad = por_agg_shape_check(shape);
    if (bad == NULL && (levels < 1 || levels > POR_AGG_MAX_LEVELS || shape->fan_in_log2 * (levels - 1) > SLOT_BITS))
        bad = "aggregation levels out of range";
    if (bad != NULL) {
        *why = bad;
        return -1;
    }
    out->shape = *shape;
    if (por_batch_vk_derive_with(shape->batch_log2, shape->asset_count, shape->balance_bits, table, pool, &out->batch,
                                 why) != 0)
        goto fail;
    out->shipped = out->batch.shipped;
    for (unsigned l = 1; l <= levels; l++) {
        const por_plonk_vk *below = l == 1 ? &out->batch.vk : &out->vk[l - 1];
        por_circuit_config conf;
        if (cfg != NULL)
            conf = *cfg;
        else
            por_agg_inner_config(&conf);
        por_agg_circuit *ac = por_agg_circuit_build(shape, l, below, &conf, why);
        if (ac != NULL && !prove) {
            /* a verifier's key: from the table if it holds this very circuit */
            bool shipped;
            if (por_vk_derive(ac->circuit, table, pool, &out->vk[l], &shipped, out->fingerprint[l], why) != 0) {
                por_agg_circuit_free(ac);
                goto fail;
            }
            out->shipped += shipped;
            out->levels = l;
            /* the circuit holds child_vk by reference; keep only the key */
            por_agg_circuit_free(ac);
            continue;
        }
        por_plonk_prover *pk = ac ? por_plonk_setup(ac->circuit, pool, why) : NULL;
        if (pk == NULL || por_plonk_vk_copy(por_plonk_prover_vk(pk), &out->vk[l]) != 0) {
            if (pk != NULL)
                *why = "out of memory";
            por_plonk_prover_free(pk);
            por_agg_circuit_free(ac);
            goto fail;
        }
        out->levels = l;
        out->circuit[l] = ac;
        out->prover[l] = pk;
    }
    por_agg_compress_circuit *cc = por_agg_compress_build(shape, levels, &out->vk[levels], NULL, why);
    if (cc != NULL && !prove) {
        bool shipped;
        int rc = por_vk_derive(cc->circuit, table, pool, &out->compress_vk, &shipped, out->compress_fingerprint, why);
        por_agg_compress_free(cc);
        if (rc != 0)
            goto fail;
        out->shipped += shipped;
        out->derive_ms = now_ms() - t0;
        return 0;
    }
    por_plonk_prover *pk = cc ? por_plonk_setup(cc->circuit, pool, why) : NULL;
    if (pk == NULL || por_plonk_vk_copy(por_plonk_prover_vk(pk), &out->compress_vk) != 0) {
        if (pk != NULL)
            *why = "out of memory";
        por_plonk_prover_free(pk);
        por_agg_compress_free(cc);
        goto fail;
    }
    if (prove) {
        out->compress = cc;
        out->compress_prover = pk;
    } else {
        por_plonk_prover_free(pk);
        por_agg_compress_free(cc);
    }
    out->derive_ms = now_ms() - t0;
    return 0;
fail:
    por_agg_keys_free(out);
    return -1;
}

/* Proves witness w (freed here) and checks the proof states `expected`
 * (into *stmt if not NULL); `mismatch` is the reason if it does not. */
static int prove_stated(const por_plonk_prover *pk, por_witness *w, por_pool *pool, const por_plonk_prove_opts *opts,
                        const por_agg_public *expected, por_plonk_proof *proof, por_agg_public *stmt,
                        const char *mismatch, const char **why)
{
    int rc = por_plonk_prove(pk, w, pool, opts, proof, why);
    por_witness_free(w);
    if (rc != 0)
        return -1;
    por_agg_public got;
    if (por_agg_public_decode(proof->public_inputs, proof->num_public_inputs, expected->node.asset_count, &got) != 0 ||
        !por_agg_public_equal(&got, expected)) {
        *why = mismatch;
        return -1;
    }
    if (stmt != NULL)
        *stmt = got;
    return 0;
}

int por_agg_prove_node(const por_agg_keys *keys, unsigned level, uint64_t index, const por_params *params,
                       const por_plonk_proof *const *children, por_pool *pool, const por_plonk_prove_opts *opts,
                       por_plonk_proof *proof, por_agg_public *stmt, const char **why)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    memset(proof, 0, sizeof(*proof));
    if (level < 1 || level > keys->levels || keys->prover[level] == NULL) {
        *why = "aggregation: no prover for this level";
        return -1;
    }
    const por_agg_circuit *ac = keys->circuit[level];
    por_witness *w;
    por_agg_public expected;
    if (por_agg_witness(ac, params, index, children, false, &w, &expected, why) != 0)
        return -1;
    return prove_stated(keys->prover[level], w, pool, opts, &expected, proof, stmt,
                        "aggregation: the proof's statement is not the natively computed one", why);
}

/* A proof with an aggregation statement under vk: the statement decodes, then the proof verifies. */
static int verify_statement(const por_plonk_vk *vk, unsigned asset_count, const por_plonk_proof *proof,
                            por_agg_public *out, const char **why)
{
    por_agg_public got;
    if (por_agg_public_decode(proof->public_inputs, proof->num_public_inputs, asset_count, &got) != 0) {
        *why = "aggregation: the statement does not decode (count or non-canonical limb)";
        return -1;
    }
    if (por_plonk_verify(vk, proof, why) != 0)
        return -1;
    if (out != NULL)
        *out = got;
    return 0;
}

int por_agg_verify_node(const por_agg_keys *keys, unsigned level, const por_plonk_proof *proof,
                        por_agg_public *out, const char **why)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    if (level < 1 || level > keys->levels) {
        *why = "aggregation: no key for this level";
        return -1;
    }
    return verify_statement(&keys->vk[level], keys->shape.asset_count, proof, out, why);
}

int por_agg_prove_compress(const por_agg_keys *keys, const por_plonk_proof *top, por_pool *pool,
                           const por_plonk_prove_opts *opts, por_plonk_proof *proof, por_agg_public *stmt,
                           const char **why)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    memset(proof, 0, sizeof(*proof));
    if (keys->compress_prover == NULL) {
        *why = "compression: no prover";
        return -1;
    }
    por_agg_public expected;
    if (por_agg_verify_node(keys, keys->levels, top, &expected, why) != 0)
        return -1;
    if (expected.index != 0) {
        *why = "compression: the inner proof is not of the top node (index is not 0)";
        return -1;
    }
    por_witness *w;
    if (por_agg_compress_witness(keys->compress, top, false, &w, why) != 0)
        return -1;
    return prove_stated(keys->compress_prover, w, pool, opts, &expected, proof, stmt,
                        "compression: the proof's statement is not the top node's", why);
}

int por_agg_verify_compress(const por_agg_keys *keys, const por_plonk_proof *proof, por_agg_public *out,
                            const char **why)
{
    const char *dummy;
    return verify_statement(&keys->compress_vk, keys->shape.asset_count, proof, out, why != NULL ? why : &dummy);
}
