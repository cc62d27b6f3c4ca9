/*
 * httpd.c — HTTP/1.1 server on libuv and http-parser (see httpd.h): listening,
 * accepting under the connection caps (whole server and per source, with eviction),
 * closing connections and stopping the server. One connection's life (reading,
 * parsing, answering, deadlines, the body budget) is in httpd_conn.c.
 *
 * Memory of a connection is freed only when the close callbacks of its two handles
 * (tcp, timer) have both run; write callbacks (even cancelled ones) come first. The
 * server frees itself once its listener and every connection are closed.
 *
 * Invariants: the source table holds one count per live (not closing) accepted
 * connection, so it never has more than max_connections keys and always an empty slot;
 * body_in_flight is the sum of the live connections' budgets.
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
    c->max_body_bytes_in_flight = (size_t)64 << 20;
    c->max_header_bytes = 16384;
    c->max_connections = 256;
    c->max_connections_per_source = 32;
    c->idle_timeout_ms = 60000;
    c->header_timeout_ms = 10000;
    c->body_timeout_ms = 10000;
    c->body_min_rate = 32768;
    c->max_write_queue_bytes = (size_t)4 << 20;
    c->sse_max_queue_bytes = (size_t)1 << 20;
    c->sse_ping_ms = 15000;
    c->cors_origins = NULL;
    c->counters = NULL;
    c->tls = NULL;
}

/* ---- server bookkeeping ---- */

static void srv_maybe_free(yc_httpd *h)
{
    if (!h->stopping || !h->listener_closed || h->nconns > 0)
        return;
    yc_httpd_closed_cb cb = h->closed_cb;
    void *ctx = h->closed_ctx;
    yc_httpd_tls_destroy(h->cfg.tls);
    free(h->srcs);
    free(h);
    if (cb)
        cb(ctx);
}

static void conn_free(yc_http_conn *c)
{
    yc_httpd *h = c->srv;
    yc_buf_cleanup(&c->url);
    yc_buf_cleanup(&c->body);
    yc__httpd_tls_free(c);
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

/* ---- sources: open connections per address (IPv4) or /64 (IPv6) ---- */

/* The key of a peer: an IPv4 address (also IPv4-mapped IPv6) as ::ffff:a.b.c.d, an IPv6
 * address cut to its /64 (one subscriber usually holds a whole /64). false if unknown. */
static bool src_key(const struct sockaddr_storage *ss, uint8_t key[16])
{
    memset(key, 0, 16);
    if (ss->ss_family == AF_INET) {
        key[10] = key[11] = 0xff;
        memcpy(key + 12, &((const struct sockaddr_in *)ss)->sin_addr, 4);
        return true;
    }
    if (ss->ss_family == AF_INET6) {
        const uint8_t *a = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(a, mapped, 12) == 0)
            memcpy(key, a, 16);
        else
            memcpy(key, a, 8);
        return true;
    }
    return false;
}

static size_t src_hash(const yc_httpd *h, const uint8_t key[16])
{
    uint64_t x = h->src_seed;
    for (size_t i = 0; i < 16; i++) {
        x ^= key[i];
        x *= 0x100000001b3ull;
    }
    x ^= x >> 31;
    return (size_t)x & (h->srcs_cap - 1);
}

/* The slot holding key, or the empty slot where it would go. The table always has an
 * empty slot (see the invariants), so the probe ends. */
static struct src_slot *src_slot_of(yc_httpd *h, const uint8_t key[16])
{
    size_t i = src_hash(h, key);
    while (h->srcs[i].count != 0 && memcmp(h->srcs[i].key, key, 16) != 0)
        i = (i + 1) & (h->srcs_cap - 1);
    return &h->srcs[i];
}

static uint32_t src_count(yc_httpd *h, const uint8_t key[16])
{
    return src_slot_of(h, key)->count;
}

static void src_add(yc_http_conn *c)
{
    struct src_slot *s = src_slot_of(c->srv, c->src);
    if (s->count == 0)
        memcpy(s->key, c->src, 16);
    s->count++;
    c->src_counted = true;
}

/* Drops one count; an emptied slot is refilled by shifting later probes back (linear
 * probing without tombstones). */
static void src_remove(yc_http_conn *c)
{
    if (!c->src_counted)
        return;
    c->src_counted = false;
    yc_httpd *h = c->srv;
    struct src_slot *s = src_slot_of(h, c->src);
    if (s->count == 0)
        return; /* not there: cannot happen while the invariant holds */
    if (--s->count > 0)
        return;
    size_t mask = h->srcs_cap - 1, hole = (size_t)(s - h->srcs), j = hole;
    for (;;) {
        j = (j + 1) & mask;
        if (h->srcs[j].count == 0)
            break;
        size_t home = src_hash(h, h->srcs[j].key);
        /* the entry at j may move to the hole unless its home lies cyclically in (hole, j] */
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (stays)
            continue;
        h->srcs[hole] = h->srcs[j];
        hole = j;
    }
    h->srcs[hole].count = 0;
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
    src_remove(c);
    yc__httpd_body_release(c);
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
    yc_pump_cancel(c->srv->pump, &c->later_item);
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
}

/* ---- public: server ---- */

/* Who may be closed for a newcomer, first to last: 0 lingering with its answer sent,
 * 1 kept alive between requests with nothing pending, 2 a silent start or an incomplete
 * request; -1 never (being answered, streaming, closing, or still flushing). */
static int evict_rank(const yc_http_conn *c)
{
    if (c->wq_bytes > 0)
        return -1;
    if (c->state == ST_LINGER)
        return 0;
    if (c->state == ST_IDLE && c->served > 0 && c->rlen == 0)
        return 1;
    if (c->state == ST_IDLE || c->state == ST_READING)
        return 2;
    return -1;
}

/*
 * The connection to close for a newcomer: a lingering one, else the keep-alive one idle
 * the longest, else the one whose incomplete request is nearest its deadline (the
 * slowest or oldest). With `own`, only that source's connections of rank 0 or 1.
 * NULL if nobody qualifies.
 */
static yc_http_conn *pick_victim(yc_httpd *h, const uint8_t *own)
{
    yc_http_conn *best = NULL;
    int best_rank = 3;
    uint64_t best_at = UINT64_MAX;
    for (yc_http_conn *c = h->conns; c; c = c->next) {
        int r = evict_rank(c);
        if (r < 0 || r > best_rank)
            continue;
        if (own && (r > 1 || memcmp(c->src, own, 16) != 0))
            continue;
        uint64_t at = r == 1 ? c->since : yc__httpd_conn_deadline(c);
        /* on a tie the older one (later in the list, newest first) goes */
        if (r < best_rank || at <= best_at) {
            best = c;
            best_rank = r;
            best_at = at;
        }
    }
    return best;
}

/* Makes room for c (accepted, not yet linked) under both caps, or says it must go. */
static bool admit(yc_httpd *h, yc_http_conn *c)
{
    struct yc_httpd_counters *k = h->cfg.counters;
    if (src_count(h, c->src) >= h->cfg.max_connections_per_source) {
        yc_http_conn *v = pick_victim(h, c->src);
        if (!v) {
            k->connections_refused_per_source_total++;
            return false;
        }
        k->connections_evicted_total++;
        yc__httpd_conn_close(v);
    }
    /* The cap counts live connections (c included): closing ones are gone within a loop
     * turn. */
    if (h->nconns - h->nclosing > h->cfg.max_connections) {
        yc_http_conn *v = pick_victim(h, NULL);
        if (!v) {
            k->connections_refused_total++;
            return false;
        }
        k->connections_evicted_total++;
        yc__httpd_conn_close(v);
    }
    return true;
}

static void on_reject_closed(uv_handle_t *hd)
{
    free(hd);
}

static void on_connection(uv_stream_t *ls, int status)
{
    yc_httpd *h = ls->data;
    if (status < 0 || h->stopping)
        return;
    yc_http_conn *c = calloc(1, sizeof(*c));
    if (!c) {
        /* Accept and close at once, so the backlog does not fill. */
        uv_tcp_t *t = malloc(sizeof(*t));
        if (!t)
            return;
        uv_tcp_init(h->loop, t);
        (void)uv_accept(ls, (uv_stream_t *)t);
        uv_close((uv_handle_t *)t, on_reject_closed);
        return;
    }
    c->srv = h;
    uv_tcp_init(h->loop, &c->tcp);
    c->tcp.data = c;
    c->handles_open = 1;
    h->nconns++;
    struct sockaddr_storage peer;
    int plen = (int)sizeof(peer);
    if (uv_accept(ls, (uv_stream_t *)&c->tcp) < 0 ||
        uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&peer, &plen) != 0 ||
        !src_key(&peer, c->src) || !admit(h, c) ||
        (h->cfg.tls != NULL && yc__httpd_tls_accept(c, h->cfg.tls) != YC_OK)) {
        c->state = ST_CLOSING;
        h->nclosing++;
        uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
        return;
    }
    h->cfg.counters->connections_total++;
    src_add(c);
    uv_timer_init(h->loop, &c->timer);
    c->timer.data = c;
    c->later_item.fn = yc__httpd_conn_later;
    c->handles_open = 2;
    uv_tcp_nodelay(&c->tcp, 1);
    yc_buf_init(&c->url, h->cfg.max_header_bytes + 1);
    yc_buf_init(&c->body, YC_HTTPD_BODY_FREE_BYTES + 1);
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    c->state = ST_IDLE;
    c->since = uv_now(h->loop);
    c->next = h->conns;
    if (h->conns)
        h->conns->prev = c;
    h->conns = c;
    /* A new connection must send its request head within header_timeout_ms. */
    uv_timer_start(&c->timer, yc__httpd_on_timer, h->cfg.header_timeout_ms, 0);
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

int yc_httpd_start(yc_httpd **out, uv_loop_t *loop, struct yc_pump *pump, const char *laddr,
                   const struct yc_httpd_config *cfg, yc_http_handler_cb handler, void *ctx)
{
    *out = NULL;
    struct sockaddr_storage ss;
    yc_httpd_tls *tls = cfg != NULL ? cfg->tls : NULL;
    if (parse_laddr(laddr, &ss) != YC_OK) {
        yc_httpd_tls_destroy(tls);
        return YC_ECONFIG;
    }
    yc_httpd *h = calloc(1, sizeof(*h));
    if (!h) {
        yc_httpd_tls_destroy(tls);
        return YC_ENOMEM;
    }
    struct yc_httpd_config d;
    yc_httpd_config_default(&d);
    if (cfg) {
        if (cfg->max_body_bytes)
            d.max_body_bytes = cfg->max_body_bytes;
        if (cfg->max_body_bytes_in_flight)
            d.max_body_bytes_in_flight = cfg->max_body_bytes_in_flight;
        if (cfg->max_header_bytes)
            d.max_header_bytes = cfg->max_header_bytes;
        if (cfg->max_connections)
            d.max_connections = cfg->max_connections;
        if (cfg->max_connections_per_source)
            d.max_connections_per_source = cfg->max_connections_per_source;
        if (cfg->idle_timeout_ms)
            d.idle_timeout_ms = cfg->idle_timeout_ms;
        if (cfg->header_timeout_ms)
            d.header_timeout_ms = cfg->header_timeout_ms;
        if (cfg->body_timeout_ms)
            d.body_timeout_ms = cfg->body_timeout_ms;
        if (cfg->body_min_rate)
            d.body_min_rate = cfg->body_min_rate;
        if (cfg->max_write_queue_bytes)
            d.max_write_queue_bytes = cfg->max_write_queue_bytes;
        if (cfg->sse_max_queue_bytes)
            d.sse_max_queue_bytes = cfg->sse_max_queue_bytes;
        if (cfg->sse_ping_ms)
            d.sse_ping_ms = cfg->sse_ping_ms;
        d.cors_origins = cfg->cors_origins;
        d.counters = cfg->counters;
        d.tls = tls;
    }
    if (!d.counters)
        d.counters = &h->own_counters;
    /* One largest body must always fit. */
    if (d.max_body_bytes_in_flight < d.max_body_bytes)
        d.max_body_bytes_in_flight = d.max_body_bytes;
    h->cfg = d;
    /* The source table: a power of two above twice the connection cap, so it is never
     * more than half full. */
    h->srcs_cap = 16;
    while (h->srcs_cap < 2 * (size_t)d.max_connections + 2)
        h->srcs_cap *= 2;
    h->srcs = calloc(h->srcs_cap, sizeof(*h->srcs));
    if (!h->srcs) {
        yc_httpd_tls_destroy(tls);
        free(h);
        return YC_ENOMEM;
    }
    h->src_seed = uv_hrtime() ^ (uint64_t)(uintptr_t)h ^ 0xcbf29ce484222325ull;
    h->loop = loop;
    h->pump = pump;
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

bool yc_httpd_has_tls(const yc_httpd *h)
{
    return h->cfg.tls != NULL;
}

int yc_httpd_set_tls(yc_httpd *h, yc_httpd_tls *t)
{
    if (h->cfg.tls == NULL || t == NULL) {
        yc_httpd_tls_destroy(t);
        return YC_EINVAL;
    }
    yc_httpd_tls_destroy(h->cfg.tls);
    h->cfg.tls = t;
    return YC_OK;
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
