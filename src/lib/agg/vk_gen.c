/* Recording the shipped verifier keys (vk_gen.h). */
#include "agg/vk_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int por_vk_shape_parse(const char *line, por_vk_shape *out, const char **why)
{
    memset(out, 0, sizeof(*out));
    char kind[8];
    unsigned k, A, B, f = 0, first = 0, last = 0;
    int used = 0, n = sscanf(line, " %7s", kind);
    if (n != 1 || kind[0] == '#')
        return 0;
    if (strcmp(kind, "batch") == 0)
        n = sscanf(line, " batch %u %u %u %n", &k, &A, &B, &used) == 3 ? 3 : -1;
    else if (strcmp(kind, "tree") == 0 && sscanf(line, " tree %u %u %u %u %u-%u %n", &k, &A, &B, &f, &first, &last,
                                                 &used) == 6)
        n = 5;
    else if (strcmp(kind, "tree") == 0 && sscanf(line, " tree %u %u %u %u %u %n", &k, &A, &B, &f, &first, &used) == 5)
        n = 5, last = first;
    else
        n = -1;
    if (n < 0 || (line[used] != '\0' && line[used] != '#')) {
        *why = "not 'batch BATCH_LOG2 ASSETS BALANCE_BITS' or 'tree BATCH_LOG2 ASSETS BALANCE_BITS FAN_IN_LOG2 LEVELS' "
               "(LEVELS: N or FIRST-LAST)";
        return -1;
    }
    out->shape = (por_agg_shape){.batch_log2 = k, .asset_count = A, .balance_bits = B, .fan_in_log2 = f};
    const char *bad = n == 3 ? por_batch_shape_check(k, A, B) : por_agg_shape_check(&out->shape);
    if (bad == NULL && n == 5 && (first < 1 || first > last || last > POR_AGG_MAX_LEVELS))
        bad = "levels out of range";
    if (bad != NULL) {
        *why = bad;
        return -1;
    }
    out->first = first, out->last = last;
    return 1;
}

por_vk_table por_vk_list_table(const por_vk_list *list) { return (por_vk_table){list->entries, list->count}; }

void por_vk_list_free(por_vk_list *list)
{
    free(list->entries);
    memset(list, 0, sizeof(*list));
}

/* Appends a key derived for `what` unless its fingerprint is listed; 0 or -1. */
static int record(por_vk_list *list, const por_vk_entry *what, const uint8_t *fingerprint, const por_plonk_vk *vk,
                  const char **why)
{
    por_vk_table t = por_vk_list_table(list);
    if (por_vk_table_find(&t, fingerprint) != NULL)
        return 0;
    size_t cap = (size_t)1 << vk->config.cap_height;
    if (cap > POR_VK_TABLE_MAX_CAP) {
        *why = "a key's Merkle cap is larger than the table's entries hold (raise POR_VK_TABLE_MAX_CAP)";
        return -1;
    }
    if (list->count == list->capacity) {
        size_t n = list->capacity ? 2 * list->capacity : 16;
        por_vk_entry *e = realloc(list->entries, n * sizeof(*e));
        if (e == NULL) {
            *why = "out of memory";
            return -1;
        }
        list->entries = e, list->capacity = n;
    }
    por_vk_entry *e = &list->entries[list->count++];
    *e = *what;
    memcpy(e->fingerprint, fingerprint, POR_CIRCUIT_FINGERPRINT_BYTES);
    e->cap_len = (uint32_t)cap;
    memset(e->cap, 0, sizeof(e->cap));
    for (size_t i = 0; i < cap; i++)
        for (int j = 0; j < 4; j++)
            e->cap[i][j] = vk->preprocessed_cap[i].e[j];
    return 0;
}

int por_vk_list_add(por_vk_list *list, const por_vk_shape *line, por_pool *pool, const char **why)
{
    const por_agg_shape *shape = &line->shape;
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    por_vk_entry what = {.kind = POR_VK_ENTRY_BATCH, .batch_log2 = (uint8_t)shape->batch_log2,
                         .balance_bits = (uint8_t)shape->balance_bits, .asset_count = (uint16_t)shape->asset_count};
    if (line->last == 0) {
        por_batch_vk bvk;
        if (por_batch_vk_derive_with(shape->batch_log2, shape->asset_count, shape->balance_bits, NULL, pool, &bvk,
                                     why) != 0)
            return -1;
        int rc = record(list, &what, bvk.fingerprint, &bvk.vk, why);
        por_batch_vk_free(&bvk);
        return rc;
    }
    for (unsigned T = line->last; T >= line->first; T--) {
        /* the tallest tree first: its levels below the top serve the smaller trees
         * (entries just derived by the setup, so the list is as good as the setup) */
        por_vk_table table = por_vk_list_table(list);
        por_agg_keys keys;
        if (por_agg_keys_derive_with(shape, T, false, NULL, T == line->last ? NULL : &table, pool, &keys, why) != 0)
            return -1;
        int rc = record(list, &what, keys.batch.fingerprint, &keys.batch.vk, why);
        for (unsigned l = 1; rc == 0 && l <= T; l++) {
            por_vk_entry lw = what;
            lw.kind = POR_VK_ENTRY_AGG;
            lw.fan_in_log2 = (uint8_t)shape->fan_in_log2;
            lw.level = (uint8_t)l;
            lw.levels = (uint8_t)T;
            rc = record(list, &lw, keys.fingerprint[l], &keys.vk[l], why);
        }
        if (rc == 0) {
            por_vk_entry cw = what;
            cw.kind = POR_VK_ENTRY_COMPRESS;
            cw.fan_in_log2 = (uint8_t)shape->fan_in_log2;
            cw.level = cw.levels = (uint8_t)T;
            rc = record(list, &cw, keys.compress_fingerprint, &keys.compress_vk, why);
        }
        por_agg_keys_free(&keys);
        if (rc != 0)
            return -1;
    }
    return 0;
}

const char *por_vk_table_compare(const por_vk_table *table, const por_vk_list *derived, size_t *index)
{
    size_t i = 0;
    const char *bad = NULL;
    for (; bad == NULL && i < table->count && i < derived->count; i++) {
        const por_vk_entry *a = &table->entries[i], *b = &derived->entries[i];
        if (memcmp(a->fingerprint, b->fingerprint, POR_CIRCUIT_FINGERPRINT_BYTES) != 0)
            bad = "an entry is for another circuit than derived (run make keys)";
        else if (a->cap_len != b->cap_len || memcmp(a->cap, b->cap, sizeof(a->cap)) != 0)
            bad = "an entry's cap is not the derived key's";
        else if (a->kind != b->kind || a->batch_log2 != b->batch_log2 || a->balance_bits != b->balance_bits ||
                 a->asset_count != b->asset_count || a->fan_in_log2 != b->fan_in_log2 || a->level != b->level ||
                 a->levels != b->levels)
            bad = "an entry's description is not the derived key's";
    }
    if (bad == NULL && table->count != derived->count)
        bad = table->count < derived->count ? "the table lacks derived keys (run make keys)"
                                            : "the table has keys not derived from the shapes (run make keys)";
    else if (bad != NULL)
        i--;
    if (index != NULL)
        *index = i;
    return bad;
}
