/*
 * receipt.h — a transaction receipt: one committed transaction with everything needed to
 * check its inclusion with no node (grammar and trust rule in docs/wallet.md).
 *
 * A transaction ends in a block committed or failed (DESIGN.md §3, §7); a receipt proves
 * either. It holds the signed tx bytes (signature and co-signatures included) with the
 * Merkle path of their signed-tx hash to the header's tx_root, the tx's outcome ("ok" or
 * the error code it failed with) with the path of its result hash to the header's
 * result_root, the raw header, the block hash, the block's commit certificate, and the
 * chain's genesis document (whose hash core recomputes, so the validator set that signed
 * the certificate is bound to one genesis hash). Since the certificate signs the header and
 * the header both roots, a signature or co-signature added, changed or stripped, or an
 * outcome changed, no longer proves. After the validator set changed, the receipt also
 * carries the transactions of each change (valset_changes), which verification re-derives
 * from the genesis set by the ledger's rule to know the set in force at the receipt's
 * height. Parsing (receipt_parse) checks only the shape
 * of the file: every member present and of its type, hex of the exact length, arrays
 * within their caps. receipt_verify then runs the checks in a fixed order and names the
 * first that fails.
 *
 * Thread-safety: none needed; no globals. Verification is pure (no I/O).
 */
#ifndef YC_WALLET_RECEIPT_H
#define YC_WALLET_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "yc/block.h"
#include "yc/genesis.h"
#include "yc/hash.h"
#include "yc/merkle.h"

#define RECEIPT_VERSION 2 /* 2: signed bytes and outcome proven (block format 2) */
#define RECEIPT_MAX_BYTES ((size_t)16 << 20) /* larger receipt files are refused */
#define RECEIPT_HEADER_MAX 1024              /* bytes of a raw header (a real one is ~250) */

/* A transaction that ended in a block, with what proves it (the receipt's own, or one of
 * a validator-set change). */
struct receipt_part {
    uint8_t tx_id[YC_HASH_LEN]; /* as stated */
    uint8_t *tx;                /* owned (malloc): signed canonical bytes */
    size_t tx_len;
    int outcome;        /* YC_OK (status committed) or the verdict it failed with */
    bool status_failed; /* the stated status: "failed" (else "committed") */
    uint64_t height;
    struct yc_merkle_proof proof;        /* signed-tx hash → tx_root */
    struct yc_merkle_proof result_proof; /* result hash (id, outcome) → result_root */
    uint8_t header[RECEIPT_HEADER_MAX];
    size_t header_len;
    uint8_t block_hash[YC_HASH_LEN];
    struct yc_cert cert;
};

/* The transactions that made one validator-set change: its validator.propose, then each
 * validator.approve of it up to the one that fixed it, in ledger order. */
struct receipt_change {
    uint32_t ntxs;
    struct receipt_part *txs; /* owned (malloc) */
};

#define RECEIPT_MAX_CHANGES 1024    /* valset_changes entries */
#define RECEIPT_MAX_CHANGE_TXS 4096 /* transactions over all of them */

struct receipt {
    char chain_id[YC_CHAIN_ID_MAX + 1];
    uint8_t genesis_hash[YC_HASH_LEN]; /* as stated */
    struct yc_genesis genesis;         /* the embedded document, parsed; its hash recomputed */
    uint32_t nvalidators;              /* the stated validator set, index = position */
    uint8_t validators[YC_MAX_VALIDATORS][YC_PUBKEY_LEN];
    struct receipt_part own; /* the transaction the receipt is about */
    /* "valset_changes" (optional): every change of the validator set in force by
     * own.height, in the order they were fixed (docs/wallet.md, "Receipts") */
    uint32_t nchanges;
    struct receipt_change *changes; /* owned (malloc) */
};

/* What the verifier trusts, besides the receipt. */
enum receipt_anchor {
    RECEIPT_ANCHOR_NONE = 0, /* the genesis embedded in the receipt: not anchored */
    RECEIPT_ANCHOR_FILE,     /* a genesis.json the verifier holds (--genesis FILE) */
    RECEIPT_ANCHOR_HASH      /* a genesis hash the verifier knows (--genesis-hash HEX) */
};

struct receipt_trust {
    enum receipt_anchor kind;
    const struct yc_genesis *genesis; /* FILE: loaded and finalized (not owned) */
    uint8_t hash[YC_HASH_LEN];        /* HASH */
};

/* The outcome of receipt_verify. `check` names the first failed check ("tx", "chain",
 * "signature", "header", "tx_root", "outcome", "result_root", "block_hash", "height",
 * "genesis", "valset_changes", "certificate"), NULL when everything verified. The counts are set once the
 * certificate is reached. */
struct receipt_verdict {
    const char *check;
    char message[512];
    uint32_t signers, nvalidators, quorum;
    struct yc_block_header header; /* decoded once the "header" check passed */
};

/*
 * Parses a receipt file's text (len bytes, at most RECEIPT_MAX_BYTES). Returns YC_OK, or
 * YC_ELIMIT (too large), YC_EDECODE (not a JSON object), YC_EBADFIELD (a member missing,
 * unknown, of a bad type or length, a wrong version, an invalid embedded genesis),
 * YC_ENOMEM, with a message naming the member in err. On failure *r is cleared (no
 * cleanup needed); on success free it with receipt_cleanup.
 */
int receipt_parse(struct receipt *r, const char *text, size_t len, char *err, size_t errlen);
/* The same from a parsed JSON object (not stolen). */
int receipt_from_json(struct receipt *r, json_t *root, char *err, size_t errlen);
/* Frees r->tx and r->genesis; clears *r. Safe on a cleared receipt. */
void receipt_cleanup(struct receipt *r);

/*
 * Builds the JSON object of a receipt from a node's `tx_proof` result and the chain's
 * parsed genesis (g, finalized). Takes only the members the grammar names and does not
 * check them: parse the result with receipt_from_json. Returns a new object or NULL
 * (ENOMEM, or tx_proof lacks a member).
 */
json_t *receipt_compose(json_t *tx_proof, const struct yc_genesis *g);

/* The members of one proven transaction (`valset_changes[i].txs[j]`, and the receipt's own)
 * from a node's `tx_proof` result; NULL if a member is missing (or ENOMEM). */
json_t *receipt_compose_part(json_t *tx_proof);

/* Renders the receipt as pretty JSON (members in grammar order) ending in a newline;
 * malloc'ed, NULL on ENOMEM. */
char *receipt_render(const struct receipt *r);

/*
 * Runs every check, in order: the tx decodes and its id is the stated one; its chain is
 * the receipt's; the sender's signature and every co-signature verify; the raw header
 * decodes canonically on that chain, in the block format this wallet reads; the Merkle
 * proof leads from the signed-tx hash of the tx bytes (signature and co-signatures
 * included) to the header's tx_root; the stated status agrees with the stated code; the
 * result proof leads from the hash of (tx id, outcome) to the header's result_root; the
 * header hashes to the block hash; the header's height is the stated one; the
 * genesis (embedded, and the trust anchor) matches the stated hash and validator set; each
 * valset_changes entry proves a change by the ledger's rule ("valset_changes"); the
 * certificate holds a quorum of valid COMMIT signatures of the validators in force at
 * the block's height (the genesis set changed by those changes) over the block hash. Returns true iff all pass; else v->check and v->message say which failed.
 * On success `*tx` (if not NULL) holds the decoded tx (free with yc_tx_cleanup).
 */
bool receipt_verify(const struct receipt *r, const struct receipt_trust *trust,
                    struct receipt_verdict *v, struct yc_tx *tx);

/*
 * What a receipt is about, for people: {"id","type","sender","status","code","height",
 * "index","block_hash","block_time","chain_id","genesis_hash"} (status "committed" with
 * code "ok", or "failed" with the error code) plus, for a consent.grant, "processor",
 * "categories", "purposes", "operations", "not_before", "not_before_time", "until",
 * "until_time" (times as json.h renders them), and for a consent.revoke,
 * "consent". `tx` is the decoded transaction, `h` the decoded header. NULL on ENOMEM.
 */
json_t *receipt_summary(const struct receipt *r, const struct yc_tx *tx,
                        const struct yc_block_header *h);

#endif
