/*
 * test_list.c — read/list: consents and uses listed through their indexes over a state
 * source, as the node's `consents`/`usage` methods and `yuchain-audit subject` list them:
 * key order, the cap, each object rendered by json.h (times in ms beside RFC 3339, a
 * consent's status at the given block time, `revoked_at` null until revoked), and an
 * index entry naming a missing object refused as corrupt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_ledger.h"
#include "yc/json.h"
#include "yc/list.h"
#include "yc/objects.h"

#define HOUR_MS 3600000ull

struct fx {
    struct tchain tc;
    struct yc_buf body;
    uint8_t c1[32], c2[32], u1[32], u2[32];
};

static void grant(struct fx *f, uint8_t id[32])
{
    struct hb_grant g = {
        .processor = f->tc.pub[TC_PROCESSOR],
        .categories = {"health.steps", NULL},
        .purposes = {"research", NULL},
        .operations = {"use", NULL},
        .jurisdiction = "CN-CQ",
        .until = f->tc.time_ms + HOUR_MS,
    };
    hb_grant(&f->body, &g);
    tc_expect(&f->tc, TC_ALICE, YC_TX_CONSENT_GRANT, &f->body, YC_OK, id);
}

static int setup(void **st)
{
    struct fx *f = calloc(1, sizeof *f);
    tc_init(&f->tc);
    yc_buf_init(&f->body, 0);
    grant(f, f->c1);
    grant(f, f->c2);
    tc_commit(&f->tc);
    hb_revoke(&f->body, f->c2);
    tc_expect(&f->tc, TC_ALICE, YC_TX_CONSENT_REVOKE, &f->body, YC_OK, NULL);
    struct hb_usage u = {.consent = f->c1, .purpose = "research", .operation = "use"};
    hb_usage(&f->body, &u);
    tc_expect(&f->tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body, YC_OK, f->u1);
    tc_commit(&f->tc);
    hb_usage(&f->body, &u);
    tc_expect(&f->tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body, YC_OK, f->u2);
    tc_commit(&f->tc);
    *st = f;
    return 0;
}

static int teardown(void **st)
{
    struct fx *f = *st;
    yc_buf_cleanup(&f->body);
    tc_cleanup(&f->tc);
    free(f);
    return 0;
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    assert_non_null(s);
    return s;
}

static bool is_id(json_t *o, const uint8_t id[32])
{
    char h[65];
    yc_hex(h, id, 32);
    return strcmp(str(o, "id"), h) == 0;
}

static void test_consents(void **st)
{
    struct fx *f = *st;
    struct yc_state_src src = mem_state_src(f->tc.ms);
    uint8_t prefix[YC_KEY_MAX];
    size_t pl = yc_key_idx_consent_subject(prefix, f->tc.pub[TC_ALICE]);
    json_t *a = json_array();
    assert_int_equal(yc_list_consents(&src, prefix, pl, SIZE_MAX, f->tc.time_ms, a), YC_OK);
    assert_int_equal(json_array_size(a), 2);
    /* id order */
    bool first_is_c1 = memcmp(f->c1, f->c2, 32) < 0;
    json_t *c1 = json_array_get(a, first_is_c1 ? 0 : 1),
           *c2 = json_array_get(a, first_is_c1 ? 1 : 0);
    assert_true(is_id(c1, f->c1));
    assert_true(is_id(c2, f->c2));
    assert_string_equal(str(c1, "status"), "active");
    assert_string_equal(str(c2, "status"), "revoked");
    assert_true(json_is_null(json_object_get(c1, "revoked_at")));
    assert_string_equal(str(c2, "revoked_at"), "2");
    /* until: decimal ms, and the same instant as RFC 3339 beside it */
    uint64_t until = strtoull(str(c1, "until"), NULL, 10);
    json_t *t = yc_json_time(until);
    assert_string_equal(str(c1, "until_time"), json_string_value(t));
    json_decref(t);
    json_decref(a);

    /* the cap */
    a = json_array();
    assert_int_equal(yc_list_consents(&src, prefix, pl, 1, f->tc.time_ms, a), YC_OK);
    assert_int_equal(json_array_size(a), 1);
    json_decref(a);
    /* the processor's index names the same consents */
    a = json_array();
    pl = yc_key_idx_consent_processor(prefix, f->tc.pub[TC_PROCESSOR]);
    assert_int_equal(yc_list_consents(&src, prefix, pl, SIZE_MAX, f->tc.time_ms, a), YC_OK);
    assert_int_equal(json_array_size(a), 2);
    json_decref(a);
}

static void test_usage(void **st)
{
    struct fx *f = *st;
    struct yc_state_src src = mem_state_src(f->tc.ms);
    uint8_t prefix[YC_KEY_MAX];
    size_t pl = yc_key_idx_usage_subject(prefix, f->tc.pub[TC_ALICE]);
    json_t *a = json_array();
    assert_int_equal(yc_list_usage(&src, prefix, pl, SIZE_MAX, a), YC_OK);
    assert_int_equal(json_array_size(a), 2);
    /* ledger order */
    assert_true(is_id(json_array_get(a, 0), f->u1));
    assert_true(is_id(json_array_get(a, 1), f->u2));
    json_t *u = json_array_get(a, 0);
    assert_true(json_is_null(json_object_get(u, "asset"))); /* under a consent */
    assert_string_equal(str(u, "authority_kind"), "consent");
    assert_string_equal(str(u, "height"), "2");
    json_t *t = yc_json_time(strtoull(str(u, "time_ms"), NULL, 10));
    assert_string_equal(str(u, "time"), json_string_value(t));
    json_decref(t);
    json_decref(a);
}

static void test_refusals(void **st)
{
    struct fx *f = *st;
    struct yc_state_src src = mem_state_src(f->tc.ms);
    uint8_t prefix[YC_KEY_MAX];
    size_t pl = yc_key_idx_usage_subject(prefix, f->tc.pub[TC_ALICE]);
    json_t *a = json_array();
    struct yc_state_src noscan = src;
    noscan.scan = NULL;
    assert_int_equal(yc_list_usage(&noscan, prefix, pl, SIZE_MAX, a), YC_EINVAL);
    assert_int_equal(yc_list_usage(&src, prefix, pl, SIZE_MAX, NULL), YC_EINVAL);

    /* an index entry naming a use that is not stored: corrupt, not skipped */
    uint8_t key[YC_KEY_MAX];
    struct yc_write w = {.key = key, .klen = yc_key_usage(key, f->u2), .del = true};
    mem_state_apply(f->tc.ms, &w, 1);
    assert_int_equal(yc_list_usage(&src, prefix, pl, SIZE_MAX, a), YC_ECORRUPT);
    json_decref(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_consents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
