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

#include "poseidon.h"

#define POR_SYMBOL_MAX 32
#define POR_PRICE_UNITS_MAX ((1ULL << 63) - 1)

typedef struct {
    char symbol[POR_SYMBOL_MAX + 1]; /* NUL-terminated, 1..32 bytes */
    uint32_t decimals;               /* 0..30 */
    uint64_t price_units;            /* <= POR_PRICE_UNITS_MAX */
    uint32_t haircut;                /* percent, 0..100 */
} por_asset;

typedef struct {
    uint64_t snapshot_id;
    int64_t snapshot_time_us;  /* microseconds since 1970-01-01 UTC, >= 0 */
    uint32_t balance_bits;     /* B: every balance < 2^B, 1..62 */
    uint32_t price_scale;      /* prices are in 10^-price_scale USD */
    uint32_t batch_log2;       /* k: batches of 2^k leaves */
    uint64_t leaf_count;       /* leaves in the tree, padding included */
    uint32_t asset_count;      /* 1..POR_MAX_ASSETS */
    por_asset *assets;         /* asset_count entries, the leaf's column order */
} por_params;

/* Checks every range above; returns NULL if valid, else a static description. */
const char *por_params_check(const por_params *params);

/* por_hash(POR_DOMAIN_PARAMS, encoding of every field in order). */
void por_params_digest(const por_params *params, por_digest *out);

/*
 * DESIGN section 2 item 4 for one account, exactly (no wraparound: 192-bit
 * accumulators).  Returns true if equity with haircuts covers debt.
 */
bool por_account_solvent(const por_params *params, const uint64_t *equity, const uint64_t *debt);

#endif
