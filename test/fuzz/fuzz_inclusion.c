/*
 * libFuzzer target for the inclusion-proof decoders (binary and JSON):
 *
 *   make fuzz FUZZ_SECONDS=300
 *
 * builds it with clang (-fsanitize=fuzzer,address,undefined), seeds a corpus
 * with valid encodings from test_fuzz_inclusion and runs libFuzzer on it.
 *
 * Every input is tried as a binary proof and as a JSON proof.  Besides "no
 * crash, no leak, no undefined behaviour", it checks the canonical-encoding
 * properties: whatever binary decodes re-encodes to exactly the input bytes;
 * whatever decodes (either way) survives binary and JSON round trips with
 * the same content and the same verification result.  A violation traps.
 *
 * test/unit/por/test_fuzz_inclusion.c includes this file (with POR_FUZZ_NO_MAIN)
 * to run the same checks on seeded mutations in `make check`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "por/inclusion.h"

#ifndef FUZZ_ASSERT
#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)
#endif

/* The decoded content must survive both encodings unchanged; binary is the reference. */
static void fuzz_round_trips(const por_inclusion *p, uint8_t **bin_out, size_t *bin_len_out)
{
    size_t len = 0, len2 = 0;
    uint8_t *bin = por_inclusion_encode(p, &len);
    FUZZ_ASSERT(bin != NULL);
    if (bin == NULL)
        return;
    por_inclusion q;
    FUZZ_ASSERT(por_inclusion_decode(bin, len, &q, NULL) == 0);
    uint8_t *bin2 = por_inclusion_encode(&q, &len2);
    FUZZ_ASSERT(bin2 != NULL && len2 == len && memcmp(bin, bin2, len) == 0);
    free(bin2);
    por_inclusion_free(&q);

    char *text = por_inclusion_to_json(p);
    FUZZ_ASSERT(text != NULL);
    if (text != NULL) {
        FUZZ_ASSERT(por_inclusion_from_json(text, strlen(text), &q, NULL) == 0);
        bin2 = por_inclusion_encode(&q, &len2);
        FUZZ_ASSERT(bin2 != NULL && len2 == len && memcmp(bin, bin2, len) == 0);
        free(bin2);
        por_inclusion_free(&q);
        free(text);
    }
    *bin_out = bin;
    *bin_len_out = len;
}

/*
 * Checks one input both ways.  Returns a bit mask: 1 if it decoded as binary,
 * 2 if it decoded as JSON, 4 if a decoded proof also verified (self-consistent
 * path to its own root).
 */
static int fuzz_one(const uint8_t *data, size_t size)
{
    int result = 0;
    por_inclusion p;
    const char *why = NULL;
    if (por_inclusion_decode(data, size, &p, &why) == 0) {
        result |= 1;
        uint8_t *bin = NULL;
        size_t len = 0;
        fuzz_round_trips(&p, &bin, &len);
        /* canonical: the only accepted spelling of this content is the input itself */
        FUZZ_ASSERT(bin != NULL && len == size && memcmp(bin, data, size) == 0);
        free(bin);
        if (por_inclusion_verify(&p, NULL, &why) == 0)
            result |= 4;
        por_inclusion_free(&p);
    } else
        FUZZ_ASSERT(why != NULL);
    if (por_inclusion_from_json((const char *)data, size, &p, &why) == 0) {
        result |= 2;
        uint8_t *bin = NULL;
        size_t len = 0;
        fuzz_round_trips(&p, &bin, &len);
        int verified = por_inclusion_verify(&p, NULL, &why) == 0;
        if (verified)
            result |= 4;
        /* the binary form of the same content verifies the same way */
        por_inclusion q;
        if (bin != NULL && por_inclusion_decode(bin, len, &q, NULL) == 0) {
            FUZZ_ASSERT((por_inclusion_verify(&q, NULL, &why) == 0) == verified);
            por_inclusion_free(&q);
        }
        free(bin);
        por_inclusion_free(&p);
    } else
        FUZZ_ASSERT(why != NULL);
    return result;
}

#ifndef POR_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one(data, size);
    return 0;
}
#endif
