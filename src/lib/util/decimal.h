/*
 * Exact decimal <-> integer-unit conversion for balances and prices.  Inputs
 * are plain decimal strings as PostgreSQL's numeric_out writes them
 * ("-12.3400", "0", no exponent); nothing goes through floating point.
 */
#ifndef POR_DECIMAL_H
#define POR_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    POR_DECIMAL_OK = 0,
    POR_DECIMAL_SYNTAX,            /* not a finite plain decimal */
    POR_DECIMAL_NEGATIVE,          /* below zero */
    POR_DECIMAL_TOO_MANY_DECIMALS, /* non-zero digits beyond the allowed fraction */
    POR_DECIMAL_OVERFLOW           /* value * 10^decimals >= limit */
} por_decimal_status;

/* value * 10^decimals as an exact integer below limit. */
por_decimal_status por_decimal_to_units(const char *text, unsigned decimals, uint64_t limit, uint64_t *out);

/* Fraction digits up to the last non-zero one ("1.2500" -> 2); -1 if not a plain decimal. */
int por_decimal_fraction_digits(const char *text);

/* units / 10^decimals written exactly ("150000000", 8 -> "1.50000000"); buf >= 72 bytes. */
void por_units_to_decimal(unsigned __int128 units, unsigned decimals, char *buf, size_t buf_size);

#endif
