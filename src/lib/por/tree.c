/* The account Merkle tree: leaf, node and empty-subtree hashes, build and paths. */
#include "por/tree.h"

#include <stdlib.h>
#include <string.h>

/* Little-endian packing of up to 7 bytes: always below 2^56, so canonical. */
static gl_t pack7(const uint8_t *bytes, size_t n)
{
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)bytes[i] << (8 * i);
    return w;
}

/*
 * The length goes first so that ids differing only by trailing zero bytes
 * ("ab" and "ab\0") give different inputs; por_hash also binds the element
 * count, which depends on the length.
 */
int por_id_commitment(const uint8_t *id, size_t id_len, const gl_t salt[4], por_digest *out)
{
    if (id == NULL || id_len == 0 || id_len > POR_ACCOUNT_ID_MAX)
        return -1;
    for (int i = 0; i < 4; i++)
        if (!gl_is_canonical(salt[i]))
            return -1;
    size_t packed = (id_len + 6) / 7;
    por_sponge s;
    por_sponge_init(&s, POR_DOMAIN_ID, 1 + packed + 4);
    por_sponge_absorb(&s, (gl_t)id_len);
    for (size_t off = 0; off < id_len; off += 7)
        por_sponge_absorb(&s, pack7(id + off, id_len - off < 7 ? id_len - off : 7));
    for (int i = 0; i < 4; i++)
        por_sponge_absorb(&s, salt[i]);
    por_sponge_finish(&s, out);
    return 0;
}

/*
 * Balances are < 2^62 by contract, hence canonical; gl_from_u64 only keeps
 * the permutation's input canonical should a caller break that contract (the
 * range itself is checked by the callers that accept external data).
 */
void por_leaf_hash(const por_digest *id_commitment, const uint64_t *equity, const uint64_t *debt,
                   size_t asset_count, por_digest *out)
{
    por_sponge s;
    por_sponge_init(&s, POR_DOMAIN_LEAF, 4 + 2 * asset_count);
    for (int i = 0; i < 4; i++)
        por_sponge_absorb(&s, id_commitment->e[i]);
    for (size_t a = 0; a < asset_count; a++)
        por_sponge_absorb(&s, gl_from_u64(equity[a]));
    for (size_t a = 0; a < asset_count; a++)
        por_sponge_absorb(&s, gl_from_u64(debt[a]));
    por_sponge_finish(&s, out);
}

void por_node_hash(const por_digest *left, const por_digest *right, por_digest *out)
{
    gl_t in[8];
    memcpy(in, left->e, sizeof(left->e));
    memcpy(in + 4, right->e, sizeof(right->e));
    por_hash(POR_DOMAIN_NODE, in, 8, out);
}

/* Recomputed on each call: at most POR_MAX_DEPTH + 1 permutations. */
void por_empty_subtree(unsigned height, por_digest *out)
{
    por_hash(POR_DOMAIN_EMPTY, NULL, 0, out);
    for (unsigned h = 0; h < height; h++)
        por_node_hash(out, out, out);
}

unsigned por_tree_depth(uint64_t leaf_count)
{
    unsigned d = 0;
    while (d < 64 && (1ULL << d) < leaf_count)
        d++;
    return d;
}

uint64_t por_tree_level_size(uint64_t leaf_count, unsigned level)
{
    if (leaf_count == 0)
        return 0;
    if (level >= 64)
        return 1;
    /* ceil(n / 2^level) without overflowing n + 2^level - 1 */
    uint64_t q = leaf_count >> level;
    return q + ((leaf_count & ((1ULL << level) - 1)) != 0);
}

/* One level's work: the parents of a child level of child_size nodes. */
typedef struct {
    const por_digest *child;
    por_digest *parent;
    uint64_t child_size;
    const por_digest *empty; /* E_{h-1}, the partner of a lone last child */
} level_job;

/* Parents [begin, end), 8 at a time with the batched sponge, the rest one by one. */
static void hash_parents(void *ctx, size_t begin, size_t end)
{
    const level_job *job = ctx;
    uint64_t i = begin;
    for (; end - i >= 8; i += 8) {
        gl_t in[8][8];
        const gl_t *lanes[8];
        for (int l = 0; l < 8; l++) {
            uint64_t c = 2 * (i + (uint64_t)l);
            const por_digest *right = c + 1 < job->child_size ? &job->child[c + 1] : job->empty;
            memcpy(in[l], job->child[c].e, sizeof(job->child[c].e));
            memcpy(in[l] + 4, right->e, sizeof(right->e));
            lanes[l] = in[l];
        }
        por_hash_x8(POR_DOMAIN_NODE, lanes, 8, &job->parent[i]);
    }
    for (; i < end; i++) {
        const por_digest *right = 2 * i + 1 < job->child_size ? &job->child[2 * i + 1] : job->empty;
        por_node_hash(&job->child[2 * i], right, &job->parent[i]);
    }
}

/* Parents per chunk: a few hundred microseconds of hashing, so handing out
 * chunks costs little; the small top levels run on the calling thread. */
#define PARALLEL_MIN_PARENTS 256

/*
 * Level by level, bottom-up.  Threads write disjoint parent ranges and only
 * read the finished child level; a level is complete before the next starts,
 * so the result never depends on the pool.
 */
void por_tree_build(por_pool *pool, por_digest *const *levels, uint64_t leaf_count)
{
    if (leaf_count == 0)
        return;
    unsigned depth = por_tree_depth(leaf_count);
    por_digest empty;
    por_empty_subtree(0, &empty);
    for (unsigned h = 1; h <= depth; h++) {
        level_job job = {levels[h - 1], levels[h], por_tree_level_size(leaf_count, h - 1), &empty};
        por_pool_parallel_for(pool, por_tree_level_size(leaf_count, h), PARALLEL_MIN_PARENTS, hash_parents, &job);
        por_node_hash(&empty, &empty, &empty);
    }
}

void por_tree_path(const por_digest *const *levels, uint64_t leaf_count, uint64_t leaf_index,
                   por_digest *siblings)
{
    unsigned depth = por_tree_depth(leaf_count);
    por_digest empty;
    por_empty_subtree(0, &empty);
    for (unsigned h = 0; h < depth; h++) {
        uint64_t sib = (leaf_index >> h) ^ 1;
        if (sib < por_tree_level_size(leaf_count, h))
            siblings[h] = levels[h][sib];
        else
            siblings[h] = empty;
        por_node_hash(&empty, &empty, &empty);
    }
}

void por_tree_root_from_path(const por_digest *leaf, uint64_t leaf_index, uint64_t leaf_count,
                             const por_digest *siblings, por_digest *root)
{
    unsigned depth = por_tree_depth(leaf_count);
    por_digest cur = *leaf;
    for (unsigned h = 0; h < depth; h++) {
        if ((leaf_index >> h) & 1)
            por_node_hash(&siblings[h], &cur, &cur);
        else
            por_node_hash(&cur, &siblings[h], &cur);
    }
    *root = cur;
}

int por_digest_compare(const por_digest *a, const por_digest *b)
{
    uint8_t x[32], y[32];
    por_digest_to_bytes(a, x);
    por_digest_to_bytes(b, y);
    return memcmp(x, y, 32);
}
