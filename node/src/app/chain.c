/*
 * chain.c — making chains and homes (see chain.h).
 *
 * Secret keys live in stack buffers only long enough to be written to their key file
 * or keystore, and are wiped right after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "ceremony.h"
#include "chain.h"
#include "keyfile.h"
#include "yc/alloc.h"
#include "yc/bech32.h"
#include "yc/cliutil.h"
#include "yc/genesis_json.h"
#include "yc/keystore.h"

static const struct yc_chain_account demo_accounts[] = {
    {"exchange", "exchange", "Chongqing Data Exchange", "CN-CQ", 1000000000000ull},
    {"agency", "agency", "Chongqing Big Data Development Bureau", "CN-CQ", 0},
    {"regulator", "regulator", "Data Market Regulator", "CN-CQ", 0},
    {"alice", "individual", "Alice", "CN-CQ", 10000000ull},
    {"bob", "individual", "Bob", "CN-SC", 10000000ull},
    {"processor", "processor", "Western Data Processing Co.", "CN-CQ", 1000000000ull},
};

const struct yc_chain_account *yc_chain_demo_accounts(size_t *n)
{
    *n = sizeof demo_accounts / sizeof demo_accounts[0];
    return demo_accounts;
}

int yc_chain_genesis_begin(struct yc_genesis *g, const char *chain_id, char *err, size_t errlen)
{
    memset(g, 0, sizeof *g);
    size_t len = strlen(chain_id);
    bool ok = len > 0 && len <= YC_CHAIN_ID_MAX;
    for (size_t i = 0; ok && i < len; i++) {
        char ch = chain_id[i];
        ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '.' || ch == '_' || ch == '-';
    }
    if (!ok) {
        snprintf(err, errlen, "chain id \"%s\" must be 1-%d characters of A-Z a-z 0-9 . _ -",
                 chain_id, YC_CHAIN_ID_MAX);
        return YC_ECONFIG;
    }
    memcpy(g->chain_id, chain_id, len + 1);
    g->genesis_time_ms = yc_time_now_ms();
    yc_params_default(&g->params);
    return YC_OK;
}

int yc_chain_add_validator(struct yc_genesis *g, const char *name, const uint8_t pub[YC_PUBKEY_LEN])
{
    if (g->nvalidators >= YC_MAX_VALIDATORS || strlen(name) >= sizeof g->validators[0].name)
        return YC_ELIMIT;
    struct yc_validator *v = &g->validators[g->nvalidators++];
    snprintf(v->name, sizeof v->name, "%s", name);
    memcpy(v->pub, pub, YC_PUBKEY_LEN);
    return YC_OK;
}

int yc_chain_add_account(struct yc_genesis *g, const uint8_t pub[YC_PUBKEY_LEN],
                         const struct yc_chain_account *a)
{
    if (g->naccounts >= YC_GENESIS_MAX_ACCOUNTS)
        return YC_ELIMIT;
    struct yc_genesis_account *acc =
        yc_realloc(g->accounts, (g->naccounts + 1) * sizeof *g->accounts);
    if (acc == NULL)
        return YC_ENOMEM;
    g->accounts = acc;
    struct yc_genesis_account *x = &acc[g->naccounts];
    memset(x, 0, sizeof *x);
    memcpy(x->pub, pub, YC_PUBKEY_LEN);
    if ((size_t)snprintf(x->role, sizeof x->role, "%s", a->role) >= sizeof x->role ||
        (size_t)snprintf(x->name, sizeof x->name, "%s", a->display) >= sizeof x->name ||
        (size_t)snprintf(x->jurisdiction, sizeof x->jurisdiction, "%s", a->jurisdiction) >=
            sizeof x->jurisdiction)
        return YC_ELIMIT;
    x->balance = a->balance;
    g->naccounts++;
    return YC_OK;
}

int yc_chain_make_wallet(struct yc_genesis *g, const char *wallet_dir,
                         const struct yc_chain_account *accounts, size_t n, char *err,
                         size_t errlen)
{
    int rc = yc_dir_ensure(wallet_dir, true);
    if (rc != YC_OK) {
        snprintf(err, errlen, "cannot create wallet directory %s (%s)", wallet_dir,
                 yc_err_name(rc));
        return rc;
    }
    uint8_t raw[16];
    char pass[2 * sizeof raw + 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(pass, sizeof pass, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    size_t passlen = strlen(pass);
    char path[4096];
    snprintf(path, sizeof path, "%s/PASSWORD", wallet_dir);
    pass[passlen] = '\n';
    rc = yc_file_write_atomic(path, pass, passlen + 1, 0600, false);
    pass[passlen] = '\0';
    if (rc != YC_OK) {
        snprintf(err, errlen, "cannot write %s (%s)", path,
                 rc == YC_EEXIST ? "it exists: use an empty wallet directory" : yc_err_name(rc));
        sodium_memzero(pass, sizeof pass);
        return rc;
    }
    for (size_t i = 0; i < n && rc == YC_OK; i++) {
        uint8_t sk[YC_SECKEY_LEN], pub[YC_PUBKEY_LEN];
        yc_keyfile_generate(sk);
        rc = yc_keystore_import(wallet_dir, accounts[i].name, sk, pass, passlen, true, pub);
        sodium_memzero(sk, sizeof sk);
        if (rc != YC_OK) {
            snprintf(err, errlen, "cannot write keystore %s in %s (%s)", accounts[i].name,
                     wallet_dir, yc_err_name(rc));
            break;
        }
        rc = yc_chain_add_account(g, pub, &accounts[i]);
        if (rc != YC_OK)
            snprintf(err, errlen, "genesis account %s: %s", accounts[i].name, yc_err_name(rc));
    }
    sodium_memzero(pass, sizeof pass);
    return rc;
}

void yc_chain_set_ports(struct yc_config *c, unsigned base)
{
    yc_config_addr_with_port(c->p2p_laddr, sizeof c->p2p_laddr, "0.0.0.0", base);
    yc_config_addr_with_port(c->rpc_laddr, sizeof c->rpc_laddr, "127.0.0.1", base + 100);
    yc_config_addr_with_port(c->prometheus_listen_addr, sizeof c->prometheus_listen_addr,
                             "127.0.0.1", base + 200);
}

int yc_chain_init_home(const struct yc_home *h, const struct yc_init_opts *o, char *err,
                       size_t errlen)
{
    if (yc_home_initialized(h)) {
        snprintf(err, errlen, "%s already holds a chain (%s exists)", h->dir, h->genesis);
        return YC_EEXIST;
    }
    if (sodium_init() < 0)
        return YC_ENOMEM;
    struct yc_genesis g;
    memset(&g, 0, sizeof g);
    /* keys made by `yuchaind keys` stay; the others are made here */
    bool keep_node = access(h->node_key, F_OK) == 0;
    bool keep_val = access(h->validator_key, F_OK) == 0;
    uint8_t node_sk[YC_SECKEY_LEN], val_sk[YC_SECKEY_LEN], vpub[YC_PUBKEY_LEN];
    yc_keyfile_generate(node_sk);
    yc_keyfile_generate(val_sk);
    int rc;
    yc_signer *s = NULL;
    if (keep_val)
        rc = yc_keyfile_load(h->validator_key, &s, vpub, err, errlen);
    else
        rc = yc_signer_create(&s, val_sk);
    if (rc == YC_OK && !keep_val)
        yc_signer_pubkey(s, vpub);
    yc_signer_destroy(s);
    if (rc == YC_OK && o->genesis_file != NULL) {
        rc = yc_genesis_json_load(&g, o->genesis_file, err, errlen);
        if (rc == YC_OK && o->genesis_hash != NULL)
            rc = yc_ceremony_check_hash(&g, o->genesis_file, o->genesis_hash, err, errlen);
    } else if (rc == YC_OK) {
        const char *chain_id = o->chain_id != NULL ? o->chain_id
                               : o->dev            ? "yuchain-dev"
                                                   : "yuchain-local";
        rc = yc_chain_genesis_begin(&g, chain_id, err, errlen);
        if (rc == YC_OK && o->set_notice_blocks)
            g.params.notice_blocks = o->notice_blocks;
        /* a dev chain lets anyone register; init makes a real-name chain */
        g.params.open_registration = o->dev && !o->closed_registration;
        if (rc == YC_OK)
            rc = yc_chain_add_validator(&g, o->name != NULL ? o->name : "node0", vpub);
        if (rc == YC_OK && o->dev) {
            size_t n;
            const struct yc_chain_account *accts = yc_chain_demo_accounts(&n);
            rc = yc_chain_make_wallet(&g, h->wallet, accts, n, err, errlen);
        } else if (rc == YC_OK && o->exchange != NULL) {
            uint8_t pub[YC_PUBKEY_LEN];
            static const struct yc_chain_account ex = {"exchange", "exchange", "Exchange", "CN-CQ",
                                                       0};
            rc = yc_addr_decode(pub, o->exchange);
            if (rc != YC_OK)
                snprintf(err, errlen, "--exchange %s is not a yc1 address", o->exchange);
            else
                rc = yc_chain_add_account(&g, pub, &ex);
        } else if (rc == YC_OK) {
            static const struct yc_chain_account ex[] = {
                {"exchange", "exchange", "Exchange", "CN-CQ", 0}};
            rc = yc_chain_make_wallet(&g, h->wallet, ex, 1, err, errlen);
        }
        if (rc == YC_OK) {
            rc = yc_genesis_finalize(&g);
            if (rc != YC_OK)
                snprintf(err, errlen, "the new genesis is invalid: %s", yc_strerror(rc));
        }
    }
    if (rc == YC_OK) {
        struct yc_home_spec spec = {.genesis = &g,
                                    .node_sk = keep_node ? NULL : node_sk,
                                    .validator_sk = keep_val ? NULL : val_sk,
                                    .config = o->config};
        rc = yc_home_create(h, &spec, err, errlen);
    }
    sodium_memzero(node_sk, sizeof node_sk);
    sodium_memzero(val_sk, sizeof val_sk);
    yc_genesis_cleanup(&g);
    return rc;
}
