/*
 * exec_asset.c — the life of a data asset (DESIGN.md §5, assets; docs/domain.md):
 * asset.register, asset.object, asset.resolve, asset.certify, asset.update and
 * asset.retire.
 *
 * Invariants kept here:
 *   - one digest, one registration: idx/asset_digest/<digest> names the asset that
 *     registered (or versioned to) it; a voided registration releases its digests;
 *   - the three rights (hold, process, operate) are separate objects right/<id><r>,
 *     each with one holder, mirrored by idx/asset_holder/<holder><id><r>;
 *   - the parent graph is acyclic: a new asset's parents exist before it (its id is
 *     the hash of the transaction naming them), and asset.update refuses a parent
 *     list that would reach the asset itself;
 *   - a derived asset's grade is at least each parent's;
 *   - an asset is certified only after its notice period with no objection open.
 * Nothing is deleted except index entries that would lie: voided digests and the
 * parent edges an update replaces.
 */
#include <string.h>

#include "exec_words.h"
#include "ledger_int.h"
#include "yc/alloc.h"

/* Nodes visited at most when walking ancestors for the cycle check (YC_ETOOMANY past). */
#define ANCESTRY_WALK_MAX 1024

bool yc__role_may_hold(enum yc_role r)
{
    return r == YC_ROLE_ENTERPRISE || r == YC_ROLE_PROCESSOR || r == YC_ROLE_DATA_MERCHANT ||
           r == YC_ROLE_CUSTODIAN || r == YC_ROLE_AGENCY;
}

int yc__acct_active(yc_overlay *o, const uint8_t pub[YC_PUBKEY_LEN], enum yc_role *role)
{
    struct yc_account a;
    int rc = yc__acct_load(o, pub, &a);

    if (rc != YC_OK) {
        return rc;
    }
    if (role != NULL) {
        *role = a.role;
    }
    return yc__slice_eq(&a.credit, "frozen") ? YC_EFROZEN : YC_OK;
}

/* ---- object helpers ---- */

int yc__asset_load(yc_overlay *o, const uint8_t id[YC_HASH_LEN], struct yc_asset *a)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_asset(key, id);
    const uint8_t *v;
    size_t vlen;
    int rc = yc_overlay_get(o, key, klen, &v, &vlen);

    if (rc == YC_ENOTFOUND) {
        return YC_EUNKNOWNASSET;
    }
    if (rc != YC_OK) {
        return rc;
    }
    return yc_asset_decode(a, v, vlen);
}

static int enc_asset(const void *p, struct yc_buf *b)
{
    return yc_asset_encode(p, b);
}

static int enc_version(const void *p, struct yc_buf *b)
{
    return yc_asset_version_encode(p, b);
}

static int enc_right(const void *p, struct yc_buf *b)
{
    return yc_right_encode(p, b);
}

static int enc_objection(const void *p, struct yc_buf *b)
{
    return yc_objection_encode(p, b);
}

int yc__asset_store(yc_overlay *o, const uint8_t id[YC_HASH_LEN], const struct yc_asset *a)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_asset(key, id);
    return yc__obj_put(o, key, klen, a, enc_asset);
}

int yc__right_holder(yc_overlay *o, const uint8_t id[YC_HASH_LEN], enum yc_right r,
                     uint8_t holder[YC_PUBKEY_LEN])
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_right(key, id, r);
    const uint8_t *v;
    size_t vlen;
    struct yc_right_rec rec;
    int rc = yc_overlay_get(o, key, klen, &v, &vlen);

    if (rc == YC_ENOTFOUND) {
        return YC_EUNKNOWNASSET;
    }
    if (rc == YC_OK) {
        rc = yc_right_decode(&rec, v, vlen);
    }
    if (rc == YC_OK) {
        memcpy(holder, rec.holder, YC_PUBKEY_LEN);
    }
    return rc;
}

int yc__sender_holds(const struct yc__env *e, const uint8_t id[YC_HASH_LEN], enum yc_right r,
                     uint8_t holder[YC_PUBKEY_LEN])
{
    int rc = yc__right_holder(e->o, id, r, holder);

    if (rc != YC_OK) {
        return rc;
    }
    return memcmp(holder, e->tx->sender, YC_PUBKEY_LEN) == 0 ? YC_OK : YC_ENOTAUTH;
}

static int put_version(const struct yc__env *e, const uint8_t id[YC_HASH_LEN], uint64_t n,
                       const uint8_t digest[YC_HASH_LEN], const struct yc_slice *note)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_asset_version(key, id, n);
    struct yc_asset_version v = {.height = e->ctx->height, .time_ms = e->ctx->time_ms};

    memcpy(v.digest, digest, YC_HASH_LEN);
    if (note != NULL) {
        v.note = *note;
    }
    return yc__obj_put(e->o, key, klen, &v, enc_version);
}

static int put_digest_index(yc_overlay *o, const uint8_t digest[YC_HASH_LEN],
                            const uint8_t id[YC_HASH_LEN])
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_idx_asset_digest(key, digest);
    return yc_overlay_put(o, key, klen, id, YC_HASH_LEN);
}

/* YC_EDUPASSET if some asset registered (or versioned to) this digest. */
static int digest_free(const struct yc__env *e, const uint8_t digest[YC_HASH_LEN])
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_idx_asset_digest(key, digest);
    const uint8_t *v;
    size_t vlen;
    int rc = yc_overlay_get(e->o, key, klen, &v, &vlen);

    if (rc == YC_OK) {
        char h[YC__HEX_MAX], id[YC__HEX_MAX];
        yc__hex(h, digest, YC_HASH_LEN);
        yc__hex(id, v, vlen == YC_HASH_LEN ? YC_HASH_LEN : 0);
        return yc__refuse(e, YC_EDUPASSET, "digest: %s is already registered (asset %s)", h, id);
    }
    return rc == YC_ENOTFOUND ? YC_OK : rc;
}

/* idx/asset_parent/<parent><child> put or deleted. */
static int parent_edge(yc_overlay *o, const uint8_t parent[YC_HASH_LEN],
                       const uint8_t child[YC_HASH_LEN], bool del)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_idx_asset_parent(key, parent);

    memcpy(key + klen, child, YC_HASH_LEN);
    klen += YC_HASH_LEN;
    return del ? yc_overlay_del(o, key, klen) : yc__put_empty(o, key, klen);
}

int yc__set_right(yc_overlay *o, const uint8_t id[YC_HASH_LEN], enum yc_right r,
                  const uint8_t *old_holder, const uint8_t holder[YC_PUBKEY_LEN], uint64_t height)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_right(key, id, r);
    struct yc_right_rec rec = {.since = height};
    int rc;

    memcpy(rec.holder, holder, YC_PUBKEY_LEN);
    rc = yc__obj_put(o, key, klen, &rec, enc_right);
    if (rc == YC_OK && old_holder != NULL) {
        klen = yc_key_idx_asset_holder(key, old_holder);
        memcpy(key + klen, id, YC_HASH_LEN);
        key[klen + YC_HASH_LEN] = (uint8_t)r;
        rc = yc_overlay_del(o, key, klen + YC_HASH_LEN + 1);
    }
    if (rc == YC_OK) {
        klen = yc_key_idx_asset_holder(key, holder);
        memcpy(key + klen, id, YC_HASH_LEN);
        key[klen + YC_HASH_LEN] = (uint8_t)r;
        rc = yc__put_empty(o, key, klen + YC_HASH_LEN + 1);
    }
    return rc;
}

/*
 * Checks a parent list for an asset of grade `grade`: no duplicates (YC_EBADFIELD),
 * each parent exists (YC_EUNKNOWNASSET), is not void (YC_ECLOSED) nor retired
 * (YC_ERETIRED), and none has a higher grade (YC_EGRADELOW).
 */
static int check_parents(const struct yc__env *e, const uint8_t (*parents)[YC_HASH_LEN], uint32_t n,
                         enum yc_grade grade)
{
    char h[YC__HEX_MAX];

    for (uint32_t i = 0; i < n; i++) {
        struct yc_asset p;
        int rc;
        yc__hex(h, parents[i], YC_HASH_LEN);
        for (uint32_t j = 0; j < i; j++) {
            if (memcmp(parents[i], parents[j], YC_HASH_LEN) == 0) {
                return yc__refuse(e, YC_EBADFIELD, "parents: %s is named twice", h);
            }
        }
        rc = yc__load_asset(e, "parents", parents[i], &p);
        if (rc != YC_OK) {
            return rc;
        }
        if (p.voided_at != 0) {
            return yc__refuse(e, YC_ECLOSED, "parents: asset %s is void (height %llu)", h,
                              (unsigned long long)p.voided_at);
        }
        if (p.retired_at != 0) {
            return yc__refuse(e, YC_ERETIRED, "parents: asset %s was retired at height %llu", h,
                              (unsigned long long)p.retired_at);
        }
        enum yc_grade pg = yc_grade_from_name(p.grade.p, p.grade.len);
        if (pg > grade) {
            const struct yc_enum *en = yc_enum_get(YC_ENUM_GRADE);
            return yc__refuse(e, YC_EGRADELOW,
                              "grade: parent %s is %s data; a derived asset's grade is at "
                              "least its parents' (%s or higher)",
                              h, en->values[pg - 1], en->values[pg - 1]);
        }
    }
    return YC_OK;
}

/* Contributors: 1..16, registered, distinct, each share > 0, summing to 10 000 bps. */
static int check_contributors(const struct yc__env *e, const struct yc_body_asset_register *b)
{
    char a[YC_ADDR_MAX];
    uint64_t sum = 0;

    if (b->ncontributors == 0) {
        return yc__refuse(e, YC_EBADSHARES,
                          "contributors: empty; name at least one, with shares summing to %u bps",
                          YC_SHARES_TOTAL);
    }
    for (uint32_t i = 0; i < b->ncontributors; i++) {
        const struct yc_contributor *c = &b->contributors[i];
        int rc;
        for (uint32_t j = 0; j < i; j++) {
            if (memcmp(c->pub, b->contributors[j].pub, YC_PUBKEY_LEN) == 0) {
                yc__addr(a, c->pub);
                return yc__refuse(e, YC_EBADFIELD, "contributors: %s is named twice", a);
            }
        }
        if (c->bps == 0 || c->bps > YC_SHARES_TOTAL) {
            return yc__refuse(e, YC_EBADSHARES,
                              "contributors[%u]: a share of %llu bps; each is 1 to %u bps", i,
                              (unsigned long long)c->bps, YC_SHARES_TOTAL);
        }
        sum += c->bps;
        rc = yc__need_account(e, "contributors", c->pub);
        if (rc != YC_OK) {
            return rc;
        }
    }
    if (sum != YC_SHARES_TOTAL) {
        return yc__refuse(e, YC_EBADSHARES, "contributors: shares sum to %llu bps, not %u",
                          (unsigned long long)sum, YC_SHARES_TOTAL);
    }
    return YC_OK;
}

/* The optional `usage` link: the sender's recorded use whose output is this digest and
 * whose asset (if any) is among the parents. */
static int check_usage_link(const struct yc__env *e, const struct yc_body_asset_register *b)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_usage(key, b->usage);
    const uint8_t *v;
    size_t vlen;
    struct yc_usage u;
    int rc = yc_overlay_get(e->o, key, klen, &v, &vlen);

    char h[YC__HEX_MAX];

    yc__hex(h, b->usage, YC_HASH_LEN);
    if (rc == YC_ENOTFOUND) {
        return yc__refuse(e, YC_EUNKNOWNOBJ, "usage: no recorded use %s", h);
    }
    if (rc == YC_OK) {
        rc = yc_usage_decode(&u, v, vlen);
    }
    if (rc != YC_OK) {
        return rc;
    }
    if (memcmp(u.user, e->tx->sender, YC_PUBKEY_LEN) != 0) {
        return yc__refuse(e, YC_ENOTAUTH, "usage: use %s was recorded by another account", h);
    }
    if (!u.has_output || memcmp(u.output, b->digest, YC_HASH_LEN) != 0) {
        return yc__refuse(e, YC_EBADDIGEST, "digest: not the output digest of use %s", h);
    }
    if (u.has_asset) {
        for (uint32_t i = 0; i < b->nparents; i++) {
            if (memcmp(b->parents[i], u.asset, YC_HASH_LEN) == 0) {
                return YC_OK;
            }
        }
        yc__hex(h, u.asset, YC_HASH_LEN);
        return yc__refuse(e, YC_EBADFIELD, "parents: the use's asset %s must be among them", h);
    }
    return YC_OK;
}

int yc__check_asset_register(const struct yc__env *e)
{
    return yc__role_may_hold(e->role)
               ? YC_OK
               : yc__refuse_role(e, "assets are held by an enterprise, processor, data_merchant, "
                                    "custodian or agency");
}

int yc__exec_asset_register(const struct yc__env *e)
{
    const struct yc_body_asset_register *b = &e->tx->b->asset_register;
    const uint8_t *id = e->tx->id;
    enum yc_grade grade = yc_grade_from_name(b->grade.p, b->grade.len);
    int rc = yc__need_active(e, "sender", e->tx->sender, NULL);

    if (rc != YC_OK) {
        return rc;
    }
    if (b->title.len < 1) {
        return yc__refuse(e, YC_EBADFIELD, "title: empty; 1 to %d bytes", YC_NAME_MAX);
    }
    if ((rc = yc__need_code(e, "catalog", &b->catalog)) != YC_OK ||
        (rc = yc__need_code(e, "sector", &b->sector)) != YC_OK ||
        (rc = yc__need_enum(e, "source", YC_ENUM_SOURCE, &b->source)) != YC_OK ||
        (rc = yc__need_enum(e, "openness", YC_ENUM_OPENNESS, &b->openness)) != YC_OK ||
        (rc = yc__need_enum(e, "grade", YC_ENUM_GRADE, &b->grade)) != YC_OK) {
        return rc;
    }
    if ((rc = check_contributors(e, b)) != YC_OK || (rc = digest_free(e, b->digest)) != YC_OK ||
        (rc = check_parents(e, (const uint8_t(*)[YC_HASH_LEN])b->parents, b->nparents, grade)) !=
            YC_OK) {
        return rc;
    }
    if (b->has_usage && (rc = check_usage_link(e, b)) != YC_OK) {
        return rc;
    }
    struct yc_asset a = {
        .catalog = b->catalog,
        .grade = b->grade,
        .ncontributors = b->ncontributors,
        .notice_until = e->ctx->height + e->ctx->g->params.notice_blocks,
        .nparents = b->nparents,
        .openness = b->openness,
        .registered_at = e->ctx->height,
        .sector = b->sector,
        .source = b->source,
        .time_ms = e->ctx->time_ms,
        .title = b->title,
        .has_usage = b->has_usage,
        .version = 1,
    };
    if (a.notice_until < e->ctx->height) {
        return YC_EOVERFLOW;
    }
    memcpy(a.contributors, b->contributors, sizeof a.contributors);
    memcpy(a.digest, b->digest, YC_HASH_LEN);
    memcpy(a.parents, b->parents, sizeof a.parents);
    memcpy(a.registrant, e->tx->sender, YC_PUBKEY_LEN);
    memcpy(a.usage, b->usage, YC_HASH_LEN);
    rc = yc__asset_store(e->o, id, &a);
    if (rc == YC_OK) {
        rc = put_version(e, id, 1, b->digest, NULL);
    }
    if (rc == YC_OK) {
        rc = put_digest_index(e->o, b->digest, id);
    }
    for (unsigned r = 0; r < YC_RIGHT_COUNT && rc == YC_OK; r++) {
        rc = yc__set_right(e->o, id, (enum yc_right)r, NULL, e->tx->sender, e->ctx->height);
    }
    for (uint32_t i = 0; i < b->nparents && rc == YC_OK; i++) {
        rc = parent_edge(e->o, b->parents[i], id, false);
    }
    return rc;
}

/* ---- public notice ---- */

int yc__exec_asset_object(const struct yc__env *e)
{
    const struct yc_body_asset_object *b = &e->tx->b->asset_object;
    struct yc_asset a;
    int rc;

    if ((rc = yc__need_code(e, "reason", &b->reason)) != YC_OK) {
        return rc;
    }
    rc = yc__load_asset(e, "asset", b->asset, &a);
    if (rc != YC_OK) {
        return rc;
    }
    /* objections are heard during the notice period only, and only against a live
     * registration */
    if (a.voided_at != 0 || a.certified_at != 0 || e->ctx->height >= a.notice_until) {
        char h[YC__HEX_MAX];
        yc__hex(h, b->asset, YC_HASH_LEN);
        if (a.voided_at != 0 || a.certified_at != 0) {
            return yc__refuse(e, YC_ECLOSED, "asset %s is already %s; objections are closed", h,
                              a.voided_at != 0 ? "void" : "certified");
        }
        return yc__refuse(e, YC_ECLOSED,
                          "asset %s: its public notice ended at height %llu (now %llu)", h,
                          (unsigned long long)a.notice_until, (unsigned long long)e->ctx->height);
    }
    a.objections_open++;
    rc = yc__asset_store(e->o, b->asset, &a);
    if (rc != YC_OK) {
        return rc;
    }
    struct yc_objection ob = {
        .filed_at = e->ctx->height,
        .outcome = {"open", 4},
        .reason = b->reason,
    };
    memcpy(ob.asset, b->asset, YC_HASH_LEN);
    memcpy(ob.evidence, b->evidence, YC_HASH_LEN);
    memcpy(ob.objector, e->tx->sender, YC_PUBKEY_LEN);
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_objection(key, e->tx->id);
    rc = yc__obj_put(e->o, key, klen, &ob, enc_objection);
    if (rc == YC_OK) {
        klen = yc_key_idx_objection_asset(key, b->asset);
        memcpy(key + klen, e->tx->id, YC_HASH_LEN);
        rc = yc__put_empty(e->o, key, klen + YC_HASH_LEN);
    }
    return rc;
}

int yc__check_exchange(const struct yc__env *e)
{
    return e->role == YC_ROLE_EXCHANGE ? YC_OK : yc__refuse_role(e, "only the exchange sends it");
}

/* A voided registration releases every digest it held, so the rightful holder can
 * register the data. */
static int release_digests(const struct yc__env *e, const uint8_t id[YC_HASH_LEN], uint64_t nver)
{
    for (uint64_t n = 1; n <= nver; n++) {
        uint8_t key[YC_KEY_MAX];
        size_t klen = yc_key_asset_version(key, id, n);
        const uint8_t *v;
        size_t vlen;
        struct yc_asset_version ver;
        int rc = yc_overlay_get(e->o, key, klen, &v, &vlen);
        if (rc == YC_OK) {
            rc = yc_asset_version_decode(&ver, v, vlen);
        }
        if (rc != YC_OK) {
            return rc == YC_ENOTFOUND ? YC_ECORRUPT : rc;
        }
        klen = yc_key_idx_asset_digest(key, ver.digest);
        rc = yc_overlay_del(e->o, key, klen);
        if (rc != YC_OK) {
            return rc;
        }
    }
    return YC_OK;
}

int yc__exec_asset_resolve(const struct yc__env *e)
{
    const struct yc_body_asset_resolve *b = &e->tx->b->asset_resolve;
    bool upheld = yc__slice_eq(&b->outcome, "upheld");
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_objection(key, b->objection);
    const uint8_t *v;
    size_t vlen;
    struct yc_objection ob;
    struct yc_asset a;
    int rc;

    char h[YC__HEX_MAX];

    if ((rc = yc__need_enum(e, "outcome", YC_ENUM_OBJECTION_OUTCOME, &b->outcome)) != YC_OK) {
        return rc;
    }
    yc__hex(h, b->objection, YC_HASH_LEN);
    rc = yc_overlay_get(e->o, key, klen, &v, &vlen);
    if (rc == YC_ENOTFOUND) {
        return yc__refuse(e, YC_EUNKNOWNOBJ, "objection: no such objection %s", h);
    }
    if (rc == YC_OK) {
        rc = yc_objection_decode(&ob, v, vlen);
    }
    if (rc != YC_OK) {
        return rc;
    }
    if (ob.resolved_at != 0) {
        return yc__refuse(e, YC_ECLOSED, "objection %s: already resolved at height %llu", h,
                          (unsigned long long)ob.resolved_at);
    }
    ob.resolved_at = e->ctx->height;
    ob.outcome = b->outcome;
    ob.note = b->note;
    rc = yc__obj_put(e->o, key, klen, &ob, enc_objection);
    if (rc == YC_OK) {
        rc = yc__asset_load(e->o, ob.asset, &a);
    }
    if (rc != YC_OK) {
        return rc == YC_EUNKNOWNASSET ? YC_ECORRUPT : rc;
    }
    if (a.objections_open > 0) {
        a.objections_open--;
    }
    if (upheld && a.voided_at == 0) {
        a.voided_at = e->ctx->height;
        rc = release_digests(e, ob.asset, a.version);
    }
    if (rc == YC_OK) {
        rc = yc__asset_store(e->o, ob.asset, &a);
    }
    return rc;
}

/* Writes v in decimal (at most 20 digits, no NUL); returns the number of digits. */
static size_t put_dec(char *out, uint64_t v)
{
    char tmp[20];
    size_t n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++) {
        out[i] = tmp[n - 1 - i];
    }
    return n;
}

int yc__exec_asset_certify(const struct yc__env *e)
{
    const uint8_t *id = e->tx->b->asset_ref.asset;
    struct yc_asset a;
    char cert[48];
    char h[YC__HEX_MAX];
    int rc = yc__load_asset(e, "asset", id, &a);

    if (rc != YC_OK) {
        return rc;
    }
    yc__hex(h, id, YC_HASH_LEN);
    if (a.voided_at != 0 || a.certified_at != 0) {
        return yc__refuse(e, YC_ECLOSED, "certify: asset %s is already %s", h,
                          a.voided_at != 0 ? "void" : "certified");
    }
    if (a.retired_at != 0) {
        return yc__refuse(e, YC_ERETIRED, "certify: asset %s was retired at height %llu", h,
                          (unsigned long long)a.retired_at);
    }
    if (e->ctx->height < a.notice_until) {
        return yc__refuse(e, YC_ENOTICEOPEN,
                          "certify: the public notice of asset %s ends at height %llu (now %llu)",
                          h, (unsigned long long)a.notice_until,
                          (unsigned long long)e->ctx->height);
    }
    if (a.objections_open > 0) {
        return yc__refuse(e, YC_EOBJECTIONOPEN,
                          "certify: asset %s has %llu objection(s) open; asset.resolve them first",
                          h, (unsigned long long)a.objections_open);
    }
    /* (height, index) names one transaction of the chain: unique, and the same on
     * every node */
    size_t n = 0;
    memcpy(cert, "YC-", 3);
    n = 3;
    n += put_dec(cert + n, e->ctx->height);
    cert[n++] = '-';
    n += put_dec(cert + n, e->index);
    a.certificate.p = cert;
    a.certificate.len = n;
    a.certified_at = e->ctx->height;
    return yc__asset_store(e->o, id, &a);
}

/* ---- holder's changes ---- */

/* Loads asset id for a change by the holder of its hold right. */
static int load_for_holder(const struct yc__env *e, const uint8_t id[YC_HASH_LEN],
                           struct yc_asset *a)
{
    uint8_t holder[YC_PUBKEY_LEN];
    char h[YC__HEX_MAX];
    int rc = yc__load_asset(e, "asset", id, a);

    if (rc != YC_OK) {
        return rc;
    }
    rc = yc__need_holder(e, id, YC_RIGHT_HOLD, holder);
    if (rc != YC_OK) {
        return rc == YC_EUNKNOWNASSET ? YC_ECORRUPT : rc;
    }
    yc__hex(h, id, YC_HASH_LEN);
    if (a->voided_at != 0) {
        return yc__refuse(e, YC_ECLOSED, "asset %s is void (height %llu)", h,
                          (unsigned long long)a->voided_at);
    }
    if (a->retired_at != 0) {
        return yc__refuse(e, YC_ERETIRED, "asset %s was retired at height %llu", h,
                          (unsigned long long)a->retired_at);
    }
    return YC_OK;
}

/* Adding the edge id → parent closes a cycle iff id is parent itself or one of its
 * ancestors. Walks the ancestry breadth-first, each asset once. */
static int would_cycle(yc_overlay *o, const uint8_t id[YC_HASH_LEN],
                       const uint8_t (*parents)[YC_HASH_LEN], uint32_t n)
{
    uint8_t(*seen)[YC_HASH_LEN] = yc_malloc(ANCESTRY_WALK_MAX * YC_HASH_LEN);
    size_t nseen = 0, next = 0;
    int rc = YC_OK;

    if (seen == NULL) {
        return YC_ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        memcpy(seen[nseen++], parents[i], YC_HASH_LEN);
    }
    while (rc == YC_OK && next < nseen) {
        struct yc_asset a;
        if (memcmp(seen[next], id, YC_HASH_LEN) == 0) {
            rc = YC_ECYCLE;
            break;
        }
        rc = yc__asset_load(o, seen[next], &a);
        next++;
        for (uint32_t i = 0; rc == YC_OK && i < a.nparents; i++) {
            bool known = false;
            for (size_t j = 0; j < nseen && !known; j++) {
                known = memcmp(seen[j], a.parents[i], YC_HASH_LEN) == 0;
            }
            if (known) {
                continue;
            }
            if (nseen == ANCESTRY_WALK_MAX) {
                rc = YC_ETOOMANY;
                break;
            }
            memcpy(seen[nseen++], a.parents[i], YC_HASH_LEN);
        }
    }
    yc_free(seen);
    return rc == YC_EUNKNOWNASSET ? YC_ECORRUPT : rc;
}

static int replace_parents(const struct yc__env *e, const uint8_t id[YC_HASH_LEN],
                           struct yc_asset *a)
{
    const struct yc_body_asset_update *b = &e->tx->b->asset_update;
    const uint8_t(*np)[YC_HASH_LEN] = (const uint8_t(*)[YC_HASH_LEN])b->parents;
    enum yc_grade grade = yc_grade_from_name(a->grade.p, a->grade.len);
    int rc = check_parents(e, np, b->nparents, grade);

    if (rc == YC_OK) {
        rc = would_cycle(e->o, id, np, b->nparents);
        if (rc == YC_ECYCLE) {
            rc = yc__refuse(e, rc, "parents: the asset would become its own ancestor");
        } else if (rc == YC_ETOOMANY) {
            rc = yc__refuse(e, rc, "parents: the ancestry is larger than %d assets",
                            ANCESTRY_WALK_MAX);
        }
    }
    for (uint32_t i = 0; i < a->nparents && rc == YC_OK; i++) {
        rc = parent_edge(e->o, a->parents[i], id, true);
    }
    for (uint32_t i = 0; i < b->nparents && rc == YC_OK; i++) {
        rc = parent_edge(e->o, b->parents[i], id, false);
    }
    if (rc == YC_OK) {
        a->nparents = b->nparents;
        memcpy(a->parents, b->parents, sizeof a->parents);
    }
    return rc;
}

int yc__exec_asset_update(const struct yc__env *e)
{
    const struct yc_body_asset_update *b = &e->tx->b->asset_update;
    struct yc_asset a;
    int rc = load_for_holder(e, b->asset, &a);

    if (rc != YC_OK) {
        return rc;
    }
    rc = digest_free(e, b->digest);
    if (rc == YC_OK && b->has_parents) {
        rc = replace_parents(e, b->asset, &a);
    }
    if (rc != YC_OK) {
        return rc;
    }
    if (a.version == UINT64_MAX) {
        return YC_EOVERFLOW;
    }
    a.version++;
    memcpy(a.digest, b->digest, YC_HASH_LEN);
    if (b->title.len > 0) {
        a.title = b->title;
    }
    rc = put_version(e, b->asset, a.version, b->digest, &b->note);
    if (rc == YC_OK) {
        rc = put_digest_index(e->o, b->digest, b->asset);
    }
    if (rc == YC_OK) {
        rc = yc__asset_store(e->o, b->asset, &a);
    }
    return rc;
}

int yc__exec_asset_retire(const struct yc__env *e)
{
    const struct yc_body_asset_ref *b = &e->tx->b->asset_ref;
    struct yc_asset a;
    int rc;

    if (b->reason.len > 0 && (rc = yc__need_code(e, "reason", &b->reason)) != YC_OK) {
        return rc;
    }
    rc = load_for_holder(e, b->asset, &a);
    if (rc == YC_OK) {
        rc = yc__need_unpledged(e, b->asset); /* a pledge outlives no asset */
    }
    if (rc != YC_OK) {
        return rc;
    }
    a.retired_at = e->ctx->height;
    return yc__asset_store(e->o, b->asset, &a);
}
