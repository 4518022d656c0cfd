/*
 * The strict JSON reader/writer, the time and hex helpers, and the JSON
 * inclusion-proof schema: every rule the decoder enforces has an input that
 * breaks exactly that rule.
 */
#include <stdlib.h>
#include <string.h>

#include "fixture_inclusion.h"
#include "por/hex.h"
#include "util/json.h"
#include "tap.h"

static int parses(const char *text, unsigned depth)
{
    const char *why = NULL;
    json_value *v = json_parse(text, strlen(text), depth, 1000, &why);
    json_free(v);
    return v != NULL;
}

static void test_reader(void)
{
    static const char *const good[] = {
        "{}", "[]", " {\"a\": [1, -2, 3.5e+10, 0, true, false, null, \"x\"]} \n", "\"\\u00e9\\ud83d\\ude00\"",
        "0", "-0", "1E5", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\""};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        ok(parses(good[i], 3), "accepts %s", good[i]);
    static const char *const bad[] = {
        "", " ", "{", "}", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":1 \"b\":2}",
        "{\"a\":1,\"a\":2}", "01", "-", "1.", ".5", "1e", "+1", "0x10", "NaN", "Infinity", "tru",
        "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u00zz\"", "\"\\ud800\"", "\"\\udc00\"",
        "\"\\ud800\\u0041\"", "\"\\u0000\"", "\"a\tb\"", "\"\xc3\"", "\"\xc0\x80\"", "\"\xed\xa0\x80\"",
        "\"\xf4\x90\x80\x80\"", "\"\xff\"", "{} {}", "[] x", "\xef\xbb\xbf{}", "'a'",
        "[[[[1]]]]"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ok(!parses(bad[i], 3), "rejects input %zu: %s", i, bad[i]);
    ok(parses("[[[1]]]", 3) && !parses("[[[1]]]", 2), "the depth limit counts containers");
    const char *why = NULL;
    ok(json_parse("[1,2,3,4]", 9, 3, 4, &why) == NULL && strcmp(why, "too many values") == 0,
       "the value limit holds");
    ok(json_parse("{\"a\":1}", 3, 3, 10, &why) == NULL, "input is bounded by len, not by NUL");
    /* embedded NUL inside the given length */
    ok(json_parse("[1,\0002]", 6, 3, 10, &why) == NULL, "a NUL byte inside the input is rejected");

    const char *obj = "{\"k\\u00e9y\": \"v\\n\", \"n\": 12}";
    json_value *v = json_parse(obj, strlen(obj), 3, 10, &why);
    ok(v != NULL && v->type == JSON_OBJECT && v->count == 2, "object parsed");
    const json_value *k = json_get(v, "k\xc3\xa9y");
    ok(k != NULL && k->type == JSON_STRING && strcmp(k->text, "v\n") == 0 && k->len == 2,
       "escapes decoded in keys and values");
    uint64_t n;
    ok(json_number_u64(json_get(v, "n"), 100, &n) == 0 && n == 12, "number read");
    ok(json_number_u64(json_get(v, "n"), 11, &n) == -1, "number above max rejected");
    ok(json_string_u64(json_get(v, "n"), 100, &n) == -1, "a number is not a string");
    static const char *const keys[] = {"n", "k\xc3\xa9y"}, *const fewer[] = {"n"},
                             *const other[] = {"n", "x"};
    ok(json_expect_keys(v, keys, 2) == 0, "expect_keys: exact set in any order");
    ok(json_expect_keys(v, fewer, 1) == -1, "expect_keys: an extra key is refused");
    ok(json_expect_keys(v, other, 2) == -1, "expect_keys: a missing key is refused");
    json_free(v);

    /* many members: bounded */
    char big[8 * 300 + 16];
    size_t pos = 0;
    big[pos++] = '{';
    for (int i = 0; i < 300; i++)
        pos += (size_t)sprintf(big + pos, "%s\"%03d\":1", i ? "," : "", i);
    big[pos++] = '}';
    ok(json_parse(big, pos, 3, 1000, &why) == NULL, "more than %d members in an object: rejected",
       JSON_MAX_MEMBERS);
}

static void test_numbers(void)
{
    uint64_t v;
    ok(json_parse_u64("18446744073709551615", 20, UINT64_MAX, &v) == 0 && v == UINT64_MAX, "2^64 - 1");
    ok(json_parse_u64("18446744073709551616", 20, UINT64_MAX, &v) == -1, "2^64 overflows");
    ok(json_parse_u64("99999999999999999999", 20, UINT64_MAX, &v) == -1, "20 nines overflow");
    ok(json_parse_u64("0", 1, 0, &v) == 0 && v == 0, "0");
    ok(json_parse_u64("00", 2, 10, &v) == -1, "leading zero");
    ok(json_parse_u64("", 0, 10, &v) == -1, "empty");
    ok(json_parse_u64("-1", 2, 10, &v) == -1, "negative");
    ok(json_parse_u64("1 ", 2, 10, &v) == -1, "trailing space");
    ok(json_parse_u64("1e3", 3, 1000, &v) == -1, "exponent");
}

static void test_writer(void)
{
    json_writer w;
    json_writer_init(&w);
    const char s[] = "q\"b\\n\n\t\x01\x1f\x7f caf\xc3\xa9";
    json_write_string(&w, s, sizeof(s) - 1);
    json_write_raw(&w, " ");
    json_write_u64(&w, 0);
    json_write_raw(&w, " ");
    json_write_u64_string(&w, UINT64_MAX);
    char *out = json_writer_finish(&w);
    ok(out != NULL &&
           strcmp(out, "\"q\\\"b\\\\n\\n\\t\\u0001\\u001f\\u007f caf\xc3\xa9\" 0 \"18446744073709551615\"") == 0,
       "writer escapes quotes, backslashes and control characters: %s", out ? out : "(null)");
    free(out);
    /* and it reads back to the same bytes */
    json_writer_init(&w);
    json_write_string(&w, s, sizeof(s) - 1);
    out = json_writer_finish(&w);
    const char *why;
    json_value *v = json_parse(out, strlen(out), 1, 1, &why);
    ok(v != NULL && v->len == sizeof(s) - 1 && memcmp(v->text, s, v->len) == 0,
       "escaped string reads back to the same bytes");
    json_free(v);
    free(out);
    json_writer_init(&w);
    json_write_string(&w, "\xc3", 1);
    ok(json_writer_finish(&w) == NULL, "writer refuses invalid UTF-8");
    json_writer_init(&w);
    json_write_string(&w, "a\0b", 3);
    ok(json_writer_finish(&w) == NULL, "writer refuses a NUL byte");
}

static void test_time(void)
{
    char buf[28];
    int64_t us;
    ok(json_time_format(1795322320123456LL, buf) == 0 && strcmp(buf, "2026-11-22T04:38:40.123456Z") == 0,
       "format 2026-11-22T04:38:40.123456Z");
    ok(json_time_format(0, buf) == 0 && strcmp(buf, "1970-01-01T00:00:00.000000Z") == 0, "epoch");
    ok(json_time_format(951825600000000LL, buf) == 0 && strcmp(buf, "2000-02-29T12:00:00.000000Z") == 0,
       "leap day 2000");
    ok(json_time_format(253402300799999999LL, buf) == 0 && strcmp(buf, "9999-12-31T23:59:59.999999Z") == 0,
       "last instant of 9999");
    ok(json_time_format(253402300800000000LL, buf) == -1 && json_time_format(-1, buf) == -1,
       "outside 1970..9999 refused");
    ok(json_time_parse("2026-11-22T04:38:40.123456Z", 27, &us) == 0 && us == 1795322320123456LL,
       "parse 2026-11-22T04:38:40.123456Z");
    ok(json_time_parse("2000-02-29T12:00:00.000000Z", 27, &us) == 0 && us == 951825600000000LL,
       "parse leap day");
    static const char *const bad[] = {
        "1900-02-29T00:00:00.000000Z", "2001-02-29T00:00:00.000000Z", "2026-13-01T00:00:00.000000Z",
        "2026-00-01T00:00:00.000000Z", "2026-04-31T00:00:00.000000Z", "2026-01-01T24:00:00.000000Z",
        "2026-01-01T00:60:00.000000Z", "2026-01-01T00:00:60.000000Z", "2026-01-01T00:00:00.00000Z",
        "2026-01-01T00:00:00.000000", "2026-01-01 00:00:00.000000Z", "2026-01-01T00:00:00.000000z",
        "1969-12-31T23:59:59.999999Z", "2026-01-01T00:00:00+00:00Z", "2026-1-01T00:00:00.0000000Z"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ok(json_time_parse(bad[i], strlen(bad[i]), &us) == -1, "time rejected: %s", bad[i]);
    /* round trip over a spread of instants */
    uint64_t seed = 3;
    int rt = 1;
    for (int i = 0; i < 2000; i++) {
        int64_t t = (int64_t)(test_rand_u64(&seed) % 253402300800000000ULL);
        rt &= json_time_format(t, buf) == 0 && json_time_parse(buf, 27, &us) == 0 && us == t;
    }
    ok(rt, "format/parse round trip for 2000 random instants");
}

static void test_hex(void)
{
    uint8_t b[3];
    char h[7];
    por_hex_encode((const uint8_t *)"\x00\xab\xff", 3, h);
    ok(strcmp(h, "00abff") == 0, "hex encode lowercase");
    ok(por_hex_decode("00abff", 6, b, 3) == 0 && memcmp(b, "\x00\xab\xff", 3) == 0, "hex decode");
    ok(por_hex_decode("00ABff", 6, b, 3) == -1, "uppercase hex rejected");
    ok(por_hex_decode("00abf", 5, b, 3) == -1 && por_hex_decode("00abff00", 8, b, 3) == -1,
       "wrong hex length rejected");
    ok(por_hex_decode("00agff", 6, b, 3) == -1, "non-hex digit rejected");
    por_digest d;
    ok(por_digest_from_hex("01000000ffffffff000000000000000000000000000000000000000000000000", 64, &d) == -1,
       "digest hex with a word equal to p rejected");
    ok(por_digest_from_hex("00000000ffffffff000000000000000000000000000000000000000000000000", 64, &d) == 0 &&
           d.e[0] == GL_P - 1,
       "digest hex with a word p - 1 accepted");
}

/* ------------------------------------------------------------------------ */
/* The inclusion-proof JSON schema */

static char *proof_json(const fixture *fx, uint64_t leaf)
{
    por_inclusion p;
    fx_proof(fx, leaf, &p);
    char *text = por_inclusion_to_json(&p);
    por_inclusion_free(&p);
    return text;
}

/* Replaces the first occurrence of `from` in text by `to`; returns a new string. */
static char *replace(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    if (at == NULL)
        return NULL;
    size_t n = strlen(text) - strlen(from) + strlen(to);
    char *out = malloc(n + 1);
    size_t pre = (size_t)(at - text);
    memcpy(out, text, pre);
    strcpy(out + pre, to);
    strcat(out, at + strlen(from));
    return out;
}

static int decodes(const char *text, const char **why)
{
    por_inclusion p;
    *why = "";
    if (por_inclusion_from_json(text, strlen(text), &p, why) != 0)
        return 0;
    por_inclusion_free(&p);
    return 1;
}

static void test_schema(void)
{
    fixture fx;
    fx_init(&fx, 37, 3, 42);
    uint64_t leaf = fx_first_real(&fx);
    char *text = proof_json(&fx, leaf);
    const char *why;
    ok(text != NULL && decodes(text, &why), "the proof's JSON decodes");
    diag("JSON proof: %zu bytes", text ? strlen(text) : 0);
    ok(strstr(text, "\"time\": \"2026-11-22T04:38:40.123456Z\"") != NULL, "time spelled in UTC");
    ok(strstr(text, "\"price_units\": \"91234560000000000\"") != NULL, "prices are strings");

    static const struct {
        const char *from, *to, *what;
    } cases[] = {
        {"\"format\": \"por-inclusion-proof\"", "\"format\": \"por-inclusion\"", "a wrong format name"},
        {"\"version\": 1", "\"version\": 2", "version 2"},
        {"\"version\": 1", "\"version\": \"1\"", "a string version"},
        {"\"version\": 1", "\"version\": 1.0", "version 1.0"},
        {"\"version\": 1,", "", "a missing key"},
        {"\"version\": 1,", "\"version\": 1, \"extra\": 0,", "an unknown key"},
        {"\"version\": 1,", "\"version\": 1, \"version\": 1,", "a duplicate key"},
        {"\"id\": 3", "\"id\": \"3\"", "a string snapshot id"},
        {"\"id\": 3", "\"id\": -3", "a negative snapshot id"},
        {"\"id\": 3", "\"id\": 9223372036854775808", "snapshot id 2^63"},
        {"\"id\": 3", "\"id\": 3, \"id\": 3", "a duplicate key in snapshot"},
        {"2026-11-22T04:38:40.123456Z", "2026-11-22T04:38:40.123456+00:00", "a time with an offset"},
        {"2026-11-22T04:38:40.123456Z", "2026-11-22T04:38:41.123456Z", "another time (digest mismatch)"},
        {"\"balance_bits\": 62", "\"balance_bits\": 63", "balance_bits 63"},
        {"\"balance_bits\": 62", "\"balance_bits\": 4294967358", "balance_bits beyond 32 bits"},
        {"\"balance_bits\": 62", "\"balance_bits\": 61", "balance_bits 61 (digest mismatch)"},
        {"\"price_scale\": 20", "\"price_scale\": 61", "price_scale 61"},
        {"\"batch_log2\": 3", "\"batch_log2\": 4", "a leaf count that is not a multiple of the batch"},
        {"\"leaf_count\": 40", "\"leaf_count\": 48", "another leaf count (digest mismatch)"},
        {"\"leaf_count\": 40", "\"leaf_count\": 72", "a leaf count implying a longer path"},
        {"\"params_digest\": \"", "\"params_digest\": \"0", "a 65-digit digest"},
        {"\"salt\": \"", "\"salt\": \"0", "a 65-digit salt"},
        {"\"leaf_index\": ", "\"leaf_index\": 40", "a leaf index out of range"},
        {"\"id\": \"acct-", "\"id\": \"\\u0000acct-", "a NUL in the account id"},
        {"\"id\": \"acct-", "\"id\": 5, \"x\": \"", "a numeric account id"},
        {"\"symbol\": \"BTC\"", "\"symbol\": \"B C\"", "a symbol with a space"},
        {"\"symbol\": \"BTC\"", "\"symbol\": \"ETH\"", "a duplicate symbol"},
        {"\"symbol\": \"BTC\"", "\"symbol\": \"BT\\u00c7\"", "a non-ASCII symbol"},
        {"\"symbol\": \"BTC\"", "\"symbol\": \"BTCBTCBTCBTCBTCBTCBTCBTCBTCBTCBTC\"", "a 33-byte symbol"},
        {"\"decimals\": 8", "\"decimals\": 31", "31 decimals"},
        {"\"decimals\": 8", "\"decimals\": 9", "another decimals (digest mismatch)"},
        {"\"price_units\": \"91234560000000000\"", "\"price_units\": 91234560000000000", "a numeric price"},
        {"\"price_units\": \"91234560000000000\"", "\"price_units\": \"091234560000000000\"", "a price with a leading zero"},
        {"\"price_units\": \"91234560000000000\"", "\"price_units\": \"9223372036854775808\"", "price 2^63"},
        {"\"price_units\": \"91234560000000000\"", "\"price_units\": \"91234560000000001\"", "another price (digest mismatch)"},
        {"\"haircut\": 90", "\"haircut\": 101", "haircut 101"},
        {"\"equity\": \"", "\"equity\": \"-", "a negative equity"},
        {"\"equity\": \"", "\"equity\": \"4611686018427387904", "an equity above 2^64"},
        {"\"debt\": \"0\"", "\"debt\": \"4611686018427387904\"", "a debt of exactly 2^62"},
        {"\"equity\": \"", "\"equity\": \" ", "a space in an equity string"},
        {"\"debt\": \"", "\"debt\": \"+", "a debt with a plus sign"},
        {"\"path\": [", "\"path\": [\"", "a malformed path"},
        {"\"path\": [\n    \"", "\"path\": [\n    \"00000000000000000000000000000000000000000000000000000000000000000\", \"", "a path one too long"},
        {"\"root\": \"", "\"root\": \"f", "a 65-digit root"},
        {"\"root\": \"", "\"root\": [\"", "a root in an array"},
        {"\n}\n", "\n}\n{}", "trailing garbage"},
        {"\n}\n", "\n}\n,", "a trailing comma"},
        {"\"assets\": [", "\"assets\": [[", "nesting deeper than the schema"},
        {"\"account\": {", "\"account\": {\"z\": {\"y\": {}}, ", "deep nesting in an object"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *bad = replace(text, cases[i].from, cases[i].to);
        if (bad == NULL) {
            ok(0, "test input for %s not found", cases[i].what);
            continue;
        }
        int accepted = decodes(bad, &why);
        ok(!accepted, "JSON decode rejects %s (%s)", cases[i].what, why);
        free(bad);
    }

    /* uppercase hex anywhere is refused; a changed hex digit fails decode or verify */
    const char *root_at = strstr(text, "\"root\": \"") + 9;
    char *upper = strdup(text);
    size_t r = (size_t)(root_at - text);
    for (size_t i = r; i < r + 64; i++)
        if (upper[i] >= 'a' && upper[i] <= 'f') {
            upper[i] = (char)(upper[i] - 32);
            break;
        }
    int accepted = decodes(upper, &why);
    ok(!accepted, "uppercase hex is rejected (%s)", why);
    free(upper);

    char *wrong_digest = strdup(text);
    char *dg = strstr(wrong_digest, "\"params_digest\": \"") + 18;
    dg[0] = dg[0] == '0' ? '1' : '0';
    accepted = decodes(wrong_digest, &why);
    ok(!accepted &&
           strcmp(why, "snapshot.params_digest does not match the snapshot parameters") == 0,
       "a params_digest that does not match the parameters is rejected");
    free(wrong_digest);

    /* keys in another order and extra whitespace: same content */
    char *reordered = replace(text, "\"format\": \"por-inclusion-proof\",\n  \"version\": 1,",
                              "\"version\" :1 ,\t\"format\":\"por-inclusion-proof\",");
    por_inclusion a, b;
    ok(reordered != NULL && por_inclusion_from_json(reordered, strlen(reordered), &a, &why) == 0 &&
           por_inclusion_from_json(text, strlen(text), &b, &why) == 0,
       "member order and whitespace are free");
    size_t la, lb;
    uint8_t *ba = por_inclusion_encode(&a, &la), *bb = por_inclusion_encode(&b, &lb);
    ok(ba && bb && la == lb && memcmp(ba, bb, la) == 0, "and give the same content");
    free(ba);
    free(bb);
    por_inclusion_free(&a);
    por_inclusion_free(&b);
    free(reordered);

    ok(!decodes("", &why) && !decodes("null", &why) && !decodes("[]", &why) && !decodes("{}", &why),
       "empty, null, [] and {} are not proofs");
    free(text);

    /* an account id that needs escaping survives the round trip */
    por_inclusion p, q;
    fx_proof(&fx, leaf, &p);
    static const char tricky[] = "a\"b\\c\nd\x01 \xe2\x82\xac \xf0\x9f\x98\x80</script>";
    memcpy(p.account_id, tricky, sizeof(tricky) - 1);
    p.account_id_len = sizeof(tricky) - 1;
    text = por_inclusion_to_json(&p);
    ok(text != NULL && por_inclusion_from_json(text, strlen(text), &q, &why) == 0 &&
           q.account_id_len == p.account_id_len && memcmp(q.account_id, tricky, q.account_id_len) == 0,
       "an account id with quotes, backslash, control characters and non-ASCII round-trips");
    ok(por_inclusion_verify(&q, fx_root(&fx), &why) == -1, "(and, being another id, fails to verify)");
    free(text);
    por_inclusion_free(&q);
    por_inclusion_free(&p);

    /* a size cap */
    size_t huge = (1u << 20) + 1;
    char *big = malloc(huge);
    memset(big, ' ', huge);
    ok(por_inclusion_from_json(big, huge, &q, &why) == -1, "JSON above 1 MiB is refused (%s)", why);
    free(big);
    fx_free(&fx);
}

int main(void)
{
    test_reader();
    test_numbers();
    test_writer();
    test_time();
    test_hex();
    test_schema();
    return done_testing();
}
