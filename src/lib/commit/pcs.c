/*
 * Batched polynomial commitment with DEEP openings (see pcs.h).
 */
#include "commit/pcs.h"

#include <stdlib.h>
#include <string.h>

#include "field/ntt.h"

int por_pcs_default_params(por_fri_params *p, unsigned degree_bits)
{
    unsigned final_bits = POR_PCS_DEFAULT_FINAL_POLY_BITS;
    if (final_bits > degree_bits)
        final_bits = degree_bits;
    return por_fri_params_init(p, degree_bits, POR_PCS_DEFAULT_RATE_BITS, POR_PCS_DEFAULT_CAP_HEIGHT,
                               POR_PCS_DEFAULT_NUM_QUERIES, POR_PCS_DEFAULT_POW_BITS,
                               POR_PCS_DEFAULT_ARITY_BITS, final_bits);
}

/* ---------------------------------------------------------------------------
 * Commitment
 */

int por_pcs_commit(por_pcs_batch *b, por_pool *pool, const gl_t *const *coeffs, size_t num_polys,
                   unsigned log_n, unsigned rate_bits, unsigned cap_height, bool salted,
                   por_rand_fn rand, void *rand_ctx)
{
    memset(b, 0, sizeof(*b));
    if (num_polys < 1 || num_polys > POR_PCS_MAX_POLYS || rate_bits > POR_FRI_MAX_LDE_BITS ||
        log_n > POR_FRI_MAX_LDE_BITS - rate_bits || cap_height > log_n + rate_bits)
        return -1;
    b->log_n = log_n;
    b->rate_bits = rate_bits;
    b->cap_height = cap_height;
    b->num_polys = num_polys;
    b->salted = salted;
    b->coeffs = calloc(num_polys, sizeof(gl_t *));
    b->lde = calloc(num_polys, sizeof(gl_t *));
    if (!b->coeffs || !b->lde)
        goto fail;
    size_t n = (size_t)1 << log_n, big = (size_t)1 << (log_n + rate_bits);
    for (size_t k = 0; k < num_polys; k++) {
        b->coeffs[k] = malloc(n * sizeof(gl_t));
        b->lde[k] = malloc(big * sizeof(gl_t));
        if (!b->coeffs[k] || !b->lde[k])
            goto fail;
        memcpy(b->coeffs[k], coeffs[k], n * sizeof(gl_t));
    }
    if (por_lde_batch(pool, (const gl_t *const *)b->coeffs, num_polys, log_n, rate_bits, b->lde) != 0)
        goto fail;
    por_matrix m = {.log_rows = log_n + rate_bits, .width = num_polys,
                    .cols = (const gl_t *const *)b->lde};
    if (por_merkle_build(&b->tree, pool, &m, cap_height, salted, rand, rand_ctx) != 0)
        goto fail;
    return 0;
fail:
    por_pcs_batch_free(b);
    return -1;
}

void por_pcs_batch_free(por_pcs_batch *b)
{
    por_merkle_free(&b->tree);
    for (size_t k = 0; k < b->num_polys; k++) {
        if (b->coeffs)
            free(b->coeffs[k]);
        if (b->lde)
            free(b->lde[k]);
    }
    free(b->coeffs);
    free(b->lde);
    memset(b, 0, sizeof(*b));
}

const por_digest *por_pcs_batch_cap(const por_pcs_batch *b) { return por_merkle_cap_ptr(&b->tree); }

/* ---------------------------------------------------------------------------
 * Shapes and the proof object
 */

const char *por_pcs_shape_check(const por_pcs_shape *s)
{
    if (s->num_points < 1 || s->num_points > POR_PCS_MAX_POINTS)
        return "PCS number of points out of range";
    if (s->num_batches < 1 || s->num_batches > POR_PCS_MAX_BATCHES)
        return "PCS number of batches out of range";
    for (unsigned b = 0; b < POR_PCS_MAX_BATCHES; b++) {
        const por_pcs_batch_shape *bs = &s->batches[b];
        if (b >= s->num_batches) {
            if (bs->num_polys != 0 || bs->salted != 0)
                return "PCS unused batch slot not zero";
            continue;
        }
        if (bs->num_polys < 1 || bs->num_polys > POR_PCS_MAX_POLYS)
            return "PCS batch size out of range";
        if (bs->salted > 1)
            return "PCS salted flag not 0 or 1";
    }
    return NULL;
}

bool por_pcs_shape_equal(const por_pcs_shape *a, const por_pcs_shape *b)
{
    if (a->num_points != b->num_points || a->num_batches != b->num_batches)
        return false;
    for (unsigned i = 0; i < POR_PCS_MAX_BATCHES; i++)
        if (a->batches[i].num_polys != b->batches[i].num_polys ||
            a->batches[i].salted != b->batches[i].salted)
            return false;
    return true;
}

size_t por_pcs_shape_total_polys(const por_pcs_shape *s)
{
    size_t n = 0;
    for (unsigned b = 0; b < s->num_batches && b < POR_PCS_MAX_BATCHES; b++)
        n += s->batches[b].num_polys;
    return n;
}

static size_t path_len(const por_fri_params *p) { return por_fri_lde_bits(p) - p->cap_height; }

int por_pcs_proof_alloc(por_pcs_proof *proof, const por_fri_params *p, const por_pcs_shape *s)
{
    memset(proof, 0, sizeof(*proof));
    if (por_fri_params_check(p) || por_pcs_shape_check(s))
        return -1;
    proof->params = *p;
    proof->shape = *s;
    size_t P = por_pcs_shape_total_polys(s), Q = p->num_queries, B = s->num_batches;
    proof->evals = calloc(s->num_points * P, sizeof(gl2_t));
    proof->rows = calloc(Q * P, sizeof(gl_t));
    proof->salts = calloc(Q * B * POR_MERKLE_SALT, sizeof(gl_t));
    proof->paths = calloc(Q * B * path_len(p) + 1, sizeof(por_digest));
    if (!proof->evals || !proof->rows || !proof->salts || !proof->paths ||
        por_fri_proof_alloc(&proof->fri, p) != 0) {
        por_pcs_proof_free(proof);
        return -1;
    }
    return 0;
}

void por_pcs_proof_free(por_pcs_proof *proof)
{
    free(proof->evals);
    free(proof->rows);
    free(proof->salts);
    free(proof->paths);
    por_fri_proof_free(&proof->fri);
    memset(proof, 0, sizeof(*proof));
}

static size_t batch_offset(const por_pcs_shape *s, size_t batch)
{
    size_t off = 0;
    for (size_t b = 0; b < batch; b++)
        off += s->batches[b].num_polys;
    return off;
}

gl2_t por_pcs_proof_eval(const por_pcs_proof *proof, size_t point, size_t batch, size_t poly)
{
    size_t P = por_pcs_shape_total_polys(&proof->shape);
    return proof->evals[point * P + batch_offset(&proof->shape, batch) + poly];
}

/* The part of the transcript shared by prover and verifier before alpha. */
static void observe_statement(por_transcript *t, const por_fri_params *p, const por_pcs_shape *s,
                              const por_digest *const *caps, const gl2_t *points)
{
    /* params and caps again: cheap, and the opening stays bound to them even
     * if a caller forgot to observe them first */
    por_fri_params_observe(t, p);
    por_transcript_label(t, "pcs.shape");
    por_transcript_observe(t, s->num_points);
    por_transcript_observe(t, s->num_batches);
    for (unsigned b = 0; b < s->num_batches; b++) {
        por_transcript_observe(t, s->batches[b].num_polys);
        por_transcript_observe(t, s->batches[b].salted);
    }
    por_transcript_label(t, "pcs.cap");
    for (unsigned b = 0; b < s->num_batches; b++)
        por_transcript_observe_digests(t, caps[b], (size_t)1 << p->cap_height);
    por_transcript_label(t, "pcs.point");
    for (unsigned j = 0; j < s->num_points; j++)
        por_transcript_observe_ext(t, points[j]);
}


/* ---------------------------------------------------------------------------
 * Prover
 */

typedef struct {
    const gl_t *const *polys; /* every polynomial of every batch, in order */
    const size_t *lens;       /* their coefficient counts */
    size_t num_polys;
    const gl2_t *powers; /* evaluation: powers of the point; combination: alpha^k */
    size_t max_len;
    gl2_t *out;
} lin_ctx;

/* out[k] = f_k(z) = sum_i c_i z^i, for polynomials k in [begin, end). */
static void eval_range(void *arg, size_t begin, size_t end)
{
    const lin_ctx *c = arg;
    for (size_t k = begin; k < end; k++) {
        gl_acc a0 = {0, 0}, a1 = {0, 0};
        const gl_t *f = c->polys[k];
        for (size_t i = 0; i < c->lens[k]; i++) {
            gl_acc_mul_add(&a0, f[i], c->powers[i].c0);
            gl_acc_mul_add(&a1, f[i], c->powers[i].c1);
        }
        c->out[k] = (gl2_t){gl_acc_reduce(&a0), gl_acc_reduce(&a1)};
    }
}

#define COMBINE_BLOCK 256

/* out[i] = sum_k alpha^k c_{k,i} for coefficient indices in [begin, end),
 * in blocks so every polynomial streams through memory once per block. */
static void combine_range(void *arg, size_t begin, size_t end)
{
    const lin_ctx *c = arg;
    gl_acc a0[COMBINE_BLOCK], a1[COMBINE_BLOCK];
    for (size_t i0 = begin; i0 < end; i0 += COMBINE_BLOCK) {
        size_t i1 = i0 + COMBINE_BLOCK < end ? i0 + COMBINE_BLOCK : end;
        memset(a0, 0, sizeof(a0));
        memset(a1, 0, sizeof(a1));
        for (size_t k = 0; k < c->num_polys; k++) {
            size_t lim = c->lens[k] < i1 ? c->lens[k] : i1;
            const gl_t *f = c->polys[k];
            gl_t w0 = c->powers[k].c0, w1 = c->powers[k].c1;
            for (size_t i = i0; i < lim; i++) {
                gl_acc_mul_add(&a0[i - i0], f[i], w0);
                gl_acc_mul_add(&a1[i - i0], f[i], w1);
            }
        }
        for (size_t i = i0; i < i1; i++)
            c->out[i] = (gl2_t){gl_acc_reduce(&a0[i - i0]), gl_acc_reduce(&a1[i - i0])};
    }
}

static unsigned ceil_log2(size_t n)
{
    unsigned b = 0;
    while (((size_t)1 << b) < n)
        b++;
    return b;
}

int por_pcs_open(const por_fri_params *p, const por_pcs_batch *const *batches, size_t num_batches,
                 const gl2_t *points, size_t num_points, por_transcript *t, por_pool *pool,
                 por_pcs_proof *proof)
{
    memset(proof, 0, sizeof(*proof));
    if (por_fri_params_check(p) || num_batches < 1 || num_batches > POR_PCS_MAX_BATCHES ||
        num_points < 1 || num_points > POR_PCS_MAX_POINTS)
        return -1;
    const unsigned L = por_fri_lde_bits(p);
    por_pcs_shape shape;
    memset(&shape, 0, sizeof(shape));
    shape.num_points = (uint32_t)num_points;
    shape.num_batches = (uint32_t)num_batches;
    for (size_t b = 0; b < num_batches; b++) {
        const por_pcs_batch *bt = batches[b];
        /* only the LDE domain must match: a batch of too-high degree is
         * processed like any other, and the verifier must reject its proof */
        if (bt->log_n + bt->rate_bits != L || bt->cap_height != p->cap_height)
            return -1;
        shape.batches[b].num_polys = (uint32_t)bt->num_polys;
        shape.batches[b].salted = bt->salted;
    }
    if (por_pcs_proof_alloc(proof, p, &shape) != 0)
        return -1;

    int rc = -1;
    const size_t P = por_pcs_shape_total_polys(&shape);
    const gl_t **polys = malloc(P * sizeof(gl_t *));
    size_t *lens = malloc(P * sizeof(size_t));
    gl2_t *powers = NULL, *acoef = NULL, *fcoef = NULL, *values = NULL;
    gl_t *gparts[2] = {NULL, NULL}, *gldes[2] = {NULL, NULL};
    size_t *indices = malloc(p->num_queries * sizeof(size_t));
    if (!polys || !lens || !indices)
        goto out;
    size_t max_len = 0;
    const por_digest *caps[POR_PCS_MAX_BATCHES];
    for (size_t b = 0, k = 0; b < num_batches; b++) {
        caps[b] = por_pcs_batch_cap(batches[b]);
        for (size_t i = 0; i < batches[b]->num_polys; i++, k++) {
            polys[k] = batches[b]->coeffs[i];
            lens[k] = (size_t)1 << batches[b]->log_n;
            if (lens[k] > max_len)
                max_len = lens[k];
        }
    }
    observe_statement(t, p, &shape, caps, points);

    /* claimed evaluations, from the coefficients */
    powers = malloc((max_len > P ? max_len : P) * sizeof(gl2_t));
    if (!powers)
        goto out;
    for (size_t j = 0; j < num_points; j++) {
        gl2_t acc = gl2_from_base(1);
        for (size_t i = 0; i < max_len; i++) {
            powers[i] = acc;
            acc = gl2_mul(acc, points[j]);
        }
        lin_ctx c = {.polys = polys, .lens = lens, .num_polys = P, .powers = powers,
                     .out = proof->evals + j * P};
        por_pool_parallel_for(pool, P, 1, eval_range, &c);
    }
    por_transcript_label(t, "pcs.eval");
    for (size_t i = 0; i < num_points * P; i++)
        por_transcript_observe_ext(t, proof->evals[i]);
    por_transcript_label(t, "pcs.alpha");
    gl2_t alpha = por_transcript_squeeze_ext(t);
    por_transcript_label(t, "pcs.gamma");
    gl2_t gamma = por_transcript_squeeze_ext(t);

    /* A(X) = sum_k alpha^k f_k(X) */
    acoef = malloc(max_len * sizeof(gl2_t));
    fcoef = calloc(max_len, sizeof(gl2_t));
    if (!acoef || !fcoef)
        goto out;
    gl2_t acc = gl2_from_base(1);
    for (size_t k = 0; k < P; k++) {
        powers[k] = acc;
        acc = gl2_mul(acc, alpha);
    }
    gl2_t alpha_P = acc;
    lin_ctx c = {.polys = polys, .lens = lens, .num_polys = P, .powers = powers, .out = acoef};
    por_pool_parallel_for(pool, max_len, 4 * COMBINE_BLOCK, combine_range, &c);

    /* F(X) = sum_j alpha^(jP) (A(X) - A(z_j)) / (X - z_j) by synthetic division
     * (the remainder A(z_j) is dropped); F has max_len - 1 coefficients */
    gl2_t weight = gl2_from_base(1);
    for (size_t j = 0; j < num_points; j++) {
        gl2_t q = {0, 0};
        for (size_t i = max_len - 1; i >= 1; i--) {
            q = gl2_add(acoef[i], gl2_mul(q, points[j])); /* coefficient i - 1 of the quotient */
            fcoef[i - 1] = gl2_add(fcoef[i - 1], gl2_mul(weight, q));
        }
        weight = gl2_mul(weight, alpha_P);
    }

    /* G(X) = (1 + gamma X) F(X), max_len coefficients, split into base parts */
    unsigned gbits = ceil_log2(max_len);
    size_t glen = (size_t)1 << gbits, N = (size_t)1 << L;
    for (int h = 0; h < 2; h++) {
        gparts[h] = calloc(glen, sizeof(gl_t));
        gldes[h] = malloc(N * sizeof(gl_t));
        if (!gparts[h] || !gldes[h])
            goto out;
    }
    for (size_t i = 0; i < max_len; i++) {
        gl2_t g = i + 1 < max_len ? fcoef[i] : (gl2_t){0, 0};
        if (i > 0)
            g = gl2_add(g, gl2_mul(gamma, fcoef[i - 1]));
        gparts[0][i] = g.c0;
        gparts[1][i] = g.c1;
    }
    if (por_lde_batch(pool, (const gl_t *const *)gparts, 2, gbits, L - gbits, gldes) != 0)
        goto out;
    values = malloc(N * sizeof(gl2_t));
    if (!values)
        goto out;
    for (size_t i = 0; i < N; i++)
        values[i] = (gl2_t){gldes[0][i], gldes[1][i]};
    free(gldes[0]);
    free(gldes[1]);
    gldes[0] = gldes[1] = NULL;

    if (por_fri_prove(p, values, t, pool, &proof->fri, indices) != 0)
        goto out;

    /* the batches' openings at the query indices */
    size_t plen = path_len(p);
    for (size_t q = 0; q < p->num_queries; q++)
        for (size_t b = 0, off = 0; b < num_batches; off += batches[b]->num_polys, b++) {
            size_t slot = q * num_batches + b;
            por_merkle_open(&batches[b]->tree, indices[q], proof->rows + q * P + off,
                            batches[b]->salted ? proof->salts + slot * POR_MERKLE_SALT : NULL,
                            proof->paths + slot * plen);
        }
    rc = 0;
out:
    free(polys);
    free(lens);
    free(powers);
    free(acoef);
    free(fcoef);
    free(values);
    free(indices);
    for (int h = 0; h < 2; h++) {
        free(gparts[h]);
        free(gldes[h]);
    }
    return rc;
}

/* ---------------------------------------------------------------------------
 * Verifier
 */

static int reject(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return -1;
}

static bool all_canonical(const gl_t *v, size_t n)
{
    bool ok = true;
    for (size_t i = 0; i < n; i++)
        ok &= gl_is_canonical(v[i]);
    return ok;
}

static bool all_canonical_ext(const gl2_t *v, size_t n)
{
    bool ok = true;
    for (size_t i = 0; i < n; i++)
        ok &= gl_is_canonical(v[i].c0) & gl_is_canonical(v[i].c1);
    return ok;
}

static bool all_canonical_digests(const por_digest *d, size_t n)
{
    bool ok = true;
    for (size_t i = 0; i < n; i++)
        ok &= all_canonical(d[i].e, POSEIDON_DIGEST);
    return ok;
}

/* Every element of a proof whose params and shape are already checked is
 * canonical (the decoder guarantees it; proofs built in memory may not). */
static bool proof_canonical(const por_pcs_proof *proof)
{
    const por_fri_params *p = &proof->params;
    const por_pcs_shape *s = &proof->shape;
    size_t P = por_pcs_shape_total_polys(s), Q = p->num_queries, B = s->num_batches;
    const por_fri_proof *f = &proof->fri;
    return all_canonical_ext(proof->evals, s->num_points * P) && all_canonical(proof->rows, Q * P) &&
           all_canonical(proof->salts, Q * B * POR_MERKLE_SALT) &&
           all_canonical_digests(proof->paths, Q * B * path_len(p)) &&
           all_canonical_digests(f->caps, por_fri_total_caps(p)) &&
           all_canonical_ext(f->final_poly, (size_t)1 << p->final_poly_bits) &&
           all_canonical_ext(f->values, Q * por_fri_values_per_query(p)) &&
           all_canonical_digests(f->paths, Q * por_fri_path_per_query(p)) && gl_is_canonical(f->pow_nonce);
}

int por_pcs_verify(const por_fri_params *expected, const por_pcs_shape *expected_shape,
                   const por_digest *const *caps, const gl2_t *points, const por_pcs_proof *proof,
                   por_transcript *t, const char **why)
{
    const char *msg;
    if ((msg = por_fri_params_check(expected)) != NULL)
        return reject(why, msg);
    if ((msg = por_pcs_shape_check(expected_shape)) != NULL)
        return reject(why, msg);
    if (!por_fri_params_equal(expected, &proof->params))
        return reject(why, "PCS proof parameters differ from the expected ones");
    if (!por_pcs_shape_equal(expected_shape, &proof->shape))
        return reject(why, "PCS proof shape differs from the expected one");
    const por_fri_params *p = expected;
    const por_pcs_shape *s = expected_shape;
    const size_t P = por_pcs_shape_total_polys(s), B = s->num_batches, M = s->num_points;
    const unsigned L = por_fri_lde_bits(p);
    if (!proof_canonical(proof))
        return reject(why, "PCS proof has a non-canonical field element");

    observe_statement(t, p, s, caps, points);
    por_transcript_label(t, "pcs.eval");
    for (size_t i = 0; i < M * P; i++)
        por_transcript_observe_ext(t, proof->evals[i]);
    por_transcript_label(t, "pcs.alpha");
    gl2_t alpha = por_transcript_squeeze_ext(t);
    por_transcript_label(t, "pcs.gamma");
    gl2_t gamma = por_transcript_squeeze_ext(t);

    por_fri_challenges ch;
    if (por_fri_verify_commit(p, &proof->fri, t, &ch) != 0)
        return reject(why, "FRI proof of work fails");

    /* A_j = sum_k alpha^k y_{j,k} (Horner from the top), weights alpha^(jP) */
    gl2_t aj[POR_PCS_MAX_POINTS], wj[POR_PCS_MAX_POINTS];
    gl2_t alpha_P = gl2_pow(alpha, P);
    for (size_t j = 0; j < M; j++) {
        gl2_t acc = {0, 0};
        for (size_t k = P; k-- > 0;)
            acc = gl2_add(gl2_mul(acc, alpha), proof->evals[j * P + k]);
        aj[j] = acc;
        wj[j] = j == 0 ? gl2_from_base(1) : gl2_mul(wj[j - 1], alpha_P);
    }

    size_t plen = path_len(p);
    /* every query's opening of a batch at once (the 8-lane permutation) */
    for (size_t b = 0, off = 0; b < B; off += s->batches[b].num_polys, b++)
        if (por_merkle_verify_many(caps[b], p->cap_height, L, p->num_queries, ch.indices, proof->rows + off, P,
                                   s->batches[b].num_polys,
                                   s->batches[b].salted ? proof->salts + b * POR_MERKLE_SALT : NULL,
                                   B * POR_MERKLE_SALT, proof->paths + b * plen, B * plen) != 0)
            return reject(why, "PCS Merkle opening of a batch row fails");
    for (size_t q = 0; q < p->num_queries; q++) {
        size_t idx = ch.indices[q];
        const gl_t *row = proof->rows + q * P;
        gl2_t ax = {0, 0};
        for (size_t k = P; k-- > 0;)
            ax = gl2_add(gl2_mul(ax, alpha), gl2_from_base(row[k]));
        gl_t x = por_lde_point(L, idx);
        gl2_t f = {0, 0};
        for (size_t j = 0; j < M; j++) {
            gl2_t den = gl2_sub(gl2_from_base(x), points[j]);
            if (gl2_is_zero(den))
                return reject(why, "PCS opening point lies in the LDE domain");
            f = gl2_add(f, gl2_mul(wj[j], gl2_mul(gl2_sub(ax, aj[j]), gl2_inv(den))));
        }
        gl2_t g = gl2_add(f, gl2_mul(f, gl2_mul_base(gamma, x)));
        if (por_fri_verify_query(p, &proof->fri, &ch, q, g) != 0)
            return reject(why, "FRI query check fails");
    }
    if (why)
        *why = NULL;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Serialization
 */

static const uint8_t PCS_MAGIC[4] = {'P', 'P', 'C', 'S'};

static size_t header_len(const por_fri_params *p, const por_pcs_shape *s)
{
    return 4 + 4 + 7 * 4 + p->num_reductions + 8 + s->num_batches * 5;
}

static size_t body_queries_len(const por_fri_params *p, const por_pcs_shape *s)
{
    size_t per = 0;
    for (unsigned b = 0; b < s->num_batches; b++)
        per += s->batches[b].num_polys * 8 + (s->batches[b].salted ? POR_MERKLE_SALT * 8 : 0) +
               path_len(p) * 32;
    return per * p->num_queries;
}

size_t por_pcs_proof_encoded_len(const por_fri_params *p, const por_pcs_shape *s)
{
    return header_len(p, s) + s->num_points * por_pcs_shape_total_polys(s) * 16 +
           por_fri_proof_encoded_len(p) + body_queries_len(p, s);
}

static uint8_t *put_u32(uint8_t *o, uint32_t v)
{
    for (int b = 0; b < 4; b++)
        o[b] = (uint8_t)(v >> (8 * b));
    return o + 4;
}

static uint8_t *put_u64(uint8_t *o, uint64_t v)
{
    for (int b = 0; b < 8; b++)
        o[b] = (uint8_t)(v >> (8 * b));
    return o + 8;
}

static uint32_t get_u32(const uint8_t *in)
{
    uint32_t v = 0;
    for (int b = 0; b < 4; b++)
        v |= (uint32_t)in[b] << (8 * b);
    return v;
}

static uint64_t get_u64(const uint8_t *in)
{
    uint64_t v = 0;
    for (int b = 0; b < 8; b++)
        v |= (uint64_t)in[b] << (8 * b);
    return v;
}

int por_pcs_proof_serialize(const por_pcs_proof *proof, uint8_t **out, size_t *len)
{
    const por_fri_params *p = &proof->params;
    const por_pcs_shape *s = &proof->shape;
    *out = NULL;
    *len = 0;
    if (por_fri_params_check(p) || por_pcs_shape_check(s))
        return -1;
    size_t n = por_pcs_proof_encoded_len(p, s);
    uint8_t *buf = malloc(n), *o = buf;
    if (!buf)
        return -1;
    memcpy(o, PCS_MAGIC, 4);
    o = put_u32(o + 4, POR_PCS_VERSION);
    o = put_u32(o, p->degree_bits);
    o = put_u32(o, p->rate_bits);
    o = put_u32(o, p->cap_height);
    o = put_u32(o, p->num_queries);
    o = put_u32(o, p->pow_bits);
    o = put_u32(o, p->final_poly_bits);
    o = put_u32(o, p->num_reductions);
    for (unsigned k = 0; k < p->num_reductions; k++)
        *o++ = (uint8_t)p->reduction_bits[k];
    o = put_u32(o, s->num_points);
    o = put_u32(o, s->num_batches);
    for (unsigned b = 0; b < s->num_batches; b++) {
        o = put_u32(o, s->batches[b].num_polys);
        *o++ = (uint8_t)s->batches[b].salted;
    }
    size_t P = por_pcs_shape_total_polys(s), B = s->num_batches, plen = path_len(p);
    for (size_t i = 0; i < s->num_points * P; i++) {
        o = put_u64(o, proof->evals[i].c0);
        o = put_u64(o, proof->evals[i].c1);
    }
    por_fri_proof_encode(p, &proof->fri, o);
    o += por_fri_proof_encoded_len(p);
    for (size_t q = 0; q < p->num_queries; q++)
        for (size_t b = 0, off = 0; b < B; off += s->batches[b].num_polys, b++) {
            size_t slot = q * B + b;
            for (size_t i = 0; i < s->batches[b].num_polys; i++)
                o = put_u64(o, proof->rows[q * P + off + i]);
            if (s->batches[b].salted)
                for (size_t i = 0; i < POR_MERKLE_SALT; i++)
                    o = put_u64(o, proof->salts[slot * POR_MERKLE_SALT + i]);
            for (size_t d = 0; d < plen; d++)
                for (int e = 0; e < POSEIDON_DIGEST; e++)
                    o = put_u64(o, proof->paths[slot * plen + d].e[e]);
        }
    *out = buf;
    *len = n;
    return 0;
}

int por_pcs_proof_deserialize(const uint8_t *in, size_t len, por_pcs_proof *proof, const char **why)
{
    memset(proof, 0, sizeof(*proof));
    por_fri_params p;
    por_pcs_shape s;
    memset(&p, 0, sizeof(p));
    memset(&s, 0, sizeof(s));
    const char *msg;
    /* fixed part: magic, version, seven u32 params */
    size_t pos = 4 + 4 + 7 * 4;
    if (len < pos)
        return reject(why, "PCS proof truncated (header)");
    if (memcmp(in, PCS_MAGIC, 4) != 0)
        return reject(why, "PCS proof: bad magic");
    if (get_u32(in + 4) != POR_PCS_VERSION)
        return reject(why, "PCS proof: unsupported version");
    p.degree_bits = get_u32(in + 8);
    p.rate_bits = get_u32(in + 12);
    p.cap_height = get_u32(in + 16);
    p.num_queries = get_u32(in + 20);
    p.pow_bits = get_u32(in + 24);
    p.final_poly_bits = get_u32(in + 28);
    p.num_reductions = get_u32(in + 32);
    if (p.num_reductions > POR_FRI_MAX_REDUCTIONS)
        return reject(why, "FRI too many reductions");
    if (len < pos + p.num_reductions + 8)
        return reject(why, "PCS proof truncated (header)");
    for (unsigned k = 0; k < p.num_reductions; k++)
        p.reduction_bits[k] = in[pos++];
    if ((msg = por_fri_params_check(&p)) != NULL)
        return reject(why, msg);
    s.num_points = get_u32(in + pos);
    s.num_batches = get_u32(in + pos + 4);
    pos += 8;
    if (s.num_batches < 1 || s.num_batches > POR_PCS_MAX_BATCHES)
        return reject(why, "PCS number of batches out of range");
    if (len < pos + (size_t)s.num_batches * 5)
        return reject(why, "PCS proof truncated (header)");
    for (unsigned b = 0; b < s.num_batches; b++, pos += 5) {
        s.batches[b].num_polys = get_u32(in + pos);
        s.batches[b].salted = in[pos + 4];
    }
    if ((msg = por_pcs_shape_check(&s)) != NULL)
        return reject(why, msg);
    /* the full length before any allocation */
    if (len != por_pcs_proof_encoded_len(&p, &s))
        return reject(why, len < por_pcs_proof_encoded_len(&p, &s) ? "PCS proof truncated"
                                                                    : "PCS proof has trailing bytes");
    if (por_pcs_proof_alloc(proof, &p, &s) != 0)
        return reject(why, "out of memory");

    bool bad = false;
    size_t P = por_pcs_shape_total_polys(&s), B = s.num_batches, plen = path_len(&p);
    const uint8_t *i8 = in + pos;
    for (size_t i = 0; i < s.num_points * P; i++, i8 += 16) {
        proof->evals[i] = (gl2_t){get_u64(i8), get_u64(i8 + 8)};
        bad |= !gl_is_canonical(proof->evals[i].c0) || !gl_is_canonical(proof->evals[i].c1);
    }
    if (por_fri_proof_decode(&p, i8, &proof->fri) != 0)
        bad = true;
    i8 += por_fri_proof_encoded_len(&p);
    for (size_t q = 0; q < p.num_queries; q++)
        for (size_t b = 0, off = 0; b < B; off += s.batches[b].num_polys, b++) {
            size_t slot = q * B + b;
            for (size_t i = 0; i < s.batches[b].num_polys; i++, i8 += 8) {
                gl_t v = get_u64(i8);
                bad |= !gl_is_canonical(v);
                proof->rows[q * P + off + i] = v;
            }
            if (s.batches[b].salted)
                for (size_t i = 0; i < POR_MERKLE_SALT; i++, i8 += 8) {
                    gl_t v = get_u64(i8);
                    bad |= !gl_is_canonical(v);
                    proof->salts[slot * POR_MERKLE_SALT + i] = v;
                }
            for (size_t d = 0; d < plen; d++)
                for (int e = 0; e < POSEIDON_DIGEST; e++, i8 += 8) {
                    gl_t v = get_u64(i8);
                    bad |= !gl_is_canonical(v);
                    proof->paths[slot * plen + d].e[e] = v;
                }
        }
    if (bad) {
        por_pcs_proof_free(proof);
        return reject(why, "PCS proof has a non-canonical field element");
    }
    if (why)
        *why = NULL;
    return 0;
}
