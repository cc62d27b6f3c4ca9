/*
 * journal.c — the consensus journal: "j/" u64be(height) u64be(seq) → record.
 *
 * PBFT's safety across restarts rests on this file: a vote is appended here, with
 * sync, before the message carrying it leaves the node (pbft.h, persist-then-send).
 * Records of one height come back in append order because the sequence number is
 * big-endian and strictly increasing per height. The next sequence is found once per
 * height with an iterator and then kept in memory (writer thread only).
 */
#include <string.h>

#include "yc/alloc.h"

#include "store_int.h"
#include "store_keys.h"

/* Next free sequence number of `height`: one past the last stored record. The scan goes
 * forward over that height's records only: the records of the heights below are pruned,
 * and LevelDB keeps each one's value and tombstone until a compaction drops them, so a
 * backward step from the next height walked over every one of them (with their blocks)
 * on each height's first append. */
static int next_seq(store *s, uint64_t height, uint64_t *seq)
{
    uint8_t lo[SK_MAX];
    size_t lol = sk_journal_height(lo, height);
    const struct yc_kv_ops *kv = s->kv->ops;
    yc_kv_iter *it = kv->iter_new(s->kv);
    if (it == NULL)
        return YC_ENOMEM;
    *seq = 0;
    for (kv->iter_seek(it, lo, lol); kv->iter_valid(it); kv->iter_next(it)) {
        size_t kl = 0;
        const uint8_t *k = kv->iter_key(it, &kl);
        if (kl != lol + 8 || memcmp(k, lo, lol) != 0)
            break;
        *seq = sk_get_u64(k + lol) + 1;
    }
    int rc = store__iter_done(s, it);
    kv->iter_free(it);
    return rc;
}

int store_journal_append(store *s, uint64_t height, const uint8_t *rec, size_t len)
{
    if (s == NULL || rec == NULL || len == 0 || len > STORE_JOURNAL_MAX_RECORD ||
        (s->flags & STORE_READ_ONLY))
        return YC_EINVAL;
    if (!s->jvalid || s->jheight != height) {
        uint64_t seq = 0;
        int rc = next_seq(s, height, &seq);
        if (rc != YC_OK)
            return rc;
        s->jvalid = true;
        s->jheight = height;
        s->jnext = seq;
    }
    if (s->jnext >= STORE_JOURNAL_MAX_RECORDS)
        return YC_ELIMIT;
    if (height < s->jlow)
        s->jlow = height; /* before the write: a failed one may still be on disk */
    uint8_t k[SK_MAX];
    size_t kl = sk_journal(k, height, s->jnext);
    const struct yc_kv_ops *kv = s->kv->ops;
    yc_kv_batch *b = kv->batch_new(s->kv);
    if (b == NULL)
        return YC_ENOMEM;
    kv->batch_put(b, k, kl, rec, len);
    char err[256] = "";
    int rc = kv->write(s->kv, b, true, err, sizeof err);
    kv->batch_free(b);
    if (rc != YC_OK) {
        /* The record may or may not be on disk: look the sequence up again next time. */
        s->jvalid = false;
        store__fail(s, rc, err);
        return rc == YC_ENOMEM ? rc : YC_EIO;
    }
    s->jnext++;
    return YC_OK;
}

void store_journal_free(struct pbft_record_list *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->n; i++)
        yc_free(l->recs[i]);
    yc_free(l->recs);
    yc_free(l->lens);
    l->n = 0;
    l->recs = NULL;
    l->lens = NULL;
}

/* Appends one record copy to the list, growing its arrays geometrically. */
static int list_push(struct pbft_record_list *l, size_t *cap, const uint8_t *v, size_t vl)
{
    if (l->n == *cap) {
        size_t ncap = *cap == 0 ? 8 : *cap * 2;
        uint8_t **recs = yc_realloc(l->recs, ncap * sizeof *recs);
        if (recs == NULL)
            return YC_ENOMEM;
        l->recs = recs;
        size_t *lens = yc_realloc(l->lens, ncap * sizeof *lens);
        if (lens == NULL)
            return YC_ENOMEM;
        l->lens = lens;
        *cap = ncap;
    }
    uint8_t *copy = yc_memdup(v, vl);
    if (copy == NULL)
        return YC_ENOMEM;
    l->recs[l->n] = copy;
    l->lens[l->n] = vl;
    l->n++;
    return YC_OK;
}

int store_journal_load(store *s, uint64_t height, struct pbft_record_list *out)
{
    if (s == NULL || out == NULL)
        return YC_EINVAL;
    out->n = 0;
    out->recs = NULL;
    out->lens = NULL;
    uint8_t p[SK_MAX];
    size_t pl = sk_journal_height(p, height);
    size_t cap = 0;
    int rc = YC_OK;
    const struct yc_kv_ops *kv = s->kv->ops;
    yc_kv_iter *it = kv->iter_new(s->kv);
    if (it == NULL)
        return YC_ENOMEM;
    for (kv->iter_seek(it, p, pl); kv->iter_valid(it); kv->iter_next(it)) {
        size_t kl = 0, vl = 0;
        const uint8_t *k = kv->iter_key(it, &kl);
        if (kl != pl + 8 || memcmp(k, p, pl) != 0)
            break;
        if (out->n >= STORE_JOURNAL_MAX_RECORDS) {
            rc = YC_ELIMIT;
            break;
        }
        const uint8_t *v = kv->iter_value(it, &vl);
        rc = list_push(out, &cap, v, vl);
        if (rc != YC_OK)
            break;
    }
    if (rc == YC_OK)
        rc = store__iter_done(s, it);
    kv->iter_free(it);
    if (rc != YC_OK)
        store_journal_free(out);
    return rc;
}

int store_journal_prune(store *s, uint64_t below_height)
{
    if (s == NULL || (s->flags & STORE_READ_ONLY))
        return YC_EINVAL;
    /* from the lowest height that may hold a record (the ones below were deleted by the
     * last prune): iterating from height 0 stepped over every pruned record LevelDB still
     * holds, values and tombstones, on each prune */
    uint8_t lo[SK_MAX], hi[SK_MAX];
    size_t lol = sk_journal_height(lo, s->jlow);
    size_t hil = sk_journal_height(hi, below_height);
    const struct yc_kv_ops *kv = s->kv->ops;
    yc_kv_iter *it = kv->iter_new(s->kv);
    yc_kv_batch *wb = kv->batch_new(s->kv);
    if (it == NULL || wb == NULL) {
        kv->iter_free(it);
        kv->batch_free(wb);
        return YC_ENOMEM;
    }
    size_t pending = 0;
    int rc = YC_OK;
    char err[256] = "";
    for (kv->iter_seek(it, lo, lol); kv->iter_valid(it); kv->iter_next(it)) {
        size_t kl = 0;
        const uint8_t *k = kv->iter_key(it, &kl);
        if (kl < SK_PREFIX_LEN || memcmp(k, SK_JOURNAL, SK_PREFIX_LEN) != 0)
            break;
        size_t cl = kl < hil ? kl : hil;
        int c = memcmp(k, hi, cl);
        if (c > 0 || (c == 0 && kl >= hil))
            break;
        kv->batch_del(wb, k, kl);
        /* Pruning needs no sync: a record that reappears after a crash is obsolete and
         * is pruned again; bounded batches keep memory flat. */
        if (++pending == 1024) {
            rc = kv->write(s->kv, wb, false, err, sizeof err);
            kv->batch_clear(wb);
            pending = 0;
            if (rc != YC_OK)
                break;
        }
    }
    if (rc == YC_OK && pending > 0)
        rc = kv->write(s->kv, wb, false, err, sizeof err);
    if (rc != YC_OK) {
        store__fail(s, rc, err);
        rc = rc == YC_ENOMEM ? rc : YC_EIO;
    } else {
        rc = store__iter_done(s, it);
    }
    if (rc == YC_OK && below_height > s->jlow)
        s->jlow = below_height;
    kv->batch_free(wb);
    kv->iter_free(it);
    if (s->jvalid && s->jheight < below_height)
        s->jvalid = false;
    return rc;
}
