/*
 * test_ledger_market_supervision.c — the regulator's rules of issue 5: grades at the
 * border (core_data, export_assessment_required) on bids, deals, licenses, transfers and
 * carries; export.assess; policy.set with its versioned negative list (negative_list)
 * and alert rules (alerts kept in state); credit.record / object / resolve / restore and
 * the `frozen` refusals of every trading action. Refusals leave state unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_market.h"

static int setup(void **st)
{
    struct tmarket *m = calloc(1, sizeof *m);
    tm_init(m, 100);
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

static void license_body(struct tmarket *m, const uint8_t *asset, uint32_t licensee, const char *op)
{
    struct hb_license l = {.asset = asset,
                           .licensee = tm_pub(m, licensee),
                           .visibility = "visible",
                           .until = m->tc.time_ms + 3600000,
                           .operations = {op, NULL},
                           .purposes = {"research", NULL}};
    hb_right_license(&m->body, &l);
}

static bool credit_is(struct tmarket *m, uint32_t who, const char *status)
{
    struct yc_account a = tm_account(m, who);
    return tm_is(&a.credit, status);
}

static void test_export_assess(void **st)
{
    struct tmarket *m = *st;
    struct tchain *tc = &m->tc;
    uint8_t lid[32], bid[32], unknown[32], report[32];
    struct hm h;

    memset(unknown, 0x51, 32);
    memset(report, 0x52, 32);
    tm_list(m, TC_ENTERPRISE, m->important, "hold", 1000, lid);
    /* important data to a foreign buyer: refused without an assessment */
    tm_bid_body(m, lid, 900, tc->time_ms + 3600000);
    tm_expect(m, TM_FOREIGN, YC_TX_MARKET_BID, &m->body, YC_EEXPORTREQ, NULL);
    /* the assessment's own rules */
    hm_init(&h);
    hm_bin(&h, "asset", m->important, 32);
    hm_str(&h, "destination", "SG");
    hm_str(&h, "outcome", "approved");
    hm_bin(&h, "report", report, 32);
    hm_u64(&h, "until", tc->time_ms + 86400000);
    hm_finish(&h, YC_TX_EXPORT_ASSESS, &m->body);
    tm_expect(m, TC_EXCHANGE, YC_TX_EXPORT_ASSESS, &m->body, YC_ENOTAUTH, NULL);
    hm_init(&h);
    hm_bin(&h, "asset", unknown, 32);
    hm_str(&h, "destination", "SG");
    hm_str(&h, "outcome", "approved");
    hm_bin(&h, "report", report, 32);
    hm_u64(&h, "until", tc->time_ms + 86400000);
    hm_finish(&h, YC_TX_EXPORT_ASSESS, &m->body);
    tm_expect(m, TC_REGULATOR, YC_TX_EXPORT_ASSESS, &m->body, YC_EUNKNOWNASSET, NULL);
    hm_init(&h);
    hm_bin(&h, "asset", m->important, 32);
    hm_str(&h, "destination", "CN-SC");
    hm_str(&h, "outcome", "approved");
    hm_bin(&h, "report", report, 32);
    hm_u64(&h, "until", tc->time_ms + 86400000);
    hm_finish(&h, YC_TX_EXPORT_ASSESS, &m->body);
    tm_expect(m, TC_REGULATOR, YC_TX_EXPORT_ASSESS, &m->body, YC_EBADFIELD, NULL);
    hm_init(&h);
    hm_bin(&h, "asset", m->important, 32);
    hm_str(&h, "destination", "SG");
    hm_str(&h, "outcome", "maybe");
    hm_bin(&h, "report", report, 32);
    hm_u64(&h, "until", tc->time_ms + 86400000);
    hm_finish(&h, YC_TX_EXPORT_ASSESS, &m->body);
    tm_expect(m, TC_REGULATOR, YC_TX_EXPORT_ASSESS, &m->body, YC_EBADFIELD, NULL);
    hm_init(&h);
    hm_bin(&h, "asset", m->important, 32);
    hm_str(&h, "destination", "SG");
    hm_str(&h, "outcome", "approved");
    hm_bin(&h, "report", report, 32);
    hm_u64(&h, "until", tc->time_ms);
    hm_finish(&h, YC_TX_EXPORT_ASSESS, &m->body);
    tm_expect(m, TC_REGULATOR, YC_TX_EXPORT_ASSESS, &m->body, YC_EBADTIME, NULL);
    /* denied, then another destination approved: still refused */
    tm_assess(m, m->important, "SG", "denied", 0);
    tm_assess(m, m->important, "US", "approved", tc->time_ms + 86400000);
    tm_bid_body(m, lid, 900, tc->time_ms + 3600000);
    tm_expect(m, TM_FOREIGN, YC_TX_MARKET_BID, &m->body, YC_EEXPORTREQ, NULL);
    /* approved for SG: the bid and the deal go through, recording the approval */
    tm_assess(m, m->important, "SG", "approved", tc->time_ms + 10000);
    tm_bid_body(m, lid, 900, tc->time_ms + 3600000);
    tm_expect(m, TM_FOREIGN, YC_TX_MARKET_BID, &m->body, YC_OK, bid);
    tm_id_body(m, YC_TX_MARKET_ACCEPT, "bid", bid);
    uint8_t deal[32];
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_ACCEPT, &m->body, YC_OK, deal);
    struct yc_deal d;
    assert_int_equal(tm_deal(m, deal, &d), YC_OK);
    assert_true(d.cross_border);
    assert_true(d.has_assessment);
    assert_true(tm_is(&d.destination, "SG"));
    assert_int_equal(tm_check(m), 0);
    /* the approval expires: the foreign holder cannot pass it on abroad... */
    for (int i = 0; i < 11; i++) {
        tc_commit(tc);
    }
    hb_right_transfer(&m->body, m->important, "process", tm_pub(m, TC_PROCESSOR));
    tm_expect(m, TC_ENTERPRISE, YC_TX_RIGHT_TRANSFER, &m->body, YC_OK, NULL);
    license_body(m, m->important, TM_FOREIGN, "compute");
    tm_expect(m, TC_PROCESSOR, YC_TX_RIGHT_LICENSE, &m->body, YC_EEXPORTREQ, NULL);
    /* ...and general data crosses freely */
    license_body(m, m->asset, TM_FOREIGN, "compute");
    tm_expect(m, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &m->body, YC_OK, NULL);
}

static void test_core_data(void **st)
{
    struct tmarket *m = *st;
    uint8_t carry[32];
    /* core data: never listed (test_ledger_market), never licensed for export, never
     * across the border by license, transfer or carry */
    license_body(m, m->core, TC_PROCESSOR, "export");
    tm_expect(m, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &m->body, YC_ECOREDATA, NULL);
    license_body(m, m->core, TM_FOREIGN, "compute");
    tm_expect(m, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &m->body, YC_ECOREDATA, NULL);
    license_body(m, m->core, TC_PROCESSOR, "compute");
    tm_expect(m, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &m->body, YC_OK, NULL);
    hb_right_transfer(&m->body, m->core, "process", tm_pub(m, TM_FOREIGN));
    tm_expect(m, TC_ENTERPRISE, YC_TX_RIGHT_TRANSFER, &m->body, YC_ECOREDATA, NULL);
    struct hm h;
    hm_init(&h);
    hm_bin(&h, "asset", m->core, 32);
    hm_list(&h, "categories", (const char *[]){"location", NULL});
    hm_bin(&h, "holder", tm_pub(m, TC_ENTERPRISE), 33);
    hm_bin(&h, "recipient", tm_pub(m, TM_FOREIGN), 33);
    hm_finish(&h, YC_TX_CARRY_REQUEST, &m->body);
    tm_expect(m, TC_ALICE, YC_TX_CARRY_REQUEST, &m->body, YC_ECOREDATA, NULL);
    hm_init(&h);
    hm_bin(&h, "asset", m->important, 32);
    hm_list(&h, "categories", (const char *[]){"location", NULL});
    hm_bin(&h, "holder", tm_pub(m, TC_ENTERPRISE), 33);
    hm_bin(&h, "recipient", tm_pub(m, TM_FOREIGN), 33);
    hm_finish(&h, YC_TX_CARRY_REQUEST, &m->body);
    tm_expect(m, TC_ALICE, YC_TX_CARRY_REQUEST, &m->body, YC_EEXPORTREQ, NULL);
    /* inside the country a core asset may be carried; without an asset, only the parties
     * are judged */
    hm_init(&h);
    hm_bin(&h, "asset", m->core, 32);
    hm_list(&h, "categories", (const char *[]){"location", NULL});
    hm_bin(&h, "holder", tm_pub(m, TC_ENTERPRISE), 33);
    hm_bin(&h, "recipient", tm_pub(m, TC_PROCESSOR), 33);
    hm_finish(&h, YC_TX_CARRY_REQUEST, &m->body);
    tm_expect(m, TC_ALICE, YC_TX_CARRY_REQUEST, &m->body, YC_OK, carry);
    struct yc_carry c;
    assert_int_equal(ta_carry(&m->tc, carry, &c), YC_OK);
    assert_true(c.has_asset);
    assert_memory_equal(c.asset, m->core, 32);
}

static void test_negative_list(void **st)
{
    struct tmarket *m = *st;
    struct tchain *tc = &m->tc;
    uint8_t lid[32], bid[32], carry[32];
    struct hm h;

    /* only regulators set policy, in version order, with well-formed lists */
    hm_init(&h);
    hm_u64(&h, "version", 1);
    hm_finish(&h, YC_TX_POLICY_SET, &m->body);
    tm_expect(m, TC_EXCHANGE, YC_TX_POLICY_SET, &m->body, YC_ENOTAUTH, NULL);
    hm_init(&h);
    hm_u64(&h, "version", 2);
    hm_finish(&h, YC_TX_POLICY_SET, &m->body);
    tm_expect(m, TC_REGULATOR, YC_TX_POLICY_SET, &m->body, YC_EBADVERSION, NULL);
    hm_init(&h);
    hm_list(&h, "banned_jurisdictions", (const char *[]){"sg", NULL});
    tm_policy(m, &h, YC_EBADFIELD);
    hm_init(&h);
    hm_list(&h, "banned_categories", (const char *[]){"Bad", NULL});
    tm_policy(m, &h, YC_EBADFIELD);

    /* a bid placed before a category is banned cannot settle after */
    tm_list(m, TC_ENTERPRISE, m->asset, "hold", 1000, lid);
    tm_bid(m, TC_PROCESSOR, lid, 900, bid);
    hm_init(&h);
    hm_list(&h, "banned_categories", (const char *[]){"traffic.flow", NULL});
    tm_policy(m, &h, YC_OK);
    tm_id_body(m, YC_TX_MARKET_ACCEPT, "bid", bid);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_ACCEPT, &m->body, YC_ENEGLIST, NULL);
    tm_list_body(m, m->asset, "hold", 1000, "transport", NULL);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_LIST, &m->body, YC_ENEGLIST, NULL);
    license_body(m, m->asset, TC_PROCESSOR, "compute");
    tm_expect(m, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &m->body, YC_ENEGLIST, NULL);
    /* catalog-code prefixes */
    hm_init(&h);
    hm_list(&h, "banned_catalog_prefixes", (const char *[]){"traffic.", NULL});
    tm_policy(m, &h, YC_OK);
    license_body(m, m->asset, TC_PROCESSOR, "compute");
    tm_expect(m, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &m->body, YC_ENEGLIST, NULL);
    /* accounts, and destinations */
    hm_init(&h);
    hm_pubs(&h, "banned_accounts", (const uint8_t(*)[33])tm_pub(m, TC_PROCESSOR), 1);
    hm_list(&h, "banned_jurisdictions", (const char *[]){"SG", NULL});
    tm_policy(m, &h, YC_OK);
    license_body(m, m->asset, TC_PROCESSOR, "compute");
    tm_expect(m, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &m->body, YC_ENEGLIST, NULL);
    tm_id_body(m, YC_TX_MARKET_ACCEPT, "bid", bid);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_ACCEPT, &m->body, YC_ENEGLIST, NULL);
    tm_bid_body(m, lid, 800, tc->time_ms + 60000);
    tm_expect(m, TM_FOREIGN, YC_TX_MARKET_BID, &m->body, YC_ENEGLIST, NULL);
    tm_expect(m, TM_BUYER, YC_TX_MARKET_BID, &m->body, YC_OK, NULL);
    /* carries: categories and parties */
    hm_init(&h);
    hm_list(&h, "banned_categories", (const char *[]){"health", NULL});
    tm_policy(m, &h, YC_OK);
    hb_carry_request(&m->body, (const char *[]){"health", NULL}, tm_pub(m, TC_ENTERPRISE),
                     tm_pub(m, TM_BUYER));
    tm_expect(m, TC_ALICE, YC_TX_CARRY_REQUEST, &m->body, YC_ENEGLIST, NULL);
    hb_carry_request(&m->body, (const char *[]){"location", NULL}, tm_pub(m, TC_ENTERPRISE),
                     tm_pub(m, TM_BUYER));
    tm_expect(m, TC_ALICE, YC_TX_CARRY_REQUEST, &m->body, YC_OK, carry);
    /* the rules of completion time: the recipient is banned in between */
    hm_init(&h);
    hm_pubs(&h, "banned_accounts", (const uint8_t(*)[33])tm_pub(m, TM_BUYER), 1);
    tm_policy(m, &h, YC_OK);
    uint8_t pkg[32];
    memset(pkg, 0x61, 32);
    hb_carry_complete(&m->body, carry, pkg, 32);
    tm_expect(m, TC_ENTERPRISE, YC_TX_CARRY_COMPLETE, &m->body, YC_ENEGLIST, NULL);
    /* an empty version lifts everything; the old bid settles now */
    hm_init(&h);
    tm_policy(m, &h, YC_OK);
    hb_carry_complete(&m->body, carry, pkg, 32);
    tm_expect(m, TC_ENTERPRISE, YC_TX_CARRY_COMPLETE, &m->body, YC_OK, NULL);
    tm_id_body(m, YC_TX_MARKET_ACCEPT, "bid", bid);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_ACCEPT, &m->body, YC_OK, NULL);
    assert_int_equal(tm_check(m), 0);
}

static void test_alerts(void **st)
{
    struct tmarket *m = *st;
    struct tchain *tc = &m->tc;
    uint8_t lid[32], bid[32], lic[32];
    struct hm h;

    hm_init(&h);
    hm_pubs(&h, "alert_accounts", (const uint8_t(*)[33])tm_pub(m, TM_BUYER), 1);
    hm_u64(&h, "alert_amount", 500);
    hm_bool(&h, "alert_cross_border", true);
    hm_bool(&h, "alert_important", true);
    tm_policy(m, &h, YC_OK);
    assert_int_equal(tm_alert_count(m, NULL), 0);

    /* a deal above the amount; any act of the watched buyer */
    tm_list(m, TC_ENTERPRISE, m->asset, "hold", 1000, lid);
    tm_bid(m, TM_BUYER, lid, 600, bid);
    tm_id_body(m, YC_TX_MARKET_ACCEPT, "bid", bid);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_ACCEPT, &m->body, YC_OK, NULL);
    assert_int_equal(tm_alert_count(m, "deal_amount"), 1);
    assert_int_equal(tm_alert_count(m, "watched_account"), 1);
    /* cross-border license of general data; use of important data */
    license_body(m, m->product, TM_FOREIGN, "compute");
    tm_expect(m, TC_PROCESSOR, YC_TX_RIGHT_LICENSE, &m->body, YC_OK, NULL);
    assert_int_equal(tm_alert_count(m, "cross_border"), 1);
    license_body(m, m->important, TC_PROCESSOR, "compute");
    tm_expect(m, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &m->body, YC_OK, lic);
    struct hb_usage u = {.license = lic, .purpose = "research", .operation = "compute"};
    hb_usage(&m->body, &u);
    tm_expect(m, TC_PROCESSOR, YC_TX_USAGE_RECORD, &m->body, YC_OK, NULL);
    /* the license of important data and its use: two alerts */
    assert_int_equal(tm_alert_count(m, "important_data"), 2);
    /* alerts are state: the same on replay, keyed by (height, index, seq) */
    uint8_t key[YC_KEY_MAX];
    const uint8_t *v;
    size_t vlen;
    struct yc_alert a;
    assert_int_equal(tm_get(m, key, yc_key_alert(key, tc->height - 1, 1, 0), &v, &vlen), YC_OK);
    assert_int_equal(yc_alert_decode(&a, v, vlen), YC_OK);
    assert_true(tm_is(&a.kind, "important_data"));
    assert_true(tm_is(&a.type, "usage.record"));
    assert_int_equal(a.policy_version, 1);
}

static void test_credit(void **st)
{
    struct tmarket *m = *st;
    struct tchain *tc = &m->tc;
    uint8_t cr[32], cr2[32], lid[32], bid[32], unknown[32], ev[32];
    struct hm h;

    memset(unknown, 0x53, 32);
    memset(ev, 0x54, 32);
    hm_init(&h);
    hm_bin(&h, "account", tm_pub(m, TC_ENTERPRISE), 33);
    hm_bin(&h, "evidence", ev, 32);
    hm_str(&h, "reason", "fraud");
    hm_str(&h, "severity", "frozen");
    hm_finish(&h, YC_TX_CREDIT_RECORD, &m->body);
    tm_expect(m, TC_EXCHANGE, YC_TX_CREDIT_RECORD, &m->body, YC_ENOTAUTH, NULL);
    hm_init(&h);
    hm_bin(&h, "account", tm_pub(m, TC_ENTERPRISE), 33);
    hm_bin(&h, "evidence", ev, 32);
    hm_str(&h, "reason", "fraud");
    hm_str(&h, "severity", "banned");
    hm_finish(&h, YC_TX_CREDIT_RECORD, &m->body);
    tm_expect(m, TC_REGULATOR, YC_TX_CREDIT_RECORD, &m->body, YC_EBADFIELD, NULL);
    hm_init(&h);
    hm_bin(&h, "account", tm_pub(m, TC_CAROL), 33);
    hm_bin(&h, "evidence", ev, 32);
    hm_str(&h, "reason", "fraud");
    hm_str(&h, "severity", "warning");
    hm_finish(&h, YC_TX_CREDIT_RECORD, &m->body);
    tm_expect(m, TC_REGULATOR, YC_TX_CREDIT_RECORD, &m->body, YC_EUNKNOWNACCT, NULL);

    tm_list(m, TC_ENTERPRISE, m->asset, "hold", 1000, lid);
    tm_bid(m, TC_PROCESSOR, lid, 900, bid);
    tm_credit(m, TC_ENTERPRISE, "warning", cr2);
    assert_true(credit_is(m, TC_ENTERPRISE, "warning"));
    tm_credit(m, TC_ENTERPRISE, "frozen", cr);
    assert_true(credit_is(m, TC_ENTERPRISE, "frozen"));
    /* frozen: no listing, bid, acceptance, license, transfer or registration */
    tm_id_body(m, YC_TX_MARKET_ACCEPT, "bid", bid);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_ACCEPT, &m->body, YC_EFROZEN, NULL);
    tm_list_body(m, m->important, "hold", 1000, "transport", NULL);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_LIST, &m->body, YC_EFROZEN, NULL);
    license_body(m, m->asset, TC_PROCESSOR, "compute");
    tm_expect(m, TC_ENTERPRISE, YC_TX_RIGHT_LICENSE, &m->body, YC_EFROZEN, NULL);
    hb_right_transfer(&m->body, m->asset, "operate", tm_pub(m, TC_PROCESSOR));
    tm_expect(m, TC_ENTERPRISE, YC_TX_RIGHT_TRANSFER, &m->body, YC_EFROZEN, NULL);
    struct hb_asset a = {.title = "New",
                         .catalog = "c9",
                         .source = "public",
                         .grade = "general",
                         .sector = "transport",
                         .digest_byte = 0x71,
                         .self = tm_pub(m, TC_ENTERPRISE)};
    hb_asset_register(&m->body, &a);
    tm_expect(m, TC_ENTERPRISE, YC_TX_ASSET_REGISTER, &m->body, YC_EFROZEN, NULL);
    uint8_t lid2[32];
    tm_list(m, TC_PROCESSOR, m->product, "operate", 100, lid2);
    tm_bid_body(m, lid2, 100, tc->time_ms + 60000);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_BID, &m->body, YC_EFROZEN, NULL);

    /* the account objects (only it, once); the regulator decides */
    struct hm o;
    hm_init(&o);
    hm_bin(&o, "credit", cr, 32);
    hm_bin(&o, "evidence", ev, 32);
    hm_str(&o, "reason", "disputed");
    hm_finish(&o, YC_TX_CREDIT_OBJECT, &m->body);
    tm_expect(m, TC_PROCESSOR, YC_TX_CREDIT_OBJECT, &m->body, YC_ENOTAUTH, NULL);
    tm_expect(m, TC_ENTERPRISE, YC_TX_CREDIT_OBJECT, &m->body, YC_OK, NULL);
    tm_expect(m, TC_ENTERPRISE, YC_TX_CREDIT_OBJECT, &m->body, YC_ECLOSED, NULL);
    struct yc_credit c;
    assert_int_equal(tm_credit_get(m, cr, &c), YC_OK);
    assert_true(tm_is(&c.status, "objected"));
    assert_true(c.has_objection);
    struct hm r;
    hm_init(&r);
    hm_bin(&r, "credit", cr, 32);
    hm_str(&r, "outcome", "ignore");
    hm_finish(&r, YC_TX_CREDIT_RESOLVE, &m->body);
    tm_expect(m, TC_REGULATOR, YC_TX_CREDIT_RESOLVE, &m->body, YC_EBADFIELD, NULL);
    hm_init(&r);
    hm_bin(&r, "credit", unknown, 32);
    hm_str(&r, "outcome", "uphold");
    hm_finish(&r, YC_TX_CREDIT_RESOLVE, &m->body);
    tm_expect(m, TC_REGULATOR, YC_TX_CREDIT_RESOLVE, &m->body, YC_EUNKNOWNOBJ, NULL);
    hm_init(&r);
    hm_bin(&r, "credit", cr, 32);
    hm_str(&r, "note", "evidence stands");
    hm_str(&r, "outcome", "uphold");
    hm_finish(&r, YC_TX_CREDIT_RESOLVE, &m->body);
    tm_expect(m, TC_ENTERPRISE, YC_TX_CREDIT_RESOLVE, &m->body, YC_ENOTAUTH, NULL);
    tm_expect(m, TC_REGULATOR, YC_TX_CREDIT_RESOLVE, &m->body, YC_OK, NULL);
    tm_expect(m, TC_REGULATOR, YC_TX_CREDIT_RESOLVE, &m->body, YC_ECLOSED, NULL);
    assert_true(credit_is(m, TC_ENTERPRISE, "frozen"));
    /* credit repair lifts the freeze; the warning remains */
    tm_id_body(m, YC_TX_CREDIT_RESTORE, "credit", cr);
    tm_expect(m, TC_ENTERPRISE, YC_TX_CREDIT_RESTORE, &m->body, YC_ENOTAUTH, NULL);
    tm_expect(m, TC_REGULATOR, YC_TX_CREDIT_RESTORE, &m->body, YC_OK, NULL);
    tm_expect(m, TC_REGULATOR, YC_TX_CREDIT_RESTORE, &m->body, YC_ECLOSED, NULL);
    assert_true(credit_is(m, TC_ENTERPRISE, "warning"));
    tm_id_body(m, YC_TX_MARKET_ACCEPT, "bid", bid);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_ACCEPT, &m->body, YC_OK, NULL);
    /* a withdrawn finding stops counting */
    hm_init(&o);
    hm_bin(&o, "credit", cr2, 32);
    hm_bin(&o, "evidence", ev, 32);
    hm_str(&o, "reason", "disputed");
    hm_finish(&o, YC_TX_CREDIT_OBJECT, &m->body);
    tm_expect(m, TC_ENTERPRISE, YC_TX_CREDIT_OBJECT, &m->body, YC_OK, NULL);
    hm_init(&r);
    hm_bin(&r, "credit", cr2, 32);
    hm_str(&r, "outcome", "withdraw");
    hm_finish(&r, YC_TX_CREDIT_RESOLVE, &m->body);
    tm_expect(m, TC_REGULATOR, YC_TX_CREDIT_RESOLVE, &m->body, YC_OK, NULL);
    assert_true(credit_is(m, TC_ENTERPRISE, "good"));
    tm_id_body(m, YC_TX_CREDIT_RESTORE, "credit", cr2);
    tm_expect(m, TC_REGULATOR, YC_TX_CREDIT_RESTORE, &m->body, YC_ECLOSED, NULL);
    assert_int_equal(tm_check(m), 0);
}

static void test_check_catches_tampering(void **st)
{
    struct tmarket *m = *st;
    uint8_t lid[32], bid[32];

    tm_list(m, TC_ENTERPRISE, m->asset, "hold", 1000, lid);
    tm_bid(m, TC_PROCESSOR, lid, 900, bid);
    tm_id_body(m, YC_TX_MARKET_ACCEPT, "bid", bid);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_ACCEPT, &m->body, YC_OK, NULL);
    tm_credit(m, TC_BOB, "restricted", NULL);
    assert_int_equal(tm_check(m), 0);

    /* negative controls: write state no transaction could write, one lie each */
    struct tchain *tc = &m->tc;
    uint8_t key[YC_KEY_MAX];
    struct yc_buf b;
    yc_buf_init(&b, 0);
    struct yc_slice sector = {"transport", 9};
    struct yc_price_point pp = {.count = 7,
                                .high = 900,
                                .low = 900,
                                .volume = 900,
                                .vwap = 900,
                                .sector = sector,
                                .period = 0};
    assert_int_equal(yc_price_encode(&pp, &b), YC_OK);
    assert_int_equal(
        yc_overlay_put(tc->blk, key, yc_key_price(key, &sector, true, 0), b.data, b.len), YC_OK);
    assert_int_equal(tm_check(m), 1);
    assert_int_equal(yc_overlay_del(tc->blk, key, yc_key_price(key, &sector, true, 0)), YC_OK);
    assert_int_equal(tm_check(m), 0);
    /* money from nowhere */
    struct yc_account a = tm_account(m, TC_ALICE);
    a.balance += 1;
    yc_buf_reset(&b);
    assert_int_equal(yc_account_encode(&a, &b), YC_OK);
    assert_int_equal(
        yc_overlay_put(tc->blk, key, yc_key_account(key, tm_pub(m, TC_ALICE)), b.data, b.len),
        YC_OK);
    assert_int_equal(tm_check(m), 1);
    /* a credit status no record supports */
    struct yc_account bob = tm_account(m, TC_BOB);
    bob.credit = (struct yc_slice){"good", 4};
    yc_buf_reset(&b);
    assert_int_equal(yc_account_encode(&bob, &b), YC_OK);
    assert_int_equal(
        yc_overlay_put(tc->blk, key, yc_key_account(key, tm_pub(m, TC_BOB)), b.data, b.len), YC_OK);
    assert_int_equal(tm_check(m), 2);
    yc_buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_export_assess, setup, teardown),
        cmocka_unit_test_setup_teardown(test_core_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_negative_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alerts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_credit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_catches_tampering, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
