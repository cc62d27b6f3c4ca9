/*
 * keyfile.h — the node's own key files, config/node_key.json and
 * config/validator_key.json (DESIGN.md §9). These hold a node key in clear, readable
 * by the node's user only (0600; a file readable by others is refused at load). They
 * are not wallet keystores: a node must start unattended.
 *
 *   {"kind": "node" | "validator", "scheme": "bip340", "address": "yc1…",
 *    "secret_key": "<64 hex>"}
 */
#ifndef YC_KEYFILE_H
#define YC_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "yc/err.h"
#include "yc/keys.h"

/* Writes a key file atomically with mode 0600. kind: "node" or "validator".
 * Returns YC_OK, YC_EBADKEY (secret invalid), YC_EIO, YC_ENOMEM. */
YC_WUR int yc_keyfile_write(const char *path, const char *kind, const uint8_t sk[YC_SECKEY_LEN]);

/*
 * Loads a key file into a signer (*out, caller destroys) and its public key. Returns
 * YC_OK, YC_ENOTFOUND, YC_EIO, or YC_ECONFIG (malformed, address mismatch, or
 * readable by group/others) with a message in err.
 */
YC_WUR int yc_keyfile_load(const char *path, yc_signer **out, uint8_t pub[YC_PUBKEY_LEN], char *err,
                           size_t errlen);

/* Generates a fresh valid secret key (libsodium randomness). */
void yc_keyfile_generate(uint8_t sk[YC_SECKEY_LEN]);

#endif
