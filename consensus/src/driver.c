/*
 * driver.c — the consensus driver (see yc/driver.h, docs/design/pbft.md §1a).
 *
 * Every input ends in drive(): while pbft has a ready (or a decided height must be
 * read once, `refresh`), its effects run in the order of driver.h, then pbft_advance;
 * a stored commit is decided after the advance, so that the next ready is the next
 * height's. Then propose() looks whether this node, as the primary, should build its
 * block now, arms the timer for when it should, or waits for work.
 */
#include <string.h>

#include "yc/alloc.h"
#include "yc/driver.h"

#define RETRY_MIN_MS 100
#define RETRY_MAX_MS 5000

enum trigger { TRIG_OTHER, TRIG_CLOCK, TRIG_MSG }; /* what fed pbft the current input */

struct yc_drv {
    pbft_node *pbft;
    struct yc_drv_config cfg;
    struct yc_drv_io io;
    struct yc_drv_work work;
    uint64_t height, view, view_changes, view_since;
    uint32_t nvalidators; /* of the set in force at `height` */
    bool want;            /* primary of (want_h, want_v), no block proposed yet */
    uint64_t want_h, want_v;
    bool proposed; /* proposed at (prop_h, prop_v) */
    uint64_t prop_h, prop_v;
    bool nothing;      /* the build found nothing to propose: wait for work */
    unsigned failures; /* consecutive failed builds */
    uint64_t retry_at; /* not before (a failed build) */
    uint64_t armed_at; /* io.arm's deadline, 0: none */
    uint64_t last_commit;
    uint64_t hinted; /* last peer_height handed to io.sync_hint */
    bool refresh;    /* read one ready even if empty: the position after a decide */
    uint64_t hold_until;
    bool peers_ok;
    enum trigger trigger;
    uint32_t trigger_from;
    int stopped; /* YC_OK while running; else the failure that stopped it */
};

static int drive(yc_drv *d, uint64_t now);

static void note(yc_drv *d, const struct yc_drv_note *n)
{
    if (d->io.note != NULL)
        d->io.note(d->io.ctx, n);
}

static int stop(yc_drv *d, int rc)
{
    d->stopped = rc;
    return rc;
}

/* True while the start-up hold lasts. */
static bool held(yc_drv *d, uint64_t now)
{
    if (d->hold_until == 0)
        return false;
    if (!d->peers_ok && now < d->hold_until)
        return true;
    d->hold_until = 0;
    return false;
}

static void arm(yc_drv *d, uint64_t at)
{
    if (d->armed_at == at)
        return;
    d->armed_at = at;
    d->io.arm(d->io.ctx, at);
}

/* Whether pbft should hold the timer of a view without a proposal. */
static void set_idle(yc_drv *d, uint64_t now)
{
    pbft_set_idle(d->pbft, d->work.count == 0 && !d->cfg.create_empty_blocks, now);
}

/* ---- proposing ---- */

static int build(yc_drv *d, bool allow_empty, uint64_t now)
{
    const uint8_t *block = NULL;
    size_t len = 0;
    int rc = d->io.build(d->io.ctx, d->want_h, d->want_v, allow_empty, &block, &len);
    if (rc == YC_ENOTFOUND) {
        d->nothing = true;
        return YC_OK;
    }
    if (rc != YC_OK) {
        unsigned shift = d->failures < 6 ? d->failures : 6;
        uint64_t delay = (uint64_t)RETRY_MIN_MS << shift;
        d->failures++;
        d->retry_at = now + (delay < RETRY_MAX_MS ? delay : RETRY_MAX_MS);
        arm(d, d->retry_at);
        return YC_OK;
    }
    d->failures = 0;
    rc = pbft_propose(d->pbft, block, len, now);
    if (rc != YC_OK) {
        note(d,
             &(struct yc_drv_note){
                 .kind = YC_DRV_NOTE_REFUSED, .height = d->want_h, .view = d->want_v, .code = rc});
        d->nothing = true; /* the same block would be refused again */
        return YC_OK;
    }
    d->proposed = true;
    d->prop_h = d->want_h;
    d->prop_v = d->want_v;
    d->want = false;
    return drive(d, now);
}

/* Builds now, arms the timer for when to, or waits (see the file comment). */
static int propose(yc_drv *d, uint64_t now)
{
    if (!d->want || d->nothing || (d->proposed && d->prop_h == d->want_h && d->prop_v == d->want_v))
        return YC_OK;
    if (now < d->retry_at) {
        arm(d, d->retry_at);
        return YC_OK;
    }
    if (d->work.count == 0) {
        if (!d->cfg.create_empty_blocks)
            return YC_OK; /* the next yc_drv_work brings us back */
        uint64_t due = d->last_commit + d->cfg.empty_interval_ms;
        if (now >= due)
            return build(d, true, now);
        arm(d, due);
        return YC_OK;
    }
    uint64_t due = d->work.oldest_ms + d->cfg.batch_delay_ms;
    if (d->work.count >= d->cfg.batch_max_txs || d->work.bytes >= d->cfg.batch_max_bytes ||
        now >= due)
        return build(d, d->cfg.create_empty_blocks, now);
    arm(d, due);
    return YC_OK;
}

/* ---- the ready loop ---- */

/* The ready moves this height to a higher view: why, for the note. */
static void view_change(yc_drv *d, const struct pbft_ready *rd, uint64_t from_view, uint64_t now)
{
    struct yc_drv_note n = {.kind = YC_DRV_NOTE_VIEW_CHANGE,
                            .height = rd->height,
                            .view = rd->view,
                            .from_view = from_view,
                            .from = d->trigger_from,
                            .waited_ms = now > d->view_since ? now - d->view_since : 0};
    if (rd->view_changes > d->view_changes && d->trigger == TRIG_CLOCK)
        n.cause = YC_DRV_CAUSE_TIMEOUT;
    else if (rd->view_changes > d->view_changes)
        n.cause = YC_DRV_CAUSE_JOINED;
    else if (d->trigger == TRIG_MSG)
        n.cause = YC_DRV_CAUSE_FOLLOWED;
    else
        n.cause = YC_DRV_CAUSE_JOURNAL;
    note(d, &n);
}

/* Decides `height` stored with `hash` (by a commit or block sync): pbft moves on with
 * the next set, then the journal of decided heights may go. */
static int decided(yc_drv *d, uint64_t height, const uint8_t hash[YC_HASH_LEN],
                   const struct yc_valset *next, uint64_t now)
{
    int rc = pbft_decided(d->pbft, height, hash, next, now);
    if (rc == YC_ENOTAUTH)
        return stop(d, rc);
    if (rc == YC_OK && next != NULL)
        d->nvalidators = next->n;
    else if (rc != YC_OK && rc != YC_ESTALE) /* a set pbft cannot take: a bug to report */
        note(d, &(struct yc_drv_note){.kind = YC_DRV_NOTE_REFUSED, .height = height, .code = rc});
    if (d->io.prune != NULL) {
        int prc = d->io.prune(d->io.ctx, height);
        if (prc != YC_OK)
            return stop(d, prc);
    }
    d->last_commit = now;
    d->work = (struct yc_drv_work){0}; /* the block took txs: unknown until yc_drv_work */
    d->refresh = true;
    return YC_OK;
}

static int drive(yc_drv *d, uint64_t now)
{
    while (d->stopped == YC_OK && (d->refresh || pbft_has_ready(d->pbft)) && !held(d, now)) {
        d->refresh = false;
        struct pbft_ready rd;
        pbft_ready(d->pbft, &rd);
        /* 1. durable before anything leaves */
        if (rd.nrecords > 0 && d->io.persist_all != NULL) {
            int rc = d->io.persist_all(d->io.ctx, rd.height, rd.records, rd.nrecords);
            if (rc != YC_OK)
                return stop(d, rc);
        }
        for (size_t i = 0; d->io.persist_all == NULL && i < rd.nrecords; i++) {
            int rc = d->io.persist(d->io.ctx, rd.height, rd.records[i].bytes, rd.records[i].len);
            if (rc != YC_OK)
                return stop(d, rc);
        }
        /* 2. then the messages (their votes are durable now) */
        for (size_t i = 0; i < rd.nmsgs; i++)
            d->io.send(d->io.ctx, rd.msgs[i].to, rd.msgs[i].bytes, rd.msgs[i].len);
        if (rd.peer_height > d->hinted && d->io.sync_hint != NULL) {
            d->hinted = rd.peer_height;
            d->io.sync_hint(d->io.ctx, rd.peer_height);
        }
        /* 3. the commit: stored before it is decided */
        const struct yc_valset *next = NULL;
        bool committed = rd.has_commit;
        uint64_t ch = rd.commit.height;
        uint8_t chash[YC_HASH_LEN];
        if (committed) {
            memcpy(chash, rd.commit.digest, YC_HASH_LEN);
            int rc = d->io.store(d->io.ctx, &rd.commit, &next);
            if (rc != YC_OK)
                return stop(d, rc);
        }
        /* 4. proposals to check, but none of the height just stored (the commit came
         * before the PRE-PREPARE): verdicts come back as yc_drv_checked */
        for (size_t i = 0; i < rd.nproposals; i++)
            if (!committed || rd.proposals[i].height > ch)
                d->io.check(d->io.ctx, &rd.proposals[i]);
        for (size_t i = 0; i < rd.nevidence; i++)
            note(d, &(struct yc_drv_note){.kind = YC_DRV_NOTE_EVIDENCE,
                                          .height = rd.height,
                                          .view = rd.view,
                                          .evidence = &rd.evidence[i]});
        if (rd.want_proposal) {
            if (!d->want || d->want_h != rd.height || d->want_v != rd.view)
                d->nothing = false; /* a new height or view: try the mempool again */
            d->want = true;
            d->want_h = rd.height;
            d->want_v = rd.view;
        } else if (rd.height != d->want_h || rd.view != d->want_v) {
            d->want = false;
        }
        if (rd.view != d->view || rd.height != d->height) {
            uint64_t from_view = rd.height == d->height ? d->view : 0;
            if (rd.view > from_view)
                view_change(d, &rd, from_view, now);
            d->height = rd.height;
            d->view = rd.view;
            d->view_since = now;
        }
        d->view_changes = rd.view_changes;
        pbft_advance(d->pbft);
        if (committed) {
            int rc = decided(d, ch, chash, next, now);
            if (rc != YC_OK)
                return rc;
        }
    }
    if (d->stopped != YC_OK)
        return d->stopped;
    if (held(d, now))
        return YC_OK;
    return propose(d, now);
}

/* ---- inputs ---- */

int yc_drv_step(yc_drv *d, uint32_t from, const uint8_t *msg, size_t len, uint64_t now_ms,
                int *refused)
{
    *refused = YC_EBUSY;
    if (d->stopped != YC_OK)
        return YC_EBUSY;
    d->trigger = TRIG_MSG;
    d->trigger_from = from;
    *refused = pbft_step(d->pbft, from, msg, len, now_ms);
    int rc = drive(d, now_ms);
    d->trigger = TRIG_OTHER;
    return rc;
}

int yc_drv_tick(yc_drv *d, uint64_t now_ms)
{
    if (d->stopped != YC_OK)
        return YC_EBUSY;
    if (d->armed_at != 0 && now_ms >= d->armed_at)
        d->armed_at = 0; /* fired */
    set_idle(d, now_ms);
    d->trigger = TRIG_CLOCK;
    pbft_tick(d->pbft, now_ms);
    int rc = drive(d, now_ms);
    d->trigger = TRIG_OTHER;
    return rc;
}

int yc_drv_checked(yc_drv *d, uint64_t height, uint64_t view, const uint8_t digest[YC_HASH_LEN],
                   bool ok, uint64_t now_ms)
{
    if (d->stopped != YC_OK)
        return YC_EBUSY;
    int rc = pbft_block_checked(d->pbft, height, view, digest, ok, now_ms);
    if (rc != YC_OK && rc != YC_ESTALE && rc != YC_ENOTFOUND)
        note(d, &(struct yc_drv_note){
                    .kind = YC_DRV_NOTE_REFUSED, .height = height, .view = view, .code = rc});
    return drive(d, now_ms);
}

int yc_drv_synced(yc_drv *d, uint64_t height, const uint8_t hash[YC_HASH_LEN],
                  const struct yc_valset *next, uint64_t now_ms)
{
    if (d->stopped != YC_OK)
        return YC_EBUSY;
    int rc = decided(d, height, hash, next, now_ms);
    if (rc != YC_OK)
        return rc;
    return drive(d, now_ms);
}

int yc_drv_work(yc_drv *d, const struct yc_drv_work *w, uint64_t now_ms)
{
    if (d->stopped != YC_OK)
        return YC_EBUSY;
    if (w->count != d->work.count || w->bytes != d->work.bytes || w->oldest_ms != d->work.oldest_ms)
        d->nothing = false; /* other txs: the build may find something now */
    d->work = *w;
    set_idle(d, now_ms);
    return drive(d, now_ms);
}

void yc_drv_peers(yc_drv *d, bool all_connected)
{
    d->peers_ok = all_connected;
}

void yc_drv_status(const yc_drv *d, struct yc_drv_status *st)
{
    st->height = d->height;
    st->view = d->view;
    st->view_changes = d->view_changes;
    st->last_commit_ms = d->last_commit;
    st->view_since_ms = d->view_since;
    st->primary = pbft_primary(d->nvalidators, d->height, d->view);
    st->stopped = d->stopped != YC_OK;
}

/* ---- lifecycle ---- */

int yc_drv_create(yc_drv **out, const struct yc_drv_config *cfg, const struct yc_drv_io *io,
                  uint64_t height, const uint8_t prev[YC_HASH_LEN],
                  const struct pbft_record *journal, size_t njournal, uint64_t now_ms)
{
    *out = NULL;
    yc_drv *d = yc_calloc(1, sizeof *d);
    if (d == NULL)
        return YC_ENOMEM;
    d->cfg = *cfg;
    d->io = *io;
    int rc = pbft_create(&d->pbft, &cfg->pbft, height, prev, journal, njournal, now_ms);
    if (rc != YC_OK) {
        yc_free(d);
        return rc;
    }
    d->nvalidators =
        cfg->pbft.validators != NULL ? cfg->pbft.validators->n : cfg->pbft.genesis->nvalidators;
    d->height = height;
    d->last_commit = now_ms;
    d->view_since = now_ms;
    if (cfg->startup_hold_ms > 0)
        d->hold_until = now_ms + cfg->startup_hold_ms;
    rc = drive(d, now_ms);
    if (rc != YC_OK) {
        yc_drv_destroy(d);
        return rc;
    }
    *out = d;
    return YC_OK;
}

void yc_drv_destroy(yc_drv *d)
{
    if (d == NULL)
        return;
    pbft_destroy(d->pbft);
    yc_free(d);
}
