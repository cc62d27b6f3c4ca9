/*
 * store.h — the node's LevelDB database (DESIGN.md §8; key grammar in docs/formats.md).
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
 */
#ifndef YC_STORE_H
#define YC_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/block.h"
#include "yc/err.h"
#include "yc/genesis.h"
#include "yc/state.h"

typedef struct store store;

struct store_tip {
    uint64_t height; /* 0 = only genesis */
    uint8_t hash[YC_HASH_LEN];       /* block hash at height (genesis hash at 0) */
    uint8_t state_root[YC_HASH_LEN];
    uint64_t time_ms;                /* block time (genesis time at 0) */
};

struct store_txloc {
    uint64_t height;
    uint32_t index;
};

/*
 * Opens (creating if `create`) the database in `dir`. On first open with
 * `genesis` the genesis state is written and the tip set to height 0; on a later
 * open the stored genesis hash must equal genesis->hash (else YC_ECONFIG). Returns
 * YC_OK, YC_EIO (with a message in errbuf), YC_EBUSY (locked), YC_ECONFIG, YC_ECORRUPT.
 */
YC_WUR int store_open(store **out, const char *dir, bool create, const struct yc_genesis *genesis,
                      char *errbuf, size_t errlen);
void store_close(store *s);

YC_WUR int store_tip(store *s, struct store_tip *tip);
/* A state source over committed state (reads "s/"+key). */
struct yc_state_src store_state_src(store *s);

/*
 * Commits block `b` (decoded, certified; bytes with cert) with its state `writes`
 * (sorted, from the overlay) in one synced batch: block bytes, height→hash,
 * hash→height, tx index, state writes, tip. b->hdr.height must be tip+1 and
 * prev_hash the tip hash (else YC_EINVAL). Returns YC_OK or YC_EIO (fatal).
 */
YC_WUR int store_commit_block(store *s, const struct yc_block *b, const struct yc_write *writes,
                              size_t nwrites);

/* Encoded block (with cert) at height; *bytes yc_malloc'ed, caller frees. YC_ENOTFOUND. */
YC_WUR int store_get_block(store *s, uint64_t height, uint8_t **bytes, size_t *len);
YC_WUR int store_block_height(store *s, const uint8_t hash[YC_HASH_LEN], uint64_t *height);
YC_WUR int store_get_txloc(store *s, const uint8_t txid[YC_HASH_LEN], struct store_txloc *loc);
/* Reads a committed state key; *val yc_malloc'ed. YC_ENOTFOUND. */
YC_WUR int store_get_state(store *s, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen);

/* Calls cb for each state key with the prefix, in key order, until cb returns non-zero
 * (that value is returned) or `limit` entries (0 = no limit) were visited. */
typedef int (*store_scan_cb)(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
                             size_t vlen);
YC_WUR int store_scan_state(store *s, const uint8_t *prefix, size_t plen, size_t limit,
                            store_scan_cb cb, void *ctx);

struct pbft_record_list {
    size_t n;
    uint8_t **recs;
    size_t *lens;
};

/* Consensus journal: append a record for `height` (synced before return); read all
 * records of a height in order; drop records of heights below `height`. */
YC_WUR int store_journal_append(store *s, uint64_t height, const uint8_t *rec, size_t len);
/* *recs is a yc_malloc'ed array of yc_malloc'ed records; free with store_journal_free. */
YC_WUR int store_journal_load(store *s, uint64_t height, struct pbft_record_list *out);
YC_WUR int store_journal_prune(store *s, uint64_t below_height);

void store_journal_free(struct pbft_record_list *l);

#endif
