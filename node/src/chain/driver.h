/*
 * driver.h — the node's consensus driver: a libuv shell (driver.c) around the pure
 * driver of consensus/ (yc/driver.h), which decides the order of everything (persist
 * journal records, then send; store the committed block, then decide the next height;
 * check proposals) and when to propose. Even a one-validator chain goes through it (a
 * quorum of itself), so a consortium only adds validators and the transport.
 *
 * The shell builds this node's proposals (producer.c) when the driver asks (the batch
 * is full or the oldest ready tx has waited [consensus] batch_delay), and checks other
 * primaries' proposals (signatures through the verify pool, then execution).
 * Loop thread only.
 */
#ifndef YC_DRIVER_H
#define YC_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "node_internal.h"
#include "yc/err.h"

struct yc_driver;

/*
 * Creates the driver of validator n->validator_index at height tip+1, resuming the
 * journal of that height from the store. Returns YC_OK, YC_ENOMEM, YC_EIO,
 * YC_ECORRUPT (journal unreadable).
 */
YC_WUR int yc__driver_create(struct yc_driver **out, yc_node *n);
/* The mempool's ready txs changed: the driver hears of it on the next turn (pump.h), so
 * this may be called from anywhere, also from inside the driver's own effects. */
void yc__driver_kick(struct yc_driver *d);
/* Stops timers and drops work in flight (handles closed; freed by yc__driver_destroy). */
void yc__driver_stop(struct yc_driver *d);
/* Frees, after the loop has run out. NULL is a no-op. */
void yc__driver_destroy(struct yc_driver *d);
/* A consensus message from validator `from` (the transport authenticated it). */
void yc__driver_step(struct yc_driver *d, uint32_t from, const uint8_t *msg, size_t len);
/* Block sync stored block `height` with hash `hash`: decide the next height. */
void yc__driver_synced(struct yc_driver *d, uint64_t height, const uint8_t hash[YC_HASH_LEN]);
/*
 * True when consensus is stalled: a ready tx has waited more than [instrumentation]
 * ready_max_stall and no block was committed (or synced) within that time either; then
 * `why` (may be NULL) gets a sentence for /readyz: how long, how many txs wait, the
 * height, view and primary, the validator peers connected. Logs the start of a stall
 * (warn) and its end (info), once each. False when ready_max_stall is 0.
 */
bool yc__driver_stalled(struct yc_driver *d, char *why, size_t whylen);
/* The block with this digest that this node built or checked and executed (the cache of
 * executed proposals), or NULL; valid until control returns to the loop. */
const struct yc_block *yc__driver_block(struct yc_driver *d, const uint8_t digest[YC_HASH_LEN]);

#endif
