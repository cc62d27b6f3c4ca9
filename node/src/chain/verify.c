/*
 * verify.c — the verify pool and the verified-signature cache (see verify.h).
 *
 * The cache is a ring of keys plus an id map, so it is bounded and evicts the oldest
 * entry first. One map (`known`) answers both questions asked of a tx's cache key: is
 * it verified (the value is &v->cached) or being checked (the value is the group that
 * checks it); each key is hashed once per check, and the hash kept beside the key in
 * the group, the ring and the key cache serves every later look-up of it.
 *
 * A call's group carries a private list of the txs that still need a check, cut into
 * chunks of CHUNK_TXS: a worker thread only reads those immutable txs and writes its
 * chunk's result fields; the loop thread alone touches the group, the cache and the
 * counters.
 *
 * Work items: the chunks made in one turn of the loop are handed to the pool together
 * on the next turn (queue_item), packed into work items (struct vitem) of up to
 * CHUNK_TXS txs: admission checks one tx per call (each submitted or gossiped tx), and
 * one work item per tx cost a wake-up of a worker thread (a futex call, a context
 * switch) and a completion per tx. An item runs its chunks one after the other, each
 * stopping at its own first failure only, and completes each chunk as one work item
 * did. A full chunk is an item of its own, so a large check still spreads over the
 * pool's threads.
 *
 * Once per node: a tx whose check is already queued or running (its cache key is in
 * flight in `known`: a gossiped tx still queued when a proposal holding it arrives, a
 * proposal re-checked) is not checked a second time. The later group *defers* it and
 * waits: when the first check ends, the tx is in the cache (verified) or, if that check
 * did not reach it (an earlier tx of its chunk failed, or it was cancelled), the
 * waiting group checks it itself. A group ends once its own chunks and its deferred txs have; groups
 * waiting only on deferred txs are re-examined each time a chunk ends.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "idmap.h"
#include "log.h"
#include "verify.h"

/* A check is cut into chunks of at most this many txs, so that one large check (a
 * proposal) spreads over the pool's threads; a work item holds at most as many. */
#define CHUNK_TXS 32
/* Keys remembered as valid (parsed, for those that signed), most recent first out. */
#define KEYCACHE_SIZE 16384

struct keyslot {
    uint8_t pub[YC_PUBKEY_LEN];
    uint64_t hash; /* in keymap */
    bool used, parsed;
    struct yc_parsed_key k;
};

struct vgroup; /* one yc_verifier_check call */

struct vchunk {
    struct vgroup *g;
    size_t first, n; /* g->txs[first .. first+n) */
    int code;
    size_t bad;           /* index in the caller's batch of the failure */
    struct vchunk *qnext; /* v->queue, until handed to the pool */
};

struct vitem { /* one work item: chunks of any groups, CHUNK_TXS txs at most */
    uv_work_t req;
    struct vitem *prev, *next; /* v->items: queued or running, for cancel_all */
    size_t n;
    struct vchunk *c[CHUNK_TXS];
};

struct vdefer { /* a tx of the group whose check another group has in flight */
    const struct yc_tx *tx;
    size_t index; /* in the caller's batch */
    uint8_t key[YC_HASH_LEN];
    uint64_t hash; /* in known */
    bool done;
};

struct vgroup {
    yc_verifier *v;
    const struct yc_tx **txs;     /* need checking */
    size_t *index;                /* their index in the caller's batch */
    uint8_t (*keys)[YC_HASH_LEN]; /* their cache keys, in flight in v->known until checked */
    uint64_t *hashes;             /* of keys, in v->known */
    uint64_t *shashes;            /* of each sender's key, in v->keymap */
    struct vdefer *defer;
    size_t ndefer;
    size_t dfirst;               /* defer[0..dfirst) are done */
    size_t *nested_index;        /* deferred txs this group checks itself: their index in
                               * the caller's batch (that check's callback ends g) */
    struct vgroup *wnext;        /* v->waiting */
    struct yc_tx_keyhint *hints; /* what the key cache knew of each; the check fills in */
    size_t n;
    struct vchunk *chunks;
    size_t nchunks, left; /* chunks, and those not finished */
    int code;             /* the failure of lowest index, YC_OK if none */
    size_t bad;
    yc_verify_cb cb;
    void *ctx;
};

struct yc_verifier {
    uv_loop_t *loop;
    char chain_id[YC_CHAIN_ID_MAX + 1];
    size_t max_pending, pending;
    uint8_t (*ring)[YC_HASH_LEN];
    uint64_t *ring_hash;
    bool *ring_used;
    size_t ring_cap, ring_next;
    struct yc_idmap known; /* cache key → &cached (in the ring) or the group checking it */
    char cached;           /* its address marks a verified key */
    uint64_t verified, hits;
    struct vitem *items;               /* handed to the pool, for cancel_all */
    struct vchunk *queue, *queue_tail; /* made this turn, handed over by queue_item */
    struct yc_pump_item queue_item;
    struct vgroup *waiting;  /* own chunks ended, deferred txs not yet */
    struct vgroup *answered; /* all cached: answered on the next turn (answer_item) */
    struct yc_pump *pump;
    struct yc_pump_item answer_item;
    bool cancelling;
    struct keyslot *keys; /* ring of KEYCACHE_SIZE */
    size_t keys_next;
    struct yc_idmap keymap; /* pub → its keyslot */
};

static void group_end(yc_verifier *v, struct vgroup *g);
static void queue_item_cb(struct yc_pump_item *it);

/* Answers the groups found all cached (never from inside yc_verifier_check), in the
 * order of their checks. */
static void answer_item_cb(struct yc_pump_item *it)
{
    yc_verifier *v = (yc_verifier *)((char *)it - offsetof(yc_verifier, answer_item));
    struct vgroup *list = NULL;
    while (v->answered != NULL) { /* newest first: reversed */
        struct vgroup *g = v->answered;
        v->answered = g->wnext;
        g->wnext = list;
        list = g;
    }
    while (list != NULL) {
        struct vgroup *g = list;
        list = g->wnext;
        g->wnext = NULL;
        group_end(v, g);
    }
}

int yc_verifier_create(yc_verifier **out, uv_loop_t *loop, struct yc_pump *pump,
                       const char *chain_id, size_t cache_size, size_t max_pending)
{
    *out = NULL;
    if (cache_size == 0 || max_pending == 0 || strlen(chain_id) > YC_CHAIN_ID_MAX)
        return YC_EINVAL;
    yc_verifier *v = calloc(1, sizeof *v);
    if (v == NULL)
        return YC_ENOMEM;
    v->loop = loop;
    v->pump = pump;
    v->answer_item.fn = answer_item_cb;
    v->queue_item.fn = queue_item_cb;
    snprintf(v->chain_id, sizeof v->chain_id, "%s", chain_id);
    v->max_pending = max_pending;
    v->ring = calloc(cache_size, sizeof *v->ring);
    v->ring_hash = calloc(cache_size, sizeof *v->ring_hash);
    v->ring_used = calloc(cache_size, sizeof *v->ring_used);
    v->ring_cap = cache_size;
    v->keys = calloc(KEYCACHE_SIZE, sizeof *v->keys);
    if (v->ring == NULL || v->ring_hash == NULL || v->ring_used == NULL || v->keys == NULL ||
        yc_idmap_init(&v->known, YC_HASH_LEN) != YC_OK ||
        yc_idmap_init(&v->keymap, YC_PUBKEY_LEN) != YC_OK) {
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
    yc_idmap_cleanup(&v->known);
    yc_idmap_cleanup(&v->keymap);
    free(v->keys);
    free(v->ring);
    free(v->ring_hash);
    free(v->ring_used);
    free(v);
}

static void cache_key(const struct yc_tx *tx, uint8_t key[YC_HASH_LEN])
{
    struct yc_sha256_ctx st;
    yc_sha256_init(&st);
    yc_sha256_update(&st, tx->id, YC_HASH_LEN);
    yc_sha256_update(&st, tx->sig, YC_SIG_LEN);
    for (uint32_t i = 0; i < tx->ncosigs && i < YC_TX_MAX_COSIGS; i++) {
        yc_sha256_update(&st, tx->cosigs[i].pub, YC_PUBKEY_LEN);
        yc_sha256_update(&st, tx->cosigs[i].sig, YC_SIG_LEN);
    }
    yc_sha256_final(&st, key);
}

static bool cache_has(const yc_verifier *v, const struct yc_tx *tx)
{
    uint8_t key[YC_HASH_LEN];
    cache_key(tx, key);
    return yc_idmap_get(&v->known, key) == &v->cached;
}

/* Marks key (h its hash) verified, in place of its group in flight. */
static void cache_add(yc_verifier *v, const uint8_t key[YC_HASH_LEN], uint64_t h)
{
    if (yc_idmap_get_h(&v->known, key, h) == &v->cached)
        return;
    size_t slot = v->ring_next;
    if (v->ring_used[slot])
        (void)yc_idmap_del_if_h(&v->known, v->ring[slot], v->ring_hash[slot], &v->cached);
    memcpy(v->ring[slot], key, YC_HASH_LEN);
    v->ring_hash[slot] = h;
    if (yc_idmap_put_h(&v->known, key, h, &v->cached) != YC_OK) {
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

/* ---- keys known valid ---- */

/* Remembers pub (h its hash in keymap) as a valid key, parsed as *k when k is not NULL. */
static void key_add(yc_verifier *v, const uint8_t pub[YC_PUBKEY_LEN], uint64_t h,
                    const struct yc_parsed_key *k)
{
    struct keyslot *s = yc_idmap_get_h(&v->keymap, pub, h);
    if (s == NULL) {
        s = &v->keys[v->keys_next];
        if (s->used)
            (void)yc_idmap_del_h(&v->keymap, s->pub, s->hash);
        memcpy(s->pub, pub, YC_PUBKEY_LEN);
        s->hash = h;
        s->used = true;
        s->parsed = false;
        if (yc_idmap_put_h(&v->keymap, pub, h, s) != YC_OK) {
            s->used = false; /* out of memory: the key is just parsed again later */
            return;
        }
        v->keys_next = (v->keys_next + 1) % KEYCACHE_SIZE;
    }
    if (k != NULL && !s->parsed) {
        s->k = *k;
        s->parsed = true;
    }
}

/* What the cache knows of tx's keys; *shash: the sender's hash in keymap. */
static void key_hint(const yc_verifier *v, const struct yc_tx *tx, struct yc_tx_keyhint *h,
                     uint64_t *shash)
{
    memset(h, 0, sizeof *h);
    *shash = yc_idmap_hash(&v->keymap, tx->sender);
    const struct keyslot *s = yc_idmap_get_h(&v->keymap, tx->sender, *shash);
    if (s != NULL && s->parsed) {
        h->sender = s->k;
        h->sender_parsed = true;
    }
    h->body_valid = true;
    for (uint32_t i = 0; i < tx->body_keys.n && h->body_valid; i++) {
        const uint8_t *k = yc_tx_body_key(tx, i);
        h->body_valid = k != NULL && yc_idmap_get(&v->keymap, k) != NULL;
    }
}

/* After tx verified: its sender signed (parsed by the check) and its body keys are valid. */
static void key_learn(yc_verifier *v, const struct yc_tx *tx, const struct yc_tx_keyhint *h,
                      uint64_t shash)
{
    if (h->sender_parsed)
        key_add(v, tx->sender, shash, &h->sender);
    for (uint32_t i = 0; i < tx->body_keys.n; i++) {
        const uint8_t *k = yc_tx_body_key(tx, i);
        if (k != NULL)
            key_add(v, k, yc_idmap_hash(&v->keymap, k), NULL);
    }
}

static void chunk_work(struct vchunk *c)
{
    const struct vgroup *g = c->g;
    c->code = YC_OK;
    for (size_t i = c->first; i < c->first + c->n; i++) {
        int rc = yc_tx_verify_hinted(g->txs[i], g->v->chain_id, &g->hints[i]);
        if (rc != YC_OK) {
            c->code = rc;
            c->bad = g->index[i];
            return;
        }
    }
}

static void group_free(struct vgroup *g)
{
    free(g->txs);
    free(g->index);
    free(g->keys);
    free(g->hashes);
    free(g->shashes);
    free(g->defer);
    free(g->nested_index);
    free(g->hints);
    free(g->chunks);
    free(g);
}

static int check(yc_verifier *v, const struct yc_tx *const *txs, size_t n, yc_verify_cb cb,
                 void *ctx, bool nested);

/* Notes a failure at the caller's index `bad` (the lowest index wins). */
static void group_fail(struct vgroup *g, int code, size_t bad)
{
    if (code != YC_OK && (g->code == YC_OK || bad < g->bad)) {
        g->code = code;
        g->bad = bad;
    }
}

/* The group ended: answered, freed. */
static void group_end(yc_verifier *v, struct vgroup *g)
{
    v->pending--;
    g->cb(g->ctx, g->code, g->bad);
    group_free(g);
}

/* The check of a group's deferred txs that it ran itself ended. */
static void nested_cb(void *ctx, int code, size_t bad_index)
{
    struct vgroup *g = ctx;
    for (size_t i = 0; i < g->ndefer; i++)
        g->defer[i].done = true;
    if (code != YC_OK)
        group_fail(g, code, g->nested_index[bad_index]);
    group_end(g->v, g);
}

/* Looks again at a group whose own chunks ended: deferred txs now cached are done; while
 * one is still in flight elsewhere it waits (false); those whose check ended without
 * them are checked by the group itself. Returns true once the group ended or handed
 * over to that check (then g may be gone). The look stops at the first tx still in
 * flight (the next look starts from the first not done): every chunk that ends looks
 * again, and looking at the whole list each time cost a proposal of n deferred txs
 * about n * n / 32 look-ups. */
static bool group_resolve(yc_verifier *v, struct vgroup *g)
{
    size_t need = 0; /* counted over the whole rest when nothing waits */
    bool waits = false;
    for (size_t i = g->dfirst; i < g->ndefer && !waits; i++) {
        struct vdefer *d = &g->defer[i];
        if (d->done)
            continue;
        const void *s = yc_idmap_get_h(&v->known, d->key, d->hash);
        if (s == &v->cached) {
            d->done = true;
            v->hits++;
        } else if (s != NULL) {
            waits = true;
        } else if (v->cancelling) {
            d->done = true;
            group_fail(g, YC_EIO, d->index);
        } else {
            need++;
        }
    }
    while (g->dfirst < g->ndefer && g->defer[g->dfirst].done)
        g->dfirst++;
    if (waits)
        return false;
    if (need == 0) {
        group_end(v, g);
        return true;
    }
    const struct yc_tx **txs = calloc(need, sizeof *txs);
    free(g->nested_index);
    g->nested_index = calloc(need, sizeof *g->nested_index);
    int rc = YC_ENOMEM;
    if (txs != NULL && g->nested_index != NULL) {
        size_t k = 0;
        for (size_t i = 0; i < g->ndefer; i++) {
            if (!g->defer[i].done) {
                txs[k] = g->defer[i].tx;
                g->nested_index[k++] = g->defer[i].index;
            }
        }
        rc = check(v, txs, need, nested_cb, g, true); /* may end g at once */
    }
    free(txs);
    if (rc == YC_OK)
        return true;
    for (size_t i = 0; i < g->ndefer; i++) {
        if (!g->defer[i].done) {
            g->defer[i].done = true;
            group_fail(g, rc, g->defer[i].index);
        }
    }
    group_end(v, g);
    return true;
}

/* Re-examines every waiting group (a chunk ended: some keys left flight). Callbacks
 * may add groups meanwhile; they wait on the fresh list. */
static void resolve_waiting(yc_verifier *v)
{
    struct vgroup *list = v->waiting;
    v->waiting = NULL;
    while (list != NULL) {
        struct vgroup *g = list;
        list = g->wnext;
        g->wnext = NULL;
        if (!group_resolve(v, g)) {
            g->wnext = v->waiting;
            v->waiting = g;
        }
    }
}

/* A chunk ended (status: UV_ECANCELED, or 0 with c->code its verdict). */
static void chunk_done(struct vchunk *c, int status)
{
    struct vgroup *g = c->g;
    yc_verifier *v = g->v;
    if (status == UV_ECANCELED) {
        c->code = YC_EIO;
        c->bad = 0;
    } else if (status != 0) { /* never handed to the pool */
        c->code = YC_ENOMEM;
        c->bad = g->index[c->first];
    } else {
        v->verified += c->n;
    }
    /* every tx of the chunk checked before its failure (all on success) is cached, the
     * rest leave flight */
    for (size_t i = c->first; i < c->first + c->n; i++) {
        if (status != UV_ECANCELED && (c->code == YC_OK || g->index[i] < c->bad)) {
            cache_add(v, g->keys[i], g->hashes[i]);
            key_learn(v, g->txs[i], &g->hints[i], g->shashes[i]);
        } else {
            (void)yc_idmap_del_if_h(&v->known, g->keys[i], g->hashes[i], g);
        }
    }
    group_fail(g, c->code, c->bad);
    if (--g->left == 0) {
        g->wnext = v->waiting;
        v->waiting = g;
    }
    resolve_waiting(v);
}

static void item_work_cb(uv_work_t *req)
{
    struct vitem *b = req->data;
    for (size_t i = 0; i < b->n; i++)
        chunk_work(b->c[i]);
}

static void item_after_cb(uv_work_t *req, int status)
{
    struct vitem *b = req->data;
    yc_verifier *v = b->c[0]->g->v;
    if (b->prev != NULL)
        b->prev->next = b->next;
    else
        v->items = b->next;
    if (b->next != NULL)
        b->next->prev = b->prev;
    for (size_t i = 0; i < b->n; i++)
        chunk_done(b->c[i], status);
    free(b);
}

/* Hands the chunks made so far to the pool, packed into work items in their order. An
 * item that cannot be made or queued fails its chunks (YC_ENOMEM to their groups). */
static void queue_flush(yc_verifier *v)
{
    while (v->queue != NULL) {
        struct vitem *b = malloc(sizeof *b);
        size_t txs = 0, n = 0;
        struct vchunk *c = v->queue;
        while (c != NULL && n < CHUNK_TXS && (n == 0 || txs + c->n <= CHUNK_TXS)) {
            txs += c->n;
            if (b != NULL)
                b->c[n] = c;
            n++;
            c = c->qnext;
        }
        struct vchunk *first = v->queue;
        v->queue = c;
        if (c == NULL)
            v->queue_tail = NULL;
        int rc = UV_ENOMEM;
        if (b != NULL) {
            b->n = n;
            b->req.data = b;
            b->prev = NULL;
            b->next = v->items;
            rc = uv_queue_work(v->loop, &b->req, item_work_cb, item_after_cb);
        }
        if (rc == 0) {
            if (v->items != NULL)
                v->items->prev = b;
            v->items = b;
            continue;
        }
        yc_log_error("verify", "cannot queue a check: %s", uv_strerror(rc));
        free(b);
        for (size_t i = 0; i < n; i++) {
            struct vchunk *next = first->qnext;
            chunk_done(first, rc);
            first = next;
        }
    }
}

static void queue_item_cb(struct yc_pump_item *it)
{
    queue_flush((yc_verifier *)((char *)it - offsetof(yc_verifier, queue_item)));
}

/* Takes txs[0..upto) of g out of flight (a check that was never queued). */
static void unflight(yc_verifier *v, struct vgroup *g, size_t upto)
{
    for (size_t i = 0; i < upto; i++)
        (void)yc_idmap_del_if_h(&v->known, g->keys[i], g->hashes[i], g);
}

static int check(yc_verifier *v, const struct yc_tx *const *txs, size_t n, yc_verify_cb cb,
                 void *ctx, bool nested)
{
    if (!nested && v->pending >= v->max_pending)
        return YC_ELIMIT;
    struct vgroup *g = calloc(1, sizeof *g);
    if (g == NULL)
        return YC_ENOMEM;
    if (n > 0) {
        g->txs = calloc(n, sizeof *g->txs);
        g->index = calloc(n, sizeof *g->index);
        g->keys = calloc(n, sizeof *g->keys);
        g->hashes = calloc(n, sizeof *g->hashes);
        g->shashes = calloc(n, sizeof *g->shashes);
        g->hints = calloc(n, sizeof *g->hints);
        if (g->txs == NULL || g->index == NULL || g->keys == NULL || g->hashes == NULL ||
            g->shashes == NULL || g->hints == NULL) {
            group_free(g);
            return YC_ENOMEM;
        }
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t *key = g->keys[g->n];
        cache_key(txs[i], key);
        uint64_t h = yc_idmap_hash(&v->known, key);
        const void *known = yc_idmap_get_h(&v->known, key, h);
        if (known == &v->cached) {
            v->hits++;
            continue;
        }
        if (known != NULL) { /* checked elsewhere: wait for it */
            if (g->defer == NULL && (g->defer = calloc(n, sizeof *g->defer)) == NULL) {
                unflight(v, g, g->n);
                group_free(g);
                return YC_ENOMEM;
            }
            struct vdefer *d = &g->defer[g->ndefer++];
            d->tx = txs[i];
            d->index = i;
            memcpy(d->key, key, YC_HASH_LEN);
            d->hash = h;
            continue;
        }
        if (yc_idmap_put_h(&v->known, key, h, g) != YC_OK) {
            unflight(v, g, g->n);
            group_free(g);
            return YC_ENOMEM;
        }
        g->txs[g->n] = txs[i];
        g->index[g->n] = i;
        g->hashes[g->n] = h;
        key_hint(v, txs[i], &g->hints[g->n], &g->shashes[g->n]);
        g->n++;
    }
    g->v = v;
    g->cb = cb;
    g->ctx = ctx;
    if (g->n == 0 && g->ndefer == 0 && nested) { /* internal: the group waiting ends now */
        group_free(g);
        cb(ctx, YC_OK, 0);
        return YC_OK;
    }
    if (g->n == 0 && g->ndefer == 0) { /* all cached: answered on the next turn */
        v->pending++;
        g->wnext = v->answered;
        v->answered = g;
        yc_pump_post(v->pump, &v->answer_item);
        return YC_OK;
    }
    g->nchunks = (g->n + CHUNK_TXS - 1) / CHUNK_TXS;
    if (g->nchunks > 0 && (g->chunks = calloc(g->nchunks, sizeof *g->chunks)) == NULL) {
        unflight(v, g, g->n);
        group_free(g);
        return YC_ENOMEM;
    }
    g->left = g->nchunks;
    for (size_t k = 0; k < g->nchunks; k++) { /* to the pool on the next turn */
        struct vchunk *c = &g->chunks[k];
        c->g = g;
        c->first = k * CHUNK_TXS;
        c->n = g->n - c->first < CHUNK_TXS ? g->n - c->first : CHUNK_TXS;
        if (v->queue_tail != NULL)
            v->queue_tail->qnext = c;
        else
            v->queue = c;
        v->queue_tail = c;
    }
    if (g->nchunks > 0)
        yc_pump_post(v->pump, &v->queue_item);
    v->pending++;
    if (g->nchunks == 0) { /* only deferred txs: waits for the checks it relies on */
        g->wnext = v->waiting;
        v->waiting = g;
    }
    return YC_OK;
}

int yc_verifier_check(yc_verifier *v, const struct yc_tx *txs, size_t n, yc_verify_cb cb, void *ctx)
{
    const struct yc_tx **p = n > 0 ? calloc(n, sizeof *p) : NULL;
    if (n > 0 && p == NULL)
        return YC_ENOMEM;
    for (size_t i = 0; i < n; i++)
        p[i] = &txs[i];
    int rc = check(v, p, n, cb, ctx, false);
    free(p);
    return rc;
}

void yc_verifier_counters(const yc_verifier *v, uint64_t *verified, uint64_t *hits)
{
    *verified = v->verified;
    *hits = v->hits;
}

void yc_verifier_cancel_all(yc_verifier *v)
{
    v->cancelling = true; /* deferred txs whose check is cancelled are not checked again */
    yc_pump_cancel(v->pump, &v->queue_item);
    queue_flush(v); /* then cancelled with the rest */
    for (struct vitem *b = v->items; b != NULL; b = b->next)
        (void)uv_cancel((uv_req_t *)&b->req);
}
