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
 * A violation traps.  (Verification needs a key derivation, up to about a
 * second per input, so it is left to the unit tests.)
 *
 * It also holds the verifier's cost cap (batch_proof.h): a decoded proof
 * that fails the cheap precheck gets no key (por_batch_vk_derive_for
 * refuses it, which costs nothing since the precheck runs first); one that
 * passes has a shape within the header cap and a circuit size within the
 * row cap, and if its circuit is built (por_batch_shape_admit) that is
 * within the row cap too; a manifest whose shape is beyond the header cap
 * is refused by por_bundle_precheck and por_bundle_check.
 */
#include <stdbool.h>
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

/* The cost cap holds for a decoded proof (see the header comment). */
static void fuzz_cap(const por_batch_proof *bp)
{
    const char *why = NULL;
    bool within_header = por_batch_shape_check(bp->batch_log2, bp->asset_count, bp->balance_bits) == NULL;
    if (por_batch_proof_precheck(bp) != NULL) {
        por_batch_vk vk;
        FUZZ_ASSERT(por_batch_vk_derive_for(bp, NULL, &vk, &why) == -1);
        return;
    }
    FUZZ_ASSERT(within_header && bp->proof.opening.params.degree_bits <= POR_BATCH_CAP_DEGREE_BITS);
    unsigned degree = 0;
    if (por_batch_shape_admit(bp->batch_log2, bp->asset_count, bp->balance_bits, &degree, &why) == 0)
        FUZZ_ASSERT(degree <= POR_BATCH_CAP_DEGREE_BITS);
}

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
        fuzz_cap(&bp);
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
        const por_params *pp = &m.params;
        if (por_batch_shape_check(pp->batch_log2, pp->asset_count, pp->balance_bits) != NULL) {
            por_batch_vk vk;
            memset(&vk, 0, sizeof(vk));
            FUZZ_ASSERT(por_bundle_precheck(&m, NULL, 0, NULL) == -1);
            FUZZ_ASSERT(por_bundle_check(&m, &vk, NULL, 0, NULL, NULL) == -1);
        }
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
