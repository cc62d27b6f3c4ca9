/*
 * test_ledger_market.c — market.list, market.appraise, market.bid, market.accept and
 * market.cancel: every rule and error code of issue 5's market; refusals leave state
 * unchanged (tm_expect checks it); settlement pays the exchange its fee, each contributor
 * its share and the seller the remainder, moves the right or issues the license, closes
 * the listing and releases the other bids; the price index counts exactly the deals; and
 * the whole-state check finds no breach.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_market.h"

#define FEE_BPS 250 /* 2.5 % */

static int setup(void **st)
{
    struct tmarket *m = calloc(1, sizeof *m);
    tm_init(m, FEE_BPS);
    *st = m;
    return 0;
}

static int teardown(void **st)
{
    struct tmarket *m = *st;
    tm_cleanup(m);
    free(m);
    return 0;
}

static const struct tm_terms TERMS = {.operations = {"compute", "query", NULL},
                                      .purposes = {"research", NULL},
                                      .visibility = "invisible",
                                      .fee = 5,
                                      .max_uses = 10};

static void test_list_rules(void **st)
{
    struct tmarket *m = *st;
    struct tchain *tc = &m->tc;
    uint8_t unknown[32], fresh[32], id[32];
    struct tm_terms t = TERMS;
    t.until = tc->time_ms + 86400000;

    memset(unknown, 0x5a, 32);
    tm_list_body(m, m->asset, "own", 1000, "transport", NULL);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_LIST, &m->body, YC_EBADFIELD, NULL);
    tm_list_body(m, m->asset, "hold", 0, "transport", NULL);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_LIST, &m->body, YC_EBADFIELD, NULL);
    tm_list_body(m, m->asset, "hold", 1000, "Transport!", NULL);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_LIST, &m->body, YC_EBADFIELD, NULL);
    tm_list_body(m, unknown, "hold", 1000, "transport", NULL);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_LIST, &m->body, YC_EUNKNOWNASSET, NULL);
    tm_list_body(m, m->asset, "hold", 1000, "transport", NULL);
    tm_expect(m, TC_PROCESSOR, YC_TX_MARKET_LIST, &m->body, YC_ENOTAUTH, NULL);
    tm_list_body(m, m->core, "hold", 1000, "transport", NULL);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_LIST, &m->body, YC_ECOREDATA, NULL);
    /* terms only with license offers, and complete and valid there */
    tm_list_body(m, m->asset, "hold", 1000, "transport", &t);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_LIST, &m->body, YC_EBADFIELD, NULL);
    tm_list_body(m, m->asset, "license", 1000, "transport", NULL);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_LIST, &m->body, YC_EBADFIELD, NULL);
    struct tm_terms bad = t;
    bad.operations[0] = "export";
    tm_list_body(m, m->asset, "license", 1000, "transport", &bad);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_LIST, &m->body, YC_EBADFIELD, NULL);
    bad = t;
    bad.until = tc->time_ms;
    tm_list_body(m, m->asset, "license", 1000, "transport", &bad);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_LIST, &m->body, YC_EBADTIME, NULL);
    bad = t;
    bad.visibility = "opaque";
    tm_list_body(m, m->asset, "license", 1000, "transport", &bad);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_LIST, &m->body, YC_EBADFIELD, NULL);
    /* not certified yet */
    struct hb_asset a = {.title = "Fresh",
                         .catalog = "traffic.flow",
                         .source = "public",
                         .grade = "general",
                         .sector = "transport",
                         .digest_byte = 0x31,
                         .self = tm_pub(m, TC_ENTERPRISE)};
    hb_asset_register(&m->body, &a);
    tm_expect(m, TC_ENTERPRISE, YC_TX_ASSET_REGISTER, &m->body, YC_OK, fresh);
    tm_list_body(m, fresh, "hold", 1000, "transport", NULL);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_LIST, &m->body, YC_ENOTCERTIFIED, NULL);
    /* a product's operate right, by its holder; a license offer with its terms */
    tm_list_body(m, m->product, "operate", 700, "transport", NULL);
    tm_expect(m, TC_PROCESSOR, YC_TX_MARKET_LIST, &m->body, YC_OK, NULL);
    tm_list_body(m, m->asset, "license", 300, "transport", &t);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_LIST, &m->body, YC_OK, id);
    /* a retired asset is not sold */
    hb_asset_ref(&m->body, m->product, "superseded");
    tm_expect(m, TC_PROCESSOR, YC_TX_ASSET_RETIRE, &m->body, YC_OK, NULL);
    tm_list_body(m, m->product, "operate", 700, "transport", NULL);
    tm_expect(m, TC_PROCESSOR, YC_TX_MARKET_LIST, &m->body, YC_ERETIRED, NULL);
    struct yc_listing l;
    assert_int_equal(tm_listing(m, id, &l), YC_OK);
    assert_true(tm_is(&l.status, "open"));
    assert_int_equal(l.price, 300);
    assert_int_equal(l.fee, 5);
    assert_int_equal(l.max_uses, 10);
    assert_int_equal(l.nbids, 0);
}

static void test_appraise(void **st)
{
    struct tmarket *m = *st;
    uint8_t lid[32], unknown[32], report[32];
    struct hm h;

    memset(unknown, 0x5b, 32);
    memset(report, 0x44, 32);
    tm_list(m, TC_ENTERPRISE, m->asset, "hold", 1000, lid);
    hm_init(&h);
    hm_bin(&h, "listing", lid, 32);
    hm_str(&h, "method", "income");
    hm_bin(&h, "report", report, 32);
    hm_u64(&h, "value", 1200);
    hm_finish(&h, YC_TX_MARKET_APPRAISE, &m->body);
    tm_expect(m, TC_PROCESSOR, YC_TX_MARKET_APPRAISE, &m->body, YC_ENOTAUTH, NULL);
    tm_expect(m, TM_APPRAISER, YC_TX_MARKET_APPRAISE, &m->body, YC_OK, NULL);
    tm_expect(m, TM_APPRAISER2, YC_TX_MARKET_APPRAISE, &m->body, YC_OK, NULL);
    struct yc_listing l;
    assert_int_equal(tm_listing(m, lid, &l), YC_OK);
    assert_int_equal(l.appraisals, 2);

    hm_init(&h);
    hm_bin(&h, "listing", unknown, 32);
    hm_str(&h, "method", "income");
    hm_bin(&h, "report", report, 32);
    hm_u64(&h, "value", 1200);
    hm_finish(&h, YC_TX_MARKET_APPRAISE, &m->body);
    tm_expect(m, TM_APPRAISER, YC_TX_MARKET_APPRAISE, &m->body, YC_EUNKNOWNOBJ, NULL);
    hm_init(&h);
    hm_bin(&h, "listing", lid, 32);
    hm_str(&h, "method", "Income");
    hm_bin(&h, "report", report, 32);
    hm_u64(&h, "value", 1200);
    hm_finish(&h, YC_TX_MARKET_APPRAISE, &m->body);
    tm_expect(m, TM_APPRAISER, YC_TX_MARKET_APPRAISE, &m->body, YC_EBADFIELD, NULL);
    hm_init(&h);
    hm_bin(&h, "listing", lid, 32);
    hm_str(&h, "method", "income");
    hm_bin(&h, "report", report, 32);
    hm_u64(&h, "value", 0);
    hm_finish(&h, YC_TX_MARKET_APPRAISE, &m->body);
    tm_expect(m, TM_APPRAISER, YC_TX_MARKET_APPRAISE, &m->body, YC_EBADFIELD, NULL);
    /* a report digest of the wrong size is refused at decoding */
    hm_init(&h);
    hm_bin(&h, "listing", lid, 32);
    hm_str(&h, "method", "income");
    hm_bin(&h, "report", report, 31);
    hm_u64(&h, "value", 5);
    hm_finish(&h, YC_TX_MARKET_APPRAISE, &m->body);
    assert_int_equal(tc_decode_code(&m->tc, TC_EXCHANGE, YC_TX_MARKET_APPRAISE, &m->body),
                     YC_EBADDIGEST);
    /* a frozen appraiser appraises nothing */
    tm_credit(m, TM_APPRAISER2, "frozen", NULL);
    hm_init(&h);
    hm_bin(&h, "listing", lid, 32);
    hm_str(&h, "method", "cost");
    hm_bin(&h, "report", report, 32);
    hm_u64(&h, "value", 10);
    hm_finish(&h, YC_TX_MARKET_APPRAISE, &m->body);
    tm_expect(m, TM_APPRAISER2, YC_TX_MARKET_APPRAISE, &m->body, YC_EFROZEN, NULL);
    /* closed listings take no appraisal */
    tm_id_body(m, YC_TX_MARKET_CANCEL, "listing", lid);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_CANCEL, &m->body, YC_OK, NULL);
    hm_init(&h);
    hm_bin(&h, "listing", lid, 32);
    hm_str(&h, "method", "cost");
    hm_bin(&h, "report", report, 32);
    hm_u64(&h, "value", 10);
    hm_finish(&h, YC_TX_MARKET_APPRAISE, &m->body);
    tm_expect(m, TM_APPRAISER, YC_TX_MARKET_APPRAISE, &m->body, YC_ECLOSED, NULL);
}

static void test_bid_rules(void **st)
{
    struct tmarket *m = *st;
    struct tchain *tc = &m->tc;
    uint8_t lid[32], unknown[32], bid[32];

    memset(unknown, 0x5c, 32);
    tm_list(m, TC_ENTERPRISE, m->asset, "hold", 1000, lid);
    uint64_t later = tc->time_ms + 60000;
    tm_bid_body(m, lid, 0, later);
    tm_expect(m, TC_PROCESSOR, YC_TX_MARKET_BID, &m->body, YC_EBADFIELD, NULL);
    tm_bid_body(m, unknown, 900, later);
    tm_expect(m, TC_PROCESSOR, YC_TX_MARKET_BID, &m->body, YC_EUNKNOWNOBJ, NULL);
    tm_bid_body(m, lid, 900, later);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_BID, &m->body, YC_EBADFIELD, NULL);
    tm_bid_body(m, lid, 900, tc->time_ms);
    tm_expect(m, TC_PROCESSOR, YC_TX_MARKET_BID, &m->body, YC_EBADTIME, NULL);
    tm_bid_body(m, lid, 900, later);
    tm_expect(m, TC_ALICE, YC_TX_MARKET_BID, &m->body, YC_EBADROLE, NULL); /* hold: holder roles */
    tm_bid_body(m, lid, 60000, later);
    tm_expect(m, TC_PROCESSOR, YC_TX_MARKET_BID, &m->body, YC_EBALANCE, NULL);
    uint64_t before = tm_balance(m, TC_PROCESSOR);
    tm_bid_body(m, lid, 900, later);
    tm_expect(m, TC_PROCESSOR, YC_TX_MARKET_BID, &m->body, YC_OK, bid);
    assert_int_equal(tm_balance(m, TC_PROCESSOR), before - 900);
    struct yc_bid b;
    assert_int_equal(tm_bid_get(m, bid, &b), YC_OK);
    assert_int_equal(b.escrow, 900);
    assert_string_equal(yc_bid_status(&b, tc->time_ms), "open");
    assert_string_equal(yc_bid_status(&b, later), "expired");
    struct yc_listing l;
    assert_int_equal(tm_listing(m, lid, &l), YC_OK);
    assert_int_equal(l.nbids, 1);
    assert_memory_equal(l.bids[0], bid, 32);
    /* the listing's open bids are capped */
    for (int i = 1; i < YC_LISTING_BIDS_MAX; i++) {
        tm_bid_body(m, lid, 1, later + (uint64_t)i);
        tm_expect(m, TM_BUYER, YC_TX_MARKET_BID, &m->body, YC_OK, NULL);
    }
    tm_bid_body(m, lid, 1, later);
    tm_expect(m, TM_BUYER, YC_TX_MARKET_BID, &m->body, YC_ETOOMANY, NULL);
    assert_int_equal(tm_check(m), 0);
}

static void test_accept_settles(void **st)
{
    struct tmarket *m = *st;
    struct tchain *tc = &m->tc;
    uint8_t lid[32], b1[32], b2[32], deal[32], h[33];

    tm_list(m, TC_ENTERPRISE, m->asset, "hold", 1000, lid);
    tm_bid(m, TC_PROCESSOR, lid, 900, b1);
    tm_bid(m, TM_BUYER, lid, 1001, b2);
    uint64_t money = tm_money(m);
    uint64_t ent = tm_balance(m, TC_ENTERPRISE), alice = tm_balance(m, TC_ALICE),
             bob = tm_balance(m, TC_BOB), exch = tm_balance(m, TC_EXCHANGE),
             proc = tm_balance(m, TC_PROCESSOR), buyer = tm_balance(m, TM_BUYER);

    /* only the seller accepts */
    tm_id_body(m, YC_TX_MARKET_ACCEPT, "bid", b2);
    tm_expect(m, TC_PROCESSOR, YC_TX_MARKET_ACCEPT, &m->body, YC_ENOTAUTH, NULL);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_ACCEPT, &m->body, YC_OK, deal);

    /* 1001: fee floor(1001 * 250 / 10000) = 25; net 976: alice 292, bob 97, enterprise
     * 585 as contributor + remainder 2 as seller */
    assert_int_equal(tm_balance(m, TC_EXCHANGE), exch + 25);
    assert_int_equal(tm_balance(m, TC_ALICE), alice + 292);
    assert_int_equal(tm_balance(m, TC_BOB), bob + 97);
    assert_int_equal(tm_balance(m, TC_ENTERPRISE), ent + 585 + 2);
    assert_int_equal(tm_balance(m, TM_BUYER), buyer);          /* paid at bid time */
    assert_int_equal(tm_balance(m, TC_PROCESSOR), proc + 900); /* released */
    ta_holder(tc, m->asset, YC_RIGHT_HOLD, h);
    assert_memory_equal(h, tm_pub(m, TM_BUYER), 33);
    ta_holder(tc, m->asset, YC_RIGHT_PROCESS, h);
    assert_memory_equal(h, tm_pub(m, TC_ENTERPRISE), 33);

    struct yc_deal d;
    assert_int_equal(tm_deal(m, deal, &d), YC_OK);
    assert_int_equal(d.price, 1001);
    assert_int_equal(d.fee, 25);
    assert_false(d.cross_border);
    assert_int_equal(d.npayouts, 4);
    assert_int_equal(d.payouts[3].amount, 2);
    assert_memory_equal(d.payouts[3].pub, tm_pub(m, TC_ENTERPRISE), 33);
    struct yc_bid b;
    assert_int_equal(tm_bid_get(m, b1, &b), YC_OK);
    assert_true(tm_is(&b.status, "released"));
    assert_int_equal(b.escrow, 0);
    assert_int_equal(tm_bid_get(m, b2, &b), YC_OK);
    assert_true(tm_is(&b.status, "accepted"));
    struct yc_listing l;
    assert_int_equal(tm_listing(m, lid, &l), YC_OK);
    assert_true(tm_is(&l.status, "sold"));
    assert_true(l.has_deal);
    assert_int_equal(l.nbids, 0);

    /* closed for good; the buyer now holds and sells again */
    tm_id_body(m, YC_TX_MARKET_ACCEPT, "bid", b1);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_ACCEPT, &m->body, YC_ECLOSED, NULL);
    tm_bid_body(m, lid, 5, tc->time_ms + 1000);
    tm_expect(m, TC_PROCESSOR, YC_TX_MARKET_BID, &m->body, YC_ECLOSED, NULL);
    assert_int_equal(tm_money(m), money);

    /* the price index: one deal, then a second in the same period */
    uint8_t lid2[32], b3[32];
    tm_list(m, TM_BUYER, m->asset, "hold", 500, lid2);
    tm_bid(m, TC_PROCESSOR, lid2, 499, b3);
    tm_id_body(m, YC_TX_MARKET_ACCEPT, "bid", b3);
    tm_expect(m, TM_BUYER, YC_TX_MARKET_ACCEPT, &m->body, YC_OK, NULL);
    uint8_t key[YC_KEY_MAX];
    const uint8_t *v;
    size_t vlen;
    struct yc_slice sector = {"transport", 9};
    uint64_t period = tc->time_ms / YC_PRICE_PERIOD_MS * YC_PRICE_PERIOD_MS;
    assert_int_equal(tm_get(m, key, yc_key_price(key, &sector, true, period), &v, &vlen), YC_OK);
    struct yc_price_point pp;
    assert_int_equal(yc_price_decode(&pp, v, vlen), YC_OK);
    assert_int_equal(pp.count, 2);
    assert_int_equal(pp.volume, 1500);
    assert_int_equal(pp.high, 1001);
    assert_int_equal(pp.low, 499);
    assert_int_equal(pp.vwap, 750);
    assert_int_equal(tm_check(m), 0);
}

static void test_accept_rules(void **st)
{
    struct tmarket *m = *st;
    struct tchain *tc = &m->tc;
    uint8_t lid[32], bid[32], unknown[32], h[33];

    memset(unknown, 0x5d, 32);
    tm_id_body(m, YC_TX_MARKET_ACCEPT, "bid", unknown);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_ACCEPT, &m->body, YC_EUNKNOWNOBJ, NULL);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_CANCEL, &m->body, YC_EUNKNOWNOBJ, NULL);
    tm_id_body(m, YC_TX_MARKET_CANCEL, "listing", unknown);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_CANCEL, &m->body, YC_EUNKNOWNOBJ, NULL);
    tm_list(m, TC_ENTERPRISE, m->asset, "hold", 1000, lid);
    tm_bid_body(m, lid, 800, tc->time_ms + 1500);
    tm_expect(m, TC_PROCESSOR, YC_TX_MARKET_BID, &m->body, YC_OK, bid);
    tc_commit(tc);
    tc_commit(tc); /* block time passes the bid's expiry */
    tm_id_body(m, YC_TX_MARKET_ACCEPT, "bid", bid);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_ACCEPT, &m->body, YC_EEXPIRED, NULL);
    /* an expired bid's escrow comes back when its bidder cancels it */
    uint64_t before = tm_balance(m, TC_PROCESSOR);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_CANCEL, &m->body, YC_ENOTAUTH, NULL);
    tm_expect(m, TC_PROCESSOR, YC_TX_MARKET_CANCEL, &m->body, YC_OK, NULL);
    assert_int_equal(tm_balance(m, TC_PROCESSOR), before + 800);
    tm_expect(m, TC_PROCESSOR, YC_TX_MARKET_CANCEL, &m->body, YC_ECLOSED, NULL);

    /* the seller who no longer holds the right cannot settle */
    tm_bid(m, TC_PROCESSOR, lid, 700, bid);
    hb_right_transfer(&m->body, m->asset, "hold", tm_pub(m, TM_BUYER));
    tm_expect(m, TC_ENTERPRISE, YC_TX_RIGHT_TRANSFER, &m->body, YC_OK, NULL);
    tm_id_body(m, YC_TX_MARKET_ACCEPT, "bid", bid);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_ACCEPT, &m->body, YC_ENOTAUTH, NULL);
    /* cancelling the listing releases its bids */
    before = tm_balance(m, TC_PROCESSOR);
    tm_id_body(m, YC_TX_MARKET_CANCEL, "listing", lid);
    tm_expect(m, TC_PROCESSOR, YC_TX_MARKET_CANCEL, &m->body, YC_ENOTAUTH, NULL);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_CANCEL, &m->body, YC_OK, NULL);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_CANCEL, &m->body, YC_ECLOSED, NULL);
    assert_int_equal(tm_balance(m, TC_PROCESSOR), before + 700);
    ta_holder(tc, m->asset, YC_RIGHT_HOLD, h);
    assert_memory_equal(h, tm_pub(m, TM_BUYER), 33);
    /* cancel names exactly one thing */
    struct hm hh;
    hm_init(&hh);
    hm_bin(&hh, "bid", bid, 32);
    hm_bin(&hh, "listing", lid, 32);
    hm_finish(&hh, YC_TX_MARKET_CANCEL, &m->body);
    assert_int_equal(tc_decode_code(tc, TC_ENTERPRISE, YC_TX_MARKET_CANCEL, &m->body),
                     YC_EBADFIELD);
    assert_int_equal(tm_check(m), 0);
}

static void test_license_offer(void **st)
{
    struct tmarket *m = *st;
    struct tchain *tc = &m->tc;
    uint8_t lid[32], bid[32], deal[32];
    struct tm_terms t = TERMS;
    t.until = tc->time_ms + 86400000;

    tm_list_body(m, m->asset, "license", 300, "transport", &t);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_LIST, &m->body, YC_OK, lid);
    /* licensees may be appraisers and financial institutions, not individuals */
    tm_bid_body(m, lid, 300, tc->time_ms + 60000);
    tm_expect(m, TC_ALICE, YC_TX_MARKET_BID, &m->body, YC_EBADROLE, NULL);
    tm_bid(m, TC_PROCESSOR, lid, 300, bid);
    tm_id_body(m, YC_TX_MARKET_ACCEPT, "bid", bid);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_ACCEPT, &m->body, YC_OK, deal);
    struct yc_deal d;
    assert_int_equal(tm_deal(m, deal, &d), YC_OK);
    assert_true(d.has_license);
    uint8_t sub[32];
    yc_hash_sub_id(sub, deal, 1);
    assert_memory_equal(d.license, sub, 32);
    struct yc_license l;
    assert_int_equal(ta_license(tc, d.license, &l), YC_OK);
    assert_memory_equal(l.licensee, tm_pub(m, TC_PROCESSOR), 33);
    assert_memory_equal(l.licensor, tm_pub(m, TC_ENTERPRISE), 33);
    assert_int_equal(l.fee, 5);
    assert_int_equal(l.max_uses, 10);
    assert_true(tm_is(&l.right, "process"));
    /* the right stays; the licensee uses the data under the license it bought */
    uint8_t h[33];
    ta_holder(tc, m->asset, YC_RIGHT_HOLD, h);
    assert_memory_equal(h, tm_pub(m, TC_ENTERPRISE), 33);
    struct hb_usage u = {.license = d.license, .purpose = "research", .operation = "compute"};
    hb_usage(&m->body, &u);
    tm_expect(m, TC_PROCESSOR, YC_TX_USAGE_RECORD, &m->body, YC_OK, NULL);
    assert_int_equal(tm_check(m), 0);
}

static void test_decode_shapes(void **st)
{
    struct tmarket *m = *st;
    struct tchain *tc = &m->tc;
    struct hm h;
    uint8_t id[32];

    memset(id, 1, 32);
    /* unknown field */
    hm_init(&h);
    hm_bin(&h, "bid", id, 32);
    hm_str(&h, "memo", "x");
    hm_finish(&h, YC_TX_MARKET_ACCEPT, &m->body);
    assert_int_equal(tc_decode_code(tc, TC_ENTERPRISE, YC_TX_MARKET_ACCEPT, &m->body),
                     YC_EBADFIELD);
    /* missing field */
    hm_init(&h);
    hm_u64(&h, "expires", 5);
    hm_u64(&h, "price", 5);
    hm_finish(&h, YC_TX_MARKET_BID, &m->body);
    assert_int_equal(tc_decode_code(tc, TC_PROCESSOR, YC_TX_MARKET_BID, &m->body), YC_EBADFIELD);
    /* too many operations */
    const char *many[YC_LIST_MAX + 2];
    for (int i = 0; i <= YC_LIST_MAX; i++) {
        many[i] = "compute";
    }
    many[YC_LIST_MAX + 1] = NULL;
    hm_init(&h);
    hm_bin(&h, "asset", id, 32);
    hm_str(&h, "offer", "license");
    hm_list(&h, "operations", many);
    hm_u64(&h, "price", 5);
    hm_str(&h, "sector", "x");
    hm_finish(&h, YC_TX_MARKET_LIST, &m->body);
    assert_int_equal(tc_decode_code(tc, TC_ENTERPRISE, YC_TX_MARKET_LIST, &m->body), YC_ETOOMANY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_list_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_appraise, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bid_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_settles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_license_offer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_shapes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
