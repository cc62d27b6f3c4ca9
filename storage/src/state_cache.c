/*
 * state_cache.c — committed state kept in memory across blocks (state_cache.h).
 *
 * A chained hash table (power-of-two buckets, at most one entry per bucket on average)
 * of entries that each hold their key and value in one allocation, threaded on a list
 * from the most to the least recently used; past the size limit the least recently used
 * go. An entry's allocation has room for a value somewhat larger than the one it was
 * made for (its size rounded up to ROOM_ALIGN), and a commit writes a new value into it
 * when it fits (an account's value changes by a few bytes at most: its balance and nonce
 * in their shortest form), so updating a key takes no allocation; the limit counts that
 * room, not the value's bytes alone. Keys are partly chosen by senders (their public keys): the bucket hash is SipHash
 * under a key drawn at creation, so no one can aim at one bucket.
 *
 * A commit updates the keys the cache holds and adds none: what it keeps is what blocks
 * and admission read (a key written but never read stays out until it is read).
 *
 * Invariants: every key has at most one entry; klen + vlen <= room for each; `bytes` is
 * the sum of entry_cost(room) over the entries and stays <= max_bytes after every call; `gen` moves on at every commit and
 * clear, so a fill read before one of them is dropped.
 */
#include <string.h>

#include <sodium.h>

#include "yc/alloc.h"
#include "yc/arena.h"

#include "state_cache.h"

struct entry {
    struct entry *chain;         /* next in its bucket */
    struct entry *newer, *older; /* recency list */
    uint64_t hash;
    size_t klen, vlen;
    size_t room;    /* bytes of data[] (>= klen + vlen) */
    bool absent;    /* committed state has no such key */
    uint8_t data[]; /* key, then value */
};

struct state_cache {
    struct entry **buckets;
    size_t nbuckets; /* power of two */
    struct entry *newest, *oldest;
    size_t count, bytes, max_bytes;
    uint64_t gen;
    uint8_t sipkey[crypto_shorthash_KEYBYTES];
};

#define INITIAL_BUCKETS 1024u
/* An entry's room is its key and value rounded up to this (the allocator's own granule). */
#define ROOM_ALIGN 16u

static size_t entry_cost(size_t room)
{
    return STATE_CACHE_ENTRY_OVERHEAD + room;
}

/* The room for klen + vlen bytes (no overflow: both are at most max_bytes). */
static size_t room_for(size_t klen, size_t vlen)
{
    return (klen + vlen + ROOM_ALIGN - 1) / ROOM_ALIGN * ROOM_ALIGN;
}

static uint64_t key_hash(const struct state_cache *c, const uint8_t *key, size_t klen)
{
    uint8_t h[crypto_shorthash_BYTES];
    uint64_t v;
    crypto_shorthash(h, key, (unsigned long long)klen, c->sipkey);
    memcpy(&v, h, sizeof v);
    return v;
}

int state_cache_create(struct state_cache **out, size_t max_bytes)
{
    if (out == NULL)
        return YC_EINVAL;
    *out = NULL;
    if (max_bytes == 0)
        return YC_EINVAL;
    struct state_cache *c = yc_calloc(1, sizeof *c);
    if (c == NULL)
        return YC_ENOMEM;
    c->buckets = yc_calloc(INITIAL_BUCKETS, sizeof *c->buckets);
    if (c->buckets == NULL) {
        yc_free(c);
        return YC_ENOMEM;
    }
    c->nbuckets = INITIAL_BUCKETS;
    c->max_bytes = max_bytes;
    randombytes_buf(c->sipkey, sizeof c->sipkey);
    *out = c;
    return YC_OK;
}

void state_cache_clear(struct state_cache *c)
{
    struct entry *e = c->newest;
    while (e != NULL) {
        struct entry *next = e->older;
        yc_free(e);
        e = next;
    }
    memset(c->buckets, 0, c->nbuckets * sizeof *c->buckets);
    c->newest = c->oldest = NULL;
    c->count = c->bytes = 0;
    c->gen++;
}

void state_cache_destroy(struct state_cache *c)
{
    if (c == NULL)
        return;
    state_cache_clear(c);
    yc_free(c->buckets);
    yc_free(c);
}

static struct entry **bucket_of(const struct state_cache *c, uint64_t hash)
{
    return &c->buckets[hash & (c->nbuckets - 1)];
}

static struct entry *find(const struct state_cache *c, const uint8_t *key, size_t klen,
                          uint64_t hash)
{
    for (struct entry *e = *bucket_of(c, hash); e != NULL; e = e->chain)
        if (e->hash == hash && e->klen == klen && memcmp(e->data, key, klen) == 0)
            return e;
    return NULL;
}

static void list_unlink(struct state_cache *c, struct entry *e)
{
    if (e->newer != NULL)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older != NULL)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void list_push_newest(struct state_cache *c, struct entry *e)
{
    e->newer = NULL;
    e->older = c->newest;
    if (c->newest != NULL)
        c->newest->newer = e;
    c->newest = e;
    if (c->oldest == NULL)
        c->oldest = e;
}

static void remove_entry(struct state_cache *c, struct entry *e)
{
    struct entry **p = bucket_of(c, e->hash);
    while (*p != e)
        p = &(*p)->chain;
    *p = e->chain;
    list_unlink(c, e);
    c->count--;
    c->bytes -= entry_cost(e->room);
    yc_free(e);
}

/* Doubles the buckets once entries outnumber them (best effort: a full table still
 * works, with longer chains). */
static void maybe_grow(struct state_cache *c)
{
    if (c->count <= c->nbuckets || c->nbuckets > ((size_t)-1) / (2 * sizeof *c->buckets))
        return;
    size_t nb = c->nbuckets * 2;
    struct entry **b = yc_calloc(nb, sizeof *b);
    if (b == NULL)
        return;
    for (size_t i = 0; i < c->nbuckets; i++) {
        struct entry *e = c->buckets[i];
        while (e != NULL) {
            struct entry *next = e->chain;
            struct entry **slot = &b[e->hash & (nb - 1)];
            e->chain = *slot;
            *slot = e;
            e = next;
        }
    }
    yc_free(c->buckets);
    c->buckets = b;
    c->nbuckets = nb;
}

/* Makes key's entry say val (NULL: absent); hash is key_hash(c, key, klen). On any failure
 * the key has no entry. */
static void set(struct state_cache *c, const uint8_t *key, size_t klen, uint64_t hash,
                const uint8_t *val, size_t vlen)
{
    struct entry *old = find(c, key, klen, hash);
    if (val == NULL)
        vlen = 0;
    if (old != NULL && vlen <= c->max_bytes && klen + vlen <= old->room) {
        /* the new value fits where the old one was: no allocation, the cost unchanged */
        if (vlen > 0)
            memcpy(old->data + klen, val, vlen);
        old->vlen = vlen;
        old->absent = val == NULL;
        list_unlink(c, old);
        list_push_newest(c, old);
        return;
    }
    if (old != NULL)
        remove_entry(c, old);
    if (klen > c->max_bytes || vlen > c->max_bytes)
        return;
    size_t room = room_for(klen, vlen);
    size_t cost = entry_cost(room);
    if (cost > c->max_bytes)
        return;
    struct entry *e = yc_malloc(sizeof *e + room);
    if (e == NULL)
        return;
    memset(e, 0, sizeof *e);
    e->hash = hash;
    e->klen = klen;
    e->vlen = vlen;
    e->room = room;
    e->absent = val == NULL;
    if (klen > 0)
        memcpy(e->data, key, klen);
    if (vlen > 0)
        memcpy(e->data + klen, val, vlen);
    while (c->bytes + cost > c->max_bytes && c->oldest != NULL)
        remove_entry(c, c->oldest);
    struct entry **b = bucket_of(c, hash);
    e->chain = *b;
    *b = e;
    list_push_newest(c, e);
    c->count++;
    c->bytes += cost;
    maybe_grow(c);
}

/* The entry of key, made the most recently used; NULL if the cache does not know it. */
static struct entry *lookup(struct state_cache *c, const uint8_t *key, size_t klen)
{
    struct entry *e = find(c, key, klen, key_hash(c, key, klen));
    if (e != NULL) {
        list_unlink(c, e);
        list_push_newest(c, e);
    }
    return e;
}

/* The cached value of key copied into arena (NULL: yc_memdup), as state_cache_get. */
static bool get_copy(struct state_cache *c, const uint8_t *key, size_t klen, struct yc_arena *arena,
                     int *rc, uint8_t **val, size_t *vlen)
{
    *val = NULL;
    *vlen = 0;
    struct entry *e = lookup(c, key, klen);
    if (e == NULL)
        return false;
    if (e->absent) {
        *rc = YC_ENOTFOUND;
        return true;
    }
    const uint8_t *v = e->data + e->klen;
    *val = arena != NULL ? yc_arena_dup(arena, v, e->vlen) : yc_memdup(v, e->vlen);
    *rc = *val != NULL ? YC_OK : YC_ENOMEM;
    if (*val != NULL)
        *vlen = e->vlen;
    return true;
}

bool state_cache_get(struct state_cache *c, const uint8_t *key, size_t klen, int *rc, uint8_t **val,
                     size_t *vlen, uint64_t *gen)
{
    *gen = c->gen;
    return get_copy(c, key, klen, NULL, rc, val, vlen);
}

bool state_cache_get_in(struct state_cache *c, const uint8_t *key, size_t klen,
                        struct yc_arena *arena, int *rc, const uint8_t **val, size_t *vlen)
{
    uint8_t *v = NULL;
    bool held = get_copy(c, key, klen, arena, rc, &v, vlen);
    *val = v;
    return held;
}

void state_cache_fill(struct state_cache *c, uint64_t gen, const uint8_t *key, size_t klen,
                      const uint8_t *val, size_t vlen)
{
    if (gen == c->gen)
        set(c, key, klen, key_hash(c, key, klen), val, vlen);
}

void state_cache_commit(struct state_cache *c, const struct yc_write *writes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct yc_write *w = &writes[i];
        uint64_t hash = key_hash(c, w->key, w->klen);
        if (find(c, w->key, w->klen, hash) != NULL)
            set(c, w->key, w->klen, hash,
                w->del ? NULL : (w->val != NULL ? w->val : (const uint8_t *)""), w->vlen);
    }
    c->gen++;
}

void state_cache_usage(const struct state_cache *c, size_t *entries, size_t *bytes)
{
    *entries = c->count;
    *bytes = c->bytes;
}
