/*
 * exec_supervise.c — supervision (DESIGN.md §5; docs/domain.md): policy.set,
 * export.assess and the credit record (credit.record, credit.object, credit.resolve,
 * credit.restore), all by a regulator except an objection; and the checks the other
 * groups share: the negative list, the grade rules at the border, alerts, the supply
 * counter and the small object helpers.
 *
 * Invariants kept here:
 *   - the policy is versioned: version n+1 replaces n, and every version stays under
 *     policy_version/<n> so an audit can judge a deal by the policy of its day;
 *   - an account's `credit` is the most severe severity among its live records
 *     (active, objected, upheld), "good" when none; credit_state/<pub> counts them;
 *   - alerts are state: alert/<height><index><seq>, so every node and every replay
 *     writes the same ones;
 *   - supply counts every fen token.issue created and token.redeem destroyed, so money
 *     conservation can be checked from state alone (market.h, yc_market_check).
 */
#include <string.h>

#include "exec_words.h"
#include "ledger_int.h"
#include "yc/timefmt.h"
#include "yc/market.h"

/* ---- object helpers ---- */

int yc__obj_get(yc_overlay *o, const uint8_t *key, size_t klen,
                int (*dec)(void *obj, const uint8_t *p, size_t len), void *obj)
{
    const uint8_t *v;
    size_t vlen;
    int rc = yc_overlay_get(o, key, klen, &v, &vlen);

    if (rc != YC_OK) {
        return rc;
    }
    return dec(obj, v, vlen);
}

int yc__obj_put(yc_overlay *o, const uint8_t *key, size_t klen, const void *obj,
                int (*enc)(const void *obj, struct yc_buf *out))
{
    struct yc_buf b;
    int rc;

    yc_buf_init(&b, YC_TX_MAX_BYTES);
    rc = yc_buf_reserve(&b, OBJ_BUF_START);
    if (rc == YC_OK) {
        rc = enc(obj, &b);
    }
    if (rc == YC_OK) {
        rc = yc_overlay_put(o, key, klen, b.data, b.len);
    }
    yc_buf_cleanup(&b);
    return rc;
}

int yc__put_index(yc_overlay *o, size_t (*prefix)(uint8_t *, const uint8_t *), const uint8_t *who,
                  const uint8_t *tail, size_t tlen)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = prefix(key, who);

    memcpy(key + klen, tail, tlen);
    return yc__put_empty(o, key, klen + tlen);
}

static int dec_policy(void *o, const uint8_t *p, size_t n)
{
    return yc_policy_decode(o, p, n);
}
static int dec_assessment(void *o, const uint8_t *p, size_t n)
{
    return yc_assessment_decode(o, p, n);
}
static int enc_assessment(const void *o, struct yc_buf *b)
{
    return yc_assessment_encode(o, b);
}
static int dec_credit(void *o, const uint8_t *p, size_t n)
{
    return yc_credit_decode(o, p, n);
}
static int enc_credit(const void *o, struct yc_buf *b)
{
    return yc_credit_encode(o, b);
}
static int dec_cstate(void *o, const uint8_t *p, size_t n)
{
    return yc_credit_state_decode(o, p, n);
}
static int enc_cstate(const void *o, struct yc_buf *b)
{
    return yc_credit_state_encode(o, b);
}
static int enc_alert(const void *o, struct yc_buf *b)
{
    return yc_alert_encode(o, b);
}
static int dec_supply(void *o, const uint8_t *p, size_t n)
{
    return yc_supply_decode(o, p, n);
}
static int enc_supply(const void *o, struct yc_buf *b)
{
    return yc_supply_encode(o, b);
}

int yc__check_regulator(const struct yc__env *e)
{
    return e->role == YC_ROLE_REGULATOR ? YC_OK : yc__refuse_role(e, "only a regulator sends it");
}

/* ---- policy ---- */

int yc__policy_load(yc_overlay *o, struct yc_policy *p)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_policy(key);
    int rc = yc__obj_get(o, key, klen, dec_policy, p);

    if (rc == YC_ENOTFOUND) {
        memset(p, 0, sizeof *p);
        return YC_OK;
    }
    return rc;
}

static bool pub_in(const uint8_t (*pubs)[YC_PUBKEY_LEN], uint32_t n, const uint8_t *pub)
{
    for (uint32_t i = 0; i < n; i++) {
        if (memcmp(pubs[i], pub, YC_PUBKEY_LEN) == 0) {
            return true;
        }
    }
    return false;
}

static bool has_prefix(const struct yc_slice *s, const struct yc_slice *prefix)
{
    return prefix->len <= s->len && memcmp(s->p, prefix->p, prefix->len) == 0;
}

int yc__neglist_check(const struct yc_policy *p, const struct yc_asset *a,
                      const struct yc_list *categories, const uint8_t *const *parties,
                      size_t nparties, const struct yc_slice *dest)
{
    if (a != NULL) {
        if (yc__list_has(&p->banned_categories, &a->catalog)) {
            return YC_ENEGLIST;
        }
        for (uint32_t i = 0; i < p->banned_catalog_prefixes.n; i++) {
            if (has_prefix(&a->catalog, &p->banned_catalog_prefixes.items[i])) {
                return YC_ENEGLIST;
            }
        }
    }
    for (uint32_t i = 0; categories != NULL && i < categories->n; i++) {
        if (yc__list_has(&p->banned_categories, &categories->items[i])) {
            return YC_ENEGLIST;
        }
    }
    for (size_t i = 0; i < nparties; i++) {
        if (pub_in((const uint8_t(*)[YC_PUBKEY_LEN])p->banned_accounts, p->nbanned_accounts,
                   parties[i])) {
            return YC_ENEGLIST;
        }
    }
    if (dest != NULL && yc__list_has(&p->banned_jurisdictions, dest)) {
        return YC_ENEGLIST;
    }
    return YC_OK;
}

int yc__neglist_why(const struct yc__env *e, const struct yc_policy *p, const struct yc_asset *a,
                    const struct yc_list *categories, const uint8_t *const *parties,
                    size_t nparties, const struct yc_slice *dest)
{
    char v[YC_CODE_MAX + 1], w[YC_CODE_MAX + 1], addr[YC_ADDR_MAX];
    unsigned long long ver = (unsigned long long)p->version;
    int rc = yc__neglist_check(p, a, categories, parties, nparties, dest);

    if (rc != YC_ENEGLIST || !yc__wants_why(e)) {
        return rc;
    }
    /* the same walk, now naming the first banned item */
    if (a != NULL) {
        yc__shown(v, &a->catalog);
        if (yc__list_has(&p->banned_categories, &a->catalog)) {
            return yc__refuse(e, rc, "asset: catalog '%s' is on the negative list (policy %llu)", v,
                              ver);
        }
        for (uint32_t i = 0; i < p->banned_catalog_prefixes.n; i++) {
            if (has_prefix(&a->catalog, &p->banned_catalog_prefixes.items[i])) {
                yc__shown(w, &p->banned_catalog_prefixes.items[i]);
                return yc__refuse(e, rc,
                                  "asset: catalog '%s' starts with '%s', banned by the negative "
                                  "list (policy %llu)",
                                  v, w, ver);
            }
        }
    }
    for (uint32_t i = 0; categories != NULL && i < categories->n; i++) {
        if (yc__list_has(&p->banned_categories, &categories->items[i])) {
            yc__shown(v, &categories->items[i]);
            return yc__refuse(e, rc, "categories: '%s' is on the negative list (policy %llu)", v,
                              ver);
        }
    }
    for (size_t i = 0; i < nparties; i++) {
        if (pub_in((const uint8_t(*)[YC_PUBKEY_LEN])p->banned_accounts, p->nbanned_accounts,
                   parties[i])) {
            yc__addr(addr, parties[i]);
            return yc__refuse(e, rc, "account %s is on the negative list (policy %llu)", addr, ver);
        }
    }
    if (dest != NULL) {
        yc__shown(v, dest);
        return yc__refuse(e, rc, "destination %s is on the negative list (policy %llu)", v, ver);
    }
    return rc;
}

/* Every item a jurisdiction, no duplicates. */
static bool jurisdiction_set(const struct yc_list *l)
{
    for (uint32_t i = 0; i < l->n; i++) {
        if (!yc__is_jurisdiction(&l->items[i])) {
            return false;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (l->items[i].len == l->items[j].len &&
                memcmp(l->items[i].p, l->items[j].p, l->items[i].len) == 0) {
                return false;
            }
        }
    }
    return true;
}

static bool distinct_pubs(const uint8_t (*pubs)[YC_PUBKEY_LEN], uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (pub_in(pubs, i, pubs[i])) {
            return false;
        }
    }
    return true;
}

/* Adds the codes of `add` that the chain does not know yet to p's additions of kind k
 * (codes are never taken away). YC_ETOOMANY past YC_POLICY_CODES_MAX. */
static int add_codes(const struct yc__env *e, enum yc_code_kind k, const char *field,
                     struct yc_policy *p, const struct yc_list *add)
{
    struct yc_code_adds *a = k == YC_CODES_PURPOSE ? &p->purposes : &p->categories;

    for (uint32_t i = 0; i < add->n; i++) {
        bool listed = false;
        for (uint32_t j = 0; j < a->n && !listed; j++) {
            listed = a->items[j].len == add->items[i].len &&
                     memcmp(a->items[j].p, add->items[i].p, add->items[i].len) == 0;
        }
        if (listed || yc__code_known(e->ctx->g, NULL, k, &add->items[i])) {
            continue;
        }
        if (a->n >= YC_POLICY_CODES_MAX) {
            return yc__refuse(e, YC_ETOOMANY, "%s: the policy adds at most %d codes to a list",
                              field, YC_POLICY_CODES_MAX);
        }
        a->items[a->n++] = add->items[i];
    }
    return YC_OK;
}

int yc__exec_policy_set(const struct yc__env *e)
{
    const struct yc_body_policy_set *b = &e->tx->b->policy_set;
    struct yc_policy cur;
    uint8_t key[YC_KEY_MAX];
    int rc;

    if ((rc = yc__need_code_set(e, "banned_categories", &b->banned_categories, false)) != YC_OK ||
        (rc = yc__need_code_set(e, "banned_catalog_prefixes", &b->banned_catalog_prefixes,
                                false)) != YC_OK) {
        return rc;
    }
    if (!jurisdiction_set(&b->banned_jurisdictions)) {
        for (uint32_t i = 0; i < b->banned_jurisdictions.n; i++) {
            YC__TRY(yc__need_jurisdiction(e, "banned_jurisdictions",
                                          &b->banned_jurisdictions.items[i]));
        }
        return yc__refuse(e, YC_EBADFIELD, "banned_jurisdictions: a jurisdiction is named twice");
    }
    if (!distinct_pubs((const uint8_t(*)[YC_PUBKEY_LEN])b->banned_accounts, b->nbanned_accounts)) {
        return yc__refuse(e, YC_EBADFIELD, "banned_accounts: an account is named twice");
    }
    if (!distinct_pubs((const uint8_t(*)[YC_PUBKEY_LEN])b->alert_accounts, b->nalert_accounts)) {
        return yc__refuse(e, YC_EBADFIELD, "alert_accounts: an account is named twice");
    }
    /* codes to add to the code lists */
    if ((rc = yc__need_code_set(e, "categories", &b->categories, false)) != YC_OK ||
        (rc = yc__need_code_set(e, "purposes", &b->purposes, false)) != YC_OK) {
        return rc;
    }
    rc = yc__policy_load(e->o, &cur);
    if (rc != YC_OK) {
        return rc;
    }
    if (cur.version == UINT64_MAX || b->version != cur.version + 1) {
        return yc__refuse(e, YC_EBADVERSION, "version: %llu given; the next policy version is %llu",
                          (unsigned long long)b->version, (unsigned long long)cur.version + 1);
    }
    struct yc_policy p = {
        .nalert_accounts = b->nalert_accounts,
        .alert_amount = b->alert_amount,
        .alert_cross_border = b->alert_cross_border,
        .alert_important = b->alert_important,
        .nbanned_accounts = b->nbanned_accounts,
        .banned_catalog_prefixes = b->banned_catalog_prefixes,
        .banned_categories = b->banned_categories,
        .banned_jurisdictions = b->banned_jurisdictions,
        .categories = cur.categories,
        .height = e->ctx->height,
        .purposes = cur.purposes,
        .version = b->version,
    };
    memcpy(p.alert_accounts, b->alert_accounts, sizeof p.alert_accounts);
    memcpy(p.banned_accounts, b->banned_accounts, sizeof p.banned_accounts);
    memcpy(p.regulator, e->tx->sender, YC_PUBKEY_LEN);
    if ((rc = add_codes(e, YC_CODES_CATEGORY, "categories", &p, &b->categories)) != YC_OK ||
        (rc = add_codes(e, YC_CODES_PURPOSE, "purposes", &p, &b->purposes)) != YC_OK) {
        return rc;
    }
    /* encoded once: p's added codes borrow the stored policy this write replaces */
    struct yc_buf buf;
    yc_buf_init(&buf, YC_TX_MAX_BYTES * 2);
    rc = yc_policy_encode(&p, &buf);
    if (rc == YC_OK) {
        rc = yc_overlay_put(e->o, key, yc_key_policy(key), buf.data, buf.len);
    }
    if (rc == YC_OK) {
        rc = yc_overlay_put(e->o, key, yc_key_policy_version(key, p.version), buf.data, buf.len);
    }
    yc_buf_cleanup(&buf);
    return rc;
}

/* ---- export assessment and the border ---- */

int yc__exec_export_assess(const struct yc__env *e)
{
    const struct yc_body_export_assess *b = &e->tx->b->export_assess;
    bool approved = yc__slice_eq(&b->outcome, "approved");
    uint8_t key[YC_KEY_MAX];
    int rc;

    if ((rc = yc__need_enum(e, "outcome", YC_ENUM_EXPORT_OUTCOME, &b->outcome)) != YC_OK ||
        (rc = yc__need_jurisdiction(e, "destination", &b->destination)) != YC_OK) {
        return rc;
    }
    /* an assessment is about leaving China: a destination inside it is a mistake */
    if (yc_jurisdiction_domestic(&b->destination)) {
        char v[YC_CODE_MAX + 1];
        yc__shown(v, &b->destination);
        return yc__refuse(e, YC_EBADFIELD,
                          "destination: %s is inside China; an export assessment names a "
                          "destination abroad (SG, US, …)",
                          v);
    }
    rc = yc__key_exists(e->o, key, yc_key_asset(key, b->asset));
    if (rc == YC_ENOTFOUND) {
        char h[YC__HEX_MAX];
        yc__hex(h, b->asset, YC_HASH_LEN);
        return yc__refuse(e, YC_EUNKNOWNASSET, "asset: no such asset %s", h);
    }
    if (rc != YC_OK) {
        return rc;
    }
    if (approved && b->until <= e->ctx->time_ms) {
        return yc__need_window(e, "until", 0, b->until);
    }
    struct yc_assessment a = {
        .destination = b->destination,
        .height = e->ctx->height,
        .outcome = b->outcome,
        .time_ms = e->ctx->time_ms,
        .until = b->until,
    };
    memcpy(a.asset, b->asset, YC_HASH_LEN);
    memcpy(a.regulator, e->tx->sender, YC_PUBKEY_LEN);
    memcpy(a.report, b->report, YC_HASH_LEN);
    rc = yc__obj_put(e->o, key, yc_key_assessment(key, e->tx->id), &a, enc_assessment);
    if (rc == YC_OK) {
        rc = yc_overlay_put(e->o, key, yc_key_export(key, b->asset, &b->destination), e->tx->id,
                            YC_HASH_LEN);
    }
    if (rc == YC_OK) {
        rc = yc__put_index(e->o, yc_key_idx_export_asset, b->asset, e->tx->id, YC_HASH_LEN);
    }
    return rc;
}

/* Copies account pub's jurisdiction into out (at most YC_CODE_MAX bytes). */
static int jurisdiction_of(yc_overlay *o, const uint8_t pub[YC_PUBKEY_LEN], char *out, size_t *len)
{
    struct yc_account a;
    int rc = yc__acct_load(o, pub, &a);

    if (rc != YC_OK) {
        return rc;
    }
    *len = a.jurisdiction.len > YC_CODE_MAX ? YC_CODE_MAX : a.jurisdiction.len;
    memcpy(out, a.jurisdiction.p, *len);
    out[*len] = '\0';
    return YC_OK;
}

/* The assessment for (asset, dest) approving export at time t into id. */
static int approved_export(yc_overlay *o, const uint8_t asset[YC_HASH_LEN],
                           const struct yc_slice *dest, uint64_t t, uint8_t id[YC_HASH_LEN])
{
    uint8_t key[YC_KEY_MAX];
    const uint8_t *v;
    size_t vlen;
    struct yc_assessment a;
    int rc = yc_overlay_get(o, key, yc_key_export(key, asset, dest), &v, &vlen);

    if (rc == YC_ENOTFOUND) {
        return YC_EEXPORTREQ;
    }
    if (rc != YC_OK) {
        return rc;
    }
    if (vlen != YC_HASH_LEN) {
        return YC_ECORRUPT;
    }
    memcpy(id, v, YC_HASH_LEN);
    rc = yc__obj_get(o, key, yc_key_assessment(key, id), dec_assessment, &a);
    if (rc != YC_OK) {
        return rc == YC_ENOTFOUND ? YC_ECORRUPT : rc;
    }
    return strcmp(yc_assessment_status(&a, t), "approved") == 0 ? YC_OK : YC_EEXPORTREQ;
}

int yc__border_check(const struct yc__env *e, const uint8_t *asset, enum yc_grade g,
                     const uint8_t from[YC_PUBKEY_LEN], const uint8_t to[YC_PUBKEY_LEN],
                     struct yc__border *out)
{
    char fj[YC_CODE_MAX + 1];
    size_t fl;
    int rc;

    memset(out, 0, sizeof *out);
    rc = jurisdiction_of(e->o, from, fj, &fl);
    if (rc == YC_OK) {
        rc = jurisdiction_of(e->o, to, out->dest, &out->dest_len);
    }
    if (rc != YC_OK) {
        return rc;
    }
    struct yc_slice fs = {fj, fl};
    struct yc_slice ts = {out->dest, out->dest_len};
    bool from_dom = yc_jurisdiction_domestic(&fs), to_dom = yc_jurisdiction_domestic(&ts);
    out->cross = !from_dom || !to_dom;
    if (!out->cross) {
        out->dest_len = 0;
        out->dest[0] = '\0';
        return YC_OK;
    }
    if (to_dom) {
        /* the foreign party is the sender: the data's foreign end is there */
        memcpy(out->dest, fj, fl + 1);
        out->dest_len = fl;
    }
    if (asset == NULL || g == YC_GRADE_GENERAL || g == YC_GRADE_NONE) {
        return YC_OK;
    }
    char h[YC__HEX_MAX];
    yc__hex(h, asset, YC_HASH_LEN);
    if (g == YC_GRADE_CORE) {
        return yc__refuse(e, YC_ECOREDATA,
                          "asset %s is core data: it never crosses the border (%s to %s)", h, fj,
                          out->dest);
    }
    struct yc_slice dest = {out->dest, out->dest_len};
    rc = approved_export(e->o, asset, &dest, e->ctx->time_ms, out->assessment);
    out->has_assessment = rc == YC_OK;
    if (rc == YC_EEXPORTREQ) {
        return yc__refuse(e, rc,
                          "asset %s is important data: moving it to %s needs an approved, "
                          "unexpired export assessment for that destination (export.assess)",
                          h, out->dest);
    }
    return rc;
}

/* ---- alerts ---- */

int yc__alert(const struct yc__env *e, const struct yc_policy *p, const char *kind,
              const uint8_t *account, const uint8_t *asset, uint64_t amount)
{
    const char *tname = yc_tx_type_name(e->tx->type);
    uint8_t key[YC_KEY_MAX];
    size_t klen = 0;
    int rc = YC_OK;
    unsigned seq;

    /* a transaction raises at most a handful of alerts: the first free sequence number */
    for (seq = 0; seq < 256; seq++) {
        klen = yc_key_alert(key, e->ctx->height, e->index, (uint8_t)seq);
        rc = yc__key_exists(e->o, key, klen);
        if (rc != YC_OK) {
            break;
        }
    }
    if (rc != YC_ENOTFOUND) {
        return rc == YC_OK ? YC_ETOOMANY : rc;
    }
    struct yc_alert a = {
        .has_account = account != NULL,
        .amount = amount,
        .has_asset = asset != NULL,
        .height = e->ctx->height,
        .index = e->index,
        .kind = {kind, strlen(kind)},
        .policy_version = p->version,
        .time_ms = e->ctx->time_ms,
        .type = {tname, strlen(tname)},
    };
    if (account != NULL) {
        memcpy(a.account, account, YC_PUBKEY_LEN);
    }
    if (asset != NULL) {
        memcpy(a.asset, asset, YC_HASH_LEN);
    }
    memcpy(a.tx, e->tx->id, YC_HASH_LEN);
    return yc__obj_put(e->o, key, klen, &a, enc_alert);
}

int yc__alert_movement(const struct yc__env *e, const struct yc_policy *p, bool cross,
                       enum yc_grade g, const uint8_t *asset, const uint8_t *account,
                       uint64_t amount)
{
    int rc = YC_OK;

    if (p->alert_amount != 0 && amount > p->alert_amount) {
        rc = yc__alert(e, p, "deal_amount", account, asset, amount);
    }
    if (rc == YC_OK && p->alert_cross_border && cross) {
        rc = yc__alert(e, p, "cross_border", account, asset, amount);
    }
    if (rc == YC_OK && p->alert_important && g == YC_GRADE_IMPORTANT) {
        rc = yc__alert(e, p, "important_data", account, asset, amount);
    }
    return rc;
}

int yc__alert_watch(const struct yc__env *e)
{
    /* runs for every transaction: with no policy set, there is nothing to watch, and the
     * policy (some 10 KB) is neither decoded nor cleared */
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_policy(key);
    const uint8_t *v;
    size_t vlen;
    int rc = yc_overlay_get(e->o, key, klen, &v, &vlen);
    if (rc == YC_ENOTFOUND) {
        return YC_OK;
    }
    struct yc_policy p;
    if (rc == YC_OK) {
        rc = yc_policy_decode(&p, v, vlen);
    }
    if (rc != YC_OK || p.nalert_accounts == 0 ||
        !pub_in((const uint8_t(*)[YC_PUBKEY_LEN])p.alert_accounts, p.nalert_accounts,
                e->tx->sender)) {
        return rc;
    }
    return yc__alert(e, &p, "watched_account", e->tx->sender, NULL, 0);
}

/* ---- supply ---- */

int yc__supply_add(yc_overlay *o, uint64_t issued, uint64_t redeemed)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_supply(key);
    struct yc_supply s;
    int rc = yc__obj_get(o, key, klen, dec_supply, &s);

    if (rc == YC_ENOTFOUND) {
        memset(&s, 0, sizeof s);
    } else if (rc != YC_OK) {
        return rc;
    }
    if (s.issued > UINT64_MAX - issued || s.redeemed > UINT64_MAX - redeemed) {
        return YC_EOVERFLOW;
    }
    s.issued += issued;
    s.redeemed += redeemed;
    return yc__obj_put(o, key, klen, &s, enc_supply);
}

/* ---- credit ---- */

static uint64_t *severity_count(struct yc_credit_state *s, const struct yc_slice *sev)
{
    if (yc__slice_eq(sev, "warning")) {
        return &s->warning;
    }
    if (yc__slice_eq(sev, "restricted")) {
        return &s->restricted;
    }
    return yc__slice_eq(sev, "frozen") ? &s->frozen : NULL;
}

static bool credit_live(const struct yc_credit *c)
{
    return yc__slice_eq(&c->status, "active") || yc__slice_eq(&c->status, "objected") ||
           yc__slice_eq(&c->status, "upheld");
}

/* Adds delta (+1 / -1) to pub's count of severity sev and sets the account's credit to
 * the most severe live one. */
static int credit_adjust(yc_overlay *o, const uint8_t pub[YC_PUBKEY_LEN],
                         const struct yc_slice *sev, int delta)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_credit_state(key, pub);
    struct yc_credit_state s;
    struct yc_account a;
    int rc = yc__obj_get(o, key, klen, dec_cstate, &s);

    if (rc == YC_ENOTFOUND) {
        memset(&s, 0, sizeof s);
    } else if (rc != YC_OK) {
        return rc;
    }
    uint64_t *n = severity_count(&s, sev);
    if (n == NULL) {
        return YC_ECORRUPT;
    }
    if (delta > 0) {
        if (*n == UINT64_MAX) {
            return YC_EOVERFLOW;
        }
        (*n)++;
    } else {
        if (*n == 0) {
            return YC_ECORRUPT;
        }
        (*n)--;
    }
    rc = yc__obj_put(o, key, klen, &s, enc_cstate);
    if (rc == YC_OK) {
        rc = yc__acct_load(o, pub, &a);
    }
    if (rc != YC_OK) {
        return rc;
    }
    const char *credit = s.frozen > 0       ? "frozen"
                         : s.restricted > 0 ? "restricted"
                         : s.warning > 0    ? "warning"
                                            : "good";
    a.credit = (struct yc_slice){credit, strlen(credit)};
    return yc__acct_store(o, pub, &a);
}

int yc__exec_credit_record(const struct yc__env *e)
{
    const struct yc_body_credit_record *b = &e->tx->b->credit_record;
    uint8_t key[YC_KEY_MAX];
    size_t klen;
    int rc;

    if ((rc = yc__need_enum(e, "severity", YC_ENUM_CREDIT_SEVERITY, &b->severity)) != YC_OK ||
        (rc = yc__need_code(e, "reason", &b->reason)) != YC_OK) {
        return rc;
    }
    rc = yc__need_account(e, "account", b->account);
    if (rc != YC_OK) {
        return rc;
    }
    struct yc_credit c = {
        .height = e->ctx->height,
        .reason = b->reason,
        .severity = b->severity,
        .status = {"active", 6},
        .time_ms = e->ctx->time_ms,
    };
    memcpy(c.account, b->account, YC_PUBKEY_LEN);
    memcpy(c.evidence, b->evidence, YC_HASH_LEN);
    memcpy(c.regulator, e->tx->sender, YC_PUBKEY_LEN);
    rc = yc__obj_put(e->o, key, yc_key_credit(key, e->tx->id), &c, enc_credit);
    if (rc == YC_OK) {
        rc = credit_adjust(e->o, b->account, &b->severity, +1);
    }
    if (rc == YC_OK) {
        /* history in ledger order: prefix(account) ‖ u64be height ‖ u32be index */
        klen = yc_key_idx_credit_account(key, b->account);
        for (int i = 0; i < 8; i++) {
            key[klen++] = (uint8_t)(e->ctx->height >> (8 * (7 - i)));
        }
        for (int i = 0; i < 4; i++) {
            key[klen++] = (uint8_t)(e->index >> (8 * (3 - i)));
        }
        rc = yc_overlay_put(e->o, key, klen, e->tx->id, YC_HASH_LEN);
    }
    return rc;
}

/* Loads credit record `id` for a change: YC_EUNKNOWNOBJ if absent. */
static int credit_load(const struct yc__env *e, const uint8_t id[YC_HASH_LEN], struct yc_credit *c)
{
    uint8_t key[YC_KEY_MAX];
    char h[YC__HEX_MAX];
    int rc = yc__obj_get(e->o, key, yc_key_credit(key, id), dec_credit, c);

    if (rc != YC_ENOTFOUND) {
        return rc;
    }
    yc__hex(h, id, YC_HASH_LEN);
    return yc__refuse(e, YC_EUNKNOWNOBJ, "credit: no such credit record %s", h);
}

/* YC_ECLOSED with words: record id is `status`, and the change needs one of `need`. */
static int refuse_status(const struct yc__env *e, const uint8_t id[YC_HASH_LEN],
                         const struct yc_credit *c, const char *need)
{
    char h[YC__HEX_MAX];

    yc__hex(h, id, YC_HASH_LEN);
    return yc__refuse(e, YC_ECLOSED, "credit %s: it is %.*s; this needs it %s", h,
                      (int)c->status.len, c->status.p, need);
}

/* Stores record c (status already changed) and, when it stops being live, releases its
 * weight on the account. The severity is copied first: c's slices borrow the value the
 * store replaces. */
static int credit_close(const struct yc__env *e, const uint8_t id[YC_HASH_LEN], struct yc_credit *c,
                        bool release)
{
    uint8_t key[YC_KEY_MAX];
    char sev[YC_CODE_MAX + 1];
    size_t sl = c->severity.len > YC_CODE_MAX ? YC_CODE_MAX : c->severity.len;
    uint8_t account[YC_PUBKEY_LEN];
    int rc;

    memcpy(sev, c->severity.p, sl);
    sev[sl] = '\0';
    memcpy(account, c->account, YC_PUBKEY_LEN);
    c->resolved_at = e->ctx->height;
    rc = yc__obj_put(e->o, key, yc_key_credit(key, id), c, enc_credit);
    if (rc == YC_OK && release) {
        struct yc_slice s = {sev, sl};
        rc = credit_adjust(e->o, account, &s, -1);
    }
    return rc;
}

int yc__exec_credit_object(const struct yc__env *e)
{
    const struct yc_body_credit_ref *b = &e->tx->b->credit_ref;
    struct yc_credit c;
    int rc;

    if ((rc = yc__need_code(e, "reason", &b->reason)) != YC_OK) {
        return rc;
    }
    rc = credit_load(e, b->credit, &c);
    if (rc != YC_OK) {
        return rc;
    }
    if (memcmp(c.account, e->tx->sender, YC_PUBKEY_LEN) != 0) {
        return yc__refuse(e, YC_ENOTAUTH, "credit: only the account concerned objects to it");
    }
    /* one objection per finding, heard while it stands undecided */
    if (!yc__slice_eq(&c.status, "active")) {
        return refuse_status(e, b->credit, &c, "active (one objection per finding)");
    }
    c.status = (struct yc_slice){"objected", 8};
    c.has_objection = true;
    memcpy(c.objection_evidence, b->evidence, YC_HASH_LEN);
    c.objection_reason = b->reason;
    uint8_t key[YC_KEY_MAX];
    return yc__obj_put(e->o, key, yc_key_credit(key, b->credit), &c, enc_credit);
}

int yc__exec_credit_resolve(const struct yc__env *e)
{
    const struct yc_body_credit_ref *b = &e->tx->b->credit_ref;
    bool withdraw = yc__slice_eq(&b->outcome, "withdraw");
    struct yc_credit c;
    int rc;

    if ((rc = yc__need_enum(e, "outcome", YC_ENUM_CREDIT_OUTCOME, &b->outcome)) != YC_OK) {
        return rc;
    }
    rc = credit_load(e, b->credit, &c);
    if (rc != YC_OK) {
        return rc;
    }
    if (!yc__slice_eq(&c.status, "objected")) {
        return refuse_status(e, b->credit, &c, "objected");
    }
    c.status = withdraw ? (struct yc_slice){"withdrawn", 9} : (struct yc_slice){"upheld", 6};
    if (b->note.len > 0) {
        c.note = b->note;
    }
    return credit_close(e, b->credit, &c, withdraw);
}

int yc__exec_credit_restore(const struct yc__env *e)
{
    const struct yc_body_credit_ref *b = &e->tx->b->credit_ref;
    struct yc_credit c;
    int rc = credit_load(e, b->credit, &c);

    if (rc != YC_OK) {
        return rc;
    }
    if (!credit_live(&c)) {
        return refuse_status(e, b->credit, &c, "active, objected or upheld");
    }
    c.status = (struct yc_slice){"restored", 8};
    if (b->note.len > 0) {
        c.note = b->note;
    }
    return credit_close(e, b->credit, &c, true);
}
