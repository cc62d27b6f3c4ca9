/*
 * idmap.c — open-addressed hash map with a keyed hash (see idmap.h).
 *
 * A slot is { value pointer, low 32 bits of the key's hash, key }: empty when its
 * value is NULL (values are never NULL). A key lives in the first empty-or-own slot
 * from its home (hash & (cap - 1)) onwards, wrapping around. Invariants: at least one
 * slot is always empty, so every probe ends; between a key's home and its slot no
 * slot is empty (deletion shifts later members of the run back instead of leaving
 * markers). The table doubles when it would pass 3/4 full; the stored hash bits place
 * every key in the new table without hashing it again (cap <= 2^30 < 2^32). A failed
 * resize keeps the old table (correct, only slower) while a slot stays free.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "idmap.h"

struct slot {
    void *val; /* NULL: empty */
    uint32_t hash;
    uint8_t key[]; /* klen bytes */
};

#define IDMAP_INITIAL 16
#define IDMAP_MAX ((size_t)1 << 30)

static struct slot *at(const struct yc_idmap *m, size_t i)
{
    return (struct slot *)(void *)(m->slots + i * m->stride);
}

int yc_idmap_init(struct yc_idmap *m, size_t klen)
{
    memset(m, 0, sizeof *m);
    if (klen == 0 || klen > YC_IDMAP_KEY_MAX)
        return YC_EINVAL;
    if (sodium_init() < 0)
        return YC_ENOMEM;
    size_t stride = (offsetof(struct slot, key) + klen + 7) & ~(size_t)7;
    m->slots = calloc(IDMAP_INITIAL, stride);
    if (m->slots == NULL)
        return YC_ENOMEM;
    m->cap = IDMAP_INITIAL;
    m->klen = klen;
    m->stride = stride;
    randombytes_buf(m->sipkey, sizeof m->sipkey);
    return YC_OK;
}

void yc_idmap_cleanup(struct yc_idmap *m)
{
    free(m->slots);
    sodium_memzero(m, sizeof *m);
}

uint64_t yc_idmap_hash(const struct yc_idmap *m, const uint8_t *key)
{
    uint8_t h[crypto_shorthash_BYTES];
    crypto_shorthash(h, key, m->klen, m->sipkey);
    uint64_t v;
    memcpy(&v, h, sizeof v);
    return v;
}

/* Index of key's slot, or of the empty slot that ends its run (*found false). */
static size_t probe(const struct yc_idmap *m, const uint8_t *key, uint32_t h, bool *found)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const struct slot *s = at(m, i);
        if (s->val == NULL) {
            *found = false;
            return i;
        }
        if (s->hash == h && memcmp(s->key, key, m->klen) == 0) {
            *found = true;
            return i;
        }
    }
}

void *yc_idmap_get_h(const struct yc_idmap *m, const uint8_t *key, uint64_t h)
{
    if (m->slots == NULL)
        return NULL;
    bool found;
    size_t i = probe(m, key, (uint32_t)h, &found);
    return found ? at(m, i)->val : NULL;
}

void *yc_idmap_get(const struct yc_idmap *m, const uint8_t *key)
{
    return m->slots != NULL ? yc_idmap_get_h(m, key, yc_idmap_hash(m, key)) : NULL;
}

static bool grow(struct yc_idmap *m)
{
    if (m->cap >= IDMAP_MAX)
        return false;
    size_t ncap = m->cap * 2;
    unsigned char *ns = calloc(ncap, m->stride);
    if (ns == NULL)
        return false;
    struct yc_idmap old = *m;
    m->slots = ns;
    m->cap = ncap;
    for (size_t i = 0; i < old.cap; i++) {
        const struct slot *s = at(&old, i);
        if (s->val == NULL)
            continue;
        size_t j = s->hash & (ncap - 1);
        while (at(m, j)->val != NULL)
            j = (j + 1) & (ncap - 1);
        memcpy(at(m, j), s, m->stride);
    }
    free(old.slots);
    return true;
}

/* Stores val under key (h its hash) if the key is absent, or if `replace`; *old: the value
 * the key held before (NULL: absent). */
static int store(struct yc_idmap *m, const uint8_t *key, uint64_t h, void *val, bool replace,
                 void **old)
{
    *old = NULL;
    if (m->slots == NULL || val == NULL)
        return YC_EINVAL;
    bool found;
    size_t i = probe(m, key, (uint32_t)h, &found);
    if (found) {
        *old = at(m, i)->val;
        if (replace)
            at(m, i)->val = val;
        return YC_OK;
    }
    if ((m->count + 1) * 4 > m->cap * 3) {
        if (grow(m))
            i = probe(m, key, (uint32_t)h, &found);
        else if (m->count + 2 > m->cap)
            return YC_ENOMEM; /* the last free slot ends every probe */
    }
    struct slot *s = at(m, i);
    s->val = val;
    s->hash = (uint32_t)h;
    memcpy(s->key, key, m->klen);
    m->count++;
    return YC_OK;
}

int yc_idmap_put_h(struct yc_idmap *m, const uint8_t *key, uint64_t h, void *val)
{
    void *old;
    return store(m, key, h, val, true, &old);
}

int yc_idmap_add_h(struct yc_idmap *m, const uint8_t *key, uint64_t h, void *val, void **old)
{
    return store(m, key, h, val, false, old);
}

int yc_idmap_put(struct yc_idmap *m, const uint8_t *key, void *val)
{
    if (m->slots == NULL)
        return YC_EINVAL;
    return yc_idmap_put_h(m, key, yc_idmap_hash(m, key), val);
}

/* Empties slot i, moving back the later members of its run that may sit there. */
static void remove_slot(struct yc_idmap *m, size_t i)
{
    size_t mask = m->cap - 1;
    for (size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
        struct slot *s = at(m, j);
        if (s->val == NULL)
            break;
        /* s may fill the hole at i unless its home lies cyclically in (i, j] */
        size_t home = s->hash & mask;
        if (((j - home) & mask) >= ((j - i) & mask)) {
            memcpy(at(m, i), s, m->stride);
            i = j;
        }
    }
    at(m, i)->val = NULL;
    m->count--;
}

void *yc_idmap_del_h(struct yc_idmap *m, const uint8_t *key, uint64_t h)
{
    if (m->slots == NULL)
        return NULL;
    bool found;
    size_t i = probe(m, key, (uint32_t)h, &found);
    if (!found)
        return NULL;
    void *val = at(m, i)->val;
    remove_slot(m, i);
    return val;
}

void *yc_idmap_del(struct yc_idmap *m, const uint8_t *key)
{
    return m->slots != NULL ? yc_idmap_del_h(m, key, yc_idmap_hash(m, key)) : NULL;
}

bool yc_idmap_del_if_h(struct yc_idmap *m, const uint8_t *key, uint64_t h, const void *val)
{
    if (m->slots == NULL)
        return false;
    bool found;
    size_t i = probe(m, key, (uint32_t)h, &found);
    if (!found || at(m, i)->val != val)
        return false;
    remove_slot(m, i);
    return true;
}

void yc_idmap_each(const struct yc_idmap *m, yc_idmap_visit_cb cb, void *ctx)
{
    for (size_t i = 0; m->slots != NULL && i < m->cap; i++) {
        const struct slot *s = at(m, i);
        if (s->val != NULL && cb(ctx, s->key, s->val) != 0)
            return;
    }
}
