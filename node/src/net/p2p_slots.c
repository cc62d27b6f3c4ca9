/*
 * p2p_slots.c — who may hold a connection (docs/p2p.md, "Slots"): strangers can slow a
 * validator down a little but never cut it off from the other validators.
 *
 * Unidentified inbound connections (accepted, handshake not finished) share a pool of
 * max_inbound_hs, at most max_hs_per_source of them from one source (an IPv4 address or
 * an IPv6 /64). A newcomer is always admitted: when its source is over its cap, another
 * connection of that source is evicted; when the pool is over its cap, one of the fullest
 * source. The victim is the connection that made the least handshake progress (nothing
 * received, then part of a hello, then a hello answered), oldest first; before a silent
 * one is taken, its socket is checked for bytes not read yet. So connections that send
 * nothing churn among themselves, and a node, which sends its hello as soon as it is
 * connected, is not displaced by them.
 *
 * An evicted connection leaves the pool at once but lingers for a tenth of the handshake
 * timeout: it may still finish its handshake (a validator whose hello was late still gets
 * in), and a stranger that reopens whatever is closed learns of the eviction only then,
 * which paces the churn of a flood instead of letting it spin as fast as the loop. At most
 * max_inbound_hs connections linger; beyond that one is closed at once, chosen as in the
 * pool (least advanced, oldest first).
 *
 * An identified validator holds no pool slot and nothing displaces it. Identified inbound
 * observers have their own share (max_observers): one beyond it is refused, the ones
 * already there are kept. Outbound connections (one per configured peer) count against
 * none of these.
 *
 * Invariants: p->npending is the number of connections with pending_in, and the n of each
 * record in p->srcs the number of those whose src is that record (a record is freed when
 * its n reaches 0); once yc__p2p_admit returns, npending <= max_inbound_hs, every
 * n <= max_hs_per_source and p->nlinger <= max_inbound_hs; p->nlinger is the number of
 * connections with lingering, p->nobservers_in of those with counted_observer; a
 * connection is never both pending_in and lingering.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "log.h"
#include "p2p_int.h"

#define PRESSURE_LOG_MS 10000 /* at most one slot-pressure warning per 10 s */

void yc__p2p_source_key(const struct sockaddr *sa, uint8_t key[P2P_SRC_KEY_LEN])
{
    static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    memset(key, 0, P2P_SRC_KEY_LEN);
    if (sa == NULL)
        return;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        key[0] = 4;
        memcpy(key + 1, &in->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        const uint8_t *a = in6->sin6_addr.s6_addr;
        if (memcmp(a, v4mapped, sizeof v4mapped) == 0) { /* ::ffff:a.b.c.d is a.b.c.d */
            key[0] = 4;
            memcpy(key + 1, a + 12, 4);
        } else {
            key[0] = 6;
            memcpy(key + 1, a, 8); /* a /64: one host's (or one customer's) addresses */
        }
    }
}

static struct p2p_src *src_get(struct p2p *p, const uint8_t key[P2P_SRC_KEY_LEN])
{
    struct p2p_src *s;
    for (s = p->srcs; s; s = s->next)
        if (memcmp(s->key, key, P2P_SRC_KEY_LEN) == 0)
            return s;
    s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    memcpy(s->key, key, P2P_SRC_KEY_LEN);
    s->next = p->srcs;
    p->srcs = s;
    return s;
}

static void src_put(struct p2p *p, struct p2p_src *s)
{
    struct p2p_src **pp;
    if (--s->n > 0)
        return;
    for (pp = &p->srcs; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    }
    free(s);
}

static void note_pressure(struct p2p *p)
{
    uint64_t now = uv_now(p->loop);
    if (p->pressure_at != 0 && now - p->pressure_at < PRESSURE_LOG_MS)
        return;
    yc_log_warn("p2p",
                "connection slots under pressure: %" PRIu64 " unidentified inbound connections "
                "evicted, %" PRIu64 " observers refused since %s (max_inbound_handshakes %u, "
                "max_handshakes_per_source %u, max_observers %u); validators keep their slots",
                p->stats.conns_evicted - p->pressure_evicted,
                p->stats.conns_refused - p->pressure_refused,
                p->pressure_at ? "the last such warning" : "start", p->max_inbound_hs,
                p->max_hs_per_source, p->max_observers);
    p->pressure_at = now ? now : 1;
    p->pressure_evicted = p->stats.conns_evicted;
    p->pressure_refused = p->stats.conns_refused;
}

void yc__p2p_note_failed_handshake(struct p2p_conn *c, const char *why)
{
    struct p2p *p = c->p;
    uint64_t now = uv_now(p->loop);
    if (p->hsfail_at != 0 && now - p->hsfail_at < PRESSURE_LOG_MS) {
        yc_log_debug("p2p", "connection %" PRIu64 " (%s): %s; disconnecting", c->id, c->addr, why);
        return;
    }
    yc_log_warn("p2p",
                "connection %" PRIu64 " (%s): %s; disconnecting (%" PRIu64
                " failed handshakes since %s; the next within 10 s at debug)",
                c->id, c->addr, why, p->stats.handshakes_failed - p->hsfail_logged,
                p->hsfail_at ? "the last such line" : "start");
    p->hsfail_at = now ? now : 1;
    p->hsfail_logged = p->stats.handshakes_failed;
}

/* True if bytes received on c's socket wait to be read (false if it cannot tell). */
static bool has_unread_bytes(struct p2p_conn *c)
{
    uv_os_fd_t fd;
    int n = 0;
    if (uv_fileno((const uv_handle_t *)&c->tcp, &fd) != 0)
        return false;
    return ioctl(fd, FIONREAD, &n) == 0 && n > 0;
}

/* True if a goes before b: from the fuller source (pool-wide), less progress, older. */
static bool evicts_first(const struct p2p_conn *a, const struct p2p_conn *b, bool by_source)
{
    if (by_source && a->src->n != b->src->n)
        return a->src->n > b->src->n;
    if (a->progress != b->progress)
        return a->progress < b->progress;
    return a->id < b->id;
}

/* Where a victim is taken from: nc's source, the whole pool, the lingering set. */
enum pick { PICK_SOURCE, PICK_POOL, PICK_LINGERING };

static bool candidate(const struct p2p_conn *c, const struct p2p_conn *nc, enum pick from)
{
    if (from == PICK_LINGERING)
        return c->lingering;
    return c->pending_in && c != nc && (from == PICK_POOL || c->src == nc->src);
}

/*
 * The connection to close or evict for newcomer nc (never nc itself; nc may be NULL for
 * the lingering set), first as evicts_first orders them; NULL if none. A silent one with
 * bytes waiting in its socket is moved up (its hello is on the way) and the choice made
 * again.
 */
static struct p2p_conn *pick(struct p2p *p, const struct p2p_conn *nc, enum pick from)
{
    for (;;) {
        struct p2p_conn *best = NULL;
        for (struct p2p_conn *c = p->conns; c; c = c->next)
            if (candidate(c, nc, from) && (!best || evicts_first(c, best, from == PICK_POOL)))
                best = c;
        if (!best || best->progress != P2P_PROG_NONE || !has_unread_bytes(best))
            return best;
        best->progress = P2P_PROG_BYTES;
    }
}

/* v leaves the pool for the lingering set. */
static void evict(struct p2p_conn *v)
{
    struct p2p *p = v->p;
    struct p2p_conn *old;
    p->stats.conns_evicted++;
    yc__p2p_unpend(v);
    if (p->nlinger >= p->max_inbound_hs && (old = pick(p, NULL, PICK_LINGERING)) != NULL)
        yc__p2p_conn_close(old, "evicted from the handshake pool", false);
    v->lingering = true;
    p->nlinger++;
    yc__p2p_conn_linger(v, p->linger_ms);
}

bool yc__p2p_admit(struct p2p_conn *nc, const struct sockaddr *sa)
{
    struct p2p *p = nc->p;
    uint8_t key[P2P_SRC_KEY_LEN];
    yc__p2p_source_key(sa, key);
    nc->src = src_get(p, key);
    if (!nc->src)
        return false;
    nc->src->n++;
    nc->pending_in = true;
    nc->progress = P2P_PROG_NONE;
    p->npending++;
    p->stats.inbound_handshakes = p->npending;
    while (nc->src->n > p->max_hs_per_source || p->npending > p->max_inbound_hs) {
        bool same = nc->src->n > p->max_hs_per_source;
        struct p2p_conn *v = pick(p, nc, same ? PICK_SOURCE : PICK_POOL);
        if (!v)
            break; /* cannot happen: caps are >= 1 and nc is counted */
        yc_log_debug("p2p",
                     "connection %" PRIu64 " (%s) evicted for connection %" PRIu64 " (%s): %s full",
                     v->id, v->addr, nc->id, nc->addr,
                     same ? "its source's share of the handshake pool" : "the handshake pool");
        evict(v);
    }
    if (p->stats.conns_evicted != p->pressure_evicted)
        note_pressure(p);
    return true;
}

void yc__p2p_unpend(struct p2p_conn *c)
{
    struct p2p *p = c->p;
    if (c->lingering) {
        c->lingering = false;
        p->nlinger--;
    }
    if (!c->pending_in)
        return;
    c->pending_in = false;
    src_put(p, c->src);
    c->src = NULL;
    p->npending--;
    p->stats.inbound_handshakes = p->npending;
}

bool yc__p2p_observer_slot(struct p2p_conn *c, bool replacing)
{
    struct p2p *p = c->p;
    if (p->nobservers_in >= p->max_observers && !replacing) {
        p->stats.conns_refused++;
        note_pressure(p);
        return false;
    }
    c->counted_observer = true;
    p->nobservers_in++;
    return true;
}

void yc__p2p_slots_release(struct p2p_conn *c)
{
    yc__p2p_unpend(c);
    if (c->counted_observer) {
        c->counted_observer = false;
        c->p->nobservers_in--;
    }
}
