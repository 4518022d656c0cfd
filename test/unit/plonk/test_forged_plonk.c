/*
 * The malicious prover against the vanishing polynomial's boundary and
 * running-sum constraints (the mutation tests' attacks, test/mutation):
 * a prover hook forges the permutation batch (Z, partial products, lookup
 * helpers and phi) so that every constraint holds except the one under
 * test.  With the constraint in place the prover refuses the witness and
 * the forced proof is rejected; without it (its mutant) the forgery
 * verifies.  The circuit: range-checked values by lookups (zero knowledge
 * on, as in production) and a public sum, the shape of test_lookup.c.
 *   - a copy constraint broken, Z and the partial products all 0: only the
 *     boundary L_0 (Z - 1) refuses;
 *   - a looked-up "-1", phi shifted by a constant so it ends at 0 (but does
 *     not start at 0): only the boundary L_0 phi refuses;
 *   - the same, the difference put into one helper value instead: only the
 *     helper constraint refuses;
 *   - the same, phi set to 0 on the active rows: only the running sum's
 *     step refuses;
 *   - the same, multiplicities, helpers and phi all 0 on the active rows (as
 *     if no row were a lookup row): only the helper constraint's lookup
 *     selector s_lk refuses;
 *   - a value 2^24 + 3 with the (in-table) sublimbs of 3: only the
 *     range-lookup gate's recomposition refuses;
 * and an honest proof changed in memory: a non-canonical public input, a
 * cap height other than the key's; and its encoding truncated inside the
 * caps, against a guard page (the decoder must not read past the end).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lookup_fixture.h"
#include "tap.h"

static uint64_t seed = 0x666f72676564ULL;

static void set_cell(fixture *f, por_witness *w, size_t row, unsigned col, gl_t v)
{
    w->values[por_circuit_slot(f->c, (por_target){(uint32_t)(row * f->c->config.num_wires + col)})] = v;
}

/* Value 0 of the first lookup row rewritten as x ^ 1 in the prover's wire
 * columns, its sublimbs recomputed: the row's gate constraints and lookups
 * hold, its copy constraint to the input (and the sum) does not.  (The
 * witness has one slot per copy class, so only the prover's columns can
 * tell the cells apart.) */
static void break_copy_cols(void *ctx, gl_t **cols, size_t ncols, size_t n)
{
    const fixture *f = *(fixture *const *)ctx;
    gl_t row[POR_MAX_WIRES] = {0};
    (void)n;
    for (size_t j = 0; j < ncols; j++)
        row[j] = cols[j][f->row];
    row[0] ^= 1;
    f->gate.vt->generate(&f->gate, 0, NULL, row);
    for (size_t j = 0; j < ncols; j++)
        cols[j][f->row] = row[j];
}

/* (the copy is broken in the prover's columns: break_copy_cols) */
static void witness_as_is(fixture *f, por_witness *w) { (void)f, (void)w; }

/* Input 1 = p - 1 ("-1", the sum computed with it) rewritten with sublimbs
 * (p - 1, 0, ...): it recomposes, but a looked-up cell is outside the
 * table, so the lookup sum is not 0. */
static void minus_one(fixture *f, por_witness *w)
{
    set_cell(f, w, f->row, por_range_lookup_cell_wire(&f->gate, 1, 0), GL_P - 1);
    for (unsigned j = 1; j < por_range_lookup_cells(&f->gate); j++)
        set_cell(f, w, f->row, por_range_lookup_cell_wire(&f->gate, 1, j), 0);
}

typedef enum { AS_IS, ZERO_Z, PHI_SHIFT, HELPER_FORGED, PHI_ZERO, NO_LOOKUPS } forgery;

typedef struct {
    fixture *f; /* first: break_copy_cols reads it */
    forgery kind;
} forge_ctx;

static gl2_t col_get(gl_t **cols, size_t k, size_t i) { return (gl2_t){cols[k][i], cols[k + 1][i]}; }
static void col_set(gl_t **cols, size_t k, size_t i, gl2_t v) { cols[k][i] = v.c0, cols[k + 1][i] = v.c1; }

static void forge_permutation(void *ctx, gl_t **cols, size_t ncols, size_t n)
{
    forge_ctx *fc = ctx;
    const por_plonk_vk *vk = por_plonk_prover_vk(fc->f->pk);
    const size_t m = vk->num_perm_chunks, NG = vk->num_lookup_groups, bs = fc->f->c->blind_start;
    const size_t phi = 2 * m + 2 * NG;
    if (phi + 2 != ncols || fc->kind == AS_IS)
        return;
    if (fc->kind == ZERO_Z) {
        for (size_t k = 0; k < 2 * m; k++)
            memset(cols[k], 0, n * sizeof(gl_t));
        return;
    }
    if (fc->kind == NO_LOOKUPS) {
        for (size_t k = 2 * m; k < ncols; k++)
            memset(cols[k], 0, (bs + 1) * sizeof(gl_t));
        return;
    }
    gl2_t end = col_get(cols, phi, bs);
    for (size_t i = 0; i <= bs; i++) {
        gl2_t v = col_get(cols, phi, i);
        if (fc->kind == PHI_SHIFT)
            col_set(cols, phi, i, gl2_sub(v, end));
        else if (fc->kind == PHI_ZERO)
            col_set(cols, phi, i, (gl2_t){0, 0});
        else if (i > fc->f->row)
            col_set(cols, phi, i, gl2_sub(v, end));
    }
    if (fc->kind == HELPER_FORGED)
        col_set(cols, 2 * m, fc->f->row, gl2_sub(col_get(cols, 2 * m, fc->f->row), end));
}

static void zero_multiplicities(void *ctx, gl_t *m, size_t n)
{
    (void)ctx;
    memset(m, 0, n * sizeof(gl_t));
}

/* Honest inputs, broken by `breaker`; the prover refuses; forced through
 * with the forgery, the verifier rejects. */
static void attack(fixture *f, gl_t in1, void (*breaker)(fixture *, por_witness *), forgery kind, const char *what)
{
    por_witness *w = fixture_witness(f, &seed, 1, in1);
    const char *why = NULL;
    if (!ok(w != NULL, "%s: witness generated", what))
        return;
    breaker(f, w);
    uint64_t rs = 7;
    forge_ctx fc = {f, kind};
    por_plonk_prove_opts opts = {.rand = test_rand_fields, .rand_ctx = &rs, .tamper_permutation = forge_permutation,
                                 .tamper_ctx = &fc};
    if (kind == ZERO_Z)
        opts.tamper_wires = break_copy_cols;
    if (kind == NO_LOOKUPS)
        opts.tamper_multiplicities = zero_multiplicities;
    por_plonk_proof proof;
    int rc = por_plonk_prove(f->pk, w, NULL, &opts, &proof, &why);
    ok(rc != 0, "%s: the prover refuses (%s)", what, rc ? why : "proved!");
    por_plonk_proof_free(&proof);
    opts.unchecked = true;
    rc = por_plonk_prove(f->pk, w, NULL, &opts, &proof, &why);
    ok(rc == 0, "%s: forced through the prover (%s)", what, rc ? why : "ok");
    const char *vwhy = NULL;
    int vrc = rc == 0 ? por_plonk_verify(por_plonk_prover_vk(f->pk), &proof, &vwhy) : -1;
    ok(rc == 0 && vrc != 0, "%s: the verifier rejects the forgery (%s)", what, vrc ? vwhy : "accepted!");
    por_plonk_proof_free(&proof);
    por_witness_free(w);
}

/* The first `len` bytes of an encoded proof, ending right against an
 * unreadable page: a decoder that reads past them crashes the test. */
static void decode_against_guard(const uint8_t *bytes, size_t len, const char *what)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), pages = (len + page - 1) / page + 1;
    uint8_t *map = mmap(NULL, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!ok(map != MAP_FAILED && mprotect(map + (pages - 1) * page, page, PROT_NONE) == 0, "%s: guard page", what))
        return;
    uint8_t *in = map + (pages - 1) * page - len;
    memcpy(in, bytes, len);
    por_plonk_proof dec;
    const char *why = NULL;
    int rc = por_plonk_proof_deserialize(in, len, &dec, &why);
    ok(rc != 0, "%s: refused without reading past the end (%s)", what, rc ? why : "accepted!");
    por_plonk_proof_free(&dec);
    munmap(map, pages * page);
}

/* The forging hook leaves honest proofs honest: the same opts without
 * breaking anything prove and verify (so the attacks test what they say). */
static void honest_with_hook(fixture *f)
{
    por_witness *w = fixture_witness(f, &seed, VALUES, 0);
    uint64_t rs = 9;
    forge_ctx fc = {f, PHI_SHIFT}; /* phi ends at 0: the shift is 0 */
    por_plonk_prove_opts opts = {.rand = test_rand_fields, .rand_ctx = &rs, .tamper_permutation = forge_permutation,
                                 .tamper_ctx = &fc};
    por_plonk_proof proof;
    const char *why = NULL;
    int rc = por_plonk_prove(f->pk, w, NULL, &opts, &proof, &why);
    ok(rc == 0 && por_plonk_verify(por_plonk_prover_vk(f->pk), &proof, &why) == 0,
       "an honest witness through the hook proves and verifies (%s)", why ? why : "ok");
    /* the same proof in memory with a non-canonical public input (the same
     * field element, another integer: a statement decoded from it would
     * differ), then with another cap height field */
    if (rc == 0) {
        gl_t pi = proof.public_inputs[0];
        proof.public_inputs[0] = pi + GL_P;
        int vrc = por_plonk_verify(por_plonk_prover_vk(f->pk), &proof, &why);
        ok(pi < GL_EPSILON && vrc != 0, "a public input v + p is rejected (%s)", vrc ? why : "accepted!");
        proof.public_inputs[0] = pi;
        proof.cap_height--;
        vrc = por_plonk_verify(por_plonk_prover_vk(f->pk), &proof, &why);
        ok(vrc != 0, "another cap height is rejected (%s)", vrc ? why : "accepted!");
        proof.cap_height++;
        /* truncated inside the caps (the header announces them) */
        uint8_t *bytes = NULL;
        size_t len = 0;
        if (ok(por_plonk_proof_serialize(&proof, &bytes, &len) == 0, "the proof encodes"))
            decode_against_guard(bytes, 44 + 8 * proof.num_public_inputs + 4 + 40, "truncated in the caps");
        free(bytes);
    }
    por_plonk_proof_free(&proof);
    por_witness_free(w);
}

int main(void)
{
    fixture f;
    if (!ok(fixture_build(&f), "lookup circuit with zero knowledge builds")) {
        fixture_free(&f);
        return done_testing();
    }
    honest_with_hook(&f);
    attack(&f, 5, witness_as_is, ZERO_Z, "copy constraint broken, Z = 0");
    attack(&f, GL_P - 1, minus_one, PHI_SHIFT, "-1 looked up, phi shifted to end at 0");
    attack(&f, GL_P - 1, minus_one, HELPER_FORGED, "-1 looked up, a helper value forged");
    attack(&f, GL_P - 1, minus_one, PHI_ZERO, "-1 looked up, phi = 0 on the active rows");
    attack(&f, GL_P - 1, minus_one, NO_LOOKUPS, "-1 looked up, multiplicities, helpers and phi all 0");
    /* the generated sublimbs of 2^(T nl) + 3 (its low T nl bits: those of 3,
     * all in the table) do not recompose it */
    gl_t past = (gl_t)1 << (T_BITS * por_range_lookup_sublimbs(&f.gate));
    attack(&f, past + 3, witness_as_is, AS_IS, "2^(T nl) + 3 with the sublimbs of 3");
    fixture_free(&f);
    return done_testing();
}
