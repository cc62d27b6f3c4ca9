/*
 * body_market.c — canonical bodies of the issue-5 types (market, pledges, policy, export
 * assessment, credit; fields in core/include/yc/tx.h). Keys are emitted sorted by
 * body_map; optional fields at their defaults are omitted, so each body has one encoding.
 * Pure: only the values given. Rules (roles, grades, the negative list) are the ledger's;
 * here only sizes, so the node's verdict names what is wrong.
 */
#include <string.h>

#include "body.h"
#include "yc/codec.h"

static int finish(struct body_map *m, struct yc_buf *out)
{
    int rc = body_map_finish(m, out);
    body_map_cleanup(m);
    return rc;
}

static bool bad_text(const char *s, size_t max)
{
    return s == NULL || s[0] == '\0' || strlen(s) > max;
}

int body_market_list(struct yc_buf *out, const struct market_list_args *l)
{
    if (l == NULL || l->offer == NULL || l->sector == NULL)
        return YC_EINVAL;
    if (bad_text(l->offer, YC_CODE_MAX) || bad_text(l->sector, YC_CODE_MAX) ||
        (l->visibility != NULL && bad_text(l->visibility, YC_CODE_MAX)))
        return YC_EBADFIELD;
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, "asset", l->asset, YC_HASH_LEN);
    body_put_str(&m, "offer", l->offer);
    body_put_uint(&m, "price", l->price);
    body_put_str(&m, "sector", l->sector);
    if (l->operations != NULL)
        body_put_list(&m, "operations", l->operations);
    if (l->purposes != NULL)
        body_put_list(&m, "purposes", l->purposes);
    if (l->visibility != NULL)
        body_put_str(&m, "visibility", l->visibility);
    if (l->until != 0)
        body_put_uint(&m, "until", l->until);
    if (l->fee != 0)
        body_put_uint(&m, "fee", l->fee);
    if (l->max_uses != 0)
        body_put_uint(&m, "max_uses", l->max_uses);
    return finish(&m, out);
}

int body_market_appraise(struct yc_buf *out, const uint8_t listing[YC_HASH_LEN], const char *method,
                         const uint8_t report[YC_HASH_LEN], uint64_t value)
{
    if (method == NULL)
        return YC_EINVAL;
    if (bad_text(method, YC_CODE_MAX))
        return YC_EBADFIELD;
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, "listing", listing, YC_HASH_LEN);
    body_put_str(&m, "method", method);
    body_put_bin(&m, "report", report, YC_HASH_LEN);
    body_put_uint(&m, "value", value);
    return finish(&m, out);
}

int body_market_bid(struct yc_buf *out, const uint8_t listing[YC_HASH_LEN], uint64_t price,
                    uint64_t expires)
{
    struct body_map m;
    body_map_init(&m);
    body_put_uint(&m, "expires", expires);
    body_put_bin(&m, "listing", listing, YC_HASH_LEN);
    body_put_uint(&m, "price", price);
    return finish(&m, out);
}

int body_one_id(struct yc_buf *out, const char *key, const uint8_t id[YC_HASH_LEN])
{
    if (key == NULL)
        return YC_EINVAL;
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, key, id, YC_HASH_LEN);
    return finish(&m, out);
}

int body_pledge_create(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN],
                       const uint8_t pledgee[YC_PUBKEY_LEN], uint64_t amount, uint64_t due)
{
    struct body_map m;
    body_map_init(&m);
    body_put_uint(&m, "amount", amount);
    body_put_bin(&m, "asset", asset, YC_HASH_LEN);
    body_put_uint(&m, "due", due);
    body_put_bin(&m, "pledgee", pledgee, YC_PUBKEY_LEN);
    return finish(&m, out);
}

int body_policy_set(struct yc_buf *out, const struct policy_args *p)
{
    if (p == NULL)
        return YC_EINVAL;
    if (p->nbanned > YC_POLICY_ACCOUNTS_MAX || p->nalert > YC_POLICY_ACCOUNTS_MAX)
        return YC_ETOOMANY;
    struct body_map m;
    body_map_init(&m);
    if (p->nalert > 0)
        body_put_bins(&m, "alert_accounts", p->alert, YC_PUBKEY_LEN, p->nalert);
    if (p->alert_amount != 0)
        body_put_uint(&m, "alert_amount", p->alert_amount);
    if (p->alert_cross_border)
        body_put_bool(&m, "alert_cross_border", true);
    if (p->alert_important)
        body_put_bool(&m, "alert_important", true);
    if (p->nbanned > 0)
        body_put_bins(&m, "banned_accounts", p->banned, YC_PUBKEY_LEN, p->nbanned);
    if (p->banned_prefixes != NULL)
        body_put_list(&m, "banned_catalog_prefixes", p->banned_prefixes);
    if (p->banned_categories != NULL)
        body_put_list(&m, "banned_categories", p->banned_categories);
    if (p->banned_jurisdictions != NULL)
        body_put_list(&m, "banned_jurisdictions", p->banned_jurisdictions);
    if (p->add_categories != NULL)
        body_put_list(&m, "categories", p->add_categories);
    if (p->add_purposes != NULL)
        body_put_list(&m, "purposes", p->add_purposes);
    body_put_uint(&m, "version", p->version);
    return finish(&m, out);
}

int body_export_assess(struct yc_buf *out, const uint8_t asset[YC_HASH_LEN],
                       const char *destination, const char *outcome,
                       const uint8_t report[YC_HASH_LEN], uint64_t until)
{
    if (destination == NULL || outcome == NULL)
        return YC_EINVAL;
    if (bad_text(destination, YC_CODE_MAX) || bad_text(outcome, YC_CODE_MAX))
        return YC_EBADFIELD;
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, "asset", asset, YC_HASH_LEN);
    body_put_str(&m, "destination", destination);
    body_put_str(&m, "outcome", outcome);
    body_put_bin(&m, "report", report, YC_HASH_LEN);
    body_put_uint(&m, "until", until);
    return finish(&m, out);
}

int body_credit_record(struct yc_buf *out, const uint8_t account[YC_PUBKEY_LEN],
                       const uint8_t evidence[YC_HASH_LEN], const char *reason,
                       const char *severity)
{
    if (reason == NULL || severity == NULL)
        return YC_EINVAL;
    if (bad_text(reason, YC_CODE_MAX) || bad_text(severity, YC_CODE_MAX))
        return YC_EBADFIELD;
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, "account", account, YC_PUBKEY_LEN);
    body_put_bin(&m, "evidence", evidence, YC_HASH_LEN);
    body_put_str(&m, "reason", reason);
    body_put_str(&m, "severity", severity);
    return finish(&m, out);
}

int body_credit_ref(struct yc_buf *out, enum yc_tx_type type, const uint8_t credit[YC_HASH_LEN],
                    const uint8_t *evidence, const char *reason, const char *outcome,
                    const char *note)
{
    if ((type == YC_TX_CREDIT_OBJECT && (evidence == NULL || reason == NULL)) ||
        (type == YC_TX_CREDIT_RESOLVE && outcome == NULL))
        return YC_EINVAL;
    if ((reason != NULL && bad_text(reason, YC_CODE_MAX)) ||
        (outcome != NULL && bad_text(outcome, YC_CODE_MAX)) ||
        (note != NULL && bad_text(note, YC_NAME_MAX)))
        return YC_EBADFIELD;
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, "credit", credit, YC_HASH_LEN);
    if (type == YC_TX_CREDIT_OBJECT) {
        body_put_bin(&m, "evidence", evidence, YC_HASH_LEN);
        body_put_str(&m, "reason", reason);
    } else {
        if (note != NULL)
            body_put_str(&m, "note", note);
        if (type == YC_TX_CREDIT_RESOLVE)
            body_put_str(&m, "outcome", outcome);
    }
    return finish(&m, out);
}
