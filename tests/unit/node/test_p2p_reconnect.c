/*
 * test_p2p_reconnect.c — lost peers come back: a validator that starts late is reached
 * by the others' redialling (backoff capped at 200 ms here); a validator that stops is
 * reported disconnected and is reconnected once it restarts on the same address; a stop
 * from inside a callback is safe; a node listed among its own peers does not connect to
 * itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helper_p2p.h"

static bool disconnected_from(struct p2pt_net *n, void *arg)
{
    const uint32_t *v = arg;
    return !p2p_is_connected(n->nodes[0].p, *v);
}

static bool has_msg(struct p2pt_net *n, void *arg)
{
    const uint32_t *slot = arg;
    return n->nodes[*slot].nmsgs > 0;
}

/* Starts validator 1 dialling only a dead address, so the others must redial it. */
static void start_passive(struct p2pt_net *n)
{
    static char dead[32];
    struct p2p_config cfg;
    p2pt_config(n, 1, 1, &cfg);
    snprintf(dead, sizeof dead, "127.0.0.1:%u", (unsigned)n->ports[P2PT_MAX_NODES]);
    cfg.persistent_peers = dead;
    p2pt_start(n, 1, &cfg);
}

static void test_late_start_and_restart(void **state)
{
    static struct p2pt_net n;
    uint32_t one = 1, slot1 = 1;
    uint64_t t0;
    (void)state;
    p2pt_net_init(&n, 3);
    p2pt_start_default(&n, 0);
    p2pt_start_default(&n, 2);
    assert_true(p2pt_run_until(&n, p2pt_full_mesh, NULL, 5000));
    /* validator 1 starts after the others have failed to reach it for a while */
    p2pt_run_for(&n, 500);
    t0 = p2pt_now_ms();
    start_passive(&n);
    assert_true(p2pt_run_until(&n, p2pt_full_mesh, NULL, 5000));
    printf("# late starter connected in %" PRIu64 " ms\n", p2pt_now_ms() - t0);

    /* it stops: the others see it go */
    p2pt_stop(&n, 1);
    assert_true(p2pt_run_until(&n, disconnected_from, &one, 3000));
    assert_false(p2p_is_connected(n.nodes[2].p, 1));
    assert_true(n.nodes[0].disconnects >= 1);
    p2pt_run_for(&n, 300);

    /* and restarts on the same port with the same key: reconnected, messages flow */
    t0 = p2pt_now_ms();
    start_passive(&n);
    assert_true(p2pt_run_until(&n, p2pt_full_mesh, NULL, 5000));
    printf("# restarted peer reconnected in %" PRIu64 " ms\n", p2pt_now_ms() - t0);
    assert_int_equal(p2p_send(n.nodes[0].p, 1, P2P_MSG_CONSENSUS, (const uint8_t *)"again", 5),
                     YC_OK);
    assert_true(p2pt_run_until(&n, has_msg, &slot1, 3000));
    assert_int_equal(n.nodes[1].msgs[0].from, 0);
    p2pt_net_cleanup(&n);
}

/* on_msg hook: the node stops its own transport from inside the receive callback */
static void stop_inside(struct p2pt_node *nd, const struct p2pt_msg *m, const uint8_t *payload)
{
    (void)m;
    (void)payload;
    p2p_stop(nd->p);
    nd->p = NULL;
}

static bool stopped(struct p2pt_net *n, void *arg)
{
    (void)arg;
    return n->nodes[1].p == NULL && !p2p_is_connected(n->nodes[0].p, 1);
}

static void test_stop_from_a_callback(void **state)
{
    static struct p2pt_net n;
    (void)state;
    p2pt_net_init(&n, 2);
    p2pt_start_default(&n, 0);
    p2pt_start_default(&n, 1);
    assert_true(p2pt_run_until(&n, p2pt_full_mesh, NULL, 5000));
    n.nodes[1].on_msg = stop_inside;
    /* two frames in one burst: the second must not be processed after the stop */
    assert_int_equal(p2p_send(n.nodes[0].p, 1, P2P_MSG_TX, (const uint8_t *)"a", 1), YC_OK);
    assert_int_equal(p2p_send(n.nodes[0].p, 1, P2P_MSG_TX, (const uint8_t *)"b", 1), YC_OK);
    assert_true(p2pt_run_until(&n, stopped, NULL, 3000));
    assert_int_equal(n.nodes[1].nmsgs, 1);
    p2pt_net_cleanup(&n);
}

static void test_self_in_peer_list_is_ignored(void **state)
{
    static struct p2pt_net n;
    struct p2p_config cfg;
    struct p2p_stats st;
    char peers[128];
    (void)state;
    p2pt_net_init(&n, 2);
    p2pt_start_default(&n, 1);
    p2pt_config(&n, 0, 0, &cfg);
    snprintf(peers, sizeof peers, "127.0.0.1:%u, 127.0.0.1:%u", (unsigned)n.ports[0],
             (unsigned)n.ports[1]);
    cfg.persistent_peers = peers;
    p2pt_start(&n, 0, &cfg);
    assert_true(p2pt_run_until(&n, p2pt_full_mesh, NULL, 5000));
    p2pt_run_for(&n, 500);
    p2p_get_stats(n.nodes[0].p, &st);
    assert_int_equal(st.peers, 1);
    assert_int_equal(st.connections, 1); /* no retry loop against itself */
    assert_int_equal(n.nodes[0].connects, n.nodes[0].disconnects + 1);
    p2pt_net_cleanup(&n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_late_start_and_restart),
        cmocka_unit_test(test_stop_from_a_callback),
        cmocka_unit_test(test_self_in_peer_list_is_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
