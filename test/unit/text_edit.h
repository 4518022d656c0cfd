/* Editing encoded proofs and manifests as text in tests (the tampering cases). */
#ifndef POR_TEST_TEXT_EDIT_H
#define POR_TEST_TEXT_EDIT_H

#include <stdlib.h>
#include <string.h>

/* Replaces the first occurrence of from in text by to (malloc'd result, NULL if absent). */
static inline char *replace_once(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    if (at == NULL)
        return NULL;
    size_t head = (size_t)(at - text), flen = strlen(from), tlen = strlen(to);
    char *out = malloc(strlen(text) - flen + tlen + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, text, head);
    memcpy(out + head, to, tlen);
    strcpy(out + head + tlen, at + flen);
    return out;
}

#endif
