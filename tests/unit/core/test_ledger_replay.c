/*
 * test_ledger_replay.c — E4: a transaction is valid once, on its chain, in nonce order.
 * The same signed tx twice (in one block, in a later block, after replaying the chain
 * from genesis as a restarted node or the audit tool does) is refused with bad_nonce;
 * a tx signed for another chain is refused with wrong_chain by yc_tx_verify (and by
 * execution and admission, which never rely on the caller having verified).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_ledger.h"
#include "yc/block.h"

struct fx {
    struct tchain tc;
    struct yc_buf body;
};

static int setup(void **st)
{
    struct fx *f = calloc(1, sizeof *f);
    tc_init(&f->tc);
    yc_buf_init(&f->body, 0);
    *st = f;
    return 0;
}

static int teardown(void **st)
{
    struct fx *f = *st;
    yc_buf_cleanup(&f->body);
    tc_cleanup(&f->tc);
    free(f);
    return 0;
}

static void test_same_tx_twice_is_bad_nonce(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct yc_tx tx;
    hb_token(&f->body, tc->pub[TC_BOB], 100);
    tc_make_tx(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, 0, &f->body, &tx);

    assert_int_equal(tc_exec(tc, &tx), YC_OK);
    assert_int_equal(tc_exec(tc, &tx), YC_EBADNONCE); /* same block */
    tc_commit(tc);
    assert_int_equal(tc_exec(tc, &tx), YC_EBADNONCE); /* a later block */
    tc_commit(tc);
    assert_int_equal(tc_balance(tc, TC_BOB), 10100);

    /* admission refuses it too */
    struct yc_exec_ctx ctx = {.g = &tc->g, .height = tc->height, .time_ms = tc->time_ms};
    uint64_t gap;
    assert_int_equal(yc_exec_precheck(tc->blk, &ctx, &tx, &gap), YC_EBADNONCE);

    /* a self-registration cannot be replayed either */
    struct yc_tx reg;
    hb_register(&f->body, NULL, "individual", "Carol", "CN-CQ");
    tc_make_tx(tc, TC_CAROL, YC_TX_ACCOUNT_REGISTER, 0, &f->body, &reg);
    assert_int_equal(tc_exec(tc, &reg), YC_OK);
    assert_int_equal(tc_exec(tc, &reg), YC_EALREADYREG);
    yc_tx_cleanup(&reg);
    yc_tx_cleanup(&tx);
}

/* Replaying the stored chain from genesis (a restart, or the audit tool) reaches the
 * same roots; replaying a block again on top is refused. */
static void test_replay_from_genesis_then_again(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    hb_token(&f->body, tc->pub[TC_BOB], 100);
    assert_int_equal(tc_send(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, &f->body, NULL), YC_OK);
    assert_int_equal(tc_send(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, &f->body, NULL), YC_OK);
    tc_commit(tc);
    hb_token(&f->body, tc->pub[TC_ALICE], 1);
    assert_int_equal(tc_send(tc, TC_BOB, YC_TX_TOKEN_TRANSFER, &f->body, NULL), YC_OK);
    tc_commit(tc);

    uint8_t root[32];
    struct mem_state *m = tc_replay(tc, root);
    struct yc_state_src src = mem_state_src(m);
    yc_overlay *o;

    /* block 1 again on top of the replayed state: its first tx's nonce is spent */
    struct yc_block b;
    uint32_t bad = 99;
    assert_int_equal(yc_block_decode(&b, tc->blocks[0], tc->block_lens[0]), YC_OK);
    assert_int_equal(yc_overlay_create(&o, &src), YC_OK);
    assert_int_equal(yc_exec_block(o, &tc->g, &b, root, &bad), YC_EBADBLOCK);
    assert_int_equal(bad, 0);
    yc_overlay_destroy(o);
    yc_block_cleanup(&b);
    mem_state_free(m);
}

static void test_tx_for_another_chain_is_wrong_chain(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    static const uint8_t aux[32] = {0};
    struct yc_buf b;
    struct yc_tx tx;
    uint8_t id[32];

    hb_token(&f->body, tc->pub[TC_BOB], 100);
    yc_buf_init(&b, 0);
    assert_int_equal(yc_tx_build_signed(&b, id, "yc-other-chain", YC_TX_TOKEN_TRANSFER,
                                        tc->keys[TC_ALICE], 0, f->body.data, f->body.len, aux),
                     YC_OK);
    assert_int_equal(yc_tx_decode(&tx, b.data, b.len), YC_OK);
    /* its own chain accepts it; ours refuses it */
    assert_int_equal(yc_tx_verify(&tx, "yc-other-chain"), YC_OK);
    assert_int_equal(yc_tx_verify(&tx, TC_CHAIN), YC_EWRONGCHAIN);

    uint8_t before[32], after[32];
    tc_fingerprint(tc, before);
    assert_int_equal(tc_exec(tc, &tx), YC_EWRONGCHAIN);
    struct yc_exec_ctx ctx = {.g = &tc->g, .height = tc->height, .time_ms = tc->time_ms};
    uint64_t gap;
    assert_int_equal(yc_exec_precheck(tc->blk, &ctx, &tx, &gap), YC_EWRONGCHAIN);
    tc_fingerprint(tc, after);
    assert_memory_equal(before, after, 32);

    /* the same body and nonce signed for our chain has another id */
    struct yc_tx ours;
    tc_make_tx(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, 0, &f->body, &ours);
    assert_memory_not_equal(ours.id, tx.id, 32);
    /* and a signature made for the other chain does not verify when moved onto ours */
    yc_buf_reset(&b);
    assert_int_equal(yc_tx_encode_signed(&b, TC_CHAIN, ours.type, ours.sender, ours.nonce,
                                         ours.body, ours.body_len, tx.sig, NULL, 0),
                     YC_OK);
    struct yc_tx moved;
    assert_int_equal(yc_tx_decode(&moved, b.data, b.len), YC_OK);
    assert_int_equal(yc_tx_verify(&moved, TC_CHAIN), YC_EBADSIG);
    yc_tx_cleanup(&moved);
    yc_tx_cleanup(&ours);
    yc_tx_cleanup(&tx);
    yc_buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_same_tx_twice_is_bad_nonce, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replay_from_genesis_then_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_for_another_chain_is_wrong_chain, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
