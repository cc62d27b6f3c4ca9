/*
 * diagnose.c — why a stored block does not decode. yc_block_decode's verdict is final;
 * this walk over the same bytes only names the first problem for the auditor: bytes
 * that are not canonical MessagePack, another block format, a transaction that does not
 * decode, a tx root that the signed transactions do not produce (a damaged tx byte, or a
 * signature or co-signature added, changed or stripped), a recorded outcome that is no
 * outcome, or a result root that the recorded outcomes do not produce.
 */
#include <stdio.h>
#include <string.h>

#include "yc/alloc.h"
#include "yc/block.h"
#include "yc/codec.h"
#include "yc/tx.h"

#include "diagnose.h"

static bool key_is(const char *k, size_t kl, const char *want)
{
    return kl == strlen(want) && memcmp(k, want, kl) == 0;
}

struct hdr_fields {
    char chain[YC_CHAIN_ID_MAX + 1];
    uint8_t tx_root[YC_HASH_LEN];
    uint8_t result_root[YC_HASH_LEN];
    uint64_t version;
};

/* Reads header fields chain_id, tx_root, result_root and version from a header map. */
static bool read_header(struct yc_dec *d, struct hdr_fields *f)
{
    uint32_t n;
    bool have_chain = false, have_root = false, have_rroot = false, have_version = false;
    char *chain = f->chain;
    if (yc_dec_map(d, &n) != YC_OK)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        const char *k, *s;
        size_t kl, sl;
        if (yc_dec_str(d, &k, &kl) != YC_OK)
            return false;
        if (key_is(k, kl, "chain_id")) {
            if (yc_dec_str(d, &s, &sl) != YC_OK || sl > YC_CHAIN_ID_MAX)
                return false;
            memcpy(chain, s, sl);
            chain[sl] = '\0';
            have_chain = true;
        } else if (key_is(k, kl, "tx_root")) {
            if (yc_dec_bin_fixed(d, f->tx_root, YC_HASH_LEN) != YC_OK)
                return false;
            have_root = true;
        } else if (key_is(k, kl, "result_root")) {
            if (yc_dec_bin_fixed(d, f->result_root, YC_HASH_LEN) != YC_OK)
                return false;
            have_rroot = true;
        } else if (key_is(k, kl, "version")) {
            if (yc_dec_uint(d, &f->version) != YC_OK)
                return false;
            have_version = true;
        } else if (yc_dec_skip(d, NULL, NULL) != YC_OK) {
            return false;
        }
    }
    if (!have_version)
        f->version = 1; /* the format before `version` */
    return have_chain && have_root && (have_rroot || !have_version);
}

/* Names which transaction's signatures fail, if one does (a changed signature). */
static void name_bad_sig(const struct yc_tx *txs, uint32_t n, const char *chain, char *out,
                         size_t outlen)
{
    for (uint32_t i = 0; i < n; i++) {
        int rc = yc_tx_verify(&txs[i], chain);
        if (rc != YC_OK) {
            size_t l = strlen(out);
            snprintf(out + l, outlen - l, "; transaction %u's %s does not verify", i,
                     rc == YC_EBADCOSIG ? "co-signature" : "signature");
            return;
        }
    }
}

/* Decodes the results array (outcome names) into out[0..n); AUDIT_OK or a reason. */
static enum audit_reason read_results(const uint8_t *p, size_t len, uint32_t ntx, int *out,
                                      char *msg, size_t msglen)
{
    struct yc_dec d;
    uint32_t n;
    yc_dec_init(&d, p, len);
    if (yc_dec_array(&d, &n) != YC_OK) {
        snprintf(msg, msglen, "results is not an array of outcomes");
        return AUDIT_BAD_BLOCK;
    }
    if (n != ntx) {
        snprintf(msg, msglen, "%u recorded outcomes for %u transactions", n, ntx);
        return AUDIT_BAD_BLOCK;
    }
    for (uint32_t i = 0; i < n; i++) {
        const char *s;
        size_t sl;
        char name[64];
        if (yc_dec_str(&d, &s, &sl) != YC_OK || sl == 0 || sl >= sizeof name) {
            snprintf(msg, msglen, "transaction %u's recorded outcome is not a name", i);
            return AUDIT_BAD_BLOCK;
        }
        memcpy(name, s, sl);
        name[sl] = '\0';
        out[i] = strcmp(name, "ok") == 0 ? YC_OK : yc_err_from_name(name);
        if (!yc_outcome_valid(out[i])) {
            snprintf(msg, msglen,
                     "transaction %u's recorded outcome \"%s\" is not \"ok\" nor a code a "
                     "transaction can fail with",
                     i, name);
            return AUDIT_BAD_BLOCK;
        }
    }
    return AUDIT_OK;
}

/* Decodes each tx and recomputes the tx root, then the recorded outcomes and the result
 * root; AUDIT_OK if none explains the failure. */
static enum audit_reason check_txs(const uint8_t *txs, size_t txs_len, const uint8_t *res,
                                   size_t res_len, const struct hdr_fields *hf, char *out,
                                   size_t outlen)
{
    const char *chain = hf->chain;
    const uint8_t *hroot = hf->tx_root;
    struct yc_dec t;
    uint32_t ntx;
    int rc;
    yc_dec_init(&t, txs, txs_len);
    if (yc_dec_array(&t, &ntx) != YC_OK)
        return AUDIT_OK;
    struct yc_tx *decoded = ntx > 0 ? yc_calloc(ntx, sizeof *decoded) : NULL;
    if (ntx > 0 && decoded == NULL)
        return AUDIT_OK;
    enum audit_reason reason = AUDIT_OK;
    uint32_t ok = 0;
    for (; ok < ntx; ok++) {
        const uint8_t *span;
        size_t slen;
        if (yc_dec_skip(&t, &span, &slen) != YC_OK) {
            snprintf(out, outlen, "transaction %u is malformed", ok);
            reason = AUDIT_BAD_BLOCK;
            break;
        }
        rc = yc_tx_decode(&decoded[ok], span, slen);
        if (rc != YC_OK) {
            snprintf(out, outlen, "transaction %u does not decode: %s (%s)", ok, yc_err_name(rc),
                     yc_strerror(rc));
            reason = AUDIT_BAD_BLOCK;
            break;
        }
    }
    if (reason == AUDIT_OK) {
        uint8_t root[YC_HASH_LEN];
        if (yc_block_tx_root(root, chain, decoded, ntx) == YC_OK &&
            memcmp(root, hroot, YC_HASH_LEN) != 0) {
            char a[2 * YC_HASH_LEN + 1], b[2 * YC_HASH_LEN + 1];
            yc_hex(a, hroot, YC_HASH_LEN);
            yc_hex(b, root, YC_HASH_LEN);
            snprintf(out, outlen,
                     "tx_root does not match the signed transactions (a signature or "
                     "co-signature was added, changed or stripped, or a transaction altered, "
                     "added or removed): the header says %s, its %u transactions hash to %s",
                     a, ntx, b);
            name_bad_sig(decoded, ntx, chain, out, outlen);
            reason = AUDIT_BAD_TX_ROOT;
        }
    }
    if (reason == AUDIT_OK && res != NULL) {
        int *outcomes = ntx > 0 ? yc_calloc(ntx, sizeof *outcomes) : NULL;
        uint8_t root[YC_HASH_LEN];
        if (ntx == 0 || outcomes != NULL)
            reason = read_results(res, res_len, ntx, outcomes, out, outlen);
        if (reason == AUDIT_OK && (ntx == 0 || outcomes != NULL) &&
            yc_block_result_root(root, chain, decoded, outcomes, ntx) == YC_OK &&
            memcmp(root, hf->result_root, YC_HASH_LEN) != 0) {
            char a[2 * YC_HASH_LEN + 1], b[2 * YC_HASH_LEN + 1];
            yc_hex(a, hf->result_root, YC_HASH_LEN);
            yc_hex(b, root, YC_HASH_LEN);
            snprintf(out, outlen,
                     "result_root does not match the recorded outcomes (an outcome was "
                     "changed): the header says %s, the %u outcomes hash to %s",
                     a, ntx, b);
            reason = AUDIT_BAD_RESULT_ROOT;
        }
        yc_free(outcomes);
    }
    for (uint32_t i = 0; i < ok && i < ntx; i++)
        yc_tx_cleanup(&decoded[i]);
    yc_free(decoded);
    return reason;
}

enum audit_reason audit_diagnose_block(const uint8_t *bytes, size_t len, int decode_err, char *out,
                                       size_t outlen)
{
    struct yc_limits lim = YC_LIMITS_DEFAULT;
    int rc = yc_canon_check(bytes, len, &lim);
    if (rc != YC_OK) {
        snprintf(out, outlen, "%zu bytes that are not one canonical MessagePack value: %s (%s)",
                 len, yc_err_name(rc), yc_strerror(rc));
        return AUDIT_BAD_BLOCK;
    }
    struct yc_dec d;
    uint32_t n;
    struct hdr_fields hf;
    memset(&hf, 0, sizeof hf);
    bool have_header = false;
    const uint8_t *txs = NULL, *res = NULL;
    size_t txs_len = 0, res_len = 0;
    yc_dec_init(&d, bytes, len);
    if (yc_dec_map(&d, &n) != YC_OK)
        goto generic;
    for (uint32_t i = 0; i < n; i++) {
        const char *k;
        size_t kl;
        if (yc_dec_str(&d, &k, &kl) != YC_OK)
            goto generic;
        if (key_is(k, kl, "header")) {
            have_header = read_header(&d, &hf);
            if (!have_header)
                goto generic;
        } else if (key_is(k, kl, "results")) {
            if (yc_dec_skip(&d, &res, &res_len) != YC_OK)
                goto generic;
        } else if (key_is(k, kl, "txs")) {
            if (yc_dec_skip(&d, &txs, &txs_len) != YC_OK)
                goto generic;
        } else if (yc_dec_skip(&d, NULL, NULL) != YC_OK) {
            goto generic;
        }
    }
    if (!have_header || txs == NULL)
        goto generic;
    if (hf.version != YC_BLOCK_VERSION) {
        snprintf(out, outlen,
                 "block format %llu; this audit reads format %u (outcomes recorded, tx_root "
                 "over the signed bytes)",
                 (unsigned long long)hf.version, YC_BLOCK_VERSION);
        return AUDIT_BAD_BLOCK;
    }
    if (res == NULL) {
        snprintf(out, outlen, "the block records no outcomes (no results array)");
        return AUDIT_BAD_BLOCK;
    }

    enum audit_reason reason = check_txs(txs, txs_len, res, res_len, &hf, out, outlen);
    if (reason != AUDIT_OK)
        return reason;
generic:
    snprintf(out, outlen, "%zu bytes that do not decode as a block: %s (%s)", len,
             yc_err_name(decode_err), yc_strerror(decode_err));
    return AUDIT_BAD_BLOCK;
}
