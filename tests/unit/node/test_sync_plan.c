/*
 * test_sync_plan.c — block-sync request planning (node/src/chain/sync_plan.h): when a node
 * counts as behind (two blocks, or one block that lasts past the grace), which peer is
 * asked for which bounded batch, time-outs and penalties, peers leaving, empty answers,
 * consensus hints that turn out false, and the eager mode of observers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sync_plan.h"

#define BATCH 64
#define TIMEOUT 5000
#define GRACE 1500
#define PENALTY 5000

static void init(struct yc_sync_plan *p)
{
    yc__sync_plan_init(p, BATCH, TIMEOUT, GRACE, PENALTY);
}

static void test_not_behind_without_peers(void **state)
{
    (void)state;
    struct yc_sync_plan p;
    init(&p);
    uint64_t peer, from;
    uint32_t count;
    assert_false(yc__sync_plan_behind(&p, 10, 0));
    assert_false(yc__sync_plan_next(&p, 10, 0, &peer, &from, &count));
    yc__sync_plan_peer(&p, 7, 10); /* level with us */
    yc__sync_plan_peer(&p, 8, 9);  /* behind us */
    assert_false(yc__sync_plan_behind(&p, 10, 100000));
    assert_false(yc__sync_plan_next(&p, 10, 100000, &peer, &from, &count));
}

static void test_two_behind_asks_at_once_in_batches(void **state)
{
    (void)state;
    struct yc_sync_plan p;
    init(&p);
    uint64_t peer, from;
    uint32_t count;
    yc__sync_plan_peer(&p, 3, 200);
    assert_true(yc__sync_plan_behind(&p, 10, 1000));
    assert_true(yc__sync_plan_next(&p, 10, 1000, &peer, &from, &count));
    assert_int_equal(peer, 3);
    assert_int_equal(from, 11);
    assert_int_equal(count, BATCH); /* bounded */
    /* one request at a time */
    assert_false(yc__sync_plan_next(&p, 10, 1001, &peer, &from, &count));
    assert_true(yc__sync_plan_matches(&p, 3, 11));
    assert_false(yc__sync_plan_matches(&p, 3, 12));
    assert_false(yc__sync_plan_matches(&p, 4, 11));
    yc__sync_plan_done(&p, true, BATCH, 1100);
    /* the next batch starts after the new tip, and asks only for what is left */
    assert_true(yc__sync_plan_next(&p, 10 + BATCH, 1100, &peer, &from, &count));
    assert_int_equal(from, 11 + BATCH);
    assert_int_equal(count, BATCH);
    yc__sync_plan_done(&p, true, BATCH, 1200);
    assert_true(yc__sync_plan_next(&p, 10 + 2 * BATCH, 1200, &peer, &from, &count));
    assert_int_equal(count, 200 - 10 - 2 * BATCH);
    yc__sync_plan_done(&p, true, count, 1300);
    assert_false(yc__sync_plan_behind(&p, 200, 1300));
    assert_false(yc__sync_plan_next(&p, 200, 1300, &peer, &from, &count));
}

static void test_one_behind_waits_for_grace(void **state)
{
    (void)state;
    struct yc_sync_plan p;
    init(&p);
    uint64_t peer, from;
    uint32_t count;
    yc__sync_plan_peer(&p, 1, 11);
    /* consensus may still deliver block 11: not behind yet */
    assert_false(yc__sync_plan_behind(&p, 10, 1000));
    assert_false(yc__sync_plan_next(&p, 10, 1000 + GRACE - 1, &peer, &from, &count));
    /* our tip moved (11) and the peer moved too (12): the grace starts again */
    yc__sync_plan_peer(&p, 1, 12);
    assert_false(yc__sync_plan_behind(&p, 11, 1000 + GRACE));
    assert_false(yc__sync_plan_behind(&p, 11, 1000 + 2 * GRACE - 1));
    /* stuck one block behind for the whole grace: behind */
    assert_true(yc__sync_plan_behind(&p, 11, 1000 + 2 * GRACE));
    assert_true(yc__sync_plan_next(&p, 11, 1000 + 2 * GRACE, &peer, &from, &count));
    assert_int_equal(from, 12);
    assert_int_equal(count, 1);
}

static void test_timeout_penalizes_and_rotates(void **state)
{
    (void)state;
    struct yc_sync_plan p;
    init(&p);
    uint64_t peer, first, from;
    uint32_t count;
    yc__sync_plan_peer(&p, 1, 100);
    yc__sync_plan_peer(&p, 2, 100);
    assert_true(yc__sync_plan_next(&p, 10, 0, &first, &from, &count));
    /* no answer before the deadline: nothing new */
    assert_false(yc__sync_plan_next(&p, 10, TIMEOUT - 1, &peer, &from, &count));
    /* expired: the other peer is asked, the silent one is penalized */
    assert_true(yc__sync_plan_next(&p, 10, TIMEOUT, &peer, &from, &count));
    assert_int_not_equal(peer, first);
    yc__sync_plan_done(&p, false, 0, TIMEOUT + 1); /* and this one answered badly */
    /* both penalized: nobody to ask until a penalty ends */
    assert_false(yc__sync_plan_next(&p, 10, TIMEOUT + 2, &peer, &from, &count));
    assert_true(yc__sync_plan_next(&p, 10, TIMEOUT + PENALTY, &peer, &from, &count));
    assert_int_equal(peer, first);
}

static void test_round_robin_and_peer_tip(void **state)
{
    (void)state;
    struct yc_sync_plan p;
    init(&p);
    uint64_t peer, from;
    uint32_t count;
    yc__sync_plan_peer(&p, 1, 20);  /* has a little */
    yc__sync_plan_peer(&p, 2, 500); /* has a lot */
    assert_true(yc__sync_plan_next(&p, 10, 0, &peer, &from, &count));
    uint64_t a = peer;
    /* a peer is asked only for what it reported */
    assert_int_equal(count, a == 1 ? 10 : BATCH);
    yc__sync_plan_done(&p, true, count, 1);
    assert_true(yc__sync_plan_next(&p, 10 + count, 2, &peer, &from, &count));
    assert_int_not_equal(peer, a); /* the next eligible one */
}

static void test_peer_gone_and_empty_answer(void **state)
{
    (void)state;
    struct yc_sync_plan p;
    init(&p);
    uint64_t peer, from;
    uint32_t count;
    yc__sync_plan_peer(&p, 5, 50);
    assert_true(yc__sync_plan_next(&p, 10, 0, &peer, &from, &count));
    yc__sync_plan_peer_gone(&p, 5);
    assert_false(yc__sync_plan_matches(&p, 5, 11));
    assert_int_equal(p.npeers, 0);
    assert_false(yc__sync_plan_behind(&p, 10, 1));
    /* a peer claiming 50 that answers with nothing is taken to be at our tip */
    yc__sync_plan_peer(&p, 6, 50);
    assert_true(yc__sync_plan_next(&p, 10, 2, &peer, &from, &count));
    yc__sync_plan_done(&p, true, 0, 3);
    assert_int_equal(yc__sync_plan_target(&p), 10);
    assert_false(yc__sync_plan_behind(&p, 10, 4));
}

static void test_hint_and_false_hint(void **state)
{
    (void)state;
    struct yc_sync_plan p;
    init(&p);
    uint64_t peer, from;
    uint32_t count;
    yc__sync_plan_peer(&p, 9, 10); /* reported our height earlier */
    yc__sync_plan_hint(&p, 30);    /* consensus: 30 is committed somewhere */
    assert_int_equal(yc__sync_plan_target(&p), 30);
    assert_true(yc__sync_plan_behind(&p, 10, 0));
    /* no peer reports more than us: one with an unknown tip would be tried; here none,
     * so nothing is sent until a status arrives */
    assert_false(yc__sync_plan_next(&p, 10, 0, &peer, &from, &count));
    yc__sync_plan_peer(&p, 11, 0);
    p.peers[1].known = false; /* a peer that has not sent a status yet */
    assert_true(yc__sync_plan_next(&p, 10, 1, &peer, &from, &count));
    assert_int_equal(peer, 11);
    assert_int_equal(count, 20);
    /* it has nothing: the hint is dropped instead of keeping us "behind" forever */
    yc__sync_plan_done(&p, true, 0, 2);
    assert_false(yc__sync_plan_behind(&p, 10, 3));
    /* lower hints never lower the target */
    yc__sync_plan_hint(&p, 5);
    assert_int_equal(yc__sync_plan_target(&p), 10);
}

static void test_eager_observer(void **state)
{
    (void)state;
    struct yc_sync_plan p;
    init(&p);
    p.eager = true;
    uint64_t peer, from;
    uint32_t count;
    yc__sync_plan_peer(&p, 1, 11);
    assert_false(yc__sync_plan_behind(&p, 10, 0)); /* not "catching up" for one block */
    assert_true(yc__sync_plan_next(&p, 10, 0, &peer, &from, &count)); /* but asks at once */
    assert_int_equal(from, 11);
    assert_int_equal(count, 1);
}

static void test_peer_table_cap(void **state)
{
    (void)state;
    struct yc_sync_plan p;
    init(&p);
    for (uint64_t i = 0; i < 3 * YC_SYNC_MAX_PEERS; i++)
        yc__sync_plan_peer(&p, i, i);
    assert_int_equal(p.npeers, YC_SYNC_MAX_PEERS);
    for (uint64_t i = 0; i < 3 * YC_SYNC_MAX_PEERS; i++)
        yc__sync_plan_peer_gone(&p, i);
    assert_int_equal(p.npeers, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_behind_without_peers),
        cmocka_unit_test(test_two_behind_asks_at_once_in_batches),
        cmocka_unit_test(test_one_behind_waits_for_grace),
        cmocka_unit_test(test_timeout_penalizes_and_rotates),
        cmocka_unit_test(test_round_robin_and_peer_tip),
        cmocka_unit_test(test_peer_gone_and_empty_answer),
        cmocka_unit_test(test_hint_and_false_hint),
        cmocka_unit_test(test_eager_observer),
        cmocka_unit_test(test_peer_table_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
