/*
 * Fiat-Shamir transcript: a Poseidon duplex sponge (width 12, rate 8,
 * capacity 4) in overwrite mode, as in Plonky2's challenger.
 *
 *   observe(x): drops any buffered output, appends x to the input buffer; a
 *               full input buffer (8 elements) is absorbed at once.
 *   absorb:     state[0..k] = pending inputs (overwrite), permute, and the
 *               output buffer becomes state[0..8].
 *   squeeze():  absorbs first if inputs are pending or the output buffer is
 *               empty, then pops the next output element (front to back).
 *
 * So every observation made after a squeeze influences every later challenge.
 *
 * Domain separation: init puts POR_DOMAIN_TRANSCRIPT in the capacity
 * (state[8]) and then observes the protocol label (byte length, then the bytes
 * packed 7 per element, little-endian), so two protocols never share a
 * transcript even on equal inputs.
 *
 * Proof of work (grinding), for `bits` in 0..63, on a copy of the transcript:
 *   observe(nonce); w = squeeze();  accept iff the top `bits` bits of the
 *   canonical 64-bit w are zero, i.e. w < 2^(64 - bits).
 * The prover searches the smallest nonce (0, 1, 2, ... < p) that passes; the
 * verifier runs the same steps on its own transcript (so both end up having
 * observed the nonce and squeezed w, which nobody uses as a challenge).
 *
 * Debug annotations: a caller may attach a log (a caller-owned array of
 * entries, no global state).  Each operation then records the current label
 * (set with por_transcript_label, a string that must outlive the log) and the
 * values observed or squeezed, so a test can diff a prover's and a verifier's
 * log and point at the first operation where they part.  Labels never enter
 * the sponge: they are annotations only.
 */
#ifndef POR_TRANSCRIPT_H
#define POR_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "field/field.h"
#include "field/field_ext.h"
#include "hash/poseidon.h"
#include "util/threadpool.h"

#define POR_DOMAIN_TRANSCRIPT 0x706f722d74726e73ULL /* "por-trns" */

enum { POR_TLOG_OBSERVE = 1, POR_TLOG_SQUEEZE = 2 };

typedef struct {
    const char *label; /* the label current at the time (may be NULL) */
    uint8_t op;        /* POR_TLOG_OBSERVE or POR_TLOG_SQUEEZE */
    uint8_t n;         /* values used in v: 1 (base), 2 (extension), 4 (digest) */
    gl_t v[4];
} por_transcript_entry;

typedef struct {
    por_transcript_entry *entries; /* caller-owned, cap entries */
    size_t cap;
    size_t len; /* operations seen; entries past cap are counted but not stored */
} por_transcript_log;

typedef struct {
    gl_t state[POSEIDON_WIDTH];
    gl_t in[POSEIDON_RATE];
    gl_t out[POSEIDON_RATE];
    unsigned in_len;  /* pending inputs */
    unsigned out_pos; /* next output to pop; out_len means empty */
    unsigned out_len;
    const char *label;
    por_transcript_log *log; /* NULL: no annotations */
} por_transcript;

/* Fresh transcript for a protocol (label: NUL-terminated, absorbed first). */
void por_transcript_init(por_transcript *t, const char *protocol);
/* Attaches (or with NULL detaches) an annotation log; log->len is not reset. */
void por_transcript_attach_log(por_transcript *t, por_transcript_log *log);
/* Sets the annotation label of the following operations (debug only). */
static inline void por_transcript_label(por_transcript *t, const char *label) { t->label = label; }

/* Observations.  Inputs are reduced to canonical form (callers pass canonical values). */
void por_transcript_observe(por_transcript *t, gl_t x);
void por_transcript_observe_many(por_transcript *t, const gl_t *x, size_t n);
void por_transcript_observe_ext(por_transcript *t, gl2_t x);
void por_transcript_observe_digest(por_transcript *t, const por_digest *d);
/* n digests in order (a Merkle cap). */
void por_transcript_observe_digests(por_transcript *t, const por_digest *d, size_t n);

/* Challenges. */
gl_t por_transcript_squeeze(por_transcript *t);
/* Extension challenge: two squeezed base elements (c0 first). */
gl2_t por_transcript_squeeze_ext(por_transcript *t);
/* An index in [0, 2^bits), bits <= 32: the low bits of one squeezed element
 * (bias below 2^-31, as p = 2^64 - 2^32 + 1). */
size_t por_transcript_squeeze_index(por_transcript *t, unsigned bits);

/*
 * Proof of work as defined above: returns the smallest passing nonce and
 * leaves t as the verifier's check would (nonce observed, w squeezed).
 * Candidates are tried 8 per 8-lane permutation (poseidon_permute_x8), in
 * parallel on the pool (pool may be NULL); the result does not depend on the
 * number of threads.  bits <= 63.
 */
uint64_t por_transcript_grind(por_transcript *t, unsigned bits, por_pool *pool);
/* The same search with one scalar permutation per nonce (grind tries 8 per
 * 8-lane permutation): the same result and final t, kept as the reference
 * for tests and benchmarks. */
uint64_t por_transcript_grind_scalar(por_transcript *t, unsigned bits, por_pool *pool);
/* The verifier's side: observes nonce, squeezes w, returns whether it passes
 * (false also for a non-canonical nonce or bits > 63). */
bool por_transcript_check_pow(por_transcript *t, unsigned bits, uint64_t nonce);

/*
 * Index of the first entry where two logs differ (label, operation or
 * values), or SIZE_MAX if they agree over the length of both (equal len).
 * If one log is a prefix of the other, the answer is the shorter length.
 * Only stored entries are compared: logs that overflowed compare up to cap.
 */
size_t por_transcript_log_first_diff(const por_transcript_log *a, const por_transcript_log *b);
/* One line describing entry i ("#12 observe fri.cap: 0x.. 0x.."), into buf. */
void por_transcript_log_format(const por_transcript_log *log, size_t i, char *buf, size_t len);

#endif
