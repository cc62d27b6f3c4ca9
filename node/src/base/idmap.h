/*
 * idmap.h — a hash map from fixed-length binary keys (tx ids, cache keys, sender
 * public keys) to pointers, for the mempool, the signature cache, the rejection
 * ring and the tx watches.
 *
 * Keys may be chosen by untrusted senders, so slots are picked with a keyed hash
 * (SipHash, libsodium crypto_shorthash) under a random key drawn at init: no one can
 * aim many keys at one slot. The table is open-addressed (linear probing) with each
 * key stored inline beside its value and 32 bits of its hash, so a look-up reads one
 * run of adjacent slots, and a slot whose stored hash differs is passed without
 * touching the key; nothing is allocated per entry. The map does not own values.
 * Loop thread only.
 *
 * Hash once: yc_idmap_hash() gives a key's hash, which the *_h calls take instead of
 * hashing again (a caller keeps it beside the key for a later look-up or removal). A
 * map whose keys are themselves outputs of a keyed cryptographic hash (under a secret
 * the process drew and never shows) may be used with the *_h calls alone, h being 64
 * bits of the key: equal keys give equal h, and no one can aim a key at a slot either
 * way. Such a map must never be given to the calls that hash (get, put, del).
 */
#ifndef YC_IDMAP_H
#define YC_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/err.h"

#define YC_IDMAP_KEY_MAX 33

struct yc_idmap {
    unsigned char *slots; /* cap slots of `stride` bytes; NULL before init */
    size_t cap;           /* power of two */
    size_t count;
    size_t klen;   /* every key is exactly klen bytes (1..YC_IDMAP_KEY_MAX) */
    size_t stride; /* bytes per slot: value, hash, key */
    uint8_t sipkey[16];
};

/* Initializes an empty map for keys of `klen` bytes. Returns YC_OK, YC_EINVAL, YC_ENOMEM. */
YC_WUR int yc_idmap_init(struct yc_idmap *m, size_t klen);
/* Frees the map's own memory (never the values). Safe on a zeroed map. */
void yc_idmap_cleanup(struct yc_idmap *m);

/* The keyed hash of key (klen bytes) that the *_h calls take. */
uint64_t yc_idmap_hash(const struct yc_idmap *m, const uint8_t *key);

/* Returns the value stored under key, or NULL. */
void *yc_idmap_get(const struct yc_idmap *m, const uint8_t *key);
/* Stores val (not NULL) under key, replacing any value. Returns YC_OK, YC_EINVAL (val
 * NULL, map not initialized) or YC_ENOMEM (map unchanged). */
YC_WUR int yc_idmap_put(struct yc_idmap *m, const uint8_t *key, void *val);
/* Removes key; returns the value it held or NULL. */
void *yc_idmap_del(struct yc_idmap *m, const uint8_t *key);

/* The same, with h = yc_idmap_hash(m, key). */
void *yc_idmap_get_h(const struct yc_idmap *m, const uint8_t *key, uint64_t h);
YC_WUR int yc_idmap_put_h(struct yc_idmap *m, const uint8_t *key, uint64_t h, void *val);
void *yc_idmap_del_h(struct yc_idmap *m, const uint8_t *key, uint64_t h);
/* A look-up and a store in one probe: stores val (not NULL) under key if the key is
 * absent; *old is the value the key held before (NULL: it was absent, val stored). Returns
 * as put (*old NULL on an error). */
YC_WUR int yc_idmap_add_h(struct yc_idmap *m, const uint8_t *key, uint64_t h, void *val,
                          void **old);
/* Removes key only if it holds val; returns whether it did. */
bool yc_idmap_del_if_h(struct yc_idmap *m, const uint8_t *key, uint64_t h, const void *val);

/* Calls cb(ctx, key, val) for every entry (unspecified order) until cb returns non-zero.
 * cb must not modify the map. */
typedef int (*yc_idmap_visit_cb)(void *ctx, const uint8_t *key, void *val);
void yc_idmap_each(const struct yc_idmap *m, yc_idmap_visit_cb cb, void *ctx);

#endif
