/*
 * idmap.c — chained hash map with a keyed bucket hash (see idmap.h).
 *
 * The table doubles when the load passes 1 entry per bucket; a failed resize keeps
 * the old table (still correct, only slower).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "idmap.h"

struct yc_idmap_entry {
    struct yc_idmap_entry *next;
    void *val;
    uint8_t key[YC_IDMAP_KEY_MAX];
};

#define IDMAP_INITIAL 64

static size_t bucket_of(const struct yc_idmap *m, const uint8_t *key, size_t nbuckets)
{
    uint8_t h[crypto_shorthash_BYTES];
    crypto_shorthash(h, key, m->klen, m->sipkey);
    uint64_t v;
    memcpy(&v, h, sizeof v);
    return (size_t)(v & (nbuckets - 1));
}

int yc_idmap_init(struct yc_idmap *m, size_t klen)
{
    memset(m, 0, sizeof *m);
    if (klen == 0 || klen > YC_IDMAP_KEY_MAX)
        return YC_EINVAL;
    if (sodium_init() < 0)
        return YC_ENOMEM;
    m->buckets = calloc(IDMAP_INITIAL, sizeof *m->buckets);
    if (m->buckets == NULL)
        return YC_ENOMEM;
    m->nbuckets = IDMAP_INITIAL;
    m->klen = klen;
    randombytes_buf(m->sipkey, sizeof m->sipkey);
    return YC_OK;
}

void yc_idmap_cleanup(struct yc_idmap *m)
{
    if (m->buckets != NULL) {
        for (size_t i = 0; i < m->nbuckets; i++) {
            struct yc_idmap_entry *e = m->buckets[i];
            while (e != NULL) {
                struct yc_idmap_entry *next = e->next;
                free(e);
                e = next;
            }
        }
        free(m->buckets);
    }
    memset(m, 0, sizeof *m);
}

static struct yc_idmap_entry **find(const struct yc_idmap *m, const uint8_t *key)
{
    struct yc_idmap_entry **pp = &m->buckets[bucket_of(m, key, m->nbuckets)];
    while (*pp != NULL && memcmp((*pp)->key, key, m->klen) != 0)
        pp = &(*pp)->next;
    return pp;
}

void *yc_idmap_get(const struct yc_idmap *m, const uint8_t *key)
{
    if (m->buckets == NULL)
        return NULL;
    struct yc_idmap_entry **pp = find(m, key);
    return *pp != NULL ? (*pp)->val : NULL;
}

static void grow(struct yc_idmap *m)
{
    size_t nb = m->nbuckets * 2;
    struct yc_idmap_entry **b = calloc(nb, sizeof *b);
    if (b == NULL)
        return;
    for (size_t i = 0; i < m->nbuckets; i++) {
        struct yc_idmap_entry *e = m->buckets[i];
        while (e != NULL) {
            struct yc_idmap_entry *next = e->next;
            size_t j = bucket_of(m, e->key, nb);
            e->next = b[j];
            b[j] = e;
            e = next;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->nbuckets = nb;
}

int yc_idmap_put(struct yc_idmap *m, const uint8_t *key, void *val)
{
    if (m->buckets == NULL)
        return YC_EINVAL;
    struct yc_idmap_entry **pp = find(m, key);
    if (*pp != NULL) {
        (*pp)->val = val;
        return YC_OK;
    }
    struct yc_idmap_entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return YC_ENOMEM;
    memcpy(e->key, key, m->klen);
    e->val = val;
    *pp = e;
    m->count++;
    if (m->count > m->nbuckets && m->nbuckets < ((size_t)1 << 30))
        grow(m);
    return YC_OK;
}

void *yc_idmap_del(struct yc_idmap *m, const uint8_t *key)
{
    if (m->buckets == NULL)
        return NULL;
    struct yc_idmap_entry **pp = find(m, key);
    struct yc_idmap_entry *e = *pp;
    if (e == NULL)
        return NULL;
    void *val = e->val;
    *pp = e->next;
    free(e);
    m->count--;
    return val;
}

void yc_idmap_each(const struct yc_idmap *m, yc_idmap_visit_cb cb, void *ctx)
{
    if (m->buckets == NULL)
        return;
    for (size_t i = 0; i < m->nbuckets; i++) {
        for (struct yc_idmap_entry *e = m->buckets[i]; e != NULL; e = e->next) {
            if (cb(ctx, e->key, e->val) != 0)
                return;
        }
    }
}
