/*
 * submit.c — admission of submitted transactions (yc_node_submit).
 *
 * Steps: decode (once) and chain check at once on the loop — a malformed tx is
 * refused before anything is queued; duplicates (mempool, store, in flight) answer
 * duplicate_tx; the signature check runs on the verify pool (cached); then the
 * pre-check against committed state and the mempool's own rules. Every callback is
 * made from `done_timer`, never from inside yc_node_submit, so callers need not be
 * reentrant.
 *
 * Rejections are remembered for the `tx` method only for verdicts on correctly
 * signed txs: an id with a bad signature is not authenticated, and remembering it
 * would let anyone mark someone else's tx id as rejected.
 *
 * Gossip: a tx admitted from the RPC is gossiped to the validators (net.c); one that
 * arrived by gossip goes through the same admission but is not gossiped again, and a
 * tx already known answers duplicate_tx before any work, so nothing loops.
 */
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "log.h"
#include "net.h"
#include "node_internal.h"
#include "yc/ledger.h"

#define PRECHECK_CACHE_USES 20000 /* clear the pre-check read cache at least this often */

struct submit_req {
    yc_node *n;
    struct yc_tx tx;
    int code;
    bool registered; /* in n->inflight */
    bool gossiped;   /* arrived by gossip: not gossiped again */
    yc_submit_cb cb;
    void *ctx;
    uint8_t id[YC_HASH_LEN];
    struct submit_req *next;
};

static void req_free(struct submit_req *r)
{
    if (r->registered)
        (void)yc_idmap_del(&r->n->inflight, r->id);
    yc_tx_cleanup(&r->tx);
    free(r);
}

static void done_timer_cb(uv_timer_t *t)
{
    yc_node *n = t->data;
    struct submit_req *r = n->done_head;
    n->done_head = n->done_tail = NULL;
    while (r != NULL) {
        struct submit_req *next = r->next;
        if (r->registered) {
            (void)yc_idmap_del(&n->inflight, r->id);
            r->registered = false;
        }
        /* always answered, with YC_EBUSY once stopping: the caller may hold memory for it
         * (an RPC request), and its callback must not reach a closed connection */
        r->cb(r->ctx, n->stopping && r->code == YC_OK ? YC_EBUSY : r->code, r->id);
        req_free(r);
        r = next;
    }
}

/* Queues r's answer for the done timer. */
static void finish(struct submit_req *r, int code)
{
    yc_node *n = r->n;
    r->code = code;
    r->next = NULL;
    if (n->done_tail != NULL)
        n->done_tail->next = r;
    else
        n->done_head = r;
    n->done_tail = r;
    if (!n->stopping)
        uv_timer_start(&n->done_timer, done_timer_cb, 0, 0);
}

/* Pre-check and mempool insertion, after the signature verified. */
static int admit(yc_node *n, struct submit_req *r)
{
    if (n->precheck_uses++ >= PRECHECK_CACHE_USES) {
        yc_overlay_clear(n->precheck);
        n->precheck_uses = 0;
    }
    struct yc_exec_ctx ctx = {.g = &n->genesis, .height = n->tip.height + 1,
                              .time_ms = yc__wall_ms()};
    if (ctx.time_ms <= n->tip.time_ms)
        ctx.time_ms = n->tip.time_ms + 1;
    uint64_t gap = 0;
    int rc = yc_exec_precheck(n->precheck, &ctx, &r->tx, &gap);
    if (rc != YC_OK)
        return rc;
    if (gap > r->tx.nonce)
        return YC_EBADNONCE;
    uint64_t base = r->tx.nonce - gap;
    uint64_t known;
    if (yc_mempool_base(n->mp, r->tx.sender, &known) && known < base)
        yc_mempool_set_base(n->mp, r->tx.sender, base, yc__node_stale_cb, n);
    rc = yc_mempool_add(n->mp, &r->tx, base, uv_now(n->loop));
    if (rc == YC_OK)
        yc_mempool_size(n->mp, &n->metrics.mempool_txs, &n->metrics.mempool_bytes);
    return rc;
}

static void verified_cb(void *ctx, int code, size_t bad_index)
{
    (void)bad_index;
    struct submit_req *r = ctx;
    yc_node *n = r->n;
    if (n->stopping) {
        finish(r, YC_EBUSY);
        return;
    }
    if (code == YC_OK) {
        code = admit(n, r);
        const struct yc_tx *held = code == YC_OK ? yc_mempool_get(n->mp, r->id) : NULL;
        if (held != NULL && !r->gossiped)
            yc__net_gossip_tx(n, held);
        if (code == YC_OK && yc_log_enabled(YC_LOG_DEBUG)) {
            char hex[2 * YC_HASH_LEN + 1];
            yc_hex(hex, r->id, YC_HASH_LEN);
            yc_log_debug("mempool", "admitted %s", hex);
        } else if (code != YC_OK && yc_err_is_verdict(code) && code != YC_EDUPTX &&
                   code != YC_EMEMPOOLFULL) {
            yc_mempool_note_rejected(n->mp, r->id, code);
            n->metrics.txs_rejected_total++;
        }
    }
    uint64_t verified, hits;
    yc_verifier_counters(n->ver, &verified, &hits);
    n->metrics.sig_verifications_total = verified;
    n->metrics.sig_cache_hits_total = hits;
    finish(r, code);
    if (code == YC_OK && n->drv != NULL)
        yc__driver_kick(n->drv);
}

static int submit(yc_node *n, const uint8_t *bytes, size_t len, yc_submit_cb cb, void *ctx,
                  bool gossiped)
{
    if (n->stopping)
        return YC_EBUSY;
    if (yc_node_read_only(n))
        return YC_ENOTAUTH;
    if (len > YC_TX_MAX_BYTES)
        return YC_ETOOLARGE;
    struct submit_req *r = calloc(1, sizeof *r);
    if (r == NULL)
        return YC_ENOMEM;
    r->n = n;
    r->cb = cb;
    r->ctx = ctx;
    r->gossiped = gossiped;
    int rc = yc_tx_decode(&r->tx, bytes, len);
    if (rc != YC_OK) {
        free(r);
        return rc;
    }
    memcpy(r->id, r->tx.id, YC_HASH_LEN);
    n->metrics.txs_received_total++;
    if (r->tx.chain_id.len != strlen(n->genesis.chain_id) ||
        memcmp(r->tx.chain_id.p, n->genesis.chain_id, r->tx.chain_id.len) != 0) {
        req_free(r);
        return YC_EWRONGCHAIN;
    }
    struct store_txloc loc;
    if (yc_mempool_get(n->mp, r->id) != NULL || yc_idmap_get(&n->inflight, r->id) != NULL ||
        store_get_txloc(n->st, r->id, &loc) == YC_OK) {
        finish(r, YC_EDUPTX);
        return YC_OK;
    }
    if (yc_idmap_put(&n->inflight, r->id, r) != YC_OK) {
        req_free(r);
        return YC_ENOMEM;
    }
    r->registered = true;
    rc = yc_verifier_check(n->ver, &r->tx, 1, verified_cb, r);
    if (rc == YC_ELIMIT) {
        finish(r, YC_EMEMPOOLFULL); /* too many checks queued: the caller retries later */
        return YC_OK;
    }
    if (rc != YC_OK) {
        req_free(r);
        return rc;
    }
    return YC_OK;
}

int yc_node_submit(yc_node *n, const uint8_t *bytes, size_t len, yc_submit_cb cb, void *ctx)
{
    return submit(n, bytes, len, cb, ctx, false);
}

static void gossip_done_cb(void *ctx, int code, const uint8_t id[YC_HASH_LEN])
{
    (void)ctx;
    (void)code;
    (void)id;
}

int yc__node_submit_gossip(yc_node *n, const uint8_t *bytes, size_t len)
{
    return submit(n, bytes, len, gossip_done_cb, NULL, true);
}

void yc__submit_stop(yc_node *n)
{
    if (n->ver != NULL)
        yc_verifier_cancel_all(n->ver);
}

void yc__submit_free(yc_node *n)
{
    done_timer_cb(&n->done_timer); /* n->stopping: answers YC_EBUSY, then frees */
}
