/* Final proofs (PORF kind 3): envelope, prechecks, verification from definitions. */
#include "agg/final_proof.h"

#include <stdlib.h>
#include <string.h>

#include "agg/compress.h"
#include "por/envelope.h"

/* after the envelope's prefix: k, A, B, f, levels */
#define FIELD_BYTES (1 + 2 + 1 + 1 + 1)

void por_final_proof_free(por_final_proof *fp)
{
    if (fp == NULL)
        return;
    por_plonk_proof_free(&fp->proof);
    memset(&fp->proof, 0, sizeof(fp->proof));
}

/* Header ranges shared by encode and decode. */
static const char *header_ranges(const por_agg_shape *s, uint64_t levels)
{
    const char *bad = por_agg_shape_check(s);
    if (bad != NULL)
        return bad;
    if (levels < 1 || levels > POR_FINAL_CAP_LEVELS)
        return "aggregation levels out of range (1..12)";
    return NULL;
}

/* The proof's public inputs are exactly the statement. */
static bool statement_matches(const por_final_proof *fp)
{
    por_agg_public decoded;
    return fp->proof.public_inputs != NULL &&
           por_agg_public_decode(fp->proof.public_inputs, fp->proof.num_public_inputs, fp->shape.asset_count,
                                 &decoded) == 0 &&
           por_agg_public_equal(&decoded, &fp->statement);
}

uint8_t *por_final_proof_encode(const por_final_proof *fp, size_t *out_len)
{
    if (fp == NULL || header_ranges(&fp->shape, fp->levels) != NULL || !statement_matches(fp))
        return NULL;
    uint8_t fields[FIELD_BYTES];
    fields[0] = (uint8_t)fp->shape.batch_log2;
    por_le_put(fields + 1, fp->shape.asset_count, 2);
    fields[3] = (uint8_t)fp->shape.balance_bits;
    fields[4] = (uint8_t)fp->shape.fan_in_log2;
    fields[5] = (uint8_t)fp->levels;
    return por_envelope_wrap(POR_FINAL_FORMAT_VERSION, POR_KIND_FINAL, fields, FIELD_BYTES, &fp->proof, out_len);
}

/* The fixed header (checked before anything is allocated), then the PLONK
 * proof, bounded by its length, which must be exactly what remains. */
static const char *decode_fields(const uint8_t *buf, size_t len, por_final_proof *out)
{
    const char *bad = por_envelope_open(buf, len, POR_FINAL_FORMAT_VERSION, POR_KIND_FINAL, FIELD_BYTES,
                                        "not a final proof (wrong kind)");
    if (bad != NULL && len >= POR_ENVELOPE_PREFIX && buf[4] == 1 && buf[4] != POR_FINAL_FORMAT_VERSION)
        return "unsupported format version 1 (a final proof without the compression layer; version 2 expected)";
    if (bad != NULL)
        return bad;
    const uint8_t *f = buf + POR_ENVELOPE_PREFIX;
    out->shape.batch_log2 = f[0];
    out->shape.asset_count = (uint32_t)por_le_get(f + 1, 2);
    out->shape.balance_bits = f[3];
    out->shape.fan_in_log2 = f[4];
    out->levels = f[5];
    bad = header_ranges(&out->shape, out->levels);
    if (bad != NULL)
        return bad;
    bad = por_envelope_proof(buf, len, FIELD_BYTES, &out->proof);
    if (bad != NULL)
        return bad;
    if (out->proof.num_public_inputs != por_agg_num_public_inputs(out->shape.asset_count))
        return "the PLONK proof does not have 10 + 4A public inputs";
    if (por_agg_public_decode(out->proof.public_inputs, out->proof.num_public_inputs, out->shape.asset_count,
                              &out->statement) != 0)
        return "a total's low limb is not below 2^32";
    return NULL;
}

int por_final_proof_decode(const uint8_t *buf, size_t len, por_final_proof *out, const char **why)
{
    memset(out, 0, sizeof(*out));
    const char *reason = buf == NULL ? "no input" : decode_fields(buf, len, out);
    if (reason == NULL)
        return 0;
    por_final_proof_free(out);
    memset(out, 0, sizeof(*out));
    if (why != NULL)
        *why = reason;
    return -1;
}

/* The statement covers the whole tree: node 0 of the top level, and the top
 * level is the one por_agg_levels names for the leaf count. */
static const char *statement_covers(const por_agg_shape *s, unsigned levels, const por_agg_public *st)
{
    uint64_t N = por_agg_batch_count(st->leaf_count, s->batch_log2);
    if (N == 0)
        return "the leaf count is not a positive multiple of the batch size (at most 2^40)";
    if (st->index != 0)
        return "the proof is not of the top node (index is not 0)";
    if (por_agg_levels(N, s->fan_in_log2) != levels)
        return "the levels are not those of the leaf count (the top node would not cover every batch)";
    return NULL;
}

const char *por_final_proof_precheck(const por_final_proof *fp)
{
    const char *bad = header_ranges(&fp->shape, fp->levels);
    if (bad == NULL)
        bad = statement_covers(&fp->shape, fp->levels, &fp->statement);
    if (bad != NULL)
        return bad;
    por_circuit_config cfg;
    por_agg_compress_config(&cfg);
    const por_fri_params *fri = &fp->proof.opening.params;
    if (fp->proof.cap_height != cfg.cap_height || fri->cap_height != cfg.cap_height)
        return "the PLONK proof's Merkle cap height is not the compression configuration's";
    if (fri->rate_bits != cfg.rate_bits || fri->num_queries != cfg.num_queries || fri->pow_bits != cfg.pow_bits)
        return "the PLONK proof's FRI rate, queries or grinding bits are not the compression configuration's";
    return NULL;
}

static bool keys_fit(const por_agg_keys *keys, const por_final_proof *fp)
{
    /* exactly: the compression key pins the top level's (compress.h) */
    return keys->levels == fp->levels && memcmp(&keys->shape, &fp->shape, sizeof(fp->shape)) == 0;
}

int por_final_verify(const por_final_proof *fp, por_agg_keys *keys, por_pool *pool, const por_agg_public *expected,
                     const char **why)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    const char *bad = por_final_proof_precheck(fp);
    if (bad != NULL) {
        *why = bad;
        return -1;
    }
    por_agg_keys local;
    por_agg_keys *k = keys != NULL ? keys : &local;
    if (keys == NULL || !keys_fit(keys, fp)) {
        if (keys != NULL)
            por_agg_keys_free(keys);
        if (por_agg_keys_derive(&fp->shape, fp->levels, false, NULL, pool, k, why) != 0)
            return -1;
    }
    int rc = por_agg_verify_compress(k, &fp->proof, NULL, why);
    if (rc == 0 && !statement_matches(fp)) {
        *why = "the statement carried is not the proven one";
        rc = -1;
    }
    if (rc == 0 && expected != NULL && !por_agg_public_equal(&fp->statement, expected)) {
        *why = "the statement is not the expected one";
        rc = -1;
    }
    if (keys == NULL)
        por_agg_keys_free(&local);
    return rc;
}

int por_final_proof_make(const por_agg_keys *keys, const por_plonk_proof *compressed, por_final_proof *out,
                         const char **why)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    memset(out, 0, sizeof(*out));
    out->shape = keys->shape;
    out->levels = keys->levels;
    if (por_agg_public_decode(compressed->public_inputs, compressed->num_public_inputs, keys->shape.asset_count,
                              &out->statement) != 0) {
        *why = "the compression proof's statement does not decode";
        return -1;
    }
    const char *bad = statement_covers(&out->shape, out->levels, &out->statement);
    if (bad != NULL) {
        *why = bad;
        return -1;
    }
    uint8_t *buf;
    size_t len;
    if (por_plonk_proof_serialize(compressed, &buf, &len) != 0) {
        *why = "out of memory";
        return -1;
    }
    int rc = por_plonk_proof_deserialize(buf, len, &out->proof, why);
    free(buf);
    return rc;
}
