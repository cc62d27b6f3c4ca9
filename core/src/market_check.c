/*
 * market_check.c — yc_market_check (market.h): the whole-state consistency of the
 * market and supervision rules, re-derived from the objects themselves, for
 * `yuchain-audit violations`.
 *
 * The transaction rules are enforced once, by execution (and re-run by the audit's
 * replay); this file checks what no single transaction can see: sums over all accounts
 * and escrows, the price index against the deals it summarises, markers against the
 * objects they point to, counters against the records they count. It reads committed
 * state through a yc_state_src with scan, copying each prefix first so that no read
 * happens inside a scan.
 */
#include <stdlib.h>
#include <string.h>

#include "ledger_int.h"
#include "yc/alloc.h"
#include "yc/market.h"

/* ---- collected prefixes ---- */

struct kv {
    uint8_t *key;
    size_t klen;
    uint8_t *val;
    size_t vlen;
};

struct kvs {
    struct kv *items;
    size_t n, cap;
    int err;
};

static int collect_cb(void *vctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct kvs *s = vctx;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        struct kv *n = yc_realloc(s->items, cap * sizeof *n);
        if (n == NULL) {
            return YC_ENOMEM;
        }
        s->items = n;
        s->cap = cap;
    }
    struct kv *it = &s->items[s->n];
    it->key = yc_memdup(key, klen);
    it->val = vlen > 0 ? yc_memdup(val, vlen) : NULL;
    if (it->key == NULL || (vlen > 0 && it->val == NULL)) {
        yc_free(it->key);
        yc_free(it->val);
        return YC_ENOMEM;
    }
    it->klen = klen;
    it->vlen = vlen;
    s->n++;
    return 0;
}

static void kvs_free(struct kvs *s)
{
    for (size_t i = 0; i < s->n; i++) {
        yc_free(s->items[i].key);
        yc_free(s->items[i].val);
    }
    yc_free(s->items);
    memset(s, 0, sizeof *s);
}

static int collect(const struct yc_state_src *src, const char *prefix, struct kvs *out)
{
    uint8_t p[YC_KEY_MAX];
    size_t plen = yc_key_prefix(p, prefix);
    memset(out, 0, sizeof *out);
    int rc = src->scan(src->ctx, p, plen, collect_cb, out);
    if (rc != YC_OK) {
        kvs_free(out);
    }
    return rc;
}

/* The id at the end of an object key "<prefix><id32>". */
static const uint8_t *key_id(const struct kv *it)
{
    return it->klen >= YC_HASH_LEN ? it->key + it->klen - YC_HASH_LEN : NULL;
}

/* Reads key into *val (yc_malloc'ed): YC_OK, YC_ENOTFOUND, or the source's error. */
static int get(const struct yc_state_src *src, const uint8_t *key, size_t klen, uint8_t **val,
               size_t *vlen)
{
    *val = NULL;
    *vlen = 0;
    return src->get(src->ctx, key, klen, val, vlen);
}

/* ---- context ---- */

struct chk {
    const struct yc_state_src *src;
    const struct yc_genesis *g;
    yc_breach_cb breach;
    void *ctx;
    uint64_t checked;
};

static int report(struct chk *c, const char *rule, const uint8_t *id, const char *detail)
{
    int rc = c->breach(c->ctx, rule, id, detail);
    return rc < 0 ? rc : YC_OK;
}

/* Loads and decodes an object; missing → YC_ENOTFOUND. *buf owns the bytes. */
static int load(struct chk *c, const uint8_t *key, size_t klen, uint8_t **buf,
                int (*dec)(void *, const uint8_t *, size_t), void *obj)
{
    size_t vlen;
    int rc = get(c->src, key, klen, buf, &vlen);
    if (rc == YC_OK && dec(obj, *buf, vlen) != YC_OK) {
        rc = YC_ECORRUPT;
    }
    if (rc != YC_OK) {
        yc_free(*buf);
        *buf = NULL;
    }
    return rc;
}

static int dec_asset(void *o, const uint8_t *p, size_t n)
{
    return yc_asset_decode(o, p, n);
}
static int dec_listing(void *o, const uint8_t *p, size_t n)
{
    return yc_listing_decode(o, p, n);
}
static int dec_bid(void *o, const uint8_t *p, size_t n)
{
    return yc_bid_decode(o, p, n);
}
static int dec_assessment(void *o, const uint8_t *p, size_t n)
{
    return yc_assessment_decode(o, p, n);
}
static int dec_policy(void *o, const uint8_t *p, size_t n)
{
    return yc_policy_decode(o, p, n);
}
static int dec_pledge(void *o, const uint8_t *p, size_t n)
{
    return yc_pledge_decode(o, p, n);
}
static int dec_right(void *o, const uint8_t *p, size_t n)
{
    return yc_right_decode(o, p, n);
}
static int dec_supply(void *o, const uint8_t *p, size_t n)
{
    return yc_supply_decode(o, p, n);
}
static int dec_account(void *o, const uint8_t *p, size_t n)
{
    return yc_account_decode(o, p, n);
}
static int dec_cstate(void *o, const uint8_t *p, size_t n)
{
    return yc_credit_state_decode(o, p, n);
}

/* The grade of asset id: YC_OK with *g, YC_ENOTFOUND, or an error. */
static int asset_grade(struct chk *c, const uint8_t id[YC_HASH_LEN], enum yc_grade *g)
{
    uint8_t key[YC_KEY_MAX], *buf;
    struct yc_asset a;
    int rc = load(c, key, yc_key_asset(key, id), &buf, dec_asset, &a);
    if (rc == YC_OK) {
        *g = yc_grade_from_name(a.grade.p, a.grade.len);
        yc_free(buf);
    }
    return rc;
}

/* ---- money ---- */

static int check_money(struct chk *c)
{
    struct kvs accts, bids;
    uint64_t total = 0, expect = 0;
    bool overflow = false;
    int rc = collect(c->src, "account/", &accts);

    if (rc != YC_OK) {
        return rc;
    }
    for (size_t i = 0; i < accts.n; i++) {
        struct yc_account a;
        if (yc_account_decode(&a, accts.items[i].val, accts.items[i].vlen) != YC_OK) {
            kvs_free(&accts);
            return YC_ECORRUPT;
        }
        overflow = overflow || total > UINT64_MAX - a.balance;
        total += a.balance;
        c->checked++;
    }
    kvs_free(&accts);
    rc = collect(c->src, "bid/", &bids);
    if (rc != YC_OK) {
        return rc;
    }
    for (size_t i = 0; i < bids.n && rc == YC_OK; i++) {
        struct yc_bid b;
        const uint8_t *id = key_id(&bids.items[i]);
        if (yc_bid_decode(&b, bids.items[i].val, bids.items[i].vlen) != YC_OK) {
            rc = YC_ECORRUPT;
            break;
        }
        c->checked++;
        overflow = overflow || total > UINT64_MAX - b.escrow;
        total += b.escrow;
        if ((b.closed_at == 0 && b.escrow != b.price) || (b.closed_at != 0 && b.escrow != 0)) {
            rc = report(c, "escrow", id,
                        "an open bid must hold exactly its price, a closed one "
                        "nothing");
            continue;
        }
        if (b.closed_at != 0) {
            continue;
        }
        uint8_t key[YC_KEY_MAX], *buf;
        struct yc_listing l;
        rc = load(c, key, yc_key_listing(key, b.listing), &buf, dec_listing, &l);
        if (rc == YC_ENOTFOUND) {
            rc = report(c, "escrow", id, "an open bid names no listing");
            continue;
        }
        if (rc != YC_OK) {
            break;
        }
        bool listed = false;
        for (uint32_t k = 0; k < l.nbids && !listed; k++) {
            listed = memcmp(l.bids[k], id, YC_HASH_LEN) == 0;
        }
        yc_free(buf);
        if (l.closed_at != 0 || !listed) {
            rc = report(c, "escrow", id, "an open bid is not among its listing's open bids");
        }
    }
    kvs_free(&bids);
    if (rc != YC_OK) {
        return rc;
    }
    for (uint32_t i = 0; i < c->g->naccounts; i++) {
        overflow = overflow || expect > UINT64_MAX - c->g->accounts[i].balance;
        expect += c->g->accounts[i].balance;
    }
    uint8_t key[YC_KEY_MAX], *buf;
    struct yc_supply s = {0};
    rc = load(c, key, yc_key_supply(key), &buf, dec_supply, &s);
    if (rc == YC_OK) {
        yc_free(buf);
    } else if (rc != YC_ENOTFOUND) {
        return rc;
    }
    overflow = overflow || expect > UINT64_MAX - s.issued;
    expect += s.issued;
    if (overflow || expect < s.redeemed || total != expect - s.redeemed) {
        return report(c, "money_conserved", NULL,
                      "balances plus escrow differ from genesis plus issued minus redeemed");
    }
    return YC_OK;
}

/* ---- listings ---- */

static int check_listings(struct chk *c)
{
    struct kvs ls;
    int rc = collect(c->src, "listing/", &ls);

    if (rc != YC_OK) {
        return rc;
    }
    for (size_t i = 0; i < ls.n && rc == YC_OK; i++) {
        struct yc_listing l;
        const uint8_t *id = key_id(&ls.items[i]);
        enum yc_grade g = YC_GRADE_NONE;
        if (yc_listing_decode(&l, ls.items[i].val, ls.items[i].vlen) != YC_OK) {
            rc = YC_ECORRUPT;
            break;
        }
        c->checked++;
        if (l.closed_at != 0) {
            if (l.nbids != 0) {
                rc = report(c, "escrow", id, "a closed listing still names open bids");
            }
            continue;
        }
        rc = asset_grade(c, l.asset, &g);
        if (rc == YC_ENOTFOUND) {
            rc = report(c, "core_data", id, "an open listing names no asset");
            continue;
        }
        if (rc == YC_OK && g == YC_GRADE_CORE) {
            rc = report(c, "core_data", id, "core-grade data is listed");
        }
        for (uint32_t k = 0; k < l.nbids && rc == YC_OK; k++) {
            uint8_t key[YC_KEY_MAX], *buf;
            struct yc_bid b;
            rc = load(c, key, yc_key_bid(key, l.bids[k]), &buf, dec_bid, &b);
            if (rc == YC_ENOTFOUND) {
                rc = report(c, "escrow", id, "a listing names a bid that does not exist");
                continue;
            }
            if (rc != YC_OK) {
                break;
            }
            if (b.closed_at != 0 || memcmp(b.listing, id, YC_HASH_LEN) != 0) {
                rc = report(c, "escrow", l.bids[k], "a listing names a closed or foreign bid");
            }
            yc_free(buf);
        }
    }
    kvs_free(&ls);
    return rc;
}

/* ---- deals and the price index ---- */

struct point {
    uint8_t key[YC_KEY_MAX];
    size_t klen;
    uint64_t price;
};

static int point_cmp(const void *a, const void *b)
{
    const struct point *x = a, *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int r = memcmp(x->key, y->key, n);
    if (r != 0) {
        return r;
    }
    return x->klen < y->klen ? -1 : x->klen > y->klen;
}

/* The policy version v's negative list against deal d (asset catalog, parties, dest). */
static int deal_policy(struct chk *c, const uint8_t id[YC_HASH_LEN], const struct yc_deal *d)
{
    uint8_t key[YC_KEY_MAX], *pbuf, *abuf;
    struct yc_policy p;
    struct yc_asset a;
    int rc;

    if (d->policy_version == 0) {
        return YC_OK;
    }
    rc = load(c, key, yc_key_policy_version(key, d->policy_version), &pbuf, dec_policy, &p);
    if (rc == YC_ENOTFOUND) {
        return report(c, "negative_list", id, "a deal names a policy version never set");
    }
    if (rc != YC_OK) {
        return rc;
    }
    rc = load(c, key, yc_key_asset(key, d->asset), &abuf, dec_asset, &a);
    if (rc != YC_OK) {
        yc_free(pbuf);
        return rc == YC_ENOTFOUND ? report(c, "negative_list", id, "a deal names no asset") : rc;
    }
    const uint8_t *parties[2] = {d->seller, d->buyer};
    rc = yc__neglist_check(&p, &a, NULL, parties, 2, d->cross_border ? &d->destination : NULL);
    yc_free(pbuf);
    yc_free(abuf);
    if (rc == YC_ENEGLIST) {
        return report(c, "negative_list", id, "a deal broke the policy in force when it settled");
    }
    return rc;
}

/* The export approval a cross-border deal of important data relied on. */
static int deal_export(struct chk *c, const uint8_t id[YC_HASH_LEN], const struct yc_deal *d)
{
    uint8_t key[YC_KEY_MAX], *buf;
    struct yc_assessment a;
    int rc;

    if (!d->has_assessment) {
        return report(c, "export_assessment", id,
                      "important data crossed the border without an export assessment");
    }
    rc = load(c, key, yc_key_assessment(key, d->assessment), &buf, dec_assessment, &a);
    if (rc == YC_ENOTFOUND) {
        return report(c, "export_assessment", id, "a deal names an assessment that does not exist");
    }
    if (rc != YC_OK) {
        return rc;
    }
    bool ok =
        memcmp(a.asset, d->asset, YC_HASH_LEN) == 0 && a.destination.len == d->destination.len &&
        memcmp(a.destination.p, d->destination.p, a.destination.len) == 0 &&
        a.height <= d->height && strcmp(yc_assessment_status(&a, d->time_ms), "approved") == 0;
    yc_free(buf);
    return ok ? YC_OK
              : report(c, "export_assessment", id,
                       "the assessment named does not approve this asset, destination and time");
}

static int check_deals(struct chk *c, struct point **pts, size_t *npts)
{
    struct kvs ds;
    int rc = collect(c->src, "deal/", &ds);

    *pts = NULL;
    *npts = 0;
    if (rc != YC_OK) {
        return rc;
    }
    if (ds.n > 0) {
        *pts = yc_malloc(ds.n * sizeof **pts);
        if (*pts == NULL) {
            kvs_free(&ds);
            return YC_ENOMEM;
        }
    }
    for (size_t i = 0; i < ds.n && rc == YC_OK; i++) {
        struct yc_deal d;
        const uint8_t *id = key_id(&ds.items[i]);
        enum yc_grade g = YC_GRADE_NONE;
        if (yc_deal_decode(&d, ds.items[i].val, ds.items[i].vlen) != YC_OK) {
            rc = YC_ECORRUPT;
            break;
        }
        c->checked++;
        struct point *pt = &(*pts)[(*npts)++];
        uint64_t period = d.time_ms / YC_PRICE_PERIOD_MS * YC_PRICE_PERIOD_MS;
        pt->klen = yc_key_price(pt->key, &d.sector, true, period);
        pt->price = d.price;
        uint64_t sum = d.fee;
        bool over = false;
        for (uint32_t k = 0; k < d.npayouts; k++) {
            over = over || sum > UINT64_MAX - d.payouts[k].amount;
            sum += d.payouts[k].amount;
        }
        if (over || sum != d.price) {
            rc = report(c, "settlement", id, "payouts and fee do not sum to the price");
        }
        if (rc == YC_OK) {
            rc = asset_grade(c, d.asset, &g);
            if (rc == YC_ENOTFOUND) {
                rc = report(c, "core_data", id, "a deal names no asset");
                continue;
            }
        }
        if (rc == YC_OK && g == YC_GRADE_CORE) {
            rc = report(c, "core_data", id, "core-grade data was traded");
        }
        if (rc == YC_OK && d.cross_border && g == YC_GRADE_IMPORTANT) {
            rc = deal_export(c, id, &d);
        }
        if (rc == YC_OK) {
            rc = deal_policy(c, id, &d);
        }
    }
    kvs_free(&ds);
    return rc;
}

static int check_index(struct chk *c, struct point *pts, size_t npts)
{
    struct kvs idx;
    size_t j = 0;
    int rc = collect(c->src, "price_index/", &idx);

    if (rc != YC_OK) {
        return rc;
    }
    if (npts > 1) {
        qsort(pts, npts, sizeof *pts, point_cmp);
    }
    /* both sides sorted by key: walk them together */
    for (size_t i = 0; i < idx.n && rc == YC_OK; i++) {
        struct yc_price_point pp;
        struct kv *it = &idx.items[i];
        if (yc_price_decode(&pp, it->val, it->vlen) != YC_OK) {
            rc = YC_ECORRUPT;
            break;
        }
        c->checked++;
        uint64_t count = 0, volume = 0, high = 0, low = UINT64_MAX;
        struct point probe;
        memcpy(probe.key, it->key, it->klen < YC_KEY_MAX ? it->klen : YC_KEY_MAX);
        probe.klen = it->klen < YC_KEY_MAX ? it->klen : YC_KEY_MAX;
        while (rc == YC_OK && j < npts && point_cmp(&pts[j], &probe) < 0) {
            rc = report(c, "price_index", NULL, "a settled deal is missing from the price index");
            j++;
        }
        while (rc == YC_OK && j < npts && point_cmp(&pts[j], &probe) == 0) {
            count++;
            volume += pts[j].price;
            high = pts[j].price > high ? pts[j].price : high;
            low = pts[j].price < low ? pts[j].price : low;
            j++;
        }
        if (rc == YC_OK && (count != pp.count || volume != pp.volume || high != pp.high ||
                            low != pp.low || count == 0 || pp.vwap != volume / count)) {
            rc = report(c, "price_index", pp.last_tx,
                        "an index entry differs from the deals of its sector and period");
        }
    }
    if (rc == YC_OK && j < npts) {
        rc = report(c, "price_index", NULL, "a settled deal is missing from the price index");
    }
    kvs_free(&idx);
    return rc;
}

/* ---- pledges ---- */

static int check_pledges(struct chk *c)
{
    struct kvs ps, marks;
    int rc = collect(c->src, "pledge/", &ps);

    if (rc != YC_OK) {
        return rc;
    }
    for (size_t i = 0; i < ps.n && rc == YC_OK; i++) {
        struct yc_pledge p;
        const uint8_t *id = key_id(&ps.items[i]);
        if (yc_pledge_decode(&p, ps.items[i].val, ps.items[i].vlen) != YC_OK) {
            rc = YC_ECORRUPT;
            break;
        }
        c->checked++;
        if (p.closed_at != 0) {
            continue;
        }
        uint8_t key[YC_KEY_MAX], *buf;
        size_t vlen;
        rc = get(c->src, key, yc_key_pledged(key, p.asset), &buf, &vlen);
        bool marked = rc == YC_OK && vlen == YC_HASH_LEN && memcmp(buf, id, YC_HASH_LEN) == 0;
        yc_free(buf);
        if (rc != YC_OK && rc != YC_ENOTFOUND) {
            break;
        }
        rc = YC_OK;
        if (!marked) {
            rc = report(c, "pledge", id, "an active pledge is not its asset's pledge marker");
            continue;
        }
        struct yc_right_rec r;
        rc = load(c, key, yc_key_right(key, p.asset, YC_RIGHT_HOLD), &buf, dec_right, &r);
        if (rc != YC_OK) {
            rc = rc == YC_ENOTFOUND ? report(c, "pledge", id, "a pledged asset has no hold right")
                                    : rc;
            continue;
        }
        if (memcmp(r.holder, p.pledgor, YC_PUBKEY_LEN) != 0) {
            rc = report(c, "pledge", id, "a pledged hold right moved away from its pledgor");
        }
        yc_free(buf);
    }
    kvs_free(&ps);
    if (rc != YC_OK) {
        return rc;
    }
    rc = collect(c->src, "pledged/", &marks);
    if (rc != YC_OK) {
        return rc;
    }
    for (size_t i = 0; i < marks.n && rc == YC_OK; i++) {
        uint8_t key[YC_KEY_MAX], *buf;
        struct yc_pledge p;
        if (marks.items[i].vlen != YC_HASH_LEN) {
            rc = YC_ECORRUPT;
            break;
        }
        rc = load(c, key, yc_key_pledge(key, marks.items[i].val), &buf, dec_pledge, &p);
        if (rc == YC_ENOTFOUND) {
            rc = report(c, "pledge", marks.items[i].val, "a pledge marker names no pledge");
            continue;
        }
        if (rc == YC_OK && p.closed_at != 0) {
            rc = report(c, "pledge", marks.items[i].val, "a closed pledge still blocks its asset");
        }
        yc_free(buf);
    }
    kvs_free(&marks);
    return rc;
}

/* ---- credit ---- */

struct tally {
    uint8_t pub[YC_PUBKEY_LEN];
    struct yc_credit_state s;
};

static struct tally *tally_of(struct tally *t, size_t *n, const uint8_t pub[YC_PUBKEY_LEN])
{
    for (size_t i = 0; i < *n; i++) {
        if (memcmp(t[i].pub, pub, YC_PUBKEY_LEN) == 0) {
            return &t[i];
        }
    }
    memset(&t[*n], 0, sizeof t[*n]);
    memcpy(t[*n].pub, pub, YC_PUBKEY_LEN);
    return &t[(*n)++];
}

static const char *credit_name(const struct yc_credit_state *s)
{
    return s->frozen > 0       ? "frozen"
           : s->restricted > 0 ? "restricted"
           : s->warning > 0    ? "warning"
                               : "good";
}

static int check_account_credit(struct chk *c, const struct tally *t)
{
    uint8_t key[YC_KEY_MAX], *buf;
    struct yc_credit_state st = {0};
    struct yc_account a;
    int rc = load(c, key, yc_key_credit_state(key, t->pub), &buf, dec_cstate, &st);

    if (rc == YC_OK) {
        yc_free(buf);
    } else if (rc != YC_ENOTFOUND) {
        return rc;
    }
    if (st.frozen != t->s.frozen || st.restricted != t->s.restricted ||
        st.warning != t->s.warning) {
        rc = report(c, "credit", NULL, "an account's credit counters differ from its records");
        if (rc != YC_OK) {
            return rc;
        }
    }
    rc = load(c, key, yc_key_account(key, t->pub), &buf, dec_account, &a);
    if (rc == YC_ENOTFOUND) {
        return report(c, "credit", NULL, "a credit record names no account");
    }
    if (rc != YC_OK) {
        return rc;
    }
    bool same = yc__slice_eq(&a.credit, credit_name(&t->s));
    yc_free(buf);
    return same ? YC_OK
                : report(c, "credit", NULL, "an account's credit status differs from its records");
}

static int check_credit(struct chk *c)
{
    struct kvs cs, states;
    struct tally *t = NULL;
    size_t nt = 0;
    int rc = collect(c->src, "credit/", &cs);

    if (rc != YC_OK) {
        return rc;
    }
    rc = collect(c->src, "credit_state/", &states);
    if (rc != YC_OK) {
        kvs_free(&cs);
        return rc;
    }
    if (cs.n + states.n > 0) {
        t = yc_malloc((cs.n + states.n) * sizeof *t);
        if (t == NULL) {
            rc = YC_ENOMEM;
        }
    }
    for (size_t i = 0; i < cs.n && rc == YC_OK; i++) {
        struct yc_credit cr;
        if (yc_credit_decode(&cr, cs.items[i].val, cs.items[i].vlen) != YC_OK) {
            rc = YC_ECORRUPT;
            break;
        }
        c->checked++;
        struct tally *ta = tally_of(t, &nt, cr.account);
        bool live = yc__slice_eq(&cr.status, "active") || yc__slice_eq(&cr.status, "objected") ||
                    yc__slice_eq(&cr.status, "upheld");
        if (!live) {
            continue;
        }
        if (yc__slice_eq(&cr.severity, "frozen")) {
            ta->s.frozen++;
        } else if (yc__slice_eq(&cr.severity, "restricted")) {
            ta->s.restricted++;
        } else {
            ta->s.warning++;
        }
    }
    /* accounts with counters but no record are compared too */
    for (size_t i = 0; i < states.n && rc == YC_OK; i++) {
        struct kv *it = &states.items[i];
        if (it->klen < YC_PUBKEY_LEN) {
            rc = YC_ECORRUPT;
            break;
        }
        tally_of(t, &nt, it->key + it->klen - YC_PUBKEY_LEN);
    }
    for (size_t i = 0; i < nt && rc == YC_OK; i++) {
        rc = check_account_credit(c, &t[i]);
    }
    yc_free(t);
    kvs_free(&cs);
    kvs_free(&states);
    return rc;
}

int yc_market_check(const struct yc_state_src *src, const struct yc_genesis *g, yc_breach_cb breach,
                    void *ctx, uint64_t *checked)
{
    struct chk c = {.src = src, .g = g, .breach = breach, .ctx = ctx};
    struct point *pts = NULL;
    size_t npts = 0;
    int rc;

    if (checked != NULL) {
        *checked = 0;
    }
    if (src == NULL || src->get == NULL || src->scan == NULL || g == NULL || breach == NULL) {
        return YC_EINVAL;
    }
    rc = check_money(&c);
    if (rc == YC_OK) {
        rc = check_listings(&c);
    }
    if (rc == YC_OK) {
        rc = check_deals(&c, &pts, &npts);
    }
    if (rc == YC_OK) {
        rc = check_index(&c, pts, npts);
    }
    yc_free(pts);
    if (rc == YC_OK) {
        rc = check_pledges(&c);
    }
    if (rc == YC_OK) {
        rc = check_credit(&c);
    }
    if (checked != NULL) {
        *checked = c.checked;
    }
    return rc;
}
