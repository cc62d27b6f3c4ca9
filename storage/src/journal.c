/*
 * journal.c — the consensus journal: "j/" u64be(height) u64be(seq) → record.
 *
 * PBFT's safety across restarts rests on this file: a vote is appended here, with
 * sync, before the message carrying it leaves the node (pbft.h, persist-then-send).
 * Records of one height come back in append order because the sequence number is
 * big-endian and strictly increasing per height. The next sequence is kept in memory
 * (writer thread only): 0 for a height above every one with a live record (found by one
 * scan after the open), otherwise found once per height with an iterator.
 */
#include <string.h>

#include "yc/alloc.h"

#include "store_int.h"
#include "store_keys.h"

/* Learns, once per open, one past the highest height holding a live record (jtop): the
 * last journal key, found by a backward step from past the journal's prefix. Appends
 * raise jtop from then on, so a new height's first append needs no scan. */
static int find_top(store *s)
{
    static const uint8_t past[SK_PREFIX_LEN] = {'j', '/' + 1};
    const struct yc_kv_ops *kv = s->kv->ops;
    yc_kv_iter *it = kv->iter_new(s->kv);
    if (it == NULL)
        return YC_ENOMEM;
    kv->iter_seek(it, past, sizeof past);
    if (kv->iter_valid(it))
        kv->iter_prev(it);
    else
        kv->iter_seek_last(it);
    uint64_t top = 0;
    if (kv->iter_valid(it)) {
        size_t kl = 0;
        const uint8_t *k = kv->iter_key(it, &kl);
        if (kl == SK_PREFIX_LEN + 16 && memcmp(k, SK_JOURNAL, SK_PREFIX_LEN) == 0)
            top = sk_get_u64(k + SK_PREFIX_LEN) + 1;
    }
    int rc = store__iter_done(s, it);
    kv->iter_free(it);
    if (rc == YC_OK) {
        if (top > s->jtop)
            s->jtop = top;
        s->jtop_known = true;
    }
    return rc;
}

/* Next free sequence number of `height`: one past the last stored record, 0 at or above
 * jtop. Otherwise the scan goes forward over that height's records only: the records of
 * the heights below are pruned, and LevelDB keeps each one's value and tombstone until a
 * compaction drops them, so a backward step from the next height walked over every one
 * of them (with their blocks) on each height's first append. */
static int next_seq(store *s, uint64_t height, uint64_t *seq)
{
    *seq = 0;
    if (!s->jtop_known) {
        int rc = find_top(s);
        if (rc != YC_OK)
            return rc;
    }
    if (height >= s->jtop)
        return YC_OK;
    uint8_t lo[SK_MAX];
    size_t lol = sk_journal_height(lo, height);
    const struct yc_kv_ops *kv = s->kv->ops;
    yc_kv_iter *it = kv->iter_new(s->kv);
    if (it == NULL)
        return YC_ENOMEM;
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
    return store_journal_append_many(s, height, &rec, &len, 1);
}

int store_journal_append_many(store *s, uint64_t height, const uint8_t *const *recs,
                              const size_t *lens, size_t n)
{
    if (s == NULL || recs == NULL || lens == NULL || n == 0 || (s->flags & STORE_READ_ONLY))
        return YC_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (recs[i] == NULL || lens[i] == 0 || lens[i] > STORE_JOURNAL_MAX_RECORD)
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
    if (n > STORE_JOURNAL_MAX_RECORDS || s->jnext > STORE_JOURNAL_MAX_RECORDS - n)
        return YC_ELIMIT;
    if (height < s->jlow)
        s->jlow = height; /* before the write: a failed one may still be on disk */
    if (height >= s->jtop)
        s->jtop = height + 1; /* the same */
    const struct yc_kv_ops *kv = s->kv->ops;
    yc_kv_batch *b = kv->batch_new(s->kv);
    if (b == NULL)
        return YC_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        uint8_t k[SK_MAX];
        size_t kl = sk_journal(k, height, s->jnext + i);
        kv->batch_put(b, k, kl, recs[i], lens[i]);
    }
    char err[256] = "";
    int rc = kv->write(s->kv, b, true, err, sizeof err);
    kv->batch_free(b);
    if (rc != YC_OK) {
        /* The records may or may not be on disk: look the sequence up again next time. */
        s->jvalid = false;
        store__fail(s, rc, err);
        return rc == YC_ENOMEM ? rc : YC_EIO;
    }
    s->jnext += n;
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

/* Deletes the pruned records in unsynced batches of at most 1024: a record that
 * reappears after a crash is obsolete and is pruned again; bounded batches keep memory
 * flat. del_one adds a delete and writes the batch once it is full (*rc: its outcome). */
struct prune_batch {
    store *s;
    yc_kv_batch *wb;
    size_t pending;
    char err[256];
};

static int prune_del(struct prune_batch *pb, const uint8_t *k, size_t kl)
{
    const struct yc_kv_ops *kv = pb->s->kv->ops;
    kv->batch_del(pb->wb, k, kl);
    if (++pb->pending < 1024)
        return YC_OK;
    int rc = kv->write(pb->s->kv, pb->wb, false, pb->err, sizeof pb->err);
    kv->batch_clear(pb->wb);
    pb->pending = 0;
    return rc;
}

/* The records of heights [jlow, below_height) found by a scan from jlow. */
static int prune_scan(struct prune_batch *pb, uint64_t below_height)
{
    store *s = pb->s;
    uint8_t lo[SK_MAX], hi[SK_MAX];
    size_t lol = sk_journal_height(lo, s->jlow);
    size_t hil = sk_journal_height(hi, below_height);
    const struct yc_kv_ops *kv = s->kv->ops;
    yc_kv_iter *it = kv->iter_new(s->kv);
    if (it == NULL)
        return YC_ENOMEM;
    int rc = YC_OK;
    for (kv->iter_seek(it, lo, lol); rc == YC_OK && kv->iter_valid(it); kv->iter_next(it)) {
        size_t kl = 0;
        const uint8_t *k = kv->iter_key(it, &kl);
        if (kl < SK_PREFIX_LEN || memcmp(k, SK_JOURNAL, SK_PREFIX_LEN) != 0)
            break;
        size_t cl = kl < hil ? kl : hil;
        int c = memcmp(k, hi, cl);
        if (c > 0 || (c == 0 && kl >= hil))
            break;
        rc = prune_del(pb, k, kl);
    }
    if (rc == YC_OK)
        rc = store__iter_done(s, it);
    else
        store__fail(s, rc, pb->err);
    kv->iter_free(it);
    return rc;
}

int store_journal_prune(store *s, uint64_t below_height)
{
    if (s == NULL || (s->flags & STORE_READ_ONLY))
        return YC_EINVAL;
    const struct yc_kv_ops *kv = s->kv->ops;
    struct prune_batch pb = {.s = s, .wb = kv->batch_new(s->kv)};
    if (pb.wb == NULL)
        return YC_ENOMEM;
    int rc = YC_OK;
    if (s->jvalid && s->jlow == s->jheight && below_height == s->jheight + 1) {
        /* the usual prune, of the height just decided: no record is live below it (jlow)
         * and its records are sequences 0 .. jnext - 1 (jvalid), so their keys are known
         * without a scan */
        for (uint64_t seq = 0; rc == YC_OK && seq < s->jnext; seq++) {
            uint8_t k[SK_MAX];
            size_t kl = sk_journal(k, s->jheight, seq);
            rc = prune_del(&pb, k, kl);
        }
        if (rc != YC_OK)
            store__fail(s, rc, pb.err);
    } else {
        /* from the lowest height that may hold a record (the ones below were deleted by
         * the last prune): iterating from height 0 stepped over every pruned record
         * LevelDB still holds, values and tombstones, on each prune */
        rc = prune_scan(&pb, below_height);
    }
    if (rc == YC_OK && pb.pending > 0) {
        rc = kv->write(s->kv, pb.wb, false, pb.err, sizeof pb.err);
        if (rc != YC_OK)
            store__fail(s, rc, pb.err);
    }
    if (rc != YC_OK && rc != YC_ENOMEM)
        rc = YC_EIO;
    if (rc == YC_OK && below_height > s->jlow)
        s->jlow = below_height;
    kv->batch_free(pb.wb);
    if (s->jvalid && s->jheight < below_height)
        s->jvalid = false;
    return rc;
}
