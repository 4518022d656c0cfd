/* Strict JSON reader/writer for por's formats, plus the UTF-8 and time helpers they need. */
#include "util/json.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* UTF-8 */

/*
 * Length of the well-formed UTF-8 sequence at s[0..n), or 0.  Follows the
 * table of RFC 3629 section 4, which excludes overlong forms, surrogates
 * (ED A0..BF) and code points above U+10FFFF (F4 90.. and F5..FF).
 */
static size_t utf8_seq_len(const uint8_t *s, size_t n)
{
    if (n == 0)
        return 0;
    uint8_t c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint8_t lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else
        return 0;
    if (n < len)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

bool json_utf8_valid(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t k = utf8_seq_len(s + i, len - i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

/* ------------------------------------------------------------------------ */
/* Reader */

typedef struct {
    const char *s;
    size_t len, pos;
    unsigned depth, max_depth;
    size_t values, max_values;
    const char *why;
} parser;

static int fail(parser *p, const char *why)
{
    if (p->why == NULL)
        p->why = why;
    return -1;
}

static void skip_ws(parser *p)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

static int hex4(parser *p, unsigned *out)
{
    if (p->len - p->pos < 4)
        return fail(p, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p->s[p->pos++];
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return fail(p, "bad \\u escape");
        v = v << 4 | (unsigned)d;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/*
 * A string starting at the opening quote.  The first pass finds the closing
 * quote so the decoded text (never longer than the source) gets one exact
 * allocation; the second pass decodes and validates.
 */
static int parse_string(parser *p, char **out, size_t *out_len)
{
    size_t start = ++p->pos, end = start;
    while (end < p->len && p->s[end] != '"')
        end += p->s[end] == '\\' ? 2 : 1;
    if (end >= p->len)
        return fail(p, "unterminated string");
    char *buf = malloc(end - start + 1);
    if (buf == NULL)
        return fail(p, "out of memory");
    size_t n = 0;
    while (p->pos < end) {
        uint8_t c = (uint8_t)p->s[p->pos];
        if (c == '\\') {
            char e = p->s[p->pos + 1];
            p->pos += 2;
            switch (e) {
            case '"': buf[n++] = '"'; break;
            case '\\': buf[n++] = '\\'; break;
            case '/': buf[n++] = '/'; break;
            case 'b': buf[n++] = '\b'; break;
            case 'f': buf[n++] = '\f'; break;
            case 'n': buf[n++] = '\n'; break;
            case 'r': buf[n++] = '\r'; break;
            case 't': buf[n++] = '\t'; break;
            case 'u': {
                unsigned cp, lo;
                if (hex4(p, &cp) != 0)
                    goto bad;
                if (cp >= 0xdc00 && cp <= 0xdfff) {
                    fail(p, "lone low surrogate");
                    goto bad;
                }
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    if (p->len - p->pos < 2 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
                        fail(p, "lone high surrogate");
                        goto bad;
                    }
                    p->pos += 2;
                    if (hex4(p, &lo) != 0)
                        goto bad;
                    if (lo < 0xdc00 || lo > 0xdfff) {
                        fail(p, "bad surrogate pair");
                        goto bad;
                    }
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                }
                if (cp == 0) {
                    fail(p, "NUL in string");
                    goto bad;
                }
                /* an escape spells at least 6 source bytes and at most 4 decoded ones */
                n += put_utf8(buf + n, cp);
                if (p->pos > end) {
                    fail(p, "bad \\u escape");
                    goto bad;
                }
                break;
            }
            default:
                fail(p, "bad escape in string");
                goto bad;
            }
        } else if (c < 0x20) {
            fail(p, "control character in string");
            goto bad;
        } else {
            size_t k = utf8_seq_len((const uint8_t *)p->s + p->pos, end - p->pos);
            if (k == 0) {
                fail(p, "invalid UTF-8 in string");
                goto bad;
            }
            memcpy(buf + n, p->s + p->pos, k);
            n += k;
            p->pos += k;
        }
    }
    if (p->pos != end) {
        fail(p, "bad escape in string");
        goto bad;
    }
    p->pos = end + 1;
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return 0;
bad:
    free(buf);
    return -1;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* RFC 8259 number grammar; the literal is kept, conversion is the caller's. */
static int parse_number(parser *p, json_value *v)
{
    size_t start = p->pos;
    if (p->pos < p->len && p->s[p->pos] == '-')
        p->pos++;
    if (p->pos >= p->len || !is_digit(p->s[p->pos]))
        return fail(p, "bad number");
    if (p->s[p->pos] == '0') {
        p->pos++;
        if (p->pos < p->len && is_digit(p->s[p->pos]))
            return fail(p, "leading zero in number");
    } else
        while (p->pos < p->len && is_digit(p->s[p->pos]))
            p->pos++;
    if (p->pos < p->len && p->s[p->pos] == '.') {
        p->pos++;
        if (p->pos >= p->len || !is_digit(p->s[p->pos]))
            return fail(p, "bad number");
        while (p->pos < p->len && is_digit(p->s[p->pos]))
            p->pos++;
    }
    if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
            p->pos++;
        if (p->pos >= p->len || !is_digit(p->s[p->pos]))
            return fail(p, "bad number");
        while (p->pos < p->len && is_digit(p->s[p->pos]))
            p->pos++;
    }
    size_t n = p->pos - start;
    v->text = malloc(n + 1);
    if (v->text == NULL)
        return fail(p, "out of memory");
    memcpy(v->text, p->s + start, n);
    v->text[n] = '\0';
    v->len = n;
    v->type = JSON_NUMBER;
    return 0;
}

static int parse_value(parser *p, json_value *v);

/* Appends a zeroed slot to a container, growing geometrically. */
static json_value *push_item(parser *p, json_value *c, size_t *cap)
{
    if (c->count == *cap) {
        size_t ncap = *cap ? 2 * *cap : 4;
        json_value *items = realloc(c->items, ncap * sizeof(*items));
        if (items == NULL) {
            fail(p, "out of memory");
            return NULL;
        }
        c->items = items;
        *cap = ncap;
    }
    json_value *slot = &c->items[c->count++];
    memset(slot, 0, sizeof(*slot));
    return slot;
}

static int parse_array(parser *p, json_value *v)
{
    size_t cap = 0;
    v->type = JSON_ARRAY;
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ']') {
        p->pos++;
        return 0;
    }
    for (;;) {
        json_value *item = push_item(p, v, &cap);
        if (item == NULL || parse_value(p, item) != 0)
            return -1;
        skip_ws(p);
        if (p->pos >= p->len)
            return fail(p, "unterminated array");
        char c = p->s[p->pos++];
        if (c == ']')
            return 0;
        if (c != ',')
            return fail(p, "expected , or ] in array");
    }
}

static int parse_object(parser *p, json_value *v)
{
    size_t cap = 0;
    v->type = JSON_OBJECT;
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == '}') {
        p->pos++;
        return 0;
    }
    for (;;) {
        if (v->count == JSON_MAX_MEMBERS)
            return fail(p, "too many members in object");
        json_value *member = push_item(p, v, &cap);
        if (member == NULL)
            return -1;
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != '"')
            return fail(p, "expected a member name");
        if (parse_string(p, &member->key, &member->key_len) != 0)
            return -1;
        for (size_t i = 0; i + 1 < v->count; i++)
            if (v->items[i].key_len == member->key_len &&
                memcmp(v->items[i].key, member->key, member->key_len) == 0)
                return fail(p, "duplicate key");
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != ':')
            return fail(p, "expected : after member name");
        p->pos++;
        if (parse_value(p, member) != 0)
            return -1;
        skip_ws(p);
        if (p->pos >= p->len)
            return fail(p, "unterminated object");
        char c = p->s[p->pos++];
        if (c == '}')
            return 0;
        if (c != ',')
            return fail(p, "expected , or } in object");
    }
}

static int parse_literal(parser *p, const char *word, json_type type, json_value *v)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return fail(p, "unexpected character");
    p->pos += n;
    v->type = type;
    return 0;
}

static int parse_value(parser *p, json_value *v)
{
    if (++p->values > p->max_values)
        return fail(p, "too many values");
    skip_ws(p);
    if (p->pos >= p->len)
        return fail(p, "unexpected end of input");
    char c = p->s[p->pos];
    int rc;
    switch (c) {
    case '{':
    case '[':
        if (p->depth >= p->max_depth)
            return fail(p, "nesting too deep");
        p->depth++;
        rc = c == '{' ? parse_object(p, v) : parse_array(p, v);
        p->depth--;
        return rc;
    case '"':
        v->type = JSON_STRING;
        return parse_string(p, &v->text, &v->len);
    case 't':
        return parse_literal(p, "true", JSON_TRUE, v);
    case 'f':
        return parse_literal(p, "false", JSON_FALSE, v);
    case 'n':
        return parse_literal(p, "null", JSON_NULL, v);
    default:
        if (c == '-' || is_digit(c))
            return parse_number(p, v);
        return fail(p, "unexpected character");
    }
}

static void free_contents(json_value *v)
{
    for (size_t i = 0; i < v->count; i++)
        free_contents(&v->items[i]);
    free(v->items);
    free(v->key);
    free(v->text);
}

void json_free(json_value *value)
{
    if (value == NULL)
        return;
    free_contents(value);
    free(value);
}

json_value *json_parse(const char *text, size_t len, unsigned max_depth, size_t max_values,
                       const char **why)
{
    parser p = {text, len, 0, 0, max_depth, 0, max_values, NULL};
    json_value *root = calloc(1, sizeof(*root));
    if (root == NULL) {
        *why = "out of memory";
        return NULL;
    }
    if (text == NULL)
        fail(&p, "no input");
    else if (parse_value(&p, root) == 0) {
        skip_ws(&p);
        if (p.pos != p.len)
            fail(&p, "trailing bytes after the JSON value");
    }
    if (p.why != NULL) {
        json_free(root);
        *why = p.why;
        return NULL;
    }
    return root;
}

const json_value *json_get(const json_value *object, const char *key)
{
    if (object == NULL || object->type != JSON_OBJECT)
        return NULL;
    size_t n = strlen(key);
    for (size_t i = 0; i < object->count; i++)
        if (object->items[i].key_len == n && memcmp(object->items[i].key, key, n) == 0)
            return &object->items[i];
    return NULL;
}

/* Keys are unique (the parser rejects duplicates), so equal counts and every
 * expected key present means exactly these keys. */
int json_expect_keys(const json_value *object, const char *const *keys, size_t n)
{
    if (object == NULL || object->type != JSON_OBJECT || object->count != n)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (json_get(object, keys[i]) == NULL)
            return -1;
    return 0;
}

int json_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i]))
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

int json_number_u64(const json_value *value, uint64_t max, uint64_t *out)
{
    if (value == NULL || value->type != JSON_NUMBER)
        return -1;
    return json_parse_u64(value->text, value->len, max, out);
}

int json_string_u64(const json_value *value, uint64_t max, uint64_t *out)
{
    if (value == NULL || value->type != JSON_STRING)
        return -1;
    return json_parse_u64(value->text, value->len, max, out);
}

/* ------------------------------------------------------------------------ */
/* Time: proleptic Gregorian calendar, days counted from 1970-01-01. */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = y / 400;  /* y >= 1969 here, so no negative rounding */
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned mp = m > 2 ? m - 3 : m + 9; /* months counted from March */
    unsigned doy = (153 * mp + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = z / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool leap_year(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

#define US_PER_DAY 86400000000LL
#define TIME_US_MAX 253402300799999999LL /* 9999-12-31T23:59:59.999999Z */

int json_time_format(int64_t us, char out[28])
{
    if (us < 0 || us > TIME_US_MAX)
        return -1;
    int64_t days = us / US_PER_DAY, rest = us % US_PER_DAY;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    unsigned sec_of_day = (unsigned)(rest / 1000000);
    unsigned frac = (unsigned)(rest % 1000000);
    unsigned fields[7] = {(unsigned)y, m, d, sec_of_day / 3600, sec_of_day / 60 % 60, sec_of_day % 60,
                          frac};
    static const unsigned widths[7] = {4, 2, 2, 2, 2, 2, 6};
    static const char seps[7] = {'-', '-', 'T', ':', ':', '.', 'Z'};
    size_t pos = 0;
    for (int f = 0; f < 7; f++) {
        unsigned v = fields[f];
        for (unsigned i = widths[f]; i > 0; i--) {
            out[pos + i - 1] = (char)('0' + v % 10);
            v /= 10;
        }
        pos += widths[f];
        out[pos++] = seps[f];
    }
    out[pos] = '\0';
    return 0;
}

/* Exactly the format json_time_format writes, so one instant has one spelling. */
int json_time_parse(const char *s, size_t len, int64_t *us)
{
    static const char pattern[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
    if (len != sizeof(pattern) - 1)
        return -1;
    for (size_t i = 0; i < len; i++)
        if (pattern[i] == 'd' ? !is_digit(s[i]) : s[i] != pattern[i])
            return -1;
    unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, frac = 0;
    for (int i = 0; i < 4; i++)
        y = y * 10 + (unsigned)(s[i] - '0');
    mo = (unsigned)(s[5] - '0') * 10 + (unsigned)(s[6] - '0');
    d = (unsigned)(s[8] - '0') * 10 + (unsigned)(s[9] - '0');
    h = (unsigned)(s[11] - '0') * 10 + (unsigned)(s[12] - '0');
    mi = (unsigned)(s[14] - '0') * 10 + (unsigned)(s[15] - '0');
    se = (unsigned)(s[17] - '0') * 10 + (unsigned)(s[18] - '0');
    for (int i = 20; i < 26; i++)
        frac = frac * 10 + (unsigned)(s[i] - '0');
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
        se > 59)
        return -1;
    int64_t days = days_from_civil(y, mo, d);
    *us = days * US_PER_DAY + ((int64_t)h * 3600 + mi * 60 + se) * 1000000LL + frac;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Writer */

void json_writer_init(json_writer *w) { memset(w, 0, sizeof(*w)); }

static void write_bytes(json_writer *w, const char *s, size_t n)
{
    if (w->failed)
        return;
    if (w->cap - w->len < n + 1) {
        size_t ncap = w->cap ? w->cap : 256;
        while (ncap - w->len < n + 1) {
            if (ncap > SIZE_MAX / 2) {
                w->failed = true;
                return;
            }
            ncap *= 2;
        }
        char *buf = realloc(w->buf, ncap);
        if (buf == NULL) {
            w->failed = true;
            return;
        }
        w->buf = buf;
        w->cap = ncap;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

void json_write_raw(json_writer *w, const char *s) { write_bytes(w, s, strlen(s)); }

/*
 * Escapes the quote, the backslash and every control character (U+0000..001F
 * and DEL); other valid UTF-8 passes through, so the output is the shortest
 * faithful spelling for a reader and a terminal alike.
 */
void json_write_string(json_writer *w, const char *s, size_t len)
{
    if (!json_utf8_valid((const uint8_t *)s, len) || memchr(s, '\0', len) != NULL) {
        w->failed = true;
        return;
    }
    write_bytes(w, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char ubuf[7];
        if (c == '"')
            esc = "\\\"";
        else if (c == '\\')
            esc = "\\\\";
        else if (c == '\n')
            esc = "\\n";
        else if (c == '\t')
            esc = "\\t";
        else if (c == '\r')
            esc = "\\r";
        else if (c < 0x20 || c == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            memcpy(ubuf, "\\u00", 4);
            ubuf[4] = hex[c >> 4];
            ubuf[5] = hex[c & 15];
            ubuf[6] = '\0';
            esc = ubuf;
        }
        if (esc != NULL) {
            write_bytes(w, s + i - run, run);
            run = 0;
            write_bytes(w, esc, strlen(esc));
        } else
            run++;
    }
    write_bytes(w, s + len - run, run);
    write_bytes(w, "\"", 1);
}

void json_write_u64(json_writer *w, uint64_t v)
{
    char buf[21];
    size_t i = sizeof(buf);
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    write_bytes(w, buf + i, sizeof(buf) - i);
}

void json_write_u64_string(json_writer *w, uint64_t v)
{
    write_bytes(w, "\"", 1);
    json_write_u64(w, v);
    write_bytes(w, "\"", 1);
}

char *json_writer_finish(json_writer *w)
{
    if (w->failed || w->buf == NULL) {
        free(w->buf);
        json_writer_init(w);
        return NULL;
    }
    char *out = w->buf;
    json_writer_init(w);
    return out;
}
