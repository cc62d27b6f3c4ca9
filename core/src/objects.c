/*
 * objects.c — state keys, the roles table, and the canonical encodings of the state
 * objects (account, consent, usage, evidence): msgpack maps whose keys are written in
 * sorted order, optional fields omitted when empty so every object has one encoding.
 *
 * Decoders run yc_canon_check first: state bytes are trusted less than code. The account,
 * read and written by every transaction, is decoded and encoded in one pass of its own
 * that checks canonical form as it reads (it accepts exactly what the check and the
 * field readers accepted). Any decode failure of a stored object is YC_ECORRUPT (a local
 * failure, not a verdict).
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

/*
 * The account is written by every transaction (its sender's nonce, balances moved), so
 * it is laid out directly, not through the packer a field at a time: first its size
 * (checking what yc_enc_str checks: a string is valid UTF-8, at most UINT32_MAX bytes,
 * NULL only when empty), then its bytes, the same msgpack-c writes: the shortest header
 * of every integer and string.
 */
static size_t uint_size(uint64_t v)
{
    return v < 0x80 ? 1 : v < 0x100 ? 2 : v < 0x10000 ? 3 : v <= 0xffffffffu ? 5 : 9;
}

static size_t str_size(size_t n)
{
    return (n < 32 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5) + n;
}

static bool str_ok(const struct yc_slice *s)
{
    return s->len == 0 ||
           (s->p != NULL && s->len <= UINT32_MAX && yc_utf8_valid((const uint8_t *)s->p, s->len));
}

static uint8_t *put_be(uint8_t *q, uint64_t v, size_t n)
{
    for (size_t k = n; k > 0; k--) {
        q[k - 1] = (uint8_t)v;
        v >>= 8;
    }
    return q + n;
}

static uint8_t *put_uint(uint8_t *q, uint64_t v)
{
    size_t n = uint_size(v);
    if (n == 1) {
        *q = (uint8_t)v;
        return q + 1;
    }
    *q = n == 2 ? 0xcc : n == 3 ? 0xcd : n == 5 ? 0xce : 0xcf;
    return put_be(q + 1, v, n - 1);
}

static uint8_t *put_str(uint8_t *q, const char *s, size_t n)
{
    if (n < 32) {
        *q++ = (uint8_t)(0xa0u | n);
    } else if (n < 0x100) {
        *q++ = 0xd9;
        *q++ = (uint8_t)n;
    } else if (n < 0x10000) {
        *q++ = 0xda;
        q = put_be(q, n, 2);
    } else {
        *q++ = 0xdb;
        q = put_be(q, n, 4);
    }
    if (n > 0) {
        memcpy(q, s, n);
    }
    return q + n;
}

/* The map's keys, each with its fixstr header: sizeof - 1 + 1 bytes. */
#define AK(lit) (sizeof(lit))

int yc__account_size(const struct yc_account *a, size_t *n)
{
    const char *role = yc_role_name(a->role);

    if (role == NULL || !str_ok(&a->credit) || !str_ok(&a->jurisdiction) || !str_ok(&a->name)) {
        return YC_EINVAL;
    }
    *n = 1 + AK("balance") + uint_size(a->balance) + AK("credit") + str_size(a->credit.len) +
         AK("jurisdiction") + str_size(a->jurisdiction.len) + AK("name") + str_size(a->name.len) +
         AK("nonce") + uint_size(a->nonce) + AK("registered_at") + uint_size(a->registered_at) +
         AK("role") + str_size(strlen(role));
    return YC_OK;
}

#define PUT_KEY(q, lit) put_str((q), (lit), sizeof(lit) - 1)

void yc__account_put(const struct yc_account *a, uint8_t *out)
{
    const char *role = yc_role_name(a->role);
    uint8_t *q = out;

    *q++ = 0x87; /* a fixmap of 7 pairs, keys in order */
    q = PUT_KEY(q, "balance");
    q = put_uint(q, a->balance);
    q = PUT_KEY(q, "credit");
    q = put_str(q, a->credit.p, a->credit.len);
    q = PUT_KEY(q, "jurisdiction");
    q = put_str(q, a->jurisdiction.p, a->jurisdiction.len);
    q = PUT_KEY(q, "name");
    q = put_str(q, a->name.p, a->name.len);
    q = PUT_KEY(q, "nonce");
    q = put_uint(q, a->nonce);
    q = PUT_KEY(q, "registered_at");
    q = put_uint(q, a->registered_at);
    q = PUT_KEY(q, "role");
    (void)put_str(q, role, strlen(role));
}

int yc_account_encode(const struct yc_account *a, struct yc_buf *out)
{
    size_t n;

    if (out == NULL) {
        return YC_EINVAL;
    }
    YC__TRY(yc__account_size(a, &n));
    YC__TRY(yc_buf_reserve(out, n));
    yc__account_put(a, out->data + out->len);
    out->len += n;
    return YC_OK;
}

/*
 * The account is read by every transaction (its sender, its recipient), so its decoder
 * checks canonical form itself, in the one pass that reads the fields, instead of
 * yc_canon_check before the schema's readers. It accepts exactly what the two steps
 * accepted: a fixmap of the seven fields in order (each key a fixstr: the shortest
 * header of a key of at most 31 bytes), each unsigned integer in its shortest form, each
 * string with its shortest header, within its field's lengths and valid UTF-8, and
 * nothing after the map. Anything else is YC_ECORRUPT, as before.
 */
struct acct_rd {
    const uint8_t *p;
    size_t len;
    size_t pos;
};

/* The fixstr key[0..n) (n < 32) next. */
static bool acct_key(struct acct_rd *r, const char *key, size_t n)
{
    if (r->len - r->pos < n + 1 || r->p[r->pos] != (uint8_t)(0xa0u | n) ||
        memcmp(r->p + r->pos + 1, key, n) != 0) {
        return false;
    }
    r->pos += n + 1;
    return true;
}

#define ACCT_KEY(r, lit) acct_key((r), (lit), sizeof(lit) - 1)

/* An unsigned integer in its shortest form next. */
static bool acct_u64(struct acct_rd *r, uint64_t *v)
{
    if (r->pos >= r->len) {
        return false;
    }
    uint8_t b = r->p[r->pos];
    size_t n;
    uint64_t min; /* the smallest value this width is the shortest form of */

    if (b <= 0x7f) {
        *v = b;
        r->pos++;
        return true;
    }
    switch (b) {
    case 0xcc:
        n = 1;
        min = 1u << 7;
        break;
    case 0xcd:
        n = 2;
        min = 1u << 8;
        break;
    case 0xce:
        n = 4;
        min = 1u << 16;
        break;
    case 0xcf:
        n = 8;
        min = (uint64_t)1 << 32;
        break;
    default:
        return false;
    }
    if (r->len - r->pos - 1 < n) {
        return false;
    }
    uint64_t x = 0;
    for (size_t k = 1; k <= n; k++) {
        x = (x << 8) | r->p[r->pos + k];
    }
    if (x < min) {
        return false;
    }
    *v = x;
    r->pos += 1 + n;
    return true;
}

/* A string of minlen..maxlen (<= 255) bytes with its shortest header, valid UTF-8. */
static bool acct_text(struct acct_rd *r, struct yc_slice *s, size_t minlen, size_t maxlen)
{
    if (r->pos >= r->len) {
        return false;
    }
    uint8_t b = r->p[r->pos];
    size_t hdr;
    size_t n;

    if (b >= 0xa0 && b <= 0xbf) {
        hdr = 1;
        n = b & 0x1fu;
    } else if (b == 0xd9 && r->len - r->pos >= 2 && r->p[r->pos + 1] >= 32) {
        hdr = 2;
        n = r->p[r->pos + 1];
    } else {
        return false; /* str16/str32 are the shortest form of no string this short */
    }
    if (n < minlen || n > maxlen || r->len - r->pos - hdr < n ||
        !yc_utf8_valid(r->p + r->pos + hdr, n)) {
        return false;
    }
    s->p = (const char *)(r->p + r->pos + hdr);
    s->len = n;
    r->pos += hdr + n;
    return true;
}

int yc_account_decode(struct yc_account *a, const uint8_t *p, size_t len)
{
    struct acct_rd r = {p, len, 0};
    struct yc_slice role;

    memset(a, 0, sizeof *a);
    if (p == NULL || len == 0 || p[0] != 0x87) { /* a fixmap of 7 pairs */
        return YC_ECORRUPT;
    }
    r.pos = 1;
    if (!ACCT_KEY(&r, "balance") || !acct_u64(&r, &a->balance) || !ACCT_KEY(&r, "credit") ||
        !acct_text(&r, &a->credit, 1, YC_CODE_MAX) || !ACCT_KEY(&r, "jurisdiction") ||
        !acct_text(&r, &a->jurisdiction, 0, YC_CODE_MAX) || !ACCT_KEY(&r, "name") ||
        !acct_text(&r, &a->name, 0, YC_NAME_MAX) || !ACCT_KEY(&r, "nonce") ||
        !acct_u64(&r, &a->nonce) || !ACCT_KEY(&r, "registered_at") ||
        !acct_u64(&r, &a->registered_at) || !ACCT_KEY(&r, "role") ||
        !acct_text(&r, &role, 1, YC_CODE_MAX) || r.pos != len) {
        return YC_ECORRUPT;
    }
    a->role = yc_role_from_name(role.p, role.len);
    return a->role == YC_ROLE_NONE ? YC_ECORRUPT : YC_OK;
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
