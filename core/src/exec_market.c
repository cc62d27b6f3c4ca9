/*
 * exec_market.c — the data market (DESIGN.md §5, market; docs/domain.md): market.list,
 * market.appraise, market.bid, market.accept (atomic settlement) and market.cancel.
 *
 * Invariants kept here:
 *   - money is conserved: a bid moves its price from the bidder's balance into the bid's
 *     escrow; acceptance moves it out to the exchange (fee), the asset's contributors
 *     (by share) and the seller (the remainder); cancellation, release and refusal move
 *     it back. Σ balances + Σ open escrow changes only by token.issue / token.redeem;
 *   - a listing keeps the ids of its open bids (at most YC_LISTING_BIDS_MAX), so closing
 *     it releases every one of them without scanning state;
 *   - every rule that applies when a deal is offered applies again when it settles
 *     (holder, grade, pledge, frozen, negative list, border), under the state of that
 *     moment: a bid placed under an old policy cannot settle under a new one it breaks;
 *   - the price index (price_index/<sector>/<period>) counts exactly the settled deals.
 */
#include <string.h>

#include "exec_words.h"
#include "ledger_int.h"
#include "yc/timefmt.h"
#include "yc/market.h"

static int dec_listing(void *o, const uint8_t *p, size_t n)
{
    return yc_listing_decode(o, p, n);
}
static int enc_listing(const void *o, struct yc_buf *b)
{
    return yc_listing_encode(o, b);
}
static int dec_bid(void *o, const uint8_t *p, size_t n)
{
    return yc_bid_decode(o, p, n);
}
static int enc_bid(const void *o, struct yc_buf *b)
{
    return yc_bid_encode(o, b);
}
static int enc_appraisal(const void *o, struct yc_buf *b)
{
    return yc_appraisal_encode(o, b);
}
static int enc_deal(const void *o, struct yc_buf *b)
{
    return yc_deal_encode(o, b);
}
static int dec_price(void *o, const uint8_t *p, size_t n)
{
    return yc_price_decode(o, p, n);
}
static int enc_price(const void *o, struct yc_buf *b)
{
    return yc_price_encode(o, b);
}

/* The right an offer moves, or that a license offer is granted under. */
static enum yc_right offer_right(const struct yc_slice *offer, const struct yc_asset *a)
{
    if (yc__slice_eq(offer, "hold")) {
        return YC_RIGHT_HOLD;
    }
    if (yc__slice_eq(offer, "operate")) {
        return YC_RIGHT_OPERATE;
    }
    /* a license of raw data is granted under process, of a product under operate */
    return a->nparents > 0 ? YC_RIGHT_OPERATE : YC_RIGHT_PROCESS;
}

static bool is_license(const struct yc_slice *offer)
{
    return yc__slice_eq(offer, "license");
}

/* amount * bps / 10000, floored, without overflow (bps <= 10000). */
static uint64_t bps_of(uint64_t amount, uint64_t bps)
{
    return (amount / YC_SHARES_TOTAL) * bps + (amount % YC_SHARES_TOTAL) * bps / YC_SHARES_TOTAL;
}

static int listing_load(yc_overlay *o, const uint8_t id[YC_HASH_LEN], struct yc_listing *l)
{
    uint8_t key[YC_KEY_MAX];
    int rc = yc__obj_get(o, key, yc_key_listing(key, id), dec_listing, l);
    return rc == YC_ENOTFOUND ? YC_EUNKNOWNOBJ : rc;
}

/* Words for a missing object of kind `what` (listing, bid) named by field. */
static int refuse_missing(const struct yc__env *e, int rc, const char *field,
                          const uint8_t id[YC_HASH_LEN])
{
    char h[YC__HEX_MAX];

    if (rc != YC_EUNKNOWNOBJ) {
        return rc;
    }
    yc__hex(h, id, YC_HASH_LEN);
    return yc__refuse(e, rc, "%s: no such %s %s", field, field, h);
}

static int refuse_closed(const struct yc__env *e, const char *what, const uint8_t id[YC_HASH_LEN],
                         const struct yc_slice *status, uint64_t at)
{
    char h[YC__HEX_MAX];

    yc__hex(h, id, YC_HASH_LEN);
    return yc__refuse(e, YC_ECLOSED, "%s %s: already %.*s at height %llu", what, h,
                      (int)status->len, status->p, (unsigned long long)at);
}

static int listing_store(yc_overlay *o, const uint8_t id[YC_HASH_LEN], const struct yc_listing *l)
{
    uint8_t key[YC_KEY_MAX];
    return yc__obj_put(o, key, yc_key_listing(key, id), l, enc_listing);
}

static int bid_load(yc_overlay *o, const uint8_t id[YC_HASH_LEN], struct yc_bid *b)
{
    uint8_t key[YC_KEY_MAX];
    int rc = yc__obj_get(o, key, yc_key_bid(key, id), dec_bid, b);
    return rc == YC_ENOTFOUND ? YC_EUNKNOWNOBJ : rc;
}

static int bid_store(yc_overlay *o, const uint8_t id[YC_HASH_LEN], const struct yc_bid *b)
{
    uint8_t key[YC_KEY_MAX];
    return yc__obj_put(o, key, yc_key_bid(key, id), b, enc_bid);
}

/* Closes open bid `id` with `status`, paying its escrow back to the bidder. */
static int bid_release(const struct yc__env *e, const uint8_t id[YC_HASH_LEN], const char *status)
{
    struct yc_bid b;
    int rc = bid_load(e->o, id, &b);

    if (rc != YC_OK) {
        return rc == YC_EUNKNOWNOBJ ? YC_ECORRUPT : rc;
    }
    if (b.closed_at != 0) {
        return YC_ECORRUPT; /* a listing names only open bids */
    }
    uint64_t refund = b.escrow;
    uint8_t bidder[YC_PUBKEY_LEN];
    memcpy(bidder, b.bidder, YC_PUBKEY_LEN);
    b.escrow = 0;
    b.closed_at = e->ctx->height;
    b.status = (struct yc_slice){status, strlen(status)};
    rc = bid_store(e->o, id, &b);
    if (rc == YC_OK && refund > 0) {
        rc = yc__acct_credit(e->o, bidder, refund);
    }
    return rc;
}

/* Closes listing `id` (loaded into *l) with `status`: releases every open bid except
 * `keep` (NULL: none), clears the bid list and the open index. The caller stores *l. */
static int listing_close(const struct yc__env *e, const uint8_t id[YC_HASH_LEN],
                         struct yc_listing *l, const char *status, const uint8_t *keep)
{
    uint8_t key[YC_KEY_MAX];
    int rc = YC_OK;

    for (uint32_t i = 0; i < l->nbids && rc == YC_OK; i++) {
        if (keep == NULL || memcmp(l->bids[i], keep, YC_HASH_LEN) != 0) {
            rc = bid_release(e, l->bids[i], "released");
        }
    }
    if (rc != YC_OK) {
        return rc;
    }
    l->nbids = 0;
    l->closed_at = e->ctx->height;
    l->status = (struct yc_slice){status, strlen(status)};
    size_t klen = yc_key_idx_listing_open(key);
    memcpy(key + klen, id, YC_HASH_LEN);
    return yc_overlay_del(e->o, key, klen + YC_HASH_LEN);
}

/* The license terms of a listing: present exactly for license offers, and valid. */
static int check_terms(const struct yc__env *e, const struct yc_body_market_list *b,
                       enum yc_grade g)
{
    struct yc_slice exp = {"export", 6};
    bool lic = is_license(&b->offer);
    bool any = b->has_operations || b->has_purposes || b->visibility.len > 0 || b->until != 0 ||
               b->fee != 0 || b->max_uses != 0;

    int rc;

    if (!lic) {
        return any ? yc__refuse(e, YC_EBADFIELD,
                                "offer: operations, purposes, visibility, until, fee and "
                                "max_uses are terms of a license offer only")
                   : YC_OK;
    }
    bool invisible = yc__slice_eq(&b->visibility, "invisible");
    if (!b->has_operations || !b->has_purposes) {
        return yc__refuse(e, YC_EBADFIELD, "%s: a license offer names its %s",
                          b->has_operations ? "purposes" : "operations",
                          b->has_operations ? "purposes" : "operations");
    }
    if ((rc = yc__need_enum_set(e, "operations", YC_ENUM_LICENSE_OP, &b->operations)) != YC_OK ||
        (rc = yc__need_code_set(e, "purposes", &b->purposes, true)) != YC_OK ||
        (rc = yc__need_enum(e, "visibility", YC_ENUM_VISIBILITY, &b->visibility)) != YC_OK) {
        return rc;
    }
    if (yc__list_has(&b->operations, &exp)) {
        if (invisible) {
            return yc__refuse(e, YC_EBADFIELD,
                              "operations: 'export' with visibility invisible; an invisible "
                              "license is usable but never exported");
        }
        if (g == YC_GRADE_CORE) {
            return yc__refuse(e, YC_ECOREDATA,
                              "operations: 'export' of core data is never licensed");
        }
    }
    return b->until > e->ctx->time_ms ? YC_OK : yc__need_window(e, "until", 0, b->until);
}

/* ---- market.list ---- */

int yc__exec_market_list(const struct yc__env *e)
{
    const struct yc_body_market_list *b = &e->tx->b->market_list;
    uint8_t holder[YC_PUBKEY_LEN], key[YC_KEY_MAX];
    struct yc_asset a;
    struct yc_policy pol;
    int rc;

    if ((rc = yc__need_enum(e, "offer", YC_ENUM_OFFER, &b->offer)) != YC_OK) {
        return rc;
    }
    if (b->price == 0) {
        return yc__refuse(e, YC_EBADFIELD, "price: 0 fen; an ask is more than 0");
    }
    if ((rc = yc__need_code(e, "sector", &b->sector)) != YC_OK) {
        return rc;
    }
    rc = yc__load_asset(e, "asset", b->asset, &a);
    if (rc != YC_OK) {
        return rc;
    }
    enum yc_right r = offer_right(&b->offer, &a);
    enum yc_grade g = yc_grade_from_name(a.grade.p, a.grade.len);
    rc = yc__need_holder(e, b->asset, r, holder);
    if (rc != YC_OK) {
        return rc == YC_EUNKNOWNASSET ? YC_ECORRUPT : rc;
    }
    if ((rc = yc__need_tradable(e, b->asset, &a)) != YC_OK) {
        return rc;
    }
    if (g == YC_GRADE_CORE) {
        /* core data is never listed */
        return yc__refuse(e, YC_ECOREDATA, "asset: core data is never listed");
    }
    if ((r == YC_RIGHT_HOLD && (rc = yc__need_unpledged(e, b->asset)) != YC_OK) ||
        (rc = yc__need_active(e, "sender", e->tx->sender, NULL)) != YC_OK ||
        (rc = check_terms(e, b, g)) != YC_OK || (rc = yc__policy_load(e->o, &pol)) != YC_OK) {
        return rc;
    }
    const uint8_t *parties[1] = {e->tx->sender};
    rc = yc__neglist_why(e, &pol, &a, NULL, parties, 1, NULL);
    if (rc == YC_OK && b->has_purposes) {
        /* the chain's purposes (after every other rule) */
        rc = yc__need_known_set(e, YC_CODES_PURPOSE, "purposes", &b->purposes);
    }
    if (rc != YC_OK) {
        return rc;
    }
    struct yc_listing l = {
        .fee = b->fee,
        .listed_at = e->ctx->height,
        .max_uses = b->max_uses,
        .offer = b->offer,
        .operations = b->operations,
        .price = b->price,
        .purposes = b->purposes,
        .sector = b->sector,
        .status = {"open", 4},
        .time_ms = e->ctx->time_ms,
        .until = b->until,
        .visibility = b->visibility,
    };
    memcpy(l.asset, b->asset, YC_HASH_LEN);
    memcpy(l.seller, e->tx->sender, YC_PUBKEY_LEN);
    rc = listing_store(e->o, e->tx->id, &l);
    if (rc == YC_OK) {
        size_t klen = yc_key_idx_listing_open(key);
        memcpy(key + klen, e->tx->id, YC_HASH_LEN);
        rc = yc__put_empty(e->o, key, klen + YC_HASH_LEN);
    }
    if (rc == YC_OK) {
        rc = yc__put_index(e->o, yc_key_idx_listing_asset, b->asset, e->tx->id, YC_HASH_LEN);
    }
    return rc;
}

/* ---- market.appraise ---- */

int yc__check_appraiser(const struct yc__env *e)
{
    return e->role == YC_ROLE_APPRAISER ? YC_OK : yc__refuse_role(e, "only an appraiser appraises");
}

int yc__exec_market_appraise(const struct yc__env *e)
{
    const struct yc_body_market_appraise *b = &e->tx->b->market_appraise;
    uint8_t key[YC_KEY_MAX];
    struct yc_listing l;
    int rc;

    if ((rc = yc__need_code(e, "method", &b->method)) != YC_OK) {
        return rc;
    }
    if (b->value == 0) {
        return yc__refuse(e, YC_EBADFIELD, "value: 0 fen; an appraisal is more than 0");
    }
    rc = listing_load(e->o, b->listing, &l);
    if (rc != YC_OK) {
        return refuse_missing(e, rc, "listing", b->listing);
    }
    if (l.closed_at != 0) {
        return refuse_closed(e, "listing", b->listing, &l.status, l.closed_at);
    }
    if ((rc = yc__need_active(e, "sender", e->tx->sender, NULL)) != YC_OK) {
        return rc;
    }
    l.appraisals++;
    rc = listing_store(e->o, b->listing, &l);
    struct yc_appraisal ap = {
        .height = e->ctx->height,
        .method = b->method,
        .time_ms = e->ctx->time_ms,
        .value = b->value,
    };
    memcpy(ap.appraiser, e->tx->sender, YC_PUBKEY_LEN);
    memcpy(ap.listing, b->listing, YC_HASH_LEN);
    memcpy(ap.report, b->report, YC_HASH_LEN);
    if (rc == YC_OK) {
        rc = yc__obj_put(e->o, key, yc_key_appraisal(key, e->tx->id), &ap, enc_appraisal);
    }
    if (rc == YC_OK) {
        rc = yc__put_index(e->o, yc_key_idx_appraisal_listing, b->listing, e->tx->id, YC_HASH_LEN);
    }
    return rc;
}

/* ---- the rules a deal obeys, at bid and at settlement ---- */

struct deal_check {
    struct yc_asset a; /* slices borrow the overlay */
    enum yc_grade grade;
    struct yc_policy pol; /* slices borrow the overlay */
    struct yc__border border;
};

/*
 * The rules of listing l (id lid) selling to `buyer`: the asset is live and certified,
 * not core, the seller still holds the offered right (and, for `hold`, unpledged), seller
 * and buyer not frozen, the buyer of a fitting role, the negative list, and the border.
 */
static int deal_rules(const struct yc__env *e, const struct yc_listing *l,
                      const uint8_t buyer[YC_PUBKEY_LEN], struct deal_check *dc)
{
    uint8_t holder[YC_PUBKEY_LEN];
    enum yc_role brole;
    int rc = yc__asset_load(e->o, l->asset, &dc->a);

    if (rc != YC_OK) {
        return rc == YC_EUNKNOWNASSET ? YC_ECORRUPT : rc;
    }
    enum yc_right r = offer_right(&l->offer, &dc->a);
    dc->grade = yc_grade_from_name(dc->a.grade.p, dc->a.grade.len);
    if ((rc = yc__need_tradable(e, l->asset, &dc->a)) != YC_OK) {
        return rc;
    }
    if (dc->grade == YC_GRADE_CORE) {
        return yc__refuse(e, YC_ECOREDATA, "asset: core data is never traded");
    }
    rc = yc__right_holder(e->o, l->asset, r, holder);
    if (rc != YC_OK) {
        return rc == YC_EUNKNOWNASSET ? YC_ECORRUPT : rc;
    }
    if (memcmp(holder, l->seller, YC_PUBKEY_LEN) != 0) {
        /* the seller no longer holds what it offered */
        return yc__refuse(e, YC_ENOTAUTH, "listing: the seller no longer holds the %s right",
                          yc_right_name(r));
    }
    if ((r == YC_RIGHT_HOLD && (rc = yc__need_unpledged(e, l->asset)) != YC_OK) ||
        (rc = yc__need_active(e, "seller", l->seller, NULL)) != YC_OK ||
        (rc = yc__need_active(e, "buyer", buyer, &brole)) != YC_OK) {
        return rc;
    }
    if (is_license(&l->offer) ? !yc__role_may_license(brole) : !yc__role_may_hold(brole)) {
        return yc__refuse(e, YC_EBADROLE, "buyer: an account of role %s may not %s",
                          yc_role_name(brole),
                          is_license(&l->offer) ? "take a license" : "hold rights over an asset");
    }
    rc = yc__policy_load(e->o, &dc->pol);
    if (rc == YC_OK) {
        /* the jurisdictions first (no grade), so that a banned destination is named by
         * the negative list before the grade rules ask for an export approval */
        rc = yc__border_check(e, NULL, YC_GRADE_NONE, l->seller, buyer, &dc->border);
    }
    if (rc == YC_OK) {
        const uint8_t *parties[2] = {l->seller, buyer};
        struct yc_slice dest = {dc->border.dest, dc->border.dest_len};
        rc =
            yc__neglist_why(e, &dc->pol, &dc->a, NULL, parties, 2, dc->border.cross ? &dest : NULL);
    }
    if (rc == YC_OK) {
        rc = yc__border_check(e, l->asset, dc->grade, l->seller, buyer, &dc->border);
    }
    return rc;
}

/* ---- market.bid ---- */

int yc__exec_market_bid(const struct yc__env *e)
{
    const struct yc_body_market_bid *b = &e->tx->b->market_bid;
    struct yc_listing l;
    struct deal_check dc;
    int rc;

    if (b->price == 0) {
        return yc__refuse(e, YC_EBADFIELD, "price: 0 fen; a bid is more than 0");
    }
    rc = listing_load(e->o, b->listing, &l);
    if (rc != YC_OK) {
        return refuse_missing(e, rc, "listing", b->listing);
    }
    if (l.closed_at != 0) {
        return refuse_closed(e, "listing", b->listing, &l.status, l.closed_at);
    }
    if (memcmp(l.seller, e->tx->sender, YC_PUBKEY_LEN) == 0) {
        /* nobody bids on their own listing */
        return yc__refuse(e, YC_EBADFIELD, "listing: the sender's own listing");
    }
    if (b->expires <= e->ctx->time_ms) {
        return yc__need_window(e, "expires", 0, b->expires);
    }
    if (l.nbids >= YC_LISTING_BIDS_MAX) {
        return yc__refuse(e, YC_ETOOMANY, "listing: it has %d open bids, the most it holds",
                          YC_LISTING_BIDS_MAX);
    }
    rc = deal_rules(e, &l, e->tx->sender, &dc);
    if (rc != YC_OK) {
        return rc;
    }
    /* the price leaves the bidder's balance for the bid's escrow */
    rc = yc__debit(e, "price", e->tx->sender, b->price);
    if (rc != YC_OK) {
        return rc;
    }
    struct yc_bid bid = {
        .escrow = b->price,
        .expires = b->expires,
        .height = e->ctx->height,
        .price = b->price,
        .status = {"open", 4},
        .time_ms = e->ctx->time_ms,
    };
    memcpy(bid.bidder, e->tx->sender, YC_PUBKEY_LEN);
    memcpy(bid.listing, b->listing, YC_HASH_LEN);
    memcpy(l.bids[l.nbids++], e->tx->id, YC_HASH_LEN);
    rc = bid_store(e->o, e->tx->id, &bid);
    if (rc == YC_OK) {
        rc = listing_store(e->o, b->listing, &l);
    }
    if (rc == YC_OK) {
        rc = yc__put_index(e->o, yc_key_idx_bid_listing, b->listing, e->tx->id, YC_HASH_LEN);
    }
    return rc;
}

/* ---- market.accept ---- */

/* The first genesis account of role exchange: the fee's recipient, the same on every
 * node. YC_ECORRUPT if none (genesis validation guarantees one). */
static int exchange_account(const struct yc_genesis *g, uint8_t pub[YC_PUBKEY_LEN])
{
    for (uint32_t i = 0; i < g->naccounts; i++) {
        if (strcmp(g->accounts[i].role, "exchange") == 0) {
            memcpy(pub, g->accounts[i].pub, YC_PUBKEY_LEN);
            return YC_OK;
        }
    }
    return YC_ECORRUPT;
}

/* Pays price: the fee to the exchange, each contributor its share of the rest, the
 * remainder to the seller; fills the deal's payouts. */
static int settle_money(const struct yc__env *e, const struct yc_asset *a, uint64_t price,
                        struct yc_deal *d)
{
    uint64_t bps = e->ctx->g->params.exchange_fee_bps;
    uint64_t net, paid = 0;
    int rc = YC_OK;

    if (bps > YC_SHARES_TOTAL) {
        return YC_ECORRUPT;
    }
    d->fee = bps_of(price, bps);
    net = price - d->fee;
    if (d->fee > 0) {
        rc = exchange_account(e->ctx->g, d->exchange);
        if (rc == YC_OK) {
            d->has_exchange = true;
            rc = yc__acct_credit(e->o, d->exchange, d->fee);
        }
    }
    d->npayouts = 0;
    for (uint32_t i = 0; i < a->ncontributors && rc == YC_OK; i++) {
        uint64_t share = bps_of(net, a->contributors[i].bps);
        paid += share;
        struct yc_payout *p = &d->payouts[d->npayouts++];
        memcpy(p->pub, a->contributors[i].pub, YC_PUBKEY_LEN);
        p->amount = share;
        if (share > 0) {
            rc = yc__acct_credit(e->o, p->pub, share);
        }
    }
    if (rc != YC_OK) {
        return rc;
    }
    if (paid > net) {
        return YC_ECORRUPT; /* shares sum to 10 000 bps: floors never exceed the whole */
    }
    /* the rounding remainder goes to the holder who sold, always the same way */
    struct yc_payout *p = &d->payouts[d->npayouts++];
    memcpy(p->pub, d->seller, YC_PUBKEY_LEN);
    p->amount = net - paid;
    return p->amount > 0 ? yc__acct_credit(e->o, p->pub, p->amount) : YC_OK;
}

/* Adds the deal to its sector's index entry for the period of block time. */
static int index_deal(const struct yc__env *e, const struct yc_slice *sector, uint64_t price)
{
    uint64_t period = e->ctx->time_ms / YC_PRICE_PERIOD_MS * YC_PRICE_PERIOD_MS;
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_price(key, sector, true, period);
    struct yc_price_point pp;
    int rc = yc__obj_get(e->o, key, klen, dec_price, &pp);

    if (rc == YC_ENOTFOUND) {
        memset(&pp, 0, sizeof pp);
        pp.low = price;
        pp.period = period;
    } else if (rc != YC_OK) {
        return rc;
    }
    if (pp.volume > UINT64_MAX - price) {
        return YC_EOVERFLOW;
    }
    pp.sector = *sector;
    pp.count++;
    pp.volume += price;
    pp.high = price > pp.high ? price : pp.high;
    pp.low = price < pp.low ? price : pp.low;
    pp.vwap = pp.volume / pp.count;
    pp.last_height = e->ctx->height;
    memcpy(pp.last_tx, e->tx->id, YC_HASH_LEN);
    return yc__obj_put(e->o, key, klen, &pp, enc_price);
}

/* Issues the license a license offer sells; its id is the accepting tx's object 1. */
static int issue_license(const struct yc__env *e, const struct yc_listing *l,
                         const struct yc_asset *a, const uint8_t buyer[YC_PUBKEY_LEN],
                         uint8_t id[YC_HASH_LEN])
{
    enum yc_right r = offer_right(&l->offer, a);
    if (l->until <= e->ctx->time_ms) {
        /* the offered license would already have ended */
        return yc__need_window(e, "until", 0, l->until);
    }
    struct yc_license lic = {
        .fee = l->fee,
        .granted_at = e->ctx->height,
        .max_uses = l->max_uses,
        .not_before = e->ctx->time_ms,
        .operations = l->operations,
        .purposes = l->purposes,
        .right = {yc_right_name(r), strlen(yc_right_name(r))},
        .until = l->until,
        .visibility = l->visibility,
    };
    memcpy(lic.asset, l->asset, YC_HASH_LEN);
    memcpy(lic.licensee, buyer, YC_PUBKEY_LEN);
    memcpy(lic.licensor, l->seller, YC_PUBKEY_LEN);
    yc_hash_sub_id(id, e->tx->id, 1);
    return yc__license_put(e->o, id, &lic);
}

int yc__exec_market_accept(const struct yc__env *e)
{
    const uint8_t *bid_id = e->tx->b->market_accept.bid;
    struct yc_bid bid;
    struct yc_listing l;
    struct deal_check dc;
    uint8_t key[YC_KEY_MAX], lid[YC_HASH_LEN];
    int rc = bid_load(e->o, bid_id, &bid);

    if (rc != YC_OK) {
        return refuse_missing(e, rc, "bid", bid_id);
    }
    memcpy(lid, bid.listing, YC_HASH_LEN);
    rc = listing_load(e->o, lid, &l);
    if (rc != YC_OK) {
        return rc == YC_EUNKNOWNOBJ ? YC_ECORRUPT : rc;
    }
    if (memcmp(l.seller, e->tx->sender, YC_PUBKEY_LEN) != 0) {
        return yc__refuse(e, YC_ENOTAUTH, "bid: only the seller of its listing accepts it");
    }
    if (l.closed_at != 0) {
        return refuse_closed(e, "listing", lid, &l.status, l.closed_at);
    }
    if (bid.closed_at != 0) {
        return refuse_closed(e, "bid", bid_id, &bid.status, bid.closed_at);
    }
    if (e->ctx->time_ms >= bid.expires) {
        char t1[32], t2[32];
        yc_time_rfc3339(t1, bid.expires);
        yc_time_rfc3339(t2, e->ctx->time_ms);
        return yc__refuse(e, YC_EEXPIRED, "bid: expired at %s (block time %s)", t1, t2);
    }
    rc = deal_rules(e, &l, bid.bidder, &dc);
    if (rc != YC_OK) {
        return rc;
    }
    struct yc_deal d = {
        .has_assessment = dc.border.has_assessment,
        .cross_border = dc.border.cross,
        .destination = {dc.border.dest, dc.border.dest_len},
        .height = e->ctx->height,
        .index = e->index,
        .offer = l.offer,
        .policy_version = dc.pol.version,
        .price = bid.price,
        .sector = l.sector,
        .time_ms = e->ctx->time_ms,
    };
    memcpy(d.assessment, dc.border.assessment, YC_HASH_LEN);
    memcpy(d.asset, l.asset, YC_HASH_LEN);
    memcpy(d.bid, bid_id, YC_HASH_LEN);
    memcpy(d.buyer, bid.bidder, YC_PUBKEY_LEN);
    memcpy(d.listing, lid, YC_HASH_LEN);
    memcpy(d.seller, l.seller, YC_PUBKEY_LEN);
    /* the escrow leaves the bid; everything else on the listing is released */
    uint64_t price = bid.escrow;
    if (price != bid.price) {
        return YC_ECORRUPT;
    }
    bid.escrow = 0;
    bid.closed_at = e->ctx->height;
    bid.status = (struct yc_slice){"accepted", 8};
    rc = bid_store(e->o, bid_id, &bid);
    if (rc == YC_OK) {
        rc = listing_close(e, lid, &l, "sold", bid_id);
    }
    if (rc == YC_OK) {
        rc = settle_money(e, &dc.a, price, &d);
    }
    if (rc == YC_OK && is_license(&l.offer)) {
        d.has_license = true;
        rc = issue_license(e, &l, &dc.a, d.buyer, d.license);
    } else if (rc == YC_OK) {
        enum yc_right r = offer_right(&l.offer, &dc.a);
        rc = yc__set_right(e->o, l.asset, r, l.seller, d.buyer, e->ctx->height);
    }
    if (rc == YC_OK) {
        rc = yc__obj_put(e->o, key, yc_key_deal(key, e->tx->id), &d, enc_deal);
    }
    if (rc == YC_OK) {
        size_t klen = yc_key_idx_deal_time(key);
        for (int i = 0; i < 8; i++) {
            key[klen++] = (uint8_t)(e->ctx->time_ms >> (8 * (7 - i)));
        }
        memcpy(key + klen, e->tx->id, YC_HASH_LEN);
        rc = yc__put_empty(e->o, key, klen + YC_HASH_LEN);
    }
    if (rc == YC_OK) {
        rc = yc__put_index(e->o, yc_key_idx_deal_asset, d.asset, e->tx->id, YC_HASH_LEN);
    }
    if (rc == YC_OK) {
        rc = index_deal(e, &d.sector, price);
    }
    if (rc == YC_OK) {
        rc = yc__alert_movement(e, &dc.pol, d.cross_border, dc.grade, d.asset, d.buyer, price);
    }
    if (rc == YC_OK) {
        /* last: d's offer and sector borrow the listing's stored value */
        l.has_deal = true;
        memcpy(l.deal, e->tx->id, YC_HASH_LEN);
        rc = listing_store(e->o, lid, &l);
    }
    return rc;
}

/* ---- market.cancel ---- */

int yc__exec_market_cancel(const struct yc__env *e)
{
    const struct yc_body_market_cancel *b = &e->tx->b->market_cancel;
    struct yc_listing l;
    struct yc_bid bid;
    int rc;

    if (b->has_listing) {
        rc = listing_load(e->o, b->listing, &l);
        if (rc != YC_OK) {
            return refuse_missing(e, rc, "listing", b->listing);
        }
        if (memcmp(l.seller, e->tx->sender, YC_PUBKEY_LEN) != 0) {
            return yc__refuse(e, YC_ENOTAUTH, "listing: only its seller cancels it");
        }
        if (l.closed_at != 0) {
            return refuse_closed(e, "listing", b->listing, &l.status, l.closed_at);
        }
        rc = listing_close(e, b->listing, &l, "cancelled", NULL);
        return rc == YC_OK ? listing_store(e->o, b->listing, &l) : rc;
    }
    rc = bid_load(e->o, b->bid, &bid);
    if (rc != YC_OK) {
        return refuse_missing(e, rc, "bid", b->bid);
    }
    if (memcmp(bid.bidder, e->tx->sender, YC_PUBKEY_LEN) != 0) {
        return yc__refuse(e, YC_ENOTAUTH, "bid: only its bidder cancels it");
    }
    if (bid.closed_at != 0) {
        return refuse_closed(e, "bid", b->bid, &bid.status, bid.closed_at);
    }
    uint8_t lid[YC_HASH_LEN];
    memcpy(lid, bid.listing, YC_HASH_LEN);
    rc = listing_load(e->o, lid, &l);
    if (rc != YC_OK) {
        return rc == YC_EUNKNOWNOBJ ? YC_ECORRUPT : rc;
    }
    /* out of the listing's open bids, keeping the others in order */
    uint32_t k = 0;
    for (uint32_t i = 0; i < l.nbids; i++) {
        if (memcmp(l.bids[i], b->bid, YC_HASH_LEN) != 0) {
            memmove(l.bids[k++], l.bids[i], YC_HASH_LEN);
        }
    }
    if (k + 1 != l.nbids) {
        return YC_ECORRUPT;
    }
    l.nbids = k;
    rc = listing_store(e->o, lid, &l);
    return rc == YC_OK ? bid_release(e, b->bid, "cancelled") : rc;
}
