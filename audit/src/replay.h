/*
 * replay.h — the audit's replay engine: verify a ledger from its genesis, trusting
 * nothing else (DESIGN.md §1, §10; TESTING.md F1, F2).
 *
 * For each height h = 1, 2, … up to the target, the block is fetched from a source
 * (a stopped node's database or a node's RPC) and checked in this order; the first
 * failure stops the replay and is reported with its height and reason:
 *
 *   block_missing     the source has no block at h
 *   block_unreadable  the source holds bytes it cannot read back (checksum, hex)
 *   bad_block         the bytes do not decode as a canonical block of format
 *                     YC_BLOCK_VERSION (an outcome that is no outcome, counts that differ)
 *   wrong_height      the block at position h says another height (reordered blocks)
 *   wrong_chain       the header names another chain id
 *   bad_link          prev_hash is not the hash of block h-1 (genesis hash for h = 1)
 *   bad_proposer      the proposer is not the primary (h + view) mod n of its view
 *   bad_time          block time does not increase strictly
 *   bad_tx_root       the header's tx_root is not the Merkle root of the signed-tx hashes:
 *                     a signature or co-signature was added, changed or stripped (or a
 *                     transaction altered, added or removed)
 *   bad_result_root   the header's result_root is not the Merkle root of the recorded
 *                     (id, outcome) pairs: an outcome was changed
 *   bad_signature     a transaction's signature or co-signature does not verify
 *   bad_certificate   the COMMIT certificate is not a quorum of valid signatures of
 *                     distinct genesis validators over this block (named precisely)
 *   tx_rejected       re-execution finds a transaction that cannot stand in a block at all
 *                     (another chain, unknown sender, not its nonce, a co-signer its type
 *                     does not call for): its stable code is named
 *   wrong_outcome     re-execution ends a transaction otherwise than the block records
 *                     ("transaction 3's recorded outcome insufficient_balance differs from
 *                     its execution: ok")
 *   diverged          re-execution yields another state root than the header's
 *   state_mismatch    (source check after the last block) the node's stored tip or
 *                     state differs from the replayed one
 *
 * Everything a rule decides is decided by core (yc_block_decode, yc_tx_verify,
 * yc_block_check_next against the set in force that yc_ledger_valset_at reads from the
 * replayed state, yc_exec_block): the node and the audit share one implementation.
 * The diagnosis that names *why* (which signer, which tx) is the audit's own.
 *
 * Signatures are verified on opts->threads threads, up to 8 blocks ahead of execution:
 * threads - 1 workers and the calling thread, which verifies whenever the block it is
 * about to execute is not yet verified (with one thread, each block's on the calling
 * thread before its execution); reading, decoding, execution, state and callbacks stay
 * on the calling thread, in ledger order.
 * Thread-safety: one replay per thread.
 */
#ifndef YC_AUDIT_REPLAY_H
#define YC_AUDIT_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/block.h"
#include "yc/err.h"
#include "yc/genesis.h"
#include "yc/hash.h"

#include "memstate.h"

#define AUDIT_REASONS(X)                          \
    X(AUDIT_OK, "ok")                             \
    X(AUDIT_BLOCK_MISSING, "block_missing")       \
    X(AUDIT_BLOCK_UNREADABLE, "block_unreadable") \
    X(AUDIT_BAD_BLOCK, "bad_block")               \
    X(AUDIT_WRONG_HEIGHT, "wrong_height")         \
    X(AUDIT_WRONG_CHAIN, "wrong_chain")           \
    X(AUDIT_BAD_LINK, "bad_link")                 \
    X(AUDIT_BAD_PROPOSER, "bad_proposer")         \
    X(AUDIT_BAD_TIME, "bad_time")                 \
    X(AUDIT_BAD_SIGNATURE, "bad_signature")       \
    X(AUDIT_BAD_TX_ROOT, "bad_tx_root")           \
    X(AUDIT_BAD_CERTIFICATE, "bad_certificate")   \
    X(AUDIT_TX_REJECTED, "tx_rejected")           \
    X(AUDIT_DIVERGED, "diverged")                 \
    X(AUDIT_STATE_MISMATCH, "state_mismatch")     \
    X(AUDIT_STORAGE_CORRUPT, "storage_corrupt")   \
    X(AUDIT_BAD_RESULT_ROOT, "bad_result_root")   \
    X(AUDIT_WRONG_OUTCOME, "wrong_outcome")       \
    X(AUDIT_OVER_LIMITS, "over_limits")

enum audit_reason {
#define AUDIT_REASON_ENUM_(e, name) e,
    AUDIT_REASONS(AUDIT_REASON_ENUM_)
#undef AUDIT_REASON_ENUM_
};

/* Stable name of a reason ("bad_certificate"). */
const char *audit_reason_name(enum audit_reason r);

/*
 * Where blocks come from. Callbacks fill `msg` (msglen bytes) on failure.
 *  tip:       the highest height the source has (YC_OK, or an operational error).
 *  get_block: the encoded block at height: YC_OK with *bytes yc_malloc'ed (caller
 *             frees); YC_ENOTFOUND (→ block_missing); YC_ECORRUPT (→ block_unreadable,
 *             msg says why); any other code is operational (I/O, node unreachable)
 *             and aborts the replay without a verdict.
 *  check_end: optional (NULL): after the last block verified, compares the source's
 *             own view of the tip and state with the replayed one; returns YC_OK,
 *             YC_EDIVERGED with msg (→ state_mismatch; each difference noted in `res`
 *             with audit_diff_note), or an operational error.
 */
struct audit_result;

struct audit_source {
    int (*tip)(void *ctx, uint64_t *height, char *msg, size_t msglen);
    int (*get_block)(void *ctx, uint64_t height, uint8_t **bytes, size_t *len, char *msg,
                     size_t msglen);
    int (*check_end)(void *ctx, memstate *state, uint64_t height, const uint8_t hash[YC_HASH_LEN],
                     const uint8_t root[YC_HASH_LEN], struct audit_result *res, char *msg,
                     size_t msglen);
    /* optional (NULL): called for each verified block when the replay runs to the
     * source's tip with check_end, to compare the source's own indexes of that block
     * (tx id → height, index, outcome; block hash → height) with it; differences are
     * noted in `res` (audit_diff_note) and reported by check_end. YC_OK or an
     * operational error (msg). */
    int (*check_block)(void *ctx, const struct yc_block *b, struct audit_result *res, char *msg,
                       size_t msglen);
    void *ctx;
};

#define AUDIT_MAX_TYPE 128 /* tx type numbers below this are counted per type */
#define AUDIT_MAX_DIFFS 10 /* state differences kept (all are counted) */

/* One difference between a node's stored state and the replayed one (statediff.h). */
struct audit_diff {
    char object[300];   /* "account yc1… (alice)", "index consent_subject: entry for …" */
    char field[64];     /* "balance"; "value" for a whole value; "" for a whole object */
    char stored[200];   /* the stored value in words, "(absent)" */
    char replayed[200]; /* the replayed value in words, "(absent)" */
    char text[1000];    /* the sentence: "account yc1… (alice) balance: stored 5, replayed 4" */
};

struct audit_result {
    bool ok;             /* every block up to `target` verified */
    uint64_t target;     /* the height replayed to */
    uint64_t source_tip; /* the source's tip */
    uint64_t blocks;     /* blocks verified */
    uint64_t txs;        /* transactions in verified blocks, committed and failed */
    uint64_t failed;     /* of which recorded as failed (outcome re-derived) */
    uint64_t by_type[AUDIT_MAX_TYPE];
    /* the last verified block (height 0 = genesis) */
    uint64_t height;
    uint8_t hash[YC_HASH_LEN];
    uint8_t state_root[YC_HASH_LEN];
    uint64_t time_ms;
    /* the first failure, when !ok */
    uint64_t fail_height;
    enum audit_reason reason;
    char detail[1000]; /* human explanation, without the reason name */
    /* state_mismatch: every difference counted, the first AUDIT_MAX_DIFFS kept */
    uint64_t diff_total;
    uint32_t ndiffs;
    struct audit_diff diffs[AUDIT_MAX_DIFFS];
};

/* A verified point to resume from (the audit index, index.h): the caller's state already
 * holds the state after block `height`, whose hash, state root and time these are. */
struct audit_resume {
    uint64_t height;
    uint8_t hash[YC_HASH_LEN];
    uint8_t state_root[YC_HASH_LEN];
    uint64_t time_ms;
};

/* Called after each verified block; cheap, so the caller rate-limits its output. */
typedef void (*audit_progress_cb)(void *ctx, uint64_t height, uint64_t target);

struct audit_opts {
    uint64_t to;                /* replay up to this height; 0 = the source's tip */
    unsigned threads;           /* threads verifying signatures, the calling thread
                                 * included; 0 = every online core */
    bool check_end;             /* call src->check_end when the tip itself was replayed */
    audit_progress_cb progress; /* may be NULL */
    void *progress_ctx;
    /* Called after each verified block with its height and block time (may be NULL);
     * a negative return aborts the replay with that code (an operational error). */
    int (*block_done)(void *ctx, uint64_t height, uint64_t time_ms);
    void *block_ctx;
    /* Called for each block that passed every check, before its writes are applied:
     * `before` is the state before it (may be NULL). A negative return aborts the replay
     * with that code (an operational error). */
    int (*block_verified)(void *ctx, const struct yc_genesis *g, const struct yc_block *b,
                          memstate *before);
    void *verified_ctx;
    /* Called for each block that passed every check with its writes (sorted by key), just
     * before they are applied to `before` (may be NULL). A negative return aborts the
     * replay with that code (an operational error). */
    int (*block_writes)(void *ctx, const struct yc_block *b, memstate *before,
                        const struct yc_write *w, size_t n);
    void *writes_ctx;
    /* Resume after this verified point instead of starting from the genesis (may be
     * NULL); res->blocks and res->txs then count the blocks replayed after it. */
    const struct audit_resume *from;
};

/* Builds the genesis state of g into the empty `state` and its root. YC_OK, or YC_ENOMEM /
 * YC_ELIMIT with msg. */
YC_WUR int audit_genesis_state(const struct yc_genesis *g, memstate *state,
                               uint8_t root[YC_HASH_LEN], char *msg, size_t msglen);

/* The number of online cores (at least 1, at most 64): the default of opts->threads. */
unsigned audit_default_threads(void);

/*
 * Replays `src` against genesis `g` into `state` (an empty memstate the caller owns, or
 * the state at opts->from; afterwards it holds the state after res->height). Returns YC_OK when the replay ran
 * to a verdict (res->ok, or the first failure in res), else an operational error
 * (YC_EIO, YC_EUNREACHABLE, YC_EREMOTE, YC_ENOMEM, YC_ELIMIT, …) with `msg` filled; the
 * result then holds what was verified before it.
 */
YC_WUR int audit_replay(const struct yc_genesis *g, const struct audit_source *src,
                        const struct audit_opts *opts, memstate *state, struct audit_result *res,
                        char *msg, size_t msglen);

#endif
