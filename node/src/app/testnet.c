/*
 * testnet.c — `yuchaind testnet`: a local consortium of N validators and M observers
 * in one directory (see chain.h, docs/operator.md).
 *
 * Everything is checked before anything is written (counts, ports, free homes), then
 * the wallet and genesis are made, then the homes; each home is written genesis-last
 * by yc_home_create, so a run that fails midway leaves homes that are detectably
 * incomplete. Secret keys sit in one sodium_malloc'ed block, wiped and freed at the end.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "chain.h"
#include "keyfile.h"
#include "yc/alloc.h"
#include "yc/bech32.h"
#include "yc/cliutil.h"

static void node_home(char *out, size_t outlen, const char *dir, unsigned i)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    snprintf(out, outlen, "%.*s/node%u", (int)n, dir, i);
}

/* The validators but `self` as persistent_peers, KEY@127.0.0.1:PORT each (64 of them take
 * about 5 KB, well within YC_CFG_LIST_MAX). */
static int peers_of(char *out, size_t outlen, const struct yc_genesis *g, unsigned base_port,
                    unsigned self)
{
    size_t len = 0;
    out[0] = '\0';
    for (unsigned j = 0; j < g->nvalidators; j++) {
        char key[YC_ADDR_MAX];
        if (j == self)
            continue;
        if (yc_addr_encode(key, g->validators[j].pub) != YC_OK)
            return YC_EBADKEY;
        int w = snprintf(out + len, outlen - len, "%s%s@127.0.0.1:%u", len > 0 ? "," : "", key,
                         base_port + j);
        if (w < 0 || (size_t)w >= outlen - len)
            return YC_ELIMIT;
        len += (size_t)w;
    }
    return YC_OK;
}

static int check_opts(const struct yc_testnet_opts *o, char *err, size_t errlen)
{
    unsigned total = o->validators + o->observers;
    if (o->validators < 1 || o->validators > YC_MAX_VALIDATORS) {
        snprintf(err, errlen, "--validators %u: need 1 to %d", o->validators, YC_MAX_VALIDATORS);
        return YC_EINVAL;
    }
    if (o->observers > YC_TESTNET_MAX_OBSERVERS) {
        snprintf(err, errlen, "--observers %u: at most %d", o->observers, YC_TESTNET_MAX_OBSERVERS);
        return YC_EINVAL;
    }
    if (total > 100 || o->base_port < 1 || o->base_port + 200 + total - 1 > 65535) {
        snprintf(err, errlen,
                 "--base-port %u: ports %u to %u must be valid and the nodes "
                 "fewer than 100",
                 o->base_port, o->base_port, o->base_port + 200 + total - 1);
        return YC_EINVAL;
    }
    char path[PATH_MAX];
    for (unsigned i = 0; i < total; i++) {
        struct yc_home h;
        node_home(path, sizeof path, o->out, i);
        if (yc_home_paths(&h, path) != YC_OK) {
            snprintf(err, errlen, "%s: path too long", path);
            return YC_EINVAL;
        }
        if (yc_home_initialized(&h)) {
            snprintf(err, errlen,
                     "%s already holds a testnet (%s exists): choose another "
                     "--out or remove it",
                     o->out, h.genesis);
            return YC_EEXIST;
        }
    }
    return YC_OK;
}

int yc_chain_testnet(const struct yc_testnet_opts *o, struct yc_testnet_node *nodes, char *err,
                     size_t errlen)
{
    int rc = check_opts(o, err, errlen);
    if (rc != YC_OK)
        return rc;
    if (sodium_init() < 0)
        return YC_ENOMEM;
    unsigned nv = o->validators, total = o->validators + o->observers;
    rc = yc_dir_ensure(o->out, false);
    if (rc != YC_OK) {
        snprintf(err, errlen, "cannot create %s (%s)", o->out, yc_err_name(rc));
        return rc;
    }
    /* keys: validator secrets for 0..nv-1, node secrets for every node */
    uint8_t(*keys)[YC_SECKEY_LEN] = sodium_malloc((size_t)(nv + total) * YC_SECKEY_LEN);
    if (keys == NULL)
        return YC_ENOMEM;
    for (unsigned i = 0; i < nv + total; i++)
        yc_keyfile_generate(keys[i]);

    struct yc_genesis g;
    memset(&g, 0, sizeof g);
    rc = yc_chain_genesis_begin(&g, o->chain_id != NULL ? o->chain_id : "yuchain-testnet", err,
                                errlen);
    if (rc == YC_OK && o->set_notice_blocks)
        g.params.notice_blocks = o->notice_blocks;
    /* a test chain lets anyone register unless asked otherwise */
    g.params.open_registration = !o->closed_registration;
    for (unsigned i = 0; rc == YC_OK && i < nv; i++) {
        yc_signer *s = NULL;
        uint8_t pub[YC_PUBKEY_LEN];
        char name[32];
        rc = yc_signer_create(&s, keys[i]);
        if (rc != YC_OK) {
            snprintf(err, errlen, "cannot make a validator key (%s)", yc_err_name(rc));
            break;
        }
        yc_signer_pubkey(s, pub);
        yc_signer_destroy(s);
        snprintf(name, sizeof name, "node%u", i);
        rc = yc_chain_add_validator(&g, name, pub);
        if (rc != YC_OK)
            snprintf(err, errlen, "validator %s: %s", name, yc_err_name(rc));
    }
    char wallet[PATH_MAX];
    snprintf(wallet, sizeof wallet, "%s/wallet", o->out);
    /* the demo accounts, then one organisation account per validator (keystore orgI, role
     * agency): validator I's votes on validator-set changes are orgI's (docs/operator.md) */
    struct yc_chain_account *accts = NULL;
    char(*org_names)[16] = NULL, (*org_display)[40] = NULL;
    size_t na = 0;
    if (rc == YC_OK) {
        const struct yc_chain_account *demo = yc_chain_demo_accounts(&na);
        accts = yc_calloc(na + nv, sizeof *accts);
        org_names = yc_calloc(nv, sizeof *org_names);
        org_display = yc_calloc(nv, sizeof *org_display);
        if (accts == NULL || org_names == NULL || org_display == NULL)
            rc = YC_ENOMEM;
        for (size_t i = 0; rc == YC_OK && i < na; i++)
            accts[i] = demo[i];
        for (unsigned i = 0; rc == YC_OK && i < nv; i++) {
            snprintf(org_names[i], sizeof org_names[i], "org%u", i);
            snprintf(org_display[i], sizeof org_display[i], "Organisation of node%u", i);
            accts[na + i] =
                (struct yc_chain_account){org_names[i], "agency", org_display[i], "CN-CQ", 0};
        }
    }
    if (rc == YC_OK)
        rc = yc_chain_make_wallet(&g, wallet, accts, na + nv, err, errlen);
    for (unsigned i = 0; rc == YC_OK && i < nv; i++)
        memcpy(g.validators[i].org, g.accounts[na + i].pub, YC_PUBKEY_LEN);
    yc_free(accts);
    yc_free(org_names);
    yc_free(org_display);
    if (rc == YC_OK) {
        rc = yc_genesis_finalize(&g);
        if (rc != YC_OK)
            snprintf(err, errlen, "the new genesis is invalid: %s", yc_strerror(rc));
    }
    for (unsigned i = 0; rc == YC_OK && i < total; i++) {
        struct yc_testnet_node *nd = &nodes[i];
        memset(nd, 0, sizeof *nd);
        node_home(nd->home, sizeof nd->home, o->out, i);
        nd->validator = i < nv;
        snprintf(nd->name, sizeof nd->name, "node%u", i);
        nd->p2p_port = o->base_port + i;
        nd->rpc_port = o->base_port + 100 + i;
        nd->ops_port = o->base_port + 200 + i;
        struct yc_config cfg = *o->config;
        yc_config_addr_with_port(cfg.p2p_laddr, sizeof cfg.p2p_laddr, "127.0.0.1", nd->p2p_port);
        yc_config_addr_with_port(cfg.rpc_laddr, sizeof cfg.rpc_laddr, "127.0.0.1", nd->rpc_port);
        yc_config_addr_with_port(cfg.prometheus_listen_addr, sizeof cfg.prometheus_listen_addr,
                                 "127.0.0.1", nd->ops_port);
        rc = peers_of(cfg.p2p_persistent_peers, sizeof cfg.p2p_persistent_peers, &g, o->base_port,
                      nd->validator ? i : UINT32_MAX);
        if (rc != YC_OK) {
            snprintf(err, errlen, "persistent_peers of %s: %s", nd->name, yc_err_name(rc));
            break;
        }
        if (nd->validator && o->observers > 0)
            cfg.p2p_allow_observers = true;
        struct yc_home h;
        rc = yc_home_paths(&h, nd->home);
        if (rc != YC_OK) {
            snprintf(err, errlen, "%s: path too long", nd->home);
            break;
        }
        struct yc_home_spec spec = {.genesis = &g,
                                    .node_sk = keys[nv + i],
                                    .validator_sk = nd->validator ? keys[i] : NULL,
                                    .config = &cfg};
        rc = yc_home_create(&h, &spec, err, errlen);
    }
    sodium_memzero(keys, (size_t)(nv + total) * YC_SECKEY_LEN);
    sodium_free(keys);
    yc_genesis_cleanup(&g);
    return rc;
}
