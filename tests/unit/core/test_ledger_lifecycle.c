/*
 * test_ledger_lifecycle.c — every transaction ends (DESIGN.md §3, issue: the
 * transaction life cycle): a tx that fails its type's rules is recorded as failed and
 * consumes only its nonce; one whose envelope fails cannot stand in a block; the block's
 * results and result_root record outcomes that every replica re-derives; tx_root binds
 * the signed bytes, so a co-signature added to or stripped from a stored block, or a
 * changed signature, is caught; co-signers are only the parties a type calls for; a
 * closed-registration chain needs a registrar for every new account.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper_ledger.h"
#include "yc/alloc.h"
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

/* Signs `body` by `who` with `nonce` and the co-signers cos[0..ncos) (their own keys, or
 * a different key than the pub they claim when `forge`), decoded into *out. */
static void make_cosigned(struct tchain *tc, uint32_t who, enum yc_tx_type type, uint64_t nonce,
                          const struct yc_buf *body, const uint32_t *cos, uint32_t ncos,
                          struct yc_tx *out)
{
    static const uint8_t aux[32] = {0};
    struct yc_buf ub, sb;
    uint8_t id[YC_HASH_LEN], sig[YC_SIG_LEN];
    struct yc_cosig cs[4];

    yc_buf_init(&ub, 0);
    yc_buf_init(&sb, 0);
    assert_int_equal(yc_tx_encode_unsigned(&ub, tc->g.chain_id, type, tc->pub[who], nonce,
                                           body->data, body->len),
                     YC_OK);
    yc_tx_id(id, tc->g.chain_id, ub.data, ub.len);
    assert_int_equal(yc_sig_sign(tc->keys[who], sig, id, aux), YC_OK);
    for (uint32_t i = 0; i < ncos; i++) {
        memcpy(cs[i].pub, tc->pub[cos[i]], YC_PUBKEY_LEN);
        assert_int_equal(yc_sig_sign(tc->keys[cos[i]], cs[i].sig, id, aux), YC_OK);
    }
    /* sorted by pub, as the encoding requires */
    for (uint32_t i = 1; i < ncos; i++) {
        for (uint32_t j = i; j > 0 && memcmp(cs[j - 1].pub, cs[j].pub, YC_PUBKEY_LEN) > 0; j--) {
            struct yc_cosig t = cs[j];
            cs[j] = cs[j - 1];
            cs[j - 1] = t;
        }
    }
    assert_int_equal(yc_tx_encode_signed(&sb, tc->g.chain_id, type, tc->pub[who], nonce, body->data,
                                         body->len, sig, cs, ncos),
                     YC_OK);
    assert_int_equal(yc_tx_decode(out, sb.data, sb.len), YC_OK);
    assert_int_equal(yc_tx_verify(out, tc->g.chain_id), YC_OK);
    yc_buf_cleanup(&ub);
    yc_buf_cleanup(&sb);
}

static int outcome_of(struct tchain *tc, const struct yc_tx *tx, int *outcome, char *why,
                      size_t whylen)
{
    struct yc_exec_ctx ctx = {
        .g = &tc->g, .height = tc->height, .time_ms = tc->time_ms, .why = why, .whylen = whylen};
    if (why != NULL) {
        why[0] = '\0';
    }
    return yc_exec_tx_outcome(tc->blk, &ctx, tx, 0, outcome);
}

/* A transfer beyond the balance is recorded as failed: the nonce moves, nothing else. */
static void test_failed_tx_consumes_only_its_nonce(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct yc_tx tx;
    int outcome = 99;
    char why[256];
    uint64_t alice = tc_balance(tc, TC_ALICE), bob = tc_balance(tc, TC_BOB);

    hb_token(&f->body, tc->pub[TC_BOB], alice + 1);
    tc_make_tx(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, 0, &f->body, &tx);
    assert_int_equal(outcome_of(tc, &tx, &outcome, why, sizeof why), YC_OK);
    assert_int_equal(outcome, YC_EBALANCE);
    assert_int_equal(tc_nonce(tc, TC_ALICE), 1);
    assert_int_equal(tc_balance(tc, TC_ALICE), alice);
    assert_int_equal(tc_balance(tc, TC_BOB), bob);
    /* the same tx again: its nonce is used, so it cannot stand in a block at all */
    assert_int_equal(outcome_of(tc, &tx, &outcome, why, sizeof why), YC_EBADNONCE);
    assert_non_null(strstr(why, "nonce"));
    yc_tx_cleanup(&tx);

    /* the sender's next transaction follows at once */
    hb_token(&f->body, tc->pub[TC_BOB], 5);
    tc_make_tx(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, 1, &f->body, &tx);
    assert_int_equal(outcome_of(tc, &tx, &outcome, NULL, 0), YC_OK);
    assert_int_equal(outcome, YC_OK);
    assert_int_equal(tc_balance(tc, TC_BOB), bob + 5);
    yc_tx_cleanup(&tx);
}

/* Envelope failures: an unknown sender, a future nonce. */
static void test_envelope_failures_cannot_stand_in_a_block(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct yc_tx tx;
    int outcome;
    char why[256];

    hb_token(&f->body, tc->pub[TC_BOB], 1);
    tc_make_tx(tc, TC_DAVE, YC_TX_TOKEN_TRANSFER, 0, &f->body, &tx);
    assert_int_equal(outcome_of(tc, &tx, &outcome, why, sizeof why), YC_EUNKNOWNACCT);
    assert_non_null(strstr(why, "sender"));
    yc_tx_cleanup(&tx);
    tc_make_tx(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, 3, &f->body, &tx);
    assert_int_equal(outcome_of(tc, &tx, &outcome, NULL, 0), YC_EBADNONCE);
    assert_int_equal(tc_nonce(tc, TC_ALICE), 0);
    yc_tx_cleanup(&tx);
}

/* A block records outcomes; every replica re-derives them; a block that records
 * another outcome, or whose signed bytes were changed, is refused. */
static void test_block_records_and_rederives_outcomes(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct yc_tx txs[2];
    int results[2];
    uint8_t groot[YC_HASH_LEN];

    /* genesis state and root, to execute the block on (no block sealed yet) */
    struct mem_state *m = tc_replay(tc, groot);
    struct yc_state_src src = mem_state_src(m);
    yc_overlay *o;

    hb_token(&f->body, tc->pub[TC_BOB], 1000000000);
    tc_make_tx(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, 0, &f->body, &txs[0]);
    hb_token(&f->body, tc->pub[TC_BOB], 7);
    tc_make_tx(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, 1, &f->body, &txs[1]);

    /* execute as a proposer would */
    struct yc_block_header h;
    memset(&h, 0, sizeof h);
    snprintf(h.chain_id, sizeof h.chain_id, "%s", tc->g.chain_id);
    h.height = 1;
    h.time_ms = tc->g.genesis_time_ms + 1000;
    memcpy(h.prev_hash, tc->g.hash, YC_HASH_LEN);
    struct yc_exec_ctx ctx = {.g = &tc->g, .height = 1, .time_ms = h.time_ms};
    assert_int_equal(yc_overlay_create(&o, &src), YC_OK);
    for (uint32_t i = 0; i < 2; i++) {
        assert_int_equal(yc_exec_tx_outcome(o, &ctx, &txs[i], i, &results[i]), YC_OK);
    }
    assert_int_equal(results[0], YC_EBALANCE);
    assert_int_equal(results[1], YC_OK);
    assert_int_equal(yc_exec_finish(o, tc->g.chain_id, groot, h.state_root), YC_OK);
    yc_overlay_destroy(o);
    assert_int_equal(yc_block_header_seal(&h, txs, results, 2), YC_OK);

    struct yc_buf enc;
    struct yc_block b;
    uint32_t bad = 99;
    yc_buf_init(&enc, 0);
    assert_int_equal(yc_block_encode(&enc, &h, txs, results, 2, NULL), YC_OK);
    assert_int_equal(yc_block_decode(&b, enc.data, enc.len), YC_OK);
    assert_int_equal(b.results[0], YC_EBALANCE);
    assert_int_equal(b.results[1], YC_OK);
    assert_int_equal(yc_overlay_create(&o, &src), YC_OK);
    assert_int_equal(yc_exec_block(o, &tc->g, &b, groot, &bad), YC_OK);
    yc_overlay_destroy(o);
    yc_block_cleanup(&b);

    /* the result root binds the outcomes: one flipped in the body is refused at decode */
    int flipped[2] = {YC_OK, YC_OK};
    yc_buf_reset(&enc);
    assert_int_equal(yc_block_encode(&enc, &h, txs, flipped, 2, NULL), YC_OK);
    assert_int_equal(yc_block_decode(&b, enc.data, enc.len), YC_EBADBLOCK);

    /* a proposer that records "ok" and seals it: every replica re-derives and refuses */
    struct yc_block_header lie = h;
    assert_int_equal(yc_block_header_seal(&lie, txs, flipped, 2), YC_OK);
    yc_buf_reset(&enc);
    assert_int_equal(yc_block_encode(&enc, &lie, txs, flipped, 2, NULL), YC_OK);
    assert_int_equal(yc_block_decode(&b, enc.data, enc.len), YC_OK);
    assert_int_equal(yc_overlay_create(&o, &src), YC_OK);
    assert_int_equal(yc_exec_block(o, &tc->g, &b, groot, &bad), YC_EBADBLOCK);
    assert_int_equal(bad, 0);
    yc_overlay_destroy(o);
    yc_block_cleanup(&b);

    /* an outcome that is not a name, or not a verdict, cannot be encoded */
    int bogus[2] = {YC_ENOMEM, YC_OK};
    yc_buf_reset(&enc);
    assert_int_equal(yc_block_encode(&enc, &h, txs, bogus, 2, NULL), YC_EINVAL);

    /* tx_root binds the signed bytes: a different signature over the same id (same tx
     * id) changes the signed-tx hash, so the stored block no longer decodes */
    struct yc_tx resigned;
    static const uint8_t aux2[32] = {7};
    uint8_t sig[YC_SIG_LEN];
    struct yc_buf ub, sb;
    yc_buf_init(&ub, 0);
    yc_buf_init(&sb, 0);
    hb_token(&f->body, tc->pub[TC_BOB], 7);
    assert_int_equal(yc_tx_encode_unsigned(&ub, tc->g.chain_id, YC_TX_TOKEN_TRANSFER,
                                           tc->pub[TC_ALICE], 1, f->body.data, f->body.len),
                     YC_OK);
    assert_int_equal(yc_sig_sign(tc->keys[TC_ALICE], sig, txs[1].id, aux2), YC_OK);
    assert_int_equal(yc_tx_encode_signed(&sb, tc->g.chain_id, YC_TX_TOKEN_TRANSFER,
                                         tc->pub[TC_ALICE], 1, f->body.data, f->body.len, sig, NULL,
                                         0),
                     YC_OK);
    assert_int_equal(yc_tx_decode(&resigned, sb.data, sb.len), YC_OK);
    assert_memory_equal(resigned.id, txs[1].id, YC_HASH_LEN);
    assert_int_equal(yc_tx_verify(&resigned, tc->g.chain_id), YC_OK);
    struct yc_tx swapped[2] = {txs[0], resigned};
    yc_buf_reset(&enc);
    assert_int_equal(yc_block_encode(&enc, &h, swapped, results, 2, NULL), YC_OK);
    assert_int_equal(yc_block_decode(&b, enc.data, enc.len), YC_EBADBLOCK);

    yc_tx_cleanup(&resigned);
    yc_buf_cleanup(&ub);
    yc_buf_cleanup(&sb);
    yc_buf_cleanup(&enc);
    for (uint32_t i = 0; i < 2; i++) {
        yc_tx_cleanup(&txs[i]);
    }
    mem_state_free(m);
}

/* Co-signatures only from the parties a type calls for: a stranger's co-signature on a
 * transfer makes it impossible to include (so nobody can turn someone else's
 * transaction into a failure by adding one), and it is refused with words. */
static void test_cosigners_only_those_the_type_calls_for(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct yc_tx tx;
    int outcome;
    char why[256];
    const uint32_t stranger[1] = {TC_BOB};

    hb_token(&f->body, tc->pub[TC_BOB], 5);
    make_cosigned(tc, TC_ALICE, YC_TX_TOKEN_TRANSFER, 0, &f->body, stranger, 1, &tx);
    assert_int_equal(outcome_of(tc, &tx, &outcome, why, sizeof why), YC_EBADCOSIG);
    assert_non_null(strstr(why, "cosigs"));
    assert_int_equal(tc_nonce(tc, TC_ALICE), 0);
    uint64_t gap;
    struct yc_exec_ctx ctx = {.g = &tc->g, .height = tc->height, .time_ms = tc->time_ms};
    assert_int_equal(yc_exec_precheck(tc->blk, &ctx, &tx, &gap), YC_EBADCOSIG);
    yc_tx_cleanup(&tx);
}

/* Real-name registration: with open_registration off, a self-registration needs one
 * registrar's co-signature (the exchange or an agency); a non-registrar co-signer or
 * none is refused; a registrar's co-signature admits it. */
static void test_closed_registration_needs_a_registrar(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct yc_tx tx;
    int outcome;
    char why[256];
    const uint32_t alice[1] = {TC_ALICE};
    const uint32_t agency[1] = {TC_AGENCY};

    tc->g.params.open_registration = false;
    hb_register(&f->body, NULL, "individual", "Carol", "CN-CQ");
    tc_make_tx(tc, TC_CAROL, YC_TX_ACCOUNT_REGISTER, 0, &f->body, &tx);
    assert_int_equal(outcome_of(tc, &tx, &outcome, why, sizeof why), YC_ENOTAUTH);
    assert_non_null(strstr(why, "registrar"));
    assert_false(tc_registered(tc, TC_CAROL));
    yc_tx_cleanup(&tx);

    make_cosigned(tc, TC_CAROL, YC_TX_ACCOUNT_REGISTER, 0, &f->body, alice, 1, &tx);
    assert_int_equal(outcome_of(tc, &tx, &outcome, why, sizeof why), YC_EBADCOSIG);
    assert_non_null(strstr(why, "registrar"));
    yc_tx_cleanup(&tx);

    make_cosigned(tc, TC_CAROL, YC_TX_ACCOUNT_REGISTER, 0, &f->body, agency, 1, &tx);
    assert_int_equal(outcome_of(tc, &tx, &outcome, why, sizeof why), YC_OK);
    assert_int_equal(outcome, YC_OK);
    assert_true(tc_registered(tc, TC_CAROL));
    yc_tx_cleanup(&tx);

    /* with open registration (dev and test chains) none is needed */
    tc->g.params.open_registration = true;
    hb_register(&f->body, NULL, "individual", "Dave", "CN-CQ");
    tc_make_tx(tc, TC_DAVE, YC_TX_ACCOUNT_REGISTER, 0, &f->body, &tx);
    assert_int_equal(outcome_of(tc, &tx, &outcome, NULL, 0), YC_OK);
    assert_int_equal(outcome, YC_OK);
    yc_tx_cleanup(&tx);
}

/* A pledge.create without its pledgee's co-signature cannot be included: stripping it
 * from the holder's transaction cannot turn the pledge into a recorded failure. */
static void test_pledge_without_pledgee_cosig_is_not_includable(void **st)
{
    struct fx *f = *st;
    struct tchain *tc = &f->tc;
    struct yc_tx tx;
    int outcome;
    char why[256];
    uint8_t asset[YC_HASH_LEN] = {1};
    struct hm m;

    /* {amount, asset, due, pledgee}: enough for the envelope to judge */
    hm_init(&m);
    hm_u64(&m, "amount", 100);
    hm_bin(&m, "asset", asset, YC_HASH_LEN);
    hm_u64(&m, "due", tc->time_ms + 100000);
    hm_bin(&m, "pledgee", tc->pub[TC_BOB], YC_PUBKEY_LEN);
    hm_finish(&m, YC_TX_PLEDGE_CREATE, &f->body);
    tc_make_tx(tc, TC_ALICE, YC_TX_PLEDGE_CREATE, 0, &f->body, &tx);
    assert_int_equal(outcome_of(tc, &tx, &outcome, why, sizeof why), YC_EBADCOSIG);
    assert_non_null(strstr(why, "pledgee"));
    assert_int_equal(tc_nonce(tc, TC_ALICE), 0);
    yc_tx_cleanup(&tx);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_failed_tx_consumes_only_its_nonce),
        T(test_envelope_failures_cannot_stand_in_a_block),
        T(test_block_records_and_rederives_outcomes),
        T(test_cosigners_only_those_the_type_calls_for),
        T(test_closed_registration_needs_a_registrar),
        T(test_pledge_without_pledgee_cosig_is_not_includable),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
