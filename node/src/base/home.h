/*
 * home.h — the node's home directory (DESIGN.md §9):
 *
 *   config/node.conf           every option commented with its default (config.h)
 *   config/genesis.json        the chain (storage/genesis_json.h)
 *   config/node_key.json       p2p identity, 0600 (keyfile.h)
 *   config/validator_key.json  consensus key, validators only, 0600
 *   data/                      LevelDB (store.h)
 *   .cookie                    admin RPC credential: new at each start, 0600, removed at exit
 *   .lock                      flock'ed while a node runs on this home
 *   wallet/                    keystores of genesis accounts (dev and testnet homes only)
 *
 * Creation is separate from the chain's making: a caller (init, dev, later testnet)
 * builds the genesis and keys, then yc_home_create writes one home from them, so a
 * testnet writes N homes from one genesis the same way.
 */
#ifndef YC_HOME_H
#define YC_HOME_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "yc/err.h"
#include "yc/genesis.h"
#include "yc/keys.h"

struct yc_home {
    char dir[PATH_MAX];
    char config_dir[PATH_MAX];
    char node_conf[PATH_MAX];
    char genesis[PATH_MAX];
    char node_key[PATH_MAX];
    char validator_key[PATH_MAX];
    char data[PATH_MAX];
    char cookie[PATH_MAX];
    char lock[PATH_MAX];
    char wallet[PATH_MAX];
};

/* Fills the paths under `dir`. Returns YC_OK or YC_ELIMIT (path too long). */
YC_WUR int yc_home_paths(struct yc_home *h, const char *dir);
/* Resolves the home: `arg` if given, else $YUCHAIN_HOME, else ~/.yuchain. */
YC_WUR int yc_home_resolve(struct yc_home *h, const char *arg);
/* True once the home holds a genesis (it was initialized). */
bool yc_home_initialized(const struct yc_home *h);

/* What one home is made of. Keys are 32-byte secrets; NULL: no key file is written (an
 * observer has no validator key; a key file already in the home is kept). */
struct yc_home_spec {
    const struct yc_genesis *genesis;
    const uint8_t *node_sk;
    const uint8_t *validator_sk;
    const struct yc_config *config; /* values written into node.conf */
};

/*
 * Creates the directories (0700) and writes node.conf, genesis.json and the key files.
 * Refuses a home that already has a genesis (YC_EEXIST). Returns YC_OK, YC_EEXIST,
 * YC_EIO, YC_ENOMEM, with a message in err.
 */
YC_WUR int yc_home_create(const struct yc_home *h, const struct yc_home_spec *spec, char *err,
                          size_t errlen);

/*
 * Takes the home's .lock (flock, exclusive, non-blocking) and writes our pid in it.
 * *fd gets the descriptor to keep open while running. Returns YC_OK, YC_EBUSY
 * (another node runs on this home: its pid is named in err) or YC_EIO.
 */
YC_WUR int yc_home_lock(const struct yc_home *h, int *fd, char *err, size_t errlen);
/* Releases the lock (closing fd). fd < 0 is a no-op. */
void yc_home_unlock(int fd);

/*
 * Writes a new random cookie (32 bytes, hex) to .cookie with mode 0600, replacing any
 * left by a crashed run; hex gets the 64 characters and a NUL. YC_OK or YC_EIO.
 */
YC_WUR int yc_home_write_cookie(const struct yc_home *h, char hex[65]);
/* Removes .cookie (at clean exit). */
void yc_home_remove_cookie(const struct yc_home *h);

#endif
