/*
 * net.h — the node on the p2p transport (p2p.h): it creates the transport with the
 * validator key (the node key for a node without one), the validator set in force (and
 * the keys joining it later; role.h) and the [p2p] settings, and routes what arrives: consensus messages to the driver, gossiped
 * transactions to admission, status pings and block requests/responses to block sync
 * (sync.h). It sends our status to every peer each second and when one connects, and
 * to observers after each commit; transactions admitted from the RPC are gossiped to
 * the validators in batches (docs/sync.md). Its PRE-PREPAREs go out by tx ids, and those
 * received so are rebuilt from the mempool, the missing txs fetched from their sender
 * (docs/design/pbft.md §4a).
 *
 * Test builds (YC_TEST_HOOKS) read a fault for the transport from YUCHAIN_TEST_FAULT at
 * start and from <home>/test_fault on SIGUSR2 (docs/operator.md).
 *
 * Loop thread only.
 */
#ifndef YC_NET_H
#define YC_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node_internal.h"
#include "yc/err.h"
#include "yc/pbft.h"
#include "yc/tx.h"

/* Gossip batches: at most this many bytes per frame; flushed on the next loop turn. */
#define YC_GOSSIP_BATCH_BYTES ((size_t)1 << 20)
#define YC_GOSSIP_BATCH_TXS 4096u
#define YC_STATUS_INTERVAL_MS 1000

/*
 * Creates and starts the transport and block sync (n->p2p, n->sync, n->net). Returns
 * YC_OK, or an error already logged (YC_ECONFIG: bad address; YC_EIO: cannot listen;
 * YC_ENOMEM).
 */
YC_WUR int yc__net_start(yc_node *n);
/* Stops the transport (no callback afterwards; n->p2p becomes NULL), the timers and
 * block sync. Safe if never started. */
void yc__net_stop(yc_node *n);
/* Frees what is left after the loop ran out. */
void yc__net_free(yc_node *n);

/* Sends a consensus message of a ready (after its records were made durable). */
void yc__net_send_consensus(yc_node *n, const struct pbft_msg *m);
/* True if block[0..len) is the block of a PRE-PREPARE this node rebuilt from tx ids (the
 * last two) and whose tx root it checked then: its decode need not compute it again. */
bool yc__net_rebuilt(yc_node *n, const uint8_t *block, size_t len);
/* Queues an admitted tx for gossip to the validators. */
void yc__net_gossip_tx(yc_node *n, const struct yc_tx *tx);
/* A block was committed: tell observers our new tip. */
void yc__net_committed(yc_node *n);
/* The validator set in force (n->vs) or the keys joining later (n->pending) changed:
 * the transport renumbers its peers (p2p_set_validators). */
void yc__net_set_validators(yc_node *n);
/* Connected validator peers, this node and validator `except` (UINT32_MAX: none) left
 * out; 0 without a transport. */
uint32_t yc__net_validator_peers(const yc_node *n, uint32_t except);

#endif
