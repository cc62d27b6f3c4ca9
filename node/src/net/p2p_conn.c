/*
 * p2p_conn.c — one p2p connection: the three handshake messages, frame assembly and
 * decryption, the capped write queue, and closing.
 *
 * Reading assembles one unit at a time into c->rbuf: a handshake message of fixed size,
 * then for each frame its 4-byte header and, once the declared length is checked against
 * the maximum, header and ciphertext together. The buffer grows (doubling) only as bytes
 * actually arrive, so a peer that declares a large frame and sends little costs little;
 * a declared length over the maximum closes the connection before anything is allocated
 * for it. Frames are decrypted in place.
 *
 * An inbound connection gets its secrets (sodium_malloc) and its ephemeral key only once
 * a whole hello has arrived: until then it holds a little heap and a descriptor, so
 * strangers that connect and say nothing cost little (p2p_slots.c bounds how many).
 *
 * Invariants: c->queued is the sum of the lengths of writes handed to libuv whose
 * callbacks have not run, and never exceeds p->max_queue; a closing connection is
 * unlinked from p->conns at once and freed only when both of its handles are closed;
 * c->sec is set for every outbound connection and for an inbound one past its hello.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "p2p_int.h"

#define MIN_RBUF 4096u

struct wreq {
    uv_write_t req;
    struct p2p_conn *c;
    size_t len;
    uint8_t data[];
};

static void timer_cb(uv_timer_t *t);
static void doom_item_cb(struct yc_pump_item *it);

static void conn_close_cb(uv_handle_t *h)
{
    struct p2p_conn *c = h->data;
    struct p2p *p = c->p;
    if (--c->open_handles > 0)
        return;
    free(c->rbuf);
    sodium_free(c->sec); /* wipes */
    free(c);
    yc__p2p_unref(p);
}

static struct p2p_secrets *new_secrets(void)
{
    struct p2p_secrets *sec = sodium_malloc(sizeof *sec);
    if (sec)
        memset(sec, 0, sizeof *sec);
    return sec;
}

struct p2p_conn *yc__p2p_conn_new(struct p2p *p, bool outbound)
{
    struct p2p_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (outbound && (c->sec = new_secrets()) == NULL) {
        free(c);
        return NULL;
    }
    if (uv_tcp_init(p->loop, &c->tcp) != 0) {
        sodium_free(c->sec);
        free(c);
        return NULL;
    }
    /* uv_timer_init cannot fail once the loop is valid */
    (void)uv_timer_init(p->loop, &c->timer);
    c->tcp.data = c;
    c->timer.data = c;
    c->creq.data = c;
    c->doom_item.fn = doom_item_cb;
    c->open_handles = 2;
    c->p = p;
    c->id = ++p->next_id;
    c->outbound = outbound;
    c->state = outbound ? P2P_C_CONNECTING : P2P_C_HANDSHAKE;
    c->validator = P2P_OBSERVER;
    c->next = p->conns;
    if (p->conns)
        p->conns->prev = c;
    p->conns = c;
    p->nconns++;
    p->stats.connections = p->nconns;
    p->refs++;
    uv_timer_start(&c->timer, timer_cb, p->hs_timeout_ms, 0);
    return c;
}

static void unlink_conn(struct p2p_conn *c)
{
    struct p2p *p = c->p;
    if (c->prev)
        c->prev->next = c->next;
    else if (p->conns == c)
        p->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    p->nconns--;
    p->stats.connections = p->nconns;
}

void yc__p2p_conn_close(struct p2p_conn *c, const char *why, bool violation)
{
    struct p2p *p = c->p;
    if (c->closing)
        return;
    c->closing = true;
    if (violation && (c->state == P2P_C_OPEN || c->state == P2P_C_DRAINING)) {
        yc_log_warn("p2p", "peer %" PRIu64 " (%s): %s; disconnecting", c->id, c->addr, why);
        p->stats.peers_dropped++;
    } else if (violation) {
        p->stats.handshakes_failed++;
        yc__p2p_note_failed_handshake(c, why);
    } else if (c->state == P2P_C_OPEN) {
        yc_log_info("p2p", "peer %" PRIu64 " (%s): %s; disconnected", c->id, c->addr, why);
    } else {
        yc_log_debug("p2p", "connection %" PRIu64 " (%s): %s; closed", c->id, c->addr, why);
    }
    unlink_conn(c);
    yc__p2p_conn_closing(c);
    if (c->sec) {
        p2p_session_cleanup(&c->sec->sess);
        p2p_hs_cleanup(&c->sec->hs);
    }
    uv_timer_stop(&c->timer);
    yc_pump_cancel(p->pump, &c->doom_item);
    uv_close((uv_handle_t *)&c->timer, conn_close_cb);
    uv_close((uv_handle_t *)&c->tcp, conn_close_cb);
}

void yc__p2p_conn_doom(struct p2p_conn *c, const char *why, bool violation)
{
    if (c->closing || c->doomed)
        return;
    c->doomed = true;
    c->doom_why = why;
    c->doom_violation = violation;
    uv_timer_stop(&c->timer); /* no deadline matters now */
    yc_pump_post(c->p->pump, &c->doom_item);
}

static void doom_item_cb(struct yc_pump_item *it)
{
    struct p2p_conn *c = (struct p2p_conn *)((char *)it - offsetof(struct p2p_conn, doom_item));
    yc__p2p_conn_close(c, c->doom_why, c->doom_violation);
}

void yc__p2p_conn_linger(struct p2p_conn *c, uint32_t ms)
{
    if (!c->closing && !c->doomed)
        uv_timer_start(&c->timer, timer_cb, ms, 0);
}

static void timer_cb(uv_timer_t *t)
{
    struct p2p_conn *c = t->data;
    if (c->state == P2P_C_DRAINING)
        yc__p2p_conn_close(c, "replaced by another connection", false);
    else if (c->lingering)
        yc__p2p_conn_close(c, "evicted from the handshake pool", false);
    else if (c->state != P2P_C_OPEN)
        yc__p2p_conn_close(c, "handshake timed out", true);
}

static void write_cb(uv_write_t *req, int status)
{
    struct wreq *w = (struct wreq *)req;
    struct p2p_conn *c = w->c;
    c->queued -= w->len;
    if (status == 0) {
        c->bytes_out += w->len;
        c->p->stats.bytes_out += w->len;
    }
    free(w);
    if (status < 0 && status != UV_ECANCELED && !c->closing)
        yc__p2p_conn_close(c, uv_strerror(status), false);
}

/* Hands w to libuv. On failure frees w and returns an error (the caller decides). */
static int queue_write(struct p2p_conn *c, struct wreq *w)
{
    uv_buf_t b = uv_buf_init((char *)w->data, (unsigned int)w->len);
    w->c = c;
    if (w->len > c->p->max_queue - c->queued) {
        free(w);
        return YC_ELIMIT;
    }
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, write_cb) != 0) {
        free(w);
        return YC_EIO;
    }
    c->queued += w->len;
    return YC_OK;
}

static int write_raw(struct p2p_conn *c, const uint8_t *data, size_t len)
{
    struct wreq *w = malloc(sizeof *w + len);
    if (!w)
        return YC_ENOMEM;
    w->len = len;
    memcpy(w->data, data, len);
    return queue_write(c, w);
}

int yc__p2p_conn_send(struct p2p_conn *c, uint8_t type, const uint8_t *bytes, size_t len)
{
    struct p2p *p = c->p;
    struct wreq *w;
    size_t total;
    int err;
    if (c->closing || c->doomed || c->state != P2P_C_OPEN)
        return YC_ENOTFOUND;
    if (len >= c->sec->sess.max_frame)
        return YC_ELIMIT;
    total = p2p_sealed_len(len + 1);
    if (total > p->max_queue - c->queued) {
        yc__p2p_conn_doom(c, "send queue over its cap", true);
        return YC_ELIMIT;
    }
    w = malloc(sizeof *w + total);
    if (!w)
        return YC_ENOMEM;
    w->len = total;
    w->data[P2P_FRAME_HDR] = type;
    if (len > 0)
        memcpy(w->data + P2P_FRAME_HDR + 1, bytes, len);
    /* sealed in place: plaintext at data+4, ciphertext written over it */
    err = p2p_seal(&c->sec->sess, w->data + P2P_FRAME_HDR, len + 1, w->data);
    if (err != YC_OK) {
        free(w);
        yc__p2p_conn_doom(c, "cannot seal a frame", true);
        return err;
    }
    err = queue_write(c, w);
    if (err != YC_OK) {
        yc__p2p_conn_doom(c, err == YC_ELIMIT ? "send queue over its cap" : "write failed", true);
        return err == YC_ELIMIT ? YC_ELIMIT : YC_EIO;
    }
    c->msgs_out++;
    p->stats.msgs_out++;
    return YC_OK;
}

static void shutdown_cb(uv_shutdown_t *req, int status)
{
    struct p2p_conn *c = req->data;
    free(req);
    if (status < 0 && status != UV_ECANCELED && !c->closing)
        yc__p2p_conn_close(c, "shutdown failed", false);
}

void yc__p2p_conn_drain(struct p2p_conn *c)
{
    uv_shutdown_t *req;
    if (c->closing || c->state == P2P_C_DRAINING)
        return;
    c->state = P2P_C_DRAINING;
    uv_timer_start(&c->timer, timer_cb, P2P_DRAIN_MS, 0);
    req = malloc(sizeof *req);
    if (!req) {
        yc__p2p_conn_close(c, "out of memory", false);
        return;
    }
    req->data = c;
    if (uv_shutdown(req, (uv_stream_t *)&c->tcp, shutdown_cb) != 0) {
        free(req);
        yc__p2p_conn_close(c, "shutdown failed", false);
    }
}

/* Makes room for `want` bytes in rbuf, never more than the unit needs. */
static int grow(struct p2p_conn *c, size_t want)
{
    size_t cap;
    uint8_t *nb;
    if (want <= c->rcap)
        return YC_OK;
    cap = c->rcap < MIN_RBUF ? MIN_RBUF : c->rcap;
    while (cap < want)
        cap *= 2;
    if (cap > c->rneed && c->rneed >= MIN_RBUF)
        cap = c->rneed;
    nb = realloc(c->rbuf, cap);
    if (!nb)
        return YC_ENOMEM;
    c->rbuf = nb;
    c->rcap = cap;
    return YC_OK;
}

static void expect(struct p2p_conn *c, size_t n)
{
    c->rlen = 0;
    c->rneed = n;
}

static void handshake_done(struct p2p_conn *c)
{
    p2p_hs_cleanup(&c->sec->hs);
    yc__p2p_unpend(c);
    expect(c, P2P_FRAME_HDR);
    yc__p2p_identify(c);
}

/* Responder: the whole hello is in: make the secrets and the ephemeral key, answer it. */
static void answer_hello(struct p2p_conn *c)
{
    struct p2p *p = c->p;
    uint8_t seed[32], out[P2P_REPLY_LEN];
    int err;
    c->sec = new_secrets();
    if (!c->sec) {
        yc__p2p_conn_close(c, "out of memory", false);
        return;
    }
    randombytes_buf(seed, sizeof seed);
    err = p2p_hs_init(&c->sec->hs, false, p->chain_id, seed);
    sodium_memzero(seed, sizeof seed);
    if (err != YC_OK) {
        yc__p2p_conn_close(c, "cannot start the handshake", false);
        return;
    }
    if (p2p_hs_on_hello(&c->sec->hs, c->rbuf, c->rlen, p->signer, out) != YC_OK) {
        yc__p2p_conn_close(c, "bad handshake hello (version or chain)", true);
        return;
    }
    if (write_raw(c, out, P2P_REPLY_LEN) != YC_OK) {
        yc__p2p_conn_close(c, "cannot write the handshake", false);
        return;
    }
    c->progress = P2P_PROG_REPLIED;
    expect(c, P2P_AUTH_LEN);
}

static void handshake_unit(struct p2p_conn *c)
{
    struct p2p *p = c->p;
    struct p2p_secrets *s = c->sec;
    uint8_t out[P2P_AUTH_LEN];
    int err;
    if (!c->outbound && !s) {
        answer_hello(c);
    } else if (!c->outbound) {
        err = p2p_hs_on_auth(&s->hs, c->rbuf, c->rlen, &s->sess, p->max_frame);
        if (err != YC_OK) {
            yc__p2p_conn_close(c, "bad handshake auth (signature)", true);
            return;
        }
        handshake_done(c);
    } else {
        err = p2p_hs_on_reply(&s->hs, c->rbuf, c->rlen, p->signer, out, &s->sess, p->max_frame);
        if (err != YC_OK) {
            yc__p2p_conn_close(c, "bad handshake reply (signature)", true);
            return;
        }
        if (write_raw(c, out, P2P_AUTH_LEN) != YC_OK) {
            yc__p2p_conn_close(c, "cannot write the handshake", false);
            return;
        }
        handshake_done(c);
    }
}

static void frame_unit(struct p2p_conn *c)
{
    size_t clen, plen;
    if (c->rneed == P2P_FRAME_HDR) {
        if (p2p_frame_len(&c->sec->sess, c->rbuf, &clen) != YC_OK) {
            yc__p2p_conn_close(c, "frame length over the maximum", true);
            return;
        }
        c->rneed = P2P_FRAME_HDR + clen;
        return;
    }
    if (p2p_open(&c->sec->sess, c->rbuf, c->rlen, c->rbuf + P2P_FRAME_HDR, &plen) != YC_OK) {
        yc__p2p_conn_close(c, "frame failed authentication", true);
        return;
    }
    expect(c, P2P_FRAME_HDR);
    if (plen == 0) {
        yc__p2p_conn_close(c, "empty frame", true);
        return;
    }
    yc__p2p_deliver(c, c->rbuf + P2P_FRAME_HDR, plen);
    if (!c->closing && c->rcap > P2P_KEEP_RBUF) {
        free(c->rbuf);
        c->rbuf = NULL;
        c->rcap = 0;
    }
}

static void feed(struct p2p_conn *c, const uint8_t *data, size_t n)
{
    while (n > 0 && !c->closing) {
        size_t take = c->rneed - c->rlen;
        if (take > n)
            take = n;
        if (grow(c, c->rlen + take) != YC_OK) {
            yc__p2p_conn_close(c, "out of memory", false);
            return;
        }
        memcpy(c->rbuf + c->rlen, data, take);
        c->rlen += take;
        data += take;
        n -= take;
        if (c->rlen < c->rneed)
            continue;
        if (c->state == P2P_C_HANDSHAKE)
            handshake_unit(c);
        else
            frame_unit(c);
    }
}

/*
 * While the rest of a large frame body is at least one read chunk, read straight into the
 * assembly buffer (grown by doubling, never past the frame) and save a copy; otherwise
 * read into the shared buffer. libuv calls read_cb right after alloc_cb for one stream,
 * so one shared buffer serves every connection.
 */
static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    struct p2p_conn *c = h->data;
    size_t end;
    (void)hint;
    if ((c->state == P2P_C_OPEN || c->state == P2P_C_DRAINING) && c->rneed > P2P_FRAME_HDR &&
        c->rneed - c->rlen >= P2P_READ_CHUNK) {
        if (grow(c, c->rlen + P2P_READ_CHUNK) != YC_OK) {
            *buf = uv_buf_init(NULL, 0); /* read_cb gets UV_ENOBUFS */
            return;
        }
        end = c->rcap < c->rneed ? c->rcap : c->rneed;
        *buf = uv_buf_init((char *)c->rbuf + c->rlen, (unsigned int)(end - c->rlen));
        return;
    }
    *buf = uv_buf_init((char *)c->p->rdbuf, sizeof c->p->rdbuf);
}

static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct p2p_conn *c = s->data;
    if (c->closing)
        return;
    if (nread < 0) {
        if (nread == UV_EOF)
            yc__p2p_conn_close(c, "closed by the peer", false);
        else
            yc__p2p_conn_close(c, uv_strerror((int)nread), false);
        return;
    }
    c->bytes_in += (uint64_t)nread;
    c->p->stats.bytes_in += (uint64_t)nread;
    if (nread > 0 && c->progress == P2P_PROG_NONE)
        c->progress = P2P_PROG_BYTES;
    if (buf->base != (char *)c->p->rdbuf) { /* read in place */
        c->rlen += (size_t)nread;
        if (c->rlen == c->rneed)
            frame_unit(c);
        return;
    }
    feed(c, (const uint8_t *)buf->base, (size_t)nread);
}

void yc__p2p_conn_begin(struct p2p_conn *c)
{
    uint8_t seed[32], hello[P2P_HELLO_LEN];
    int err;
    c->state = P2P_C_HANDSHAKE;
    (void)uv_tcp_nodelay(&c->tcp, 1);
    (void)uv_tcp_keepalive(&c->tcp, 1, 30);
    if (!c->outbound) { /* secrets and key once the hello is in (answer_hello) */
        if (uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb) != 0) {
            yc__p2p_conn_close(c, "cannot read", false);
            return;
        }
        expect(c, P2P_HELLO_LEN);
        return;
    }
    randombytes_buf(seed, sizeof seed);
    err = p2p_hs_init(&c->sec->hs, true, c->p->chain_id, seed);
    sodium_memzero(seed, sizeof seed);
    if (err != YC_OK) {
        yc__p2p_conn_close(c, "cannot start the handshake", false);
        return;
    }
    if (uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb) != 0) {
        yc__p2p_conn_close(c, "cannot read", false);
        return;
    }
    if (p2p_hs_hello(&c->sec->hs, hello) != YC_OK || write_raw(c, hello, sizeof hello) != YC_OK) {
        yc__p2p_conn_close(c, "cannot write the handshake", false);
        return;
    }
    expect(c, P2P_REPLY_LEN);
}
