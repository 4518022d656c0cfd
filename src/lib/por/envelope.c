/* The shared envelope of por's proof files (envelope.h). */
#include "por/envelope.h"

#include <stdlib.h>
#include <string.h>

#include "por/inclusion.h" /* POR_FORMAT_MAGIC */

void por_le_put(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

uint64_t por_le_get(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

uint8_t *por_envelope_wrap(uint8_t version, uint8_t kind, const uint8_t *fields, size_t fields_len,
                           const por_plonk_proof *proof, size_t *out_len)
{
    uint8_t *plonk = NULL;
    size_t plonk_len = 0;
    if (por_plonk_proof_serialize(proof, &plonk, &plonk_len) != 0)
        return NULL;
    size_t head = POR_ENVELOPE_PREFIX + fields_len + 4;
    uint8_t *buf = plonk_len <= UINT32_MAX ? malloc(head + plonk_len) : NULL;
    if (buf == NULL) {
        free(plonk);
        return NULL;
    }
    memcpy(buf, POR_FORMAT_MAGIC, 4);
    buf[4] = version;
    buf[5] = kind;
    memcpy(buf + POR_ENVELOPE_PREFIX, fields, fields_len);
    por_le_put(buf + POR_ENVELOPE_PREFIX + fields_len, plonk_len, 4);
    memcpy(buf + head, plonk, plonk_len);
    free(plonk);
    *out_len = head + plonk_len;
    return buf;
}

const char *por_envelope_open(const uint8_t *buf, size_t len, uint8_t version, uint8_t kind, size_t fields_len,
                              const char *wrong_kind)
{
    if (len < 4 || memcmp(buf, POR_FORMAT_MAGIC, 4) != 0)
        return "not a por proof (bad magic)";
    if (len < POR_ENVELOPE_PREFIX)
        return "truncated";
    if (buf[4] != version)
        return "unsupported format version";
    if (buf[5] != kind)
        return wrong_kind;
    if (len < POR_ENVELOPE_PREFIX + fields_len + 4)
        return "truncated";
    return NULL;
}

const char *por_envelope_proof(const uint8_t *buf, size_t len, size_t fields_len, por_plonk_proof *out)
{
    size_t head = POR_ENVELOPE_PREFIX + fields_len + 4;
    uint64_t plonk_len = por_le_get(buf + POR_ENVELOPE_PREFIX + fields_len, 4);
    if (plonk_len > len - head)
        return "truncated";
    if (plonk_len < len - head)
        return "trailing bytes";
    const char *why = NULL;
    if (por_plonk_proof_deserialize(buf + head, (size_t)plonk_len, out, &why) != 0)
        return why != NULL ? why : "malformed PLONK proof";
    return NULL;
}
