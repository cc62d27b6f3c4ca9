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
        YC__TRY(yc__dec_pub(d, pubs[i]));
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
    YC__TRY(yc__req_fixed(d, left, "asset", b->asset, YC_HASH_LEN, YC_EBADFIELD));
    YC__OPT(d, left, "fee", &has, yc_dec_uint(d, &b->fee));
    YC__OPT(d, left, "max_uses", &has, yc_dec_uint(d, &b->max_uses));
    YC__TRY(yc__req_text(d, left, "offer", &b->offer, 0, YC_CODE_MAX));
    YC__OPT(d, left, "operations", &b->has_operations,
            yc__dec_list(d, &b->operations, YC_CODE_MAX));
    YC__TRY(yc__req_u64(d, left, "price", &b->price));
    YC__OPT(d, left, "purposes", &b->has_purposes, yc__dec_list(d, &b->purposes, YC_CODE_MAX));
    YC__TRY(yc__req_text(d, left, "sector", &b->sector, 0, YC_CODE_MAX));
    YC__OPT(d, left, "until", &has, yc_dec_uint(d, &b->until));
    YC__TRY(yc__opt_text(d, left, "visibility", &b->visibility, YC_CODE_MAX));
    return YC_OK;
}

int yc__body_market_appraise(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                             union yc_tx_body *u)
{
    struct yc_body_market_appraise *b = &u->market_appraise;
    (void)t;
    YC__TRY(yc__req_fixed(d, left, "listing", b->listing, YC_HASH_LEN, YC_EBADFIELD));
    YC__TRY(yc__req_text(d, left, "method", &b->method, 0, YC_CODE_MAX));
    YC__TRY(yc__req_fixed(d, left, "report", b->report, YC_HASH_LEN, YC_EBADDIGEST));
    return yc__req_u64(d, left, "value", &b->value);
}

int yc__body_market_bid(struct yc_dec *d, uint32_t *left, enum yc_tx_type t, union yc_tx_body *u)
{
    struct yc_body_market_bid *b = &u->market_bid;
    (void)t;
    YC__TRY(yc__req_u64(d, left, "expires", &b->expires));
    YC__TRY(yc__req_fixed(d, left, "listing", b->listing, YC_HASH_LEN, YC_EBADFIELD));
    return yc__req_u64(d, left, "price", &b->price);
}

int yc__body_market_accept(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                           union yc_tx_body *u)
{
    (void)t;
    return yc__req_fixed(d, left, "bid", u->market_accept.bid, YC_HASH_LEN, YC_EBADFIELD);
}

int yc__body_market_cancel(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                           union yc_tx_body *u)
{
    struct yc_body_market_cancel *b = &u->market_cancel;
    (void)t;
    YC__TRY(yc__opt_fixed(d, left, "bid", &b->has_bid, b->bid, YC_HASH_LEN, YC_EBADFIELD));
    YC__TRY(
        yc__opt_fixed(d, left, "listing", &b->has_listing, b->listing, YC_HASH_LEN, YC_EBADFIELD));
    /* one thing is cancelled at a time */
    return b->has_bid != b->has_listing ? YC_OK : YC_EBADFIELD;
}

int yc__body_pledge_create(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                           union yc_tx_body *u)
{
    struct yc_body_pledge_create *b = &u->pledge_create;
    (void)t;
    YC__TRY(yc__req_u64(d, left, "amount", &b->amount));
    YC__TRY(yc__req_fixed(d, left, "asset", b->asset, YC_HASH_LEN, YC_EBADFIELD));
    YC__TRY(yc__req_u64(d, left, "due", &b->due));
    return yc__req_pub(d, left, "pledgee", b->pledgee);
}

int yc__body_pledge_ref(struct yc_dec *d, uint32_t *left, enum yc_tx_type t, union yc_tx_body *u)
{
    (void)t;
    return yc__req_fixed(d, left, "pledge", u->pledge_ref.pledge, YC_HASH_LEN, YC_EBADFIELD);
}

int yc__body_policy_set(struct yc_dec *d, uint32_t *left, enum yc_tx_type t, union yc_tx_body *u)
{
    struct yc_body_policy_set *b = &u->policy_set;
    bool has;
    (void)t;
    YC__OPT(d, left, "alert_accounts", &has, dec_pubs(d, b->alert_accounts, &b->nalert_accounts));
    YC__OPT(d, left, "alert_amount", &has, yc_dec_uint(d, &b->alert_amount));
    YC__OPT(d, left, "alert_cross_border", &has, yc_dec_bool(d, &b->alert_cross_border));
    YC__OPT(d, left, "alert_important", &has, yc_dec_bool(d, &b->alert_important));
    YC__OPT(d, left, "banned_accounts", &has,
            dec_pubs(d, b->banned_accounts, &b->nbanned_accounts));
    YC__OPT(d, left, "banned_catalog_prefixes", &has,
            yc__dec_list(d, &b->banned_catalog_prefixes, YC_CODE_MAX));
    YC__OPT(d, left, "banned_categories", &has,
            yc__dec_list(d, &b->banned_categories, YC_CODE_MAX));
    YC__OPT(d, left, "banned_jurisdictions", &has,
            yc__dec_list(d, &b->banned_jurisdictions, YC_CODE_MAX));
    YC__OPT(d, left, "categories", &has, yc__dec_list(d, &b->categories, YC_CODE_MAX));
    YC__OPT(d, left, "purposes", &has, yc__dec_list(d, &b->purposes, YC_CODE_MAX));
    return yc__req_u64(d, left, "version", &b->version);
}

int yc__body_export_assess(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                           union yc_tx_body *u)
{
    struct yc_body_export_assess *b = &u->export_assess;
    (void)t;
    YC__TRY(yc__req_fixed(d, left, "asset", b->asset, YC_HASH_LEN, YC_EBADFIELD));
    YC__TRY(yc__req_text(d, left, "destination", &b->destination, 0, YC_CODE_MAX));
    YC__TRY(yc__req_text(d, left, "outcome", &b->outcome, 0, YC_CODE_MAX));
    YC__TRY(yc__req_fixed(d, left, "report", b->report, YC_HASH_LEN, YC_EBADDIGEST));
    return yc__req_u64(d, left, "until", &b->until);
}

int yc__body_credit_record(struct yc_dec *d, uint32_t *left, enum yc_tx_type t,
                           union yc_tx_body *u)
{
    struct yc_body_credit_record *b = &u->credit_record;
    (void)t;
    YC__TRY(yc__req_pub(d, left, "account", b->account));
    YC__TRY(yc__req_fixed(d, left, "evidence", b->evidence, YC_HASH_LEN, YC_EBADDIGEST));
    YC__TRY(yc__req_text(d, left, "reason", &b->reason, 0, YC_CODE_MAX));
    return yc__req_text(d, left, "severity", &b->severity, 0, YC_CODE_MAX);
}

/* credit.restore {credit, note?}; credit.object {credit, evidence, reason};
 * credit.resolve {credit, note?, outcome}. */
int yc__body_credit_ref(struct yc_dec *d, uint32_t *left, enum yc_tx_type t, union yc_tx_body *u)
{
    struct yc_body_credit_ref *b = &u->credit_ref;

    YC__TRY(yc__req_fixed(d, left, "credit", b->credit, YC_HASH_LEN, YC_EBADFIELD));
    if (t == YC_TX_CREDIT_OBJECT) {
        b->has_evidence = true;
        YC__TRY(yc__req_fixed(d, left, "evidence", b->evidence, YC_HASH_LEN, YC_EBADDIGEST));
        return yc__req_text(d, left, "reason", &b->reason, 0, YC_CODE_MAX);
    }
    YC__TRY(yc__opt_text(d, left, "note", &b->note, YC_NAME_MAX));
    if (t == YC_TX_CREDIT_RESOLVE) {
        return yc__req_text(d, left, "outcome", &b->outcome, 0, YC_CODE_MAX);
    }
    return YC_OK;
}
