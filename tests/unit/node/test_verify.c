/*
 * test_verify.c — the verify pool (node/src/chain/verify.h): verdicts and the index of the
 * first failure across chunks, the verified-signature cache, the cache of keys
 * known valid, which must save parsing and never a check, and a tx whose check is in
 * flight, which a second check waits for instead of verifying it again; checks of one
 * tx each made in one turn (admission), which share work items and keep their own
 * verdicts; a batch mixing cached txs, txs in flight elsewhere and new ones; the cache's
 * bound (the oldest out first) and a second signature over a cached id.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "verify.h"
#include "yc/buf.h"
#include "yc/keys.h"
#include "yc/tx.h"
#include "yc/txschema.h"

#define CHAIN "verify-test"
#define NTX 100 /* more than three chunks */

struct result {
    bool called;
    int code;
    size_t bad;
};

static void on_done(void *ctx, int code, size_t bad)
{
    struct result *r = ctx;
    r->called = true;
    r->code = code;
    r->bad = bad;
}

static yc_signer *signer(uint8_t seed)
{
    uint8_t sk[YC_SECKEY_LEN];
    memset(sk, 0, sizeof sk);
    sk[0] = seed;
    sk[31] = 1;
    yc_signer *s = NULL;
    assert_int_equal(yc_signer_create(&s, sk), YC_OK);
    return s;
}

/* A token transfer of `amount` to `to`, signed by s with `nonce`. */
static void transfer(yc_signer *s, const uint8_t to[YC_PUBKEY_LEN], uint64_t nonce, uint64_t amount,
                     struct yc_tx *out)
{
    union yc_tx_body u;
    memset(&u, 0, sizeof u);
    u.token.amount = amount;
    u.token.has_to = true;
    memcpy(u.token.to, to, YC_PUBKEY_LEN);
    struct yc_buf body, b;
    yc_buf_init(&body, 0);
    yc_buf_init(&b, 0);
    assert_int_equal(yc_tx_body_encode(&body, YC_TX_TOKEN_TRANSFER, &u,
                                       yc_tx_body_present(YC_TX_TOKEN_TRANSFER, &u)),
                     YC_OK);
    uint8_t id[YC_HASH_LEN], aux[32] = {0};
    assert_int_equal(
        yc_tx_build_signed(&b, id, CHAIN, YC_TX_TOKEN_TRANSFER, s, nonce, body.data, body.len, aux),
        YC_OK);
    assert_int_equal(yc_tx_decode(out, b.data, b.len), YC_OK);
    yc_buf_cleanup(&body);
    yc_buf_cleanup(&b);
}

/* Runs a check to its callback. */
static struct result run(uv_loop_t *loop, yc_verifier *v, const struct yc_tx *txs, size_t n)
{
    struct result r = {0};
    assert_int_equal(yc_verifier_check(v, txs, n, on_done, &r), YC_OK);
    while (!r.called)
        uv_run(loop, UV_RUN_ONCE);
    return r;
}

struct fx {
    uv_loop_t loop;
    struct yc_pump pump;
    yc_verifier *v;
    yc_signer *s[4];
    uint8_t pub[4][YC_PUBKEY_LEN];
    struct yc_tx txs[NTX];
};

static int setup(void **st)
{
    struct fx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    assert_int_equal(uv_loop_init(&x->loop), 0);
    assert_int_equal(yc_pump_init(&x->pump, &x->loop), 0);
    assert_int_equal(yc_verifier_create(&x->v, &x->loop, &x->pump, CHAIN, 1000, 16), YC_OK);
    for (uint8_t i = 0; i < 4; i++) {
        x->s[i] = signer((uint8_t)(i + 1));
        yc_signer_pubkey(x->s[i], x->pub[i]);
    }
    *st = x;
    return 0;
}

static int teardown(void **st)
{
    struct fx *x = *st;
    for (size_t i = 0; i < NTX; i++)
        yc_tx_cleanup(&x->txs[i]);
    for (int i = 0; i < 4; i++)
        yc_signer_destroy(x->s[i]);
    uv_run(&x->loop, UV_RUN_DEFAULT);
    yc_pump_close(&x->pump);
    uv_run(&x->loop, UV_RUN_DEFAULT);
    yc_verifier_destroy(x->v);
    assert_int_equal(uv_loop_close(&x->loop), 0);
    free(x);
    return 0;
}

static void test_batch_verdicts_and_cache(void **st)
{
    struct fx *x = *st;
    for (size_t i = 0; i < NTX; i++)
        transfer(x->s[i % 3], x->pub[(i + 1) % 3], 1 + i / 3, 1 + i, &x->txs[i]);
    struct result r = run(&x->loop, x->v, x->txs, NTX);
    assert_int_equal(r.code, YC_OK);
    uint64_t verified, hits;
    yc_verifier_counters(x->v, &verified, &hits);
    assert_int_equal(verified, NTX);
    /* all cached now: nothing verified again, and answered on the next turn of the loop,
     * never from inside the call (the callback rule) */
    struct result again = {0};
    assert_int_equal(yc_verifier_check(x->v, x->txs, NTX, on_done, &again), YC_OK);
    assert_false(again.called);
    uv_run(&x->loop, UV_RUN_NOWAIT);
    assert_true(again.called);
    assert_int_equal(again.code, YC_OK);
    yc_verifier_counters(x->v, &verified, &hits);
    assert_int_equal(verified, NTX);
    assert_int_equal(hits, NTX);
}

static void test_first_failure_across_chunks(void **st)
{
    struct fx *x = *st;
    for (size_t i = 0; i < NTX; i++)
        transfer(x->s[i % 3], x->pub[3], 1 + i, 7, &x->txs[i]);
    /* two bad signatures in different chunks: the lower index is reported */
    x->txs[85].sig[10] ^= 1;
    x->txs[70].sig[20] ^= 1;
    struct result r = run(&x->loop, x->v, x->txs, NTX);
    assert_int_equal(r.code, YC_EBADSIG);
    assert_int_equal(r.bad, 70);
    /* the good ones before the failure were cached: a batch of them is answered on the
     * next turn, with nothing checked again */
    struct result before = {0};
    assert_int_equal(yc_verifier_check(x->v, x->txs, 64, on_done, &before), YC_OK);
    assert_false(before.called);
    uv_run(&x->loop, UV_RUN_NOWAIT);
    assert_true(before.called);
    assert_int_equal(before.code, YC_OK);
}

static void test_known_keys_never_skip_a_check(void **st)
{
    struct fx *x = *st;
    /* the pool learns keys 0 (signed) and 1 (a valid recipient) */
    transfer(x->s[0], x->pub[1], 1, 5, &x->txs[0]);
    assert_int_equal(run(&x->loop, x->v, x->txs, 1).code, YC_OK);

    /* a known sender's bad signature is still refused */
    transfer(x->s[0], x->pub[1], 2, 5, &x->txs[1]);
    x->txs[1].sig[33] ^= 0x40;
    assert_int_equal(run(&x->loop, x->v, &x->txs[1], 1).code, YC_EBADSIG);

    /* a known sender with an off-curve recipient: the recipient is still checked */
    uint8_t off[YC_PUBKEY_LEN];
    memset(off, 0xff, sizeof off);
    off[0] = YC_SCHEME_BIP340;
    transfer(x->s[0], off, 3, 5, &x->txs[2]);
    assert_int_equal(run(&x->loop, x->v, &x->txs[2], 1).code, YC_EBADKEY);

    /* the learned recipient, now a sender, and a fresh sender: both verify */
    transfer(x->s[1], x->pub[0], 1, 5, &x->txs[3]);
    transfer(x->s[2], x->pub[1], 1, 5, &x->txs[4]);
    assert_int_equal(run(&x->loop, x->v, &x->txs[3], 2).code, YC_OK);

    /* a tx naming a known sender's key but signed by another key: refused */
    transfer(x->s[3], x->pub[1], 1, 5, &x->txs[5]);
    memcpy(x->txs[5].sender, x->pub[0], YC_PUBKEY_LEN);
    assert_int_equal(run(&x->loop, x->v, &x->txs[5], 1).code, YC_EBADSIG);
}

static void test_hinted_core_check(void **st)
{
    struct fx *x = *st;
    transfer(x->s[0], x->pub[1], 1, 5, &x->txs[0]);
    struct yc_tx_keyhint h;
    memset(&h, 0, sizeof h);
    assert_int_equal(yc_tx_verify_hinted(&x->txs[0], CHAIN, &h), YC_OK);
    assert_true(h.sender_parsed); /* the check hands back the key it parsed */
    struct yc_parsed_key k;
    assert_true(yc_pubkey_parse(&k, x->pub[0]));
    assert_memory_equal(&k, &h.sender, sizeof k);
    /* with the hint: same verdicts */
    h.body_valid = true;
    assert_int_equal(yc_tx_verify_hinted(&x->txs[0], CHAIN, &h), YC_OK);
    assert_int_equal(yc_tx_verify_hinted(&x->txs[0], "other-chain", &h), YC_EWRONGCHAIN);
    x->txs[0].sig[5] ^= 1;
    assert_int_equal(yc_tx_verify_hinted(&x->txs[0], CHAIN, &h), YC_EBADSIG);
    assert_int_equal(yc_tx_verify(&x->txs[0], CHAIN), YC_EBADSIG);
    /* an off-curve sender: bad_key, hinted or not */
    uint8_t off[YC_PUBKEY_LEN];
    memset(off, 0xff, sizeof off);
    off[0] = YC_SCHEME_BIP340;
    assert_false(yc_pubkey_parse(&k, off));
    memcpy(x->txs[0].sender, off, YC_PUBKEY_LEN);
    memset(&h, 0, sizeof h);
    assert_int_equal(yc_tx_verify_hinted(&x->txs[0], CHAIN, &h), YC_EBADKEY);
    assert_false(h.sender_parsed);
}

/* Starts a check without running the loop. */
static void start(yc_verifier *v, const struct yc_tx *txs, size_t n, struct result *r)
{
    assert_int_equal(yc_verifier_check(v, txs, n, on_done, r), YC_OK);
}

static void test_in_flight_checked_once(void **st)
{
    struct fx *x = *st;
    for (size_t i = 0; i < NTX; i++)
        transfer(x->s[i % 3], x->pub[3], 1 + i, 9, &x->txs[i]);
    /* one by one (as gossip), then all of them at once (as a proposal) while the first
     * checks are still queued: every signature is verified once, both answers are ok */
    struct result one[NTX];
    memset(one, 0, sizeof one);
    for (size_t i = 0; i < 10; i++)
        start(x->v, &x->txs[i], 1, &one[i]);
    struct result all = {0};
    start(x->v, x->txs, NTX, &all);
    while (!all.called)
        uv_run(&x->loop, UV_RUN_ONCE);
    uv_run(&x->loop, UV_RUN_DEFAULT);
    for (size_t i = 0; i < 10; i++) {
        assert_true(one[i].called);
        assert_int_equal(one[i].code, YC_OK);
    }
    assert_int_equal(all.code, YC_OK);
    uint64_t verified, hits;
    yc_verifier_counters(x->v, &verified, &hits);
    assert_int_equal(verified, NTX);
    assert_int_equal(hits, 10);

    /* a check that fails before reaching a tx does not vouch for it: the tx a second
     * check deferred to it is then checked by the second one, and its bad one refused */
    for (size_t i = 0; i < 3; i++)
        yc_tx_cleanup(&x->txs[i]);
    transfer(x->s[0], x->pub[3], 500, 9, &x->txs[0]);
    transfer(x->s[1], x->pub[3], 500, 9, &x->txs[1]);
    transfer(x->s[2], x->pub[3], 500, 9, &x->txs[2]);
    x->txs[0].sig[3] ^= 1;
    struct result first = {0}, second = {0}, third = {0};
    start(x->v, x->txs, 2, &first);      /* [bad, good]: stops at the bad one */
    start(x->v, &x->txs[1], 1, &second); /* the good one, deferred to the first */
    start(x->v, x->txs, 3, &third);      /* the bad one deferred too, then a new one */
    while (!second.called || !third.called || !first.called)
        uv_run(&x->loop, UV_RUN_ONCE);
    assert_int_equal(first.code, YC_EBADSIG);
    assert_int_equal(first.bad, 0);
    assert_int_equal(second.code, YC_OK);
    assert_int_equal(third.code, YC_EBADSIG);
    assert_int_equal(third.bad, 0);
}

/* Admission checks one tx per call; the calls of one turn go to the pool together: a
 * bad signature fails its own call only, never the calls checked after it in the same
 * work item, and every signature is verified once. */
static void test_single_checks_of_one_turn(void **st)
{
    struct fx *x = *st;
    enum { N = 16 }; /* the fixture's max_pending */
    for (size_t i = 0; i < N; i++)
        transfer(x->s[i % 3], x->pub[3], 1 + i, 11, &x->txs[i]);
    x->txs[3].sig[5] ^= 1;
    x->txs[9].sig[7] ^= 1;
    struct result r[N];
    memset(r, 0, sizeof r);
    for (size_t i = 0; i < N; i++)
        start(x->v, &x->txs[i], 1, &r[i]);
    for (size_t i = 0; i < N; i++)
        assert_false(r[i].called);
    uv_run(&x->loop, UV_RUN_DEFAULT);
    for (size_t i = 0; i < N; i++) {
        assert_true(r[i].called);
        assert_int_equal(r[i].code, i == 3 || i == 9 ? YC_EBADSIG : YC_OK);
        assert_int_equal(r[i].bad, 0);
    }
    uint64_t verified, hits;
    yc_verifier_counters(x->v, &verified, &hits);
    assert_int_equal(verified, N);
    assert_int_equal(hits, 0);
    /* the good ones are cached, the bad ones are not */
    for (size_t i = 0; i < N; i++)
        assert_int_equal(yc_verifier_cached(x->v, &x->txs[i]), i != 3 && i != 9);
}

/* Shutdown: checks asked for in this turn and not yet handed to the pool are cancelled
 * with the rest; every one is still answered (a work item a thread had started ends
 * with its verdict), and a cancelled check caches nothing. */
static void test_cancel_before_hand_over(void **st)
{
    struct fx *x = *st;
    enum { N = 16 };
    for (size_t i = 0; i < N; i++)
        transfer(x->s[i % 3], x->pub[3], 1 + i, 13, &x->txs[i]);
    struct result r[N];
    memset(r, 0, sizeof r);
    for (size_t i = 0; i < N; i++)
        start(x->v, &x->txs[i], 1, &r[i]);
    yc_verifier_cancel_all(x->v);
    uv_run(&x->loop, UV_RUN_DEFAULT);
    for (size_t i = 0; i < N; i++) {
        assert_true(r[i].called);
        assert_true(r[i].code == YC_OK || r[i].code == YC_EIO);
        assert_int_equal(yc_verifier_cached(x->v, &x->txs[i]), r[i].code == YC_OK);
    }
}

/* One batch of cached txs, txs another check has in flight and new ones, interleaved:
 * the new ones are checked here, the others waited for, the failure's index is the
 * caller's, and nothing is verified twice. */
static void test_mixed_batch(void **st)
{
    struct fx *x = *st;
    enum { N = 40 };
    for (size_t i = 0; i < N; i++)
        transfer(x->s[i % 3], x->pub[3], 1 + i, 15, &x->txs[i]);
    struct yc_tx cached[N / 4], flight[N / 4];
    for (size_t j = 0; j < N / 4; j++) { /* i % 4 == 0: cached; i % 4 == 1: in flight */
        cached[j] = x->txs[4 * j];
        flight[j] = x->txs[4 * j + 1];
    }
    assert_int_equal(run(&x->loop, x->v, cached, N / 4).code, YC_OK);
    x->txs[N - 6].sig[9] ^= 1; /* a new one, bad */
    struct result other = {0}, all = {0};
    start(x->v, flight, N / 4, &other);
    start(x->v, x->txs, N, &all);
    while (!all.called || !other.called)
        uv_run(&x->loop, UV_RUN_ONCE);
    assert_int_equal(other.code, YC_OK);
    assert_int_equal(all.code, YC_EBADSIG);
    assert_int_equal(all.bad, N - 6);
    uint64_t verified, hits;
    yc_verifier_counters(x->v, &verified, &hits);
    assert_int_equal(verified, N);         /* the new ones counted once, in one chunk */
    assert_int_equal(hits, N / 4 + N / 4); /* the cached ones, then the waited-for ones */
    /* cached: those before, the others' (each checked by its own check), never the new
     * ones from the failure on (the chunk stopped there) */
    for (size_t i = 0; i < N; i++)
        assert_int_equal(yc_verifier_cached(x->v, &x->txs[i]), i % 4 <= 1 || i < N - 6);
}

/* The cache holds cache_size txs, the oldest out first; a second signature over a cached
 * id is not taken for the verified one. */
static void test_cache_bound_and_other_signature(void **st)
{
    struct fx *x = *st;
    yc_verifier *v = NULL;
    enum { SIZE = 16, N = 40 };
    assert_int_equal(yc_verifier_create(&v, &x->loop, &x->pump, CHAIN, SIZE, 4), YC_OK);
    for (size_t i = 0; i < N; i++)
        transfer(x->s[i % 3], x->pub[3], 1 + i, 17, &x->txs[i]);
    /* four at a time: after each check, the last SIZE are cached and no other */
    for (size_t done = 0; done < N; done += 4) {
        assert_int_equal(run(&x->loop, v, &x->txs[done], 4).code, YC_OK);
        for (size_t i = 0; i < N; i++)
            assert_int_equal(yc_verifier_cached(v, &x->txs[i]),
                             i < done + 4 && i + SIZE >= done + 4);
    }
    /* the same id with another (bad) signature: not cached, checked and refused */
    struct yc_tx forged = x->txs[N - 1]; /* shares its bytes: never cleaned up */
    forged.sig[0] ^= 1;
    assert_false(yc_verifier_cached(v, &forged));
    assert_int_equal(run(&x->loop, v, &forged, 1).code, YC_EBADSIG);
    assert_true(yc_verifier_cached(v, &x->txs[N - 1]));
    /* checked again: the evicted ones are verified again, the cached ones are not */
    uint64_t verified, hits, hits_before;
    yc_verifier_counters(v, &verified, &hits_before);
    assert_int_equal(run(&x->loop, v, x->txs, N).code, YC_OK);
    yc_verifier_counters(v, &verified, &hits);
    assert_int_equal(verified, N + 1 + N - SIZE);
    assert_int_equal(hits - hits_before, SIZE);
    uv_run(&x->loop, UV_RUN_DEFAULT);
    yc_verifier_destroy(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_batch_verdicts_and_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_failure_across_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_known_keys_never_skip_a_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hinted_core_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_flight_checked_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_single_checks_of_one_turn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_before_hand_over, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mixed_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_bound_and_other_signature, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
