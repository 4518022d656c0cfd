/*
 * Recording the shipped verifier keys (por/vk_table.h): the list of keys of
 * the shapes in keys/shapes.txt, each derived by the setup, for `make keys`
 * (tools/por_keys.c writes it as C) and for the test that the shipped table
 * equals a fresh derivation (test/unit/agg/test_vk_table.c).
 *
 * keys/shapes.txt: one shape per line, '#' starts a comment;
 *   batch BATCH_LOG2 ASSETS BALANCE_BITS
 *   tree BATCH_LOG2 ASSETS BALANCE_BITS FAN_IN_LOG2 LEVELS
 * A tree line names the batch key and every level's key of the tree of
 * LEVELS levels (snapshots of F^(LEVELS-1) + 1 .. F^LEVELS batches), or of
 * every tree of FIRST..LAST levels when LEVELS is written FIRST-LAST.
 */
#ifndef POR_AGG_VK_GEN_H
#define POR_AGG_VK_GEN_H

#include <stddef.h>

#include "agg/agg.h"
#include "por/vk_table.h"

typedef struct {
    por_vk_entry *entries;
    size_t count, capacity;
} por_vk_list;

/* One line of keys/shapes.txt. */
typedef struct {
    por_agg_shape shape;       /* fan_in_log2 0 for a batch line */
    unsigned first, last;      /* trees of first..last levels; 0, 0 for a batch line */
} por_vk_shape;

/*
 * Parses one line of keys/shapes.txt: 1 with *out, 0 for a blank or comment
 * line, -1 if malformed or out of range (with *why).
 */
int por_vk_shape_parse(const char *line, por_vk_shape *out, const char **why);

/*
 * Appends the keys of one shape line, each derived by the setup, skipping
 * keys already listed (same fingerprint).  The levels below a tree's top are
 * the same in every tree of the shape, so the list itself serves as the table
 * for them: after the tallest tree, only each smaller tree's top costs a
 * setup.  0, or -1 with *why (the list keeps what was added before).
 */
int por_vk_list_add(por_vk_list *list, const por_vk_shape *shape, por_pool *pool, const char **why);
/* The list as a lookup table (borrows the entries). */
por_vk_table por_vk_list_table(const por_vk_list *list);
void por_vk_list_free(por_vk_list *list);

/*
 * Compares a table with a list derived from the shapes: NULL if they hold the
 * same entries (fingerprint, cap and what each was derived for) in the same
 * order, else why not, with *index (if not NULL) the first entry that differs.
 */
const char *por_vk_table_compare(const por_vk_table *table, const por_vk_list *derived, size_t *index);

#endif
