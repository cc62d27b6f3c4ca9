/*
 * backup.h — a consistent copy of a node's home, restorable with `yuchaind start`.
 */
#ifndef YC_NODE_BACKUP_H
#define YC_NODE_BACKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "home.h"
#include "yc/store.h"

#define YC_BACKUP_PATH_MAX 3800 /* room for "/config/validator_key.json" within PATH_MAX */

/*
 * Makes `out` (which must not exist; created 0700) a home: out/config with the
 * genesis.json, node.conf and key files of `config_dir` (keys 0600; node.conf and the
 * validator key only if present), each synced, and out/data a copy of `st` taken from one
 * LevelDB snapshot (store_backup: whole blocks with their state, indexes and consensus
 * journal; the copy is reopened and its genesis and tip checked). Safe on a worker thread
 * while the node runs. Returns YC_OK, YC_EEXIST, YC_ELIMIT (path too long), YC_EIO,
 * YC_ECORRUPT, with a sentence in err; *seconds is the time it took.
 */
int yc_backup_home(const char *config_dir, store *st, const char *out,
                   struct store_backup_info *info, double *seconds, char *err, size_t errlen);

/*
 * `yuchaind backup`: copies home h into `out` (relative to the working directory if not
 * absolute). A stopped home is copied here under its lock; a running node is asked to do
 * it (the admin method `backup` at `rpc_url`, else the RPC address of node.conf and the
 * environment, with the home's .cookie). Prints the result (one JSON object with `json`)
 * and returns an exit code.
 */
int yc_backup_cli(const struct yc_home *h, const char *out, const char *rpc_url, bool json);

#endif
