/*
 * genesis_json.h — config/genesis.json ↔ struct yc_genesis (format in docs/storage.md §4).
 *
 * {"chain_id": "...", "genesis_time": "RFC 3339", "genesis_time_ms": "decimal",
 *  "params": {"max_block_txs": 2000, ..., "open_registration": false},
 *  "codes": {"categories": ["basic", "health", ...], "purposes": ["research", ...]},
 *  "validators": [{"name": "...", "pub_key": "yc1..."}],
 *  "accounts": [{"address": "yc1...", "role": "exchange", "name": "...",
 *                "jurisdiction": "CN-CQ", "balance": "decimal fen"}]}
 *
 * Parsing is strict: unknown or duplicate fields are refused and every message names
 * the offending field as a path ("accounts[3].balance: ..."). `params` and each of its
 * members are optional (defaults from yc_params_default; values as JSON integers or
 * decimal strings; open_registration a JSON boolean); `codes` and each of its lists are
 * optional (an omitted list is the default list of yc/enums.h; the dump always writes
 * both out); at least one of genesis_time / genesis_time_ms is required and
 * both must agree when given. Loading validates and finalizes (yc_genesis_finalize):
 * the hash is over the canonical msgpack form, so JSON whitespace never changes the
 * chain.
 *
 * A draft (a genesis being assembled by `yuchaind genesis`) carries "draft": true; it is
 * read only with YC_GJ_DRAFT, may have no validators and no accounts (nor an exchange),
 * and is not finalized (no hash). Network addresses are not part of a genesis: a
 * validator's "address" is refused with a message naming node.conf persistent_peers.
 *
 * Thread-safety: no globals; every function is reentrant.
 */
#ifndef YC_GENESIS_JSON_H
#define YC_GENESIS_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "yc/genesis.h"

/*
 * Parses and finalizes the file at `path` (at most 16 MiB). Returns YC_OK, YC_EIO
 * (unreadable; errbuf names the file and the system error), YC_ECONFIG (invalid; errbuf
 * names the file and the field), YC_ENOMEM, YC_EINVAL (NULL argument). On success *g
 * must be freed with yc_genesis_cleanup; on failure *g is cleared. errbuf may be NULL
 * when errlen is 0.
 */
int yc_genesis_json_load(struct yc_genesis *g, const char *path, char *errbuf, size_t errlen);

/* Same from a JSON text of `len` bytes in memory (need not be NUL-terminated). Returns
 * YC_OK, YC_ECONFIG (message naming the field), YC_ENOMEM, YC_EINVAL. */
int yc_genesis_json_parse(struct yc_genesis *g, const char *text, size_t len, char *errbuf,
                          size_t errlen);

/* Flags of the _ex forms. */
#define YC_GJ_DRAFT 1u /* also accept a draft (then *draft is true and g is not finalized) */

/* The parse and load above with flags; *draft tells whether the document was a draft. A
 * draft without YC_GJ_DRAFT is YC_ECONFIG ("draft: … finalize it …"). */
int yc_genesis_json_parse_ex(struct yc_genesis *g, const char *text, size_t len, unsigned flags,
                             bool *draft, char *errbuf, size_t errlen);
int yc_genesis_json_load_ex(struct yc_genesis *g, const char *path, unsigned flags, bool *draft,
                            char *errbuf, size_t errlen);

/* Writes g as pretty JSON (both time fields, every parameter), atomically: temp file in
 * the same directory, fsync, rename, fsync of the directory; mode 0644. Returns YC_OK,
 * YC_EIO, YC_ENOMEM or YC_EINVAL. On failure the previous file, if any, is untouched. */
int yc_genesis_json_save(const struct yc_genesis *g, const char *path);

/* Returns the JSON text (malloc'ed, caller frees with free) or NULL on ENOMEM. Parsing
 * it gives a genesis with the same hash. */
char *yc_genesis_json_dump(const struct yc_genesis *g);

/* The save and dump above; draft = true writes "draft": true first (a genesis being
 * assembled: it may lack validators or accounts). */
int yc_genesis_json_save_ex(const struct yc_genesis *g, const char *path, bool draft);
char *yc_genesis_json_dump_ex(const struct yc_genesis *g, bool draft);

#endif
