/*
 * block.h — block header, body, commit certificate, and the vote hash that both
 * consensus/ and the audit tool verify (DESIGN.md §7, grammar in docs/formats.md).
 *
 * header  = map {chain_id, height, prev_hash, proposer, result_root, state_root, time,
 *                tx_count, tx_root, version, view}
 * block   = map {cert, header, results: [outcome name, …], txs: [signed tx map, …]}
 * tx_root = Merkle root of H(YC_TAG_SIGNED_TX, chain_id, id ‖ sig ‖ (cosig pub ‖ cosig
 *           sig)…), which binds the full signed tx, so the block hash binds every
 *           signature and co-signature that was executed;
 * result_root = Merkle root of H(YC_TAG_RESULT, chain_id, tx id ‖ outcome name): each
 *           transaction's outcome, "ok" (committed) or the error code it failed with.
 * cert    = map {sigs: [[validator index, sig65], …] sorted by index, unique, view}
 * hash    = H(YC_TAG_BLOCK, chain_id, header bytes)
 * vote    = H(YC_TAG_PBFT, chain_id, map {digest, height, phase, view}), phase a
 *           string: "prepare", "commit", …; a certificate holds COMMIT signatures.
 *
 * A proposal travels as the block without certificate (cert absent ≡ empty).
 */
#ifndef YC_BLOCK_H
#define YC_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/buf.h"
#include "yc/err.h"
#include "yc/genesis.h"
#include "yc/hash.h"
#include "yc/tx.h"

#define YC_BLOCK_MAX_BYTES (8u << 20)
/* The block format this code writes and accepts (header `version`). 2: outcomes in the
 * block, tx_root over signed bytes. */
#define YC_BLOCK_VERSION 2u

struct yc_block_header {
    char chain_id[YC_CHAIN_ID_MAX + 1];
    uint64_t height; /* >= 1 */
    uint64_t view;
    uint32_t proposer; /* validator index */
    uint64_t time_ms;  /* block time, Unix ms, strictly increasing */
    uint8_t prev_hash[YC_HASH_LEN];
    uint8_t tx_root[YC_HASH_LEN];
    uint8_t result_root[YC_HASH_LEN];
    uint8_t state_root[YC_HASH_LEN];
    uint32_t tx_count;
    uint32_t version; /* YC_BLOCK_VERSION */
};

struct yc_cert_sig {
    uint32_t validator;
    uint8_t sig[YC_SIG_LEN];
};

struct yc_cert {
    uint64_t view; /* view in which the COMMITs were cast */
    uint32_t nsigs;
    struct yc_cert_sig sigs[YC_MAX_VALIDATORS];
};

struct yc_block {
    struct yc_block_header hdr;
    uint8_t hash[YC_HASH_LEN];
    uint32_t ntx;
    struct yc_tx *txs; /* owned array of decoded txs */
    int *results;      /* owned array of ntx outcomes: YC_OK (committed) or the verdict
                        * (yc_err_is_verdict) the tx failed with */
    struct yc_cert cert;
    uint8_t *bytes; /* owned copy of the encoded block */
    size_t len;
};

/* Canonical header encoding and hash. */
YC_WUR int yc_header_encode(const struct yc_block_header *h, struct yc_buf *out);
YC_WUR int yc_header_hash(const struct yc_block_header *h, uint8_t out[YC_HASH_LEN]);

/*
 * Encodes a block from its header, the txs' signed bytes, their outcomes (results[i]
 * YC_OK or a verdict; NULL: every tx committed) and a certificate (NULL or nsigs 0 → no
 * `cert` key, a proposal). Returns YC_OK, YC_EINVAL (an outcome without a stable name),
 * YC_ENOMEM.
 */
YC_WUR int yc_block_encode(struct yc_buf *out, const struct yc_block_header *h,
                           const struct yc_tx *txs, const int *results, uint32_t ntx,
                           const struct yc_cert *cert);
/*
 * Decodes a block: canonical form, header (version YC_BLOCK_VERSION), every tx
 * (yc_tx_decode), every outcome (a stable name: "ok" or a verdict), cert shape; checks
 * tx_count, the tx root and the result root. Does not verify signatures or certificate,
 * nor that the outcomes are right (yc_exec_block re-derives them).
 * Returns YC_OK, a decode error, or YC_EBADBLOCK. On failure *b is cleared.
 */
YC_WUR int yc_block_decode(struct yc_block *b, const uint8_t *bytes, size_t len);
/*
 * yc_block_decode without hashing the transactions for the two roots: only for bytes this
 * process has already decoded with yc_block_decode or built itself (a block it built,
 * one read back from its own store). Everything else is
 * checked as by yc_block_decode.
 */
YC_WUR int yc_block_decode_trusted(struct yc_block *b, const uint8_t *bytes, size_t len);
/*
 * Looks for a tx already decoded whose signed bytes are p[0..len) and, if there is one,
 * copies it into *out (yc_tx_copy: shared) and returns YC_OK; any other return: none
 * (*out cleared), the bytes are decoded.
 */
typedef int (*yc_tx_resolve_cb)(void *ctx, const uint8_t *p, size_t len, struct yc_tx *out);
/*
 * yc_block_decode, with every tx first asked of `resolve` (NULL: none): a tx it gives
 * whose bytes are exactly the block's is taken as decoded (decoding equal bytes gives
 * the same tx), any other is decoded. Every check of yc_block_decode is made, roots
 * included.
 */
YC_WUR int yc_block_decode_resolved(struct yc_block *b, const uint8_t *bytes, size_t len,
                                    yc_tx_resolve_cb resolve, void *ctx);
/*
 * yc_block_decode_resolved without computing the tx root again: only for bytes this
 * process put together itself from txs whose signed-tx root it compared with the
 * header's (a PRE-PREPARE rebuilt from tx ids, yc/pbft_ids.h). Every other check is
 * made, the result root included.
 */
YC_WUR int yc_block_decode_rebuilt(struct yc_block *b, const uint8_t *bytes, size_t len,
                                   yc_tx_resolve_cb resolve, void *ctx);
void yc_block_cleanup(struct yc_block *b);
/*
 * Decodes only the header of encoded block bytes, by the same rules as yc_block_decode,
 * for readers of stored blocks that need neither the transactions nor the roots checked
 * (the block was checked when it was stored). Returns YC_OK or YC_EBADBLOCK (*h cleared).
 */
YC_WUR int yc_block_header_decode(const uint8_t *bytes, size_t len, struct yc_block_header *h);
/*
 * Decodes a header on its own (the bytes yc_header_encode writes, e.g. a receipt's
 * header_raw) by the same rules: canonical, exactly the header's keys, version
 * YC_BLOCK_VERSION, height >= 1, nothing after it. Returns YC_OK or YC_EBADBLOCK (*h
 * cleared).
 */
YC_WUR int yc_header_decode(const uint8_t *bytes, size_t len, struct yc_block_header *h);

/* The leaf hashes of the two roots: a signed tx (its id, which binds the unsigned
 * fields, then its signature and its co-signatures in their encoded order: together the
 * full signed tx) and a tx's outcome (its id and the outcome's stable name). */
void yc_signed_tx_hash(uint8_t out[YC_HASH_LEN], const char *chain_id, const struct yc_tx *tx);
void yc_result_hash(uint8_t out[YC_HASH_LEN], const char *chain_id, const uint8_t id[YC_HASH_LEN],
                    int outcome);
/* Merkle roots (merkle.h) over txs[0..n): of their signed-tx hashes, and of their outcome
 * hashes with results[0..n) (NULL: every tx committed), for a proposer's header and for
 * checks. Returns YC_OK, YC_EINVAL, YC_ENOMEM. */
YC_WUR int yc_block_tx_root(uint8_t root[YC_HASH_LEN], const char *chain_id,
                            const struct yc_tx *txs, uint32_t n);
YC_WUR int yc_block_result_root(uint8_t root[YC_HASH_LEN], const char *chain_id,
                                const struct yc_tx *txs, const int *results, uint32_t n);
/* Sets h's version, tx_count, tx_root and result_root for txs[0..n) with their outcomes
 * (results NULL: every tx committed); h->chain_id must be set. Returns YC_OK, YC_EINVAL,
 * YC_ENOMEM. */
YC_WUR int yc_block_header_seal(struct yc_block_header *h, const struct yc_tx *txs,
                                const int *results, uint32_t n);
/* True iff `outcome` may stand in a block: YC_OK or a protocol verdict with a name. */
bool yc_outcome_valid(int outcome);

/* The primary of (height, view) among n validators: (height + view) mod n, computed
 * without overflow (DESIGN.md §7); 0 when n is 0. consensus/ and every check use this. */
uint32_t yc_block_primary(uint32_t n, uint64_t height, uint64_t view);

/*
 * The validator set in force at a height: who proposes (the primary rotates over
 * indexes 0..n-1) and whose COMMIT signatures make a certificate (signers are named by
 * index into keys). Every rule that depends on the validators takes this set, never the
 * genesis directly, so the set in force at a height can differ from the genesis set:
 * the caller looks up the set in force at the block's height and passes it: the genesis
 * set (yc_valset_genesis) until a validator-set change takes effect, then the one the
 * ledger records (yc_ledger_valset_at, yc/ledger.h).
 */
struct yc_valset {
    uint32_t n;      /* validators, 1..YC_MAX_VALIDATORS */
    uint32_t quorum; /* distinct valid COMMIT signers a certificate needs (yc_quorum(n)) */
    uint8_t keys[YC_MAX_VALIDATORS][YC_PUBKEY_LEN]; /* consensus key of each index */
};

/* The genesis validators in their order, quorum yc_quorum(n). */
void yc_valset_genesis(struct yc_valset *vs, const struct yc_genesis *g);
/* Index of the validator with key pub in vs, or -1 (a key's index can differ from one
 * set to the next). */
int yc_valset_index(const struct yc_valset *vs, const uint8_t pub[YC_PUBKEY_LEN]);
/* True iff a and b have the same keys in the same order and the same quorum. */
bool yc_valset_same(const struct yc_valset *a, const struct yc_valset *b);

/* What a block must follow: its parent (the genesis at height 0). */
struct yc_block_parent {
    uint64_t height;
    uint8_t hash[YC_HASH_LEN];
    uint64_t time_ms;
};

/* Which check of yc_block_check_next failed (for reports that name it). Stable: the audit
 * maps each to a reason. */
enum yc_next_check {
    YC_NEXT_OK = 0,
    YC_NEXT_CHAIN,          /* another chain id */
    YC_NEXT_HEIGHT,         /* not the parent's height + 1 */
    YC_NEXT_LINK,           /* prev_hash is not the parent's hash */
    YC_NEXT_PROPOSER,       /* not the primary of (height, header view) in the set */
    YC_NEXT_TIME,           /* not after the parent's time */
    YC_NEXT_LIMITS,         /* over max_block_txs or max_block_bytes */
    YC_NEXT_CERT_VIEW,      /* certificate cast before the header's view */
    YC_NEXT_CERT_MISSING,   /* YC_CHECK_CERT, and the block carries no certificate */
    YC_NEXT_CERT_SIGNER,    /* a signer index outside the set (validator = that index) */
    YC_NEXT_CERT_DUPLICATE, /* a signer named twice (validator = that index) */
    YC_NEXT_CERT_ORDER,     /* signers not in increasing index order */
    YC_NEXT_CERT_QUORUM,    /* fewer signers than the set's quorum */
    YC_NEXT_CERT_SIG,       /* a signature that is not the signer's COMMIT vote for this
                             * block, height and certificate view (validator = its index) */
};

/* What yc_block_check_next (or yc_cert_check) found. */
struct yc_block_verdict {
    enum yc_next_check check; /* YC_NEXT_OK when the block passed */
    uint32_t validator;       /* the validator index a CERT_* check names, else UINT32_MAX */
    char why[256];            /* the failed check in words, "" when the block passed */
};

/* Flags of yc_block_check_next. */
#define YC_CHECK_CERT 1u /* the block must carry a certificate that verifies (yc_cert_check) */

/*
 * The one rule a decoded block must meet to follow `parent` on chain g with the validator
 * set `vs` in force at the block's height (DESIGN.md §7, docs/formats.md "The rule of a
 * next block"). Used by the node for a proposal (flags 0: no certificate yet) and for a
 * commit and block sync (YC_CHECK_CERT), and by the audit replay (YC_CHECK_CERT). In order:
 * the chain id; height = parent's + 1; prev_hash = parent's hash; the proposer is the
 * primary of (height, header view) among vs->n (yc_block_primary); time strictly after
 * the parent's; at most g's max_block_txs transactions of at most max_block_bytes signed
 * bytes in all (docs/formats.md "Block limits"); a certificate, if any, cast in the header's
 * view or later; with YC_CHECK_CERT, a certificate that yc_cert_check accepts.
 * The tx root and result root are yc_block_decode's checks (a block decoded with
 * yc_block_decode_trusted was checked when this process first decoded it). This rule
 * checks neither transaction signatures, nor execution (yc_exec_block), nor a local clock.
 * Returns YC_OK; YC_EBADBLOCK (a header or limit check) or YC_EBADCERT (a certificate
 * check) with the failed check in *v (v may be NULL); YC_EINVAL for NULL arguments.
 */
YC_WUR int yc_block_check_next(const struct yc_block *b, const struct yc_genesis *g,
                               const struct yc_valset *vs, const struct yc_block_parent *parent,
                               unsigned flags, struct yc_block_verdict *v);

/*
 * Checks commit certificate c for block `hash` at `height` on chain `chain_id` against the
 * set vs in force at that height, in this order: at least one signer; each signer inside
 * the set, named once, in increasing index order; at least vs->quorum signers; every
 * signature valid over the COMMIT vote hash (chain, height, c->view, hash) under the
 * signer's key. Returns YC_OK, or YC_EBADCERT with the failed check in *v (may be NULL);
 * YC_EINVAL for NULL arguments or a set of 0 or more than YC_MAX_VALIDATORS validators.
 */
YC_WUR int yc_cert_check(const struct yc_cert *c, const struct yc_valset *vs, const char *chain_id,
                         uint64_t height, const uint8_t hash[YC_HASH_LEN],
                         struct yc_block_verdict *v);

/* Hash a validator signs for (phase, height, view, digest). */
void yc_vote_hash(uint8_t out[YC_HASH_LEN], const char *chain_id, const char *phase,
                  uint64_t height, uint64_t view, const uint8_t digest[YC_HASH_LEN]);
/*
 * yc_cert_check against the genesis set (yc_valset_genesis): valid for a height only while
 * the genesis set is in force there (no validator-set change yet; tests and tools of
 * such chains). Returns YC_OK or YC_EBADCERT.
 */
YC_WUR int yc_cert_verify(const struct yc_cert *c, const struct yc_genesis *g, uint64_t height,
                          const uint8_t hash[YC_HASH_LEN]);

#endif
