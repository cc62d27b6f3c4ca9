/*
 * genesis.h — the chain's starting point (DESIGN.md §7): chain id, genesis time,
 * the ordered validator set, initial accounts and chain parameters.
 *
 * The JSON file (config/genesis.json) is parsed outside core (storage/genesis_json.c);
 * core holds the struct, its canonical encoding, its hash and the genesis state.
 * Block 1's prev_hash is the genesis hash.
 */
#ifndef YC_GENESIS_H
#define YC_GENESIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/buf.h"
#include "yc/enums.h"
#include "yc/err.h"
#include "yc/hash.h"
#include "yc/keys.h"
#include "yc/tx.h"

#define YC_MAX_VALIDATORS 64
#define YC_GENESIS_MAX_ACCOUNTS 4096

#define YC_VALIDATOR_NAME_MAX 64

/* A validator (of genesis, or of a later set: gov.h). Its network address is not part of
 * the genesis (it is operational: node.conf [p2p] persistent_peers), so a validator that
 * moves keeps the chain. */
struct yc_validator {
    char name[YC_VALIDATOR_NAME_MAX + 1];
    uint8_t pub[YC_PUBKEY_LEN]; /* consensus key (also authenticates p2p handshakes) */
    /* The account of the organisation that approves validator-set changes for it (one
     * of the genesis accounts in genesis). All zero in a genesis being built: finalize
     * sets it to the first genesis account of role exchange. */
    uint8_t org[YC_PUBKEY_LEN];
};

struct yc_genesis_account {
    uint8_t pub[YC_PUBKEY_LEN];
    char role[64 + 1];
    char name[128 + 1];
    char jurisdiction[64 + 1];
    uint64_t balance; /* fen */
};

struct yc_params {
    uint32_t max_block_txs;     /* transactions per block (default 2000) */
    uint32_t max_block_bytes;   /* bytes of transactions per block (default 4 MiB) */
    uint64_t max_time_drift_ms; /* how far a proposal may lead a validator clock (default 10000) */
    uint64_t notice_blocks;     /* public notice period of an asset registration (default 100) */
    uint32_t exchange_fee_bps;  /* exchange fee on deals, basis points (default 0) */
    bool open_registration;     /* anyone may self-register without a registrar's
                                  * co-signature (dev and test chains; default false) */
    uint64_t valset_delay;      /* a validator-set change fixed in block H takes effect at
                                  * H + valset_delay (1..1000, default 2) */
    uint64_t valset_expiry;     /* a validator-set proposal made at height H can be approved
                                  * until H + valset_expiry (1..10^9, default 100000) */
};

/* Codes in one code list of genesis. */
#define YC_CODES_MAX 128

/* A code list: distinct codes ([a-z0-9_.:-]{1,64}), NUL-terminated, in the given order. */
struct yc_code_list {
    uint32_t n;
    char codes[YC_CODES_MAX][YC_CODE_MAX + 1];
};

/* The chain's code lists (docs/domain.md, "Code lists"): the data categories and purposes
 * a consent, a use, a license, a listing or a carry may name; policy.set adds codes. */
struct yc_codes {
    struct yc_code_list categories;
    struct yc_code_list purposes;
};

struct yc_genesis {
    char chain_id[YC_CHAIN_ID_MAX + 1];
    uint64_t genesis_time_ms;
    uint32_t nvalidators;
    struct yc_validator validators[YC_MAX_VALIDATORS];
    uint32_t naccounts;
    struct yc_genesis_account *accounts; /* owned, yc_malloc'ed */
    struct yc_params params;
    struct yc_codes codes;     /* empty lists: yc_genesis_finalize fills in the defaults */
    uint8_t hash[YC_HASH_LEN]; /* set by yc_genesis_finalize */
};

/* Fills the default parameters. */
void yc_params_default(struct yc_params *p);
/* Sets list l to the default list of kind k (yc_codes_default). */
void yc_code_list_default(struct yc_code_list *l, enum yc_code_kind k);
/* True iff code c[0..len) is in l or refines a code of l (yc_code_covers). */
bool yc_code_list_covers(const struct yc_code_list *l, const char *c, size_t len);
/* Appends code c[0..len) to l: YC_OK, YC_ECONFIG (not a code, or already listed), YC_ELIMIT
 * (full). */
YC_WUR int yc_code_list_add(struct yc_code_list *l, const char *c, size_t len);
/* Frees accounts; clears *g. */
void yc_genesis_cleanup(struct yc_genesis *g);
/*
 * Validates (non-empty chain id of [A-Za-z0-9._-], 1..64 validators with valid,
 * distinct keys, each with an organisation account among the genesis accounts (an all-zero
 * org is set to the first account of role exchange first), valid accounts with distinct keys and known roles, at least one
 * account of role `exchange`, valset_delay 1..1000 and valset_expiry 1..10^9, code lists of distinct valid codes), fills an empty code
 * list with its default list (so the hash always covers the lists in force), and
 * computes g->hash = H(genesis tag, chain_id, canonical encoding). Returns YC_OK or
 * YC_ECONFIG / YC_EBADKEY.
 */
YC_WUR int yc_genesis_finalize(struct yc_genesis *g);
/* Canonical msgpack encoding (the bytes hashed by finalize). */
YC_WUR int yc_genesis_encode(const struct yc_genesis *g, struct yc_buf *out);
/* f = floor((n-1)/3); quorum q = ceil((n+f+1)/2). */
uint32_t yc_faults(uint32_t n);
uint32_t yc_quorum(uint32_t n);
/* Index of validator with key pub, or -1. */
int yc_genesis_validator_index(const struct yc_genesis *g, const uint8_t pub[YC_PUBKEY_LEN]);

#endif
