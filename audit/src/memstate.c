/*
 * memstate.c — open-addressing hash map (linear probing, tombstone-free deletion by
 * backward shift) keyed by SipHash-2-4 (libsodium crypto_shorthash) under a random key,
 * so that a hostile ledger cannot force collisions on the auditor.
 *
 * Invariant: the table is at most 3/4 full, so every probe sequence ends at an empty
 * slot; deletion shifts later members of the cluster back instead of leaving markers.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "yc/alloc.h"

#include "memstate.h"

struct entry {
    uint8_t *key; /* NULL = empty slot; key and value in one allocation */
    uint8_t *val;
    size_t klen, vlen;
    uint64_t hash;
    bool dead; /* over a base: deleted (or absent from the base) */
};

struct memstate {
    struct entry *slots;
    size_t cap; /* power of two */
    size_t count;
    uint64_t bytes;
    uint8_t sipkey[crypto_shorthash_KEYBYTES];
    bool has_base;
    struct yc_state_src base;
};

static uint64_t hash_key(const memstate *m, const uint8_t *key, size_t klen)
{
    uint8_t out[crypto_shorthash_BYTES];
    uint64_t h = 0;
    crypto_shorthash(out, key, klen, m->sipkey);
    for (size_t i = 0; i < sizeof out; i++)
        h = (h << 8) | out[i];
    return h;
}

int memstate_create(memstate **out)
{
    *out = NULL;
    if (sodium_init() < 0)
        return YC_ENOMEM;
    memstate *m = yc_calloc(1, sizeof *m);
    if (m == NULL)
        return YC_ENOMEM;
    m->cap = 1024;
    m->slots = yc_calloc(m->cap, sizeof *m->slots);
    if (m->slots == NULL) {
        yc_free(m);
        return YC_ENOMEM;
    }
    randombytes_buf(m->sipkey, sizeof m->sipkey);
    *out = m;
    return YC_OK;
}

int memstate_create_over(memstate **out, const struct yc_state_src *base)
{
    int rc = memstate_create(out);
    if (rc == YC_OK) {
        (*out)->has_base = true;
        (*out)->base = *base;
    }
    return rc;
}

void memstate_destroy(memstate *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->cap; i++)
        yc_free(m->slots[i].key);
    yc_free(m->slots);
    yc_free(m);
}

/* Slot holding key, or the empty slot where it would go. */
static size_t find_slot(const memstate *m, const uint8_t *key, size_t klen, uint64_t h)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)h & mask;
    while (m->slots[i].key != NULL) {
        const struct entry *e = &m->slots[i];
        if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0)
            return i;
        i = (i + 1) & mask;
    }
    return i;
}

static int grow(memstate *m)
{
    size_t ncap = m->cap * 2;
    struct entry *ns = yc_calloc(ncap, sizeof *ns);
    if (ns == NULL)
        return YC_ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].key == NULL)
            continue;
        size_t j = (size_t)m->slots[i].hash & (ncap - 1);
        while (ns[j].key != NULL)
            j = (j + 1) & (ncap - 1);
        ns[j] = m->slots[i];
    }
    yc_free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return YC_OK;
}

static int put(memstate *m, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    if (m->bytes + klen + vlen > MEMSTATE_MAX_BYTES)
        return YC_ELIMIT;
    if ((m->count + 1) * 4 > m->cap * 3) {
        int rc = grow(m);
        if (rc != YC_OK)
            return rc;
    }
    uint64_t h = hash_key(m, key, klen);
    size_t i = find_slot(m, key, klen, h);
    struct entry *e = &m->slots[i];
    if (e->key != NULL && e->vlen == vlen && vlen > 0) {
        /* a new value of the same size (an account's nonce and balance, mostly): in place */
        memcpy(e->val, val, vlen);
        e->dead = false;
        return YC_OK;
    }
    uint8_t *mem = yc_malloc(klen + vlen + 1);
    if (mem == NULL)
        return YC_ENOMEM;
    if (klen > 0)
        memcpy(mem, key, klen);
    if (vlen > 0)
        memcpy(mem + klen, val, vlen);
    if (e->key != NULL) {
        m->bytes -= e->klen + e->vlen;
        yc_free(e->key);
    } else {
        m->count++;
    }
    e->key = mem;
    e->val = mem + klen;
    e->klen = klen;
    e->vlen = vlen;
    e->hash = h;
    e->dead = false;
    m->bytes += klen + vlen;
    return YC_OK;
}

/* Over a base: key marked deleted (kept, so that the base is not read for it again). */
static int put_dead(memstate *m, const uint8_t *key, size_t klen)
{
    int rc = put(m, key, klen, NULL, 0);
    if (rc == YC_OK)
        m->slots[find_slot(m, key, klen, hash_key(m, key, klen))].dead = true;
    return rc;
}

static void del(memstate *m, const uint8_t *key, size_t klen)
{
    uint64_t h = hash_key(m, key, klen);
    size_t mask = m->cap - 1;
    size_t i = find_slot(m, key, klen, h);
    if (m->slots[i].key == NULL)
        return;
    m->bytes -= m->slots[i].klen + m->slots[i].vlen;
    yc_free(m->slots[i].key);
    m->slots[i].key = NULL;
    m->count--;
    /* Backward-shift: move later cluster members whose home is not in (i, j]. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (m->slots[j].key == NULL)
            break;
        size_t home = (size_t)m->slots[j].hash & mask;
        bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (between)
            continue;
        m->slots[i] = m->slots[j];
        m->slots[j].key = NULL;
        i = j;
    }
}

int memstate_apply(memstate *m, const struct yc_write *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (w[i].del && m->has_base) {
            int rc = put_dead(m, w[i].key, w[i].klen);
            if (rc != YC_OK)
                return rc;
            continue;
        }
        if (w[i].del) {
            del(m, w[i].key, w[i].klen);
            continue;
        }
        int rc = put(m, w[i].key, w[i].klen, w[i].val, w[i].vlen);
        if (rc != YC_OK)
            return rc;
    }
    return YC_OK;
}

bool memstate_count(const memstate *m, size_t *n)
{
    if (m->has_base)
        return false;
    *n = m->count;
    return true;
}

int memstate_get(memstate *m, const uint8_t *key, size_t klen, const uint8_t **val, size_t *vlen)
{
    uint64_t h = hash_key(m, key, klen);
    size_t i = find_slot(m, key, klen, h);
    *val = NULL;
    *vlen = 0;
    if (m->slots[i].key == NULL && m->has_base) {
        uint8_t *v = NULL;
        size_t vl = 0;
        int rc = m->base.get(m->base.ctx, key, klen, &v, &vl);
        if (rc == YC_OK)
            rc = put(m, key, klen, v, vl);
        else if (rc == YC_ENOTFOUND)
            rc = put_dead(m, key, klen);
        yc_free(v);
        if (rc != YC_OK)
            return rc;
        i = find_slot(m, key, klen, h);
    }
    if (m->slots[i].key == NULL || m->slots[i].dead)
        return YC_ENOTFOUND;
    *val = m->slots[i].val;
    *vlen = m->slots[i].vlen;
    return YC_OK;
}

static int src_get(void *ctx, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen)
{
    const uint8_t *v;
    size_t vl;
    *val = NULL;
    *vlen = 0;
    int rc = memstate_get(ctx, key, klen, &v, &vl);
    if (rc != YC_OK)
        return rc;
    *val = yc_memdup(v, vl);
    if (*val == NULL)
        return YC_ENOMEM;
    *vlen = vl;
    return YC_OK;
}

/* yc_state_src.scan: a positive stop from the visitor is not an error. */
static int src_scan(void *ctx, const uint8_t *prefix, size_t plen, yc_state_visit_cb visit,
                    void *vctx)
{
    int rc = memstate_scan(ctx, prefix, plen, visit, vctx);
    return rc > 0 ? YC_OK : rc;
}

struct yc_state_src memstate_src(memstate *m)
{
    struct yc_state_src s = {.get = src_get, .ctx = m, .scan = src_scan};
    return s;
}

static int cmp_kv(const void *a, const void *b)
{
    const struct memstate_kv *x = a, *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = n > 0 ? memcmp(x->key, y->key, n) : 0;
    if (c != 0)
        return c;
    return x->klen < y->klen ? -1 : (x->klen > y->klen ? 1 : 0);
}

int memstate_sorted(memstate *m, const uint8_t *prefix, size_t plen, struct memstate_kv **out,
                    size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cnt = 0;
    for (size_t i = 0; i < m->cap; i++) {
        const struct entry *e = &m->slots[i];
        if (e->key != NULL && !e->dead && e->klen >= plen &&
            (plen == 0 || memcmp(e->key, prefix, plen) == 0))
            cnt++;
    }
    struct memstate_kv *list = yc_malloc((cnt > 0 ? cnt : 1) * sizeof *list);
    if (list == NULL)
        return YC_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < m->cap && k < cnt; i++) {
        const struct entry *e = &m->slots[i];
        if (e->key == NULL || e->dead || e->klen < plen ||
            (plen > 0 && memcmp(e->key, prefix, plen) != 0))
            continue;
        list[k].key = e->key;
        list[k].klen = e->klen;
        list[k].val = e->val;
        list[k].vlen = e->vlen;
        k++;
    }
    qsort(list, k, sizeof *list, cmp_kv);
    *out = list;
    *n = k;
    return YC_OK;
}

static int cmp_entries(const void *a, const void *b)
{
    const struct entry *x = *(const struct entry *const *)a;
    const struct entry *y = *(const struct entry *const *)b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);
    if (c != 0)
        return c;
    return x->klen < y->klen ? -1 : (x->klen > y->klen ? 1 : 0);
}

int memstate_scan(memstate *m, const uint8_t *prefix, size_t plen, memstate_scan_cb cb, void *ctx)
{
    size_t n = 0, cap = 64;
    const struct entry **list = yc_malloc(cap * sizeof *list);
    if (list == NULL)
        return YC_ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        const struct entry *e = &m->slots[i];
        if (e->key == NULL || e->dead || e->klen < plen ||
            (plen > 0 && memcmp(e->key, prefix, plen) != 0))
            continue;
        if (n == cap) {
            const struct entry **nl = yc_realloc(list, cap * 2 * sizeof *list);
            if (nl == NULL) {
                yc_free(list);
                return YC_ENOMEM;
            }
            list = nl;
            cap *= 2;
        }
        list[n++] = e;
    }
    qsort(list, n, sizeof *list, cmp_entries);
    int rc = YC_OK;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = cb(ctx, list[i]->key, list[i]->klen, list[i]->val, list[i]->vlen);
    yc_free(list);
    return rc;
}
