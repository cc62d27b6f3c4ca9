/*
 * idmap.h — a hash map from fixed-length binary keys (tx ids, cache keys, sender
 * public keys) to pointers, for the mempool, the signature cache, the rejection
 * ring and the tx watches.
 *
 * Keys may be chosen by untrusted senders, so buckets are picked with a keyed hash
 * (SipHash, libsodium crypto_shorthash) under a random key drawn at init: no one can
 * aim many keys at one bucket. The map does not own values. Loop thread only.
 */
#ifndef YC_IDMAP_H
#define YC_IDMAP_H

#include <stddef.h>
#include <stdint.h>

#include "yc/err.h"

#define YC_IDMAP_KEY_MAX 33

struct yc_idmap_entry;

struct yc_idmap {
    struct yc_idmap_entry **buckets;
    size_t nbuckets; /* power of two */
    size_t count;
    size_t klen; /* every key is exactly klen bytes (1..YC_IDMAP_KEY_MAX) */
    uint8_t sipkey[16];
};

/* Initializes an empty map for keys of `klen` bytes. Returns YC_OK, YC_EINVAL, YC_ENOMEM. */
YC_WUR int yc_idmap_init(struct yc_idmap *m, size_t klen);
/* Frees the map's own memory (never the values). Safe on a zeroed map. */
void yc_idmap_cleanup(struct yc_idmap *m);
/* Returns the value stored under key, or NULL. */
void *yc_idmap_get(const struct yc_idmap *m, const uint8_t *key);
/* Stores val under key, replacing any value. Returns YC_OK or YC_ENOMEM (map unchanged). */
YC_WUR int yc_idmap_put(struct yc_idmap *m, const uint8_t *key, void *val);
/* Removes key; returns the value it held or NULL. */
void *yc_idmap_del(struct yc_idmap *m, const uint8_t *key);

/* Calls cb(ctx, key, val) for every entry (unspecified order) until cb returns non-zero.
 * cb must not modify the map. */
typedef int (*yc_idmap_visit_cb)(void *ctx, const uint8_t *key, void *val);
void yc_idmap_each(const struct yc_idmap *m, yc_idmap_visit_cb cb, void *ctx);

#endif
