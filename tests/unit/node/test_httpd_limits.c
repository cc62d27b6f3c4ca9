/*
 * test_httpd_limits.c — the HTTP/1.1 server (node/src/api/httpd.c) on a real libuv loop:
 * keep-alive, pipelining (also behind a deferred answer), parsing edge cases and the
 * limits of TESTING.md D4 (oversized body → 413 body_too_large, oversized headers →
 * 431, malformed → 400, connection cap with eviction, slow drip → 408, idle close,
 * slow event-stream client dropped), deferred answers cancelled when the client leaves,
 * and stop. The defences against hostile clients are in test_httpd_hostile.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "rpcfake_node.c"

#include "httpd.h"

struct srv {
    uv_loop_t loop;
    struct yc_pump pump;
    yc_httpd *h;
    uint16_t port;
    int cancels;
    int closed;
    yc_http_conn *deferred;
    uv_timer_t late;
    yc_http_conn *stream;
};

static void on_late(uv_timer_t *t)
{
    struct srv *s = t->data;
    if (s->deferred) {
        yc_http_respond(s->deferred, 200, "text/plain", "late", 4, NULL);
        s->deferred = NULL;
    }
}

static void on_cancel(void *ctx)
{
    struct srv *s = ctx;
    s->cancels++;
    s->deferred = NULL;
    s->stream = NULL;
    uv_timer_stop(&s->late);
}

static void handler(void *ctx, yc_http_conn *c, const struct yc_http_req *req)
{
    struct srv *s = ctx;
    if (strcmp(req->path, "/defer") == 0) {
        s->deferred = c;
        yc_http_defer(c, on_cancel, s);
        uv_timer_start(&s->late, on_late, 50, 0);
        return;
    }
    if (strcmp(req->path, "/sse") == 0) {
        s->stream = c;
        assert_int_equal(yc_http_sse_begin(c, on_cancel, s), YC_OK);
        return;
    }
    if (strcmp(req->path, "/echo") == 0) {
        yc_http_respond(c, 200, "application/octet-stream", req->body, req->body_len, NULL);
        return;
    }
    if (strcmp(req->path, "/auth") == 0) {
        const char *a = req->authorization ? req->authorization : "(none)";
        yc_http_respond(c, 200, "text/plain", a, strlen(a), NULL);
        return;
    }
    char out[512];
    int n = snprintf(out, sizeof(out), "ok:%s?%s", req->path, req->query);
    yc_http_respond(c, 200, "text/plain", out, (size_t)n, NULL);
}

static void on_closed(void *ctx)
{
    ((struct srv *)ctx)->closed++;
}

static void srv_start(struct srv *s, const struct yc_httpd_config *cfg)
{
    memset(s, 0, sizeof(*s));
    uv_loop_init(&s->loop);
    assert_int_equal(yc_pump_init(&s->pump, &s->loop), 0);
    uv_timer_init(&s->loop, &s->late);
    s->late.data = s;
    assert_int_equal(yc_httpd_start(&s->h, &s->loop, &s->pump, "127.0.0.1:0", cfg, handler, s),
                     YC_OK);
    s->port = yc_httpd_port(s->h);
    assert_true(s->port > 0);
}

static void srv_stop(struct srv *s)
{
    yc_httpd_stop(s->h, on_closed, s);
    uv_close((uv_handle_t *)&s->late, NULL);
    fk_pump(&s->loop, 20);
    assert_int_equal(s->closed, 1);
    yc_pump_close(&s->pump);
    fk_pump(&s->loop, 1);
    assert_int_equal(uv_loop_close(&s->loop), 0);
}

static void send_str(struct srv *s, int fd, const char *str)
{
    assert_true(fk_send(&s->loop, fd, str, strlen(str)));
}

static void test_keepalive_sequential(void **state)
{
    (void)state;
    struct srv s;
    srv_start(&s, NULL);
    int fd = fk_connect(s.port);
    for (int i = 0; i < 5; i++) {
        char req[128];
        snprintf(req, sizeof(req), "GET /n%d?x=%d HTTP/1.1\r\nHost: a\r\n\r\n", i, i);
        send_str(&s, fd, req);
        struct fk_resp r;
        assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 200);
        char want[64];
        snprintf(want, sizeof(want), "ok:/n%d?x=%d", i, i);
        assert_string_equal(r.body, want);
        assert_non_null(strstr(r.head, "Connection: keep-alive"));
        assert_false(r.closed);
        fk_resp_free(&r);
    }
    close(fd);
    srv_stop(&s);
}

static void test_pipelining_behind_deferred(void **state)
{
    (void)state;
    struct srv s;
    srv_start(&s, NULL);
    int fd = fk_connect(s.port);
    send_str(&s, fd,
             "GET /a HTTP/1.1\r\n\r\nGET /defer HTTP/1.1\r\n\r\n"
             "POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /c HTTP/1.1\r\n\r\n");
    const char *want[] = {"ok:/a?", "late", "hello", "ok:/c?"};
    for (int i = 0; i < 4; i++) {
        struct fk_resp r;
        assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 200);
        assert_string_equal(r.body, want[i]);
        fk_resp_free(&r);
    }
    close(fd);
    srv_stop(&s);
}

static void test_pipeline_fills_buffer(void **state)
{
    (void)state;
    struct srv s;
    srv_start(&s, NULL);
    int fd = fk_connect(s.port);
    /* A deferred request, then more pipelined bytes than the read buffer holds. */
    send_str(&s, fd, "GET /defer HTTP/1.1\r\n\r\n");
    const char one[] = "GET /p HTTP/1.1\r\nHost: pipelined-request-padding-padding\r\n\r\n";
    size_t n = 40000 / (sizeof(one) - 1);
    for (size_t i = 0; i < n; i++)
        send_str(&s, fd, one);
    struct fk_resp r;
    assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 200);
    assert_string_equal(r.body, "late");
    fk_resp_free(&r);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 200);
        assert_string_equal(r.body, "ok:/p?");
        fk_resp_free(&r);
    }
    close(fd);
    srv_stop(&s);
}

static void test_body_too_large(void **state)
{
    (void)state;
    struct yc_httpd_config cfg = {.max_body_bytes = 1000};
    struct srv s;
    srv_start(&s, &cfg);
    /* Declared length over the cap: refused before the body is read. */
    int fd = fk_connect(s.port);
    send_str(&s, fd, "POST /echo HTTP/1.1\r\nContent-Length: 1001\r\n\r\n");
    struct fk_resp r;
    assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 413);
    assert_non_null(strstr(r.body, "\"body_too_large\""));
    assert_non_null(strstr(r.head, "Connection: close"));
    fk_resp_free(&r);
    assert_true(fk_wait_closed(&s.loop, fd, 3000));
    close(fd);
    /* Chunked: refused once the received bytes pass the cap. */
    fd = fk_connect(s.port);
    send_str(&s, fd, "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
    char chunk[600];
    memset(chunk, 'x', sizeof(chunk));
    for (int i = 0; i < 2; i++) {
        send_str(&s, fd, "258\r\n");
        assert_true(fk_send(&s.loop, fd, chunk, sizeof(chunk)));
        send_str(&s, fd, "\r\n");
    }
    assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 413);
    fk_resp_free(&r);
    close(fd);
    /* Exactly at the cap is fine. */
    fd = fk_connect(s.port);
    send_str(&s, fd, "POST /echo HTTP/1.1\r\nContent-Length: 1000\r\n\r\n");
    char body[1000];
    memset(body, 'y', sizeof(body));
    assert_true(fk_send(&s.loop, fd, body, sizeof(body)));
    assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 200);
    assert_int_equal(r.body_len, 1000);
    fk_resp_free(&r);
    close(fd);
    srv_stop(&s);
}

static void test_headers_too_large(void **state)
{
    (void)state;
    struct yc_httpd_config cfg = {.max_header_bytes = 512};
    struct srv s;
    srv_start(&s, &cfg);
    int fd = fk_connect(s.port);
    send_str(&s, fd, "GET / HTTP/1.1\r\n");
    for (int i = 0; i < 20; i++)
        send_str(&s, fd, "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    send_str(&s, fd, "\r\n");
    struct fk_resp r;
    assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 431);
    fk_resp_free(&r);
    close(fd);
    /* A long URL counts too. */
    fd = fk_connect(s.port);
    char url[1200];
    memset(url, 'a', sizeof(url));
    url[0] = '/';
    url[sizeof(url) - 1] = 0;
    char req[1400];
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\n\r\n", url);
    send_str(&s, fd, req);
    assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 431);
    fk_resp_free(&r);
    close(fd);
    srv_stop(&s);
}

static void test_malformed(void **state)
{
    (void)state;
    struct srv s;
    srv_start(&s, NULL);
    const char *bad[] = {
        "BLAH\r\n\r\n",
        "GET / HTTP/9.x\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "GET http-no-slash HTTP/1.1\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int fd = fk_connect(s.port);
        send_str(&s, fd, bad[i]);
        struct fk_resp r;
        assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 400);
        assert_true(fk_wait_closed(&s.loop, fd, 3000));
        fk_resp_free(&r);
        close(fd);
    }
    /* Absolute-form target and a duplicate Authorization header. */
    int fd = fk_connect(s.port);
    send_str(&s, fd, "GET http://host:1/abs?q=1 HTTP/1.1\r\n\r\n");
    struct fk_resp r;
    assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 200);
    assert_string_equal(r.body, "ok:/abs?q=1");
    fk_resp_free(&r);
    send_str(&s, fd, "GET /auth HTTP/1.1\r\nauthorization: Bearer x\r\n\r\n");
    assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 200);
    assert_string_equal(r.body, "Bearer x");
    fk_resp_free(&r);
    send_str(&s, fd, "GET /auth HTTP/1.1\r\nAuthorization: a\r\nAuthorization: b\r\n\r\n");
    assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 400);
    fk_resp_free(&r);
    close(fd);
    srv_stop(&s);
}

static void test_connection_cap(void **state)
{
    (void)state;
    struct yc_httpd_config cfg = {.max_connections = 2};
    struct srv s;
    srv_start(&s, &cfg);
    /* Two connections in the middle of a request: a newcomer closes the older one
     * (test_httpd_hostile.c has the whole eviction order). */
    int a = fk_connect(s.port);
    send_str(&s, a, "GET /a HTTP/1.1\r\n");
    fk_pump(&s.loop, 20);
    int b = fk_connect(s.port);
    send_str(&s, b, "GET /b HTTP/1.1\r\n");
    fk_pump(&s.loop, 20);
    int c = fk_connect(s.port);
    assert_true(fk_wait_closed(&s.loop, a, 2000));
    close(a);
    struct fk_resp r;
    send_str(&s, c, "GET /c HTTP/1.1\r\n\r\n");
    assert_int_equal(fk_read_response(&s.loop, c, &r, 2000), 200);
    assert_string_equal(r.body, "ok:/c?");
    fk_resp_free(&r);
    /* Now `c` idles between requests: a newcomer takes its slot. */
    int d = fk_connect(s.port);
    assert_true(fk_wait_closed(&s.loop, c, 2000));
    close(c);
    send_str(&s, d, "GET /d HTTP/1.1\r\n\r\n");
    assert_int_equal(fk_read_response(&s.loop, d, &r, 2000), 200);
    fk_resp_free(&r);
    send_str(&s, b, "\r\n");
    assert_int_equal(fk_read_response(&s.loop, b, &r, 2000), 200);
    assert_string_equal(r.body, "ok:/b?");
    fk_resp_free(&r);
    close(b);
    close(d);
    srv_stop(&s);
}

static void test_unread_responses_pause_reading(void **state)
{
    (void)state;
    struct yc_httpd_config cfg = {.max_write_queue_bytes = 4096};
    struct srv s;
    srv_start(&s, &cfg);
    int fd = fk_connect(s.port);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    /* Many pipelined echoes of 8 KiB, responses not read: the server must stop
     * parsing (its queue of unread responses is capped), then finish once we read. */
    char body[8192];
    memset(body, 'e', sizeof(body));
    char head[128];
    int hn = snprintf(head, sizeof(head), "POST /echo HTTP/1.1\r\nContent-Length: %zu\r\n\r\n",
                      sizeof(body));
    int sent = 0;
    for (int i = 0; i < 24; i++) {
        if (send(fd, head, (size_t)hn, MSG_NOSIGNAL) != hn)
            break;
        ssize_t k = send(fd, body, sizeof(body), MSG_NOSIGNAL);
        if (k != (ssize_t)sizeof(body)) {
            if (k > 0)
                assert_true(fk_send(&s.loop, fd, body + k, sizeof(body) - (size_t)k));
            sent++;
            break;
        }
        sent++;
        uv_run(&s.loop, UV_RUN_NOWAIT);
    }
    fk_pump(&s.loop, 50);
    assert_true(sent > 2);
    /* Now read: a larger window avoids the kernel's zero-window probe delays. */
    int big = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    for (int i = 0; i < sent; i++) {
        struct fk_resp r;
        assert_int_equal(fk_read_response(&s.loop, fd, &r, 3000), 200);
        assert_int_equal(r.body_len, sizeof(body));
        fk_resp_free(&r);
    }
    close(fd);
    srv_stop(&s);
}

static void test_slow_drip_and_idle(void **state)
{
    (void)state;
    struct yc_httpd_config cfg = {.header_timeout_ms = 150, .idle_timeout_ms = 150};
    struct srv s;
    srv_start(&s, &cfg);
    int fd = fk_connect(s.port);
    const char *drip = "GET /slow HTTP/1.1\r\nX: ";
    for (const char *p = drip; *p; p++) {
        assert_true(fk_send(&s.loop, fd, p, 1));
        fk_pump(&s.loop, 10);
    }
    for (int i = 0; i < 30; i++) { /* keeps dripping: the timer is not reset */
        assert_true(fk_send(&s.loop, fd, "a", 1) || i > 0);
        fk_pump(&s.loop, 10);
    }
    struct fk_resp r;
    assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 408);
    fk_resp_free(&r);
    close(fd);
    fd = fk_connect(s.port);
    assert_true(fk_wait_closed(&s.loop, fd, 2000)); /* idle: closed without a word */
    close(fd);
    srv_stop(&s);
}

static void test_deferred_cancelled_on_close(void **state)
{
    (void)state;
    struct srv s;
    srv_start(&s, NULL);
    int fd = fk_connect(s.port);
    send_str(&s, fd, "GET /defer HTTP/1.1\r\n\r\n");
    fk_pump(&s.loop, 5);
    assert_non_null(s.deferred);
    close(fd);
    fk_pump(&s.loop, 100);
    assert_int_equal(s.cancels, 1);
    assert_null(s.deferred);
    srv_stop(&s);
}

static void test_stop_cancels(void **state)
{
    (void)state;
    struct srv s;
    srv_start(&s, NULL);
    int fd = fk_connect(s.port);
    send_str(&s, fd, "GET /defer HTTP/1.1\r\n\r\n");
    fk_pump(&s.loop, 5);
    assert_non_null(s.deferred);
    yc_httpd_stop(s.h, on_closed, &s);
    assert_int_equal(s.cancels, 1); /* before stop returns */
    uv_close((uv_handle_t *)&s.late, NULL);
    fk_pump(&s.loop, 20);
    assert_int_equal(s.closed, 1);
    yc_pump_close(&s.pump);
    fk_pump(&s.loop, 1);
    assert_int_equal(uv_loop_close(&s.loop), 0);
    close(fd);
}

static void test_expect_continue_and_head(void **state)
{
    (void)state;
    struct srv s;
    srv_start(&s, NULL);
    int fd = fk_connect(s.port);
    send_str(&s, fd, "POST /echo HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
    char buf[64] = {0};
    size_t n = fk_read_some(&s.loop, fd, buf, 25, 2000);
    assert_int_equal(n, 25);
    assert_memory_equal(buf, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    send_str(&s, fd, "abc");
    struct fk_resp r;
    assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 200);
    assert_string_equal(r.body, "abc");
    fk_resp_free(&r);
    /* HEAD: the head says the length, no body follows; the next response is intact. */
    send_str(&s, fd, "HEAD /h HTTP/1.1\r\n\r\nGET /g HTTP/1.1\r\n\r\n");
    char head[512] = {0};
    size_t hl = 0;
    while (hl < sizeof(head) - 1 && !strstr(head, "\r\n\r\n"))
        hl += fk_read_some(&s.loop, fd, head + hl, 1, 2000);
    assert_non_null(strstr(head, "Content-Length: 6"));
    assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 200);
    assert_string_equal(r.body, "ok:/g?");
    fk_resp_free(&r);
    /* HTTP/1.0 without keep-alive: closed after the answer. */
    send_str(&s, fd, "GET /old HTTP/1.0\r\n\r\n");
    assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 200);
    assert_non_null(strstr(r.head, "Connection: close"));
    fk_resp_free(&r);
    assert_true(fk_wait_closed(&s.loop, fd, 3000));
    close(fd);
    srv_stop(&s);
}

static void test_sse_slow_client_dropped(void **state)
{
    (void)state;
    struct yc_httpd_config cfg = {.sse_max_queue_bytes = 8192};
    struct srv s;
    srv_start(&s, &cfg);
    int fd = fk_connect(s.port);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    send_str(&s, fd, "GET /sse HTTP/1.1\r\n\r\n");
    fk_pump(&s.loop, 10);
    assert_non_null(s.stream);
    char head[256] = {0};
    size_t hl = fk_read_some(&s.loop, fd, head, 60, 1000);
    assert_true(hl >= 40);
    assert_non_null(strstr(head, "text/event-stream"));
    /* A fast client gets events; one that stops reading is dropped, not buffered. */
    assert_int_equal(yc_http_sse_send(s.stream, "block", "{\"height\":\"1\"}"), YC_OK);
    char data[1024];
    memset(data, 'x', sizeof(data) - 1);
    data[sizeof(data) - 1] = 0;
    int rc = YC_OK;
    for (int i = 0; i < 200000 && rc == YC_OK; i++) {
        rc = yc_http_sse_send(s.stream, "tx", data);
        if (i % 64 == 0)
            uv_run(&s.loop, UV_RUN_NOWAIT);
    }
    assert_int_equal(rc, YC_ELIMIT);
    assert_int_equal(s.cancels, 0); /* never from inside sse_send */
    fk_pump(&s.loop, 20);
    assert_int_equal(s.cancels, 1);
    assert_true(fk_wait_closed(&s.loop, fd, 5000));
    close(fd);
    srv_stop(&s);
}

static void test_bad_laddr(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct yc_pump pump;
    assert_int_equal(yc_pump_init(&pump, &loop), 0);
    yc_httpd *h = NULL;
    const char *bad[] = {"nope", "1.2.3.4",    "1.2.3.4:", "1.2.3.4:99999", "host.example:80",
                         "[::1", "1.2.3.4:12a"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(yc_httpd_start(&h, &loop, &pump, bad[i], NULL, handler, NULL), YC_ECONFIG);
    assert_int_equal(yc_httpd_start(&h, &loop, &pump, "tcp://[::1]:0", NULL, handler, NULL) ==
                             YC_OK ||
                         h == NULL,
                     1);
    if (h)
        yc_httpd_stop(h, NULL, NULL);
    fk_pump(&loop, 10);
    yc_pump_close(&pump);
    fk_pump(&loop, 1);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keepalive_sequential),
        cmocka_unit_test(test_pipelining_behind_deferred),
        cmocka_unit_test(test_pipeline_fills_buffer),
        cmocka_unit_test(test_body_too_large),
        cmocka_unit_test(test_headers_too_large),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_connection_cap),
        cmocka_unit_test(test_unread_responses_pause_reading),
        cmocka_unit_test(test_slow_drip_and_idle),
        cmocka_unit_test(test_deferred_cancelled_on_close),
        cmocka_unit_test(test_stop_cancels),
        cmocka_unit_test(test_expect_continue_and_head),
        cmocka_unit_test(test_sse_slow_client_dropped),
        cmocka_unit_test(test_bad_laddr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
