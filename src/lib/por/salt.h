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


/*
 * Keyed digest of a snapshot's frozen commitment (its tree root, batch roots and
 * params digest, serialized by the caller): HMAC-SHA256(key, domain || msg) with
 * a domain of "por frozen commitment v1" and a NUL byte, which no salt message
 * can equal (account ids are text without NUL bytes).  0 on success.
 */
#define POR_COMMITMENT_MAC_BYTES 32
int por_commitment_mac(const uint8_t key[POR_MASTER_KEY_BYTES], const uint8_t *msg, size_t len,
                       uint8_t out[POR_COMMITMENT_MAC_BYTES]);
#endif
