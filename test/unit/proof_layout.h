/*
 * Names the field of a serialized PLONK proof (plonk.h, pcs.h, fri.h
 * layouts) that holds a given byte, so a tamper test that finds an accepted
 * flip says where it is ("pcs.query[3].batch[1].path[2]", "fri.pow_nonce")
 * instead of only its offset.  The layout is walked from the decoded honest
 * proof's parameters and shape, in the serializers' order.
 */
#ifndef POR_TEST_PROOF_LAYOUT_H
#define POR_TEST_PROOF_LAYOUT_H

#include <stdio.h>

#include "commit/fri.h"
#include "commit/pcs.h"
#include "plonk/plonk.h"

typedef struct {
    size_t pos;      /* the byte looked up, relative to the current base */
    const char *hit; /* the field's name once found */
    size_t index[3]; /* its indices (as many as the name has brackets) */
    size_t offset;   /* the byte's offset inside one element of the field */
    size_t size;     /* the element's size in bytes */
} proof_layout_walk;

/* Consumes a field of count elements of size bytes; true once pos is in it. */
static inline bool proof_layout_field(proof_layout_walk *w, const char *name, size_t count, size_t size, size_t i0,
                                      size_t i1)
{
    if (w->hit != NULL)
        return true;
    if (w->pos < count * size) {
        w->hit = name;
        w->index[0] = i0;
        w->index[1] = i1;
        w->index[2] = w->pos / size;
        w->offset = w->pos % size;
        w->size = size;
        return true;
    }
    w->pos -= count * size;
    return false;
}

/* Writes the name of the field holding byte pos of proof's encoding into out;
 * returns the size of its elements: below 8 for the structural fields (magic,
 * versions, counts, parameters, flags), 8, 16 or 32 for field elements,
 * extension elements and digests; 0 past the end. */
static inline size_t proof_layout_name(const por_plonk_proof *proof, size_t pos, char *out, size_t n)
{
    const por_fri_params *p = &proof->opening.params;
    const por_pcs_shape *s = &proof->opening.shape;
    const size_t cap = (size_t)1 << proof->cap_height, P = por_pcs_shape_total_polys(s);
    const size_t plen = por_fri_lde_bits(p) - p->cap_height;
    const size_t vpq = por_fri_values_per_query(p), ppq = por_fri_path_per_query(p);
    proof_layout_walk w = {.pos = pos};
    proof_layout_field(&w, "plonk.magic", 1, 4, 0, 0);
    proof_layout_field(&w, "plonk.version", 1, 4, 0, 0);
    proof_layout_field(&w, "plonk.circuit_digest", 1, 32, 0, 0);
    proof_layout_field(&w, "plonk.num_public_inputs", 1, 4, 0, 0);
    proof_layout_field(&w, "plonk.public_input[%zu]", proof->num_public_inputs, 8, 0, 0);
    proof_layout_field(&w, "plonk.cap_height", 1, 4, 0, 0);
    proof_layout_field(&w, "plonk.wires_cap[%zu]", cap, 32, 0, 0);
    proof_layout_field(&w, "plonk.zs_cap[%zu]", cap, 32, 0, 0);
    proof_layout_field(&w, "plonk.quotient_cap[%zu]", cap, 32, 0, 0);
    proof_layout_field(&w, "pcs.magic", 1, 4, 0, 0);
    proof_layout_field(&w, "pcs.version", 1, 4, 0, 0);
    proof_layout_field(&w, "pcs.params (degree, rate, cap, queries, pow, final, reductions)[%zu]", 7, 4, 0, 0);
    proof_layout_field(&w, "pcs.reduction_bits[%zu]", p->num_reductions, 1, 0, 0);
    proof_layout_field(&w, "pcs.num_points, num_batches[%zu]", 2, 4, 0, 0);
    proof_layout_field(&w, "pcs.batch shape (num_polys u32, salted u8)[%zu]", s->num_batches, 5, 0, 0);
    proof_layout_field(&w, "pcs.eval[%zu] (point, poly)", s->num_points * P, 16, 0, 0);
    proof_layout_field(&w, "fri.cap[%zu]", por_fri_total_caps(p), 32, 0, 0);
    proof_layout_field(&w, "fri.final_poly[%zu]", (size_t)1 << p->final_poly_bits, 16, 0, 0);
    proof_layout_field(&w, "fri.pow_nonce", 1, 8, 0, 0);
    for (size_t q = 0; q < p->num_queries; q++) {
        proof_layout_field(&w, "fri.query[%zu].value[%zu]", vpq, 16, q, 0);
        proof_layout_field(&w, "fri.query[%zu].path[%zu]", ppq, 32, q, 0);
    }
    for (size_t q = 0; q < p->num_queries; q++)
        for (size_t b = 0; b < s->num_batches; b++) {
            proof_layout_field(&w, "pcs.query[%zu].batch[%zu].row[%zu]", s->batches[b].num_polys, 8, q, b);
            if (s->batches[b].salted)
                proof_layout_field(&w, "pcs.query[%zu].batch[%zu].salt[%zu]", POR_MERKLE_SALT, 8, q, b);
            proof_layout_field(&w, "pcs.query[%zu].batch[%zu].path[%zu]", plen, 32, q, b);
        }
    if (w.hit == NULL) {
        snprintf(out, n, "past the end (%zu bytes over)", w.pos);
        return 0;
    }
    /* the name's indices: the query's and batch's (those it has), then the element's */
    size_t brackets = 0, arg[3] = {0, 0, 0}, k = 0;
    for (const char *c = w.hit; *c; c++)
        brackets += c[0] == '%' && c[1] == 'z';
    for (size_t i = 0; i + 1 < brackets; i++)
        arg[k++] = w.index[i];
    arg[k] = w.index[2];
    char name[96];
    snprintf(name, sizeof(name), w.hit, arg[0], arg[1], arg[2]);
    snprintf(out, n, "%s byte %zu", name, w.offset);
    return w.size;
}

#endif
