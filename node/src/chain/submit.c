/*
 * submit.c — admission of submitted transactions (yc_node_submit).
 *
 * Steps: decode (once) and chain check at once on the loop — a malformed tx is
 * refused before anything is queued; duplicates (mempool, store — committed or failed —,
 * in flight) answer duplicate_tx, the store's tx index asked only for a nonce below the
 * sender's committed next (maybe_committed); the signature check runs on the verify pool
 * (cached); then admission against state and the mempool's own rules. Every callback is
 * made on a later turn of the loop (the node's pump, pump.h), never from inside
 * yc_node_submit.
 *
 * Admission against state (DESIGN.md §3): a tx submitted to this node (not one that
 * arrived by gossip: the node it was submitted to did this) that is its sender's next in
 * line (its nonce = the committed next nonce + the sender's pending txs that run
 * contiguously from it) is executed in full with yc_exec_tx on an overlay holding the
 * committed state plus the sender's own earlier pending txs, applied in nonce order
 * (before the pre-check, which a tx that passes does not need); a verdict refuses it,
 * with its words, before it enters the mempool, so it is never gossiped. A tx after
 * a nonce gap gets the pre-check only. Verdicts that another sender's pending tx may
 * still lift (an object or account that does not exist yet, a balance not funded yet:
 * `soft` below) refuse only when no other sender has anything pending or in admission;
 * otherwise the tx is admitted and, should it still fail, recorded in its block as
 * failed.
 *
 * The per-sender overlays are a cache (struct yc_admission): each holds the sender's
 * pending txs base..next-1 applied over n->precheck, and is extended by each admitted
 * tx and by the sender's waiting txs that the new one makes ready. It is dropped for
 * every sender when a block commits (yc__submit_block_committed, and by the tip height
 * it was built at), and for one sender when one of its pending txs leaves the mempool
 * otherwise; it is rebuilt from the mempool when it does not match it. A pending tx
 * that fails when applied there (a waiting tx admitted on the pre-check) stays pending,
 * to be recorded as failed, and breaks the sender's chain: its later txs get the
 * pre-check only until the next block.
 *
 * Expiry: a timer each second removes what the mempool held longer than
 * mempool.ttl_seconds; the ids are remembered as expired and their watchers answered.
 *
 * Rejections are remembered for the `tx` method only for verdicts on correctly
 * signed txs: an id with a bad signature is not authenticated, and remembering it
 * would let anyone mark someone else's tx id as rejected.
 *
 * A proposal holding a tx still being checked here takes it decoded (yc__submit_find:
 * found by the mempool's keyed hash of its signed bytes, then compared whole), as it
 * takes those the mempool holds. A submission hashes its id, sender and bytes once
 * (struct yc_mempool_keys, n->inflight's and by_bytes' hashes) for every look-up,
 * insertion and removal that follows.
 *
 * Gossip: a tx admitted from the RPC is gossiped to the validators (net.c); one that
 * arrived by gossip goes through the same admission but is not gossiped again, and a
 * tx already known — held, in flight, in a block, or remembered as refused or expired —
 * is dropped before any work, so nothing loops and nothing that ended comes back.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "driver.h"
#include "log.h"
#include "net.h"
#include "node_internal.h"
#include "yc/alloc.h"
#include "yc/ledger.h"
#include "yc/objects.h"

#define PRECHECK_CACHE_USES 20000 /* clear the pre-check read cache at least this often */
#define ADMIT_SENDERS_MAX 4096    /* senders with a cached overlay at once */
#define ADMIT_REBUILD_MAX 2       /* pending txs applied at once to a sender's overlay */
#define EXPIRE_INTERVAL_MS 1000
#define WHY_MAX 320

/* One sender's pending txs applied over committed state. */
struct sender_cache {
    yc_overlay *o; /* reads through n->precheck */
    uint64_t base; /* the sender's committed next nonce when built */
    uint64_t next; /* txs base..next-1 applied */
    bool broken;   /* the pending tx at `next` failed here: later ones are pre-checked */
};

struct yc_admission {
    struct yc_idmap by_sender; /* pub → sender_cache */
    struct yc_idmap by_bytes;  /* bytes key (the mempool's) of a submission being checked →
                                  submit_req */
    uint64_t height;           /* tip height the overlays read */
};

struct submit_req {
    yc_node *n;
    struct yc_tx tx;
    int code;
    bool registered;           /* in n->inflight */
    bool indexed;              /* in n->adm->by_bytes under mk.bkey (a shortcut: may fail) */
    struct yc_mempool_keys mk; /* the tx's keys in the mempool: hashed once, at submit */
    uint64_t inflight_hash;    /* of id in n->inflight */
    uint64_t bytes_hash;       /* of mk.bkey in n->adm->by_bytes */
    const struct yc_tx *held;  /* admitted: the mempool's copy */
    bool gossiped;             /* arrived by gossip: not gossiped again */
    yc_submit_cb cb;
    void *ctx;
    uint8_t id[YC_HASH_LEN];
    struct submit_req *next;
    char why[WHY_MAX]; /* a refusal's words ("" if none) */
};

/* Takes r out of the submissions in flight. */
static void unregister(struct submit_req *r)
{
    yc_node *n = r->n;
    (void)yc_idmap_del_h(&n->inflight, r->id, r->inflight_hash);
    if (r->indexed && n->adm != NULL)
        (void)yc_idmap_del_if_h(&n->adm->by_bytes, r->mk.bkey, r->bytes_hash, r);
    r->registered = false;
    r->indexed = false;
}

static void req_free(struct submit_req *r)
{
    if (r->registered)
        unregister(r);
    yc_tx_cleanup(&r->tx);
    free(r);
}

const struct yc_tx *yc__submit_find(yc_node *n, const uint8_t *bytes, size_t len)
{
    if (n->adm == NULL)
        return NULL;
    uint8_t bk[sizeof((struct yc_mempool_keys *)0)->bkey];
    yc_mempool_bytes_key(n->mp, bytes, len, bk);
    const struct submit_req *r = yc_idmap_get(&n->adm->by_bytes, bk);
    /* r->tx is empty once admission moved it into the mempool */
    if (r == NULL || r->tx.bytes == NULL || r->tx.len != len ||
        memcmp(r->tx.bytes, bytes, len) != 0)
        return NULL;
    return &r->tx;
}

const struct yc_tx *yc__submit_get(yc_node *n, const uint8_t id[YC_HASH_LEN])
{
    const struct submit_req *r = yc_idmap_get(&n->inflight, id);
    return r != NULL && r->tx.bytes != NULL ? &r->tx : NULL;
}

static void answer_done(yc_node *n)
{
    struct submit_req *r = n->done_head;
    n->done_head = n->done_tail = NULL;
    while (r != NULL) {
        struct submit_req *next = r->next;
        if (r->registered)
            unregister(r);
        /* always answered, with YC_EBUSY once stopping: the caller may hold memory for it
         * (an RPC request), and its callback must not reach a closed connection */
        int code = n->stopping && r->code == YC_OK ? YC_EBUSY : r->code;
        r->cb(r->ctx, code, r->id, code != YC_OK && r->why[0] != '\0' ? r->why : NULL);
        req_free(r);
        r = next;
    }
}

static void done_item_cb(struct yc_pump_item *it)
{
    answer_done((yc_node *)((char *)it - offsetof(yc_node, done_item)));
}

/* Queues r's answer for the next turn. */
static void finish(struct submit_req *r, int code)
{
    yc_node *n = r->n;
    r->code = code;
    r->next = NULL;
    if (n->done_tail != NULL)
        n->done_tail->next = r;
    else
        n->done_head = r;
    n->done_tail = r;
    if (!n->stopping) {
        n->done_item.fn = done_item_cb;
        yc_pump_post(&n->pump, &n->done_item);
    }
}

/* ---- the per-sender cache ---- */

static void cache_free(struct sender_cache *sc)
{
    if (sc == NULL)
        return;
    yc_overlay_destroy(sc->o);
    free(sc);
}

static int cache_free_cb(void *ctx, const uint8_t *key, void *val)
{
    (void)ctx;
    (void)key;
    cache_free(val);
    return 0;
}

/* Drops every sender's overlay. */
static void cache_clear(struct yc_admission *a)
{
    if (a->by_sender.count == 0)
        return;
    yc_idmap_each(&a->by_sender, cache_free_cb, NULL);
    yc_idmap_cleanup(&a->by_sender);
    if (yc_idmap_init(&a->by_sender, YC_PUBKEY_LEN) != YC_OK)
        memset(&a->by_sender, 0, sizeof a->by_sender); /* no cache until memory returns */
}

static void cache_drop(struct yc_admission *a, const uint8_t sender[YC_PUBKEY_LEN])
{
    if (a->by_sender.slots != NULL)
        cache_free(yc_idmap_del(&a->by_sender, sender));
}

/* Keeps sc as the sender's cache (a full cache is emptied first), or frees it on ENOMEM. */
static void cache_put(struct yc_admission *a, const uint8_t sender[YC_PUBKEY_LEN],
                      struct sender_cache *sc)
{
    if (a->by_sender.count >= ADMIT_SENDERS_MAX && yc_idmap_get(&a->by_sender, sender) == NULL)
        cache_clear(a); /* rebuilt on demand, sender by sender */
    if (a->by_sender.slots == NULL && yc_idmap_init(&a->by_sender, YC_PUBKEY_LEN) != YC_OK)
        memset(&a->by_sender, 0, sizeof a->by_sender);
    if (a->by_sender.slots == NULL || yc_idmap_put(&a->by_sender, sender, sc) != YC_OK)
        cache_free(sc);
}

static struct sender_cache *cache_new(yc_node *n, uint64_t base)
{
    struct sender_cache *sc = calloc(1, sizeof *sc);
    if (sc == NULL)
        return NULL;
    struct yc_state_src src = yc_overlay_src(n->precheck);
    if (yc_overlay_create(&sc->o, &src) != YC_OK) {
        free(sc);
        return NULL;
    }
    sc->base = sc->next = base;
    return sc;
}

/* Applies the sender's held txs from sc->next on, while they run contiguously and
 * apply, at most ADMIT_REBUILD_MAX of them (more breaks the chain: its later txs get the
 * pre-check); the first that fails breaks the chain. Returns YC_OK or a local failure. */
static int cache_extend(yc_node *n, struct sender_cache *sc, const uint8_t sender[YC_PUBKEY_LEN],
                        const struct yc_mempool_keys *mk, const struct yc_exec_ctx *ctx)
{
    const struct yc_tx *tx;
    unsigned applied = 0;
    while (!sc->broken && (tx = yc_mempool_sender_tx_k(n->mp, sender, mk, sc->next)) != NULL) {
        if (applied++ >= ADMIT_REBUILD_MAX) {
            sc->broken = true;
            break;
        }
        int rc = yc_exec_tx(sc->o, ctx, tx, 0);
        if (rc == YC_OK)
            sc->next++;
        else if (yc_err_is_verdict(rc))
            sc->broken = true;
        else
            return rc;
    }
    return YC_OK;
}

/* The sender's cache matching what the mempool holds for it (si), rebuilt if needed and
 * cheap (at most ADMIT_REBUILD_MAX pending txs to apply: admission work per tx stays
 * bounded, so a sender with a long pending chain built elsewhere — gossip, an earlier
 * block's cache — gets the pre-check, and its block records a failure); NULL then, or on a
 * local failure (the tx is only pre-checked). */
static struct sender_cache *cache_for(yc_node *n, const uint8_t sender[YC_PUBKEY_LEN],
                                      const struct yc_mempool_keys *mk,
                                      const struct yc_mempool_sender_info *si,
                                      const struct yc_exec_ctx *ctx)
{
    struct yc_admission *a = n->adm;
    uint64_t line = si->base + si->nready;
    struct sender_cache *sc =
        a->by_sender.slots != NULL ? yc_idmap_get(&a->by_sender, sender) : NULL;
    if (sc != NULL && sc->base == si->base &&
        ((!sc->broken && sc->next == line) || (sc->broken && sc->next < line)))
        return sc;
    cache_drop(a, sender);
    if (si->nready > ADMIT_REBUILD_MAX)
        return NULL;
    sc = cache_new(n, si->base);
    if (sc == NULL)
        return NULL;
    if (cache_extend(n, sc, sender, mk, ctx) != YC_OK) {
        cache_free(sc);
        return NULL;
    }
    cache_put(a, sender, sc);
    return a->by_sender.slots != NULL && yc_idmap_get(&a->by_sender, sender) == sc ? sc : NULL;
}

/* Verdicts that another sender's pending tx may lift before this one executes. */
static bool is_soft(int code)
{
    switch (code) {
    case YC_EUNKNOWNACCT:
    case YC_EUNKNOWNCONSENT:
    case YC_EUNKNOWNLICENSE:
    case YC_EUNKNOWNASSET:
    case YC_EUNKNOWNOBJ:
    case YC_EBALANCE:
    case YC_ENOTCERTIFIED:
        return true;
    default:
        return false;
    }
}

/* The sender's next nonce in committed state; YC_ENOTFOUND if it is not registered. */
static int read_nonce(yc_node *n, const uint8_t sender[YC_PUBKEY_LEN], uint64_t *nonce)
{
    uint8_t key[YC_KEY_MAX];
    size_t klen = yc_key_account(key, sender);
    const uint8_t *val;
    size_t vlen;
    int rc = yc_overlay_get(n->precheck, key, klen, &val, &vlen);
    return rc == YC_OK ? yc_account_nonce(val, vlen, nonce) : rc;
}

/* The sender's next nonce in committed state (0 if unregistered). */
static int committed_nonce(yc_node *n, const uint8_t sender[YC_PUBKEY_LEN], uint64_t *nonce)
{
    *nonce = 0;
    int rc = read_nonce(n, sender, nonce);
    return rc == YC_ENOTFOUND ? YC_OK : rc;
}

/* Whether tx may be in a block already, so that the tx index must be asked: only if its
 * nonce is below its sender's committed next nonce. A tx in a block, committed or failed,
 * consumed its nonce (a tx whose envelope fails is left out; a self-registration that
 * fails creates nothing), nonces only grow and accounts are never removed: a sender that
 * is not registered has nothing in a block. The committed next nonce of a sender the
 * mempool holds is its base there (set from committed state when its first pending tx
 * was admitted, moved to its last nonce + 1 by every block holding one of its txs, in
 * the turn that stores the block: yc__node_block_committed), read without the account.
 * For any other sender it is read from committed state through n->precheck, emptied in
 * that same turn, so what it reads is never older than the index. A read failure asks
 * the index. */
static bool maybe_committed(yc_node *n, const struct submit_req *r)
{
    const struct yc_tx *tx = &r->tx;
    struct yc_mempool_sender_info si;
    uint64_t next = 0;
    if (yc_mempool_sender_k(n->mp, tx->sender, &r->mk, &si)) {
        next = si.base;
    } else {
        int rc = read_nonce(n, tx->sender, &next);
        if (rc == YC_ENOTFOUND)
            return false;
        if (rc != YC_OK)
            return true;
    }
    return tx->nonce < next;
}

void yc_node_pending_nonce(yc_node *n, const uint8_t sender[YC_PUBKEY_LEN], uint64_t *committed,
                           uint64_t *pending)
{
    if (committed_nonce(n, sender, committed) != YC_OK)
        *committed = 0;
    struct yc_mempool_sender_info si;
    *pending = *committed;
    if (yc_mempool_sender(n->mp, sender, &si) && si.base >= *committed)
        *pending = si.base + si.nready;
}

/* Words for a refusal by the mempool's own rules (the tx was not added). */
static int mempool_words(yc_node *n, struct submit_req *r, int rc, uint64_t base)
{
    const struct yc_tx *tx = &r->tx;
    struct yc_mempool_sender_info si;
    bool has = yc_mempool_sender(n->mp, tx->sender, &si);
    uint64_t b = has && si.base > base ? si.base : base;
    if (rc == YC_ELIMIT) {
        snprintf(r->why, sizeof r->why,
                 "this sender already has %zu transactions waiting (mempool.max_txs_per_sender "
                 "is %" PRIu64 "): wait until some are in a block, then send again",
                 si.count, n->cfg.mp_max_txs_per_sender);
        return YC_EMEMPOOLFULL;
    }
    if (rc == YC_EMEMPOOLFULL) {
        size_t count, bytes;
        yc_mempool_size(n->mp, &count, &bytes);
        snprintf(r->why, sizeof r->why,
                 "the mempool is full (%zu transactions, %zu bytes; mempool.size %" PRIu64
                 ", mempool.max_txs_bytes %" PRIu64 "): send again later",
                 count, bytes, n->cfg.mp_size, n->cfg.mp_max_txs_bytes);
        return rc;
    }
    if (rc != YC_EBADNONCE)
        return rc;
    if (tx->nonce < b)
        snprintf(r->why, sizeof r->why,
                 "nonce: %" PRIu64 " is used; the sender's next nonce is %" PRIu64, tx->nonce, b);
    else if (tx->nonce - b > n->cfg.mp_max_nonce_gap)
        snprintf(r->why, sizeof r->why,
                 "nonce: %" PRIu64 " is %" PRIu64 " ahead of the sender's next nonce %" PRIu64
                 "; at most %" PRIu64 " ahead is held (mempool.max_nonce_gap): send the "
                 "missing nonces first",
                 tx->nonce, tx->nonce - b, b, n->cfg.mp_max_nonce_gap);
    else
        snprintf(r->why, sizeof r->why,
                 "nonce: %" PRIu64 " is taken by another pending transaction of this sender; "
                 "its next free nonce is %" PRIu64,
                 tx->nonce, has ? si.base + si.nready : b);
    return rc;
}

/* Executes tx in full on an overlay over parent: YC_OK with its writes in *applied (a
 * new overlay), else the verdict or failure with *applied NULL. */
static int execute(yc_overlay *parent, const struct yc_exec_ctx *ctx, const struct yc_tx *tx,
                   yc_overlay **applied)
{
    struct yc_state_src src = yc_overlay_src(parent);
    int rc = yc_overlay_create(applied, &src);
    if (rc != YC_OK) {
        *applied = NULL;
        return rc;
    }
    rc = yc_exec_tx(*applied, ctx, tx, 0);
    if (rc != YC_OK) {
        yc_overlay_destroy(*applied);
        *applied = NULL;
    }
    return rc;
}

/* Admission against state and mempool insertion, after the signature verified. */
static int admit(yc_node *n, struct submit_req *r)
{
    struct yc_admission *a = n->adm;
    if (n->precheck_uses++ >= PRECHECK_CACHE_USES) {
        yc_overlay_clear(n->precheck); /* a read cache: the overlays above it keep theirs */
        n->precheck_uses = 0;
    }
    if (a->height != n->tip.height) {
        cache_clear(a); /* built on an older tip */
        a->height = n->tip.height;
    }
    r->why[0] = '\0';
    struct yc_exec_ctx ctx = {.g = &n->genesis,
                              .height = n->tip.height + 1,
                              .time_ms = yc__wall_ms(),
                              .why = r->why,
                              .whylen = sizeof r->why};
    if (ctx.time_ms <= n->tip.time_ms)
        ctx.time_ms = n->tip.time_ms + 1;
    uint8_t sender[YC_PUBKEY_LEN]; /* r->tx moves into the mempool */
    memcpy(sender, r->tx.sender, sizeof sender);
    uint64_t nonce = r->tx.nonce;
    const struct yc_mempool_keys mk = r->mk;

    struct yc_mempool_sender_info si;
    bool has = yc_mempool_sender_k(n->mp, sender, &mk, &si);
    struct sender_cache *sc = NULL;
    if (has && !r->gossiped) /* a gossiped tx gets the pre-check only: see `full` below */
        sc = cache_for(n, sender, &mk, &si, &ctx);
    else if (!has)
        cache_drop(a, sender);
    bool chain = sc != NULL && !sc->broken; /* sc->o holds every pending tx in line */

    /* A tx submitted here that may be its sender's next in line gets the full rules
     * first: passing them passes the pre-check (the same envelope with the nonce equal to
     * the next, the same type checks, on the same state), which is then skipped. A
     * failure is kept for the `full` step below, after the pre-check, which decides as
     * if the rules had not run yet: the same codes and words either way. */
    yc_overlay *applied = NULL; /* the tx's writes over the sender's pending state */
    bool tried = !r->gossiped && (!has || (chain && nonce == si.base + si.nready));
    int tried_rc = YC_OK;
    char tried_why[WHY_MAX];
    if (tried) {
        tried_rc = execute(has ? sc->o : n->precheck, &ctx, &r->tx, &applied);
        if (tried_rc != YC_OK) {
            memcpy(tried_why, r->why, sizeof tried_why);
            r->why[0] = '\0';
        }
    }

    /* pre-check (nonce, sender, roles) on the fullest state we have */
    uint64_t gap = 0, base;
    int rc =
        applied != NULL ? YC_OK : yc_exec_precheck(chain ? sc->o : n->precheck, &ctx, &r->tx, &gap);
    if (rc == YC_EUNKNOWNACCT && has && !chain && nonce >= si.base) {
        rc = YC_OK; /* its registration may be pending before it */
        gap = nonce - si.base;
        r->why[0] = '\0';
    }
    if (rc == YC_EBADNONCE && r->why[0] == '\0') {
        uint64_t next;
        if (committed_nonce(n, sender, &next) == YC_OK)
            (void)mempool_words(n, r, rc, next);
    }
    if (rc != YC_OK)
        return rc;
    if (gap > nonce)
        return YC_EBADNONCE;
    base = has ? si.base : nonce - gap;
    if (!has || !chain) {
        uint64_t committed = nonce - gap; /* the pre-check read committed state */
        if (has && committed > si.base) {
            yc_mempool_set_base(n->mp, sender, committed, yc__node_stale_cb, n);
            cache_drop(a, sender);
            has = yc_mempool_sender_k(n->mp, sender, &mk, &si);
            sc = NULL;
            chain = false;
        }
        base = committed;
    }
    uint64_t line = has ? si.base + si.nready : base;

    /* the full rules, for the sender's next in line, submitted here (a gossiped tx passed
     * them at the node it was submitted to; if it fails after all, its block records it:
     * its sender signed it); run above already if `tried` (then `full` holds if they
     * passed, as the nonce they accepted is the line) */
    bool full = nonce == line && (!has || chain) && !r->gossiped;
    if (full) {
        if (tried) {
            rc = tried_rc;
            if (rc != YC_OK)
                memcpy(r->why, tried_why, sizeof r->why);
        } else {
            rc = execute(has ? sc->o : n->precheck, &ctx, &r->tx, &applied);
        }
        if (rc != YC_OK) {
            if (!yc_err_is_verdict(rc))
                return rc;
            size_t count, bytes;
            yc_mempool_size(n->mp, &count, &bytes);
            bool others = count > (has ? si.count : 0) || n->inflight.count > 1;
            if (!is_soft(rc) || !others)
                return rc;
            r->why[0] = '\0'; /* admitted after all: it may yet apply */
        }
    }
    rc = yc_mempool_add_k(n->mp, &r->tx, &mk, base, uv_now(n->loop), &r->held);
    if (rc != YC_OK) {
        yc_overlay_destroy(applied);
        return mempool_words(n, r, rc, base);
    }
    yc_mempool_size(n->mp, &n->metrics.mempool_txs, &n->metrics.mempool_bytes);

    /* keep the sender's chain up to date */
    if (applied != NULL && has) {
        if (yc_overlay_merge(applied, sc->o) == YC_OK) {
            sc->next++;
            if (cache_extend(n, sc, sender, &mk, &ctx) != YC_OK)
                cache_drop(a, sender);
        } else {
            cache_drop(a, sender);
        }
        yc_overlay_destroy(applied);
    } else if (applied != NULL) {
        struct sender_cache *fresh = calloc(1, sizeof *fresh);
        if (fresh == NULL) {
            yc_overlay_destroy(applied);
        } else {
            /* applied reads through n->precheck: it becomes the sender's overlay */
            fresh->o = applied;
            fresh->base = base;
            fresh->next = nonce + 1;
            if (cache_extend(n, fresh, sender, &mk, &ctx) != YC_OK) {
                cache_free(fresh);
            } else {
                cache_put(a, sender, fresh);
            }
        }
    } else if (full && sc != NULL) {
        sc->broken = true; /* admitted on a soft verdict: not applied here */
    }
    r->why[0] = '\0';
    return YC_OK;
}

static void verified_cb(void *ctx, int code, size_t bad_index)
{
    (void)bad_index;
    struct submit_req *r = ctx;
    yc_node *n = r->n;
    if (n->stopping) {
        finish(r, YC_EBUSY);
        return;
    }
    if (code == YC_OK) {
        code = admit(n, r);
        const struct yc_tx *held = code == YC_OK ? r->held : NULL;
        if (held != NULL && !r->gossiped)
            yc__net_gossip_tx(n, held);
        if (code == YC_OK && yc_log_enabled(YC_LOG_DEBUG)) {
            char hex[2 * YC_HASH_LEN + 1];
            yc_hex(hex, r->id, YC_HASH_LEN);
            yc_log_debug("mempool", "admitted %s", hex);
        } else if (code != YC_OK && yc_err_is_verdict(code) && code != YC_EDUPTX &&
                   code != YC_EMEMPOOLFULL) {
            yc_mempool_note_rejected_why(n->mp, r->id, code, r->why);
            n->metrics.txs_rejected_total++;
            if (yc_log_enabled(YC_LOG_DEBUG)) {
                char hex[2 * YC_HASH_LEN + 1];
                yc_hex(hex, r->id, YC_HASH_LEN);
                yc_log_debug("mempool", "refused %s: %s%s%s", hex, yc_err_name(code),
                             r->why[0] != '\0' ? ": " : "", r->why);
            }
        }
        if (code == YC_OK && r->gossiped)
            n->metrics.gossip_txs_admitted_total++;
    }
    uint64_t verified, hits;
    yc_verifier_counters(n->ver, &verified, &hits);
    n->metrics.sig_verifications_total = verified;
    n->metrics.sig_cache_hits_total = hits;
    finish(r, code);
    if (code == YC_OK && n->drv != NULL)
        yc__driver_kick(n->drv);
}

static int submit(yc_node *n, const uint8_t *bytes, size_t len, yc_submit_cb cb, void *ctx,
                  bool gossiped)
{
    if (n->stopping)
        return YC_EBUSY;
    if (yc_node_read_only(n))
        return YC_ENOTAUTH;
    if (len > YC_TX_MAX_BYTES)
        return YC_ETOOLARGE;
    /* not calloc: the decode clears r->tx (most of r) itself; the rest is set here */
    struct submit_req *r = malloc(sizeof *r);
    if (r == NULL)
        return YC_ENOMEM;
    r->n = n;
    r->code = YC_OK;
    r->registered = r->indexed = false;
    r->held = NULL;
    r->gossiped = gossiped;
    r->cb = cb;
    r->ctx = ctx;
    r->next = NULL;
    r->why[0] = '\0';
    int rc = yc_tx_decode(&r->tx, bytes, len);
    if (rc != YC_OK) {
        free(r);
        return rc;
    }
    memcpy(r->id, r->tx.id, YC_HASH_LEN);
    n->metrics.txs_received_total++;
    if (r->tx.chain_id.len != strlen(n->genesis.chain_id) ||
        memcmp(r->tx.chain_id.p, n->genesis.chain_id, r->tx.chain_id.len) != 0) {
        req_free(r);
        return YC_EWRONGCHAIN;
    }
    /* each key hashed once for every look-up below, admission and the mempool's insertion;
     * the sender's only once the id is not held nor in flight */
    r->mk.id_hash = yc_mempool_id_hash(n->mp, r->id);
    r->inflight_hash = yc_idmap_hash(&n->inflight, r->id);
    struct store_txloc loc;
    bool dup = yc_mempool_get_k(n->mp, r->id, &r->mk) != NULL ||
               yc_idmap_get_h(&n->inflight, r->id, r->inflight_hash) != NULL;
    if (!dup) {
        r->mk.sender_hash = yc_mempool_sender_hash(n->mp, r->tx.sender);
        dup = maybe_committed(n, r) && store_get_txloc(n->st, r->id, &loc) == YC_OK;
    }
    if (dup) {
        finish(r, YC_EDUPTX);
        return YC_OK;
    }
    int code;
    if (gossiped &&
        (yc_mempool_expired(n->mp, r->id) || yc_mempool_rejected(n->mp, r->id, &code))) {
        finish(r, YC_EDUPTX); /* ended here: a peer's copy does not bring it back */
        return YC_OK;
    }
    if (yc_idmap_put_h(&n->inflight, r->id, r->inflight_hash, r) != YC_OK) {
        req_free(r);
        return YC_ENOMEM;
    }
    r->registered = true;
    yc_mempool_bytes_key(n->mp, r->tx.bytes, r->tx.len, r->mk.bkey);
    if (n->adm != NULL) { /* a shortcut for proposals holding it: optional */
        r->bytes_hash = yc_idmap_hash(&n->adm->by_bytes, r->mk.bkey);
        r->indexed = yc_idmap_put_h(&n->adm->by_bytes, r->mk.bkey, r->bytes_hash, r) == YC_OK;
    }
    rc = yc_verifier_check(n->ver, &r->tx, 1, verified_cb, r);
    if (rc == YC_ELIMIT) {
        finish(r, YC_EMEMPOOLFULL); /* too many checks queued: the caller retries later */
        return YC_OK;
    }
    if (rc != YC_OK) {
        req_free(r);
        return rc;
    }
    return YC_OK;
}

int yc_node_submit(yc_node *n, const uint8_t *bytes, size_t len, yc_submit_cb cb, void *ctx)
{
    return submit(n, bytes, len, cb, ctx, false);
}

/* A gossiped tx's admission ended: one not admitted is counted by its reason. */
static void gossip_done_cb(void *ctx, int code, const uint8_t id[YC_HASH_LEN], const char *why)
{
    yc_node *n = ctx;
    (void)id;
    (void)why;
    if (code != YC_OK)
        n->metrics.gossip_txs_dropped_total[yc_gossip_drop_reason(code)]++;
}

int yc__node_submit_gossip(yc_node *n, const uint8_t *bytes, size_t len)
{
    return submit(n, bytes, len, gossip_done_cb, n, true);
}

/* ---- expiry ---- */

struct expired_list {
    struct expired_tx {
        uint8_t id[YC_HASH_LEN], sender[YC_PUBKEY_LEN];
    } * txs;
    size_t n, cap;
};

static void expired_cb(void *ctx, const struct yc_tx *tx)
{
    struct expired_list *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap == 0 ? 16 : l->cap * 2;
        void *p = realloc(l->txs, cap * sizeof *l->txs);
        if (p == NULL)
            return; /* its watchers then learn it at their timeout */
        l->txs = p;
        l->cap = cap;
    }
    memcpy(l->txs[l->n].id, tx->id, YC_HASH_LEN);
    memcpy(l->txs[l->n++].sender, tx->sender, YC_PUBKEY_LEN);
}

void yc__submit_expire(yc_node *n)
{
    uint64_t now = uv_now(n->loop), ttl = n->cfg.mp_ttl_seconds * 1000u;
    if (now <= ttl)
        return;
    struct expired_list l = {0};
    uint64_t oldest = now;
    (void)yc_mempool_oldest(n->mp, &oldest); /* the first to expire, if any does */
    size_t k = yc_mempool_expire(n->mp, now - ttl, expired_cb, &l);
    if (k > 0) {
        n->metrics.txs_expired_total += k;
        yc_mempool_size(n->mp, &n->metrics.mempool_txs, &n->metrics.mempool_bytes);
        cache_clear(n->adm); /* some sender's chain lost a tx */
        yc_log_warn("mempool",
                    "%zu transaction%s expired: not in a block within %" PRIu64
                    " s of arrival (mempool.ttl_seconds; the oldest waited %.1f s); %zu still "
                    "held; %" PRIu64 " expired since start",
                    k, k == 1 ? "" : "s", n->cfg.mp_ttl_seconds, (double)(now - oldest) / 1000.0,
                    (size_t)n->metrics.mempool_txs, n->metrics.txs_expired_total);
    }
    /* answered once the mempool no longer holds them, so a status read agrees */
    for (size_t i = 0; i < l.n; i++) {
        struct yc_tx_status st = {.state = YC_TXS_EXPIRED, .code = YC_EEXPIRED};
        yc__node_tx_final(n, l.txs[i].id, l.txs[i].sender, &st);
    }
    free(l.txs);
}

static void expire_timer_cb(uv_timer_t *t)
{
    yc__submit_expire(t->data);
}

/* ---- lifecycle ---- */

int yc__submit_start(yc_node *n)
{
    struct yc_admission *a = calloc(1, sizeof *a);
    if (a == NULL)
        return YC_ENOMEM;
    if (yc_idmap_init(&a->by_sender, YC_PUBKEY_LEN) != YC_OK ||
        yc_idmap_init(&a->by_bytes, crypto_shorthash_BYTES) != YC_OK) {
        yc_idmap_cleanup(&a->by_sender);
        free(a);
        return YC_ENOMEM;
    }
    a->height = n->tip.height;
    n->adm = a;
    if (uv_timer_init(n->loop, &n->expire_timer) != 0)
        return YC_ENOMEM;
    n->expire_timer.data = n;
    n->expire_timer_open = true;
    uv_timer_start(&n->expire_timer, expire_timer_cb, EXPIRE_INTERVAL_MS, EXPIRE_INTERVAL_MS);
    return YC_OK;
}

void yc__submit_block_committed(yc_node *n)
{
    if (n->adm != NULL) {
        cache_clear(n->adm);
        n->adm->height = n->tip.height;
    }
}

void yc__submit_stop(yc_node *n)
{
    if (n->ver != NULL)
        yc_verifier_cancel_all(n->ver);
    if (n->expire_timer_open) {
        uv_close((uv_handle_t *)&n->expire_timer, NULL);
        n->expire_timer_open = false;
    }
}

void yc__submit_free(yc_node *n)
{
    yc_pump_cancel(&n->pump, &n->done_item);
    answer_done(n); /* n->stopping: answers YC_EBUSY, then frees */
    if (n->adm != NULL) {
        cache_clear(n->adm);
        yc_idmap_cleanup(&n->adm->by_sender);
        yc_idmap_cleanup(&n->adm->by_bytes);
        free(n->adm);
        n->adm = NULL;
    }
}

/* A pending tx of this sender left the mempool other than in a block. */
void yc__submit_forget_sender(yc_node *n, const uint8_t sender[YC_PUBKEY_LEN])
{
    if (n->adm != NULL)
        cache_drop(n->adm, sender);
}
