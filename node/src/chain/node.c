/*
 * node.c — the node as node.h presents it to the listeners, and the bookkeeping
 * that follows a tx or block outcome (mempool, watchers, subscribers, metrics).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "driver.h"
#include "log.h"
#include "net.h"
#include "node_internal.h"
#include "p2p.h"
#include "role.h"
#include "sync.h"
#include "yc/alloc.h"
#include "yc/bech32.h"
#include "yc/cliutil.h"
#include "yc/market.h"
#include "yc/objects.h"
#include "yc/pbft.h"
#include "yc/timefmt.h"

uint64_t yc__wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

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
    return &n->genesis;
}

store *yc_node_store(yc_node *n)
{
    return n->st;
}

void yc_node_status(yc_node *n, struct yc_node_status *out)
{
    memset(out, 0, sizeof *out);
    out->chain_id = n->genesis.chain_id;
    snprintf(out->node_id, sizeof out->node_id, "%s", n->node_id);
    out->role = n->validator_index != UINT32_MAX ? "validator" : "observer";
    out->height = n->tip.height;
    out->view = n->view;
    out->primary = pbft_primary(n->vs.n, n->tip.height + 1, n->view);
    memcpy(out->last_block_hash, n->tip.hash, YC_HASH_LEN);
    out->last_block_time_ms = n->tip.time_ms;
    memcpy(out->state_root, n->tip.state_root, YC_HASH_LEN);
    out->catching_up = yc__sync_catching_up(n->sync);
    struct p2p_stats ps;
    p2p_get_stats(n->p2p, &ps);
    out->peers = ps.peers;
    out->validator_index = n->validator_index;
}

const struct yc_node_metrics *yc_node_metrics(yc_node *n)
{
    size_t count, bytes;
    yc_mempool_size(n->mp, &count, &bytes);
    n->metrics.mempool_txs = count;
    n->metrics.mempool_bytes = bytes;
    uint64_t oldest, now = n->loop != NULL ? uv_now(n->loop) : 0;
    n->metrics.mempool_oldest_pending_seconds =
        yc_mempool_oldest(n->mp, &oldest) && now > oldest ? (double)(now - oldest) / 1000.0 : 0;
    yc_verifier_counters(n->ver, &n->metrics.sig_verifications_total,
                         &n->metrics.sig_cache_hits_total);
    struct p2p_stats ps;
    p2p_get_stats(n->p2p, &ps); /* zeros once the transport is stopped */
    if (n->p2p != NULL) {
        n->metrics.p2p_msgs_in_total = ps.msgs_in;
        n->metrics.p2p_msgs_out_total = ps.msgs_out;
        n->metrics.p2p_bytes_in_total = ps.bytes_in;
        memcpy(n->metrics.p2p_payload_in_total, ps.payload_in, sizeof ps.payload_in);
        n->metrics.p2p_bytes_out_total = ps.bytes_out;
        n->metrics.p2p_peers_dropped_total = ps.peers_dropped;
        n->metrics.p2p_handshakes_failed_total = ps.handshakes_failed;
        n->metrics.p2p_conns_evicted_total = ps.conns_evicted;
        n->metrics.p2p_conns_refused_total = ps.conns_refused;
    }
    n->metrics.p2p_peers = ps.peers;
    n->metrics.p2p_validator_peers = ps.validators;
    n->metrics.p2p_observer_peers = ps.observers;
    struct statvfs vfs;
    if (statvfs(n->home.data, &vfs) == 0) {
        n->metrics.storage_free_bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
        n->metrics.storage_size_bytes = (uint64_t)vfs.f_blocks * vfs.f_frsize;
    }
    struct yc_sync_counters sc;
    yc__sync_counters(n->sync, &sc);
    n->metrics.sync_requests_total = sc.requests_sent;
    n->metrics.sync_blocks_total = sc.blocks_applied;
    n->metrics.sync_refused_total = sc.responses_refused;
    n->metrics.sync_blocks_served_total = sc.blocks_served;
    n->metrics.sync_requests_throttled_total = sc.requests_throttled;
    n->metrics.consensus_height = n->drv != NULL ? n->cons_height : n->tip.height + 1;
    struct yc_mempool_pressure pr;
    yc_mempool_pressure(n->mp, &pr);
    n->metrics.mempool_refused_full_total = pr.full_total;
    n->metrics.mempool_refused_sender_total = pr.sender_full_total;
    return &n->metrics;
}

const struct yc_valset *yc_node_valset(yc_node *n)
{
    return &n->vs;
}

const char *yc_node_validator_name(yc_node *n, uint32_t index)
{
    return yc__role_name(n, index);
}

const char *yc_node_cookie(yc_node *n)
{
    return n->cookie;
}

const char *yc_node_config_dir(yc_node *n)
{
    return n->home.config_dir;
}

bool yc_node_ready(yc_node *n, char *why, size_t whylen)
{
    if (n->stopping) {
        snprintf(why, whylen, "stopping");
        return false;
    }
    if (yc__sync_catching_up(n->sync)) {
        snprintf(why, whylen, "catching up with peers (height %llu)",
                 (unsigned long long)n->tip.height);
        return false;
    }
    if (n->drv != NULL && yc__driver_stalled(n->drv, why, whylen))
        return false; /* work waits and nothing commits: [instrumentation] ready_max_stall */
    if (why != NULL && whylen > 0)
        why[0] = '\0';
    return true;
}

bool yc_node_read_only(yc_node *n)
{
    return n->validator_index == UINT32_MAX;
}

size_t yc_node_peers(yc_node *n, struct yc_node_peer *out, size_t cap)
{
    struct p2p_peer_info info[64];
    size_t total = p2p_peers(n->p2p, info, 64);
    size_t k = 0;
    for (size_t i = 0; i < total && i < 64 && k < cap; i++, k++) {
        struct yc_node_peer *o = &out[k];
        memset(o, 0, sizeof *o);
        o->id = info[i].id;
        o->validator = info[i].validator == P2P_OBSERVER ? UINT32_MAX : info[i].validator;
        o->member = info[i].member;
        memcpy(o->pub, info[i].pub, YC_PUBKEY_LEN);
        snprintf(o->addr, sizeof o->addr, "%s", info[i].addr);
        o->outbound = info[i].outbound;
        o->height = yc__sync_peer_height(n->sync, info[i].id);
        o->msgs_in = info[i].msgs_in;
        o->msgs_out = info[i].msgs_out;
        o->bytes_in = info[i].bytes_in;
        o->bytes_out = info[i].bytes_out;
        o->queued_bytes = info[i].queued_bytes;
    }
    return total;
}

void yc_node_tx_status(yc_node *n, const uint8_t id[YC_HASH_LEN], struct yc_tx_status *out)
{
    memset(out, 0, sizeof *out);
    if (yc_mempool_get(n->mp, id) != NULL) {
        out->state = YC_TXS_PENDING;
        return;
    }
    struct store_txloc loc;
    int rc = store_get_txloc(n->st, id, &loc);
    if (rc == YC_OK) {
        out->state = loc.outcome == YC_OK ? YC_TXS_COMMITTED : YC_TXS_FAILED;
        out->code = loc.outcome;
        out->height = loc.height;
        out->index = loc.index;
        int code;
        const char *why = NULL;
        if (loc.outcome != YC_OK && yc_mempool_rejected_why(n->mp, id, &code, &why) &&
            code == loc.outcome)
            out->why = why; /* the words this node worked out when it executed it */
        return;
    }
    int code;
    const char *why = NULL;
    if (yc_mempool_rejected_why(n->mp, id, &code, &why)) {
        out->state = YC_TXS_REFUSED;
        out->code = code;
        out->why = why;
        return;
    }
    if (yc_mempool_expired(n->mp, id)) {
        out->state = YC_TXS_EXPIRED;
        out->code = YC_EEXPIRED;
        return;
    }
    out->state = YC_TXS_UNKNOWN;
}

void yc_node_mempool_size(yc_node *n, size_t *count, size_t *bytes)
{
    yc_mempool_size(n->mp, count, bytes);
}

void yc_node_mempool_each(yc_node *n, size_t limit, yc_mempool_visit_cb cb, void *ctx)
{
    yc_mempool_each(n->mp, limit, cb, ctx);
}

/* ---- outcomes ---- */

void yc__node_tx_rejected(yc_node *n, const uint8_t id[YC_HASH_LEN], int code)
{
    uint8_t copy[YC_HASH_LEN];
    memcpy(copy, id, sizeof copy); /* id may point into the tx being removed */
    const struct yc_tx *held = yc_mempool_get(n->mp, copy);
    uint8_t sender[YC_PUBKEY_LEN];
    if (held != NULL) {
        memcpy(sender, held->sender, sizeof sender);
        yc__submit_forget_sender(n, held->sender); /* its chain lost a tx */
    }
    (void)yc_mempool_remove(n->mp, copy);
    yc_mempool_note_rejected(n->mp, copy, code);
    n->metrics.txs_rejected_total++;
    if (yc_log_enabled(YC_LOG_DEBUG)) {
        char hex[2 * YC_HASH_LEN + 1];
        yc_hex(hex, copy, YC_HASH_LEN);
        yc_log_debug("mempool", "rejected %s: %s", hex, yc_err_name(code));
    }
    struct yc_tx_status st = {.state = YC_TXS_REFUSED, .code = code};
    yc__node_tx_final(n, copy, held != NULL ? sender : NULL, &st);
}

void yc__node_stale_cb(void *ctx, const struct yc_tx *tx)
{
    yc_node *n = ctx;
    uint8_t id[YC_HASH_LEN];
    memcpy(id, tx->id, sizeof id);
    yc__submit_forget_sender(n, tx->sender);
    yc_mempool_note_rejected_why(n->mp, id, YC_EBADNONCE,
                                 "nonce: used by another transaction of its sender, now in a "
                                 "block");
    n->metrics.txs_rejected_total++;
    struct yc_tx_status st = {.state = YC_TXS_REFUSED, .code = YC_EBADNONCE};
    yc__node_tx_final(n, id, tx->sender, &st); /* the tx is freed right after this returns */
}

void yc__node_block_committed(yc_node *n, const struct yc_block *b, double commit_seconds)
{
    for (uint32_t i = 0; i < b->ntx; i++) {
        const struct yc_tx *tx = &b->txs[i];
        (void)yc_mempool_remove(n->mp, tx->id);
        struct yc_tx_status st;
        yc__node_block_tx_status(n, b, i, &st);
        yc__node_tx_final(n, tx->id, tx->sender, &st);
    }
    /* nonces: every tx in a committed block used its nonce (one that failed its type's
     * rules too: yc_exec_tx_outcome; a block holds no other), and a sender's txs in a
     * block run in nonce order, so its next nonce in committed state is now its last
     * tx's nonce + 1: what its stored account says, known without reading it. Its
     * pending txs below that can never commit (yc_mempool_set_base drops them; a sender
     * the mempool does not hold is a look-up). Asked once per run of one sender's txs,
     * at the run's last. */
    for (uint32_t i = 0; i < b->ntx; i++) {
        const struct yc_tx *tx = &b->txs[i];
        if (i + 1 < b->ntx && memcmp(b->txs[i + 1].sender, tx->sender, YC_PUBKEY_LEN) == 0)
            continue;
        yc_mempool_set_base(n->mp, tx->sender, tx->nonce + 1, yc__node_stale_cb, n);
    }
    yc_overlay_clear(n->precheck); /* its reads predate this block */
    yc__submit_block_committed(n); /* every sender's pending overlay predates it too */
    n->precheck_uses = 0;

    n->metrics.blocks_committed_total++;
    n->metrics.txs_committed_total += b->ntx;
    n->metrics.last_block_commit_seconds = commit_seconds;
    YC_HIST_OBSERVE(&n->metrics.block_store_seconds, YC_HIST_STORE_S, commit_seconds);
    YC_HIST_OBSERVE(&n->metrics.block_txs, YC_HIST_BLOCK_TXS, (double)b->ntx);
    uint64_t now_ms = yc__wall_ms();
    YC_HIST_OBSERVE(&n->metrics.commit_latency_seconds, YC_HIST_LATENCY_S,
                    now_ms > b->hdr.time_ms ? (double)(now_ms - b->hdr.time_ms) / 1000.0 : 0);
    yc_mempool_size(n->mp, &n->metrics.mempool_txs, &n->metrics.mempool_bytes);

    yc__role_follow(n); /* the set of the next height: the driver decides it with that set */
    if (!n->stopping)
        yc__node_publish_block(n, b);
    yc__net_committed(n);
    if (n->drv != NULL)
        yc__driver_kick(n->drv);
}

_Noreturn void yc__node_fatal(yc_node *n, int exit_code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    yc_log_error("node", "fatal: %s", msg);
    if (n != NULL)
        yc_home_remove_cookie(&n->home);
    /* no cleanup: nothing half-done may be written; the lock dies with the process */
    _exit(exit_code);
}
