/*
 * keystore.h — encrypted key files (DESIGN.md §10; format in docs/wallet.md).
 *
 * One JSON file per key, NAME.json in a wallet directory (0700; files 0600, written
 * atomically: temp file, fsync, rename, fsync dir). The 32-byte secret key is sealed
 * with XChaCha20-Poly1305 (IETF) under a key derived by argon2id (crypto_pwhash) from
 * the passphrase; the file's other fields (version, name, address, kdf parameters and
 * salt, cipher and nonce) are the associated data, in the canonical form that
 * yc_keystore_aad writes, so any changed field fails closed. KDF parameters below
 * libsodium's interactive limits (or above the sensitive ones) are refused.
 *
 * Secrets (passphrase-derived key, plaintext secret key) live only in sodium_malloc'ed
 * memory and are wiped before it is freed. Errors come from core/include/yc/err.h;
 * a wrong passphrase is YC_EPASSPHRASE (exit code 77 in the CLIs).
 *
 * Thread-safety: no globals; calls on different files may run concurrently. The caller
 * must have called sodium_init() (yc_keystore_* call it too; it is idempotent).
 */
#ifndef YC_KEYSTORE_H
#define YC_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/bech32.h"
#include "yc/err.h"
#include "yc/keys.h"

#define YC_KEYSTORE_VERSION 1
#define YC_KEYSTORE_NAME_MAX 64                 /* bytes of a key name */
#define YC_KEYSTORE_FILE_MAX (16u * 1024)       /* larger files are refused before parsing */
#define YC_KEYSTORE_SALT_LEN 16                 /* crypto_pwhash_SALTBYTES */
#define YC_KEYSTORE_NONCE_LEN 24                /* crypto_aead_xchacha20poly1305_ietf_NPUBBYTES */
#define YC_KEYSTORE_CT_LEN (YC_SECKEY_LEN + 16) /* secret key + Poly1305 tag */
#define YC_KEYSTORE_KDF_ALG "argon2id13"
#define YC_KEYSTORE_CIPHER_ALG "xchacha20poly1305-ietf"

/* The parsed, still sealed contents of a keystore file. Holds no secret. */
struct yc_keystore_file {
    uint32_t version;
    char name[YC_KEYSTORE_NAME_MAX + 1];
    char address[YC_ADDR_MAX];
    uint8_t pub[YC_PUBKEY_LEN]; /* decoded from address */
    uint64_t opslimit;
    uint64_t memlimit;
    uint8_t salt[YC_KEYSTORE_SALT_LEN];
    uint8_t nonce[YC_KEYSTORE_NONCE_LEN];
    uint8_t ciphertext[YC_KEYSTORE_CT_LEN];
};

/* Returns true iff `name` is a valid key name: 1..YC_KEYSTORE_NAME_MAX bytes of
 * [A-Za-z0-9._-], not starting with '.' or '-'. */
bool yc_keystore_name_valid(const char *name);

/*
 * Creates a new random key NAME in dir (created 0700 if missing), sealed with pass.
 * pub gets the 33-byte public key. `fast_kdf` uses the interactive argon2id limits
 * (for test/dev wallets and scripts), else the moderate ones.
 * Returns YC_OK, YC_EINVAL (bad name or NULL), YC_EEXIST (NAME exists: never
 * overwritten), YC_ECONFIG (dir not usable), YC_EIO, YC_ENOMEM.
 */
YC_WUR int yc_keystore_create(const char *dir, const char *name, const char *pass, size_t passlen,
                              bool fast_kdf, uint8_t pub[YC_PUBKEY_LEN]);

/* Same with a given secret key (for `yuchaind dev`/`testnet` genesis accounts). The
 * caller keeps and wipes its copy of seckey. Also YC_EBADKEY if seckey is invalid. */
YC_WUR int yc_keystore_import(const char *dir, const char *name,
                              const uint8_t seckey[YC_SECKEY_LEN], const char *pass, size_t passlen,
                              bool fast_kdf, uint8_t pub[YC_PUBKEY_LEN]);

/*
 * Unseals NAME into a signer (*out, destroy with yc_signer_destroy).
 * Returns YC_OK; YC_ENOTFOUND (no such key); YC_EDECODE (malformed file, unknown
 * version or algorithm, KDF parameters out of bounds, address invalid); YC_EPASSPHRASE
 * (authentication failed: wrong passphrase or any tampered byte); YC_ECORRUPT
 * (decrypted key does not match the address); YC_EIO; YC_ENOMEM. *out is NULL on
 * failure.
 */
YC_WUR int yc_keystore_open(const char *dir, const char *name, const char *pass, size_t passlen,
                            yc_signer **out);

/* Reads NAME's public key without the passphrase (parses and checks the file). Errors as
 * yc_keystore_open minus YC_EPASSPHRASE/YC_ECORRUPT. */
YC_WUR int yc_keystore_pubkey(const char *dir, const char *name, uint8_t pub[YC_PUBKEY_LEN]);

/*
 * Lists key names (sorted bytewise): every "NAME.json" with a valid name. *names is a
 * malloc'ed array of malloc'ed strings (NULL when n is 0); free with
 * yc_keystore_free_list. A missing directory lists nothing (YC_OK, n = 0).
 * Returns YC_OK, YC_EIO, YC_ENOMEM.
 */
YC_WUR int yc_keystore_list(const char *dir, char ***names, size_t *n);
void yc_keystore_free_list(char **names, size_t n);

/* ---- lower level: the file format itself (used by the above and by tests) ---- */

/*
 * Parses a keystore file's text (len bytes, need not be NUL-terminated) into *f,
 * checking the JSON shape (exactly the documented fields), version, algorithms, lengths,
 * the address (bech32m) and the KDF bounds. Returns YC_OK, YC_EDECODE, YC_ELIMIT
 * (text over YC_KEYSTORE_FILE_MAX). *f is zeroed on failure.
 */
YC_WUR int yc_keystore_parse(struct yc_keystore_file *f, const char *text, size_t len);

/*
 * Writes the associated data of f (every field but the ciphertext, canonical form in
 * docs/wallet.md) into out (cap bytes); *outlen gets its length.
 * Returns YC_OK or YC_ELIMIT.
 */
YC_WUR int yc_keystore_aad(const struct yc_keystore_file *f, char *out, size_t cap, size_t *outlen);

/*
 * Derives the 32-byte sealing key from pass with f's KDF parameters and salt into
 * key32 (the caller provides sodium_malloc'ed memory and wipes it).
 * Returns YC_OK, YC_EDECODE (parameters out of bounds), YC_ENOMEM (argon2 failed to
 * allocate).
 */
YC_WUR int yc_keystore_derive(const struct yc_keystore_file *f, const char *pass, size_t passlen,
                              uint8_t key32[32]);

/*
 * Opens f's ciphertext with an already derived key and checks the secret against the
 * address. Returns YC_OK (*out is a signer), YC_EPASSPHRASE (authentication failed),
 * YC_ECORRUPT (key does not match the address), YC_ENOMEM.
 */
YC_WUR int yc_keystore_unseal(const struct yc_keystore_file *f, const uint8_t key32[32],
                              yc_signer **out);

#endif
