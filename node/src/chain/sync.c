/*
 * sync.c — block sync: fetching, checking and applying blocks from peers, and serving
 * them (see sync.h, docs/sync.md).
 *
 * A response is applied one block at a time, in height order, each only at tip + 1:
 * decode; core's rule of a next block against our tip (yc__check_next with YC_CHECK_CERT:
 * chain, height, parent, proposer, time, limits, and the commit certificate against the
 * validator set in force at its height, over the block hash); every transaction
 * signature on the verify pool (cached, so a tx seen by gossip is not checked again);
 * then re-execution on committed state to the state root in the header, one synced
 * store batch, and pbft_decided. A block that fails any check before execution is the
 * peer's fault: the rest of its response is dropped and the peer is not asked again
 * for a while. A certified, correctly signed block that does not execute to its state
 * root means this node diverged from the quorum: it stops (abort), as the driver does.
 *
 * Block sync and consensus may race for the same height: whichever stores it first
 * wins, and the other sees the tip moved and drops its copy.
 */
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "log.h"
#include "netmsg.h"
#include "p2p.h"
#include "producer.h"
#include "sync.h"
#include "sync_plan.h"
#include "yc/alloc.h"
#include "yc/pbft.h"

#define SYNC_TIMER_MS 200
#define SYNC_TIMEOUT_MS 5000
#define SYNC_GRACE_MS 1500
#define SYNC_PENALTY_MS 5000

struct sync_job { /* a block whose signatures are being checked */
    struct yc_sync *s;
    struct yc_block block;
};

struct yc_sync {
    yc_node *n;
    struct yc_sync_plan plan;
    uv_timer_t timer;
    bool timer_open;
    bool stopping;
    /* the response being applied */
    bool applying;
    uint8_t *resp;
    size_t resp_len;
    struct yc_netmsg_list it;
    uint64_t resp_peer;
    uint32_t resp_blocks;
    struct sync_job *job; /* in verification (at most one) */
    struct yc_sync_counters c;
    /* requests served per peer in the current one-second window */
    struct serve_window {
        uint64_t peer, start_ms;
        uint32_t count;
    } served[YC_SYNC_MAX_PEERS];
};

static void apply_next(struct yc_sync *s);

static uint64_t now_ms(const struct yc_sync *s)
{
    return uv_now(s->n->loop);
}

/* ---- requesting ---- */

static void plan_and_request(struct yc_sync *s)
{
    yc_node *n = s->n;
    if (s->stopping || n->p2p == NULL || s->applying)
        return;
    uint64_t peer, from;
    uint32_t count;
    if (!yc__sync_plan_next(&s->plan, n->tip.height, now_ms(s), &peer, &from, &count))
        return;
    uint8_t req[YC_NETMSG_BLOCKREQ_LEN];
    yc__netmsg_blockreq_encode(req, from, count);
    int rc = p2p_send_peer(n->p2p, peer, P2P_MSG_BLOCK_REQ, req, sizeof req);
    if (rc != YC_OK) {
        yc_log_debug("sync", "request to peer %llu failed: %s", (unsigned long long)peer,
                     yc_err_name(rc));
        yc__sync_plan_peer_gone(&s->plan, peer);
        return;
    }
    s->c.requests_sent++;
    yc_log_debug("sync", "asked peer %llu for blocks %llu..%llu (tip %llu, target %llu)",
                 (unsigned long long)peer, (unsigned long long)from,
                 (unsigned long long)(from + count - 1), (unsigned long long)n->tip.height,
                 (unsigned long long)yc__sync_plan_target(&s->plan));
}

static void timer_cb(uv_timer_t *t)
{
    plan_and_request(t->data);
}

/* ---- applying a response ---- */

static void finish_response(struct yc_sync *s, bool ok)
{
    yc__sync_plan_done(&s->plan, ok, s->resp_blocks, now_ms(s));
    free(s->resp);
    s->resp = NULL;
    s->resp_len = 0;
    s->applying = false;
    if (!ok)
        s->c.responses_refused++;
    plan_and_request(s);
}

static void refuse(struct yc_sync *s, uint64_t height, const char *why, int rc)
{
    yc_log_warn("sync", "block %llu from peer %llu refused: %s (%s); asking another peer",
                (unsigned long long)height, (unsigned long long)s->resp_peer, why, yc_err_name(rc));
    finish_response(s, false);
}

static void verified_cb(void *ctx, int code, size_t bad_index)
{
    struct sync_job *j = ctx;
    struct yc_sync *s = j->s;
    yc_node *n = s->n;
    s->job = NULL;
    if (s->stopping) {
        yc_block_cleanup(&j->block);
        free(j);
        return;
    }
    uint64_t height = j->block.hdr.height;
    if (code != YC_OK) {
        char why[64];
        snprintf(why, sizeof why, "transaction %zu does not verify", bad_index);
        yc_block_cleanup(&j->block);
        free(j);
        refuse(s, height, why, code);
        return;
    }
    if (height != n->tip.height + 1) { /* consensus stored it meanwhile */
        yc_block_cleanup(&j->block);
        free(j);
        apply_next(s);
        return;
    }
    struct yc_cert cert = j->block.cert;
    uint8_t hash[YC_HASH_LEN];
    memcpy(hash, j->block.hash, YC_HASH_LEN);
    struct yc_exec_block *e = NULL;
    uint32_t bad = 0;
    int rc = yc__execute_block(n, &j->block, j->block.hdr.view, &e, &bad);
    free(j);
    if (rc == YC_ENOMEM) {
        yc_log_warn("sync", "out of memory executing block %llu; retrying later",
                    (unsigned long long)height);
        finish_response(s, true);
        return;
    }
    if (rc == YC_OK && memcmp(e->digest, hash, YC_HASH_LEN) != 0)
        rc = YC_EDIVERGED;
    if (rc != YC_OK) {
        yc_log_error("sync",
                     "certified block %llu does not execute here (%s, tx %u): this "
                     "node diverged from the certified chain; stopping",
                     (unsigned long long)height, yc_err_name(rc), bad);
        abort();
    }
    yc__store_block(n, e, &cert);
    yc__exec_block_free(e);
    s->c.blocks_applied++;
    yc_log_debug("sync", "applied block %llu from peer %llu", (unsigned long long)height,
                 (unsigned long long)s->resp_peer);
    if (n->drv != NULL)
        yc__driver_synced(n->drv, height, hash);
    apply_next(s);
}

/* Checks the next block of the response and starts its signature check. */
static void step(struct yc_sync *s)
{
    yc_node *n = s->n;
    const uint8_t *item;
    size_t len;
    for (;;) {
        if (!yc__netmsg_list_next(&s->it, &item, &len)) {
            /* an observer following the chain gets one block at a time: debug only */
            yc_log(s->resp_blocks > 1 ? YC_LOG_INFO : YC_LOG_DEBUG, "sync",
                   "at height %llu after %u blocks from peer %llu (target %llu)",
                   (unsigned long long)n->tip.height, s->resp_blocks,
                   (unsigned long long)s->resp_peer,
                   (unsigned long long)yc__sync_plan_target(&s->plan));
            finish_response(s, true);
            return;
        }
        struct sync_job *j = calloc(1, sizeof *j);
        if (j == NULL) {
            finish_response(s, true);
            return;
        }
        j->s = s;
        int rc = yc_block_decode(&j->block, item, len);
        const char *why = NULL;
        struct yc_block_verdict v;
        uint64_t h = j->block.hdr.height;
        if (rc != YC_OK)
            why = "does not decode";
        else if (strcmp(j->block.hdr.chain_id, n->genesis.chain_id) == 0 && h <= n->tip.height)
            why = NULL; /* stored meanwhile: skip below */
        else if ((rc = yc__check_next(n, &j->block, YC_CHECK_CERT, &v)) != YC_OK)
            why = v.why;
        if (why != NULL) {
            yc_block_cleanup(&j->block);
            free(j);
            refuse(s, h, why, rc);
            return;
        }
        if (rc == YC_OK && h <= n->tip.height) {
            yc_block_cleanup(&j->block);
            free(j);
            continue;
        }
        s->job = j;
        rc = yc_verifier_check(n->ver, j->block.txs, j->block.ntx, verified_cb, j);
        if (rc != YC_OK) { /* the verify pool is full: try again later, no one's fault */
            s->job = NULL;
            yc_block_cleanup(&j->block);
            free(j);
            finish_response(s, true);
        }
        return;
    }
}

/* Starts the next block of the response (its signature check answers on a later turn,
 * never from inside yc_verifier_check). */
static void apply_next(struct yc_sync *s)
{
    if (!s->stopping && s->applying && s->job == NULL)
        step(s);
}

void yc__sync_on_response(struct yc_sync *s, uint64_t peer, const uint8_t *payload, size_t len)
{
    if (s->stopping || s->applying)
        return;
    uint64_t from = 0;
    struct yc_netmsg_list it;
    int rc = yc__netmsg_blocks_parse(payload, len, YC_SYNC_BATCH, PBFT_MAX_MSG_BYTES, &from, &it);
    if (rc != YC_OK) {
        if (yc__sync_plan_matches(&s->plan, peer, s->plan.req_from)) {
            yc_log_warn("sync", "malformed block response from peer %llu: %s",
                        (unsigned long long)peer, yc_err_name(rc));
            yc__sync_plan_done(&s->plan, false, 0, now_ms(s));
            s->c.responses_refused++;
        }
        return;
    }
    if (!yc__sync_plan_matches(&s->plan, peer, from)) {
        yc_log_debug("sync", "unrequested block response from peer %llu ignored",
                     (unsigned long long)peer);
        return;
    }
    if (it.n == 0) {
        s->resp_blocks = 0;
        yc__sync_plan_done(&s->plan, true, 0, now_ms(s));
        plan_and_request(s);
        return;
    }
    s->resp = malloc(len);
    if (s->resp == NULL) {
        yc__sync_plan_done(&s->plan, true, it.n, now_ms(s));
        return;
    }
    memcpy(s->resp, payload, len);
    s->resp_len = len;
    rc = yc__netmsg_blocks_parse(s->resp, len, YC_SYNC_BATCH, PBFT_MAX_MSG_BYTES, &from, &s->it);
    (void)rc; /* same bytes, same verdict */
    s->resp_peer = peer;
    s->resp_blocks = it.n;
    s->applying = true;
    apply_next(s);
}

/* ---- serving ---- */

static size_t peer_queued(yc_node *n, uint64_t peer)
{
    struct p2p_peer_info info[YC_SYNC_MAX_PEERS];
    size_t np = p2p_peers(n->p2p, info, YC_SYNC_MAX_PEERS);
    for (size_t i = 0; i < np && i < YC_SYNC_MAX_PEERS; i++) {
        if (info[i].id == peer)
            return info[i].queued_bytes;
    }
    return 0;
}

/* Counts a request of peer; false if it has had YC_SYNC_SERVE_PER_SEC this second. */
static bool serve_allowed(struct yc_sync *s, uint64_t peer)
{
    uint64_t now = now_ms(s);
    struct serve_window *w = NULL, *victim = NULL;
    for (size_t i = 0; i < YC_SYNC_MAX_PEERS && w == NULL; i++) {
        struct serve_window *e = &s->served[i];
        if (e->count > 0 && e->peer == peer)
            w = e;
        else if (victim == NULL ||
                 (victim->count > 0 && (e->count == 0 || e->start_ms < victim->start_ms)))
            victim = e; /* a free slot, else the one with the oldest window */
    }
    if (w == NULL) {
        w = victim;
        *w = (struct serve_window){.peer = peer, .start_ms = now};
    }
    if (now - w->start_ms >= 1000) {
        w->start_ms = now;
        w->count = 0;
    }
    if (w->count >= YC_SYNC_SERVE_PER_SEC)
        return false;
    w->count++;
    return true;
}

void yc__sync_on_request(struct yc_sync *s, uint64_t peer, const uint8_t *payload, size_t len)
{
    yc_node *n = s->n;
    uint64_t from;
    uint32_t count;
    if (s->stopping || n->p2p == NULL)
        return;
    if (yc__netmsg_blockreq_decode(payload, len, &from, &count) != YC_OK) {
        yc_log_debug("sync", "malformed block request from peer %llu ignored",
                     (unsigned long long)peer);
        return;
    }
    if (peer_queued(n, peer) > YC_SYNC_SERVE_QUEUE_MAX)
        return; /* it is not reading what we sent: it will time out and ask again */
    if (!serve_allowed(s, peer)) {
        s->c.requests_throttled++;
        yc_log_debug("sync", "block request from peer %llu over %d per second ignored",
                     (unsigned long long)peer, YC_SYNC_SERVE_PER_SEC);
        return;
    }
    if (count > YC_SYNC_BATCH)
        count = YC_SYNC_BATCH;
    struct yc_buf out;
    yc_buf_init(&out, PBFT_MAX_MSG_BYTES - 1);
    size_t count_at;
    uint32_t nb = 0;
    int rc = yc__netmsg_blocks_begin(&out, from, &count_at);
    for (uint64_t h = from; rc == YC_OK && h <= n->tip.height && h - from < count; h++) {
        uint8_t *bytes = NULL;
        size_t blen = 0;
        int grc = store_get_block(n->st, h, &bytes, &blen);
        if (grc != YC_OK) {
            yc_log_warn("sync", "cannot read block %llu to serve it: %s", (unsigned long long)h,
                        yc_err_name(grc));
            break;
        }
        if (nb > 0 && out.len + YC_NETMSG_ITEM_OVERHEAD + blen > YC_SYNC_RESP_MAX_BYTES) {
            yc_free(bytes);
            break;
        }
        int arc = yc__netmsg_list_add(&out, bytes, blen);
        yc_free(bytes);
        if (arc != YC_OK)
            break; /* over the frame: stop here */
        nb++;
    }
    if (rc == YC_OK) {
        yc__netmsg_list_finish(&out, count_at, nb);
        rc = p2p_send_peer(n->p2p, peer, P2P_MSG_BLOCK_RESP, out.data, out.len);
        if (rc == YC_OK) {
            s->c.requests_served++;
            s->c.blocks_served += nb;
        } else {
            yc_log_debug("sync", "block response to peer %llu not sent: %s",
                         (unsigned long long)peer, yc_err_name(rc));
        }
    }
    yc_buf_cleanup(&out);
}

/* ---- peers and hints ---- */

void yc__sync_on_status(struct yc_sync *s, uint64_t peer, const uint8_t *payload, size_t len)
{
    struct yc_netmsg_status st;
    if (s->stopping || yc__netmsg_status_decode(&st, payload, len) != YC_OK)
        return;
    yc__sync_plan_peer(&s->plan, peer, st.height);
    if (st.height > s->n->tip.height)
        plan_and_request(s);
}

void yc__sync_peer_gone(struct yc_sync *s, uint64_t peer)
{
    bool was = yc__sync_plan_matches(&s->plan, peer, s->plan.req_from);
    yc__sync_plan_peer_gone(&s->plan, peer);
    if (was && !s->applying)
        plan_and_request(s);
}

void yc__sync_hint(struct yc_sync *s, uint64_t height)
{
    if (s == NULL || height == 0)
        return;
    yc__sync_plan_hint(&s->plan, height - 1);
    plan_and_request(s);
}

bool yc__sync_catching_up(struct yc_sync *s)
{
    if (s == NULL || s->n->p2p == NULL)
        return false;
    return s->applying || yc__sync_plan_behind(&s->plan, s->n->tip.height, now_ms(s));
}

uint64_t yc__sync_peer_height(const struct yc_sync *s, uint64_t peer)
{
    for (size_t i = 0; s != NULL && i < s->plan.npeers; i++) {
        if (s->plan.peers[i].id == peer)
            return s->plan.peers[i].height;
    }
    return 0;
}

void yc__sync_counters(const struct yc_sync *s, struct yc_sync_counters *out)
{
    if (s != NULL)
        *out = s->c;
    else
        memset(out, 0, sizeof *out);
}

/* ---- lifecycle ---- */

int yc__sync_create(struct yc_sync **out, yc_node *n)
{
    struct yc_sync *s = calloc(1, sizeof *s);
    *out = NULL;
    if (s == NULL)
        return YC_ENOMEM;
    s->n = n;
    yc__sync_plan_init(&s->plan, YC_SYNC_BATCH, SYNC_TIMEOUT_MS, SYNC_GRACE_MS, SYNC_PENALTY_MS);
    s->plan.eager = n->drv == NULL; /* an observer gets blocks only by sync */
    uv_timer_init(n->loop, &s->timer);
    s->timer.data = s;
    s->timer_open = true;
    uv_timer_start(&s->timer, timer_cb, SYNC_TIMER_MS, SYNC_TIMER_MS);
    *out = s;
    return YC_OK;
}

void yc__sync_set_observer(struct yc_sync *s, bool observer)
{
    if (s != NULL)
        s->plan.eager = observer;
}

void yc__sync_stop(struct yc_sync *s)
{
    if (s == NULL || s->stopping)
        return;
    s->stopping = true;
    if (s->timer_open)
        uv_close((uv_handle_t *)&s->timer, NULL);
    free(s->resp);
    s->resp = NULL;
    s->applying = false;
}

void yc__sync_destroy(struct yc_sync *s)
{
    if (s == NULL)
        return;
    free(s->resp);
    free(s);
}
