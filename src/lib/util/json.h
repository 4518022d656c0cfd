/*
 * A small, strict JSON reader and writer for por's own formats (RFC 8259).
 *
 * The reader builds a tree with hard limits (nesting depth, number of values,
 * members per object) and rejects everything a lenient parser would let
 * through: duplicate keys, invalid UTF-8, lone surrogates, raw control
 * characters, "\u0000" (strings are C strings), leading zeros, a byte order
 * mark, trailing bytes.  It never reads past len and never crashes on any
 * input.  Schema checks (which keys, which types) are the caller's, with the
 * helpers below.
 */
#ifndef POR_JSON_H
#define POR_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_type;

typedef struct json_value {
    json_type type;
    char *key;              /* member name when inside an object (NUL-terminated), else NULL */
    size_t key_len;
    char *text;             /* string contents (decoded) or the number's literal, NUL-terminated */
    size_t len;
    struct json_value *items; /* array elements or object members, in document order */
    size_t count;
} json_value;

#define JSON_MAX_MEMBERS 256 /* per object */

/*
 * Parses text[0..len).  Returns the root value, or NULL with a short static
 * reason in *why.  max_depth counts containers: "{}" has depth 1.
 */
json_value *json_parse(const char *text, size_t len, unsigned max_depth, size_t max_values,
                       const char **why);
void json_free(json_value *value);

/* The member named key of an object, or NULL. */
const json_value *json_get(const json_value *object, const char *key);

/* 0 if object is an object whose keys are exactly keys[0..n) (any order). */
int json_expect_keys(const json_value *object, const char *const *keys, size_t n);

/* A number written as a plain non-negative integer (no sign, fraction or exponent) <= max. */
int json_number_u64(const json_value *value, uint64_t max, uint64_t *out);

/* A string holding a canonical decimal integer ("0" or no leading zero) <= max. */
int json_string_u64(const json_value *value, uint64_t max, uint64_t *out);

/* Parses a canonical decimal integer from s[0..len) (digits only, no leading zero). */
int json_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out);

/* Well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF). */
bool json_utf8_valid(const uint8_t *s, size_t len);

/*
 * Times as "YYYY-MM-DDTHH:MM:SS.ffffffZ" (UTC, exactly six fractional digits,
 * 27 characters), microseconds since 1970-01-01, years 1970..9999.
 */
int json_time_format(int64_t us, char out[28]);
int json_time_parse(const char *s, size_t len, int64_t *us);

/* Growable output buffer; after any allocation failure every call is a no-op. */
typedef struct {
    char *buf;
    size_t len, cap;
    bool failed;
} json_writer;

void json_writer_init(json_writer *w);
void json_write_raw(json_writer *w, const char *s);
/* A JSON string literal; invalid UTF-8 or a NUL byte marks the writer failed. */
void json_write_string(json_writer *w, const char *s, size_t len);
void json_write_u64(json_writer *w, uint64_t v);
/* v as a quoted decimal string, for integers that may exceed 2^53. */
void json_write_u64_string(json_writer *w, uint64_t v);
/* Returns the NUL-terminated text (caller frees), or NULL if anything failed. */
char *json_writer_finish(json_writer *w);

#endif
