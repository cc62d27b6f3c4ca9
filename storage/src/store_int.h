/*
 * store_int.h — the store handle, shared by the files of storage/src.
 */
#ifndef YC_STORE_INT_H
#define YC_STORE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <leveldb/c.h>

#include "yc/store.h"

struct store {
    leveldb_t *db;
    leveldb_options_t *opts;
    leveldb_readoptions_t *ropts;
    leveldb_writeoptions_t *wsync;  /* sync = true: blocks, journal, genesis */
    leveldb_writeoptions_t *wasync; /* sync = false: journal pruning */
    unsigned flags;
    uint8_t genesis_hash[YC_HASH_LEN];

    pthread_mutex_t mu; /* guards tip and last_error */
    struct store_tip tip;
    char last_error[256];

    /* journal append cache (writer thread only): next sequence for jheight */
    bool jvalid;
    uint64_t jheight;
    uint64_t jnext;
};

/* Records a LevelDB error message (freeing it) and maps it to a code: "Corruption" →
 * YC_ECORRUPT, anything else → YC_EIO. */
int store__leveldb_err(store *s, char *err);

/* leveldb_get wrapper: YC_OK with *val malloc'ed by LevelDB (free with leveldb_free),
 * YC_ENOTFOUND, YC_ECORRUPT or YC_EIO. */
int store__get_raw(store *s, const uint8_t *key, size_t klen, char **val, size_t *vlen);

#endif
