/* Snapshot parameters and digests in JSON, shared by the JSON formats. */
#include "por/params_json.h"

#include <string.h>

#include "por/hex.h"

void por_json_write_digest(json_writer *w, const por_digest *d)
{
    char hex[67];
    hex[0] = '"';
    por_digest_to_hex(d, hex + 1);
    hex[65] = '"';
    hex[66] = '\0';
    json_write_raw(w, hex);
}

int por_json_read_digest(const json_value *v, por_digest *d)
{
    if (v == NULL || v->type != JSON_STRING)
        return -1;
    return por_digest_from_hex(v->text, v->len, d);
}

int por_params_json_write_snapshot(json_writer *w, const por_params *pp, const por_digest *params_digest)
{
    char time[28];
    if (json_time_format(pp->snapshot_time_us, time) != 0)
        return -1;
    json_write_raw(w, "  \"snapshot\": {\n    \"id\": ");
    json_write_u64(w, pp->snapshot_id);
    json_write_raw(w, ",\n    \"time\": \"");
    json_write_raw(w, time);
    json_write_raw(w, "\",\n    \"balance_bits\": ");
    json_write_u64(w, pp->balance_bits);
    json_write_raw(w, ",\n    \"price_scale\": ");
    json_write_u64(w, pp->price_scale);
    json_write_raw(w, ",\n    \"batch_log2\": ");
    json_write_u64(w, pp->batch_log2);
    json_write_raw(w, ",\n    \"leaf_count\": ");
    json_write_u64(w, pp->leaf_count);
    json_write_raw(w, ",\n    \"params_digest\": ");
    por_json_write_digest(w, params_digest);
    json_write_raw(w, "\n  }");
    return 0;
}

void por_params_json_write_asset(json_writer *w, const por_asset *asset)
{
    json_write_raw(w, "\"symbol\": ");
    json_write_string(w, asset->symbol, strlen(asset->symbol));
    json_write_raw(w, ", \"decimals\": ");
    json_write_u64(w, asset->decimals);
    json_write_raw(w, ", \"price_units\": ");
    json_write_u64_string(w, asset->price_units);
    json_write_raw(w, ", \"haircut\": ");
    json_write_u64(w, asset->haircut);
}

/* A small unsigned number into a uint32_t (ranges are checked later). */
static int json_u32(const json_value *v, uint32_t *out)
{
    uint64_t x;
    if (json_number_u64(v, UINT32_MAX, &x) != 0)
        return -1;
    *out = (uint32_t)x;
    return 0;
}

static const char *const SNAPSHOT_KEYS[] = {"id",         "time",       "balance_bits", "price_scale",
                                            "batch_log2", "leaf_count", "params_digest"};

const char *por_params_json_read_snapshot(const json_value *snap, por_params *pp, por_digest *claimed_digest)
{
    if (json_expect_keys(snap, SNAPSHOT_KEYS, sizeof(SNAPSHOT_KEYS) / sizeof(SNAPSHOT_KEYS[0])) != 0)
        return "snapshot must have exactly the keys id, time, balance_bits, price_scale, batch_log2, "
               "leaf_count, params_digest";
    if (json_number_u64(json_get(snap, "id"), (1ULL << 63) - 1, &pp->snapshot_id) != 0)
        return "snapshot.id is not an integer below 2^63";
    const json_value *time = json_get(snap, "time");
    if (time->type != JSON_STRING || json_time_parse(time->text, time->len, &pp->snapshot_time_us) != 0)
        return "snapshot.time is not YYYY-MM-DDTHH:MM:SS.ffffffZ";
    if (json_u32(json_get(snap, "balance_bits"), &pp->balance_bits) != 0)
        return "snapshot.balance_bits is not an integer";
    if (json_u32(json_get(snap, "price_scale"), &pp->price_scale) != 0)
        return "snapshot.price_scale is not an integer";
    if (json_u32(json_get(snap, "batch_log2"), &pp->batch_log2) != 0)
        return "snapshot.batch_log2 is not an integer";
    if (json_number_u64(json_get(snap, "leaf_count"), UINT64_MAX, &pp->leaf_count) != 0)
        return "snapshot.leaf_count is not an integer";
    if (por_json_read_digest(json_get(snap, "params_digest"), claimed_digest) != 0)
        return "snapshot.params_digest is not 64 lowercase hex digits of a canonical digest";
    return NULL;
}

const char *por_params_json_read_asset(const json_value *item, por_asset *asset)
{
    const json_value *sym = json_get(item, "symbol");
    if (sym == NULL || sym->type != JSON_STRING || sym->len < 1 || sym->len > POR_SYMBOL_MAX)
        return "asset symbol is not a string of 1..32 bytes";
    memcpy(asset->symbol, sym->text, sym->len + 1);
    if (json_u32(json_get(item, "decimals"), &asset->decimals) != 0)
        return "asset decimals is not an integer";
    if (json_string_u64(json_get(item, "price_units"), POR_PRICE_UNITS_MAX, &asset->price_units) != 0)
        return "asset price_units is not a decimal string below 2^63";
    if (json_u32(json_get(item, "haircut"), &asset->haircut) != 0)
        return "asset haircut is not an integer";
    return NULL;
}
