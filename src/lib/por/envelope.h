/*
 * The envelope every proof file of por shares (docs/FORMATS.md): "PORF",
 * a version byte, a kind byte, the kind's fixed fields, the PLONK proof's
 * length (4 bytes, little-endian) and the PLONK proof, which must be exactly
 * what remains.  Batch proofs (kind 2) and final proofs (kind 3) are written
 * and read through it, so both refuse a malformed envelope the same way.
 */
#ifndef POR_ENVELOPE_H
#define POR_ENVELOPE_H
#include <stddef.h>
#include <stdint.h>

#include "plonk/plonk.h"

/* Bytes before the kind's fixed fields (magic, version, kind). */
#define POR_ENVELOPE_PREFIX 6

void por_le_put(uint8_t *p, uint64_t v, int bytes);
uint64_t por_le_get(const uint8_t *p, int bytes);

/*
 * Serializes `proof` after the prefix and fields_len bytes of fields: a
 * malloc'd buffer (*out_len its length), or NULL if the proof does not
 * serialize, is longer than 2^32 - 1 bytes, or memory runs out.
 */
uint8_t *por_envelope_wrap(uint8_t version, uint8_t kind, const uint8_t *fields, size_t fields_len,
                           const por_plonk_proof *proof, size_t *out_len);

/*
 * The prefix of buf: the magic, then version and kind, then room for
 * fields_len bytes of fields and the proof length.  NULL if they are there,
 * else why not (static; wrong_kind for another kind, and "unsupported format
 * version" for another version).  Reads nothing past len.
 */
const char *por_envelope_open(const uint8_t *buf, size_t len, uint8_t version, uint8_t kind, size_t fields_len,
                              const char *wrong_kind);

/*
 * After por_envelope_open and the kind's field checks: the PLONK proof,
 * whose length must be exactly what remains.  NULL, or why not (static or
 * the PLONK decoder's reason).
 */
const char *por_envelope_proof(const uint8_t *buf, size_t len, size_t fields_len, por_plonk_proof *out);
#endif
