/*
 * state_cache.h — committed state kept in memory across blocks (store_state_cache).
 *
 * A bounded map from state key to its committed value, or to its committed absence,
 * filled by reads that went to the backend and updated by each committed block's write
 * set, so the next block's execution and admission's pre-check read the accounts and
 * objects they share with the blocks before without a backend read. Least recently used
 * entries are evicted past the size limit.
 *
 * It only ever holds committed state: the store fills it with what the backend
 * answered and overwrites every key a committed batch wrote, after that batch is
 * written (state_cache_commit); an executed block that never commits never reaches
 * the store. A fill that raced a commit is dropped (the generation below), so a value
 * read from the backend before a commit can never stand after it.
 *
 * Thread-safety: none; the store serialises calls with its own mutex.
 */
#ifndef YC_STATE_CACHE_H
#define YC_STATE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/err.h"
#include "yc/state.h"

struct state_cache;

/* What one entry costs beyond its key and value: the entry (56 bytes), the allocator's
 * header and its bucket pointer (the limit counts all three). */
#define STATE_CACHE_ENTRY_OVERHEAD 80u

/* Creates an empty cache of at most max_bytes (per entry its key and value rounded up to
 * 16 bytes, the room a later value of the key may take without an allocation, and
 * STATE_CACHE_ENTRY_OVERHEAD; > 0). YC_OK, YC_EINVAL, YC_ENOMEM. */
YC_WUR int state_cache_create(struct state_cache **out, size_t max_bytes);
void state_cache_destroy(struct state_cache *c); /* NULL: no-op */

/*
 * Looks key up. Returns true if the cache knows it: *rc is then YC_OK with *val a
 * yc_malloc'ed copy of the value (caller frees with yc_free; *vlen may be 0),
 * YC_ENOTFOUND (committed state has no such key) or YC_ENOMEM (no copy). Returns false
 * if it does not: *gen then gets the generation to pass to state_cache_fill.
 */
bool state_cache_get(struct state_cache *c, const uint8_t *key, size_t klen, int *rc, uint8_t **val,
                     size_t *vlen, uint64_t *gen);

/* state_cache_get with the value copied into `arena` (yc/arena.h) instead of a yc_malloc'ed
 * copy (*val never NULL on YC_OK); false if the cache does not know key (no generation:
 * a reader that then goes to the backend asks state_cache_get for one). */
bool state_cache_get_in(struct state_cache *c, const uint8_t *key, size_t klen,
                        struct yc_arena *arena, int *rc, const uint8_t **val, size_t *vlen);

/* Records what the backend answered for key (val NULL: absent), read after
 * state_cache_get gave `gen`; ignored if a commit came in between, or if the entry
 * alone is over the limit or cannot be allocated (a cache may always forget). */
void state_cache_fill(struct state_cache *c, uint64_t gen, const uint8_t *key, size_t klen,
                      const uint8_t *val, size_t vlen);

/* A committed batch's state writes (written to the backend): each key the cache holds
 * takes its new value or its absence (one whose entry cannot be allocated is forgotten);
 * keys it does not hold stay out. */
void state_cache_commit(struct state_cache *c, const struct yc_write *writes, size_t n);

/* Forgets everything (a commit whose outcome is unknown). */
void state_cache_clear(struct state_cache *c);

/* Entries and bytes held (tests, metrics). */
void state_cache_usage(const struct state_cache *c, size_t *entries, size_t *bytes);

#endif
