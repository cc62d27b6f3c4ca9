/*
 * keystore.h — encrypted key files (DESIGN.md §10; format in docs/wallet.md).
 *
 * One JSON file per key, NAME.json in a wallet directory (0700; files 0600, written
 * atomically: temp file, fsync, rename, fsync dir). The secret is sealed with
 * XChaCha20-Poly1305 under a key derived by argon2id (crypto_pwhash) from the
 * passphrase; the file's other fields (version, name, address, kdf parameters, salt,
 * nonce) are the associated data, so any flipped byte fails closed. KDF parameters
 * below the built-in minimum are refused.
 */
#ifndef YC_KEYSTORE_H
#define YC_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/keys.h"

/* Errors: YC_OK, YC_EIO (file I/O), YC_EEXIST, YC_ENOTFOUND, YC_EDECODE (malformed or
 * tampered file, weak KDF), YC_EBADKEY, YC_EINVAL; wrong passphrase is YC_EPASSPHRASE
 * below (mapped to exit code 77 by the CLIs). */
#define YC_EPASSPHRASE (-100)

/* Creates a new random key NAME in dir (created 0700 if missing), sealed with pass.
 * pub gets the 33-byte public key. Fails with YC_EEXIST if NAME exists. `fast_kdf`
 * uses the interactive argon2id limits (for test/dev wallets), else moderate. */
int yc_keystore_create(const char *dir, const char *name, const char *pass, size_t passlen,
                       bool fast_kdf, uint8_t pub[YC_PUBKEY_LEN]);
/* Same with a given secret key (for `yuchaind dev`/`testnet` genesis accounts). */
int yc_keystore_import(const char *dir, const char *name, const uint8_t seckey[YC_SECKEY_LEN],
                       const char *pass, size_t passlen, bool fast_kdf,
                       uint8_t pub[YC_PUBKEY_LEN]);
/* Unseals NAME into a signer (*out). YC_EPASSPHRASE on a wrong passphrase. */
int yc_keystore_open(const char *dir, const char *name, const char *pass, size_t passlen,
                     yc_signer **out);
/* Reads NAME's public key without the passphrase. */
int yc_keystore_pubkey(const char *dir, const char *name, uint8_t pub[YC_PUBKEY_LEN]);
/* Lists key names (sorted); *names is malloc'ed array of malloc'ed strings, free with
 * yc_keystore_free_list. */
int yc_keystore_list(const char *dir, char ***names, size_t *n);
void yc_keystore_free_list(char **names, size_t n);

#endif
