/*
 * objects_asset.c — keys and canonical encodings of the asset state objects: assets,
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

size_t yc_key_asset(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return yc__key_join(key, "asset/", id, YC_HASH_LEN);
}

size_t yc_key_asset_versions(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return yc__key_join(key, "asset_version/", id, YC_HASH_LEN);
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
    size_t n = yc__key_join(key, "right/", id, YC_HASH_LEN);
    key[n] = (uint8_t)r;
    return n + 1;
}

size_t yc_key_objection(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return yc__key_join(key, "objection/", id, YC_HASH_LEN);
}

size_t yc_key_license(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return yc__key_join(key, "license/", id, YC_HASH_LEN);
}

size_t yc_key_carry(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return yc__key_join(key, "carry/", id, YC_HASH_LEN);
}

size_t yc_key_idx_asset_digest(uint8_t *key, const uint8_t digest[YC_HASH_LEN])
{
    return yc__key_join(key, "idx/asset_digest/", digest, YC_HASH_LEN);
}

size_t yc_key_idx_asset_holder(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return yc__key_join(key, "idx/asset_holder/", pub, YC_PUBKEY_LEN);
}

size_t yc_key_idx_asset_parent(uint8_t *key, const uint8_t parent[YC_HASH_LEN])
{
    return yc__key_join(key, "idx/asset_parent/", parent, YC_HASH_LEN);
}

size_t yc_key_idx_objection_asset(uint8_t *key, const uint8_t asset[YC_HASH_LEN])
{
    return yc__key_join(key, "idx/objection_asset/", asset, YC_HASH_LEN);
}

size_t yc_key_idx_license_asset(uint8_t *key, const uint8_t asset[YC_HASH_LEN])
{
    return yc__key_join(key, "idx/license_asset/", asset, YC_HASH_LEN);
}

size_t yc_key_idx_license_licensee(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return yc__key_join(key, "idx/license_licensee/", pub, YC_PUBKEY_LEN);
}

size_t yc_key_idx_usage_asset(uint8_t *key, const uint8_t asset[YC_HASH_LEN])
{
    return yc__key_join(key, "idx/usage_asset/", asset, YC_HASH_LEN);
}

size_t yc_key_idx_carry_subject(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return yc__key_join(key, "idx/carry_subject/", pub, YC_PUBKEY_LEN);
}

size_t yc_key_idx_carry_holder(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return yc__key_join(key, "idx/carry_holder/", pub, YC_PUBKEY_LEN);
}

/* Any schema failure of a stored object is YC_ECORRUPT. */
#define TRY(x) YC__TRY_AS((x), YC_ECORRUPT)

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
    yc__put_slice(&e, "catalog", &a->catalog);
    if (cert) {
        yc__put_slice(&e, "certificate", &a->certificate);
    }
    yc__put_u64(&e, "certified_at", a->certified_at);
    yc_enc_cstr(&e, "contributors");
    yc_enc_array(&e, a->ncontributors);
    for (uint32_t i = 0; i < a->ncontributors; i++) {
        yc_enc_array(&e, 2);
        yc_enc_bin(&e, a->contributors[i].pub, YC_PUBKEY_LEN);
        yc_enc_uint(&e, a->contributors[i].bps);
    }
    yc__put_bin(&e, "digest", a->digest, YC_HASH_LEN);
    yc__put_slice(&e, "grade", &a->grade);
    yc__put_u64(&e, "notice_until", a->notice_until);
    yc__put_u64(&e, "objections_open", a->objections_open);
    yc__put_slice(&e, "openness", &a->openness);
    yc_enc_cstr(&e, "parents");
    yc_enc_array(&e, a->nparents);
    for (uint32_t i = 0; i < a->nparents; i++) {
        yc_enc_bin(&e, a->parents[i], YC_HASH_LEN);
    }
    yc__put_u64(&e, "registered_at", a->registered_at);
    yc__put_bin(&e, "registrant", a->registrant, YC_PUBKEY_LEN);
    yc__put_u64(&e, "retired_at", a->retired_at);
    yc__put_slice(&e, "sector", &a->sector);
    yc__put_slice(&e, "source", &a->source);
    yc__put_u64(&e, "time", a->time_ms);
    yc__put_slice(&e, "title", &a->title);
    if (a->has_usage) {
        yc__put_bin(&e, "usage", a->usage, YC_HASH_LEN);
    }
    yc__put_u64(&e, "version", a->version);
    yc__put_u64(&e, "voided_at", a->voided_at);
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

int yc_asset_decode(struct yc_asset *a, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(a, 0, sizeof *a);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__req_text(&d, &left, "catalog", &a->catalog, 1, YC_CODE_MAX));
    TRY(yc__opt_text(&d, &left, "certificate", &a->certificate, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "certified_at", &a->certified_at));
    TRY(yc__field_req(&d, &left, "contributors"));
    TRY(dec_contributors(&d, a));
    TRY(yc__req_fixed(&d, &left, "digest", a->digest, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_text(&d, &left, "grade", &a->grade, 1, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "notice_until", &a->notice_until));
    TRY(yc__req_u64(&d, &left, "objections_open", &a->objections_open));
    TRY(yc__req_text(&d, &left, "openness", &a->openness, 1, YC_CODE_MAX));
    TRY(yc__field_req(&d, &left, "parents"));
    TRY(yc__dec_bins(&d, a->parents, YC_HASH_LEN, YC_PARENTS_MAX, &a->nparents));
    TRY(yc__req_u64(&d, &left, "registered_at", &a->registered_at));
    TRY(yc__req_fixed(&d, &left, "registrant", a->registrant, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "retired_at", &a->retired_at));
    TRY(yc__req_text(&d, &left, "sector", &a->sector, 1, YC_CODE_MAX));
    TRY(yc__req_text(&d, &left, "source", &a->source, 1, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "time", &a->time_ms));
    TRY(yc__req_text(&d, &left, "title", &a->title, 1, YC_NAME_MAX));
    TRY(yc__opt_fixed(&d, &left, "usage", &a->has_usage, a->usage, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "version", &a->version));
    TRY(yc__req_u64(&d, &left, "voided_at", &a->voided_at));
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
    yc__put_bin(&e, "digest", v->digest, YC_HASH_LEN);
    yc__put_u64(&e, "height", v->height);
    if (v->note.len > 0) {
        yc__put_slice(&e, "note", &v->note);
    }
    yc__put_u64(&e, "time", v->time_ms);
    return yc_enc_finish(&e);
}

int yc_asset_version_decode(struct yc_asset_version *v, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(v, 0, sizeof *v);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__req_fixed(&d, &left, "digest", v->digest, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "height", &v->height));
    TRY(yc__opt_text(&d, &left, "note", &v->note, YC_NAME_MAX));
    TRY(yc__req_u64(&d, &left, "time", &v->time_ms));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

/* ---- right ---- */

int yc_right_encode(const struct yc_right_rec *r, struct yc_buf *out)
{
    struct yc_enc e;

    yc_enc_init(&e, out);
    yc_enc_map(&e, 2);
    yc__put_bin(&e, "holder", r->holder, YC_PUBKEY_LEN);
    yc__put_u64(&e, "since", r->since);
    return yc_enc_finish(&e);
}

int yc_right_decode(struct yc_right_rec *r, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(r, 0, sizeof *r);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__req_fixed(&d, &left, "holder", r->holder, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "since", &r->since));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

/* ---- objection ---- */

int yc_objection_encode(const struct yc_objection *o, struct yc_buf *out)
{
    struct yc_enc e;

    yc_enc_init(&e, out);
    yc_enc_map(&e, 7u + (o->note.len > 0 ? 1u : 0u));
    yc__put_bin(&e, "asset", o->asset, YC_HASH_LEN);
    yc__put_bin(&e, "evidence", o->evidence, YC_HASH_LEN);
    yc__put_u64(&e, "filed_at", o->filed_at);
    if (o->note.len > 0) {
        yc__put_slice(&e, "note", &o->note);
    }
    yc__put_bin(&e, "objector", o->objector, YC_PUBKEY_LEN);
    yc__put_slice(&e, "outcome", &o->outcome);
    yc__put_slice(&e, "reason", &o->reason);
    yc__put_u64(&e, "resolved_at", o->resolved_at);
    return yc_enc_finish(&e);
}

int yc_objection_decode(struct yc_objection *o, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(o, 0, sizeof *o);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__req_fixed(&d, &left, "asset", o->asset, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_fixed(&d, &left, "evidence", o->evidence, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "filed_at", &o->filed_at));
    TRY(yc__opt_text(&d, &left, "note", &o->note, YC_NAME_MAX));
    TRY(yc__req_fixed(&d, &left, "objector", o->objector, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_text(&d, &left, "outcome", &o->outcome, 1, YC_CODE_MAX));
    TRY(yc__req_text(&d, &left, "reason", &o->reason, 1, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "resolved_at", &o->resolved_at));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

/* ---- license ---- */

int yc_license_encode(const struct yc_license *l, struct yc_buf *out)
{
    struct yc_enc e;

    yc_enc_init(&e, out);
    yc_enc_map(&e, 14);
    yc__put_bin(&e, "asset", l->asset, YC_HASH_LEN);
    yc__put_u64(&e, "fee", l->fee);
    yc__put_u64(&e, "granted_at", l->granted_at);
    yc__put_bin(&e, "licensee", l->licensee, YC_PUBKEY_LEN);
    yc__put_bin(&e, "licensor", l->licensor, YC_PUBKEY_LEN);
    yc__put_u64(&e, "max_uses", l->max_uses);
    yc__put_u64(&e, "not_before", l->not_before);
    yc__put_list(&e, "operations", &l->operations);
    yc__put_list(&e, "purposes", &l->purposes);
    yc__put_u64(&e, "revoked_at", l->revoked_at);
    yc__put_slice(&e, "right", &l->right);
    yc__put_u64(&e, "until", l->until);
    yc__put_u64(&e, "uses", l->uses);
    yc__put_slice(&e, "visibility", &l->visibility);
    return yc_enc_finish(&e);
}

int yc_license_decode(struct yc_license *l, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(l, 0, sizeof *l);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__req_fixed(&d, &left, "asset", l->asset, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "fee", &l->fee));
    TRY(yc__req_u64(&d, &left, "granted_at", &l->granted_at));
    TRY(yc__req_fixed(&d, &left, "licensee", l->licensee, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_fixed(&d, &left, "licensor", l->licensor, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "max_uses", &l->max_uses));
    TRY(yc__req_u64(&d, &left, "not_before", &l->not_before));
    TRY(yc__req_list(&d, &left, "operations", &l->operations, YC_CODE_MAX));
    TRY(yc__req_list(&d, &left, "purposes", &l->purposes, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "revoked_at", &l->revoked_at));
    TRY(yc__req_text(&d, &left, "right", &l->right, 1, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "until", &l->until));
    TRY(yc__req_u64(&d, &left, "uses", &l->uses));
    TRY(yc__req_text(&d, &left, "visibility", &l->visibility, 1, YC_CODE_MAX));
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
    uint32_t n =
        7u + (c->has_package ? 1u : 0u) + (c->reason.len > 0 ? 1u : 0u) + (c->has_asset ? 1u : 0u);

    yc_enc_init(&e, out);
    yc_enc_map(&e, n);
    if (c->has_asset) {
        yc__put_bin(&e, "asset", c->asset, YC_HASH_LEN);
    }
    yc__put_list(&e, "categories", &c->categories);
    yc__put_u64(&e, "closed_at", c->closed_at);
    yc__put_bin(&e, "holder", c->holder, YC_PUBKEY_LEN);
    if (c->has_package) {
        yc__put_bin(&e, "package", c->package, YC_HASH_LEN);
    }
    if (c->reason.len > 0) {
        yc__put_slice(&e, "reason", &c->reason);
    }
    yc__put_bin(&e, "recipient", c->recipient, YC_PUBKEY_LEN);
    yc__put_u64(&e, "requested_at", c->requested_at);
    yc__put_slice(&e, "status", &c->status);
    yc__put_bin(&e, "subject", c->subject, YC_PUBKEY_LEN);
    return yc_enc_finish(&e);
}

int yc_carry_decode(struct yc_carry *c, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(c, 0, sizeof *c);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__opt_fixed(&d, &left, "asset", &c->has_asset, c->asset, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_list(&d, &left, "categories", &c->categories, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "closed_at", &c->closed_at));
    TRY(yc__req_fixed(&d, &left, "holder", c->holder, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__opt_fixed(&d, &left, "package", &c->has_package, c->package, YC_HASH_LEN,
                      YC_EBADFIELD));
    TRY(yc__opt_text(&d, &left, "reason", &c->reason, YC_CODE_MAX));
    TRY(yc__req_fixed(&d, &left, "recipient", c->recipient, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "requested_at", &c->requested_at));
    TRY(yc__req_text(&d, &left, "status", &c->status, 1, YC_CODE_MAX));
    TRY(yc__req_fixed(&d, &left, "subject", c->subject, YC_PUBKEY_LEN, YC_EBADFIELD));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}
