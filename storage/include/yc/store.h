/*
 * store.h — the node's LevelDB database (DESIGN.md §8; key grammar in docs/storage.md).
 *
 * One database under <home>/data holds blocks, the tx index, the state (the keys of
 * core/objects.h, under the "s/" prefix), the tip and the consensus journal. A
 * committed block, its tx index entries, its state writes and the new tip are ONE
 * WriteBatch written with sync, so a node killed at any instant reopens at a
 * consistent tip. Journal records are written with sync before the caller sends
 * the vote they hold.
 *
 * A failed write is fatal to the node: callers stop, they never skip.
 * Thread-safety: one thread writes; reads may come from any thread (LevelDB is
 * thread-safe), but a store_state_src is for one thread at a time.
 *
 * Blocks are stored uncompressed, so that a damaged byte in a block surfaces as that
 * block failing verification (the audit tool names its height) rather than as a
 * whole compressed table block becoming unreadable.
 */
#ifndef YC_STORE_H
#define YC_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/block.h"
#include "yc/err.h"
#include "yc/genesis.h"
#include "yc/kv.h"
#include "yc/state.h"

typedef struct store store;

struct store_tip {
    uint64_t height;           /* 0 = only genesis */
    uint8_t hash[YC_HASH_LEN]; /* block hash at height (genesis hash at 0) */
    uint8_t state_root[YC_HASH_LEN];
    uint64_t time_ms; /* block time (genesis time at 0) */
};

struct store_txloc {
    uint64_t height;
    uint32_t index;
    int outcome; /* YC_OK (committed) or the verdict it failed with (recorded in the block) */
};

/*
 * Opens (creating if `create`) the database in `dir`. On first open with
 * `genesis` the genesis state is written and the tip set to height 0; on a later
 * open the stored genesis hash must equal genesis->hash (else YC_ECONFIG). Returns
 * YC_OK, YC_EIO (with a message in errbuf), YC_EBUSY (locked by another process or
 * handle), YC_ECONFIG, YC_ECORRUPT (the tip's block is missing or unreadable; the
 * message names the height). On failure *out is NULL.
 */
YC_WUR int store_open(store **out, const char *dir, bool create, const struct yc_genesis *genesis,
                      char *errbuf, size_t errlen);

/* Flags of store_open_ex. */
#define STORE_CREATE 0x1u /* create the database if missing (as store_open's `create`) */
#define STORE_READ_ONLY \
    0x2u /* never write: no genesis initialisation; commits, journal
                              * appends and prunes fail with YC_EINVAL (audit, inspect) */
#define STORE_NO_CHECK \
    0x4u /* skip the tip consistency check at open: the audit tool
                              * reports such damage itself, naming the height */
#define STORE_VERIFY \
    0x8u /* every read verifies LevelDB's block checksums (a damaged
                              * block is YC_ECORRUPT, never served): the audit tool */

/*
 * store_open with flags. `genesis` may be NULL only for a database that already
 * exists (its stored genesis hash is then not compared). Returns what store_open
 * returns, and YC_ENOTFOUND (with a message) if the database does not exist and
 * STORE_CREATE is not set, or YC_ECONFIG if it was never initialised with a genesis.
 * On failure *out is NULL and errbuf (if errlen > 0) holds a message naming the
 * problem and what to do.
 */
YC_WUR int store_open_ex(store **out, const char *dir, unsigned flags,
                         const struct yc_genesis *genesis, char *errbuf, size_t errlen);

/*
 * store_open_ex over a backend of the storage seam (yc/kv.h: an in-memory or a
 * fault-injecting one, for tests): the same checks and genesis initialisation. The caller
 * keeps kv and closes it after store_close.
 */
YC_WUR int store_open_kv(store **out, yc_kv *kv, unsigned flags, const struct yc_genesis *genesis,
                         char *errbuf, size_t errlen);

/* Closes the database (flushing LevelDB's memtable into a table first, unless read-only).
 * NULL is a no-op. */
void store_close(store *s);

/* Copies the stored genesis hash. */
void store_genesis_hash(store *s, uint8_t out[YC_HASH_LEN]);

/* The last LevelDB error message of a failed operation on this store ("" if none);
 * valid until the next failing call. Meant for the writing thread's logs. */
const char *store_last_error(store *s);

/* Copies the current tip (kept in memory, updated by each commit). Returns YC_OK. */
YC_WUR int store_tip(store *s, struct store_tip *tip);

/* What store_backup copied. */
struct store_backup_info {
    struct store_tip tip; /* the copy's tip: the blocks committed when it began */
    uint64_t keys;        /* LevelDB entries copied */
    uint64_t bytes;       /* their keys and values */
};

/*
 * Copies the whole store, as it is at the call (a LevelDB snapshot: whole blocks with
 * their state, indexes and consensus journal), into a new database at `dir`, which must
 * not exist; the last write is synced, then the copy is opened and its genesis and tip
 * checked. The running store keeps serving and committing meanwhile (any thread).
 * Returns YC_OK, YC_EEXIST (dir exists), YC_EIO, YC_ECORRUPT (a damaged table read, or
 * a copy that does not open as this chain), YC_EINVAL (a store on another backend than
 * LevelDB), with a sentence in err.
 */
YC_WUR int store_backup(store *s, const char *dir, struct store_backup_info *info, char *err,
                        size_t errlen);

/* A state source over committed state (reads "s/"+key). Its get callback returns
 * YC_OK with a yc_malloc'ed copy, YC_ENOTFOUND, YC_EINVAL (key over YC_KEY_MAX) or
 * YC_EIO. The store must outlive the source. */
struct yc_state_src store_state_src(store *s);

/*
 * Keeps up to max_bytes of committed state in memory (0: none, the default; a new call
 * replaces the cache, emptied): store_get_state and store_state_src answer the keys
 * read before from memory, values and absences alike, and each store_commit_block
 * updates the keys it holds with its state writes once its batch is written (a failed
 * commit empties it), so it never holds anything but committed state, and the next block's execution
 * reads the accounts and objects the blocks before it touched without a backend read.
 * The least recently used entries go past the limit (keys and values, each entry's
 * rounded up to 16 bytes, and 80 bytes per entry counted). A read failure is never cached. Returns YC_OK, YC_EINVAL, YC_ENOMEM.
 */
YC_WUR int store_state_cache(store *s, size_t max_bytes);

struct store_cache_stats {
    uint64_t hits, misses; /* state reads answered from memory, and from the backend */
    size_t entries, bytes; /* held now */
};
/* The state cache's counts since store_state_cache (all 0 when off). */
void store_state_cache_stats(store *s, struct store_cache_stats *st);

/*
 * Commits block `b` (decoded, certified; b->bytes are the encoded block with its
 * certificate) with its state `writes` (sorted, from the overlay; del = delete) in
 * one batch written with sync: block bytes, hash→height, tx index, state writes,
 * tip. b->hdr.height must be tip+1 and prev_hash the tip hash, every key at most
 * YC_KEY_MAX bytes (else YC_EINVAL, nothing written). Returns YC_OK, YC_EINVAL,
 * YC_ENOMEM or YC_EIO (fatal: the node must stop; see store_last_error).
 */
YC_WUR int store_commit_block(store *s, const struct yc_block *b, const struct yc_write *writes,
                              size_t nwrites);

/* Encoded block (with cert) at height; *bytes yc_malloc'ed, caller frees. YC_ENOTFOUND,
 * YC_ECORRUPT (LevelDB reports corruption where the block lies), YC_EIO, YC_ENOMEM. */
YC_WUR int store_get_block(store *s, uint64_t height, uint8_t **bytes, size_t *len);
/* Height of the block with this hash (0 for the genesis hash). YC_OK, YC_ENOTFOUND,
 * YC_ECORRUPT (malformed index value), YC_EIO. */
YC_WUR int store_block_height(store *s, const uint8_t hash[YC_HASH_LEN], uint64_t *height);
/* Where a committed tx is. YC_OK, YC_ENOTFOUND, YC_ECORRUPT, YC_EIO. */
YC_WUR int store_get_txloc(store *s, const uint8_t txid[YC_HASH_LEN], struct store_txloc *loc);
/* Reads a committed state key; *val yc_malloc'ed (caller frees with yc_free). YC_OK,
 * YC_ENOTFOUND, YC_EINVAL (key over YC_KEY_MAX), YC_ENOMEM, YC_EIO. */
YC_WUR int store_get_state(store *s, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen);

/* Calls cb for each state key with the prefix (key given without "s/", pointers valid
 * during the call only), in key order, until cb returns non-zero (that value is
 * returned) or `limit` entries (0 = no limit) were visited. YC_OK or YC_EIO. */
typedef int (*store_scan_cb)(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
                             size_t vlen);
YC_WUR int store_scan_state(store *s, const uint8_t *prefix, size_t plen, size_t limit,
                            store_scan_cb cb, void *ctx);

/* Calls cb for each entry of the tx index, in the order of the ids (pointers valid during
 * the call only), with its location, or loc NULL when the stored value is malformed
 * (store_get_txloc's YC_ECORRUPT), until cb returns non-zero (that value is returned).
 * A key under "t/" that is not 32 bytes of id is skipped (store_count_keys counts it).
 * YC_OK or YC_EIO. (Audit: one pass instead of a look-up per transaction.) */
typedef int (*store_txloc_cb)(void *ctx, const uint8_t txid[YC_HASH_LEN],
                              const struct store_txloc *loc);
YC_WUR int store_scan_txlocs(store *s, store_txloc_cb cb, void *ctx);

/* Calls cb for each entry of the block index (block hash -> height), in the order of the
 * hashes, with its height, or malformed true (height 0) when the stored value is not 8
 * bytes (store_block_height's YC_ECORRUPT), until cb returns non-zero (that value is
 * returned). A key under "h/" that is not 32 bytes of hash is skipped. The genesis has no
 * entry. YC_OK or YC_EIO. (Audit: one pass instead of a look-up per block.) */
typedef int (*store_height_cb)(void *ctx, const uint8_t hash[YC_HASH_LEN], uint64_t height,
                               bool malformed);
YC_WUR int store_scan_block_index(store *s, store_height_cb cb, void *ctx);

/* Counts the keys of the whole database (any prefix of docs/storage.md's grammar, e.g.
 * "t/" or "h/") that start with prefix. YC_OK, YC_EINVAL, YC_EIO. (Audit.) */
YC_WUR int store_count_keys(store *s, const uint8_t *prefix, size_t plen, uint64_t *n);

struct pbft_record_list {
    size_t n;
    uint8_t **recs;
    size_t *lens;
};

/* Limits of the consensus journal (a record holds at most a proposal plus its votes). */
#define STORE_JOURNAL_MAX_RECORD ((size_t)16 << 20)
#define STORE_JOURNAL_MAX_RECORDS 100000u /* per height */

/*
 * Consensus journal. Append: one record for `height`, written with sync before the
 * call returns (YC_OK, YC_EINVAL for an empty or oversized record or a read-only
 * store, YC_ELIMIT past STORE_JOURNAL_MAX_RECORDS, YC_EIO). Load: every record of
 * `height` in append order (YC_OK with n = 0 if none; YC_ELIMIT, YC_ENOMEM, YC_EIO;
 * *out is empty on failure). Prune: drops the records of every height below
 * `below_height` (YC_OK, YC_EIO).
 */
YC_WUR int store_journal_append(store *s, uint64_t height, const uint8_t *rec, size_t len);
/* Appends n records of `height` in order (records[i] of lens[i] bytes, each as above) in
 * one write synced before the call returns: all are durable or, on a failure, the caller
 * must assume any of them may be. The same answers as store_journal_append (YC_ELIMIT if
 * the n would pass the limit; nothing written then). */
YC_WUR int store_journal_append_many(store *s, uint64_t height, const uint8_t *const *recs,
                                     const size_t *lens, size_t n);
/* *recs is a yc_malloc'ed array of yc_malloc'ed records; free with store_journal_free. */
YC_WUR int store_journal_load(store *s, uint64_t height, struct pbft_record_list *out);
YC_WUR int store_journal_prune(store *s, uint64_t below_height);

/* Frees the records and empties *l; safe on an empty list. */
void store_journal_free(struct pbft_record_list *l);

#endif
