/*
 * test_timefmt.c — the RFC 3339 parser of timefmt.h (and its round trip with the
 * formatter): every form of the grammar accepted with and without the flags, every day
 * of 1970..2400 against a naive day count (leap years, month ends), offsets across the
 * epoch and the day, refusals of malformed text, and caller mistakes. Random round trips
 * print their seed; YC_SEED=<n> replays one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "helper_codec.h"
#include "yc/err.h"
#include "yc/timefmt.h"

#define BOTH (YC_TIME_SPACE | YC_TIME_FROM_1970)

static int parse(const char *s, unsigned flags, uint64_t *ms)
{
    return yc_time_parse_rfc3339(s, strlen(s), flags, ms);
}

/* s parses to want under `flags`, and with YC_TIME_SPACE added (it only widens). */
static void expect_ok(const char *s, unsigned flags, uint64_t want)
{
    const unsigned fs[2] = {flags, flags | YC_TIME_SPACE};
    for (size_t i = 0; i < 2; i++) {
        uint64_t got = 1;
        int rc = parse(s, fs[i], &got);
        if (rc != YC_OK || got != want) {
            print_error("\"%s\" flags %u: rc %d, %llu ms (want %llu)\n", s, fs[i], rc,
                        (unsigned long long)got, (unsigned long long)want);
            fail();
        }
    }
}

/* s parses to want with and without either flag (a year from 1970, "T" or "t"). */
static void expect_all(const char *s, uint64_t want)
{
    expect_ok(s, 0, want);
    expect_ok(s, YC_TIME_FROM_1970, want);
}

/* s is refused (YC_EBADFIELD, *ms 0) under `flags`. */
static void expect_bad(const char *s, unsigned flags)
{
    uint64_t got = 1;
    int rc = parse(s, flags, &got);
    if (rc != YC_EBADFIELD || got != 0) {
        print_error("\"%s\" flags %u: rc %d, %llu ms (want bad_field, 0)\n", s, flags, rc,
                    (unsigned long long)got);
        fail();
    }
}

static void test_accepted_forms(void **state)
{
    (void)state;
    expect_all("1970-01-01T00:00:00Z", 0);
    expect_all("2026-11-28T01:02:03Z", 1795827723000u);
    expect_all("2026-11-28T01:02:03.456Z", 1795827723456u);
    expect_all("2026-11-28t01:02:03.456z", 1795827723456u);
    /* fractions: one digit is tenths, digits past milliseconds are truncated */
    expect_all("2026-11-28T01:02:03.4Z", 1795827723400u);
    expect_all("2026-11-28T01:02:03.45Z", 1795827723450u);
    expect_all("2026-11-28T01:02:03.4569Z", 1795827723456u);
    expect_all("2026-11-28T01:02:03.999999999999999999999Z", 1795827723999u);
    expect_all("2026-11-28T01:02:03.000Z", 1795827723000u);
    /* the space separator (RFC 3339 §5.6 NOTE) only when asked for */
    expect_ok("2026-11-28 01:02:03.456Z", YC_TIME_SPACE, 1795827723456u);
    expect_bad("2026-11-28 01:02:03.456Z", 0);
    expect_bad("2026-11-28 01:02:03.456Z", YC_TIME_FROM_1970);
    /* the last representable instant */
    expect_all("9999-12-31T23:59:59.999Z", 253402300799999u);
    expect_all("9999-12-31T23:59:59.999-23:59", 253402300799999u + 86340000u);
    /* a genesis time as written in genesis.json */
    expect_all("2026-01-02T03:04:05.678Z", 1767323045678u);
}

static void test_offsets(void **state)
{
    (void)state;
    expect_all("2026-11-28T09:02:03.456+08:00", 1795827723456u);
    expect_all("2026-11-27T20:02:03.456-05:00", 1795827723456u);
    expect_all("2026-11-28T01:02:03.456+00:00", 1795827723456u);
    expect_all("2026-11-28T01:02:03.456-00:00", 1795827723456u);
    expect_all("2026-11-28T01:02:03+05:30", 1795827723000u - 19800000u);
    expect_all("2026-11-28T23:59:00-23:59", 1795910340000u + 86340000u);
    expect_all("2026-11-28T00:00:00+23:59", 1795824000000u - 86340000u);
    /* an offset may carry the instant across the year and the epoch */
    expect_all("2027-01-01T07:59:59+08:00", 1798761599000u);
    expect_ok("1969-12-31T23:00:00-01:00", 0, 0);
    expect_ok("1969-12-31T16:00:00.001-08:00", 0, 1);
    expect_bad("1969-12-31T23:00:00-01:00", YC_TIME_FROM_1970); /* year 1969 written */
    expect_bad("1969-12-31T23:00:00-01:00", BOTH);
    expect_bad("1970-01-01T00:00:00+00:01", 0); /* before the epoch */
    expect_bad("1970-01-01T07:59:59.999+08:00", 0);
    expect_ok("1970-01-01T08:00:00+08:00", BOTH, 0);
    /* offset shape and range */
    expect_bad("2026-11-28T01:02:03+24:00", 0);
    expect_bad("2026-11-28T01:02:03+23:60", 0);
    expect_bad("2026-11-28T01:02:03+0800", 0);
    expect_bad("2026-11-28T01:02:03+08", 0);
    expect_bad("2026-11-28T01:02:03+8:00", 0);
    expect_bad("2026-11-28T01:02:03+08:0", 0);
    expect_bad("2026-11-28T01:02:03+08:00:00", 0);
    expect_bad("2026-11-28T01:02:03 +08:00", BOTH);
    expect_bad("2026-11-28T01:02:03Z+08:00", 0);
    expect_bad("2026-11-28T01:02:03UTC", 0);
}

/* Days in month m of year y, counted the long way. */
static unsigned naive_month_days(unsigned y, unsigned m)
{
    if (m == 2) {
        bool leap = y % 400 == 0 || (y % 4 == 0 && y % 100 != 0);
        return leap ? 29 : 28;
    }
    return m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31;
}

/* Every day from 1970-01-01 to 2400-12-31 is its day count since the epoch; the day after
 * each month's last is refused. */
static void test_every_day_1970_to_2400(void **state)
{
    (void)state;
    uint64_t day = 0;
    char s[40];
    uint64_t got;

    for (unsigned y = 1970; y <= 2400; y++) {
        for (unsigned m = 1; m <= 12; m++) {
            unsigned last = naive_month_days(y, m);
            for (unsigned d = 1; d <= last; d++, day++) {
                snprintf(s, sizeof s, "%04u-%02u-%02uT12:00:00Z", y, m, d);
                assert_int_equal(parse(s, BOTH, &got), YC_OK);
                assert_int_equal(got, day * 86400000u + 43200000u);
            }
            snprintf(s, sizeof s, "%04u-%02u-%02uT00:00:00Z", y, m, last + 1);
            expect_bad(s, 0);
        }
    }
}

static void test_calendar_edges(void **state)
{
    (void)state;
    expect_all("2000-02-29T00:00:00Z", 951782400000u); /* divisible by 400 */
    expect_all("2024-02-29T00:00:00Z", 1709164800000u);
    expect_all("2400-02-29T00:00:00Z", 13574563200000u);
    expect_bad("1900-02-29T00:00:00Z", 0); /* divisible by 100, not 400 */
    expect_bad("2100-02-29T00:00:00Z", 0);
    expect_bad("2026-02-29T00:00:00Z", 0);
    expect_bad("2026-02-30T00:00:00Z", 0);
    expect_bad("2026-04-31T00:00:00Z", 0);
    expect_bad("2026-06-31T00:00:00Z", 0);
    expect_bad("2026-09-31T00:00:00Z", 0);
    expect_bad("2026-11-31T00:00:00Z", 0);
    expect_bad("2026-01-32T00:00:00Z", 0);
    expect_bad("2026-01-00T00:00:00Z", 0);
    expect_bad("2026-00-01T00:00:00Z", 0);
    expect_bad("2026-13-01T00:00:00Z", 0);
    expect_all("2026-12-31T23:59:59.999Z", 1798761599999u);
    expect_bad("2026-11-28T24:00:00Z", 0);
    expect_bad("2026-11-28T23:60:00Z", 0);
    expect_bad("2026-11-28T23:59:60Z", 0); /* no leap seconds */
    /* years before 1970 exist in the grammar; only the instant must follow the epoch */
    expect_bad("1969-12-31T23:59:59.999Z", 0);
    expect_bad("0000-01-01T00:00:00Z", 0);
    expect_bad("0000-01-01T00:00:00Z", BOTH);
}

static void test_refusals(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "2026",
        "2026-11-28",
        "2026-11-28T",
        "2026-11-28T01:02",
        "2026-11-28T01:02Z",
        "2026-11-28T01:02:03", /* no offset */
        "2026-11-28T01:02:03.Z",
        "2026-11-28T01:02:03.",
        "2026-11-28T01:02:03,456Z",
        "2026-11-28T01:02:03Zjunk",
        "2026-11-28T01:02:03Z ",
        " 2026-11-28T01:02:03Z",
        "26-11-28T01:02:03Z",
        "+2026-11-28T01:02:03Z",
        "20261-11-28T01:02:03Z",
        "2026-1-28T01:02:03Z",
        "2026-11-8T01:02:03Z",
        "2026-11-28T1:02:03Z",
        "2026-11-28T01:2:03Z",
        "2026-11-28T01:02:3Z",
        "2026/11/28T01:02:03Z",
        "2026-11-28X01:02:03Z",
        "2026-11-28T01-02-03Z",
        "2026-11-28T01:02:03.4a5Z",
        "2O26-11-28T01:02:03Z",
        "+30d",
        "1795827723456",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (unsigned f = 0; f <= BOTH; f++) {
            expect_bad(bad[i], f);
        }
    }
}

static void test_explicit_length(void **state)
{
    (void)state;
    const char *s = "2026-11-28T01:02:03Zjunk";
    uint64_t got = 1;

    /* only s[0..len) is read: no terminator needed, none looked for */
    assert_int_equal(yc_time_parse_rfc3339(s, 20, 0, &got), YC_OK);
    assert_int_equal(got, 1795827723000u);
    assert_int_equal(yc_time_parse_rfc3339(s, 19, 0, &got), YC_EBADFIELD);
    assert_int_equal(got, 0);
    /* a NUL inside the length is a wrong character */
    assert_int_equal(yc_time_parse_rfc3339("2026-11-28T01:02:03Z\0", 21, 0, &got), YC_EBADFIELD);
    assert_int_equal(yc_time_parse_rfc3339("2026-11-28T01:02:03\0Z", 21, 0, &got), YC_EBADFIELD);
    assert_int_equal(yc_time_parse_rfc3339("2026-11-28T01:02:03.5", 21, 0, &got), YC_EBADFIELD);
    assert_int_equal(yc_time_parse_rfc3339("", 0, 0, &got), YC_EBADFIELD);
    assert_int_equal(yc_time_parse_rfc3339(NULL, 0, 0, &got), YC_EBADFIELD);
}

static void test_caller_mistakes(void **state)
{
    (void)state;
    uint64_t got = 1;

    assert_int_equal(yc_time_parse_rfc3339("1970-01-01T00:00:00Z", 20, 0, NULL), YC_EINVAL);
    assert_int_equal(yc_time_parse_rfc3339(NULL, 20, 0, &got), YC_EINVAL);
    assert_int_equal(got, 0);
    got = 1;
    assert_int_equal(yc_time_parse_rfc3339("1970-01-01T00:00:00Z", 20, 0x4u, &got), YC_EINVAL);
    assert_int_equal(got, 0);
}

static uint64_t test_seed(void)
{
    const char *env = getenv("YC_SEED");
    if (env != NULL && env[0] != '\0') {
        return strtoull(env, NULL, 0);
    }
    return (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
}

/* What the formatter writes, the parser reads back to the same millisecond. */
static void test_round_trip(void **state)
{
    (void)state;
    static const uint64_t fixed[] = {0,
                                     1,
                                     999,
                                     1000,
                                     86399999,
                                     86400000,
                                     951782400000u,
                                     1795827723456u,
                                     4107542399999u,
                                     253402300799999u};
    char buf[32];
    uint64_t back;

    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        yc_time_rfc3339(buf, fixed[i]);
        assert_int_equal(parse(buf, 0, &back), YC_OK);
        assert_int_equal(back, fixed[i]);
    }
    uint64_t seed = test_seed();
    struct helper_rng r;
    printf("test_round_trip: seed %llu (replay with YC_SEED=%llu)\n", (unsigned long long)seed,
           (unsigned long long)seed);
    helper_rng_seed(&r, seed);
    for (int i = 0; i < 20000; i++) {
        uint64_t ms = helper_rng_below(&r, 253402300800000u);
        yc_time_rfc3339(buf, ms);
        if (parse(buf, BOTH, &back) != YC_OK || back != ms) {
            print_error("seed %llu: %llu ms -> \"%s\" -> %llu\n", (unsigned long long)seed,
                        (unsigned long long)ms, buf, (unsigned long long)back);
            fail();
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted_forms),
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_every_day_1970_to_2400),
        cmocka_unit_test(test_calendar_edges),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_explicit_length),
        cmocka_unit_test(test_caller_mistakes),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
