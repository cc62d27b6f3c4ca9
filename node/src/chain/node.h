/*
 * node.h — the running node as the RPC and operations listeners see it.
 *
 * Contract between the node core (main.c, config, home, mempool, verifier pool,
 * consensus driver, block producer) and node/src/rpc*.c (HTTP server, JSON-RPC,
 * /metrics). Every function here runs on the node's libuv loop thread; callbacks
 * are invoked on that thread too.
 */
#ifndef YC_NODE_H
#define YC_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "histogram.h"
#include "p2p.h"
#include "pump.h"
#include "yc/block.h"
#include "yc/genesis.h"
#include "yc/store.h"
#include "yc/tx.h"

typedef struct yc_node yc_node;

struct yc_node_status {
    const char *chain_id;
    char node_id[100]; /* bech32m address of the node key */
    const char *role;  /* "validator" | "observer" */
    uint64_t height, view;
    uint32_t primary; /* validator index of the primary of (height+1, view) */
    uint8_t last_block_hash[YC_HASH_LEN];
    uint64_t last_block_time_ms;
    uint8_t state_root[YC_HASH_LEN];
    bool catching_up;
    uint32_t peers;
    uint32_t validator_index; /* UINT32_MAX for an observer */
};

/* A transaction's life cycle (docs/domain.md "What happens to a transaction"): pending
 * while in a mempool; then it ends exactly once, committed or failed at a height, or it
 * was refused (never admitted) or expired (admitted, never ordered). */
enum yc_tx_state {
    YC_TXS_UNKNOWN = 0,
    YC_TXS_PENDING,
    YC_TXS_COMMITTED,
    YC_TXS_FAILED,  /* recorded in a block with its error code; only its nonce was used */
    YC_TXS_REFUSED, /* refused at admission or left out of a block; remembered a while */
    YC_TXS_EXPIRED, /* not ordered within mempool.ttl */
};

struct yc_tx_status {
    enum yc_tx_state state;
    int code;        /* YC_OK for committed, else the error code (YC_EEXPIRED: expired) */
    uint64_t height; /* committed / failed: block height */
    uint32_t index;  /* committed / failed: position in the block */
    const char *why; /* refused or failed: its words for people, or NULL (a failure's
                        * words are known to the nodes that executed it, for a while); valid
                        * until the node next changes its mempool (copy it before returning
                        * to the loop) */
};

/* The status name the API and the events use: "pending", "committed", "failed",
 * "refused", "expired" or "unknown". */
const char *yc_tx_state_name(enum yc_tx_state s);
/* True once a status can no longer change: committed, failed, refused, expired. */
bool yc_tx_state_is_final(enum yc_tx_state s);
/* The code name a status reports: "ok" when committed, "pending" while pending,
 * "unknown" when unknown, else the error's stable name (yc_err_name). */
const char *yc_tx_status_code(const struct yc_tx_status *st);
/* The message for people that goes with it: a refusal's words when it has them, else a
 * sentence on the state or the error's message (yc_strerror). Never NULL. */
const char *yc_tx_status_message(const struct yc_tx_status *st);

/* Why a transaction received by gossip was not admitted (yuchain_gossip_txs_dropped_total's
 * `reason` label, in this order: yc_gossip_drop_name). */
enum yc_gossip_drop {
    YC_GOSSIP_DROP_DUPLICATE,    /* held, in flight, in a block, or ended here already */
    YC_GOSSIP_DROP_MEMPOOL_FULL, /* the mempool, its sender's share, or the check queue full */
    YC_GOSSIP_DROP_REFUSED,      /* admission refused it (signature, nonce, a rule) */
    YC_GOSSIP_DROP_MALFORMED,    /* does not decode, another chain, too large, bad frame */
    YC_GOSSIP_DROP_OTHER,        /* out of memory, the node stopping */
    YC_GOSSIP_DROP_N
};
/* "duplicate", "mempool_full", "refused", "malformed", "other". */
const char *yc_gossip_drop_name(enum yc_gossip_drop r);
/* The reason an admission result `code` (not YC_OK) counts as. */
enum yc_gossip_drop yc_gossip_drop_reason(int code);

struct yc_node_metrics { /* monotonic counters and gauges for /metrics */
    uint64_t blocks_committed_total;
    uint64_t txs_committed_total;
    uint64_t txs_rejected_total;
    uint64_t txs_received_total;
    uint64_t sig_verifications_total;
    uint64_t sig_cache_hits_total;
    uint64_t mempool_txs, mempool_bytes;
    uint64_t view_changes_total;
    uint64_t rpc_requests_total;
    uint64_t p2p_msgs_in_total, p2p_msgs_out_total, p2p_bytes_in_total, p2p_bytes_out_total;
    uint64_t p2p_payload_in_total[P2P_MSG_MAX + 1]; /* plaintext bytes received, by type */
    double last_block_commit_seconds;      /* time to store the last block (one synced write) */
    struct yc_hist commit_latency_seconds; /* a block's time (its proposal) to its commit here */
    struct yc_hist block_store_seconds;    /* storing a block: encode and one synced write */
    struct yc_hist block_txs;              /* transactions per committed block */
    uint64_t storage_free_bytes, storage_size_bytes; /* the file system under data/ */
    /* consortium */
    uint64_t consensus_height;              /* height being decided */
    uint64_t consensus_msgs_received_total; /* consensus messages from peers */
    uint64_t consensus_msgs_refused_total;  /* of which refused by PBFT (stale, bad, ...) */
    uint64_t consensus_msgs_sent_total;     /* messages of readies (to one or all) */
    uint64_t gossip_txs_sent_total, gossip_txs_received_total;
    /* proposals by tx ids (net.c, yc/pbft_ids.h) */
    uint64_t proposal_txs_resolved_total;                /* their txs found here */
    uint64_t proposal_txs_fetched_total;                 /* their txs fetched from the primary */
    uint64_t proposal_fetches_total;                     /* requests for missing txs sent */
    uint64_t proposal_wholes_total;                      /* requests for a whole PRE-PREPARE sent */
    uint64_t gossip_txs_admitted_total;                  /* of the received, new to this mempool */
    uint64_t gossip_txs_dropped_total[YC_GOSSIP_DROP_N]; /* of the received, not admitted */
    uint64_t mempool_refused_full_total;   /* refused: mempool.size or max_txs_bytes */
    uint64_t mempool_refused_sender_total; /* refused: max_txs_per_sender */
    uint64_t txs_expired_total;            /* not ordered within mempool.ttl_seconds */
    double mempool_oldest_pending_seconds; /* age of the oldest tx held, 0 if none */
    uint64_t sync_requests_total, sync_blocks_total, sync_refused_total;
    uint64_t sync_blocks_served_total, sync_requests_throttled_total;
    uint64_t p2p_peers, p2p_validator_peers, p2p_observer_peers;
    uint64_t p2p_peers_dropped_total, p2p_handshakes_failed_total;
    uint64_t p2p_conns_evicted_total, p2p_conns_refused_total; /* slots (p2p_slots.c) */
    uint64_t validators;                                       /* in the set in force (role.h) */
    uint64_t validator_set_changes_total; /* changes of that set followed since start */
};

/* The node's event loop (listeners add their handles to it). */
uv_loop_t *yc_node_loop(yc_node *n);
/* The loop's next-turn queue (pump.h), for listeners that defer work. */
struct yc_pump *yc_node_pump(yc_node *n);
/* The genesis as loaded; owned by the node, valid while it runs. */
const struct yc_genesis *yc_node_genesis(yc_node *n);
/* The node's database, for reads (blocks, tx index, state); never write through it. */
store *yc_node_store(yc_node *n);
/* Fills *out with the current position (tip, view, primary, role). Strings point into
 * the node and stay valid while it runs. */
void yc_node_status(yc_node *n, struct yc_node_status *out);
/* Counters and gauges, refreshed by this call; the pointer stays valid while the node
 * runs (read it, do not keep values across calls). */
const struct yc_node_metrics *yc_node_metrics(yc_node *n);
/* The validator set in force at the height being decided (tip + 1): genesis's until the
 * chain changes it. Owned by the node; read it before returning to the loop. */
const struct yc_valset *yc_node_valset(yc_node *n);
/* A name for validator `index` of that set (the name the ledger records for it; "?"
 * outside the set). */
const char *yc_node_validator_name(yc_node *n, uint32_t index);
/* The admin cookie (hex), for methods that need it. */
const char *yc_node_cookie(yc_node *n);
/* The home's config directory (genesis.json, node.conf, key files): for `backup`. */
const char *yc_node_config_dir(yc_node *n);
/* True when ready to serve (not catching up, storage writable); else why in `why`. */
bool yc_node_ready(yc_node *n, char *why, size_t whylen);
/* True for an observer or an inspect (read-only) node: broadcasts are refused. */
bool yc_node_read_only(yc_node *n);

/* A connected peer as the net_info method shows it. */
struct yc_node_peer {
    uint64_t id;                /* connection id */
    uint32_t validator;         /* validator index, UINT32_MAX for an observer */
    bool member;                /* its key is in the set in force or joins it later */
    uint8_t pub[YC_PUBKEY_LEN]; /* its authenticated key */
    char addr[64];              /* remote host:port */
    bool outbound;              /* we dialled it */
    uint64_t height;            /* the tip it last reported (0: none yet) */
    uint64_t msgs_in, msgs_out, bytes_in, bytes_out;
    uint64_t queued_bytes; /* sent by us, not yet written to its socket */
};
/* Writes up to `cap` connected peers into out; returns how many there are. */
size_t yc_node_peers(yc_node *n, struct yc_node_peer *out, size_t cap);

/*
 * Submits signed tx bytes: decode, chain check, signature check (on the worker pool,
 * cached), admission against state (every rule of its type against the committed state
 * plus the sender's own earlier pending txs, when it is the sender's next in line); then
 * `cb(ctx, code, id, why)` on the loop thread (code YC_OK = admitted to the mempool,
 * YC_EDUPTX if already known, or the error; `why` the refusal in words for people —
 * the field and what is allowed — or NULL, valid during the call only).
 * Returns YC_OK if cb will be called, else an error (cb not called): a decode error
 * (YC_EDECODE, YC_ETOOLARGE, YC_EUNKNOWNTYPE, YC_EBADFIELD, …), YC_EWRONGCHAIN,
 * YC_ENOTAUTH (read-only node), YC_EBUSY (stopping), YC_ENOMEM. The bytes are copied.
 * cb is never called from inside this function, and exactly once otherwise: a submission
 * still pending when the node stops is answered YC_EBUSY during teardown, after
 * yc_rpc_stop has closed every connection (so the caller may release what it held).
 */
typedef void (*yc_submit_cb)(void *ctx, int code, const uint8_t id[YC_HASH_LEN], const char *why);
int yc_node_submit(yc_node *n, const uint8_t *bytes, size_t len, yc_submit_cb cb, void *ctx);

/* Current status of a tx id: PENDING (in the mempool), COMMITTED or FAILED (code,
 * height, index from the store), REFUSED (code and words) or EXPIRED (code
 * YC_EEXPIRED; each remembered for the last [mempool] rejected_cache_size of its kind),
 * else UNKNOWN. */
void yc_node_tx_status(yc_node *n, const uint8_t id[YC_HASH_LEN], struct yc_tx_status *out);

/* The sender's next nonce in committed state (*committed; 0 if unregistered) and the
 * next one after its pending txs that run contiguously from it (*pending) — the nonce
 * a wallet signs its next transaction with. */
void yc_node_pending_nonce(yc_node *n, const uint8_t sender[YC_PUBKEY_LEN], uint64_t *committed,
                           uint64_t *pending);

/*
 * Calls cb once when tx `id` reaches a final status (committed, failed, refused,
 * expired), or with its status then (PENDING if not final) after timeout_ms. Returns a watch handle (non-NULL) or NULL on ENOMEM; cancel before the
 * ctx goes away (e.g. the HTTP connection closed) with yc_node_unwatch.
 * A tx already final is answered from the loop (never from inside this call). Once cb
 * has been called the handle is gone: do not unwatch it. NULL while the node stops;
 * during the stop no watch fires, but unwatch stays safe.
 */
typedef void (*yc_watch_cb)(void *ctx, const uint8_t id[YC_HASH_LEN],
                            const struct yc_tx_status *st);
typedef struct yc_node_watch yc_node_watch;
yc_node_watch *yc_node_watch_tx(yc_node *n, const uint8_t id[YC_HASH_LEN], uint64_t timeout_ms,
                                yc_watch_cb cb, void *ctx);
void yc_node_unwatch(yc_node *n, yc_node_watch *w);

/* Mempool: count and bytes; iterate up to `limit` pending txs in proposal order (ready
 * ones first, then those waiting for a nonce gap) until cb returns non-zero. The txs
 * are borrowed for the call only; cb must not submit or otherwise change the mempool. */
void yc_node_mempool_size(yc_node *n, size_t *count, size_t *bytes);
typedef int (*yc_mempool_visit_cb)(void *ctx, const struct yc_tx *tx);
void yc_node_mempool_each(yc_node *n, size_t limit, yc_mempool_visit_cb cb, void *ctx);

/*
 * Events for GET /events (docs/rpc.md "Events"): one per tx outcome, one per committed
 * block (after it is stored) and one per alert its transactions raised. kind: "tx",
 * "block" or "alert"; json is a compact JSON object text, valid for the call only:
 * block {"height","hash","tx_count","time"}, tx {"id","status","code","message"
 * [,"height","index"]} (status a final one of yc_tx_state_name; height and index when
 * committed or failed), alert {"kind","type","tx","height","index","account","asset",
 * "amount","policy_version","time"}.
 *
 * The events of committed block H come in one order: its transactions' tx events
 * (ordinal K = index), the block event (K = tx_count), its alerts (K = tx_count + 1 + j);
 * each carries the id "H:K". Refused and expired tx events have no id.
 * A subscriber may unsubscribe itself (or another) from inside its callback. Subscribe
 * returns NULL on ENOMEM or while the node stops.
 */
struct yc_node_event {
    const char *kind;
    const char *id; /* "H:K", or NULL */
    const char *json;
    const uint8_t *sender;  /* tx: the sender's key when the node knows it, else NULL */
    const uint8_t *account; /* alert: the account it names, else NULL */
};
typedef void (*yc_event_cb)(void *ctx, const struct yc_node_event *ev);
typedef struct yc_node_sub yc_node_sub;
yc_node_sub *yc_node_subscribe(yc_node *n, yc_event_cb cb, void *ctx);
void yc_node_unsubscribe(yc_node *n, yc_node_sub *s);

/* Calls cb with the events of committed block `height` whose ordinal is above `after`
 * (-1: all of them), read from the store, exactly as they were published live (a failed
 * transaction's words only while this node still remembers them). Returns YC_OK,
 * YC_ENOTFOUND (no block at that height) or a store error (YC_ECORRUPT, YC_EIO). */
int yc_node_block_events(yc_node *n, uint64_t height, int64_t after, yc_event_cb cb, void *ctx);

#endif
