/*
 * store_backup.c — a consistent copy of a store while it runs (store.h, store_backup).
 *
 * LevelDB snapshots give a point-in-time view: every block commit is one atomic batch,
 * so the snapshot holds whole blocks only, with their state, indexes and journal. The
 * copy is written to a new database in batches, the last one synced, then opened again
 * and checked to answer the same tip. The running store is only read; writers go on.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <leveldb/c.h>

#include "store_int.h"
#include "yc/alloc.h"

#define BACKUP_BATCH_BYTES ((size_t)4 << 20)

int store_backup(store *s, const char *dir, struct store_backup_info *info, char *err,
                 size_t errlen)
{
    if (s == NULL || dir == NULL || info == NULL)
        return YC_EINVAL;
    memset(info, 0, sizeof *info);
    leveldb_t *db = yc_kv_leveldb_handle(s->kv);
    if (db == NULL) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "a backup copies a LevelDB store; this one has another backend");
        return YC_EINVAL;
    }
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s already exists: a backup goes to a new directory", dir);
        return YC_EEXIST;
    }
    if (errno != ENOENT) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "cannot use %s: %s", dir, strerror(errno));
        return YC_EIO;
    }

    leveldb_options_t *o = leveldb_options_create();
    leveldb_options_set_create_if_missing(o, 1);
    leveldb_options_set_error_if_exists(o, 1);
    leveldb_options_set_paranoid_checks(o, 1);
    leveldb_options_set_compression(o, leveldb_no_compression);
    char *lerr = NULL;
    leveldb_t *dst = leveldb_open(o, dir, &lerr);
    if (lerr != NULL) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "cannot create the backup database %s: %s", dir, lerr);
        leveldb_free(lerr);
        leveldb_options_destroy(o);
        return YC_EIO;
    }

    const leveldb_snapshot_t *snap = leveldb_create_snapshot(db);
    leveldb_readoptions_t *ro = leveldb_readoptions_create();
    leveldb_readoptions_set_snapshot(ro, snap);
    leveldb_readoptions_set_fill_cache(ro, 0);
    leveldb_readoptions_set_verify_checksums(ro, 1);
    leveldb_writeoptions_t *wo = leveldb_writeoptions_create();
    leveldb_writeoptions_t *wsync = leveldb_writeoptions_create();
    leveldb_writeoptions_set_sync(wsync, 1);
    leveldb_writebatch_t *batch = leveldb_writebatch_create();
    leveldb_iterator_t *it = leveldb_create_iterator(db, ro);
    size_t pending = 0;
    int rc = YC_OK;
    for (leveldb_iter_seek_to_first(it); leveldb_iter_valid(it); leveldb_iter_next(it)) {
        size_t kl, vl;
        const char *k = leveldb_iter_key(it, &kl);
        const char *v = leveldb_iter_value(it, &vl);
        leveldb_writebatch_put(batch, k, kl, v, vl);
        info->keys++;
        info->bytes += kl + vl;
        pending += kl + vl;
        if (pending >= BACKUP_BATCH_BYTES) {
            leveldb_write(dst, wo, batch, &lerr);
            leveldb_writebatch_clear(batch);
            pending = 0;
            if (lerr != NULL)
                break;
        }
    }
    if (lerr == NULL)
        leveldb_iter_get_error(it, &lerr);
    if (lerr != NULL) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "copying into %s: %s", dir, lerr);
        rc = strstr(lerr, "Corruption") != NULL ? YC_ECORRUPT : YC_EIO;
        leveldb_free(lerr);
        lerr = NULL;
    }
    if (rc == YC_OK) {
        leveldb_write(dst, wsync, batch, &lerr); /* the rest, and everything before, synced */
        if (lerr != NULL) {
            if (err != NULL && errlen > 0)
                snprintf(err, errlen, "writing %s: %s", dir, lerr);
            leveldb_free(lerr);
            rc = YC_EIO;
        }
    }
    leveldb_iter_destroy(it);
    leveldb_writebatch_destroy(batch);
    leveldb_writeoptions_destroy(wo);
    leveldb_writeoptions_destroy(wsync);
    leveldb_readoptions_destroy(ro);
    leveldb_release_snapshot(db, snap);
    leveldb_close(dst);
    leveldb_options_destroy(o);
    if (rc != YC_OK)
        return rc;

    /* The copy must open as a store of the same genesis and answer its tip. */
    store *copy = NULL;
    char oerr[256] = "";
    rc = store_open_ex(&copy, dir, STORE_READ_ONLY, NULL, oerr, sizeof oerr);
    if (rc != YC_OK) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "the backup in %s does not open: %s", dir, oerr);
        return rc;
    }
    uint8_t gh[YC_HASH_LEN];
    store_genesis_hash(copy, gh);
    rc = store_tip(copy, &info->tip);
    store_close(copy);
    if (rc == YC_OK && memcmp(gh, s->genesis_hash, YC_HASH_LEN) != 0) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "the backup in %s holds another genesis", dir);
        rc = YC_ECORRUPT;
    }
    return rc;
}
