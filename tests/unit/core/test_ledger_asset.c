/*
 * test_ledger_asset.c — asset.register, the public notice (asset.object, asset.resolve),
 * asset.certify, asset.update and asset.retire: every rule and error code of issue 4
 * for the asset types, refusals leaving state unchanged (tc_expect checks that), and
 * the canonical encodings of the new state objects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_asset.h"
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

static bool slice_is(const struct yc_slice *s, const char *c)
{
    return s->len == strlen(c) && memcmp(s->p, c, s->len) == 0;
}

static void test_register_writes_asset_rights_and_indexes(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t id[32], key[YC_KEY_MAX], d[32];
    struct yc_asset a;

    ta_register(tc, TC_ENTERPRISE, 0x11, "important", NULL, 0, id);
    assert_int_equal(ta_asset(tc, id, &a), YC_OK);
    memset(d, 0x11, 32);
    assert_memory_equal(a.digest, d, 32);
    assert_true(slice_is(&a.grade, "important"));
    assert_true(slice_is(&a.source, "public"));
    assert_true(slice_is(&a.openness, "open"));
    assert_true(slice_is(&a.title, "Bus lines of Chongqing"));
    assert_int_equal(a.registered_at, tc->height);
    assert_int_equal(a.notice_until, tc->height + TA_NOTICE);
    assert_int_equal(a.version, 1);
    assert_int_equal(a.certified_at, 0);
    assert_int_equal(a.ncontributors, 1);
    assert_int_equal(a.contributors[0].bps, 10000);
    assert_memory_equal(a.registrant, tc->pub[TC_ENTERPRISE], 33);
    assert_string_equal(yc_asset_status(&a, tc->height), "notice");
    assert_string_equal(yc_asset_status(&a, tc->height + TA_NOTICE), "registered");
    for (unsigned r = 0; r < YC_RIGHT_COUNT; r++) {
        uint8_t h[33];
        ta_holder(tc, id, (enum yc_right)r, h);
        assert_memory_equal(h, tc->pub[TC_ENTERPRISE], 33);
        size_t n = yc_key_idx_asset_holder(key, tc->pub[TC_ENTERPRISE]);
        memcpy(key + n, id, 32);
        key[n + 32] = (uint8_t)r;
        assert_true(ta_has_key(tc, key, n + 33));
    }
    size_t n = yc_key_idx_asset_digest(key, d);
    assert_true(ta_has_key(tc, key, n));
    n = yc_key_asset_version(key, id, 1);
    assert_true(ta_has_key(tc, key, n));
}

static void test_register_roles(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct hb_asset a = {.digest_byte = 1};

    /* individuals, the exchange, regulators hold no assets */
    const uint32_t refused[] = {TC_ALICE, TC_EXCHANGE, TC_REGULATOR};
    for (size_t i = 0; i < 3; i++) {
        a.self = tc->pub[refused[i]];
        hb_asset_register(&f->body, &a);
        tc_expect(tc, refused[i], YC_TX_ASSET_REGISTER, &f->body, YC_ENOTAUTH, NULL);
    }
    a.self = tc->pub[TC_CAROL];
    hb_asset_register(&f->body, &a);
    tc_expect(tc, TC_CAROL, YC_TX_ASSET_REGISTER, &f->body, YC_EUNKNOWNACCT, NULL);
    const uint32_t ok[] = {TC_AGENCY, TC_PROCESSOR, TC_ENTERPRISE};
    for (size_t i = 0; i < 3; i++) {
        a.self = tc->pub[ok[i]];
        a.digest_byte = (uint8_t)(10 + i);
        hb_asset_register(&f->body, &a);
        tc_expect(tc, ok[i], YC_TX_ASSET_REGISTER, &f->body, YC_OK, NULL);
    }
}

static void test_register_bad_fields(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    const uint8_t *me = tc->pub[TC_ENTERPRISE];
    struct hb_asset bad[] = {
        {.source = "secret"}, {.grade = "top"},        {.openness = "ajar"}, {.title = ""},
        {.catalog = "C 01"},  {.sector = "Transport"}, {.catalog = ""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bad[i].self = me;
        bad[i].digest_byte = 2;
        hb_asset_register(&f->body, &bad[i]);
        tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_REGISTER, &f->body, YC_EBADFIELD, NULL);
    }
    /* malformed digest: refused by the decoder with bad_digest */
    struct hb_asset shortd = {.self = me, .digest_byte = 3, .dlen = 31};
    hb_asset_register(&f->body, &shortd);
    assert_int_equal(tc_decode_code(tc, TC_ENTERPRISE, YC_TX_ASSET_REGISTER, &f->body),
                     YC_EBADDIGEST);
    /* a title longer than 128 bytes */
    char longt[200];
    memset(longt, 'x', sizeof longt - 1);
    longt[sizeof longt - 1] = '\0';
    struct hb_asset lt = {.self = me, .digest_byte = 3, .title = longt};
    hb_asset_register(&f->body, &lt);
    assert_int_equal(tc_decode_code(tc, TC_ENTERPRISE, YC_TX_ASSET_REGISTER, &f->body),
                     YC_EBADFIELD);
}

static void test_register_shares(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    const uint8_t *e = tc->pub[TC_ENTERPRISE], *p = tc->pub[TC_PROCESSOR];
    struct hb_asset a = {.digest_byte = 4, .self = e};

    a.ncontrib = 2;
    a.contrib[0] = (struct hb_contrib){e, 5000};
    a.contrib[1] = (struct hb_contrib){p, 4000};
    hb_asset_register(&f->body, &a);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_REGISTER, &f->body, YC_EBADSHARES, NULL);
    a.contrib[1].bps = 6000; /* 11 000 */
    hb_asset_register(&f->body, &a);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_REGISTER, &f->body, YC_EBADSHARES, NULL);
    a.contrib[0].bps = 10000;
    a.contrib[1].bps = 0; /* a zero share */
    hb_asset_register(&f->body, &a);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_REGISTER, &f->body, YC_EBADSHARES, NULL);
    a.ncontrib = 1;
    a.contrib[0].bps = 10001;
    hb_asset_register(&f->body, &a);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_REGISTER, &f->body, YC_EBADSHARES, NULL);
    /* the same contributor twice */
    a.ncontrib = 2;
    a.contrib[0] = (struct hb_contrib){e, 5000};
    a.contrib[1] = (struct hb_contrib){e, 5000};
    hb_asset_register(&f->body, &a);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_REGISTER, &f->body, YC_EBADFIELD, NULL);
    /* a contributor that is not registered */
    a.contrib[1] = (struct hb_contrib){tc->pub[TC_CAROL], 5000};
    hb_asset_register(&f->body, &a);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_REGISTER, &f->body, YC_EUNKNOWNACCT, NULL);
    /* more contributors than allowed: refused by the decoder */
    struct yc_buf b;
    yc_buf_init(&b, 0);
    a.ncontrib = 17;
    for (uint32_t i = 0; i < 17; i++) {
        a.contrib[i] = (struct hb_contrib){e, 1};
    }
    hb_asset_register(&b, &a);
    assert_int_equal(tc_decode_code(tc, TC_ENTERPRISE, YC_TX_ASSET_REGISTER, &b), YC_ETOOMANY);
    yc_buf_cleanup(&b);
    /* split 70/30: accepted */
    a.ncontrib = 2;
    a.contrib[0] = (struct hb_contrib){e, 7000};
    a.contrib[1] = (struct hb_contrib){p, 3000};
    hb_asset_register(&f->body, &a);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_REGISTER, &f->body, YC_OK, NULL);
}

static void test_register_duplicate_digest(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct hb_asset a = {.digest_byte = 5, .self = tc->pub[TC_ENTERPRISE]};

    hb_asset_register(&f->body, &a);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_REGISTER, &f->body, YC_OK, NULL);
    a.title = "Same bytes, other title";
    hb_asset_register(&f->body, &a);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_REGISTER, &f->body, YC_EDUPASSET, NULL);
    tc_commit(tc);
    a.self = tc->pub[TC_PROCESSOR];
    hb_asset_register(&f->body, &a);
    tc_expect(tc, TC_PROCESSOR, YC_TX_ASSET_REGISTER, &f->body, YC_EDUPASSET, NULL);
}

static void test_parents_and_grades(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t raw[2][32], unknown[1][32], key[YC_KEY_MAX], prod[32];

    ta_register(tc, TC_AGENCY, 0x21, "important", NULL, 0, raw[0]);
    ta_register(tc, TC_ENTERPRISE, 0x22, "general", NULL, 0, raw[1]);
    memset(unknown[0], 0x77, 32);
    struct hb_asset a = {.digest_byte = 0x23, .self = tc->pub[TC_PROCESSOR]};

    a.parents = (const uint8_t(*)[32])unknown;
    a.nparents = 1;
    hb_asset_register(&f->body, &a);
    tc_expect(tc, TC_PROCESSOR, YC_TX_ASSET_REGISTER, &f->body, YC_EUNKNOWNASSET, NULL);

    uint8_t dup[2][32];
    memcpy(dup[0], raw[0], 32);
    memcpy(dup[1], raw[0], 32);
    a.parents = (const uint8_t(*)[32])dup;
    a.nparents = 2;
    a.grade = "important";
    hb_asset_register(&f->body, &a);
    tc_expect(tc, TC_PROCESSOR, YC_TX_ASSET_REGISTER, &f->body, YC_EBADFIELD, NULL);

    /* a product of an important and a general source must be at least important */
    a.parents = (const uint8_t(*)[32])raw;
    a.grade = "general";
    hb_asset_register(&f->body, &a);
    tc_expect(tc, TC_PROCESSOR, YC_TX_ASSET_REGISTER, &f->body, YC_EGRADELOW, NULL);
    a.grade = "important";
    hb_asset_register(&f->body, &a);
    tc_expect(tc, TC_PROCESSOR, YC_TX_ASSET_REGISTER, &f->body, YC_OK, prod);
    for (int i = 0; i < 2; i++) {
        size_t n = yc_key_idx_asset_parent(key, raw[i]);
        memcpy(key + n, prod, 32);
        assert_true(ta_has_key(tc, key, n + 32));
    }
    /* higher is allowed */
    a.digest_byte = 0x24;
    a.grade = "core";
    hb_asset_register(&f->body, &a);
    tc_expect(tc, TC_PROCESSOR, YC_TX_ASSET_REGISTER, &f->body, YC_OK, NULL);
    /* 17 parents: refused by the decoder */
    uint8_t many[17][32];
    for (int i = 0; i < 17; i++) {
        memset(many[i], i + 1, 32);
    }
    a.parents = (const uint8_t(*)[32])many;
    a.nparents = 17;
    hb_asset_register(&f->body, &a);
    assert_int_equal(tc_decode_code(tc, TC_PROCESSOR, YC_TX_ASSET_REGISTER, &f->body), YC_ETOOMANY);
}

static void test_notice_objection_and_certificate(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t id[32], obj[32], unknown[32], ev[32];
    struct yc_asset a;
    struct yc_objection o;

    memset(unknown, 0x99, 32);
    memset(ev, 0xe1, 32);
    ta_register(tc, TC_AGENCY, 0x31, "general", NULL, 0, id);
    hb_asset_ref(&f->body, id, NULL);
    tc_expect(tc, TC_EXCHANGE, YC_TX_ASSET_CERTIFY, &f->body, YC_ENOTICEOPEN, NULL);

    hb_asset_object(&f->body, id, ev, 32, "not_the_source");
    tc_expect(tc, TC_CAROL, YC_TX_ASSET_OBJECT, &f->body, YC_EUNKNOWNACCT, NULL);
    hb_asset_object(&f->body, id, ev, 32, "Not A Code");
    tc_expect(tc, TC_ALICE, YC_TX_ASSET_OBJECT, &f->body, YC_EBADFIELD, NULL);
    hb_asset_object(&f->body, unknown, ev, 32, "not_the_source");
    tc_expect(tc, TC_ALICE, YC_TX_ASSET_OBJECT, &f->body, YC_EUNKNOWNASSET, NULL);
    hb_asset_object(&f->body, id, ev, 16, "not_the_source");
    assert_int_equal(tc_decode_code(tc, TC_ALICE, YC_TX_ASSET_OBJECT, &f->body), YC_EBADDIGEST);
    hb_asset_object(&f->body, id, ev, 32, "not_the_source");
    tc_expect(tc, TC_ALICE, YC_TX_ASSET_OBJECT, &f->body, YC_OK, obj);
    assert_int_equal(ta_objection(tc, obj, &o), YC_OK);
    assert_true(slice_is(&o.outcome, "open"));
    assert_memory_equal(o.objector, tc->pub[TC_ALICE], 33);
    assert_int_equal(ta_asset(tc, id, &a), YC_OK);
    assert_int_equal(a.objections_open, 1);

    ta_pass_notice(tc);
    /* the notice is over: no new objections */
    hb_asset_object(&f->body, id, ev, 32, "late");
    tc_expect(tc, TC_BOB, YC_TX_ASSET_OBJECT, &f->body, YC_ECLOSED, NULL);
    hb_asset_ref(&f->body, id, NULL);
    tc_expect(tc, TC_EXCHANGE, YC_TX_ASSET_CERTIFY, &f->body, YC_EOBJECTIONOPEN, NULL);
    tc_expect(tc, TC_AGENCY, YC_TX_ASSET_CERTIFY, &f->body, YC_ENOTAUTH, NULL);

    hb_asset_resolve(&f->body, obj, "dismissed", "source verified");
    tc_expect(tc, TC_AGENCY, YC_TX_ASSET_RESOLVE, &f->body, YC_ENOTAUTH, NULL);
    hb_asset_resolve(&f->body, obj, "maybe", NULL);
    tc_expect(tc, TC_EXCHANGE, YC_TX_ASSET_RESOLVE, &f->body, YC_EBADFIELD, NULL);
    hb_asset_resolve(&f->body, unknown, "dismissed", NULL);
    tc_expect(tc, TC_EXCHANGE, YC_TX_ASSET_RESOLVE, &f->body, YC_EUNKNOWNOBJ, NULL);
    hb_asset_resolve(&f->body, obj, "dismissed", "source verified");
    tc_expect(tc, TC_EXCHANGE, YC_TX_ASSET_RESOLVE, &f->body, YC_OK, NULL);
    tc_expect(tc, TC_EXCHANGE, YC_TX_ASSET_RESOLVE, &f->body, YC_ECLOSED, NULL);
    assert_int_equal(ta_objection(tc, obj, &o), YC_OK);
    assert_true(slice_is(&o.outcome, "dismissed"));
    assert_int_equal(o.resolved_at, tc->height);

    hb_asset_ref(&f->body, unknown, NULL);
    tc_expect(tc, TC_EXCHANGE, YC_TX_ASSET_CERTIFY, &f->body, YC_EUNKNOWNASSET, NULL);
    hb_asset_ref(&f->body, id, NULL);
    uint32_t index = tc->index;
    tc_expect(tc, TC_EXCHANGE, YC_TX_ASSET_CERTIFY, &f->body, YC_OK, NULL);
    tc_expect(tc, TC_EXCHANGE, YC_TX_ASSET_CERTIFY, &f->body, YC_ECLOSED, NULL);
    assert_int_equal(ta_asset(tc, id, &a), YC_OK);
    char want[64];
    snprintf(want, sizeof want, "YC-%llu-%u", (unsigned long long)tc->height, index);
    assert_true(slice_is(&a.certificate, want));
    assert_int_equal(a.certified_at, tc->height);
    assert_int_equal(a.objections_open, 0);
    assert_string_equal(yc_asset_status(&a, tc->height), "certified");
}

static void test_certificate_numbers_are_unique(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t x[32], y[32];
    struct yc_asset a, b;

    ta_register(tc, TC_AGENCY, 0x41, "general", NULL, 0, x);
    ta_register(tc, TC_ENTERPRISE, 0x42, "general", NULL, 0, y);
    ta_pass_notice(tc);
    ta_certify(tc, x);
    ta_certify(tc, y);
    assert_int_equal(ta_asset(tc, x, &a), YC_OK);
    assert_int_equal(ta_asset(tc, y, &b), YC_OK);
    assert_true(a.certificate.len > 3 && b.certificate.len > 3);
    assert_false(a.certificate.len == b.certificate.len &&
                 memcmp(a.certificate.p, b.certificate.p, a.certificate.len) == 0);
}

static void test_objection_upheld_voids_registration(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t id[32], obj[32], ev[32] = {1}, child[1][32];
    struct yc_asset a;

    /* the processor registers bytes that are the enterprise's */
    ta_register(tc, TC_PROCESSOR, 0x51, "general", NULL, 0, id);
    hb_asset_object(&f->body, id, ev, 32, "not_the_source");
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_OBJECT, &f->body, YC_OK, obj);
    hb_asset_resolve(&f->body, obj, "upheld", NULL);
    tc_expect(tc, TC_EXCHANGE, YC_TX_ASSET_RESOLVE, &f->body, YC_OK, NULL);
    assert_int_equal(ta_asset(tc, id, &a), YC_OK);
    assert_int_equal(a.voided_at, tc->height);
    assert_int_equal(a.objections_open, 0);
    assert_string_equal(yc_asset_status(&a, tc->height), "void");
    /* void: no certificate, no objection, no update, no child */
    hb_asset_ref(&f->body, id, NULL);
    tc_expect(tc, TC_EXCHANGE, YC_TX_ASSET_CERTIFY, &f->body, YC_ECLOSED, NULL);
    hb_asset_object(&f->body, id, ev, 32, "again");
    tc_expect(tc, TC_ALICE, YC_TX_ASSET_OBJECT, &f->body, YC_ECLOSED, NULL);
    uint8_t nd[32];
    memset(nd, 0x52, 32);
    hb_asset_update(&f->body, id, nd, NULL, NULL, -1, NULL);
    tc_expect(tc, TC_PROCESSOR, YC_TX_ASSET_UPDATE, &f->body, YC_ECLOSED, NULL);
    memcpy(child[0], id, 32);
    struct hb_asset c = {.digest_byte = 0x53,
                         .self = tc->pub[TC_PROCESSOR],
                         .parents = (const uint8_t(*)[32])child,
                         .nparents = 1};
    hb_asset_register(&f->body, &c);
    tc_expect(tc, TC_PROCESSOR, YC_TX_ASSET_REGISTER, &f->body, YC_ECLOSED, NULL);
    /* the digest is free again for its rightful holder */
    ta_register(tc, TC_ENTERPRISE, 0x51, "general", NULL, 0, NULL);
}

static void test_update_versions_and_cycles(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t a_id[32], b_id[32], c_id[32], d2[32], key[YC_KEY_MAX];
    uint8_t pa[1][32], unknown[32];
    struct yc_asset a;

    memset(unknown, 0x66, 32);
    ta_register(tc, TC_ENTERPRISE, 0x61, "general", NULL, 0, a_id);
    memcpy(pa[0], a_id, 32);
    ta_register(tc, TC_ENTERPRISE, 0x62, "general", (const uint8_t(*)[32])pa, 1, b_id);
    memcpy(pa[0], b_id, 32);
    ta_register(tc, TC_ENTERPRISE, 0x63, "general", (const uint8_t(*)[32])pa, 1, c_id);

    memset(d2, 0x64, 32);
    hb_asset_update(&f->body, a_id, d2, "monthly refresh", NULL, -1, "Bus lines v2");
    tc_expect(tc, TC_PROCESSOR, YC_TX_ASSET_UPDATE, &f->body, YC_ENOTAUTH, NULL);
    hb_asset_update(&f->body, unknown, d2, NULL, NULL, -1, NULL);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_UPDATE, &f->body, YC_EUNKNOWNASSET, NULL);
    uint8_t old[32];
    memset(old, 0x62, 32); /* another asset's digest */
    hb_asset_update(&f->body, a_id, old, NULL, NULL, -1, NULL);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_UPDATE, &f->body, YC_EDUPASSET, NULL);
    hb_asset_update(&f->body, a_id, d2, "monthly refresh", NULL, -1, "Bus lines v2");
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_UPDATE, &f->body, YC_OK, NULL);
    assert_int_equal(ta_asset(tc, a_id, &a), YC_OK);
    assert_int_equal(a.version, 2);
    assert_memory_equal(a.digest, d2, 32);
    assert_true(slice_is(&a.title, "Bus lines v2"));
    assert_true(ta_has_key(tc, key, yc_key_asset_version(key, a_id, 2)));
    /* both versions' digests stay taken */
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_UPDATE, &f->body, YC_EDUPASSET, NULL);
    memset(old, 0x61, 32);
    hb_asset_update(&f->body, a_id, old, NULL, NULL, -1, NULL);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_UPDATE, &f->body, YC_EDUPASSET, NULL);

    /* a → c would close a → c → b → a */
    uint8_t np[1][32], d3[32];
    memset(d3, 0x65, 32);
    memcpy(np[0], c_id, 32);
    hb_asset_update(&f->body, a_id, d3, NULL, (const uint8_t(*)[32])np, 1, NULL);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_UPDATE, &f->body, YC_ECYCLE, NULL);
    memcpy(np[0], a_id, 32); /* itself */
    hb_asset_update(&f->body, a_id, d3, NULL, (const uint8_t(*)[32])np, 1, NULL);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_UPDATE, &f->body, YC_ECYCLE, NULL);
    memcpy(np[0], unknown, 32);
    hb_asset_update(&f->body, a_id, d3, NULL, (const uint8_t(*)[32])np, 1, NULL);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_UPDATE, &f->body, YC_EUNKNOWNASSET, NULL);
    /* c re-parented onto a directly: edges follow */
    memcpy(np[0], a_id, 32);
    hb_asset_update(&f->body, c_id, d3, NULL, (const uint8_t(*)[32])np, 1, NULL);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_UPDATE, &f->body, YC_OK, NULL);
    size_t n = yc_key_idx_asset_parent(key, b_id);
    memcpy(key + n, c_id, 32);
    assert_false(ta_has_key(tc, key, n + 32));
    n = yc_key_idx_asset_parent(key, a_id);
    memcpy(key + n, c_id, 32);
    assert_true(ta_has_key(tc, key, n + 32));
    /* a grade rule also holds on update: an important parent under a general child */
    uint8_t imp[32], d4[32];
    ta_register(tc, TC_AGENCY, 0x67, "important", NULL, 0, imp);
    memcpy(np[0], imp, 32);
    memset(d4, 0x68, 32);
    hb_asset_update(&f->body, c_id, d4, NULL, (const uint8_t(*)[32])np, 1, NULL);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_UPDATE, &f->body, YC_EGRADELOW, NULL);
}

static void test_retire(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    uint8_t id[32], d[32], p[1][32];
    struct yc_asset a;

    ta_register(tc, TC_ENTERPRISE, 0x71, "general", NULL, 0, id);
    hb_asset_ref(&f->body, id, "Bad Reason");
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_RETIRE, &f->body, YC_EBADFIELD, NULL);
    hb_asset_ref(&f->body, id, "superseded");
    tc_expect(tc, TC_PROCESSOR, YC_TX_ASSET_RETIRE, &f->body, YC_ENOTAUTH, NULL);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_RETIRE, &f->body, YC_OK, NULL);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_RETIRE, &f->body, YC_ERETIRED, NULL);
    assert_int_equal(ta_asset(tc, id, &a), YC_OK);
    assert_int_equal(a.retired_at, tc->height);
    assert_string_equal(yc_asset_status(&a, tc->height), "retired");
    memset(d, 0x72, 32);
    hb_asset_update(&f->body, id, d, NULL, NULL, -1, NULL);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_UPDATE, &f->body, YC_ERETIRED, NULL);
    ta_pass_notice(tc);
    hb_asset_ref(&f->body, id, NULL);
    tc_expect(tc, TC_EXCHANGE, YC_TX_ASSET_CERTIFY, &f->body, YC_ERETIRED, NULL);
    memcpy(p[0], id, 32);
    struct hb_asset c = {.digest_byte = 0x73,
                         .self = tc->pub[TC_ENTERPRISE],
                         .parents = (const uint8_t(*)[32])p,
                         .nparents = 1};
    hb_asset_register(&f->body, &c);
    tc_expect(tc, TC_ENTERPRISE, YC_TX_ASSET_REGISTER, &f->body, YC_ERETIRED, NULL);
}

static void test_object_encodings(void **st)
{
    (void)st;
    struct yc_buf b;
    yc_buf_init(&b, 0);

    struct yc_asset a = {.catalog = {"c01", 3},
                         .certificate = {"YC-9-1", 6},
                         .certified_at = 9,
                         .ncontributors = 1,
                         .grade = {"core", 4},
                         .notice_until = 5,
                         .openness = {"closed", 6},
                         .nparents = 1,
                         .registered_at = 3,
                         .sector = {"health", 6},
                         .source = {"personal", 8},
                         .time_ms = 1234,
                         .title = {"T", 1},
                         .has_usage = true,
                         .version = 2};
    a.contributors[0].bps = 10000;
    memset(a.contributors[0].pub, 2, 33);
    memset(a.parents[0], 3, 32);
    assert_int_equal(yc_asset_encode(&a, &b), YC_OK);
    assert_int_equal(yc_canon_check(b.data, b.len, NULL), YC_OK);
    struct yc_asset a2;
    assert_int_equal(yc_asset_decode(&a2, b.data, b.len), YC_OK);
    assert_int_equal(a2.certified_at, 9);
    assert_true(a2.has_usage);
    assert_int_equal(a2.contributors[0].bps, 10000);
    struct yc_buf b2;
    yc_buf_init(&b2, 0);
    assert_int_equal(yc_asset_encode(&a2, &b2), YC_OK);
    assert_int_equal(b.len, b2.len);
    assert_memory_equal(b.data, b2.data, b.len);
    /* a flipped length byte or a truncated value is corrupt, not a crash */
    assert_int_equal(yc_asset_decode(&a2, b.data, b.len - 1), YC_ECORRUPT);

    yc_buf_reset(&b);
    struct yc_license l = {.right = {"process", 7}, .visibility = {"invisible", 9}, .until = 5};
    l.operations.n = 1;
    l.operations.items[0] = (struct yc_slice){"compute", 7};
    assert_int_equal(yc_license_encode(&l, &b), YC_OK);
    assert_int_equal(yc_canon_check(b.data, b.len, NULL), YC_OK);
    struct yc_license l2;
    assert_int_equal(yc_license_decode(&l2, b.data, b.len), YC_OK);
    assert_string_equal(yc_license_status(&l2, 1), "active");
    assert_string_equal(yc_license_status(&l2, 5), "expired");

    yc_buf_reset(&b);
    struct yc_carry c = {.status = {"rejected", 8}, .reason = {"no_data", 7}, .has_package = true};
    assert_int_equal(yc_carry_encode(&c, &b), YC_OK);
    assert_int_equal(yc_canon_check(b.data, b.len, NULL), YC_OK);
    struct yc_carry c2;
    assert_int_equal(yc_carry_decode(&c2, b.data, b.len), YC_OK);
    assert_true(c2.has_package);

    yc_buf_reset(&b);
    struct yc_objection o = {.outcome = {"open", 4}, .reason = {"r", 1}, .note = {"n", 1}};
    assert_int_equal(yc_objection_encode(&o, &b), YC_OK);
    assert_int_equal(yc_canon_check(b.data, b.len, NULL), YC_OK);
    struct yc_objection o2;
    assert_int_equal(yc_objection_decode(&o2, b.data, b.len), YC_OK);

    yc_buf_reset(&b);
    struct yc_asset_version v = {.height = 4, .note = {"x", 1}};
    assert_int_equal(yc_asset_version_encode(&v, &b), YC_OK);
    struct yc_asset_version v2;
    assert_int_equal(yc_asset_version_decode(&v2, b.data, b.len), YC_OK);
    assert_int_equal(v2.height, 4);

    yc_buf_reset(&b);
    struct yc_usage u = {.has_asset = true,
                         .authority_kind = {"license", 7},
                         .operation = {"compute", 7},
                         .purpose = {"p", 1}};
    memset(u.asset, 9, 32);
    assert_int_equal(yc_usage_encode(&u, &b), YC_OK);
    assert_int_equal(yc_canon_check(b.data, b.len, NULL), YC_OK);
    struct yc_usage u2;
    assert_int_equal(yc_usage_decode(&u2, b.data, b.len), YC_OK);
    assert_true(u2.has_asset);
    assert_memory_equal(u2.asset, u.asset, 32);

    assert_int_equal(yc_right_from_name("operate", 7), YC_RIGHT_OPERATE);
    assert_int_equal(yc_right_from_name("own", 3), YC_RIGHT_COUNT);
    assert_int_equal(yc_grade_from_name("core", 4), YC_GRADE_CORE);
    yc_buf_cleanup(&b2);
    yc_buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_register_writes_asset_rights_and_indexes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_register_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_bad_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_shares, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_duplicate_digest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parents_and_grades, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notice_objection_and_certificate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_certificate_numbers_are_unique, setup, teardown),
        cmocka_unit_test_setup_teardown(test_objection_upheld_voids_registration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_versions_and_cycles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retire, setup, teardown),
        cmocka_unit_test(test_object_encodings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
