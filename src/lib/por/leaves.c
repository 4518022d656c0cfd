/* Bulk leaf hashing (see leaves.h). */
#include "por/leaves.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "por/salt.h"

void por_padding_commitment(const gl_t salt[4], por_digest *out)
{
    gl_t inputs[5] = {0, salt[0], salt[1], salt[2], salt[3]};
    por_hash(POR_DOMAIN_ID, inputs, 5, out);
}

typedef struct {
    const por_digest *commitments;
    const uint64_t *balances;
    size_t asset_count;
    por_digest *out;
} leaf_job;

/*
 * Leaves [begin, end): 8 at a time with the batched sponge over the inputs
 * laid out as por_leaf_hash absorbs them ([C_u, equities, debts], every
 * element reduced by gl_from_u64 as por_sponge_absorb does), the rest one by
 * one.
 */
static void hash_leaf_range(void *ctx, size_t begin, size_t end)
{
    const leaf_job *job = ctx;
    size_t stride = 2 * job->asset_count, len = 4 + stride;
    size_t i = begin;
    gl_t *buf = end - begin >= 8 ? malloc(8 * len * sizeof(gl_t)) : NULL;
    if (buf) {
        for (; end - i >= 8; i += 8) {
            const gl_t *lanes[8];
            for (size_t l = 0; l < 8; l++) {
                gl_t *in = buf + l * len;
                const uint64_t *row = job->balances + (i + l) * stride;
                for (int k = 0; k < 4; k++)
                    in[k] = gl_from_u64(job->commitments[i + l].e[k]);
                for (size_t a = 0; a < stride; a++)
                    in[4 + a] = gl_from_u64(row[a]);
                lanes[l] = in;
            }
            por_hash_x8(POR_DOMAIN_LEAF, lanes, len, &job->out[i]);
        }
        free(buf);
    }
    /* the tail, or everything if the buffer could not be had */
    for (; i < end; i++) {
        const uint64_t *row = job->balances + i * stride;
        por_leaf_hash(&job->commitments[i], row, row + job->asset_count, job->asset_count, &job->out[i]);
    }
}

void por_leaf_hash_many(por_pool *pool, const por_digest *commitments, const uint64_t *balances, size_t n,
                        size_t asset_count, por_digest *out)
{
    leaf_job job = {commitments, balances, asset_count, out};
    por_pool_parallel_for(pool, n, 1024, hash_leaf_range, &job);
}

typedef struct {
    const uint8_t *key;
    uint64_t snapshot_id;
    const uint8_t *const *ids;
    const size_t *id_lens;
    por_digest *out;
    atomic_int failed;
} commitment_job;

static void commit_range(void *ctx, size_t begin, size_t end)
{
    commitment_job *job = ctx;
    for (size_t i = begin; i < end; i++) {
        gl_t salt[4];
        if (por_salt_derive(job->key, job->snapshot_id, job->ids[i], job->id_lens[i], salt) != 0 ||
            por_id_commitment(job->ids[i], job->id_lens[i], salt, &job->out[i]) != 0)
            atomic_store(&job->failed, 1);
        explicit_bzero(salt, sizeof(salt));
    }
}

int por_account_commitments(por_pool *pool, const uint8_t key[32], uint64_t snapshot_id, const uint8_t *const *ids,
                            const size_t *id_lens, size_t n, por_digest *out)
{
    commitment_job job = {key, snapshot_id, ids, id_lens, out, 0};
    por_pool_parallel_for(pool, n, 512, commit_range, &job);
    return atomic_load(&job.failed) ? -1 : 0;
}
