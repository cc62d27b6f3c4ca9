/*
 * timefmt.h — block time as text. Pure: the one RFC 3339 formatter that core renders with
 * and the CLIs reuse, so every program prints a given block time identically, and the one
 * RFC 3339 parser that the CLIs (TIME arguments) and genesis.json (genesis_time) read
 * times with.
 *
 * Thread-safety: both functions are reentrant; no state, no clock, no allocation.
 */
#ifndef YC_TIMEFMT_H
#define YC_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "yc/err.h"

/*
 * Formats Unix milliseconds as RFC 3339 UTC with milliseconds ("2026-11-28T01:02:03.456Z")
 * into out (at least 32 bytes, NUL-terminated). Years past 9999 are clamped to
 * 9999-12-31T23:59:59.999Z.
 */
void yc_time_rfc3339(char out[32], uint64_t ms);

/*
 * What yc_time_parse_rfc3339 reads: an RFC 3339 §5.6 date-time (ABNF, RFC 5234), on the
 * proleptic Gregorian calendar, as a whole string:
 *
 *   date-time = full-date sep partial-time offset
 *   full-date = 4DIGIT "-" 2DIGIT "-" 2DIGIT          ; year 0000-9999, month 01-12,
 *                                                     ; day 01 to the month's last
 *   sep       = "T" / "t" / " "                       ; " " only with YC_TIME_SPACE
 *   partial-time = 2DIGIT ":" 2DIGIT ":" 2DIGIT [frac] ; 00-23 : 00-59 : 00-59
 *   frac      = "." 1*DIGIT                           ; digits past milliseconds are
 *                                                     ; dropped (truncated, not rounded)
 *   offset    = "Z" / "z" / ("+" / "-") 2DIGIT ":" 2DIGIT ; hours 00-23, minutes 00-59
 *
 * February has 29 days in leap years (divisible by 4, and by 400 if by 100), else 28. A
 * leap second (second 60) is refused. The instant (local time minus the offset) must not
 * be before 1970-01-01T00:00:00Z; with YC_TIME_FROM_1970 the written year must also be
 * 1970 or later, whatever the offset. This is the union of what the CLIs and
 * genesis.json accept: the CLIs pass both flags, genesis.json neither.
 */
#define YC_TIME_SPACE 0x1u     /* a space may separate date and time (RFC 3339 §5.6, NOTE) */
#define YC_TIME_FROM_1970 0x2u /* the year written is at least 1970 */

/*
 * Parses s[0..len) (need not be NUL-terminated; a NUL inside is just a wrong character)
 * as the date-time above, with `flags` (YC_TIME_*, or 0).
 * Returns YC_OK; YC_EBADFIELD if s is not such a date-time, names no such day or time,
 * or is before the epoch; YC_EINVAL if out_ms is NULL, s is NULL with len > 0, or flags
 * holds an unknown bit.
 * Out: *out_ms (if not NULL) is the Unix time in milliseconds on success, 0 on failure.
 */
YC_WUR int yc_time_parse_rfc3339(const char *s, size_t len, unsigned flags, uint64_t *out_ms);

#endif
