/*
 * mempool.h — pending transactions, admitted but not yet in a block.
 *
 * Bounded in count and bytes, and per sender in count (max_per_sender) and nonce lead
 * (max_nonce_gap); de-duplicated by tx id; ordered per sender by nonce.
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
 * A tx not ordered within a time the node chooses is *expired* (yc_mempool_expire):
 * removed and remembered, so that `tx` can say so and gossip does not bring it back.
 *
 * It also remembers recent refusals, with their words, and recent expiries (two bounded
 * rings of max_rejected ids each) for the `tx` status method. Loop thread only.
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
    size_t max_rejected;    /* refusals remembered, and as many expiries */
    size_t max_per_sender;  /* txs held per sender; 0: no limit beyond max_txs */
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
 * in (*tx is cleared); on error *tx is untouched. `now_ms` is its arrival time, never
 * earlier than that of the txs added before it. Returns YC_OK, YC_EDUPTX (same id held),
 * YC_EBADNONCE (nonce below base, beyond the gap, or already taken by another pending
 * tx), YC_ELIMIT (the sender holds max_per_sender txs), YC_EMEMPOOLFULL, YC_ENOMEM.
 */
YC_WUR int yc_mempool_add(yc_mempool *mp, struct yc_tx *tx, uint64_t base, uint64_t now_ms);

/*
 * What the mempool looks a tx up by, hashed under its maps' keys: computed once per tx by
 * a caller that asks several times (admission: the duplicate check, the sender's base,
 * the insertion) and passed to the *_k calls, which then hash nothing again; each member
 * is needed only by the calls that say so.
 */
struct yc_mempool_keys {
    uint64_t id_hash;     /* yc_mempool_id_hash(tx->id) */
    uint64_t sender_hash; /* yc_mempool_sender_hash(tx->sender) */
    uint8_t bkey[8];      /* yc_mempool_bytes_key(tx->bytes, tx->len) */
};
uint64_t yc_mempool_id_hash(const yc_mempool *mp, const uint8_t id[YC_HASH_LEN]);
uint64_t yc_mempool_sender_hash(const yc_mempool *mp, const uint8_t sender[YC_PUBKEY_LEN]);
/* SipHash of signed bytes under the mempool's random key (drawn at create): what
 * yc_mempool_find looks a tx up by. */
void yc_mempool_bytes_key(const yc_mempool *mp, const uint8_t *bytes, size_t len, uint8_t out[8]);
/* yc_mempool_add with tx's keys (all three set), and the held tx in *held (if not NULL;
 * NULL unless YC_OK), valid until it is removed. */
YC_WUR int yc_mempool_add_k(yc_mempool *mp, struct yc_tx *tx, const struct yc_mempool_keys *k,
                            uint64_t base, uint64_t now_ms, const struct yc_tx **held);

/* The held tx with this id, or NULL. Valid until the tx is removed. */
const struct yc_tx *yc_mempool_get(const yc_mempool *mp, const uint8_t id[YC_HASH_LEN]);
/* The same for the tx whose keys k are (k->id_hash). */
const struct yc_tx *yc_mempool_get_k(const yc_mempool *mp, const uint8_t id[YC_HASH_LEN],
                                     const struct yc_mempool_keys *k);
/* The held tx whose signed bytes are exactly bytes[0..len), or NULL (found by a keyed hash
 * of the bytes, then compared whole; two held txs of one hash: only the later is found).
 * Lets a proposal's txs be taken decoded instead of decoded again. Valid until the tx is
 * removed. */
const struct yc_tx *yc_mempool_find(const yc_mempool *mp, const uint8_t *bytes, size_t len);
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

/* What one sender holds: its base, how many txs, and how many of them run contiguously
 * from the base (its next nonce in line is base + nready). */
struct yc_mempool_sender_info {
    uint64_t base;
    size_t count, nready;
};
/* Fills *out and returns true, or returns false (out zeroed) if the sender holds nothing. */
bool yc_mempool_sender(const yc_mempool *mp, const uint8_t sender[YC_PUBKEY_LEN],
                       struct yc_mempool_sender_info *out);
/* The sender's held tx with this nonce, or NULL. Valid until the tx is removed. */
const struct yc_tx *yc_mempool_sender_tx(const yc_mempool *mp, const uint8_t sender[YC_PUBKEY_LEN],
                                         uint64_t nonce);
/* The same two for the sender of the tx whose keys k are (k->sender_hash). */
bool yc_mempool_sender_k(const yc_mempool *mp, const uint8_t sender[YC_PUBKEY_LEN],
                         const struct yc_mempool_keys *k, struct yc_mempool_sender_info *out);
const struct yc_tx *yc_mempool_sender_tx_k(const yc_mempool *mp,
                                           const uint8_t sender[YC_PUBKEY_LEN],
                                           const struct yc_mempool_keys *k, uint64_t nonce);

/* Totals of all held txs, and of the ready ones. */
void yc_mempool_size(const yc_mempool *mp, size_t *count, size_t *bytes);
void yc_mempool_ready_size(const yc_mempool *mp, size_t *count, size_t *bytes);
/* Arrival time of the earliest-arrived ready tx; false if none is ready. */
bool yc_mempool_oldest_ready(const yc_mempool *mp, uint64_t *arrival_ms);
/* Arrival time of the earliest-arrived tx held (ready or not); false if empty. */
bool yc_mempool_oldest(const yc_mempool *mp, uint64_t *arrival_ms);

/*
 * Expires every held tx that arrived before `cutoff_ms`: each is reported to
 * expired(ctx, tx) (may be NULL) before it is freed, and its id is remembered as
 * expired. Returns how many expired. The callback must not modify the mempool.
 */
size_t yc_mempool_expire(yc_mempool *mp, uint64_t cutoff_ms, yc_mempool_drop_cb expired, void *ctx);
/* True if id expired recently (the last max_rejected expiries are remembered). */
bool yc_mempool_expired(const yc_mempool *mp, const uint8_t id[YC_HASH_LEN]);

/*
 * Visits ready txs in proposal order until cb returns non-zero. The mempool must not
 * be modified during the walk.
 */
typedef int (*yc_mempool_each_cb)(void *ctx, const struct yc_tx *tx);
void yc_mempool_each_ready(yc_mempool *mp, yc_mempool_each_cb cb, void *ctx);
/* Visits up to `limit` txs: the ready ones in proposal order, then future ones in
 * arrival order. */
void yc_mempool_each(yc_mempool *mp, size_t limit, yc_mempool_each_cb cb, void *ctx);

/* Refusals by the mempool's own limits since it was created (yc_mempool_add's
 * YC_EMEMPOOLFULL and YC_ELIMIT). */
struct yc_mempool_pressure {
    uint64_t full_total;        /* max_txs or max_bytes reached */
    uint64_t sender_full_total; /* the sender held max_per_sender */
};
void yc_mempool_pressure(const yc_mempool *mp, struct yc_mempool_pressure *out);
/*
 * Logs (warn) the refusals not yet logged, if the last line is at least 10 s old: how
 * many in how long, the fill against the limits, the last sender at its cap. The first
 * refusal after a quiet spell is logged by yc_mempool_add itself; call this regularly
 * (the driver's tick) so that the tail of a flood is reported too.
 */
void yc_mempool_log_pressure(yc_mempool *mp, uint64_t now_ms);

/* Remembers a refusal (the oldest is forgotten past max_rejected). */
void yc_mempool_note_rejected(yc_mempool *mp, const uint8_t id[YC_HASH_LEN], int code);
/* The same with its words for people (`why`, copied, at most 255 bytes kept; NULL or ""
 * for none). A later note of the same id replaces code and words. */
void yc_mempool_note_rejected_why(yc_mempool *mp, const uint8_t id[YC_HASH_LEN], int code,
                                  const char *why);
/* True if id was refused recently; *code gets the reason and *why (if why is not NULL)
 * its words or NULL, valid until the mempool is next modified. */
bool yc_mempool_rejected(const yc_mempool *mp, const uint8_t id[YC_HASH_LEN], int *code);
bool yc_mempool_rejected_why(const yc_mempool *mp, const uint8_t id[YC_HASH_LEN], int *code,
                             const char **why);

#endif
