/*
 * index.h — the audit index: the audit tool's own verified copy of a ledger, kept by
 * `yuchain-audit sync` and read by the questions (subject, trace, violations, export)
 * with --db, so that they answer without replaying (docs/audit.md, "The audit index").
 *
 * A LevelDB database the tool alone writes (no compression, paranoid checks on open,
 * checksums verified on every read). Keys (docs/audit.md has the grammar):
 *
 *   "m/version"                      → u32be 1
 *   "m/genesis"                      → the genesis as JSON (yc_genesis_json_dump)
 *   "m/tip"                          → the tip record (below)
 *   "s/" state-key                   → value: the verified state after the tip
 *   "b/" u64be height                → block hash (32) ‖ u64be block time (ms); height 0 is
 *                                      the genesis
 *   "a/" u64be height ‖ u32be index  → a failed transaction (attempts.h), encoded below
 *
 * Tip record: u32be 1 ‖ genesis hash ‖ u64be height ‖ block hash ‖ state root ‖ u64be time
 * ‖ u64be txs ‖ u64be failed ‖ u64be state keys ‖ state digest ‖ check, where the state
 * digest is the sum modulo 2^256 (big-endian) of SHA-256(u32be klen ‖ key ‖ u32be vlen ‖
 * value) over every "s/" entry and check is SHA-256 of everything before it.
 *
 * Only verified blocks reach the index, each batch of them in one synced LevelDB write
 * together with its tip record, so an interrupted sync leaves the index at the last
 * batch written. Thread-safety: one thread per index.
 */
#ifndef YC_AUDIT_INDEX_H
#define YC_AUDIT_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/block.h"
#include "yc/err.h"
#include "yc/genesis.h"
#include "yc/hash.h"
#include "yc/state.h"

#include "attempts.h"
#include "memstate.h"

#define AUDIT_INDEX_VERSION 1u

typedef struct audit_index audit_index;

struct audit_index_tip {
    uint8_t genesis_hash[YC_HASH_LEN];
    uint64_t height;
    uint8_t hash[YC_HASH_LEN];
    uint8_t state_root[YC_HASH_LEN];
    uint64_t time_ms;
    uint64_t txs, failed; /* transactions in blocks 1..height, of which recorded as failed */
    uint64_t keys;        /* "s/" entries */
    uint8_t digest[YC_HASH_LEN];
};

/*
 * Opens the index in `dir` (created, with its directory, when `create`). Returns YC_OK;
 * YC_ENOTFOUND (no index there and !create), YC_EBUSY (another process holds it: a sync
 * runs), YC_ECORRUPT (LevelDB refuses it as damaged), YC_ECONFIG (a database that is not an
 * audit index, or of another version), YC_EIO, YC_ENOMEM; msg says which.
 */
YC_WUR int audit_index_open(audit_index **out, const char *dir, bool create, char *msg,
                            size_t msglen);
void audit_index_close(audit_index *x);

/*
 * The tip record, its check verified. YC_OK; YC_ENOTFOUND (a new index, no genesis yet);
 * YC_ECORRUPT (malformed or failing its check; msg), YC_EIO.
 */
YC_WUR int audit_index_tip(audit_index *x, struct audit_index_tip *tip, char *msg, size_t msglen);

/*
 * The cheap checks a question makes before answering: the tip record (above); the stored
 * genesis parses and hashes to the tip's genesis hash (into *g, freed by the caller with
 * yc_genesis_cleanup); the block entry at the tip height holds the tip's hash and time;
 * no block entry lies beyond the tip. YC_OK, YC_ECORRUPT with msg, YC_EIO, YC_ENOMEM.
 */
YC_WUR int audit_index_check(audit_index *x, struct audit_index_tip *tip, struct yc_genesis *g,
                             char *msg, size_t msglen);

/* The verified block at height h: hash and time. YC_OK, YC_ENOTFOUND, YC_ECORRUPT, YC_EIO. */
YC_WUR int audit_index_block(audit_index *x, uint64_t h, uint8_t hash[YC_HASH_LEN],
                             uint64_t *time_ms);

/* Calls cb for every block entry in height order (0 = genesis) until it returns non-zero
 * (returned). YC_OK, YC_ECORRUPT, YC_EIO. */
typedef int (*audit_index_block_cb)(void *ctx, uint64_t height, const uint8_t hash[YC_HASH_LEN],
                                    uint64_t time_ms);
YC_WUR int audit_index_blocks(audit_index *x, audit_index_block_cb cb, void *ctx);

/* Appends the failed transactions kept in the index to *at, in ledger order (all of them
 * when at->all, else those with a rule). YC_OK, YC_ECORRUPT, YC_ENOMEM, YC_ELIMIT, YC_EIO. */
YC_WUR int audit_index_attempts(audit_index *x, struct audit_attempts *at);

/* The verified state as core reads state (get and ordered prefix scans), through a
 * snapshot taken at the last audit_index_check. Valid while the index is open. */
struct yc_state_src audit_index_state(audit_index *x);

/*
 * Recomputes the count and digest over every "s/" entry: YC_OK when they equal the tip's;
 * YC_ECORRUPT (msg) when they do not (the index was altered or damaged since it was
 * written); YC_EIO. Costs a read of the whole state.
 */
YC_WUR int audit_index_verify_state(audit_index *x, const struct audit_index_tip *tip, char *msg,
                                    size_t msglen);

/* ---- writing (sync) ----
 * Writes gather in one pending batch; audit_index_commit writes it with the new tip
 * record, synced, atomically. `pending` is the tip the batch leads to. */

/* Starts a new index: the genesis (its JSON and its block entry at height 0) and its
 * state `m` with `root`; committed at once. YC_OK, YC_ENOMEM, YC_EIO. */
YC_WUR int audit_index_init(audit_index *x, const struct yc_genesis *g, memstate *m,
                            const uint8_t root[YC_HASH_LEN], char *msg, size_t msglen);

/* Continues from `tip` (the record read at open). */
void audit_index_begin(audit_index *x, const struct audit_index_tip *tip);

/* Adds a verified block's state writes; `before` is the state they apply to (for the
 * digest). YC_OK, YC_ENOMEM, or an error reading `before`. */
YC_WUR int audit_index_put_writes(audit_index *x, memstate *before, const struct yc_write *w,
                                  size_t n);

/* Adds the verified block b (its entry; the tip moves to it) and its failed transactions
 * at[0..n). YC_OK or YC_ENOMEM. */
YC_WUR int audit_index_put_block(audit_index *x, const struct yc_block *b,
                                 const struct audit_attempt *at, size_t n);

/* Bytes and blocks in the pending batch. */
size_t audit_index_pending_bytes(const audit_index *x);
uint64_t audit_index_pending_blocks(const audit_index *x);

/* Writes the pending batch and the tip record it leads to, synced. YC_OK, YC_EIO (msg). */
YC_WUR int audit_index_commit(audit_index *x, char *msg, size_t msglen);

/* The tip after the pending batch (the committed one when nothing is pending). */
const struct audit_index_tip *audit_index_pending_tip(const audit_index *x);

#endif
