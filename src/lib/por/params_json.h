/*
 * Snapshot parameters and digests in JSON: one writer and one strict reader
 * shared by every JSON format that carries them (inclusion proofs, bundle
 * manifests; docs/FORMATS.md), so they spell the parameters identically.
 *
 * The "snapshot" object has exactly the keys id, time, balance_bits,
 * price_scale, batch_log2, leaf_count, params_digest.  An asset object
 * starts with symbol, decimals, price_units, haircut; each format appends
 * its own per-asset fields, so the caller checks the asset object's key set.
 */
#ifndef POR_PARAMS_JSON_H
#define POR_PARAMS_JSON_H

#include "util/json.h"
#include "por/params.h"

/* A digest as a quoted string of 64 lowercase hex digits. */
void por_json_write_digest(json_writer *w, const por_digest *d);
/* The inverse: 0, or -1 if v is not such a string of a canonical digest. */
int por_json_read_digest(const json_value *v, por_digest *d);

/*
 * Writes `"snapshot": {...}` (the parameters except the assets, plus their
 * digest, which the caller passes so it is computed once) with the two-space
 * indentation of the top level.  -1 if the time cannot be written.
 */
int por_params_json_write_snapshot(json_writer *w, const por_params *pp, const por_digest *params_digest);

/* Writes the leading members of an asset object, without braces:
 * "symbol": .., "decimals": .., "price_units": "..", "haircut": .. */
void por_params_json_write_asset(json_writer *w, const por_asset *asset);

/*
 * Reads the "snapshot" object into pp (every field except asset_count and
 * assets) and the claimed digest.  NULL, or a static reason.  Ranges are
 * por_params_check's, which the caller runs once the assets are read.
 */
const char *por_params_json_read_snapshot(const json_value *snap, por_params *pp, por_digest *claimed_digest);

/* Reads the four parameter members of an asset object (the caller has
 * checked its key set).  NULL, or a static reason. */
const char *por_params_json_read_asset(const json_value *item, por_asset *asset);

#endif
