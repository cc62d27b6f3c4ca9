/*
 * rpc_methods_market.c — the market and its supervision in committed state: `listings`
 * (open, or every listing of an asset), `listing` (with its appraisals, bids and deal),
 * `price_index` (by sector and period), `pledges` (by asset or party), `policy` (the
 * negative list and alert rules in force, or any version), `credit` (an account's public
 * credit history) and `alerts` (what the policy's alert rules matched). docs/rpc.md.
 * Each object is rendered by read/ (yc/json.h), as yuchain-audit renders it.
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
            json_array_append_new(arr, yc_json_listing(l.v[i], &li));
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
    return yc_json_bid(id, o, now);
}
static json_t *render_appraisal(const uint8_t *id, const void *o, uint64_t now)
{
    (void)now;
    return yc_json_appraisal(id, o);
}
static json_t *render_pledge(const uint8_t *id, const void *o, uint64_t now)
{
    (void)now;
    return yc_json_pledge(id, o);
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
    json_t *o = rc == YC_OK ? yc_json_listing(id, &l) : NULL;
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
            deal = yc_json_deal(l.deal, &d);
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
    json_t *o = yc_json_price_point(&pp);
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
    json_t *o = rc == YC_OK ? yc_json_policy(&p) : NULL;
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
            json_array_append_new(hist, yc_json_credit(l.v[i], &cr));
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
    json_array_append_new(as->arr, yc_json_alert(&a));
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
