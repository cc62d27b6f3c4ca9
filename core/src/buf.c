/*
 * buf.c — growable byte buffer with a hard cap.
 *
 * Invariants: len <= alloc; len <= effective cap; data is NULL iff alloc == 0.
 * Growth doubles (bounded by the cap) so appends are amortized O(1); a failed
 * append leaves the buffer exactly as it was.
 */
#include <string.h>

#include "yc/alloc.h"
#include "yc/buf.h"

static size_t buf_cap(const struct yc_buf *b)
{
    return b->cap == 0 ? YC_BUF_DEFAULT_CAP : b->cap;
}

void yc_buf_init(struct yc_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

void yc_buf_cleanup(struct yc_buf *b)
{
    yc_free(b->data);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}

void yc_buf_reset(struct yc_buf *b)
{
    b->len = 0;
}

int yc_buf_reserve(struct yc_buf *b, size_t extra)
{
    size_t cap = buf_cap(b);
    if (extra > cap || b->len > cap - extra) {
        return YC_ELIMIT;
    }
    size_t need = b->len + extra;
    if (need <= b->alloc) {
        return YC_OK;
    }
    size_t n = b->alloc < 64 ? 64 : b->alloc;
    while (n < need) {
        n = n > cap / 2 ? cap : n * 2;
    }
    if (n > cap) {
        n = cap;
    }
    uint8_t *p = yc_realloc(b->data, n);
    if (p == NULL) {
        return YC_ENOMEM;
    }
    b->data = p;
    b->alloc = n;
    return YC_OK;
}

int yc_buf_append(struct yc_buf *b, const void *p, size_t len)
{
    if (len == 0) {
        return YC_OK;
    }
    int rc = yc_buf_reserve(b, len);
    if (rc != YC_OK) {
        return rc;
    }
    memcpy(b->data + b->len, p, len);
    b->len += len;
    return YC_OK;
}

void yc_buf_take(struct yc_buf *b, uint8_t **out, size_t *len)
{
    *out = b->data;
    *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}
