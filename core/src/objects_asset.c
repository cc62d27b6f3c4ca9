/*
 * objects_asset.c — keys and canonical encodings of the issue-4 state objects: assets,
 * their versions, the three rights, objections, licenses and carries (objects.h,
 * grammar in docs/formats.md).
 *
 * As in objects.c: maps with keys written in sorted order, optional fields omitted when
 * absent so that every object has exactly one encoding, and decoders that run
 * yc_canon_check first and turn any schema failure of stored bytes into YC_ECORRUPT.
 */
#include <string.h>

#include "ledger_int.h"
#include "yc/codec.h"
#include "yc/objects.h"

/* ---- names ---- */

static const char *const RIGHT_NAMES[YC_RIGHT_COUNT] = {"hold", "process", "operate"};

const char *yc_right_name(enum yc_right r)
{
    return (unsigned)r < YC_RIGHT_COUNT ? RIGHT_NAMES[r] : NULL;
}

enum yc_right yc_right_from_name(const char *s, size_t len)
{
    for (unsigned i = 0; i < YC_RIGHT_COUNT; i++) {
        if (s != NULL && strlen(RIGHT_NAMES[i]) == len && memcmp(s, RIGHT_NAMES[i], len) == 0) {
            return (enum yc_right)i;
        }
    }
    return YC_RIGHT_COUNT;
}

enum yc_grade yc_grade_from_name(const char *s, size_t len)
{
    static const char *const names[] = {"general", "important", "core"};
    for (unsigned i = 0; i < 3; i++) {
        if (s != NULL && strlen(names[i]) == len && memcmp(s, names[i], len) == 0) {
            return (enum yc_grade)(i + 1);
        }
    }
    return YC_GRADE_NONE;
}

/* ---- keys ---- */

static size_t key_join(uint8_t *key, const char *prefix, const uint8_t *a, size_t alen)
{
    size_t n = strlen(prefix);
    memcpy(key, prefix, n);
    memcpy(key + n, a, alen);
    return n + alen;
}

size_t yc_key_asset(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return key_join(key, "asset/", id, YC_HASH_LEN);
}

size_t yc_key_asset_versions(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return key_join(key, "asset_version/", id, YC_HASH_LEN);
}

size_t yc_key_asset_version(uint8_t *key, const uint8_t id[YC_HASH_LEN], uint64_t version)
{
    size_t n = yc_key_asset_versions(key, id);
    for (int i = 7; i >= 0; i--) {
        key[n++] = (uint8_t)(version >> (8 * i));
    }
    return n;
}

size_t yc_key_right(uint8_t *key, const uint8_t id[YC_HASH_LEN], enum yc_right r)
{
    size_t n = key_join(key, "right/", id, YC_HASH_LEN);
    key[n] = (uint8_t)r;
    return n + 1;
}

size_t yc_key_objection(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return key_join(key, "objection/", id, YC_HASH_LEN);
}

size_t yc_key_license(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return key_join(key, "license/", id, YC_HASH_LEN);
}

size_t yc_key_carry(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return key_join(key, "carry/", id, YC_HASH_LEN);
}

size_t yc_key_idx_asset_digest(uint8_t *key, const uint8_t digest[YC_HASH_LEN])
{
    return key_join(key, "idx/asset_digest/", digest, YC_HASH_LEN);
}

size_t yc_key_idx_asset_holder(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return key_join(key, "idx/asset_holder/", pub, YC_PUBKEY_LEN);
}

size_t yc_key_idx_asset_parent(uint8_t *key, const uint8_t parent[YC_HASH_LEN])
{
    return key_join(key, "idx/asset_parent/", parent, YC_HASH_LEN);
}

size_t yc_key_idx_objection_asset(uint8_t *key, const uint8_t asset[YC_HASH_LEN])
{
    return key_join(key, "idx/objection_asset/", asset, YC_HASH_LEN);
}

size_t yc_key_idx_license_asset(uint8_t *key, const uint8_t asset[YC_HASH_LEN])
{
    return key_join(key, "idx/license_asset/", asset, YC_HASH_LEN);
}

size_t yc_key_idx_license_licensee(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return key_join(key, "idx/license_licensee/", pub, YC_PUBKEY_LEN);
}

size_t yc_key_idx_usage_asset(uint8_t *key, const uint8_t asset[YC_HASH_LEN])
{
    return key_join(key, "idx/usage_asset/", asset, YC_HASH_LEN);
}

size_t yc_key_idx_carry_subject(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return key_join(key, "idx/carry_subject/", pub, YC_PUBKEY_LEN);
}

size_t yc_key_idx_carry_holder(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return key_join(key, "idx/carry_holder/", pub, YC_PUBKEY_LEN);
}

/* ---- decode plumbing ---- */

static int open_obj(struct yc_dec *d, uint32_t *left, const uint8_t *p, size_t len)
{
    if (p == NULL || yc_canon_check(p, len, &YC_LIMITS_DEFAULT) != YC_OK) {
        return YC_ECORRUPT;
    }
    yc_dec_init(d, p, len);
    return yc_dec_map(d, left) == YC_OK ? YC_OK : YC_ECORRUPT;
}

#define TRY(x)                                                                                     \
    do {                                                                                           \
        if ((x) != YC_OK) {                                                                        \
            return YC_ECORRUPT;                                                                    \
        }                                                                                          \
    } while (0)

/* Optional field: 1 present (value next), 0 absent; YC_ECORRUPT on an unknown key. */
static int opt(struct yc_dec *d, uint32_t *left, const char *key)
{
    int r = yc__field_opt(d, left, key);
    return r < 0 ? YC_ECORRUPT : r;
}

static int req_u64(struct yc_dec *d, uint32_t *left, const char *key, uint64_t *v)
{
    TRY(yc__field_req(d, left, key));
    TRY(yc_dec_uint(d, v));
    return YC_OK;
}

static int req_fixed(struct yc_dec *d, uint32_t *left, const char *key, uint8_t *out, size_t n)
{
    TRY(yc__field_req(d, left, key));
    TRY(yc__dec_fixed(d, out, n, YC_EBADFIELD));
    return YC_OK;
}

static int req_text(struct yc_dec *d, uint32_t *left, const char *key, struct yc_slice *s,
                    size_t minlen, size_t maxlen)
{
    TRY(yc__field_req(d, left, key));
    TRY(yc__dec_text(d, s, minlen, maxlen));
    return YC_OK;
}

static int req_list(struct yc_dec *d, uint32_t *left, const char *key, struct yc_list *l)
{
    TRY(yc__field_req(d, left, key));
    TRY(yc__dec_list(d, l, YC_CODE_MAX));
    return YC_OK;
}

static void put_u64(struct yc_enc *e, const char *key, uint64_t v)
{
    yc_enc_cstr(e, key);
    yc_enc_uint(e, v);
}

static void put_slice(struct yc_enc *e, const char *key, const struct yc_slice *s)
{
    yc_enc_cstr(e, key);
    yc__enc_slice(e, s);
}

static void put_bin(struct yc_enc *e, const char *key, const uint8_t *p, size_t n)
{
    yc_enc_cstr(e, key);
    yc_enc_bin(e, p, n);
}

/* ---- asset ---- */

int yc_asset_encode(const struct yc_asset *a, struct yc_buf *out)
{
    struct yc_enc e;
    bool cert = a->certificate.len > 0;
    uint32_t n = 18u + (cert ? 1u : 0u) + (a->has_usage ? 1u : 0u);

    if (a->ncontributors > YC_CONTRIBUTORS_MAX || a->nparents > YC_PARENTS_MAX) {
        return YC_EINVAL;
    }
    yc_enc_init(&e, out);
    yc_enc_map(&e, n);
    put_slice(&e, "catalog", &a->catalog);
    if (cert) {
        put_slice(&e, "certificate", &a->certificate);
    }
    put_u64(&e, "certified_at", a->certified_at);
    yc_enc_cstr(&e, "contributors");
    yc_enc_array(&e, a->ncontributors);
    for (uint32_t i = 0; i < a->ncontributors; i++) {
        yc_enc_array(&e, 2);
        yc_enc_bin(&e, a->contributors[i].pub, YC_PUBKEY_LEN);
        yc_enc_uint(&e, a->contributors[i].bps);
    }
    put_bin(&e, "digest", a->digest, YC_HASH_LEN);
    put_slice(&e, "grade", &a->grade);
    put_u64(&e, "notice_until", a->notice_until);
    put_u64(&e, "objections_open", a->objections_open);
    put_slice(&e, "openness", &a->openness);
    yc_enc_cstr(&e, "parents");
    yc_enc_array(&e, a->nparents);
    for (uint32_t i = 0; i < a->nparents; i++) {
        yc_enc_bin(&e, a->parents[i], YC_HASH_LEN);
    }
    put_u64(&e, "registered_at", a->registered_at);
    put_bin(&e, "registrant", a->registrant, YC_PUBKEY_LEN);
    put_u64(&e, "retired_at", a->retired_at);
    put_slice(&e, "sector", &a->sector);
    put_slice(&e, "source", &a->source);
    put_u64(&e, "time", a->time_ms);
    put_slice(&e, "title", &a->title);
    if (a->has_usage) {
        put_bin(&e, "usage", a->usage, YC_HASH_LEN);
    }
    put_u64(&e, "version", a->version);
    put_u64(&e, "voided_at", a->voided_at);
    return yc_enc_finish(&e);
}

static int dec_contributors(struct yc_dec *d, struct yc_asset *a)
{
    uint32_t n;

    TRY(yc_dec_array(d, &n));
    if (n > YC_CONTRIBUTORS_MAX) {
        return YC_ECORRUPT;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t two;
        TRY(yc_dec_array(d, &two));
        if (two != 2) {
            return YC_ECORRUPT;
        }
        TRY(yc__dec_fixed(d, a->contributors[i].pub, YC_PUBKEY_LEN, YC_EBADFIELD));
        TRY(yc_dec_uint(d, &a->contributors[i].bps));
    }
    a->ncontributors = n;
    return YC_OK;
}

static int dec_parents(struct yc_dec *d, uint8_t (*parents)[YC_HASH_LEN], uint32_t *np)
{
    uint32_t n;

    TRY(yc_dec_array(d, &n));
    if (n > YC_PARENTS_MAX) {
        return YC_ECORRUPT;
    }
    for (uint32_t i = 0; i < n; i++) {
        TRY(yc__dec_fixed(d, parents[i], YC_HASH_LEN, YC_EBADFIELD));
    }
    *np = n;
    return YC_OK;
}

int yc_asset_decode(struct yc_asset *a, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;
    int r;

    memset(a, 0, sizeof *a);
    TRY(open_obj(&d, &left, p, len));
    TRY(req_text(&d, &left, "catalog", &a->catalog, 1, YC_CODE_MAX));
    if ((r = opt(&d, &left, "certificate")) < 0) {
        return r;
    }
    if (r == 1) {
        TRY(yc__dec_text(&d, &a->certificate, 1, YC_CODE_MAX));
    }
    TRY(req_u64(&d, &left, "certified_at", &a->certified_at));
    TRY(yc__field_req(&d, &left, "contributors"));
    TRY(dec_contributors(&d, a));
    TRY(req_fixed(&d, &left, "digest", a->digest, YC_HASH_LEN));
    TRY(req_text(&d, &left, "grade", &a->grade, 1, YC_CODE_MAX));
    TRY(req_u64(&d, &left, "notice_until", &a->notice_until));
    TRY(req_u64(&d, &left, "objections_open", &a->objections_open));
    TRY(req_text(&d, &left, "openness", &a->openness, 1, YC_CODE_MAX));
    TRY(yc__field_req(&d, &left, "parents"));
    TRY(dec_parents(&d, a->parents, &a->nparents));
    TRY(req_u64(&d, &left, "registered_at", &a->registered_at));
    TRY(req_fixed(&d, &left, "registrant", a->registrant, YC_PUBKEY_LEN));
    TRY(req_u64(&d, &left, "retired_at", &a->retired_at));
    TRY(req_text(&d, &left, "sector", &a->sector, 1, YC_CODE_MAX));
    TRY(req_text(&d, &left, "source", &a->source, 1, YC_CODE_MAX));
    TRY(req_u64(&d, &left, "time", &a->time_ms));
    TRY(req_text(&d, &left, "title", &a->title, 1, YC_NAME_MAX));
    if ((r = opt(&d, &left, "usage")) < 0) {
        return r;
    }
    if (r == 1) {
        a->has_usage = true;
        TRY(yc__dec_fixed(&d, a->usage, YC_HASH_LEN, YC_EBADFIELD));
    }
    TRY(req_u64(&d, &left, "version", &a->version));
    TRY(req_u64(&d, &left, "voided_at", &a->voided_at));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

const char *yc_asset_status(const struct yc_asset *a, uint64_t h)
{
    if (a->voided_at != 0) {
        return "void";
    }
    if (a->retired_at != 0) {
        return "retired";
    }
    if (a->certified_at != 0) {
        return "certified";
    }
    return h < a->notice_until ? "notice" : "registered";
}

/* ---- version ---- */

int yc_asset_version_encode(const struct yc_asset_version *v, struct yc_buf *out)
{
    struct yc_enc e;

    yc_enc_init(&e, out);
    yc_enc_map(&e, 3u + (v->note.len > 0 ? 1u : 0u));
    put_bin(&e, "digest", v->digest, YC_HASH_LEN);
    put_u64(&e, "height", v->height);
    if (v->note.len > 0) {
        put_slice(&e, "note", &v->note);
    }
    put_u64(&e, "time", v->time_ms);
    return yc_enc_finish(&e);
}

int yc_asset_version_decode(struct yc_asset_version *v, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;
    int r;

    memset(v, 0, sizeof *v);
    TRY(open_obj(&d, &left, p, len));
    TRY(req_fixed(&d, &left, "digest", v->digest, YC_HASH_LEN));
    TRY(req_u64(&d, &left, "height", &v->height));
    if ((r = opt(&d, &left, "note")) < 0) {
        return r;
    }
    if (r == 1) {
        TRY(yc__dec_text(&d, &v->note, 1, YC_NAME_MAX));
    }
    TRY(req_u64(&d, &left, "time", &v->time_ms));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

/* ---- right ---- */

int yc_right_encode(const struct yc_right_rec *r, struct yc_buf *out)
{
    struct yc_enc e;

    yc_enc_init(&e, out);
    yc_enc_map(&e, 2);
    put_bin(&e, "holder", r->holder, YC_PUBKEY_LEN);
    put_u64(&e, "since", r->since);
    return yc_enc_finish(&e);
}

int yc_right_decode(struct yc_right_rec *r, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(r, 0, sizeof *r);
    TRY(open_obj(&d, &left, p, len));
    TRY(req_fixed(&d, &left, "holder", r->holder, YC_PUBKEY_LEN));
    TRY(req_u64(&d, &left, "since", &r->since));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

/* ---- objection ---- */

int yc_objection_encode(const struct yc_objection *o, struct yc_buf *out)
{
    struct yc_enc e;

    yc_enc_init(&e, out);
    yc_enc_map(&e, 7u + (o->note.len > 0 ? 1u : 0u));
    put_bin(&e, "asset", o->asset, YC_HASH_LEN);
    put_bin(&e, "evidence", o->evidence, YC_HASH_LEN);
    put_u64(&e, "filed_at", o->filed_at);
    if (o->note.len > 0) {
        put_slice(&e, "note", &o->note);
    }
    put_bin(&e, "objector", o->objector, YC_PUBKEY_LEN);
    put_slice(&e, "outcome", &o->outcome);
    put_slice(&e, "reason", &o->reason);
    put_u64(&e, "resolved_at", o->resolved_at);
    return yc_enc_finish(&e);
}

int yc_objection_decode(struct yc_objection *o, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;
    int r;

    memset(o, 0, sizeof *o);
    TRY(open_obj(&d, &left, p, len));
    TRY(req_fixed(&d, &left, "asset", o->asset, YC_HASH_LEN));
    TRY(req_fixed(&d, &left, "evidence", o->evidence, YC_HASH_LEN));
    TRY(req_u64(&d, &left, "filed_at", &o->filed_at));
    if ((r = opt(&d, &left, "note")) < 0) {
        return r;
    }
    if (r == 1) {
        TRY(yc__dec_text(&d, &o->note, 1, YC_NAME_MAX));
    }
    TRY(req_fixed(&d, &left, "objector", o->objector, YC_PUBKEY_LEN));
    TRY(req_text(&d, &left, "outcome", &o->outcome, 1, YC_CODE_MAX));
    TRY(req_text(&d, &left, "reason", &o->reason, 1, YC_CODE_MAX));
    TRY(req_u64(&d, &left, "resolved_at", &o->resolved_at));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

/* ---- license ---- */

int yc_license_encode(const struct yc_license *l, struct yc_buf *out)
{
    struct yc_enc e;

    yc_enc_init(&e, out);
    yc_enc_map(&e, 14);
    put_bin(&e, "asset", l->asset, YC_HASH_LEN);
    put_u64(&e, "fee", l->fee);
    put_u64(&e, "granted_at", l->granted_at);
    put_bin(&e, "licensee", l->licensee, YC_PUBKEY_LEN);
    put_bin(&e, "licensor", l->licensor, YC_PUBKEY_LEN);
    put_u64(&e, "max_uses", l->max_uses);
    put_u64(&e, "not_before", l->not_before);
    yc_enc_cstr(&e, "operations");
    yc__enc_list(&e, &l->operations);
    yc_enc_cstr(&e, "purposes");
    yc__enc_list(&e, &l->purposes);
    put_u64(&e, "revoked_at", l->revoked_at);
    put_slice(&e, "right", &l->right);
    put_u64(&e, "until", l->until);
    put_u64(&e, "uses", l->uses);
    put_slice(&e, "visibility", &l->visibility);
    return yc_enc_finish(&e);
}

int yc_license_decode(struct yc_license *l, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(l, 0, sizeof *l);
    TRY(open_obj(&d, &left, p, len));
    TRY(req_fixed(&d, &left, "asset", l->asset, YC_HASH_LEN));
    TRY(req_u64(&d, &left, "fee", &l->fee));
    TRY(req_u64(&d, &left, "granted_at", &l->granted_at));
    TRY(req_fixed(&d, &left, "licensee", l->licensee, YC_PUBKEY_LEN));
    TRY(req_fixed(&d, &left, "licensor", l->licensor, YC_PUBKEY_LEN));
    TRY(req_u64(&d, &left, "max_uses", &l->max_uses));
    TRY(req_u64(&d, &left, "not_before", &l->not_before));
    TRY(req_list(&d, &left, "operations", &l->operations));
    TRY(req_list(&d, &left, "purposes", &l->purposes));
    TRY(req_u64(&d, &left, "revoked_at", &l->revoked_at));
    TRY(req_text(&d, &left, "right", &l->right, 1, YC_CODE_MAX));
    TRY(req_u64(&d, &left, "until", &l->until));
    TRY(req_u64(&d, &left, "uses", &l->uses));
    TRY(req_text(&d, &left, "visibility", &l->visibility, 1, YC_CODE_MAX));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

const char *yc_license_status(const struct yc_license *l, uint64_t t_ms)
{
    if (l->revoked_at != 0) {
        return "revoked";
    }
    if (t_ms >= l->until) {
        return "expired";
    }
    if (t_ms < l->not_before) {
        return "pending";
    }
    if (l->max_uses != 0 && l->uses >= l->max_uses) {
        return "exhausted";
    }
    return "active";
}

/* ---- carry ---- */

int yc_carry_encode(const struct yc_carry *c, struct yc_buf *out)
{
    struct yc_enc e;
    uint32_t n = 7u + (c->has_package ? 1u : 0u) + (c->reason.len > 0 ? 1u : 0u) +
                 (c->has_asset ? 1u : 0u);

    yc_enc_init(&e, out);
    yc_enc_map(&e, n);
    if (c->has_asset) {
        put_bin(&e, "asset", c->asset, YC_HASH_LEN);
    }
    yc_enc_cstr(&e, "categories");
    yc__enc_list(&e, &c->categories);
    put_u64(&e, "closed_at", c->closed_at);
    put_bin(&e, "holder", c->holder, YC_PUBKEY_LEN);
    if (c->has_package) {
        put_bin(&e, "package", c->package, YC_HASH_LEN);
    }
    if (c->reason.len > 0) {
        put_slice(&e, "reason", &c->reason);
    }
    put_bin(&e, "recipient", c->recipient, YC_PUBKEY_LEN);
    put_u64(&e, "requested_at", c->requested_at);
    put_slice(&e, "status", &c->status);
    put_bin(&e, "subject", c->subject, YC_PUBKEY_LEN);
    return yc_enc_finish(&e);
}

int yc_carry_decode(struct yc_carry *c, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;
    int r;

    memset(c, 0, sizeof *c);
    TRY(open_obj(&d, &left, p, len));
    if ((r = opt(&d, &left, "asset")) < 0) {
        return r;
    }
    if (r == 1) {
        c->has_asset = true;
        TRY(yc__dec_fixed(&d, c->asset, YC_HASH_LEN, YC_EBADFIELD));
    }
    TRY(req_list(&d, &left, "categories", &c->categories));
    TRY(req_u64(&d, &left, "closed_at", &c->closed_at));
    TRY(req_fixed(&d, &left, "holder", c->holder, YC_PUBKEY_LEN));
    if ((r = opt(&d, &left, "package")) < 0) {
        return r;
    }
    if (r == 1) {
        c->has_package = true;
        TRY(yc__dec_fixed(&d, c->package, YC_HASH_LEN, YC_EBADFIELD));
    }
    if ((r = opt(&d, &left, "reason")) < 0) {
        return r;
    }
    if (r == 1) {
        TRY(yc__dec_text(&d, &c->reason, 1, YC_CODE_MAX));
    }
    TRY(req_fixed(&d, &left, "recipient", c->recipient, YC_PUBKEY_LEN));
    TRY(req_u64(&d, &left, "requested_at", &c->requested_at));
    TRY(req_text(&d, &left, "status", &c->status, 1, YC_CODE_MAX));
    TRY(req_fixed(&d, &left, "subject", c->subject, YC_PUBKEY_LEN));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}
