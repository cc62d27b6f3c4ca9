/*
 * producer.h — blocks as the driver handles them: building this node's proposal
 * from the mempool, checking and executing another primary's, and storing a
 * committed one with its certificate.
 *
 * An executed block keeps its state writes (an overlay over committed state), so a
 * block is executed once per node: the commit stores the writes computed when the
 * proposal was built or checked. Loop thread only.
 */
#ifndef YC_PRODUCER_H
#define YC_PRODUCER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node_internal.h"
#include "yc/block.h"
#include "yc/state.h"

struct yc_exec_block {
    uint8_t digest[YC_HASH_LEN]; /* block hash */
    uint64_t height, view;
    struct yc_block block;      /* decoded proposal (owned; no certificate yet) */
    yc_overlay *ov;             /* its writes over committed state (owned) */
    char **why;                 /* per tx, the words of its failure (owned; NULL entries for
                                  * none; the array NULL if no tx failed) */
    uint32_t nwhy;              /* entries of why */
    struct yc_exec_block *next; /* driver's cache list */
};

void yc__exec_block_free(struct yc_exec_block *e);

struct yc_build_limits {
    size_t max_txs, max_bytes;
    bool allow_empty;
};

/*
 * Builds a block at (height, view) proposed by `proposer` from the mempool's ready
 * txs in proposal order, executing each on an overlay (yc_exec_tx_outcome): a tx that
 * fails its type's rules is included as failed with its code; one whose envelope fails
 * is left out and reported refused (yc__node_tx_rejected), and its sender's later txs
 * wait for another block. Returns YC_OK with *out set, or with *out NULL when
 * there is nothing to propose; YC_ENOMEM. A storage read failure is fatal.
 */
YC_WUR int yc__build_block(yc_node *n, uint64_t height, uint64_t view, uint32_t proposer,
                           const struct yc_build_limits *lim, struct yc_exec_block **out);

/*
 * The time bound of a proposal (DESIGN.md §4): its time must be strictly after its
 * parent's and at most `max_drift_ms` ahead of our clock `now_ms`. A time behind our
 * clock is accepted: a prepared block re-proposed after view changes is old by then.
 * Returns NULL if the time is acceptable, else the reason (a static string).
 */
const char *yc__check_block_time(uint64_t time_ms, uint64_t parent_time_ms, uint64_t now_ms,
                                 uint64_t max_drift_ms);

/*
 * The validator set in force at `height`: who proposes it and whose certificate commits
 * it (yc_block_check_next takes it), as the committed chain fixes it: for a height past
 * tip + 1 (UINT64_MAX: the latest set), changes already approved with an effect height
 * up to `height` are applied (yc_ledger_valset_at). A storage failure stops the node.
 */
void yc__node_valset(yc_node *n, uint64_t height, struct yc_valset *out);

/*
 * Core's rule of a next block (yc_block_check_next) for b on this node's tip, with the set
 * in force at b's height: for a proposal (flags 0), a commit and block sync
 * (YC_CHECK_CERT). Returns what yc_block_check_next returns, the failed check in *v.
 */
YC_WUR int yc__check_next(yc_node *n, const struct yc_block *b, unsigned flags,
                          struct yc_block_verdict *v);

/*
 * Checks a decoded proposal for (height, view) against the tip: core's rule of a next
 * block (yc__check_next: chain, height, parent, proposer, time, limits), then that
 * it is for the height being decided with a header view at most `view` (NEW-VIEW
 * re-proposes an older prepared block), and that its time is within the drift bound of
 * our clock `now_ms` (yc__check_block_time). Returns YC_OK or YC_EBADBLOCK (reason in why).
 */
YC_WUR int yc__check_header(yc_node *n, const struct yc_block *b, uint64_t height, uint64_t view,
                            uint64_t now_ms, char *why, size_t whylen);

/*
 * A yc_tx_resolve_cb over the mempool of the node `ctx` (yc_mempool_find) and its
 * submissions being checked (yc__submit_find): a proposal's txs that this node holds
 * are taken decoded instead of decoded again.
 */
int yc__tx_from_mempool(void *ctx, const uint8_t *p, size_t len, struct yc_tx *out);

/*
 * Executes a decoded proposal whose signatures were verified, on committed state.
 * Takes ownership of *b (cleared). Returns YC_OK with *out set, YC_EBADBLOCK
 * (a tx fails; *bad_index set), YC_EDIVERGED (state root differs), YC_ENOMEM;
 * YC_EIO is fatal.
 */
YC_WUR int yc__execute_block(yc_node *n, struct yc_block *b, uint64_t view,
                             struct yc_exec_block **out, uint32_t *bad_index);

/*
 * Stores e's block with `cert` and its writes in one synced batch, updates the tip
 * and notifies the node. Any storage failure stops the node (exit 74).
 */
void yc__store_block(yc_node *n, struct yc_exec_block *e, const struct yc_cert *cert);

#endif
