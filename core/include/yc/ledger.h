/*
 * ledger.h — the state machine: the one implementation of every rule, executed by
 * the node (proposer and validators) and by the audit replay alike.
 *
 * Flow for a block at height h with time t: a block overlay over committed state →
 *   for each tx: yc_exec_tx_outcome (into a child overlay, merged on success; a tx
 *   that fails its type's rules is recorded as failed and only consumes its nonce; one
 *   whose envelope fails cannot be in the block) → yc_exec_finish (state root over
 *   the block overlay's sorted writes). yc_exec_block does all of it for a received
 *   block and compares the roots.
 * Signatures are NOT checked here: callers verify first (node: once, cached; audit:
 * every one). Everything else — nonce, roles, consents, balances, limits — is.
 *
 * Genesis state: yc_genesis_state writes the initial accounts into an overlay;
 * the genesis state root is yc_state_root_next(zero root, those writes).
 */
#ifndef YC_LEDGER_H
#define YC_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/block.h"
#include "yc/err.h"
#include "yc/genesis.h"
#include "yc/state.h"
#include "yc/tx.h"

struct yc_exec_ctx {
    const struct yc_genesis *g;
    uint64_t height;  /* block being executed */
    uint64_t time_ms; /* block time */
    /* Optional (NULL): where a refusal explains itself in words for people — the field,
     * what was given and what is allowed ("operations: 'compute' is not one of collect,
     * hold, host, use"). Set only when a rule refuses; never compared between nodes (the
     * code is the verdict). whylen bytes, NUL-terminated. */
    char *why;
    size_t whylen;
};

/* Writes the genesis accounts into `o` and sets root to the genesis state root. */
YC_WUR int yc_genesis_state(yc_overlay *o, const struct yc_genesis *g, uint8_t root[YC_HASH_LEN]);

/*
 * Applies one tx (position `index` in its block) to `o`. Returns YC_OK with the
 * tx's writes (state objects and indexes) added to `o`, or a stable protocol code
 * (YC_EBADNONCE, YC_ENOTAUTH, …) with `o` unchanged; YC_ENOMEM / YC_EIO / YC_ECORRUPT
 * are local failures, not verdicts on the tx (the caller must not treat them as a
 * rejection; yc_err_is_verdict tells them apart), also with `o` unchanged. A tx naming
 * another chain than ctx->g is YC_EWRONGCHAIN. ctx->height must be >= 1 (YC_EINVAL).
 */
YC_WUR int yc_exec_tx(yc_overlay *o, const struct yc_exec_ctx *ctx, const struct yc_tx *tx,
                      uint32_t index);

/*
 * Applies one tx of a block at position `index` and says how it ends (DESIGN.md §3):
 * returns YC_OK with *outcome YC_OK (committed: its writes are in `o`) or with *outcome
 * the verdict it failed with (failed: the only write is its sender's next nonce).
 * Returns a verdict when the tx cannot stand in a block at all — the envelope fails:
 * another chain, an unknown sender, not the sender's next nonce, a co-signer its type
 * does not call for, or a self-registration that fails (there is no account whose nonce
 * could record it) — with `o` unchanged; local failures as yc_exec_tx. ctx->why gets
 * the words of the refusal either way.
 */
YC_WUR int yc_exec_tx_outcome(yc_overlay *o, const struct yc_exec_ctx *ctx, const struct yc_tx *tx,
                              uint32_t index, int *outcome);

/*
 * Admission pre-check against current state, without writing: the sender is known
 * (or self-registering), the nonce is >= the account's next nonce (*gap gets
 * nonce - next, 0 when executable now), and the type-level role rules hold.
 */
YC_WUR int yc_exec_precheck(yc_overlay *o, const struct yc_exec_ctx *ctx, const struct yc_tx *tx,
                            uint64_t *gap);

/*
 * The keys and quorum of the validator set in force at `height`, as the state read through
 * `state` records it (yc_gov_set_at, yc/gov.h): the genesis set until the first change
 * takes effect. `state` is the committed state after some block T (or an overlay over
 * it); the answer is final for every height <= T + g->params.valset_delay (a change fixed
 * in block H takes effect at H + valset_delay), and old heights keep their answer (the
 * history is kept), so certificates of any past block can be checked. For a height beyond
 * T + valset_delay it is the latest set known after T. Height 0 answers the genesis set.
 * Returns YC_OK, YC_EINVAL (NULL argument), YC_ECORRUPT (a stored record does not decode),
 * YC_EIO / YC_ENOMEM. Pure: reads the source, writes only *out.
 */
YC_WUR int yc_ledger_valset_at(const struct yc_state_src *state, const struct yc_genesis *g,
                               uint64_t height, struct yc_valset *out);

/* Returns true iff err is a protocol verdict on a tx (not a local failure). */
bool yc_err_is_verdict(int err);

/*
 * The state root after the writes collected in `o`: root = yc_state_root_next(prev_root,
 * sorted writes of o). Returns YC_OK or YC_ENOMEM (sorting needs an array); `o` unchanged.
 */
YC_WUR int yc_exec_finish(yc_overlay *o, const char *chain_id, const uint8_t prev_root[YC_HASH_LEN],
                          uint8_t root[YC_HASH_LEN]);

/*
 * Replays a block decoded by yc_block_decode (which checked that tx_root and result_root
 * bind its transactions and outcomes) on `o` with yc_exec_tx_outcome: every transaction
 * must stand in the block and end with the outcome the block records (else YC_EBADBLOCK
 * with *bad_index set); checks the version and that the resulting root equals
 * hdr.state_root (YC_EDIVERGED). prev_root is the state root before.
 * On success `o` holds the block's writes; on failure it may hold some of them and the
 * caller discards it. Signatures are not checked here. YC_ENOMEM / YC_EIO are local
 * failures (*bad_index then names the tx being executed).
 */
YC_WUR int yc_exec_block(yc_overlay *o, const struct yc_genesis *g, const struct yc_block *b,
                         const uint8_t prev_root[YC_HASH_LEN], uint32_t *bad_index);

/* Told of each transaction of a block that failed: its index, code and the words of the
 * refusal ("" when the rule had none), valid only during the call. */
typedef void (*yc_exec_failed_cb)(void *ctx, uint32_t index, int outcome, const char *why);
/* yc_exec_block, telling failed_cb (may be NULL) of every failed transaction, so that a
 * node can show people the words of an execution failure as it does for a refusal. */
YC_WUR int yc_exec_block_report(yc_overlay *o, const struct yc_genesis *g, const struct yc_block *b,
                                const uint8_t prev_root[YC_HASH_LEN], uint32_t *bad_index,
                                yc_exec_failed_cb failed_cb, void *cb_ctx);

#endif
