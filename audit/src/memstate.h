/*
 * memstate.h — the audit's own state: an in-memory key → value map, built from the
 * genesis and the replayed blocks only, never read from the audited node's database.
 *
 * It serves core as a yc_state_src (the base of each block's overlay), takes each
 * verified block's writes, and answers ordered prefix scans for reports. Bounded by
 * MEMSTATE_MAX_BYTES of keys and values (YC_ELIMIT beyond).
 *
 * Thread-safety: one thread.
 */
#ifndef YC_AUDIT_MEMSTATE_H
#define YC_AUDIT_MEMSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/err.h"
#include "yc/state.h"

#define MEMSTATE_MAX_BYTES ((uint64_t)32 << 30)

typedef struct memstate memstate;

/* Creates an empty map. YC_OK or YC_ENOMEM; *out NULL on failure. */
YC_WUR int memstate_create(memstate **out);
/*
 * Creates an empty map over a base (the audit index's state, index.h): a key the map does
 * not hold is read from `base` once and kept; a deletion is kept as a marker. Such a map
 * serves memstate_get, memstate_src and memstate_apply; its scans and sorted views see
 * only the keys read or written so far, so they must not be used. `base` must outlive the
 * map and its reads must not see the map's own writes (a snapshot). YC_OK or YC_ENOMEM.
 */
YC_WUR int memstate_create_over(memstate **out, const struct yc_state_src *base);
/* Frees the map; NULL is a no-op. */
void memstate_destroy(memstate *m);

/* A source reading this map (values copied with yc_malloc as yc_state_src requires).
 * Valid while the map lives. */
struct yc_state_src memstate_src(memstate *m);

/* Applies writes in order (puts and deletes). YC_OK, YC_ENOMEM or YC_ELIMIT; on
 * failure the map holds a prefix of the writes and must be discarded. */
YC_WUR int memstate_apply(memstate *m, const struct yc_write *w, size_t n);

/* Looks a key up without copying: *val points into the map until its next change. YC_OK,
 * YC_ENOTFOUND; over a base also the base's errors (YC_EIO, YC_ECORRUPT) and YC_ENOMEM. */
YC_WUR int memstate_get(memstate *m, const uint8_t *key, size_t klen, const uint8_t **val,
                        size_t *vlen);

/* The number of keys the map holds, in *n; false (nothing set) over a base, whose keys
 * the map does not know. */
bool memstate_count(const memstate *m, size_t *n);

/* Calls cb for every key starting with prefix, in bytewise key order, until cb returns
 * non-zero (returned). YC_OK, YC_ENOMEM (the sort needs an index array). */
typedef int (*memstate_scan_cb)(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
                                size_t vlen);
YC_WUR int memstate_scan(memstate *m, const uint8_t *prefix, size_t plen, memstate_scan_cb cb,
                         void *ctx);

/* One entry of a sorted view: pointers into the map, valid until its next change. */
struct memstate_kv {
    const uint8_t *key, *val;
    size_t klen, vlen;
};

/* Every entry whose key starts with prefix, in bytewise key order: *out is a yc_malloc'ed
 * array of *n entries (caller frees with yc_free). YC_OK or YC_ENOMEM (*out NULL). */
YC_WUR int memstate_sorted(memstate *m, const uint8_t *prefix, size_t plen,
                           struct memstate_kv **out, size_t *n);

#endif
