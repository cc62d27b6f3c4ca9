/*
 * json_market.c — the JSON of the market and supervision objects of committed state
 * (market.h): listings, bids, appraisals, deals, pledges, policy versions, credit
 * records, alerts and price-index points (json.h). The node's `listings`, `listing`,
 * `pledges`, `policy`, `credit`, `alerts` and `price_index` methods print these, and
 * `yuchain-audit violations` its alerts; docs/rpc.md lists them.
 */
#include <jansson.h>

#include "yc/json.h"
#include "yc/market.h"

static json_t *hex32(const uint8_t *p)
{
    return yc_json_hex(p, YC_HASH_LEN);
}

static json_t *pubs_json(const uint8_t (*pubs)[YC_PUBKEY_LEN], uint32_t n)
{
    json_t *a = json_array();
    for (uint32_t i = 0; a && i < n; i++)
        json_array_append_new(a, yc_json_addr(pubs[i]));
    return a;
}

json_t *yc_json_listing(const uint8_t id[YC_HASH_LEN], const struct yc_listing *l)
{
    json_t *o = json_object(), *bids = json_array();
    if (!o || !bids) {
        json_decref(o);
        json_decref(bids);
        return NULL;
    }
    for (uint32_t i = 0; i < l->nbids; i++)
        json_array_append_new(bids, hex32(l->bids[i]));
    json_object_set_new(o, "id", hex32(id));
    json_object_set_new(o, "asset", hex32(l->asset));
    json_object_set_new(o, "seller", yc_json_addr(l->seller));
    json_object_set_new(o, "offer", yc_json_slice(&l->offer));
    json_object_set_new(o, "price", yc_json_u64(l->price));
    json_object_set_new(o, "sector", yc_json_slice(&l->sector));
    json_object_set_new(o, "status", yc_json_slice(&l->status));
    json_object_set_new(o, "listed_at", yc_json_u64(l->listed_at));
    json_object_set_new(o, "time", yc_json_time(l->time_ms));
    json_object_set_new(o, "closed_at", yc_json_u64_or_null(l->closed_at));
    json_object_set_new(o, "appraisals", yc_json_u64(l->appraisals));
    json_object_set_new(o, "open_bids", bids);
    json_object_set_new(o, "deal", yc_json_id_or_null(l->has_deal, l->deal));
    if (l->visibility.len > 0) {
        json_t *t = json_object();
        json_object_set_new(t, "operations", yc_json_list(&l->operations));
        json_object_set_new(t, "purposes", yc_json_list(&l->purposes));
        json_object_set_new(t, "visibility", yc_json_slice(&l->visibility));
        json_object_set_new(t, "until", yc_json_u64(l->until));
        json_object_set_new(t, "until_time", yc_json_time(l->until));
        json_object_set_new(t, "fee", yc_json_u64(l->fee));
        json_object_set_new(t, "max_uses", yc_json_u64(l->max_uses));
        json_object_set_new(o, "terms", t);
    } else {
        json_object_set_new(o, "terms", json_null());
    }
    return o;
}

json_t *yc_json_bid(const uint8_t id[YC_HASH_LEN], const struct yc_bid *b, uint64_t now_ms)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "id", hex32(id));
    json_object_set_new(o, "listing", hex32(b->listing));
    json_object_set_new(o, "bidder", yc_json_addr(b->bidder));
    json_object_set_new(o, "price", yc_json_u64(b->price));
    json_object_set_new(o, "escrow", yc_json_u64(b->escrow));
    json_object_set_new(o, "expires", yc_json_u64(b->expires));
    json_object_set_new(o, "expires_time", yc_json_time(b->expires));
    json_object_set_new(o, "height", yc_json_u64(b->height));
    json_object_set_new(o, "closed_at", yc_json_u64_or_null(b->closed_at));
    json_object_set_new(o, "status", json_string(yc_bid_status(b, now_ms)));
    return o;
}

json_t *yc_json_appraisal(const uint8_t id[YC_HASH_LEN], const struct yc_appraisal *a)
{
    return json_pack("{s:o*,s:o*,s:o*,s:o*,s:o*,s:o*,s:o*}", "id", hex32(id), "appraiser",
                     yc_json_addr(a->appraiser), "value", yc_json_u64(a->value), "method",
                     yc_json_slice(&a->method), "report", hex32(a->report), "height",
                     yc_json_u64(a->height), "time", yc_json_time(a->time_ms));
}

json_t *yc_json_deal(const uint8_t id[YC_HASH_LEN], const struct yc_deal *d)
{
    json_t *o = json_object(), *pay = json_array();
    if (!o || !pay) {
        json_decref(o);
        json_decref(pay);
        return NULL;
    }
    for (uint32_t i = 0; i < d->npayouts; i++)
        json_array_append_new(pay,
                              json_pack("{s:o*,s:o*}", "account", yc_json_addr(d->payouts[i].pub),
                                        "amount", yc_json_u64(d->payouts[i].amount)));
    json_object_set_new(o, "id", hex32(id));
    json_object_set_new(o, "listing", hex32(d->listing));
    json_object_set_new(o, "bid", hex32(d->bid));
    json_object_set_new(o, "asset", hex32(d->asset));
    json_object_set_new(o, "offer", yc_json_slice(&d->offer));
    json_object_set_new(o, "seller", yc_json_addr(d->seller));
    json_object_set_new(o, "buyer", yc_json_addr(d->buyer));
    json_object_set_new(o, "price", yc_json_u64(d->price));
    json_object_set_new(o, "fee", yc_json_u64(d->fee));
    json_object_set_new(o, "exchange", d->has_exchange ? yc_json_addr(d->exchange) : json_null());
    json_object_set_new(o, "payouts", pay);
    json_object_set_new(o, "sector", yc_json_slice(&d->sector));
    json_object_set_new(o, "cross_border", json_boolean(d->cross_border));
    json_object_set_new(o, "destination", yc_json_slice_or_null(&d->destination));
    json_object_set_new(o, "assessment", yc_json_id_or_null(d->has_assessment, d->assessment));
    json_object_set_new(o, "license", yc_json_id_or_null(d->has_license, d->license));
    json_object_set_new(o, "policy_version", yc_json_u64(d->policy_version));
    json_object_set_new(o, "height", yc_json_u64(d->height));
    json_object_set_new(o, "index", yc_json_u64(d->index));
    json_object_set_new(o, "time", yc_json_time(d->time_ms));
    return o;
}

json_t *yc_json_pledge(const uint8_t id[YC_HASH_LEN], const struct yc_pledge *p)
{
    return json_pack("{s:o*,s:o*,s:o*,s:o*,s:o*,s:o*,s:o*,s:o*,s:o*,s:o*}", "id", hex32(id),
                     "asset", hex32(p->asset), "pledgor", yc_json_addr(p->pledgor), "pledgee",
                     yc_json_addr(p->pledgee), "amount", yc_json_u64(p->amount), "due",
                     yc_json_u64(p->due), "due_time", yc_json_time(p->due), "status",
                     yc_json_slice(&p->status), "created_at", yc_json_u64(p->created_at),
                     "closed_at", yc_json_u64_or_null(p->closed_at));
}

/* Codes the policy added to genesis's code lists (every version's additions so far). */
static json_t *adds_json(const struct yc_code_adds *a)
{
    json_t *arr = json_array();
    for (uint32_t i = 0; arr && i < a->n && i < YC_POLICY_CODES_MAX; i++)
        json_array_append_new(arr, yc_json_slice(&a->items[i]));
    return arr;
}

json_t *yc_json_policy(const struct yc_policy *p)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "version", yc_json_u64(p->version));
    json_object_set_new(o, "height", yc_json_u64(p->height));
    json_object_set_new(o, "regulator", p->version ? yc_json_addr(p->regulator) : json_null());
    json_object_set_new(o, "negative_list",
                        json_pack("{s:o*,s:o*,s:o*,s:o*}", "categories",
                                  yc_json_list(&p->banned_categories), "catalog_prefixes",
                                  yc_json_list(&p->banned_catalog_prefixes), "accounts",
                                  pubs_json((const uint8_t(*)[YC_PUBKEY_LEN])p->banned_accounts,
                                            p->nbanned_accounts),
                                  "jurisdictions", yc_json_list(&p->banned_jurisdictions)));
    json_object_set_new(
        o, "alerts",
        json_pack(
            "{s:o*,s:b,s:b,s:o*}", "deal_above", yc_json_u64_or_null(p->alert_amount),
            "cross_border", p->alert_cross_border, "important_data", p->alert_important, "accounts",
            pubs_json((const uint8_t(*)[YC_PUBKEY_LEN])p->alert_accounts, p->nalert_accounts)));
    json_object_set_new(o, "codes_added",
                        json_pack("{s:o*,s:o*}", "categories", adds_json(&p->categories),
                                  "purposes", adds_json(&p->purposes)));
    return o;
}

json_t *yc_json_credit(const uint8_t id[YC_HASH_LEN], const struct yc_credit *c)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "id", hex32(id));
    json_object_set_new(o, "account", yc_json_addr(c->account));
    json_object_set_new(o, "severity", yc_json_slice(&c->severity));
    json_object_set_new(o, "reason", yc_json_slice(&c->reason));
    json_object_set_new(o, "evidence", hex32(c->evidence));
    json_object_set_new(o, "regulator", yc_json_addr(c->regulator));
    json_object_set_new(o, "status", yc_json_slice(&c->status));
    json_object_set_new(o, "height", yc_json_u64(c->height));
    json_object_set_new(o, "time", yc_json_time(c->time_ms));
    json_object_set_new(o, "resolved_at", yc_json_u64_or_null(c->resolved_at));
    json_object_set_new(o, "note", yc_json_slice_or_null(&c->note));
    json_object_set_new(o, "objection",
                        c->has_objection ? json_pack("{s:o*,s:o*}", "reason",
                                                     yc_json_slice(&c->objection_reason),
                                                     "evidence", hex32(c->objection_evidence))
                                         : json_null());
    return o;
}

json_t *yc_json_alert(const struct yc_alert *a)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "kind", yc_json_slice(&a->kind));
    json_object_set_new(o, "tx", hex32(a->tx));
    json_object_set_new(o, "type", yc_json_slice(&a->type));
    json_object_set_new(o, "height", yc_json_u64(a->height));
    json_object_set_new(o, "index", yc_json_u64(a->index));
    json_object_set_new(o, "time", yc_json_time(a->time_ms));
    json_object_set_new(o, "account", a->has_account ? yc_json_addr(a->account) : json_null());
    json_object_set_new(o, "asset", yc_json_id_or_null(a->has_asset, a->asset));
    json_object_set_new(o, "amount", yc_json_u64(a->amount));
    json_object_set_new(o, "policy_version", yc_json_u64(a->policy_version));
    return o;
}

json_t *yc_json_price_point(const struct yc_price_point *pp)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "sector", yc_json_slice(&pp->sector));
    json_object_set_new(o, "period", yc_json_u64(pp->period));
    json_object_set_new(o, "period_start", yc_json_time(pp->period));
    json_object_set_new(o, "count", yc_json_u64(pp->count));
    json_object_set_new(o, "volume", yc_json_u64(pp->volume));
    json_object_set_new(o, "vwap", yc_json_u64(pp->vwap));
    json_object_set_new(o, "high", yc_json_u64(pp->high));
    json_object_set_new(o, "low", yc_json_u64(pp->low));
    json_object_set_new(o, "last_height", yc_json_u64(pp->last_height));
    json_object_set_new(o, "last_tx", hex32(pp->last_tx));
    return o;
}
