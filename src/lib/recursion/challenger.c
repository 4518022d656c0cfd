/*
 * In-circuit challenger (see challenger.h), mirroring hash/transcript.c.
 */
#include "recursion/challenger.h"

#include <string.h>

#include "recursion/bits.h"

void por_rec_challenger_from_native(por_builder *b, por_rec_challenger *c, const por_transcript *t)
{
    memset(c, 0, sizeof(*c));
    for (unsigned i = 0; i < POSEIDON_WIDTH; i++)
        c->state[i] = por_builder_constant(b, t->state[i]);
    for (unsigned i = 0; i < t->in_len; i++)
        c->in[i] = por_builder_constant(b, t->in[i]);
    for (unsigned i = t->out_pos; i < t->out_len; i++)
        c->out[i] = por_builder_constant(b, t->out[i]);
    c->in_len = t->in_len;
    c->out_pos = t->out_pos;
    c->out_len = t->out_len;
}

void por_rec_challenger_init(por_builder *b, por_rec_challenger *c, const char *protocol)
{
    por_transcript t;
    por_transcript_init(&t, protocol);
    por_rec_challenger_from_native(b, c, &t);
}

/* Overwrites the rate with the pending inputs, permutes, refills the outputs. */
static void duplex(por_builder *b, por_rec_challenger *c)
{
    memcpy(c->state, c->in, c->in_len * sizeof(por_target));
    c->in_len = 0;
    por_target next[POSEIDON_WIDTH];
    por_builder_poseidon(b, c->state, next);
    memcpy(c->state, next, sizeof(next));
    memcpy(c->out, c->state, sizeof(c->out));
    c->out_pos = 0;
    c->out_len = POSEIDON_RATE;
}

void por_rec_challenger_observe(por_builder *b, por_rec_challenger *c, por_target x)
{
    c->out_pos = c->out_len = 0; /* outputs computed before this input are stale */
    c->in[c->in_len++] = x;
    if (c->in_len == POSEIDON_RATE)
        duplex(b, c);
}

void por_rec_challenger_observe_many(por_builder *b, por_rec_challenger *c, const por_target *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        por_rec_challenger_observe(b, c, x[i]);
}

void por_rec_challenger_observe_ext(por_builder *b, por_rec_challenger *c, const por_target x[2])
{
    por_rec_challenger_observe_many(b, c, x, 2);
}

void por_rec_challenger_observe_digest(por_builder *b, por_rec_challenger *c, const por_target d[4])
{
    por_rec_challenger_observe_many(b, c, d, POSEIDON_DIGEST);
}

void por_rec_challenger_observe_digests(por_builder *b, por_rec_challenger *c, const por_target *d, size_t n)
{
    por_rec_challenger_observe_many(b, c, d, n * POSEIDON_DIGEST);
}

por_target por_rec_challenger_squeeze(por_builder *b, por_rec_challenger *c)
{
    if (c->in_len > 0 || c->out_pos == c->out_len)
        duplex(b, c);
    return c->out[c->out_pos++];
}

void por_rec_challenger_squeeze_ext(por_builder *b, por_rec_challenger *c, por_target out[2])
{
    out[0] = por_rec_challenger_squeeze(b, c);
    out[1] = por_rec_challenger_squeeze(b, c);
}

void por_rec_challenger_squeeze_index(por_builder *b, por_rec_challenger *c, unsigned bits,
                                      por_target *bits_out)
{
    por_target x = por_rec_challenger_squeeze(b, c);
    por_rec_split_low_bits(b, x, bits, bits_out);
}

void por_rec_challenger_check_pow(por_builder *b, por_rec_challenger *c, unsigned bits, por_target nonce)
{
    if (bits > 63) {
        por_builder_fail(b, "check_pow: bits must be 0..63");
        return;
    }
    por_rec_challenger_observe(b, c, nonce);
    por_target w = por_rec_challenger_squeeze(b, c);
    if (bits > 0)
        por_builder_range_check(b, w, 64 - bits); /* check: proof of work (w < 2^(64-bits)) */
}
