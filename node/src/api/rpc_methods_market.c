/*
 * rpc_methods_market.c — committed state of issue 5: `listings` (open, or every listing
 * of an asset), `listing` (with its appraisals, bids and deal), `price_index` (by sector
 * and period), `pledges` (by asset or party), `policy` (the negative list and alert rules
 * in force, or any version), `credit` (an account's public credit history) and `alerts`
 * (what the policy's alert rules matched); and the JSON bodies of the issue-5
 * transaction types. docs/rpc.md.
 *
 * Everything is read from committed state (core/include/yc/market.h) through the store's
 * scans, capped by `limit`; statuses that depend on time use the tip's block time, so
 * every node answers alike.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rpc_impl.h"
#include "rpc_json.h"
#include "yc/alloc.h"
#include "yc/hash.h"
#include "yc/market.h"
#include "yc/objects.h"
#include "yc/store.h"

/* ---- reading ---- */

static int dec_listing(void *o, const uint8_t *p, size_t n)
{
    return yc_listing_decode(o, p, n);
}
static int dec_bid(void *o, const uint8_t *p, size_t n)
{
    return yc_bid_decode(o, p, n);
}
static int dec_appraisal(void *o, const uint8_t *p, size_t n)
{
    return yc_appraisal_decode(o, p, n);
}
static int dec_deal(void *o, const uint8_t *p, size_t n)
{
    return yc_deal_decode(o, p, n);
}
static int dec_pledge(void *o, const uint8_t *p, size_t n)
{
    return yc_pledge_decode(o, p, n);
}
static int dec_policy(void *o, const uint8_t *p, size_t n)
{
    return yc_policy_decode(o, p, n);
}
static int dec_credit(void *o, const uint8_t *p, size_t n)
{
    return yc_credit_decode(o, p, n);
}
static int dec_cstate(void *o, const uint8_t *p, size_t n)
{
    return yc_credit_state_decode(o, p, n);
}
static int dec_account(void *o, const uint8_t *p, size_t n)
{
    return yc_account_decode(o, p, n);
}

/* Ids named by index entries: the key's last 32 bytes, or the value when it is an id. */
struct ids {
    size_t n, cap;
    uint8_t (*v)[YC_HASH_LEN];
    bool from_value;
    bool bad;
};

static int collect_id(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct ids *l = ctx;
    const uint8_t *id = l->from_value ? (vlen == YC_HASH_LEN ? val : NULL)
                                      : (klen >= YC_HASH_LEN ? key + klen - YC_HASH_LEN : NULL);
    if (!id) {
        l->bad = true;
        return 1;
    }
    if (l->n >= l->cap)
        return 1;
    memcpy(l->v[l->n++], id, YC_HASH_LEN);
    return 0;
}

static int scan_ids(store *s, const uint8_t *prefix, size_t plen, size_t limit, bool from_value,
                    struct ids *l)
{
    memset(l, 0, sizeof *l);
    l->cap = limit;
    l->from_value = from_value;
    l->v = malloc(limit * YC_HASH_LEN);
    if (!l->v)
        return YC_ENOMEM;
    int rc = store_scan_state(s, prefix, plen, limit, collect_id, l);
    if (rc > 0)
        rc = YC_OK;
    return rc == YC_OK && l->bad ? YC_ECORRUPT : rc;
}

static json_t *hex32(const uint8_t *p)
{
    return yc_json_hex(p, YC_HASH_LEN);
}

static bool tip_of(struct rpc_call *c, store **s, struct store_tip *tip)
{
    *s = yc_node_store(c->node);
    int rc = *s ? store_tip(*s, tip) : YC_EIO;
    if (rc != YC_OK) {
        yc__rpc_fail(c, RPC_INTERNAL, rc, NULL);
        return false;
    }
    return true;
}

/* An optional 64-hex-digit parameter. */
static bool opt_hash(struct rpc_call *c, json_t *params, const char *name, uint8_t out[32],
                     bool *has)
{
    *has = yc__rpc_param(params, name) != NULL;
    return !*has || yc__rpc_param_hash(c, params, name, out);
}

/* ---- JSON forms ---- */

static json_t *listing_json(const uint8_t id[YC_HASH_LEN], const struct yc_listing *l)
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
    json_object_set_new(o, "deal", l->has_deal ? hex32(l->deal) : json_null());
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

static json_t *bid_json(const uint8_t id[YC_HASH_LEN], const struct yc_bid *b, uint64_t now)
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
    json_object_set_new(o, "status", json_string(yc_bid_status(b, now)));
    return o;
}

static json_t *appraisal_json(const uint8_t id[YC_HASH_LEN], const struct yc_appraisal *a)
{
    return json_pack("{s:o*,s:o*,s:o*,s:o*,s:o*,s:o*,s:o*}", "id", hex32(id), "appraiser",
                     yc_json_addr(a->appraiser), "value", yc_json_u64(a->value), "method",
                     yc_json_slice(&a->method), "report", hex32(a->report), "height",
                     yc_json_u64(a->height), "time", yc_json_time(a->time_ms));
}

static json_t *deal_json(const uint8_t id[YC_HASH_LEN], const struct yc_deal *d)
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
    json_object_set_new(o, "destination",
                        d->destination.len > 0 ? yc_json_slice(&d->destination) : json_null());
    json_object_set_new(o, "assessment", d->has_assessment ? hex32(d->assessment) : json_null());
    json_object_set_new(o, "license", d->has_license ? hex32(d->license) : json_null());
    json_object_set_new(o, "policy_version", yc_json_u64(d->policy_version));
    json_object_set_new(o, "height", yc_json_u64(d->height));
    json_object_set_new(o, "index", yc_json_u64(d->index));
    json_object_set_new(o, "time", yc_json_time(d->time_ms));
    return o;
}

static json_t *pledge_json(const uint8_t id[YC_HASH_LEN], const struct yc_pledge *p)
{
    return json_pack("{s:o*,s:o*,s:o*,s:o*,s:o*,s:o*,s:o*,s:o*,s:o*,s:o*}", "id", hex32(id),
                     "asset", hex32(p->asset), "pledgor", yc_json_addr(p->pledgor), "pledgee",
                     yc_json_addr(p->pledgee), "amount", yc_json_u64(p->amount), "due",
                     yc_json_u64(p->due), "due_time", yc_json_time(p->due), "status",
                     yc_json_slice(&p->status), "created_at", yc_json_u64(p->created_at),
                     "closed_at", yc_json_u64_or_null(p->closed_at));
}

static json_t *pubs_json(const uint8_t (*pubs)[YC_PUBKEY_LEN], uint32_t n)
{
    json_t *a = json_array();
    for (uint32_t i = 0; a && i < n; i++)
        json_array_append_new(a, yc_json_addr(pubs[i]));
    return a;
}

/* Codes the policy added to genesis's code lists (every version's additions so far). */
static json_t *adds_json(const struct yc_code_adds *a)
{
    json_t *arr = json_array();
    for (uint32_t i = 0; arr && i < a->n && i < YC_POLICY_CODES_MAX; i++)
        json_array_append_new(arr, yc_json_slice(&a->items[i]));
    return arr;
}

static json_t *policy_json(const struct yc_policy *p)
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

static json_t *credit_json(const uint8_t id[YC_HASH_LEN], const struct yc_credit *c)
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
    json_object_set_new(o, "note", c->note.len > 0 ? yc_json_slice(&c->note) : json_null());
    json_object_set_new(o, "objection",
                        c->has_objection ? json_pack("{s:o*,s:o*}", "reason",
                                                     yc_json_slice(&c->objection_reason),
                                                     "evidence", hex32(c->objection_evidence))
                                         : json_null());
    return o;
}

static json_t *alert_json(const struct yc_alert *a)
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
    json_object_set_new(o, "asset", a->has_asset ? hex32(a->asset) : json_null());
    json_object_set_new(o, "amount", yc_json_u64(a->amount));
    json_object_set_new(o, "policy_version", yc_json_u64(a->policy_version));
    return o;
}

/* ---- listings, listing ---- */

void yc__rpc_listings(struct rpc_call *c, json_t *params)
{
    uint8_t asset[YC_HASH_LEN];
    bool has_asset;
    size_t limit;
    store *s;
    struct store_tip tip;
    if (!opt_hash(c, params, "asset", asset, &has_asset) ||
        !yc__rpc_param_limit(c, params, RPC_LIST_DEFAULT, RPC_LIST_MAX, &limit) ||
        !tip_of(c, &s, &tip))
        return;
    uint8_t prefix[YC_KEY_MAX];
    size_t pl =
        has_asset ? yc_key_idx_listing_asset(prefix, asset) : yc_key_idx_listing_open(prefix);
    struct ids l;
    int rc = scan_ids(s, prefix, pl, limit, false, &l);
    json_t *arr = json_array();
    if (rc == YC_OK && !arr)
        rc = YC_ENOMEM;
    for (size_t i = 0; rc == YC_OK && i < l.n; i++) {
        uint8_t key[YC_KEY_MAX], *val;
        struct yc_listing li;
        rc = yc__rpc_read_obj(s, key, yc_key_listing(key, l.v[i]), &val, dec_listing, &li);
        if (rc == YC_OK)
            json_array_append_new(arr, listing_json(l.v[i], &li));
        yc_free(val);
    }
    free(l.v);
    if (rc != YC_OK) {
        json_decref(arr);
        yc__rpc_fail(c, RPC_INTERNAL, rc == YC_ENOTFOUND ? YC_ECORRUPT : rc, NULL);
        return;
    }
    yc__rpc_ok(c, json_pack("{s:o*,s:o*}", "listings", arr, "as_of", yc_json_u64(tip.height)));
}

/* Objects named by an index of `owner`, rendered by `render`, appended to arr. */
static int add_indexed(store *s, size_t (*prefix_fn)(uint8_t *, const uint8_t *),
                       const uint8_t *owner, size_t (*key_fn)(uint8_t *, const uint8_t *),
                       yc_rpc_dec_fn dec, void *obj,
                       json_t *(*render)(const uint8_t *, const void *, uint64_t), uint64_t now,
                       json_t *arr)
{
    uint8_t prefix[YC_KEY_MAX];
    size_t pl = prefix_fn(prefix, owner);
    struct ids l;
    int rc = scan_ids(s, prefix, pl, RPC_LIST_MAX, false, &l);
    for (size_t i = 0; rc == YC_OK && i < l.n; i++) {
        uint8_t key[YC_KEY_MAX], *val;
        rc = yc__rpc_read_obj(s, key, key_fn(key, l.v[i]), &val, dec, obj);
        if (rc == YC_OK)
            json_array_append_new(arr, render(l.v[i], obj, now));
        yc_free(val);
    }
    free(l.v);
    return rc == YC_ENOTFOUND ? YC_ECORRUPT : rc;
}

static json_t *render_bid(const uint8_t *id, const void *o, uint64_t now)
{
    return bid_json(id, o, now);
}
static json_t *render_appraisal(const uint8_t *id, const void *o, uint64_t now)
{
    (void)now;
    return appraisal_json(id, o);
}
static json_t *render_pledge(const uint8_t *id, const void *o, uint64_t now)
{
    (void)now;
    return pledge_json(id, o);
}

void yc__rpc_listing(struct rpc_call *c, json_t *params)
{
    uint8_t id[YC_HASH_LEN];
    store *s;
    struct store_tip tip;
    if (!yc__rpc_param_hash(c, params, "id", id) || !tip_of(c, &s, &tip))
        return;
    uint8_t key[YC_KEY_MAX], *val = NULL;
    struct yc_listing l;
    int rc = yc__rpc_read_obj(s, key, yc_key_listing(key, id), &val, dec_listing, &l);
    if (rc == YC_ENOTFOUND) {
        yc__rpc_fail(c, RPC_NOT_FOUND, YC_EUNKNOWNOBJ, "no such listing");
        return;
    }
    json_t *o = rc == YC_OK ? listing_json(id, &l) : NULL;
    json_t *apps = json_array(), *bids = json_array();
    if (rc == YC_OK && (!o || !apps || !bids))
        rc = YC_ENOMEM;
    struct yc_appraisal ap;
    struct yc_bid b;
    if (rc == YC_OK)
        rc = add_indexed(s, yc_key_idx_appraisal_listing, id, yc_key_appraisal, dec_appraisal, &ap,
                         render_appraisal, tip.time_ms, apps);
    if (rc == YC_OK)
        rc = add_indexed(s, yc_key_idx_bid_listing, id, yc_key_bid, dec_bid, &b, render_bid,
                         tip.time_ms, bids);
    json_t *deal = json_null();
    if (rc == YC_OK && l.has_deal) {
        uint8_t *dv;
        struct yc_deal d;
        rc = yc__rpc_read_obj(s, key, yc_key_deal(key, l.deal), &dv, dec_deal, &d);
        if (rc == YC_OK)
            deal = deal_json(l.deal, &d);
        yc_free(dv);
    }
    yc_free(val);
    if (rc != YC_OK) {
        json_decref(o);
        json_decref(apps);
        json_decref(bids);
        json_decref(deal);
        yc__rpc_fail(c, RPC_INTERNAL, rc == YC_ENOTFOUND ? YC_ECORRUPT : rc, NULL);
        return;
    }
    json_object_set_new(o, "appraisal_list", apps);
    json_object_set_new(o, "bids", bids);
    json_object_set_new(o, "deal_detail", deal);
    json_object_set_new(o, "as_of", yc_json_u64(tip.height));
    yc__rpc_ok(c, o);
}

/* ---- price_index ---- */

struct price_scan {
    uint64_t from, to;
    size_t limit;
    json_t *arr;
    int err;
};

static int price_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct price_scan *ps = ctx;
    struct yc_price_point pp;
    (void)key;
    (void)klen;
    if (yc_price_decode(&pp, val, vlen) != YC_OK) {
        ps->err = YC_ECORRUPT;
        return 1;
    }
    if (pp.period < ps->from || pp.period >= ps->to)
        return 0;
    if (json_array_size(ps->arr) >= ps->limit)
        return 1;
    json_t *o = json_object();
    json_object_set_new(o, "sector", yc_json_slice(&pp.sector));
    json_object_set_new(o, "period", yc_json_u64(pp.period));
    json_object_set_new(o, "period_start", yc_json_time(pp.period));
    json_object_set_new(o, "count", yc_json_u64(pp.count));
    json_object_set_new(o, "volume", yc_json_u64(pp.volume));
    json_object_set_new(o, "vwap", yc_json_u64(pp.vwap));
    json_object_set_new(o, "high", yc_json_u64(pp.high));
    json_object_set_new(o, "low", yc_json_u64(pp.low));
    json_object_set_new(o, "last_height", yc_json_u64(pp.last_height));
    json_object_set_new(o, "last_tx", hex32(pp.last_tx));
    json_array_append_new(ps->arr, o);
    return 0;
}

void yc__rpc_price_index(struct rpc_call *c, json_t *params)
{
    const char *sector = NULL;
    size_t slen = 0;
    struct price_scan ps = {.from = 0, .to = UINT64_MAX};
    store *s;
    struct store_tip tip;
    if (!yc__rpc_param_str(c, params, "sector", false, &sector, &slen) ||
        !yc__rpc_param_u64(c, params, "from", false, &ps.from, NULL) ||
        !yc__rpc_param_u64(c, params, "to", false, &ps.to, NULL) ||
        !yc__rpc_param_limit(c, params, RPC_LIST_MAX, RPC_LIST_MAX, &ps.limit))
        return;
    /* DESIGN §9 calls the sector `category` */
    if (sector == NULL && !yc__rpc_param_str(c, params, "category", false, &sector, &slen))
        return;
    if (sector != NULL && (slen == 0 || slen > YC_CODE_MAX)) {
        yc__rpc_bad_param(c, "sector", "must be a code of 1..64 bytes");
        return;
    }
    if (!tip_of(c, &s, &tip))
        return;
    uint8_t prefix[YC_KEY_MAX];
    size_t pl;
    if (sector != NULL) {
        struct yc_slice sl = {sector, slen};
        pl = yc_key_price(prefix, &sl, false, 0);
    } else {
        pl = yc_key_prefix(prefix, "price_index/");
    }
    ps.arr = json_array();
    int rc = ps.arr ? store_scan_state(s, prefix, pl, 0, price_cb, &ps) : YC_ENOMEM;
    if (rc > 0)
        rc = YC_OK;
    if (rc == YC_OK)
        rc = ps.err;
    if (rc != YC_OK) {
        json_decref(ps.arr);
        yc__rpc_fail(c, RPC_INTERNAL, rc, NULL);
        return;
    }
    yc__rpc_ok(c, json_pack("{s:o*,s:o*,s:o*}", "period_ms", yc_json_u64(YC_PRICE_PERIOD_MS),
                            "points", ps.arr, "as_of", yc_json_u64(tip.height)));
}

/* ---- pledges ---- */

int yc__rpc_asset_pledges(store *s, const uint8_t asset[YC_HASH_LEN], uint64_t now_ms, json_t *o)
{
    json_t *arr = json_array();
    struct yc_pledge p;
    int rc = arr ? add_indexed(s, yc_key_idx_pledge_asset, asset, yc_key_pledge, dec_pledge, &p,
                               render_pledge, now_ms, arr)
                 : YC_ENOMEM;
    json_object_set_new(o, "pledges", arr);
    return rc;
}

void yc__rpc_pledges(struct rpc_call *c, json_t *params)
{
    uint8_t asset[YC_HASH_LEN], party[YC_PUBKEY_LEN];
    bool has_asset, has_party = false;
    store *s;
    struct store_tip tip;
    if (!opt_hash(c, params, "asset", asset, &has_asset) ||
        !yc__rpc_param_addr(c, params, "party", false, party, &has_party))
        return;
    if (has_asset == has_party) {
        yc__rpc_bad_param(c, "asset", "give exactly one of asset or party");
        return;
    }
    if (!tip_of(c, &s, &tip))
        return;
    json_t *arr = json_array();
    struct yc_pledge p;
    int rc = arr ? YC_OK : YC_ENOMEM;
    if (rc == YC_OK)
        rc = has_asset ? add_indexed(s, yc_key_idx_pledge_asset, asset, yc_key_pledge, dec_pledge,
                                     &p, render_pledge, tip.time_ms, arr)
                       : add_indexed(s, yc_key_idx_pledge_party, party, yc_key_pledge, dec_pledge,
                                     &p, render_pledge, tip.time_ms, arr);
    if (rc != YC_OK) {
        json_decref(arr);
        yc__rpc_fail(c, RPC_INTERNAL, rc, NULL);
        return;
    }
    yc__rpc_ok(c, json_pack("{s:o*,s:o*}", "pledges", arr, "as_of", yc_json_u64(tip.height)));
}

/* ---- policy ---- */

void yc__rpc_policy(struct rpc_call *c, json_t *params)
{
    uint64_t version = 0;
    bool has_version = false;
    store *s;
    struct store_tip tip;
    if (!yc__rpc_param_u64(c, params, "version", false, &version, &has_version) ||
        !tip_of(c, &s, &tip))
        return;
    uint8_t key[YC_KEY_MAX], *val = NULL;
    size_t kl = has_version ? yc_key_policy_version(key, version) : yc_key_policy(key);
    struct yc_policy p;
    int rc = yc__rpc_read_obj(s, key, kl, &val, dec_policy, &p);
    if (rc == YC_ENOTFOUND && !has_version) {
        memset(&p, 0, sizeof p); /* nothing set yet: version 0, empty lists */
        rc = YC_OK;
    } else if (rc == YC_ENOTFOUND) {
        yc__rpc_fail(c, RPC_NOT_FOUND, YC_EUNKNOWNOBJ, "no such policy version");
        return;
    }
    json_t *o = rc == YC_OK ? policy_json(&p) : NULL;
    yc_free(val);
    if (!o) {
        yc__rpc_fail(c, RPC_INTERNAL, rc == YC_OK ? YC_ENOMEM : rc, NULL);
        return;
    }
    json_object_set_new(o, "as_of", yc_json_u64(tip.height));
    yc__rpc_ok(c, o);
}

/* ---- credit ---- */

void yc__rpc_credit(struct rpc_call *c, json_t *params)
{
    uint8_t pub[YC_PUBKEY_LEN];
    size_t limit;
    store *s;
    struct store_tip tip;
    if (!yc__rpc_param_addr(c, params, "address", true, pub, NULL) ||
        !yc__rpc_param_limit(c, params, RPC_LIST_DEFAULT, RPC_LIST_MAX, &limit) ||
        !tip_of(c, &s, &tip))
        return;
    uint8_t key[YC_KEY_MAX], *aval = NULL, *sval = NULL;
    struct yc_account a;
    struct yc_credit_state st = {0};
    int rc = yc__rpc_read_obj(s, key, yc_key_account(key, pub), &aval, dec_account, &a);
    if (rc == YC_ENOTFOUND) {
        yc__rpc_fail(c, RPC_NOT_FOUND, YC_EUNKNOWNACCT, NULL);
        return;
    }
    if (rc == YC_OK) {
        rc = yc__rpc_read_obj(s, key, yc_key_credit_state(key, pub), &sval, dec_cstate, &st);
        if (rc == YC_ENOTFOUND)
            rc = YC_OK;
    }
    json_t *o = json_object(), *hist = json_array();
    if (rc == YC_OK && (!o || !hist))
        rc = YC_ENOMEM;
    if (rc == YC_OK) {
        json_object_set_new(o, "address", yc_json_addr(pub));
        json_object_set_new(o, "status", yc_json_slice(&a.credit));
        json_object_set_new(o, "live",
                            json_pack("{s:o*,s:o*,s:o*}", "warning", yc_json_u64(st.warning),
                                      "restricted", yc_json_u64(st.restricted), "frozen",
                                      yc_json_u64(st.frozen)));
    }
    yc_free(aval);
    yc_free(sval);
    struct ids l = {0};
    if (rc == YC_OK) {
        uint8_t prefix[YC_KEY_MAX];
        rc = scan_ids(s, prefix, yc_key_idx_credit_account(prefix, pub), limit, true, &l);
    }
    for (size_t i = 0; rc == YC_OK && i < l.n; i++) {
        uint8_t *val;
        struct yc_credit cr;
        rc = yc__rpc_read_obj(s, key, yc_key_credit(key, l.v[i]), &val, dec_credit, &cr);
        if (rc == YC_OK)
            json_array_append_new(hist, credit_json(l.v[i], &cr));
        yc_free(val);
    }
    free(l.v);
    if (rc != YC_OK) {
        json_decref(o);
        json_decref(hist);
        yc__rpc_fail(c, RPC_INTERNAL, rc == YC_ENOTFOUND ? YC_ECORRUPT : rc, NULL);
        return;
    }
    json_object_set_new(o, "records", hist);
    json_object_set_new(o, "as_of", yc_json_u64(tip.height));
    yc__rpc_ok(c, o);
}

/* ---- alerts ---- */

struct alert_scan {
    uint64_t from;
    size_t limit;
    json_t *arr;
    int err;
};

static int alert_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct alert_scan *as = ctx;
    struct yc_alert a;
    (void)key;
    (void)klen;
    if (yc_alert_decode(&a, val, vlen) != YC_OK) {
        as->err = YC_ECORRUPT;
        return 1;
    }
    if (a.height < as->from)
        return 0;
    if (json_array_size(as->arr) >= as->limit)
        return 1;
    json_array_append_new(as->arr, alert_json(&a));
    return 0;
}

void yc__rpc_alerts(struct rpc_call *c, json_t *params)
{
    struct alert_scan as = {0};
    store *s;
    struct store_tip tip;
    if (!yc__rpc_param_u64(c, params, "from_height", false, &as.from, NULL) ||
        !yc__rpc_param_limit(c, params, RPC_LIST_DEFAULT, RPC_LIST_MAX, &as.limit) ||
        !tip_of(c, &s, &tip))
        return;
    uint8_t prefix[YC_KEY_MAX];
    size_t pl = yc_key_prefix(prefix, "alert/");
    as.arr = json_array();
    int rc = as.arr ? store_scan_state(s, prefix, pl, 0, alert_cb, &as) : YC_ENOMEM;
    if (rc > 0)
        rc = YC_OK;
    if (rc == YC_OK)
        rc = as.err;
    if (rc != YC_OK) {
        json_decref(as.arr);
        yc__rpc_fail(c, RPC_INTERNAL, rc, NULL);
        return;
    }
    yc__rpc_ok(c, json_pack("{s:o*,s:o*}", "alerts", as.arr, "as_of", yc_json_u64(tip.height)));
}
