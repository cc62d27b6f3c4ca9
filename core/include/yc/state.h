/*
 * state.h — state view, write overlay and the state root (DESIGN.md §6).
 *
 * State is a byte-keyed map. The base is read through `struct yc_state_src` (LevelDB
 * in the node and audit, a hash map in tests). An overlay records writes on top of
 * a base (or of another overlay): a transaction applies into a child overlay that is
 * merged into the block's overlay only if it succeeds, so a failed tx changes nothing.
 *
 * State root: root_h = H(YC_TAG_STATE, chain_id, root_{h-1} ‖ W), W the block's
 * writes sorted by key, each encoded u32be(klen) ‖ key ‖ u8(kind: 0 put, 1 delete) ‖
 * u32be(vlen) ‖ value. Two nodes with equal roots applied identical writes.
 *
 * Thread-safety: an overlay belongs to one thread.
 */
#ifndef YC_STATE_H
#define YC_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/err.h"
#include "yc/hash.h"

/*
 * Reads key → value. On YC_OK *val is a yc_malloc'ed copy the caller frees with
 * yc_free (*vlen may be 0); YC_ENOTFOUND if absent; YC_EIO on storage failure.
 */
typedef int (*yc_state_get_cb)(void *ctx, const uint8_t *key, size_t klen, uint8_t **val,
                               size_t *vlen);

/*
 * Visits one entry of a prefix scan; key and val are valid during the call only.
 * Returns 0 to continue, > 0 to stop early (not an error), < 0 to abort with that code.
 */
typedef int (*yc_state_visit_cb)(void *vctx, const uint8_t *key, size_t klen, const uint8_t *val,
                                 size_t vlen);
/*
 * Calls visit for every key starting with prefix[0..plen), in bytewise key order, until
 * visit returns non-zero. Returns YC_OK (every entry visited, or stopped by a positive
 * return), the visitor's negative code, or YC_EIO / YC_ENOMEM.
 */
typedef int (*yc_state_scan_cb)(void *ctx, const uint8_t *prefix, size_t plen,
                                yc_state_visit_cb visit, void *vctx);

struct yc_arena;

/*
 * Reads key → value like yc_state_get_cb, but on YC_OK the value is copied into `arena`
 * (yc/arena.h) and *val points there (never NULL, even for an empty value): a reader that
 * keeps the value in an arena takes it without a yc_malloc'ed copy in between.
 * YC_ENOTFOUND, YC_EIO, YC_ENOMEM as get.
 */
typedef int (*yc_state_get_in_cb)(void *ctx, const uint8_t *key, size_t klen,
                                  struct yc_arena *arena, const uint8_t **val, size_t *vlen);

struct yc_state_src {
    yc_state_get_cb get;
    void *ctx;
    /* Optional (may be NULL): prefix scans of committed state, for queries that walk
     * indexes (provenance). Transaction execution never scans: the rules read keys. */
    yc_state_scan_cb scan;
    /* Optional (may be NULL): get into an arena; an overlay reads its base through it
     * when set (the same answers as get). */
    yc_state_get_in_cb get_in;
};

typedef struct yc_overlay yc_overlay;

struct yc_write {
    const uint8_t *key;
    size_t klen;
    const uint8_t *val; /* NULL for a delete */
    size_t vlen;
    bool del;
};

/* Creates an overlay reading through `base` (copied). Returns YC_OK or YC_ENOMEM. Its
 * keys and values, and those of its children, come from one arena (yc/arena.h) that is
 * freed at once when it is cleared or destroyed. */
YC_WUR int yc_overlay_create(yc_overlay **out, const struct yc_state_src *base);
/* Creates a child of `parent` (a transaction's overlay over its block's): it reads
 * parent's entries without copying them and takes its memory from parent's arena, so
 * yc_overlay_merge moves its writes into parent without copying either. The child must
 * be destroyed before parent is cleared or destroyed. YC_OK, YC_EINVAL, YC_ENOMEM. */
YC_WUR int yc_overlay_child(yc_overlay **out, yc_overlay *parent);
/* Frees the overlay (a root: with every key and value of it and its children). */
void yc_overlay_destroy(yc_overlay *o);
/* A source that reads through overlay `o` (for a child overlay). */
struct yc_state_src yc_overlay_src(yc_overlay *o);
/*
 * Reads a key: the overlay's own write if any, else the parent's or the base's answer
 * (cached). *val stays valid until the root overlay (this one, or the one whose arena a
 * child shares) is cleared or destroyed. YC_ENOTFOUND if absent or deleted; YC_EIO if
 * the base failed.
 */
YC_WUR int yc_overlay_get(yc_overlay *o, const uint8_t *key, size_t klen, const uint8_t **val,
                          size_t *vlen);
YC_WUR int yc_overlay_put(yc_overlay *o, const uint8_t *key, size_t klen, const uint8_t *val,
                          size_t vlen);
YC_WUR int yc_overlay_del(yc_overlay *o, const uint8_t *key, size_t klen);
/* Moves every write of `child` into `parent` (child must read through parent: a child of
 * it, or an overlay over yc_overlay_src(parent), whose writes are then copied), and empties
 * child. Returns YC_OK, or YC_ENOMEM with parent unchanged. */
YC_WUR int yc_overlay_merge(yc_overlay *child, yc_overlay *parent);
/* Discards the overlay's writes and cached reads (a root: frees its arena's memory, so
 * no child may be alive). */
void yc_overlay_clear(yc_overlay *o);
/*
 * The overlay's writes sorted by key. *writes points to an array owned by the
 * overlay, valid until its next modification. Returns YC_OK or YC_ENOMEM.
 */
YC_WUR int yc_overlay_writes(yc_overlay *o, const struct yc_write **writes, size_t *n);

/* Next state root from the previous root and sorted writes. */
void yc_state_root_next(uint8_t out[YC_HASH_LEN], const char *chain_id,
                        const uint8_t prev[YC_HASH_LEN], const struct yc_write *writes, size_t n);

#endif
