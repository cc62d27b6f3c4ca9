/*
 * out.c — the queue of outputs a node hands to its driver: pbft_has_ready,
 * pbft_ready, pbft_advance.
 *
 * Records and messages are appended in the order they are produced; since a vote's
 * record is always queued before the message carrying it, and pbft_ready hands out
 * all records before any message, the driver persists every vote before sending it.
 * Every queued buffer is owned here until pbft_advance frees the batch.
 */
#include <string.h>

#include "pbft_int.h"
#include "yc/alloc.h"

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    size_t ncap;
    void *p;
    if (need <= *cap) {
        return YC_OK;
    }
    ncap = *cap == 0 ? 8 : *cap * 2;
    while (ncap < need) {
        ncap *= 2;
    }
    p = yc_realloc(*arr, ncap * elem);
    if (p == NULL) {
        return YC_ENOMEM;
    }
    *arr = p;
    *cap = ncap;
    return YC_OK;
}

int pbft__out_record(pbft_node *n, const uint8_t *p, size_t len)
{
    struct pbft_out *o = &n->pending;
    uint8_t *copy;
    if (grow((void **)&o->records, &o->caprecords, o->nrecords + 1, sizeof *o->records) != YC_OK) {
        return YC_ENOMEM;
    }
    copy = yc_memdup(p, len);
    if (copy == NULL) {
        return YC_ENOMEM;
    }
    o->records[o->nrecords].bytes = copy;
    o->records[o->nrecords].len = len;
    o->nrecords++;
    return YC_OK;
}

int pbft__out_msg(pbft_node *n, uint32_t to, const uint8_t *p, size_t len)
{
    struct pbft_out *o = &n->pending;
    uint8_t *copy;
    if (n->n == 1) {
        return YC_OK; /* nobody to send to */
    }
    if (grow((void **)&o->msgs, &o->capmsgs, o->nmsgs + 1, sizeof *o->msgs) != YC_OK) {
        return YC_ENOMEM;
    }
    copy = yc_memdup(p, len);
    if (copy == NULL) {
        return YC_ENOMEM;
    }
    o->msgs[o->nmsgs].to = to;
    o->msgs[o->nmsgs].bytes = copy;
    o->msgs[o->nmsgs].len = len;
    o->nmsgs++;
    return YC_OK;
}

int pbft__out_proposal(pbft_node *n, uint64_t view, const struct pbft_block *b)
{
    struct pbft_out *o = &n->pending;
    struct pbft_proposal *pr;
    uint8_t *copy;
    if (grow((void **)&o->proposals, &o->capproposals, o->nproposals + 1, sizeof *o->proposals) !=
        YC_OK) {
        return YC_ENOMEM;
    }
    copy = yc_memdup(b->bytes, b->len);
    if (copy == NULL) {
        return YC_ENOMEM;
    }
    pr = &o->proposals[o->nproposals++];
    pr->height = n->height;
    pr->view = view;
    memcpy(pr->digest, b->digest, YC_HASH_LEN);
    pr->block = copy;
    pr->len = b->len;
    return YC_OK;
}

int pbft__out_evidence(pbft_node *n, uint32_t validator, uint8_t *a, size_t alen, uint8_t *b,
                       size_t blen)
{
    struct pbft_out *o = &n->pending;
    struct pbft_evidence *ev;
    if (grow((void **)&o->evidence, &o->capevidence, o->nevidence + 1, sizeof *o->evidence) !=
        YC_OK) {
        yc_free(a);
        yc_free(b);
        return YC_ENOMEM;
    }
    ev = &o->evidence[o->nevidence++];
    ev->validator = validator;
    ev->a = a;
    ev->alen = alen;
    ev->b = b;
    ev->blen = blen;
    return YC_OK;
}

void pbft__out_free(struct pbft_out *o)
{
    for (size_t i = 0; i < o->nrecords; i++) {
        yc_free(o->records[i].bytes);
    }
    for (size_t i = 0; i < o->nmsgs; i++) {
        yc_free(o->msgs[i].bytes);
    }
    for (size_t i = 0; i < o->nproposals; i++) {
        yc_free((void *)o->proposals[i].block);
    }
    for (size_t i = 0; i < o->nevidence; i++) {
        yc_free((void *)o->evidence[i].a);
        yc_free((void *)o->evidence[i].b);
    }
    if (o->has_commit) {
        yc_free((void *)o->commit.block);
    }
    yc_free(o->records);
    yc_free(o->msgs);
    yc_free(o->proposals);
    yc_free(o->evidence);
    memset(o, 0, sizeof *o);
}

bool pbft__out_empty(const struct pbft_out *o)
{
    return o->nrecords == 0 && o->nmsgs == 0 && o->nproposals == 0 && o->nevidence == 0 &&
           !o->has_commit;
}

/* ---- outputs ---- */

bool pbft_has_ready(const pbft_node *n)
{
    return n != NULL && (!pbft__out_empty(&n->pending) || n->want_dirty);
}

#define MOVE_ARRAY(field, nfield, capfield)                                                  \
    do {                                                                                     \
        if (in->nfield == 0) {                                                               \
            yc_free(in->field);                                                              \
            in->field = p->field;                                                            \
            in->nfield = p->nfield;                                                          \
            in->capfield = p->capfield;                                                      \
            p->field = NULL;                                                                 \
            p->nfield = 0;                                                                   \
            p->capfield = 0;                                                                 \
        } else if (p->nfield > 0) {                                                          \
            void *np_ = yc_realloc(in->field, (in->nfield + p->nfield) * sizeof *in->field); \
            if (np_ != NULL) {                                                               \
                in->field = np_;                                                             \
                memcpy(in->field + in->nfield, p->field, p->nfield * sizeof *p->field);      \
                in->nfield += p->nfield;                                                     \
                in->capfield = in->nfield;                                                   \
                p->nfield = 0;                                                               \
            }                                                                                \
        }                                                                                    \
    } while (0)

void pbft_ready(pbft_node *n, struct pbft_ready *rd)
{
    struct pbft_out *in, *p;

    if (rd == NULL) {
        return;
    }
    memset(rd, 0, sizeof *rd);
    if (n == NULL) {
        return;
    }
    in = &n->inflight;
    p = &n->pending;
    /* Move what is pending into the batch handed out; if the previous batch was not
     * advanced yet, append to it (on allocation failure the rest stays pending). */
    MOVE_ARRAY(records, nrecords, caprecords);
    MOVE_ARRAY(msgs, nmsgs, capmsgs);
    MOVE_ARRAY(proposals, nproposals, capproposals);
    MOVE_ARRAY(evidence, nevidence, capevidence);
    if (p->has_commit && !in->has_commit) {
        in->has_commit = true;
        in->commit = p->commit;
        p->has_commit = false;
        memset(&p->commit, 0, sizeof p->commit);
    }
    n->want_dirty = false;
    rd->records = in->records;
    rd->nrecords = in->nrecords;
    rd->msgs = in->msgs;
    rd->nmsgs = in->nmsgs;
    rd->proposals = in->proposals;
    rd->nproposals = in->nproposals;
    rd->has_commit = in->has_commit;
    if (in->has_commit) {
        rd->commit = in->commit;
    }
    rd->want_proposal = n->want;
    rd->evidence = in->evidence;
    rd->nevidence = in->nevidence;
    rd->height = n->height;
    rd->view = n->view;
    rd->view_changes = n->view_changes;
    rd->peer_height = n->peer_height;
}

void pbft_advance(pbft_node *n)
{
    if (n == NULL) {
        return;
    }
    pbft__out_free(&n->inflight);
}
