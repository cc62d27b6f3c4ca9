/*
 * arena.c — the bump allocator (arena.h).
 *
 * Chunks form a list from the newest; only the newest is cut from. A request that does
 * not fit the newest chunk's rest takes a new chunk (the rest is left unused), sized
 * max(next_size, request); next_size doubles from ARENA_FIRST to ARENA_MAX. The first
 * chunk is small because many arenas stay small: admission keeps an overlay per sender
 * with pending transactions (up to 4,096 of them), each holding a few accounts; a block's
 * arena reaches 1 MiB chunks after ten doublings.
 */
#include <stdint.h>
#include <string.h>

#include "yc/alloc.h"
#include "yc/arena.h"

#define ARENA_FIRST ((size_t)1 << 10)
#define ARENA_MAX ((size_t)1 << 20)
#define ARENA_ALIGN ((size_t)16)

struct yc_arena_chunk {
    struct yc_arena_chunk *older;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

void yc_arena_init(struct yc_arena *a)
{
    a->head = NULL;
    a->next_size = ARENA_FIRST;
    a->bytes = 0;
}

static void free_from(struct yc_arena_chunk *c)
{
    while (c != NULL) {
        struct yc_arena_chunk *older = c->older;
        yc_free(c);
        c = older;
    }
}

void yc_arena_cleanup(struct yc_arena *a)
{
    free_from(a->head);
    yc_arena_init(a);
}

void yc_arena_reset(struct yc_arena *a)
{
    if (a->head != NULL) {
        free_from(a->head->older);
        a->head->older = NULL;
        a->head->used = 0;
    }
    a->bytes = 0;
}

void *yc_arena_alloc(struct yc_arena *a, size_t n)
{
    size_t need = n == 0 ? 1 : n;
    if (need > SIZE_MAX - ARENA_ALIGN - sizeof(struct yc_arena_chunk)) {
        return NULL;
    }
    need = (need + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
    struct yc_arena_chunk *c = a->head;
    if (c == NULL || c->size - c->used < need) {
        size_t size = a->next_size > need ? a->next_size : need;
        c = yc_malloc(sizeof *c + size);
        if (c == NULL) {
            return NULL;
        }
        c->older = a->head;
        c->size = size;
        c->used = 0;
        a->head = c;
        if (a->next_size < ARENA_MAX) {
            a->next_size *= 2;
        }
    }
    void *p = c->data + c->used;
    c->used += need;
    a->bytes += need;
    return p;
}

void *yc_arena_dup(struct yc_arena *a, const void *p, size_t n)
{
    void *q = yc_arena_alloc(a, n);
    if (q != NULL && n > 0) {
        memcpy(q, p, n);
    }
    return q;
}
