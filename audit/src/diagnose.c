/*
 * diagnose.c — why a stored block does not decode. yc_block_decode's verdict is final;
 * this walk over the same bytes only names the first problem for the auditor: bytes
 * that are not canonical MessagePack, a transaction that does not decode, or a tx root
 * that the transactions do not produce (the usual result of a damaged tx byte).
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

/* Reads header fields chain_id and tx_root from a header map. */
static bool read_header(struct yc_dec *d, char chain[YC_CHAIN_ID_MAX + 1],
                        uint8_t tx_root[YC_HASH_LEN])
{
    uint32_t n;
    bool have_chain = false, have_root = false;
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
            if (yc_dec_bin_fixed(d, tx_root, YC_HASH_LEN) != YC_OK)
                return false;
            have_root = true;
        } else if (yc_dec_skip(d, NULL, NULL) != YC_OK) {
            return false;
        }
    }
    return have_chain && have_root;
}

/* Decodes each tx and recomputes the tx root; AUDIT_OK if neither explains the failure. */
static enum audit_reason check_txs(const uint8_t *txs, size_t txs_len, const char *chain,
                                   const uint8_t hroot[YC_HASH_LEN], char *out, size_t outlen)
{
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
            snprintf(out, outlen, "transaction %u does not decode: %s (%s)", ok,
                     yc_err_name(rc), yc_strerror(rc));
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
                     "the header's tx_root is %s but its %u transactions hash to %s (a "
                     "transaction was altered, added or removed)",
                     a, ntx, b);
            reason = AUDIT_BAD_TX_ROOT;
        }
    }
    for (uint32_t i = 0; i < ok && i < ntx; i++)
        yc_tx_cleanup(&decoded[i]);
    yc_free(decoded);
    return reason;
}

enum audit_reason audit_diagnose_block(const uint8_t *bytes, size_t len, int decode_err,
                                       char *out, size_t outlen)
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
    char chain[YC_CHAIN_ID_MAX + 1] = "";
    uint8_t hroot[YC_HASH_LEN];
    bool have_header = false;
    const uint8_t *txs = NULL;
    size_t txs_len = 0;
    yc_dec_init(&d, bytes, len);
    if (yc_dec_map(&d, &n) != YC_OK)
        goto generic;
    for (uint32_t i = 0; i < n; i++) {
        const char *k;
        size_t kl;
        if (yc_dec_str(&d, &k, &kl) != YC_OK)
            goto generic;
        if (key_is(k, kl, "header")) {
            have_header = read_header(&d, chain, hroot);
            if (!have_header)
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

    enum audit_reason reason = check_txs(txs, txs_len, chain, hroot, out, outlen);
    if (reason != AUDIT_OK)
        return reason;
generic:
    snprintf(out, outlen, "%zu bytes that do not decode as a block: %s (%s)", len,
             yc_err_name(decode_err), yc_strerror(decode_err));
    return AUDIT_BAD_BLOCK;
}
