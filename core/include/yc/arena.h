/*
 * arena.h — a bump allocator whose memory is given back all at once.
 *
 * Many small allocations that die together (a block's state reads and writes) are cut
 * from chunks taken with yc_malloc, each chunk twice the last up to a cap, and are never
 * freed one by one: yc_arena_reset frees them all at once (keeping the last chunk for
 * the next use), yc_arena_cleanup frees everything. An allocation larger than a chunk
 * gets a chunk of its own.
 *
 * Thread-safety: an arena belongs to one thread.
 */
#ifndef YC_ARENA_H
#define YC_ARENA_H

#include <stddef.h>

struct yc_arena_chunk;

struct yc_arena {
    struct yc_arena_chunk *head; /* the chunk being cut (newest), linked to older ones */
    size_t next_size;            /* size of the next chunk */
    size_t bytes;                /* bytes handed out since the last reset (statistics) */
};

/* An empty arena (no memory taken until the first allocation). */
void yc_arena_init(struct yc_arena *a);
/* Frees every chunk; the arena is empty and reusable. */
void yc_arena_cleanup(struct yc_arena *a);
/* Frees every allocation at once; the newest chunk is kept for the next ones. */
void yc_arena_reset(struct yc_arena *a);
/* n bytes aligned to 16 (n may be 0: a valid unique pointer), or NULL (out of memory). Valid
 * until the next reset or cleanup. */
void *yc_arena_alloc(struct yc_arena *a, size_t n);
/* A copy of p[0..n) in the arena (p may be NULL when n is 0), or NULL. */
void *yc_arena_dup(struct yc_arena *a, const void *p, size_t n);

#endif
