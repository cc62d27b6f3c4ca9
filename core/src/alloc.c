/*
 * alloc.c — the allocator hook of the pure modules.
 *
 * The only object file of core/ and consensus/ that may reference the libc
 * allocator (tests/purity.sh enforces it). Every other allocation goes through
 * the installed `yc_allocator`, so tests can fail the i-th allocation and walk
 * every error path.
 *
 * Invariants: yc_malloc/yc_realloc never return a pointer for a zero-byte request
 * that could be confused with failure (size 0 is served as 1 byte); freeing goes
 * through the same hook that allocated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "yc/alloc.h"

static void *libc_realloc_cb(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

/* Process-wide by design (alloc.h): set before threads start, read-only afterwards. */
static yc_allocator alloc_hook = {libc_realloc_cb, NULL};

void yc_alloc_set(const yc_allocator *a)
{
    if (a == NULL || a->realloc_cb == NULL) {
        alloc_hook.realloc_cb = libc_realloc_cb;
        alloc_hook.ctx = NULL;
    } else {
        alloc_hook = *a;
    }
}

void *yc_malloc(size_t size)
{
    return alloc_hook.realloc_cb(alloc_hook.ctx, NULL, size == 0 ? 1 : size);
}

void *yc_calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        return NULL;
    }
    size_t total = n * size;
    if (alloc_hook.realloc_cb == libc_realloc_cb) {
        /* libc's calloc does not clear memory fresh from the system (zero already), so
         * pages of a large table nobody has written yet are not touched (no page fault,
         * no memset) until they are used */
        return calloc(total == 0 ? 1 : total, 1);
    }
    void *p = yc_malloc(total);
    if (p != NULL) {
        memset(p, 0, total == 0 ? 1 : total);
    }
    return p;
}

void *yc_realloc(void *ptr, size_t size)
{
    return alloc_hook.realloc_cb(alloc_hook.ctx, ptr, size == 0 ? 1 : size);
}

void yc_free(void *ptr)
{
    if (ptr != NULL) {
        (void)alloc_hook.realloc_cb(alloc_hook.ctx, ptr, 0);
    }
}

void *yc_memdup(const void *p, size_t len)
{
    void *q = yc_malloc(len);
    if (q != NULL && len > 0) {
        memcpy(q, p, len);
    }
    return q;
}
