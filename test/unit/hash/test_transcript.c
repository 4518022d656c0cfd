/* Fiat-Shamir transcript: duplex semantics against a direct re-derivation,
 * domain separation, grinding, and the annotation log. */
#include <stdint.h>
#include <string.h>

#include "hash/poseidon.h"
#include "tap.h"
#include "util/threadpool.h"
#include "hash/transcript.h"

/* The sponge state a fresh transcript for protocol "ab" must reach, built by hand:
 * capacity state[8] = domain, rate overwritten with [len, packed bytes]. */
static void test_known_answer(void)
{
    gl_t st[POSEIDON_WIDTH] = {0};
    st[8] = POR_DOMAIN_TRANSCRIPT;
    st[0] = 2;
    st[1] = 0x6261; /* 'a' | 'b' << 8 */
    st[2] = 5;      /* the observed element */
    poseidon_permute(st);
    gl_t first[8];
    memcpy(first, st, sizeof(first));
    poseidon_permute(st); /* the 9th squeeze: a bare permutation, no inputs */

    por_transcript t;
    por_transcript_init(&t, "ab");
    por_transcript_observe(&t, 5);
    int all = 1;
    for (int i = 0; i < 8; i++)
        all &= por_transcript_squeeze(&t) == first[i];
    ok(all, "8 squeezes after an observe are state[0..8] of one permutation, front first");
    is_u64(por_transcript_squeeze(&t), st[0], "the 9th squeeze permutes again");
}

/* The same check, written against the rule "pending inputs are absorbed 8 at a time". */
static void test_buffering(void)
{
    gl_t st[POSEIDON_WIDTH] = {0};
    st[8] = POR_DOMAIN_TRANSCRIPT;
    gl_t in[9] = {0, 100, 101, 102, 103, 104, 105, 106, 107}; /* label length 0, then 8 inputs */
    memcpy(st, in, 8 * sizeof(gl_t));
    poseidon_permute(st);
    st[0] = in[8];
    poseidon_permute(st);
    por_transcript t;
    por_transcript_init(&t, "");
    for (int i = 0; i < 8; i++)
        por_transcript_observe(&t, 100 + (gl_t)i);
    is_u64(por_transcript_squeeze(&t), st[0], "inputs are absorbed in chunks of 8, overwriting the rate");
}

static void test_semantics(void)
{
    por_transcript a, b;
    por_transcript_init(&a, "por-test");
    por_transcript_init(&b, "por-test");
    por_transcript_observe(&a, 7);
    por_transcript_observe(&b, 7);
    is_u64(por_transcript_squeeze(&a), por_transcript_squeeze(&b), "deterministic");

    por_transcript_init(&a, "por-test");
    por_transcript_init(&b, "por-tesu");
    por_transcript_observe(&a, 7);
    por_transcript_observe(&b, 7);
    ok(por_transcript_squeeze(&a) != por_transcript_squeeze(&b), "the protocol label separates transcripts");

    /* an absorb after a squeeze drops the buffered outputs */
    por_transcript_init(&a, "x");
    por_transcript_init(&b, "x");
    por_transcript_observe(&a, 1);
    por_transcript_observe(&b, 1);
    gl_t a1 = por_transcript_squeeze(&a), b1 = por_transcript_squeeze(&b);
    is_u64(a1, b1, "same first challenge");
    gl_t a2 = por_transcript_squeeze(&a);
    por_transcript_observe(&b, 2);
    gl_t b2 = por_transcript_squeeze(&b);
    ok(a2 != b2, "an observation after a squeeze changes the next challenge");
    /* ... and a challenge then comes from a fresh permutation, not from a's buffer */
    int in_buffer = 0;
    por_transcript c;
    por_transcript_init(&c, "x");
    por_transcript_observe(&c, 1);
    for (int i = 0; i < 8; i++)
        in_buffer |= por_transcript_squeeze(&c) == b2;
    ok(!in_buffer, "the stale output buffer is not reused");

    /* order matters */
    por_transcript_init(&a, "x");
    por_transcript_init(&b, "x");
    por_transcript_observe(&a, 1);
    por_transcript_observe(&a, 2);
    por_transcript_observe(&b, 2);
    por_transcript_observe(&b, 1);
    ok(por_transcript_squeeze(&a) != por_transcript_squeeze(&b), "observation order matters");

    /* ext and digest observations are their elements in order */
    por_transcript_init(&a, "x");
    por_transcript_init(&b, "x");
    por_transcript_observe_ext(&a, (gl2_t){11, 12});
    por_digest d = {{21, 22, 23, 24}};
    por_transcript_observe_digest(&a, &d);
    gl_t flat[6] = {11, 12, 21, 22, 23, 24};
    por_transcript_observe_many(&b, flat, 6);
    gl2_t ea = por_transcript_squeeze_ext(&a);
    gl_t e0 = por_transcript_squeeze(&b), e1 = por_transcript_squeeze(&b);
    ok(ea.c0 == e0 && ea.c1 == e1, "ext/digest observations and ext squeezes are element sequences");

    /* non-canonical inputs are reduced: x and x + p are the same element */
    por_transcript_init(&a, "x");
    por_transcript_init(&b, "x");
    por_transcript_observe(&a, 3);
    por_transcript_observe(&b, GL_P + 3);
    is_u64(por_transcript_squeeze(&a), por_transcript_squeeze(&b), "observations are reduced mod p");

    int in_range = 1;
    for (int i = 0; i < 100; i++)
        in_range &= por_transcript_squeeze_index(&a, 5) < 32;
    ok(in_range, "squeeze_index stays below 2^bits");
    is_u64(por_transcript_squeeze_index(&a, 0), 0, "squeeze_index with 0 bits is 0");
}

static void test_grinding(void)
{
    por_pool *pool = por_pool_create(2);
    ok(pool != NULL, "pool");
    for (unsigned bits = 0; bits <= 12; bits += 4) {
        por_transcript base;
        por_transcript_init(&base, "grind");
        por_transcript_observe(&base, bits);
        por_transcript p1 = base, p2 = base;
        uint64_t n1 = por_transcript_grind(&p1, bits, NULL);
        uint64_t n2 = por_transcript_grind(&p2, bits, pool);
        is_u64(n1, n2, "grind(%u bits): same nonce on 1 and 2 threads", bits);

        por_transcript v = base;
        ok(por_transcript_check_pow(&v, bits, n1), "grind(%u bits): the verifier accepts the nonce", bits);
        is_u64(por_transcript_squeeze(&v), por_transcript_squeeze(&p1),
               "grind(%u bits): prover and verifier transcripts agree afterwards", bits);
        por_transcript_squeeze(&p2);

        int smallest = 1;
        for (uint64_t n = 0; n < n1; n++) {
            por_transcript w = base;
            smallest &= !por_transcript_check_pow(&w, bits, n);
        }
        ok(smallest, "grind(%u bits): every smaller nonce fails (nonce %llu)", bits,
           (unsigned long long)n1);

        /* the definition: observe nonce, squeeze w, top bits of w zero */
        por_transcript w = base;
        por_transcript_observe(&w, n1);
        gl_t out = por_transcript_squeeze(&w);
        ok(bits == 0 || out >> (64 - bits) == 0, "grind(%u bits): the witness has %u leading zeros", bits, bits);
    }
    /* a nonce that fails: find the first failing one for 10 bits */
    por_transcript base;
    por_transcript_init(&base, "grind-neg");
    uint64_t bad = 0;
    for (;; bad++) {
        por_transcript w = base;
        if (!por_transcript_check_pow(&w, 10, bad))
            break;
    }
    por_transcript w = base;
    ok(!por_transcript_check_pow(&w, 10, bad), "a nonce without enough leading zeros is rejected");
    w = base;
    ok(!por_transcript_check_pow(&w, 0, GL_P), "a non-canonical nonce is rejected");
    w = base;
    ok(!por_transcript_check_pow(&w, 64, 0), "more than 63 bits is rejected");
    w = base;
    ok(por_transcript_check_pow(&w, 0, 12345), "0 bits accepts any canonical nonce");
    por_pool_destroy(pool);
}

/* Whether two transcripts are in the same sponge state (buffers included). */
static int same_sponge(const por_transcript *a, const por_transcript *b)
{
    return memcmp(a->state, b->state, sizeof(a->state)) == 0 && a->in_len == b->in_len &&
           memcmp(a->in, b->in, a->in_len * sizeof(gl_t)) == 0 && a->out_len == b->out_len &&
           a->out_pos == b->out_pos && memcmp(a->out, b->out, sizeof(a->out)) == 0;
}

/* A transcript in a random reachable state: some observations, then either
 * 0..9 squeezes (buffered outputs, partly consumed) or more observations
 * (0..7 inputs pending, or none right after a full chunk was absorbed). */
static void random_transcript(por_transcript *t, uint64_t *seed)
{
    por_transcript_init(t, "grind-lanes");
    unsigned n = (unsigned)(test_rand_u64(seed) % 20);
    for (unsigned i = 0; i < n; i++)
        por_transcript_observe(t, test_rand_u64(seed)); /* non-canonical ones too */
    if (test_rand_u64(seed) % 2) {
        unsigned s = (unsigned)(test_rand_u64(seed) % 10);
        for (unsigned i = 0; i < s; i++)
            por_transcript_squeeze(t);
    } else {
        unsigned m = (unsigned)(test_rand_u64(seed) % 9);
        for (unsigned i = 0; i < m; i++)
            por_transcript_observe(t, test_rand_u64(seed) % GL_P);
    }
}

/* The 8-lane search against the scalar one: the same smallest nonce and the
 * same transcript afterwards, in every kind of sponge state, bits 0..14
 * (fewer states for the larger, costlier bit counts); the verifier accepts
 * the nonce.  Half the runs grind on a pool, so the answer must not depend
 * on which path ran on how many threads either. */
static void test_grind_lanes(void)
{
    por_pool *pool = por_pool_create(2);
    uint64_t seed = 0x6772696e64783800ULL;
    unsigned pending_seen = 0, buffered_seen = 0, lane_seen = 0, runs = 0;
    int same_nonce = 1, same_after = 1, accepted = 1;
    for (unsigned bits = 0; bits <= 14; bits++) {
        unsigned states = bits <= 10 ? 32 : 6;
        for (unsigned i = 0; i < states; i++, runs++) {
            por_transcript base;
            random_transcript(&base, &seed);
            pending_seen |= 1u << base.in_len;
            if (base.out_pos < base.out_len)
                buffered_seen |= 1u << base.out_pos;
            por_transcript scalar = base, lanes = base, verifier = base;
            uint64_t want = por_transcript_grind_scalar(&scalar, bits, i % 2 ? NULL : pool);
            uint64_t got = por_transcript_grind(&lanes, bits, i % 2 ? pool : NULL);
            if (got != want) {
                diag("bits %u, %u pending, outputs %u/%u: lanes %llu, scalar %llu", bits, base.in_len,
                     base.out_pos, base.out_len, (unsigned long long)got, (unsigned long long)want);
                same_nonce = 0;
            }
            lane_seen |= 1u << (want % 8);
            accepted &= por_transcript_check_pow(&verifier, bits, got);
            same_after &= same_sponge(&lanes, &scalar) && same_sponge(&lanes, &verifier);
        }
    }
    is_u64(pending_seen, 0xff, "the random states have 0..7 pending inputs");
    ok((buffered_seen & 0xff) == 0xff, "... and buffered outputs at every position (mask %#x)", buffered_seen);
    is_u64(lane_seen, 0xff, "the nonces found fall in every lane of an 8-nonce group");
    ok(same_nonce, "%u states, bits 0..14: the 8-lane search returns the scalar search's nonce", runs);
    ok(accepted, "the verifier accepts every nonce found");
    ok(same_after, "the transcript after grinding is the scalar path's and the verifier's");
    por_pool_destroy(pool);
}

/* A toy protocol run by a prover and a verifier; the verifier can be made to skip one observe. */
static void toy_protocol(por_transcript *t, int skip)
{
    por_transcript_label(t, "toy.commit");
    por_transcript_observe(t, 42);
    por_transcript_observe(t, 43);
    por_transcript_label(t, "toy.challenge");
    por_transcript_squeeze_ext(t);
    por_transcript_label(t, "toy.response");
    if (!skip)
        por_transcript_observe(t, 44);
    por_transcript_observe(t, 45);
    por_transcript_label(t, "toy.final");
    por_transcript_squeeze(t);
}

static void test_log(void)
{
    por_transcript_entry ea[16], eb[16];
    por_transcript_log la = {ea, 16, 0}, lb = {eb, 16, 0};
    por_transcript a, b;
    por_transcript_init(&a, "toy");
    por_transcript_init(&b, "toy");
    por_transcript_attach_log(&a, &la);
    por_transcript_attach_log(&b, &lb);
    toy_protocol(&a, 0);
    toy_protocol(&b, 0);
    is_u64(la.len, 6, "the log has one entry per operation");
    ok(por_transcript_log_first_diff(&la, &lb) == SIZE_MAX, "equal runs: no difference");

    la.len = lb.len = 0;
    por_transcript_init(&a, "toy");
    por_transcript_init(&b, "toy");
    por_transcript_attach_log(&a, &la);
    por_transcript_attach_log(&b, &lb);
    toy_protocol(&a, 0);
    toy_protocol(&b, 1);
    size_t d = por_transcript_log_first_diff(&la, &lb);
    is_u64(d, 3, "a skipped observe is found at its position");
    char buf[160];
    por_transcript_log_format(&la, d, buf, sizeof(buf));
    diag("prover:   %s", buf);
    ok(strstr(buf, "toy.response") != NULL && strstr(buf, "observe") != NULL &&
           strstr(buf, "0x000000000000002c") != NULL,
       "the report names the label, the operation and the value");
    por_transcript_log_format(&lb, d, buf, sizeof(buf));
    diag("verifier: %s", buf);
    ok(la.entries[5].v[0] != lb.entries[4].v[0], "the desync shows in the final challenge");

    /* overflow: entries past cap are counted, not stored */
    por_transcript_entry small[2];
    por_transcript_log ls = {small, 2, 0};
    por_transcript_init(&a, "toy");
    por_transcript_attach_log(&a, &ls);
    toy_protocol(&a, 0);
    is_u64(ls.len, 6, "an overflowing log still counts operations");
    por_transcript_log_format(&ls, 4, buf, sizeof(buf));
    ok(strstr(buf, "not recorded") != NULL, "unstored entries are reported as such");
    ok(por_transcript_log_first_diff(&ls, &la) == 2, "a truncated log differs at its end");
}

int main(void)
{
    test_known_answer();
    test_buffering();
    test_semantics();
    test_grinding();
    test_grind_lanes();
    test_log();
    return done_testing();
}
