/*
 * fetch.c — a backup's proposals carried by ids: resolved from the txs it holds, the
 * missing ones fetched, then stepped whole (yc/pbft_ids.h).
 *
 * A proposal waiting holds a copy of its ids-proposal, a reference to each tx found so
 * far (yc_tx_copy: the mempool may drop its own before the rest arrives) and the missing
 * ids sorted, so that a response's txs are matched by binary search. Each waits for one
 * request at a time; a proposal that cannot be completed is asked whole once and
 * forgotten.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pbft_int.h"
#include "yc/alloc.h"
#include "yc/merkle.h"
#include "yc/pbft_ids.h"

#define PBFT_FETCH_MAX_PENDING 16

struct want { /* a missing id and where it goes */
    uint8_t id[YC_HASH_LEN];
    uint32_t idx;
};

struct pend {
    bool used;
    uint64_t asked_ms; /* when its request was sent */
    uint8_t *bytes;    /* owned copy of the ids-proposal; m points into it */
    size_t len;
    struct pbft_ids m;
    struct yc_tx *txs; /* m.pp.ntx; bytes NULL: still missing */
    struct want *want; /* the missing ids, sorted */
    uint32_t nwant;
    uint32_t nmissing;
};

struct pbft_fetch {
    struct pbft_fetch_limits lim;
    struct pbft_fetch_io io;
    struct pend pend[PBFT_FETCH_MAX_PENDING];
    struct yc_buf buf; /* scratch: a rebuilt message, a request */
    struct pbft_fetch_stats st;
};

int pbft_fetch_create(pbft_fetch **out, const struct pbft_fetch_limits *lim,
                      const struct pbft_fetch_io *io)
{
    *out = NULL;
    if (lim == NULL || io == NULL || lim->max_pending == 0 ||
        lim->max_pending > PBFT_FETCH_MAX_PENDING || lim->timeout_ms == 0 || io->lookup == NULL ||
        io->step == NULL || io->request == NULL) {
        return YC_EINVAL;
    }
    pbft_fetch *f = yc_calloc(1, sizeof *f);
    if (f == NULL) {
        return YC_ENOMEM;
    }
    f->lim = *lim;
    f->io = *io;
    yc_buf_init(&f->buf, PBFT_MAX_MSG_BYTES);
    *out = f;
    return YC_OK;
}

static void pend_free(struct pend *pd)
{
    if (pd->txs != NULL) {
        for (uint32_t i = 0; i < pd->m.pp.ntx; i++) {
            yc_tx_cleanup(&pd->txs[i]);
        }
    }
    yc_free(pd->txs);
    yc_free(pd->want);
    yc_free(pd->bytes);
    memset(pd, 0, sizeof *pd);
}

void pbft_fetch_destroy(pbft_fetch *f)
{
    if (f == NULL) {
        return;
    }
    for (uint32_t i = 0; i < PBFT_FETCH_MAX_PENDING; i++) {
        pend_free(&f->pend[i]);
    }
    yc_buf_cleanup(&f->buf);
    yc_free(f);
}

/* Asks `to` for the whole PRE-PREPARE of m. */
static void ask_whole(pbft_fetch *f, uint32_t to, const struct pbft_ids *m)
{
    f->st.wholes++;
    if (pbft_txreq_encode(&f->buf, m->pp.height, m->pp.digest, NULL, 0) == YC_OK) {
        f->io.request(f->io.ctx, to, f->buf.data, f->buf.len);
    }
}

/* Every tx of m is known: checks them against the header's tx root, then steps the
 * rebuilt PRE-PREPARE (or, when they do not give that root, asks for it whole). */
static int complete(pbft_fetch *f, const struct pbft_ids *m, const struct yc_tx *const *txs)
{
    uint8_t root[YC_HASH_LEN];
    uint8_t(*leaves)[YC_HASH_LEN] = NULL;
    uint32_t n = m->pp.ntx;
    int rc = YC_OK;

    if (n == 0) {
        memset(root, 0, sizeof root);
    } else {
        leaves = yc_calloc(n, YC_HASH_LEN);
        if (leaves == NULL) {
            return YC_ENOMEM;
        }
        for (uint32_t i = 0; i < n; i++) {
            yc_signed_tx_hash(leaves[i], m->hdr.chain_id, txs[i]);
        }
        rc = yc_merkle_root(root, m->hdr.chain_id, (const uint8_t(*)[YC_HASH_LEN])leaves, n);
        yc_free(leaves);
        if (rc != YC_OK) {
            return rc;
        }
    }
    if (memcmp(root, m->hdr.tx_root, YC_HASH_LEN) != 0) {
        f->st.root_mismatch++;
        ask_whole(f, m->pp.from, m);
        return YC_OK;
    }
    rc = pbft_ids_join(&f->buf, m, txs);
    if (rc != YC_OK) {
        return rc;
    }
    f->io.step(f->io.ctx, m->pp.from, f->buf.data, f->buf.len);
    return YC_OK;
}

static int want_cmp(const void *a, const void *b)
{
    return memcmp(((const struct want *)a)->id, ((const struct want *)b)->id, YC_HASH_LEN);
}

/* The slot for a proposal of `from`: its earlier one (replaced), a free one, or the one
 * waiting longest. */
static struct pend *slot_for(pbft_fetch *f, uint32_t from)
{
    struct pend *free_slot = NULL, *oldest = NULL;
    for (uint32_t i = 0; i < f->lim.max_pending; i++) {
        struct pend *pd = &f->pend[i];
        if (pd->used && pd->m.pp.from == from) {
            pend_free(pd);
            return pd;
        }
        if (!pd->used && free_slot == NULL) {
            free_slot = pd;
        }
        if (pd->used && (oldest == NULL || pd->asked_ms < oldest->asked_ms)) {
            oldest = pd;
        }
    }
    if (free_slot != NULL) {
        return free_slot;
    }
    pend_free(oldest);
    return oldest;
}

/* Makes m (borrowed, decoded from p) wait for its missing txs and asks for them. */
static int wait_for(pbft_fetch *f, const uint8_t *p, size_t len, const struct yc_tx *const *found,
                    uint32_t nmissing, uint64_t now_ms)
{
    struct pbft_ids tmp;
    uint32_t from;
    const uint8_t **ids = NULL;
    int rc;

    rc = pbft_ids_decode(&tmp, p, len, YC_MAX_VALIDATORS, NULL, 0);
    if (rc != YC_OK) {
        return rc;
    }
    from = tmp.pp.from;
    struct pend *pd = slot_for(f, from);
    pd->bytes = yc_malloc(len);
    pd->txs = yc_calloc(tmp.pp.ntx, sizeof *pd->txs);
    pd->want = yc_calloc(nmissing, sizeof *pd->want);
    ids = yc_calloc(nmissing, sizeof *ids);
    if (pd->bytes == NULL || pd->txs == NULL || pd->want == NULL || ids == NULL) {
        rc = YC_ENOMEM;
        goto fail;
    }
    memcpy(pd->bytes, p, len);
    pd->len = len;
    /* the same bytes decode the same way: m points into the copy */
    rc = pbft_ids_decode(&pd->m, pd->bytes, len, YC_MAX_VALIDATORS, NULL, 0);
    if (rc != YC_OK) {
        goto fail;
    }
    pd->used = true;
    for (uint32_t i = 0; i < pd->m.pp.ntx; i++) {
        if (found[i] == NULL) {
            memcpy(pd->want[pd->nwant].id, pbft_ids_id(&pd->m, i), YC_HASH_LEN);
            pd->want[pd->nwant].idx = i;
            pd->nwant++;
        } else if ((rc = yc_tx_copy(&pd->txs[i], found[i])) != YC_OK) {
            goto fail;
        }
    }
    pd->nmissing = nmissing;
    qsort(pd->want, pd->nwant, sizeof *pd->want, want_cmp);
    for (uint32_t i = 0; i < pd->nwant; i++) {
        ids[i] = pd->want[i].id;
    }
    pd->asked_ms = now_ms;
    rc = pbft_txreq_encode(&f->buf, pd->m.pp.height, pd->m.pp.digest, ids, pd->nwant);
    yc_free(ids);
    if (rc != YC_OK) {
        pend_free(pd);
        return rc;
    }
    f->st.requests++;
    f->io.request(f->io.ctx, from, f->buf.data, f->buf.len);
    return YC_OK;
fail:
    yc_free(ids);
    pend_free(pd);
    return rc;
}

int pbft_fetch_proposal(pbft_fetch *f, uint32_t from, uint32_t nvalidators, const uint8_t *p,
                        size_t len, uint64_t now_ms, char *why, size_t why_len)
{
    struct pbft_ids m;
    const struct yc_tx **found;
    uint32_t nmissing = 0;
    int rc;

    rc = pbft_ids_decode(&m, p, len, nvalidators, why, why_len);
    if (rc != YC_OK) {
        return rc;
    }
    if (m.pp.from != from) {
        snprintf(why, why_len, "from: %u, but it came from validator %u", m.pp.from, from);
        return YC_EBADMSG;
    }
    f->st.proposals++;
    found = yc_calloc(m.pp.ntx > 0 ? m.pp.ntx : 1, sizeof *found);
    if (found == NULL) {
        return YC_ENOMEM;
    }
    for (uint32_t i = 0; i < m.pp.ntx; i++) {
        found[i] = f->io.lookup(f->io.ctx, pbft_ids_id(&m, i));
        nmissing += found[i] == NULL;
    }
    f->st.txs_resolved += m.pp.ntx - nmissing;
    /* a newer proposal of the same sender replaces the one waiting */
    for (uint32_t i = 0; i < f->lim.max_pending; i++) {
        if (f->pend[i].used && f->pend[i].m.pp.from == from) {
            pend_free(&f->pend[i]);
        }
    }
    if (nmissing == 0) {
        rc = complete(f, &m, found);
    } else {
        rc = wait_for(f, p, len, found, nmissing, now_ms);
    }
    yc_free(found);
    return rc;
}

static struct pend *find_pend(pbft_fetch *f, uint32_t from, const uint8_t digest[YC_HASH_LEN])
{
    for (uint32_t i = 0; i < f->lim.max_pending; i++) {
        struct pend *pd = &f->pend[i];
        if (pd->used && pd->m.pp.from == from &&
            memcmp(pd->m.pp.digest, digest, YC_HASH_LEN) == 0) {
            return pd;
        }
    }
    return NULL;
}

/* Puts tx (decoded from a response; moved or copied) where its id is missing. */
static int fill(struct pend *pd, struct yc_tx *tx, uint64_t *fetched)
{
    struct want key;
    memcpy(key.id, tx->id, YC_HASH_LEN);
    struct want *w = bsearch(&key, pd->want, pd->nwant, sizeof *pd->want, want_cmp);
    if (w == NULL) {
        return YC_OK; /* not asked for: ignored */
    }
    while (w > pd->want && memcmp(w[-1].id, tx->id, YC_HASH_LEN) == 0) {
        w--;
    }
    for (; w < pd->want + pd->nwant && memcmp(w->id, tx->id, YC_HASH_LEN) == 0; w++) {
        struct yc_tx *slot = &pd->txs[w->idx];
        if (slot->bytes != NULL) {
            continue;
        }
        int rc = yc_tx_copy(slot, tx);
        if (rc != YC_OK) {
            return rc;
        }
        pd->nmissing--;
        (*fetched)++;
    }
    return YC_OK;
}

int pbft_fetch_response(pbft_fetch *f, uint32_t from, const uint8_t *p, size_t len, char *why,
                        size_t why_len)
{
    static const struct yc_limits lim = {
        .max_depth = 3, .max_items = PBFT_IDS_MAX_TXS, .max_strlen = YC_TX_MAX_BYTES};
    struct yc_dec d;
    uint32_t left, ntx;
    uint8_t digest[YC_HASH_LEN];
    int rc;

    if (p == NULL || len == 0 || len > PBFT_MAX_MSG_BYTES) {
        snprintf(why, why_len, "%zu bytes: 1 to %u allowed", len, (unsigned)PBFT_MAX_MSG_BYTES);
        return len > PBFT_MAX_MSG_BYTES ? YC_ETOOLARGE : YC_EBADMSG;
    }
    rc = yc_canon_check(p, len, &lim);
    if (rc != YC_OK) {
        snprintf(why, why_len, "not one canonical value within the limits (%s)", yc_err_name(rc));
        return rc == YC_ETOOLARGE ? YC_ETOOLARGE : YC_EBADMSG;
    }
    yc_dec_init(&d, p, len);
    if (yc_dec_map(&d, &left) != YC_OK || left != 2 || yc_dec_field(&d, &left, "digest") != 1 ||
        yc_dec_bin_fixed(&d, digest, YC_HASH_LEN) != YC_OK) {
        snprintf(why, why_len, "expected {digest: bin32, txs: [bin, …]}");
        return YC_EBADMSG;
    }
    if (yc_dec_field(&d, &left, "txs") != 1 || yc_dec_array(&d, &ntx) != YC_OK) {
        snprintf(why, why_len, "txs: expected an array");
        return YC_EBADMSG;
    }
    struct pend *pd = find_pend(f, from, digest);
    for (uint32_t i = 0; i < ntx; i++) {
        const uint8_t *tp;
        size_t tlen;
        struct yc_tx tx;
        if (yc_dec_bin(&d, &tp, &tlen) != YC_OK) {
            snprintf(why, why_len, "txs[%u]: expected a bin", i);
            return YC_EBADMSG;
        }
        if (pd == NULL) {
            continue; /* nothing waits for these (completed, replaced or timed out) */
        }
        rc = yc_tx_decode(&tx, tp, tlen);
        if (rc != YC_OK) {
            snprintf(why, why_len, "txs[%u]: not a transaction (%s)", i, yc_err_name(rc));
            return YC_EBADMSG;
        }
        rc = fill(pd, &tx, &f->st.txs_fetched);
        yc_tx_cleanup(&tx);
        if (rc != YC_OK) {
            return rc;
        }
    }
    if (pd == NULL) {
        return YC_OK;
    }
    if (pd->nmissing > 0) { /* the peer did not hold them all */
        ask_whole(f, from, &pd->m);
        pend_free(pd);
        return YC_OK;
    }
    const struct yc_tx **txs = yc_calloc(pd->m.pp.ntx, sizeof *txs);
    if (txs == NULL) {
        pend_free(pd);
        return YC_ENOMEM;
    }
    for (uint32_t i = 0; i < pd->m.pp.ntx; i++) {
        txs[i] = &pd->txs[i];
    }
    rc = complete(f, &pd->m, txs);
    yc_free(txs);
    pend_free(pd);
    return rc;
}

void pbft_fetch_tick(pbft_fetch *f, uint64_t now_ms)
{
    if (f == NULL) {
        return;
    }
    for (uint32_t i = 0; i < f->lim.max_pending; i++) {
        struct pend *pd = &f->pend[i];
        if (pd->used && now_ms >= pd->asked_ms + f->lim.timeout_ms) {
            f->st.timeouts++;
            ask_whole(f, pd->m.pp.from, &pd->m);
            pend_free(pd);
        }
    }
}

void pbft_fetch_prune(pbft_fetch *f, uint64_t height)
{
    if (f == NULL) {
        return;
    }
    for (uint32_t i = 0; i < f->lim.max_pending; i++) {
        if (f->pend[i].used && f->pend[i].m.pp.height < height) {
            pend_free(&f->pend[i]);
        }
    }
}

uint32_t pbft_fetch_pending(const pbft_fetch *f)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < f->lim.max_pending; i++) {
        k += f->pend[i].used;
    }
    return k;
}

void pbft_fetch_stats(const pbft_fetch *f, struct pbft_fetch_stats *out)
{
    *out = f->st;
}
