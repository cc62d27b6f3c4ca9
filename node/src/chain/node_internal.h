/*
 * node_internal.h — the node's insides, shared by node.c (the node.h API), submit.c
 * (admission), events.c (watches and subscribers), driver.c (consensus driver),
 * producer.c (block building and checking) and run.c (start-up and shutdown).
 * Not for the RPC code: it sees only node.h. Everything runs on the loop thread.
 */
#ifndef YC_NODE_INTERNAL_H
#define YC_NODE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "config.h"
#include "home.h"
#include "idmap.h"
#include "mempool.h"
#include "node.h"
#include "pump.h"
#include "verify.h"
#include "yc/block.h"
#include "yc/genesis.h"
#include "yc/keys.h"
#include "yc/state.h"
#include "yc/store.h"

struct yc_rpc;
struct yc_driver;
struct submit_req;
struct p2p;
struct yc_sync;
struct yc_net;
struct yc_admission;

struct yc_run_opts;

#define YC_NODE_VNAME_MAX 66 /* a genesis name (64) or an address's start, and NUL */

struct yc_node {
    uv_loop_t *loop;
    struct yc_home home;
    struct yc_config cfg;
    struct yc_genesis genesis;
    store *st;
    struct store_tip tip; /* last committed block, kept in step with the store */

    yc_signer *node_signer;
    uint8_t node_pub[YC_PUBKEY_LEN];
    char node_id[100];
    yc_signer *val_signer; /* validator_key.json, if the home has one (in the set or not) */
    uint8_t val_pub[YC_PUBKEY_LEN];
    uint32_t validator_index; /* position in vs, UINT32_MAX for an observer (role.h) */
    struct yc_valset vs;      /* the validator set in force at tip + 1 (role.h) */
    char vnames[YC_MAX_VALIDATORS][YC_NODE_VNAME_MAX]; /* a name for each key of vs */
    uint8_t pending[YC_MAX_VALIDATORS][YC_PUBKEY_LEN]; /* keys joining at a later height */
    uint32_t npending;
    struct yc_driver **retired; /* drivers stopped when this node left the set (role.c) */
    size_t nretired;
    char cookie[65];
    int lock_fd;
    struct yc_httpd_tls *rpc_tls; /* read at start (run.c) until the RPC listener takes it */
    struct yc_httpd_tls *ops_tls; /* likewise for the operations listener */

    yc_mempool *mp;
    yc_verifier *ver;
    struct yc_driver *drv; /* NULL for an observer */
    struct p2p *p2p;       /* the transport (net.c); NULL before start and after stop */
    struct yc_sync *sync;  /* block sync (sync.c) */
    struct yc_net *net;    /* gossip, status pings, fault hook (net.c) */
    yc_overlay *precheck;  /* read cache over committed state; cleared each block */
    size_t precheck_uses;
    struct yc_admission *adm; /* per-sender overlays of pending txs (submit.c) */
    uv_timer_t expire_timer;  /* mempool expiry (submit.c) */
    bool expire_timer_open;

    struct yc_idmap inflight;                 /* ids being verified or admitted → submit_req */
    struct submit_req *done_head, *done_tail; /* finished submits, answered on the next turn */
    struct yc_pump_item done_item;
    struct yc_pump pump; /* the next-turn queue (pump.h): the node's one way to defer */

    struct yc_idmap watches; /* id → first yc_node_watch for it */
    struct yc_node_watch *all_watches;
    struct yc_node_sub *subs;
    unsigned dispatching; /* > 0 while subscribers are being called */

    struct yc_node_metrics metrics;
    uint64_t view, cons_height;
    struct yc_rpc *rpc, *ops;
    uv_signal_t sigint, sigterm, sighup;
    const struct yc_run_opts *run_opts; /* as started (run.c): SIGHUP re-reads [log] */
    bool started;                       /* loop handles initialized */
    bool stopping;
    int exit_code;
};

/* Wall-clock Unix milliseconds (block times). */
uint64_t yc__wall_ms(void);

/* A tx left the mempool with a final outcome: notify watchers and subscribers. `sender`
 * is its sender's key when known (the events' account filter), else NULL. */
void yc__node_tx_final(yc_node *n, const uint8_t id[YC_HASH_LEN], const uint8_t *sender,
                       const struct yc_tx_status *st);
/* The outcome of transaction i of committed block b, with the words this node keeps of
 * a failure (events.c; the live events and their replay use it both). */
void yc__node_block_tx_status(yc_node *n, const struct yc_block *b, uint32_t i,
                              struct yc_tx_status *st);
/* Publishes block b's own event and its alerts' events (after its tx events). */
void yc__node_publish_block(yc_node *n, const struct yc_block *b);
/* A tx was refused when its block was built or executed: forget it, remember why. */
void yc__node_tx_rejected(yc_node *n, const uint8_t id[YC_HASH_LEN], int code);
/* A pending tx whose nonce went stale (yc_mempool_drop_cb; ctx is the node): it is
 * remembered and reported rejected with bad_nonce. */
void yc__node_stale_cb(void *ctx, const struct yc_tx *tx);
/* Block b (stored) is the new tip: mempool, watchers, subscribers, metrics. */
void yc__node_block_committed(yc_node *n, const struct yc_block *b, double commit_seconds);

/* Unrecoverable local failure (storage write): log, remove the cookie, exit(code). */
_Noreturn void yc__node_fatal(yc_node *n, int exit_code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Watches and subscribers (events.c): teardown at shutdown. */
void yc__events_stop(yc_node *n);
void yc__events_free(yc_node *n);

/* Admission of a tx received by gossip (submit.c): as yc_node_submit, without a
 * callback, and the tx is not gossiped again. Returns what yc_node_submit returns. */
int yc__node_submit_gossip(yc_node *n, const uint8_t *bytes, size_t len);

/* Admission (submit.c): start (the per-sender cache and the expiry timer; YC_OK or
 * YC_ENOMEM), cancel queued checks and stop the timer, free answers never delivered and
 * the cache. */
YC_WUR int yc__submit_start(yc_node *n);
void yc__submit_stop(yc_node *n);
void yc__submit_free(yc_node *n);
/* A block was committed (call where n->precheck is cleared): drops every sender's
 * cached overlay, whose reads predate the block. Cheap; correct if called late or never
 * (the cache also checks the tip height), but frees memory at once. */
void yc__submit_block_committed(yc_node *n);
/* The submission being checked (decoded, its signature check queued or running) whose
 * signed bytes are exactly bytes[0..len), or NULL; valid until control returns to the
 * loop. */
const struct yc_tx *yc__submit_find(yc_node *n, const uint8_t *bytes, size_t len);
/* The same by tx id (n->inflight), or NULL: valid until control returns to the loop. */
const struct yc_tx *yc__submit_get(yc_node *n, const uint8_t id[YC_HASH_LEN]);
/* Expires what the mempool held longer than mempool.ttl_seconds: removed, remembered,
 * watchers answered "expired". Run by the expiry timer each second. */
void yc__submit_expire(yc_node *n);
/* A pending tx of this sender left the mempool other than in a block (refused when a
 * block was built, stale): drops the sender's cached overlay. */
void yc__submit_forget_sender(yc_node *n, const uint8_t sender[YC_PUBKEY_LEN]);

#endif
