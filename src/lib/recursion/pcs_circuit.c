/*
 * In-circuit PCS opening verification (see pcs_circuit.h), mirroring
 * commit/pcs.c's por_pcs_verify.
 */
#include "recursion/pcs_circuit.h"

#include <stdlib.h>
#include <string.h>

#include "recursion/bits.h"

/* Merkle path length of every batch: L - cap_height. */
static size_t batch_path_len(const por_fri_params *p) { return por_fri_lde_bits(p) - p->cap_height; }

int por_rec_pcs_proof_add(por_builder *b, const por_fri_params *p, const por_pcs_shape *s, por_rec_pcs_proof *out)
{
    memset(out, 0, sizeof(*out));
    out->params = *p;
    out->shape = *s;
    size_t P = por_pcs_shape_total_polys(s), B = s->num_batches, Q = p->num_queries;
    size_t plen = batch_path_len(p);
    out->evals = malloc((s->num_points * P + 1) * sizeof(por_ext_target));
    out->rows = malloc((Q * P + 1) * sizeof(por_target));
    out->salts = malloc((Q * B * POR_MERKLE_SALT + 1) * sizeof(por_target));
    out->paths = malloc((Q * B * plen + 1) * sizeof(por_rec_digest));
    if (!out->evals || !out->rows || !out->salts || !out->paths) {
        por_rec_pcs_proof_free(out);
        por_builder_fail(b, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < s->num_points * P; i++)
        out->evals[i] = por_ext_add_virtual(b);
    for (size_t i = 0; i < Q * P; i++)
        out->rows[i] = por_builder_add_virtual(b);
    for (size_t i = 0; i < Q * B * POR_MERKLE_SALT; i++)
        out->salts[i] = por_builder_add_virtual(b);
    for (size_t i = 0; i < Q * B * plen; i++)
        por_rec_digest_virtual(b, &out->paths[i]);
    return por_rec_fri_proof_add(b, p, &out->fri);
}

void por_rec_pcs_proof_free(por_rec_pcs_proof *t)
{
    free(t->evals);
    free(t->rows);
    free(t->salts);
    free(t->paths);
    por_rec_fri_proof_free(&t->fri);
    memset(t, 0, sizeof(*t));
}

int por_rec_pcs_proof_set(por_witness *w, const por_rec_pcs_proof *t, const por_pcs_proof *proof)
{
    const por_fri_params *p = &t->params;
    const por_pcs_shape *s = &t->shape;
    if (!por_fri_params_equal(p, &proof->params) || !por_pcs_shape_equal(s, &proof->shape))
        return -1;
    size_t P = por_pcs_shape_total_polys(s), B = s->num_batches, Q = p->num_queries, plen = batch_path_len(p);
    int rc = 0;
    for (size_t i = 0; i < s->num_points * P; i++)
        rc |= por_witness_set_ext(w, t->evals[i], proof->evals[i]);
    for (size_t i = 0; i < Q * P; i++)
        rc |= por_witness_set(w, t->rows[i], proof->rows[i]);
    for (size_t q = 0; q < Q; q++)
        for (size_t bi = 0; bi < B; bi++)
            for (size_t k = 0; k < POR_MERKLE_SALT && s->batches[bi].salted; k++) {
                size_t i = (q * B + bi) * POR_MERKLE_SALT + k;
                rc |= por_witness_set(w, t->salts[i], proof->salts[i]);
            }
    for (size_t i = 0; i < Q * B * plen; i++)
        for (int j = 0; j < POSEIDON_DIGEST; j++)
            rc |= por_witness_set(w, t->paths[i].e[j], proof->paths[i].e[j]);
    return rc | por_rec_fri_proof_set(w, &t->fri, &proof->fri);
}

/* observe_statement of pcs.c: parameters and shape are constants here. */
static void observe_statement(por_builder *b, por_rec_challenger *c, const por_rec_pcs_proof *t,
                              const por_rec_digest *const *caps, const por_ext_target *points)
{
    const por_fri_params *p = &t->params;
    const por_pcs_shape *s = &t->shape;
    gl_t fixed[7 + POR_FRI_MAX_REDUCTIONS + 2 + 2 * POR_PCS_MAX_BATCHES];
    size_t n = 0;
    fixed[n++] = p->degree_bits, fixed[n++] = p->rate_bits, fixed[n++] = p->cap_height;
    fixed[n++] = p->num_queries, fixed[n++] = p->pow_bits, fixed[n++] = p->final_poly_bits;
    fixed[n++] = p->num_reductions;
    for (unsigned k = 0; k < p->num_reductions; k++)
        fixed[n++] = p->reduction_bits[k];
    fixed[n++] = s->num_points, fixed[n++] = s->num_batches;
    for (unsigned bi = 0; bi < s->num_batches; bi++)
        fixed[n++] = s->batches[bi].num_polys, fixed[n++] = s->batches[bi].salted;
    for (size_t i = 0; i < n; i++)
        por_rec_challenger_observe(b, c, por_builder_constant(b, fixed[i]));
    for (unsigned bi = 0; bi < s->num_batches; bi++)
        for (size_t i = 0; i < ((size_t)1 << p->cap_height); i++)
            por_rec_challenger_observe_digest(b, c, caps[bi][i].e);
    for (unsigned j = 0; j < s->num_points; j++) {
        por_target z[2] = {points[j].c0, points[j].c1};
        por_rec_challenger_observe_ext(b, c, z);
    }
}

int por_rec_pcs_verify(por_builder *b, const por_rec_pcs_proof *proof, const por_rec_digest *const *caps,
                       const por_ext_target *points, por_rec_challenger *c)
{
    const por_fri_params *p = &proof->params;
    const por_pcs_shape *s = &proof->shape;
    const size_t P = por_pcs_shape_total_polys(s), B = s->num_batches, M = s->num_points;
    const unsigned L = por_fri_lde_bits(p);
    const size_t plen = batch_path_len(p);
    if (por_fri_params_check(p) || por_pcs_shape_check(s)) {
        por_builder_fail(b, "pcs_verify: invalid parameters or shape");
        return -1;
    }
    observe_statement(b, c, proof, caps, points);
    for (size_t i = 0; i < M * P; i++) {
        por_target y[2] = {proof->evals[i].c0, proof->evals[i].c1};
        por_rec_challenger_observe_ext(b, c, y);
    }
    por_target sq[2];
    por_rec_challenger_squeeze_ext(b, c, sq);
    por_ext_target alpha = {sq[0], sq[1]};
    por_rec_challenger_squeeze_ext(b, c, sq);
    por_ext_target gamma = {sq[0], sq[1]};
    por_rec_fri_challenges ch;
    if (por_rec_fri_verify_commit(b, &proof->fri, c, &ch) != 0)
        return -1;

    /* A_j = sum_k alpha^k y_{j,k}, w_j = alpha^(j P) */
    por_ext_target alpha_P = por_ext_pow(b, alpha, P);
    por_ext_target aj[POR_PCS_MAX_POINTS], wj[POR_PCS_MAX_POINTS];
    for (size_t j = 0; j < M; j++) {
        aj[j] = por_ext_reduce(b, alpha, proof->evals + j * P, P);
        wj[j] = j == 0 ? por_ext_one(b) : por_ext_mul(b, wj[j - 1], alpha_P);
    }

    /* random-access rows select up to 2^4 entries for 21 routed wires an
     * element (bits.h); taller caps share the one-hot weights of the index */
    bool share_weights = p->cap_height > 4;
    por_target *cap_w = malloc(sizeof(por_target) << (share_weights ? p->cap_height : 0));
    if (!cap_w) {
        por_rec_fri_challenges_free(&ch);
        por_builder_fail(b, "out of memory");
        return -1;
    }
    for (size_t q = 0; q < p->num_queries; q++) {
        const por_target *bits = ch.index_bits + q * L;
        /* every tree of the query is selected at the index's top bits: by
         * shared one-hot weights for caps too tall for random-access rows */
        if (share_weights)
            por_rec_one_hot(b, bits + L - p->cap_height, p->cap_height, cap_w);
        const por_target *weights = share_weights ? cap_w : NULL;
        for (size_t bi = 0, off = 0; bi < B; off += s->batches[bi].num_polys, bi++)
            por_rec_merkle_verify(b, caps[bi], p->cap_height, L, bits, proof->rows + q * P + off,
                                  s->batches[bi].num_polys,
                                  s->batches[bi].salted ? proof->salts + (q * B + bi) * POR_MERKLE_SALT : NULL,
                                  proof->paths + (q * B + bi) * plen, weights);
        por_ext_target ax = por_ext_reduce_base(b, alpha, proof->rows + q * P, P);
        por_target x = por_rec_lde_point(b, bits, L);
        por_ext_target xe = por_ext_from_base(b, x), f = por_ext_zero(b);
        for (size_t j = 0; j < M; j++) {
            por_ext_target inv = por_ext_inverse(b, por_ext_sub(b, xe, points[j])); /* none if x = z_j */
            f = por_ext_mul_add(b, wj[j], por_ext_mul(b, por_ext_sub(b, ax, aj[j]), inv), f);
        }
        por_ext_target g = por_ext_mul_add(b, f, por_ext_mul_base(b, x, gamma), f);
        por_rec_fri_verify_query(b, &proof->fri, &ch, q, g, x, weights);
    }
    free(cap_w);
    por_rec_fri_challenges_free(&ch);
    return 0;
}
