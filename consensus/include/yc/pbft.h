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
 * Signatures use aux randomness derived from the signed hash (deterministic; see
 * docs/design/pbft.md §6), so a vote re-sent after a restart is byte-identical.
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

/* Test-only mutants, for the simulator's negative controls (docs/design/pbft.md §7):
 * honoured only by code compiled with YC_TEST_HOOKS (library yc_pbft_test); yc_pbft
 * ignores the field. */
enum pbft_mutant {
    PBFT_MUTANT_NONE = 0,
    PBFT_MUTANT_SMALL_QUORUM = 1,           /* quorum one too small */
    PBFT_MUTANT_NEWVIEW_NO_PREPARED = 2,    /* NEW-VIEW ignores the highest prepared cert */
    PBFT_MUTANT_COMMIT_WITHOUT_PREPARE = 3, /* send COMMIT without a prepared quorum */
    PBFT_MUTANT_FORGET_JOURNAL = 4,         /* restart ignores the vote journal */
};

struct pbft_config {
    const struct yc_genesis *genesis;   /* chain id; not owned, outlives node */
    const struct yc_valset *validators; /* the set in force at the starting height (copied;
                                         * block.h); NULL: genesis's set */
    const yc_signer *signer;            /* own consensus key, a member of that set; not owned */
    uint64_t base_timeout_ms;           /* view timeout at view 0 of a height; doubles per view
                                       * (0 means 1000) */
    uint32_t max_msgs_per_view;         /* cap on stored votes per (height, view); 0 or less
                                       * than 3n + 2 means 3n + 2 */
    enum pbft_mutant mutant;            /* PBFT_MUTANT_NONE outside tests */
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
    struct pbft_msg *msgs; /* 2. then send these */
    size_t nmsgs;
    struct pbft_proposal *proposals; /* execute these, answer with pbft_block_checked */
    size_t nproposals;
    bool has_commit; /* store this block, then call pbft_decided */
    struct pbft_commit commit;
    bool want_proposal; /* primary of the current (h, v), waiting for a block */
    struct pbft_evidence *evidence;
    size_t nevidence;
    uint64_t height, view; /* current position, for status and metrics */
    uint64_t view_changes; /* total view changes started by this node */
    uint64_t peer_height;  /* highest height > height+1 seen in a validly signed
                                  * message (0: none): this node is behind, block-sync */
};

/*
 * Creates a node deciding `height` (>= 1) on the parent block `prev_hash` (the
 * genesis hash for height 1).
 * Args: cfg: copied; cfg->genesis and cfg->signer are borrowed and must outlive the
 *       node; the signer's key must be in the set in force at `height` (else YC_EINVAL):
 *       this node's index is its position there.
 *       journal/njournal: the records this node persisted for `height`, in order
 *       (records of other heights are ignored; NULL with 0 for none); borrowed for the
 *       call only. A restarted node resumes its view, its votes (it never signs another
 *       digest for a (view, phase) it voted), its prepared certificate, and re-sends
 *       the messages of its current view (in the first ready).
 * Out:  *out: the node, or NULL on failure.
 * Returns YC_OK, YC_EINVAL, YC_ENOMEM, YC_ECORRUPT (a record does not decode, or
 *         contradicts an earlier one).
 */
YC_WUR int pbft_create(pbft_node **out, const struct pbft_config *cfg, uint64_t height,
                       const uint8_t prev_hash[YC_HASH_LEN], const struct pbft_record *journal,
                       size_t njournal, uint64_t now_ms);
/* Frees the node and any ready not yet advanced. NULL is a no-op. */
void pbft_destroy(pbft_node *n);

/*
 * A message `msg[0..len)` (borrowed) from validator `from` (its index in the set in
 * force at this node's height), the authenticated transport's claim: the message must
 * carry its signature, and name the same sender (for a message of height + 1: the
 * sender's index in the set of that height, checked when it is replayed).
 * Returns YC_OK (taken, or a harmless duplicate; a message for height + 1 is kept and
 * judged when this height is decided), or why it was refused — never an assert:
 * YC_EBADMSG (malformed, sender mismatch, not from the primary, conflicting vote:
 * then kept as evidence), YC_EBADSIG, YC_EBADBLOCK (the proposal's header does not
 * decode to its digest on our parent; the body is the driver's to check), YC_ESTALE (another height, a view outside the kept
 * window, or this height is already decided), YC_ELIMIT (a cap), YC_ETOOLARGE,
 * codec errors (yc_err_name gives the name to log), YC_ENOMEM, YC_EINVAL.
 */
YC_WUR int pbft_step(pbft_node *n, uint32_t from, const uint8_t *msg, size_t len, uint64_t now_ms);
/* Advances the clock (call it regularly, e.g. every 100 ms): a view whose timeout
 * (base_timeout_ms << min(view, 3): the view of this height, so at most 8x the base,
 * and back to the base at the next height) has passed starts a view change. With one
 * validator nothing times out. */
void pbft_tick(pbft_node *n, uint64_t now_ms);
/*
 * Tells the node whether the driver has work waiting (transactions in its mempool).
 * While idle, the timer of an active view in which no block was proposed is held, so
 * an idle consortium does not change views; a view change already under way and a
 * proposal already seen keep their timers. Nodes start "not idle": a driver that never
 * calls this gets timers that always run.
 */
void pbft_set_idle(pbft_node *n, bool idle, uint64_t now_ms);
/*
 * The primary's new block: proposal bytes (a block without certificate, borrowed),
 * built and executed by the driver after ready.want_proposal; its header must be at
 * the current height and view, with this validator as proposer and our parent.
 * Returns YC_OK (the PRE-PREPARE is in the next ready), YC_ESTALE (not asked for a
 * block now), YC_EBADBLOCK, YC_EINVAL, YC_ENOMEM.
 */
YC_WUR int pbft_propose(pbft_node *n, const uint8_t *block, size_t len, uint64_t now_ms);
/*
 * Verdict on a proposal handed out in ready.proposals: ok = it is valid and executes
 * to the state root in its header (only then does this node vote for it).
 * Returns YC_OK, YC_ESTALE (another height), YC_ENOTFOUND (no such block any more).
 */
YC_WUR int pbft_block_checked(pbft_node *n, uint64_t height, uint64_t view,
                              const uint8_t digest[YC_HASH_LEN], bool ok, uint64_t now_ms);
/*
 * The block at `height` with hash `hash` is stored, from ready.commit or from block
 * sync (whose certificate the driver verified): decide height + 1 next, with `next`,
 * the validator set in force at height + 1 (copied; NULL: the set stays). From then on
 * validator indices (pbft_step's `from`, pbft_msg.to, the primary, the quorum, whose
 * signatures count) are positions in `next`; early messages buffered for height + 1
 * are renumbered, those of validators that left are dropped. The driver may then prune
 * journal records of heights <= height.
 * Returns YC_OK, YC_ESTALE (height below the current one), YC_ENOTAUTH (this node's
 * key is not in `next`: nothing changed; it is no longer a validator, the driver
 * destroys it and follows the chain as an observer), YC_EINVAL (`next` empty, larger
 * than YC_MAX_VALIDATORS, or with a quorum other than yc_quorum(n)).
 */
YC_WUR int pbft_decided(pbft_node *n, uint64_t height, const uint8_t hash[YC_HASH_LEN],
                        const struct yc_valset *next, uint64_t now_ms);

/* True when pbft_ready has something new: records, messages, proposals, a commit,
 * evidence, or want_proposal just became true. */
bool pbft_has_ready(const pbft_node *n);
/*
 * Fills *rd with everything produced since the last call. Handle it in this order:
 * persist rd->records (append, sync), THEN send rd->msgs, store rd->commit and call
 * pbft_decided, execute rd->proposals (not one of the height just committed: its
 * verdict would be stale), propose if rd->want_proposal; then
 * pbft_advance. Pointers stay valid until pbft_advance (outputs of inputs given in
 * between wait for the next ready). The block of ready.commit may not have passed
 * through ready.proposals (this node may have been behind): execute it when storing.
 */
void pbft_ready(pbft_node *n, struct pbft_ready *rd);
/* The driver did everything the last ready asked: frees it. */
void pbft_advance(pbft_node *n);

/* Primary of (height, view): (height + view) mod n (0 when n is 0). */
uint32_t pbft_primary(uint32_t n, uint64_t height, uint64_t view);

#endif
