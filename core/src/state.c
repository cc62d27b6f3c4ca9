/*
 * state.c — the write overlay over a state source, and the state root.
 *
 * An overlay is an open-addressing hash table (linear probing, power-of-two size, load
 * at most 1/2) keyed by the raw key bytes. Each entry is one of:
 *   PUT   a write of a value        (counts as a write)
 *   DEL   a tombstone               (counts as a write)
 *   HIT   a cached base read        (not a write)
 *   MISS  a cached base absence     (not a write)
 * Keys and values live in their own allocations, so a value pointer returned by
 * yc_overlay_get survives table growth; it dies when the key is written or the overlay
 * cleared. Entries are never removed individually (a delete is a tombstone), so probing
 * needs no deletion markers.
 *
 * The sorted view for yc_overlay_writes is rebuilt on demand and invalidated by every
 * write. Merging moves keys and values from child to parent without allocating once
 * the parent's table has room, so a merge either fails before touching the parent
 * (YC_ENOMEM) or completes.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "yc/alloc.h"
#include "yc/state.h"

enum ent_kind { ENT_EMPTY = 0, ENT_PUT, ENT_DEL, ENT_HIT, ENT_MISS };

struct ent {
    uint8_t *key; /* owned */
    size_t klen;
    uint8_t *val; /* owned; NULL for DEL and MISS (and for an empty PUT/HIT it is a 1-byte block) */
    size_t vlen;
    uint64_t hash;
    enum ent_kind kind;
};

struct yc_overlay {
    struct yc_state_src base;
    struct ent *tab;
    size_t cap;            /* power of two */
    size_t used;           /* non-empty entries */
    size_t nwrites;        /* PUT + DEL entries */
    struct yc_write *view; /* sorted writes, valid while view_ok */
    size_t view_cap;
    bool view_ok;
};

#define INITIAL_CAP 16u

/* SipHash-2-4 under a fixed key: keys are partly chosen by senders (their public keys),
 * and a keyed hash keeps long probe chains unlikely without any randomness in core. */
static const uint8_t HASH_KEY[crypto_shorthash_KEYBYTES] = {
    0x79, 0x75, 0x63, 0x68, 0x61, 0x69, 0x6e, 0x2f, 0x73, 0x74, 0x61, 0x74, 0x65, 0x2f, 0x76, 0x31};

static uint64_t key_hash(const uint8_t *key, size_t klen)
{
    uint8_t h[crypto_shorthash_BYTES];
    uint64_t v = 0;

    crypto_shorthash(h, key, (unsigned long long)klen, HASH_KEY);
    for (size_t i = 0; i < sizeof h; i++) {
        v = (v << 8) | h[i];
    }
    return v;
}

static bool is_write(enum ent_kind k)
{
    return k == ENT_PUT || k == ENT_DEL;
}

/* Returns the slot holding key, or the empty slot where it would go. */
static struct ent *find_slot(struct ent *tab, size_t cap, const uint8_t *key, size_t klen,
                             uint64_t hash)
{
    size_t mask = cap - 1;
    size_t i = (size_t)hash & mask;

    for (;;) {
        struct ent *e = &tab[i];
        if (e->kind == ENT_EMPTY) {
            return e;
        }
        if (e->hash == hash && e->klen == klen && memcmp(e->key, key, klen) == 0) {
            return e;
        }
        i = (i + 1) & mask;
    }
}

/* Ensures room for `extra` more entries at load <= 1/2. */
static int reserve(yc_overlay *o, size_t extra)
{
    size_t need = o->used + extra;
    size_t ncap = o->cap;

    if (need < o->used) {
        return YC_ENOMEM;
    }
    while (need > ncap / 2) {
        if (ncap > ((size_t)-1) / 4) {
            return YC_ENOMEM;
        }
        ncap *= 2;
    }
    if (ncap == o->cap) {
        return YC_OK;
    }
    struct ent *nt = yc_calloc(ncap, sizeof *nt);
    if (nt == NULL) {
        return YC_ENOMEM;
    }
    for (size_t i = 0; i < o->cap; i++) {
        struct ent *e = &o->tab[i];
        if (e->kind != ENT_EMPTY) {
            *find_slot(nt, ncap, e->key, e->klen, e->hash) = *e;
        }
    }
    yc_free(o->tab);
    o->tab = nt;
    o->cap = ncap;
    return YC_OK;
}

int yc_overlay_create(yc_overlay **out, const struct yc_state_src *base)
{
    if (out == NULL) {
        return YC_EINVAL;
    }
    *out = NULL;
    yc_overlay *o = yc_calloc(1, sizeof *o);
    if (o == NULL) {
        return YC_ENOMEM;
    }
    o->tab = yc_calloc(INITIAL_CAP, sizeof *o->tab);
    if (o->tab == NULL) {
        yc_free(o);
        return YC_ENOMEM;
    }
    o->cap = INITIAL_CAP;
    if (base != NULL) {
        o->base = *base;
    }
    *out = o;
    return YC_OK;
}

static void free_entries(yc_overlay *o)
{
    for (size_t i = 0; i < o->cap; i++) {
        struct ent *e = &o->tab[i];
        if (e->kind != ENT_EMPTY) {
            yc_free(e->key);
            yc_free(e->val);
        }
        memset(e, 0, sizeof *e);
    }
    o->used = 0;
    o->nwrites = 0;
    o->view_ok = false;
}

void yc_overlay_destroy(yc_overlay *o)
{
    if (o == NULL) {
        return;
    }
    free_entries(o);
    yc_free(o->tab);
    yc_free(o->view);
    yc_free(o);
}

void yc_overlay_clear(yc_overlay *o)
{
    if (o != NULL) {
        free_entries(o);
    }
}

static int src_get(void *ctx, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen)
{
    const uint8_t *v;
    size_t n;
    int rc = yc_overlay_get(ctx, key, klen, &v, &n);

    if (rc != YC_OK) {
        return rc;
    }
    *val = yc_memdup(v, n);
    if (*val == NULL) {
        return YC_ENOMEM;
    }
    *vlen = n;
    return YC_OK;
}

struct yc_state_src yc_overlay_src(yc_overlay *o)
{
    struct yc_state_src s = {.get = src_get, .ctx = o};
    return s;
}

int yc_overlay_get(yc_overlay *o, const uint8_t *key, size_t klen, const uint8_t **val,
                   size_t *vlen)
{
    if (o == NULL || (key == NULL && klen > 0) || val == NULL || vlen == NULL) {
        return YC_EINVAL;
    }
    *val = NULL;
    *vlen = 0;
    uint64_t h = key_hash(key, klen);
    struct ent *e = find_slot(o->tab, o->cap, key, klen, h);
    if (e->kind == ENT_EMPTY) {
        /* Not seen yet: read the base and cache the answer. */
        uint8_t *bv = NULL;
        size_t bn = 0;
        int rc = YC_ENOTFOUND;
        if (o->base.get != NULL) {
            rc = o->base.get(o->base.ctx, key, klen, &bv, &bn);
        }
        if (rc != YC_OK && rc != YC_ENOTFOUND) {
            return rc;
        }
        if (rc == YC_OK && bv == NULL) {
            /* A source may return NULL for an empty value; keep a real pointer. */
            bn = 0;
            bv = yc_memdup("", 0);
        }
        uint8_t *kc = yc_memdup(key, klen);
        if ((rc == YC_OK && bv == NULL) || kc == NULL || reserve(o, 1) != YC_OK) {
            yc_free(kc);
            yc_free(bv);
            return YC_ENOMEM;
        }
        e = find_slot(o->tab, o->cap, key, klen, h);
        e->key = kc;
        e->klen = klen;
        e->hash = h;
        e->kind = rc == YC_OK ? ENT_HIT : ENT_MISS;
        e->val = bv;
        e->vlen = bn;
        o->used++;
    }
    if (e->kind == ENT_DEL || e->kind == ENT_MISS) {
        return YC_ENOTFOUND;
    }
    *val = e->val;
    *vlen = e->vlen;
    return YC_OK;
}

/* Stores a write for key (copied), taking ownership of vc. vc is untouched on failure. */
static int set_entry(yc_overlay *o, const uint8_t *key, size_t klen, uint8_t *vc, size_t vlen,
                     enum ent_kind kind)
{
    uint64_t h = key_hash(key, klen);
    struct ent *e = find_slot(o->tab, o->cap, key, klen, h);

    if (e->kind == ENT_EMPTY) {
        uint8_t *kc = yc_memdup(key, klen);
        if (kc == NULL || reserve(o, 1) != YC_OK) {
            yc_free(kc);
            return YC_ENOMEM;
        }
        e = find_slot(o->tab, o->cap, key, klen, h);
        e->key = kc;
        e->klen = klen;
        e->hash = h;
        o->used++;
    } else {
        yc_free(e->val);
        if (is_write(e->kind)) {
            o->nwrites--;
        }
    }
    e->val = vc;
    e->vlen = vlen;
    e->kind = kind;
    o->nwrites++;
    o->view_ok = false;
    return YC_OK;
}

int yc_overlay_put(yc_overlay *o, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    if (o == NULL || (key == NULL && klen > 0) || (val == NULL && vlen > 0)) {
        return YC_EINVAL;
    }
    uint8_t *vc = yc_memdup(val != NULL ? val : (const uint8_t *)"", vlen);
    if (vc == NULL) {
        return YC_ENOMEM;
    }
    int rc = set_entry(o, key, klen, vc, vlen, ENT_PUT);
    if (rc != YC_OK) {
        yc_free(vc);
    }
    return rc;
}

int yc_overlay_del(yc_overlay *o, const uint8_t *key, size_t klen)
{
    if (o == NULL || (key == NULL && klen > 0)) {
        return YC_EINVAL;
    }
    return set_entry(o, key, klen, NULL, 0, ENT_DEL);
}

int yc_overlay_merge(yc_overlay *child, yc_overlay *parent)
{
    if (child == NULL || parent == NULL || child == parent) {
        return YC_EINVAL;
    }
    /* Room first: after this nothing below allocates. */
    int rc = reserve(parent, child->nwrites);
    if (rc != YC_OK) {
        return rc;
    }
    for (size_t i = 0; i < child->cap; i++) {
        struct ent *c = &child->tab[i];
        if (!is_write(c->kind)) {
            continue;
        }
        struct ent *p = find_slot(parent->tab, parent->cap, c->key, c->klen, c->hash);
        if (p->kind == ENT_EMPTY) {
            p->key = c->key;
            p->klen = c->klen;
            p->hash = c->hash;
            parent->used++;
        } else {
            yc_free(c->key);
            yc_free(p->val);
            if (is_write(p->kind)) {
                parent->nwrites--;
            }
        }
        p->val = c->val;
        p->vlen = c->vlen;
        p->kind = c->kind;
        parent->nwrites++;
        c->key = NULL;
        c->val = NULL;
        c->kind = ENT_EMPTY;
    }
    parent->view_ok = false;
    /* The child's cached reads came through the parent and may now be stale. */
    free_entries(child);
    return YC_OK;
}

static int write_cmp(const void *a, const void *b)
{
    const struct yc_write *x = a;
    const struct yc_write *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);

    if (c != 0) {
        return c;
    }
    return (x->klen > y->klen) - (x->klen < y->klen);
}

int yc_overlay_writes(yc_overlay *o, const struct yc_write **writes, size_t *n)
{
    if (o == NULL || writes == NULL || n == NULL) {
        return YC_EINVAL;
    }
    if (!o->view_ok) {
        if (o->nwrites > o->view_cap) {
            struct yc_write *v = yc_calloc(o->nwrites, sizeof *v);
            if (v == NULL) {
                return YC_ENOMEM;
            }
            yc_free(o->view);
            o->view = v;
            o->view_cap = o->nwrites;
        }
        size_t k = 0;
        for (size_t i = 0; i < o->cap; i++) {
            const struct ent *e = &o->tab[i];
            if (!is_write(e->kind)) {
                continue;
            }
            o->view[k].key = e->key;
            o->view[k].klen = e->klen;
            o->view[k].del = e->kind == ENT_DEL;
            o->view[k].val = e->kind == ENT_DEL ? NULL : e->val;
            o->view[k].vlen = e->kind == ENT_DEL ? 0 : e->vlen;
            k++;
        }
        if (k > 1) {
            qsort(o->view, k, sizeof *o->view, write_cmp);
        }
        o->view_ok = true;
    }
    *writes = o->nwrites > 0 ? o->view : NULL;
    *n = o->nwrites;
    return YC_OK;
}

static void put_u32be(uint8_t out[4], size_t v)
{
    out[0] = (uint8_t)(v >> 24);
    out[1] = (uint8_t)(v >> 16);
    out[2] = (uint8_t)(v >> 8);
    out[3] = (uint8_t)v;
}

void yc_state_root_next(uint8_t out[YC_HASH_LEN], const char *chain_id,
                        const uint8_t prev[YC_HASH_LEN], const struct yc_write *writes, size_t n)
{
    /* Streams exactly H(YC_TAG_STATE, chain_id, prev ‖ W) as hash.h defines the tagged
     * hash, without building W in memory (this function cannot fail). */
    struct yc_sha256_ctx st;
    const char *tag = YC_TAG_STATE;
    size_t tl = strlen(tag);
    size_t cl = strlen(chain_id);
    uint8_t b;
    uint8_t len4[4];

    yc_sha256_init(&st);
    b = (uint8_t)tl;
    yc_sha256_update(&st, &b, 1);
    yc_sha256_update(&st, (const uint8_t *)tag, tl);
    b = (uint8_t)cl;
    yc_sha256_update(&st, &b, 1);
    yc_sha256_update(&st, (const uint8_t *)chain_id, cl);
    yc_sha256_update(&st, prev, YC_HASH_LEN);
    for (size_t i = 0; i < n; i++) {
        const struct yc_write *w = &writes[i];
        put_u32be(len4, w->klen);
        yc_sha256_update(&st, len4, 4);
        yc_sha256_update(&st, w->key, w->klen);
        b = w->del ? 1 : 0;
        yc_sha256_update(&st, &b, 1);
        put_u32be(len4, w->del ? 0 : w->vlen);
        yc_sha256_update(&st, len4, 4);
        if (!w->del && w->vlen > 0) {
            yc_sha256_update(&st, w->val, w->vlen);
        }
    }
    yc_sha256_final(&st, out);
}
