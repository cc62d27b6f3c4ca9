/*
 * ceremony.h — the genesis ceremony (docs/operator.md, "Joining a consortium"):
 *
 *   yuchaind keys      an organisation makes its validator and node keys in its own home
 *                      and prints their public part, signed by the validator key;
 *   yuchaind genesis   one party assembles a draft genesis from those public parts and
 *                      the genesis accounts, finalizes it and prints its hash; every
 *                      party re-derives the hash (`genesis hash`, `init --genesis-hash`).
 *
 * The public part (docs/formats.md, "Validator public part"):
 *   {"type": "yuchain-validator-keys", "version": 1, "org": str, "name": str,
 *    "pub_key": "yc1…", "sig": hex(65 bytes)}
 *   sig = BIP-340 by pub_key over H("yuchain/validator-keys/v1", "", {name, org, pub})
 *
 * Each function prints its messages (stderr) and data (stdout) and returns an exit code
 * (YC_EXIT_*).
 */
#ifndef YC_CEREMONY_H
#define YC_CEREMONY_H

#include <stdbool.h>
#include <stddef.h>

#include "home.h"
#include "yc/genesis.h"

#define YC_TAG_VALIDATOR_KEYS "yuchain/validator-keys/v1"

/* `keys`: makes config/validator_key.json and config/node_key.json in h unless present,
 * then prints the public part (pretty JSON; one line with json). */
int yc_ceremony_keys(const struct yc_home *h, const char *org, const char *name, bool json);

/* `genesis new`: the chain's parameters, as given on the command line (NULL: default). */
struct yc_genesis_new_opts {
    const char *chain_id;
    const char *out;
    const char *time; /* RFC 3339; NULL: now */
    const char *max_block_txs, *max_block_bytes, *max_time_drift_ms, *notice_blocks,
        *exchange_fee_bps;
    bool open_registration;
    bool json;
};
int yc_ceremony_genesis_new(const struct yc_genesis_new_opts *o);

/* `genesis add-validator`: appends the validator of the public part in `from`, with
 * org_account (a yc1 address; NULL: none, the exchange's at finalize) as its `org`. */
int yc_ceremony_add_validator(const char *file, const char *from, const char *org_account,
                              bool json);

/* `genesis add-account`. jurisdiction NULL: CN-CQ; balance NULL: 0; role NULL: individual. */
struct yc_genesis_account_opts {
    const char *name, *pub, *role, *jurisdiction, *balance;
};
int yc_ceremony_add_account(const char *file, const struct yc_genesis_account_opts *o, bool json);

/* `genesis finalize`: validates the draft completely, writes it final, prints the hash. */
int yc_ceremony_finalize(const char *file, bool json);

/* `genesis hash`: prints the hash of a finalized genesis; with expect (64 hex), exit 1
 * when it differs (both named). */
int yc_ceremony_hash(const char *file, const char *expect, bool json);

/*
 * Checks that g (loaded from `file`) hashes to the 64 hex digits `expect`. Returns YC_OK,
 * YC_EBADFIELD (expect is not 64 hex digits) or YC_EWRONGCHAIN (differs), with a message
 * naming both hashes in err.
 */
int yc_ceremony_check_hash(const struct yc_genesis *g, const char *file, const char *expect,
                           char *err, size_t errlen);

#endif
