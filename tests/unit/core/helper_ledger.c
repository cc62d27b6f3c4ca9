/*
 * helper_ledger.c — see helper_ledger.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_ledger.h"
#include "yc/alloc.h"
#include "yc/block.h"
#include "yc/codec.h"
#include "yc/hash.h"
#include "yc/keys.h"
#include "yc/txschema.h"

/* ---- in-memory state ---- */

struct mem_kv {
    uint8_t *key;
    size_t klen;
    uint8_t *val;
    size_t vlen;
};

struct mem_state {
    struct mem_kv *kv;
    size_t n, cap;
    size_t reads;
};

static int kcmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = memcmp(a, b, n);
    if (c != 0) {
        return c;
    }
    return (alen > blen) - (alen < blen);
}

/* Index of key, or where it would be inserted (*found tells). */
static size_t mem_find(const struct mem_state *m, const uint8_t *key, size_t klen, bool *found)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = kcmp(m->kv[mid].key, m->kv[mid].klen, key, klen);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *found = false;
    return lo;
}

struct mem_state *mem_state_new(void)
{
    struct mem_state *m = calloc(1, sizeof *m);
    assert_non_null(m);
    return m;
}

void mem_state_free(struct mem_state *m)
{
    if (m == NULL) {
        return;
    }
    for (size_t i = 0; i < m->n; i++) {
        free(m->kv[i].key);
        free(m->kv[i].val);
    }
    free(m->kv);
    free(m);
}

static int mem_get(void *ctx, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen)
{
    struct mem_state *m = ctx;
    bool found;
    size_t i = mem_find(m, key, klen, &found);

    m->reads++;
    if (!found) {
        return YC_ENOTFOUND;
    }
    *val = yc_memdup(m->kv[i].val, m->kv[i].vlen);
    if (*val == NULL) {
        return YC_ENOMEM;
    }
    *vlen = m->kv[i].vlen;
    return YC_OK;
}

/* Prefix scan in key order (the array is sorted). */
static int mem_scan(void *ctx, const uint8_t *prefix, size_t plen, yc_state_visit_cb visit,
                    void *vctx)
{
    struct mem_state *m = ctx;
    bool found;

    for (size_t i = mem_find(m, prefix, plen, &found); i < m->n; i++) {
        const struct mem_kv *kv = &m->kv[i];
        if (kv->klen < plen || memcmp(kv->key, prefix, plen) != 0) {
            break;
        }
        int rc = visit(vctx, kv->key, kv->klen, kv->val, kv->vlen);
        if (rc != 0) {
            return rc > 0 ? YC_OK : rc;
        }
    }
    return YC_OK;
}

struct yc_state_src mem_state_src(struct mem_state *m)
{
    struct yc_state_src s = {.get = mem_get, .ctx = m, .scan = mem_scan};
    return s;
}

static uint8_t *dup(const void *p, size_t n)
{
    uint8_t *q = malloc(n > 0 ? n : 1);
    assert_non_null(q);
    if (n > 0) {
        memcpy(q, p, n);
    }
    return q;
}

void mem_state_apply(struct mem_state *m, const struct yc_write *w, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        bool found;
        size_t i = mem_find(m, w[k].key, w[k].klen, &found);
        if (w[k].del) {
            if (found) {
                free(m->kv[i].key);
                free(m->kv[i].val);
                memmove(&m->kv[i], &m->kv[i + 1], (m->n - i - 1) * sizeof *m->kv);
                m->n--;
            }
            continue;
        }
        if (found) {
            free(m->kv[i].val);
            m->kv[i].val = dup(w[k].val, w[k].vlen);
            m->kv[i].vlen = w[k].vlen;
            continue;
        }
        if (m->n == m->cap) {
            m->cap = m->cap ? m->cap * 2 : 64;
            m->kv = realloc(m->kv, m->cap * sizeof *m->kv);
            assert_non_null(m->kv);
        }
        memmove(&m->kv[i + 1], &m->kv[i], (m->n - i) * sizeof *m->kv);
        m->kv[i].key = dup(w[k].key, w[k].klen);
        m->kv[i].klen = w[k].klen;
        m->kv[i].val = dup(w[k].val, w[k].vlen);
        m->kv[i].vlen = w[k].vlen;
        m->n++;
    }
}

size_t mem_state_count(const struct mem_state *m)
{
    return m->n;
}

size_t mem_state_reads(const struct mem_state *m)
{
    return m->reads;
}

/* ---- keys ---- */

yc_signer *h_signer(uint32_t i)
{
    char seed[48];
    uint8_t sk[YC_SECKEY_LEN];
    yc_signer *s = NULL;

    snprintf(seed, sizeof seed, "yuchain test key %u", i);
    yc_sha256(sk, seed, strlen(seed));
    assert_int_equal(yc_signer_create(&s, sk), YC_OK);
    return s;
}

void h_pub(uint32_t i, uint8_t pub[YC_PUBKEY_LEN])
{
    yc_signer *s = h_signer(i);
    yc_signer_pubkey(s, pub);
    yc_signer_destroy(s);
}

/* ---- bodies through the schema ---- */

void hm_init(struct hm *m)
{
    memset(m, 0, sizeof *m);
}

static struct hm_val *hm_add(struct hm *m, const char *key, int kind)
{
    assert_true(m->n < HM_MAX);
    m->key[m->n] = key;
    memset(&m->val[m->n], 0, sizeof m->val[m->n]);
    m->val[m->n].kind = kind;
    return &m->val[m->n++];
}

void hm_str(struct hm *m, const char *key, const char *v)
{
    hm_add(m, key, HM_STR)->p = v;
}

void hm_u64(struct hm *m, const char *key, uint64_t v)
{
    hm_add(m, key, HM_U64)->u = v;
}

void hm_bool(struct hm *m, const char *key, bool v)
{
    hm_add(m, key, HM_BOOL)->u = v;
}

/* Keeps a copy of the n items of `size` bytes at p (arrays are often compound literals
 * whose scope ends before hm_finish). */
static void hm_items(struct hm *m, const char *key, int kind, const void *p, size_t n, size_t size)
{
    struct hm_val *v = hm_add(m, key, kind);
    void *copy = yc_malloc(n * size + 1);
    assert_non_null(copy);
    if (n > 0) {
        memcpy(copy, p, n * size);
    }
    v->p = copy;
    v->n = n;
}

void hm_bin(struct hm *m, const char *key, const uint8_t *p, size_t n)
{
    hm_items(m, key, HM_BIN, p, n, 1);
}

void hm_list(struct hm *m, const char *key, const char *const *items)
{
    size_t n = 0;
    while (items[n] != NULL) {
        n++;
    }
    hm_items(m, key, HM_LIST, items, n, sizeof *items);
}

void hm_pubs(struct hm *m, const char *key, const uint8_t (*pubs)[YC_PUBKEY_LEN], size_t n)
{
    hm_items(m, key, HM_PUBS, pubs, n, YC_PUBKEY_LEN);
}

void hm_ids(struct hm *m, const char *key, const uint8_t (*ids)[YC_HASH_LEN], size_t n)
{
    hm_items(m, key, HM_IDS, ids, n, YC_HASH_LEN);
}

void hm_shares(struct hm *m, const char *key, const struct yc_contributor *c, size_t n)
{
    hm_items(m, key, HM_SHARES, c, n, sizeof *c);
}

/* Value v into field f of b; false when it is not of the field's kind or size. */
static bool hm_put(const struct yc_field *f, const struct hm_val *v, union yc_tx_body *b)
{
    uint8_t *base = (uint8_t *)b;
    void *dst = base + f->off;
    uint32_t *count = f->count_off >= 0 ? (uint32_t *)(void *)(base + f->count_off) : NULL;

    switch ((enum yc_field_kind)f->kind) {
    case YC_FK_TEXT:
        if (v->kind != HM_STR) {
            return false;
        }
        *(struct yc_slice *)dst = (struct yc_slice){v->p, strlen(v->p)};
        break;
    case YC_FK_U64:
        if (v->kind != HM_U64) {
            return false;
        }
        *(uint64_t *)dst = v->u;
        break;
    case YC_FK_BOOL:
        if (v->kind != HM_BOOL) {
            return false;
        }
        *(bool *)dst = v->u != 0;
        break;
    case YC_FK_ID:
    case YC_FK_DIGEST:
    case YC_FK_PUB: {
        size_t size = f->kind == YC_FK_PUB ? YC_PUBKEY_LEN : YC_HASH_LEN;
        if (v->kind != HM_BIN || v->n != size) {
            return false;
        }
        memcpy(dst, v->p, size);
        break;
    }
    case YC_FK_LIST: {
        struct yc_list *l = dst;
        const char *const *items = v->p;
        if (v->kind != HM_LIST || v->n > YC_LIST_MAX) {
            return false;
        }
        for (l->n = 0; l->n < v->n; l->n++) {
            l->items[l->n] = (struct yc_slice){items[l->n], strlen(items[l->n])};
        }
        break;
    }
    case YC_FK_IDS:
    case YC_FK_PUBS:
    case YC_FK_SHARES: {
        int want = f->kind == YC_FK_IDS ? HM_IDS : f->kind == YC_FK_PUBS ? HM_PUBS : HM_SHARES;
        size_t size = f->kind == YC_FK_IDS    ? YC_HASH_LEN
                      : f->kind == YC_FK_PUBS ? YC_PUBKEY_LEN
                                              : sizeof(struct yc_contributor);
        if ((int)v->kind != want || v->n > f->max) {
            return false;
        }
        if (v->n > 0) {
            memcpy(dst, v->p, v->n * size);
        }
        *count = (uint32_t)v->n;
        break;
    }
    }
    if (f->has_off >= 0) {
        *(bool *)(void *)(base + f->has_off) = true;
    }
    return true;
}

/* The body of m through the core's encoder; YC_OK, or the code it refuses m with. */
static int hm_encode(const struct hm *m, enum yc_tx_type type, struct yc_buf *out)
{
    const struct yc_tx_schema *s = yc_tx_schema(type);
    union yc_tx_body *b = yc_calloc(1, sizeof *b);
    uint64_t given = 0, required = 0;
    int rc = YC_OK;

    assert_non_null(s);
    assert_non_null(b);
    for (uint32_t k = 0; k < s->nfields; k++) {
        required |= s->fields[k].required ? UINT64_C(1) << k : 0;
    }
    for (size_t i = 0; i < m->n && rc == YC_OK; i++) {
        uint32_t k;
        const struct yc_field *f = yc_tx_schema_field(s, m->key[i], &k);
        if (f == NULL || (given >> k & 1u) != 0 || !hm_put(f, &m->val[i], b)) {
            rc = YC_EBADFIELD; /* an unknown key, a key twice, a value of another kind */
        } else {
            given |= UINT64_C(1) << k;
        }
    }
    if (rc == YC_OK && (given & required) != required) {
        rc = YC_EBADFIELD; /* a required field left out */
    }
    if (rc == YC_OK) {
        rc = yc_tx_body_encode(out, type, b, given & ~required);
    }
    yc_free(b);
    return rc;
}

/* A deliberately malformed body, which the encoder refuses, written by hand (keys sorted)
 * for a test to show the decoder refusing it. */
static void hm_write_by_hand(const struct hm *m, struct yc_buf *out)
{
    size_t order[HM_MAX];
    struct yc_enc e;

    for (size_t i = 0; i < m->n; i++) {
        size_t j = i;
        while (j > 0 && yc_key_cmp(m->key[order[j - 1]], strlen(m->key[order[j - 1]]), m->key[i],
                                   strlen(m->key[i])) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    yc_enc_init(&e, out);
    yc_enc_map(&e, (uint32_t)m->n);
    for (size_t i = 0; i < m->n; i++) {
        const struct hm_val *v = &m->val[order[i]];
        yc_enc_cstr(&e, m->key[order[i]]);
        switch (v->kind) {
        case HM_STR:
            yc_enc_cstr(&e, v->p);
            break;
        case HM_U64:
            yc_enc_uint(&e, v->u);
            break;
        case HM_BOOL:
            yc_enc_bool(&e, v->u != 0);
            break;
        case HM_BIN:
            yc_enc_bin(&e, v->p, v->n);
            break;
        case HM_LIST:
            yc_enc_array(&e, (uint32_t)v->n);
            for (size_t k = 0; k < v->n; k++) {
                yc_enc_cstr(&e, ((const char *const *)v->p)[k]);
            }
            break;
        case HM_PUBS:
        case HM_IDS: {
            size_t size = v->kind == HM_PUBS ? YC_PUBKEY_LEN : YC_HASH_LEN;
            yc_enc_array(&e, (uint32_t)v->n);
            for (size_t k = 0; k < v->n; k++) {
                yc_enc_bin(&e, (const uint8_t *)v->p + k * size, size);
            }
            break;
        }
        case HM_SHARES:
            yc_enc_array(&e, (uint32_t)v->n);
            for (size_t k = 0; k < v->n; k++) {
                const struct yc_contributor *c = (const struct yc_contributor *)v->p + k;
                yc_enc_array(&e, 2);
                yc_enc_bin(&e, c->pub, YC_PUBKEY_LEN);
                yc_enc_uint(&e, c->bps);
            }
            break;
        }
    }
    assert_int_equal(yc_enc_finish(&e), YC_OK);
}

void hm_finish(struct hm *m, enum yc_tx_type type, struct yc_buf *out)
{
    yc_buf_reset(out);
    if (hm_encode(m, type, out) != YC_OK) {
        yc_buf_reset(out);
        hm_write_by_hand(m, out);
    }
    for (size_t i = 0; i < m->n; i++) {
        if (m->val[i].kind != HM_STR) {
            yc_free((void *)m->val[i].p);
        }
    }
    m->n = 0;
}

/* ---- body builders ---- */

void hb_register(struct yc_buf *out, const uint8_t *account, const char *role, const char *name,
                 const char *jurisdiction)
{
    struct hm m;
    hm_init(&m);
    if (account != NULL) {
        hm_bin(&m, "account", account, YC_PUBKEY_LEN);
    }
    hm_str(&m, "jurisdiction", jurisdiction);
    hm_str(&m, "name", name);
    hm_str(&m, "role", role);
    hm_finish(&m, YC_TX_ACCOUNT_REGISTER, out);
}

void hb_update(struct yc_buf *out, const uint8_t *account, const char *name,
               const char *jurisdiction)
{
    struct hm m;
    hm_init(&m);
    if (account != NULL) {
        hm_bin(&m, "account", account, YC_PUBKEY_LEN);
    }
    if (jurisdiction != NULL) {
        hm_str(&m, "jurisdiction", jurisdiction);
    }
    if (name != NULL) {
        hm_str(&m, "name", name);
    }
    hm_finish(&m, YC_TX_ACCOUNT_UPDATE, out);
}

void hb_token(struct yc_buf *out, const uint8_t *to, uint64_t amount)
{
    struct hm m;
    hm_init(&m);
    hm_u64(&m, "amount", amount);
    if (to != NULL) {
        hm_bin(&m, "to", to, YC_PUBKEY_LEN);
    }
    /* issue and transfer bodies are alike; redeem names no recipient */
    hm_finish(&m, to != NULL ? YC_TX_TOKEN_TRANSFER : YC_TX_TOKEN_REDEEM, out);
}

void hb_grant(struct yc_buf *out, const struct hb_grant *g)
{
    struct hm m;
    hm_init(&m);
    hm_list(&m, "categories", g->categories);
    if (g->fee_per_use != 0) {
        hm_u64(&m, "fee_per_use", g->fee_per_use);
    }
    hm_str(&m, "jurisdiction", g->jurisdiction != NULL ? g->jurisdiction : "CN-CQ");
    if (g->max_uses != 0) {
        hm_u64(&m, "max_uses", g->max_uses);
    }
    if (g->not_before != 0) {
        hm_u64(&m, "not_before", g->not_before);
    }
    if (g->onward_transfer) {
        hm_bool(&m, "onward_transfer", true);
    }
    hm_list(&m, "operations", g->operations);
    hm_bin(&m, "processor", g->processor, YC_PUBKEY_LEN);
    hm_list(&m, "purposes", g->purposes);
    if (g->retention_days != 0) {
        hm_u64(&m, "retention_days", g->retention_days);
    }
    hm_u64(&m, "until", g->until);
    hm_finish(&m, YC_TX_CONSENT_GRANT, out);
}

void hb_revoke(struct yc_buf *out, const uint8_t id[YC_HASH_LEN])
{
    struct hm m;
    hm_init(&m);
    hm_bin(&m, "consent", id, YC_HASH_LEN);
    hm_finish(&m, YC_TX_CONSENT_REVOKE, out);
}

void hb_usage(struct yc_buf *out, const struct hb_usage *u)
{
    struct hm m;
    hm_init(&m);
    if (u->category != NULL) {
        hm_str(&m, "category", u->category);
    }
    if (u->consent != NULL) {
        hm_bin(&m, "consent", u->consent, YC_HASH_LEN);
    }
    if (u->input != NULL) {
        hm_bin(&m, "input", u->input, YC_HASH_LEN);
    }
    if (u->license != NULL) {
        hm_bin(&m, "license", u->license, YC_HASH_LEN);
    }
    hm_str(&m, "operation", u->operation);
    if (u->output != NULL) {
        hm_bin(&m, "output", u->output, YC_HASH_LEN);
    }
    hm_str(&m, "purpose", u->purpose);
    hm_finish(&m, YC_TX_USAGE_RECORD, out);
}

void hb_anchor(struct yc_buf *out, const uint8_t *digest, size_t dlen, const char *kind,
               const char *note, const uint8_t *ref)
{
    struct hm m;
    hm_init(&m);
    hm_bin(&m, "digest", digest, dlen);
    hm_str(&m, "kind", kind);
    if (note != NULL) {
        hm_str(&m, "note", note);
    }
    if (ref != NULL) {
        hm_bin(&m, "ref", ref, YC_HASH_LEN);
    }
    hm_finish(&m, YC_TX_EVIDENCE_ANCHOR, out);
}

/* ---- the test chain ---- */

static const struct {
    const char *role, *name;
    uint64_t balance;
} TC_ACCOUNTS[TC_NGENESIS] = {
    {"exchange", "Chongqing Data Exchange", 1000000},
    {"agency", "Big Data Bureau", 0},
    {"regulator", "Cyberspace Office", 0},
    {"individual", "Alice", 10000},
    {"individual", "Bob", 10000},
    {"processor", "Processor Ltd", 50000},
    {"enterprise", "Enterprise Co", 5000},
};

static void open_block(struct tchain *tc)
{
    struct yc_state_src src = mem_state_src(tc->ms);
    assert_int_equal(yc_overlay_create(&tc->blk, &src), YC_OK);
    tc->index = 0;
}

void tc_init(struct tchain *tc)
{
    memset(tc, 0, sizeof *tc);
    for (uint32_t i = 0; i < TC_NKEYS; i++) {
        tc->keys[i] = h_signer(i);
        yc_signer_pubkey(tc->keys[i], tc->pub[i]);
    }
    snprintf(tc->g.chain_id, sizeof tc->g.chain_id, "%s", TC_CHAIN);
    tc->g.genesis_time_ms = 1700000000000ull;
    yc_params_default(&tc->g.params);
    tc->g.params.open_registration = true; /* a dev chain: individuals self-register */
    tc->g.nvalidators = 1;
    snprintf(tc->g.validators[0].name, sizeof tc->g.validators[0].name, "v0");
    memcpy(tc->g.validators[0].pub, tc->pub[TC_EXCHANGE], YC_PUBKEY_LEN);
    tc->g.naccounts = TC_NGENESIS;
    tc->g.accounts = yc_calloc(TC_NGENESIS, sizeof *tc->g.accounts);
    assert_non_null(tc->g.accounts);
    for (uint32_t i = 0; i < TC_NGENESIS; i++) {
        struct yc_genesis_account *a = &tc->g.accounts[i];
        memcpy(a->pub, tc->pub[i], YC_PUBKEY_LEN);
        snprintf(a->role, sizeof a->role, "%s", TC_ACCOUNTS[i].role);
        snprintf(a->name, sizeof a->name, "%s", TC_ACCOUNTS[i].name);
        snprintf(a->jurisdiction, sizeof a->jurisdiction, "CN-CQ");
        a->balance = TC_ACCOUNTS[i].balance;
    }
    assert_int_equal(yc_genesis_finalize(&tc->g), YC_OK);

    tc->ms = mem_state_new();
    yc_overlay *o;
    struct yc_state_src src = mem_state_src(tc->ms);
    assert_int_equal(yc_overlay_create(&o, &src), YC_OK);
    assert_int_equal(yc_genesis_state(o, &tc->g, tc->root), YC_OK);
    const struct yc_write *w;
    size_t n;
    assert_int_equal(yc_overlay_writes(o, &w, &n), YC_OK);
    mem_state_apply(tc->ms, w, n);
    yc_overlay_destroy(o);

    tc->height = 1;
    tc->time_ms = tc->g.genesis_time_ms + 1000;
    memcpy(tc->prev_hash, tc->g.hash, YC_HASH_LEN);
    open_block(tc);
}

static void drop_pending(struct tchain *tc)
{
    for (uint32_t i = 0; i < tc->npending; i++) {
        yc_tx_cleanup(&tc->pending[i]);
    }
    tc->npending = 0;
}

void tc_cleanup(struct tchain *tc)
{
    yc_overlay_destroy(tc->blk);
    mem_state_free(tc->ms);
    drop_pending(tc);
    free(tc->pending);
    for (size_t i = 0; i < tc->nblocks; i++) {
        free(tc->blocks[i]);
    }
    free(tc->blocks);
    free(tc->block_lens);
    for (uint32_t i = 0; i < TC_NKEYS; i++) {
        yc_signer_destroy(tc->keys[i]);
    }
    yc_genesis_cleanup(&tc->g);
    memset(tc, 0, sizeof *tc);
}

void tc_make_tx(struct tchain *tc, uint32_t who, enum yc_tx_type type, uint64_t nonce,
                const struct yc_buf *body, struct yc_tx *out)
{
    static const uint8_t aux[32] = {0};
    struct yc_buf b;
    uint8_t id[YC_HASH_LEN];

    yc_buf_init(&b, 0);
    assert_int_equal(yc_tx_build_signed(&b, id, tc->g.chain_id, type, tc->keys[who], nonce,
                                        body->data, body->len, aux),
                     YC_OK);
    assert_int_equal(yc_tx_decode(out, b.data, b.len), YC_OK);
    assert_memory_equal(out->id, id, YC_HASH_LEN);
    assert_int_equal(yc_tx_verify(out, tc->g.chain_id), YC_OK);
    yc_buf_cleanup(&b);
}

int tc_exec(struct tchain *tc, const struct yc_tx *tx)
{
    struct yc_exec_ctx ctx = {.g = &tc->g, .height = tc->height, .time_ms = tc->time_ms};
    int rc = yc_exec_tx(tc->blk, &ctx, tx, tc->index);
    if (rc == YC_OK) {
        tc->index++;
        if (tc->npending == tc->pending_cap) {
            tc->pending_cap = tc->pending_cap ? tc->pending_cap * 2 : 16;
            tc->pending = realloc(tc->pending, tc->pending_cap * sizeof *tc->pending);
            assert_non_null(tc->pending);
        }
        assert_int_equal(yc_tx_decode(&tc->pending[tc->npending], tx->bytes, tx->len), YC_OK);
        tc->npending++;
    }
    return rc;
}

int tc_send_nonce(struct tchain *tc, uint32_t who, enum yc_tx_type type, uint64_t nonce,
                  const struct yc_buf *body, uint8_t id[YC_HASH_LEN])
{
    struct yc_tx tx;
    tc_make_tx(tc, who, type, nonce, body, &tx);
    if (id != NULL) {
        memcpy(id, tx.id, YC_HASH_LEN);
    }
    int rc = tc_exec(tc, &tx);
    yc_tx_cleanup(&tx);
    return rc;
}

int tc_send(struct tchain *tc, uint32_t who, enum yc_tx_type type, const struct yc_buf *body,
            uint8_t id[YC_HASH_LEN])
{
    return tc_send_nonce(tc, who, type, tc_nonce(tc, who), body, id);
}

void h_cert(struct yc_cert *c, const struct yc_genesis *g, yc_signer *const *signers,
            const uint32_t *idx, uint32_t n, uint64_t height, uint64_t view,
            const uint8_t hash[YC_HASH_LEN])
{
    static const uint8_t aux[32] = {0};
    uint8_t vote[YC_HASH_LEN];

    memset(c, 0, sizeof *c);
    c->view = view;
    c->nsigs = n;
    yc_vote_hash(vote, g->chain_id, "commit", height, view, hash);
    for (uint32_t i = 0; i < n; i++) {
        c->sigs[i].validator = idx[i];
        assert_int_equal(yc_sig_sign(signers[idx[i]], c->sigs[i].sig, vote, aux), YC_OK);
    }
}

void tc_expect(struct tchain *tc, uint32_t who, enum yc_tx_type type, const struct yc_buf *body,
               int code, uint8_t id[YC_HASH_LEN])
{
    uint8_t before[YC_HASH_LEN], after[YC_HASH_LEN];
    uint64_t nonce = tc_nonce(tc, who);

    tc_fingerprint(tc, before);
    int rc = tc_send(tc, who, type, body, id);
    if (rc != code) {
        fail_msg("%s from key %u: got %s, want %s", yc_tx_type_name(type), who, yc_err_name(rc),
                 yc_err_name(code));
    }
    if (code != YC_OK) {
        tc_fingerprint(tc, after);
        assert_memory_equal(before, after, YC_HASH_LEN);
        assert_int_equal(tc_nonce(tc, who), nonce);
    }
}

int tc_decode_code(struct tchain *tc, uint32_t who, enum yc_tx_type type, const struct yc_buf *body)
{
    static const uint8_t aux[32] = {0};
    struct yc_buf b;
    struct yc_tx tx;
    uint8_t id[YC_HASH_LEN];

    yc_buf_init(&b, 0);
    assert_int_equal(yc_tx_build_signed(&b, id, tc->g.chain_id, type, tc->keys[who],
                                        tc_nonce(tc, who), body->data, body->len, aux),
                     YC_OK);
    int rc = yc_tx_decode(&tx, b.data, b.len);
    yc_tx_cleanup(&tx);
    yc_buf_cleanup(&b);
    return rc;
}

struct mem_state *tc_replay(const struct tchain *tc, uint8_t root_out[YC_HASH_LEN])
{
    struct mem_state *m = mem_state_new();
    struct yc_state_src src = mem_state_src(m);
    yc_overlay *o;
    uint8_t root[YC_HASH_LEN], prev_hash[YC_HASH_LEN];
    const struct yc_write *w;
    size_t n;

    assert_int_equal(yc_overlay_create(&o, &src), YC_OK);
    assert_int_equal(yc_genesis_state(o, &tc->g, root), YC_OK);
    assert_int_equal(yc_overlay_writes(o, &w, &n), YC_OK);
    mem_state_apply(m, w, n);
    yc_overlay_destroy(o);
    memcpy(prev_hash, tc->g.hash, YC_HASH_LEN);
    for (size_t i = 0; i < tc->nblocks; i++) {
        struct yc_block b;
        uint32_t bad;
        assert_int_equal(yc_block_decode(&b, tc->blocks[i], tc->block_lens[i]), YC_OK);
        assert_memory_equal(b.hdr.prev_hash, prev_hash, YC_HASH_LEN);
        assert_int_equal(yc_cert_verify(&b.cert, &tc->g, b.hdr.height, b.hash), YC_OK);
        for (uint32_t k = 0; k < b.ntx; k++)
            assert_int_equal(yc_tx_verify(&b.txs[k], tc->g.chain_id), YC_OK);
        assert_int_equal(yc_overlay_create(&o, &src), YC_OK);
        assert_int_equal(yc_exec_block(o, &tc->g, &b, root, &bad), YC_OK);
        assert_int_equal(yc_overlay_writes(o, &w, &n), YC_OK);
        mem_state_apply(m, w, n);
        yc_overlay_destroy(o);
        memcpy(root, b.hdr.state_root, YC_HASH_LEN);
        memcpy(prev_hash, b.hash, YC_HASH_LEN);
        yc_block_cleanup(&b);
    }
    assert_memory_equal(root, tc->root, YC_HASH_LEN);
    if (root_out != NULL)
        memcpy(root_out, root, YC_HASH_LEN);
    return m;
}

void tc_commit(struct tchain *tc)
{
    uint8_t root[YC_HASH_LEN];
    const struct yc_write *w;
    size_t n;

    assert_int_equal(yc_exec_finish(tc->blk, tc->g.chain_id, tc->root, root), YC_OK);
    assert_int_equal(yc_overlay_writes(tc->blk, &w, &n), YC_OK);
    mem_state_apply(tc->ms, w, n);
    memcpy(tc->root, root, YC_HASH_LEN);

    /* seal: header, certificate by the single validator, encoding */
    struct yc_block_header h = {
        .height = tc->height, .time_ms = tc->time_ms, .tx_count = tc->npending};
    snprintf(h.chain_id, sizeof h.chain_id, "%s", tc->g.chain_id);
    memcpy(h.prev_hash, tc->prev_hash, YC_HASH_LEN);
    memcpy(h.state_root, root, YC_HASH_LEN);
    assert_int_equal(yc_block_header_seal(&h, tc->pending, NULL, tc->npending), YC_OK);
    uint8_t hash[YC_HASH_LEN];
    assert_int_equal(yc_header_hash(&h, hash), YC_OK);
    struct yc_cert cert;
    static const uint32_t v0 = 0;
    yc_signer *const signers[1] = {tc->keys[TC_EXCHANGE]};
    h_cert(&cert, &tc->g, signers, &v0, 1, h.height, 0, hash);
    struct yc_buf b;
    yc_buf_init(&b, YC_BLOCK_MAX_BYTES);
    assert_int_equal(yc_block_encode(&b, &h, tc->pending, NULL, tc->npending, &cert), YC_OK);
    tc->blocks = realloc(tc->blocks, (tc->nblocks + 1) * sizeof *tc->blocks);
    tc->block_lens = realloc(tc->block_lens, (tc->nblocks + 1) * sizeof *tc->block_lens);
    assert_non_null(tc->blocks);
    assert_non_null(tc->block_lens);
    tc->blocks[tc->nblocks] = dup(b.data, b.len);
    tc->block_lens[tc->nblocks] = b.len;
    tc->nblocks++;
    yc_buf_cleanup(&b);
    memcpy(tc->prev_hash, hash, YC_HASH_LEN);
    drop_pending(tc);

    yc_overlay_destroy(tc->blk);
    tc->height++;
    tc->time_ms += 1000;
    open_block(tc);
}

bool tc_registered(struct tchain *tc, uint32_t who)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_account(key, tc->pub[who]);
    const uint8_t *v;
    size_t vlen;
    int rc = yc_overlay_get(tc->blk, key, klen, &v, &vlen);
    assert_true(rc == YC_OK || rc == YC_ENOTFOUND);
    return rc == YC_OK;
}

struct yc_account tc_account(struct tchain *tc, uint32_t who)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_account(key, tc->pub[who]);
    const uint8_t *v;
    size_t vlen;
    struct yc_account a;
    assert_int_equal(yc_overlay_get(tc->blk, key, klen, &v, &vlen), YC_OK);
    assert_int_equal(yc_account_decode(&a, v, vlen), YC_OK);
    return a;
}

uint64_t tc_balance(struct tchain *tc, uint32_t who)
{
    return tc_registered(tc, who) ? tc_account(tc, who).balance : 0;
}

uint64_t tc_nonce(struct tchain *tc, uint32_t who)
{
    return tc_registered(tc, who) ? tc_account(tc, who).nonce : 0;
}

int tc_consent(struct tchain *tc, const uint8_t id[YC_HASH_LEN], struct yc_consent *c)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_consent(key, id);
    const uint8_t *v;
    size_t vlen;
    int rc = yc_overlay_get(tc->blk, key, klen, &v, &vlen);
    if (rc != YC_OK) {
        return rc;
    }
    return yc_consent_decode(c, v, vlen);
}

void tc_fingerprint(struct tchain *tc, uint8_t out[YC_HASH_LEN])
{
    static const uint8_t zero[YC_HASH_LEN] = {0};
    assert_int_equal(yc_exec_finish(tc->blk, tc->g.chain_id, zero, out), YC_OK);
}

uint64_t tc_total_supply(struct tchain *tc)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < TC_NKEYS; i++) {
        sum += tc_balance(tc, i);
    }
    return sum;
}
