/*
 * libFuzzer target for the batch proof envelope decoder and the bundle
 * manifest reader:
 *
 *   make build/fuzz_batch_proof   (clang, -fsanitize=fuzzer,address,undefined,
 *                                  with every library source, as fuzz_inclusion)
 *   build/fuzz_batch_proof -max_total_time=60 CORPUS_DIR
 *
 * Seed the corpus with a real batch file (por-verify's input, e.g. a
 * bundle's batch-000000.porb) and a bundle.json.
 *
 * Every input is tried both ways.  Besides "no crash, no leak, no undefined
 * behaviour", it checks canonicity: whatever decodes as a batch proof
 * re-encodes to exactly the input bytes; whatever parses as a manifest
 * writes a text that parses to the same content and is a fixed point.
 * A violation traps.  (Verification needs a key derivation, seconds per
 * input, so it is left to the unit tests.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "por/batch_proof.h"
#include "por/bundle.h"

#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

static void fuzz_batch(const uint8_t *data, size_t size)
{
    por_batch_proof bp;
    if (por_batch_proof_decode(data, size, &bp, NULL) == 0) {
        size_t len = 0;
        uint8_t *again = por_batch_proof_encode(&bp, &len);
        FUZZ_ASSERT(again != NULL && len == size && memcmp(again, data, size) == 0);
        FUZZ_ASSERT(bp.statement.asset_count == bp.asset_count &&
                    bp.proof.num_public_inputs == por_batch_num_public_inputs(bp.asset_count));
        free(again);
    }
    por_batch_proof_free(&bp);
}

static void fuzz_manifest(const uint8_t *data, size_t size)
{
    por_bundle_manifest m, m2;
    if (por_bundle_manifest_from_json((const char *)data, size, &m, NULL) == 0) {
        char *text = por_bundle_manifest_to_json(&m);
        FUZZ_ASSERT(text != NULL);
        FUZZ_ASSERT(por_bundle_manifest_from_json(text, strlen(text), &m2, NULL) == 0);
        char *text2 = por_bundle_manifest_to_json(&m2);
        FUZZ_ASSERT(text2 != NULL && strcmp(text, text2) == 0);
        FUZZ_ASSERT(m.batch_count == m2.batch_count && memcmp(&m.root, &m2.root, sizeof(m.root)) == 0 &&
                    memcmp(m.totals, m2.totals, 2 * m.params.asset_count * sizeof(m.totals[0])) == 0);
        free(text);
        free(text2);
        por_bundle_manifest_free(&m2);
    }
    por_bundle_manifest_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_batch(data, size);
    fuzz_manifest(data, size);
    return 0;
}
