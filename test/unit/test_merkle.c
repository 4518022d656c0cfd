/* Merkle trees with caps: against a naive recursive computation, openings, rejections. */
#include <stdlib.h>

#include "field.h"
#include "merkle.h"
#include "poseidon.h"
#include "proof_fixtures.h"
#include "tap.h"
#include "threadpool.h"

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

int main(void)
{
    por_pool *pool = por_pool_create(2);
    ok(pool != NULL, "pool of 2");

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
