/*
 * A snapshot's published result until recursion exists (DESIGN.md section
 * 5): the batch proofs, the tree over their batch roots, and the per-asset
 * totals, which must equal the sums of the batch totals.
 *
 * On disk a bundle is a directory: bundle.json (the manifest: snapshot
 * parameters, params digest, root, batch count, totals) and one file per
 * batch, POR_BUNDLE_BATCH_FILE_FMT, each a batch proof (batch_proof.h).
 * docs/FORMATS.md describes the manifest.
 */
#ifndef POR_BUNDLE_H
#define POR_BUNDLE_H

#include <inttypes.h> /* PRIu64 in POR_BUNDLE_BATCH_FILE_FMT */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "por/batch_proof.h"
#include "por/params.h"
#include "por/tree.h"

#define POR_BUNDLE_MANIFEST "bundle.json"
#define POR_BUNDLE_VERSION 1 /* the manifest's "version" */
#define POR_BUNDLE_BATCH_FILE_FMT "batch-%06" PRIu64 ".porb"
#define POR_BUNDLE_FINAL_FILE "final.porf" /* the final proof (agg/final_proof.h), named by "final_proof" */

typedef struct {
    por_params params;           /* owns params.assets */
    por_digest params_digest;    /* must equal por_params_digest(&params) */
    por_digest root;
    uint64_t batch_count;        /* params.leaf_count >> params.batch_log2 */
    unsigned __int128 *totals;   /* 2A: equity of asset a at [a], debt at [A + a] */
    bool has_final;              /* the bundle holds POR_BUNDLE_FINAL_FILE (optional "final_proof" member) */
} por_bundle_manifest;

void por_bundle_manifest_free(por_bundle_manifest *m);
/* NUL-terminated malloc'd JSON, or NULL on invalid content. */
char *por_bundle_manifest_to_json(const por_bundle_manifest *m);
/* 0, or -1 with *why; checks shape, params (por_params_check), digest, batch count. */
int por_bundle_manifest_from_json(const char *text, size_t len, por_bundle_manifest *out, const char **why);

/*
 * The root of the snapshot tree given its level-k nodes (the batch roots,
 * batch_count of them, k = batch_log2): the same tree shape as tree.h, with
 * E_h for positions past the end of a level.
 */
void por_tree_root_from_batch_roots(const por_digest *batch_roots, uint64_t batch_count, unsigned batch_log2,
                                    por_digest *root);

/*
 * The checks of a bundle that need no verifier key, in por_bundle_check's
 * order: the manifest's rules, its shape within the verifier's cap
 * (por_batch_shape_check), exactly batch_count proofs, proof i labelled
 * batch i of the manifest's snapshot with its shape and params digest, and
 * made at the production configuration within the cap
 * (por_batch_proof_precheck).  A verifier runs this before deriving the key.
 * 0, or -1 with *why (as por_bundle_check's).
 */
int por_bundle_precheck(const por_bundle_manifest *m, const por_batch_proof *proofs, uint64_t proof_count,
                        const char **why);

/*
 * Checks a whole bundle: por_bundle_precheck (but vk's configuration, not
 * necessarily the production one), then every proof verifies under vk; the tree over the batch roots gives the manifest's root; the sums
 * of the batch totals equal the manifest's totals.  On success copies the
 * proven totals (2A) into proven_totals if not NULL.  0, or -1 with *why
 * (static or from a thread-local buffer naming the batch).
 */
int por_bundle_check(const por_bundle_manifest *m, const por_batch_vk *vk, const por_batch_proof *proofs,
                     uint64_t proof_count, unsigned __int128 *proven_totals, const char **why);

#endif
