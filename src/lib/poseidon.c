/* Poseidon permutation and the sponges built on it. */
#include "poseidon.h"

#include <string.h>

#include "poseidon_constants.h"

#define HALF_FULL_ROUNDS 4
#define PARTIAL_ROUNDS 22

static const uint64_t MDS_CIRC[POSEIDON_WIDTH] = {17, 15, 41, 16, 2, 28, 13, 13, 39, 18, 34, 20};
static const uint64_t MDS_DIAG0 = 8;

static inline gl_t sbox(gl_t x)
{
    gl_t x2 = gl_sqr(x);
    gl_t x3 = gl_mul(x2, x);
    gl_t x4 = gl_sqr(x2);
    return gl_mul(x3, x4);
}

/*
 * MDS layer, out[r] = sum_j state[j] * MDS[r][j].  The matrix entries are below
 * 2^7, so each row is accumulated without reduction: the 32-bit halves of the
 * inputs are summed separately in 64-bit lanes (each sum < 2^32 * 2^7 * 12 <
 * 2^43), which the compiler vectorizes, and the 96-bit total is reduced once.
 */
static const uint64_t MDS[POSEIDON_WIDTH][POSEIDON_WIDTH] = {
#define ROW(r) { MDS_CIRC[(12 - r) % 12] + (r == 0 ? MDS_DIAG0 : 0), MDS_CIRC[(13 - r) % 12], \
    MDS_CIRC[(14 - r) % 12], MDS_CIRC[(15 - r) % 12], MDS_CIRC[(16 - r) % 12], MDS_CIRC[(17 - r) % 12], \
    MDS_CIRC[(18 - r) % 12], MDS_CIRC[(19 - r) % 12], MDS_CIRC[(20 - r) % 12], MDS_CIRC[(21 - r) % 12], \
    MDS_CIRC[(22 - r) % 12], MDS_CIRC[(23 - r) % 12] }
    ROW(0), ROW(1), ROW(2), ROW(3), ROW(4), ROW(5), ROW(6), ROW(7), ROW(8), ROW(9), ROW(10), ROW(11),
#undef ROW
};

static inline void mds_layer(gl_t state[POSEIDON_WIDTH])
{
    uint64_t lo[POSEIDON_WIDTH], hi[POSEIDON_WIDTH];
    uint64_t sum_lo[POSEIDON_WIDTH] = {0}, sum_hi[POSEIDON_WIDTH] = {0};
    for (int i = 0; i < POSEIDON_WIDTH; i++) {
        lo[i] = state[i] & 0xffffffffULL;
        hi[i] = state[i] >> 32;
    }
    for (int j = 0; j < POSEIDON_WIDTH; j++)
        for (int r = 0; r < POSEIDON_WIDTH; r++) {
            sum_lo[r] += lo[j] * MDS[r][j];
            sum_hi[r] += hi[j] * MDS[r][j];
        }
    for (int r = 0; r < POSEIDON_WIDTH; r++)
        state[r] = gl_reduce128(((unsigned __int128)sum_hi[r] << 32) + sum_lo[r]);
}

static inline void add_round_constants(gl_t state[POSEIDON_WIDTH], int round)
{
    const uint64_t *rc = &POR_POSEIDON_ROUND_CONSTANTS[POSEIDON_WIDTH * round];
    for (int i = 0; i < POSEIDON_WIDTH; i++)
        state[i] = gl_add(state[i], gl_from_u64(rc[i]));
}

static inline void full_round(gl_t state[POSEIDON_WIDTH], int round)
{
    add_round_constants(state, round);
    for (int i = 0; i < POSEIDON_WIDTH; i++)
        state[i] = sbox(state[i]);
    mds_layer(state);
}

static inline void partial_round(gl_t state[POSEIDON_WIDTH], int round)
{
    add_round_constants(state, round);
    state[0] = sbox(state[0]);
    mds_layer(state);
}

void poseidon_permute(gl_t state[POSEIDON_WIDTH])
{
    int round = 0;
    for (int i = 0; i < HALF_FULL_ROUNDS; i++)
        full_round(state, round++);
    for (int i = 0; i < PARTIAL_ROUNDS; i++)
        partial_round(state, round++);
    for (int i = 0; i < HALF_FULL_ROUNDS; i++)
        full_round(state, round++);
}

/* Overwrite-mode absorption of inputs into an initialised state. */
static void absorb_overwrite(gl_t state[POSEIDON_WIDTH], const gl_t *inputs, size_t n)
{
    for (size_t off = 0; off < n; off += POSEIDON_RATE) {
        size_t chunk = n - off < POSEIDON_RATE ? n - off : POSEIDON_RATE;
        memcpy(state, inputs + off, chunk * sizeof(gl_t));
        poseidon_permute(state);
    }
}

void poseidon_hash_no_pad(const gl_t *inputs, size_t n, por_digest *out)
{
    gl_t state[POSEIDON_WIDTH] = {0};
    absorb_overwrite(state, inputs, n);
    memcpy(out->e, state, sizeof(out->e));
}

void poseidon_two_to_one(const por_digest *left, const por_digest *right, por_digest *out)
{
    gl_t state[POSEIDON_WIDTH] = {0};
    memcpy(state, left->e, sizeof(left->e));
    memcpy(state + 4, right->e, sizeof(right->e));
    poseidon_permute(state);
    memcpy(out->e, state, sizeof(out->e));
}

void por_hash(uint64_t domain, const gl_t *inputs, size_t n, por_digest *out)
{
    gl_t state[POSEIDON_WIDTH] = {0};
    state[8] = gl_from_u64(domain);
    state[9] = gl_from_u64((uint64_t)n);
    if (n == 0)
        poseidon_permute(state);
    else
        absorb_overwrite(state, inputs, n);
    memcpy(out->e, state, sizeof(out->e));
}

void por_digest_to_bytes(const por_digest *d, uint8_t out[32])
{
    for (int i = 0; i < POSEIDON_DIGEST; i++)
        for (int b = 0; b < 8; b++)
            out[8 * i + b] = (uint8_t)(d->e[i] >> (8 * b));
}

int por_digest_from_bytes(const uint8_t in[32], por_digest *d)
{
    for (int i = 0; i < POSEIDON_DIGEST; i++) {
        uint64_t w = 0;
        for (int b = 0; b < 8; b++)
            w |= (uint64_t)in[8 * i + b] << (8 * b);
        if (!gl_is_canonical(w))
            return -1;
        d->e[i] = w;
    }
    return 0;
}
