/*
 * gov.h — the validator set as ledger state, and the governance proposals that change it
 * (DESIGN.md §5 and §7; the grammar of the objects in docs/formats.md).
 *
 * State objects (canonical msgpack maps, keys sorted):
 *
 *   valset/<u64be from>                       → set record {validators: [{name, org, pub}, …]}:
 *                                               the set in force from height `from` until
 *                                               the next record
 *   valset_heights                            → {from: [u64, …]}: the `from` of every record,
 *                                               strictly increasing
 *   proposal/<id32>                           → proposal (id = the validator.propose tx id)
 *   idx/proposal/<u64be height><u32be index>  → proposal id (32 bytes), in proposing order
 *
 * With no record the genesis set (yc_genesis's validators, each with its organisation
 * account) is in force from height 1. A change fixed by the block at height H (its
 * approvals reach the quorum of the set in force at H) takes effect at H + k, k =
 * params.valset_delay >= 1: its record is valset/<H + k>, holding the latest known set
 * with the change applied (two changes fixed in the same block share one record). So
 * the state after block T answers for every height up to T + k, and no later block
 * changes those answers.
 *
 * Thread-safety: pure functions over the state source given.
 */
#ifndef YC_GOV_H
#define YC_GOV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/block.h"
#include "yc/buf.h"
#include "yc/err.h"
#include "yc/genesis.h"
#include "yc/objects.h" /* YC_KEY_MAX: room for the keys below */
#include "yc/state.h"
#include "yc/tx.h"

/* Records of set changes a chain keeps (the valset_heights array). */
#define YC_VALSET_CHANGES_MAX 65536
/* Organisations listed as approvals of one proposal. */
#define YC_PROPOSAL_APPROVALS_MAX YC_MAX_VALIDATORS

/* A validator set with its names and organisation accounts, in force from `from`. */
struct yc_gov_set {
    uint64_t from; /* first height it is in force (1 for the genesis set) */
    uint32_t n;    /* 1..YC_MAX_VALIDATORS */
    struct yc_validator v[YC_MAX_VALIDATORS];
};

/* The weight of approvals by organisations orgs[0..n): the validators of `now` whose
 * organisation is one of them (an organisation with two validators weighs two). */
uint32_t yc_gov_weight(const struct yc_gov_set *now, const uint8_t (*orgs)[YC_PUBKEY_LEN],
                       uint32_t n);
/* The genesis set (from 1). */
void yc_gov_set_genesis(struct yc_gov_set *s, const struct yc_genesis *g);
/* The keys and quorum of s. */
void yc_gov_set_keys(const struct yc_gov_set *s, struct yc_valset *out);
/* Index of the validator with key pub in s, or -1. */
int yc_gov_set_index(const struct yc_gov_set *s, const uint8_t pub[YC_PUBKEY_LEN]);
/* True iff org is the organisation account of at least one validator of s. */
bool yc_gov_set_has_org(const struct yc_gov_set *s, const uint8_t org[YC_PUBKEY_LEN]);

/*
 * The set in force at `height` as the state read through `state` records it: the last
 * record whose `from` <= height, else the genesis set of g. `state` is the committed state
 * after some block T (or an overlay over it): the answer is final for every height up to
 * T + g->params.valset_delay; for later heights it is the latest set known after T.
 * Height 0 (the genesis, which has no certificate) answers the genesis set.
 * Returns YC_OK, YC_EINVAL (NULL argument), YC_ECORRUPT (a record that does not decode or
 * holds no valid set), YC_EIO / YC_ENOMEM from the source.
 */
YC_WUR int yc_gov_set_at(const struct yc_state_src *state, const struct yc_genesis *g,
                         uint64_t height, struct yc_gov_set *out);

/* Every record of the set after `after` (exclusive) — the changes fixed but not yet in
 * force when `after` is the tip — in increasing `from`, at most max of them into out[];
 * *n gets how many. Returns as yc_gov_set_at. */
YC_WUR int yc_gov_sets_after(const struct yc_state_src *state, const struct yc_genesis *g,
                             uint64_t after, struct yc_gov_set *out, uint32_t max, uint32_t *n);

/* A change of the set, as a validator.propose body or a stored proposal names it. */
struct yc_gov_change {
    struct yc_slice action; /* "add" | "remove" | "replace_key" */
    const uint8_t *pub;     /* the key added, removed or replaced */
    const uint8_t *new_pub; /* replace_key: its new key */
    const uint8_t *org;     /* add: the organisation account */
    struct yc_slice name;   /* add: the name (1..YC_VALIDATOR_NAME_MAX bytes) */
};

/* Why yc_gov_set_apply refused a change. */
enum yc_gov_refusal {
    YC_GOV_APPLIES = 0,
    YC_GOV_KEY_IN_SET,     /* add: pub is already validator *at */
    YC_GOV_SET_FULL,       /* add: the set has YC_MAX_VALIDATORS */
    YC_GOV_KEY_NOT_IN_SET, /* remove, replace_key: pub is not in the set */
    YC_GOV_LAST,           /* remove: the only validator */
    YC_GOV_NEW_KEY_IN_SET, /* replace_key: new_pub is already validator *at */
    YC_GOV_BAD_CHANGE,     /* an unknown action, or a field the action needs is missing */
};

/*
 * The rule of a change (the ledger's, and a receipt verifier's): applies c to `latest` into
 * *out (out->from = latest->from): add appends {name, org, pub}; remove closes the gap;
 * replace_key changes the key in place (name, org and index kept). Returns YC_OK, or
 * YC_EVALSET with *why (may be NULL) the reason and *at (may be NULL) the index it names.
 */
YC_WUR int yc_gov_set_apply(const struct yc_gov_set *latest, const struct yc_gov_change *c,
                            struct yc_gov_set *out, enum yc_gov_refusal *why, int *at);

/* Encoding of a set record (the value of valset/<from>; `from` is in the key). */
YC_WUR int yc_gov_set_encode(const struct yc_gov_set *s, struct yc_buf *out);
/* Decodes a set record into *s (s->from is left as it was): YC_OK or YC_ECORRUPT. */
YC_WUR int yc_gov_set_decode(struct yc_gov_set *s, const uint8_t *p, size_t len);

size_t yc_key_valset(uint8_t *key, uint64_t from);
size_t yc_key_valset_heights(uint8_t *key);
size_t yc_key_proposal(uint8_t *key, const uint8_t id[YC_HASH_LEN]);
size_t yc_key_idx_proposal(uint8_t *key, uint64_t height, uint32_t index);
/* The prefix of every idx/proposal entry. */
size_t yc_key_idx_proposal_prefix(uint8_t *key);

/* A proposal (validator.propose) and what became of it. */
struct yc_proposal {
    struct yc_slice action; /* "action": add | remove | replace_key */
    uint32_t napprovals;    /* "approvals": the organisations that approved, in order (the
                             * proposer first) */
    uint8_t approvals[YC_PROPOSAL_APPROVALS_MAX][YC_PUBKEY_LEN];
    /* "approval_txs": the validator.approve tx ids, in order (napprovals - 1 of them: the
     * proposer's approval is the proposal's own tx) */
    uint8_t approval_txs[YC_PROPOSAL_APPROVALS_MAX][YC_HASH_LEN];
    uint64_t created;     /* "created": height of the proposing block */
    uint64_t effect;      /* "effect": height the change takes effect (applied; else 0) */
    uint64_t ended;       /* "ended": height it was applied or withdrawn (else 0) */
    uint64_t expires;     /* "expires": the last height it can be approved at */
    struct yc_slice name; /* "name" (add) */
    bool has_new_pub;     /* "new_pub" (replace_key) */
    uint8_t new_pub[YC_PUBKEY_LEN];
    bool has_org; /* "org" (add): the new validator's organisation account */
    uint8_t org[YC_PUBKEY_LEN];
    uint8_t proposer[YC_PUBKEY_LEN]; /* "proposer": the organisation that proposed */
    uint8_t pub[YC_PUBKEY_LEN];      /* "pub": added, removed, or the key replaced */
    struct yc_slice status;          /* "status": open | applied | withdrawn */
};

YC_WUR int yc_proposal_encode(const struct yc_proposal *p, struct yc_buf *out);
/* YC_OK or YC_ECORRUPT; slices borrow p[0..len). */
YC_WUR int yc_proposal_decode(struct yc_proposal *p, const uint8_t *bytes, size_t len);
/* What a reader at `height` (the tip) sees: "applied", "withdrawn", "expired" (open and
 * height > expires) or "open". */
const char *yc_proposal_status(const struct yc_proposal *p, uint64_t height);

#endif
