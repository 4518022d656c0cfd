/*
 * Bulk leaf work for a whole snapshot: padding commitments and leaf hashes of
 * many accounts at once, spread over a thread pool.
 */
#ifndef POR_LEAVES_H
#define POR_LEAVES_H

#include <stddef.h>
#include <stdint.h>

#include "util/threadpool.h"
#include "por/tree.h"

/*
 * Id commitment of a padding account: por_hash(DOMAIN_ID, [0, salt0..salt3]).
 * A real account id has at least one byte, so no real account commits to
 * these inputs; with a random salt the digest looks like any other.
 */
void por_padding_commitment(const gl_t salt[4], por_digest *out);

/*
 * Id commitments of n accounts: salt_i = por_salt_derive(key, snapshot_id, ids[i]),
 * out[i] = por_id_commitment(ids[i], salt_i).  Salts are wiped after use.
 * Returns 0, or -1 if any derivation failed (out is then unspecified).
 */
int por_account_commitments(por_pool *pool, const uint8_t key[32], uint64_t snapshot_id, const uint8_t *const *ids,
                            const size_t *id_lens, size_t n, por_digest *out);

/*
 * out[i] = por_leaf_hash(commitments[i], balances + i*2A, balances + i*2A + A, A)
 * for i < n; balances holds n rows of A equities then A debts.  pool may be NULL.
 */
void por_leaf_hash_many(por_pool *pool, const por_digest *commitments, const uint64_t *balances, size_t n,
                        size_t asset_count, por_digest *out);

#endif
