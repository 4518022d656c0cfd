/*
 * libFuzzer target for the final proof decoder (agg/final_proof.h):
 *
 *   make build/fuzz_final_proof   (clang, -fsanitize=fuzzer,address,undefined)
 *   build/fuzz_final_proof -max_total_time=60 CORPUS_DIR
 *
 * make fuzz seeds the corpus with the final proofs test_agg writes
 * (POR_AGG_EXPORT_DIR).  Besides "no crash, no leak, no undefined
 * behaviour", it checks canonicity (whatever decodes re-encodes to exactly
 * the input bytes), that the statement is the proof's public inputs, and
 * the verifier's cost cap: a decoded proof has a shape within
 * por_agg_shape_check and at most POR_FINAL_CAP_LEVELS levels before any key
 * is derived, and one that passes the precheck is of node 0 with the levels
 * its leaf count needs.  (Verification derives keys, seconds per input, so
 * it is left to the unit tests.)  A violation traps.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agg/final_proof.h"

#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    por_final_proof fp;
    if (por_final_proof_decode(data, size, &fp, NULL) == 0) {
        size_t len = 0;
        uint8_t *again = por_final_proof_encode(&fp, &len);
        FUZZ_ASSERT(again != NULL && len == size && memcmp(again, data, size) == 0);
        free(again);
        por_agg_public pub;
        FUZZ_ASSERT(por_agg_public_decode(fp.proof.public_inputs, fp.proof.num_public_inputs, fp.shape.asset_count,
                                          &pub) == 0 &&
                    por_agg_public_equal(&pub, &fp.statement));
        FUZZ_ASSERT(por_agg_shape_check(&fp.shape) == NULL && fp.levels >= 1 && fp.levels <= POR_FINAL_CAP_LEVELS);
        if (por_final_proof_precheck(&fp) == NULL) {
            uint64_t n = por_agg_batch_count(fp.statement.leaf_count, fp.shape.batch_log2);
            FUZZ_ASSERT(n >= 1 && fp.statement.index == 0 && por_agg_levels(n, fp.shape.fan_in_log2) == fp.levels);
        }
    }
    por_final_proof_free(&fp);
    return 0;
}
