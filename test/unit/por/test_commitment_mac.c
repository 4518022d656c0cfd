/* por_commitment_mac: the keyed digest of a frozen commitment is HMAC-SHA256
 * under the master key with its own domain, so no salt is ever a MAC. */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "por/salt.h"
#include "tap.h"

int main(void)
{
    uint8_t key[32], other_key[32], msg[100], mac[32], again[32], expect[32];
    static const uint8_t domain[] = "por frozen commitment v1";
    uint8_t framed[sizeof(domain) + sizeof(msg)];
    unsigned int len = 0;
    for (int i = 0; i < 32; i++) {
        key[i] = (uint8_t)i;
        other_key[i] = (uint8_t)(i + 1);
    }
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(3 * i);

    ok(por_commitment_mac(key, msg, sizeof(msg), mac) == 0, "MAC computed");
    memcpy(framed, domain, sizeof(domain)); /* with its NUL */
    memcpy(framed + sizeof(domain), msg, sizeof(msg));
    HMAC(EVP_sha256(), key, sizeof(key), framed, sizeof(framed), expect, &len);
    ok(len == 32 && memcmp(mac, expect, 32) == 0, "= HMAC-SHA256(key, \"por frozen commitment v1\\0\" || msg)");
    HMAC(EVP_sha256(), key, sizeof(key), msg, sizeof(msg), expect, &len);
    ok(memcmp(mac, expect, 32) != 0, "differs from the HMAC of the message without its domain");
    ok(por_commitment_mac(key, msg, sizeof(msg), again) == 0 && memcmp(mac, again, 32) == 0, "deterministic");
    ok(por_commitment_mac(other_key, msg, sizeof(msg), again) == 0 && memcmp(mac, again, 32) != 0, "another key: another MAC");
    msg[99] ^= 1;
    ok(por_commitment_mac(key, msg, sizeof(msg), again) == 0 && memcmp(mac, again, 32) != 0, "one bit of the message: another MAC");
    msg[99] ^= 1;
    ok(por_commitment_mac(key, msg, sizeof(msg) - 1, again) == 0 && memcmp(mac, again, 32) != 0, "one byte shorter: another MAC");
    return done_testing();
}
