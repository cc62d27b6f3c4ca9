/*
 * test_ledger_market_money.c — property: random sequences of market transactions
 * (listings, appraisals, bids, acceptances, cancellations, transfers, token moves, with
 * block time passing so that bids expire) conserve money: after every block,
 * Σ balances + Σ escrow = genesis + issued − redeemed, and yc_market_check finds no
 * breach; and the blocks sealed along the way replay from genesis to the same roots.
 * Seeded; the seed is printed and YC_SEED replays one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_codec.h"
#include "helper_market.h"

#define SEEDS 12
#define STEPS 160
#define MAX_IDS 64

static uint64_t g_deals; /* accepted bids over all seeds: the property is not vacuous */

static const uint32_t TRADERS[] = {TC_ENTERPRISE, TC_PROCESSOR, TM_BUYER, TM_FOREIGN, TC_ALICE};
#define NTRADERS (sizeof TRADERS / sizeof TRADERS[0])

struct ids {
    uint8_t v[MAX_IDS][YC_HASH_LEN];
    size_t n;
};

static void keep(struct ids *s, const uint8_t id[YC_HASH_LEN])
{
    if (s->n < MAX_IDS) {
        memcpy(s->v[s->n++], id, YC_HASH_LEN);
    } else {
        memcpy(s->v[s->n - 1], id, YC_HASH_LEN);
    }
}

static const uint8_t *pick(struct helper_rng *r, const struct ids *s)
{
    return s->v[helper_rng_below(r, s->n)];
}

static uint32_t trader(struct helper_rng *r)
{
    return TRADERS[helper_rng_below(r, NTRADERS)];
}

/* The blocks the random run sealed, replayed from genesis as a restarted node or the
 * audit tool does: the same roots, and the replayed state passes the check. */
static void replay_blocks(struct tmarket *m)
{
    struct tchain *tc = &m->tc;
    struct mem_state *ms = tc_replay(tc, NULL);
    assert_int_equal(mem_state_count(ms), mem_state_count(tc->ms));
    mem_state_free(ms);
}

static void run_seed(uint64_t seed)
{
    struct tmarket *m = calloc(1, sizeof *m);
    struct helper_rng r;
    struct ids listings = {0}, bids = {0};
    const uint8_t *assets[3];
    uint64_t issued = 0, redeemed = 0, ok = 0, refused = 0;

    print_message("money seed %llu\n", (unsigned long long)seed);
    helper_rng_seed(&r, seed);
    tm_init(m, (uint32_t)helper_rng_below(&r, 1001)); /* fee 0..10 % */
    assets[0] = m->asset;
    assets[1] = m->important;
    assets[2] = m->product;
    struct hm h;
    hm_init(&h);
    hm_u64(&h, "alert_amount", 2500);
    hm_bool(&h, "alert_cross_border", true);
    hm_bool(&h, "alert_important", true);
    hm_pubs(&h, "alert_accounts", (const uint8_t(*)[YC_PUBKEY_LEN])tm_pub(m, TM_BUYER), 1);
    if (helper_rng_below(&r, 2) == 0) {
        hm_list(&h, "banned_jurisdictions", (const char *[]){"SG", NULL});
    }
    tm_policy(m, &h, YC_OK);
    uint64_t base = tm_money(m);
    struct tchain *tc = &m->tc;
    for (int step = 0; step < STEPS; step++) {
        uint32_t who = trader(&r);
        uint8_t id[YC_HASH_LEN];
        int rc;
        switch (helper_rng_below(&r, 9)) {
        case 0:
        case 1: {
            const char *offers[] = {"hold", "operate", "license"};
            const char *offer = offers[helper_rng_below(&r, 3)];
            struct tm_terms t = {.operations = {"compute", NULL},
                                 .purposes = {"research", NULL},
                                 .visibility = "invisible",
                                 .until = tc->time_ms + 3600000,
                                 .fee = helper_rng_below(&r, 3)};
            tm_list_body(m, assets[helper_rng_below(&r, 3)], offer, 1 + helper_rng_below(&r, 5000),
                         "transport", strcmp(offer, "license") == 0 ? &t : NULL);
            rc = tm_send_cosigned(m, who, YC_TX_MARKET_LIST, &m->body, NULL, 0, id);
            if (rc == YC_OK) {
                keep(&listings, id);
            }
            break;
        }
        case 2:
        case 3:
            if (listings.n == 0) {
                continue;
            }
            tm_bid_body(m, pick(&r, &listings), 1 + helper_rng_below(&r, 8000),
                        tc->time_ms + 1 + helper_rng_below(&r, 6000));
            rc = tm_send_cosigned(m, who, YC_TX_MARKET_BID, &m->body, NULL, 0, id);
            if (rc == YC_OK) {
                keep(&bids, id);
            }
            break;
        case 4:
        case 5:
            if (bids.n == 0) {
                continue;
            }
            {
                const uint8_t *bid = pick(&r, &bids);
                struct yc_bid b;
                struct yc_listing l;
                /* mostly the seller, sometimes anyone (not_authorized) */
                if (helper_rng_below(&r, 5) != 0 && tm_bid_get(m, bid, &b) == YC_OK &&
                    tm_listing(m, b.listing, &l) == YC_OK) {
                    for (size_t k = 0; k < NTRADERS; k++) {
                        if (memcmp(tm_pub(m, TRADERS[k]), l.seller, YC_PUBKEY_LEN) == 0) {
                            who = TRADERS[k];
                        }
                    }
                }
                tm_id_body(m, YC_TX_MARKET_ACCEPT, "bid", bid);
                rc = tm_send_cosigned(m, who, YC_TX_MARKET_ACCEPT, &m->body, NULL, 0, NULL);
            }
            g_deals += rc == YC_OK;
            break;
        case 6:
            if (bids.n == 0 || listings.n == 0) {
                continue;
            }
            if (helper_rng_below(&r, 2) == 0) {
                tm_id_body(m, YC_TX_MARKET_CANCEL, "bid", pick(&r, &bids));
            } else {
                tm_id_body(m, YC_TX_MARKET_CANCEL, "listing", pick(&r, &listings));
            }
            rc = tm_send_cosigned(m, who, YC_TX_MARKET_CANCEL, &m->body, NULL, 0, NULL);
            break;
        case 7: {
            uint64_t amount = 1 + helper_rng_below(&r, 3000);
            if (helper_rng_below(&r, 2) == 0) {
                hb_token(&m->body, tm_pub(m, who), amount);
                rc = tm_send_cosigned(m, TC_EXCHANGE, YC_TX_TOKEN_ISSUE, &m->body, NULL, 0, NULL);
                issued += rc == YC_OK ? amount : 0;
            } else {
                hb_token(&m->body, tm_pub(m, trader(&r)), amount);
                rc = tm_send_cosigned(m, who, YC_TX_TOKEN_TRANSFER, &m->body, NULL, 0, NULL);
            }
            break;
        }
        default: {
            uint64_t amount = 1 + helper_rng_below(&r, 20000);
            hb_token(&m->body, NULL, amount);
            rc = tm_send_cosigned(m, TC_EXCHANGE, YC_TX_TOKEN_REDEEM, &m->body, NULL, 0, NULL);
            redeemed += rc == YC_OK ? amount : 0;
            break;
        }
        }
        if (rc == YC_OK) {
            ok++;
        } else {
            refused++;
            assert_true(yc_err_is_verdict(rc));
        }
        if (helper_rng_below(&r, 4) == 0) {
            assert_int_equal(tm_money(m), base + issued - redeemed);
        }
    }
    assert_int_equal(tm_money(m), base + issued - redeemed);
    assert_int_equal(tm_check(m), 0);
    replay_blocks(m);
    print_message("  %llu applied, %llu refused\n", (unsigned long long)ok,
                  (unsigned long long)refused);
    assert_true(ok > STEPS / 8);
    tm_cleanup(m);
    free(m);
}

static void test_money_conserved(void **st)
{
    (void)st;
    const char *env = getenv("YC_SEED");
    if (env != NULL) {
        run_seed(strtoull(env, NULL, 10));
        return;
    }
    for (uint64_t s = 1; s <= SEEDS; s++) {
        run_seed(0x5eed0000 + s);
    }
    print_message("%llu deals settled\n", (unsigned long long)g_deals);
    assert_true(g_deals >= SEEDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_conserved),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
