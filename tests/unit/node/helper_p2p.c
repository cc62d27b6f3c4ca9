/*
 * helper_p2p.c — harness for the p2p transport tests (see helper_p2p.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helper_p2p.h"
#include "yc/bech32.h"
#include "log.h"

uint64_t p2pt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A port below the kernel's ephemeral range (32768 and up by default), so that no
 * outgoing connection of a test running in parallel takes it between this check and
 * the transport's bind. */
uint16_t p2pt_free_port(void)
{
    static unsigned seed;
    if (seed == 0)
        seed = (unsigned)getpid() ^ (unsigned)p2pt_now_ms();
    for (int tries = 0; tries < 1000; tries++) {
        seed = seed * 1103515245u + 12345u;
        uint16_t port = (uint16_t)(20000u + (seed >> 8) % 12000u);
        struct sockaddr_in a;
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        assert_true(fd >= 0);
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(port);
        int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
        close(fd);
        if (ok)
            return port;
    }
    fail_msg("no free port in 20000-31999");
    return 0;
}

yc_signer *p2pt_signer(uint32_t i)
{
    uint8_t sk[32];
    yc_signer *s = NULL;
    memset(sk, (int)(i + 1), sizeof sk);
    assert_int_equal(yc_signer_create(&s, sk), YC_OK);
    return s;
}

static void tick_cb(uv_timer_t *t)
{
    (void)t; /* only wakes uv_run(UV_RUN_ONCE) so predicates are re-checked */
}

void p2pt_net_init(struct p2pt_net *n, uint32_t nval)
{
    memset(n, 0, sizeof *n);
    assert_true(nval <= P2PT_MAX_NODES);
    if (getenv("P2PT_DEBUG"))
        yc_log_set_level(YC_LOG_DEBUG);
    assert_int_equal(uv_loop_init(&n->loop), 0);
    assert_int_equal(yc_pump_init(&n->pump, &n->loop), 0);
    assert_int_equal(uv_timer_init(&n->loop, &n->tick), 0);
    n->nval = nval;
    snprintf(n->g.chain_id, sizeof n->g.chain_id, "%s", P2PT_CHAIN);
    n->g.nvalidators = nval;
    for (uint32_t i = 0; i < P2PT_MAX_NODES + 2; i++) {
        n->ports[i] = p2pt_free_port();
        n->nodes[i].net = n;
    }
    for (uint32_t i = 0; i < nval; i++) {
        yc_signer *s = p2pt_signer(i);
        yc_signer_pubkey(s, n->g.validators[i].pub);
        yc_signer_destroy(s);
        snprintf(n->g.validators[i].name, sizeof n->g.validators[i].name, "v%u", i);
    }
}

void p2pt_stop(struct p2pt_net *n, uint32_t slot)
{
    struct p2pt_node *nd = &n->nodes[slot];
    p2p_stop(nd->p);
    nd->p = NULL;
    yc_signer_destroy(nd->signer);
    nd->signer = NULL;
}

static void close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

void p2pt_net_cleanup(struct p2pt_net *n)
{
    for (uint32_t i = 0; i < P2PT_MAX_NODES + 2; i++)
        p2pt_stop(n, i); /* also frees signers of slots configured but never started */
    uv_close((uv_handle_t *)&n->tick, NULL);
    uv_run(&n->loop, UV_RUN_DEFAULT);
    yc_pump_close(&n->pump); /* after the loop ran dry: nothing is left to post */
    uv_run(&n->loop, UV_RUN_DEFAULT);
    /* anything left open is a leak in the transport: fail loudly */
    uv_walk(&n->loop, close_walk, NULL);
    assert_int_equal(uv_loop_close(&n->loop), 0);
}

static void on_recv(void *ctx, uint64_t peer, uint32_t validator, uint8_t type,
                    const uint8_t *payload, size_t len)
{
    struct p2pt_node *nd = ctx;
    struct p2pt_msg m;
    memset(&m, 0, sizeof m);
    m.peer = peer;
    m.from = validator;
    m.type = type;
    m.len = len;
    memcpy(m.head, payload, len < sizeof m.head ? len : sizeof m.head);
    if (nd->nmsgs < P2PT_MAX_MSGS)
        nd->msgs[nd->nmsgs] = m;
    nd->nmsgs++;
    if (nd->on_msg)
        nd->on_msg(nd, &m, payload);
}

static void on_connect(void *ctx, uint64_t peer, uint32_t validator)
{
    struct p2pt_node *nd = ctx;
    (void)validator;
    nd->connects++;
    nd->last_connect_peer = peer;
}

static void on_disconnect(void *ctx, uint64_t peer, uint32_t validator)
{
    struct p2pt_node *nd = ctx;
    (void)peer;
    (void)validator;
    nd->disconnects++;
}

void p2pt_config(struct p2pt_net *n, uint32_t slot, uint32_t key_index, struct p2p_config *cfg)
{
    static char listen[P2PT_MAX_NODES + 2][32];
    static char peers[P2PT_MAX_NODES + 2][P2PT_MAX_NODES * (YC_ADDR_MAX + 24)];
    struct p2pt_node *nd = &n->nodes[slot];
    memset(cfg, 0, sizeof *cfg);
    if (!nd->signer)
        nd->signer = p2pt_signer(key_index);
    snprintf(listen[slot], sizeof listen[slot], "127.0.0.1:%u", (unsigned)n->ports[slot]);
    cfg->listen = listen[slot];
    /* every other validator, its key pinned (what a testnet's node.conf says) */
    size_t len = 0;
    peers[slot][0] = '\0';
    for (uint32_t i = 0; i < n->nval; i++) {
        char key[YC_ADDR_MAX];
        if (i == key_index)
            continue;
        assert_int_equal(yc_addr_encode(key, n->g.validators[i].pub), YC_OK);
        len += (size_t)snprintf(peers[slot] + len, sizeof peers[slot] - len, "%s%s@127.0.0.1:%u",
                                len > 0 ? "," : "", key, (unsigned)n->ports[i]);
    }
    cfg->persistent_peers = peers[slot];
    cfg->signer = nd->signer;
    cfg->genesis = &n->g;
    cfg->backoff_min_ms = 20;
    cfg->backoff_max_ms = 200;
    cfg->seed = 1000 + slot;
    cfg->on_recv = on_recv;
    cfg->on_connect = on_connect;
    cfg->on_disconnect = on_disconnect;
    cfg->ctx = nd;
}

void p2pt_start(struct p2pt_net *n, uint32_t slot, const struct p2p_config *cfg)
{
    struct p2pt_node *nd = &n->nodes[slot];
    assert_null(nd->p);
    assert_int_equal(p2p_create(&nd->p, &n->loop, &n->pump, cfg), YC_OK);
    assert_int_equal(p2p_start(nd->p), YC_OK);
}

void p2pt_start_default(struct p2pt_net *n, uint32_t i)
{
    struct p2p_config cfg;
    p2pt_config(n, i, i, &cfg);
    p2pt_start(n, i, &cfg);
}

bool p2pt_run_until(struct p2pt_net *n, p2pt_pred pred, void *arg, uint64_t timeout_ms)
{
    uint64_t end = p2pt_now_ms() + timeout_ms;
    uv_timer_start(&n->tick, tick_cb, 5, 5);
    while (!pred(n, arg)) {
        if (p2pt_now_ms() >= end) {
            uv_timer_stop(&n->tick);
            return pred(n, arg);
        }
        uv_run(&n->loop, UV_RUN_ONCE);
    }
    uv_timer_stop(&n->tick);
    return true;
}

static bool never(struct p2pt_net *n, void *arg)
{
    (void)n;
    (void)arg;
    return false;
}

void p2pt_run_for(struct p2pt_net *n, uint64_t ms)
{
    (void)p2pt_run_until(n, never, NULL, ms);
}

bool p2pt_full_mesh(struct p2pt_net *n, void *arg)
{
    (void)arg;
    for (uint32_t i = 0; i < n->nval; i++) {
        if (!n->nodes[i].p)
            continue;
        for (uint32_t j = 0; j < n->nval; j++)
            if (j != i && n->nodes[j].p && !p2p_is_connected(n->nodes[i].p, j))
                return false;
    }
    return true;
}

size_t p2pt_count(const struct p2pt_net *n, uint32_t slot, uint32_t from, uint8_t type)
{
    const struct p2pt_node *nd = &n->nodes[slot];
    size_t c = 0, lim = nd->nmsgs < P2PT_MAX_MSGS ? nd->nmsgs : P2PT_MAX_MSGS;
    for (size_t i = 0; i < lim; i++)
        if (nd->msgs[i].from == from && nd->msgs[i].type == type)
            c++;
    return c;
}

/* ---- raw peer ---- */

int p2pt_raw_connect(uint16_t port)
{
    struct sockaddr_in a;
    struct timeval tv = {5, 0};
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

bool p2pt_raw_write(int fd, const void *buf, size_t len)
{
    const uint8_t *b = buf;
    while (len > 0) {
        ssize_t w = send(fd, b, len, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        b += w;
        len -= (size_t)w;
    }
    return true;
}

static bool read_exact(int fd, uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t r = recv(fd, buf, len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        buf += r;
        len -= (size_t)r;
    }
    return true;
}

bool p2pt_raw_handshake(int fd, const yc_signer *me, struct p2p_session *sess, uint32_t max_frame)
{
    struct p2p_hs hs;
    uint8_t seed[32], hello[P2P_HELLO_LEN], reply[P2P_REPLY_LEN], auth[P2P_AUTH_LEN];
    bool ok;
    randombytes_buf(seed, sizeof seed);
    if (p2p_hs_init(&hs, true, P2PT_CHAIN, seed) != YC_OK)
        return false;
    ok = p2p_hs_hello(&hs, hello) == YC_OK && p2pt_raw_write(fd, hello, sizeof hello) &&
         read_exact(fd, reply, sizeof reply) &&
         p2p_hs_on_reply(&hs, reply, sizeof reply, me, auth, sess, max_frame) == YC_OK &&
         p2pt_raw_write(fd, auth, sizeof auth);
    p2p_hs_cleanup(&hs);
    return ok;
}

bool p2pt_raw_send(int fd, struct p2p_session *sess, uint8_t type, const uint8_t *payload,
                   size_t len)
{
    size_t total = p2p_sealed_len(len + 1);
    uint8_t *buf = malloc(total);
    bool ok;
    if (!buf)
        return false;
    buf[P2P_FRAME_HDR] = type;
    if (len)
        memcpy(buf + P2P_FRAME_HDR + 1, payload, len);
    ok = p2p_seal(sess, buf + P2P_FRAME_HDR, len + 1, buf) == YC_OK &&
         p2pt_raw_write(fd, buf, total);
    free(buf);
    return ok;
}

bool p2pt_raw_recv(int fd, struct p2p_session *sess, uint8_t *out, size_t cap, size_t *len)
{
    uint8_t *frame;
    size_t clen;
    bool ok;
    uint8_t hdr[P2P_FRAME_HDR];
    if (!read_exact(fd, hdr, sizeof hdr) || p2p_frame_len(sess, hdr, &clen) != YC_OK ||
        clen - P2P_MAC_LEN > cap)
        return false;
    frame = malloc(P2P_FRAME_HDR + clen);
    if (!frame)
        return false;
    memcpy(frame, hdr, sizeof hdr);
    ok = read_exact(fd, frame + P2P_FRAME_HDR, clen) &&
         p2p_open(sess, frame, P2P_FRAME_HDR + clen, out, len) == YC_OK;
    free(frame);
    return ok;
}

bool p2pt_raw_closed_within(int fd, uint64_t timeout_ms)
{
    uint64_t end = p2pt_now_ms() + timeout_ms;
    uint8_t buf[4096];
    for (;;) {
        uint64_t now = p2pt_now_ms();
        struct pollfd pf = {fd, POLLIN, 0};
        ssize_t r;
        if (now >= end)
            return false;
        if (poll(&pf, 1, (int)(end - now)) <= 0)
            continue;
        r = recv(fd, buf, sizeof buf, 0);
        if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
            return true;
    }
}

static void *thread_main(void *arg)
{
    struct p2pt_thread *t = arg;
    t->fn(t->arg);
    atomic_store(&t->done, 1);
    return NULL;
}

void p2pt_thread_start(struct p2pt_thread *t, void (*fn)(void *), void *arg)
{
    pthread_t *tid = malloc(sizeof *tid);
    assert_non_null(tid);
    atomic_store(&t->done, 0);
    t->fn = fn;
    t->arg = arg;
    t->tid = tid;
    assert_int_equal(pthread_create(tid, NULL, thread_main, t), 0);
}

void p2pt_thread_join(struct p2pt_thread *t)
{
    pthread_t *tid = t->tid;
    pthread_join(*tid, NULL);
    free(tid);
    t->tid = NULL;
}

bool p2pt_thread_done(struct p2pt_net *n, void *arg)
{
    struct p2pt_thread *t = arg;
    (void)n;
    return atomic_load(&t->done) != 0;
}
