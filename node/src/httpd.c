/*
 * httpd.c — HTTP/1.1 server on libuv and http-parser (see httpd.h): listening,
 * accepting under the connection cap, closing connections and stopping the server.
 * One connection's life (reading, parsing, answering) is in httpd_conn.c.
 *
 * Memory of a connection is freed only when the close callbacks of its two handles
 * (tcp, timer) have both run; write callbacks (even cancelled ones) come first. The
 * server frees itself once its listener and every connection are closed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <http_parser.h>
#include <uv.h>

#include "httpd.h"
#include "httpd_int.h"
#include "yc/buf.h"
#include "yc/err.h"

void yc_httpd_config_default(struct yc_httpd_config *c)
{
    c->max_body_bytes = (size_t)8 << 20;
    c->max_header_bytes = 16384;
    c->max_connections = 256;
    c->idle_timeout_ms = 60000;
    c->request_timeout_ms = 20000;
    c->max_write_queue_bytes = (size_t)4 << 20;
    c->sse_max_queue_bytes = (size_t)1 << 20;
    c->sse_ping_ms = 15000;
    c->counters = NULL;
}

/* ---- server bookkeeping ---- */

static void srv_maybe_free(yc_httpd *h)
{
    if (!h->stopping || !h->listener_closed || h->nconns > 0)
        return;
    yc_httpd_closed_cb cb = h->closed_cb;
    void *ctx = h->closed_ctx;
    free(h);
    if (cb)
        cb(ctx);
}

static void conn_free(yc_http_conn *c)
{
    yc_httpd *h = c->srv;
    yc_buf_cleanup(&c->url);
    yc_buf_cleanup(&c->body);
    free(c);
    h->nconns--;
    h->nclosing--;
    srv_maybe_free(h);
}

static void on_handle_closed(uv_handle_t *hd)
{
    yc_http_conn *c = hd->data;
    if (--c->handles_open == 0)
        conn_free(c);
}

static void conn_unlink(yc_http_conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else if (c->srv->conns == c)
        c->srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

/* Closes now: runs a pending cancel callback, then closes both handles. */
void yc__httpd_conn_close(yc_http_conn *c)
{
    if (c->state == ST_CLOSING)
        return;
    c->state = ST_CLOSING;
    c->srv->nclosing++;
    yc_http_cancel_cb cancel = c->cancel;
    void *ctx = c->cancel_ctx;
    c->cancel = NULL;
    c->deferred = false;
    conn_unlink(c);
    if (cancel)
        cancel(ctx);
    if (c->reading) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->reading = false;
    }
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
}

/* ---- public: server ---- */

static void on_reject_closed(uv_handle_t *hd)
{
    free(hd);
}

static void on_connection(uv_stream_t *ls, int status)
{
    yc_httpd *h = ls->data;
    if (status < 0 || h->stopping)
        return;
    /* The cap counts live connections: closing ones are gone within a loop turn. */
    if (h->nconns - h->nclosing >= h->cfg.max_connections) {
        /* Make room by closing a keep-alive connection that sits between requests. */
        for (yc_http_conn *c = h->conns; c; c = c->next) {
            if (c->state == ST_IDLE && c->rlen == 0 && c->wq_bytes == 0) {
                yc__httpd_conn_close(c);
                break;
            }
        }
    }
    if (h->nconns - h->nclosing >= h->cfg.max_connections) {
        h->cfg.counters->connections_refused_total++;
        /* Over the cap: accept and close at once, so the backlog does not fill. */
        uv_tcp_t *t = malloc(sizeof(*t));
        if (!t)
            return;
        uv_tcp_init(h->loop, t);
        (void)uv_accept(ls, (uv_stream_t *)t);
        uv_close((uv_handle_t *)t, on_reject_closed);
        return;
    }
    yc_http_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return;
    h->cfg.counters->connections_total++;
    c->srv = h;
    uv_tcp_init(h->loop, &c->tcp);
    c->tcp.data = c;
    c->handles_open = 1;
    h->nconns++;
    if (uv_accept(ls, (uv_stream_t *)&c->tcp) < 0) {
        c->state = ST_CLOSING;
        h->nclosing++;
        uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
        return;
    }
    uv_timer_init(h->loop, &c->timer);
    c->timer.data = c;
    c->handles_open = 2;
    uv_tcp_nodelay(&c->tcp, 1);
    yc_buf_init(&c->url, h->cfg.max_header_bytes + 1);
    yc_buf_init(&c->body, h->cfg.max_body_bytes + 1);
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    c->state = ST_IDLE;
    c->next = h->conns;
    if (h->conns)
        h->conns->prev = c;
    h->conns = c;
    uv_timer_start(&c->timer, yc__httpd_on_timer, h->cfg.idle_timeout_ms, 0);
    yc__httpd_conn_update_reading(c);
}

static int parse_laddr(const char *laddr, struct sockaddr_storage *ss)
{
    if (!laddr)
        return YC_ECONFIG;
    if (strncmp(laddr, "tcp://", 6) == 0)
        laddr += 6;
    char host[64];
    const char *port;
    if (laddr[0] == '[') {
        const char *e = strchr(laddr, ']');
        if (!e || e[1] != ':' || (size_t)(e - laddr - 1) >= sizeof(host))
            return YC_ECONFIG;
        memcpy(host, laddr + 1, (size_t)(e - laddr - 1));
        host[e - laddr - 1] = 0;
        port = e + 2;
    } else {
        const char *e = strrchr(laddr, ':');
        if (!e || (size_t)(e - laddr) >= sizeof(host))
            return YC_ECONFIG;
        memcpy(host, laddr, (size_t)(e - laddr));
        host[e - laddr] = 0;
        port = e + 1;
    }
    if (!*port || strlen(port) > 5)
        return YC_ECONFIG;
    unsigned long pn = 0;
    for (const char *p = port; *p; p++) {
        if (*p < '0' || *p > '9')
            return YC_ECONFIG;
        pn = pn * 10 + (unsigned long)(*p - '0');
    }
    if (pn > 65535)
        return YC_ECONFIG;
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    if (host[0] == 0)
        strcpy(host, "0.0.0.0");
    if (uv_ip4_addr(host, (int)pn, (struct sockaddr_in *)ss) == 0)
        return YC_OK;
    if (uv_ip6_addr(host, (int)pn, (struct sockaddr_in6 *)ss) == 0)
        return YC_OK;
    return YC_ECONFIG;
}

static void on_listener_closed(uv_handle_t *hd)
{
    yc_httpd *h = hd->data;
    h->listener_closed = true;
    srv_maybe_free(h);
}

int yc_httpd_start(yc_httpd **out, uv_loop_t *loop, const char *laddr,
                   const struct yc_httpd_config *cfg, yc_http_handler_cb handler, void *ctx)
{
    *out = NULL;
    struct sockaddr_storage ss;
    if (parse_laddr(laddr, &ss) != YC_OK)
        return YC_ECONFIG;
    yc_httpd *h = calloc(1, sizeof(*h));
    if (!h)
        return YC_ENOMEM;
    struct yc_httpd_config d;
    yc_httpd_config_default(&d);
    if (cfg) {
        if (cfg->max_body_bytes)
            d.max_body_bytes = cfg->max_body_bytes;
        if (cfg->max_header_bytes)
            d.max_header_bytes = cfg->max_header_bytes;
        if (cfg->max_connections)
            d.max_connections = cfg->max_connections;
        if (cfg->idle_timeout_ms)
            d.idle_timeout_ms = cfg->idle_timeout_ms;
        if (cfg->request_timeout_ms)
            d.request_timeout_ms = cfg->request_timeout_ms;
        if (cfg->max_write_queue_bytes)
            d.max_write_queue_bytes = cfg->max_write_queue_bytes;
        if (cfg->sse_max_queue_bytes)
            d.sse_max_queue_bytes = cfg->sse_max_queue_bytes;
        if (cfg->sse_ping_ms)
            d.sse_ping_ms = cfg->sse_ping_ms;
        d.counters = cfg->counters;
    }
    if (!d.counters)
        d.counters = &h->own_counters;
    h->cfg = d;
    h->loop = loop;
    h->handler = handler;
    h->ctx = ctx;
    yc__httpd_settings_init(&h->settings);
    uv_tcp_init(loop, &h->listener);
    h->listener.data = h;
    int rc = uv_tcp_bind(&h->listener, (const struct sockaddr *)&ss, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&h->listener, 128, on_connection);
    if (rc != 0) {
        /* Free after the close callback; nobody waits for it. */
        h->stopping = true;
        uv_close((uv_handle_t *)&h->listener, on_listener_closed);
        return YC_EIO;
    }
    struct sockaddr_storage bound;
    int blen = (int)sizeof(bound);
    if (uv_tcp_getsockname(&h->listener, (struct sockaddr *)&bound, &blen) == 0) {
        if (bound.ss_family == AF_INET)
            h->port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
        else if (bound.ss_family == AF_INET6)
            h->port = ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
    }
    *out = h;
    return YC_OK;
}

uint16_t yc_httpd_port(const yc_httpd *h)
{
    return h->port;
}

uint32_t yc_httpd_connections(const yc_httpd *h)
{
    return h->nconns;
}

void yc_httpd_stop(yc_httpd *h, yc_httpd_closed_cb cb, void *ctx)
{
    if (!h || h->stopping)
        return;
    h->stopping = true;
    h->closed_cb = cb;
    h->closed_ctx = ctx;
    uv_close((uv_handle_t *)&h->listener, on_listener_closed);
    while (h->conns)
        yc__httpd_conn_close(h->conns); /* unlinks itself */
}
