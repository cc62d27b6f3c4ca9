/*
 * pbft_drive.c — see pbft_drive.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pbft_drive.h"
#include "yc/alloc.h"
#include "yc/block.h"
#include "yc/buf.h"

static void journal_clear(struct fz_drive *d)
{
    for (size_t i = 0; i < d->nrec; i++) {
        yc_free(d->rec[i]);
    }
    d->nrec = 0;
}

int fz_drive_init(struct fz_drive *d, const struct yc_genesis *g, uint32_t self,
                  const yc_signer *signer, uint64_t now, fz_send_cb send, void *ctx)
{
    memset(d, 0, sizeof *d);
    d->cfg.genesis = g;
    d->self = self;
    d->cfg.signer = signer;
    d->cfg.base_timeout_ms = 1000;
    d->cfg.max_msgs_per_view = 0;
    d->cfg.mutant = PBFT_MUTANT_NONE;
    d->height = 1;
    memcpy(d->prev, g->hash, YC_HASH_LEN);
    d->verdict_ok = true;
    d->now = now;
    d->send = send;
    d->ctx = ctx;
    d->rec = yc_calloc(FZ_JOURNAL_MAX, sizeof *d->rec);
    d->rec_len = yc_calloc(FZ_JOURNAL_MAX, sizeof *d->rec_len);
    if (d->rec == NULL || d->rec_len == NULL) {
        abort();
    }
    return pbft_create(&d->node, &d->cfg, d->height, d->prev, NULL, 0, now);
}

void fz_drive_cleanup(struct fz_drive *d)
{
    pbft_destroy(d->node);
    d->node = NULL;
    journal_clear(d);
    yc_free(d->rec);
    yc_free(d->rec_len);
    d->rec = NULL;
    d->rec_len = NULL;
}

struct answer {
    uint64_t height, view;
    uint8_t digest[YC_HASH_LEN];
};

void fz_drive_pump(struct fz_drive *d)
{
    /* A ready can cause another (answers, the next height): bounded rounds, and a node
     * that keeps producing readies without input is a livelock worth a report. */
    for (int round = 0; d->node != NULL && pbft_has_ready(d->node); round++) {
        struct pbft_ready rd;
        struct answer ans[16];
        size_t nans = 0;
        bool commit = false;
        uint64_t commit_h = 0;
        uint8_t commit_digest[YC_HASH_LEN];

        if (round >= 64) {
            fprintf(stderr, "pbft_drive: node %u never stops producing readies\n", d->self);
            abort();
        }
        pbft_ready(d->node, &rd);
        for (size_t i = 0; i < rd.nrecords; i++) {
            if (d->nrec == FZ_JOURNAL_MAX) {
                fprintf(stderr, "pbft_drive: more than %d journal records at one height\n",
                        FZ_JOURNAL_MAX);
                abort();
            }
            d->rec[d->nrec] = yc_memdup(rd.records[i].bytes, rd.records[i].len);
            if (d->rec[d->nrec] == NULL) {
                abort();
            }
            d->rec_len[d->nrec++] = rd.records[i].len;
        }
        for (size_t i = 0; i < rd.nmsgs; i++) {
            if (d->send != NULL) {
                d->send(d->ctx, d->self, rd.msgs[i].to, rd.msgs[i].bytes, rd.msgs[i].len);
            }
        }
        for (size_t i = 0; i < rd.nproposals && nans < 16; i++) {
            ans[nans].height = rd.proposals[i].height;
            ans[nans].view = rd.proposals[i].view;
            memcpy(ans[nans].digest, rd.proposals[i].digest, YC_HASH_LEN);
            nans++;
        }
        if (rd.has_commit) {
            commit = true;
            commit_h = rd.commit.height;
            memcpy(commit_digest, rd.commit.digest, YC_HASH_LEN);
        }
        d->want_proposal = rd.want_proposal;
        d->view = rd.view;
        pbft_advance(d->node);
        for (size_t i = 0; i < nans; i++) {
            int rc = pbft_block_checked(d->node, ans[i].height, ans[i].view, ans[i].digest,
                                        d->verdict_ok, d->now);
            (void)rc; /* stale answers are fine */
        }
        if (commit) {
            if (pbft_decided(d->node, commit_h, commit_digest, NULL, d->now) == YC_OK) {
                d->height = commit_h + 1;
                memcpy(d->prev, commit_digest, YC_HASH_LEN);
                d->decided++;
                journal_clear(d);
            }
        }
    }
}

int fz_drive_restart(struct fz_drive *d)
{
    struct pbft_record *j = yc_calloc(d->nrec > 0 ? d->nrec : 1, sizeof *j);
    int rc;

    if (j == NULL) {
        abort();
    }
    for (size_t i = 0; i < d->nrec; i++) {
        j[i].bytes = d->rec[i];
        j[i].len = d->rec_len[i];
    }
    pbft_destroy(d->node);
    d->node = NULL;
    d->want_proposal = false;
    rc = pbft_create(&d->node, &d->cfg, d->height, d->prev, j, d->nrec, d->now);
    yc_free(j);
    return rc;
}

uint8_t *fz_block(const struct yc_genesis *g, uint64_t height, uint64_t view, uint32_t proposer,
                  const uint8_t prev[YC_HASH_LEN], uint64_t time_ms, size_t *len)
{
    struct yc_block_header h;
    struct yc_buf b;
    uint8_t *out;

    memset(&h, 0, sizeof h);
    snprintf(h.chain_id, sizeof h.chain_id, "%s", g->chain_id);
    h.height = height;
    h.view = view;
    h.proposer = proposer;
    h.time_ms = time_ms;
    memcpy(h.prev_hash, prev, YC_HASH_LEN);
    h.state_root[0] = (uint8_t)height;
    if (yc_block_header_seal(&h, NULL, NULL, 0) != YC_OK) {
        abort();
    }
    yc_buf_init(&b, 0);
    if (yc_block_encode(&b, &h, NULL, NULL, 0, NULL) != YC_OK) {
        abort();
    }
    yc_buf_take(&b, &out, len);
    return out;
}
