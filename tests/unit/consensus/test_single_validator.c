/*
 * test_single_validator.c — n = 1, the single-validator chain of issue 2: a proposal
 * yields its journal records and, at once, the commit with a 1-signature certificate
 * that yc_cert_verify accepts; a restart from the journal re-derives the same commit
 * and never asks for a second proposal at the same height and view.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helper_pbft.h"
#include "yc/alloc.h"

static void test_propose_commit(void **state)
{
    struct fx fx;
    struct pbft_config cfg;
    pbft_node *node;
    struct fx_ready r;
    uint8_t digest[YC_HASH_LEN];
    size_t len;
    uint8_t *blk;
    (void)state;

    fx_init(&fx, 1);
    cfg = fx_config(&fx, 0);
    assert_int_equal(pbft_create(&node, &cfg, 1, fx.g.hash, NULL, 0, 1000), YC_OK);
    assert_true(fx_drain(node, &r));
    assert_true(r.want_proposal);
    assert_int_equal(r.nrecords, 0);
    assert_false(r.has_commit);
    fx_ready_free(&r);

    for (uint64_t h = 1; h <= 3; h++) {
        const uint8_t *prev = h == 1 ? fx.g.hash : digest;
        uint8_t prevcopy[YC_HASH_LEN];
        memcpy(prevcopy, prev, YC_HASH_LEN);
        blk = fx_block(&fx, h, 0, 0, prevcopy, 1000 + h, &len, digest);
        assert_int_equal(pbft_propose(node, blk, len, 1000 + h), YC_OK);
        /* a second proposal at the same (h, v) is refused */
        assert_int_equal(pbft_propose(node, blk, len, 1000 + h), YC_ESTALE);
        assert_true(fx_drain(node, &r));
        assert_true(r.nrecords >= 2); /* the PRE-PREPARE (our PREPARE) and the COMMIT */
        assert_int_equal(r.nmsgs, 0); /* nobody to send to */
        assert_true(r.has_commit);
        assert_int_equal(r.commit.height, h);
        assert_memory_equal(r.commit.digest, digest, YC_HASH_LEN);
        assert_int_equal(r.commit.len, len);
        assert_memory_equal(r.commit.block, blk, len);
        assert_int_equal(r.commit.cert.nsigs, 1);
        assert_int_equal(r.commit.cert.sigs[0].validator, 0);
        assert_int_equal(yc_cert_verify(&r.commit.cert, &fx.g, h, digest), YC_OK);
        assert_false(r.want_proposal);
        fx_ready_free(&r);
        yc_free(blk);
        assert_int_equal(pbft_decided(node, h, digest, NULL, 1000 + h), YC_OK);
        assert_true(fx_drain(node, &r));
        assert_true(r.want_proposal);
        assert_int_equal(r.height, h + 1);
        fx_ready_free(&r);
    }
    /* no timer-driven view changes with one validator */
    pbft_tick(node, 10000000);
    assert_false(pbft_has_ready(node));
    pbft_destroy(node);
    fx_cleanup(&fx);
}

static void test_restart_from_journal(void **state)
{
    struct fx fx;
    struct pbft_config cfg;
    pbft_node *node;
    struct fx_ready r, r2;
    struct pbft_record journal[64];
    uint8_t digest[YC_HASH_LEN];
    size_t len;
    uint8_t *blk;
    (void)state;

    fx_init(&fx, 1);
    cfg = fx_config(&fx, 0);
    assert_int_equal(pbft_create(&node, &cfg, 1, fx.g.hash, NULL, 0, 1000), YC_OK);
    assert_true(fx_drain(node, &r));
    fx_ready_free(&r);
    blk = fx_block(&fx, 1, 0, 0, fx.g.hash, 1001, &len, digest);
    assert_int_equal(pbft_propose(node, blk, len, 1001), YC_OK);
    assert_true(fx_drain(node, &r));
    assert_true(r.has_commit);
    pbft_destroy(node); /* crash before storing the block */

    for (size_t i = 0; i < r.nrecords; i++) {
        journal[i].bytes = r.records[i];
        journal[i].len = r.record_len[i];
    }
    /* every prefix of the journal restores without error and never asks for a
     * proposal once the PRE-PREPARE is journaled */
    for (size_t k = 0; k <= r.nrecords; k++) {
        assert_int_equal(pbft_create(&node, &cfg, 1, fx.g.hash, journal, k, 2000), YC_OK);
        (void)fx_drain(node, &r2);
        if (k == 0) {
            assert_true(r2.want_proposal);
        } else {
            assert_false(r2.want_proposal);
            /* from any prefix the commit is re-derived: a crash between two appends of
             * one ready (after the PRE-PREPARE, after the prepared certificate but
             * before the COMMIT) must not leave a single validator stuck */
            assert_true(r2.has_commit);
            assert_memory_equal(r2.commit.digest, digest, YC_HASH_LEN);
            assert_int_equal(yc_cert_verify(&r2.commit.cert, &fx.g, 1, digest), YC_OK);
            /* a different block at the same (h, v) is refused */
            {
                uint8_t d2[YC_HASH_LEN];
                size_t l2;
                uint8_t *b2 = fx_block(&fx, 1, 0, 0, fx.g.hash, 5000, &l2, d2);
                assert_int_not_equal(pbft_propose(node, b2, l2, 2000), YC_OK);
                yc_free(b2);
            }
        }
        fx_ready_free(&r2);
        pbft_destroy(node);
    }
    /* a corrupt record is reported */
    {
        uint8_t junk[3] = {0x81, 0xa1, 0x78};
        struct pbft_record bad = {junk, sizeof junk};
        assert_int_equal(pbft_create(&node, &cfg, 1, fx.g.hash, &bad, 1, 2000), YC_ECORRUPT);
        assert_null(node);
    }
    fx_ready_free(&r);
    yc_free(blk);
    fx_cleanup(&fx);
}

static void test_bad_config(void **state)
{
    struct fx fx;
    struct pbft_config cfg;
    pbft_node *node;
    struct yc_valset three, none;
    (void)state;

    fx_init(&fx, 4);
    yc_valset_genesis(&three, &fx.g);
    three.n = 3; /* validators 0..2 */
    three.quorum = yc_quorum(3);
    memset(&none, 0, sizeof none);
    cfg = fx_config(&fx, 3);
    cfg.validators = &three; /* validator 3's key is not in the set in force */
    assert_int_equal(pbft_create(&node, &cfg, 1, fx.g.hash, NULL, 0, 0), YC_EINVAL);
    cfg.validators = &none;
    assert_int_equal(pbft_create(&node, &cfg, 1, fx.g.hash, NULL, 0, 0), YC_EINVAL);
    cfg = fx_config(&fx, 0);
    assert_int_equal(pbft_create(&node, &cfg, 0, fx.g.hash, NULL, 0, 0), YC_EINVAL);
    assert_int_equal(pbft_create(NULL, &cfg, 1, fx.g.hash, NULL, 0, 0), YC_EINVAL);
    pbft_destroy(NULL);
    /* a next set without this node's key stops it; an empty one is a caller error */
    cfg = fx_config(&fx, 3);
    assert_int_equal(pbft_create(&node, &cfg, 1, fx.g.hash, NULL, 0, 0), YC_OK);
    assert_int_equal(pbft_decided(node, 1, fx.g.hash, &three, 0), YC_ENOTAUTH);
    assert_int_equal(pbft_decided(node, 1, fx.g.hash, &none, 0), YC_EINVAL);
    pbft_destroy(node);
    fx_cleanup(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_propose_commit),
        cmocka_unit_test(test_restart_from_journal),
        cmocka_unit_test(test_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
