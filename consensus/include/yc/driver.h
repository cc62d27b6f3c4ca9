/*
 * driver.h — the consensus driver as a pure component (docs/design/pbft.md §1a): the
 * state machine of pbft.h with the order of its effects, the choice of when to propose,
 * and what to report. yuchaind runs it behind a thin libuv shell (node/src/chain/driver.c)
 * and the simulator (tests/sim) runs the same code behind its event queue.
 *
 * Inputs are calls: a consensus message (yc_drv_step), the clock (yc_drv_tick), a
 * proposal's verdict (yc_drv_checked), a block stored by block sync (yc_drv_synced),
 * the mempool's size (yc_drv_work), whether the validator peers are connected
 * (yc_drv_peers). Effects go out through the shell's functions (struct yc_drv_io),
 * in this order for each ready of pbft:
 *
 *   1. persist its journal records — a failed persist stops the driver before anything
 *      of that ready is sent, so no vote leaves before it is durable;
 *   2. send its messages;
 *   3. store the committed block with its certificate — and only once it is stored,
 *      decide the next height (pbft_decided), then let the journal be pruned; a failed
 *      store stops the driver;
 *   4. start checking other primaries' proposals (the verdict comes back later, as
 *      yc_drv_checked), except one of the height just stored: a commit can come in the
 *      ready that hands out the PRE-PREPARE, and a decided height needs no verdict;
 *   5. build this node's block when it is the primary and the batch is due.
 *
 * The callback rule: an effect never calls the driver; what it starts answers through
 * a later input. So no input runs inside another, and nothing is copied defensively:
 * the bytes an effect gets are borrowed for the call only.
 *
 * No I/O, clock or globals: time comes as now_ms arguments (the shell's monotonic
 * clock in milliseconds); memory through yc_malloc.
 */
#ifndef YC_DRV_H
#define YC_DRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/block.h"
#include "yc/err.h"
#include "yc/pbft.h"

typedef struct yc_drv yc_drv;

/* What the mempool holds ready to propose (yc_drv_work). */
struct yc_drv_work {
    size_t count, bytes;
    uint64_t oldest_ms; /* when the oldest of them became ready (count > 0) */
};

/* Why the driver moved to a higher view of its height (YC_DRV_NOTE_VIEW_CHANGE). */
enum yc_drv_cause {
    YC_DRV_CAUSE_TIMEOUT,  /* this node's view timer expired: the primary is suspected */
    YC_DRV_CAUSE_JOINED,   /* f + 1 validators were already in a higher view */
    YC_DRV_CAUSE_FOLLOWED, /* a validator's message (a NEW-VIEW) showed the higher view */
    YC_DRV_CAUSE_JOURNAL,  /* resumed from the journal at start */
};

enum yc_drv_note_kind {
    YC_DRV_NOTE_VIEW_CHANGE, /* height, from_view -> view; cause, from, waited_ms */
    YC_DRV_NOTE_EVIDENCE,    /* evidence: a validator signed two different votes */
    YC_DRV_NOTE_REFUSED,     /* code: pbft refused this node's own block or a verdict */
};

struct yc_drv_note {
    enum yc_drv_note_kind kind;
    uint64_t height, view, from_view;
    enum yc_drv_cause cause;
    uint32_t from;      /* FOLLOWED, JOINED: the validator whose message moved it */
    uint64_t waited_ms; /* how long the old view lasted */
    const struct pbft_evidence *evidence;
    int code;
};

/*
 * The shell's side. Each function is called from inside an input and must not call
 * the driver back; pointers it gets are valid for the call only. ctx is passed to each.
 */
struct yc_drv_io {
    void *ctx;
    /* Appends a journal record of `height` and syncs. Non-YC_OK: the driver stops. Not
     * called (may be NULL) when persist_all is given. */
    int (*persist)(void *ctx, uint64_t height, const uint8_t *rec, size_t len);
    /* Optional (NULL: persist, record by record): appends the n records of one ready, in
     * order, and syncs once before returning. Non-YC_OK: the driver stops. */
    int (*persist_all)(void *ctx, uint64_t height, const struct pbft_record *recs, size_t n);
    /* Sends a message to validator `to` (an index in the set in force) or PBFT_BROADCAST. */
    void (*send)(void *ctx, uint32_t to, const uint8_t *msg, size_t len);
    /* Starts checking another primary's proposal; the verdict comes as yc_drv_checked. */
    void (*check)(void *ctx, const struct pbft_proposal *p);
    /*
     * Stores a committed block with its certificate (one synced batch) and sets *next to
     * the validator set in force at height + 1 (NULL: unchanged). Non-YC_OK: the driver
     * stops; the block is not decided.
     */
    int (*store)(void *ctx, const struct pbft_commit *c, const struct yc_valset **next);
    /*
     * Builds this node's block for (height, view) from what the mempool holds (empty
     * allowed or not); *block (the shell's, valid until the next call) gets its bytes.
     * Returns YC_OK, YC_ENOTFOUND (nothing to propose: the driver waits for yc_drv_work
     * or another height or view), or a failure (tried again after a backoff of 100 ms,
     * doubling to 5 s).
     */
    int (*build)(void *ctx, uint64_t height, uint64_t view, bool allow_empty, const uint8_t **block,
                 size_t *len);
    /* Call yc_drv_tick at at_ms (one timer: a later call replaces an earlier one). */
    void (*arm)(void *ctx, uint64_t at_ms);
    /* Optional (NULL): a later height is being decided by others; block-sync up to it. */
    void (*sync_hint)(void *ctx, uint64_t height);
    /* Optional: journal records of heights <= height may go. Non-YC_OK: the driver stops. */
    int (*prune)(void *ctx, uint64_t height);
    /* Optional: something to report (view change, evidence, a refusal). */
    void (*note)(void *ctx, const struct yc_drv_note *n);
};

struct yc_drv_config {
    struct pbft_config pbft;    /* as pbft_create takes it */
    size_t batch_max_txs;       /* propose at once when this many txs wait */
    size_t batch_max_bytes;     /* or this many bytes */
    uint64_t batch_delay_ms;    /* else when the oldest has waited this long */
    bool create_empty_blocks;   /* propose without txs, create_empty_interval_ms after */
    uint64_t empty_interval_ms; /* the last commit; and then always count as busy */
    uint64_t startup_hold_ms;   /* readies wait until the peers are connected or this has
                                * passed (0: no hold); see docs/design/pbft.md §1a */
};

/* Position and counters for status, metrics and /readyz. */
struct yc_drv_status {
    uint64_t height, view;   /* being decided */
    uint64_t view_changes;   /* started by this node */
    uint64_t last_commit_ms; /* last block stored (commit or sync), or the start */
    uint64_t view_since_ms;  /* the current (height, view) began */
    uint32_t primary;        /* of (height, view) */
    bool stopped;            /* a persist, store or prune failed */
};

/*
 * Creates the driver deciding `height` on parent `prev`, resuming the journal records
 * of that height (borrowed for the call), and handles the first ready (its effects run
 * from inside this call). cfg and io are copied; cfg->pbft's pointers are borrowed.
 * Returns what pbft_create returns, or the failure of a persist (nothing was sent; no
 * driver is made).
 */
YC_WUR int yc_drv_create(yc_drv **out, const struct yc_drv_config *cfg, const struct yc_drv_io *io,
                         uint64_t height, const uint8_t prev[YC_HASH_LEN],
                         const struct pbft_record *journal, size_t njournal, uint64_t now_ms);
/* Frees. NULL is a no-op. */
void yc_drv_destroy(yc_drv *d);

/*
 * Every input returns YC_OK, or: the failure of a persist, store or prune (the driver
 * has stopped: the node must stop, loudly); YC_EBUSY (stopped earlier; nothing done);
 * YC_ENOTAUTH (this node's key is not in the set of the next height: it is no longer a
 * validator; destroy the driver and follow the chain as an observer).
 */
/* A message from validator `from`; *refused gets pbft_step's verdict on it (YC_OK: taken). */
YC_WUR int yc_drv_step(yc_drv *d, uint32_t from, const uint8_t *msg, size_t len, uint64_t now_ms,
                       int *refused);
/* The clock: view timers, the batch delay, the start-up hold, a build retry. */
YC_WUR int yc_drv_tick(yc_drv *d, uint64_t now_ms);
/* The verdict on a proposal handed to io.check. */
YC_WUR int yc_drv_checked(yc_drv *d, uint64_t height, uint64_t view,
                          const uint8_t digest[YC_HASH_LEN], bool ok, uint64_t now_ms);
/* Block sync stored block `height` (its certificate checked): decide height + 1 with
 * `next`, the set in force there (NULL: unchanged). */
YC_WUR int yc_drv_synced(yc_drv *d, uint64_t height, const uint8_t hash[YC_HASH_LEN],
                         const struct yc_valset *next, uint64_t now_ms);
/* The mempool's ready txs changed (or a build found nothing: try again). */
YC_WUR int yc_drv_work(yc_drv *d, const struct yc_drv_work *w, uint64_t now_ms);
/* Whether every other validator of the set is connected (ends the start-up hold). */
void yc_drv_peers(yc_drv *d, bool all_connected);

void yc_drv_status(const yc_drv *d, struct yc_drv_status *st);

#endif
