/*
 * p2p.h — the node-to-node transport of yuchaind (DESIGN.md §7, docs/p2p.md).
 *
 * A `p2p` object listens on one TCP address and dials a list of persistent peers on a
 * libuv loop. Every connection runs the authenticated handshake of p2p_secure.h (with a
 * timeout), is then identified by the peer's long-term key — a key of the validator set
 * in force gives its validator index (its position in that set), a key that joins the
 * set at a known later height (pending) is accepted as a member without an index yet,
 * any other key is an observer (block sync only) when allowed (or when we dialled it by
 * the key persistent_peers names) and is refused otherwise —
 * and then carries encrypted frames whose plaintext is `u8 type ‖ payload`. The set is
 * the genesis's until p2p_set_validators changes it. Between two nodes at most one
 * connection stays active: when both dial each other, the one initiated by the side
 * whose key is lower bytewise wins on both ends, and the other is drained and closed.
 * Lost peers are redialled with exponential backoff and jitter.
 *
 * Slots (docs/p2p.md, "Slots"): strangers cannot keep a validator from its peers. An
 * inbound connection is unidentified until its handshake ends; such connections share a
 * bounded pool (max_inbound_handshakes), with a cap per source address
 * (max_handshakes_per_source: an IPv4 address or an IPv6 /64). A newcomer is never
 * refused: when its source or the pool is full, the unidentified connection that made
 * the least handshake progress (nothing received, then part of a hello, then awaiting
 * the auth), oldest first, from the fullest source, is closed (evicted) to admit it. An
 * identified validator always has a slot and is never displaced; inbound observers have
 * their own share (max_observers; more are refused). Outbound dials (one per configured
 * peer) are counted against none of these.
 *
 * A peer that sends a malformed frame (bad MAC, a declared length over the maximum, an
 * empty plaintext, an unknown type, a type its role may not send) is logged and
 * disconnected; nothing else is affected. Each peer's send queue is capped: a send that
 * would exceed the cap drops that peer.
 *
 * Delivery is best effort, in order per connection, with no retransmission: the
 * consensus layer copes with loss.
 *
 * Threading: everything runs on the loop thread given at creation; the callbacks are
 * invoked on it, never from inside an API call of this header. Callbacks may call any
 * function here, p2p_stop included.
 */
#ifndef YC_P2P_H
#define YC_P2P_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "pump.h"
#include "yc/block.h"
#include "yc/err.h"
#include "yc/genesis.h"
#include "yc/keys.h"

typedef struct p2p p2p;

/* Message types: the first plaintext byte of every frame. Wire values, never renumbered. */
enum p2p_msg_type {
    P2P_MSG_CONSENSUS = 1,  /* a signed PBFT message (validators only) */
    P2P_MSG_TX = 2,         /* transaction gossip (validators only) */
    P2P_MSG_BLOCK_REQ = 3,  /* block sync request */
    P2P_MSG_BLOCK_RESP = 4, /* block sync response */
    P2P_MSG_PING = 5,       /* status / ping; the transport answers with a PONG echoing it */
    P2P_MSG_PONG = 6,       /* answer to a PING */
    P2P_MSG_PROPOSAL_IDS =
        7,               /* a PRE-PREPARE with tx ids for txs (yc/pbft_ids.h; validators only) */
    P2P_MSG_TX_REQ = 8,  /* a request for a proposal's txs by id (validators only) */
    P2P_MSG_TX_RESP = 9, /* the txs asked for (validators only) */
};
#define P2P_MSG_MIN P2P_MSG_CONSENSUS
#define P2P_MSG_MAX P2P_MSG_TX_RESP

/* Validator index reported for an observer peer (and for a pending member). */
#define P2P_OBSERVER UINT32_MAX

#define P2P_DEFAULT_MAX_INBOUND_HS 64
#define P2P_DEFAULT_MAX_HS_PER_SOURCE 16
#define P2P_DEFAULT_MAX_OBSERVERS 16
#define P2P_DEFAULT_QUEUE_BYTES ((size_t)64 << 20)
#define P2P_DEFAULT_HS_TIMEOUT_MS 5000
#define P2P_DEFAULT_BACKOFF_MIN_MS 100
#define P2P_DEFAULT_BACKOFF_MAX_MS 10000
#define P2P_ADDR_MAX 64
#define P2P_MAX_FRAME_LIMIT (1u << 30) /* largest max_frame accepted */

/*
 * Message received: `peer` is the connection id, `validator` the sender's validator
 * index or P2P_OBSERVER, `type` a valid enum p2p_msg_type, `payload` (borrowed, valid
 * only during the call) the bytes after the type byte.
 */
typedef void (*p2p_recv_cb)(void *ctx, uint64_t peer, uint32_t validator, uint8_t type,
                            const uint8_t *payload, size_t len);
/*
 * A connection became the active one for its peer (connected) or stopped being it
 * (disconnected: closed, or replaced by a better connection to the same node; messages
 * already in flight on a replaced connection may still be delivered after this call).
 */
typedef void (*p2p_peer_cb)(void *ctx, uint64_t peer, uint32_t validator);

struct p2p_config {
    const char *listen;               /* "host:port" (IP or name); NULL or "": no listener */
    const yc_signer *signer;          /* long-term key (validator key, or node key); borrowed */
    const char *chain_id;             /* NULL: genesis->chain_id */
    const struct yc_genesis *genesis; /* chain id and first validator set; read at create */
    /*
     * Comma-separated "[KEY@]host:port" list to dial and keep dialling (KEY: the peer's
     * yc1 address; a peer there with another key is refused). NULL or "": dial nobody
     * (the genesis holds no addresses); peers may still dial us.
     */
    const char *persistent_peers;
    bool allow_observers;               /* accept keys outside the validator set as observers */
    uint32_t max_frame;                 /* max plaintext bytes of a frame, type byte included;
                                   0: PBFT_MAX_MSG_BYTES */
    uint32_t max_inbound_handshakes;    /* unidentified inbound connections; 0: 64 */
    uint32_t max_handshakes_per_source; /* of which from one source; 0: 16 */
    uint32_t max_observers;             /* identified inbound observers; 0: 16 */
    size_t max_queue_bytes;             /* per-peer send queue; 0: 64 MiB */
    uint32_t handshake_timeout_ms;      /* connect + handshake; 0: 5000 */
    uint32_t backoff_min_ms;            /* first redial delay; 0: 100 */
    uint32_t backoff_max_ms;            /* delay cap, doubling from min; 0: 10000 */
    uint64_t seed;                      /* jitter PRNG seed; 0: from randombytes */
    p2p_recv_cb on_recv;                /* may be NULL (messages dropped) */
    p2p_peer_cb on_connect;             /* may be NULL */
    p2p_peer_cb on_disconnect;          /* may be NULL */
    void *ctx;                          /* passed to the callbacks */
};

struct p2p_stats {
    uint64_t msgs_in, msgs_out;           /* frames delivered / queued */
    uint64_t bytes_in, bytes_out;         /* wire bytes, handshake and frame overhead included */
    uint64_t payload_in[P2P_MSG_MAX + 1]; /* plaintext bytes delivered, by message type */
    uint64_t handshakes_failed;           /* bad or timed-out handshakes, refused keys */
    uint64_t peers_dropped;               /* identified peers cut for a violation or a full queue */
    uint64_t conns_evicted;      /* unidentified inbound connections closed for a newcomer */
    uint64_t conns_refused;      /* identified inbound observers refused: share full */
    uint32_t peers;              /* active connections */
    uint32_t validators;         /* of which validators */
    uint32_t observers;          /* of which observers */
    uint32_t connections;        /* all open connections, handshaking ones included */
    uint32_t inbound_handshakes; /* of which unidentified inbound ones (the pool) */
};

struct p2p_peer_info {
    uint64_t id;
    uint32_t validator;         /* index, or P2P_OBSERVER */
    bool member;                /* in the set in force or pending */
    uint8_t pub[YC_PUBKEY_LEN]; /* authenticated long-term key */
    char addr[P2P_ADDR_MAX];    /* remote "ip:port" (the dialled address when outbound) */
    bool outbound;
    uint64_t msgs_in, msgs_out, bytes_in, bytes_out;
    size_t queued_bytes; /* sent but not yet written to the socket */
};

/*
 * Creates a transport on `loop` (nothing is opened until p2p_start); a connection dropped
 * from inside an API call is closed on the next turn through `pump` (pump.h), which must
 * outlive the transport. Copies what it keeps of cfg except signer (borrowed). Returns
 * YC_OK, YC_EINVAL (NULL loop, pump, signer or genesis; max_frame < 2 or over
 * P2P_MAX_FRAME_LIMIT; empty or long chain id), YC_ECONFIG (listen or peer address not
 * host:port; over 256 peers), YC_ENOMEM. *out is NULL on failure. A
 * max_handshakes_per_source over max_inbound_handshakes acts as the latter.
 */
YC_WUR int p2p_create(p2p **out, uv_loop_t *loop, struct yc_pump *pump,
                      const struct p2p_config *cfg);

/*
 * Binds and listens (if configured) and starts dialling. Returns YC_OK, YC_EINVAL (already
 * started or stopped), YC_ECONFIG (listen address unresolvable) or YC_EIO (bind/listen
 * failed, e.g. port in use; logged).
 */
YC_WUR int p2p_start(p2p *p);

/*
 * Closes every handle and releases the transport: `p` is invalid afterwards; its memory is
 * freed in libuv close callbacks, so run the loop (uv_run) until it has no more work
 * before uv_loop_close. No callback is invoked after this call. NULL is a no-op.
 */
void p2p_stop(p2p *p);

/* The bound listening port (after p2p_start), 0 if none. */
uint16_t p2p_listen_port(const p2p *p);
/* Our validator index in the set in force, or P2P_OBSERVER. */
uint32_t p2p_self_index(const p2p *p);

/*
 * The validator set changed (the node calls this when a height with another set is
 * being decided): `vs` (copied) is the set in force — every index of this API refers to
 * it from now on — and `pending` the keys that join it at a known later height (copied,
 * at most YC_MAX_VALIDATORS; keys of vs among them are ignored). Connected peers are
 * renumbered in place, without callbacks; a peer whose key is now a member and was an
 * inbound observer gives its observer slot back; a peer that was a member and no longer
 * is (removed, its key replaced) is closed soon (on_disconnect from the loop) and may
 * connect again as an observer when those are allowed — unless it is our dial of a key
 * persistent_peers names, which stays, as an observer. An empty or oversized vs is
 * ignored.
 */
void p2p_set_validators(p2p *p, const struct yc_valset *vs, const uint8_t (*pending)[YC_PUBKEY_LEN],
                        size_t npending);

/*
 * Queues one message to validator `validator` over its active connection. `len` may be
 * up to max_frame - 1. Returns YC_OK (queued), YC_ENOTFOUND (not connected), YC_ELIMIT
 * (len too large; or the peer's queue cap was reached: the peer is dropped), YC_EINVAL
 * (bad type), YC_ENOMEM.
 */
YC_WUR int p2p_send(p2p *p, uint32_t validator, uint8_t type, const uint8_t *bytes, size_t len);

/* Same, to the connection `peer` (a validator or an observer), e.g. a block response. */
YC_WUR int p2p_send_peer(p2p *p, uint64_t peer, uint8_t type, const uint8_t *bytes, size_t len);

/*
 * Queues the message to every connected validator (never to observers). Returns the
 * number of validators it was queued to, or a negative error (YC_ELIMIT, YC_EINVAL).
 */
int p2p_broadcast(p2p *p, uint8_t type, const uint8_t *bytes, size_t len);

/* True if validator `validator` has an active connection. */
bool p2p_is_connected(const p2p *p, uint32_t validator);

/* The name of a message type ("consensus", "tx", … as in docs/p2p.md), "?" for none. */
const char *p2p_msg_type_name(uint8_t type);
/* Fills *out with the counters. */
void p2p_get_stats(const p2p *p, struct p2p_stats *out);

/* Writes up to `cap` active peers into out; returns how many there are in total. */
size_t p2p_peers(const p2p *p, struct p2p_peer_info *out, size_t cap);

#ifdef YC_TEST_HOOKS
/*
 * Test-only fault injection. Messages to or from a validator whose bit is set in
 * `blocked` (bit i = validator i of the set in force; observers are never blocked) are silently dropped in
 * both directions while connections stay up, which makes a partition without netem;
 * `drop_permille` drops that share of the other messages (sends and receipts, seeded
 * PRNG). Pass 0, 0 to heal.
 */
void p2p_set_fault(p2p *p, uint64_t blocked, uint32_t drop_permille);
#endif

#endif
