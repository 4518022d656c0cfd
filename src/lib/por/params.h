/*
 * Snapshot parameters: everything about a snapshot that a proof binds besides
 * the balances (DESIGN.md section 2 item 6).  Their digest is a public input of
 * the batch and final proofs and is carried by every inclusion proof.
 *
 * Prices: price_units[a] is the USD price of one smallest unit of asset a, as
 * an integer in units of 10^-price_scale USD.  The snapshot picks the smallest
 * price_scale that makes every price exact; the per-account solvency rule is
 *   sum_a e[a] * price_units[a] * haircut[a]  >=  100 * sum_a d[a] * price_units[a].
 */
#ifndef POR_PARAMS_H
#define POR_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash/poseidon.h"

#define POR_SYMBOL_MAX 32
#define POR_PRICE_UNITS_MAX ((1ULL << 63) - 1)
#define POR_DECIMALS_MAX 30
#define POR_PRICE_SCALE_MAX 60
/* 9999-12-31T23:59:59.999999Z: the last instant the JSON time format can spell. */
#define POR_TIME_US_MAX 253402300799999999LL

typedef struct {
    char symbol[POR_SYMBOL_MAX + 1]; /* NUL-terminated, 1..32 bytes 0x21..0x7e, unique */
    uint32_t decimals;               /* 0..30 */
    uint64_t price_units;            /* <= POR_PRICE_UNITS_MAX */
    uint32_t haircut;                /* percent, 0..100 */
} por_asset;

typedef struct {
    uint64_t snapshot_id;      /* < 2^63 */
    int64_t snapshot_time_us;  /* microseconds since 1970-01-01 UTC, 0..POR_TIME_US_MAX */
    uint32_t balance_bits;     /* B: every balance < 2^B, 1..62 */
    uint32_t price_scale;      /* prices are in 10^-price_scale USD, 0..POR_PRICE_SCALE_MAX */
    uint32_t batch_log2;       /* k: batches of 2^k leaves, 0..POR_MAX_DEPTH */
    uint64_t leaf_count;       /* leaves in the tree, padding included: a multiple of 2^k,
                                  1..2^POR_MAX_DEPTH */
    uint32_t asset_count;      /* 1..POR_MAX_ASSETS */
    por_asset *assets;         /* asset_count entries, the leaf's column order */
} por_params;

/* Checks every range above; returns NULL if valid, else a static description. */
const char *por_params_check(const por_params *params);

/* First element of the digest input: bumped whenever the encoding changes
 * (2: fixed-width symbols).  The batch circuit hashes it as a constant. */
#define POR_PARAMS_DIGEST_VERSION 2
/* Elements per symbol in the digest input: 7 bytes each, 5 * 7 >= POR_SYMBOL_MAX. */
#define POR_PARAMS_SYMBOL_WORDS 5
/* Elements per asset in the digest input: length, symbol words, decimals, price, haircut. */
#define POR_PARAMS_ASSET_ELEMENTS (1 + POR_PARAMS_SYMBOL_WORDS + 3)

/* The symbol's bytes packed 7 per element little-endian, zero-padded to
 * exactly POR_PARAMS_SYMBOL_WORDS elements (each < 2^56, so canonical). */
void por_params_symbol_pack(const char *symbol, uint64_t words[POR_PARAMS_SYMBOL_WORDS]);

/*
 * por_hash(POR_DOMAIN_PARAMS, encoding of every field in order): [2 (version),
 * snapshot_id, snapshot_time_us, balance_bits, price_scale, batch_log2,
 * leaf_count, asset_count, then per asset: symbol length, symbol bytes packed
 * 7 per element little-endian into exactly POR_PARAMS_SYMBOL_WORDS elements
 * (zero-padded), decimals, price_units, haircut] (docs/FORMATS.md): 8 + 9A
 * elements, so the positions depend only on A.
 */
void por_params_digest(const por_params *params, por_digest *out);
/* Its preimage (8 + 9A elements, the order above) into out, for circuits that
 * hash it themselves (the aggregation circuit reads the leaf count from it). */
size_t por_params_encoded_len(uint32_t asset_count);
void por_params_encode(const por_params *params, gl_t *out);
/* (por_params_digest and por_account_solvent expect params that pass por_params_check.) */

/*
 * DESIGN section 2 item 4 for one account, exactly (no wraparound: 192-bit
 * accumulators).  Returns true if equity with haircuts covers debt.
 */
bool por_account_solvent(const por_params *params, const uint64_t *equity, const uint64_t *debt);

#endif
