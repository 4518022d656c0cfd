/* Exact decimal conversions: balances and prices never go through floating point. */
#include "util/decimal.h"
#include "tap.h"

static void units_ok(const char *text, unsigned decimals, uint64_t limit, por_decimal_status want_status,
                     uint64_t want)
{
    uint64_t got = 0xdeadbeef;
    por_decimal_status st = por_decimal_to_units(text, decimals, limit, &got);
    ok(st == want_status, "\"%s\" at %u decimals: status %d", text, decimals, (int)want_status);
    if (want_status == POR_DECIMAL_OK)
        is_u64(got, want, "\"%s\" at %u decimals = %llu units", text, decimals, (unsigned long long)want);
}

int main(void)
{
    const uint64_t b62 = 1ULL << 62;
    units_ok("1.5", 8, b62, POR_DECIMAL_OK, 150000000);
    units_ok("0", 0, b62, POR_DECIMAL_OK, 0);
    units_ok("0.00000001", 8, b62, POR_DECIMAL_OK, 1);
    units_ok("123.45000", 2, b62, POR_DECIMAL_OK, 12345);      /* trailing zeros beyond the scale are fine */
    units_ok("2.000000000000000001", 18, b62, POR_DECIMAL_OK, 2000000000000000001ULL);
    units_ok("-0.000", 3, b62, POR_DECIMAL_OK, 0);              /* negative zero is zero */
    units_ok("+7", 0, b62, POR_DECIMAL_OK, 7);
    units_ok("46116860184.27387903", 8, b62, POR_DECIMAL_OK, b62 - 1); /* 2^62 - 1: the largest */
    units_ok("46116860184.27387904", 8, b62, POR_DECIMAL_OVERFLOW, 0); /* 2^62 */
    units_ok("99999999999999999999999999999999", 0, b62, POR_DECIMAL_OVERFLOW, 0);
    units_ok("1023", 0, 1024, POR_DECIMAL_OK, 1023);
    units_ok("1024", 0, 1024, POR_DECIMAL_OVERFLOW, 0);
    units_ok("-1", 0, b62, POR_DECIMAL_NEGATIVE, 0);
    units_ok("-0.00000001", 8, b62, POR_DECIMAL_NEGATIVE, 0);
    units_ok("-99999999999999999999999", 0, b62, POR_DECIMAL_NEGATIVE, 0);
    units_ok("0.000000001", 8, b62, POR_DECIMAL_TOO_MANY_DECIMALS, 0);
    units_ok("1.5", 0, b62, POR_DECIMAL_TOO_MANY_DECIMALS, 0);
    units_ok("", 0, b62, POR_DECIMAL_SYNTAX, 0);
    units_ok("-", 0, b62, POR_DECIMAL_SYNTAX, 0);
    units_ok(".", 0, b62, POR_DECIMAL_SYNTAX, 0);
    units_ok("NaN", 0, b62, POR_DECIMAL_SYNTAX, 0);
    units_ok("Infinity", 0, b62, POR_DECIMAL_SYNTAX, 0);
    units_ok("1e5", 0, b62, POR_DECIMAL_SYNTAX, 0);
    units_ok("1.2.3", 0, b62, POR_DECIMAL_SYNTAX, 0);
    units_ok(" 1", 0, b62, POR_DECIMAL_SYNTAX, 0);

    ok(por_decimal_fraction_digits("1.2500") == 2, "fraction digits ignore trailing zeros");
    ok(por_decimal_fraction_digits("65000.25") == 2, "fraction digits of a price");
    ok(por_decimal_fraction_digits("7") == 0, "an integer has no fraction digits");
    ok(por_decimal_fraction_digits("abc") == -1, "fraction digits of garbage is -1");

    {
        char buf[80];
        por_units_to_decimal(150000000, 8, buf, sizeof(buf));
        ok(strcmp(buf, "1.50000000") == 0, "150000000 units at 8 decimals = 1.50000000 (%s)", buf);
        por_units_to_decimal(5, 8, buf, sizeof(buf));
        ok(strcmp(buf, "0.00000005") == 0, "5 units at 8 decimals = 0.00000005 (%s)", buf);
        por_units_to_decimal(12, 0, buf, sizeof(buf));
        ok(strcmp(buf, "12") == 0, "12 units at 0 decimals = 12 (%s)", buf);
        por_units_to_decimal((unsigned __int128)UINT64_MAX * 1000, 18, buf, sizeof(buf));
        ok(strcmp(buf, "18446.744073709551615000") == 0, "128-bit value renders exactly (%s)", buf);
    }
    /* round trip on pseudo-random values and scales */
    {
        uint64_t seed = 42;
        int all = 1;
        for (int i = 0; i < 10000; i++) {
            uint64_t v = test_rand_u64(&seed) >> 2;
            unsigned d = (unsigned)(test_rand_u64(&seed) % 31);
            char buf[80];
            uint64_t back;
            por_units_to_decimal(v, d, buf, sizeof(buf));
            if (por_decimal_to_units(buf, d, b62, &back) != POR_DECIMAL_OK || back != v)
                all = 0;
        }
        ok(all, "units -> decimal -> units round trips for 10000 random values and scales");
    }
    return done_testing();
}
