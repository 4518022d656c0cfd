/*
 * Deterministic mutation driver for the inclusion-proof decoders: valid
 * binary and JSON proofs get thousands of seeded random mutations (bit
 * flips, byte overwrites, truncations, insertions, deletions, byte swaps, and
 * for JSON, substitutions from the format's own alphabet so that mutants
 * get past the tokenizer).  Each mutant runs through the checks of
 * test/fuzz/fuzz_inclusion.c (no crash, canonical round trips), and then
 * through what a customer does: decode, verify against the published root,
 * compare the parameters digest with the published one.  A mutant that
 * passes all of that must carry exactly the original content.
 *
 * POR_FUZZ_SEED_DIR=dir writes the valid encodings there as a libFuzzer corpus.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_inclusion.h"
#include "fuzz_seed.h"
#include "tap.h"

static int fuzz_failures;
#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            if (fuzz_failures++ < 5)                                                               \
                diag("fuzz property failed at line %d: %s", __LINE__, #cond);                      \
        }                                                                                          \
    } while (0)
#define POR_FUZZ_NO_MAIN
#include "../../fuzz/fuzz_inclusion.c"

typedef struct {
    const uint8_t *orig;       /* reference binary encoding */
    size_t orig_len;
    por_digest root, params;   /* the published values */
} published;

typedef struct {
    int decoded, verified, accepted, accepted_changed, identical;
} stats;

/* Decode as por-verify does (binary if it starts with the magic, else JSON), then the customer's checks. */
static void customer_check(const published *pub, const uint8_t *buf, size_t len, stats *st)
{
    por_inclusion p;
    int rc = len >= 4 && memcmp(buf, POR_FORMAT_MAGIC, 4) == 0
                 ? por_inclusion_decode(buf, len, &p, NULL)
                 : por_inclusion_from_json((const char *)buf, len, &p, NULL);
    if (rc != 0)
        return;
    st->decoded++;
    por_digest d;
    por_params_digest(&p.params, &d);
    if (por_inclusion_verify(&p, &pub->root, NULL) == 0) {
        st->verified++;
        if (memcmp(&d, &pub->params, sizeof(d)) == 0) {
            st->accepted++;
            size_t n;
            uint8_t *bin = por_inclusion_encode(&p, &n);
            if (bin != NULL && n == pub->orig_len && memcmp(bin, pub->orig, n) == 0)
                st->identical++;
            else
                st->accepted_changed++;
            free(bin);
        }
    }
    por_inclusion_free(&p);
}

static const char JSON_ALPHABET[] = "0123456789abcdefABCDEF\"\\{}[]:,. -+eEtrufalsn\n\t";

/* Applies 1..4 random edits to buf (len in/out, capacity cap). */
static void mutate(uint8_t *buf, size_t *len, size_t cap, uint64_t *seed, int json)
{
    int edits = 1 + (int)(test_rand_u64(seed) % 4);
    for (int e = 0; e < edits; e++) {
        uint64_t r = test_rand_u64(seed);
        size_t n = *len;
        size_t at = n ? (size_t)(test_rand_u64(seed) % n) : 0;
        switch (r % 8) {
        case 0: /* bit flip */
        case 1:
            if (n)
                buf[at] ^= (uint8_t)(1 << (r >> 8) % 8);
            break;
        case 2: /* byte overwrite */
            if (n)
                buf[at] = json ? (uint8_t)JSON_ALPHABET[(r >> 8) % (sizeof(JSON_ALPHABET) - 1)]
                               : (uint8_t)(r >> 8);
            break;
        case 3: /* truncation */
            *len = n ? (size_t)((r >> 8) % n) : 0;
            break;
        case 4: /* insertion of 1..8 bytes */
        {
            size_t k = 1 + (r >> 8) % 8;
            if (n + k > cap)
                break;
            memmove(buf + at + k, buf + at, n - at);
            for (size_t i = 0; i < k; i++)
                buf[at + i] = json ? (uint8_t)JSON_ALPHABET[test_rand_u64(seed) % (sizeof(JSON_ALPHABET) - 1)]
                                   : (uint8_t)test_rand_u64(seed);
            *len = n + k;
            break;
        }
        case 5: /* deletion of 1..8 bytes */
        {
            size_t k = 1 + (r >> 8) % 8;
            if (at + k > n)
                break;
            memmove(buf + at, buf + at + k, n - at - k);
            *len = n - k;
            break;
        }
        case 6: /* swap two bytes */
            if (n) {
                size_t b = (size_t)((r >> 8) % n);
                uint8_t t = buf[at];
                buf[at] = buf[b];
                buf[b] = t;
            }
            break;
        case 7: /* small arithmetic change: a digit or byte nudged by +-1 */
            if (n)
                buf[at] = (uint8_t)(buf[at] + ((r >> 8) & 1 ? 1 : -1));
            break;
        }
    }
}

static void run(const fixture *fx, uint64_t leaf, int iterations, uint64_t seed)
{
    por_inclusion p;
    fx_proof(fx, leaf, &p);
    published pub;
    size_t bin_len;
    uint8_t *bin = por_inclusion_encode(&p, &bin_len);
    char *json = por_inclusion_to_json(&p);
    pub.orig = bin;
    pub.orig_len = bin_len;
    pub.root = *fx_root(fx);
    por_params_digest(&fx->params, &pub.params);
    por_inclusion_free(&p);

    const char *seed_dir = getenv("POR_FUZZ_SEED_DIR");
    if (seed_dir != NULL) {
        char name[64];
        snprintf(name, sizeof(name), "leaf%llu.bin", (unsigned long long)leaf);
        fuzz_seed_write(seed_dir, name, bin, bin_len);
        snprintf(name, sizeof(name), "leaf%llu.json", (unsigned long long)leaf);
        fuzz_seed_write(seed_dir, name, json, strlen(json));
    }

    /* the originals pass every check */
    stats base = {0};
    int before = fuzz_failures;
    ok((fuzz_one(bin, bin_len) & 5) == 5 && (fuzz_one((const uint8_t *)json, strlen(json)) & 6) == 6,
       "leaf %llu: the valid encodings decode and verify", (unsigned long long)leaf);
    customer_check(&pub, bin, bin_len, &base);
    customer_check(&pub, (const uint8_t *)json, strlen(json), &base);
    ok(base.identical == 2, "leaf %llu: the valid encodings pass the customer's checks",
       (unsigned long long)leaf);

    for (int json_mode = 0; json_mode < 2; json_mode++) {
        const uint8_t *src = json_mode ? (const uint8_t *)json : bin;
        size_t src_len = json_mode ? strlen(json) : bin_len;
        size_t cap = src_len + 64;
        uint8_t *buf = malloc(cap);
        stats st = {0};
        int decoded_any = 0;
        for (int it = 0; it < iterations; it++) {
            size_t len = src_len;
            memcpy(buf, src, src_len);
            mutate(buf, &len, cap, &seed, json_mode);
            decoded_any += fuzz_one(buf, len) != 0;
            customer_check(&pub, buf, len, &st);
        }
        const char *kind = json_mode ? "JSON" : "binary";
        diag("leaf %llu %s: %d mutants, %d decoded, %d verified against the root, %d accepted "
             "(all identical to the original: %d)",
             (unsigned long long)leaf, kind, iterations, st.decoded, st.verified, st.accepted,
             st.identical);
        ok(fuzz_failures == before, "leaf %llu %s: no round-trip property failed on %d mutants",
           (unsigned long long)leaf, kind, iterations);
        ok(st.accepted_changed == 0,
           "leaf %llu %s: no mutant with changed content passes decode + verify + digest",
           (unsigned long long)leaf, kind);
        ok(st.decoded > st.accepted,
           "leaf %llu %s: some mutants decode and are then rejected by verify or the digest (%d)",
           (unsigned long long)leaf, kind, st.decoded - st.accepted);
        (void)decoded_any;
        free(buf);
    }
    free(bin);
    free(json);
}

/* Sanitized builds run Poseidon about 6x slower: fewer mutants there keep the
 * suite fast, the plain build does the full count. */
#if defined(__SANITIZE_ADDRESS__)
#define ITER_DIV 3
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ITER_DIV 3
#endif
#endif
#ifndef ITER_DIV
#define ITER_DIV 1
#endif

int main(void)
{
    fixture fx;
    fx_init(&fx, 7, 1, 2024); /* 8 leaves, depth 3 */
    run(&fx, fx_first_real(&fx), 6000 / ITER_DIV, 1);
    fx_free(&fx);
    fixture odd;
    fx_init(&odd, 5, 0, 77); /* 5 leaves: the last one has E_0 and E_1 siblings */
    run(&odd, 4, 3000 / ITER_DIV, 2);
    fx_free(&odd);
    return done_testing();
}
