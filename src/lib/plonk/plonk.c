/*
 * PLONK prover and verifier (see plonk.h for the protocol and the
 * zero-knowledge argument).
 */
#include "plonk/plonk.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "field/field_x8.h"
#include "field/ntt.h"
#include "hash/poseidon.h"
#include "hash/transcript.h"

#define PROTOCOL "por-plonk-v1"

enum { B_PRE = 0, B_WIRES = 1, B_ZS = 2, B_QUOT = 3, NUM_BATCHES = 4 };

struct por_plonk_prover {
    const por_circuit *c;
    por_plonk_vk vk;
    por_pcs_batch pre;
    gl_t *ks;          /* R coset shifts */
    gl_t *h_points;    /* n: w^i */
    gl_t *sigma_vals;  /* R * n: sigma_j(w^i) at [j * n + i] */
    /* The quotient's evaluation domain: N = 2^(degree_bits + E) points, E =
     * por_circuit_quotient_eval_bits, in LDE order; its first 2^(degree_bits
     * + rate_bits) points are the committed LDE's, the rest an extension. */
    unsigned eval_bits;
    gl_t **pre_ext;    /* P0 columns of the extension (NULL when E = rate_bits) */
    size_t num_pre;    /* P0 */
    gl_t *lde_x;       /* N: the evaluation point of (bit-reversed) index i */
    gl_t *l0_over_zh;  /* N: L_0(x) / Z_H(x) = 1 / (n (x - 1)) */
    gl_t *lb_over_zh;  /* lookups: N: L_b(x) / Z_H(x) = w^b / (n (x - w^b)), b = blind_start */
    gl_t zh_inv[64];   /* 1 / (x^n - 1), by natural evaluation index mod 2^E */
};

/* a + u b for the extension generator u (u^2 = 7): the value at a point of an
 * extension polynomial committed as two base polynomials with values a, b. */
static inline gl2_t combine(gl2_t a, gl2_t b)
{
    return gl2_add(a, (gl2_t){gl_mul(GL2_W, b.c1), b.c0});
}

static unsigned ceil_div(unsigned a, unsigned b) { return (a + b - 1) / b; }

static int fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return -1;
}

static void free_cols(gl_t **cols, size_t n)
{
    if (!cols)
        return;
    for (size_t k = 0; k < n; k++)
        free(cols[k]);
    free(cols);
}

static gl_t **alloc_cols(size_t count, size_t len)
{
    gl_t **cols = calloc(count + 1, sizeof(gl_t *));
    if (!cols)
        return NULL;
    for (size_t k = 0; k < count; k++)
        if (!(cols[k] = calloc(len, sizeof(gl_t)))) {
            free_cols(cols, count);
            return NULL;
        }
    return cols;
}

void por_plonk_public_inputs_digest(const gl_t *pis, size_t n, por_digest *out)
{
    por_hash(POR_DOMAIN_PUBLIC_INPUTS, pis, n, out);
}

/* ---------------------------------------------------------------------------
 * Verifier key
 */

void por_plonk_vk_free(por_plonk_vk *vk)
{
    free(vk->gate_types);
    free(vk->preprocessed_cap);
    memset(vk, 0, sizeof(*vk));
}

int por_plonk_vk_copy(const por_plonk_vk *src, por_plonk_vk *dst)
{
    size_t cap = (size_t)1 << src->config.cap_height;
    *dst = *src;
    dst->gate_types = malloc(sizeof(por_gate) * (src->num_gate_types ? src->num_gate_types : 1));
    dst->preprocessed_cap = malloc(sizeof(por_digest) * cap);
    if (dst->gate_types == NULL || dst->preprocessed_cap == NULL) {
        por_plonk_vk_free(dst);
        return -1;
    }
    memcpy(dst->gate_types, src->gate_types, sizeof(por_gate) * src->num_gate_types);
    memcpy(dst->preprocessed_cap, src->preprocessed_cap, sizeof(por_digest) * cap);
    return 0;
}

void por_plonk_vk_shape(const por_plonk_vk *vk, por_pcs_shape *s)
{
    memset(s, 0, sizeof(*s));
    uint32_t zk = vk->config.zero_knowledge;
    s->num_points = 2;
    s->num_batches = NUM_BATCHES;
    uint32_t lk = vk->config.lookup_bits != 0;
    s->batches[B_PRE].num_polys = vk->num_gate_types + vk->config.num_constants +
                                  vk->config.num_routed_wires + 2 * lk;
    s->batches[B_WIRES].num_polys = vk->config.num_wires + lk;
    s->batches[B_WIRES].salted = zk;
    s->batches[B_ZS].num_polys = 2 * vk->num_perm_chunks + (lk ? 2 * vk->num_lookup_groups + 2 : 0);
    s->batches[B_ZS].salted = zk;
    s->batches[B_QUOT].num_polys = 2 * vk->num_quotient_chunks + 2 * zk;
    s->batches[B_QUOT].salted = zk;
}

/* The layout fields of the key from the configuration and the circuit size;
 * NULL or why they are inconsistent. */
static const char *vk_layout(por_plonk_vk *vk, const por_circuit *c)
{
    const por_circuit_config *cfg = &c->config;
    vk->config = *cfg;
    vk->degree_bits = c->degree_bits;
    vk->num_public_inputs = (uint32_t)c->num_public_inputs;
    vk->num_blind_regular = (uint32_t)c->num_blind_regular;
    vk->num_blind_pairs = (uint32_t)c->num_blind_pairs;
    vk->num_gate_types = c->num_gate_types;
    vk->num_constraint_slots = 0;
    for (unsigned g = 0; g < c->num_gate_types; g++)
        if (c->gate_types[g].num_constraints > vk->num_constraint_slots)
            vk->num_constraint_slots = c->gate_types[g].num_constraints;
    if (vk->num_constraint_slots > 2 * POR_MAX_WIRES)
        return "a gate has too many constraints";
    vk->perm_chunk_size = cfg->max_degree - 1;
    vk->num_perm_chunks = ceil_div(cfg->num_routed_wires, vk->perm_chunk_size);
    size_t n = c->n, h = por_circuit_quotient_mask_len(cfg);
    if (h >= n)
        return "circuit too small for its blinding";
    vk->quotient_chunk_size = (uint32_t)(n - h);
    size_t tlen = (size_t)cfg->max_degree * (n - 1) - n + 1; /* coefficients of t */
    vk->num_quotient_chunks = (uint32_t)((tlen + (n - h) - 1) / (n - h));
    if (cfg->lookup_bits) {
        if (c->blind_start < ((size_t)1 << cfg->lookup_bits))
            return "circuit too small for its lookup table";
        vk->lookup_group_size = cfg->max_degree - 2;
        vk->num_lookup_groups = ceil_div(cfg->num_wires - cfg->lookup_first_wire, vk->lookup_group_size);
    }
    if (vk->num_public_inputs > POR_PLONK_MAX_PUBLIC_INPUTS)
        return "too many public inputs";
    if (c->degree_bits + por_circuit_quotient_eval_bits(cfg) > POR_FRI_MAX_LDE_BITS)
        return "circuit too large for its quotient's evaluation domain";
    unsigned final_bits = cfg->final_poly_bits < c->degree_bits ? cfg->final_poly_bits : c->degree_bits;
    if (por_fri_params_init(&vk->fri, c->degree_bits, cfg->rate_bits, cfg->cap_height,
                            cfg->num_queries, cfg->pow_bits, cfg->arity_bits, final_bits) != 0)
        return "FRI parameters invalid for this circuit";
    por_pcs_shape s;
    por_plonk_vk_shape(vk, &s);
    if (por_pcs_shape_check(&s))
        return "commitment shape out of range";
    return NULL;
}

/* The circuit digest (plonk.h). */
static int vk_digest(por_plonk_vk *vk)
{
    size_t cap = (size_t)1 << vk->config.cap_height;
    size_t n = 64 + vk->num_gate_types * (POR_GATE_MAX_PARAMS + 6) + cap * 4;
    gl_t *v = malloc(n * sizeof(gl_t));
    if (!v)
        return -1;
    size_t k = 0;
    const por_circuit_config *cfg = &vk->config;
    v[k++] = POR_PLONK_VERSION;
    v[k++] = cfg->num_wires, v[k++] = cfg->num_routed_wires, v[k++] = cfg->num_constants;
    v[k++] = cfg->max_degree, v[k++] = cfg->zero_knowledge, v[k++] = cfg->rate_bits;
    v[k++] = cfg->cap_height, v[k++] = cfg->num_queries, v[k++] = cfg->pow_bits;
    v[k++] = cfg->arity_bits, v[k++] = cfg->final_poly_bits;
    v[k++] = vk->fri.final_poly_bits, v[k++] = vk->fri.num_reductions;
    for (unsigned i = 0; i < vk->fri.num_reductions; i++)
        v[k++] = vk->fri.reduction_bits[i];
    v[k++] = vk->degree_bits, v[k++] = vk->num_public_inputs;
    v[k++] = vk->num_gate_types;
    for (unsigned g = 0; g < vk->num_gate_types; g++) {
        const por_gate *gt = &vk->gate_types[g];
        v[k++] = gt->vt->kind;
        for (unsigned i = 0; i < POR_GATE_MAX_PARAMS; i++)
            v[k++] = gt->params[i];
        v[k++] = gt->num_constraints, v[k++] = gt->degree;
        if (cfg->lookup_bits)
            v[k++] = gt->lookup_bits, v[k++] = gt->lookup_first_wire;
    }
    if (cfg->lookup_bits) {
        v[k++] = cfg->lookup_bits, v[k++] = cfg->lookup_first_wire;
        v[k++] = vk->lookup_group_size, v[k++] = vk->num_lookup_groups;
    }
    v[k++] = vk->num_constraint_slots;
    v[k++] = vk->num_blind_regular, v[k++] = vk->num_blind_pairs;
    v[k++] = vk->perm_chunk_size, v[k++] = vk->num_perm_chunks;
    v[k++] = vk->quotient_chunk_size, v[k++] = vk->num_quotient_chunks;
    for (size_t i = 0; i < cap; i++)
        for (int j = 0; j < 4; j++)
            v[k++] = vk->preprocessed_cap[i].e[j];
    por_hash(POR_DOMAIN_PLONK_CIRCUIT, v, k, &vk->circuit_digest);
    free(v);
    return 0;
}

/* ---------------------------------------------------------------------------
 * Setup
 */

void por_plonk_prover_free(por_plonk_prover *pk)
{
    if (!pk)
        return;
    por_plonk_vk_free(&pk->vk);
    por_pcs_batch_free(&pk->pre);
    free(pk->ks), free(pk->h_points), free(pk->sigma_vals), free(pk->lde_x), free(pk->l0_over_zh);
    free(pk->lb_over_zh);
    free_cols(pk->pre_ext, pk->num_pre);
    free(pk);
}

const por_plonk_vk *por_plonk_prover_vk(const por_plonk_prover *pk) { return &pk->vk; }

typedef struct {
    gl_t *vals;
    gl_t *scratch;
} inv_ctx;

/* Batch inversion in independent chunks, so it parallelizes. */
static void inv_range(void *arg, size_t b, size_t e)
{
    inv_ctx *c = arg;
    gl_batch_inv(c->vals + b, c->scratch + b, e - b);
}

por_plonk_prover *por_plonk_setup(const por_circuit *c, por_pool *pool, const char **why)
{
    por_plonk_prover *pk = calloc(1, sizeof(*pk));
    if (!pk) {
        fail(why, "out of memory");
        return NULL;
    }
    pk->c = c;
    const char *msg = vk_layout(&pk->vk, c);
    if (msg) {
        por_plonk_prover_free(pk);
        fail(why, msg);
        return NULL;
    }
    const size_t n = c->n, R = c->config.num_routed_wires, K = c->config.num_constants;
    const bool lk = c->config.lookup_bits != 0;
    const size_t G = c->num_gate_types, P0 = G + K + R + (lk ? 2 : 0);
    pk->eval_bits = por_circuit_quotient_eval_bits(&c->config);
    pk->num_pre = P0;
    const unsigned L = c->degree_bits + pk->eval_bits;
    const size_t N = (size_t)1 << L;
    gl_t **cols = calloc(P0, sizeof(gl_t *));
    gl_t *scratch = NULL;
    pk->vk.gate_types = malloc((G + 1) * sizeof(por_gate));
    pk->ks = malloc(R * sizeof(gl_t));
    pk->h_points = malloc(n * sizeof(gl_t));
    pk->sigma_vals = malloc(R * n * sizeof(gl_t));
    pk->lde_x = malloc(N * sizeof(gl_t));
    pk->l0_over_zh = malloc(N * sizeof(gl_t));
    scratch = malloc(N * sizeof(gl_t));
    if (lk)
        pk->lb_over_zh = malloc(N * sizeof(gl_t));
    bool okay = cols && pk->vk.gate_types && pk->ks && pk->h_points && pk->sigma_vals &&
                pk->lde_x && pk->l0_over_zh && scratch && (!lk || pk->lb_over_zh);
    for (size_t k = 0; okay && k < P0; k++)
        okay = (cols[k] = calloc(n, sizeof(gl_t))) != NULL;
    if (!okay) {
        msg = "out of memory";
        goto out;
    }
    if (G)
        memcpy(pk->vk.gate_types, c->gate_types, G * sizeof(por_gate));
    pk->ks[0] = 1;
    for (size_t j = 1; j < R; j++)
        pk->ks[j] = gl_mul(pk->ks[j - 1], GL_GENERATOR);
    gl_t w = gl_root_of_unity(c->degree_bits);
    pk->h_points[0] = 1;
    for (size_t i = 1; i < n; i++)
        pk->h_points[i] = gl_mul(pk->h_points[i - 1], w);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < R; j++) {
            uint32_t s = c->sigma[i * R + j];
            pk->sigma_vals[j * n + i] = gl_mul(pk->ks[s % R], pk->h_points[s / R]);
        }
    /* preprocessed columns: selectors, constants, sigmas */
    for (size_t i = 0; i < n; i++) {
        if (c->row_type[i] != POR_ROW_NOOP)
            cols[c->row_type[i]][i] = 1;
        for (size_t k = 0; k < K; k++)
            cols[G + k][i] = c->row_consts[i * K + k];
    }
    for (size_t j = 0; j < R; j++)
        memcpy(cols[G + K + j], pk->sigma_vals + j * n, n * sizeof(gl_t));
    if (lk) {
        /* the table on its first rows, and which rows the lookup argument covers */
        size_t table = (size_t)1 << c->config.lookup_bits;
        for (size_t i = 0; i < table; i++)
            cols[G + K + R][i] = i;
        for (size_t i = 0; i < c->blind_start; i++)
            cols[G + K + R + 1][i] = 1;
    }
    if (por_ntt_inverse_batch(pool, cols, P0, c->degree_bits, 1) != 0) {
        msg = "out of memory";
        goto out;
    }
    if (por_pcs_commit(&pk->pre, pool, (const gl_t *const *)cols, P0, c->degree_bits,
                       c->config.rate_bits, c->config.cap_height, false, NULL, NULL) != 0) {
        msg = "preprocessed commitment failed";
        goto out;
    }
    size_t cap = (size_t)1 << c->config.cap_height;
    pk->vk.preprocessed_cap = malloc(cap * sizeof(por_digest));
    if (!pk->vk.preprocessed_cap) {
        msg = "out of memory";
        goto out;
    }
    memcpy(pk->vk.preprocessed_cap, por_pcs_batch_cap(&pk->pre), cap * sizeof(por_digest));
    if (pk->eval_bits > c->config.rate_bits) {
        size_t first = (size_t)1 << c->config.rate_bits;
        if (!(pk->pre_ext = alloc_cols(P0, N - (first << c->degree_bits))) ||
            por_lde_batch_blocks(pool, (const gl_t *const *)pk->pre.coeffs, P0, c->degree_bits, pk->eval_bits,
                                 first, pk->pre_ext) != 0) {
            msg = "out of memory";
            goto out;
        }
    }
    if (vk_digest(&pk->vk) != 0) {
        msg = "out of memory";
        goto out;
    }

    /* evaluation-domain tables: x_i (bit-reversed order), 1 / (n (x - 1)), 1 / (x^n - 1) */
    gl_t wl = gl_root_of_unity(L), acc = GL_GENERATOR;
    for (size_t j = 0; j < N; j++) {
        pk->lde_x[por_bit_reverse_index(j, L)] = acc;
        acc = gl_mul(acc, wl);
    }
    gl_t nn = gl_from_u64(n);
    for (size_t i = 0; i < N; i++)
        pk->l0_over_zh[i] = gl_mul(nn, gl_sub(pk->lde_x[i], 1));
    inv_ctx ic = {pk->l0_over_zh, scratch};
    por_pool_parallel_for(pool, N, 4096, inv_range, &ic);
    if (lk) {
        gl_t wb = pk->h_points[c->blind_start % n], nwb = gl_mul(nn, wb);
        for (size_t i = 0; i < N; i++)
            pk->lb_over_zh[i] = gl_sub(gl_mul(nn, pk->lde_x[i]), nwb);
        inv_ctx lc = {pk->lb_over_zh, scratch};
        por_pool_parallel_for(pool, N, 4096, inv_range, &lc);
        for (size_t i = 0; i < N; i++)
            pk->lb_over_zh[i] = gl_mul(pk->lb_over_zh[i], wb);
    }
    size_t blow = (size_t)1 << pk->eval_bits;
    gl_t gn = gl_pow(GL_GENERATOR, n), wn = gl_pow(wl, n), xn = gn;
    for (size_t r = 0; r < blow; r++) {
        pk->zh_inv[r] = gl_inv(gl_sub(xn, 1));
        xn = gl_mul(xn, wn);
    }
out:
    for (size_t k = 0; cols && k < P0; k++)
        free(cols[k]);
    free(cols);
    free(scratch);
    if (msg) {
        por_plonk_prover_free(pk);
        fail(why, msg);
        return NULL;
    }
    if (why)
        *why = NULL;
    return pk;
}

/* ---------------------------------------------------------------------------
 * Keys without the setup
 */

/* SHA-256 input, buffered as little-endian 64-bit words (so the fingerprint
 * does not depend on the host's byte order or struct padding). */
typedef struct {
    EVP_MD_CTX *md;
    bool ok;
    size_t len;
    uint8_t buf[8192];
} fp_writer;

static void fp_flush(fp_writer *w)
{
    if (w->len != 0 && EVP_DigestUpdate(w->md, w->buf, w->len) != 1)
        w->ok = false;
    w->len = 0;
}

/* v as `width` little-endian bytes */
static void fp_put(fp_writer *w, uint64_t v, unsigned width)
{
    if (w->len + width > sizeof(w->buf))
        fp_flush(w);
    for (unsigned i = 0; i < width; i++)
        w->buf[w->len++] = (uint8_t)(v >> (8 * i));
}

static void fp_word(fp_writer *w, uint64_t v) { fp_put(w, v, 8); }

/* count unsigned integers of `width` bytes, little-endian: on a little-endian
 * host that is their memory, hashed as it is (the circuit's arrays are MBs) */
static void fp_array(fp_writer *w, const void *p, size_t count, unsigned width)
{
    const uint16_t probe = 1;
    if (*(const uint8_t *)&probe == 1) {
        fp_flush(w);
        if (count != 0 && EVP_DigestUpdate(w->md, p, count * width) != 1)
            w->ok = false;
        return;
    }
    for (size_t i = 0; i < count; i++) {
        uint64_t v = width == 2 ? ((const uint16_t *)p)[i] : width == 4 ? ((const uint32_t *)p)[i] : ((const uint64_t *)p)[i];
        fp_put(w, v, width);
    }
}

int por_circuit_fingerprint(const por_circuit *c, uint8_t out[POR_CIRCUIT_FINGERPRINT_BYTES])
{
    fp_writer *w = malloc(sizeof(*w));
    if (w == NULL)
        return -1;
    w->md = EVP_MD_CTX_new();
    w->ok = w->md != NULL && EVP_DigestInit_ex(w->md, EVP_sha256(), NULL) == 1;
    w->len = 0;
    static const char tag[] = "por-plonk-setup"; /* domain of this hash */
    for (size_t i = 0; i < sizeof(tag); i++)
        fp_word(w, (uint8_t)tag[i]);
    const por_circuit_config *cfg = &c->config;
    const uint64_t head[] = {POR_PLONK_VERSION, cfg->num_wires, cfg->num_routed_wires, cfg->num_constants,
                             cfg->max_degree, cfg->zero_knowledge, cfg->rate_bits, cfg->cap_height,
                             cfg->num_queries, cfg->pow_bits, cfg->arity_bits, cfg->final_poly_bits,
                             cfg->lookup_bits, cfg->lookup_first_wire, c->degree_bits, c->n, c->num_gate_rows,
                             c->blind_start, c->num_blind_regular, c->num_blind_pairs, c->num_public_inputs,
                             c->num_gate_types};
    for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
        fp_word(w, head[i]);
    for (unsigned g = 0; g < c->num_gate_types; g++) {
        const por_gate *gt = &c->gate_types[g];
        fp_word(w, gt->vt->kind);
        for (unsigned i = 0; i < POR_GATE_MAX_PARAMS; i++)
            fp_word(w, gt->params[i]);
        fp_word(w, gt->num_wires), fp_word(w, gt->num_constants), fp_word(w, gt->num_constraints);
        fp_word(w, gt->degree), fp_word(w, gt->lookup_bits), fp_word(w, gt->lookup_first_wire);
    }
    fp_array(w, c->row_type, c->n, sizeof(c->row_type[0]));
    fp_array(w, c->row_consts, c->n * cfg->num_constants, sizeof(c->row_consts[0]));
    fp_array(w, c->sigma, c->n * cfg->num_routed_wires, sizeof(c->sigma[0]));
    fp_flush(w);
    unsigned int len = 0;
    bool ok = w->ok && EVP_DigestFinal_ex(w->md, out, &len) == 1 && len == POR_CIRCUIT_FINGERPRINT_BYTES;
    EVP_MD_CTX_free(w->md);
    free(w);
    return ok ? 0 : -1;
}

int por_plonk_vk_from_cap(const por_circuit *c, const por_digest *cap, size_t cap_len, por_plonk_vk *out,
                          const char **why)
{
    memset(out, 0, sizeof(*out));
    const char *msg = vk_layout(out, c);
    if (msg == NULL && cap_len != ((size_t)1 << c->config.cap_height))
        msg = "the recorded cap's size is not the circuit's";
    if (msg == NULL) {
        out->gate_types = malloc((c->num_gate_types + 1) * sizeof(por_gate));
        out->preprocessed_cap = malloc(cap_len * sizeof(por_digest));
        if (out->gate_types == NULL || out->preprocessed_cap == NULL)
            msg = "out of memory";
    }
    if (msg == NULL) {
        if (c->num_gate_types)
            memcpy(out->gate_types, c->gate_types, c->num_gate_types * sizeof(por_gate));
        memcpy(out->preprocessed_cap, cap, cap_len * sizeof(por_digest));
        if (vk_digest(out) != 0)
            msg = "out of memory";
    }
    if (msg != NULL) {
        por_plonk_vk_free(out);
        return fail(why, msg);
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Transcript
 */

/* The transcript up to the key (protocol, FRI parameters, circuit digest),
 * with the annotation log attached from the start when one is given. */
static void transcript_key(por_transcript *t, const por_plonk_vk *vk, por_transcript_log *log)
{
    por_transcript_init(t, PROTOCOL);
    por_transcript_attach_log(t, log);
    por_transcript_label(t, "plonk.params");
    por_fri_params_observe(t, &vk->fri);
    por_transcript_label(t, "plonk.circuit");
    por_transcript_observe_digest(t, &vk->circuit_digest);
}

void por_plonk_transcript_key(por_transcript *t, const por_plonk_vk *vk)
{
    transcript_key(t, vk, NULL);
}

static void transcript_start(por_transcript *t, const por_plonk_vk *vk, const por_digest *pi_hash,
                             por_transcript_log *log)
{
    transcript_key(t, vk, log);
    por_transcript_label(t, "plonk.public_inputs");
    por_transcript_observe_digest(t, pi_hash);
}

/* ---------------------------------------------------------------------------
 * Prover
 */

/* 7 a mod p (not necessarily canonical, below 2^64): the factor of the
 * extension's c1 c1 term, without a full multiplication. */
static inline gl_t mul7_nc(gl_t a)
{
    unsigned __int128 t = (unsigned __int128)a * GL2_W;
    uint64_t lo = (uint64_t)t, hi = (uint64_t)(t >> 64); /* hi < 7 */
    uint64_t r = lo + hi * GL_EPSILON;
    return r + (GL_EPSILON & -(uint64_t)(r < lo));
}

/* gl2_mul with two reductions instead of five: both output words are sums
 * of two 128-bit products reduced once (the field value is the same). */
static inline gl2_t gl2_mul_lazy(gl2_t a, gl2_t b)
{
    gl_acc c0 = {0, 0}, c1 = {0, 0};
    gl_acc_mul_add(&c0, a.c0, b.c0);
    gl_acc_mul_add(&c0, a.c1, mul7_nc(b.c1));
    gl_acc_mul_add(&c1, a.c0, b.c1);
    gl_acc_mul_add(&c1, a.c1, b.c0);
    return (gl2_t){gl_acc_reduce(&c0), gl_acc_reduce(&c1)};
}

/* Permutation ratios on H: ratio[i * m + j] = prod f / prod g of chunk j at row i. */
typedef struct {
    const por_plonk_prover *pk;
    gl_t *const *wires; /* values on H */
    gl2_t beta, gamma;
    gl2_t *num, *den, *scratch;
} ratio_ctx;

static void ratio_range(void *arg, size_t b, size_t e)
{
    ratio_ctx *rc = arg;
    const por_plonk_prover *pk = rc->pk;
    const size_t n = pk->c->n, R = pk->c->config.num_routed_wires;
    const size_t m = pk->vk.num_perm_chunks, cs = pk->vk.perm_chunk_size;
    for (size_t i = b; i < e; i++) {
        gl2_t bx = gl2_mul_base(rc->beta, pk->h_points[i]);
        for (size_t j = 0; j < m; j++) {
            gl2_t num = gl2_from_base(1), den = gl2_from_base(1);
            for (size_t col = j * cs; col < (j + 1) * cs && col < R; col++) {
                gl2_t wg = gl2_add(rc->gamma, gl2_from_base(rc->wires[col][i]));
                num = gl2_mul_lazy(num, gl2_add(wg, gl2_mul_base(bx, pk->ks[col])));
                den = gl2_mul_lazy(den, gl2_add(wg, gl2_mul_base(rc->beta, pk->sigma_vals[col * n + i])));
            }
            rc->num[i * m + j] = num;
            rc->den[i * m + j] = den;
        }
    }
    gl2_batch_inv(rc->den + b * m, rc->scratch + b * m, (e - b) * m);
    for (size_t k = b * m; k < e * m; k++)
        rc->num[k] = gl2_mul(rc->num[k], rc->den[k]);
}


/* Range lookups on H (plonk.h), rows [b, e) of the active rows: the helpers
 * h_g = s_lk sum_{c in group g} 1 / (delta - w_c) into their columns, and
 * table_term = m / (delta - t). */
typedef struct {
    const por_plonk_prover *pk;
    gl_t *const *wires; /* values on H; the multiplicities at index W */
    gl2_t delta;
    gl_t **helpers;     /* 2 NG columns (c0, c1 per group) */
    gl2_t *table_term;  /* n */
    atomic_int failed;  /* a chunk could not allocate its buffers */
} lookup_ctx;

static bool lookup_row(const por_circuit *c, size_t i)
{
    return c->row_type[i] != POR_ROW_NOOP && c->gate_types[c->row_type[i]].lookup_bits != 0;
}

static void lookup_range(void *arg, size_t b, size_t e)
{
    lookup_ctx *lc = arg;
    const por_circuit *c = lc->pk->c;
    const por_plonk_vk *vk = &lc->pk->vk;
    const size_t W = c->config.num_wires, F = c->config.lookup_first_wire, D = W - F + 1;
    const size_t gs = vk->lookup_group_size, table = (size_t)1 << c->config.lookup_bits;
    gl2_t *den = malloc(2 * (e - b) * D * sizeof(gl2_t));
    if (!den) {
        atomic_store(&lc->failed, 1);
        return;
    }
    gl2_t *scratch = den + (e - b) * D;
    for (size_t i = b; i < e; i++) {
        gl2_t *d = den + (i - b) * D;
        bool row = lookup_row(c, i);
        for (size_t j = F; j < W; j++)
            d[j - F] = row ? gl2_sub(lc->delta, gl2_from_base(lc->wires[j][i])) : gl2_from_base(1);
        d[D - 1] = gl2_sub(lc->delta, gl2_from_base(i < table ? i : 0));
    }
    gl2_batch_inv(den, scratch, (e - b) * D);
    for (size_t i = b; i < e; i++) {
        const gl2_t *d = den + (i - b) * D;
        bool row = lookup_row(c, i);
        for (size_t g = 0; g < vk->num_lookup_groups; g++) {
            gl2_t h = {0, 0};
            for (size_t j = g * gs; row && j < (g + 1) * gs && j < D - 1; j++)
                h = gl2_add(h, d[j]);
            lc->helpers[2 * g][i] = h.c0, lc->helpers[2 * g + 1][i] = h.c1;
        }
        lc->table_term[i] = gl2_mul_base(d[D - 1], lc->wires[W][i]);
    }
    free(den);
}

/* Quotient values on the evaluation domain (the committed LDE, then its
 * extension when the quotient needs more points than the rate gives). */
typedef struct {
    const por_plonk_prover *pk;
    const por_pcs_batch *wires, *zs;
    gl_t *const *wires_ext, *const *zs_ext; /* NULL when E = rate_bits */
    gl2_t beta, gamma, delta;
    const gl2_t *alpha_pows; /* S + 1 + m, then NG + 3 with lookups */
    const gl2_t *beta_ks;    /* R: beta k_j */
    gl_t pi[4];
    gl2_t *out;
    const struct quot_x8 *x8; /* the 8-lane path's tables; NULL: point by point */
    atomic_int failed; /* a chunk could not allocate its buffers */
} quot_ctx;

/* Points gathered per block: the columns are read QBLK consecutive values
 * at a time (sequential in memory) instead of one value per column per
 * point, which stalled on a cache miss per column. */
#define QBLK 16

/* Column k of a batch at evaluation index i: the committed LDE holds the
 * first `committed` points, the extension the rest. */
static inline const gl_t *eval_at(gl_t *const *lde, gl_t *const *ext, size_t k, size_t i, size_t committed)
{
    return i < committed ? lde[k] + i : ext[k] + (i - committed);
}

/* The quotient point by point (CPUs without AVX-512, POR_NO_SIMD). */
static void quot_range_scalar(quot_ctx *qc, size_t b, size_t e)
{
    const por_plonk_prover *pk = qc->pk;
    const por_plonk_vk *vk = &pk->vk;
    const size_t W = vk->config.num_wires, R = vk->config.num_routed_wires;
    const size_t K = vk->config.num_constants, G = vk->num_gate_types;
    const size_t S = vk->num_constraint_slots, m = vk->num_perm_chunks, cs = vk->perm_chunk_size;
    const unsigned rate = pk->eval_bits, L = vk->degree_bits + rate;
    const size_t N = (size_t)1 << L, Nc = (size_t)1 << (vk->degree_bits + vk->config.rate_bits);
    const bool lk = vk->config.lookup_bits != 0;
    const size_t NG = vk->num_lookup_groups, gs = vk->lookup_group_size;
    const size_t F = vk->config.lookup_first_wire, LA = S + 1 + m; /* first lookup alpha power */
    const size_t Wc = W + lk, P0 = G + K + R + (lk ? 2 : 0), Z = 2 * m + (lk ? 2 * NG + 2 : 0);
    /* block buffers, point-major: wb[p * Wc + j], pb[p * P0 + k], zb[p * Z + k] */
    gl_t *wb = malloc(QBLK * (Wc + P0 + Z) * sizeof(gl_t));
    if (!wb) {
        atomic_store(&qc->failed, 1);
        return;
    }
    gl_t *pb = wb + QBLK * Wc, *zb = pb + QBLK * P0;
    gl_t tmp[2 * POR_MAX_WIRES];
    for (size_t i0 = b, cnt; i0 < e; i0 += cnt) {
        /* a block never straddles the end of the committed LDE */
        const size_t stop = i0 < Nc && Nc < e ? Nc : e;
        cnt = stop - i0 < QBLK ? stop - i0 : QBLK;
        for (size_t j = 0; j < Wc; j++) {
            const gl_t *col = eval_at(qc->wires->lde, qc->wires_ext, j, i0, Nc);
            for (size_t p = 0; p < cnt; p++)
                wb[p * Wc + j] = col[p];
        }
        for (size_t k = 0; k < P0; k++) {
            const gl_t *col = eval_at(pk->pre.lde, pk->pre_ext, k, i0, Nc);
            for (size_t p = 0; p < cnt; p++)
                pb[p * P0 + k] = col[p];
        }
        for (size_t k = 0; k < Z; k++) {
            const gl_t *col = eval_at(qc->zs->lde, qc->zs_ext, k, i0, Nc);
            for (size_t p = 0; p < cnt; p++)
                zb[p * Z + k] = col[p];
        }
        for (size_t p = 0; p < cnt; p++) {
            const size_t i = i0 + p;
            const gl_t *w = wb + p * Wc, *pre = pb + p * P0, *zv = zb + p * Z;
            const gl_t *consts = pre + G, *sigma = pre + G + K;
            /* sum_k alpha^k sum_g s_g c_{g,k} = sum_g s_g (sum_k alpha^k c_{g,k}) */
            gl2_t acc = {0, 0};
            gl_t s_lk = 0;
            for (size_t g = 0; g < G; g++) {
                const por_gate *gt = &vk->gate_types[g];
                if (gt->lookup_bits)
                    s_lk = gl_add(s_lk, pre[g]);
                gt->vt->eval_base(gt, w, consts, qc->pi, tmp);
                gl_acc a0 = {0, 0}, a1 = {0, 0};
                for (size_t k = 0; k < gt->num_constraints; k++) {
                    gl_acc_mul_add(&a0, tmp[k], qc->alpha_pows[k].c0);
                    gl_acc_mul_add(&a1, tmp[k], qc->alpha_pows[k].c1);
                }
                gl2_t ag = {gl_acc_reduce(&a0), gl_acc_reduce(&a1)};
                acc = gl2_add(acc, gl2_mul_base(ag, pre[g]));
            }
            /* permutation */
            size_t nat = por_bit_reverse_index(i, L);
            size_t inext = por_bit_reverse_index((nat + ((size_t)1 << rate)) & (N - 1), L);
            gl2_t znext = {*eval_at(qc->zs->lde, qc->zs_ext, 0, inext, Nc), *eval_at(qc->zs->lde, qc->zs_ext, 1, inext, Nc)};
            gl_t x = pk->lde_x[i];
            for (size_t j = 0; j < m; j++) {
                gl2_t num = gl2_from_base(1), den = gl2_from_base(1);
                for (size_t col = j * cs; col < (j + 1) * cs && col < R; col++) {
                    gl2_t wg = gl2_add(qc->gamma, gl2_from_base(w[col]));
                    num = gl2_mul_lazy(num, gl2_add(wg, gl2_mul_base(qc->beta_ks[col], x)));
                    den = gl2_mul_lazy(den, gl2_add(wg, gl2_mul_base(qc->beta, sigma[col])));
                }
                gl2_t prev = {zv[2 * j], zv[2 * j + 1]};
                gl2_t next = j + 1 < m ? (gl2_t){zv[2 * j + 2], zv[2 * j + 3]} : znext;
                gl2_t term = gl2_sub(gl2_mul_lazy(next, den), gl2_mul_lazy(prev, num));
                acc = gl2_add(acc, gl2_mul_lazy(qc->alpha_pows[S + 1 + j], term));
            }
            gl2_t phi = {0, 0};
            if (lk) {
                /* s_act (h_g prod (delta - w_c) - s_lk sum_c prod_{c' != c} (delta - w_c')),
                 * the products over group g; then the running sum's step */
                const gl_t t_val = pre[G + K + R], s_act = pre[G + K + R + 1];
                const gl_t *hv = zv + 2 * m;
                gl2_t hsum = {0, 0};
                for (size_t g = 0; g < NG; g++) {
                    gl2_t prod = gl2_from_base(1), sum = {0, 0};
                    for (size_t j = F + g * gs; j < F + (g + 1) * gs && j < W; j++) {
                        gl2_t d = {gl_sub(qc->delta.c0, w[j]), qc->delta.c1};
                        sum = gl2_add(gl2_mul_lazy(sum, d), prod);
                        prod = gl2_mul_lazy(prod, d);
                    }
                    gl2_t h = {hv[2 * g], hv[2 * g + 1]};
                    hsum = gl2_add(hsum, h);
                    gl2_t cg = gl2_sub(gl2_mul_lazy(h, prod), gl2_mul_base(sum, s_lk));
                    acc = gl2_add(acc, gl2_mul_lazy(qc->alpha_pows[LA + g], gl2_mul_base(cg, s_act)));
                }
                phi = (gl2_t){hv[2 * NG], hv[2 * NG + 1]};
                gl2_t phinext = {*eval_at(qc->zs->lde, qc->zs_ext, 2 * m + 2 * NG, inext, Nc),
                                 *eval_at(qc->zs->lde, qc->zs_ext, 2 * m + 2 * NG + 1, inext, Nc)};
                gl2_t dt = {gl_sub(qc->delta.c0, t_val), qc->delta.c1};
                gl2_t step = gl2_add(gl2_mul_lazy(gl2_sub(gl2_sub(phinext, phi), hsum), dt),
                                     gl2_from_base(w[W]));
                acc = gl2_add(acc, gl2_mul_lazy(qc->alpha_pows[LA + NG], gl2_mul_base(step, s_act)));
            }
            acc = gl2_mul_base(acc, pk->zh_inv[nat & (((size_t)1 << rate) - 1)]);
            gl2_t z0 = {zv[0], zv[1]};
            gl2_t boundary = gl2_mul_base(gl2_sub(z0, gl2_from_base(1)), pk->l0_over_zh[i]);
            qc->out[i] = gl2_add(acc, gl2_mul_lazy(qc->alpha_pows[S], boundary));
            if (lk) {
                gl2_t b0 = gl2_mul_base(phi, pk->l0_over_zh[i]), bb = gl2_mul_base(phi, pk->lb_over_zh[i]);
                qc->out[i] = gl2_add(qc->out[i], gl2_add(gl2_mul_lazy(qc->alpha_pows[LA + NG + 1], b0),
                                                         gl2_mul_lazy(qc->alpha_pows[LA + NG + 2], bb)));
            }
        }
    }
    free(wb);
}

/*
 * The quotient 8 points at a time (field_x8.h).  Same values as
 * quot_range_scalar; since the field is exact, some sums are regrouped to
 * save multiplications:
 *   - s_act and s_lk factor out of the lookup terms: s_act (sum_g alpha_g
 *     h_g P_g - s_lk sum_g alpha_g S_g + alpha_NG step);
 *   - the boundary terms share their L_0 / Z_H factor;
 *   - products by challenges (the alpha powers) are lazy dot products.
 */

/* The challenges in the forms the vector multiplications take (one proof). */
typedef struct quot_x8 {
    gl2_x8_mult *alpha;    /* the alpha powers of quot_ctx */
    gl_x8_k (*beta_ks)[2]; /* R: beta k_j, c0 and c1 */
    gl_x8_k beta[2];       /* beta, c0 and c1 */
    gl_x8_k delta1, delta1w; /* delta's c1 and 7 times it */
    bool scalar_gates;     /* a gate type has no eval_base_x8 */
} quot_x8;

/* Fills t from the challenges; returns the memory to free (NULL: out of memory). */
static void *quot_x8_init(quot_x8 *t, const por_plonk_vk *vk, const gl2_t *apows, size_t napows,
                          const gl2_t *beta_ks, gl2_t beta, gl2_t delta)
{
    const size_t R = vk->config.num_routed_wires;
    char *mem = malloc(napows * sizeof(gl2_x8_mult) + R * sizeof(*t->beta_ks));
    if (!mem)
        return NULL;
    t->alpha = (gl2_x8_mult *)mem;
    t->beta_ks = (gl_x8_k(*)[2])(mem + napows * sizeof(gl2_x8_mult));
    for (size_t k = 0; k < napows; k++)
        t->alpha[k] = gl2_x8_mult_of(apows[k]);
    for (size_t j = 0; j < R; j++)
        t->beta_ks[j][0] = gl_x8_k_of(beta_ks[j].c0), t->beta_ks[j][1] = gl_x8_k_of(beta_ks[j].c1);
    t->beta[0] = gl_x8_k_of(beta.c0), t->beta[1] = gl_x8_k_of(beta.c1);
    t->delta1 = gl_x8_k_of(delta.c1), t->delta1w = gl_x8_k_of(gl_mul(GL2_W, delta.c1));
    t->scalar_gates = false;
    for (size_t g = 0; g < vk->num_gate_types; g++)
        t->scalar_gates |= vk->gate_types[g].vt->eval_base_x8 == NULL;
    return mem;
}

#if GL_X8_HAVE_AVX512
/* Per-point columns of a block besides the batches' (PT_ZN*, PT_PN*: Z and
 * phi at the next point w x, c0 and c1). */
enum { PT_X, PT_L0, PT_LB, PT_ZHI, PT_ZN0, PT_ZN1, PT_PN0, PT_PN1, PT_COUNT };

/* One thread's block of QBLK points, lane-major (value j of point p at
 * [j * QBLK + p]: 8 points of a column are one vector). */
typedef struct {
    gl_t *w, *pre, *z, *pt; /* Wc wire, P0 preprocessed, Z, PT_COUNT columns */
    gl_t *cons;             /* a gate's constraints at 8 points, [c * 8 + p] */
    gl_t *pw, *pc, *pout;   /* point-major wires and constants, and eval_base's outputs
                             * ([p * quot_rows8 + c]), for the gates without eval_base_x8 */
} quot_block;

/* cnt values of a column into a block row, zeros after them (a whole row
 * is a fixed-size copy, which the compiler inlines). */
static inline void block_row(gl_t *dst, const gl_t *src, size_t cnt)
{
    if (cnt == QBLK) {
        memcpy(dst, src, QBLK * sizeof(gl_t));
        return;
    }
    memcpy(dst, src, cnt * sizeof(gl_t));
    memset(dst + cnt, 0, (QBLK - cnt) * sizeof(gl_t));
}

/* Gathers the block of points [i0, i0 + cnt) (cnt <= QBLK; the other lanes
 * get zeros, and results nobody reads). */
GL_X8_TARGET static void quot_gather(const quot_ctx *qc, const quot_block *bk, size_t i0, size_t cnt)
{
    const por_plonk_prover *pk = qc->pk;
    const por_plonk_vk *vk = &pk->vk;
    const size_t W = vk->config.num_wires, R = vk->config.num_routed_wires;
    const size_t K = vk->config.num_constants, G = vk->num_gate_types, m = vk->num_perm_chunks;
    const unsigned rate = pk->eval_bits, L = vk->degree_bits + rate;
    const size_t N = (size_t)1 << L, Nc = (size_t)1 << (vk->degree_bits + vk->config.rate_bits);
    const bool lk = vk->config.lookup_bits != 0;
    const size_t NG = vk->num_lookup_groups;
    const size_t Wc = W + lk, P0 = G + K + R + (lk ? 2 : 0), Z = 2 * m + (lk ? 2 * NG + 2 : 0);
    for (size_t j = 0; j < Wc; j++)
        block_row(bk->w + j * QBLK, eval_at(qc->wires->lde, qc->wires_ext, j, i0, Nc), cnt);
    for (size_t k = 0; k < P0; k++)
        block_row(bk->pre + k * QBLK, eval_at(pk->pre.lde, pk->pre_ext, k, i0, Nc), cnt);
    for (size_t k = 0; k < Z; k++)
        block_row(bk->z + k * QBLK, eval_at(qc->zs->lde, qc->zs_ext, k, i0, Nc), cnt);
    memset(bk->pt, 0, PT_COUNT * QBLK * sizeof(gl_t));
    memcpy(bk->pt + PT_X * QBLK, pk->lde_x + i0, cnt * sizeof(gl_t));
    memcpy(bk->pt + PT_L0 * QBLK, pk->l0_over_zh + i0, cnt * sizeof(gl_t));
    if (lk)
        memcpy(bk->pt + PT_LB * QBLK, pk->lb_over_zh + i0, cnt * sizeof(gl_t));
    for (size_t p = 0; p < cnt; p++) {
        size_t nat = por_bit_reverse_index(i0 + p, L);
        size_t inext = por_bit_reverse_index((nat + ((size_t)1 << rate)) & (N - 1), L);
        bk->pt[PT_ZHI * QBLK + p] = pk->zh_inv[nat & (((size_t)1 << rate) - 1)];
        bk->pt[PT_ZN0 * QBLK + p] = *eval_at(qc->zs->lde, qc->zs_ext, 0, inext, Nc);
        bk->pt[PT_ZN1 * QBLK + p] = *eval_at(qc->zs->lde, qc->zs_ext, 1, inext, Nc);
        if (lk) {
            bk->pt[PT_PN0 * QBLK + p] = *eval_at(qc->zs->lde, qc->zs_ext, 2 * m + 2 * NG, inext, Nc);
            bk->pt[PT_PN1 * QBLK + p] = *eval_at(qc->zs->lde, qc->zs_ext, 2 * m + 2 * NG + 1, inext, Nc);
        }
    }
    if (!qc->x8->scalar_gates)
        return;
    /* point-major copies for eval_base */
    for (size_t p = 0; p < QBLK; p += GL_X8_LANES) {
        size_t j = 0;
        for (; j + GL_X8_LANES <= Wc; j += GL_X8_LANES)
            glv8_transpose(bk->w + j * QBLK + p, QBLK, bk->pw + p * Wc + j, Wc);
        for (; j < Wc; j++)
            for (size_t q = p; q < p + GL_X8_LANES; q++)
                bk->pw[q * Wc + j] = bk->w[j * QBLK + q];
    }
    for (size_t p = 0; p < QBLK; p++)
        for (size_t k = 0; k < K; k++)
            bk->pc[p * K + k] = bk->pre[(G + k) * QBLK + p];
}

/* Constraint rows of a block's buffers, rounded up to whole 8x8 transposes. */
static size_t quot_rows8(const por_plonk_vk *vk) { return (vk->num_constraint_slots + 7) & ~(size_t)7; }

/* Gate gt's constraints at the 8 points from lane o into bk->cons: by its
 * eval_base_x8, or point by point and transposed. */
GL_X8_TARGET static void quot_gate(const quot_ctx *qc, const quot_block *bk, const por_gate *gt, size_t o)
{
    const por_plonk_vk *vk = &qc->pk->vk;
    const size_t W = vk->config.num_wires, K = vk->config.num_constants, G = vk->num_gate_types;
    const size_t Wc = W + (vk->config.lookup_bits != 0), S8 = quot_rows8(vk);
    if (gt->vt->eval_base_x8) {
        gt->vt->eval_base_x8(gt, bk->w + o, bk->pre + G * QBLK + o, QBLK, qc->pi, bk->cons);
        return;
    }
    for (size_t p = 0; p < GL_X8_LANES; p++)
        gt->vt->eval_base(gt, bk->pw + (o + p) * Wc, bk->pc + (o + p) * K, qc->pi, bk->pout + p * S8);
    for (size_t c = 0; c < gt->num_constraints; c += 8)
        glv8_transpose(bk->pout + c, S8, bk->cons + c * GL_X8_LANES, GL_X8_LANES);
}

/* Vector of column j of a block buffer at lanes o..o+7. */
#define LANES(buf, j) glv8_load((buf) + (size_t)(j) * QBLK + o)

/* Column col's permutation factors at the 8 points from lane o:
 * f = w + gamma + beta k_col x and h = w + gamma + beta sigma_col. */
GL_X8_INLINE void perm_factors(const quot_ctx *qc, const quot_block *bk, size_t o, size_t col, gl2v8 *f,
                               gl2v8 *h)
{
    const por_plonk_vk *vk = &qc->pk->vk;
    const quot_x8 *t = qc->x8;
    const size_t sig = vk->num_gate_types + vk->config.num_constants + col;
    const __m512i x = LANES(bk->pt, PT_X), xh = glv8_hi(x);
    const __m512i sg = LANES(bk->pre, sig), sgh = glv8_hi(sg);
    const gl2v8 gamma = gl2v8_set1(qc->gamma);
    __m512i wg = glv8_add(LANES(bk->w, col), gamma.c0);
    *f = (gl2v8){glv8_add(wg, glv8_mul_k(x, xh, &t->beta_ks[col][0])),
                 glv8_add(gamma.c1, glv8_mul_k(x, xh, &t->beta_ks[col][1]))};
    *h = (gl2v8){glv8_add(wg, glv8_mul_k(sg, sgh, &t->beta[0])),
                 glv8_add(gamma.c1, glv8_mul_k(sg, sgh, &t->beta[1]))};
}

/* The quotient at the 8 points from lane o of the block into out[0..cnt). */
GL_X8_TARGET static void quot_lanes(const quot_ctx *qc, const quot_block *bk, size_t o, gl2_t *out, size_t cnt)
{
    const por_plonk_vk *vk = &qc->pk->vk;
    const quot_x8 *t = qc->x8;
    const size_t W = vk->config.num_wires, R = vk->config.num_routed_wires;
    const size_t K = vk->config.num_constants, G = vk->num_gate_types;
    const size_t S = vk->num_constraint_slots, m = vk->num_perm_chunks, cs = vk->perm_chunk_size;
    const bool lk = vk->config.lookup_bits != 0;
    const size_t NG = vk->num_lookup_groups, gs = vk->lookup_group_size;
    const size_t F = vk->config.lookup_first_wire, LA = S + 1 + m;
    const __m512i zero = _mm512_setzero_si512(), one = glv8_set1(1);

    /* gates: sum_g s_g sum_k alpha^k c_{g,k} */
    gl2v8 acc = {zero, zero};
    __m512i s_lk = zero;
    for (size_t g = 0; g < G; g++) {
        const por_gate *gt = &vk->gate_types[g];
        __m512i sel = LANES(bk->pre, g);
        if (gt->lookup_bits)
            s_lk = glv8_add(s_lk, sel);
        quot_gate(qc, bk, gt, o);
        gl2v8_dot d = gl2v8_dot_zero();
        for (size_t k = 0; k < gt->num_constraints; k++)
            gl2v8_dot_base(&d, glv8_load(bk->cons + k * GL_X8_LANES), &t->alpha[k]);
        acc = gl2v8_add(acc, gl2v8_mul_base(gl2v8_dot_finish(&d), sel));
    }

    /* permutation: chunk j's next den - prev num, num and den the products
     * of its columns' factors */
    gl2v8_dot pd = gl2v8_dot_zero();
    for (size_t j = 0; j < m; j++) {
        size_t c0 = j * cs, c1 = c0 + cs < R ? c0 + cs : R;
        gl2v8 num, den, f, h;
        perm_factors(qc, bk, o, c0, &num, &den);
        for (size_t col = c0 + 1; col < c1; col++) {
            perm_factors(qc, bk, o, col, &f, &h);
            num = gl2v8_mul(num, f);
            den = gl2v8_mul(den, h);
        }
        gl2v8 prev = {LANES(bk->z, 2 * j), LANES(bk->z, 2 * j + 1)};
        gl2v8 next = j + 1 < m ? (gl2v8){LANES(bk->z, 2 * j + 2), LANES(bk->z, 2 * j + 3)}
                               : (gl2v8){LANES(bk->pt, PT_ZN0), LANES(bk->pt, PT_ZN1)};
        gl2v8_dot_ext(&pd, gl2v8_sub(gl2v8_mul(next, den), gl2v8_mul(prev, num)), &t->alpha[S + 1 + j]);
    }
    acc = gl2v8_add(acc, gl2v8_dot_finish(&pd));

    gl2v8 phi = {zero, zero};
    if (lk) {
        /* per group g, P_g = prod_c (delta - w_c) and S_g = sum_c prod_{c' != c}
         * (delta - w_c'), built column by column (S = S e + P, P = P e) */
        const __m512i d0 = glv8_set1(qc->delta.c0), d1 = glv8_set1(qc->delta.c1);
        gl2v8_dot hp = gl2v8_dot_zero(), sd = gl2v8_dot_zero();
        gl2v8 hsum = {zero, zero};
        for (size_t g = 0; g < NG; g++) {
            size_t j0 = F + g * gs, j1 = j0 + gs < W ? j0 + gs : W;
            gl2v8 prod = {glv8_sub(d0, LANES(bk->w, j0)), d1}, sum = {one, zero};
            for (size_t j = j0 + 1; j < j1; j++) {
                __m512i e0 = glv8_sub(d0, LANES(bk->w, j));
                sum = j == j0 + 1 ? gl2v8_add(prod, (gl2v8){e0, d1})
                                  : gl2v8_add(gl2v8_mul_bk(sum, e0, &t->delta1, &t->delta1w), prod);
                prod = gl2v8_mul_bk(prod, e0, &t->delta1, &t->delta1w);
            }
            gl2v8 h = {LANES(bk->z, 2 * m + 2 * g), LANES(bk->z, 2 * m + 2 * g + 1)};
            hsum = gl2v8_add(hsum, h);
            gl2v8_dot_ext(&hp, gl2v8_mul(h, prod), &t->alpha[LA + g]);
            gl2v8_dot_ext(&sd, sum, &t->alpha[LA + g]);
        }
        /* the running sum's step: (phi(w x) - phi - sum_g h_g) (delta - t) + m */
        phi = (gl2v8){LANES(bk->z, 2 * m + 2 * NG), LANES(bk->z, 2 * m + 2 * NG + 1)};
        gl2v8 phinext = {LANES(bk->pt, PT_PN0), LANES(bk->pt, PT_PN1)};
        gl2v8 step = gl2v8_mul_bk(gl2v8_sub(gl2v8_sub(phinext, phi), hsum),
                                  glv8_sub(d0, LANES(bk->pre, G + K + R)), &t->delta1, &t->delta1w);
        step.c0 = glv8_add(step.c0, LANES(bk->w, W));
        gl2v8_dot_ext(&hp, step, &t->alpha[LA + NG]);
        gl2v8 lkv = gl2v8_sub(gl2v8_dot_finish(&hp), gl2v8_mul_base(gl2v8_dot_finish(&sd), s_lk));
        acc = gl2v8_add(acc, gl2v8_mul_base(lkv, LANES(bk->pre, G + K + R + 1)));
    }

    /* divided by Z_H, plus the boundary terms (already divided) */
    acc = gl2v8_mul_base(acc, LANES(bk->pt, PT_ZHI));
    gl2v8_dot b0 = gl2v8_dot_zero();
    gl2v8_dot_ext(&b0, (gl2v8){glv8_sub(LANES(bk->z, 0), one), LANES(bk->z, 1)}, &t->alpha[S]);
    if (lk)
        gl2v8_dot_ext(&b0, phi, &t->alpha[LA + NG + 1]);
    acc = gl2v8_add(acc, gl2v8_mul_base(gl2v8_dot_finish(&b0), LANES(bk->pt, PT_L0)));
    if (lk) {
        gl2v8_dot bb = gl2v8_dot_zero();
        gl2v8_dot_ext(&bb, phi, &t->alpha[LA + NG + 2]);
        acc = gl2v8_add(acc, gl2v8_mul_base(gl2v8_dot_finish(&bb), LANES(bk->pt, PT_LB)));
    }

    /* interleave (c0, c1) per point */
    const __m512i ilo = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
    const __m512i ihi = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
    gl_t v[2 * GL_X8_LANES];
    glv8_store(v, _mm512_permutex2var_epi64(acc.c0, ilo, acc.c1));
    glv8_store(v + GL_X8_LANES, _mm512_permutex2var_epi64(acc.c0, ihi, acc.c1));
    memcpy(out, v, cnt * sizeof(gl2_t));
}
#undef LANES

static void quot_range_x8(quot_ctx *qc, size_t b, size_t e)
{
    const por_plonk_vk *vk = &qc->pk->vk;
    const size_t W = vk->config.num_wires, R = vk->config.num_routed_wires;
    const size_t K = vk->config.num_constants, G = vk->num_gate_types, m = vk->num_perm_chunks;
    const size_t Nc = (size_t)1 << (vk->degree_bits + vk->config.rate_bits);
    const bool lk = vk->config.lookup_bits != 0;
    const size_t NG = vk->num_lookup_groups;
    const size_t Wc = W + lk, P0 = G + K + R + (lk ? 2 : 0), Z = 2 * m + (lk ? 2 * NG + 2 : 0);
    const size_t S8 = quot_rows8(vk);
    const size_t words = QBLK * (Wc + P0 + Z + PT_COUNT) + 2 * GL_X8_LANES * S8 + QBLK * (Wc + K);
    gl_t *mem = aligned_alloc(64, (words * sizeof(gl_t) + 63) / 64 * 64);
    if (!mem) {
        atomic_store(&qc->failed, 1);
        return;
    }
    /* (the transposes read the padding of pout: zeros) */
    memset(mem, 0, words * sizeof(gl_t));
    quot_block bk;
    bk.w = mem, bk.pre = bk.w + QBLK * Wc, bk.z = bk.pre + QBLK * P0, bk.pt = bk.z + QBLK * Z;
    bk.cons = bk.pt + QBLK * PT_COUNT, bk.pout = bk.cons + GL_X8_LANES * S8;
    bk.pw = bk.pout + GL_X8_LANES * S8, bk.pc = bk.pw + QBLK * Wc;
    for (size_t i0 = b, cnt; i0 < e; i0 += cnt) {
        /* a block never straddles the end of the committed LDE */
        const size_t stop = i0 < Nc && Nc < e ? Nc : e;
        cnt = stop - i0 < QBLK ? stop - i0 : QBLK;
        quot_gather(qc, &bk, i0, cnt);
        for (size_t o = 0; o < cnt; o += GL_X8_LANES)
            quot_lanes(qc, &bk, o, qc->out + i0 + o, cnt - o < GL_X8_LANES ? cnt - o : GL_X8_LANES);
    }
    free(mem);
}
#endif

static void quot_range(void *arg, size_t b, size_t e)
{
    quot_ctx *qc = arg;
#if GL_X8_HAVE_AVX512
    if (qc->x8) {
        quot_range_x8(qc, b, e);
        return;
    }
#endif
    quot_range_scalar(qc, b, e);
}

typedef struct {
    gl_t *parts[2];
    unsigned L;
    atomic_int failed; /* a transform could not allocate */
} intt_ctx;

static void intt_range(void *arg, size_t b, size_t e)
{
    intt_ctx *ic = arg;
    for (size_t k = b; k < e; k++)
        if (por_ntt_inverse_br(ic->parts[k], ic->L, GL_GENERATOR) != 0)
            atomic_store(&ic->failed, 1);
}

static gl2_t *alloc_powers(gl2_t x, size_t n)
{
    gl2_t *p = malloc((n + 1) * sizeof(gl2_t));
    if (!p)
        return NULL;
    gl2_t acc = gl2_from_base(1);
    for (size_t i = 0; i < n; i++) {
        p[i] = acc;
        acc = gl2_mul(acc, x);
    }
    return p;
}

void por_plonk_proof_free(por_plonk_proof *proof)
{
    free(proof->public_inputs);
    free(proof->wires_cap), free(proof->zs_cap), free(proof->quotient_cap);
    por_pcs_proof_free(&proof->opening);
    memset(proof, 0, sizeof(*proof));
}

/* Monotonic milliseconds, for the optional phase timings. */
static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Charges the time since *mark to *phase (if timings are wanted) and moves the mark. */
static void phase_done(const por_plonk_prove_opts *opts, double *phase, double *mark)
{
    if (!opts || !opts->timings)
        return;
    double t = now_ms();
    *phase = t - *mark;
    *mark = t;
}

/* The caller's stop request (opts->should_stop), polled between phases. */
static bool stop_requested(const por_plonk_prove_opts *opts)
{
    return opts != NULL && opts->should_stop != NULL && opts->should_stop(opts->stop_ctx);
}

/*
 * One commitment round of the prover (round 1 wires, 2 permutation, 3
 * quotient): commits the columns (and frees them),
 * copies the cap into the proof, then polls the caller's stop request.
 * NULL, or the message to fail with.
 */
static const char *commit_round(unsigned round, por_pcs_batch *b, por_pool *pool, gl_t ***cols, size_t count,
                                unsigned logn,
                                const por_circuit_config *cfg, bool zk, por_rand_fn rnd, void *rnd_ctx,
                                const por_plonk_prove_opts *opts, por_digest *cap_out, const char *failure)
{
    if (opts && opts->inspect_commit)
        opts->inspect_commit(opts->tamper_ctx, round, (const gl_t *const *)*cols, count, (size_t)1 << logn);
    if (por_pcs_commit(b, pool, (const gl_t *const *)*cols, count, logn, cfg->rate_bits, cfg->cap_height, zk, rnd,
                       rnd_ctx) != 0)
        return failure;
    free_cols(*cols, count);
    *cols = NULL;
    memcpy(cap_out, por_pcs_batch_cap(b), ((size_t)1 << cfg->cap_height) * sizeof(por_digest));
    return stop_requested(opts) ? "stopped on request" : NULL;
}

int por_plonk_prove(const por_plonk_prover *pk, por_witness *wit, por_pool *pool,
                     const por_plonk_prove_opts *opts, por_plonk_proof *proof, const char **why)
{
    memset(proof, 0, sizeof(*proof));
    const por_circuit *c = pk->c;
    const por_plonk_vk *vk = &pk->vk;
    if (wit->c != c)
        return fail(why, "witness of another circuit");
    const char *msg = NULL;
    if (por_witness_generate(wit, &msg) != 0)
        return fail(why, msg);
    const size_t n = c->n, W = c->config.num_wires, R = c->config.num_routed_wires;
    const size_t m = vk->num_perm_chunks, S = vk->num_constraint_slots;
    const size_t q = vk->num_quotient_chunks, mq = vk->quotient_chunk_size;
    /* with lookups: the multiplicities after the wires, helpers and their sum after Z */
    const bool lk = c->config.lookup_bits != 0;
    const size_t NG = vk->num_lookup_groups, Wc = W + lk, Zc = 2 * m + (lk ? 2 * NG + 2 : 0);
    const bool zk = c->config.zero_knowledge;
    /* the quotient's evaluation domain (N points) and the committed LDE (Nc) */
    const unsigned L = c->degree_bits + pk->eval_bits, logn = c->degree_bits;
    const size_t N = (size_t)1 << L, Nc = (size_t)1 << (logn + c->config.rate_bits);
    const size_t cap = (size_t)1 << c->config.cap_height;
    por_rand_fn rnd = opts && opts->rand ? opts->rand : por_rand_openssl;
    por_plonk_timings scratch_times, *times = opts && opts->timings ? opts->timings : &scratch_times;
    double mark = now_ms();
    memset(times, 0, sizeof(*times));
    void *rnd_ctx = opts && opts->rand ? opts->rand_ctx : NULL;

    por_pcs_batch wires_b, zs_b, quot_b;
    memset(&wires_b, 0, sizeof(wires_b)), memset(&zs_b, 0, sizeof(zs_b));
    memset(&quot_b, 0, sizeof(quot_b));
    gl_t **wv = NULL, **wc = NULL, **zc = NULL, **qcols = NULL, *tparts[2] = {NULL, NULL};
    gl_t **wires_ext = NULL, **zs_ext = NULL;
    gl2_t *num = NULL, *den = NULL, *scratch = NULL, *apows = NULL, *tvals = NULL, *tterm = NULL;
    uint64_t *counts = NULL;
    gl_t *srand = NULL;
    void *x8mem = NULL;
    por_transcript t;

    /* public inputs */
    proof->num_public_inputs = (uint32_t)c->num_public_inputs;
    proof->public_inputs = malloc((c->num_public_inputs + 1) * sizeof(gl_t));
    proof->wires_cap = malloc(cap * sizeof(por_digest));
    proof->zs_cap = malloc(cap * sizeof(por_digest));
    proof->quotient_cap = malloc(cap * sizeof(por_digest));
    proof->cap_height = c->config.cap_height;
    proof->circuit_digest = vk->circuit_digest;
    if (!proof->public_inputs || !proof->wires_cap || !proof->zs_cap || !proof->quotient_cap) {
        msg = "out of memory";
        goto out;
    }
    for (size_t i = 0; i < c->num_public_inputs; i++)
        proof->public_inputs[i] = wit->values[por_circuit_slot(c, c->public_inputs[i])];
    por_digest pi_hash;
    por_plonk_public_inputs_digest(proof->public_inputs, c->num_public_inputs, &pi_hash);

    /* wire values on H, blinding rows random (plonk.h) */
    wv = alloc_cols(Wc, n);
    wc = alloc_cols(Wc, n);
    if (!wv || !wc) {
        msg = "out of memory";
        goto out;
    }
    for (size_t j = 0; j < W; j++)
        for (size_t i = 0; i < c->blind_start; i++)
            wv[j][i] = por_witness_wire(wit, i, (unsigned)j);
    if (zk) {
        size_t rows = n - c->blind_start;
        for (size_t j = 0; j < Wc; j++)
            if (rnd(rnd_ctx, wv[j] + c->blind_start, rows) != 0) {
                msg = "randomness failure";
                goto out;
            }
        for (size_t p = 0; p < c->num_blind_pairs; p++) {
            size_t a = c->blind_start + c->num_blind_regular + 2 * p;
            for (size_t j = 0; j < R; j++)
                wv[j][a + 1] = wv[j][a];
        }
    }
    if (opts && opts->tamper_wires)
        opts->tamper_wires(opts->tamper_ctx, wv, W, n);
    if (lk) {
        /* multiplicities: m(w^i) counts the looked-up cells equal to the table entry i */
        const size_t table = (size_t)1 << c->config.lookup_bits;
        if (!(counts = calloc(table, sizeof(uint64_t)))) {
            msg = "out of memory";
            goto out;
        }
        for (size_t i = 0; i < c->blind_start; i++) {
            if (!lookup_row(c, i))
                continue;
            for (size_t j = c->config.lookup_first_wire; j < W; j++) {
                if (wv[j][i] < table)
                    counts[wv[j][i]]++;
                else if (!(opts && opts->unchecked)) {
                    msg = "a looked-up value is outside the table";
                    goto out;
                }
            }
        }
        for (size_t i = 0; i < c->blind_start; i++)
            wv[W][i] = i < table ? counts[i] : 0;
        if (opts && opts->tamper_multiplicities)
            opts->tamper_multiplicities(opts->tamper_ctx, wv[W], n);
    }
    for (size_t j = 0; j < Wc; j++)
        memcpy(wc[j], wv[j], n * sizeof(gl_t));
    if (por_ntt_inverse_batch(pool, wc, Wc, logn, 1) != 0) {
        msg = "out of memory";
        goto out;
    }
    msg = commit_round(1, &wires_b, pool, &wc, Wc, logn, &c->config, zk, rnd, rnd_ctx, opts, proof->wires_cap,
                       "wire commitment failed");
    if (msg != NULL)
        goto out;
    phase_done(opts, &times->wires, &mark);

    transcript_start(&t, vk, &pi_hash, NULL);
    por_transcript_label(&t, "plonk.wires_cap");
    por_transcript_observe_digests(&t, proof->wires_cap, cap);
    por_transcript_label(&t, "plonk.beta");
    gl2_t beta = por_transcript_squeeze_ext(&t);
    por_transcript_label(&t, "plonk.gamma");
    gl2_t gamma = por_transcript_squeeze_ext(&t);
    gl2_t delta = {0, 0};
    if (lk) {
        por_transcript_label(&t, "plonk.lookup_delta");
        delta = por_transcript_squeeze_ext(&t);
        if (delta.c1 == 0) {
            msg = "the lookup challenge fell in the base field (probability 2^-64)";
            goto out;
        }
    }

    /* Z and partial products on H */
    num = malloc(n * m * sizeof(gl2_t));
    den = malloc(n * m * sizeof(gl2_t));
    scratch = malloc(n * m * sizeof(gl2_t));
    zc = alloc_cols(Zc, n);
    if (!num || !den || !scratch || !zc) {
        msg = "out of memory";
        goto out;
    }
    ratio_ctx rc = {pk, wv, beta, gamma, num, den, scratch};
    por_pool_parallel_for(pool, n, 256, ratio_range, &rc);
    gl2_t z = gl2_from_base(1);
    for (size_t i = 0; i < n; i++) {
        zc[0][i] = z.c0, zc[1][i] = z.c1;
        for (size_t j = 0; j < m; j++) {
            z = gl2_mul(z, num[i * m + j]);
            if (j + 1 < m)
                zc[2 * (j + 1)][i] = z.c0, zc[2 * (j + 1) + 1][i] = z.c1;
        }
    }
    if (!gl2_eq(z, gl2_from_base(1)) && !(opts && opts->unchecked)) {
        msg = "the copy constraints are not satisfied";
        goto out;
    }
    free(num), free(den), free(scratch);
    num = den = scratch = NULL;
    if (lk) {
        /* helpers and their running sum phi: phi(1) = 0, phi(w^(i+1)) = phi(w^i) +
         * sum_g h_g(w^i) - m / (delta - t) (w^i) on the active rows, back to 0 at w^b */
        const size_t bs = c->blind_start;
        if (!(tterm = malloc(n * sizeof(gl2_t)))) {
            msg = "out of memory";
            goto out;
        }
        lookup_ctx lc = {.pk = pk, .wires = wv, .delta = delta, .helpers = zc + 2 * m, .table_term = tterm};
        atomic_init(&lc.failed, 0);
        por_pool_parallel_for(pool, bs, 256, lookup_range, &lc);
        if (atomic_load(&lc.failed)) {
            msg = "out of memory";
            goto out;
        }
        gl_t *phi0 = zc[2 * m + 2 * NG], *phi1 = zc[2 * m + 2 * NG + 1];
        gl2_t phi = {0, 0};
        for (size_t i = 0; i < bs; i++) {
            phi0[i] = phi.c0, phi1[i] = phi.c1;
            for (size_t g = 0; g < NG; g++)
                phi = gl2_add(phi, (gl2_t){zc[2 * m + 2 * g][i], zc[2 * m + 2 * g + 1][i]});
            phi = gl2_sub(phi, tterm[i]);
        }
        if (!gl2_is_zero(phi) && !(opts && opts->unchecked)) {
            msg = "the lookups are not satisfied";
            goto out;
        }
        if (bs < n) {
            phi0[bs] = phi.c0, phi1[bs] = phi.c1;
            for (size_t k = 2 * m; k < Zc; k++) {
                size_t from = k >= 2 * m + 2 * NG ? bs + 1 : bs;
                if (rnd(rnd_ctx, zc[k] + from, n - from) != 0) {
                    msg = "randomness failure";
                    goto out;
                }
            }
        }
    }
    if (opts && opts->tamper_permutation)
        opts->tamper_permutation(opts->tamper_ctx, zc, Zc, n);
    free_cols(wv, Wc);
    wv = NULL;
    if (por_ntt_inverse_batch(pool, zc, Zc, logn, 1) != 0) {
        msg = "out of memory";
        goto out;
    }
    msg = commit_round(2, &zs_b, pool, &zc, Zc, logn, &c->config, zk, rnd, rnd_ctx, opts, proof->zs_cap,
                       "permutation commitment failed");
    if (msg != NULL)
        goto out;
    phase_done(opts, &times->permutation, &mark);
    por_transcript_label(&t, "plonk.zs_cap");
    por_transcript_observe_digests(&t, proof->zs_cap, cap);
    por_transcript_label(&t, "plonk.alpha");
    gl2_t alpha = por_transcript_squeeze_ext(&t);

    /* quotient on the evaluation domain */
    if (N > Nc) {
        size_t first = (size_t)1 << c->config.rate_bits;
        if (!(wires_ext = alloc_cols(Wc, N - Nc)) || !(zs_ext = alloc_cols(Zc, N - Nc)) ||
            por_lde_batch_blocks(pool, (const gl_t *const *)wires_b.coeffs, Wc, logn, pk->eval_bits, first,
                                 wires_ext) != 0 ||
            por_lde_batch_blocks(pool, (const gl_t *const *)zs_b.coeffs, Zc, logn, pk->eval_bits, first,
                                 zs_ext) != 0) {
            msg = "out of memory";
            goto out;
        }
    }
    apows = alloc_powers(alpha, S + 1 + m + (lk ? NG + 3 : 0));
    tvals = malloc(N * sizeof(gl2_t));
    if (!apows || !tvals) {
        msg = "out of memory";
        goto out;
    }
    gl2_t beta_ks[POR_MAX_WIRES];
    for (size_t j = 0; j < R; j++)
        beta_ks[j] = gl2_mul_base(beta, pk->ks[j]);
    quot_x8 x8t;
    if (gl_x8_use_avx512() &&
        !(x8mem = quot_x8_init(&x8t, vk, apows, S + 1 + m + (lk ? NG + 3 : 0), beta_ks, beta, delta))) {
        msg = "out of memory";
        goto out;
    }
    quot_ctx qctx = {.pk = pk, .wires = &wires_b, .zs = &zs_b, .wires_ext = wires_ext, .zs_ext = zs_ext,
                     .beta = beta, .gamma = gamma,
                     .delta = delta, .alpha_pows = apows, .beta_ks = beta_ks, .out = tvals,
                     .x8 = x8mem ? &x8t : NULL};
    atomic_init(&qctx.failed, 0);
    memcpy(qctx.pi, pi_hash.e, sizeof(qctx.pi));
    por_pool_parallel_for(pool, N, 64, quot_range, &qctx);
    if (atomic_load(&qctx.failed)) {
        msg = "out of memory";
        goto out;
    }
    free_cols(wires_ext, Wc), free_cols(zs_ext, Zc);
    wires_ext = zs_ext = NULL;
    for (int h = 0; h < 2; h++)
        if (!(tparts[h] = malloc(N * sizeof(gl_t)))) {
            msg = "out of memory";
            goto out;
        }
    for (size_t i = 0; i < N; i++)
        tparts[0][i] = tvals[i].c0, tparts[1][i] = tvals[i].c1;
    free(tvals);
    tvals = NULL;
    intt_ctx ictx = {{tparts[0], tparts[1]}, L, 0};
    atomic_init(&ictx.failed, 0);
    por_pool_parallel_for(pool, 2, 1, intt_range, &ictx);
    if (atomic_load(&ictx.failed)) {
        msg = "out of memory";
        goto out;
    }
    /* t must have at most max_degree (n - 1) - n + 1 coefficients */
    size_t tlen = (size_t)c->config.max_degree * (n - 1) - n + 1;
    bool low = true;
    for (size_t k = tlen; k < N; k++)
        low &= (tparts[0][k] | tparts[1][k]) == 0;
    if (!low && !(opts && opts->unchecked)) {
        msg = "the witness does not satisfy the circuit's constraints";
        goto out;
    }
    phase_done(opts, &times->quotient, &mark);
    /* chunks (randomized with zero knowledge), then R0, R1 */
    size_t nq = 2 * q + (zk ? 2 : 0);
    qcols = alloc_cols(nq, n);
    if (!qcols) {
        msg = "out of memory";
        goto out;
    }
    for (size_t ch = 0; ch < q; ch++)
        for (size_t k = 0; k < mq && ch * mq + k < N; k++) {
            qcols[2 * ch][k] = tparts[0][ch * mq + k];
            qcols[2 * ch + 1][k] = tparts[1][ch * mq + k];
        }
    if (zk) {
        size_t h = n - mq;
        srand = malloc((2 * h + 1) * sizeof(gl_t));
        if (!srand) {
            msg = "out of memory";
            goto out;
        }
        for (size_t ch = 0; ch + 1 < q; ch++) {
            if (rnd(rnd_ctx, srand, 2 * h) != 0) {
                msg = "randomness failure";
                goto out;
            }
            for (size_t k = 0; k < h; k++) {
                qcols[2 * ch][mq + k] = gl_add(qcols[2 * ch][mq + k], srand[2 * k]);
                qcols[2 * ch + 1][mq + k] = gl_add(qcols[2 * ch + 1][mq + k], srand[2 * k + 1]);
                qcols[2 * ch + 2][k] = gl_sub(qcols[2 * ch + 2][k], srand[2 * k]);
                qcols[2 * ch + 3][k] = gl_sub(qcols[2 * ch + 3][k], srand[2 * k + 1]);
            }
        }
        if (rnd(rnd_ctx, qcols[2 * q], n) != 0 || rnd(rnd_ctx, qcols[2 * q + 1], n) != 0) {
            msg = "randomness failure";
            goto out;
        }
    }
    free(tparts[0]), free(tparts[1]);
    tparts[0] = tparts[1] = NULL;
    msg = commit_round(3, &quot_b, pool, &qcols, nq, logn, &c->config, zk, rnd, rnd_ctx, opts, proof->quotient_cap,
                       "quotient commitment failed");
    if (msg != NULL)
        goto out;
    phase_done(opts, &times->quotient_commit, &mark);
    por_transcript_label(&t, "plonk.quotient_cap");
    por_transcript_observe_digests(&t, proof->quotient_cap, cap);
    por_transcript_label(&t, "plonk.zeta");
    gl2_t zeta = por_transcript_squeeze_ext(&t);
    if (gl2_eq(gl2_pow(zeta, n), gl2_from_base(1))) {
        msg = "zeta fell in H (probability 2^-110)";
        goto out;
    }
    gl2_t points[2] = {zeta, gl2_mul_base(zeta, pk->h_points[1 % n])};
    const por_pcs_batch *batches[NUM_BATCHES] = {&pk->pre, &wires_b, &zs_b, &quot_b};
    if (por_pcs_open(&vk->fri, batches, NUM_BATCHES, points, 2, &t, pool, &proof->opening) != 0) {
        msg = "opening failed";
        goto out;
    }
    phase_done(opts, &times->opening, &mark);
out:
    por_pcs_batch_free(&wires_b);
    por_pcs_batch_free(&zs_b);
    por_pcs_batch_free(&quot_b);
    free_cols(wv, Wc), free_cols(wc, Wc), free_cols(zc, Zc);
    free_cols(wires_ext, Wc), free_cols(zs_ext, Zc);
    free(tterm), free(counts);
    free_cols(qcols, 2 * q + (zk ? 2 : 0));
    free(tparts[0]), free(tparts[1]);
    free(num), free(den), free(scratch), free(apows), free(tvals), free(srand), free(x8mem);
    if (why)
        *why = msg;
    return msg ? -1 : 0;
}

/* ---------------------------------------------------------------------------
 * Verifier
 */

static bool digest_canonical(const por_digest *d)
{
    for (int i = 0; i < 4; i++)
        if (!gl_is_canonical(d->e[i]))
            return false;
    return true;
}

static bool ext_canonical(gl2_t a) { return gl_is_canonical(a.c0) && gl_is_canonical(a.c1); }

int por_plonk_verify(const por_plonk_vk *vk, const por_plonk_proof *proof, const char **why)
{
    return por_plonk_verify_logged(vk, proof, NULL, why);
}

int por_plonk_verify_logged(const por_plonk_vk *vk, const por_plonk_proof *proof, por_transcript_log *log,
                            const char **why)
{
    const por_circuit_config *cfg = &vk->config;
    const size_t cap = (size_t)1 << cfg->cap_height;
    if ((proof->num_public_inputs && !proof->public_inputs) || !proof->wires_cap ||
        !proof->zs_cap || !proof->quotient_cap || !proof->opening.evals)
        return fail(why, "incomplete proof");
    if (memcmp(&proof->circuit_digest, &vk->circuit_digest, sizeof(por_digest)) != 0)
        return fail(why, "proof is for another circuit (digest differs)");
    if (proof->num_public_inputs != vk->num_public_inputs)
        return fail(why, "wrong number of public inputs");
    if (proof->cap_height != cfg->cap_height)
        return fail(why, "wrong cap height");
    for (size_t i = 0; i < proof->num_public_inputs; i++)
        if (!gl_is_canonical(proof->public_inputs[i]))
            return fail(why, "public input not canonical");
    for (size_t i = 0; i < cap; i++)
        if (!digest_canonical(&proof->wires_cap[i]) || !digest_canonical(&proof->zs_cap[i]) ||
            !digest_canonical(&proof->quotient_cap[i]))
            return fail(why, "cap not canonical");
    por_pcs_shape shape;
    por_plonk_vk_shape(vk, &shape);
    if (!por_fri_params_equal(&proof->opening.params, &vk->fri))
        return fail(why, "opening parameters differ from the key's");
    if (!por_pcs_shape_equal(&proof->opening.shape, &shape))
        return fail(why, "opening shape differs from the key's");
    const size_t P = por_pcs_shape_total_polys(&shape);
    for (size_t i = 0; i < 2 * P; i++)
        if (!ext_canonical(proof->opening.evals[i]))
            return fail(why, "opened value not canonical");

    /* challenges */
    por_digest pi_hash;
    por_plonk_public_inputs_digest(proof->public_inputs, proof->num_public_inputs, &pi_hash);
    por_transcript t;
    transcript_start(&t, vk, &pi_hash, log);
    por_transcript_label(&t, "plonk.wires_cap");
    por_transcript_observe_digests(&t, proof->wires_cap, cap);
    por_transcript_label(&t, "plonk.beta");
    gl2_t beta = por_transcript_squeeze_ext(&t);
    por_transcript_label(&t, "plonk.gamma");
    gl2_t gamma = por_transcript_squeeze_ext(&t);
    const bool lk = cfg->lookup_bits != 0;
    gl2_t delta = {0, 0};
    if (lk) {
        por_transcript_label(&t, "plonk.lookup_delta");
        delta = por_transcript_squeeze_ext(&t);
    }
    por_transcript_label(&t, "plonk.zs_cap");
    por_transcript_observe_digests(&t, proof->zs_cap, cap);
    por_transcript_label(&t, "plonk.alpha");
    gl2_t alpha = por_transcript_squeeze_ext(&t);
    por_transcript_label(&t, "plonk.quotient_cap");
    por_transcript_observe_digests(&t, proof->quotient_cap, cap);
    por_transcript_label(&t, "plonk.zeta");
    gl2_t zeta = por_transcript_squeeze_ext(&t);
    const size_t n = (size_t)1 << vk->degree_bits;
    gl2_t zeta_n = gl2_pow(zeta, n);
    gl2_t zh = gl2_sub(zeta_n, gl2_from_base(1));
    if (gl2_is_zero(zh))
        return fail(why, "zeta in H");

    /* the vanishing identity at zeta */
    const size_t W = cfg->num_wires, R = cfg->num_routed_wires, K = cfg->num_constants;
    const size_t G = vk->num_gate_types, S = vk->num_constraint_slots;
    const size_t m = vk->num_perm_chunks, cs = vk->perm_chunk_size, q = vk->num_quotient_chunks;
    const por_pcs_proof *op = &proof->opening;
    gl2_t wires[POR_MAX_WIRES], consts[POR_MAX_CONSTANTS], pi[4], tmp[2 * POR_MAX_WIRES];
    gl2_t slots[2 * POR_MAX_WIRES];
    for (size_t j = 0; j < W; j++)
        wires[j] = por_pcs_proof_eval(op, 0, B_WIRES, j);
    for (size_t k = 0; k < K; k++)
        consts[k] = por_pcs_proof_eval(op, 0, B_PRE, G + k);
    for (int i = 0; i < 4; i++)
        pi[i] = gl2_from_base(pi_hash.e[i]);
    for (size_t k = 0; k < S; k++)
        slots[k] = (gl2_t){0, 0};
    gl2_t s_lk = {0, 0};
    for (size_t g = 0; g < G; g++) {
        const por_gate *gt = &vk->gate_types[g];
        gl2_t sel = por_pcs_proof_eval(op, 0, B_PRE, g);
        if (gt->lookup_bits)
            s_lk = gl2_add(s_lk, sel);
        gt->vt->eval_ext(gt, wires, consts, pi, tmp);
        for (size_t k = 0; k < gt->num_constraints; k++)
            slots[k] = gl2_add(slots[k], gl2_mul(sel, tmp[k]));
    }
    gl2_t acc = {0, 0}, apow = gl2_from_base(1);
    for (size_t k = 0; k < S; k++) {
        acc = gl2_add(acc, gl2_mul(apow, slots[k]));
        apow = gl2_mul(apow, alpha);
    }
    gl2_t z = combine(por_pcs_proof_eval(op, 0, B_ZS, 0), por_pcs_proof_eval(op, 0, B_ZS, 1));
    gl2_t znext = combine(por_pcs_proof_eval(op, 1, B_ZS, 0), por_pcs_proof_eval(op, 1, B_ZS, 1));
    /* L_0(zeta) = (zeta^n - 1) / (n (zeta - 1)) */
    gl2_t l0 = gl2_mul(zh, gl2_inv(gl2_mul_base(gl2_sub(zeta, gl2_from_base(1)), gl_from_u64(n))));
    acc = gl2_add(acc, gl2_mul(apow, gl2_mul(l0, gl2_sub(z, gl2_from_base(1)))));
    apow = gl2_mul(apow, alpha);
    gl2_t bz = gl2_mul(beta, zeta), ks = gl2_from_base(1);
    gl2_t prev = z;
    for (size_t j = 0; j < m; j++) {
        gl2_t numv = gl2_from_base(1), denv = gl2_from_base(1);
        for (size_t col = j * cs; col < (j + 1) * cs && col < R; col++) {
            gl2_t wg = gl2_add(wires[col], gamma);
            numv = gl2_mul(numv, gl2_add(wg, gl2_mul(bz, ks)));
            denv = gl2_mul(denv, gl2_add(wg, gl2_mul(beta, por_pcs_proof_eval(op, 0, B_PRE, G + K + col))));
            ks = gl2_mul_base(ks, GL_GENERATOR);
        }
        gl2_t next = j + 1 < m ? combine(por_pcs_proof_eval(op, 0, B_ZS, 2 * (j + 1)),
                                         por_pcs_proof_eval(op, 0, B_ZS, 2 * (j + 1) + 1))
                               : znext;
        acc = gl2_add(acc, gl2_mul(apow, gl2_sub(gl2_mul(next, denv), gl2_mul(prev, numv))));
        apow = gl2_mul(apow, alpha);
        prev = next;
    }
    if (lk) {
        /* the lookup constraints (plonk.h), in the prover's order */
        const size_t NG = vk->num_lookup_groups, gs = vk->lookup_group_size, F = cfg->lookup_first_wire;
        gl2_t s_act = por_pcs_proof_eval(op, 0, B_PRE, G + K + R + 1);
        gl2_t t_val = por_pcs_proof_eval(op, 0, B_PRE, G + K + R);
        gl2_t mult = por_pcs_proof_eval(op, 0, B_WIRES, W);
        gl2_t hsum = {0, 0}, zacc = {0, 0};
        for (size_t g = 0; g < NG; g++) {
            gl2_t prod = gl2_from_base(1), sum = {0, 0};
            for (size_t j = F + g * gs; j < F + (g + 1) * gs && j < W; j++) {
                gl2_t d = gl2_sub(delta, wires[j]);
                sum = gl2_add(gl2_mul(sum, d), prod);
                prod = gl2_mul(prod, d);
            }
            gl2_t h = combine(por_pcs_proof_eval(op, 0, B_ZS, 2 * m + 2 * g),
                              por_pcs_proof_eval(op, 0, B_ZS, 2 * m + 2 * g + 1));
            hsum = gl2_add(hsum, h);
            gl2_t cg = gl2_sub(gl2_mul(h, prod), gl2_mul(s_lk, sum));
            zacc = gl2_add(zacc, gl2_mul(apow, gl2_mul(s_act, cg)));
            apow = gl2_mul(apow, alpha);
        }
        gl2_t phi = combine(por_pcs_proof_eval(op, 0, B_ZS, 2 * m + 2 * NG),
                            por_pcs_proof_eval(op, 0, B_ZS, 2 * m + 2 * NG + 1));
        gl2_t phinext = combine(por_pcs_proof_eval(op, 1, B_ZS, 2 * m + 2 * NG),
                                por_pcs_proof_eval(op, 1, B_ZS, 2 * m + 2 * NG + 1));
        gl2_t step = gl2_add(gl2_mul(gl2_sub(gl2_sub(phinext, phi), hsum), gl2_sub(delta, t_val)), mult);
        zacc = gl2_add(zacc, gl2_mul(apow, gl2_mul(s_act, step)));
        apow = gl2_mul(apow, alpha);
        /* L_0(zeta) phi and L_b(zeta) phi, L_b = w^b (X^n - 1) / (n (X - w^b)), b = blind start */
        gl_t wb = gl_pow(gl_root_of_unity(vk->degree_bits), n - vk->num_blind_regular -
                                                                 2 * (size_t)vk->num_blind_pairs);
        gl2_t lb = gl2_mul(gl2_mul_base(zh, wb),
                           gl2_inv(gl2_mul_base(gl2_sub(zeta, gl2_from_base(wb)), gl_from_u64(n))));
        zacc = gl2_add(zacc, gl2_mul(apow, gl2_mul(l0, phi)));
        apow = gl2_mul(apow, alpha);
        zacc = gl2_add(zacc, gl2_mul(apow, gl2_mul(lb, phi)));
        acc = gl2_add(acc, zacc);
    }
    gl2_t tz = {0, 0}, zmq = gl2_pow(zeta, vk->quotient_chunk_size);
    for (size_t ch = q; ch-- > 0;)
        tz = gl2_add(gl2_mul(tz, zmq), combine(por_pcs_proof_eval(op, 0, B_QUOT, 2 * ch),
                                               por_pcs_proof_eval(op, 0, B_QUOT, 2 * ch + 1)));
    if (!gl2_eq(acc, gl2_mul(zh, tz)))
        return fail(why, "the vanishing identity fails at zeta");

    /* the openings */
    gl_t w1 = gl_root_of_unity(vk->degree_bits);
    gl2_t points[2] = {zeta, gl2_mul_base(zeta, w1)};
    const por_digest *caps[NUM_BATCHES] = {vk->preprocessed_cap, proof->wires_cap, proof->zs_cap,
                                           proof->quotient_cap};
    const char *pmsg = NULL;
    if (por_pcs_verify(&vk->fri, &shape, caps, points, op, &t, &pmsg) != 0)
        return fail(why, pmsg ? pmsg : "opening rejected");
    if (why)
        *why = NULL;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Serialization
 */

static const uint8_t MAGIC[4] = {'P', 'P', 'L', 'K'};

static uint8_t *put_u32(uint8_t *o, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        *o++ = (uint8_t)(v >> (8 * i));
    return o;
}

static uint8_t *put_u64(uint8_t *o, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        *o++ = (uint8_t)(v >> (8 * i));
    return o;
}

static uint32_t get_u32(const uint8_t *in)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)in[i] << (8 * i);
    return v;
}

static uint64_t get_u64(const uint8_t *in)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)in[i] << (8 * i);
    return v;
}

static size_t header_len(uint32_t num_pis, uint32_t cap_height)
{
    return 4 + 4 + 32 + 4 + (size_t)num_pis * 8 + 4 + 3 * ((size_t)32 << cap_height);
}

size_t por_plonk_proof_encoded_len(const por_plonk_proof *proof)
{
    return header_len(proof->num_public_inputs, proof->cap_height) +
           por_pcs_proof_encoded_len(&proof->opening.params, &proof->opening.shape);
}

int por_plonk_proof_serialize(const por_plonk_proof *proof, uint8_t **out, size_t *len)
{
    uint8_t *pcs = NULL;
    size_t pcs_len = 0;
    *out = NULL;
    *len = 0;
    if (por_pcs_proof_serialize(&proof->opening, &pcs, &pcs_len) != 0)
        return -1;
    size_t hl = header_len(proof->num_public_inputs, proof->cap_height);
    uint8_t *buf = malloc(hl + pcs_len);
    if (!buf) {
        free(pcs);
        return -1;
    }
    uint8_t *o = buf;
    memcpy(o, MAGIC, 4);
    o = put_u32(o + 4, POR_PLONK_VERSION);
    por_digest_to_bytes(&proof->circuit_digest, o);
    o = put_u32(o + 32, proof->num_public_inputs);
    for (size_t i = 0; i < proof->num_public_inputs; i++)
        o = put_u64(o, proof->public_inputs[i]);
    o = put_u32(o, proof->cap_height);
    const por_digest *caps[3] = {proof->wires_cap, proof->zs_cap, proof->quotient_cap};
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < ((size_t)1 << proof->cap_height); i++, o += 32)
            por_digest_to_bytes(&caps[k][i], o);
    memcpy(o, pcs, pcs_len);
    free(pcs);
    *out = buf;
    *len = hl + pcs_len;
    return 0;
}

int por_plonk_proof_deserialize(const uint8_t *in, size_t len, por_plonk_proof *proof,
                                const char **why)
{
    memset(proof, 0, sizeof(*proof));
    if (len < 4 + 4 + 32 + 4 || memcmp(in, MAGIC, 4) != 0)
        return fail(why, "not a PLONK proof (magic)");
    if (get_u32(in + 4) != POR_PLONK_VERSION)
        return fail(why, "unsupported PLONK proof version");
    if (por_digest_from_bytes(in + 8, &proof->circuit_digest) != 0)
        return fail(why, "circuit digest not canonical");
    uint32_t npi = get_u32(in + 40);
    if (npi > POR_PLONK_MAX_PUBLIC_INPUTS)
        return fail(why, "too many public inputs");
    size_t off = 44;
    if (len < off + (size_t)npi * 8 + 4)
        return fail(why, "truncated proof");
    proof->num_public_inputs = npi;
    proof->public_inputs = malloc(((size_t)npi + 1) * sizeof(gl_t));
    if (!proof->public_inputs)
        return fail(why, "out of memory");
    for (uint32_t i = 0; i < npi; i++, off += 8) {
        proof->public_inputs[i] = get_u64(in + off);
        if (!gl_is_canonical(proof->public_inputs[i]))
            return fail(why, "public input not canonical");
    }
    uint32_t ch = get_u32(in + off);
    off += 4;
    if (ch > POR_FRI_MAX_CAP_HEIGHT)
        return fail(why, "cap height out of range");
    proof->cap_height = ch;
    size_t cap = (size_t)1 << ch;
    if (len < header_len(npi, ch))
        return fail(why, "truncated proof");
    por_digest **caps[3] = {&proof->wires_cap, &proof->zs_cap, &proof->quotient_cap};
    for (int k = 0; k < 3; k++) {
        *caps[k] = malloc(cap * sizeof(por_digest));
        if (!*caps[k])
            return fail(why, "out of memory");
        for (size_t i = 0; i < cap; i++, off += 32)
            if (por_digest_from_bytes(in + off, &(*caps[k])[i]) != 0)
                return fail(why, "cap not canonical");
    }
    const char *pmsg = NULL;
    if (por_pcs_proof_deserialize(in + off, len - off, &proof->opening, &pmsg) != 0)
        return fail(why, pmsg ? pmsg : "malformed opening");
    if (proof->opening.params.cap_height != ch)
        return fail(why, "cap height differs from the opening's");
    if (why)
        *why = NULL;
    return 0;
}
