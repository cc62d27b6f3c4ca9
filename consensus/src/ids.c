/*
 * ids.c — the wire of a PRE-PREPARE carried by transaction ids, and of the tx-request
 * and tx-response that fetch what a backup does not hold (yc/pbft_ids.h; grammars in
 * docs/design/pbft.md §4a and docs/p2p.md).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pbft_int.h"
#include "yc/alloc.h"
#include "yc/pbft_ids.h"

static int refuse(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int refuse(char *why, size_t why_len, const char *fmt, ...)
{
    if (why != NULL && why_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        (void)vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return YC_EBADMSG;
}

static int need(struct yc_dec *d, uint32_t *left, const char *key)
{
    return yc_dec_field(d, left, key) == 1 ? YC_OK : YC_EBADMSG;
}

/* ---- the primary's side ---- */

int pbft_pp_split(struct pbft_pp *pp, const uint8_t *msg, size_t len)
{
    struct yc_dec d, b;
    uint32_t left, bleft;
    uint64_t from;
    const uint8_t *block;
    size_t block_len;
    const char *ts;
    size_t tlen;

    memset(pp, 0, sizeof *pp);
    if (msg == NULL || len == 0) {
        return YC_EINVAL;
    }
    /* our own message: its shape is read, its canonical form is ours */
    yc_dec_init(&d, msg, len);
    if (yc_dec_map(&d, &left) != YC_OK || left != 5 || need(&d, &left, "block") != YC_OK ||
        yc_dec_bin(&d, &block, &block_len) != YC_OK || need(&d, &left, "body") != YC_OK ||
        yc_dec_skip(&d, &pp->body, &pp->body_len) != YC_OK || need(&d, &left, "from") != YC_OK ||
        yc_dec_uint(&d, &from) != YC_OK || from >= YC_MAX_VALIDATORS ||
        need(&d, &left, "sig") != YC_OK || yc_dec_bin(&d, &pp->sig, &tlen) != YC_OK ||
        tlen != YC_SIG_LEN || need(&d, &left, "type") != YC_OK ||
        yc_dec_str(&d, &ts, &tlen) != YC_OK || tlen != strlen("preprepare") ||
        memcmp(ts, "preprepare", tlen) != 0 || !yc_dec_done(&d)) {
        memset(pp, 0, sizeof *pp);
        return YC_EINVAL;
    }
    pp->from = (uint32_t)from;
    if (pbft__decode_vote_body(pp->body, pp->body_len, "prepare", &pp->height, &pp->view,
                               pp->digest) != YC_OK) {
        memset(pp, 0, sizeof *pp);
        return YC_EINVAL;
    }
    /* proposal = map { "header": header, "results": [str, …], "txs": [tx, …] } */
    yc_dec_init(&b, block, block_len);
    if (yc_dec_map(&b, &bleft) != YC_OK || bleft != 3 || need(&b, &bleft, "header") != YC_OK ||
        yc_dec_skip(&b, &pp->header, &pp->header_len) != YC_OK ||
        need(&b, &bleft, "results") != YC_OK ||
        yc_dec_skip(&b, &pp->results, &pp->results_len) != YC_OK ||
        need(&b, &bleft, "txs") != YC_OK || yc_dec_array(&b, &pp->ntx) != YC_OK ||
        pp->ntx > PBFT_IDS_MAX_TXS) {
        memset(pp, 0, sizeof *pp);
        return YC_EINVAL;
    }
    return YC_OK;
}

int pbft_ids_encode(struct yc_buf *out, const struct pbft_pp *pp, const uint8_t (*ids)[YC_HASH_LEN])
{
    struct yc_enc e;

    if (out == NULL || pp == NULL || pp->body == NULL || pp->sig == NULL || pp->header == NULL ||
        pp->results == NULL || (pp->ntx > 0 && ids == NULL)) {
        return YC_EINVAL;
    }
    yc_buf_reset(out);
    yc_enc_init(&e, out);
    yc_enc_map(&e, 6);
    yc_enc_cstr(&e, "body");
    yc_enc_raw(&e, pp->body, pp->body_len);
    yc_enc_cstr(&e, "from");
    yc_enc_uint(&e, pp->from);
    yc_enc_cstr(&e, "header");
    yc_enc_raw(&e, pp->header, pp->header_len);
    yc_enc_cstr(&e, "ids");
    yc_enc_array(&e, pp->ntx);
    for (uint32_t i = 0; i < pp->ntx; i++) {
        yc_enc_bin(&e, ids[i], YC_HASH_LEN);
    }
    yc_enc_cstr(&e, "results");
    yc_enc_raw(&e, pp->results, pp->results_len);
    yc_enc_cstr(&e, "sig");
    yc_enc_bin(&e, pp->sig, YC_SIG_LEN);
    return yc_enc_finish(&e);
}

/* ---- the backup's side ---- */

/* ids = [bin32, …], at most PBFT_IDS_MAX_TXS, laid out PBFT_IDS_ID_STRIDE apart (a
 * canonical bin of 32 bytes is always c4 20 ‖ 32 bytes). */
static int dec_ids(struct yc_dec *d, const uint8_t **ids, uint32_t *n, char *why, size_t why_len)
{
    if (yc_dec_array(d, n) != YC_OK) {
        return refuse(why, why_len, "ids: expected an array");
    }
    if (*n > PBFT_IDS_MAX_TXS) {
        return refuse(why, why_len, "ids: %u ids, at most %u allowed", *n, PBFT_IDS_MAX_TXS);
    }
    *ids = d->p + d->pos;
    for (uint32_t i = 0; i < *n; i++) {
        const uint8_t *p;
        size_t len;
        if (yc_dec_bin(d, &p, &len) != YC_OK || len != YC_HASH_LEN ||
            p != *ids + (size_t)i * PBFT_IDS_ID_STRIDE + 2) {
            return refuse(why, why_len, "ids[%u]: expected a 32-byte bin", i);
        }
    }
    return YC_OK;
}

static int dec_digest(struct yc_dec *d, uint32_t *left, uint8_t digest[YC_HASH_LEN], char *why,
                      size_t why_len)
{
    if (need(d, left, "digest") != YC_OK || yc_dec_bin_fixed(d, digest, YC_HASH_LEN) != YC_OK) {
        return refuse(why, why_len, "digest: expected a 32-byte bin");
    }
    return YC_OK;
}

/* One canonical value within the limits of these messages. */
static int canon(const uint8_t *p, size_t len, char *why, size_t why_len)
{
    static const struct yc_limits lim = {
        .max_depth = 4, .max_items = PBFT_IDS_MAX_TXS, .max_strlen = YC_TX_MAX_BYTES};
    if (p == NULL || len == 0) {
        return refuse(why, why_len, "empty message");
    }
    if (len > PBFT_MAX_MSG_BYTES) {
        refuse(why, why_len, "%zu bytes, at most %u allowed", len, (unsigned)PBFT_MAX_MSG_BYTES);
        return YC_ETOOLARGE;
    }
    int rc = yc_canon_check(p, len, &lim);
    if (rc != YC_OK) {
        refuse(why, why_len, "not one canonical value within the limits (%s)", yc_err_name(rc));
        return rc == YC_ETOOLARGE ? YC_ETOOLARGE : YC_EBADMSG;
    }
    return YC_OK;
}

int pbft_ids_decode(struct pbft_ids *m, const uint8_t *p, size_t len, uint32_t nvalidators,
                    char *why, size_t why_len)
{
    struct yc_dec d, r;
    uint32_t left, nres, nids;
    uint64_t from;
    size_t slen;
    int rc;

    memset(m, 0, sizeof *m);
    if ((rc = canon(p, len, why, why_len)) != YC_OK) {
        return rc;
    }
    yc_dec_init(&d, p, len);
    if (yc_dec_map(&d, &left) != YC_OK || left != 6) {
        return refuse(why, why_len,
                      "expected a map of 6 keys (body, from, header, ids, results, sig)");
    }
    if (need(&d, &left, "body") != YC_OK || yc_dec_peek(&d) != YC_MT_MAP ||
        yc_dec_skip(&d, &m->pp.body, &m->pp.body_len) != YC_OK ||
        pbft__decode_vote_body(m->pp.body, m->pp.body_len, "prepare", &m->pp.height, &m->pp.view,
                               m->pp.digest) != YC_OK) {
        return refuse(why, why_len,
                      "body: expected {digest: bin32, height: uint >= 1, phase: \"prepare\", view: "
                      "uint}");
    }
    if (need(&d, &left, "from") != YC_OK || yc_dec_uint(&d, &from) != YC_OK ||
        from >= nvalidators) {
        return refuse(why, why_len, "from: expected a validator index below %u", nvalidators);
    }
    m->pp.from = (uint32_t)from;
    if (need(&d, &left, "header") != YC_OK || yc_dec_peek(&d) != YC_MT_MAP ||
        yc_dec_skip(&d, &m->pp.header, &m->pp.header_len) != YC_OK ||
        yc_header_decode(m->pp.header, m->pp.header_len, &m->hdr) != YC_OK) {
        return refuse(why, why_len, "header: not a block header of this version");
    }
    if (m->hdr.height != m->pp.height) {
        return refuse(why, why_len, "header: height %llu, the body's is %llu",
                      (unsigned long long)m->hdr.height, (unsigned long long)m->pp.height);
    }
    if (need(&d, &left, "ids") != YC_OK) {
        return refuse(why, why_len, "ids: missing");
    }
    if ((rc = dec_ids(&d, &m->ids, &nids, why, why_len)) != YC_OK) {
        return rc;
    }
    m->pp.ntx = nids;
    if (m->hdr.tx_count != nids) {
        return refuse(why, why_len, "ids: %u ids, the header's tx_count is %u", nids,
                      m->hdr.tx_count);
    }
    if (need(&d, &left, "results") != YC_OK || yc_dec_peek(&d) != YC_MT_ARRAY ||
        yc_dec_skip(&d, &m->pp.results, &m->pp.results_len) != YC_OK) {
        return refuse(why, why_len, "results: expected an array");
    }
    yc_dec_init(&r, m->pp.results, m->pp.results_len);
    if (yc_dec_array(&r, &nres) != YC_OK || nres != nids) {
        return refuse(why, why_len, "results: %u outcomes for %u ids", nres, nids);
    }
    for (uint32_t i = 0; i < nres; i++) {
        const char *s;
        if (yc_dec_str(&r, &s, &slen) != YC_OK) {
            return refuse(why, why_len, "results[%u]: expected a string", i);
        }
    }
    if (need(&d, &left, "sig") != YC_OK || yc_dec_bin(&d, &m->pp.sig, &slen) != YC_OK ||
        slen != YC_SIG_LEN) {
        return refuse(why, why_len, "sig: expected a 65-byte bin");
    }
    if (left != 0 || !yc_dec_done(&d)) {
        return refuse(why, why_len, "unexpected keys");
    }
    return YC_OK;
}

int pbft_ids_join(struct yc_buf *out, const struct pbft_ids *m, const struct yc_tx *const *txs)
{
    struct yc_buf block;
    struct yc_enc e;
    size_t need_len = m->pp.header_len + m->pp.results_len + 64;
    int rc;

    for (uint32_t i = 0; i < m->pp.ntx; i++) {
        need_len += txs[i]->len;
    }
    yc_buf_init(&block, PBFT_MAX_MSG_BYTES);
    rc = yc_buf_reserve(&block, need_len);
    if (rc != YC_OK) {
        return rc;
    }
    yc_enc_init(&e, &block);
    yc_enc_map(&e, 3);
    yc_enc_cstr(&e, "header");
    yc_enc_raw(&e, m->pp.header, m->pp.header_len);
    yc_enc_cstr(&e, "results");
    yc_enc_raw(&e, m->pp.results, m->pp.results_len);
    yc_enc_cstr(&e, "txs");
    yc_enc_array(&e, m->pp.ntx);
    for (uint32_t i = 0; i < m->pp.ntx; i++) {
        yc_enc_raw(&e, txs[i]->bytes, txs[i]->len);
    }
    rc = yc_enc_finish(&e);
    if (rc == YC_OK) {
        yc_buf_reset(out);
        rc = yc_buf_reserve(out, block.len + m->pp.body_len + 128);
    }
    if (rc == YC_OK) {
        rc = pbft__enc_msg(out, PBFT_T_PREPREPARE, m->pp.from, block.data, block.len, m->pp.body,
                           m->pp.body_len, m->pp.sig, NULL);
    }
    yc_buf_cleanup(&block);
    return rc;
}

/* ---- tx-request ---- */

int pbft_txreq_encode(struct yc_buf *out, uint64_t height, const uint8_t digest[YC_HASH_LEN],
                      const uint8_t *const *ids, uint32_t nids)
{
    struct yc_enc e;

    if (out == NULL || digest == NULL || (nids > 0 && ids == NULL) || nids > PBFT_IDS_MAX_TXS) {
        return YC_EINVAL;
    }
    yc_buf_reset(out);
    yc_enc_init(&e, out);
    yc_enc_map(&e, 3);
    yc_enc_cstr(&e, "digest");
    yc_enc_bin(&e, digest, YC_HASH_LEN);
    yc_enc_cstr(&e, "height");
    yc_enc_uint(&e, height);
    yc_enc_cstr(&e, "ids");
    yc_enc_array(&e, nids);
    for (uint32_t i = 0; i < nids; i++) {
        yc_enc_bin(&e, ids[i], YC_HASH_LEN);
    }
    return yc_enc_finish(&e);
}

int pbft_txreq_decode(struct pbft_txreq *r, const uint8_t *p, size_t len, char *why, size_t why_len)
{
    struct yc_dec d;
    uint32_t left;
    int rc;

    memset(r, 0, sizeof *r);
    if ((rc = canon(p, len, why, why_len)) != YC_OK) {
        return rc;
    }
    yc_dec_init(&d, p, len);
    if (yc_dec_map(&d, &left) != YC_OK || left != 3) {
        return refuse(why, why_len, "expected a map of 3 keys (digest, height, ids)");
    }
    if ((rc = dec_digest(&d, &left, r->digest, why, why_len)) != YC_OK) {
        return rc;
    }
    if (need(&d, &left, "height") != YC_OK || yc_dec_uint(&d, &r->height) != YC_OK ||
        r->height == 0) {
        return refuse(why, why_len, "height: expected an unsigned integer >= 1");
    }
    if (need(&d, &left, "ids") != YC_OK) {
        return refuse(why, why_len, "ids: missing");
    }
    if ((rc = dec_ids(&d, &r->ids, &r->nids, why, why_len)) != YC_OK) {
        return rc;
    }
    return yc_dec_done(&d) ? YC_OK : refuse(why, why_len, "bytes after the map");
}

/* ---- tx-response ---- */

int pbft_txreq_answer(struct yc_buf *out, const struct pbft_txreq *r, pbft_tx_lookup_cb lookup,
                      void *ctx, size_t max_bytes)
{
    const struct yc_tx **found;
    struct yc_enc e;
    size_t bytes = 0;
    uint32_t nfound = 0;
    int rc;

    found = yc_calloc(r->nids > 0 ? r->nids : 1, sizeof *found);
    if (found == NULL) {
        return YC_ENOMEM;
    }
    for (uint32_t i = 0; i < r->nids; i++) {
        const struct yc_tx *tx = lookup(ctx, r->ids + (size_t)i * PBFT_IDS_ID_STRIDE + 2);
        if (tx != NULL && bytes + tx->len <= max_bytes) {
            bytes += tx->len;
            found[nfound++] = tx;
        }
    }
    yc_buf_reset(out);
    rc = yc_buf_reserve(out, bytes + (size_t)nfound * 5 + 64);
    if (rc == YC_OK) {
        yc_enc_init(&e, out);
        yc_enc_map(&e, 2);
        yc_enc_cstr(&e, "digest");
        yc_enc_bin(&e, r->digest, YC_HASH_LEN);
        yc_enc_cstr(&e, "txs");
        yc_enc_array(&e, nfound);
        for (uint32_t i = 0; i < nfound; i++) {
            yc_enc_bin(&e, found[i]->bytes, found[i]->len);
        }
        rc = yc_enc_finish(&e);
    }
    yc_free(found);
    return rc;
}
