/*
 * por-bench: benchmarks, never timed tests.  Each suite prints one
 * "key: value unit" line per figure, e.g. "poseidon.permutation: 812 ns".
 * A suite lives in its own bench_<name>.c and is listed in por_bench.c.
 */
#ifndef POR_BENCH_H
#define POR_BENCH_H

#include <stdint.h>
#include <stdio.h>

/* Monotonic clock in nanoseconds. */
uint64_t bench_now_ns(void);
/* Peak resident set size of this process so far, in KiB. */
long bench_peak_rss_kib(void);
/* Prints "key: value unit" with the value formatted %.1f (or %.0f if >= 100). */
void bench_report(const char *key, double value, const char *unit);

/* Suites: argc/argv are the arguments after the suite name. Return 0 on success. */
int bench_poseidon(int argc, char **argv);
int bench_grind(int argc, char **argv);
int bench_ntt(int argc, char **argv);
int bench_commit(int argc, char **argv);
int bench_pcs(int argc, char **argv);
int bench_tree(int argc, char **argv);
int bench_plonk(int argc, char **argv);
int bench_batch(int argc, char **argv);
int bench_recursion(int argc, char **argv);
int bench_aggregate(int argc, char **argv);
int bench_keys(int argc, char **argv);

#endif
