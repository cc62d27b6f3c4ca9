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

/* Next free sequence number of `height`: one past the last stored record. */
static int next_seq(store *s, uint64_t height, uint64_t *seq)
{
    uint8_t lo[SK_MAX], hi[SK_MAX];
    size_t lol = sk_journal_height(lo, height);
    size_t hil = sk_journal_height(hi, height + 1);
    leveldb_iterator_t *it = leveldb_create_iterator(s->db, s->ropts);
    if (height == UINT64_MAX)
        leveldb_iter_seek_to_last(it);
    else {
        leveldb_iter_seek(it, (const char *)hi, hil);
        if (leveldb_iter_valid(it))
            leveldb_iter_prev(it);
        else
            leveldb_iter_seek_to_last(it);
    }
    *seq = 0;
    if (leveldb_iter_valid(it)) {
        size_t kl = 0;
        const char *k = leveldb_iter_key(it, &kl);
        if (kl == lol + 8 && memcmp(k, lo, lol) == 0)
            *seq = sk_get_u64((const uint8_t *)k + lol) + 1;
    }
    char *err = NULL;
    leveldb_iter_get_error(it, &err);
    leveldb_iter_destroy(it);
    if (err != NULL) {
        store__leveldb_err(s, err);
        return YC_EIO;
    }
    return YC_OK;
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
    uint8_t k[SK_MAX];
    size_t kl = sk_journal(k, height, s->jnext);
    char *err = NULL;
    leveldb_put(s->db, s->wsync, (const char *)k, kl, (const char *)rec, len, &err);
    if (err != NULL) {
        /* The record may or may not be on disk: look the sequence up again next time. */
        s->jvalid = false;
        store__leveldb_err(s, err);
        return YC_EIO;
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
static int list_push(struct pbft_record_list *l, size_t *cap, const char *v, size_t vl)
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
    leveldb_iterator_t *it = leveldb_create_iterator(s->db, s->ropts);
    for (leveldb_iter_seek(it, (const char *)p, pl); leveldb_iter_valid(it);
         leveldb_iter_next(it)) {
        size_t kl = 0, vl = 0;
        const char *k = leveldb_iter_key(it, &kl);
        if (kl != pl + 8 || memcmp(k, p, pl) != 0)
            break;
        if (out->n >= STORE_JOURNAL_MAX_RECORDS) {
            rc = YC_ELIMIT;
            break;
        }
        const char *v = leveldb_iter_value(it, &vl);
        rc = list_push(out, &cap, v, vl);
        if (rc != YC_OK)
            break;
    }
    if (rc == YC_OK) {
        char *err = NULL;
        leveldb_iter_get_error(it, &err);
        if (err != NULL) {
            store__leveldb_err(s, err);
            rc = YC_EIO;
        }
    }
    leveldb_iter_destroy(it);
    if (rc != YC_OK)
        store_journal_free(out);
    return rc;
}

int store_journal_prune(store *s, uint64_t below_height)
{
    if (s == NULL || (s->flags & STORE_READ_ONLY))
        return YC_EINVAL;
    uint8_t lo[SK_MAX], hi[SK_MAX];
    size_t lol = sk_journal_height(lo, 0);
    size_t hil = sk_journal_height(hi, below_height);
    leveldb_iterator_t *it = leveldb_create_iterator(s->db, s->ropts);
    leveldb_writebatch_t *wb = leveldb_writebatch_create();
    size_t pending = 0;
    int rc = YC_OK;
    char *err = NULL;
    for (leveldb_iter_seek(it, (const char *)lo, lol); leveldb_iter_valid(it);
         leveldb_iter_next(it)) {
        size_t kl = 0;
        const char *k = leveldb_iter_key(it, &kl);
        if (kl < SK_PREFIX_LEN || memcmp(k, SK_JOURNAL, SK_PREFIX_LEN) != 0)
            break;
        size_t cl = kl < hil ? kl : hil;
        int c = memcmp(k, hi, cl);
        if (c > 0 || (c == 0 && kl >= hil))
            break;
        leveldb_writebatch_delete(wb, k, kl);
        /* Pruning needs no sync: a record that reappears after a crash is obsolete and
         * is pruned again; bounded batches keep memory flat. */
        if (++pending == 1024) {
            leveldb_write(s->db, s->wasync, wb, &err);
            leveldb_writebatch_clear(wb);
            pending = 0;
            if (err != NULL)
                break;
        }
    }
    if (err == NULL && pending > 0)
        leveldb_write(s->db, s->wasync, wb, &err);
    if (err == NULL)
        leveldb_iter_get_error(it, &err);
    if (err != NULL) {
        store__leveldb_err(s, err);
        rc = YC_EIO;
    }
    leveldb_writebatch_destroy(wb);
    leveldb_iter_destroy(it);
    if (s->jvalid && s->jheight < below_height)
        s->jvalid = false;
    return rc;
}
