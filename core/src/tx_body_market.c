/*
 * tx_body_market.c — strict schema decoders of the issue-5 bodies: the market, pledges
 * and supervision (tx.h; tx.c's BODY table names them).
 *
 * As in tx.c: fields in sorted key order, unknown or missing required keys are
 * YC_EBADFIELD, a digest of the wrong size is YC_EBADDIGEST, a key off the curve
 * YC_EBADKEY, a list beyond its cap YC_ETOOMANY. Which optional fields a variant needs
 * (a license offer's terms, an objection's evidence) and every code, role, time and
 * amount rule are checked in exec_market.c, exec_pledge.c and exec_supervise.c.
 */
#include <string.h>

#include "ledger_int.h"
#include "yc/keys.h"

#define TRY(x)                                                                                     \
    do {                                                                                           \
        int rc_ = (x);                                                                             \
        if (rc_ != YC_OK) {                                                                        \
            return rc_;                                                                            \
        }                                                                                          \
    } while (0)

/* 1 if the optional key is next (consumed), 0 if absent, < 0 on an unknown key. */
#define OPT_BEGIN(d, left, key, has)                                                               \
    do {                                                                                           \
        int r_ = yc__field_opt((d), (left), (key));                                                \
        if (r_ < 0) {                                                                              \
            return r_;                                                                             \
        }                                                                                          \
        *(has) = r_ == 1;                                                                          \
    } while (0)

static int dec_u64(struct yc_dec *d, uint64_t *v)
{
    return yc_dec_uint(d, v) == YC_OK ? YC_OK : YC_EBADFIELD;
}

static int req_id(struct yc_dec *d, uint32_t *left, const char *key, uint8_t out[YC_HASH_LEN])
{
    TRY(yc__field_req(d, left, key));
    return yc__dec_fixed(d, out, YC_HASH_LEN, YC_EBADFIELD);
}

static int req_digest(struct yc_dec *d, uint32_t *left, const char *key, uint8_t out[YC_HASH_LEN])
{
    TRY(yc__field_req(d, left, key));
    return yc__dec_fixed(d, out, YC_HASH_LEN, YC_EBADDIGEST);
}

static int req_text(struct yc_dec *d, uint32_t *left, const char *key, struct yc_slice *s,
                    size_t maxlen)
{
    TRY(yc__field_req(d, left, key));
    return yc__dec_text(d, s, 0, maxlen);
}

static int req_u64(struct yc_dec *d, uint32_t *left, const char *key, uint64_t *v)
{
    TRY(yc__field_req(d, left, key));
    return dec_u64(d, v);
}

/* An array of at most YC_POLICY_ACCOUNTS_MAX public keys. */
static int dec_pubs(struct yc_dec *d, uint8_t (*pubs)[YC_PUBKEY_LEN], uint32_t *np)
{
    uint32_t n;

    if (yc_dec_array(d, &n) != YC_OK) {
        return YC_EBADFIELD;
    }
    if (n > YC_POLICY_ACCOUNTS_MAX) {
        return YC_ETOOMANY;
    }
    for (uint32_t i = 0; i < n; i++) {
        TRY(yc__dec_pub(d, pubs[i]));
    }
    *np = n;
    return YC_OK;
}

int yc__body_market_list(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                         union yc_tx_body *u)
{
    struct yc_body_market_list *b = &u->market_list;
    bool has;
    (void)t;
    TRY(req_id(d, left, "asset", b->asset));
    OPT_BEGIN(d, left, "fee", &has);
    if (has) {
        TRY(dec_u64(d, &b->fee));
    }
    OPT_BEGIN(d, left, "max_uses", &has);
    if (has) {
        TRY(dec_u64(d, &b->max_uses));
    }
    TRY(req_text(d, left, "offer", &b->offer, YC_CODE_MAX));
    OPT_BEGIN(d, left, "operations", &b->has_operations);
    if (b->has_operations) {
        TRY(yc__dec_list(d, &b->operations, YC_CODE_MAX));
    }
    TRY(req_u64(d, left, "price", &b->price));
    OPT_BEGIN(d, left, "purposes", &b->has_purposes);
    if (b->has_purposes) {
        TRY(yc__dec_list(d, &b->purposes, YC_CODE_MAX));
    }
    TRY(req_text(d, left, "sector", &b->sector, YC_CODE_MAX));
    OPT_BEGIN(d, left, "until", &has);
    if (has) {
        TRY(dec_u64(d, &b->until));
    }
    OPT_BEGIN(d, left, "visibility", &has);
    if (has) {
        TRY(yc__dec_text(d, &b->visibility, 1, YC_CODE_MAX));
    }
    return YC_OK;
}

int yc__body_market_appraise(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                             union yc_tx_body *u)
{
    struct yc_body_market_appraise *b = &u->market_appraise;
    (void)t;
    TRY(req_id(d, left, "listing", b->listing));
    TRY(req_text(d, left, "method", &b->method, YC_CODE_MAX));
    TRY(req_digest(d, left, "report", b->report));
    return req_u64(d, left, "value", &b->value);
}

int yc__body_market_bid(struct yc_dec *d, uint32_t *left, enum yc_tx_type t, union yc_tx_body *u)
{
    struct yc_body_market_bid *b = &u->market_bid;
    (void)t;
    TRY(req_u64(d, left, "expires", &b->expires));
    TRY(req_id(d, left, "listing", b->listing));
    return req_u64(d, left, "price", &b->price);
}

int yc__body_market_accept(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                           union yc_tx_body *u)
{
    (void)t;
    return req_id(d, left, "bid", u->market_accept.bid);
}

int yc__body_market_cancel(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                           union yc_tx_body *u)
{
    struct yc_body_market_cancel *b = &u->market_cancel;
    (void)t;
    OPT_BEGIN(d, left, "bid", &b->has_bid);
    if (b->has_bid) {
        TRY(yc__dec_fixed(d, b->bid, YC_HASH_LEN, YC_EBADFIELD));
    }
    OPT_BEGIN(d, left, "listing", &b->has_listing);
    if (b->has_listing) {
        TRY(yc__dec_fixed(d, b->listing, YC_HASH_LEN, YC_EBADFIELD));
    }
    /* one thing is cancelled at a time */
    return b->has_bid != b->has_listing ? YC_OK : YC_EBADFIELD;
}

int yc__body_pledge_create(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                           union yc_tx_body *u)
{
    struct yc_body_pledge_create *b = &u->pledge_create;
    (void)t;
    TRY(req_u64(d, left, "amount", &b->amount));
    TRY(req_id(d, left, "asset", b->asset));
    TRY(req_u64(d, left, "due", &b->due));
    TRY(yc__field_req(d, left, "pledgee"));
    return yc__dec_pub(d, b->pledgee);
}

int yc__body_pledge_ref(struct yc_dec *d, uint32_t *left, enum yc_tx_type t, union yc_tx_body *u)
{
    (void)t;
    return req_id(d, left, "pledge", u->pledge_ref.pledge);
}

int yc__body_policy_set(struct yc_dec *d, uint32_t *left, enum yc_tx_type t, union yc_tx_body *u)
{
    struct yc_body_policy_set *b = &u->policy_set;
    bool has;
    (void)t;
    OPT_BEGIN(d, left, "alert_accounts", &has);
    if (has) {
        TRY(dec_pubs(d, b->alert_accounts, &b->nalert_accounts));
    }
    OPT_BEGIN(d, left, "alert_amount", &has);
    if (has) {
        TRY(dec_u64(d, &b->alert_amount));
    }
    OPT_BEGIN(d, left, "alert_cross_border", &has);
    if (has && yc_dec_bool(d, &b->alert_cross_border) != YC_OK) {
        return YC_EBADFIELD;
    }
    OPT_BEGIN(d, left, "alert_important", &has);
    if (has && yc_dec_bool(d, &b->alert_important) != YC_OK) {
        return YC_EBADFIELD;
    }
    OPT_BEGIN(d, left, "banned_accounts", &has);
    if (has) {
        TRY(dec_pubs(d, b->banned_accounts, &b->nbanned_accounts));
    }
    OPT_BEGIN(d, left, "banned_catalog_prefixes", &has);
    if (has) {
        TRY(yc__dec_list(d, &b->banned_catalog_prefixes, YC_CODE_MAX));
    }
    OPT_BEGIN(d, left, "banned_categories", &has);
    if (has) {
        TRY(yc__dec_list(d, &b->banned_categories, YC_CODE_MAX));
    }
    OPT_BEGIN(d, left, "banned_jurisdictions", &has);
    if (has) {
        TRY(yc__dec_list(d, &b->banned_jurisdictions, YC_CODE_MAX));
    }
    return req_u64(d, left, "version", &b->version);
}

int yc__body_export_assess(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                           union yc_tx_body *u)
{
    struct yc_body_export_assess *b = &u->export_assess;
    (void)t;
    TRY(req_id(d, left, "asset", b->asset));
    TRY(req_text(d, left, "destination", &b->destination, YC_CODE_MAX));
    TRY(req_text(d, left, "outcome", &b->outcome, YC_CODE_MAX));
    TRY(req_digest(d, left, "report", b->report));
    return req_u64(d, left, "until", &b->until);
}

int yc__body_credit_record(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                           union yc_tx_body *u)
{
    struct yc_body_credit_record *b = &u->credit_record;
    (void)t;
    TRY(yc__field_req(d, left, "account"));
    TRY(yc__dec_pub(d, b->account));
    TRY(req_digest(d, left, "evidence", b->evidence));
    TRY(req_text(d, left, "reason", &b->reason, YC_CODE_MAX));
    return req_text(d, left, "severity", &b->severity, YC_CODE_MAX);
}

/* credit.restore {credit, note?}; credit.object {credit, evidence, reason};
 * credit.resolve {credit, note?, outcome}. */
int yc__body_credit_ref(struct yc_dec *d, uint32_t *left, enum yc_tx_type t, union yc_tx_body *u)
{
    struct yc_body_credit_ref *b = &u->credit_ref;
    bool has;

    TRY(req_id(d, left, "credit", b->credit));
    if (t == YC_TX_CREDIT_OBJECT) {
        b->has_evidence = true;
        TRY(req_digest(d, left, "evidence", b->evidence));
        return req_text(d, left, "reason", &b->reason, YC_CODE_MAX);
    }
    OPT_BEGIN(d, left, "note", &has);
    if (has) {
        TRY(yc__dec_text(d, &b->note, 1, YC_NAME_MAX));
    }
    if (t == YC_TX_CREDIT_RESOLVE) {
        return req_text(d, left, "outcome", &b->outcome, YC_CODE_MAX);
    }
    return YC_OK;
}
