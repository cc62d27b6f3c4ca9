/*
 * pbft.c — the PBFT state machine's entry points (consensus/include/yc/pbft.h).
 *
 * One height at a time. This file holds the life cycle (create, decided, destroy),
 * the inputs (step, tick, propose, block_checked) and their first checks; what a node
 * remembers is in state.c, the rules in normal.c and viewchange.c, the outputs in
 * out.c. Every input ends in pbft__progress().
 *
 * Invariant: nothing from the network counts before its signature is checked, and
 * nothing from the network reaches an assert; bad input returns a code.
 */
#include <string.h>

#include "pbft_int.h"
#include "yc/alloc.h"

uint32_t pbft_primary(uint32_t n, uint64_t height, uint64_t view)
{
    return yc_block_primary(n, height, view);
}

bool pbft__mutant(const pbft_node *n, enum pbft_mutant m)
{
#ifdef YC_TEST_HOOKS
    return n->mutant == m;
#else
    (void)n;
    (void)m;
    return false;
#endif
}

uint32_t pbft__quorum(const pbft_node *n)
{
    if (pbft__mutant(n, PBFT_MUTANT_SMALL_QUORUM) && n->q > 1) {
        return n->q - 1;
    }
    return n->q;
}

uint64_t pbft__timeout(const pbft_node *n, uint64_t view)
{
    uint64_t shift = view < PBFT_MAX_TIMEOUT_SHIFT ? view : PBFT_MAX_TIMEOUT_SHIFT;
    uint64_t base = n->base_timeout_ms;
    if (base > (UINT64_MAX >> shift)) {
        return UINT64_MAX;
    }
    return base << shift;
}

/* ---- life cycle ---- */

static void height_clear(pbft_node *n)
{
    for (int i = 0; i < PBFT_SLOTS; i++) {
        pbft__slot_clear(n, &n->slots[i]);
    }
    for (int i = 0; i < PBFT_BLOCKS; i++) {
        yc_free(n->blocks[i].bytes);
        memset(&n->blocks[i], 0, sizeof n->blocks[i]);
    }
    pbft__vc_clear(n);
    memset(&n->prepared, 0, sizeof n->prepared);
    n->nmyvotes = 0;
    n->nevidence_height = 0;
    n->view = 0;
    n->in_vc = false;
    n->decided = false;
    n->want = false;
    n->view_start_ms = n->now_ms;
}

static void future_clear(pbft_node *n)
{
    for (size_t i = 0; i < n->nfuture; i++) {
        yc_free(n->future[i].bytes);
    }
    n->nfuture = 0;
    memset(n->future_bytes, 0, YC_MAX_VALIDATORS * sizeof *n->future_bytes);
}

void pbft_destroy(pbft_node *n)
{
    if (n == NULL) {
        return;
    }
    height_clear(n);
    future_clear(n);
    for (int i = 0; i < PBFT_SLOTS; i++) {
        yc_free(n->slots[i].votes[0]);
        yc_free(n->slots[i].votes[1]);
    }
    pbft__out_free(&n->pending);
    pbft__out_free(&n->inflight);
    yc_free(n->vcs);
    yc_free(n->myvotes);
    yc_free(n->sigcache);
    yc_free(n->future);
    yc_free(n->future_bytes);
    yc_free(n);
}

/* Index of this node's key in vs, or -1. */
static int own_index(const yc_signer *signer, const struct yc_valset *vs)
{
    uint8_t pub[YC_PUBKEY_LEN];
    yc_signer_pubkey(signer, pub);
    return yc_valset_index(vs, pub);
}

/* Makes vs the set in force (the caller checked that this node is in it). */
static void set_validators(pbft_node *n, const struct yc_valset *vs)
{
    uint32_t nv = vs->n;
    n->vs = *vs;
    n->n = nv;
    n->f = yc_faults(nv);
    n->q = yc_quorum(nv);
    n->self = (uint32_t)own_index(n->signer, vs);
    n->max_msgs = n->max_msgs_cfg;
    if (n->max_msgs < 3 * nv + 2) {
        n->max_msgs = 3 * nv + 2; /* below this, honest traffic would be refused */
    }
    n->sigcache_len = 0; /* its entries name validators by their old indices */
    n->sigcache_next = 0;
}

static bool valset_ok(const struct yc_valset *vs)
{
    return vs->n > 0 && vs->n <= YC_MAX_VALIDATORS && vs->quorum == yc_quorum(vs->n);
}

int pbft_create(pbft_node **out, const struct pbft_config *cfg, uint64_t height,
                const uint8_t prev_hash[YC_HASH_LEN], const struct pbft_record *journal,
                size_t njournal, uint64_t now_ms)
{
    pbft_node *n;
    struct yc_valset *gvs = NULL;
    const struct yc_valset *vs;
    int rc;

    if (out == NULL) {
        return YC_EINVAL;
    }
    *out = NULL;
    if (cfg == NULL || cfg->genesis == NULL || cfg->signer == NULL || prev_hash == NULL ||
        height == 0 || (journal == NULL && njournal > 0)) {
        return YC_EINVAL;
    }
    vs = cfg->validators;
    if (vs == NULL) {
        gvs = yc_malloc(sizeof *gvs);
        if (gvs == NULL) {
            return YC_ENOMEM;
        }
        yc_valset_genesis(gvs, cfg->genesis);
        vs = gvs;
    }
    if (!valset_ok(vs) || own_index(cfg->signer, vs) < 0) {
        yc_free(gvs);
        return YC_EINVAL; /* the key is not a validator's at this height */
    }
    n = yc_calloc(1, sizeof *n);
    if (n == NULL) {
        yc_free(gvs);
        return YC_ENOMEM;
    }
    n->g = cfg->genesis;
    n->signer = cfg->signer;
    n->max_msgs_cfg = cfg->max_msgs_per_view;
    set_validators(n, vs);
    yc_free(gvs);
    n->base_timeout_ms = cfg->base_timeout_ms > 0 ? cfg->base_timeout_ms : 1000;
#ifdef YC_TEST_HOOKS
    n->mutant = cfg->mutant;
#endif
    n->height = height;
    memcpy(n->prev_hash, prev_hash, YC_HASH_LEN);
    n->now_ms = now_ms;
    n->view_start_ms = now_ms;
    n->vcs = yc_calloc(YC_MAX_VALIDATORS, sizeof *n->vcs);
    n->sigcache = yc_calloc(PBFT_SIGCACHE, YC_HASH_LEN);
    n->future = yc_calloc((size_t)YC_MAX_VALIDATORS * PBFT_FUTURE_PER_PEER, sizeof *n->future);
    n->future_bytes = yc_calloc(YC_MAX_VALIDATORS, sizeof *n->future_bytes);
    rc = n->vcs && n->sigcache && n->future && n->future_bytes ? YC_OK : YC_ENOMEM;
    for (int i = 0; rc == YC_OK && i < PBFT_SLOTS; i++) {
        n->slots[i].votes[0] = yc_calloc(YC_MAX_VALIDATORS, sizeof(struct pbft_vslot));
        n->slots[i].votes[1] = yc_calloc(YC_MAX_VALIDATORS, sizeof(struct pbft_vslot));
        if (n->slots[i].votes[0] == NULL || n->slots[i].votes[1] == NULL) {
            rc = YC_ENOMEM;
        }
    }
    if (rc == YC_OK && !pbft__mutant(n, PBFT_MUTANT_FORGET_JOURNAL)) {
        rc = pbft__restore(n, journal, njournal);
    }
    if (rc != YC_OK) {
        pbft_destroy(n);
        return rc;
    }
    pbft__progress(n);
    *out = n;
    return YC_OK;
}

/* ---- inputs ---- */

static int on_vote(pbft_node *n, const struct pbft_wmsg *m, enum pbft_phase ph)
{
    uint8_t h[YC_HASH_LEN];
    struct pbft_view *s = pbft__slot(n, m->view, true);
    const struct pbft_vslot *v;
    int rc;

    if (s == NULL) {
        return YC_ESTALE;
    }
    v = &s->votes[ph][m->from];
    if (v->has && memcmp(v->digest, m->digest, YC_HASH_LEN) == 0 &&
        memcmp(v->sig, m->sig, YC_SIG_LEN) == 0) {
        return YC_OK; /* the same signed vote again */
    }
    pbft__vote_hash(n, h, ph, m->view, m->digest);
    if (!pbft__verify(n, m->from, h, m->sig)) {
        return YC_EBADSIG;
    }
    rc = pbft__store_vote(n, s, ph, m->from, m->digest, m->sig);
    if (rc == YC_EEXIST) {
        return YC_OK;
    }
    if (rc != YC_OK) {
        return rc;
    }
    pbft__progress(n);
    return YC_OK;
}

static int on_preprepare(pbft_node *n, const struct pbft_wmsg *m)
{
    uint8_t h[YC_HASH_LEN];
    struct pbft_view *s;
    struct pbft_block *b;
    int rc;

    if (m->from != pbft_primary(n->n, n->height, m->view)) {
        return YC_EBADMSG;
    }
    s = pbft__slot(n, m->view, true);
    if (s == NULL) {
        return YC_ESTALE;
    }
    if (s->has_pp && memcmp(s->pp_digest, m->digest, YC_HASH_LEN) == 0 &&
        s->votes[PH_PREPARE][m->from].has &&
        memcmp(s->votes[PH_PREPARE][m->from].sig, m->sig, YC_SIG_LEN) == 0) {
        return YC_OK; /* the same proposal again */
    }
    pbft__vote_hash(n, h, PH_PREPARE, m->view, m->digest);
    if (!pbft__verify(n, m->from, h, m->sig)) {
        return YC_EBADSIG;
    }
    if (s->has_pp) {
        /* the same proposal with another valid signature, or the primary signed
         * another digest in this view (kept as evidence) */
        rc = pbft__store_vote(n, s, PH_PREPARE, m->from, m->digest, m->sig);
        return rc == YC_EEXIST ? YC_OK : YC_EBADMSG;
    }
    rc = pbft__block_add(n, m->block, m->block_len, m->digest, &b);
    if (rc != YC_OK) {
        return rc;
    }
    if (b->hview > m->view) {
        return YC_EBADBLOCK;
    }
    rc = pbft__store_vote(n, s, PH_PREPARE, m->from, m->digest, m->sig);
    if (rc != YC_OK && rc != YC_EEXIST) {
        return rc; /* it conflicts with a PREPARE the primary sent: evidence kept */
    }
    s->has_pp = true;
    memcpy(s->pp_digest, m->digest, YC_HASH_LEN);
    pbft__progress(n);
    return YC_OK;
}

/* Signature check of a message for a later height by `from`'s key, before it is
 * buffered or feeds peer_height (the full checks need that height's state, and its set:
 * the index the message names may be the sender's in a new set, checked on replay). */
static bool far_sig_ok(pbft_node *n, uint32_t from, const struct pbft_wmsg *m)
{
    uint8_t h[YC_HASH_LEN];
    if (m->type == PBFT_T_VIEWCHANGE || m->type == PBFT_T_NEWVIEW) {
        pbft__body_hash(n, h, m->body, m->body_len);
    } else {
        yc_vote_hash(h, n->g->chain_id, m->type == PBFT_T_COMMIT ? "commit" : "prepare", m->height,
                     m->view, m->digest);
    }
    return pbft__verify(n, from, h, m->sig);
}

static int buffer_future(pbft_node *n, uint32_t from, const uint8_t *msg, size_t len)
{
    uint32_t count = 0;
    uint8_t *copy;
    for (size_t i = 0; i < n->nfuture; i++) {
        if (n->future[i].from == from) {
            count++;
        }
    }
    if (count >= PBFT_FUTURE_PER_PEER || n->future_bytes[from] + len > PBFT_MAX_MSG_BYTES) {
        return YC_ELIMIT;
    }
    copy = yc_memdup(msg, len);
    if (copy == NULL) {
        return YC_ENOMEM;
    }
    n->future[n->nfuture].from = from;
    n->future[n->nfuture].bytes = copy;
    n->future[n->nfuture].len = len;
    n->nfuture++;
    n->future_bytes[from] += len;
    return YC_OK;
}

/* Every validator index m names is inside the set in force (the decoder bounded them by
 * YC_MAX_VALIDATORS only, as a message for the next height may name a new set's). */
static bool indices_in_set(const pbft_node *n, const struct pbft_wmsg *m)
{
    if (m->from >= n->n || (m->has_pc && m->pc.nsigs > 0 &&
                            (m->pc.nsigs > n->n || m->pc.idx[m->pc.nsigs - 1] >= n->n))) {
        return false;
    }
    return m->nvcs == 0 || (m->nvcs <= n->n && m->vcs[m->nvcs - 1].from < n->n);
}

int pbft_step(pbft_node *n, uint32_t from, const uint8_t *msg, size_t len, uint64_t now_ms)
{
    struct pbft_wmsg *m;
    int rc;

    if (n == NULL || (msg == NULL && len > 0)) {
        return YC_EINVAL;
    }
    if (now_ms > n->now_ms) {
        n->now_ms = now_ms;
    }
    if (from >= n->n || from == n->self) {
        return YC_EBADMSG;
    }
    m = yc_malloc(sizeof *m);
    if (m == NULL) {
        return YC_ENOMEM;
    }
    rc = pbft__decode(m, msg, len, YC_MAX_VALIDATORS);
    if (rc == YC_OK && m->type == PBFT_T_PREPARED) {
        rc = YC_EBADMSG;
    }
    if (rc == YC_OK && m->height < n->height) {
        rc = YC_ESTALE;
    } else if (rc == YC_OK && m->height == n->height + 1) {
        /* kept for when this height is decided; the rest (sender included) is judged
         * then, against the set in force at that height */
        rc = far_sig_ok(n, from, m) ? buffer_future(n, from, msg, len) : YC_EBADSIG;
        goto done;
    } else if (rc == YC_OK && m->height > n->height + 1) {
        if (m->height > n->peer_height && far_sig_ok(n, from, m)) {
            n->peer_height = m->height;
        }
        rc = YC_ESTALE;
    } else if (rc == YC_OK && (m->from != from || !indices_in_set(n, m))) {
        rc = YC_EBADMSG;
    } else if (rc == YC_OK && n->decided) {
        rc = YC_ESTALE;
    }
    if (rc != YC_OK) {
        goto done;
    }
    switch (m->type) {
    case PBFT_T_PREPREPARE:
        rc = on_preprepare(n, m);
        break;
    case PBFT_T_PREPARE:
        rc = on_vote(n, m, PH_PREPARE);
        break;
    case PBFT_T_COMMIT:
        rc = on_vote(n, m, PH_COMMIT);
        break;
    case PBFT_T_VIEWCHANGE:
        rc = pbft__on_viewchange(n, m, msg, len);
        break;
    case PBFT_T_NEWVIEW:
        rc = pbft__on_newview(n, m);
        break;
    default:
        rc = YC_EBADMSG;
        break;
    }
done:
    yc_free(m);
    return rc;
}

void pbft_tick(pbft_node *n, uint64_t now_ms)
{
    if (n == NULL) {
        return;
    }
    if (now_ms > n->now_ms) {
        n->now_ms = now_ms;
    }
    if (n->decided || n->n == 1) {
        return; /* a lone validator has nobody to change views with */
    }
    if (n->idle && !n->in_vc) {
        struct pbft_view *s = pbft__slot(n, n->view, false);
        if (s == NULL || !s->has_pp) {
            n->view_start_ms = n->now_ms; /* nothing to wait for: hold the timer */
        }
    }
    if (n->now_ms - n->view_start_ms >= pbft__timeout(n, n->view) && n->view + 1 < PBFT_MAX_VIEW) {
        if (n->in_vc && pbft__vc_support(n) < pbft__quorum(n)) {
            /* no quorum has reached this view yet: moving further ahead alone would keep
             * this node a view ahead of the others for good (timers of equal length);
             * say it again and wait for them (or for the f+1 rule to pull it up) */
            (void)pbft__resend_vc(n);
            n->view_start_ms = n->now_ms;
        } else {
            (void)pbft__start_vc(n, n->view + 1);
        }
    }
    pbft__progress(n);
}

void pbft_set_idle(pbft_node *n, bool idle, uint64_t now_ms)
{
    if (n == NULL) {
        return;
    }
    if (now_ms > n->now_ms) {
        n->now_ms = now_ms;
    }
    if (n->idle && !idle && !n->in_vc) {
        n->view_start_ms = n->now_ms; /* work arrived: the view gets a full timeout */
    }
    n->idle = idle;
}

int pbft_propose(pbft_node *n, const uint8_t *block, size_t len, uint64_t now_ms)
{
    struct pbft_view *s;
    struct pbft_block *b;
    int rc;

    if (n == NULL || block == NULL || len == 0) {
        return YC_EINVAL;
    }
    if (now_ms > n->now_ms) {
        n->now_ms = now_ms;
    }
    pbft__progress(n);
    if (!n->want) {
        return YC_ESTALE; /* not the primary of an open view waiting for a block */
    }
    s = pbft__slot(n, n->view, true);
    rc = pbft__block_add(n, block, len, NULL, &b);
    if (rc != YC_OK) {
        return rc;
    }
    if (b->hview != n->view || b->hproposer != n->self) {
        return YC_EBADBLOCK;
    }
    b->check = CHK_OK; /* the driver built and executed it */
    rc = pbft__vote(n, PH_PREPARE, n->view, b->digest, b, true, NULL);
    if (rc != YC_OK) {
        return rc;
    }
    s->has_pp = true;
    memcpy(s->pp_digest, b->digest, YC_HASH_LEN);
    pbft__progress(n);
    return YC_OK;
}

int pbft_block_checked(pbft_node *n, uint64_t height, uint64_t view,
                       const uint8_t digest[YC_HASH_LEN], bool ok, uint64_t now_ms)
{
    struct pbft_block *b;
    (void)view;
    if (n == NULL || digest == NULL) {
        return YC_EINVAL;
    }
    if (now_ms > n->now_ms) {
        n->now_ms = now_ms;
    }
    if (height != n->height) {
        return YC_ESTALE;
    }
    b = pbft__block_find(n, digest);
    if (b == NULL) {
        return YC_ENOTFOUND;
    }
    if (b->check == CHK_PENDING || b->check == CHK_UNKNOWN) {
        b->check = ok ? CHK_OK : CHK_BAD;
    }
    pbft__progress(n);
    return YC_OK;
}

/* The early messages of buffer[0..nbuf) were buffered under the indices of the old set
 * `old`: renumbers them for the set now in force, dropping those of validators that left. */
static size_t future_renumber(pbft_node *n, const struct yc_valset *old, struct pbft_future *buf,
                              size_t nbuf)
{
    size_t k = 0;
    for (size_t i = 0; i < nbuf; i++) {
        int to = yc_valset_index(&n->vs, old->keys[buf[i].from]);
        if (to < 0) {
            yc_free(buf[i].bytes);
            continue;
        }
        buf[k] = buf[i];
        buf[k].from = (uint32_t)to;
        k++;
    }
    return k;
}

int pbft_decided(pbft_node *n, uint64_t height, const uint8_t hash[YC_HASH_LEN],
                 const struct yc_valset *next_set, uint64_t now_ms)
{
    struct pbft_future *buf;
    struct yc_valset *old = NULL;
    size_t nbuf;
    bool next;

    if (n == NULL || hash == NULL || (next_set != NULL && !valset_ok(next_set))) {
        return YC_EINVAL;
    }
    if (now_ms > n->now_ms) {
        n->now_ms = now_ms;
    }
    if (height < n->height) {
        return YC_ESTALE;
    }
    if (next_set != NULL && own_index(n->signer, next_set) < 0) {
        return YC_ENOTAUTH; /* no longer a validator: the driver stops this node */
    }
    next = height == n->height;
    n->height = height + 1;
    memcpy(n->prev_hash, hash, YC_HASH_LEN);
    height_clear(n);
    if (n->peer_height < n->height) {
        n->peer_height = 0;
    }
    if (next_set != NULL && !yc_valset_same(next_set, &n->vs)) {
        old = yc_malloc(sizeof *old);
        if (old == NULL) {
            future_clear(n); /* the early messages are lost; the rest is in order */
        } else {
            *old = n->vs;
        }
        set_validators(n, next_set);
    }
    if (!next) {
        yc_free(old);
        future_clear(n);
        pbft__progress(n);
        return YC_OK;
    }
    /* replay the messages that arrived early for this height */
    nbuf = n->nfuture;
    buf = yc_malloc((nbuf > 0 ? nbuf : 1) * sizeof *buf);
    if (buf == NULL) {
        yc_free(old);
        future_clear(n);
        pbft__progress(n);
        return YC_OK;
    }
    memcpy(buf, n->future, nbuf * sizeof *buf);
    n->nfuture = 0;
    memset(n->future_bytes, 0, YC_MAX_VALIDATORS * sizeof *n->future_bytes);
    if (old != NULL) {
        nbuf = future_renumber(n, old, buf, nbuf);
        yc_free(old);
    }
    for (size_t i = 0; i < nbuf; i++) {
        int rc = pbft_step(n, buf[i].from, buf[i].bytes, buf[i].len, now_ms);
        (void)rc; /* a bad early message is dropped like any other */
        yc_free(buf[i].bytes);
    }
    yc_free(buf);
    pbft__progress(n);
    return YC_OK;
}
