/*
 * sim_core.c — the simulated network, the per-instance drivers and the checkers.
 *
 * Event loop: a binary heap of events ordered by (time, sequence number); the
 * sequence number breaks ties, so one seed gives one run. Each instance runs the
 * driver yuchaind runs (yc/driver.h), which orders everything (journal records first,
 * then messages, the commit to store, proposals to check, a block when the node is the
 * primary); its effects here are the simulator's (io_* below). Block sync: every
 * instance announces its height; a peer that is ahead answers with the next block and
 * its certificate, which the receiver checks before storing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"
#include "yc/alloc.h"
#include "yc/driver.h"

#define TICK_MS 100
#define BYZ_MS 250

/* ---- reporting ---- */

void sim__fail(struct sim *s, bool *flag, const char *fmt, ...)
{
    va_list ap;
    bool primary = flag == &s->res->safety || flag == &s->res->equivocation;
    if (!*flag &&
        (s->res->why[0] == '\0' || (primary && !s->res->safety && !s->res->equivocation))) {
        va_start(ap, fmt);
        vsnprintf(s->res->why, sizeof s->res->why, fmt, ap);
        va_end(ap);
    }
    *flag = true;
    if (s->p->verbose) {
        printf("  [%8llu] CHECK FAILED: %s\n", (unsigned long long)s->now, s->res->why);
    }
}

void sim__log(const struct sim *s, const char *fmt, ...)
{
    va_list ap;
    if (!s->p->verbose) {
        return;
    }
    printf("  [%8llu] ", (unsigned long long)s->now);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* ---- event heap ---- */

static bool ev_less(const struct ev *a, const struct ev *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

void sim__push(struct sim *s, struct ev e)
{
    size_t i;
    if (s->nheap == s->capheap) {
        s->capheap = s->capheap ? s->capheap * 2 : 256;
        s->heap = realloc(s->heap, s->capheap * sizeof *s->heap);
        if (s->heap == NULL) {
            abort();
        }
    }
    e.seq = s->seq++;
    i = s->nheap++;
    while (i > 0 && ev_less(&e, &s->heap[(i - 1) / 2])) {
        s->heap[i] = s->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    s->heap[i] = e;
}

static struct ev pop(struct sim *s)
{
    struct ev top = s->heap[0];
    struct ev last = s->heap[--s->nheap];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const struct ev *best = &last;
        if (l < s->nheap && ev_less(&s->heap[l], best)) {
            m = l;
            best = &s->heap[l];
        }
        if (r < s->nheap && ev_less(&s->heap[r], best)) {
            m = r;
        }
        if (m == i) {
            break;
        }
        s->heap[i] = s->heap[m];
        i = m;
    }
    if (s->nheap > 0) {
        s->heap[i] = last;
    }
    return top;
}

/* ---- validator sets ---- */

const struct yc_valset *sim__set_at(const struct sim *s, uint64_t h)
{
    const struct yc_valset *vs = &s->sets[0];
    for (uint32_t k = 0; k < s->p->nchanges; k++) {
        if (s->p->changes[k].height <= h) {
            vs = &s->sets[k + 1];
        }
    }
    return vs;
}

const struct yc_valset *sim__inst_set(const struct sim *s, const struct inst *in, uint64_t h)
{
    if (s->p->late_switch && in->vid == s->p->late_key && h > 1) {
        return sim__set_at(s, h - 1);
    }
    return sim__set_at(s, h);
}

int sim__key_index(const struct sim *s, const struct yc_valset *vs, uint32_t key)
{
    return yc_valset_index(vs, s->c->pubs[key]);
}

/* The key id of validator `idx` of vs. */
static uint32_t key_of(const struct sim *s, const struct yc_valset *vs, uint32_t idx)
{
    for (uint32_t k = 0; k < s->p->n + SIM_SPARE_KEYS; k++) {
        if (memcmp(s->c->pubs[k], vs->keys[idx], YC_PUBKEY_LEN) == 0) {
            return k;
        }
    }
    abort(); /* every set is made of the chain's keys */
}

/* ---- network ---- */

void sim__send_inst(struct sim *s, int src, int dst, enum ev_kind kind, uint32_t from,
                    const uint8_t *p, size_t len, uint64_t arg, bool must_refuse)
{
    int copies = 1;
    if (src >= 0 && s->inst[src].group != s->inst[dst].group) {
        return; /* partitioned */
    }
    if (sim_chance(&s->rng, s->drop)) {
        return;
    }
    if (sim_chance(&s->rng, s->dup)) {
        copies = 2;
    }
    for (int k = 0; k < copies; k++) {
        struct ev e;
        memset(&e, 0, sizeof e);
        e.t = s->now + sim_range(&s->rng, s->dmin, s->dmax);
        e.kind = kind;
        e.dst = dst;
        e.src = src;
        e.from = from;
        e.arg = arg;
        e.must_refuse = must_refuse;
        if (len > 0) {
            e.data = malloc(len);
            if (e.data == NULL) {
                abort();
            }
            memcpy(e.data, p, len);
            e.len = len;
        }
        sim__push(s, e);
    }
}

void sim__send(struct sim *s, int src, uint32_t to, const uint8_t *p, size_t len, bool must_refuse)
{
    const struct inst *in = &s->inst[src];
    uint32_t from = in->vid;
    const struct yc_valset *vs = sim__inst_set(s, in, in->height + 1);
    uint32_t tokey = to != PBFT_BROADCAST && to < vs->n ? key_of(s, vs, to) : UINT32_MAX;
    if (to != PBFT_BROADCAST && tokey == UINT32_MAX) {
        return;
    }
    for (int d = 0; d < s->ninst; d++) {
        uint32_t v = s->inst[d].vid;
        if (d == src || v == from || (to != PBFT_BROADCAST && v != tokey)) {
            continue;
        }
        sim__send_inst(s, src, d, EV_MSG, from, p, len, 0, must_refuse);
    }
}

/* ---- checks ---- */

static void note_vote(struct sim *s, int i, const uint8_t *msg, size_t len)
{
    struct sim_vote v;
    struct inst *in = &s->inst[i];
    uint8_t phase;
    uint64_t hsh;
    if (!in->honest || !sim_parse(msg, len, &v) || !v.has_digest) {
        return;
    }
    if (v.prepare_vote) {
        phase = 0;
    } else if (v.type == 3) {
        phase = 1;
    } else {
        return;
    }
    hsh = (v.height * 1000003u) ^ (v.view * 7919u) ^ ((uint64_t)in->vid << 40) ^ phase;
    for (uint32_t k = 0; k < SIM_VOTES; k++) {
        struct votekey *e = &s->votes[(hsh + k) % SIM_VOTES];
        if (!e->used) {
            e->used = true;
            e->vid = in->vid;
            e->phase = phase;
            e->height = v.height;
            e->view = v.view;
            memcpy(e->digest, v.digest, YC_HASH_LEN);
            return;
        }
        if (e->vid == in->vid && e->phase == phase && e->height == v.height && e->view == v.view) {
            if (memcmp(e->digest, v.digest, YC_HASH_LEN) != 0) {
                sim__fail(s, &s->res->equivocation,
                          "validator %u signed two %s digests at height %llu view %llu", in->vid,
                          phase ? "COMMIT" : "PREPARE", (unsigned long long)v.height,
                          (unsigned long long)v.view);
            }
            return;
        }
    }
}

/* Stores a block that is final at instance i (commit or sync). */
static void store_block(struct sim *s, int i, uint64_t h, const uint8_t digest[YC_HASH_LEN],
                        const uint8_t *block, size_t len, const struct yc_cert *cert,
                        uint64_t time_ms)
{
    struct inst *in = &s->inst[i];
    struct chainent *ce = &in->chain[h];
    memcpy(ce->hash, digest, YC_HASH_LEN);
    ce->time_ms = time_ms;
    ce->block = malloc(len);
    ce->cert = malloc(sizeof *cert);
    if (ce->block == NULL || ce->cert == NULL) {
        abort();
    }
    memcpy(ce->block, block, len);
    ce->len = len;
    *ce->cert = *cert;
    in->height = h;
    if (h > s->res->heights) {
        s->res->heights = h;
    }
    if (in->honest) {
        if (s->has_committed[h] && memcmp(s->committed[h], digest, YC_HASH_LEN) != 0) {
            sim__fail(s, &s->res->safety,
                      "height %llu: instance %d (v%u) and instance %d (v%u) "
                      "committed different blocks",
                      (unsigned long long)h, s->committed_by[h], s->inst[s->committed_by[h]].vid, i,
                      in->vid);
        } else if (!s->has_committed[h]) {
            s->has_committed[h] = true;
            memcpy(s->committed[h], digest, YC_HASH_LEN);
            s->committed_by[h] = i;
        }
    }
}

/* Checks a final block as block sync or the audit tool would; returns its time. */
static bool check_final(struct sim *s, int i, uint64_t h, const uint8_t digest[YC_HASH_LEN],
                        const uint8_t *block, size_t len, const struct yc_cert *cert,
                        uint64_t *time_ms)
{
    struct inst *in = &s->inst[i];
    struct yc_block b;
    bool ok;
    uint8_t key[YC_HASH_LEN];
    bool known = false;
    {
        /* each distinct certificate is verified once per run: the same bytes give the
         * same answer (this checks consensus' output; it bypasses none of its checks) */
        uint8_t buf[8 + YC_HASH_LEN + sizeof *cert];
        memcpy(buf, &h, 8);
        memcpy(buf + 8, digest, YC_HASH_LEN);
        memcpy(buf + 8 + YC_HASH_LEN, cert, sizeof *cert);
        yc_sha256(key, buf, sizeof buf);
        for (uint32_t k = 0; k < s->ncerts_ok && k < 64; k++) {
            known |= memcmp(s->certs_ok[k], key, YC_HASH_LEN) == 0;
        }
    }
    if (!known &&
        yc_cert_check(cert, sim__set_at(s, h), s->c->g.chain_id, h, digest, NULL) != YC_OK) {
        return false;
    }
    if (!known) {
        memcpy(s->certs_ok[s->ncerts_ok++ % 64], key, YC_HASH_LEN);
    }
    if (yc_block_decode(&b, block, len) != YC_OK) {
        return false;
    }
    ok = memcmp(b.hash, digest, YC_HASH_LEN) == 0 && b.hdr.height == h &&
         memcmp(b.hdr.prev_hash, in->chain[h - 1].hash, YC_HASH_LEN) == 0;
    *time_ms = b.hdr.time_ms;
    yc_block_cleanup(&b);
    return ok;
}

/* ---- drivers: the pure driver of consensus/ (yc/driver.h), as yuchaind runs it ---- */

static void schedule(struct sim *s, enum ev_kind k, int dst, uint64_t at);
static void start(struct sim *s, int i);

static void crash(struct sim *s, int i)
{
    struct inst *in = &s->inst[i];
    struct ev e;
    yc_drv_destroy(in->drv);
    in->drv = NULL;
    yc_free(in->built);
    in->built = NULL;
    in->alive = false;
    in->crash_pending = false;
    s->res->crashes++;
    memset(&e, 0, sizeof e);
    e.t = s->now + sim_range(&s->rng, s->p->restart_min_ms, s->p->restart_max_ms);
    e.kind = EV_RESTART;
    e.dst = i;
    e.src = -1;
    sim__push(s, e);
    sim__log(s, "instance %d (v%u) crashed at height %llu", i, in->vid,
             (unsigned long long)in->height + 1);
}

/* Persist: append to the journal; a crash may cut the power right after (before or after
 * the messages of the ready go out: before, the driver is told the write failed, so it
 * sends nothing; after, the instance crashes once the input returns). */
static int io_persist(void *ctx, uint64_t height, const uint8_t *rec, size_t len)
{
    struct sim_io *c = ctx;
    struct sim *s = c->s;
    struct inst *in = &s->inst[c->i];
    struct jrec *j;
    if (in->njournal == in->capjournal) {
        in->capjournal = in->capjournal ? in->capjournal * 2 : 16;
        in->journal = realloc(in->journal, in->capjournal * sizeof *in->journal);
        if (in->journal == NULL) {
            abort();
        }
    }
    j = &in->journal[in->njournal++];
    j->height = height;
    j->len = len;
    j->bytes = malloc(len);
    if (j->bytes == NULL) {
        abort();
    }
    memcpy(j->bytes, rec, len);
    if (!in->crash_pending && s->faults && in->byz == SIM_HONEST &&
        sim_chance(&s->rng, s->p->crash_per_record)) {
        in->crash_pending = true;
        if (sim_chance(&s->rng, 0.5)) {
            return YC_EIO; /* before the send */
        }
    }
    return YC_OK;
}

static void io_send(void *ctx, uint32_t to, const uint8_t *msg, size_t len)
{
    struct sim_io *c = ctx;
    struct inst *in = &c->s->inst[c->i];
    note_vote(c->s, c->i, msg, len);
    if (in->byz != SIM_HONEST) {
        sim__byz_outgoing(c->s, c->i, to, msg, len);
    } else {
        sim__send(c->s, c->i, to, msg, len, false);
    }
}

/* Executes a proposal: a simulated block is valid iff its state root is right, it records
 * the outcome its height calls for (sim_outcome) and its time follows its parent's. */
static bool execute(const struct sim *s, int i, const struct pbft_proposal *pr)
{
    const struct inst *in = &s->inst[i];
    struct yc_block b;
    uint8_t root[YC_HASH_LEN];
    bool ok;
    if (pr->height != in->height + 1 || yc_block_decode(&b, pr->block, pr->len) != YC_OK) {
        return false;
    }
    sim_state_root(root, b.hdr.height, b.hdr.prev_hash);
    ok = memcmp(root, b.hdr.state_root, YC_HASH_LEN) == 0 && b.ntx == 1 &&
         b.results[0] == sim_outcome(b.hdr.height) && b.hdr.time_ms > in->chain[in->height].time_ms;
    yc_block_cleanup(&b);
    return ok;
}

/* Check: the verdict goes back as an event of this same instant (never from inside the
 * effect): [height][view][digest][ok]. */
static void io_check(void *ctx, const struct pbft_proposal *p)
{
    struct sim_io *c = ctx;
    struct ev e;
    memset(&e, 0, sizeof e);
    e.t = c->s->now;
    e.kind = EV_CHECKED;
    e.dst = c->i;
    e.src = -1;
    e.len = 16 + YC_HASH_LEN;
    e.data = malloc(e.len);
    if (e.data == NULL) {
        abort();
    }
    memcpy(e.data, &p->height, 8);
    memcpy(e.data + 8, &p->view, 8);
    memcpy(e.data + 16, p->digest, YC_HASH_LEN);
    e.arg = execute(c->s, c->i, p);
    sim__push(c->s, e);
}

static int io_store(void *ctx, const struct pbft_commit *cm, const struct yc_valset **next)
{
    struct sim_io *c = ctx;
    struct sim *s = c->s;
    int i = c->i;
    struct inst *in = &s->inst[i];
    uint64_t ctime = 0;
    if (cm->height != in->height + 1) {
        sim__fail(s, &s->res->error, "instance %d: commit of height %llu at height %llu", i,
                  (unsigned long long)cm->height, (unsigned long long)in->height + 1);
        return YC_EINVAL;
    }
    if (!check_final(s, i, cm->height, cm->digest, cm->block, cm->len, &cm->cert, &ctime)) {
        /* recorded, and the run goes on so that the fork it allows shows too */
        sim__fail(s, &s->res->badcert,
                  "instance %d: commit at height %llu fails its checks (certificate, "
                  "hash or parent)",
                  i, (unsigned long long)cm->height);
    }
    store_block(s, i, cm->height, cm->digest, cm->block, cm->len, &cm->cert, ctime);
    sim__log(s, "instance %d (v%u) commits height %llu in view %llu", i, in->vid,
             (unsigned long long)cm->height, (unsigned long long)cm->cert.view);
    *next = sim__inst_set(s, in, cm->height + 1);
    return YC_OK;
}

/* Build: the chain's one transaction on the parent, a little after being asked (the
 * driver's empty-block interval); nothing beyond max_height while faults last. */
static int io_build(void *ctx, uint64_t h, uint64_t view, bool allow_empty, const uint8_t **block,
                    size_t *len)
{
    struct sim_io *c = ctx;
    struct sim *s = c->s;
    int i = c->i;
    struct inst *in = &s->inst[i];
    uint8_t digest[YC_HASH_LEN];
    uint64_t t = in->chain[in->height].time_ms + 1;
    int idx;
    (void)allow_empty;
    if (h != in->height + 1) {
        return YC_ENOTFOUND;
    }
    if (h >= SIM_MAX_HEIGHT || (h > s->p->max_height && h > s->goal)) {
        return YC_ELIMIT; /* enough blocks: keep the run short (tried again after a backoff) */
    }
    /* distinct times give twins and restarted primaries distinct blocks */
    {
        uint64_t salt = (uint64_t)i * 4 + (in->proposals++ % 4);
        uint64_t mine = s->c->g.genesis_time_ms + s->now * 64 + salt;
        if (mine > t) {
            t = mine;
        }
    }
    idx = sim__key_index(s, sim__inst_set(s, in, h), in->vid);
    if (idx < 0) {
        return YC_ENOTFOUND; /* asked before its key left the set */
    }
    yc_free(in->built);
    in->built = sim_block(s->c, h, view, (uint32_t)idx, in->chain[in->height].hash, t,
                          in->byz != SIM_BYZ_BAD_BLOCK, len, digest);
    *block = in->built;
    sim__log(s, "instance %d (v%u) proposes height %llu view %llu", i, in->vid,
             (unsigned long long)h, (unsigned long long)view);
    return YC_OK;
}

static void io_arm(void *ctx, uint64_t at_ms)
{
    struct sim_io *c = ctx;
    schedule(c->s, EV_WAKE, c->i, at_ms > c->s->now ? at_ms : c->s->now);
}

/* The journal of decided heights may go. */
static int io_prune(void *ctx, uint64_t h)
{
    struct sim_io *c = ctx;
    struct inst *in = &c->s->inst[c->i];
    size_t k = 0;
    for (size_t j = 0; j < in->njournal; j++) {
        if (in->journal[j].height <= h) {
            free(in->journal[j].bytes);
        } else {
            in->journal[k++] = in->journal[j];
        }
    }
    in->njournal = k;
    return YC_OK;
}

static void io_note(void *ctx, const struct yc_drv_note *n)
{
    struct sim_io *c = ctx;
    struct sim *s = c->s;
    if (n->kind == YC_DRV_NOTE_EVIDENCE) {
        s->res->evidence++;
    } else if (n->kind == YC_DRV_NOTE_REFUSED && n->code != YC_ESTALE) {
        sim__fail(s, &s->res->error, "instance %d: consensus refused at height %llu: %s", c->i,
                  (unsigned long long)n->height, yc_err_name(n->code));
    }
}

/* After an input: the position for the byzantine behaviours and the counters; a pending
 * crash happens now; a key that left the set stops its driver. */
static void fed(struct sim *s, int i, int rc)
{
    struct inst *in = &s->inst[i];
    struct yc_drv_status st;
    if (in->drv != NULL) {
        yc_drv_status(in->drv, &st);
        in->cur_height = st.height;
        in->cur_view = st.view;
        if (st.view > s->res->max_view) {
            s->res->max_view = st.view;
        }
        if (st.view_changes > in->vc_seen) {
            s->res->view_changes += st.view_changes - in->vc_seen;
            in->vc_seen = st.view_changes;
        }
    }
    if (in->crash_pending) {
        crash(s, i);
    } else if (rc == YC_ENOTAUTH) {
        sim__log(s, "instance %d (v%u) leaves the validators at height %llu", i, in->vid,
                 (unsigned long long)in->height + 1);
        yc_drv_destroy(in->drv);
        in->drv = NULL;
    } else if (rc != YC_OK && rc != YC_EBUSY && !s->res->error) {
        sim__fail(s, &s->res->error, "instance %d: driver stopped: %s", i, yc_err_name(rc));
    }
}

static void start(struct sim *s, int i)
{
    struct inst *in = &s->inst[i];
    const struct yc_valset *vs = sim__inst_set(s, in, in->height + 1);
    struct pbft_record *recs;
    size_t nr = 0;
    int rc;

    if (in->byz == SIM_BYZ_SILENT || sim__key_index(s, vs, in->vid) < 0) {
        in->alive = true; /* silent, or an observer: it follows the chain by block sync */
        return;
    }
    in->vc_seen = 0;
    in->io.s = s;
    in->io.i = i;
    struct yc_drv_config cfg = {
        .pbft =
            {
                .genesis = &s->c->g,
                .validators = vs,
                .signer = s->c->signers[in->vid],
                .base_timeout_ms = s->p->base_timeout_ms,
                .mutant = s->p->mutant,
            },
        .batch_max_txs = 1,
        .batch_max_bytes = 1,
        /* no mempool: every block is "empty", proposed a little after the last commit */
        .create_empty_blocks = true,
        .empty_interval_ms = sim_range(&s->rng, s->p->propose_delay_ms / 2, s->p->propose_delay_ms),
    };
    struct yc_drv_io io = {
        .ctx = &in->io,
        .persist = io_persist,
        .send = io_send,
        .check = io_check,
        .store = io_store,
        .build = io_build,
        .arm = io_arm,
        .prune = io_prune,
        .note = io_note,
    };
    recs = calloc(in->njournal + 1, sizeof *recs);
    if (recs == NULL) {
        abort();
    }
    for (size_t k = 0; k < in->njournal; k++) {
        if (in->journal[k].height == in->height + 1) {
            recs[nr].bytes = in->journal[k].bytes;
            recs[nr].len = in->journal[k].len;
            nr++;
        }
    }
    in->alive = true;
    rc = yc_drv_create(&in->drv, &cfg, &io, in->height + 1, in->chain[in->height].hash, recs, nr,
                       s->now);
    free(recs);
    if (rc != YC_OK && !in->crash_pending) {
        sim__fail(s, &s->res->error, "instance %d: yc_drv_create from its journal: %s", i,
                  yc_err_name(rc));
        in->alive = false;
        return;
    }
    fed(s, i, YC_OK);
}

/* ---- event handlers ---- */

static void on_msg(struct sim *s, const struct ev *e)
{
    struct inst *in = &s->inst[e->dst];
    int rc, refused, from;
    s->res->deliveries++;
    if (!in->alive || in->drv == NULL) {
        return;
    }
    /* the transport knows the sender by its key: a validator of the set in force here */
    from = sim__key_index(s, sim__inst_set(s, in, in->height + 1), e->from);
    if (from < 0) {
        return;
    }
    if (in->byz != SIM_HONEST) {
        sim__byz_seen(s, e->dst, e->data, e->len);
    }
    rc = yc_drv_step(in->drv, (uint32_t)from, e->data, e->len, s->now, &refused);
    if (refused != YC_OK) {
        s->res->refused++;
    }
    if (e->must_refuse && refused == YC_OK && in->honest) {
        struct sim_vote v;
        bool parsed = sim_parse(e->data, e->len, &v);
        if (parsed && v.height == in->height + 2) {
            goto out; /* buffered for the next height, judged when it is replayed */
        }
        sim__fail(s, &s->res->refusal,
                  "instance %d accepted a crafted bad message from v%u (type %d)", e->dst, e->from,
                  parsed ? v.type : -1);
    }
out:
    fed(s, e->dst, rc);
}

static void on_status(struct sim *s, const struct ev *e)
{
    struct inst *in = &s->inst[e->dst];
    const struct chainent *ce;
    uint64_t h = e->arg + 1;
    if (!in->alive || in->byz != SIM_HONEST || in->height < h) {
        return;
    }
    ce = &in->chain[h];
    /* the block and its certificate travel as one message: [height][cert][block] */
    {
        size_t len = sizeof(struct yc_cert) + ce->len;
        uint8_t *buf = malloc(len);
        if (buf == NULL) {
            abort();
        }
        memcpy(buf, ce->cert, sizeof(struct yc_cert));
        memcpy(buf + sizeof(struct yc_cert), ce->block, ce->len);
        sim__send_inst(s, e->dst, e->src, EV_BLOCK, in->vid, buf, len, h, false);
        free(buf);
    }
}

static void on_block(struct sim *s, const struct ev *e)
{
    struct inst *in = &s->inst[e->dst];
    struct yc_cert cert;
    struct yc_block b;
    uint8_t digest[YC_HASH_LEN];
    uint64_t t;
    uint64_t h = e->arg;
    const uint8_t *block = e->data + sizeof cert;
    size_t len = e->len - sizeof cert;
    if (!in->alive || in->byz == SIM_BYZ_SILENT || h != in->height + 1) {
        return;
    }
    memcpy(&cert, e->data, sizeof cert);
    if (yc_block_decode(&b, block, len) != YC_OK) {
        return;
    }
    memcpy(digest, b.hash, YC_HASH_LEN);
    yc_block_cleanup(&b);
    if (!check_final(s, e->dst, h, digest, block, len, &cert, &t)) {
        sim__fail(s, &s->res->badcert, "block sync: a peer served a block that fails its checks");
        return;
    }
    store_block(s, e->dst, h, digest, block, len, &cert, t);
    sim__log(s, "instance %d (v%u) synced height %llu", e->dst, in->vid, (unsigned long long)h);
    /* its node decides h + 1 with the set in force there; a node whose key left the set
     * stops, an observer whose key joined it starts */
    const struct yc_valset *next = sim__inst_set(s, in, h + 1);
    if (in->drv != NULL) {
        fed(s, e->dst, yc_drv_synced(in->drv, h, digest, next, s->now));
    } else if (sim__key_index(s, next, in->vid) >= 0 && in->byz != SIM_BYZ_SILENT) {
        sim__log(s, "instance %d (v%u) joins the validators at height %llu", e->dst, in->vid,
                 (unsigned long long)h + 1);
        start(s, e->dst);
    }
}

static void schedule(struct sim *s, enum ev_kind k, int dst, uint64_t at)
{
    struct ev e;
    memset(&e, 0, sizeof e);
    e.t = at;
    e.kind = k;
    e.dst = dst;
    e.src = -1;
    sim__push(s, e);
}

static void partition(struct sim *s)
{
    uint32_t groups = (uint32_t)sim_range(&s->rng, 1, 3);
    for (int i = 0; i < s->ninst; i++) {
        s->inst[i].group = (uint32_t)sim_range(&s->rng, 0, groups - 1);
    }
    if (s->p->verbose) {
        char buf[128];
        size_t o = 0;
        for (int i = 0; i < s->ninst; i++) {
            o += (size_t)snprintf(buf + o, sizeof buf - o, "%d:%u ", i, s->inst[i].group);
        }
        sim__log(s, "partition %s", buf);
    }
}

static void heal(struct sim *s)
{
    uint64_t maxh = 0;
    s->faults = false;
    s->drop = 0;
    s->dup = 0;
    s->dmin = 1;
    s->dmax = 20;
    for (int i = 0; i < s->ninst; i++) {
        s->inst[i].group = 0;
        if (s->inst[i].height > maxh) {
            maxh = s->inst[i].height;
        }
    }
    s->goal = maxh + 1 > s->p->min_height ? maxh + 1 : s->p->min_height;
    if (s->goal > SIM_MAX_HEIGHT - 4) {
        s->goal = SIM_MAX_HEIGHT - 4;
    }
    s->deadline = s->now + s->p->deadline_ms;
    sim__log(s, "network healed; goal height %llu", (unsigned long long)s->goal);
}

static bool goal_reached(const struct sim *s)
{
    if (s->faults) {
        return false;
    }
    for (int i = 0; i < s->ninst; i++) {
        const struct inst *in = &s->inst[i];
        if (in->honest && (!in->alive || in->height < s->goal)) {
            return false;
        }
    }
    return true;
}

static void handle(struct sim *s, struct ev *e)
{
    struct inst *in = e->dst >= 0 ? &s->inst[e->dst] : NULL;
    switch (e->kind) {
    case EV_MSG:
        on_msg(s, e);
        break;
    case EV_TICK:
        if (in->alive && in->drv != NULL) {
            fed(s, e->dst, yc_drv_tick(in->drv, s->now));
        }
        schedule(s, EV_TICK, e->dst, s->now + TICK_MS);
        break;
    case EV_SYNC:
        if (in->alive && in->byz == SIM_HONEST) {
            for (int d = 0; d < s->ninst; d++) {
                if (d != e->dst) {
                    sim__send_inst(s, e->dst, d, EV_STATUS, in->vid, NULL, 0, in->height, false);
                }
            }
        }
        schedule(s, EV_SYNC, e->dst, s->now + s->p->sync_ms);
        break;
    case EV_STATUS:
        on_status(s, e);
        break;
    case EV_BLOCK:
        on_block(s, e);
        break;
    case EV_RESTART:
        sim__log(s, "instance %d (v%u) restarts", e->dst, in->vid);
        start(s, e->dst);
        break;
    case EV_BYZ:
        if (in->alive) {
            sim__byz_act(s, e->dst);
        }
        schedule(s, EV_BYZ, e->dst, s->now + BYZ_MS + sim_range(&s->rng, 0, 50));
        break;
    case EV_ROUND:
        if (s->faults) {
            partition(s);
        }
        break;
    case EV_HEAL:
        heal(s);
        break;
    case EV_WAKE: /* the driver's timer */
        if (in->alive && in->drv != NULL) {
            fed(s, e->dst, yc_drv_tick(in->drv, s->now));
        }
        break;
    case EV_CHECKED: /* a verdict, handed back after the effect that asked for it */
        if (in->alive && in->drv != NULL) {
            uint64_t h, v;
            memcpy(&h, e->data, 8);
            memcpy(&v, e->data + 8, 8);
            fed(s, e->dst, yc_drv_checked(in->drv, h, v, e->data + 16, e->arg != 0, s->now));
        }
        break;
    }
}

bool sim_run(const struct sim_params *p, uint64_t seed, struct sim_result *res)
{
    struct sim *s = calloc(1, sizeof *s);
    uint64_t fault_ms;
    uint32_t nkeys;
    bool ok;

    if (s == NULL) {
        abort();
    }
    memset(res, 0, sizeof *res);
    s->p = p;
    s->res = res;
    s->rng.s = seed * 0x2545f4914f6cdd1dull + 1;
    s->c = sim_chain_get(p->n);
    s->votes = calloc(SIM_VOTES, sizeof *s->votes);
    if (s->votes == NULL) {
        abort();
    }
    s->drop = p->drop;
    s->dup = p->dup;
    s->dmin = p->delay_min_ms;
    s->dmax = p->delay_max_ms;
    s->faults = true;

    /* the sets, and the keys that are ever validators */
    nkeys = p->n;
    yc_valset_genesis(&s->sets[0], &s->c->g);
    for (uint32_t k = 0; k < p->nchanges && k < SIM_MAX_CHANGES; k++) {
        struct yc_valset *vs = &s->sets[k + 1];
        vs->n = p->changes[k].n;
        vs->quorum = yc_quorum(vs->n);
        for (uint32_t j = 0; j < vs->n; j++) {
            uint32_t key = p->changes[k].keys[j];
            memcpy(vs->keys[j], s->c->pubs[key], YC_PUBKEY_LEN);
            nkeys = key + 1 > nkeys ? key + 1 : nkeys;
        }
    }
    /* instances: one per key, a second for each twin */
    for (uint32_t v = 0; v < nkeys; v++) {
        struct inst *in = &s->inst[s->ninst++];
        in->vid = v;
        in->byz = p->byz[v];
        in->honest = p->byz[v] == SIM_HONEST;
        for (uint32_t t = 0; t < p->ntwins; t++) {
            if (p->twins[t] == v) {
                in->honest = false;
            }
        }
    }
    for (uint32_t t = 0; t < p->ntwins && s->ninst < SIM_MAX_INST; t++) {
        struct inst *in = &s->inst[s->ninst++];
        in->vid = p->twins[t];
        in->byz = SIM_HONEST;
        in->honest = false;
    }
    for (int i = 0; i < s->ninst; i++) {
        memcpy(s->inst[i].chain[0].hash, s->c->g.hash, YC_HASH_LEN);
        s->inst[i].chain[0].time_ms = s->c->g.genesis_time_ms;
    }
    if (p->verbose) {
        printf("scenario seed %llu: n=%u instances=%d twins=%u mutant=%d drop=%.2f dup=%.2f "
               "delay=%llu..%llu partitions=%u rounds=%u crash=%.2f\n",
               (unsigned long long)seed, p->n, s->ninst, p->ntwins, (int)p->mutant, p->drop, p->dup,
               (unsigned long long)p->delay_min_ms, (unsigned long long)p->delay_max_ms,
               p->partitions, p->rounds, p->crash_per_record);
        for (int i = 0; i < s->ninst; i++) {
            printf("  instance %d: v%u %s byz=%d\n", i, s->inst[i].vid,
                   s->inst[i].honest ? "honest" : "faulty", (int)s->inst[i].byz);
        }
    }

    /* schedule: ticks, sync, misbehaviour, partitions, heal */
    fault_ms = p->rounds > 0 ? p->rounds * p->round_ms : p->fault_ms;
    for (int i = 0; i < s->ninst; i++) {
        schedule(s, EV_TICK, i, sim_range(&s->rng, 1, TICK_MS));
        schedule(s, EV_SYNC, i, sim_range(&s->rng, 1, s->p->sync_ms));
        if (s->inst[i].byz != SIM_HONEST && s->inst[i].byz != SIM_BYZ_SILENT) {
            schedule(s, EV_BYZ, i, sim_range(&s->rng, 1, BYZ_MS));
        }
    }
    if (p->rounds > 0) {
        for (uint32_t r = 0; r < p->rounds; r++) {
            schedule(s, EV_ROUND, -1, r * p->round_ms);
        }
    } else {
        for (uint32_t k = 0; k < p->partitions; k++) {
            schedule(s, EV_ROUND, -1, sim_range(&s->rng, 0, fault_ms));
        }
    }
    schedule(s, EV_HEAL, -1, fault_ms);
    s->heal_at = fault_ms;
    for (int i = 0; i < s->ninst; i++) {
        start(s, i);
    }

    while (s->nheap > 0 && !s->stop) {
        struct ev e = pop(s);
        s->now = e.t;
        if (!s->faults && s->now > s->deadline) {
            char buf[160];
            size_t o = 0;
            for (int i = 0; i < s->ninst; i++) {
                o += (size_t)snprintf(buf + o, sizeof buf - o, "%llu%s ",
                                      (unsigned long long)s->inst[i].height,
                                      s->inst[i].honest ? "" : "*");
            }
            sim__fail(s, &res->liveness,
                      "goal height %llu not reached %llu ms after healing; "
                      "heights %s(max view %llu)",
                      (unsigned long long)s->goal, (unsigned long long)p->deadline_ms, buf,
                      (unsigned long long)res->max_view);
            free(e.data);
            break;
        }
        handle(s, &e);
        free(e.data);
        if (res->safety || res->equivocation || res->error || res->refusal) {
            break;
        }
        if (goal_reached(s)) {
            break;
        }
    }

    for (int i = 0; i < s->ninst; i++) {
        struct inst *in = &s->inst[i];
        yc_drv_destroy(in->drv);
        yc_free(in->built);
        for (size_t k = 0; k < in->njournal; k++) {
            free(in->journal[k].bytes);
        }
        free(in->journal);
        for (int h = 0; h <= SIM_MAX_HEIGHT; h++) {
            free(in->chain[h].block);
            free(in->chain[h].cert);
        }
        for (uint32_t k = 0; k < in->nseen; k++) {
            free(in->seen[k]);
        }
    }
    for (size_t k = 0; k < s->nheap; k++) {
        free(s->heap[k].data);
    }
    free(s->heap);
    free(s->votes);
    ok = !(res->safety || res->equivocation || res->liveness || res->refusal || res->error ||
           res->badcert);
    free(s);
    return ok;
}

void sim_params_default(struct sim_params *p, uint32_t n)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    p->base_timeout_ms = 1000;
    p->delay_min_ms = 1;
    p->delay_max_ms = 30;
    p->fault_ms = 2000;
    p->round_ms = 1000;
    p->restart_min_ms = 50;
    p->restart_max_ms = 1500;
    p->min_height = 3;
    p->propose_delay_ms = 200;
    p->max_height = 8;
    p->sync_ms = 400;
    p->deadline_ms = 120000;
}
