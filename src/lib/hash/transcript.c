/*
 * Fiat-Shamir transcript over the Poseidon permutation (see transcript.h).
 */
#include "hash/transcript.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

/* Records one operation in the attached log, if any. */
static void log_op(por_transcript *t, uint8_t op, const gl_t *v, unsigned n)
{
    por_transcript_log *log = t->log;
    if (log == NULL)
        return;
    if (log->len < log->cap) {
        por_transcript_entry *e = &log->entries[log->len];
        memset(e, 0, sizeof(*e));
        e->label = t->label;
        e->op = op;
        e->n = (uint8_t)n;
        memcpy(e->v, v, n * sizeof(gl_t));
    }
    log->len++;
}

/* Overwrites the rate with the pending inputs: the state a duplex permutes. */
static void load_inputs(por_transcript *t)
{
    memcpy(t->state, t->in, t->in_len * sizeof(gl_t));
    t->in_len = 0;
}

/* Overwrites the rate with the pending inputs, permutes and refills the output buffer. */
static void duplex(por_transcript *t)
{
    load_inputs(t);
    poseidon_permute(t->state);
    memcpy(t->out, t->state, sizeof(t->out));
    t->out_pos = 0;
    t->out_len = POSEIDON_RATE;
}

/* Queues one input (the first half of absorb: no permutation even if the
 * input buffer becomes full). */
static void push_input(por_transcript *t, gl_t x)
{
    t->out_pos = t->out_len = 0; /* outputs computed before this input are stale */
    t->in[t->in_len++] = gl_from_u64(x);
}

/* Observation without logging (the public functions log whole values). */
static void absorb(por_transcript *t, gl_t x)
{
    push_input(t, x);
    if (t->in_len == POSEIDON_RATE)
        duplex(t);
}

static gl_t squeeze(por_transcript *t)
{
    if (t->in_len > 0 || t->out_pos == t->out_len)
        duplex(t);
    return t->out[t->out_pos++];
}

void por_transcript_init(por_transcript *t, const char *protocol)
{
    memset(t, 0, sizeof(*t));
    t->state[8] = POR_DOMAIN_TRANSCRIPT;
    size_t len = strlen(protocol);
    absorb(t, (gl_t)len);
    /* 7 bytes per element keeps every element below 2^56 < p */
    for (size_t off = 0; off < len; off += 7) {
        gl_t w = 0;
        for (size_t b = 0; b < 7 && off + b < len; b++)
            w |= (gl_t)(uint8_t)protocol[off + b] << (8 * b);
        absorb(t, w);
    }
}

void por_transcript_attach_log(por_transcript *t, por_transcript_log *log) { t->log = log; }

void por_transcript_observe(por_transcript *t, gl_t x)
{
    x = gl_from_u64(x);
    absorb(t, x);
    log_op(t, POR_TLOG_OBSERVE, &x, 1);
}

void por_transcript_observe_many(por_transcript *t, const gl_t *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        por_transcript_observe(t, x[i]);
}

void por_transcript_observe_ext(por_transcript *t, gl2_t x)
{
    gl_t v[2] = {gl_from_u64(x.c0), gl_from_u64(x.c1)};
    absorb(t, v[0]);
    absorb(t, v[1]);
    log_op(t, POR_TLOG_OBSERVE, v, 2);
}

void por_transcript_observe_digest(por_transcript *t, const por_digest *d)
{
    gl_t v[POSEIDON_DIGEST];
    for (int i = 0; i < POSEIDON_DIGEST; i++) {
        v[i] = gl_from_u64(d->e[i]);
        absorb(t, v[i]);
    }
    log_op(t, POR_TLOG_OBSERVE, v, POSEIDON_DIGEST);
}

void por_transcript_observe_digests(por_transcript *t, const por_digest *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        por_transcript_observe_digest(t, &d[i]);
}

gl_t por_transcript_squeeze(por_transcript *t)
{
    gl_t x = squeeze(t);
    log_op(t, POR_TLOG_SQUEEZE, &x, 1);
    return x;
}

gl2_t por_transcript_squeeze_ext(por_transcript *t)
{
    gl_t v[2];
    v[0] = squeeze(t);
    v[1] = squeeze(t);
    log_op(t, POR_TLOG_SQUEEZE, v, 2);
    return (gl2_t){v[0], v[1]};
}

size_t por_transcript_squeeze_index(por_transcript *t, unsigned bits)
{
    gl_t x = por_transcript_squeeze(t);
    return bits == 0 ? 0 : (size_t)(x & ((1ULL << bits) - 1));
}

/* Whether a proof-of-work witness has its top `bits` bits zero. */
static bool pow_witness_passes(gl_t w, unsigned bits) { return bits == 0 || (w >> (64 - bits)) == 0; }

/* The proof-of-work predicate on a copy of t (no logging, t unchanged). */
static bool pow_passes(const por_transcript *t, unsigned bits, uint64_t nonce)
{
    por_transcript c = *t;
    c.log = NULL;
    absorb(&c, nonce);
    return pow_witness_passes(squeeze(&c), bits);
}

/* The smallest passing nonce in [first, end), or UINT64_MAX: one
 * permutation per nonce (the reference the 8-lane search must match). */
static uint64_t first_hit_scalar(const por_transcript *t, unsigned bits, uint64_t first, uint64_t end)
{
    for (uint64_t nonce = first; nonce < end; nonce++)
        if (pow_passes(t, bits, nonce))
            return nonce;
    return UINT64_MAX;
}

/*
 * The same answer with 8 consecutive nonces per poseidon_permute_x8 call.
 * In every state the sponge can be in, pow_passes permutes exactly once:
 * absorb drops the buffered outputs and queues the nonce after the k < 8
 * pending inputs; for k < 7 squeeze then duplexes (inputs are pending), for
 * k = 7 absorb itself duplexes and squeeze pops out[0] of that permutation.
 * Either way w is state[0] after permuting t's state with the pending
 * inputs and the nonce written over the rate, and each lane gets that state
 * through the same push_input and load_inputs steps, so no sponge state needs
 * the scalar path.  The lowest passing lane of the first passing group is the
 * smallest passing nonce.
 */
static uint64_t first_hit_x8(const por_transcript *t, unsigned bits, uint64_t first, uint64_t end)
{
    gl_t lanes[8][POSEIDON_WIDTH];
    por_transcript c = *t; /* each lane rewrites the same rate positions 0..k */
    for (uint64_t group = first; group < end; group += 8) {
        for (unsigned l = 0; l < 8; l++) {
            c.in_len = t->in_len;
            push_input(&c, group + l);
            load_inputs(&c);
            memcpy(lanes[l], c.state, sizeof(c.state));
        }
        poseidon_permute_x8(lanes);
        /* lanes at or past end (only near p) are not candidates */
        for (unsigned l = 0; l < 8 && group + l < end; l++)
            if (pow_witness_passes(lanes[l][0], bits))
                return group + l;
    }
    return UINT64_MAX;
}

typedef uint64_t (*first_hit_fn)(const por_transcript *t, unsigned bits, uint64_t first, uint64_t end);

/* Nonces are tried in rounds of GRIND_BLOCKS blocks of GRIND_BLOCK nonces;
 * each block records its first hit, so the smallest is found whatever the
 * order in which threads ran the blocks (a block is skipped only when a hit
 * below its first nonce is already known, which cannot change the minimum). */
#define GRIND_BLOCK 256
#define GRIND_BLOCKS 64

typedef struct {
    const por_transcript *t;
    unsigned bits;
    first_hit_fn first_hit;
    uint64_t base;
    uint64_t found[GRIND_BLOCKS];
    _Atomic uint64_t best; /* smallest hit so far: later blocks are skipped */
} grind_ctx;

static void grind_range(void *arg, size_t begin, size_t end)
{
    grind_ctx *g = arg;
    for (size_t b = begin; b < end; b++) {
        g->found[b] = UINT64_MAX;
        uint64_t first = g->base + (uint64_t)b * GRIND_BLOCK;
        if (first >= GL_P || first >= atomic_load_explicit(&g->best, memory_order_relaxed))
            continue;
        uint64_t stop = GL_P - first < GRIND_BLOCK ? GL_P : first + GRIND_BLOCK;
        uint64_t nonce = g->first_hit(g->t, g->bits, first, stop);
        if (nonce != UINT64_MAX) {
            g->found[b] = nonce;
            uint64_t cur = atomic_load_explicit(&g->best, memory_order_relaxed);
            while (nonce < cur && !atomic_compare_exchange_weak(&g->best, &cur, nonce))
                ;
        }
    }
}

static uint64_t grind_with(por_transcript *t, unsigned bits, por_pool *pool, first_hit_fn first_hit)
{
    grind_ctx g = {.t = t, .bits = bits, .first_hit = first_hit};
    atomic_init(&g.best, UINT64_MAX);
    uint64_t nonce = UINT64_MAX;
    if (bits > 63)
        g.base = GL_P; /* nothing can pass: skip the search */
    for (; nonce == UINT64_MAX && g.base < GL_P;
         g.base += (uint64_t)GRIND_BLOCK * GRIND_BLOCKS) {
        /* small bit counts: the first block almost surely hits, skip the pool */
        if (bits <= 6) {
            grind_range(&g, 0, 1);
            for (size_t b = 1; b < GRIND_BLOCKS; b++)
                g.found[b] = UINT64_MAX;
            if (g.found[0] == UINT64_MAX)
                grind_range(&g, 1, GRIND_BLOCKS);
        } else {
            por_pool_parallel_for(pool, GRIND_BLOCKS, 1, grind_range, &g);
        }
        for (size_t b = 0; b < GRIND_BLOCKS && nonce == UINT64_MAX; b++)
            nonce = g.found[b];
    }
    /* nonce == UINT64_MAX only if no nonce below p passes: impossible for
     * bits <= 63 in practice; check_pow then fails and so does the proof */
    por_transcript_check_pow(t, bits, nonce);
    return nonce;
}

uint64_t por_transcript_grind(por_transcript *t, unsigned bits, por_pool *pool)
{
    return grind_with(t, bits, pool, first_hit_x8);
}

uint64_t por_transcript_grind_scalar(por_transcript *t, unsigned bits, por_pool *pool)
{
    return grind_with(t, bits, pool, first_hit_scalar);
}

bool por_transcript_check_pow(por_transcript *t, unsigned bits, uint64_t nonce)
{
    const char *saved = t->label;
    t->label = "pow.nonce";
    bool canonical = gl_is_canonical(nonce);
    por_transcript_observe(t, canonical ? nonce : 0);
    t->label = "pow.witness";
    gl_t w = por_transcript_squeeze(t);
    t->label = saved;
    if (!canonical || bits > 63)
        return false;
    return bits == 0 || (w >> (64 - bits)) == 0;
}

static bool entry_eq(const por_transcript_entry *a, const por_transcript_entry *b)
{
    if (a->op != b->op || a->n != b->n)
        return false;
    if ((a->label == NULL) != (b->label == NULL))
        return false;
    if (a->label && strcmp(a->label, b->label) != 0)
        return false;
    return memcmp(a->v, b->v, a->n * sizeof(gl_t)) == 0;
}

size_t por_transcript_log_first_diff(const por_transcript_log *a, const por_transcript_log *b)
{
    size_t na = a->len < a->cap ? a->len : a->cap;
    size_t nb = b->len < b->cap ? b->len : b->cap;
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++)
        if (!entry_eq(&a->entries[i], &b->entries[i]))
            return i;
    if (na != nb || a->len != b->len)
        return n;
    return SIZE_MAX;
}

void por_transcript_log_format(const por_transcript_log *log, size_t i, char *buf, size_t len)
{
    if (len == 0)
        return;
    if (i >= log->len || i >= log->cap) {
        snprintf(buf, len, "#%zu (not recorded)", i);
        return;
    }
    const por_transcript_entry *e = &log->entries[i];
    int w = snprintf(buf, len, "#%zu %s %s:", i, e->op == POR_TLOG_OBSERVE ? "observe" : "squeeze",
                     e->label ? e->label : "(no label)");
    for (unsigned k = 0; k < e->n && w >= 0 && (size_t)w < len; k++)
        w += snprintf(buf + w, len - (size_t)w, " 0x%016llx", (unsigned long long)e->v[k]);
}
