/*
 * tx.h — the transaction envelope (DESIGN.md §5, grammar in docs/formats.md).
 *
 * Signed bytes: canonical map {body, chain_id, cosigs?, nonce, sender, sig, type}.
 * Unsigned bytes: the same map without `sig` and `cosigs`. The id is
 * H(YC_TAG_TX, chain_id, unsigned bytes): it never changes with a signature
 * (no malleability), and `sig` and every cosig sign exactly the id.
 *
 * Decoding is done once: yc_tx_decode checks canonical form, the envelope and the
 * typed body (unknown types refused), computes the id and keeps its own copy of the
 * bytes; every slice in the typed body points into that copy. Signatures are checked
 * separately (yc_tx_verify) so that a node can verify once on a worker and cache.
 *
 * Thread-safety: a decoded tx is immutable and may be read from any thread; its copies
 * (yc_tx_copy) share its allocation by an atomic count, taken and dropped on any thread.
 */
#ifndef YC_TX_H
#define YC_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/buf.h"
#include "yc/err.h"
#include "yc/hash.h"
#include "yc/keys.h"

#define YC_TX_MAX_BYTES (64u * 1024u) /* a signed tx larger than this is refused */
#define YC_TX_MAX_COSIGS 4
#define YC_LIST_MAX 16  /* items in a category/purpose/operation list */
#define YC_NAME_MAX 128 /* bytes of a display name, title or reason text */
#define YC_CODE_MAX 64  /* bytes of a role, category, purpose, jurisdiction or code */

/* Wire names are the protocol; numbers are internal but stable (never renumbered). */
#define YC_TX_TYPES(X)                                  \
    X(YC_TX_ACCOUNT_REGISTER, 1, "account.register")    \
    X(YC_TX_ACCOUNT_UPDATE, 2, "account.update")        \
    X(YC_TX_TOKEN_ISSUE, 10, "token.issue")             \
    X(YC_TX_TOKEN_TRANSFER, 11, "token.transfer")       \
    X(YC_TX_TOKEN_REDEEM, 12, "token.redeem")           \
    X(YC_TX_CONSENT_GRANT, 20, "consent.grant")         \
    X(YC_TX_CONSENT_REVOKE, 21, "consent.revoke")       \
    X(YC_TX_USAGE_RECORD, 30, "usage.record")           \
    X(YC_TX_EVIDENCE_ANCHOR, 31, "evidence.anchor")     \
    X(YC_TX_CARRY_REQUEST, 32, "carry.request")         \
    X(YC_TX_CARRY_COMPLETE, 33, "carry.complete")       \
    X(YC_TX_CARRY_REJECT, 34, "carry.reject")           \
    X(YC_TX_ASSET_REGISTER, 40, "asset.register")       \
    X(YC_TX_ASSET_OBJECT, 41, "asset.object")           \
    X(YC_TX_ASSET_RESOLVE, 42, "asset.resolve")         \
    X(YC_TX_ASSET_CERTIFY, 43, "asset.certify")         \
    X(YC_TX_ASSET_UPDATE, 44, "asset.update")           \
    X(YC_TX_ASSET_RETIRE, 45, "asset.retire")           \
    X(YC_TX_RIGHT_TRANSFER, 50, "right.transfer")       \
    X(YC_TX_RIGHT_LICENSE, 51, "right.license")         \
    X(YC_TX_LICENSE_REVOKE, 52, "license.revoke")       \
    X(YC_TX_MARKET_LIST, 60, "market.list")             \
    X(YC_TX_MARKET_APPRAISE, 61, "market.appraise")     \
    X(YC_TX_MARKET_BID, 62, "market.bid")               \
    X(YC_TX_MARKET_ACCEPT, 63, "market.accept")         \
    X(YC_TX_MARKET_CANCEL, 64, "market.cancel")         \
    X(YC_TX_PLEDGE_CREATE, 70, "pledge.create")         \
    X(YC_TX_PLEDGE_RELEASE, 71, "pledge.release")       \
    X(YC_TX_PLEDGE_ENFORCE, 72, "pledge.enforce")       \
    X(YC_TX_POLICY_SET, 80, "policy.set")               \
    X(YC_TX_EXPORT_ASSESS, 81, "export.assess")         \
    X(YC_TX_CREDIT_RECORD, 82, "credit.record")         \
    X(YC_TX_CREDIT_RESTORE, 83, "credit.restore")       \
    X(YC_TX_CREDIT_OBJECT, 84, "credit.object")         \
    X(YC_TX_CREDIT_RESOLVE, 85, "credit.resolve")       \
    X(YC_TX_VALIDATOR_PROPOSE, 90, "validator.propose") \
    X(YC_TX_VALIDATOR_APPROVE, 91, "validator.approve") \
    X(YC_TX_VALIDATOR_WITHDRAW, 92, "validator.withdraw")

enum yc_tx_type {
    YC_TX_NONE = 0,
#define YC_TX_ENUM_(e, n, name) e = n,
    YC_TX_TYPES(YC_TX_ENUM_)
#undef YC_TX_ENUM_
};

/* Wire name of a type ("consent.grant"), or NULL. */
const char *yc_tx_type_name(enum yc_tx_type t);
/* Type of a wire name (not NUL-terminated), or YC_TX_NONE. */
enum yc_tx_type yc_tx_type_from_name(const char *s, size_t len);

/* A borrowed byte string: points into the owning tx's bytes. */
struct yc_slice {
    const char *p;
    size_t len;
};

struct yc_list {
    uint32_t n;
    struct yc_slice items[YC_LIST_MAX];
};

/* Bodies. Map keys on the wire are the field names, sorted; optional fields noted. */
struct yc_body_account_register {
    bool has_account; /* "account" (bin 33): registered account; absent = sender */
    uint8_t account[YC_PUBKEY_LEN];
    struct yc_slice jurisdiction; /* "jurisdiction": e.g. CN-CQ, CN-SC, SG */
    struct yc_slice name;         /* "name": display name */
    struct yc_slice role;         /* "role": individual, enterprise, processor, ... */
};
struct yc_body_account_update {
    bool has_account; /* "account" (optional): whose; absent = sender */
    uint8_t account[YC_PUBKEY_LEN];
    bool has_jurisdiction, has_name;
    struct yc_slice jurisdiction, name;
};
struct yc_body_token {
    bool has_to; /* "to" (issue, transfer) */
    uint8_t to[YC_PUBKEY_LEN];
    uint64_t amount;      /* "amount" in fen, > 0 */
    struct yc_slice memo; /* "memo" (optional) */
};
struct yc_body_consent_grant {
    struct yc_list categories;        /* "categories" */
    uint64_t fee_per_use;             /* "fee_per_use" (fen, optional, default 0) */
    struct yc_slice jurisdiction;     /* "jurisdiction": processing jurisdiction */
    uint64_t max_uses;                /* "max_uses" (optional, 0 = unlimited) */
    uint64_t not_before;              /* "not_before" (ms, optional, default 0) */
    bool onward_transfer;             /* "onward_transfer" (optional, default false) */
    struct yc_list operations;        /* "operations": collect, hold, host, use */
    uint8_t processor[YC_PUBKEY_LEN]; /* "processor" */
    struct yc_list purposes;          /* "purposes" */
    uint64_t retention_days;          /* "retention_days" (optional, default 0 = none stated) */
    uint64_t until;                   /* "until" (ms, > not_before) */
};
struct yc_body_consent_revoke {
    uint8_t consent[YC_HASH_LEN]; /* "consent" */
};
struct yc_body_usage_record {
    struct yc_slice category; /* "category" (optional) */
    bool has_consent;         /* exactly one of "consent" / "license" */
    uint8_t consent[YC_HASH_LEN];
    bool has_input;
    uint8_t input[YC_HASH_LEN]; /* "input" digest (optional) */
    bool has_license;
    uint8_t license[YC_HASH_LEN];
    struct yc_slice operation; /* "operation" */
    bool has_output;
    uint8_t output[YC_HASH_LEN]; /* "output" digest (optional) */
    struct yc_slice purpose;     /* "purpose" */
};
struct yc_body_evidence_anchor {
    uint8_t digest[YC_HASH_LEN]; /* "digest" */
    struct yc_slice kind;        /* "kind": a code, e.g. dcmm_assessment */
    struct yc_slice note;        /* "note" (optional) */
    bool has_ref;
    uint8_t ref[YC_HASH_LEN]; /* "ref" (optional): id of a referenced object */
};

/* ---- assets, rights and carry ---- */

#define YC_PARENTS_MAX 16      /* parents of one asset */
#define YC_CONTRIBUTORS_MAX 16 /* contributors of one asset */
#define YC_SHARES_TOTAL 10000u /* contributor shares sum to this many basis points */

struct yc_contributor {
    uint8_t pub[YC_PUBKEY_LEN];
    uint64_t bps; /* share in basis points */
};

struct yc_body_asset_register {
    struct yc_slice catalog; /* "catalog": catalog code */
    uint32_t ncontributors;  /* "contributors": array of [pub, bps], 1..16 */
    struct yc_contributor contributors[YC_CONTRIBUTORS_MAX];
    uint8_t digest[YC_HASH_LEN]; /* "digest": content digest */
    struct yc_slice grade;       /* "grade": general | important | core */
    struct yc_slice openness;    /* "openness": open | conditional | closed */
    uint32_t nparents;           /* "parents" (optional): asset ids, 0..16 */
    uint8_t parents[YC_PARENTS_MAX][YC_HASH_LEN];
    struct yc_slice sector; /* "sector": a code */
    struct yc_slice source; /* "source": public | enterprise | personal */
    struct yc_slice title;  /* "title": 1..128 bytes */
    bool has_usage;         /* "usage" (optional): the recorded use whose output this is */
    uint8_t usage[YC_HASH_LEN];
};
struct yc_body_asset_object {
    uint8_t asset[YC_HASH_LEN];    /* "asset" */
    uint8_t evidence[YC_HASH_LEN]; /* "evidence": digest of the evidence */
    struct yc_slice reason;        /* "reason": a code */
};
struct yc_body_asset_resolve {
    struct yc_slice note;           /* "note" (optional) */
    uint8_t objection[YC_HASH_LEN]; /* "objection" */
    struct yc_slice outcome;        /* "outcome": upheld | dismissed */
};
struct yc_body_asset_ref {      /* asset.certify; asset.retire */
    uint8_t asset[YC_HASH_LEN]; /* "asset" */
    struct yc_slice reason;     /* "reason" (optional code; retire only) */
};
struct yc_body_asset_update {
    uint8_t asset[YC_HASH_LEN];  /* "asset" */
    uint8_t digest[YC_HASH_LEN]; /* "digest": the new version's digest */
    struct yc_slice note;        /* "note" (optional) */
    bool has_parents;            /* "parents" (optional): replaces the parent list */
    uint32_t nparents;
    uint8_t parents[YC_PARENTS_MAX][YC_HASH_LEN];
    struct yc_slice title; /* "title" (optional): a new title */
};
struct yc_body_right_transfer {
    uint8_t asset[YC_HASH_LEN]; /* "asset" */
    struct yc_slice right;      /* "right": hold | process | operate */
    uint8_t to[YC_PUBKEY_LEN];  /* "to" */
};
struct yc_body_right_license {
    uint8_t asset[YC_HASH_LEN];      /* "asset" */
    uint64_t fee;                    /* "fee" (optional, default 0): fen per use */
    uint8_t licensee[YC_PUBKEY_LEN]; /* "licensee" */
    uint64_t max_uses;               /* "max_uses" (optional, 0 = unlimited) */
    uint64_t not_before;             /* "not_before" (ms, optional) */
    struct yc_list operations;       /* "operations": compute, model, verify, query, export */
    struct yc_list purposes;         /* "purposes" */
    uint64_t until;                  /* "until" (ms) */
    struct yc_slice visibility;      /* "visibility": visible | invisible */
};
struct yc_body_license_revoke {
    uint8_t license[YC_HASH_LEN]; /* "license" */
};
struct yc_body_carry_request {
    bool has_asset;                   /* "asset" (optional): the data asset carried, */
    uint8_t asset[YC_HASH_LEN];       /* so that its grade's border rules apply */
    struct yc_list categories;        /* "categories" */
    uint8_t holder[YC_PUBKEY_LEN];    /* "holder": who holds the data now */
    uint8_t recipient[YC_PUBKEY_LEN]; /* "recipient": where it goes */
};
struct yc_body_carry_close {    /* carry.complete; carry.reject */
    uint8_t carry[YC_HASH_LEN]; /* "carry" */
    bool has_package;
    uint8_t package[YC_HASH_LEN]; /* "package" (complete): digest of the package */
    struct yc_slice reason;       /* "reason" (reject): a code */
};

/* ---- market, finance and supervision ---- */

#define YC_POLICY_ACCOUNTS_MAX 16 /* accounts in one negative-list or alert list */

struct yc_body_market_list {
    uint8_t asset[YC_HASH_LEN]; /* "asset" */
    uint64_t fee;               /* "fee" (optional; license offers): fen per use */
    uint64_t max_uses;          /* "max_uses" (optional; license offers): 0 = unlimited */
    struct yc_slice offer;      /* "offer": hold | operate | license */
    bool has_operations;        /* "operations" (license offers) */
    struct yc_list operations;
    uint64_t price;    /* "price": the ask, fen */
    bool has_purposes; /* "purposes" (license offers) */
    struct yc_list purposes;
    struct yc_slice sector;     /* "sector": a code, the price index's sector */
    uint64_t until;             /* "until" (license offers): end of the license, ms */
    struct yc_slice visibility; /* "visibility" (license offers) */
};
struct yc_body_market_appraise {
    uint8_t listing[YC_HASH_LEN]; /* "listing" */
    struct yc_slice method;       /* "method": a code (income, cost, market, ...) */
    uint8_t report[YC_HASH_LEN];  /* "report": digest of the appraisal report */
    uint64_t value;               /* "value": fen */
};
struct yc_body_market_bid {
    uint64_t expires;             /* "expires": ms, block time */
    uint8_t listing[YC_HASH_LEN]; /* "listing" */
    uint64_t price;               /* "price": fen, held in escrow */
};
struct yc_body_market_accept {
    uint8_t bid[YC_HASH_LEN]; /* "bid" */
};
struct yc_body_market_cancel { /* exactly one of "bid" / "listing" */
    bool has_bid;
    uint8_t bid[YC_HASH_LEN];
    bool has_listing;
    uint8_t listing[YC_HASH_LEN];
};
struct yc_body_pledge_create {
    uint64_t amount;                /* "amount": fen secured */
    uint8_t asset[YC_HASH_LEN];     /* "asset": whose hold right is pledged */
    uint64_t due;                   /* "due": ms, after which the pledgee may enforce */
    uint8_t pledgee[YC_PUBKEY_LEN]; /* "pledgee": a financial institution; must co-sign */
};
struct yc_body_pledge_ref {      /* pledge.release; pledge.enforce */
    uint8_t pledge[YC_HASH_LEN]; /* "pledge" */
};
struct yc_body_policy_set {
    uint32_t nalert_accounts; /* "alert_accounts" (optional): any act of these */
    uint8_t alert_accounts[YC_POLICY_ACCOUNTS_MAX][YC_PUBKEY_LEN];
    uint64_t alert_amount;     /* "alert_amount" (optional): deals above it; 0 = none */
    bool alert_cross_border;   /* "alert_cross_border" (optional) */
    bool alert_important;      /* "alert_important" (optional): uses of important data */
    uint32_t nbanned_accounts; /* "banned_accounts" (optional) */
    uint8_t banned_accounts[YC_POLICY_ACCOUNTS_MAX][YC_PUBKEY_LEN];
    struct yc_list banned_catalog_prefixes; /* "banned_catalog_prefixes" (optional) */
    struct yc_list banned_categories;       /* "banned_categories" (optional) */
    struct yc_list banned_jurisdictions;    /* "banned_jurisdictions" (optional) */
    struct yc_list categories;              /* "categories" (optional): codes to add to the data
                                     * category list */
    struct yc_list purposes; /* "purposes" (optional): codes to add to the purposes */
    uint64_t version;        /* "version": the current version + 1 */
};
struct yc_body_export_assess {
    uint8_t asset[YC_HASH_LEN];  /* "asset" */
    struct yc_slice destination; /* "destination": a jurisdiction outside CN */
    struct yc_slice outcome;     /* "outcome": approved | denied */
    uint8_t report[YC_HASH_LEN]; /* "report": digest of the assessment report */
    uint64_t until;              /* "until": ms, end of the approval */
};
struct yc_body_credit_record {
    uint8_t account[YC_PUBKEY_LEN]; /* "account" */
    uint8_t evidence[YC_HASH_LEN];  /* "evidence": digest */
    struct yc_slice reason;         /* "reason": a code */
    struct yc_slice severity;       /* "severity": warning | restricted | frozen */
};
struct yc_body_credit_ref {      /* credit.restore; credit.object; credit.resolve */
    uint8_t credit[YC_HASH_LEN]; /* "credit" */
    bool has_evidence;           /* "evidence" (object): digest */
    uint8_t evidence[YC_HASH_LEN];
    struct yc_slice note;    /* "note" (optional; restore, resolve) */
    struct yc_slice outcome; /* "outcome" (resolve): uphold | withdraw */
    struct yc_slice reason;  /* "reason" (object): a code */
};

/* validator.propose: a change of the validator set (yc/gov.h), by the organisation account
 * of a validator in force; it counts as that organisation's approval. */
struct yc_body_validator_propose {
    struct yc_slice action; /* "action": add | remove | replace_key */
    struct yc_slice name;   /* "name" (add: the new validator's name, 1..64 bytes) */
    bool has_new_pub;       /* "new_pub" (replace_key: the key that replaces pub) */
    uint8_t new_pub[YC_PUBKEY_LEN];
    bool has_org; /* "org" (add: the new validator's organisation account) */
    uint8_t org[YC_PUBKEY_LEN];
    uint8_t pub[YC_PUBKEY_LEN]; /* "pub": the key added, removed or replaced */
};
/* validator.approve, validator.withdraw */
struct yc_body_validator_ref {
    uint8_t proposal[YC_HASH_LEN]; /* "proposal": the validator.propose tx id */
};

union yc_tx_body {
    struct yc_body_account_register account_register;
    struct yc_body_account_update account_update;
    struct yc_body_token token; /* issue, transfer, redeem */
    struct yc_body_consent_grant consent_grant;
    struct yc_body_consent_revoke consent_revoke;
    struct yc_body_usage_record usage_record;
    struct yc_body_evidence_anchor evidence_anchor;
    struct yc_body_asset_register asset_register;
    struct yc_body_asset_object asset_object;
    struct yc_body_asset_resolve asset_resolve;
    struct yc_body_asset_ref asset_ref; /* certify, retire */
    struct yc_body_asset_update asset_update;
    struct yc_body_right_transfer right_transfer;
    struct yc_body_right_license right_license;
    struct yc_body_license_revoke license_revoke;
    struct yc_body_carry_request carry_request;
    struct yc_body_carry_close carry_close; /* complete, reject */
    struct yc_body_market_list market_list;
    struct yc_body_market_appraise market_appraise;
    struct yc_body_market_bid market_bid;
    struct yc_body_market_accept market_accept;
    struct yc_body_market_cancel market_cancel;
    struct yc_body_pledge_create pledge_create;
    struct yc_body_pledge_ref pledge_ref; /* release, enforce */
    struct yc_body_policy_set policy_set;
    struct yc_body_export_assess export_assess;
    struct yc_body_credit_record credit_record;
    struct yc_body_credit_ref credit_ref; /* restore, object, resolve */
    struct yc_body_validator_propose validator_propose;
    struct yc_body_validator_ref validator_ref; /* approve, withdraw */
};

struct yc_cosig {
    uint8_t pub[YC_PUBKEY_LEN];
    uint8_t sig[YC_SIG_LEN];
};

/* Every public key of a body is at most this many (contributors, policy lists). */
#define YC_TX_MAX_BODY_KEYS 40

/* Offsets of the body's public keys in yc_tx.body, as the decoder notes them. */
struct yc_keylog {
    uint32_t n;
    uint16_t off[YC_TX_MAX_BODY_KEYS];
};

/* The same offsets kept by a decoded tx (n of them, in its allocation). */
struct yc_keylist {
    uint32_t n;
    const uint16_t *off;
};

/* The head of a decoded tx's allocation (private to tx.c): how many structs share it. */
struct yc_txmem;

/*
 * A decoded tx. Everything it points to lives in one allocation, starting at `bytes`:
 * the signed bytes, then the typed body (only as large as its type's member of union
 * yc_tx_body), the cosigs and the body's key offsets. So the struct itself is small (an
 * array of them per block, a mempool of them) and a decode costs one allocation. The
 * allocation is immutable and counted: yc_tx_copy shares it (one more reference, no
 * allocation, nothing copied but this struct), yc_tx_cleanup drops one, the last frees
 * it. So the mempool, a proposal and the block executed hold the same decoded tx.
 */
struct yc_tx {
    uint8_t *bytes; /* the signed canonical bytes, and the rest below (in mem) */
    size_t len;
    uint8_t id[YC_HASH_LEN];
    struct yc_slice chain_id;
    enum yc_tx_type type;
    uint8_t sender[YC_PUBKEY_LEN];
    uint64_t nonce;
    const uint8_t *body; /* raw canonical body map, inside bytes */
    size_t body_len;
    uint8_t sig[YC_SIG_LEN];
    uint32_t ncosigs;
    const struct yc_cosig *cosigs; /* ncosigs of them, after the body */
    /* The typed body: read only the member of `type` (the others may lie past the end
     * of the allocation). */
    const union yc_tx_body *b;
    uint64_t body_present; /* bit i: field i of the type's schema is on the wire (txschema.h) */
    struct yc_keylist body_keys;
    struct yc_txmem *mem; /* the counted allocation `bytes` lies in; NULL: bytes borrowed (a
                           * draft) or owned alone (freed by yc_tx_cleanup) */
};

/*
 * Decodes signed bytes into *tx (tx->bytes: its own copy, in its counted allocation).
 * Checks canonical form, envelope fields, the body's schema for its type and the field
 * limits; does NOT check signatures, chain, or that a public key is a point of the
 * curve (only its scheme byte: YC_EBADKEY): yc_tx_verify does, once, since the curve
 * check costs as much as a tenth of a signature check. Returns YC_OK, YC_ETOOLARGE,
 * YC_EDECODE and friends, YC_EUNKNOWNTYPE, YC_EBADFIELD, YC_EBADKEY, YC_ENOMEM. On
 * failure *tx is cleared.
 */
YC_WUR int yc_tx_decode(struct yc_tx *tx, const uint8_t *bytes, size_t len);
/*
 * yc_tx_decode, plus words on failure for the one who sent the bytes: which key and what
 * it must be ("body.until: expected an unsigned integer", "body: unknown field 'foo'",
 * "body: missing field 'until'", "body.categories: at most 16 items"). why gets
 * whylen bytes, NUL-terminated ("" on success; why may be NULL when whylen is 0). Same
 * codes and verdicts as yc_tx_decode; the words cost nothing unless decoding fails.
 */
YC_WUR int yc_tx_decode_why(struct yc_tx *tx, const uint8_t *bytes, size_t len, char *why,
                            size_t whylen);
/* Drops *tx's reference to its allocation (the last one frees it: bytes, body, cosigs,
 * key offsets; a tx whose mem is NULL frees tx->bytes) and clears *tx; safe on a cleared
 * tx. */
void yc_tx_cleanup(struct yc_tx *tx);
/*
 * Makes *dst a copy of the decoded tx *src that outlives it: the same fields yc_tx_decode
 * of src->bytes would give, without decoding or hashing again. A tx from yc_tx_decode or
 * yc_tx_copy (or a struct copy of one still referenced) is shared: *dst = *src and one
 * more reference to the allocation, nothing allocated. Any other (mem NULL: a draft whose
 * fields point into borrowed bytes) gets its own allocation, with every borrowed slice
 * (chain id, body, the body's text and list fields) pointing into it. Either way *dst is
 * released with yc_tx_cleanup; references may be taken and dropped on any thread.
 * Returns YC_OK or YC_ENOMEM (*dst cleared).
 */
YC_WUR int yc_tx_copy(struct yc_tx *dst, const struct yc_tx *src);

/*
 * Checks chain id (YC_EWRONGCHAIN), that every public key of the body is a valid key
 * (YC_EBADKEY), and the sender's signature and every cosig (YC_EBADSIG / YC_EBADCOSIG;
 * YC_EBADKEY when the signer's key itself is not a valid key). Pure; costs one BIP-340
 * verification per signature and one curve check per body key.
 */
YC_WUR int yc_tx_verify(const struct yc_tx *tx, const char *chain_id);

/*
 * What a verifier already knows of a tx's keys from earlier checks, so as not to parse
 * them again (see yc_parsed_key). A wrong hint is a wrong verdict: a hint must come
 * from this process's own earlier checks of exactly these key bytes.
 */
struct yc_tx_keyhint {
    bool sender_parsed;          /* in: `sender` is tx->sender, parsed; set when the check
                                  * parsed it (then `sender` is filled in) */
    struct yc_parsed_key sender; /* in, or out: filled by the check when it parsed it */
    bool body_valid;             /* in: every key of the body is known to be a valid key */
};
/* yc_tx_verify using and filling *hint (NULL: none). Same verdicts and codes. */
YC_WUR int yc_tx_verify_hinted(const struct yc_tx *tx, const char *chain_id,
                               struct yc_tx_keyhint *hint);
/* The i-th key of the body (i < tx->body_keys.n), inside tx->body. */
const uint8_t *yc_tx_body_key(const struct yc_tx *tx, uint32_t i);

/* Encodes the unsigned envelope around already-encoded canonical body bytes. */
YC_WUR int yc_tx_encode_unsigned(struct yc_buf *out, const char *chain_id, enum yc_tx_type type,
                                 const uint8_t sender[YC_PUBKEY_LEN], uint64_t nonce,
                                 const uint8_t *body, size_t body_len);
/* Id (= signing hash) of unsigned bytes. */
void yc_tx_id(uint8_t id[YC_HASH_LEN], const char *chain_id, const uint8_t *unsigned_bytes,
              size_t len);
/*
 * Encodes the signed envelope: the unsigned fields plus `sig` and, if ncosigs > 0,
 * `cosigs` (array of [pub, sig] pairs sorted by pub).
 */
YC_WUR int yc_tx_encode_signed(struct yc_buf *out, const char *chain_id, enum yc_tx_type type,
                               const uint8_t sender[YC_PUBKEY_LEN], uint64_t nonce,
                               const uint8_t *body, size_t body_len, const uint8_t sig[YC_SIG_LEN],
                               const struct yc_cosig *cosigs, uint32_t ncosigs);
/* Convenience: build, sign with `s` (aux randomness given) and encode; *id gets the id. */
YC_WUR int yc_tx_build_signed(struct yc_buf *out, uint8_t id[YC_HASH_LEN], const char *chain_id,
                              enum yc_tx_type type, const yc_signer *s, uint64_t nonce,
                              const uint8_t *body, size_t body_len, const uint8_t aux32[32]);

#endif
