/*
 * test_cli.c — the whole wallet program (wallet_main) against a fake node: a forked
 * JSON-RPC server on a loopback port that decodes and checks every submitted transaction
 * and answers as docs/rpc.md says. Checks the exit codes (0, 1, 2, 65, 69, 74, 77), the
 * one-object --json output, the nonce taken from account + mempool, and that messages go
 * to stderr. Each wallet run is a forked child without a controlling terminal, its stdout
 * captured in a file.
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "wallet.h"
#include "yc/bech32.h"

#define CHAIN "fake-chain"
#define PASS "pw-123"

static pid_t server_pid;
static char node_url[64];
static char dir[256], wdir[300], pwfile[300], badpw[300], outfile[300];
static char alice_addr[YC_ADDR_MAX], bob_addr[YC_ADDR_MAX];

/* ---- the fake node ---- */

static json_t *rpc_result(json_t *result)
{
    return json_pack("{s:s, s:i, s:o}", "jsonrpc", "2.0", "id", 1, "result", result);
}

static json_t *rpc_error(int code, const char *msg, const char *data_code)
{
    return json_pack("{s:s, s:i, s:{s:i, s:s, s:{s:s}}}", "jsonrpc", "2.0", "id", 1, "error",
                     "code", code, "message", msg, "data", "code", data_code);
}

static json_t *handle_submit(const char *hex)
{
    size_t n = strlen(hex) / 2;
    uint8_t *bytes = malloc(n + 1);
    struct yc_tx tx;
    if (yc_unhex(bytes, n, hex, strlen(hex)) != YC_OK || yc_tx_decode(&tx, bytes, n) != YC_OK) {
        free(bytes);
        return rpc_error(-32602, "bad tx", "bad_encoding");
    }
    free(bytes);
    char id[65];
    yc_hex(id, tx.id, 32);
    json_t *r;
    if (yc_tx_verify(&tx, CHAIN) != YC_OK)
        r = rpc_error(-32000, "signature does not verify", "bad_signature");
    else if (tx.nonce != 5) /* the account says 3, the mempool holds 3 and 4 */
        r = rpc_error(-32000, "bad_nonce: nonce: 9 is taken; the next is 5", "bad_nonce");
    else if (tx.type == YC_TX_TOKEN_TRANSFER && tx.b->token.amount == 13)
        r = rpc_result(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "status", "failed",
                                 "code", "insufficient_balance", "message", "balance too low",
                                 "height", "43", "index", "1"));
    else if (tx.type == YC_TX_TOKEN_TRANSFER && tx.b->token.amount == 17)
        r = rpc_result(json_pack("{s:s, s:s, s:s, s:s}", "id", id, "status", "expired", "code",
                                 "expired", "message", "not put in a block in time"));
    else if (tx.type == YC_TX_TOKEN_TRANSFER && tx.b->token.amount == 15)
        r = rpc_result(json_pack("{s:s, s:s, s:s}", "id", id, "status", "pending", "code", "ok"));
    else
        r = rpc_result(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "status", "committed",
                                 "code", "ok", "message", "success", "height", "42", "index", "0"));
    yc_tx_cleanup(&tx);
    return r;
}

static json_t *dispatch(json_t *req)
{
    const char *m = json_string_value(json_object_get(req, "method"));
    json_t *params = json_object_get(req, "params");
    if (m == NULL)
        return rpc_error(-32600, "invalid request", "bad_field");
    if (strcmp(m, "status") == 0)
        return rpc_result(json_pack("{s:s, s:s}", "chain_id", CHAIN, "height", "41"));
    if (strcmp(m, "account") == 0) {
        const char *a = json_string_value(json_object_get(params, "address"));
        if (a != NULL && strcmp(a, alice_addr) == 0)
            /* a name with an escape sequence and a right-to-left override in it */
            return rpc_result(json_pack("{s:s, s:s, s:s, s:s, s:s}", "address", a, "role",
                                        "individual", "nonce", "3", "balance", "1000", "name",
                                        "Alice \x1b[2J\xe2\x80\xae"
                                        "Chen"));
        return rpc_error(-32602, "no such object", "not_found");
    }
    if (strcmp(m, "consents") == 0) /* one consent to alice, one to an unregistered bob */
        return rpc_result(json_pack(
            "{s:[{s:s, s:s, s:s, s:[s], s:[s], s:[s], s:s, s:s, s:s}, "
            "{s:s, s:s, s:s, s:[s], s:[s], s:[s], s:s, s:s, s:s}]}",
            "consents", "id", "c1", "status", "active", "processor", alice_addr, "categories",
            "health", "purposes", "research", "operations", "use", "uses", "2", "max_uses", "0",
            "fee_per_use", "150", "id", "c2", "status", "revoked", "processor", bob_addr,
            "categories", "health", "purposes", "research", "operations", "use", "uses", "3",
            "max_uses", "10", "fee_per_use", "123456789"));
    if (strcmp(m, "unconfirmed_txs") == 0)
        return rpc_result(json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}", "count", "3",
                                    "txs", "sender", alice_addr, "nonce", "4", "sender", alice_addr,
                                    "nonce", "3", "sender", bob_addr, "nonce", "9"));
    if (strcmp(m, "broadcast_tx_commit") == 0 || strcmp(m, "broadcast_tx_sync") == 0) {
        const char *hex = json_string_value(json_object_get(params, "tx"));
        return hex != NULL ? handle_submit(hex) : rpc_error(-32602, "missing tx", "bad_field");
    }
    return rpc_error(-32601, "method not found", "not_found");
}

static void serve(int fd)
{
    static char req[1 << 20];
    size_t n = 0;
    for (;;) {
        ssize_t r = recv(fd, req + n, sizeof req - 1 - n, 0);
        if (r <= 0)
            return;
        n += (size_t)r;
        req[n] = '\0';
        char *end = strstr(req, "\r\n\r\n");
        const char *cl = strstr(req, "Content-Length: ");
        if (end != NULL && cl != NULL && n >= (size_t)(end + 4 - req) + (size_t)atol(cl + 16))
            break;
    }
    json_t *in = json_loads(strstr(req, "\r\n\r\n") + 4, 0, NULL);
    json_t *out = dispatch(in);
    char *text = json_dumps(out, JSON_COMPACT);
    char head[128];
    snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", strlen(text));
    if (send(fd, head, strlen(head), MSG_NOSIGNAL) < 0 ||
        send(fd, text, strlen(text), MSG_NOSIGNAL) < 0) {
        /* the client went away */
    }
    free(text);
    json_decref(in);
    json_decref(out);
}

/* ---- fixtures ---- */

static void write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(s, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/yc-cli-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(wdir, sizeof wdir, "%s/wallet", dir);
    snprintf(pwfile, sizeof pwfile, "%s/pw", dir);
    snprintf(badpw, sizeof badpw, "%s/badpw", dir);
    snprintf(outfile, sizeof outfile, "%s/stdout", dir);
    write_file(pwfile, PASS "\n");
    write_file(badpw, "nope\n");
    uint8_t pub[YC_PUBKEY_LEN];
    if (yc_keystore_create(wdir, "alice", PASS, strlen(PASS), true, pub) != YC_OK ||
        yc_addr_encode(alice_addr, pub) != YC_OK)
        return -1;
    if (yc_keystore_create(wdir, "bob", PASS, strlen(PASS), true, pub) != YC_OK ||
        yc_addr_encode(bob_addr, pub) != YC_OK)
        return -1;

    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 16) != 0)
        return -1;
    socklen_t al = sizeof a;
    getsockname(ls, (struct sockaddr *)&a, &al);
    snprintf(node_url, sizeof node_url, "http://127.0.0.1:%d", ntohs(a.sin_port));
    server_pid = fork();
    if (server_pid == 0) {
        for (;;) {
            int c = accept(ls, NULL, NULL);
            if (c < 0)
                continue;
            serve(c);
            close(c);
        }
    }
    close(ls);
    return server_pid > 0 ? 0 : -1;
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(p);
}

static int teardown(void **state)
{
    (void)state;
    kill(server_pid, SIGKILL);
    waitpid(server_pid, NULL, 0);
    nftw(dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* Runs the wallet with `line` (space-separated; "%W" = --wallet-dir, "%N" = --node,
 * "%P" = --password-file, "%A"/"%B" = alice's/bob's address) in a child with no
 * controlling terminal; returns the exit code; stdout is left in `out` (cap bytes). */
static int run(const char *line, char *out, size_t cap)
{
    char buf[2048] = "", wopt[400], nopt[100], popt[400];
    snprintf(wopt, sizeof wopt, "--wallet-dir %s", wdir);
    snprintf(nopt, sizeof nopt, "--node %s", node_url);
    snprintf(popt, sizeof popt, "--password-file %s", pwfile);
    for (const char *p = line; *p != '\0'; p++) {
        const char *rep = NULL;
        if (p[0] == '%' && p[1] != '\0') {
            switch (p[1]) {
            case 'W':
                rep = wopt;
                break;
            case 'N':
                rep = nopt;
                break;
            case 'P':
                rep = popt;
                break;
            case 'A':
                rep = alice_addr;
                break;
            case 'B':
                rep = bob_addr;
                break;
            default:
                break;
            }
        }
        size_t n = strlen(buf);
        if (rep != NULL) {
            snprintf(buf + n, sizeof buf - n, "%s", rep);
            p++;
        } else if (n + 1 < sizeof buf) {
            buf[n] = *p;
            buf[n + 1] = '\0';
        }
    }
    fflush(stdout);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setsid(); /* no controlling terminal: /dev/tty cannot be opened */
        int fd = open(outfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, STDOUT_FILENO);
        close(fd);
        int nul = open("/dev/null", O_RDONLY);
        dup2(nul, STDIN_FILENO);
        close(nul);
        char *argv[48];
        int argc = 0;
        argv[argc++] = "yuchain-wallet";
        for (char *t = strtok(buf, " "); t != NULL && argc < 47; t = strtok(NULL, " "))
            argv[argc++] = t;
        argv[argc] = NULL;
        int rc = wallet_main(argc, argv);
        fflush(stdout);
        _exit(rc);
    }
    int st;
    waitpid(pid, &st, 0);
    FILE *f = fopen(outfile, "r");
    size_t n = f != NULL ? fread(out, 1, cap - 1, f) : 0;
    out[n] = '\0';
    if (f != NULL)
        fclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static json_t *one_object(const char *out)
{
    json_error_t e;
    json_t *o = json_loads(out, 0, &e); /* exactly one value, nothing after it */
    if (!json_is_object(o))
        fail_msg("stdout is not one JSON object: '%s'", out);
    return o;
}

static void test_submit_outcomes(void **state)
{
    (void)state;
    char out[8192];
    /* committed: nonce 5 = past the mempool's 3 and 4 */
    assert_int_equal(
        run("%W %N %P --from alice --json transfer --to %B --amount 7", out, sizeof out), 0);
    json_t *o = one_object(out);
    assert_int_equal(json_object_size(o), 5);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "committed");
    assert_string_equal(json_string_value(json_object_get(o, "code")), "ok");
    assert_string_equal(json_string_value(json_object_get(o, "height")), "42");
    assert_int_equal(strlen(json_string_value(json_object_get(o, "id"))), 64);
    json_decref(o);

    /* text mode: the id alone on stdout */
    assert_int_equal(run("%W %N %P --from alice transfer --to %B --amount 7", out, sizeof out), 0);
    assert_int_equal(strlen(out), 65);

    /* failed at execution: recorded in a block, with its height */
    assert_int_equal(
        run("%W %N %P --from alice --json transfer --to %B --amount 13", out, sizeof out), 1);
    o = one_object(out);
    assert_int_equal(json_object_size(o), 5);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "failed");
    assert_string_equal(json_string_value(json_object_get(o, "code")), "insufficient_balance");
    assert_string_equal(json_string_value(json_object_get(o, "height")), "43");
    json_decref(o);

    /* refused at admission (a JSON-RPC error): a forced wrong nonce; the message keeps the
     * words without repeating the code */
    assert_int_equal(
        run("%W %N %P --from alice --json transfer --to %B --amount 7 --nonce 9", out, sizeof out),
        1);
    o = one_object(out);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "refused");
    assert_string_equal(json_string_value(json_object_get(o, "code")), "bad_nonce");
    assert_string_equal(json_string_value(json_object_get(o, "message")),
                        "nonce: 9 is taken; the next is 5");
    assert_true(json_is_null(json_object_get(o, "height")));
    json_decref(o);

    /* expired: 1 */
    assert_int_equal(
        run("%W %N %P --from alice --json transfer --to %B --amount 17", out, sizeof out), 1);
    o = one_object(out);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "expired");
    assert_string_equal(json_string_value(json_object_get(o, "code")), "expired");
    assert_true(json_is_null(json_object_get(o, "height")));
    json_decref(o);

    /* still pending after the wait: 1 (code "pending", never "ok"); with --no-wait: 0 */
    assert_int_equal(
        run("%W %N %P --from alice --json transfer --to %B --amount 15", out, sizeof out), 1);
    o = one_object(out);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "pending");
    assert_string_equal(json_string_value(json_object_get(o, "code")), "pending");
    json_decref(o);
    assert_int_equal(
        run("%W %N %P --from alice --json --no-wait transfer --to %B --amount 15", out, sizeof out),
        0);

    /* the consent id printed by consent grant is the transaction id */
    assert_int_equal(run("%W %N %P --from alice consent grant --to %B --categories health "
                         "--purposes research --operations use --until +30d",
                         out, sizeof out),
                     0);
    assert_int_equal(strlen(out), 65);
}

static void test_exit_codes(void **state)
{
    (void)state;
    char out[8192];
    /* 69: nobody listening */
    assert_int_equal(run("%W --node http://127.0.0.1:1 %P --from alice transfer --to %B "
                         "--amount 1",
                         out, sizeof out),
                     69);
    assert_string_equal(out, "");
    /* 77: wrong passphrase; no passphrase source and no terminal; no such key */
    char line[512];
    snprintf(line, sizeof line,
             "%%W %%N --password-file %s --from alice transfer --to %%B "
             "--amount 1",
             badpw);
    assert_int_equal(run(line, out, sizeof out), 77);
    assert_int_equal(run("%W %N --from alice transfer --to %B --amount 1", out, sizeof out), 77);
    assert_int_equal(run("%W %N %P --from carol transfer --to %B --amount 1", out, sizeof out), 77);
    /* ...but a malformed argument is named before the key is looked for */
    assert_int_equal(run("%W %N %P --from carol validator approve BADID", out, sizeof out), 65);
    /* well-formed arguments whose defaults are the sender's own (the contributors): checked
     * with a stand-in sender, then the missing key is named */
    assert_int_equal(run("%W %N %P --from carol asset register --digest "
                         "423d0d01732a7de75acb153a8bff0162a1c20402989d887a7b0a5b37e01b5461 "
                         "--title t --catalog c01 --source personal --grade general "
                         "--sector health",
                         out, sizeof out),
                     77);
    assert_int_equal(run("%W %N %P --from carol transfer --to yc1nope --amount 1", out, sizeof out),
                     65);
    /* 2: two keys and no --from; unknown option */
    assert_int_equal(run("%W %N %P transfer --to %B --amount 1", out, sizeof out), 2);
    assert_int_equal(run("%W %N transfer --to %B --amount 1 --frobnicate", out, sizeof out), 2);
    /* 65: bad address, bad amount */
    assert_int_equal(run("%W %N %P --from alice transfer --to yc1nope --amount 1", out, sizeof out),
                     65);
    assert_int_equal(run("%W %N %P --from alice transfer --to %B --amount ten", out, sizeof out),
                     65);
    /* 74 / 65: tx files */
    assert_int_equal(run("%W %N tx send /nonexistent/t.json", out, sizeof out), 74);
    snprintf(line, sizeof line, "%%W %%N tx send %s", pwfile);
    assert_int_equal(run(line, out, sizeof out), 65); /* not JSON */
    /* 78: bad node URL */
    assert_int_equal(run("%W --node ftp://x list", out, sizeof out), 78);
}

static void test_queries_and_files(void **state)
{
    (void)state;
    char out[8192];
    assert_int_equal(run("%W --json list", out, sizeof out), 0);
    json_t *o = one_object(out);
    assert_int_equal(json_array_size(json_object_get(o, "keys")), 2);
    json_decref(o);
    assert_int_equal(run("%W address alice", out, sizeof out), 0);
    assert_int_equal(strncmp(out, alice_addr, strlen(alice_addr)), 0);
    assert_int_equal(run("%W %N balance %A", out, sizeof out), 0);
    assert_string_equal(out, "10.00 yuan\n");
    /* people by name (control characters shown as '?') beside a short address; money in
     * yuan with its unit; a use limit of 0 written out */
    assert_int_equal(run("%W %N consent list --subject %B", out, sizeof out), 0);
    char who[128];
    snprintf(who, sizeof who, "processor=Alice ?[2J?Chen (%.10s\u2026%s) ", alice_addr,
             alice_addr + strlen(alice_addr) - 6);
    assert_non_null(strstr(out, who));
    assert_non_null(strstr(out, "uses=2 of unlimited fee=1.50 yuan per use\n"));
    snprintf(who, sizeof who, "processor=%.10s\u2026%s ", bob_addr,
             bob_addr + strlen(bob_addr) - 6);
    assert_non_null(strstr(out, who));
    assert_non_null(strstr(out, "uses=3 of 10 fee=1,234,567.89 yuan per use\n"));
    assert_int_equal(run("%W %N --json balance %B", out, sizeof out), 0); /* unregistered */
    o = one_object(out);
    assert_string_equal(json_string_value(json_object_get(o, "balance")), "0");
    json_decref(o);

    /* build offline unsigned, sign, co-sign, send */
    char line[512], tf[300];
    snprintf(tf, sizeof tf, "%s/t.json", dir);
    snprintf(line, sizeof line,
             "%%W --from alice transfer --to %%B --amount 7 --chain-id "
             "%s --nonce 5 --out %s --unsigned",
             CHAIN, tf);
    assert_int_equal(run(line, out, sizeof out), 0);
    snprintf(line, sizeof line, "%%W %%N tx send %s", tf);
    assert_int_equal(run(line, out, sizeof out), 65); /* not signed by the sender */
    snprintf(line, sizeof line, "%%W %%P --from bob tx sign %s", tf);
    assert_int_equal(run(line, out, sizeof out), 0);
    snprintf(line, sizeof line, "%%W %%P --from alice --json tx sign %s", tf);
    assert_int_equal(run(line, out, sizeof out), 0);
    o = one_object(out);
    assert_true(json_is_true(json_object_get(o, "signed")));
    assert_int_equal(json_integer_value(json_object_get(o, "cosigs")), 1);
    json_decref(o);
    snprintf(line, sizeof line, "%%W %%N --json tx send %s", tf);
    assert_int_equal(run(line, out, sizeof out), 0);
    o = one_object(out);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "committed");
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_submit_outcomes),
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test(test_queries_and_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
