/* Snapshot parameters: range checks, digest, and the exact per-account solvency rule. */
#include "por/params.h"

#include <string.h>

#include "por/tree.h"


/* Symbols are tickers: printable ASCII without space, so they print unambiguously. */
static bool symbol_char_ok(unsigned char c) { return c > 0x20 && c < 0x7f; }

const char *por_params_check(const por_params *params)
{
    if (params == NULL)
        return "no parameters";
    if (params->snapshot_id >= (1ULL << 63))
        return "snapshot id out of range";
    if (params->snapshot_time_us < 0 || params->snapshot_time_us > POR_TIME_US_MAX)
        return "snapshot time out of range";
    if (params->balance_bits < 1 || params->balance_bits > 62)
        return "balance_bits out of range (1..62)";
    if (params->price_scale > POR_PRICE_SCALE_MAX)
        return "price_scale out of range";
    if (params->batch_log2 > POR_MAX_DEPTH)
        return "batch_log2 out of range";
    if (params->leaf_count < 1 || params->leaf_count > (1ULL << POR_MAX_DEPTH))
        return "leaf_count out of range";
    if (params->leaf_count & ((1ULL << params->batch_log2) - 1))
        return "leaf_count is not a multiple of the batch size";
    if (params->asset_count < 1 || params->asset_count > POR_MAX_ASSETS)
        return "asset_count out of range";
    if (params->assets == NULL)
        return "no assets";
    for (uint32_t a = 0; a < params->asset_count; a++) {
        const por_asset *asset = &params->assets[a];
        size_t len = strnlen(asset->symbol, sizeof(asset->symbol));
        if (len < 1 || len > POR_SYMBOL_MAX)
            return "asset symbol length out of range";
        for (size_t i = 0; i < len; i++)
            if (!symbol_char_ok((unsigned char)asset->symbol[i]))
                return "asset symbol is not printable ASCII";
        for (uint32_t b = 0; b < a; b++)
            if (strcmp(params->assets[b].symbol, asset->symbol) == 0)
                return "duplicate asset symbol";
        if (asset->decimals > POR_DECIMALS_MAX)
            return "asset decimals out of range";
        if (asset->price_units > POR_PRICE_UNITS_MAX)
            return "asset price out of range";
        if (asset->haircut > 100)
            return "asset haircut out of range";
    }
    return NULL;
}

void por_params_symbol_pack(const char *symbol, uint64_t words[POR_PARAMS_SYMBOL_WORDS])
{
    size_t len = strnlen(symbol, POR_SYMBOL_MAX);
    for (size_t w = 0; w < POR_PARAMS_SYMBOL_WORDS; w++)
        words[w] = 0;
    for (size_t i = 0; i < len; i++)
        words[i / 7] |= (uint64_t)(unsigned char)symbol[i] << (8 * (i % 7));
}

/*
 * Input: [version, snapshot_id, snapshot_time_us, balance_bits, price_scale,
 * batch_log2, leaf_count, asset_count, then per asset: symbol length, the
 * symbol as exactly POR_PARAMS_SYMBOL_WORDS elements of 7 bytes (zero-padded),
 * decimals, price_units, haircut].  The length makes the padding unambiguous,
 * so the encoding is injective; the fixed width keeps every element's position
 * independent of the symbols, so the batch circuit's shape does not depend on
 * them (version 1 packed ceil(len / 7) elements).
 */
size_t por_params_encoded_len(uint32_t asset_count)
{
    return 8 + (size_t)asset_count * POR_PARAMS_ASSET_ELEMENTS;
}

void por_params_encode(const por_params *params, gl_t *out)
{
    size_t i = 0;
    out[i++] = POR_PARAMS_DIGEST_VERSION;
    out[i++] = params->snapshot_id;
    out[i++] = (uint64_t)params->snapshot_time_us;
    out[i++] = params->balance_bits;
    out[i++] = params->price_scale;
    out[i++] = params->batch_log2;
    out[i++] = params->leaf_count;
    out[i++] = params->asset_count;
    for (uint32_t a = 0; a < params->asset_count; a++) {
        const por_asset *asset = &params->assets[a];
        uint64_t words[POR_PARAMS_SYMBOL_WORDS];
        por_params_symbol_pack(asset->symbol, words);
        out[i++] = strnlen(asset->symbol, POR_SYMBOL_MAX);
        for (size_t w = 0; w < POR_PARAMS_SYMBOL_WORDS; w++)
            out[i++] = words[w];
        out[i++] = asset->decimals;
        out[i++] = asset->price_units;
        out[i++] = asset->haircut;
    }
}

void por_params_digest(const por_params *params, por_digest *out)
{
    gl_t in[8 + POR_MAX_ASSETS * POR_PARAMS_ASSET_ELEMENTS]; /* 18.5 KB at most */
    por_params_encode(params, in);
    por_hash(POR_DOMAIN_PARAMS, in, por_params_encoded_len(params->asset_count), out);
}

/* 256-bit unsigned accumulator, little-endian limbs. */
typedef struct {
    uint64_t w[4];
} u256;

/* acc += a * b * c, exactly (the product is below 2^192). */
static void u256_add_product(u256 *acc, uint64_t a, uint64_t b, uint64_t c)
{
    unsigned __int128 ab = (unsigned __int128)a * b;
    unsigned __int128 lo = (unsigned __int128)(uint64_t)ab * c;
    unsigned __int128 hi = (unsigned __int128)(uint64_t)(ab >> 64) * c;
    /* product limbs: p0 = lo[0..64), p1 = lo[64..128) + hi[0..64), p2 = hi[64..128) + carry */
    uint64_t p[4];
    p[0] = (uint64_t)lo;
    unsigned __int128 mid = (lo >> 64) + (uint64_t)hi;
    p[1] = (uint64_t)mid;
    p[2] = (uint64_t)((hi >> 64) + (mid >> 64));
    p[3] = 0;
    unsigned __int128 carry = 0;
    for (int i = 0; i < 4; i++) {
        carry += (unsigned __int128)acc->w[i] + p[i];
        acc->w[i] = (uint64_t)carry;
        carry >>= 64;
    }
}

/* -1, 0 or 1 as x <, =, > y. */
static int u256_cmp(const u256 *x, const u256 *y)
{
    for (int i = 3; i >= 0; i--)
        if (x->w[i] != y->w[i])
            return x->w[i] < y->w[i] ? -1 : 1;
    return 0;
}

/*
 * Both sides are scaled by 100 so the haircut stays an integer:
 * sum e*p*h >= 100 * sum d*p.  Each term is below 2^64 * 2^63 * 2^7 = 2^134
 * for any 64-bit balance, so 256 assets stay below 2^142: no wraparound.
 */
bool por_account_solvent(const por_params *params, const uint64_t *equity, const uint64_t *debt)
{
    u256 lhs = {{0}}, rhs = {{0}};
    for (uint32_t a = 0; a < params->asset_count; a++) {
        const por_asset *asset = &params->assets[a];
        u256_add_product(&lhs, equity[a], asset->price_units, asset->haircut);
        u256_add_product(&rhs, debt[a], asset->price_units, 100);
    }
    return u256_cmp(&lhs, &rhs) >= 0;
}
