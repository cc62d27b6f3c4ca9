/*
 * verify.c — the verify pool and the verified-signature cache (see verify.h).
 *
 * The cache is a ring of keys plus an id map, so it is bounded and evicts the oldest
 * entry first. A job carries a private list of the txs that still need a check: the
 * worker thread only reads those immutable txs and writes the job's result fields;
 * the loop thread alone touches the cache and the counters.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "idmap.h"
#include "log.h"
#include "verify.h"

struct vjob {
    uv_work_t req;
    yc_verifier *v;
    const struct yc_tx **txs; /* need checking */
    size_t *index;            /* their index in the caller's batch */
    size_t n;
    int code;
    size_t bad;
    yc_verify_cb cb;
    void *ctx;
    struct vjob *prev, *next;
};

struct yc_verifier {
    uv_loop_t *loop;
    char chain_id[YC_CHAIN_ID_MAX + 1];
    size_t max_pending, pending;
    uint8_t (*ring)[YC_HASH_LEN];
    bool *ring_used;
    size_t ring_cap, ring_next;
    struct yc_idmap cache; /* key → ring slot (non-NULL marker) */
    uint64_t verified, hits;
    struct vjob *jobs;     /* in flight, for cancel_all */
};

int yc_verifier_create(yc_verifier **out, uv_loop_t *loop, const char *chain_id,
                       size_t cache_size, size_t max_pending)
{
    *out = NULL;
    if (cache_size == 0 || max_pending == 0 || strlen(chain_id) > YC_CHAIN_ID_MAX)
        return YC_EINVAL;
    yc_verifier *v = calloc(1, sizeof *v);
    if (v == NULL)
        return YC_ENOMEM;
    v->loop = loop;
    snprintf(v->chain_id, sizeof v->chain_id, "%s", chain_id);
    v->max_pending = max_pending;
    v->ring = calloc(cache_size, sizeof *v->ring);
    v->ring_used = calloc(cache_size, sizeof *v->ring_used);
    v->ring_cap = cache_size;
    if (v->ring == NULL || v->ring_used == NULL ||
        yc_idmap_init(&v->cache, YC_HASH_LEN) != YC_OK) {
        yc_verifier_destroy(v);
        return YC_ENOMEM;
    }
    *out = v;
    return YC_OK;
}

void yc_verifier_destroy(yc_verifier *v)
{
    if (v == NULL)
        return;
    yc_idmap_cleanup(&v->cache);
    free(v->ring);
    free(v->ring_used);
    free(v);
}

static void cache_key(const struct yc_tx *tx, uint8_t key[YC_HASH_LEN])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, tx->id, YC_HASH_LEN);
    crypto_hash_sha256_update(&st, tx->sig, YC_SIG_LEN);
    for (uint32_t i = 0; i < tx->ncosigs && i < YC_TX_MAX_COSIGS; i++) {
        crypto_hash_sha256_update(&st, tx->cosigs[i].pub, YC_PUBKEY_LEN);
        crypto_hash_sha256_update(&st, tx->cosigs[i].sig, YC_SIG_LEN);
    }
    crypto_hash_sha256_final(&st, key);
}

static bool cache_has(const yc_verifier *v, const struct yc_tx *tx)
{
    uint8_t key[YC_HASH_LEN];
    cache_key(tx, key);
    return yc_idmap_get(&v->cache, key) != NULL;
}

static void cache_add(yc_verifier *v, const struct yc_tx *tx)
{
    uint8_t key[YC_HASH_LEN];
    cache_key(tx, key);
    if (yc_idmap_get(&v->cache, key) != NULL)
        return;
    size_t slot = v->ring_next;
    if (v->ring_used[slot])
        (void)yc_idmap_del(&v->cache, v->ring[slot]);
    memcpy(v->ring[slot], key, YC_HASH_LEN);
    if (yc_idmap_put(&v->cache, key, &v->ring_used[slot]) != YC_OK) {
        v->ring_used[slot] = false; /* out of memory: the tx is just verified again later */
        return;
    }
    v->ring_used[slot] = true;
    v->ring_next = (slot + 1) % v->ring_cap;
}

bool yc_verifier_cached(yc_verifier *v, const struct yc_tx *tx)
{
    if (!cache_has(v, tx))
        return false;
    v->hits++;
    return true;
}

static void work_cb(uv_work_t *req)
{
    struct vjob *j = req->data;
    j->code = YC_OK;
    for (size_t i = 0; i < j->n; i++) {
        int rc = yc_tx_verify(j->txs[i], j->v->chain_id);
        if (rc != YC_OK) {
            j->code = rc;
            j->bad = j->index[i];
            return;
        }
    }
}

static void job_free(struct vjob *j)
{
    free(j->txs);
    free(j->index);
    free(j);
}

static void after_work_cb(uv_work_t *req, int status)
{
    struct vjob *j = req->data;
    yc_verifier *v = j->v;
    if (j->prev != NULL)
        j->prev->next = j->next;
    else
        v->jobs = j->next;
    if (j->next != NULL)
        j->next->prev = j->prev;
    v->pending--;
    if (status == UV_ECANCELED) {
        j->code = YC_EIO;
        j->bad = 0;
    } else {
        /* cache every tx checked before the first failure (all of them on success) */
        for (size_t i = 0; i < j->n; i++) {
            if (j->code != YC_OK && j->index[i] >= j->bad)
                break;
            cache_add(v, j->txs[i]);
        }
        v->verified += j->n;
    }
    j->cb(j->ctx, j->code, j->bad);
    job_free(j);
}

static int check(yc_verifier *v, const struct yc_tx *const *txs, size_t n, yc_verify_cb cb,
                 void *ctx)
{
    if (v->pending >= v->max_pending)
        return YC_ELIMIT;
    struct vjob *j = calloc(1, sizeof *j);
    if (j == NULL)
        return YC_ENOMEM;
    if (n > 0) {
        j->txs = calloc(n, sizeof *j->txs);
        j->index = calloc(n, sizeof *j->index);
        if (j->txs == NULL || j->index == NULL) {
            job_free(j);
            return YC_ENOMEM;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (yc_verifier_cached(v, txs[i]))
            continue;
        j->txs[j->n] = txs[i];
        j->index[j->n] = i;
        j->n++;
    }
    if (j->n == 0) {
        job_free(j);
        cb(ctx, YC_OK, 0);
        return YC_OK;
    }
    j->v = v;
    j->cb = cb;
    j->ctx = ctx;
    j->req.data = j;
    int rc = uv_queue_work(v->loop, &j->req, work_cb, after_work_cb);
    if (rc != 0) {
        yc_log_error("verify", "uv_queue_work: %s", uv_strerror(rc));
        job_free(j);
        return YC_ENOMEM;
    }
    j->next = v->jobs;
    if (v->jobs != NULL)
        v->jobs->prev = j;
    v->jobs = j;
    v->pending++;
    return YC_OK;
}

int yc_verifier_check(yc_verifier *v, const struct yc_tx *txs, size_t n, yc_verify_cb cb,
                      void *ctx)
{
    const struct yc_tx **p = n > 0 ? calloc(n, sizeof *p) : NULL;
    if (n > 0 && p == NULL)
        return YC_ENOMEM;
    for (size_t i = 0; i < n; i++)
        p[i] = &txs[i];
    int rc = check(v, p, n, cb, ctx);
    free(p);
    return rc;
}

int yc_verifier_check_ptrs(yc_verifier *v, const struct yc_tx *const *txs, size_t n,
                           yc_verify_cb cb, void *ctx)
{
    return check(v, txs, n, cb, ctx);
}

size_t yc_verifier_pending(const yc_verifier *v)
{
    return v->pending;
}

void yc_verifier_counters(const yc_verifier *v, uint64_t *verified, uint64_t *hits)
{
    *verified = v->verified;
    *hits = v->hits;
}

void yc_verifier_cancel_all(yc_verifier *v)
{
    for (struct vjob *j = v->jobs; j != NULL; j = j->next)
        (void)uv_cancel((uv_req_t *)&j->req);
}
