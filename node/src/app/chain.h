/*
 * chain.h — making new chains and their homes: the one-validator chain of `init`,
 * the demo chain of `dev` (funded accounts with wallet keystores), and the pieces a
 * multi-validator `testnet` reuses (a genesis from validator keys and accounts,
 * one home per node from it).
 */
#ifndef YC_CHAIN_H
#define YC_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "home.h"
#include "yc/genesis.h"

/* A genesis account that gets a keystore in a wallet directory. */
struct yc_chain_account {
    const char *name;         /* keystore name, e.g. "alice" */
    const char *role;         /* DESIGN.md §5 role */
    const char *display;      /* display name on the ledger */
    const char *jurisdiction; /* e.g. "CN-CQ" */
    uint64_t balance;         /* fen */
};

/* The demo accounts of `yuchaind dev` (and later `testnet`), count in *n. */
const struct yc_chain_account *yc_chain_demo_accounts(size_t *n);

/*
 * Starts a genesis: chain id, genesis time now, default parameters, no validators or
 * accounts yet. Returns YC_OK or YC_ECONFIG (bad chain id, message in err).
 */
YC_WUR int yc_chain_genesis_begin(struct yc_genesis *g, const char *chain_id, char *err,
                                  size_t errlen);
/* Appends a validator (name, 33-byte key). YC_OK or YC_ELIMIT. */
YC_WUR int yc_chain_add_validator(struct yc_genesis *g, const char *name,
                                  const uint8_t pub[YC_PUBKEY_LEN]);
/* Appends an account. YC_OK, YC_ELIMIT, YC_ENOMEM. */
YC_WUR int yc_chain_add_account(struct yc_genesis *g, const uint8_t pub[YC_PUBKEY_LEN],
                                const struct yc_chain_account *a);

/*
 * Creates `accounts` keys as keystores in wallet_dir (fast KDF: trying-out only) with
 * one random passphrase written to wallet_dir/PASSWORD (0600), and adds each to the
 * genesis. Returns YC_OK or an error with a message in err.
 */
YC_WUR int yc_chain_make_wallet(struct yc_genesis *g, const char *wallet_dir,
                                const struct yc_chain_account *accounts, size_t n, char *err,
                                size_t errlen);

/* Sets the three listeners of `c` from a base port: P2P P, RPC P+100, operations P+200
 * (DESIGN.md §9; a testnet passes base + node index). */
void yc_chain_set_ports(struct yc_config *c, unsigned base);

struct yc_init_opts {
    const char *chain_id;     /* NULL: "yuchain-local" (init) or "yuchain-dev" (dev) */
    const char *genesis_file; /* join this chain instead of making one (init) */
    const char *genesis_hash; /* with genesis_file: the hash it must have (64 hex), or NULL */
    const char *exchange;     /* init: the exchange account's address; NULL = make a keystore */
    const char *name;         /* validator name, NULL: "node0" */
    const struct yc_config *config; /* written into node.conf */
    bool dev;                       /* the demo chain with all demo accounts */
    bool set_notice_blocks;         /* a made chain: genesis notice_blocks = notice_blocks */
    uint64_t notice_blocks;         /* public notice of an asset registration, in blocks */
    bool closed_registration;       /* dev: genesis open_registration false (default true) */
};

/*
 * Creates a complete home at h: keys (key files already in h, made by `yuchaind keys`,
 * are kept), genesis (made here or copied from genesis_file, which must hash to
 * genesis_hash when given), node.conf, and for a made chain the wallet keystores. Returns
 * YC_OK or an error (YC_EEXIST if the home already holds a chain, YC_EWRONGCHAIN for
 * another genesis hash, YC_EBADFIELD for a malformed one) with a message in err.
 */
YC_WUR int yc_chain_init_home(const struct yc_home *h, const struct yc_init_opts *o, char *err,
                              size_t errlen);

/* ---- testnet (testnet.c) ---- */

#define YC_TESTNET_MAX_OBSERVERS 16

struct yc_testnet_opts {
    const char *out;                /* DIR: homes DIR/node0…, wallet DIR/wallet */
    unsigned validators;            /* 1 .. YC_MAX_VALIDATORS */
    unsigned observers;             /* 0 .. YC_TESTNET_MAX_OBSERVERS, homes after the validators */
    const char *chain_id;           /* NULL: "yuchain-testnet" */
    unsigned base_port;             /* node i: p2p P+i, RPC P+100+i, operations P+200+i */
    const struct yc_config *config; /* every node.conf starts from it (ports and peers set here) */
    bool set_notice_blocks;
    uint64_t notice_blocks;
    bool closed_registration; /* genesis open_registration false (default true) */
};

/* What was made for one node, for the printed table. */
struct yc_testnet_node {
    char home[PATH_MAX];
    char name[66];
    bool validator;
    unsigned p2p_port, rpc_port, ops_port;
};

/*
 * Makes a local consortium in o->out: one genesis naming the validators (node0…) and
 * funding the demo accounts of `dev` (keystores in OUT/wallet, passphrase
 * OUT/wallet/PASSWORD), and one home per node whose node.conf has its three listeners on
 * loopback, persistent_peers (the other validators as KEY@127.0.0.1:P+i; every validator
 * for an observer) and, when there are observers, allow_observers on the validators. nodes (o->validators + o->observers
 * entries) describes them. Returns YC_OK, YC_EINVAL (counts or ports out of range),
 * YC_EEXIST (OUT already holds a testnet), or an I/O error, with a message in err.
 */
YC_WUR int yc_chain_testnet(const struct yc_testnet_opts *o, struct yc_testnet_node *nodes,
                            char *err, size_t errlen);

#endif
