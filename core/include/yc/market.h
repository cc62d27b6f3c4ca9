/*
 * market.h — state objects of the market and its supervision (DESIGN.md §5, §6;
 * grammar in docs/formats.md, rules in docs/domain.md): listings, appraisals, bids held
 * in escrow, settled deals, the price index, pledges, the regulator's policy (negative
 * list and alert rules), export assessments, credit records, alerts and the money supply
 * counter; and the whole-state consistency check `yuchain-audit violations` runs.
 *
 *   listing/<id32>                                   → listing
 *   bid/<id32>                                       → bid
 *   appraisal/<id32>                                 → appraisal
 *   deal/<id32>                                      → deal (id = the accepting tx)
 *   price_index/<u8 len><sector><u64be period start> → price point
 *   pledge/<id32>                                    → pledge
 *   pledged/<asset32>                                → pledge id (32): the active pledge
 *   policy                                           → policy (the current version)
 *   policy_version/<u64be version>                   → policy (every version)
 *   assessment/<id32>                                → assessment
 *   export/<asset32><destination>                    → assessment id (32): the latest
 *   credit/<id32>                                    → credit record
 *   credit_state/<pub33>                             → credit state (live records by severity)
 *   alert/<u64be height><u32be index><u8 seq>        → alert
 *   supply                                           → supply (tokens issued and redeemed)
 *   idx/listing_open/<id32>                          → ""   (deleted when the listing closes)
 *   idx/listing_asset/<asset32><id32>                → ""
 *   idx/bid_listing/<listing32><bid32>               → ""
 *   idx/appraisal_listing/<listing32><id32>          → ""
 *   idx/deal_time/<u64be time><id32>                 → ""
 *   idx/deal_asset/<asset32><id32>                   → ""
 *   idx/pledge_asset/<asset32><id32>                 → ""
 *   idx/pledge_party/<pub33><id32>                   → ""   (pledgor and pledgee)
 *   idx/export_asset/<asset32><id32>                 → ""
 *   idx/credit_account/<pub33><u64be height><u32be index> → credit id (32)
 *
 * Decoded structs borrow: slices point into the encoded bytes, which must outlive them.
 * Thread-safety: pure functions.
 */
#ifndef YC_MARKET_H
#define YC_MARKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/buf.h"
#include "yc/err.h"
#include "yc/genesis.h"
#include "yc/hash.h"
#include "yc/state.h"
#include "yc/tx.h"

#define YC_LISTING_BIDS_MAX 32 /* open bids on one listing (too_many beyond) */
#define YC_PAYOUTS_MAX (YC_CONTRIBUTORS_MAX + 1)
#define YC_PRICE_PERIOD_MS 86400000ull /* the price index's period: one UTC day */

struct yc_listing {
    uint64_t appraisals;        /* "appraisals": number recorded */
    uint8_t asset[YC_HASH_LEN]; /* "asset" */
    uint32_t nbids;             /* "bids": the open bids, oldest first */
    uint8_t bids[YC_LISTING_BIDS_MAX][YC_HASH_LEN];
    uint64_t closed_at; /* "closed_at": height, 0 = open */
    bool has_deal;      /* "deal" (sold): the deal id */
    uint8_t deal[YC_HASH_LEN];
    uint64_t fee;                  /* "fee": license offers: fen per use */
    uint64_t listed_at;            /* "listed_at": height */
    uint64_t max_uses;             /* "max_uses": license offers */
    struct yc_slice offer;         /* "offer": hold | operate | license */
    struct yc_list operations;     /* "operations": license offers */
    uint64_t price;                /* "price": the ask */
    struct yc_list purposes;       /* "purposes": license offers */
    struct yc_slice sector;        /* "sector" */
    uint8_t seller[YC_PUBKEY_LEN]; /* "seller" */
    struct yc_slice status;        /* "status": open | sold | cancelled */
    uint64_t time_ms;              /* "time": block time of the listing */
    uint64_t until;                /* "until": license offers: end of the license */
    struct yc_slice visibility;    /* "visibility" (license offers only) */
};

struct yc_bid {
    uint8_t bidder[YC_PUBKEY_LEN]; /* "bidder" */
    uint64_t closed_at;            /* "closed_at": height, 0 = open */
    uint64_t escrow;               /* "escrow": fen held now (price while open, then 0) */
    uint64_t expires;              /* "expires": ms */
    uint64_t height;               /* "height" */
    uint8_t listing[YC_HASH_LEN];  /* "listing" */
    uint64_t price;                /* "price" */
    struct yc_slice status;        /* "status": open | accepted | cancelled | released */
    uint64_t time_ms;              /* "time" */
};

struct yc_appraisal {
    uint8_t appraiser[YC_PUBKEY_LEN]; /* "appraiser" */
    uint64_t height;                  /* "height" */
    uint8_t listing[YC_HASH_LEN];     /* "listing" */
    struct yc_slice method;           /* "method" */
    uint8_t report[YC_HASH_LEN];      /* "report" */
    uint64_t time_ms;                 /* "time" */
    uint64_t value;                   /* "value" */
};

struct yc_payout {
    uint8_t pub[YC_PUBKEY_LEN];
    uint64_t amount;
};

struct yc_deal {
    bool has_assessment; /* "assessment": the export approval relied on */
    uint8_t assessment[YC_HASH_LEN];
    uint8_t asset[YC_HASH_LEN];   /* "asset" */
    uint8_t bid[YC_HASH_LEN];     /* "bid" */
    uint8_t buyer[YC_PUBKEY_LEN]; /* "buyer" */
    bool cross_border;            /* "cross_border" */
    struct yc_slice destination;  /* "destination" (cross-border deals): jurisdiction */
    bool has_exchange;            /* "exchange" (fee > 0): who received the fee */
    uint8_t exchange[YC_PUBKEY_LEN];
    uint64_t fee;     /* "fee": the exchange's fee */
    uint64_t height;  /* "height" */
    uint64_t index;   /* "index": position in the block */
    bool has_license; /* "license" (license offers): the license issued */
    uint8_t license[YC_HASH_LEN];
    uint8_t listing[YC_HASH_LEN]; /* "listing" */
    struct yc_slice offer;        /* "offer" */
    uint32_t npayouts;            /* "payouts": [[pub, amount]…] contributors, then holder */
    struct yc_payout payouts[YC_PAYOUTS_MAX];
    uint64_t policy_version;       /* "policy_version": the policy in force */
    uint64_t price;                /* "price" */
    struct yc_slice sector;        /* "sector" */
    uint8_t seller[YC_PUBKEY_LEN]; /* "seller" */
    uint64_t time_ms;              /* "time" */
};

struct yc_price_point {
    uint64_t count;               /* "count": deals */
    uint64_t high;                /* "high": highest price */
    uint64_t last_height;         /* "last_height": height of the last deal counted */
    uint8_t last_tx[YC_HASH_LEN]; /* "last_tx": its id */
    uint64_t low;                 /* "low": lowest price */
    uint64_t period;              /* "period": start of the period, ms */
    struct yc_slice sector;       /* "sector" */
    uint64_t volume;              /* "volume": sum of prices */
    uint64_t vwap;                /* "vwap": floor(volume / count) (one unit per deal) */
};

struct yc_pledge {
    uint64_t amount;                /* "amount" */
    uint8_t asset[YC_HASH_LEN];     /* "asset" */
    uint64_t closed_at;             /* "closed_at": height, 0 = active */
    uint64_t created_at;            /* "created_at": height */
    uint64_t due;                   /* "due": ms */
    uint8_t pledgee[YC_PUBKEY_LEN]; /* "pledgee" */
    uint8_t pledgor[YC_PUBKEY_LEN]; /* "pledgor" */
    struct yc_slice status;         /* "status": active | released | enforced */
    uint64_t time_ms;               /* "time" */
};

#define YC_POLICY_CODES_MAX 256 /* codes policy.set may add to one code list, in all */

/* Codes added to a code list (slices borrow the stored policy). */
struct yc_code_adds {
    uint32_t n;
    struct yc_slice items[YC_POLICY_CODES_MAX];
};

struct yc_policy {
    uint32_t nalert_accounts; /* "alert_accounts" */
    uint8_t alert_accounts[YC_POLICY_ACCOUNTS_MAX][YC_PUBKEY_LEN];
    uint64_t alert_amount;     /* "alert_amount": 0 = none */
    bool alert_cross_border;   /* "alert_cross_border" */
    bool alert_important;      /* "alert_important" */
    uint32_t nbanned_accounts; /* "banned_accounts" */
    uint8_t banned_accounts[YC_POLICY_ACCOUNTS_MAX][YC_PUBKEY_LEN];
    struct yc_list banned_catalog_prefixes; /* "banned_catalog_prefixes" */
    struct yc_list banned_categories;       /* "banned_categories" */
    struct yc_list banned_jurisdictions;    /* "banned_jurisdictions" */
    struct yc_code_adds categories;         /* "categories" (optional, omitted when empty): data
                                      * categories added to genesis's list, every version's
                                      * additions so far (codes are never taken away) */
    uint64_t height;                        /* "height": set at */
    struct yc_code_adds purposes;           /* "purposes" (optional): as categories, for purposes */
    uint8_t regulator[YC_PUBKEY_LEN];       /* "regulator": who set it */
    uint64_t version;                       /* "version": 1, 2, … */
};

struct yc_assessment {
    uint8_t asset[YC_HASH_LEN];       /* "asset" */
    struct yc_slice destination;      /* "destination" */
    uint64_t height;                  /* "height" */
    struct yc_slice outcome;          /* "outcome": approved | denied */
    uint8_t regulator[YC_PUBKEY_LEN]; /* "regulator" */
    uint8_t report[YC_HASH_LEN];      /* "report" */
    uint64_t time_ms;                 /* "time" */
    uint64_t until;                   /* "until": ms */
};

struct yc_credit {
    uint8_t account[YC_PUBKEY_LEN]; /* "account" */
    uint8_t evidence[YC_HASH_LEN];  /* "evidence" */
    uint64_t height;                /* "height" */
    struct yc_slice note;           /* "note" (optional): the resolution's or restoration's */
    bool has_objection;             /* "objection_evidence", "objection_reason" */
    uint8_t objection_evidence[YC_HASH_LEN];
    struct yc_slice objection_reason;
    struct yc_slice reason;           /* "reason" */
    uint8_t regulator[YC_PUBKEY_LEN]; /* "regulator" */
    uint64_t resolved_at;             /* "resolved_at": height of the last decision, 0 = none */
    struct yc_slice severity;         /* "severity": warning | restricted | frozen */
    struct yc_slice status;           /* "status": active | objected | upheld | withdrawn |
                                       * restored */
    uint64_t time_ms;                 /* "time" */
};

struct yc_credit_state {
    uint64_t frozen, restricted, warning; /* live records of each severity */
};

struct yc_alert {
    bool has_account; /* "account": the account concerned */
    uint8_t account[YC_PUBKEY_LEN];
    uint64_t amount; /* "amount": the deal's price, else 0 */
    bool has_asset;  /* "asset" */
    uint8_t asset[YC_HASH_LEN];
    uint64_t height;         /* "height" */
    uint64_t index;          /* "index" */
    struct yc_slice kind;    /* "kind": deal_amount | cross_border | important_data |
                                      * watched_account */
    uint64_t policy_version; /* "policy_version": the rule's policy */
    uint64_t time_ms;        /* "time" */
    uint8_t tx[YC_HASH_LEN]; /* "tx" */
    struct yc_slice type;    /* "type": the transaction's type */
};

struct yc_supply {
    uint64_t issued;   /* "issued": sum of token.issue amounts */
    uint64_t redeemed; /* "redeemed": sum of token.redeem amounts */
};

/* Key builders: write into key[YC_KEY_MAX] (objects.h), return the key length. */
size_t yc_key_listing(uint8_t *key, const uint8_t id[YC_HASH_LEN]);
size_t yc_key_bid(uint8_t *key, const uint8_t id[YC_HASH_LEN]);
size_t yc_key_appraisal(uint8_t *key, const uint8_t id[YC_HASH_LEN]);
size_t yc_key_deal(uint8_t *key, const uint8_t id[YC_HASH_LEN]);
size_t yc_key_pledge(uint8_t *key, const uint8_t id[YC_HASH_LEN]);
size_t yc_key_pledged(uint8_t *key, const uint8_t asset[YC_HASH_LEN]);
size_t yc_key_policy(uint8_t *key);
size_t yc_key_policy_version(uint8_t *key, uint64_t version);
size_t yc_key_assessment(uint8_t *key, const uint8_t id[YC_HASH_LEN]);
/* destination: a jurisdiction of 1..6 bytes. */
size_t yc_key_export(uint8_t *key, const uint8_t asset[YC_HASH_LEN], const struct yc_slice *dest);
size_t yc_key_credit(uint8_t *key, const uint8_t id[YC_HASH_LEN]);
size_t yc_key_credit_state(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN]);
size_t yc_key_supply(uint8_t *key);
/* price_index/<u8 len><sector>[<u64be period>]: the sector's prefix when !with_period.
 * sector: a code of 1..64 bytes. */
size_t yc_key_price(uint8_t *key, const struct yc_slice *sector, bool with_period, uint64_t period);
/* alert/<u64be height><u32be index><u8 seq>. */
size_t yc_key_alert(uint8_t *key, uint64_t height, uint32_t index, uint8_t seq);
/* Index and whole-type prefixes (prefix + the 32-byte id or 33-byte account). */
size_t yc_key_prefix(uint8_t *key, const char *prefix);
size_t yc_key_idx_listing_open(uint8_t *key);
size_t yc_key_idx_listing_asset(uint8_t *key, const uint8_t asset[YC_HASH_LEN]);
size_t yc_key_idx_bid_listing(uint8_t *key, const uint8_t listing[YC_HASH_LEN]);
size_t yc_key_idx_appraisal_listing(uint8_t *key, const uint8_t listing[YC_HASH_LEN]);
size_t yc_key_idx_deal_time(uint8_t *key);
size_t yc_key_idx_deal_asset(uint8_t *key, const uint8_t asset[YC_HASH_LEN]);
size_t yc_key_idx_pledge_asset(uint8_t *key, const uint8_t asset[YC_HASH_LEN]);
size_t yc_key_idx_pledge_party(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN]);
size_t yc_key_idx_export_asset(uint8_t *key, const uint8_t asset[YC_HASH_LEN]);
size_t yc_key_idx_credit_account(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN]);

/* Canonical encodings. Decoders return YC_OK or YC_ECORRUPT. */
YC_WUR int yc_listing_encode(const struct yc_listing *l, struct yc_buf *out);
YC_WUR int yc_listing_decode(struct yc_listing *l, const uint8_t *p, size_t len);
YC_WUR int yc_bid_encode(const struct yc_bid *b, struct yc_buf *out);
YC_WUR int yc_bid_decode(struct yc_bid *b, const uint8_t *p, size_t len);
YC_WUR int yc_appraisal_encode(const struct yc_appraisal *a, struct yc_buf *out);
YC_WUR int yc_appraisal_decode(struct yc_appraisal *a, const uint8_t *p, size_t len);
YC_WUR int yc_deal_encode(const struct yc_deal *d, struct yc_buf *out);
YC_WUR int yc_deal_decode(struct yc_deal *d, const uint8_t *p, size_t len);
YC_WUR int yc_price_encode(const struct yc_price_point *pp, struct yc_buf *out);
YC_WUR int yc_price_decode(struct yc_price_point *pp, const uint8_t *p, size_t len);
YC_WUR int yc_pledge_encode(const struct yc_pledge *pl, struct yc_buf *out);
YC_WUR int yc_pledge_decode(struct yc_pledge *pl, const uint8_t *p, size_t len);
YC_WUR int yc_policy_encode(const struct yc_policy *pol, struct yc_buf *out);
YC_WUR int yc_policy_decode(struct yc_policy *pol, const uint8_t *p, size_t len);
YC_WUR int yc_assessment_encode(const struct yc_assessment *a, struct yc_buf *out);
YC_WUR int yc_assessment_decode(struct yc_assessment *a, const uint8_t *p, size_t len);
YC_WUR int yc_credit_encode(const struct yc_credit *c, struct yc_buf *out);
YC_WUR int yc_credit_decode(struct yc_credit *c, const uint8_t *p, size_t len);
YC_WUR int yc_credit_state_encode(const struct yc_credit_state *s, struct yc_buf *out);
YC_WUR int yc_credit_state_decode(struct yc_credit_state *s, const uint8_t *p, size_t len);
YC_WUR int yc_alert_encode(const struct yc_alert *a, struct yc_buf *out);
YC_WUR int yc_alert_decode(struct yc_alert *a, const uint8_t *p, size_t len);
YC_WUR int yc_supply_encode(const struct yc_supply *s, struct yc_buf *out);
YC_WUR int yc_supply_decode(struct yc_supply *s, const uint8_t *p, size_t len);

/* Bid status at block time t: its stored status, or "expired" for an open bid whose
 * expiry has passed (its escrow is still held until the bidder or seller releases it). */
const char *yc_bid_status(const struct yc_bid *b, uint64_t t_ms);
/* Export approval status at block time t: "denied", "expired" or "approved". */
const char *yc_assessment_status(const struct yc_assessment *a, uint64_t t_ms);
/* True iff a jurisdiction is inside China: "CN" or "CN-…". */
bool yc_jurisdiction_domestic(const struct yc_slice *j);

/*
 * Whole-state consistency of the market and supervision rules, for audits: given a
 * state (with scan) and its genesis, re-derives and compares
 *   money_conserved      Σ balances + Σ open escrow = Σ genesis balances + issued − redeemed
 *   escrow               every open bid holds its price, on an open listing that lists it
 *   settlement           every deal's payouts and fee sum to its price
 *   core_data            no deal and no open listing is of a core-grade asset
 *   export_assessment    every cross-border deal of important data names an approval for
 *                        that asset and destination, approved and unexpired at the deal
 *   negative_list        no deal breaks the policy version in force when it settled
 *   price_index          the stored index equals the index recomputed from the deals
 *   pledge               every active pledge is the asset's pledge marker and vice versa
 *   credit               every account's credit status and counters match its live records
 * and calls breach(ctx, rule, id, detail) for each breach found (id: the object concerned,
 * or NULL; detail: static text). *checked (optional) gets the number of objects examined.
 * Returns YC_OK (breaches reported through the callback), a negative code the callback
 * returned, YC_EINVAL (no scan), YC_ECORRUPT, YC_ENOMEM, or the source's error.
 */
typedef int (*yc_breach_cb)(void *ctx, const char *rule, const uint8_t *id, const char *detail);
YC_WUR int yc_market_check(const struct yc_state_src *src, const struct yc_genesis *g,
                           yc_breach_cb breach, void *ctx, uint64_t *checked);

#endif
