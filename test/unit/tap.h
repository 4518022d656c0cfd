/*
 * Minimal TAP producer for the C unit tests (run by `prove`).  Header-only:
 * each test binary includes it once.  plan is printed at the end
 * (done_testing), so tests need not count their assertions up front.
 */
#ifndef POR_TAP_H
#define POR_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count;
static int tap_failed;

static int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    tap_count++;
    printf("%sok %d - ", cond ? "" : "not ", tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!cond) {
        tap_failed++;
        printf("#   Failed test at %s line %d\n", file, line);
    }
    fflush(stdout);
    return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_u64(got, want, ...)                                                         \
    do {                                                                              \
        uint64_t tap_g_ = (uint64_t)(got), tap_w_ = (uint64_t)(want);                   \
        if (!tap_ok(tap_g_ == tap_w_, __FILE__, __LINE__, __VA_ARGS__))                \
            printf("#          got: 0x%016" PRIx64 "\n#     expected: 0x%016" PRIx64 "\n", \
                   tap_g_, tap_w_);                                                   \
    } while (0)

#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))

static inline int done_testing(void)
{
    printf("1..%d\n", tap_count);
    if (tap_failed)
        printf("# Looks like you failed %d test%s of %d.\n", tap_failed, tap_failed == 1 ? "" : "s",
               tap_count);
    return tap_failed ? 1 : 0;
}

/* Deterministic test randomness (splitmix64) so failures reproduce. */
static inline uint64_t test_rand_u64(uint64_t *seed)
{
    uint64_t z = (*seed += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* 1 in a build under AddressSanitizer (gcc says __SANITIZE_ADDRESS__, clang
 * __has_feature), where proving and setups run about 10x slower. */
#if defined(__SANITIZE_ADDRESS__)
#define TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_SANITIZED 1
#endif
#endif
#ifndef TEST_SANITIZED
#define TEST_SANITIZED 0
#endif

#endif
