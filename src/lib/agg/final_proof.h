/*
 * The final proof of a snapshot: the compression proof (compress.h, zero
 * knowledge, por_agg_compress_config) of the top aggregation node's proof,
 * as a file and bytea, and its verification with every key derived from
 * circuit definitions.
 *
 * Binary encoding (canonical, versioned; docs/FORMATS.md section 11):
 * "PORF", version 2 (POR_FINAL_FORMAT_VERSION: version 1 carried the top
 * node's proof itself), kind 3, then batch_log2 (1 byte), asset count (2),
 * balance bits (1), fan-in log2 (1), levels (1), and the PLONK proof
 * (length-prefixed, 4 bytes).  The statement is the proof's public inputs
 * (agg.h: root, exact per-asset totals, params digest, index, leaf count);
 * decoding checks their count and canonical form and fills `statement`.
 *
 * Verification (por_final_verify): nothing in the file is trusted but the
 * shape, and the shape only selects which circuits to build: the batch key,
 * every level's key and the compression key over the top level's are derived
 * (por_agg_keys_derive), then the proof must verify under the compression
 * key, its index must be 0 (also proven in-circuit), and the levels must be
 * exactly por_agg_levels(leaf_count / 2^k) so the top node covers every batch
 * (and the encoding of a snapshot's final proof is unique in its levels).
 */
#ifndef POR_AGG_FINAL_PROOF_H
#define POR_AGG_FINAL_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "agg/agg.h"

#define POR_KIND_FINAL 3
/* The final proof's own format version (byte 4): 2 since the compression
 * layer; decoders refuse version 1 (the uncompressed top proof). */
#define POR_FINAL_FORMAT_VERSION 2
/* The verifier's cost cap: each level's key costs a circuit build and a
 * setup (about a second), so a file may name at most this many levels
 * (16^12 batches at fan-in 16, 4096 at fan-in 2). */
#define POR_FINAL_CAP_LEVELS 12

typedef struct {
    por_agg_shape shape;
    uint32_t levels;
    por_plonk_proof proof;     /* owned: the compression proof */
    por_agg_public statement;  /* decoded from proof.public_inputs */
} por_final_proof;

void por_final_proof_free(por_final_proof *fp);

/* malloc'd canonical encoding, or NULL on invalid content. */
uint8_t *por_final_proof_encode(const por_final_proof *fp, size_t *out_len);
/* Parses exactly len bytes; 0, or -1 with a static reason.  Never reads past
 * len; free with por_final_proof_free even on failure. */
int por_final_proof_decode(const uint8_t *buf, size_t len, por_final_proof *out, const char **why);

/*
 * Checks that cost nothing, before any key is derived: the shape is within
 * por_agg_shape_check and the verifier's cap (por_batch_shape_admit's
 * header part), the levels are por_agg_levels of the statement's leaf count
 * and at most POR_FINAL_CAP_LEVELS, the index is 0, and the PLONK proof was made
 * at por_agg_compress_config's parameters (rate, queries, grinding, cap).  NULL if it passes, else why not (static).
 */
const char *por_final_proof_precheck(const por_final_proof *fp);

/*
 * Derives the keys the proof's shape names (por_agg_keys_derive with
 * prove = false; keys->derive_ms is the time) unless keys != NULL already
 * holds them for this shape and exactly these levels (the compression key
 * pins the top level's; keys != NULL: derived keys are left there for the
 * next call), then verifies: precheck, the PLONK proof under the compression
 * key.  If expected != NULL, the statement must equal it.  0 if valid, else
 * -1 and *why.
 */
int por_final_verify(const por_final_proof *fp, por_agg_keys *keys, por_pool *pool, const por_agg_public *expected,
                     const char **why);

/* Wraps the compression proof (por_agg_prove_compress; a copy is taken) as a
 * final proof; -1 if it is not one (index 0, levels canonical) or the
 * statement does not decode. */
int por_final_proof_make(const por_agg_keys *keys, const por_plonk_proof *compressed, por_final_proof *out,
                         const char **why);

#endif
