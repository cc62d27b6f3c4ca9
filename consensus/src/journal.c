/*
 * journal.c — restoring a node from its vote journal (docs/design/pbft.md §5).
 *
 * The journal of a height is the list of records this node returned in
 * pbft_ready().records, in order: every message it signed (PRE-PREPARE, PREPARE,
 * COMMIT, VIEW-CHANGE, NEW-VIEW, byte for byte as sent) and every prepared
 * certificate it formed. Restoring gives back:
 *   - every (view, phase) → digest it voted, so it never signs another digest there;
 *   - its view: the highest view it voted or changed to; if that view was reached by
 *     its own VIEW-CHANGE and nothing was voted in it, it is still waiting for NEW-VIEW;
 *   - its highest prepared certificate and the block it certifies (its "lock");
 *   - its own latest VIEW-CHANGE (a new primary needs its own among the q);
 *   - the blocks it proposed or certified.
 * The records of the current view are sent again (they are the same signed bytes).
 * Records of other heights are ignored; an undecodable record is corruption.
 */
#include <string.h>

#include "pbft_int.h"
#include "yc/alloc.h"

static uint64_t record_view(const struct pbft_wmsg *m)
{
    return m->view; /* VIEW-CHANGE: the view changed to; prepared: the certificate's */
}

/* Second pass: put one record's facts into the node. */
static int apply(pbft_node *n, const struct pbft_wmsg *m)
{
    struct pbft_block *b = NULL;
    struct pbft_view *s;
    int rc;

    if (m->block != NULL) {
        rc = pbft__block_add(n, m->block, m->block_len, m->has_digest ? m->digest : NULL, &b);
        if (rc == YC_ENOMEM) {
            return rc;
        }
        if (rc != YC_OK) {
            return YC_ECORRUPT;
        }
        b->journaled = true;
        b->check = CHK_OK; /* we proposed, certified or re-proposed it */
    }
    s = pbft__slot(n, record_view(m), true);
    switch (m->type) {
    case PBFT_T_PREPREPARE:
    case PBFT_T_PREPARE:
    case PBFT_T_COMMIT: {
        enum pbft_phase ph = m->type == PBFT_T_COMMIT ? PH_COMMIT : PH_PREPARE;
        rc = pbft__remember_vote(n, m->view, ph, m->digest);
        if (rc != YC_OK) {
            return rc == YC_EEXIST ? YC_ECORRUPT : rc;
        }
        if (s == NULL) {
            return YC_OK;
        }
        if (!s->votes[ph][n->self].has) {
            s->votes[ph][n->self].has = true;
            memcpy(s->votes[ph][n->self].digest, m->digest, YC_HASH_LEN);
            memcpy(s->votes[ph][n->self].sig, m->sig, YC_SIG_LEN);
            s->nmsgs++;
        }
        if (m->type == PBFT_T_PREPREPARE) {
            s->has_pp = true;
            memcpy(s->pp_digest, m->digest, YC_HASH_LEN);
            s->nv_sent = m->view > 0;
        } else if (m->view > 0 && !s->nv_ok) {
            /* we voted in this view, so we had accepted its NEW-VIEW; our vote now
             * fixes the only digest we can vote for here anyway */
            s->nv_fixed = true;
            memcpy(s->nv_digest, m->digest, YC_HASH_LEN);
        }
        if (m->type == PBFT_T_COMMIT) {
            s->prepared = true;
        }
        s->nv_ok = true;
        return YC_OK;
    }
    case PBFT_T_VIEWCHANGE:
        if (!n->vcs[n->self].has || n->vcs[n->self].view < m->view) {
            uint8_t *copy = yc_memdup(m->body, m->body_len);
            struct pbft_vcent *e = &n->vcs[n->self];
            if (copy == NULL) {
                return YC_ENOMEM;
            }
            yc_free(e->body);
            memset(e, 0, sizeof *e);
            e->has = true;
            e->view = m->view;
            e->body = copy;
            e->body_len = m->body_len;
            memcpy(e->sig, m->sig, YC_SIG_LEN);
            e->has_pc = m->has_pc;
            e->pc_view = m->pc.view;
            memcpy(e->pc_digest, m->pc.digest, YC_HASH_LEN);
        }
        return YC_OK;
    case PBFT_T_NEWVIEW:
        if (m->has_digest) {
            rc = pbft__remember_vote(n, m->view, PH_PREPARE, m->digest);
            if (rc != YC_OK) {
                return rc == YC_EEXIST ? YC_ECORRUPT : rc;
            }
        }
        if (s != NULL) {
            s->nv_sent = true;
            s->nv_ok = true;
            s->nv_fixed = m->has_digest;
            if (m->has_digest) {
                memcpy(s->nv_digest, m->digest, YC_HASH_LEN);
                s->has_pp = true;
                memcpy(s->pp_digest, m->digest, YC_HASH_LEN);
                if (!s->votes[PH_PREPARE][n->self].has) {
                    s->votes[PH_PREPARE][n->self].has = true;
                    memcpy(s->votes[PH_PREPARE][n->self].digest, m->digest, YC_HASH_LEN);
                    memcpy(s->votes[PH_PREPARE][n->self].sig, m->vote, YC_SIG_LEN);
                    s->nmsgs++;
                }
            }
        }
        return YC_OK;
    case PBFT_T_PREPARED:
        b = pbft__block_find(n, m->pc.digest);
        if (b == NULL) {
            return YC_ECORRUPT; /* its block must be in this record or an earlier one */
        }
        b->journaled = true;
        b->check = CHK_OK;
        if (!n->prepared.has || n->prepared.view < m->pc.view) {
            struct pbft_pcert *pc = &n->prepared;
            memset(pc, 0, sizeof *pc);
            pc->has = true;
            pc->view = m->pc.view;
            memcpy(pc->digest, m->pc.digest, YC_HASH_LEN);
            pc->nsigs = m->pc.nsigs;
            for (uint32_t i = 0; i < m->pc.nsigs; i++) {
                pc->idx[i] = m->pc.idx[i];
                memcpy(pc->sigs[i], m->pc.sig[i], YC_SIG_LEN);
            }
        }
        if (s != NULL) {
            s->prepared = true;
        }
        return YC_OK;
    default:
        return YC_ECORRUPT;
    }
}

int pbft__restore(pbft_node *n, const struct pbft_record *journal, size_t njournal)
{
    struct pbft_wmsg *m;
    uint64_t top = 0;
    bool voted_top = false;
    bool any = false;
    int rc = YC_OK;

    if (njournal == 0) {
        return YC_OK;
    }
    m = yc_malloc(sizeof *m);
    if (m == NULL) {
        return YC_ENOMEM;
    }
    /* pass 1: the view to resume in */
    for (size_t i = 0; i < njournal && rc == YC_OK; i++) {
        if (pbft__decode(m, journal[i].bytes, journal[i].len, n->n) != YC_OK ||
            (m->type != PBFT_T_PREPARED && m->from != n->self)) {
            rc = YC_ECORRUPT;
            break;
        }
        if (m->height != n->height) {
            continue;
        }
        if (!any || record_view(m) > top) {
            top = record_view(m);
            voted_top = false;
        }
        any = true;
        if (record_view(m) == top && m->type != PBFT_T_VIEWCHANGE && m->type != PBFT_T_PREPARED) {
            voted_top = true;
        }
    }
    if (rc == YC_OK && any) {
        pbft__enter_view(n, top, false);
    }
    /* pass 2: votes, certificate, blocks, own VIEW-CHANGE */
    for (size_t i = 0; i < njournal && rc == YC_OK && any; i++) {
        if (pbft__decode(m, journal[i].bytes, journal[i].len, n->n) != YC_OK) {
            rc = YC_ECORRUPT;
            break;
        }
        if (m->height == n->height) {
            rc = apply(n, m);
        }
    }
    if (rc == YC_OK && any) {
        /* waiting for NEW-VIEW if our own VIEW-CHANGE brought us to `top` */
        n->in_vc = top > 0 && !voted_top && n->vcs[n->self].has && n->vcs[n->self].view == top;
        if (top > 0 && !voted_top && !n->in_vc) {
            /* only a prepared record names this view: it was voted in (prepared needs our
             * own PREPARE, whose record comes first), so this cannot happen */
            rc = YC_ECORRUPT;
        }
    }
    /* send the current view's records again: peers may have missed them */
    for (size_t i = 0; i < njournal && rc == YC_OK && any; i++) {
        if (pbft__decode(m, journal[i].bytes, journal[i].len, n->n) == YC_OK &&
            m->height == n->height && m->type != PBFT_T_PREPARED && record_view(m) == top) {
            rc = pbft__out_msg(n, PBFT_BROADCAST, journal[i].bytes, journal[i].len);
        }
    }
    yc_free(m);
    return rc;
}
