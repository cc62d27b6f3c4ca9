/*
 * source.h — where the audit reads a ledger from, and the genesis it trusts.
 *
 *  home: a stopped node's home (or a copy): HOME/config/genesis.json (unless another
 *        genesis file is given) and the LevelDB database HOME/data. The home is only
 *        read: every table, log and manifest file is first checked against its own
 *        checksums (store_verify.h; a damaged file is storage corruption, named), then
 *        the database is opened in a private copy (snapshot.h) with STORE_READ_ONLY |
 *        STORE_NO_CHECK | STORE_VERIFY (the audit reports damage itself, by height). After
 *        the tip, the stored tip record and every stored state key are compared with the
 *        replayed ones (statediff.h).
 *  node: a running node's JSON-RPC: `genesis` (unless a genesis file is given, which
 *        the node's must then equal), `status` for the tip, `block` with format=raw.
 *
 * Anchoring: the replay is anchored when the genesis it trusts comes from outside the
 * source: a genesis file given by the auditor (`--genesis`), or the source's genesis
 * checked against a published hash (`--genesis-hash`). Otherwise the source supplied its
 * own genesis and everything verified is only consistent with it.
 *
 * Errors carry a message for the user; codes map to exit codes in cli.c.
 */
#ifndef YC_AUDIT_SOURCE_H
#define YC_AUDIT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "yc/genesis.h"
#include "yc/store.h"

#include "yc/store_verify.h"

#include "replay.h"
#include "snapshot.h"

struct audit_txrec {
    uint8_t id[YC_HASH_LEN];
    uint64_t height;
    uint32_t index;
    int outcome;
};

/* A replayed block, for the block index: its hash and height, then (block_index_check)
 * what the index holds for it. */
struct audit_blockrec {
    uint8_t hash[YC_HASH_LEN];
    uint64_t height;
    uint64_t stored; /* the stored height, when state is BLOCKREC_STORED */
    int state;       /* BLOCKREC_* (source.c) */
};

struct audit_src {
    struct audit_source src;    /* callbacks for audit_replay */
    struct yc_genesis genesis;  /* the trusted genesis (owned) */
    store *st;                  /* home: the opened database (in the private copy) */
    char *node_url;             /* node: base URL (owned) */
    bool anchored;              /* the genesis was given or its hash checked (above) */
    const char *anchor;         /* "genesis file", "genesis hash", "genesis file and hash", or
                               * NULL when not anchored */
    struct audit_snapshot snap; /* home: the private copy */
    struct store_verify_stats verified; /* home: the files checked against checksums */
    uint64_t blocks_seen, txs_seen;     /* home: blocks and txs whose index entries were checked */
    struct audit_txrec *txrecs;         /* home: each replayed tx's id, height, index and
                                         * outcome, for the tx index (checked in one pass
                                         * after the tip) */
    size_t ntxrecs, txrecs_cap;
    struct audit_blockrec *blockrecs; /* home: each replayed block's hash and height, for the
                                       * block index (checked in one pass after the tip) */
    size_t nblockrecs, blockrecs_cap;
    uint64_t txs_matched; /* home: stored tx index entries a replayed transaction has */
};

/*
 * Opens a home. `genesis_file` may be NULL (HOME/config/genesis.json); `genesis_hash`
 * (may be NULL) is the published hash the genesis must have. Returns YC_OK;
 * YC_EIO (unreadable file or database I/O), YC_ECONFIG (invalid genesis, one that does
 * not hash to genesis_hash, another chain's data, no database), YC_EBUSY (a node holds
 * the database), YC_ECORRUPT (a file fails its checksums, or LevelDB refuses the
 * database as corrupt: storage damage, msg names the file), YC_ENOMEM; msg says which
 * and what to do.
 */
YC_WUR int audit_src_open_home(struct audit_src *s, const char *home, const char *genesis_file,
                               const uint8_t *genesis_hash, char *msg, size_t msglen);

/*
 * Connects to a node: fetches its genesis (or loads `genesis_file` and checks the
 * node's against it; and against `genesis_hash` if not NULL). Returns YC_OK,
 * YC_EUNREACHABLE, YC_EREMOTE (the node answered with an error), YC_ECONFIG (bad URL,
 * invalid or different genesis), YC_EIO, YC_ENOMEM.
 */
YC_WUR int audit_src_open_node(struct audit_src *s, const char *url, const char *genesis_file,
                               const uint8_t *genesis_hash, char *msg, size_t msglen);

/* Releases everything; safe on a zeroed or failed source. */
void audit_src_close(struct audit_src *s);

#endif
