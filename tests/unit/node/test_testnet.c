/*
 * test_testnet.c — `yuchaind testnet` homes (node/src/app/testnet.c): one genesis naming
 * the validators (no addresses), the demo accounts with keystores in OUT/wallet,
 * node.conf ports P+i / P+100+i / P+200+i on loopback, persistent_peers (KEY@host:port) and
 * allow_observers, observers without a validator key; a second run and bad counts or
 * ports are refused before anything is written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "chain.h"
#include "yc/bech32.h"
#include "config.h"
#include "home.h"
#include "yc/genesis_json.h"

static char dir[128];
static char err[512];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/yc_test_testnet_XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* True if DIR/node<i>/<rel> exists ("" for the home itself). */
static bool exists(unsigned i, const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/node%u/%s", dir, i, rel);
    return access(p, F_OK) == 0;
}

static void load_conf(struct yc_config *c, unsigned i)
{
    char p[512];
    snprintf(p, sizeof p, "%s/node%u/config/node.conf", dir, i);
    assert_int_equal(yc_config_resolve(c, p, false, NULL, 0, err, sizeof err), YC_OK);
}

static void test_four_validators_one_observer(void **state)
{
    (void)state;
    struct yc_config base;
    yc_config_default(&base);
    base.cons_timeout_propose_ms = 1000; /* a --consensus.timeout_propose given by the user */
    struct yc_testnet_opts o = {.out = dir,
                                .validators = 4,
                                .observers = 1,
                                .chain_id = "tn-test",
                                .base_port = 21000,
                                .config = &base};
    struct yc_testnet_node nodes[5];
    assert_int_equal(yc_chain_testnet(&o, nodes, err, sizeof err), YC_OK);

    struct yc_genesis g;
    char p[512];
    snprintf(p, sizeof p, "%s/node0/config/genesis.json", dir);
    assert_int_equal(yc_genesis_json_load(&g, p, err, sizeof err), YC_OK);
    assert_string_equal(g.chain_id, "tn-test");
    assert_int_equal(g.nvalidators, 4);
    assert_string_equal(g.validators[2].name, "node2");
    assert_int_equal(g.naccounts, 6 + 4); /* the demo accounts, then org0..org3 */
    for (unsigned i = 0; i < 4; i++) {    /* validator i's organisation is account orgI */
        assert_memory_equal(g.validators[i].org, g.accounts[6 + i].pub, YC_PUBKEY_LEN);
        assert_string_equal(g.accounts[6 + i].role, "agency");
        snprintf(p, sizeof p, "%s/wallet/org%u.json", dir, i);
        assert_true(access(p, F_OK) == 0);
    }
    for (unsigned i = 1; i < 5; i++) { /* every home has the same genesis */
        struct yc_genesis gi;
        snprintf(p, sizeof p, "%s/node%u/config/genesis.json", dir, i);
        assert_int_equal(yc_genesis_json_load(&gi, p, err, sizeof err), YC_OK);
        assert_memory_equal(gi.hash, g.hash, sizeof g.hash);
        yc_genesis_cleanup(&gi);
    }
    yc_genesis_cleanup(&g);

    for (unsigned i = 0; i < 5; i++) {
        struct yc_config c;
        load_conf(&c, i);
        char want[64];
        snprintf(want, sizeof want, "127.0.0.1:%u", 21000 + i);
        assert_string_equal(c.p2p_laddr, want);
        snprintf(want, sizeof want, "127.0.0.1:%u", 21100 + i);
        assert_string_equal(c.rpc_laddr, want);
        snprintf(want, sizeof want, "127.0.0.1:%u", 21200 + i);
        assert_string_equal(c.prometheus_listen_addr, want);
        assert_int_equal(c.cons_timeout_propose_ms, 1000);
        assert_int_equal(nodes[i].rpc_port, 21100 + i);
        assert_true(exists(i, "config/node_key.json"));
        assert_int_equal(exists(i, "config/validator_key.json"), i < 4);
        assert_int_equal(nodes[i].validator, i < 4);
        assert_int_equal(c.p2p_allow_observers, i < 4); /* validators accept the observer */
    }
    /* the validators as KEY@127.0.0.1:port: the others for a validator, all of them for
     * the observer */
    char k[4][YC_ADDR_MAX], want[512];
    snprintf(p, sizeof p, "%s/node0/config/genesis.json", dir);
    assert_int_equal(yc_genesis_json_load(&g, p, err, sizeof err), YC_OK);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(yc_addr_encode(k[i], g.validators[i].pub), YC_OK);
    yc_genesis_cleanup(&g);
    struct yc_config c1, c4;
    load_conf(&c1, 1);
    load_conf(&c4, 4);
    snprintf(want, sizeof want, "%s@127.0.0.1:21000,%s@127.0.0.1:21002,%s@127.0.0.1:21003", k[0],
             k[2], k[3]);
    assert_string_equal(c1.p2p_persistent_peers, want);
    snprintf(want, sizeof want,
             "%s@127.0.0.1:21000,%s@127.0.0.1:21001,%s@127.0.0.1:21002,%s@127.0.0.1:21003", k[0],
             k[1], k[2], k[3]);
    assert_string_equal(c4.p2p_persistent_peers, want);
    const char *names[] = {"exchange", "agency", "regulator", "alice", "bob", "processor"};
    for (size_t i = 0; i < 6; i++) {
        snprintf(p, sizeof p, "%s/wallet/%s.json", dir, names[i]);
        assert_int_equal(access(p, F_OK), 0);
    }
    snprintf(p, sizeof p, "%s/wallet/PASSWORD", dir);
    assert_int_equal(access(p, F_OK), 0);

    /* a second run refuses, and writes nothing */
    assert_int_equal(yc_chain_testnet(&o, nodes, err, sizeof err), YC_EEXIST);
}

static void test_refusals(void **state)
{
    (void)state;
    struct yc_config base;
    yc_config_default(&base);
    struct yc_testnet_node nodes[70];
    struct yc_testnet_opts o = {.out = dir, .validators = 0, .base_port = 21000, .config = &base};
    assert_int_equal(yc_chain_testnet(&o, nodes, err, sizeof err), YC_EINVAL);
    o.validators = YC_MAX_VALIDATORS + 1;
    assert_int_equal(yc_chain_testnet(&o, nodes, err, sizeof err), YC_EINVAL);
    o.validators = 4;
    o.observers = YC_TESTNET_MAX_OBSERVERS + 1;
    assert_int_equal(yc_chain_testnet(&o, nodes, err, sizeof err), YC_EINVAL);
    o.observers = 0;
    o.base_port = 65535 - 200; /* node 3's operations port would pass 65535 */
    assert_int_equal(yc_chain_testnet(&o, nodes, err, sizeof err), YC_EINVAL);
    assert_false(exists(0, ""));
}

static void test_many_validators_all_listed(void **state)
{
    (void)state;
    struct yc_config base;
    yc_config_default(&base);
    struct yc_testnet_node nodes[YC_MAX_VALIDATORS];
    struct yc_testnet_opts o = {
        .out = dir, .validators = YC_MAX_VALIDATORS, .base_port = 22000, .config = &base};
    assert_int_equal(yc_chain_testnet(&o, nodes, err, sizeof err), YC_OK);
    /* the genesis has no addresses, so every peer is written out, even 63 of them (a long
     * line, which node.conf reads back whole) */
    struct yc_config c;
    load_conf(&c, 0);
    size_t n = 1;
    for (const char *q = c.p2p_persistent_peers; *q != '\0'; q++)
        n += *q == ',';
    assert_int_equal(n, YC_MAX_VALIDATORS - 1);
    assert_non_null(strstr(c.p2p_persistent_peers, "@127.0.0.1:22063"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_four_validators_one_observer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_validators_all_listed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
