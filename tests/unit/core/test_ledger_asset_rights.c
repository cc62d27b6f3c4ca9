/*
 * test_ledger_asset_rights.c — right.transfer, right.license, license.revoke and
 * usage.record under a license: every rule and error code of issue 4 for the rights
 * types; refusals leave state unchanged (tc_expect checks it); fees move from licensee
 * to licensor without creating or destroying money.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_asset.h"
#include "yc/objects.h"

struct fx {
    struct tchain tc;
    struct yc_buf body;
    uint8_t raw[32];  /* certified raw data of the enterprise (grade important) */
    uint8_t prod[32]; /* certified product of the processor, derived from raw */
};

static int setup(void **st)
{
    struct fx *f = calloc(1, sizeof *f);
    struct tchain *tc = &f->tc;
    tc_init(tc);
    tc->g.params.notice_blocks = TA_NOTICE;
    yc_buf_init(&f->body, 0);
    ta_register(tc, TC_ENTERPRISE, 0x01, "important", NULL, 0, f->raw);
    uint8_t p[1][32];
    memcpy(p[0], f->raw, 32);
    ta_register(tc, TC_PROCESSOR, 0x02, "important", (const uint8_t(*)[32])p, 1, f->prod);
    ta_pass_notice(tc);
    ta_certify(tc, f->raw);
    ta_certify(tc, f->prod);
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

static void lic(struct fx *f, const uint8_t *asset, uint32_t licensee, const char *vis,
                uint64_t fee, uint64_t max_uses)
{
    struct hb_license l = {.asset = asset,
                           .licensee = f->tc.pub[licensee],
                           .visibility = vis,
                           .fee = fee,
                           .max_uses = max_uses,
                           .until = f->tc.time_ms + 3600 * 1000,
                           .operations = {"compute", "model", NULL},
                           .purposes = {"credit_scoring", NULL}};
    hb_right_license(&f->body, &l);
}

static void test_transfer(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t h[33], key[YC_KEY_MAX], unknown[32], fresh[32];

    memset(unknown, 0x5a, 32);
    hb_right_transfer(&f->body, f->raw, "own", tc->pub[TC_AGENCY]);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_TRANSFER, &f->body, YC_EBADFIELD, NULL);
    hb_right_transfer(&f->body, unknown, "hold", tc->pub[TC_AGENCY]);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_TRANSFER, &f->body, YC_EUNKNOWNASSET, NULL);
    hb_right_transfer(&f->body, f->raw, "hold", tc->pub[TC_AGENCY]);
    tc_expect(tc, TC_PROCESSOR, YC_TX_RIGHT_TRANSFER, &f->body, YC_ENOTAUTH, NULL);
    hb_right_transfer(&f->body, f->raw, "hold", tc->pub[TC_ALICE]);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_TRANSFER, &f->body, YC_EBADROLE, NULL);
    hb_right_transfer(&f->body, f->raw, "hold", tc->pub[TC_REGULATOR]);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_TRANSFER, &f->body, YC_EBADROLE, NULL);
    hb_right_transfer(&f->body, f->raw, "hold", tc->pub[TC_CAROL]);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_TRANSFER, &f->body, YC_EUNKNOWNACCT, NULL);
    hb_right_transfer(&f->body, f->raw, "hold", tc->pub[TC_ENTERPRISE]);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_TRANSFER, &f->body, YC_EBADFIELD, NULL);

    /* only certified assets move */
    ta_register(tc, TC_ENTERPRISE, 0x03, "general", NULL, 0, fresh);
    hb_right_transfer(&f->body, fresh, "hold", tc->pub[TC_AGENCY]);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_TRANSFER, &f->body, YC_ENOTCERTIFIED, NULL);

    /* the hold right moves alone; the others stay */
    hb_right_transfer(&f->body, f->raw, "hold", tc->pub[TC_AGENCY]);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_TRANSFER, &f->body, YC_OK, NULL);
    ta_holder(tc, f->raw, YC_RIGHT_HOLD, h);
    assert_memory_equal(h, tc->pub[TC_AGENCY], 33);
    ta_holder(tc, f->raw, YC_RIGHT_PROCESS, h);
    assert_memory_equal(h, tc->pub[TC_ENTERPRISE], 33);
    size_t n = yc_key_idx_asset_holder(key, tc->pub[TC_ENTERPRISE]);
    memcpy(key + n, f->raw, 32);
    key[n + 32] = YC_RIGHT_HOLD;
    assert_false(ta_has_key(tc, key, n + 33));
    key[n + 32] = YC_RIGHT_PROCESS;
    assert_true(ta_has_key(tc, key, n + 33));
    n = yc_key_idx_asset_holder(key, tc->pub[TC_AGENCY]);
    memcpy(key + n, f->raw, 32);
    key[n + 32] = YC_RIGHT_HOLD;
    assert_true(ta_has_key(tc, key, n + 33));
    /* the old holder no longer updates or retires; the new one does */
    uint8_t d[32];
    memset(d, 0x04, 32);
    hb_asset_update(&f->body, f->raw, d, NULL, NULL, -1, NULL);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_UPDATE, &f->body, YC_ENOTAUTH, NULL);
    tc_expect(tc, TC_AGENCY, YC_TX_ASSET_UPDATE, &f->body, YC_OK, NULL);
    hb_right_transfer(&f->body, f->raw, "hold", tc->pub[TC_PROCESSOR]);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_TRANSFER, &f->body, YC_ENOTAUTH, NULL);
    /* retired assets do not move */
    hb_asset_ref(&f->body, f->raw, NULL);
    tc_expect(tc, TC_AGENCY, YC_TX_ASSET_RETIRE, &f->body, YC_OK, NULL);
    hb_right_transfer(&f->body, f->raw, "process", tc->pub[TC_PROCESSOR]);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_TRANSFER, &f->body, YC_ERETIRED, NULL);
}

static void test_license_rules(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t id[32], unknown[32], fresh[32];
    struct yc_license l;

    memset(unknown, 0x5b, 32);
    /* raw data: the process holder licenses; a product: the operate holder */
    lic(f, f->raw, TC_PROCESSOR, "invisible", 10, 3);
    tc_expect(tc, TC_PROCESSOR, YC_TX_RIGHT_LICENSE, &f->body, YC_ENOTAUTH, NULL);
    lic(f, f->prod, TC_ENTERPRISE, "visible", 0, 0);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_ENOTAUTH, NULL);
    lic(f, unknown, TC_PROCESSOR, "invisible", 0, 0);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_EUNKNOWNASSET, NULL);
    lic(f, f->raw, TC_ALICE, "invisible", 0, 0);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_EBADROLE, NULL);
    lic(f, f->raw, TC_CAROL, "invisible", 0, 0);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_EUNKNOWNACCT, NULL);
    lic(f, f->raw, TC_ENTERPRISE, "invisible", 0, 0);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_EBADFIELD, NULL);
    lic(f, f->raw, TC_PROCESSOR, "hidden", 0, 0);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_EBADFIELD, NULL);

    struct hb_license bad = {.asset = f->raw,
                             .licensee = tc->pub[TC_PROCESSOR],
                             .visibility = "invisible",
                             .until = tc->time_ms + 1000000,
                             .operations = {"compute", "sell", NULL},
                             .purposes = {"credit_scoring", NULL}};
    hb_right_license(&f->body, &bad);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_EBADFIELD, NULL);
    bad.operations[1] = NULL;
    bad.purposes[0] = NULL; /* no purpose */
    hb_right_license(&f->body, &bad);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_EBADFIELD, NULL);
    bad.purposes[0] = "credit_scoring";
    /* usable but not visible: never exported */
    bad.operations[1] = "export";
    hb_right_license(&f->body, &bad);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_EBADFIELD, NULL);
    bad.operations[1] = NULL;
    bad.until = tc->time_ms - 1; /* already over */
    hb_right_license(&f->body, &bad);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_EBADTIME, NULL);
    bad.until = tc->time_ms + 5000;
    bad.not_before = tc->time_ms + 5000;
    hb_right_license(&f->body, &bad);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_EBADTIME, NULL);

    /* not yet certified */
    ta_register(tc, TC_ENTERPRISE, 0x05, "core", NULL, 0, fresh);
    lic(f, fresh, TC_PROCESSOR, "invisible", 0, 0);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_ENOTCERTIFIED, NULL);
    ta_pass_notice(tc);
    ta_certify(tc, fresh);
    /* core data is never licensed for export */
    struct hb_license core = {.asset = fresh,
                              .licensee = tc->pub[TC_PROCESSOR],
                              .visibility = "visible",
                              .until = tc->time_ms + 100000,
                              .operations = {"query", "export", NULL},
                              .purposes = {"research", NULL}};
    hb_right_license(&f->body, &core);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_ECOREDATA, NULL);
    core.operations[1] = NULL;
    hb_right_license(&f->body, &core);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_OK, NULL);

    lic(f, f->raw, TC_PROCESSOR, "invisible", 10, 3);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_OK, id);
    assert_int_equal(ta_license(tc, id, &l), YC_OK);
    assert_memory_equal(l.licensor, tc->pub[TC_ENTERPRISE], 33);
    assert_memory_equal(l.licensee, tc->pub[TC_PROCESSOR], 33);
    assert_memory_equal(l.asset, f->raw, 32);
    assert_true(l.right.len == 7 && memcmp(l.right.p, "process", 7) == 0);
    assert_int_equal(l.fee, 10);
    assert_int_equal(l.max_uses, 3);
    assert_int_equal(l.granted_at, tc->height);
    assert_string_equal(yc_license_status(&l, tc->time_ms), "active");
    uint8_t key[YC_KEY_MAX];
    size_t n = yc_key_idx_license_asset(key, f->raw);
    memcpy(key + n, id, 32);
    assert_true(ta_has_key(tc, key, n + 32));
    n = yc_key_idx_license_licensee(key, tc->pub[TC_PROCESSOR]);
    memcpy(key + n, id, 32);
    assert_true(ta_has_key(tc, key, n + 32));
    /* a product is licensed by its operate holder */
    lic(f, f->prod, TC_ENTERPRISE, "visible", 0, 0);
    tc_expect(tc, TC_PROCESSOR, YC_TX_RIGHT_LICENSE, &f->body, YC_OK, NULL);
}

static void use(struct fx *f, const uint8_t *license, const char *purpose, const char *op)
{
    uint8_t out[32];
    memset(out, 0x0f, 32);
    struct hb_usage u = {.license = license, .purpose = purpose, .operation = op, .output = out};
    hb_usage(&f->body, &u);
}

static void test_usage_under_license(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t id[32], uid[32], unknown[32], key[YC_KEY_MAX];

    memset(unknown, 0x5c, 32);
    lic(f, f->raw, TC_PROCESSOR, "invisible", 10, 2);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_OK, id);
    uint64_t supply = tc_total_supply(tc);
    uint64_t pb = tc_balance(tc, TC_PROCESSOR), eb = tc_balance(tc, TC_ENTERPRISE);

    use(f, unknown, "credit_scoring", "compute");
    tc_expect(tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body, YC_EUNKNOWNLICENSE, NULL);
    use(f, id, "credit_scoring", "compute");
    tc_expect(tc, TC_AGENCY, YC_TX_USAGE_RECORD, &f->body, YC_ENOTAUTH, NULL);
    use(f, id, "marketing", "compute");
    tc_expect(tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body, YC_EOUTOFSCOPE, NULL);
    use(f, id, "credit_scoring", "export");
    tc_expect(tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body, YC_EOUTOFSCOPE, NULL);
    use(f, id, "credit_scoring", "Compute");
    tc_expect(tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body, YC_EBADFIELD, NULL);

    use(f, id, "credit_scoring", "compute");
    tc_expect(tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body, YC_OK, uid);
    assert_int_equal(tc_balance(tc, TC_PROCESSOR), pb - 10);
    assert_int_equal(tc_balance(tc, TC_ENTERPRISE), eb + 10);
    assert_int_equal(tc_total_supply(tc), supply);
    const uint8_t *v;
    size_t vlen;
    assert_int_equal(yc_overlay_get(tc->blk, key, yc_key_usage(key, uid), &v, &vlen), YC_OK);
    struct yc_usage u;
    assert_int_equal(yc_usage_decode(&u, v, vlen), YC_OK);
    assert_true(u.has_asset);
    assert_memory_equal(u.asset, f->raw, 32);
    assert_memory_equal(u.authority, id, 32);
    assert_true(u.authority_kind.len == 7 && memcmp(u.authority_kind.p, "license", 7) == 0);
    assert_memory_equal(u.subject, tc->pub[TC_ENTERPRISE], 33);
    assert_memory_equal(u.user, tc->pub[TC_PROCESSOR], 33);
    assert_int_equal(u.fee, 10);
    size_t n = yc_key_idx_usage_asset(key, f->raw);
    assert_int_equal(n + 12 <= YC_KEY_MAX, 1);
    uint8_t ukey[YC_KEY_MAX];
    memcpy(ukey, key, n);
    for (int i = 0; i < 8; i++) {
        ukey[n + i] = (uint8_t)(tc->height >> (56 - 8 * i));
    }
    uint32_t idx = tc->index - 1;
    ukey[n + 8] = (uint8_t)(idx >> 24);
    ukey[n + 9] = (uint8_t)(idx >> 16);
    ukey[n + 10] = (uint8_t)(idx >> 8);
    ukey[n + 11] = (uint8_t)idx;
    assert_true(ta_has_key(tc, ukey, n + 12));

    use(f, id, "credit_scoring", "model");
    tc_expect(tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body, YC_OK, NULL);
    use(f, id, "credit_scoring", "model");
    tc_expect(tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body, YC_ENOUSESLEFT, NULL);
    struct yc_license l;
    assert_int_equal(ta_license(tc, id, &l), YC_OK);
    assert_int_equal(l.uses, 2);
    assert_string_equal(yc_license_status(&l, tc->time_ms), "exhausted");
}

static void test_usage_window_balance_and_asset_state(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t soon[32], late[32], dear[32];

    /* valid from a minute from now */
    struct hb_license l = {.asset = f->raw,
                           .licensee = tc->pub[TC_PROCESSOR],
                           .visibility = "visible",
                           .not_before = tc->time_ms + 60000,
                           .until = tc->time_ms + 120000,
                           .operations = {"query", "export", NULL},
                           .purposes = {"research", NULL}};
    hb_right_license(&f->body, &l);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_OK, late);
    use(f, late, "research", "query");
    tc_expect(tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body, YC_EEXPIRED, NULL);
    /* ends in 1.5 s: two blocks later it is over */
    l.not_before = 0;
    l.until = tc->time_ms + 1500;
    hb_right_license(&f->body, &l);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_OK, soon);
    use(f, soon, "research", "export");
    tc_expect(tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body, YC_OK, NULL);
    tc_commit(tc);
    tc_commit(tc);
    tc_expect(tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body, YC_EEXPIRED, NULL);
    /* a fee above the licensee's balance */
    l.until = tc->time_ms + 100000;
    l.fee = 1000000;
    hb_right_license(&f->body, &l);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_OK, dear);
    use(f, dear, "research", "query");
    tc_expect(tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body, YC_EBALANCE, NULL);
    /* retired data is not used any more */
    l.fee = 0;
    hb_right_license(&f->body, &l);
    uint8_t free_id[32];
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_OK, free_id);
    hb_asset_ref(&f->body, f->raw, NULL);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_RETIRE, &f->body, YC_OK, NULL);
    use(f, free_id, "research", "query");
    tc_expect(tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body, YC_ERETIRED, NULL);
    /* nor licensed */
    hb_right_license(&f->body, &l);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_ERETIRED, NULL);
}

static void test_revoke(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t id[32], id2[32], unknown[32];

    memset(unknown, 0x5d, 32);
    lic(f, f->raw, TC_PROCESSOR, "invisible", 0, 0);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_OK, id);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_OK, id2);
    hb_license_revoke(&f->body, unknown);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_LICENSE_REVOKE, &f->body, YC_EUNKNOWNLICENSE, NULL);
    hb_license_revoke(&f->body, id);
    tc_expect(tc, TC_PROCESSOR, YC_TX_LICENSE_REVOKE, &f->body, YC_ENOTAUTH, NULL);
    use(f, id, "credit_scoring", "compute");
    tc_expect(tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body, YC_OK, NULL);
    hb_license_revoke(&f->body, id);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_LICENSE_REVOKE, &f->body, YC_OK, NULL);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_LICENSE_REVOKE, &f->body, YC_ELICENSEREVOKED, NULL);
    struct yc_license l;
    assert_int_equal(ta_license(tc, id, &l), YC_OK);
    assert_int_equal(l.revoked_at, tc->height);
    assert_string_equal(yc_license_status(&l, tc->time_ms), "revoked");
    use(f, id, "credit_scoring", "compute");
    tc_expect(tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body, YC_ELICENSEREVOKED, NULL);
    /* the new holder of the process right may revoke what its predecessor granted */
    hb_right_transfer(&f->body, f->raw, "process", tc->pub[TC_AGENCY]);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_TRANSFER, &f->body, YC_OK, NULL);
    hb_license_revoke(&f->body, id2);
    tc_expect(tc, TC_AGENCY, YC_TX_LICENSE_REVOKE, &f->body, YC_OK, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_transfer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_license_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usage_under_license, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usage_window_balance_and_asset_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoke, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
