/*
 * objects_market.c — keys and canonical encodings of the market's state objects
 * (market.h; grammar in docs/formats.md): listings, bids, appraisals, deals, price
 * points, pledges, policies, export assessments, credit records and states, alerts and
 * the supply counter.
 *
 * As in objects_asset.c: maps with keys written in sorted order, optional fields omitted
 * when absent so that every object has exactly one encoding, and decoders that run
 * yc_canon_check first and turn any schema failure of stored bytes into YC_ECORRUPT.
 */
#include <string.h>

#include "ledger_int.h"
#include "yc/codec.h"
#include "yc/market.h"
#include "yc/objects.h"

/* ---- keys ---- */

static size_t put_be(uint8_t *p, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++) {
        p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
    }
    return bytes;
}

size_t yc_key_prefix(uint8_t *key, const char *prefix)
{
    return yc__key_join(key, prefix, NULL, 0);
}

size_t yc_key_listing(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return yc__key_join(key, "listing/", id, YC_HASH_LEN);
}

size_t yc_key_bid(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return yc__key_join(key, "bid/", id, YC_HASH_LEN);
}

size_t yc_key_appraisal(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return yc__key_join(key, "appraisal/", id, YC_HASH_LEN);
}

size_t yc_key_deal(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return yc__key_join(key, "deal/", id, YC_HASH_LEN);
}

size_t yc_key_pledge(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return yc__key_join(key, "pledge/", id, YC_HASH_LEN);
}

size_t yc_key_pledged(uint8_t *key, const uint8_t asset[YC_HASH_LEN])
{
    return yc__key_join(key, "pledged/", asset, YC_HASH_LEN);
}

size_t yc_key_policy(uint8_t *key)
{
    return yc__key_join(key, "policy", NULL, 0);
}

size_t yc_key_policy_version(uint8_t *key, uint64_t version)
{
    size_t n = yc__key_join(key, "policy_version/", NULL, 0);
    return n + put_be(key + n, version, 8);
}

size_t yc_key_assessment(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return yc__key_join(key, "assessment/", id, YC_HASH_LEN);
}

size_t yc_key_export(uint8_t *key, const uint8_t asset[YC_HASH_LEN], const struct yc_slice *dest)
{
    size_t n = yc__key_join(key, "export/", asset, YC_HASH_LEN);
    size_t dl = dest->len > YC_CODE_MAX ? YC_CODE_MAX : dest->len;
    if (dl > 0) {
        memcpy(key + n, dest->p, dl);
    }
    return n + dl;
}

size_t yc_key_credit(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return yc__key_join(key, "credit/", id, YC_HASH_LEN);
}

size_t yc_key_credit_state(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return yc__key_join(key, "credit_state/", pub, YC_PUBKEY_LEN);
}

size_t yc_key_supply(uint8_t *key)
{
    return yc__key_join(key, "supply", NULL, 0);
}

size_t yc_key_price(uint8_t *key, const struct yc_slice *sector, bool with_period, uint64_t period)
{
    size_t n = yc__key_join(key, "price_index/", NULL, 0);
    size_t sl = sector->len > YC_CODE_MAX ? YC_CODE_MAX : sector->len;
    key[n++] = (uint8_t)sl;
    if (sl > 0) {
        memcpy(key + n, sector->p, sl);
    }
    n += sl;
    if (with_period) {
        n += put_be(key + n, period, 8);
    }
    return n;
}

size_t yc_key_alert(uint8_t *key, uint64_t height, uint32_t index, uint8_t seq)
{
    size_t n = yc__key_join(key, "alert/", NULL, 0);
    n += put_be(key + n, height, 8);
    n += put_be(key + n, index, 4);
    key[n++] = seq;
    return n;
}

size_t yc_key_idx_listing_open(uint8_t *key)
{
    return yc__key_join(key, "idx/listing_open/", NULL, 0);
}

size_t yc_key_idx_listing_asset(uint8_t *key, const uint8_t asset[YC_HASH_LEN])
{
    return yc__key_join(key, "idx/listing_asset/", asset, YC_HASH_LEN);
}

size_t yc_key_idx_bid_listing(uint8_t *key, const uint8_t listing[YC_HASH_LEN])
{
    return yc__key_join(key, "idx/bid_listing/", listing, YC_HASH_LEN);
}

size_t yc_key_idx_appraisal_listing(uint8_t *key, const uint8_t listing[YC_HASH_LEN])
{
    return yc__key_join(key, "idx/appraisal_listing/", listing, YC_HASH_LEN);
}

size_t yc_key_idx_deal_time(uint8_t *key)
{
    return yc__key_join(key, "idx/deal_time/", NULL, 0);
}

size_t yc_key_idx_deal_asset(uint8_t *key, const uint8_t asset[YC_HASH_LEN])
{
    return yc__key_join(key, "idx/deal_asset/", asset, YC_HASH_LEN);
}

size_t yc_key_idx_pledge_asset(uint8_t *key, const uint8_t asset[YC_HASH_LEN])
{
    return yc__key_join(key, "idx/pledge_asset/", asset, YC_HASH_LEN);
}

size_t yc_key_idx_pledge_party(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return yc__key_join(key, "idx/pledge_party/", pub, YC_PUBKEY_LEN);
}

size_t yc_key_idx_export_asset(uint8_t *key, const uint8_t asset[YC_HASH_LEN])
{
    return yc__key_join(key, "idx/export_asset/", asset, YC_HASH_LEN);
}

size_t yc_key_idx_credit_account(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return yc__key_join(key, "idx/credit_account/", pub, YC_PUBKEY_LEN);
}

/* ---- statuses ---- */

const char *yc_bid_status(const struct yc_bid *b, uint64_t t_ms)
{
    static const char *const names[] = {"accepted", "cancelled", "released"};
    if (b->closed_at == 0) {
        return t_ms >= b->expires ? "expired" : "open";
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (yc__slice_eq(&b->status, names[i])) {
            return names[i];
        }
    }
    return "closed";
}

const char *yc_assessment_status(const struct yc_assessment *a, uint64_t t_ms)
{
    if (!yc__slice_eq(&a->outcome, "approved")) {
        return "denied";
    }
    return t_ms >= a->until ? "expired" : "approved";
}

bool yc_jurisdiction_domestic(const struct yc_slice *j)
{
    return j->len >= 2 && j->p[0] == 'C' && j->p[1] == 'N' && (j->len == 2 || j->p[2] == '-');
}

/* ---- plumbing ---- */

/* Any schema failure of a stored object is YC_ECORRUPT. */
#define TRY(x) YC__TRY_AS((x), YC_ECORRUPT)

static int req_bool(struct yc_dec *d, uint32_t *left, const char *key, bool *v)
{
    TRY(yc__field_req(d, left, key));
    TRY(yc_dec_bool(d, v));
    return YC_OK;
}

static void put_pubs(struct yc_enc *e, const char *key, const uint8_t (*pubs)[YC_PUBKEY_LEN],
                     uint32_t n)
{
    yc_enc_cstr(e, key);
    yc_enc_array(e, n);
    for (uint32_t i = 0; i < n; i++) {
        yc_enc_bin(e, pubs[i], YC_PUBKEY_LEN);
    }
}

static int req_pubs(struct yc_dec *d, uint32_t *left, const char *key,
                    uint8_t (*pubs)[YC_PUBKEY_LEN], uint32_t *np)
{
    TRY(yc__field_req(d, left, key));
    TRY(yc__dec_bins(d, pubs, YC_PUBKEY_LEN, YC_POLICY_ACCOUNTS_MAX, np));
    return YC_OK;
}

static void put_adds(struct yc_enc *e, const char *key, const struct yc_code_adds *a)
{
    yc_enc_cstr(e, key);
    yc_enc_array(e, a->n);
    for (uint32_t i = 0; i < a->n; i++) {
        yc__enc_slice(e, &a->items[i]);
    }
}

/* An optional array of 1..YC_POLICY_CODES_MAX codes (absent is how empty is written). */
static int opt_adds(struct yc_dec *d, uint32_t *left, const char *key, struct yc_code_adds *a)
{
    uint32_t n;
    int r = yc__field_opt(d, left, key);

    a->n = 0;
    TRY(r < 0 ? r : YC_OK);
    if (r == 0) {
        return YC_OK;
    }
    TRY(yc_dec_array(d, &n));
    if (n == 0 || n > YC_POLICY_CODES_MAX) {
        return YC_ECORRUPT;
    }
    for (uint32_t i = 0; i < n; i++) {
        TRY(yc__dec_text(d, &a->items[i], 1, YC_CODE_MAX));
    }
    a->n = n;
    return YC_OK;
}

/* ---- listing ---- */

int yc_listing_encode(const struct yc_listing *l, struct yc_buf *out)
{
    struct yc_enc e;
    bool vis = l->visibility.len > 0;

    if (l->nbids > YC_LISTING_BIDS_MAX) {
        return YC_EINVAL;
    }
    yc_enc_init(&e, out);
    yc_enc_map(&e, 16u + (l->has_deal ? 1u : 0u) + (vis ? 1u : 0u));
    yc__put_u64(&e, "appraisals", l->appraisals);
    yc__put_bin(&e, "asset", l->asset, YC_HASH_LEN);
    yc_enc_cstr(&e, "bids");
    yc_enc_array(&e, l->nbids);
    for (uint32_t i = 0; i < l->nbids; i++) {
        yc_enc_bin(&e, l->bids[i], YC_HASH_LEN);
    }
    yc__put_u64(&e, "closed_at", l->closed_at);
    if (l->has_deal) {
        yc__put_bin(&e, "deal", l->deal, YC_HASH_LEN);
    }
    yc__put_u64(&e, "fee", l->fee);
    yc__put_u64(&e, "listed_at", l->listed_at);
    yc__put_u64(&e, "max_uses", l->max_uses);
    yc__put_slice(&e, "offer", &l->offer);
    yc__put_list(&e, "operations", &l->operations);
    yc__put_u64(&e, "price", l->price);
    yc__put_list(&e, "purposes", &l->purposes);
    yc__put_slice(&e, "sector", &l->sector);
    yc__put_bin(&e, "seller", l->seller, YC_PUBKEY_LEN);
    yc__put_slice(&e, "status", &l->status);
    yc__put_u64(&e, "time", l->time_ms);
    yc__put_u64(&e, "until", l->until);
    if (vis) {
        yc__put_slice(&e, "visibility", &l->visibility);
    }
    return yc_enc_finish(&e);
}

int yc_listing_decode(struct yc_listing *l, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(l, 0, sizeof *l);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__req_u64(&d, &left, "appraisals", &l->appraisals));
    TRY(yc__req_fixed(&d, &left, "asset", l->asset, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__field_req(&d, &left, "bids"));
    TRY(yc__dec_bins(&d, l->bids, YC_HASH_LEN, YC_LISTING_BIDS_MAX, &l->nbids));
    TRY(yc__req_u64(&d, &left, "closed_at", &l->closed_at));
    TRY(yc__opt_fixed(&d, &left, "deal", &l->has_deal, l->deal, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "fee", &l->fee));
    TRY(yc__req_u64(&d, &left, "listed_at", &l->listed_at));
    TRY(yc__req_u64(&d, &left, "max_uses", &l->max_uses));
    TRY(yc__req_text(&d, &left, "offer", &l->offer, 1, YC_CODE_MAX));
    TRY(yc__req_list(&d, &left, "operations", &l->operations, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "price", &l->price));
    TRY(yc__req_list(&d, &left, "purposes", &l->purposes, YC_CODE_MAX));
    TRY(yc__req_text(&d, &left, "sector", &l->sector, 1, YC_CODE_MAX));
    TRY(yc__req_fixed(&d, &left, "seller", l->seller, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_text(&d, &left, "status", &l->status, 1, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "time", &l->time_ms));
    TRY(yc__req_u64(&d, &left, "until", &l->until));
    TRY(yc__opt_text(&d, &left, "visibility", &l->visibility, YC_CODE_MAX));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

/* ---- bid ---- */

int yc_bid_encode(const struct yc_bid *b, struct yc_buf *out)
{
    struct yc_enc e;

    yc_enc_init(&e, out);
    yc_enc_map(&e, 9);
    yc__put_bin(&e, "bidder", b->bidder, YC_PUBKEY_LEN);
    yc__put_u64(&e, "closed_at", b->closed_at);
    yc__put_u64(&e, "escrow", b->escrow);
    yc__put_u64(&e, "expires", b->expires);
    yc__put_u64(&e, "height", b->height);
    yc__put_bin(&e, "listing", b->listing, YC_HASH_LEN);
    yc__put_u64(&e, "price", b->price);
    yc__put_slice(&e, "status", &b->status);
    yc__put_u64(&e, "time", b->time_ms);
    return yc_enc_finish(&e);
}

int yc_bid_decode(struct yc_bid *b, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(b, 0, sizeof *b);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__req_fixed(&d, &left, "bidder", b->bidder, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "closed_at", &b->closed_at));
    TRY(yc__req_u64(&d, &left, "escrow", &b->escrow));
    TRY(yc__req_u64(&d, &left, "expires", &b->expires));
    TRY(yc__req_u64(&d, &left, "height", &b->height));
    TRY(yc__req_fixed(&d, &left, "listing", b->listing, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "price", &b->price));
    TRY(yc__req_text(&d, &left, "status", &b->status, 1, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "time", &b->time_ms));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

/* ---- appraisal ---- */

int yc_appraisal_encode(const struct yc_appraisal *a, struct yc_buf *out)
{
    struct yc_enc e;

    yc_enc_init(&e, out);
    yc_enc_map(&e, 7);
    yc__put_bin(&e, "appraiser", a->appraiser, YC_PUBKEY_LEN);
    yc__put_u64(&e, "height", a->height);
    yc__put_bin(&e, "listing", a->listing, YC_HASH_LEN);
    yc__put_slice(&e, "method", &a->method);
    yc__put_bin(&e, "report", a->report, YC_HASH_LEN);
    yc__put_u64(&e, "time", a->time_ms);
    yc__put_u64(&e, "value", a->value);
    return yc_enc_finish(&e);
}

int yc_appraisal_decode(struct yc_appraisal *a, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(a, 0, sizeof *a);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__req_fixed(&d, &left, "appraiser", a->appraiser, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "height", &a->height));
    TRY(yc__req_fixed(&d, &left, "listing", a->listing, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_text(&d, &left, "method", &a->method, 1, YC_CODE_MAX));
    TRY(yc__req_fixed(&d, &left, "report", a->report, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "time", &a->time_ms));
    TRY(yc__req_u64(&d, &left, "value", &a->value));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

/* ---- deal ---- */

int yc_deal_encode(const struct yc_deal *dl, struct yc_buf *out)
{
    struct yc_enc e;
    bool dest = dl->destination.len > 0;
    uint32_t n = 15u + (dl->has_assessment ? 1u : 0u) + (dest ? 1u : 0u) +
                 (dl->has_exchange ? 1u : 0u) + (dl->has_license ? 1u : 0u);

    if (dl->npayouts > YC_PAYOUTS_MAX) {
        return YC_EINVAL;
    }
    yc_enc_init(&e, out);
    yc_enc_map(&e, n);
    if (dl->has_assessment) {
        yc__put_bin(&e, "assessment", dl->assessment, YC_HASH_LEN);
    }
    yc__put_bin(&e, "asset", dl->asset, YC_HASH_LEN);
    yc__put_bin(&e, "bid", dl->bid, YC_HASH_LEN);
    yc__put_bin(&e, "buyer", dl->buyer, YC_PUBKEY_LEN);
    yc_enc_cstr(&e, "cross_border");
    yc_enc_bool(&e, dl->cross_border);
    if (dest) {
        yc__put_slice(&e, "destination", &dl->destination);
    }
    if (dl->has_exchange) {
        yc__put_bin(&e, "exchange", dl->exchange, YC_PUBKEY_LEN);
    }
    yc__put_u64(&e, "fee", dl->fee);
    yc__put_u64(&e, "height", dl->height);
    yc__put_u64(&e, "index", dl->index);
    if (dl->has_license) {
        yc__put_bin(&e, "license", dl->license, YC_HASH_LEN);
    }
    yc__put_bin(&e, "listing", dl->listing, YC_HASH_LEN);
    yc__put_slice(&e, "offer", &dl->offer);
    yc_enc_cstr(&e, "payouts");
    yc_enc_array(&e, dl->npayouts);
    for (uint32_t i = 0; i < dl->npayouts; i++) {
        yc_enc_array(&e, 2);
        yc_enc_bin(&e, dl->payouts[i].pub, YC_PUBKEY_LEN);
        yc_enc_uint(&e, dl->payouts[i].amount);
    }
    yc__put_u64(&e, "policy_version", dl->policy_version);
    yc__put_u64(&e, "price", dl->price);
    yc__put_slice(&e, "sector", &dl->sector);
    yc__put_bin(&e, "seller", dl->seller, YC_PUBKEY_LEN);
    yc__put_u64(&e, "time", dl->time_ms);
    return yc_enc_finish(&e);
}

int yc_deal_decode(struct yc_deal *dl, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left, n;

    memset(dl, 0, sizeof *dl);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__opt_fixed(&d, &left, "assessment", &dl->has_assessment, dl->assessment, YC_HASH_LEN,
                      YC_EBADFIELD));
    TRY(yc__req_fixed(&d, &left, "asset", dl->asset, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_fixed(&d, &left, "bid", dl->bid, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_fixed(&d, &left, "buyer", dl->buyer, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(req_bool(&d, &left, "cross_border", &dl->cross_border));
    TRY(yc__opt_text(&d, &left, "destination", &dl->destination, YC_CODE_MAX));
    TRY(yc__opt_fixed(&d, &left, "exchange", &dl->has_exchange, dl->exchange, YC_PUBKEY_LEN,
                      YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "fee", &dl->fee));
    TRY(yc__req_u64(&d, &left, "height", &dl->height));
    TRY(yc__req_u64(&d, &left, "index", &dl->index));
    TRY(yc__opt_fixed(&d, &left, "license", &dl->has_license, dl->license, YC_HASH_LEN,
                      YC_EBADFIELD));
    TRY(yc__req_fixed(&d, &left, "listing", dl->listing, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_text(&d, &left, "offer", &dl->offer, 1, YC_CODE_MAX));
    TRY(yc__field_req(&d, &left, "payouts"));
    TRY(yc_dec_array(&d, &n));
    if (n > YC_PAYOUTS_MAX) {
        return YC_ECORRUPT;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t two;
        TRY(yc_dec_array(&d, &two));
        if (two != 2) {
            return YC_ECORRUPT;
        }
        TRY(yc__dec_fixed(&d, dl->payouts[i].pub, YC_PUBKEY_LEN, YC_EBADFIELD));
        TRY(yc_dec_uint(&d, &dl->payouts[i].amount));
    }
    dl->npayouts = n;
    TRY(yc__req_u64(&d, &left, "policy_version", &dl->policy_version));
    TRY(yc__req_u64(&d, &left, "price", &dl->price));
    TRY(yc__req_text(&d, &left, "sector", &dl->sector, 1, YC_CODE_MAX));
    TRY(yc__req_fixed(&d, &left, "seller", dl->seller, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "time", &dl->time_ms));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

/* ---- price point ---- */

int yc_price_encode(const struct yc_price_point *pp, struct yc_buf *out)
{
    struct yc_enc e;

    yc_enc_init(&e, out);
    yc_enc_map(&e, 9);
    yc__put_u64(&e, "count", pp->count);
    yc__put_u64(&e, "high", pp->high);
    yc__put_u64(&e, "last_height", pp->last_height);
    yc__put_bin(&e, "last_tx", pp->last_tx, YC_HASH_LEN);
    yc__put_u64(&e, "low", pp->low);
    yc__put_u64(&e, "period", pp->period);
    yc__put_slice(&e, "sector", &pp->sector);
    yc__put_u64(&e, "volume", pp->volume);
    yc__put_u64(&e, "vwap", pp->vwap);
    return yc_enc_finish(&e);
}

int yc_price_decode(struct yc_price_point *pp, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(pp, 0, sizeof *pp);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__req_u64(&d, &left, "count", &pp->count));
    TRY(yc__req_u64(&d, &left, "high", &pp->high));
    TRY(yc__req_u64(&d, &left, "last_height", &pp->last_height));
    TRY(yc__req_fixed(&d, &left, "last_tx", pp->last_tx, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "low", &pp->low));
    TRY(yc__req_u64(&d, &left, "period", &pp->period));
    TRY(yc__req_text(&d, &left, "sector", &pp->sector, 1, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "volume", &pp->volume));
    TRY(yc__req_u64(&d, &left, "vwap", &pp->vwap));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

/* ---- pledge ---- */

int yc_pledge_encode(const struct yc_pledge *pl, struct yc_buf *out)
{
    struct yc_enc e;

    yc_enc_init(&e, out);
    yc_enc_map(&e, 9);
    yc__put_u64(&e, "amount", pl->amount);
    yc__put_bin(&e, "asset", pl->asset, YC_HASH_LEN);
    yc__put_u64(&e, "closed_at", pl->closed_at);
    yc__put_u64(&e, "created_at", pl->created_at);
    yc__put_u64(&e, "due", pl->due);
    yc__put_bin(&e, "pledgee", pl->pledgee, YC_PUBKEY_LEN);
    yc__put_bin(&e, "pledgor", pl->pledgor, YC_PUBKEY_LEN);
    yc__put_slice(&e, "status", &pl->status);
    yc__put_u64(&e, "time", pl->time_ms);
    return yc_enc_finish(&e);
}

int yc_pledge_decode(struct yc_pledge *pl, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(pl, 0, sizeof *pl);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__req_u64(&d, &left, "amount", &pl->amount));
    TRY(yc__req_fixed(&d, &left, "asset", pl->asset, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "closed_at", &pl->closed_at));
    TRY(yc__req_u64(&d, &left, "created_at", &pl->created_at));
    TRY(yc__req_u64(&d, &left, "due", &pl->due));
    TRY(yc__req_fixed(&d, &left, "pledgee", pl->pledgee, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_fixed(&d, &left, "pledgor", pl->pledgor, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_text(&d, &left, "status", &pl->status, 1, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "time", &pl->time_ms));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

/* ---- policy ---- */

int yc_policy_encode(const struct yc_policy *pol, struct yc_buf *out)
{
    struct yc_enc e;

    if (pol->nalert_accounts > YC_POLICY_ACCOUNTS_MAX ||
        pol->nbanned_accounts > YC_POLICY_ACCOUNTS_MAX || pol->categories.n > YC_POLICY_CODES_MAX ||
        pol->purposes.n > YC_POLICY_CODES_MAX) {
        return YC_EINVAL;
    }
    yc_enc_init(&e, out);
    yc_enc_map(&e, 11u + (pol->categories.n > 0 ? 1u : 0u) + (pol->purposes.n > 0 ? 1u : 0u));
    put_pubs(&e, "alert_accounts", (const uint8_t(*)[YC_PUBKEY_LEN])pol->alert_accounts,
             pol->nalert_accounts);
    yc__put_u64(&e, "alert_amount", pol->alert_amount);
    yc_enc_cstr(&e, "alert_cross_border");
    yc_enc_bool(&e, pol->alert_cross_border);
    yc_enc_cstr(&e, "alert_important");
    yc_enc_bool(&e, pol->alert_important);
    put_pubs(&e, "banned_accounts", (const uint8_t(*)[YC_PUBKEY_LEN])pol->banned_accounts,
             pol->nbanned_accounts);
    yc__put_list(&e, "banned_catalog_prefixes", &pol->banned_catalog_prefixes);
    yc__put_list(&e, "banned_categories", &pol->banned_categories);
    yc__put_list(&e, "banned_jurisdictions", &pol->banned_jurisdictions);
    if (pol->categories.n > 0) {
        put_adds(&e, "categories", &pol->categories);
    }
    yc__put_u64(&e, "height", pol->height);
    if (pol->purposes.n > 0) {
        put_adds(&e, "purposes", &pol->purposes);
    }
    yc__put_bin(&e, "regulator", pol->regulator, YC_PUBKEY_LEN);
    yc__put_u64(&e, "version", pol->version);
    return yc_enc_finish(&e);
}

int yc_policy_decode(struct yc_policy *pol, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(pol, 0, sizeof *pol);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(req_pubs(&d, &left, "alert_accounts", pol->alert_accounts, &pol->nalert_accounts));
    TRY(yc__req_u64(&d, &left, "alert_amount", &pol->alert_amount));
    TRY(req_bool(&d, &left, "alert_cross_border", &pol->alert_cross_border));
    TRY(req_bool(&d, &left, "alert_important", &pol->alert_important));
    TRY(req_pubs(&d, &left, "banned_accounts", pol->banned_accounts, &pol->nbanned_accounts));
    TRY(yc__req_list(&d, &left, "banned_catalog_prefixes", &pol->banned_catalog_prefixes,
                     YC_CODE_MAX));
    TRY(yc__req_list(&d, &left, "banned_categories", &pol->banned_categories, YC_CODE_MAX));
    TRY(yc__req_list(&d, &left, "banned_jurisdictions", &pol->banned_jurisdictions, YC_CODE_MAX));
    TRY(opt_adds(&d, &left, "categories", &pol->categories));
    TRY(yc__req_u64(&d, &left, "height", &pol->height));
    TRY(opt_adds(&d, &left, "purposes", &pol->purposes));
    TRY(yc__req_fixed(&d, &left, "regulator", pol->regulator, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "version", &pol->version));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

/* ---- export assessment ---- */

int yc_assessment_encode(const struct yc_assessment *a, struct yc_buf *out)
{
    struct yc_enc e;

    yc_enc_init(&e, out);
    yc_enc_map(&e, 8);
    yc__put_bin(&e, "asset", a->asset, YC_HASH_LEN);
    yc__put_slice(&e, "destination", &a->destination);
    yc__put_u64(&e, "height", a->height);
    yc__put_slice(&e, "outcome", &a->outcome);
    yc__put_bin(&e, "regulator", a->regulator, YC_PUBKEY_LEN);
    yc__put_bin(&e, "report", a->report, YC_HASH_LEN);
    yc__put_u64(&e, "time", a->time_ms);
    yc__put_u64(&e, "until", a->until);
    return yc_enc_finish(&e);
}

int yc_assessment_decode(struct yc_assessment *a, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(a, 0, sizeof *a);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__req_fixed(&d, &left, "asset", a->asset, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_text(&d, &left, "destination", &a->destination, 1, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "height", &a->height));
    TRY(yc__req_text(&d, &left, "outcome", &a->outcome, 1, YC_CODE_MAX));
    TRY(yc__req_fixed(&d, &left, "regulator", a->regulator, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_fixed(&d, &left, "report", a->report, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "time", &a->time_ms));
    TRY(yc__req_u64(&d, &left, "until", &a->until));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

/* ---- credit ---- */

int yc_credit_encode(const struct yc_credit *c, struct yc_buf *out)
{
    struct yc_enc e;
    bool note = c->note.len > 0;

    yc_enc_init(&e, out);
    yc_enc_map(&e, 9u + (note ? 1u : 0u) + (c->has_objection ? 2u : 0u));
    yc__put_bin(&e, "account", c->account, YC_PUBKEY_LEN);
    yc__put_bin(&e, "evidence", c->evidence, YC_HASH_LEN);
    yc__put_u64(&e, "height", c->height);
    if (note) {
        yc__put_slice(&e, "note", &c->note);
    }
    if (c->has_objection) {
        yc__put_bin(&e, "objection_evidence", c->objection_evidence, YC_HASH_LEN);
        yc__put_slice(&e, "objection_reason", &c->objection_reason);
    }
    yc__put_slice(&e, "reason", &c->reason);
    yc__put_bin(&e, "regulator", c->regulator, YC_PUBKEY_LEN);
    yc__put_u64(&e, "resolved_at", c->resolved_at);
    yc__put_slice(&e, "severity", &c->severity);
    yc__put_slice(&e, "status", &c->status);
    yc__put_u64(&e, "time", c->time_ms);
    return yc_enc_finish(&e);
}

int yc_credit_decode(struct yc_credit *c, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(c, 0, sizeof *c);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__req_fixed(&d, &left, "account", c->account, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_fixed(&d, &left, "evidence", c->evidence, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "height", &c->height));
    TRY(yc__opt_text(&d, &left, "note", &c->note, YC_NAME_MAX));
    TRY(yc__opt_fixed(&d, &left, "objection_evidence", &c->has_objection, c->objection_evidence,
                      YC_HASH_LEN, YC_EBADFIELD));
    if (c->has_objection) {
        TRY(yc__req_text(&d, &left, "objection_reason", &c->objection_reason, 1, YC_CODE_MAX));
    }
    TRY(yc__req_text(&d, &left, "reason", &c->reason, 1, YC_CODE_MAX));
    TRY(yc__req_fixed(&d, &left, "regulator", c->regulator, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "resolved_at", &c->resolved_at));
    TRY(yc__req_text(&d, &left, "severity", &c->severity, 1, YC_CODE_MAX));
    TRY(yc__req_text(&d, &left, "status", &c->status, 1, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "time", &c->time_ms));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

int yc_credit_state_encode(const struct yc_credit_state *s, struct yc_buf *out)
{
    struct yc_enc e;

    yc_enc_init(&e, out);
    yc_enc_map(&e, 3);
    yc__put_u64(&e, "frozen", s->frozen);
    yc__put_u64(&e, "restricted", s->restricted);
    yc__put_u64(&e, "warning", s->warning);
    return yc_enc_finish(&e);
}

int yc_credit_state_decode(struct yc_credit_state *s, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(s, 0, sizeof *s);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__req_u64(&d, &left, "frozen", &s->frozen));
    TRY(yc__req_u64(&d, &left, "restricted", &s->restricted));
    TRY(yc__req_u64(&d, &left, "warning", &s->warning));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

/* ---- alert ---- */

int yc_alert_encode(const struct yc_alert *a, struct yc_buf *out)
{
    struct yc_enc e;

    yc_enc_init(&e, out);
    yc_enc_map(&e, 8u + (a->has_account ? 1u : 0u) + (a->has_asset ? 1u : 0u));
    if (a->has_account) {
        yc__put_bin(&e, "account", a->account, YC_PUBKEY_LEN);
    }
    yc__put_u64(&e, "amount", a->amount);
    if (a->has_asset) {
        yc__put_bin(&e, "asset", a->asset, YC_HASH_LEN);
    }
    yc__put_u64(&e, "height", a->height);
    yc__put_u64(&e, "index", a->index);
    yc__put_slice(&e, "kind", &a->kind);
    yc__put_u64(&e, "policy_version", a->policy_version);
    yc__put_u64(&e, "time", a->time_ms);
    yc__put_bin(&e, "tx", a->tx, YC_HASH_LEN);
    yc__put_slice(&e, "type", &a->type);
    return yc_enc_finish(&e);
}

int yc_alert_decode(struct yc_alert *a, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(a, 0, sizeof *a);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__opt_fixed(&d, &left, "account", &a->has_account, a->account, YC_PUBKEY_LEN,
                      YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "amount", &a->amount));
    TRY(yc__opt_fixed(&d, &left, "asset", &a->has_asset, a->asset, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "height", &a->height));
    TRY(yc__req_u64(&d, &left, "index", &a->index));
    TRY(yc__req_text(&d, &left, "kind", &a->kind, 1, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "policy_version", &a->policy_version));
    TRY(yc__req_u64(&d, &left, "time", &a->time_ms));
    TRY(yc__req_fixed(&d, &left, "tx", a->tx, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_text(&d, &left, "type", &a->type, 1, YC_CODE_MAX));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

/* ---- supply ---- */

int yc_supply_encode(const struct yc_supply *s, struct yc_buf *out)
{
    struct yc_enc e;

    yc_enc_init(&e, out);
    yc_enc_map(&e, 2);
    yc__put_u64(&e, "issued", s->issued);
    yc__put_u64(&e, "redeemed", s->redeemed);
    return yc_enc_finish(&e);
}

int yc_supply_decode(struct yc_supply *s, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(s, 0, sizeof *s);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__req_u64(&d, &left, "issued", &s->issued));
    TRY(yc__req_u64(&d, &left, "redeemed", &s->redeemed));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}
