/*
 * objects.c — state keys, the roles table, and the canonical encodings of the state
 * objects (account, consent, usage, evidence): msgpack maps whose keys are written in
 * sorted order, optional fields omitted when empty so every object has one encoding.
 *
 * Decoders run yc_canon_check first: state bytes are trusted less than code. Any
 * decode failure of a stored object is YC_ECORRUPT (a local failure, not a verdict).
 */
#include <string.h>

#include "ledger_int.h"
#include "yc/codec.h"
#include "yc/objects.h"

/* ---- roles ---- */

const char *yc_role_name(enum yc_role r)
{
    switch (r) {
#define YC_ROLE_NAME_(e, n, name) \
    case e:                       \
        return name;
        YC_ROLES(YC_ROLE_NAME_)
#undef YC_ROLE_NAME_
    default:
        return NULL;
    }
}

enum yc_role yc_role_from_name(const char *s, size_t len)
{
#define YC_ROLE_FROM_(e, n, name)                                            \
    if (s != NULL && len == sizeof(name) - 1 && memcmp(s, name, len) == 0) { \
        return e;                                                            \
    }
    YC_ROLES(YC_ROLE_FROM_)
#undef YC_ROLE_FROM_
    return YC_ROLE_NONE;
}

/* ---- syntax ---- */

bool yc__slice_eq(const struct yc_slice *s, const char *cstr)
{
    size_t n = strlen(cstr);
    return s->len == n && (n == 0 || memcmp(s->p, cstr, n) == 0);
}

static bool is_code_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' ||
           c == '-';
}

bool yc__is_code(const struct yc_slice *s)
{
    if (s->len < 1 || s->len > YC_CODE_MAX) {
        return false;
    }
    for (size_t i = 0; i < s->len; i++) {
        if (!is_code_char(s->p[i])) {
            return false;
        }
    }
    return true;
}

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

bool yc__is_jurisdiction(const struct yc_slice *s)
{
    if (s->len != 2 && (s->len < 4 || s->len > 6)) {
        return false;
    }
    if (!is_upper(s->p[0]) || !is_upper(s->p[1])) {
        return false;
    }
    if (s->len == 2) {
        return true;
    }
    if (s->p[2] != '-') {
        return false;
    }
    for (size_t i = 3; i < s->len; i++) {
        if (!is_upper(s->p[i]) && !(s->p[i] >= '0' && s->p[i] <= '9')) {
            return false;
        }
    }
    return true;
}

static bool slice_same(const struct yc_slice *a, const struct yc_slice *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

bool yc__list_has(const struct yc_list *l, const struct yc_slice *s)
{
    for (uint32_t i = 0; i < l->n; i++) {
        if (slice_same(&l->items[i], s)) {
            return true;
        }
    }
    return false;
}

/* ---- keys ---- */

size_t yc__key_join(uint8_t *key, const char *prefix, const uint8_t *a, size_t alen)
{
    size_t n = strlen(prefix);
    memcpy(key, prefix, n);
    if (alen > 0) {
        memcpy(key + n, a, alen);
    }
    return n + alen;
}

size_t yc_key_account(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return yc__key_join(key, "account/", pub, YC_PUBKEY_LEN);
}

size_t yc_key_consent(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return yc__key_join(key, "consent/", id, YC_HASH_LEN);
}

size_t yc_key_usage(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return yc__key_join(key, "usage/", id, YC_HASH_LEN);
}

size_t yc_key_evidence(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return yc__key_join(key, "evidence/", id, YC_HASH_LEN);
}

size_t yc_key_idx_consent_subject(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return yc__key_join(key, "idx/consent_subject/", pub, YC_PUBKEY_LEN);
}

size_t yc_key_idx_consent_processor(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return yc__key_join(key, "idx/consent_processor/", pub, YC_PUBKEY_LEN);
}

size_t yc_key_idx_usage_subject(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return yc__key_join(key, "idx/usage_subject/", pub, YC_PUBKEY_LEN);
}

size_t yc_key_idx_usage_authority(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return yc__key_join(key, "idx/usage_authority/", id, YC_HASH_LEN);
}

/* ---- shared decode plumbing ---- */

int yc__obj_open(struct yc_dec *d, uint32_t *left, const uint8_t *p, size_t len)
{
    if (p == NULL || yc_canon_check(p, len, &YC_LIMITS_DEFAULT) != YC_OK) {
        return YC_ECORRUPT;
    }
    yc_dec_init(d, p, len);
    if (yc_dec_map(d, left) != YC_OK) {
        return YC_ECORRUPT;
    }
    return YC_OK;
}

/* Any schema failure of a stored object is YC_ECORRUPT. */
#define TRY(x) YC__TRY_AS((x), YC_ECORRUPT)

static int finish_enc(const struct yc_enc *e)
{
    return yc_enc_finish(e);
}

/* ---- account ---- */

int yc_account_encode(const struct yc_account *a, struct yc_buf *out)
{
    const char *role = yc_role_name(a->role);
    struct yc_enc e;

    if (role == NULL) {
        return YC_EINVAL;
    }
    yc_enc_init(&e, out);
    yc_enc_map(&e, 7);
    yc__put_u64(&e, "balance", a->balance);
    yc__put_slice(&e, "credit", &a->credit);
    yc__put_slice(&e, "jurisdiction", &a->jurisdiction);
    yc__put_slice(&e, "name", &a->name);
    yc__put_u64(&e, "nonce", a->nonce);
    yc__put_u64(&e, "registered_at", a->registered_at);
    yc_enc_cstr(&e, "role");
    yc_enc_cstr(&e, role);
    return finish_enc(&e);
}

int yc_account_decode(struct yc_account *a, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;
    struct yc_slice role;

    memset(a, 0, sizeof *a);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__req_u64(&d, &left, "balance", &a->balance));
    TRY(yc__req_text(&d, &left, "credit", &a->credit, 1, YC_CODE_MAX));
    TRY(yc__req_text(&d, &left, "jurisdiction", &a->jurisdiction, 0, YC_CODE_MAX));
    TRY(yc__req_text(&d, &left, "name", &a->name, 0, YC_NAME_MAX));
    TRY(yc__req_u64(&d, &left, "nonce", &a->nonce));
    TRY(yc__req_u64(&d, &left, "registered_at", &a->registered_at));
    TRY(yc__req_text(&d, &left, "role", &role, 1, YC_CODE_MAX));
    a->role = yc_role_from_name(role.p, role.len);
    if (a->role == YC_ROLE_NONE || left != 0) {
        return YC_ECORRUPT;
    }
    return YC_OK;
}

int yc_account_nonce(const uint8_t *p, size_t len, uint64_t *nonce)
{
    struct yc_dec d;
    uint32_t left;

    if (p == NULL) {
        return YC_ECORRUPT;
    }
    yc_dec_init(&d, p, len);
    TRY(yc_dec_map(&d, &left));
    while (left-- > 0) {
        const char *k;
        size_t klen;
        TRY(yc_dec_str(&d, &k, &klen));
        if (klen == 5 && memcmp(k, "nonce", 5) == 0) {
            return yc_dec_uint(&d, nonce) == YC_OK ? YC_OK : YC_ECORRUPT;
        }
        const uint8_t *skipped;
        size_t skipped_len;
        TRY(yc_dec_skip(&d, &skipped, &skipped_len));
    }
    return YC_ECORRUPT;
}

/* ---- consent ---- */

int yc_consent_encode(const struct yc_consent *c, struct yc_buf *out)
{
    struct yc_enc e;

    yc_enc_init(&e, out);
    yc_enc_map(&e, 15);
    yc__put_list(&e, "categories", &c->categories);
    yc__put_u64(&e, "fee_per_use", c->fee_per_use);
    yc__put_u64(&e, "granted_at", c->granted_at);
    yc__put_slice(&e, "jurisdiction", &c->jurisdiction);
    yc__put_u64(&e, "max_uses", c->max_uses);
    yc__put_u64(&e, "not_before", c->not_before);
    yc_enc_cstr(&e, "onward_transfer");
    yc_enc_bool(&e, c->onward_transfer);
    yc__put_list(&e, "operations", &c->operations);
    yc__put_bin(&e, "processor", c->processor, YC_PUBKEY_LEN);
    yc__put_list(&e, "purposes", &c->purposes);
    yc__put_u64(&e, "retention_days", c->retention_days);
    yc__put_u64(&e, "revoked_at", c->revoked_at);
    yc__put_bin(&e, "subject", c->subject, YC_PUBKEY_LEN);
    yc__put_u64(&e, "until", c->until);
    yc__put_u64(&e, "uses", c->uses);
    return finish_enc(&e);
}

int yc_consent_decode(struct yc_consent *c, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(c, 0, sizeof *c);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__req_list(&d, &left, "categories", &c->categories, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "fee_per_use", &c->fee_per_use));
    TRY(yc__req_u64(&d, &left, "granted_at", &c->granted_at));
    TRY(yc__req_text(&d, &left, "jurisdiction", &c->jurisdiction, 0, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "max_uses", &c->max_uses));
    TRY(yc__req_u64(&d, &left, "not_before", &c->not_before));
    TRY(yc__field_req(&d, &left, "onward_transfer"));
    TRY(yc_dec_bool(&d, &c->onward_transfer));
    TRY(yc__req_list(&d, &left, "operations", &c->operations, YC_CODE_MAX));
    TRY(yc__req_fixed(&d, &left, "processor", c->processor, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_list(&d, &left, "purposes", &c->purposes, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "retention_days", &c->retention_days));
    TRY(yc__req_u64(&d, &left, "revoked_at", &c->revoked_at));
    TRY(yc__req_fixed(&d, &left, "subject", c->subject, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "until", &c->until));
    TRY(yc__req_u64(&d, &left, "uses", &c->uses));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

const char *yc_consent_status(const struct yc_consent *c, uint64_t t_ms)
{
    if (c->revoked_at != 0) {
        return "revoked";
    }
    if (t_ms >= c->until) {
        return "expired";
    }
    if (t_ms < c->not_before) {
        return "pending";
    }
    if (c->max_uses != 0 && c->uses >= c->max_uses) {
        return "exhausted";
    }
    return "active";
}

/* ---- usage ---- */

int yc_usage_encode(const struct yc_usage *u, struct yc_buf *out)
{
    struct yc_enc e;
    uint32_t n = 9u + (u->category.len > 0 ? 1u : 0u) + (u->has_input ? 1u : 0u) +
                 (u->has_output ? 1u : 0u) + (u->has_asset ? 1u : 0u);

    yc_enc_init(&e, out);
    yc_enc_map(&e, n);
    if (u->has_asset) {
        yc__put_bin(&e, "asset", u->asset, YC_HASH_LEN);
    }
    yc__put_bin(&e, "authority", u->authority, YC_HASH_LEN);
    yc__put_slice(&e, "authority_kind", &u->authority_kind);
    if (u->category.len > 0) {
        yc__put_slice(&e, "category", &u->category);
    }
    yc__put_u64(&e, "fee", u->fee);
    yc__put_u64(&e, "height", u->height);
    if (u->has_input) {
        yc__put_bin(&e, "input", u->input, YC_HASH_LEN);
    }
    yc__put_slice(&e, "operation", &u->operation);
    if (u->has_output) {
        yc__put_bin(&e, "output", u->output, YC_HASH_LEN);
    }
    yc__put_slice(&e, "purpose", &u->purpose);
    yc__put_bin(&e, "subject", u->subject, YC_PUBKEY_LEN);
    yc__put_u64(&e, "time", u->time_ms);
    yc__put_bin(&e, "user", u->user, YC_PUBKEY_LEN);
    return finish_enc(&e);
}

int yc_usage_decode(struct yc_usage *u, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(u, 0, sizeof *u);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__opt_fixed(&d, &left, "asset", &u->has_asset, u->asset, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_fixed(&d, &left, "authority", u->authority, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_text(&d, &left, "authority_kind", &u->authority_kind, 1, YC_CODE_MAX));
    TRY(yc__opt_text(&d, &left, "category", &u->category, YC_CODE_MAX));
    TRY(yc__req_u64(&d, &left, "fee", &u->fee));
    TRY(yc__req_u64(&d, &left, "height", &u->height));
    TRY(yc__opt_fixed(&d, &left, "input", &u->has_input, u->input, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_text(&d, &left, "operation", &u->operation, 1, YC_CODE_MAX));
    TRY(yc__opt_fixed(&d, &left, "output", &u->has_output, u->output, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_text(&d, &left, "purpose", &u->purpose, 1, YC_CODE_MAX));
    TRY(yc__req_fixed(&d, &left, "subject", u->subject, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "time", &u->time_ms));
    TRY(yc__req_fixed(&d, &left, "user", u->user, YC_PUBKEY_LEN, YC_EBADFIELD));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

/* ---- evidence ---- */

int yc_evidence_encode(const struct yc_evidence *ev, struct yc_buf *out)
{
    struct yc_enc e;
    uint32_t n = 5u + (ev->note.len > 0 ? 1u : 0u) + (ev->has_ref ? 1u : 0u);

    yc_enc_init(&e, out);
    yc_enc_map(&e, n);
    yc__put_bin(&e, "digest", ev->digest, YC_HASH_LEN);
    yc__put_u64(&e, "height", ev->height);
    yc__put_slice(&e, "kind", &ev->kind);
    if (ev->note.len > 0) {
        yc__put_slice(&e, "note", &ev->note);
    }
    if (ev->has_ref) {
        yc__put_bin(&e, "ref", ev->ref, YC_HASH_LEN);
    }
    yc__put_bin(&e, "sender", ev->sender, YC_PUBKEY_LEN);
    yc__put_u64(&e, "time", ev->time_ms);
    return finish_enc(&e);
}

int yc_evidence_decode(struct yc_evidence *ev, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(ev, 0, sizeof *ev);
    TRY(yc__obj_open(&d, &left, p, len));
    TRY(yc__req_fixed(&d, &left, "digest", ev->digest, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "height", &ev->height));
    TRY(yc__req_text(&d, &left, "kind", &ev->kind, 1, YC_CODE_MAX));
    TRY(yc__opt_text(&d, &left, "note", &ev->note, YC_NAME_MAX));
    TRY(yc__opt_fixed(&d, &left, "ref", &ev->has_ref, ev->ref, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__req_fixed(&d, &left, "sender", ev->sender, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__req_u64(&d, &left, "time", &ev->time_ms));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}
