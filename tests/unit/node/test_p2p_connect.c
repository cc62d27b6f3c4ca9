/*
 * test_p2p_connect.c — the p2p transport between real instances on loopback in one
 * loop: two validators connect, authenticate each other and exchange messages both ways
 * (ping answered with pong); four form a full mesh with exactly one connection per pair
 * even though every node dials every other, and a broadcast reaches each validator once;
 * size limits and API errors; the test-only partition hook (when compiled in).
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
#include "yc/bech32.h"

static bool got_n(struct p2pt_net *n, void *arg)
{
    const size_t *want = arg;
    for (uint32_t i = 0; i < n->nval; i++)
        if (n->nodes[i].nmsgs < want[i])
            return false;
    return true;
}

static bool settled(struct p2pt_net *n, void *arg)
{
    (void)arg;
    if (!p2pt_full_mesh(n, NULL))
        return false;
    for (uint32_t i = 0; i < n->nval; i++) {
        struct p2p_stats st;
        p2p_get_stats(n->nodes[i].p, &st);
        if (st.connections != n->nval - 1)
            return false;
    }
    return true;
}

static void test_two_validators_exchange_messages(void **state)
{
    static struct p2pt_net n;
    struct p2p_stats st;
    struct p2p_peer_info info[4];
    const char *a = "from-0", *b = "from-1";
    size_t want[2] = {1, 1};
    uint64_t t0 = p2pt_now_ms();
    (void)state;
    p2pt_net_init(&n, 2);
    p2pt_start_default(&n, 0);
    p2pt_start_default(&n, 1);
    assert_true(p2pt_run_until(&n, settled, NULL, 5000));
    printf("# two validators connected in %" PRIu64 " ms\n", p2pt_now_ms() - t0);

    assert_int_equal(p2p_self_index(n.nodes[0].p), 0);
    assert_int_equal(p2p_peers(n.nodes[0].p, info, 4), 1);
    assert_int_equal(info[0].validator, 1);
    assert_memory_equal(info[0].pub, n.g.validators[1].pub, YC_PUBKEY_LEN);
    assert_int_equal(p2p_peers(n.nodes[1].p, info, 4), 1);
    assert_int_equal(info[0].validator, 0);

    assert_int_equal(p2p_send(n.nodes[0].p, 1, P2P_MSG_CONSENSUS, (const uint8_t *)a, strlen(a)),
                     YC_OK);
    assert_int_equal(p2p_send(n.nodes[1].p, 0, P2P_MSG_TX, (const uint8_t *)b, strlen(b)), YC_OK);
    assert_true(p2pt_run_until(&n, got_n, want, 3000));
    assert_int_equal(n.nodes[1].msgs[0].from, 0);
    assert_int_equal(n.nodes[1].msgs[0].type, P2P_MSG_CONSENSUS);
    assert_int_equal(n.nodes[1].msgs[0].len, strlen(a));
    assert_memory_equal(n.nodes[1].msgs[0].head, a, strlen(a));
    assert_int_equal(n.nodes[0].msgs[0].from, 1);
    assert_int_equal(n.nodes[0].msgs[0].type, P2P_MSG_TX);
    assert_memory_equal(n.nodes[0].msgs[0].head, b, strlen(b));

    /* a ping is delivered and answered by the transport with a pong echoing it */
    assert_int_equal(p2p_send(n.nodes[0].p, 1, P2P_MSG_PING, (const uint8_t *)"h=7", 3), YC_OK);
    want[0] = 2;
    want[1] = 2;
    assert_true(p2pt_run_until(&n, got_n, want, 3000));
    assert_int_equal(n.nodes[1].msgs[1].type, P2P_MSG_PING);
    assert_int_equal(n.nodes[0].msgs[1].type, P2P_MSG_PONG);
    assert_int_equal(n.nodes[0].msgs[1].len, 3);
    assert_memory_equal(n.nodes[0].msgs[1].head, "h=7", 3);

    /* an empty payload is a valid message */
    assert_int_equal(p2p_send(n.nodes[1].p, 0, P2P_MSG_BLOCK_REQ, NULL, 0), YC_OK);
    want[0] = 3;
    assert_true(p2pt_run_until(&n, got_n, want, 3000));
    assert_int_equal(n.nodes[0].msgs[2].len, 0);

    p2p_get_stats(n.nodes[0].p, &st);
    assert_int_equal(st.peers, 1);
    assert_int_equal(st.validators, 1);
    assert_int_equal(st.observers, 0);
    assert_int_equal(st.msgs_out, 2);
    assert_int_equal(st.msgs_in, 3);
    assert_true(st.bytes_in > 0 && st.bytes_out > 0);
    assert_int_equal(st.handshakes_failed, 0);
    assert_int_equal(st.peers_dropped, 0);
    p2pt_net_cleanup(&n);
}

static void test_four_validators_mesh_and_broadcast(void **state)
{
    static struct p2pt_net n;
    size_t want[4] = {3, 3, 3, 3};
    uint64_t t0 = p2pt_now_ms();
    (void)state;
    p2pt_net_init(&n, 4);
    for (uint32_t i = 0; i < 4; i++)
        p2pt_start_default(&n, i);
    assert_true(p2pt_run_until(&n, settled, NULL, 5000));
    printf("# four validators meshed in %" PRIu64 " ms\n", p2pt_now_ms() - t0);
    for (uint32_t i = 0; i < 4; i++) {
        uint8_t msg[2] = {'b', (uint8_t)i};
        assert_int_equal(p2p_broadcast(n.nodes[i].p, P2P_MSG_CONSENSUS, msg, sizeof msg), 3);
    }
    assert_true(p2pt_run_until(&n, got_n, want, 3000));
    p2pt_run_for(&n, 100); /* nothing more arrives: one copy each */
    for (uint32_t i = 0; i < 4; i++) {
        struct p2p_stats st;
        assert_int_equal(n.nodes[i].nmsgs, 3);
        for (uint32_t j = 0; j < 4; j++) {
            if (j == i)
                continue;
            assert_int_equal(p2pt_count(&n, i, j, P2P_MSG_CONSENSUS), 1);
        }
        for (size_t k = 0; k < 3; k++)
            assert_int_equal(n.nodes[i].msgs[k].head[1], n.nodes[i].msgs[k].from);
        p2p_get_stats(n.nodes[i].p, &st);
        assert_int_equal(st.peers, 3);
        assert_int_equal(st.connections, 3);
        /* every connect was matched by a disconnect, except the three live ones */
        assert_int_equal(n.nodes[i].connects - n.nodes[i].disconnects, 3);
    }
    p2pt_net_cleanup(&n);
}

static void test_size_limits_and_api_errors(void **state)
{
    static struct p2pt_net n;
    static uint8_t big[4096];
    struct p2p_config cfg;
    size_t want[3] = {1, 0, 0};
    (void)state;
    p2pt_net_init(&n, 3); /* validator 2 never starts */
    for (uint32_t i = 0; i < 2; i++) {
        p2pt_config(&n, i, i, &cfg);
        cfg.max_frame = sizeof big;
        p2pt_start(&n, i, &cfg);
    }
    assert_true(p2pt_run_until(&n, p2pt_full_mesh, NULL, 5000));
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    /* the type byte counts in max_frame */
    assert_int_equal(p2p_send(n.nodes[1].p, 0, P2P_MSG_BLOCK_RESP, big, sizeof big), YC_ELIMIT);
    assert_int_equal(p2p_send(n.nodes[1].p, 0, P2P_MSG_BLOCK_RESP, big, sizeof big - 1), YC_OK);
    assert_true(p2pt_run_until(&n, got_n, want, 3000));
    assert_int_equal(n.nodes[0].msgs[0].len, sizeof big - 1);
    assert_memory_equal(n.nodes[0].msgs[0].head, big, sizeof n.nodes[0].msgs[0].head);
    assert_int_equal(p2p_send(n.nodes[0].p, 2, P2P_MSG_CONSENSUS, big, 1), YC_ENOTFOUND);
    assert_int_equal(p2p_send(n.nodes[0].p, 99, P2P_MSG_CONSENSUS, big, 1), YC_ENOTFOUND);
    assert_int_equal(p2p_send(n.nodes[0].p, 1, 0, big, 1), YC_EINVAL);
    assert_int_equal(p2p_send(n.nodes[0].p, 1, P2P_MSG_MAX + 1, big, 1), YC_EINVAL);
    assert_int_equal(p2p_send_peer(n.nodes[0].p, 12345, P2P_MSG_PONG, big, 1), YC_ENOTFOUND);
    assert_int_equal(p2p_broadcast(n.nodes[0].p, P2P_MSG_CONSENSUS, big, 1), 1);
    assert_false(p2p_is_connected(n.nodes[0].p, 2));
    p2pt_net_cleanup(&n);
}

static void test_bad_config_is_refused(void **state)
{
    static struct p2pt_net n;
    struct p2p_config cfg;
    p2p *p = NULL;
    (void)state;
    p2pt_net_init(&n, 1);
    p2pt_config(&n, 0, 0, &cfg);
    cfg.persistent_peers = "127.0.0.1:1, nocolon";
    assert_int_equal(p2p_create(&p, &n.loop, &n.pump, &cfg), YC_ECONFIG);
    assert_null(p);
    cfg.persistent_peers = "[::1]:99999";
    assert_int_equal(p2p_create(&p, &n.loop, &n.pump, &cfg), YC_ECONFIG);
    cfg.persistent_peers = "notakey@127.0.0.1:1"; /* the part before '@' must be a yc1 key */
    assert_int_equal(p2p_create(&p, &n.loop, &n.pump, &cfg), YC_ECONFIG);
    cfg.persistent_peers = "@127.0.0.1:1";
    assert_int_equal(p2p_create(&p, &n.loop, &n.pump, &cfg), YC_ECONFIG);
    cfg.persistent_peers = NULL;
    cfg.listen = "127.0.0.1";
    assert_int_equal(p2p_create(&p, &n.loop, &n.pump, &cfg), YC_ECONFIG);
    cfg.listen = "127.0.0.1:0";
    cfg.genesis = NULL;
    assert_int_equal(p2p_create(&p, &n.loop, &n.pump, &cfg), YC_EINVAL);
    cfg.genesis = &n.g;
    assert_int_equal(p2p_create(&p, &n.loop, NULL, &cfg), YC_EINVAL);
    /* a port already in use fails at start, and the object still stops cleanly */
    assert_int_equal(p2p_create(&p, &n.loop, &n.pump, &cfg), YC_OK);
    assert_int_equal(p2p_start(p), YC_OK);
    {
        char used[32];
        p2p *q = NULL;
        snprintf(used, sizeof used, "127.0.0.1:%u", (unsigned)p2p_listen_port(p));
        assert_true(p2p_listen_port(p) != 0);
        cfg.listen = used;
        assert_int_equal(p2p_create(&q, &n.loop, &n.pump, &cfg), YC_OK);
        assert_int_equal(p2p_start(q), YC_EIO);
        p2p_stop(q);
    }
    p2p_stop(p);
    p2pt_net_cleanup(&n);
}

static bool peers_of_0(struct p2pt_net *n, void *arg)
{
    struct p2p_stats st;
    p2p_get_stats(n->nodes[0].p, &st);
    return st.peers >= *(const uint32_t *)arg;
}

/* persistent_peers KEY@host:port: the peer there must hold KEY. Validator 0 dials
 * validator 1's address pinned to validator 2's key and is refused every time; pinned to
 * validator 1's own key it connects (the control). Nobody dials validator 0. */
static void test_pinned_key_must_match(void **state)
{
    static struct p2pt_net n;
    struct p2p_config cfg;
    struct p2p_stats st;
    char peers[160], key[YC_ADDR_MAX];
    const uint32_t one = 1;
    (void)state;
    p2pt_net_init(&n, 3);
    p2pt_config(&n, 1, 1, &cfg);
    cfg.persistent_peers = "";
    p2pt_start(&n, 1, &cfg);
    p2pt_config(&n, 0, 0, &cfg);
    assert_int_equal(yc_addr_encode(key, n.g.validators[2].pub), YC_OK);
    snprintf(peers, sizeof peers, "%s@127.0.0.1:%u", key, (unsigned)n.ports[1]);
    cfg.persistent_peers = peers;
    p2pt_start(&n, 0, &cfg);
    assert_false(p2pt_run_until(&n, peers_of_0, (void *)&one, 1000));
    p2p_get_stats(n.nodes[0].p, &st);
    assert_int_equal(st.peers, 0);
    assert_true(st.handshakes_failed >= 1);
    p2pt_stop(&n, 0);
    p2pt_config(&n, 0, 0, &cfg);
    assert_int_equal(yc_addr_encode(key, n.g.validators[1].pub), YC_OK);
    snprintf(peers, sizeof peers, "%s@127.0.0.1:%u", key, (unsigned)n.ports[1]);
    cfg.persistent_peers = peers;
    p2pt_start(&n, 0, &cfg);
    assert_true(p2pt_run_until(&n, peers_of_0, (void *)&one, 5000));
    p2pt_net_cleanup(&n);
}

#ifdef YC_TEST_HOOKS
static void test_fault_hook_partitions_two_and_two(void **state)
{
    static struct p2pt_net n;
    size_t want[4] = {1, 1, 1, 1};
    (void)state;
    p2pt_net_init(&n, 4);
    for (uint32_t i = 0; i < 4; i++)
        p2pt_start_default(&n, i);
    assert_true(p2pt_run_until(&n, settled, NULL, 5000));
    for (uint32_t i = 0; i < 4; i++)
        p2p_set_fault(n.nodes[i].p, i < 2 ? 0xcu : 0x3u, 0);
    for (uint32_t i = 0; i < 4; i++)
        assert_true(p2p_broadcast(n.nodes[i].p, P2P_MSG_CONSENSUS, (const uint8_t *)"x", 1) >= 0);
    assert_true(p2pt_run_until(&n, got_n, want, 3000));
    p2pt_run_for(&n, 200);
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(n.nodes[i].nmsgs, 1);
        assert_int_equal(n.nodes[i].msgs[0].from, i ^ 1u);
        p2p_set_fault(n.nodes[i].p, 0, 0);
    }
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(p2p_broadcast(n.nodes[i].p, P2P_MSG_CONSENSUS, (const uint8_t *)"y", 1),
                         3);
    for (uint32_t i = 0; i < 4; i++)
        want[i] = 4;
    assert_true(p2pt_run_until(&n, got_n, want, 3000));
    p2pt_net_cleanup(&n);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_validators_exchange_messages),
        cmocka_unit_test(test_four_validators_mesh_and_broadcast),
        cmocka_unit_test(test_size_limits_and_api_errors),
        cmocka_unit_test(test_bad_config_is_refused),
        cmocka_unit_test(test_pinned_key_must_match),
#ifdef YC_TEST_HOOKS
        cmocka_unit_test(test_fault_hook_partitions_two_and_two),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
