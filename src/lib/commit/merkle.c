/*
 * Merkle trees with caps over matrix rows (see merkle.h for the conventions).
 *
 * Leaves are hashed in parallel in chunks of rows.  For a column-major
 * matrix a chunk is gathered tile by tile: TILE consecutive rows of every
 * column (one cache line per column) are copied into a small row-major
 * buffer and hashed from there, so the matrix is read sequentially within
 * each column and never transposed as a whole.  A full tile is hashed by
 * the 8-lane sponge (poseidon_hash_no_pad_x8), as are the nodes of each
 * level, 8 at a time.
 */
#include "commit/merkle.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Rows gathered per tile: 8 elements = one 64-byte line of each column,
 * and the 8 lanes of the batched sponge. */
#define TILE 8
_Static_assert(TILE == 8, "a full tile feeds poseidon_hash_no_pad_x8");
/* Leaf chunks: enough rows that one chunk amortizes its buffer, small
 * enough to balance 2 threads on the smallest trees worth splitting. */
#define LEAF_CHUNK 64
#define NODE_CHUNK 256
#define MAX_LOG_ROWS 40

int por_rand_openssl(void *ctx, gl_t *out, size_t n)
{
    (void)ctx;
    uint8_t buf[8 * 64];
    size_t have = 0;
    while (have < n) {
        if (RAND_bytes(buf, sizeof(buf)) != 1) {
            OPENSSL_cleanse(buf, sizeof(buf));
            return -1;
        }
        for (size_t k = 0; k < 64 && have < n; k++) {
            uint64_t v = 0;
            for (int b = 0; b < 8; b++)
                v |= (uint64_t)buf[8 * k + b] << (8 * b);
            /* rejection keeps the salt exactly uniform (rejects with prob. 2^-32) */
            if (v < GL_P)
                out[have++] = v;
        }
    }
    OPENSSL_cleanse(buf, sizeof(buf));
    return 0;
}

/* Index of the first node of level h in t->nodes (level 0 = leaf digests). */
static size_t level_offset(unsigned log_rows, unsigned h)
{
    return ((size_t)2 << log_rows) - ((size_t)2 << (log_rows - h));
}

/* hash_or_noop over input of n elements. */
static void hash_or_noop(const gl_t *in, size_t n, por_digest *out)
{
    if (n <= POSEIDON_DIGEST) {
        memset(out, 0, sizeof(*out));
        memcpy(out->e, in, n * sizeof(gl_t));
    } else {
        poseidon_hash_no_pad(in, n, out);
    }
}

/*
 * Overwrite-mode absorption of n more elements into a sponge whose next rate
 * position is *pos, permuting whenever the rate fills.  Feeding a sequence in
 * pieces this way and permuting once more if *pos > 0 at the end equals
 * poseidon_hash_no_pad over the concatenation.
 */
static void absorb_no_pad(gl_t state[POSEIDON_WIDTH], size_t *pos, const gl_t *in, size_t n)
{
    while (n > 0) {
        size_t take = POSEIDON_RATE - *pos < n ? POSEIDON_RATE - *pos : n;
        memcpy(state + *pos, in, take * sizeof(gl_t));
        *pos += take;
        in += take;
        n -= take;
        if (*pos == POSEIDON_RATE) {
            poseidon_permute(state);
            *pos = 0;
        }
    }
}

/*
 * hash_or_noop(row || salt) without building row || salt: the verifier calls
 * this inside a database backend for rows of any width, where a heap buffer
 * could fail, and aborting there would take the whole server down.
 */
void por_merkle_leaf_hash(const gl_t *row, size_t width, const gl_t *salt, por_digest *out)
{
    size_t salt_len = salt ? POR_MERKLE_SALT : 0;
    if (width + salt_len <= POSEIDON_DIGEST) {
        memset(out, 0, sizeof(*out));
        if (width)
            memcpy(out->e, row, width * sizeof(gl_t));
        if (salt_len)
            memcpy(out->e + width, salt, salt_len * sizeof(gl_t));
        return;
    }
    gl_t state[POSEIDON_WIDTH] = {0};
    size_t pos = 0;
    absorb_no_pad(state, &pos, row, width);
    absorb_no_pad(state, &pos, salt, salt_len);
    if (pos > 0)
        poseidon_permute(state);
    memcpy(out->e, state, sizeof(out->e));
}

void por_merkle_row(const por_merkle_tree *t, size_t index, gl_t *row_out)
{
    const por_matrix *m = &t->m;
    if (m->rows)
        memcpy(row_out, m->rows + index * m->width, m->width * sizeof(gl_t));
    else
        for (size_t j = 0; j < m->width; j++)
            row_out[j] = m->cols[j][index];
}

typedef struct {
    const por_merkle_tree *t;
    por_digest *out;   /* level being written */
    const por_digest *in; /* level below (internal levels) */
    atomic_int failed; /* set by any chunk whose buffer allocation failed */
} build_job;

/*
 * Leaf digests of rows [begin, end).  Each row is laid out as row || salt in
 * a buffer of stride width + 4; for a column-major matrix TILE rows are
 * gathered per pass over the columns.
 */
static void leaves_range(void *ctx, size_t begin, size_t end)
{
    build_job *job = ctx;
    const por_merkle_tree *t = job->t;
    const por_matrix *m = &t->m;
    size_t salt = t->salted ? POR_MERKLE_SALT : 0;
    size_t stride = m->width + salt;
    gl_t *buf = malloc((stride ? stride : 1) * TILE * sizeof(gl_t));
    if (!buf) {
        atomic_store(&job->failed, 1);
        return;
    }
    for (size_t i0 = begin; i0 < end; i0 += TILE) {
        size_t rows = end - i0 < TILE ? end - i0 : TILE;
        if (m->rows) {
            for (size_t r = 0; r < rows; r++)
                memcpy(buf + r * stride, m->rows + (i0 + r) * m->width, m->width * sizeof(gl_t));
        } else {
            for (size_t j = 0; j < m->width; j++) {
                const gl_t *col = m->cols[j] + i0;
                for (size_t r = 0; r < rows; r++)
                    buf[r * stride + j] = col[r];
            }
        }
        for (size_t r = 0; r < rows; r++)
            if (salt)
                memcpy(buf + r * stride + m->width, t->salts + (i0 + r) * POR_MERKLE_SALT,
                       POR_MERKLE_SALT * sizeof(gl_t));
        if (rows == TILE && stride > POSEIDON_DIGEST) {
            /* a full tile of rows that are really hashed: 8 sponges at once */
            const gl_t *in[TILE];
            for (size_t r = 0; r < TILE; r++)
                in[r] = buf + r * stride;
            poseidon_hash_no_pad_x8(in, stride, &job->out[i0]);
        } else {
            for (size_t r = 0; r < rows; r++)
                hash_or_noop(buf + r * stride, stride, &job->out[i0 + r]);
        }
    }
    free(buf);
}

/* Nodes [begin, end) of a level from their children, 8 at a time. */
static void nodes_range(void *ctx, size_t begin, size_t end)
{
    build_job *job = ctx;
    size_t k = begin;
    for (; end - k >= 8; k += 8) {
        por_digest left[8], right[8];
        for (size_t i = 0; i < 8; i++) {
            left[i] = job->in[2 * (k + i)];
            right[i] = job->in[2 * (k + i) + 1];
        }
        poseidon_two_to_one_x8(left, right, &job->out[k]);
    }
    for (; k < end; k++)
        poseidon_two_to_one(&job->in[2 * k], &job->in[2 * k + 1], &job->out[k]);
}

int por_merkle_build(por_merkle_tree *t, por_pool *pool, const por_matrix *m, unsigned cap_height,
                     bool salted, por_rand_fn rand, void *rand_ctx)
{
    memset(t, 0, sizeof(*t));
    if (!m || m->log_rows > MAX_LOG_ROWS || cap_height > m->log_rows)
        return -1;
    if (m->width > 0 && (m->rows == NULL) == (m->cols == NULL))
        return -1;
    unsigned L = m->log_rows;
    size_t n = (size_t)1 << L;

    t->m = *m;
    /* until the copy below exists, the tree owns no column array: a failed
     * allocation must not free the caller's */
    t->m.cols = NULL;
    t->cap_height = cap_height;
    t->salted = salted;
    if (m->cols) {
        gl_t **cols = malloc((m->width ? m->width : 1) * sizeof(gl_t *));
        if (!cols)
            goto fail;
        memcpy(cols, m->cols, m->width * sizeof(gl_t *));
        t->m.cols = (const gl_t *const *)cols;
        t->m.rows = NULL;
    }
    if (salted) {
        t->salts = malloc(n * POR_MERKLE_SALT * sizeof(gl_t));
        if (!t->salts)
            goto fail;
        if ((rand ? rand : por_rand_openssl)(rand_ctx, t->salts, n * POR_MERKLE_SALT) != 0)
            goto fail;
    }
    /* levels 2^L + ... + 2^cap_height */
    t->nodes = malloc((((size_t)2 << L) - ((size_t)1 << cap_height)) * sizeof(por_digest));
    if (!t->nodes)
        goto fail;

    build_job job = {.t = t, .out = t->nodes, .in = NULL};
    atomic_init(&job.failed, 0);
    por_pool_parallel_for(pool, n, LEAF_CHUNK, leaves_range, &job);
    if (atomic_load(&job.failed))
        goto fail;
    for (unsigned h = 1; h <= L - cap_height; h++) {
        job.in = t->nodes + level_offset(L, h - 1);
        job.out = t->nodes + level_offset(L, h);
        por_pool_parallel_for(pool, (size_t)1 << (L - h), NODE_CHUNK, nodes_range, &job);
    }
    return 0;

fail:
    por_merkle_free(t);
    return -1;
}

void por_merkle_free(por_merkle_tree *t)
{
    if (t->salts)
        OPENSSL_cleanse(t->salts, ((size_t)POR_MERKLE_SALT << t->m.log_rows) * sizeof(gl_t));
    free(t->salts);
    free((void *)t->m.cols);
    free(t->nodes);
    memset(t, 0, sizeof(*t));
}

const por_digest *por_merkle_cap_ptr(const por_merkle_tree *t)
{
    return t->nodes + level_offset(t->m.log_rows, t->m.log_rows - t->cap_height);
}

void por_merkle_cap(const por_merkle_tree *t, por_digest *cap_out)
{
    memcpy(cap_out, por_merkle_cap_ptr(t), por_merkle_cap_len(t) * sizeof(por_digest));
}

void por_merkle_open(const por_merkle_tree *t, size_t index, gl_t *row_out, gl_t *salt_out,
                     por_digest *path_out)
{
    unsigned L = t->m.log_rows;
    por_merkle_row(t, index, row_out);
    if (t->salted)
        memcpy(salt_out, t->salts + index * POR_MERKLE_SALT, POR_MERKLE_SALT * sizeof(gl_t));
    size_t idx = index;
    for (unsigned h = 0; h < L - t->cap_height; h++, idx >>= 1)
        path_out[h] = t->nodes[level_offset(L, h) + (idx ^ 1)];
}

void por_merkle_open_many(const por_merkle_tree *t, const size_t *indices, size_t count,
                          gl_t *rows_out, gl_t *salts_out, por_digest *paths_out)
{
    size_t path_len = por_merkle_path_len(t);
    for (size_t k = 0; k < count; k++)
        por_merkle_open(t, indices[k], rows_out + k * t->m.width,
                        t->salted ? salts_out + k * POR_MERKLE_SALT : NULL,
                        paths_out + k * path_len);
}

/* por_merkle_leaf_hash of 8 rows of one width at once, through the 8-lane
 * permutation (overwrite mode, element by element: no buffer, no heap). */
static void leaf_hash_x8(const gl_t *const rows[8], size_t width, const gl_t *const salts[8], por_digest out[8])
{
    size_t salt_len = salts ? POR_MERKLE_SALT : 0, n = width + salt_len;
    if (n <= POSEIDON_DIGEST) {
        for (int p = 0; p < 8; p++)
            por_merkle_leaf_hash(rows[p], width, salts ? salts[p] : NULL, &out[p]);
        return;
    }
    gl_t st[8][POSEIDON_WIDTH];
    memset(st, 0, sizeof(st));
    size_t pos = 0;
    for (size_t k = 0; k < n; k++) {
        for (int p = 0; p < 8; p++)
            st[p][pos] = k < width ? rows[p][k] : salts[p][k - width];
        if (++pos == POSEIDON_RATE) {
            poseidon_permute_x8(st);
            pos = 0;
        }
    }
    if (pos > 0)
        poseidon_permute_x8(st);
    for (int p = 0; p < 8; p++)
        memcpy(out[p].e, st[p], sizeof(out[p].e));
}

int por_merkle_verify_many(const por_digest *cap, unsigned cap_height, unsigned log_rows, size_t count,
                           const size_t *indices, const gl_t *rows, size_t row_stride, size_t width,
                           const gl_t *salts, size_t salt_stride, const por_digest *paths, size_t path_stride)
{
    if (log_rows > MAX_LOG_ROWS || cap_height > log_rows)
        return -1;
    for (size_t k = 0; k < count; k++)
        if (indices[k] >= ((size_t)1 << log_rows))
            return -1;
    for (size_t k0 = 0; k0 < count; k0 += 8) {
        /* a short last group repeats its first opening in the spare lanes */
        size_t lane_k[8];
        const gl_t *lane_rows[8], *lane_salts[8];
        for (int p = 0; p < 8; p++) {
            lane_k[p] = k0 + (size_t)p < count ? k0 + (size_t)p : k0;
            lane_rows[p] = rows + lane_k[p] * row_stride;
            lane_salts[p] = salts ? salts + lane_k[p] * salt_stride : NULL;
        }
        por_digest cur[8], left[8], right[8];
        leaf_hash_x8(lane_rows, width, salts ? lane_salts : NULL, cur);
        for (unsigned h = 0; h < log_rows - cap_height; h++) {
            for (int p = 0; p < 8; p++) {
                const por_digest *sib = &paths[lane_k[p] * path_stride + h];
                bool right_child = (indices[lane_k[p]] >> h) & 1;
                left[p] = right_child ? *sib : cur[p];
                right[p] = right_child ? cur[p] : *sib;
            }
            poseidon_two_to_one_x8(left, right, cur);
        }
        for (int p = 0; p < 8; p++)
            if (memcmp(&cap[indices[lane_k[p]] >> (log_rows - cap_height)], &cur[p], sizeof(cur[p])) != 0)
                return -1;
    }
    return 0;
}

int por_merkle_verify(const por_digest *cap, unsigned cap_height, unsigned log_rows, size_t index,
                      const gl_t *row, size_t width, const gl_t *salt, const por_digest *path)
{
    if (log_rows > MAX_LOG_ROWS || cap_height > log_rows || index >= ((size_t)1 << log_rows))
        return -1;
    por_digest cur;
    por_merkle_leaf_hash(row, width, salt, &cur);
    size_t idx = index;
    for (unsigned h = 0; h < log_rows - cap_height; h++, idx >>= 1) {
        if (idx & 1)
            poseidon_two_to_one(&path[h], &cur, &cur);
        else
            poseidon_two_to_one(&cur, &path[h], &cur);
    }
    return memcmp(&cap[idx], &cur, sizeof(cur)) == 0 ? 0 : -1;
}
