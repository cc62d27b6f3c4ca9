/*
 * kv_fault.c — the fault-injecting backend of the storage seam (kv.h).
 *
 * It wraps `inner` and counts writes. A write not synced is applied to inner at once (a
 * reader sees it, as from the page cache) and its undo — the value each key held before,
 * or its absence — is kept until a synced write makes everything before it durable. At
 * the write chosen by yc_kv_fault_cut_at the power goes: that write is not applied, the
 * undo list is played backwards into inner, and every later call fails with YC_EIO. The
 * write chosen by yc_kv_fault_fail_at fails with YC_EIO and applies nothing.
 */
#include <stdio.h>
#include <string.h>

#include "yc/alloc.h"

#include "kv_ops.h"

struct fault {
    struct yc_kv kv;
    yc_kv *inner;
    uint64_t writes, cut_at, fail_at;
    bool off;
    yc_kv_batch *undo; /* puts and deletes that restore inner, in the order written */
};

struct yc_kv_iter {
    struct fault *f;
    yc_kv_iter *in;
};

static int power_off(char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "IO error: power is off (fault injection)");
    return YC_EIO;
}

static int f_get(yc_kv *kv, const uint8_t *key, size_t klen, uint8_t **val, size_t *vlen, char *err,
                 size_t errlen)
{
    struct fault *f = (struct fault *)kv;
    if (f->off) {
        *val = NULL;
        *vlen = 0;
        return power_off(err, errlen);
    }
    return f->inner->ops->get(f->inner, key, klen, val, vlen, err, errlen);
}

/* Writes ops[0..n) of b to inner in one batch, in order (reverse: backwards). */
static int to_inner(struct fault *f, const yc_kv_batch *b, bool reverse, bool sync, char *err,
                    size_t errlen)
{
    const struct yc_kv_ops *io = f->inner->ops;
    yc_kv_batch *ib = io->batch_new(f->inner);
    if (ib == NULL)
        return YC_ENOMEM;
    for (size_t j = 0; j < b->n; j++) {
        const struct kv_op *op = &b->ops[reverse ? b->n - 1 - j : j];
        if (op->del)
            io->batch_del(ib, op->key, op->klen);
        else
            io->batch_put(ib, op->key, op->klen, op->val, op->vlen);
    }
    int rc = io->write(f->inner, ib, sync, err, errlen);
    io->batch_free(ib);
    return rc;
}

/* Records in f->undo how to restore what b is about to overwrite (reverse order on play). */
static int record_undo(struct fault *f, const yc_kv_batch *b, char *err, size_t errlen)
{
    for (size_t j = 0; j < b->n; j++) {
        const struct kv_op *op = &b->ops[j];
        uint8_t *old = NULL;
        size_t olen = 0;
        int rc = f->inner->ops->get(f->inner, op->key, op->klen, &old, &olen, err, errlen);
        if (rc == YC_OK)
            kv_ops_put(f->undo, op->key, op->klen, old, olen);
        else if (rc == YC_ENOTFOUND)
            kv_ops_del(f->undo, op->key, op->klen);
        yc_free(old);
        if (rc != YC_OK && rc != YC_ENOTFOUND)
            return rc;
    }
    return f->undo->nomem ? YC_ENOMEM : YC_OK;
}

static int f_write(yc_kv *kv, yc_kv_batch *b, bool sync, char *err, size_t errlen)
{
    struct fault *f = (struct fault *)kv;
    if (f->off)
        return power_off(err, errlen);
    if (b->nomem)
        return YC_ENOMEM;
    f->writes++;
    if (f->writes == f->cut_at) {
        f->off = true;
        /* what was never synced is lost: undo it, the last write first */
        (void)to_inner(f, f->undo, true, true, NULL, 0);
        kv_ops_clear(f->undo);
        return power_off(err, errlen);
    }
    if (f->writes == f->fail_at) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "IO error: write %llu failed (fault injection)",
                     (unsigned long long)f->writes);
        return YC_EIO;
    }
    int rc = YC_OK;
    if (!sync)
        rc = record_undo(f, b, err, errlen);
    if (rc == YC_OK)
        rc = to_inner(f, b, false, sync, err, errlen);
    if (rc == YC_OK && sync)
        kv_ops_clear(f->undo); /* this sync made every earlier write durable */
    kv_ops_clear(b);
    return rc;
}

static yc_kv_iter *f_iter_new(yc_kv *kv)
{
    struct fault *f = (struct fault *)kv;
    yc_kv_iter *it = yc_calloc(1, sizeof *it);
    if (it == NULL)
        return NULL;
    it->f = f;
    if (!f->off) {
        it->in = f->inner->ops->iter_new(f->inner);
        if (it->in == NULL) {
            yc_free(it);
            return NULL;
        }
    }
    return it;
}

static void f_iter_seek(yc_kv_iter *it, const uint8_t *key, size_t klen)
{
    if (it->in != NULL)
        it->f->inner->ops->iter_seek(it->in, key, klen);
}

static void f_iter_seek_last(yc_kv_iter *it)
{
    if (it->in != NULL)
        it->f->inner->ops->iter_seek_last(it->in);
}

static bool f_iter_valid(yc_kv_iter *it)
{
    return it->in != NULL && it->f->inner->ops->iter_valid(it->in);
}

static void f_iter_next(yc_kv_iter *it)
{
    it->f->inner->ops->iter_next(it->in);
}

static void f_iter_prev(yc_kv_iter *it)
{
    it->f->inner->ops->iter_prev(it->in);
}

static const uint8_t *f_iter_key(yc_kv_iter *it, size_t *klen)
{
    return it->f->inner->ops->iter_key(it->in, klen);
}

static const uint8_t *f_iter_value(yc_kv_iter *it, size_t *vlen)
{
    return it->f->inner->ops->iter_value(it->in, vlen);
}

static int f_iter_error(yc_kv_iter *it, char *err, size_t errlen)
{
    if (it->in == NULL)
        return power_off(err, errlen);
    return it->f->inner->ops->iter_error(it->in, err, errlen);
}

static void f_iter_free(yc_kv_iter *it)
{
    if (it == NULL)
        return;
    if (it->in != NULL)
        it->f->inner->ops->iter_free(it->in);
    yc_free(it);
}

static void f_flush(yc_kv *kv)
{
    struct fault *f = (struct fault *)kv;
    if (!f->off && f->inner->ops->flush != NULL)
        f->inner->ops->flush(f->inner);
}

static void f_close(yc_kv *kv)
{
    struct fault *f = (struct fault *)kv;
    if (f == NULL)
        return;
    kv_ops_free(f->undo);
    yc_free(f);
}

static const struct yc_kv_ops FAULT_OPS = {
    .get = f_get,
    .write = f_write,
    .batch_new = kv_ops_new,
    .batch_put = kv_ops_put,
    .batch_del = kv_ops_del,
    .batch_clear = kv_ops_clear,
    .batch_free = kv_ops_free,
    .iter_new = f_iter_new,
    .iter_seek = f_iter_seek,
    .iter_seek_last = f_iter_seek_last,
    .iter_valid = f_iter_valid,
    .iter_next = f_iter_next,
    .iter_prev = f_iter_prev,
    .iter_key = f_iter_key,
    .iter_value = f_iter_value,
    .iter_error = f_iter_error,
    .iter_free = f_iter_free,
    .flush = f_flush,
    .close = f_close,
};

int yc_kv_fault_new(yc_kv **out, yc_kv *inner)
{
    *out = NULL;
    if (inner == NULL)
        return YC_EINVAL;
    struct fault *f = yc_calloc(1, sizeof *f);
    if (f == NULL || (f->undo = kv_ops_new(inner)) == NULL) {
        yc_free(f);
        return YC_ENOMEM;
    }
    f->kv.ops = &FAULT_OPS;
    f->inner = inner;
    *out = &f->kv;
    return YC_OK;
}

void yc_kv_fault_cut_at(yc_kv *kv, uint64_t nth)
{
    if (kv != NULL && kv->ops == &FAULT_OPS)
        ((struct fault *)kv)->cut_at = nth;
}

void yc_kv_fault_fail_at(yc_kv *kv, uint64_t nth)
{
    if (kv != NULL && kv->ops == &FAULT_OPS)
        ((struct fault *)kv)->fail_at = nth;
}

uint64_t yc_kv_fault_writes(yc_kv *kv)
{
    return kv != NULL && kv->ops == &FAULT_OPS ? ((struct fault *)kv)->writes : 0;
}

bool yc_kv_fault_power_off(yc_kv *kv)
{
    return kv != NULL && kv->ops == &FAULT_OPS && ((struct fault *)kv)->off;
}
