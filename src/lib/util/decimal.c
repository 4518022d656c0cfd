/* Exact decimal conversions (see decimal.h). */
#include "util/decimal.h"

#include <string.h>

/* Splits "[-]digits[.digits]" into its parts; returns -1 on anything else. */
static int split_decimal(const char *text, int *negative, const char **int_part, size_t *int_len,
                         const char **frac_part, size_t *frac_len)
{
    const char *p = text;
    *negative = 0;
    if (*p == '-' || *p == '+') {
        *negative = *p == '-';
        p++;
    }
    *int_part = p;
    while (*p >= '0' && *p <= '9')
        p++;
    *int_len = (size_t)(p - *int_part);
    *frac_part = p;
    *frac_len = 0;
    if (*p == '.') {
        p++;
        *frac_part = p;
        while (*p >= '0' && *p <= '9')
            p++;
        *frac_len = (size_t)(p - *frac_part);
    }
    if (*p != '\0' || *int_len + *frac_len == 0)
        return -1;
    return 0;
}

por_decimal_status por_decimal_to_units(const char *text, unsigned decimals, uint64_t limit, uint64_t *out)
{
    int negative;
    const char *ip, *fp;
    size_t il, fl;
    unsigned __int128 v = 0;
    int nonzero = 0;
    if (split_decimal(text, &negative, &ip, &il, &fp, &fl) != 0)
        return POR_DECIMAL_SYNTAX;
    for (size_t i = decimals; i < fl; i++)
        if (fp[i] != '0')
            return POR_DECIMAL_TOO_MANY_DECIMALS;
    /* integer digits, then exactly `decimals` fraction digits (zero-filled) */
    for (size_t i = 0; i < il + decimals; i++) {
        int digit = i < il ? ip[i] - '0' : (i - il < fl ? fp[i - il] - '0' : 0);
        nonzero |= digit;
        v = v * 10 + (unsigned)digit;
        if (v >= limit && !(negative && !nonzero))
            return negative ? POR_DECIMAL_NEGATIVE : POR_DECIMAL_OVERFLOW;
    }
    if (negative && nonzero)
        return POR_DECIMAL_NEGATIVE;
    if (v >= limit)
        return POR_DECIMAL_OVERFLOW;
    *out = (uint64_t)v;
    return POR_DECIMAL_OK;
}

int por_decimal_fraction_digits(const char *text)
{
    int negative;
    const char *ip, *fp;
    size_t il, fl;
    if (split_decimal(text, &negative, &ip, &il, &fp, &fl) != 0)
        return -1;
    while (fl > 0 && fp[fl - 1] == '0')
        fl--;
    return (int)fl;
}

void por_units_to_decimal(unsigned __int128 units, unsigned decimals, char *buf, size_t buf_size)
{
    char digits[80];
    size_t n = 0, pos = 0;
    do {
        digits[n++] = (char)('0' + (int)(units % 10));
        units /= 10;
    } while (units && n < sizeof(digits));
    while (n <= decimals && n < sizeof(digits))
        digits[n++] = '0';
    /* digits holds the number reversed, with at least one integer digit */
    for (size_t i = n; i-- > 0;) {
        if (pos + 2 >= buf_size)
            break;
        buf[pos++] = digits[i];
        if (i == decimals && decimals > 0)
            buf[pos++] = '.';
    }
    buf[pos] = '\0';
}
