/*
 * net.c — the node on the p2p transport (see net.h).
 *
 * Order: the driver hands consensus messages here only after their journal records
 * were appended with sync (driver.c); nothing here sends a vote on its own.
 *
 * Gossip: an admitted tx is appended to a batch (net.h limits) that is broadcast to
 * the validators on the next loop turn, so a burst of submissions costs one frame per
 * peer rather than one per tx. A received batch is admitted tx by tx through the same
 * path as the RPC (verify pool with its cache), without being gossiped again.
 *
 * Re-gossip: a tx admitted while some validators were unreachable (down, partitioned)
 * would otherwise reach them only in a block, and if only its node holds it, that node
 * alone cannot start a view change (f + 1 are needed) when the primary is idle. So the
 * ready txs (at most REGOSSIP_MAX, proposal order) are sent again to a validator that
 * connects, and to all when the oldest ready tx has waited REGOSSIP_AGE_MS while nothing
 * was committed for as long (the chain stalls), or has waited REGOSSIP_LATE_MS although
 * blocks commit (the primaries, in turn, did not order it). While blocks commit, every
 * validator is primary in turn and proposes what it holds, so a backlog that is merely
 * queueing is not sent again: each copy costs every receiver a decode before its
 * duplicate check.
 *
 * Proposals by ids (yc/pbft_ids.h, docs/design/pbft.md §4a): a PRE-PREPARE of a block this
 * node built goes out as its ids-proposal (type 7), the whole message kept (the last
 * SENT_PP_MAX) for a backup that asks for it whole. One received is resolved from the
 * mempool and the submissions being checked by the fetch (consensus/src/fetch.c), which
 * steps the driver with the rebuilt PRE-PREPARE or asks the sender for what is missing
 * (type 8); a request is answered (type 9) from what this node holds and the block it
 * built, at most ANSWERS_PER_PEER a second per validator and ANSWERS_ALL in all. The
 * fetch's timer runs on the status timer (each second).
 *
 * Counted: txs gossiped out and in, and each received one that was not admitted, by
 * reason (node.h yc_gossip_drop: a frame that does not parse counts once as malformed;
 * what admission decides later is counted by submit.c). Logged: each validator peer lost
 * and found again (with how long it was away), and, at warn, fewer validator peers than
 * a quorum needs with this node for QUORUM_GRACE_MS (which, and since when).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "log.h"
#include "net.h"
#include "netmsg.h"
#include "p2p.h"
#include "role.h"
#include "sync.h"
#include "yc/codec.h"
#include "yc/pbft_ids.h"

#define NET_PEERS_MAX 128 /* peers listed at once (validators; observers: 16 by default) */
#define REGOSSIP_MAX 2000
#define REGOSSIP_AGE_MS 2000
#define REGOSSIP_LATE_MS 10000
#define QUORUM_GRACE_MS 2000     /* fewer validator peers than a quorum needs this long: warn */
#define FETCH_MAX_PENDING 4      /* proposals by ids waiting for txs (one per sender) */
#define FETCH_TIMEOUT_MIN_MS 250 /* a fetch waits a third of timeout_propose, at least this */
#define SENT_PP_MAX 2            /* own whole PRE-PREPAREs kept for requests of one */
#define REBUILT_MAX 2            /* PRE-PREPAREs rebuilt here, kept for the driver's check */
#define ANSWERS_PER_PEER 16      /* tx-requests answered per validator per second */
#define ANSWERS_ALL 64           /* and in all, per second */
#define ANSWER_MAX_BYTES (PBFT_MAX_MSG_BYTES - (1u << 16)) /* signed txs in one tx-response */

struct yc_net {
    yc_node *n;
    uv_timer_t status_timer;
    bool timers_open;
    struct yc_pump_item gossip_item; /* flushes the gossip batch on the next turn */
#ifdef YC_TEST_HOOKS
    uv_signal_t sigusr2;
    bool signal_open;
#endif
    struct yc_buf gossip;
    size_t gossip_count_at;
    uint32_t gossip_n;
    uint64_t last_regossip; /* loop time of the last periodic re-gossip */
    uint64_t last_commit;   /* loop time of the last block committed here, 0: none yet */
    uint64_t lost_at[YC_MAX_VALIDATORS]; /* loop time each validator peer was lost, 0: never */
    uint64_t below_since; /* loop time validator peers fell below a quorum's need, 0: not */
    bool quorum_warned;   /* that was logged (at warn) and has not ended yet */
    /* proposals by tx ids (yc/pbft_ids.h) */
    pbft_fetch *fetch;     /* proposals received by ids, waiting for txs */
    struct yc_buf ids_buf; /* an ids-proposal or a tx-response being sent */
    struct {
        uint8_t digest[YC_HASH_LEN];
        uint8_t *bytes; /* the whole PRE-PREPARE (owned) */
        size_t len;
    } sent[SENT_PP_MAX]; /* own PRE-PREPAREs sent by ids, newest at sent_next - 1 */
    uint32_t sent_next;
    struct {
        uint8_t *bytes; /* a PRE-PREPARE rebuilt from ids, its tx root checked (owned) */
        size_t len;
    } rebuilt[REBUILT_MAX];
    uint32_t rebuilt_next;
    uint32_t answers[YC_MAX_VALIDATORS]; /* tx-requests answered this second, per peer */
    uint32_t answers_all;                /* and in all */
    uint64_t answers_at;                 /* loop time the second began */
#ifdef YC_TEST_HOOKS
    uint32_t gossip_drop; /* test fault: per mille of gossiped txs ignored */
    uint64_t gossip_rng;  /* its xorshift state */
#endif
};

/* ---- status ---- */

static void status_bytes(yc_node *n, uint8_t out[YC_NETMSG_STATUS_LEN])
{
    struct yc_netmsg_status st = {.height = n->tip.height};
    memcpy(st.hash, n->tip.hash, YC_HASH_LEN);
    yc__netmsg_status_encode(out, &st);
}

/* Sends our status to every peer (observers_only: to observers). */
static void send_status(yc_node *n, bool observers_only)
{
    if (n->p2p == NULL)
        return;
    uint8_t st[YC_NETMSG_STATUS_LEN];
    status_bytes(n, st);
    struct p2p_peer_info peers[NET_PEERS_MAX];
    size_t np = p2p_peers(n->p2p, peers, NET_PEERS_MAX);
    for (size_t i = 0; i < np && i < NET_PEERS_MAX; i++) {
        if (observers_only && peers[i].validator != P2P_OBSERVER)
            continue;
        int rc = p2p_send_peer(n->p2p, peers[i].id, P2P_MSG_PING, st, sizeof st);
        if (rc != YC_OK)
            yc_log_debug("net", "status to peer %llu not sent: %s", (unsigned long long)peers[i].id,
                         yc_err_name(rc));
    }
}

static void regossip(yc_node *n);
static uint32_t peers_for_quorum(const yc_node *n);
static void fetch_metrics(yc_node *n);

/* Warns once when fewer validator peers are connected than a quorum needs with this node
 * (for QUORUM_GRACE_MS: a replaced connection or the start is no alarm), and says when
 * enough are back. */
static void check_quorum_peers(yc_node *n)
{
    struct yc_net *g = n->net;
    uint32_t need = peers_for_quorum(n), nv = n->vs.n;
    if (g == NULL || n->p2p == NULL || need == 0)
        return;
    uint32_t have = yc__net_validator_peers(n, UINT32_MAX);
    uint64_t now = uv_now(n->loop);
    if (have >= need) {
        if (g->quorum_warned)
            yc_log_info("net", "%u of %u validator peers connected again: a quorum can form", have,
                        nv - 1);
        g->below_since = 0;
        g->quorum_warned = false;
        return;
    }
    if (g->below_since == 0)
        g->below_since = now;
    if (g->quorum_warned || now < g->below_since + QUORUM_GRACE_MS)
        return;
    g->quorum_warned = true;
    char missing[512] = "";
    size_t len = 0;
    for (uint32_t v = 0; v < nv && len < sizeof missing - 64; v++) {
        if (v == n->validator_index || p2p_is_connected(n->p2p, v))
            continue;
        uint64_t lost = v < YC_MAX_VALIDATORS ? g->lost_at[v] : 0;
        int k = lost != 0
                    ? snprintf(missing + len, sizeof missing - len,
                               "%s%s (lost %.1f s "
                               "ago)",
                               len ? ", " : "", yc__role_name(n, v), (double)(now - lost) / 1000.0)
                    : snprintf(missing + len, sizeof missing - len,
                               "%s%s (never "
                               "connected)",
                               len ? ", " : "", yc__role_name(n, v));
        if (k > 0)
            len += (size_t)k;
    }
    yc_log_warn("net",
                "only %u of %u validator peers connected, fewer than the %u a quorum "
                "needs with this node: nothing commits until more are back; missing: %s",
                have, nv - 1, need, missing);
}

static void status_timer_cb(uv_timer_t *t)
{
    yc_node *n = t->data;
    send_status(n, false);
    check_quorum_peers(n);
    if (n->net != NULL && n->net->fetch != NULL) {
        pbft_fetch_tick(n->net->fetch, uv_now(n->loop));
        fetch_metrics(n);
    }
    uint64_t oldest, now = uv_now(n->loop);
    struct yc_net *g = n->net;
    if (n->drv != NULL && g != NULL && now >= g->last_regossip + REGOSSIP_AGE_MS &&
        yc_mempool_oldest_ready(n->mp, &oldest) && now >= oldest + REGOSSIP_AGE_MS &&
        (now >= g->last_commit + REGOSSIP_AGE_MS || now >= oldest + REGOSSIP_LATE_MS)) {
        g->last_regossip = now;
        regossip(n);
    }
}

void yc__net_committed(yc_node *n)
{
    if (n->net != NULL) {
        n->net->last_commit = uv_now(n->loop);
        pbft_fetch_prune(n->net->fetch, n->tip.height + 1);
    }
    send_status(n, true);
}

/* ---- gossip ---- */

static void gossip_flush(struct yc_net *g)
{
    yc_node *n = g->n;
    if (g->gossip_n == 0)
        return;
    yc__netmsg_list_finish(&g->gossip, g->gossip_count_at, g->gossip_n);
    if (n->p2p != NULL) {
        int rc = p2p_broadcast(n->p2p, P2P_MSG_TX, g->gossip.data, g->gossip.len);
        if (rc < 0)
            yc_log_warn("net", "tx gossip of %u txs failed: %s", g->gossip_n, yc_err_name(rc));
        else
            n->metrics.gossip_txs_sent_total += g->gossip_n;
    }
    g->gossip_n = 0;
    yc_buf_reset(&g->gossip);
}

static void gossip_item_cb(struct yc_pump_item *it)
{
    gossip_flush((struct yc_net *)((char *)it - offsetof(struct yc_net, gossip_item)));
}

void yc__net_gossip_tx(yc_node *n, const struct yc_tx *tx)
{
    struct yc_net *g = n->net;
    if (g == NULL || n->p2p == NULL || n->vs.n < 2 || n->stopping)
        return;
    if (g->gossip_n > 0 &&
        (g->gossip_n >= YC_GOSSIP_BATCH_TXS ||
         g->gossip.len + YC_NETMSG_ITEM_OVERHEAD + tx->len > YC_GOSSIP_BATCH_BYTES))
        gossip_flush(g);
    if (g->gossip_n == 0 && yc__netmsg_txs_begin(&g->gossip, &g->gossip_count_at) != YC_OK)
        return;
    if (yc__netmsg_list_add(&g->gossip, tx->bytes, tx->len) != YC_OK)
        return; /* out of memory: the tx still reaches the others in a block */
    g->gossip_n++;
    if (g->gossip_n == 1)
        yc_pump_post(&n->pump, &g->gossip_item);
}

static int regossip_cb(void *ctx, const struct yc_tx *tx)
{
    yc__net_gossip_tx(ctx, tx);
    return 0;
}

static void regossip(yc_node *n)
{
    yc_mempool_each(n->mp, REGOSSIP_MAX, regossip_cb, n);
}

static void on_gossip(yc_node *n, uint64_t peer, const uint8_t *payload, size_t len)
{
    struct yc_netmsg_list it;
    int rc = yc__netmsg_txs_parse(payload, len, YC_GOSSIP_BATCH_TXS, YC_TX_MAX_BYTES, &it);
    if (rc != YC_OK) {
        n->metrics.gossip_txs_dropped_total[YC_GOSSIP_DROP_MALFORMED]++;
        yc_log_warn("net", "malformed tx gossip from peer %llu: %s", (unsigned long long)peer,
                    yc_err_name(rc));
        return;
    }
    const uint8_t *tx;
    size_t txlen;
    while (yc__netmsg_list_next(&it, &tx, &txlen)) {
        n->metrics.gossip_txs_received_total++;
#ifdef YC_TEST_HOOKS
        struct yc_net *g = n->net;
        if (g->gossip_drop > 0) {
            g->gossip_rng ^= g->gossip_rng << 13;
            g->gossip_rng ^= g->gossip_rng >> 7;
            g->gossip_rng ^= g->gossip_rng << 17;
            if (g->gossip_rng % 1000 < g->gossip_drop)
                continue;
        }
#endif
        rc = yc__node_submit_gossip(n, tx, txlen);
        if (rc != YC_OK) /* refused at once; later verdicts are counted by submit.c */
            n->metrics.gossip_txs_dropped_total[yc_gossip_drop_reason(rc)]++;
        if (rc != YC_OK && rc != YC_EBUSY)
            yc_log_debug("net", "gossiped tx from peer %llu refused: %s", (unsigned long long)peer,
                         yc_err_name(rc));
    }
}

/* ---- consensus ---- */

/* Keeps a copy of a PRE-PREPARE sent by ids, for a backup that asks for it whole. */
static void keep_sent(struct yc_net *g, const uint8_t digest[YC_HASH_LEN], const uint8_t *msg,
                      size_t len)
{
    for (uint32_t i = 0; i < SENT_PP_MAX; i++) {
        if (g->sent[i].bytes != NULL && memcmp(g->sent[i].digest, digest, YC_HASH_LEN) == 0)
            return; /* sent again (a retransmission): kept already */
    }
    uint32_t k = g->sent_next % SENT_PP_MAX;
    uint8_t *copy = malloc(len);
    if (copy == NULL)
        return; /* a request for it whole goes unanswered: the view timer moves on */
    memcpy(copy, msg, len);
    free(g->sent[k].bytes);
    g->sent[k].bytes = copy;
    g->sent[k].len = len;
    memcpy(g->sent[k].digest, digest, YC_HASH_LEN);
    g->sent_next++;
}

/* A PRE-PREPARE of a block this node built goes out as its ids-proposal, in g->ids_buf;
 * false: sent whole (another message, or a block not at hand). */
static bool proposal_by_ids(yc_node *n, const struct pbft_msg *m)
{
    struct yc_net *g = n->net;
    struct pbft_pp pp;
    if (g == NULL || n->drv == NULL || pbft_pp_split(&pp, m->bytes, m->len) != YC_OK)
        return false;
    const struct yc_block *b = yc__driver_block(n->drv, pp.digest);
    if (b == NULL || b->ntx != pp.ntx)
        return false;
    uint8_t(*ids)[YC_HASH_LEN] = malloc((size_t)(b->ntx > 0 ? b->ntx : 1) * YC_HASH_LEN);
    if (ids == NULL)
        return false;
    for (uint32_t i = 0; i < b->ntx; i++)
        memcpy(ids[i], b->txs[i].id, YC_HASH_LEN);
    int rc = pbft_ids_encode(&g->ids_buf, &pp, (const uint8_t(*)[YC_HASH_LEN])ids);
    free(ids);
    if (rc != YC_OK)
        return false;
    keep_sent(g, pp.digest, m->bytes, m->len);
    return true;
}

void yc__net_send_consensus(yc_node *n, const struct pbft_msg *m)
{
    n->metrics.consensus_msgs_sent_total++;
    if (n->p2p == NULL)
        return;
    uint8_t type = P2P_MSG_CONSENSUS;
    const uint8_t *bytes = m->bytes;
    size_t len = m->len;
    if (proposal_by_ids(n, m)) {
        type = P2P_MSG_PROPOSAL_IDS;
        bytes = n->net->ids_buf.data;
        len = n->net->ids_buf.len;
    }
    if (m->to == PBFT_BROADCAST) {
        (void)p2p_broadcast(n->p2p, type, bytes, len);
        return;
    }
    int rc = p2p_send(n->p2p, m->to, type, bytes, len);
    if (rc != YC_OK && rc != YC_ENOTFOUND)
        yc_log_debug("net", "consensus message to validator %u not sent: %s", m->to,
                     yc_err_name(rc));
}

/* ---- proposals by tx ids ---- */

static void fetch_metrics(yc_node *n)
{
    struct pbft_fetch_stats st;
    pbft_fetch_stats(n->net->fetch, &st);
    n->metrics.proposal_txs_resolved_total = st.txs_resolved;
    n->metrics.proposal_txs_fetched_total = st.txs_fetched;
    n->metrics.proposal_fetches_total = st.requests;
    n->metrics.proposal_wholes_total = st.wholes;
}

/* A tx held here: in the mempool, or being checked (its gossiped copy). */
static const struct yc_tx *held_tx(void *ctx, const uint8_t id[YC_HASH_LEN])
{
    yc_node *n = ctx;
    const struct yc_tx *tx = yc_mempool_get(n->mp, id);
    return tx != NULL ? tx : yc__submit_get(n, id);
}

static void fetch_step(void *ctx, uint32_t from, const uint8_t *msg, size_t len)
{
    yc_node *n = ctx;
    struct yc_net *g = n->net;
    if (n->drv == NULL)
        return;
    /* kept first: the driver checks the proposal from inside the step */
    uint32_t k = g->rebuilt_next % REBUILT_MAX;
    uint8_t *copy = malloc(len);
    if (copy != NULL) {
        memcpy(copy, msg, len);
        free(g->rebuilt[k].bytes);
        g->rebuilt[k].bytes = copy;
        g->rebuilt[k].len = len;
        g->rebuilt_next++;
    }
    yc__driver_step(n->drv, from, msg, len);
}

bool yc__net_rebuilt(yc_node *n, const uint8_t *block, size_t len)
{
    struct yc_net *g = n->net;
    for (uint32_t i = 0; g != NULL && i < REBUILT_MAX; i++) {
        struct yc_dec d;
        uint32_t left;
        const uint8_t *b;
        size_t blen;
        if (g->rebuilt[i].bytes == NULL)
            continue;
        yc_dec_init(&d, g->rebuilt[i].bytes, g->rebuilt[i].len);
        if (yc_dec_map(&d, &left) == YC_OK && yc_dec_field(&d, &left, "block") == 1 &&
            yc_dec_bin(&d, &b, &blen) == YC_OK && blen == len && memcmp(b, block, len) == 0)
            return true;
    }
    return false;
}

static void fetch_request(void *ctx, uint32_t to, const uint8_t *req, size_t len)
{
    yc_node *n = ctx;
    int rc = n->p2p != NULL ? p2p_send(n->p2p, to, P2P_MSG_TX_REQ, req, len) : YC_ENOTFOUND;
    if (rc != YC_OK)
        yc_log_debug("net", "tx request to validator %u not sent: %s", to, yc_err_name(rc));
}

static void on_proposal_ids(yc_node *n, uint32_t validator, const uint8_t *payload, size_t len)
{
    char why[PBFT_IDS_WHY_MAX] = "";
    if (validator >= n->vs.n) { /* a member joining later: its proposals come whole */
        yc_log_debug("net", "proposal by ids from a validator outside the set ignored");
        return;
    }
    int rc = pbft_fetch_proposal(n->net->fetch, validator, n->vs.n, payload, len, uv_now(n->loop),
                                 why, sizeof why);
    if (rc != YC_OK)
        yc_log_warn("net", "proposal by ids from validator %u refused: %s%s%s", validator,
                    yc_err_name(rc), why[0] ? ": " : "", why);
    fetch_metrics(n);
}

/* What a tx-request may be answered with: what is held here, or a tx of the block it
 * names when this node built or checked it. */
struct answer_ctx {
    yc_node *n;
    const struct yc_block *block;
};

static const struct yc_tx *answer_tx(void *ctx, const uint8_t id[YC_HASH_LEN])
{
    struct answer_ctx *a = ctx;
    const struct yc_tx *tx = held_tx(a->n, id);
    for (uint32_t i = 0; tx == NULL && a->block != NULL && i < a->block->ntx; i++) {
        if (memcmp(a->block->txs[i].id, id, YC_HASH_LEN) == 0)
            tx = &a->block->txs[i];
    }
    return tx;
}

/* True if one more tx-request of `validator` may be answered this second. */
static bool answer_allowed(struct yc_net *g, uint32_t validator, uint64_t now)
{
    if (now >= g->answers_at + 1000) {
        memset(g->answers, 0, sizeof g->answers);
        g->answers_all = 0;
        g->answers_at = now;
    }
    if (validator >= YC_MAX_VALIDATORS || g->answers[validator] >= ANSWERS_PER_PEER ||
        g->answers_all >= ANSWERS_ALL)
        return false;
    g->answers[validator]++;
    g->answers_all++;
    return true;
}

static void on_tx_request(yc_node *n, uint32_t validator, const uint8_t *payload, size_t len)
{
    struct yc_net *g = n->net;
    char why[PBFT_IDS_WHY_MAX] = "";
    struct pbft_txreq r;
    int rc = pbft_txreq_decode(&r, payload, len, why, sizeof why);
    if (rc != YC_OK) {
        yc_log_warn("net", "tx request from validator %u refused: %s: %s", validator,
                    yc_err_name(rc), why);
        return;
    }
    if (!answer_allowed(g, validator, uv_now(n->loop))) {
        yc_log_debug("net", "tx request from validator %u not answered: over %u a second",
                     validator, ANSWERS_PER_PEER);
        return;
    }
    if (r.nids == 0) { /* the whole PRE-PREPARE */
        for (uint32_t i = 0; i < SENT_PP_MAX; i++) {
            if (g->sent[i].bytes != NULL && memcmp(g->sent[i].digest, r.digest, YC_HASH_LEN) == 0) {
                rc = p2p_send(n->p2p, validator, P2P_MSG_CONSENSUS, g->sent[i].bytes,
                              g->sent[i].len);
                if (rc != YC_OK)
                    yc_log_debug("net", "whole proposal to validator %u not sent: %s", validator,
                                 yc_err_name(rc));
                return;
            }
        }
        yc_log_debug("net", "validator %u asked for a proposal this node does not hold whole",
                     validator);
        return;
    }
    struct answer_ctx a = {.n = n, .block = yc__driver_block(n->drv, r.digest)};
    rc = pbft_txreq_answer(&g->ids_buf, &r, answer_tx, &a, ANSWER_MAX_BYTES);
    if (rc == YC_OK)
        rc = p2p_send(n->p2p, validator, P2P_MSG_TX_RESP, g->ids_buf.data, g->ids_buf.len);
    if (rc != YC_OK)
        yc_log_debug("net", "tx response to validator %u not sent: %s", validator, yc_err_name(rc));
}

static void on_tx_response(yc_node *n, uint32_t validator, const uint8_t *payload, size_t len)
{
    char why[PBFT_IDS_WHY_MAX] = "";
    int rc = pbft_fetch_response(n->net->fetch, validator, payload, len, why, sizeof why);
    if (rc != YC_OK)
        yc_log_warn("net", "tx response from validator %u refused: %s: %s", validator,
                    yc_err_name(rc), why);
    fetch_metrics(n);
}

/* ---- transport callbacks ---- */

void yc__net_set_validators(yc_node *n)
{
    if (n->p2p == NULL)
        return;
    p2p_set_validators(n->p2p, &n->vs, (const uint8_t(*)[YC_PUBKEY_LEN])n->pending, n->npending);
    if (n->net != NULL) /* indices name other keys now */
        memset(n->net->lost_at, 0, sizeof n->net->lost_at);
}

uint32_t yc__net_validator_peers(const yc_node *n, uint32_t except)
{
    uint32_t k = 0;
    for (uint32_t v = 0; n->p2p != NULL && v < n->vs.n; v++)
        k += v != n->validator_index && v != except && p2p_is_connected(n->p2p, v);
    return k;
}

/* Validator peers this validator needs for a quorum (0 for an observer). */
static uint32_t peers_for_quorum(const yc_node *n)
{
    uint32_t q = n->vs.quorum;
    return n->validator_index != UINT32_MAX && q > 0 ? q - 1 : 0;
}

static void on_recv(void *ctx, uint64_t peer, uint32_t validator, uint8_t type,
                    const uint8_t *payload, size_t len)
{
    yc_node *n = ctx;
    if (n->stopping)
        return;
    switch (type) {
    case P2P_MSG_CONSENSUS:
        if (n->drv != NULL)
            yc__driver_step(n->drv, validator, payload, len);
        break;
    case P2P_MSG_TX:
        if (n->drv != NULL)
            on_gossip(n, peer, payload, len);
        break;
    case P2P_MSG_BLOCK_REQ:
        yc__sync_on_request(n->sync, peer, payload, len);
        break;
    case P2P_MSG_BLOCK_RESP:
        yc__sync_on_response(n->sync, peer, payload, len);
        break;
    case P2P_MSG_PING:
        yc__sync_on_status(n->sync, peer, payload, len);
        break;
    case P2P_MSG_PROPOSAL_IDS:
        if (n->drv != NULL)
            on_proposal_ids(n, validator, payload, len);
        break;
    case P2P_MSG_TX_REQ:
        if (n->drv != NULL)
            on_tx_request(n, validator, payload, len);
        break;
    case P2P_MSG_TX_RESP:
        if (n->drv != NULL)
            on_tx_response(n, validator, payload, len);
        break;
    default: /* PONG: our own status echoed */
        break;
    }
}

static void on_connect(void *ctx, uint64_t peer, uint32_t validator)
{
    yc_node *n = ctx;
    if (validator == P2P_OBSERVER) {
        yc_log_info("net", "observer peer %llu connected", (unsigned long long)peer);
    } else {
        uint64_t now = uv_now(n->loop), lost = 0;
        if (n->net != NULL && validator < YC_MAX_VALIDATORS) {
            lost = n->net->lost_at[validator];
            n->net->lost_at[validator] = 0;
        }
        char back[64] = "";
        if (lost != 0 && now >= lost)
            snprintf(back, sizeof back, " (back after %.1f s)", (double)(now - lost) / 1000.0);
        uint32_t nv = n->vs.n;
        yc_log_info("net", "validator %u (%s) connected%s: %u of %u validator peers connected",
                    validator, yc__role_name(n, validator), back,
                    yc__net_validator_peers(n, validator) + 1,
                    n->validator_index != UINT32_MAX && nv > 0 ? nv - 1 : nv);
    }
    if (validator != P2P_OBSERVER && n->drv != NULL)
        regossip(n); /* to all: simpler than a batch per peer, and rare */
    uint8_t st[YC_NETMSG_STATUS_LEN];
    status_bytes(n, st);
    int rc = p2p_send_peer(n->p2p, peer, P2P_MSG_PING, st, sizeof st);
    if (rc != YC_OK)
        yc_log_debug("net", "status to peer %llu not sent: %s", (unsigned long long)peer,
                     yc_err_name(rc));
}

static void on_disconnect(void *ctx, uint64_t peer, uint32_t validator)
{
    yc_node *n = ctx;
    if (validator == P2P_OBSERVER) {
        yc_log_info("net", "observer peer %llu disconnected", (unsigned long long)peer);
    } else {
        if (n->net != NULL && validator < YC_MAX_VALIDATORS)
            n->net->lost_at[validator] = uv_now(n->loop);
        uint32_t nv = n->vs.n;
        yc_log_info("net", "validator %u (%s) disconnected: %u of %u validator peers connected",
                    validator, yc__role_name(n, validator), yc__net_validator_peers(n, validator),
                    n->validator_index != UINT32_MAX && nv > 0 ? nv - 1 : nv);
    }
    yc__sync_peer_gone(n->sync, peer);
}

/* ---- test fault hook ---- */

#ifdef YC_TEST_HOOKS
/* "block=I,J drop=P gossip_drop=G": validators I, J cut off; P per mille of other
 * messages dropped; G per mille of the txs received by gossip ignored (as if never sent:
 * proposals holding them must fetch them). Empty heals. Returns false on a malformed
 * text. */
static bool parse_fault(const char *text, uint64_t *blocked, uint32_t *drop, uint32_t *gdrop)
{
    *blocked = 0;
    *drop = 0;
    *gdrop = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text);
    char *save = NULL;
    for (char *tok = strtok_r(buf, " \t\r\n", &save); tok != NULL;
         tok = strtok_r(NULL, " \t\r\n", &save)) {
        char *end;
        if (strncmp(tok, "block=", 6) == 0) {
            char *save2 = NULL;
            for (char *v = strtok_r(tok + 6, ",", &save2); v != NULL;
                 v = strtok_r(NULL, ",", &save2)) {
                unsigned long i = strtoul(v, &end, 10);
                if (*end != '\0' || end == v || i >= 64)
                    return false;
                *blocked |= (uint64_t)1 << i;
            }
        } else if (strncmp(tok, "gossip_drop=", 12) == 0) {
            unsigned long p = strtoul(tok + 12, &end, 10);
            if (*end != '\0' || end == tok + 12 || p > 1000)
                return false;
            *gdrop = (uint32_t)p;
        } else if (strncmp(tok, "drop=", 5) == 0) {
            unsigned long p = strtoul(tok + 5, &end, 10);
            if (*end != '\0' || end == tok + 5 || p > 1000)
                return false;
            *drop = (uint32_t)p;
        } else {
            return false;
        }
    }
    return true;
}

static void apply_fault(yc_node *n, const char *text, const char *origin)
{
    uint64_t blocked;
    uint32_t drop, gdrop;
    if (!parse_fault(text, &blocked, &drop, &gdrop)) {
        yc_log_warn("net",
                    "test fault from %s ignored: \"%s\" is not \"block=I,J drop=P "
                    "gossip_drop=G\"",
                    origin, text);
        return;
    }
    p2p_set_fault(n->p2p, blocked, drop);
    n->net->gossip_drop = gdrop;
    yc_log_warn("net",
                "TEST FAULT from %s: blocked validators mask 0x%llx, drop %u/1000, gossip "
                "ignored %u/1000",
                origin, (unsigned long long)blocked, drop, gdrop);
}

static void sigusr2_cb(uv_signal_t *h, int signum)
{
    (void)signum;
    yc_node *n = h->data;
    if (n->p2p == NULL)
        return;
    char path[PATH_MAX + 16], text[256] = "";
    snprintf(path, sizeof path, "%s/test_fault", n->home.dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t r = read(fd, text, sizeof text - 1);
        text[r > 0 ? r : 0] = '\0';
        close(fd);
    } else if (errno != ENOENT) {
        yc_log_warn("net", "cannot read %s: %s", path, strerror(errno));
        return;
    }
    apply_fault(n, text, path);
}
#endif

/* ---- lifecycle ---- */

int yc__net_start(yc_node *n)
{
    struct yc_net *g = calloc(1, sizeof *g);
    if (g == NULL)
        return YC_ENOMEM;
    g->n = n;
#ifdef YC_TEST_HOOKS
    g->gossip_rng = 0x9e3779b97f4a7c15ull;
#endif
    yc_buf_init(&g->gossip, YC_GOSSIP_BATCH_BYTES + YC_TX_MAX_BYTES + 64);
    yc_buf_init(&g->ids_buf, PBFT_MAX_MSG_BYTES);
    n->net = g;
    uint64_t third = n->cfg.cons_timeout_propose_ms / 3;
    struct pbft_fetch_limits fl = {
        .max_pending = FETCH_MAX_PENDING,
        .timeout_ms = third > FETCH_TIMEOUT_MIN_MS ? third : FETCH_TIMEOUT_MIN_MS,
    };
    struct pbft_fetch_io fio = {
        .lookup = held_tx, .step = fetch_step, .request = fetch_request, .ctx = n};
    int rc = pbft_fetch_create(&g->fetch, &fl, &fio);
    if (rc != YC_OK)
        return rc;
    rc = yc__sync_create(&n->sync, n);
    if (rc != YC_OK)
        return rc;
    const char *laddr = n->cfg.p2p_laddr;
    if (strncmp(laddr, "tcp://", 6) == 0)
        laddr += 6;
    struct p2p_config pc = {
        .listen = laddr,
        .signer = n->val_signer != NULL ? n->val_signer : n->node_signer,
        .genesis = &n->genesis,
        .persistent_peers = n->cfg.p2p_persistent_peers,
        .allow_observers = n->cfg.p2p_allow_observers,
        .max_inbound_handshakes = (uint32_t)n->cfg.p2p_max_inbound_handshakes,
        .max_handshakes_per_source = (uint32_t)n->cfg.p2p_max_handshakes_per_source,
        .max_observers = (uint32_t)n->cfg.p2p_max_observers,
        .handshake_timeout_ms = (uint32_t)n->cfg.p2p_handshake_timeout_ms,
        .on_recv = on_recv,
        .on_connect = on_connect,
        .on_disconnect = on_disconnect,
        .ctx = n,
    };
    p2p *p = NULL;
    rc = p2p_create(&p, n->loop, &n->pump, &pc);
    if (rc != YC_OK) {
        yc_log_error("node", "p2p: bad [p2p] laddr \"%s\" or persistent_peers \"%s\" (%s)",
                     n->cfg.p2p_laddr, n->cfg.p2p_persistent_peers, yc_err_name(rc));
        return rc;
    }
    rc = p2p_start(p);
    if (rc != YC_OK) {
        p2p_stop(p);
        yc_log_error("node",
                     "cannot listen for peers on %s (%s): is the port in use? choose "
                     "another with --p2p.laddr or [p2p] laddr",
                     laddr, yc_err_name(rc));
        return rc;
    }
    n->p2p = p;
    yc__net_set_validators(n);
    uv_timer_init(n->loop, &g->status_timer);
    g->status_timer.data = n;
    g->gossip_item.fn = gossip_item_cb;
    g->timers_open = true;
    uv_timer_start(&g->status_timer, status_timer_cb, YC_STATUS_INTERVAL_MS, YC_STATUS_INTERVAL_MS);
#ifdef YC_TEST_HOOKS
    uv_signal_init(n->loop, &g->sigusr2);
    g->sigusr2.data = n;
    g->signal_open = true;
    uv_signal_start(&g->sigusr2, sigusr2_cb, SIGUSR2);
    const char *fault = getenv("YUCHAIN_TEST_FAULT");
    if (fault != NULL && fault[0] != '\0')
        apply_fault(n, fault, "YUCHAIN_TEST_FAULT");
#endif
    yc_log_info("node", "p2p listening on %s as %s; %s%s", laddr,
                n->validator_index != UINT32_MAX ? "validator" : "observer",
                n->cfg.p2p_persistent_peers[0] != '\0' ? "dialling " : "dialling nobody",
                n->cfg.p2p_persistent_peers);
    if (n->cfg.p2p_persistent_peers[0] == '\0' && (n->vs.n > 1 || n->validator_index == UINT32_MAX))
        yc_log_warn("node", "[p2p] persistent_peers is empty: this node dials no peer and waits "
                            "to be dialled (the genesis holds no addresses); list the "
                            "validators as KEY@host:port (docs/operator.md, \"Joining a "
                            "consortium\")");
    return YC_OK;
}

void yc__net_stop(yc_node *n)
{
    struct yc_net *g = n->net;
    if (n->p2p != NULL) {
        p2p_stop(n->p2p);
        n->p2p = NULL;
    }
    yc__sync_stop(n->sync);
    if (g == NULL)
        return;
    yc_pump_cancel(&n->pump, &g->gossip_item);
    if (g->timers_open) {
        uv_close((uv_handle_t *)&g->status_timer, NULL);
        g->timers_open = false;
    }
#ifdef YC_TEST_HOOKS
    if (g->signal_open) {
        uv_close((uv_handle_t *)&g->sigusr2, NULL);
        g->signal_open = false;
    }
#endif
}

void yc__net_free(yc_node *n)
{
    yc__sync_destroy(n->sync);
    n->sync = NULL;
    if (n->net != NULL) {
        yc_buf_cleanup(&n->net->gossip);
        yc_buf_cleanup(&n->net->ids_buf);
        pbft_fetch_destroy(n->net->fetch);
        for (uint32_t i = 0; i < SENT_PP_MAX; i++)
            free(n->net->sent[i].bytes);
        for (uint32_t i = 0; i < REBUILT_MAX; i++)
            free(n->net->rebuilt[i].bytes);
        free(n->net);
        n->net = NULL;
    }
}
