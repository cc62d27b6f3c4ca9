/*
 * test_args.c — the wallet's command line: command matching (one and two words, longest
 * match), global options before and after the command, --opt=value, flags, required
 * options, positional counts, duplicates and foreign options refused (exit 2), --help
 * on every command, and the precedence flag > environment > default.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "args.h"
#include "wallet.h"

#define MAXARGS 40

/* Parses a space-separated command line (no quoting) into *a; returns the code. */
static int parse(const char *line, struct wallet_args *a, char *err, size_t errlen)
{
    static char buf[4096];
    static char *argv[MAXARGS];
    strncpy(buf, line, sizeof buf - 1);
    int argc = 0;
    argv[argc++] = "yuchain-wallet";
    for (char *t = strtok(buf, " "); t != NULL && argc < MAXARGS; t = strtok(NULL, " "))
        argv[argc++] = t;
    return wallet_args_parse(argc, argv, a, err, errlen);
}

static void expect_usage(const char *line, const char *msg_part)
{
    struct wallet_args a;
    char err[256];
    int rc = parse(line, &a, err, sizeof err);
    if (rc != 2)
        fail_msg("'%s' parsed (rc %d), want usage error", line, rc);
    if (msg_part != NULL && strstr(err, msg_part) == NULL)
        fail_msg("'%s': message '%s' lacks '%s'", line, err, msg_part);
}

static void test_commands(void **state)
{
    (void)state;
    struct wallet_args a;
    char err[256];
    assert_int_equal(parse("new alice", &a, err, sizeof err), 0);
    assert_string_equal(a.cmd->words, "new");
    assert_int_equal(a.npos, 1);
    assert_string_equal(a.pos[0], "alice");

    assert_int_equal(parse("usage", &a, err, sizeof err), 0);
    assert_string_equal(a.cmd->words, "usage");
    assert_int_equal(
        parse("usage record --consent 00 --purpose p --operation use", &a, err, sizeof err), 0);
    assert_string_equal(a.cmd->words, "usage record");
    assert_string_equal(a.val[O_CONSENT], "00");
    assert_int_equal(parse("usage --subject yc1x", &a, err, sizeof err), 0);
    assert_string_equal(a.cmd->words, "usage");

    assert_int_equal(parse("consent revoke abcd", &a, err, sizeof err), 0);
    assert_string_equal(a.cmd->words, "consent revoke");
    assert_string_equal(a.pos[0], "abcd");
    assert_int_equal(parse("tx sign f.json", &a, err, sizeof err), 0);
    assert_string_equal(a.cmd->words, "tx sign");
    assert_int_equal(parse("address", &a, err, sizeof err), 0);
    assert_int_equal(a.npos, 0);
    assert_int_equal(parse("balance yc1abc", &a, err, sizeof err), 0);
    assert_int_equal(a.npos, 1);

    expect_usage("", "no command");
    expect_usage("bogus", "unknown command");
    expect_usage("consent", "'consent' needs one of grant, revoke");
    expect_usage("consent frobnicate",
                 "unknown command 'consent frobnicate': 'consent' is followed by one of grant");
    expect_usage("validator propose ad", "unknown command 'validator propose ad': 'validator "
                                         "propose' is followed by one of add, remove, replace-key");
    expect_usage("validator --json", "'validator' needs one of propose, approve");
    expect_usage("new", "needs NAME");
    expect_usage("new a b", "unexpected argument");
    expect_usage("list extra", "unexpected argument");
    expect_usage("tx sign", "needs FILE");
}

static void test_global_options_anywhere(void **state)
{
    (void)state;
    struct wallet_args a;
    char err[256];
    assert_int_equal(parse("--wallet-dir /w --node http://h:1 --json transfer --to X "
                           "--amount 5 --from alice --no-wait --password-stdin",
                           &a, err, sizeof err),
                     0);
    assert_string_equal(a.cmd->words, "transfer");
    assert_string_equal(a.val[O_WALLET_DIR], "/w");
    assert_string_equal(a.val[O_NODE], "http://h:1");
    assert_string_equal(a.val[O_FROM], "alice");
    assert_true(a.set[O_JSON]);
    assert_true(a.set[O_NO_WAIT]);
    assert_true(a.set[O_PASSWORD_STDIN]);
    assert_false(a.set[O_PASSWORD_FILE]);
    assert_string_equal(a.val[O_TO], "X");
    assert_string_equal(a.val[O_AMOUNT], "5");

    assert_int_equal(parse("transfer --to=Y --amount=7 --memo=a=b", &a, err, sizeof err), 0);
    assert_string_equal(a.val[O_TO], "Y");
    assert_string_equal(a.val[O_AMOUNT], "7");
    assert_string_equal(a.val[O_MEMO], "a=b");

    /* "--" ends options: a key name that looks like an option */
    assert_int_equal(parse("new -- --weird", &a, err, sizeof err), 0);
    assert_string_equal(a.pos[0], "--weird");
}

static void test_option_errors(void **state)
{
    (void)state;
    expect_usage("transfer --to X --amount 1 --to Y", "given twice");
    expect_usage("transfer --to X --amount 1 --bogus", "unknown option");
    expect_usage("transfer --to X --amount 1 --categories a", "does not take --categories");
    expect_usage("--to X transfer --amount 1", "belongs after a command");
    expect_usage("transfer --to X", "needs --amount");
    expect_usage("transfer --amount 1 --to", "needs a value");
    expect_usage("transfer --to X --amount 1 --json=yes", "takes no value");
    expect_usage("consent grant --to X --categories a --purposes p --operations use",
                 "needs --until");
    expect_usage("list --out f", "does not take --out");
    expect_usage("tx send f --nonce 1", "does not take --nonce");
}

static void test_help_and_version(void **state)
{
    (void)state;
    struct wallet_args a;
    char err[256];
    /* --help works on every command, even without its required arguments */
    for (const struct wallet_cmd *c = WALLET_CMDS; c->words != NULL; c++) {
        char line[128];
        snprintf(line, sizeof line, "%s --help", c->words);
        assert_int_equal(parse(line, &a, err, sizeof err), 0);
        assert_true(a.set[O_HELP]);
        assert_ptr_equal(a.cmd, c);
        snprintf(line, sizeof line, "-h %s", c->words);
        assert_int_equal(parse(line, &a, err, sizeof err), 0);
        assert_ptr_equal(a.cmd, c);
    }
    assert_int_equal(parse("--help", &a, err, sizeof err), 0);
    assert_null(a.cmd);
    assert_int_equal(parse("--version", &a, err, sizeof err), 0);
    assert_true(a.set[O_VERSION]);
    assert_int_equal(wallet_main(2, (char *[]){"yuchain-wallet", "--version", NULL}), 0);
    assert_int_equal(wallet_main(2, (char *[]){"yuchain-wallet", "nonsense", NULL}), 2);
}

static void test_precedence(void **state)
{
    (void)state;
    struct wallet_args a;
    struct wallet w;
    char err[256];
    unsetenv("YUCHAIN_WALLET_DIR");
    unsetenv("YUCHAIN_NODE");
    setenv("HOME", "/home/tester", 1);
    assert_int_equal(parse("list", &a, err, sizeof err), 0);
    assert_int_equal(wallet_init(&w, &a), 0);
    assert_string_equal(w.dir, "/home/tester/.yuchain-wallet");
    assert_string_equal(w.node, "http://127.0.0.1:27700");
    assert_null(w.from);

    setenv("YUCHAIN_WALLET_DIR", "/env/w", 1);
    setenv("YUCHAIN_NODE", "http://10.0.0.1:9", 1);
    assert_int_equal(wallet_init(&w, &a), 0);
    assert_string_equal(w.dir, "/env/w");
    assert_string_equal(w.node, "http://10.0.0.1:9");

    assert_int_equal(
        parse("--wallet-dir /flag/w --node http://h:2 --from bob list", &a, err, sizeof err), 0);
    assert_int_equal(wallet_init(&w, &a), 0);
    assert_string_equal(w.dir, "/flag/w");
    assert_string_equal(w.node, "http://h:2");
    assert_string_equal(w.from, "bob");

    /* https, a path, a token file and a CA file */
    assert_int_equal(parse("--node https://h/yuchain/ list", &a, err, sizeof err), 0);
    assert_int_equal(wallet_init(&w, &a), 0);
    assert_string_equal(w.node, "https://h/yuchain/");
    assert_int_equal(parse("--token-file /nonexistent/t list", &a, err, sizeof err), 0);
    assert_int_equal(wallet_init(&w, &a), YC_EXIT_IOERR);
    assert_int_equal(parse("--cacert /nonexistent/ca.pem list", &a, err, sizeof err), 0);
    assert_int_equal(wallet_init(&w, &a), YC_EXIT_IOERR);

    /* configuration errors: 78 */
    assert_int_equal(parse("--node ftp://h list", &a, err, sizeof err), 0);
    assert_int_equal(wallet_init(&w, &a), YC_EXIT_CONFIG);
    assert_int_equal(parse("--node 127.0.0.1:27700 list", &a, err, sizeof err), 0);
    assert_int_equal(wallet_init(&w, &a), YC_EXIT_CONFIG);
    unsetenv("YUCHAIN_WALLET_DIR");
    unsetenv("HOME");
    assert_int_equal(parse("list", &a, err, sizeof err), 0);
    assert_int_equal(wallet_init(&w, &a), YC_EXIT_CONFIG);
    /* both password sources: usage */
    setenv("HOME", "/home/tester", 1);
    assert_int_equal(parse("--password-file f --password-stdin list", &a, err, sizeof err), 0);
    assert_int_equal(wallet_init(&w, &a), YC_EXIT_USAGE);
    unsetenv("YUCHAIN_NODE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commands),      cmocka_unit_test(test_global_options_anywhere),
        cmocka_unit_test(test_option_errors), cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_precedence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
