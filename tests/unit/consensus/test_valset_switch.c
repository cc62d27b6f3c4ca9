/*
 * test_valset_switch.c — docs/design/pbft.md §3a: pbft_decided with a new validator
 * set. Validator 0 of four decides height 1; from height 2 the set is validators 0..2
 * (validator 3 removed), so n = 3 and q = 2: an early vote of the removed validator is
 * dropped, its votes at the new height are refused, the primary's PRE-PREPARE and one
 * COMMIT more make a certificate that holds against the new set and not the old one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helper_pbft.h"
#include "yc/alloc.h"

static void test_removed_validator(void **state)
{
    struct fx fx;
    struct pbft_config cfg;
    pbft_node *node;
    struct fx_ready r;
    struct yc_valset three, four;
    uint8_t d1[YC_HASH_LEN], d2[YC_HASH_LEN];
    uint8_t *b1, *b2, *m;
    size_t l1, l2, ml;
    (void)state;

    fx_init(&fx, 4);
    yc_valset_genesis(&four, &fx.g);
    three = four;
    three.n = 3;
    three.quorum = yc_quorum(3);
    cfg = fx_config(&fx, 0);
    assert_int_equal(pbft_create(&node, &cfg, 1, fx.g.hash, NULL, 0, 0), YC_OK);
    while (fx_drain(node, &r)) {
        fx_ready_free(&r);
    }
    b1 = fx_block(&fx, 1, 0, 1, fx.g.hash, 1001, &l1, d1);
    b2 = fx_block(&fx, 2, 0, 2, d1, 1002, &l2, d2);
    /* validator 3's PREPARE for height 2 arrives early: buffered (signature checked) */
    m = fx_vote_msg(&fx, 2, 3, 2, 0, d2, NULL, 0, &ml);
    assert_int_equal(pbft_step(node, 3, m, ml, 10), YC_OK);
    /* height 1 comes by block sync; height 2 has the three-validator set */
    assert_int_equal(pbft_decided(node, 1, d1, &three, 20), YC_OK);
    while (fx_drain(node, &r)) {
        assert_int_equal(r.nmsgs, 0); /* the early PREPARE was dropped, nothing answered */
        fx_ready_free(&r);
    }
    /* validator 3 is outside the set now: its votes are refused */
    assert_int_equal(pbft_step(node, 3, m, ml, 30), YC_EBADMSG);
    yc_free(m);
    /* the primary of (2, 0) among three is validator 2 */
    m = fx_vote_msg(&fx, 1, 2, 2, 0, d2, b2, l2, &ml);
    assert_int_equal(pbft_step(node, 2, m, ml, 40), YC_OK);
    yc_free(m);
    assert_true(fx_drain(node, &r));
    assert_int_equal(r.nproposals, 1);
    fx_ready_free(&r);
    assert_int_equal(pbft_block_checked(node, 2, 0, d2, true, 50), YC_OK);
    /* its PREPARE and the primary's make q = 2: prepared, so it commits too */
    assert_true(fx_drain(node, &r));
    assert_int_equal(r.nmsgs, 2);
    assert_false(r.has_commit);
    fx_ready_free(&r);
    m = fx_vote_msg(&fx, 3, 2, 2, 0, d2, NULL, 0, &ml);
    assert_int_equal(pbft_step(node, 2, m, ml, 60), YC_OK);
    yc_free(m);
    assert_true(fx_drain(node, &r));
    assert_true(r.has_commit);
    assert_int_equal(r.commit.cert.nsigs, 2);
    assert_int_equal(yc_cert_check(&r.commit.cert, &three, fx.g.chain_id, 2, d2, NULL), YC_OK);
    assert_int_equal(yc_cert_check(&r.commit.cert, &four, fx.g.chain_id, 2, d2, NULL), YC_EBADCERT);
    fx_ready_free(&r);
    yc_free(b1);
    yc_free(b2);
    pbft_destroy(node);
    fx_cleanup(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_removed_validator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
