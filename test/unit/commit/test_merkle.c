/* Merkle trees with caps: against a naive recursive computation, openings, rejections. */
#include <stdlib.h>

#include "field/field.h"
#include "commit/merkle.h"
#include "hash/poseidon.h"
#include "proof_fixtures.h"
#include "tap.h"
#include "util/threadpool.h"

static uint64_t seed = 0x3e5c1e;

static gl_t rnd(void) { return gl_from_u64(test_rand_u64(&seed)); }

static int failing_rand(void *ctx, gl_t *out, size_t n)
{
    (void)ctx;
    (void)out;
    (void)n;
    return -1;
}

static int digest_eq(const por_digest *a, const por_digest *b) { return memcmp(a, b, sizeof(*a)) == 0; }

/* Naive leaf digest, written from the convention rather than with the library's helper. */
static void naive_leaf(const gl_t *row, size_t width, const gl_t *salt, por_digest *out)
{
    gl_t buf[256];
    size_t n = width;
    memcpy(buf, row, width * sizeof(gl_t));
    if (salt) {
        memcpy(buf + width, salt, 4 * sizeof(gl_t));
        n += 4;
    }
    if (n <= 4) {
        memset(out, 0, sizeof(*out));
        for (size_t i = 0; i < n; i++)
            out->e[i] = buf[i];
    } else {
        poseidon_hash_no_pad(buf, n, out);
    }
}

/* Digest of the subtree over leaves [lo, lo + 2^h), recursively. */
static void naive_node(const gl_t *rows, size_t width, const gl_t *salts, size_t lo, unsigned h,
                       por_digest *out)
{
    if (h == 0) {
        naive_leaf(rows + lo * width, width, salts ? salts + 4 * lo : NULL, out);
        return;
    }
    por_digest l, r;
    naive_node(rows, width, salts, lo, h - 1, &l);
    naive_node(rows, width, salts, lo + ((size_t)1 << (h - 1)), h - 1, &r);
    poseidon_two_to_one(&l, &r, out);
}

/* Builds over a random matrix in both layouts and checks everything for one shape. */
static int check_shape(por_pool *pool, unsigned log_rows, unsigned cap_height, size_t width,
                       bool salted, size_t open_stride, int *negatives_ok)
{
    size_t n = (size_t)1 << log_rows;
    gl_t *rows = malloc((n * width + 1) * sizeof(gl_t));
    gl_t **cols = malloc((width + 1) * sizeof(gl_t *));
    for (size_t i = 0; i < n * width; i++)
        rows[i] = rnd();
    for (size_t j = 0; j < width; j++) {
        cols[j] = malloc(n * sizeof(gl_t));
        for (size_t i = 0; i < n; i++)
            cols[j][i] = rows[i * width + j];
    }
    uint64_t s1 = 42, s2 = 42;
    por_matrix mr = {log_rows, width, rows, NULL};
    por_matrix mc = {log_rows, width, NULL, (const gl_t *const *)cols};
    por_merkle_tree tr, tc;
    int good = por_merkle_build(&tr, pool, &mr, cap_height, salted, test_rand_fields, &s1) == 0;
    good &= por_merkle_build(&tc, pool, &mc, cap_height, salted, test_rand_fields, &s2) == 0;
    if (!good)
        return 0;

    size_t cap_len = por_merkle_cap_len(&tr), path_len = por_merkle_path_len(&tr);
    good &= cap_len == ((size_t)1 << cap_height) && path_len == log_rows - cap_height;
    /* room for a cap twice as long: one negative test claims cap_height + 1 */
    por_digest *cap = calloc(2 * cap_len, sizeof(por_digest));
    por_merkle_cap(&tr, cap);
    /* naive cap */
    for (size_t k = 0; k < cap_len; k++) {
        por_digest d;
        naive_node(rows, width, tr.salts, k << (log_rows - cap_height), log_rows - cap_height, &d);
        good &= digest_eq(&d, &cap[k]);
        good &= digest_eq(&cap[k], &por_merkle_cap_ptr(&tc)[k]); /* layouts agree */
    }
    good &= !salted || memcmp(tr.salts, tc.salts, n * 4 * sizeof(gl_t)) == 0;

    gl_t *row = malloc((width + 1) * sizeof(gl_t)), salt[4];
    por_digest *path = malloc((path_len + 1) * sizeof(por_digest));
    for (size_t i = 0; i < n; i += open_stride) {
        const por_merkle_tree *t = (i & 1) ? &tc : &tr;
        por_merkle_open(t, i, row, salt, path);
        good &= memcmp(row, rows + i * width, width * sizeof(gl_t)) == 0;
        const gl_t *sp = salted ? salt : NULL;
        good &= por_merkle_verify(cap, cap_height, log_rows, i, row, width, sp, path) == 0;

        /* negatives: each must be rejected (an unsalted width-0 tree commits
         * to nothing: all its leaves are equal) */
        if (width == 0 && !salted)
            continue;
        int neg = 1;
        if (width > 0) {
            row[i % width] = gl_add(row[i % width], 1);
            neg &= por_merkle_verify(cap, cap_height, log_rows, i, row, width, sp, path) != 0;
            row[i % width] = gl_sub(row[i % width], 1);
        }
        if (salted) {
            salt[i % 4] = gl_add(salt[i % 4], 1);
            neg &= por_merkle_verify(cap, cap_height, log_rows, i, row, width, salt, path) != 0;
            salt[i % 4] = gl_sub(salt[i % 4], 1);
            neg &= por_merkle_verify(cap, cap_height, log_rows, i, row, width, NULL, path) != 0;
        } else if (width > 0 && width < 4) {
            /* unsalted rows of width <= 4 are their own digest: a salt of zeros
             * extends the row to width + 4 > 4 elements, which gets hashed */
            gl_t zeros[4] = {0};
            neg &= por_merkle_verify(cap, cap_height, log_rows, i, row, width, zeros, path) != 0;
        }
        if (path_len > 0) {
            size_t h = i % path_len;
            path[h].e[i % 4] = gl_add(path[h].e[i % 4], 1);
            neg &= por_merkle_verify(cap, cap_height, log_rows, i, row, width, sp, path) != 0;
            path[h].e[i % 4] = gl_sub(path[h].e[i % 4], 1);
        }
        if (n > 1)
            neg &= por_merkle_verify(cap, cap_height, log_rows, i ^ 1, row, width, sp, path) != 0;
        neg &= por_merkle_verify(cap, cap_height, log_rows, i + n, row, width, sp, path) != 0;
        size_t c = i >> path_len;
        cap[c].e[1] = gl_add(cap[c].e[1], 1);
        neg &= por_merkle_verify(cap, cap_height, log_rows, i, row, width, sp, path) != 0;
        cap[c].e[1] = gl_sub(cap[c].e[1], 1);
        if (cap_height < log_rows)
            neg &= por_merkle_verify(cap, cap_height + 1, log_rows, i, row, width, sp, path) != 0;
        /* and the restored opening verifies again */
        neg &= por_merkle_verify(cap, cap_height, log_rows, i, row, width, sp, path) == 0;
        if (!neg)
            diag("negative failed: log_rows %u cap %u width %zu salted %d index %zu", log_rows,
                 cap_height, width, salted, i);
        *negatives_ok &= neg;
    }

    /* multi-opening = one opening per index */
    size_t idx[5] = {0, n - 1, n / 2, n / 3, 0};
    gl_t *mrows = malloc((5 * width + 1) * sizeof(gl_t)), msalts[20];
    por_digest *mpaths = malloc((5 * path_len + 1) * sizeof(por_digest));
    por_merkle_open_many(&tc, idx, 5, mrows, msalts, mpaths);
    for (size_t k = 0; k < 5; k++) {
        por_merkle_open(&tr, idx[k], row, salt, path);
        good &= memcmp(row, mrows + k * width, width * sizeof(gl_t)) == 0;
        good &= !salted || memcmp(salt, msalts + 4 * k, sizeof(salt)) == 0;
        good &= memcmp(path, mpaths + k * path_len, path_len * sizeof(por_digest)) == 0;
    }

    free(mrows);
    free(mpaths);
    free(row);
    free(path);
    free(cap);
    por_merkle_free(&tr);
    por_merkle_free(&tc);
    for (size_t j = 0; j < width; j++)
        free(cols[j]);
    free(cols);
    free(rows);
    return good;
}

/*
 * Leaf digests pinned from the implementation that hashed a concatenated
 * row || salt buffer (before the leaf hash was made heap-free): row[i] =
 * (i + 1) * 0x9e3779b97f4a7c15 mod p, salt = {p - 1, 0x0123456789abcdef, 7, 0}.
 * Widths around the rate (8), the old 64-element stack buffer (60, 61) and
 * well beyond it; width 1 and 4 unsalted are the hash_or_noop case.
 */
static const struct {
    size_t width;
    int salted;
    por_digest d;
} leaf_kats[] = {
        {1, 0, {{0x9e3779b97f4a7c15ULL, 0x0000000000000000ULL, 0x0000000000000000ULL, 0x0000000000000000ULL}}},
        {4, 0, {{0x9e3779b97f4a7c15ULL, 0x3c6ef372fe94f82aULL, 0xdaa66d2c7ddf743fULL, 0x78dde6e5fd29f054ULL}}},
        {5, 0, {{0x906f30eca13a7edbULL, 0x13311ab6ab83d631ULL, 0xb97557ca328a4d61ULL, 0x330cfa0714da3650ULL}}},
        {8, 0, {{0x57da0181ba1ae6b9ULL, 0x23baab910d01b39eULL, 0xc3f6758c9196d6caULL, 0x8afdaadf328b4302ULL}}},
        {60, 0, {{0xd986151ef8666323ULL, 0x5017b754ff6c09e7ULL, 0x02c0c26ad34b752cULL, 0x808e0a0f2a307b60ULL}}},
        {61, 0, {{0x18e29ea2d1fe6f43ULL, 0xc98578fda610743dULL, 0xd7fbda165cd49eefULL, 0x8a1adc7869cd6cadULL}}},
        {130, 0, {{0x3ef20c2188c6718eULL, 0xf65ad2a113f9e964ULL, 0xde6db6416ba3d9e9ULL, 0x6d4339ea412fc067ULL}}},
        {131, 0, {{0xe0bfc2059bc4d5c3ULL, 0xac8dc580211e1b6fULL, 0xd6c46dd7dfe827d3ULL, 0x9b12a1c7ffb9909fULL}}},
        {200, 0, {{0xc400fead6a70e6f4ULL, 0x4d33c25aada3a22cULL, 0x51591596f39a311cULL, 0xbc6135dec324d15bULL}}},
        {1, 1, {{0x6621803f2d4f7717ULL, 0x04b293739ea8c22fULL, 0x635636ac14136d6fULL, 0x990f233872065305ULL}}},
        {4, 1, {{0xbbcbd268e1dacedeULL, 0x7463f6b15d92cfaeULL, 0xfd00004aaad044b1ULL, 0xa24544b6180fe3a6ULL}}},
        {5, 1, {{0x710490526e67c604ULL, 0xf19deed9d9d0d1e3ULL, 0x16dc453e2da0c3beULL, 0x6159db4f203e4ffeULL}}},
        {8, 1, {{0xa24e88ec360ff0f6ULL, 0xa13b83fe245dd57cULL, 0x4da20e97bca41148ULL, 0x4d096486f308d825ULL}}},
        {60, 1, {{0xc89f26e145794d69ULL, 0x32f656425645b709ULL, 0xfb58d26ecd709e75ULL, 0x8346638a14dbcc9cULL}}},
        {61, 1, {{0x13cf803c8bfc695eULL, 0xa4c322f6f5c887cfULL, 0x89ec9adfad879fd3ULL, 0x19b78742fadb18edULL}}},
        {130, 1, {{0x2794ffd38f8b17f3ULL, 0x2f127dbc4e3b002aULL, 0xb682db486bc68699ULL, 0xe3a4b5edbc9dfe1fULL}}},
        {131, 1, {{0x24021083cf0325ddULL, 0x3921f2e8d94c1e9cULL, 0xfbb0d4540250db8eULL, 0x8f8d81ff86bf6a06ULL}}},
        {200, 1, {{0x24cce9e4e8100425ULL, 0x7c1e1d4f05f3607fULL, 0x6a32e82499116d1aULL, 0x446fccf9b2f0bbb3ULL}}},
};

static void test_leaf_kats(void)
{
    gl_t row[200];
    const gl_t salt[4] = {GL_P - 1, 0x0123456789abcdefULL, 7, 0};
    for (size_t i = 0; i < 200; i++)
        row[i] = gl_from_u64((uint64_t)(i + 1) * 0x9e3779b97f4a7c15ULL);
    int all = 1;
    for (size_t k = 0; k < sizeof(leaf_kats) / sizeof(leaf_kats[0]); k++) {
        por_digest d;
        por_merkle_leaf_hash(row, leaf_kats[k].width, leaf_kats[k].salted ? salt : NULL, &d);
        if (!digest_eq(&d, &leaf_kats[k].d)) {
            all = 0;
            diag("leaf KAT width %zu %s differs", leaf_kats[k].width,
                 leaf_kats[k].salted ? "salted" : "unsalted");
        }
    }
    ok(all, "leaf digests: pinned known answers, widths 1..200, salted and unsalted");
    /* negative: the last salt element and the last row element both count */
    gl_t salt2[4] = {salt[0], salt[1], salt[2], 1};
    por_digest d;
    por_merkle_leaf_hash(row, 131, salt2, &d);
    ok(!digest_eq(&d, &leaf_kats[16].d), "a different last salt element changes the digest");
    row[130] = gl_add(row[130], 1);
    por_merkle_leaf_hash(row, 131, salt, &d);
    ok(!digest_eq(&d, &leaf_kats[16].d), "a different last row element changes the digest");
    ok(leaf_kats[16].width == 131 && leaf_kats[16].salted, "(KAT 16 is width 131, salted)");

    /* every width 0..140 both ways = hash_or_noop of the concatenation */
    int same = 1;
    for (size_t w = 0; w <= 140; w++)
        for (int s = 0; s < 2; s++) {
            por_digest want, got;
            naive_leaf(row, w, s ? salt : NULL, &want);
            por_merkle_leaf_hash(row, w, s ? salt : NULL, &got);
            same &= digest_eq(&want, &got);
        }
    ok(same, "leaf digest = hash_or_noop(row || salt) for every width 0..140");
}

/*
 * Leaf digests of built trees (nodes[0 .. 2^L)) against por_merkle_leaf_hash
 * row by row: 1 to 128 rows (the tree hashes 8 rows at a time, the tail one
 * by one), row widths around the rate and the prover's 131
 * (+ 4 salt = 135), both layouts, salted and not, with and without the pool;
 * rows hold 0 and p - 1 among random words.  Negative: a changed element of
 * one row changes that leaf's digest only.
 */
static int check_leaves(por_pool *pool, unsigned log_rows, size_t width, bool salted, int *isolated)
{
    size_t n = (size_t)1 << log_rows;
    gl_t *rows = malloc((n * width + 1) * sizeof(gl_t));
    gl_t **cols = malloc((width + 1) * sizeof(gl_t *));
    for (size_t i = 0; i < n * width; i++)
        rows[i] = i % 11 == 4 ? GL_P - 1 : i % 13 == 6 ? 0 : rnd();
    for (size_t j = 0; j < width; j++) {
        cols[j] = malloc(n * sizeof(gl_t));
        for (size_t i = 0; i < n; i++)
            cols[j][i] = rows[i * width + j];
    }
    por_matrix mr = {log_rows, width, rows, NULL};
    por_matrix mc = {log_rows, width, NULL, (const gl_t *const *)cols};
    por_merkle_tree tr, tc, t2;
    uint64_t s1 = 5, s2 = 5, s3 = 5;
    int good = por_merkle_build(&tr, pool, &mr, 0, salted, test_rand_fields, &s1) == 0;
    good &= por_merkle_build(&tc, pool, &mc, 0, salted, test_rand_fields, &s2) == 0;
    for (size_t i = 0; good && i < n; i++) {
        por_digest want;
        por_merkle_leaf_hash(rows + i * width, width, salted ? tr.salts + 4 * i : NULL, &want);
        good &= digest_eq(&tr.nodes[i], &want) && digest_eq(&tc.nodes[i], &want);
    }
    /* one element of the last row but one changed: its leaf only */
    size_t k = n > 1 ? n - 2 : 0, j = width / 2;
    cols[j][k] = rows[k * width + j] = gl_add(rows[k * width + j], 1);
    if (good && por_merkle_build(&t2, pool, &mc, 0, salted, test_rand_fields, &s3) == 0) {
        for (size_t i = 0; i < n; i++)
            *isolated &= digest_eq(&t2.nodes[i], &tc.nodes[i]) == (i != k);
        por_merkle_free(&t2);
    } else {
        good = 0;
    }
    por_merkle_free(&tr);
    por_merkle_free(&tc);
    for (size_t c = 0; c < width; c++)
        free(cols[c]);
    free(cols);
    free(rows);
    return good;
}

static void test_leaf_batches(por_pool *pool)
{
    static const size_t widths[] = {1, 3, 5, 12, 131, 135};
    int all = 1, isolated = 1;
    for (unsigned log_rows = 0; log_rows <= 7; log_rows++)
        for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
            for (int salted = 0; salted <= 1; salted++) {
                int r = check_leaves((log_rows + w + (size_t)salted) % 2 ? pool : NULL, log_rows, widths[w],
                                     salted, &isolated);
                if (!r)
                    diag("leaf batch failed: log_rows %u width %zu salted %d", log_rows, widths[w], salted);
                all &= r;
            }
    ok(all, "tree leaves = por_merkle_leaf_hash per row: 1..128 rows (8-row batches and tails), widths "
            "1..135, both layouts, salted or not");
    ok(isolated, "a changed element of one row changes that leaf's digest and no other");
}

/*
 * por_merkle_verify_many against por_merkle_verify opening by opening:
 * counts 1..20 (groups of 8 and short tails), widths through the no-hash
 * limit (row + salt <= 4) to 131, salted or not, cap heights 0..2, repeated
 * indices.  Each kind of tampering (a row element, a salt element, a path
 * node, the index) in one opening of the set makes the whole set fail, as
 * por_merkle_verify fails that opening; an index past the tree fails too.
 */
static void test_verify_many(void)
{
    static const size_t widths[] = {1, 3, 4, 5, 12, 131};
    int agree = 1, valid = 1, tamper = 1, range = 1;
    for (size_t wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++)
        for (int salted = 0; salted <= 1; salted++)
            for (unsigned ch = 0; ch <= 2; ch++) {
                const unsigned log_rows = 6;
                const size_t n = (size_t)1 << log_rows, width = widths[wi], count = 1 + (wi * 7 + ch * 3 + salted) % 20;
                gl_t *rows = malloc(n * width * sizeof(gl_t));
                for (size_t i = 0; i < n * width; i++)
                    rows[i] = rnd();
                por_matrix m = {log_rows, width, rows, NULL};
                por_merkle_tree t;
                uint64_t s1 = 11;
                if (por_merkle_build(&t, NULL, &m, ch, salted, test_rand_fields, &s1) != 0) {
                    valid = 0;
                    free(rows);
                    continue;
                }
                size_t plen = por_merkle_path_len(&t), idx[24];
                por_digest cap[4], *paths = malloc(count * plen * sizeof(por_digest));
                gl_t *orow = malloc(count * width * sizeof(gl_t)), salts[24 * POR_MERKLE_SALT];
                por_merkle_cap(&t, cap);
                for (size_t k = 0; k < count; k++)
                    idx[k] = k == 3 ? idx[0] : test_rand_u64(&seed) % n; /* one repeat */
                por_merkle_open_many(&t, idx, count, orow, salted ? salts : NULL, paths);
                const gl_t *sp = salted ? salts : NULL;
                int rc = por_merkle_verify_many(cap, ch, log_rows, count, idx, orow, width, width, sp, POR_MERKLE_SALT,
                                                paths, plen);
                valid &= rc == 0;
                for (int kind = 0; kind < 4; kind++) {
                    if (kind == 1 && !salted)
                        continue;
                    size_t victim = test_rand_u64(&seed) % count, saved_idx = idx[victim];
                    gl_t *cell = kind == 0 ? &orow[victim * width + width / 2]
                               : kind == 1 ? &salts[victim * POR_MERKLE_SALT + 2]
                                           : NULL;
                    por_digest *node = kind == 2 && plen ? &paths[victim * plen + plen / 2] : NULL;
                    if (kind == 2 && !node)
                        continue;
                    if (cell)
                        *cell = gl_add(*cell, 1);
                    if (node)
                        node->e[1] = gl_add(node->e[1], 1);
                    if (kind == 3)
                        idx[victim] ^= 1;
                    int many = por_merkle_verify_many(cap, ch, log_rows, count, idx, orow, width, width, sp,
                                                      POR_MERKLE_SALT, paths, plen);
                    int one = por_merkle_verify(cap, ch, log_rows, idx[victim], orow + victim * width, width,
                                                sp ? sp + victim * POR_MERKLE_SALT : NULL, paths + victim * plen);
                    tamper &= many == -1;
                    agree &= one == -1;
                    if (cell)
                        *cell = gl_sub(*cell, 1);
                    if (node)
                        node->e[1] = gl_sub(node->e[1], 1);
                    idx[victim] = saved_idx;
                }
                for (size_t k = 0; k < count; k++)
                    agree &= por_merkle_verify(cap, ch, log_rows, idx[k], orow + k * width, width,
                                               sp ? sp + k * POR_MERKLE_SALT : NULL, paths + k * plen) == 0;
                idx[count - 1] = n;
                range &= por_merkle_verify_many(cap, ch, log_rows, count, idx, orow, width, width, sp,
                                                POR_MERKLE_SALT, paths, plen) == -1;
                por_merkle_free(&t);
                free(rows), free(paths), free(orow);
            }
    ok(valid, "verify_many: honest openings (1..20 of them, widths 1..131, salted or not, caps 0..2) accepted");
    ok(tamper, "verify_many: a row element, salt, path node or index changed in one opening fails the set");
    ok(agree, "por_merkle_verify agrees opening by opening");
    ok(range, "verify_many: an index past the tree fails");
}

int main(void)
{
    test_verify_many();
    por_pool *pool = por_pool_create(2);
    ok(pool != NULL, "pool of 2");
    test_leaf_kats();
    test_leaf_batches(pool);

    /* known answers from the convention */
    gl_t r3[3] = {5, 6, 7};
    por_digest d;
    por_merkle_leaf_hash(r3, 3, NULL, &d);
    ok(d.e[0] == 5 && d.e[1] == 6 && d.e[2] == 7 && d.e[3] == 0, "a row of 3 is its own digest, zero-padded");
    gl_t r5[5] = {1, 2, 3, 4, 5};
    por_digest h5;
    poseidon_hash_no_pad(r5, 5, &h5);
    por_merkle_leaf_hash(r5, 5, NULL, &d);
    ok(digest_eq(&d, &h5), "a row of 5 is hashed with hash_no_pad");
    gl_t salt[4] = {9, 8, 7, 6}, r3s[7] = {5, 6, 7, 9, 8, 7, 6};
    poseidon_hash_no_pad(r3s, 7, &h5);
    por_merkle_leaf_hash(r3, 3, salt, &d);
    ok(digest_eq(&d, &h5), "a salted row is hashed as row || salt");
    {
        gl_t rows[2] = {11, 22};
        por_matrix m = {1, 1, rows, NULL};
        por_merkle_tree t;
        ok(por_merkle_build(&t, NULL, &m, 0, false, NULL, NULL) == 0, "two-leaf tree built");
        por_digest l = {{11, 0, 0, 0}}, r = {{22, 0, 0, 0}}, root;
        poseidon_two_to_one(&l, &r, &root);
        ok(digest_eq(por_merkle_cap_ptr(&t), &root), "two-leaf root = two_to_one(leaf0, leaf1)");
        por_digest swapped;
        poseidon_two_to_one(&r, &l, &swapped);
        ok(!digest_eq(por_merkle_cap_ptr(&t), &swapped), "and not two_to_one(leaf1, leaf0)");
        por_merkle_free(&t);
    }

    /* every shape: caps vs naive recursion, all openings, negatives */
    static const size_t widths[] = {0, 1, 3, 4, 5, 9, 17};
    int all = 1, negatives = 1;
    for (unsigned log_rows = 0; log_rows <= 5; log_rows++)
        for (unsigned cap_height = 0; cap_height <= log_rows; cap_height++)
            for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
                for (int salted = 0; salted <= 1; salted++) {
                    /* every combination up to 2^3 rows; beyond, one wide and one
                     * narrow width at caps 0, log_rows/2 and log_rows (Poseidon is
                     * slow under the sanitizers) */
                    if (log_rows > 3 && ((widths[w] != 5 && widths[w] != 3) ||
                                         (cap_height != 0 && cap_height != log_rows / 2 &&
                                          cap_height != log_rows)))
                        continue;
                    int r = check_shape((log_rows + w) % 2 ? pool : NULL, log_rows, cap_height,
                                        widths[w], salted, log_rows >= 3 ? 5 : 1, &negatives);
                    if (!r)
                        diag("failed: log_rows %u cap %u width %zu salted %d", log_rows, cap_height,
                             widths[w], salted);
                    all &= r;
                }
    ok(all, "caps = naive recursion (cap heights 0..log_rows), layouts agree, all openings verify");
    ok(negatives, "wrong row element, salt, sibling, index, cap element or cap height: rejected");
    /* a tree large enough that leaves and levels are split across threads */
    ok(check_shape(pool, 8, 4, 20, true, 37, &negatives), "2^8 x 20, cap 4, salted, on 2 threads");
    ok(check_shape(pool, 6, 0, 135, false, 21, &negatives), "2^6 x 135, cap 0, on 2 threads");
    ok(negatives, "negatives on the large trees rejected");

    /* threads do not change the result */
    {
        size_t n = 1 << 8, width = 6;
        gl_t *rows = malloc(n * width * sizeof(gl_t));
        for (size_t i = 0; i < n * width; i++)
            rows[i] = rnd();
        por_matrix m = {8, width, rows, NULL};
        por_merkle_tree a, b;
        uint64_t s1 = 7, s2 = 7;
        por_merkle_build(&a, NULL, &m, 3, true, test_rand_fields, &s1);
        por_merkle_build(&b, pool, &m, 3, true, test_rand_fields, &s2);
        ok(memcmp(por_merkle_cap_ptr(&a), por_merkle_cap_ptr(&b), 8 * sizeof(por_digest)) == 0,
           "the same cap with and without the pool");
        por_merkle_free(&b);
        rows[5] = gl_add(rows[5], 1);
        s2 = 7;
        por_merkle_build(&b, pool, &m, 3, true, test_rand_fields, &s2);
        ok(memcmp(por_merkle_cap_ptr(&a), por_merkle_cap_ptr(&b), 8 * sizeof(por_digest)) != 0,
           "changing one element changes the cap");
        por_merkle_free(&a);
        por_merkle_free(&b);

        /* OpenSSL salts: canonical, fresh per build */
        ok(por_merkle_build(&a, pool, &m, 2, true, NULL, NULL) == 0, "salted with OpenSSL");
        ok(por_merkle_build(&b, pool, &m, 2, true, por_rand_openssl, NULL) == 0, "again");
        int canon = 1, zero = 1;
        for (size_t i = 0; i < 4 * n; i++) {
            canon &= gl_is_canonical(a.salts[i]);
            zero &= a.salts[i] == 0;
        }
        ok(canon && !zero, "OpenSSL salts are canonical and not all zero");
        ok(memcmp(por_merkle_cap_ptr(&a), por_merkle_cap_ptr(&b), 4 * sizeof(por_digest)) != 0,
           "two salted commitments to the same matrix differ");
        por_merkle_free(&a);
        por_merkle_free(&b);
        free(rows);
    }

    /* invalid builds and verifications */
    {
        gl_t rows[8] = {1, 2, 3, 4, 5, 6, 7, 8};
        const gl_t *cols[2] = {rows, rows + 4};
        por_merkle_tree t;
        por_matrix m = {2, 2, rows, NULL};
        ok(por_merkle_build(&t, NULL, &m, 3, false, NULL, NULL) == -1, "cap_height > log_rows rejected");
        ok(t.nodes == NULL && t.salts == NULL, "a failed build leaves nothing to free");
        por_merkle_free(&t);
        por_matrix both = {2, 2, rows, cols};
        ok(por_merkle_build(&t, NULL, &both, 0, false, NULL, NULL) == -1, "rows and cols both set rejected");
        por_matrix none = {2, 2, NULL, NULL};
        ok(por_merkle_build(&t, NULL, &none, 0, false, NULL, NULL) == -1, "no data rejected");
        ok(por_merkle_build(&t, NULL, &m, 0, true, failing_rand, NULL) == -1, "a failing salt source fails the build");
        ok(por_merkle_build(&t, NULL, &m, 0, false, NULL, NULL) == 0, "a valid build");
        por_digest path[2], cap[1];
        gl_t row[2], dummy[4];
        por_merkle_open(&t, 1, row, dummy, path);
        por_merkle_cap(&t, cap);
        ok(por_merkle_verify(cap, 0, 2, 1, row, 2, NULL, path) == 0, "opening verifies");
        ok(por_merkle_verify(cap, 3, 2, 1, row, 2, NULL, path) == -1, "verify: cap_height > log_rows rejected");
        ok(por_merkle_verify(cap, 0, 2, 4, row, 2, NULL, path) == -1, "verify: index out of range rejected");
        /* (with zero-padded short rows, [a, b] and [a, b, 0] share a digest: the
         * verifier must take the width from its parameters, never from the proof) */
        ok(por_merkle_verify(cap, 0, 2, 1, row, 1, NULL, path) == -1, "verify: wrong width rejected");
        por_merkle_free(&t);
    }

    por_pool_destroy(pool);
    return done_testing();
}
