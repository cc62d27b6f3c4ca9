/*
 * sync.h — block sync (DESIGN.md §7, docs/sync.md): a node that is behind (restarted,
 * partitioned, new, or an observer) fetches committed blocks with their certificates
 * from peers, checks each by the rule of a next block with its certificate (yc__check_next:
 * parent, height, proposer, time, limits, the certificate against the validator set in
 * force) and every transaction signature (verify pool, cached), re-executes the block to its
 * state root, stores it, and tells consensus (pbft_decided). It also answers other
 * nodes' block requests from the store, in bounded responses.
 *
 * Peers' tips come from their status PINGs (net.c); consensus adds a hint when it sees
 * messages for later heights. Planning is in sync_plan.h. Loop thread only.
 */
#ifndef YC_SYNC_H
#define YC_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node_internal.h"
#include "yc/err.h"

struct yc_sync;

/* Blocks per request and bytes per response (a response holds at least one block). */
#define YC_SYNC_BATCH 64
#define YC_SYNC_RESP_MAX_BYTES ((size_t)8 << 20)
/* A peer whose unsent queue holds more than this gets no block response until it drains. */
#define YC_SYNC_SERVE_QUEUE_MAX ((size_t)16 << 20)
/* Block requests served to one peer per second at most (each reads up to
 * YC_SYNC_RESP_MAX_BYTES from the store on the loop thread); beyond, a request is
 * ignored and the peer asks again after its timeout. */
#define YC_SYNC_SERVE_PER_SEC 8

/* Creates the sync of node n (its p2p may be NULL: nothing to sync from). Returns
 * YC_OK or YC_ENOMEM. */
YC_WUR int yc__sync_create(struct yc_sync **out, yc_node *n);
/* Stops its timer and abandons the response being applied (a block whose signatures
 * are being checked is dropped when the check returns). */
void yc__sync_stop(struct yc_sync *s);
/* Frees, after the loop ran out. NULL is a no-op. */
void yc__sync_destroy(struct yc_sync *s);

/* A peer's status (the PING payload) or its departure. */
void yc__sync_on_status(struct yc_sync *s, uint64_t peer, const uint8_t *payload, size_t len);
void yc__sync_peer_gone(struct yc_sync *s, uint64_t peer);
/* A block request to serve, or a response to apply (payloads borrowed for the call). */
void yc__sync_on_request(struct yc_sync *s, uint64_t peer, const uint8_t *payload, size_t len);
void yc__sync_on_response(struct yc_sync *s, uint64_t peer, const uint8_t *payload, size_t len);
/* Consensus saw a validly signed message for `height`: height - 1 is committed. */
void yc__sync_hint(struct yc_sync *s, uint64_t height);
/* The node became an observer (true: no consensus brings it blocks, so it asks as soon as
 * a peer is ahead) or a validator (false). */
void yc__sync_set_observer(struct yc_sync *s, bool observer);
/* True while the node is behind its peers (status catching_up, /readyz 503). */
bool yc__sync_catching_up(struct yc_sync *s);
/* The last tip `peer` reported (0 if none). */
uint64_t yc__sync_peer_height(const struct yc_sync *s, uint64_t peer);
/* Counters for /metrics. */
struct yc_sync_counters {
    uint64_t requests_sent, blocks_applied, responses_refused, requests_served, blocks_served;
    uint64_t requests_throttled;
};
void yc__sync_counters(const struct yc_sync *s, struct yc_sync_counters *out);

#endif
