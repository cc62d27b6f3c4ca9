/*
 * genesis_json.h — config/genesis.json ↔ struct yc_genesis (format in docs/storage.md).
 *
 * {"chain_id": "...", "genesis_time": "RFC 3339", "genesis_time_ms": "decimal",
 *  "params": {"max_block_txs": 2000, ...},
 *  "validators": [{"name": "...", "pub_key": "yc1...", "address": "host:port"}],
 *  "accounts": [{"address": "yc1...", "role": "exchange", "name": "...",
 *                "jurisdiction": "CN-CQ", "balance": "decimal fen"}]}
 * Loading validates and finalizes (yc_genesis_finalize): the hash is over the
 * canonical msgpack form, so JSON whitespace never changes the chain.
 */
#ifndef YC_GENESIS_JSON_H
#define YC_GENESIS_JSON_H

#include <stddef.h>

#include "yc/genesis.h"

/* Parses and finalizes. Returns YC_OK, YC_EIO (unreadable), YC_ECONFIG (invalid; a
 * message naming the field goes to errbuf). *g must be freed with yc_genesis_cleanup. */
int yc_genesis_json_load(struct yc_genesis *g, const char *path, char *errbuf, size_t errlen);
/* Same from a JSON text in memory. */
int yc_genesis_json_parse(struct yc_genesis *g, const char *text, size_t len, char *errbuf,
                          size_t errlen);
/* Writes g as pretty JSON, atomically (temp file + fsync + rename). YC_OK or YC_EIO. */
int yc_genesis_json_save(const struct yc_genesis *g, const char *path);
/* Returns the JSON text (malloc'ed, caller frees with free) or NULL on ENOMEM. */
char *yc_genesis_json_dump(const struct yc_genesis *g);

#endif
