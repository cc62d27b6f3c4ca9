/*
 * test_ledger_tokens.c — token.issue, token.transfer, token.redeem: the rules and
 * their codes, and money conservation over random seeded sequences (the supply
 * changes by exactly what the exchange issued minus what it redeemed; a refused
 * transaction moves nothing). Seeds are printed; YC_SEED=<n> replays one.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_ledger.h"

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

static void test_issue_rules(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;

    hb_token(&f->body, tc->pub[TC_ALICE], 500);
    tc_expect(tc, TC_EXCHANGE, YC_TX_TOKEN_ISSUE, &f->body, YC_OK, NULL);
    assert_int_equal(tc_balance(tc, TC_ALICE), 10500);
    tc_expect(tc, TC_ALICE, YC_TX_TOKEN_ISSUE, &f->body, YC_ENOTAUTH, NULL);
    tc_expect(tc, TC_AGENCY, YC_TX_TOKEN_ISSUE, &f->body, YC_ENOTAUTH, NULL);
    tc_expect(tc, TC_REGULATOR, YC_TX_TOKEN_ISSUE, &f->body, YC_ENOTAUTH, NULL);
    hb_token(&f->body, tc->pub[TC_CAROL], 500);
    tc_expect(tc, TC_EXCHANGE, YC_TX_TOKEN_ISSUE, &f->body, YC_EUNKNOWNACCT, NULL);
    hb_token(&f->body, tc->pub[TC_ALICE], 0);
    tc_expect(tc, TC_EXCHANGE, YC_TX_TOKEN_ISSUE, &f->body, YC_EBADFIELD, NULL);
    hb_token(&f->body, tc->pub[TC_ALICE], UINT64_MAX - 10500 + 1);
    tc_expect(tc, TC_EXCHANGE, YC_TX_TOKEN_ISSUE, &f->body, YC_EOVERFLOW, NULL);
    hb_token(&f->body, tc->pub[TC_ALICE], UINT64_MAX - 10500);
    tc_expect(tc, TC_EXCHANGE, YC_TX_TOKEN_ISSUE, &f->body, YC_OK, NULL);
    assert_int_equal(tc_balance(tc, TC_ALICE), UINT64_MAX);
    /* a transfer into a full balance overflows too */
    hb_token(&f->body, tc->pub[TC_ALICE], 1);
    tc_expect(tc, TC_BOB, YC_TX_TOKEN_TRANSFER, &f->body, YC_EOVERFLOW, NULL);
    /* issue without a recipient is a schema error */
    hb_token(&f->body, NULL, 5);
    assert_int_equal(tc_decode_code(tc, TC_EXCHANGE, YC_TX_TOKEN_ISSUE, &f->body), YC_EBADFIELD);
}

static void test_transfer_rules(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;

    hb_token(&f->body, tc->pub[TC_BOB], 2500);
    tc_expect(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, &f->body, YC_OK, NULL);
    assert_int_equal(tc_balance(tc, TC_ALICE), 7500);
    assert_int_equal(tc_balance(tc, TC_BOB), 12500);

    hb_token(&f->body, tc->pub[TC_BOB], 7501);
    tc_expect(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, &f->body, YC_EBALANCE, NULL);
    hb_token(&f->body, tc->pub[TC_BOB], 0);
    tc_expect(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, &f->body, YC_EBADFIELD, NULL);
    hb_token(&f->body, tc->pub[TC_CAROL], 1);
    tc_expect(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, &f->body, YC_EUNKNOWNACCT, NULL);
    hb_token(&f->body, tc->pub[TC_BOB], 1);
    tc_expect(tc, TC_CAROL, YC_TX_TOKEN_TRANSFER, &f->body, YC_EUNKNOWNACCT, NULL);

    /* all of it, then to oneself (nets to zero, still uses the nonce) */
    hb_token(&f->body, tc->pub[TC_BOB], 7500);
    tc_expect(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, &f->body, YC_OK, NULL);
    assert_int_equal(tc_balance(tc, TC_ALICE), 0);
    hb_token(&f->body, tc->pub[TC_BOB], 100);
    tc_expect(tc, TC_BOB, YC_TX_TOKEN_TRANSFER, &f->body, YC_OK, NULL);
    assert_int_equal(tc_balance(tc, TC_BOB), 20000);
    assert_int_equal(tc_nonce(tc, TC_BOB), 1);
    hb_token(&f->body, tc->pub[TC_BOB], 20001);
    tc_expect(tc, TC_BOB, YC_TX_TOKEN_TRANSFER, &f->body, YC_EBALANCE, NULL);

    hb_token(&f->body, NULL, 5);
    assert_int_equal(tc_decode_code(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, &f->body), YC_EBADFIELD);
}

static void test_redeem_rules(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;

    hb_token(&f->body, NULL, 400000);
    tc_expect(tc, TC_EXCHANGE, YC_TX_TOKEN_REDEEM, &f->body, YC_OK, NULL);
    assert_int_equal(tc_balance(tc, TC_EXCHANGE), 600000);
    tc_expect(tc, TC_ALICE, YC_TX_TOKEN_REDEEM, &f->body, YC_ENOTAUTH, NULL);
    hb_token(&f->body, NULL, 600001);
    tc_expect(tc, TC_EXCHANGE, YC_TX_TOKEN_REDEEM, &f->body, YC_EBALANCE, NULL);
    hb_token(&f->body, NULL, 0);
    tc_expect(tc, TC_EXCHANGE, YC_TX_TOKEN_REDEEM, &f->body, YC_EBADFIELD, NULL);
    /* redeem burns one's own balance: naming a recipient is a schema error */
    hb_token(&f->body, tc->pub[TC_ALICE], 5);
    assert_int_equal(tc_decode_code(tc, TC_EXCHANGE, YC_TX_TOKEN_REDEEM, &f->body), YC_EBADFIELD);
}

/* xorshift64*: a small deterministic generator, so a seed replays exactly. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

static void run_sequence(uint64_t seed)
{
    struct tchain tc;
    struct yc_buf body;
    uint64_t s = seed ? seed : 1;
    uint64_t ok = 0, refused = 0;

    printf("# money conservation: seed %" PRIu64 "\n", seed);
    tc_init(&tc);
    yc_buf_init(&body, 0);
    uint64_t supply = tc_total_supply(&tc);
    for (int step = 0; step < 1500; step++) {
        uint32_t who = (uint32_t)(rnd(&s) % TC_NKEYS);
        uint32_t to = (uint32_t)(rnd(&s) % TC_NKEYS);
        uint64_t r = rnd(&s) % 100;
        uint64_t amount = rnd(&s) % 20000;
        enum yc_tx_type type = YC_TX_TOKEN_TRANSFER;
        if (r < 10) {
            type = YC_TX_TOKEN_ISSUE;
            who = rnd(&s) % 4 ? TC_EXCHANGE : who;
        } else if (r < 20) {
            type = YC_TX_TOKEN_REDEEM;
            who = rnd(&s) % 4 ? TC_EXCHANGE : who;
        }
        hb_token(&body, type == YC_TX_TOKEN_REDEEM ? NULL : tc.pub[to], amount);
        uint8_t before[32], after[32];
        tc_fingerprint(&tc, before);
        int rc = tc_send(&tc, who, type, &body, NULL);
        if (rc == YC_OK) {
            ok++;
            if (type == YC_TX_TOKEN_ISSUE) {
                supply += amount;
            } else if (type == YC_TX_TOKEN_REDEEM) {
                supply -= amount;
            }
        } else {
            refused++;
            assert_true(yc_err_is_verdict(rc));
            tc_fingerprint(&tc, after);
            assert_memory_equal(before, after, 32);
        }
        if (tc_total_supply(&tc) != supply) {
            fail_msg("seed %" PRIu64 " step %d: supply %" PRIu64 " != expected %" PRIu64, seed,
                     step, tc_total_supply(&tc), supply);
        }
        if (step % 97 == 96) {
            tc_commit(&tc);
        }
    }
    printf("# seed %" PRIu64 ": %" PRIu64 " applied, %" PRIu64 " refused\n", seed, ok, refused);
    assert_true(ok > 100 && refused > 10);
    yc_buf_cleanup(&body);
    tc_cleanup(&tc);
}

static void test_money_is_conserved_over_random_sequences(void **st)
{
    (void)st;
    const char *env = getenv("YC_SEED");
    if (env != NULL) {
        run_sequence(strtoull(env, NULL, 10));
        return;
    }
    static const uint64_t seeds[] = {1, 42, 20240601, 0x9e3779b97f4a7c15ull};
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        run_sequence(seeds[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_issue_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redeem_rules, setup, teardown),
        cmocka_unit_test(test_money_is_conserved_over_random_sequences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
