/*
 * store_int.h — the store handle, shared by the files of storage/src.
 */
#ifndef YC_STORE_INT_H
#define YC_STORE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "state_cache.h"
#include "yc/kv.h"
#include "yc/store.h"

struct store {
    yc_kv *kv;   /* the backend (kv.h): synced writes for blocks, journal, genesis;
                   * unsynced for journal pruning */
    bool own_kv; /* opened by store_open_ex (closed with the store) */
    unsigned flags;
    uint8_t genesis_hash[YC_HASH_LEN];

    pthread_mutex_t mu; /* guards tip, last_error and the state cache */
    struct store_tip tip;
    char last_error[256];
    struct state_cache *cache; /* committed state in memory (NULL: off; store_state_cache) */
    uint64_t cache_hits, cache_misses;

    /* journal append cache (writer thread only): next sequence for jheight */
    bool jvalid;
    uint64_t jheight;
    uint64_t jnext;
    /* no record of a height below jlow is live (writer thread only): 0 at open, raised by
     * a prune, lowered by an append below it; a prune starts there (journal.c) */
    uint64_t jlow;
    /* no record of a height at or above jtop is live, once jtop_known (writer thread
     * only): found by one scan at the first append after open, raised by appends */
    bool jtop_known;
    uint64_t jtop;
};

/* Records the backend's message `msg` as the last error; returns rc. */
int store__fail(store *s, int rc, const char *msg);

/* A backend read: YC_OK with *val yc_malloc'ed (free with yc_free), YC_ENOTFOUND,
 * YC_ECORRUPT, YC_EIO or YC_ENOMEM (the message recorded). */
int store__get_raw(store *s, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen);

/* After an iteration: YC_OK, or YC_EIO / YC_ENOMEM when the iterator met an error (its
 * message recorded). */
int store__iter_done(store *s, yc_kv_iter *it);

#endif
