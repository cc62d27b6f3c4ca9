/*
 * test_p2p_observer.c — keys outside the validator set (TESTING.md E5): refused when
 * observers are not allowed; accepted as observers (validator index P2P_OBSERVER) when
 * they are, served block requests through p2p_send_peer, left out of broadcasts, and
 * disconnected as soon as they send a consensus or transaction message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helper_p2p.h"

#define OBS_SLOT 2 /* the outsider runs in slot 2 of a 2-validator net */

static void start_validator(struct p2pt_net *n, uint32_t i, bool allow)
{
    struct p2p_config cfg;
    p2pt_config(n, i, i, &cfg);
    cfg.allow_observers = allow;
    p2pt_start(n, i, &cfg);
}

static void start_outsider(struct p2pt_net *n)
{
    struct p2p_config cfg;
    p2pt_config(n, OBS_SLOT, P2PT_OUTSIDER, &cfg);
    p2pt_start(n, OBS_SLOT, &cfg); /* dials every validator (p2pt_config's peers) */
}

static bool refused_twice(struct p2pt_net *n, void *arg)
{
    struct p2p_stats st;
    (void)arg;
    p2p_get_stats(n->nodes[0].p, &st);
    return st.handshakes_failed >= 2;
}

static void test_unknown_key_refused(void **state)
{
    static struct p2pt_net n;
    struct p2p_stats st;
    (void)state;
    p2pt_net_init(&n, 1);
    start_validator(&n, 0, false);
    start_outsider(&n);
    /* the outsider keeps redialling and is refused each time */
    assert_true(p2pt_run_until(&n, refused_twice, NULL, 5000));
    p2p_get_stats(n.nodes[0].p, &st);
    assert_int_equal(st.peers, 0);
    assert_int_equal(n.nodes[0].connects, 0);
    assert_int_equal(n.nodes[0].nmsgs, 0);
    p2pt_net_cleanup(&n);
}

/* validator side: answer a block request from anyone with a response to that peer */
static void serve_blocks(struct p2pt_node *nd, const struct p2pt_msg *m, const uint8_t *payload)
{
    (void)payload;
    if (m->type == P2P_MSG_BLOCK_REQ)
        assert_int_equal(
            p2p_send_peer(nd->p, m->peer, P2P_MSG_BLOCK_RESP, (const uint8_t *)"block-1", 7),
            YC_OK);
}

static bool observer_in(struct p2pt_net *n, void *arg)
{
    struct p2p_stats a, b, o;
    (void)arg;
    p2p_get_stats(n->nodes[0].p, &a);
    p2p_get_stats(n->nodes[1].p, &b);
    p2p_get_stats(n->nodes[OBS_SLOT].p, &o);
    return a.observers == 1 && b.observers == 1 && o.validators == 2 &&
           p2p_is_connected(n->nodes[0].p, 1);
}

static bool got_response(struct p2pt_net *n, void *arg)
{
    (void)arg;
    return p2pt_count(n, OBS_SLOT, 0, P2P_MSG_BLOCK_RESP) == 1;
}

static bool observer_dropped(struct p2pt_net *n, void *arg)
{
    struct p2p_stats st;
    (void)arg;
    p2p_get_stats(n->nodes[0].p, &st);
    return st.peers_dropped == 1 && n->nodes[0].disconnects >= 1;
}

static void test_observer_allowed_but_never_votes(void **state)
{
    static struct p2pt_net n;
    struct p2p_peer_info info[4];
    size_t np;
    uint32_t seen_obs = 0;
    (void)state;
    p2pt_net_init(&n, 2);
    start_validator(&n, 0, true);
    start_validator(&n, 1, true);
    start_outsider(&n);
    assert_true(p2pt_run_until(&n, observer_in, NULL, 5000));
    assert_int_equal(p2p_self_index(n.nodes[OBS_SLOT].p), P2P_OBSERVER);
    np = p2p_peers(n.nodes[0].p, info, 4);
    assert_int_equal(np, 2);
    for (size_t i = 0; i < np; i++)
        seen_obs += info[i].validator == P2P_OBSERVER;
    assert_int_equal(seen_obs, 1);

    /* a block request from the observer is answered to that observer */
    n.nodes[0].on_msg = serve_blocks;
    assert_int_equal(p2p_send(n.nodes[OBS_SLOT].p, 0, P2P_MSG_BLOCK_REQ, (const uint8_t *)"h1", 2),
                     YC_OK);
    assert_true(p2pt_run_until(&n, got_response, NULL, 3000));
    assert_int_equal(p2pt_count(&n, 0, P2P_OBSERVER, P2P_MSG_BLOCK_REQ), 1);

    /* broadcasts go to validators only */
    assert_int_equal(p2p_broadcast(n.nodes[0].p, P2P_MSG_CONSENSUS, (const uint8_t *)"pp", 2), 1);
    p2pt_run_for(&n, 100);
    assert_int_equal(p2pt_count(&n, OBS_SLOT, 0, P2P_MSG_CONSENSUS), 0);
    assert_int_equal(p2pt_count(&n, 1, 0, P2P_MSG_CONSENSUS), 1);

    /* a vote from an observer is a violation: dropped, never delivered */
    assert_int_equal(p2p_send(n.nodes[OBS_SLOT].p, 0, P2P_MSG_CONSENSUS, (const uint8_t *)"v", 1),
                     YC_OK);
    assert_true(p2pt_run_until(&n, observer_dropped, NULL, 3000));
    assert_int_equal(p2pt_count(&n, 0, P2P_OBSERVER, P2P_MSG_CONSENSUS), 0);
    assert_true(p2p_is_connected(n.nodes[0].p, 1)); /* the validator peer is unaffected */
    p2pt_net_cleanup(&n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_key_refused),
        cmocka_unit_test(test_observer_allowed_but_never_votes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
