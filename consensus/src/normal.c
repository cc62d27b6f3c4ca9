/*
 * normal.c — the normal-case rules (docs/design/pbft.md §2), re-evaluated by
 * pbft__progress() after every input until nothing changes, so that the order in
 * which messages arrive cannot matter.
 *
 * Invariants:
 *   - votes are cast only in the current view while it is active (view 0, or its
 *     NEW-VIEW accepted, and no VIEW-CHANGE sent since): a node that left a view never
 *     prepares or commits in it again, so its VIEW-CHANGE told the whole truth;
 *   - COMMIT only once prepared (q matching PREPAREs, the primary's PRE-PREPARE
 *     counting as its PREPARE), and the prepared certificate is journaled first;
 *   - a block is committed only with q matching COMMITs of one view, whichever view.
 */
#include <string.h>

#include "pbft_int.h"
#include "yc/alloc.h"

/* ---- views ---- */

void pbft__enter_view(pbft_node *n, uint64_t view, bool in_vc)
{
    n->view = view;
    n->in_vc = in_vc;
    n->view_start_ms = n->now_ms;
}

static bool view_active(const pbft_node *n, const struct pbft_view *s)
{
    return !n->in_vc && (n->view == 0 || (s != NULL && s->nv_ok));
}

/* May the proposal in slot s be voted for in its view? */
static bool pp_acceptable(const struct pbft_view *s, const struct pbft_block *b)
{
    if (s->nv_fixed) {
        return memcmp(b->digest, s->nv_digest, YC_HASH_LEN) == 0;
    }
    return b->hview == s->view;
}

static int become_prepared(pbft_node *n, struct pbft_view *s, const uint8_t digest[YC_HASH_LEN],
                           struct pbft_block *b)
{
    struct pbft_pcert pc;
    struct yc_buf rec;
    int rc;

    memset(&pc, 0, sizeof pc);
    pc.has = true;
    pc.view = s->view;
    memcpy(pc.digest, digest, YC_HASH_LEN);
    for (uint32_t i = 0; i < n->n; i++) {
        const struct pbft_vslot *v = &s->votes[PH_PREPARE][i];
        if (v->has && memcmp(v->digest, digest, YC_HASH_LEN) == 0) {
            pc.idx[pc.nsigs] = i;
            memcpy(pc.sigs[pc.nsigs], v->sig, YC_SIG_LEN);
            pc.nsigs++;
        }
    }
    yc_buf_init(&rec, 0);
    rc = pbft__enc_prepared(&rec, n->height, &pc, b->journaled ? NULL : b->bytes,
                            b->journaled ? 0 : b->len);
    if (rc == YC_OK) {
        rc = pbft__out_record(n, rec.data, rec.len);
    }
    yc_buf_cleanup(&rec);
    if (rc != YC_OK) {
        return rc;
    }
    b->journaled = true;
    s->prepared = true;
    if (!n->prepared.has || n->prepared.view < pc.view) {
        n->prepared = pc;
    }
    return YC_OK;
}

/* Normal-case rules in the current, active view. Returns true if a vote was cast. */
static bool act(pbft_node *n, struct pbft_view *s)
{
    bool changed = false;
    const struct pbft_myvote *mv;

    if (s->has_pp) {
        struct pbft_block *b = pbft__block_find(n, s->pp_digest);
        if (b != NULL && pp_acceptable(s, b)) {
            if (b->check == CHK_UNKNOWN) {
                if (pbft__out_proposal(n, s->view, b) == YC_OK) {
                    b->check = CHK_PENDING;
                }
            } else if (b->check == CHK_OK && pbft__myvote(n, s->view, PH_PREPARE) == NULL) {
                changed = pbft__vote(n, PH_PREPARE, s->view, b->digest, NULL, true, NULL) == YC_OK;
            }
        }
    }
    mv = pbft__myvote(n, s->view, PH_PREPARE);
    if (mv != NULL && !s->prepared) {
        uint8_t d[YC_HASH_LEN];
        struct pbft_block *b = pbft__block_find(n, mv->digest);
        memcpy(d, mv->digest, YC_HASH_LEN);
        if (b != NULL && pbft__count_votes(n, s, PH_PREPARE, d) >= pbft__quorum(n)) {
            if (become_prepared(n, s, d, b) == YC_OK &&
                pbft__vote(n, PH_COMMIT, s->view, d, NULL, true, NULL) == YC_OK) {
                changed = true;
            }
        } else if (pbft__mutant(n, PBFT_MUTANT_COMMIT_WITHOUT_PREPARE) &&
                   pbft__myvote(n, s->view, PH_COMMIT) == NULL) {
            changed = pbft__vote(n, PH_COMMIT, s->view, d, NULL, true, NULL) == YC_OK;
        }
    } else if (mv != NULL && s->prepared && pbft__myvote(n, s->view, PH_COMMIT) == NULL &&
               n->prepared.has && n->prepared.view == s->view &&
               memcmp(n->prepared.digest, mv->digest, YC_HASH_LEN) == 0) {
        /* prepared here, the COMMIT not cast: a restart from a journal whose prepared
         * certificate was written but not the COMMIT after it (docs/design/pbft.md §5) */
        changed = pbft__vote(n, PH_COMMIT, s->view, mv->digest, NULL, true, NULL) == YC_OK;
    }
    return changed;
}

/* q matching COMMITs of one view with the block at hand: the height is decided. */
static bool check_commits(pbft_node *n)
{
    uint32_t q = pbft__quorum(n);
    for (int k = 0; k < PBFT_SLOTS; k++) {
        struct pbft_view *s = &n->slots[k];
        if (!s->used) {
            continue;
        }
        for (uint32_t i = 0; i < n->n; i++) {
            const struct pbft_vslot *v = &s->votes[PH_COMMIT][i];
            struct pbft_commit *c = &n->pending.commit;
            struct pbft_block *b;
            uint8_t *copy;
            if (!v->has || pbft__count_votes(n, s, PH_COMMIT, v->digest) < q ||
                (b = pbft__block_find(n, v->digest)) == NULL) {
                continue;
            }
            copy = yc_memdup(b->bytes, b->len);
            if (copy == NULL) {
                return false; /* retried at the next input */
            }
            memset(c, 0, sizeof *c);
            c->height = n->height;
            memcpy(c->digest, b->digest, YC_HASH_LEN);
            c->block = copy;
            c->len = b->len;
            c->cert.view = s->view;
            for (uint32_t j = 0; j < n->n; j++) {
                const struct pbft_vslot *w = &s->votes[PH_COMMIT][j];
                if (w->has && memcmp(w->digest, b->digest, YC_HASH_LEN) == 0) {
                    c->cert.sigs[c->cert.nsigs].validator = j;
                    memcpy(c->cert.sigs[c->cert.nsigs].sig, w->sig, YC_SIG_LEN);
                    c->cert.nsigs++;
                }
            }
            n->pending.has_commit = true;
            n->decided = true;
            return true;
        }
    }
    return false;
}

void pbft__progress(pbft_node *n)
{
    struct pbft_view *s;
    bool want = false;

    for (int iter = 0; iter < 16 && !n->decided; iter++) {
        bool changed = pbft__vc_progress(n);
        s = pbft__slot(n, n->view, false);
        if (s != NULL && view_active(n, s)) {
            changed |= act(n, s);
        }
        if (check_commits(n) || !changed) {
            break;
        }
    }
    if (!n->decided && pbft_primary(n->n, n->height, n->view) == n->self) {
        s = pbft__slot(n, n->view, true);
        want = s != NULL && view_active(n, s) && !s->nv_fixed && !s->has_pp &&
               pbft__myvote(n, n->view, PH_PREPARE) == NULL;
    }
    if (want && !n->want) {
        n->want_dirty = true;
    }
    n->want = want;
}
