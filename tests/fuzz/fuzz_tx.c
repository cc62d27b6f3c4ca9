/*
 * fuzz_tx.c — the transaction envelope decoder, yc_tx_decode (TESTING.md D1).
 *
 * Properties, any violation aborts:
 * - yc_tx_decode never crashes, hangs or reads out of bounds, on any bytes; on failure
 *   it leaves *tx cleared;
 * - when it accepts, encoding the decoded fields again with yc_tx_encode_signed gives the
 *   input byte for byte (encode(decode(b)) == b), and the id is the tagged hash of the
 *   unsigned envelope built from the same fields (an id never depends on signatures);
 * - the typed body encoded again from the decoded fields by the schema's encoder
 *   (yc_tx_body_encode) is the input's body byte for byte;
 * - decoding the input a second time gives the same id; a yc_tx_copy of it shares its
 *   allocation and still reads the same bytes, id and body once that tx is cleaned up;
 * - yc_tx_verify returns a code (never crashes: ok, bad_sig, bad_cosig, or bad_key for a
 *   key that is not a point of the curve, which the decoder leaves to it) for the tx's
 *   own chain and for another one, refusing the other chain.
 */
/* yc-fuzz-link: yc_core */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "yc/buf.h"
#include "yc/tx.h"
#include "yc/txschema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0) {
            return false;
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct yc_tx tx, again;
    struct yc_buf out;
    char chain[YC_CHAIN_ID_MAX + 1];
    uint8_t id[YC_HASH_LEN];

    if (yc_tx_decode(&tx, data, size) != YC_OK) {
        if (!all_zero(&tx, sizeof tx)) {
            abort(); /* documented: cleared on failure */
        }
        return 0;
    }
    if (tx.len != size || memcmp(tx.bytes, data, size) != 0 || tx.chain_id.len == 0 ||
        tx.chain_id.len > YC_CHAIN_ID_MAX || tx.ncosigs > YC_TX_MAX_COSIGS ||
        yc_tx_type_name(tx.type) == NULL || tx.body < tx.bytes ||
        tx.body + tx.body_len > tx.bytes + tx.len) {
        abort();
    }
    memcpy(chain, tx.chain_id.p, tx.chain_id.len);
    chain[tx.chain_id.len] = '\0';

    /* encode(decode(b)) == b */
    yc_buf_init(&out, YC_TX_MAX_BYTES);
    if (yc_tx_encode_signed(&out, chain, tx.type, tx.sender, tx.nonce, tx.body, tx.body_len, tx.sig,
                            tx.cosigs, tx.ncosigs) != YC_OK ||
        out.len != size || memcmp(out.data, data, size) != 0) {
        abort();
    }
    /* the schema's body encoder: encode(decode(body)) == body */
    yc_buf_reset(&out);
    if (yc_tx_body_encode(&out, tx.type, tx.b, tx.body_present) != YC_OK ||
        out.len != tx.body_len || memcmp(out.data, tx.body, tx.body_len) != 0) {
        abort();
    }
    /* id = H(tag, chain, unsigned bytes) */
    yc_buf_reset(&out);
    if (yc_tx_encode_unsigned(&out, chain, tx.type, tx.sender, tx.nonce, tx.body, tx.body_len) !=
        YC_OK) {
        abort();
    }
    yc_tx_id(id, chain, out.data, out.len);
    if (memcmp(id, tx.id, YC_HASH_LEN) != 0) {
        abort();
    }
    yc_buf_cleanup(&out);

    if (yc_tx_decode(&again, data, size) != YC_OK || memcmp(again.id, tx.id, YC_HASH_LEN) != 0) {
        abort();
    }
    /* a copy shares the decoded allocation and outlives the tx it was copied from */
    struct yc_tx cp;
    if (yc_tx_copy(&cp, &again) != YC_OK || cp.bytes != again.bytes) {
        abort();
    }
    yc_tx_cleanup(&again);
    if (cp.len != size || memcmp(cp.bytes, data, size) != 0 ||
        memcmp(cp.id, tx.id, YC_HASH_LEN) != 0 || cp.body_len != tx.body_len ||
        memcmp(cp.body, tx.body, tx.body_len) != 0) {
        abort();
    }
    yc_tx_cleanup(&cp);

    int v = yc_tx_verify(&tx, chain);
    if (v != YC_OK && v != YC_EBADSIG && v != YC_EBADCOSIG && v != YC_EBADKEY) {
        abort();
    }
    if (yc_tx_verify(&tx, tx.chain_id.len == 1 ? "zz" : "z") != YC_EWRONGCHAIN) {
        abort();
    }
    yc_tx_cleanup(&tx);
    return 0;
}
