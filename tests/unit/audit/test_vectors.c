/*
 * test_vectors.c — the published chain vectors (tests/vectors/chain-v2.json; docs/formats.md,
 * "Test vectors") checked with this code, so that the file a third-party verifier checks
 * itself against is known to be right:
 *
 *  - genesis.json parses and hashes to genesis_hash;
 *  - each block's raw bytes decode, hash to its hash, carry its tx ids, outcomes and roots;
 *  - the two blocks replay from the genesis through the audit's engine (links, proposer,
 *    time, signatures, certificates, execution) to block 2's state root;
 *  - the receipt: its tx decodes to tx_id, its signed-tx hash and result hash reach the
 *    header's tx_root and result_root through its proofs, its header hashes to block_hash,
 *    which is block 2's hash, and its certificate verifies against the genesis.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "yc/alloc.h"
#include "yc/block.h"
#include "yc/buf.h"
#include "yc/genesis_json.h"
#include "yc/merkle.h"
#include "yc/tx.h"

#include "replay.h"

#define VECTORS "vectors/chain-v2.json" /* the test runs in tests/ */

static json_t *load(void)
{
    json_error_t e;
    json_t *v = json_load_file(VECTORS, 0, &e);
    if (v == NULL)
        fail_msg("%s: %s (line %d)", VECTORS, e.text, e.line);
    return v;
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    if (s == NULL)
        fail_msg("vectors: no string \"%s\"", k);
    return s;
}

static void unhex32(uint8_t out[YC_HASH_LEN], const char *hex)
{
    assert_int_equal(strlen(hex), 2 * YC_HASH_LEN);
    assert_int_equal(yc_unhex(out, YC_HASH_LEN, hex, 2 * YC_HASH_LEN), YC_OK);
}

static uint8_t *unhex_alloc(const char *hex, size_t *n)
{
    *n = strlen(hex) / 2;
    uint8_t *p = yc_malloc(*n + 1);
    assert_non_null(p);
    assert_int_equal(yc_unhex(p, *n, hex, 2 * *n), YC_OK);
    return p;
}

static void genesis_of(json_t *v, struct yc_genesis *g)
{
    char *text = json_dumps(json_object_get(v, "genesis"), JSON_COMPACT);
    char err[300];
    assert_non_null(text);
    if (yc_genesis_json_parse(g, text, strlen(text), err, sizeof err) != YC_OK)
        fail_msg("genesis: %s", err);
    free(text);
}

static void test_genesis_hash(void **state)
{
    (void)state;
    json_t *v = load();
    struct yc_genesis g;
    genesis_of(v, &g);
    char h[2 * YC_HASH_LEN + 1];
    yc_hex(h, g.hash, YC_HASH_LEN);
    assert_string_equal(h, str(v, "genesis_hash"));
    yc_genesis_cleanup(&g);
    json_decref(v);
}

static void test_blocks_decode_and_hash(void **state)
{
    (void)state;
    json_t *v = load();
    json_t *blocks = json_object_get(v, "blocks");
    assert_int_equal(json_array_size(blocks), 2);
    for (size_t i = 0; i < json_array_size(blocks); i++) {
        json_t *jb = json_array_get(blocks, i);
        size_t n;
        uint8_t *raw = unhex_alloc(str(jb, "raw"), &n);
        struct yc_block b;
        assert_int_equal(yc_block_decode(&b, raw, n), YC_OK);
        char h[2 * YC_HASH_LEN + 1];
        yc_hex(h, b.hash, YC_HASH_LEN);
        assert_string_equal(h, str(jb, "hash"));
        assert_int_equal(b.hdr.height, json_integer_value(json_object_get(jb, "height")));
        yc_hex(h, b.hdr.state_root, YC_HASH_LEN);
        assert_string_equal(h, str(jb, "state_root"));
        yc_hex(h, b.hdr.tx_root, YC_HASH_LEN);
        assert_string_equal(h, str(jb, "tx_root"));
        yc_hex(h, b.hdr.result_root, YC_HASH_LEN);
        assert_string_equal(h, str(jb, "result_root"));
        json_t *txs = json_object_get(jb, "txs"), *res = json_object_get(jb, "results");
        assert_int_equal(json_array_size(txs), b.ntx);
        for (uint32_t k = 0; k < b.ntx; k++) {
            yc_hex(h, b.txs[k].id, YC_HASH_LEN);
            assert_string_equal(h, json_string_value(json_array_get(txs, k)));
            const char *want = json_string_value(json_array_get(res, k));
            assert_string_equal(b.results[k] == YC_OK ? "ok" : yc_err_name(b.results[k]), want);
        }
        yc_block_cleanup(&b);
        yc_free(raw);
    }
    json_decref(v);
}

/* ---- the two blocks as an audit source ---- */

static int vec_tip(void *ctx, uint64_t *height, char *msg, size_t msglen)
{
    (void)msg;
    (void)msglen;
    *height = json_array_size(json_object_get(ctx, "blocks"));
    return YC_OK;
}

static int vec_block(void *ctx, uint64_t height, uint8_t **bytes, size_t *len, char *msg,
                     size_t msglen)
{
    (void)msg;
    (void)msglen;
    json_t *jb = json_array_get(json_object_get(ctx, "blocks"), (size_t)height - 1);
    if (jb == NULL)
        return YC_ENOTFOUND;
    *bytes = unhex_alloc(str(jb, "raw"), len);
    return YC_OK;
}

static void test_blocks_replay_from_genesis(void **state)
{
    (void)state;
    json_t *v = load();
    struct yc_genesis g;
    genesis_of(v, &g);
    struct audit_source src = {.tip = vec_tip, .get_block = vec_block, .ctx = v};
    struct audit_opts o = {.to = 0};
    memstate *m = NULL;
    assert_int_equal(memstate_create(&m), YC_OK);
    static struct audit_result res;
    char msg[300];
    assert_int_equal(audit_replay(&g, &src, &o, m, &res, msg, sizeof msg), YC_OK);
    if (!res.ok)
        fail_msg("replay of the vectors: %s: %s", audit_reason_name(res.reason), res.detail);
    assert_int_equal(res.height, 2);
    char h[2 * YC_HASH_LEN + 1];
    yc_hex(h, res.state_root, YC_HASH_LEN);
    assert_string_equal(h, str(json_array_get(json_object_get(v, "blocks"), 1), "state_root"));
    memstate_destroy(m);
    yc_genesis_cleanup(&g);
    json_decref(v);
}

static void proof_of(json_t *jp, struct yc_merkle_proof *p)
{
    memset(p, 0, sizeof *p);
    p->index = (uint32_t)strtoul(json_string_value(json_object_get(jp, "index")), NULL, 10);
    p->count = (uint32_t)strtoul(json_string_value(json_object_get(jp, "count")), NULL, 10);
    json_t *sib = json_object_get(jp, "siblings");
    p->nsiblings = (uint32_t)json_array_size(sib);
    assert_true(p->nsiblings <= YC_MERKLE_MAX_DEPTH);
    for (uint32_t i = 0; i < p->nsiblings; i++)
        unhex32(p->siblings[i], json_string_value(json_array_get(sib, i)));
}

static void test_receipt(void **state)
{
    (void)state;
    json_t *v = load();
    json_t *r = json_object_get(v, "receipt");
    struct yc_genesis g;
    genesis_of(v, &g);
    char h[2 * YC_HASH_LEN + 1];
    yc_hex(h, g.hash, YC_HASH_LEN);
    assert_string_equal(h, str(r, "genesis_hash"));

    size_t n;
    uint8_t *txb = unhex_alloc(str(r, "tx"), &n);
    struct yc_tx tx;
    assert_int_equal(yc_tx_decode(&tx, txb, n), YC_OK);
    assert_int_equal(yc_tx_verify(&tx, g.chain_id), YC_OK);
    yc_hex(h, tx.id, YC_HASH_LEN);
    assert_string_equal(h, str(r, "tx_id"));

    /* header_raw is exactly the canonical header of block 2 */
    json_t *b2 = json_array_get(json_object_get(v, "blocks"), 1);
    uint8_t *raw = unhex_alloc(str(b2, "raw"), &n);
    struct yc_block b;
    assert_int_equal(yc_block_decode(&b, raw, n), YC_OK);
    size_t hn;
    uint8_t *hraw = unhex_alloc(str(r, "header_raw"), &hn);
    struct yc_buf enc;
    yc_buf_init(&enc, 0);
    assert_int_equal(yc_header_encode(&b.hdr, &enc), YC_OK);
    assert_int_equal(enc.len, hn);
    assert_memory_equal(enc.data, hraw, hn);
    yc_buf_cleanup(&enc);
    uint8_t bh[YC_HASH_LEN];
    yc_hash_tagged(bh, "yuchain/block/v1", g.chain_id, hraw, hn);
    yc_hex(h, bh, YC_HASH_LEN);
    assert_string_equal(h, str(r, "block_hash"));
    assert_string_equal(h, str(b2, "hash"));

    struct yc_merkle_proof p;
    uint8_t leaf[YC_HASH_LEN];
    yc_signed_tx_hash(leaf, g.chain_id, &tx);
    proof_of(json_object_get(r, "proof"), &p);
    assert_true(yc_merkle_verify(b.hdr.tx_root, g.chain_id, leaf, &p));
    yc_result_hash(leaf, g.chain_id, tx.id, YC_OK);
    proof_of(json_object_get(r, "result_proof"), &p);
    assert_true(yc_merkle_verify(b.hdr.result_root, g.chain_id, leaf, &p));
    assert_string_equal(str(r, "status"), "committed");

    /* the certificate (the receipt carries the block's) verifies against the genesis */
    assert_int_equal(yc_cert_verify(&b.cert, &g, 2, bh), YC_OK);
    json_t *sigs = json_object_get(json_object_get(r, "certificate"), "signatures");
    assert_int_equal(json_array_size(sigs), b.cert.nsigs);
    yc_block_cleanup(&b);
    yc_free(raw);
    yc_free(hraw);
    yc_tx_cleanup(&tx);
    yc_free(txb);
    yc_genesis_cleanup(&g);
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_genesis_hash),
        cmocka_unit_test(test_blocks_decode_and_hash),
        cmocka_unit_test(test_blocks_replay_from_genesis),
        cmocka_unit_test(test_receipt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
