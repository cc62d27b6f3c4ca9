/*
 * test_ledger_asset_carry.c — carry.request / carry.complete / carry.reject (data
 * portability) and evidence.anchor references to assets, licenses, carries and
 * objections: every rule and error code, refusals leaving state unchanged.
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
};

static int setup(void **st)
{
    struct fx *f = calloc(1, sizeof *f);
    tc_init(&f->tc);
    f->tc.g.params.notice_blocks = TA_NOTICE;
    yc_buf_init(&f->body, 0);
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

static const char *const CATS[] = {"medical_record", "fitness", NULL};

static void test_request(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    const uint8_t *proc = tc->pub[TC_PROCESSOR], *ent = tc->pub[TC_ENTERPRISE];
    uint8_t id[32], key[YC_KEY_MAX];
    struct yc_carry c;

    hb_carry_request(&f->body, CATS, proc, ent);
    tc_expect(tc, TC_PROCESSOR, YC_TX_CARRY_REQUEST, &f->body, YC_ENOTAUTH, NULL);
    tc_expect(tc, TC_EXCHANGE, YC_TX_CARRY_REQUEST, &f->body, YC_ENOTAUTH, NULL);
    tc_expect(tc, TC_CAROL, YC_TX_CARRY_REQUEST, &f->body, YC_EUNKNOWNACCT, NULL);
    hb_carry_request(&f->body, CATS, tc->pub[TC_CAROL], ent);
    tc_expect(tc, TC_ALICE, YC_TX_CARRY_REQUEST, &f->body, YC_EUNKNOWNACCT, NULL);
    hb_carry_request(&f->body, CATS, proc, tc->pub[TC_DAVE]);
    tc_expect(tc, TC_ALICE, YC_TX_CARRY_REQUEST, &f->body, YC_EUNKNOWNACCT, NULL);
    hb_carry_request(&f->body, CATS, proc, proc);
    tc_expect(tc, TC_ALICE, YC_TX_CARRY_REQUEST, &f->body, YC_EBADFIELD, NULL);
    hb_carry_request(&f->body, CATS, tc->pub[TC_ALICE], ent);
    tc_expect(tc, TC_ALICE, YC_TX_CARRY_REQUEST, &f->body, YC_EBADFIELD, NULL);
    hb_carry_request(&f->body, CATS, tc->pub[TC_BOB], ent);
    tc_expect(tc, TC_ALICE, YC_TX_CARRY_REQUEST, &f->body, YC_EBADROLE, NULL);
    const char *none[] = {NULL};
    hb_carry_request(&f->body, none, proc, ent);
    tc_expect(tc, TC_ALICE, YC_TX_CARRY_REQUEST, &f->body, YC_EBADFIELD, NULL);
    const char *badcat[] = {"Health", NULL};
    hb_carry_request(&f->body, badcat, proc, ent);
    tc_expect(tc, TC_ALICE, YC_TX_CARRY_REQUEST, &f->body, YC_EBADFIELD, NULL);

    hb_carry_request(&f->body, CATS, proc, ent);
    tc_expect(tc, TC_ALICE, YC_TX_CARRY_REQUEST, &f->body, YC_OK, id);
    assert_int_equal(ta_carry(tc, id, &c), YC_OK);
    assert_memory_equal(c.subject, tc->pub[TC_ALICE], 33);
    assert_memory_equal(c.holder, proc, 33);
    assert_memory_equal(c.recipient, ent, 33);
    assert_int_equal(c.categories.n, 2);
    assert_int_equal(c.requested_at, tc->height);
    assert_true(c.status.len == 9 && memcmp(c.status.p, "requested", 9) == 0);
    size_t n = yc_key_idx_carry_subject(key, tc->pub[TC_ALICE]);
    memcpy(key + n, id, 32);
    assert_true(ta_has_key(tc, key, n + 32));
    n = yc_key_idx_carry_holder(key, proc);
    memcpy(key + n, id, 32);
    assert_true(ta_has_key(tc, key, n + 32));
    /* an enterprise is a data subject too */
    hb_carry_request(&f->body, CATS, proc, tc->pub[TC_AGENCY]);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_CARRY_REQUEST, &f->body, YC_OK, NULL);
}

static void test_complete_and_reject(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t a[32], b[32], pkg[32], unknown[32];
    struct yc_carry c;

    memset(pkg, 0xaa, 32);
    memset(unknown, 0x44, 32);
    hb_carry_request(&f->body, CATS, tc->pub[TC_PROCESSOR], tc->pub[TC_ENTERPRISE]);
    tc_expect(tc, TC_ALICE, YC_TX_CARRY_REQUEST, &f->body, YC_OK, a);
    tc_expect(tc, TC_ALICE, YC_TX_CARRY_REQUEST, &f->body, YC_OK, b);

    hb_carry_complete(&f->body, unknown, pkg, 32);
    tc_expect(tc, TC_PROCESSOR, YC_TX_CARRY_COMPLETE, &f->body, YC_EUNKNOWNOBJ, NULL);
    hb_carry_complete(&f->body, a, pkg, 16);
    assert_int_equal(tc_decode_code(tc, TC_PROCESSOR, YC_TX_CARRY_COMPLETE, &f->body),
                     YC_EBADDIGEST);
    hb_carry_complete(&f->body, a, pkg, 32);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_CARRY_COMPLETE, &f->body, YC_ENOTAUTH, NULL);
    tc_expect(tc, TC_ALICE, YC_TX_CARRY_COMPLETE, &f->body, YC_ENOTAUTH, NULL);
    tc_expect(tc, TC_PROCESSOR, YC_TX_CARRY_COMPLETE, &f->body, YC_OK, NULL);
    tc_expect(tc, TC_PROCESSOR, YC_TX_CARRY_COMPLETE, &f->body, YC_ECLOSED, NULL);
    assert_int_equal(ta_carry(tc, a, &c), YC_OK);
    assert_true(c.status.len == 9 && memcmp(c.status.p, "completed", 9) == 0);
    assert_true(c.has_package);
    assert_memory_equal(c.package, pkg, 32);
    assert_int_equal(c.closed_at, tc->height);

    hb_carry_reject(&f->body, a, "no_such_data");
    tc_expect(tc, TC_PROCESSOR, YC_TX_CARRY_REJECT, &f->body, YC_ECLOSED, NULL);
    hb_carry_reject(&f->body, b, "No Such Data");
    tc_expect(tc, TC_PROCESSOR, YC_TX_CARRY_REJECT, &f->body, YC_EBADFIELD, NULL);
    hb_carry_reject(&f->body, b, "no_such_data");
    tc_expect(tc, TC_ALICE, YC_TX_CARRY_REJECT, &f->body, YC_ENOTAUTH, NULL);
    tc_expect(tc, TC_PROCESSOR, YC_TX_CARRY_REJECT, &f->body, YC_OK, NULL);
    assert_int_equal(ta_carry(tc, b, &c), YC_OK);
    assert_true(c.status.len == 8 && memcmp(c.status.p, "rejected", 8) == 0);
    assert_true(c.reason.len == 12 && memcmp(c.reason.p, "no_such_data", 12) == 0);
    hb_carry_complete(&f->body, b, pkg, 32);
    tc_expect(tc, TC_PROCESSOR, YC_TX_CARRY_COMPLETE, &f->body, YC_ECLOSED, NULL);
}

static void test_evidence_refs(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t asset[32], carry[32], licid[32], obj[32], d[32], unknown[32];

    memset(d, 0xdd, 32);
    memset(unknown, 0x33, 32);
    ta_register(tc, TC_ENTERPRISE, 0x91, "general", NULL, 0, asset);
    hb_asset_object(&f->body, asset, d, 32, "not_the_source");
    tc_expect(tc, TC_ALICE, YC_TX_ASSET_OBJECT, &f->body, YC_OK, obj);
    hb_asset_resolve(&f->body, obj, "dismissed", NULL);
    tc_expect(tc, TC_EXCHANGE, YC_TX_ASSET_RESOLVE, &f->body, YC_OK, NULL);
    ta_pass_notice(tc);
    ta_certify(tc, asset);
    struct hb_license l = {.asset = asset,
                           .licensee = tc->pub[TC_PROCESSOR],
                           .until = tc->time_ms + 100000,
                           .operations = {"verify", NULL},
                           .purposes = {"audit", NULL}};
    hb_right_license(&f->body, &l);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &f->body, YC_OK, licid);
    hb_carry_request(&f->body, CATS, tc->pub[TC_PROCESSOR], tc->pub[TC_ENTERPRISE]);
    tc_expect(tc, TC_ALICE, YC_TX_CARRY_REQUEST, &f->body, YC_OK, carry);

    const uint8_t *refs[] = {asset, licid, carry, obj};
    for (size_t i = 0; i < 4; i++) {
        hb_anchor(&f->body, d, 32, "dcmm_assessment", NULL, refs[i]);
        tc_expect(tc, TC_REGULATOR, YC_TX_EVIDENCE_ANCHOR, &f->body, YC_OK, NULL);
    }
    hb_anchor(&f->body, d, 32, "dcmm_assessment", NULL, unknown);
    tc_expect(tc, TC_REGULATOR, YC_TX_EVIDENCE_ANCHOR, &f->body, YC_EUNKNOWNOBJ, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complete_and_reject, setup, teardown),
        cmocka_unit_test_setup_teardown(test_evidence_refs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
