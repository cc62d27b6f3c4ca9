/*
 * test_httpd_hostile.c — the HTTP server's defences against hostile clients (issue 10,
 * TESTING.md G4), on a real libuv loop: the budget of body bytes in flight (503 with
 * Retry-After from Content-Length, chunked bodies as they grow, the budget returned when
 * the handler is done or the client leaves), the per-source connection limit (its own
 * idle connections make room, others do not), eviction at max_connections (lingering,
 * then idle, then the incomplete request nearest its deadline; refused when nobody can
 * go), the head deadline counted from the accept, and the body's pause and rate rules.
 */
#include <inttypes.h>
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
    struct yc_httpd_counters k;
    int closed;
    int deferred;
    size_t in_flight_seen; /* body_bytes_in_flight during the last handler call */
};

static void handler(void *ctx, yc_http_conn *c, const struct yc_http_req *req)
{
    struct srv *s = ctx;
    s->in_flight_seen = (size_t)s->k.body_bytes_in_flight;
    if (strcmp(req->path, "/defer") == 0) {
        s->deferred++;
        yc_http_defer(c, NULL, NULL);
        return;
    }
    if (strcmp(req->path, "/release") == 0) {
        size_t n = req->body_len;
        yc_http_release_body(c);
        char out[64];
        int k = snprintf(out, sizeof(out), "%zu:%" PRIu64, n, s->k.body_bytes_in_flight);
        yc_http_respond(c, 200, "text/plain", out, (size_t)k, NULL);
        return;
    }
    char out[64];
    int k = snprintf(out, sizeof(out), "len=%zu", req->body_len);
    yc_http_respond(c, 200, "text/plain", out, (size_t)k, NULL);
}

static void on_closed(void *ctx)
{
    ((struct srv *)ctx)->closed++;
}

static void srv_start(struct srv *s, struct yc_httpd_config *cfg)
{
    memset(s, 0, sizeof(*s));
    uv_loop_init(&s->loop);
    assert_int_equal(yc_pump_init(&s->pump, &s->loop), 0);
    cfg->counters = &s->k;
    assert_int_equal(yc_httpd_start(&s->h, &s->loop, &s->pump, "127.0.0.1:0", cfg, handler, s),
                     YC_OK);
    s->port = yc_httpd_port(s->h);
}

static void srv_stop(struct srv *s)
{
    yc_httpd_stop(s->h, on_closed, s);
    fk_pump(&s->loop, 20);
    assert_int_equal(s->closed, 1);
    yc_pump_close(&s->pump);
    fk_pump(&s->loop, 1);
    assert_int_equal(uv_loop_close(&s->loop), 0);
}

/* A connection from 127.0.0.`last` (any loopback address reaches the server). */
static int connect_from(struct srv *s, int last)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in me = {.sin_family = AF_INET};
    me.sin_addr.s_addr = htonl(0x7f000000u | (uint32_t)last);
    assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof(me)), 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(s->port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fk_pump(&s->loop, 5); /* accepted (or refused) now */
    return fd;
}

static void send_str(struct srv *s, int fd, const char *str)
{
    assert_true(fk_send(&s->loop, fd, str, strlen(str)));
}

static void send_fill(struct srv *s, int fd, size_t n)
{
    char chunk[4096];
    memset(chunk, ' ', sizeof(chunk));
    while (n > 0) {
        size_t k = n < sizeof(chunk) ? n : sizeof(chunk);
        assert_true(fk_send(&s->loop, fd, chunk, k));
        n -= k;
    }
    fk_pump(&s->loop, 5);
}

static void post_head(struct srv *s, int fd, const char *path, size_t len)
{
    char head[160];
    snprintf(head, sizeof(head), "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n", path,
             len);
    send_str(s, fd, head);
    fk_pump(&s->loop, 5);
}

/* Still open: nothing to read and no EOF. */
static bool is_open(struct srv *s, int fd)
{
    fk_pump(&s->loop, 5);
    char b;
    ssize_t n = recv(fd, &b, 1, MSG_PEEK);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

static void test_body_budget_content_length(void **state)
{
    (void)state;
    struct yc_httpd_config cfg = {.max_body_bytes = 100000, .max_body_bytes_in_flight = 250000};
    struct srv s;
    srv_start(&s, &cfg);
    /* Two bodies of 100000 fit; a third is refused from its head. */
    int a = connect_from(&s, 1), b = connect_from(&s, 1), c = connect_from(&s, 1);
    post_head(&s, a, "/", 100000);
    send_fill(&s, a, 10);
    post_head(&s, b, "/", 100000);
    assert_int_equal(s.k.body_bytes_in_flight, 200000);
    post_head(&s, c, "/", 100000);
    struct fk_resp r;
    assert_int_equal(fk_read_response(&s.loop, c, &r, 2000), 503);
    assert_non_null(strstr(r.head, "Retry-After: 1\r\n"));
    assert_non_null(strstr(r.head, "Connection: close"));
    assert_non_null(strstr(r.body, "\"busy\""));
    assert_non_null(strstr(r.body, "max_body_bytes_in_flight (250000)"));
    fk_resp_free(&r);
    assert_true(fk_wait_closed(&s.loop, c, 3000));
    close(c);
    assert_int_equal(s.k.bodies_refused_busy_total, 1);
    assert_int_equal(s.k.errors_total[YC_HTTPD_ERR_503], 1);
    /* A small body is never counted: it gets through while the budget is spent. */
    int d = connect_from(&s, 1);
    post_head(&s, d, "/", 1000);
    send_fill(&s, d, 1000);
    assert_int_equal(fk_read_response(&s.loop, d, &r, 2000), 200);
    assert_string_equal(r.body, "len=1000");
    fk_resp_free(&r);
    assert_int_equal(s.k.body_bytes_in_flight, 200000);
    /* `a` completes: while its handler runs it still holds its bytes; after, not. */
    send_fill(&s, a, 100000 - 10);
    assert_int_equal(fk_read_response(&s.loop, a, &r, 2000), 200);
    assert_string_equal(r.body, "len=100000");
    fk_resp_free(&r);
    assert_int_equal(s.in_flight_seen, 200000);
    assert_int_equal(s.k.body_bytes_in_flight, 100000);
    /* `b` leaves halfway: its bytes come back at once. */
    send_fill(&s, b, 5000);
    close(b);
    fk_pump(&s.loop, 30);
    assert_int_equal(s.k.body_bytes_in_flight, 0);
    /* The handler may give the body back early. */
    post_head(&s, a, "/release", 70000);
    send_fill(&s, a, 70000);
    assert_int_equal(fk_read_response(&s.loop, a, &r, 2000), 200);
    assert_string_equal(r.body, "70000:0");
    fk_resp_free(&r);
    close(a);
    close(d);
    srv_stop(&s);
}

static void send_chunk(struct srv *s, int fd, size_t n)
{
    char h[32];
    snprintf(h, sizeof(h), "%zx\r\n", n);
    send_str(s, fd, h);
    send_fill(s, fd, n);
    send_str(s, fd, "\r\n");
    fk_pump(&s->loop, 5);
}

static void test_body_budget_chunked(void **state)
{
    (void)state;
    struct yc_httpd_config cfg = {.max_body_bytes = 1000000, .max_body_bytes_in_flight = 1100000};
    struct srv s;
    srv_start(&s, &cfg);
    /* One body holds most of the budget. */
    int a = connect_from(&s, 1);
    post_head(&s, a, "/", 1000000);
    assert_int_equal(s.k.body_bytes_in_flight, 1000000);
    /* A chunked body is free up to 64 KiB, then asks for twice as much: refused. */
    int b = connect_from(&s, 1);
    send_str(&s, b, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
    send_chunk(&s, b, 60000);
    assert_true(is_open(&s, b));
    assert_int_equal(s.k.body_bytes_in_flight, 1000000);
    send_chunk(&s, b, 60000);
    struct fk_resp r;
    assert_int_equal(fk_read_response(&s.loop, b, &r, 2000), 503);
    assert_non_null(strstr(r.head, "Retry-After:"));
    fk_resp_free(&r);
    close(b);
    assert_int_equal(s.k.body_bytes_in_flight, 1000000);
    close(a);
    fk_pump(&s.loop, 30);
    assert_int_equal(s.k.body_bytes_in_flight, 0);
    /* Alone, a chunked body grows to the limit and is answered. */
    b = connect_from(&s, 1);
    send_str(&s, b, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 10; i++)
        send_chunk(&s, b, 50000);
    assert_true(s.k.body_bytes_in_flight >= 500000);
    assert_true(s.k.body_bytes_in_flight <= 1000000);
    send_str(&s, b, "0\r\n\r\n");
    assert_int_equal(fk_read_response(&s.loop, b, &r, 2000), 200);
    assert_string_equal(r.body, "len=500000");
    fk_resp_free(&r);
    assert_int_equal(s.k.body_bytes_in_flight, 0);
    close(b);
    srv_stop(&s);
}

static void test_per_source_limit(void **state)
{
    (void)state;
    struct yc_httpd_config cfg = {.max_connections_per_source = 3};
    struct srv s;
    srv_start(&s, &cfg);
    int a[3];
    for (int i = 0; i < 3; i++) {
        a[i] = connect_from(&s, 1);
        send_str(&s, a[i], "GET /x HTTP/1.1\r\n"); /* mid-request */
    }
    /* A fourth from the same address is closed at once; another address is served. */
    int d = connect_from(&s, 1);
    assert_true(fk_wait_closed(&s.loop, d, 2000));
    close(d);
    assert_int_equal(s.k.connections_refused_per_source_total, 1);
    int e = connect_from(&s, 2);
    send_str(&s, e, "GET /e HTTP/1.1\r\n\r\n");
    struct fk_resp r;
    assert_int_equal(fk_read_response(&s.loop, e, &r, 2000), 200);
    fk_resp_free(&r);
    close(e);
    /* a[0] is answered and idles: the source's newcomer takes its place. */
    send_str(&s, a[0], "\r\n");
    assert_int_equal(fk_read_response(&s.loop, a[0], &r, 2000), 200);
    fk_resp_free(&r);
    int f = connect_from(&s, 1);
    assert_true(fk_wait_closed(&s.loop, a[0], 2000));
    assert_int_equal(s.k.connections_evicted_total, 1);
    send_str(&s, f, "GET /f HTTP/1.1\r\n\r\n");
    assert_int_equal(fk_read_response(&s.loop, f, &r, 2000), 200);
    fk_resp_free(&r);
    /* The incomplete requests were left alone. */
    for (int i = 1; i < 3; i++) {
        send_str(&s, a[i], "\r\n");
        assert_int_equal(fk_read_response(&s.loop, a[i], &r, 2000), 200);
        fk_resp_free(&r);
        close(a[i]);
    }
    close(a[0]);
    close(f);
    srv_stop(&s);
}

static void test_evict_at_cap(void **state)
{
    (void)state;
    struct yc_httpd_config cfg = {.max_connections = 4};
    struct srv s;
    srv_start(&s, &cfg);
    /* Four slow heads, started one after the other: a newcomer closes the oldest. */
    int a[4];
    for (int i = 0; i < 4; i++) {
        a[i] = connect_from(&s, 10 + i);
        send_str(&s, a[i], "GET /slow HTTP/1.1\r\nX: ");
        fk_pump(&s.loop, 20);
    }
    int n = connect_from(&s, 20);
    assert_true(fk_wait_closed(&s.loop, a[0], 2000));
    assert_int_equal(s.k.connections_evicted_total, 1);
    send_str(&s, n, "GET /new HTTP/1.1\r\n\r\n");
    struct fk_resp r;
    assert_int_equal(fk_read_response(&s.loop, n, &r, 2000), 200);
    fk_resp_free(&r);
    /* n is now idle after an answer: it goes before the incomplete ones. */
    int m = connect_from(&s, 21);
    assert_true(fk_wait_closed(&s.loop, n, 2000));
    for (int i = 1; i < 4; i++)
        assert_true(is_open(&s, a[i]));
    close(n);
    close(a[0]);
    /* Every slot answering (deferred): a newcomer is refused, nobody is cut off. */
    send_str(&s, m, "GET /defer HTTP/1.1\r\n\r\n");
    for (int i = 1; i < 4; i++)
        send_str(&s, a[i], "a\r\n\r\nGET /defer HTTP/1.1\r\n\r\n");
    fk_pump(&s.loop, 20);
    assert_int_equal(s.deferred, 4);
    int z = connect_from(&s, 22);
    assert_true(fk_wait_closed(&s.loop, z, 2000));
    close(z);
    assert_int_equal(s.k.connections_refused_total, 1);
    assert_true(is_open(&s, m));
    close(m);
    for (int i = 1; i < 4; i++)
        close(a[i]);
    srv_stop(&s);
}

static void test_head_deadline_from_accept(void **state)
{
    (void)state;
    struct yc_httpd_config cfg = {.header_timeout_ms = 1000, .idle_timeout_ms = 5000};
    struct srv s;
    srv_start(&s, &cfg);
    /* Silent for 700 ms, then a head started: the deadline still counts from the accept
     * (408 some 300 ms later, not a whole header_timeout later). */
    int fd = connect_from(&s, 1);
    fk_pump(&s.loop, 700);
    send_str(&s, fd, "GET / HTTP/1.1\r\n");
    uint64_t t0 = uv_hrtime();
    struct fk_resp r;
    assert_int_equal(fk_read_response(&s.loop, fd, &r, 3000), 408);
    assert_non_null(strstr(r.body, "header_timeout"));
    fk_resp_free(&r);
    assert_true(uv_hrtime() - t0 < 1000000000ull);
    close(fd);
    /* Silent throughout: closed without a word. */
    fd = connect_from(&s, 1);
    assert_true(fk_wait_closed(&s.loop, fd, 2000));
    close(fd);
    /* On a kept-alive connection the next head has its own deadline from its first byte
     * (idle time before it does not count). */
    fd = connect_from(&s, 1);
    send_str(&s, fd, "GET /a HTTP/1.1\r\n\r\n");
    assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 200);
    fk_resp_free(&r);
    fk_pump(&s.loop, 1200);
    send_str(&s, fd, "GET /b HTTP/1.1\r\n");
    fk_pump(&s.loop, 100);
    send_str(&s, fd, "\r\n");
    assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 200);
    fk_resp_free(&r);
    close(fd);
    assert_int_equal(s.k.errors_total[YC_HTTPD_ERR_408], 1);
    srv_stop(&s);
}

static void test_body_pause_and_rate(void **state)
{
    (void)state;
    struct yc_httpd_config cfg = {.body_timeout_ms = 500, .body_min_rate = 1000};
    struct srv s;
    srv_start(&s, &cfg);
    /* 100 bytes every 50 ms (2000 B/s) for 600 ms: kept; then a pause: 408. */
    int fd = connect_from(&s, 1);
    post_head(&s, fd, "/", 100000);
    for (int i = 0; i < 12; i++) {
        send_fill(&s, fd, 100);
        fk_pump(&s.loop, 45);
    }
    assert_true(is_open(&s, fd));
    struct fk_resp r;
    assert_int_equal(fk_read_response(&s.loop, fd, &r, 2000), 408);
    assert_non_null(strstr(r.body, "body_min_rate"));
    fk_resp_free(&r);
    close(fd);
    /* 10 bytes every 50 ms (200 B/s): never pauses, but falls under the rate soon after
     * the 500 ms grace (at about 625 ms; the loop would go on for 2 s). */
    fd = connect_from(&s, 1);
    post_head(&s, fd, "/", 100000);
    int st = 0;
    for (int i = 0; i < 40 && st == 0; i++) {
        if (!fk_send(&s.loop, fd, "xxxxxxxxxx", 10))
            break;
        fk_pump(&s.loop, 50);
        char b;
        if (recv(fd, &b, 1, MSG_PEEK) == 1)
            st = fk_read_response(&s.loop, fd, &r, 2000);
    }
    assert_int_equal(st, 408);
    fk_resp_free(&r);
    close(fd);
    assert_int_equal(s.k.body_bytes_in_flight, 0);
    srv_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_budget_content_length),
        cmocka_unit_test(test_body_budget_chunked),
        cmocka_unit_test(test_per_source_limit),
        cmocka_unit_test(test_evict_at_cap),
        cmocka_unit_test(test_head_deadline_from_accept),
        cmocka_unit_test(test_body_pause_and_rate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
