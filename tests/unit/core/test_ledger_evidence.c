/*
 * test_ledger_evidence.c — evidence.anchor (any registered sender; a 32-byte digest;
 * a kind code; an optional reference to an existing consent, use or anchor) and the
 * canonical encodings of the state objects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_ledger.h"
#include "yc/codec.h"
#include "yc/objects.h"

struct fx {
    struct tchain tc;
    struct yc_buf body;
};

static int setup(void **st)
{
    struct fx *f = calloc(1, sizeof *f);
    tc_init(&f->tc);
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

static void test_anchor_by_any_registered_sender(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t d[32], id[32];
    memset(d, 0xee, sizeof d);

    hb_anchor(&f->body, d, 32, "dcmm_assessment", "level 3", NULL);
    tc_expect(tc, TC_REGULATOR, YC_TX_EVIDENCE_ANCHOR, &f->body, YC_OK, id);
    tc_expect(tc, TC_ALICE, YC_TX_EVIDENCE_ANCHOR, &f->body, YC_OK, NULL);
    tc_expect(tc, TC_CAROL, YC_TX_EVIDENCE_ANCHOR, &f->body, YC_EUNKNOWNACCT, NULL);

    uint8_t key[YC_KEY_MAX];
    size_t n = yc_key_evidence(key, id);
    const uint8_t *v;
    size_t vlen;
    assert_int_equal(yc_overlay_get(tc->blk, key, n, &v, &vlen), YC_OK);
    struct yc_evidence ev;
    assert_int_equal(yc_evidence_decode(&ev, v, vlen), YC_OK);
    assert_memory_equal(ev.digest, d, 32);
    assert_memory_equal(ev.sender, tc->pub[TC_REGULATOR], 33);
    assert_int_equal(ev.height, tc->height);
    assert_int_equal(ev.time_ms, tc->time_ms);
    assert_true(ev.kind.len == 15 && memcmp(ev.kind.p, "dcmm_assessment", 15) == 0);
    assert_true(ev.note.len == 7 && memcmp(ev.note.p, "level 3", 7) == 0);
    assert_false(ev.has_ref);
}

static void test_anchor_refusals(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t d[32] = {9};

    hb_anchor(&f->body, d, 32, "DCMM", NULL, NULL);
    tc_expect(tc, TC_ALICE, YC_TX_EVIDENCE_ANCHOR, &f->body, YC_EBADFIELD, NULL);
    hb_anchor(&f->body, d, 32, "", NULL, NULL);
    tc_expect(tc, TC_ALICE, YC_TX_EVIDENCE_ANCHOR, &f->body, YC_EBADFIELD, NULL);
    hb_anchor(&f->body, d, 16, "kind", NULL, NULL);
    assert_int_equal(tc_decode_code(tc, TC_ALICE, YC_TX_EVIDENCE_ANCHOR, &f->body), YC_EBADDIGEST);
    uint8_t ref[32];
    memset(ref, 0x3c, sizeof ref);
    hb_anchor(&f->body, d, 32, "kind", NULL, ref);
    tc_expect(tc, TC_ALICE, YC_TX_EVIDENCE_ANCHOR, &f->body, YC_EUNKNOWNOBJ, NULL);
}

static void test_anchor_refs_consent_use_and_anchor(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t d[32] = {1}, cid[32], uid[32], eid[32];

    struct hb_grant g = {.processor = tc->pub[TC_PROCESSOR],
                         .categories = {"health", NULL},
                         .purposes = {"research", NULL},
                         .operations = {"use", NULL},
                         .until = tc->time_ms + 100000};
    hb_grant(&f->body, &g);
    tc_expect(tc, TC_ALICE, YC_TX_CONSENT_GRANT, &f->body, YC_OK, cid);
    struct hb_usage u = {.consent = cid, .purpose = "research", .operation = "use"};
    hb_usage(&f->body, &u);
    tc_expect(tc, TC_PROCESSOR, YC_TX_USAGE_RECORD, &f->body, YC_OK, uid);
    tc_commit(tc);

    hb_anchor(&f->body, d, 32, "consent_receipt", NULL, cid);
    tc_expect(tc, TC_ALICE, YC_TX_EVIDENCE_ANCHOR, &f->body, YC_OK, eid);
    hb_anchor(&f->body, d, 32, "model_output", NULL, uid);
    tc_expect(tc, TC_PROCESSOR, YC_TX_EVIDENCE_ANCHOR, &f->body, YC_OK, NULL);
    hb_anchor(&f->body, d, 32, "audit:finding", NULL, eid);
    tc_expect(tc, TC_REGULATOR, YC_TX_EVIDENCE_ANCHOR, &f->body, YC_OK, NULL);
}

/* ---- object encodings ---- */

static void test_objects_round_trip_canonically(void **st)
{
    (void)st;
    struct yc_buf b, again;
    yc_buf_init(&b, 0);
    yc_buf_init(&again, 0);
    uint8_t pub[33], id[32];
    memset(pub, 0x02, sizeof pub);
    memset(id, 0x5e, sizeof id);

    struct yc_account a = {.balance = 12345,
                           .credit = {"good", 4},
                           .jurisdiction = {"SG", 2},
                           .name = {"Ms. 李", 7},
                           .nonce = 3,
                           .registered_at = 8,
                           .role = YC_ROLE_BROKER};
    struct yc_account a2;
    assert_int_equal(yc_account_encode(&a, &b), YC_OK);
    assert_int_equal(yc_canon_check(b.data, b.len, &YC_LIMITS_DEFAULT), YC_OK);
    assert_int_equal(yc_account_decode(&a2, b.data, b.len), YC_OK);
    assert_int_equal(a2.role, YC_ROLE_BROKER);
    assert_int_equal(a2.balance, 12345);
    assert_int_equal(yc_account_encode(&a2, &again), YC_OK);
    assert_int_equal(again.len, b.len);
    assert_memory_equal(again.data, b.data, b.len);
    /* a corrupt stored value is a local failure, not a verdict */
    assert_int_equal(yc_account_decode(&a2, b.data, b.len - 1), YC_ECORRUPT);
    /* the nonce alone, the fields before it skipped; cut before it, or no map: corrupt */
    uint64_t nonce = 0;
    assert_int_equal(yc_account_nonce(b.data, b.len, &nonce), YC_OK);
    assert_int_equal(nonce, 3);
    assert_int_equal(yc_account_nonce(b.data, 20, &nonce), YC_ECORRUPT);
    assert_int_equal(yc_account_nonce((const uint8_t *)"\x80", 1, &nonce), YC_ECORRUPT);
    assert_int_equal(yc_account_nonce((const uint8_t *)"\x81\xa5nonce\xa1x", 9, &nonce),
                     YC_ECORRUPT);

    struct yc_consent c = {.categories = {2, {{"x", 1}, {"y", 1}}},
                           .purposes = {1, {{"p", 1}}},
                           .operations = {1, {{"use", 3}}},
                           .jurisdiction = {"CN-CQ", 5},
                           .fee_per_use = 5,
                           .until = 99,
                           .uses = 1,
                           .revoked_at = 4};
    memcpy(c.processor, pub, 33);
    memcpy(c.subject, pub, 33);
    struct yc_consent c2;
    yc_buf_reset(&b);
    yc_buf_reset(&again);
    assert_int_equal(yc_consent_encode(&c, &b), YC_OK);
    assert_int_equal(yc_consent_decode(&c2, b.data, b.len), YC_OK);
    assert_int_equal(yc_consent_encode(&c2, &again), YC_OK);
    assert_memory_equal(again.data, b.data, b.len);
    assert_string_equal(yc_consent_status(&c2, 0), "revoked");

    struct yc_usage u = {.authority_kind = {"consent", 7},
                         .operation = {"use", 3},
                         .purpose = {"p", 1},
                         .fee = 2,
                         .height = 3,
                         .time_ms = 4};
    struct yc_usage u2;
    for (int variant = 0; variant < 2; variant++) {
        if (variant == 1) {
            u.category = (struct yc_slice){"cat", 3};
            u.has_input = u.has_output = true;
            memcpy(u.input, id, 32);
        }
        yc_buf_reset(&b);
        yc_buf_reset(&again);
        assert_int_equal(yc_usage_encode(&u, &b), YC_OK);
        assert_int_equal(yc_usage_decode(&u2, b.data, b.len), YC_OK);
        assert_int_equal(u2.has_input, variant == 1);
        assert_int_equal(yc_usage_encode(&u2, &again), YC_OK);
        assert_memory_equal(again.data, b.data, b.len);
    }

    struct yc_evidence ev = {.kind = {"k", 1}, .height = 1, .time_ms = 2};
    struct yc_evidence ev2;
    for (int variant = 0; variant < 2; variant++) {
        if (variant == 1) {
            ev.note = (struct yc_slice){"n", 1};
            ev.has_ref = true;
        }
        yc_buf_reset(&b);
        yc_buf_reset(&again);
        assert_int_equal(yc_evidence_encode(&ev, &b), YC_OK);
        assert_int_equal(yc_evidence_decode(&ev2, b.data, b.len), YC_OK);
        assert_int_equal(ev2.has_ref, variant == 1);
        assert_int_equal(yc_evidence_encode(&ev2, &again), YC_OK);
        assert_memory_equal(again.data, b.data, b.len);
    }
    yc_buf_cleanup(&b);
    yc_buf_cleanup(&again);
}

static void test_roles_and_keys(void **st)
{
    (void)st;
    assert_string_equal(yc_role_name(YC_ROLE_DATA_MERCHANT), "data_merchant");
    assert_int_equal(yc_role_from_name("regulator", 9), YC_ROLE_REGULATOR);
    assert_int_equal(yc_role_from_name("regulators", 10), YC_ROLE_NONE);
    assert_null(yc_role_name(YC_ROLE_NONE));

    uint8_t key[YC_KEY_MAX], pub[33] = {1}, id[32] = {2};
    assert_int_equal(yc_key_account(key, pub), 8 + 33);
    assert_memory_equal(key, "account/", 8);
    assert_int_equal(yc_key_consent(key, id), 8 + 32);
    assert_memory_equal(key, "consent/", 8);
    assert_int_equal(yc_key_usage(key, id), 6 + 32);
    assert_int_equal(yc_key_evidence(key, id), 9 + 32);
    assert_int_equal(yc_key_idx_consent_subject(key, pub), 20 + 33);
    assert_memory_equal(key, "idx/consent_subject/", 20);
    assert_int_equal(yc_key_idx_consent_processor(key, pub), 22 + 33);
    assert_int_equal(yc_key_idx_usage_subject(key, pub), 18 + 33);
    assert_int_equal(yc_key_idx_usage_authority(key, id), 20 + 32);
    /* every key plus a (height, index) suffix fits YC_KEY_MAX */
    assert_true(22 + 33 + 32 <= YC_KEY_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_anchor_by_any_registered_sender, setup, teardown),
        cmocka_unit_test_setup_teardown(test_anchor_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_anchor_refs_consent_use_and_anchor, setup, teardown),
        cmocka_unit_test(test_objects_round_trip_canonically),
        cmocka_unit_test(test_roles_and_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
