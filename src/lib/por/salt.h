/*
 * Per-account salts (DESIGN.md section 3), with OpenSSL.
 * salt_u = HMAC-SHA256(master key, snapshot_id as 8 bytes big-endian || account id bytes);
 * the 32 bytes become four field elements, each a little-endian 64-bit word
 * reduced mod p.  Padding accounts draw their salt from the CSPRNG instead.
 */
#ifndef POR_SALT_H
#define POR_SALT_H

#include <stddef.h>
#include <stdint.h>

#include "field/field.h"

#define POR_MASTER_KEY_BYTES 32

/* Returns 0 on success, -1 if OpenSSL fails. */
int por_salt_derive(const uint8_t key[POR_MASTER_KEY_BYTES], uint64_t snapshot_id,
                    const uint8_t *account_id, size_t account_id_len, gl_t salt[4]);
/* Random salt for a padding account; 0 on success, -1 if the CSPRNG fails. */
int por_salt_random(gl_t salt[4]);
/* Fresh master key from the CSPRNG; 0 on success. */
int por_master_key_generate(uint8_t key[POR_MASTER_KEY_BYTES]);
/* Public key identifier: first 8 bytes of HMAC-SHA256(key, "por key id"), as hex (17 bytes with NUL). */
int por_master_key_id(const uint8_t key[POR_MASTER_KEY_BYTES], char out[17]);

#endif
