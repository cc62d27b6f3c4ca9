/*
 * source.h — where the audit reads a ledger from, and the genesis it trusts.
 *
 *  home: a stopped node's home (or a copy): HOME/config/genesis.json (unless another
 *        genesis file is given) and the LevelDB database HOME/data, opened with
 *        STORE_READ_ONLY | STORE_NO_CHECK (the audit writes nothing and reports damage
 *        itself, by height). After the tip, the stored tip record and the stored state
 *        are compared with the replayed ones.
 *  node: a running node's JSON-RPC: `genesis` (unless a genesis file is given, which
 *        the node's must then equal), `status` for the tip, `block` with format=raw.
 *
 * Errors carry a message for the user; codes map to exit codes in cli.c.
 */
#ifndef YC_AUDIT_SOURCE_H
#define YC_AUDIT_SOURCE_H

#include <stddef.h>

#include "yc/genesis.h"
#include "yc/store.h"

#include "replay.h"

struct audit_src {
    struct audit_source src;  /* callbacks for audit_replay */
    struct yc_genesis genesis; /* the trusted genesis (owned) */
    store *st;                /* home: the opened database */
    char *node_url;           /* node: base URL (owned) */
};

/*
 * Opens a home. `genesis_file` may be NULL (HOME/config/genesis.json). Returns YC_OK;
 * YC_EIO (unreadable file or database I/O), YC_ECONFIG (invalid genesis, another
 * chain's data, no database), YC_EBUSY (a node holds the database), YC_ECORRUPT
 * (LevelDB refuses the database as corrupt), YC_ENOMEM; msg says which and what to do.
 */
YC_WUR int audit_src_open_home(struct audit_src *s, const char *home, const char *genesis_file,
                               char *msg, size_t msglen);

/*
 * Connects to a node: fetches its genesis (or loads `genesis_file` and checks the
 * node's against it). Returns YC_OK, YC_EUNREACHABLE, YC_EREMOTE (the node answered
 * with an error), YC_ECONFIG (bad URL, invalid or different genesis), YC_EIO, YC_ENOMEM.
 */
YC_WUR int audit_src_open_node(struct audit_src *s, const char *url, const char *genesis_file,
                               char *msg, size_t msglen);

/* Releases everything; safe on a zeroed or failed source. */
void audit_src_close(struct audit_src *s);

#endif
