/*
 * The soundness claim of PLONK proofs (plonk_soundness.h).
 */
#include "plonk/plonk_soundness.h"

#include <math.h>

int por_plonk_soundness(const por_plonk_vk *vk, unsigned degree_bits, por_soundness *out)
{
    const por_circuit_config *cfg = &vk->config;
    unsigned db = degree_bits ? degree_bits : vk->degree_bits;
    if (db > POR_FRI_MAX_LDE_BITS)
        return -1;
    por_soundness_input in;
    unsigned final_bits = cfg->final_poly_bits < db ? cfg->final_poly_bits : db;
    if (por_fri_params_init(&in.fri, db, cfg->rate_bits, cfg->cap_height, cfg->num_queries, cfg->pow_bits,
                            cfg->arity_bits, final_bits) != 0)
        return -1;
    /* the quotient's chunks at this size (plonk.h) */
    double n = ldexp(1.0, (int)db), h = (double)por_circuit_quotient_mask_len(cfg);
    if (h >= n)
        return -1;
    double q = ceil((cfg->max_degree * (n - 1) - n + 1) / (n - h));
    por_pcs_shape s;
    por_plonk_vk_shape(vk, &s);
    double polys = (double)por_pcs_shape_total_polys(&s) - 2.0 * vk->num_quotient_chunks + 2 * q;
    in.num_functions = polys * s.num_points + 1;
    const bool lk = cfg->lookup_bits != 0;
    double alphas = vk->num_constraint_slots + 1 + vk->num_perm_chunks + (lk ? vk->num_lookup_groups + 3 : 0);
    in.iop_degree = (alphas - 1) + (cfg->max_degree + 1) * n + cfg->num_routed_wires * n +
                    (lk ? (cfg->num_wires - cfg->lookup_first_wire + 1) * n : 0);
    por_soundness_estimate(&in, out);
    return 0;
}
