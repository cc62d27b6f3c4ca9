/*
 * mempool.c — bounded, de-duplicated, nonce-ordered pending transactions
 * (see mempool.h).
 *
 * Structures: every entry is in the id map and in one arrival-ordered list; each
 * sender holds its entries in an array sorted by nonce (at most max_nonce_gap + 1
 * of them, since nonces are unique and within the gap), each slot with its entry's
 * nonce and size beside the pointer, so that a search or a walk of the array reads the
 * array alone, not each entry. A sender's `nready` is the length of the run of nonces
 * base, base+1, … at the front of its array; totals of ready txs are kept up to date by
 * subtracting a sender's ready share before any change to it and adding it back after.
 *
 * Arrival times only grow along the arrival list (callers add in time order), so
 * expiry looks at the head only; the refusal and expiry rings are two instances of one
 * bounded ring (id map + circular array, the oldest forgotten first).
 *
 * Pressure: refusals by the mempool's own limits (full; a sender at max_per_sender) are
 * counted, and logged at warn at most once per PRESSURE_LOG_MS: the first refusal after
 * a quiet spell at once, the rest of a flood summed up (how many, the fill, the last
 * sender at its cap) by the next refusal or yc_mempool_log_pressure, whichever comes
 * first after the interval. A flood of refusals is thus a line every 10 s, not a line
 * per transaction.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "idmap.h"
#include "log.h"
#include "mempool.h"
#include "yc/bech32.h"
#include "yc/hash.h"

#define PRESSURE_LOG_MS 10000

struct mp_sender;

struct mp_entry {
    struct yc_tx tx;
    uint64_t id_hash;                     /* of tx.id in by_id */
    uint8_t bkey[crypto_shorthash_BYTES]; /* bytes_key(tx.bytes) */
    uint64_t bkey_hash;                   /* of bkey in by_bytes */
    uint64_t arrival_ms;
    struct mp_sender *sender;
    struct mp_entry *prev, *next; /* arrival order */
};

struct mp_slot {
    uint64_t nonce; /* e->tx.nonce */
    size_t len;     /* e->tx.len */
    struct mp_entry *e;
};

struct mp_sender {
    uint8_t pub[YC_PUBKEY_LEN];
    uint64_t hash; /* of pub in senders */
    uint64_t base;
    struct mp_slot *v; /* sorted by nonce */
    size_t n, cap;
    size_t nready, ready_bytes;
    uint64_t walk_epoch, walk_cursor; /* scratch for each_ready */
};

#define WHY_KEEP 256 /* bytes of a refusal's words kept, NUL included */

struct rejection {
    uint8_t id[YC_HASH_LEN];
    uint64_t hash; /* of id in the ring's by_id */
    int code;
    bool used;
    char *why; /* malloc'ed words or NULL */
};

struct ring {
    struct rejection *v; /* lim.max_rejected slots */
    size_t cap, next;
    struct yc_idmap by_id; /* id → slot */
};

struct yc_mempool {
    struct yc_mempool_limits lim;
    struct yc_idmap by_id;    /* id → mp_entry */
    struct yc_idmap by_bytes; /* bytes_key(signed bytes) → mp_entry (see yc_mempool_find) */
    uint8_t bytes_sipkey[crypto_shorthash_KEYBYTES]; /* random, drawn at create */
    struct yc_idmap senders;                         /* pub → mp_sender */
    struct mp_entry *head, *tail;
    size_t count, bytes;
    size_t ready_count, ready_bytes;
    uint64_t epoch;
    struct ring rej; /* refused ids */
    struct ring exp; /* expired ids */
    struct yc_mempool_pressure pressure;
    size_t win_full, win_sender;    /* refusals not yet logged */
    uint8_t win_pub[YC_PUBKEY_LEN]; /* the last sender refused at its cap */
    uint64_t win_start_ms, next_log_ms;
};

static int ring_init(struct ring *r, size_t cap)
{
    r->cap = cap;
    r->next = 0;
    r->v = calloc(cap, sizeof *r->v);
    if (r->v == NULL || yc_idmap_init(&r->by_id, YC_HASH_LEN) != YC_OK)
        return YC_ENOMEM;
    return YC_OK;
}

static void ring_cleanup(struct ring *r)
{
    for (size_t i = 0; r->v != NULL && i < r->cap; i++)
        free(r->v[i].why);
    free(r->v);
    yc_idmap_cleanup(&r->by_id);
}

static char *why_copy(const char *why)
{
    if (why == NULL || why[0] == '\0')
        return NULL;
    size_t len = strnlen(why, WHY_KEEP - 1);
    char *p = malloc(len + 1);
    if (p != NULL) {
        memcpy(p, why, len);
        p[len] = '\0';
    }
    return p; /* NULL on ENOMEM: the words are a courtesy */
}

static void ring_note(struct ring *rg, const uint8_t id[YC_HASH_LEN], int code, const char *why)
{
    uint64_t h = yc_idmap_hash(&rg->by_id, id);
    struct rejection *r = yc_idmap_get_h(&rg->by_id, id, h);
    if (r != NULL) {
        r->code = code;
        free(r->why);
        r->why = why_copy(why);
        return;
    }
    r = &rg->v[rg->next];
    if (r->used)
        (void)yc_idmap_del_h(&rg->by_id, r->id, r->hash);
    free(r->why);
    r->why = NULL;
    memcpy(r->id, id, YC_HASH_LEN);
    r->hash = h;
    r->code = code;
    r->used = true;
    if (yc_idmap_put_h(&rg->by_id, id, h, r) != YC_OK) {
        r->used = false; /* out of memory: forgetting an outcome is harmless */
        return;
    }
    r->why = why_copy(why);
    rg->next = (rg->next + 1) % rg->cap;
}

int yc_mempool_create(yc_mempool **out, const struct yc_mempool_limits *lim)
{
    *out = NULL;
    if (lim->max_txs == 0 || lim->max_bytes == 0 || lim->max_rejected == 0)
        return YC_EINVAL;
    yc_mempool *mp = calloc(1, sizeof *mp);
    if (mp == NULL)
        return YC_ENOMEM;
    mp->lim = *lim;
    if (ring_init(&mp->rej, lim->max_rejected) != YC_OK ||
        ring_init(&mp->exp, lim->max_rejected) != YC_OK ||
        yc_idmap_init(&mp->by_id, YC_HASH_LEN) != YC_OK ||
        yc_idmap_init(&mp->by_bytes, crypto_shorthash_BYTES) != YC_OK ||
        yc_idmap_init(&mp->senders, YC_PUBKEY_LEN) != YC_OK) {
        yc_mempool_destroy(mp);
        return YC_ENOMEM;
    }
    randombytes_buf(mp->bytes_sipkey, sizeof mp->bytes_sipkey);
    *out = mp;
    return YC_OK;
}

/* The by_bytes key of signed bytes: SipHash under the mempool's random key, so that no
 * sender can aim two txs at one key (a collision only loses the shortcut anyway). */
static void bytes_key(const yc_mempool *mp, const uint8_t *p, size_t len,
                      uint8_t out[crypto_shorthash_BYTES])
{
    crypto_shorthash(out, p, (unsigned long long)len, mp->bytes_sipkey);
}

_Static_assert(sizeof(((struct yc_mempool_keys *)0)->bkey) == crypto_shorthash_BYTES,
               "yc_mempool_keys.bkey holds a bytes key");

void yc_mempool_bytes_key(const yc_mempool *mp, const uint8_t *bytes, size_t len, uint8_t out[8])
{
    bytes_key(mp, bytes, len, out);
}

uint64_t yc_mempool_id_hash(const yc_mempool *mp, const uint8_t id[YC_HASH_LEN])
{
    return yc_idmap_hash(&mp->by_id, id);
}

uint64_t yc_mempool_sender_hash(const yc_mempool *mp, const uint8_t sender[YC_PUBKEY_LEN])
{
    return yc_idmap_hash(&mp->senders, sender);
}

static int free_sender_cb(void *ctx, const uint8_t *key, void *val)
{
    (void)ctx;
    (void)key;
    struct mp_sender *s = val;
    free(s->v);
    free(s);
    return 0;
}

void yc_mempool_destroy(yc_mempool *mp)
{
    if (mp == NULL)
        return;
    struct mp_entry *e = mp->head;
    while (e != NULL) {
        struct mp_entry *next = e->next;
        yc_tx_cleanup(&e->tx);
        free(e);
        e = next;
    }
    yc_idmap_each(&mp->senders, free_sender_cb, NULL);
    yc_idmap_cleanup(&mp->senders);
    yc_idmap_cleanup(&mp->by_id);
    yc_idmap_cleanup(&mp->by_bytes);
    ring_cleanup(&mp->rej);
    ring_cleanup(&mp->exp);
    free(mp);
}

/* Recomputes s's ready run; callers bracket changes with unready()/reready(). */
static void unready(yc_mempool *mp, struct mp_sender *s)
{
    mp->ready_count -= s->nready;
    mp->ready_bytes -= s->ready_bytes;
}

static void reready(yc_mempool *mp, struct mp_sender *s)
{
    size_t i = 0, bytes = 0;
    while (i < s->n && s->v[i].nonce == s->base + i) {
        bytes += s->v[i].len;
        i++;
    }
    s->nready = i;
    s->ready_bytes = bytes;
    mp->ready_count += i;
    mp->ready_bytes += bytes;
}

/* Index of the first entry with nonce >= `nonce`. */
static size_t lower_bound(const struct mp_sender *s, uint64_t nonce)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid].nonce < nonce)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void unlink_entry(yc_mempool *mp, struct mp_entry *e)
{
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        mp->head = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    else
        mp->tail = e->prev;
    (void)yc_idmap_del_h(&mp->by_id, e->tx.id, e->id_hash);
    (void)yc_idmap_del_if_h(&mp->by_bytes, e->bkey, e->bkey_hash, e);
    mp->count--;
    mp->bytes -= e->tx.len;
}

static void drop_sender_if_empty(yc_mempool *mp, struct mp_sender *s)
{
    if (s->n > 0)
        return;
    (void)yc_idmap_del_h(&mp->senders, s->pub, s->hash);
    free(s->v);
    free(s);
}

void yc_mempool_pressure(const yc_mempool *mp, struct yc_mempool_pressure *out)
{
    *out = mp->pressure;
}

void yc_mempool_log_pressure(yc_mempool *mp, uint64_t now_ms)
{
    if ((mp->win_full == 0 && mp->win_sender == 0) || now_ms < mp->next_log_ms)
        return;
    double secs = (double)(now_ms - mp->win_start_ms) / 1000.0;
    if (mp->win_full > 0)
        yc_log_warn("mempool",
                    "mempool full: %zu transaction%s refused in %.1f s (holding %zu "
                    "of mempool.size %zu, %zu of mempool.max_txs_bytes %zu bytes; %zu ready); "
                    "%" PRIu64 " refused since start",
                    mp->win_full, mp->win_full == 1 ? "" : "s", secs, mp->count, mp->lim.max_txs,
                    mp->bytes, mp->lim.max_bytes, mp->ready_count, mp->pressure.full_total);
    if (mp->win_sender > 0) {
        char addr[YC_ADDR_MAX];
        if (yc_addr_encode(addr, mp->win_pub) != YC_OK)
            yc_hex(addr, mp->win_pub, YC_PUBKEY_LEN); /* 66 digits fit: not a key we know */
        yc_log_warn("mempool",
                    "sender cap: %zu transaction%s refused in %.1f s from senders "
                    "holding mempool.max_txs_per_sender %zu (the last: %s); %" PRIu64
                    " refused since start",
                    mp->win_sender, mp->win_sender == 1 ? "" : "s", secs, mp->lim.max_per_sender,
                    addr, mp->pressure.sender_full_total);
    }
    mp->win_full = mp->win_sender = 0;
    mp->win_start_ms = now_ms;
    mp->next_log_ms = now_ms + PRESSURE_LOG_MS;
}

/* Counts a refusal by a limit (`sender`: the per-sender cap, else full) and logs it,
 * rate-limited. */
static void note_pressure(yc_mempool *mp, bool sender, const uint8_t pub[YC_PUBKEY_LEN],
                          uint64_t now_ms)
{
    if (mp->win_full == 0 && mp->win_sender == 0 && now_ms >= mp->next_log_ms)
        mp->win_start_ms = now_ms; /* a quiet spell ended: this line goes out at once */
    if (sender) {
        mp->pressure.sender_full_total++;
        mp->win_sender++;
        memcpy(mp->win_pub, pub, YC_PUBKEY_LEN);
    } else {
        mp->pressure.full_total++;
        mp->win_full++;
    }
    yc_mempool_log_pressure(mp, now_ms);
}

int yc_mempool_add(yc_mempool *mp, struct yc_tx *tx, uint64_t base, uint64_t now_ms)
{
    struct yc_mempool_keys k = {.id_hash = yc_mempool_id_hash(mp, tx->id),
                                .sender_hash = yc_mempool_sender_hash(mp, tx->sender)};
    bytes_key(mp, tx->bytes, tx->len, k.bkey);
    return yc_mempool_add_k(mp, tx, &k, base, now_ms, NULL);
}

int yc_mempool_add_k(yc_mempool *mp, struct yc_tx *tx, const struct yc_mempool_keys *k,
                     uint64_t base, uint64_t now_ms, const struct yc_tx **held)
{
    if (held != NULL)
        *held = NULL;
    uint64_t idh = k->id_hash, sh = k->sender_hash;
    if (yc_idmap_get_h(&mp->by_id, tx->id, idh) != NULL)
        return YC_EDUPTX;
    struct mp_sender *s = yc_idmap_get_h(&mp->senders, tx->sender, sh);
    uint64_t b = s != NULL && s->base > base ? s->base : base;
    if (tx->nonce < b || tx->nonce - b > mp->lim.max_nonce_gap)
        return YC_EBADNONCE;
    if (s != NULL) {
        size_t i = lower_bound(s, tx->nonce);
        if (i < s->n && s->v[i].nonce == tx->nonce)
            return YC_EBADNONCE; /* another pending tx holds this nonce */
        if (mp->lim.max_per_sender > 0 && s->n >= mp->lim.max_per_sender) {
            note_pressure(mp, true, tx->sender, now_ms);
            return YC_ELIMIT;
        }
    }
    if (mp->count >= mp->lim.max_txs || tx->len > mp->lim.max_bytes - mp->bytes) {
        note_pressure(mp, false, tx->sender, now_ms);
        return YC_EMEMPOOLFULL;
    }

    struct mp_entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return YC_ENOMEM;
    bool new_sender = false;
    if (s == NULL) {
        s = calloc(1, sizeof *s);
        if (s == NULL || yc_idmap_put_h(&mp->senders, tx->sender, sh, s) != YC_OK) {
            free(s);
            free(e);
            return YC_ENOMEM;
        }
        memcpy(s->pub, tx->sender, YC_PUBKEY_LEN);
        s->hash = sh;
        s->base = base;
        new_sender = true;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap == 0 ? 4 : s->cap * 2;
        struct mp_slot *v = realloc(s->v, cap * sizeof *v);
        if (v == NULL)
            goto nomem;
        s->v = v;
        s->cap = cap;
    }
    memcpy(e->bkey, k->bkey, sizeof e->bkey);
    e->bkey_hash = yc_idmap_hash(&mp->by_bytes, e->bkey);
    e->id_hash = idh;
    if (yc_idmap_put_h(&mp->by_bytes, e->bkey, e->bkey_hash, e) != YC_OK)
        goto nomem;
    if (yc_idmap_put_h(&mp->by_id, tx->id, idh, e) != YC_OK) {
        (void)yc_idmap_del_h(&mp->by_bytes, e->bkey, e->bkey_hash);
        goto nomem;
    }

    e->tx = *tx;
    memset(tx, 0, sizeof *tx); /* moved in */
    e->arrival_ms = now_ms;
    e->sender = s;
    e->prev = mp->tail;
    if (mp->tail != NULL)
        mp->tail->next = e;
    else
        mp->head = e;
    mp->tail = e;
    mp->count++;
    mp->bytes += e->tx.len;

    unready(mp, s);
    size_t i = lower_bound(s, e->tx.nonce);
    memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof *s->v);
    s->v[i] = (struct mp_slot){.nonce = e->tx.nonce, .len = e->tx.len, .e = e};
    s->n++;
    reready(mp, s);
    if (held != NULL)
        *held = &e->tx;
    return YC_OK;

nomem:
    free(e);
    if (new_sender)
        drop_sender_if_empty(mp, s);
    return YC_ENOMEM;
}

const struct yc_tx *yc_mempool_get(const yc_mempool *mp, const uint8_t id[YC_HASH_LEN])
{
    struct mp_entry *e = yc_idmap_get(&mp->by_id, id);
    return e != NULL ? &e->tx : NULL;
}

const struct yc_tx *yc_mempool_get_k(const yc_mempool *mp, const uint8_t id[YC_HASH_LEN],
                                     const struct yc_mempool_keys *k)
{
    struct mp_entry *e = yc_idmap_get_h(&mp->by_id, id, k->id_hash);
    return e != NULL ? &e->tx : NULL;
}

const struct yc_tx *yc_mempool_find(const yc_mempool *mp, const uint8_t *bytes, size_t len)
{
    uint8_t bk[crypto_shorthash_BYTES];
    bytes_key(mp, bytes, len, bk);
    struct mp_entry *e = yc_idmap_get(&mp->by_bytes, bk);
    if (e == NULL || e->tx.len != len || memcmp(e->tx.bytes, bytes, len) != 0)
        return NULL;
    return &e->tx;
}

/* Takes e out of its sender's array (by position i) and frees it. */
static void remove_at(yc_mempool *mp, struct mp_sender *s, size_t i)
{
    struct mp_entry *e = s->v[i].e;
    memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof *s->v);
    s->n--;
    unlink_entry(mp, e);
    yc_tx_cleanup(&e->tx);
    free(e);
}

bool yc_mempool_remove(yc_mempool *mp, const uint8_t id[YC_HASH_LEN])
{
    struct mp_entry *e = yc_idmap_get(&mp->by_id, id);
    if (e == NULL)
        return false;
    struct mp_sender *s = e->sender;
    size_t i = lower_bound(s, e->tx.nonce);
    unready(mp, s);
    remove_at(mp, s, i);
    reready(mp, s);
    drop_sender_if_empty(mp, s);
    return true;
}

void yc_mempool_set_base(yc_mempool *mp, const uint8_t sender[YC_PUBKEY_LEN], uint64_t base,
                         yc_mempool_drop_cb dropped, void *ctx)
{
    struct mp_sender *s = yc_idmap_get(&mp->senders, sender);
    if (s == NULL || base <= s->base)
        return;
    unready(mp, s);
    s->base = base;
    while (s->n > 0 && s->v[0].nonce < base) {
        if (dropped != NULL)
            dropped(ctx, &s->v[0].e->tx);
        remove_at(mp, s, 0);
    }
    reready(mp, s);
    drop_sender_if_empty(mp, s);
}

void yc_mempool_size(const yc_mempool *mp, size_t *count, size_t *bytes)
{
    *count = mp->count;
    *bytes = mp->bytes;
}

void yc_mempool_ready_size(const yc_mempool *mp, size_t *count, size_t *bytes)
{
    *count = mp->ready_count;
    *bytes = mp->ready_bytes;
}

static bool is_ready(const struct mp_entry *e)
{
    const struct mp_sender *s = e->sender;
    return e->tx.nonce >= s->base && e->tx.nonce - s->base < s->nready;
}

bool yc_mempool_oldest_ready(const yc_mempool *mp, uint64_t *arrival_ms)
{
    if (mp->ready_count == 0)
        return false;
    for (const struct mp_entry *e = mp->head; e != NULL; e = e->next) {
        if (is_ready(e)) {
            *arrival_ms = e->arrival_ms;
            return true;
        }
    }
    return false;
}

/* Walks ready txs in proposal order; returns the number visited, stops at limit or
 * when cb returns non-zero (*stopped set). */
static size_t walk_ready(yc_mempool *mp, size_t limit, yc_mempool_each_cb cb, void *ctx,
                         bool *stopped)
{
    size_t visited = 0;
    *stopped = false;
    uint64_t epoch = ++mp->epoch;
    for (struct mp_entry *e = mp->head; e != NULL && visited < limit; e = e->next) {
        struct mp_sender *s = e->sender;
        if (s->walk_epoch != epoch) {
            s->walk_epoch = epoch;
            s->walk_cursor = 0; /* index into s->v of the next ready entry to visit */
        }
        if (!is_ready(e) || (size_t)(e->tx.nonce - s->base) < s->walk_cursor)
            continue; /* future, or visited with its sender's run */
        while (s->walk_cursor < s->nready && visited < limit) {
            const struct yc_tx *tx = &s->v[s->walk_cursor].e->tx;
            s->walk_cursor++;
            visited++;
            if (cb(ctx, tx) != 0) {
                *stopped = true;
                return visited;
            }
        }
    }
    return visited;
}

void yc_mempool_each_ready(yc_mempool *mp, yc_mempool_each_cb cb, void *ctx)
{
    bool stopped;
    (void)walk_ready(mp, SIZE_MAX, cb, ctx, &stopped);
}

void yc_mempool_each(yc_mempool *mp, size_t limit, yc_mempool_each_cb cb, void *ctx)
{
    bool stopped;
    size_t visited = walk_ready(mp, limit, cb, ctx, &stopped);
    if (stopped)
        return;
    for (struct mp_entry *e = mp->head; e != NULL && visited < limit; e = e->next) {
        if (is_ready(e))
            continue;
        visited++;
        if (cb(ctx, &e->tx) != 0)
            return;
    }
}

void yc_mempool_note_rejected(yc_mempool *mp, const uint8_t id[YC_HASH_LEN], int code)
{
    ring_note(&mp->rej, id, code, NULL);
}

void yc_mempool_note_rejected_why(yc_mempool *mp, const uint8_t id[YC_HASH_LEN], int code,
                                  const char *why)
{
    ring_note(&mp->rej, id, code, why);
}

bool yc_mempool_rejected_why(const yc_mempool *mp, const uint8_t id[YC_HASH_LEN], int *code,
                             const char **why)
{
    const struct rejection *r = yc_idmap_get(&mp->rej.by_id, id);
    if (why != NULL)
        *why = r != NULL ? r->why : NULL;
    if (r == NULL)
        return false;
    *code = r->code;
    return true;
}

bool yc_mempool_rejected(const yc_mempool *mp, const uint8_t id[YC_HASH_LEN], int *code)
{
    return yc_mempool_rejected_why(mp, id, code, NULL);
}

bool yc_mempool_expired(const yc_mempool *mp, const uint8_t id[YC_HASH_LEN])
{
    return yc_idmap_get(&mp->exp.by_id, id) != NULL;
}

size_t yc_mempool_expire(yc_mempool *mp, uint64_t cutoff_ms, yc_mempool_drop_cb expired, void *ctx)
{
    size_t k = 0;
    while (mp->head != NULL && mp->head->arrival_ms < cutoff_ms) {
        struct mp_entry *e = mp->head;
        struct mp_sender *s = e->sender;
        ring_note(&mp->exp, e->tx.id, YC_EEXPIRED, NULL);
        if (expired != NULL)
            expired(ctx, &e->tx);
        size_t i = lower_bound(s, e->tx.nonce);
        unready(mp, s);
        remove_at(mp, s, i);
        reready(mp, s);
        drop_sender_if_empty(mp, s);
        k++;
    }
    return k;
}

bool yc_mempool_oldest(const yc_mempool *mp, uint64_t *arrival_ms)
{
    if (mp->head == NULL)
        return false;
    *arrival_ms = mp->head->arrival_ms;
    return true;
}

static bool sender_info(const struct mp_sender *s, struct yc_mempool_sender_info *out)
{
    memset(out, 0, sizeof *out);
    if (s == NULL)
        return false;
    out->base = s->base;
    out->count = s->n;
    out->nready = s->nready;
    return true;
}

bool yc_mempool_sender(const yc_mempool *mp, const uint8_t sender[YC_PUBKEY_LEN],
                       struct yc_mempool_sender_info *out)
{
    return sender_info(yc_idmap_get(&mp->senders, sender), out);
}

bool yc_mempool_sender_k(const yc_mempool *mp, const uint8_t sender[YC_PUBKEY_LEN],
                         const struct yc_mempool_keys *k, struct yc_mempool_sender_info *out)
{
    return sender_info(yc_idmap_get_h(&mp->senders, sender, k->sender_hash), out);
}

static const struct yc_tx *sender_tx(const struct mp_sender *s, uint64_t nonce)
{
    if (s == NULL)
        return NULL;
    size_t i = lower_bound(s, nonce);
    return i < s->n && s->v[i].nonce == nonce ? &s->v[i].e->tx : NULL;
}

const struct yc_tx *yc_mempool_sender_tx(const yc_mempool *mp, const uint8_t sender[YC_PUBKEY_LEN],
                                         uint64_t nonce)
{
    return sender_tx(yc_idmap_get(&mp->senders, sender), nonce);
}

const struct yc_tx *yc_mempool_sender_tx_k(const yc_mempool *mp,
                                           const uint8_t sender[YC_PUBKEY_LEN],
                                           const struct yc_mempool_keys *k, uint64_t nonce)
{
    return sender_tx(yc_idmap_get_h(&mp->senders, sender, k->sender_hash), nonce);
}
