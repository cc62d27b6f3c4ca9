/*
 * kv_leveldb.c — the LevelDB backend of the storage seam (kv.h): the node's database.
 *
 * A batch is a leveldb_writebatch_t and a read returns one copy of the value, as the
 * store did before the seam: the real path costs what it did (one synced write per block).
 */
#include <stdio.h>
#include <string.h>

#include <leveldb/c.h>

#include "yc/alloc.h"
#include "yc/kv.h"

struct ldb {
    struct yc_kv kv;
    leveldb_t *db;
    leveldb_options_t *opts;
    leveldb_readoptions_t *ropts;
    leveldb_writeoptions_t *wsync, *wasync;
};

struct yc_kv_batch {
    leveldb_writebatch_t *wb;
};

struct yc_kv_iter {
    leveldb_iterator_t *it;
};

/* Maps a LevelDB error (freeing it) to a code, the message into err. */
static int ldb_err(char *lerr, char *err, size_t errlen)
{
    int rc = lerr != NULL && strncmp(lerr, "Corruption", 10) == 0 ? YC_ECORRUPT : YC_EIO;
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s", lerr != NULL ? lerr : "unknown LevelDB error");
    leveldb_free(lerr);
    return rc;
}

/*
 * A point read is an iterator's seek, not leveldb_get. LevelDB charges a table one "seek"
 * each time a Get has to look past it to a deeper table (file size / 16 KiB of them, at
 * least 100), and compacts a table that runs out into the level below. Every table here
 * spans the whole key space (one memtable holds a block's record, its tx index entries
 * and its state writes, whose keys are hashes), so a new table sits in front of the
 * level below for every read, and most of the node's reads miss (the tx index asked
 * about a transaction not yet committed, state keys never written): after 100 to 225 of
 * them the table was merged into the whole level below, rewriting it. An iterator charges
 * seeks only by sampling, about once per MiB of keys and values it reads. The answer is
 * the same: the value of the newest live entry of exactly this key, or none.
 */
static int ldb_get(yc_kv *kv, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen,
                   char *err, size_t errlen)
{
    struct ldb *l = (struct ldb *)kv;
    *val = NULL;
    *vlen = 0;
    leveldb_iterator_t *it = leveldb_create_iterator(l->db, l->ropts);
    leveldb_iter_seek(it, (const char *)key, klen);
    char *lerr = NULL;
    leveldb_iter_get_error(it, &lerr);
    int rc = YC_ENOTFOUND;
    if (lerr != NULL) {
        rc = ldb_err(lerr, err, errlen);
    } else if (leveldb_iter_valid(it)) {
        size_t ikl = 0, n = 0;
        const char *ik = leveldb_iter_key(it, &ikl);
        if (ikl == klen && memcmp(ik, key, klen) == 0) {
            const char *v = leveldb_iter_value(it, &n);
            *val = yc_memdup(v, n);
            rc = *val == NULL && n > 0 ? YC_ENOMEM : YC_OK;
            *vlen = rc == YC_OK ? n : 0;
        }
    }
    leveldb_iter_destroy(it);
    return rc;
}

static int ldb_write(yc_kv *kv, yc_kv_batch *b, bool sync, char *err, size_t errlen)
{
    struct ldb *l = (struct ldb *)kv;
    char *lerr = NULL;
    leveldb_write(l->db, sync ? l->wsync : l->wasync, b->wb, &lerr);
    return lerr != NULL ? ldb_err(lerr, err, errlen) : YC_OK;
}

static yc_kv_batch *ldb_batch_new(yc_kv *kv)
{
    (void)kv;
    yc_kv_batch *b = yc_calloc(1, sizeof *b);
    if (b != NULL)
        b->wb = leveldb_writebatch_create();
    return b;
}

static void ldb_batch_put(yc_kv_batch *b, const uint8_t *key, size_t klen, const uint8_t *val,
                          size_t vlen)
{
    leveldb_writebatch_put(b->wb, (const char *)key, klen, val != NULL ? (const char *)val : "",
                           vlen);
}

static void ldb_batch_del(yc_kv_batch *b, const uint8_t *key, size_t klen)
{
    leveldb_writebatch_delete(b->wb, (const char *)key, klen);
}

static void ldb_batch_clear(yc_kv_batch *b)
{
    leveldb_writebatch_clear(b->wb);
}

static void ldb_batch_free(yc_kv_batch *b)
{
    if (b == NULL)
        return;
    leveldb_writebatch_destroy(b->wb);
    yc_free(b);
}

static yc_kv_iter *ldb_iter_new(yc_kv *kv)
{
    struct ldb *l = (struct ldb *)kv;
    yc_kv_iter *it = yc_calloc(1, sizeof *it);
    if (it != NULL)
        it->it = leveldb_create_iterator(l->db, l->ropts);
    return it;
}

static void ldb_iter_seek(yc_kv_iter *it, const uint8_t *key, size_t klen)
{
    leveldb_iter_seek(it->it, (const char *)key, klen);
}

static void ldb_iter_seek_last(yc_kv_iter *it)
{
    leveldb_iter_seek_to_last(it->it);
}

static bool ldb_iter_valid(yc_kv_iter *it)
{
    return leveldb_iter_valid(it->it) != 0;
}

static void ldb_iter_next(yc_kv_iter *it)
{
    leveldb_iter_next(it->it);
}

static void ldb_iter_prev(yc_kv_iter *it)
{
    leveldb_iter_prev(it->it);
}

static const uint8_t *ldb_iter_key(yc_kv_iter *it, size_t *klen)
{
    return (const uint8_t *)leveldb_iter_key(it->it, klen);
}

static const uint8_t *ldb_iter_value(yc_kv_iter *it, size_t *vlen)
{
    return (const uint8_t *)leveldb_iter_value(it->it, vlen);
}

static int ldb_iter_error(yc_kv_iter *it, char *err, size_t errlen)
{
    char *lerr = NULL;
    leveldb_iter_get_error(it->it, &lerr);
    return lerr != NULL ? ldb_err(lerr, err, errlen) : YC_OK;
}

static void ldb_iter_free(yc_kv_iter *it)
{
    if (it == NULL)
        return;
    leveldb_iter_destroy(it->it);
    yc_free(it);
}

static void ldb_flush(yc_kv *kv)
{
    struct ldb *l = (struct ldb *)kv;
    /* A range above every key prefix: LevelDB flushes the memtable into a table and
     * compacts nothing else, so a cleanly closed database holds its blocks in
     * checksummed tables rather than in the write-ahead log. */
    leveldb_compact_range(l->db, "~", 1, "~~", 2);
}

static void ldb_close(yc_kv *kv)
{
    struct ldb *l = (struct ldb *)kv;
    if (l == NULL)
        return;
    if (l->db != NULL)
        leveldb_close(l->db);
    leveldb_options_destroy(l->opts);
    leveldb_readoptions_destroy(l->ropts);
    leveldb_writeoptions_destroy(l->wsync);
    leveldb_writeoptions_destroy(l->wasync);
    yc_free(l);
}

static const struct yc_kv_ops LDB_OPS = {
    .get = ldb_get,
    .write = ldb_write,
    .batch_new = ldb_batch_new,
    .batch_put = ldb_batch_put,
    .batch_del = ldb_batch_del,
    .batch_clear = ldb_batch_clear,
    .batch_free = ldb_batch_free,
    .iter_new = ldb_iter_new,
    .iter_seek = ldb_iter_seek,
    .iter_seek_last = ldb_iter_seek_last,
    .iter_valid = ldb_iter_valid,
    .iter_next = ldb_iter_next,
    .iter_prev = ldb_iter_prev,
    .iter_key = ldb_iter_key,
    .iter_value = ldb_iter_value,
    .iter_error = ldb_iter_error,
    .iter_free = ldb_iter_free,
    .flush = ldb_flush,
    .close = ldb_close,
};

static int open_error(char *lerr, const char *dir, char *err, size_t errlen)
{
    int rc = YC_EIO;
    char msg[512];
    if (strstr(lerr, "LOCK") != NULL || strstr(lerr, "lock ") != NULL) {
        snprintf(msg, sizeof msg,
                 "the database %s is in use (is a node running on this home?); stop it or work "
                 "on a copy: %s",
                 dir, lerr);
        rc = YC_EBUSY;
    } else if (strstr(lerr, "does not exist") != NULL) {
        snprintf(msg, sizeof msg, "no database in %s: %s", dir, lerr);
        rc = YC_ENOTFOUND;
    } else if (strncmp(lerr, "Corruption", 10) == 0) {
        snprintf(msg, sizeof msg,
                 "the database %s is corrupt (%s); restore it from a copy or resynchronise", dir,
                 lerr);
        rc = YC_ECORRUPT;
    } else {
        snprintf(msg, sizeof msg, "cannot open the database %s: %s", dir, lerr);
    }
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s", msg);
    leveldb_free(lerr);
    return rc;
}

int yc_kv_leveldb_open(yc_kv **out, const char *dir, unsigned flags, char *err, size_t errlen)
{
    *out = NULL;
    struct ldb *l = yc_calloc(1, sizeof *l);
    if (l == NULL) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "out of memory");
        return YC_ENOMEM;
    }
    l->kv.ops = &LDB_OPS;
    l->opts = leveldb_options_create();
    l->ropts = leveldb_readoptions_create();
    l->wsync = leveldb_writeoptions_create();
    l->wasync = leveldb_writeoptions_create();
    leveldb_options_set_create_if_missing(l->opts, (flags & YC_KV_CREATE) ? 1 : 0);
    leveldb_options_set_paranoid_checks(l->opts, 1);
    leveldb_options_set_compression(l->opts, leveldb_no_compression);
    if (flags & YC_KV_VERIFY)
        leveldb_readoptions_set_verify_checksums(l->ropts, 1);
    leveldb_writeoptions_set_sync(l->wsync, 1);
    leveldb_writeoptions_set_sync(l->wasync, 0);
    char *lerr = NULL;
    l->db = leveldb_open(l->opts, dir, &lerr);
    if (lerr != NULL) {
        l->db = NULL;
        int rc = open_error(lerr, dir, err, errlen);
        ldb_close(&l->kv);
        return rc;
    }
    *out = &l->kv;
    return YC_OK;
}

void *yc_kv_leveldb_handle(yc_kv *kv)
{
    return kv != NULL && kv->ops == &LDB_OPS ? ((struct ldb *)kv)->db : NULL;
}
