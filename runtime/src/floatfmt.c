/* Python-compatible float formatting: f"{v:.Nf}", f"{v:.Ne}" and repr(float). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* snprintf uses the locale's decimal point; Python always writes '.'. */
static void fix_decimal_point(char *buf) {
    for (char *p = buf; *p; p++)
        if (*p == ',') *p = '.';
}

static int fmt_nonfinite(char *buf, size_t bufsize, double v) {
    const char *text = isnan(v) ? "nan" : (v < 0 ? "-inf" : "inf");
    return snprintf(buf, bufsize, "%s", text);
}

int tgc__fmt_fixed(char *buf, size_t bufsize, double v, int precision) {
    if (!isfinite(v)) return fmt_nonfinite(buf, bufsize, v);
    if (precision < 0) precision = 0;
    if (precision > 60) precision = 60;
    int n = snprintf(buf, bufsize, "%.*f", precision, v);
    fix_decimal_point(buf);
    return n;
}

int tgc__fmt_sci(char *buf, size_t bufsize, double v, int precision) {
    if (!isfinite(v)) return fmt_nonfinite(buf, bufsize, v);
    if (precision < 0) precision = 0;
    if (precision > 60) precision = 60;
    int n = snprintf(buf, bufsize, "%.*e", precision, v);
    fix_decimal_point(buf);
    return n;
}

void tgc_str_append_fixed(tgc_str *s, double v, int precision) {
    char buf[TGC__NUMBUF];
    int n = tgc__fmt_fixed(buf, sizeof buf, v, precision);
    if (n >= (int)sizeof buf) {
        /* Huge values (up to ~1e308 digits before the point) need a bigger buffer. */
        char *big = malloc((size_t)n + 1);
        if (big == NULL) tgc_fatal("out of memory");
        tgc__fmt_fixed(big, (size_t)n + 1, v, precision);
        tgc__str_append_n(s, big, (size_t)n);
        free(big);
        return;
    }
    tgc__str_append_n(s, buf, (size_t)n);
}

/* Decimal digits d (no leading/trailing zeros) with value 0.d * 10^decpt. */
typedef struct { char digits[24]; int ndigits; int decpt; } decimal;

/* Parses the mantissa digits and exponent of "%.*e" output of a positive value. */
static void parse_sci(const char *text, decimal *d) {
    d->ndigits = 0;
    const char *p = text;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9') d->digits[d->ndigits++] = *p;
    int exp10 = *p == 'e' ? atoi(p + 1) : 0;
    d->decpt = exp10 + 1;
    while (d->ndigits > 1 && d->digits[d->ndigits - 1] == '0') d->ndigits--;
    d->digits[d->ndigits] = '\0';
}

/* Does the decimal number digits * 10^exp10 (digits an integer string) read back as v?
   Written without a decimal point, strtod is locale-independent. */
static int round_trips(const char *digits, int exp10, double v) {
    char buf[64];
    snprintf(buf, sizeof buf, "%se%d", digits, exp10);
    return strtod(buf, NULL) == v;
}

/* Shortest digits that round-trip, the nearest to v among those (like Python's dtoa mode 0). */
static void shortest_digits(double v, decimal *d) {
    char buf[64];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
        fix_decimal_point(buf);
        /* mantissa as an integer string with prec digits and its power of ten */
        char mant[24];
        int m = 0;
        const char *p = buf;
        for (; *p && *p != 'e'; p++)
            if (*p >= '0' && *p <= '9') mant[m++] = *p;
        mant[m] = '\0';
        int exp10 = atoi(p + 1) - (prec - 1);
        if (round_trips(mant, exp10, v)) {
            parse_sci(buf, d);
            return;
        }
        /* Near a power of two the rounding interval is lopsided: the correctly rounded
           candidate may miss while its neighbour one unit up or down still reads back. */
        unsigned long long mi = strtoull(mant, NULL, 10);
        for (int dir = -1; dir <= 1; dir += 2) {
            unsigned long long cand = dir < 0 ? mi - 1 : mi + 1;
            char cbuf[32];
            snprintf(cbuf, sizeof cbuf, "%llu", cand);
            if (round_trips(cbuf, exp10, v)) {
                char sci[64];
                snprintf(sci, sizeof sci, "%se%d", cbuf, exp10 + (int)strlen(cbuf) - 1);
                parse_sci(sci, d);
                return;
            }
        }
    }
    snprintf(buf, sizeof buf, "%.16e", v);
    fix_decimal_point(buf);
    parse_sci(buf, d);
}

void tgc_str_append_float_repr(tgc_str *s, double v) {
    if (isnan(v)) {
        tgc_str_append(s, "nan");
        return;
    }
    if (isinf(v)) {
        tgc_str_append(s, v < 0 ? "-inf" : "inf");
        return;
    }
    if (signbit(v)) tgc_str_append(s, "-");
    v = fabs(v);
    if (v == 0.0) {
        tgc_str_append(s, "0.0");
        return;
    }
    decimal d;
    shortest_digits(v, &d);
    if (d.decpt <= -4 || d.decpt > 16) {
        /* d.ddd e+XX */
        tgc__str_append_n(s, d.digits, 1);
        if (d.ndigits > 1) {
            tgc_str_append(s, ".");
            tgc__str_append_n(s, d.digits + 1, (size_t)d.ndigits - 1);
        }
        char ebuf[16];
        int exp10 = d.decpt - 1;
        snprintf(ebuf, sizeof ebuf, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
        tgc_str_append(s, ebuf);
    } else if (d.decpt <= 0) {
        tgc_str_append(s, "0.");
        tgc__str_append_repeat(s, '0', (size_t)-d.decpt);
        tgc__str_append_n(s, d.digits, (size_t)d.ndigits);
    } else if (d.decpt >= d.ndigits) {
        tgc__str_append_n(s, d.digits, (size_t)d.ndigits);
        tgc__str_append_repeat(s, '0', (size_t)(d.decpt - d.ndigits));
        tgc_str_append(s, ".0");
    } else {
        tgc__str_append_n(s, d.digits, (size_t)d.decpt);
        tgc_str_append(s, ".");
        tgc__str_append_n(s, d.digits + d.decpt, (size_t)(d.ndigits - d.decpt));
    }
}
