/*
 * test_build_market.c — building the issue-5 transactions from command lines (market,
 * pledges, policy, export assessment, credit) and the validator-set governance ones: every body is canonical, decodes with
 * yc_tx_decode into the fields asked for, and bad values are refused with exit 65 (bad
 * input) or 2 (usage) before anything is signed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "args.h"
#include "wallet.h"
#include "yc/bech32.h"
#include "yc/codec.h"

#define CHAIN "yuchain-test"
#define NOW 1795827723456ull /* 2026-11-28T01:02:03.456Z */

static yc_signer *alice;
static uint8_t alice_pub[YC_PUBKEY_LEN], bob_pub[YC_PUBKEY_LEN];
static char bob_addr[YC_ADDR_MAX];
static const char *H1 = "1111111111111111111111111111111111111111111111111111111111111111";
static const char *H2 = "2222222222222222222222222222222222222222222222222222222222222222";

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    uint8_t sec[32] = {0};
    sec[31] = 1;
    if (yc_signer_create(&alice, sec) != YC_OK)
        return -1;
    yc_signer_pubkey(alice, alice_pub);
    yc_signer *bob = NULL;
    sec[31] = 2;
    if (yc_signer_create(&bob, sec) != YC_OK)
        return -1;
    yc_signer_pubkey(bob, bob_pub);
    yc_signer_destroy(bob);
    return yc_addr_encode(bob_addr, bob_pub) == YC_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    yc_signer_destroy(alice);
    return 0;
}

/* Parses `line` (%B: bob's address, %1 / %2: ids), builds the body; the exit code. */
static int build(const char *line, enum yc_tx_type *type, struct yc_buf *body)
{
    static char buf[4096];
    static char *argv[48];
    size_t n = 0;
    for (const char *p = line; *p && n < sizeof buf - 80; p++) {
        if (p[0] == '%' && (p[1] == 'B' || p[1] == '1' || p[1] == '2')) {
            const char *sub = p[1] == 'B' ? bob_addr : p[1] == '1' ? H1 : H2;
            memcpy(buf + n, sub, strlen(sub));
            n += strlen(sub);
            p++;
        } else {
            buf[n++] = *p;
        }
    }
    buf[n] = '\0';
    int argc = 0;
    argv[argc++] = "yuchain-wallet";
    for (char *t = strtok(buf, " "); t != NULL && argc < 47; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    struct wallet_args a;
    char err[256];
    int rc = wallet_args_parse(argc, argv, &a, err, sizeof err);
    if (rc != 0)
        return rc;
    yc_buf_reset(body);
    return wallet_build_body(&a, "alice", alice_pub, NOW, type, body);
}

static void build_tx(const char *line, enum yc_tx_type want, struct yc_tx *tx)
{
    struct yc_buf body, out;
    yc_buf_init(&body, YC_TX_MAX_BYTES);
    yc_buf_init(&out, YC_TX_MAX_BYTES);
    enum yc_tx_type type = YC_TX_NONE;
    int ex = build(line, &type, &body);
    if (ex != 0)
        fail_msg("'%s' refused with exit %d", line, ex);
    assert_int_equal(type, want);
    uint8_t id[YC_HASH_LEN], aux[32] = {0};
    assert_int_equal(yc_tx_build_signed(&out, id, CHAIN, type, alice, 0, body.data, body.len, aux),
                     YC_OK);
    int rc = yc_tx_decode(tx, out.data, out.len);
    if (rc != YC_OK)
        fail_msg("'%s': body does not decode: %s", line, yc_err_name(rc));
    yc_buf_cleanup(&body);
    yc_buf_cleanup(&out);
}

static bool slice_is(struct yc_slice s, const char *want)
{
    return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

static void expect_exit(const char *line, int want)
{
    struct yc_buf body;
    yc_buf_init(&body, YC_TX_MAX_BYTES);
    enum yc_tx_type type;
    int ex = build(line, &type, &body);
    yc_buf_cleanup(&body);
    if (ex != want)
        fail_msg("'%s': exit %d, want %d", line, ex, want);
}

static void test_market(void **state)
{
    (void)state;
    struct yc_tx tx;
    build_tx("market list %1 --offer hold --price 1200 --sector transport", YC_TX_MARKET_LIST, &tx);
    assert_int_equal(tx.b->market_list.price, 1200);
    assert_true(slice_is(tx.b->market_list.offer, "hold"));
    assert_false(tx.b->market_list.has_operations);
    yc_tx_cleanup(&tx);
    build_tx("market list %1 --offer license --price 30 --operations compute,query --purposes "
             "research --until +30d --fee 2 --max-uses 9",
             YC_TX_MARKET_LIST, &tx);
    assert_true(tx.b->market_list.has_operations);
    assert_int_equal(tx.b->market_list.operations.n, 2);
    assert_true(slice_is(tx.b->market_list.visibility, "invisible"));
    assert_true(slice_is(tx.b->market_list.sector, "general"));
    assert_int_equal(tx.b->market_list.until, NOW + 30ull * 86400000);
    assert_int_equal(tx.b->market_list.fee, 2);
    yc_tx_cleanup(&tx);
    build_tx("market appraise %1 --value 99 --method income --report %2", YC_TX_MARKET_APPRAISE,
             &tx);
    assert_int_equal(tx.b->market_appraise.value, 99);
    yc_tx_cleanup(&tx);
    build_tx("market bid %1 --price 5", YC_TX_MARKET_BID, &tx);
    assert_int_equal(tx.b->market_bid.expires, NOW + 7ull * 86400000);
    yc_tx_cleanup(&tx);
    build_tx("market accept %2", YC_TX_MARKET_ACCEPT, &tx);
    yc_tx_cleanup(&tx);
    build_tx("market cancel --listing %1", YC_TX_MARKET_CANCEL, &tx);
    assert_true(tx.b->market_cancel.has_listing);
    assert_false(tx.b->market_cancel.has_bid);
    yc_tx_cleanup(&tx);
}

static void test_pledge_policy_credit(void **state)
{
    (void)state;
    struct yc_tx tx;
    build_tx("pledge create %1 --to %B --amount 500 --due +2h", YC_TX_PLEDGE_CREATE, &tx);
    assert_memory_equal(tx.b->pledge_create.pledgee, bob_pub, YC_PUBKEY_LEN);
    assert_int_equal(tx.b->pledge_create.due, NOW + 7200000);
    yc_tx_cleanup(&tx);
    build_tx("pledge enforce %1", YC_TX_PLEDGE_ENFORCE, &tx);
    yc_tx_cleanup(&tx);
    build_tx("policy set --policy-version 2 --banned-categories health,finance.credit "
             "--banned-prefixes energy. --banned-accounts %B --banned-jurisdictions SG "
             "--alert-amount 5000 --alert-cross-border --alert-accounts %B",
             YC_TX_POLICY_SET, &tx);
    const struct yc_body_policy_set *p = &tx.b->policy_set;
    assert_int_equal(p->version, 2);
    assert_int_equal(p->banned_categories.n, 2);
    assert_int_equal(p->nbanned_accounts, 1);
    assert_int_equal(p->nalert_accounts, 1);
    assert_true(p->alert_cross_border);
    assert_false(p->alert_important);
    assert_int_equal(p->alert_amount, 5000);
    assert_int_equal(p->categories.n, 0);
    yc_tx_cleanup(&tx);
    build_tx("policy set --policy-version 3 --add-categories smart_meter,grid.load "
             "--add-purposes grid_planning",
             YC_TX_POLICY_SET, &tx);
    assert_int_equal(tx.b->policy_set.categories.n, 2);
    assert_true(slice_is(tx.b->policy_set.categories.items[0], "smart_meter"));
    assert_true(slice_is(tx.b->policy_set.categories.items[1], "grid.load"));
    assert_int_equal(tx.b->policy_set.purposes.n, 1);
    assert_true(slice_is(tx.b->policy_set.purposes.items[0], "grid_planning"));
    yc_tx_cleanup(&tx);
    build_tx("export assess %1 --destination SG --outcome approved --until +1d --report %2",
             YC_TX_EXPORT_ASSESS, &tx);
    assert_true(slice_is(tx.b->export_assess.destination, "SG"));
    yc_tx_cleanup(&tx);
    build_tx("export assess %1 --destination SG --outcome denied --report %2", YC_TX_EXPORT_ASSESS,
             &tx);
    yc_tx_cleanup(&tx);
    build_tx("credit record %B --severity frozen --reason fraud --evidence %2", YC_TX_CREDIT_RECORD,
             &tx);
    assert_memory_equal(tx.b->credit_record.account, bob_pub, YC_PUBKEY_LEN);
    yc_tx_cleanup(&tx);
    build_tx("credit object %1 --reason mistake --evidence %2", YC_TX_CREDIT_OBJECT, &tx);
    assert_true(tx.b->credit_ref.has_evidence);
    yc_tx_cleanup(&tx);
    build_tx("credit resolve %1 --outcome withdraw --note ok", YC_TX_CREDIT_RESOLVE, &tx);
    assert_true(slice_is(tx.b->credit_ref.outcome, "withdraw"));
    yc_tx_cleanup(&tx);
    build_tx("credit restore %1", YC_TX_CREDIT_RESTORE, &tx);
    yc_tx_cleanup(&tx);
}

static void test_bad_input(void **state)
{
    (void)state;
    expect_exit("market list %1 --offer hold --price 0", 65);
    expect_exit("market list %1 --price 5", 2); /* --offer required */
    expect_exit("market list %1 --offer hold --price 5 --until +1d", 2);
    expect_exit("market list %1 --offer license --price 5 --operations compute", 2);
    expect_exit("market list zz --offer hold --price 5", 65);
    expect_exit("market bid %1 --price 5 --expires tomorrow", 65);
    expect_exit("market cancel", 2);
    expect_exit("market cancel --bid %1 --listing %2", 2);
    expect_exit("pledge create %1 --to yc1nope --amount 5 --due +1d", 65);
    expect_exit("pledge create %1 --to %B --amount 5", 2);
    expect_exit("policy set --policy-version 0", 65);
    expect_exit("policy set --policy-version 1 --banned-accounts %B,yc1x", 65);
    expect_exit("export assess %1 --destination SG --outcome approved --report %2", 2);
    expect_exit("credit record %B --severity frozen --reason r --evidence 12", 65);
}

/* validator-set governance: propose add|remove|replace-key, approve, withdraw */
static void test_validator_governance(void **state)
{
    (void)state;
    struct yc_tx tx;
    char line[512];
    /* bob's address stands for the validator key, alice's for the organisation account */
    char alice_addr[YC_ADDR_MAX];
    assert_int_equal(yc_addr_encode(alice_addr, alice_pub), YC_OK);
    snprintf(line, sizeof line, "validator propose add %%B --name agency-b --org %s", alice_addr);
    build_tx(line, YC_TX_VALIDATOR_PROPOSE, &tx);
    assert_true(slice_is(tx.b->validator_propose.action, "add"));
    assert_true(slice_is(tx.b->validator_propose.name, "agency-b"));
    assert_memory_equal(tx.b->validator_propose.pub, bob_pub, YC_PUBKEY_LEN);
    assert_true(tx.b->validator_propose.has_org);
    assert_memory_equal(tx.b->validator_propose.org, alice_pub, YC_PUBKEY_LEN);
    assert_false(tx.b->validator_propose.has_new_pub);
    yc_tx_cleanup(&tx);
    build_tx("validator propose remove %B", YC_TX_VALIDATOR_PROPOSE, &tx);
    assert_true(slice_is(tx.b->validator_propose.action, "remove"));
    assert_false(tx.b->validator_propose.has_org);
    assert_int_equal(tx.b->validator_propose.name.len, 0);
    yc_tx_cleanup(&tx);
    snprintf(line, sizeof line, "validator propose replace-key %%B --new-key %s", alice_addr);
    build_tx(line, YC_TX_VALIDATOR_PROPOSE, &tx);
    assert_true(slice_is(tx.b->validator_propose.action, "replace_key"));
    assert_true(tx.b->validator_propose.has_new_pub);
    assert_memory_equal(tx.b->validator_propose.new_pub, alice_pub, YC_PUBKEY_LEN);
    yc_tx_cleanup(&tx);
    build_tx("validator approve %1", YC_TX_VALIDATOR_APPROVE, &tx);
    assert_memory_equal(tx.b->validator_ref.proposal, (uint8_t[YC_HASH_LEN]){[0 ... 31] = 0x11},
                        YC_HASH_LEN);
    yc_tx_cleanup(&tx);
    build_tx("validator withdraw %2", YC_TX_VALIDATOR_WITHDRAW, &tx);
    yc_tx_cleanup(&tx);

    /* refused before signing */
    expect_exit("validator propose add %B --name x", 2); /* --org required */
    expect_exit("validator propose add %B --org %B", 2); /* --name required */
    expect_exit("validator propose add %B --name x --org yc1nope", 65);
    expect_exit("validator propose add yc1nope --name x --org %B", 65);
    expect_exit("validator propose add %B --name "
                "a-name-of-sixty-five-bytes-a-name-of-sixty-five-bytes-abcdefghijk --org %B",
                65);
    expect_exit("validator propose remove %B --name x", 2); /* not its option */
    expect_exit("validator propose replace-key %B", 2);     /* --new-key required */
    expect_exit("validator propose replace-key %B --new-key zz", 65);
    expect_exit("validator approve 12", 65);
    expect_exit("validator approve", 2);
    expect_exit("validator withdraw %1 %2", 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validator_governance),
        cmocka_unit_test(test_market),
        cmocka_unit_test(test_pledge_policy_credit),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
