/*
 * test_ledger_market_objects.c — the issue-5 state objects (market.h): every object
 * encodes canonically and decodes to the same bytes (optional fields present and
 * absent); a stored object with a missing, unknown or mistyped field, or trailing bytes,
 * is corrupt; keys have the documented shapes; bid and assessment statuses follow block
 * time; jurisdictions inside China are recognised.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "yc/codec.h"
#include "yc/market.h"
#include "yc/objects.h"

#define S(lit) ((struct yc_slice){lit, sizeof(lit) - 1})

typedef int (*enc_fn)(const void *, struct yc_buf *);
typedef int (*dec_fn)(void *, const uint8_t *, size_t);

/* encode → canonical → decode → encode again: the same bytes. */
static void roundtrip(const void *obj, void *scratch, enc_fn enc, dec_fn dec)
{
    struct yc_buf a, b;
    yc_buf_init(&a, 0);
    yc_buf_init(&b, 0);
    assert_int_equal(enc(obj, &a), YC_OK);
    assert_int_equal(yc_canon_check(a.data, a.len, &YC_LIMITS_DEFAULT), YC_OK);
    assert_int_equal(dec(scratch, a.data, a.len), YC_OK);
    assert_int_equal(enc(scratch, &b), YC_OK);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    /* one byte more, one byte less: corrupt */
    uint8_t *longer = malloc(a.len + 1);
    memcpy(longer, a.data, a.len);
    longer[a.len] = 0xc0;
    assert_int_equal(dec(scratch, longer, a.len + 1), YC_ECORRUPT);
    assert_int_equal(dec(scratch, a.data, a.len - 1), YC_ECORRUPT);
    free(longer);
    yc_buf_cleanup(&a);
    yc_buf_cleanup(&b);
}

#define WRAP(name, T)                                          \
    static int enc_##name(const void *o, struct yc_buf *b)     \
    {                                                          \
        return yc_##name##_encode((const T *)o, b);            \
    }                                                          \
    static int dec_##name(void *o, const uint8_t *p, size_t n) \
    {                                                          \
        return yc_##name##_decode((T *)o, p, n);               \
    }
WRAP(listing, struct yc_listing)
WRAP(bid, struct yc_bid)
WRAP(appraisal, struct yc_appraisal)
WRAP(deal, struct yc_deal)
WRAP(price, struct yc_price_point)
WRAP(pledge, struct yc_pledge)
WRAP(policy, struct yc_policy)
WRAP(assessment, struct yc_assessment)
WRAP(credit, struct yc_credit)
WRAP(credit_state, struct yc_credit_state)
WRAP(alert, struct yc_alert)
WRAP(supply, struct yc_supply)
#undef WRAP

static void test_roundtrips(void **st)
{
    (void)st;
    union {
        struct yc_listing l;
        struct yc_bid b;
        struct yc_appraisal a;
        struct yc_deal d;
        struct yc_price_point p;
        struct yc_pledge pl;
        struct yc_policy pol;
        struct yc_assessment as;
        struct yc_credit c;
        struct yc_credit_state cs;
        struct yc_alert al;
        struct yc_supply su;
    } *x = calloc(1, sizeof *x);

    struct yc_listing l = {.appraisals = 2,
                           .nbids = 2,
                           .offer = S("hold"),
                           .price = 900,
                           .sector = S("transport"),
                           .status = S("open"),
                           .time_ms = 7};
    memset(l.bids[1], 3, 32);
    roundtrip(&l, x, enc_listing, dec_listing);
    l.has_deal = true;
    l.offer = S("license");
    l.visibility = S("invisible");
    l.operations.n = 1;
    l.operations.items[0] = S("compute");
    l.purposes.n = 1;
    l.purposes.items[0] = S("research");
    roundtrip(&l, x, enc_listing, dec_listing);

    struct yc_bid b = {.escrow = 5, .expires = 9, .price = 5, .status = S("open")};
    roundtrip(&b, x, enc_bid, dec_bid);
    struct yc_appraisal a = {.method = S("income"), .value = 1};
    roundtrip(&a, x, enc_appraisal, dec_appraisal);

    struct yc_deal d = {.offer = S("hold"),
                        .price = 10,
                        .sector = S("t"),
                        .npayouts = 2,
                        .payouts = {{.amount = 4}, {.amount = 6}}};
    roundtrip(&d, x, enc_deal, dec_deal);
    d.has_assessment = d.has_exchange = d.has_license = true;
    d.cross_border = true;
    d.destination = S("SG");
    roundtrip(&d, x, enc_deal, dec_deal);

    struct yc_price_point p = {.count = 1, .sector = S("t"), .volume = 3, .vwap = 3};
    roundtrip(&p, x, enc_price, dec_price);
    struct yc_pledge pl = {.amount = 1, .status = S("active")};
    roundtrip(&pl, x, enc_pledge, dec_pledge);

    struct yc_policy pol = {.version = 3,
                            .nbanned_accounts = 1,
                            .nalert_accounts = 2,
                            .alert_cross_border = true,
                            .alert_amount = 5};
    pol.banned_jurisdictions.n = 1;
    pol.banned_jurisdictions.items[0] = S("SG");
    roundtrip(&pol, x, enc_policy, dec_policy);

    struct yc_assessment as = {.destination = S("SG"), .outcome = S("approved"), .until = 10};
    roundtrip(&as, x, enc_assessment, dec_assessment);
    assert_string_equal(yc_assessment_status(&as, 9), "approved");
    assert_string_equal(yc_assessment_status(&as, 10), "expired");
    as.outcome = S("denied");
    assert_string_equal(yc_assessment_status(&as, 0), "denied");

    struct yc_credit c = {.reason = S("fraud"), .severity = S("frozen"), .status = S("active")};
    roundtrip(&c, x, enc_credit, dec_credit);
    c.note = S("ok");
    c.has_objection = true;
    c.objection_reason = S("mistake");
    c.status = S("objected");
    roundtrip(&c, x, enc_credit, dec_credit);

    struct yc_credit_state cs = {.frozen = 1, .warning = 2};
    roundtrip(&cs, x, enc_credit_state, dec_credit_state);
    struct yc_alert al = {.kind = S("cross_border"), .type = S("market.accept")};
    roundtrip(&al, x, enc_alert, dec_alert);
    al.has_account = al.has_asset = true;
    roundtrip(&al, x, enc_alert, dec_alert);
    struct yc_supply su = {.issued = 10, .redeemed = 3};
    roundtrip(&su, x, enc_supply, dec_supply);
    free(x);
}

static void test_statuses_and_keys(void **st)
{
    (void)st;
    struct yc_bid b = {.expires = 100, .status = S("open")};
    assert_string_equal(yc_bid_status(&b, 99), "open");
    assert_string_equal(yc_bid_status(&b, 100), "expired");
    b.closed_at = 5;
    b.status = S("released");
    assert_string_equal(yc_bid_status(&b, 200), "released");

    struct yc_slice cn = S("CN"), cq = S("CN-CQ"), sg = S("SG"), cnx = S("CNX");
    assert_true(yc_jurisdiction_domestic(&cn));
    assert_true(yc_jurisdiction_domestic(&cq));
    assert_false(yc_jurisdiction_domestic(&sg));
    assert_false(yc_jurisdiction_domestic(&cnx));

    uint8_t key[YC_KEY_MAX], id[32];
    memset(id, 0xab, 32);
    struct yc_slice sector = S("transport");
    size_t n = yc_key_price(key, &sector, true, 0x0102030405060708ull);
    assert_int_equal(n, strlen("price_index/") + 1 + 9 + 8);
    assert_int_equal(key[strlen("price_index/")], 9);
    assert_int_equal(key[n - 1], 0x08);
    n = yc_key_alert(key, 1, 2, 3);
    assert_int_equal(n, strlen("alert/") + 13);
    assert_int_equal(key[n - 1], 3);
    assert_int_equal(key[n - 2], 2);
    struct yc_slice dest = S("SG");
    n = yc_key_export(key, id, &dest);
    assert_int_equal(n, strlen("export/") + 32 + 2);
    assert_int_equal(yc_key_policy(key), strlen("policy"));
    assert_int_equal(yc_key_listing(key, id), strlen("listing/") + 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrips),
        cmocka_unit_test(test_statuses_and_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
