/*
 * httpd_conn.c — one HTTP/1.1 connection (see httpd.h, httpd_int.h).
 *
 * Per connection, a small state machine:
 *
 *   IDLE ──bytes──> READING ──message complete──> HANDLING ──respond──> IDLE
 *                                                    └──sse_begin──> STREAM
 *   any error response or "Connection: close" ──> LINGER (shutdown, discard input until
 *   EOF or a short timer) ──> CLOSING ──both handles closed──> freed
 *
 * Deadlines (one timer per connection, armed for the stage's deadline and re-checked
 * when it fires, so body bytes never touch the timer): a new connection's first request
 * head within header_timeout_ms of the accept, a later one's within header_timeout_ms
 * of its first byte; a body may pause at most body_timeout_ms and must then average
 * body_min_rate (its deadline is body_start + body_timeout + seen / rate, or the last
 * byte + body_timeout, whichever is first); idle_timeout_ms between requests.
 *
 * The body budget: a body over YC_HTTPD_BODY_FREE_BYTES holds `budget` bytes of the
 * server's max_body_bytes_in_flight, taken whole from Content-Length before any body
 * byte is read, or grown (doubling) as a chunked body arrives. The body buffer's cap is
 * set to what is held, so its memory never exceeds the count. The budget returns when
 * the handler is done with the body, on an error answer and on close.
 *
 * Invariants:
 * - Unparsed input lives only in `rbuf` (fixed size). The parser is paused at the end
 *   of every message, so at most one request is being handled; later pipelined bytes
 *   stay in rbuf. When rbuf is full the connection stops reading.
 * - The parser runs only from conn_process, which never recurses: a response given
 *   from outside (deferred) schedules processing for the next loop turn through the
 *   node's pump (pump.h), so a handler is never entered from inside a node callback;
 *   a slow event client met inside the node's event dispatch is dropped the same way.
 * - A cancel callback runs at most once, and never after the response was given.
 * - Memory of a connection is freed only when the close callbacks of its two handles
 *   (tcp, timer) have both run; write callbacks (even cancelled ones) come first.
 */
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <http_parser.h>
#include <uv.h>

#include "httpd.h"
#include "httpd_int.h"
#include "yc/buf.h"
#include "yc/err.h"

static void conn_process(yc_http_conn *c);

static const char *reason_phrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Payload Too Large";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

/* ---- writing ---- */

static void on_write(uv_write_t *req, int status)
{
    struct wreq *w = (struct wreq *)req;
    yc_http_conn *c = w->c;
    size_t w_len = w->len;
    c->wq_bytes -= w_len;
    free(w);
    if (status < 0) {
        yc__httpd_conn_close(c);
        return;
    }
    /* Parsing and reading paused for a client that fell behind resume once it drained
     * (conn_process also restarts reading and the idle timer). */
    if ((c->state == ST_IDLE || c->state == ST_READING) &&
        c->wq_bytes <= c->srv->cfg.max_write_queue_bytes &&
        c->wq_bytes + w_len > c->srv->cfg.max_write_queue_bytes)
        conn_process(c);
}

/* On a failed write: close now, or (inside yc_http_sse_send, which may run within the
 * node's event dispatch) on the next loop turn so the cancel callback runs from there. */
int yc__httpd_write_failed(yc_http_conn *c, bool defer_close)
{
    if (!defer_close) {
        yc__httpd_conn_close(c);
        return YC_EIO;
    }
    c->drop_pending = true;
    yc_pump_post(c->srv->pump, &c->later_item);
    return YC_EIO;
}

int yc__httpd_write_submit(yc_http_conn *c, struct wreq *w, size_t len, bool defer_close)
{
    w->c = c;
    w->len = len;
    uv_buf_t buf = uv_buf_init(w->data, (unsigned int)len);
    if (len > UINT_MAX || uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, on_write) < 0) {
        free(w);
        return yc__httpd_write_failed(c, defer_close);
    }
    c->wq_bytes += len;
    return YC_OK;
}

/* Writes hdr ‖ body as one buffer (encrypted on a TLS connection). Returns YC_OK, or an
 * error after closing. */
static int conn_write_ex(yc_http_conn *c, const char *a, size_t alen, const void *b, size_t blen,
                         bool defer_close)
{
    if (c->state == ST_CLOSING)
        return YC_EIO;
    if (blen > SIZE_MAX / 2 || alen > SIZE_MAX / 2 - sizeof(struct wreq) - blen)
        return yc__httpd_write_failed(c, defer_close);
    if (c->tls != NULL && yc__httpd_tls_on(c))
        return yc__httpd_tls_write(c, a, alen, b, blen, defer_close);
    struct wreq *w = malloc(sizeof(*w) + alen + blen);
    if (!w)
        return yc__httpd_write_failed(c, defer_close);
    memcpy(w->data, a, alen);
    if (blen)
        memcpy(w->data + alen, b, blen);
    return yc__httpd_write_submit(c, w, alen + blen, defer_close);
}

static int conn_write2(yc_http_conn *c, const char *a, size_t alen, const void *b, size_t blen)
{
    return conn_write_ex(c, a, alen, b, blen, false);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    yc_http_conn *c = req->data;
    if (status < 0)
        yc__httpd_conn_close(c);
    /* else: wait for the peer's EOF or the linger timer */
}

/* After a final response: flush, send FIN, discard input until EOF or LINGER_MS. */
static void conn_linger(yc_http_conn *c)
{
    if (c->state == ST_CLOSING)
        return;
    yc__httpd_body_release(c);
    c->state = ST_LINGER;
    c->since = uv_now(c->srv->loop);
    c->cancel = NULL;
    c->deferred = false;
    c->roff = c->rlen = 0;
    if (c->tls != NULL) {
        yc__httpd_tls_close_notify(c);
        if (c->state == ST_CLOSING)
            return;
    }
    c->shutdown_req.data = c;
    if (uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp, on_shutdown) < 0) {
        yc__httpd_conn_close(c);
        return;
    }
    uv_timer_start(&c->timer, yc__httpd_on_timer, LINGER_MS, 0);
    yc__httpd_conn_update_reading(c);
}

static size_t format_head(char *out, size_t cap, int status, const char *ctype, size_t len,
                          bool keep_alive, const char *extra)
{
    int n = snprintf(out, cap,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                     "Connection: %s\r\nCache-Control: no-store\r\n%s\r\n",
                     status, reason_phrase(status), ctype, len, keep_alive ? "keep-alive" : "close",
                     extra ? extra : "");
    if (n < 0 || (size_t)n >= cap)
        return 0;
    return (size_t)n;
}

/* A protocol-level error decided by the server itself; always closes afterwards.
 * `extra` holds further header lines ("Name: value\r\n") or is NULL. */
static void conn_error(yc_http_conn *c, int status, int code, const char *msg, const char *extra)
{
    char body[256];
    int n = snprintf(body, sizeof(body),
                     "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
                     "\"message\":\"%s\",\"data\":{\"code\":\"%s\"}}}",
                     msg, yc_err_name(code));
    if (n < 0 || (size_t)n >= sizeof(body))
        n = 0;
    struct yc_httpd_counters *k = c->srv->cfg.counters;
    int slot = status == 408   ? YC_HTTPD_ERR_408
               : status == 413 ? YC_HTTPD_ERR_413
               : status == 431 ? YC_HTTPD_ERR_431
               : status == 503 ? YC_HTTPD_ERR_503
                               : YC_HTTPD_ERR_400;
    k->errors_total[slot]++;
    char head[512];
    size_t hl =
        format_head(head, sizeof(head), status, "application/json", (size_t)n, false, extra);
    c->cancel = NULL;
    c->deferred = false;
    if (conn_write2(c, head, hl, body, (size_t)n) == YC_OK)
        conn_linger(c);
}

void yc__httpd_conn_error(yc_http_conn *c, int status, int code, const char *msg)
{
    conn_error(c, status, code, msg, NULL);
}

void yc__httpd_conn_linger(yc_http_conn *c)
{
    conn_linger(c);
}

/* ---- the body budget ---- */

/* Holds `want` bytes (the body bytes this connection may receive) of
 * max_body_bytes_in_flight; a body that small is free. false if the server's count would
 * pass the cap. */
static bool budget_take(yc_http_conn *c, size_t want)
{
    yc_httpd *h = c->srv;
    if (want <= YC_HTTPD_BODY_FREE_BYTES || want <= c->budget)
        return true;
    size_t extra = want - c->budget;
    if (h->body_in_flight > h->cfg.max_body_bytes_in_flight - extra)
        return false;
    h->body_in_flight += extra;
    c->budget = want;
    h->cfg.counters->body_bytes_in_flight = h->body_in_flight;
    return true;
}

void yc__httpd_body_release(yc_http_conn *c)
{
    yc_httpd *h = c->srv;
    if (c->body.alloc > YC_HTTPD_BODY_FREE_BYTES)
        yc_buf_cleanup(&c->body);
    if (c->budget == 0)
        return;
    h->body_in_flight -= c->budget;
    c->budget = 0;
    h->cfg.counters->body_bytes_in_flight = h->body_in_flight;
}

/* ---- deadlines ---- */

uint64_t yc__httpd_conn_deadline(const yc_http_conn *c)
{
    const struct yc_httpd_config *k = &c->srv->cfg;
    switch (c->state) {
    case ST_IDLE:
        return c->since + (c->served == 0 ? k->header_timeout_ms : k->idle_timeout_ms);
    case ST_READING: {
        if (!c->in_body)
            return c->since + k->header_timeout_ms;
        uint64_t paused = c->body_last + k->body_timeout_ms;
        uint64_t rate =
            c->body_start + k->body_timeout_ms + (uint64_t)c->body_seen * 1000u / k->body_min_rate;
        return paused < rate ? paused : rate;
    }
    case ST_LINGER:
        return c->since + LINGER_MS;
    default:
        return UINT64_MAX;
    }
}

/* Arms the timer for the current stage's deadline (at once if it has passed). */
static void conn_arm(yc_http_conn *c)
{
    uint64_t d = yc__httpd_conn_deadline(c), now = uv_now(c->srv->loop);
    if (d == UINT64_MAX)
        return;
    uv_timer_start(&c->timer, yc__httpd_on_timer, d > now ? d - now : 0, 0);
}

/* ---- parser callbacks ---- */

static int header_budget(yc_http_conn *c, size_t len)
{
    c->header_bytes += len;
    if (c->header_bytes > c->srv->cfg.max_header_bytes) {
        c->err_status = 431;
        return -1;
    }
    return 0;
}

static int on_message_begin(http_parser *p)
{
    yc_http_conn *c = p->data;
    c->state = ST_READING;
    yc_buf_reset(&c->url);
    /* An idle keep-alive connection does not keep a large body's memory. */
    if (c->body.alloc > 65536)
        yc_buf_cleanup(&c->body);
    yc_buf_reset(&c->body);
    c->header_bytes = 0;
    c->field_len = 0;
    c->in_value = false;
    c->hdr = HDR_OTHER;
    c->auth_len = 0;
    c->has_auth = c->auth_bad = false;
    c->expect_len = 0;
    c->last_id_len = 0;
    c->has_last_id = c->last_id_bad = false;
    c->origin_len = 0;
    c->has_origin = c->origin_bad = false;
    c->err_status = 0;
    c->err_busy = false;
    c->in_body = false;
    c->body_seen = 0;
    /* The head must be complete within header_timeout_ms: of the accept for a new
     * connection, of this first byte for a kept-alive one. A slow drip never moves it. */
    if (c->served > 0)
        c->since = uv_now(c->srv->loop);
    conn_arm(c);
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
    yc_http_conn *c = p->data;
    if (header_budget(c, len) < 0)
        return -1;
    if (yc_buf_append(&c->url, at, len) != YC_OK) {
        c->err_status = 431;
        return -1;
    }
    return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    yc_http_conn *c = p->data;
    if (header_budget(c, len) < 0)
        return -1;
    if (c->in_value) {
        c->in_value = false;
        c->field_len = 0;
    }
    /* Only short names interest us; a longer one is kept truncated and matches nothing. */
    for (size_t i = 0; i < len; i++) {
        if (c->field_len < FIELD_MAX)
            c->field[c->field_len] = (char)tolower((unsigned char)at[i]);
        c->field_len++;
    }
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    yc_http_conn *c = p->data;
    if (header_budget(c, len) < 0)
        return -1;
    if (!c->in_value) {
        c->in_value = true;
        c->hdr = HDR_OTHER;
        if (c->field_len == 13 && memcmp(c->field, "authorization", 13) == 0) {
            c->hdr = HDR_AUTH;
            if (c->has_auth)
                c->auth_bad = true; /* a repeated Authorization header is refused */
            c->has_auth = true;
            c->auth_len = 0;
        } else if (c->field_len == 6 && memcmp(c->field, "expect", 6) == 0) {
            c->hdr = HDR_EXPECT;
            c->expect_len = 0;
        } else if (c->field_len == 13 && memcmp(c->field, "last-event-id", 13) == 0) {
            c->hdr = HDR_LAST_ID;
            c->last_id_bad = c->has_last_id; /* repeated: ignored */
            c->has_last_id = true;
            c->last_id_len = 0;
        } else if (c->field_len == 6 && memcmp(c->field, "origin", 6) == 0) {
            c->hdr = HDR_ORIGIN;
            c->origin_bad = c->has_origin; /* repeated: no CORS */
            c->has_origin = true;
            c->origin_len = 0;
        }
    }
    if (c->hdr == HDR_AUTH) {
        if (c->auth_len + len > AUTH_MAX) {
            c->auth_bad = true;
        } else {
            memcpy(c->auth + c->auth_len, at, len);
            c->auth_len += len;
        }
    } else if (c->hdr == HDR_EXPECT) {
        for (size_t i = 0; i < len && c->expect_len < FIELD_MAX; i++)
            c->expect[c->expect_len++] = (char)tolower((unsigned char)at[i]);
    } else if (c->hdr == HDR_ORIGIN) {
        if (c->origin_len + len > ORIGIN_MAX) {
            c->origin_bad = true;
        } else {
            memcpy(c->origin + c->origin_len, at, len);
            c->origin_len += len;
        }
    } else if (c->hdr == HDR_LAST_ID) {
        if (c->last_id_len + len > LAST_ID_MAX) {
            c->last_id_bad = true;
        } else {
            memcpy(c->last_id + c->last_id_len, at, len);
            c->last_id_len += len;
        }
    }
    return 0;
}

static int on_headers_complete(http_parser *p)
{
    yc_http_conn *c = p->data;
    size_t max = c->srv->cfg.max_body_bytes;
    if ((p->flags & F_CONTENTLENGTH) && p->content_length > (uint64_t)max) {
        c->err_status = 413;
        return -1;
    }
    /* The buffer holds what the budget holds (+ the NUL added at dispatch): the declared
     * length, or for a chunked body the free size until it asks for more. */
    c->body.cap = (max < YC_HTTPD_BODY_FREE_BYTES ? max : YC_HTTPD_BODY_FREE_BYTES) + 1;
    if ((p->flags & F_CONTENTLENGTH) && p->content_length > 0) {
        size_t want = (size_t)p->content_length;
        if (!budget_take(c, want)) {
            c->err_status = 503;
            c->err_busy = true;
            return -1;
        }
        c->body.cap = want + 1;
        /* Reserved whole, in one allocation (the budget already counts it, and a claimed
         * length is not yet resident memory: untouched pages cost nothing), so the body
         * is never copied while it grows. */
        if (yc_buf_reserve(&c->body, want + 1) != YC_OK) {
            c->err_status = 503;
            return -1;
        }
    }
    c->in_body = true;
    c->body_start = c->body_last = uv_now(c->srv->loop);
    conn_arm(c);
    if (c->expect_len == 12 && memcmp(c->expect, "100-continue", 12) == 0 &&
        (p->content_length > 0 || (p->flags & F_CHUNKED))) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        if (conn_write2(c, cont, sizeof(cont) - 1, NULL, 0) != YC_OK)
            return -1;
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    yc_http_conn *c = p->data;
    size_t max = c->srv->cfg.max_body_bytes;
    c->body_seen += len;
    c->body_last = uv_now(c->srv->loop);
    /* Only a chunked body can pass max_body_bytes: it is refused here. */
    if (c->body.len + len > max) {
        c->err_status = 413;
        return -1;
    }
    size_t need = c->body.len + len;
    if (need + 1 > c->body.cap) { /* + the NUL added at dispatch */
        /* A chunked body outgrew what it holds: ask the budget for twice as much. */
        size_t want = (c->body.cap - 1) * 2;
        if (want < need)
            want = need;
        if (want > max)
            want = max;
        if (!budget_take(c, want)) {
            c->err_status = 503;
            c->err_busy = true;
            return -1;
        }
        c->body.cap = want + 1;
    }
    if (yc_buf_append(&c->body, at, len) != YC_OK) {
        c->err_status = 503;
        return -1;
    }
    return 0;
}

static int on_message_complete(http_parser *p)
{
    yc_http_conn *c = p->data;
    c->keep_alive = http_should_keep_alive(p) != 0 && !p->upgrade;
    c->head = p->method == HTTP_HEAD;
    http_parser_pause(p, 1);
    return 0;
}

/* ---- dispatch ---- */

static void dispatch(yc_http_conn *c)
{
    yc_httpd *h = c->srv;
    c->state = ST_HANDLING;
    c->deferred = false;
    c->cancel = NULL;
    uv_timer_stop(&c->timer);

    h->cfg.counters->requests_total++;
    static const char nul = 0;
    if (yc_buf_append(&c->url, &nul, 1) != YC_OK || yc_buf_append(&c->body, &nul, 1) != YC_OK) {
        conn_error(c, 503, YC_ENOMEM, "out of memory", NULL);
        return;
    }
    char *url = (char *)c->url.data;
    if (url[0] != '/') {
        /* absolute-form ("http://host/path") or "*": keep the path part only */
        char *s = strstr(url, "://");
        s = s ? strchr(s + 3, '/') : NULL;
        if (!s) {
            conn_error(c, 400, YC_EBADFIELD, "request target must be a path", NULL);
            return;
        }
        url = s;
    }
    char *frag = strchr(url, '#');
    if (frag)
        *frag = 0;
    char *q = strchr(url, '?');
    const char *query = "";
    if (q) {
        *q = 0;
        query = q + 1;
    }
    c->auth[c->auth_len] = 0;
    c->last_id[c->last_id_len] = 0;
    c->origin[c->origin_len] = 0;
    struct yc_http_req req = {
        .method = (int)c->parser.method,
        .path = url,
        .query = query,
        .body = c->body.data,
        .body_len = c->body.len - 1,
        .authorization = (c->has_auth && !c->auth_bad) ? c->auth : NULL,
        .last_event_id = (c->has_last_id && !c->last_id_bad) ? c->last_id : NULL,
        .keep_alive = c->keep_alive,
    };
    if (c->auth_bad) {
        conn_error(c, 400, YC_EBADFIELD, "bad Authorization header", NULL);
        return;
    }
    h->handler(h->ctx, c, &req);
    if (c->state == ST_HANDLING && !c->deferred) {
        static const char msg[] = "{\"error\":\"no response\"}";
        yc_http_respond(c, 500, "application/json", msg, sizeof(msg) - 1, NULL);
    }
    /* The handler is done with the body (its pointers were valid only during the call). */
    yc__httpd_body_release(c);
}

/* Answers a parse stopped by http-parser or by one of our callbacks. */
static void conn_parse_error(yc_http_conn *c, enum http_errno e)
{
    const struct yc_httpd_config *k = &c->srv->cfg;
    char msg[160];
    if (c->err_status == 413) {
        snprintf(msg, sizeof(msg), "request body larger than max_body_bytes (%zu)",
                 k->max_body_bytes);
        conn_error(c, 413, YC_EBODYTOOLARGE, msg, NULL);
    } else if (c->err_status == 431 || e == HPE_HEADER_OVERFLOW) {
        snprintf(msg, sizeof(msg), "request headers larger than max_header_bytes (%zu)",
                 k->max_header_bytes);
        conn_error(c, 431, YC_ELIMIT, msg, NULL);
    } else if (c->err_status == 503 && c->err_busy) {
        c->srv->cfg.counters->bodies_refused_busy_total++;
        snprintf(msg, sizeof(msg),
                 "request bodies being received exceed max_body_bytes_in_flight (%zu); "
                 "retry later",
                 k->max_body_bytes_in_flight);
        char extra[48];
        snprintf(extra, sizeof(extra), "Retry-After: %d\r\n", YC_HTTPD_RETRY_AFTER_S);
        conn_error(c, 503, YC_EBUSY, msg, extra);
    } else if (c->err_status == 503) {
        conn_error(c, 503, YC_ENOMEM, "out of memory", NULL);
    } else if (c->state != ST_CLOSING) {
        conn_error(c, 400, YC_EDECODE, "malformed HTTP request", NULL);
    }
}

/* Parses what rbuf holds, one request at a time. Never re-entered. */
static void conn_process(yc_http_conn *c)
{
    if (c->in_process)
        return;
    c->in_process = true;
    while ((c->state == ST_IDLE || c->state == ST_READING) &&
           c->wq_bytes <= c->srv->cfg.max_write_queue_bytes) {
        if (c->roff == c->rlen) {
            /* Everything read is parsed; over TLS, decrypt what came in meanwhile. */
            c->roff = c->rlen = 0;
            if (c->tls == NULL || yc__httpd_tls_fill(c) == 0)
                break;
            if (c->state != ST_IDLE && c->state != ST_READING)
                break;
        }
        size_t avail = c->rlen - c->roff;
        size_t n = http_parser_execute(&c->parser, &c->srv->settings, c->rbuf + c->roff, avail);
        enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
        c->roff += n > avail ? avail : n;
        if (e == HPE_PAUSED) {
            http_parser_pause(&c->parser, 0);
            dispatch(c);
            continue;
        }
        if (e != HPE_OK) {
            conn_parse_error(c, e);
            break;
        }
    }
    if (c->roff == c->rlen)
        c->roff = c->rlen = 0;
    c->in_process = false;
    if (c->state == ST_IDLE && c->rlen == 0)
        conn_arm(c);
    yc__httpd_conn_update_reading(c);
}

/* ---- reading ---- */

static void on_alloc(uv_handle_t *hd, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    yc_http_conn *c = hd->data;
    if (c->tls != NULL) {
        *buf = yc__httpd_tls_read_buf(c);
        return;
    }
    if (c->roff > 0 && !c->in_process) {
        memmove(c->rbuf, c->rbuf + c->roff, c->rlen - c->roff);
        c->rlen -= c->roff;
        c->roff = 0;
    }
    *buf = uv_buf_init(c->rbuf + c->rlen, (unsigned int)(RBUF_SIZE - c->rlen));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    yc_http_conn *c = s->data;
    if (nread == UV_ENOBUFS) {
        /* rbuf full of pipelined requests: stop until they are parsed */
        uv_read_stop(s);
        c->reading = false;
        return;
    }
    if (nread < 0) {
        /* EOF or error: a pending deferred response is cancelled (the client is gone). */
        if (c->tls != NULL)
            yc__httpd_tls_note_end(c, false);
        yc__httpd_conn_close(c);
        return;
    }
    if (nread == 0)
        return;
    if (c->state == ST_STREAM || c->state == ST_LINGER || c->state == ST_CLOSING)
        return; /* discarded: not appended to rlen */
    if (c->tls != NULL) {
        /* Encrypted: held by the session until conn_process decrypts it into rbuf. */
        if (!yc__httpd_tls_input(c, (size_t)nread))
            return;
        if (c->state == ST_IDLE || c->state == ST_READING)
            conn_process(c);
        else
            yc__httpd_conn_update_reading(c);
        return;
    }
    c->rlen += (size_t)nread;
    if (c->state == ST_IDLE || c->state == ST_READING)
        conn_process(c);
    else
        yc__httpd_conn_update_reading(c);
}

void yc__httpd_conn_update_reading(yc_http_conn *c)
{
    if (c->state == ST_CLOSING)
        return;
    bool want =
        c->state == ST_STREAM || c->state == ST_LINGER ||
        (c->tls != NULL ? !yc__httpd_tls_holds_input(c) : c->rlen < RBUF_SIZE || c->roff > 0);
    if ((c->state == ST_IDLE || c->state == ST_READING) &&
        c->wq_bytes > c->srv->cfg.max_write_queue_bytes)
        want = false; /* the client is not reading our responses: stop reading its requests */
    if (want && !c->reading) {
        if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0)
            c->reading = true;
    } else if (!want && c->reading) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->reading = false;
    }
}

/* ---- next turn: drop, resume; timer: idle, request timeout, linger, ping ---- */

void yc__httpd_conn_later(struct yc_pump_item *it)
{
    yc_http_conn *c = (yc_http_conn *)((char *)it - offsetof(yc_http_conn, later_item));
    if (c->drop_pending) {
        yc__httpd_conn_close(c);
    } else if (c->resume_pending) {
        c->resume_pending = false;
        conn_process(c);
    }
}

void yc__httpd_on_timer(uv_timer_t *t)
{
    yc_http_conn *c = t->data;
    if (c->drop_pending)
        return; /* later_item closes it on this turn (the pump runs after the timers) */
    switch (c->state) {
    case ST_IDLE:
        if (uv_now(c->srv->loop) < yc__httpd_conn_deadline(c)) {
            conn_arm(c);
            break;
        }
        /* A client still reading a large answer is not idle, as long as it progresses. */
        if (c->wq_bytes > 0 && c->wq_bytes != c->wq_at_timer) {
            c->wq_at_timer = c->wq_bytes;
            uv_timer_start(&c->timer, yc__httpd_on_timer, c->srv->cfg.idle_timeout_ms, 0);
            break;
        }
        if (c->tls != NULL)
            yc__httpd_tls_note_end(c, true); /* a handshake still going is a failure */
        yc__httpd_conn_close(c);
        break;
    case ST_READING: {
        if (uv_now(c->srv->loop) < yc__httpd_conn_deadline(c)) {
            conn_arm(c); /* body bytes arrived since the timer was set */
            break;
        }
        const struct yc_httpd_config *k = &c->srv->cfg;
        char msg[160];
        if (c->in_body)
            snprintf(msg, sizeof(msg),
                     "request body paused over %" PRIu64 " ms or slower than %" PRIu64
                     " bytes/s (body_timeout, body_min_rate)",
                     k->body_timeout_ms, k->body_min_rate);
        else
            snprintf(msg, sizeof(msg),
                     "request head not received within %" PRIu64 " ms (header_timeout)",
                     k->header_timeout_ms);
        conn_error(c, 408, YC_ELIMIT, msg, NULL);
        break;
    }
    case ST_LINGER:
        yc__httpd_conn_close(c);
        break;
    case ST_STREAM: {
        static const char ping[] = ": ping\n\n";
        if (c->wq_bytes + sizeof(ping) > c->srv->cfg.sse_max_queue_bytes) {
            yc__httpd_conn_close(c);
            break;
        }
        if (conn_write2(c, ping, sizeof(ping) - 1, NULL, 0) == YC_OK)
            uv_timer_start(&c->timer, yc__httpd_on_timer, c->srv->cfg.sse_ping_ms, 0);
        break;
    }
    default:
        break;
    }
}

/* ---- public: responses ---- */

/* CORS: the header lines that let a page of the request's Origin read the answer, when
 * cors_origins allows that Origin ("*": any); else none. Preflights (OPTIONS) also get
 * the methods and headers a page may use. Credentials are never allowed (admin methods
 * stay out of reach of pages). Returns the length written into out. */
static size_t cors_lines(const yc_http_conn *c, char *out, size_t cap)
{
    out[0] = '\0';
    const char *allow = c->srv->cfg.cors_origins;
    if (allow == NULL || allow[0] == '\0' || !c->has_origin || c->origin_bad || c->origin_len == 0)
        return 0;
    for (size_t i = 0; i < c->origin_len; i++)
        if ((unsigned char)c->origin[i] < 0x21 || (unsigned char)c->origin[i] > 0x7e)
            return 0; /* never echo anything but a plain origin */
    bool ok = false;
    for (const char *p = allow; *p != '\0' && !ok;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ", ");
        ok = (n == 1 && p[0] == '*') || (n == c->origin_len && memcmp(p, c->origin, n) == 0);
        p += n;
    }
    if (!ok)
        return 0;
    int n = snprintf(out, cap, "Access-Control-Allow-Origin: %s\r\nVary: Origin\r\n%s", c->origin,
                     c->parser.method == HTTP_OPTIONS
                         ? "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\n"
                           "Access-Control-Allow-Headers: Content-Type, Last-Event-ID\r\n"
                           "Access-Control-Max-Age: 600\r\n"
                         : "");
    if (n < 0 || (size_t)n >= cap) {
        out[0] = '\0';
        return 0;
    }
    return (size_t)n;
}

void yc_http_respond(yc_http_conn *c, int status, const char *content_type, const void *body,
                     size_t len, const char *extra)
{
    if (c->state != ST_HANDLING)
        return; /* gone (cancel already ran) or answered */
    c->cancel = NULL;
    c->deferred = false;
    bool keep = c->keep_alive && !c->srv->stopping;
    char head[1536], cors[512], lines[1024];
    if (cors_lines(c, cors, sizeof cors) > 0) {
        snprintf(lines, sizeof lines, "%s%s", cors, extra != NULL ? extra : "");
        extra = lines;
    }
    size_t hl = format_head(head, sizeof(head), status, content_type, len, keep, extra);
    if (hl == 0) {
        yc__httpd_conn_close(c);
        return;
    }
    if (conn_write2(c, head, hl, c->head ? NULL : body, c->head ? 0 : len) != YC_OK)
        return;
    if (!keep) {
        conn_linger(c);
        return;
    }
    c->state = ST_IDLE;
    c->served++;
    c->since = uv_now(c->srv->loop);
    if (!c->in_process) {
        /* Answered from outside the parse loop: continue on the next loop turn. */
        c->resume_pending = true;
        yc_pump_post(c->srv->pump, &c->later_item);
    }
}

void yc_http_release_body(yc_http_conn *c)
{
    if (c->state == ST_HANDLING)
        yc__httpd_body_release(c);
}

void yc_http_defer(yc_http_conn *c, yc_http_cancel_cb cancel, void *ctx)
{
    if (c->state != ST_HANDLING)
        return;
    c->deferred = true;
    c->cancel = cancel;
    c->cancel_ctx = ctx;
}

int yc_http_sse_begin(yc_http_conn *c, yc_http_cancel_cb cancel, void *ctx)
{
    char cors[512], head[1024];
    cors_lines(c, cors, sizeof cors);
    int hn = snprintf(head, sizeof head,
                      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                      "Cache-Control: no-store\r\nConnection: close\r\n"
                      "X-Accel-Buffering: no\r\n%s\r\n: stream open\n\n",
                      cors);
    if (c->state != ST_HANDLING || hn < 0 || (size_t)hn >= sizeof head)
        return YC_EIO;
    if (conn_write2(c, head, (size_t)hn, NULL, 0) != YC_OK)
        return YC_EIO;
    c->state = ST_STREAM;
    c->deferred = true;
    c->cancel = cancel;
    c->cancel_ctx = ctx;
    c->roff = c->rlen = 0;
    uv_timer_start(&c->timer, yc__httpd_on_timer, c->srv->cfg.sse_ping_ms, 0);
    if (!c->in_process)
        yc__httpd_conn_update_reading(c);
    return YC_OK;
}

int yc_http_sse_send(yc_http_conn *c, const char *event, const char *data)
{
    return yc_http_sse_send_id(c, event, NULL, data);
}

size_t yc_http_sse_queued(const yc_http_conn *c)
{
    return c->wq_bytes;
}

void yc_http_sse_end(yc_http_conn *c)
{
    if (c->state == ST_STREAM && !c->drop_pending)
        conn_linger(c); /* flushes what is queued, then closes; the cancel callback is gone */
}

int yc_http_sse_send_id(yc_http_conn *c, const char *event, const char *id, const char *data)
{
    if (c->state != ST_STREAM || c->drop_pending)
        return YC_EIO;
    size_t el = strlen(event), dl = strlen(data), il = id != NULL ? 4 + strlen(id) + 1 : 0;
    size_t need = 7 + el + 1 + il + 6 + dl + 2;
    if (c->wq_bytes + need > c->srv->cfg.sse_max_queue_bytes) {
        /* Slow client: drop it on the next loop turn (we may be inside the node's event
         * dispatch, where unsubscribing now would be unsafe). */
        c->drop_pending = true;
        c->srv->cfg.counters->streams_dropped_total++;
        yc_pump_post(c->srv->pump, &c->later_item);
        return YC_ELIMIT;
    }
    char *m = malloc(need + 1);
    if (!m)
        return YC_ENOMEM;
    int n = id != NULL ? snprintf(m, need + 1, "event: %s\nid: %s\ndata: %s\n\n", event, id, data)
                       : snprintf(m, need + 1, "event: %s\ndata: %s\n\n", event, data);
    int rc = YC_EIO;
    if (n > 0 && (size_t)n == need)
        rc = conn_write_ex(c, m, need, NULL, 0, true);
    free(m);
    return rc;
}

void yc__httpd_settings_init(http_parser_settings *out)
{
    http_parser_settings s = {
        .on_message_begin = on_message_begin,
        .on_url = on_url,
        .on_header_field = on_header_field,
        .on_header_value = on_header_value,
        .on_headers_complete = on_headers_complete,
        .on_body = on_body,
        .on_message_complete = on_message_complete,
    };
    *out = s;
}
