/*
 * Poseidon: Plonky2's known answers for the width-12 permutation, the fast
 * permutations against the plain round-by-round reference, and the sponges
 * (hash_no_pad, two_to_one, por_hash) against permutations composed by hand;
 * the 8-lane versions (vector and portable) against 8 single calls, and the
 * 8-lane builds' multiplication, MDS layer and dot products on non-canonical
 * and extreme words against plain field arithmetic.
 */
#include "hash/poseidon.h"
#include "hash/poseidon_constants.h"
#include "hash/poseidon_internal.h"
#include "tap.h"

typedef void (*permute_fn)(gl_t state[POSEIDON_WIDTH]);

static const struct {
    const char *name;
    gl_t in[POSEIDON_WIDTH];
    gl_t out[POSEIDON_WIDTH];
} KAT[] = {
    {"all zeros",
     {0},
     {0x3c18a9786cb0b359, 0xc4055e3364a246c3, 0x7953db0ab48808f4, 0xc71603f33a1144ca,
      0xd7709673896996dc, 0x46a84e87642f44ed, 0xd032648251ee0b3c, 0x1c687363b207df62,
      0xdf8565563e8045fe, 0x40f5b37ff4254dae, 0xd070f637b431067c, 0x1792b1c4342109d7}},
    {"0..11",
     {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
     {0xd64e1e3efc5b8e9e, 0x53666633020aaa47, 0xd40285597c6a8825, 0x613a4f81e81231d2,
      0x414754bfebd051f0, 0xcb1f8980294a023f, 0x6eb2a9e4d54a9d0f, 0x1902bc3af467e056,
      0xf045d5eafdc6021f, 0xe4150f77caaa3be5, 0xc9bfd01d39b50cce, 0x5c0a27fcb0e1459b}},
    {"all p-1",
     {GL_P - 1, GL_P - 1, GL_P - 1, GL_P - 1, GL_P - 1, GL_P - 1, GL_P - 1, GL_P - 1, GL_P - 1,
      GL_P - 1, GL_P - 1, GL_P - 1},
     {0xbe0085cfc57a8357, 0xd95af71847d05c09, 0xcf55a13d33c1c953, 0x95803a74f4530e82,
      0xfcd99eb30a135df1, 0xe095905e913a3029, 0xde0392461b42919b, 0x7d3260e24e81d031,
      0x10d3d0465d9deaa0, 0xa87571083dfc2a47, 0xe18263681e9958f8, 0xe28e96f1ae5e60d3}},
    {"random input",
     {0x8ccbbbea4fe5d2b7, 0xc2af59ee9ec49970, 0x90f7e1a9e658446a, 0xdcc0630a3ab8b1b8,
      0x7ff8256bca20588c, 0x5d99a7ca0c44ecfb, 0x48452b17a70fbee3, 0xeb09d654690b6c88,
      0x4a55d3a39c676a88, 0xc0407a38d2285139, 0xa234bac9356386d1, 0xe1633f2bad98a52f},
     {0xa89280105650c4ec, 0xab542d53860d12ed, 0x5704148e9ccab94f, 0xd3a826d4b62da9f5,
      0x8a7a6ca87892574f, 0xc7017e1cad1a674e, 0x1f06668922318e34, 0xa3b203bc8102676f,
      0xfcc781b0ce382bf2, 0x934c69ff3ed14ba5, 0x504688a5996e8f13, 0x401f3f2ed524a2ba}},
};
#define N_KAT (sizeof(KAT) / sizeof(KAT[0]))

static int same(const gl_t *a, const gl_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

static void test_known_answers(const char *impl, permute_fn permute)
{
    for (size_t k = 0; k < N_KAT; k++) {
        gl_t s[POSEIDON_WIDTH];
        memcpy(s, KAT[k].in, sizeof(s));
        permute(s);
        int bad = -1;
        for (int i = 0; i < POSEIDON_WIDTH && bad < 0; i++)
            if (s[i] != KAT[k].out[i])
                bad = i;
        if (!ok(bad < 0, "%s permutation, Plonky2 known answer: %s", impl, KAT[k].name))
            diag("word %d: got %016llx, want %016llx", bad, (unsigned long long)s[bad],
                 (unsigned long long)KAT[k].out[bad]);
    }
}

/* Random canonical states, some of them made of edge values. */
static void rand_state(gl_t s[POSEIDON_WIDTH], uint64_t *seed, int kind)
{
    for (int i = 0; i < POSEIDON_WIDTH; i++) {
        uint64_t r = test_rand_u64(seed);
        switch (kind % 5) {
        case 0:
            s[i] = gl_from_u64(r);
            break;
        case 1:
            s[i] = GL_P - 1 - (r & 3);               /* near p */
            break;
        case 2:
            s[i] = r & 3;                             /* tiny */
            break;
        case 3:
            s[i] = (r & 1) ? 0xffffffffULL : 0x100000000ULL;  /* around 2^32 */
            break;
        default:
            s[i] = (r & 1) ? gl_from_u64(r) : (r & 2) ? 0 : GL_P - 1;
            break;
        }
    }
}

static void test_fast_matches_reference(void)
{
    uint64_t seed = 11;
    int bad_fast = 0, bad_scalar = 0;
    const int n = 3000;
    for (int k = 0; k < n; k++) {
        gl_t ref[POSEIDON_WIDTH], fast[POSEIDON_WIDTH], scalar[POSEIDON_WIDTH];
        rand_state(ref, &seed, k);
        memcpy(fast, ref, sizeof(ref));
        memcpy(scalar, ref, sizeof(ref));
        poseidon_permute_reference(ref);
        poseidon_permute(fast);
        poseidon_permute_scalar(scalar);
        bad_fast += !same(fast, ref, POSEIDON_WIDTH);
        bad_scalar += !same(scalar, ref, POSEIDON_WIDTH);
    }
    ok(bad_fast == 0, "poseidon_permute == reference on %d random and edge states", n);
    ok(bad_scalar == 0, "poseidon_permute_scalar == reference on %d random and edge states", n);

    /* Rare reduction paths: a 128-bit product whose low word is below its top
     * 32 bits needs the borrow fix-up, which random data reaches with
     * probability 2^-32.  x = c * 2^48 gives x^2 = c^2 * 2^96 (low word 0), and
     * x^2 = -c^2, x^4 = c^4 follow.  Choose inputs so that the first round's
     * S-box sees such x in every lane. */
    bad_fast = bad_scalar = 0;
    for (uint64_t c = 1; c <= 300; c++) {
        gl_t ref[POSEIDON_WIDTH], fast[POSEIDON_WIDTH], scalar[POSEIDON_WIDTH];
        for (int i = 0; i < POSEIDON_WIDTH; i++) {
            gl_t x = gl_from_u64(((c + (uint64_t)i * 1000) << 48) | (c > 200 ? c : 0));
            ref[i] = gl_sub(x, POR_POSEIDON_ROUND_CONSTANTS[i]);
        }
        memcpy(fast, ref, sizeof(ref));
        memcpy(scalar, ref, sizeof(ref));
        poseidon_permute_reference(ref);
        poseidon_permute(fast);
        poseidon_permute_scalar(scalar);
        bad_fast += !same(fast, ref, POSEIDON_WIDTH);
        bad_scalar += !same(scalar, ref, POSEIDON_WIDTH);
    }
    ok(bad_fast == 0 && bad_scalar == 0, "states that reach the borrow fix-up of the reduction agree");

    /* Iterated: outputs fed back as inputs cover states the generator would not. */
    gl_t a[POSEIDON_WIDTH], b[POSEIDON_WIDTH], c[POSEIDON_WIDTH];
    rand_state(a, &seed, 0);
    memcpy(b, a, sizeof(a));
    memcpy(c, a, sizeof(a));
    int bad = 0;
    for (int k = 0; k < 500; k++) {
        poseidon_permute_reference(a);
        poseidon_permute(b);
        poseidon_permute_scalar(c);
        bad += !same(a, b, POSEIDON_WIDTH) || !same(a, c, POSEIDON_WIDTH);
        for (int i = 0; i < POSEIDON_WIDTH; i++)
            bad += !gl_is_canonical(b[i]) || !gl_is_canonical(c[i]);
    }
    ok(bad == 0, "500 chained permutations agree, all outputs canonical");

    /* Negative control: a one-word change of the input changes every output word. */
    gl_t x[POSEIDON_WIDTH] = {0}, y[POSEIDON_WIDTH] = {0};
    y[11] = 1;
    poseidon_permute(x);
    poseidon_permute(y);
    int differ = 0;
    for (int i = 0; i < POSEIDON_WIDTH; i++)
        differ += x[i] != y[i];
    ok(differ == POSEIDON_WIDTH, "changing one input word changes all 12 output words");
}

/* hash_no_pad composed by hand: overwrite state[0..len), permute, per chunk. */
static void compose_no_pad(const gl_t *in, size_t n, gl_t state[POSEIDON_WIDTH])
{
    memset(state, 0, POSEIDON_WIDTH * sizeof(gl_t));
    for (size_t off = 0; off < n; off += POSEIDON_RATE) {
        for (size_t i = 0; i < POSEIDON_RATE && off + i < n; i++)
            state[i] = in[off + i];
        poseidon_permute_reference(state);
    }
}

static void test_hash_no_pad(void)
{
    gl_t in[20];
    uint64_t seed = 12;
    for (int i = 0; i < 20; i++)
        in[i] = gl_from_u64(test_rand_u64(&seed));
    por_digest d, d2;

    poseidon_hash_no_pad(in, 0, &d);
    ok(d.e[0] == 0 && d.e[1] == 0 && d.e[2] == 0 && d.e[3] == 0,
       "hash_no_pad of no input is the zero digest (no permutation)");

    gl_t st[POSEIDON_WIDTH] = {0};
    memcpy(st, in, 8 * sizeof(gl_t));
    poseidon_permute_reference(st);
    poseidon_hash_no_pad(in, 8, &d);
    ok(same(d.e, st, 4), "8 inputs: one permutation of in || 0^4");

    /* 9 inputs: the 9th overwrites word 0 of the permuted state, words 1..11 stay */
    memset(st, 0, sizeof(st));
    memcpy(st, in, 8 * sizeof(gl_t));
    poseidon_permute_reference(st);
    st[0] = in[8];
    poseidon_permute_reference(st);
    poseidon_hash_no_pad(in, 9, &d);
    ok(same(d.e, st, 4), "9 inputs: two permutations, overwrite absorption without padding");

    for (size_t n = 1; n <= 20; n++) {
        compose_no_pad(in, n, st);
        poseidon_hash_no_pad(in, n, &d);
        if (!same(d.e, st, 4)) {
            ok(0, "hash_no_pad of %zu inputs matches the composed sponge", n);
            break;
        }
        if (n == 20)
            ok(1, "hash_no_pad of 1..20 inputs matches the composed sponge");
    }

    /* No padding: [a] and [a, 0] collide (Plonky2 semantics), [a, 0..0 (8)] too
     * at the first chunk; a change in any word is seen. */
    gl_t one[2] = {in[0], 0};
    poseidon_hash_no_pad(one, 1, &d);
    poseidon_hash_no_pad(one, 2, &d2);
    ok(same(d.e, d2.e, 4), "no padding: [a] and [a, 0] hash alike (documented Plonky2 behaviour)");
    poseidon_hash_no_pad(in, 20, &d);
    gl_t changed[20];
    memcpy(changed, in, sizeof(changed));
    changed[19] = gl_add(changed[19], 1);
    poseidon_hash_no_pad(changed, 20, &d2);
    ok(!same(d.e, d2.e, 4), "changing the last of 20 inputs changes the digest");
}

static void test_two_to_one(void)
{
    por_digest l = {{1, 2, 3, 4}}, r = {{5, 6, 7, GL_P - 1}}, d, d2;
    gl_t st[POSEIDON_WIDTH] = {1, 2, 3, 4, 5, 6, 7, GL_P - 1, 0, 0, 0, 0};
    poseidon_permute_reference(st);
    poseidon_two_to_one(&l, &r, &d);
    ok(same(d.e, st, 4), "two_to_one = permute(left || right || 0^4)[0..4]");
    poseidon_two_to_one(&r, &l, &d2);
    ok(!same(d.e, d2.e, 4), "two_to_one is not symmetric");
    gl_t in8[8] = {1, 2, 3, 4, 5, 6, 7, GL_P - 1};
    poseidon_hash_no_pad(in8, 8, &d2);
    ok(same(d.e, d2.e, 4), "two_to_one equals hash_no_pad of the 8 words");
}

/* por_hash composed by hand. */
static void compose_por(uint64_t domain, const gl_t *in, size_t n, gl_t state[POSEIDON_WIDTH])
{
    memset(state, 0, POSEIDON_WIDTH * sizeof(gl_t));
    state[8] = gl_from_u64(domain);
    state[9] = gl_from_u64(n);
    if (n == 0) {
        poseidon_permute_reference(state);
        return;
    }
    for (size_t off = 0; off < n; off += POSEIDON_RATE) {
        for (size_t i = 0; i < POSEIDON_RATE && off + i < n; i++)
            state[i] = in[off + i];
        poseidon_permute_reference(state);
    }
}

static void test_por_hash(void)
{
    const uint64_t dom_a = 0x706f722d6e6f6465ULL, dom_b = 0x706f722d6c656166ULL;
    gl_t in[17];
    uint64_t seed = 13;
    for (int i = 0; i < 17; i++)
        in[i] = gl_from_u64(test_rand_u64(&seed));
    por_digest d, d2;
    gl_t st[POSEIDON_WIDTH];

    int bad = 0;
    for (size_t n = 0; n <= 17; n++) {
        compose_por(dom_a, in, n, st);
        por_hash(dom_a, in, n, &d);
        bad += !same(d.e, st, 4);
    }
    ok(bad == 0, "por_hash of 0..17 inputs = the composed sponge with domain and length in the capacity");

    por_hash(dom_a, in, 0, &d);
    ok(!(d.e[0] == 0 && d.e[1] == 0 && d.e[2] == 0 && d.e[3] == 0),
       "por_hash of no input still permutes once (not the zero digest)");
    por_hash(dom_b, in, 0, &d2);
    ok(!same(d.e, d2.e, 4), "empty inputs under different domains differ");

    por_hash(dom_a, in, 8, &d);
    por_hash(dom_b, in, 8, &d2);
    ok(!same(d.e, d2.e, 4), "same 8 inputs, different domain: different digest");

    gl_t padded[3] = {in[0], in[1], 0};
    por_hash(dom_a, padded, 2, &d);
    por_hash(dom_a, padded, 3, &d2);
    ok(!same(d.e, d2.e, 4), "[a, b] and [a, b, 0]: the length separates them");
    poseidon_hash_no_pad(padded, 2, &d);
    poseidon_hash_no_pad(padded, 3, &d2);
    ok(same(d.e, d2.e, 4), "(while hash_no_pad does not separate them)");

    por_hash(dom_a, in, 8, &d);
    poseidon_hash_no_pad(in, 8, &d2);
    ok(!same(d.e, d2.e, 4), "por_hash differs from hash_no_pad on the same input");
}

static void test_digest_bytes(void)
{
    por_digest d = {{0x0123456789abcdefULL, GL_P - 1, 0, 0xfedcba9876543210ULL % GL_P}}, back;
    uint8_t b[32];
    por_digest_to_bytes(&d, b);
    ok(b[0] == 0xef && b[7] == 0x01 && b[8] == 0x00 && b[12] == 0xff && b[15] == 0xff,
       "digest bytes are little-endian words in order");
    ok(por_digest_from_bytes(b, &back) == 0 && same(back.e, d.e, 4), "bytes -> digest round trip");

    int rejected = 0;
    for (int w = 0; w < 4; w++) {
        uint8_t bad[32];
        memcpy(bad, b, sizeof(bad));
        for (int i = 0; i < 8; i++)
            bad[8 * w + i] = (uint8_t)(GL_P >> (8 * i));           /* word = p */
        rejected += por_digest_from_bytes(bad, &back) == -1;
        memset(bad + 8 * w, 0xff, 8);                               /* word = 2^64 - 1 */
        rejected += por_digest_from_bytes(bad, &back) == -1;
    }
    ok(rejected == 8, "a non-canonical word (p or 2^64 - 1) in any position is rejected");
    uint8_t max[32];
    memset(max, 0, sizeof(max));
    for (int i = 0; i < 8; i++)
        max[i] = (uint8_t)((GL_P - 1) >> (8 * i));
    ok(por_digest_from_bytes(max, &back) == 0 && back.e[0] == GL_P - 1, "p - 1 is accepted");
}

/* ------------------------------------------------------------------------- */
/* Eight at a time. */

typedef void (*permute_x8_fn)(gl_t states[8][POSEIDON_WIDTH]);

/* Runs permute_x8 on st and compares each lane with the reference; returns
 * the number of lanes that differ. */
static int x8_lanes_differ(permute_x8_fn permute_x8, gl_t st[8][POSEIDON_WIDTH])
{
    gl_t ref[8][POSEIDON_WIDTH];
    memcpy(ref, st, sizeof(ref));
    for (int l = 0; l < 8; l++)
        poseidon_permute_reference(ref[l]);
    permute_x8(st);
    int bad = 0;
    for (int l = 0; l < 8; l++)
        bad += !same(st[l], ref[l], POSEIDON_WIDTH);
    return bad;
}

static void test_permute_x8(const char *impl, permute_x8_fn permute_x8)
{
    /* Known answers in every lane, each lane a different vector. */
    gl_t st[8][POSEIDON_WIDTH];
    for (int l = 0; l < 8; l++)
        memcpy(st[l], KAT[l % N_KAT].in, sizeof(st[l]));
    permute_x8(st);
    int bad = 0;
    for (int l = 0; l < 8; l++)
        bad += !same(st[l], KAT[l % N_KAT].out, POSEIDON_WIDTH);
    ok(bad == 0, "%s x8: Plonky2 known answers in all 8 lanes", impl);

    /* Random and edge states, the kinds mixed across lanes. */
    uint64_t seed = 21;
    const int n = 400;
    bad = 0;
    for (int k = 0; k < n; k++) {
        for (int l = 0; l < 8; l++)
            rand_state(st[l], &seed, k + l);
        bad += x8_lanes_differ(permute_x8, st);
    }
    ok(bad == 0, "%s x8 == 8 reference permutations on %d batches of random and edge states", impl, n);

    /* The rare borrow fix-up of the reduction (see test_fast_matches_reference),
     * reached in the first S-box of every word of every lane. */
    bad = 0;
    for (uint64_t c = 1; c <= 300; c += 8) {
        for (int l = 0; l < 8; l++)
            for (int i = 0; i < POSEIDON_WIDTH; i++) {
                uint64_t cl = c + (uint64_t)l;
                gl_t x = gl_from_u64(((cl + (uint64_t)i * 1000) << 48) | (cl > 200 ? cl : 0));
                st[l][i] = gl_sub(x, POR_POSEIDON_ROUND_CONSTANTS[i]);
            }
        bad += x8_lanes_differ(permute_x8, st);
    }
    ok(bad == 0, "%s x8: states that reach the borrow fix-up of the reduction agree", impl);

    /* Chained: outputs fed back, all canonical. */
    for (int l = 0; l < 8; l++)
        rand_state(st[l], &seed, 0);
    bad = 0;
    for (int k = 0; k < 100; k++) {
        bad += x8_lanes_differ(permute_x8, st);
        for (int l = 0; l < 8; l++)
            for (int i = 0; i < POSEIDON_WIDTH; i++)
                bad += !gl_is_canonical(st[l][i]);
    }
    ok(bad == 0, "%s x8: 100 chained batches agree, all outputs canonical", impl);

    /* Lanes are independent: changing one word of lane 5 changes lane 5 only. */
    gl_t a[8][POSEIDON_WIDTH], b[8][POSEIDON_WIDTH];
    for (int l = 0; l < 8; l++)
        rand_state(a[l], &seed, 0);
    memcpy(b, a, sizeof(a));
    b[5][3] = gl_add(b[5][3], 1);
    permute_x8(a);
    permute_x8(b);
    int changed[8] = {0};
    for (int l = 0; l < 8; l++)
        for (int i = 0; i < POSEIDON_WIDTH; i++)
            changed[l] += a[l][i] != b[l][i];
    int others = 0;
    for (int l = 0; l < 8; l++)
        others += l != 5 && changed[l] != 0;
    ok(changed[5] == POSEIDON_WIDTH && others == 0, "%s x8: one changed word changes its own lane only", impl);
}

static void permute_x8_impl1(gl_t st[8][POSEIDON_WIDTH]) { poseidon_permute_x8_impl(1, st); }
static void permute_x8_impl2(gl_t st[8][POSEIDON_WIDTH]) { poseidon_permute_x8_impl(2, st); }

/* Every 8-lane build this CPU runs, each on its own (poseidon_permute_x8
 * itself only runs the best one). */
static void test_x8_builds(void)
{
    static const struct {
        int impl;
        const char *name;
        permute_x8_fn fn;
    } builds[] = {{1, "AVX-512F", permute_x8_impl1}, {2, "AVX-512 IFMA", permute_x8_impl2}};
    gl_t probe[8][POSEIDON_WIDTH] = {{0}};
    for (size_t b = 0; b < sizeof(builds) / sizeof(builds[0]); b++) {
        if (poseidon_permute_x8_impl(builds[b].impl, probe) != 0) {
            diag("this CPU cannot run the %s 8-lane build: not tested here", builds[b].name);
            continue;
        }
        test_permute_x8(builds[b].name, builds[b].fn);
    }
    gl_t before[8][POSEIDON_WIDTH];
    memcpy(before, probe, sizeof(before));
    ok(poseidon_permute_x8_impl(0, probe) == 0 && poseidon_permute_x8_impl(3, before) == -1 &&
           poseidon_permute_x8_impl(-1, before) == -1,
       "x8 implementation 0 (portable) always runs; unknown numbers are refused");
}

/* ------------------------------------------------------------------------- */
/* The 8-lane arithmetic on words below 2^64 that whole permutations reach
 * too rarely: values >= p, halves at their extremes, reduction corner cases. */

/* Words for the hooks: zero, around 2^32, p - 1 (= 2^64 - 2^32), p and above
 * (never canonical: intermediate results only), all ones, top bit, halves
 * at their extremes, and c 2^48 whose square has a zero low word (the
 * reduction's borrow). */
static const uint64_t EDGE_WORDS[] = {
    0, 1, 2, 0xffffffffULL, 0x100000000ULL, 0x100000001ULL, GL_P - 1, GL_P, GL_P + 1, GL_P + 0xfffffffeULL,
    0xfffffffffffffffeULL, 0xffffffffffffffffULL, 1ULL << 63, (1ULL << 63) - 1, 0x00000000ffffffffULL << 31,
    0x7fffffff80000000ULL, 3ULL << 48, 0xffffULL << 48, 0xfffffffe00000000ULL, 0xffffffff7fffffffULL,
};
#define N_EDGE (sizeof(EDGE_WORDS) / sizeof(EDGE_WORDS[0]))

/* Word i of a stream mixing the edge words with random words, half of those
 * forced >= 2^63 and some >= p. */
static uint64_t test_word(size_t i, uint64_t *seed)
{
    uint64_t r = test_rand_u64(seed);
    if (i % 3 == 0)
        return EDGE_WORDS[(i / 3) % N_EDGE];
    if (i % 3 == 1)
        return r | 0xffffffff00000000ULL;     /* >= p - 1: half of these >= p */
    return r;
}

static void test_x8_mul_hook(void)
{
    uint64_t x[8] = {0}, y[8] = {0}, xy[8], xx[8];
    if (poseidon_x8_test_mul(x, x, xy, xx) != 0) {
        diag("this CPU cannot run the 8-lane builds: multiplication not tested here");
        return;
    }
    /* every pair of edge words, then mixed streams */
    int bad = 0, checked = 0;
    uint64_t seed = 31;
    for (size_t k = 0; k < N_EDGE * N_EDGE + 4000; k += 8) {
        for (int l = 0; l < 8; l++) {
            size_t i = k + (size_t)l;
            if (i < N_EDGE * N_EDGE) {
                x[l] = EDGE_WORDS[i / N_EDGE];
                y[l] = EDGE_WORDS[i % N_EDGE];
            } else {
                x[l] = test_word(i, &seed);
                y[l] = test_word(i + 1, &seed);
            }
        }
        poseidon_x8_test_mul(x, y, xy, xx);
        for (int l = 0; l < 8; l++) {
            gl_t a = gl_from_u64(x[l]), b = gl_from_u64(y[l]);
            bad += gl_from_u64(xy[l]) != gl_mul(a, b) || gl_from_u64(xx[l]) != gl_mul(a, a);
            checked++;
        }
    }
    ok(bad == 0, "x8 multiplication and squaring == field arithmetic on %d pairs of words < 2^64 "
                 "(edge words, >= p, random)", checked);

    /* Negative control: x * (y + 1) - x * y = x for the same lanes. */
    uint64_t y1[8], xy1[8];
    for (int l = 0; l < 8; l++) {
        x[l] = EDGE_WORDS[l + 6];
        y[l] = EDGE_WORDS[l + 10];
        y1[l] = gl_add(gl_from_u64(y[l]), 1);
    }
    poseidon_x8_test_mul(x, y, xy, xx);
    poseidon_x8_test_mul(x, y1, xy1, xx);
    bad = 0;
    for (int l = 0; l < 8; l++)
        bad += gl_sub(gl_from_u64(xy1[l]), gl_from_u64(xy[l])) != gl_from_u64(x[l]) || xy1[l] == xy[l];
    ok(bad == 0, "x8 multiplication: x (y + 1) - x y = x in every lane");
}

/* MDS * y + the constants of the full round after `round` (0-6 counting the
 * full rounds only), from the plain definition and the round constants. */
static void mds_expected(int round, const uint64_t y[POSEIDON_WIDTH][8], int lane, gl_t out[POSEIDON_WIDTH])
{
    static const uint64_t C[POSEIDON_WIDTH] = {17, 15, 41, 16, 2, 28, 13, 13, 39, 18, 34, 20};
    int next = round < 3 ? round + 1 : round < 6 ? round + 24 : -1;   /* full rounds 0-3, 26-29 */
    for (int r = 0; r < POSEIDON_WIDTH; r++) {
        gl_t acc = next < 0 ? 0 : POR_POSEIDON_ROUND_CONSTANTS[POSEIDON_WIDTH * next + r];
        for (int i = 0; i < POSEIDON_WIDTH; i++)
            acc = gl_add(acc, gl_mul(gl_from_u64(y[(i + r) % POSEIDON_WIDTH][lane]), C[i]));
        if (r == 0)
            acc = gl_add(acc, gl_mul(gl_from_u64(y[0][lane]), 8));
        out[r] = acc;
    }
}

static void test_x8_mds_hook(int impl, const char *name)
{
    uint64_t y[POSEIDON_WIDTH][8], out[POSEIDON_WIDTH][8];
    memset(y, 0, sizeof(y));
    if (poseidon_x8_test_mds(impl, 0, y, out) != 0) {
        diag("this CPU cannot run the %s 8-lane build: its MDS layer not tested here", name);
        return;
    }
    /* lanes: all ones (largest sums), all 2^64 - 2^32 or p, alternating
     * extremes (largest differences between words 6 apart), lone halves,
     * zeros, then random and edge words */
    uint64_t seed = 32;
    int bad = 0, checked = 0;
    for (int batch = 0; batch < 12; batch++)
        for (int round = 0; round < 7; round++) {
            for (int l = 0; l < 8; l++)
                for (int i = 0; i < POSEIDON_WIDTH; i++) {
                    uint64_t w;
                    switch (batch == 0 ? l : 8) {
                    case 0: w = 0xffffffffffffffffULL; break;
                    case 1: w = i % 2 ? GL_P : GL_P - 1; break;
                    case 2: w = i < 6 ? 0xffffffffffffffffULL : 0; break;
                    case 3: w = i < 6 ? 0 : 0xffffffffffffffffULL; break;
                    case 4: w = 0xffffffffULL; break;
                    case 5: w = 0xffffffff00000000ULL; break;
                    case 6: w = 0; break;
                    case 7: w = (i * 5) % 12 < 6 ? 0xffffffffffffffffULL : 0; break;
                    default: w = test_word((size_t)(i + 12 * l + batch), &seed); break;
                    }
                    y[i][l] = w;
                }
            poseidon_x8_test_mds(impl, round, y, out);
            for (int l = 0; l < 8; l++) {
                gl_t want[POSEIDON_WIDTH];
                mds_expected(round, y, l, want);
                for (int r = 0; r < POSEIDON_WIDTH; r++)
                    bad += gl_from_u64(out[r][l]) != want[r];
                checked++;
            }
        }
    ok(bad == 0, "%s x8 MDS layer + next constants == plain definition for %d states of words < 2^64, 7 rounds",
       name, checked);

    /* Negative control: one changed word changes every row. */
    uint64_t out2[POSEIDON_WIDTH][8];
    poseidon_x8_test_mds(impl, 0, y, out);
    y[7][3] = gl_from_u64(y[7][3]) == GL_P - 1 ? 0 : gl_from_u64(y[7][3]) + 1;
    poseidon_x8_test_mds(impl, 0, y, out2);
    int changed = 0;
    for (int r = 0; r < POSEIDON_WIDTH; r++)
        changed += gl_from_u64(out[r][3]) != gl_from_u64(out2[r][3]) && out[r][2] == out2[r][2];
    ok(changed == POSEIDON_WIDTH, "%s x8 MDS layer: a changed word changes all 12 rows of its lane only", name);
}

static void test_x8_dot_hook(int impl, const char *name)
{
    uint64_t c[POSEIDON_WIDTH], x[POSEIDON_WIDTH][8], out[8];
    memset(c, 0, sizeof(c));
    memset(x, 0, sizeof(x));
    if (poseidon_x8_test_dot(impl, 1, c, 0, x, out) != 0) {
        diag("this CPU cannot run the %s 8-lane build: its dot products not tested here", name);
        return;
    }
    /* constants: random, p - 1, 0, and top 12 bits all set (c >> 52 =
     * 0xfff); words: all ones in some lanes (largest sums), edge and random */
    uint64_t seed = 33;
    int bad = 0, checked = 0;
    for (int t = 0; t < 200; t++) {
        int n = 1 + t % POSEIDON_WIDTH;
        for (int q = 0; q < n; q++) {
            uint64_t r = test_rand_u64(&seed);
            c[q] = t % 4 == 0 ? GL_P - 1 - (r & 0xffff) : t % 4 == 1 ? gl_from_u64(r | 0xfff0000000000000ULL)
                 : t % 8 == 2 ? 0 : gl_from_u64(r);
            for (int l = 0; l < 8; l++)
                x[q][l] = l < 2 ? 0xffffffffffffffffULL : test_word((size_t)(t * 100 + q * 8 + l), &seed);
        }
        uint64_t add = t % 3 == 0 ? GL_P - 1 : t % 3 == 1 ? 0 : gl_from_u64(test_rand_u64(&seed));
        poseidon_x8_test_dot(impl, n, c, add, (const uint64_t(*)[8])x, out);
        for (int l = 0; l < 8; l++) {
            gl_t want = add;
            for (int q = 0; q < n; q++)
                want = gl_add(want, gl_mul(c[q], gl_from_u64(x[q][l])));
            bad += gl_from_u64(out[l]) != want;
            checked++;
        }
    }
    ok(bad == 0, "%s x8 dot products == field arithmetic for %d lanes of 1-12 terms (words < 2^64, extreme constants)",
       name, checked);

    /* The reduction's rare borrow: the IFMA build sums x * c as xl * c + xh *
     * d with d = c 2^32 mod p.  For c = (2^32 - 1) / (2^32 + 1) mod p, c + d =
     * 2^64, so n terms with x = 2^64 - 1 sum to n (2^32 - 1) 2^64 exactly:
     * low word 0 and, from n = 2 on, a nonzero top 32 bits. */
    gl_t cb = gl_mul(0xffffffffULL, gl_inv(0x100000001ULL));
    bad = 0;
    for (int n = 2; n <= POSEIDON_WIDTH; n++) {
        for (int q = 0; q < n; q++) {
            c[q] = cb;
            for (int l = 0; l < 8; l++)
                x[q][l] = l == 0 ? 0xffffffffffffffffULL : l == 1 ? GL_P - 1 : test_word((size_t)(q + l), &seed);
        }
        poseidon_x8_test_dot(impl, n, c, 0, (const uint64_t(*)[8])x, out);
        for (int l = 0; l < 8; l++) {
            gl_t want = 0;
            for (int q = 0; q < n; q++)
                want = gl_add(want, gl_mul(c[q], gl_from_u64(x[q][l])));
            bad += gl_from_u64(out[l]) != want;
        }
    }
    ok(bad == 0 && (uint64_t)(cb + gl_mul(cb, 0x100000000ULL)) == 0,   /* c + d wraps to 0 */
       "%s x8 dot products with sums of low word 0 and top word > 0 (reduction borrow)", name);
    ok(poseidon_x8_test_dot(impl, 0, c, 0, (const uint64_t(*)[8])x, out) == -1 &&
           poseidon_x8_test_dot(impl, POSEIDON_WIDTH + 1, c, 0, (const uint64_t(*)[8])x, out) == -1 &&
           poseidon_x8_test_mds(impl, 7, x, x) == -1,
       "%s x8 hooks refuse 0 or 13 terms and round 7", name);
}

/* Eight lanes of distinct random inputs, n elements each. */
static void rand_lanes(gl_t in[8][160], const gl_t *ptrs[8], uint64_t *seed)
{
    for (int l = 0; l < 8; l++) {
        for (int i = 0; i < 160; i++)
            in[l][i] = (i % 7 == 3) ? GL_P - 1 : gl_from_u64(test_rand_u64(seed));
        ptrs[l] = in[l];
    }
}

static void test_sponges_x8(void)
{
    static gl_t in[8][160];
    const gl_t *ptrs[8];
    uint64_t seed = 22;
    rand_lanes(in, ptrs, &seed);
    por_digest d8[8], d;
    static const size_t lens[] = {0, 1, 2, 4, 5, 7, 8, 9, 15, 16, 17, 20, 24, 100, 135, 139, 160};
    const size_t nlens = sizeof(lens) / sizeof(lens[0]);

    int bad = 0;
    for (size_t t = 0; t < nlens; t++) {
        poseidon_hash_no_pad_x8(ptrs, lens[t], d8);
        for (int l = 0; l < 8; l++) {
            poseidon_hash_no_pad(in[l], lens[t], &d);
            bad += !same(d.e, d8[l].e, 4);
        }
    }
    ok(bad == 0, "hash_no_pad_x8 == 8 hash_no_pad calls for %zu lengths from 0 to 160", nlens);

    bad = 0;
    const uint64_t doms[2] = {0x706f722d6c656166ULL, 0x706f722d6e6f6465ULL};
    for (int di = 0; di < 2; di++)
        for (size_t t = 0; t < nlens; t++) {
            por_hash_x8(doms[di], ptrs, lens[t], d8);
            for (int l = 0; l < 8; l++) {
                por_hash(doms[di], in[l], lens[t], &d);
                bad += !same(d.e, d8[l].e, 4);
            }
        }
    ok(bad == 0, "por_hash_x8 == 8 por_hash calls, 2 domains, lengths 0 to 160");

    /* The same pointer in every lane: 8 equal digests. */
    const gl_t *same_ptr[8] = {in[2], in[2], in[2], in[2], in[2], in[2], in[2], in[2]};
    por_hash_x8(doms[0], same_ptr, 9, d8);
    por_hash(doms[0], in[2], 9, &d);
    bad = 0;
    for (int l = 0; l < 8; l++)
        bad += !same(d.e, d8[l].e, 4);
    ok(bad == 0, "por_hash_x8 with one input in all lanes gives its digest 8 times");

    por_digest left[8], right[8];
    for (int l = 0; l < 8; l++)
        for (int i = 0; i < 4; i++) {
            left[l].e[i] = in[l][i];
            right[l].e[i] = in[l][4 + i];
        }
    left[0] = (por_digest){{GL_P - 1, GL_P - 1, GL_P - 1, GL_P - 1}};
    right[7] = (por_digest){{0, 0, 0, 0}};
    poseidon_two_to_one_x8(left, right, d8);
    bad = 0;
    for (int l = 0; l < 8; l++) {
        poseidon_two_to_one(&left[l], &right[l], &d);
        bad += !same(d.e, d8[l].e, 4);
    }
    ok(bad == 0, "two_to_one_x8 == 8 two_to_one calls (incl. all p - 1 and all 0 halves)");

    /* Negative: a changed last input of lane 6 changes lane 6's digest only. */
    por_digest e8[8];
    poseidon_hash_no_pad_x8(ptrs, 135, d8);
    in[6][134] = gl_add(in[6][134], 1);
    poseidon_hash_no_pad_x8(ptrs, 135, e8);
    int changed = 0, others = 0;
    for (int l = 0; l < 8; l++) {
        int diff = !same(d8[l].e, e8[l].e, 4);
        if (l == 6)
            changed = diff;
        else
            others += diff;
    }
    ok(changed && others == 0, "hash_no_pad_x8: a change in lane 6's last input changes lane 6 only");
}

int main(void)
{
    test_known_answers("fast", poseidon_permute);
    test_known_answers("portable", poseidon_permute_scalar);
    test_known_answers("reference", poseidon_permute_reference);
    test_fast_matches_reference();
    test_permute_x8("fast", poseidon_permute_x8);
    test_permute_x8("portable", poseidon_permute_x8_portable);
    test_x8_builds();
    test_x8_mul_hook();
    test_x8_mds_hook(1, "AVX-512F");
    test_x8_mds_hook(2, "AVX-512 IFMA");
    test_x8_dot_hook(1, "AVX-512F");
    test_x8_dot_hook(2, "AVX-512 IFMA");
    test_sponges_x8();
    test_hash_no_pad();
    test_two_to_one();
    test_por_hash();
    test_digest_bytes();
    return done_testing();
}
