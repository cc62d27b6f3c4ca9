/*
 * block.c — block header, block and commit certificate: canonical encoding, strict
 * decoding, the block hash, the vote hash and certificate verification.
 *
 * A decoded block owns a copy of its bytes, an array of decoded transactions (each with
 * its own copy) and their outcomes. Decoding checks the version, the tx count, the tx
 * root over the signed bytes, the result root over (id, outcome), and that every tx
 * names the block's chain; it never checks signatures nor re-derives outcomes. Certificate
 * decoding checks only the shape: ordering, uniqueness, membership and quorum are
 * yc_cert_verify's, so the audit tool reports them as a bad certificate.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ledger_int.h"
#include "yc/alloc.h"
#include "yc/block.h"
#include "yc/codec.h"
#include "yc/merkle.h"

static const struct yc_limits BLOCK_LIMITS = {
    .max_depth = 12, .max_items = 65536, .max_strlen = YC_TX_MAX_BYTES};

/* ---- encoding ---- */

static void enc_header(struct yc_enc *e, const struct yc_block_header *h)
{
    yc_enc_map(e, 11);
    yc_enc_cstr(e, "chain_id");
    yc_enc_str(e, h->chain_id, strnlen(h->chain_id, sizeof h->chain_id));
    yc__put_u64(e, "height", h->height);
    yc__put_bin(e, "prev_hash", h->prev_hash, YC_HASH_LEN);
    yc__put_u64(e, "proposer", h->proposer);
    yc__put_bin(e, "result_root", h->result_root, YC_HASH_LEN);
    yc__put_bin(e, "state_root", h->state_root, YC_HASH_LEN);
    yc__put_u64(e, "time", h->time_ms);
    yc__put_u64(e, "tx_count", h->tx_count);
    yc__put_bin(e, "tx_root", h->tx_root, YC_HASH_LEN);
    yc__put_u64(e, "version", h->version);
    yc__put_u64(e, "view", h->view);
}

static bool header_chain_ok(const struct yc_block_header *h)
{
    size_t n = strnlen(h->chain_id, sizeof h->chain_id);
    return n >= 1 && n <= YC_CHAIN_ID_MAX;
}

int yc_header_encode(const struct yc_block_header *h, struct yc_buf *out)
{
    struct yc_enc e;

    if (h == NULL || out == NULL || !header_chain_ok(h)) {
        return YC_EINVAL;
    }
    yc_enc_init(&e, out);
    enc_header(&e, h);
    return yc_enc_finish(&e);
}

int yc_header_hash(const struct yc_block_header *h, uint8_t out[YC_HASH_LEN])
{
    struct yc_buf b;
    int rc;

    yc_buf_init(&b, 4096);
    rc = yc_header_encode(h, &b);
    if (rc == YC_OK) {
        yc_hash_tagged(out, YC_TAG_BLOCK, h->chain_id, b.data, b.len);
    }
    yc_buf_cleanup(&b);
    return rc;
}

int yc_block_encode(struct yc_buf *out, const struct yc_block_header *h, const struct yc_tx *txs,
                    const int *results, uint32_t ntx, const struct yc_cert *cert)
{
    struct yc_enc e;
    bool has_cert = cert != NULL && cert->nsigs > 0;

    if (out == NULL || h == NULL || !header_chain_ok(h) || (ntx > 0 && txs == NULL) ||
        (has_cert && cert->nsigs > YC_MAX_VALIDATORS)) {
        return YC_EINVAL;
    }
    for (uint32_t i = 0; results != NULL && i < ntx; i++) {
        if (!yc_outcome_valid(results[i])) {
            return YC_EINVAL;
        }
    }
    yc_enc_init(&e, out);
    yc_enc_map(&e, has_cert ? 4 : 3);
    if (has_cert) {
        yc_enc_cstr(&e, "cert");
        yc_enc_map(&e, 2);
        yc_enc_cstr(&e, "sigs");
        yc_enc_array(&e, cert->nsigs);
        for (uint32_t i = 0; i < cert->nsigs; i++) {
            yc_enc_array(&e, 2);
            yc_enc_uint(&e, cert->sigs[i].validator);
            yc_enc_bin(&e, cert->sigs[i].sig, YC_SIG_LEN);
        }
        yc__put_u64(&e, "view", cert->view);
    }
    yc_enc_cstr(&e, "header");
    enc_header(&e, h);
    yc_enc_cstr(&e, "results");
    yc_enc_array(&e, ntx);
    for (uint32_t i = 0; i < ntx; i++) {
        yc_enc_cstr(&e, yc_err_name(results != NULL ? results[i] : YC_OK));
    }
    yc_enc_cstr(&e, "txs");
    yc_enc_array(&e, ntx);
    for (uint32_t i = 0; i < ntx; i++) {
        yc_enc_raw(&e, txs[i].bytes, txs[i].len);
    }
    return yc_enc_finish(&e);
}

/* ---- decoding ---- */

static int dec_u32(struct yc_dec *d, uint32_t *out)
{
    uint64_t v;
    if (yc_dec_uint(d, &v) != YC_OK || v > UINT32_MAX) {
        return YC_EBADBLOCK;
    }
    *out = (uint32_t)v;
    return YC_OK;
}

static int dec_hash(struct yc_dec *d, uint8_t out[YC_HASH_LEN])
{
    return yc__dec_fixed(d, out, YC_HASH_LEN, YC_EBADBLOCK) == YC_OK ? YC_OK : YC_EBADBLOCK;
}

static int dec_u64(struct yc_dec *d, uint64_t *out)
{
    return yc_dec_uint(d, out) == YC_OK ? YC_OK : YC_EBADBLOCK;
}

static int req(struct yc_dec *d, uint32_t *left, const char *key)
{
    return yc__field_req(d, left, key) == YC_OK ? YC_OK : YC_EBADBLOCK;
}

static int dec_header(struct yc_dec *d, struct yc_block_header *h)
{
    uint32_t left;
    const char *s;
    size_t n;

    if (yc_dec_map(d, &left) != YC_OK) {
        return YC_EBADBLOCK;
    }
    YC__TRY(req(d, &left, "chain_id"));
    if (yc_dec_str(d, &s, &n) != YC_OK || n < 1 || n > YC_CHAIN_ID_MAX || memchr(s, 0, n)) {
        return YC_EBADBLOCK;
    }
    memcpy(h->chain_id, s, n);
    h->chain_id[n] = '\0';
    YC__TRY(req(d, &left, "height"));
    YC__TRY(dec_u64(d, &h->height));
    YC__TRY(req(d, &left, "prev_hash"));
    YC__TRY(dec_hash(d, h->prev_hash));
    YC__TRY(req(d, &left, "proposer"));
    YC__TRY(dec_u32(d, &h->proposer));
    YC__TRY(req(d, &left, "result_root"));
    YC__TRY(dec_hash(d, h->result_root));
    YC__TRY(req(d, &left, "state_root"));
    YC__TRY(dec_hash(d, h->state_root));
    YC__TRY(req(d, &left, "time"));
    YC__TRY(dec_u64(d, &h->time_ms));
    YC__TRY(req(d, &left, "tx_count"));
    YC__TRY(dec_u32(d, &h->tx_count));
    YC__TRY(req(d, &left, "tx_root"));
    YC__TRY(dec_hash(d, h->tx_root));
    YC__TRY(req(d, &left, "version"));
    YC__TRY(dec_u32(d, &h->version));
    YC__TRY(req(d, &left, "view"));
    YC__TRY(dec_u64(d, &h->view));
    if (left != 0 || h->height < 1 || h->version != YC_BLOCK_VERSION) {
        return YC_EBADBLOCK;
    }
    return YC_OK;
}

static int dec_cert(struct yc_dec *d, struct yc_cert *c)
{
    uint32_t left;
    uint32_t n;

    if (yc_dec_map(d, &left) != YC_OK) {
        return YC_EBADBLOCK;
    }
    YC__TRY(req(d, &left, "sigs"));
    if (yc_dec_array(d, &n) != YC_OK || n == 0 || n > YC_MAX_VALIDATORS) {
        return YC_EBADBLOCK; /* an empty certificate is written as no `cert` at all */
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t two;
        if (yc_dec_array(d, &two) != YC_OK || two != 2) {
            return YC_EBADBLOCK;
        }
        YC__TRY(dec_u32(d, &c->sigs[i].validator));
        if (yc__dec_fixed(d, c->sigs[i].sig, YC_SIG_LEN, YC_EBADBLOCK) != YC_OK) {
            return YC_EBADBLOCK;
        }
    }
    c->nsigs = n;
    YC__TRY(req(d, &left, "view"));
    YC__TRY(dec_u64(d, &c->view));
    return left == 0 ? YC_OK : YC_EBADBLOCK;
}

bool yc_outcome_valid(int outcome)
{
    return outcome == YC_OK || (yc_err_is_verdict(outcome) && outcome != YC_EDUPTX &&
                                strcmp(yc_err_name(outcome), "unknown_error") != 0);
}

void yc_signed_tx_hash(uint8_t out[YC_HASH_LEN], const char *chain_id, const struct yc_tx *tx)
{
    /* id ‖ sig ‖ (cosig pub ‖ cosig sig)…: the id binds every unsigned field and the
     * canonical signed encoding is those fields plus exactly these signatures, so this binds
     * the full signed bytes while hashing a fifth of them */
    uint8_t buf[YC_HASH_LEN + YC_SIG_LEN + YC_TX_MAX_COSIGS * (YC_PUBKEY_LEN + YC_SIG_LEN)];
    size_t n = 0;

    memcpy(buf, tx->id, YC_HASH_LEN);
    n += YC_HASH_LEN;
    memcpy(buf + n, tx->sig, YC_SIG_LEN);
    n += YC_SIG_LEN;
    for (uint32_t i = 0; i < tx->ncosigs && i < YC_TX_MAX_COSIGS; i++) {
        memcpy(buf + n, tx->cosigs[i].pub, YC_PUBKEY_LEN);
        n += YC_PUBKEY_LEN;
        memcpy(buf + n, tx->cosigs[i].sig, YC_SIG_LEN);
        n += YC_SIG_LEN;
    }
    yc_hash_tagged(out, YC_TAG_SIGNED_TX, chain_id, buf, n);
}

void yc_result_hash(uint8_t out[YC_HASH_LEN], const char *chain_id, const uint8_t id[YC_HASH_LEN],
                    int outcome)
{
    const char *name = yc_err_name(outcome);
    size_t nlen = strnlen(name, 64);
    uint8_t buf[YC_HASH_LEN + 64];

    memcpy(buf, id, YC_HASH_LEN);
    memcpy(buf + YC_HASH_LEN, name, nlen);
    yc_hash_tagged(out, YC_TAG_RESULT, chain_id, buf, YC_HASH_LEN + nlen);
}

/* Merkle root over leaf(i) for i in [0, n): the tx root, or (result) the result root with
 * results (NULL: every tx committed). */
static int leaves_root(uint8_t root[YC_HASH_LEN], const char *chain_id, const struct yc_tx *txs,
                       bool result, const int *results, uint32_t n)
{
    uint8_t(*leaves)[YC_HASH_LEN];
    int rc;

    if (n == 0) {
        memset(root, 0, YC_HASH_LEN);
        return YC_OK;
    }
    leaves = yc_calloc(n, YC_HASH_LEN);
    if (leaves == NULL) {
        return YC_ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!result) {
            yc_signed_tx_hash(leaves[i], chain_id, &txs[i]);
        } else {
            yc_result_hash(leaves[i], chain_id, txs[i].id, results != NULL ? results[i] : YC_OK);
        }
    }
    rc = yc_merkle_root(root, chain_id, (const uint8_t(*)[YC_HASH_LEN])leaves, n);
    yc_free(leaves);
    return rc;
}

int yc_block_tx_root(uint8_t root[YC_HASH_LEN], const char *chain_id, const struct yc_tx *txs,
                     uint32_t n)
{
    if (root == NULL || chain_id == NULL || (n > 0 && txs == NULL)) {
        return YC_EINVAL;
    }
    return leaves_root(root, chain_id, txs, false, NULL, n);
}

int yc_block_result_root(uint8_t root[YC_HASH_LEN], const char *chain_id, const struct yc_tx *txs,
                         const int *results, uint32_t n)
{
    if (root == NULL || chain_id == NULL || (n > 0 && txs == NULL)) {
        return YC_EINVAL;
    }
    return leaves_root(root, chain_id, txs, true, results, n);
}

int yc_block_header_seal(struct yc_block_header *h, const struct yc_tx *txs, const int *results,
                         uint32_t n)
{
    if (h == NULL || !header_chain_ok(h)) {
        return YC_EINVAL;
    }
    h->version = YC_BLOCK_VERSION;
    h->tx_count = n;
    YC__TRY(yc_block_tx_root(h->tx_root, h->chain_id, txs, n));
    return yc_block_result_root(h->result_root, h->chain_id, txs, results, n);
}

/* Where a block's txs come from: decoded, or first asked of a resolver. */
struct tx_source {
    yc_tx_resolve_cb resolve; /* NULL: decode every tx */
    void *ctx;
    bool tx_root_known; /* the caller checked the tx root of these very bytes */
};

/* Tx i of a block from its bytes: resolved (when the resolver gives exactly these
 * bytes) or decoded. */
static int tx_from(const struct tx_source *src, struct yc_tx *tx, const uint8_t *p, size_t len)
{
    if (src->resolve != NULL && src->resolve(src->ctx, p, len, tx) == YC_OK) {
        if (tx->bytes != NULL && tx->len == len && memcmp(tx->bytes, p, len) == 0) {
            return YC_OK;
        }
        yc_tx_cleanup(tx);
    }
    return yc_tx_decode(tx, p, len);
}

/* Decodes the txs array into b->txs and checks count, chain and (roots) tx root. */
static int dec_txs(struct yc_dec *d, struct yc_block *b, bool roots, const struct tx_source *src)
{
    uint8_t root[YC_HASH_LEN];
    size_t clen = strlen(b->hdr.chain_id);
    uint32_t n;
    int rc;

    if (yc_dec_array(d, &n) != YC_OK || n != b->hdr.tx_count) {
        return YC_EBADBLOCK;
    }
    if (n > 0) {
        b->txs = yc_calloc(n, sizeof *b->txs);
        if (b->txs == NULL) {
            return YC_ENOMEM;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p;
        size_t len;
        if (yc_dec_skip(d, &p, &len) != YC_OK) {
            return YC_EBADBLOCK;
        }
        rc = tx_from(src, &b->txs[i], p, len);
        if (rc != YC_OK) {
            return rc == YC_ENOMEM ? rc : YC_EBADBLOCK;
        }
        b->ntx = i + 1;
        if (b->txs[i].chain_id.len != clen ||
            memcmp(b->txs[i].chain_id.p, b->hdr.chain_id, clen) != 0) {
            return YC_EBADBLOCK;
        }
    }
    if (!roots || src->tx_root_known) {
        return YC_OK;
    }
    rc = yc_block_tx_root(root, b->hdr.chain_id, b->txs, n);
    if (rc != YC_OK) {
        return rc;
    }
    return memcmp(root, b->hdr.tx_root, YC_HASH_LEN) == 0 ? YC_OK : YC_EBADBLOCK;
}

/* Decodes the results array into b->results (before the txs: keys are sorted). */
static int dec_results(struct yc_dec *d, struct yc_block *b)
{
    uint32_t n;

    if (yc_dec_array(d, &n) != YC_OK || n != b->hdr.tx_count) {
        return YC_EBADBLOCK;
    }
    if (n == 0) {
        return YC_OK;
    }
    b->results = yc_calloc(n, sizeof *b->results);
    if (b->results == NULL) {
        return YC_ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        const char *s;
        size_t len;
        char name[64];
        if (yc_dec_str(d, &s, &len) != YC_OK || len == 0 || len >= sizeof name) {
            return YC_EBADBLOCK;
        }
        memcpy(name, s, len);
        name[len] = '\0';
        b->results[i] = strcmp(name, "ok") == 0 ? YC_OK : yc_err_from_name(name);
        if (!yc_outcome_valid(b->results[i])) {
            return YC_EBADBLOCK; /* not a name, or a code no transaction can fail with */
        }
    }
    return YC_OK;
}

static int check_result_root(const struct yc_block *b)
{
    uint8_t root[YC_HASH_LEN];
    int rc = yc_block_result_root(root, b->hdr.chain_id, b->txs, b->results, b->ntx);

    if (rc != YC_OK) {
        return rc;
    }
    return memcmp(root, b->hdr.result_root, YC_HASH_LEN) == 0 ? YC_OK : YC_EBADBLOCK;
}

static int block_decode(struct yc_block *b, const uint8_t *bytes, size_t len, bool roots,
                        const struct tx_source *src)
{
    struct yc_dec d;
    uint32_t left;
    int r;
    int rc;

    if (b == NULL || (bytes == NULL && len > 0)) {
        return YC_EINVAL;
    }
    memset(b, 0, sizeof *b);
    if (len > YC_BLOCK_MAX_BYTES) {
        return YC_ETOOLARGE;
    }
    rc = yc_canon_check(bytes, len, &BLOCK_LIMITS);
    if (rc != YC_OK) {
        return rc;
    }
    b->bytes = yc_memdup(bytes, len);
    if (b->bytes == NULL) {
        return YC_ENOMEM;
    }
    b->len = len;
    yc_dec_init(&d, b->bytes, b->len);
    rc = yc_dec_map(&d, &left) == YC_OK ? YC_OK : YC_EBADBLOCK;
    if (rc == YC_OK) {
        r = yc__field_opt(&d, &left, "cert");
        rc = r < 0 ? YC_EBADBLOCK : (r == 1 ? dec_cert(&d, &b->cert) : YC_OK);
    }
    if (rc == YC_OK) {
        rc = req(&d, &left, "header");
    }
    if (rc == YC_OK) {
        rc = dec_header(&d, &b->hdr);
    }
    if (rc == YC_OK) {
        rc = req(&d, &left, "results");
    }
    if (rc == YC_OK) {
        rc = dec_results(&d, b);
    }
    if (rc == YC_OK) {
        rc = req(&d, &left, "txs");
    }
    if (rc == YC_OK) {
        rc = dec_txs(&d, b, roots, src);
    }
    if (rc == YC_OK && roots) {
        rc = check_result_root(b);
    }
    if (rc == YC_OK && (left != 0 || !yc_dec_done(&d))) {
        rc = YC_EBADBLOCK;
    }
    if (rc == YC_OK) {
        rc = yc_header_hash(&b->hdr, b->hash);
    }
    if (rc != YC_OK) {
        yc_block_cleanup(b);
    }
    return rc;
}

int yc_block_decode(struct yc_block *b, const uint8_t *bytes, size_t len)
{
    const struct tx_source src = {NULL, NULL, false};
    return block_decode(b, bytes, len, true, &src);
}

int yc_block_decode_trusted(struct yc_block *b, const uint8_t *bytes, size_t len)
{
    const struct tx_source src = {NULL, NULL, false};
    return block_decode(b, bytes, len, false, &src);
}

int yc_block_decode_resolved(struct yc_block *b, const uint8_t *bytes, size_t len,
                             yc_tx_resolve_cb resolve, void *ctx)
{
    const struct tx_source src = {resolve, ctx, false};
    return block_decode(b, bytes, len, true, &src);
}

int yc_block_decode_rebuilt(struct yc_block *b, const uint8_t *bytes, size_t len,
                            yc_tx_resolve_cb resolve, void *ctx)
{
    const struct tx_source src = {resolve, ctx, true};
    return block_decode(b, bytes, len, true, &src);
}

int yc_block_header_decode(const uint8_t *bytes, size_t len, struct yc_block_header *h)
{
    struct yc_dec d;
    uint32_t left;
    int r;

    if (h == NULL || (bytes == NULL && len > 0)) {
        return YC_EINVAL;
    }
    memset(h, 0, sizeof *h);
    yc_dec_init(&d, bytes, len);
    if (yc_dec_map(&d, &left) != YC_OK) {
        return YC_EBADBLOCK;
    }
    r = yc__field_opt(&d, &left, "cert");
    if (r < 0 || (r == 1 && yc_dec_skip(&d, NULL, NULL) != YC_OK)) {
        return YC_EBADBLOCK;
    }
    YC__TRY(req(&d, &left, "header"));
    r = dec_header(&d, h);
    if (r != YC_OK) {
        memset(h, 0, sizeof *h);
    }
    return r;
}

int yc_header_decode(const uint8_t *bytes, size_t len, struct yc_block_header *h)
{
    struct yc_dec d;
    int rc;

    if (h == NULL || (bytes == NULL && len > 0)) {
        return YC_EINVAL;
    }
    memset(h, 0, sizeof *h);
    if (yc_canon_check(bytes, len, &BLOCK_LIMITS) != YC_OK) {
        return YC_EBADBLOCK;
    }
    yc_dec_init(&d, bytes, len);
    rc = dec_header(&d, h);
    if (rc == YC_OK && !yc_dec_done(&d)) {
        rc = YC_EBADBLOCK;
    }
    if (rc != YC_OK) {
        memset(h, 0, sizeof *h);
    }
    return rc;
}

void yc_block_cleanup(struct yc_block *b)
{
    if (b == NULL) {
        return;
    }
    for (uint32_t i = 0; i < b->ntx; i++) {
        yc_tx_cleanup(&b->txs[i]);
    }
    yc_free(b->txs);
    yc_free(b->results);
    yc_free(b->bytes);
    memset(b, 0, sizeof *b);
}

/* ---- the rule of a next block ---- */

uint32_t yc_block_primary(uint32_t n, uint64_t height, uint64_t view)
{
    if (n == 0) {
        return 0;
    }
    return (uint32_t)((height % n + view % n) % n);
}

void yc_valset_genesis(struct yc_valset *vs, const struct yc_genesis *g)
{
    memset(vs, 0, sizeof *vs);
    vs->n = g->nvalidators <= YC_MAX_VALIDATORS ? g->nvalidators : YC_MAX_VALIDATORS;
    vs->quorum = yc_quorum(vs->n);
    for (uint32_t i = 0; i < vs->n; i++) {
        memcpy(vs->keys[i], g->validators[i].pub, YC_PUBKEY_LEN);
    }
}

static int refuse(struct yc_block_verdict *v, int rc, enum yc_next_check check, uint32_t validator,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Records the failed check in v (may be NULL) and returns rc. */
static int refuse(struct yc_block_verdict *v, int rc, enum yc_next_check check, uint32_t validator,
                  const char *fmt, ...)
{
    va_list ap;

    if (v != NULL) {
        v->check = check;
        v->validator = validator;
        va_start(ap, fmt);
        (void)vsnprintf(v->why, sizeof v->why, fmt, ap);
        va_end(ap);
    }
    return rc;
}

static void verdict_clear(struct yc_block_verdict *v)
{
    if (v != NULL) {
        v->check = YC_NEXT_OK;
        v->validator = UINT32_MAX;
        v->why[0] = '\0';
    }
}

int yc_block_check_next(const struct yc_block *b, const struct yc_genesis *g,
                        const struct yc_valset *vs, const struct yc_block_parent *parent,
                        unsigned flags, struct yc_block_verdict *v)
{
    const struct yc_block_header *h;
    uint64_t bytes = 0;
    uint32_t primary;

    verdict_clear(v);
    if (b == NULL || g == NULL || vs == NULL || parent == NULL) {
        return YC_EINVAL;
    }
    h = &b->hdr;
    if (strncmp(h->chain_id, g->chain_id, sizeof h->chain_id) != 0) {
        return refuse(v, YC_EBADBLOCK, YC_NEXT_CHAIN, UINT32_MAX,
                      "chain id %s is not this chain's (%s)", h->chain_id, g->chain_id);
    }
    if (parent->height == UINT64_MAX || h->height != parent->height + 1) {
        return refuse(v, YC_EBADBLOCK, YC_NEXT_HEIGHT, UINT32_MAX,
                      "height %llu does not follow %llu", (unsigned long long)h->height,
                      (unsigned long long)parent->height);
    }
    if (memcmp(h->prev_hash, parent->hash, YC_HASH_LEN) != 0) {
        return refuse(v, YC_EBADBLOCK, YC_NEXT_LINK, UINT32_MAX,
                      "prev_hash is not the hash of block %llu",
                      (unsigned long long)parent->height);
    }
    primary = yc_block_primary(vs->n, h->height, h->view);
    if (h->proposer != primary) {
        return refuse(v, YC_EBADBLOCK, YC_NEXT_PROPOSER, UINT32_MAX,
                      "proposer %u is not the primary of height %llu view %llu (validator %u)",
                      (unsigned)h->proposer, (unsigned long long)h->height,
                      (unsigned long long)h->view, (unsigned)primary);
    }
    if (h->time_ms <= parent->time_ms) {
        return refuse(v, YC_EBADBLOCK, YC_NEXT_TIME, UINT32_MAX,
                      "time %llu ms is not after its parent's %llu ms",
                      (unsigned long long)h->time_ms, (unsigned long long)parent->time_ms);
    }
    for (uint32_t i = 0; i < b->ntx; i++) {
        bytes += b->txs[i].len;
    }
    if (b->ntx > g->params.max_block_txs || bytes > g->params.max_block_bytes) {
        return refuse(v, YC_EBADBLOCK, YC_NEXT_LIMITS, UINT32_MAX,
                      "%u transactions of %llu bytes exceed the block limits (%u, %u bytes)",
                      (unsigned)b->ntx, (unsigned long long)bytes,
                      (unsigned)g->params.max_block_txs, (unsigned)g->params.max_block_bytes);
    }
    if (b->cert.nsigs > 0 && b->cert.view < h->view) {
        return refuse(v, YC_EBADBLOCK, YC_NEXT_CERT_VIEW, UINT32_MAX,
                      "certificate view %llu is before the header's view %llu",
                      (unsigned long long)b->cert.view, (unsigned long long)h->view);
    }
    if ((flags & YC_CHECK_CERT) != 0) {
        return yc_cert_check(&b->cert, vs, g->chain_id, h->height, b->hash, v);
    }
    return YC_OK;
}

/* ---- votes and certificates ---- */

/* Canonical msgpack of an unsigned integer (shortest form) into p; returns bytes. */
static size_t put_uint(uint8_t *p, uint64_t v)
{
    size_t n;
    if (v <= 0x7f) {
        p[0] = (uint8_t)v;
        return 1;
    }
    if (v <= 0xff) {
        p[0] = 0xcc;
        n = 1;
    } else if (v <= 0xffff) {
        p[0] = 0xcd;
        n = 2;
    } else if (v <= 0xffffffffu) {
        p[0] = 0xce;
        n = 4;
    } else {
        p[0] = 0xcf;
        n = 8;
    }
    for (size_t i = 0; i < n; i++) {
        p[1 + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    }
    return 1 + n;
}

/* Canonical msgpack str header + bytes (len < 256). */
static size_t put_str(uint8_t *p, const char *s, size_t len)
{
    size_t h;
    if (len <= 31) {
        p[0] = (uint8_t)(0xa0 | len);
        h = 1;
    } else {
        p[0] = 0xd9;
        p[1] = (uint8_t)len;
        h = 2;
    }
    memcpy(p + h, s, len);
    return h + len;
}

void yc_vote_hash(uint8_t out[YC_HASH_LEN], const char *chain_id, const char *phase,
                  uint64_t height, uint64_t view, const uint8_t digest[YC_HASH_LEN])
{
    /* {digest, height, phase, view}, encoded by hand so that this cannot fail; the unit
     * tests check it byte for byte against the codec's writer. */
    uint8_t buf[1 + 7 + 2 + YC_HASH_LEN + 7 + 9 + 6 + 2 + 255 + 5 + 9];
    size_t plen = strnlen(phase, 255);
    size_t n = 0;

    buf[n++] = 0x84;
    n += put_str(buf + n, "digest", 6);
    buf[n++] = 0xc4;
    buf[n++] = YC_HASH_LEN;
    memcpy(buf + n, digest, YC_HASH_LEN);
    n += YC_HASH_LEN;
    n += put_str(buf + n, "height", 6);
    n += put_uint(buf + n, height);
    n += put_str(buf + n, "phase", 5);
    n += put_str(buf + n, phase, plen);
    n += put_str(buf + n, "view", 4);
    n += put_uint(buf + n, view);
    yc_hash_tagged(out, YC_TAG_PBFT, chain_id, buf, n);
}

int yc_cert_check(const struct yc_cert *c, const struct yc_valset *vs, const char *chain_id,
                  uint64_t height, const uint8_t hash[YC_HASH_LEN], struct yc_block_verdict *v)
{
    uint8_t vote[YC_HASH_LEN];
    uint64_t seen = 0; /* bit i: validator i signed (YC_MAX_VALIDATORS <= 64) */

    verdict_clear(v);
    if (c == NULL || vs == NULL || chain_id == NULL || hash == NULL || vs->n == 0 ||
        vs->n > YC_MAX_VALIDATORS) {
        return YC_EINVAL;
    }
    if (c->nsigs == 0) {
        return refuse(v, YC_EBADCERT, YC_NEXT_CERT_MISSING, UINT32_MAX,
                      "the block carries no commit certificate");
    }
    for (uint32_t i = 0; i < c->nsigs && i < YC_MAX_VALIDATORS; i++) {
        uint32_t s = c->sigs[i].validator;
        if (s >= vs->n) {
            return refuse(v, YC_EBADCERT, YC_NEXT_CERT_SIGNER, s,
                          "signer %u is not in the validator set (validators 0..%u)", (unsigned)s,
                          (unsigned)(vs->n - 1));
        }
        if ((seen >> s) & 1u) {
            return refuse(v, YC_EBADCERT, YC_NEXT_CERT_DUPLICATE, s,
                          "validator %u signs twice: a duplicated signer counts once", (unsigned)s);
        }
        if (i > 0 && s < c->sigs[i - 1].validator) {
            return refuse(v, YC_EBADCERT, YC_NEXT_CERT_ORDER, UINT32_MAX,
                          "signers are not in increasing order");
        }
        seen |= (uint64_t)1 << s;
    }
    if (c->nsigs > YC_MAX_VALIDATORS || c->nsigs < vs->quorum) {
        return refuse(v, YC_EBADCERT, YC_NEXT_CERT_QUORUM, UINT32_MAX,
                      "%u signature%s, a quorum of %u of %u validators is needed",
                      (unsigned)c->nsigs, c->nsigs == 1 ? "" : "s", (unsigned)vs->quorum,
                      (unsigned)vs->n);
    }
    yc_vote_hash(vote, chain_id, "commit", height, c->view, hash);
    for (uint32_t i = 0; i < c->nsigs; i++) {
        uint32_t s = c->sigs[i].validator;
        if (!yc_sig_verify(c->sigs[i].sig, vote, vs->keys[s])) {
            return refuse(v, YC_EBADCERT, YC_NEXT_CERT_SIG, s,
                          "the COMMIT signature of validator %u does not verify over this block "
                          "(height %llu, view %llu)",
                          (unsigned)s, (unsigned long long)height, (unsigned long long)c->view);
        }
    }
    return YC_OK;
}

int yc_cert_verify(const struct yc_cert *c, const struct yc_genesis *g, uint64_t height,
                   const uint8_t hash[YC_HASH_LEN])
{
    struct yc_valset vs;

    if (c == NULL || g == NULL || hash == NULL) {
        return YC_EINVAL;
    }
    if (g->nvalidators == 0 || g->nvalidators > YC_MAX_VALIDATORS) {
        return YC_EBADCERT;
    }
    yc_valset_genesis(&vs, g);
    return yc_cert_check(c, &vs, g->chain_id, height, hash, NULL);
}
