/*
 * pbft.h — PBFT as a pure state machine (DESIGN.md §7; rules in docs/design/pbft.md).
 *
 * Shape (after etcd-io/raft): inputs are pbft_step (a message from a peer),
 * pbft_tick (the clock), pbft_propose (the primary's block), pbft_block_checked (the
 * driver's verdict on a proposed block it executed) and pbft_decided (the driver
 * stored a committed block: move to the next height). Outputs are read with
 * pbft_ready: FIRST the journal records to persist (synced) — THEN the messages to
 * send, proposals to execute, and the block to commit. pbft_advance acknowledges a
 * ready once the driver has done all of it, in that order. No I/O, no clock, no
 * globals; time arrives as an argument; signing uses the yc_signer given at create.
 *
 * Heights are decided one at a time. The state machine knows blocks only as bytes
 * and digests (the block hash of core/block.h); executing them is the driver's job,
 * so the node and the simulator drive the same code.
 *
 * Safety invariants kept here: a validator never signs two different digests for
 * one (height, view, phase), across restarts too, because every vote is in a journal
 * record returned before the message carrying it; a view change carries the highest
 * prepared certificate and NEW-VIEW re-proposes it.
 *
 * Thread-safety: one pbft_node per thread.
 */
#ifndef YC_PBFT_H
#define YC_PBFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/block.h"
#include "yc/err.h"
#include "yc/genesis.h"
#include "yc/keys.h"

typedef struct pbft_node pbft_node;

#define PBFT_BROADCAST UINT32_MAX /* pbft_msg.to: every other validator */
#define PBFT_MAX_MSG_BYTES (YC_BLOCK_MAX_BYTES + (1u << 20))

/* Test-only mutants (compiled with YC_TEST_HOOKS), for the simulator's negative controls. */
enum pbft_mutant {
    PBFT_MUTANT_NONE = 0,
    PBFT_MUTANT_SMALL_QUORUM = 1,     /* quorum one too small */
    PBFT_MUTANT_NEWVIEW_NO_PREPARED = 2, /* NEW-VIEW ignores the highest prepared cert */
    PBFT_MUTANT_COMMIT_WITHOUT_PREPARE = 3, /* send COMMIT without a prepared quorum */
    PBFT_MUTANT_FORGET_JOURNAL = 4,   /* restart ignores the vote journal */
};

struct pbft_config {
    const struct yc_genesis *genesis; /* validator set and chain id; not owned, outlives node */
    uint32_t self;                    /* own validator index */
    const yc_signer *signer;          /* own consensus key; not owned */
    uint64_t base_timeout_ms;         /* view timeout at view 0 of a height; doubles per view */
    uint32_t max_msgs_per_view;       /* cap on stored messages per (height, view) */
    enum pbft_mutant mutant;          /* PBFT_MUTANT_NONE outside tests */
};

struct pbft_msg {
    uint32_t to;    /* validator index or PBFT_BROADCAST */
    uint8_t *bytes; /* signed canonical message; owned by the node until pbft_advance */
    size_t len;
};

struct pbft_record { /* one journal record; opaque to the driver */
    uint8_t *bytes;
    size_t len;
};

struct pbft_proposal { /* a block the driver must execute, then call pbft_block_checked */
    uint64_t height, view;
    uint8_t digest[YC_HASH_LEN];
    const uint8_t *block; /* proposal bytes (block without cert) */
    size_t len;
};

struct pbft_commit { /* a final block: persist it with its certificate */
    uint64_t height;
    uint8_t digest[YC_HASH_LEN];
    const uint8_t *block; /* proposal bytes */
    size_t len;
    struct yc_cert cert;
};

struct pbft_evidence { /* two conflicting signed votes by one validator */
    uint32_t validator;
    const uint8_t *a, *b;
    size_t alen, blen;
};

struct pbft_ready {
    struct pbft_record *records; /* 1. persist these (append to journal, fsync) */
    size_t nrecords;
    struct pbft_msg *msgs;       /* 2. then send these */
    size_t nmsgs;
    struct pbft_proposal *proposals; /* execute these, answer with pbft_block_checked */
    size_t nproposals;
    bool has_commit;             /* store this block, then call pbft_decided */
    struct pbft_commit commit;
    bool want_proposal;          /* this node is primary of the current (h, v) and waits for a block */
    struct pbft_evidence *evidence;
    size_t nevidence;
    uint64_t height, view;       /* current position, for status and metrics */
    uint64_t view_changes;       /* total view changes started by this node */
};

/*
 * Creates a node deciding `height`, whose parent block hash is `prev_hash`.
 * `journal` holds the records this node persisted for `height` (in order), so a
 * restarted node resumes its votes and never contradicts them. Returns YC_OK,
 * YC_EINVAL, YC_ENOMEM, YC_ECORRUPT (journal unreadable).
 */
YC_WUR int pbft_create(pbft_node **out, const struct pbft_config *cfg, uint64_t height,
                       const uint8_t prev_hash[YC_HASH_LEN], const struct pbft_record *journal,
                       size_t njournal, uint64_t now_ms);
void pbft_destroy(pbft_node *n);

/* A message from validator `from` (the authenticated transport's claim; the signature
 * inside decides). Returns YC_OK or why it was refused (YC_EBADMSG, YC_ESTALE, …). */
YC_WUR int pbft_step(pbft_node *n, uint32_t from, const uint8_t *msg, size_t len, uint64_t now_ms);
/* Advances the clock: view timers fire here. */
void pbft_tick(pbft_node *n, uint64_t now_ms);
/* The primary's new block (proposal bytes, its header at the current height and view). */
YC_WUR int pbft_propose(pbft_node *n, const uint8_t *block, size_t len, uint64_t now_ms);
/* Verdict on a proposal returned in ready.proposals: ok = it executed to its state root. */
YC_WUR int pbft_block_checked(pbft_node *n, uint64_t height, uint64_t view,
                              const uint8_t digest[YC_HASH_LEN], bool ok, uint64_t now_ms);
/* The block at `height` is stored (from consensus or block sync): decide height+1 next.
 * Journal records of older heights may then be discarded by the driver. */
YC_WUR int pbft_decided(pbft_node *n, uint64_t height, const uint8_t hash[YC_HASH_LEN],
                        uint64_t now_ms);

bool pbft_has_ready(const pbft_node *n);
/* Fills *rd; pointers stay valid until pbft_advance. */
void pbft_ready(pbft_node *n, struct pbft_ready *rd);
/* The driver persisted rd.records, sent rd.msgs, took the rest. */
void pbft_advance(pbft_node *n);

/* Primary of (height, view): (height + view) mod n. */
uint32_t pbft_primary(uint32_t n, uint64_t height, uint64_t view);

#endif
