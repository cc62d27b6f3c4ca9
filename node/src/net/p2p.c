/*
 * p2p.c — the transport object: listener, dialers with backoff, identification of
 * authenticated peers, the one-active-connection-per-peer rule, and the send API.
 *
 * Invariants: by_validator[v] is the active connection of validator v or NULL; at most
 * one connection per peer key is active; on_connect/on_disconnect alternate per
 * connection and fire only from loop callbacks (API calls never close a connection
 * synchronously: they doom it and its timer closes it); nothing is freed outside close
 * callbacks, so a callback may call p2p_stop and the caller's stack stays valid. Which
 * inbound connections may stay is p2p_slots.c's business; an outbound dial is never held
 * back by inbound connections.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "p2p_int.h"
#include "yc/bech32.h"
#include "yc/pbft.h"

#define MAX_PEERS_CFG 256
#define LISTEN_BACKLOG 128

static void dialer_fire(uv_timer_t *t);

/* splitmix64: jitter only, never security */
uint64_t yc__p2p_rand(struct p2p *p)
{
    uint64_t z = (p->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void free_p2p(struct p2p *p)
{
    free(p->dialers);
    free(p);
}

void yc__p2p_unref(struct p2p *p)
{
    if (--p->refs == 0 && p->stopping)
        free_p2p(p);
}

/* Splits "host:port" or "[v6]:port" into bounded buffers. */
static bool split_hostport(const char *s, char *host, size_t hcap, char port[8], bool allow_zero)
{
    const char *h = s, *pe, *ps;
    size_t hl, pl;
    unsigned long v = 0;
    if (*s == '[') {
        pe = strchr(s, ']');
        if (!pe || pe[1] != ':')
            return false;
        h = s + 1;
        hl = (size_t)(pe - h);
        ps = pe + 2;
    } else {
        pe = strrchr(s, ':');
        if (!pe || strchr(s, ':') != pe)
            return false;
        hl = (size_t)(pe - s);
        ps = pe + 1;
    }
    pl = strlen(ps);
    if (hl == 0 || hl >= hcap || pl == 0 || pl > 5)
        return false;
    for (size_t i = 0; i < pl; i++) {
        if (ps[i] < '0' || ps[i] > '9')
            return false;
        v = v * 10 + (unsigned long)(ps[i] - '0');
    }
    if (v > 65535 || (v == 0 && !allow_zero))
        return false;
    memcpy(host, h, hl);
    host[hl] = '\0';
    memcpy(port, ps, pl + 1);
    return true;
}

static bool literal_addr(const char *host, const char *port, struct sockaddr_storage *ss)
{
    int n = atoi(port);
    memset(ss, 0, sizeof *ss);
    if (uv_ip4_addr(host, n, (struct sockaddr_in *)ss) == 0)
        return true;
    memset(ss, 0, sizeof *ss);
    return uv_ip6_addr(host, n, (struct sockaddr_in6 *)ss) == 0;
}

static void format_addr(const struct sockaddr *sa, char *out, size_t cap)
{
    char ip[64] = "?";
    int port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        uv_ip4_name(in, ip, sizeof ip);
        port = ntohs(in->sin_port);
        snprintf(out, cap, "%s:%d", ip, port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        uv_ip6_name(in6, ip, sizeof ip);
        port = ntohs(in6->sin6_port);
        snprintf(out, cap, "[%s]:%d", ip, port);
    } else {
        snprintf(out, cap, "?");
    }
}

/* ---- peers and ranking ---- */

/* True if pub joins the validator set at a known later height. */
static bool is_pending(const struct p2p *p, const uint8_t pub[YC_PUBKEY_LEN])
{
    for (uint32_t i = 0; i < p->njoining; i++)
        if (memcmp(p->joining[i], pub, YC_PUBKEY_LEN) == 0)
            return true;
    return false;
}

static struct p2p_conn *active_by_pub(struct p2p *p, const uint8_t pub[YC_PUBKEY_LEN])
{
    int v = yc_valset_index(&p->vs, pub);
    if (v >= 0)
        return p->by_validator[v];
    for (struct p2p_conn *c = p->conns; c; c = c->next)
        if (c->active && memcmp(c->peer_pub, pub, YC_PUBKEY_LEN) == 0)
            return c;
    return NULL;
}

/* True if c is our dial of a key persistent_peers names, and reached that key: the
 * operator vouches for the peer, which is kept (as an observer if it is no member) even
 * when observers may not connect — a validator of a later set while we catch up, or one
 * that left the set. */
static bool dialled_pinned(const struct p2p_conn *c)
{
    return c->outbound && c->dialer != NULL && c->dialer->pinned &&
           sodium_memcmp(c->dialer->pub, c->peer_pub, YC_PUBKEY_LEN) == 0;
}

/* True if we rank before the peer of c: keys bytewise (a rank that a change of the
 * validator set never moves, so both ends agree while one of them has switched). */
static bool we_rank_first(const struct p2p *p, const struct p2p_conn *c)
{
    return memcmp(p->self_pub, c->peer_pub, YC_PUBKEY_LEN) < 0;
}

/*
 * Which of two connections to one peer survives, decided alike on both ends: the one
 * initiated by the lower-ranked node; if both were initiated by the same node, the newer
 * (that node only redials once it has given up the older one).
 */
static bool newer_wins(const struct p2p *p, const struct p2p_conn *newer,
                       const struct p2p_conn *older)
{
    if (newer->outbound == older->outbound)
        return true;
    return we_rank_first(p, newer) ? newer->outbound : !newer->outbound;
}

static void set_active(struct p2p_conn *c, bool on)
{
    struct p2p *p = c->p;
    c->active = on;
    if (on) {
        p->stats.peers++;
        if (c->validator == P2P_OBSERVER) {
            p->stats.observers++;
        } else {
            p->by_validator[c->validator] = c;
            p->stats.validators++;
        }
    } else {
        p->stats.peers--;
        if (c->validator == P2P_OBSERVER) {
            p->stats.observers--;
        } else {
            if (p->by_validator[c->validator] == c)
                p->by_validator[c->validator] = NULL;
            p->stats.validators--;
        }
    }
}

/* The dialer's one timer is its schedule: the next attempt is due in `delay` ms (the
 * backoff after a failure; 0 at start: due at once). A real timer, not a deferral: like
 * every timer it fires from the loop, never inside p2p_start. */
static void dialer_arm(struct p2p_dialer *d, uint64_t delay)
{
    d->idle = false;
    uv_timer_start(&d->timer, dialer_fire, delay, 0);
}

static void dialer_schedule(struct p2p_dialer *d, bool reset)
{
    struct p2p *p = d->p;
    uint64_t delay = p->backoff_min_ms;
    if (p->stopping || d->is_self)
        return;
    if (reset)
        d->attempts = 0;
    for (uint32_t i = 0; i < d->attempts && delay < p->backoff_max_ms; i++)
        delay *= 2;
    if (delay > p->backoff_max_ms)
        delay = p->backoff_max_ms;
    if (d->attempts < 64)
        d->attempts++;
    /* jitter: uniform in [delay/2, delay] */
    delay = delay / 2 + yc__p2p_rand(p) % (delay / 2 + 1);
    dialer_arm(d, delay);
}

/* The peer with key pub lost its last connection: wake the dialers that wait for it. */
static void kick_dialers(struct p2p *p, const uint8_t pub[YC_PUBKEY_LEN])
{
    for (size_t i = 0; i < p->ndialers; i++) {
        struct p2p_dialer *d = &p->dialers[i];
        if (d->idle && d->has_pub && memcmp(d->pub, pub, YC_PUBKEY_LEN) == 0)
            dialer_schedule(d, true);
    }
}

void yc__p2p_conn_closing(struct p2p_conn *c)
{
    struct p2p *p = c->p;
    struct p2p_dialer *d = c->dialer;
    bool was_active = c->active;
    yc__p2p_slots_release(c);
    if (was_active) {
        set_active(c, false);
        if (!p->stopping && p->on_disconnect)
            p->on_disconnect(p->ctx, c->id, c->validator);
    }
    if (d) {
        d->conn = NULL;
        c->dialer = NULL;
        if (d->has_pub && active_by_pub(p, d->pub))
            d->idle = true; /* reached another way: wait for a kick */
        else
            dialer_schedule(d, was_active);
    }
    if (was_active && !p->stopping && !active_by_pub(p, c->peer_pub))
        kick_dialers(p, c->peer_pub);
}

static void activate(struct p2p_conn *c)
{
    struct p2p *p = c->p;
    c->state = P2P_C_OPEN;
    uv_timer_stop(&c->timer);
    set_active(c, true);
    if (c->dialer)
        c->dialer->attempts = 0;
    yc_log_info("p2p", "peer %" PRIu64 " (%s, %s) connected as %s %d", c->id, c->addr,
                c->outbound ? "outbound" : "inbound",
                c->validator != P2P_OBSERVER ? "validator"
                : c->member                  ? "joining validator"
                                             : "observer",
                c->validator == P2P_OBSERVER ? -1 : (int)c->validator);
    if (p->on_connect && !p->stopping)
        p->on_connect(p->ctx, c->id, c->validator);
}

void yc__p2p_identify(struct p2p_conn *c)
{
    struct p2p *p = c->p;
    struct p2p_conn *old;
    int idx;
    memcpy(c->peer_pub, c->sec->sess.peer_pub, YC_PUBKEY_LEN);
    if (sodium_memcmp(c->peer_pub, p->self_pub, YC_PUBKEY_LEN) == 0) {
        if (c->dialer)
            c->dialer->is_self = true;
        yc__p2p_conn_close(c, "connected to ourselves", false);
        return;
    }
    idx = yc_valset_index(&p->vs, c->peer_pub);
    c->member = idx >= 0 || is_pending(p, c->peer_pub);
    if (!c->member && !p->allow_observers && !dialled_pinned(c)) {
        char hex[2 * YC_PUBKEY_LEN + 1];
        sodium_bin2hex(hex, sizeof hex, c->peer_pub, YC_PUBKEY_LEN);
        yc_log_debug("p2p", "connection %" PRIu64 " (%s) authenticated key %s", c->id, c->addr,
                     hex);
        yc__p2p_conn_close(c, "key outside the validator set (observers not allowed)", true);
        return;
    }
    c->validator = idx < 0 ? P2P_OBSERVER : (uint32_t)idx;
    c->identified = true;
    if (c->dialer && c->dialer->pinned &&
        sodium_memcmp(c->dialer->pub, c->peer_pub, YC_PUBKEY_LEN) != 0) {
        yc__p2p_conn_close(c,
                           "its key is not the one persistent_peers names for this "
                           "address",
                           true);
        return;
    }
    if (c->dialer) {
        memcpy(c->dialer->pub, c->peer_pub, YC_PUBKEY_LEN);
        c->dialer->has_pub = true;
    }
    old = active_by_pub(p, c->peer_pub);
    if (!c->member && !c->outbound && !yc__p2p_observer_slot(c, old != NULL)) {
        yc__p2p_conn_close(c, "observer slots full (max_observers)", false);
        return;
    }
    if (old && !newer_wins(p, c, old)) {
        yc_log_debug("p2p", "connection %" PRIu64 " duplicates peer %" PRIu64 "; draining it",
                     c->id, old->id);
        yc__p2p_conn_drain(c);
        return;
    }
    if (old) {
        yc_log_debug("p2p", "connection %" PRIu64 " replaces peer %" PRIu64, c->id, old->id);
        set_active(old, false);
        if (p->on_disconnect && !p->stopping)
            p->on_disconnect(p->ctx, old->id, old->validator);
        yc__p2p_conn_drain(old);
        if (c->closing || p->stopping)
            return;
    }
    activate(c);
}

bool yc__p2p_fault_drops(struct p2p *p, uint32_t v)
{
#ifdef YC_TEST_HOOKS
    if (v != P2P_OBSERVER && v < 64 && (p->fault_blocked >> v) & 1u)
        return true;
    if (p->fault_drop_permille && yc__p2p_rand(p) % 1000 < p->fault_drop_permille)
        return true;
#else
    (void)p;
    (void)v;
#endif
    return false;
}

void yc__p2p_deliver(struct p2p_conn *c, const uint8_t *plain, size_t len)
{
    struct p2p *p = c->p;
    uint8_t type = plain[0];
    if (type < P2P_MSG_MIN || type > P2P_MSG_MAX) {
        yc__p2p_conn_close(c, "unknown message type", true);
        return;
    }
    if (!c->member && type != P2P_MSG_BLOCK_REQ && type != P2P_MSG_BLOCK_RESP &&
        type != P2P_MSG_PING && type != P2P_MSG_PONG) {
        yc__p2p_conn_close(c, "observer sent a validator-only message", true);
        return;
    }
    c->msgs_in++;
    p->stats.msgs_in++;
    p->stats.payload_in[type] += len - 1;
    if (yc__p2p_fault_drops(p, c->validator))
        return;
    if (type == P2P_MSG_PING && c->state == P2P_C_OPEN)
        (void)yc__p2p_conn_send(c, P2P_MSG_PONG, plain + 1, len - 1);
    if (p->on_recv && !p->stopping)
        p->on_recv(p->ctx, c->id, c->validator, type, plain + 1, len - 1);
}

/* ---- listening ---- */

static void on_connection(uv_stream_t *server, int status)
{
    struct p2p *p = server->data;
    struct p2p_conn *c;
    struct sockaddr_storage ss;
    int sl = sizeof ss;
    bool known = false;
    if (p->stopping)
        return;
    if (status < 0) {
        yc_log_warn("p2p", "accept: %s", uv_strerror(status));
        return;
    }
    c = yc__p2p_conn_new(p, false);
    if (!c) {
        yc_log_error("p2p", "accept: out of memory");
        return;
    }
    snprintf(c->addr, sizeof c->addr, "?");
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
        yc__p2p_conn_close(c, "accept failed", false);
        return;
    }
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &sl) == 0) {
        format_addr((const struct sockaddr *)&ss, c->addr, sizeof c->addr);
        known = true;
    }
    if (!yc__p2p_admit(c, known ? (const struct sockaddr *)&ss : NULL)) {
        yc__p2p_conn_close(c, "out of memory", false);
        return;
    }
    yc__p2p_conn_begin(c);
}

static int start_listener(struct p2p *p)
{
    struct sockaddr_storage ss;
    int sl = sizeof ss, r;
    if (!literal_addr(p->listen_host, p->listen_port_s, &ss)) {
        uv_getaddrinfo_t req;
        struct addrinfo hints;
        memset(&hints, 0, sizeof hints);
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_PASSIVE;
        if (uv_getaddrinfo(p->loop, &req, NULL, p->listen_host, p->listen_port_s, &hints) != 0 ||
            !req.addrinfo) {
            yc_log_error("p2p", "cannot resolve the listen address %s", p->listen_host);
            return YC_ECONFIG;
        }
        memcpy(&ss, req.addrinfo->ai_addr, req.addrinfo->ai_addrlen);
        uv_freeaddrinfo(req.addrinfo);
    }
    if (uv_tcp_init(p->loop, &p->listener) != 0)
        return YC_EIO;
    p->listener.data = p;
    p->has_listener = true;
    p->refs++;
    r = uv_tcp_bind(&p->listener, (const struct sockaddr *)&ss, 0);
    if (r == 0)
        r = uv_listen((uv_stream_t *)&p->listener, LISTEN_BACKLOG, on_connection);
    if (r != 0) {
        yc_log_error("p2p", "cannot listen on %s:%s: %s", p->listen_host, p->listen_port_s,
                     uv_strerror(r));
        return YC_EIO;
    }
    if (uv_tcp_getsockname(&p->listener, (struct sockaddr *)&ss, &sl) == 0)
        p->listen_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                        : ((struct sockaddr_in *)&ss)->sin_port);
    yc_log_info("p2p", "listening on %s:%u", p->listen_host, (unsigned)p->listen_port);
    return YC_OK;
}

/* ---- dialling ---- */

static void on_connect_done(uv_connect_t *req, int status)
{
    struct p2p_conn *c = req->data;
    if (c->closing)
        return;
    if (status < 0) {
        yc__p2p_conn_close(c, uv_strerror(status), false);
        return;
    }
    yc__p2p_conn_begin(c);
}

static void dial_addr(struct p2p_dialer *d, const struct sockaddr *sa)
{
    struct p2p *p = d->p;
    struct p2p_conn *c = yc__p2p_conn_new(p, true);
    int r;
    if (!c) {
        dialer_schedule(d, false);
        return;
    }
    c->dialer = d;
    d->conn = c;
    snprintf(c->addr, sizeof c->addr, "%s", d->addr);
    r = uv_tcp_connect(&c->creq, &c->tcp, sa, on_connect_done);
    if (r != 0)
        yc__p2p_conn_close(c, uv_strerror(r), false);
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct p2p_dialer *d = req->data;
    struct p2p *p = d->p;
    d->resolving = false;
    if (!p->stopping) {
        if (status < 0 || !res) {
            yc_log_debug("p2p", "cannot resolve %s: %s", d->addr, uv_strerror(status));
            dialer_schedule(d, false);
        } else {
            dial_addr(d, res->ai_addr);
        }
    }
    uv_freeaddrinfo(res);
    yc__p2p_unref(p);
}

static void dialer_fire(uv_timer_t *t)
{
    struct p2p_dialer *d = t->data;
    struct p2p *p = d->p;
    struct sockaddr_storage ss;
    struct addrinfo hints;
    if (p->stopping || d->conn || d->resolving || d->is_self)
        return;
    if (d->has_pub && active_by_pub(p, d->pub)) {
        d->idle = true;
        return;
    }
    if (literal_addr(d->host, d->port, &ss)) {
        dial_addr(d, (const struct sockaddr *)&ss);
        return;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    d->gai.data = d;
    if (uv_getaddrinfo(p->loop, &d->gai, on_resolved, d->host, d->port, &hints) != 0) {
        dialer_schedule(d, false);
        return;
    }
    d->resolving = true;
    p->refs++;
}

static void dialer_timer_closed(uv_handle_t *h)
{
    struct p2p_dialer *d = h->data;
    yc__p2p_unref(d->p);
}

static void listener_closed(uv_handle_t *h)
{
    yc__p2p_unref(h->data);
}

/* ---- configuration ---- */

/* One persistent_peers entry, "[KEY@]host:port" (KEY a yc1 address): a dialer. */
static int add_dialer(struct p2p *p, const char *entry)
{
    struct p2p_dialer *d = &p->dialers[p->ndialers];
    const char *at = strchr(entry, '@');
    const char *addr = at != NULL ? at + 1 : entry;
    memset(d, 0, sizeof *d);
    if (at != NULL) {
        char key[YC_ADDR_MAX];
        size_t klen = (size_t)(at - entry);
        bool ok = klen < sizeof key;
        if (ok) {
            memcpy(key, entry, klen);
            key[klen] = '\0';
            ok = yc_addr_decode(d->pub, key) == YC_OK && yc_pubkey_valid(d->pub);
        }
        if (!ok) {
            yc_log_error("p2p", "peer \"%s\": the part before '@' is not a yc1 key address", entry);
            return YC_ECONFIG;
        }
        d->has_pub = true;
        d->pinned = true;
    }
    if (strlen(addr) >= sizeof d->addr ||
        !split_hostport(addr, d->host, sizeof d->host, d->port, false)) {
        yc_log_error("p2p", "peer address \"%s\" is not host:port", addr);
        return YC_ECONFIG;
    }
    snprintf(d->addr, sizeof d->addr, "%s", addr);
    d->p = p;
    p->ndialers++;
    return YC_OK;
}

static int parse_peers(struct p2p *p, const char *list)
{
    char *copy, *save = NULL, *tok;
    size_t n = 1;
    int err = YC_OK;
    for (const char *s = list; *s; s++)
        n += *s == ',';
    if (n > MAX_PEERS_CFG)
        return YC_ECONFIG;
    p->dialers = calloc(n, sizeof *p->dialers);
    copy = strdup(list);
    if (!p->dialers || !copy) {
        free(copy);
        return YC_ENOMEM;
    }
    for (tok = strtok_r(copy, ",", &save); tok && err == YC_OK; tok = strtok_r(NULL, ",", &save)) {
        char *e;
        while (*tok == ' ' || *tok == '\t')
            tok++;
        e = tok + strlen(tok);
        while (e > tok && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        if (*tok)
            err = add_dialer(p, tok);
    }
    free(copy);
    return err;
}

int p2p_create(p2p **out, uv_loop_t *loop, struct yc_pump *pump, const struct p2p_config *cfg)
{
    struct p2p *p;
    const char *chain;
    int idx, err;
    if (out)
        *out = NULL;
    if (!out || !loop || !pump || !cfg || !cfg->signer || !cfg->genesis ||
        (cfg->max_frame != 0 && (cfg->max_frame < 2 || cfg->max_frame > P2P_MAX_FRAME_LIMIT)))
        return YC_EINVAL;
    chain = cfg->chain_id ? cfg->chain_id : cfg->genesis->chain_id;
    if (strlen(chain) == 0 || strlen(chain) > YC_CHAIN_ID_MAX)
        return YC_EINVAL;
    p = calloc(1, sizeof *p);
    if (!p)
        return YC_ENOMEM;
    p->loop = loop;
    p->pump = pump;
    p->signer = cfg->signer;
    yc_valset_genesis(&p->vs, cfg->genesis);
    snprintf(p->chain_id, sizeof p->chain_id, "%s", chain);
    yc_signer_pubkey(cfg->signer, p->self_pub);
    idx = yc_valset_index(&p->vs, p->self_pub);
    p->self_index = idx < 0 ? P2P_OBSERVER : (uint32_t)idx;
    p->allow_observers = cfg->allow_observers;
    p->max_frame = cfg->max_frame ? cfg->max_frame : PBFT_MAX_MSG_BYTES;
    p->max_inbound_hs =
        cfg->max_inbound_handshakes ? cfg->max_inbound_handshakes : P2P_DEFAULT_MAX_INBOUND_HS;
    p->max_hs_per_source = cfg->max_handshakes_per_source ? cfg->max_handshakes_per_source
                                                          : P2P_DEFAULT_MAX_HS_PER_SOURCE;
    if (p->max_hs_per_source > p->max_inbound_hs)
        p->max_hs_per_source = p->max_inbound_hs;
    p->max_observers = cfg->max_observers ? cfg->max_observers : P2P_DEFAULT_MAX_OBSERVERS;
    p->max_queue = cfg->max_queue_bytes ? cfg->max_queue_bytes : P2P_DEFAULT_QUEUE_BYTES;
    p->hs_timeout_ms =
        cfg->handshake_timeout_ms ? cfg->handshake_timeout_ms : P2P_DEFAULT_HS_TIMEOUT_MS;
    p->linger_ms = p->hs_timeout_ms / 10 ? p->hs_timeout_ms / 10 : 1;
    p->backoff_min_ms = cfg->backoff_min_ms ? cfg->backoff_min_ms : P2P_DEFAULT_BACKOFF_MIN_MS;
    p->backoff_max_ms = cfg->backoff_max_ms ? cfg->backoff_max_ms : P2P_DEFAULT_BACKOFF_MAX_MS;
    if (p->backoff_max_ms < p->backoff_min_ms)
        p->backoff_max_ms = p->backoff_min_ms;
    if (cfg->seed)
        p->rng = cfg->seed;
    else
        randombytes_buf(&p->rng, sizeof p->rng);
    p->on_recv = cfg->on_recv;
    p->on_connect = cfg->on_connect;
    p->on_disconnect = cfg->on_disconnect;
    p->ctx = cfg->ctx;
    p->refs = 1; /* released by p2p_stop */
    err = YC_OK;
    if (cfg->listen && cfg->listen[0] &&
        (strlen(cfg->listen) >= P2P_ADDR_MAX ||
         !split_hostport(cfg->listen, p->listen_host, sizeof p->listen_host, p->listen_port_s,
                         true))) {
        yc_log_error("p2p", "listen address \"%s\" is not host:port", cfg->listen);
        err = YC_ECONFIG;
    }
    if (err == YC_OK)
        err = parse_peers(p, cfg->persistent_peers != NULL ? cfg->persistent_peers : "");
    if (err != YC_OK) {
        free_p2p(p);
        return err;
    }
    *out = p;
    return YC_OK;
}

int p2p_start(p2p *p)
{
    int err;
    if (!p || p->started || p->stopping)
        return YC_EINVAL;
    p->started = true;
    for (size_t i = 0; i < p->ndialers; i++) {
        struct p2p_dialer *d = &p->dialers[i];
        (void)uv_timer_init(p->loop, &d->timer);
        d->timer.data = d;
        p->refs++;
    }
    if (p->listen_host[0]) {
        err = start_listener(p);
        if (err != YC_OK)
            return err;
    }
    for (size_t i = 0; i < p->ndialers; i++)
        dialer_arm(&p->dialers[i], 0); /* the first attempt is due now */
    return YC_OK;
}

void p2p_stop(p2p *p)
{
    struct p2p_conn *c, *next;
    if (!p || p->stopping)
        return;
    p->stopping = true;
    for (c = p->conns; c; c = next) {
        next = c->next;
        yc__p2p_conn_close(c, "stopping", false);
    }
    if (p->has_listener)
        uv_close((uv_handle_t *)&p->listener, listener_closed);
    if (p->started) {
        for (size_t i = 0; i < p->ndialers; i++) {
            struct p2p_dialer *d = &p->dialers[i];
            uv_timer_stop(&d->timer);
            uv_close((uv_handle_t *)&d->timer, dialer_timer_closed);
            if (d->resolving)
                (void)uv_cancel((uv_req_t *)&d->gai);
        }
    }
    yc__p2p_unref(p);
}

uint16_t p2p_listen_port(const p2p *p)
{
    return p ? p->listen_port : 0;
}

uint32_t p2p_self_index(const p2p *p)
{
    return p ? p->self_index : P2P_OBSERVER;
}

const char *p2p_msg_type_name(uint8_t type)
{
    static const char *const names[] = {
        "?",    "consensus", "tx",           "block_request", "block_response",
        "ping", "pong",      "proposal_ids", "tx_request",    "tx_response"};
    return type >= P2P_MSG_MIN && type <= P2P_MSG_MAX && type < sizeof names / sizeof *names
               ? names[type]
               : "?";
}

static bool valid_type(uint8_t type)
{
    return type >= P2P_MSG_MIN && type <= P2P_MSG_MAX;
}

int p2p_send(p2p *p, uint32_t validator, uint8_t type, const uint8_t *bytes, size_t len)
{
    struct p2p_conn *c;
    if (!p || !valid_type(type) || (len && !bytes) || p->stopping)
        return YC_EINVAL;
    if (len >= p->max_frame)
        return YC_ELIMIT;
    if (validator >= YC_MAX_VALIDATORS)
        return YC_ENOTFOUND;
    c = p->by_validator[validator];
    if (!c || c->doomed)
        return YC_ENOTFOUND;
    if (yc__p2p_fault_drops(p, validator))
        return YC_OK;
    return yc__p2p_conn_send(c, type, bytes, len);
}

int p2p_send_peer(p2p *p, uint64_t peer, uint8_t type, const uint8_t *bytes, size_t len)
{
    if (!p || !valid_type(type) || (len && !bytes) || p->stopping)
        return YC_EINVAL;
    if (len >= p->max_frame)
        return YC_ELIMIT;
    for (struct p2p_conn *c = p->conns; c; c = c->next) {
        if (c->id != peer)
            continue;
        if (!c->active || c->doomed)
            return YC_ENOTFOUND;
        if (yc__p2p_fault_drops(p, c->validator))
            return YC_OK;
        return yc__p2p_conn_send(c, type, bytes, len);
    }
    return YC_ENOTFOUND;
}

int p2p_broadcast(p2p *p, uint8_t type, const uint8_t *bytes, size_t len)
{
    int n = 0;
    if (!p || !valid_type(type) || (len && !bytes) || p->stopping)
        return YC_EINVAL;
    if (len >= p->max_frame)
        return YC_ELIMIT;
    for (uint32_t v = 0; v < p->vs.n && v < YC_MAX_VALIDATORS; v++) {
        struct p2p_conn *c = p->by_validator[v];
        if (!c || c->doomed)
            continue;
        if (yc__p2p_fault_drops(p, v) || yc__p2p_conn_send(c, type, bytes, len) == YC_OK)
            n++;
    }
    return n;
}

void p2p_set_validators(p2p *p, const struct yc_valset *vs, const uint8_t (*pending)[YC_PUBKEY_LEN],
                        size_t npending)
{
    if (!p || !vs || vs->n == 0 || vs->n > YC_MAX_VALIDATORS || p->stopping)
        return;
    p->vs = *vs;
    p->njoining = 0;
    for (size_t i = 0; i < npending && p->njoining < YC_MAX_VALIDATORS; i++)
        if (yc_valset_index(vs, pending[i]) < 0 && !is_pending(p, pending[i]))
            memcpy(p->joining[p->njoining++], pending[i], YC_PUBKEY_LEN);
    int self = yc_valset_index(vs, p->self_pub);
    p->self_index = self < 0 ? P2P_OBSERVER : (uint32_t)self;
    memset(p->by_validator, 0, sizeof p->by_validator);
    p->stats.validators = p->stats.observers = 0;
    for (struct p2p_conn *c = p->conns; c; c = c->next) {
        if (!c->identified)
            continue;
        int v = yc_valset_index(vs, c->peer_pub);
        bool member = v >= 0 || is_pending(p, c->peer_pub);
        if (c->member && !member && !c->doomed && !dialled_pinned(c))
            yc__p2p_conn_doom(c, "its key left the validator set", false);
        if (member && c->counted_observer) /* a member holds no observer slot */
            yc__p2p_slots_release(c);
        c->member = member;
        c->validator = v < 0 ? P2P_OBSERVER : (uint32_t)v;
        if (!c->active)
            continue;
        if (c->validator == P2P_OBSERVER) {
            p->stats.observers++;
        } else {
            p->by_validator[c->validator] = c;
            p->stats.validators++;
        }
    }
}

bool p2p_is_connected(const p2p *p, uint32_t validator)
{
    return p && validator < YC_MAX_VALIDATORS && p->by_validator[validator] &&
           !p->by_validator[validator]->doomed;
}

void p2p_get_stats(const p2p *p, struct p2p_stats *out)
{
    if (p)
        *out = p->stats;
    else
        memset(out, 0, sizeof *out);
}

size_t p2p_peers(const p2p *p, struct p2p_peer_info *out, size_t cap)
{
    size_t n = 0;
    if (!p)
        return 0;
    for (const struct p2p_conn *c = p->conns; c; c = c->next) {
        if (!c->active)
            continue;
        if (n < cap) {
            struct p2p_peer_info *i = &out[n];
            memset(i, 0, sizeof *i);
            i->id = c->id;
            i->validator = c->validator;
            i->member = c->member;
            memcpy(i->pub, c->peer_pub, YC_PUBKEY_LEN);
            snprintf(i->addr, sizeof i->addr, "%s", c->addr);
            i->outbound = c->outbound;
            i->msgs_in = c->msgs_in;
            i->msgs_out = c->msgs_out;
            i->bytes_in = c->bytes_in;
            i->bytes_out = c->bytes_out;
            i->queued_bytes = c->queued;
        }
        n++;
    }
    return n;
}

#ifdef YC_TEST_HOOKS
void p2p_set_fault(p2p *p, uint64_t blocked, uint32_t drop_permille)
{
    if (!p)
        return;
    p->fault_blocked = blocked;
    p->fault_drop_permille = drop_permille > 1000 ? 1000 : drop_permille;
}
#endif
