/*
 * timefmt.h — block time as text. Pure: the one RFC 3339 formatter that core renders with
 * and the CLIs reuse, so every program prints a given block time identically.
 */
#ifndef YC_TIMEFMT_H
#define YC_TIMEFMT_H

#include <stdint.h>

/*
 * Formats Unix milliseconds as RFC 3339 UTC with milliseconds ("2026-11-28T01:02:03.456Z")
 * into out (at least 32 bytes, NUL-terminated). Years past 9999 are clamped to
 * 9999-12-31T23:59:59.999Z.
 */
void yc_time_rfc3339(char out[32], uint64_t ms);

#endif
