/*
 * Every byte of small PLONK proofs is bound: each single-bit flip, at every
 * byte of the encoding, makes decoding or verification fail (test_plonk
 * samples about a hundred positions; this walks them all).  The proofs are
 * the smallest the library makes, where the encoding has its edge cases: a
 * few rows, one FRI reduction or none (the final polynomial is the whole
 * codeword's), a Merkle cap as high as the LDE tree (empty paths), with and
 * without zero knowledge (salts).  An accepted flip is reported with its
 * byte, bit and field (proof_layout.h, whose walk must end exactly at the
 * encoding's end).
 */
#include <stdlib.h>
#include <string.h>

#include "plonk/circuit.h"
#include "plonk/plonk.h"
#include "proof_fixtures.h"
#include "proof_layout.h"
#include "tap.h"

static uint64_t seed = 0x6279746573ULL;

/* Sanitized builds verify about 5x slower: there every structural byte and
 * every 4th other byte are flipped (still every bit position somewhere); the
 * plain build flips every byte. */
#if defined(__SANITIZE_ADDRESS__)
#define ELEMENT_STRIDE 4
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ELEMENT_STRIDE 4
#endif
#endif
#ifndef ELEMENT_STRIDE
#define ELEMENT_STRIDE 1
#endif

/* x -> x^2 + i + 3, steps times; public inputs x0 and the result. */
static por_circuit *chain(const por_circuit_config *cfg, int steps, por_target *in)
{
    por_builder *b = por_builder_new(cfg);
    por_target x = por_builder_add_virtual(b);
    *in = x;
    for (int i = 0; i < steps; i++)
        x = por_builder_add_const(b, por_builder_mul(b, x, x), gl_from_u64((uint64_t)i + 3));
    por_builder_register_public_input(b, *in);
    por_builder_register_public_input(b, x);
    const char *why = NULL;
    por_circuit *c = por_builder_build(b, &why);
    if (c == NULL)
        diag("build: %s", why);
    por_builder_free(b);
    return c;
}

/* Flips every bit of each structural byte (magic, versions, counts,
 * parameters, flags: where a tolerant decoder would hide a second encoding)
 * and bit pos mod 8 of each byte of a field element or digest (so every bit
 * position of every element's 8-byte words is flipped somewhere). */
static void flip_every_byte(const char *name, const por_plonk_vk *vk, const por_plonk_proof *honest,
                            const uint8_t *buf, size_t len)
{
    uint8_t *mod = malloc(len);
    size_t tried = 0, accepted = 0;
    char field[160];
    for (size_t pos = 0; pos < len; pos++) {
        bool structural = proof_layout_name(honest, pos, field, sizeof(field)) < 8;
        if (!structural && (pos / 8) % ELEMENT_STRIDE != 0)
            continue;
        for (unsigned bit = structural ? 0 : pos % 8; bit < (structural ? 8 : pos % 8 + 1); bit++) {
            memcpy(mod, buf, len);
            mod[pos] ^= (uint8_t)(1u << bit);
            por_plonk_proof p;
            const char *why = NULL;
            tried++;
            if (por_plonk_proof_deserialize(mod, len, &p, &why) == 0 && por_plonk_verify(vk, &p, &why) == 0) {
                proof_layout_name(honest, pos, field, sizeof(field));
                diag("%s: the flip of bit %u of byte %zu (%s) is accepted", name, bit, pos, field);
                accepted++;
            }
            por_plonk_proof_free(&p);
        }
    }
    ok(accepted == 0, "%s: %zu of %zu single-bit flips (%s of the %zu bytes) accepted", name, accepted, tried,
       ELEMENT_STRIDE == 1 ? "at each" : "at the structural ones and every 4th 8-byte word", len);
    free(mod);
}

static void test_every_byte(const char *name, bool zk, unsigned cap_height, unsigned queries, int steps)
{
    por_circuit_config cfg;
    test_fast_config(&cfg);
    cfg.zero_knowledge = zk;
    cfg.cap_height = cap_height;
    cfg.num_queries = queries;
    por_target in;
    por_circuit *c = chain(&cfg, steps, &in);
    const char *why = NULL;
    por_plonk_prover *pk = c != NULL ? por_plonk_setup(c, NULL, &why) : NULL;
    por_witness *w = pk != NULL ? por_witness_new(c) : NULL;
    por_plonk_proof proof;
    memset(&proof, 0, sizeof(proof));
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = -1;
    if (w != NULL) {
        por_witness_set(w, in, gl_from_u64(test_rand_u64(&seed)));
        uint64_t rs = test_rand_u64(&seed);
        por_plonk_prove_opts opts = {.rand = test_rand_fields, .rand_ctx = &rs};
        rc = por_plonk_prove(pk, w, NULL, &opts, &proof, &why);
        if (rc == 0)
            rc = por_plonk_verify(por_plonk_prover_vk(pk), &proof, &why);
        if (rc == 0)
            rc = por_plonk_proof_serialize(&proof, &buf, &len);
    }
    const por_fri_params *p = &proof.opening.params;
    ok(rc == 0, "%s: proves and verifies (degree_bits %u, %u FRI reductions, cap %u of an LDE tree of height %u, "
                "%u queries, %zu bytes) (%s)",
       name, p->degree_bits, p->num_reductions, p->cap_height, por_fri_lde_bits(p), p->num_queries, len,
       why ? why : "ok");
    if (rc == 0) {
        char last[160], past[160];
        size_t last_size = proof_layout_name(&proof, len - 1, last, sizeof(last));
        ok(last_size != 0 && proof_layout_name(&proof, len, past, sizeof(past)) == 0,
           "%s: the field map covers exactly the encoding (its last byte: %s)", name, last);
        flip_every_byte(name, por_plonk_prover_vk(pk), &proof, buf, len);
    }
    free(buf);
    por_plonk_proof_free(&proof);
    por_witness_free(w);
    por_plonk_prover_free(pk);
    por_circuit_free(c);
}

int main(void)
{
    test_every_byte("zk, cap 1", true, 1, 2, 1);
    test_every_byte("no zk, cap = LDE tree", false, 6, 2, 1);
    return done_testing();
}
