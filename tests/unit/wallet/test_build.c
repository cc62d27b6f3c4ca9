/*
 * test_build.c — building transactions from command lines: every command's body is
 * canonical, decodes with yc_tx_decode into the fields that were asked for, and the
 * signed transaction verifies; bad values are refused with exit 65 (bad input) or 2
 * (usage) before anything is signed.
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
#include "yc/enums.h"
#include "yc/txschema.h"

#define CHAIN "yuchain-test"
#define NOW 1795827723456ull /* 2026-11-28T01:02:03.456Z */

static yc_signer *alice;
static uint8_t alice_pub[YC_PUBKEY_LEN], bob_pub[YC_PUBKEY_LEN];
static char bob_addr[YC_ADDR_MAX];
static const char *HASH1 = "1111111111111111111111111111111111111111111111111111111111111111";
static const char *HASH2 = "2222222222222222222222222222222222222222222222222222222222222222";
static const char *HASH3 = "3333333333333333333333333333333333333333333333333333333333333333";

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

/* Parses `line` (with %B replaced by bob's address), builds the body; returns the exit
 * code of wallet_build_body (or of parsing). */
static int build(const char *line, enum yc_tx_type *type, struct yc_buf *body)
{
    static char buf[4096];
    static char *argv[48];
    char expanded[4096];
    const char *p = strstr(line, "%B");
    if (p != NULL)
        snprintf(expanded, sizeof expanded, "%.*s%s%s", (int)(p - line), line, bob_addr, p + 2);
    else
        snprintf(expanded, sizeof expanded, "%s", line);
    memcpy(buf, expanded, sizeof buf); /* same size, NUL-terminated by snprintf */
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

/* Builds, signs and decodes; the caller inspects *tx and cleans it up. */
static void build_tx(const char *line, uint64_t nonce, struct yc_tx *tx)
{
    struct yc_buf body, out;
    yc_buf_init(&body, YC_TX_MAX_BYTES);
    yc_buf_init(&out, YC_TX_MAX_BYTES);
    enum yc_tx_type type = YC_TX_NONE;
    int ex = build(line, &type, &body);
    if (ex != 0)
        fail_msg("'%s' refused with exit %d", line, ex);
    const struct yc_limits lim = YC_LIMITS_DEFAULT;
    assert_int_equal(yc_canon_check(body.data, body.len, &lim), YC_OK);
    uint8_t id[YC_HASH_LEN], aux[32];
    randombytes_buf(aux, sizeof aux);
    assert_int_equal(
        yc_tx_build_signed(&out, id, CHAIN, type, alice, nonce, body.data, body.len, aux), YC_OK);
    assert_int_equal(yc_tx_decode(tx, out.data, out.len), YC_OK);
    assert_int_equal(tx->type, type);
    assert_int_equal(tx->nonce, nonce);
    assert_memory_equal(tx->sender, alice_pub, YC_PUBKEY_LEN);
    assert_memory_equal(tx->id, id, YC_HASH_LEN);
    assert_int_equal(tx->chain_id.len, strlen(CHAIN));
    assert_memory_equal(tx->chain_id.p, CHAIN, strlen(CHAIN));
    assert_int_equal(yc_tx_verify(tx, CHAIN), YC_OK);
    assert_int_equal(yc_tx_verify(tx, "other-chain"), YC_EWRONGCHAIN);
    yc_buf_cleanup(&body);
    yc_buf_cleanup(&out);
}

static bool slice_is(struct yc_slice s, const char *want)
{
    return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

static void test_register(void **state)
{
    (void)state;
    struct yc_tx tx;
    build_tx("register", 0, &tx);
    assert_int_equal(tx.type, YC_TX_ACCOUNT_REGISTER);
    assert_false(tx.b->account_register.has_account);
    assert_true(slice_is(tx.b->account_register.role, "individual"));
    assert_true(slice_is(tx.b->account_register.name, "alice"));
    assert_true(slice_is(tx.b->account_register.jurisdiction, "CN-CQ"));
    yc_tx_cleanup(&tx);

    build_tx("register --for %B --role processor --name Acme --jurisdiction CN-SC", 7, &tx);
    assert_true(tx.b->account_register.has_account);
    assert_memory_equal(tx.b->account_register.account, bob_pub, YC_PUBKEY_LEN);
    assert_true(slice_is(tx.b->account_register.role, "processor"));
    assert_true(slice_is(tx.b->account_register.name, "Acme"));
    assert_true(slice_is(tx.b->account_register.jurisdiction, "CN-SC"));
    yc_tx_cleanup(&tx);
}

static void test_tokens(void **state)
{
    (void)state;
    struct yc_tx tx;
    build_tx("transfer --to %B --amount 12345", 3, &tx);
    assert_int_equal(tx.type, YC_TX_TOKEN_TRANSFER);
    assert_true(tx.b->token.has_to);
    assert_memory_equal(tx.b->token.to, bob_pub, YC_PUBKEY_LEN);
    assert_int_equal(tx.b->token.amount, 12345);
    assert_int_equal(tx.b->token.memo.len, 0);
    yc_tx_cleanup(&tx);

    build_tx("token issue --to %B --amount 18446744073709551615 --memo deposit", 0, &tx);
    assert_int_equal(tx.type, YC_TX_TOKEN_ISSUE);
    assert_true(tx.b->token.amount == UINT64_MAX);
    assert_true(slice_is(tx.b->token.memo, "deposit"));
    yc_tx_cleanup(&tx);

    build_tx("token redeem --amount 5", 1, &tx);
    assert_int_equal(tx.type, YC_TX_TOKEN_REDEEM);
    assert_false(tx.b->token.has_to);
    assert_int_equal(tx.b->token.amount, 5);
    yc_tx_cleanup(&tx);
}

static void test_consent(void **state)
{
    (void)state;
    struct yc_tx tx;
    build_tx("consent grant --to %B --categories health,location,health --purposes research "
             "--operations use,hold --until +30d",
             2, &tx);
    const struct yc_body_consent_grant *g = &tx.b->consent_grant;
    assert_int_equal(tx.type, YC_TX_CONSENT_GRANT);
    assert_memory_equal(g->processor, bob_pub, YC_PUBKEY_LEN);
    assert_int_equal(g->categories.n, 2); /* duplicate dropped */
    assert_true(slice_is(g->categories.items[0], "health"));
    assert_true(slice_is(g->categories.items[1], "location"));
    assert_int_equal(g->purposes.n, 1);
    assert_true(slice_is(g->purposes.items[0], "research"));
    assert_int_equal(g->operations.n, 2);
    assert_true(slice_is(g->operations.items[0], "use"));
    assert_true(slice_is(g->operations.items[1], "hold"));
    assert_int_equal(g->until, NOW + 30ull * 86400000u);
    assert_int_equal(g->not_before, 0);
    assert_int_equal(g->fee_per_use, 0);
    assert_int_equal(g->max_uses, 0);
    assert_int_equal(g->retention_days, 0);
    assert_false(g->onward_transfer);
    assert_true(slice_is(g->jurisdiction, "CN-CQ"));
    yc_tx_cleanup(&tx);

    build_tx("consent grant --to %B --categories a --purposes p,q --operations collect "
             "--until 2027-01-01T00:00:00Z --not-before 2026-12-01T00:00:00+08:00 "
             "--fee-per-use 25 --max-uses 3 --jurisdiction SG --retention-days 90 "
             "--onward-transfer",
             0, &tx);
    g = &tx.b->consent_grant;
    assert_int_equal(g->until, 1798761600000ull);
    assert_int_equal(g->not_before, 1796054400000ull);
    assert_int_equal(g->fee_per_use, 25);
    assert_int_equal(g->max_uses, 3);
    assert_int_equal(g->retention_days, 90);
    assert_true(g->onward_transfer);
    assert_true(slice_is(g->jurisdiction, "SG"));
    yc_tx_cleanup(&tx);

    char line[256];
    snprintf(line, sizeof line, "consent revoke %s", HASH1);
    build_tx(line, 9, &tx);
    assert_int_equal(tx.type, YC_TX_CONSENT_REVOKE);
    uint8_t want[YC_HASH_LEN];
    memset(want, 0x11, sizeof want);
    assert_memory_equal(tx.b->consent_revoke.consent, want, YC_HASH_LEN);
    yc_tx_cleanup(&tx);
}

static void test_usage_and_evidence(void **state)
{
    (void)state;
    struct yc_tx tx;
    char line[512];
    uint8_t h1[32], h2[32], h3[32];
    memset(h1, 0x11, 32);
    memset(h2, 0x22, 32);
    memset(h3, 0x33, 32);
    snprintf(line, sizeof line,
             "usage record --consent %s --purpose research --operation use --category health "
             "--input %s --output %s",
             HASH1, HASH2, HASH3);
    build_tx(line, 4, &tx);
    const struct yc_body_usage_record *u = &tx.b->usage_record;
    assert_int_equal(tx.type, YC_TX_USAGE_RECORD);
    assert_true(u->has_consent);
    assert_false(u->has_license);
    assert_memory_equal(u->consent, h1, 32);
    assert_true(u->has_input);
    assert_memory_equal(u->input, h2, 32);
    assert_true(u->has_output);
    assert_memory_equal(u->output, h3, 32);
    assert_true(slice_is(u->purpose, "research"));
    assert_true(slice_is(u->operation, "use"));
    assert_true(slice_is(u->category, "health"));
    yc_tx_cleanup(&tx);

    snprintf(line, sizeof line, "usage record --license %s --purpose p --operation hold", HASH2);
    build_tx(line, 5, &tx);
    u = &tx.b->usage_record;
    assert_false(u->has_consent);
    assert_true(u->has_license);
    assert_memory_equal(u->license, h2, 32);
    assert_false(u->has_input);
    assert_int_equal(u->category.len, 0);
    yc_tx_cleanup(&tx);

    snprintf(line, sizeof line,
             "evidence anchor --digest %s --kind dcmm_assessment --ref %s "
             "--note level-3",
             HASH3, HASH1);
    build_tx(line, 6, &tx);
    const struct yc_body_evidence_anchor *e = &tx.b->evidence_anchor;
    assert_int_equal(tx.type, YC_TX_EVIDENCE_ANCHOR);
    assert_memory_equal(e->digest, h3, 32);
    assert_true(slice_is(e->kind, "dcmm_assessment"));
    assert_true(e->has_ref);
    assert_memory_equal(e->ref, h1, 32);
    assert_true(slice_is(e->note, "level-3"));
    yc_tx_cleanup(&tx);
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

static void test_bad_input(void **state)
{
    (void)state;
    char line[512];
    expect_exit("transfer --to yc1qqqq --amount 1", 65);
    expect_exit("transfer --to %B --amount 0", 65);
    expect_exit("transfer --to %B --amount -1", 65);
    expect_exit("transfer --to %B --amount 1.5", 65);
    expect_exit("transfer --to %B --amount 18446744073709551616", 65);
    expect_exit("register --for %B", 2); /* --for needs --name */
    expect_exit("consent grant --to %B --categories a --purposes p --operations use "
                "--until yesterday",
                65);
    expect_exit("consent grant --to %B --categories a --purposes p --operations use "
                "--until 2027-01-01T00:00:00Z --not-before 2027-01-01T00:00:00Z",
                65);
    expect_exit("consent grant --to %B --categories a,,b --purposes p --operations use "
                "--until +1d",
                65);
    expect_exit("consent grant --to %B --categories a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q "
                "--purposes p --operations use --until +1d",
                65);
    expect_exit("consent grant --to %B --categories a --purposes p --operations use "
                "--until +1d --max-uses many",
                65);
    expect_exit("consent revoke 1234", 65);
    expect_exit("consent revoke zz11111111111111111111111111111111111111111111111111111111111111",
                65);
    snprintf(line, sizeof line,
             "usage record --consent %s --license %s --purpose p --operation use", HASH1, HASH2);
    expect_exit(line, 2);
    expect_exit("usage record --purpose p --operation use", 2);
    snprintf(line, sizeof line,
             "usage record --consent %s --purpose p --operation use "
             "--input abc",
             HASH1);
    expect_exit(line, 65);
    expect_exit("evidence anchor --digest 00 --kind k", 65);
}

/* Every type of the schema table is built by a command, and every field of its body comes
 * from somewhere in each command that builds it: an option, the positional argument, or
 * nowhere on purpose (a binding of txcmd.c); a field from the positional belongs to a
 * command that takes one. */
static void test_every_type_has_a_command(void **state)
{
    (void)state;
    const struct yc_tx_schema *s;
    for (size_t i = 0; (s = yc_tx_schema_at(i)) != NULL; i++) {
        int commands = 0;
        for (const struct wallet_cmd *cmd = WALLET_CMDS; cmd->words != NULL; cmd++) {
            if (cmd->type != (int)s->type)
                continue;
            commands++;
            assert_ptr_equal(wallet_cmd_schema(cmd), s);
            for (uint32_t k = 0; k < s->nfields; k++) {
                int o = wallet_field_source(cmd, &s->fields[k], NULL, NULL, NULL);
                if (o == WALLET_SRC_UNKNOWN)
                    fail_msg("'%s': no option gives %s", cmd->words, s->fields[k].key);
                if (o == WALLET_SRC_POS && cmd->min_pos != 1)
                    fail_msg("'%s' takes no positional for %s", cmd->words, s->fields[k].key);
                if (o >= 0 && (cmd->opts & OPTBIT(o)) != 0)
                    fail_msg("'%s' lists --%s beside its body's", cmd->words, WALLET_OPTS[o].name);
            }
        }
        if (commands == 0)
            fail_msg("no command builds %s", yc_tx_type_name(s->type));
    }
}

/* The rule across fields in the options' words; limits from the schema name the option. */
static void test_messages_name_the_option(void **state)
{
    (void)state;
    char line[512];
    FILE *saved = stderr;
    char *text = NULL;
    size_t len = 0;
    stderr = open_memstream(&text, &len);
    assert_non_null(stderr);
    snprintf(line, sizeof line,
             "usage record --consent %s --license %s --purpose p --operation use", HASH1, HASH2);
    expect_exit(line, 2);
    expect_exit("market cancel", 2);
    expect_exit(
        "register --name "
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        65);
    expect_exit("consent grant --to %B --categories a,,b --purposes p --operations use "
                "--until +1d",
                65);
    fclose(stderr);
    stderr = saved;
    assert_non_null(strstr(text, "usage record needs exactly one of --consent and --license"));
    assert_non_null(strstr(text, "market cancel needs exactly one of --bid and --listing"));
    assert_non_null(strstr(text, "--name: 141 bytes; at most 128"));
    assert_non_null(strstr(text, "--categories: an empty item in 'a,,b'"));
    free(text);
}

static void test_account_update(void **state)
{
    (void)state;
    struct yc_tx tx;
    build_tx("account update --name Acme", 1, &tx);
    assert_int_equal(tx.type, YC_TX_ACCOUNT_UPDATE);
    assert_false(tx.b->account_update.has_account);
    assert_true(tx.b->account_update.has_name);
    assert_true(slice_is(tx.b->account_update.name, "Acme"));
    assert_false(tx.b->account_update.has_jurisdiction);
    yc_tx_cleanup(&tx);
    build_tx("account update --for %B --jurisdiction CN-SC", 2, &tx);
    assert_true(tx.b->account_update.has_account);
    assert_memory_equal(tx.b->account_update.account, bob_pub, YC_PUBKEY_LEN);
    assert_true(tx.b->account_update.has_jurisdiction);
    assert_false(tx.b->account_update.has_name);
    yc_tx_cleanup(&tx);
}

/* Words of wallet_check_values for `line` (parsed as build() does, without %B). */
static int check_words(const char *line, char *err, size_t errlen)
{
    static char buf[1024];
    static char *argv[32];
    int argc = 0;
    snprintf(buf, sizeof buf, "%s", line);
    argv[argc++] = "yuchain-wallet";
    for (char *t = strtok(buf, " "); t != NULL && argc < 31; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    struct wallet_args a;
    assert_int_equal(wallet_args_parse(argc, argv, &a, err, errlen), 0);
    return wallet_check_values(&a, err, errlen);
}

/* issue 9: enumerations and code formats are refused before signing, from the table */
static void test_enum_refused_before_signing(void **state)
{
    (void)state;
    char err[512];
    expect_exit("consent grant --to %B --categories health --purposes research "
                "--operations compute --until +1d",
                65);
    assert_int_equal(check_words("consent grant --to x --categories health --purposes research "
                                 "--operations use,compute --until +1d",
                                 err, sizeof err),
                     65);
    assert_string_equal(err, "--operations: 'compute' is not one of collect, hold, host, use");
    assert_int_equal(check_words("consent grant --to x --categories Health --purposes research "
                                 "--operations use --until +1d",
                                 err, sizeof err),
                     65);
    assert_non_null(strstr(err, "--categories: 'Health' is not a code"));
    assert_non_null(strstr(err, "did you mean health?"));
    assert_int_equal(check_words("export assess 00 --destination SG --outcome upheld --report 00",
                                 err, sizeof err),
                     65);
    assert_string_equal(err, "--outcome: 'upheld' is not one of approved, denied");
    assert_int_equal(check_words("asset resolve 00 --outcome upheld", err, sizeof err), 0);
    assert_int_equal(check_words("usage record --consent 00 --purpose research --operation query",
                                 err, sizeof err),
                     0);
    assert_int_equal(check_words("register --role kng", err, sizeof err), 65);
    assert_non_null(strstr(err, "--role: 'kng' is not one of individual, enterprise"));
    assert_int_equal(check_words("asset register --grade secret --digest 00 --title t --catalog c "
                                 "--source public --sector s",
                                 err, sizeof err),
                     65);
    assert_string_equal(err, "--grade: 'secret' is not one of general, important, core");
    /* the option tables agree with the enumerations */
    const struct wallet_cmd *grant = NULL, *license = NULL;
    for (const struct wallet_cmd *c = WALLET_CMDS; c->words != NULL; c++) {
        if (strcmp(c->words, "consent grant") == 0)
            grant = c;
        if (strcmp(c->words, "asset license") == 0)
            license = c;
    }
    assert_non_null(grant);
    assert_non_null(license);
    assert_int_equal(wallet_opt_enum(grant, O_OPERATIONS), YC_ENUM_CONSENT_OP);
    assert_int_equal(wallet_opt_enum(license, O_OPERATIONS), YC_ENUM_LICENSE_OP);
    assert_int_equal(wallet_opt_enum(license, O_TO), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_consent),
        cmocka_unit_test(test_usage_and_evidence),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_every_type_has_a_command),
        cmocka_unit_test(test_messages_name_the_option),
        cmocka_unit_test(test_account_update),
        cmocka_unit_test(test_enum_refused_before_signing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
