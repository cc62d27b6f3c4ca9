/*
 * timefmt.c — RFC 3339 text ↔ Unix milliseconds (timefmt.h), on the proleptic Gregorian
 * calendar with H. Hinnant's civil-date algorithms: no libc time functions, no time zone
 * state, so every program turns a given time into the same text and back.
 *
 * The parser reads with an index that never passes len, so s need not be NUL-terminated;
 * it checks the syntax first, then the ranges, then the epoch.
 */
#include <stdbool.h>
#include <string.h>

#include "yc/timefmt.h"

/* ---- formatting ---- */

/* Days since 1970-01-01 to a civil date (proleptic Gregorian; H. Hinnant's algorithm). */
static void civil(uint64_t days, unsigned *y, unsigned *m, unsigned *d)
{
    uint64_t z = days + 719468;
    uint64_t era = z / 146097;
    uint64_t doe = z - era * 146097;
    uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint64_t mp = (5 * doy + 2) / 153;
    uint64_t dd = doy - (153 * mp + 2) / 5 + 1;
    uint64_t mm = mp < 10 ? mp + 3 : mp - 9;
    uint64_t yy = yoe + era * 400 + (mm <= 2 ? 1 : 0);
    *y = (unsigned)yy;
    *m = (unsigned)mm;
    *d = (unsigned)dd;
}

/* v as exactly n decimal digits at p (v < 10^n). */
static void put_digits(char *p, unsigned v, unsigned n)
{
    while (n-- > 0) {
        p[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

void yc_time_rfc3339(char out[32], uint64_t ms)
{
    /* 253402300799999 = 9999-12-31T23:59:59.999Z */
    if (ms > 253402300799999ull) {
        ms = 253402300799999ull;
    }
    uint64_t s = ms / 1000;
    unsigned y, mo, d;
    civil(s / 86400, &y, &mo, &d);
    unsigned sod = (unsigned)(s % 86400);
    /* "YYYY-MM-DDThh:mm:ss.sssZ", written digit by digit (export formats millions: this
     * is a tenth of the work of snprintf); y <= 9999 after the clamp above */
    memcpy(out, "0000-00-00T00:00:00.000Z", 25);
    put_digits(out, y, 4);
    put_digits(out + 5, mo, 2);
    put_digits(out + 8, d, 2);
    put_digits(out + 11, sod / 3600, 2);
    put_digits(out + 14, sod / 60 % 60, 2);
    put_digits(out + 17, sod % 60, 2);
    put_digits(out + 20, (unsigned)(ms % 1000), 3);
}

/* ---- parsing ---- */

/* Days from 1970-01-01 to a civil date y-m-d (H. Hinnant's days_from_civil); y >= 0. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2 ? 1 : 0;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool is_leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days of month m (1..12) of year y. */
static unsigned month_days(unsigned y, unsigned m)
{
    static const unsigned char DAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return DAYS[m - 1] + (m == 2 && is_leap(y) ? 1u : 0u);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Exactly n decimal digits at s[*i..len) into *out; advances *i past them. */
static bool digits(const char *s, size_t len, size_t *i, size_t n, unsigned *out)
{
    unsigned v = 0;

    if (len - *i < n) {
        return false;
    }
    for (size_t k = 0; k < n; k++) {
        char c = s[*i + k];
        if (!is_digit(c)) {
            return false;
        }
        v = v * 10 + (unsigned)(c - '0');
    }
    *i += n;
    *out = v;
    return true;
}

/* The character c at s[*i]; advances *i past it. */
static bool lit(const char *s, size_t len, size_t *i, char c)
{
    if (*i >= len || s[*i] != c) {
        return false;
    }
    (*i)++;
    return true;
}

int yc_time_parse_rfc3339(const char *s, size_t len, unsigned flags, uint64_t *out_ms)
{
    unsigned y, mo, d, h, mi, se, frac = 0;
    int64_t offset_min = 0;
    size_t i = 0;

    if (out_ms != NULL) {
        *out_ms = 0;
    }
    if (out_ms == NULL || (s == NULL && len > 0) ||
        (flags & ~(YC_TIME_SPACE | YC_TIME_FROM_1970)) != 0) {
        return YC_EINVAL;
    }
    /* syntax */
    if (!digits(s, len, &i, 4, &y) || !lit(s, len, &i, '-') || !digits(s, len, &i, 2, &mo) ||
        !lit(s, len, &i, '-') || !digits(s, len, &i, 2, &d)) {
        return YC_EBADFIELD;
    }
    if (i >= len ||
        (s[i] != 'T' && s[i] != 't' && !(s[i] == ' ' && (flags & YC_TIME_SPACE) != 0))) {
        return YC_EBADFIELD;
    }
    i++;
    if (!digits(s, len, &i, 2, &h) || !lit(s, len, &i, ':') || !digits(s, len, &i, 2, &mi) ||
        !lit(s, len, &i, ':') || !digits(s, len, &i, 2, &se)) {
        return YC_EBADFIELD;
    }
    if (lit(s, len, &i, '.')) {
        size_t start = i;
        for (; i < len && is_digit(s[i]); i++) {
            if (i - start < 3) {
                frac = frac * 10 + (unsigned)(s[i] - '0');
            }
        }
        if (i == start) {
            return YC_EBADFIELD;
        }
        for (size_t n = i - start; n < 3; n++) {
            frac *= 10;
        }
    }
    if (lit(s, len, &i, 'Z') || lit(s, len, &i, 'z')) {
        offset_min = 0;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        int64_t sign = s[i] == '-' ? -1 : 1;
        unsigned oh, om;
        i++;
        if (!digits(s, len, &i, 2, &oh) || !lit(s, len, &i, ':') || !digits(s, len, &i, 2, &om) ||
            oh > 23 || om > 59) {
            return YC_EBADFIELD;
        }
        offset_min = sign * (int64_t)(oh * 60 + om);
    } else {
        return YC_EBADFIELD;
    }
    if (i != len) {
        return YC_EBADFIELD;
    }
    /* ranges */
    if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 || se > 59) {
        return YC_EBADFIELD;
    }
    if ((flags & YC_TIME_FROM_1970) != 0 && y < 1970) {
        return YC_EBADFIELD;
    }
    /* the epoch */
    int64_t secs = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 +
                   (int64_t)se - offset_min * 60;
    if (secs < 0) {
        return YC_EBADFIELD;
    }
    *out_ms = (uint64_t)secs * 1000 + frac;
    return YC_OK;
}
