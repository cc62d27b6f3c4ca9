/*
 * store.c — opening the database, the atomic block commit and the read paths.
 *
 * Invariants kept here (key grammar in store_keys.h and docs/storage.md):
 *  - "m/tip" only ever changes in the same synced WriteBatch that writes the block it
 *    names, with that block's indexes and state writes; so after a crash at any
 *    instant the stored tip's block, and every block below it, are present.
 *  - "m/genesis" is written once, with the genesis state and the height-0 tip, in one
 *    synced batch; a database with a different genesis is refused, never mixed.
 *  - Opening checks that the tip's block exists and hashes to the tip's hash.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "yc/alloc.h"
#include "yc/ledger.h"
#include "yc/objects.h"

#include "store_int.h"
#include "store_keys.h"

static void errf(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void errf(char *errbuf, size_t errlen, const char *fmt, ...)
{
    if (errbuf == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, errlen, fmt, ap);
    va_end(ap);
}

static void set_last_error(store *s, const char *msg)
{
    pthread_mutex_lock(&s->mu);
    snprintf(s->last_error, sizeof s->last_error, "%s", msg);
    pthread_mutex_unlock(&s->mu);
}

int store__leveldb_err(store *s, char *err)
{
    int rc = YC_EIO;
    if (err != NULL && strncmp(err, "Corruption", 10) == 0)
        rc = YC_ECORRUPT;
    set_last_error(s, err != NULL ? err : "unknown LevelDB error");
    leveldb_free(err);
    return rc;
}

int store__get_raw(store *s, const uint8_t *key, size_t klen, char **val, size_t *vlen)
{
    char *err = NULL;
    *val = leveldb_get(s->db, s->ropts, (const char *)key, klen, vlen, &err);
    if (err != NULL) {
        *val = NULL;
        *vlen = 0;
        return store__leveldb_err(s, err);
    }
    return *val != NULL ? YC_OK : YC_ENOTFOUND;
}

static void tip_encode(uint8_t out[STORE_TIP_LEN], const struct store_tip *t)
{
    sk_put_u64(out, t->height);
    memcpy(out + 8, t->hash, YC_HASH_LEN);
    memcpy(out + 8 + YC_HASH_LEN, t->state_root, YC_HASH_LEN);
    sk_put_u64(out + 8 + 2 * YC_HASH_LEN, t->time_ms);
}

static void tip_decode(struct store_tip *t, const uint8_t in[STORE_TIP_LEN])
{
    t->height = sk_get_u64(in);
    memcpy(t->hash, in + 8, YC_HASH_LEN);
    memcpy(t->state_root, in + 8 + YC_HASH_LEN, YC_HASH_LEN);
    t->time_ms = sk_get_u64(in + 8 + 2 * YC_HASH_LEN);
}

static int empty_get(void *ctx, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen)
{
    (void)ctx;
    (void)key;
    (void)klen;
    *val = NULL;
    *vlen = 0;
    return YC_ENOTFOUND;
}

/* First open: the genesis state, the genesis hash, the format version and the height-0
 * tip, in one synced batch. */
static int init_genesis(store *s, const struct yc_genesis *g, char *errbuf, size_t errlen)
{
    struct yc_state_src empty = {.get = empty_get, .ctx = NULL};
    yc_overlay *o = NULL;
    int rc = yc_overlay_create(&o, &empty);
    if (rc != YC_OK) {
        errf(errbuf, errlen, "cannot build the genesis state: %s", yc_strerror(rc));
        return rc;
    }
    struct store_tip tip = {.height = 0, .time_ms = g->genesis_time_ms};
    memcpy(tip.hash, g->hash, YC_HASH_LEN);
    rc = yc_genesis_state(o, g, tip.state_root);
    const struct yc_write *w = NULL;
    size_t n = 0;
    if (rc == YC_OK)
        rc = yc_overlay_writes(o, &w, &n);
    if (rc != YC_OK) {
        errf(errbuf, errlen, "cannot build the genesis state: %s", yc_strerror(rc));
        yc_overlay_destroy(o);
        return rc;
    }
    leveldb_writebatch_t *wb = leveldb_writebatch_create();
    uint8_t key[SK_MAX];
    for (size_t i = 0; i < n; i++) {
        size_t kl = sk_state(key, w[i].key, w[i].klen);
        if (kl == 0) {
            rc = YC_EINVAL;
            break;
        }
        if (w[i].del)
            leveldb_writebatch_delete(wb, (const char *)key, kl);
        else
            leveldb_writebatch_put(wb, (const char *)key, kl,
                                   w[i].val != NULL ? (const char *)w[i].val : "", w[i].vlen);
    }
    uint8_t ver[4], tipv[STORE_TIP_LEN];
    sk_put_u32(ver, STORE_FORMAT_VERSION);
    tip_encode(tipv, &tip);
    leveldb_writebatch_put(wb, SK_VERSION, strlen(SK_VERSION), (const char *)ver, sizeof ver);
    leveldb_writebatch_put(wb, SK_GENESIS, strlen(SK_GENESIS), (const char *)g->hash,
                           YC_HASH_LEN);
    leveldb_writebatch_put(wb, SK_TIP, strlen(SK_TIP), (const char *)tipv, sizeof tipv);
    yc_overlay_destroy(o);
    if (rc != YC_OK) {
        leveldb_writebatch_destroy(wb);
        errf(errbuf, errlen, "genesis state key longer than %d bytes", YC_KEY_MAX);
        return rc;
    }
    char *err = NULL;
    leveldb_write(s->db, s->wsync, wb, &err);
    leveldb_writebatch_destroy(wb);
    if (err != NULL) {
        rc = store__leveldb_err(s, err);
        errf(errbuf, errlen, "cannot write the genesis state: %s", s->last_error);
        return rc;
    }
    memcpy(s->genesis_hash, g->hash, YC_HASH_LEN);
    s->tip = tip;
    return YC_OK;
}

/* Reads a fixed-size meta value: YC_OK, YC_ENOTFOUND, YC_ECORRUPT (wrong size), YC_EIO. */
static int get_fixed(store *s, const char *key, uint8_t *out, size_t n)
{
    char *v = NULL;
    size_t vl = 0;
    int rc = store__get_raw(s, (const uint8_t *)key, strlen(key), &v, &vl);
    if (rc != YC_OK)
        return rc;
    if (vl != n) {
        leveldb_free(v);
        return YC_ECORRUPT;
    }
    memcpy(out, v, n);
    leveldb_free(v);
    return YC_OK;
}

/* The tip's block must exist, decode, hash to the tip hash and be indexed by it. */
static int check_tip(store *s, char *errbuf, size_t errlen)
{
    const struct store_tip *t = &s->tip;
    if (t->height == 0) {
        if (memcmp(t->hash, s->genesis_hash, YC_HASH_LEN) != 0) {
            errf(errbuf, errlen, "database corrupt: tip at height 0 does not name the genesis");
            return YC_ECORRUPT;
        }
        return YC_OK;
    }
    uint8_t *bytes = NULL;
    size_t len = 0;
    int rc = store_get_block(s, t->height, &bytes, &len);
    if (rc == YC_ENOTFOUND) {
        errf(errbuf, errlen,
             "database corrupt: the tip is at height %llu but block %llu is missing; "
             "restore the data directory from a copy or resynchronise",
             (unsigned long long)t->height, (unsigned long long)t->height);
        return YC_ECORRUPT;
    }
    if (rc != YC_OK) {
        errf(errbuf, errlen, "cannot read the tip block %llu: %s",
             (unsigned long long)t->height, s->last_error);
        return rc;
    }
    struct yc_block b;
    rc = yc_block_decode(&b, bytes, len);
    yc_free(bytes);
    if (rc != YC_OK) {
        errf(errbuf, errlen, "database corrupt: the tip block %llu does not decode (%s)",
             (unsigned long long)t->height, yc_err_name(rc));
        return YC_ECORRUPT;
    }
    bool same = b.hdr.height == t->height && memcmp(b.hash, t->hash, YC_HASH_LEN) == 0;
    yc_block_cleanup(&b);
    if (!same) {
        errf(errbuf, errlen, "database corrupt: the block stored at height %llu is not the tip",
             (unsigned long long)t->height);
        return YC_ECORRUPT;
    }
    uint64_t h = 0;
    rc = store_block_height(s, t->hash, &h);
    if (rc != YC_OK || h != t->height) {
        errf(errbuf, errlen, "database corrupt: the hash index misses the tip block %llu",
             (unsigned long long)t->height);
        return YC_ECORRUPT;
    }
    return YC_OK;
}

static int load_meta(store *s, const struct yc_genesis *g, char *errbuf, size_t errlen)
{
    uint8_t ver[4], tipv[STORE_TIP_LEN];
    int rc = get_fixed(s, SK_GENESIS, s->genesis_hash, YC_HASH_LEN);
    if (rc == YC_ENOTFOUND) {
        char *v = NULL;
        size_t vl = 0;
        int trc = store__get_raw(s, (const uint8_t *)SK_TIP, strlen(SK_TIP), &v, &vl);
        leveldb_free(v);
        if (trc != YC_ENOTFOUND) {
            errf(errbuf, errlen, "database corrupt: a tip is stored but no genesis hash");
            return YC_ECORRUPT;
        }
        if (g == NULL || (s->flags & STORE_READ_ONLY)) {
            errf(errbuf, errlen,
                 "the database has never been initialised with a genesis; start the node "
                 "once with its genesis.json");
            return YC_ECONFIG;
        }
        return init_genesis(s, g, errbuf, errlen);
    }
    if (rc != YC_OK) {
        errf(errbuf, errlen, "cannot read the genesis hash: %s",
             rc == YC_ECORRUPT ? "malformed value" : s->last_error);
        return rc;
    }
    rc = get_fixed(s, SK_VERSION, ver, sizeof ver);
    if (rc != YC_OK) {
        errf(errbuf, errlen, "database corrupt: format version missing or malformed");
        return rc == YC_EIO ? YC_EIO : YC_ECORRUPT;
    }
    if (sk_get_u32(ver) != STORE_FORMAT_VERSION) {
        errf(errbuf, errlen, "database format version %u is not supported (this build reads %u)",
             sk_get_u32(ver), STORE_FORMAT_VERSION);
        return YC_ECONFIG;
    }
    if (g != NULL && memcmp(g->hash, s->genesis_hash, YC_HASH_LEN) != 0) {
        char have[2 * YC_HASH_LEN + 1], want[2 * YC_HASH_LEN + 1];
        yc_hex(have, s->genesis_hash, YC_HASH_LEN);
        yc_hex(want, g->hash, YC_HASH_LEN);
        errf(errbuf, errlen,
             "the database belongs to another chain: its genesis hash is %s but the "
             "configured genesis.json hashes to %s; use that chain's genesis.json or "
             "another home",
             have, want);
        return YC_ECONFIG;
    }
    rc = get_fixed(s, SK_TIP, tipv, sizeof tipv);
    if (rc != YC_OK) {
        errf(errbuf, errlen, "database corrupt: tip record missing or malformed");
        return rc == YC_EIO ? YC_EIO : YC_ECORRUPT;
    }
    tip_decode(&s->tip, tipv);
    if (s->flags & STORE_NO_CHECK)
        return YC_OK;
    return check_tip(s, errbuf, errlen);
}

static int open_error(char *err, const char *dir, char *errbuf, size_t errlen)
{
    int rc = YC_EIO;
    if (strstr(err, "LOCK") != NULL || strstr(err, "lock ") != NULL) {
        errf(errbuf, errlen,
             "the database %s is in use (is a node running on this home?); stop it or work "
             "on a copy: %s",
             dir, err);
        rc = YC_EBUSY;
    } else if (strstr(err, "does not exist") != NULL) {
        errf(errbuf, errlen, "no database in %s: %s", dir, err);
        rc = YC_ENOTFOUND;
    } else if (strncmp(err, "Corruption", 10) == 0) {
        errf(errbuf, errlen,
             "the database %s is corrupt (%s); restore it from a copy or resynchronise", dir,
             err);
        rc = YC_ECORRUPT;
    } else {
        errf(errbuf, errlen, "cannot open the database %s: %s", dir, err);
    }
    leveldb_free(err);
    return rc;
}

static void destroy_handle(store *s)
{
    if (s->db != NULL)
        leveldb_close(s->db);
    if (s->opts != NULL)
        leveldb_options_destroy(s->opts);
    if (s->ropts != NULL)
        leveldb_readoptions_destroy(s->ropts);
    if (s->wsync != NULL)
        leveldb_writeoptions_destroy(s->wsync);
    if (s->wasync != NULL)
        leveldb_writeoptions_destroy(s->wasync);
    pthread_mutex_destroy(&s->mu);
    yc_free(s);
}

int store_open_ex(store **out, const char *dir, unsigned flags, const struct yc_genesis *genesis,
                  char *errbuf, size_t errlen)
{
    if (out == NULL)
        return YC_EINVAL;
    *out = NULL;
    if (errbuf != NULL && errlen > 0)
        errbuf[0] = '\0';
    if (dir == NULL) {
        errf(errbuf, errlen, "no database directory given");
        return YC_EINVAL;
    }
    store *s = yc_calloc(1, sizeof *s);
    if (s == NULL) {
        errf(errbuf, errlen, "out of memory");
        return YC_ENOMEM;
    }
    pthread_mutex_init(&s->mu, NULL);
    s->flags = flags;
    s->opts = leveldb_options_create();
    s->ropts = leveldb_readoptions_create();
    s->wsync = leveldb_writeoptions_create();
    s->wasync = leveldb_writeoptions_create();
    leveldb_options_set_create_if_missing(s->opts, (flags & STORE_CREATE) ? 1 : 0);
    leveldb_options_set_paranoid_checks(s->opts, 1);
    leveldb_options_set_compression(s->opts, leveldb_no_compression);
    if (flags & STORE_VERIFY)
        leveldb_readoptions_set_verify_checksums(s->ropts, 1);
    leveldb_writeoptions_set_sync(s->wsync, 1);
    leveldb_writeoptions_set_sync(s->wasync, 0);

    char *err = NULL;
    s->db = leveldb_open(s->opts, dir, &err);
    if (err != NULL) {
        s->db = NULL;
        int rc = open_error(err, dir, errbuf, errlen);
        destroy_handle(s);
        return rc;
    }
    int rc = load_meta(s, genesis, errbuf, errlen);
    if (rc != YC_OK) {
        destroy_handle(s);
        return rc;
    }
    *out = s;
    return YC_OK;
}

int store_open(store **out, const char *dir, bool create, const struct yc_genesis *genesis,
               char *errbuf, size_t errlen)
{
    return store_open_ex(out, dir, create ? STORE_CREATE : 0u, genesis, errbuf, errlen);
}

void store_close(store *s)
{
    if (s == NULL)
        return;
    if (!(s->flags & STORE_READ_ONLY)) {
        /* A range above every key prefix: LevelDB flushes the memtable into a table and
         * compacts nothing else, so a cleanly closed database holds its blocks in
         * checksummed tables rather than in the write-ahead log. */
        leveldb_compact_range(s->db, "~", 1, "~~", 2);
    }
    destroy_handle(s);
}

void store_genesis_hash(store *s, uint8_t out[YC_HASH_LEN])
{
    memcpy(out, s->genesis_hash, YC_HASH_LEN);
}

const char *store_last_error(store *s)
{
    return s->last_error;
}

int store_tip(store *s, struct store_tip *tip)
{
    if (s == NULL || tip == NULL)
        return YC_EINVAL;
    pthread_mutex_lock(&s->mu);
    *tip = s->tip;
    pthread_mutex_unlock(&s->mu);
    return YC_OK;
}

int store_get_state(store *s, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen)
{
    if (s == NULL || val == NULL || vlen == NULL || (key == NULL && klen > 0))
        return YC_EINVAL;
    *val = NULL;
    *vlen = 0;
    uint8_t k[SK_MAX];
    size_t kl = sk_state(k, key, klen);
    if (kl == 0)
        return YC_EINVAL;
    char *v = NULL;
    size_t vl = 0;
    int rc = store__get_raw(s, k, kl, &v, &vl);
    if (rc != YC_OK)
        return rc == YC_ECORRUPT ? YC_EIO : rc;
    *val = yc_memdup(v, vl);
    leveldb_free(v);
    if (*val == NULL)
        return YC_ENOMEM;
    *vlen = vl;
    return YC_OK;
}

static int state_get_cb(void *ctx, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen)
{
    return store_get_state(ctx, key, klen, val, vlen);
}

/* yc_state_src.scan over committed state: a positive stop from the visitor is not an
 * error (store_scan_state returns it as is). */
static int state_scan_cb(void *ctx, const uint8_t *prefix, size_t plen, yc_state_visit_cb visit,
                         void *vctx)
{
    int rc = store_scan_state(ctx, prefix, plen, 0, visit, vctx);
    return rc > 0 ? YC_OK : rc;
}

struct yc_state_src store_state_src(store *s)
{
    struct yc_state_src src = {.get = state_get_cb, .ctx = s, .scan = state_scan_cb};
    return src;
}

int store_get_block(store *s, uint64_t height, uint8_t **bytes, size_t *len)
{
    if (s == NULL || bytes == NULL || len == NULL)
        return YC_EINVAL;
    *bytes = NULL;
    *len = 0;
    uint8_t k[SK_MAX];
    size_t kl = sk_block(k, height);
    char *v = NULL;
    size_t vl = 0;
    int rc = store__get_raw(s, k, kl, &v, &vl);
    if (rc != YC_OK)
        return rc;
    *bytes = yc_memdup(v, vl);
    leveldb_free(v);
    if (*bytes == NULL)
        return YC_ENOMEM;
    *len = vl;
    return YC_OK;
}

int store_block_height(store *s, const uint8_t hash[YC_HASH_LEN], uint64_t *height)
{
    if (s == NULL || hash == NULL || height == NULL)
        return YC_EINVAL;
    if (memcmp(hash, s->genesis_hash, YC_HASH_LEN) == 0) {
        *height = 0;
        return YC_OK;
    }
    uint8_t k[SK_MAX];
    size_t kl = sk_hash(k, hash);
    char *v = NULL;
    size_t vl = 0;
    int rc = store__get_raw(s, k, kl, &v, &vl);
    if (rc != YC_OK)
        return rc;
    if (vl != 8) {
        leveldb_free(v);
        return YC_ECORRUPT;
    }
    *height = sk_get_u64((const uint8_t *)v);
    leveldb_free(v);
    return YC_OK;
}

int store_get_txloc(store *s, const uint8_t txid[YC_HASH_LEN], struct store_txloc *loc)
{
    if (s == NULL || txid == NULL || loc == NULL)
        return YC_EINVAL;
    uint8_t k[SK_MAX];
    size_t kl = sk_tx(k, txid);
    char *v = NULL;
    size_t vl = 0;
    int rc = store__get_raw(s, k, kl, &v, &vl);
    if (rc != YC_OK)
        return rc;
    if (vl != 16) {
        leveldb_free(v);
        return YC_ECORRUPT;
    }
    loc->height = sk_get_u64((const uint8_t *)v);
    loc->index = sk_get_u32((const uint8_t *)v + 8);
    loc->outcome = -(int)sk_get_u32((const uint8_t *)v + 12);
    leveldb_free(v);
    if (!yc_outcome_valid(loc->outcome))
        return YC_ECORRUPT;
    return YC_OK;
}

int store_commit_block(store *s, const struct yc_block *b, const struct yc_write *writes,
                       size_t nwrites)
{
    if (s == NULL || b == NULL || b->bytes == NULL || b->len == 0 ||
        (writes == NULL && nwrites > 0) ||
        ((b->txs == NULL || b->results == NULL) && b->ntx > 0) ||
        (s->flags & STORE_READ_ONLY))
        return YC_EINVAL;
    struct store_tip cur;
    pthread_mutex_lock(&s->mu);
    cur = s->tip;
    pthread_mutex_unlock(&s->mu);
    if (b->hdr.height != cur.height + 1 || memcmp(b->hdr.prev_hash, cur.hash, YC_HASH_LEN) != 0)
        return YC_EINVAL;
    for (size_t i = 0; i < nwrites; i++) {
        if (writes[i].klen > YC_KEY_MAX || (writes[i].key == NULL && writes[i].klen > 0) ||
            (!writes[i].del && writes[i].val == NULL && writes[i].vlen > 0))
            return YC_EINVAL;
    }

    leveldb_writebatch_t *wb = leveldb_writebatch_create();
    uint8_t k[SK_MAX];
    uint8_t v[16];
    size_t kl = sk_block(k, b->hdr.height);
    leveldb_writebatch_put(wb, (const char *)k, kl, (const char *)b->bytes, b->len);
    kl = sk_hash(k, b->hash);
    sk_put_u64(v, b->hdr.height);
    leveldb_writebatch_put(wb, (const char *)k, kl, (const char *)v, 8);
    for (uint32_t i = 0; i < b->ntx; i++) {
        kl = sk_tx(k, b->txs[i].id);
        sk_put_u64(v, b->hdr.height);
        sk_put_u32(v + 8, i);
        sk_put_u32(v + 12, (uint32_t)-b->results[i]); /* outcomes are 0 or negative */
        leveldb_writebatch_put(wb, (const char *)k, kl, (const char *)v, 16);
    }
    for (size_t i = 0; i < nwrites; i++) {
        kl = sk_state(k, writes[i].key, writes[i].klen);
        if (writes[i].del)
            leveldb_writebatch_delete(wb, (const char *)k, kl);
        else
            leveldb_writebatch_put(wb, (const char *)k, kl,
                                   writes[i].val != NULL ? (const char *)writes[i].val : "",
                                   writes[i].vlen);
    }
    struct store_tip next = {.height = b->hdr.height, .time_ms = b->hdr.time_ms};
    memcpy(next.hash, b->hash, YC_HASH_LEN);
    memcpy(next.state_root, b->hdr.state_root, YC_HASH_LEN);
    uint8_t tipv[STORE_TIP_LEN];
    tip_encode(tipv, &next);
    leveldb_writebatch_put(wb, SK_TIP, strlen(SK_TIP), (const char *)tipv, sizeof tipv);

    char *err = NULL;
    leveldb_write(s->db, s->wsync, wb, &err);
    leveldb_writebatch_destroy(wb);
    if (err != NULL) {
        store__leveldb_err(s, err);
        return YC_EIO;
    }
    pthread_mutex_lock(&s->mu);
    s->tip = next;
    pthread_mutex_unlock(&s->mu);
    return YC_OK;
}

int store_scan_state(store *s, const uint8_t *prefix, size_t plen, size_t limit,
                     store_scan_cb cb, void *ctx)
{
    if (s == NULL || cb == NULL || (prefix == NULL && plen > 0))
        return YC_EINVAL;
    uint8_t k[SK_MAX];
    size_t kl = sk_state(k, prefix, plen);
    if (kl == 0)
        return YC_EINVAL;
    leveldb_iterator_t *it = leveldb_create_iterator(s->db, s->ropts);
    int rc = YC_OK;
    size_t visited = 0;
    for (leveldb_iter_seek(it, (const char *)k, kl); leveldb_iter_valid(it);
         leveldb_iter_next(it)) {
        size_t ikl = 0, ivl = 0;
        const char *ik = leveldb_iter_key(it, &ikl);
        if (ikl < kl || memcmp(ik, k, kl) != 0)
            break;
        const char *iv = leveldb_iter_value(it, &ivl);
        rc = cb(ctx, (const uint8_t *)ik + SK_PREFIX_LEN, ikl - SK_PREFIX_LEN,
                (const uint8_t *)iv, ivl);
        if (rc != 0)
            break;
        if (limit > 0 && ++visited >= limit)
            break;
    }
    if (rc == YC_OK) {
        char *err = NULL;
        leveldb_iter_get_error(it, &err);
        if (err != NULL) {
            store__leveldb_err(s, err);
            rc = YC_EIO;
        }
    }
    leveldb_iter_destroy(it);
    return rc;
}

int store_count_keys(store *s, const uint8_t *prefix, size_t plen, uint64_t *n)
{
    if (s == NULL || n == NULL || (prefix == NULL && plen > 0))
        return YC_EINVAL;
    *n = 0;
    leveldb_iterator_t *it = leveldb_create_iterator(s->db, s->ropts);
    for (leveldb_iter_seek(it, (const char *)prefix, plen); leveldb_iter_valid(it);
         leveldb_iter_next(it)) {
        size_t kl = 0;
        const char *k = leveldb_iter_key(it, &kl);
        if (kl < plen || memcmp(k, prefix, plen) != 0)
            break;
        (*n)++;
    }
    int rc = YC_OK;
    char *err = NULL;
    leveldb_iter_get_error(it, &err);
    if (err != NULL) {
        store__leveldb_err(s, err);
        rc = YC_EIO;
    }
    leveldb_iter_destroy(it);
    return rc;
}
