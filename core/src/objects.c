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
#define YC_ROLE_NAME_(e, n, name)                                                                  \
    case e:                                                                                        \
        return name;
        YC_ROLES(YC_ROLE_NAME_)
#undef YC_ROLE_NAME_
    default:
        return NULL;
    }
}

enum yc_role yc_role_from_name(const char *s, size_t len)
{
#define YC_ROLE_FROM_(e, n, name)                                                                  \
    if (s != NULL && len == sizeof(name) - 1 && memcmp(s, name, len) == 0) {                       \
        return e;                                                                                  \
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

bool yc__is_code_set(const struct yc_list *l)
{
    for (uint32_t i = 0; i < l->n; i++) {
        if (!yc__is_code(&l->items[i])) {
            return false;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (slice_same(&l->items[i], &l->items[j])) {
                return false;
            }
        }
    }
    return true;
}

/* ---- keys ---- */

static size_t key_join(uint8_t *key, const char *prefix, const uint8_t *a, size_t alen)
{
    size_t n = strlen(prefix);
    memcpy(key, prefix, n);
    memcpy(key + n, a, alen);
    return n + alen;
}

size_t yc_key_account(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return key_join(key, "account/", pub, YC_PUBKEY_LEN);
}

size_t yc_key_consent(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return key_join(key, "consent/", id, YC_HASH_LEN);
}

size_t yc_key_usage(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return key_join(key, "usage/", id, YC_HASH_LEN);
}

size_t yc_key_evidence(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return key_join(key, "evidence/", id, YC_HASH_LEN);
}

size_t yc_key_idx_consent_subject(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return key_join(key, "idx/consent_subject/", pub, YC_PUBKEY_LEN);
}

size_t yc_key_idx_consent_processor(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return key_join(key, "idx/consent_processor/", pub, YC_PUBKEY_LEN);
}

size_t yc_key_idx_usage_subject(uint8_t *key, const uint8_t pub[YC_PUBKEY_LEN])
{
    return key_join(key, "idx/usage_subject/", pub, YC_PUBKEY_LEN);
}

size_t yc_key_idx_usage_authority(uint8_t *key, const uint8_t id[YC_HASH_LEN])
{
    return key_join(key, "idx/usage_authority/", id, YC_HASH_LEN);
}

/* ---- shared decode plumbing ---- */

/* Opens a stored object: canonical check, then the top-level map. */
static int open_obj(struct yc_dec *d, uint32_t *left, const uint8_t *p, size_t len)
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

/* Maps any schema failure of a stored object to YC_ECORRUPT. */
static int corrupt_if(int rc)
{
    return rc == YC_OK ? YC_OK : YC_ECORRUPT;
}

#define TRY(x)                                                                                     \
    do {                                                                                           \
        int rc_ = (x);                                                                             \
        if (rc_ != YC_OK) {                                                                        \
            return corrupt_if(rc_);                                                                \
        }                                                                                          \
    } while (0)

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
    yc_enc_cstr(&e, "balance");
    yc_enc_uint(&e, a->balance);
    yc_enc_cstr(&e, "credit");
    yc__enc_slice(&e, &a->credit);
    yc_enc_cstr(&e, "jurisdiction");
    yc__enc_slice(&e, &a->jurisdiction);
    yc_enc_cstr(&e, "name");
    yc__enc_slice(&e, &a->name);
    yc_enc_cstr(&e, "nonce");
    yc_enc_uint(&e, a->nonce);
    yc_enc_cstr(&e, "registered_at");
    yc_enc_uint(&e, a->registered_at);
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
    TRY(open_obj(&d, &left, p, len));
    TRY(yc__field_req(&d, &left, "balance"));
    TRY(yc_dec_uint(&d, &a->balance));
    TRY(yc__field_req(&d, &left, "credit"));
    TRY(yc__dec_text(&d, &a->credit, 1, YC_CODE_MAX));
    TRY(yc__field_req(&d, &left, "jurisdiction"));
    TRY(yc__dec_text(&d, &a->jurisdiction, 0, YC_CODE_MAX));
    TRY(yc__field_req(&d, &left, "name"));
    TRY(yc__dec_text(&d, &a->name, 0, YC_NAME_MAX));
    TRY(yc__field_req(&d, &left, "nonce"));
    TRY(yc_dec_uint(&d, &a->nonce));
    TRY(yc__field_req(&d, &left, "registered_at"));
    TRY(yc_dec_uint(&d, &a->registered_at));
    TRY(yc__field_req(&d, &left, "role"));
    TRY(yc__dec_text(&d, &role, 1, YC_CODE_MAX));
    a->role = yc_role_from_name(role.p, role.len);
    if (a->role == YC_ROLE_NONE || left != 0) {
        return YC_ECORRUPT;
    }
    return YC_OK;
}

/* ---- consent ---- */

int yc_consent_encode(const struct yc_consent *c, struct yc_buf *out)
{
    struct yc_enc e;

    yc_enc_init(&e, out);
    yc_enc_map(&e, 15);
    yc_enc_cstr(&e, "categories");
    yc__enc_list(&e, &c->categories);
    yc_enc_cstr(&e, "fee_per_use");
    yc_enc_uint(&e, c->fee_per_use);
    yc_enc_cstr(&e, "granted_at");
    yc_enc_uint(&e, c->granted_at);
    yc_enc_cstr(&e, "jurisdiction");
    yc__enc_slice(&e, &c->jurisdiction);
    yc_enc_cstr(&e, "max_uses");
    yc_enc_uint(&e, c->max_uses);
    yc_enc_cstr(&e, "not_before");
    yc_enc_uint(&e, c->not_before);
    yc_enc_cstr(&e, "onward_transfer");
    yc_enc_bool(&e, c->onward_transfer);
    yc_enc_cstr(&e, "operations");
    yc__enc_list(&e, &c->operations);
    yc_enc_cstr(&e, "processor");
    yc_enc_bin(&e, c->processor, YC_PUBKEY_LEN);
    yc_enc_cstr(&e, "purposes");
    yc__enc_list(&e, &c->purposes);
    yc_enc_cstr(&e, "retention_days");
    yc_enc_uint(&e, c->retention_days);
    yc_enc_cstr(&e, "revoked_at");
    yc_enc_uint(&e, c->revoked_at);
    yc_enc_cstr(&e, "subject");
    yc_enc_bin(&e, c->subject, YC_PUBKEY_LEN);
    yc_enc_cstr(&e, "until");
    yc_enc_uint(&e, c->until);
    yc_enc_cstr(&e, "uses");
    yc_enc_uint(&e, c->uses);
    return finish_enc(&e);
}

int yc_consent_decode(struct yc_consent *c, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;

    memset(c, 0, sizeof *c);
    TRY(open_obj(&d, &left, p, len));
    TRY(yc__field_req(&d, &left, "categories"));
    TRY(yc__dec_list(&d, &c->categories, YC_CODE_MAX));
    TRY(yc__field_req(&d, &left, "fee_per_use"));
    TRY(yc_dec_uint(&d, &c->fee_per_use));
    TRY(yc__field_req(&d, &left, "granted_at"));
    TRY(yc_dec_uint(&d, &c->granted_at));
    TRY(yc__field_req(&d, &left, "jurisdiction"));
    TRY(yc__dec_text(&d, &c->jurisdiction, 0, YC_CODE_MAX));
    TRY(yc__field_req(&d, &left, "max_uses"));
    TRY(yc_dec_uint(&d, &c->max_uses));
    TRY(yc__field_req(&d, &left, "not_before"));
    TRY(yc_dec_uint(&d, &c->not_before));
    TRY(yc__field_req(&d, &left, "onward_transfer"));
    TRY(yc_dec_bool(&d, &c->onward_transfer));
    TRY(yc__field_req(&d, &left, "operations"));
    TRY(yc__dec_list(&d, &c->operations, YC_CODE_MAX));
    TRY(yc__field_req(&d, &left, "processor"));
    TRY(yc__dec_fixed(&d, c->processor, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__field_req(&d, &left, "purposes"));
    TRY(yc__dec_list(&d, &c->purposes, YC_CODE_MAX));
    TRY(yc__field_req(&d, &left, "retention_days"));
    TRY(yc_dec_uint(&d, &c->retention_days));
    TRY(yc__field_req(&d, &left, "revoked_at"));
    TRY(yc_dec_uint(&d, &c->revoked_at));
    TRY(yc__field_req(&d, &left, "subject"));
    TRY(yc__dec_fixed(&d, c->subject, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__field_req(&d, &left, "until"));
    TRY(yc_dec_uint(&d, &c->until));
    TRY(yc__field_req(&d, &left, "uses"));
    TRY(yc_dec_uint(&d, &c->uses));
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
        yc_enc_cstr(&e, "asset");
        yc_enc_bin(&e, u->asset, YC_HASH_LEN);
    }
    yc_enc_cstr(&e, "authority");
    yc_enc_bin(&e, u->authority, YC_HASH_LEN);
    yc_enc_cstr(&e, "authority_kind");
    yc__enc_slice(&e, &u->authority_kind);
    if (u->category.len > 0) {
        yc_enc_cstr(&e, "category");
        yc__enc_slice(&e, &u->category);
    }
    yc_enc_cstr(&e, "fee");
    yc_enc_uint(&e, u->fee);
    yc_enc_cstr(&e, "height");
    yc_enc_uint(&e, u->height);
    if (u->has_input) {
        yc_enc_cstr(&e, "input");
        yc_enc_bin(&e, u->input, YC_HASH_LEN);
    }
    yc_enc_cstr(&e, "operation");
    yc__enc_slice(&e, &u->operation);
    if (u->has_output) {
        yc_enc_cstr(&e, "output");
        yc_enc_bin(&e, u->output, YC_HASH_LEN);
    }
    yc_enc_cstr(&e, "purpose");
    yc__enc_slice(&e, &u->purpose);
    yc_enc_cstr(&e, "subject");
    yc_enc_bin(&e, u->subject, YC_PUBKEY_LEN);
    yc_enc_cstr(&e, "time");
    yc_enc_uint(&e, u->time_ms);
    yc_enc_cstr(&e, "user");
    yc_enc_bin(&e, u->user, YC_PUBKEY_LEN);
    return finish_enc(&e);
}

int yc_usage_decode(struct yc_usage *u, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;
    int r;

    memset(u, 0, sizeof *u);
    TRY(open_obj(&d, &left, p, len));
    if ((r = yc__field_opt(&d, &left, "asset")) < 0) {
        return YC_ECORRUPT;
    }
    if (r == 1) {
        u->has_asset = true;
        TRY(yc__dec_fixed(&d, u->asset, YC_HASH_LEN, YC_EBADFIELD));
    }
    TRY(yc__field_req(&d, &left, "authority"));
    TRY(yc__dec_fixed(&d, u->authority, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__field_req(&d, &left, "authority_kind"));
    TRY(yc__dec_text(&d, &u->authority_kind, 1, YC_CODE_MAX));
    if ((r = yc__field_opt(&d, &left, "category")) < 0) {
        return YC_ECORRUPT;
    }
    if (r == 1) {
        TRY(yc__dec_text(&d, &u->category, 1, YC_CODE_MAX));
    }
    TRY(yc__field_req(&d, &left, "fee"));
    TRY(yc_dec_uint(&d, &u->fee));
    TRY(yc__field_req(&d, &left, "height"));
    TRY(yc_dec_uint(&d, &u->height));
    if ((r = yc__field_opt(&d, &left, "input")) < 0) {
        return YC_ECORRUPT;
    }
    if (r == 1) {
        u->has_input = true;
        TRY(yc__dec_fixed(&d, u->input, YC_HASH_LEN, YC_EBADFIELD));
    }
    TRY(yc__field_req(&d, &left, "operation"));
    TRY(yc__dec_text(&d, &u->operation, 1, YC_CODE_MAX));
    if ((r = yc__field_opt(&d, &left, "output")) < 0) {
        return YC_ECORRUPT;
    }
    if (r == 1) {
        u->has_output = true;
        TRY(yc__dec_fixed(&d, u->output, YC_HASH_LEN, YC_EBADFIELD));
    }
    TRY(yc__field_req(&d, &left, "purpose"));
    TRY(yc__dec_text(&d, &u->purpose, 1, YC_CODE_MAX));
    TRY(yc__field_req(&d, &left, "subject"));
    TRY(yc__dec_fixed(&d, u->subject, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__field_req(&d, &left, "time"));
    TRY(yc_dec_uint(&d, &u->time_ms));
    TRY(yc__field_req(&d, &left, "user"));
    TRY(yc__dec_fixed(&d, u->user, YC_PUBKEY_LEN, YC_EBADFIELD));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}

/* ---- evidence ---- */

int yc_evidence_encode(const struct yc_evidence *ev, struct yc_buf *out)
{
    struct yc_enc e;
    uint32_t n = 5u + (ev->note.len > 0 ? 1u : 0u) + (ev->has_ref ? 1u : 0u);

    yc_enc_init(&e, out);
    yc_enc_map(&e, n);
    yc_enc_cstr(&e, "digest");
    yc_enc_bin(&e, ev->digest, YC_HASH_LEN);
    yc_enc_cstr(&e, "height");
    yc_enc_uint(&e, ev->height);
    yc_enc_cstr(&e, "kind");
    yc__enc_slice(&e, &ev->kind);
    if (ev->note.len > 0) {
        yc_enc_cstr(&e, "note");
        yc__enc_slice(&e, &ev->note);
    }
    if (ev->has_ref) {
        yc_enc_cstr(&e, "ref");
        yc_enc_bin(&e, ev->ref, YC_HASH_LEN);
    }
    yc_enc_cstr(&e, "sender");
    yc_enc_bin(&e, ev->sender, YC_PUBKEY_LEN);
    yc_enc_cstr(&e, "time");
    yc_enc_uint(&e, ev->time_ms);
    return finish_enc(&e);
}

int yc_evidence_decode(struct yc_evidence *ev, const uint8_t *p, size_t len)
{
    struct yc_dec d;
    uint32_t left;
    int r;

    memset(ev, 0, sizeof *ev);
    TRY(open_obj(&d, &left, p, len));
    TRY(yc__field_req(&d, &left, "digest"));
    TRY(yc__dec_fixed(&d, ev->digest, YC_HASH_LEN, YC_EBADFIELD));
    TRY(yc__field_req(&d, &left, "height"));
    TRY(yc_dec_uint(&d, &ev->height));
    TRY(yc__field_req(&d, &left, "kind"));
    TRY(yc__dec_text(&d, &ev->kind, 1, YC_CODE_MAX));
    if ((r = yc__field_opt(&d, &left, "note")) < 0) {
        return YC_ECORRUPT;
    }
    if (r == 1) {
        TRY(yc__dec_text(&d, &ev->note, 1, YC_NAME_MAX));
    }
    if ((r = yc__field_opt(&d, &left, "ref")) < 0) {
        return YC_ECORRUPT;
    }
    if (r == 1) {
        ev->has_ref = true;
        TRY(yc__dec_fixed(&d, ev->ref, YC_HASH_LEN, YC_EBADFIELD));
    }
    TRY(yc__field_req(&d, &left, "sender"));
    TRY(yc__dec_fixed(&d, ev->sender, YC_PUBKEY_LEN, YC_EBADFIELD));
    TRY(yc__field_req(&d, &left, "time"));
    TRY(yc_dec_uint(&d, &ev->time_ms));
    return left == 0 ? YC_OK : YC_ECORRUPT;
}
