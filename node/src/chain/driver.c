/*
 * driver.c — the node's shell around the pure consensus driver (yc/driver.h,
 * docs/design/pbft.md §1a): it carries out the driver's effects with libuv, the store,
 * the verify pool, the producer and the transport, and feeds it its inputs.
 *
 * Effects (called by the driver, in its order; none calls the driver back):
 *   persist   store_journal_append (synced); a failure stops the node before anything
 *             of that ready is sent (yc__node_fatal, exit 74);
 *   send      the transport (net.c);
 *   store     the committed block with its certificate, one synced batch; a block never
 *             executed here (re-proposed after a restart) is executed now: its
 *             certificate makes it final, so a failure means this node diverged (abort);
 *   check     decode the whole proposal (consensus read its header only), check its
 *             header (chain, height, parent, proposer = primary of the header's view, time
 *             strictly after the parent's and at most max_time_drift_ms ahead of our
 *             clock), its signatures on the verify pool, then execute it to the header's
 *             state root; the verdict is fed back (yc_drv_checked) from the verify pool's
 *             callback or, when known at once, on the next turn through the pump;
 *   build     this node's block from the mempool (producer.c);
 *   arm       the wake timer; sync_hint: block sync; prune: the journal; note: the log.
 *
 * Executed proposals are cached by digest (at most EXEC_CACHE_MAX), so a commit stores
 * the writes computed when the proposal was built or checked.
 *
 * Inputs: messages from net.c (yc__driver_step), a tick every TICK_MS on the loop's
 * monotonic clock (with whether every validator peer is connected, for the start-up
 * hold), the wake timer, the verify pool's verdicts, block sync (yc__driver_synced), and
 * the mempool (yc__driver_kick, run on the next turn through the pump: it is called
 * from where blocks are stored, which may be inside a driver effect).
 *
 * Saying what is wrong: a move to a higher view of the same height is logged at warn
 * with its cause (the driver's note: the clock, f + 1 validators ahead, a validator's
 * message, or the journal), the old and new primaries and the work waiting. A commit in
 * a view above 0 says so. A stall (a ready tx has waited [instrumentation]
 * ready_max_stall and nothing was committed meanwhile) makes /readyz fail through
 * yc__driver_stalled, and is logged once when it starts and once when it ends. The
 * mempool's pressure lines are flushed on the tick.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "log.h"
#include "net.h"
#include "p2p.h"
#include "producer.h"
#include "role.h"
#include "sync.h"
#include "yc/cliutil.h"
#include "yc/driver.h"

#define TICK_MS 50
#define EXEC_CACHE_MAX 16
#define STARTUP_HOLD_MS 2000
#define STALL_CHECK_MS 1000 /* the tick looks for a stall (to log it) this often */

struct check_job { /* another primary's proposal while it is checked */
    struct yc_driver *d;
    struct yc_block block;
    uint64_t height, view;
    uint8_t digest[YC_HASH_LEN];
    bool ok;                /* the verdict, once known */
    struct check_job *next; /* d->checks (in flight) or d->verdicts (to feed) */
};

struct yc_driver {
    yc_node *n;
    yc_drv *drv;
    uv_timer_t tick_timer, wake_timer;
    bool timers_open;
    bool stopping;
    struct yc_exec_block *cache; /* executed proposals */
    size_t ncache;
    struct check_job *checks;   /* on the verify pool */
    struct check_job *verdicts; /* known at once: fed on the next turn */
    struct yc_pump_item verdict_item, kick_item;
    const char *failed;     /* the effect that failed: the words of the fatal stop */
    bool stall_logged;      /* a stall was logged and has not ended yet */
    uint64_t stall_checked; /* loop time of the tick's last stall check */
};

static uint64_t mono(const struct yc_driver *d)
{
    return uv_now(d->n->loop);
}

/* ---- executed-block cache ---- */

static struct yc_exec_block *cache_find(struct yc_driver *d, const uint8_t digest[YC_HASH_LEN])
{
    for (struct yc_exec_block *e = d->cache; e != NULL; e = e->next) {
        if (memcmp(e->digest, digest, YC_HASH_LEN) == 0)
            return e;
    }
    return NULL;
}

static void cache_add(struct yc_driver *d, struct yc_exec_block *e)
{
    e->next = d->cache;
    d->cache = e;
    d->ncache++;
    if (d->ncache > EXEC_CACHE_MAX) { /* drop the oldest (the list's tail) */
        struct yc_exec_block **pp = &d->cache;
        while ((*pp)->next != NULL)
            pp = &(*pp)->next;
        yc__exec_block_free(*pp);
        *pp = NULL;
        d->ncache--;
    }
}

/* Takes e out of the cache (caller owns it). */
static void cache_take(struct yc_driver *d, struct yc_exec_block *e)
{
    for (struct yc_exec_block **pp = &d->cache; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            e->next = NULL;
            d->ncache--;
            return;
        }
    }
}

/* Drops every cached block at or below `height` (they can no longer commit). */
static void cache_prune(struct yc_driver *d, uint64_t height)
{
    struct yc_exec_block **pp = &d->cache;
    while (*pp != NULL) {
        if ((*pp)->height <= height) {
            struct yc_exec_block *e = *pp;
            *pp = e->next;
            yc__exec_block_free(e);
            d->ncache--;
        } else {
            pp = &(*pp)->next;
        }
    }
}

const struct yc_block *yc__driver_block(struct yc_driver *d, const uint8_t digest[YC_HASH_LEN])
{
    struct yc_exec_block *e = d != NULL ? cache_find(d, digest) : NULL;
    return e != NULL ? &e->block : NULL;
}

/* ---- commit ---- */

static void commit_block(struct yc_driver *d, const struct pbft_commit *c)
{
    yc_node *n = d->n;
    if (c->height != n->tip.height + 1) { /* block sync stored it first */
        yc_log_debug("driver", "commit of height %llu already stored",
                     (unsigned long long)c->height);
        return;
    }
    struct yc_exec_block *e = cache_find(d, c->digest);
    if (e != NULL) {
        cache_take(d, e);
    } else {
        /* final but never executed here: execute now; any failure means divergence */
        struct yc_block b;
        int rc = yc_block_decode(&b, c->block, c->len);
        uint32_t bad = 0;
        for (uint32_t i = 0; rc == YC_OK && i < b.ntx; i++) {
            if (!yc_verifier_cached(n->ver, &b.txs[i]))
                rc = yc_tx_verify(&b.txs[i], n->genesis.chain_id);
            bad = i;
        }
        if (rc == YC_OK)
            rc = yc__execute_block(n, &b, c->cert.view, &e, &bad);
        else
            yc_block_cleanup(&b);
        if (rc == YC_OK && memcmp(e->digest, c->digest, YC_HASH_LEN) != 0)
            rc = YC_EDIVERGED;
        if (rc != YC_OK) {
            yc_log_error("driver",
                         "committed block %llu does not execute here (%s, tx %u): "
                         "this node diverged from the certified chain; stopping",
                         (unsigned long long)c->height, yc_err_name(rc), bad);
            abort();
        }
    }
    /* the rule of a next block with the certificate: consensus assembled it from votes it
     * checked, so a refusal here is a bug that must not reach the store */
    struct yc_block_verdict v;
    e->block.cert = c->cert;
    if (yc__check_next(n, &e->block, YC_CHECK_CERT, &v) != YC_OK) {
        yc_log_error("driver",
                     "committed block %llu breaks the rule of a next block: %s; "
                     "stopping",
                     (unsigned long long)c->height, v.why);
        abort();
    }
    yc__store_block(n, e, &c->cert);
    if (c->cert.view > 0)
        yc_log_info("driver",
                    "committed height %llu (%u txs) in view %llu, after a view "
                    "change",
                    (unsigned long long)c->height, e->block.ntx, (unsigned long long)c->cert.view);
    else
        yc_log_info("driver", "committed height %llu (%u txs)", (unsigned long long)c->height,
                    e->block.ntx);
    yc__exec_block_free(e);
}

/* ---- the driver's answers ---- */

/* Positions for status and metrics, and the end of an input: a failed effect stops the
 * node loudly; a key that left the set stops consensus here. */
static void fed(struct yc_driver *d, int rc)
{
    yc_node *n = d->n;
    if (d->stopping) /* stopped, or retired by role.c: it no longer speaks for the node */
        return;
    struct yc_drv_status st;
    yc_drv_status(d->drv, &st);
    n->view = st.view;
    n->cons_height = st.height;
    n->metrics.view_changes_total = st.view_changes;
    if (rc == YC_OK || rc == YC_EBUSY)
        return;
    if (rc == YC_ENOTAUTH) { /* role.c retires this driver when the set says so */
        yc_log_warn("driver", "this node's validator key is not in the set of height %" PRIu64,
                    st.height + 1);
        return;
    }
    yc__node_fatal(n, YC_EXIT_IOERR, "%s failed (%s): stopping before anything else is sent",
                   d->failed != NULL ? d->failed : "a consensus effect", yc_err_name(rc));
}

/* ---- effects ---- */

/* The records of one ready in one synced write (store_journal_append_many), a few at a
 * time: a ready holds a vote, or a prepared certificate and its COMMIT, one write where
 * there were two (each synced). */
static int io_persist_all(void *ctx, uint64_t height, const struct pbft_record *recs, size_t n)
{
    struct yc_driver *d = ctx;
    enum { CHUNK = 8 };
    const uint8_t *r[CHUNK];
    size_t l[CHUNK];
    for (size_t i = 0; i < n; i += CHUNK) {
        size_t m = n - i < CHUNK ? n - i : CHUNK;
        for (size_t j = 0; j < m; j++) {
            r[j] = recs[i + j].bytes;
            l[j] = recs[i + j].len;
        }
        int rc = store_journal_append_many(d->n->st, height, r, l, m);
        if (rc != YC_OK) {
            d->failed = "consensus journal write";
            return rc;
        }
    }
    return YC_OK;
}

static void io_send(void *ctx, uint32_t to, const uint8_t *msg, size_t len)
{
    struct yc_driver *d = ctx;
    struct pbft_msg m = {.to = to, .bytes = (uint8_t *)msg, .len = len};
    yc__net_send_consensus(d->n, &m);
}

/* A verdict known at once is fed on the next turn (never from inside the effect). */
static void verdict_later(struct yc_driver *d, struct check_job *j, bool ok)
{
    j->ok = ok;
    j->next = d->verdicts;
    d->verdicts = j;
    yc_pump_post(&d->n->pump, &d->verdict_item);
}

static void verdict_item_cb(struct yc_pump_item *it)
{
    struct yc_driver *d =
        (struct yc_driver *)((char *)it - offsetof(struct yc_driver, verdict_item));
    struct check_job *list = NULL;
    while (d->verdicts != NULL) { /* newest first: reversed */
        struct check_job *j = d->verdicts;
        d->verdicts = j->next;
        j->next = list;
        list = j;
    }
    while (list != NULL) {
        struct check_job *j = list;
        list = j->next;
        if (!d->stopping)
            fed(d, yc_drv_checked(d->drv, j->height, j->view, j->digest, j->ok, mono(d)));
        yc_block_cleanup(&j->block);
        free(j);
    }
}

static void check_job_unlink(struct yc_driver *d, struct check_job *j)
{
    for (struct check_job **pp = &d->checks; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == j) {
            *pp = j->next;
            return;
        }
    }
}

static void proposal_verified_cb(void *ctx, int code, size_t bad_index)
{
    struct check_job *j = ctx;
    struct yc_driver *d = j->d;
    check_job_unlink(d, j);
    if (d->stopping || j->height != d->n->tip.height + 1) {
        yc_block_cleanup(&j->block);
        free(j);
        return;
    }
    bool ok = false;
    if (code != YC_OK) {
        yc_log_warn("driver", "proposal %llu/%llu refused: tx %zu: %s",
                    (unsigned long long)j->height, (unsigned long long)j->view, bad_index,
                    yc_err_name(code));
    } else {
        struct yc_exec_block *e = NULL;
        uint32_t bad = 0;
        int rc = yc__execute_block(d->n, &j->block, j->view, &e, &bad);
        if (rc == YC_OK && memcmp(e->digest, j->digest, YC_HASH_LEN) != 0) {
            yc__exec_block_free(e);
            rc = YC_EBADBLOCK;
        }
        if (rc == YC_OK) {
            cache_add(d, e);
            ok = true;
        } else {
            yc_log_warn("driver", "proposal %llu/%llu refused: %s (tx %u)",
                        (unsigned long long)j->height, (unsigned long long)j->view, yc_err_name(rc),
                        bad);
        }
    }
    fed(d, yc_drv_checked(d->drv, j->height, j->view, j->digest, ok, mono(d)));
    yc_block_cleanup(&j->block);
    free(j);
}

static void io_check(void *ctx, const struct pbft_proposal *p)
{
    struct yc_driver *d = ctx;
    yc_node *n = d->n;
    if (p->height != n->tip.height + 1)
        return; /* block sync or a commit moved the tip meanwhile: pbft moved on too */
    struct check_job *j = calloc(1, sizeof *j);
    if (j == NULL) {
        yc_log_error("driver", "out of memory checking a proposal");
        return; /* no answer: the view timer moves on */
    }
    j->d = d;
    j->height = p->height;
    j->view = p->view;
    memcpy(j->digest, p->digest, YC_HASH_LEN);
    if (cache_find(d, p->digest) != NULL) { /* our own, or already checked */
        verdict_later(d, j, true);
        return;
    }
    char why[128] = "";
    /* pbft read the header only: the whole block is decoded here, once (every tx, its
     * outcome, both roots), and a proposal carries no certificate; the txs this node
     * holds (mempool, or submissions being checked) are shared from there, decoded */
    int rc = yc__net_rebuilt(n, p->block, p->len) /* its tx root checked when it was rebuilt */
                 ? yc_block_decode_rebuilt(&j->block, p->block, p->len, yc__tx_from_mempool, n)
                 : yc_block_decode_resolved(&j->block, p->block, p->len, yc__tx_from_mempool, n);
    if (rc == YC_OK && j->block.cert.nsigs != 0) {
        rc = YC_EBADBLOCK;
        snprintf(why, sizeof why, "a proposal with a certificate");
    } else if (rc == YC_OK) {
        rc = yc__check_header(n, &j->block, p->height, p->view, yc__wall_ms(), why, sizeof why);
    } else {
        snprintf(why, sizeof why, "%s", yc_err_name(rc));
    }
    if (rc != YC_OK) {
        yc_log_warn("driver", "proposal %llu/%llu refused: %s", (unsigned long long)p->height,
                    (unsigned long long)p->view, why);
        verdict_later(d, j, false);
        return;
    }
    j->next = d->checks;
    d->checks = j;
    rc = yc_verifier_check(n->ver, j->block.txs, j->block.ntx, proposal_verified_cb, j);
    if (rc != YC_OK) {
        check_job_unlink(d, j);
        yc_log_warn("driver", "cannot check proposal %llu/%llu now: %s",
                    (unsigned long long)p->height, (unsigned long long)p->view, yc_err_name(rc));
        yc_block_cleanup(&j->block);
        free(j);
    }
}

static int io_store(void *ctx, const struct pbft_commit *c, const struct yc_valset **next)
{
    struct yc_driver *d = ctx;
    commit_block(d, c); /* a storage failure stops the node (yc__store_block) */
    if (d->stopping)    /* the block took this node out of the set (role.c retired it) */
        return YC_ENOTAUTH;
    *next = &d->n->vs; /* the set in force at the next height (role.c follows it) */
    return YC_OK;
}

static int io_build(void *ctx, uint64_t height, uint64_t view, bool allow_empty,
                    const uint8_t **block, size_t *len)
{
    struct yc_driver *d = ctx;
    yc_node *n = d->n;
    if (height != n->tip.height + 1)
        return YC_ENOTFOUND; /* not caught up with our own store: no proposal */
    const struct yc_params *p = &n->genesis.params;
    struct yc_build_limits lim = {
        .max_txs = n->cfg.cons_batch_max_txs < p->max_block_txs ? n->cfg.cons_batch_max_txs
                                                                : p->max_block_txs,
        .max_bytes = n->cfg.cons_batch_max_bytes < p->max_block_bytes ? n->cfg.cons_batch_max_bytes
                                                                      : p->max_block_bytes,
        .allow_empty = allow_empty,
    };
    struct yc_exec_block *e = NULL;
    int rc = yc__build_block(n, height, view, n->validator_index, &lim, &e);
    if (rc != YC_OK)
        return rc; /* retried with backoff; the cause was logged by the builder */
    if (e == NULL)
        return YC_ENOTFOUND; /* every candidate failed: nothing to propose */
    cache_add(d, e);
    *block = e->block.bytes;
    *len = e->block.len;
    return YC_OK;
}

static void wake_timer_cb(uv_timer_t *t)
{
    struct yc_driver *d = t->data;
    fed(d, yc_drv_tick(d->drv, mono(d)));
}

static void io_arm(void *ctx, uint64_t at_ms)
{
    struct yc_driver *d = ctx;
    uint64_t now = mono(d);
    if (!d->stopping)
        uv_timer_start(&d->wake_timer, wake_timer_cb, at_ms > now ? at_ms - now : 0, 0);
}

static void io_sync_hint(void *ctx, uint64_t height)
{
    struct yc_driver *d = ctx;
    yc__sync_hint(d->n->sync, height);
}

static int io_prune(void *ctx, uint64_t height)
{
    struct yc_driver *d = ctx;
    cache_prune(d, height);
    int rc = store_journal_prune(d->n->st, height + 1);
    if (rc != YC_OK)
        d->failed = "consensus journal prune";
    return rc;
}

static const char *validator_name(const yc_node *n, uint32_t v)
{
    return yc__role_name(n, v);
}

/* The driver moved this height to a higher view: says which, why, and what waits. */
static void log_view_change(struct yc_driver *d, const struct yc_drv_note *nt)
{
    yc_node *n = d->n;
    uint32_t nv = n->vs.n;
    uint32_t old_p = pbft_primary(nv, nt->height, nt->from_view);
    uint32_t new_p = pbft_primary(nv, nt->height, nt->view);
    size_t count, bytes;
    yc_mempool_ready_size(n->mp, &count, &bytes);
    char why[256];
    switch (nt->cause) {
    case YC_DRV_CAUSE_TIMEOUT:
        snprintf(why, sizeof why,
                 "timeout: nothing committed in view %" PRIu64 " for %" PRIu64
                 " ms (consensus.timeout_propose %" PRIu64 " ms, doubling per view); primary %u "
                 "(%s) suspected",
                 nt->from_view, nt->waited_ms, n->cfg.cons_timeout_propose_ms, old_p,
                 validator_name(n, old_p));
        break;
    case YC_DRV_CAUSE_JOINED:
        snprintf(why, sizeof why,
                 "joined: f+1 validators had moved to a higher view (last "
                 "message from validator %u (%s))",
                 nt->from, validator_name(n, nt->from));
        break;
    case YC_DRV_CAUSE_FOLLOWED:
        snprintf(why, sizeof why,
                 "followed: a validator's message (from validator %u (%s)) "
                 "showed the consortium in view %" PRIu64,
                 nt->from, validator_name(n, nt->from), nt->view);
        break;
    case YC_DRV_CAUSE_JOURNAL:
        snprintf(why, sizeof why, "resumed from the consensus journal");
        break;
    }
    yc_log_warn("driver",
                "view change at height %" PRIu64 ": view %" PRIu64 " -> %" PRIu64
                ", primary %u (%s) -> %u (%s); %s; %zu txs waiting, %u of %u validator peers "
                "connected",
                nt->height, nt->from_view, nt->view, old_p, validator_name(n, old_p), new_p,
                validator_name(n, new_p), why, count, yc__net_validator_peers(n, UINT32_MAX),
                nv > 0 ? nv - 1 : 0);
}

static void io_note(void *ctx, const struct yc_drv_note *nt)
{
    struct yc_driver *d = ctx;
    switch (nt->kind) {
    case YC_DRV_NOTE_VIEW_CHANGE:
        log_view_change(d, nt);
        break;
    case YC_DRV_NOTE_EVIDENCE:
        yc_log_warn("driver", "evidence: validator %u signed two different votes",
                    nt->evidence->validator);
        break;
    case YC_DRV_NOTE_REFUSED:
        yc_log_error("driver", "consensus refused height %" PRIu64 " view %" PRIu64 ": %s",
                     nt->height, nt->view, yc_err_name(nt->code));
        break;
    }
}

/* ---- stall ---- */

bool yc__driver_stalled(struct yc_driver *d, char *why, size_t whylen)
{
    yc_node *n = d->n;
    struct yc_drv_status st;
    yc_drv_status(d->drv, &st);
    uint64_t max = n->cfg.ready_max_stall_ms, oldest = 0, now = mono(d);
    bool stalled = false, work = yc_mempool_oldest_ready(n->mp, &oldest);
    if (max > 0 && !d->stopping && work) {
        uint64_t since = oldest > st.last_commit_ms ? oldest : st.last_commit_ms;
        stalled = now > since && now - since > max;
    }
    if (!stalled) {
        if (d->stall_logged && work)
            yc_log_info("driver", "no longer stalled: height %" PRIu64 " committed %.1f s ago",
                        n->tip.height, (double)(now - st.last_commit_ms) / 1000.0);
        else if (d->stall_logged)
            yc_log_info("driver", "no longer stalled: no transaction waits (height %" PRIu64 ")",
                        n->tip.height);
        d->stall_logged = false;
        return false;
    }
    size_t count, bytes;
    yc_mempool_ready_size(n->mp, &count, &bytes);
    char text[400];
    snprintf(text, sizeof text,
             "consensus stalled: no block committed for %.1f s while %zu "
             "txs wait (the oldest for %.1f s; instrumentation.ready_max_stall %.1f s); "
             "deciding height %" PRIu64 " in view %" PRIu64 " (primary %u), %u of %u "
             "validator peers connected",
             (double)(now - st.last_commit_ms) / 1000.0, count, (double)(now - oldest) / 1000.0,
             (double)max / 1000.0, st.height, st.view, st.primary,
             yc__net_validator_peers(n, UINT32_MAX), n->vs.n > 0 ? n->vs.n - 1 : 0);
    if (!d->stall_logged)
        yc_log_warn("driver", "%s", text);
    d->stall_logged = true;
    if (why != NULL && whylen > 0)
        snprintf(why, whylen, "%s", text);
    return true;
}

/* ---- inputs ---- */

static struct yc_drv_work mempool_work(const yc_node *n)
{
    struct yc_drv_work w = {0};
    yc_mempool_ready_size(n->mp, &w.count, &w.bytes);
    if (!yc_mempool_oldest_ready(n->mp, &w.oldest_ms))
        w.oldest_ms = 0;
    return w;
}

static void kick_item_cb(struct yc_pump_item *it)
{
    struct yc_driver *d = (struct yc_driver *)((char *)it - offsetof(struct yc_driver, kick_item));
    if (d->stopping)
        return;
    struct yc_drv_work w = mempool_work(d->n);
    fed(d, yc_drv_work(d->drv, &w, mono(d)));
}

void yc__driver_kick(struct yc_driver *d)
{
    if (!d->stopping)
        yc_pump_post(&d->n->pump, &d->kick_item);
}

/* Whether every other validator is connected (the start-up hold waits for it). */
static bool all_connected(const yc_node *n)
{
    bool all = n->p2p != NULL;
    for (uint32_t v = 0; all && v < n->vs.n; v++)
        all = v == n->validator_index || p2p_is_connected(n->p2p, v);
    return all;
}

static void tick_timer_cb(uv_timer_t *t)
{
    struct yc_driver *d = t->data;
    yc_node *n = d->n;
    uint64_t now = mono(d);
    yc_drv_peers(d->drv, all_connected(n));
    struct yc_drv_work w = mempool_work(n);
    int rc = yc_drv_work(d->drv, &w, now);
    if (rc == YC_OK)
        rc = yc_drv_tick(d->drv, now);
    fed(d, rc);
    yc_mempool_log_pressure(n->mp, now);
    if (now >= d->stall_checked + STALL_CHECK_MS) { /* logs a stall's start and end */
        d->stall_checked = now;
        (void)yc__driver_stalled(d, NULL, 0);
    }
}

void yc__driver_step(struct yc_driver *d, uint32_t from, const uint8_t *msg, size_t len)
{
    yc_node *n = d->n;
    if (d->stopping)
        return;
    n->metrics.consensus_msgs_received_total++;
    int refused = YC_OK;
    int rc = yc_drv_step(d->drv, from, msg, len, mono(d), &refused);
    if (refused != YC_OK && refused != YC_EBUSY) {
        n->metrics.consensus_msgs_refused_total++;
        if (refused == YC_ESTALE)
            yc_log_debug("driver", "stale consensus message from validator %u", from);
        else
            yc_log_warn("driver", "consensus message from validator %u refused: %s", from,
                        yc_err_name(refused));
    }
    fed(d, rc);
}

void yc__driver_synced(struct yc_driver *d, uint64_t height, const uint8_t hash[YC_HASH_LEN])
{
    yc_node *n = d->n;
    if (d->stopping)
        return;
    fed(d, yc_drv_synced(d->drv, height, hash, &n->vs, mono(d)));
}

/* ---- lifecycle ---- */

int yc__driver_create(struct yc_driver **out, yc_node *n)
{
    *out = NULL;
    struct yc_driver *d = calloc(1, sizeof *d);
    if (d == NULL)
        return YC_ENOMEM;
    d->n = n;
    d->verdict_item.fn = verdict_item_cb;
    d->kick_item.fn = kick_item_cb;
    uint64_t height = n->tip.height + 1;
    struct pbft_record_list jl = {0};
    int rc = store_journal_load(n->st, height, &jl);
    if (rc != YC_OK && rc != YC_ENOTFOUND) {
        free(d);
        return rc;
    }
    struct pbft_record *recs = NULL;
    if (jl.n > 0) {
        recs = calloc(jl.n, sizeof *recs);
        if (recs == NULL) {
            store_journal_free(&jl);
            free(d);
            return YC_ENOMEM;
        }
        for (size_t i = 0; i < jl.n; i++) {
            recs[i].bytes = jl.recs[i];
            recs[i].len = jl.lens[i];
        }
    }
    const struct yc_params *p = &n->genesis.params;
    struct yc_drv_config cfg = {
        .pbft =
            {
                .genesis = &n->genesis,
                .validators = &n->vs,
                .signer = n->val_signer,
                .base_timeout_ms = n->cfg.cons_timeout_propose_ms,
                .max_msgs_per_view = (uint32_t)n->cfg.cons_max_msgs_per_view,
                .mutant = PBFT_MUTANT_NONE,
            },
        .batch_max_txs = n->cfg.cons_batch_max_txs < p->max_block_txs ? n->cfg.cons_batch_max_txs
                                                                      : p->max_block_txs,
        .batch_max_bytes = n->cfg.cons_batch_max_bytes < p->max_block_bytes
                               ? n->cfg.cons_batch_max_bytes
                               : p->max_block_bytes,
        .batch_delay_ms = n->cfg.cons_batch_delay_ms,
        .create_empty_blocks = n->cfg.cons_create_empty_blocks,
        .empty_interval_ms = n->cfg.cons_create_empty_blocks_interval_ms,
        .startup_hold_ms = n->vs.n > 1 ? STARTUP_HOLD_MS : 0,
    };
    struct yc_drv_io io = {
        .ctx = d,
        .persist_all = io_persist_all,
        .send = io_send,
        .check = io_check,
        .store = io_store,
        .build = io_build,
        .arm = io_arm,
        .sync_hint = io_sync_hint,
        .prune = io_prune,
        .note = io_note,
    };
    uv_timer_init(n->loop, &d->tick_timer);
    uv_timer_init(n->loop, &d->wake_timer);
    d->tick_timer.data = d;
    d->wake_timer.data = d;
    d->timers_open = true;
    rc = yc_drv_create(&d->drv, &cfg, &io, height, n->tip.hash, recs, jl.n, uv_now(n->loop));
    free(recs);
    if (jl.n > 0)
        yc_log_info("driver", "resumed %zu consensus journal records at height %llu", jl.n,
                    (unsigned long long)height);
    store_journal_free(&jl);
    if (rc != YC_OK) {
        d->stopping = true; /* the timers close; the rest is freed by yc__driver_destroy */
        uv_close((uv_handle_t *)&d->tick_timer, NULL);
        uv_close((uv_handle_t *)&d->wake_timer, NULL);
        *out = d;
        return rc;
    }
    uv_timer_start(&d->tick_timer, tick_timer_cb, TICK_MS, TICK_MS);
    *out = d;
    fed(d, YC_OK);
    return YC_OK;
}

void yc__driver_stop(struct yc_driver *d)
{
    if (d == NULL || d->stopping)
        return;
    d->stopping = true;
    yc_pump_cancel(&d->n->pump, &d->kick_item);
    if (d->timers_open) {
        uv_close((uv_handle_t *)&d->tick_timer, NULL);
        uv_close((uv_handle_t *)&d->wake_timer, NULL);
    }
}

void yc__driver_destroy(struct yc_driver *d)
{
    if (d == NULL)
        return;
    while (d->cache != NULL) {
        struct yc_exec_block *e = d->cache;
        d->cache = e->next;
        yc__exec_block_free(e);
    }
    while (d->checks != NULL) { /* normally none: cancelled jobs answered already */
        struct check_job *j = d->checks;
        d->checks = j->next;
        yc_block_cleanup(&j->block);
        free(j);
    }
    while (d->verdicts != NULL) { /* the pump closed before they were fed */
        struct check_job *j = d->verdicts;
        d->verdicts = j->next;
        yc_block_cleanup(&j->block);
        free(j);
    }
    yc_drv_destroy(d->drv);
    free(d);
}
