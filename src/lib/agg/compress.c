/* The compression circuit (compress.h). */
#include "agg/compress.h"

#include <stdlib.h>
#include <string.h>

/* The library's recursive configuration (recursion/plonk_circuit.h) at the
 * compression parameters (compress.h says why these). */
void por_agg_compress_config(por_circuit_config *cfg)
{
    por_rec_config_default(cfg);
    cfg->num_routed_wires = POR_AGG_COMPRESS_ROUTED_WIRES;
    cfg->rate_bits = POR_AGG_COMPRESS_RATE_BITS;
    cfg->num_queries = POR_AGG_COMPRESS_QUERIES;
    cfg->pow_bits = POR_AGG_COMPRESS_POW_BITS;
    cfg->zero_knowledge = 1;
}

void por_agg_compress_free(por_agg_compress_circuit *cc)
{
    if (cc == NULL)
        return;
    por_rec_plonk_proof_free(&cc->top);
    free(cc->statement);
    por_circuit_free(cc->circuit);
    free(cc);
}

por_agg_compress_circuit *por_agg_compress_build(const por_agg_shape *shape, unsigned levels,
                                                 const por_plonk_vk *top_vk, const por_circuit_config *cfg,
                                                 const char **why)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    const char *bad = por_agg_shape_check(shape);
    if (bad != NULL) {
        *why = bad;
        return NULL;
    }
    const size_t n = por_agg_num_public_inputs(shape->asset_count), index = n - 2;
    if (levels < 1 || levels > POR_AGG_MAX_LEVELS || top_vk == NULL || top_vk->num_public_inputs != n) {
        *why = "compression: the pinned key is not an aggregation key of this shape";
        return NULL;
    }
    por_circuit_config conf;
    por_agg_compress_config(&conf);
    por_agg_compress_circuit *cc = calloc(1, sizeof(*cc));
    por_builder *b = por_builder_new(cfg != NULL ? cfg : &conf);
    if (cc == NULL || b == NULL || (cc->statement = calloc(n, sizeof(*cc->statement))) == NULL) {
        por_builder_free(b);
        free(cc);
        *why = "out of memory";
        return NULL;
    }
    cc->shape = *shape;
    cc->levels = levels;
    cc->top_vk = top_vk;
    por_rec_plonk_proof_add(b, top_vk, &cc->top);
    por_rec_plonk_verify(b, top_vk, &cc->top); /* check: the top node's proof verifies under the pinned key */
    por_builder_assert_zero(b, cc->top.public_inputs[index]); /* check: it is node 0 of its level */
    for (size_t i = 0; i < n; i++) {
        cc->statement[i] = por_builder_add_virtual(b);
        por_builder_assert_equal(b, cc->statement[i], cc->top.public_inputs[i]); /* check: the statement is the top's */
        por_builder_register_public_input(b, cc->statement[i]);
    }
    cc->circuit = por_builder_build(b, why);
    por_builder_free(b);
    if (cc->circuit == NULL) {
        por_agg_compress_free(cc);
        return NULL;
    }
    return cc;
}

int por_agg_compress_witness(const por_agg_compress_circuit *cc, const por_plonk_proof *top, bool unchecked,
                             por_witness **out, const char **why)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    *out = NULL;
    const size_t n = por_agg_num_public_inputs(cc->shape.asset_count);
    if (top == NULL || top->public_inputs == NULL || top->num_public_inputs != n) {
        *why = "compression: the inner proof does not carry an aggregation statement";
        return -1;
    }
    por_witness *w = por_witness_new(cc->circuit);
    if (w == NULL) {
        *why = "out of memory";
        return -1;
    }
    int rc = por_rec_plonk_proof_set(w, cc->top_vk, &cc->top, top);
    for (size_t i = 0; i < n; i++)
        rc |= por_witness_set(w, cc->statement[i], top->public_inputs[i]);
    if (!unchecked && (rc != 0 || por_witness_generate(w, why) != 0)) {
        if (rc != 0)
            *why = "compression: the inner proof is not of the pinned key's shape, or not of node 0";
        por_witness_free(w);
        return -1;
    }
    *out = w;
    return 0;
}
