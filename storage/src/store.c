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
#include "yc/arena.h"
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

int store__fail(store *s, int rc, const char *msg)
{
    set_last_error(s, msg != NULL && msg[0] != '\0' ? msg : yc_strerror(rc));
    return rc;
}

int store__get_raw(store *s, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen)
{
    char err[256] = "";
    int rc = s->kv->ops->get(s->kv, key, klen, val, vlen, err, sizeof err);
    if (rc != YC_OK && rc != YC_ENOTFOUND)
        return store__fail(s, rc, err);
    return rc;
}

int store__iter_done(store *s, yc_kv_iter *it)
{
    char err[256] = "";
    int rc = s->kv->ops->iter_error(it, err, sizeof err);
    if (rc == YC_OK)
        return YC_OK;
    store__fail(s, rc, err);
    return rc == YC_ENOMEM ? rc : YC_EIO;
}

/* Writes batch b (freed) to the backend; YC_OK, or the backend's code with its message
 * recorded. */
static int write_batch(store *s, yc_kv_batch *b, bool sync)
{
    char err[256] = "";
    int rc = s->kv->ops->write(s->kv, b, sync, err, sizeof err);
    s->kv->ops->batch_free(b);
    return rc == YC_OK ? YC_OK : store__fail(s, rc, err);
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
    const struct yc_kv_ops *kv = s->kv->ops;
    yc_kv_batch *wb = kv->batch_new(s->kv);
    if (wb == NULL) {
        yc_overlay_destroy(o);
        errf(errbuf, errlen, "out of memory");
        return YC_ENOMEM;
    }
    uint8_t key[SK_MAX];
    for (size_t i = 0; i < n; i++) {
        size_t kl = sk_state(key, w[i].key, w[i].klen);
        if (kl == 0) {
            rc = YC_EINVAL;
            break;
        }
        if (w[i].del)
            kv->batch_del(wb, key, kl);
        else
            kv->batch_put(wb, key, kl, w[i].val, w[i].vlen);
    }
    uint8_t ver[4], tipv[STORE_TIP_LEN];
    sk_put_u32(ver, STORE_FORMAT_VERSION);
    tip_encode(tipv, &tip);
    kv->batch_put(wb, (const uint8_t *)SK_VERSION, strlen(SK_VERSION), ver, sizeof ver);
    kv->batch_put(wb, (const uint8_t *)SK_GENESIS, strlen(SK_GENESIS), g->hash, YC_HASH_LEN);
    kv->batch_put(wb, (const uint8_t *)SK_TIP, strlen(SK_TIP), tipv, sizeof tipv);
    yc_overlay_destroy(o);
    if (rc != YC_OK) {
        kv->batch_free(wb);
        errf(errbuf, errlen, "genesis state key longer than %d bytes", YC_KEY_MAX);
        return rc;
    }
    rc = write_batch(s, wb, true);
    if (rc != YC_OK) {
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
    uint8_t *v = NULL;
    size_t vl = 0;
    int rc = store__get_raw(s, (const uint8_t *)key, strlen(key), &v, &vl);
    if (rc != YC_OK)
        return rc;
    if (vl != n) {
        yc_free(v);
        return YC_ECORRUPT;
    }
    memcpy(out, v, n);
    yc_free(v);
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
        errf(errbuf, errlen, "cannot read the tip block %llu: %s", (unsigned long long)t->height,
             s->last_error);
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
        uint8_t *v = NULL;
        size_t vl = 0;
        int trc = store__get_raw(s, (const uint8_t *)SK_TIP, strlen(SK_TIP), &v, &vl);
        yc_free(v);
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

static void destroy_handle(store *s)
{
    if (s->own_kv && s->kv != NULL)
        s->kv->ops->close(s->kv);
    state_cache_destroy(s->cache);
    pthread_mutex_destroy(&s->mu);
    yc_free(s);
}

int store_open_kv(store **out, yc_kv *kv, unsigned flags, const struct yc_genesis *genesis,
                  char *errbuf, size_t errlen)
{
    if (out == NULL)
        return YC_EINVAL;
    *out = NULL;
    if (errbuf != NULL && errlen > 0)
        errbuf[0] = '\0';
    if (kv == NULL) {
        errf(errbuf, errlen, "no storage backend given");
        return YC_EINVAL;
    }
    store *s = yc_calloc(1, sizeof *s);
    if (s == NULL) {
        errf(errbuf, errlen, "out of memory");
        return YC_ENOMEM;
    }
    pthread_mutex_init(&s->mu, NULL);
    s->flags = flags;
    s->kv = kv;
    int rc = load_meta(s, genesis, errbuf, errlen);
    if (rc != YC_OK) {
        destroy_handle(s);
        return rc;
    }
    *out = s;
    return YC_OK;
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
    yc_kv *kv = NULL;
    int rc = yc_kv_leveldb_open(&kv, dir,
                                ((flags & STORE_CREATE) ? YC_KV_CREATE : 0u) |
                                    ((flags & STORE_VERIFY) ? YC_KV_VERIFY : 0u),
                                errbuf, errlen);
    if (rc != YC_OK)
        return rc;
    rc = store_open_kv(out, kv, flags, genesis, errbuf, errlen);
    if (rc != YC_OK) {
        kv->ops->close(kv);
        return rc;
    }
    (*out)->own_kv = true;
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
    if (!(s->flags & STORE_READ_ONLY) && s->kv->ops->flush != NULL)
        s->kv->ops->flush(s->kv);
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

int store_state_cache(store *s, size_t max_bytes)
{
    if (s == NULL)
        return YC_EINVAL;
    struct state_cache *c = NULL;
    if (max_bytes > 0) {
        int rc = state_cache_create(&c, max_bytes);
        if (rc != YC_OK)
            return rc;
    }
    pthread_mutex_lock(&s->mu);
    struct state_cache *old = s->cache;
    s->cache = c;
    s->cache_hits = s->cache_misses = 0;
    pthread_mutex_unlock(&s->mu);
    state_cache_destroy(old);
    return YC_OK;
}

void store_state_cache_stats(store *s, struct store_cache_stats *st)
{
    memset(st, 0, sizeof *st);
    pthread_mutex_lock(&s->mu);
    st->hits = s->cache_hits;
    st->misses = s->cache_misses;
    if (s->cache != NULL)
        state_cache_usage(s->cache, &st->entries, &st->bytes);
    pthread_mutex_unlock(&s->mu);
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
    uint64_t gen = 0;
    int rc = YC_OK;
    pthread_mutex_lock(&s->mu);
    bool cached = s->cache != NULL;
    bool known = cached && state_cache_get(s->cache, key, klen, &rc, val, vlen, &gen);
    s->cache_hits += known;
    s->cache_misses += cached && !known;
    pthread_mutex_unlock(&s->mu);
    if (known)
        return rc;
    rc = store__get_raw(s, k, kl, val, vlen);
    if (rc == YC_ECORRUPT)
        return YC_EIO;
    if (cached && (rc == YC_OK || rc == YC_ENOTFOUND)) {
        /* what the backend said, unless a commit came in between (gen) */
        const uint8_t *v = rc == YC_ENOTFOUND ? NULL : *val != NULL ? *val : (const uint8_t *)"";
        pthread_mutex_lock(&s->mu);
        if (s->cache != NULL)
            state_cache_fill(s->cache, gen, key, klen, v, *vlen);
        pthread_mutex_unlock(&s->mu);
    }
    return rc;
}

static int state_get_cb(void *ctx, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen)
{
    return store_get_state(ctx, key, klen, val, vlen);
}

/* yc_state_src.get_in: a value the cache holds is copied from it into the arena under the
 * lock (no yc_malloc'ed copy in between); anything else is store_get_state's (which counts
 * the miss and fills the cache), copied into the arena. */
static int state_get_in_cb(void *ctx, const uint8_t *key, size_t klen, struct yc_arena *arena,
                           const uint8_t **val, size_t *vlen)
{
    store *s = ctx;
    int rc = YC_OK;
    pthread_mutex_lock(&s->mu);
    bool known = s->cache != NULL && state_cache_get_in(s->cache, key, klen, arena, &rc, val, vlen);
    s->cache_hits += known;
    pthread_mutex_unlock(&s->mu);
    if (known)
        return rc;
    uint8_t *v = NULL;
    rc = store_get_state(s, key, klen, &v, vlen);
    if (rc == YC_OK) {
        *val = yc_arena_dup(arena, v, *vlen);
        rc = *val != NULL ? YC_OK : YC_ENOMEM;
    }
    yc_free(v);
    return rc;
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
    struct yc_state_src src = {
        .get = state_get_cb, .ctx = s, .scan = state_scan_cb, .get_in = state_get_in_cb};
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
    return store__get_raw(s, k, kl, bytes, len);
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
    uint8_t *v = NULL;
    size_t vl = 0;
    int rc = store__get_raw(s, k, kl, &v, &vl);
    if (rc != YC_OK)
        return rc;
    if (vl != 8) {
        yc_free(v);
        return YC_ECORRUPT;
    }
    *height = sk_get_u64(v);
    yc_free(v);
    return YC_OK;
}

/* The tx index's value: height, index, outcome (docs/storage.md); false if malformed. */
static bool txloc_parse(const uint8_t *v, size_t vl, struct store_txloc *loc)
{
    if (vl != 16)
        return false;
    loc->height = sk_get_u64(v);
    loc->index = sk_get_u32(v + 8);
    loc->outcome = -(int)sk_get_u32(v + 12);
    return yc_outcome_valid(loc->outcome);
}

int store_get_txloc(store *s, const uint8_t txid[YC_HASH_LEN], struct store_txloc *loc)
{
    if (s == NULL || txid == NULL || loc == NULL)
        return YC_EINVAL;
    uint8_t k[SK_MAX];
    size_t kl = sk_tx(k, txid);
    uint8_t *v = NULL;
    size_t vl = 0;
    int rc = store__get_raw(s, k, kl, &v, &vl);
    if (rc != YC_OK)
        return rc;
    bool ok = txloc_parse(v, vl, loc);
    yc_free(v);
    return ok ? YC_OK : YC_ECORRUPT;
}

/* Calls each(ctx, id, value, vlen) for every key of `prefix` (SK_PREFIX_LEN bytes) whose
 * rest is YC_HASH_LEN bytes (others are skipped), in key order, until it returns non-zero
 * (returned). YC_OK, YC_ENOMEM or YC_EIO. */
typedef int (*hash_entry_fn)(void *ctx, const uint8_t *id, const uint8_t *v, size_t vl);

static int scan_hash_keys(store *s, const char *prefix, hash_entry_fn each, void *ctx)
{
    const struct yc_kv_ops *kv = s->kv->ops;
    yc_kv_iter *it = kv->iter_new(s->kv);
    if (it == NULL)
        return YC_ENOMEM;
    int rc = YC_OK;
    for (kv->iter_seek(it, (const uint8_t *)prefix, SK_PREFIX_LEN); kv->iter_valid(it);
         kv->iter_next(it)) {
        size_t ikl = 0, ivl = 0;
        const uint8_t *ik = kv->iter_key(it, &ikl);
        if (ikl < SK_PREFIX_LEN || memcmp(ik, prefix, SK_PREFIX_LEN) != 0)
            break;
        if (ikl != SK_PREFIX_LEN + YC_HASH_LEN)
            continue;
        const uint8_t *iv = kv->iter_value(it, &ivl);
        rc = each(ctx, ik + SK_PREFIX_LEN, iv, ivl);
        if (rc != 0)
            break;
    }
    if (rc == YC_OK)
        rc = store__iter_done(s, it);
    kv->iter_free(it);
    return rc;
}

struct scan_txlocs {
    store_txloc_cb cb;
    void *ctx;
};

static int txloc_entry(void *ctx, const uint8_t *id, const uint8_t *v, size_t vl)
{
    struct scan_txlocs *t = ctx;
    struct store_txloc loc;
    return t->cb(t->ctx, id, txloc_parse(v, vl, &loc) ? &loc : NULL);
}

int store_scan_txlocs(store *s, store_txloc_cb cb, void *ctx)
{
    if (s == NULL || cb == NULL)
        return YC_EINVAL;
    struct scan_txlocs t = {cb, ctx};
    return scan_hash_keys(s, SK_TX, txloc_entry, &t);
}

struct scan_heights {
    store_height_cb cb;
    void *ctx;
};

static int height_entry(void *ctx, const uint8_t *hash, const uint8_t *v, size_t vl)
{
    struct scan_heights *t = ctx;
    return t->cb(t->ctx, hash, vl == 8 ? sk_get_u64(v) : 0, vl != 8);
}

int store_scan_block_index(store *s, store_height_cb cb, void *ctx)
{
    if (s == NULL || cb == NULL)
        return YC_EINVAL;
    struct scan_heights t = {cb, ctx};
    return scan_hash_keys(s, SK_HASH, height_entry, &t);
}

int store_commit_block(store *s, const struct yc_block *b, const struct yc_write *writes,
                       size_t nwrites)
{
    if (s == NULL || b == NULL || b->bytes == NULL || b->len == 0 ||
        (writes == NULL && nwrites > 0) || ((b->txs == NULL || b->results == NULL) && b->ntx > 0) ||
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

    const struct yc_kv_ops *kv = s->kv->ops;
    yc_kv_batch *wb = kv->batch_new(s->kv);
    if (wb == NULL)
        return YC_ENOMEM;
    uint8_t k[SK_MAX];
    uint8_t v[16];
    size_t kl = sk_block(k, b->hdr.height);
    kv->batch_put(wb, k, kl, b->bytes, b->len);
    kl = sk_hash(k, b->hash);
    sk_put_u64(v, b->hdr.height);
    kv->batch_put(wb, k, kl, v, 8);
    for (uint32_t i = 0; i < b->ntx; i++) {
        kl = sk_tx(k, b->txs[i].id);
        sk_put_u64(v, b->hdr.height);
        sk_put_u32(v + 8, i);
        sk_put_u32(v + 12, (uint32_t)-b->results[i]); /* outcomes are 0 or negative */
        kv->batch_put(wb, k, kl, v, 16);
    }
    for (size_t i = 0; i < nwrites; i++) {
        kl = sk_state(k, writes[i].key, writes[i].klen);
        if (writes[i].del)
            kv->batch_del(wb, k, kl);
        else
            kv->batch_put(wb, k, kl, writes[i].val, writes[i].vlen);
    }
    struct store_tip next = {.height = b->hdr.height, .time_ms = b->hdr.time_ms};
    memcpy(next.hash, b->hash, YC_HASH_LEN);
    memcpy(next.state_root, b->hdr.state_root, YC_HASH_LEN);
    uint8_t tipv[STORE_TIP_LEN];
    tip_encode(tipv, &next);
    kv->batch_put(wb, (const uint8_t *)SK_TIP, strlen(SK_TIP), tipv, sizeof tipv);

    if (write_batch(s, wb, true) != YC_OK) {
        /* the batch may or may not be on disk: the cache cannot say which state it holds */
        pthread_mutex_lock(&s->mu);
        if (s->cache != NULL)
            state_cache_clear(s->cache);
        pthread_mutex_unlock(&s->mu);
        return YC_EIO;
    }
    pthread_mutex_lock(&s->mu);
    if (s->cache != NULL)
        state_cache_commit(s->cache, writes, nwrites);
    s->tip = next;
    pthread_mutex_unlock(&s->mu);
    return YC_OK;
}

int store_scan_state(store *s, const uint8_t *prefix, size_t plen, size_t limit, store_scan_cb cb,
                     void *ctx)
{
    if (s == NULL || cb == NULL || (prefix == NULL && plen > 0))
        return YC_EINVAL;
    uint8_t k[SK_MAX];
    size_t kl = sk_state(k, prefix, plen);
    if (kl == 0)
        return YC_EINVAL;
    const struct yc_kv_ops *kv = s->kv->ops;
    yc_kv_iter *it = kv->iter_new(s->kv);
    if (it == NULL)
        return YC_ENOMEM;
    int rc = YC_OK;
    size_t visited = 0;
    for (kv->iter_seek(it, k, kl); kv->iter_valid(it); kv->iter_next(it)) {
        size_t ikl = 0, ivl = 0;
        const uint8_t *ik = kv->iter_key(it, &ikl);
        if (ikl < kl || memcmp(ik, k, kl) != 0)
            break;
        const uint8_t *iv = kv->iter_value(it, &ivl);
        rc = cb(ctx, ik + SK_PREFIX_LEN, ikl - SK_PREFIX_LEN, iv, ivl);
        if (rc != 0)
            break;
        if (limit > 0 && ++visited >= limit)
            break;
    }
    if (rc == YC_OK)
        rc = store__iter_done(s, it);
    kv->iter_free(it);
    return rc;
}

int store_count_keys(store *s, const uint8_t *prefix, size_t plen, uint64_t *n)
{
    if (s == NULL || n == NULL || (prefix == NULL && plen > 0))
        return YC_EINVAL;
    *n = 0;
    const struct yc_kv_ops *kv = s->kv->ops;
    yc_kv_iter *it = kv->iter_new(s->kv);
    if (it == NULL)
        return YC_ENOMEM;
    for (kv->iter_seek(it, prefix, plen); kv->iter_valid(it); kv->iter_next(it)) {
        size_t kl = 0;
        const uint8_t *k = kv->iter_key(it, &kl);
        if (kl < plen || memcmp(k, prefix, plen) != 0)
            break;
        (*n)++;
    }
    int rc = store__iter_done(s, it);
    kv->iter_free(it);
    return rc;
}
