/*
 * mempool.h — pending transactions, admitted but not yet in a block.
 *
 * Bounded in count and bytes; de-duplicated by tx id; ordered per sender by nonce.
 * A sender's transactions are *ready* while their nonces run contiguously from the
 * sender's next nonce in committed state (its `base`); one after a gap waits (a
 * *future* tx), and a nonce may lead the base by at most max_nonce_gap. Proposal
 * order: ready txs, senders taken in the arrival order of their earliest ready tx,
 * each sender's run in nonce order.
 *
 * The mempool does not check signatures or state: the node admits a tx after its
 * signature check (verify.h) and yc_exec_precheck, passing the sender's committed
 * next nonce. After each block the node removes the committed ids and moves each
 * affected sender's base, which drops the entries whose nonce went stale.
 *
 * It also remembers recent rejections (bounded ring) for the `tx` status method.
 * Loop thread only.
 */
#ifndef YC_MEMPOOL_H
#define YC_MEMPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/err.h"
#include "yc/tx.h"

struct yc_mempool_limits {
    size_t max_txs;         /* transactions held */
    size_t max_bytes;       /* signed bytes held */
    uint64_t max_nonce_gap; /* nonce - base at most this */
    size_t max_rejected;    /* rejections remembered */
};

typedef struct yc_mempool yc_mempool;

/* Creates an empty mempool. Returns YC_OK, YC_EINVAL (a zero limit), YC_ENOMEM. */
YC_WUR int yc_mempool_create(yc_mempool **out, const struct yc_mempool_limits *lim);
/* Frees every held tx. NULL is a no-op. */
void yc_mempool_destroy(yc_mempool *mp);

/*
 * Adds a decoded, verified, pre-checked tx. `base` is the sender's next nonce in
 * committed state (tx->nonce - gap from the pre-check); a newer base than the one
 * known must first be applied with yc_mempool_set_base. On YC_OK the tx is moved
 * in (*tx is cleared); on error *tx is untouched. Returns YC_OK, YC_EDUPTX (same id
 * held), YC_EBADNONCE (nonce below base, beyond the gap, or already taken by another
 * pending tx), YC_EMEMPOOLFULL, YC_ENOMEM.
 */
YC_WUR int yc_mempool_add(yc_mempool *mp, struct yc_tx *tx, uint64_t base, uint64_t now_ms);

/* The held tx with this id, or NULL. Valid until the tx is removed. */
const struct yc_tx *yc_mempool_get(const yc_mempool *mp, const uint8_t id[YC_HASH_LEN]);
/* Removes a tx by id (committed or rejected). Returns true if it was held. */
bool yc_mempool_remove(yc_mempool *mp, const uint8_t id[YC_HASH_LEN]);

/*
 * Moves `sender`'s base to `base` (its next nonce in the newest committed state):
 * entries with a lower nonce are removed, each reported to dropped(ctx, tx) before
 * it is freed. A lower base than the known one is ignored. No-op for unknown senders.
 */
typedef void (*yc_mempool_drop_cb)(void *ctx, const struct yc_tx *tx);
void yc_mempool_set_base(yc_mempool *mp, const uint8_t sender[YC_PUBKEY_LEN], uint64_t base,
                         yc_mempool_drop_cb dropped, void *ctx);
/* The sender's known base, or false if the sender holds nothing. */
bool yc_mempool_base(const yc_mempool *mp, const uint8_t sender[YC_PUBKEY_LEN], uint64_t *base);

/* Totals of all held txs, and of the ready ones. */
void yc_mempool_size(const yc_mempool *mp, size_t *count, size_t *bytes);
void yc_mempool_ready_size(const yc_mempool *mp, size_t *count, size_t *bytes);
/* Arrival time of the earliest-arrived ready tx; false if none is ready. */
bool yc_mempool_oldest_ready(const yc_mempool *mp, uint64_t *arrival_ms);

/*
 * Visits ready txs in proposal order until cb returns non-zero. The mempool must not
 * be modified during the walk.
 */
typedef int (*yc_mempool_each_cb)(void *ctx, const struct yc_tx *tx);
void yc_mempool_each_ready(yc_mempool *mp, yc_mempool_each_cb cb, void *ctx);
/* Visits up to `limit` txs: the ready ones in proposal order, then future ones in
 * arrival order. */
void yc_mempool_each(yc_mempool *mp, size_t limit, yc_mempool_each_cb cb, void *ctx);

/* Remembers a rejection (the oldest is forgotten past max_rejected). */
void yc_mempool_note_rejected(yc_mempool *mp, const uint8_t id[YC_HASH_LEN], int code);
/* True if id was rejected recently; *code gets the reason. */
bool yc_mempool_rejected(const yc_mempool *mp, const uint8_t id[YC_HASH_LEN], int *code);

#endif
