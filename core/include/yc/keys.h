/*
 * keys.h — BIP-340 Schnorr keys and signatures over secp256k1 (libsecp256k1).
 *
 * On the wire a public key is 33 bytes: scheme byte YC_SCHEME_BIP340 then the
 * 32-byte x-only key; a signature is 65 bytes: scheme byte then the 64-byte BIP-340
 * signature. The scheme byte leaves room for SM2 later (DESIGN.md §4).
 *
 * Verification is pure (uses secp256k1_context_static, no allocation). Signing needs
 * a `yc_signer`, which holds the keypair in sodium_malloc'ed memory (wiped on
 * destroy) and a signing context blinded with a secret-derived seed; the caller
 * passes 32 bytes of fresh auxiliary randomness to each signature (BIP-340).
 * Keys and signatures from outside are parsed by libsecp256k1: x coordinates off the
 * curve or >= p, and s >= n, never verify.
 *
 * Thread-safety: yc_sig_verify is reentrant; one yc_signer per thread at a time.
 */
#ifndef YC_KEYS_H
#define YC_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "yc/err.h"

#define YC_SCHEME_BIP340 0x01
#define YC_XONLY_LEN 32
#define YC_PUBKEY_LEN 33 /* scheme + x-only */
#define YC_SIG64_LEN 64
#define YC_SIG_LEN 65 /* scheme + 64 */
#define YC_SECKEY_LEN 32

typedef struct yc_signer yc_signer;

/*
 * Creates a signer from a 32-byte secret key. Returns YC_OK, YC_EBADKEY (zero or
 * >= curve order), YC_ENOMEM. *out is NULL on failure. The secret is copied into
 * guarded memory; the caller wipes its own copy.
 */
YC_WUR int yc_signer_create(yc_signer **out, const uint8_t seckey[YC_SECKEY_LEN]);
/* Wipes and frees; NULL is a no-op. */
void yc_signer_destroy(yc_signer *s);
/* Writes the signer's 33-byte public key (s must not be NULL). */
void yc_signer_pubkey(const yc_signer *s, uint8_t pub[YC_PUBKEY_LEN]);
/*
 * Signs the 32-byte message `msg` (BIP-340) with aux randomness `aux32`, writing a
 * 65-byte signature. Returns YC_OK or YC_EINVAL (NULLs; sig is then not a valid
 * signature: its scheme byte is 0).
 */
YC_WUR int yc_sig_sign(const yc_signer *s, uint8_t sig[YC_SIG_LEN], const uint8_t msg[32],
                       const uint8_t aux32[32]);
/* Raw BIP-340 over msg[0..msglen), any length (for the published test vectors).
 * Returns YC_OK or YC_EINVAL (sig64 zeroed). */
YC_WUR int yc_sig_sign_bip340(const yc_signer *s, uint8_t sig64[YC_SIG64_LEN], const uint8_t *msg,
                              size_t msglen, const uint8_t aux32[32]);

/* Returns true iff `sig` (65 bytes) is a valid signature by `pub` (33 bytes) over msg32. */
bool yc_sig_verify(const uint8_t sig[YC_SIG_LEN], const uint8_t msg[32],
                   const uint8_t pub[YC_PUBKEY_LEN]);
/* Raw BIP-340 verify (x-only key, 64-byte signature, any message length); false for
 * NULLs or a key off the curve. */
bool yc_sig_verify_bip340(const uint8_t sig64[YC_SIG64_LEN], const uint8_t *msg, size_t msglen,
                          const uint8_t xonly[YC_XONLY_LEN]);
/* Returns true iff pub is 33 bytes of known scheme whose key lies on the curve. */
bool yc_pubkey_valid(const uint8_t pub[YC_PUBKEY_LEN]);

/*
 * A public key parsed once: parsing (BIP-340's lift_x, a square root) is about a tenth
 * of a signature check, so a caller that sees a key again can keep it parsed. Opaque.
 */
struct yc_parsed_key {
    uint8_t opaque[64];
};
/* Parses pub into *out; false (out unspecified) unless yc_pubkey_valid(pub). */
bool yc_pubkey_parse(struct yc_parsed_key *out, const uint8_t pub[YC_PUBKEY_LEN]);
/* yc_sig_verify with the signer's key already parsed by yc_pubkey_parse. */
bool yc_sig_verify_parsed(const uint8_t sig[YC_SIG_LEN], const uint8_t msg[32],
                          const struct yc_parsed_key *key);

#endif
