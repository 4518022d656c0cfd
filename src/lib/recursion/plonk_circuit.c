/*
 * In-circuit PLONK verifier (see plonk_circuit.h), mirroring plonk/plonk.c's
 * por_plonk_verify.
 */
#include "recursion/plonk_circuit.h"

#include <stdlib.h>
#include <string.h>

/* The opened batches, in plonk.h's order. */
enum { B_PRE = 0, B_WIRES = 1, B_ZS = 2, B_QUOT = 3, NUM_BATCHES = 4 };

int por_rec_plonk_proof_add(por_builder *b, const por_plonk_vk *vk, por_rec_plonk_proof *out)
{
    memset(out, 0, sizeof(*out));
    size_t cap = (size_t)1 << vk->config.cap_height;
    out->public_inputs = malloc((vk->num_public_inputs + 1) * sizeof(por_target));
    out->wires_cap = malloc(3 * cap * sizeof(por_rec_digest));
    if (!out->public_inputs || !out->wires_cap) {
        por_rec_plonk_proof_free(out);
        por_builder_fail(b, "out of memory");
        return -1;
    }
    out->zs_cap = out->wires_cap + cap;
    out->quotient_cap = out->zs_cap + cap;
    for (size_t i = 0; i < vk->num_public_inputs; i++)
        out->public_inputs[i] = por_builder_add_virtual(b);
    for (size_t i = 0; i < 3 * cap; i++)
        por_rec_digest_virtual(b, &out->wires_cap[i]);
    por_pcs_shape shape;
    por_plonk_vk_shape(vk, &shape);
    return por_rec_pcs_proof_add(b, &vk->fri, &shape, &out->opening);
}

void por_rec_plonk_proof_free(por_rec_plonk_proof *t)
{
    free(t->public_inputs);
    free(t->wires_cap); /* the three caps share it */
    por_rec_pcs_proof_free(&t->opening);
    memset(t, 0, sizeof(*t));
}

int por_rec_plonk_proof_set(por_witness *w, const por_plonk_vk *vk, const por_rec_plonk_proof *t,
                            const por_plonk_proof *proof)
{
    if (memcmp(&proof->circuit_digest, &vk->circuit_digest, sizeof(por_digest)) != 0 ||
        proof->num_public_inputs != vk->num_public_inputs || proof->cap_height != vk->config.cap_height)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < vk->num_public_inputs; i++)
        rc |= por_witness_set(w, t->public_inputs[i], proof->public_inputs[i]);
    const por_digest *caps[3] = {proof->wires_cap, proof->zs_cap, proof->quotient_cap};
    const por_rec_digest *tcaps[3] = {t->wires_cap, t->zs_cap, t->quotient_cap};
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < ((size_t)1 << vk->config.cap_height); i++)
            for (int j = 0; j < POSEIDON_DIGEST; j++)
                rc |= por_witness_set(w, tcaps[k][i].e[j], caps[k][i].e[j]);
    return rc | por_rec_pcs_proof_set(w, &t->opening, &proof->opening);
}

/* An extension-valued polynomial committed as two base ones: a + b X (X^2 = 7). */
static por_ext_target combine(por_builder *b, por_ext_target a, por_ext_target c)
{
    por_target one = por_builder_one(b);
    return (por_ext_target){por_builder_arithmetic(b, GL2_W, 1, c.c1, one, a.c0), por_builder_add(b, a.c1, c.c0)};
}

static por_ext_target squeeze_ext(por_builder *b, por_rec_challenger *c)
{
    por_target x[2];
    por_rec_challenger_squeeze_ext(b, c, x);
    return (por_ext_target){x[0], x[1]};
}

static void observe_cap(por_builder *b, por_rec_challenger *c, const por_rec_digest *cap, size_t n)
{
    for (size_t i = 0; i < n; i++)
        por_rec_challenger_observe_digest(b, c, cap[i].e);
}

/* acc += apow term, apow *= alpha (the next constraint's weight). */
static void add_term(por_builder *b, por_ext_target *acc, por_ext_target *apow, por_ext_target alpha,
                     por_ext_target term)
{
    *acc = por_ext_mul_add(b, *apow, term, *acc);
    *apow = por_ext_mul(b, *apow, alpha);
}

/* L_x(zeta) for the row at w^i = x: x (zeta^n - 1) / (n (zeta - x)), with
 * an inverse (none if zeta = x, a point of H, which zh already excludes). */
static por_ext_target lagrange(por_builder *b, por_ext_target zh, por_ext_target zeta, gl_t x, size_t n)
{
    por_ext_target xe = por_ext_constant(b, gl2_from_base(x));
    por_ext_target d = por_ext_scalar_mul(b, gl_from_u64(n), por_ext_sub(b, zeta, xe));
    return por_ext_mul(b, por_ext_scalar_mul(b, x, zh), por_ext_inverse(b, d));
}

int por_rec_plonk_verify(por_builder *b, const por_plonk_vk *vk, const por_rec_plonk_proof *proof)
{
    const por_circuit_config *cfg = &vk->config;
    const size_t cap = (size_t)1 << cfg->cap_height;
    por_pcs_shape shape;
    por_plonk_vk_shape(vk, &shape);
    size_t off[NUM_BATCHES], P = 0;
    for (unsigned bi = 0; bi < NUM_BATCHES; bi++) {
        off[bi] = P;
        P += shape.batches[bi].num_polys;
    }
    const por_ext_target *ev0 = proof->opening.evals, *ev1 = proof->opening.evals + P;

    /* challenges: the key's part of the transcript is native (constants) */
    por_transcript t;
    por_plonk_transcript_key(&t, vk);
    por_rec_challenger c;
    por_rec_challenger_from_native(b, &c, &t);
    por_target pi_hash[4];
    por_builder_hash(b, POR_DOMAIN_PUBLIC_INPUTS, proof->public_inputs, vk->num_public_inputs, pi_hash);
    por_rec_challenger_observe_digest(b, &c, pi_hash);
    observe_cap(b, &c, proof->wires_cap, cap);
    por_ext_target beta = squeeze_ext(b, &c), gamma = squeeze_ext(b, &c);
    const bool lk = cfg->lookup_bits != 0;
    por_ext_target delta = por_ext_zero(b);
    if (lk)
        delta = squeeze_ext(b, &c);
    observe_cap(b, &c, proof->zs_cap, cap);
    por_ext_target alpha = squeeze_ext(b, &c);
    observe_cap(b, &c, proof->quotient_cap, cap);
    por_ext_target zeta = squeeze_ext(b, &c);
    const size_t n = (size_t)1 << vk->degree_bits;
    por_ext_target one = por_ext_one(b);
    por_ext_target zh = por_ext_sub(b, por_ext_pow(b, zeta, n), one);
    por_ext_inverse(b, zh); /* zeta is not in H: zeta^n - 1 has an inverse */

    /* the vanishing identity at zeta */
    const size_t W = cfg->num_wires, R = cfg->num_routed_wires, K = cfg->num_constants;
    const size_t G = vk->num_gate_types, S = vk->num_constraint_slots;
    const size_t m = vk->num_perm_chunks, cs = vk->perm_chunk_size, q = vk->num_quotient_chunks;
    por_ext_target wires[POR_MAX_WIRES], consts[POR_MAX_CONSTANTS], pi[4];
    por_ext_target *slots = malloc((2 * (size_t)POR_MAX_WIRES + S) * sizeof(por_ext_target));
    if (!slots) {
        por_builder_fail(b, "out of memory");
        return -1;
    }
    por_ext_target *tmp = slots + S;
    for (size_t j = 0; j < W; j++)
        wires[j] = ev0[off[B_WIRES] + j];
    for (size_t k = 0; k < K; k++)
        consts[k] = ev0[off[B_PRE] + G + k];
    for (int i = 0; i < 4; i++)
        pi[i] = por_ext_from_base(b, pi_hash[i]);
    for (size_t k = 0; k < S; k++)
        slots[k] = por_ext_zero(b);
    por_ext_target s_lk = por_ext_zero(b);
    for (size_t g = 0; g < G; g++) {
        const por_gate *gt = &vk->gate_types[g];
        por_ext_target sel = ev0[off[B_PRE] + g];
        if (gt->lookup_bits)
            s_lk = por_ext_add(b, s_lk, sel);
        gt->vt->eval_circuit(gt, b, wires, consts, pi, tmp);
        for (size_t k = 0; k < gt->num_constraints; k++)
            slots[k] = por_ext_mul_add(b, sel, tmp[k], slots[k]);
    }
    por_ext_target acc = por_ext_reduce(b, alpha, slots, S), apow = por_ext_pow(b, alpha, S);
    free(slots);
    por_ext_target z = combine(b, ev0[off[B_ZS]], ev0[off[B_ZS] + 1]);
    por_ext_target znext = combine(b, ev1[off[B_ZS]], ev1[off[B_ZS] + 1]);
    por_ext_target l0 = lagrange(b, zh, zeta, 1, n);
    add_term(b, &acc, &apow, alpha, por_ext_mul(b, l0, por_ext_sub(b, z, one)));
    /* permutation chunks: beta zeta k_c with k_c = GL_GENERATOR^c */
    por_ext_target bzk = por_ext_mul(b, beta, zeta), prev = z;
    for (size_t j = 0; j < m; j++) {
        por_ext_target numv = one, denv = one;
        for (size_t col = j * cs; col < (j + 1) * cs && col < R; col++) {
            por_ext_target wg = por_ext_add(b, wires[col], gamma);
            numv = por_ext_mul(b, numv, por_ext_add(b, wg, bzk));
            denv = por_ext_mul(b, denv, por_ext_mul_add(b, beta, ev0[off[B_PRE] + G + K + col], wg));
            bzk = por_ext_scalar_mul(b, GL_GENERATOR, bzk);
        }
        por_ext_target next =
            j + 1 < m ? combine(b, ev0[off[B_ZS] + 2 * (j + 1)], ev0[off[B_ZS] + 2 * (j + 1) + 1]) : znext;
        add_term(b, &acc, &apow, alpha,
                 por_ext_sub(b, por_ext_mul(b, next, denv), por_ext_mul(b, prev, numv)));
        prev = next;
    }
    if (lk) {
        /* the lookup constraints, in the prover's order (plonk.h) */
        const size_t NG = vk->num_lookup_groups, gs = vk->lookup_group_size, F = cfg->lookup_first_wire;
        por_ext_target s_act = ev0[off[B_PRE] + G + K + R + 1], t_val = ev0[off[B_PRE] + G + K + R];
        por_ext_target mult = ev0[off[B_WIRES] + W], hsum = por_ext_zero(b);
        for (size_t g = 0; g < NG; g++) {
            por_ext_target prod = one, sum = por_ext_zero(b);
            for (size_t j = F + g * gs; j < F + (g + 1) * gs && j < W; j++) {
                por_ext_target d = por_ext_sub(b, delta, wires[j]);
                sum = por_ext_mul_add(b, sum, d, prod);
                prod = por_ext_mul(b, prod, d);
            }
            por_ext_target h = combine(b, ev0[off[B_ZS] + 2 * m + 2 * g], ev0[off[B_ZS] + 2 * m + 2 * g + 1]);
            hsum = por_ext_add(b, hsum, h);
            por_ext_target cg = por_ext_sub(b, por_ext_mul(b, h, prod), por_ext_mul(b, s_lk, sum));
            add_term(b, &acc, &apow, alpha, por_ext_mul(b, s_act, cg));
        }
        por_ext_target phi = combine(b, ev0[off[B_ZS] + 2 * m + 2 * NG], ev0[off[B_ZS] + 2 * m + 2 * NG + 1]);
        por_ext_target phinext = combine(b, ev1[off[B_ZS] + 2 * m + 2 * NG], ev1[off[B_ZS] + 2 * m + 2 * NG + 1]);
        por_ext_target step = por_ext_mul_add(
            b, por_ext_sub(b, por_ext_sub(b, phinext, phi), hsum), por_ext_sub(b, delta, t_val), mult);
        add_term(b, &acc, &apow, alpha, por_ext_mul(b, s_act, step));
        /* L_0(zeta) phi and L_b(zeta) phi, b = the blinding start */
        gl_t wb = gl_pow(gl_root_of_unity(vk->degree_bits),
                         n - vk->num_blind_regular - 2 * (size_t)vk->num_blind_pairs);
        add_term(b, &acc, &apow, alpha, por_ext_mul(b, l0, phi));
        add_term(b, &acc, &apow, alpha, por_ext_mul(b, lagrange(b, zh, zeta, wb, n), phi));
    }
    /* the quotient: sum_c zeta^(c m_q) t_c(zeta), Horner from the top chunk */
    por_ext_target zmq = por_ext_pow(b, zeta, vk->quotient_chunk_size), tz = por_ext_zero(b);
    for (size_t ch = q; ch-- > 0;)
        tz = por_ext_mul_add(b, tz, zmq, combine(b, ev0[off[B_QUOT] + 2 * ch], ev0[off[B_QUOT] + 2 * ch + 1]));
    por_ext_assert_equal(b, acc, por_ext_mul(b, zh, tz)); /* check: the vanishing identity at zeta */

    /* the openings at zeta and w zeta */
    por_ext_target points[2] = {zeta, por_ext_scalar_mul(b, gl_root_of_unity(vk->degree_bits), zeta)};
    por_rec_digest *pre = malloc(cap * sizeof(por_rec_digest));
    if (!pre) {
        por_builder_fail(b, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < cap; i++)
        por_rec_digest_constant(b, &vk->preprocessed_cap[i], &pre[i]); /* the pinned key */
    const por_rec_digest *caps[NUM_BATCHES] = {pre, proof->wires_cap, proof->zs_cap, proof->quotient_cap};
    int rc = por_rec_pcs_verify(b, &proof->opening, caps, points, &c);
    free(pre);
    return rc;
}

void por_rec_config_default(por_circuit_config *cfg)
{
    por_circuit_config_default(cfg);
    cfg->num_routed_wires = POR_REC_ROUTED_WIRES;
    cfg->num_queries = POR_REC_QUERIES;
    cfg->pow_bits = POR_REC_POW_BITS;
}
