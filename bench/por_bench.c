/* por-bench entry point: dispatch to a suite by name. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"

uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

long bench_peak_rss_kib(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

void bench_report(const char *key, double value, const char *unit)
{
    printf(value >= 100 ? "%s: %.0f %s\n" : "%s: %.1f %s\n", key, value, unit);
    fflush(stdout);
}

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *what;
} suites[] = {
    {"poseidon", bench_poseidon, "Poseidon permutation and hashing, one core"},
    {"grind", bench_grind, "Fiat-Shamir grinding at 16 and 22 bits: 8-lane vs scalar search, or [transcripts] [threads]"},
    {"ntt", bench_ntt, "NTT and LDE"},
    {"commit", bench_commit, "LDE + Merkle commitment of a 2^16 x 135 matrix"},
    {"pcs", bench_pcs, "batched commitment: commit + open + FRI prove + verify"},
    {"tree", bench_tree, "account leaves, Merkle tree and inclusion proofs"},
    {"plonk", bench_plonk, "PLONK prove/verify/size of Poseidon-heavy circuits, 2^12/14/16 rows"},
    {"batch", bench_batch, "batch circuit (PoR): prove/verify/size of 1024 accounts x 8 assets, or NxA args"},
    {"recursion", bench_recursion, "batch proofs verified in-circuit: rows, fan-in 1/2/4 prove/verify/size"},
    {"aggregate", bench_aggregate, "aggregation circuit: one node of fan-in 2/4/8 over 1024 x 53 batch proofs, or KxA F.. args"},
    {"keys", bench_keys, "verifier keys derived vs shipped: the batch key and a tree's, 1024 x 53 at F=2/7 and F=4/4 levels, or NxA F LEVELS args"},
};

int main(int argc, char **argv)
{
    if (argc >= 2)
        for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
            if (strcmp(argv[1], suites[i].name) == 0)
                return suites[i].run(argc - 2, argv + 2);
    fprintf(stderr, "usage: por-bench SUITE [ARGS]\nsuites:\n");
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
        fprintf(stderr, "  %-10s %s\n", suites[i].name, suites[i].what);
    return 2;
}
