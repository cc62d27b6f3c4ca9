/*
 * test_json.c — read/json: the JSON forms of ledger values that the RPC, the audit and
 * the wallet all print (decimal u64, hex, addresses, RFC 3339 times with null beyond
 * year 9999, UTF-8 slices).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "yc/json.h"

static void is_string(json_t *j, const char *want)
{
    assert_non_null(j);
    assert_string_equal(json_string_value(j), want);
    json_decref(j);
}

static void test_times(void **state)
{
    (void)state;
    is_string(yc_json_time(0), "1970-01-01T00:00:00.000Z");
    is_string(yc_json_time(1795827723456ull), "2026-11-28T01:02:03.456Z");
    is_string(yc_json_time(YC_JSON_TIME_LAST), "9999-12-31T23:59:59.999Z");
    json_t *j = yc_json_time(YC_JSON_TIME_LAST + 1);
    assert_true(json_is_null(j));
    json_decref(j);
    j = yc_json_time(UINT64_MAX);
    assert_true(json_is_null(j));
    json_decref(j);
}

static void test_values(void **state)
{
    (void)state;
    is_string(yc_json_u64(UINT64_MAX), "18446744073709551615");
    is_string(yc_json_u64(0), "0");
    json_t *j = yc_json_u64_or_null(0);
    assert_true(json_is_null(j));
    json_decref(j);
    is_string(yc_json_u64_or_null(7), "7");
    uint8_t b[3] = {0x00, 0xab, 0xff};
    is_string(yc_json_hex(b, 3), "00abff");
    uint8_t big[200];
    memset(big, 0x5a, sizeof(big));
    j = yc_json_hex(big, sizeof(big));
    assert_int_equal(json_string_length(j), 400);
    json_decref(j);
    struct yc_slice s = {.p = "数据", .len = strlen("数据")};
    is_string(yc_json_slice(&s), "数据");
    struct yc_slice bad = {.p = "\xff", .len = 1};
    j = yc_json_slice(&bad);
    assert_true(json_is_null(j));
    json_decref(j);
    /* optional values: null when absent, the value's form when present */
    struct yc_slice empty = {.p = "", .len = 0};
    j = yc_json_slice_or_null(&empty);
    assert_true(json_is_null(j));
    json_decref(j);
    is_string(yc_json_slice_or_null(&s), "数据");
    uint8_t id[YC_HASH_LEN];
    memset(id, 0xab, sizeof id);
    j = yc_json_id_or_null(false, id);
    assert_true(json_is_null(j));
    json_decref(j);
    j = yc_json_id_or_null(true, id);
    assert_int_equal(json_string_length(j), 2 * YC_HASH_LEN);
    assert_memory_equal(json_string_value(j), "abab", 4);
    json_decref(j);
    struct yc_list l = {.n = 2, .items = {{.p = "a", .len = 1}, {.p = "bc", .len = 2}}};
    j = yc_json_list(&l);
    assert_int_equal(json_array_size(j), 2);
    assert_string_equal(json_string_value(json_array_get(j, 1)), "bc");
    json_decref(j);
}

static void test_addresses(void **state)
{
    (void)state;
    uint8_t pub[YC_PUBKEY_LEN];
    memset(pub, 0x11, sizeof pub);
    pub[0] = YC_SCHEME_BIP340;
    json_t *j = yc_json_addr(pub);
    assert_non_null(j);
    assert_memory_equal(json_string_value(j), "yc1", 3);
    json_decref(j);
    pub[0] = 0x7f; /* no address form: the key's hex */
    j = yc_json_addr(pub);
    assert_int_equal(json_string_length(j), 2 * YC_PUBKEY_LEN);
    assert_memory_equal(json_string_value(j), "7f11", 4);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
