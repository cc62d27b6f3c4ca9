/*
 * test_p2p_valset.c — the transport follows the validator set in force
 * (p2p_set_validators, docs/p2p.md): a key outside the set is refused (observers not
 * allowed) until it is pending, then accepted as a member that may send consensus
 * messages without an index; once in the set it gets its index and broadcasts reach it;
 * a removed key stays connected only as an observer, on the connections dialled to it by
 * the key persistent_peers names (every node here dials the genesis validators), never
 * as a violation; the remaining peers are renumbered in place.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helper_p2p.h"

#define NEW_SLOT 2 /* key 2 runs in slot 2 of a 2-validator genesis */

static void key_of(uint32_t i, uint8_t pub[YC_PUBKEY_LEN])
{
    yc_signer *s = p2pt_signer(i);
    yc_signer_pubkey(s, pub);
    yc_signer_destroy(s);
}

/* A set of the keys of validators idx[0..n). */
static void set_of(struct yc_valset *vs, const uint32_t *idx, uint32_t n)
{
    memset(vs, 0, sizeof *vs);
    vs->n = n;
    vs->quorum = yc_quorum(n);
    for (uint32_t i = 0; i < n; i++)
        key_of(idx[i], vs->keys[i]);
}

/* The peer info of the connection to key `k` on slot `slot`, or false. */
static bool peer_of(struct p2pt_net *n, uint32_t slot, uint32_t k, struct p2p_peer_info *out)
{
    struct p2p_peer_info info[8];
    uint8_t pub[YC_PUBKEY_LEN];
    key_of(k, pub);
    size_t np = p2p_peers(n->nodes[slot].p, info, 8);
    for (size_t i = 0; i < np && i < 8; i++) {
        if (memcmp(info[i].pub, pub, YC_PUBKEY_LEN) == 0) {
            *out = info[i];
            return true;
        }
    }
    return false;
}

static bool refused(struct p2pt_net *n, void *arg)
{
    struct p2p_stats st;
    (void)arg;
    p2p_get_stats(n->nodes[0].p, &st);
    return st.handshakes_failed >= 1;
}

static bool pending_in(struct p2pt_net *n, void *arg)
{
    struct p2p_peer_info pi;
    (void)arg;
    return peer_of(n, 0, 2, &pi) && pi.member && pi.validator == P2P_OBSERVER;
}

static bool got_consensus(struct p2pt_net *n, void *arg)
{
    (void)arg;
    return p2pt_count(n, 0, P2P_OBSERVER, P2P_MSG_CONSENSUS) == 1;
}

static bool got_broadcast(struct p2pt_net *n, void *arg)
{
    (void)arg;
    return p2pt_count(n, NEW_SLOT, 0, P2P_MSG_CONSENSUS) >= 1;
}

/* Validator 1, removed, seen from slots 0 and 2: an observer on their dial of its key. */
static bool one_observer(struct p2pt_net *n, void *arg)
{
    struct p2p_peer_info a, b;
    (void)arg;
    return peer_of(n, 0, 1, &a) && !a.member && a.validator == P2P_OBSERVER && a.outbound &&
           peer_of(n, NEW_SLOT, 1, &b) && !b.member && b.validator == P2P_OBSERVER && b.outbound;
}

static void test_join_and_leave(void **state)
{
    static struct p2pt_net n;
    struct p2p_config cfg;
    struct p2p_peer_info pi;
    struct p2p_stats st;
    struct yc_valset vs;
    uint8_t pub2[YC_PUBKEY_LEN];
    (void)state;
    p2pt_net_init(&n, 2);
    p2pt_start_default(&n, 0);
    p2pt_start_default(&n, 1);
    p2pt_config(&n, NEW_SLOT, 2, &cfg); /* key 2: not in the genesis; dials 0 and 1 */
    p2pt_start(&n, NEW_SLOT, &cfg);
    assert_int_equal(p2p_self_index(n.nodes[NEW_SLOT].p), P2P_OBSERVER);

    /* outside the set, observers not allowed: refused */
    assert_true(p2pt_run_until(&n, refused, NULL, 5000));
    assert_false(peer_of(&n, 0, 2, &pi));

    /* pending on both validators: accepted as a member without an index */
    key_of(2, pub2);
    set_of(&vs, (const uint32_t[]){0, 1}, 2);
    p2p_set_validators(n.nodes[0].p, &vs, (const uint8_t(*)[YC_PUBKEY_LEN])pub2, 1);
    p2p_set_validators(n.nodes[1].p, &vs, (const uint8_t(*)[YC_PUBKEY_LEN])pub2, 1);
    assert_true(p2pt_run_until(&n, pending_in, NULL, 5000));
    p2p_get_stats(n.nodes[0].p, &st);
    assert_int_equal(st.validators, 1);
    assert_int_equal(st.observers, 1);
    /* it may send consensus messages (for the height it joins at): not a violation */
    assert_int_equal(p2p_send(n.nodes[NEW_SLOT].p, 0, P2P_MSG_CONSENSUS, (const uint8_t *)"v", 1),
                     YC_OK);
    assert_true(p2pt_run_until(&n, got_consensus, NULL, 3000));
    p2p_get_stats(n.nodes[0].p, &st);
    assert_int_equal(st.peers_dropped, 0);
    /* broadcasts go to the set in force only */
    assert_int_equal(p2p_broadcast(n.nodes[0].p, P2P_MSG_CONSENSUS, (const uint8_t *)"a", 1), 1);

    /* in force everywhere: index 2, broadcasts reach it */
    set_of(&vs, (const uint32_t[]){0, 1, 2}, 3);
    for (uint32_t s = 0; s <= NEW_SLOT; s++)
        p2p_set_validators(n.nodes[s].p, &vs, NULL, 0);
    assert_int_equal(p2p_self_index(n.nodes[NEW_SLOT].p), 2);
    assert_true(p2p_is_connected(n.nodes[0].p, 2));
    assert_true(peer_of(&n, 0, 2, &pi));
    assert_int_equal(pi.validator, 2);
    p2p_get_stats(n.nodes[0].p, &st);
    assert_int_equal(st.validators, 2);
    assert_int_equal(st.observers, 0);
    assert_int_equal(p2p_broadcast(n.nodes[0].p, P2P_MSG_CONSENSUS, (const uint8_t *)"b", 1), 2);
    assert_true(p2pt_run_until(&n, got_broadcast, NULL, 3000));

    /* validator 1 removed: key 2 is index 1 now; 1 is an observer to 0 and 2 */
    set_of(&vs, (const uint32_t[]){0, 2}, 2);
    p2p_set_validators(n.nodes[0].p, &vs, NULL, 0);
    p2p_set_validators(n.nodes[NEW_SLOT].p, &vs, NULL, 0);
    assert_int_equal(p2p_self_index(n.nodes[NEW_SLOT].p), 1);
    assert_true(p2p_is_connected(n.nodes[0].p, 1));
    assert_true(peer_of(&n, 0, 2, &pi));
    assert_int_equal(pi.validator, 1);
    assert_true(p2pt_run_until(&n, one_observer, NULL, 5000));
    assert_true(p2p_is_connected(n.nodes[0].p, 1)); /* key 2, unaffected */
    p2p_get_stats(n.nodes[0].p, &st);
    assert_int_equal(st.validators, 1);
    assert_int_equal(st.observers, 1);
    assert_int_equal(st.peers_dropped, 0); /* leaving the set is no violation */
    p2p_get_stats(n.nodes[NEW_SLOT].p, &st);
    assert_int_equal(st.peers_dropped, 0);
    p2pt_net_cleanup(&n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_and_leave),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
