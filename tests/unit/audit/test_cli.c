/*
 * test_cli.c — yuchain-audit's command line through audit_main (the code main() runs):
 * exit codes (0, 1, 2, 65, 69, 74, 77, 78), anchoring (--genesis-hash, --require-anchor), the --json contract of DESIGN.md §10
 * ({"ok","blocks","txs","height","reason"}), --to, --report, --help, --version, and
 * `subject` listing a consent and a use of the subject's data from the replayed state.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <jansson.h>
#include <leveldb/c.h>

#include "yc/alloc.h"
#include "yc/bech32.h"
#include "yc/genesis_json.h"
#include "yc/store.h"

#include "../../../storage/src/store_keys.h"
#include "helper_outcomes.h"
#include "cli.h"

struct fix {
    char home[4096];
    char data[4200];
    struct tchain c;
    uint8_t consent[YC_HASH_LEN];
};

/* Blocks: 1-2 default txs, 3 Alice's consent, 4 a use under it, 5 default txs. */
static int setup(void **state)
{
    static struct fix f;
    memset(&f, 0, sizeof f);
    tdir_make(f.home, sizeof f.home);
    snprintf(f.data, sizeof f.data, "%s/data", f.home);
    tchain_init(&f.c, 4);
    tchain_make_home(&f.c, f.home);
    store *s = NULL;
    char err[512];
    assert_int_equal(store_open(&s, f.data, false, &f.c.g, err, sizeof err), YC_OK);
    tchain_commit_next(&f.c, s, 2);
    tchain_commit_next(&f.c, s, 1);
    struct yc_tx tx;
    tchain_tx_consent(&f.c, &tx);
    memcpy(f.consent, tx.id, YC_HASH_LEN);
    tchain_commit_txs(&f.c, s, &tx, 1);
    yc_tx_cleanup(&tx);
    tchain_tx_usage(&f.c, f.consent, &tx);
    tchain_commit_txs(&f.c, s, &tx, 1);
    yc_tx_cleanup(&tx);
    tchain_commit_next(&f.c, s, 3);
    store_close(s);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    tchain_cleanup(&f->c);
    tdir_remove(f->home);
    return 0;
}

/* Runs audit_main with args[0..n) after the program name; *out gets its stdout
 * (malloc'ed). */
static int run_v(char **out, int n, char **args)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)"yuchain-audit";
    for (int i = 0; i < n && argc < 31; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;

    char path[] = "/tmp/yc-test-cli-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    assert_true(dup2(fd, STDOUT_FILENO) >= 0);
    int rc = audit_main(argc, argv);
    fflush(stdout);
    assert_true(dup2(saved, STDOUT_FILENO) >= 0);
    close(saved);
    off_t len = lseek(fd, 0, SEEK_END);
    char *buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(pread(fd, buf, (size_t)len, 0), len);
    buf[len] = '\0';
    close(fd);
    unlink(path);
    if (out != NULL)
        *out = buf;
    else
        free(buf);
    return rc;
}

/* Runs audit_main with the NULL-terminated args; *out gets its stdout (malloc'ed). */
static int run(char **out, ...)
{
    char *args[31];
    int n = 0;
    va_list ap;
    va_start(ap, out);
    for (char *a; (a = va_arg(ap, char *)) != NULL && n < 30;)
        args[n++] = a;
    va_end(ap);
    return run_v(out, n, args);
}

static json_t *parse_json(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (j == NULL)
        fail_msg("not JSON (%s): %s", e.text, text);
    return j;
}

static void test_version_help_usage(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(run(&out, "--version", NULL), 0);
    assert_non_null(strstr(out, "yuchain-audit " YC_VERSION));
    free(out);
    assert_int_equal(run(&out, "--help", NULL), 0);
    assert_non_null(strstr(out, "replay"));
    assert_non_null(strstr(out, "subject"));
    free(out);
    assert_int_equal(run(&out, "replay", "--help", NULL), 0);
    assert_non_null(strstr(out, "--report FILE"));
    free(out);
    assert_int_equal(run(&out, "subject", "--help", NULL), 0);
    assert_non_null(strstr(out, "ADDRESS"));
    free(out);
    assert_int_equal(run(&out, "help", "replay", NULL), 0);
    assert_non_null(strstr(out, "--to H"));
    free(out);

    assert_int_equal(run(NULL, NULL), 2);
    assert_int_equal(run(NULL, "frobnicate", NULL), 2);
    assert_int_equal(run(NULL, "replay", NULL), 2);
    assert_int_equal(run(NULL, "replay", "--home", "/x", "--node", "http://h:1", NULL), 2);
    assert_int_equal(run(NULL, "replay", "--home", "/x", "--to", "0", NULL), 2);
    assert_int_equal(run(NULL, "replay", "--home", "/x", "--to", "x1", NULL), 2);
    assert_int_equal(run(NULL, "replay", "--home", "/x", "--bogus", NULL), 2);
    assert_int_equal(run(NULL, "replay", "--home", "/x", "extra", NULL), 2);
    assert_int_equal(run(NULL, "subject", "--home", "/x", NULL), 2);
    assert_int_equal(run(NULL, "subject", "--home", "/x", "--to", "3", "yc1x", NULL), 2);
}

static void test_replay_json_ok(void **state)
{
    struct fix *f = *state;
    char *out = NULL;
    assert_int_equal(run(&out, "replay", "--home", f->home, "--json", NULL), 0);
    json_t *j = parse_json(out);
    assert_true(json_is_true(json_object_get(j, "ok")));
    assert_int_equal(json_integer_value(json_object_get(j, "blocks")), 5);
    assert_int_equal(json_integer_value(json_object_get(j, "txs")), 8);
    assert_true(json_is_null(json_object_get(j, "height")));
    assert_true(json_is_null(json_object_get(j, "reason")));
    json_t *types = json_object_get(j, "txs_by_type");
    assert_int_equal(json_integer_value(json_object_get(types, "consent.grant")), 1);
    assert_int_equal(json_integer_value(json_object_get(types, "usage.record")), 1);
    json_decref(j);
    free(out);

    /* text summary, --to */
    assert_int_equal(run(&out, "replay", "--home", f->home, "--to", "3", "--quiet", NULL), 0);
    assert_non_null(strstr(out, "3 verified (heights 1..3)"));
    /* the home's own genesis: verified, but said to be unanchored */
    assert_non_null(strstr(out, "OK (NOT ANCHORED):"));
    assert_non_null(strstr(out, "anchored        NOT ANCHORED"));
    free(out);

    /* anchoring: --genesis-hash of the genesis' hash anchors; --require-anchor without
     * an anchor exits 77 with one JSON object; a wrong hash is a configuration error */
    char gh[2 * YC_HASH_LEN + 1];
    yc_hex(gh, f->c.g.hash, YC_HASH_LEN);
    assert_int_equal(run(&out, "replay", "--home", f->home, "--genesis-hash", gh,
                         "--require-anchor", "--json", NULL),
                     0);
    j = parse_json(out);
    assert_true(json_is_true(json_object_get(j, "anchored")));
    json_decref(j);
    free(out);
    assert_int_equal(run(&out, "replay", "--home", f->home, "--require-anchor", "--json", NULL),
                     77);
    j = parse_json(out);
    assert_true(json_is_false(json_object_get(j, "anchored")));
    assert_string_equal(json_string_value(json_object_get(j, "code")), "not_anchored");
    json_decref(j);
    free(out);
    gh[0] = gh[0] == '0' ? '1' : '0';
    assert_int_equal(run(&out, "replay", "--home", f->home, "--genesis-hash", gh, "--json", NULL),
                     78);
    j = parse_json(out);
    assert_true(json_is_false(json_object_get(j, "ok")));
    json_decref(j);
    free(out);
    assert_int_equal(run(NULL, "replay", "--home", f->home, "--genesis-hash", "xyz", NULL), 2);
    /* a usage error with --json: one JSON object too */
    assert_int_equal(run(&out, "replay", "--json", "--home", f->home, "--node", "x", NULL), 2);
    j = parse_json(out);
    assert_string_equal(json_string_value(json_object_get(j, "code")), "usage");
    assert_int_equal(json_integer_value(json_object_get(j, "exit")), 2);
    json_decref(j);
    free(out);

    /* --at H: a copy taken at H compares its stored state there; another tip is refused */
    assert_int_equal(run(NULL, "replay", "--home", f->home, "--at", "5", "--quiet", NULL), 0);
    assert_int_equal(run(&out, "replay", "--home", f->home, "--at", "3", "--json", NULL), 78);
    j = parse_json(out);
    assert_non_null(
        strstr(json_string_value(json_object_get(j, "reason")), "the home's tip is height 5"));
    json_decref(j);
    free(out);
    assert_int_equal(run(NULL, "replay", "--node", "http://127.0.0.1:1", "--at", "3", NULL), 2);
    assert_int_equal(run(NULL, "replay", "--home", f->home, "--at", "3", "--to", "3", NULL), 2);

    /* reports */
    char rep[4300], repj[4300];
    snprintf(rep, sizeof rep, "%s/report.txt", f->home);
    snprintf(repj, sizeof repj, "%s/report.json", f->home);
    assert_int_equal(run(NULL, "replay", "--home", f->home, "--report", rep, NULL), 0);
    assert_int_equal(run(NULL, "replay", "--home", f->home, "--report", repj, NULL), 0);
    FILE *fp = fopen(rep, "r");
    assert_non_null(fp);
    char line[256];
    assert_non_null(fgets(line, sizeof line, fp));
    assert_non_null(strstr(line, "Yuchain audit of chain yc-test"));
    fclose(fp);
    json_error_t e;
    json_t *jr = json_load_file(repj, 0, &e);
    assert_non_null(jr);
    assert_true(json_is_true(json_object_get(jr, "ok")));
    json_decref(jr);

    /* the report cannot be written: 74 */
    assert_int_equal(run(NULL, "replay", "--home", f->home, "--report", "/nonexistent/dir/r", NULL),
                     74);
}

static void test_replay_failure_names_height(void **state)
{
    struct fix *f = *state;
    leveldb_options_t *o = leveldb_options_create();
    char *err = NULL;
    leveldb_t *db = leveldb_open(o, f->data, &err);
    assert_null(err);
    leveldb_writeoptions_t *wo = leveldb_writeoptions_create();
    uint8_t k[SK_MAX];
    size_t kl = sk_block(k, 4);
    leveldb_delete(db, wo, (const char *)k, kl, &err);
    assert_null(err);
    leveldb_writeoptions_destroy(wo);
    leveldb_close(db);
    leveldb_options_destroy(o);

    char *out = NULL;
    assert_int_equal(run(&out, "replay", "--home", f->home, "--json", NULL), 1);
    json_t *j = parse_json(out);
    assert_true(json_is_false(json_object_get(j, "ok")));
    assert_int_equal(json_integer_value(json_object_get(j, "height")), 4);
    assert_int_equal(json_integer_value(json_object_get(j, "blocks")), 3);
    const char *reason = json_string_value(json_object_get(j, "reason"));
    assert_non_null(reason);
    assert_int_equal(strncmp(reason, "block_missing:", 14), 0);
    json_decref(j);
    free(out);
    assert_int_equal(run(&out, "replay", "--home", f->home, NULL), 1);
    assert_non_null(strstr(out, "FAILED at height 4: block_missing"));
    free(out);
    /* subject --json on a ledger that fails: one JSON object saying so, nothing reported */
    char addr[YC_ADDR_MAX];
    assert_int_equal(yc_addr_encode(addr, f->c.alice_pub), YC_OK);
    assert_int_equal(run(&out, "subject", addr, "--home", f->home, "--json", NULL), 1);
    j = parse_json(out);
    assert_true(json_is_false(json_object_get(j, "ok")));
    assert_string_equal(json_string_value(json_object_get(j, "code")), "block_missing");
    assert_int_equal(json_integer_value(json_object_get(j, "height")), 4);
    assert_null(json_object_get(j, "consents"));
    json_decref(j);
    free(out);
    /* up to a height before the damage, the ledger verifies */
    assert_int_equal(run(NULL, "replay", "--home", f->home, "--to", "3", NULL), 0);
    /* subject refuses to report from a ledger that fails verification */
    assert_int_equal(run(NULL, "subject", addr, "--home", f->home, NULL), 1);
}

static void test_config_and_io_errors(void **state)
{
    struct fix *f = *state;
    /* a genesis of another chain: 78 */
    struct tchain other;
    tchain_init(&other, 1);
    char gpath[4300];
    snprintf(gpath, sizeof gpath, "%s/other-genesis.json", f->home);
    assert_int_equal(yc_genesis_json_save(&other.g, gpath), YC_OK);
    tchain_cleanup(&other);
    assert_int_equal(run(NULL, "replay", "--home", f->home, "--genesis", gpath, NULL), 78);
    /* an invalid genesis file: 78; a missing one: 74 */
    FILE *fp = fopen(gpath, "w");
    assert_non_null(fp);
    fputs("{\"chain_id\": 5}", fp);
    fclose(fp);
    assert_int_equal(run(NULL, "replay", "--home", f->home, "--genesis", gpath, NULL), 78);
    snprintf(gpath, sizeof gpath, "%s/missing.json", f->home);
    assert_int_equal(run(NULL, "replay", "--home", f->home, "--genesis", gpath, NULL), 74);
    /* a home without data: 78 */
    char empty[4096];
    tdir_make(empty, sizeof empty);
    char cfg[8300];
    snprintf(cfg, sizeof cfg, "cp -r '%s/config' '%s/'", f->home, empty);
    assert_int_equal(system(cfg), 0);
    assert_int_equal(run(NULL, "replay", "--home", empty, NULL), 78);
    tdir_remove(empty);
    /* a node that does not answer: 69; a malformed URL: 78 */
    assert_int_equal(run(NULL, "replay", "--node", "http://127.0.0.1:1", NULL), 69);
    assert_int_equal(run(NULL, "replay", "--node", "ftp://x", NULL), 78);
    /* a running node (another process) holds the database: 74 */
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        store *s = NULL;
        char err[512];
        if (store_open(&s, f->data, false, &f->c.g, err, sizeof err) == YC_OK)
            (void)!write(ready[1], "x", 1);
        pause();
        _exit(0);
    }
    char x;
    assert_int_equal(read(ready[0], &x, 1), 1);
    assert_int_equal(run(NULL, "replay", "--home", f->home, NULL), 74);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    close(ready[0]);
    close(ready[1]);
}

static void test_subject(void **state)
{
    struct fix *f = *state;
    char addr[YC_ADDR_MAX], ex[YC_ADDR_MAX], cid[2 * YC_HASH_LEN + 1];
    assert_int_equal(yc_addr_encode(addr, f->c.alice_pub), YC_OK);
    assert_int_equal(yc_addr_encode(ex, f->c.exchange_pub), YC_OK);
    yc_hex(cid, f->consent, YC_HASH_LEN);

    char *out = NULL;
    assert_int_equal(run(&out, "subject", addr, "--home", f->home, "--json", NULL), 0);
    json_t *j = parse_json(out);
    assert_string_equal(json_string_value(json_object_get(j, "subject")), addr);
    assert_string_equal(json_string_value(json_object_get(j, "height")), "5");
    json_t *acct = json_object_get(j, "account");
    assert_string_equal(json_string_value(json_object_get(acct, "role")), "individual");
    json_t *cs = json_object_get(j, "consents");
    assert_int_equal(json_array_size(cs), 1);
    json_t *c0 = json_array_get(cs, 0);
    assert_string_equal(json_string_value(json_object_get(c0, "id")), cid);
    assert_string_equal(json_string_value(json_object_get(c0, "processor")), ex);
    assert_string_equal(json_string_value(json_object_get(c0, "status")), "active");
    assert_string_equal(json_string_value(json_object_get(c0, "uses")), "1");
    json_t *us = json_object_get(j, "usage");
    assert_int_equal(json_array_size(us), 1);
    json_t *u0 = json_array_get(us, 0);
    assert_string_equal(json_string_value(json_object_get(u0, "user")), ex);
    assert_string_equal(json_string_value(json_object_get(u0, "purpose")), "research");
    assert_string_equal(json_string_value(json_object_get(u0, "authority")), cid);
    assert_string_equal(json_string_value(json_object_get(u0, "fee")), "5");
    assert_string_equal(json_string_value(json_object_get(u0, "height")), "4");
    json_decref(j);
    free(out);

    /* text form, and the processor has granted nothing */
    assert_int_equal(run(&out, "subject", "--home", f->home, addr, NULL), 0);
    assert_non_null(strstr(out, "Consents granted (1)"));
    assert_non_null(strstr(out, "Uses of their data (1)"));
    free(out);
    assert_int_equal(run(&out, "subject", ex, "--home", f->home, "--json", NULL), 0);
    j = parse_json(out);
    assert_int_equal(json_array_size(json_object_get(j, "consents")), 0);
    json_decref(j);
    free(out);

    /* a mistyped address: 65 */
    addr[10] = addr[10] == 'q' ? 'p' : 'q';
    assert_int_equal(run(NULL, "subject", addr, "--home", f->home, NULL), 65);
}

/* Block 6: the exchange uses Alice's data outside her consent (purpose "marketing"), and
 * a transfer beyond its balance; block 7: Alice revokes, then a use after revocation.
 * Both uses are recorded as failed: evidence a regulator sees in violations, export and
 * subject, with the chain still verifying. */
static void add_failed_attempts(struct fix *f)
{
    store *s = NULL;
    char err[512];
    assert_int_equal(store_open(&s, f->data, false, &f->c.g, err, sizeof err), YC_OK);
    tchain_resume(&f->c, s);
    struct yc_tx txs[2];
    tchain_tx_usage(&f->c, f->consent, &txs[0]);
    /* the same use with another purpose, in its place */
    union yc_tx_body b;
    tchain_body_usage(&b, f->consent, "marketing");
    yc_tx_cleanup(&txs[0]);
    tchain_sign(&f->c, YC_TX_USAGE_RECORD, f->c.exchange, f->c.exchange_nonce - 1, &b, &txs[0]);
    /* Alice (an individual with a small balance) transfers far too much */
    memset(&b, 0, sizeof b);
    b.token.amount = 1ull << 62;
    b.token.has_to = true;
    memcpy(b.token.to, f->c.exchange_pub, YC_PUBKEY_LEN);
    tchain_sign(&f->c, YC_TX_TOKEN_TRANSFER, f->c.alice, f->c.alice_nonce++, &b, &txs[1]);
    int out[2];
    tchain_commit_outcomes(&f->c, s, txs, 2, NULL, out);
    assert_int_equal(out[0], YC_EOUTOFSCOPE);
    assert_int_equal(out[1], YC_EBALANCE);
    yc_tx_cleanup(&txs[0]);
    yc_tx_cleanup(&txs[1]);
    tout_tx_revoke(&f->c, f->consent, &txs[0]);
    tchain_tx_usage(&f->c, f->consent, &txs[1]);
    tchain_commit_outcomes(&f->c, s, txs, 2, NULL, out);
    assert_int_equal(out[1], YC_ECONSENTREVOKED);
    yc_tx_cleanup(&txs[0]);
    yc_tx_cleanup(&txs[1]);
    store_close(s);
}

static void test_failed_attempts(void **state)
{
    struct fix *f = *state;
    add_failed_attempts(f);
    char addr[YC_ADDR_MAX], cid[2 * YC_HASH_LEN + 1];
    assert_int_equal(yc_addr_encode(addr, f->c.alice_pub), YC_OK);
    yc_hex(cid, f->consent, YC_HASH_LEN);
    char *out = NULL;

    /* replay counts them and verifies */
    assert_int_equal(run(&out, "replay", "--home", f->home, "--json", NULL), 0);
    json_t *j = parse_json(out);
    assert_int_equal(json_integer_value(json_object_get(j, "txs")), 12);
    assert_int_equal(json_integer_value(json_object_get(j, "failed")), 3);
    json_decref(j);
    free(out);

    /* violations: the two uses outside the consent, not the transfer; no breach (exit 0) */
    assert_int_equal(run(&out, "violations", "--home", f->home, "--json", NULL), 0);
    j = parse_json(out);
    json_t *fa = json_object_get(j, "failed_attempts");
    assert_int_equal(json_array_size(fa), 2);
    json_t *a0 = json_array_get(fa, 0), *a1 = json_array_get(fa, 1);
    assert_string_equal(json_string_value(json_object_get(a0, "rule")), "use_outside_scope");
    assert_string_equal(json_string_value(json_object_get(a0, "code")), "out_of_scope");
    assert_string_equal(json_string_value(json_object_get(a0, "subject")), addr);
    assert_string_equal(json_string_value(json_object_get(a0, "authority")), cid);
    assert_string_equal(json_string_value(json_object_get(a0, "purpose")), "marketing");
    /* a position in the ledger as the node renders it (decimal strings), the same object
     * as `subject` lists */
    assert_string_equal(json_string_value(json_object_get(a0, "height")), "6");
    assert_true(json_is_string(json_object_get(a0, "index")));
    assert_non_null(strstr(json_string_value(json_object_get(a0, "why")), "purpose"));
    assert_string_equal(json_string_value(json_object_get(a1, "rule")), "use_after_revocation");
    assert_string_equal(json_string_value(json_object_get(a1, "height")), "7");
    assert_int_equal(json_array_size(json_object_get(j, "breaches")), 0);
    json_decref(j);
    free(out);
    assert_int_equal(run(&out, "violations", "--home", f->home, "--quiet", NULL), 0);
    assert_non_null(strstr(out, "Failed attempts refused by the ledger: 2"));
    assert_non_null(strstr(out, "use_after_revocation at height 7"));
    free(out);

    /* export: every failed transaction, the transfer too (without a rule) */
    assert_int_equal(run(&out, "export", "--home", f->home, "--format", "csv", "--kind",
                         "failed_attempts", "--quiet", NULL),
                     0);
    assert_non_null(strstr(out, "height,tx,time,index,type,sender,sender_name,code,rule,"));
    assert_non_null(strstr(out, ",usage.record,"));
    assert_non_null(strstr(out, ",insufficient_balance,,"));
    assert_non_null(strstr(out, ",consent_revoked,use_after_revocation,consent,"));
    free(out);
    assert_int_equal(run(&out, "export", "--home", f->home, "--format", "jsonl", "--kind",
                         "failed_attempts", "--quiet", NULL),
                     0);
    size_t lines = 0;
    for (const char *p = out; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    assert_int_equal(lines, 3);
    assert_non_null(strstr(out, "\"kind\":\"failed_attempts\""));
    free(out);

    /* subject: Alice sees the attempts to use her data */
    assert_int_equal(run(&out, "subject", addr, "--home", f->home, "--json", NULL), 0);
    j = parse_json(out);
    fa = json_object_get(j, "failed_attempts");
    assert_int_equal(json_array_size(fa), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(fa, 1), "code")),
                        "consent_revoked");
    assert_string_equal(json_string_value(json_object_get(json_array_get(fa, 1), "height")), "7");
    json_decref(j);
    free(out);
    assert_int_equal(run(&out, "subject", addr, "--home", f->home, NULL), 0);
    assert_non_null(strstr(out, "Failed attempts to use their data, refused by the ledger (2)"));
    free(out);
}

/* The question args (NULL-terminated) asked with --home and with --db: byte for byte the
 * same output and exit code. */
static void same_answer(const char *home, const char *db, ...)
{
    char *a[24];
    int n = 0;
    va_list ap;
    va_start(ap, db);
    for (char *x; (x = va_arg(ap, char *)) != NULL && n < 20;)
        a[n++] = x;
    va_end(ap);
    char *out1 = NULL, *out2 = NULL;
    a[n] = (char *)"--quiet";
    a[n + 1] = (char *)"--home";
    a[n + 2] = (char *)home;
    int rc1 = run_v(&out1, n + 3, a);
    a[n + 1] = (char *)"--db";
    a[n + 2] = (char *)db;
    int rc2 = run_v(&out2, n + 3, a);
    assert_int_equal(rc1, rc2);
    assert_string_equal(out1, out2);
    free(out1);
    free(out2);
}

/* Every question asked from the audit index answers as the full replay does; `sync` first
 * from the genesis, then only the new blocks (two with failed transactions). */
static void test_index_answers(void **state)
{
    struct fix *f = *state;
    char db[4300], genesis[4300], addr[YC_ADDR_MAX], *out = NULL;
    snprintf(db, sizeof db, "%s/index", f->home);
    snprintf(genesis, sizeof genesis, "%s/config/genesis.json", f->home);
    assert_int_equal(yc_addr_encode(addr, f->c.alice_pub), YC_OK);

    assert_int_equal(
        run(&out, "sync", "--home", f->home, "--genesis", genesis, "--db", db, "--json", NULL), 0);
    json_t *j = parse_json(out);
    assert_true(json_is_true(json_object_get(j, "ok")));
    assert_int_equal(json_integer_value(json_object_get(j, "from_height")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "height")), 5);
    json_decref(j);
    free(out);
    same_answer(f->home, db, "subject", addr, "--json", NULL);

    add_failed_attempts(f);
    assert_int_equal(
        run(&out, "sync", "--home", f->home, "--genesis", genesis, "--db", db, "--json", NULL), 0);
    j = parse_json(out);
    assert_int_equal(json_integer_value(json_object_get(j, "from_height")), 5);
    assert_int_equal(json_integer_value(json_object_get(j, "height")), 7);
    assert_int_equal(json_integer_value(json_object_get(j, "blocks")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "total_txs")), 12);
    json_decref(j);
    free(out);

    same_answer(f->home, db, "subject", addr, "--json", NULL);
    same_answer(f->home, db, "subject", addr, NULL);
    same_answer(f->home, db, "violations", "--json", NULL);
    same_answer(f->home, db, "violations", NULL);
    same_answer(f->home, db, "export", "--format", "jsonl", NULL);
    same_answer(f->home, db, "export", "--format", "csv", "--kind", "failed_attempts", NULL);
    same_answer(f->home, db, "export", "--format", "csv", "--kind", "consents", NULL);
    same_answer(f->home, db, "trace",
                "0000000000000000000000000000000000000000000000000000000000000000", NULL);

    /* anchored elsewhere: refused, naming both hashes */
    assert_int_equal(run(&out, "subject", addr, "--db", db, "--genesis-hash",
                         "0000000000000000000000000000000000000000000000000000000000000000",
                         "--json", NULL),
                     78);
    j = parse_json(out);
    assert_non_null(strstr(json_string_value(json_object_get(j, "reason")), "anchored to"));
    json_decref(j);
    free(out);
    /* replay takes no --db; a question takes exactly one source; sync needs an anchor */
    assert_int_equal(run(NULL, "replay", "--db", db, NULL), 2);
    assert_int_equal(run(NULL, "subject", addr, "--db", db, "--home", f->home, NULL), 2);
    assert_int_equal(run(NULL, "sync", "--home", f->home, "--db", db, NULL), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_help_usage),
        cmocka_unit_test_setup_teardown(test_replay_json_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replay_failure_names_height, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_and_io_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subject, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_attempts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_answers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
