/*
 * pbft_ids.h — a PRE-PREPARE carried by transaction ids, and the fetch of the
 * transactions a backup does not hold (docs/design/pbft.md §4a, wire in docs/p2p.md).
 *
 * The primary's PRE-PREPARE carries its whole block, although every backup has
 * normally received the block's transactions already by gossip. On the wire the node
 * sends it instead as its parts with each transaction replaced by its id:
 *
 *   ids-proposal = map { "body": vote-body, "from": uint, "header": header, "ids": [bin32, …],
 *                        "results": [str, …], "sig": bin65 }
 *
 * The PRE-PREPARE itself does not change: its signature covers its body (the digest,
 * height and view), the digest is the header's hash, and the header's tx root binds the
 * signed bytes of every transaction. A backup puts the exact block bytes back together
 * from the transactions it holds (its lookup: the mempool, the submissions being
 * checked), checks the header's tx root against them, and steps consensus with the
 * rebuilt PRE-PREPARE as if it had come whole. What it does not hold it asks for by id:
 *
 *   tx-request  = map { "digest": bin32, "height": uint, "ids": [bin32, …] }   (no ids: the
 *                 whole PRE-PREPARE)
 *   tx-response = map { "digest": bin32, "txs": [bin, …] }   (the signed txs found, any order)
 *
 * A request not answered in full within the timeout, or transactions that do not give
 * the header's tx root (another signature of the same ids), end in one request for the
 * whole PRE-PREPARE; if that does not come either, the view's timer runs out as when a
 * PRE-PREPARE is lost (a view change).
 *
 * Pure (no I/O, no clock: time comes as an argument); the node does the sending. Bounded:
 * ids per proposal (PBFT_IDS_MAX_TXS), proposals waiting (pbft_fetch_limits.max_pending,
 * one per sender: a newer one from the same sender replaces it), one request in flight
 * per proposal waiting. Nothing from the network reaches an assert; every decode says
 * what is wrong in words. One pbft_fetch per thread.
 */
#ifndef YC_PBFT_IDS_H
#define YC_PBFT_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/block.h"
#include "yc/buf.h"
#include "yc/err.h"
#include "yc/tx.h"

#define PBFT_IDS_MAX_TXS 65536u /* ids in one proposal or request */
#define PBFT_IDS_ID_STRIDE 34u  /* bytes of one id on the wire (bin8 header, 32 bytes) */
#define PBFT_IDS_WHY_MAX 160    /* room for the words of a refusal */

/* A PRE-PREPARE taken apart (pointers into the message or the ids-proposal). */
struct pbft_pp {
    uint32_t from;
    uint64_t height, view;
    uint8_t digest[YC_HASH_LEN];
    const uint8_t *body; /* the signed vote-body map */
    size_t body_len;
    const uint8_t *sig; /* 65 bytes */
    const uint8_t *header;
    size_t header_len;
    const uint8_t *results; /* the block's results array, whole */
    size_t results_len;
    uint32_t ntx;
};

/*
 * Takes a PRE-PREPARE this node signed apart (msg borrowed; *pp points into it).
 * Returns YC_OK, or YC_EINVAL: another message, or a block that is not a proposal of
 * the usual shape (such a message is sent whole).
 */
YC_WUR int pbft_pp_split(struct pbft_pp *pp, const uint8_t *msg, size_t len);
/* Writes the ids-proposal of pp with ids[0..pp->ntx) (the block's txs in order) into out
 * (reset first). Returns YC_OK, YC_EINVAL, YC_ELIMIT (out's cap), YC_ENOMEM. */
YC_WUR int pbft_ids_encode(struct yc_buf *out, const struct pbft_pp *pp,
                           const uint8_t (*ids)[YC_HASH_LEN]);

/* A decoded ids-proposal (pointers into its bytes). */
struct pbft_ids {
    struct pbft_pp pp;
    struct yc_block_header hdr;
    const uint8_t *ids; /* id i: ids + i * PBFT_IDS_ID_STRIDE + 2 */
};
/*
 * Decodes an ids-proposal from a peer: one canonical map of exactly these keys, a
 * vote-body of phase "prepare", `from` below nvalidators, a header that decodes
 * (yc_header_decode) at the body's height with tx_count equal to the number of ids, as
 * many results as ids (strings), a 65-byte signature. Signatures are not checked
 * (consensus does, on the rebuilt PRE-PREPARE). Returns YC_OK, YC_ETOOLARGE, or
 * YC_EBADMSG with why (at least PBFT_IDS_WHY_MAX bytes) naming the field.
 */
YC_WUR int pbft_ids_decode(struct pbft_ids *m, const uint8_t *p, size_t len, uint32_t nvalidators,
                           char *why, size_t why_len);
static inline const uint8_t *pbft_ids_id(const struct pbft_ids *m, uint32_t i)
{
    return m->ids + (size_t)i * PBFT_IDS_ID_STRIDE + 2;
}
/*
 * Writes the whole PRE-PREPARE of m into out (reset first), its block's txs being
 * txs[0..ntx) (their signed bytes, in order): byte for byte the message the primary
 * signed when they are its txs. Returns YC_OK, YC_ELIMIT, YC_ENOMEM.
 */
YC_WUR int pbft_ids_join(struct yc_buf *out, const struct pbft_ids *m,
                         const struct yc_tx *const *txs);

/* A decoded tx-request (ids point into its bytes; nids 0: the whole PRE-PREPARE). */
struct pbft_txreq {
    uint64_t height;
    uint8_t digest[YC_HASH_LEN];
    uint32_t nids;
    const uint8_t *ids; /* id i: ids + i * PBFT_IDS_ID_STRIDE + 2 */
};
/* Writes a tx-request for ids[0..nids) (pointers; nids 0: the whole PRE-PREPARE). */
YC_WUR int pbft_txreq_encode(struct yc_buf *out, uint64_t height, const uint8_t digest[YC_HASH_LEN],
                             const uint8_t *const *ids, uint32_t nids);
/* Returns YC_OK, YC_ETOOLARGE, or YC_EBADMSG with why naming the field. */
YC_WUR int pbft_txreq_decode(struct pbft_txreq *r, const uint8_t *p, size_t len, char *why,
                             size_t why_len);

/*
 * Answers a tx-request: each id asked is looked up (lookup returns the tx held with that
 * id, or NULL); the txs found are written to out as a tx-response (reset first), at most
 * max_bytes of signed txs (the rest left out, as if not held). Returns YC_OK,
 * YC_ELIMIT, YC_ENOMEM.
 */
typedef const struct yc_tx *(*pbft_tx_lookup_cb)(void *ctx, const uint8_t id[YC_HASH_LEN]);
YC_WUR int pbft_txreq_answer(struct yc_buf *out, const struct pbft_txreq *r,
                             pbft_tx_lookup_cb lookup, void *ctx, size_t max_bytes);

/* ---- the backup's side: proposals waiting for their transactions ---- */

typedef struct pbft_fetch pbft_fetch;

struct pbft_fetch_limits {
    uint32_t max_pending; /* proposals waiting at once (1..16; one per sender) */
    uint64_t timeout_ms;  /* a tx-request not answered in full by then: asked whole */
};

struct pbft_fetch_io {
    pbft_tx_lookup_cb lookup; /* a tx held here (borrowed for the call), or NULL */
    /* the rebuilt PRE-PREPARE of validator `from`: step consensus with it */
    void (*step)(void *ctx, uint32_t from, const uint8_t *msg, size_t len);
    /* send this tx-request to validator `to` */
    void (*request)(void *ctx, uint32_t to, const uint8_t *req, size_t len);
    void *ctx;
};

struct pbft_fetch_stats {
    uint64_t proposals;     /* ids-proposals taken */
    uint64_t txs_resolved;  /* their txs found here */
    uint64_t txs_fetched;   /* their txs that came in a tx-response */
    uint64_t requests;      /* tx-requests for ids sent */
    uint64_t wholes;        /* requests for a whole PRE-PREPARE sent */
    uint64_t timeouts;      /* of those, after a request ran out of time */
    uint64_t root_mismatch; /* of those, because the txs did not give the tx root */
};

/* Returns YC_OK, YC_EINVAL (limits out of range, io incomplete), YC_ENOMEM. */
YC_WUR int pbft_fetch_create(pbft_fetch **out, const struct pbft_fetch_limits *lim,
                             const struct pbft_fetch_io *io);
void pbft_fetch_destroy(pbft_fetch *f);
/*
 * An ids-proposal from validator `from`: the txs are looked up; when all are found and
 * give the header's tx root, io.step gets the rebuilt PRE-PREPARE at once; otherwise
 * the proposal waits and io.request asks `from` for the missing ids (or, on a root
 * mismatch, for the whole PRE-PREPARE). Returns YC_OK, YC_ENOMEM, or a decode error
 * with why (pbft_ids_decode).
 */
YC_WUR int pbft_fetch_proposal(pbft_fetch *f, uint32_t from, uint32_t nvalidators, const uint8_t *p,
                               size_t len, uint64_t now_ms, char *why, size_t why_len);
/*
 * A tx-response from validator `from`: its txs go to the proposal waiting with its
 * digest (txs not asked for are ignored); once it has every tx, it is stepped as above.
 * A response that leaves some asked ids out ends in a request for the whole
 * PRE-PREPARE. Returns YC_OK (taken, or no proposal waits with that digest), YC_ENOMEM,
 * or YC_EBADMSG / YC_ETOOLARGE with why naming what is wrong (a tx that does not
 * decode among them).
 */
YC_WUR int pbft_fetch_response(pbft_fetch *f, uint32_t from, const uint8_t *p, size_t len,
                               char *why, size_t why_len);
/* The clock: a proposal whose request has waited timeout_ms is asked whole and dropped.
 * f NULL: nothing (so is pbft_fetch_prune's). */
void pbft_fetch_tick(pbft_fetch *f, uint64_t now_ms);
/* Drops the proposals waiting for heights below `height` (decided). */
void pbft_fetch_prune(pbft_fetch *f, uint64_t height);
/* Proposals waiting now. */
uint32_t pbft_fetch_pending(const pbft_fetch *f);
void pbft_fetch_stats(const pbft_fetch *f, struct pbft_fetch_stats *out);

#endif
