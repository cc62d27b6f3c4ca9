/*
 * test_httpc.c — the blocking HTTP client and JSON-RPC call against a tiny in-test server
 * (a forked process on a loopback port, one forked handler per connection): bodies framed
 * by Content-Length, chunked coding and end of connection; response cap; short bodies;
 * garbage; timeouts; refused connections; URL parsing; JSON-RPC results and errors; a
 * wrong URL told from a missing object; a bearer token from a file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "yc/httpc.h"

static pid_t server_pid;
static int server_port;

static void send_str(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* Reads the request head and (Content-Length) body into req; returns its length. */
static size_t read_request(int fd, char *req, size_t cap)
{
    size_t n = 0;
    char *end = NULL;
    while (n + 1 < cap) {
        ssize_t r = recv(fd, req + n, cap - 1 - n, 0);
        if (r <= 0)
            break;
        n += (size_t)r;
        req[n] = '\0';
        end = strstr(req, "\r\n\r\n");
        if (end != NULL) {
            const char *cl = strstr(req, "Content-Length: ");
            size_t want = (size_t)(end + 4 - req);
            if (cl != NULL)
                want += (size_t)atol(cl + 16);
            if (n >= want)
                break;
        }
    }
    req[n] = '\0';
    return n;
}

static void handle(int fd)
{
    static char req[65536];
    read_request(fd, req, sizeof req);
    char path[256] = "";
    sscanf(req, "%*s %255s", path);
    const char *body = strstr(req, "\r\n\r\n");
    body = body != NULL ? body + 4 : "";
    char out[70000];
    if (strcmp(path, "/cl") == 0) {
        send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\n"
                     "hello");
    } else if (strcmp(path, "/chunked") == 0) {
        send_str(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3;ext=1\r\nhel\r\n");
        usleep(20000); /* split across reads */
        send_str(fd, "2\r\nlo\r\nA\r\n, world!!!\r\n0\r\nX-Trailer: t\r\n\r\n");
    } else if (strcmp(path, "/eof") == 0) {
        send_str(fd, "HTTP/1.0 404 Not Found\r\n\r\nuntil the end");
    } else if (strcmp(path, "/big") == 0) {
        send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n");
        memset(out, 'x', 5000);
        out[5000] = '\0';
        send_str(fd, out);
    } else if (strcmp(path, "/bigchunks") == 0) {
        send_str(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        memset(out, 'x', 600);
        out[600] = '\0';
        for (int i = 0; i < 4; i++) {
            send_str(fd, "258\r\n");
            send_str(fd, out);
            send_str(fd, "\r\n");
        }
        send_str(fd, "0\r\n\r\n");
    } else if (strcmp(path, "/short") == 0) {
        send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345");
    } else if (strcmp(path, "/garbage") == 0) {
        send_str(fd, "SSH-2.0-OpenSSH\r\n\r\n");
    } else if (strcmp(path, "/hugeheader") == 0) {
        send_str(fd, "HTTP/1.1 200 OK\r\n");
        memset(out, 'h', 40000);
        out[40000] = '\0';
        send_str(fd, "X-Big: ");
        send_str(fd, out);
        send_str(fd, "\r\n\r\n");
    } else if (strcmp(path, "/slow") == 0) {
        sleep(3);
        send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    } else if (strcmp(path, "/echo") == 0) {
        snprintf(out, sizeof out, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s", strlen(body),
                 body);
        send_str(fd, out);
    } else if (strcmp(path, "/") == 0) { /* JSON-RPC */
        json_t *rq = json_loads(body, 0, NULL);
        const char *method = json_string_value(json_object_get(rq, "method"));
        json_t *resp;
        if (method != NULL && strcmp(method, "echo") == 0)
            resp = json_pack("{s:s, s:i, s:O}", "jsonrpc", "2.0", "id", 1, "result",
                             json_object_get(rq, "params"));
        else if (method != NULL && strcmp(method, "reject") == 0)
            resp =
                json_pack("{s:s, s:i, s:{s:i, s:s, s:{s:s}}}", "jsonrpc", "2.0", "id", 1, "error",
                          "code", -32000, "message", "nonce is wrong", "data", "code", "bad_nonce");
        else if (method != NULL && strcmp(method, "noresult") == 0)
            resp = json_pack("{s:s, s:i}", "jsonrpc", "2.0", "id", 1);
        else
            resp = json_pack("{s:s, s:i, s:{s:i, s:s}}", "jsonrpc", "2.0", "id", 1, "error", "code",
                             -32601, "message", "method not found");
        char *text = json_dumps(resp, JSON_COMPACT);
        snprintf(out, sizeof out,
                 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu"
                 "\r\n\r\n%s",
                 strlen(text), text);
        send_str(fd, out);
        free(text);
        json_decref(resp);
        json_decref(rq);
    } else if (strcmp(path, "/auth") == 0) { /* a proxy that wants a bearer token */
        if (strstr(req, "\r\nAuthorization: Bearer s3cret-token\r\n") != NULL)
            send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 36\r\n\r\n"
                         "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
        else
            send_str(fd, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 6\r\n\r\nnope\r\n");
    } else if (strcmp(path, "/notjson") == 0) {
        send_str(fd, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 4\r\n\r\noops");
    } else {
        send_str(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    }
}

static int setup(void **state)
{
    (void)state;
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(ls >= 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(ls, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(ls, 16), 0);
    socklen_t al = sizeof a;
    assert_int_equal(getsockname(ls, (struct sockaddr *)&a, &al), 0);
    server_port = ntohs(a.sin_port);
    server_pid = fork();
    assert_true(server_pid >= 0);
    if (server_pid == 0) {
        signal(SIGCHLD, SIG_IGN);
        for (;;) {
            int c = accept(ls, NULL, NULL);
            if (c < 0)
                continue;
            if (fork() == 0) {
                /* a handler may outlive the test (/slow): keep it off ctest's pipes */
                int nul = open("/dev/null", O_WRONLY);
                dup2(nul, STDOUT_FILENO);
                dup2(nul, STDERR_FILENO);
                close(nul);
                close(ls);
                handle(c);
                shutdown(c, SHUT_WR);
                usleep(50000);
                close(c);
                _exit(0);
            }
            close(c);
        }
    }
    close(ls);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kill(server_pid, SIGKILL);
    waitpid(server_pid, NULL, 0);
    return 0;
}

static void url(char *out, size_t cap, const char *path)
{
    snprintf(out, cap, "http://127.0.0.1:%d%s", server_port, path);
}

static void get_expect(const char *path, int want_rc, int want_status, const char *want_body,
                       size_t cap)
{
    char u[256];
    url(u, sizeof u, path);
    struct yc_http_response r;
    int rc = yc_http_get(u, 2000, cap, &r);
    if (rc != want_rc)
        fail_msg("%s: rc %s, want %s", path, yc_err_name(rc), yc_err_name(want_rc));
    if (rc == YC_OK) {
        assert_int_equal(r.status, want_status);
        assert_int_equal(r.len, strlen(want_body));
        assert_string_equal(r.body, want_body);
    } else {
        assert_null(r.body);
    }
    yc_http_response_free(&r);
}

static void test_bodies(void **state)
{
    (void)state;
    get_expect("/cl", YC_OK, 200, "hello", 1000);
    get_expect("/chunked", YC_OK, 200, "hello, world!!!", 1000);
    get_expect("/eof", YC_OK, 404, "until the end", 1000);
    get_expect("/nothing", YC_OK, 404, "", 1000);
}

static void test_limits(void **state)
{
    (void)state;
    get_expect("/big", YC_ELIMIT, 0, NULL, 1000);
    get_expect("/bigchunks", YC_ELIMIT, 0, NULL, 1000);
    char u[256];
    url(u, sizeof u, "/bigchunks");
    struct yc_http_response r;
    assert_int_equal(yc_http_get(u, 2000, 2400, &r), YC_OK);
    assert_int_equal(r.len, 2400);
    yc_http_response_free(&r);
    url(u, sizeof u, "/big");
    assert_int_equal(yc_http_get(u, 2000, 5000, &r), YC_OK);
    assert_int_equal(r.len, 5000);
    yc_http_response_free(&r);
    get_expect("/short", YC_EDECODE, 0, NULL, 1000);
    get_expect("/garbage", YC_EDECODE, 0, NULL, 1000);
    get_expect("/hugeheader", YC_EDECODE, 0, NULL, 100000);
}

static void test_post_echo(void **state)
{
    (void)state;
    char u[256];
    url(u, sizeof u, "/echo");
    struct yc_http_response r;
    const char *body = "{\"a\":1}";
    assert_int_equal(yc_http_post(u, body, strlen(body), 2000, 1000, &r), YC_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, body);
    yc_http_response_free(&r);
}

static void test_timeout_and_unreachable(void **state)
{
    (void)state;
    char u[256];
    url(u, sizeof u, "/slow");
    struct yc_http_response r;
    assert_int_equal(yc_http_get(u, 300, 1000, &r), YC_EUNREACHABLE);

    /* a port with nobody listening */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &al);
    close(s);
    snprintf(u, sizeof u, "http://127.0.0.1:%d/", ntohs(a.sin_port));
    assert_int_equal(yc_http_get(u, 2000, 1000, &r), YC_EUNREACHABLE);
    json_t *res = NULL;
    char code[64], msg[256];
    assert_int_equal(yc_rpc_call(u, "status", NULL, &res, code, sizeof code, msg, sizeof msg),
                     YC_EUNREACHABLE);
    assert_string_equal(code, "node_unreachable");
    assert_null(res);
    assert_int_equal(yc_http_get("http://no-such-host.invalid/", 2000, 1000, &r), YC_EUNREACHABLE);
}

static void test_url_parse(void **state)
{
    (void)state;
    struct yc_url u;
    assert_int_equal(yc_url_parse(&u, "http://127.0.0.1:27700"), YC_OK);
    assert_string_equal(u.host, "127.0.0.1");
    assert_string_equal(u.port, "27700");
    assert_string_equal(u.path, "/");
    assert_int_equal(yc_url_parse(&u, "HTTP://node.example/rpc/x?y=1#frag"), YC_OK);
    assert_string_equal(u.host, "node.example");
    assert_string_equal(u.port, "80");
    assert_string_equal(u.path, "/rpc/x?y=1");
    assert_int_equal(yc_url_parse(&u, "http://[::1]:8080/a"), YC_OK);
    assert_string_equal(u.host, "::1");
    assert_string_equal(u.port, "8080");
    assert_string_equal(u.path, "/a");
    assert_false(u.tls);
    assert_int_equal(yc_url_parse(&u, "https://node.example/yuchain/"), YC_OK);
    assert_true(u.tls);
    assert_string_equal(u.port, "443");
    assert_string_equal(u.path, "/yuchain/");
    assert_int_equal(yc_url_parse(&u, "ftp://x/"), YC_ECONFIG);
    assert_int_equal(yc_url_parse(&u, "127.0.0.1:27700"), YC_ECONFIG);
    assert_int_equal(yc_url_parse(&u, "http://:80/"), YC_ECONFIG);
    assert_int_equal(yc_url_parse(&u, "http://x:0/"), YC_ECONFIG);
    assert_int_equal(yc_url_parse(&u, "http://x:65536/"), YC_ECONFIG);
    assert_int_equal(yc_url_parse(&u, "http://x:12a/"), YC_ECONFIG);
    assert_int_equal(yc_url_parse(&u, "http://x/a b"), YC_ECONFIG);
    assert_int_equal(yc_url_parse(&u, "http://x/a\r\nInjected: 1"), YC_ECONFIG);
    assert_int_equal(yc_url_parse(&u, "http://[::1/"), YC_ECONFIG);
    struct yc_http_response r;
    assert_int_equal(yc_http_get("ftp://x/", 100, 100, &r), YC_ECONFIG);
}

static void test_rpc(void **state)
{
    (void)state;
    char u[256];
    url(u, sizeof u, "");
    json_t *res = NULL;
    char code[64], msg[256];
    assert_int_equal(yc_rpc_call(u, "echo", json_pack("{s:s}", "id", "abc"), &res, code,
                                 sizeof code, msg, sizeof msg),
                     YC_OK);
    assert_string_equal(json_string_value(json_object_get(res, "id")), "abc");
    json_decref(res);

    assert_int_equal(yc_rpc_call(u, "reject", NULL, &res, code, sizeof code, msg, sizeof msg),
                     YC_EREMOTE);
    assert_null(res);
    assert_string_equal(code, "bad_nonce");
    assert_string_equal(msg, "nonce is wrong");

    /* a method the URL does not serve: a wrong URL, never "no such object" */
    assert_int_equal(yc_rpc_call(u, "nosuch", NULL, &res, code, sizeof code, msg, sizeof msg),
                     YC_ECONFIG);
    assert_string_equal(code, "method_not_found");
    assert_non_null(strstr(msg, "no JSON-RPC method 'nosuch'"));

    assert_int_equal(yc_rpc_call(u, "noresult", NULL, &res, code, sizeof code, NULL, 0),
                     YC_EDECODE);

    /* a path that is not a node: 404 without JSON-RPC */
    url(u, sizeof u, "/elsewhere");
    assert_int_equal(yc_rpc_call(u, "status", NULL, &res, code, sizeof code, msg, sizeof msg),
                     YC_ECONFIG);
    assert_string_equal(code, "not_a_node");

    /* a bearer token: refused without it (401), answered with it */
    url(u, sizeof u, "/auth");
    assert_int_equal(yc_rpc_call(u, "status", NULL, &res, code, sizeof code, msg, sizeof msg),
                     YC_ENOTAUTH);
    assert_string_equal(code, "not_authorized");
    char tf[] = "/tmp/yc-token-XXXXXX";
    int tfd = mkstemp(tf);
    assert_true(tfd >= 0);
    assert_int_equal(write(tfd, "s3cret-token\n", 13), 13);
    close(tfd);
    struct yc_http_opts o;
    char err[256];
    assert_int_equal(yc_http_opts_load(&o, tf, NULL, err, sizeof err), YC_OK);
    assert_int_equal(
        yc_rpc_call_opts(u, &o, "status", NULL, 0, &res, code, sizeof code, msg, sizeof msg),
        YC_OK);
    json_decref(res);
    setenv("YUCHAIN_NODE_TOKEN_FILE", tf, 1); /* the environment serves yc_rpc_call */
    assert_int_equal(yc_rpc_call(u, "status", NULL, &res, code, sizeof code, msg, sizeof msg),
                     YC_OK);
    json_decref(res);
    unsetenv("YUCHAIN_NODE_TOKEN_FILE");
    assert_int_equal(write(open(tf, O_WRONLY | O_TRUNC), "\n", 1), 1); /* empty: refused */
    assert_int_equal(yc_http_opts_load(&o, tf, NULL, err, sizeof err), YC_ECONFIG);
    assert_non_null(strstr(err, "first line"));
    unlink(tf);
    assert_int_equal(yc_http_opts_load(&o, tf, NULL, err, sizeof err), YC_EIO);
    assert_int_equal(yc_http_opts_load(&o, NULL, "/nonexistent/ca.pem", err, sizeof err), YC_EIO);

    url(u, sizeof u, "/notjson");
    assert_int_equal(yc_rpc_call(u, "echo", NULL, &res, code, 4, msg, sizeof msg), YC_EDECODE);
    assert_string_equal(code, "bad"); /* truncated, NUL-terminated */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bodies),    cmocka_unit_test(test_limits),
        cmocka_unit_test(test_post_echo), cmocka_unit_test(test_timeout_and_unreachable),
        cmocka_unit_test(test_url_parse), cmocka_unit_test(test_rpc),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
