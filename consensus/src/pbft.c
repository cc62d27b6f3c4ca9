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
    memset(n->future_bytes, 0, n->n * sizeof *n->future_bytes);
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

int pbft_create(pbft_node **out, const struct pbft_config *cfg, uint64_t height,
                const uint8_t prev_hash[YC_HASH_LEN], const struct pbft_record *journal,
                size_t njournal, uint64_t now_ms)
{
    pbft_node *n;
    uint8_t pub[YC_PUBKEY_LEN];
    uint32_t nv;
    int rc;

    if (out == NULL) {
        return YC_EINVAL;
    }
    *out = NULL;
    if (cfg == NULL || cfg->genesis == NULL || cfg->signer == NULL || prev_hash == NULL ||
        height == 0 || (journal == NULL && njournal > 0)) {
        return YC_EINVAL;
    }
    nv = cfg->genesis->nvalidators;
    if (nv == 0 || nv > YC_MAX_VALIDATORS || cfg->self >= nv) {
        return YC_EINVAL;
    }
    yc_signer_pubkey(cfg->signer, pub);
    if (memcmp(pub, cfg->genesis->validators[cfg->self].pub, YC_PUBKEY_LEN) != 0) {
        return YC_EINVAL; /* the key is not this validator's */
    }
    n = yc_calloc(1, sizeof *n);
    if (n == NULL) {
        return YC_ENOMEM;
    }
    n->g = cfg->genesis;
    n->signer = cfg->signer;
    n->n = nv;
    n->f = yc_faults(nv);
    n->q = yc_quorum(nv);
    n->self = cfg->self;
    n->base_timeout_ms = cfg->base_timeout_ms > 0 ? cfg->base_timeout_ms : 1000;
    n->max_msgs = cfg->max_msgs_per_view;
    if (n->max_msgs < 3 * nv + 2) {
        n->max_msgs = 3 * nv + 2; /* below this, honest traffic would be refused */
    }
#ifdef YC_TEST_HOOKS
    n->mutant = cfg->mutant;
#endif
    n->height = height;
    memcpy(n->prev_hash, prev_hash, YC_HASH_LEN);
    n->now_ms = now_ms;
    n->view_start_ms = now_ms;
    n->vcs = yc_calloc(nv, sizeof *n->vcs);
    n->sigcache = yc_calloc(PBFT_SIGCACHE, YC_HASH_LEN);
    n->future = yc_calloc((size_t)nv * PBFT_FUTURE_PER_PEER, sizeof *n->future);
    n->future_bytes = yc_calloc(nv, sizeof *n->future_bytes);
    rc = n->vcs && n->sigcache && n->future && n->future_bytes ? YC_OK : YC_ENOMEM;
    for (int i = 0; rc == YC_OK && i < PBFT_SLOTS; i++) {
        n->slots[i].votes[0] = yc_calloc(nv, sizeof(struct pbft_vslot));
        n->slots[i].votes[1] = yc_calloc(nv, sizeof(struct pbft_vslot));
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

/* Signature check of a message for a later height, before it is buffered or feeds
 * peer_height (the full checks need that height's state). */
static bool far_sig_ok(pbft_node *n, const struct pbft_wmsg *m)
{
    uint8_t h[YC_HASH_LEN];
    if (m->type == PBFT_T_VIEWCHANGE || m->type == PBFT_T_NEWVIEW) {
        pbft__body_hash(n, h, m->body, m->body_len);
    } else {
        yc_vote_hash(h, n->g->chain_id, m->type == PBFT_T_COMMIT ? "commit" : "prepare",
                     m->height, m->view, m->digest);
    }
    return pbft__verify(n, m->from, h, m->sig);
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
    rc = pbft__decode(m, msg, len, n->n);
    if (rc == YC_OK && (m->type == PBFT_T_PREPARED || m->from != from)) {
        rc = YC_EBADMSG;
    }
    if (rc == YC_OK && m->height < n->height) {
        rc = YC_ESTALE;
    } else if (rc == YC_OK && m->height == n->height + 1) {
        /* kept for when this height is decided; the rest is judged then */
        rc = far_sig_ok(n, m) ? buffer_future(n, from, msg, len) : YC_EBADSIG;
        goto done;
    } else if (rc == YC_OK && m->height > n->height + 1) {
        if (m->height > n->peer_height && far_sig_ok(n, m)) {
            n->peer_height = m->height;
        }
        rc = YC_ESTALE;
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
    if (n->now_ms - n->view_start_ms >= pbft__timeout(n, n->view) &&
        n->view + 1 < PBFT_MAX_VIEW) {
        (void)pbft__start_vc(n, n->view + 1);
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

int pbft_decided(pbft_node *n, uint64_t height, const uint8_t hash[YC_HASH_LEN], uint64_t now_ms)
{
    struct pbft_future *buf;
    size_t nbuf;
    bool next;

    if (n == NULL || hash == NULL) {
        return YC_EINVAL;
    }
    if (now_ms > n->now_ms) {
        n->now_ms = now_ms;
    }
    if (height < n->height) {
        return YC_ESTALE;
    }
    next = height == n->height;
    n->height = height + 1;
    memcpy(n->prev_hash, hash, YC_HASH_LEN);
    height_clear(n);
    if (n->peer_height < n->height) {
        n->peer_height = 0;
    }
    if (!next) {
        future_clear(n);
        pbft__progress(n);
        return YC_OK;
    }
    /* replay the messages that arrived early for this height */
    nbuf = n->nfuture;
    buf = yc_malloc((nbuf > 0 ? nbuf : 1) * sizeof *buf);
    if (buf == NULL) {
        future_clear(n);
        pbft__progress(n);
        return YC_OK;
    }
    memcpy(buf, n->future, nbuf * sizeof *buf);
    n->nfuture = 0;
    memset(n->future_bytes, 0, n->n * sizeof *n->future_bytes);
    for (size_t i = 0; i < nbuf; i++) {
        int rc = pbft_step(n, buf[i].from, buf[i].bytes, buf[i].len, now_ms);
        (void)rc; /* a bad early message is dropped like any other */
        yc_free(buf[i].bytes);
    }
    yc_free(buf);
    pbft__progress(n);
    return YC_OK;
}

