/*
 * sync_plan.h — when a node is behind and which peer to ask for which blocks (block
 * sync, docs/sync.md). Pure bookkeeping with time passed in: no I/O, so it is unit
 * tested on its own; sync.c does the sending, checking and storing.
 *
 * What it knows: each connected peer's last reported tip (from its status PING), a
 * hint from consensus (a validly signed message for a later height proves that height
 * minus one is committed somewhere), and the one request in flight.
 *
 * Behind means: the highest known height is at least two above our tip, or one above
 * it for longer than `grace_ms` with our tip unchanged (a node that is one block behind
 * while consensus is still delivering that block's COMMITs is not behind). At most one
 * request is in flight; it names `from` = tip + 1 and at most `batch` blocks, goes to
 * an eligible peer chosen round-robin among those reporting a higher tip, and times out
 * after `timeout_ms`; a peer that timed out or answered badly is not asked again for
 * `penalty_ms`. A peer that answers with no blocks is taken to be at from - 1. An
 * `eager` plan (an observer: no consensus brings it blocks) asks as soon as any peer is
 * ahead, without the grace; whether it counts as behind is judged the same way.
 *
 * Not thread-safe (the loop thread owns it).
 */
#ifndef YC_SYNC_PLAN_H
#define YC_SYNC_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define YC_SYNC_MAX_PEERS 128

struct yc_sync_peer {
    uint64_t id;            /* transport connection id */
    uint64_t height;        /* last reported tip */
    bool known;             /* height was reported */
    uint64_t penalty_until; /* not asked before this time */
};

struct yc_sync_plan {
    struct yc_sync_peer peers[YC_SYNC_MAX_PEERS];
    size_t npeers;
    uint64_t hint;         /* a height known committed elsewhere (0: none) */
    uint64_t behind_since; /* when the one-block gap was first seen (valid if gap_tip set) */
    uint64_t gap_tip;      /* our tip at that moment, + 1 (0: no gap being timed) */
    bool inflight;
    uint64_t req_peer, req_from, req_deadline;
    uint32_t req_count;
    size_t rr; /* round-robin cursor into peers */
    uint32_t batch;
    uint64_t timeout_ms, grace_ms, penalty_ms;
    bool eager;
};

/* Empties *p and sets its limits (batch >= 1); not eager (set p->eager after). */
void yc__sync_plan_init(struct yc_sync_plan *p, uint32_t batch, uint64_t timeout_ms,
                        uint64_t grace_ms, uint64_t penalty_ms);
/* Peer `id` reports its tip `height` (adds the peer if new; ignored past
 * YC_SYNC_MAX_PEERS peers). */
void yc__sync_plan_peer(struct yc_sync_plan *p, uint64_t id, uint64_t height);
/* Peer `id` is gone; a request in flight to it is abandoned. */
void yc__sync_plan_peer_gone(struct yc_sync_plan *p, uint64_t id);
/* Consensus saw a validly signed message proving `height` is committed elsewhere. */
void yc__sync_plan_hint(struct yc_sync_plan *p, uint64_t height);
/* The highest height known to exist (peers' tips and the hint). */
uint64_t yc__sync_plan_target(const struct yc_sync_plan *p);
/* True if a node at `tip` is behind at `now` (see the file comment); updates the
 * one-block-gap timer. */
bool yc__sync_plan_behind(struct yc_sync_plan *p, uint64_t tip, uint64_t now);
/*
 * The request to send now, if any: returns true with *peer, *from, *count and marks it
 * in flight. Expires an overdue request first (its peer is penalized). Returns false if
 * not behind, a request is in flight, or no peer is eligible.
 */
bool yc__sync_plan_next(struct yc_sync_plan *p, uint64_t tip, uint64_t now, uint64_t *peer,
                        uint64_t *from, uint32_t *count);
/* True if a response from `peer` starting at `from` answers the request in flight. */
bool yc__sync_plan_matches(const struct yc_sync_plan *p, uint64_t peer, uint64_t from);
/*
 * The request in flight is finished: `ok` false penalizes its peer (bad or useless
 * answer); `nblocks` = 0 with ok records that the peer is at from - 1.
 */
void yc__sync_plan_done(struct yc_sync_plan *p, bool ok, uint32_t nblocks, uint64_t now);

#endif
