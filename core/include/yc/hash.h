/*
 * hash.h — SHA-256 and the domain-separated hash of DESIGN.md §4.
 *
 * SHA-256 is OpenSSL's libcrypto (its SHA256_Init/_Update/_Final, which use the CPU's SHA
 * instructions where it has them: about 4x libsodium's portable code on short inputs,
 * docs/performance.md); everything else cryptographic in core stays libsodium and
 * libsecp256k1.
 *
 * Tagged hash, unambiguous by length prefixes (docs/formats.md):
 *   H(tag, chain_id, bytes) = SHA-256( u8(len tag) ‖ tag ‖ u8(len chain_id) ‖ chain_id ‖ bytes )
 * Tags: YC_TAG_TX, YC_TAG_PBFT, YC_TAG_BLOCK, YC_TAG_STATE, YC_TAG_MERKLE, YC_TAG_GENESIS,
 * YC_TAG_ID, YC_TAG_SIGNED_TX, YC_TAG_RESULT.
 */
#ifndef YC_HASH_H
#define YC_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "yc/err.h"

#define YC_HASH_LEN 32
#define YC_TAG_TX "yuchain/tx/v1"
#define YC_TAG_PBFT "yuchain/pbft/v1"
#define YC_TAG_BLOCK "yuchain/block/v1"
#define YC_TAG_STATE "yuchain/state/v1"
#define YC_TAG_MERKLE "yuchain/merkle/v1"
#define YC_TAG_GENESIS "yuchain/genesis/v3"
#define YC_TAG_ID "yuchain/id/v1"
#define YC_TAG_SIGNED_TX "yuchain/signed-tx/v1"
#define YC_TAG_RESULT "yuchain/result/v1"
#define YC_CHAIN_ID_MAX 64

/* Plain SHA-256 of p[0..len). */
void yc_sha256(uint8_t out[YC_HASH_LEN], const void *p, size_t len);

/* Incremental SHA-256: init, any number of updates, final (which leaves the state used up).
 * Opaque; large enough for libcrypto's SHA256_CTX (checked in hash.c). */
struct yc_sha256_ctx {
    uint64_t opaque[16];
};
void yc_sha256_init(struct yc_sha256_ctx *c);
void yc_sha256_update(struct yc_sha256_ctx *c, const void *p, size_t len);
void yc_sha256_final(struct yc_sha256_ctx *c, uint8_t out[YC_HASH_LEN]);

/* Tagged hash. `tag` and `chain_id` are NUL-terminated, each at most 255 bytes. */
void yc_hash_tagged(uint8_t out[YC_HASH_LEN], const char *tag, const char *chain_id, const void *p,
                    size_t len);

/* yc_hash_tagged's state after the tag and chain id, for a message hashed in parts
 * (yc_sha256_update each, then yc_sha256_final). */
void yc_hash_tagged_init(struct yc_sha256_ctx *c, const char *tag, const char *chain_id);

/* Id of the i-th object created by one transaction (i >= 1): H(id_tag, "", txid ‖ u32be(i)).
 * Object 0 is the transaction id itself. */
void yc_hash_sub_id(uint8_t out[YC_HASH_LEN], const uint8_t txid[YC_HASH_LEN], uint32_t i);

/* Lowercase hex of p[0..len) into out (2*len+1 bytes, NUL-terminated). */
void yc_hex(char *out, const uint8_t *p, size_t len);
/* Parses exactly 2*n hex digits (either case) into out. Returns YC_OK or YC_EBADFIELD
 * (out zeroed). */
YC_WUR int yc_unhex(uint8_t *out, size_t n, const char *hex, size_t hexlen);

#endif
