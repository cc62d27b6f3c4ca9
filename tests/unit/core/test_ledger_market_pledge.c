/*
 * test_ledger_market_pledge.c — pledge.create (with the pledgee's co-signature),
 * pledge.release and pledge.enforce: every rule and error code; a pledged hold right is
 * not transferred, listed, sold or retired (`pledged`) while the other rights still
 * move; enforcement after the due time moves the hold right to the pledgee.
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
    tm_init(m, 0);
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

static void pledge_body(struct tmarket *m, const uint8_t *asset, uint32_t pledgee, uint64_t amount,
                        uint64_t due)
{
    struct hm h;
    hm_init(&h);
    hm_u64(&h, "amount", amount);
    hm_bin(&h, "asset", asset, 32);
    hm_u64(&h, "due", due);
    hm_bin(&h, "pledgee", tm_pub(m, pledgee), 33);
    hm_finish(&h, YC_TX_PLEDGE_CREATE, &m->body);
}

static void test_create_rules(void **st)
{
    struct tmarket *m = *st;
    struct tchain *tc = &m->tc;
    const uint32_t bank[1] = {TM_BANK};
    const uint32_t other[1] = {TM_APPRAISER};
    uint8_t unknown[32], pid[32];
    uint64_t due = tc->time_ms + 5000;

    memset(unknown, 0x41, 32);
    pledge_body(m, m->asset, TM_BANK, 100000, due);
    /* the pledgee's co-signature is required: missing, or someone else's */
    tm_expect_cosigned(m, TC_ENTERPRISE, YC_TX_PLEDGE_CREATE, &m->body, NULL, 0, YC_EBADCOSIG,
                       NULL);
    tm_expect_cosigned(m, TC_ENTERPRISE, YC_TX_PLEDGE_CREATE, &m->body, other, 1, YC_EBADCOSIG,
                       NULL);
    tm_expect_cosigned(m, TC_PROCESSOR, YC_TX_PLEDGE_CREATE, &m->body, bank, 1, YC_ENOTAUTH, NULL);
    pledge_body(m, unknown, TM_BANK, 100000, due);
    tm_expect_cosigned(m, TC_ENTERPRISE, YC_TX_PLEDGE_CREATE, &m->body, bank, 1, YC_EUNKNOWNASSET,
                       NULL);
    pledge_body(m, m->asset, TM_BANK, 0, due);
    tm_expect_cosigned(m, TC_ENTERPRISE, YC_TX_PLEDGE_CREATE, &m->body, bank, 1, YC_EBADFIELD,
                       NULL);
    pledge_body(m, m->asset, TM_BANK, 100000, tc->time_ms);
    tm_expect_cosigned(m, TC_ENTERPRISE, YC_TX_PLEDGE_CREATE, &m->body, bank, 1, YC_EBADTIME, NULL);
    /* the pledgee is a financial institution */
    pledge_body(m, m->asset, TM_APPRAISER, 100000, due);
    tm_expect_cosigned(m, TC_ENTERPRISE, YC_TX_PLEDGE_CREATE, &m->body, other, 1, YC_EBADROLE,
                       NULL);
    pledge_body(m, m->asset, TM_BANK, 100000, due);
    tm_expect_cosigned(m, TC_ENTERPRISE, YC_TX_PLEDGE_CREATE, &m->body, bank, 1, YC_OK, pid);
    struct yc_pledge p;
    assert_int_equal(tm_pledge(m, pid, &p), YC_OK);
    assert_true(tm_is(&p.status, "active"));
    assert_int_equal(p.amount, 100000);
    /* one active pledge per asset */
    tm_expect_cosigned(m, TC_ENTERPRISE, YC_TX_PLEDGE_CREATE, &m->body, bank, 1, YC_EPLEDGED, NULL);
    assert_int_equal(tm_check(m), 0);
}

static void test_pledged_blocks(void **st)
{
    struct tmarket *m = *st;
    struct tchain *tc = &m->tc;
    const uint32_t bank[1] = {TM_BANK};
    uint8_t pid[32], lid[32], bid[32], h[33];

    tm_list(m, TC_ENTERPRISE, m->asset, "hold", 1000, lid);
    tm_bid(m, TC_PROCESSOR, lid, 900, bid);
    pledge_body(m, m->asset, TM_BANK, 50000, tc->time_ms + 3000);
    tm_expect_cosigned(m, TC_ENTERPRISE, YC_TX_PLEDGE_CREATE, &m->body, bank, 1, YC_OK, pid);
    /* the hold right stays put: no transfer, listing, sale or retirement */
    hb_right_transfer(&m->body, m->asset, "hold", tm_pub(m, TM_BUYER));
    tm_expect(m, TC_ENTERPRISE, YC_TX_RIGHT_TRANSFER, &m->body, YC_EPLEDGED, NULL);
    tm_list_body(m, m->asset, "hold", 1000, "transport", NULL);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_LIST, &m->body, YC_EPLEDGED, NULL);
    tm_id_body(m, YC_TX_MARKET_ACCEPT, "bid", bid);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_ACCEPT, &m->body, YC_EPLEDGED, NULL);
    hb_asset_ref(&m->body, m->asset, NULL);
    tm_expect(m, TC_ENTERPRISE, YC_TX_ASSET_RETIRE, &m->body, YC_EPLEDGED, NULL);
    /* the other rights still move */
    hb_right_transfer(&m->body, m->asset, "operate", tm_pub(m, TM_BUYER));
    tm_expect(m, TC_ENTERPRISE, YC_TX_RIGHT_TRANSFER, &m->body, YC_OK, NULL);
    /* only the pledgee releases or enforces, and enforces only when due */
    tm_id_body(m, YC_TX_PLEDGE_RELEASE, "pledge", pid);
    tm_expect(m, TC_ENTERPRISE, YC_TX_PLEDGE_RELEASE, &m->body, YC_ENOTAUTH, NULL);
    tm_expect(m, TM_BANK, YC_TX_PLEDGE_ENFORCE, &m->body, YC_ENOTDUE, NULL);
    tc_commit(tc);
    tc_commit(tc);
    tc_commit(tc);
    tm_id_body(m, YC_TX_PLEDGE_ENFORCE, "pledge", pid);
    tm_expect(m, TM_BANK, YC_TX_PLEDGE_ENFORCE, &m->body, YC_OK, NULL);
    ta_holder(tc, m->asset, YC_RIGHT_HOLD, h);
    assert_memory_equal(h, tm_pub(m, TM_BANK), 33);
    struct yc_pledge p;
    assert_int_equal(tm_pledge(m, pid, &p), YC_OK);
    assert_true(tm_is(&p.status, "enforced"));
    tm_id_body(m, YC_TX_PLEDGE_RELEASE, "pledge", pid);
    tm_expect(m, TM_BANK, YC_TX_PLEDGE_RELEASE, &m->body, YC_ECLOSED, NULL);
    /* the enforced sale cannot settle: the seller holds nothing any more */
    tm_id_body(m, YC_TX_MARKET_ACCEPT, "bid", bid);
    tm_expect(m, TC_ENTERPRISE, YC_TX_MARKET_ACCEPT, &m->body, YC_ENOTAUTH, NULL);
    assert_int_equal(tm_check(m), 0);
}

static void test_release(void **st)
{
    struct tmarket *m = *st;
    struct tchain *tc = &m->tc;
    const uint32_t bank[1] = {TM_BANK};
    uint8_t pid[32], unknown[32];

    memset(unknown, 0x42, 32);
    tm_id_body(m, YC_TX_PLEDGE_RELEASE, "pledge", unknown);
    tm_expect(m, TM_BANK, YC_TX_PLEDGE_RELEASE, &m->body, YC_EUNKNOWNOBJ, NULL);
    pledge_body(m, m->asset, TM_BANK, 50000, tc->time_ms + 3000);
    tm_expect_cosigned(m, TC_ENTERPRISE, YC_TX_PLEDGE_CREATE, &m->body, bank, 1, YC_OK, pid);
    tm_id_body(m, YC_TX_PLEDGE_RELEASE, "pledge", pid);
    tm_expect(m, TM_BANK, YC_TX_PLEDGE_RELEASE, &m->body, YC_OK, NULL);
    tm_expect(m, TM_BANK, YC_TX_PLEDGE_ENFORCE, &m->body, YC_ECLOSED, NULL);
    /* free again */
    hb_right_transfer(&m->body, m->asset, "hold", tm_pub(m, TM_BUYER));
    tm_expect(m, TC_ENTERPRISE, YC_TX_RIGHT_TRANSFER, &m->body, YC_OK, NULL);
    assert_int_equal(tm_check(m), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pledged_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
