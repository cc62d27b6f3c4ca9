/*
 * test_err.c — the error table: every code has a unique stable name that maps back to
 * it, messages exist, unknown codes are named "unknown_error".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "yc/err.h"

static const int all_codes[] = {
#define CODE_(e, n, name, msg) e,
    YC_ERR_TABLE(CODE_)
#undef CODE_
};
#define NCODES (sizeof(all_codes) / sizeof(all_codes[0]))

static void test_names_round_trip(void **state)
{
    (void)state;
    for (size_t i = 0; i < NCODES; i++) {
        const char *name = yc_err_name(all_codes[i]);
        assert_non_null(name);
        assert_string_not_equal(name, "unknown_error");
        assert_int_equal(yc_err_from_name(name), all_codes[i]);
        assert_non_null(yc_strerror(all_codes[i]));
        assert_true(strlen(yc_strerror(all_codes[i])) > 0);
        for (size_t j = 0; j < i; j++) {
            assert_int_not_equal(all_codes[i], all_codes[j]);
            assert_string_not_equal(name, yc_err_name(all_codes[j]));
        }
    }
}

static void test_stable_names(void **state)
{
    (void)state;
    /* Names that reach clients and auditors (DESIGN.md §5, §10) never change. */
    assert_string_equal(yc_err_name(YC_OK), "ok");
    assert_string_equal(yc_err_name(YC_EBADSIG), "bad_signature");
    assert_string_equal(yc_err_name(YC_EBADNONCE), "bad_nonce");
    assert_string_equal(yc_err_name(YC_ECONSENTREVOKED), "consent_revoked");
    assert_string_equal(yc_err_name(YC_EWRONGCHAIN), "wrong_chain");
    assert_string_equal(yc_err_name(YC_EPASSPHRASE), "wrong_passphrase");
    assert_string_equal(yc_err_name(YC_EUNREACHABLE), "node_unreachable");
    assert_string_equal(yc_err_name(YC_EREMOTE), "remote_error");
    assert_int_equal(YC_EPASSPHRASE, -100);
    assert_int_equal(YC_EUNREACHABLE, -101);
    assert_int_equal(YC_EREMOTE, -102);
}

static void test_unknown(void **state)
{
    (void)state;
    assert_string_equal(yc_err_name(-9999), "unknown_error");
    assert_string_equal(yc_err_name(42), "unknown_error");
    assert_non_null(yc_strerror(-9999));
    assert_int_equal(yc_err_from_name("no_such_error"), YC_EINVAL);
    assert_int_equal(yc_err_from_name(""), YC_EINVAL);
    assert_int_equal(yc_err_from_name(NULL), YC_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_stable_names),
        cmocka_unit_test(test_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
