/*
 * Seeds for the libFuzzer targets (make fuzz): tests that build valid inputs
 * write them into dir when it is not NULL (POR_FUZZ_SEED_DIR).
 */
#ifndef POR_TEST_FUZZ_SEED_H
#define POR_TEST_FUZZ_SEED_H

#include <stdio.h>

static inline void fuzz_seed_write(const char *dir, const char *name, const void *data, size_t len)
{
    char path[512];
    if (dir == NULL)
        return;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f != NULL) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
}

#endif
