/*
 * kv.h — the storage backend seam: the ordered key-value store under the block store and
 * the consensus journal (store.c, journal.c), with three implementations:
 *
 *  - LevelDB (yc_kv_leveldb_open): the node's database;
 *  - memory (yc_kv_mem_new): a sorted map, for tests;
 *  - fault injection (yc_kv_fault_new): wraps another backend; it can "cut the power"
 *    at its Nth write (that write and every write not yet synced are lost, and the
 *    backend answers YC_EIO from then on) or fail its Nth write with YC_EIO.
 *
 * A write is a batch applied atomically; `sync` makes it, and every write before it,
 * durable before the call returns (LevelDB's log: one fsync covers what precedes it).
 * Every call that can fail returns a code and, where it takes one, writes a message into
 * err[errlen]. An iterator sees the keys as they were when it was created.
 * Thread-safety: as LevelDB's (reads from any thread, one writer); the memory and fault
 * backends are for one thread.
 */
#ifndef YC_KV_H
#define YC_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/err.h"

typedef struct yc_kv yc_kv;
typedef struct yc_kv_batch yc_kv_batch;
typedef struct yc_kv_iter yc_kv_iter;

struct yc_kv_ops {
    /* *val yc_malloc'ed (the caller frees it; NULL for an empty value is allowed):
     * YC_OK, YC_ENOTFOUND, YC_ECORRUPT (a checksum failed), YC_EIO. */
    int (*get)(yc_kv *kv, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen, char *err,
               size_t errlen);
    /* Applies b atomically, durably when `sync`: YC_OK, YC_EIO, YC_ECORRUPT, YC_ENOMEM.
     * Afterwards b's contents are unspecified: clear or free it. */
    int (*write)(yc_kv *kv, yc_kv_batch *b, bool sync, char *err, size_t errlen);
    /* A batch (NULL when out of memory); puts and deletes apply in order. */
    yc_kv_batch *(*batch_new)(yc_kv *kv);
    void (*batch_put)(yc_kv_batch *b, const uint8_t *key, size_t klen, const uint8_t *val,
                      size_t vlen);
    void (*batch_del)(yc_kv_batch *b, const uint8_t *key, size_t klen);
    void (*batch_clear)(yc_kv_batch *b);
    void (*batch_free)(yc_kv_batch *b);
    /* An iterator, unpositioned (NULL when out of memory). */
    yc_kv_iter *(*iter_new)(yc_kv *kv);
    void (*iter_seek)(yc_kv_iter *it, const uint8_t *key, size_t klen); /* first key >= */
    void (*iter_seek_last)(yc_kv_iter *it);
    bool (*iter_valid)(yc_kv_iter *it);
    void (*iter_next)(yc_kv_iter *it);
    void (*iter_prev)(yc_kv_iter *it);
    const uint8_t *(*iter_key)(yc_kv_iter *it, size_t *klen);
    const uint8_t *(*iter_value)(yc_kv_iter *it, size_t *vlen);
    /* YC_OK, or the error that ended the iteration early (YC_EIO, YC_ECORRUPT). */
    int (*iter_error)(yc_kv_iter *it, char *err, size_t errlen);
    void (*iter_free)(yc_kv_iter *it);
    /* Optional (NULL): settle before a clean close (LevelDB flushes its memtable). */
    void (*flush)(yc_kv *kv);
    void (*close)(yc_kv *kv);
};

struct yc_kv {
    const struct yc_kv_ops *ops;
};

/* Flags of yc_kv_leveldb_open. */
#define YC_KV_CREATE 0x1u /* create the database if missing */
#define YC_KV_VERIFY 0x2u /* every read verifies the block checksums */

/*
 * Opens the LevelDB database in `dir` (uncompressed, paranoid checks). Returns YC_OK,
 * YC_EBUSY (locked by another process or handle), YC_ENOTFOUND (no database and no
 * YC_KV_CREATE), YC_ECORRUPT, YC_EIO, each with a message naming `dir` and what to do.
 */
YC_WUR int yc_kv_leveldb_open(yc_kv **out, const char *dir, unsigned flags, char *err,
                              size_t errlen);
/* The LevelDB handle of a LevelDB backend (a leveldb_t *), NULL for another backend:
 * for what only LevelDB offers (store_backup's snapshot copy). */
void *yc_kv_leveldb_handle(yc_kv *kv);

/* An empty in-memory backend: YC_OK or YC_ENOMEM. Nothing is lost but by close. */
YC_WUR int yc_kv_mem_new(yc_kv **out);

/*
 * A fault-injecting backend over `inner` (which the caller keeps and closes after it):
 * reads and writes pass through, writes not synced are remembered (with the values they
 * replaced) until a synced write makes them durable.
 */
YC_WUR int yc_kv_fault_new(yc_kv **out, yc_kv *inner);
/* Cut the power at this backend's nth write (counted from its creation; 0 = never): it is not
 * applied, every write not synced before it is undone in `inner`, and from then on every
 * call fails with YC_EIO ("power is off"). */
void yc_kv_fault_cut_at(yc_kv *kv, uint64_t nth);
/* Fail this backend's nth write (counted from its creation; 0 = never) with YC_EIO,
 * applying nothing; later writes work again. */
void yc_kv_fault_fail_at(yc_kv *kv, uint64_t nth);
/* Writes attempted so far (including the one cut or failed), and whether the power is off. */
uint64_t yc_kv_fault_writes(yc_kv *kv);
bool yc_kv_fault_power_off(yc_kv *kv);

#endif
