/*
 * viewchange.c — VIEW-CHANGE, NEW-VIEW and the f+1 join rule (docs/design/pbft.md §3).
 *
 * VIEW-CHANGE(h, v) carries the sender's highest prepared certificate: a view, a
 * digest and q PREPARE signatures over it, plus the block those signatures are for.
 * The primary of v, with q VIEW-CHANGEs for v, sends NEW-VIEW carrying them (their
 * signed bodies, without blocks) and:
 *   - if any carries a certificate: the block of the highest one, with its own
 *     PREPARE signature for it in view v (NEW-VIEW is then also the PRE-PREPARE);
 *   - otherwise nothing: it then proposes a new block with a PRE-PREPARE of view v.
 * A validator accepts a NEW-VIEW only after checking all of it: the sender is the
 * primary of v, q distinct valid VIEW-CHANGEs for exactly (h, v), every certificate
 * valid, and the choice above made correctly. Why this is safe: a block committed in
 * view w had q COMMITs, so q nodes were prepared in w; any q VIEW-CHANGEs include one
 * of them that is honest, and it reports a certificate of view >= w, which (by
 * induction over views) can only be for the committed block.
 *
 * Only the latest VIEW-CHANGE of each validator is kept: memory is bounded by n, and
 * a validator with a huge view number cannot make anyone move alone (f+1 rule).
 */
#include <string.h>

#include "pbft_int.h"
#include "yc/alloc.h"

void pbft__vc_clear(pbft_node *n)
{
    for (uint32_t i = 0; i < n->n; i++) {
        yc_free(n->vcs[i].body);
    }
    memset(n->vcs, 0, n->n * sizeof *n->vcs);
}

int pbft__check_pcert(pbft_node *n, const struct pbft_wpcert *pc)
{
    uint8_t h[YC_HASH_LEN];
    if (pc->nsigs < pbft__quorum(n)) {
        return YC_EBADMSG;
    }
    pbft__vote_hash(n, h, PH_PREPARE, pc->view, pc->digest);
    for (uint32_t i = 0; i < pc->nsigs; i++) {
        if (!pbft__verify(n, pc->idx[i], h, pc->sig[i])) {
            return YC_EBADSIG;
        }
    }
    return YC_OK;
}

static int vc_store(pbft_node *n, uint32_t from, uint64_t view, const uint8_t *body, size_t len,
                    const uint8_t sig[YC_SIG_LEN], bool has_pc, uint64_t pc_view,
                    const uint8_t *pc_digest)
{
    struct pbft_vcent *e = &n->vcs[from];
    uint8_t *copy = yc_memdup(body, len);
    if (copy == NULL) {
        return YC_ENOMEM;
    }
    yc_free(e->body);
    memset(e, 0, sizeof *e);
    e->has = true;
    e->view = view;
    e->body = copy;
    e->body_len = len;
    memcpy(e->sig, sig, YC_SIG_LEN);
    e->has_pc = has_pc;
    e->pc_view = pc_view;
    if (has_pc) {
        memcpy(e->pc_digest, pc_digest, YC_HASH_LEN);
    }
    return YC_OK;
}

int pbft__on_viewchange(pbft_node *n, const struct pbft_wmsg *m, const uint8_t *raw, size_t len)
{
    const struct pbft_vcent *e = &n->vcs[m->from];
    uint8_t h[YC_HASH_LEN];
    struct pbft_block *b = NULL;
    int rc;

    (void)raw;
    (void)len;
    if (e->has && e->view >= m->view) {
        bool same = e->view == m->view && e->body_len == m->body_len &&
                    memcmp(e->body, m->body, m->body_len) == 0 &&
                    memcmp(e->sig, m->sig, YC_SIG_LEN) == 0;
        return same ? YC_OK : YC_ESTALE;
    }
    pbft__body_hash(n, h, m->body, m->body_len);
    if (!pbft__verify(n, m->from, h, m->sig)) {
        return YC_EBADSIG;
    }
    if (m->has_pc) {
        rc = pbft__check_pcert(n, &m->pc);
        if (rc != YC_OK) {
            return rc;
        }
        rc = pbft__block_add(n, m->block, m->block_len, m->pc.digest, &b);
        if (rc != YC_OK) {
            return rc;
        }
    }
    rc = vc_store(n, m->from, m->view, m->body, m->body_len, m->sig, m->has_pc, m->pc.view,
                  m->pc.digest);
    if (rc != YC_OK) {
        return rc;
    }
    pbft__progress(n);
    return YC_OK;
}

int pbft__start_vc(pbft_node *n, uint64_t view)
{
    struct yc_buf body, msg;
    uint8_t h[YC_HASH_LEN];
    uint8_t sig[YC_SIG_LEN];
    const struct pbft_pcert *pc = n->prepared.has ? &n->prepared : NULL;
    const struct pbft_block *b = NULL;
    int rc;

    if (view <= n->view || view >= PBFT_MAX_VIEW) {
        return YC_EINVAL;
    }
    if (pc != NULL && (b = pbft__block_find(n, pc->digest)) == NULL) {
        return YC_ENOTFOUND; /* cannot happen: the prepared block is pinned */
    }
    yc_buf_init(&body, 0);
    yc_buf_init(&msg, PBFT_MAX_MSG_BYTES);
    rc = pbft__enc_vc_body(&body, n->height, view, pc);
    if (rc == YC_OK) {
        pbft__body_hash(n, h, body.data, body.len);
        rc = pbft__sign(n, sig, h);
    }
    if (rc == YC_OK) {
        rc = pbft__enc_msg(&msg, PBFT_T_VIEWCHANGE, n->self, b != NULL ? b->bytes : NULL,
                           b != NULL ? b->len : 0, body.data, body.len, sig, NULL);
    }
    if (rc == YC_OK) {
        rc = pbft__out_record(n, msg.data, msg.len);
    }
    if (rc == YC_OK) {
        rc = pbft__out_msg(n, PBFT_BROADCAST, msg.data, msg.len);
    }
    if (rc == YC_OK) {
        rc = vc_store(n, n->self, view, body.data, body.len, sig, pc != NULL,
                      pc != NULL ? pc->view : 0, pc != NULL ? pc->digest : NULL);
    }
    yc_buf_cleanup(&body);
    yc_buf_cleanup(&msg);
    if (rc != YC_OK) {
        return rc;
    }
    pbft__enter_view(n, view, true);
    n->view_changes++;
    return YC_OK;
}

uint32_t pbft__vc_support(const pbft_node *n)
{
    uint32_t cnt = 0;
    for (uint32_t i = 0; i < n->n; i++) {
        cnt += n->vcs[i].has && n->vcs[i].view >= n->view;
    }
    return cnt;
}

int pbft__resend_vc(pbft_node *n)
{
    const struct pbft_vcent *e = &n->vcs[n->self];
    const struct pbft_block *b = NULL;
    struct yc_buf msg;
    int rc;

    if (!e->has || e->view != n->view) {
        return YC_ENOTFOUND;
    }
    if (e->has_pc && (b = pbft__block_find(n, e->pc_digest)) == NULL) {
        return YC_ENOTFOUND; /* cannot happen: the prepared block is pinned */
    }
    yc_buf_init(&msg, PBFT_MAX_MSG_BYTES);
    rc = pbft__enc_msg(&msg, PBFT_T_VIEWCHANGE, n->self, b != NULL ? b->bytes : NULL,
                       b != NULL ? b->len : 0, e->body, e->body_len, e->sig, NULL);
    if (rc == YC_OK) {
        rc = pbft__out_msg(n, PBFT_BROADCAST, msg.data, msg.len);
    }
    yc_buf_cleanup(&msg);
    return rc;
}

/* f+1 validators (other than us) announced views above ours: join the highest view
 * that at least f+1 of them reached, so at least one honest validator is there. */
static bool join_rule(pbft_node *n)
{
    uint64_t views[YC_MAX_VALIDATORS];
    uint32_t cnt = 0;
    for (uint32_t i = 0; i < n->n; i++) {
        if (i != n->self && n->vcs[i].has && n->vcs[i].view > n->view) {
            views[cnt++] = n->vcs[i].view;
        }
    }
    if (cnt < n->f + 1) {
        return false;
    }
    /* partial selection sort, descending, up to position f */
    for (uint32_t i = 0; i <= n->f; i++) {
        for (uint32_t j = i + 1; j < cnt; j++) {
            if (views[j] > views[i]) {
                uint64_t t = views[i];
                views[i] = views[j];
                views[j] = t;
            }
        }
    }
    return pbft__start_vc(n, views[n->f]) == YC_OK;
}

static int send_newview(pbft_node *n, struct pbft_view *s, const struct pbft_vcent *const *list,
                        const uint32_t *from, uint32_t cnt, struct pbft_block *b)
{
    struct yc_buf body, msg;
    uint8_t h[YC_HASH_LEN];
    uint8_t sig[YC_SIG_LEN];
    uint8_t vote[YC_SIG_LEN];
    int rc = YC_OK;

    if (b != NULL) {
        rc = pbft__vote(n, PH_PREPARE, n->view, b->digest, NULL, false, vote);
        if (rc != YC_OK) {
            return rc;
        }
    }
    yc_buf_init(&body, 0);
    yc_buf_init(&msg, PBFT_MAX_MSG_BYTES);
    rc =
        pbft__enc_nv_body(&body, n->height, n->view, b != NULL ? b->digest : NULL, list, from, cnt);
    if (rc == YC_OK) {
        pbft__body_hash(n, h, body.data, body.len);
        rc = pbft__sign(n, sig, h);
    }
    if (rc == YC_OK) {
        rc = pbft__enc_msg(&msg, PBFT_T_NEWVIEW, n->self, b != NULL ? b->bytes : NULL,
                           b != NULL ? b->len : 0, body.data, body.len, sig,
                           b != NULL ? vote : NULL);
    }
    if (rc == YC_OK) {
        rc = pbft__out_record(n, msg.data, msg.len); /* holds our PREPARE: before sending */
    }
    if (rc == YC_OK) {
        rc = pbft__out_msg(n, PBFT_BROADCAST, msg.data, msg.len);
    }
    yc_buf_cleanup(&body);
    yc_buf_cleanup(&msg);
    if (rc != YC_OK) {
        return rc;
    }
    s->nv_sent = true;
    s->nv_ok = true;
    if (b != NULL) {
        b->journaled = true;
        s->nv_fixed = true;
        memcpy(s->nv_digest, b->digest, YC_HASH_LEN);
        s->has_pp = true;
        memcpy(s->pp_digest, b->digest, YC_HASH_LEN);
    }
    pbft__enter_view(n, n->view, false);
    return YC_OK;
}

/* As the primary of the view we are changing to: NEW-VIEW once q VIEW-CHANGEs are in. */
static bool new_view(pbft_node *n)
{
    const struct pbft_vcent *list[YC_MAX_VALIDATORS];
    uint32_t from[YC_MAX_VALIDATORS];
    uint32_t cnt = 0;
    const struct pbft_vcent *best = NULL;
    struct pbft_view *s;
    struct pbft_block *b = NULL;

    if (!n->in_vc || pbft_primary(n->n, n->height, n->view) != n->self) {
        return false;
    }
    s = pbft__slot(n, n->view, true);
    if (s == NULL || s->nv_sent) {
        return false;
    }
    for (uint32_t i = 0; i < n->n; i++) {
        const struct pbft_vcent *e = &n->vcs[i];
        if (e->has && e->view == n->view) {
            list[cnt] = e;
            from[cnt] = i;
            cnt++;
            if (e->has_pc && (best == NULL || e->pc_view > best->pc_view)) {
                best = e;
            }
        }
    }
    if (cnt < pbft__quorum(n)) {
        return false;
    }
    if (pbft__mutant(n, PBFT_MUTANT_NEWVIEW_NO_PREPARED)) {
        best = NULL;
    }
    if (best != NULL) {
        b = pbft__block_find(n, best->pc_digest);
        if (b == NULL) {
            return false; /* cannot happen: blocks of stored VIEW-CHANGEs are pinned */
        }
        if (b->check == CHK_UNKNOWN) {
            if (pbft__out_proposal(n, n->view, b) == YC_OK) {
                b->check = CHK_PENDING;
            }
            return false;
        }
        if (b->check != CHK_OK) {
            return false;
        }
    }
    return send_newview(n, s, list, from, cnt, b) == YC_OK;
}

bool pbft__vc_progress(pbft_node *n)
{
    bool changed = join_rule(n);
    changed |= new_view(n);
    return changed;
}

int pbft__on_newview(pbft_node *n, const struct pbft_wmsg *m)
{
    uint8_t h[YC_HASH_LEN];
    bool has_best = false;
    uint64_t best_view = 0;
    bool digest_ok = false;
    struct pbft_view *s;
    struct pbft_block *b = NULL;
    struct pbft_wvc *vc;
    int rc = YC_OK;

    if (m->from != pbft_primary(n->n, n->height, m->view)) {
        return YC_EBADMSG;
    }
    if (m->view < n->view) {
        return YC_ESTALE;
    }
    pbft__body_hash(n, h, m->body, m->body_len);
    if (!pbft__verify(n, m->from, h, m->sig)) {
        return YC_EBADSIG;
    }
    s = pbft__slot(n, m->view, false);
    if (m->view == n->view && !n->in_vc && s != NULL && s->nv_ok && (s->has_pp || !m->has_digest)) {
        return YC_OK; /* already in this view with what it brings (a re-sent NEW-VIEW) */
    }
    if (m->nvcs < pbft__quorum(n)) {
        return YC_EBADMSG;
    }
    vc = yc_malloc(sizeof *vc);
    if (vc == NULL) {
        return YC_ENOMEM;
    }
    for (uint32_t i = 0; i < m->nvcs && rc == YC_OK; i++) {
        const struct pbft_wnvc *e = &m->vcs[i];
        rc = pbft__decode_vc_body(vc, e->body, e->body_len, n->n);
        if (rc == YC_OK && (vc->height != n->height || vc->view != m->view)) {
            rc = YC_EBADMSG;
        }
        if (rc == YC_OK) {
            pbft__body_hash(n, h, e->body, e->body_len);
            if (!pbft__verify(n, e->from, h, e->sig)) {
                rc = YC_EBADSIG;
            }
        }
        if (rc == YC_OK && vc->has_pc) {
            rc = pbft__check_pcert(n, &vc->pc);
            if (rc == YC_OK && (!has_best || vc->pc.view > best_view)) {
                has_best = true;
                best_view = vc->pc.view;
                digest_ok = false;
            }
            /* any certificate of the highest view will do (two cannot disagree) */
            if (rc == YC_OK && vc->pc.view == best_view && m->has_digest &&
                memcmp(vc->pc.digest, m->digest, YC_HASH_LEN) == 0) {
                digest_ok = true;
            }
        }
    }
    yc_free(vc);
    if (rc != YC_OK) {
        return rc == YC_EBADSIG ? YC_EBADSIG : YC_EBADMSG;
    }
    if (!pbft__mutant(n, PBFT_MUTANT_NEWVIEW_NO_PREPARED)) {
        if (has_best ? !digest_ok : m->has_digest) {
            return YC_EBADMSG; /* not the block the certificates demand */
        }
    }
    if (m->has_digest) {
        pbft__vote_hash(n, h, PH_PREPARE, m->view, m->digest);
        if (!pbft__verify(n, m->from, h, m->vote)) {
            return YC_EBADSIG;
        }
        rc = pbft__block_add(n, m->block, m->block_len, m->digest, &b);
        if (rc != YC_OK) {
            return rc;
        }
        if (b->hview >= m->view && !pbft__mutant(n, PBFT_MUTANT_NEWVIEW_NO_PREPARED)) {
            return YC_EBADBLOCK;
        }
    }
    /* accepted: move to the view */
    if (m->view > n->view || n->in_vc) {
        pbft__enter_view(n, m->view, false);
    } else {
        n->view_start_ms = n->now_ms;
    }
    s = pbft__slot(n, m->view, true);
    if (s == NULL) {
        return YC_ESTALE;
    }
    s->nv_ok = true;
    s->nv_fixed = m->has_digest;
    if (m->has_digest) {
        memcpy(s->nv_digest, m->digest, YC_HASH_LEN);
        (void)pbft__store_vote(n, s, PH_PREPARE, m->from, m->digest, m->vote);
        s->has_pp = true;
        memcpy(s->pp_digest, m->digest, YC_HASH_LEN);
    }
    pbft__progress(n);
    return YC_OK;
}
