/*
 * FRI prover and verifier (see fri.h for the protocol and the layouts).
 */
#include "commit/fri.h"

#include <stdlib.h>
#include <string.h>

#include "commit/merkle.h"
#include "field/ntt.h"

/* (p + 1) / 2 = 1/2 mod p */
#define GL_INV2 0x7fffffff80000001ULL

int por_fri_params_init(por_fri_params *p, unsigned degree_bits, unsigned rate_bits,
                        unsigned cap_height, unsigned num_queries, unsigned pow_bits,
                        unsigned arity_bits, unsigned final_poly_bits)
{
    memset(p, 0, sizeof(*p));
    p->degree_bits = degree_bits;
    p->rate_bits = rate_bits;
    p->cap_height = cap_height;
    p->num_queries = num_queries;
    p->pow_bits = pow_bits;
    p->final_poly_bits = final_poly_bits;
    if (arity_bits == 0 || final_poly_bits > degree_bits)
        return -1;
    unsigned remaining = degree_bits;
    while (remaining > final_poly_bits) {
        if (p->num_reductions == POR_FRI_MAX_REDUCTIONS)
            return -1;
        unsigned a = remaining - final_poly_bits < arity_bits ? remaining - final_poly_bits : arity_bits;
        p->reduction_bits[p->num_reductions++] = a;
        remaining -= a;
    }
    return por_fri_params_check(p) ? -1 : 0;
}

const char *por_fri_params_check(const por_fri_params *p)
{
    if (p->rate_bits < 1 || p->rate_bits > POR_FRI_MAX_RATE_BITS)
        return "FRI rate_bits out of range";
    if (p->degree_bits > POR_FRI_MAX_LDE_BITS - p->rate_bits)
        return "FRI degree_bits + rate_bits too large";
    if (p->cap_height > POR_FRI_MAX_CAP_HEIGHT || p->cap_height > p->degree_bits + p->rate_bits)
        return "FRI cap_height out of range";
    if (p->num_queries < 1 || p->num_queries > POR_FRI_MAX_QUERIES)
        return "FRI num_queries out of range";
    if (p->pow_bits > POR_FRI_MAX_POW_BITS)
        return "FRI pow_bits out of range";
    if (p->final_poly_bits > p->degree_bits)
        return "FRI final_poly_bits exceeds degree_bits";
    if (p->num_reductions > POR_FRI_MAX_REDUCTIONS)
        return "FRI too many reductions";
    uint32_t sum = p->final_poly_bits;
    for (unsigned k = 0; k < POR_FRI_MAX_REDUCTIONS; k++) {
        uint32_t a = p->reduction_bits[k];
        if (k >= p->num_reductions) {
            if (a != 0)
                return "FRI unused reduction slot not zero";
            continue;
        }
        if (a < 1 || a > POR_FRI_MAX_ARITY_BITS)
            return "FRI reduction arity out of range";
        sum += a;
    }
    if (sum != p->degree_bits)
        return "FRI reductions + final_poly_bits != degree_bits";
    return NULL;
}

bool por_fri_params_equal(const por_fri_params *a, const por_fri_params *b)
{
    if (a->degree_bits != b->degree_bits || a->rate_bits != b->rate_bits ||
        a->cap_height != b->cap_height || a->num_queries != b->num_queries ||
        a->pow_bits != b->pow_bits || a->final_poly_bits != b->final_poly_bits ||
        a->num_reductions != b->num_reductions)
        return false;
    for (unsigned k = 0; k < POR_FRI_MAX_REDUCTIONS; k++)
        if (a->reduction_bits[k] != b->reduction_bits[k])
            return false;
    return true;
}

void por_fri_params_observe(por_transcript *t, const por_fri_params *p)
{
    por_transcript_label(t, "fri.params");
    por_transcript_observe(t, p->degree_bits);
    por_transcript_observe(t, p->rate_bits);
    por_transcript_observe(t, p->cap_height);
    por_transcript_observe(t, p->num_queries);
    por_transcript_observe(t, p->pow_bits);
    por_transcript_observe(t, p->final_poly_bits);
    por_transcript_observe(t, p->num_reductions);
    for (unsigned k = 0; k < p->num_reductions && k < POR_FRI_MAX_REDUCTIONS; k++)
        por_transcript_observe(t, p->reduction_bits[k]);
}

unsigned por_fri_layer_bits(const por_fri_params *p, unsigned k)
{
    unsigned bits = por_fri_lde_bits(p);
    for (unsigned j = 0; j < k; j++)
        bits -= p->reduction_bits[j];
    return bits;
}

unsigned por_fri_layer_cap_height(const por_fri_params *p, unsigned k)
{
    unsigned leaf_bits = por_fri_layer_bits(p, k) - p->reduction_bits[k];
    return p->cap_height < leaf_bits ? p->cap_height : leaf_bits;
}

unsigned por_fri_layer_path_len(const por_fri_params *p, unsigned k)
{
    return por_fri_layer_bits(p, k) - p->reduction_bits[k] - por_fri_layer_cap_height(p, k);
}

size_t por_fri_values_per_query(const por_fri_params *p)
{
    size_t n = 0;
    for (unsigned k = 0; k < p->num_reductions; k++)
        n += (size_t)1 << p->reduction_bits[k];
    return n;
}

size_t por_fri_path_per_query(const por_fri_params *p)
{
    size_t n = 0;
    for (unsigned k = 0; k < p->num_reductions; k++)
        n += por_fri_layer_path_len(p, k);
    return n;
}

size_t por_fri_total_caps(const por_fri_params *p)
{
    size_t n = 0;
    for (unsigned k = 0; k < p->num_reductions; k++)
        n += (size_t)1 << por_fri_layer_cap_height(p, k);
    return n;
}

int por_fri_proof_alloc(por_fri_proof *proof, const por_fri_params *p)
{
    memset(proof, 0, sizeof(*proof));
    size_t caps = por_fri_total_caps(p);
    size_t vals = por_fri_values_per_query(p) * p->num_queries;
    size_t paths = por_fri_path_per_query(p) * p->num_queries;
    /* +1: calloc(0) may return NULL */
    proof->caps = calloc(caps + 1, sizeof(por_digest));
    proof->final_poly = calloc(((size_t)1 << p->final_poly_bits), sizeof(gl2_t));
    proof->values = calloc(vals + 1, sizeof(gl2_t));
    proof->paths = calloc(paths + 1, sizeof(por_digest));
    if (!proof->caps || !proof->final_poly || !proof->values || !proof->paths) {
        por_fri_proof_free(proof);
        return -1;
    }
    return 0;
}

void por_fri_proof_free(por_fri_proof *proof)
{
    free(proof->caps);
    free(proof->final_poly);
    free(proof->values);
    free(proof->paths);
    memset(proof, 0, sizeof(*proof));
}

/* ---------------------------------------------------------------------------
 * Prover
 */

/* One 2-to-1 fold of a whole layer (interleaved c0, c1 values):
 *   out[i] = (a + b)/2 + (a - b) * T[i] * bc,  a = in[2i], b = in[2i+1],
 * where T[i] * shift^-1 = 1/x_i and bc = beta / (2 shift) (see fri.h). */
typedef struct {
    const gl_t *in;
    gl_t *out;
    const gl_t *twiddles;
    gl2_t bc;
} fold_ctx;

static void fold_range(void *arg, size_t begin, size_t end)
{
    const fold_ctx *c = arg;
    for (size_t i = begin; i < end; i++) {
        gl2_t a = {c->in[4 * i], c->in[4 * i + 1]};
        gl2_t b = {c->in[4 * i + 2], c->in[4 * i + 3]};
        gl2_t s = gl2_mul_base(gl2_add(a, b), GL_INV2);
        gl2_t d = gl2_mul(gl2_mul_base(gl2_sub(a, b), c->twiddles[i]), c->bc);
        gl2_t r = gl2_add(s, d);
        c->out[2 * i] = r.c0;
        c->out[2 * i + 1] = r.c1;
    }
}

/*
 * twiddles[i] = w^-rev(i) over lde_bits - 1 bits, w the 2^lde_bits-th root of
 * unity.  A prefix of this one table serves every later fold: in a layer of
 * 2^l points (root w^(2^s), s = lde_bits - l), pair i sits at shift * w^(2^s
 * rev_{l-1}(i)) and 2^s rev_{l-1}(i) = rev_{lde_bits-1}(i) for i < 2^(l-1).
 */
static gl_t *fold_twiddles(unsigned lde_bits)
{
    size_t half = (size_t)1 << (lde_bits - 1);
    gl_t *t = malloc(half * sizeof(gl_t));
    if (!t)
        return NULL;
    gl_t winv = gl_inv(gl_root_of_unity(lde_bits));
    gl_t acc = 1;
    for (size_t i = 0; i < half; i++) {
        t[i] = acc;
        acc = gl_mul(acc, winv);
    }
    por_bit_reverse(t, lde_bits - 1);
    return t;
}

static void put_ext(gl_t *dst, gl2_t v)
{
    dst[0] = v.c0;
    dst[1] = v.c1;
}

int por_fri_prove(const por_fri_params *p, const gl2_t *values, por_transcript *t, por_pool *pool,
                  por_fri_proof *proof, size_t *indices)
{
    if (por_fri_params_check(p))
        return -1;
    const unsigned lde_bits = por_fri_lde_bits(p);
    const unsigned nred = p->num_reductions;
    int rc = -1;
    gl_t *layers[POR_FRI_MAX_REDUCTIONS + 1] = {0};
    por_merkle_tree trees[POR_FRI_MAX_REDUCTIONS];
    memset(trees, 0, sizeof(trees));
    gl_t *twiddles = NULL;
    gl2_t *final_vals = NULL;
    gl_t *row = NULL;

    size_t n0 = (size_t)1 << lde_bits;
    layers[0] = malloc(2 * n0 * sizeof(gl_t));
    if (!layers[0])
        goto out;
    for (size_t i = 0; i < n0; i++)
        put_ext(&layers[0][2 * i], values[i]);
    if (nred > 0 && !(twiddles = fold_twiddles(lde_bits)))
        goto out;

    /* commit phase */
    unsigned bits = lde_bits;
    gl_t shift = GL_GENERATOR;
    size_t cap_off = 0;
    for (unsigned k = 0; k < nred; k++) {
        unsigned a = p->reduction_bits[k];
        por_matrix m = {.log_rows = bits - a, .width = (size_t)2 << a, .rows = layers[k]};
        unsigned cap_h = por_fri_layer_cap_height(p, k);
        if (por_merkle_build(&trees[k], pool, &m, cap_h, false, NULL, NULL) != 0)
            goto out;
        por_merkle_cap(&trees[k], proof->caps + cap_off);
        por_transcript_label(t, "fri.cap");
        por_transcript_observe_digests(t, proof->caps + cap_off, (size_t)1 << cap_h);
        cap_off += (size_t)1 << cap_h;
        por_transcript_label(t, "fri.beta");
        gl2_t beta = por_transcript_squeeze_ext(t);

        /* both ping-pong buffers hold the first halving; shrunk afterwards */
        size_t first = ((size_t)2 << (bits - 1)) * sizeof(gl_t);
        layers[k + 1] = malloc(first);
        gl_t *tmp = a > 1 ? malloc(first) : NULL;
        if (!layers[k + 1] || (a > 1 && !tmp)) {
            free(tmp);
            goto out;
        }
        /* a successive halvings; ping-pong so the last lands in layers[k + 1] */
        const gl_t *src = layers[k];
        for (unsigned s = 0; s < a; s++) {
            gl_t *dst = ((a - 1 - s) % 2 == 0) ? layers[k + 1] : tmp;
            fold_ctx c = {.in = src, .out = dst, .twiddles = twiddles,
                          .bc = gl2_mul_base(beta, gl_mul(gl_inv(shift), GL_INV2))};
            por_pool_parallel_for(pool, (size_t)1 << (bits - 1), 4096, fold_range, &c);
            src = dst;
            beta = gl2_sqr(beta);
            shift = gl_sqr(shift);
            bits--;
        }
        free(tmp);
        gl_t *shrunk = realloc(layers[k + 1], ((size_t)2 << bits) * sizeof(gl_t));
        if (shrunk)
            layers[k + 1] = shrunk;
    }

    /* final polynomial: interpolate the last layer, keep the low coefficients */
    size_t nf = (size_t)1 << bits;
    final_vals = malloc(nf * sizeof(gl2_t));
    if (!final_vals)
        goto out;
    for (size_t i = 0; i < nf; i++)
        final_vals[i] = (gl2_t){layers[nred][2 * i], layers[nred][2 * i + 1]};
    if (por_ntt_inverse_br_ext(final_vals, bits, shift) != 0)
        goto out;
    size_t ncoef = (size_t)1 << p->final_poly_bits;
    memcpy(proof->final_poly, final_vals, ncoef * sizeof(gl2_t));
    por_transcript_label(t, "fri.final_poly");
    for (size_t i = 0; i < ncoef; i++)
        por_transcript_observe_ext(t, proof->final_poly[i]);

    por_transcript_label(t, "fri.pow");
    proof->pow_nonce = por_transcript_grind(t, p->pow_bits, pool);

    por_transcript_label(t, "fri.query");
    for (unsigned q = 0; q < p->num_queries; q++)
        indices[q] = por_transcript_squeeze_index(t, lde_bits);

    /* query phase */
    row = malloc(((size_t)2 << POR_FRI_MAX_ARITY_BITS) * sizeof(gl_t));
    if (!row)
        goto out;
    size_t vpq = por_fri_values_per_query(p), ppq = por_fri_path_per_query(p);
    for (unsigned q = 0; q < p->num_queries; q++) {
        size_t idx = indices[q];
        gl2_t *vals = proof->values + q * vpq;
        por_digest *path = proof->paths + q * ppq;
        for (unsigned k = 0; k < nred; k++) {
            unsigned a = p->reduction_bits[k];
            size_t leaf = idx >> a;
            por_merkle_open(&trees[k], leaf, row, NULL, path);
            for (size_t j = 0; j < ((size_t)1 << a); j++)
                vals[j] = (gl2_t){row[2 * j], row[2 * j + 1]};
            vals += (size_t)1 << a;
            path += por_fri_layer_path_len(p, k);
            idx = leaf;
        }
    }
    rc = 0;
out:
    for (unsigned k = 0; k < nred; k++)
        por_merkle_free(&trees[k]);
    for (unsigned k = 0; k <= nred; k++)
        free(layers[k]);
    free(twiddles);
    free(final_vals);
    free(row);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Verifier
 */

int por_fri_verify_commit(const por_fri_params *p, const por_fri_proof *proof, por_transcript *t,
                          por_fri_challenges *ch)
{
    memset(ch, 0, sizeof(*ch));
    size_t cap_off = 0;
    for (unsigned k = 0; k < p->num_reductions; k++) {
        size_t cap_len = (size_t)1 << por_fri_layer_cap_height(p, k);
        por_transcript_label(t, "fri.cap");
        por_transcript_observe_digests(t, proof->caps + cap_off, cap_len);
        cap_off += cap_len;
        por_transcript_label(t, "fri.beta");
        ch->betas[k] = por_transcript_squeeze_ext(t);
    }
    por_transcript_label(t, "fri.final_poly");
    for (size_t i = 0; i < ((size_t)1 << p->final_poly_bits); i++)
        por_transcript_observe_ext(t, proof->final_poly[i]);
    por_transcript_label(t, "fri.pow");
    ch->pow_ok = por_transcript_check_pow(t, p->pow_bits, proof->pow_nonce);
    por_transcript_label(t, "fri.query");
    for (unsigned q = 0; q < p->num_queries; q++)
        ch->indices[q] = por_transcript_squeeze_index(t, por_fri_lde_bits(p));
    return ch->pow_ok ? 0 : -1;
}

/* Successive 2-to-1 folds inside one leaf; see fri.h.  Pair m of a step sits at
 * x * u^rev(m) (u the step's root of unity of order 2 * pairs), so one
 * inversion of x0 serves the whole leaf. */
gl2_t por_fri_fold_leaf(const gl2_t *values, unsigned a, gl_t x0, gl2_t beta)
{
    gl2_t v[(size_t)1 << POR_FRI_MAX_ARITY_BITS];
    size_t n = (size_t)1 << a;
    memcpy(v, values, n * sizeof(gl2_t));
    gl_t xinv = gl_inv(x0);
    gl_t uinv = gl_inv(gl_root_of_unity(a));
    for (unsigned s = 0; s < a; s++) {
        size_t half = n >> 1;
        unsigned hb = a - s - 1; /* bits of a pair index */
        for (size_t m = 0; m < half; m++) {
            size_t r = por_bit_reverse_index(m, hb);
            gl_t pinv = gl_mul(xinv, gl_pow(uinv, r));
            gl2_t s0 = gl2_mul_base(gl2_add(v[2 * m], v[2 * m + 1]), GL_INV2);
            gl2_t d = gl2_mul(gl2_mul_base(gl2_sub(v[2 * m], v[2 * m + 1]), gl_mul(pinv, GL_INV2)), beta);
            v[m] = gl2_add(s0, d);
        }
        n = half;
        xinv = gl_sqr(xinv);
        uinv = gl_sqr(uinv);
        beta = gl2_sqr(beta);
    }
    return v[0];
}

int por_fri_verify_query(const por_fri_params *p, const por_fri_proof *proof,
                         const por_fri_challenges *ch, size_t q, gl2_t initial)
{
    if (q >= p->num_queries)
        return -1;
    unsigned bits = por_fri_lde_bits(p);
    size_t idx = ch->indices[q];
    gl_t shift = GL_GENERATOR;
    gl_t w = gl_root_of_unity(bits);
    gl2_t value = initial;
    const gl2_t *vals = proof->values + q * por_fri_values_per_query(p);
    const por_digest *path = proof->paths + q * por_fri_path_per_query(p);
    const por_digest *cap = proof->caps;
    gl_t row[(size_t)2 << POR_FRI_MAX_ARITY_BITS];
    for (unsigned k = 0; k < p->num_reductions; k++) {
        unsigned a = p->reduction_bits[k];
        size_t n = (size_t)1 << a;
        size_t leaf = idx >> a, pos = idx & (n - 1);
        unsigned cap_h = por_fri_layer_cap_height(p, k);
        for (size_t j = 0; j < n; j++) {
            row[2 * j] = vals[j].c0;
            row[2 * j + 1] = vals[j].c1;
        }
        if (por_merkle_verify(cap, cap_h, bits - a, leaf, row, 2 * n, NULL, path) != 0)
            return -1;
        if (!gl2_eq(vals[pos], value))
            return -1;
        /* the leaf's first point: shift * w^rev(leaf << a) = shift * w^rev_{bits-a}(leaf) */
        gl_t x0 = gl_mul(shift, gl_pow(w, por_bit_reverse_index(leaf, bits - a)));
        value = por_fri_fold_leaf(vals, a, x0, ch->betas[k]);
        for (unsigned s = 0; s < a; s++) {
            shift = gl_sqr(shift);
            w = gl_sqr(w);
        }
        bits -= a;
        idx = leaf;
        vals += n;
        path += por_fri_layer_path_len(p, k);
        cap += (size_t)1 << cap_h;
    }
    /* final polynomial at the folded point (Horner over the extension, base-field x) */
    gl_t x = gl_mul(shift, gl_pow(w, por_bit_reverse_index(idx, bits)));
    size_t ncoef = (size_t)1 << p->final_poly_bits;
    gl2_t acc = {0, 0};
    for (size_t i = ncoef; i-- > 0;)
        acc = gl2_add(gl2_mul_base(acc, x), proof->final_poly[i]);
    return gl2_eq(acc, value) ? 0 : -1;
}

/* ---------------------------------------------------------------------------
 * Encoding
 */

static uint8_t *put_u64(uint8_t *o, uint64_t v)
{
    for (int b = 0; b < 8; b++)
        o[b] = (uint8_t)(v >> (8 * b));
    return o + 8;
}

static const uint8_t *get_u64(const uint8_t *in, uint64_t *v)
{
    uint64_t w = 0;
    for (int b = 0; b < 8; b++)
        w |= (uint64_t)in[b] << (8 * b);
    *v = w;
    return in + 8;
}

static uint8_t *put_digests(uint8_t *o, const por_digest *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < POSEIDON_DIGEST; j++)
            o = put_u64(o, d[i].e[j]);
    return o;
}

/* Reads n digests; *bad is set if an element is not canonical. */
static const uint8_t *get_digests(const uint8_t *in, por_digest *d, size_t n, bool *bad)
{
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < POSEIDON_DIGEST; j++) {
            in = get_u64(in, &d[i].e[j]);
            *bad |= !gl_is_canonical(d[i].e[j]);
        }
    return in;
}

static uint8_t *put_exts(uint8_t *o, const gl2_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        o = put_u64(o, v[i].c0);
        o = put_u64(o, v[i].c1);
    }
    return o;
}

static const uint8_t *get_exts(const uint8_t *in, gl2_t *v, size_t n, bool *bad)
{
    for (size_t i = 0; i < n; i++) {
        in = get_u64(in, &v[i].c0);
        in = get_u64(in, &v[i].c1);
        *bad |= !gl_is_canonical(v[i].c0) || !gl_is_canonical(v[i].c1);
    }
    return in;
}

size_t por_fri_proof_encoded_len(const por_fri_params *p)
{
    size_t n = por_fri_total_caps(p) * 32;
    n += ((size_t)1 << p->final_poly_bits) * 16;
    n += 8;
    n += (size_t)p->num_queries * (por_fri_values_per_query(p) * 16 + por_fri_path_per_query(p) * 32);
    return n;
}

void por_fri_proof_encode(const por_fri_params *p, const por_fri_proof *proof, uint8_t *out)
{
    size_t vpq = por_fri_values_per_query(p), ppq = por_fri_path_per_query(p);
    out = put_digests(out, proof->caps, por_fri_total_caps(p));
    out = put_exts(out, proof->final_poly, (size_t)1 << p->final_poly_bits);
    out = put_u64(out, proof->pow_nonce);
    for (unsigned q = 0; q < p->num_queries; q++) {
        out = put_exts(out, proof->values + q * vpq, vpq);
        out = put_digests(out, proof->paths + q * ppq, ppq);
    }
}

int por_fri_proof_decode(const por_fri_params *p, const uint8_t *in, por_fri_proof *proof)
{
    bool bad = false;
    size_t vpq = por_fri_values_per_query(p), ppq = por_fri_path_per_query(p);
    in = get_digests(in, proof->caps, por_fri_total_caps(p), &bad);
    in = get_exts(in, proof->final_poly, (size_t)1 << p->final_poly_bits, &bad);
    in = get_u64(in, &proof->pow_nonce);
    bad |= !gl_is_canonical(proof->pow_nonce);
    for (unsigned q = 0; q < p->num_queries; q++) {
        in = get_exts(in, proof->values + q * vpq, vpq, &bad);
        in = get_digests(in, proof->paths + q * ppq, ppq, &bad);
    }
    return bad ? -1 : 0;
}
