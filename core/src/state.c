/*
 * state.c — the write overlay over a state source, and the state root.
 *
 * An overlay is an open-addressing hash table (linear probing, power-of-two size, load
 * at most 1/2) keyed by the raw key bytes. Each entry is one of:
 *   PUT   a write of a value        (counts as a write)
 *   DEL   a tombstone               (counts as a write)
 *   HIT   a cached base read        (not a write)
 *   MISS  a cached base absence     (not a write)
 * Keys and values are cut from the arena of the root overlay (arena.h) and never freed one
 * by one: a value pointer returned by yc_overlay_get survives table growth and later
 * writes of its key, and dies when the root is cleared or destroyed, which frees a
 * whole block's reads and writes at once. Entries are never removed individually (a
 * delete is a tombstone), so probing needs no deletion markers.
 *
 * A child (yc_overlay_child: a transaction's overlay over its block's) shares its
 * parent's arena and reads the parent's entries without copying them, keys or values
 * (their bytes live as long as the arena); merging it moves its pointers into the parent, and a child
 * destroyed is kept, emptied, as its parent's next child (one per transaction of a
 * block: no allocation for the next one). An overlay reading another through
 * yc_overlay_src gets copies, in its own arena, and a merge between two arenas copies the
 * child's writes into the parent's (one allocation, made before anything changes).
 *
 * The sorted view for yc_overlay_writes is rebuilt on demand and invalidated by every
 * write. A merge takes the room it needs (table slots, copied bytes) before touching the
 * parent, so it either fails before (YC_ENOMEM) or completes.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "yc/alloc.h"
#include "yc/arena.h"
#include "yc/state.h"

enum ent_kind { ENT_EMPTY = 0, ENT_PUT, ENT_DEL, ENT_HIT, ENT_MISS };

struct ent {
    const uint8_t *key; /* in the arena */
    size_t klen;
    const uint8_t *val; /* in the arena (a parent's, for a child's HIT); NULL for DEL and MISS */
    size_t vlen;
    uint64_t hash;
    enum ent_kind kind;
};

struct yc_overlay {
    struct yc_state_src base;
    yc_overlay *parent;     /* a child's parent (read directly), else NULL */
    yc_overlay *spare;      /* a child destroyed and kept empty for the next one */
    struct yc_arena own;    /* a root's memory for keys and values */
    struct yc_arena *arena; /* &own, or the root's for a child */
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

static int overlay_new(yc_overlay **out, const struct yc_state_src *base, yc_overlay *parent)
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
    yc_arena_init(&o->own);
    o->arena = parent != NULL ? parent->arena : &o->own;
    o->parent = parent;
    if (base != NULL) {
        o->base = *base;
    }
    *out = o;
    return YC_OK;
}

int yc_overlay_create(yc_overlay **out, const struct yc_state_src *base)
{
    return overlay_new(out, base, NULL);
}

int yc_overlay_child(yc_overlay **out, yc_overlay *parent)
{
    if (parent == NULL) {
        if (out != NULL) {
            *out = NULL;
        }
        return YC_EINVAL;
    }
    if (out != NULL && parent->spare != NULL) {
        *out = parent->spare; /* emptied when it was destroyed */
        parent->spare = NULL;
        return YC_OK;
    }
    return overlay_new(out, NULL, parent);
}

/* Empties the table; a root's arena is freed with it (a child's memory is its root's). */
static void free_entries(yc_overlay *o)
{
    if (o->used > 0) {
        memset(o->tab, 0, o->cap * sizeof *o->tab);
    }
    if (o->arena == &o->own) {
        yc_arena_reset(&o->own);
    }
    o->used = 0;
    o->nwrites = 0;
    o->view_ok = false;
}

static void overlay_free(yc_overlay *o)
{
    if (o->spare != NULL) {
        overlay_free(o->spare);
    }
    yc_arena_cleanup(&o->own);
    yc_free(o->tab);
    yc_free(o->view);
    yc_free(o);
}

void yc_overlay_destroy(yc_overlay *o)
{
    if (o == NULL) {
        return;
    }
    if (o->parent != NULL && o->parent->spare == NULL) {
        /* one child per transaction: the next one reuses this one's table */
        free_entries(o);
        o->parent->spare = o;
        return;
    }
    overlay_free(o);
}

void yc_overlay_clear(yc_overlay *o)
{
    if (o != NULL) {
        free_entries(o);
    }
}

/* The overlay's value of key copied into arena (NULL: yc_memdup). */
static int src_copy(void *ctx, const uint8_t *key, size_t klen, struct yc_arena *arena,
                    uint8_t **val, size_t *vlen)
{
    const uint8_t *v;
    size_t n;
    int rc = yc_overlay_get(ctx, key, klen, &v, &n);

    if (rc != YC_OK) {
        return rc;
    }
    *val = arena != NULL ? yc_arena_dup(arena, v, n) : yc_memdup(v, n);
    if (*val == NULL) {
        return YC_ENOMEM;
    }
    *vlen = n;
    return YC_OK;
}

static int src_get(void *ctx, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen)
{
    return src_copy(ctx, key, klen, NULL, val, vlen);
}

static int src_get_in(void *ctx, const uint8_t *key, size_t klen, struct yc_arena *arena,
                      const uint8_t **val, size_t *vlen)
{
    uint8_t *v = NULL;
    int rc = src_copy(ctx, key, klen, arena, &v, vlen);
    *val = v;
    return rc;
}

struct yc_state_src yc_overlay_src(yc_overlay *o)
{
    struct yc_state_src s = {.get = src_get, .ctx = o, .get_in = src_get_in};
    return s;
}

/* yc_overlay_get with h = key_hash(key, klen): a child's miss asks its parent with the
 * same hash (every overlay hashes under one key) instead of hashing again, and keeps the
 * parent's copy of the key (*kout: the entry's key, in the arena they share) instead of
 * copying it again. */
static int overlay_get(yc_overlay *o, const uint8_t *key, size_t klen, uint64_t h,
                       const uint8_t **val, size_t *vlen, const uint8_t **kout)
{
    *val = NULL;
    *vlen = 0;
    struct ent *e = find_slot(o->tab, o->cap, key, klen, h);
    if (e->kind == ENT_EMPTY) {
        /* Not seen yet: read the parent or the base and cache the answer. */
        const uint8_t *av = NULL;
        const uint8_t *kc = NULL;
        size_t bn = 0;
        int rc = YC_ENOTFOUND;
        if (o->parent != NULL) {
            /* shared arena: the value and the key are borrowed */
            rc = overlay_get(o->parent, key, klen, h, &av, &bn, &kc);
        } else if (o->base.get_in != NULL) {
            rc = o->base.get_in(o->base.ctx, key, klen, o->arena, &av, &bn);
        } else if (o->base.get != NULL) {
            uint8_t *bv = NULL;
            rc = o->base.get(o->base.ctx, key, klen, &bv, &bn);
            if (rc == YC_OK) {
                /* a source may return NULL for an empty value; keep a real pointer */
                av = yc_arena_dup(o->arena, bv, bv != NULL ? bn : 0);
                bn = bv != NULL ? bn : 0;
                yc_free(bv);
            }
        }
        if (rc != YC_OK && rc != YC_ENOTFOUND) {
            return rc;
        }
        if (kc == NULL) {
            kc = yc_arena_dup(o->arena, key, klen);
        }
        size_t cap = o->cap;
        if ((rc == YC_OK && av == NULL) || kc == NULL || reserve(o, 1) != YC_OK) {
            return YC_ENOMEM;
        }
        if (o->cap != cap) {
            e = find_slot(o->tab, o->cap, key, klen, h);
        }
        e->key = kc;
        e->klen = klen;
        e->hash = h;
        e->kind = rc == YC_OK ? ENT_HIT : ENT_MISS;
        e->val = rc == YC_OK ? av : NULL;
        e->vlen = rc == YC_OK ? bn : 0;
        o->used++;
    }
    if (kout != NULL) {
        *kout = e->key;
    }
    if (e->kind == ENT_DEL || e->kind == ENT_MISS) {
        return YC_ENOTFOUND;
    }
    *val = e->val;
    *vlen = e->vlen;
    return YC_OK;
}

int yc_overlay_get(yc_overlay *o, const uint8_t *key, size_t klen, const uint8_t **val,
                   size_t *vlen)
{
    if (o == NULL || (key == NULL && klen > 0) || val == NULL || vlen == NULL) {
        return YC_EINVAL;
    }
    return overlay_get(o, key, klen, key_hash(key, klen), val, vlen, NULL);
}

/* Stores a write for key (copied into the arena); vc is already there (NULL: delete). */
static int set_entry(yc_overlay *o, const uint8_t *key, size_t klen, const uint8_t *vc, size_t vlen,
                     enum ent_kind kind)
{
    uint64_t h = key_hash(key, klen);
    struct ent *e = find_slot(o->tab, o->cap, key, klen, h);

    if (e->kind == ENT_EMPTY) {
        const uint8_t *kc = yc_arena_dup(o->arena, key, klen);
        size_t cap = o->cap;
        if (kc == NULL || reserve(o, 1) != YC_OK) {
            return YC_ENOMEM;
        }
        if (o->cap != cap) {
            e = find_slot(o->tab, o->cap, key, klen, h);
        }
        e->key = kc;
        e->klen = klen;
        e->hash = h;
        o->used++;
    } else if (is_write(e->kind)) {
        o->nwrites--;
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
    const uint8_t *vc = yc_arena_dup(o->arena, val, vlen);
    if (vc == NULL) {
        return YC_ENOMEM;
    }
    return set_entry(o, key, klen, vc, vlen, ENT_PUT);
}

int yc_overlay_del(yc_overlay *o, const uint8_t *key, size_t klen)
{
    if (o == NULL || (key == NULL && klen > 0)) {
        return YC_EINVAL;
    }
    return set_entry(o, key, klen, NULL, 0, ENT_DEL);
}

/* The bytes of child's writes (keys and values), for a merge that copies them. */
static int writes_bytes(const yc_overlay *child, size_t *total)
{
    size_t t = 0;
    for (size_t i = 0; i < child->cap; i++) {
        const struct ent *c = &child->tab[i];
        if (is_write(c->kind)) {
            if (c->klen > ((size_t)-1) - t || c->vlen > ((size_t)-1) - t - c->klen) {
                return YC_ENOMEM;
            }
            t += c->klen + c->vlen;
        }
    }
    *total = t;
    return YC_OK;
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
    uint8_t *copy = NULL; /* another arena's writes are copied here, one after the other */
    if (child->arena != parent->arena) {
        size_t total = 0;
        rc = writes_bytes(child, &total);
        if (rc != YC_OK) {
            return rc;
        }
        copy = yc_arena_alloc(parent->arena, total);
        if (copy == NULL) {
            return YC_ENOMEM;
        }
    }
    for (size_t i = 0; i < child->cap; i++) {
        struct ent *c = &child->tab[i];
        if (!is_write(c->kind)) {
            continue;
        }
        const uint8_t *val = c->val;
        if (copy != NULL && c->kind == ENT_PUT) {
            if (c->vlen > 0) {
                memcpy(copy, c->val, c->vlen);
            }
            val = copy;
            copy += c->vlen;
        }
        struct ent *p = find_slot(parent->tab, parent->cap, c->key, c->klen, c->hash);
        if (p->kind == ENT_EMPTY) {
            const uint8_t *key = c->key;
            if (copy != NULL) {
                if (c->klen > 0) {
                    memcpy(copy, c->key, c->klen);
                }
                key = copy;
                copy += c->klen;
            }
            p->key = key;
            p->klen = c->klen;
            p->hash = c->hash;
            parent->used++;
        } else if (is_write(p->kind)) {
            parent->nwrites--;
        }
        p->val = val;
        p->vlen = c->vlen;
        p->kind = c->kind;
        parent->nwrites++;
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
