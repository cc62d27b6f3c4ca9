/*
 * keys.c — BIP-340 Schnorr signatures over secp256k1 (libsecp256k1 schnorrsig and
 * extrakeys).
 *
 * Verification uses secp256k1_context_static: it needs no precomputed tables and
 * no allocation, so it is pure and callable from any thread. A yc_signer owns a
 * signing context (created once, blinded with a seed derived from its own secret, so
 * no outside randomness is needed) and its keypair in sodium_malloc'ed memory, which
 * is wiped on destroy. Every byte that comes from outside (keys, signatures) is
 * parsed by libsecp256k1, which refuses x coordinates off the curve, r >= p and
 * s >= n.
 */
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#include <sodium.h>

#include "yc/hash.h"
#include "yc/keys.h"

#define BLIND_TAG "yuchain/blind/v1"

struct yc_signer {
    secp256k1_context *ctx; /* owned: created for signing, randomized */
    secp256k1_keypair kp;   /* secret: lives in this sodium_malloc'ed struct */
    uint8_t pub[YC_PUBKEY_LEN];
};

int yc_signer_create(yc_signer **out, const uint8_t seckey[YC_SECKEY_LEN])
{
    if (out == NULL) {
        return YC_EINVAL;
    }
    *out = NULL;
    if (seckey == NULL) {
        return YC_EINVAL;
    }
    if (!secp256k1_ec_seckey_verify(secp256k1_context_static, seckey)) {
        return YC_EBADKEY;
    }
    if (sodium_init() < 0) { /* idempotent; sets up sodium_malloc's guard pages */
        return YC_ENOMEM;
    }
    yc_signer *s = sodium_malloc(sizeof *s);
    if (s == NULL) {
        return YC_ENOMEM;
    }
    s->ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN);
    if (s->ctx == NULL) {
        yc_signer_destroy(s);
        return YC_ENOMEM;
    }
    /* Blinding seed: secret-derived, so it is as unpredictable as the key itself. */
    uint8_t seed[YC_HASH_LEN];
    yc_hash_tagged(seed, BLIND_TAG, "", seckey, YC_SECKEY_LEN);
    int ok = secp256k1_context_randomize(s->ctx, seed);
    sodium_memzero(seed, sizeof seed);
    secp256k1_xonly_pubkey xpk;
    if (ok) {
        ok = secp256k1_keypair_create(s->ctx, &s->kp, seckey) &&
             secp256k1_keypair_xonly_pub(s->ctx, &xpk, NULL, &s->kp) &&
             secp256k1_xonly_pubkey_serialize(s->ctx, s->pub + 1, &xpk);
    }
    if (!ok) {
        yc_signer_destroy(s);
        return YC_EBADKEY;
    }
    s->pub[0] = YC_SCHEME_BIP340;
    *out = s;
    return YC_OK;
}

void yc_signer_destroy(yc_signer *s)
{
    if (s == NULL) {
        return;
    }
    if (s->ctx != NULL) {
        secp256k1_context_destroy(s->ctx);
    }
    sodium_free(s); /* wipes the keypair before unmapping */
}

void yc_signer_pubkey(const yc_signer *s, uint8_t pub[YC_PUBKEY_LEN])
{
    memcpy(pub, s->pub, YC_PUBKEY_LEN);
}

int yc_sig_sign_bip340(const yc_signer *s, uint8_t sig64[YC_SIG64_LEN], const uint8_t *msg,
                       size_t msglen, const uint8_t aux32[32])
{
    if (s == NULL || sig64 == NULL || (msg == NULL && msglen > 0) || aux32 == NULL) {
        return YC_EINVAL;
    }
    secp256k1_schnorrsig_extraparams ep = SECP256K1_SCHNORRSIG_EXTRAPARAMS_INIT;
    ep.ndata = (void *)(uintptr_t)aux32; /* read-only use by the default nonce function */
    if (!secp256k1_schnorrsig_sign_custom(s->ctx, sig64, msg, msglen, &s->kp, &ep)) {
        memset(sig64, 0, YC_SIG64_LEN);
        return YC_EINVAL;
    }
    return YC_OK;
}

int yc_sig_sign(const yc_signer *s, uint8_t sig[YC_SIG_LEN], const uint8_t msg[32],
                const uint8_t aux32[32])
{
    if (sig == NULL || msg == NULL) {
        return YC_EINVAL;
    }
    int rc = yc_sig_sign_bip340(s, sig + 1, msg, 32, aux32);
    sig[0] = rc == YC_OK ? YC_SCHEME_BIP340 : 0;
    return rc;
}

bool yc_sig_verify_bip340(const uint8_t sig64[YC_SIG64_LEN], const uint8_t *msg, size_t msglen,
                          const uint8_t xonly[YC_XONLY_LEN])
{
    if (sig64 == NULL || xonly == NULL || (msg == NULL && msglen > 0)) {
        return false;
    }
    secp256k1_xonly_pubkey pk;
    if (!secp256k1_xonly_pubkey_parse(secp256k1_context_static, &pk, xonly)) {
        return false;
    }
    return secp256k1_schnorrsig_verify(secp256k1_context_static, sig64, msg, msglen, &pk) == 1;
}

bool yc_sig_verify(const uint8_t sig[YC_SIG_LEN], const uint8_t msg[32],
                   const uint8_t pub[YC_PUBKEY_LEN])
{
    if (sig == NULL || msg == NULL || pub == NULL) {
        return false;
    }
    if (sig[0] != YC_SCHEME_BIP340 || pub[0] != YC_SCHEME_BIP340) {
        return false;
    }
    return yc_sig_verify_bip340(sig + 1, msg, 32, pub + 1);
}

_Static_assert(sizeof(struct yc_parsed_key) == sizeof(secp256k1_xonly_pubkey),
               "yc_parsed_key holds a secp256k1_xonly_pubkey");

bool yc_pubkey_parse(struct yc_parsed_key *out, const uint8_t pub[YC_PUBKEY_LEN])
{
    secp256k1_xonly_pubkey pk;
    if (out == NULL || pub == NULL || pub[0] != YC_SCHEME_BIP340 ||
        !secp256k1_xonly_pubkey_parse(secp256k1_context_static, &pk, pub + 1)) {
        return false;
    }
    memcpy(out->opaque, &pk, sizeof out->opaque);
    return true;
}

bool yc_sig_verify_parsed(const uint8_t sig[YC_SIG_LEN], const uint8_t msg[32],
                          const struct yc_parsed_key *key)
{
    if (sig == NULL || msg == NULL || key == NULL || sig[0] != YC_SCHEME_BIP340) {
        return false;
    }
    secp256k1_xonly_pubkey pk;
    memcpy(&pk, key->opaque, sizeof pk);
    return secp256k1_schnorrsig_verify(secp256k1_context_static, sig + 1, msg, 32, &pk) == 1;
}

bool yc_pubkey_valid(const uint8_t pub[YC_PUBKEY_LEN])
{
    if (pub == NULL || pub[0] != YC_SCHEME_BIP340) {
        return false;
    }
    secp256k1_xonly_pubkey pk;
    return secp256k1_xonly_pubkey_parse(secp256k1_context_static, &pk, pub + 1) == 1;
}
