/*
 * In-circuit FRI verifier (see fri_circuit.h), mirroring commit/fri.c.
 */
#include "recursion/fri_circuit.h"

#include <stdlib.h>
#include <string.h>

#include "field/ntt.h"
#include "recursion/bits.h"

/* (p + 1) / 2 = 1/2 mod p */
#define GL_INV2 0x7fffffff80000001ULL

int por_rec_fri_proof_add(por_builder *b, const por_fri_params *p, por_rec_fri_proof *out)
{
    memset(out, 0, sizeof(*out));
    out->params = *p;
    size_t caps = por_fri_total_caps(p), nf = (size_t)1 << p->final_poly_bits;
    size_t vals = por_fri_values_per_query(p) * p->num_queries;
    size_t paths = por_fri_path_per_query(p) * p->num_queries;
    out->caps = malloc((caps + 1) * sizeof(por_rec_digest));
    out->final_poly = malloc(nf * sizeof(por_ext_target));
    out->values = malloc((vals + 1) * sizeof(por_ext_target));
    out->paths = malloc((paths + 1) * sizeof(por_rec_digest));
    if (!out->caps || !out->final_poly || !out->values || !out->paths) {
        por_rec_fri_proof_free(out);
        por_builder_fail(b, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < caps; i++)
        por_rec_digest_virtual(b, &out->caps[i]);
    for (size_t i = 0; i < nf; i++)
        out->final_poly[i] = por_ext_add_virtual(b);
    out->pow_nonce = por_builder_add_virtual(b);
    for (size_t i = 0; i < vals; i++)
        out->values[i] = por_ext_add_virtual(b);
    for (size_t i = 0; i < paths; i++)
        por_rec_digest_virtual(b, &out->paths[i]);
    return 0;
}

void por_rec_fri_proof_free(por_rec_fri_proof *t)
{
    free(t->caps);
    free(t->final_poly);
    free(t->values);
    free(t->paths);
    memset(t, 0, sizeof(*t));
}

/* Assigns n native digests to digest targets. */
static int set_digests(por_witness *w, const por_rec_digest *t, const por_digest *d, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < POSEIDON_DIGEST; j++)
            rc |= por_witness_set(w, t[i].e[j], d[i].e[j]);
    return rc;
}

int por_rec_fri_proof_set(por_witness *w, const por_rec_fri_proof *t, const por_fri_proof *proof)
{
    const por_fri_params *p = &t->params;
    int rc = set_digests(w, t->caps, proof->caps, por_fri_total_caps(p));
    for (size_t i = 0; i < ((size_t)1 << p->final_poly_bits); i++)
        rc |= por_witness_set_ext(w, t->final_poly[i], proof->final_poly[i]);
    rc |= por_witness_set(w, t->pow_nonce, proof->pow_nonce);
    size_t vals = por_fri_values_per_query(p) * p->num_queries;
    for (size_t i = 0; i < vals; i++)
        rc |= por_witness_set_ext(w, t->values[i], proof->values[i]);
    rc |= set_digests(w, t->paths, proof->paths, por_fri_path_per_query(p) * p->num_queries);
    return rc;
}

void por_rec_fri_challenges_free(por_rec_fri_challenges *ch)
{
    free(ch->index_bits);
    free(ch->fold_coef);
    memset(ch, 0, sizeof(*ch));
}

/* Offset of layer k's fold coefficients: 2^a - 1 per earlier layer. */
static size_t fold_coef_offset(const por_fri_params *p, unsigned k)
{
    size_t off = 0;
    for (unsigned j = 0; j < k; j++)
        off += ((size_t)1 << p->reduction_bits[j]) - 1;
    return off;
}

/* The fold coefficients of layer k (see fri_circuit.h): shared by every query. */
static void make_fold_coefs(por_builder *b, const por_fri_params *p, unsigned k, por_ext_target beta,
                            por_ext_target *out)
{
    unsigned a = p->reduction_bits[k];
    gl_t uinv = gl_inv(gl_root_of_unity(a));
    size_t n = (size_t)1 << a, base = 0;
    for (unsigned s = 0; s < a; s++) {
        size_t half = n >> 1;
        unsigned hb = a - s - 1;
        for (size_t m = 0; m < half; m++) {
            gl_t c = gl_mul(gl_pow(uinv, por_bit_reverse_index(m, hb)), GL_INV2);
            out[base + m] = por_ext_scalar_mul(b, c, beta);
        }
        base += half;
        n = half;
        uinv = gl_sqr(uinv);
        beta = por_ext_square(b, beta);
    }
}

int por_rec_fri_verify_commit(por_builder *b, const por_rec_fri_proof *proof, por_rec_challenger *c,
                              por_rec_fri_challenges *ch)
{
    const por_fri_params *p = &proof->params;
    memset(ch, 0, sizeof(*ch));
    unsigned L = por_fri_lde_bits(p);
    ch->index_bits = malloc(((size_t)p->num_queries * L + 1) * sizeof(por_target));
    ch->fold_coef = malloc((fold_coef_offset(p, p->num_reductions) + 1) * sizeof(por_ext_target));
    if (!ch->index_bits || !ch->fold_coef) {
        por_rec_fri_challenges_free(ch);
        por_builder_fail(b, "out of memory");
        return -1;
    }
    size_t cap_off = 0;
    for (unsigned k = 0; k < p->num_reductions; k++) {
        size_t cap_len = (size_t)1 << por_fri_layer_cap_height(p, k);
        for (size_t i = 0; i < cap_len; i++)
            por_rec_challenger_observe_digest(b, c, proof->caps[cap_off + i].e);
        cap_off += cap_len;
        por_target beta[2];
        por_rec_challenger_squeeze_ext(b, c, beta);
        ch->betas[k] = (por_ext_target){beta[0], beta[1]};
    }
    for (size_t i = 0; i < ((size_t)1 << p->final_poly_bits); i++) {
        por_target x[2] = {proof->final_poly[i].c0, proof->final_poly[i].c1};
        por_rec_challenger_observe_ext(b, c, x);
    }
    por_rec_challenger_check_pow(b, c, p->pow_bits, proof->pow_nonce);
    for (unsigned q = 0; q < p->num_queries; q++)
        por_rec_challenger_squeeze_index(b, c, L, ch->index_bits + (size_t)q * L);
    for (unsigned k = 0; k < p->num_reductions; k++)
        make_fold_coefs(b, p, k, ch->betas[k], ch->fold_coef + fold_coef_offset(p, k));
    return 0;
}

/* scale * prod_{i<n} (bits[i] ? c[i] : 1) for constants: each factor is
 * bit (c - 1) + 1, one operation, and one more to multiply it in. */
static por_target select_product(por_builder *b, const por_target *bits, const gl_t *c, size_t n, gl_t scale)
{
    por_target one = por_builder_one(b), acc = por_builder_constant(b, scale);
    for (size_t i = 0; i < n; i++) {
        por_target f = por_builder_mul_add(b, bits[i], por_builder_constant(b, gl_sub(c[i], 1)), one);
        acc = por_builder_mul(b, acc, f);
    }
    return acc;
}

por_target por_rec_lde_point(por_builder *b, const por_target *bits, unsigned L)
{
    /* rev_L(i) = sum_j bit_j 2^(L-1-j): w^rev = prod_j (bit_j ? w^(2^(L-1-j)) : 1) */
    gl_t c[32];
    gl_t w = gl_root_of_unity(L);
    for (unsigned j = L; j-- > 0;) {
        c[j] = w;
        w = gl_sqr(w);
    }
    return select_product(b, bits, c, L, GL_GENERATOR);
}

/* por_fri_fold_leaf in-circuit: coef = the layer's fold coefficients. */
static por_ext_target fold_leaf(por_builder *b, const por_ext_target *values, unsigned a, por_target xinv,
                                const por_ext_target *coef)
{
    por_ext_target v[(size_t)1 << POR_FRI_MAX_ARITY_BITS];
    size_t n = (size_t)1 << a;
    memcpy(v, values, n * sizeof(por_ext_target));
    por_ext_target half = por_ext_constant(b, gl2_from_base(GL_INV2));
    for (unsigned s = 0; s < a; s++) {
        size_t half_n = n >> 1;
        for (size_t m = 0; m < half_n; m++) {
            /* (v0 + v1)/2 + (v0 - v1) t = v1 + (v0 - v1)(1/2 + t),
             * t = xinv_s beta_s u_s^-rev(m) / 2 */
            por_ext_target v0 = v[2 * m], v1 = v[2 * m + 1];
            por_ext_target pm = por_ext_mul_base_add(b, xinv, coef[m], half);
            v[m] = por_ext_mul_add(b, por_ext_sub(b, v0, v1), pm, v1);
        }
        coef += half_n;
        n = half_n;
        xinv = por_builder_mul(b, xinv, xinv);
    }
    return v[0];
}

void por_rec_fri_verify_query(por_builder *b, const por_rec_fri_proof *proof, const por_rec_fri_challenges *ch,
                              size_t q, por_ext_target initial, por_target point, const por_target *cap_weights)
{
    const por_fri_params *p = &proof->params;
    if (q >= p->num_queries) {
        por_builder_fail(b, "fri_verify_query: query out of range");
        return;
    }
    unsigned L = por_fri_lde_bits(p), bits_left = L;
    const por_target *bits = ch->index_bits + q * L;
    const por_ext_target *vals = proof->values + q * por_fri_values_per_query(p);
    const por_rec_digest *path = proof->paths + q * por_fri_path_per_query(p);
    const por_rec_digest *cap = proof->caps;
    por_ext_target value = initial;
    por_target y = point;
    por_target row[(size_t)2 << POR_FRI_MAX_ARITY_BITS];
    for (unsigned k = 0; k < p->num_reductions; k++) {
        unsigned a = p->reduction_bits[k];
        size_t n = (size_t)1 << a;
        unsigned cap_h = por_fri_layer_cap_height(p, k);
        for (size_t j = 0; j < n; j++) {
            row[2 * j] = vals[j].c0;
            row[2 * j + 1] = vals[j].c1;
        }
        /* the leaf at the index's high bits, under the layer's cap (whose
         * index is the query index's top cap_h bits, as for every layer) */
        por_rec_merkle_verify(b, cap, cap_h, bits_left - a, bits + a, row, 2 * n, NULL, path,
                              cap_h == p->cap_height ? cap_weights : NULL);
        por_target pos[2];
        por_rec_select_entry(b, bits, a, row, 2, pos);
        por_ext_target at_pos = {pos[0], pos[1]};
        por_ext_assert_equal(b, at_pos, value); /* check: the value at pos is the running value */
        /* the leaf's first point x0 = y u^-rev_a(pos) */
        gl_t c[POR_FRI_MAX_ARITY_BITS];
        gl_t u = gl_inv(gl_root_of_unity(a));
        for (unsigned i = a; i-- > 0;) {
            c[i] = u;
            u = gl_sqr(u);
        }
        por_target factor = select_product(b, bits, c, a, 1);
        por_target x0 = por_builder_mul(b, y, factor);
        value = fold_leaf(b, vals, a, por_rec_inverse(b, x0), ch->fold_coef + fold_coef_offset(p, k));
        y = x0;
        for (unsigned s = 0; s < a; s++)
            y = por_builder_mul(b, y, y);
        bits += a;
        bits_left -= a;
        vals += n;
        path += por_fri_layer_path_len(p, k);
        cap += (size_t)1 << cap_h;
    }
    /* the final polynomial at the folded point, Horner from the top */
    size_t ncoef = (size_t)1 << p->final_poly_bits;
    por_ext_target acc = proof->final_poly[ncoef - 1];
    for (size_t i = ncoef - 1; i-- > 0;)
        acc = por_ext_mul_base_add(b, y, acc, proof->final_poly[i]);
    por_ext_assert_equal(b, acc, value); /* check: final polynomial at the folded point */
}
