/* Strict lowercase hex encoding and decoding. */
#include "por/hex.h"

static const char HEX_DIGITS[] = "0123456789abcdef";

void por_hex_encode(const uint8_t *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = HEX_DIGITS[in[i] >> 4];
        out[2 * i + 1] = HEX_DIGITS[in[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Value of one lowercase hex digit, or -1: uppercase is refused so that each
 * byte string has exactly one accepted spelling. */
static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int por_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t n)
{
    if (hex_len != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

void por_digest_to_hex(const por_digest *d, char out[65])
{
    uint8_t bytes[32];
    por_digest_to_bytes(d, bytes);
    por_hex_encode(bytes, 32, out);
}

int por_digest_from_hex(const char *hex, size_t hex_len, por_digest *d)
{
    uint8_t bytes[32];
    if (por_hex_decode(hex, hex_len, bytes, 32) != 0)
        return -1;
    return por_digest_from_bytes(bytes, d);
}
