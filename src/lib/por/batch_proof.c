/* Batch proof envelopes (PORF kind 2) and batch verifier keys. */
#include "por/batch_proof.h"

#include <stdlib.h>
#include <string.h>

#include "por/envelope.h"
#include "por/inclusion.h" /* POR_FORMAT_VERSION */

/* after the envelope's prefix: snapshot id, batch number, k, A, B */
#define FIELD_BYTES (8 + 8 + 1 + 2 + 1)

void por_batch_proof_free(por_batch_proof *bp)
{
    if (bp == NULL)
        return;
    por_plonk_proof_free(&bp->proof);
    memset(&bp->proof, 0, sizeof(bp->proof));
}

/*
 * The shape and label ranges of the format, shared by encode and decode so
 * neither side accepts what the other refuses.  batch_no < 2^(40 - k): a
 * snapshot has at most 2^POR_MAX_DEPTH leaves.
 */
static const char *shape_ranges(uint64_t k, uint64_t A, uint64_t B)
{
    if (k > POR_BATCH_MAX_LOG2)
        return "batch_log2 out of range (0..20)";
    if (A < 1 || A > POR_MAX_ASSETS)
        return "asset count out of range (1..256)";
    if (B < 1 || B > 62)
        return "balance_bits out of range (1..62)";
    return NULL;
}

static const char *check_header(uint64_t snapshot_id, uint64_t batch_no, uint64_t k, uint64_t A, uint64_t B)
{
    if (snapshot_id >> 63)
        return "snapshot id is not below 2^63";
    const char *bad = shape_ranges(k, A, B);
    if (bad != NULL)
        return bad;
    if (batch_no >> (POR_MAX_DEPTH - k))
        return "batch number out of range (the tree has at most 2^40 leaves)";
    return NULL;
}

/* The proof's public inputs are exactly the statement (both ways round). */
static bool statement_matches(const por_batch_proof *bp)
{
    if (bp->proof.num_public_inputs != por_batch_num_public_inputs(bp->asset_count) ||
        bp->proof.public_inputs == NULL || bp->statement.asset_count != bp->asset_count)
        return false;
    por_batch_public decoded;
    if (por_batch_public_decode(bp->proof.public_inputs, bp->proof.num_public_inputs, bp->asset_count,
                                &decoded) != 0)
        return false;
    return por_batch_public_equal(&decoded, &bp->statement);
}

uint8_t *por_batch_proof_encode(const por_batch_proof *bp, size_t *out_len)
{
    if (bp == NULL ||
        check_header(bp->snapshot_id, bp->batch_no, bp->batch_log2, bp->asset_count, bp->balance_bits) != NULL ||
        !statement_matches(bp))
        return NULL;
    uint8_t fields[FIELD_BYTES];
    por_le_put(fields, bp->snapshot_id, 8);
    por_le_put(fields + 8, bp->batch_no, 8);
    por_le_put(fields + 16, bp->batch_log2, 1);
    por_le_put(fields + 17, bp->asset_count, 2);
    por_le_put(fields + 19, bp->balance_bits, 1);
    return por_envelope_wrap(POR_FORMAT_VERSION, POR_KIND_BATCH, fields, FIELD_BYTES, &bp->proof, out_len);
}

/*
 * The fixed header first (every field checked before anything is
 * allocated), then the PLONK proof, whose own decoder is canonical and
 * bounded by the length given here, which must be exactly what remains.
 */
static const char *decode_fields(const uint8_t *buf, size_t len, por_batch_proof *out)
{
    const char *bad =
        por_envelope_open(buf, len, POR_FORMAT_VERSION, POR_KIND_BATCH, FIELD_BYTES, "not a batch proof (wrong kind)");
    if (bad != NULL)
        return bad;
    const uint8_t *f = buf + POR_ENVELOPE_PREFIX;
    uint64_t snapshot_id = por_le_get(f, 8), batch_no = por_le_get(f + 8, 8);
    uint64_t k = f[16], A = por_le_get(f + 17, 2), B = f[19];
    bad = check_header(snapshot_id, batch_no, k, A, B);
    if (bad != NULL)
        return bad;
    out->snapshot_id = snapshot_id;
    out->batch_no = batch_no;
    out->batch_log2 = (uint32_t)k;
    out->asset_count = (uint32_t)A;
    out->balance_bits = (uint32_t)B;
    bad = por_envelope_proof(buf, len, FIELD_BYTES, &out->proof);
    if (bad != NULL)
        return bad;
    if (out->proof.num_public_inputs != por_batch_num_public_inputs(out->asset_count))
        return "the PLONK proof does not have 8 + 4A public inputs";
    if (por_batch_public_decode(out->proof.public_inputs, out->proof.num_public_inputs, out->asset_count,
                                &out->statement) != 0)
        return "a total's low limb is not below 2^32";
    return NULL;
}

int por_batch_proof_decode(const uint8_t *buf, size_t len, por_batch_proof *out, const char **why)
{
    memset(out, 0, sizeof(*out));
    const char *reason = buf == NULL ? "no input" : decode_fields(buf, len, out);
    if (reason == NULL)
        return 0;
    por_batch_proof_free(out);
    memset(out, 0, sizeof(*out));
    if (why != NULL)
        *why = reason;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Verifier keys */

void por_batch_vk_free(por_batch_vk *vk)
{
    if (vk == NULL)
        return;
    por_plonk_vk_free(&vk->vk);
    memset(vk, 0, sizeof(*vk));
}

/* ------------------------------------------------------------------------ */
/* The cost cap (batch_proof.h) */

const char *por_batch_shape_check(unsigned batch_log2, unsigned asset_count, unsigned balance_bits)
{
    const char *bad = shape_ranges(batch_log2, asset_count, balance_bits);
    if (bad != NULL)
        return bad;
    if (batch_log2 > POR_BATCH_CAP_LOG2)
        return "batch shape too large for the verifier's cap: batch_log2 above 12";
    if (((uint64_t)asset_count << batch_log2) > POR_BATCH_MAX_ACCOUNT_ASSETS)
        return "batch shape too large for the verifier's cap: 2^batch_log2 * assets above 2^17";
    return NULL;
}

/*
 * Builds the circuit of a shape within the header cap and requires at most
 * 2^POR_BATCH_CAP_DEGREE_BITS rows, and exactly 2^want_degree_bits if
 * want_degree_bits >= 0.  The circuit, or NULL with *why.
 */
static por_batch_circuit *build_within_cap(unsigned k, unsigned A, unsigned B, int want_degree_bits, const char **why)
{
    const char *bad = por_batch_shape_check(k, A, B);
    if (bad != NULL) {
        *why = bad;
        return NULL;
    }
    /* NULL cfg: the production configuration, so a key cannot be derived
     * weaker than the one the prover used without the digests differing */
    por_batch_circuit *bc = por_batch_circuit_build(k, A, B, true, NULL, why);
    if (bc == NULL)
        return NULL;
    bad = NULL;
    if (bc->circuit->degree_bits > POR_BATCH_CAP_DEGREE_BITS)
        bad = "batch shape too large for the verifier's cap: its circuit has more than 2^16 rows";
    else if (want_degree_bits >= 0 && bc->circuit->degree_bits != (unsigned)want_degree_bits)
        bad = "the PLONK proof's size is not that of the batch circuit its header names";
    if (bad != NULL) {
        por_batch_circuit_free(bc);
        *why = bad;
        return NULL;
    }
    return bc;
}

int por_batch_shape_admit(unsigned batch_log2, unsigned asset_count, unsigned balance_bits, unsigned *degree_bits,
                          const char **why)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    por_batch_circuit *bc = build_within_cap(batch_log2, asset_count, balance_bits, -1, why);
    if (bc == NULL)
        return -1;
    if (degree_bits != NULL)
        *degree_bits = bc->circuit->degree_bits;
    por_batch_circuit_free(bc);
    return 0;
}

int por_batch_auto_log2(uint64_t accounts, unsigned asset_count, unsigned balance_bits, unsigned *batch_log2,
                        const char **why)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    if (accounts == 0) {
        *why = "a snapshot needs at least one account";
        return -1;
    }
    unsigned top = 0;
    while (top < POR_BATCH_CAP_LOG2 && ((uint64_t)1 << top) < accounts)
        top++;
    for (unsigned k = top + 1; k-- > 0;)
        if (por_batch_shape_admit(k, asset_count, balance_bits, NULL, why) == 0) {
            *batch_log2 = k;
            return 0;
        }
    return -1;
}

const char *por_batch_proof_precheck(const por_batch_proof *bp)
{
    const char *bad = por_batch_shape_check(bp->batch_log2, bp->asset_count, bp->balance_bits);
    if (bad != NULL)
        return bad;
    por_circuit_config cfg;
    por_batch_config_default(&cfg);
    const por_fri_params *fri = &bp->proof.opening.params;
    if (bp->proof.cap_height != cfg.cap_height || fri->cap_height != cfg.cap_height)
        return "the PLONK proof's Merkle cap height is not the production configuration's";
    if (fri->rate_bits != cfg.rate_bits || fri->num_queries != cfg.num_queries || fri->pow_bits != cfg.pow_bits)
        return "the PLONK proof's FRI rate, queries or grinding bits are not the production configuration's";
    if (fri->degree_bits > POR_BATCH_CAP_DEGREE_BITS)
        return "the PLONK proof is for a circuit of more than 2^16 rows (the verifier's cap)";
    return NULL;
}

/* Builds (within the cap, of want_degree_bits rows if >= 0), then the key:
 * the table's commitment for this very circuit, or the setup (por_vk_derive). */
static int derive(unsigned k, unsigned A, unsigned B, int want_degree_bits, const por_vk_table *table, por_pool *pool,
                  por_batch_vk *out, const char **why)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    memset(out, 0, sizeof(*out));
    por_batch_circuit *bc = build_within_cap(k, A, B, want_degree_bits, why);
    if (bc == NULL)
        return -1;
    int rc = por_vk_derive(bc->circuit, table, pool, &out->vk, &out->shipped, out->fingerprint, why);
    if (rc == 0) {
        out->batch_log2 = k;
        out->asset_count = A;
        out->balance_bits = B;
    }
    por_batch_circuit_free(bc);
    return rc;
}

int por_batch_vk_derive(unsigned batch_log2, unsigned asset_count, unsigned balance_bits, por_pool *pool,
                        por_batch_vk *out, const char **why)
{
    return derive(batch_log2, asset_count, balance_bits, -1, por_vk_table_shipped(), pool, out, why);
}

int por_batch_vk_derive_with(unsigned batch_log2, unsigned asset_count, unsigned balance_bits,
                             const por_vk_table *table, por_pool *pool, por_batch_vk *out, const char **why)
{
    return derive(batch_log2, asset_count, balance_bits, -1, table, pool, out, why);
}

int por_batch_vk_derive_for(const por_batch_proof *bp, por_pool *pool, por_batch_vk *out, const char **why)
{
    return por_batch_vk_derive_for_with(bp, por_vk_table_shipped(), pool, out, why);
}

int por_batch_vk_derive_for_with(const por_batch_proof *bp, const por_vk_table *table, por_pool *pool,
                                 por_batch_vk *out, const char **why)
{
    const char *bad = por_batch_proof_precheck(bp);
    if (bad != NULL) {
        memset(out, 0, sizeof(*out));
        if (why != NULL)
            *why = bad;
        return -1;
    }
    return derive(bp->batch_log2, bp->asset_count, bp->balance_bits, (int)bp->proof.opening.params.degree_bits, table,
                  pool, out, why);
}

int por_batch_vk_from_prover(const por_plonk_prover *pk, const por_batch_circuit *bc, por_batch_vk *out)
{
    memset(out, 0, sizeof(*out));
    if (por_plonk_vk_copy(por_plonk_prover_vk(pk), &out->vk) != 0)
        return -1;
    out->batch_log2 = bc->batch_log2;
    out->asset_count = bc->asset_count;
    out->balance_bits = bc->balance_bits;
    return 0;
}

int por_batch_proof_verify(const por_batch_vk *vk, const por_batch_proof *bp, const char **why)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    if (vk->batch_log2 != bp->batch_log2 || vk->asset_count != bp->asset_count ||
        vk->balance_bits != bp->balance_bits) {
        *why = "the batch proof's shape (batch_log2, asset count, balance_bits) is not the key's";
        return -1;
    }
    /* the statement carried must be the proven one, not just decoded from it once */
    return por_batch_verify(&vk->vk, vk->asset_count, &bp->proof, &bp->statement, NULL, why);
}
