/*
 * verify.c — the verify pool and the verified-signature cache (see verify.h).
 *
 * The cache is a ring of keys (the oldest evicted first, so it is bounded) and an index
 * of them: an open-addressed table of 8-byte slots, each 32 bits of a key and its
 * place in the ring (the key itself is read from the ring only when those 32 bits
 * match), made at creation for the ring's size and never grown: 2 MiB for the default
 * 100,000 keys, where a map holding the keys in its slots took 12 MiB, touched at random
 * places by every look-up. The keys being checked are in a second map, `flight` (key →
 * the group checking it), which holds only those. A cache key is SHA-256 under a secret
 * drawn at creation (64 random bytes absorbed first, kept as the hash state after
 * them), so its own bits serve as its hash in both: no SipHash, and nobody can aim keys
 * at a slot.
 *
 * A call's group is one allocation (an ended one-tx group is kept for the next, up to
 * SPARE_GROUPS): its own txs that still need a check (from the front of its records),
 * the txs it waits for (from the back) and its chunks of CHUNK_TXS txs: a worker thread
 * only reads those immutable txs and writes its chunk's result fields; the loop thread
 * alone touches the group, the cache and the counters.
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
 * `flight`: a gossiped tx still queued when a proposal holding it arrives, a
 * proposal re-checked) is not checked a second time. The later group *defers* it and
 * waits: when the first check ends, the tx is in the cache (verified) or, if that check
 * did not reach it (an earlier tx of its chunk failed, or it was cancelled), the
 * waiting group checks it itself. A group ends once its own chunks and its deferred txs
 * have; groups waiting only on deferred txs are re-examined each time a chunk ends.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "idmap.h"
#include "log.h"
#include "verify.h"

/* A check is cut into chunks of at most this many txs, so that one large check (a
 * proposal) spreads over the pool's threads; a work item holds at most as many. */
#define CHUNK_TXS 32
/* Keys remembered as valid (parsed, for those that signed), most recent first out. */
#define KEYCACHE_SIZE 16384

/* One-tx groups kept for reuse when they end (admission checks one tx per call): at most
 * this many. */
#define SPARE_GROUPS 64
/* The secret absorbed before every cache key: one SHA-256 block. */
#define CKEY_SECRET 64

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

struct vtx { /* a tx of a group: one it checks, or one whose check another group has in flight */
    const struct yc_tx *tx;
    size_t index;              /* in the caller's batch */
    uint8_t key[YC_HASH_LEN];  /* its cache key: in v->flight until checked */
    uint64_t shash;            /* checked: the sender's key's hash in v->keymap */
    uint64_t bhash;            /* checked: the first body key's, when it has one */
    bool done;                 /* deferred: cached, or answered otherwise */
    struct yc_tx_keyhint hint; /* checked: what the key cache knew; the check fills in */
};

struct vgroup {
    yc_verifier *v;
    struct vtx *tx; /* tx[0..n): checked here; tx[cap-1-j], j < ndefer: deferred */
    size_t cap, n, ndefer;
    size_t dfirst;        /* deferred 0..dfirst are done */
    size_t *nested_index; /* deferred txs this group checks itself: their index in the
                           * caller's batch (that check's callback ends g) */
    struct vgroup *wnext; /* v->waiting */
    struct vchunk *chunks;
    size_t nchunks, left; /* chunks, and those not finished */
    int code;             /* the failure of lowest index, YC_OK if none */
    size_t bad;
    yc_verify_cb cb;
    void *ctx;
};

/* The j-th tx the group waits for. */
static struct vtx *deferred(struct vgroup *g, size_t j)
{
    return &g->tx[g->cap - 1 - j];
}

struct yc_verifier {
    uv_loop_t *loop;
    char chain_id[YC_CHAIN_ID_MAX + 1];
    size_t max_pending, pending;
    uint8_t (*ring)[YC_HASH_LEN];
    bool *ring_used;
    size_t ring_cap, ring_next;
    uint64_t *index;           /* the ring's keys: index_cap slots, 0 empty, else
                                * (32 bits of the key) << 32 | (place in the ring + 1) */
    size_t index_cap;          /* a power of two, at least 4/3 of ring_cap */
    struct yc_idmap flight;    /* cache key → the group checking it */
    struct yc_sha256_ctx ckey; /* SHA-256 with the secret absorbed: every cache key's start */
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
    struct vgroup *spare;   /* ended one-tx groups (through wnext), nspare of them */
    size_t nspare;
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
    v->ring_used = calloc(cache_size, sizeof *v->ring_used);
    v->ring_cap = cache_size;
    v->index_cap = 16; /* at most 3/4 full: every probe ends at an empty slot */
    while (v->index_cap / 4 * 3 < cache_size && v->index_cap <= SIZE_MAX / 16)
        v->index_cap *= 2;
    v->index = v->index_cap / 4 * 3 >= cache_size && cache_size < UINT32_MAX
                   ? calloc(v->index_cap, sizeof *v->index)
                   : NULL;
    v->keys = calloc(KEYCACHE_SIZE, sizeof *v->keys);
    if (v->ring == NULL || v->ring_used == NULL || v->index == NULL || v->keys == NULL ||
        yc_idmap_init(&v->flight, YC_HASH_LEN) != YC_OK ||
        yc_idmap_init(&v->keymap, YC_PUBKEY_LEN) != YC_OK) {
        yc_verifier_destroy(v);
        return YC_ENOMEM;
    }
    uint8_t secret[CKEY_SECRET];
    randombytes_buf(secret, sizeof secret);
    yc_sha256_init(&v->ckey);
    yc_sha256_update(&v->ckey, secret, sizeof secret);
    sodium_memzero(secret, sizeof secret);
    *out = v;
    return YC_OK;
}

void yc_verifier_destroy(yc_verifier *v)
{
    if (v == NULL)
        return;
    while (v->spare != NULL) {
        struct vgroup *g = v->spare;
        v->spare = g->wnext;
        free(g);
    }
    yc_idmap_cleanup(&v->flight);
    yc_idmap_cleanup(&v->keymap);
    free(v->keys);
    free(v->ring);
    free(v->ring_used);
    free(v->index);
    sodium_memzero(&v->ckey, sizeof v->ckey);
    free(v);
}

/* tx's cache key: SHA-256(secret ‖ id ‖ sig ‖ each cosig's key and sig). */
static void cache_key(const yc_verifier *v, const struct yc_tx *tx, uint8_t key[YC_HASH_LEN])
{
    struct yc_sha256_ctx st = v->ckey;
    yc_sha256_update(&st, tx->id, YC_HASH_LEN);
    yc_sha256_update(&st, tx->sig, YC_SIG_LEN);
    for (uint32_t i = 0; i < tx->ncosigs && i < YC_TX_MAX_COSIGS; i++) {
        yc_sha256_update(&st, tx->cosigs[i].pub, YC_PUBKEY_LEN);
        yc_sha256_update(&st, tx->cosigs[i].sig, YC_SIG_LEN);
    }
    yc_sha256_final(&st, key);
}

/* A cache key's hash in `flight`: its first 64 bits (the key is keyed by the secret). */
static uint64_t key_hash(const uint8_t key[YC_HASH_LEN])
{
    uint64_t h;
    memcpy(&h, key, sizeof h);
    return h;
}

/* The 32 bits of a key the index keeps (and places it by). */
static uint32_t key_tag(const uint8_t key[YC_HASH_LEN])
{
    return (uint32_t)key_hash(key);
}

/* The index slot holding key, or the empty slot that ends its run (*found false). */
static size_t index_probe(const yc_verifier *v, const uint8_t key[YC_HASH_LEN], bool *found)
{
    size_t mask = v->index_cap - 1;
    uint32_t tag = key_tag(key);
    for (size_t i = tag & mask;; i = (i + 1) & mask) {
        uint64_t s = v->index[i];
        if (s == 0) {
            *found = false;
            return i;
        }
        if ((uint32_t)(s >> 32) == tag && memcmp(v->ring[(uint32_t)s - 1], key, YC_HASH_LEN) == 0) {
            *found = true;
            return i;
        }
    }
}

static bool cached_key(const yc_verifier *v, const uint8_t key[YC_HASH_LEN])
{
    bool found;
    (void)index_probe(v, key, &found);
    return found;
}

/* Takes ring place `slot` (in use) out of the index, moving back the later members of
 * its run that may fill the hole (as idmap.c's removal does). */
static void index_remove(yc_verifier *v, size_t slot)
{
    size_t mask = v->index_cap - 1;
    uint32_t tag = key_tag(v->ring[slot]);
    uint64_t mine = (uint64_t)tag << 32 | (slot + 1);
    size_t i = tag & mask;
    while (v->index[i] != mine) {
        if (v->index[i] == 0)
            return; /* not there (cannot be: every place in use is in the index) */
        i = (i + 1) & mask;
    }
    for (size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
        uint64_t s = v->index[j];
        if (s == 0)
            break;
        /* s may fill the hole at i unless its home lies cyclically in (i, j] */
        size_t home = (uint32_t)(s >> 32) & mask;
        if (((j - home) & mask) >= ((j - i) & mask)) {
            v->index[i] = s;
            i = j;
        }
    }
    v->index[i] = 0;
}

static bool cache_has(const yc_verifier *v, const struct yc_tx *tx)
{
    uint8_t key[YC_HASH_LEN];
    cache_key(v, tx, key);
    return cached_key(v, key);
}

/* Caches key (verified), evicting the oldest key when the ring is full. */
static void cache_add(yc_verifier *v, const uint8_t key[YC_HASH_LEN])
{
    if (cached_key(v, key))
        return;
    size_t slot = v->ring_next;
    if (v->ring_used[slot]) { /* out first: the index never holds more keys than the ring */
        index_remove(v, slot);
        v->ring_used[slot] = false;
    }
    bool found;
    size_t i = index_probe(v, key, &found); /* again: the removal may have moved slots */
    memcpy(v->ring[slot], key, YC_HASH_LEN);
    v->ring_used[slot] = true;
    v->index[i] = (uint64_t)key_tag(key) << 32 | (slot + 1);
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

/* What the cache knows of t's keys (t->hint), and their hashes in keymap (t->shash, and
 * t->bhash when the body has a key). */
static void key_hint(const yc_verifier *v, struct vtx *t)
{
    const struct yc_tx *tx = t->tx;
    struct yc_tx_keyhint *h = &t->hint;
    memset(h, 0, sizeof *h);
    t->shash = yc_idmap_hash(&v->keymap, tx->sender);
    const struct keyslot *s = yc_idmap_get_h(&v->keymap, tx->sender, t->shash);
    if (s != NULL && s->parsed) {
        h->sender = s->k;
        h->sender_parsed = true;
    }
    h->body_valid = true;
    for (uint32_t i = 0; i < tx->body_keys.n && h->body_valid; i++) {
        const uint8_t *k = yc_tx_body_key(tx, i);
        if (k == NULL) {
            h->body_valid = false;
            break;
        }
        uint64_t bh = yc_idmap_hash(&v->keymap, k);
        if (i == 0)
            t->bhash = bh;
        h->body_valid = yc_idmap_get_h(&v->keymap, k, bh) != NULL;
    }
}

/* After t verified: its sender signed (parsed by the check) and its body keys are valid. */
static void key_learn(yc_verifier *v, const struct vtx *t)
{
    const struct yc_tx *tx = t->tx;
    if (t->hint.sender_parsed)
        key_add(v, tx->sender, t->shash, &t->hint.sender);
    for (uint32_t i = 0; i < tx->body_keys.n; i++) {
        const uint8_t *k = yc_tx_body_key(tx, i);
        if (k != NULL)
            key_add(v, k, i == 0 ? t->bhash : yc_idmap_hash(&v->keymap, k), NULL);
    }
}

static void chunk_work(struct vchunk *c)
{
    const struct vgroup *g = c->g;
    c->code = YC_OK;
    for (size_t i = c->first; i < c->first + c->n; i++) {
        struct vtx *t = &g->tx[i];
        int rc = yc_tx_verify_hinted(t->tx, g->v->chain_id, &t->hint);
        if (rc != YC_OK) {
            c->code = rc;
            c->bad = t->index;
            return;
        }
    }
}

static void group_free(yc_verifier *v, struct vgroup *g)
{
    free(g->nested_index);
    if (g->cap == 1 && v->nspare < SPARE_GROUPS) {
        g->wnext = v->spare;
        v->spare = g;
        v->nspare++;
        return;
    }
    free(g); /* its txs and chunks with it */
}

static int check(yc_verifier *v, const struct yc_tx *txs, const struct yc_tx *const *ptrs, size_t n,
                 yc_verify_cb cb, void *ctx, bool nested);

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
    group_free(v, g);
}

/* The check of a group's deferred txs that it ran itself ended. */
static void nested_cb(void *ctx, int code, size_t bad_index)
{
    struct vgroup *g = ctx;
    for (size_t j = 0; j < g->ndefer; j++)
        deferred(g, j)->done = true;
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
    for (size_t j = g->dfirst; j < g->ndefer && !waits; j++) {
        struct vtx *d = deferred(g, j);
        if (d->done)
            continue;
        if (cached_key(v, d->key)) {
            d->done = true;
            v->hits++;
        } else if (yc_idmap_get_h(&v->flight, d->key, key_hash(d->key)) != NULL) {
            waits = true;
        } else if (v->cancelling) {
            d->done = true;
            group_fail(g, YC_EIO, d->index);
        } else {
            need++;
        }
    }
    while (g->dfirst < g->ndefer && deferred(g, g->dfirst)->done)
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
        for (size_t j = 0; j < g->ndefer; j++) {
            const struct vtx *d = deferred(g, j);
            if (!d->done) {
                txs[k] = d->tx;
                g->nested_index[k++] = d->index;
            }
        }
        rc = check(v, NULL, txs, need, nested_cb, g, true); /* may end g at once */
    }
    free(txs);
    if (rc == YC_OK)
        return true;
    for (size_t j = 0; j < g->ndefer; j++) {
        struct vtx *d = deferred(g, j);
        if (!d->done) {
            d->done = true;
            group_fail(g, rc, d->index);
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
        c->bad = g->tx[c->first].index;
    } else {
        v->verified += c->n;
    }
    /* every tx of the chunk leaves flight; those checked before its failure (all on
     * success) are cached */
    for (size_t i = c->first; i < c->first + c->n; i++) {
        const struct vtx *t = &g->tx[i];
        (void)yc_idmap_del_if_h(&v->flight, t->key, key_hash(t->key), g);
        if (status != UV_ECANCELED && (c->code == YC_OK || t->index < c->bad)) {
            cache_add(v, t->key);
            key_learn(v, t);
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
        (void)yc_idmap_del_if_h(&v->flight, g->tx[i].key, key_hash(g->tx[i].key), g);
}

/* The group of a check of n txs, in one allocation: the group, its n tx records, room
 * for the chunks of all n (a spare one for one tx). */
static struct vgroup *group_new(yc_verifier *v, size_t n)
{
    if (n > SIZE_MAX / 2 / (sizeof(struct vtx) + sizeof(struct vchunk)))
        return NULL;
    size_t nchunks = (n + CHUNK_TXS - 1) / CHUNK_TXS;
    size_t txs_at = (sizeof(struct vgroup) + _Alignof(struct vtx) - 1) / _Alignof(struct vtx) *
                    _Alignof(struct vtx);
    size_t chunks_at = txs_at + n * sizeof(struct vtx);
    chunks_at = (chunks_at + _Alignof(struct vchunk) - 1) / _Alignof(struct vchunk) *
                _Alignof(struct vchunk);
    char *p;
    if (n == 1 && v->spare != NULL) {
        p = (char *)v->spare;
        v->spare = v->spare->wnext;
        v->nspare--;
    } else if ((p = malloc(chunks_at + nchunks * sizeof(struct vchunk))) == NULL) {
        return NULL;
    }
    struct vgroup *g = (struct vgroup *)(void *)p;
    *g = (struct vgroup){
        .tx = (struct vtx *)(void *)(p + txs_at),
        .cap = n,
        .chunks = (struct vchunk *)(void *)(p + chunks_at),
    };
    return g;
}

/* txs[0..n) in an array (txs), or pointed at (ptrs, when txs is NULL). */
static int check(yc_verifier *v, const struct yc_tx *txs, const struct yc_tx *const *ptrs, size_t n,
                 yc_verify_cb cb, void *ctx, bool nested)
{
    if (!nested && v->pending >= v->max_pending)
        return YC_ELIMIT;
    struct vgroup *g = group_new(v, n);
    if (g == NULL)
        return YC_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct yc_tx *tx = txs != NULL ? &txs[i] : ptrs[i];
        struct vtx *t = &g->tx[g->n]; /* the next checked one, unless deferred or cached */
        cache_key(v, tx, t->key);
        if (cached_key(v, t->key)) {
            v->hits++;
            continue;
        }
        void *other;
        if (yc_idmap_add_h(&v->flight, t->key, key_hash(t->key), g, &other) != YC_OK) {
            unflight(v, g, g->n);
            group_free(v, g);
            return YC_ENOMEM;
        }
        if (other != NULL) {                          /* checked elsewhere: wait for it */
            struct vtx *d = deferred(g, g->ndefer++); /* below the checked ones: n <= cap */
            if (d != t)
                memcpy(d->key, t->key, YC_HASH_LEN);
            d->tx = tx;
            d->index = i;
            d->done = false;
            continue;
        }
        t->tx = tx; /* now in flight, keyed to g */
        t->index = i;
        key_hint(v, t);
        g->n++;
    }
    g->v = v;
    g->cb = cb;
    g->ctx = ctx;
    if (g->n == 0 && g->ndefer == 0 && nested) { /* internal: the group waiting ends now */
        group_free(v, g);
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
    g->left = g->nchunks;
    for (size_t k = 0; k < g->nchunks; k++) { /* to the pool on the next turn */
        struct vchunk *c = &g->chunks[k];
        *c = (struct vchunk){.g = g, .first = k * CHUNK_TXS};
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
    return check(v, txs, NULL, n, cb, ctx, false);
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
