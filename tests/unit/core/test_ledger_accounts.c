/*
 * test_ledger_accounts.c — genesis validation and genesis state, account.register
 * (self-registration of individuals, registration of organisations by the exchange
 * or an agency), account.update, the sender and nonce rules every transaction obeys,
 * and the admission pre-check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_ledger.h"
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

static bool slice_is(struct yc_slice s, const char *want)
{
    return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

/* ---- genesis ---- */

static void test_genesis_state_accounts_and_root(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;

    for (uint32_t i = 0; i < TC_NGENESIS; i++) {
        struct yc_account a = tc_account(tc, i);
        assert_int_equal(a.nonce, 0);
        assert_int_equal(a.registered_at, 0);
        assert_true(slice_is(a.credit, "good"));
        assert_true(slice_is(a.jurisdiction, "CN-CQ"));
        assert_int_equal(a.balance, tc->g.accounts[i].balance);
    }
    assert_int_equal(tc_account(tc, TC_EXCHANGE).role, YC_ROLE_EXCHANGE);
    assert_int_equal(tc_account(tc, TC_ALICE).role, YC_ROLE_INDIVIDUAL);
    assert_false(tc_registered(tc, TC_CAROL));

    /* root = next(zero, genesis writes), the same on any node */
    static const uint8_t zero[32] = {0};
    yc_overlay *o;
    assert_int_equal(yc_overlay_create(&o, NULL), YC_OK);
    uint8_t root[32], again[32];
    assert_int_equal(yc_genesis_state(o, &tc->g, root), YC_OK);
    assert_memory_equal(root, tc->root, 32);
    const struct yc_write *w;
    size_t n;
    assert_int_equal(yc_overlay_writes(o, &w, &n), YC_OK);
    assert_int_equal(n, TC_NGENESIS);
    yc_state_root_next(again, tc->g.chain_id, zero, w, n);
    assert_memory_equal(root, again, 32);
    yc_overlay_destroy(o);
}

static void test_genesis_finalize_refuses_invalid(void **st)
{
    struct fx *f = *st;
    struct yc_genesis *g = &f->tc.g;
    uint8_t hash[32];
    memcpy(hash, g->hash, 32);
    assert_int_equal(yc_genesis_finalize(g), YC_OK);
    assert_memory_equal(hash, g->hash, 32); /* deterministic */

    struct yc_genesis_account save = g->accounts[0];
    snprintf(g->accounts[0].role, sizeof g->accounts[0].role, "agency");
    assert_int_equal(yc_genesis_finalize(g), YC_ECONFIG); /* no exchange left */
    snprintf(g->accounts[0].role, sizeof g->accounts[0].role, "wizard");
    assert_int_equal(yc_genesis_finalize(g), YC_ECONFIG);
    g->accounts[0] = save;
    snprintf(g->accounts[0].jurisdiction, sizeof g->accounts[0].jurisdiction, "Chongqing");
    assert_int_equal(yc_genesis_finalize(g), YC_ECONFIG);
    g->accounts[0] = save;
    memcpy(g->accounts[1].pub, g->accounts[0].pub, 33);
    assert_int_equal(yc_genesis_finalize(g), YC_ECONFIG); /* duplicate key */
    memcpy(g->accounts[1].pub, f->tc.pub[1], 33);
    g->accounts[0].pub[0] = 0x07;
    assert_int_equal(yc_genesis_finalize(g), YC_EBADKEY);
    g->accounts[0] = save;

    char chain[sizeof g->chain_id];
    memcpy(chain, g->chain_id, sizeof chain);
    snprintf(g->chain_id, sizeof g->chain_id, "bad chain");
    assert_int_equal(yc_genesis_finalize(g), YC_ECONFIG);
    memcpy(g->chain_id, chain, sizeof chain);
    g->nvalidators = 0;
    assert_int_equal(yc_genesis_finalize(g), YC_ECONFIG);
    g->nvalidators = 1;
    g->genesis_time_ms++;
    assert_int_equal(yc_genesis_finalize(g), YC_OK);
    assert_memory_not_equal(hash, g->hash, 32);
}

static void test_quorum_sizes(void **st)
{
    (void)st;
    static const uint32_t want[][3] = {{1, 0, 1}, {2, 0, 2}, {3, 0, 2}, {4, 1, 3},
                                       {5, 1, 4}, {6, 1, 4}, {7, 2, 5}, {10, 3, 7}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(yc_faults(want[i][0]), want[i][1]);
        assert_int_equal(yc_quorum(want[i][0]), want[i][2]);
    }
}

/* ---- account.register ---- */

static void test_self_registration(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    tc_commit(tc);

    hb_register(&f->body, NULL, "individual", "Carol", "CN-SC");
    tc_expect(tc, TC_CAROL, YC_TX_ACCOUNT_REGISTER, &f->body, YC_OK, NULL);
    struct yc_account a = tc_account(tc, TC_CAROL);
    assert_int_equal(a.nonce, 1);
    assert_int_equal(a.balance, 0);
    assert_int_equal(a.registered_at, tc->height);
    assert_int_equal(a.role, YC_ROLE_INDIVIDUAL);
    assert_true(slice_is(a.credit, "good"));
    assert_true(slice_is(a.name, "Carol"));
    assert_true(slice_is(a.jurisdiction, "CN-SC"));

    /* twice: the account exists now (and the nonce would be wrong anyway) */
    assert_int_equal(tc_send_nonce(tc, TC_CAROL, YC_TX_ACCOUNT_REGISTER, 0, &f->body, NULL),
                     YC_EALREADYREG);
    tc_expect(tc, TC_ALICE, YC_TX_ACCOUNT_REGISTER, &f->body, YC_EALREADYREG, NULL);

    /* naming oneself in body.account is the same as leaving it out */
    hb_register(&f->body, tc->pub[TC_DAVE], "individual", "Dave", "SG");
    assert_int_equal(tc_send_nonce(tc, TC_DAVE, YC_TX_ACCOUNT_REGISTER, 1, &f->body, NULL),
                     YC_EBADNONCE);
    tc_expect(tc, TC_DAVE, YC_TX_ACCOUNT_REGISTER, &f->body, YC_OK, NULL);
    assert_int_equal(tc_nonce(tc, TC_DAVE), 1);
}

static void test_self_registration_refusals(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;

    hb_register(&f->body, NULL, "enterprise", "Carol Co", "CN-CQ");
    tc_expect(tc, TC_CAROL, YC_TX_ACCOUNT_REGISTER, &f->body, YC_ENOTAUTH, NULL);
    hb_register(&f->body, NULL, "exchange", "Fake Exchange", "CN-CQ");
    tc_expect(tc, TC_CAROL, YC_TX_ACCOUNT_REGISTER, &f->body, YC_ENOTAUTH, NULL);
    hb_register(&f->body, NULL, "wizard", "Carol", "CN-CQ");
    tc_expect(tc, TC_CAROL, YC_TX_ACCOUNT_REGISTER, &f->body, YC_EBADROLE, NULL);
    hb_register(&f->body, NULL, "individual", "Carol", "Chongqing");
    tc_expect(tc, TC_CAROL, YC_TX_ACCOUNT_REGISTER, &f->body, YC_EBADFIELD, NULL);
    hb_register(&f->body, NULL, "individual", "Carol", "CN-");
    tc_expect(tc, TC_CAROL, YC_TX_ACCOUNT_REGISTER, &f->body, YC_EBADFIELD, NULL);
    hb_register(&f->body, NULL, "individual", "", "CN-CQ");
    tc_expect(tc, TC_CAROL, YC_TX_ACCOUNT_REGISTER, &f->body, YC_EBADFIELD, NULL);

    char longname[YC_NAME_MAX + 2];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    hb_register(&f->body, NULL, "individual", longname, "CN-CQ");
    assert_int_equal(tc_decode_code(tc, TC_CAROL, YC_TX_ACCOUNT_REGISTER, &f->body), YC_EBADFIELD);
    longname[YC_NAME_MAX] = '\0'; /* exactly 128 bytes is fine */
    hb_register(&f->body, NULL, "individual", longname, "CN-CQ");
    tc_expect(tc, TC_CAROL, YC_TX_ACCOUNT_REGISTER, &f->body, YC_OK, NULL);
}

static void test_registration_by_registrar(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    const uint8_t *carol = tc->pub[TC_CAROL];

    hb_register(&f->body, carol, "processor", "Carol Analytics", "CN-SC");
    tc_expect(tc, TC_ALICE, YC_TX_ACCOUNT_REGISTER, &f->body, YC_ENOTAUTH, NULL);
    tc_expect(tc, TC_PROCESSOR, YC_TX_ACCOUNT_REGISTER, &f->body, YC_ENOTAUTH, NULL);
    tc_expect(tc, TC_REGULATOR, YC_TX_ACCOUNT_REGISTER, &f->body, YC_ENOTAUTH, NULL);
    tc_expect(tc, TC_DAVE, YC_TX_ACCOUNT_REGISTER, &f->body, YC_EUNKNOWNACCT, NULL);
    hb_register(&f->body, carol, "exchange", "Second Exchange", "CN-SC");
    tc_expect(tc, TC_EXCHANGE, YC_TX_ACCOUNT_REGISTER, &f->body, YC_ENOTAUTH, NULL);
    hb_register(&f->body, carol, "wizard", "Carol", "CN-SC");
    tc_expect(tc, TC_AGENCY, YC_TX_ACCOUNT_REGISTER, &f->body, YC_EBADROLE, NULL);
    hb_register(&f->body, tc->pub[TC_BOB], "processor", "Bob", "CN-SC");
    tc_expect(tc, TC_AGENCY, YC_TX_ACCOUNT_REGISTER, &f->body, YC_EALREADYREG, NULL);
    hb_register(&f->body, carol, "processor", "Carol Analytics", "cn");
    tc_expect(tc, TC_AGENCY, YC_TX_ACCOUNT_REGISTER, &f->body, YC_EBADFIELD, NULL);

    hb_register(&f->body, carol, "processor", "Carol Analytics", "CN-SC");
    tc_expect(tc, TC_AGENCY, YC_TX_ACCOUNT_REGISTER, &f->body, YC_OK, NULL);
    struct yc_account a = tc_account(tc, TC_CAROL);
    assert_int_equal(a.nonce, 0); /* she has sent nothing yet */
    assert_int_equal(a.role, YC_ROLE_PROCESSOR);
    assert_int_equal(tc_nonce(tc, TC_AGENCY), 1);

    hb_register(&f->body, tc->pub[TC_DAVE], "regulator", "Dave Office", "CN");
    tc_expect(tc, TC_EXCHANGE, YC_TX_ACCOUNT_REGISTER, &f->body, YC_OK, NULL);

    /* carol can now act with nonce 0 */
    uint8_t d[32] = {1};
    hb_anchor(&f->body, d, 32, "dcmm_assessment", NULL, NULL);
    tc_expect(tc, TC_CAROL, YC_TX_EVIDENCE_ANCHOR, &f->body, YC_OK, NULL);
    assert_int_equal(tc_nonce(tc, TC_CAROL), 1);
}

/* ---- account.update ---- */

static void test_account_update(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;

    hb_update(&f->body, NULL, "Alice Wang", NULL);
    tc_expect(tc, TC_ALICE, YC_TX_ACCOUNT_UPDATE, &f->body, YC_OK, NULL);
    assert_true(slice_is(tc_account(tc, TC_ALICE).name, "Alice Wang"));
    assert_int_equal(tc_account(tc, TC_ALICE).nonce, 1);

    hb_update(&f->body, tc->pub[TC_BOB], "Not Bob", NULL);
    tc_expect(tc, TC_ALICE, YC_TX_ACCOUNT_UPDATE, &f->body, YC_ENOTAUTH, NULL);
    hb_update(&f->body, tc->pub[TC_BOB], NULL, "SG");
    tc_expect(tc, TC_AGENCY, YC_TX_ACCOUNT_UPDATE, &f->body, YC_OK, NULL);
    assert_true(slice_is(tc_account(tc, TC_BOB).jurisdiction, "SG"));
    assert_true(slice_is(tc_account(tc, TC_BOB).name, "Bob"));
    assert_int_equal(tc_account(tc, TC_BOB).balance, 10000);

    hb_update(&f->body, tc->pub[TC_CAROL], "Carol", NULL);
    tc_expect(tc, TC_EXCHANGE, YC_TX_ACCOUNT_UPDATE, &f->body, YC_EUNKNOWNACCT, NULL);
    hb_update(&f->body, NULL, NULL, NULL);
    tc_expect(tc, TC_ALICE, YC_TX_ACCOUNT_UPDATE, &f->body, YC_EBADFIELD, NULL);
    hb_update(&f->body, NULL, NULL, "XX-TOOLONG");
    tc_expect(tc, TC_ALICE, YC_TX_ACCOUNT_UPDATE, &f->body, YC_EBADFIELD, NULL);
    hb_update(&f->body, NULL, "", NULL);
    tc_expect(tc, TC_ALICE, YC_TX_ACCOUNT_UPDATE, &f->body, YC_EBADFIELD, NULL);
}

/* ---- sender and nonce ---- */

static void test_sender_and_nonce_rules(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    hb_token(&f->body, tc->pub[TC_BOB], 5);

    tc_expect(tc, TC_CAROL, YC_TX_TOKEN_TRANSFER, &f->body, YC_EUNKNOWNACCT, NULL);
    assert_int_equal(tc_send_nonce(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, 1, &f->body, NULL),
                     YC_EBADNONCE);
    assert_int_equal(tc_send_nonce(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, 0, &f->body, NULL), YC_OK);
    assert_int_equal(tc_send_nonce(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, 0, &f->body, NULL),
                     YC_EBADNONCE);
    assert_int_equal(tc_send_nonce(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, 1, &f->body, NULL), YC_OK);
    assert_int_equal(tc_nonce(tc, TC_ALICE), 2);
    /* a failing tx does not use its nonce */
    hb_token(&f->body, tc->pub[TC_BOB], 1000000);
    tc_expect(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, &f->body, YC_EBALANCE, NULL);
    assert_int_equal(tc_nonce(tc, TC_ALICE), 2);
}

static void test_precheck_admission(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct yc_exec_ctx ctx = {.g = &tc->g, .height = tc->height, .time_ms = tc->time_ms};
    struct yc_tx tx;
    uint64_t gap = 99;
    uint8_t before[32], after[32];
    tc_fingerprint(tc, before);

    hb_token(&f->body, tc->pub[TC_BOB], 5);
    tc_make_tx(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, 3, &f->body, &tx);
    assert_int_equal(yc_exec_precheck(tc->blk, &ctx, &tx, &gap), YC_OK);
    assert_int_equal(gap, 3);
    yc_tx_cleanup(&tx);
    tc_make_tx(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, 0, &f->body, &tx);
    assert_int_equal(yc_exec_precheck(tc->blk, &ctx, &tx, &gap), YC_OK);
    assert_int_equal(gap, 0);
    yc_tx_cleanup(&tx);
    tc_make_tx(tc, TC_CAROL, YC_TX_TOKEN_TRANSFER, 0, &f->body, &tx);
    assert_int_equal(yc_exec_precheck(tc->blk, &ctx, &tx, &gap), YC_EUNKNOWNACCT);
    yc_tx_cleanup(&tx);
    /* role rules are part of admission */
    tc_make_tx(tc, TC_ALICE, YC_TX_TOKEN_ISSUE, 0, &f->body, &tx);
    assert_int_equal(yc_exec_precheck(tc->blk, &ctx, &tx, &gap), YC_ENOTAUTH);
    yc_tx_cleanup(&tx);
    hb_register(&f->body, NULL, "individual", "Carol", "CN-CQ");
    tc_make_tx(tc, TC_CAROL, YC_TX_ACCOUNT_REGISTER, 0, &f->body, &tx);
    assert_int_equal(yc_exec_precheck(tc->blk, &ctx, &tx, &gap), YC_OK);
    yc_tx_cleanup(&tx);
    tc_make_tx(tc, TC_ALICE, YC_TX_ACCOUNT_REGISTER, 0, &f->body, &tx);
    assert_int_equal(yc_exec_precheck(tc->blk, &ctx, &tx, &gap), YC_EALREADYREG);
    yc_tx_cleanup(&tx);
    hb_register(&f->body, NULL, "enterprise", "Carol Co", "CN-CQ");
    tc_make_tx(tc, TC_CAROL, YC_TX_ACCOUNT_REGISTER, 0, &f->body, &tx);
    assert_int_equal(yc_exec_precheck(tc->blk, &ctx, &tx, &gap), YC_ENOTAUTH);
    yc_tx_cleanup(&tx);

    /* precheck wrote nothing */
    tc_fingerprint(tc, after);
    assert_memory_equal(before, after, 32);

    /* a spent nonce */
    hb_token(&f->body, tc->pub[TC_BOB], 5);
    tc_expect(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, &f->body, YC_OK, NULL);
    tc_make_tx(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, 0, &f->body, &tx);
    assert_int_equal(yc_exec_precheck(tc->blk, &ctx, &tx, &gap), YC_EBADNONCE);
    yc_tx_cleanup(&tx);
}

static void test_verdicts_are_distinguished_from_local_failures(void **st)
{
    (void)st;
    assert_true(yc_err_is_verdict(YC_EBADNONCE));
    assert_true(yc_err_is_verdict(YC_ECONSENTREVOKED));
    assert_true(yc_err_is_verdict(YC_EBADFIELD));
    assert_false(yc_err_is_verdict(YC_OK));
    assert_false(yc_err_is_verdict(YC_ENOMEM));
    assert_false(yc_err_is_verdict(YC_EIO));
    assert_false(yc_err_is_verdict(YC_ECORRUPT));
    assert_false(yc_err_is_verdict(YC_EDIVERGED));
    assert_false(yc_err_is_verdict(YC_EMEMPOOLFULL));
    assert_false(yc_err_is_verdict(YC_EBLOCKFULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_genesis_state_accounts_and_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_genesis_finalize_refuses_invalid, setup, teardown),
        cmocka_unit_test(test_quorum_sizes),
        cmocka_unit_test_setup_teardown(test_self_registration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_self_registration_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registration_by_registrar, setup, teardown),
        cmocka_unit_test_setup_teardown(test_account_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sender_and_nonce_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_precheck_admission, setup, teardown),
        cmocka_unit_test(test_verdicts_are_distinguished_from_local_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
