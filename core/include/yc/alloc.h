/*
 * alloc.h — the allocator hook of the pure modules.
 *
 * core/ and consensus/ allocate only through these functions; core/src/alloc.c is the
 * single object file allowed to reference malloc/realloc/free (checked by the
 * `purity` ctest). Tests may install a failing allocator to exercise every
 * allocation failure path.
 *
 * Thread-safety: the hook is process-wide; install it before any other thread starts.
 */
#ifndef YC_ALLOC_H
#define YC_ALLOC_H

#include <stddef.h>

typedef struct yc_allocator {
    void *(*realloc_cb)(void *ctx, void *ptr, size_t size); /* size 0 frees, returns NULL */
    void *ctx;
} yc_allocator;

/* Installs `a` (copied); NULL restores the libc allocator. */
void yc_alloc_set(const yc_allocator *a);

/* malloc/calloc/realloc/free semantics; size overflow in yc_calloc returns NULL. A size
 * of 0 is served as 1 byte (never NULL for success, never a hidden free); only yc_free
 * frees; yc_free(NULL) is a no-op. */
void *yc_malloc(size_t size);
void *yc_calloc(size_t n, size_t size);
void *yc_realloc(void *ptr, size_t size);
void yc_free(void *ptr);
/* Returns a yc_malloc'ed copy of `len` bytes (len may be 0: returns a 1-byte block), or NULL. */
void *yc_memdup(const void *p, size_t len);

#endif
