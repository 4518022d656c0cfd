/*
 * The account tree: shape (depth, level sizes), hash layout of id
 * commitments, leaves, nodes and empty subtrees composed by hand from
 * por_hash, trees of 1, 2, 3 and 5 leaves, paths of every leaf, threaded
 * build, digest order, and the salts (HMAC-SHA256 known answers from openssl).
 */
#include <stdlib.h>
#include <string.h>

#include "por/hex.h"
#include "por/salt.h"
#include "tap.h"
#include "por/tree.h"

static bool deq(const por_digest *a, const por_digest *b) { return memcmp(a, b, sizeof(*a)) == 0; }

static void test_shape(void)
{
    static const struct {
        uint64_t n;
        unsigned depth;
    } cases[] = {{1, 0}, {2, 1}, {3, 2}, {4, 2}, {5, 3}, {8, 3}, {9, 4}, {1000000, 20},
                 {1ULL << 20, 20}, {(1ULL << 20) + 1, 21}, {1ULL << 40, 40}, {(1ULL << 40) + 1, 41}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        is_u64(por_tree_depth(cases[i].n), cases[i].depth, "depth(%llu) = %u",
               (unsigned long long)cases[i].n, cases[i].depth);
    static const uint64_t five[] = {5, 3, 2, 1};
    for (unsigned h = 0; h < 4; h++)
        is_u64(por_tree_level_size(5, h), five[h], "level %u of a 5-leaf tree has %llu nodes", h,
               (unsigned long long)five[h]);
    is_u64(por_tree_level_size(1000000, 1), 500000, "level 1 of 10^6 leaves");
    is_u64(por_tree_level_size(1000000, 5), 31250, "level 5 of 10^6 leaves");
    is_u64(por_tree_level_size(1000001, 5), 31251, "level 5 of 10^6 + 1 leaves rounds up");
    is_u64(por_tree_level_size(1000000, 20), 1, "the top level of 10^6 leaves is the root");
    is_u64(por_tree_level_size(UINT64_MAX, 63), 2, "no overflow rounding up near 2^64");
}

/* Hand-composed hash inputs: every layout rule of tree.h spelled out. */
static void test_hash_layout(void)
{
    por_digest e0, e1, e2, want;
    por_hash(POR_DOMAIN_EMPTY, NULL, 0, &want);
    por_empty_subtree(0, &e0);
    ok(deq(&e0, &want), "E_0 = por_hash(DOMAIN_EMPTY, [])");
    gl_t in[8];
    memcpy(in, e0.e, 32);
    memcpy(in + 4, e0.e, 32);
    por_hash(POR_DOMAIN_NODE, in, 8, &want);
    por_empty_subtree(1, &e1);
    ok(deq(&e1, &want), "E_1 = por_hash(DOMAIN_NODE, E_0 || E_0)");
    por_node_hash(&e1, &e1, &want);
    por_empty_subtree(2, &e2);
    ok(deq(&e2, &want), "E_2 = node(E_1, E_1)");
    ok(!deq(&e0, &e1) && !deq(&e1, &e2), "empty subtrees of different heights differ");

    /* node(l, r) is ordered and domain separated from plain Poseidon */
    por_digest a = {{1, 2, 3, 4}}, b = {{5, 6, 7, 8}}, ab, ba, two;
    por_node_hash(&a, &b, &ab);
    por_node_hash(&b, &a, &ba);
    poseidon_two_to_one(&a, &b, &two);
    ok(!deq(&ab, &ba), "node(a, b) != node(b, a)");
    ok(!deq(&ab, &two), "node hash is not Plonky2's two_to_one (domain separated)");

    /* leaf = por_hash(DOMAIN_LEAF, [C0..3, e_1..e_A, d_1..d_A]) for several A,
     * which crosses the 8-element chunk boundaries of the sponge */
    uint64_t seed = 11;
    for (size_t assets = 0; assets <= 9; assets++) {
        uint64_t e[9], d[9];
        gl_t buf[4 + 18];
        por_digest c = {{test_rand_u64(&seed) >> 2, 2, 3, test_rand_u64(&seed) >> 2}}, leaf;
        memcpy(buf, c.e, 32);
        for (size_t k = 0; k < assets; k++) {
            e[k] = test_rand_u64(&seed) >> 2;
            d[k] = test_rand_u64(&seed) >> 2;
            buf[4 + k] = e[k];
            buf[4 + assets + k] = d[k];
        }
        por_hash(POR_DOMAIN_LEAF, buf, 4 + 2 * assets, &want);
        por_leaf_hash(&c, e, d, assets, &leaf);
        ok(deq(&leaf, &want), "leaf hash layout with %zu assets", assets);
    }
    /* equity and debt columns are not interchangeable */
    por_digest c = {{9, 9, 9, 9}}, l1, l2;
    uint64_t one = 1, zero = 0;
    por_leaf_hash(&c, &one, &zero, 1, &l1);
    por_leaf_hash(&c, &zero, &one, 1, &l2);
    ok(!deq(&l1, &l2), "equity 1 / debt 0 and equity 0 / debt 1 give different leaves");
}

/* C_u = por_hash(DOMAIN_ID, [len, 7-byte little-endian words, salt0..3]). */
static void test_id_commitment(void)
{
    const gl_t salt[4] = {0x1111, 0x2222, GL_P - 1, 0};
    static const char id14[] = "abcdefghijklmn";
    static const size_t lens[] = {6, 7, 8, 14};
    for (size_t i = 0; i < 4; i++) {
        size_t len = lens[i];
        gl_t in[1 + 2 + 4];
        size_t n = 0;
        in[n++] = len;
        /* hand-packed: bytes 0..6 little-endian in the first word, the rest in the second */
        uint64_t w0 = 0, w1 = 0;
        for (size_t k = 0; k < len && k < 7; k++)
            w0 |= (uint64_t)(uint8_t)id14[k] << (8 * k);
        for (size_t k = 7; k < len; k++)
            w1 |= (uint64_t)(uint8_t)id14[k] << (8 * (k - 7));
        in[n++] = w0;
        if (len > 7)
            in[n++] = w1;
        memcpy(in + n, salt, 32);
        n += 4;
        por_digest want, got;
        por_hash(POR_DOMAIN_ID, in, n, &want);
        ok(por_id_commitment((const uint8_t *)id14, len, salt, &got) == 0 && deq(&got, &want),
           "id commitment of a %zu-byte id packs %zu words", len, n - 5);
    }
    is_u64((uint64_t)'a' | (uint64_t)'g' << 48, 0x0067000000000061ULL, "packing is little-endian");

    por_digest x, y;
    por_id_commitment((const uint8_t *)"ab", 2, salt, &x);
    por_id_commitment((const uint8_t *)"ab\0", 3, salt, &y);
    ok(!deq(&x, &y), "\"ab\" and \"ab\\0\" commit differently (the length is hashed)");
    por_id_commitment((const uint8_t *)"abcdefg", 7, salt, &x);
    por_id_commitment((const uint8_t *)"abcdefg\0", 8, salt, &y);
    ok(!deq(&x, &y), "a trailing NUL after a full word changes the commitment");
    gl_t salt2[4] = {0x1111, 0x2222, GL_P - 1, 1};
    por_id_commitment((const uint8_t *)"ab", 2, salt2, &y);
    por_id_commitment((const uint8_t *)"ab", 2, salt, &x);
    ok(!deq(&x, &y), "a different salt gives a different commitment");

    uint8_t big[POR_ACCOUNT_ID_MAX + 1];
    memset(big, 'x', sizeof(big));
    ok(por_id_commitment(big, 0, salt, &x) == -1, "empty id rejected");
    ok(por_id_commitment(big, POR_ACCOUNT_ID_MAX, salt, &x) == 0, "256-byte id accepted");
    ok(por_id_commitment(big, POR_ACCOUNT_ID_MAX + 1, salt, &x) == -1, "257-byte id rejected");
    gl_t bad[4] = {GL_P, 0, 0, 0};
    ok(por_id_commitment(big, 3, bad, &x) == -1, "non-canonical salt rejected");
}

static void leaves_for(por_digest *leaves, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        leaves[i] = (por_digest){{i + 1, 1000 + i, 2000 + i, 3000 + i}};
}

/* Builds a tree on a pool of `threads` threads (0 = all cores; 1 = no pool); returns its levels. */
static por_digest **build(uint64_t n, unsigned threads)
{
    por_pool *pool = threads == 1 ? NULL : por_pool_create(threads);
    unsigned depth = por_tree_depth(n);
    por_digest **levels = calloc(depth + 1, sizeof(*levels));
    for (unsigned h = 0; h <= depth; h++)
        levels[h] = calloc(por_tree_level_size(n, h), sizeof(por_digest));
    leaves_for(levels[0], n);
    por_tree_build(pool, levels, n);
    por_pool_destroy(pool);
    return levels;
}

static void free_levels(por_digest **levels, uint64_t n)
{
    for (unsigned h = 0; h <= por_tree_depth(n); h++)
        free(levels[h]);
    free(levels);
}

static void test_small_trees(void)
{
    por_digest l[5], e0, e1, a, b, c, d, r;
    leaves_for(l, 5);
    por_empty_subtree(0, &e0);
    por_empty_subtree(1, &e1);

    por_digest **t1 = build(1, 1);
    ok(deq(&t1[0][0], &l[0]), "1 leaf: the root is the leaf");
    free_levels(t1, 1);

    por_digest **t2 = build(2, 1);
    por_node_hash(&l[0], &l[1], &r);
    ok(deq(&t2[1][0], &r), "2 leaves: root = node(l0, l1)");
    free_levels(t2, 2);

    por_digest **t3 = build(3, 1);
    por_node_hash(&l[0], &l[1], &a);
    por_node_hash(&l[2], &e0, &b);
    por_node_hash(&a, &b, &r);
    ok(deq(&t3[2][0], &r), "3 leaves: root = node(node(l0, l1), node(l2, E_0))");
    free_levels(t3, 3);

    por_digest **t5 = build(5, 1);
    por_node_hash(&l[0], &l[1], &a);
    por_node_hash(&l[2], &l[3], &b);
    por_node_hash(&l[4], &e0, &c);
    ok(deq(&t5[1][2], &c), "5 leaves: level 1 ends with node(l4, E_0)");
    por_node_hash(&a, &b, &d);
    por_node_hash(&c, &e1, &c);
    ok(deq(&t5[2][1], &c), "5 leaves: level 2 ends with node(node(l4, E_0), E_1)");
    por_node_hash(&d, &c, &r);
    ok(deq(&t5[3][0], &r), "5 leaves: root composed by hand");
    free_levels(t5, 5);
}

/* Every leaf of every tree of 1..40 leaves folds up its path to the root. */
static void test_paths(void)
{
    int all_ok = 1, empties_ok = 1, wrong_detected = 1;
    por_digest empty[7];
    for (unsigned h = 0; h < 7; h++)
        por_empty_subtree(h, &empty[h]);
    for (uint64_t n = 1; n <= 40; n++) {
        por_digest **lv = build(n, 1);
        unsigned depth = por_tree_depth(n);
        for (uint64_t i = 0; i < n; i++) {
            por_digest sib[POR_MAX_DEPTH], root;
            por_tree_path((const por_digest *const *)lv, n, i, sib);
            por_tree_root_from_path(&lv[0][i], i, n, sib, &root);
            all_ok &= deq(&root, &lv[depth][0]);
            for (unsigned h = 0; h < depth; h++)
                if (((i >> h) ^ 1) >= por_tree_level_size(n, h))
                    empties_ok &= deq(&sib[h], &empty[h]);
            if (n > 1) {
                /* the same path under a neighbouring index gives another root */
                por_tree_root_from_path(&lv[0][i], i ^ 1, n, sib, &root);
                wrong_detected &= !deq(&root, &lv[depth][0]);
            }
        }
        free_levels(lv, n);
    }
    ok(all_ok, "root_from_path(path(i)) is the root for every leaf of trees of 1..40 leaves");
    ok(empties_ok, "siblings past the end of a level are E_h");
    ok(wrong_detected, "a path used at the wrong index gives a different root");
}

static void test_threads(void)
{
    const uint64_t n = 4001; /* levels 1 and 2 are big enough to run on 2 threads */
    por_digest **one = build(n, 1), **two = build(n, 2), **all = build(n, 0);
    unsigned depth = por_tree_depth(n);
    int same = 1;
    for (unsigned h = 0; h <= depth; h++) {
        size_t bytes = por_tree_level_size(n, h) * sizeof(por_digest);
        same &= memcmp(one[h], two[h], bytes) == 0 && memcmp(one[h], all[h], bytes) == 0;
    }
    ok(same, "threaded builds (2 threads, all cores) equal the single-threaded build, every level");
    free_levels(one, n);
    free_levels(two, n);
    free_levels(all, n);
}

static void test_compare(void)
{
    por_digest a = {{0x0100, 0, 0, 0}}, b = {{0x0001, 0, 0, 0}}, c = {{0, 0, 0, 1}};
    ok(por_digest_compare(&a, &a) == 0, "compare: equal digests");
    /* 32-byte little-endian encodings: a starts 00 01, b starts 01 00 */
    ok(por_digest_compare(&a, &b) < 0 && por_digest_compare(&b, &a) > 0,
       "compare follows the byte encoding, not the numeric value");
    ok(por_digest_compare(&c, &b) < 0, "compare looks at the first word first");
}

static void test_salts(void)
{
    uint8_t key[POR_MASTER_KEY_BYTES];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    /* openssl dgst -sha256 -mac HMAC -macopt hexkey:000102..1f over
     * 00 00 00 00 00 00 00 03 'a' 'l' 'i' 'c' 'e' =
     * 3073ad9cf06dad1ba013829f84569c487469d4d94e3dcd8df8f45a1df2d978e4 */
    static const gl_t want[4] = {0x1bad6df09cad7330ULL, 0x489c56849f8213a0ULL, 0x8dcd3d4ed9d46974ULL,
                                 0xe478d9f21d5af4f8ULL};
    gl_t salt[4], other[4];
    ok(por_salt_derive(key, 3, (const uint8_t *)"alice", 5, salt) == 0, "salt derivation succeeds");
    ok(memcmp(salt, want, sizeof(want)) == 0, "salt = HMAC-SHA256(key, be64(3) || \"alice\") as LE words");
    por_salt_derive(key, 4, (const uint8_t *)"alice", 5, other);
    ok(memcmp(salt, other, sizeof(salt)) != 0, "another snapshot gives another salt");
    por_salt_derive(key, 3, (const uint8_t *)"alicf", 5, other);
    ok(memcmp(salt, other, sizeof(salt)) != 0, "another account gives another salt");
    key[31] ^= 1;
    por_salt_derive(key, 3, (const uint8_t *)"alice", 5, other);
    ok(memcmp(salt, other, sizeof(salt)) != 0, "another master key gives another salt");
    key[31] ^= 1;

    char id[17];
    ok(por_master_key_id(key, id) == 0 && strcmp(id, "f993f9d0a5c36b2c") == 0,
       "key id = first 8 bytes of HMAC-SHA256(key, \"por key id\") (openssl)");

    gl_t r1[4], r2[4];
    ok(por_salt_random(r1) == 0 && por_salt_random(r2) == 0, "random salts");
    ok(memcmp(r1, r2, sizeof(r1)) != 0, "two random salts differ");
    int canonical = 1;
    for (int i = 0; i < 4; i++)
        canonical &= gl_is_canonical(r1[i]) && gl_is_canonical(r2[i]);
    ok(canonical, "random salt words are canonical");
    uint8_t k1[32], k2[32];
    ok(por_master_key_generate(k1) == 0 && por_master_key_generate(k2) == 0 &&
           memcmp(k1, k2, 32) != 0,
       "two generated master keys differ");
}

/*
 * Frozen values, generated once by this implementation: they pin the hash
 * layout (and the Poseidon underneath it), so any change to either shows up
 * here and must come with a new format version.
 */
static void test_frozen(void)
{
    const gl_t salt[4] = {0x1bad6df09cad7330ULL, 0x489c56849f8213a0ULL, 0x8dcd3d4ed9d46974ULL,
                          0xe478d9f21d5af4f8ULL};
    const uint64_t e[2] = {150000000, 7}, d[2] = {0, 3};
    por_digest e0, c, leaf;
    char hex[65];
    por_empty_subtree(0, &e0);
    por_digest_to_hex(&e0, hex);
    ok(strcmp(hex, "041d2fa631777e1a0b507cba58e47b807afd4f36e19b11aeed33a22791a87e32") == 0,
       "frozen E_0 = %s", hex);
    por_id_commitment((const uint8_t *)"alice", 5, salt, &c);
    por_digest_to_hex(&c, hex);
    ok(strcmp(hex, "d5f4f29ef68316e85d0e6e1aff843b6172adfc2e82da6d9fe52cd90ca71e9314") == 0,
       "frozen C_u(\"alice\", salt of snapshot 3) = %s", hex);
    por_leaf_hash(&c, e, d, 2, &leaf);
    por_digest_to_hex(&leaf, hex);
    ok(strcmp(hex, "8dfed3ec7d39a8ec50a916fe208066610a49d04d795c8138c738f3b8a3e27a97") == 0,
       "frozen leaf(C_u, e = [150000000, 7], d = [0, 3]) = %s", hex);
}

int main(void)
{
    test_shape();
    test_hash_layout();
    test_id_commitment();
    test_small_trees();
    test_paths();
    test_threads();
    test_compare();
    test_salts();
    test_frozen();
    return done_testing();
}
