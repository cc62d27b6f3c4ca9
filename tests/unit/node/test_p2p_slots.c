/*
 * test_p2p_slots.c — who may hold a connection (p2p_slots.c, docs/p2p.md "Slots";
 * issue 10 item 1, TESTING.md D3 and G3), on one validator of a two-validator genesis
 * with a small pool (8 unidentified inbound connections, 4 per source):
 *   - source keys: an IPv4 address, an IPv4-mapped IPv6 address as that IPv4 address, an
 *     IPv6 /64;
 *   - a source over its cap loses its own oldest connection, never another source's;
 *   - a full pool loses the oldest connection of its fullest source;
 *   - an evicted connection lingers for a tenth of the handshake timeout before it is
 *     closed, and may still finish its handshake meanwhile (then it stays);
 *   - a connection that sent part of a hello, or had its hello answered, outlives any
 *     number of silent newcomers from its own source, and its handshake completes;
 *   - silent connections from the validators' own address, reopened as soon as they are
 *     closed (three times the pool's share of that source, from a thread that reopens
 *     faster than any remote attacker could), never keep validator 1 out: a raw validator
 *     reconnects and authenticates again and again (retrying a failed attempt, as a
 *     dialler does, at most twice), a real instance dials in, and the flooded node's own
 *     dial goes out; the pool never exceeds its cap and the evictions are counted;
 *   - inbound observers have their own share: one beyond it is refused (counted), the
 *     ones already there stay, and a validator still gets in.
 * Addresses 127.0.0.2 and up are other sources on Linux's loopback (127.0.0.0/8).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "helper_p2p.h"
#include "p2p_int.h"

#define POOL 8
#define PER_SOURCE 4
#define FLOOD_CONNS 24
#define ROUNDS 10
#define MAX_TRIES 3
#define HS_TIMEOUT_MS 10000 /* evictions, not the deadline, do the work here */
#define LINGER_MS (HS_TIMEOUT_MS / 10)

/* A blocking connection from address src (e.g. "127.0.0.2") to 127.0.0.1:port, or -1. */
static int connect_from(const char *src, uint16_t port)
{
    struct sockaddr_in a, b;
    struct timeval tv = {5, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    memset(&b, 0, sizeof b);
    b.sin_family = AF_INET;
    inet_pton(AF_INET, src, &b.sin_addr);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&b, sizeof b) != 0 ||
        connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* True if the node closed fd (EOF or reset), without waiting or reading anything. */
static bool is_closed(int fd)
{
    uint8_t b[256];
    ssize_t r = recv(fd, b, sizeof b, MSG_DONTWAIT | MSG_PEEK);
    return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static struct p2p_stats stats0(struct p2pt_net *n)
{
    struct p2p_stats st;
    p2p_get_stats(n->nodes[0].p, &st);
    return st;
}

/* Predicate: node 0 has accepted *arg connections since start (kept or evicted). */
static bool accepted(struct p2pt_net *n, void *arg)
{
    struct p2p_stats st = stats0(n);
    return st.inbound_handshakes + st.conns_evicted + st.handshakes_failed >= *(uint64_t *)arg;
}

/* Opens a silent connection from src and runs the loop until node 0 has taken it. */
static int open_silent(struct p2pt_net *n, const char *src, uint64_t *count)
{
    int fd = connect_from(src, n->ports[0]);
    assert_true(fd >= 0);
    ++*count;
    assert_true(p2pt_run_until(n, accepted, count, 5000));
    return fd;
}

/* Node 0 as validator 0, only listening (its one peer address is a closed port). */
static void start_listener_only(struct p2pt_net *n, uint32_t pool, uint32_t per_source)
{
    static char dead[32];
    struct p2p_config cfg;
    p2pt_config(n, 0, 0, &cfg);
    snprintf(dead, sizeof dead, "127.0.0.1:%u", (unsigned)n->ports[P2PT_MAX_NODES + 1]);
    cfg.persistent_peers = dead;
    cfg.max_inbound_handshakes = pool;
    cfg.max_handshakes_per_source = per_source;
    cfg.handshake_timeout_ms = HS_TIMEOUT_MS;
    cfg.allow_observers = true;
    cfg.max_observers = 2;
    p2pt_start(n, 0, &cfg);
}

static void test_source_keys(void **state)
{
    struct sockaddr_in a4, b4;
    struct sockaddr_in6 a6, b6, m6;
    uint8_t ka[P2P_SRC_KEY_LEN], kb[P2P_SRC_KEY_LEN], zero[P2P_SRC_KEY_LEN];
    (void)state;
    memset(zero, 0, sizeof zero);
    assert_int_equal(uv_ip4_addr("10.1.2.3", 1000, &a4), 0);
    assert_int_equal(uv_ip4_addr("10.1.2.3", 2000, &b4), 0);
    yc__p2p_source_key((struct sockaddr *)&a4, ka);
    yc__p2p_source_key((struct sockaddr *)&b4, kb);
    assert_memory_equal(ka, kb, sizeof ka); /* ports do not matter */
    assert_int_equal(ka[0], 4);
    assert_int_equal(uv_ip4_addr("10.1.2.4", 1000, &b4), 0);
    yc__p2p_source_key((struct sockaddr *)&b4, kb);
    assert_memory_not_equal(ka, kb, sizeof ka);
    /* ::ffff:10.1.2.3 is 10.1.2.3 */
    assert_int_equal(uv_ip6_addr("::ffff:10.1.2.3", 1, &m6), 0);
    yc__p2p_source_key((struct sockaddr *)&m6, kb);
    assert_memory_equal(ka, kb, sizeof ka);
    /* IPv6: one /64 is one source */
    assert_int_equal(uv_ip6_addr("2001:db8:1:2::1", 1, &a6), 0);
    assert_int_equal(uv_ip6_addr("2001:db8:1:2:ffff:1:2:3", 1, &b6), 0);
    yc__p2p_source_key((struct sockaddr *)&a6, ka);
    yc__p2p_source_key((struct sockaddr *)&b6, kb);
    assert_int_equal(ka[0], 6);
    assert_memory_equal(ka, kb, sizeof ka);
    assert_int_equal(uv_ip6_addr("2001:db8:1:3::1", 1, &b6), 0);
    yc__p2p_source_key((struct sockaddr *)&b6, kb);
    assert_memory_not_equal(ka, kb, sizeof ka);
    /* unknown */
    yc__p2p_source_key(NULL, ka);
    assert_memory_equal(ka, zero, sizeof ka);
}

static void test_source_over_its_cap_loses_its_own_oldest(void **state)
{
    static struct p2pt_net n;
    int a[7], b[2];
    uint64_t count = 0;
    struct p2p_stats st;
    (void)state;
    p2pt_net_init(&n, 2);
    start_listener_only(&n, 16, PER_SOURCE);
    for (int i = 0; i < 4; i++)
        a[i] = open_silent(&n, "127.0.0.2", &count);
    for (int i = 0; i < 2; i++)
        b[i] = open_silent(&n, "127.0.0.3", &count);
    for (int i = 4; i < 7; i++)
        a[i] = open_silent(&n, "127.0.0.2", &count);
    p2pt_run_for(&n, 50);
    st = stats0(&n);
    assert_int_equal(st.conns_evicted, 3);
    assert_int_equal(st.inbound_handshakes, 6);
    /* the evicted linger (a tenth of the handshake timeout), then they are closed */
    assert_false(is_closed(a[0]));
    p2pt_run_for(&n, LINGER_MS + 300);
    for (int i = 0; i < 3; i++)
        assert_true(is_closed(a[i]));
    for (int i = 3; i < 7; i++)
        assert_false(is_closed(a[i]));
    for (int i = 0; i < 2; i++)
        assert_false(is_closed(b[i]));
    for (int i = 0; i < 7; i++)
        close(a[i]);
    for (int i = 0; i < 2; i++)
        close(b[i]);
    p2pt_run_for(&n, 50);
    assert_int_equal(stats0(&n).inbound_handshakes, 0);
    p2pt_net_cleanup(&n);
}

static void test_full_pool_loses_the_oldest_of_its_fullest_source(void **state)
{
    static struct p2pt_net n;
    int a[4], b[2], c[2];
    uint64_t count = 0;
    (void)state;
    p2pt_net_init(&n, 2);
    start_listener_only(&n, 6, PER_SOURCE);
    for (int i = 0; i < 4; i++)
        a[i] = open_silent(&n, "127.0.0.2", &count);
    for (int i = 0; i < 2; i++)
        b[i] = open_silent(&n, "127.0.0.3", &count);
    assert_int_equal(stats0(&n).conns_evicted, 0);
    /* .2 holds 4 of 6: the first newcomer from .4 takes a[0]'s place; then .2 still has
     * the most (3 against 2 and 1), so the second takes a[1]'s */
    for (int i = 0; i < 2; i++)
        c[i] = open_silent(&n, "127.0.0.4", &count);
    p2pt_run_for(&n, LINGER_MS + 300);
    assert_int_equal(stats0(&n).conns_evicted, 2);
    assert_int_equal(stats0(&n).inbound_handshakes, 6);
    assert_true(is_closed(a[0]));
    assert_true(is_closed(a[1]));
    assert_false(is_closed(a[2]));
    assert_false(is_closed(a[3]));
    for (int i = 0; i < 2; i++) {
        assert_false(is_closed(b[i]));
        assert_false(is_closed(c[i]));
    }
    for (int i = 0; i < 4; i++)
        close(a[i]);
    for (int i = 0; i < 2; i++) {
        close(b[i]);
        close(c[i]);
    }
    p2pt_net_cleanup(&n);
}

/* Predicate: at least *(size_t *)arg bytes wait on the fd given first in arg. */
struct waiting {
    int fd;
    size_t want;
};

static bool bytes_waiting(struct p2pt_net *n, void *arg)
{
    struct waiting *w = arg;
    uint8_t b[P2P_REPLY_LEN];
    (void)n;
    return recv(w->fd, b, sizeof b, MSG_PEEK | MSG_DONTWAIT) >= (ssize_t)w->want;
}

static bool v1_connected_to_0(struct p2pt_net *n, void *arg)
{
    (void)arg;
    return p2p_is_connected(n->nodes[0].p, 1);
}

static void test_started_handshakes_outlive_silent_newcomers(void **state)
{
    static struct p2pt_net n;
    struct p2p_hs hs;
    struct p2p_session sess;
    uint8_t seed[32], hello[P2P_HELLO_LEN], reply[P2P_REPLY_LEN], auth[P2P_AUTH_LEN];
    struct waiting w;
    yc_signer *v1 = p2pt_signer(1);
    int h, d, silent[3 * PER_SOURCE];
    uint64_t count = 0;
    (void)state;
    p2pt_net_init(&n, 2);
    start_listener_only(&n, POOL, PER_SOURCE);
    memset(seed, 7, sizeof seed);
    assert_int_equal(p2p_hs_init(&hs, true, P2PT_CHAIN, seed), YC_OK);
    assert_int_equal(p2p_hs_hello(&hs, hello), YC_OK);

    /* h: a whole hello, answered; d: a few bytes of one */
    h = open_silent(&n, "127.0.0.2", &count);
    assert_true(p2pt_raw_write(h, hello, sizeof hello));
    w.fd = h;
    w.want = P2P_REPLY_LEN;
    assert_true(p2pt_run_until(&n, bytes_waiting, &w, 5000));
    d = open_silent(&n, "127.0.0.2", &count);
    assert_true(p2pt_raw_write(d, hello, 10));
    p2pt_run_for(&n, 50);

    /* three times the source's share of silent newcomers */
    for (int i = 0; i < 3 * PER_SOURCE; i++)
        silent[i] = open_silent(&n, "127.0.0.2", &count);
    p2pt_run_for(&n, LINGER_MS + 300);
    printf("# %" PRIu64 " evicted; the answered and the started hello are still open\n",
           stats0(&n).conns_evicted);
    assert_int_equal(stats0(&n).conns_evicted, 3 * PER_SOURCE - 2);
    assert_false(is_closed(h));
    assert_false(is_closed(d));
    for (int i = 0; i < 3 * PER_SOURCE - 2; i++)
        assert_true(is_closed(silent[i]));
    for (int i = 3 * PER_SOURCE - 2; i < 3 * PER_SOURCE; i++)
        assert_false(is_closed(silent[i]));

    /* h finishes its handshake as validator 1 and is identified */
    assert_true(recv(h, reply, sizeof reply, MSG_WAITALL) == (ssize_t)sizeof reply);
    assert_int_equal(p2p_hs_on_reply(&hs, reply, sizeof reply, v1, auth, &sess, 1u << 16), YC_OK);
    assert_true(p2pt_raw_write(h, auth, sizeof auth));
    assert_true(p2pt_run_until(&n, v1_connected_to_0, NULL, 5000));
    assert_int_equal(stats0(&n).inbound_handshakes, 3); /* d and two silent ones */

    p2p_hs_cleanup(&hs);
    p2p_session_cleanup(&sess);
    yc_signer_destroy(v1);
    close(h);
    close(d);
    for (int i = 0; i < 3 * PER_SOURCE; i++)
        close(silent[i]);
    p2pt_net_cleanup(&n);
}

static void test_an_evicted_connection_may_still_finish_its_handshake(void **state)
{
    static struct p2pt_net n;
    struct p2p_hs hs;
    struct p2p_session sess;
    uint8_t seed[32], hello[P2P_HELLO_LEN], reply[P2P_REPLY_LEN], auth[P2P_AUTH_LEN];
    yc_signer *v1 = p2pt_signer(1);
    int v, silent[PER_SOURCE];
    uint64_t count = 0;
    (void)state;
    p2pt_net_init(&n, 2);
    start_listener_only(&n, POOL, PER_SOURCE);
    /* v connects and is slow to say hello: a source's share of newcomers evicts it */
    v = open_silent(&n, "127.0.0.2", &count);
    for (int i = 0; i < PER_SOURCE; i++)
        silent[i] = open_silent(&n, "127.0.0.2", &count);
    assert_int_equal(stats0(&n).conns_evicted, 1);
    /* within the linger it still completes the handshake as validator 1 */
    memset(seed, 9, sizeof seed);
    assert_int_equal(p2p_hs_init(&hs, true, P2PT_CHAIN, seed), YC_OK);
    assert_int_equal(p2p_hs_hello(&hs, hello), YC_OK);
    assert_true(p2pt_raw_write(v, hello, sizeof hello));
    {
        struct waiting w = {v, P2P_REPLY_LEN};
        assert_true(p2pt_run_until(&n, bytes_waiting, &w, 5000));
    }
    assert_true(recv(v, reply, sizeof reply, MSG_WAITALL) == (ssize_t)sizeof reply);
    assert_int_equal(p2p_hs_on_reply(&hs, reply, sizeof reply, v1, auth, &sess, 1u << 16), YC_OK);
    assert_true(p2pt_raw_write(v, auth, sizeof auth));
    assert_true(p2pt_run_until(&n, v1_connected_to_0, NULL, 5000));
    /* and stays, after the linger is over */
    p2pt_run_for(&n, LINGER_MS + 300);
    assert_true(p2p_is_connected(n.nodes[0].p, 1));
    assert_false(is_closed(v));
    assert_int_equal(stats0(&n).inbound_handshakes, PER_SOURCE);
    p2p_hs_cleanup(&hs);
    p2p_session_cleanup(&sess);
    yc_signer_destroy(v1);
    close(v);
    for (int i = 0; i < PER_SOURCE; i++)
        close(silent[i]);
    p2pt_net_cleanup(&n);
}

/* ---- a flood of silent connections from the validators' own address ---- */

struct flood {
    uint16_t port;
    atomic_int stop;
    atomic_int opened;
};

/* FLOOD_CONNS silent connections from 127.0.0.1, each reopened as soon as it is closed. */
static void flood_main(void *arg)
{
    struct flood *f = arg;
    int fds[FLOOD_CONNS];
    struct pollfd pf[FLOOD_CONNS];
    for (int i = 0; i < FLOOD_CONNS; i++)
        fds[i] = -1;
    while (!atomic_load(&f->stop)) {
        for (int i = 0; i < FLOOD_CONNS; i++) {
            if (fds[i] < 0 && (fds[i] = connect_from("127.0.0.1", f->port)) >= 0)
                atomic_fetch_add(&f->opened, 1);
            pf[i].fd = fds[i];
            pf[i].events = POLLIN;
            pf[i].revents = 0;
        }
        if (poll(pf, FLOOD_CONNS, 10) <= 0)
            continue;
        for (int i = 0; i < FLOOD_CONNS; i++) {
            if (fds[i] >= 0 && pf[i].revents != 0 && is_closed(fds[i])) {
                close(fds[i]);
                fds[i] = -1;
            }
        }
    }
    for (int i = 0; i < FLOOD_CONNS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

struct reconnector {
    uint16_t port;
    int ok, first_try, most_tries;
    uint64_t worst_ms;
    const char *failed_at; /* the step of the last failed attempt, if any */
};

/* One attempt: connect, authenticate as validator 1, ping, read the pong. */
static bool attempt(struct reconnector *r, const yc_signer *me)
{
    struct p2p_session sess;
    uint8_t buf[64];
    size_t len = 0;
    bool ok = false;
    int fd = p2pt_raw_connect(r->port);
    memset(&sess, 0, sizeof sess);
    if (fd < 0)
        r->failed_at = "connect";
    else if (!p2pt_raw_handshake(fd, me, &sess, 1u << 16))
        r->failed_at = "handshake";
    else if (!p2pt_raw_send(fd, &sess, P2P_MSG_PING, (const uint8_t *)"k", 1))
        r->failed_at = "ping";
    else if (!p2pt_raw_recv(fd, &sess, buf, sizeof buf, &len) || len != 2 || buf[0] != P2P_MSG_PONG)
        r->failed_at = "pong";
    else
        ok = true;
    p2p_session_cleanup(&sess);
    if (fd >= 0)
        close(fd);
    return ok;
}

/*
 * Validator 1 connects, authenticates, pings and hangs up, ROUNDS times. Like a dialler
 * it tries again (after 20 ms) when an attempt fails: on a machine so busy that this
 * thread is not scheduled for a while after its connect, its hello may come after its
 * connection has been evicted and closed.
 */
static void reconnector_main(void *arg)
{
    struct reconnector *r = arg;
    yc_signer *me = p2pt_signer(1);
    for (int k = 0; k < ROUNDS; k++) {
        uint64_t t0 = p2pt_now_ms();
        for (int tries = 1; tries <= MAX_TRIES; tries++) {
            if (attempt(r, me)) {
                uint64_t ms = p2pt_now_ms() - t0;
                r->ok++;
                r->first_try += tries == 1;
                if (tries > r->most_tries)
                    r->most_tries = tries;
                if (ms > r->worst_ms)
                    r->worst_ms = ms;
                break;
            }
            usleep(20 * 1000);
        }
        usleep(20 * 1000);
    }
    yc_signer_destroy(me);
}

struct pool_watch {
    struct p2pt_thread *t;
    uint32_t max_pending;
};

static bool watch_until_done(struct p2pt_net *n, void *arg)
{
    struct pool_watch *w = arg;
    struct p2p_stats st = stats0(n);
    if (st.inbound_handshakes > w->max_pending)
        w->max_pending = st.inbound_handshakes;
    return w->t == NULL ? v1_connected_to_0(n, NULL) : p2pt_thread_done(n, w->t);
}

/* Predicate: node 0's pool holds the flood's share and evicts. */
static bool pool_flooded(struct p2pt_net *n, void *arg)
{
    struct p2p_stats st = stats0(n);
    (void)arg;
    return st.inbound_handshakes >= PER_SOURCE && st.conns_evicted > 0;
}

static bool flood_running(struct p2pt_net *n, void *arg)
{
    struct flood *f = arg;
    (void)n;
    return atomic_load(&f->opened) > FLOOD_CONNS + 2 * POOL;
}

static void test_silent_flood_never_keeps_a_validator_out(void **state)
{
    static struct p2pt_net n;
    static struct flood f;
    struct p2pt_thread ft, rt;
    struct reconnector r;
    struct pool_watch w;
    struct p2p_config cfg;
    struct p2p_stats st;
    char peer[32], dead[32];
    uint64_t t0, dial_in_ms, dial_out_ms;
    (void)state;
    p2pt_net_init(&n, 2);
    start_listener_only(&n, POOL, PER_SOURCE);
    f.port = n.ports[0];
    atomic_store(&f.stop, 0);
    atomic_store(&f.opened, 0);
    p2pt_thread_start(&ft, flood_main, &f);
    assert_true(p2pt_run_until(&n, flood_running, &f, 10000));

    /* a validator that reconnects again and again always gets through */
    memset(&r, 0, sizeof r);
    r.port = n.ports[0];
    memset(&w, 0, sizeof w);
    w.t = &rt;
    p2pt_thread_start(&rt, reconnector_main, &r);
    assert_true(p2pt_run_until(&n, watch_until_done, &w, 60000));
    p2pt_thread_join(&rt);
    printf("# raw validator: %d of %d rounds authenticated through the flood (%d at the "
           "first attempt, at most %d attempts; a failure at: %s), slowest %" PRIu64 " ms\n",
           r.ok, ROUNDS, r.first_try, r.most_tries, r.failed_at ? r.failed_at : "none", r.worst_ms);
    assert_int_equal(r.ok, ROUNDS);

    /* a real instance of validator 1 dials in */
    p2pt_config(&n, 1, 1, &cfg);
    snprintf(peer, sizeof peer, "127.0.0.1:%u", (unsigned)n.ports[0]);
    cfg.persistent_peers = peer;
    t0 = p2pt_now_ms();
    p2pt_start(&n, 1, &cfg);
    w.t = NULL;
    assert_true(p2pt_run_until(&n, watch_until_done, &w, 10000));
    dial_in_ms = p2pt_now_ms() - t0;
    p2pt_stop(&n, 1);
    p2pt_run_for(&n, 100);

    /* the flooded node's own dial goes out: node 0 again, dialling node 1 (not there
     * yet) while the flood fills its pool; then node 1 comes, listening only */
    st = stats0(&n);
    assert_true(w.max_pending <= POOL);
    assert_true(st.inbound_handshakes <= POOL);
    assert_true(st.conns_evicted > 0);
    p2pt_stop(&n, 0);
    p2pt_config(&n, 0, 0, &cfg);
    snprintf(peer, sizeof peer, "127.0.0.1:%u", (unsigned)n.ports[1]);
    cfg.persistent_peers = peer;
    cfg.max_inbound_handshakes = POOL;
    cfg.max_handshakes_per_source = PER_SOURCE;
    cfg.handshake_timeout_ms = HS_TIMEOUT_MS;
    p2pt_start(&n, 0, &cfg);
    assert_true(p2pt_run_until(&n, pool_flooded, NULL, 10000));
    p2pt_config(&n, 1, 1, &cfg);
    snprintf(dead, sizeof dead, "127.0.0.1:%u", (unsigned)n.ports[P2PT_MAX_NODES + 1]);
    cfg.persistent_peers = dead;
    t0 = p2pt_now_ms();
    p2pt_start(&n, 1, &cfg);
    assert_true(p2pt_run_until(&n, watch_until_done, &w, 10000));
    dial_out_ms = p2pt_now_ms() - t0;

    atomic_store(&f.stop, 1);
    assert_true(p2pt_run_until(&n, p2pt_thread_done, &ft, 10000));
    p2pt_thread_join(&ft);
    printf("# flood: %d silent connections opened, %" PRIu64 " evicted by the first instance;"
           " validator 1 in after %" PRIu64 " ms, out after %" PRIu64 " ms; pool peak %u of %u\n",
           atomic_load(&f.opened), st.conns_evicted, dial_in_ms, dial_out_ms, w.max_pending, POOL);
    assert_true(w.max_pending <= POOL);
    p2pt_net_cleanup(&n);
}

/* ---- the observers' share ---- */

struct observer_try {
    uint16_t port;
    uint32_t key;
    int fd;
    bool handshake_ok;
};

static void observer_main(void *arg)
{
    struct observer_try *o = arg;
    yc_signer *me = p2pt_signer(o->key);
    struct p2p_session sess;
    memset(&sess, 0, sizeof sess);
    o->fd = p2pt_raw_connect(o->port);
    o->handshake_ok = o->fd >= 0 && p2pt_raw_handshake(o->fd, me, &sess, 1u << 16);
    p2p_session_cleanup(&sess);
    yc_signer_destroy(me);
}

/* Runs one raw handshake with key `key` to node 0 and lets the node decide. */
static int try_key(struct p2pt_net *n, uint32_t key)
{
    struct p2pt_thread t;
    struct observer_try o;
    memset(&o, 0, sizeof o);
    o.port = n->ports[0];
    o.key = key;
    p2pt_thread_start(&t, observer_main, &o);
    assert_true(p2pt_run_until(n, p2pt_thread_done, &t, 10000));
    p2pt_thread_join(&t);
    assert_true(o.handshake_ok);
    p2pt_run_for(n, 100);
    return o.fd;
}

static void test_observers_have_their_own_share(void **state)
{
    static struct p2pt_net n;
    struct p2p_stats st;
    int o1, o2, o3, v;
    (void)state;
    p2pt_net_init(&n, 2);
    start_listener_only(&n, POOL, PER_SOURCE); /* max_observers 2 */
    o1 = try_key(&n, 10);
    o2 = try_key(&n, 11);
    st = stats0(&n);
    assert_int_equal(st.observers, 2);
    o3 = try_key(&n, 12);
    assert_true(p2pt_raw_closed_within(o3, 2000));
    st = stats0(&n);
    assert_int_equal(st.observers, 2);
    assert_int_equal(st.conns_refused, 1);
    assert_false(is_closed(o1));
    assert_false(is_closed(o2));
    /* a validator is not an observer: it gets in */
    v = try_key(&n, 1);
    assert_true(p2p_is_connected(n.nodes[0].p, 1));
    /* a slot freed is a slot for the next one */
    close(o1);
    p2pt_run_for(&n, 100);
    close(o3);
    o3 = try_key(&n, 12);
    st = stats0(&n);
    assert_int_equal(st.observers, 2);
    assert_int_equal(st.conns_refused, 1);
    close(o2);
    close(o3);
    close(v);
    p2pt_net_cleanup(&n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_source_keys),
        cmocka_unit_test(test_source_over_its_cap_loses_its_own_oldest),
        cmocka_unit_test(test_full_pool_loses_the_oldest_of_its_fullest_source),
        cmocka_unit_test(test_started_handshakes_outlive_silent_newcomers),
        cmocka_unit_test(test_an_evicted_connection_may_still_finish_its_handshake),
        cmocka_unit_test(test_silent_flood_never_keeps_a_validator_out),
        cmocka_unit_test(test_observers_have_their_own_share),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
