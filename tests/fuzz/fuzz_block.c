/*
 * fuzz_block.c — the block decoder, yc_block_decode (TESTING.md D1).
 *
 * Properties, any violation aborts:
 * - yc_block_decode never crashes, hangs or reads out of bounds, on any bytes;
 * - when it accepts, yc_block_encode of the decoded header, transactions and certificate
 *   gives the input byte for byte (encode(decode(b)) == b); the block hash is the hash of
 *   the decoded header; tx_count and the tx root agree with the decoded transactions;
 * - yc_cert_verify against the fixture's genesis (4 validators) returns a code, never
 *   crashes, whatever the certificate holds.
 */
/* yc-fuzz-link: yc_core */
/* yc-fuzz-src: fixture.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "yc/block.h"
#include "yc/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct yc_genesis genesis;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_genesis(&genesis, FZ_NVAL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct yc_block b;
    struct yc_buf out;
    uint8_t h[YC_HASH_LEN];

    if (yc_block_decode(&b, data, size) != YC_OK) {
        return 0;
    }
    if (b.ntx != b.hdr.tx_count || (b.ntx > 0 && b.txs == NULL) ||
        b.cert.nsigs > YC_MAX_VALIDATORS) {
        abort();
    }
    yc_buf_init(&out, YC_BLOCK_MAX_BYTES);
    if (yc_block_encode(&out, &b.hdr, b.txs, b.results, b.ntx, &b.cert) != YC_OK ||
        out.len != size || memcmp(out.data, data, size) != 0) {
        abort();
    }
    yc_buf_cleanup(&out);
    if (yc_header_hash(&b.hdr, h) != YC_OK || memcmp(h, b.hash, YC_HASH_LEN) != 0) {
        abort();
    }
    if (yc_block_tx_root(h, b.hdr.chain_id, b.txs, b.ntx) != YC_OK ||
        memcmp(h, b.hdr.tx_root, YC_HASH_LEN) != 0) {
        abort();
    }
    int v = yc_cert_verify(&b.cert, &genesis, b.hdr.height, b.hash);
    if (v != YC_OK && v != YC_EBADCERT) {
        abort();
    }
    yc_block_cleanup(&b);
    return 0;
}
