/*
 * rpcfake_node.c — a test implementation of node/src/chain/node.h for the RPC unit tests,
 * plus a small non-blocking HTTP client that pumps the same libuv loop.
 *
 * Included (#include "rpcfake_node.c") by tests/unit/node/test_rpc_*.c and
 * test_httpd_*.c only: it defines the yc_node_* functions, so a test that includes it
 * must not also link the real node core's objects (they are not pulled from the
 * static library as long as every yc_node_* symbol is defined here).
 *
 * Everything runs on one thread: the client helpers call uv_run(UV_RUN_NOWAIT) between
 * socket operations, so server, fake node and client share one loop deterministically.
 *
 * Fake behaviour, set by the test through struct yc_node fields:
 *   - submit: decodes the tx (real core decoder); the callback comes on the next loop
 *     turn with `submit_code` (or the decode error); YC_OK adds it to the mempool.
 *   - watch: fires after `commit_after_ms` as committed (height 7, index 0) if
 *     commit_after_ms > 0, else after the timeout as pending.
 *   - events: fk_emit sends an event to every subscriber.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <uv.h>

#include "node.h"
#include "yc/alloc.h"
#include "yc/bech32.h"
#include "yc/genesis.h"
#include "yc/keys.h"
#include "yc/tx.h"

#define FK_MAX_MEMPOOL 64
#define FK_MAX_WATCH 64
#define FK_MAX_SUBS 16
#define FK_MAX_PENDING 256

struct yc_node_watch {
    struct yc_node *n;
    uv_timer_t timer;
    uint8_t id[YC_HASH_LEN];
    yc_watch_cb cb;
    void *ctx;
    bool active;
};

struct yc_node_sub {
    yc_event_cb cb;
    void *ctx;
    bool active;
};

struct fk_pending_submit {
    yc_submit_cb cb;
    void *ctx;
    int code;
    uint8_t id[YC_HASH_LEN];
};

struct yc_node {
    uv_loop_t *loop;
    struct yc_genesis g;
    struct yc_valset vs;
    store *st;
    struct yc_node_status status;
    struct yc_node_metrics metrics;
    char cookie[65];
    bool ready;
    char why[64];
    bool read_only;
    /* submit */
    int submit_rc;                   /* returned by yc_node_submit (YC_OK: callback follows) */
    int submit_code;                 /* passed to the callback for a decodable tx */
    const char *submit_why;          /* the refusal's words passed with a non-ok submit_code */
    struct yc_pump pump;             /* the real pump: httpd defers through it too */
    struct yc_pump_item submit_item; /* answers the pending submits */
    struct fk_pending_submit pend[FK_MAX_PENDING];
    size_t npend;
    size_t submits;
    /* tx status */
    struct yc_tx_status known_status;
    uint8_t known_id[YC_HASH_LEN];
    bool has_known;
    /* mempool */
    struct yc_tx mempool[FK_MAX_MEMPOOL];
    size_t nmempool;
    /* watch */
    uint64_t commit_after_ms;
    struct yc_node_watch *watches[FK_MAX_WATCH];
    size_t nwatches;
    size_t unwatches;
    size_t watch_fired;
    /* subscriptions */
    struct yc_node_sub subs[FK_MAX_SUBS];
    size_t unsubscribes;
};

/* ---- prototypes of the helpers (non-static: not every test uses every one) ---- */
void fk_init(struct yc_node *n, uv_loop_t *loop);
void fk_cleanup(struct yc_node *n);
void fk_signer(yc_signer **s, uint8_t seed);
size_t fk_build_tx(struct yc_node *n, uint8_t seed, uint64_t nonce, uint8_t *out, size_t cap,
                   uint8_t id[YC_HASH_LEN]);
void fk_hex(char *out, const uint8_t *p, size_t len);
void fk_emit(struct yc_node *n, const char *kind, const char *json);
void fk_pump(uv_loop_t *loop, int ms);
int fk_connect(uint16_t port);
bool fk_send(uv_loop_t *loop, int fd, const void *p, size_t len);
struct fk_resp {
    int status; /* 0 = none */
    char head[8192];
    char *body; /* malloc'ed, NUL-terminated */
    size_t body_len;
    bool closed; /* the server closed the connection after (or instead of) it */
};
int fk_read_response(uv_loop_t *loop, int fd, struct fk_resp *r, int timeout_ms);
void fk_resp_free(struct fk_resp *r);
bool fk_wait_closed(uv_loop_t *loop, int fd, int timeout_ms);
size_t fk_read_some(uv_loop_t *loop, int fd, char *buf, size_t cap, int timeout_ms);
int fk_http(uv_loop_t *loop, uint16_t port, const char *method, const char *path, const char *body,
            struct fk_resp *r);

/* ---- node.h ---- */

uv_loop_t *yc_node_loop(yc_node *n)
{
    return n->loop;
}

struct yc_pump *yc_node_pump(yc_node *n)
{
    return &n->pump;
}

const struct yc_genesis *yc_node_genesis(yc_node *n)
{
    return &n->g;
}

store *yc_node_store(yc_node *n)
{
    return n->st;
}

void yc_node_status(yc_node *n, struct yc_node_status *out)
{
    *out = n->status;
}

const struct yc_node_metrics *yc_node_metrics(yc_node *n)
{
    return &n->metrics;
}

const char *yc_node_cookie(yc_node *n)
{
    return n->cookie;
}

const struct yc_valset *yc_node_valset(yc_node *n)
{
    yc_valset_genesis(&n->vs, &n->g); /* the fake chain never changes its set */
    return &n->vs;
}

const char *yc_node_validator_name(yc_node *n, uint32_t index)
{
    return index < n->g.nvalidators ? n->g.validators[index].name : "?";
}

bool yc_node_ready(yc_node *n, char *why, size_t whylen)
{
    if (!n->ready)
        snprintf(why, whylen, "%s", n->why);
    return n->ready;
}

bool yc_node_read_only(yc_node *n)
{
    return n->read_only;
}

size_t yc_node_peers(yc_node *n, struct yc_node_peer *out, size_t cap)
{
    (void)n;
    (void)out;
    (void)cap;
    return 0; /* the fake node has no transport */
}

static void fk_submit_item_cb(struct yc_pump_item *it)
{
    struct yc_node *n = (struct yc_node *)((char *)it - offsetof(struct yc_node, submit_item));
    /* Callbacks may submit again: work on a copy. */
    struct fk_pending_submit batch[FK_MAX_PENDING];
    size_t k = n->npend;
    memcpy(batch, n->pend, k * sizeof(batch[0]));
    n->npend = 0;
    for (size_t i = 0; i < k; i++)
        batch[i].cb(batch[i].ctx, batch[i].code, batch[i].id,
                    batch[i].code != YC_OK ? n->submit_why : NULL);
}

int yc_node_submit(yc_node *n, const uint8_t *bytes, size_t len, yc_submit_cb cb, void *ctx)
{
    if (n->submit_rc != YC_OK)
        return n->submit_rc;
    if (n->npend >= FK_MAX_PENDING)
        return YC_EMEMPOOLFULL;
    n->submits++;
    struct fk_pending_submit *p = &n->pend[n->npend++];
    memset(p, 0, sizeof(*p));
    p->cb = cb;
    p->ctx = ctx;
    struct yc_tx tx;
    int rc = yc_tx_decode(&tx, bytes, len);
    if (rc != YC_OK) {
        p->code = rc;
    } else {
        memcpy(p->id, tx.id, YC_HASH_LEN);
        p->code = n->submit_code;
        if (p->code == YC_OK && n->nmempool < FK_MAX_MEMPOOL)
            n->mempool[n->nmempool++] = tx;
        else
            yc_tx_cleanup(&tx);
    }
    yc_pump_post(&n->pump, &n->submit_item);
    return YC_OK;
}

void yc_node_pending_nonce(yc_node *n, const uint8_t sender[YC_PUBKEY_LEN], uint64_t *committed,
                           uint64_t *pending)
{
    (void)sender;
    *committed = 0;
    *pending = n->nmempool;
}

void yc_node_tx_status(yc_node *n, const uint8_t id[YC_HASH_LEN], struct yc_tx_status *out)
{
    memset(out, 0, sizeof(*out));
    if (n->has_known && memcmp(id, n->known_id, YC_HASH_LEN) == 0) {
        *out = n->known_status;
        return;
    }
    for (size_t i = 0; i < n->nmempool; i++) {
        if (memcmp(n->mempool[i].id, id, YC_HASH_LEN) == 0) {
            out->state = YC_TXS_PENDING;
            return;
        }
    }
}

static void fk_watch_closed(uv_handle_t *h)
{
    free(h->data);
}

static void fk_watch_release(struct yc_node_watch *w)
{
    struct yc_node *n = w->n;
    for (size_t i = 0; i < n->nwatches; i++) {
        if (n->watches[i] == w) {
            n->watches[i] = n->watches[--n->nwatches];
            break;
        }
    }
    w->active = false;
    uv_timer_stop(&w->timer);
    uv_close((uv_handle_t *)&w->timer, fk_watch_closed);
}

static void fk_watch_fire(uv_timer_t *t)
{
    struct yc_node_watch *w = t->data;
    struct yc_node *n = w->n;
    struct yc_tx_status st = {.state = YC_TXS_PENDING};
    if (n->commit_after_ms > 0) {
        st.state = YC_TXS_COMMITTED;
        st.height = 7;
        st.index = 0;
    }
    n->watch_fired++;
    yc_watch_cb cb = w->cb;
    void *ctx = w->ctx;
    uint8_t id[YC_HASH_LEN];
    memcpy(id, w->id, YC_HASH_LEN);
    fk_watch_release(w);
    cb(ctx, id, &st);
}

yc_node_watch *yc_node_watch_tx(yc_node *n, const uint8_t id[YC_HASH_LEN], uint64_t timeout_ms,
                                yc_watch_cb cb, void *ctx)
{
    if (n->nwatches >= FK_MAX_WATCH)
        return NULL;
    struct yc_node_watch *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    w->n = n;
    memcpy(w->id, id, YC_HASH_LEN);
    w->cb = cb;
    w->ctx = ctx;
    w->active = true;
    uv_timer_init(n->loop, &w->timer);
    w->timer.data = w;
    uint64_t after =
        n->commit_after_ms > 0 && n->commit_after_ms < timeout_ms ? n->commit_after_ms : timeout_ms;
    if (n->commit_after_ms > 0 && n->commit_after_ms >= timeout_ms)
        after = timeout_ms;
    uv_timer_start(&w->timer, fk_watch_fire, after, 0);
    n->watches[n->nwatches++] = w;
    return w;
}

void yc_node_unwatch(yc_node *n, yc_node_watch *w)
{
    n->unwatches++;
    if (w && w->active)
        fk_watch_release(w);
}

void yc_node_mempool_size(yc_node *n, size_t *count, size_t *bytes)
{
    *count = n->nmempool;
    *bytes = 0;
    for (size_t i = 0; i < n->nmempool; i++)
        *bytes += n->mempool[i].len;
}

void yc_node_mempool_each(yc_node *n, size_t limit, yc_mempool_visit_cb cb, void *ctx)
{
    for (size_t i = 0; i < n->nmempool && i < limit; i++) {
        if (cb(ctx, &n->mempool[i]) != 0)
            break;
    }
}

yc_node_sub *yc_node_subscribe(yc_node *n, yc_event_cb cb, void *ctx)
{
    for (size_t i = 0; i < FK_MAX_SUBS; i++) {
        if (!n->subs[i].active) {
            n->subs[i].cb = cb;
            n->subs[i].ctx = ctx;
            n->subs[i].active = true;
            return &n->subs[i];
        }
    }
    return NULL;
}

void yc_node_unsubscribe(yc_node *n, yc_node_sub *s)
{
    n->unsubscribes++;
    if (s)
        s->active = false;
}

/* ---- helpers ---- */

void fk_signer(yc_signer **s, uint8_t seed)
{
    uint8_t sk[YC_SECKEY_LEN];
    memset(sk, seed, sizeof(sk));
    if (yc_signer_create(s, sk) != YC_OK)
        abort();
}

void fk_init(struct yc_node *n, uv_loop_t *loop)
{
    memset(n, 0, sizeof(*n));
    n->loop = loop;
    if (yc_pump_init(&n->pump, loop) != 0)
        abort();
    n->submit_item.fn = fk_submit_item_cb;
    n->ready = true;
    snprintf(n->cookie, sizeof(n->cookie), "%s",
             "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    struct yc_genesis *g = &n->g;
    snprintf(g->chain_id, sizeof(g->chain_id), "test-chain");
    g->genesis_time_ms = 1700000000000ull;
    yc_params_default(&g->params);
    yc_signer *v;
    fk_signer(&v, 1);
    g->nvalidators = 1;
    snprintf(g->validators[0].name, sizeof(g->validators[0].name), "v0");
    yc_signer_pubkey(v, g->validators[0].pub);
    yc_signer_destroy(v);
    g->accounts = yc_calloc(1, sizeof(*g->accounts));
    g->naccounts = 1;
    yc_signer *ex;
    fk_signer(&ex, 2);
    yc_signer_pubkey(ex, g->accounts[0].pub);
    yc_signer_destroy(ex);
    snprintf(g->accounts[0].role, sizeof(g->accounts[0].role), "exchange");
    snprintf(g->accounts[0].name, sizeof(g->accounts[0].name), "Exchange");
    snprintf(g->accounts[0].jurisdiction, sizeof(g->accounts[0].jurisdiction), "CN-CQ");
    g->accounts[0].balance = 1000;
    if (yc_genesis_finalize(g) != YC_OK)
        abort();
    n->status.chain_id = g->chain_id;
    snprintf(n->status.node_id, sizeof(n->status.node_id), "yc1fakenode");
    n->status.role = "validator";
    n->status.height = 5;
    n->status.last_block_time_ms = 1700000005123ull;
    n->status.validator_index = 0;
}

void fk_cleanup(struct yc_node *n)
{
    for (size_t i = 0; i < n->nmempool; i++)
        yc_tx_cleanup(&n->mempool[i]);
    n->nmempool = 0;
    while (n->nwatches > 0)
        fk_watch_release(n->watches[0]);
    yc_pump_close(&n->pump);
    yc_genesis_cleanup(&n->g);
}

size_t fk_build_tx(struct yc_node *n, uint8_t seed, uint64_t nonce, uint8_t *out, size_t cap,
                   uint8_t id[YC_HASH_LEN])
{
    /* evidence.anchor {digest, kind}: a body with few rules, built by hand (canonical:
     * keys sorted). */
    uint8_t body[64];
    size_t bl = 0;
    body[bl++] = 0x82;
    body[bl++] = 0xa6;
    memcpy(body + bl, "digest", 6);
    bl += 6;
    body[bl++] = 0xc4;
    body[bl++] = 32;
    memset(body + bl, seed, 32);
    bl += 32;
    body[bl++] = 0xa4;
    memcpy(body + bl, "kind", 4);
    bl += 4;
    body[bl++] = 0xa4;
    memcpy(body + bl, "test", 4);
    bl += 4;
    yc_signer *s;
    fk_signer(&s, seed);
    struct yc_buf b;
    yc_buf_init(&b, 0);
    uint8_t aux[32] = {0};
    int rc =
        yc_tx_build_signed(&b, id, n->g.chain_id, YC_TX_EVIDENCE_ANCHOR, s, nonce, body, bl, aux);
    yc_signer_destroy(s);
    if (rc != YC_OK || b.len > cap)
        abort();
    memcpy(out, b.data, b.len);
    size_t len = b.len;
    yc_buf_cleanup(&b);
    return len;
}

void fk_hex(char *out, const uint8_t *p, size_t len)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = d[p[i] >> 4];
        out[2 * i + 1] = d[p[i] & 15];
    }
    out[2 * len] = 0;
}

void fk_emit(struct yc_node *n, const char *kind, const char *json)
{
    struct yc_node_event ev = {.kind = kind, .json = json};
    for (size_t i = 0; i < FK_MAX_SUBS; i++) {
        if (n->subs[i].active)
            n->subs[i].cb(n->subs[i].ctx, &ev);
    }
}

/* The fake has no home. */
const char *yc_node_config_dir(yc_node *n)
{
    (void)n;
    return "";
}

/* The fake keeps no blocks: no stream replays anything from it. */
int yc_node_block_events(yc_node *n, uint64_t height, int64_t after, yc_event_cb cb, void *ctx)
{
    (void)n;
    (void)height;
    (void)after;
    (void)cb;
    (void)ctx;
    return YC_ENOTFOUND;
}

void fk_pump(uv_loop_t *loop, int ms)
{
    uint64_t end = uv_hrtime() + (uint64_t)ms * 1000000u;
    do {
        uv_run(loop, UV_RUN_NOWAIT);
        usleep(200);
    } while (uv_hrtime() < end);
}

int fk_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* The listen backlog accepts the connection before the loop runs. */
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

bool fk_send(uv_loop_t *loop, int fd, const void *p, size_t len)
{
    const char *c = p;
    uint64_t end = uv_hrtime() + 5000000000ull;
    while (len > 0) {
        ssize_t n = send(fd, c, len, MSG_NOSIGNAL);
        if (n > 0) {
            c += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return false;
        if (uv_hrtime() > end)
            return false;
        uv_run(loop, UV_RUN_NOWAIT);
        usleep(100);
    }
    uv_run(loop, UV_RUN_NOWAIT);
    return true;
}

/* Reads until `pred` holds on the buffer or timeout/close. Returns bytes read. */
static size_t fk_read_until(uv_loop_t *loop, int fd, char *buf, size_t cap, size_t have,
                            size_t want, int timeout_ms, bool *closed)
{
    uint64_t end = uv_hrtime() + (uint64_t)timeout_ms * 1000000u;
    *closed = false;
    while (have < want && have < cap) {
        uv_run(loop, UV_RUN_NOWAIT);
        ssize_t n = recv(fd, buf + have, cap - have, 0);
        if (n > 0) {
            have += (size_t)n;
            continue;
        }
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
            *closed = true;
            break;
        }
        if (uv_hrtime() > end)
            break;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        poll(&pfd, 1, 1);
    }
    return have;
}

size_t fk_read_some(uv_loop_t *loop, int fd, char *buf, size_t cap, int timeout_ms)
{
    bool closed;
    return fk_read_until(loop, fd, buf, cap, 0, cap, timeout_ms, &closed);
}

int fk_read_response(uv_loop_t *loop, int fd, struct fk_resp *r, int timeout_ms)
{
    memset(r, 0, sizeof(*r));
    /* Read byte by byte up to the end of the head, so a pipelined next response stays
     * in the socket. */
    size_t hl = 0;
    bool closed = false;
    while (hl < sizeof(r->head) - 1) {
        size_t got = fk_read_until(loop, fd, r->head, hl + 1, hl, hl + 1, timeout_ms, &closed);
        if (got == hl)
            break;
        hl = got;
        if (hl >= 4 && memcmp(r->head + hl - 4, "\r\n\r\n", 4) == 0)
            break;
    }
    r->head[hl] = 0;
    r->closed = closed;
    if (hl < 12 || strncmp(r->head, "HTTP/1.1 ", 9) != 0)
        return 0;
    r->status = atoi(r->head + 9);
    if (r->status == 100) /* an interim response: the real one follows */
        return fk_read_response(loop, fd, r, timeout_ms);
    const char *cl = NULL;
    for (const char *p = r->head; *p && !cl; p++) {
        if (strncasecmp(p, "\r\nContent-Length:", 17) == 0)
            cl = p;
    }
    size_t want = cl ? (size_t)strtoul(cl + 17, NULL, 10) : 0;
    r->body = malloc(want + 1);
    size_t got = want ? fk_read_until(loop, fd, r->body, want, 0, want, timeout_ms, &closed) : 0;
    r->body[got] = 0;
    r->body_len = got;
    if (closed)
        r->closed = true;
    return r->status;
}

void fk_resp_free(struct fk_resp *r)
{
    free(r->body);
    r->body = NULL;
}

bool fk_wait_closed(uv_loop_t *loop, int fd, int timeout_ms)
{
    char buf[4096];
    uint64_t end = uv_hrtime() + (uint64_t)timeout_ms * 1000000u;
    while (uv_hrtime() < end) {
        uv_run(loop, UV_RUN_NOWAIT);
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            return true;
        if (n < 0) {
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            poll(&pfd, 1, 1);
        }
    }
    return false;
}

/* One request on a fresh connection; returns the status (0 if none). */
int fk_http(uv_loop_t *loop, uint16_t port, const char *method, const char *path, const char *body,
            struct fk_resp *r)
{
    int fd = fk_connect(port);
    if (fd < 0)
        return 0;
    char head[1024];
    size_t bl = body ? strlen(body) : 0;
    int hn = snprintf(head, sizeof(head),
                      "%s %s HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n"
                      "Content-Type: application/json\r\n\r\n",
                      method, path, bl);
    int st = 0;
    if (fk_send(loop, fd, head, (size_t)hn) && (bl == 0 || fk_send(loop, fd, body, bl)))
        st = fk_read_response(loop, fd, r, 5000);
    close(fd);
    fk_pump(loop, 2);
    return st;
}
