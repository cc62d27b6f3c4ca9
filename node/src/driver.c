/*
 * driver.c — the consensus driver (see driver.h).
 *
 * Order of a ready (pbft.h, DESIGN.md §8): journal records are appended with sync
 * BEFORE any message of the same ready is sent, so no vote leaves the node without
 * being durable; then proposals are queued for checking; then the committed block
 * is stored (one synced batch) before pbft_advance and pbft_decided. A failed
 * storage write stops the node (yc__node_fatal); it is never skipped.
 *
 * Executed proposals are cached by digest (at most EXEC_CACHE_MAX), so a commit
 * stores the writes computed when the proposal was built or checked. A committed
 * block that was never executed here (re-proposed after a restart) is executed at
 * commit: its certificate makes it final, so a failure there means this node
 * diverged, and it stops.
 *
 * Transport (net.c): the messages of a ready go out through p2p only after every
 * record of that ready was appended with sync; messages from peers go to pbft_step.
 * pbft ticks every TICK_MS on the loop's monotonic clock, and is told whether the
 * mempool holds ready txs (pbft_set_idle), so an idle consortium keeps its view.
 *
 * Proposals of other primaries are checked as in docs/design/pbft.md §2: header
 * (chain, height, parent, proposer = primary of the header's view, which is at most
 * the proposal's view since NEW-VIEW re-proposes an older prepared block; time
 * strictly after the parent's and at most max_time_drift_ms ahead of our clock),
 * then every signature on the verify pool, then execution to the header's state root.
 *
 * Block sync (sync.c) may store a height before consensus decides it here: it then
 * calls yc__driver_synced, which moves pbft on exactly like a commit.
 *
 * Start-up hold: a restarted validator's first ready re-sends the votes of its current
 * view from the journal. Right after start no peer is connected yet and they would be
 * lost, so with several validators the readies wait until every other validator is
 * connected or STARTUP_HOLD_MS have passed (inputs meanwhile queue in pbft).
 *
 * Saying what is wrong: a move to a higher view of the same height is logged at warn
 * with its cause, told apart by what fed pbft the input that moved it — the clock (this
 * node's view timer expired: the primary is suspected), a validator's message (f + 1
 * validators were already in a higher view, or a NEW-VIEW) — and with the old and new
 * primaries and the work waiting. A commit in a view above 0 says so. A stall (a ready
 * tx has waited [instrumentation] ready_max_stall and nothing was committed meanwhile)
 * makes /readyz fail through yc__driver_stalled, and is logged once when it starts and
 * once when it ends. The mempool's pressure lines are flushed on the tick.
 */
#include <inttypes.h>
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
#include "yc/pbft.h"

#define TICK_MS 50
#define EXEC_CACHE_MAX 16
#define STARTUP_HOLD_MS 2000
#define STALL_CHECK_MS 1000 /* the tick looks for a stall (to log it) this often */

struct check_job { /* another primary's proposal while its signatures are checked */
    struct yc_driver *d;
    struct yc_block block;
    uint64_t height, view;
    uint8_t digest[YC_HASH_LEN];
    struct check_job *next;
};

enum trigger { TRIG_OTHER, TRIG_CLOCK, TRIG_MSG }; /* what fed pbft the current input */

struct yc_driver {
    yc_node *n;
    pbft_node *pbft;
    uv_timer_t tick_timer, batch_timer;
    bool timers_open;
    uint64_t height, view; /* consensus position from the last ready */
    bool want;             /* primary of (want_h, want_v), no block proposed yet */
    uint64_t want_h, want_v;
    bool proposed; /* proposed at (prop_h, prop_v) */
    uint64_t prop_h, prop_v;
    uint64_t last_commit_mono;   /* for create_empty_blocks_interval */
    unsigned build_failures;     /* consecutive, for the retry backoff */
    struct yc_exec_block *cache; /* executed proposals */
    size_t ncache;
    struct check_job *checks; /* in flight on the verify pool */
    uint64_t hinted;          /* last ready.peer_height handed to block sync */
    bool refresh;             /* read one ready even if empty: position after decide */
    uint64_t hold_until;      /* start-up hold (0: none), loop time */
    bool in_ready;
    bool stopping;
    enum trigger trigger;       /* for the view-change log line */
    uint32_t trigger_from;      /* TRIG_MSG: the sending validator */
    uint64_t view_changes_seen; /* ready.view_changes already logged */
    uint64_t view_since;        /* loop time the current (height, view) began */
    bool stall_logged;          /* a stall was logged and has not ended yet */
    uint64_t stall_checked;     /* loop time of the tick's last stall check */
};

static void process_ready(struct yc_driver *d);
static void maybe_propose(struct yc_driver *d);

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
    cache_prune(d, c->height);
    d->last_commit_mono = mono(d);
}

/* ---- checking other primaries' proposals ---- */

static void check_job_unlink(struct yc_driver *d, struct check_job *j)
{
    for (struct check_job **pp = &d->checks; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == j) {
            *pp = j->next;
            return;
        }
    }
}

static void answer(struct yc_driver *d, uint64_t h, uint64_t v, const uint8_t digest[YC_HASH_LEN],
                   bool ok)
{
    int rc = pbft_block_checked(d->pbft, h, v, digest, ok, mono(d));
    if (rc != YC_OK && rc != YC_ESTALE)
        yc_log_warn("driver", "pbft_block_checked(%llu, %llu): %s", (unsigned long long)h,
                    (unsigned long long)v, yc_err_name(rc));
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
    answer(d, j->height, j->view, j->digest, ok);
    yc_block_cleanup(&j->block);
    free(j);
    process_ready(d);
}

/* A proposal copied out of a ready: checked only after pbft_advance, since checking
 * may answer pbft at once (all signatures cached) and pbft's ready must not change
 * under us. */
struct pending_prop {
    uint64_t height, view;
    uint8_t digest[YC_HASH_LEN];
    uint8_t *block; /* owned copy */
    size_t len;
};

static void check_proposal(struct yc_driver *d, const struct pending_prop *p)
{
    yc_node *n = d->n;
    if (p->height != n->tip.height + 1)
        return; /* block sync or a commit moved the tip meanwhile: pbft moved on too */
    if (cache_find(d, p->digest) != NULL) { /* our own, or already checked */
        answer(d, p->height, p->view, p->digest, true);
        return;
    }
    struct check_job *j = calloc(1, sizeof *j);
    if (j == NULL) {
        yc_log_error("driver", "out of memory checking a proposal");
        return; /* no answer: the view timer moves on */
    }
    j->d = d;
    j->height = p->height;
    j->view = p->view;
    memcpy(j->digest, p->digest, YC_HASH_LEN);
    char why[128] = "";
    /* pbft read the header only: the whole block is decoded here, once (every tx, its
     * outcome, both roots), and a proposal carries no certificate */
    int rc = yc_block_decode(&j->block, p->block, p->len);
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
        answer(d, p->height, p->view, p->digest, false);
        yc_block_cleanup(&j->block);
        free(j);
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

/* ---- saying what is wrong ---- */

static const char *validator_name(const yc_node *n, uint32_t v)
{
    return yc__role_name(n, v);
}

/* The ready moves this height to a higher view: says which, why, and what waits. */
static void log_view_change(struct yc_driver *d, const struct pbft_ready *rd, uint64_t from_view)
{
    yc_node *n = d->n;
    uint32_t nv = n->vs.n;
    uint32_t old_p = pbft_primary(nv, rd->height, from_view);
    uint32_t new_p = pbft_primary(nv, rd->height, rd->view);
    size_t count, bytes;
    yc_mempool_ready_size(n->mp, &count, &bytes);
    uint64_t now = mono(d), waited = now > d->view_since ? now - d->view_since : 0;
    char why[256];
    if (rd->view_changes > d->view_changes_seen && d->trigger == TRIG_CLOCK) {
        snprintf(why, sizeof why,
                 "timeout: nothing committed in view %" PRIu64 " for %" PRIu64
                 " ms (consensus.timeout_propose %" PRIu64 " ms, doubling per view); primary %u "
                 "(%s) suspected",
                 from_view, waited, n->cfg.cons_timeout_propose_ms, old_p,
                 validator_name(n, old_p));
    } else if (rd->view_changes > d->view_changes_seen) {
        snprintf(why, sizeof why,
                 "joined: f+1 validators had moved to a higher view (last "
                 "message from validator %u (%s))",
                 d->trigger_from, validator_name(n, d->trigger_from));
    } else if (d->trigger == TRIG_MSG) {
        snprintf(why, sizeof why,
                 "followed: a validator's message (from validator %u (%s)) "
                 "showed the consortium in view %" PRIu64,
                 d->trigger_from, validator_name(n, d->trigger_from), rd->view);
    } else {
        snprintf(why, sizeof why, "resumed from the consensus journal");
    }
    yc_log_warn("driver",
                "view change at height %" PRIu64 ": view %" PRIu64 " -> %" PRIu64
                ", primary %u (%s) -> %u (%s); %s; %zu txs waiting, %u of %u validator peers "
                "connected",
                rd->height, from_view, rd->view, old_p, validator_name(n, old_p), new_p,
                validator_name(n, new_p), why, count, yc__net_validator_peers(n, UINT32_MAX),
                nv > 0 ? nv - 1 : 0);
}

bool yc__driver_stalled(struct yc_driver *d, char *why, size_t whylen)
{
    yc_node *n = d->n;
    uint64_t max = n->cfg.ready_max_stall_ms, oldest = 0, now = mono(d);
    bool stalled = false, work = yc_mempool_oldest_ready(n->mp, &oldest);
    if (max > 0 && !d->stopping && work) {
        uint64_t since = oldest > d->last_commit_mono ? oldest : d->last_commit_mono;
        stalled = now > since && now - since > max;
    }
    if (!stalled) {
        if (d->stall_logged && work)
            yc_log_info("driver", "no longer stalled: height %" PRIu64 " committed %.1f s ago",
                        n->tip.height, (double)(now - d->last_commit_mono) / 1000.0);
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
             (double)(now - d->last_commit_mono) / 1000.0, count, (double)(now - oldest) / 1000.0,
             (double)max / 1000.0, d->height, d->view, pbft_primary(n->vs.n, d->height, d->view),
             yc__net_validator_peers(n, UINT32_MAX), n->vs.n > 0 ? n->vs.n - 1 : 0);
    if (!d->stall_logged)
        yc_log_warn("driver", "%s", text);
    d->stall_logged = true;
    if (why != NULL && whylen > 0)
        snprintf(why, whylen, "%s", text);
    return true;
}

/* ---- the ready loop ---- */

/* True while the start-up hold lasts (see the file comment). */
static bool held(struct yc_driver *d)
{
    if (d->hold_until == 0)
        return false;
    yc_node *n = d->n;
    bool all = n->p2p != NULL;
    for (uint32_t v = 0; all && v < n->vs.n; v++)
        all = v == n->validator_index || p2p_is_connected(n->p2p, v);
    if (!all && mono(d) < d->hold_until)
        return true;
    d->hold_until = 0;
    return false;
}

static void process_ready(struct yc_driver *d)
{
    yc_node *n = d->n;
    if (d->in_ready || d->stopping || held(d))
        return;
    d->in_ready = true;
    while (!d->stopping && (d->refresh || pbft_has_ready(d->pbft))) {
        d->refresh = false;
        struct pbft_ready rd;
        pbft_ready(d->pbft, &rd);
        /* 1. durable before anything leaves */
        for (size_t i = 0; i < rd.nrecords; i++) {
            int rc = store_journal_append(n->st, rd.height, rd.records[i].bytes, rd.records[i].len);
            if (rc != YC_OK)
                yc__node_fatal(n, YC_EXIT_IOERR,
                               "consensus journal write failed (%s): stopping before any vote "
                               "is sent",
                               yc_err_name(rc));
        }
        /* 2. then the messages (their votes are durable now) */
        for (size_t i = 0; i < rd.nmsgs; i++)
            yc__net_send_consensus(n, &rd.msgs[i]);
        if (rd.peer_height > d->hinted) { /* a later height is being decided: sync */
            d->hinted = rd.peer_height;
            yc__sync_hint(n->sync, rd.peer_height);
        }
        struct pending_prop *props = NULL;
        size_t nprops = 0;
        if (rd.nproposals > 0)
            props = calloc(rd.nproposals, sizeof *props);
        for (size_t i = 0; props != NULL && i < rd.nproposals; i++) {
            uint8_t *copy = malloc(rd.proposals[i].len > 0 ? rd.proposals[i].len : 1);
            if (copy == NULL)
                break; /* unanswered proposals time out into a view change */
            memcpy(copy, rd.proposals[i].block, rd.proposals[i].len);
            props[nprops] = (struct pending_prop){.height = rd.proposals[i].height,
                                                  .view = rd.proposals[i].view,
                                                  .block = copy,
                                                  .len = rd.proposals[i].len};
            memcpy(props[nprops].digest, rd.proposals[i].digest, YC_HASH_LEN);
            nprops++;
        }
        for (size_t i = 0; i < rd.nevidence; i++)
            yc_log_warn("driver", "evidence: validator %u signed two different votes",
                        rd.evidence[i].validator);
        bool committed = rd.has_commit;
        uint64_t ch = 0;
        uint8_t chash[YC_HASH_LEN];
        if (committed) {
            commit_block(d, &rd.commit);
            ch = rd.commit.height;
            memcpy(chash, rd.commit.digest, YC_HASH_LEN);
        }
        if (rd.want_proposal) {
            d->want = true;
            d->want_h = rd.height;
            d->want_v = rd.view;
        } else if (rd.height != d->want_h || rd.view != d->want_v) {
            d->want = false;
        }
        if (rd.view != d->view || rd.height != d->height) {
            uint64_t from_view = rd.height == d->height ? d->view : 0;
            if (rd.view > from_view)
                log_view_change(d, &rd, from_view);
            d->height = rd.height;
            d->view = rd.view;
            d->view_since = mono(d);
        }
        d->view_changes_seen = rd.view_changes;
        n->view = rd.view;
        n->cons_height = rd.height;
        n->metrics.view_changes_total = rd.view_changes;
        pbft_advance(d->pbft);
        if (committed && !d->stopping) { /* stopping: the block took this node out of the set */
            d->refresh = true;
            int rc = pbft_decided(d->pbft, ch, chash, &n->vs, mono(d));
            if (rc != YC_OK)
                yc_log_error("driver", "pbft_decided(%llu): %s", (unsigned long long)ch,
                             yc_err_name(rc));
            rc = store_journal_prune(n->st, ch + 1);
            if (rc != YC_OK)
                yc__node_fatal(n, YC_EXIT_IOERR, "consensus journal prune failed: %s",
                               yc_err_name(rc));
        }
        for (size_t i = 0; i < nprops; i++) {
            if (!d->stopping)
                check_proposal(d, &props[i]);
            free(props[i].block);
        }
        free(props);
    }
    d->in_ready = false;
    maybe_propose(d);
}

/* ---- proposing ---- */

static void batch_timer_cb(uv_timer_t *t)
{
    maybe_propose(t->data);
}

static void propose_now(struct yc_driver *d, bool allow_empty)
{
    yc_node *n = d->n;
    const struct yc_params *p = &n->genesis.params;
    struct yc_build_limits lim = {
        .max_txs = n->cfg.cons_batch_max_txs < p->max_block_txs ? n->cfg.cons_batch_max_txs
                                                                : p->max_block_txs,
        .max_bytes = n->cfg.cons_batch_max_bytes < p->max_block_bytes ? n->cfg.cons_batch_max_bytes
                                                                      : p->max_block_bytes,
        .allow_empty = allow_empty,
    };
    struct yc_exec_block *e = NULL;
    int rc = yc__build_block(n, d->want_h, d->want_v, n->validator_index, &lim, &e);
    if (rc != YC_OK) {
        /* retry with backoff (100 ms doubling to 5 s): the cause was logged by the builder */
        unsigned shift = d->build_failures < 6 ? d->build_failures : 6;
        uint64_t delay = (uint64_t)100 << shift;
        d->build_failures++;
        uv_timer_start(&d->batch_timer, batch_timer_cb, delay < 5000 ? delay : 5000, 0);
        return;
    }
    d->build_failures = 0;
    if (e == NULL)
        return; /* every candidate failed: nothing to propose */
    rc = pbft_propose(d->pbft, e->block.bytes, e->block.len, mono(d));
    if (rc != YC_OK) {
        yc_log_error("driver", "pbft_propose(%llu, %llu): %s", (unsigned long long)d->want_h,
                     (unsigned long long)d->want_v, yc_err_name(rc));
        yc__exec_block_free(e);
        return;
    }
    d->proposed = true;
    d->prop_h = d->want_h;
    d->prop_v = d->want_v;
    d->want = false;
    cache_add(d, e);
    process_ready(d);
}

static void maybe_propose(struct yc_driver *d)
{
    yc_node *n = d->n;
    if (d->stopping || d->in_ready || !d->want)
        return;
    if (d->proposed && d->prop_h == d->want_h && d->prop_v == d->want_v)
        return;
    if (d->want_h != n->tip.height + 1)
        return; /* not caught up with our own store: no proposal */
    size_t count, bytes;
    yc_mempool_ready_size(n->mp, &count, &bytes);
    uint64_t now = mono(d);
    if (count == 0) {
        if (!n->cfg.cons_create_empty_blocks)
            return; /* the next admitted tx kicks us */
        uint64_t due = d->last_commit_mono + n->cfg.cons_create_empty_blocks_interval_ms;
        if (now >= due)
            propose_now(d, true);
        else
            uv_timer_start(&d->batch_timer, batch_timer_cb, due - now, 0);
        return;
    }
    const struct yc_params *p = &n->genesis.params;
    uint64_t max_txs =
        n->cfg.cons_batch_max_txs < p->max_block_txs ? n->cfg.cons_batch_max_txs : p->max_block_txs;
    uint64_t max_bytes = n->cfg.cons_batch_max_bytes < p->max_block_bytes
                             ? n->cfg.cons_batch_max_bytes
                             : p->max_block_bytes;
    uint64_t oldest = now;
    (void)yc_mempool_oldest_ready(n->mp, &oldest);
    uint64_t due = oldest + n->cfg.cons_batch_delay_ms;
    if (count >= max_txs || bytes >= max_bytes || now >= due)
        propose_now(d, n->cfg.cons_create_empty_blocks);
    else
        uv_timer_start(&d->batch_timer, batch_timer_cb, due - now, 0);
}

/* Tells pbft whether txs wait, so an idle consortium holds its view timer. With
 * create_empty_blocks there is always work: a silent primary must time out. */
static void update_idle(struct yc_driver *d)
{
    size_t count, bytes;
    yc_mempool_ready_size(d->n->mp, &count, &bytes);
    pbft_set_idle(d->pbft, count == 0 && !d->n->cfg.cons_create_empty_blocks, mono(d));
}

void yc__driver_kick(struct yc_driver *d)
{
    if (d->stopping)
        return;
    update_idle(d);
    maybe_propose(d);
}

static void tick_timer_cb(uv_timer_t *t)
{
    struct yc_driver *d = t->data;
    update_idle(d);
    d->trigger = TRIG_CLOCK;
    pbft_tick(d->pbft, mono(d));
    process_ready(d);
    d->trigger = TRIG_OTHER;
    uint64_t now = mono(d);
    yc_mempool_log_pressure(d->n->mp, now);
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
    d->trigger = TRIG_MSG;
    d->trigger_from = from;
    int rc = pbft_step(d->pbft, from, msg, len, mono(d));
    if (rc != YC_OK) {
        n->metrics.consensus_msgs_refused_total++;
        if (rc == YC_ESTALE)
            yc_log_debug("driver", "stale consensus message from validator %u", from);
        else
            yc_log_warn("driver", "consensus message from validator %u refused: %s", from,
                        yc_err_name(rc));
    }
    process_ready(d);
    d->trigger = TRIG_OTHER;
}

void yc__driver_synced(struct yc_driver *d, uint64_t height, const uint8_t hash[YC_HASH_LEN])
{
    yc_node *n = d->n;
    if (d->stopping)
        return;
    int rc = pbft_decided(d->pbft, height, hash, &n->vs, mono(d));
    if (rc != YC_OK && rc != YC_ESTALE)
        yc_log_error("driver", "pbft_decided(%llu) after sync: %s", (unsigned long long)height,
                     yc_err_name(rc));
    rc = store_journal_prune(n->st, height + 1);
    if (rc != YC_OK)
        yc__node_fatal(n, YC_EXIT_IOERR, "consensus journal prune failed: %s", yc_err_name(rc));
    cache_prune(d, height);
    d->last_commit_mono = mono(d);
    d->refresh = true;
    process_ready(d);
}

/* ---- lifecycle ---- */

int yc__driver_create(struct yc_driver **out, yc_node *n)
{
    *out = NULL;
    struct yc_driver *d = calloc(1, sizeof *d);
    if (d == NULL)
        return YC_ENOMEM;
    d->n = n;
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
    struct pbft_config pc = {
        .genesis = &n->genesis,
        .validators = &n->vs,
        .signer = n->val_signer,
        .base_timeout_ms = n->cfg.cons_timeout_propose_ms,
        .max_msgs_per_view = (uint32_t)n->cfg.cons_max_msgs_per_view,
        .mutant = PBFT_MUTANT_NONE,
    };
    rc = pbft_create(&d->pbft, &pc, height, n->tip.hash, recs, jl.n, uv_now(n->loop));
    free(recs);
    if (jl.n > 0)
        yc_log_info("driver", "resumed %zu consensus journal records at height %llu", jl.n,
                    (unsigned long long)height);
    store_journal_free(&jl);
    if (rc != YC_OK) {
        free(d);
        return rc;
    }
    uv_timer_init(n->loop, &d->tick_timer);
    uv_timer_init(n->loop, &d->batch_timer);
    d->tick_timer.data = d;
    d->batch_timer.data = d;
    d->timers_open = true;
    d->last_commit_mono = uv_now(n->loop);
    d->view_since = d->last_commit_mono;
    d->height = height;
    if (n->vs.n > 1)
        d->hold_until = uv_now(n->loop) + STARTUP_HOLD_MS;
    uv_timer_start(&d->tick_timer, tick_timer_cb, TICK_MS, TICK_MS);
    *out = d;
    process_ready(d);
    return YC_OK;
}

void yc__driver_stop(struct yc_driver *d)
{
    if (d == NULL || d->stopping)
        return;
    d->stopping = true;
    if (d->timers_open) {
        uv_close((uv_handle_t *)&d->tick_timer, NULL);
        uv_close((uv_handle_t *)&d->batch_timer, NULL);
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
    pbft_destroy(d->pbft);
    free(d);
}

void yc__driver_position(const struct yc_driver *d, uint64_t *height, uint64_t *view)
{
    *height = d->height;
    *view = d->view;
}
