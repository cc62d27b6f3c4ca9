/*
 * query_market.c — read-only questions about the market and its supervision:
 * `market show|listings|index`, `pledge list`, `policy show` and `credit show`. With
 * --json the node's answer is printed as it is; otherwise a short summary per line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wallet.h"
#include "yc/bech32.h"

static void listing_line(struct wallet *w, json_t *x)
{
    char price[WALLET_YUAN_MAX];
    printf("%s %s %s asset=%s price=%s sector=%s seller=%s bids=%zu appraisals=%s\n",
           wallet_str(x, "id", "?"), wallet_str(x, "status", "?"), wallet_str(x, "offer", "?"),
           wallet_str(x, "asset", "?"), wallet_yuan(wallet_str(x, "price", "?"), price),
           wallet_str(x, "sector", "?"), wallet_who(w, wallet_str(x, "seller", "?")),
           json_array_size(json_object_get(x, "open_bids")), wallet_str(x, "appraisals", "0"));
}

static void show_listing(struct wallet *w, json_t *res)
{
    size_t i;
    json_t *x;
    char a[WALLET_YUAN_MAX], b[WALLET_YUAN_MAX];
    listing_line(w, res);
    json_array_foreach(json_object_get(res, "appraisal_list"), i, x)
        printf("  appraisal %s value=%s method=%s by %s\n", wallet_str(x, "id", "?"),
               wallet_yuan(wallet_str(x, "value", "?"), a), wallet_str(x, "method", "?"),
               wallet_who(w, wallet_str(x, "appraiser", "?")));
    json_array_foreach(json_object_get(res, "bids"), i, x)
        printf("  bid %s %s price=%s by %s expires %s\n", wallet_str(x, "id", "?"),
               wallet_str(x, "status", "?"), wallet_yuan(wallet_str(x, "price", "?"), a),
               wallet_who(w, wallet_str(x, "bidder", "?")), wallet_str(x, "expires_time", "?"));
    json_t *d = json_object_get(res, "deal_detail");
    if (json_is_object(d))
        printf("  deal %s price=%s fee=%s buyer=%s cross_border=%s\n", wallet_str(d, "id", "?"),
               wallet_yuan(wallet_str(d, "price", "?"), a),
               wallet_yuan(wallet_str(d, "fee", "?"), b),
               wallet_who(w, wallet_str(d, "buyer", "?")),
               json_is_true(json_object_get(d, "cross_border")) ? "yes" : "no");
}

int cmd_market_show(struct wallet *w, const struct wallet_args *a)
{
    uint8_t id[YC_HASH_LEN];
    char hex[2 * YC_HASH_LEN + 1];
    int ex = wallet_parse_hash(a->pos[0], "listing id", id);
    if (ex != YC_EXIT_OK)
        return ex;
    yc_hex(hex, id, YC_HASH_LEN);
    return wallet_ask(w, "listing", json_pack("{s:s}", "id", hex), show_listing);
}

static void show_listings(struct wallet *w, json_t *res)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(res, "listings"), i, x) listing_line(w, x);
}

int cmd_market_listings(struct wallet *w, const struct wallet_args *a)
{
    json_t *params = json_object();
    if (a->set[O_ASSET]) {
        uint8_t id[YC_HASH_LEN];
        char hex[2 * YC_HASH_LEN + 1];
        int ex = wallet_parse_hash(a->val[O_ASSET], "--asset", id);
        if (ex != YC_EXIT_OK) {
            json_decref(params);
            return ex;
        }
        yc_hex(hex, id, YC_HASH_LEN);
        json_object_set_new(params, "asset", json_string(hex));
    }
    return wallet_ask(w, "listings", params, show_listings);
}

static void show_index(struct wallet *w, json_t *res)
{
    (void)w;
    size_t i;
    json_t *x;
    char vol[WALLET_YUAN_MAX], vwap[WALLET_YUAN_MAX], hi[WALLET_YUAN_MAX], lo[WALLET_YUAN_MAX];
    json_array_foreach(json_object_get(res, "points"), i, x) printf(
        "%s %s count=%s volume=%s vwap=%s high=%s low=%s\n", wallet_str(x, "sector", "?"),
        wallet_str(x, "period_start", "?"), wallet_str(x, "count", "?"),
        wallet_yuan(wallet_str(x, "volume", "?"), vol),
        wallet_yuan(wallet_str(x, "vwap", "?"), vwap), wallet_yuan(wallet_str(x, "high", "?"), hi),
        wallet_yuan(wallet_str(x, "low", "?"), lo));
}

int cmd_market_index(struct wallet *w, const struct wallet_args *a)
{
    json_t *params = json_object();
    if (a->set[O_SECTOR])
        json_object_set_new(params, "sector", json_string(a->val[O_SECTOR]));
    return wallet_ask(w, "price_index", params, show_index);
}

static void show_pledges(struct wallet *w, json_t *res)
{
    size_t i;
    json_t *x;
    char amount[WALLET_YUAN_MAX];
    json_array_foreach(json_object_get(res, "pledges"), i, x) printf(
        "%s %s asset=%s pledgor=%s pledgee=%s amount=%s due %s\n", wallet_str(x, "id", "?"),
        wallet_str(x, "status", "?"), wallet_str(x, "asset", "?"),
        wallet_who(w, wallet_str(x, "pledgor", "?")), wallet_who(w, wallet_str(x, "pledgee", "?")),
        wallet_yuan(wallet_str(x, "amount", "?"), amount), wallet_str(x, "due_time", "?"));
}

int cmd_pledge_list(struct wallet *w, const struct wallet_args *a)
{
    if (a->set[O_ASSET]) {
        uint8_t id[YC_HASH_LEN];
        char hex[2 * YC_HASH_LEN + 1];
        int ex = wallet_parse_hash(a->val[O_ASSET], "--asset", id);
        if (ex != YC_EXIT_OK)
            return ex;
        yc_hex(hex, id, YC_HASH_LEN);
        return wallet_ask(w, "pledges", json_pack("{s:s}", "asset", hex), show_pledges);
    }
    char addr[YC_ADDR_MAX];
    int ex = wallet_query_addr(w, a->set[O_HOLDER] ? a->val[O_HOLDER] : NULL, "--holder", addr);
    if (ex != YC_EXIT_OK)
        return ex;
    return wallet_ask(w, "pledges", json_pack("{s:s}", "party", addr), show_pledges);
}

static void show_policy(struct wallet *w, json_t *res)
{
    (void)w;
    char *nl = json_dumps(json_object_get(res, "negative_list"), JSON_COMPACT);
    char *al = json_dumps(json_object_get(res, "alerts"), JSON_COMPACT);
    char *ca = json_dumps(json_object_get(res, "codes_added"), JSON_COMPACT);
    printf("policy version %s (height %s)\n  negative list %s\n  alerts %s\n"
           "  codes added to genesis's lists %s\n",
           wallet_str(res, "version", "0"), wallet_str(res, "height", "0"), nl ? nl : "?",
           al ? al : "?", ca ? ca : "{}");
    free(nl);
    free(al);
    free(ca);
}

int cmd_policy_show(struct wallet *w, const struct wallet_args *a)
{
    json_t *params = json_object();
    if (a->set[O_POLICY_VERSION]) {
        uint64_t v;
        int ex = wallet_parse_u64(a->val[O_POLICY_VERSION], "--policy-version", true, &v);
        if (ex != YC_EXIT_OK) {
            json_decref(params);
            return ex;
        }
        json_object_set_new(params, "version", json_string(a->val[O_POLICY_VERSION]));
    }
    return wallet_ask(w, "policy", params, show_policy);
}

static void show_credit(struct wallet *w, json_t *res)
{
    size_t i;
    json_t *x;
    printf("%s credit %s\n", wallet_who(w, wallet_str(res, "address", "?")),
           wallet_str(res, "status", "?"));
    json_array_foreach(json_object_get(res, "records"), i, x)
        printf("  %s %s %s reason=%s height=%s\n", wallet_str(x, "id", "?"),
               wallet_str(x, "severity", "?"), wallet_str(x, "status", "?"),
               wallet_str(x, "reason", "?"), wallet_str(x, "height", "?"));
}

int cmd_credit_show(struct wallet *w, const struct wallet_args *a)
{
    char addr[YC_ADDR_MAX];
    int ex = wallet_query_addr(w, a->npos > 0 ? a->pos[0] : NULL, "address", addr);
    if (ex != YC_EXIT_OK)
        return ex;
    return wallet_ask(w, "credit", json_pack("{s:s}", "address", addr), show_credit);
}
