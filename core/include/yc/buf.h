/*
 * buf.h — a growable byte buffer with a hard cap.
 *
 * Every buffer fed from outside has a limit: appending past `cap` fails with
 * YC_ELIMIT and leaves the buffer unchanged. Memory comes from yc_malloc.
 */
#ifndef YC_BUF_H
#define YC_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "yc/err.h"

struct yc_buf {
    uint8_t *data; /* owned; NULL while empty */
    size_t len;
    size_t alloc;
    size_t cap; /* maximum len; 0 means YC_BUF_DEFAULT_CAP */
};

#define YC_BUF_DEFAULT_CAP ((size_t)64 << 20)

/* Initializes an empty buffer with maximum length `cap` (0: default). */
void yc_buf_init(struct yc_buf *b, size_t cap);
/* Frees the storage; the buffer is empty and reusable afterwards. */
void yc_buf_cleanup(struct yc_buf *b);
/* Sets len to 0, keeping the storage. */
void yc_buf_reset(struct yc_buf *b);
/* Appends `len` bytes. Returns YC_OK, YC_ELIMIT or YC_ENOMEM (buffer unchanged on error). */
YC_WUR int yc_buf_append(struct yc_buf *b, const void *p, size_t len);
/* Ensures room for `extra` more bytes. Same errors as yc_buf_append. */
YC_WUR int yc_buf_reserve(struct yc_buf *b, size_t extra);
/* Moves the storage out: *out gets data (caller frees with yc_free), *len its length. */
void yc_buf_take(struct yc_buf *b, uint8_t **out, size_t *len);

#endif
