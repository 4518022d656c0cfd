/* Per-account salts and the master key, with OpenSSL's HMAC-SHA256 and CSPRNG. */
#include "por/salt.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "por/hex.h"

/*
 * HMAC-SHA256(key, parts[0] || parts[1]) into out[32].  EVP_MAC streams the
 * parts, so the account id needs no copy (and no length limit here).
 */
static int hmac_sha256(const uint8_t key[POR_MASTER_KEY_BYTES], const uint8_t *p1, size_t n1,
                       const uint8_t *p2, size_t n2, uint8_t out[32])
{
    int rc = -1;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    char digest_name[] = "SHA256";
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0);
    params[1] = OSSL_PARAM_construct_end();
    size_t out_len = 0;
    if (ctx != NULL && EVP_MAC_init(ctx, key, POR_MASTER_KEY_BYTES, params) == 1 &&
        EVP_MAC_update(ctx, p1, n1) == 1 && (n2 == 0 || EVP_MAC_update(ctx, p2, n2) == 1) &&
        EVP_MAC_final(ctx, out, &out_len, 32) == 1 && out_len == 32)
        rc = 0;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return rc;
}

/* Four little-endian words reduced mod p; the bias (2^-32 per word) is irrelevant for a salt. */
static void bytes_to_salt(const uint8_t bytes[32], gl_t salt[4])
{
    for (int i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (int b = 0; b < 8; b++)
            w |= (uint64_t)bytes[8 * i + b] << (8 * b);
        salt[i] = gl_from_u64(w);
    }
}

int por_salt_derive(const uint8_t key[POR_MASTER_KEY_BYTES], uint64_t snapshot_id,
                    const uint8_t *account_id, size_t account_id_len, gl_t salt[4])
{
    uint8_t prefix[8], mac[32];
    for (int i = 0; i < 8; i++)
        prefix[i] = (uint8_t)(snapshot_id >> (56 - 8 * i));
    if (account_id == NULL && account_id_len != 0)
        return -1;
    int rc = hmac_sha256(key, prefix, 8, account_id, account_id_len, mac);
    if (rc == 0)
        bytes_to_salt(mac, salt);
    OPENSSL_cleanse(mac, sizeof(mac));
    return rc;
}

int por_salt_random(gl_t salt[4])
{
    uint8_t bytes[32];
    if (RAND_bytes(bytes, sizeof(bytes)) != 1)
        return -1;
    bytes_to_salt(bytes, salt);
    OPENSSL_cleanse(bytes, sizeof(bytes));
    return 0;
}

int por_master_key_generate(uint8_t key[POR_MASTER_KEY_BYTES])
{
    return RAND_priv_bytes(key, POR_MASTER_KEY_BYTES) == 1 ? 0 : -1;
}

int por_master_key_id(const uint8_t key[POR_MASTER_KEY_BYTES], char out[17])
{
    static const uint8_t label[] = "por key id";
    uint8_t mac[32];
    if (hmac_sha256(key, label, sizeof(label) - 1, NULL, 0, mac) != 0)
        return -1;
    por_hex_encode(mac, 8, out);
    return 0;
}

int por_commitment_mac(const uint8_t key[POR_MASTER_KEY_BYTES], const uint8_t *msg, size_t len,
                       uint8_t out[POR_COMMITMENT_MAC_BYTES])
{
    static const uint8_t domain[] = "por frozen commitment v1"; /* sizeof includes the NUL */
    return hmac_sha256(key, domain, sizeof(domain), msg, len, out);
}
