/*
 * Lowercase hexadecimal for the text formats (JSON proofs, por-verify output).
 * Decoding is strict: only [0-9a-f], an exact length, so one value has one text.
 */
#ifndef POR_HEX_H
#define POR_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "hash/poseidon.h"

/* Writes 2*n lowercase hex digits and a NUL to out (room for 2*n + 1). */
void por_hex_encode(const uint8_t *in, size_t n, char *out);

/* Decodes exactly 2*n lowercase hex digits from hex[0..hex_len); 0 or -1. */
int por_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t n);

/* A digest as 64 hex digits of its 32-byte little-endian encoding (+ NUL). */
void por_digest_to_hex(const por_digest *d, char out[65]);

/* Inverse of por_digest_to_hex; -1 on bad hex or a non-canonical word. */
int por_digest_from_hex(const char *hex, size_t hex_len, por_digest *d);

#endif
