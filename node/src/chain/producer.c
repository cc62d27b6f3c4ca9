/*
 * producer.c — building, executing and storing blocks (see producer.h).
 *
 * Build: candidates are taken from the mempool's ready txs (a snapshot of pointers;
 * the mempool is not touched until the block is built), executed in order with
 * yc_exec_tx_outcome on one overlay: a tx that fails its type's rules goes into the
 * block as failed with its code (it consumes its nonce, so its sender's later txs can
 * follow it in the same block); one whose envelope fails (it can never be in a block:
 * its nonce is used, its sender is gone) is left out and refused. The header commits to
 * the tx root, the result root and the state root yc_state_root_next(parent root,
 * sorted writes). Block time is
 * max(now, parent time + 1), so times strictly increase even if the clock steps back.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "producer.h"
#include "yc/alloc.h"
#include "yc/cliutil.h"
#include "yc/ledger.h"
#include "yc/objects.h"
#include "yc/pbft.h"

void yc__exec_block_free(struct yc_exec_block *e)
{
    if (e == NULL)
        return;
    for (uint32_t i = 0; e->why != NULL && i < e->nwhy; i++)
        free(e->why[i]);
    free(e->why);
    yc_block_cleanup(&e->block);
    yc_overlay_destroy(e->ov);
    free(e);
}

struct candidates {
    const struct yc_tx **v;
    size_t n, bytes, max_txs, max_bytes;
};

static int collect_cb(void *ctx, const struct yc_tx *tx)
{
    struct candidates *c = ctx;
    if (c->n >= c->max_txs || c->bytes + tx->len > c->max_bytes)
        return 1;
    c->v[c->n++] = tx;
    c->bytes += tx->len;
    return 0;
}

/* Keeps the words of tx `index`'s failure in e (best effort: words are for people). */
static void keep_why(struct yc_exec_block *e, uint32_t index, uint32_t ntx, const char *why)
{
    if (why == NULL || why[0] == '\0' || index >= ntx)
        return;
    if (e->why == NULL) {
        if ((e->why = calloc(ntx, sizeof *e->why)) == NULL)
            return;
        e->nwhy = ntx;
    }
    if (index >= e->nwhy)
        return;
    free(e->why[index]);
    e->why[index] = strdup(why);
}

static void failed_cb(void *ctx, uint32_t index, int outcome, const char *why)
{
    struct yc_exec_block *e = ctx;
    (void)outcome;
    keep_why(e, index, e->block.ntx, why);
}

struct rejected {
    uint8_t id[YC_HASH_LEN];
    int code;
};

int yc__build_block(yc_node *n, uint64_t height, uint64_t view, uint32_t proposer,
                    const struct yc_build_limits *lim, struct yc_exec_block **out)
{
    *out = NULL;
    size_t ready, ready_bytes;
    yc_mempool_ready_size(n->mp, &ready, &ready_bytes);
    if (ready == 0 && !lim->allow_empty)
        return YC_OK;
    size_t cap = ready < lim->max_txs ? ready : lim->max_txs;
    struct candidates c = {.max_txs = cap, .max_bytes = lim->max_bytes};
    c.v = calloc(cap > 0 ? cap : 1, sizeof *c.v);
    struct yc_tx *txs = calloc(cap > 0 ? cap : 1, sizeof *txs);
    int *results = calloc(cap > 0 ? cap : 1, sizeof *results);
    struct rejected *rej = calloc(cap > 0 ? cap : 1, sizeof *rej);
    struct yc_exec_block *e = calloc(1, sizeof *e);
    struct yc_idmap failed = {0};
    struct yc_buf buf;
    yc_buf_init(&buf, YC_BLOCK_MAX_BYTES);
    size_t nrej = 0;
    int rc = YC_ENOMEM;
    const char *step = "allocation";
    if (c.v == NULL || txs == NULL || results == NULL || rej == NULL || e == NULL ||
        yc_idmap_init(&failed, YC_PUBKEY_LEN) != YC_OK)
        goto out;
    if (cap > 0)
        yc_mempool_each_ready(n->mp, collect_cb, &c);

    struct yc_state_src src = store_state_src(n->st);
    step = "overlay";
    rc = yc_overlay_create(&e->ov, &src);
    if (rc != YC_OK)
        goto out;
    struct yc_block_header *h = &e->block.hdr;
    uint64_t now = yc__wall_ms();
    char why[320];
    struct yc_exec_ctx ctx = {.g = &n->genesis,
                              .height = height,
                              .time_ms = now > n->tip.time_ms ? now : n->tip.time_ms + 1,
                              .why = why,
                              .whylen = sizeof why};
    uint32_t ntx = 0;
    for (size_t i = 0; i < c.n; i++) {
        const struct yc_tx *tx = c.v[i];
        if (yc_idmap_get(&failed, tx->sender) != NULL)
            continue; /* an earlier tx of this sender was left out: its nonce is a gap */
        int outcome;
        why[0] = '\0';
        rc = yc_exec_tx_outcome(e->ov, &ctx, tx, ntx, &outcome);
        if (rc == YC_OK) {
            txs[ntx] = *tx; /* shallow: the mempool keeps owning the bytes */
            results[ntx] = outcome;
            if (outcome != YC_OK)
                keep_why(e, ntx, (uint32_t)cap, why);
            ntx++;
            continue;
        }
        if (rc == YC_EIO)
            yc__node_fatal(n, YC_EXIT_IOERR, "storage read failed while executing height %llu",
                           (unsigned long long)height);
        if (!yc_err_is_verdict(rc))
            break; /* out of memory: propose what executed so far */
        memcpy(rej[nrej].id, tx->id, YC_HASH_LEN);
        rej[nrej].code = rc;
        nrej++;
        if (yc_idmap_put(&failed, tx->sender, (void *)tx) != YC_OK)
            break;
    }
    rc = YC_OK;
    if (ntx == 0 && !lim->allow_empty)
        goto out; /* nothing executed: no block */

    const struct yc_write *w;
    size_t nw;
    step = "state writes";
    rc = yc_overlay_writes(e->ov, &w, &nw);
    if (rc != YC_OK)
        goto out;
    snprintf(h->chain_id, sizeof h->chain_id, "%s", n->genesis.chain_id);
    h->height = height;
    h->view = view;
    h->proposer = proposer;
    h->time_ms = ctx.time_ms;
    memcpy(h->prev_hash, n->tip.hash, YC_HASH_LEN);
    yc_state_root_next(h->state_root, n->genesis.chain_id, n->tip.state_root, w, nw);
    step = "roots";
    rc = yc_block_header_seal(h, txs, results, ntx);
    if (rc != YC_OK)
        goto out;
    step = "encoding";
    rc = yc_block_encode(&buf, h, txs, results, ntx, NULL);
    if (rc != YC_OK)
        goto out;
    /* the decoded block is assembled from what built it, not decoded from its bytes: the
     * mempool's decoded txs are shared (yc_tx_copy: a reference, no decode, no copy) */
    step = "copying the txs";
    rc = YC_ENOMEM;
    if (ntx > 0) {
        e->block.txs = yc_calloc(ntx, sizeof *e->block.txs);
        e->block.results = yc_calloc(ntx, sizeof *e->block.results);
        if (e->block.txs == NULL || e->block.results == NULL)
            goto out;
        memcpy(e->block.results, results, ntx * sizeof *results);
    }
    for (; e->block.ntx < ntx; e->block.ntx++)
        if (yc_tx_copy(&e->block.txs[e->block.ntx], &txs[e->block.ntx]) != YC_OK)
            goto out;
    yc_buf_take(&buf, &e->block.bytes, &e->block.len);
    if (e->block.bytes == NULL)
        goto out;
    step = "header hash";
    rc = yc_header_hash(&e->block.hdr, e->digest);
    if (rc != YC_OK)
        goto out;
    memcpy(e->block.hash, e->digest, YC_HASH_LEN);
    e->height = height;
    e->view = view;
    *out = e;
    e = NULL;
    if (yc_log_enabled(YC_LOG_DEBUG)) {
        uint32_t nfailed = 0;
        for (uint32_t i = 0; i < ntx; i++)
            nfailed += results[i] != YC_OK;
        yc_log_debug("producer", "built height %llu view %llu: %u txs (%u failed), %zu left out",
                     (unsigned long long)height, (unsigned long long)view, ntx, nfailed, nrej);
    }
out:
    if (rc != YC_OK)
        yc_log_error("producer", "building height %llu: %s failed: %s", (unsigned long long)height,
                     step, yc_err_name(rc));
    /* rejections are final whether or not a block came out of this attempt */
    for (size_t i = 0; i < nrej; i++)
        yc__node_tx_rejected(n, rej[i].id, rej[i].code);
    yc__exec_block_free(e);
    yc_buf_cleanup(&buf);
    yc_idmap_cleanup(&failed);
    free(c.v);
    free(txs);
    free(results);
    free(rej);
    return rc;
}

int yc__tx_from_mempool(void *ctx, const uint8_t *p, size_t len, struct yc_tx *out)
{
    yc_node *n = ctx;
    const struct yc_tx *held = yc_mempool_find(n->mp, p, len);
    if (held == NULL) /* not admitted yet: its gossiped copy may be waiting for its check */
        held = yc__submit_find(n, p, len);
    if (held == NULL) {
        memset(out, 0, sizeof *out);
        return YC_ENOTFOUND;
    }
    return yc_tx_copy(out, held);
}

const char *yc__check_block_time(uint64_t time_ms, uint64_t parent_time_ms, uint64_t now_ms,
                                 uint64_t max_drift_ms)
{
    if (time_ms <= parent_time_ms)
        return "time not after the parent's";
    if (time_ms > now_ms && time_ms - now_ms > max_drift_ms)
        return "time too far ahead of our clock";
    return NULL;
}

void yc__node_valset(yc_node *n, uint64_t height, struct yc_valset *out)
{
    struct yc_state_src src = store_state_src(n->st);
    int rc = yc_ledger_valset_at(&src, &n->genesis, height, out);
    if (rc != YC_OK) /* the committed state cannot say who decides: nothing can go on */
        yc__node_fatal(n, rc == YC_ENOMEM ? YC_EXIT_FAIL : YC_EXIT_IOERR,
                       "cannot read the validator set of height %" PRIu64 ": %s", height,
                       yc_err_name(rc));
}

int yc__check_next(yc_node *n, const struct yc_block *b, unsigned flags, struct yc_block_verdict *v)
{
    struct yc_block_parent parent = {.height = n->tip.height, .time_ms = n->tip.time_ms};
    memcpy(parent.hash, n->tip.hash, YC_HASH_LEN);
    struct yc_valset vs;
    yc__node_valset(n, b->hdr.height, &vs);
    return yc_block_check_next(b, &n->genesis, &vs, &parent, flags, v);
}

int yc__check_header(yc_node *n, const struct yc_block *b, uint64_t height, uint64_t view,
                     uint64_t now_ms, char *why, size_t whylen)
{
    const struct yc_block_header *h = &b->hdr;
    struct yc_block_verdict v;
    int rc = yc__check_next(n, b, 0, &v);
    if (rc != YC_OK) {
        snprintf(why, whylen, "%s", v.why);
        return rc;
    }
    const char *bad = NULL;
    if (h->height != height || h->view > view)
        bad = "height or view is not the one being decided";
    else
        bad = yc__check_block_time(h->time_ms, n->tip.time_ms, now_ms,
                                   n->genesis.params.max_time_drift_ms);
    if (bad != NULL) {
        snprintf(why, whylen, "%s", bad);
        return YC_EBADBLOCK;
    }
    return YC_OK;
}

int yc__execute_block(yc_node *n, struct yc_block *b, uint64_t view, struct yc_exec_block **out,
                      uint32_t *bad_index)
{
    *out = NULL;
    *bad_index = 0;
    struct yc_exec_block *e = calloc(1, sizeof *e);
    if (e == NULL)
        return YC_ENOMEM;
    e->block = *b;
    memset(b, 0, sizeof *b);
    struct yc_state_src src = store_state_src(n->st);
    int rc = yc_overlay_create(&e->ov, &src);
    if (rc == YC_OK)
        rc = yc_exec_block_report(e->ov, &n->genesis, &e->block, n->tip.state_root, bad_index,
                                  failed_cb, e);
    if (rc == YC_EIO)
        yc__node_fatal(n, YC_EXIT_IOERR, "storage read failed while executing height %llu",
                       (unsigned long long)e->block.hdr.height);
    if (rc == YC_OK)
        rc = yc_header_hash(&e->block.hdr, e->digest);
    if (rc != YC_OK) {
        yc__exec_block_free(e);
        return rc;
    }
    e->height = e->block.hdr.height;
    e->view = view;
    *out = e;
    return YC_OK;
}

static double mono_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void yc__store_block(yc_node *n, struct yc_exec_block *e, const struct yc_cert *cert)
{
    double t0 = mono_seconds();
    struct yc_block *b = &e->block;
    struct yc_buf buf;
    yc_buf_init(&buf, YC_BLOCK_MAX_BYTES + (1u << 20));
    int rc = yc_block_encode(&buf, &b->hdr, b->txs, b->results, b->ntx, cert);
    if (rc != YC_OK)
        yc__node_fatal(n, YC_EXIT_IOERR, "cannot encode committed block %llu: %s",
                       (unsigned long long)b->hdr.height, yc_err_name(rc));
    yc_free(b->bytes);
    yc_buf_take(&buf, &b->bytes, &b->len);
    b->cert = *cert;
    const struct yc_write *w;
    size_t nw;
    rc = yc_overlay_writes(e->ov, &w, &nw);
    if (rc == YC_OK)
        rc = store_commit_block(n->st, b, w, nw);
    if (rc != YC_OK) {
        /* a failed synced write may still have reached the disk whole (LevelDB's log
         * record was written, then its sync failed): say what is known, and what is not */
        const char *why = store_last_error(n->st);
        yc_log_error("producer", "storing block %llu (%u txs, certified) in %s failed: %s",
                     (unsigned long long)b->hdr.height, b->ntx, n->home.data,
                     why != NULL && why[0] != '\0' ? why : yc_err_name(rc));
        yc__node_fatal(n, YC_EXIT_IOERR,
                       "stopping. Stored for certain: every block up to height %llu. Block %llu "
                       "was not confirmed durable (it may or may not be on disk); none of its "
                       "%u txs was reported committed by this node. At the next start the node "
                       "resumes from its last stored block (%llu or %llu) and fetches the rest "
                       "from its peers. Free space on the disk or repair it, then start again",
                       (unsigned long long)n->tip.height, (unsigned long long)b->hdr.height, b->ntx,
                       (unsigned long long)n->tip.height, (unsigned long long)b->hdr.height);
    }
    struct store_tip tip;
    rc = store_tip(n->st, &tip);
    if (rc != YC_OK || tip.height != b->hdr.height || memcmp(tip.hash, e->digest, YC_HASH_LEN) != 0)
        yc__node_fatal(n, YC_EXIT_IOERR,
                       "the store's tip does not match block %llu just stored (%s)",
                       (unsigned long long)b->hdr.height, yc_err_name(rc));
    if (memcmp(tip.state_root, b->hdr.state_root, YC_HASH_LEN) != 0) {
        yc_log_error("producer",
                     "state root after block %llu differs from its header: this "
                     "node diverged; stopping",
                     (unsigned long long)b->hdr.height);
        abort();
    }
    n->tip = tip;
    /* the words of each failure, for `tx` and the event stream (people, not consensus) */
    for (uint32_t i = 0; e->why != NULL && i < b->ntx && i < e->nwhy; i++)
        if (e->why[i] != NULL && b->results[i] != YC_OK)
            yc_mempool_note_rejected_why(n->mp, b->txs[i].id, b->results[i], e->why[i]);
    yc__node_block_committed(n, b, mono_seconds() - t0);
}
