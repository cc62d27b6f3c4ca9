/*
 * body.c — canonical transaction bodies. Keys are emitted sorted whatever order the
 * builders add them in; optional fields at their defaults are omitted.
 */
#include "body.h"

#include <string.h>

#include "yc/codec.h"

void body_map_init(struct body_map *m)
{
    memset(m, 0, sizeof *m);
}

void body_map_cleanup(struct body_map *m)
{
    for (size_t i = 0; i < m->n; i++)
        yc_buf_cleanup(&m->f[i].val);
    m->n = 0;
}

/* Starts a field: returns an encoder over its value buffer, or NULL on error. */
static struct yc_buf *field(struct body_map *m, const char *key)
{
    if (m->err != YC_OK)
        return NULL;
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->f[i].key, key) == 0) {
            m->err = YC_EINVAL;
            return NULL;
        }
    }
    if (m->n == BODY_MAX_FIELDS) {
        m->err = YC_ELIMIT;
        return NULL;
    }
    m->f[m->n].key = key;
    yc_buf_init(&m->f[m->n].val, YC_TX_MAX_BYTES);
    return &m->f[m->n++].val;
}

static void done(struct body_map *m, const struct yc_enc *e)
{
    int rc = yc_enc_finish(e);
    if (rc != YC_OK && m->err == YC_OK)
        m->err = rc;
}

void body_put_str(struct body_map *m, const char *key, const char *s)
{
    struct yc_buf *b = field(m, key);
    if (b == NULL)
        return;
    if (!yc_utf8_valid((const uint8_t *)s, strlen(s))) {
        m->err = YC_EUTF8;
        return;
    }
    struct yc_enc e;
    yc_enc_init(&e, b);
    yc_enc_cstr(&e, s);
    done(m, &e);
}

void body_put_uint(struct body_map *m, const char *key, uint64_t v)
{
    struct yc_buf *b = field(m, key);
    if (b == NULL)
        return;
    struct yc_enc e;
    yc_enc_init(&e, b);
    yc_enc_uint(&e, v);
    done(m, &e);
}

void body_put_bool(struct body_map *m, const char *key, bool v)
{
    struct yc_buf *b = field(m, key);
    if (b == NULL)
        return;
    struct yc_enc e;
    yc_enc_init(&e, b);
    yc_enc_bool(&e, v);
    done(m, &e);
}

void body_put_bin(struct body_map *m, const char *key, const uint8_t *p, size_t n)
{
    struct yc_buf *b = field(m, key);
    if (b == NULL)
        return;
    struct yc_enc e;
    yc_enc_init(&e, b);
    yc_enc_bin(&e, p, n);
    done(m, &e);
}

void body_put_list(struct body_map *m, const char *key, const char *csv)
{
    struct {
        const char *p;
        size_t len;
    } items[YC_LIST_MAX];
    uint32_t n = 0;
    if (m->err != YC_OK)
        return;
    const char *s = csv;
    for (;;) {
        size_t len = strcspn(s, ",");
        const char *p = s;
        size_t l = len;
        while (l > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            l--;
        }
        while (l > 0 && (p[l - 1] == ' ' || p[l - 1] == '\t'))
            l--;
        if (l == 0 || l > YC_CODE_MAX) {
            m->err = YC_EBADFIELD;
            return;
        }
        bool dup = false;
        for (uint32_t i = 0; i < n; i++)
            if (items[i].len == l && memcmp(items[i].p, p, l) == 0)
                dup = true;
        if (!dup) {
            if (n == YC_LIST_MAX) {
                m->err = YC_ETOOMANY;
                return;
            }
            items[n].p = p;
            items[n].len = l;
            n++;
        }
        if (s[len] == '\0')
            break;
        s += len + 1;
    }
    struct yc_buf *b = field(m, key);
    if (b == NULL)
        return;
    struct yc_enc e;
    yc_enc_init(&e, b);
    yc_enc_array(&e, n);
    for (uint32_t i = 0; i < n; i++) {
        if (!yc_utf8_valid((const uint8_t *)items[i].p, items[i].len)) {
            m->err = YC_EUTF8;
            return;
        }
        yc_enc_str(&e, items[i].p, items[i].len);
    }
    done(m, &e);
}

int body_map_finish(struct body_map *m, struct yc_buf *out)
{
    if (m->err != YC_OK)
        return m->err;
    /* insertion sort by canonical key order (at most BODY_MAX_FIELDS) */
    for (size_t i = 1; i < m->n; i++) {
        for (size_t j = i; j > 0; j--) {
            const char *a = m->f[j - 1].key, *b = m->f[j].key;
            if (yc_key_cmp(a, strlen(a), b, strlen(b)) <= 0)
                break;
            const char *tk = m->f[j].key;
            struct yc_buf tv = m->f[j].val;
            m->f[j].key = m->f[j - 1].key;
            m->f[j].val = m->f[j - 1].val;
            m->f[j - 1].key = tk;
            m->f[j - 1].val = tv;
        }
    }
    struct yc_enc e;
    yc_enc_init(&e, out);
    yc_enc_map(&e, (uint32_t)m->n);
    for (size_t i = 0; i < m->n; i++) {
        yc_enc_cstr(&e, m->f[i].key);
        yc_enc_raw(&e, m->f[i].val.data, m->f[i].val.len);
    }
    return yc_enc_finish(&e);
}

/* Finishes m into out and cleans it up. */
void body_put_raw(struct body_map *m, const char *key, const uint8_t *p, size_t n)
{
    struct yc_buf *b = field(m, key);
    if (b == NULL)
        return;
    int rc = yc_buf_append(b, p, n);
    if (rc != YC_OK && m->err == YC_OK)
        m->err = rc;
}

void body_put_bins(struct body_map *m, const char *key, const void *items, size_t size, uint32_t n)
{
    const uint8_t *p = items;
    struct yc_buf b;
    struct yc_enc e;
    yc_buf_init(&b, YC_TX_MAX_BYTES);
    yc_enc_init(&e, &b);
    yc_enc_array(&e, n);
    for (uint32_t i = 0; i < n; i++)
        yc_enc_bin(&e, p + (size_t)i * size, size);
    int rc = yc_enc_finish(&e);
    if (rc == YC_OK)
        body_put_raw(m, key, b.data, b.len);
    else if (m->err == YC_OK)
        m->err = rc;
    yc_buf_cleanup(&b);
}

static int finish(struct body_map *m, struct yc_buf *out)
{
    int rc = body_map_finish(m, out);
    body_map_cleanup(m);
    return rc;
}

int body_account_register(struct yc_buf *out, const uint8_t *account, const char *role,
                          const char *name, const char *jurisdiction)
{
    if (role == NULL || name == NULL || jurisdiction == NULL)
        return YC_EINVAL;
    if (strlen(name) > YC_NAME_MAX || strlen(role) > YC_CODE_MAX ||
        strlen(jurisdiction) > YC_CODE_MAX)
        return YC_EBADFIELD;
    struct body_map m;
    body_map_init(&m);
    if (account != NULL)
        body_put_bin(&m, "account", account, YC_PUBKEY_LEN);
    body_put_str(&m, "role", role);
    body_put_str(&m, "name", name);
    body_put_str(&m, "jurisdiction", jurisdiction);
    return finish(&m, out);
}

int body_token(struct yc_buf *out, enum yc_tx_type type, const uint8_t *to, uint64_t amount,
               const char *memo)
{
    bool wants_to = type != YC_TX_TOKEN_REDEEM;
    if ((type != YC_TX_TOKEN_ISSUE && type != YC_TX_TOKEN_TRANSFER && type != YC_TX_TOKEN_REDEEM) ||
        wants_to != (to != NULL))
        return YC_EINVAL;
    if (amount == 0 || (memo != NULL && (memo[0] == '\0' || strlen(memo) > YC_NAME_MAX)))
        return YC_EBADFIELD;
    struct body_map m;
    body_map_init(&m);
    if (to != NULL)
        body_put_bin(&m, "to", to, YC_PUBKEY_LEN);
    body_put_uint(&m, "amount", amount);
    if (memo != NULL)
        body_put_str(&m, "memo", memo);
    return finish(&m, out);
}

int body_consent_grant(struct yc_buf *out, const struct consent_grant_args *g)
{
    if (g == NULL || g->categories == NULL || g->purposes == NULL || g->operations == NULL ||
        g->jurisdiction == NULL)
        return YC_EINVAL;
    if (g->until <= g->not_before || strlen(g->jurisdiction) > YC_CODE_MAX)
        return YC_EBADFIELD;
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, "processor", g->processor, YC_PUBKEY_LEN);
    body_put_list(&m, "categories", g->categories);
    body_put_list(&m, "purposes", g->purposes);
    body_put_list(&m, "operations", g->operations);
    body_put_str(&m, "jurisdiction", g->jurisdiction);
    body_put_uint(&m, "until", g->until);
    if (g->not_before != 0)
        body_put_uint(&m, "not_before", g->not_before);
    if (g->fee_per_use != 0)
        body_put_uint(&m, "fee_per_use", g->fee_per_use);
    if (g->max_uses != 0)
        body_put_uint(&m, "max_uses", g->max_uses);
    if (g->retention_days != 0)
        body_put_uint(&m, "retention_days", g->retention_days);
    if (g->onward_transfer)
        body_put_bool(&m, "onward_transfer", true);
    return finish(&m, out);
}

int body_consent_revoke(struct yc_buf *out, const uint8_t consent[YC_HASH_LEN])
{
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, "consent", consent, YC_HASH_LEN);
    return finish(&m, out);
}

int body_usage_record(struct yc_buf *out, const struct usage_record_args *u)
{
    if (u == NULL || u->purpose == NULL || u->operation == NULL ||
        (u->consent == NULL) == (u->license == NULL))
        return YC_EINVAL;
    if (strlen(u->purpose) > YC_CODE_MAX || strlen(u->operation) > YC_CODE_MAX ||
        (u->category != NULL && (u->category[0] == '\0' || strlen(u->category) > YC_CODE_MAX)))
        return YC_EBADFIELD;
    struct body_map m;
    body_map_init(&m);
    if (u->consent != NULL)
        body_put_bin(&m, "consent", u->consent, YC_HASH_LEN);
    if (u->license != NULL)
        body_put_bin(&m, "license", u->license, YC_HASH_LEN);
    body_put_str(&m, "purpose", u->purpose);
    body_put_str(&m, "operation", u->operation);
    if (u->category != NULL)
        body_put_str(&m, "category", u->category);
    if (u->input != NULL)
        body_put_bin(&m, "input", u->input, YC_HASH_LEN);
    if (u->output != NULL)
        body_put_bin(&m, "output", u->output, YC_HASH_LEN);
    return finish(&m, out);
}

int body_evidence_anchor(struct yc_buf *out, const uint8_t digest[YC_HASH_LEN], const char *kind,
                         const uint8_t *ref, const char *note)
{
    if (kind == NULL)
        return YC_EINVAL;
    if (strlen(kind) > YC_CODE_MAX ||
        (note != NULL && (note[0] == '\0' || strlen(note) > YC_NAME_MAX)))
        return YC_EBADFIELD;
    struct body_map m;
    body_map_init(&m);
    body_put_bin(&m, "digest", digest, YC_HASH_LEN);
    body_put_str(&m, "kind", kind);
    if (ref != NULL)
        body_put_bin(&m, "ref", ref, YC_HASH_LEN);
    if (note != NULL)
        body_put_str(&m, "note", note);
    return finish(&m, out);
}
