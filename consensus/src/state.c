/*
 * state.c — what a node remembers within one height: view slots (every validator's
 * vote per phase, the proposal, NEW-VIEW status), the block table, and its own votes.
 *
 * Invariants: at most one vote per (validator, view, phase) is stored, and a second,
 * different one becomes evidence; a vote of this node is signed only through
 * pbft__vote(), which refuses a second digest for a (view, phase) it voted and queues
 * the journal record before the message; blocks that a certificate, a proposal or a
 * pending check refer to are never evicted.
 */
#include <string.h>

#include "pbft_int.h"
#include "yc/alloc.h"

/* ---- view slots ---- */

void pbft__slot_clear(pbft_node *n, struct pbft_view *s)
{
    struct pbft_vslot *v0 = s->votes[0];
    struct pbft_vslot *v1 = s->votes[1];
    memset(v0, 0, n->n * sizeof *v0);
    memset(v1, 0, n->n * sizeof *v1);
    memset(s, 0, sizeof *s);
    s->votes[0] = v0;
    s->votes[1] = v1;
}

static bool in_window(const pbft_node *n, uint64_t view)
{
    uint64_t lo = n->view > 0 ? n->view - 1 : 0;
    return view >= lo && view <= n->view + PBFT_AHEAD;
}

struct pbft_view *pbft__slot(pbft_node *n, uint64_t view, bool create)
{
    struct pbft_view *spare = NULL;
    for (int i = 0; i < PBFT_SLOTS; i++) {
        struct pbft_view *s = &n->slots[i];
        if (s->used && s->view == view) {
            return s;
        }
    }
    if (!create || !in_window(n, view)) {
        return NULL;
    }
    for (int i = 0; i < PBFT_SLOTS; i++) {
        struct pbft_view *s = &n->slots[i];
        if (!s->used || !in_window(n, s->view)) {
            spare = s;
            break;
        }
    }
    if (spare == NULL) {
        return NULL; /* cannot happen: the window is PBFT_SLOTS views wide */
    }
    pbft__slot_clear(n, spare);
    spare->used = true;
    spare->view = view;
    return spare;
}

uint32_t pbft__count_votes(const pbft_node *n, const struct pbft_view *s, enum pbft_phase ph,
                           const uint8_t digest[YC_HASH_LEN])
{
    uint32_t c = 0;
    for (uint32_t i = 0; i < n->n; i++) {
        const struct pbft_vslot *v = &s->votes[ph][i];
        if (v->has && memcmp(v->digest, digest, YC_HASH_LEN) == 0) {
            c++;
        }
    }
    return c;
}

/* ---- blocks ---- */

struct pbft_block *pbft__block_find(pbft_node *n, const uint8_t digest[YC_HASH_LEN])
{
    for (int i = 0; i < PBFT_BLOCKS; i++) {
        if (n->blocks[i].used && memcmp(n->blocks[i].digest, digest, YC_HASH_LEN) == 0) {
            return &n->blocks[i];
        }
    }
    return NULL;
}

static bool block_pinned(const pbft_node *n, const struct pbft_block *b)
{
    if (b->check == CHK_PENDING) {
        return true;
    }
    if (n->prepared.has && memcmp(n->prepared.digest, b->digest, YC_HASH_LEN) == 0) {
        return true;
    }
    for (int i = 0; i < PBFT_SLOTS; i++) {
        const struct pbft_view *s = &n->slots[i];
        if (s->used && ((s->has_pp && memcmp(s->pp_digest, b->digest, YC_HASH_LEN) == 0) ||
                        (s->nv_fixed && memcmp(s->nv_digest, b->digest, YC_HASH_LEN) == 0))) {
            return true;
        }
    }
    for (uint32_t i = 0; i < n->n; i++) {
        const struct pbft_vcent *e = &n->vcs[i];
        if (e->has && e->has_pc && memcmp(e->pc_digest, b->digest, YC_HASH_LEN) == 0) {
            return true;
        }
    }
    return false;
}

static struct pbft_block *block_slot(pbft_node *n)
{
    struct pbft_block *victim = NULL;
    for (int i = 0; i < PBFT_BLOCKS; i++) {
        if (!n->blocks[i].used) {
            return &n->blocks[i];
        }
    }
    for (int i = 0; i < PBFT_BLOCKS; i++) {
        struct pbft_block *b = &n->blocks[i];
        if (!block_pinned(n, b) && (victim == NULL || b->seq < victim->seq)) {
            victim = b;
        }
    }
    if (victim != NULL) {
        yc_free(victim->bytes);
        memset(victim, 0, sizeof *victim);
    }
    return victim;
}

int pbft__block_add(pbft_node *n, const uint8_t *bytes, size_t len, const uint8_t *want_digest,
                    struct pbft_block **out)
{
    struct yc_block_header hdr;
    uint8_t hash[YC_HASH_LEN];
    struct pbft_block *b;
    int rc;

    *out = NULL;
    if (want_digest != NULL && (b = pbft__block_find(n, want_digest)) != NULL) {
        *out = b;
        return YC_OK;
    }
    if (len == 0 || len > YC_BLOCK_MAX_BYTES) {
        return YC_EBADBLOCK;
    }
    /* the header is all consensus reads: the body (transactions, outcomes, roots, no
     * certificate) is decoded and checked whole by whoever answers pbft_block_checked,
     * and nothing is voted for before that answer (or from this node's own journal) */
    if (yc_block_header_decode(bytes, len, &hdr) != YC_OK) {
        return YC_EBADBLOCK;
    }
    rc = yc_header_hash(&hdr, hash);
    if (rc != YC_OK) {
        return rc;
    }
    if (strcmp(hdr.chain_id, n->g->chain_id) != 0 || hdr.height != n->height ||
        memcmp(hdr.prev_hash, n->prev_hash, YC_HASH_LEN) != 0 || hdr.view >= PBFT_MAX_VIEW ||
        hdr.proposer != pbft_primary(n->n, n->height, hdr.view) ||
        (want_digest != NULL && memcmp(hash, want_digest, YC_HASH_LEN) != 0)) {
        return YC_EBADBLOCK;
    }
    if ((b = pbft__block_find(n, hash)) != NULL) {
        *out = b;
        return YC_OK;
    }
    uint8_t *copy = yc_memdup(bytes, len);
    if (copy == NULL) {
        return YC_ENOMEM;
    }
    if ((b = block_slot(n)) == NULL) {
        yc_free(copy);
        return YC_ELIMIT;
    }
    b->bytes = copy;
    b->len = len;
    b->used = true;
    memcpy(b->digest, hash, YC_HASH_LEN);
    b->hview = hdr.view;
    b->hproposer = hdr.proposer;
    b->check = CHK_UNKNOWN;
    b->journaled = false;
    b->seq = ++n->block_seq;
    *out = b;
    return YC_OK;
}

/* ---- own votes ---- */

const struct pbft_myvote *pbft__myvote(const pbft_node *n, uint64_t view, enum pbft_phase ph)
{
    for (size_t i = 0; i < n->nmyvotes; i++) {
        if (n->myvotes[i].view == view && n->myvotes[i].phase == (uint8_t)ph) {
            return &n->myvotes[i];
        }
    }
    return NULL;
}

int pbft__remember_vote(pbft_node *n, uint64_t view, enum pbft_phase ph,
                        const uint8_t digest[YC_HASH_LEN])
{
    const struct pbft_myvote *mv = pbft__myvote(n, view, ph);
    struct pbft_myvote *nv;
    if (mv != NULL) {
        return memcmp(mv->digest, digest, YC_HASH_LEN) == 0 ? YC_OK : YC_EEXIST;
    }
    if (n->nmyvotes >= PBFT_MAX_MYVOTES) {
        return YC_ELIMIT;
    }
    if (n->nmyvotes == n->capmyvotes) {
        size_t cap = n->capmyvotes == 0 ? 16 : n->capmyvotes * 2;
        void *p = yc_realloc(n->myvotes, cap * sizeof *n->myvotes);
        if (p == NULL) {
            return YC_ENOMEM;
        }
        n->myvotes = p;
        n->capmyvotes = cap;
    }
    nv = &n->myvotes[n->nmyvotes++];
    nv->view = view;
    nv->phase = (uint8_t)ph;
    memcpy(nv->digest, digest, YC_HASH_LEN);
    return YC_OK;
}

/* Encodes the vote message of validator `from` (a PREPARE/COMMIT, or a PRE-PREPARE
 * when block is given) into *out (yc_malloc'ed). */
static int vote_msg(const pbft_node *n, enum pbft_phase ph, uint64_t view, uint32_t from,
                    const uint8_t digest[YC_HASH_LEN], const uint8_t sig[YC_SIG_LEN],
                    const struct pbft_block *block, uint8_t **out, size_t *outlen)
{
    struct yc_buf body, msg;
    enum pbft_type t =
        block != NULL ? PBFT_T_PREPREPARE : (ph == PH_COMMIT ? PBFT_T_COMMIT : PBFT_T_PREPARE);
    int rc;

    yc_buf_init(&body, 0);
    yc_buf_init(&msg, PBFT_MAX_MSG_BYTES);
    rc = pbft__enc_vote_body(&body, ph, n->height, view, digest);
    if (rc == YC_OK) {
        rc = pbft__enc_msg(&msg, t, from, block != NULL ? block->bytes : NULL,
                           block != NULL ? block->len : 0, body.data, body.len, sig, NULL);
    }
    yc_buf_cleanup(&body);
    if (rc != YC_OK) {
        yc_buf_cleanup(&msg);
        return rc;
    }
    yc_buf_take(&msg, out, outlen);
    return YC_OK;
}

int pbft__vote(pbft_node *n, enum pbft_phase ph, uint64_t view, const uint8_t digest[YC_HASH_LEN],
               const struct pbft_block *block, bool emit, uint8_t *sig_out)
{
    uint8_t h[YC_HASH_LEN];
    uint8_t sig[YC_SIG_LEN];
    const struct pbft_myvote *mv = pbft__myvote(n, view, ph);
    bool fresh = mv == NULL;
    struct pbft_view *s;
    uint8_t *msg = NULL;
    size_t len = 0;
    int rc;

    if (mv != NULL && memcmp(mv->digest, digest, YC_HASH_LEN) != 0) {
        return YC_EEXIST; /* never two digests for one (height, view, phase) */
    }
    pbft__vote_hash(n, h, ph, view, digest);
    rc = pbft__sign(n, sig, h);
    if (rc != YC_OK) {
        return rc;
    }
    if (emit) {
        rc = vote_msg(n, ph, view, n->self, digest, sig, block, &msg, &len);
        if (rc != YC_OK) {
            return rc;
        }
    }
    if (fresh) {
        rc = pbft__remember_vote(n, view, ph, digest);
        if (rc == YC_OK && emit) {
            rc = pbft__out_record(n, msg, len); /* persist before send */
        }
    }
    if (rc == YC_OK && emit) {
        rc = pbft__out_msg(n, PBFT_BROADCAST, msg, len);
    }
    yc_free(msg);
    if (rc != YC_OK) {
        return rc;
    }
    if (block != NULL && emit) {
        ((struct pbft_block *)block)->journaled = true;
    }
    s = pbft__slot(n, view, true);
    if (s != NULL) {
        struct pbft_vslot *v = &s->votes[ph][n->self];
        if (!v->has) {
            v->has = true;
            memcpy(v->digest, digest, YC_HASH_LEN);
            memcpy(v->sig, sig, YC_SIG_LEN);
            s->nmsgs++;
        }
    }
    if (sig_out != NULL) {
        memcpy(sig_out, sig, YC_SIG_LEN);
    }
    return YC_OK;
}

int pbft__store_vote(pbft_node *n, struct pbft_view *s, enum pbft_phase ph, uint32_t i,
                     const uint8_t digest[YC_HASH_LEN], const uint8_t sig[YC_SIG_LEN])
{
    struct pbft_vslot *v = &s->votes[ph][i];
    if (v->has) {
        uint8_t *a = NULL, *b = NULL;
        size_t alen = 0, blen = 0;
        if (memcmp(v->digest, digest, YC_HASH_LEN) == 0) {
            return YC_EEXIST;
        }
        /* two signed votes for one (height, view, phase): keep both as evidence */
        if (!v->evidence && n->nevidence_height < 2 * n->n &&
            vote_msg(n, ph, s->view, i, v->digest, v->sig, NULL, &a, &alen) == YC_OK &&
            vote_msg(n, ph, s->view, i, digest, sig, NULL, &b, &blen) == YC_OK) {
            v->evidence = true;
            n->nevidence_height++;
            (void)pbft__out_evidence(n, i, a, alen, b, blen);
        } else {
            yc_free(a);
            yc_free(b);
        }
        return YC_EBADMSG;
    }
    if (s->nmsgs >= n->max_msgs) {
        return YC_ELIMIT;
    }
    v->has = true;
    memcpy(v->digest, digest, YC_HASH_LEN);
    memcpy(v->sig, sig, YC_SIG_LEN);
    s->nmsgs++;
    return YC_OK;
}
