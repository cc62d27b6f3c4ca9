/*
 * test_bad_messages.c — network input never asserts and never counts unless it is
 * right (TESTING.md D1, E4 for consensus messages, B3): garbage, truncation, a
 * sender that is not the signer, bad signatures, PREPARE bytes relabelled as COMMIT,
 * other heights, huge views, journal-only records, proposals from a non-primary or
 * for another parent. Conflicting signed votes are kept as evidence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helper_pbft.h"
#include "pbft_int.h"
#include "yc/alloc.h"

struct env {
    struct fx fx;
    pbft_node *node; /* validator 0 of 4 at height 1 */
};

static int setup(void **state)
{
    struct env *e = yc_calloc(1, sizeof *e);
    struct pbft_config cfg;
    struct fx_ready r;
    fx_init(&e->fx, 4);
    cfg = fx_config(&e->fx, 0);
    if (pbft_create(&e->node, &cfg, 1, e->fx.g.hash, NULL, 0, 1000) != YC_OK) {
        return -1;
    }
    while (fx_drain(e->node, &r)) {
        fx_ready_free(&r);
    }
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    pbft_destroy(e->node);
    fx_cleanup(&e->fx);
    yc_free(e);
    return 0;
}

static void test_garbage(void **state)
{
    struct env *e = *state;
    uint8_t junk[64];
    uint8_t d[YC_HASH_LEN] = {1};
    size_t len;
    uint8_t *m;

    for (int i = 0; i < 64; i++) {
        junk[i] = (uint8_t)(i * 37 + 11);
    }
    assert_int_not_equal(pbft_step(e->node, 1, junk, sizeof junk, 1000), YC_OK);
    assert_int_not_equal(pbft_step(e->node, 1, junk, 0, 1000), YC_OK);
    assert_int_equal(pbft_step(e->node, 1, NULL, 5, 1000), YC_EINVAL);
    /* a declared huge bin with nothing behind it */
    {
        uint8_t huge[] = {0x81, 0xa4, 'b', 'o', 'd', 'y', 0xc6, 0xff, 0xff, 0xff, 0xff};
        assert_int_not_equal(pbft_step(e->node, 1, huge, sizeof huge, 1000), YC_OK);
    }
    /* every truncation of a valid message is refused */
    m = fx_vote_msg(&e->fx, PBFT_T_PREPARE, 2, 1, 0, d, NULL, 0, &len);
    for (size_t k = 0; k < len; k++) {
        assert_int_not_equal(pbft_step(e->node, 2, m, k, 1000), YC_OK);
    }
    /* and so is a message with trailing bytes */
    {
        uint8_t *longer = yc_malloc(len + 1);
        memcpy(longer, m, len);
        longer[len] = 0xc0;
        assert_int_not_equal(pbft_step(e->node, 2, longer, len + 1, 1000), YC_OK);
        yc_free(longer);
    }
    assert_int_equal(pbft_step(e->node, 2, m, len, 1000), YC_OK);
    yc_free(m);
    assert_int_equal(pbft_step(e->node, 2, junk, PBFT_MAX_MSG_BYTES + 1, 1000), YC_ETOOLARGE);
}

static void test_sender_and_signature(void **state)
{
    struct env *e = *state;
    uint8_t d[YC_HASH_LEN] = {2};
    size_t len;
    uint8_t *m = fx_vote_msg(&e->fx, PBFT_T_PREPARE, 2, 1, 0, d, NULL, 0, &len);
    uint8_t *bad;

    /* the transport says 3, the message says 2 */
    assert_int_equal(pbft_step(e->node, 3, m, len, 1000), YC_EBADMSG);
    /* from ourselves, or from outside the set */
    assert_int_equal(pbft_step(e->node, 0, m, len, 1000), YC_EBADMSG);
    assert_int_equal(pbft_step(e->node, 9, m, len, 1000), YC_EBADMSG);
    /* a flipped signature byte (the sig is the 65 bytes before "type") */
    bad = yc_memdup(m, len);
    for (size_t k = 0; k + 4 < len; k++) {
        if (memcmp(bad + k, "\xa3sig\xc4\x41", 6) == 0) {
            bad[k + 6 + 20] ^= 0x80;
            break;
        }
    }
    assert_int_equal(pbft_step(e->node, 2, bad, len, 1000), YC_EBADSIG);
    yc_free(bad);
    /* signed by another key */
    {
        size_t l2;
        uint8_t *m3 = fx_vote_msg(&e->fx, PBFT_T_PREPARE, 3, 1, 0, d, NULL, 0, &l2);
        /* re-label it as validator 2's: decode it, swap from */
        struct pbft_wmsg *w = yc_malloc(sizeof *w);
        struct yc_buf out;
        assert_int_equal(pbft__decode(w, m3, l2, 4), YC_OK);
        yc_buf_init(&out, 0);
        assert_int_equal(
            pbft__enc_msg(&out, PBFT_T_PREPARE, 2, NULL, 0, w->body, w->body_len, w->sig, NULL),
            YC_OK);
        assert_int_equal(pbft_step(e->node, 2, out.data, out.len, 1000), YC_EBADSIG);
        yc_buf_cleanup(&out);
        yc_free(w);
        yc_free(m3);
    }
    yc_free(m);
}

static void test_phase_swap(void **state)
{
    struct env *e = *state;
    uint8_t d[YC_HASH_LEN] = {3};
    size_t len;
    uint8_t *m = fx_vote_msg(&e->fx, PBFT_T_PREPARE, 2, 1, 0, d, NULL, 0, &len);
    struct pbft_wmsg *w = yc_malloc(sizeof *w);
    struct yc_buf out;

    /* same body and signature, envelope type "commit" */
    assert_int_equal(pbft__decode(w, m, len, 4), YC_OK);
    yc_buf_init(&out, 0);
    assert_int_equal(
        pbft__enc_msg(&out, PBFT_T_COMMIT, 2, NULL, 0, w->body, w->body_len, w->sig, NULL), YC_OK);
    assert_int_equal(pbft_step(e->node, 2, out.data, out.len, 1000), YC_EBADMSG);
    yc_buf_cleanup(&out);
    /* a COMMIT body carrying the PREPARE signature */
    {
        struct yc_buf body;
        yc_buf_init(&body, 0);
        yc_buf_init(&out, 0);
        assert_int_equal(pbft__enc_vote_body(&body, PH_COMMIT, 1, 0, d), YC_OK);
        assert_int_equal(
            pbft__enc_msg(&out, PBFT_T_COMMIT, 2, NULL, 0, body.data, body.len, w->sig, NULL),
            YC_OK);
        assert_int_equal(pbft_step(e->node, 2, out.data, out.len, 1000), YC_EBADSIG);
        yc_buf_cleanup(&body);
        yc_buf_cleanup(&out);
    }
    yc_free(w);
    yc_free(m);
}

static void test_heights_and_views(void **state)
{
    struct env *e = *state;
    uint8_t d[YC_HASH_LEN] = {4};
    size_t len;
    uint8_t *m;
    struct yc_buf body, out;
    uint8_t sig[YC_SIG_LEN] = {1};

    /* another chain's or height's vote is not this one */
    m = fx_vote_msg(&e->fx, PBFT_T_COMMIT, 2, 5, 0, d, NULL, 0, &len);
    assert_int_equal(pbft_step(e->node, 2, m, len, 1000), YC_ESTALE);
    yc_free(m);
    /* far beyond the current view */
    m = fx_vote_msg(&e->fx, PBFT_T_COMMIT, 2, 1, 1000, d, NULL, 0, &len);
    assert_int_equal(pbft_step(e->node, 2, m, len, 1000), YC_ESTALE);
    yc_free(m);
    /* a view no message may carry */
    yc_buf_init(&body, 0);
    yc_buf_init(&out, 0);
    assert_int_equal(pbft__enc_vote_body(&body, PH_COMMIT, 1, 1ull << 40, d), YC_OK);
    assert_int_equal(pbft__enc_msg(&out, PBFT_T_COMMIT, 2, NULL, 0, body.data, body.len, sig, NULL),
                     YC_OK);
    assert_int_equal(pbft_step(e->node, 2, out.data, out.len, 1000), YC_EBADMSG);
    yc_buf_cleanup(&body);
    yc_buf_cleanup(&out);
    /* a journal record is not a message */
    {
        struct pbft_pcert pc;
        memset(&pc, 0, sizeof pc);
        pc.has = true;
        yc_buf_init(&out, 0);
        assert_int_equal(pbft__enc_prepared(&out, 1, &pc, NULL, 0), YC_OK);
        assert_int_equal(pbft_step(e->node, 2, out.data, out.len, 1000), YC_EBADMSG);
        yc_buf_cleanup(&out);
    }
}

static void test_proposals(void **state)
{
    struct env *e = *state;
    uint8_t d[YC_HASH_LEN];
    size_t blen, len;
    uint8_t *blk, *m;
    uint8_t other[YC_HASH_LEN] = {9};

    /* validator 2 is not the primary of (1, 0) */
    blk = fx_block(&e->fx, 1, 0, 1, e->fx.g.hash, 5, &blen, d);
    m = fx_vote_msg(&e->fx, PBFT_T_PREPREPARE, 2, 1, 0, d, blk, blen, &len);
    assert_int_equal(pbft_step(e->node, 2, m, len, 1000), YC_EBADMSG);
    yc_free(m);
    yc_free(blk);
    /* a block on another parent */
    blk = fx_block(&e->fx, 1, 0, 1, other, 5, &blen, d);
    m = fx_vote_msg(&e->fx, PBFT_T_PREPREPARE, 1, 1, 0, d, blk, blen, &len);
    assert_int_equal(pbft_step(e->node, 1, m, len, 1000), YC_EBADBLOCK);
    yc_free(m);
    yc_free(blk);
    /* a digest that is not the block's */
    blk = fx_block(&e->fx, 1, 0, 1, e->fx.g.hash, 5, &blen, d);
    m = fx_vote_msg(&e->fx, PBFT_T_PREPREPARE, 1, 1, 0, other, blk, blen, &len);
    assert_int_equal(pbft_step(e->node, 1, m, len, 1000), YC_EBADBLOCK);
    yc_free(m);
    /* the right one is taken, and the node asks to execute it */
    m = fx_vote_msg(&e->fx, PBFT_T_PREPREPARE, 1, 1, 0, d, blk, blen, &len);
    assert_int_equal(pbft_step(e->node, 1, m, len, 1000), YC_OK);
    assert_int_equal(pbft_step(e->node, 1, m, len, 1000), YC_OK); /* duplicate */
    {
        struct fx_ready r;
        assert_true(fx_drain(e->node, &r));
        assert_int_equal(r.nproposals, 1);
        assert_memory_equal(r.proposals[0].digest, d, YC_HASH_LEN);
        assert_int_equal(r.nmsgs, 0); /* no PREPARE before the block is checked */
        fx_ready_free(&r);
        /* a block that does not execute gets no PREPARE */
        assert_int_equal(pbft_block_checked(e->node, 1, 0, d, false, 1000), YC_OK);
        assert_false(pbft_has_ready(e->node));
    }
    yc_free(m);
    yc_free(blk);
}

static void test_evidence(void **state)
{
    struct env *e = *state;
    uint8_t d1[YC_HASH_LEN] = {5}, d2[YC_HASH_LEN] = {6};
    size_t l1, l2;
    uint8_t *m1 = fx_vote_msg(&e->fx, PBFT_T_COMMIT, 3, 1, 0, d1, NULL, 0, &l1);
    uint8_t *m2 = fx_vote_msg(&e->fx, PBFT_T_COMMIT, 3, 1, 0, d2, NULL, 0, &l2);
    struct pbft_ready rd;

    assert_int_equal(pbft_step(e->node, 3, m1, l1, 1000), YC_OK);
    assert_int_equal(pbft_step(e->node, 3, m2, l2, 1000), YC_EBADMSG);
    assert_true(pbft_has_ready(e->node));
    pbft_ready(e->node, &rd);
    assert_int_equal(rd.nevidence, 1);
    assert_int_equal(rd.evidence[0].validator, 3);
    /* both halves are standalone signed votes of validator 3 */
    {
        struct pbft_wmsg *w = yc_malloc(sizeof *w);
        uint8_t h[YC_HASH_LEN];
        assert_int_equal(pbft__decode(w, rd.evidence[0].a, rd.evidence[0].alen, 4), YC_OK);
        yc_vote_hash(h, e->fx.g.chain_id, "commit", 1, 0, w->digest);
        assert_true(yc_sig_verify(w->sig, h, e->fx.g.validators[3].pub));
        assert_int_equal(pbft__decode(w, rd.evidence[0].b, rd.evidence[0].blen, 4), YC_OK);
        assert_memory_equal(w->digest, d2, YC_HASH_LEN);
        yc_free(w);
    }
    pbft_advance(e->node);
    /* reported once */
    assert_int_equal(pbft_step(e->node, 3, m2, l2, 1000), YC_EBADMSG);
    assert_false(pbft_has_ready(e->node));
    yc_free(m1);
    yc_free(m2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sender_and_signature, setup, teardown),
        cmocka_unit_test_setup_teardown(test_phase_swap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heights_and_views, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proposals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_evidence, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
