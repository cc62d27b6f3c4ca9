/*
 * kv_ops.h — a write batch kept as a list of operations (copies), shared by the memory
 * and fault-injecting backends of the storage seam (kv.h).
 */
#ifndef YC_KV_OPS_H
#define YC_KV_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/kv.h"

struct kv_op {
    uint8_t *key, *val; /* owned; val NULL for a delete */
    size_t klen, vlen;
    bool del;
};

struct yc_kv_batch {
    struct kv_op *ops;
    size_t n, cap;
    bool nomem; /* an operation could not be recorded: writing the batch fails */
};

yc_kv_batch *kv_ops_new(yc_kv *kv);
void kv_ops_put(yc_kv_batch *b, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen);
void kv_ops_del(yc_kv_batch *b, const uint8_t *key, size_t klen);
void kv_ops_clear(yc_kv_batch *b);
void kv_ops_free(yc_kv_batch *b);

#endif
