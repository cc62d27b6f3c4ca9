/*
 * kv_mem.c — the in-memory backend of the storage seam (kv.h): a sorted array of
 * entries, binary-searched; an iterator works on its own copy, so writes made while it
 * is open (the journal prune) do not move it. For tests: not fast, never lost.
 */
#include <stdio.h>
#include <string.h>

#include "yc/alloc.h"

#include "kv_ops.h"

struct entry {
    uint8_t *key, *val;
    size_t klen, vlen;
};

struct mem {
    struct yc_kv kv;
    struct entry *e;
    size_t n, cap;
};

struct yc_kv_iter {
    struct entry *e; /* a copy of the entries when the iterator was made */
    size_t n;
    size_t pos; /* n: not valid */
    bool nomem;
};

static int cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    size_t m = al < bl ? al : bl;
    int c = m > 0 ? memcmp(a, b, m) : 0;
    if (c != 0)
        return c;
    return al < bl ? -1 : al > bl ? 1 : 0;
}

/* Index of the first entry >= key in e[0..n). */
static size_t lower_bound(const struct entry *e, size_t n, const uint8_t *key, size_t klen)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp(e[mid].key, e[mid].klen, key, klen) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- operation lists (kv_ops.h) ---- */

yc_kv_batch *kv_ops_new(yc_kv *kv)
{
    (void)kv;
    return yc_calloc(1, sizeof(yc_kv_batch));
}

static void ops_push(yc_kv_batch *b, const uint8_t *key, size_t klen, const uint8_t *val,
                     size_t vlen, bool del)
{
    if (b->nomem)
        return;
    if (b->n == b->cap) {
        size_t ncap = b->cap == 0 ? 16 : b->cap * 2;
        struct kv_op *ops = yc_realloc(b->ops, ncap * sizeof *ops);
        if (ops == NULL) {
            b->nomem = true;
            return;
        }
        b->ops = ops;
        b->cap = ncap;
    }
    struct kv_op *op = &b->ops[b->n];
    memset(op, 0, sizeof *op);
    op->key = yc_malloc(klen > 0 ? klen : 1);
    op->val = del ? NULL : yc_malloc(vlen > 0 ? vlen : 1);
    if (op->key == NULL || (!del && op->val == NULL)) {
        yc_free(op->key);
        yc_free(op->val);
        b->nomem = true;
        return;
    }
    if (klen > 0)
        memcpy(op->key, key, klen);
    if (!del && vlen > 0)
        memcpy(op->val, val, vlen);
    op->klen = klen;
    op->vlen = del ? 0 : vlen;
    op->del = del;
    b->n++;
}

void kv_ops_put(yc_kv_batch *b, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    ops_push(b, key, klen, val, vlen, false);
}

void kv_ops_del(yc_kv_batch *b, const uint8_t *key, size_t klen)
{
    ops_push(b, key, klen, NULL, 0, true);
}

void kv_ops_clear(yc_kv_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        yc_free(b->ops[i].key);
        yc_free(b->ops[i].val);
    }
    b->n = 0;
    b->nomem = false;
}

void kv_ops_free(yc_kv_batch *b)
{
    if (b == NULL)
        return;
    kv_ops_clear(b);
    yc_free(b->ops);
    yc_free(b);
}

/* ---- the map ---- */

static int mem_get(yc_kv *kv, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen,
                   char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    struct mem *m = (struct mem *)kv;
    *val = NULL;
    *vlen = 0;
    size_t i = lower_bound(m->e, m->n, key, klen);
    if (i == m->n || cmp(m->e[i].key, m->e[i].klen, key, klen) != 0)
        return YC_ENOTFOUND;
    *val = yc_malloc(m->e[i].vlen > 0 ? m->e[i].vlen : 1);
    if (*val == NULL)
        return YC_ENOMEM;
    memcpy(*val, m->e[i].val, m->e[i].vlen);
    *vlen = m->e[i].vlen;
    return YC_OK;
}

/* Applies one operation, taking its key and value (op cleared). YC_OK or YC_ENOMEM. */
static int apply(struct mem *m, struct kv_op *op)
{
    size_t i = lower_bound(m->e, m->n, op->key, op->klen);
    bool found = i < m->n && cmp(m->e[i].key, m->e[i].klen, op->key, op->klen) == 0;
    if (op->del) {
        if (found) {
            yc_free(m->e[i].key);
            yc_free(m->e[i].val);
            memmove(&m->e[i], &m->e[i + 1], (m->n - i - 1) * sizeof *m->e);
            m->n--;
        }
        yc_free(op->key);
    } else if (found) {
        yc_free(m->e[i].val);
        m->e[i].val = op->val;
        m->e[i].vlen = op->vlen;
        yc_free(op->key);
    } else {
        if (m->n == m->cap) {
            size_t ncap = m->cap == 0 ? 64 : m->cap * 2;
            struct entry *e = yc_realloc(m->e, ncap * sizeof *e);
            if (e == NULL)
                return YC_ENOMEM;
            m->e = e;
            m->cap = ncap;
        }
        memmove(&m->e[i + 1], &m->e[i], (m->n - i) * sizeof *m->e);
        m->e[i] =
            (struct entry){.key = op->key, .klen = op->klen, .val = op->val, .vlen = op->vlen};
        m->n++;
    }
    memset(op, 0, sizeof *op);
    return YC_OK;
}

static int mem_write(yc_kv *kv, yc_kv_batch *b, bool sync, char *err, size_t errlen)
{
    (void)sync;
    struct mem *m = (struct mem *)kv;
    if (b->nomem) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "out of memory building the batch");
        return YC_ENOMEM;
    }
    /* room first, so that the batch applies whole or not at all */
    size_t need = m->n + b->n;
    if (need > m->cap) {
        struct entry *e = yc_realloc(m->e, need * sizeof *e);
        if (e == NULL)
            return YC_ENOMEM;
        m->e = e;
        m->cap = need;
    }
    for (size_t i = 0; i < b->n; i++)
        (void)apply(m, &b->ops[i]); /* cannot fail: room was made */
    b->n = 0;
    return YC_OK;
}

static yc_kv_iter *mem_iter_new(yc_kv *kv)
{
    struct mem *m = (struct mem *)kv;
    yc_kv_iter *it = yc_calloc(1, sizeof *it);
    if (it == NULL)
        return NULL;
    it->e = yc_calloc(m->n > 0 ? m->n : 1, sizeof *it->e);
    if (it->e == NULL) {
        yc_free(it);
        return NULL;
    }
    for (size_t i = 0; i < m->n; i++) {
        struct entry *d = &it->e[i];
        d->key = yc_memdup(m->e[i].key, m->e[i].klen > 0 ? m->e[i].klen : 1);
        d->val = yc_memdup(m->e[i].val, m->e[i].vlen > 0 ? m->e[i].vlen : 1);
        d->klen = m->e[i].klen;
        d->vlen = m->e[i].vlen;
        it->n = i + 1;
        if (d->key == NULL || d->val == NULL) {
            it->nomem = true;
            break;
        }
    }
    it->pos = it->n;
    return it;
}

static void mem_iter_seek(yc_kv_iter *it, const uint8_t *key, size_t klen)
{
    it->pos = lower_bound(it->e, it->n, key, klen);
}

static void mem_iter_seek_last(yc_kv_iter *it)
{
    it->pos = it->n > 0 ? it->n - 1 : it->n;
}

static bool mem_iter_valid(yc_kv_iter *it)
{
    return !it->nomem && it->pos < it->n;
}

static void mem_iter_next(yc_kv_iter *it)
{
    if (it->pos < it->n)
        it->pos++;
}

static void mem_iter_prev(yc_kv_iter *it)
{
    it->pos = it->pos > 0 && it->pos < it->n ? it->pos - 1 : it->n;
}

static const uint8_t *mem_iter_key(yc_kv_iter *it, size_t *klen)
{
    *klen = it->e[it->pos].klen;
    return it->e[it->pos].key;
}

static const uint8_t *mem_iter_value(yc_kv_iter *it, size_t *vlen)
{
    *vlen = it->e[it->pos].vlen;
    return it->e[it->pos].val;
}

static int mem_iter_error(yc_kv_iter *it, char *err, size_t errlen)
{
    if (!it->nomem)
        return YC_OK;
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "out of memory copying the map for an iterator");
    return YC_ENOMEM;
}

static void mem_iter_free(yc_kv_iter *it)
{
    if (it == NULL)
        return;
    for (size_t i = 0; i < it->n; i++) {
        yc_free(it->e[i].key);
        yc_free(it->e[i].val);
    }
    yc_free(it->e);
    yc_free(it);
}

static void mem_close(yc_kv *kv)
{
    struct mem *m = (struct mem *)kv;
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n; i++) {
        yc_free(m->e[i].key);
        yc_free(m->e[i].val);
    }
    yc_free(m->e);
    yc_free(m);
}

static const struct yc_kv_ops MEM_OPS = {
    .get = mem_get,
    .write = mem_write,
    .batch_new = kv_ops_new,
    .batch_put = kv_ops_put,
    .batch_del = kv_ops_del,
    .batch_clear = kv_ops_clear,
    .batch_free = kv_ops_free,
    .iter_new = mem_iter_new,
    .iter_seek = mem_iter_seek,
    .iter_seek_last = mem_iter_seek_last,
    .iter_valid = mem_iter_valid,
    .iter_next = mem_iter_next,
    .iter_prev = mem_iter_prev,
    .iter_key = mem_iter_key,
    .iter_value = mem_iter_value,
    .iter_error = mem_iter_error,
    .iter_free = mem_iter_free,
    .flush = NULL,
    .close = mem_close,
};

int yc_kv_mem_new(yc_kv **out)
{
    struct mem *m = yc_calloc(1, sizeof *m);
    *out = NULL;
    if (m == NULL)
        return YC_ENOMEM;
    m->kv.ops = &MEM_OPS;
    *out = &m->kv;
    return YC_OK;
}
