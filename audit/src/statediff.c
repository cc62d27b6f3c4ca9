/*
 * statediff.c — stored state against replayed state, key by key and field by field
 * (statediff.h).
 *
 * The stored state is read in LevelDB's key order and merged with a sorted view of the
 * replayed state, so every key of either side is visited once. A stored value is rendered
 * only after yc_canon_check accepted it (a damaged value is reported as such, never
 * walked), so the renderers below read checked input only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "yc/alloc.h"
#include "yc/bech32.h"
#include "yc/codec.h"
#include "yc/hash.h"
#include "yc/objects.h"
#include "yc/cliutil.h"
#include "yc/timefmt.h"

#include "statediff.h"

/* ---- bounded text ---- */

struct text {
    char *p;
    size_t cap, len;
};

static void tcat(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void tcat(struct text *t, const char *fmt, ...)
{
    if (t->cap == 0 || t->len + 1 >= t->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    t->len = t->len + (size_t)n >= t->cap ? t->cap - 1 : t->len + (size_t)n;
}

static void thex(struct text *t, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tcat(t, "%02x", p[i]);
}

/* An account key: "yc1…" (or hex if the scheme byte is not BIP-340). */
static void taddr(struct text *t, const uint8_t pub[YC_PUBKEY_LEN])
{
    char a[YC_ADDR_MAX];
    if (yc_addr_encode(a, pub) == YC_OK)
        tcat(t, "%s", a);
    else
        thex(t, pub, YC_PUBKEY_LEN);
}

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- values ---- */

static void render(struct yc_dec *d, struct text *t, int depth);

static void render_bin(struct text *t, const uint8_t *p, size_t n)
{
    char a[YC_ADDR_MAX];
    if (n == YC_PUBKEY_LEN && yc_addr_encode(a, p) == YC_OK) {
        tcat(t, "%s", a);
        return;
    }
    if (n <= 48) {
        thex(t, p, n);
        return;
    }
    thex(t, p, 24);
    tcat(t, "…(%zu bytes)", n);
}

/* Renders the next value of checked input; advances past it. */
static void render(struct yc_dec *d, struct text *t, int depth)
{
    uint64_t u;
    int64_t i;
    bool b;
    const char *s;
    const uint8_t *p;
    size_t n;
    uint32_t cnt;
    switch (yc_dec_peek(d)) {
    case YC_MT_NIL:
        if (yc_dec_nil(d) == YC_OK)
            tcat(t, "nil");
        return;
    case YC_MT_BOOL:
        if (yc_dec_bool(d, &b) == YC_OK)
            tcat(t, "%s", b ? "true" : "false");
        return;
    case YC_MT_UINT:
        if (yc_dec_uint(d, &u) == YC_OK)
            tcat(t, "%llu", (unsigned long long)u);
        return;
    case YC_MT_INT:
        if (yc_dec_int(d, &i) == YC_OK)
            tcat(t, "%lld", (long long)i);
        return;
    case YC_MT_STR:
        if (yc_dec_str(d, &s, &n) == YC_OK)
            tcat(t, "\"%.*s%s\"", (int)(n > 120 ? 120 : n), s, n > 120 ? "…" : "");
        return;
    case YC_MT_BIN:
        if (yc_dec_bin(d, &p, &n) == YC_OK)
            render_bin(t, p, n);
        return;
    case YC_MT_ARRAY:
    case YC_MT_MAP: {
        bool map = yc_dec_peek(d) == YC_MT_MAP;
        if ((map ? yc_dec_map(d, &cnt) : yc_dec_array(d, &cnt)) != YC_OK)
            return;
        tcat(t, map ? "{" : "[");
        for (uint32_t k = 0; k < cnt; k++) {
            if (k > 0)
                tcat(t, ", ");
            if (map) {
                render(d, t, depth + 1); /* the key: a string */
                tcat(t, ": ");
            }
            if (depth > 8) {
                if (yc_dec_skip(d, NULL, NULL) != YC_OK)
                    return;
                tcat(t, "…");
            } else {
                render(d, t, depth + 1);
            }
        }
        tcat(t, map ? "}" : "]");
        return;
    }
    default:
        if (yc_dec_skip(d, NULL, NULL) == YC_OK)
            tcat(t, "?");
        return;
    }
}

static bool canonical(const uint8_t *v, size_t n)
{
    return n > 0 && yc_canon_check(v, n, NULL) == YC_OK;
}

/* A whole value as words: "" as "(empty)", a 32-byte bin as hex, else rendered. */
static void value_words(char *out, size_t outlen, const uint8_t *v, size_t n)
{
    struct text t = {.p = out, .cap = outlen};
    out[0] = '\0';
    if (n == 0) {
        tcat(&t, "(empty)");
        return;
    }
    if (!canonical(v, n)) {
        tcat(&t, "(%zu bytes that are not one canonical MessagePack value: ", n);
        render_bin(&t, v, n);
        tcat(&t, ")");
        return;
    }
    struct yc_dec d;
    yc_dec_init(&d, v, n);
    render(&d, &t, 0);
}

/* ---- keys ---- */

/* Index tails: a = account (33), i = id (32), h = height (u64), n = index in the block
 * (u32), r = right (u8), t = time in ms (u64). The label names each part; the last
 * labelled id is the object the entry points at. */
struct idx_layout {
    const char *name, *parts, *labels[4];
};

static const struct idx_layout IDX[] = {
    {"consent_subject", "ai", {"subject", "consent"}},
    {"consent_processor", "ai", {"processor", "consent"}},
    {"usage_subject", "ahn", {"subject"}},
    {"usage_authority", "ihn", {"authority"}},
    {"usage_asset", "ihn", {"asset"}},
    {"asset_digest", "i", {"digest"}},
    {"asset_holder", "air", {"holder", "asset"}},
    {"asset_parent", "ii", {"parent", "asset"}},
    {"objection_asset", "ii", {"asset", "objection"}},
    {"license_asset", "ii", {"asset", "license"}},
    {"license_licensee", "ai", {"licensee", "license"}},
    {"carry_subject", "ai", {"subject", "carry"}},
    {"carry_holder", "ai", {"holder", "carry"}},
    {"listing_open", "i", {"listing"}},
    {"listing_asset", "ii", {"asset", "listing"}},
    {"bid_listing", "ii", {"listing", "bid"}},
    {"appraisal_listing", "ii", {"listing", "appraisal"}},
    {"deal_time", "ti", {"", "deal"}},
    {"deal_asset", "ii", {"asset", "deal"}},
    {"pledge_asset", "ii", {"asset", "pledge"}},
    {"pledge_party", "ai", {"party", "pledge"}},
    {"export_asset", "ii", {"asset", "assessment"}},
    {"credit_account", "ahn", {"account"}},
};

static size_t part_len(char c)
{
    switch (c) {
    case 'a':
        return YC_PUBKEY_LEN;
    case 'i':
        return YC_HASH_LEN;
    case 'h':
    case 't':
        return 8;
    case 'n':
        return 4;
    default:
        return 1;
    }
}

static void idx_words(struct text *t, const char *name, size_t nlen, const uint8_t *tail,
                      size_t tlen)
{
    const struct idx_layout *L = NULL;
    for (size_t k = 0; k < sizeof IDX / sizeof IDX[0]; k++) {
        if (strlen(IDX[k].name) == nlen && memcmp(IDX[k].name, name, nlen) == 0)
            L = &IDX[k];
    }
    tcat(t, "index %.*s: entry", (int)nlen, name);
    size_t need = 0;
    int main_at = -1, lab = 0;
    if (L != NULL) {
        for (const char *c = L->parts; *c; c++) {
            need += part_len(*c);
            if (*c == 'a' || *c == 'i') {
                if (*c == 'i')
                    main_at = lab;
                lab++;
            }
        }
    }
    if (L == NULL || need != tlen) {
        tcat(t, " ");
        thex(t, tail, tlen);
        return;
    }
    /* the object the entry points at first, then the rest in parentheses */
    size_t off = 0;
    int li = 0;
    for (const char *c = L->parts; *c; c++) {
        if ((*c == 'a' || *c == 'i') && li++ == main_at) {
            tcat(t, " for %s ", L->labels[main_at]);
            thex(t, tail + off, YC_HASH_LEN);
        }
        off += part_len(*c);
    }
    bool open = false;
    off = 0;
    li = 0;
    for (const char *c = L->parts; *c; c++) {
        const uint8_t *p = tail + off;
        off += part_len(*c);
        bool is_main = (*c == 'a' || *c == 'i') && li == main_at;
        if (*c == 'a' || *c == 'i')
            li++;
        if (is_main)
            continue;
        tcat(t, open ? ", " : " (");
        open = true;
        switch (*c) {
        case 'a':
            tcat(t, "%s ", L->labels[li - 1]);
            taddr(t, p);
            break;
        case 'i':
            tcat(t, "%s ", L->labels[li - 1]);
            thex(t, p, YC_HASH_LEN);
            break;
        case 'h':
            tcat(t, "height %llu", (unsigned long long)be64(p));
            break;
        case 'n':
            tcat(t, "index %u", be32(p));
            break;
        case 'r': {
            const char *r = yc_right_name((enum yc_right)p[0]);
            tcat(t, "right %s", r != NULL ? r : "?");
            break;
        }
        case 't': {
            char ts[YC_TIME_STR_MAX];
            yc_time_rfc3339(ts, be64(p));
            tcat(t, "time %s", ts);
            break;
        }
        default:
            break;
        }
    }
    if (open)
        tcat(t, ")");
}

/* The "name" field of an account value, if it has one. */
static bool account_name(const uint8_t *v, size_t n, const char **s, size_t *len)
{
    struct yc_account a;
    if (v == NULL || !canonical(v, n) || yc_account_decode(&a, v, n) != YC_OK || a.name.len == 0)
        return false;
    *s = (const char *)a.name.p;
    *len = a.name.len;
    return true;
}

void audit_key_words(char *out, size_t outlen, const uint8_t *key, size_t klen, const uint8_t *val,
                     size_t vlen)
{
    struct text t = {.p = out, .cap = outlen};
    if (outlen == 0)
        return;
    out[0] = '\0';
    const uint8_t *slash = memchr(key, '/', klen);
    if (slash == NULL) {
        tcat(&t, "%.*s", (int)klen, (const char *)key);
        return;
    }
    size_t plen = (size_t)(slash - key);
    const uint8_t *tail = slash + 1;
    size_t tlen = klen - plen - 1;
    if (plen == 3 && memcmp(key, "idx", 3) == 0) {
        const uint8_t *s2 = memchr(tail, '/', tlen);
        if (s2 != NULL) {
            size_t nlen = (size_t)(s2 - tail);
            idx_words(&t, (const char *)tail, nlen, s2 + 1, tlen - nlen - 1);
            return;
        }
    }
    tcat(&t, "%.*s ", (int)plen, (const char *)key);
    if (tlen == YC_PUBKEY_LEN) {
        taddr(&t, tail);
        const char *name;
        size_t nl;
        if (plen == 7 && memcmp(key, "account", 7) == 0 && account_name(val, vlen, &name, &nl))
            tcat(&t, " (%.*s)", (int)(nl > 60 ? 60 : nl), name);
    } else if (tlen == YC_HASH_LEN) {
        thex(&t, tail, tlen);
    } else if (tlen == YC_HASH_LEN + 1 && plen == 5 && memcmp(key, "right", 5) == 0) {
        const char *r = yc_right_name((enum yc_right)tail[YC_HASH_LEN]);
        tcat(&t, "of asset ");
        thex(&t, tail, YC_HASH_LEN);
        tcat(&t, ", right %s", r != NULL ? r : "?");
    } else if (tlen == YC_HASH_LEN + 8) {
        thex(&t, tail, YC_HASH_LEN);
        tcat(&t, " #%llu", (unsigned long long)be64(tail + YC_HASH_LEN));
    } else {
        size_t i = 0;
        while (i < tlen && tail[i] >= 0x20 && tail[i] < 0x7f)
            i++;
        if (i == tlen)
            tcat(&t, "%.*s", (int)tlen, (const char *)tail);
        else
            thex(&t, tail, tlen);
    }
}

/* ---- differences ---- */

void audit_diff_note(struct audit_result *res, const char *object, const char *field,
                     const char *stored, const char *replayed, const char *text)
{
    res->diff_total++;
    if (res->ndiffs >= AUDIT_MAX_DIFFS)
        return;
    struct audit_diff *d = &res->diffs[res->ndiffs++];
    snprintf(d->object, sizeof d->object, "%s", object != NULL ? object : "");
    snprintf(d->field, sizeof d->field, "%s", field != NULL ? field : "");
    snprintf(d->stored, sizeof d->stored, "%s", stored != NULL ? stored : "");
    snprintf(d->replayed, sizeof d->replayed, "%s", replayed != NULL ? replayed : "");
    snprintf(d->text, sizeof d->text, "%s", text != NULL ? text : "");
}

#define MAX_FIELDS 64

struct field {
    const char *k;
    size_t klen;
    const uint8_t *v; /* the raw value */
    size_t vlen;
};

/* Splits a canonical map into its fields; false if it is no map or has too many. */
static bool split_map(const uint8_t *v, size_t n, struct field *f, uint32_t *nf)
{
    struct yc_dec d;
    uint32_t cnt;
    yc_dec_init(&d, v, n);
    if (yc_dec_peek(&d) != YC_MT_MAP || yc_dec_map(&d, &cnt) != YC_OK || cnt > MAX_FIELDS)
        return false;
    for (uint32_t i = 0; i < cnt; i++) {
        if (yc_dec_str(&d, &f[i].k, &f[i].klen) != YC_OK ||
            yc_dec_skip(&d, &f[i].v, &f[i].vlen) != YC_OK)
            return false;
    }
    *nf = cnt;
    return true;
}

static void one_value(char *out, size_t outlen, const uint8_t *v, size_t n)
{
    struct text t = {.p = out, .cap = outlen};
    struct yc_dec d;
    out[0] = '\0';
    yc_dec_init(&d, v, n);
    render(&d, &t, 1);
}

static bool is_index(const uint8_t *key, size_t klen)
{
    return klen > 4 && memcmp(key, "idx/", 4) == 0;
}

/* The same key on both sides, different values. */
static void changed(struct audit_result *res, const uint8_t *key, size_t klen, const uint8_t *sv,
                    size_t sl, const uint8_t *rv, size_t rl)
{
    char obj[300], a[200], b[200], text[1000];
    audit_key_words(obj, sizeof obj, key, klen, rv, rl);
    struct field sf[MAX_FIELDS], rf[MAX_FIELDS];
    uint32_t ns = 0, nr = 0;
    if (canonical(sv, sl) && canonical(rv, rl) && split_map(sv, sl, sf, &ns) &&
        split_map(rv, rl, rf, &nr)) {
        uint32_t i = 0, j = 0;
        while (i < ns || j < nr) {
            int c = i >= ns   ? 1
                    : j >= nr ? -1
                              : yc_key_cmp(sf[i].k, sf[i].klen, rf[j].k, rf[j].klen);
            char field[64];
            if (c == 0 && sf[i].vlen == rf[j].vlen && memcmp(sf[i].v, rf[j].v, sf[i].vlen) == 0) {
                i++;
                j++;
                continue;
            }
            if (c <= 0) {
                snprintf(field, sizeof field, "%.*s", (int)sf[i].klen, sf[i].k);
                one_value(a, sizeof a, sf[i].v, sf[i].vlen);
            } else {
                snprintf(field, sizeof field, "%.*s", (int)rf[j].klen, rf[j].k);
                snprintf(a, sizeof a, "(absent)");
            }
            if (c >= 0)
                one_value(b, sizeof b, rf[j].v, rf[j].vlen);
            else
                snprintf(b, sizeof b, "(absent)");
            snprintf(text, sizeof text, "%s %s: stored %s, replayed %s", obj, field, a, b);
            audit_diff_note(res, obj, field, a, b, text);
            if (c <= 0)
                i++;
            if (c >= 0)
                j++;
        }
        return;
    }
    value_words(a, sizeof a, sv, sl);
    value_words(b, sizeof b, rv, rl);
    snprintf(text, sizeof text, "%s%s value: stored %s, replayed %s", obj,
             is_index(key, klen) ? "" : ":", a, b);
    audit_diff_note(res, obj, "value", a, b, text);
}

static void missing(struct audit_result *res, const struct memstate_kv *kv)
{
    char obj[300], b[200], text[1000];
    audit_key_words(obj, sizeof obj, kv->key, kv->klen, kv->val, kv->vlen);
    value_words(b, sizeof b, kv->val, kv->vlen);
    if (is_index(kv->key, kv->klen))
        snprintf(text, sizeof text, "%s missing from the stored state", obj);
    else
        snprintf(text, sizeof text, "%s: missing from the stored state (replayed %s)", obj, b);
    audit_diff_note(res, obj, "", "(absent)", b, text);
}

static void extra(struct audit_result *res, const uint8_t *key, size_t klen, const uint8_t *v,
                  size_t n)
{
    char obj[300], a[200], text[1000];
    audit_key_words(obj, sizeof obj, key, klen, v, n);
    value_words(a, sizeof a, v, n);
    if (is_index(key, klen))
        snprintf(text, sizeof text, "%s in the stored state, never written by the ledger", obj);
    else
        snprintf(text, sizeof text, "%s: in the stored state (%s), never written by the ledger",
                 obj, a);
    audit_diff_note(res, obj, "", a, "(absent)", text);
}

static int key_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    size_t n = al < bl ? al : bl;
    int c = n > 0 ? memcmp(a, b, n) : 0;
    return c != 0 ? c : (al < bl ? -1 : (al > bl ? 1 : 0));
}

struct merge {
    struct audit_result *res;
    const struct memstate_kv *kv;
    size_t n, i;
    uint64_t stored;
};

static int merge_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct merge *m = ctx;
    m->stored++;
    while (m->i < m->n && key_cmp(m->kv[m->i].key, m->kv[m->i].klen, key, klen) < 0)
        missing(m->res, &m->kv[m->i++]);
    if (m->i < m->n && key_cmp(m->kv[m->i].key, m->kv[m->i].klen, key, klen) == 0) {
        const struct memstate_kv *r = &m->kv[m->i++];
        if (r->vlen != vlen || (vlen > 0 && memcmp(r->val, val, vlen) != 0))
            changed(m->res, key, klen, val, vlen, r->val, r->vlen);
        return 0;
    }
    extra(m->res, key, klen, val, vlen);
    return 0;
}

/* The common case first: every stored key has the same value in the replayed state, and
 * the two hold as many keys, so neither holds one the other lacks. One look-up per stored
 * key and no sort; at the first difference it stops (returns 1), and the ordered merge
 * below finds and words every difference. */
struct same {
    memstate *m;
    size_t stored;
};

static int same_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    struct same *q = ctx;
    const uint8_t *v = NULL;
    size_t vl = 0;
    q->stored++;
    if (memstate_get(q->m, key, klen, &v, &vl) != YC_OK || vl != vlen ||
        (vlen > 0 && memcmp(v, val, vlen) != 0))
        return 1;
    return 0;
}

int audit_state_diff(store *st, memstate *m, struct audit_result *res, char *msg, size_t msglen)
{
    size_t live = 0;
    if (memstate_count(m, &live)) {
        struct same q = {.m = m};
        int rc = store_scan_state(st, (const uint8_t *)"", 0, 0, same_cb, &q);
        if (rc == YC_OK && q.stored == live)
            return YC_OK;
        if (rc < 0) {
            snprintf(msg, msglen, "reading the node's stored state: %s", store_last_error(st));
            return rc == YC_ENOMEM ? rc : YC_EIO;
        }
    }
    struct merge mg = {.res = res};
    struct memstate_kv *kv = NULL;
    int rc = memstate_sorted(m, NULL, 0, &kv, &mg.n);
    if (rc != YC_OK) {
        snprintf(msg, msglen, "out of memory comparing the stored state");
        return rc;
    }
    mg.kv = kv;
    uint64_t before = res->diff_total;
    rc = store_scan_state(st, (const uint8_t *)"", 0, 0, merge_cb, &mg);
    if (rc != YC_OK) {
        yc_free(kv);
        snprintf(msg, msglen, "reading the node's stored state: %s", store_last_error(st));
        return rc == YC_ENOMEM ? rc : YC_EIO;
    }
    while (mg.i < mg.n)
        missing(res, &kv[mg.i++]);
    yc_free(kv);
    uint64_t found = res->diff_total - before;
    if (found == 0)
        return YC_OK;
    snprintf(msg, msglen,
             "%llu difference%s between the node's stored state (%llu keys) and the replayed "
             "state (%zu keys)%s",
             (unsigned long long)found, found == 1 ? "" : "s", (unsigned long long)mg.stored, mg.n,
             found > AUDIT_MAX_DIFFS ? "; the first 10 follow" : "");
    return YC_EDIVERGED;
}
